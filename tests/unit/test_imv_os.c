// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OS policy: a healthy router is good; each rule raises the verdict
 * to its level with a reason; the worst wins and reasons accumulate.
 */
#include "nms/tnc/imv_os.h"
#include "tr_test.h"

#include <string.h>

static const struct imv_os_policy policy = {
	.products = { "Debian GNU/Linux", "trustroute OS" },
	.n_products = 2,
	.min_major = 12,
	.min_minor = 2,
	.forwarding_expected = true,
};

static struct os_facts healthy(void)
{
	struct os_facts f = { .product = "Debian GNU/Linux",
			      .version = "12.4 x86_64",
			      .major = 12,
			      .minor = 4,
			      .forwarding_v4 = true,
			      .device_id = "3d1219c7c4c5404aaa1f6d2a48adfda4" };
	return f;
}

static void expect(const struct nms_verdict *r, enum verdict v,
		   const char *reason)
{
	assert_int_equal(r->v, v);
	for (size_t i = 0; i < r->n; i++)
		if (strstr(r->reason[i], reason))
			return;
	fail_msg("no reason \"%s\" (%zu reasons)", reason, r->n);
}

static void test_healthy_router_is_good(void **state)
{
	struct os_facts f = healthy();
	struct nms_verdict r;

	(void)state;
	imv_os_assess(&policy, &f, NULL, &r);
	assert_int_equal(r.v, VERDICT_GOOD);
	assert_int_equal(r.n, 0);
	imv_os_assess(&policy, &f, "3d1219c7c4c5404aaa1f6d2a48adfda4", &r);
	assert_int_equal(r.v, VERDICT_GOOD);
}

static void test_rules(void **state)
{
	struct os_facts f = healthy();
	struct nms_verdict r;

	(void)state;
	f.default_password = true;
	imv_os_assess(&policy, &f, NULL, &r);
	expect(&r, VERDICT_BAD, "factory default password enabled");

	f = healthy();
	f.minor = 1;
	imv_os_assess(&policy, &f, NULL, &r);
	expect(&r, VERDICT_BAD, "version 12.1 is below the minimum 12.2");

	f = healthy();
	strcpy(f.product, "Windows");
	imv_os_assess(&policy, &f, NULL, &r);
	expect(&r, VERDICT_UNKNOWN,
	       "product \"Windows\" is not one the operator lists");

	f = healthy();
	f.forwarding_v4 = false;
	imv_os_assess(&policy, &f, NULL, &r);
	expect(&r, VERDICT_UNKNOWN, "forwarding disabled on a router");

	f = healthy();
	imv_os_assess(&policy, &f, "00000000000000000000000000000000", &r);
	expect(&r, VERDICT_BAD,
	       "not 00000000000000000000000000000000 as first seen");

	f = healthy();
	f.device_id[0] = 0;
	imv_os_assess(&policy, &f, NULL, &r);
	expect(&r, VERDICT_UNKNOWN, "OS facts incomplete");
}

/*
 * What fuzz_tnc_session found: the router's device id (and product) went
 * into reasons as they were, so "...\nabcdef" made a reason of two
 * lines: a forged line in nmsd's log. Every reason is one printable line.
 */
static void test_reasons_printable(void **state)
{
	struct os_facts f = healthy();
	struct nms_verdict r;

	(void)state;
	memcpy(f.device_id, "3d1219c7c4c5404a\naa1f6d2a48adfda4", 33);
	strcpy(f.product, "Win\r\ndows\x1b[2J");
	imv_os_assess(&policy, &f, "3d1219c7c4c5404aaa1f6d2a48adfda4", &r);
	expect(&r, VERDICT_BAD, "device id 3d1219c7c4c5404a?aa1f6d2a48adfda4");
	expect(&r, VERDICT_BAD, "product \"Win??dows?[2J\"");
	for (size_t i = 0; i < r.n; i++)
		for (const char *c = r.reason[i]; *c; c++)
			assert_false((unsigned char)*c < 0x20 || *c == 0x7f);
}

static void test_worst_wins(void **state)
{
	struct os_facts f = healthy();
	struct nms_verdict r, more;

	(void)state;
	strcpy(f.product, "Other");
	f.default_password = true;
	imv_os_assess(&policy, &f, NULL, &r);
	assert_int_equal(r.v, VERDICT_BAD);
	assert_int_equal(r.n, 2);
	verdict_init(&more);
	for (int i = 0; i < VERDICT_REASONS + 3; i++)
		verdict_add(&more, VERDICT_UNKNOWN, "unknown file %d", i);
	verdict_merge(&more, &r);
	assert_int_equal(more.v, VERDICT_BAD);
	assert_int_equal(more.n, VERDICT_REASONS);
	assert_int_equal(more.dropped, 5);
	assert_string_equal(verdict_name(more.v), "bad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_router_is_good),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_reasons_printable),
		cmocka_unit_test(test_worst_wins),
	};

	return TR_RUN(tests, NULL, NULL);
}
