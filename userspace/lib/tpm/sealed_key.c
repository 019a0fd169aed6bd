// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/sealed_key.h"

#include "base/errmsg.h"
#include "base/fileio.h"
#include "tpm/convert.h"
#include "tpm/policy_stmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

int tr_keyfile_pem(struct tr_keyfile *kf, const TPM2B_PUBLIC *pub,
		   const TPM2B_PRIVATE *priv, char **pem, size_t *len,
		   char *err, size_t errlen)
{
	uint8_t pbuf[sizeof(TPM2B_PUBLIC)], sbuf[sizeof(TPM2B_PRIVATE)];
	size_t plen = 0, slen = 0;
	int rc;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, pbuf, sizeof(pbuf), &plen) ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(priv, sbuf, sizeof(sbuf), &slen))
		return tr_fail(err, errlen, "cannot marshal the key");
	kf->empty_auth = true;
	kf->parent = TR_PARENT_OWNER;
	kf->pub = pbuf;
	kf->pub_len = plen;
	kf->priv = sbuf;
	kf->priv_len = slen;
	rc = tr_keyfile_encode_pem(kf, pem, len, err, errlen);
	kf->pub = kf->priv = NULL; /* on this stack, not the caller's */
	return rc;
}

int tr_sealed_key_create_pcr(struct tr_tpm *t, enum tr_key_alg alg,
			     struct tr_pcr_values *pcrs, char **pem,
			     size_t *len, char *err, size_t errlen)
{
	struct tr_keyfile kf = { 0 };
	uint8_t policy[32] = { 0 }, body[48];
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	int rc = -1;

	if (tr_tpm_pcr_read(t, pcrs, err, errlen) < 0)
		return -1;
	tr_policy_pcr(policy, pcrs);
	if (tr_policy_add(&kf.policy, TR_CC_POLICY_PCR, body,
			  tr_policy_pcr_body(pcrs, body), err, errlen) == 0 &&
	    tr_key_create(t, alg, policy, &pub, &priv, err, errlen) == 0)
		rc = tr_keyfile_pem(&kf, &pub, &priv, pem, len, err, errlen);
	tr_keyfile_free(&kf);
	return rc;
}

/* The public and private parts of a decoded key file. */
static int keyfile_parts_of(const struct tr_keyfile *kf, TPM2B_PUBLIC *pub,
			    TPM2B_PRIVATE *priv, char *err, size_t errlen)
{
	size_t off = 0;

	memset(pub, 0, sizeof(*pub));
	memset(priv, 0, sizeof(*priv));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kf->pub, kf->pub_len, &off, pub) ||
	    off != kf->pub_len)
		return tr_fail(err, errlen, "key file: bad TPM2B_PUBLIC");
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(kf->priv, kf->priv_len, &off,
					    priv) ||
	    off != kf->priv_len)
		return tr_fail(err, errlen, "key file: bad TPM2B_PRIVATE");
	return 0;
}

static int keyfile_parts(const char *pem, size_t len, TPM2B_PUBLIC *pub,
			 TPM2B_PRIVATE *priv, struct tr_pcr_values *pcrs,
			 char *err, size_t errlen)
{
	struct tr_keyfile kf;
	uint8_t pcr_digest[32];
	int rc = -1;

	if (tr_keyfile_decode_pem(pem, len, &kf, err, errlen) < 0)
		return -1;
	if (keyfile_parts_of(&kf, pub, priv, err, errlen) < 0)
		goto out;
	if (pcrs) {
		memset(pcrs, 0, sizeof(*pcrs));
		if (kf.n_auth || kf.policy.n != 1 ||
		    kf.policy.stmt[0].cc != TR_CC_POLICY_PCR) {
			tr_fail(err, errlen,
				"key file: not a PolicyPCR key (one TPM2_PolicyPCR)");
			goto out;
		}
		if (tr_stmt_parse_pcr(kf.policy.stmt[0].body,
				      kf.policy.stmt[0].len, pcrs->selected,
				      pcr_digest, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	tr_keyfile_free(&kf);
	return rc;
}

int tr_keyfile_load(const char *path, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
		    struct tr_pcr_values *pcrs, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (read_file_bounded(path, 1 << 16, &buf, &len) < 0) {
		rc = errno == ENOENT ? 1 : -1;
		tr_fail(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = keyfile_parts((const char *)buf, len, pub, priv, pcrs, err,
			   errlen);
	free(buf);
	return rc;
}

int tr_sealed_key_create_authorized(struct tr_tpm *t, enum tr_key_alg alg,
				    const TPM2B_PUBLIC *authorizer,
				    const TPM2B_NONCE *ref,
				    const struct tr_named_approval *v, size_t n,
				    char **pem, size_t *len, char *err,
				    size_t errlen)
{
	struct tr_keyfile kf = { 0 };
	uint8_t policy[32], stmt[sizeof(TPM2B_PUBLIC) + 80];
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	TPM2B_NAME name;
	size_t slen, added;
	int rc = -1;

	if (tr_tpm_name(authorizer, &name) < 0)
		return tr_fail(err, errlen, "cannot name the authorizer key");
	tr_policy_authorize(policy, name.name, name.size, ref->buffer,
			    ref->size);
	/* The key's own statement: PolicyAuthorize with the authorizer and
	 * the reference, unsigned; each approval is a signed policy. */
	if (tr_stmt_build_authorize(authorizer, ref, NULL, stmt, sizeof(stmt),
				    &slen) < 0 ||
	    tr_policy_add(&kf.policy, TR_CC_POLICY_AUTHORIZE, stmt, slen, err,
			  errlen) < 0)
		goto out;
	if (tr_keyfile_add_approvals(&kf, v, n, &added, err, errlen) < 0)
		goto out;
	if (tr_key_create(t, alg, policy, &pub, &priv, err, errlen) == 0)
		rc = tr_keyfile_pem(&kf, &pub, &priv, pem, len, err, errlen);
out:
	tr_keyfile_free(&kf);
	return rc;
}

int tr_sealed_key_load(struct tr_tpm *t, const char *path, struct tr_key *k,
		       TPM2B_PUBLIC *pub_out, char *err, size_t errlen)
{
	struct tr_named_approval v[TR_APPROVALS_MAX];
	struct tr_keyfile kf;
	struct tr_pcr_values pcrs;
	TPM2B_PUBLIC pub, authorizer;
	TPM2B_PRIVATE priv;
	TPM2B_NONCE ref;
	uint8_t *buf;
	size_t len, n, ok = 0;
	int rc = -1;

	if (read_file_bounded(path, 1 << 16, &buf, &len) < 0)
		return tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	rc = tr_keyfile_decode_pem((const char *)buf, len, &kf, err, errlen);
	free(buf);
	if (rc < 0)
		return -1;
	rc = -1;
	if (keyfile_parts_of(&kf, &pub, &priv, err, errlen) < 0)
		goto out;
	if (pub_out)
		*pub_out = pub;
	if (kf.policy.n == 1 && kf.policy.stmt[0].cc == TR_CC_POLICY_PCR) {
		uint8_t digest[32];

		memset(&pcrs, 0, sizeof(pcrs));
		if (tr_stmt_parse_pcr(kf.policy.stmt[0].body,
				      kf.policy.stmt[0].len, pcrs.selected,
				      digest, err, errlen) == 0)
			rc = tr_key_load_pcr(t, &pub, &priv, &pcrs, k, err,
					     errlen);
		goto out;
	}
	if (tr_keyfile_authorizer(&kf, &authorizer, &ref, err, errlen) < 0)
		goto out;
	n = tr_keyfile_approvals(&kf, v, TR_APPROVALS_MAX);
	/* Without an approval the key can sign in no state at all. */
	if (!n) {
		tr_fail(err, errlen,
			"%s: no approved PCR state in the key file", path);
		goto out;
	}
	if (tr_key_load_authorized(t, &pub, &priv, &authorizer, &ref, k, err,
				   errlen) < 0)
		goto out;
	/* Only approvals the key's authorizer signed: one planted in the
	 * file (by whoever can write it) is skipped, and a file with none
	 * left loads no key at all (fail closed). */
	for (size_t i = 0; i < n; i++)
		ok += tr_approval_verify(&v[i].a, &authorizer, &ref, NULL, 0) ==
			      0 &&
		      tr_key_add_approval(k, &v[i].a, err, errlen) == 0;
	if (!ok) {
		tr_key_unload(k);
		tr_fail(err, errlen,
			"%s: no approval in the key file is the authorizer's",
			path);
		goto out;
	}
	rc = 0;
out:
	tr_keyfile_free(&kf);
	return rc;
}

int tr_sealed_key_add_approvals(const char *path,
				const struct tr_named_approval *v, size_t n,
				size_t *added, char *err, size_t errlen)
{
	struct tr_keyfile kf;
	uint8_t *buf;
	char *pem = NULL;
	size_t len;
	int rc;

	*added = 0;
	if (read_file_bounded(path, 1 << 16, &buf, &len) < 0)
		return tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	rc = tr_keyfile_decode_pem((const char *)buf, len, &kf, err, errlen);
	free(buf);
	if (rc < 0)
		return -1;
	rc = tr_keyfile_add_approvals(&kf, v, n, added, err, errlen);
	if (!rc && *added) {
		rc = tr_keyfile_encode_pem(&kf, &pem, &len, err, errlen);
		/* Atomic: a crash leaves the old file or the new, and the
		 * key in either is the same. */
		if (!rc && write_file_atomic(path, pem, len, 0600) < 0)
			rc = tr_fail(err, errlen, "%s: %s", path,
				     strerror(errno));
	}
	free(pem);
	tr_keyfile_free(&kf);
	return rc;
}
