// SPDX-License-Identifier: GPL-2.0-only
/*
 * trustkey quote: a TPM2_Quote by an AK written as the files tpm2-tools
 * writes (tpm2_quote -m/-s/-o), so that anyone checks it with
 * tpm2_checkquote and the AK's public key, and the PCR values as the
 * text evmctl ima_measurement --pcrs reads, to check an IMA log against
 * the quoted PCRs. Here, next to certify, because it is the TPM's
 * evidence and the router's AK is a trustkey key file (the agent's
 * ak.tss); the NMS keeps verdicts, not the evidence itself.
 */
#include "userspace/tools/trustkey/trustkey.h"
#include "base/cli.h"
#include "base/hex.h"
#include "tpm/convert.h"
#include "tpm/evidence_files.h"
#include "tpm/quote.h"
#include <getopt.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static int write_ak_pem(const TPM2B_PUBLIC *pub, const char *path, char *err)
{
	EVP_PKEY *k = tr_tpm_public_to_evp(pub, err, ERRLEN);
	FILE *f;
	int ok;

	if (!k)
		return -1;
	f = fopen(path, "w");
	ok = f && PEM_write_PUBKEY(f, k);
	if (f && fclose(f))
		ok = 0;
	EVP_PKEY_free(k);
	if (!ok)
		snprintf(err, ERRLEN, "%s: cannot write the AK's public key",
			 path);
	return ok ? 0 : -1;
}

int cmd_quote(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ak", required_argument, NULL, 'a' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "message", required_argument, NULL, 'm' },
		{ "signature", required_argument, NULL, 's' },
		{ "pcr-values", required_argument, NULL, 'o' },
		{ "evmctl-pcrs", required_argument, NULL, 'e' },
		{ "ak-public", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *akp = NULL, *noncehex = NULL, *pcrs = "sha256:10,11",
		   *msgp = NULL, *sigp = NULL, *valp = NULL, *evmp = NULL,
		   *pubp = NULL;
	struct tr_keyfile akf = { 0 };
	struct tr_pcr_values sel;
	TPM2B_PUBLIC ak_pub;
	TPM2B_PRIVATE ak_priv;
	TPM2B_DATA nonce = { 0 };
	struct tr_quote q;
	struct tr_tpm tpm = { 0 };
	uint8_t sbuf[sizeof(TPMT_SIGNATURE)], *vals = NULL;
	size_t off = 0, slen = 0, vlen = 0, hl;
	char err[ERRLEN] = "", *text = NULL;
	int o, rc = 2;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			akp = optarg;
			break;
		case 'n':
			noncehex = optarg;
			break;
		case 'p':
			pcrs = optarg;
			break;
		case 'm':
			msgp = optarg;
			break;
		case 's':
			sigp = optarg;
			break;
		case 'o':
			valp = optarg;
			break;
		case 'e':
			evmp = optarg;
			break;
		case 'u':
			pubp = optarg;
			break;
		default:
			return usage(2);
		}
	}
	if (!akp || !noncehex || !msgp || !sigp)
		return tr_cli_missing("trustkey quote",
				      !akp	? "--ak AK.pem" :
				      !noncehex ? "--nonce HEX" :
				      !msgp	? "--message FILE" :
						  "--signature FILE");
	if (optind != argc)
		return usage(2);
	hl = strlen(noncehex);
	if (hl % 2 || hl / 2 < TR_QUOTE_NONCE_MIN ||
	    hl / 2 > TR_QUOTE_NONCE_MAX ||
	    tr_unhex(noncehex, hl / 2, nonce.buffer) < 0) {
		fprintf(stderr,
			"trustkey quote: --nonce %s: want %d to %d bytes in hex\n",
			noncehex, TR_QUOTE_NONCE_MIN, TR_QUOTE_NONCE_MAX);
		return 2;
	}
	nonce.size = (UINT16)(hl / 2);
	if (tr_pcr_selection_parse(pcrs, &sel) < 0) {
		fprintf(stderr,
			"trustkey quote: --pcrs %s: want sha256:N[,N...]\n",
			pcrs);
		return 2;
	}
	if (load_keyfile(akp, &akf, &ak_pub, err) < 0 ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(akf.priv, akf.priv_len, &off,
					    &ak_priv))
		goto out;
	if (tr_tpm_open(&tpm, NULL, err, sizeof(err)) < 0 ||
	    tr_quote(&tpm, &ak_pub, &ak_priv, sel.selected, &nonce, &q, err,
		     sizeof(err)) < 0 ||
	    Tss2_MU_TPMT_SIGNATURE_Marshal(&q.sig, sbuf, sizeof(sbuf), &slen) ||
	    write_raw(msgp, q.attest.attestationData, q.attest.size, err) < 0 ||
	    write_raw(sigp, sbuf, slen, err) < 0)
		goto out;
	if (valp && (tr_pcrs_tpm2_serialized(&q.pcrs, &vals, &vlen) < 0 ||
		     write_raw(valp, vals, vlen, err) < 0))
		goto out;
	if (evmp &&
	    (!(text = tr_pcrs_evmctl_text(&q.pcrs)) ||
	     write_raw(evmp, (const uint8_t *)text, strlen(text), err) < 0))
		goto out;
	if (pubp && write_ak_pem(&ak_pub, pubp, err) < 0)
		goto out;
	printf("%s: quote of %s for nonce %s\n", akp, pcrs, noncehex);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "trustkey: %s\n", err[0] ? err : "bad AK file");
	free(vals);
	free(text);
	tr_tpm_close(&tpm);
	tr_keyfile_free(&akf);
	return rc;
}
