// SPDX-License-Identifier: GPL-2.0-only
/*
 * PT-TLS (RFC 6876): every PT-TLS message of the strongSwan 6.0.6
 * captures frames, parses and encodes again to the same bytes; our server
 * session answers strongSwan's client with exactly the bytes strongSwan's
 * server sent (SASL and certificate sessions, message ids included); our
 * client session goes through the captured exchanges and frames its
 * batches as strongSwan's client did; malformed messages, SASL PLAIN and
 * out-of-order messages are refused with the PT-TLS Error to send.
 */
#include "tnc/pt_sasl.h"
#include "tnc/pt_session.h"
#include "test_dir.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>

#define SS TR_DATA_DIR "/strongswan/"
#define SASL SS "pt-tls-client_sasl_debug3/"
#define MUTUAL SS "pt-tls-client_mutual_debug3/"

#define BYTES(s) ((struct tr_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

/* carol's password is not in the logs; 8 bytes make strongSwan's 37 */
#define PASSWD "s3cret-8"

static uint8_t *vec(const char *path, size_t *len)
{
	return test_read_buf(path, 1 << 20, len);
}

static void frame(const uint8_t *b, size_t len, struct tr_pt_msg *m)
{
	size_t need = 0;
	char err[256] = "";

	if (tr_pt_frame(b, len, 0, m, &need, NULL, err, sizeof(err)) !=
	    TR_PT_FRAME_DONE)
		fail_msg("%s", err);
	assert_int_equal(need, len);
	assert_int_equal(m->raw.len, len);
}

static void value_of(const struct tr_pt_msg *m, struct tr_pt_value *v)
{
	char err[256] = "";

	if (tr_pt_value_parse(m, v, NULL, err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_captures(void **state)
{
	static const char *const files[] = {
		SASL "01-pt-version-response-id0.bin",
		SASL "02-pt-sasl-mechanisms-id1.bin",
		SASL "03-pt-sasl-result-id2.bin",
		SASL "04-pt-sasl-mechanisms-id3.bin",
		SASL "14-pt-pb-tnc-batch-id4.bin",
		MUTUAL "01-pt-version-response-id0.bin",
		MUTUAL "02-pt-sasl-mechanisms-id1.bin",
		MUTUAL "12-pt-pb-tnc-batch-id2.bin",
		MUTUAL "17-pt-pb-tnc-batch-id3.bin",
		MUTUAL "30-pt-pb-tnc-batch-id4.bin",
	};
	static const uint32_t types[] = { 2, 3, 6, 3, 7, 2, 3, 7, 7, 7 };
	static const uint32_t ids[] = { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 };

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct tr_pt_msg m;
		struct tr_pt_value v;
		uint8_t out[512], *b;
		struct tr_wbuf w;
		size_t len;
		char err[256] = "";

		b = vec(files[i], &len);
		frame(b, len, &m);
		assert_int_equal(m.vendor, 0);
		assert_int_equal(m.type, types[i]);
		assert_int_equal(m.id, ids[i]);
		value_of(&m, &v);
		tr_wbuf_init(&w, out, sizeof(out));
		if (tr_pt_add(&w, m.id, &v, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(w.len, len);
		assert_memory_equal(out, b, len);
		free(b);
	}
}

static void test_capture_fields(void **state)
{
	struct tr_pt_msg m;
	struct tr_pt_value v;
	uint8_t *b, *batch;
	size_t len, blen;

	(void)state;
	b = vec(SASL "01-pt-version-response-id0.bin", &len);
	frame(b, len, &m);
	value_of(&m, &v);
	assert_int_equal(v.u.version, 1);
	free(b);
	b = vec(SASL "02-pt-sasl-mechanisms-id1.bin", &len);
	frame(b, len, &m);
	value_of(&m, &v);
	assert_int_equal(v.u.mechs.n, 1);
	assert_int_equal(v.u.mechs.names[0].len, 5);
	assert_memory_equal(v.u.mechs.names[0].p, "PLAIN", 5);
	free(b);
	/* strongSwan's SASL Result: one byte */
	b = vec(SASL "03-pt-sasl-result-id2.bin", &len);
	assert_int_equal(len, 17);
	frame(b, len, &m);
	value_of(&m, &v);
	assert_int_equal(v.u.result.code, TR_SASL_SUCCESS);
	assert_false(v.u.result.wide);
	assert_int_equal(v.u.result.data.len, 0);
	free(b);
	/* and the empty SASL Mechanisms after it */
	b = vec(SASL "04-pt-sasl-mechanisms-id3.bin", &len);
	frame(b, len, &m);
	value_of(&m, &v);
	assert_int_equal(v.u.mechs.n, 0);
	free(b);
	b = vec(SASL "14-pt-pb-tnc-batch-id4.bin", &len);
	batch = vec(SASL "15-pb-result-recv-c1.bin", &blen);
	frame(b, len, &m);
	value_of(&m, &v);
	assert_int_equal(v.u.batch.len, blen);
	assert_memory_equal(v.u.batch.p, batch, blen);
	free(batch);
	free(b);
}

/* The server's messages of the SASL session, one stream, fed in pieces. */
static void test_frame_stream(void **state)
{
	static const char *const files[] = {
		SASL "01-pt-version-response-id0.bin",
		SASL "02-pt-sasl-mechanisms-id1.bin",
		SASL "03-pt-sasl-result-id2.bin",
		SASL "04-pt-sasl-mechanisms-id3.bin",
		SASL "14-pt-pb-tnc-batch-id4.bin",
	};
	uint8_t stream[512];
	size_t n = 0, off = 0, have = 0, got = 0;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		size_t len;
		uint8_t *b = vec(files[i], &len);

		memcpy(stream + n, b, len);
		n += len;
		free(b);
	}
	/* one byte at a time, as a slow TLS stream might give them */
	while (off < n) {
		struct tr_pt_msg m;
		size_t need = 0;
		char err[256] = "";
		int rc;

		rc = tr_pt_frame(stream + off, have, 0, &m, &need, NULL, err,
				 sizeof(err));
		assert_int_not_equal(rc, TR_PT_FRAME_ERROR);
		if (rc == TR_PT_FRAME_MORE) {
			assert_true(need > have);
			assert_true(need == 16 || have >= 16);
			have++;
			continue;
		}
		assert_int_equal(m.id, got < 4 ? got : 4);
		off += m.raw.len;
		have -= m.raw.len;
		got++;
	}
	assert_int_equal(got, 5);
}

static void frame_refused(const uint8_t *b, size_t len, size_t max,
			  uint32_t code, const char *why)
{
	struct tr_pt_msg m;
	struct tr_pt_error e;
	size_t need;
	char err[256] = "";

	if (tr_pt_frame(b, len, max, &m, &need, &e, err, sizeof(err)) !=
		    TR_PT_FRAME_ERROR ||
	    !strstr(err, why))
		fail_msg("wanted \"%s\", got \"%s\"", why, err);
	assert_int_equal(e.vendor, 0);
	assert_int_equal(e.code, code);
	assert_int_equal(e.original.len, 16);
	assert_ptr_equal(e.original.p, b);
}

static void test_frame_errors(void **state)
{
	uint8_t h[16] = { 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 16, 0, 0, 0, 1 };
	struct tr_pt_msg m;
	size_t need;
	char err[256];

	(void)state;
	assert_int_equal(tr_pt_frame(h, 16, 0, &m, &need, NULL, err,
				     sizeof(err)),
			 TR_PT_FRAME_DONE);
	assert_int_equal(m.value.len, 0);
	h[0] = 1;
	frame_refused(h, 16, 0, TR_PT_ERR_MALFORMED, "reserved byte 0x01");
	h[0] = 0;
	h[11] = 15;
	frame_refused(h, 16, 0, TR_PT_ERR_MALFORMED,
		      "length 15, shorter than its 16-byte header");
	/* longer than the limit: refused before any of it is buffered */
	h[11] = 0;
	h[9] = 0x10;
	frame_refused(h, 16, 4096, TR_PT_ERR_INVALID_PARAMETER,
		      "length 1048576, more than the 4096 we take");
	assert_int_equal(tr_pt_frame(h, 16, 0, &m, &need, NULL, err,
				     sizeof(err)),
			 TR_PT_FRAME_MORE);
	assert_int_equal(need, 1 << 20);
	h[8] = 0x01; /* 16 MiB + 1 MiB: above any limit we take */
	frame_refused(h, 16, SIZE_MAX, TR_PT_ERR_INVALID_PARAMETER,
		      "more than the 16777216 we take");
	h[8] = 0xff;
	frame_refused(h, 16, 0, TR_PT_ERR_INVALID_PARAMETER,
		      "more than the 2097152 we take");
	/* a header not yet whole says so */
	assert_int_equal(tr_pt_frame(h, 15, 0, &m, &need, NULL, err,
				     sizeof(err)),
			 TR_PT_FRAME_MORE);
	assert_int_equal(need, 16);
}

static void bad_value(uint32_t type, const void *v, size_t len, size_t bad,
		      const char *why)
{
	struct tr_pt_msg m = { 0, type, 1, { v, len }, { v, len } };
	struct tr_pt_value pv;
	size_t at = 999;
	char err[256] = "";

	if (tr_pt_value_parse(&m, &pv, &at, err, sizeof(err)) != -1 ||
	    !strstr(err, why))
		fail_msg("type %u: wanted \"%s\", got \"%s\"", type, why, err);
	if (at != bad)
		fail_msg("%s: at %zu, wanted %zu", err, at, bad);
}

#define V(s) s, sizeof(s) - 1

static void test_malformed_values(void **state)
{
	static const struct {
		uint32_t type;
		const char *v;
		size_t len, bad;
		const char *why;
	} cases[] = {
		{ TR_PT_VERSION_REQUEST, V("\0\1\1"), 0, "3 bytes, not 4" },
		{ TR_PT_VERSION_REQUEST, V("\1\1\1\1"), 0,
		  "reserved byte set" },
		{ TR_PT_VERSION_REQUEST, V("\0\2\1\1"), 1,
		  "minimum version 2 above the maximum 1" },
		{ TR_PT_VERSION_REQUEST, V("\0\1\2\3"), 3,
		  "preferred version 3 not from 1 to 2" },
		{ TR_PT_VERSION_RESPONSE, V("\0\0\1\1"), 0,
		  "reserved bytes set" },
		{ TR_PT_VERSION_RESPONSE, V("\0\0\0\1\0"), 0,
		  "5 bytes, not 4" },
		{ TR_PT_SASL_MECHS, V("\x25PLAIN"), 0, "reserved bits set" },
		{ TR_PT_SASL_MECHS, V("\5PLAI"), 0,
		  "mechanism name longer than the value" },
		{ TR_PT_SASL_MECHS, V("\5PLAIN\0"), 7,
		  "mechanism name is not 1 to 20" },
		{ TR_PT_SASL_MECHS, V("\5plain"), 1,
		  "mechanism name is not 1 to 20" },
		{ TR_PT_SASL_MECHS, V("\5PLAIN\3A B"), 7,
		  "mechanism name is not 1 to 20" },
		{ TR_PT_SASL_MECH_SELECTION, V(""), 0, "no mechanism name" },
		{ TR_PT_SASL_RESULT, V(""), 0, "no result code" },
		{ TR_PT_SASL_RESULT, V("\4"), 0, "result code 4" },
		{ TR_PT_SASL_RESULT, V("\1\0"), 0, "result code 256" },
		{ TR_PT_ERROR, V("\0\0\0\0\0\0\0"), 0,
		  "7 bytes, shorter than 8" },
		{ TR_PT_ERROR, V("\1\0\0\0\0\0\0\1"), 0, "reserved byte set" },
		{ 9, V(""), 0, "0x000000/9: not a type we know" },
	};
	uint8_t big[8 + 1025] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t many[2 * 17];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad_value(cases[i].type, cases[i].v, cases[i].len, cases[i].bad,
			  cases[i].why);
	bad_value(TR_PT_ERROR, big, sizeof(big), 8,
		  "copy of 1025 bytes, more than 1024");
	for (int i = 0; i < 17; i++) {
		many[2 * i] = 1;
		many[2 * i + 1] = (uint8_t)('A' + i);
	}
	bad_value(TR_PT_SASL_MECHS, many, sizeof(many), 32,
		  "more than 16 mechanisms");
	bad_value(TR_PT_SASL_MECHS,
		  "\x15"
		  "ABCDEFGHIJKLMNOPQRSTU",
		  22, 1, "mechanism name is not 1 to 20");
}

static void test_sasl_result_forms(void **state)
{
	struct tr_pt_msg m = { 0, TR_PT_SASL_RESULT, 0, { NULL, 0 }, { 0 } };
	struct tr_pt_value v = { .type = TR_PT_SASL_RESULT };
	uint8_t out[64];
	struct tr_wbuf w;
	char err[256] = "";

	(void)state;
	m.value = BYTES("\1");
	value_of(&m, &v);
	assert_int_equal(v.u.result.code, TR_SASL_FAILURE);
	assert_false(v.u.result.wide);
	m.value = BYTES("\0\1");
	value_of(&m, &v);
	assert_int_equal(v.u.result.code, TR_SASL_FAILURE);
	assert_true(v.u.result.wide);
	assert_int_equal(v.u.result.data.len, 0);
	m.value = BYTES("\0\0AB");
	value_of(&m, &v);
	assert_int_equal(v.u.result.code, TR_SASL_SUCCESS);
	assert_int_equal(v.u.result.data.len, 2);

	/* what we send: strongSwan's byte, or the RFC's two */
	v.u.result.code = TR_SASL_ABORT;
	v.u.result.data.len = 0;
	v.u.result.wide = false;
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pt_add(&w, 5, &v, err, sizeof(err)), 0);
	assert_int_equal(w.len, 17);
	assert_int_equal(out[16], 2);
	v.u.result.wide = true;
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pt_add(&w, 5, &v, err, sizeof(err)), 0);
	assert_int_equal(w.len, 18);
	assert_memory_equal(out + 16, "\0\2", 2);
	/* a one-byte code with data would read back as the RFC's form */
	v.u.result.wide = false;
	v.u.result.data = BYTES("x");
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pt_add(&w, 5, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a one-byte result code carries no data"));
	assert_int_equal(w.len, 0);
}

static void plain_refused(const void *p, size_t len, const char *why)
{
	struct tr_sasl_plain s;
	char err[256] = "";

	if (tr_sasl_plain_parse(p, len, &s, err, sizeof(err)) != -1 ||
	    !strstr(err, why))
		fail_msg("wanted \"%s\", got \"%s\"", why, err);
}

static void test_sasl_plain(void **state)
{
	struct tr_sasl_plain s;
	uint8_t big[600], out[1024];
	struct tr_wbuf w;
	char err[256] = "";

	(void)state;
	assert_int_equal(tr_sasl_plain_parse((const uint8_t *)"\0carol\0pw", 9,
					     &s, err, sizeof(err)),
			 0);
	assert_int_equal(s.authzid.len, 0);
	assert_int_equal(s.authcid.len, 5);
	assert_memory_equal(s.authcid.p, "carol", 5);
	assert_int_equal(s.passwd.len, 2);
	assert_int_equal(
		tr_sasl_plain_parse((const uint8_t *)"admin\0carol\0pw", 14, &s,
				    err, sizeof(err)),
		0);
	assert_int_equal(s.authzid.len, 5);
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_sasl_plain_build(&s, &w, err, sizeof(err)), 0);
	assert_int_equal(w.len, 14);
	assert_memory_equal(out, "admin\0carol\0pw", 14);

	plain_refused("", 0, "SASL PLAIN: empty");
	plain_refused("carol", 5, "no NUL after the authzid at offset 0");
	plain_refused("\0carol", 6, "no NUL after the authcid at offset 1");
	plain_refused("\0carol\0pw\0", 10, "a third NUL, at offset 9");
	plain_refused("\0\0pw", 4, "authcid of 0 bytes at offset 1, not 1 to");
	plain_refused("\0carol\0", 7, "passwd of 0 bytes at offset 7");
	plain_refused("\0car\xffol\0pw", 10,
		      "authcid is not UTF-8 at offset 4");
	memset(big, 'a', sizeof(big));
	big[0] = 0;
	big[2] = 0;
	plain_refused(big, 2 + 1 + 256, "passwd of 256 bytes at offset 3");
	big[2] = 'a';
	big[258] = 0;
	plain_refused(big, 300, "authcid of 257 bytes at offset 1");

	/* no NUL inside a field: it would shift the others */
	s.authzid = BYTES("");
	s.authcid = BYTES("car\0ol");
	s.passwd = BYTES("pw");
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_sasl_plain_build(&s, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a third NUL"));
	assert_int_equal(w.len, 0);
}

/* --- sessions ---------------------------------------------------------- */

struct io {
	uint8_t buf[4096];
	struct tr_wbuf w;
};

static void io_reset(struct io *o)
{
	tr_wbuf_init(&o->w, o->buf, sizeof(o->buf));
}

/* What the session wrote equals the concatenation of @files. */
static void wrote(struct io *o, const char *const *files, size_t n)
{
	size_t off = 0;

	assert_int_equal(tr_wbuf_check(&o->w, NULL, 0), 0);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *b = vec(files[i], &len);

		assert_true(off + len <= o->w.len);
		assert_memory_equal(o->buf + off, b, len);
		off += len;
		free(b);
	}
	assert_int_equal(off, o->w.len);
}

/* Feed the message in @b to @s; the event must be @ev. */
static void feed(struct tr_pt_session *s, const uint8_t *b, size_t len,
		 struct io *o, enum tr_pt_event_type ev, struct tr_pt_event *e)
{
	struct tr_pt_msg m;
	struct tr_pt_event local;
	char err[256] = "";

	frame(b, len, &m);
	io_reset(o);
	if (tr_pt_recv(s, &m, &o->w, e ? e : &local, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal((e ? e : &local)->type, ev);
}

static void feed_file(struct tr_pt_session *s, const char *path, struct io *o,
		      enum tr_pt_event_type ev, struct tr_pt_event *e)
{
	size_t len;
	uint8_t *b = vec(path, &len);

	feed(s, b, len, o, ev, e);
	free(b);
}

/* Frame the batch in @path; the message is @len bytes with @id. */
static void send_batch(struct tr_pt_session *s, const char *path, struct io *o,
		       size_t len, uint32_t id)
{
	size_t blen;
	uint8_t *b = vec(path, &blen);
	char err[256] = "";

	io_reset(o);
	if (tr_pt_send_batch(s, b, blen, &o->w, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(o->w.len, len);
	assert_int_equal(o->buf[15], id);
	assert_memory_equal(o->buf + 16, b, blen);
	free(b);
}

static const struct tr_pt_config client_cfg = {
	.role = TR_PT_CLIENT,
	.sasl_authcid = BYTES("carol"),
	.sasl_passwd = BYTES(PASSWD),
};

/* The Version Request strongSwan's client sends (libpttls, id 0). */
static const uint8_t version_request[20] = { 0, 0,  0, 0, 0, 0, 0, 1, 0, 0,
					     0, 20, 0, 0, 0, 0, 0, 1, 1, 1 };

/* Our client through the captured SASL session. */
static void test_client_sasl(void **state)
{
	static const uint8_t selection[] = "\0\0\0\0\0\0\0\4\0\0\0\x25\0\0\0\1"
					   "\5PLAIN\0carol\0" PASSWD;
	struct tr_pt_session s;
	struct tr_pt_event e;
	struct io *o = malloc(sizeof(*o));
	uint8_t *b, *m;
	size_t len, mlen;
	char err[256] = "";

	(void)state;
	io_reset(o);
	assert_int_equal(tr_pt_start(&s, &client_cfg, &o->w, err, sizeof(err)),
			 0);
	assert_int_equal(o->w.len, 20);
	assert_memory_equal(o->buf, version_request, 20);
	feed_file(&s, SASL "01-pt-version-response-id0.bin", o, TR_PT_EV_NONE,
		  NULL);
	assert_int_equal(o->w.len, 0);
	assert_int_equal(s.phase, TR_PT_PH_SASL);
	feed_file(&s, SASL "02-pt-sasl-mechanisms-id1.bin", o, TR_PT_EV_NONE,
		  NULL);
	/* 37 bytes, as strongSwan's client sent */
	assert_int_equal(o->w.len, 37);
	assert_memory_equal(o->buf, selection, 37);
	feed_file(&s, SASL "03-pt-sasl-result-id2.bin", o, TR_PT_EV_NONE, NULL);
	assert_int_equal(s.phase, TR_PT_PH_SASL);
	feed_file(&s, SASL "04-pt-sasl-mechanisms-id3.bin", o, TR_PT_EV_DATA,
		  NULL);
	assert_int_equal(s.phase, TR_PT_PH_DATA);
	/* "sending PT-TLS message #2 of type 'PB-TNC Batch' (274 bytes)" */
	send_batch(&s, SASL "13-pb-cdata-sent-c1.bin", o, 274, 2);
	/* the event points into the message received */
	m = vec(SASL "14-pt-pb-tnc-batch-id4.bin", &mlen);
	feed(&s, m, mlen, o, TR_PT_EV_BATCH, &e);
	b = vec(SASL "15-pb-result-recv-c1.bin", &len);
	assert_int_equal(e.batch.len, len);
	assert_memory_equal(e.batch.p, b, len);
	assert_ptr_equal(e.batch.p, m + 16);
	free(b);
	free(m);
	/* "sending PT-TLS message #3 of type 'PB-TNC Batch' (24 bytes)" */
	send_batch(&s, SASL "18-pb-close-sent-c1.bin", o, 24, 3);
	free(o);
}

/* Our server answers strongSwan's client with strongSwan's bytes. */
static void test_server_sasl(void **state)
{
	static const char *const hello[] = {
		SASL "01-pt-version-response-id0.bin",
		SASL "02-pt-sasl-mechanisms-id1.bin",
	};
	static const char *const result[] = {
		SASL "03-pt-sasl-result-id2.bin",
		SASL "04-pt-sasl-mechanisms-id3.bin",
	};
	struct tr_pt_config cfg = { .role = TR_PT_SERVER,
				    .sasl_required = true };
	struct tr_pt_session s, c;
	struct tr_pt_event e;
	struct io *o = malloc(sizeof(*o)), *co = malloc(sizeof(*co));
	uint8_t *b;
	size_t len;
	char err[256] = "";

	(void)state;
	io_reset(o);
	assert_int_equal(tr_pt_start(&s, &cfg, &o->w, err, sizeof(err)), 0);
	assert_int_equal(o->w.len, 0);
	feed(&s, version_request, 20, o, TR_PT_EV_NONE, NULL);
	wrote(o, hello, 2);
	/* the client's selection, from our client */
	io_reset(co);
	tr_pt_start(&c, &client_cfg, &co->w, err, sizeof(err));
	feed_file(&c, SASL "01-pt-version-response-id0.bin", co, TR_PT_EV_NONE,
		  NULL);
	feed(&c, o->buf + 20, o->w.len - 20, co, TR_PT_EV_NONE, NULL);
	feed(&s, co->buf, co->w.len, o, TR_PT_EV_SASL_PLAIN, &e);
	assert_int_equal(e.plain.authcid.len, 5);
	assert_memory_equal(e.plain.authcid.p, "carol", 5);
	assert_int_equal(e.plain.passwd.len, 8);
	assert_memory_equal(e.plain.passwd.p, PASSWD, 8);
	assert_int_equal(o->w.len, 0);
	io_reset(o);
	assert_int_equal(tr_pt_sasl_verdict(&s, true, &o->w, err, sizeof(err)),
			 0);
	wrote(o, result, 2);
	assert_int_equal(s.phase, TR_PT_PH_DATA);
	/* the batches, framed as strongSwan's server framed them */
	b = vec(SASL "14-pt-pb-tnc-batch-id4.bin", &len);
	send_batch(&s, SASL "15-pb-result-recv-c1.bin", o, len, 4);
	assert_memory_equal(o->buf, b, len);
	free(b);
	free(o);
	free(co);
}

/* With a TLS client certificate: no SASL, the mutual session's framing. */
static void test_server_cert(void **state)
{
	static const char *const hello[] = {
		MUTUAL "01-pt-version-response-id0.bin",
		MUTUAL "02-pt-sasl-mechanisms-id1.bin",
	};
	static const struct {
		const char *batch, *msg;
	} sent[] = {
		{ MUTUAL "13-pb-result-recv-c1.bin",
		  MUTUAL "12-pt-pb-tnc-batch-id2.bin" },
		{ MUTUAL "18-pb-cdata-recv-c2.bin",
		  MUTUAL "17-pt-pb-tnc-batch-id3.bin" },
		{ MUTUAL "31-pb-close-recv-c2.bin",
		  MUTUAL "30-pt-pb-tnc-batch-id4.bin" },
	};
	struct tr_pt_config cfg = { .role = TR_PT_SERVER };
	struct tr_pt_session s;
	struct io *o = malloc(sizeof(*o));
	char err[256] = "";

	(void)state;
	io_reset(o);
	tr_pt_start(&s, &cfg, &o->w, err, sizeof(err));
	feed(&s, version_request, 20, o, TR_PT_EV_DATA, NULL);
	wrote(o, hello, 2);
	for (int i = 0; i < 3; i++) {
		size_t len;
		uint8_t *b = vec(sent[i].msg, &len);

		send_batch(&s, sent[i].batch, o, len, (uint32_t)(2 + i));
		assert_memory_equal(o->buf, b, len);
		free(b);
	}
	free(o);
}

/* Our client through the captured mutual session (certificate, no SASL). */
static void test_client_cert(void **state)
{
	struct tr_pt_session s;
	struct tr_pt_event e;
	struct io *o = malloc(sizeof(*o));
	char err[256] = "";

	(void)state;
	io_reset(o);
	tr_pt_start(&s, &client_cfg, &o->w, err, sizeof(err));
	feed_file(&s, MUTUAL "01-pt-version-response-id0.bin", o, TR_PT_EV_NONE,
		  NULL);
	feed_file(&s, MUTUAL "02-pt-sasl-mechanisms-id1.bin", o, TR_PT_EV_DATA,
		  NULL);
	assert_int_equal(o->w.len, 0);
	/* the sizes and ids strongSwan's client logged */
	send_batch(&s, MUTUAL "11-pb-cdata-sent-c1.bin", o, 290, 1);
	feed_file(&s, MUTUAL "12-pt-pb-tnc-batch-id2.bin", o, TR_PT_EV_BATCH,
		  &e);
	assert_int_equal(e.batch.len, 104);
	send_batch(&s, MUTUAL "16-pb-sdata-sent-c2.bin", o, 24, 2);
	feed_file(&s, MUTUAL "17-pt-pb-tnc-batch-id3.bin", o, TR_PT_EV_BATCH,
		  &e);
	send_batch(&s, MUTUAL "29-pb-result-sent-c2.bin", o, 104, 3);
	feed_file(&s, MUTUAL "30-pt-pb-tnc-batch-id4.bin", o, TR_PT_EV_BATCH,
		  &e);
	send_batch(&s, MUTUAL "32-pb-close-sent-c1.bin", o, 24, 4);
	free(o);
}

/* Feed @b; the session fails naming @why; @code (or none) goes out. */
static void feed_refused(struct tr_pt_session *s, const uint8_t *b, size_t len,
			 uint32_t code, const char *why)
{
	struct tr_pt_msg m;
	struct tr_pt_event e;
	struct io o;
	char err[256] = "";

	frame(b, len, &m);
	io_reset(&o);
	if (tr_pt_recv(s, &m, &o.w, &e, err, sizeof(err)) != -1 ||
	    !strstr(err, why))
		fail_msg("wanted \"%s\", got \"%s\"", why, err);
	assert_int_equal(s->phase, TR_PT_PH_FAILED);
	if (!code) {
		assert_int_equal(o.w.len, 0);
		return;
	}
	/* a PT-TLS Error with the code and a copy of what it refuses */
	assert_int_equal(o.w.len, 16 + 8 + (len < 1024 ? len : 1024));
	assert_int_equal(o.buf[7], TR_PT_ERROR);
	assert_int_equal(o.buf[23], code);
	assert_memory_equal(o.buf + 24, b, len < 1024 ? len : 1024);
}

/* A session of @role in its phase @ph, ready for the next message. */
static void session_at(struct tr_pt_session *s, enum tr_pt_role role,
		       enum tr_pt_phase ph, bool sasl)
{
	struct tr_pt_config cfg = client_cfg;
	struct io o;
	char err[256] = "";

	cfg.role = role;
	cfg.sasl_required = sasl;
	io_reset(&o);
	tr_pt_start(s, &cfg, &o.w, err, sizeof(err));
	if (role == TR_PT_SERVER) {
		if (ph != TR_PT_PH_VERSION)
			feed(s, version_request, 20, &o,
			     sasl ? TR_PT_EV_NONE : TR_PT_EV_DATA, NULL);
		return;
	}
	if (ph == TR_PT_PH_VERSION)
		return;
	feed_file(s, SASL "01-pt-version-response-id0.bin", &o, TR_PT_EV_NONE,
		  NULL);
	if (ph == TR_PT_PH_DATA)
		feed_file(s, MUTUAL "02-pt-sasl-mechanisms-id1.bin", &o,
			  TR_PT_EV_DATA, NULL);
}

/* A message of @type with @v, id 9. */
static size_t msg(uint8_t *out, uint32_t vendor, uint32_t type, const void *v,
		  size_t len)
{
	struct tr_wbuf w;

	tr_wbuf_init(&w, out, 2048);
	tr_pt_add_raw(&w, vendor, type, 9, v, len);
	return w.len;
}

static void test_session_refusals(void **state)
{
	struct tr_pt_config cfg = { .role = TR_PT_CLIENT };
	struct tr_pt_session s;
	struct tr_pt_event e;
	struct tr_pt_msg m;
	uint8_t b[2048], big[1500];
	struct io o;
	size_t n;
	char err[256] = "";

	(void)state;
	/* server: versions we do not have */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_VERSION, true);
	n = msg(b, 0, TR_PT_VERSION_REQUEST, "\0\2\3\2", 4);
	feed_refused(&s, b, n, TR_PT_ERR_VERSION_NOT_SUPPORTED,
		     "the client wants versions 2 to 3, we have 1");
	/* after a failure, nothing more */
	frame(b, n, &m);
	io_reset(&o);
	assert_int_equal(tr_pt_recv(&s, &m, &o.w, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the session failed before"));
	/* client: a version we did not offer */
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_VERSION, false);
	n = msg(b, 0, TR_PT_VERSION_RESPONSE, "\0\0\0\2", 4);
	feed_refused(&s, b, n, TR_PT_ERR_VERSION_NOT_SUPPORTED,
		     "the server chose version 2, we offered 1");
	/* client: a batch before the version */
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_VERSION, false);
	n = msg(b, 0, TR_PT_PB_TNC_BATCH, "\2\0\0\6\0\0\0\x08", 8);
	feed_refused(&s, b, n, TR_PT_ERR_INVALID_MESSAGE,
		     "PB-TNC Batch (message #9) not expected now");
	/* client: mechanisms we do not have, or no credentials */
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_SASL, false);
	n = msg(b, 0, TR_PT_SASL_MECHS, "\x0bSCRAM-SHA-1", 12);
	feed_refused(&s, b, n, TR_PT_ERR_SASL_MECHANISM,
		     "offers no SASL mechanism we have (PLAIN)");
	tr_pt_start(&s, &cfg, &o.w, err, sizeof(err));
	feed_file(&s, SASL "01-pt-version-response-id0.bin", &o, TR_PT_EV_NONE,
		  NULL);
	n = msg(b, 0, TR_PT_SASL_MECHS, "\5PLAIN", 6);
	feed_refused(&s, b, n, TR_PT_ERR_SASL_MECHANISM,
		     "asks for SASL PLAIN, we have no credentials");
	/* client: the server refuses us; a challenge PLAIN never has */
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_SASL, false);
	feed_file(&s, SASL "02-pt-sasl-mechanisms-id1.bin", &o, TR_PT_EV_NONE,
		  NULL);
	n = msg(b, 0, TR_PT_SASL_RESULT, "\2", 1);
	feed_refused(&s, b, n, 0, "refused our SASL PLAIN credentials (Abort)");
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_SASL, false);
	feed_file(&s, SASL "02-pt-sasl-mechanisms-id1.bin", &o, TR_PT_EV_NONE,
		  NULL);
	n = msg(b, 0, TR_PT_SASL_AUTH_DATA, "", 0);
	feed_refused(&s, b, n, TR_PT_ERR_INVALID_MESSAGE,
		     "SASL Authentication Data (message #9) not expected");

	/* server: a mechanism it did not offer */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_SASL, true);
	n = msg(b, 0, TR_PT_SASL_MECH_SELECTION, "\6GSSAPI", 7);
	feed_refused(&s, b, n, TR_PT_ERR_SASL_MECHANISM,
		     "the client selected GSSAPI, we offered PLAIN");
	/* server: a batch before authentication */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_SASL, true);
	n = msg(b, 0, TR_PT_PB_TNC_BATCH, "\2\0\0\1\0\0\0\x08", 8);
	feed_refused(&s, b, n, TR_PT_ERR_INVALID_MESSAGE, "not expected now");
	/* data transport: types out of place, unknown, experimental */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_DATA, false);
	feed_refused(&s, version_request, 20, TR_PT_ERR_INVALID_MESSAGE,
		     "Version Request (message #0) not expected now");
	session_at(&s, TR_PT_SERVER, TR_PT_PH_DATA, false);
	n = msg(b, 0, 9, "", 0);
	feed_refused(&s, b, n, TR_PT_ERR_TYPE_NOT_SUPPORTED,
		     "message type 0x000000/9");
	session_at(&s, TR_PT_SERVER, TR_PT_PH_DATA, false);
	n = msg(b, 0, TR_PT_EXPERIMENTAL, "x", 1);
	feed_refused(&s, b, n, TR_PT_ERR_TYPE_NOT_SUPPORTED,
		     "message type Experimental");
	/* a malformed value: the error copies the message, up to 1024 */
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_SASL, false);
	memset(big, 'A', sizeof(big));
	n = msg(b, 0, TR_PT_SASL_MECHS, big, sizeof(big));
	feed_refused(&s, b, n, TR_PT_ERR_MALFORMED,
		     "message #9: SASL Mechanisms: reserved bits set");
	/* the peer's PT-TLS Error ends the session, nothing to answer */
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_DATA, false);
	n = msg(b, 0, TR_PT_ERROR, "\0\0\0\0\0\0\0\4", 8);
	feed_refused(&s, b, n, 0, "the peer sent error 4 (vendor 0x000000)");

	/* other vendors' messages are passed over, in any phase */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_VERSION, true);
	n = msg(b, 0x902a, 1, "hi", 2);
	feed(&s, b, n, &o, TR_PT_EV_IGNORED, NULL);
	assert_int_equal(o.w.len, 0);
	assert_int_equal(s.phase, TR_PT_PH_VERSION);

	/* no batch before data transport; the limit of a session */
	session_at(&s, TR_PT_CLIENT, TR_PT_PH_SASL, false);
	io_reset(&o);
	assert_int_equal(tr_pt_send_batch(&s, b, 8, &o.w, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "before data transport"));
	assert_int_equal(tr_pt_max_msg(&s), TR_PT_MSG_MAX_DEFAULT);
	cfg.max_msg = TR_PT_MSG_MAX_LIMIT + 1;
	assert_int_equal(tr_pt_start(&s, &cfg, &o.w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "message limit 16777217 above"));
}

static void test_server_plain_paths(void **state)
{
	struct tr_pt_session s;
	struct tr_pt_event e;
	uint8_t b[256];
	struct io o;
	size_t n;
	char err[256] = "";

	(void)state;
	/* no initial response: an empty challenge asks for it */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_SASL, true);
	n = msg(b, 0, TR_PT_SASL_MECH_SELECTION, "\5PLAIN", 6);
	feed(&s, b, n, &o, TR_PT_EV_NONE, NULL);
	assert_int_equal(o.w.len, 16);
	assert_int_equal(o.buf[7], TR_PT_SASL_AUTH_DATA);
	assert_int_equal(o.buf[15], 2); /* after Version Response, Mechs */
	n = msg(b, 0, TR_PT_SASL_AUTH_DATA, "\0dave\0pw", 8);
	feed(&s, b, n, &o, TR_PT_EV_SASL_PLAIN, &e);
	assert_int_equal(e.plain.authcid.len, 4);
	/* anything before the verdict is out of place */
	feed_refused(&s, b, n, TR_PT_ERR_INVALID_MESSAGE, "not expected now");

	/* refused credentials: Abort, then close */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_SASL, true);
	n = msg(b, 0, TR_PT_SASL_MECH_SELECTION, "\5PLAIN\0dave\0pw", 14);
	feed(&s, b, n, &o, TR_PT_EV_SASL_PLAIN, NULL);
	io_reset(&o);
	assert_int_equal(tr_pt_sasl_verdict(&s, false, &o.w, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "SASL PLAIN credentials refused"));
	assert_int_equal(o.w.len, 17);
	assert_int_equal(o.buf[16], TR_SASL_ABORT);
	assert_int_equal(s.phase, TR_PT_PH_FAILED);
	/* a verdict nobody asked for */
	io_reset(&o);
	assert_int_equal(tr_pt_sasl_verdict(&s, true, &o.w, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no SASL credentials wait for a verdict"));

	/* malformed PLAIN: Abort and the reason */
	session_at(&s, TR_PT_SERVER, TR_PT_PH_SASL, true);
	n = msg(b, 0, TR_PT_SASL_MECH_SELECTION, "\5PLAIN\0dave", 11);
	{
		struct tr_pt_msg m;

		frame(b, n, &m);
		io_reset(&o);
		assert_int_equal(tr_pt_recv(&s, &m, &o.w, &e, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "no NUL after the authcid"));
		assert_int_equal(o.w.len, 17);
		assert_int_equal(o.buf[16], TR_SASL_ABORT);
	}

	/* the RFC's two-byte result, when configured */
	{
		struct tr_pt_config cfg = { .role = TR_PT_SERVER,
					    .sasl_required = true,
					    .sasl_result_wide = true };

		io_reset(&o);
		tr_pt_start(&s, &cfg, &o.w, err, sizeof(err));
		feed(&s, version_request, 20, &o, TR_PT_EV_NONE, NULL);
		n = msg(b, 0, TR_PT_SASL_MECH_SELECTION, "\5PLAIN\0dave\0pw",
			14);
		feed(&s, b, n, &o, TR_PT_EV_SASL_PLAIN, NULL);
		io_reset(&o);
		assert_int_equal(tr_pt_sasl_verdict(&s, true, &o.w, err,
						    sizeof(err)),
				 0);
		assert_int_equal(o.w.len, 18 + 16);
		assert_memory_equal(o.buf + 16, "\0\0", 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_capture_fields),
		cmocka_unit_test(test_frame_stream),
		cmocka_unit_test(test_frame_errors),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_sasl_result_forms),
		cmocka_unit_test(test_sasl_plain),
		cmocka_unit_test(test_client_sasl),
		cmocka_unit_test(test_server_sasl),
		cmocka_unit_test(test_server_cert),
		cmocka_unit_test(test_client_cert),
		cmocka_unit_test(test_session_refusals),
		cmocka_unit_test(test_server_plain_paths),
	};

	return TR_RUN(tests, NULL, NULL);
}
