// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the IMA binary log parser and PCR replay. */
#include "base/fileio.h"
#include "ima/log.h"
#include "tr_test.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

/* A log under construction, in the kernel's binary format. */
struct log {
	uint8_t b[8192];
	size_t n;
};

static void put(struct log *l, const void *p, size_t n)
{
	assert_true(l->n + n <= sizeof(l->b));
	memcpy(l->b + l->n, p, n);
	l->n += n;
}

static void put32(struct log *l, uint32_t v)
{
	uint8_t x[4] = { v, v >> 8, v >> 16, v >> 24 };

	put(l, x, 4);
}

/* Build the template data of an ima-ng entry. */
static size_t ng_data(uint8_t *d, const char *algo, const uint8_t *dig,
		      size_t dlen, const char *name)
{
	struct log t = { .n = 0 };
	size_t alen = strlen(algo);

	put32(&t, (uint32_t)(alen + 2 + dlen));
	put(&t, algo, alen);
	put(&t, ":", 2); /* ':' and NUL */
	put(&t, dig, dlen);
	put32(&t, (uint32_t)strlen(name) + 1);
	put(&t, name, strlen(name) + 1);
	memcpy(d, t.b, t.n);
	return t.n;
}

/* Append a well-formed ima-ng entry; violation gives a zero digest. */
static void add_entry(struct log *l, uint32_t pcr, const char *name,
		      uint8_t fill, int violation)
{
	uint8_t dig[32], data[600], tdig[20] = { 0 };
	size_t dlen;

	memset(dig, fill, sizeof(dig));
	dlen = ng_data(data, "sha256", dig, sizeof(dig), name);
	if (!violation)
		SHA1(data, dlen, tdig);
	put32(l, pcr);
	put(l, tdig, 20);
	put32(l, 6);
	put(l, "ima-ng", 6);
	put32(l, (uint32_t)dlen);
	put(l, data, dlen);
}

/* Independent replay: PCR = H(PCR || H(data)) over the entries given. */
static void expect_sha256(const struct log *l, uint32_t pcr, uint8_t out[32])
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	uint8_t buf[64];
	char err[200];

	memset(out, 0, 32);
	ima_log_cursor_init(&c, l->b, l->n);
	while (ima_log_next(&c, &e, err, sizeof(err)) == 1) {
		if (e.pcr != pcr)
			continue;
		memcpy(buf, out, 32);
		if (e.violation)
			memset(buf + 32, 0xff, 32);
		else
			SHA256(e.data, e.data_len, buf + 32);
		SHA256(buf, 64, out);
	}
}

static void test_empty_log(void **state)
{
	uint8_t out[IMA_LOG_DIGEST_MAX], zero[32] = { 0 };
	size_t len, n;
	char err[200];

	(void)state;
	assert_int_equal(ima_log_replay((const uint8_t *)"", 0, "sha256", 10,
					out, &len, &n, err, sizeof(err)),
			 0);
	assert_int_equal(len, 32);
	assert_int_equal(n, 0);
	assert_memory_equal(out, zero, 32);
}

static void test_parse_fields(void **state)
{
	struct log l = { .n = 0 };
	struct ima_log_cursor c;
	struct ima_log_entry e;
	char err[200];

	(void)state;
	add_entry(&l, 10, "boot_aggregate", 0xab, 0);
	add_entry(&l, 10, "/bin/busybox", 0x11, 0);
	ima_log_cursor_init(&c, l.b, l.n);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
	assert_int_equal(e.pcr, 10);
	assert_string_equal(e.template_name, "ima-ng");
	assert_string_equal(e.hash_algo, "sha256");
	assert_int_equal(e.file_digest_len, 32);
	assert_int_equal(e.file_digest[0], 0xab);
	assert_string_equal(e.file_name, "boot_aggregate");
	assert_false(e.violation);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
	assert_string_equal(e.file_name, "/bin/busybox");
	assert_int_equal(e.index, 1);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 0);
}

static void test_replay_matches_independent_computation(void **state)
{
	struct log l = { .n = 0 };
	uint8_t out[IMA_LOG_DIGEST_MAX], want[32];
	size_t len, n;
	char err[200];

	(void)state;
	add_entry(&l, 10, "boot_aggregate", 0x01, 0);
	add_entry(&l, 10, "/init", 0x02, 0);
	add_entry(&l, 11, "/other-pcr", 0x03, 0);
	add_entry(&l, 10, "/tmp/written-while-open", 0x04, 1);
	expect_sha256(&l, 10, want);
	assert_int_equal(ima_log_replay(l.b, l.n, "sha256", 10, out, &len, &n,
					err, sizeof(err)),
			 0);
	assert_int_equal(n, 3); /* the PCR 11 entry is not counted */
	assert_memory_equal(out, want, 32);
}

/* Known answer: one violation from zeros is SHA256(0^32 || 1^32). */
static void test_violation_extends_all_ones(void **state)
{
	static const uint8_t want[32] = {
		0xbb, 0xa9, 0x1c, 0xa8, 0x5d, 0xc9, 0x14, 0xb2,
		0xec, 0x3e, 0xfb, 0x9e, 0x16, 0xe7, 0x26, 0x7b,
		0xf9, 0x19, 0x3b, 0x14, 0x35, 0x0d, 0x20, 0xfb,
		0xa8, 0xa8, 0xb4, 0x06, 0x73, 0x0a, 0xe3, 0x0a,
	};
	struct log l = { .n = 0 };
	uint8_t out[IMA_LOG_DIGEST_MAX], buf[64];
	size_t len, n;
	char err[200];

	(void)state;
	memset(buf, 0, 32);
	memset(buf + 32, 0xff, 32);
	add_entry(&l, 10, "/x", 0, 1);
	assert_int_equal(ima_log_replay(l.b, l.n, "sha256", 10, out, &len, &n,
					err, sizeof(err)),
			 0);
	SHA256(buf, 64, buf);
	assert_memory_equal(out, buf, 32);
	assert_memory_equal(out, want, 32);
}

static void test_sha1_bank(void **state)
{
	struct log l = { .n = 0 };
	uint8_t out[IMA_LOG_DIGEST_MAX], buf[40];
	struct ima_log_cursor c;
	struct ima_log_entry e;
	size_t len, n;
	char err[200];

	(void)state;
	add_entry(&l, 10, "/a", 0x05, 0);
	assert_int_equal(ima_log_replay(l.b, l.n, "sha1", 10, out, &len, &n,
					err, sizeof(err)),
			 0);
	assert_int_equal(len, 20);
	ima_log_cursor_init(&c, l.b, l.n);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
	memset(buf, 0, 20);
	memcpy(buf + 20, e.template_digest, 20);
	SHA1(buf, 40, buf);
	assert_memory_equal(out, buf, 20);
}

/* Every strict prefix that cuts an entry must be an error, never a crash. */
static void test_every_truncation_is_rejected(void **state)
{
	struct log l = { .n = 0 };
	size_t first_end, len, n;
	uint8_t out[IMA_LOG_DIGEST_MAX];
	char err[200];

	(void)state;
	add_entry(&l, 10, "/first", 0x01, 0);
	first_end = l.n;
	add_entry(&l, 10, "/second", 0x02, 0);
	for (size_t cut = 1; cut < l.n; cut++) {
		uint8_t *copy =
			malloc(cut); /* exact size: ASan sees overreads */
		int rc;

		memcpy(copy, l.b, cut);
		rc = ima_log_replay(copy, cut, "sha256", 10, out, &len, &n, err,
				    sizeof(err));
		free(copy);
		if (cut == first_end)
			assert_int_equal(rc, 0);
		else
			assert_int_equal(rc, -1);
	}
	assert_non_null(strstr(err, "entry 1"));
}

static void expect_error(const struct log *l, const char *needle)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	char err[200] = "";

	ima_log_cursor_init(&c, l->b, l->n);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_header_limits(void **state)
{
	struct log l;
	uint8_t z[20] = { 0 };

	(void)state;
	l.n = 0; /* PCR index out of range */
	put32(&l, 24);
	put(&l, z, 20);
	expect_error(&l, "PCR index 24");

	l.n = 0; /* empty template name */
	put32(&l, 10);
	put(&l, z, 20);
	put32(&l, 0);
	expect_error(&l, "template name length 0");

	l.n = 0; /* oversized template name */
	put32(&l, 10);
	put(&l, z, 20);
	put32(&l, 256);
	expect_error(&l, "template name length 256");

	l.n = 0; /* oversized data length */
	put32(&l, 10);
	put(&l, z, 20);
	put32(&l, 6);
	put(&l, "ima-ng", 6);
	put32(&l, IMA_LOG_DATA_MAX + 1);
	expect_error(&l, "exceeds");

	l.n = 0; /* legacy template refused with a clear reason */
	put32(&l, 10);
	put(&l, z, 20);
	put32(&l, 3);
	put(&l, "ima", 3);
	expect_error(&l, "legacy");

	l.n = 0; /* NUL inside the name */
	put32(&l, 10);
	put(&l, z, 20);
	put32(&l, 6);
	put(&l, "ima\0ng", 6);
	expect_error(&l, "NUL inside");
}

/* Wrap hand-made template data into one ima-ng entry. */
static void entry_with_data(struct log *l, const uint8_t *d, size_t n)
{
	uint8_t z[20] = { 0 };

	l->n = 0;
	put32(l, 10);
	put(l, z, 20);
	put32(l, 6);
	put(l, "ima-ng", 6);
	put32(l, (uint32_t)n);
	put(l, d, n);
}

static void test_ng_field_errors(void **state)
{
	struct log l, d;

	(void)state;
	d.n = 0; /* d-ng length beyond the data */
	put32(&d, 100);
	put(&d, "sha256:", 8);
	entry_with_data(&l, d.b, d.n);
	expect_error(&l, "d-ng field overruns");

	d.n = 0; /* no algo: prefix */
	put32(&d, 4);
	put(&d, "abcd", 4);
	put32(&d, 2);
	put(&d, "x", 2);
	entry_with_data(&l, d.b, d.n);
	expect_error(&l, "algo");

	d.n = 0; /* empty digest */
	put32(&d, 8);
	put(&d, "sha256:", 8);
	put32(&d, 2);
	put(&d, "x", 2);
	entry_with_data(&l, d.b, d.n);
	expect_error(&l, "digest length 0");

	d.n = 0; /* name without terminating NUL */
	put32(&d, 9);
	put(&d, "sha256:\0\x01", 9);
	put32(&d, 3);
	put(&d, "abc", 3);
	entry_with_data(&l, d.b, d.n);
	expect_error(&l, "NUL-terminated");

	d.n = 0; /* name with an embedded NUL (would hide a suffix) */
	put32(&d, 9);
	put(&d, "sha256:\0\x01", 9);
	put32(&d, 4);
	put(&d, "a\0b", 4);
	entry_with_data(&l, d.b, d.n);
	expect_error(&l, "NUL-terminated");
}

static void test_replay_rejects_edited_entry(void **state)
{
	struct log l = { .n = 0 };
	uint8_t out[IMA_LOG_DIGEST_MAX];
	size_t len, n;
	char err[200];

	(void)state;
	add_entry(&l, 10, "/bin/sh", 0x33, 0);
	l.b[l.n - 3] ^= 1; /* change the path, keep the template digest */
	assert_int_equal(ima_log_replay(l.b, l.n, "sha256", 10, out, &len, &n,
					err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "does not match"));
}

static void test_replay_argument_errors(void **state)
{
	uint8_t out[IMA_LOG_DIGEST_MAX];
	size_t len, n;
	char err[200];

	(void)state;
	assert_int_equal(ima_log_replay(NULL, 0, "md5", 10, out, &len, &n, err,
					sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "unknown PCR bank"));
	assert_int_equal(ima_log_replay(NULL, 0, "sha256", 24, out, &len, &n,
					err, sizeof(err)),
			 -1);
}

/* A log the test kernel wrote in the VM (tests/data/ima/README). */
static void load_vm_log(uint8_t **buf, size_t *len)
{
	assert_int_equal(read_file_bounded(TR_DATA_DIR "/ima/vm-boot.bin",
					   1 << 20, buf, len),
			 0);
}

/* Rebuilding every entry from its fields gives the kernel's bytes. */
static void test_template_data_matches_kernel(void **state)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	uint8_t *buf, data[1024];
	size_t len, n = 0;
	char err[200];
	int r;

	(void)state;
	load_vm_log(&buf, &len);
	ima_log_cursor_init(&c, buf, len);
	while (ima_log_next(&c, &e, err, sizeof(err)) == 1) {
		r = ima_ng_template_data(e.hash_algo, e.file_digest,
					 e.file_digest_len, e.file_name, data,
					 sizeof(data));
		assert_int_equal(r, e.data_len);
		assert_memory_equal(data, e.data, e.data_len);
		n++;
	}
	assert_int_equal(n, 7);
	/* Too small a buffer is refused, not overrun. */
	assert_int_equal(
		ima_ng_template_data("sha256", data, 32, "x", data, 40), -1);
	free(buf);
}

static void hex_to_bin(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sscanf(h + 2 * i, "%2hhx", &out[i]), 1);
}

/* boot_aggregate from the guest's PCRs 0-9 is what the kernel logged. */
/* Records of digest list loads: encoded as the kernel does, parsed back. */
static void test_dl_records(void **state)
{
	struct ima_dl_record r = { .seq = 7,
				   .result = -17,
				   .has_digest = true };
	struct ima_dl_record got;
	struct ima_log_cursor c;
	struct ima_log_entry e;
	uint8_t data[4400], entry[4600];
	char text[IMA_DL_RECORD_MAX], err[256];
	int n, len;

	(void)state;
	memset(r.sha256, 0xab, 32);
	strcpy(r.path, "/etc/a list");
	n = ima_dl_record_text(&r, text, sizeof(text));
	assert_string_equal(text, "seq=7 result=-17 digest=sha256:"
				  "abababababababababababababababab"
				  "abababababababababababababababab"
				  " path=/etc/a list");
	n = ima_buf_template_data(IMA_DL_RECORD_LOAD, (const uint8_t *)text,
				  (size_t)n, data, sizeof(data));
	assert_true(n > 0);
	len = ima_log_entry_encode(10, "ima-buf", data, (size_t)n, false, entry,
				   sizeof(entry));
	assert_true(len > 0);
	ima_log_cursor_init(&c, entry, (size_t)len);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
	assert_int_equal(e.buf_len, strlen(text));
	assert_int_equal(ima_dl_record_parse(&e, &got, err, sizeof(err)), 1);
	assert_false(got.unload);
	assert_int_equal(got.seq, 7);
	assert_int_equal(got.result, -17);
	assert_memory_equal(got.sha256, r.sha256, 32);
	assert_string_equal(got.path, "/etc/a list");

	/* Not records: other names, other templates. */
	n = ima_buf_template_data("kernel_version", (const uint8_t *)"6.1", 3,
				  data, sizeof(data));
	len = ima_log_entry_encode(10, "ima-buf", data, (size_t)n, false, entry,
				   sizeof(entry));
	ima_log_cursor_init(&c, entry, (size_t)len);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
	assert_int_equal(ima_dl_record_parse(&e, &got, err, sizeof(err)), 0);

	/* Malformed records are refused, not misread. */
	static const char *const bad[] = {
		"seq= result=0 digest=none path=/a",
		"seq=01 result=0 digest=none path=/a",
		"seq=1 result=5 digest=none path=/a",
		"seq=1 result=0 digest=sha256:ab path=/a",
		"seq=1 result=0 digest=none path=",
		"seq=1 result=0 digest=none",
		"seq=99999999999999999999 result=0 digest=none path=/a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = ima_buf_template_data(IMA_DL_RECORD_UNLOAD,
					  (const uint8_t *)bad[i],
					  strlen(bad[i]), data, sizeof(data));
		len = ima_log_entry_encode(10, "ima-buf", data, (size_t)n,
					   false, entry, sizeof(entry));
		ima_log_cursor_init(&c, entry, (size_t)len);
		assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
		if (ima_dl_record_parse(&e, &got, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	/* A record without a digest. */
	n = ima_buf_template_data(
		IMA_DL_RECORD_UNLOAD,
		(const uint8_t *)"seq=3 result=-2 digest=none path=/x", 35,
		data, sizeof(data));
	len = ima_log_entry_encode(10, "ima-buf", data, (size_t)n, false, entry,
				   sizeof(entry));
	ima_log_cursor_init(&c, entry, (size_t)len);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
	assert_int_equal(ima_dl_record_parse(&e, &got, err, sizeof(err)), 1);
	assert_true(got.unload);
	assert_false(got.has_digest);
	assert_int_equal(got.result, -2);
}

static void test_boot_aggregate_matches_kernel(void **state)
{
	uint8_t *readme, pcrs[10][32], agg[32], pcr[32] = { 0 }, data[256];
	uint8_t *buf, replayed[IMA_LOG_DIGEST_MAX];
	struct ima_log_cursor c;
	struct ima_log_entry e;
	size_t len, rlen, n;
	char key[8], err[200];
	int r;

	(void)state;
	assert_int_equal(read_file_bounded(TR_DATA_DIR "/ima/README", 1 << 16,
					   &readme, &len),
			 0);
	readme = realloc(readme, len + 1);
	readme[len] = '\0';
	for (int i = 0; i < 10; i++) {
		const char *p;

		snprintf(key, sizeof(key), "pcr%d ", i);
		p = strstr((char *)readme, key);
		assert_non_null(p);
		hex_to_bin(p + strlen(key), pcrs[i], 32);
	}
	free(readme);
	ima_boot_aggregate_sha256((const uint8_t(*)[32])pcrs, agg);

	load_vm_log(&buf, &len);
	ima_log_cursor_init(&c, buf, len);
	assert_int_equal(ima_log_next(&c, &e, err, sizeof(err)), 1);
	assert_string_equal(e.file_name, "boot_aggregate");
	assert_memory_equal(agg, e.file_digest, 32);

	/* The predicted first extend equals the replay of one entry. */
	r = ima_ng_template_data("sha256", agg, 32, "boot_aggregate", data,
				 sizeof(data));
	assert_true(r > 0);
	assert_int_equal(ima_pcr_extend_data("sha256", pcr, data, (size_t)r),
			 0);
	assert_int_equal(ima_log_replay(buf, c.off, "sha256", 10, replayed,
					&rlen, &n, err, sizeof(err)),
			 0);
	assert_memory_equal(pcr, replayed, 32);
	assert_int_equal(ima_pcr_extend_data("md5", pcr, data, 1), -1);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_log),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_replay_matches_independent_computation),
		cmocka_unit_test(test_violation_extends_all_ones),
		cmocka_unit_test(test_sha1_bank),
		cmocka_unit_test(test_every_truncation_is_rejected),
		cmocka_unit_test(test_header_limits),
		cmocka_unit_test(test_ng_field_errors),
		cmocka_unit_test(test_replay_rejects_edited_entry),
		cmocka_unit_test(test_replay_argument_errors),
		cmocka_unit_test(test_dl_records),
		cmocka_unit_test(test_template_data_matches_kernel),
		cmocka_unit_test(test_boot_aggregate_matches_kernel),
	};

	return TR_RUN(tests, NULL, NULL);
}
