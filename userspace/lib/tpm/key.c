// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/key.h"

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

/* The command's result: count it, keep the TPM's code. */
#define TPM_CALL(t, call) ((t)->commands++, (call))

int tr_tpm_fail(char *err, size_t errlen, const char *what, TSS2_RC rc)
{
	return tr_fail(err, errlen, "%s: %s (0x%x)", what, Tss2_RC_Decode(rc),
		       rc);
}

/* A policy check the TPM refused (any session, any parameter index). */
static bool is_policy_failure(TSS2_RC rc)
{
	return (rc & TPM2_RC_FMT1) &&
	       ((rc & 0x3f) == (TPM2_RC_POLICY_FAIL & 0x3f) ||
		(rc & 0x3f) == (TPM2_RC_VALUE & 0x3f));
}

int tr_tpm_open(struct tr_tpm *t, const char *tcti, char *err, size_t errlen)
{
	TSS2_RC rc;

	memset(t, 0, sizeof(*t));
	t->srk = ESYS_TR_NONE;
	if (!tcti)
		tcti = getenv("TRUSTROUTE_TCTI");
	if (!tcti)
		tcti = getenv("TPM2TOOLS_TCTI");
	if (!tcti)
		tcti = "device:/dev/tpmrm0";
	rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti);
	if (rc)
		return tr_fail(err, errlen,
			       "cannot reach the TPM at \"%s\": %s", tcti,
			       Tss2_RC_Decode(rc));
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc) {
		Tss2_TctiLdr_Finalize(&t->tcti);
		return tr_tpm_fail(err, errlen, "Esys_Initialize", rc);
	}
	return 0;
}

void tr_tpm_close(struct tr_tpm *t)
{
	if (t->esys && t->srk != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->srk);
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
	t->srk = ESYS_TR_NONE;
}

/* The standard ECC P-256 storage key (TCG provisioning guidance,
 * and what other tools use for parent 0x40000001). */
const TPM2B_PUBLIC tr_srk_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_RESTRICTED |
				    TPMA_OBJECT_DECRYPT |
				    TPMA_OBJECT_FIXEDTPM |
				    TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_SENSITIVEDATAORIGIN |
				    TPMA_OBJECT_USERWITHAUTH |
				    TPMA_OBJECT_NODA,
		.parameters.eccDetail = {
			.symmetric = { .algorithm = TPM2_ALG_AES,
				       .keyBits.aes = 128,
				       .mode.aes = TPM2_ALG_CFB },
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

int tr_tpm_srk(struct tr_tpm *t, char *err, size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TSS2_RC rc;

	if (t->srk != ESYS_TR_NONE)
		return 0;
	rc = TPM_CALL(t, Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER,
					    ESYS_TR_PASSWORD, ESYS_TR_NONE,
					    ESYS_TR_NONE, &sens,
					    &tr_srk_template, &outside, &none,
					    &t->srk, NULL, NULL, NULL, NULL));
	return rc ? tr_tpm_fail(err, errlen, "creating the SRK", rc) : 0;
}

static void selection(const struct tr_pcr_values *p, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	for (int i = 0; i < TR_PCRS; i++)
		if (p->selected[i])
			sel->pcrSelections[0].pcrSelect[i / 8] |=
				(uint8_t)(1u << (i % 8));
}

int tr_tpm_pcr_read(struct tr_tpm *t, struct tr_pcr_values *pcrs, char *err,
		    size_t errlen)
{
	for (int i = 0; i < TR_PCRS; i++) {
		struct tr_pcr_values one = { 0 };
		TPML_PCR_SELECTION sel;
		TPML_DIGEST *vals = NULL;
		TSS2_RC rc;

		if (!pcrs->selected[i])
			continue;
		one.selected[i] = 1;
		selection(&one, &sel);
		rc = TPM_CALL(t, Esys_PCR_Read(t->esys, ESYS_TR_NONE,
					       ESYS_TR_NONE, ESYS_TR_NONE, &sel,
					       NULL, NULL, &vals));
		if (rc || vals->count != 1 || vals->digests[0].size != 32) {
			Esys_Free(vals);
			return rc ? tr_tpm_fail(err, errlen, "PCR_Read", rc) :
				    tr_fail(err, errlen,
					    "PCR %d: no SHA-256 value", i);
		}
		memcpy(pcrs->value[i], vals->digests[0].buffer, 32);
		Esys_Free(vals);
	}
	return 0;
}

int tr_tpm_create(struct tr_tpm *t, const TPM2B_PUBLIC *tmpl, const char *what,
		  TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, char *err,
		  size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TPM2B_PUBLIC *out_pub = NULL;
	TPM2B_PRIVATE *out_priv = NULL;
	TSS2_RC rc;

	if (tr_tpm_srk(t, err, errlen) < 0)
		return -1;
	rc = TPM_CALL(t, Esys_Create(t->esys, t->srk, ESYS_TR_PASSWORD,
				     ESYS_TR_NONE, ESYS_TR_NONE, &sens, tmpl,
				     &outside, &none, &out_priv, &out_pub, NULL,
				     NULL, NULL));
	if (rc)
		return tr_tpm_fail(err, errlen, what, rc);
	*pub = *out_pub;
	*priv = *out_priv;
	Esys_Free(out_pub);
	Esys_Free(out_priv);
	return 0;
}

int tr_key_create(struct tr_tpm *t, enum tr_key_alg alg,
		  const uint8_t policy[32], TPM2B_PUBLIC *pub,
		  TPM2B_PRIVATE *priv, char *err, size_t errlen)
{
	/* No userWithAuth: the policy is the only way to use the key. */
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT |
					    TPMA_OBJECT_FIXEDTPM |
					    TPMA_OBJECT_FIXEDPARENT |
					    TPMA_OBJECT_SENSITIVEDATAORIGIN |
					    TPMA_OBJECT_NODA,
			.authPolicy.size = 32,
		},
	};

	memcpy(tmpl.publicArea.authPolicy.buffer, policy, 32);
	if (alg == TR_KEY_ECC_P256) {
		tmpl.publicArea.type = TPM2_ALG_ECC;
		tmpl.publicArea.parameters.eccDetail.symmetric.algorithm =
			TPM2_ALG_NULL;
		tmpl.publicArea.parameters.eccDetail.scheme.scheme =
			TPM2_ALG_NULL;
		tmpl.publicArea.parameters.eccDetail.curveID =
			TPM2_ECC_NIST_P256;
		tmpl.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	} else {
		tmpl.publicArea.type = TPM2_ALG_RSA;
		tmpl.publicArea.parameters.rsaDetail.symmetric.algorithm =
			TPM2_ALG_NULL;
		tmpl.publicArea.parameters.rsaDetail.scheme.scheme =
			TPM2_ALG_NULL;
		tmpl.publicArea.parameters.rsaDetail.keyBits = 2048;
	}
	return tr_tpm_create(t, &tmpl, "creating the key", pub, priv, err,
			     errlen);
}

static int load(struct tr_tpm *t, const TPM2B_PUBLIC *pub,
		const TPM2B_PRIVATE *priv, struct tr_key *k, char *err,
		size_t errlen)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TSS2_RC rc;

	memset(k, 0, sizeof(*k));
	k->tpm = t;
	k->handle = k->session = k->authorizer_handle = ESYS_TR_NONE;
	k->pub = *pub;
	if (tr_tpm_srk(t, err, errlen) < 0)
		return -1;
	rc = TPM_CALL(t,
		      Esys_Load(t->esys, t->srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, priv, pub, &k->handle));
	if (rc)
		return tr_tpm_fail(err, errlen,
				   "loading the key (another TPM's?)", rc);
	/* The SRK only loads keys: flushed now, it leaves the TPM's few
	 * transient slots (3 on many TPMs when no resource manager shares
	 * them) to others, e.g. the AK a quote loads while this key serves
	 * TLS in another process. The next load recreates it. */
	TPM_CALL(t, Esys_FlushContext(t->esys, t->srk));
	t->srk = ESYS_TR_NONE;
	/* One policy session for the key's lifetime: the TPM resets its
	 * digest after each use, so only the policy commands repeat. */
	rc = TPM_CALL(t, Esys_StartAuthSession(t->esys, ESYS_TR_NONE,
					       ESYS_TR_NONE, ESYS_TR_NONE,
					       ESYS_TR_NONE, ESYS_TR_NONE, NULL,
					       TPM2_SE_POLICY, &sym,
					       TPM2_ALG_SHA256, &k->session));
	if (rc) {
		tr_key_unload(k);
		return tr_tpm_fail(err, errlen, "starting the policy session",
				   rc);
	}
	Esys_TRSess_SetAttributes(t->esys, k->session,
				  TPMA_SESSION_CONTINUESESSION, 0xff);
	return 0;
}

int tr_key_load_pcr(struct tr_tpm *t, const TPM2B_PUBLIC *pub,
		    const TPM2B_PRIVATE *priv, const struct tr_pcr_values *pcrs,
		    struct tr_key *k, char *err, size_t errlen)
{
	if (load(t, pub, priv, k, err, errlen) < 0)
		return -1;
	k->pcrs = *pcrs;
	return 0;
}

int tr_key_load_authorized(struct tr_tpm *t, const TPM2B_PUBLIC *pub,
			   const TPM2B_PRIVATE *priv,
			   const TPM2B_PUBLIC *authorizer,
			   const TPM2B_NONCE *ref, struct tr_key *k, char *err,
			   size_t errlen)
{
	uint8_t want[32];
	TPM2B_NAME name;
	TSS2_RC rc;

	if (tr_tpm_name(authorizer, &name) < 0)
		return tr_fail(err, errlen, "cannot name the authorizer key");
	tr_policy_authorize(want, name.name, name.size, ref->buffer, ref->size);
	/* Fail early and clearly rather than at the first signature. */
	if (pub->publicArea.authPolicy.size != 32 ||
	    memcmp(pub->publicArea.authPolicy.buffer, want, 32))
		return tr_fail(
			err, errlen,
			"the key's policy is not PolicyAuthorize by this authorizer and reference");
	if (load(t, pub, priv, k, err, errlen) < 0)
		return -1;
	k->authorize = true;
	k->authorizer = *authorizer;
	k->ref = *ref;
	rc = TPM_CALL(t, Esys_LoadExternal(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, NULL, authorizer,
					   ESYS_TR_RH_OWNER,
					   &k->authorizer_handle));
	if (rc) {
		tr_key_unload(k);
		return tr_tpm_fail(err, errlen, "loading the authorizer key",
				   rc);
	}
	return 0;
}

int tr_key_add_approval(struct tr_key *k, const struct tr_approval *a,
			char *err, size_t errlen)
{
	if (k->n_approvals == TR_MAX_APPROVALS)
		return tr_fail(err, errlen, "more than %d approvals",
			       TR_MAX_APPROVALS);
	k->approval[k->n_approvals] = *a;
	k->ticket[k->n_approvals++] = NULL;
	return 0;
}

void tr_key_unload(struct tr_key *k)
{
	ESYS_CONTEXT *e = k->tpm ? k->tpm->esys : NULL;

	for (size_t i = 0; i < k->n_approvals; i++)
		Esys_Free(k->ticket[i]);
	if (e && k->session != ESYS_TR_NONE)
		Esys_FlushContext(e, k->session);
	if (e && k->handle != ESYS_TR_NONE)
		Esys_FlushContext(e, k->handle);
	if (e && k->authorizer_handle != ESYS_TR_NONE)
		Esys_FlushContext(e, k->authorizer_handle);
	k->session = k->handle = k->authorizer_handle = ESYS_TR_NONE;
	k->n_approvals = 0;
}

/*
 * PolicyPCR for approval @i with its expected values (the TPM refuses a
 * mismatch), PolicyAuthorize with its cached ticket (verified once).
 */
static TSS2_RC authorize(struct tr_key *k, size_t i)
{
	struct tr_tpm *t = k->tpm;
	struct tr_approval *a = &k->approval[i];
	TPM2B_DIGEST approved = { .size = 32 }, ahash = { .size = 32 };
	TPM2B_DIGEST pd = { .size = 32 };
	struct tr_pcr_values sel_only = { 0 };
	TPML_PCR_SELECTION sel;
	TPM2B_NAME name;
	TSS2_RC rc;

	memcpy(sel_only.selected, a->selected, sizeof(sel_only.selected));
	selection(&sel_only, &sel);
	memcpy(pd.buffer, a->pcr_digest, 32);
	rc = TPM_CALL(t, Esys_PolicyPCR(t->esys, k->session, ESYS_TR_NONE,
					ESYS_TR_NONE, ESYS_TR_NONE, &pd, &sel));
	if (rc)
		return rc;
	memset(approved.buffer, 0, 32);
	tr_policy_pcr_digest(approved.buffer, a->selected, a->pcr_digest);
	if (!k->ticket[i]) {
		tr_policy_approval_hash(approved.buffer, k->ref.buffer,
					k->ref.size, ahash.buffer);
		rc = TPM_CALL(
			t, Esys_VerifySignature(t->esys, k->authorizer_handle,
						ESYS_TR_NONE, ESYS_TR_NONE,
						ESYS_TR_NONE, &ahash, &a->sig,
						&k->ticket[i]));
		if (rc)
			return rc;
	}
	tr_tpm_name(&k->authorizer, &name);
	return TPM_CALL(t, Esys_PolicyAuthorize(t->esys, k->session,
						ESYS_TR_NONE, ESYS_TR_NONE,
						ESYS_TR_NONE, &approved,
						&k->ref, &name, k->ticket[i]));
}

int tr_key_sign(struct tr_key *k, const uint8_t *digest, size_t dlen,
		TPMI_ALG_SIG_SCHEME scheme, TPMT_SIGNATURE *sig, char *err,
		size_t errlen)
{
	struct tr_tpm *t = k->tpm;
	TPMT_TK_HASHCHECK check = { .tag = TPM2_ST_HASHCHECK,
				    .hierarchy = TPM2_RH_NULL };
	TPMT_SIG_SCHEME sch = { .scheme = scheme };
	TPM2B_DIGEST d = { .size = (UINT16)dlen };
	TPMT_SIGNATURE *out = NULL;
	TSS2_RC rc = TPM2_RC_POLICY_FAIL;

	if (dlen != 32 && dlen != 48)
		return tr_fail(err, errlen,
			       "digest of %zu bytes: want 32 or 48", dlen);
	memcpy(d.buffer, digest, dlen);
	sch.details.any.hashAlg = dlen == 32 ? TPM2_ALG_SHA256 :
					       TPM2_ALG_SHA384;

	if (!k->authorize) {
		TPM2B_DIGEST current = { 0 }; /* empty: the PCRs as they are */
		TPML_PCR_SELECTION sel;

		selection(&k->pcrs, &sel);
		rc = TPM_CALL(t, Esys_PolicyPCR(t->esys, k->session,
						ESYS_TR_NONE, ESYS_TR_NONE,
						ESYS_TR_NONE, &current, &sel));
	} else {
		/* The approval that worked last first, then the others. */
		for (size_t n = 0; n < k->n_approvals; n++) {
			size_t i = (k->last + n) % k->n_approvals;

			rc = authorize(k, i);
			if (!rc) {
				k->last = i;
				break;
			}
			TPM_CALL(t, Esys_PolicyRestart(
					    t->esys, k->session, ESYS_TR_NONE,
					    ESYS_TR_NONE, ESYS_TR_NONE));
			if (!is_policy_failure(rc))
				break;
		}
	}
	if (!rc)
		rc = TPM_CALL(t, Esys_Sign(t->esys, k->handle, k->session,
					   ESYS_TR_NONE, ESYS_TR_NONE, &d, &sch,
					   &check, &out));
	if (!rc) {
		*sig = *out;
		Esys_Free(out);
		return 0;
	}
	if (is_policy_failure(rc)) {
		/* A policy session whose digest went wrong cannot be used
		 * again until it is restarted. */
		if (!k->authorize)
			TPM_CALL(t, Esys_PolicyRestart(
					    t->esys, k->session, ESYS_TR_NONE,
					    ESYS_TR_NONE, ESYS_TR_NONE));
		tr_fail(err, errlen, "PCR policy not satisfied (%s)",
			Tss2_RC_Decode(rc));
		return TR_ERR_POLICY;
	}
	return tr_tpm_fail(err, errlen, "TPM2_Sign", rc);
}

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
