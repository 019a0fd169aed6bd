// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the PB-TNC batch parser, every message value parser and
 * the state machines. A batch that parses encodes again to the same
 * bytes, message by message as they are and through their typed forms;
 * a refusal says why and its PB-Error encodes; the batch then goes to a
 * connection in every state and to a stream of each role, which accept
 * or refuse it, saying why. abort() otherwise.
 */
#include "fuzz.h"
#include "tnc/pb_stream.h"

#include <stdlib.h>
#include <string.h>

static uint8_t out[1 << 16];

/* What was built is @p; when it did not fit, at least as long. */
static void same(const struct tr_wbuf *w, const uint8_t *p, size_t len)
{
	if (w->len != len || (w->len <= w->cap && memcmp(w->p, p, len)))
		abort();
}

static void rebuild(const uint8_t *data, size_t size,
		    const struct tr_pb_batch *b)
{
	struct tr_wbuf w;
	size_t mark;
	char err[256];

	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, b->type, b->from_server);
	for (size_t i = 0; i < b->n; i++)
		tr_tlv_put(&w, &b->msgs[i]);
	tr_pb_batch_end(&w, mark);
	same(&w, data, size);

	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, b->type, b->from_server);
	for (size_t i = 0; i < b->n; i++) {
		struct tr_pb_value v;

		if (!tr_pb_known(b->msgs[i].vendor, b->msgs[i].type)) {
			tr_tlv_put(&w, &b->msgs[i]);
			continue;
		}
		if (tr_pb_value_parse(&b->msgs[i], &v, NULL, err,
				      sizeof(err)) ||
		    tr_pb_add(&w, &v, err, sizeof(err)))
			abort();
	}
	tr_pb_batch_end(&w, mark);
	same(&w, data, size);
}

static void states(const struct tr_pb_batch *b)
{
	for (int s = TR_PB_INIT; s <= TR_PB_END; s++)
		for (int r = TR_PB_CLIENT; r <= TR_PB_SERVER; r++) {
			struct tr_pb_sm sm = { r, s };
			struct tr_pb_error e;
			char err[256] = "";

			if (tr_pb_sm_received(&sm, b, &e, err, sizeof(err)) &&
			    (!err[0] || !e.fatal))
				abort();
			fuzz_sink += sm.state;
		}
	for (int r = TR_PB_CLIENT; r <= TR_PB_SERVER; r++) {
		struct tr_pb_stream s;
		struct tr_pb_error e;
		enum tr_pb_role role;
		char err[256] = "";

		tr_pb_stream_init(&s, r, true);
		if (r == TR_PB_CLIENT &&
		    tr_pb_stream_sent(&s, TR_PB_CLIENT, TR_PB_CDATA, err,
				      sizeof(err)))
			abort();
		if (tr_pb_stream_received(&s, b, &role, &e, err, sizeof(err))) {
			if (!err[0])
				abort();
			continue;
		}
		fuzz_sink += (unsigned)tr_pb_stream_next(&s, &role);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tr_pb_batch b;
	struct tr_pb_value ev = { .vendor = TR_PEN_IETF, .type = TR_PB_ERROR };
	struct tr_pb_value v;
	struct tr_tlv m;
	struct tr_wbuf w;
	char err[256] = "";

	if (tr_pb_batch_parse(data, size, &b, &ev.u.error, err, sizeof(err))) {
		if (!err[0] || !ev.u.error.fatal)
			abort();
		tr_wbuf_init(&w, out, sizeof(out));
		if (tr_pb_add(&w, &ev, err, sizeof(err)))
			abort();
	} else {
		rebuild(data, size, &b);
		states(&b);
	}
	/* The input as the value of each message type we know, too. */
	m.flags = 0;
	m.value.p = data;
	m.value.len = size;
	m.offset = 0;
	for (uint32_t t = 0; t <= TR_PB_REASON_STRING + 1; t++) {
		size_t bad = 0;

		m.vendor = t > TR_PB_REASON_STRING ? TR_PEN_ITA : TR_PEN_IETF;
		m.type = t > TR_PB_REASON_STRING ? TR_PB_ITA_MUTUAL_CAPABILITY :
						   t;
		if (tr_pb_value_parse(&m, &v, &bad, err, sizeof(err))) {
			if (!err[0] || bad > size)
				abort();
			continue;
		}
		tr_wbuf_init(&w, out, sizeof(out));
		if (tr_pb_value_build(&v, &w, err, sizeof(err)))
			abort();
		same(&w, data, size);
	}
	return 0;
}
