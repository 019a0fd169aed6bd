// SPDX-License-Identifier: GPL-2.0-only
/* Software AK and TLS key for tests and fuzz targets (soft_tpm.h). */
#include "soft_tpm.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <string.h>
#include <tss2/tss2_mu.h>

/* Made once with `openssl genpkey -algorithm EC -pkeyopt
 * ec_paramgen_curve:P-256`; test data, never used for anything real. */
static const char ak_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgn85bDuHlH1uFLk1a\n"
	"nZZ7JdMQtQO7CrzF87Uv/0h0vCGhRANCAAR2augDxHhI3+a5J4EXNW6q+XP6Xg4b\n"
	"RW8IWZplTyUYnA6AT5Wy0vrmwkJecvutKnQYfqUNzygI6fcVygB+js0k\n"
	"-----END PRIVATE KEY-----\n";

static const char tls_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfU9ahH9BDp87T9GY\n"
	"vchZcfLbFiFDQWcq/GwLZJ7RLtyhRANCAAS+c6Ik8xNPzlcJRTZ7jp2u3DzvPkAZ\n"
	"g9TUIB6yueE/L5TDu78w2JV1ESHmU9/3xz72ZMPYxox08+Kd67l6g+be\n"
	"-----END PRIVATE KEY-----\n";

const uint8_t soft_tls_policy[32] = { 0x5c, 0x1e, 0xa1, 0x3d, 0x7e, 0x57 };

static EVP_PKEY *load(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

EVP_PKEY *soft_ak_key(void)
{
	static EVP_PKEY *k;

	if (!k)
		k = load(ak_pem);
	return k;
}

EVP_PKEY *soft_tls_key(void)
{
	static EVP_PKEY *k;

	if (!k)
		k = load(tls_pem);
	return k;
}

int soft_ak_public(TPM2B_PUBLIC *pub)
{
	EVP_PKEY *k = soft_ak_key();
	TPMT_PUBLIC *a = &pub->publicArea;

	if (!k || tr_tpm_public_from_evp(k, pub, NULL, 0) < 0)
		return -1;
	a->objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT |
			      TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_FIXEDTPM |
			      TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_SENSITIVEDATAORIGIN |
			      TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
	a->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	a->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	return 0;
}

int soft_tls_public(const uint8_t policy[32], TPM2B_PUBLIC *pub)
{
	EVP_PKEY *k = soft_tls_key();
	TPMT_PUBLIC *a = &pub->publicArea;

	if (!k || tr_tpm_public_from_evp(k, pub, NULL, 0) < 0)
		return -1;
	a->objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_FIXEDTPM |
			      TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_SENSITIVEDATAORIGIN;
	a->authPolicy.size = 32;
	memcpy(a->authPolicy.buffer, policy, 32);
	return 0;
}

int soft_sign(EVP_PKEY *key, const uint8_t *data, size_t len,
	      TPMT_SIGNATURE *sig)
{
	uint8_t der[TR_ECDSA_DER_MAX];
	size_t n = sizeof(der);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && key &&
		 EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		 EVP_DigestSign(md, der, &n, data, len) == 1;

	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	return tr_tpm_sig_from_der(der, n, sig, NULL, 0);
}

bool soft_verify(const TPM2B_PUBLIC *key, const uint8_t *data, size_t len,
		 const TPMT_SIGNATURE *sig)
{
	const TPMS_SIGNATURE_ECDSA *e = &sig->signature.ecdsa;
	const TPMT_PUBLIC *a = &key->publicArea;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
	BIGNUM *ss = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t pt[65], *der = NULL;
	int n = -1;
	bool ok = false;

	if (a->type != TPM2_ALG_ECC ||
	    a->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 ||
	    a->unique.ecc.x.size != 32 || a->unique.ecc.y.size != 32 ||
	    sig->sigAlg != TPM2_ALG_ECDSA || e->hash != TPM2_ALG_SHA256 ||
	    !bld || !ctx || !s || !r || !ss || !md)
		goto out;
	pt[0] = 4;
	memcpy(pt + 1, a->unique.ecc.x.buffer, 32);
	memcpy(pt + 33, a->unique.ecc.y.buffer, 32);
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
					      sizeof(pt)) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0 ||
	    !ECDSA_SIG_set0(s, r, ss))
		goto out;
	r = ss = NULL;
	n = i2d_ECDSA_SIG(s, &der);
	ok = n > 0 &&
	     EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	     EVP_DigestVerify(md, der, (size_t)n, data, len) == 1;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(s);
	BN_free(r);
	BN_free(ss);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return ok;
}

/* What every TPMS_ATTEST of the AK starts with. */
static int header(TPMS_ATTEST *a, TPM2_ST type, const TPM2B_DATA *nonce)
{
	TPM2B_PUBLIC ak;

	memset(a, 0, sizeof(*a));
	a->magic = TPM2_GENERATED_VALUE;
	a->type = type;
	if (soft_ak_public(&ak) < 0 || tr_tpm_name(&ak, &a->qualifiedSigner))
		return -1;
	a->extraData.size = nonce->size;
	memcpy(a->extraData.buffer, nonce->buffer, nonce->size);
	a->clockInfo.clock = 1234567;
	a->clockInfo.resetCount = 3;
	a->clockInfo.restartCount = 1;
	a->clockInfo.safe = TPM2_YES;
	a->firmwareVersion = 0x2011121200162300ull;
	return 0;
}

static int marshal(const TPMS_ATTEST *a, TPM2B_ATTEST *out)
{
	size_t off = 0;

	if (Tss2_MU_TPMS_ATTEST_Marshal(a, out->attestationData,
					sizeof(out->attestationData), &off))
		return -1;
	out->size = (UINT16)off;
	return 0;
}

int soft_quote_info(const TPM2B_DATA *nonce, const struct tr_pcr_values *pcrs,
		    TPM2B_ATTEST *attest)
{
	TPMS_ATTEST a;
	TPMS_PCR_SELECTION *s = &a.attested.quote.pcrSelect.pcrSelections[0];

	if (header(&a, TPM2_ST_ATTEST_QUOTE, nonce) < 0)
		return -1;
	a.attested.quote.pcrSelect.count = 1;
	s->hash = TPM2_ALG_SHA256;
	s->sizeofSelect = 3;
	for (int i = 0; i < TR_PCRS; i++)
		if (pcrs->selected[i])
			s->pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));
	a.attested.quote.pcrDigest.size = 32;
	tr_pcr_values_digest(pcrs, a.attested.quote.pcrDigest.buffer);
	return marshal(&a, attest);
}

int soft_quote(const TPM2B_DATA *nonce, const struct tr_pcr_values *pcrs,
	       TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig)
{
	if (soft_quote_info(nonce, pcrs, attest) < 0)
		return -1;
	return soft_sign(soft_ak_key(), attest->attestationData, attest->size,
			 sig);
}

int soft_certify(const TPM2B_PUBLIC *key, const TPM2B_DATA *nonce,
		 TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig)
{
	TPMS_ATTEST a;

	if (header(&a, TPM2_ST_ATTEST_CERTIFY, nonce) < 0 ||
	    tr_tpm_name(key, &a.attested.certify.name))
		return -1;
	/* The owner hierarchy's qualified name: as good as any here. */
	a.attested.certify.qualifiedName = a.attested.certify.name;
	if (marshal(&a, attest) < 0)
		return -1;
	return soft_sign(soft_ak_key(), attest->attestationData, attest->size,
			 sig);
}
