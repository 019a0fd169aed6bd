// SPDX-License-Identifier: GPL-2.0-only
/*
 * The option and statement parsers of tpm/policy.h and policy_stmt.h,
 * with what their fuzz targets found accepted: PCR selections that
 * select nothing or that strtoul reads leniently, and PolicyAuthorize
 * statements whose keySign is empty or whose size field lies.
 */
#include "soft_tpm.h"
#include "tpm/policy_stmt.h"
#include "tr_test.h"

#include <string.h>

static void test_selection(void **state)
{
	struct tr_pcr_values p;

	(void)state;
	assert_int_equal(tr_pcr_selection_parse("sha256:10,11", &p), 0);
	for (int i = 0; i < TR_PCRS; i++)
		assert_int_equal(p.selected[i], i == 10 || i == 11);
	assert_int_equal(tr_pcr_selection_parse("sha256:023", &p), 0);
	assert_true(p.selected[23]);
}

static void test_selection_refused(void **state)
{
	/* fuzz_pcr_selection: "sha256:" selected no PCR at all, so a key
	 * made with it would be bound to nothing. */
	static const char *const bad[] = {
		"sha256:",     "sha256:,",  "sha256:1,", "sha256:,1",
		"sha256:1,,2", "sha256: 1", "sha256:+1", "sha256:-0",
		"sha256:24",   "sha256:1 ", "sha1:1",	 "sha256:1;2",
	};
	struct tr_pcr_values p, before;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	before = p;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tr_pcr_selection_parse(bad[i], &p) != -1)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_memory_equal(&p, &before, sizeof(p));
	}
}

static size_t authorize(uint8_t *b, size_t cap)
{
	TPM2B_PUBLIC key;
	TPM2B_NONCE ref = { .size = 3, .buffer = "ref" };
	size_t len;

	assert_int_equal(soft_ak_public(&key), 0);
	assert_int_equal(
		tr_stmt_build_authorize(&key, &ref, NULL, b, cap, &len), 0);
	return len;
}

static void test_authorize(void **state)
{
	uint8_t b[1024];
	size_t len = authorize(b, sizeof(b));
	TPM2B_PUBLIC key;
	TPM2B_NONCE ref;
	TPMT_SIGNATURE sig;
	char err[256];

	(void)state;
	assert_int_equal(tr_stmt_parse_authorize(b, len, &key, &ref, &sig, err,
						 sizeof(err)),
			 0);
	assert_int_equal(ref.size, 3);
	assert_int_equal(sig.sigAlg, TPM2_ALG_NULL);
}

/* fuzz_policy_stmt: keySign's size field 4 short of its contents. */
static void test_authorize_size_lies(void **state)
{
	uint8_t b[1024];
	size_t len = authorize(b, sizeof(b));
	unsigned size = (unsigned)(b[0] << 8 | b[1]);
	TPM2B_PUBLIC key;
	TPM2B_NONCE ref;
	TPMT_SIGNATURE sig;
	char err[256];

	(void)state;
	b[0] = (uint8_t)((size - 4) >> 8);
	b[1] = (uint8_t)(size - 4);
	assert_int_equal(tr_stmt_parse_authorize(b, len, &key, &ref, &sig, err,
						 sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "size field"));
	assert_int_equal(key.size, 0);
}

/* An empty keySign unmarshals, and then marshals to something else. */
static void test_authorize_empty_key(void **state)
{
	static const uint8_t b[] = { 0, 0, 0, 0, 0, 0x10 };
	TPM2B_PUBLIC key;
	TPM2B_NONCE ref;
	TPMT_SIGNATURE sig;
	char err[256];

	(void)state;
	assert_int_equal(tr_stmt_parse_authorize(b, sizeof(b), &key, &ref, &sig,
						 err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "empty"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_selection_refused),
		cmocka_unit_test(test_authorize),
		cmocka_unit_test(test_authorize_size_lies),
		cmocka_unit_test(test_authorize_empty_key),
	};

	return TR_RUN(tests, NULL, NULL);
}
