// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/convert.h"
#include "base/errmsg.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

int tr_tpm_name(const TPM2B_PUBLIC *pub, TPM2B_NAME *name)
{
	uint8_t buf[sizeof(TPMT_PUBLIC)];
	size_t off = 0;

	if (Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, buf, sizeof(buf),
					&off))
		return -1;
	name->size = 34;
	name->name[0] = TPM2_ALG_SHA256 >> 8;
	name->name[1] = TPM2_ALG_SHA256 & 0xff;
	SHA256(buf, off, name->name + 2);
	return 0;
}

int tr_tpm_public_from_evp(EVP_PKEY *pkey, TPM2B_PUBLIC *pub, char *err,
			   size_t errlen)
{
	uint8_t pt[65];
	size_t len = 0;
	char group[32];

	if (!EVP_PKEY_is_a(pkey, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
					    group, sizeof(group), NULL) ||
	    strcmp(group, "prime256v1") ||
	    !EVP_PKEY_get_octet_string_param(pkey,
					     OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					     pt, sizeof(pt), &len) ||
	    len != 65 || pt[0] != 4)
		return tr_fail(err, errlen,
			       "the authorizer must be an EC P-256 key");
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_ECC;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	pub->publicArea.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT |
					   TPMA_OBJECT_USERWITHAUTH;
	pub->publicArea.parameters.eccDetail.symmetric.algorithm =
		TPM2_ALG_NULL;
	pub->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	pub->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	pub->publicArea.unique.ecc.x.size = 32;
	memcpy(pub->publicArea.unique.ecc.x.buffer, pt + 1, 32);
	pub->publicArea.unique.ecc.y.size = 32;
	memcpy(pub->publicArea.unique.ecc.y.buffer, pt + 33, 32);
	return 0;
}

int tr_tpm_sig_from_der(const uint8_t *der, size_t len, TPMT_SIGNATURE *sig,
			char *err, size_t errlen)
{
	const uint8_t *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *ss;

	if (!s || p != der + len)
		goto bad;
	ECDSA_SIG_get0(s, &r, &ss);
	memset(sig, 0, sizeof(*sig));
	sig->sigAlg = TPM2_ALG_ECDSA;
	sig->signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig->signature.ecdsa.signatureR.size = 32;
	sig->signature.ecdsa.signatureS.size = 32;
	if (BN_bn2binpad(r, sig->signature.ecdsa.signatureR.buffer, 32) != 32 ||
	    BN_bn2binpad(ss, sig->signature.ecdsa.signatureS.buffer, 32) != 32)
		goto bad;
	ECDSA_SIG_free(s);
	return 0;
bad:
	ECDSA_SIG_free(s);
	return tr_fail(err, errlen, "not a P-256 ECDSA signature");
}

int tr_tpm_sig_to_der(const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap)
{
	const TPMS_SIGNATURE_ECDSA *ec = &sig->signature.ecdsa;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(ec->signatureR.buffer, ec->signatureR.size, NULL);
	BIGNUM *s = BN_bin2bn(ec->signatureS.buffer, ec->signatureS.size, NULL);
	int n = -1;

	if (sig->sigAlg == TPM2_ALG_ECDSA && es && r && s &&
	    ECDSA_SIG_set0(es, r, s)) {
		r = s = NULL; /* es owns them now */
		n = i2d_ECDSA_SIG(es, NULL);
		if (n > 0 && (size_t)n <= cap)
			n = i2d_ECDSA_SIG(es, &out);
		else
			n = -1;
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return n > 0 ? n : -1;
}

EVP_PKEY *tr_tpm_public_to_evp(const TPM2B_PUBLIC *pub, char *err,
			       size_t errlen)
{
	const TPMT_PUBLIC *a = &pub->publicArea;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = NULL, *e = NULL;
	uint8_t pt[65];

	if (!bld)
		return NULL;
	if (a->type == TPM2_ALG_ECC &&
	    a->parameters.eccDetail.curveID == TPM2_ECC_NIST_P256 &&
	    a->unique.ecc.x.size == 32 && a->unique.ecc.y.size == 32) {
		pt[0] = 4;
		memcpy(pt + 1, a->unique.ecc.x.buffer, 32);
		memcpy(pt + 33, a->unique.ecc.y.buffer, 32);
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						"prime256v1", 0);
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						 pt, sizeof(pt));
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	} else if (a->type == TPM2_ALG_RSA && a->unique.rsa.size) {
		uint32_t exp = a->parameters.rsaDetail.exponent ?
				       a->parameters.rsaDetail.exponent :
				       65537;

		n = BN_bin2bn(a->unique.rsa.buffer, a->unique.rsa.size, NULL);
		e = BN_new();
		BN_set_word(e, exp);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	} else {
		tr_fail(err, errlen,
			"unsupported public key (P-256 or RSA only)");
		goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!ctx || !params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		tr_fail(err, errlen, "OpenSSL refused the public key");
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	return pkey;
}
