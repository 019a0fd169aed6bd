// SPDX-License-Identifier: GPL-2.0-only
/* trustkey create: a key sealed to the PCRs (PolicyPCR) or to the vendor's approvals (PolicyAuthorize). */
#include "userspace/tools/trustkey/trustkey.h"
#include "tpm/sealed_key.h"
#include "tpm/convert.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <tss2/tss2_mu.h>

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcrs", required_argument, NULL, 'p' },
		{ "alg", required_argument, NULL, 'a' },
		{ "authorizer", required_argument, NULL, 'A' },
		{ "ref", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pcrs_arg = NULL, *auth = NULL, *ref = "", *out = NULL;
	enum tr_key_alg alg = TR_KEY_ECC_P256;
	struct tr_keyfile kf = { 0 };
	struct tr_pcr_values pcrs;
	uint8_t policy[32] = { 0 };
	TPM2B_PUBLIC pub, apub;
	TPM2B_PRIVATE priv;
	struct tr_tpm tpm;
	char err[ERRLEN];
	int o, rc = 2;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			pcrs_arg = optarg;
			break;
		case 'a':
			if (!strcmp(optarg, "rsa"))
				alg = TR_KEY_RSA_2048;
			else if (strcmp(optarg, "ecc"))
				return usage(2);
			break;
		case 'A':
			auth = optarg;
			break;
		case 'r':
			ref = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return usage(2);
		}
	}
	if (!out)
		return tr_cli_missing("trustkey create", "--output KEY.pem");
	if (!pcrs_arg && !auth)
		return tr_cli_missing(
			"trustkey create",
			"--pcrs sha256:N[,N...] or --authorizer VENDOR.pem");
	if (optind != argc || (pcrs_arg && auth))
		return usage(2);
	if (pcrs_arg && tr_pcr_selection_parse(pcrs_arg, &pcrs) < 0) {
		fprintf(stderr, "trustkey: --pcrs %s: want sha256:N[,N...]\n",
			pcrs_arg);
		return 2;
	}
	if (strlen(ref) > sizeof(((TPM2B_NONCE *)0)->buffer)) {
		fprintf(stderr, "trustkey: --ref too long\n");
		return 2;
	}
	if (tr_tpm_open(&tpm, NULL, err, sizeof(err)) < 0)
		goto fail;
	if (pcrs_arg) {
		char *pem = NULL;
		size_t len;

		/* Bound to the PCRs as they are now: the good state. */
		if (tr_sealed_key_create_pcr(&tpm, alg, &pcrs, &pem, &len, err,
					     sizeof(err)) < 0 ||
		    write_pem(out, pem, len, err) < 0)
			goto fail;
	} else {
		EVP_PKEY *vk = read_pubkey(auth, err);
		TPM2B_NAME name;
		uint8_t stmt[sizeof(TPM2B_PUBLIC) + 80];
		size_t n = 0;

		if (!vk ||
		    tr_tpm_public_from_evp(vk, &apub, err, sizeof(err)) < 0) {
			EVP_PKEY_free(vk);
			goto fail;
		}
		EVP_PKEY_free(vk);
		tr_tpm_name(&apub, &name);
		tr_policy_authorize(policy, name.name, name.size,
				    (const uint8_t *)ref, strlen(ref));
		/* The key file's first statement: PolicyAuthorize with the
		 * authorizer, the reference and an empty signature. */
		Tss2_MU_TPM2B_PUBLIC_Marshal(&apub, stmt, sizeof(stmt), &n);
		stmt[n++] = (uint8_t)(strlen(ref) >> 8);
		stmt[n++] = (uint8_t)strlen(ref);
		memcpy(stmt + n, ref, strlen(ref));
		n += strlen(ref);
		stmt[n++] = TPM2_ALG_NULL >>
			    8; /* TPMT_SIGNATURE: sigAlg NULL */
		stmt[n++] = TPM2_ALG_NULL & 0xff;
		if (tr_policy_add(&kf.policy, TR_CC_POLICY_AUTHORIZE, stmt, n,
				  err, sizeof(err)) < 0)
			goto fail;
		if (tr_key_create(&tpm, alg, policy, &pub, &priv, err,
				  sizeof(err)) < 0 ||
		    write_keyfile(&kf, &pub, &priv, out, err) < 0)
			goto fail;
	}
	printf("%s: %s key, policy %s\n", out,
	       alg == TR_KEY_ECC_P256 ? "P-256" : "RSA-2048",
	       pcrs_arg ? "PolicyPCR" : "PolicyAuthorize");
	rc = 0;
fail:
	if (rc)
		fprintf(stderr, "trustkey: %s\n", err);
	tr_keyfile_free(&kf);
	tr_tpm_close(&tpm);
	return rc;
}
