// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the NMS's TNC session as a whole (nms/tnc/tnc_server.h
 * tnc_session_*: PT-TLS, PB-TNC, the OS and attestation IMVs, the claim
 * of a name), fed a router's PT-TLS messages without sockets. Byte 0 is
 * the mode (fuzz_tnc.h: certified, SASL, mutual); the rest is the
 * messages, in order, as the router sent them. The NMS's random stream
 * is fixed (fuzz_rand.h), so the seeds' quotes answer its nonce and
 * mutations reach the quote's checks and the appraisal.
 *
 * Whatever the NMS sends is whole PT-TLS messages that parse; it decides
 * once an assessment (the first, and one for each retry the router asks
 * for), for the certificate's name, the SASL user or the name claimed;
 * a decision that says proven has a certificate or r1's quote
 * behind it, a good one is proven; every reason is a line, and so is
 * every refusal logged, naming the peer. Nothing is sent after the
 * session asked to close. abort() otherwise.
 */
#include "fuzz.h"
#include "fuzz_rand.h"
#include "fuzz_tnc.h"
#include "tnc/pt_session.h"

#include <stdlib.h>

static struct {
	uint8_t *out;
	size_t len, cap;
	bool closed;
	unsigned mode, decisions, refusals;
} run;

static int out(void *arg, const uint8_t *buf, size_t len)
{
	(void)arg;
	if (run.closed)
		abort(); /* nothing after the close */
	if (run.len + len > run.cap) {
		run.cap = (run.len + len) * 2;
		run.out = realloc(run.out, run.cap);
		if (!run.out)
			abort();
	}
	memcpy(run.out + run.len, buf, len);
	run.len += len;
	return 0;
}

static void close_after(void *arg)
{
	(void)arg;
	run.closed = true;
}

/* Each decision: reasons are lines, the name and proof hold. */
static void decided(const struct tnc_session_info *i,
		    const struct nms_verdict *v, void *arg)
{
	(void)arg;
	run.decisions++;
	if (v->n > VERDICT_REASONS || v->v > VERDICT_BAD)
		abort();
	for (size_t k = 0; k < v->n; k++)
		if (!v->reason[k][0] ||
		    strnlen(v->reason[k], VERDICT_REASON_LEN) ==
			    VERDICT_REASON_LEN ||
		    strchr(v->reason[k], '\n'))
			abort();
	if (i->certified != !!(run.mode & FUZZ_TNC_CERTIFIED))
		abort();
	if (i->certified && strcmp(i->device, "r1"))
		abort();
	/* Proven: by its certificate, or by r1's AK in the quote. */
	if (i->proven && !i->certified &&
	    (!i->attested || strcmp(i->device, "r1")))
		abort();
	if (v->v == VERDICT_GOOD && !i->proven)
		abort();
}

/* Every refusal names its peer and says why, on one line. */
static void refused(const char *peer, const char *why, void *arg)
{
	(void)arg;
	if (strcmp(peer, "192.0.2.7") || !why[0] || strchr(why, '\n'))
		abort();
	run.refusals++;
}

static void whole_messages(void)
{
	size_t off = 0;

	while (off < run.len) {
		struct tr_pt_msg m;
		struct tr_pt_value v;
		size_t need;
		char err[256];

		if (tr_pt_frame(run.out + off, run.len - off, 0, &m, &need,
				NULL, err, sizeof(err)) != TR_PT_FRAME_DONE ||
		    tr_pt_value_parse(&m, &v, NULL, err, sizeof(err)))
			abort();
		off += m.raw.len;
	}
}

/* The router's retries (CRETRY batches) among its messages @in. */
static unsigned retries(const uint8_t *in, size_t len)
{
	unsigned n = 0;

	while (len) {
		struct tr_pt_msg m;
		size_t need;
		char err[128];

		if (tr_pt_frame(in, len, 1u << 20, &m, &need, NULL, err,
				sizeof(err)) != TR_PT_FRAME_DONE)
			break;
		/* A PB-TNC batch header: its type is the low nibble of
		 * byte 3. */
		n += m.vendor == 0 && m.type == TR_PT_PB_TNC_BATCH &&
		     m.value.len >= 8 && (m.value.p[3] & 0x0f) == TR_PB_CRETRY;
		in += m.raw.len;
		len -= m.raw.len;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static struct tnc_server_config c;
	const struct tnc_session_io io = { out, close_after, NULL, NULL };
	struct tnc_session *s;
	unsigned mode;
	size_t off = 1;

	fuzz_quiet_tss();
	if (!ready) {
		if (fuzz_tnc_init() < 0)
			abort();
		ready = true;
	}
	if (!size)
		return 0;
	mode = run.mode = data[0];
	fuzz_rand_reset();
	run.len = 0;
	run.closed = false;
	run.decisions = run.refusals = 0;
	c = fuzz_tnc_config(mode);
	c.decided = decided;
	c.refused = refused;
	s = tnc_session_open(&c, "192.0.2.7",
			     mode & FUZZ_TNC_CERTIFIED ? "r1" : NULL, &io);
	if (!s)
		abort();
	while (off < size && !run.closed) {
		struct tr_pt_msg m;
		size_t need;
		char err[256];

		if (tr_pt_frame(data + off, size - off, 1u << 20, &m, &need,
				NULL, err, sizeof(err)) != TR_PT_FRAME_DONE)
			break;
		if (tnc_session_message(s, data + off, m.raw.len) < 0)
			break;
		off += m.raw.len;
	}
	tnc_session_free(s);
	whole_messages();
	/* One decision an assessment: the first, and one a retry. */
	if (run.decisions > 1 + retries(data + 1, size - 1))
		abort();
	fuzz_sink += run.decisions;
	return 0;
}
