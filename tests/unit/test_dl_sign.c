// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for digest list signatures: appended modsig (CMS) and
 * security.ima v2, with RSA-2048 and EC P-256 keys made here.
 */
#include "digest-lists/lib/dl_sign.h"
#include "tr_test.h"

#include <linux/hash_info.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARKER "~Module signature appended~\n"
#define MARKER_LEN (sizeof(MARKER) - 1)
#define TRAILER (12 + MARKER_LEN)

static struct {
	EVP_PKEY *rsa, *rsa_b, *ec;
	X509 *rsa_cert, *rsa_b_cert, *ec_cert;
	X509 *noskid_cert; /* rsa's key, no SKID */
	X509 *impostor_cert; /* rsa_cert's issuer and serial, rsa_b's key */
	char dir[64];
} k;

static const uint8_t content[] = "digest list content\n\0\1\2\3 binary\r\n";

static X509 *make_cert(EVP_PKEY *key, const char *cn, long serial, int skid)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_EXTENSION *ext;
	X509V3_CTX ctx;

	assert_non_null(x);
	assert_non_null(n);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
						    (const unsigned char *)cn,
						    -1, -1, 0),
			 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	X509_NAME_free(n);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400L));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	if (skid) {
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &ctx,
					  NID_subject_key_identifier, "hash");
		assert_non_null(ext);
		assert_int_equal(X509_add_ext(x, ext, -1), 1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

static int setup(void **state)
{
	(void)state;
	k.rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	k.rsa_b = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	k.ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!k.rsa || !k.rsa_b || !k.ec)
		return -1;
	k.rsa_cert = make_cert(k.rsa, "dl rsa", 1, 1);
	k.rsa_b_cert = make_cert(k.rsa_b, "dl rsa b", 2, 1);
	k.ec_cert = make_cert(k.ec, "dl ec", 3, 1);
	k.noskid_cert = make_cert(k.rsa, "dl noskid", 4, 0);
	k.impostor_cert = make_cert(k.rsa_b, "dl rsa", 1, 1);
	strcpy(k.dir, "/tmp/test_dl_sign.XXXXXX");
	if (!mkdtemp(k.dir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(k.rsa);
	EVP_PKEY_free(k.rsa_b);
	EVP_PKEY_free(k.ec);
	X509_free(k.rsa_cert);
	X509_free(k.rsa_b_cert);
	X509_free(k.ec_cert);
	X509_free(k.noskid_cert);
	X509_free(k.impostor_cert);
	rmdir(k.dir);
	return 0;
}

static void expect_error(int rc, const char *err, const char *needle)
{
	if (rc != -1)
		fail_msg("expected -1 with an error about \"%s\", got %d",
			 needle, rc);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void expect_ok(int rc, const char *err)
{
	if (rc != 0)
		fail_msg("expected success, got %d: %s", rc, err);
}

/* A copy of @len bytes in an exact-size heap buffer, for ASan. */
static uint8_t *dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	assert_non_null(b);
	if (len)
		memcpy(b, p, len);
	return b;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- loading ---- */

static void write_pem(const char *path, EVP_PKEY *key, X509 *cert)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	if (key)
		assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0,
						      NULL, NULL),
				 1);
	if (cert)
		assert_int_equal(PEM_write_X509(f, cert), 1);
	fclose(f);
}

static void test_load(void **state)
{
	char kp[128], cp[128], gp[128], err[256] = "";
	EVP_PKEY *key;
	X509 *cert;
	FILE *f;

	(void)state;
	snprintf(kp, sizeof(kp), "%s/key.pem", k.dir);
	snprintf(cp, sizeof(cp), "%s/cert.pem", k.dir);
	snprintf(gp, sizeof(gp), "%s/garbage.pem", k.dir);
	write_pem(kp, k.ec, NULL);
	write_pem(cp, NULL, k.ec_cert);
	f = fopen(gp, "w");
	assert_non_null(f);
	fputs("-----BEGIN CERTIFICATE-----\nnot base64\n", f);
	fclose(f);

	key = dl_load_key(kp, err, sizeof(err));
	if (!key)
		fail_msg("dl_load_key: %s", err);
	assert_int_equal(EVP_PKEY_eq(key, k.ec), 1);
	cert = dl_load_cert(cp, err, sizeof(err));
	if (!cert)
		fail_msg("dl_load_cert: %s", err);
	assert_int_equal(X509_cmp(cert, k.ec_cert), 0);
	EVP_PKEY_free(key);
	X509_free(cert);

	/* A certificate is not a key, and the other way round. */
	assert_null(dl_load_key(cp, err, sizeof(err)));
	assert_non_null(strstr(err, cp));
	assert_null(dl_load_cert(kp, err, sizeof(err)));
	assert_non_null(strstr(err, kp));
	assert_null(dl_load_cert(gp, err, sizeof(err)));
	assert_non_null(strstr(err, "no PEM certificate"));
	assert_null(dl_load_key("/nonexistent/key.pem", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
	assert_null(dl_load_cert("/nonexistent/c.pem", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
	unlink(kp);
	unlink(cp);
	unlink(gp);
}

/* ---- modsig ---- */

static void modsig(EVP_PKEY *key, X509 *cert, const uint8_t *d, size_t len,
		   uint8_t **out, size_t *out_len)
{
	char err[256] = "";

	expect_ok(dl_modsig_append(d, len, key, cert, out, out_len, err,
				   sizeof(err)),
		  err);
}

static void check_modsig_layout(const uint8_t *b, size_t n, const uint8_t *d,
				size_t len)
{
	const uint8_t *info = b + n - TRAILER;
	const uint8_t zero[8] = { 0, 0, 2, 0, 0, 0, 0, 0 };
	uint32_t sig_len;

	assert_true(n > len + TRAILER);
	assert_memory_equal(b, d, len);
	assert_memory_equal(b + n - MARKER_LEN, MARKER, MARKER_LEN);
	assert_memory_equal(info, zero, sizeof(zero));
	sig_len = be32(info + 8);
	assert_int_equal(sig_len, n - len - TRAILER);
	/* DER SEQUENCE with a definite length, as sign-file writes. */
	assert_int_equal(b[len], 0x30);
	assert_int_not_equal(b[len + 1], 0x80);
}

static void roundtrip_modsig(EVP_PKEY *key, X509 *cert)
{
	char err[256] = "";
	uint8_t *b;
	size_t n;

	modsig(key, cert, content, sizeof(content), &b, &n);
	check_modsig_layout(b, n, content, sizeof(content));
	expect_ok(dl_modsig_verify(b, n, cert, err, sizeof(err)), err);
	free(b);
	/* Empty content signs and verifies too. */
	modsig(key, cert, NULL, 0, &b, &n);
	check_modsig_layout(b, n, content, 0);
	expect_ok(dl_modsig_verify(b, n, cert, err, sizeof(err)), err);
	free(b);
}

static void test_modsig_roundtrip_rsa(void **state)
{
	uint8_t *b1, *b2;
	size_t n1, n2;

	(void)state;
	roundtrip_modsig(k.rsa, k.rsa_cert);
	/* PKCS#1 v1.5 and no signing time: the same bytes every time. */
	modsig(k.rsa, k.rsa_cert, content, sizeof(content), &b1, &n1);
	modsig(k.rsa, k.rsa_cert, content, sizeof(content), &b2, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(b1, b2, n1);
	free(b1);
	free(b2);
}

static void test_modsig_roundtrip_ec(void **state)
{
	(void)state;
	roundtrip_modsig(k.ec, k.ec_cert);
}

static void test_modsig_key_mismatch(void **state)
{
	char err[256] = "";
	uint8_t *b = (uint8_t *)1;
	size_t n = 1;

	(void)state;
	expect_error(dl_modsig_append(content, sizeof(content), k.rsa,
				      k.ec_cert, &b, &n, err, sizeof(err)),
		     err, "key match");
	assert_null(b);
	assert_int_equal(n, 0);
	expect_error(dl_modsig_append(content, sizeof(content), NULL, k.ec_cert,
				      &b, &n, err, sizeof(err)),
		     err, "missing argument");
}

static void test_modsig_tampered_content(void **state)
{
	char err[256] = "";
	uint8_t *b;
	size_t n;

	(void)state;
	modsig(k.rsa, k.rsa_cert, content, sizeof(content), &b, &n);
	for (size_t i = 0; i < sizeof(content); i++) {
		b[i] ^= 0x01;
		expect_error(dl_modsig_verify(b, n, k.rsa_cert, err,
					      sizeof(err)),
			     err, "does not verify");
		b[i] ^= 0x01;
	}
	expect_ok(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err);
	free(b);
}

static void test_modsig_tampered_signature(void **state)
{
	char err[256] = "";
	uint8_t *b;
	size_t n;

	(void)state;
	modsig(k.ec, k.ec_cert, content, sizeof(content), &b, &n);
	/* The signature value is the last field of the DER. */
	b[n - TRAILER - 1] ^= 0x01;
	assert_int_equal(dl_modsig_verify(b, n, k.ec_cert, err, sizeof(err)),
			 -1);
	free(b);

	modsig(k.rsa, k.rsa_cert, content, sizeof(content), &b, &n);
	for (size_t i = 1; i <= 32; i++) {
		b[n - TRAILER - i] ^= 0x80;
		expect_error(dl_modsig_verify(b, n, k.rsa_cert, err,
					      sizeof(err)),
			     err, "does not verify");
		b[n - TRAILER - i] ^= 0x80;
	}
	free(b);
}

static void test_modsig_wrong_cert(void **state)
{
	char err[256] = "";
	uint8_t *b;
	size_t n;

	(void)state;
	modsig(k.rsa, k.rsa_cert, content, sizeof(content), &b, &n);
	expect_error(dl_modsig_verify(b, n, k.rsa_b_cert, err, sizeof(err)),
		     err, "signer is not the given certificate");
	expect_error(dl_modsig_verify(b, n, k.ec_cert, err, sizeof(err)), err,
		     "signer is not the given certificate");
	/* Same issuer and serial, another key: the signature decides. */
	expect_error(dl_modsig_verify(b, n, k.impostor_cert, err, sizeof(err)),
		     err, "does not verify");
	free(b);
}

/* Every prefix and every suffix of a valid buffer is refused. */
static void test_modsig_truncations(void **state)
{
	char err[256];
	uint8_t *b, *t;
	size_t n;

	(void)state;
	modsig(k.rsa, k.rsa_cert, content, sizeof(content), &b, &n);
	for (size_t i = 0; i < n; i++) {
		t = dup_exact(b, i);
		err[0] = 0;
		if (dl_modsig_verify(t, i, k.rsa_cert, err, sizeof(err)) != -1)
			fail_msg("prefix of %zu of %zu bytes accepted", i, n);
		if (!err[0])
			fail_msg("prefix of %zu bytes: no error message", i);
		free(t);
	}
	for (size_t i = 1; i <= n; i++) {
		t = dup_exact(b + i, n - i);
		err[0] = 0;
		if (dl_modsig_verify(t, n - i, k.rsa_cert, err, sizeof(err)) !=
		    -1)
			fail_msg("buffer without its first %zu bytes accepted",
				 i);
		if (!err[0])
			fail_msg("suffix of %zu bytes: no error message",
				 n - i);
		free(t);
	}
	free(b);
}

/* Trailer fields: each wrong value is named in the error. */
static void test_modsig_bad_trailer(void **state)
{
	static const struct {
		size_t off; /* from the start of struct module_signature */
		uint8_t val;
		const char *needle;
	} cases[] = {
		{ 2, 1, "id_type 1" },	      { 2, 0, "id_type 0" },
		{ 0, 1, "nonzero" },	      { 1, 4, "nonzero" },
		{ 3, 1, "nonzero" },	      { 4, 1, "nonzero" },
		{ 7, 1, "nonzero" },	      { 12, 'X', "marker" },
		{ TRAILER - 1, 0, "marker" },
	};
	char err[256] = "";
	uint8_t *b, *info;
	uint32_t sig_len;
	size_t n;

	(void)state;
	modsig(k.rsa, k.rsa_cert, content, sizeof(content), &b, &n);
	info = b + n - TRAILER;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t old = info[cases[i].off];

		info[cases[i].off] = cases[i].val;
		expect_error(dl_modsig_verify(b, n, k.rsa_cert, err,
					      sizeof(err)),
			     err, cases[i].needle);
		info[cases[i].off] = old;
	}
	sig_len = be32(info + 8);

	/* sig_len: 0, past the start, huge, and off by one either way. */
	memset(info + 8, 0, 4);
	expect_error(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err,
		     "sig_len is 0");
	info[8] = (uint8_t)((n - TRAILER + 1) >> 24);
	info[9] = (uint8_t)((n - TRAILER + 1) >> 16);
	info[10] = (uint8_t)((n - TRAILER + 1) >> 8);
	info[11] = (uint8_t)(n - TRAILER + 1);
	expect_error(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err,
		     "larger than");
	memset(info + 8, 0xff, 4);
	expect_error(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err,
		     "larger than");
	info[8] = (uint8_t)((sig_len + 1) >> 24);
	info[9] = (uint8_t)((sig_len + 1) >> 16);
	info[10] = (uint8_t)((sig_len + 1) >> 8);
	info[11] = (uint8_t)(sig_len + 1);
	assert_int_equal(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)),
			 -1);
	info[8] = (uint8_t)((sig_len - 1) >> 24);
	info[9] = (uint8_t)((sig_len - 1) >> 16);
	info[10] = (uint8_t)((sig_len - 1) >> 8);
	info[11] = (uint8_t)(sig_len - 1);
	assert_int_equal(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)),
			 -1);
	free(b);

	/* Garbage where the CMS message should be. */
	b = malloc(100 + TRAILER);
	assert_non_null(b);
	memset(b, 0x5a, 100);
	memset(b + 100, 0, 12);
	b[102] = 2;
	b[111] = 60;
	memcpy(b + 112, MARKER, MARKER_LEN);
	expect_error(dl_modsig_verify(b, 100 + TRAILER, k.rsa_cert, err,
				      sizeof(err)),
		     err, "not a CMS message");
	/* Trailer alone, sig_len 60. */
	expect_error(dl_modsig_verify(b + 100, TRAILER, k.rsa_cert, err,
				      sizeof(err)),
		     err, "larger than");
	free(b);
	expect_error(dl_modsig_verify(NULL, 0, k.rsa_cert, err, sizeof(err)),
		     err, "too short");
	expect_error(dl_modsig_verify(content, sizeof(content), NULL, err,
				      sizeof(err)),
		     err, "missing argument");
}

/* content || @der || trailer, as a signer would write it. */
static uint8_t *wrap(const uint8_t *der, size_t der_len, size_t *n)
{
	uint8_t *b = malloc(sizeof(content) + der_len + TRAILER), *p = b;

	assert_non_null(b);
	memcpy(p, content, sizeof(content));
	p += sizeof(content);
	memcpy(p, der, der_len);
	p += der_len;
	memset(p, 0, 12);
	p[2] = 2;
	p[8] = (uint8_t)(der_len >> 24);
	p[9] = (uint8_t)(der_len >> 16);
	p[10] = (uint8_t)(der_len >> 8);
	p[11] = (uint8_t)der_len;
	memcpy(p + 12, MARKER, MARKER_LEN);
	*n = sizeof(content) + der_len + TRAILER;
	return b;
}

/* A modsig with a CMS message made with other choices than ours. */
static uint8_t *other_cms(const EVP_MD *md, int attached, int two_signers,
			  size_t *n)
{
	unsigned int fl = CMS_NOCERTS | CMS_BINARY;
	BIO *in = BIO_new_mem_buf(content, sizeof(content));
	CMS_ContentInfo *cms;
	unsigned char *der = NULL;
	uint8_t *b;
	int len;

	assert_non_null(in);
	cms = CMS_sign(NULL, NULL, NULL, NULL,
		       fl | CMS_PARTIAL | (attached ? 0 : CMS_DETACHED));
	assert_non_null(cms);
	assert_non_null(
		CMS_add1_signer(cms, k.rsa_cert, k.rsa, md, fl | CMS_NOATTR));
	if (two_signers)
		assert_non_null(CMS_add1_signer(cms, k.ec_cert, k.ec, md,
						fl | CMS_NOATTR));
	assert_int_equal(CMS_final(cms, in, NULL, fl), 1);
	len = i2d_CMS_ContentInfo(cms, &der);
	assert_true(len > 0);
	b = wrap(der, (size_t)len, n);
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return b;
}

static void test_modsig_other_cms(void **state)
{
	char err[256] = "";
	uint8_t *b;
	size_t n;

	(void)state;
	/* SHA-512 is a digest lists may use: accepted. */
	b = other_cms(EVP_sha512(), 0, 0, &n);
	expect_ok(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err);
	free(b);
	b = other_cms(EVP_sha1(), 0, 0, &n);
	expect_error(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err,
		     "digest algorithm");
	free(b);
	b = other_cms(EVP_sha256(), 1, 0, &n);
	expect_error(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err,
		     "not detached");
	free(b);
	b = other_cms(EVP_sha256(), 0, 1, &n);
	expect_error(dl_modsig_verify(b, n, k.rsa_cert, err, sizeof(err)), err,
		     "2 signers");
	free(b);
}

/* ---- security.ima v2 ---- */

static void imasig(EVP_PKEY *key, X509 *cert, uint8_t *sig, size_t *len)
{
	char err[256] = "";

	expect_ok(dl_imasig_create(content, sizeof(content), key, cert, sig,
				   len, err, sizeof(err)),
		  err);
}

static void check_imasig_header(const uint8_t *sig, size_t len, X509 *cert)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(cert);
	int sl = ASN1_STRING_length(skid);

	assert_true(len > 9 && len <= DL_IMASIG_MAX);
	assert_int_equal(sig[0], 0x03);
	assert_int_equal(sig[1], 0x02);
	assert_int_equal(sig[2], HASH_ALGO_SHA256);
	assert_memory_equal(sig + 3, ASN1_STRING_get0_data(skid) + sl - 4, 4);
	assert_int_equal((size_t)(sig[7] << 8 | sig[8]), len - 9);
}

static void test_imasig_roundtrip_rsa(void **state)
{
	uint8_t sig[DL_IMASIG_MAX];
	char err[256] = "";
	size_t len = 0;

	(void)state;
	imasig(k.rsa, k.rsa_cert, sig, &len);
	check_imasig_header(sig, len, k.rsa_cert);
	assert_int_equal(len, 9 + 256);
	expect_ok(dl_imasig_verify(content, sizeof(content), sig, len,
				   k.rsa_cert, err, sizeof(err)),
		  err);
	/* Empty data too. */
	expect_ok(dl_imasig_create(NULL, 0, k.rsa, k.rsa_cert, sig, &len, err,
				   sizeof(err)),
		  err);
	expect_ok(dl_imasig_verify(NULL, 0, sig, len, k.rsa_cert, err,
				   sizeof(err)),
		  err);
}

static void test_imasig_roundtrip_ec(void **state)
{
	uint8_t sig[DL_IMASIG_MAX];
	char err[256] = "";
	size_t len = 0;

	(void)state;
	imasig(k.ec, k.ec_cert, sig, &len);
	check_imasig_header(sig, len, k.ec_cert);
	assert_int_equal(sig[9], 0x30); /* ECDSA-Sig-Value, DER */
	expect_ok(dl_imasig_verify(content, sizeof(content), sig, len,
				   k.ec_cert, err, sizeof(err)),
		  err);
}

/* A v2 value with another hash algorithm, made by hand. */
static void test_imasig_sha512(void **state)
{
	uint8_t sig[DL_IMASIG_MAX], dig[64];
	char err[256] = "";
	unsigned int dlen;
	EVP_PKEY_CTX *ctx;
	size_t slen = sizeof(sig) - 9, len;

	(void)state;
	imasig(k.rsa, k.rsa_cert, sig, &len); /* for the header */
	assert_int_equal(EVP_Digest(content, sizeof(content), dig, &dlen,
				    EVP_sha512(), NULL),
			 1);
	ctx = EVP_PKEY_CTX_new(k.rsa, NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha512()), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, sig + 9, &slen, dig, dlen), 1);
	EVP_PKEY_CTX_free(ctx);
	sig[2] = HASH_ALGO_SHA512;
	expect_ok(dl_imasig_verify(content, sizeof(content), sig, 9 + slen,
				   k.rsa_cert, err, sizeof(err)),
		  err);
	/* The algorithm byte is what the digest is made with. */
	sig[2] = HASH_ALGO_SHA256;
	expect_error(dl_imasig_verify(content, sizeof(content), sig, 9 + slen,
				      k.rsa_cert, err, sizeof(err)),
		     err, "does not verify");
}

static void test_imasig_tampered(void **state)
{
	uint8_t sig[DL_IMASIG_MAX], data[sizeof(content)];
	char err[256] = "";
	size_t len;

	(void)state;
	for (int ec = 0; ec < 2; ec++) {
		X509 *cert = ec ? k.ec_cert : k.rsa_cert;

		imasig(ec ? k.ec : k.rsa, cert, sig, &len);
		memcpy(data, content, sizeof(data));
		data[3] ^= 0x20;
		expect_error(dl_imasig_verify(data, sizeof(data), sig, len,
					      cert, err, sizeof(err)),
			     err, "does not verify");
		expect_error(dl_imasig_verify(content, sizeof(content) - 1, sig,
					      len, cert, err, sizeof(err)),
			     err, "does not verify");
		for (size_t i = 9; i < len; i += 7) {
			sig[i] ^= 0x04;
			expect_error(dl_imasig_verify(content, sizeof(content),
						      sig, len, cert, err,
						      sizeof(err)),
				     err, "does not verify");
			sig[i] ^= 0x04;
		}
		expect_ok(dl_imasig_verify(content, sizeof(content), sig, len,
					   cert, err, sizeof(err)),
			  err);
	}
}

static void test_imasig_wrong_cert(void **state)
{
	const ASN1_OCTET_STRING *skid;
	uint8_t sig[DL_IMASIG_MAX];
	char err[256] = "";
	size_t len;

	(void)state;
	imasig(k.rsa, k.rsa_cert, sig, &len);
	expect_error(dl_imasig_verify(content, sizeof(content), sig, len,
				      k.rsa_b_cert, err, sizeof(err)),
		     err, "key id");
	expect_error(dl_imasig_verify(content, sizeof(content), sig, len,
				      k.ec_cert, err, sizeof(err)),
		     err, "key id");
	/* Right key id, wrong key: rsa_b's key id written into the value. */
	skid = X509_get0_subject_key_id(k.rsa_b_cert);
	memcpy(sig + 3,
	       ASN1_STRING_get0_data(skid) + ASN1_STRING_length(skid) - 4, 4);
	expect_error(dl_imasig_verify(content, sizeof(content), sig, len,
				      k.rsa_b_cert, err, sizeof(err)),
		     err, "does not verify");
	/* Signing with a key the certificate is not for. */
	expect_error(dl_imasig_create(content, sizeof(content), k.rsa_b,
				      k.rsa_cert, sig, &len, err, sizeof(err)),
		     err, "does not match");
}

static void test_imasig_bad_header(void **state)
{
	static const struct {
		size_t off;
		uint8_t val;
		const char *needle;
	} cases[] = {
		{ 0, 0x04, "type 0x04" },
		{ 0, 0x02, "type 0x02" },
		{ 1, 0x01, "version 1" },
		{ 1, 0x03, "version 3" },
		{ 2, HASH_ALGO_SHA1, "hash algorithm 2" },
		{ 2, HASH_ALGO_MD5, "hash algorithm 1" },
		{ 2, 200, "hash algorithm 200" },
		{ 3, 0, "key id" },
		{ 6, 0, "key id" },
	};
	uint8_t sig[DL_IMASIG_MAX], *t;
	char err[256] = "";
	size_t len;

	(void)state;
	imasig(k.rsa, k.rsa_cert, sig, &len);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t old = sig[cases[i].off];

		sig[cases[i].off] = cases[i].val == old ? old ^ 0xff :
							  cases[i].val;
		expect_error(dl_imasig_verify(content, sizeof(content), sig,
					      len, k.rsa_cert, err,
					      sizeof(err)),
			     err, cases[i].needle);
		sig[cases[i].off] = old;
	}

	/* Size field larger than what follows, smaller, zero. */
	sig[7] = 0xff;
	sig[8] = 0xff;
	expect_error(dl_imasig_verify(content, sizeof(content), sig, len,
				      k.rsa_cert, err, sizeof(err)),
		     err, "size field 65535");
	sig[7] = (uint8_t)((len - 9 + 1) >> 8);
	sig[8] = (uint8_t)(len - 9 + 1);
	expect_error(dl_imasig_verify(content, sizeof(content), sig, len,
				      k.rsa_cert, err, sizeof(err)),
		     err, "size field");
	sig[7] = (uint8_t)((len - 9 - 1) >> 8);
	sig[8] = (uint8_t)(len - 9 - 1);
	expect_error(dl_imasig_verify(content, sizeof(content), sig, len,
				      k.rsa_cert, err, sizeof(err)),
		     err, "size field");
	sig[7] = 0;
	sig[8] = 0;
	expect_error(dl_imasig_verify(content, sizeof(content), sig, 9,
				      k.rsa_cert, err, sizeof(err)),
		     err, "size field 0");
	sig[7] = (uint8_t)((len - 9) >> 8);
	sig[8] = (uint8_t)(len - 9);

	/* Every truncation, in an exact-size buffer. */
	for (size_t i = 0; i < len; i++) {
		t = dup_exact(sig, i);
		err[0] = 0;
		if (dl_imasig_verify(content, sizeof(content), t, i, k.rsa_cert,
				     err, sizeof(err)) != -1)
			fail_msg("truncation to %zu of %zu bytes accepted", i,
				 len);
		if (!err[0])
			fail_msg("truncation to %zu bytes: no message", i);
		free(t);
	}
	expect_error(dl_imasig_verify(content, sizeof(content), NULL, 0,
				      k.rsa_cert, err, sizeof(err)),
		     err, "shorter than");
	expect_ok(dl_imasig_verify(content, sizeof(content), sig, len,
				   k.rsa_cert, err, sizeof(err)),
		  err);
}

static void test_imasig_no_skid(void **state)
{
	uint8_t sig[DL_IMASIG_MAX];
	char err[256] = "";
	size_t len = 7;

	(void)state;
	expect_error(dl_imasig_create(content, sizeof(content), k.rsa,
				      k.noskid_cert, sig, &len, err,
				      sizeof(err)),
		     err, "no subject key identifier");
	assert_int_equal(len, 0);
	imasig(k.rsa, k.rsa_cert, sig, &len);
	expect_error(dl_imasig_verify(content, sizeof(content), sig, len,
				      k.noskid_cert, err, sizeof(err)),
		     err, "no subject key identifier");
}

static void test_imasig_key_type(void **state)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	uint8_t sig[DL_IMASIG_MAX];
	char err[256] = "";
	size_t len;
	X509 *cert;

	(void)state;
	assert_non_null(ed);
	cert = X509_new();
	assert_non_null(cert);
	assert_int_equal(X509_set_pubkey(cert, ed), 1);
	expect_error(dl_imasig_create(content, sizeof(content), ed, cert, sig,
				      &len, err, sizeof(err)),
		     err, "not RSA or EC");
	X509_free(cert);
	EVP_PKEY_free(ed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_modsig_roundtrip_rsa),
		cmocka_unit_test(test_modsig_roundtrip_ec),
		cmocka_unit_test(test_modsig_key_mismatch),
		cmocka_unit_test(test_modsig_tampered_content),
		cmocka_unit_test(test_modsig_tampered_signature),
		cmocka_unit_test(test_modsig_wrong_cert),
		cmocka_unit_test(test_modsig_truncations),
		cmocka_unit_test(test_modsig_bad_trailer),
		cmocka_unit_test(test_modsig_other_cms),
		cmocka_unit_test(test_imasig_roundtrip_rsa),
		cmocka_unit_test(test_imasig_roundtrip_ec),
		cmocka_unit_test(test_imasig_sha512),
		cmocka_unit_test(test_imasig_tampered),
		cmocka_unit_test(test_imasig_wrong_cert),
		cmocka_unit_test(test_imasig_bad_header),
		cmocka_unit_test(test_imasig_no_skid),
		cmocka_unit_test(test_imasig_key_type),
	};

	return TR_RUN(tests, setup, teardown);
}
