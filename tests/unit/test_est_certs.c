// SPDX-License-Identifier: GPL-2.0-only
/*
 * EST certs-only CMS and PKCS#10 base64: round trips, the openssl CLI
 * reading ours and we reading its (crl2pkcs7, pkcs7 -print_certs, req),
 * and refusal of everything that is not exactly one certs-only
 * structure: bad base64, trailing bytes, signers, CRLs, content, too
 * many certificates, too much input, truncation.
 */
#include "enroll/est_certs.h"
#include "test_dir.h"
#include "tr_test.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <stdlib.h>
#include <string.h>

static struct test_dir td;
static EVP_PKEY *key;
static STACK_OF(X509) * one; /* one certificate, for most tests */

/* A self-signed certificate CN=cert-@i. */
static X509 *make_cert(int i)
{
	X509 *x = X509_new();
	char cn[32];

	snprintf(cn, sizeof(cn), "cert-%d", i);
	assert_non_null(x);
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), i + 1));
	assert_true(X509_NAME_add_entry_by_txt(
		X509_get_subject_name(x), "CN", MBSTRING_ASC,
		(const unsigned char *)cn, -1, -1, 0));
	assert_true(X509_set_issuer_name(x, X509_get_subject_name(x)));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_true(X509_set_pubkey(x, key));
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

static STACK_OF(X509) * make_certs(int n)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	for (int i = 0; i < n; i++)
		assert_true(sk_X509_push(sk, make_cert(i)) > 0);
	return sk;
}

static int setup(void **state)
{
	(void)state;
	key = EVP_EC_gen("P-256");
	if (!key || test_dir_make(&td, "trustroute-est"))
		return -1;
	one = make_certs(1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sk_X509_pop_free(one, X509_free);
	EVP_PKEY_free(key);
	return test_dir_remove(&td);
}

static void assert_same_certs(STACK_OF(X509) * a, STACK_OF(X509) * b)
{
	assert_int_equal(sk_X509_num(a), sk_X509_num(b));
	for (int i = 0; i < sk_X509_num(a); i++)
		assert_int_equal(
			X509_cmp(sk_X509_value(a, i), sk_X509_value(b, i)), 0);
}

/* @b64 decodes to exactly @expect; @b64 is freed. */
static void assert_decodes(char *b64, size_t len, STACK_OF(X509) * expect)
{
	STACK_OF(X509) * back;
	char err[256];

	if (tr_est_certs_decode(b64, len, &back, err, sizeof(err)))
		fail_msg("%s", err);
	assert_same_certs(expect, back);
	sk_X509_pop_free(back, X509_free);
	free(b64);
}

/* Our encoding of @certs, which must succeed; malloc'ed. */
static char *encode_ok(STACK_OF(X509) * certs, size_t *len)
{
	char err[256], *b64;

	if (tr_est_certs_encode(certs, &b64, len, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(strlen(b64), *len);
	return b64;
}

/* Base64 on one line, as some servers send it. */
static char *b64_one_line(const uint8_t *der, int len)
{
	char *b = malloc((size_t)(len + 2) / 3 * 4 + 1);

	assert_non_null(b);
	EVP_EncodeBlock((unsigned char *)b, der, len);
	return b;
}

/* @der followed by @junk zero bytes, in base64. */
static char *b64_with_junk(const uint8_t *der, int len, int junk)
{
	uint8_t *longer = calloc(1, (size_t)(len + junk));
	char *b;

	assert_non_null(longer);
	memcpy(longer, der, (size_t)len);
	b = b64_one_line(longer, len + junk);
	free(longer);
	return b;
}

static char *pkcs7_b64(PKCS7 *p7)
{
	uint8_t *der = NULL;
	int len = i2d_PKCS7(p7, &der);
	char *b;

	assert_true(len > 0);
	b = b64_one_line(der, len);
	OPENSSL_free(der);
	return b;
}

/* Certs-only the way the encoder builds it, for tampering with. */
static PKCS7 *certs_only(STACK_OF(X509) * certs)
{
	PKCS7 *p7 = PKCS7_new();

	assert_true(PKCS7_set_type(p7, NID_pkcs7_signed));
	assert_true(PKCS7_content_new(p7, NID_pkcs7_data));
	for (int i = 0; i < sk_X509_num(certs); i++)
		assert_true(PKCS7_add_certificate(p7, sk_X509_value(certs, i)));
	return p7;
}

/* @b64 is refused with a message that contains @why. */
static void assert_refused(const char *b64, size_t len, const char *why)
{
	STACK_OF(X509) *certs = (void *)1;
	char err[256] = "";

	assert_int_equal(
		tr_est_certs_decode(b64, len, &certs, err, sizeof(err)), -1);
	assert_null(certs);
	if (!strstr(err, why))
		fail_msg("expected \"%s\", got \"%s\"", why, err);
}

static void assert_p7_refused(PKCS7 *p7, const char *why)
{
	char *b = pkcs7_b64(p7);

	assert_refused(b, strlen(b), why);
	free(b);
	PKCS7_free(p7);
}

/* Ours in lines of 64, each ending "\n", and back. */
static void assert_round_trips(STACK_OF(X509) * certs)
{
	size_t len;
	char *b64 = encode_ok(certs, &len);

	for (const char *p = b64; *p;) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_true(nl - p <= 64);
		if (nl[1])
			assert_int_equal(nl - p, 64);
		p = nl + 1;
	}
	assert_decodes(b64, len, certs);
}

static void round_trip(int n)
{
	STACK_OF(X509) *certs = make_certs(n);

	assert_round_trips(certs);
	sk_X509_pop_free(certs, X509_free);
}

static void test_round_trip_one(void **state)
{
	(void)state;
	round_trip(1);
}

static void test_round_trip_three(void **state)
{
	(void)state;
	round_trip(3);
}

static void write_certs_pem(STACK_OF(X509) * certs, const char *name)
{
	char path[300];
	FILE *f;

	test_dir_path(&td, path, sizeof(path), name);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < sk_X509_num(certs); i++)
		assert_true(PEM_write_X509(f, sk_X509_value(certs, i)));
	fclose(f);
}

static char *read_text(const char *name, size_t *len)
{
	char path[300];
	uint8_t *b, *t;

	test_dir_path(&td, path, sizeof(path), name);
	b = test_read_buf(path, 1 << 20, len);
	t = realloc(b, *len + 1);
	assert_non_null(t);
	t[*len] = 0;
	return (char *)t;
}

static void decode_ok(const char *name, STACK_OF(X509) * expect)
{
	size_t len;
	char *b64 = read_text(name, &len);

	assert_decodes(b64, len, expect);
}

/* crl2pkcs7's output decodes; and ours is the same text as its. */
static void test_openssl_crl2pkcs7_decodes(void **state)
{
	STACK_OF(X509) *certs = make_certs(3);
	char *ours, *theirs;
	size_t len, tlen;

	(void)state;
	write_certs_pem(certs, "certs.pem");
	if (test_dir_sh(&td,
			"(cd '%s' && openssl crl2pkcs7 -nocrl -certfile "
			"certs.pem -outform DER -out p7.der && "
			"base64 p7.der >p7-76.b64 && "
			"openssl crl2pkcs7 -nocrl -certfile certs.pem "
			"-out p7.pem && sed '1d;$d' p7.pem >p7-pem.b64)",
			td.dir))
		fail_msg("openssl crl2pkcs7: %s", test_dir_log(&td));
	decode_ok("p7-76.b64", certs); /* coreutils' 76-column lines */
	decode_ok("p7-pem.b64", certs);

	ours = encode_ok(certs, &len);
	theirs = read_text("p7-pem.b64", &tlen);
	assert_string_equal(ours, theirs);
	free(ours);
	free(theirs);
	sk_X509_pop_free(certs, X509_free);
}

static void test_openssl_reads_ours(void **state)
{
	STACK_OF(X509) *certs = make_certs(3), *printed = sk_X509_new_null();
	char path[300], *b64;
	size_t len;
	X509 *x;
	FILE *f;

	(void)state;
	b64 = encode_ok(certs, &len);
	test_dir_path(&td, path, sizeof(path), "ours.p7");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "-----BEGIN PKCS7-----\n%s-----END PKCS7-----\n", b64);
	fclose(f);
	if (test_dir_sh(&td,
			"(cd '%s' && openssl pkcs7 -in ours.p7 -print_certs "
			"-out printed.pem)",
			td.dir))
		fail_msg("openssl pkcs7: %s", test_dir_log(&td));
	test_dir_path(&td, path, sizeof(path), "printed.pem");
	f = fopen(path, "r");
	assert_non_null(f);
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
		assert_true(sk_X509_push(printed, x) > 0);
	fclose(f);
	assert_same_certs(certs, printed);
	free(b64);
	sk_X509_pop_free(printed, X509_free);
	sk_X509_pop_free(certs, X509_free);
}

static X509_REQ *make_req(void)
{
	X509_REQ *req = X509_REQ_new();

	assert_non_null(req);
	assert_true(X509_NAME_add_entry_by_txt(
		X509_REQ_get_subject_name(req), "CN", MBSTRING_ASC,
		(const unsigned char *)"r1", -1, -1, 0));
	assert_true(X509_REQ_set_pubkey(req, key));
	assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	return req;
}

static void assert_same_req(X509_REQ *a, X509_REQ *b)
{
	uint8_t *da = NULL, *db = NULL;
	int la = i2d_X509_REQ(a, &da), lb = i2d_X509_REQ(b, &db);

	assert_true(la > 0);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, (size_t)la);
	OPENSSL_free(da);
	OPENSSL_free(db);
}

static void test_csr_round_trip(void **state)
{
	X509_REQ *req = make_req(), *back;
	char err[256], *b64;
	size_t len;

	(void)state;
	if (tr_est_csr_encode(req, &b64, &len, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(strlen(b64), len);
	back = tr_est_csr_decode(b64, len, err, sizeof(err));
	if (!back)
		fail_msg("%s", err);
	assert_same_req(req, back);
	X509_REQ_free(back);
	X509_REQ_free(req);
	free(b64);
}

static void test_openssl_req_decodes(void **state)
{
	char err[256], cn[16], *b64;
	X509_REQ *req;
	EVP_PKEY *pub;
	size_t len;

	(void)state;
	if (test_dir_sh(&td,
			"(cd '%s' && openssl req -new -newkey ec -pkeyopt "
			"ec_paramgen_curve:P-256 -nodes -keyout csr.key "
			"-subj /CN=router-7 -outform DER -out csr.der && "
			"base64 csr.der >csr.b64)",
			td.dir))
		fail_msg("openssl req: %s", test_dir_log(&td));
	b64 = read_text("csr.b64", &len);
	req = tr_est_csr_decode(b64, len, err, sizeof(err));
	if (!req)
		fail_msg("%s", err);
	pub = X509_REQ_get0_pubkey(req);
	assert_non_null(pub);
	assert_int_equal(X509_REQ_verify(req, pub), 1);
	assert_true(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req),
					      NID_commonName, cn,
					      sizeof(cn)) > 0);
	assert_string_equal(cn, "router-7");
	X509_REQ_free(req);
	free(b64);
}

static void test_csr_refused(void **state)
{
	char err[256], *b64;
	size_t len;

	(void)state;
	assert_null(tr_est_csr_decode("", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "PKCS#10 request: empty"));
	/* Certs-only is not a request. */
	b64 = encode_ok(one, &len);
	assert_null(tr_est_csr_decode(b64, len, err, sizeof(err)));
	assert_non_null(strstr(err, "PKCS#10 request: the DER does not parse"));
	free(b64);
}

static void test_bad_base64_refused(void **state)
{
	char *b64;
	size_t len;

	(void)state;
	assert_refused("", 0, "certs-only CMS: empty");
	assert_refused(" \r\n\t", 4, "empty");
	assert_refused("MIIB!AAA", 8, "byte 4: 0x21 is not base64");
	assert_refused("MIIB\0AAA", 8, "byte 4: 0x00 is not base64");
	assert_refused("QUI=QUJD", 8, "byte 4: data after the base64 padding");
	assert_refused("QUJDR", 5, "5 base64 characters");
	assert_refused("Q===", 4, "not whole groups");
	/* EVP_DecodeUpdate would stop at the '-' and call it success. */
	b64 = encode_ok(one, &len);
	b64[len / 2] = '-';
	assert_refused(b64, len, "0x2d is not base64");
	free(b64);
}

static void test_trailing_bytes_refused(void **state)
{
	STACK_OF(X509) *certs = one;
	PKCS7 *p7 = certs_only(certs);
	X509_REQ *req = make_req();
	uint8_t *der = NULL, *rder = NULL;
	int len = i2d_PKCS7(p7, &der), rlen = i2d_X509_REQ(req, &rder);
	char *b64 = b64_with_junk(der, len, 4),
	     *rb64 = b64_with_junk(rder, rlen, 3);
	char err[256];

	(void)state;
	assert_refused(b64, strlen(b64), "4 bytes after the DER structure");
	assert_null(tr_est_csr_decode(rb64, strlen(rb64), err, sizeof(err)));
	assert_non_null(strstr(err, "3 bytes after the DER structure"));
	free(b64);
	free(rb64);
	OPENSSL_free(der);
	OPENSSL_free(rder);
	X509_REQ_free(req);
	PKCS7_free(p7);
}

static void test_signed_refused(void **state)
{
	STACK_OF(X509) *certs = one;
	BIO *data = BIO_new_mem_buf("enroll me", -1);
	PKCS7 *p7 = PKCS7_sign(sk_X509_value(certs, 0), key, NULL, data,
			       PKCS7_BINARY | PKCS7_DETACHED);

	(void)state;
	assert_non_null(p7);
	assert_p7_refused(p7, "1 signers, certs-only has none");
	BIO_free(data);
}

static void test_crl_refused(void **state)
{
	STACK_OF(X509) *certs = one;
	PKCS7 *p7 = certs_only(certs);
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *now = X509_gmtime_adj(NULL, 0);

	(void)state;
	assert_true(X509_CRL_set_version(crl, X509_CRL_VERSION_2));
	assert_true(X509_CRL_set_issuer_name(
		crl, X509_get_subject_name(sk_X509_value(certs, 0))));
	assert_true(X509_CRL_set1_lastUpdate(crl, now));
	assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
	assert_true(PKCS7_add_crl(p7, crl));
	assert_p7_refused(p7, "1 CRLs, certs-only has none");
	ASN1_TIME_free(now);
	X509_CRL_free(crl);
}

static void test_content(void **state)
{
	STACK_OF(X509) *certs = one;
	PKCS7 *p7 = certs_only(certs);
	char *b64;

	(void)state;
	/* An empty eContent, as PKCS7_content_new leaves it, is no content. */
	b64 = pkcs7_b64(p7);
	assert_decodes(b64, strlen(b64), certs);
	assert_true(ASN1_OCTET_STRING_set(p7->d.sign->contents->d.data,
					  (const unsigned char *)"hello", 5));
	assert_p7_refused(p7, "5 bytes of content, certs-only has none");

	p7 = PKCS7_new();
	assert_true(PKCS7_set_type(p7, NID_pkcs7_data));
	assert_p7_refused(p7, "not SignedData");
}

static void test_cert_count(void **state)
{
	STACK_OF(X509) *none = sk_X509_new_null();
	STACK_OF(X509) *certs = make_certs(TR_EST_CERTS_MAX_N + 1);
	char err[256], *b64;
	size_t len;

	(void)state;
	assert_int_equal(
		tr_est_certs_encode(certs, &b64, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "17 certificates, not 1 to 16"));
	assert_int_equal(
		tr_est_certs_encode(none, &b64, &len, err, sizeof(err)), -1);
	assert_p7_refused(certs_only(certs), "17 certificates, not 1 to 16");
	assert_p7_refused(certs_only(none), "0 certificates, not 1 to 16");

	X509_free(sk_X509_pop(certs));
	assert_round_trips(certs);
	sk_X509_pop_free(certs, X509_free);
	sk_X509_free(none);
}

static void test_oversize_refused(void **state)
{
	size_t n = TR_EST_CERTS_MAX + 1;
	char *big = malloc(n);

	(void)state;
	memset(big, 'A', n);
	assert_refused(big, n, "65537 bytes of base64, more than the 65536");
	assert_null(tr_est_csr_decode(big, n, NULL, 0));
	/* White space counts towards the limit too. */
	memset(big, '\n', n);
	memcpy(big, "QUJD", 4);
	assert_refused(big, n, "more than the 65536");
	free(big);
}

static void test_truncated_refused(void **state)
{
	STACK_OF(X509) *certs = make_certs(2);
	PKCS7 *p7 = certs_only(certs);
	char *b64 = pkcs7_b64(p7);
	size_t len = strlen(b64);

	(void)state;
	/* Whole groups of four: the DER ends early. */
	assert_refused(b64, len / 8 * 4, "the DER does not parse");
	assert_refused(b64, len - 4, "the DER does not parse");
	/* Not whole groups: the base64 ends early. */
	assert_refused(b64, len - 1, "not whole groups of four");
	free(b64);
	PKCS7_free(p7);
	sk_X509_pop_free(certs, X509_free);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_one),
		cmocka_unit_test(test_round_trip_three),
		cmocka_unit_test(test_openssl_crl2pkcs7_decodes),
		cmocka_unit_test(test_openssl_reads_ours),
		cmocka_unit_test(test_csr_round_trip),
		cmocka_unit_test(test_openssl_req_decodes),
		cmocka_unit_test(test_csr_refused),
		cmocka_unit_test(test_bad_base64_refused),
		cmocka_unit_test(test_trailing_bytes_refused),
		cmocka_unit_test(test_signed_refused),
		cmocka_unit_test(test_crl_refused),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_cert_count),
		cmocka_unit_test(test_oversize_refused),
		cmocka_unit_test(test_truncated_refused),
	};

	return TR_RUN(tests, setup, teardown);
}
