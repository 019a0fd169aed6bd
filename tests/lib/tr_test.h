/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Common runner for cmocka suites: runs the group and ends with the
 * project's summary line "N passed, N failed" that tests/run-suites adds up.
 */
#ifndef TR_TEST_H
#define TR_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

/* The group setup, wrapped: cmocka counts a failed one as one failure. */
static CMFixtureFunction tr_group_setup;
static int tr_group_setup_failed;

static inline int tr_run_setup(void **state)
{
	int rc = tr_group_setup ? tr_group_setup(state) : 0;

	tr_group_setup_failed = rc != 0;
	return rc;
}

static inline int tr_run_group(const char *name, const struct CMUnitTest *tests,
			       size_t n, CMFixtureFunction setup,
			       CMFixtureFunction teardown)
{
	int failed;

	tr_group_setup = setup;
	tr_group_setup_failed = 1; /* until it returned 0 (not a crash) */
	failed =
		_cmocka_run_group_tests(name, tests, n, tr_run_setup, teardown);
	/* A failed group setup fails every test in it. */
	if (failed < 0 || (size_t)failed > n || tr_group_setup_failed)
		failed = (int)n;
	printf("%zu passed, %d failed\n", n - (size_t)failed, failed);
	return failed ? 1 : 0;
}

#define TR_RUN(tests, setup, teardown)                                    \
	tr_run_group(__FILE__, tests, sizeof(tests) / sizeof((tests)[0]), \
		     setup, teardown)

#endif
