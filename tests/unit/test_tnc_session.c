// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NMS's TNC session without sockets (tnc_session_*): a scripted
 * router (tests/lib/tnc_router.h) with the software AK goes through
 * whole sessions, certified, claiming its name, with SASL, in mutual
 * mode, healthy and compromised, and the verdicts are the ones the IMVs
 * must reach.
 */
#include "ref_lists.h"
#include "soft_tpm.h"
#include "tnc_router.h"
#include "tr_test.h"

#include <string.h>

static struct ref_lists lists;
static struct imv_attest_policy attest;
static const struct imv_os_policy os = { .n_products = 0 };
static const struct os_facts nms_facts = {
	.product = "Debian GNU/Linux",
	.version = "12 x86_64",
	.major = 12,
	.device_id = "fedcba9876543210fedcba9876543210"
};
static uint8_t log_buf[8192];

static struct decision {
	unsigned n;
	struct tnc_session_info info;
	char device[64];
	struct nms_verdict v;
} last;

static int ak_of(const char *device, TPM2B_PUBLIC *ak, void *arg)
{
	(void)arg;
	return strcmp(device, "r1") ? -1 : soft_ak_public(ak);
}

static void decided(const struct tnc_session_info *i,
		    const struct nms_verdict *v, void *arg)
{
	(void)arg;
	last.n++;
	last.info = *i;
	snprintf(last.device, sizeof(last.device), "%s", i->device);
	last.v = *v;
}

static int setup(void **state)
{
	(void)state;
	if (ref_lists_init(&lists) < 0)
		return -1;
	attest.refs = &lists.refs;
	attest.bad = &lists.bad;
	attest.n_bad = 1;
	attest.pcrs[10] = attest.pcrs[11] = 1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ref_lists_free(&lists);
	return 0;
}

static struct tnc_server_config config(bool sasl, bool mutual)
{
	return (struct tnc_server_config){
		.sasl_user = sasl ? "r1" : NULL,
		.sasl_password = sasl ? "pw" : NULL,
		.mutual = mutual,
		.os_policy = &os,
		.attest_policy = &attest,
		.own_facts = &nms_facts,
		.ak_of = ak_of,
		.decided = decided,
	};
}

/*
 * One session of router @r; the NMS's decision is in @last. The router's
 * -1 (it refuses what the NMS said), or 0.
 */
static int try_session(const struct tnc_server_config *c, const char *cn,
		       struct tnc_router *r, const char *const *run, size_t n)
{
	struct tnc_session_io io = tnc_router_io(r);
	struct tnc_session *s;
	char err[256];
	int rc;

	memset(&last, 0, sizeof(last));
	r->log = log_buf;
	r->log_len = ref_log(&lists, run, n, log_buf, sizeof(log_buf));
	assert_true(r->log_len > 0);
	snprintf(r->facts.product, sizeof(r->facts.product), "Debian");
	snprintf(r->facts.version, sizeof(r->facts.version), "12 x86_64");
	r->facts.major = 12;
	snprintf(r->facts.device_id, sizeof(r->facts.device_id),
		 "0123456789abcdef0123456789abcdef");
	s = tnc_session_open(c, "192.0.2.1", cn, &io);
	assert_non_null(s);
	rc = tnc_router_run(r, s, err, sizeof(err));
	tnc_session_free(s);
	return rc;
}

static void session(const struct tnc_server_config *c, const char *cn,
		    struct tnc_router *r, const char *const *run, size_t n)
{
	if (try_session(c, cn, r, run, n))
		fail_msg("the router gave up");
}

static void test_certified_good(void **state)
{
	struct tnc_server_config c = config(false, false);
	struct tnc_router r = { .device = "r1" };

	(void)state;
	session(&c, "r1", &r, NULL, 0);
	assert_int_equal(last.n, 1);
	if (last.v.v != VERDICT_GOOD)
		fail_msg("not good: %s", last.v.reason[0]);
	assert_string_equal(last.device, "r1");
	assert_true(last.info.certified && last.info.proven &&
		    last.info.attested);
	assert_true(r.quoted && r.closed);
	assert_int_equal(r.assessment, TR_PA_COMPLIANT);
	assert_int_equal(r.access, TR_PB_ACCESS_ALLOWED);
	tnc_router_free(&r);
}

/* Without a certificate the quote proves the name it claims. */
static void test_claim_proven(void **state)
{
	struct tnc_server_config c = config(false, false);
	struct tnc_router r = { .device = "r1" };

	(void)state;
	session(&c, NULL, &r, NULL, 0);
	assert_int_equal(last.n, 1);
	assert_int_equal(last.v.v, VERDICT_GOOD);
	assert_true(!last.info.certified && last.info.proven);
	tnc_router_free(&r);
}

/* A name without an enrolled AK: not attested, so unknown. */
static void test_claim_unknown_device(void **state)
{
	struct tnc_server_config c = config(false, false);
	struct tnc_router r = { .device = "r9" };

	(void)state;
	session(&c, NULL, &r, NULL, 0);
	assert_int_equal(last.n, 1);
	assert_int_equal(last.v.v, VERDICT_UNKNOWN);
	assert_false(last.info.proven);
	assert_false(r.quoted);
	assert_int_equal(r.access, TR_PB_ACCESS_QUARANTINED);
	tnc_router_free(&r);
}

static void test_compromised(void **state)
{
	static const char *const rootkit[] = { "rootkit" };
	static const char *const unknown[] = { "tcpdump" };
	struct tnc_server_config c = config(false, false);
	struct tnc_router r = { .device = "r1" };

	(void)state;
	session(&c, "r1", &r, rootkit, 1);
	assert_int_equal(last.v.v, VERDICT_BAD);
	assert_int_equal(r.access, TR_PB_ACCESS_DENIED);
	tnc_router_free(&r);
	memset(&r, 0, sizeof(r));
	r.device = "r1";
	session(&c, "r1", &r, unknown, 1);
	assert_int_equal(last.v.v, VERDICT_UNKNOWN);
	tnc_router_free(&r);
}

/* Its certificate says r1, it claims r2: a lie in a proven session. */
static void test_claim_mismatch(void **state)
{
	struct tnc_server_config c = config(false, false);
	struct tnc_router r = { .device = "r2" };

	(void)state;
	session(&c, "r1", &r, NULL, 0);
	assert_int_equal(last.v.v, VERDICT_BAD);
	tnc_router_free(&r);
}

static void test_sasl(void **state)
{
	struct tnc_server_config c = config(true, false);
	struct tnc_router r = { .sasl_user = "r1", .sasl_password = "pw" };

	(void)state;
	session(&c, NULL, &r, NULL, 0);
	assert_int_equal(last.n, 1);
	assert_string_equal(last.device, "r1");
	/* SASL is for strongSwan's client, which has no quote to give. */
	assert_int_equal(last.v.v, VERDICT_UNKNOWN);
	assert_false(r.quoted);
	tnc_router_free(&r);
	/* A wrong password: no session, no decision. */
	memset(&r, 0, sizeof(r));
	r.sasl_user = "r1";
	r.sasl_password = "guess";
	assert_int_equal(try_session(&c, NULL, &r, NULL, 0), -1);
	assert_int_equal(last.n, 0);
	assert_true(r.closed);
	tnc_router_free(&r);
}

/* Mutual: after its RESULT, the router assesses the NMS. */
/*
 * What fuzz_tnc_session found: a router that asks for a retry (CRETRY)
 * after the NMS's result got a second decision at once, on the evidence
 * of the first round: no new quote request, nothing it sent again
 * assessed. A retry is a new assessment, under a fresh nonce.
 */
static void test_retry(void **state)
{
	static const char *const rootkit[] = { "rootkit" };
	struct tnc_server_config c = config(false, false);
	struct tnc_router r = { .device = "r1", .retries = 1 };

	(void)state;
	session(&c, "r1", &r, NULL, 0);
	assert_int_equal(last.n, 2);
	assert_int_equal(r.quote_requests, 2);
	assert_false(r.nonce_reused);
	if (last.v.v != VERDICT_GOOD)
		fail_msg("not good: %s", last.v.reason[0]);
	assert_true(last.info.attested && last.info.proven);
	tnc_router_free(&r);
	/* Claimed, not certified: the second round proves it again, and
	 * what the router shows then is what counts. */
	memset(&r, 0, sizeof(r));
	r.device = "r1";
	r.retries = 2;
	session(&c, NULL, &r, rootkit, 1);
	assert_int_equal(last.n, 3);
	assert_int_equal(r.quote_requests, 3);
	assert_false(r.nonce_reused);
	assert_int_equal(last.v.v, VERDICT_BAD);
	assert_true(last.info.attested && last.info.proven &&
		    !last.info.certified);
	tnc_router_free(&r);
}

static void test_mutual(void **state)
{
	struct tnc_server_config c = config(false, true);
	struct tnc_router r = { .device = "r1", .mutual = true };

	(void)state;
	session(&c, "r1", &r, NULL, 0);
	assert_int_equal(last.n, 1);
	assert_int_equal(last.v.v, VERDICT_GOOD);
	assert_true(last.info.mutual);
	assert_true(r.nms_assessed);
	assert_string_equal(r.nms.product, "Debian GNU/Linux");
	tnc_router_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certified_good),
		cmocka_unit_test(test_claim_proven),
		cmocka_unit_test(test_claim_unknown_device),
		cmocka_unit_test(test_compromised),
		cmocka_unit_test(test_claim_mismatch),
		cmocka_unit_test(test_sasl),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_mutual),
	};

	return TR_RUN(tests, setup, teardown);
}
