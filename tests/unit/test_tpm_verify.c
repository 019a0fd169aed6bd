// SPDX-License-Identifier: GPL-2.0-only
/*
 * The verifier's pure checks of tpm/certify.h and tpm/quote.h with the
 * software AK of soft_tpm.h: good quotes and certifications verify, and
 * what the fuzz targets found is refused.
 */
#include "soft_tpm.h"
#include "tpm/certify.h"
#include "tpm/quote.h"
#include "tr_test.h"

#include <string.h>

static void test_soft_quote(void **state)
{
	TPM2B_DATA nonce = { .size = 20 };
	struct tr_pcr_values pcrs = { 0 };
	struct tr_quote_info info;
	TPM2B_PUBLIC ak;
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	char err[256];

	(void)state;
	pcrs.selected[10] = pcrs.selected[11] = 1;
	memset(pcrs.value[10], 0xaa, 32);
	assert_int_equal(soft_ak_public(&ak), 0);
	assert_int_equal(soft_quote(&nonce, &pcrs, &attest, &sig), 0);
	if (tr_quote_verify(&attest, &sig, &ak, &nonce, pcrs.selected, &pcrs,
			    &info, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(info.reset_count, 3);
}

static void test_soft_certify(void **state)
{
	TPM2B_DATA nonce = { .size = 32 };
	TPM2B_PUBLIC ak, key;
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	char err[256];

	(void)state;
	assert_int_equal(soft_ak_public(&ak), 0);
	assert_int_equal(soft_tls_public(soft_tls_policy, &key), 0);
	assert_int_equal(soft_certify(&key, &nonce, &attest, &sig), 0);
	if (tr_certify_verify(&attest, &sig, &ak, &key, &nonce, err,
			      sizeof(err)))
		fail_msg("%s", err);
	if (tr_sealed_key_check_public(&key, soft_tls_policy, err, sizeof(err)))
		fail_msg("%s", err);
}

/*
 * fuzz_tpm_public: an AK whose point is not on P-256 passed as an AK,
 * and a "2048-bit" RSA TLS key with a one-byte modulus as a sealed key.
 */
static void test_not_a_key(void **state)
{
	TPM2B_PUBLIC ak, key;
	char err[256];

	(void)state;
	assert_int_equal(soft_ak_public(&ak), 0);
	ak.publicArea.unique.ecc.x.buffer[3] ^= 0x40;
	assert_int_equal(tr_ak_check_public(&ak, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a valid public key"));

	memset(&key, 0, sizeof(key));
	key.publicArea.type = TPM2_ALG_RSA;
	key.publicArea.nameAlg = TPM2_ALG_SHA256;
	key.publicArea.objectAttributes =
		TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_FIXEDTPM |
		TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN;
	key.publicArea.authPolicy.size = 32;
	memcpy(key.publicArea.authPolicy.buffer, soft_tls_policy, 32);
	key.publicArea.parameters.rsaDetail.keyBits = 2048;
	key.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	key.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	key.publicArea.unique.rsa.size = 1;
	key.publicArea.unique.rsa.buffer[0] = 0xc5;
	assert_int_equal(tr_sealed_key_check_public(&key, soft_tls_policy, err,
						    sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "modulus of 1 bytes for 2048 bits"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soft_quote),
		cmocka_unit_test(test_soft_certify),
		cmocka_unit_test(test_not_a_key),
	};

	return TR_RUN(tests, NULL, NULL);
}
