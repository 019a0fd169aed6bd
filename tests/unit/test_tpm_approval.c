// SPDX-License-Identifier: GPL-2.0-only
/*
 * Approvals of PCR states (tpm/approval.h), in software: signed by a
 * policy key and verified with its public area, a list encoded and
 * decoded bit for bit, every truncation and every malformed field
 * refused by name, and a PolicyAuthorize key file that takes only
 * approvals its authorizer signed, each state once, newest first.
 */
#include "tpm/approval.h"
#include "tpm/convert.h"
#include "tpm/policy_stmt.h"
#include "tr_test.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static EVP_PKEY *policy_key, *other_key;
static TPM2B_PUBLIC authorizer;
static TPM2B_NONCE ref = { .size = 10, .buffer = "trustroute" };

static int setup(void **state)
{
	(void)state;
	policy_key = EVP_EC_gen("P-256");
	other_key = EVP_EC_gen("P-256");
	if (!policy_key || !other_key ||
	    tr_tpm_public_from_evp(policy_key, &authorizer, NULL, 0) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(policy_key);
	EVP_PKEY_free(other_key);
	return 0;
}

/* The state "PCR 11 = @fill..., PCR 16 = 0" approved as @name. */
static void approve(EVP_PKEY *k, uint8_t fill, const char *name,
		    struct tr_named_approval *a)
{
	struct tr_pcr_values p = { 0 };
	char err[256];

	p.selected[11] = p.selected[16] = 1;
	memset(p.value[11], fill, 32);
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	if (tr_approval_sign(k, &p, ref.buffer, ref.size, &a->a, err,
			     sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void test_sign_verify(void **state)
{
	struct tr_named_approval a;
	TPM2B_NONCE wrong = { .size = 5, .buffer = "other" };
	char err[256];

	(void)state;
	approve(policy_key, 1, "v1", &a);
	assert_int_equal(tr_approval_verify(&a.a, &authorizer, &ref, err,
					    sizeof(err)),
			 0);
	/* Another key's approval, or the right key under another ref. */
	assert_int_equal(tr_approval_verify(&a.a, &authorizer, &wrong, err,
					    sizeof(err)),
			 -1);
	approve(other_key, 1, "v1", &a);
	assert_int_equal(tr_approval_verify(&a.a, &authorizer, &ref, err,
					    sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not signed by the key's authorizer"));
	/* A changed state under a good signature. */
	approve(policy_key, 1, "v1", &a);
	a.a.pcr_digest[0] ^= 1;
	assert_int_equal(tr_approval_verify(&a.a, &authorizer, &ref, err,
					    sizeof(err)),
			 -1);
}

static void encode(const struct tr_named_approval *v, size_t n, uint8_t *buf,
		   size_t *len)
{
	char err[256];

	if (tr_approvals_encode(v, n, buf, TR_APPROVALS_WIRE_MAX, len, err,
				sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void test_round_trip(void **state)
{
	struct tr_named_approval v[2],
		*w = calloc(TR_APPROVALS_MAX, sizeof(*w));
	uint8_t buf[TR_APPROVALS_WIRE_MAX];
	size_t len, n;
	char err[256];

	(void)state;
	approve(policy_key, 1, "image-1.0", &v[0]);
	approve(policy_key, 2, "image_1.1", &v[1]);
	encode(v, 2, buf, &len);
	assert_int_equal(tr_approvals_decode(buf, len, w, TR_APPROVALS_MAX, &n,
					     err, sizeof(err)),
			 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(w[i].name, v[i].name);
		assert_true(tr_approval_same_state(&w[i].a, &v[i].a));
		assert_int_equal(tr_approval_verify(&w[i].a, &authorizer, &ref,
						    err, sizeof(err)),
				 0);
	}
	/* Empty list: one byte. */
	encode(v, 0, buf, &len);
	assert_int_equal(len, 1);
	free(w);
}

static void test_decode_refuses(void **state)
{
	struct tr_named_approval v[2],
		*w = calloc(TR_APPROVALS_MAX, sizeof(*w));
	uint8_t buf[TR_APPROVALS_WIRE_MAX], bad[TR_APPROVALS_WIRE_MAX + 1];
	size_t len, n, name_at = 2;
	char err[256];

	(void)state;
	approve(policy_key, 1, "v1", &v[0]);
	approve(policy_key, 2, "v2", &v[1]);
	encode(v, 2, buf, &len);
	/* Every truncation. */
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(tr_approvals_decode(buf, cut, w,
						     TR_APPROVALS_MAX, &n, err,
						     sizeof(err)),
				 -1);
	/* A byte left over. */
	memcpy(bad, buf, len);
	bad[len] = 0;
	assert_int_equal(tr_approvals_decode(bad, len + 1, w, TR_APPROVALS_MAX,
					     &n, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "left over"));
	/* More than the maximum, or than the caller has room for. */
	bad[0] = TR_APPROVALS_MAX + 1;
	assert_int_equal(tr_approvals_decode(bad, len, w, TR_APPROVALS_MAX, &n,
					     err, sizeof(err)),
			 -1);
	assert_int_equal(
		tr_approvals_decode(buf, len, w, 1, &n, err, sizeof(err)), -1);
	/* A name with a character a set's name cannot have. */
	memcpy(bad, buf, len);
	bad[name_at] = '/';
	assert_int_equal(tr_approvals_decode(bad, len, w, TR_APPROVALS_MAX, &n,
					     err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "approval 0: bad name"));
	/* An empty name. */
	memcpy(bad, buf, len);
	bad[1] = 0;
	assert_int_equal(tr_approvals_decode(bad, len, w, TR_APPROVALS_MAX, &n,
					     err, sizeof(err)),
			 -1);
	/* Not an ECDSA signature: sigAlg follows the 44-byte PolicyPCR. */
	memcpy(bad, buf, len);
	bad[1 + 1 + 2 + 44 + 1] = 0x14; /* TPM2_ALG_RSASSA */
	assert_int_equal(tr_approvals_decode(bad, len, w, TR_APPROVALS_MAX, &n,
					     err, sizeof(err)),
			 -1);
	assert_int_equal(n, 0);
	free(w);
}

/* A PolicyAuthorize key file (no key parts needed here). */
static void authorize_keyfile(struct tr_keyfile *kf)
{
	uint8_t stmt[sizeof(TPM2B_PUBLIC) + 80];
	size_t slen;
	char err[256];

	memset(kf, 0, sizeof(*kf));
	assert_int_equal(tr_stmt_build_authorize(&authorizer, &ref, NULL, stmt,
						 sizeof(stmt), &slen),
			 0);
	assert_int_equal(tr_policy_add(&kf->policy, TR_CC_POLICY_AUTHORIZE,
				       stmt, slen, err, sizeof(err)),
			 0);
}

static void test_keyfile_takes_only_authorizers(void **state)
{
	struct tr_named_approval v[3], have[TR_KEYFILE_MAX_AUTHPOLICY];
	struct tr_keyfile kf;
	size_t added;
	char err[256];

	(void)state;
	authorize_keyfile(&kf);
	approve(policy_key, 1, "v1", &v[0]);
	approve(policy_key, 2, "v2", &v[1]);
	approve(other_key, 3, "forged", &v[2]);
	assert_int_equal(tr_keyfile_add_approvals(&kf, v, 1, &added, err,
						  sizeof(err)),
			 0);
	assert_int_equal(added, 1);
	/* A forged one among good ones: nothing is taken. */
	assert_int_equal(tr_keyfile_add_approvals(&kf, v, 3, &added, err,
						  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "\"forged\""));
	assert_int_equal(added, 0);
	assert_int_equal(kf.n_auth, 1);
	/* v1 again is no news; v2 is, and goes first. */
	assert_int_equal(tr_keyfile_add_approvals(&kf, v, 2, &added, err,
						  sizeof(err)),
			 0);
	assert_int_equal(added, 1);
	assert_int_equal(tr_keyfile_approvals(&kf, have, 16), 2);
	assert_string_equal(have[0].name, "v2");
	assert_string_equal(have[1].name, "v1");
	assert_true(tr_approval_same_state(&have[0].a, &v[1].a));
	tr_keyfile_free(&kf);
}

static void test_keyfile_full_drops_oldest(void **state)
{
	struct tr_named_approval v, have[TR_KEYFILE_MAX_AUTHPOLICY];
	struct tr_keyfile kf;
	size_t added;
	char err[256], name[16];

	(void)state;
	authorize_keyfile(&kf);
	for (int i = 0; i < TR_KEYFILE_MAX_AUTHPOLICY + 2; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		approve(policy_key, (uint8_t)(i + 1), name, &v);
		assert_int_equal(tr_keyfile_add_approvals(&kf, &v, 1, &added,
							  err, sizeof(err)),
				 0);
	}
	assert_int_equal(kf.n_auth, TR_KEYFILE_MAX_AUTHPOLICY);
	tr_keyfile_approvals(&kf, have, TR_KEYFILE_MAX_AUTHPOLICY);
	assert_string_equal(have[0].name, "v17");
	assert_string_equal(have[TR_KEYFILE_MAX_AUTHPOLICY - 1].name, "v2");
	tr_keyfile_free(&kf);
}

static void test_not_an_authorize_keyfile(void **state)
{
	struct tr_named_approval v;
	struct tr_keyfile kf = { 0 };
	size_t added;
	char err[256];

	(void)state;
	approve(policy_key, 1, "v1", &v);
	assert_int_equal(tr_keyfile_add_approvals(&kf, &v, 1, &added, err,
						  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not a PolicyAuthorize key"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_decode_refuses),
		cmocka_unit_test(test_keyfile_takes_only_authorizers),
		cmocka_unit_test(test_keyfile_full_drops_oldest),
		cmocka_unit_test(test_not_an_authorize_keyfile),
	};

	return TR_RUN(tests, setup, teardown);
}
