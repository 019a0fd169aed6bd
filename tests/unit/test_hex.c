// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hex both ways: what tr_hex writes tr_unhex reads back, either case;
 * signs, spaces, other letters and a string cut short are refused.
 */
#include "base/hex.h"
#include "tr_test.h"

#include <string.h>

static void test_round_trip(void **state)
{
	const uint8_t in[4] = { 0x00, 0x7f, 0xa5, 0xff };
	uint8_t out[4];
	char h[9];

	(void)state;
	tr_hex(h, in, sizeof(in));
	assert_string_equal(h, "007fa5ff");
	assert_int_equal(tr_unhex(h, 4, out), 0);
	assert_memory_equal(out, in, 4);
	assert_int_equal(tr_unhex("007FA5FF", 4, out), 0);
	assert_memory_equal(out, in, 4);
	/* What follows the digits is the caller's. */
	assert_int_equal(tr_unhex("ab,cd", 1, out), 0);
	assert_int_equal(out[0], 0xab);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"+1", " 1", "1 ", "g0", "0x", "1", ""
	};
	uint8_t out[1];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tr_unhex(bad[i], 1, out) != -1)
			fail_msg("\"%s\" was taken for hex", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
	};

	return TR_RUN(tests, NULL, NULL);
}
