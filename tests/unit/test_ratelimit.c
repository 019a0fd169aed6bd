// SPDX-License-Identifier: GPL-2.0-only
/*
 * The log limiter's token bucket: a burst goes out, then the rate; what
 * was held back is counted and told once, before the next line or at a
 * flush; a clock going back does not open the bucket; and a flood of
 * lines through tr_log_limited writes burst + summary lines, no more.
 */
#include "base/ratelimit.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>

static void test_burst_then_rate(void **state)
{
	struct tr_ratelimit rl = TR_RATELIMIT_INIT("t", 3, 2);
	unsigned long told;
	unsigned out = 0;

	(void)state;
	/* 10 lines at once: the burst of 3 goes out. */
	for (int i = 0; i < 10; i++)
		out += tr_ratelimit_take(&rl, 1000, &told);
	assert_int_equal(out, 3);
	assert_int_equal(rl.suppressed, 7);
	/* 2 a second: nothing 400 ms later, one at 500 ms, telling 7. */
	assert_false(tr_ratelimit_take(&rl, 1400, &told));
	assert_true(tr_ratelimit_take(&rl, 1500, &told));
	assert_int_equal(told, 8);
	assert_false(tr_ratelimit_take(&rl, 1500, &told));
	/* Quiet for a minute: the bucket is full again, not more. */
	out = 0;
	for (int i = 0; i < 10; i++)
		out += tr_ratelimit_take(&rl, 61500, &told);
	assert_int_equal(out, 3);
	assert_int_equal(rl.total_suppressed, 8 + 1 + 7);
}

static void test_pending_and_clock(void **state)
{
	struct tr_ratelimit rl = TR_RATELIMIT_INIT("t", 1, 1);
	unsigned long told;

	(void)state;
	assert_true(tr_ratelimit_take(&rl, 5000, &told));
	assert_int_equal(told, 0);
	assert_false(tr_ratelimit_take(&rl, 5000, &told));
	assert_false(tr_ratelimit_take(&rl, 5000, &told));
	/* No token yet: nothing to tell now, still held. */
	assert_int_equal(tr_ratelimit_pending(&rl, 5100), 0);
	/* A token: the flush tells the 2 and takes the token. */
	assert_int_equal(tr_ratelimit_pending(&rl, 6100), 2);
	assert_int_equal(tr_ratelimit_pending(&rl, 9000), 0);
	/* A clock that went back starts again, it does not underflow. */
	assert_true(tr_ratelimit_take(&rl, 10, &told));
	assert_false(tr_ratelimit_take(&rl, 10, &told));
}

static void test_flood_writes_little(void **state)
{
	struct tr_ratelimit rl = TR_RATELIMIT_INIT("nmsd", 10, 1);
	char *buf = NULL, *p;
	size_t len = 0;
	unsigned lines = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	tr_log_init("nmsd");
	tr_log_set_stream(f, false);
	for (int i = 0; i < 100000; i++)
		tr_log_limited(&rl, TR_LOG_WARN, "est", "refused %d", i);
	rl.last_ms -= 2000; /* two seconds pass */
	tr_log_flush(&rl);
	tr_log_set_stream(stderr, false);
	fclose(f);
	for (p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	/* The burst, then one summary of the rest (the clock may have
	 * given a token or two more during the loop). */
	assert_true(lines >= 11 && lines <= 14);
	assert_non_null(strstr(buf, "Z nmsd[est] warn: refused 0\n"));
	assert_non_null(
		strstr(buf,
		       "Z nmsd[nmsd] notice: 99989 similar messages suppressed\n") ||
		strstr(buf, " similar messages suppressed\n"));
	assert_int_equal(rl.suppressed, 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_pending_and_clock),
		cmocka_unit_test(test_flood_writes_little),
	};

	return TR_RUN(tests, NULL, NULL);
}
