// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key policy the NMS expects, from its configuration: PolicyPCR over
 * the PCR the reference lists predict (whatever order they are given
 * in) and fixed PCR values, or PolicyAuthorize by the vendor's key; and
 * configurations that cannot describe one policy are refused.
 */
#include "digest-lists/lib/dl_format.h"
#include "digest-lists/lib/dl_gen.h"
#include "digest-lists/lib/dl_predict.h"
#include "nms/enroll/key_policy.h"
#include "test_dir.h"
#include "tpm/approval.h"
#include "tpm/key.h"
#include "tr_test.h"
#include "tpm/convert.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

static struct test_dir dir;
static char list_a[512], list_b[512], junk[512], vendor[512];

#define HEX64(c)                                                              \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
		c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static int make_list(const char *name, const char *content, char *path)
{
	struct dl_set s;
	uint8_t d[32] = { 0 };
	size_t n;
	char err[256];
	int rc;

	memcpy(d, content, strlen(content) < 32 ? strlen(content) : 32);
	test_dir_path(&dir, path, 512, name);
	dl_set_init(&s, HASH_ALGO_SHA256);
	rc = dl_set_add(&s, d, "/bin/x", "", true) ||
	     dl_set_write(&s, true, path, true, &n, err, sizeof(err));
	dl_set_free(&s);
	return rc ? -1 : 0;
}

static int setup(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	FILE *f;

	(void)state;
	if (test_dir_make(&dir, "trustroute-key-policy") < 0 || !k ||
	    make_list("10-a.list", "a", list_a) < 0 ||
	    make_list("20-b.list", "b", list_b) < 0)
		return -1;
	test_dir_path(&dir, junk, sizeof(junk), "junk.list");
	test_write_buf(junk, "not a list", 10);
	test_dir_path(&dir, vendor, sizeof(vendor), "vendor.pub");
	f = fopen(vendor, "w");
	if (!f || !PEM_write_PUBKEY(f, k) || fclose(f))
		return -1;
	EVP_PKEY_free(k);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return test_dir_remove(&dir);
}

static void lists_config(struct nms_key_policy_config *c, const char *first,
			 const char *second)
{
	memset(c, 0, sizeof(*c));
	c->lists[0] = first;
	c->lists[1] = second;
	c->n_lists = 2;
	c->lists_name_dir = "/etc/trustroute/digest_lists";
	c->lists_pcr = 11;
}

static void test_from_reference_lists(void **state)
{
	struct nms_key_policy_config c;
	struct dl_measured_file f[2];
	struct tr_pcr_values pcrs = { 0 };
	uint8_t got[32], again[32], want[32] = { 0 };
	uint8_t *a, *b;
	size_t alen, blen;
	char desc[128], err[256];

	(void)state;
	lists_config(&c, list_a, list_b);
	if (nms_key_policy(&c, got, desc, sizeof(desc), err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(desc, "PolicyPCR sha256:11");
	/* Loaded in name order, named where routers load them from. */
	a = test_read_buf(list_a, 1 << 20, &alen);
	b = test_read_buf(list_b, 1 << 20, &blen);
	f[0] = (struct dl_measured_file){
		a, alen, "/etc/trustroute/digest_lists/10-a.list"
	};
	f[1] = (struct dl_measured_file){
		b, blen, "/etc/trustroute/digest_lists/20-b.list"
	};
	pcrs.selected[11] = 1;
	assert_int_equal(dl_predict_extend("sha256", pcrs.value[11], f, 2), 0);
	tr_policy_pcr(want, &pcrs);
	assert_memory_equal(got, want, 32);
	/* The order they are configured in does not matter. */
	lists_config(&c, list_b, list_a);
	assert_int_equal(nms_key_policy(&c, again, desc, sizeof(desc), err,
					sizeof(err)),
			 0);
	assert_memory_equal(again, want, 32);
	/* Boot PCRs with fixed values join the selection. */
	c.pcr_values = "0=" HEX64("1") ",7=" HEX64("2");
	assert_int_equal(nms_key_policy(&c, again, desc, sizeof(desc), err,
					sizeof(err)),
			 0);
	assert_string_equal(desc, "PolicyPCR sha256:0,7,11");
	memset(pcrs.value[0], 0x11, 32);
	memset(pcrs.value[7], 0x22, 32);
	pcrs.selected[0] = pcrs.selected[7] = 1;
	memset(want, 0, 32);
	tr_policy_pcr(want, &pcrs);
	assert_memory_equal(again, want, 32);
	free(a);
	free(b);
}

static void test_authorizer(void **state)
{
	struct nms_key_policy_config c = { .authorizer = vendor,
					   .authorizer_ref = "rev1" };
	uint8_t got[32], want[32];
	TPM2B_PUBLIC pub;
	TPM2B_NAME name;
	EVP_PKEY *k;
	FILE *f = fopen(vendor, "r");
	char desc[128], err[256];

	(void)state;
	assert_non_null(f);
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	assert_int_equal(tr_tpm_public_from_evp(k, &pub, err, sizeof(err)), 0);
	EVP_PKEY_free(k);
	tr_tpm_name(&pub, &name);
	tr_policy_authorize(want, name.name, name.size, (const uint8_t *)"rev1",
			    4);
	assert_int_equal(nms_key_policy(&c, got, desc, sizeof(desc), err,
					sizeof(err)),
			 0);
	assert_memory_equal(got, want, 32);
	assert_non_null(strstr(desc, "PolicyAuthorize by"));
}

/* The NMS holding the policy key (issue 20, item 1): the keys' policy is
 * PolicyAuthorize by its public half, and each reference set predicts
 * the state the NMS signs an approval of. */
static void test_policy_key_approves_each_set(void **state)
{
	struct nms_key_policy_config c = {
		.authorizer_ref = "rev1",
		.lists_pcr = 11,
		.lists_name_dir = "/etc/trustroute/digest_lists"
	};
	const char *set1[] = { list_a }, *set2[] = { list_a, list_b };
	struct tr_pcr_values p1, p2, again;
	struct tr_approval a1, a2;
	TPM2B_NONCE ref = { .size = 4, .buffer = "rev1" };
	uint8_t got[32], want[32];
	char path[512], desc[128], err[256];
	EVP_PKEY *k = EVP_EC_gen("P-256");
	TPM2B_PUBLIC pub;
	TPM2B_NAME name;
	FILE *f;

	(void)state;
	test_dir_path(&dir, path, sizeof(path), "policy.key");
	f = fopen(path, "w");
	assert_true(f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	c.policy_key = path;
	assert_int_equal(tr_tpm_public_from_evp(k, &pub, err, sizeof(err)), 0);
	tr_tpm_name(&pub, &name);
	tr_policy_authorize(want, name.name, name.size, ref.buffer, ref.size);
	if (nms_key_policy(&c, got, desc, sizeof(desc), err, sizeof(err)))
		fail_msg("%s", err);
	assert_memory_equal(got, want, 32);
	assert_non_null(strstr(desc, "(signed here)"));
	/* Two sets, two states, each approved and verified. */
	if (nms_predicted_pcrs(&c, set1, 1, &p1, err, sizeof(err)) ||
	    nms_predicted_pcrs(&c, set2, 2, &p2, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(p1.selected[11] && p2.selected[11]);
	assert_memory_not_equal(p1.value[11], p2.value[11], 32);
	assert_int_equal(
		nms_predicted_pcrs(&c, set1, 1, &again, err, sizeof(err)), 0);
	assert_memory_equal(again.value[11], p1.value[11], 32);
	assert_int_equal(tr_approval_sign(k, &p1, ref.buffer, ref.size, &a1,
					  err, sizeof(err)),
			 0);
	assert_int_equal(tr_approval_sign(k, &p2, ref.buffer, ref.size, &a2,
					  err, sizeof(err)),
			 0);
	assert_int_equal(tr_approval_verify(&a1, &pub, &ref, err, sizeof(err)),
			 0);
	assert_int_equal(tr_approval_verify(&a2, &pub, &ref, err, sizeof(err)),
			 0);
	assert_false(tr_approval_same_state(&a1, &a2));
	/* Refused: a policy key with an authorizer; lists whose PCR is
	 * also fixed; nothing to predict; a public key as the policy key. */
	c.authorizer = vendor;
	assert_int_equal(nms_key_policy(&c, got, desc, sizeof(desc), err,
					sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "exclude each other"));
	c.authorizer = NULL;
	c.pcr_values = "11=" HEX64("1");
	assert_int_equal(nms_predicted_pcrs(&c, set1, 1, &p1, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "a PCR of their own"));
	c.pcr_values = NULL;
	assert_int_equal(nms_predicted_pcrs(&c, set1, 0, &p1, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no PCR state"));
	c.policy_key = vendor;
	assert_int_equal(nms_key_policy(&c, got, desc, sizeof(desc), err,
					sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not a PEM private key"));
	EVP_PKEY_free(k);
}

static void refused(const struct nms_key_policy_config *c, const char *why)
{
	uint8_t p[32];
	char desc[128], err[256] = "";

	if (nms_key_policy(c, p, desc, sizeof(desc), err, sizeof(err)) != -1 ||
	    !strstr(err, why))
		fail_msg("wanted \"%s\", got \"%s\"", why, err);
}

static void test_refused_configurations(void **state)
{
	struct nms_key_policy_config c = { 0 };

	(void)state;
	refused(&c, "no key policy");
	c.pcr_values = "11=" HEX64("0") ",11=" HEX64("0");
	refused(&c, "want N=HEX");
	c.pcr_values = "24=" HEX64("0");
	refused(&c, "want N=HEX");
	c.pcr_values = "7=00";
	refused(&c, "PCR 7: want 64 hex digits");
	c.pcr_values = "7=" HEX64("g");
	refused(&c, "PCR 7: want 64 hex digits");
	c.pcr_values = "7=" HEX64("0") "x";
	refused(&c, "PCR 7: want 64 hex digits");
	lists_config(&c, list_a, list_b);
	c.pcr_values = "11=" HEX64("0");
	refused(&c, "reference lists need a PCR of their own");
	lists_config(&c, list_a, junk);
	refused(&c, "junk.list");
	lists_config(&c, list_a, "/nonexistent/x.list");
	refused(&c, "/nonexistent/x.list: No such file");
	lists_config(&c, list_a, list_a);
	refused(&c, "two lists named /etc/trustroute/digest_lists/10-a.list");
	c.authorizer = vendor;
	refused(&c, "exclude each other");
	memset(&c, 0, sizeof(c));
	c.authorizer = junk;
	refused(&c, "not a PEM public key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_reference_lists),
		cmocka_unit_test(test_authorizer),
		cmocka_unit_test(test_policy_key_approves_each_set),
		cmocka_unit_test(test_refused_configurations),
	};

	return TR_RUN(tests, setup, teardown);
}
