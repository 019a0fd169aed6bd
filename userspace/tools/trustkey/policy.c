// SPDX-License-Identifier: GPL-2.0-only
/* trustkey policy: the policy digest from the file, checked against the key's authPolicy. */
#include "userspace/tools/trustkey/trustkey.h"
#include "base/hex.h"
#include <stdio.h>
#include <string.h>

int cmd_policy(int argc, char **argv)
{
	struct tr_keyfile kf = { 0 };
	char err[ERRLEN], h[65];
	uint8_t policy[32];
	TPM2B_PUBLIC pub;
	int rc;

	if (argc != 2)
		return usage(2);
	if (load_keyfile(argv[1], &kf, &pub, err) < 0 ||
	    file_policy(&kf, policy, err) < 0) {
		fprintf(stderr, "trustkey: %s\n", err);
		tr_keyfile_free(&kf);
		return 2;
	}
	tr_hex(h, policy, 32);
	/* A key usable by password, or whose policy is not the one its
	 * file claims, is not bound to the PCR state. */
	rc = pub.publicArea.authPolicy.size == 32 &&
			     !memcmp(pub.publicArea.authPolicy.buffer, policy,
				     32) &&
			     !(pub.publicArea.objectAttributes &
			       TPMA_OBJECT_USERWITHAUTH) ?
		     0 :
		     1;
	printf("%s: policy %s %s\n", argv[1], h,
	       rc ? "DOES NOT MATCH the key (or userWithAuth is set)" :
		    "matches the key; userWithAuth clear");
	tr_keyfile_free(&kf);
	return rc;
}
