// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCR selection parser of tpm/policy.h, with what its fuzz target
 * found accepted: selections that select nothing or that strtoul reads
 * leniently.
 */
#include "tpm/policy.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_selection_refused),
	};

	return TR_RUN(tests, NULL, NULL);
}
