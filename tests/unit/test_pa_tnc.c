// SPDX-License-Identifier: GPL-2.0-only
/*
 * PA-TNC (RFC 5792): every PA-TNC message and attribute value in the
 * strongSwan 6.0.6 captures parses, with the fields strongSwan logged, and
 * encodes again to the same bytes; what our builders make from the same
 * content is byte-identical; malformed input is refused with the PA-TNC
 * Error that RFC 5792 asks for and the offset of the bad field.
 */
#include "tnc/pa_msg.h"
#include "wire/text.h"
#include "test_dir.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>

#define SS TR_DATA_DIR "/strongswan/"
#define SASL SS "pt-tls-client_sasl_debug3/"

static uint8_t *vec(const char *path, size_t *len)
{
	return test_read_buf(path, 1 << 20, len);
}

static size_t build_raw(const struct tr_pa_msg *m, uint8_t *out, size_t cap)
{
	struct tr_wbuf w;
	char err[256];

	tr_wbuf_init(&w, out, cap);
	tr_pa_msg_begin(&w, m->id);
	for (size_t i = 0; i < m->n; i++)
		tr_tlv_put(&w, &m->attrs[i]);
	if (tr_wbuf_check(&w, err, sizeof(err)))
		fail_msg("%s", err);
	return w.len;
}

/* Parse @v as attribute @vendor/@type, rebuild it, compare. */
static void value_round_trip(uint32_t vendor, uint32_t type, const uint8_t *v,
			     size_t len)
{
	struct tr_tlv a = { 0, vendor, type, { v, len }, 0 };
	struct tr_pa_value pv;
	uint8_t out[2048];
	struct tr_wbuf w;
	char err[256] = "";

	if (tr_pa_value_parse(&a, &pv, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	tr_wbuf_init(&w, out, sizeof(out));
	if (tr_pa_value_build(&pv, &w, err, sizeof(err)) ||
	    tr_wbuf_check(&w, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, v, len);
}

/* Every pa-msg and pa-attr dump listed in the INDEX of @capture. */
static int check_capture(const char *capture)
{
	char path[512], line[512];
	FILE *f;
	int seen = 0;

	snprintf(path, sizeof(path), SS "%s/INDEX", capture);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char file[128], *at;
		size_t len, n;
		uint8_t *b, out[4096];
		struct tr_pa_msg *m = malloc(sizeof(*m));
		char err[256] = "";
		unsigned vendor, type;

		assert_int_equal(sscanf(line, "%127s", file), 1);
		snprintf(path, sizeof(path), SS "%s/%s", capture, file);
		if (strstr(file, "-pa-msg-")) {
			b = vec(path, &len);
			if (tr_pa_msg_parse(b, len, m, NULL, err, sizeof(err)))
				fail_msg("%s: %s", file, err);
			n = build_raw(m, out, sizeof(out));
			assert_int_equal(n, len);
			assert_memory_equal(out, b, len);
			for (size_t i = 0; i < m->n; i++)
				value_round_trip(m->attrs[i].vendor,
						 m->attrs[i].type,
						 m->attrs[i].value.p,
						 m->attrs[i].value.len);
			free(b);
			seen++;
		} else if (strstr(file, "-pa-attr-")) {
			at = strstr(line, " 0x");
			assert_non_null(at);
			assert_int_equal(
				sscanf(at, " 0x%x/0x%x", &vendor, &type), 2);
			b = vec(path, &len);
			value_round_trip(vendor, type, b, len);
			free(b);
			seen++;
		}
		free(m);
	}
	fclose(f);
	return seen;
}

static void test_captures(void **state)
{
	(void)state;
	assert_int_equal(check_capture("pt-tls-client_sasl_debug3"), 10);
	assert_int_equal(check_capture("pt-tls-client_mutual_debug3"), 20);
	assert_int_equal(check_capture("charon_tnc-pdp_server"), 20);
	assert_int_equal(check_capture("charon_tnc-pdp_mutual_server"), 18);
}

static void expect_bytes(const struct tr_bytes *b, const char *s)
{
	assert_int_equal(b->len, strlen(s));
	assert_memory_equal(b->p, s, b->len);
}

#define BYTES(s) ((struct tr_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

/* The OS attributes strongSwan's IMC sent, as logged. */
static void os_values(struct tr_pa_value v[7])
{
	memset(v, 0, 7 * sizeof(*v));
	v[0].type = TR_PA_PRODUCT_INFO;
	v[0].u.product.vendor = 0x2572; /* Debian's PEN */
	v[0].u.product.name = BYTES("Debian");
	v[1].type = TR_PA_STRING_VERSION;
	v[1].u.string.version = BYTES("12 x86_64");
	v[2].type = TR_PA_NUMERIC_VERSION;
	v[2].u.numeric.major = 12;
	v[3].type = TR_PA_OP_STATUS;
	v[3].u.op_status.status = TR_PA_OP_OPERATIONAL;
	v[3].u.op_status.result = TR_PA_OP_RESULT_OK;
	strcpy(v[3].u.op_status.last_use, "2026-11-21T05:20:06Z");
	v[4].type = TR_PA_FORWARDING_ENABLED;
	v[4].u.forwarding = TR_PA_FWD_DISABLED;
	v[5].type = TR_PA_FACTORY_DEFAULT_PWD;
	v[6].vendor = TR_PEN_ITA;
	v[6].type = TR_PA_ITA_DEVICE_ID;
	v[6].u.device_id = BYTES("3d1219c7c4c5404aaa1f6d2a48adfda4");
}

static void test_os_message_fields(void **state)
{
	struct tr_pa_msg *m = malloc(sizeof(*m));
	struct tr_pa_value v, want[7];
	size_t len;
	uint8_t *b = vec(SASL "12-pa-msg-sent.bin", &len);
	char err[256] = "";

	(void)state;
	if (tr_pa_msg_parse(b, len, m, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m->id, 0x92872b5f);
	assert_int_equal(m->n, 7);
	os_values(want);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(m->attrs[i].flags, 0);
		assert_int_equal(m->attrs[i].vendor, want[i].vendor);
		assert_int_equal(m->attrs[i].type, want[i].type);
		if (tr_pa_value_parse(&m->attrs[i], &v, NULL, err, sizeof(err)))
			fail_msg("%s", err);
	}
	assert_int_equal(m->attrs[1].offset, 31);
	tr_pa_value_parse(&m->attrs[0], &v, NULL, err, sizeof(err));
	assert_int_equal(v.u.product.vendor, 0x2572);
	assert_int_equal(v.u.product.id, 0);
	expect_bytes(&v.u.product.name, "Debian");
	tr_pa_value_parse(&m->attrs[1], &v, NULL, err, sizeof(err));
	expect_bytes(&v.u.string.version, "12 x86_64");
	assert_int_equal(v.u.string.build.len + v.u.string.config.len, 0);
	tr_pa_value_parse(&m->attrs[2], &v, NULL, err, sizeof(err));
	assert_int_equal(v.u.numeric.major, 12);
	assert_int_equal(v.u.numeric.minor, 0);
	tr_pa_value_parse(&m->attrs[3], &v, NULL, err, sizeof(err));
	assert_int_equal(v.u.op_status.status, TR_PA_OP_OPERATIONAL);
	assert_int_equal(v.u.op_status.result, TR_PA_OP_RESULT_OK);
	assert_string_equal(v.u.op_status.last_use, "2026-11-21T05:20:06Z");
	tr_pa_value_parse(&m->attrs[4], &v, NULL, err, sizeof(err));
	assert_int_equal(v.u.forwarding, TR_PA_FWD_DISABLED);
	tr_pa_value_parse(&m->attrs[5], &v, NULL, err, sizeof(err));
	assert_int_equal(v.u.default_pwd, 0);
	tr_pa_value_parse(&m->attrs[6], &v, NULL, err, sizeof(err));
	expect_bytes(&v.u.device_id, "3d1219c7c4c5404aaa1f6d2a48adfda4");
	free(b);
	free(m);
}

/* Our builders make the IMC's message and the IMV's answer to the byte. */
static void test_build_identical(void **state)
{
	struct tr_pa_value v[7], ar;
	uint8_t out[512], *b;
	struct tr_wbuf w;
	size_t len;
	char err[256] = "";

	(void)state;
	os_values(v);
	tr_wbuf_init(&w, out, sizeof(out));
	tr_pa_msg_begin(&w, 0x92872b5f);
	for (int i = 0; i < 7; i++)
		if (tr_pa_add(&w, &v[i], err, sizeof(err)))
			fail_msg("%s", err);
	assert_int_equal(tr_wbuf_check(&w, err, sizeof(err)), 0);
	b = vec(SASL "12-pa-msg-sent.bin", &len);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, b, len);
	free(b);

	memset(&ar, 0, sizeof(ar));
	ar.type = TR_PA_ASSESSMENT_RESULT;
	ar.u.assessment = TR_PA_DONT_KNOW;
	tr_wbuf_init(&w, out, sizeof(out));
	tr_pa_msg_begin(&w, 0x066eaaf0);
	assert_int_equal(tr_pa_add(&w, &ar, err, sizeof(err)), 0);
	b = vec(SS "charon_tnc-pdp_server/11-pa-msg-sent.bin", &len);
	assert_int_equal(w.len, len);
	assert_memory_equal(out, b, len);
	free(b);
}

/* @m refused with @code at @offset and an error naming @why. */
static void refused(const uint8_t *m, size_t len, uint32_t code,
		    uint32_t offset, const char *why)
{
	struct tr_pa_msg *pm = malloc(sizeof(*pm));
	struct tr_pa_error e;
	char err[256] = "";

	if (tr_pa_msg_parse(m, len, pm, &e, err, sizeof(err)) != -1 ||
	    !strstr(err, why))
		fail_msg("wanted \"%s\", got \"%s\"", why, err);
	assert_int_equal(e.vendor, TR_PEN_IETF);
	assert_int_equal(e.code, code);
	if (code == TR_PA_ERR_INVALID_PARAMETER && e.offset != offset)
		fail_msg("%s: offset %u, wanted %u", err, e.offset, offset);
	assert_memory_equal(e.msg_header, m, len < 8 ? len : 8);
	free(pm);
}

/* A message of one attribute @vendor/@type with value @v. */
static size_t one_attr(uint8_t *out, uint8_t flags, uint32_t vendor,
		       uint32_t type, const void *v, size_t len)
{
	struct tr_tlv a = { flags, vendor, type, { v, len }, 0 };
	struct tr_wbuf w;

	tr_wbuf_init(&w, out, 1024);
	tr_pa_msg_begin(&w, 7);
	tr_tlv_put(&w, &a);
	return w.len;
}

static void test_malformed_messages(void **state)
{
	static const uint8_t hdr[] = { 1, 0, 0, 0, 0, 0, 0, 9 };
	uint8_t m[1024], big[TR_PA_MSG_HEADER_LEN +
			     (TR_PA_MAX_ATTRS + 1) * TR_TLV_HEADER_LEN];
	struct tr_pa_msg *pm = malloc(sizeof(*pm));
	struct tr_pa_error e;
	struct tr_wbuf w;
	size_t n;
	char err[256];

	(void)state;
	refused(hdr, 5, TR_PA_ERR_INVALID_PARAMETER, 0,
		"5 bytes, shorter than its 8-byte header");
	memcpy(m, hdr, 8);
	m[0] = 2;
	refused(m, 8, TR_PA_ERR_VERSION_NOT_SUPPORTED, 0, "version 2, not 1");
	tr_pa_msg_parse(m, 8, pm, &e, err, sizeof(err));
	assert_int_equal(e.max_version, 1);
	assert_int_equal(e.min_version, 1);
	m[0] = 1;
	m[2] = 1;
	refused(m, 8, TR_PA_ERR_INVALID_PARAMETER, 1, "reserved header");
	/* An empty message is fine. */
	assert_int_equal(tr_pa_msg_parse(hdr, 8, pm, &e, err, sizeof(err)), 0);
	assert_int_equal(pm->n, 0);
	assert_int_equal(pm->id, 9);

	n = one_attr(m, 0, 0, TR_PA_ASSESSMENT_RESULT, "\0\0\0\1", 4);
	assert_int_equal(tr_pa_msg_parse(m, n, pm, &e, err, sizeof(err)), 0);
	refused(m, n - 1, TR_PA_ERR_INVALID_PARAMETER, 16,
		"length 16, not 12 to the 15 bytes left");
	refused(m, 8 + 11, TR_PA_ERR_INVALID_PARAMETER, 8,
		"11 bytes left, shorter than a 12-byte header");
	m[19] = 11; /* attribute length below its header */
	refused(m, n, TR_PA_ERR_INVALID_PARAMETER, 16, "length 11");
	m[19] = 16;
	m[8] = 0x40;
	refused(m, n, TR_PA_ERR_INVALID_PARAMETER, 8, "reserved flags 0x40");
	m[8] = 0;
	n = one_attr(m, 0, TR_PEN_RESERVED, 1, "", 0);
	refused(m, n, TR_PA_ERR_INVALID_PARAMETER, 9, "reserved vendor id");
	n = one_attr(m, 0, 5, TR_TYPE_RESERVED, "", 0);
	refused(m, n, TR_PA_ERR_INVALID_PARAMETER, 12, "reserved type");
	/* A bad value: the offset is that of the field in the message. */
	n = one_attr(m, 0, 0, TR_PA_FORWARDING_ENABLED, "\0\0\0\3", 4);
	refused(m, n, TR_PA_ERR_INVALID_PARAMETER, 20,
		"IETF/Forwarding Enabled: value 3, more than 2");

	/* Unknown without NOSKIP: kept, and skipped by who reads it. */
	n = one_attr(m, 0, 0x123456, 77, "xyz", 3);
	assert_int_equal(tr_pa_msg_parse(m, n, pm, &e, err, sizeof(err)), 0);
	assert_int_equal(pm->n, 1);
	assert_false(tr_pa_known(pm->attrs[0].vendor, pm->attrs[0].type));
	/* Unknown with NOSKIP: the whole message is refused. */
	n = one_attr(m, TR_NOSKIP, 0x123456, 77, "xyz", 3);
	refused(m, n, TR_PA_ERR_ATTR_TYPE_NOT_SUPPORTED, 0,
		"type 0x123456/77 unknown, with NOSKIP");
	tr_pa_msg_parse(m, n, pm, &e, err, sizeof(err));
	assert_int_equal(e.attr_flags, TR_NOSKIP);
	assert_int_equal(e.attr_vendor, 0x123456);
	assert_int_equal(e.attr_type, 77);

	/* One attribute more than we keep track of. */
	tr_wbuf_init(&w, big, sizeof(big));
	tr_pa_msg_begin(&w, 1);
	for (int i = 0; i <= TR_PA_MAX_ATTRS; i++) {
		struct tr_tlv a = { 0, 0x999, 1, { NULL, 0 }, 0 };

		tr_tlv_put(&w, &a);
	}
	assert_int_equal(w.len, sizeof(big));
	refused(big, sizeof(big), TR_PA_ERR_INVALID_PARAMETER,
		sizeof(big) - TR_TLV_HEADER_LEN, "more than 256 attributes");
	free(pm);
}

/* The PA-TNC Errors we answer refused messages with, to the byte. */
static void test_error_attribute_content(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, /* IETF, 3 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, /* header */
		0x80, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x4d, /* attr */
	};
	struct tr_pa_msg *pm = malloc(sizeof(*pm));
	struct tr_pa_value v;
	uint8_t m[64], out[64];
	struct tr_wbuf w;
	size_t n;
	char err[256];

	(void)state;
	memset(&v, 0, sizeof(v));
	v.type = TR_PA_ERROR;
	/* Attribute Type Not Supported: the header and the attribute's type */
	n = one_attr(m, TR_NOSKIP, 0x123456, 77, "xyz", 3);
	assert_int_equal(
		tr_pa_msg_parse(m, n, pm, &v.u.error, err, sizeof(err)), -1);
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pa_value_build(&v, &w, err, sizeof(err)), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	value_round_trip(0, TR_PA_ERROR, out, w.len);

	/* Version Not Supported: the versions we take */
	m[0] = 3;
	tr_pa_msg_parse(m, n, pm, &v.u.error, err, sizeof(err));
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pa_value_build(&v, &w, err, sizeof(err)), 0);
	assert_int_equal(w.len, 20);
	assert_memory_equal(out + 4, "\0\0\0\2\3\0\0\0", 8);
	assert_memory_equal(out + 16, "\x01\x01\x00\x00", 4);

	/* Invalid Parameter: the offset of the bad field */
	n = one_attr(m, 0, 0, TR_PA_ASSESSMENT_RESULT, "\0\0\0\5", 4);
	tr_pa_msg_parse(m, n, pm, &v.u.error, err, sizeof(err));
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pa_value_build(&v, &w, err, sizeof(err)), 0);
	assert_int_equal(w.len, 20);
	assert_memory_equal(out + 4, "\0\0\0\1", 4);
	assert_memory_equal(out + 16, "\0\0\0\x14", 4);
	free(pm);
}

/* @v as attribute @type is refused, naming @why, at value offset @bad. */
static void bad_value(uint32_t vendor, uint32_t type, const void *v, size_t len,
		      size_t bad, const char *why)
{
	struct tr_tlv a = { 0, vendor, type, { v, len }, 0 };
	struct tr_pa_value pv;
	size_t at = 999;
	char err[256] = "";

	if (tr_pa_value_parse(&a, &pv, &at, err, sizeof(err)) != -1 ||
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
		{ 0, TR_PA_NUMERIC_VERSION, V("123456789012345"), 0,
		  "15 bytes, not 16" },
		{ 0, TR_PA_ASSESSMENT_RESULT, V("\0\0\0\5"), 0,
		  "value 5, more than 4" },
		{ 0, TR_PA_FACTORY_DEFAULT_PWD, V("\0\0\0\2"), 0,
		  "value 2, more than 1" },
		{ 0, TR_PA_FORWARDING_ENABLED, V("\0\0\0"), 0,
		  "3 bytes, not 4" },
		{ 0, TR_PA_ATTR_REQUEST, V(""), 0, "0 bytes, not one or more" },
		{ 0, TR_PA_ATTR_REQUEST, V("\1\0\0\0\0\0\0\2"), 0,
		  "reserved byte" },
		{ 0, TR_PA_ATTR_REQUEST,
		  V("\0\0\0\0\0\0\0\2\0\xff\xff\xff\0\0\0\1"), 9,
		  "entry 1: reserved vendor id" },
		{ 0, TR_PA_PRODUCT_INFO, V("\0\0\0\0"), 0,
		  "4 bytes, shorter than 5" },
		{ 0, TR_PA_PRODUCT_INFO, V("\0\0\0\0\0De\0b"), 7,
		  "product name: byte 2 is not UTF-8" },
		{ 0, TR_PA_PRODUCT_INFO, V("\0\0\0\0\0De\xc0\xaf"), 7,
		  "not UTF-8" },
		{ 0, TR_PA_STRING_VERSION,
		  V("\x09"
		    "12"),
		  0, "product version longer than the value" },
		{ 0, TR_PA_STRING_VERSION, V("\0\0\0\0"), 3,
		  "1 bytes after the configuration version" },
		{ 0, TR_PA_STRING_VERSION, V("\0\0"), 2,
		  "configuration version longer" },
		{ 0, TR_PA_OP_STATUS,
		  V("\4\1\0\0"
		    "2026-11-21T05:20:06Z"),
		  0, "status 4" },
		{ 0, TR_PA_OP_STATUS,
		  V("\3\4\0\0"
		    "2026-11-21T05:20:06Z"),
		  1, "result 4" },
		{ 0, TR_PA_OP_STATUS,
		  V("\3\1\0\1"
		    "2026-11-21T05:20:06Z"),
		  2, "reserved" },
		{ 0, TR_PA_OP_STATUS,
		  V("\3\1\0\0"
		    "2026-11-21 05:20:06Z"),
		  14, "last use is not" },
		{ 0, TR_PA_OP_STATUS,
		  V("\3\1\0\0"
		    "2026-13-21T05:20:06Z"),
		  9, "last use is not" },
		{ 0, TR_PA_OP_STATUS,
		  V("\3\1\0\0"
		    "2026-11-21T05:20:06"),
		  0, "23 bytes, not 24" },
		{ 0, TR_PA_PORT_FILTER, V("\0\6\0\x16\2\6\0\x17"), 4,
		  "entry 1: reserved bits" },
		{ 0, TR_PA_PORT_FILTER, V("\0\6\0"), 0,
		  "3 bytes, not 4-byte entries" },
		{ 0, TR_PA_INSTALLED_PACKAGES, V("\0\0\0\2\3zsh\0"), 2,
		  "count 2, but 1 packages follow" },
		{ 0, TR_PA_INSTALLED_PACKAGES, V("\0\1\0\0"), 0,
		  "reserved bytes" },
		{ 0, TR_PA_INSTALLED_PACKAGES, V("\0\0\0\1\3z\0h\0"), 6,
		  "package name: byte 1 is not UTF-8" },
		{ 0, TR_PA_INSTALLED_PACKAGES,
		  V("\0\0\0\1\3zsh\5"
		    "5.9"),
		  8, "package version longer than the value" },
		{ 0, TR_PA_ERROR, V("\0\0\0\0\0\0\0\1\1\0\0\0\0\0\0\7"), 8,
		  "error information of 8 bytes, not 12" },
		{ 0, TR_PA_ERROR, V("\1\0\0\0\0\0\0\1"), 0,
		  "reserved byte is 0x01" },
		{ 0, TR_PA_ERROR, V("\0\0\0\0\0\0\0\2\1\0\0\0\0\0\0\7\1\1\1\0"),
		  18, "reserved bytes set" },
		{ 0, TR_PA_REMEDIATION, V("\0\0\0\0\0\0\0"), 0,
		  "7 bytes, shorter than 8" },
		{ 0, TR_PA_REMEDIATION, V("\0\0\0\0\0\0\0\1"), 8, "empty URI" },
		{ 0, TR_PA_REMEDIATION, V("\0\0\0\0\0\0\0\2\0\0\0\5ab"), 8,
		  "remediation string longer than the value" },
		{ 0, TR_PA_REMEDIATION, V("\0\0\0\0\0\0\0\2\0\0\0\2ab\2e"), 14,
		  "language tag longer than the value" },
		{ 0, TR_PA_REMEDIATION, V("\0\0\0\0\0\0\0\2\0\0\0\2ab\0x"), 15,
		  "1 bytes after the language tag" },
		{ TR_PEN_ITA, TR_PA_ITA_DEVICE_ID, V(""), 0,
		  "0 bytes, not 1 to 255" },
		{ TR_PEN_ITA, TR_PA_ITA_DEVICE_ID, V("3d\0"), 2,
		  "device id: byte 2 is not UTF-8" },
		{ TR_PEN_ITA, 9, V("x"), 0, "0x00902a/9: not a type we know" },
		{ 0, TR_PA_TESTING, V("x"), 0,
		  "IETF/Testing: not a type we know" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad_value(cases[i].vendor, cases[i].type, cases[i].v,
			  cases[i].len, cases[i].bad, cases[i].why);
}

static void built_parses_back(const struct tr_pa_value *v, size_t want_len)
{
	uint8_t out[512];
	struct tr_wbuf w;
	struct tr_tlv a;
	struct tr_pa_value back;
	char err[256] = "";

	tr_wbuf_init(&w, out, sizeof(out));
	if (tr_pa_value_build(v, &w, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(w.len, want_len);
	a.flags = 0;
	a.vendor = v->vendor;
	a.type = v->type;
	a.value.p = out;
	a.value.len = w.len;
	a.offset = 0;
	if (tr_pa_value_parse(&a, &back, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	value_round_trip(v->vendor, v->type, out, w.len);
}

/* Lists built from the caller's arrays read back the same. */
static void test_lists(void **state)
{
	static const struct tr_pa_attr_type types[] = {
		{ 0, TR_PA_PRODUCT_INFO }, { TR_PEN_ITA, TR_PA_ITA_DEVICE_ID }
	};
	static const struct tr_pa_port ports[] = { { true, 6, 22 },
						   { false, 17, 53 } };
	struct tr_pa_package pkgs[2] = { { BYTES("zsh"), BYTES("5.9-4") },
					 { BYTES("libc6"), BYTES("") } };
	struct tr_pa_value v;
	struct tr_pa_attr_type t;
	struct tr_pa_port p;
	struct tr_pa_package pk;
	uint8_t out[256];
	struct tr_wbuf w;
	struct tr_tlv a = { 0, 0, 0, { out, 0 }, 0 };
	size_t cursor = 0;
	char err[256];

	(void)state;
	memset(&v, 0, sizeof(v));
	v.type = TR_PA_ATTR_REQUEST;
	v.u.request.n = 2;
	v.u.request.types = types;
	built_parses_back(&v, 16);
	tr_wbuf_init(&w, out, sizeof(out));
	tr_pa_value_build(&v, &w, err, sizeof(err));
	a.type = v.type;
	a.value.len = w.len;
	assert_int_equal(tr_pa_value_parse(&a, &v, NULL, err, sizeof(err)), 0);
	assert_int_equal(v.u.request.n, 2);
	tr_pa_request_get(&v.u.request, 1, &t);
	assert_int_equal(t.vendor, TR_PEN_ITA);
	assert_int_equal(t.type, TR_PA_ITA_DEVICE_ID);

	memset(&v, 0, sizeof(v));
	v.type = TR_PA_PORT_FILTER;
	v.u.ports.n = 2;
	v.u.ports.ports = ports;
	built_parses_back(&v, 8);
	tr_wbuf_init(&w, out, sizeof(out));
	tr_pa_value_build(&v, &w, err, sizeof(err));
	assert_memory_equal(out, "\1\6\0\x16\0\x11\0\x35", 8);
	a.type = v.type;
	a.value.len = w.len;
	assert_int_equal(tr_pa_value_parse(&a, &v, NULL, err, sizeof(err)), 0);
	tr_pa_port_get(&v.u.ports, 0, &p);
	assert_true(p.blocked);
	assert_int_equal(p.protocol, 6);
	assert_int_equal(p.port, 22);

	memset(&v, 0, sizeof(v));
	v.type = TR_PA_INSTALLED_PACKAGES;
	v.u.packages.n = 2;
	v.u.packages.pkgs = pkgs;
	built_parses_back(&v, 4 + 4 + 6 + 6 + 1);
	tr_wbuf_init(&w, out, sizeof(out));
	tr_pa_value_build(&v, &w, err, sizeof(err));
	a.type = v.type;
	a.value.len = w.len;
	assert_int_equal(tr_pa_value_parse(&a, &v, NULL, err, sizeof(err)), 0);
	assert_int_equal(v.u.packages.n, 2);
	assert_true(tr_pa_package_next(&v.u.packages, &cursor, &pk));
	expect_bytes(&pk.name, "zsh");
	expect_bytes(&pk.version, "5.9-4");
	assert_true(tr_pa_package_next(&v.u.packages, &cursor, &pk));
	expect_bytes(&pk.name, "libc6");
	assert_false(tr_pa_package_next(&v.u.packages, &cursor, &pk));

	/* Remediation: a URI and a string with its language. */
	memset(&v, 0, sizeof(v));
	v.type = TR_PA_REMEDIATION;
	v.u.remediation.type = TR_REMEDIATION_URI;
	v.u.remediation.params = BYTES("https://nms/fix");
	built_parses_back(&v, 8 + 15);
	v.u.remediation.type = TR_REMEDIATION_STRING;
	v.u.remediation.string = BYTES("Update the router");
	v.u.remediation.lang = BYTES("en");
	built_parses_back(&v, 8 + 4 + 17 + 1 + 2);
	v.u.remediation.vendor = 0x1234;
	v.u.remediation.type = 9;
	v.u.remediation.params = BYTES("opaque");
	built_parses_back(&v, 8 + 6);
}

/* Builders refuse what they cannot encode or what would not parse. */
static void test_builder_refusals(void **state)
{
	char long_name[300];
	struct tr_pa_value v;
	uint8_t out[512];
	struct tr_wbuf w;
	char err[256] = "";

	(void)state;
	memset(long_name, 'a', sizeof(long_name));
	memset(&v, 0, sizeof(v));
	v.type = TR_PA_STRING_VERSION;
	v.u.string.version.p = (const uint8_t *)long_name;
	v.u.string.version.len = 256;
	tr_wbuf_init(&w, out, sizeof(out));
	assert_int_equal(tr_pa_value_build(&v, &w, err, sizeof(err)), -1);
	assert_non_null(
		strstr(err, "product version: 256 bytes, more than 255"));
	assert_int_equal(w.len, 0);

	memset(&v, 0, sizeof(v));
	v.type = TR_PA_OP_STATUS;
	strcpy(v.u.op_status.last_use, "yesterday");
	assert_int_equal(tr_pa_value_build(&v, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "IETF/Operational Status: last use"));

	memset(&v, 0, sizeof(v));
	v.type = TR_PA_FORWARDING_ENABLED;
	v.u.forwarding = 7;
	assert_int_equal(tr_pa_add(&w, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "value 7, more than 2"));
	assert_int_equal(w.len, 0);
	v.u.forwarding = 1;
	v.flags = 0x01;
	assert_int_equal(tr_pa_add(&w, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "reserved"));

	v.type = 99;
	v.flags = 0;
	assert_int_equal(tr_pa_add(&w, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0x000000/99: not a type we know"));

	/* Too small a buffer: nothing written past it, and it says so. */
	v.type = TR_PA_FORWARDING_ENABLED;
	tr_wbuf_init(&w, out, 10);
	tr_pa_msg_begin(&w, 1);
	assert_int_equal(tr_pa_add(&w, &v, err, sizeof(err)), 0);
	assert_int_equal(tr_wbuf_check(&w, err, sizeof(err)), -1);
	assert_non_null(
		strstr(err, "output needs 24 bytes, the buffer holds 10"));
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t bad;
	} cases[] = {
		{ "plain", 5 },
		{ "gr\xc3\xbc\xc3\x9f", 6 },
		{ "\xe2\x82\xac", 3 },
		{ "\xf0\x9f\x98\x80", 4 },
		{ "a\xc0\x80", 1 }, /* overlong NUL */
		{ "\xed\xa0\x80", 0 }, /* surrogate */
		{ "\xf4\x90\x80\x80", 0 }, /* above U+10FFFF */
		{ "ab\xe2\x82", 2 }, /* truncated */
		{ "\x80", 0 },
		{ "\xff", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(tr_utf8_check((const uint8_t *)cases[i].s,
					       strlen(cases[i].s)),
				 cases[i].bad);
	assert_int_equal(tr_utf8_check((const uint8_t *)"a\0b", 3), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_os_message_fields),
		cmocka_unit_test(test_build_identical),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_error_attribute_content),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_builder_refusals),
		cmocka_unit_test(test_utf8),
	};

	return TR_RUN(tests, NULL, NULL);
}
