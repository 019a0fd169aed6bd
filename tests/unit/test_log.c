// SPDX-License-Identifier: GPL-2.0-only
/*
 * The log line (base/log.h): RFC 3339 time in UTC with milliseconds,
 * program[component], level, text, one newline; the journal's "<N>"
 * priority prefix under systemd; long lines cut with "..."; and
 * JOURNAL_STREAM counts only when it names our stderr.
 */
#include "base/log.h"
#include "tr_test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t fmt(char *buf, size_t len, bool journal, int64_t ms,
		  const char *comp, enum tr_log_level lv, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = tr_log_format(buf, len, journal, ms, "nmsd", comp, lv, f, ap);
	va_end(ap);
	return n;
}

static void test_time(void **state)
{
	char t[TR_TIME_LEN];

	(void)state;
	assert_string_equal(tr_time_rfc3339(0, t), "1970-01-01T00:00:00.000Z");
	/* 2026-12-03T12:00:00.123Z */
	assert_string_equal(tr_time_rfc3339(1796299200123LL, t),
			    "2026-12-03T12:00:00.123Z");
	assert_string_equal(tr_time_rfc3339_s(1796299200LL, t),
			    "2026-12-03T12:00:00Z");
	assert_int_equal(strlen(t) + 1, 21);
}

static void test_line(void **state)
{
	char buf[256];
	size_t n;

	(void)state;
	n = fmt(buf, sizeof(buf), false, 1796299200123LL, "est", TR_LOG_WARN,
		"EST from %s refused: %s\n", "10.0.0.9", "no certificate");
	assert_string_equal(
		buf,
		"2026-12-03T12:00:00.123Z nmsd[est] warn: EST from 10.0.0.9 refused: no certificate\n");
	assert_int_equal(n, strlen(buf));
	/* No component: the program alone; no newline given: one added. */
	fmt(buf, sizeof(buf), false, 0, NULL, TR_LOG_INFO, "stopping");
	assert_string_equal(buf,
			    "1970-01-01T00:00:00.000Z nmsd info: stopping\n");
}

static void test_journal(void **state)
{
	char buf[128];

	(void)state;
	fmt(buf, sizeof(buf), true, 1796299200123LL, "probe", TR_LOG_ERR,
	    "r1: %s", "gone");
	assert_string_equal(buf, "<3>probe: r1: gone\n");
	fmt(buf, sizeof(buf), true, 0, "est", TR_LOG_NOTICE, "x");
	assert_string_equal(buf, "<5>est: x\n");
}

static void test_cut(void **state)
{
	char buf[64], big[200];
	size_t n;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	n = fmt(buf, sizeof(buf), false, 0, "est", TR_LOG_WARN, "%s", big);
	assert_int_equal(n, strlen(buf));
	assert_true(n < sizeof(buf));
	assert_int_equal(buf[n - 1], '\n');
	assert_non_null(strstr(buf, "...\n"));
}

static void test_journal_stream(void **state)
{
	char js[64];
	struct stat st;

	(void)state;
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	unsetenv("JOURNAL_STREAM");
	tr_log_init("nmsd");
	assert_false(tr_log_journal());
	/* Another stream's numbers (a child of a service that redirected
	 * its stderr): stamped lines. */
	setenv("JOURNAL_STREAM", "1:1", 1);
	tr_log_init("nmsd");
	assert_false(tr_log_journal());
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	tr_log_init("nmsd");
	assert_true(tr_log_journal());
	unsetenv("JOURNAL_STREAM");
	tr_log_init("nmsd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_journal_stream),
	};

	return TR_RUN(tests, NULL, NULL);
}
