// SPDX-License-Identifier: GPL-2.0-only
/*
 * PB-TNC (RFC 5793): every batch of the strongSwan 6.0.6 captures parses
 * with the fields strongSwan logged and encodes again to the same bytes;
 * our builders make the same batches from the same content; malformed
 * batches are refused with the PB-Error RFC 5793 asks for; the state
 * machine allows exactly the batches of RFC 5793 3.2; and the stream of
 * one or two connections goes through the captured sessions, plain and
 * mutual, in both roles, as strongSwan did.
 */
#include "tnc/pa_attr.h"
#include "tnc/pb_stream.h"
#include "test_dir.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>

#define SS TR_DATA_DIR "/strongswan/"
#define SASL SS "pt-tls-client_sasl_debug3/"
#define MUTUAL SS "pt-tls-client_mutual_debug3/"
#define SERVER SS "charon_tnc-pdp_server/"
#define MSERVER SS "charon_tnc-pdp_mutual_server/"

#define BYTES(s) ((struct tr_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

static uint8_t *vec(const char *path, size_t *len)
{
	return test_read_buf(path, 1 << 20, len);
}

/* Parse the batch in file @path into @b (which keeps pointing into *buf). */
static void load(const char *path, struct tr_pb_batch *b, uint8_t **buf,
		 size_t *len)
{
	char err[256] = "";

	*buf = vec(path, len);
	if (tr_pb_batch_parse(*buf, *len, b, NULL, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
}

static void round_trip(const uint8_t *buf, size_t len,
		       const struct tr_pb_batch *b)
{
	uint8_t out[4096];
	struct tr_wbuf w;
	size_t mark;
	char err[256] = "";

	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, b->type, b->from_server);
	for (size_t i = 0; i < b->n; i++)
		tr_tlv_put(&w, &b->msgs[i]);
	tr_pb_batch_end(&w, mark);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, buf, len);
	/* and each message through its typed form */
	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, b->type, b->from_server);
	for (size_t i = 0; i < b->n; i++) {
		struct tr_pb_value v;

		if (tr_pb_value_parse(&b->msgs[i], &v, NULL, err,
				      sizeof(err)) ||
		    tr_pb_add(&w, &v, err, sizeof(err)))
			fail_msg("%s", err);
	}
	tr_pb_batch_end(&w, mark);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, buf, len);
}

static int check_capture(const char *capture)
{
	char path[512], line[512], file[128], kind[32];
	struct tr_pb_batch b;
	FILE *f;
	int seen = 0;

	snprintf(path, sizeof(path), SS "%s/INDEX", capture);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		uint8_t *buf;
		size_t len;

		assert_int_equal(sscanf(line, "%127s", file), 1);
		if (strncmp(file + 2, "-pb-", 4))
			continue;
		snprintf(path, sizeof(path), SS "%s/%s", capture, file);
		load(path, &b, &buf, &len);
		/* the file name says the batch type, as strongSwan logged it */
		snprintf(kind, sizeof(kind), "-pb-%s-",
			 tr_pb_batch_name(b.type));
		for (char *c = kind; *c; c++)
			*c = (char)(*c | 0x20);
		assert_non_null(strstr(file, kind));
		round_trip(buf, len, &b);
		free(buf);
		seen++;
	}
	fclose(f);
	return seen;
}

static void test_captures(void **state)
{
	(void)state;
	assert_int_equal(check_capture("pt-tls-client_sasl_debug3"), 3);
	assert_int_equal(check_capture("pt-tls-client_mutual_debug3"), 7);
	assert_int_equal(check_capture("charon_tnc-pdp_server"), 6);
	assert_int_equal(check_capture("charon_tnc-pdp_mutual_server"), 7);
}

static void expect_msg(const struct tr_tlv *m, uint8_t flags, uint32_t vendor,
		       uint32_t type, size_t len)
{
	assert_int_equal(m->flags, flags);
	assert_int_equal(m->vendor, vendor);
	assert_int_equal(m->type, type);
	assert_int_equal(m->value.len, len);
}

static void value_of(const struct tr_tlv *m, struct tr_pb_value *v)
{
	char err[256] = "";

	if (tr_pb_value_parse(m, v, NULL, err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_fields(void **state)
{
	struct tr_pb_batch b;
	struct tr_pb_value v;
	uint8_t *buf, *pa;
	size_t len, palen;

	(void)state;
	/* the client's CDATA: language preference and the OS attributes */
	load(SASL "13-pb-cdata-sent-c1.bin", &b, &buf, &len);
	assert_int_equal(b.type, TR_PB_CDATA);
	assert_false(b.from_server);
	assert_int_equal(b.n, 2);
	expect_msg(&b.msgs[0], 0, 0, TR_PB_LANGUAGE_PREFERENCE, 19);
	value_of(&b.msgs[0], &v);
	assert_int_equal(v.u.language.len, 2);
	assert_memory_equal(v.u.language.p, "en", 2);
	expect_msg(&b.msgs[1], TR_NOSKIP, 0, TR_PB_PA, 207);
	assert_int_equal(b.msgs[1].offset, 39);
	value_of(&b.msgs[1], &v);
	assert_false(v.u.pa.exclusive);
	assert_int_equal(v.u.pa.vendor, 0);
	assert_int_equal(v.u.pa.subtype, TR_PA_SUBTYPE_OS);
	assert_int_equal(v.u.pa.collector, 1);
	assert_int_equal(v.u.pa.validator, TR_PB_PA_ANY_ID);
	pa = vec(SASL "12-pa-msg-sent.bin", &palen);
	assert_int_equal(v.u.pa.body.len, palen);
	assert_memory_equal(v.u.pa.body.p, pa, palen);
	free(pa);
	free(buf);

	/* the server's RESULT: its IMV's message, the result, the access */
	load(SASL "15-pb-result-recv-c1.bin", &b, &buf, &len);
	assert_int_equal(b.type, TR_PB_RESULT);
	assert_true(b.from_server);
	assert_int_equal(b.n, 3);
	expect_msg(&b.msgs[0], TR_NOSKIP, 0, TR_PB_PA, 36);
	value_of(&b.msgs[0], &v);
	assert_int_equal(v.u.pa.collector, TR_PB_PA_ANY_ID);
	assert_int_equal(v.u.pa.validator, 1);
	expect_msg(&b.msgs[1], TR_NOSKIP, 0, TR_PB_ASSESSMENT_RESULT, 4);
	value_of(&b.msgs[1], &v);
	assert_int_equal(v.u.assessment, TR_PA_DONT_KNOW);
	/* strongSwan sends the recommendation without NOSKIP, and wants it so */
	expect_msg(&b.msgs[2], 0, 0, TR_PB_ACCESS_RECOMMENDATION, 4);
	value_of(&b.msgs[2], &v);
	assert_int_equal(v.u.access, TR_PB_ACCESS_ALLOWED);
	free(buf);

	/* mutual: the capability first in the first batch of each side */
	load(MUTUAL "11-pb-cdata-sent-c1.bin", &b, &buf, &len);
	assert_int_equal(b.n, 3);
	expect_msg(&b.msgs[0], 0, TR_PEN_ITA, TR_PB_ITA_MUTUAL_CAPABILITY, 4);
	value_of(&b.msgs[0], &v);
	assert_int_equal(v.u.mutual, TR_PB_MUTUAL_HALF_DUPLEX);
	free(buf);
	load(MUTUAL "13-pb-result-recv-c1.bin", &b, &buf, &len);
	assert_int_equal(b.n, 4);
	expect_msg(&b.msgs[0], 0, TR_PEN_ITA, TR_PB_ITA_MUTUAL_CAPABILITY, 4);
	free(buf);
	/* the reverse connection opens with an empty SDATA from the client */
	load(MUTUAL "16-pb-sdata-sent-c2.bin", &b, &buf, &len);
	assert_int_equal(b.type, TR_PB_SDATA);
	assert_true(b.from_server);
	assert_int_equal(b.n, 0);
	free(buf);
	load(MUTUAL "31-pb-close-recv-c2.bin", &b, &buf, &len);
	assert_int_equal(b.type, TR_PB_CLOSE);
	assert_false(b.from_server);
	free(buf);
}

/* @path's batch equals what @w holds. */
static void same_as(const struct tr_wbuf *w, const char *path)
{
	size_t len;
	uint8_t *buf = vec(path, &len);

	assert_int_equal(w->len, len);
	assert_memory_equal(w->p, buf, len);
	free(buf);
}

static void add(struct tr_wbuf *w, const struct tr_pb_value *v)
{
	char err[256] = "";

	if (tr_pb_add(w, v, err, sizeof(err)))
		fail_msg("%s", err);
}

static void add_pa(struct tr_wbuf *w, uint16_t collector, uint16_t validator,
		   const char *body_path, uint8_t **body)
{
	struct tr_pb_value v = { .vendor = 0, .type = TR_PB_PA };
	size_t len;

	*body = vec(body_path, &len);
	v.u.pa.subtype = TR_PA_SUBTYPE_OS;
	v.u.pa.collector = collector;
	v.u.pa.validator = validator;
	v.u.pa.body.p = *body;
	v.u.pa.body.len = len;
	add(w, &v);
}

static void add_result(struct tr_wbuf *w)
{
	struct tr_pb_value v = { .vendor = 0, .type = TR_PB_ASSESSMENT_RESULT };

	v.u.assessment = TR_PA_DONT_KNOW;
	add(w, &v);
	v.type = TR_PB_ACCESS_RECOMMENDATION;
	v.u.access = TR_PB_ACCESS_ALLOWED;
	add(w, &v);
}

/* Our builders make strongSwan's batches, to the byte. */
static void test_build_identical(void **state)
{
	struct tr_pb_value lang = { .vendor = 0,
				    .type = TR_PB_LANGUAGE_PREFERENCE };
	struct tr_pb_value cap = { .vendor = TR_PEN_ITA,
				   .type = TR_PB_ITA_MUTUAL_CAPABILITY };
	uint8_t out[1024], *body;
	struct tr_wbuf w;
	size_t mark;

	(void)state;
	lang.u.language = BYTES("en");
	cap.u.mutual = TR_PB_MUTUAL_HALF_DUPLEX;

	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, TR_PB_CDATA, false);
	add(&w, &lang);
	add_pa(&w, 1, TR_PB_PA_ANY_ID, SASL "12-pa-msg-sent.bin", &body);
	tr_pb_batch_end(&w, mark);
	same_as(&w, SASL "13-pb-cdata-sent-c1.bin");
	free(body);

	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, TR_PB_RESULT, true);
	add_pa(&w, TR_PB_PA_ANY_ID, 1, SERVER "11-pa-msg-sent.bin", &body);
	add_result(&w);
	tr_pb_batch_end(&w, mark);
	same_as(&w, SERVER "12-pb-result-sent-c1.bin");
	free(body);

	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, TR_PB_CDATA, false);
	add(&w, &cap);
	add(&w, &lang);
	add_pa(&w, 1, TR_PB_PA_ANY_ID, MUTUAL "10-pa-msg-sent.bin", &body);
	tr_pb_batch_end(&w, mark);
	same_as(&w, MUTUAL "11-pb-cdata-sent-c1.bin");
	free(body);

	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, TR_PB_RESULT, true);
	add(&w, &cap);
	add_pa(&w, TR_PB_PA_ANY_ID, 1, MSERVER "11-pa-msg-sent.bin", &body);
	add_result(&w);
	tr_pb_batch_end(&w, mark);
	same_as(&w, MSERVER "12-pb-result-sent-c1.bin");
	free(body);

	tr_wbuf_init(&w, out, sizeof(out));
	tr_pb_batch_end(&w, tr_pb_batch_begin(&w, TR_PB_SDATA, true));
	same_as(&w, MUTUAL "16-pb-sdata-sent-c2.bin");
	tr_wbuf_init(&w, out, sizeof(out));
	tr_pb_batch_end(&w, tr_pb_batch_begin(&w, TR_PB_CLOSE, false));
	same_as(&w, SASL "18-pb-close-sent-c1.bin");
}

/* @b refused with @code at @offset, the error naming @why. */
static void refused(const uint8_t *b, size_t len, uint16_t code,
		    uint32_t offset, const char *why)
{
	struct tr_pb_batch pb;
	struct tr_pb_error e;
	char err[256] = "";

	if (tr_pb_batch_parse(b, len, &pb, &e, err, sizeof(err)) != -1 ||
	    !strstr(err, why))
		fail_msg("wanted \"%s\", got \"%s\"", why, err);
	assert_true(e.fatal);
	assert_int_equal(e.vendor, TR_PEN_IETF);
	assert_int_equal(e.code, code);
	if (e.offset != offset)
		fail_msg("%s: offset %u, wanted %u", err, e.offset, offset);
}

/* A batch of @type with one message. */
static size_t one_msg(uint8_t *out, uint8_t type, uint8_t flags,
		      uint32_t vendor, uint32_t msg_type, const void *v,
		      size_t len)
{
	struct tr_tlv m = { flags, vendor, msg_type, { v, len }, 0 };
	struct tr_wbuf w;
	size_t mark;

	tr_wbuf_init(&w, out, 1024);
	mark = tr_pb_batch_begin(&w, type, type == TR_PB_RESULT);
	tr_tlv_put(&w, &m);
	tr_pb_batch_end(&w, mark);
	return w.len;
}

static void test_malformed_batches(void **state)
{
	static const uint8_t close_b[] = { 2, 0, 0, 6, 0, 0, 0, 8 };
	uint8_t b[1024];
	uint8_t many[8 + (TR_PB_MAX_MSGS + 1) * 12];
	struct tr_pb_batch pb;
	struct tr_pb_error e;
	struct tr_wbuf w;
	size_t n, mark;
	char err[256];

	(void)state;
	refused(close_b, 7, TR_PB_ERR_INVALID_PARAMETER, 0,
		"7 bytes, shorter than its 8-byte header");
	memcpy(b, close_b, 8);
	b[0] = 1;
	refused(b, 8, TR_PB_ERR_VERSION_NOT_SUPPORTED, 0, "version 1, not 2");
	tr_pb_batch_parse(b, 8, &pb, &e, err, sizeof(err));
	assert_int_equal(e.bad_version, 1);
	assert_int_equal(e.max_version, 2);
	assert_int_equal(e.min_version, 2);
	b[0] = 2;
	b[1] = 0x40;
	refused(b, 8, TR_PB_ERR_INVALID_PARAMETER, 1, "reserved header bits");
	b[1] = 0;
	b[2] = 1;
	refused(b, 8, TR_PB_ERR_INVALID_PARAMETER, 2, "reserved header bits");
	b[2] = 0;
	b[3] = 0x16;
	refused(b, 8, TR_PB_ERR_INVALID_PARAMETER, 3, "reserved header bits");
	b[3] = 0;
	refused(b, 8, TR_PB_ERR_INVALID_PARAMETER, 3,
		"batch type 0, not 1 to 6");
	b[3] = 7;
	refused(b, 8, TR_PB_ERR_INVALID_PARAMETER, 3, "batch type 7");
	b[3] = 6;
	b[7] = 9;
	refused(b, 8, TR_PB_ERR_INVALID_PARAMETER, 4,
		"batch length 9, but 8 bytes came");
	b[7] = 8;
	assert_int_equal(tr_pb_batch_parse(b, 8, &pb, &e, err, sizeof(err)), 0);

	n = one_msg(b, TR_PB_RESULT, TR_NOSKIP, 0, TR_PB_ASSESSMENT_RESULT,
		    "\0\0\0\1", 4);
	assert_int_equal(tr_pb_batch_parse(b, n, &pb, &e, err, sizeof(err)), 0);
	b[7] = 19;
	refused(b, 19, TR_PB_ERR_INVALID_PARAMETER, 8,
		"11 bytes left, shorter than a 12-byte header");
	b[7] = 23;
	refused(b, 23, TR_PB_ERR_INVALID_PARAMETER, 16,
		"length 16, not 12 to the 15 bytes left");
	b[7] = 24;
	b[19] = 11;
	refused(b, 24, TR_PB_ERR_INVALID_PARAMETER, 16, "length 11");
	b[19] = 16;
	b[8] = 0x81;
	refused(b, 24, TR_PB_ERR_INVALID_PARAMETER, 8, "reserved flags 0x81");

	/* unknown messages: skipped, or with NOSKIP the batch is refused */
	n = one_msg(b, TR_PB_CDATA, 0, 0x1234, 5, "abc", 3);
	assert_int_equal(tr_pb_batch_parse(b, n, &pb, &e, err, sizeof(err)), 0);
	assert_int_equal(pb.n, 1);
	assert_false(tr_pb_known(pb.msgs[0].vendor, pb.msgs[0].type));
	n = one_msg(b, TR_PB_CDATA, TR_NOSKIP, 0x1234, 5, "abc", 3);
	refused(b, n, TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG, 8,
		"type 0x001234/5 unknown, with NOSKIP");
	n = one_msg(b, TR_PB_CDATA, 0, 0, 99, "", 0);
	assert_int_equal(tr_pb_batch_parse(b, n, &pb, &e, err, sizeof(err)), 0);
	n = one_msg(b, TR_PB_CDATA, TR_NOSKIP, 0, TR_PB_EXPERIMENTAL, "x", 1);
	refused(b, n, TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG, 8,
		"IETF/PB-Experimental with NOSKIP");
	n = one_msg(b, TR_PB_CDATA, 0, 0, TR_PB_EXPERIMENTAL, "x", 1);
	assert_int_equal(tr_pb_batch_parse(b, n, &pb, &e, err, sizeof(err)), 0);
	n = one_msg(b, TR_PB_CDATA, 0, TR_PEN_RESERVED, 1, "", 0);
	refused(b, n, TR_PB_ERR_INVALID_PARAMETER, 9, "reserved vendor id");
	n = one_msg(b, TR_PB_CDATA, 0, 0, TR_TYPE_RESERVED, "", 0);
	refused(b, n, TR_PB_ERR_INVALID_PARAMETER, 12, "reserved type");

	/* NOSKIP as strongSwan wants it, and result-only messages */
	n = one_msg(b, TR_PB_CDATA, 0, 0, TR_PB_PA, "\0\0\0\0\0\0\0\1\0\1\0\1",
		    12);
	refused(b, n, TR_PB_ERR_INVALID_PARAMETER, 8,
		"IETF/PB-PA must have NOSKIP set");
	n = one_msg(b, TR_PB_RESULT, TR_NOSKIP, 0, TR_PB_ACCESS_RECOMMENDATION,
		    "\0\0\0\1", 4);
	refused(b, n, TR_PB_ERR_INVALID_PARAMETER, 8,
		"IETF/PB-Access-Recommendation must not have NOSKIP set");
	n = one_msg(b, TR_PB_SDATA, TR_NOSKIP, 0, TR_PB_ASSESSMENT_RESULT,
		    "\0\0\0\1", 4);
	refused(b, n, TR_PB_ERR_INVALID_PARAMETER, 8,
		"IETF/PB-Assessment-Result outside a RESULT batch");
	/* a bad value: the offset of the field in the batch */
	n = one_msg(b, TR_PB_RESULT, 0, 0, TR_PB_ACCESS_RECOMMENDATION,
		    "\0\0\0\4", 4);
	refused(b, n, TR_PB_ERR_INVALID_PARAMETER, 22,
		"recommendation 4, not 1 to 3");

	/* one message more than we keep track of */
	tr_wbuf_init(&w, many, sizeof(many));
	mark = tr_pb_batch_begin(&w, TR_PB_CDATA, false);
	for (int i = 0; i <= TR_PB_MAX_MSGS; i++) {
		struct tr_tlv m = { 0, 0x999, 1, { NULL, 0 }, 0 };

		tr_tlv_put(&w, &m);
	}
	tr_pb_batch_end(&w, mark);
	assert_int_equal(w.len, sizeof(many));
	refused(many, sizeof(many), TR_PB_ERR_INVALID_PARAMETER,
		sizeof(many) - 12, "more than 64 messages");
}

static void bad_value(uint32_t vendor, uint32_t type, const void *v, size_t len,
		      size_t bad, const char *why)
{
	struct tr_tlv m = { 0, vendor, type, { v, len }, 0 };
	struct tr_pb_value pv;
	size_t at = 999;
	char err[256] = "";

	if (tr_pb_value_parse(&m, &pv, &at, err, sizeof(err)) != -1 ||
	    !strstr(err, why))
		fail_msg("type %u: wanted \"%s\", got \"%s\"", type, why, err);
	if (at != bad)
		fail_msg("%s: at %zu, wanted %zu", err, at, bad);
}

#define V(s) s, sizeof(s) - 1

static void test_malformed_values(void **state)
{
	static const struct {
		uint32_t vendor, type;
		const char *v;
		size_t len, bad;
		const char *why;
	} cases[] = {
		{ 0, TR_PB_PA, V("\0\0\0\0\0\0\0\1\0\1\0"), 0,
		  "11 bytes, shorter than 12" },
		{ 0, TR_PB_PA, V("\1\0\0\0\0\0\0\1\0\1\0\1"), 0,
		  "reserved flags 0x01" },
		{ 0, TR_PB_PA, V("\0\xff\xff\xff\0\0\0\1\0\1\0\1"), 1,
		  "reserved vendor id" },
		{ 0, TR_PB_PA, V("\0\0\0\0\xff\xff\xff\xff\0\1\0\1"), 4,
		  "reserved subtype" },
		{ 0, TR_PB_ASSESSMENT_RESULT, V("\0\0\0\5"), 0,
		  "result 5, more than 4" },
		{ 0, TR_PB_ASSESSMENT_RESULT, V("\0\0\0\0\0"), 0,
		  "5 bytes, not 4" },
		{ 0, TR_PB_ACCESS_RECOMMENDATION, V("\0\0\0\0"), 2,
		  "recommendation 0, not 1 to 3" },
		{ 0, TR_PB_ACCESS_RECOMMENDATION, V("\0\1\0\1"), 0,
		  "reserved bytes set" },
		{ 0, TR_PB_ERROR, V("\x80\0\0\0\0\1\0\0"), 8,
		  "error parameters of 0 bytes, not 4" },
		{ 0, TR_PB_ERROR, V("\x81\0\0\0\0\1\0\0\0\0\0\0"), 0,
		  "reserved flags 0x81" },
		{ 0, TR_PB_ERROR, V("\x80\0\0\0\0\1\0\1\0\0\0\0"), 6,
		  "reserved bytes set" },
		{ 0, TR_PB_ERROR, V("\x80\0\0\0\0\4\0\0\1\2\2\1"), 11,
		  "reserved byte set" },
		{ 0, TR_PB_ERROR, V("\x80\0\0"), 0, "3 bytes, shorter than 8" },
		{ 0, TR_PB_LANGUAGE_PREFERENCE, V("Accept-Language:en"), 0,
		  "not \"Accept-Language: \" and ranges" },
		{ 0, TR_PB_LANGUAGE_PREFERENCE, V("Accept-Language: e\tn"), 18,
		  "byte 1 is not printable ASCII" },
		{ 0, TR_PB_REASON_STRING, V("\0\0\0\3ab"), 0,
		  "reason string longer than the value" },
		{ 0, TR_PB_REASON_STRING, V("\0\0\0\2ab\3en"), 6,
		  "language tag longer than the value" },
		{ 0, TR_PB_REASON_STRING, V("\0\0\0\2ab\2en!"), 9,
		  "1 bytes after the language tag" },
		{ 0, TR_PB_REASON_STRING, V("\0\0\0\2a\xff\2en"), 5,
		  "reason string: byte 1 is not UTF-8" },
		{ 0, TR_PB_REMEDIATION_PARAMETERS, V("\0\0\0\0\0\0\0\1"), 8,
		  "empty URI" },
		{ TR_PEN_ITA, TR_PB_ITA_MUTUAL_CAPABILITY, V("\x80\0\0\1"), 0,
		  "reserved bits set" },
		{ TR_PEN_ITA, TR_PB_ITA_MUTUAL_CAPABILITY, V("\x80\0\0"), 0,
		  "3 bytes, not 4" },
		{ 0, 8, V(""), 0, "0x000000/8: not a type we know" },
	};
	char lang[300] = "Accept-Language: ";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad_value(cases[i].vendor, cases[i].type, cases[i].v,
			  cases[i].len, cases[i].bad, cases[i].why);
	memset(lang + 17, 'a', 256);
	bad_value(0, TR_PB_LANGUAGE_PREFERENCE, lang, 17 + 256, 17,
		  "language ranges of 256 bytes, more than 255");
}

/* The PB-Errors we answer with, to the byte, and they read back. */
static void test_error_message(void **state)
{
	static const uint8_t version[] = {
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* PB-Error */
		0x00, 0x00, 0x00, 0x18, 0x80, 0x00, 0x00, 0x00, /* fatal */
		0x00, 0x04, 0x00, 0x00, /* Version Not Supported */
		0x01, 0x02, 0x02, 0x00, /* bad 1, max 2, min 2 */
	};
	static const uint8_t unsupported[] = {
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x05, 0x00, 0x00, 0x00, 0x18, 0x80, 0x00,
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, /* Unsupported Mandatory Message */
		0x00, 0x00, 0x00, 0x08, /* at the message */
	};
	struct tr_pb_value v = { .vendor = 0, .type = TR_PB_ERROR };
	uint8_t b[64], out[128];
	struct tr_pb_batch pb;
	struct tr_wbuf w;
	size_t n, mark;
	char err[256];

	(void)state;
	n = one_msg(b, TR_PB_CDATA, 0, 0, 0, "", 0);
	b[0] = 1;
	tr_pb_batch_parse(b, n, &pb, &v.u.error, err, sizeof(err));
	tr_wbuf_init(&w, out, sizeof(out));
	add(&w, &v);
	assert_int_equal(w.len, sizeof(version));
	assert_memory_equal(out, version, sizeof(version));

	n = one_msg(b, TR_PB_CDATA, TR_NOSKIP, 0x55, 1, "", 0);
	tr_pb_batch_parse(b, n, &pb, &v.u.error, err, sizeof(err));
	tr_wbuf_init(&w, out, sizeof(out));
	add(&w, &v);
	assert_memory_equal(out, unsupported, sizeof(unsupported));

	/* a CLOSE batch carrying it, as a fatal error ends the session */
	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, TR_PB_CLOSE, true);
	add(&w, &v);
	tr_pb_batch_end(&w, mark);
	assert_int_equal(
		tr_pb_batch_parse(out, w.len, &pb, NULL, err, sizeof(err)), 0);
	assert_int_equal(pb.n, 1);
	round_trip(out, w.len, &pb);

	/* a vendor's error: its parameters as they are */
	v.u.error.vendor = 0x1234;
	v.u.error.code = 77;
	v.u.error.params = BYTES("whatever");
	tr_wbuf_init(&w, out, sizeof(out));
	add(&w, &v);
	assert_int_equal(w.len, 12 + 8 + 8);
}

/* The other messages we build read back the same. */
static void test_values_build(void **state)
{
	struct tr_pb_value v = { .vendor = 0, .type = TR_PB_REASON_STRING };
	uint8_t out[256];
	struct tr_wbuf w;
	struct tr_pb_batch pb;
	size_t mark;
	char err[256] = "";

	(void)state;
	v.u.reason.reason = BYTES("IMA log has an unknown file");
	v.u.reason.lang = BYTES("en");
	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, TR_PB_RESULT, true);
	add(&w, &v);
	v.type = TR_PB_REMEDIATION_PARAMETERS;
	v.u.remediation.vendor = 0;
	v.u.remediation.type = TR_REMEDIATION_URI;
	v.u.remediation.params = BYTES("https://nms.example/r/7");
	add(&w, &v);
	tr_pb_batch_end(&w, mark);
	if (tr_pb_batch_parse(out, w.len, &pb, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(pb.n, 2);
	round_trip(out, w.len, &pb);

	/* builders refuse what they cannot encode or would not parse */
	v.type = TR_PB_ACCESS_RECOMMENDATION;
	v.u.access = 9;
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pb_add(&w, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "recommendation 9, not 1 to 3"));
	assert_int_equal(w.len, 0);
	v.type = 42;
	assert_int_equal(tr_pb_add(&w, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0x000000/42: not a type we know"));
	v.vendor = TR_PEN_ITA;
	v.type = TR_PB_ITA_MUTUAL_CAPABILITY;
	v.u.mutual = 1;
	assert_int_equal(tr_pb_add(&w, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "reserved bits set"));
}

/* RFC 5793 3.2, as a table: after a batch of a type from a sender. */
static void test_state_machine(void **state)
{
	enum {
		I = TR_PB_INIT,
		SW = TR_PB_SERVER_WORKING,
		CW = TR_PB_CLIENT_WORKING,
		D = TR_PB_DECIDED,
		E = TR_PB_END,
		X = -1
	};
	/* [state][sender][type-1]: CDATA SDATA RESULT CRETRY SRETRY CLOSE */
	static const int want[5][2][6] = {
		[TR_PB_INIT] = { { SW, X, X, X, X, E }, { X, CW, X, X, X, E } },
		[TR_PB_SERVER_WORKING] = { { X, X, X, SW, X, E },
					   { X, CW, D, X, CW, E } },
		[TR_PB_CLIENT_WORKING] = { { SW, X, X, SW, X, E },
					   { X, X, X, X, CW, E } },
		[TR_PB_DECIDED] = { { X, X, X, SW, X, E },
				    { X, X, X, X, SW, E } },
		[TR_PB_END] = { { X, X, X, X, X, E }, { X, X, X, X, X, E } },
	};
	char err[256];

	(void)state;
	for (int s = 0; s < 5; s++)
		for (int r = 0; r < 2; r++)
			for (uint8_t t = 1; t <= 6; t++) {
				struct tr_pb_sm snd = { r, s }, rcv = { !r, s };
				struct tr_pb_batch b = { .type = t,
							 .from_server = r };
				struct tr_pb_error e;
				int w = want[s][r][t - 1];

				assert_int_equal(tr_pb_sm_may_send(&snd, t),
						 w != X);
				assert_int_equal(tr_pb_sm_sent(&snd, t, err,
							       sizeof(err)),
						 w == X ? -1 : 0);
				assert_int_equal(tr_pb_sm_received(&rcv, &b, &e,
								   err,
								   sizeof(err)),
						 w == X ? -1 : 0);
				if (w == X) {
					assert_int_equal(
						e.code,
						TR_PB_ERR_UNEXPECTED_BATCH_TYPE);
					assert_non_null(
						strstr(err, "not allowed in"));
					continue;
				}
				assert_int_equal(snd.state, w);
				assert_int_equal(rcv.state, w);
			}
}

static void test_state_machine_refusals(void **state)
{
	struct tr_pb_sm sm;
	struct tr_pb_batch b = { .type = TR_PB_CDATA, .from_server = true };
	struct tr_pb_error e;
	char err[256] = "";

	(void)state;
	tr_pb_sm_init(&sm, TR_PB_SERVER);
	/* a CDATA with the D bit of a server: wrong direction */
	assert_int_equal(tr_pb_sm_received(&sm, &b, &e, err, sizeof(err)), -1);
	assert_int_equal(e.code, TR_PB_ERR_INVALID_PARAMETER);
	assert_int_equal(e.offset, 1);
	assert_true(e.fatal);
	assert_non_null(
		strstr(err, "CDATA from a PB-TNC server, which we are"));
	assert_int_equal(sm.state, TR_PB_INIT);
	b.from_server = false;
	b.type = TR_PB_RESULT;
	assert_int_equal(tr_pb_sm_received(&sm, &b, &e, err, sizeof(err)), -1);
	assert_non_null(
		strstr(err, "RESULT from the client not allowed in Init"));
	assert_int_equal(tr_pb_sm_sent(&sm, TR_PB_RESULT, err, sizeof(err)),
			 -1);
	assert_non_null(
		strstr(err, "PB-TNC server may not send RESULT in Init"));
	assert_false(tr_pb_sm_our_turn(&sm));
	b.type = TR_PB_CDATA;
	assert_int_equal(tr_pb_sm_received(&sm, &b, &e, err, sizeof(err)), 0);
	assert_true(tr_pb_sm_our_turn(&sm));
	assert_true(tr_pb_sm_may_send(&sm, TR_PB_RESULT));
	assert_true(tr_pb_sm_may_send(&sm, TR_PB_SDATA));
	assert_false(tr_pb_sm_may_send(&sm, TR_PB_CDATA));
}

/* The next batch goes in @role's connection (or, -1, none at all). */
static void next_is(const struct tr_pb_stream *s, int want)
{
	enum tr_pb_role r = 99;
	int rc = tr_pb_stream_next(s, &r);

	if (want < 0 || want == 9)
		assert_int_equal(rc, want < 0 ? -1 : 0);
	else if (rc != 1 || (int)r != want)
		fail_msg("next: %d in %d, wanted 1 in %d", rc, r, want);
}

/* Receive the captured batch @path; it lands in @role's connection. */
static void recv_file(struct tr_pb_stream *s, const char *path, int role)
{
	struct tr_pb_batch b;
	struct tr_pb_error e;
	enum tr_pb_role r;
	uint8_t *buf;
	size_t len;
	char err[256] = "";

	load(path, &b, &buf, &len);
	if (tr_pb_stream_received(s, &b, &r, &e, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	assert_int_equal(r, role);
	free(buf);
}

/* Send the captured batch @path in @role's connection. */
static void send_file(struct tr_pb_stream *s, const char *path, int role)
{
	struct tr_pb_batch b;
	uint8_t *buf;
	size_t len;
	char err[256] = "";

	load(path, &b, &buf, &len);
	/* the D bit is that of our role in that connection */
	assert_int_equal(b.from_server, role == TR_PB_SERVER);
	if (tr_pb_stream_sent(s, role, b.type, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	free(buf);
}

#define C TR_PB_CLIENT
#define S TR_PB_SERVER
#define PEER 9 /* the peer's turn */
#define DONE -1

static void test_stream_plain(void **state)
{
	struct tr_pb_stream s;

	(void)state;
	/* the router, as strongSwan's pt-tls-client did */
	tr_pb_stream_init(&s, C, false);
	next_is(&s, C);
	assert_false(tr_pb_stream_capability_due(&s, C));
	send_file(&s, SASL "13-pb-cdata-sent-c1.bin", C);
	next_is(&s, PEER);
	recv_file(&s, SASL "15-pb-result-recv-c1.bin", C);
	assert_int_equal(s.conn[C].state, TR_PB_DECIDED);
	next_is(&s, C);
	send_file(&s, SASL "18-pb-close-sent-c1.bin", C);
	next_is(&s, DONE);

	/* the NMS, as charon did (both of its sessions) */
	for (int i = 0; i < 2; i++) {
		const char *in[2] = { SERVER "01-pb-cdata-recv-c1.bin",
				      SERVER "14-pb-cdata-recv-c2.bin" };
		const char *out[2] = { SERVER "12-pb-result-sent-c1.bin",
				       SERVER "25-pb-result-sent-c2.bin" };
		const char *end[2] = { SERVER "13-pb-close-recv-c1.bin",
				       SERVER "26-pb-close-recv-c2.bin" };

		tr_pb_stream_init(&s, S, true);
		next_is(&s, PEER);
		recv_file(&s, in[i], S);
		assert_false(s.mutual);
		assert_false(tr_pb_stream_capability_due(&s, S));
		next_is(&s, S);
		send_file(&s, out[i], S);
		next_is(&s, PEER);
		recv_file(&s, end[i], S);
		/* strongSwan's server closes TLS here, without a CLOSE */
		next_is(&s, DONE);
	}
}

static void test_stream_mutual(void **state)
{
	struct tr_pb_stream s;

	(void)state;
	/* the router in mutual mode, as the mutual pt-tls-client did */
	tr_pb_stream_init(&s, C, true);
	next_is(&s, C);
	assert_true(tr_pb_stream_capability_due(&s, C));
	send_file(&s, MUTUAL "11-pb-cdata-sent-c1.bin", C);
	assert_false(tr_pb_stream_capability_due(&s, C));
	next_is(&s, PEER);
	recv_file(&s, MUTUAL "13-pb-result-recv-c1.bin", C);
	assert_true(s.mutual);
	next_is(&s, S); /* open the reverse connection */
	assert_false(tr_pb_stream_capability_due(&s, S));
	send_file(&s, MUTUAL "16-pb-sdata-sent-c2.bin", S);
	next_is(&s, PEER);
	recv_file(&s, MUTUAL "18-pb-cdata-recv-c2.bin", S);
	next_is(&s, S);
	send_file(&s, MUTUAL "29-pb-result-sent-c2.bin", S);
	next_is(&s, PEER);
	recv_file(&s, MUTUAL "31-pb-close-recv-c2.bin", S);
	next_is(&s, C); /* and end the first one */
	assert_true(tr_pb_sm_may_send(&s.conn[C], TR_PB_CLOSE));
	send_file(&s, MUTUAL "32-pb-close-sent-c1.bin", C);
	next_is(&s, DONE);

	/* the NMS in mutual mode, as charon did */
	tr_pb_stream_init(&s, S, true);
	recv_file(&s, MSERVER "01-pb-cdata-recv-c1.bin", S);
	assert_true(s.mutual);
	assert_true(tr_pb_stream_capability_due(&s, S));
	next_is(&s, S);
	send_file(&s, MSERVER "12-pb-result-sent-c1.bin", S);
	assert_false(tr_pb_stream_capability_due(&s, S));
	next_is(&s, PEER);
	recv_file(&s, MSERVER "13-pb-sdata-recv-c2.bin", C);
	next_is(&s, C);
	send_file(&s, MSERVER "21-pb-cdata-sent-c2.bin", C);
	next_is(&s, PEER);
	recv_file(&s, MSERVER "22-pb-result-recv-c2.bin", C);
	next_is(&s, C);
	send_file(&s, MSERVER "24-pb-close-sent-c2.bin", C);
	next_is(&s, PEER);
	recv_file(&s, MSERVER "25-pb-close-recv-c1.bin", S);
	next_is(&s, DONE);
}

static void test_stream_refusals(void **state)
{
	struct tr_pb_stream s;
	struct tr_pb_batch b;
	struct tr_pb_error e;
	enum tr_pb_role r;
	uint8_t *buf, *buf2;
	size_t len;
	char err[256] = "";

	(void)state;
	/* an NMS that does not offer mutual mode stays in one connection */
	tr_pb_stream_init(&s, S, false);
	recv_file(&s, MSERVER "01-pb-cdata-recv-c1.bin", S);
	assert_false(s.mutual);
	assert_int_equal(
		tr_pb_stream_sent(&s, S, TR_PB_RESULT, err, sizeof(err)), 0);
	load(MSERVER "13-pb-sdata-recv-c2.bin", &b, &buf, &len);
	assert_int_equal(
		tr_pb_stream_received(&s, &b, &r, &e, err, sizeof(err)), -1);
	assert_int_equal(e.code, TR_PB_ERR_INVALID_PARAMETER);
	assert_int_equal(e.offset, 1);
	assert_int_equal(r, S);
	/* nor can we send in a connection there is none of */
	assert_int_equal(
		tr_pb_stream_sent(&s, C, TR_PB_CDATA, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no connection where we are the client"));

	/* the router opens the reverse connection, not the server */
	tr_pb_stream_init(&s, C, true);
	send_file(&s, MUTUAL "11-pb-cdata-sent-c1.bin", C);
	recv_file(&s, MUTUAL "13-pb-result-recv-c1.bin", C);
	load(MUTUAL "18-pb-cdata-recv-c2.bin", &b, &buf2, &len);
	assert_int_equal(
		tr_pb_stream_received(&s, &b, &r, &e, err, sizeof(err)), -1);
	assert_int_equal(e.code, TR_PB_ERR_UNEXPECTED_BATCH_TYPE);
	assert_non_null(
		strstr(err, "in the reverse connection, which we open"));
	/* the CLOSE with the error goes in the first connection */
	assert_int_equal(r, C);
	assert_int_equal(
		tr_pb_stream_sent(&s, r, TR_PB_CLOSE, err, sizeof(err)), 0);
	free(buf);
	free(buf2);

	/* a router that did not offer it ignores the server's capability */
	tr_pb_stream_init(&s, C, false);
	send_file(&s, SASL "13-pb-cdata-sent-c1.bin", C);
	recv_file(&s, MUTUAL "13-pb-result-recv-c1.bin", C);
	assert_false(s.mutual);
	next_is(&s, C);
}

/*
 * A server that answers the capability before deciding: the router
 * interleaves the two connections, as strongSwan's client does.
 */
static void test_stream_interleaved(void **state)
{
	struct tr_pb_value cap = { .vendor = TR_PEN_ITA,
				   .type = TR_PB_ITA_MUTUAL_CAPABILITY };
	struct tr_pb_stream s;
	struct tr_pb_batch b;
	struct tr_pb_error e;
	enum tr_pb_role r;
	uint8_t out[64];
	struct tr_wbuf w;
	size_t mark;
	char err[256] = "";

	(void)state;
	cap.u.mutual = TR_PB_MUTUAL_HALF_DUPLEX;
	tr_pb_stream_init(&s, C, true);
	assert_int_equal(
		tr_pb_stream_sent(&s, C, TR_PB_CDATA, err, sizeof(err)), 0);
	tr_wbuf_init(&w, out, sizeof(out));
	mark = tr_pb_batch_begin(&w, TR_PB_SDATA, true);
	add(&w, &cap);
	tr_pb_batch_end(&w, mark);
	assert_int_equal(
		tr_pb_batch_parse(out, w.len, &b, &e, err, sizeof(err)), 0);
	assert_int_equal(
		tr_pb_stream_received(&s, &b, &r, &e, err, sizeof(err)), 0);
	assert_true(s.mutual);
	next_is(&s, S); /* open the reverse one at once */
	assert_int_equal(
		tr_pb_stream_sent(&s, S, TR_PB_SDATA, err, sizeof(err)), 0);
	b.from_server = false;
	b.type = TR_PB_CDATA;
	b.n = 0;
	assert_int_equal(
		tr_pb_stream_received(&s, &b, &r, &e, err, sizeof(err)), 0);
	assert_int_equal(r, S);
	next_is(&s, C); /* the first is not decided: back to it */
	assert_int_equal(
		tr_pb_stream_sent(&s, C, TR_PB_CDATA, err, sizeof(err)), 0);
	b.from_server = true;
	b.type = TR_PB_RESULT;
	assert_int_equal(
		tr_pb_stream_received(&s, &b, &r, &e, err, sizeof(err)), 0);
	next_is(&s, S); /* the reverse one still waits for our answer */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_build_identical),
		cmocka_unit_test(test_malformed_batches),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_values_build),
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_state_machine_refusals),
		cmocka_unit_test(test_stream_plain),
		cmocka_unit_test(test_stream_mutual),
		cmocka_unit_test(test_stream_refusals),
		cmocka_unit_test(test_stream_interleaved),
	};

	return TR_RUN(tests, NULL, NULL);
}
