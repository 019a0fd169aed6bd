// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: a TPM2B_PUBLIC from outside (enrollment requests, key
 * files, evidence) as the NMS takes it: unmarshalled, then converted to
 * an OpenSSL key (tr_tpm_public_to_evp), named and checked as an AK and
 * as a sealed TLS key. A converted key is the key of the public area
 * (the same P-256 point, the same RSA modulus and exponent); a public
 * area that passes as an AK or a sealed key converts; every refusal says
 * why. abort() otherwise.
 */
#include "fuzz.h"
#include "soft_tpm.h"
#include "tpm/certify.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static void same_ec(const TPMT_PUBLIC *a, EVP_PKEY *k)
{
	TPM2B_PUBLIC back;
	char err[256];

	if (tr_tpm_public_from_evp(k, &back, err, sizeof(err)) ||
	    memcmp(back.publicArea.unique.ecc.x.buffer, a->unique.ecc.x.buffer,
		   32) ||
	    memcmp(back.publicArea.unique.ecc.y.buffer, a->unique.ecc.y.buffer,
		   32))
		abort();
}

static void same_rsa(const TPMT_PUBLIC *a, EVP_PKEY *k)
{
	BIGNUM *n = NULL, *e = NULL;
	BIGNUM *want =
		BN_bin2bn(a->unique.rsa.buffer, a->unique.rsa.size, NULL);
	uint32_t exp = a->parameters.rsaDetail.exponent ?
			       a->parameters.rsaDetail.exponent :
			       65537;

	if (!want || !EVP_PKEY_is_a(k, "RSA") ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) ||
	    BN_cmp(n, want) || !BN_is_word(e, exp))
		abort();
	BN_free(n);
	BN_free(e);
	BN_free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TPM2B_PUBLIC pub;
	TPM2B_NAME name;
	EVP_PKEY *k;
	char err[256] = "";
	size_t off = 0;
	bool ak, sealed;

	fuzz_quiet_tss();
	memset(&pub, 0, sizeof(pub));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(data, size, &off, &pub) ||
	    off != size)
		return 0;
	k = tr_tpm_public_to_evp(&pub, err, sizeof(err));
	if (!k && !err[0])
		abort();
	err[0] = 0;
	ak = tr_ak_check_public(&pub, err, sizeof(err)) == 0;
	if (!ak && !err[0])
		abort();
	err[0] = 0;
	sealed = tr_sealed_key_check_public(&pub, soft_tls_policy, err,
					    sizeof(err)) == 0;
	if (!sealed && !err[0])
		abort();
	if (k) {
		if (pub.publicArea.type == TPM2_ALG_ECC)
			same_ec(&pub.publicArea, k);
		else if (pub.publicArea.type == TPM2_ALG_RSA)
			same_rsa(&pub.publicArea, k);
		else
			abort();
		EVP_PKEY_free(k);
	} else if (ak || sealed) {
		abort();
	}
	if (!tr_tpm_name(&pub, &name))
		fuzz_sink += name.name[2];
	return 0;
}
