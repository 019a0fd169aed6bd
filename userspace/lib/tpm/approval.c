// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/approval.h"

#include "base/errmsg.h"
#include "tpm/convert.h"
#include "tpm/policy_stmt.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

/* The marshalled TPM2_PolicyPCR body of @a: 44 bytes. */
static size_t pcr_body(const struct tr_approval *a, uint8_t out[48])
{
	struct tr_pcr_values sel = { 0 };
	TPM2B_DIGEST d = { .size = 32 };
	TPML_PCR_SELECTION ps = { 0 };
	size_t off = 0;

	memcpy(sel.selected, a->selected, sizeof(sel.selected));
	memcpy(d.buffer, a->pcr_digest, 32);
	ps.count = 1;
	ps.pcrSelections[0].hash = TPM2_ALG_SHA256;
	ps.pcrSelections[0].sizeofSelect = 3;
	for (int i = 0; i < TR_PCRS; i++)
		if (a->selected[i])
			ps.pcrSelections[0].pcrSelect[i / 8] |=
				(uint8_t)(1u << (i % 8));
	Tss2_MU_TPM2B_DIGEST_Marshal(&d, out, 48, &off);
	Tss2_MU_TPML_PCR_SELECTION_Marshal(&ps, out, 48, &off);
	return off;
}

static bool name_ok(const char *s, size_t n)
{
	if (!n || n > TR_APPROVAL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_'))
			return false;
	}
	return true;
}

int tr_approvals_encode(const struct tr_named_approval *v, size_t n,
			uint8_t *out, size_t cap, size_t *len, char *err,
			size_t errlen)
{
	size_t off = 0;

	*len = 0;
	if (n > TR_APPROVALS_MAX)
		return tr_fail(err, errlen, "more than %d approvals",
			       TR_APPROVALS_MAX);
	if (cap < 1)
		return tr_fail(err, errlen, "approvals: no room");
	out[off++] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(v[i].name);
		uint8_t body[48];
		size_t bl = pcr_body(&v[i].a, body);

		if (!name_ok(v[i].name, nl))
			return tr_fail(
				err, errlen,
				"approval name \"%s\": 1-%d letters, digits, '-', '.', '_'",
				v[i].name, TR_APPROVAL_NAME_MAX);
		if (off + 1 + nl + bl > cap)
			return tr_fail(err, errlen, "approvals: no room");
		out[off++] = (uint8_t)nl;
		memcpy(out + off, v[i].name, nl);
		off += nl;
		memcpy(out + off, body, bl);
		off += bl;
		if (Tss2_MU_TPMT_SIGNATURE_Marshal(&v[i].a.sig, out, cap, &off))
			return tr_fail(err, errlen, "approvals: no room");
	}
	*len = off;
	return 0;
}

int tr_approvals_decode(const uint8_t *b, size_t len,
			struct tr_named_approval *v, size_t cap, size_t *n,
			char *err, size_t errlen)
{
	size_t off = 1, count;

	*n = 0;
	if (len < 1)
		return tr_fail(err, errlen, "approvals: empty");
	count = b[0];
	if (count > TR_APPROVALS_MAX || count > cap)
		return tr_fail(err, errlen, "approvals: %zu, more than %d",
			       count, TR_APPROVALS_MAX);
	for (size_t i = 0; i < count; i++) {
		struct tr_named_approval *a = &v[i];
		TPM2B_DIGEST d = { 0 };
		TPML_PCR_SELECTION sel = { 0 };
		size_t nl, start;
		char why[160];

		memset(a, 0, sizeof(*a));
		if (off >= len)
			return tr_fail(err, errlen, "approval %zu: truncated",
				       i);
		nl = b[off++];
		if (nl > len - off || !name_ok((const char *)b + off, nl))
			return tr_fail(err, errlen, "approval %zu: bad name",
				       i);
		memcpy(a->name, b + off, nl);
		off += nl;
		start = off;
		if (Tss2_MU_TPM2B_DIGEST_Unmarshal(b, len, &off, &d) ||
		    Tss2_MU_TPML_PCR_SELECTION_Unmarshal(b, len, &off, &sel))
			return tr_fail(err, errlen,
				       "approval %zu: malformed PolicyPCR", i);
		if (tr_stmt_parse_pcr(b + start, off - start, a->a.selected,
				      a->a.pcr_digest, why, sizeof(why)) < 0)
			return tr_fail(err, errlen, "approval %zu: %s", i, why);
		if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(b, len, &off, &a->a.sig))
			return tr_fail(err, errlen,
				       "approval %zu: malformed signature", i);
		if (a->a.sig.sigAlg != TPM2_ALG_ECDSA ||
		    a->a.sig.signature.ecdsa.hash != TPM2_ALG_SHA256)
			return tr_fail(
				err, errlen,
				"approval %zu: not an ECDSA SHA-256 signature",
				i);
	}
	if (off != len)
		return tr_fail(err, errlen, "approvals: %zu bytes left over",
			       len - off);
	*n = count;
	return 0;
}

/* aHash of @a under @ref: what the authorizer signs. */
static void ahash(const struct tr_approval *a, const uint8_t *ref,
		  size_t ref_len, uint8_t out[32])
{
	uint8_t approved[32] = { 0 };

	tr_policy_pcr_digest(approved, a->selected, a->pcr_digest);
	tr_policy_approval_hash(approved, ref, ref_len, out);
}

int tr_approval_sign(EVP_PKEY *key, const struct tr_pcr_values *pcrs,
		     const uint8_t *ref, size_t ref_len, struct tr_approval *a,
		     char *err, size_t errlen)
{
	uint8_t h[32], der[TR_ECDSA_DER_MAX];
	size_t dlen = sizeof(der);
	EVP_PKEY_CTX *ctx;
	int ok;

	memset(a, 0, sizeof(*a));
	memcpy(a->selected, pcrs->selected, sizeof(a->selected));
	tr_pcr_values_digest(pcrs, a->pcr_digest);
	ahash(a, ref, ref_len, h);
	ctx = EVP_PKEY_CTX_new(key, NULL);
	ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_sign(ctx, der, &dlen, h, sizeof(h)) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return tr_fail(
			err, errlen,
			"cannot sign the approval (a P-256 private key is needed)");
	return tr_tpm_sig_from_der(der, dlen, &a->sig, err, errlen);
}

int tr_approval_verify(const struct tr_approval *a,
		       const TPM2B_PUBLIC *authorizer, const TPM2B_NONCE *ref,
		       char *err, size_t errlen)
{
	uint8_t h[32], der[TR_ECDSA_DER_MAX];
	EVP_PKEY *pk = tr_tpm_public_to_evp(authorizer, err, errlen);
	EVP_PKEY_CTX *ctx = NULL;
	int n, ok = 0;

	if (!pk)
		return -1;
	ahash(a, ref->buffer, ref->size, h);
	n = tr_tpm_sig_to_der(&a->sig, der, sizeof(der));
	if (n > 0) {
		ctx = EVP_PKEY_CTX_new(pk, NULL);
		ok = ctx && EVP_PKEY_verify_init(ctx) > 0 &&
		     EVP_PKEY_verify(ctx, der, (size_t)n, h, sizeof(h)) == 1;
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok ? 0 :
		    tr_fail(err, errlen,
			    "the approval is not signed by the key's authorizer");
}

bool tr_approval_same_state(const struct tr_approval *x,
			    const struct tr_approval *y)
{
	return !memcmp(x->selected, y->selected, sizeof(x->selected)) &&
	       !memcmp(x->pcr_digest, y->pcr_digest, 32);
}

int tr_keyfile_authorizer(const struct tr_keyfile *kf, TPM2B_PUBLIC *authorizer,
			  TPM2B_NONCE *ref, char *err, size_t errlen)
{
	TPMT_SIGNATURE none;

	if (kf->policy.n != 1 ||
	    kf->policy.stmt[0].cc != TR_CC_POLICY_AUTHORIZE)
		return tr_fail(
			err, errlen,
			"not a PolicyAuthorize key (one TPM2_PolicyAuthorize)");
	return tr_stmt_parse_authorize(kf->policy.stmt[0].body,
				       kf->policy.stmt[0].len, authorizer, ref,
				       &none, err, errlen);
}

size_t tr_keyfile_approvals(const struct tr_keyfile *kf,
			    struct tr_named_approval *v, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < kf->n_auth && n < cap; i++) {
		const struct tr_policy *p = &kf->auth[i].policy;
		struct tr_named_approval *a = &v[n];
		TPM2B_PUBLIC signer;
		TPM2B_NONCE ref;
		char why[128];

		memset(a, 0, sizeof(*a));
		/* Only the shape trustkey approve writes. */
		if (p->n != 2 || p->stmt[0].cc != TR_CC_POLICY_PCR ||
		    p->stmt[1].cc != TR_CC_POLICY_AUTHORIZE ||
		    tr_stmt_parse_pcr(p->stmt[0].body, p->stmt[0].len,
				      a->a.selected, a->a.pcr_digest, why,
				      sizeof(why)) < 0 ||
		    tr_stmt_parse_authorize(p->stmt[1].body, p->stmt[1].len,
					    &signer, &ref, &a->a.sig, why,
					    sizeof(why)) < 0)
			continue;
		if (kf->auth[i].name)
			snprintf(a->name, sizeof(a->name), "%s",
				 kf->auth[i].name);
		n++;
	}
	return n;
}

/* @a as a signed policy of @kf's authorizer, at @slot (zeroed first). */
static int signed_policy(struct tr_auth_policy *slot,
			 const struct tr_named_approval *a,
			 const TPM2B_PUBLIC *authorizer, const TPM2B_NONCE *ref,
			 char *err, size_t errlen)
{
	uint8_t pbody[48], abody[sizeof(TPM2B_PUBLIC) + 200];
	size_t blen;

	memset(slot, 0, sizeof(*slot));
	slot->name = a->name[0] ? strdup(a->name) : NULL;
	if (tr_stmt_build_authorize(authorizer, ref, &a->a.sig, abody,
				    sizeof(abody), &blen) < 0)
		return tr_fail(err, errlen, "cannot encode the approval");
	if (tr_policy_add(&slot->policy, TR_CC_POLICY_PCR, pbody,
			  pcr_body(&a->a, pbody), err, errlen) < 0 ||
	    tr_policy_add(&slot->policy, TR_CC_POLICY_AUTHORIZE, abody, blen,
			  err, errlen) < 0)
		return -1;
	return 0;
}

static void free_slot(struct tr_auth_policy *a)
{
	free(a->name);
	for (size_t i = 0; i < a->policy.n; i++)
		free(a->policy.stmt[i].body);
	memset(a, 0, sizeof(*a));
}

int tr_keyfile_add_approvals(struct tr_keyfile *kf,
			     const struct tr_named_approval *v, size_t n,
			     size_t *added, char *err, size_t errlen)
{
	struct tr_named_approval have[TR_KEYFILE_MAX_AUTHPOLICY];
	TPM2B_PUBLIC authorizer;
	TPM2B_NONCE ref;
	size_t nh;

	*added = 0;
	if (tr_keyfile_authorizer(kf, &authorizer, &ref, err, errlen) < 0)
		return -1;
	/* Every new one is checked first: all or nothing. */
	for (size_t i = 0; i < n; i++)
		if (tr_approval_verify(&v[i].a, &authorizer, &ref, err,
				       errlen) < 0)
			return tr_fail(
				err, errlen,
				"approval \"%s\": not signed by the key's authorizer",
				v[i].name);
	nh = tr_keyfile_approvals(kf, have, TR_KEYFILE_MAX_AUTHPOLICY);
	for (size_t i = 0; i < n; i++) {
		struct tr_auth_policy slot;
		bool known = false;

		for (size_t j = 0; j < nh && !known; j++)
			known = tr_approval_same_state(&have[j].a, &v[i].a);
		if (known)
			continue;
		if (signed_policy(&slot, &v[i], &authorizer, &ref, err,
				  errlen) < 0) {
			free_slot(&slot);
			return -1;
		}
		/* Full: the oldest (last) goes; newest first. */
		if (kf->n_auth == TR_KEYFILE_MAX_AUTHPOLICY)
			free_slot(&kf->auth[--kf->n_auth]);
		memmove(&kf->auth[1], &kf->auth[0],
			kf->n_auth * sizeof(kf->auth[0]));
		kf->auth[0] = slot;
		kf->n_auth++;
		if (nh < TR_KEYFILE_MAX_AUTHPOLICY)
			have[nh++] = v[i];
		(*added)++;
	}
	return 0;
}
