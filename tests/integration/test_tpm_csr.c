// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requests signed in the TPM and the attestation a certificate carries,
 * on swtpms: P-256 and RSA-2048 sealed keys give requests OpenSSL
 * verifies, with the evidence that went in; no request once the key's
 * PCR changed; and a certificate issued here by a throwaway software CA
 * passes tr_cert_attestation_verify only with the right key, policy,
 * certifyInfo and AK.
 */
#include "enroll/evidence.h"
#include "tpm/certify.h"
#include "enroll/csr.h"
#include "tpm/ek.h"
#include "tpm_pair.h"
#include "tr_test.h"
#include "tpm/convert.h"

#include <openssl/objects.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

#define PCR 16
#define PCR_CHANGED 23 /* extended by one test only */

static struct tpm_pair pair;
static struct tr_pcr_values pcrs;
static uint8_t policy[32];
static TPM2B_NAME ek_name;
static TPM2B_PUBLIC ak_pub, ec_pub, rsa_pub, other_ak_pub;
static TPM2B_PRIVATE ak_priv, ec_priv, rsa_priv, other_ak_priv;
static EVP_PKEY *ca_key;

static int setup(void **state)
{
	struct tr_tpm *t = &pair.t[0];
	ESYS_TR ek = ESYS_TR_NONE;
	TPM2B_PUBLIC ek_pub;
	char err[256] = "";
	int rc;

	(void)state;
	if (tpm_pair_start(&pair) < 0)
		return -1;
	pcrs.selected[PCR] = 1;
	rc = tr_tpm_pcr_read(t, &pcrs, err, sizeof(err)) ||
	     tr_ek_create(t, &ek, &ek_pub, err, sizeof(err)) ||
	     tr_tpm_name(&ek_pub, &ek_name) ||
	     tr_ak_create(t, &ak_pub, &ak_priv, err, sizeof(err)) ||
	     tr_ak_create(&pair.t[1], &other_ak_pub, &other_ak_priv, err,
			  sizeof(err));
	if (ek != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, ek);
	tr_policy_pcr(policy, &pcrs);
	rc = rc ||
	     tr_key_create(t, TR_KEY_ECC_P256, policy, &ec_pub, &ec_priv, err,
			   sizeof(err)) ||
	     tr_key_create(t, TR_KEY_RSA_2048, policy, &rsa_pub, &rsa_priv, err,
			   sizeof(err));
	ca_key = EVP_EC_gen("P-256");
	if (rc || !ca_key) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(ca_key);
	tpm_pair_stop(&pair);
	return 0;
}

/* What the agent gathers: a fresh nonce, a secret, the key certified. */
static void gather(const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
		   struct tr_evidence *e)
{
	char err[256];

	memset(e, 0, sizeof(*e));
	e->nonce.size = 32;
	memset(e->nonce.buffer, 0xa5, 32);
	e->secret.size = 32;
	memset(e->secret.buffer, 0x5a, 32);
	e->ek_name = ek_name;
	e->ak_pub = ak_pub;
	e->key_pub = *pub;
	if (tr_certify(&pair.t[0], &ak_pub, &ak_priv, pub, priv, &e->nonce,
		       &e->attest, &e->sig, err, sizeof(err)))
		fail_msg("%s", err);
}

static void load(const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
		 const struct tr_pcr_values *p, struct tr_key *k)
{
	char err[256];

	if (tr_key_load_pcr(&pair.t[0], pub, priv, p, k, err, sizeof(err)))
		fail_msg("%s", err);
}

typedef int encoder(const struct tr_evidence *, uint8_t **, size_t *, char *,
		    size_t);

/* @a and @b hold the same evidence: they encode to the same DER. */
static void same_evidence(encoder *enc, const struct tr_evidence *a,
			  const struct tr_evidence *b)
{
	uint8_t *x, *y;
	size_t xn, yn;
	char err[256];

	if (enc(a, &x, &xn, err, sizeof(err)) ||
	    enc(b, &y, &yn, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(xn, yn);
	assert_memory_equal(x, y, xn);
	free(x);
	free(y);
}

/* A request by the key (@pub, @priv), checked as a CA would. */
static void csr_round_trip(const TPM2B_PUBLIC *pub, const TPM2B_PRIVATE *priv,
			   int sig_nid)
{
	struct tr_evidence e, back;
	struct tr_key k;
	X509_REQ *req, *parsed;
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;
	EVP_PKEY *key = tr_tpm_public_to_evp(pub, NULL, 0);
	uint8_t *der = NULL;
	const uint8_t *p;
	char err[256], cn[64];
	int rc = 1, n;

	gather(pub, priv, &e);
	load(pub, priv, &pcrs, &k);
	req = tr_csr_create(&k, "router-1.example", &e, &rc, err, sizeof(err));
	if (!req)
		fail_msg("%s", err);
	assert_int_equal(rc, 0);
	/* As the CA sees it: from its DER. */
	n = i2d_X509_REQ(req, &der);
	assert_true(n > 0);
	p = der;
	parsed = d2i_X509_REQ(NULL, &p, n);
	assert_non_null(parsed);
	assert_int_equal(X509_REQ_verify(parsed, key), 1);
	assert_int_equal(X509_REQ_verify(parsed, X509_REQ_get0_pubkey(parsed)),
			 1);
	assert_int_equal(X509_REQ_get_version(parsed), X509_REQ_VERSION_1);
	X509_REQ_get0_signature(parsed, NULL, &alg);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	assert_int_equal(OBJ_obj2nid(obj), sig_nid);
	assert_int_equal(
		X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(parsed),
					  NID_commonName, cn, sizeof(cn)),
		16);
	assert_string_equal(cn, "router-1.example");
	if (tr_csr_get_evidence(parsed, &back, err, sizeof(err)))
		fail_msg("%s", err);
	same_evidence(tr_evidence_encode, &e, &back);
	X509_REQ_free(parsed);
	X509_REQ_free(req);
	OPENSSL_free(der);

	/* Without evidence: a plain request. */
	req = tr_csr_create(&k, "router-1.example", NULL, &rc, err,
			    sizeof(err));
	assert_non_null(req);
	assert_int_equal(X509_REQ_get_attr_count(req), 0);
	assert_int_equal(X509_REQ_verify(req, key), 1);
	X509_REQ_free(req);
	tr_key_unload(&k);
	EVP_PKEY_free(key);
}

static void test_csr_p256(void **state)
{
	(void)state;
	/* Several: ECDSA signatures differ in length (DER integers). */
	for (int i = 0; i < 4; i++)
		csr_round_trip(&ec_pub, &ec_priv, NID_ecdsa_with_SHA256);
}

static void test_csr_rsa(void **state)
{
	(void)state;
	csr_round_trip(&rsa_pub, &rsa_priv, NID_sha256WithRSAEncryption);
}

static void test_csr_bad_input(void **state)
{
	struct tr_evidence e;
	struct tr_key k;
	char err[256], cn[80];
	int rc = 0;

	(void)state;
	/* Certify first: the TPM holds three objects, SRK included. */
	gather(&ec_pub, &ec_priv, &e);
	load(&ec_pub, &ec_priv, &pcrs, &k);
	assert_null(tr_csr_create(&k, "", NULL, &rc, err, sizeof(err)));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "CN is empty"));
	memset(cn, 'a', sizeof(cn) - 1);
	cn[sizeof(cn) - 1] = '\0';
	assert_null(tr_csr_create(&k, cn, NULL, &rc, err, sizeof(err)));
	assert_non_null(strstr(err, "subject CN"));
	e.nonce.size = 3;
	assert_null(tr_csr_create(&k, "r", &e, &rc, err, sizeof(err)));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "nonce is 3 bytes"));
	tr_key_unload(&k);
}

static void extend(int pcr)
{
	TPML_DIGEST_VALUES v = { .count = 1 };

	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	memset(v.digests[0].digest.sha256, 0x42, 32);
	assert_int_equal(Esys_PCR_Extend(pair.t[0].esys, ESYS_TR_PCR0 + pcr,
					 ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &v),
			 TSS2_RC_SUCCESS);
}

static void test_csr_refused_after_pcr_change(void **state)
{
	struct tr_pcr_values p = { 0 };
	uint8_t pol[32] = { 0 };
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	struct tr_key k;
	X509_REQ *req;
	char err[256];
	int rc = 1;

	(void)state;
	p.selected[PCR_CHANGED] = 1;
	assert_int_equal(tr_tpm_pcr_read(&pair.t[0], &p, err, sizeof(err)), 0);
	tr_policy_pcr(pol, &p);
	assert_int_equal(tr_key_create(&pair.t[0], TR_KEY_ECC_P256, pol, &pub,
				       &priv, err, sizeof(err)),
			 0);
	load(&pub, &priv, &p, &k);
	req = tr_csr_create(&k, "router-1", NULL, &rc, err, sizeof(err));
	assert_non_null(req);
	X509_REQ_free(req);
	extend(PCR_CHANGED);
	req = tr_csr_create(&k, "router-1", NULL, &rc, err, sizeof(err));
	assert_null(req);
	assert_int_equal(rc, TR_ERR_POLICY);
	assert_non_null(strstr(err, "PCR policy not satisfied"));
	tr_key_unload(&k);
}

/* A certificate for @subject by the throwaway CA, with @ext (DER). */
static X509 *issue(EVP_PKEY *subject, const uint8_t *ext, size_t len)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	ASN1_OBJECT *o = OBJ_txt2obj(TR_OID_KEY_ATTESTATION, 1);
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	X509_EXTENSION *x = NULL;
	uint8_t *der = NULL;
	const uint8_t *p;
	X509 *parsed;
	int n;

	assert_true(c && name && o && s);
	assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					       (const uint8_t *)"test CA", -1,
					       -1, 0));
	assert_true(X509_set_version(c, X509_VERSION_3) &&
		    ASN1_INTEGER_set(X509_get_serialNumber(c), 1) &&
		    X509_set_issuer_name(c, name) &&
		    X509_set_subject_name(c, name) &&
		    X509_gmtime_adj(X509_getm_notBefore(c), 0) &&
		    X509_gmtime_adj(X509_getm_notAfter(c), 3600) &&
		    X509_set_pubkey(c, subject));
	if (ext) {
		assert_true(ASN1_OCTET_STRING_set(s, ext, (int)len));
		x = X509_EXTENSION_create_by_OBJ(NULL, o, 0, s);
		assert_true(x && X509_add_ext(c, x, -1));
	}
	assert_true(X509_sign(c, ca_key, EVP_sha256()) > 0);
	/* As a peer sees it: from its DER. */
	n = i2d_X509(c, &der);
	assert_true(n > 0);
	p = der;
	parsed = d2i_X509(NULL, &p, n);
	assert_non_null(parsed);
	OPENSSL_free(der);
	X509_EXTENSION_free(x);
	ASN1_OCTET_STRING_free(s);
	ASN1_OBJECT_free(o);
	X509_NAME_free(name);
	X509_free(c);
	return parsed;
}

/* The certificate of the key @pub, carrying @e as KeyAttestation. */
static X509 *issue_for(const TPM2B_PUBLIC *pub, const struct tr_evidence *e)
{
	EVP_PKEY *key = tr_tpm_public_to_evp(pub, NULL, 0);
	uint8_t *der;
	size_t len;
	char err[256];
	X509 *c;

	assert_non_null(key);
	if (tr_key_attestation_encode(e, &der, &len, err, sizeof(err)))
		fail_msg("%s", err);
	c = issue(key, der, len);
	free(der);
	EVP_PKEY_free(key);
	return c;
}

static void expect_refused(X509 *c, const uint8_t *pol, const char *why)
{
	struct tr_evidence out;
	char err[256] = "";

	assert_int_equal(
		tr_cert_attestation_verify(c, pol, &out, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("refused for \"%s\", expected \"%s\"", err, why);
	X509_free(c);
}

static void test_cert_attestation(void **state)
{
	const TPM2B_PUBLIC *pubs[] = { &ec_pub, &rsa_pub };
	const TPM2B_PRIVATE *privs[] = { &ec_priv, &rsa_priv };
	struct tr_evidence e, out;
	char err[256];
	X509 *c;

	(void)state;
	for (int i = 0; i < 2; i++) {
		gather(pubs[i], privs[i], &e);
		c = issue_for(pubs[i], &e);
		if (tr_cert_attestation_verify(c, policy, &out, err,
					       sizeof(err)))
			fail_msg("%s", err);
		same_evidence(tr_key_attestation_encode, &e, &out);
		assert_memory_equal(&out.ek_name, &ek_name, sizeof(ek_name));
		/* Without a policy to match, the rest is still checked. */
		assert_int_equal(tr_cert_attestation_verify(c, NULL, &out, err,
							    sizeof(err)),
				 0);
		X509_free(c);
	}
}

static void test_cert_attestation_refusals(void **state)
{
	struct tr_evidence e, bad;
	uint8_t other_policy[32];
	EVP_PKEY *soft = EVP_EC_gen("P-256");
	uint8_t *der;
	size_t len;
	char err[256];

	(void)state;
	gather(&ec_pub, &ec_priv, &e);
	memcpy(other_policy, policy, 32);
	other_policy[31] ^= 1;
	expect_refused(issue_for(&ec_pub, &e), other_policy,
		       "policy is not the expected one");

	/* Another key's certificate with this key's attestation. */
	assert_int_equal(
		tr_key_attestation_encode(&e, &der, &len, err, sizeof(err)), 0);
	assert_non_null(soft);
	expect_refused(issue(soft, der, len), policy,
		       "keyPublic is not the certificate's public key");
	expect_refused(issue_for(&rsa_pub, &e), policy,
		       "keyPublic is not the certificate's public key");
	free(der);
	EVP_PKEY_free(soft);

	/* One byte of certifyInfo changed (in the certified key's
	 * qualified name, the last field): the AK did not sign that. */
	bad = e;
	bad.attest.attestationData[bad.attest.size - 1] ^= 1;
	expect_refused(issue_for(&ec_pub, &bad), policy, "does not verify");

	/* The AK of another TPM did not sign it either. */
	bad = e;
	bad.ak_pub = other_ak_pub;
	expect_refused(issue_for(&ec_pub, &bad), policy, "does not verify");

	/* An unrestricted AK could have signed any certifyInfo. */
	bad = e;
	bad.ak_pub.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
	expect_refused(issue_for(&ec_pub, &bad), policy,
		       "AK: not a restricted signing key");

	/* The evidence of another key (certified for the RSA key). */
	gather(&rsa_pub, &rsa_priv, &bad);
	bad.key_pub = ec_pub;
	expect_refused(issue_for(&ec_pub, &bad), policy, "another key");

	soft = tr_tpm_public_to_evp(&ec_pub, NULL, 0);
	expect_refused(issue(soft, NULL, 0), policy,
		       "no KeyAttestation extension");
	EVP_PKEY_free(soft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csr_p256),
		cmocka_unit_test(test_csr_rsa),
		cmocka_unit_test(test_csr_bad_input),
		cmocka_unit_test(test_csr_refused_after_pcr_change),
		cmocka_unit_test(test_cert_attestation),
		cmocka_unit_test(test_cert_attestation_refusals),
	};

	return TR_RUN(tests, setup, teardown);
}
