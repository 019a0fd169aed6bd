// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM key files against the real tools, on a fresh swtpm: keys made by
 * Debian's tpm2-openssl provider decode, and re-encode to the same DER but
 * for the BOOLEAN it writes in BER; keys made with ESAPI and encoded here
 * print with tpm2-tools' tpm2_print and load and sign in tpm2-openssl,
 * under the owner SRK and under a persistent parent.
 */
#include "swtpm_fixture.h"
#include "tpm/key.h"
#include "tpm/keyfile.h"
#include "test_dir.h"
#include "tr_test.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>
#include <unistd.h>

#define TPM2_PROVIDER "/usr/lib/x86_64-linux-gnu/ossl-modules/tpm2.so"
#define OSSL "openssl %s -provider tpm2 -provider base"
#define PERSISTENT_SRK 0x81000001u

static struct swtpm sw;
static struct test_dir td;

static int setup(void **state)
{
	struct stat st;

	(void)state;
	if (stat(TPM2_PROVIDER, &st) < 0) {
		fprintf(stderr, "%s missing: apt-get install tpm2-openssl\n",
			TPM2_PROVIDER);
		return -1;
	}
	if (test_dir_make(&td, "test_tpm_keyfile_interop") < 0)
		return -1;
	if (swtpm_start(&sw, NULL) < 0)
		return -1;
	return setenv("TPM2OPENSSL_TCTI", sw.tcti, 1);
}

static int teardown(void **state)
{
	(void)state;
	swtpm_stop(&sw);
	return test_dir_remove(&td);
}

/* ESAPI on the swtpm, for one test: tpm2-openssl needs it closed. */
static ESYS_CONTEXT *esys_open(TSS2_TCTI_CONTEXT **tcti)
{
	ESYS_CONTEXT *esys = NULL;

	assert_int_equal(Tss2_TctiLdr_Initialize(sw.tcti, tcti),
			 TSS2_RC_SUCCESS);
	assert_int_equal(Esys_Initialize(&esys, *tcti, NULL), TSS2_RC_SUCCESS);
	return esys;
}

static void esys_close(ESYS_CONTEXT **esys, TSS2_TCTI_CONTEXT **tcti)
{
	Esys_Finalize(esys);
	Tss2_TctiLdr_Finalize(tcti);
}

/* The owner SRK: the ECC P-256 storage template tpm2-openssl uses. */
static ESYS_TR create_srk(ESYS_CONTEXT *esys)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	ESYS_TR srk = ESYS_TR_NONE;

	assert_int_equal(Esys_CreatePrimary(esys, ESYS_TR_RH_OWNER,
					    ESYS_TR_PASSWORD, ESYS_TR_NONE,
					    ESYS_TR_NONE, &sens,
					    &tr_srk_template, &outside, &pcrs,
					    &srk, NULL, NULL, NULL, NULL),
			 TSS2_RC_SUCCESS);
	return srk;
}

/*
 * An ECC P-256 signing key (no password) made by the swtpm under the owner
 * SRK, as a key file for @parent; the SRK is made persistent there first
 * if @parent is not the owner. Returns the TPM's TPM2B_PUBLIC in @pub.
 */
static void make_key(uint32_t parent, struct tr_keyfile *k, TPM2B_PUBLIC *pub)
{
	TSS2_TCTI_CONTEXT *tcti = NULL;
	ESYS_CONTEXT *esys = esys_open(&tcti);
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT |
					    TPMA_OBJECT_USERWITHAUTH |
					    TPMA_OBJECT_FIXEDTPM |
					    TPMA_OBJECT_FIXEDPARENT |
					    TPMA_OBJECT_SENSITIVEDATAORIGIN,
			.parameters.eccDetail = {
				.symmetric.algorithm = TPM2_ALG_NULL,
				.scheme.scheme = TPM2_ALG_NULL,
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
		},
	};
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PUBLIC *out_pub = NULL;
	TPM2B_PRIVATE *out_priv = NULL;
	ESYS_TR srk = create_srk(esys), persistent = ESYS_TR_NONE;
	uint8_t buf[sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE)];
	size_t len = 0;

	assert_int_equal(Esys_Create(esys, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				     ESYS_TR_NONE, &sens, &tmpl, &outside,
				     &pcrs, &out_priv, &out_pub, NULL, NULL,
				     NULL),
			 TSS2_RC_SUCCESS);
	if (parent != TR_PARENT_OWNER) {
		assert_int_equal(Esys_EvictControl(esys, ESYS_TR_RH_OWNER, srk,
						   ESYS_TR_PASSWORD,
						   ESYS_TR_NONE, ESYS_TR_NONE,
						   parent, &persistent),
				 TSS2_RC_SUCCESS);
		Esys_TR_Close(esys, &persistent);
	}
	assert_int_equal(Esys_FlushContext(esys, srk), TSS2_RC_SUCCESS);
	memset(k, 0, sizeof(*k));
	k->empty_auth = true;
	k->parent = parent;
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Marshal(out_pub, buf, sizeof(buf),
						      &len),
			 TSS2_RC_SUCCESS);
	k->pub = malloc(len);
	assert_non_null(k->pub);
	memcpy(k->pub, buf, len);
	k->pub_len = len;
	len = 0;
	assert_int_equal(Tss2_MU_TPM2B_PRIVATE_Marshal(out_priv, buf,
						       sizeof(buf), &len),
			 TSS2_RC_SUCCESS);
	k->priv = malloc(len);
	assert_non_null(k->priv);
	memcpy(k->priv, buf, len);
	k->priv_len = len;
	*pub = *out_pub;
	Esys_Free(out_pub);
	Esys_Free(out_priv);
	esys_close(&esys, &tcti);
}

static void write_pem(const struct tr_keyfile *k, const char *p)
{
	char *pem, err[256];
	size_t len;

	if (tr_keyfile_encode_pem(k, &pem, &len, err, sizeof(err)) < 0)
		fail_msg("encode_pem: %s", err);
	test_write_buf(p, pem, len);
	free(pem);
}

/* 04 || x || y of an ECC TPM2B_PUBLIC. */
static size_t ec_point(const TPM2B_PUBLIC *pub, uint8_t out[65])
{
	const TPMS_ECC_POINT *u = &pub->publicArea.unique.ecc;

	assert_int_equal(pub->publicArea.type, TPM2_ALG_ECC);
	assert_int_equal(pub->publicArea.parameters.eccDetail.curveID,
			 TPM2_ECC_NIST_P256);
	assert_int_equal(u->x.size, 32);
	assert_int_equal(u->y.size, 32);
	out[0] = 4;
	memcpy(out + 1, u->x.buffer, 32);
	memcpy(out + 33, u->y.buffer, 32);
	return 65;
}

/* The same point, as OpenSSL sees it in a P-256 public key. */
static EVP_PKEY *pkey_from_point(const uint8_t *pt, size_t len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *params;

	assert_non_null(bld);
	assert_non_null(ctx);
	assert_true(OSSL_PARAM_BLD_push_utf8_string(
		bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0));
	assert_true(OSSL_PARAM_BLD_push_octet_string(
		bld, OSSL_PKEY_PARAM_PUB_KEY, pt, len));
	params = OSSL_PARAM_BLD_to_param(bld);
	assert_non_null(params);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* A PEM public key file must hold exactly the P-256 point @want. */
static void expect_pubkey_file(const char *p, const uint8_t want[65])
{
	char group[64] = "";
	uint8_t pt[133];
	size_t n = 0;
	EVP_PKEY *pkey;
	FILE *f = fopen(p, "r");

	if (!f)
		fail_msg("cannot open %s", p);
	pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!pkey)
		fail_msg("%s holds no PEM public key", p);
	assert_int_equal(
		EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
					       group, sizeof(group), NULL),
		1);
	assert_string_equal(group, "prime256v1");
	assert_int_equal(EVP_PKEY_get_octet_string_param(
				 pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
				 sizeof(pt), &n),
			 1);
	EVP_PKEY_free(pkey);
	assert_int_equal(n, 65);
	assert_memory_equal(pt, want, 65);
}

/* The DER inside a PEM file, as OpenSSL reads it. */
static uint8_t *pem_der(const char *p, size_t *len)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long n = 0;
	FILE *f = fopen(p, "r");

	if (!f)
		fail_msg("cannot open %s", p);
	assert_int_equal(PEM_read(f, &name, &header, &data, &n), 1);
	fclose(f);
	assert_string_equal(name, "TSS2 PRIVATE KEY");
	OPENSSL_free(name);
	OPENSSL_free(header);
	*len = (size_t)n;
	return data;
}

static void decode_file(const char *p, struct tr_keyfile *k)
{
	char err[256];
	size_t len;
	uint8_t *pem = test_read_buf(p, 1 << 20, &len);

	if (tr_keyfile_decode_pem((const char *)pem, len, k, err, sizeof(err)) <
	    0)
		fail_msg("%s does not decode: %s", p, err);
	free(pem);
}

static void reencode(const struct tr_keyfile *k, uint8_t **der, size_t *len)
{
	char err[256];

	if (tr_keyfile_encode(k, der, len, err, sizeof(err)) < 0)
		fail_msg("re-encoding: %s", err);
}

/*
 * tpm2-openssl's key (no password): decodes; our DER is its DER except for
 * emptyAuth TRUE, which it writes as BOOLEAN 0x01 (BER; OpenSSL's writer
 * puts out the int it is given) where DER requires 0xff.
 */
static void test_tpm2_openssl_key_decodes(void **state)
{
	char key[300];
	struct tr_keyfile k;
	TPM2B_PUBLIC pub = { .size = 0 };
	uint8_t *theirs, *ours;
	size_t tlen, olen, off = 0, at;

	(void)state;
	test_dir_path(&td, key, sizeof(key), "genpkey.pem");
	if (test_dir_sh(
		    &td,
		    OSSL
		    " -algorithm EC -pkeyopt group:P-256 -out '%s' >/dev/null",
		    "genpkey", key))
		fail_msg("openssl genpkey -provider tpm2 failed: %s",
			 test_dir_log(&td));
	decode_file(key, &k);
	assert_int_equal(k.parent, TR_PARENT_OWNER);
	assert_true(k.empty_auth);
	assert_int_equal(k.policy.n, 0);
	assert_int_equal(k.n_auth, 0);
	assert_null(k.description);
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Unmarshal(k.pub, k.pub_len, &off,
							&pub),
			 TSS2_RC_SUCCESS);
	assert_int_equal(pub.publicArea.type, TPM2_ALG_ECC);
	assert_int_equal(pub.publicArea.parameters.eccDetail.curveID,
			 TPM2_ECC_NIST_P256);
	theirs = pem_der(key, &tlen);
	reencode(&k, &ours, &olen);
	assert_int_equal(olen, tlen);
	/* SEQUENCE header, OID (8 bytes), [0] and BOOLEAN headers. */
	at = (size_t)(theirs[1] & 0x80 ? 2 + (theirs[1] & 0x7f) : 2) + 8 + 4;
	for (size_t i = 0; i < tlen; i++) {
		if (theirs[i] == ours[i])
			continue;
		if (i != at || theirs[i] == 0 || ours[i] != 0xff)
			fail_msg(
				"re-encoding differs at byte %zu of %zu: 0x%02x, tpm2-openssl wrote 0x%02x",
				i, tlen, ours[i], theirs[i]);
	}
	OPENSSL_free(theirs);
	free(ours);
	tr_keyfile_free(&k);
}

/*
 * With a password tpm2-openssl writes emptyAuth FALSE explicitly; we omit
 * an absent or FALSE emptyAuth, so our DER lacks those 5 bytes.
 */
static void test_tpm2_openssl_password_key_decodes(void **state)
{
	static const uint8_t explicit_false[] = { 0xa0, 3, 1, 1, 0 };
	char key[300];
	struct tr_keyfile k;
	uint8_t *theirs, *ours;
	size_t tlen, olen, at;

	(void)state;
	test_dir_path(&td, key, sizeof(key), "genpkey-auth.pem");
	if (test_dir_sh(&td,
			OSSL " -algorithm EC -pkeyopt group:P-256 "
			     "-pkeyopt user-auth:s3cret -out '%s' >/dev/null",
			"genpkey", key))
		fail_msg("openssl genpkey -provider tpm2 failed: %s",
			 test_dir_log(&td));
	decode_file(key, &k);
	assert_false(k.empty_auth);
	assert_int_equal(k.parent, TR_PARENT_OWNER);
	theirs = pem_der(key, &tlen);
	reencode(&k, &ours, &olen);
	assert_int_equal(olen + sizeof(explicit_false), tlen);
	at = (size_t)(theirs[1] & 0x80 ? 2 + (theirs[1] & 0x7f) : 2) + 8;
	assert_memory_equal(theirs + at, explicit_false,
			    sizeof(explicit_false));
	/* Past the outer header, ours is theirs without [0] FALSE. */
	assert_memory_equal(ours + olen - (tlen - at - 5),
			    theirs + at + sizeof(explicit_false),
			    tlen - at - sizeof(explicit_false));
	OPENSSL_free(theirs);
	free(ours);
	tr_keyfile_free(&k);
}

static bool has_line(const char *text, const char *prefix, const uint8_t *b,
		     size_t n)
{
	char line[200];
	int off = snprintf(line, sizeof(line), "%s", prefix);

	for (size_t i = 0; i < n; i++)
		off += snprintf(line + off, sizeof(line) - (size_t)off, "%02x",
				b[i]);
	snprintf(line + off, sizeof(line) - (size_t)off, "\n");
	return strstr(text, line) != NULL;
}

/* tpm2-tools reads our file: the public key it prints is the TPM's. */
static void test_tpm2_print_reads_our_key(void **state)
{
	char key[300], out[300], *text;
	struct tr_keyfile k;
	TPM2B_PUBLIC pub;
	uint8_t pt[65];
	size_t len;

	(void)state;
	make_key(TR_PARENT_OWNER, &k, &pub);
	ec_point(&pub, pt);
	test_dir_path(&td, key, sizeof(key), "ours.pem");
	test_dir_path(&td, out, sizeof(out), "print.txt");
	write_pem(&k, key);
	if (test_dir_sh(&td, "tpm2_print -t TSSPRIVKEY_OBJ '%s' >'%s'", key,
			out))
		fail_msg("tpm2_print failed: %s", test_dir_log(&td));
	text = (char *)test_read_buf(out, 1 << 20, &len);
	text = realloc(text, len + 1);
	assert_non_null(text);
	text[len] = 0;
	if (!has_line(text, "x: ", pt + 1, 32) ||
	    !has_line(text, "y: ", pt + 33, 32))
		fail_msg("tpm2_print does not show the TPM's point:\n%s", text);
	free(text);
	test_dir_path(&td, out, sizeof(out), "print.pem");
	if (test_dir_sh(&td, "tpm2_print -t TSSPRIVKEY_OBJ '%s' -f pem >'%s'",
			key, out))
		fail_msg("tpm2_print -f pem failed: %s", test_dir_log(&td));
	expect_pubkey_file(out, pt);
	tr_keyfile_free(&k);
}

/*
 * tpm2-openssl loads our file, shows the TPM's public key, and signs with
 * it: the signature verifies against the point in our TPM2B_PUBLIC.
 */
static void load_and_sign(uint32_t parent, const char *name)
{
	static const char msg[] = "trustroute key file interop\n";
	char key[300], out[300], data[300], sigp[300];
	struct tr_keyfile k;
	TPM2B_PUBLIC pub;
	uint8_t pt[65], *sig;
	size_t siglen;
	EVP_PKEY *pkey;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	make_key(parent, &k, &pub);
	ec_point(&pub, pt);
	test_dir_path(&td, key, sizeof(key), name);
	test_dir_path(&td, out, sizeof(out), "pub.pem");
	test_dir_path(&td, data, sizeof(data), "msg.txt");
	test_dir_path(&td, sigp, sizeof(sigp), "msg.sig");
	write_pem(&k, key);
	if (test_dir_sh(&td, OSSL " -in '%s' -pubout -out '%s'", "pkey", key,
			out))
		fail_msg("openssl pkey -provider tpm2 cannot load our key: %s",
			 test_dir_log(&td));
	expect_pubkey_file(out, pt);
	test_write_buf(data, msg, strlen(msg));
	/* openssl dgst -sign fails even with tpm2-openssl's own keys. */
	if (test_dir_sh(&td,
			OSSL
			" -sign -inkey '%s' -rawin -digest sha256 -in '%s' "
			"-out '%s'",
			"pkeyutl", key, data, sigp))
		fail_msg("openssl pkeyutl -sign with our key failed: %s",
			 test_dir_log(&td));
	sig = test_read_buf(sigp, 1 << 20, &siglen);
	pkey = pkey_from_point(pt, sizeof(pt));
	assert_non_null(md);
	assert_int_equal(
		EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey), 1);
	if (EVP_DigestVerify(md, sig, siglen, (const uint8_t *)msg,
			     strlen(msg)) != 1)
		fail_msg(
			"the TPM's signature (%zu bytes) does not verify against our TPM2B_PUBLIC",
			siglen);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	free(sig);
	tr_keyfile_free(&k);
}

static void test_tpm2_openssl_signs_with_our_key(void **state)
{
	(void)state;
	load_and_sign(TR_PARENT_OWNER, "ours-owner.pem");
}

static void test_persistent_parent(void **state)
{
	(void)state;
	load_and_sign(PERSISTENT_SRK, "ours-persistent.pem");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tpm2_openssl_key_decodes),
		cmocka_unit_test(test_tpm2_openssl_password_key_decodes),
		cmocka_unit_test(test_tpm2_print_reads_our_key),
		cmocka_unit_test(test_tpm2_openssl_signs_with_our_key),
		cmocka_unit_test(test_persistent_parent),
	};

	return TR_RUN(tests, setup, teardown);
}
