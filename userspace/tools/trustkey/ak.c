// SPDX-License-Identifier: GPL-2.0-only
/* trustkey create-ak: an attestation key. */
#include "userspace/tools/trustkey/trustkey.h"
#include "tpm/certify.h"
#include <stdio.h>
#include <string.h>

int cmd_create_ak(int argc, char **argv)
{
	struct tr_keyfile kf = { 0 };
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	struct tr_tpm tpm;
	char err[ERRLEN];
	int rc = 2;

	if (argc != 3 || strcmp(argv[1], "--output"))
		return usage(2);
	if (tr_tpm_open(&tpm, NULL, err, sizeof(err)) == 0 &&
	    tr_ak_create(&tpm, &pub, &priv, err, sizeof(err)) == 0 &&
	    write_keyfile(&kf, &pub, &priv, argv[2], err) == 0) {
		printf("%s: attestation key (restricted P-256)\n", argv[2]);
		rc = 0;
	} else {
		fprintf(stderr, "trustkey: %s\n", err);
	}
	tr_tpm_close(&tpm);
	return rc;
}
