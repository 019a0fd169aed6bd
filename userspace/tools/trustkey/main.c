// SPDX-License-Identifier: GPL-2.0-only
/*
 * trustkey: TPM keys bound to the PCR state, in TSS2 PRIVATE KEY files.
 *
 *   trustkey create --pcrs sha256:N[,N...] [--alg ecc|rsa] --output KEY.pem
 *   trustkey create --authorizer VENDOR.pem --ref STR [--alg ...] --output KEY.pem
 *   trustkey show [--json] KEY.pem
 *   trustkey policy KEY.pem
 *   trustkey public --tpm2-public PUB --tpm2-private PRIV KEY.pem
 *   trustkey approve --authorizer-key VENDOR.pem --pcrs sha256:N[,N...]
 *                    [--value N=HEX]... [--name STR] KEY.pem
 *   trustkey create-ak --output AK.pem
 *   trustkey certify --ak AK.pem --nonce HEX --attest OUT --signature OUT KEY.pem
 *   trustkey verify-certify --ak AK.pem --nonce HEX --attest F --signature F KEY.pem
 *
 * create binds a new key to the current values of the PCRs (PolicyPCR),
 * or to whatever state the vendor key approves (PolicyAuthorize). policy
 * recomputes the key's policy digest from its file, in software, and
 * checks it against the authPolicy the TPM holds for the key. public
 * writes the key's TPM2B_PUBLIC and TPM2B_PRIVATE as tpm2-tools read them
 * (tpm2_print -t TPM2B_PUBLIC, tpm2_load -u -r); tpm2-tools 5.4 cannot
 * parse key files that carry a policy, which all of ours do. approve
 * adds the vendor's signed approval of a PCR state (the values given, or
 * the TPM's current ones) to a PolicyAuthorize key's file, first.
 * certify has the attestation key (AK) certify the key with TPM2_Certify
 * (TPMS_ATTEST and TPMT_SIGNATURE, as tpm2-tools write them);
 * verify-certify is the verifier's check of that proof.
 * The TPM is $TRUSTROUTE_TCTI, $TPM2TOOLS_TCTI or /dev/tpmrm0.
 * Exit: 0 ok, 1 the policy does not match, 2 usage, I/O or TPM error.
 */
#include "userspace/tools/trustkey/trustkey.h"
#include "base/cli.h"
#include <stdio.h>
#include <string.h>

int usage(int rc)
{
	fputs("usage: trustkey create --pcrs sha256:N[,N...] [--alg ecc|rsa] --output KEY.pem\n"
	      "       trustkey create --authorizer VENDOR.pem --ref STR [--alg ecc|rsa] --output KEY.pem\n"
	      "       trustkey show [--json] KEY.pem\n"
	      "       trustkey policy KEY.pem\n"
	      "       trustkey public --tpm2-public PUB --tpm2-private PRIV KEY.pem\n"
	      "       trustkey approve --authorizer-key VENDOR.pem --pcrs sha256:N[,N...]\n"
	      "                        [--value N=HEX]... [--name STR] KEY.pem\n"
	      "       trustkey create-ak --output AK.pem\n"
	      "       trustkey certify --ak AK.pem --nonce HEX --attest OUT --signature OUT KEY.pem\n"
	      "       trustkey verify-certify --ak AK.pem --nonce HEX --attest F --signature F KEY.pem\n"
	      "       trustkey quote --ak AK.pem --nonce HEX [--pcrs sha256:N[,N...]]\n"
	      "                      --message F --signature F [--pcr-values F]\n"
	      "                      [--evmctl-pcrs F] [--ak-public PEM]\n",
	      rc ? stderr : stdout);
	return rc;
}

int main(int argc, char **argv)
{
	if (tr_cli_version(argc, argv, "trustkey"))
		return 0;
	if (argc < 2 || tr_cli_help(argc, argv))
		return usage(argc < 2 ? 2 : 0);
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "policy"))
		return cmd_policy(argc - 1, argv + 1);
	if (!strcmp(argv[1], "public"))
		return cmd_public(argc - 1, argv + 1);
	if (!strcmp(argv[1], "approve"))
		return cmd_approve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "create-ak"))
		return cmd_create_ak(argc - 1, argv + 1);
	if (!strcmp(argv[1], "certify"))
		return cmd_certify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "quote"))
		return cmd_quote(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify-certify"))
		return cmd_verify_certify(argc - 1, argv + 1);
	fprintf(stderr, "trustkey: unknown command \"%s\"\n", argv[1]);
	return usage(2);
}
