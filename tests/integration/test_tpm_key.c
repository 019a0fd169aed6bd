// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM keys bound to PCR policies, on a swtpm: software policy digests
 * equal the TPM's, a PCR-bound key signs with two TPM commands, refuses
 * password use and refuses to sign once its PCR changed; a key under
 * PolicyAuthorize works again after the vendor approves the new state.
 */
#include "swtpm_fixture.h"
#include "tpm/key.h"
#include "tr_test.h"
#include "tpm/convert.h"

#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <string.h>

#define PCR 16

static struct swtpm sw;
static struct tr_tpm tpm;

static int setup(void **state)
{
	char err[256];

	(void)state;
	if (swtpm_start(&sw, NULL) < 0 ||
	    tr_tpm_open(&tpm, sw.tcti, err, sizeof(err)) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tr_tpm_close(&tpm);
	swtpm_stop(&sw);
	return 0;
}

static void current_pcr(struct tr_pcr_values *p)
{
	char err[256];

	memset(p, 0, sizeof(*p));
	p->selected[PCR] = 1;
	if (tr_tpm_pcr_read(&tpm, p, err, sizeof(err)))
		fail_msg("%s", err);
}

static void extend_pcr(void)
{
	TPML_DIGEST_VALUES v = { .count = 1 };

	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	memset(v.digests[0].digest.sha256, 0x42, 32);
	assert_int_equal(Esys_PCR_Extend(tpm.esys, ESYS_TR_PCR16,
					 ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &v),
			 TSS2_RC_SUCCESS);
}

static ESYS_TR trial_session(void)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	ESYS_TR s;

	assert_int_equal(Esys_StartAuthSession(
				 tpm.esys, ESYS_TR_NONE, ESYS_TR_NONE,
				 ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
				 TPM2_SE_TRIAL, &sym, TPM2_ALG_SHA256, &s),
			 TSS2_RC_SUCCESS);
	return s;
}

static void session_digest(ESYS_TR s, uint8_t out[32])
{
	TPM2B_DIGEST *d = NULL;

	assert_int_equal(Esys_PolicyGetDigest(tpm.esys, s, ESYS_TR_NONE,
					      ESYS_TR_NONE, ESYS_TR_NONE, &d),
			 TSS2_RC_SUCCESS);
	assert_int_equal(d->size, 32);
	memcpy(out, d->buffer, 32);
	Esys_Free(d);
	Esys_FlushContext(tpm.esys, s);
}

static void test_policy_pcr_digest_matches_tpm(void **state)
{
	struct tr_pcr_values p = { 0 };
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPM2B_DIGEST pd = { .size = 32 };
	uint8_t soft[32] = { 0 }, hard[32], body[48];
	ESYS_TR s = trial_session();

	(void)state;
	p.selected[0] = p.selected[7] = p.selected[PCR] = 1;
	memset(p.value[0], 1, 32);
	memset(p.value[7], 7, 32);
	memset(p.value[PCR], 16, 32);
	tr_policy_pcr(soft, &p);
	tr_policy_pcr_body(&p, body);
	memcpy(pd.buffer, body + 2, 32);
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[0] = 0x81;
	sel.pcrSelections[0].pcrSelect[2] = 0x01;
	assert_int_equal(Esys_PolicyPCR(tpm.esys, s, ESYS_TR_NONE, ESYS_TR_NONE,
					ESYS_TR_NONE, &pd, &sel),
			 TSS2_RC_SUCCESS);
	session_digest(s, hard);
	assert_memory_equal(soft, hard, 32);
}

static EVP_PKEY *vendor_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static void test_policy_authorize_digest_matches_tpm(void **state)
{
	TPMT_TK_VERIFIED none = { .tag = TPM2_ST_VERIFIED,
				  .hierarchy = TPM2_RH_NULL };
	TPM2B_NONCE ref = { .size = 10 };
	TPM2B_DIGEST approved = { .size = 32 };
	uint8_t soft[32], hard[32];
	EVP_PKEY *vk = vendor_key();
	TPM2B_PUBLIC vpub;
	TPM2B_NAME name;
	char err[256];
	ESYS_TR s = trial_session();

	(void)state;
	memcpy(ref.buffer, "trustroute", 10);
	assert_int_equal(tr_tpm_public_from_evp(vk, &vpub, err, sizeof(err)),
			 0);
	assert_int_equal(tr_tpm_name(&vpub, &name), 0);
	tr_policy_authorize(soft, name.name, name.size, ref.buffer, ref.size);
	assert_int_equal(Esys_PolicyAuthorize(tpm.esys, s, ESYS_TR_NONE,
					      ESYS_TR_NONE, ESYS_TR_NONE,
					      &approved, &ref, &name, &none),
			 TSS2_RC_SUCCESS);
	session_digest(s, hard);
	assert_memory_equal(soft, hard, 32);
	EVP_PKEY_free(vk);
}

/* Verify a TPM signature over @digest with the key's public part. */
static int verify(const TPM2B_PUBLIC *pub, const uint8_t *digest,
		  const TPMT_SIGNATURE *sig)
{
	EVP_PKEY *pk = tr_tpm_public_to_evp(pub, NULL, 0);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	uint8_t der[TR_ECDSA_DER_MAX];
	const uint8_t *s = der;
	size_t len;
	int ok;

	assert_non_null(pk);
	EVP_PKEY_verify_init(ctx);
	EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
	if (sig->sigAlg == TPM2_ALG_ECDSA) {
		len = (size_t)tr_tpm_sig_to_der(sig, der, sizeof(der));
	} else {
		EVP_PKEY_CTX_set_rsa_padding(ctx,
					     sig->sigAlg == TPM2_ALG_RSAPSS ?
						     RSA_PKCS1_PSS_PADDING :
						     RSA_PKCS1_PADDING);
		if (sig->sigAlg == TPM2_ALG_RSAPSS)
			EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx,
							 RSA_PSS_SALTLEN_AUTO);
		s = sig->signature.rsassa.sig.buffer;
		len = sig->signature.rsassa.sig.size;
	}
	ok = EVP_PKEY_verify(ctx, s, len, digest, 32) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok;
}

static void test_pcr_key_signs_then_refuses(void **state)
{
	struct tr_pcr_values p;
	uint8_t policy[32] = { 0 }, digest[32];
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPMT_SIGNATURE sig;
	struct tr_key k;
	unsigned long before;
	char err[256];

	(void)state;
	current_pcr(&p);
	tr_policy_pcr(policy, &p);
	assert_int_equal(tr_key_create(&tpm, TR_KEY_ECC_P256, policy, &pub,
				       &priv, err, sizeof(err)),
			 0);
	assert_false(pub.publicArea.objectAttributes &
		     TPMA_OBJECT_USERWITHAUTH);
	assert_memory_equal(pub.publicArea.authPolicy.buffer, policy, 32);
	assert_int_equal(tr_key_load_pcr(&tpm, &pub, &priv, &p, &k, err,
					 sizeof(err)),
			 0);
	SHA256((const uint8_t *)"handshake", 9, digest);
	for (int i = 0; i < 3; i++) {
		before = tpm.commands;
		if (tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err,
				sizeof(err)))
			fail_msg("sign %d: %s", i, err);
		/* PolicyPCR and Sign: nothing else per signature. */
		assert_int_equal(tpm.commands - before, 2);
		assert_true(verify(&pub, digest, &sig));
	}

	/* A password session cannot use it: userWithAuth is clear. */
	{
		TPMT_TK_HASHCHECK check = { .tag = TPM2_ST_HASHCHECK,
					    .hierarchy = TPM2_RH_NULL };
		TPMT_SIG_SCHEME sch = { .scheme = TPM2_ALG_ECDSA };
		TPM2B_DIGEST d = { .size = 32 };
		TPMT_SIGNATURE *out = NULL;

		sch.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
		memcpy(d.buffer, digest, 32);
		assert_int_not_equal(Esys_Sign(tpm.esys, k.handle,
					       ESYS_TR_PASSWORD, ESYS_TR_NONE,
					       ESYS_TR_NONE, &d, &sch, &check,
					       &out),
				     TSS2_RC_SUCCESS);
	}

	extend_pcr();
	assert_int_equal(tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err,
				     sizeof(err)),
			 TR_ERR_POLICY);
	assert_non_null(strstr(err, "PCR policy not satisfied"));
	/* And again: the session was restarted, the answer is the same. */
	assert_int_equal(tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err,
				     sizeof(err)),
			 TR_ERR_POLICY);
	tr_key_unload(&k);
}

static void test_rsa_key(void **state)
{
	struct tr_pcr_values p;
	uint8_t policy[32] = { 0 }, digest[32];
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPMT_SIGNATURE sig;
	struct tr_key k;
	char err[256];

	(void)state;
	current_pcr(&p);
	tr_policy_pcr(policy, &p);
	assert_int_equal(tr_key_create(&tpm, TR_KEY_RSA_2048, policy, &pub,
				       &priv, err, sizeof(err)),
			 0);
	assert_int_equal(tr_key_load_pcr(&tpm, &pub, &priv, &p, &k, err,
					 sizeof(err)),
			 0);
	SHA256((const uint8_t *)"rsa", 3, digest);
	assert_int_equal(tr_key_sign(&k, digest, 32, TPM2_ALG_RSASSA, &sig, err,
				     sizeof(err)),
			 0);
	assert_true(verify(&pub, digest, &sig));
	assert_int_equal(tr_key_sign(&k, digest, 32, TPM2_ALG_RSAPSS, &sig, err,
				     sizeof(err)),
			 0);
	assert_true(verify(&pub, digest, &sig));
	tr_key_unload(&k);
}

/* The vendor approves the PCR state @p for @ref. */
static void approve(EVP_PKEY *vk, const struct tr_pcr_values *p,
		    const TPM2B_NONCE *ref, struct tr_approval *a)
{
	uint8_t approved[32] = { 0 }, ahash[32], der[128];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(vk, NULL);
	size_t len = sizeof(der);
	char err[256];

	tr_policy_pcr(approved, p);
	tr_policy_approval_hash(approved, ref->buffer, ref->size, ahash);
	memcpy(a->selected, p->selected, sizeof(a->selected));
	tr_pcr_values_digest(p, a->pcr_digest);
	EVP_PKEY_sign_init(ctx);
	EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
	assert_int_equal(EVP_PKEY_sign(ctx, der, &len, ahash, 32), 1);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(
		tr_tpm_sig_from_der(der, len, &a->sig, err, sizeof(err)), 0);
}

static void test_authorized_key_survives_update(void **state)
{
	TPM2B_NONCE ref = { .size = 6 }, wrong = { .size = 5 };
	struct tr_pcr_values p;
	struct tr_approval a;
	uint8_t policy[32], digest[32];
	EVP_PKEY *vk = vendor_key();
	TPM2B_PUBLIC pub, vpub;
	TPM2B_PRIVATE priv;
	TPMT_SIGNATURE sig;
	TPM2B_NAME name;
	struct tr_key k;
	unsigned long before;
	char err[256];

	(void)state;
	memcpy(ref.buffer, "router", 6);
	memcpy(wrong.buffer, "other", 5);
	assert_int_equal(tr_tpm_public_from_evp(vk, &vpub, err, sizeof(err)),
			 0);
	tr_tpm_name(&vpub, &name);
	tr_policy_authorize(policy, name.name, name.size, ref.buffer, ref.size);
	assert_int_equal(tr_key_create(&tpm, TR_KEY_ECC_P256, policy, &pub,
				       &priv, err, sizeof(err)),
			 0);
	assert_int_equal(tr_key_load_authorized(&tpm, &pub, &priv, &vpub,
						&wrong, &k, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not PolicyAuthorize"));
	assert_int_equal(tr_key_load_authorized(&tpm, &pub, &priv, &vpub, &ref,
						&k, err, sizeof(err)),
			 0);

	current_pcr(&p);
	approve(vk, &p, &ref, &a);
	assert_int_equal(tr_key_add_approval(&k, &a, err, sizeof(err)), 0);
	SHA256((const uint8_t *)"before update", 13, digest);
	assert_int_equal(tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err,
				     sizeof(err)),
			 0);
	assert_true(verify(&pub, digest, &sig));
	before = tpm.commands;
	assert_int_equal(tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err,
				     sizeof(err)),
			 0);
	/* PolicyPCR, PolicyAuthorize (ticket cached), Sign. */
	assert_int_equal(tpm.commands - before, 3);

	extend_pcr(); /* the update changes the PCR */
	assert_int_equal(tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err,
				     sizeof(err)),
			 TR_ERR_POLICY);
	current_pcr(&p);
	approve(vk, &p, &ref, &a); /* the vendor signs the new state */
	assert_int_equal(tr_key_add_approval(&k, &a, err, sizeof(err)), 0);
	SHA256((const uint8_t *)"after update", 12, digest);
	if (tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err, sizeof(err)))
		fail_msg("after the new approval: %s", err);
	assert_true(verify(&pub, digest, &sig));
	tr_key_unload(&k);
	EVP_PKEY_free(vk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_pcr_digest_matches_tpm),
		cmocka_unit_test(test_policy_authorize_digest_matches_tpm),
		cmocka_unit_test(test_pcr_key_signs_then_refuses),
		cmocka_unit_test(test_rsa_key),
		cmocka_unit_test(test_authorized_key_survives_update),
	};

	return TR_RUN(tests, setup, teardown);
}
