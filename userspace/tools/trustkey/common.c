// SPDX-License-Identifier: GPL-2.0-only
/* What trustkey's subcommands share: reading and writing key files. */
#include "userspace/tools/trustkey/trustkey.h"
#include "base/errmsg.h"
#include "base/fileio.h"
#include "tpm/sealed_key.h"
#include "tpm/convert.h"
#include <errno.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

EVP_PKEY *read_pubkey(const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f) {
		snprintf(err, ERRLEN, "%s: %s", path, strerror(errno));
		return NULL;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (!k) {
		rewind(f);
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (!k)
		snprintf(err, ERRLEN, "%s: not a PEM public or private key",
			 path);
	return k;
}

/* The private part is wrapped by the TPM, but keep it private. */
int write_pem(const char *out, char *pem, size_t len, char *err)
{
	FILE *f = fopen(out, "wx");
	int rc = 0;

	if (!f || fwrite(pem, 1, len, f) != len || fclose(f))
		rc = tr_fail(err, ERRLEN, "%s: %s", out, strerror(errno));
	free(pem);
	return rc;
}

int write_keyfile(struct tr_keyfile *kf, const TPM2B_PUBLIC *pub,
		  const TPM2B_PRIVATE *priv, const char *out, char *err)
{
	char *pem = NULL;
	size_t len;

	if (tr_keyfile_pem(kf, pub, priv, &pem, &len, err, ERRLEN) < 0)
		return -1;
	return write_pem(out, pem, len, err);
}

int load_keyfile(const char *path, struct tr_keyfile *kf, TPM2B_PUBLIC *pub,
		 char *err)
{
	uint8_t *buf;
	size_t len, off = 0;

	if (read_file_bounded(path, TR_KEYFILE_MAX_DER * 2, &buf, &len) < 0)
		return tr_fail(err, ERRLEN, "%s: %s", path, strerror(errno));
	if (tr_keyfile_decode_pem((const char *)buf, len, kf, err, ERRLEN) <
	    0) {
		free(buf);
		return -1;
	}
	free(buf);
	memset(pub, 0, sizeof(*pub));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kf->pub, kf->pub_len, &off, pub))
		return tr_fail(err, ERRLEN, "%s: bad public part", path);
	return 0;
}

/* The policy the key file describes, recomputed from its statements. */
int file_policy(const struct tr_keyfile *kf, uint8_t out[32], char *err)
{
	memset(out, 0, 32);
	for (size_t i = 0; i < kf->policy.n; i++) {
		const struct tr_policy_stmt *s = &kf->policy.stmt[i];
		EVP_MD_CTX *ctx;
		uint8_t cc[4] = { 0 };

		if (s->cc == TR_CC_POLICY_PCR) {
			/* H(d || CC || selection || pcrDigest) from the body:
			 * TPM2B_DIGEST (2 + 32) then TPML_PCR_SELECTION. */
			if (s->len < 34 || s->body[0] || s->body[1] != 32)
				return tr_fail(
					err, ERRLEN,
					"statement %zu: bad PolicyPCR body", i);
			cc[2] = 0x01;
			cc[3] = 0x7f;
			ctx = EVP_MD_CTX_new();
			EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
			EVP_DigestUpdate(ctx, out, 32);
			EVP_DigestUpdate(ctx, cc, 4);
			EVP_DigestUpdate(ctx, s->body + 34, s->len - 34);
			EVP_DigestUpdate(ctx, s->body + 2, 32);
			EVP_DigestFinal_ex(ctx, out, NULL);
			EVP_MD_CTX_free(ctx);
		} else if (s->cc == TR_CC_POLICY_AUTHORIZE && i == 0) {
			TPM2B_PUBLIC a = { 0 };
			TPM2B_NAME name;
			size_t off = 0;
			uint16_t rlen;

			if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(s->body, s->len,
							   &off, &a) ||
			    off + 2 > s->len)
				return tr_fail(
					err, ERRLEN,
					"statement 0: bad PolicyAuthorize body");
			rlen = (uint16_t)(s->body[off] << 8 | s->body[off + 1]);
			if (off + 2 + rlen > s->len)
				return tr_fail(err, ERRLEN,
					       "statement 0: bad policyRef");
			tr_tpm_name(&a, &name);
			tr_policy_authorize(out, name.name, name.size,
					    s->body + off + 2, rlen);
		} else {
			return tr_fail(
				err, ERRLEN,
				"statement %zu: command 0x%x not supported", i,
				s->cc);
		}
	}
	return 0;
}

int write_raw(const char *path, const uint8_t *buf, size_t len, char *err)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		return tr_fail(err, ERRLEN, "%s: %s", path, strerror(errno));
	return 0;
}
