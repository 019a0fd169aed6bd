// SPDX-License-Identifier: GPL-2.0-only
/* trustkey public: TPM2B_PUBLIC and TPM2B_PRIVATE as tpm2-tools read them. */
#include "userspace/tools/trustkey/trustkey.h"
#include <stdio.h>
#include <string.h>

int cmd_public(int argc, char **argv)
{
	struct tr_keyfile kf = { 0 };
	char err[ERRLEN];
	TPM2B_PUBLIC pub;
	int rc = 2;

	if (argc != 6 || strcmp(argv[1], "--tpm2-public") ||
	    strcmp(argv[3], "--tpm2-private"))
		return usage(2);
	if (load_keyfile(argv[5], &kf, &pub, err) == 0 &&
	    write_raw(argv[2], kf.pub, kf.pub_len, err) == 0 &&
	    write_raw(argv[4], kf.priv, kf.priv_len, err) == 0)
		rc = 0;
	else
		fprintf(stderr, "trustkey: %s\n", err);
	tr_keyfile_free(&kf);
	return rc;
}
