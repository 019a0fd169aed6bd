// SPDX-License-Identifier: GPL-2.0-only
/* trustkey approve: the vendor's signed approval of a PCR state, into a PolicyAuthorize key's file. */
#include "userspace/tools/trustkey/trustkey.h"
#include "tpm/sealed_key.h"
#include "tpm/policy_stmt.h"
#include "tpm/convert.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_approve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "authorizer-key", required_argument, NULL, 'k' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "value", required_argument, NULL, 'v' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyp = NULL, *pcrs_arg = NULL, *name = NULL, *path;
	unsigned char given[TR_PCRS] = { 0 };
	uint8_t approved[32] = { 0 }, ahash[32], der[128], pcrbody[48];
	uint8_t authbody[sizeof(TPM2B_PUBLIC) + 200];
	struct tr_keyfile kf = { 0 };
	struct tr_pcr_values pcrs, vals = { 0 };
	TPM2B_PUBLIC pub, authorizer, vpub;
	TPMT_SIGNATURE none, sig;
	TPM2B_NONCE ref;
	EVP_PKEY *vk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t dlen = sizeof(der), blen, pem_len;
	struct tr_auth_policy *a;
	char err[ERRLEN] = "", *pem = NULL, tmp[4200];
	int o, rc = 2;
	FILE *f;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *eq, *end;
		unsigned long i;

		switch (o) {
		case 'k':
			keyp = optarg;
			break;
		case 'p':
			pcrs_arg = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'v':
			i = strtoul(optarg, &eq, 10);
			if (eq == optarg || *eq != '=' || i >= TR_PCRS ||
			    strlen(eq + 1) != 64)
				return usage(2);
			for (int b = 0; b < 32; b++) {
				char byte[3] = { eq[1 + 2 * b], eq[2 + 2 * b],
						 0 };

				vals.value[i][b] =
					(uint8_t)strtoul(byte, &end, 16);
				if (*end)
					return usage(2);
			}
			given[i] = 1;
			break;
		default:
			return usage(2);
		}
	}
	if (!keyp || !pcrs_arg || optind + 1 != argc ||
	    tr_pcr_selection_parse(pcrs_arg, &pcrs) < 0)
		return usage(2);
	path = argv[optind];
	if (load_keyfile(path, &kf, &pub, err) < 0)
		goto out;
	if (kf.policy.n != 1 ||
	    kf.policy.stmt[0].cc != TR_CC_POLICY_AUTHORIZE ||
	    tr_stmt_parse_authorize(kf.policy.stmt[0].body,
				    kf.policy.stmt[0].len, &authorizer, &ref,
				    &none, err, sizeof(err)) < 0) {
		snprintf(err, sizeof(err), "%s is not a PolicyAuthorize key",
			 path);
		goto out;
	}
	/* The signer must be the authorizer the key names. */
	vk = read_pubkey(keyp, err);
	if (!vk || tr_tpm_public_from_evp(vk, &vpub, err, sizeof(err)) < 0)
		goto out;
	if (memcmp(&vpub.publicArea.unique, &authorizer.publicArea.unique,
		   sizeof(vpub.publicArea.unique))) {
		snprintf(err, sizeof(err), "%s is not the key's authorizer",
			 keyp);
		goto out;
	}
	/* The approved values: given, or the TPM's current ones. */
	for (int i = 0; i < TR_PCRS; i++)
		if (pcrs.selected[i] && given[i])
			memcpy(pcrs.value[i], vals.value[i], 32);
	for (int i = 0; i < TR_PCRS; i++)
		if (pcrs.selected[i] && !given[i]) {
			struct tr_tpm tpm;
			int r;

			if (tr_tpm_open(&tpm, NULL, err, sizeof(err)) < 0)
				goto out;
			r = tr_tpm_pcr_read(&tpm, &pcrs, err, sizeof(err));
			tr_tpm_close(&tpm);
			for (int j = 0; j < TR_PCRS; j++)
				if (given[j] && pcrs.selected[j])
					memcpy(pcrs.value[j], vals.value[j],
					       32);
			if (r < 0)
				goto out;
			break;
		}
	tr_policy_pcr(approved, &pcrs);
	tr_policy_approval_hash(approved, ref.buffer, ref.size, ahash);
	ctx = EVP_PKEY_CTX_new(vk, NULL);
	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_sign(ctx, der, &dlen, ahash, sizeof(ahash)) <= 0) {
		snprintf(err, sizeof(err),
			 "%s: cannot sign (a private key is needed)", keyp);
		goto out;
	}
	if (tr_tpm_sig_from_der(der, dlen, &sig, err, sizeof(err)) < 0 ||
	    tr_stmt_build_authorize(&authorizer, &ref, &sig, authbody,
				    sizeof(authbody), &blen) < 0)
		goto out;
	if (kf.n_auth == TR_KEYFILE_MAX_AUTHPOLICY) {
		snprintf(err, sizeof(err),
			 "the key already has %d signed policies",
			 TR_KEYFILE_MAX_AUTHPOLICY);
		goto out;
	}
	/* Newest first: the state most likely current is tried first. */
	memmove(&kf.auth[1], &kf.auth[0], kf.n_auth * sizeof(kf.auth[0]));
	kf.n_auth++;
	a = &kf.auth[0];
	memset(a, 0, sizeof(*a));
	a->name = name ? strdup(name) : NULL;
	if (tr_policy_add(&a->policy, TR_CC_POLICY_PCR, pcrbody,
			  tr_policy_pcr_body(&pcrs, pcrbody), err,
			  sizeof(err)) < 0 ||
	    tr_policy_add(&a->policy, TR_CC_POLICY_AUTHORIZE, authbody, blen,
			  err, sizeof(err)) < 0 ||
	    tr_keyfile_encode_pem(&kf, &pem, &pem_len, err, sizeof(err)) < 0)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fwrite(pem, 1, pem_len, f) != pem_len || fclose(f) ||
	    rename(tmp, path)) {
		snprintf(err, sizeof(err), "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	printf("%s: %zu signed policies, newest for %s\n", path, kf.n_auth,
	       pcrs_arg);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "trustkey: %s\n", err);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(vk);
	free(pem);
	tr_keyfile_free(&kf);
	return rc;
}
