// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkkey PCR OUT.pem: create a P-256 signing key in the TPM
 * ($TRUSTROUTE_TCTI) usable only while SHA-256 PCR PCR holds its current
 * value, and write it as a "TSS2 PRIVATE KEY" file (one TPM2_PolicyPCR).
 */
#include "tpm/key.h"
#include "tpm/keyfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

int main(int argc, char **argv)
{
	struct tr_pcr_values pcrs = { 0 };
	uint8_t policy[32] = { 0 }, body[48], pubb[sizeof(TPM2B_PUBLIC)],
		privb[sizeof(TPM2B_PRIVATE)];
	struct tr_keyfile kf = { 0 };
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	size_t publen = 0, privlen = 0, pemlen;
	struct tr_tpm t;
	char err[256], *pem = NULL, *end;
	long pcr;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: mkkey PCR OUT.pem\n");
		return 2;
	}
	pcr = strtol(argv[1], &end, 10);
	if (*end || pcr < 0 || pcr >= TR_PCRS) {
		fprintf(stderr, "mkkey: %s: not a PCR index\n", argv[1]);
		return 2;
	}
	pcrs.selected[pcr] = 1;
	if (tr_tpm_open(&t, NULL, err, sizeof(err)) < 0 ||
	    tr_tpm_pcr_read(&t, &pcrs, err, sizeof(err)) < 0)
		goto fail;
	tr_policy_pcr(policy, &pcrs);
	if (tr_key_create(&t, TR_KEY_ECC_P256, policy, &pub, &priv, err,
			  sizeof(err)) < 0)
		goto fail;
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, pubb, sizeof(pubb), &publen) ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(&priv, privb, sizeof(privb),
					  &privlen)) {
		snprintf(err, sizeof(err), "cannot marshal the key");
		goto fail;
	}
	kf.empty_auth = true;
	kf.parent = TR_PARENT_OWNER;
	kf.pub = pubb;
	kf.pub_len = publen;
	kf.priv = privb;
	kf.priv_len = privlen;
	if (tr_policy_add(&kf.policy, TR_CC_POLICY_PCR, body,
			  tr_policy_pcr_body(&pcrs, body), err,
			  sizeof(err)) < 0 ||
	    tr_keyfile_encode_pem(&kf, &pem, &pemlen, err, sizeof(err)) < 0)
		goto fail;
	f = fopen(argv[2], "w");
	if (!f || fwrite(pem, 1, pemlen, f) != pemlen || fclose(f)) {
		snprintf(err, sizeof(err), "cannot write %s", argv[2]);
		goto fail;
	}
	free(pem);
	free(kf.policy.stmt[0].body);
	tr_tpm_close(&t);
	return 0;
fail:
	fprintf(stderr, "mkkey: %s\n", err);
	return 1;
}
