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
#include "base/errmsg.h"
#include "base/fileio.h"
#include "base/hex.h"
#include "tpm/key.h"
#include "tpm/certify.h"
#include "tpm/keyfile.h"
#include "tpm/sealed_key.h"
#include "tpm/policy_stmt.h"
#include "tpm/convert.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>
#include <unistd.h>

#define ERRLEN 512

static int usage(int rc)
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
	      "       trustkey verify-certify --ak AK.pem --nonce HEX --attest F --signature F KEY.pem\n",
	      rc ? stderr : stdout);
	return rc;
}

static EVP_PKEY *read_pubkey(const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (!f) {
		snprintf(err, ERRLEN, "%s: %s", path, strerror(errno));
		return NULL;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (!k) {
		rewind(f);
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (!k)
		snprintf(err, ERRLEN, "%s: not a PEM public or private key",
			 path);
	return k;
}

/* The private part is wrapped by the TPM, but keep it private. */
static int write_pem(const char *out, char *pem, size_t len, char *err)
{
	FILE *f = fopen(out, "wx");
	int rc = 0;

	if (!f || fwrite(pem, 1, len, f) != len || fclose(f))
		rc = tr_fail(err, ERRLEN, "%s: %s", out, strerror(errno));
	free(pem);
	return rc;
}

static int write_keyfile(struct tr_keyfile *kf, const TPM2B_PUBLIC *pub,
			 const TPM2B_PRIVATE *priv, const char *out, char *err)
{
	char *pem = NULL;
	size_t len;

	if (tr_keyfile_pem(kf, pub, priv, &pem, &len, err, ERRLEN) < 0)
		return -1;
	return write_pem(out, pem, len, err);
}

static int cmd_create(int argc, char **argv)
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
	if (!out || optind != argc || !pcrs_arg == !auth)
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

static int load_keyfile(const char *path, struct tr_keyfile *kf,
			TPM2B_PUBLIC *pub, char *err)
{
	uint8_t *buf;
	size_t len, off = 0;

	if (read_file_bounded(path, TR_KEYFILE_MAX_DER * 2, &buf, &len) < 0)
		return tr_fail(err, ERRLEN, "%s: %s", path, strerror(errno));
	if (tr_keyfile_decode_pem((const char *)buf, len, kf, err, ERRLEN) <
	    0) {
		free(buf);
		return -1;
	}
	free(buf);
	memset(pub, 0, sizeof(*pub));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kf->pub, kf->pub_len, &off, pub))
		return tr_fail(err, ERRLEN, "%s: bad public part", path);
	return 0;
}

/* The policy the key file describes, recomputed from its statements. */
static int file_policy(const struct tr_keyfile *kf, uint8_t out[32], char *err)
{
	memset(out, 0, 32);
	for (size_t i = 0; i < kf->policy.n; i++) {
		const struct tr_policy_stmt *s = &kf->policy.stmt[i];
		EVP_MD_CTX *ctx;
		uint8_t cc[4] = { 0 };

		if (s->cc == TR_CC_POLICY_PCR) {
			/* H(d || CC || selection || pcrDigest) from the body:
			 * TPM2B_DIGEST (2 + 32) then TPML_PCR_SELECTION. */
			if (s->len < 34 || s->body[0] || s->body[1] != 32)
				return tr_fail(
					err, ERRLEN,
					"statement %zu: bad PolicyPCR body", i);
			cc[2] = 0x01;
			cc[3] = 0x7f;
			ctx = EVP_MD_CTX_new();
			EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
			EVP_DigestUpdate(ctx, out, 32);
			EVP_DigestUpdate(ctx, cc, 4);
			EVP_DigestUpdate(ctx, s->body + 34, s->len - 34);
			EVP_DigestUpdate(ctx, s->body + 2, 32);
			EVP_DigestFinal_ex(ctx, out, NULL);
			EVP_MD_CTX_free(ctx);
		} else if (s->cc == TR_CC_POLICY_AUTHORIZE && i == 0) {
			TPM2B_PUBLIC a = { 0 };
			TPM2B_NAME name;
			size_t off = 0;
			uint16_t rlen;

			if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(s->body, s->len,
							   &off, &a) ||
			    off + 2 > s->len)
				return tr_fail(
					err, ERRLEN,
					"statement 0: bad PolicyAuthorize body");
			rlen = (uint16_t)(s->body[off] << 8 | s->body[off + 1]);
			if (off + 2 + rlen > s->len)
				return tr_fail(err, ERRLEN,
					       "statement 0: bad policyRef");
			tr_tpm_name(&a, &name);
			tr_policy_authorize(out, name.name, name.size,
					    s->body + off + 2, rlen);
		} else {
			return tr_fail(
				err, ERRLEN,
				"statement %zu: command 0x%x not supported", i,
				s->cc);
		}
	}
	return 0;
}

static int cmd_show(int argc, char **argv)
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

static int cmd_policy(int argc, char **argv)
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

static int write_raw(const char *path, const uint8_t *buf, size_t len,
		     char *err)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		return tr_fail(err, ERRLEN, "%s: %s", path, strerror(errno));
	return 0;
}

static int cmd_public(int argc, char **argv)
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

static int cmd_approve(int argc, char **argv)
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

static int cmd_create_ak(int argc, char **argv)
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

static int cmd_certify(int argc, char **argv)
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

static int cmd_verify_certify(int argc, char **argv)
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

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help"))
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
	if (!strcmp(argv[1], "verify-certify"))
		return cmd_verify_certify(argc - 1, argv + 1);
	fprintf(stderr, "trustkey: unknown command \"%s\"\n", argv[1]);
	return usage(2);
}
