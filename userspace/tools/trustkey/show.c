// SPDX-License-Identifier: GPL-2.0-only
/* trustkey show: a key file's parts and policy. */
#include "userspace/tools/trustkey/trustkey.h"
#include "base/hex.h"
#include "tpm/policy_stmt.h"
#include "tpm/convert.h"
#include <json-c/json.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

int cmd_show(int argc, char **argv)
{
	int json = argc == 3 && !strcmp(argv[1], "--json");
	const char *path = argv[argc - 1];
	struct tr_keyfile kf = { 0 };
	char err[ERRLEN], h[65];
	uint8_t policy[32];
	TPM2B_PUBLIC pub;
	EVP_PKEY *pk;
	BIO *bio;

	if (argc != 2 + json)
		return usage(2);
	if (load_keyfile(path, &kf, &pub, err) < 0) {
		fprintf(stderr, "trustkey: %s\n", err);
		tr_keyfile_free(&kf);
		return 2;
	}
	tr_hex(h, pub.publicArea.authPolicy.buffer,
	       pub.publicArea.authPolicy.size > 32 ?
		       32 :
		       pub.publicArea.authPolicy.size);
	pk = tr_tpm_public_to_evp(&pub, err, sizeof(err));
	if (json) {
		json_object *o = json_object_new_object(),
			    *st = json_object_new_array();

		json_object_object_add(
			o, "type",
			json_object_new_string(pub.publicArea.type ==
							       TPM2_ALG_ECC ?
						       "ecc-p256" :
						       "rsa-2048"));
		json_object_object_add(o, "parent",
				       json_object_new_int64(kf.parent));
		json_object_object_add(o, "empty_auth",
				       json_object_new_boolean(kf.empty_auth));
		json_object_object_add(o, "user_with_auth",
				       json_object_new_boolean(
					       pub.publicArea.objectAttributes &
					       TPMA_OBJECT_USERWITHAUTH));
		json_object_object_add(o, "auth_policy",
				       json_object_new_string(h));
		for (size_t i = 0; i < kf.policy.n; i++)
			json_object_array_add(
				st,
				json_object_new_int64(kf.policy.stmt[i].cc));
		json_object_object_add(o, "policy", st);
		json_object_object_add(
			o, "signed_policies",
			json_object_new_int64((int64_t)kf.n_auth));
		puts(json_object_to_json_string_ext(o,
						    JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		printf("%s: %s TPM key, parent 0x%08x, userWithAuth %s\n", path,
		       pub.publicArea.type == TPM2_ALG_ECC ? "P-256" :
							     "RSA-2048",
		       kf.parent,
		       pub.publicArea.objectAttributes &
				       TPMA_OBJECT_USERWITHAUTH ?
			       "SET (a password works too)" :
			       "clear (policy only)");
		printf("authPolicy %s\n", h);
		for (size_t i = 0; i < kf.policy.n; i++)
			printf("policy[%zu]: %s\n", i,
			       kf.policy.stmt[i].cc == TR_CC_POLICY_PCR ?
				       "TPM2_PolicyPCR" :
			       kf.policy.stmt[i].cc == TR_CC_POLICY_AUTHORIZE ?
				       "TPM2_PolicyAuthorize" :
				       "other");
		if (file_policy(&kf, policy, err) == 0) {
			tr_hex(h, policy, 32);
			printf("policy from the file: %s\n", h);
		}
		if (pk) {
			bio = BIO_new_fp(stdout, BIO_NOCLOSE);
			PEM_write_bio_PUBKEY(bio, pk);
			BIO_free(bio);
		}
	}
	EVP_PKEY_free(pk);
	tr_keyfile_free(&kf);
	return 0;
}
