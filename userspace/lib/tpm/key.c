// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/key.h"
#include "base/errmsg.h"
#include "tpm/convert.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_sys.h>

/* A policy check the TPM refused (any session, any parameter index). */
static bool is_policy_failure(TSS2_RC rc)
{
	return (rc & TPM2_RC_FMT1) &&
	       ((rc & 0x3f) == (TPM2_RC_POLICY_FAIL & 0x3f) ||
		(rc & 0x3f) == (TPM2_RC_VALUE & 0x3f));
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
	rc = TR_TPM_CALL(t, Esys_Load(t->esys, t->srk, ESYS_TR_PASSWORD,
				      ESYS_TR_NONE, ESYS_TR_NONE, priv, pub,
				      &k->handle));
	if (rc)
		return tr_tpm_fail(err, errlen,
				   "loading the key (another TPM's?)", rc);
	/* The SRK only loads keys: flushed now, it leaves the TPM's few
	 * transient slots (3 on many TPMs when no resource manager shares
	 * them) to others, e.g. the AK a quote loads while this key serves
	 * TLS in another process. The next load recreates it. */
	TR_TPM_CALL(t, Esys_FlushContext(t->esys, t->srk));
	t->srk = ESYS_TR_NONE;
	/* One policy session for the key's lifetime: the TPM resets its
	 * digest after each use, so only the policy commands repeat. */
	rc = TR_TPM_CALL(
		t, Esys_StartAuthSession(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
					 ESYS_TR_NONE, ESYS_TR_NONE,
					 ESYS_TR_NONE, NULL, TPM2_SE_POLICY,
					 &sym, TPM2_ALG_SHA256, &k->session));
	if (rc) {
		tr_key_unload(k);
		return tr_tpm_fail(err, errlen, "starting the policy session",
				   rc);
	}
	Esys_TRSess_SetAttributes(t->esys, k->session,
				  TPMA_SESSION_CONTINUESESSION, 0xff);
	/* Looked up once: the signing path names them to the TPM itself. */
	rc = Esys_TR_GetTpmHandle(t->esys, k->handle, &k->tpm_handle);
	if (!rc)
		rc = Esys_TR_GetTpmHandle(t->esys, k->session, &k->tpm_session);
	if (rc) {
		tr_key_unload(k);
		return tr_tpm_fail(err, errlen, "the key's TPM handles", rc);
	}
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
	rc = TR_TPM_CALL(t, Esys_LoadExternal(t->esys, ESYS_TR_NONE,
					      ESYS_TR_NONE, ESYS_TR_NONE, NULL,
					      authorizer, ESYS_TR_RH_OWNER,
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
	tr_tpm_pcr_selection(&sel_only, &sel);
	memcpy(pd.buffer, a->pcr_digest, 32);
	rc = TR_TPM_CALL(t,
			 Esys_PolicyPCR(t->esys, k->session, ESYS_TR_NONE,
					ESYS_TR_NONE, ESYS_TR_NONE, &pd, &sel));
	if (rc)
		return rc;
	memset(approved.buffer, 0, 32);
	tr_policy_pcr_digest(approved.buffer, a->selected, a->pcr_digest);
	if (!k->ticket[i]) {
		tr_policy_approval_hash(approved.buffer, k->ref.buffer,
					k->ref.size, ahash.buffer);
		rc = TR_TPM_CALL(
			t, Esys_VerifySignature(t->esys, k->authorizer_handle,
						ESYS_TR_NONE, ESYS_TR_NONE,
						ESYS_TR_NONE, &ahash, &a->sig,
						&k->ticket[i]));
		if (rc)
			return rc;
	}
	tr_tpm_name(&k->authorizer, &name);
	return TR_TPM_CALL(
		t, Esys_PolicyAuthorize(t->esys, k->session, ESYS_TR_NONE,
					ESYS_TR_NONE, ESYS_TR_NONE, &approved,
					&k->ref, &name, k->ticket[i]));
}

/*
 * The signing path goes below ESAPI, on ESAPI's own SAPI context, with
 * the same commands and round trips. The reason is the client's CPU:
 * tpm2-tss 3.2's ESAPI computes cpHash, rpHash and a new nonceCaller for
 * every command that uses a session, each in an OSSL_LIB_CTX made for it
 * alone (esys_crypto_ossl.c: a fresh name map, provider and DRBG every
 * time), which costs more per TPM2_Sign than a swtpm takes to sign. The
 * key's session is a policy session whose policy (PolicyPCR, or
 * PolicyAuthorize of a PolicyPCR) asks for no authValue: no HMAC travels
 * either way, no parameter is encrypted, so none of what ESAPI computes
 * is checked by anyone. Its authorization is the session handle, a nonce
 * and continueSession. The TPM still compares the session's policy
 * digest with the key's authPolicy at TPM2_Sign: PCRs that changed fail
 * the signature as before (fail closed).
 */
static TSS2_RC sys_policy_pcr(struct tr_key *k, const TPML_PCR_SELECTION *sel)
{
	TPM2B_DIGEST current = { 0 }; /* empty: the PCRs as they are */
	TSS2_SYS_CONTEXT *sys;
	TSS2_RC rc = Esys_GetSysContext(k->tpm->esys, &sys);

	if (rc)
		return rc;
	return TR_TPM_CALL(k->tpm, Tss2_Sys_PolicyPCR(sys, k->tpm_session, NULL,
						      &current, sel, NULL));
}

static TSS2_RC sys_sign(struct tr_key *k, const TPM2B_DIGEST *d,
			const TPMT_SIG_SCHEME *sch, TPMT_SIGNATURE *sig)
{
	TPMT_TK_HASHCHECK check = { .tag = TPM2_ST_HASHCHECK,
				    .hierarchy = TPM2_RH_NULL };
	TSS2L_SYS_AUTH_COMMAND auth = {
		.count = 1,
		.auths = { { .sessionHandle = k->tpm_session,
			     .nonce = { .size = 32 },
			     .sessionAttributes =
				     TPMA_SESSION_CONTINUESESSION } },
	};
	TSS2L_SYS_AUTH_RESPONSE rsp = { 0 };
	TSS2_SYS_CONTEXT *sys;
	TSS2_RC rc = Esys_GetSysContext(k->tpm->esys, &sys);

	if (rc)
		return rc;
	/* A fresh nonceCaller for each command, as the TPM expects. */
	if (getrandom(auth.auths[0].nonce.buffer, 32, 0) != 32)
		return TSS2_ESYS_RC_GENERAL_FAILURE;
	return TR_TPM_CALL(k->tpm, Tss2_Sys_Sign(sys, k->tpm_handle, &auth, d,
						 sch, &check, sig, &rsp));
}

int tr_key_sign(struct tr_key *k, const uint8_t *digest, size_t dlen,
		TPMI_ALG_SIG_SCHEME scheme, TPMT_SIGNATURE *sig, char *err,
		size_t errlen)
{
	struct tr_tpm *t = k->tpm;
	TPMT_SIG_SCHEME sch = { .scheme = scheme };
	TPM2B_DIGEST d = { .size = (UINT16)dlen };
	TSS2_RC rc = TPM2_RC_POLICY_FAIL;

	if (dlen != 32 && dlen != 48 && dlen != 64)
		return tr_fail(err, errlen,
			       "digest of %zu bytes: want 32, 48 or 64", dlen);
	memcpy(d.buffer, digest, dlen);
	sch.details.any.hashAlg = dlen == 32 ? TPM2_ALG_SHA256 :
				  dlen == 48 ? TPM2_ALG_SHA384 :
					       TPM2_ALG_SHA512;

	if (!k->authorize) {
		TPML_PCR_SELECTION sel;

		tr_tpm_pcr_selection(&k->pcrs, &sel);
		rc = sys_policy_pcr(k, &sel);
	} else {
		/* The approval that worked last first, then the others. */
		for (size_t n = 0; n < k->n_approvals; n++) {
			size_t i = (k->last + n) % k->n_approvals;

			rc = authorize(k, i);
			if (!rc) {
				k->last = i;
				break;
			}
			TR_TPM_CALL(t, Esys_PolicyRestart(t->esys, k->session,
							  ESYS_TR_NONE,
							  ESYS_TR_NONE,
							  ESYS_TR_NONE));
			if (!is_policy_failure(rc))
				break;
		}
	}
	if (!rc)
		rc = sys_sign(k, &d, &sch, sig);
	if (!rc)
		return 0;
	if (is_policy_failure(rc)) {
		/* A policy session whose digest went wrong cannot be used
		 * again until it is restarted. */
		if (!k->authorize)
			TR_TPM_CALL(t, Esys_PolicyRestart(t->esys, k->session,
							  ESYS_TR_NONE,
							  ESYS_TR_NONE,
							  ESYS_TR_NONE));
		tr_fail(err, errlen, "PCR policy not satisfied (%s)",
			Tss2_RC_Decode(rc));
		return TR_ERR_POLICY;
	}
	return tr_tpm_fail(err, errlen, "TPM2_Sign", rc);
}
