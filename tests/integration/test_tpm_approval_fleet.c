// SPDX-License-Identifier: GPL-2.0-only
/*
 * A software update without re-enrollment, at the TPM (issue 20, item
 * 1): three routers, each with its own swtpm, boot image 1.0 and create
 * one PolicyAuthorize sealed key file holding the NMS's approval of that
 * state. Then one boots image 1.1, one stays on 1.0 and one boots an
 * image nobody approved. The NMS signs the 1.1 state; the approval list
 * travels in its wire encoding and is added to each key file. Good,
 * good, bad: the first two sign (verified with the key's public part),
 * the third cannot, and no key is re-created (each file's public and
 * private parts are the bytes they were). A forged approval is refused
 * before it reaches a file, and a file holding only forged ones loads
 * no key.
 */
#include "swtpm_fixture.h"
#include "test_dir.h"
#include "tpm/approval.h"
#include "tpm/convert.h"
#include "tpm/policy.h"
#include "tpm/sealed_key.h"
#include "tr_test.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define PCR 16 /* resettable: a "reboot" into another image */
#define ROUTERS 3

struct router {
	struct swtpm sw;
	struct tr_tpm tpm;
	char path[300];
	struct tr_keyfile before;
};

static struct router r[ROUTERS];
static struct test_dir dir;
static EVP_PKEY *policy_key;
static TPM2B_PUBLIC authorizer;
static TPM2B_NONCE ref = { .size = 10, .buffer = "trustroute" };

/* The PCR state a router that booted @image holds. */
static void state_of(const char *image, struct tr_pcr_values *p)
{
	uint8_t d[64] = { 0 };

	memset(p, 0, sizeof(*p));
	p->selected[PCR] = 1;
	SHA256((const uint8_t *)image, strlen(image), d + 32);
	SHA256(d, 64, p->value[PCR]);
}

static void boot(struct router *x, const char *image)
{
	TPML_DIGEST_VALUES v = { .count = 1 };

	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	SHA256((const uint8_t *)image, strlen(image),
	       v.digests[0].digest.sha256);
	assert_int_equal(Esys_PCR_Reset(x->tpm.esys, ESYS_TR_PCR16,
					ESYS_TR_PASSWORD, ESYS_TR_NONE,
					ESYS_TR_NONE),
			 TSS2_RC_SUCCESS);
	assert_int_equal(Esys_PCR_Extend(x->tpm.esys, ESYS_TR_PCR16,
					 ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &v),
			 TSS2_RC_SUCCESS);
}

/* What the NMS does for a reference set: sign the state it predicts. */
static void nms_approve(const char *image, const char *name,
			struct tr_named_approval *a)
{
	struct tr_pcr_values p;
	char err[256];

	state_of(image, &p);
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	if (tr_approval_sign(policy_key, &p, ref.buffer, ref.size, &a->a, err,
			     sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void read_keyfile(const char *path, struct tr_keyfile *kf)
{
	size_t len;
	uint8_t *b = test_read_buf(path, 1 << 16, &len);
	char err[256];

	if (tr_keyfile_decode_pem((const char *)b, len, kf, err, sizeof(err)) <
	    0)
		fail_msg("%s: %s", path, err);
	free(b);
}

static int setup(void **state)
{
	char err[256];

	(void)state;
	policy_key = EVP_EC_gen("P-256");
	if (!policy_key ||
	    tr_tpm_public_from_evp(policy_key, &authorizer, err, sizeof(err)) <
		    0 ||
	    test_dir_make(&dir, "approval-fleet") < 0)
		return -1;
	for (int i = 0; i < ROUTERS; i++) {
		if (swtpm_start(&r[i].sw, NULL) < 0 ||
		    tr_tpm_open(&r[i].tpm, r[i].sw.tcti, err, sizeof(err)) <
			    0) {
			fprintf(stderr, "router %d: %s\n", i, err);
			return -1;
		}
		snprintf(err, sizeof(err), "r%d.key", i);
		test_dir_path(&dir, r[i].path, sizeof(r[i].path), err);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < ROUTERS; i++) {
		tr_keyfile_free(&r[i].before);
		tr_tpm_close(&r[i].tpm);
		swtpm_stop(&r[i].sw);
	}
	test_dir_remove(&dir);
	EVP_PKEY_free(policy_key);
	return 0;
}

/* Sign with @x's key file: 0, or TR_ERR_POLICY / -1 (why in @err). */
static int sign_with(struct router *x, char *err, size_t errlen)
{
	uint8_t digest[32];
	TPMT_SIGNATURE sig;
	TPM2B_PUBLIC pub;
	struct tr_key k;
	int rc;

	if (tr_sealed_key_load(&x->tpm, x->path, &k, &pub, err, errlen) < 0)
		return -1;
	SHA256((const uint8_t *)"handshake", 9, digest);
	rc = tr_key_sign(&k, digest, 32, TPM2_ALG_ECDSA, &sig, err, errlen);
	if (rc == 0) {
		/* The signature is the enrolled key's. */
		EVP_PKEY *pk = tr_tpm_public_to_evp(&pub, NULL, 0);
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
		uint8_t der[TR_ECDSA_DER_MAX];
		int n = tr_tpm_sig_to_der(&sig, der, sizeof(der));

		assert_true(n > 0 && EVP_PKEY_verify_init(c) > 0);
		assert_int_equal(EVP_PKEY_verify(c, der, (size_t)n, digest, 32),
				 1);
		EVP_PKEY_CTX_free(c);
		EVP_PKEY_free(pk);
	}
	tr_key_unload(&k);
	return rc;
}

/* The approvals as nmsd sends them: encoded, then decoded. */
static size_t over_the_wire(const struct tr_named_approval *v, size_t n,
			    struct tr_named_approval *out)
{
	uint8_t buf[TR_APPROVALS_WIRE_MAX];
	size_t len, got;
	char err[256];

	if (tr_approvals_encode(v, n, buf, sizeof(buf), &len, err,
				sizeof(err)) < 0 ||
	    tr_approvals_decode(buf, len, out, TR_APPROVALS_MAX, &got, err,
				sizeof(err)) < 0)
		fail_msg("%s", err);
	return got;
}

static void test_update_without_reenrollment(void **state)
{
	struct tr_named_approval v10, v11, rx[TR_APPROVALS_MAX], both[2];
	char err[256];
	size_t added, n;

	(void)state;
	nms_approve("image-1.0", "image-1.0", &v10);
	/* Enrollment: each router's one key, approved for 1.0. */
	for (int i = 0; i < ROUTERS; i++) {
		char *pem;
		size_t len;

		boot(&r[i], "image-1.0");
		n = over_the_wire(&v10, 1, rx);
		if (tr_sealed_key_create_authorized(
			    &r[i].tpm, TR_KEY_ECC_P256, &authorizer, &ref, rx,
			    n, &pem, &len, err, sizeof(err)) < 0)
			fail_msg("router %d: %s", i, err);
		test_write_buf(r[i].path, pem, len);
		free(pem);
		read_keyfile(r[i].path, &r[i].before);
		if (sign_with(&r[i], err, sizeof(err)))
			fail_msg("router %d on 1.0: %s", i, err);
	}

	/* r0 updated, r1 stays, r2 boots what nobody approved. */
	boot(&r[0], "image-1.1");
	boot(&r[2], "image-evil");
	assert_int_equal(sign_with(&r[0], err, sizeof(err)), TR_ERR_POLICY);
	assert_int_equal(sign_with(&r[2], err, sizeof(err)), TR_ERR_POLICY);

	/* The NMS approves 1.1 and hands out both sets in force. */
	nms_approve("image-1.1", "image-1.1", &v11);
	both[0] = v10;
	both[1] = v11;
	for (int i = 0; i < ROUTERS; i++) {
		n = over_the_wire(both, 2, rx);
		assert_int_equal(tr_sealed_key_add_approvals(r[i].path, rx, n,
							     &added, err,
							     sizeof(err)),
				 0);
		assert_int_equal(added, 1); /* 1.0's was there */
	}
	if (sign_with(&r[0], err, sizeof(err)))
		fail_msg("updated router: %s", err);
	if (sign_with(&r[1], err, sizeof(err)))
		fail_msg("router left on 1.0: %s", err);
	assert_int_equal(sign_with(&r[2], err, sizeof(err)), TR_ERR_POLICY);

	/* No key re-created: the same public and private parts. */
	for (int i = 0; i < ROUTERS; i++) {
		struct tr_keyfile now;

		read_keyfile(r[i].path, &now);
		assert_int_equal(now.pub_len, r[i].before.pub_len);
		assert_memory_equal(now.pub, r[i].before.pub, now.pub_len);
		assert_int_equal(now.priv_len, r[i].before.priv_len);
		assert_memory_equal(now.priv, r[i].before.priv, now.priv_len);
		assert_int_equal(now.n_auth, 2);
		tr_keyfile_free(&now);
	}
}

static void test_forged_approval_refused(void **state)
{
	struct tr_named_approval forged;
	EVP_PKEY *mallory = EVP_EC_gen("P-256");
	struct tr_pcr_values p;
	struct tr_keyfile kf;
	char err[256], *pem;
	size_t added, len, blen, before_len;
	uint8_t *before = test_read_buf(r[2].path, 1 << 16, &before_len);

	(void)state;
	/* Someone else signs the evil state: refused, the file unchanged. */
	state_of("image-evil", &p);
	memset(&forged, 0, sizeof(forged));
	strcpy(forged.name, "image-evil");
	assert_int_equal(tr_approval_sign(mallory, &p, ref.buffer, ref.size,
					  &forged.a, err, sizeof(err)),
			 0);
	assert_int_equal(tr_sealed_key_add_approvals(r[2].path, &forged, 1,
						     &added, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not signed by the key's authorizer"));
	{
		uint8_t *now = test_read_buf(r[2].path, 1 << 16, &len);

		assert_int_equal(len, before_len);
		assert_memory_equal(now, before, len);
		free(now);
	}
	assert_int_equal(sign_with(&r[2], err, sizeof(err)), TR_ERR_POLICY);

	/* Planted in the file directly (every approval's signature
	 * damaged): the file loads no key. */
	read_keyfile(r[2].path, &kf);
	for (size_t i = 0; i < kf.n_auth; i++) {
		struct tr_policy_stmt *s = &kf.auth[i].policy.stmt[1];

		s->body[s->len - 1] ^= 0x01;
	}
	assert_int_equal(
		tr_keyfile_encode_pem(&kf, &pem, &blen, err, sizeof(err)), 0);
	test_write_buf(r[2].path, pem, blen);
	free(pem);
	tr_keyfile_free(&kf);
	assert_int_equal(sign_with(&r[2], err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no approval in the key file"));
	free(before);
	EVP_PKEY_free(mallory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_without_reenrollment),
		cmocka_unit_test(test_forged_approval_refused),
	};

	return TR_RUN(tests, setup, teardown);
}
