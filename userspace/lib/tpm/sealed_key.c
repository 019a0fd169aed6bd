// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/sealed_key.h"

#include "base/errmsg.h"
#include "base/fileio.h"
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

static int keyfile_parts(const char *pem, size_t len, TPM2B_PUBLIC *pub,
			 TPM2B_PRIVATE *priv, struct tr_pcr_values *pcrs,
			 char *err, size_t errlen)
{
	struct tr_keyfile kf;
	uint8_t pcr_digest[32];
	size_t off = 0;
	int rc = -1;

	if (tr_keyfile_decode_pem(pem, len, &kf, err, errlen) < 0)
		return -1;
	memset(pub, 0, sizeof(*pub));
	memset(priv, 0, sizeof(*priv));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kf.pub, kf.pub_len, &off, pub) ||
	    off != kf.pub_len) {
		tr_fail(err, errlen, "key file: bad TPM2B_PUBLIC");
		goto out;
	}
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(kf.priv, kf.priv_len, &off, priv) ||
	    off != kf.priv_len) {
		tr_fail(err, errlen, "key file: bad TPM2B_PRIVATE");
		goto out;
	}
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
