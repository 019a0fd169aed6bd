// SPDX-License-Identifier: GPL-2.0-only
/*
 * Credential activation on swtpms: a credential made in software for this
 * TPM's EK and AK unwraps in the TPM to the same secret; one made for
 * another AK, for another TPM's EK, or changed in transit does not.
 */
#include "tpm_pair.h"
#include "tpm/certify.h"
#include "tpm/credential.h"
#include "tpm/ek.h"
#include "tr_test.h"
#include "tpm/convert.h"

#include <string.h>

static struct tpm_pair pair;
static TPM2B_PUBLIC ek_pub, ek2_pub, ak_pub, ak2_pub;
static TPM2B_PRIVATE ak_priv, ak2_priv;
static TPM2B_NAME ak_name, ak2_name;
static const uint8_t secret[32] = "the NMS's one-time secret.......";

static int setup(void **state)
{
	ESYS_TR ek, ek2;
	char err[256];

	(void)state;
	if (tpm_pair_start(&pair) < 0 ||
	    tr_ek_create(&pair.t[0], &ek, &ek_pub, err, sizeof(err)) < 0 ||
	    tr_ek_create(&pair.t[1], &ek2, &ek2_pub, err, sizeof(err)) < 0 ||
	    tr_ak_create(&pair.t[0], &ak_pub, &ak_priv, err, sizeof(err)) < 0 ||
	    tr_ak_create(&pair.t[0], &ak2_pub, &ak2_priv, err, sizeof(err)) <
		    0 ||
	    tr_tpm_name(&ak_pub, &ak_name) < 0 ||
	    tr_tpm_name(&ak2_pub, &ak2_name) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	Esys_FlushContext(pair.t[0].esys, ek);
	Esys_FlushContext(pair.t[1].esys, ek2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tpm_pair_stop(&pair);
	return 0;
}

static void make(const TPM2B_PUBLIC *ek, const TPM2B_NAME *name,
		 TPM2B_ID_OBJECT *cred, TPM2B_ENCRYPTED_SECRET *seed)
{
	char err[256];

	if (tr_make_credential(ek, name, secret, sizeof(secret), cred, seed,
			       err, sizeof(err)))
		fail_msg("%s", err);
}

static void expect_no_activation(const TPM2B_ID_OBJECT *cred,
				 const TPM2B_ENCRYPTED_SECRET *seed)
{
	TPM2B_DIGEST out = { 0 };
	char err[256] = "";

	assert_int_equal(tr_activate_credential(&pair.t[0], &ak_pub, &ak_priv,
						cred, seed, &out, err,
						sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "TPM2_ActivateCredential"));
	assert_int_equal(out.size, 0);
}

static void test_activates(void **state)
{
	TPM2B_ID_OBJECT cred;
	TPM2B_ENCRYPTED_SECRET seed;
	TPM2B_DIGEST out = { 0 };
	char err[256];

	(void)state;
	make(&ek_pub, &ak_name, &cred, &seed);
	if (tr_activate_credential(&pair.t[0], &ak_pub, &ak_priv, &cred, &seed,
				   &out, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(out.size, sizeof(secret));
	assert_memory_equal(out.buffer, secret, sizeof(secret));
	/* Nothing left behind in the TPM: it can be done again. */
	make(&ek_pub, &ak_name, &cred, &seed);
	assert_int_equal(tr_activate_credential(&pair.t[0], &ak_pub, &ak_priv,
						&cred, &seed, &out, err,
						sizeof(err)),
			 0);
}

static void test_made_for_another_ak(void **state)
{
	TPM2B_ID_OBJECT cred;
	TPM2B_ENCRYPTED_SECRET seed;

	(void)state;
	/* An AK of this TPM, but not the one the router claims. */
	make(&ek_pub, &ak2_name, &cred, &seed);
	expect_no_activation(&cred, &seed);
}

static void test_made_for_another_tpm(void **state)
{
	TPM2B_ID_OBJECT cred;
	TPM2B_ENCRYPTED_SECRET seed;

	(void)state;
	make(&ek2_pub, &ak_name, &cred, &seed);
	expect_no_activation(&cred, &seed);
}

static void test_changed_in_transit(void **state)
{
	TPM2B_ID_OBJECT cred;
	TPM2B_ENCRYPTED_SECRET seed;

	(void)state;
	make(&ek_pub, &ak_name, &cred, &seed);
	cred.credential[cred.size - 1] ^= 1; /* the encrypted secret */
	expect_no_activation(&cred, &seed);
}

static void test_refuses_bad_input(void **state)
{
	TPM2B_ID_OBJECT cred;
	TPM2B_ENCRYPTED_SECRET seed;
	TPM2B_NAME empty = { 0 };
	char err[256];

	(void)state;
	/* Not an EK: the AK (ECC) as the wrapping key. */
	assert_int_equal(tr_make_credential(&ak_pub, &ak_name, secret, 32,
					    &cred, &seed, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "EK is not"));
	assert_int_equal(tr_make_credential(&ek_pub, &ak_name, secret, 33,
					    &cred, &seed, err, sizeof(err)),
			 -1);
	assert_int_equal(tr_make_credential(&ek_pub, &ak_name, secret, 0, &cred,
					    &seed, err, sizeof(err)),
			 -1);
	assert_int_equal(tr_make_credential(&ek_pub, &empty, secret, 32, &cred,
					    &seed, err, sizeof(err)),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_activates),
		cmocka_unit_test(test_made_for_another_ak),
		cmocka_unit_test(test_made_for_another_tpm),
		cmocka_unit_test(test_changed_in_transit),
		cmocka_unit_test(test_refuses_bad_input),
	};

	return TR_RUN(tests, setup, teardown);
}
