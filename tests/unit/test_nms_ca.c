// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NMS CA on real files: create and load, no second CA over a first,
 * a key that is not the certificate's refused, ca.key private; issued
 * router certificates and the server certificate verify against ca.pem
 * (OpenSSL's verifier and `openssl verify`) and carry exactly the names,
 * usages and KeyAttestation bytes asked for; odd device names refused.
 */
#include "nms/enroll/ca.h"
#include "enroll/evidence.h"
#include "test_dir.h"
#include "tr_test.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static struct test_dir td;
static struct nms_ca ca;
static EVP_PKEY *dev_key;
static const uint8_t attestation[] = { 0x30, 0x06, 0x02, 0x01,
				       0x01, 0x04, 0x01, 0xaa };

static void path_of(char *out, size_t size, const char *sub, const char *name)
{
	snprintf(out, size, "%s/%s/%s", td.dir, sub, name);
}

static void make_sub(const char *sub)
{
	char p[300];

	test_dir_path(&td, p, sizeof(p), sub);
	assert_int_equal(mkdir(p, 0700), 0);
}

static int create_in(const char *sub, const char *servers, char *err,
		     size_t errlen)
{
	char p[300];

	test_dir_path(&td, p, sizeof(p), sub);
	return nms_ca_create(p, "trustroute test CA", servers, 30, err, errlen);
}

static int setup(void **state)
{
	char err[256] = "", p[300];

	(void)state;
	dev_key = EVP_EC_gen("P-256");
	if (!dev_key || test_dir_make(&td, "trustroute-ca"))
		return -1;
	td.log_stdout = true;
	test_dir_path(&td, p, sizeof(p), "ca");
	if (mkdir(p, 0700) ||
	    create_in("ca", "localhost,127.0.0.1,::1,nms.example.net", err,
		      sizeof(err)) ||
	    nms_ca_load(&ca, p, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nms_ca_free(&ca);
	EVP_PKEY_free(dev_key);
	return test_dir_remove(&td);
}

static X509 *load_cert(const char *sub, const char *name)
{
	char p[300];
	X509 *x;
	FILE *f;

	path_of(p, sizeof(p), sub, name);
	f = fopen(p, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static void save_cert(X509 *x, const char *name)
{
	char p[300];
	FILE *f;

	test_dir_path(&td, p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_true(PEM_write_X509(f, x));
	fclose(f);
}

/* @x verifies against ca.pem alone, for @purpose. */
static void assert_verifies(X509 *x, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();

	assert_true(X509_STORE_add_cert(store, ca.cert));
	assert_true(X509_STORE_CTX_init(ctx, store, x, NULL));
	assert_true(X509_STORE_CTX_set_purpose(ctx, purpose));
	if (X509_verify_cert(ctx) != 1)
		fail_msg("verify: %s", X509_verify_cert_error_string(
					       X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
}

static void assert_openssl_verifies(X509 *x, const char *purpose)
{
	save_cert(x, "check.pem");
	if (test_dir_sh(&td,
			"openssl verify -purpose %s -CAfile '%s/ca/ca.pem' "
			"'%s/check.pem'",
			purpose, td.dir, td.dir))
		fail_msg("openssl verify: %s", test_dir_log(&td));
}

static void assert_cn(X509 *x, const char *cn)
{
	char buf[80];

	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
					      NID_commonName, buf,
					      sizeof(buf)) > 0);
	assert_string_equal(buf, cn);
}

/* The SANs of @x as OpenSSL prints them, comma-separated. */
static void assert_sans(X509 *x, const char *expect)
{
	GENERAL_NAMES *gens =
		X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	BIO *b = BIO_new(BIO_s_mem());
	char *text;
	long n;

	assert_non_null(gens);
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		if (i)
			BIO_puts(b, ",");
		assert_true(
			GENERAL_NAME_print(b, sk_GENERAL_NAME_value(gens, i)));
	}
	BIO_write(b, "", 1);
	n = BIO_get_mem_data(b, &text);
	assert_true(n > 0);
	assert_string_equal(text, expect);
	BIO_free(b);
	GENERAL_NAMES_free(gens);
}

static bool ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	assert_true(i >= 0);
	return X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static void test_created_and_loaded(void **state)
{
	char p[300];
	struct stat st;
	X509 *server;

	(void)state;
	assert_cn(ca.cert, "trustroute test CA");
	assert_int_equal(X509_check_ca(ca.cert), 1);
	assert_int_equal(X509_get_pathlen(ca.cert), 0);
	assert_int_equal(X509_get_key_usage(ca.cert),
			 KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	assert_true(ext_critical(ca.cert, NID_basic_constraints));
	assert_int_equal(EVP_PKEY_get_bits(ca.key), 256);
	assert_int_equal(X509_get_signature_nid(ca.cert),
			 NID_ecdsa_with_SHA256);
	assert_verifies(ca.cert, X509_PURPOSE_ANY);
	/* Keys private; certificates readable; no temporary file left. */
	path_of(p, sizeof(p), "ca", "ca.key");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	path_of(p, sizeof(p), "ca", "server.key");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(test_dir_sh(&td,
				     "cd '%s/ca' && ls -A | tr '\\n' ' ' "
				     "| grep -qx 'ca.key ca.pem server.key "
				     "server.pem '",
				     td.dir),
			 0);
	server = load_cert("ca", "server.pem");
	X509_free(server);
}

static void test_second_ca_refused(void **state)
{
	char err[256] = "", p[300];

	(void)state;
	assert_int_equal(create_in("ca", "localhost", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ca.key already exists"));
	/* A certificate alone is a CA too. */
	make_sub("half");
	path_of(p, sizeof(p), "half", "ca.pem");
	test_write_buf(p, "x", 1);
	assert_int_equal(create_in("half", "localhost", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ca.pem already exists"));
	assert_int_equal(create_in("missing", "localhost", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "No such file"));
}

static void test_mismatched_key_refused(void **state)
{
	struct nms_ca other;
	char err[256] = "", p[300];

	(void)state;
	make_sub("ca2");
	if (create_in("ca2", "localhost", err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(test_dir_sh(&td, "cp '%s/ca/ca.key' '%s/ca2/ca.key'",
				     td.dir, td.dir),
			 0);
	test_dir_path(&td, p, sizeof(p), "ca2");
	assert_int_equal(nms_ca_load(&other, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ca.key does not match ca.pem"));
	assert_null(other.key);
	assert_null(other.cert);
	path_of(p, sizeof(p), "ca2", "ca.key");
	test_write_buf(p, "not a key", 9);
	test_dir_path(&td, p, sizeof(p), "ca2");
	assert_int_equal(nms_ca_load(&other, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a PEM private key"));
}

static X509 *issue(const char *device, const uint8_t *att, size_t att_len)
{
	struct nms_cert_request r = {
		.device = device,
		.pub = dev_key,
		.attestation = att,
		.attestation_len = att_len,
		.days = 365,
	};
	char err[256];
	X509 *x = nms_ca_issue(&ca, &r, err, sizeof(err));

	if (!x)
		fail_msg("%s", err);
	return x;
}

static void test_issued(void **state)
{
	X509 *x = issue("router-1.lab", attestation, sizeof(attestation));
	ASN1_OBJECT *oid = OBJ_txt2obj(TR_OID_KEY_ATTESTATION, 1);
	const ASN1_OCTET_STRING *data;
	X509_EXTENSION *ext;
	time_t now = time(NULL), skewed = now - 299;
	int i;

	(void)state;
	assert_verifies(x, X509_PURPOSE_SSL_SERVER);
	assert_verifies(x, X509_PURPOSE_SSL_CLIENT);
	assert_openssl_verifies(x, "sslclient");
	assert_cn(x, "router-1.lab");
	assert_sans(x, "DNS:router-1.lab");
	assert_int_equal(X509_check_ca(x), 0);
	assert_true(X509_get_extension_flags(x) & EXFLAG_BCONS);
	assert_true(ext_critical(x, NID_basic_constraints));
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	assert_true(ext_critical(x, NID_key_usage));
	assert_int_equal(X509_get_extended_key_usage(x),
			 XKU_SSL_SERVER | XKU_SSL_CLIENT);
	assert_non_null(X509_get0_subject_key_id(x));
	assert_int_equal(
		ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
				      X509_get0_subject_key_id(ca.cert)),
		0);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), dev_key), 1);
	/* Valid from about five minutes ago, for a year. */
	assert_true(X509_cmp_time(X509_get0_notBefore(x), &skewed) < 0);
	skewed = now - 301;
	assert_true(X509_cmp_time(X509_get0_notBefore(x), &skewed) > 0);
	skewed = now + 364 * 86400;
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &skewed) > 0);
	skewed = now + 365 * 86400;
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &skewed) < 0);

	i = X509_get_ext_by_OBJ(x, oid, -1);
	assert_true(i >= 0);
	assert_int_equal(X509_get_ext_by_OBJ(x, oid, i), -1); /* just one */
	ext = X509_get_ext(x, i);
	assert_false(X509_EXTENSION_get_critical(ext));
	data = X509_EXTENSION_get_data(ext);
	assert_int_equal(ASN1_STRING_length(data), sizeof(attestation));
	assert_memory_equal(ASN1_STRING_get0_data(data), attestation,
			    sizeof(attestation));
	X509_free(x);

	x = issue("router-2", NULL, 0);
	assert_int_equal(X509_get_ext_by_OBJ(x, oid, -1), -1);
	assert_verifies(x, X509_PURPOSE_SSL_CLIENT);
	X509_free(x);
	ASN1_OBJECT_free(oid);
}

static void assert_issue_refused(const char *device, const char *why)
{
	struct nms_cert_request r = { .device = device,
				      .pub = dev_key,
				      .days = 1 };
	char err[256] = "";

	assert_null(nms_ca_issue(&ca, &r, err, sizeof(err)));
	if (!strstr(err, why))
		fail_msg("%s: expected \"%s\", got \"%s\"",
			 device ? device : "(null)", why, err);
}

static void test_bad_device_names(void **state)
{
	char name[80];
	X509 *x;

	(void)state;
	memset(name, 'a', 63);
	name[63] = 0;
	x = issue(name, NULL, 0); /* the longest allowed */
	assert_cn(x, name);
	X509_free(x);
	name[63] = 'a';
	name[64] = 0;
	assert_issue_refused(name, "longer than 63");
	assert_issue_refused("", "device name is empty");
	assert_issue_refused(NULL, "device name is empty");
	assert_issue_refused("a b", "character 2 (0x20)");
	assert_issue_refused("r1,DNS:evil", "character 3 (0x2c)");
	assert_issue_refused("*.lab", "character 1 (0x2a)");
	assert_issue_refused("r1\n", "character 3 (0x0a)");
	assert_issue_refused("r1/../x", "character 3 (0x2f)");
	assert_issue_refused("r\xc3\xa9", "character 2 (0xc3)");
	assert_issue_refused("r1=CN", "character 3 (0x3d)");
}

static void test_bad_requests(void **state)
{
	struct nms_cert_request r = { .device = "r1", .pub = dev_key };
	char err[256];

	(void)state;
	assert_null(nms_ca_issue(&ca, &r, err, sizeof(err)));
	assert_non_null(strstr(err, "validity of 0 days"));
	r.days = 1;
	r.attestation = attestation;
	assert_null(nms_ca_issue(&ca, &r, err, sizeof(err)));
	assert_non_null(strstr(err, "KeyAttestation of 0 bytes"));
	r.attestation_len = TR_EVIDENCE_MAX_DER + 1;
	assert_null(nms_ca_issue(&ca, &r, err, sizeof(err)));
	assert_non_null(strstr(err, "KeyAttestation of 8193 bytes"));
	r.attestation = NULL;
	r.pub = NULL;
	assert_null(nms_ca_issue(&ca, &r, err, sizeof(err)));
	assert_non_null(strstr(err, "no public key"));
}

static void test_server_cert(void **state)
{
	X509 *x = load_cert("ca", "server.pem");
	EVP_PKEY *key;
	char p[300];
	FILE *f;

	(void)state;
	assert_verifies(x, X509_PURPOSE_SSL_SERVER);
	assert_openssl_verifies(x, "sslserver");
	assert_cn(x, "localhost");
	assert_sans(x, "DNS:localhost,IP Address:127.0.0.1,"
		       "IP Address:0:0:0:0:0:0:0:1,DNS:nms.example.net");
	assert_int_equal(X509_check_ca(x), 0);
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	assert_true(X509_check_host(x, "nms.example.net", 0, 0, NULL) == 1);
	assert_true(X509_check_ip_asc(x, "127.0.0.1", 0) == 1);
	path_of(p, sizeof(p), "ca", "server.key");
	f = fopen(p, "r");
	assert_non_null(f);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(key);
	assert_int_equal(X509_check_private_key(x, key), 1);
	EVP_PKEY_free(key);
	X509_free(x);
}

static void assert_create_refused(const char *servers, const char *why)
{
	char err[256] = "";

	make_sub("bad");
	assert_int_equal(create_in("bad", servers, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("%s: expected \"%s\", got \"%s\"", servers, why, err);
	/* Nothing written. */
	assert_int_equal(test_dir_sh(&td, "rmdir '%s/bad'", td.dir), 0);
}

static void assert_ca_name_refused(const char *name, const char *why)
{
	char err[256] = "", p[300];

	make_sub("bad");
	test_dir_path(&td, p, sizeof(p), "bad");
	assert_int_equal(
		nms_ca_create(p, name, "localhost", 1, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("expected \"%s\", got \"%s\"", why, err);
	assert_int_equal(test_dir_sh(&td, "rmdir '%s/bad'", td.dir), 0);
}

static void test_bad_create_args(void **state)
{
	char name[80];

	(void)state;
	memset(name, 'n', 65);
	name[65] = 0;
	assert_ca_name_refused(name, "CA name: not 1 to 64 bytes");
	assert_ca_name_refused("", "CA name: not 1 to 64 bytes");
	assert_ca_name_refused("bad \xff UTF-8", "is the CN UTF-8?");
	memset(name, 'n', 65);
	memcpy(name + 65, ",x", 3);
	assert_create_refused(name, "server name 1, the certificate's CN");
	assert_create_refused("", "server name 1 is empty");
	assert_create_refused("localhost,", "server name 2 is empty");
	assert_create_refused("a,,b", "server name 2 is empty");
	assert_create_refused("nms host", "server name 1 \"nms host\"");
	assert_create_refused("localhost,email:x@y", "server name 2");
}

static void test_serials(void **state)
{
	X509 *a = issue("r1", NULL, 0), *b = issue("r1", NULL, 0);
	char ha[40], hb[40], tiny[8] = "junk";

	(void)state;
	nms_cert_serial_hex(a, ha, sizeof(ha));
	nms_cert_serial_hex(b, hb, sizeof(hb));
	assert_int_equal(strlen(ha), 32);
	assert_int_equal(strspn(ha, "0123456789ABCDEF"), 32);
	assert_true(ha[0] >= '8'); /* 128 bits, positive */
	assert_int_equal(strlen(hb), 32);
	assert_string_not_equal(ha, hb);
	/* Too small a buffer: empty, not a prefix. */
	nms_cert_serial_hex(a, tiny, sizeof(tiny));
	assert_string_equal(tiny, "");
	X509_free(a);
	X509_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_created_and_loaded),
		cmocka_unit_test(test_second_ca_refused),
		cmocka_unit_test(test_mismatched_key_refused),
		cmocka_unit_test(test_issued),
		cmocka_unit_test(test_bad_device_names),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_server_cert),
		cmocka_unit_test(test_bad_create_args),
		cmocka_unit_test(test_serials),
	};

	return TR_RUN(tests, setup, teardown);
}
