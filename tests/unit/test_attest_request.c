// SPDX-License-Identifier: GPL-2.0-only
/*
 * The request port's line (userspace/agent/attest_request.h): "attest"
 * with or without a reason, "\r\n" or "\n", taken; anything else, a line
 * too long, a control byte, a missing newline, refused by name.
 */
#include "userspace/agent/attest_request.h"
#include "tr_test.h"

#include <string.h>

static int parse(const char *s, char *reason, char *err)
{
	return attest_request_parse(s, strlen(s), reason, ATTEST_REASON_MAX,
				    err, 256);
}

static void test_taken(void **state)
{
	char reason[ATTEST_REASON_MAX], err[256];

	(void)state;
	assert_int_equal(parse("attest\n", reason, err), 0);
	assert_string_equal(reason, "");
	assert_int_equal(parse("attest probe failed\n", reason, err), 0);
	assert_string_equal(reason, "probe failed");
	assert_int_equal(parse("attest scheduled\r\n", reason, err), 0);
	assert_string_equal(reason, "scheduled");
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"attest",
		"attestx\n",
		"ATTEST\n",
		"attes\n",
		"attest a\nb\n",
		"attest \x01\n",
		"attest \xc3\xa9\n",
		"quote\n",
		"\n",
	};
	char reason[ATTEST_REASON_MAX], err[256],
		line[ATTEST_REQUEST_LINE_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		if (parse(bad[i], reason, err) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
		assert_non_null(strstr(err, "request: "));
		assert_string_equal(reason, "");
	}
	/* One byte over the limit. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "attest ", 7);
	line[ATTEST_REQUEST_LINE_MAX] = '\n';
	line[ATTEST_REQUEST_LINE_MAX + 1] = 0;
	assert_int_equal(parse(line, reason, err), -1);
	assert_non_null(strstr(err, "longer than"));
	/* At the limit: taken, the reason cut to fit. */
	line[ATTEST_REQUEST_LINE_MAX - 1] = '\n';
	line[ATTEST_REQUEST_LINE_MAX] = 0;
	assert_int_equal(parse(line, reason, err), 0);
	assert_int_equal(strlen(reason), ATTEST_REASON_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_refused),
	};

	return TR_RUN(tests, NULL, NULL);
}
