// SPDX-License-Identifier: GPL-2.0-only
/*
 * Probes partitioned over the NMS hosts (rendezvous hashing): every
 * router has one owner, the shares are even, and when a host leaves only
 * its routers move, spread over the others.
 */
#include "nms/probe/partition.h"
#include "tr_test.h"

#include <stdio.h>
#include <string.h>

#define ROUTERS 10000

static char ids[3][32] = { "nms-a:1:1", "nms-b:2:2", "nms-c:3:3" };

static void test_even_and_stable(void **state)
{
	int share[3] = { 0 }, moved = 0, wrongly = 0;

	(void)state;
	assert_int_equal(nms_partition_owner("r1", ids[0], 32, 0), -1);
	for (int i = 0; i < ROUTERS; i++) {
		char dev[16];
		int three, two;

		snprintf(dev, sizeof(dev), "r%d", i);
		three = nms_partition_owner(dev, ids[0], 32, 3);
		assert_true(three >= 0 && three < 3);
		share[three]++;
		/* Without the last host: its routers move, no others. */
		two = nms_partition_owner(dev, ids[0], 32, 2);
		if (three == 2)
			moved++;
		else if (two != three)
			wrongly++;
	}
	for (int i = 0; i < 3; i++)
		assert_true(share[i] > ROUTERS / 3 - ROUTERS / 20 &&
			    share[i] < ROUTERS / 3 + ROUTERS / 20);
	assert_int_equal(moved, share[2]);
	assert_int_equal(wrongly, 0);
	/* The same inputs, the same owner, on every host. */
	assert_int_equal(nms_partition_owner("r42", ids[0], 32, 3),
			 nms_partition_owner("r42", ids[0], 32, 3));
	assert_true(nms_partition_weight("ab", "c") !=
		    nms_partition_weight("a", "bc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_even_and_stable),
	};

	return TR_RUN(tests, NULL, NULL);
}
