// SPDX-License-Identifier: GPL-2.0-only
/* trustkey certify and verify-certify: TPM2_Certify of a key by an AK, and the verifier's check. */
#include "userspace/tools/trustkey/trustkey.h"
#include "base/fileio.h"
#include "base/hex.h"
#include "tpm/certify.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static int parse_nonce(const char *hex, TPM2B_DATA *n)
{
	size_t len = strlen(hex);

	if (len % 2 || len / 2 > sizeof(n->buffer) || !len)
		return -1;
	n->size = (UINT16)(len / 2);
	return tr_unhex(hex, n->size, n->buffer);
}

/* Both certify commands: --ak --nonce --attest --signature KEY. */
static int certify_args(int argc, char **argv, const char **ak,
			TPM2B_DATA *nonce, const char **attest,
			const char **sig)
{
	static const struct option opts[] = {
		{ "ak", required_argument, NULL, 'a' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "attest", required_argument, NULL, 't' },
		{ "signature", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	*ak = *attest = *sig = NULL;
	nonce->size = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'a')
			*ak = optarg;
		else if (o == 'n' && parse_nonce(optarg, nonce) == 0)
			continue;
		else if (o == 't')
			*attest = optarg;
		else if (o == 's')
			*sig = optarg;
		else
			return -1;
	}
	return *ak && nonce->size && *attest && *sig && optind + 1 == argc ? 0 :
									     -1;
}

int cmd_certify(int argc, char **argv)
{
	const char *akp, *attp, *sigp;
	struct tr_keyfile akf = { 0 }, kf = { 0 };
	TPM2B_PUBLIC ak_pub, key_pub;
	TPM2B_PRIVATE ak_priv, key_priv;
	TPM2B_DATA nonce;
	TPM2B_ATTEST attest;
	TPMT_SIGNATURE sig;
	uint8_t sbuf[sizeof(TPMT_SIGNATURE)];
	size_t off = 0, slen = 0;
	struct tr_tpm tpm = { 0 };
	char err[ERRLEN];
	int rc = 2;

	if (certify_args(argc, argv, &akp, &nonce, &attp, &sigp) < 0)
		return usage(2);
	if (load_keyfile(akp, &akf, &ak_pub, err) < 0 ||
	    load_keyfile(argv[optind], &kf, &key_pub, err) < 0 ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(akf.priv, akf.priv_len, &off,
					    &ak_priv) ||
	    (off = 0, Tss2_MU_TPM2B_PRIVATE_Unmarshal(kf.priv, kf.priv_len,
						      &off, &key_priv)))
		goto out;
	if (tr_tpm_open(&tpm, NULL, err, sizeof(err)) < 0 ||
	    tr_certify(&tpm, &ak_pub, &ak_priv, &key_pub, &key_priv, &nonce,
		       &attest, &sig, err, sizeof(err)) < 0 ||
	    Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, sbuf, sizeof(sbuf), &slen) ||
	    write_raw(attp, attest.attestationData, attest.size, err) < 0 ||
	    write_raw(sigp, sbuf, slen, err) < 0)
		goto out;
	printf("%s certified by %s\n", argv[optind], akp);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "trustkey: %s\n",
			err[0] ? err : "bad key file");
	tr_tpm_close(&tpm);
	tr_keyfile_free(&akf);
	tr_keyfile_free(&kf);
	return rc;
}

int cmd_verify_certify(int argc, char **argv)
{
	const char *akp, *attp, *sigp;
	struct tr_keyfile akf = { 0 }, kf = { 0 };
	TPM2B_PUBLIC ak_pub, key_pub;
	TPM2B_DATA nonce;
	TPM2B_ATTEST attest = { 0 };
	TPMT_SIGNATURE sig;
	uint8_t *abuf = NULL, *sbuf = NULL;
	size_t alen, slen, off = 0;
	char err[ERRLEN] = "";
	int rc = 2;

	if (certify_args(argc, argv, &akp, &nonce, &attp, &sigp) < 0)
		return usage(2);
	if (load_keyfile(akp, &akf, &ak_pub, err) < 0 ||
	    load_keyfile(argv[optind], &kf, &key_pub, err) < 0 ||
	    read_file_bounded(attp, sizeof(attest.attestationData), &abuf,
			      &alen) < 0 ||
	    read_file_bounded(sigp, sizeof(TPMT_SIGNATURE), &sbuf, &slen) < 0 ||
	    Tss2_MU_TPMT_SIGNATURE_Unmarshal(sbuf, slen, &off, &sig) ||
	    off != slen) {
		if (!err[0])
			snprintf(err, sizeof(err), "cannot read the proof");
		goto out;
	}
	attest.size = (UINT16)alen;
	memcpy(attest.attestationData, abuf, alen);
	rc = tr_certify_verify(&attest, &sig, &ak_pub, &key_pub, &nonce, err,
			       sizeof(err)) ?
		     1 :
		     0;
	printf("%s: %s\n", argv[optind],
	       rc ? err : "certified by this AK for this nonce");
	err[0] = 0;
out:
	if (rc == 2)
		fprintf(stderr, "trustkey: %s\n", err);
	free(abuf);
	free(sbuf);
	tr_keyfile_free(&akf);
	tr_keyfile_free(&kf);
	return rc;
}
