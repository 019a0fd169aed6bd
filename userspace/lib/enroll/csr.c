// SPDX-License-Identifier: GPL-2.0-only
/*
 * PKCS#10 requests signed by a sealed key: OpenSSL builds the request,
 * the TPM signs the SHA-256 of its CertificationRequestInfo, and the
 * request is checked with the key's public part before it is handed out.
 */
#include "enroll/csr.h"
#include "base/errmsg.h"
#include "tpm/convert.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <stdbool.h>

static X509_REQ *build(const char *cn, EVP_PKEY *pub,
		       const struct tr_evidence *e, char *err, size_t errlen)
{
	X509_REQ *req = X509_REQ_new();

	if (!req || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_pubkey(req, pub)) {
		tr_fail(err, errlen, "out of memory building the request");
		goto fail;
	}
	if (!X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN",
					MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0)) {
		tr_fail(err, errlen,
			"subject CN \"%.80s\" refused (1..64 characters of UTF-8)",
			cn);
		goto fail;
	}
	if (e && tr_csr_add_evidence(req, e, err, errlen) < 0)
		goto fail;
	return req;
fail:
	X509_REQ_free(req);
	return NULL;
}

/* The request's signature value: DER ECDSA-Sig-Value, or PKCS#1 as is. */
static ASN1_BIT_STRING *signature_value(const TPMT_SIGNATURE *sig)
{
	ASN1_BIT_STRING *bs = ASN1_BIT_STRING_new();
	TPM2B_PUBLIC_KEY_RSA rsa = sig->signature.rsassa.sig;
	uint8_t der[TR_ECDSA_DER_MAX];
	int n = -1;

	if (!bs)
		return NULL;
	if (sig->sigAlg == TPM2_ALG_RSASSA) {
		n = ASN1_BIT_STRING_set(bs, rsa.buffer, rsa.size) ? 0 : -1;
	} else {
		n = tr_tpm_sig_to_der(sig, der, sizeof(der));
		n = n > 0 && ASN1_BIT_STRING_set(bs, der, n) ? 0 : -1;
	}
	if (n < 0) {
		ASN1_BIT_STRING_free(bs);
		return NULL;
	}
	/* Every bit used: otherwise the encoder counts trailing zero bits as
	 * unused and drops a signature's trailing zero bytes. */
	bs->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	bs->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	return bs;
}

/* Returns 0, TR_ERR_POLICY or -1. */
static int sign(struct tr_key *k, X509_REQ *req, char *err, size_t errlen)
{
	bool ecc = k->pub.publicArea.type == TPM2_ALG_ECC;
	TPMI_ALG_SIG_SCHEME scheme = ecc ? TPM2_ALG_ECDSA : TPM2_ALG_RSASSA;
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_BIT_STRING *bs;
	TPMT_SIGNATURE sig;
	unsigned char *tbs = NULL;
	uint8_t digest[SHA256_DIGEST_LENGTH];
	int n, ret = -1;

	/* ecdsa-with-SHA256 has no parameters, sha256WithRSAEncryption NULL
	 * (RFC 5758, RFC 4055). */
	if (!alg ||
	    !X509_ALGOR_set0(alg,
			     OBJ_nid2obj(ecc ? NID_ecdsa_with_SHA256 :
					       NID_sha256WithRSAEncryption),
			     ecc ? V_ASN1_UNDEF : V_ASN1_NULL, NULL) ||
	    !X509_REQ_set1_signature_algo(req, alg)) {
		tr_fail(err, errlen,
			"out of memory for the signature algorithm");
		goto out;
	}
	n = i2d_re_X509_REQ_tbs(req, &tbs);
	if (n <= 0) {
		tr_fail(err, errlen, "cannot encode the request to sign it");
		goto out;
	}
	SHA256(tbs, (size_t)n, digest);
	ret = tr_key_sign(k, digest, sizeof(digest), scheme, &sig, err, errlen);
	if (ret)
		goto out;
	bs = sig.sigAlg == scheme ? signature_value(&sig) : NULL;
	if (!bs) {
		ret = tr_fail(err, errlen,
			      "cannot use the TPM's signature (algorithm 0x%x)",
			      sig.sigAlg);
		goto out;
	}
	X509_REQ_set0_signature(req, bs);
out:
	OPENSSL_free(tbs);
	X509_ALGOR_free(alg);
	return ret;
}

X509_REQ *tr_csr_create(struct tr_key *k, const char *cn,
			const struct tr_evidence *e, int *rc, char *err,
			size_t errlen)
{
	X509_REQ *req = NULL;
	EVP_PKEY *pub;
	int ret = -1, ignored;

	if (!rc)
		rc = &ignored;
	*rc = -1;
	if (!cn || !*cn) {
		tr_fail(err, errlen, "the subject CN is empty");
		return NULL;
	}
	pub = tr_tpm_public_to_evp(&k->pub, err, errlen);
	if (!pub)
		return NULL;
	ERR_set_mark();
	req = build(cn, pub, e, err, errlen);
	if (req)
		ret = sign(k, req, err, errlen);
	if (!ret && X509_REQ_verify(req, pub) != 1)
		ret = tr_fail(
			err, errlen,
			"the TPM's signature on the request does not verify");
	ERR_pop_to_mark();
	EVP_PKEY_free(pub);
	*rc = ret;
	if (ret) {
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}
