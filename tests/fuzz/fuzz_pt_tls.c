// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: PT-TLS framing, message values, SASL PLAIN and the two
 * sessions. The input is a stream of messages: each one framed encodes
 * again to the same bytes; each goes to a client and a server session,
 * which act or fail saying why, and whatever they write frames as whole
 * PT-TLS messages. The input as a SASL PLAIN message builds back the
 * same. abort() otherwise.
 */
#include "fuzz.h"
#include "tnc/pt_sasl.h"
#include "tnc/pt_session.h"

#include <stdlib.h>
#include <string.h>

static uint8_t out[1 << 16];

/* Everything a session wrote is whole messages. */
static void whole_messages(const struct tr_wbuf *w)
{
	size_t off = 0;

	if (w->len > w->cap)
		abort();
	while (off < w->len) {
		struct tr_pt_msg m;
		struct tr_pt_value v;
		size_t need;
		char err[256];

		if (tr_pt_frame(w->p + off, w->len - off, 0, &m, &need, NULL,
				err, sizeof(err)) != TR_PT_FRAME_DONE ||
		    tr_pt_value_parse(&m, &v, NULL, err, sizeof(err)))
			abort();
		off += m.raw.len;
	}
}

static void round_trip(const struct tr_pt_msg *m)
{
	struct tr_pt_value v;
	struct tr_wbuf w;
	size_t bad = 0;
	char err[256] = "";

	if (tr_pt_value_parse(m, &v, &bad, err, sizeof(err))) {
		if (!err[0] || bad > m->value.len)
			abort();
		return;
	}
	tr_wbuf_init(&w, out, sizeof(out));
	if (tr_pt_add(&w, m->id, &v, err, sizeof(err)))
		abort();
	if (w.len != m->raw.len ||
	    (w.len <= w.cap && memcmp(out, m->raw.p, w.len)))
		abort();
}

static void step(struct tr_pt_session *s, const struct tr_pt_msg *m)
{
	static uint8_t sent[8192]; /* a batch echoed: up to 4096 */
	struct tr_pt_event ev;
	struct tr_wbuf w;
	char err[256] = "";

	if (s->phase == TR_PT_PH_FAILED)
		return;
	tr_wbuf_init(&w, sent, sizeof(sent));
	if (tr_pt_recv(s, m, &w, &ev, err, sizeof(err))) {
		if (!err[0] || s->phase != TR_PT_PH_FAILED)
			abort();
	} else if (ev.type == TR_PT_EV_SASL_PLAIN) {
		fuzz_sink += (unsigned)ev.plain.authcid.len;
		if (tr_pt_sasl_verdict(s, ev.plain.passwd.len & 1, &w, err,
				       sizeof(err)) &&
		    s->phase != TR_PT_PH_FAILED)
			abort();
	} else if (ev.type == TR_PT_EV_BATCH) {
		if (tr_pt_send_batch(s, ev.batch.p, ev.batch.len, &w, err,
				     sizeof(err)))
			abort();
	}
	whole_messages(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tr_pt_config ccfg = {
		.role = TR_PT_CLIENT,
		.sasl_authcid = { (const uint8_t *)"carol", 5 },
		.sasl_passwd = { (const uint8_t *)"pw", 2 },
	};
	static const struct tr_pt_config scfg = { .role = TR_PT_SERVER,
						  .sasl_required = true };
	struct tr_pt_session client, server;
	struct tr_sasl_plain plain;
	struct tr_wbuf w;
	size_t off = 0;
	char err[256] = "";

	tr_wbuf_init(&w, out, sizeof(out));
	tr_pt_start(&client, &ccfg, &w, err, sizeof(err));
	tr_pt_start(&server, &scfg, &w, err, sizeof(err));
	while (off < size) {
		struct tr_pt_msg m;
		struct tr_pt_error e;
		size_t need = 0;
		int rc;

		rc = tr_pt_frame(data + off, size - off, 4096, &m, &need, &e,
				 err, sizeof(err));
		if (rc == TR_PT_FRAME_ERROR) {
			if (!err[0] || e.original.len != TR_PT_HEADER_LEN)
				abort();
			break;
		}
		if (rc == TR_PT_FRAME_MORE) {
			if (need <= size - off || need > 4096)
				abort();
			break;
		}
		round_trip(&m);
		step(&client, &m);
		step(&server, &m);
		off += m.raw.len;
	}

	if (!tr_sasl_plain_parse(data, size, &plain, err, sizeof(err))) {
		tr_wbuf_init(&w, out, sizeof(out));
		if (tr_sasl_plain_build(&plain, &w, err, sizeof(err)) ||
		    w.len != size || memcmp(out, data, size))
			abort();
	} else if (!err[0]) {
		abort();
	}
	return 0;
}
