// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EK and its certificate, on swtpms provisioned by swtpm_localca: the
 * verifier accepts this TPM's certificate for this TPM's EK, and refuses
 * another TPM's EK, a CA it does not trust (even one with the trusted
 * CA's name), a missing intermediate, a changed byte and junk.
 *
 * The EK's public area must be exactly a TCG EK Credential Profile
 * template: tpm2-tools' tpm2_createek, an independent implementation,
 * makes the EKs recognised as L-1, L-2, H-3, H-4 and H-6; each field of an
 * area changed is refused by name. Certificates are checked for what
 * they say they are for (basicConstraints, keyUsage, extendedKeyUsage,
 * subjectAltName: swtpm's platform certificate, for the EK's own key, is
 * refused) and against CRLs of every CA in the chain.
 */
#define _GNU_SOURCE /* memmem */
#include "test_dir.h"
#include "tpm_pair.h"
#include "tpm/ek.h"
#include "tr_test.h"
#include "tpm/convert.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tss2/tss2_mu.h>
#include <unistd.h>

#define ROOT_CA TR_TPM_CA_DIR "/swtpm-localca-rootca-cert.pem"
#define ISSUER TR_TPM_CA_DIR "/issuercert.pem"
#define PLATFORM_CERT_NV 0x01c08000

static struct tpm_pair pair;
static struct test_dir dir;
static TPM2B_PUBLIC ek_pub, ek2_pub;
static uint8_t *cert;
static size_t cert_len;
static char fake_ca[] = "/tmp/trustroute-fake-ca-XXXXXX";

static const struct tr_ek_trust swtpm_ca = { ROOT_CA, ISSUER, NULL };

/* A self-signed CA with the same name as the trusted root, another key. */
static int write_fake_ca(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	int fd = mkstemp(fake_ca), ok;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	ok = k && x && n && f &&
	     X509_NAME_add_entry_by_txt(
		     n, "CN", MBSTRING_ASC,
		     (const unsigned char *)"swtpm-localca-rootca", -1, -1,
		     0) &&
	     X509_set_version(x, 2) && X509_set_subject_name(x, n) &&
	     X509_set_issuer_name(x, n) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 3600) &&
	     X509_set_pubkey(x, k) && X509_sign(x, k, EVP_sha256()) &&
	     PEM_write_X509(f, x);
	if (f)
		fclose(f);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int setup(void **state)
{
	ESYS_TR ek, ek2;
	char err[256];

	(void)state;
	if (test_dir_make(&dir, "trustroute-ek") < 0 ||
	    tpm_pair_start(&pair) < 0 ||
	    tr_ek_cert_read(&pair.t[0], &cert, &cert_len, err, sizeof(err)) <
		    0 ||
	    tr_ek_create(&pair.t[0], &ek, &ek_pub, err, sizeof(err)) < 0 ||
	    tr_ek_create(&pair.t[1], &ek2, &ek2_pub, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	Esys_FlushContext(pair.t[0].esys, ek);
	Esys_FlushContext(pair.t[1].esys, ek2);
	return write_fake_ca();
}

static int teardown(void **state)
{
	(void)state;
	unlink(fake_ca);
	free(cert);
	tpm_pair_stop(&pair);
	test_dir_remove(&dir);
	return 0;
}

static void expect_refused_by(const uint8_t *der, size_t len,
			      const struct tr_ek_trust *trust,
			      const TPM2B_PUBLIC *ek, const char *why)
{
	char err[256] = "";

	assert_int_equal(
		tr_ek_cert_verify(der, len, trust, ek, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("refused for \"%s\", expected \"%s\"", err, why);
}

static void expect_refused(const uint8_t *der, size_t len, const char *ca,
			   const char *inter, const TPM2B_PUBLIC *ek,
			   const char *why)
{
	struct tr_ek_trust t = { ca, inter, NULL };

	expect_refused_by(der, len, &t, ek, why);
}

static void expect_verifies(const uint8_t *der, size_t len,
			    const struct tr_ek_trust *trust,
			    const TPM2B_PUBLIC *ek)
{
	char err[256] = "";

	if (tr_ek_cert_verify(der, len, trust, ek, err, sizeof(err)) !=
	    TR_EK_L1)
		fail_msg("%s", err);
}

static void test_genuine_ek_verifies(void **state)
{
	TPM2B_PUBLIC again;
	ESYS_TR ek;
	char err[256];

	(void)state;
	expect_verifies(cert, cert_len, &swtpm_ca, &ek_pub);
	/* The template gives the same EK every time (the certified one). */
	assert_int_equal(
		tr_ek_create(&pair.t[0], &ek, &again, err, sizeof(err)), 0);
	Esys_FlushContext(pair.t[0].esys, ek);
	assert_memory_equal(&again, &ek_pub, sizeof(again));
}

static void test_ek_of_another_tpm(void **state)
{
	(void)state;
	expect_refused(cert, cert_len, ROOT_CA, ISSUER, &ek2_pub,
		       "another key than this TPM's EK");
}

static void test_untrusted_ca(void **state)
{
	(void)state;
	/* Same name as the trusted root, another key. */
	expect_refused(cert, cert_len, fake_ca, ISSUER, &ek_pub,
		       "not from a trusted manufacturer CA");
	/* No path to the root without the issuing CA. */
	expect_refused(cert, cert_len, ROOT_CA, NULL, &ek_pub,
		       "not from a trusted manufacturer CA");
	expect_refused(cert, cert_len, "/nonexistent", ISSUER, &ek_pub,
		       "cannot open /nonexistent");
}

static void test_changed_byte(void **state)
{
	uint8_t *bad = malloc(cert_len), *at;

	(void)state;
	assert_non_null(bad);
	/* A byte inside the signed part: one of the key's modulus, which
	 * changes no DER structure (a byte of the serial could make it
	 * non-minimal, and the certificate would not even parse). */
	memcpy(bad, cert, cert_len);
	at = memmem(bad, cert_len, ek_pub.publicArea.unique.rsa.buffer, 16);
	assert_non_null(at);
	at[8] ^= 1;
	expect_refused(bad, cert_len, ROOT_CA, ISSUER, &ek_pub,
		       "not from a trusted manufacturer CA");
	free(bad);
}

static void test_malformed(void **state)
{
	uint8_t *bad = malloc(cert_len + 1);

	(void)state;
	assert_non_null(bad);
	memcpy(bad, cert, cert_len);
	bad[cert_len] = 0;
	expect_refused(bad, cert_len - 1, ROOT_CA, ISSUER, &ek_pub,
		       "not one DER certificate"); /* truncated */
	expect_refused(bad, cert_len + 1, ROOT_CA, ISSUER, &ek_pub,
		       "not one DER certificate"); /* trailing data */
	expect_refused(bad, 0, ROOT_CA, ISSUER, &ek_pub,
		       "not one DER certificate");
	/* Refused by its length alone: nothing is read past the buffer. */
	expect_refused(bad, TR_EK_CERT_MAX + 1, ROOT_CA, ISSUER, &ek_pub,
		       "not one DER certificate");
	memset(bad, 0x30, cert_len);
	expect_refused(bad, cert_len, ROOT_CA, ISSUER, &ek_pub,
		       "not one DER certificate");
	free(bad);
}

/* ---- templates ------------------------------------------------------- */

/* The EK tpm2_createek -G @alg makes in TPM B, as a TPM2B_PUBLIC. */
static void tpm2_tools_ek(const char *alg, TPM2B_PUBLIC *pub)
{
	char path[512], err[256];
	uint8_t *b;
	size_t n, off = 0;

	test_dir_path(&dir, path, sizeof(path), "ek.pub");
	/* tpm2-tools needs the TPM to itself: swtpm serves one client. */
	tr_tpm_close(&pair.t[1]);
	if (test_dir_sh(&dir,
			"TPM2TOOLS_TCTI='%s' tpm2_createek -G %s -c %s.ctx -u %s"
			" && TPM2TOOLS_TCTI='%s' tpm2_flushcontext -t",
			pair.sw[1].tcti, alg, path, path, pair.sw[1].tcti))
		fail_msg("tpm2_createek -G %s: %s", alg, test_dir_log(&dir));
	assert_int_equal(
		tr_tpm_open(&pair.t[1], pair.sw[1].tcti, err, sizeof(err)), 0);
	b = test_read_buf(path, 4096, &n);
	memset(pub, 0, sizeof(*pub));
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, n, &off, pub), 0);
	assert_int_equal(off, n);
	free(b);
}

/*
 * tpm2-tools 5.4 makes the low range templates (-G rsa, ecc) and the high
 * range ones above 2048/P-256 (ecc384, ecc521, rsa3072): each must be
 * recognised, independently of our own template code.
 */
static void test_tpm2_tools_templates(void **state)
{
	static const struct {
		const char *alg;
		int want;
	} eks[] = {
		{ "rsa", TR_EK_L1 },	 { "ecc", TR_EK_L2 },
		{ "ecc384", TR_EK_H3 },	 { "ecc521", TR_EK_H4 },
		{ "rsa3072", TR_EK_H6 },
	};
	TPM2B_PUBLIC pub;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(eks) / sizeof(eks[0]); i++) {
		int t;

		tpm2_tools_ek(eks[i].alg, &pub);
		t = tr_ek_template_of(&pub, err, sizeof(err));
		if (t != eks[i].want)
			fail_msg("tpm2_createek -G %s: got %s, wanted %s: %s",
				 eks[i].alg,
				 t < 0 ? "none" : tr_ek_template_name(t),
				 tr_ek_template_name(eks[i].want), err);
	}
	/* Ours is tpm2-tools' L-1, byte for byte. */
	tpm2_tools_ek("rsa", &pub);
	assert_int_equal(tr_ek_template_of(&ek2_pub, err, sizeof(err)),
			 TR_EK_L1);
	assert_memory_equal(&pub, &ek2_pub, sizeof(pub));
}

/*
 * H-1 and H-2, which tpm2-tools 5.4 does not make: the profile's values
 * (userWithAuth added to the low range's attributes, PolicyB for
 * SHA-256, an empty unique), made into EKs by the TPM.
 */
static void test_high_range_p256_rsa2048(void **state)
{
	static const uint8_t policy_b[32] = {
		0xca, 0x3d, 0x0a, 0x99, 0xa2, 0xb9, 0x39, 0x06,
		0xf7, 0xa3, 0x34, 0x24, 0x14, 0xef, 0xcf, 0xb3,
		0xa3, 0x85, 0xd4, 0x4c, 0xd1, 0xfd, 0x45, 0x90,
		0x89, 0xd1, 0x9b, 0x50, 0x71, 0xc0, 0xb7, 0xa0,
	};
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	char err[256];

	(void)state;
	for (int ecc = 0; ecc < 2; ecc++) {
		TPM2B_PUBLIC tmpl = { 0 }, *out = NULL;
		TPMT_PUBLIC *a = &tmpl.publicArea;
		ESYS_TR h;

		a->type = ecc ? TPM2_ALG_ECC : TPM2_ALG_RSA;
		a->nameAlg = TPM2_ALG_SHA256;
		a->objectAttributes = 0x000300f2;
		a->authPolicy.size = 32;
		memcpy(a->authPolicy.buffer, policy_b, 32);
		if (ecc) {
			a->parameters.eccDetail.symmetric.algorithm =
				TPM2_ALG_AES;
			a->parameters.eccDetail.symmetric.keyBits.aes = 128;
			a->parameters.eccDetail.symmetric.mode.aes =
				TPM2_ALG_CFB;
			a->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
			a->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
			a->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
		} else {
			a->parameters.rsaDetail.symmetric.algorithm =
				TPM2_ALG_AES;
			a->parameters.rsaDetail.symmetric.keyBits.aes = 128;
			a->parameters.rsaDetail.symmetric.mode.aes =
				TPM2_ALG_CFB;
			a->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
			a->parameters.rsaDetail.keyBits = 2048;
		}
		assert_int_equal(Esys_CreatePrimary(
					 pair.t[1].esys, ESYS_TR_RH_ENDORSEMENT,
					 ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE, &sens, &tmpl, &outside,
					 &pcrs, &h, &out, NULL, NULL, NULL),
				 0);
		Esys_FlushContext(pair.t[1].esys, h);
		if (tr_ek_template_of(out, err, sizeof(err)) !=
		    (ecc ? TR_EK_H2 : TR_EK_H1))
			fail_msg("H-%d: %s", ecc ? 2 : 1, err);
		Esys_Free(out);
	}
}

static void expect_not_template(const TPM2B_PUBLIC *pub, const char *why)
{
	char err[256] = "";

	assert_int_equal(tr_ek_template_of(pub, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("refused for \"%s\", expected \"%s\"", err, why);
}

/* Every field of the area, changed, is named in the refusal. */
static void test_changed_areas(void **state)
{
	TPM2B_PUBLIC p, l2;

	(void)state;
	p = ek_pub;
	p.publicArea.objectAttributes |= TPMA_OBJECT_NODA;
	expect_not_template(
		&p,
		"nearest is L-1 (RSA 2048), but objectAttributes 0x000304b2 (noDA set), L-1 has 0x000300b2");
	p = ek_pub;
	p.publicArea.objectAttributes &= ~TPMA_OBJECT_FIXEDTPM;
	expect_not_template(&p, "fixedTPM clear");
	p = ek_pub;
	p.publicArea.objectAttributes |= 0x100;
	expect_not_template(&p, "reserved bits 0x00000100 set");
	p = ek_pub;
	p.publicArea.authPolicy.buffer[31] ^= 0x80;
	expect_not_template(&p,
			    "authPolicy is not L-1's (PolicyA of 32 bytes)");
	p = ek_pub;
	p.publicArea.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CBC;
	expect_not_template(&p, "symmetric is not AES-128-CFB as in L-1");
	p = ek_pub;
	p.publicArea.parameters.rsaDetail.keyBits = 1024;
	expect_not_template(&p, "keyBits 1024, L-1 has 2048");
	p = ek_pub;
	p.publicArea.unique.rsa.size = 255;
	expect_not_template(&p, "unique of 255 bytes, a L-1 modulus has 256");
	p = ek_pub;
	p.publicArea.nameAlg = TPM2_ALG_SHA1;
	expect_not_template(&p, "nameAlg 0x0004, L-1 has 0x000b");
	p = ek_pub;
	p.publicArea.type = TPM2_ALG_KEYEDHASH;
	expect_not_template(&p, "type 0x0008, not an RSA or ECC key");
	/* An ECC area: the L-2 EK tpm2-tools makes, changed. */
	tpm2_tools_ek("ecc", &l2);
	p = l2;
	p.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P384;
	expect_not_template(
		&p,
		"nearest is L-2 (ECC NIST P-256), but curve 0x0004, L-2 has 0x0003");
	p = l2;
	p.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_KDF1_SP800_56A;
	expect_not_template(&p, "kdf 0x0020, L-2 has none");
	p = l2;
	p.publicArea.unique.ecc.y.size = 31;
	expect_not_template(&p, "unique point of 32+31 bytes, L-2 has 32+32");
	p = l2;
	p.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDH;
	p.publicArea.parameters.eccDetail.scheme.details.ecdh.hashAlg =
		TPM2_ALG_SHA256;
	expect_not_template(&p, "scheme 0x0019, L-2 has none");
}

static void test_template_lists(void **state)
{
	unsigned mask;
	char err[256];

	(void)state;
	assert_int_equal(tr_ek_template_list("L-1", &mask, err, sizeof(err)),
			 0);
	assert_int_equal(mask, TR_EK_TEMPLATE_BIT(TR_EK_L1));
	assert_int_equal(
		tr_ek_template_list("L-1,H-1", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, TR_EK_TEMPLATE_BIT(TR_EK_L1) |
				       TR_EK_TEMPLATE_BIT(TR_EK_H1));
	assert_int_equal(
		tr_ek_template_list("L-1,,H-1", &mask, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"\" is not an EK template"));
	assert_int_equal(tr_ek_template_list("H-5", &mask, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "\"H-5\" is not an EK template"));
	assert_int_equal(tr_ek_template_list("", &mask, err, sizeof(err)), -1);
	assert_int_equal(tr_ek_template_list("L-1,", &mask, err, sizeof(err)),
			 -1);
	assert_string_equal(tr_ek_template_name(TR_EK_H3), "H-3");
	assert_null(tr_ek_template_name(-1));
}

/* ---- what a certificate is for ----------------------------------------- */

struct ca {
	EVP_PKEY *key;
	X509 *cert;
};

static struct ca root, inter;

/* An extension from OpenSSL's config syntax, e.g. "critical,CA:TRUE". */
static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* subjectAltName: a directory name of the TPM's manufacturer, model and
 * version, as EK certificates have it (critical: the subject is empty). */
static void add_tpm_san(X509 *x)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *g = GENERAL_NAME_new();
	X509_NAME *n = X509_NAME_new();

	assert_true(
		X509_NAME_add_entry_by_txt(n, "2.23.133.2.1", MBSTRING_UTF8,
					   (const unsigned char *)"id:00001014",
					   -1, -1, 0) &&
		X509_NAME_add_entry_by_txt(n, "2.23.133.2.2", MBSTRING_UTF8,
					   (const unsigned char *)"swtpm", -1,
					   -1, 0) &&
		X509_NAME_add_entry_by_txt(n, "2.23.133.2.3", MBSTRING_UTF8,
					   (const unsigned char *)"id:20191023",
					   -1, -1, 0));
	GENERAL_NAME_set0_value(g, GEN_DIRNAME, n);
	sk_GENERAL_NAME_push(gens, g);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 1, 0),
			 1);
	GENERAL_NAMES_free(gens);
}

/* A certificate for @key, by @issuer (self-signed when NULL). */
static X509 *issue(const struct ca *issuer, EVP_PKEY *key, const char *cn,
		   long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	assert_true(x && n);
	if (cn)
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
					   (const unsigned char *)cn, -1, -1,
					   0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x,
			     issuer ? X509_get_subject_name(issuer->cert) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_free(n);
	return x;
}

static void sign(X509 *x, const struct ca *issuer)
{
	assert_true(X509_sign(x, issuer->key, EVP_sha256()) > 0);
}

static void make_ca(struct ca *c, const struct ca *issuer, const char *cn,
		    long serial)
{
	c->key = EVP_EC_gen("P-256");
	c->cert = issue(issuer, c->key, cn, serial);
	add_ext(c->cert, issuer ? issuer->cert : c->cert, NID_basic_constraints,
		"critical,CA:TRUE");
	add_ext(c->cert, issuer ? issuer->cert : c->cert, NID_key_usage,
		"critical,keyCertSign,cRLSign");
	sign(c->cert, issuer ? issuer : c);
}

static void write_pem(const char *name, X509 *x, X509_CRL *crl, X509_CRL *crl2)
{
	char path[512];
	FILE *f;

	test_dir_path(&dir, path, sizeof(path), name);
	f = fopen(path, "w");
	assert_non_null(f);
	if (x)
		PEM_write_X509(f, x);
	if (crl)
		PEM_write_X509_CRL(f, crl);
	if (crl2)
		PEM_write_X509_CRL(f, crl2);
	fclose(f);
}

/* DER of @x, into a static buffer. */
static const uint8_t *der_of(X509 *x, size_t *len)
{
	static uint8_t buf[TR_EK_CERT_MAX];
	uint8_t *p = buf;
	int n = i2d_X509(x, NULL);

	assert_true(n > 0 && (size_t)n <= sizeof(buf));
	i2d_X509(x, &p);
	*len = (size_t)n;
	return buf;
}

static struct tr_ek_trust own_ca; /* root and intermediate, in dir */

static int setup_cas(void **state)
{
	static char roots[512], inters[512];

	(void)state;
	make_ca(&root, NULL, "test TPM maker root", 1);
	make_ca(&inter, &root, "test TPM maker issuing CA", 2);
	write_pem("root.pem", root.cert, NULL, NULL);
	write_pem("inter.pem", inter.cert, NULL, NULL);
	test_dir_path(&dir, roots, sizeof(roots), "root.pem");
	test_dir_path(&dir, inters, sizeof(inters), "inter.pem");
	own_ca.roots = roots;
	own_ca.intermediates = inters;
	return 0;
}

static int teardown_cas(void **state)
{
	(void)state;
	X509_free(root.cert);
	X509_free(inter.cert);
	EVP_PKEY_free(root.key);
	EVP_PKEY_free(inter.key);
	return 0;
}

enum ek_ext {
	EXT_EK = 1, /* SAN, keyUsage, EKU, basicConstraints as EKs have */
	EXT_KU_SIGN = 2,
	EXT_EKU_TLS = 4,
	EXT_SAN_DNS = 8,
	EXT_CA = 16,
};

/* An EK certificate for TPM A's EK, from the intermediate. */
static X509 *ek_cert(unsigned ext, long serial)
{
	EVP_PKEY *k = tr_tpm_public_to_evp(&ek_pub, NULL, 0);
	X509 *x = issue(&inter, k, NULL, serial);

	if (ext & EXT_EK) {
		add_tpm_san(x);
		add_ext(x, inter.cert, NID_key_usage,
			"critical,keyEncipherment");
		add_ext(x, inter.cert, NID_ext_key_usage, "2.23.133.8.1");
		add_ext(x, inter.cert, NID_basic_constraints,
			"critical,CA:FALSE");
	}
	if (ext & EXT_KU_SIGN)
		add_ext(x, inter.cert, NID_key_usage,
			"critical,digitalSignature");
	if (ext & EXT_EKU_TLS)
		add_ext(x, inter.cert, NID_ext_key_usage, "serverAuth");
	if (ext & EXT_SAN_DNS)
		add_ext(x, inter.cert, NID_subject_alt_name, "DNS:router");
	if (ext & EXT_CA)
		add_ext(x, inter.cert, NID_basic_constraints,
			"critical,CA:TRUE");
	sign(x, &inter);
	EVP_PKEY_free(k);
	return x;
}

static void check_ek_cert(unsigned ext, const char *why)
{
	X509 *x = ek_cert(ext, 100);
	size_t len;
	const uint8_t *der = der_of(x, &len);

	if (why)
		expect_refused_by(der, len, &own_ca, &ek_pub, why);
	else
		expect_verifies(der, len, &own_ca, &ek_pub);
	X509_free(x);
}

/*
 * A manufacturer CA signs more than EK certificates; only one that says
 * it certifies an EK may stand for one. Where a certificate has no such
 * extension, it says nothing against it.
 */
static void test_cert_purpose(void **state)
{
	(void)state;
	check_ek_cert(EXT_EK, NULL);
	check_ek_cert(0, NULL);
	check_ek_cert(EXT_KU_SIGN,
		      "keyUsage without keyEncipherment (not an RSA EK's)");
	check_ek_cert(
		EXT_EKU_TLS,
		"extendedKeyUsage without tcg-kp-EKCertificate (2.23.133.8.1)");
	check_ek_cert(
		EXT_SAN_DNS,
		"subjectAltName without the TPM's manufacturer, model and version");
	check_ek_cert(EXT_CA, "is a CA certificate (basicConstraints CA:TRUE)");
}

/*
 * swtpm's platform certificate is issued by the same CA for the EK's own
 * key, with tcg-kp-PlatformCertificate: the key matches, the purpose
 * does not.
 */
static void test_platform_cert_is_no_ek_cert(void **state)
{
	uint8_t *der = NULL;
	size_t len = 0;
	char err[256];
	const unsigned char *p;
	EVP_PKEY *k = tr_tpm_public_to_evp(&ek_pub, NULL, 0);
	X509 *x;

	(void)state;
	if (tr_ek_cert_read_nv(&pair.t[0], PLATFORM_CERT_NV, &der, &len, err,
			       sizeof(err)))
		fail_msg("%s", err);
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	assert_non_null(x);
	/* It is the EK's key: without the purpose check it would pass. */
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), k), 1);
	expect_refused(der, len, ROOT_CA, ISSUER, &ek_pub,
		       "extendedKeyUsage without tcg-kp-EKCertificate");
	X509_free(x);
	EVP_PKEY_free(k);
	free(der);
}

/* ---- revocation ------------------------------------------------------- */

/* A CRL by @ca revoking @serials (0-terminated), next update in @secs. */
static X509_CRL *make_crl(const struct ca *ca,
			  const ASN1_INTEGER *const *serials, long secs)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *now = ASN1_TIME_adj(NULL, time(NULL), 0, -60);
	ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 0, secs);

	assert_true(crl && now && next);
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert));
	X509_CRL_set1_lastUpdate(crl, now);
	X509_CRL_set1_nextUpdate(crl, next);
	for (; serials && *serials; serials++) {
		X509_REVOKED *r = X509_REVOKED_new();

		X509_REVOKED_set_serialNumber(r, (ASN1_INTEGER *)*serials);
		X509_REVOKED_set_revocationDate(r, now);
		X509_CRL_add0_revoked(crl, r);
	}
	X509_CRL_sort(crl);
	assert_true(X509_CRL_sign(crl, ca->key, EVP_sha256()) > 0);
	ASN1_TIME_free(now);
	ASN1_TIME_free(next);
	return crl;
}

/* The trust with CRLs @a and @b (either may be NULL) in a file. */
static struct tr_ek_trust with_crls(X509_CRL *a, X509_CRL *b)
{
	static char crls[512];
	struct tr_ek_trust t = own_ca;

	write_pem("crls.pem", NULL, a, b);
	test_dir_path(&dir, crls, sizeof(crls), "crls.pem");
	t.crls = crls;
	X509_CRL_free(a);
	X509_CRL_free(b);
	return t;
}

static void test_revocation(void **state)
{
	X509 *x = ek_cert(EXT_EK, 100), *other = ek_cert(EXT_EK, 101);
	const ASN1_INTEGER *ek_serial[] = { X509_get0_serialNumber(x), NULL };
	const ASN1_INTEGER *other_serial[] = { X509_get0_serialNumber(other),
					       NULL };
	const ASN1_INTEGER *inter_serial[] = {
		X509_get0_serialNumber(inter.cert), NULL
	};
	struct tr_ek_trust t;
	size_t len;
	const uint8_t *der = der_of(x, &len);
	char err[256];

	(void)state;
	/* CRLs that revoke another certificate: it verifies. */
	t = with_crls(make_crl(&root, NULL, 3600),
		      make_crl(&inter, other_serial, 3600));
	expect_verifies(der, len, &t, &ek_pub);
	assert_int_equal(tr_ek_trust_check(&t, err, sizeof(err)), 0);
	/* Its own serial revoked by its issuer. */
	t = with_crls(make_crl(&root, NULL, 3600),
		      make_crl(&inter, ek_serial, 3600));
	expect_refused_by(der, len, &t, &ek_pub,
			  "EK certificate revoked (certificate revoked)");
	/* Its issuer revoked by the root: every EK it issued goes. */
	t = with_crls(make_crl(&root, inter_serial, 3600),
		      make_crl(&inter, NULL, 3600));
	expect_refused_by(der, len, &t, &ek_pub, "EK certificate revoked");
	/* A CA without its CRL: not "not revoked", but unknown. */
	t = with_crls(make_crl(&inter, NULL, 3600), NULL);
	expect_refused_by(der, len, &t, &ek_pub,
			  "unable to get certificate CRL");
	/* An expired CRL says nothing about now. */
	t = with_crls(make_crl(&root, NULL, 3600), make_crl(&inter, NULL, -10));
	expect_refused_by(der, len, &t, &ek_pub, "CRL has expired");
	/* A CRL signed by someone else. */
	t = with_crls(make_crl(&root, NULL, 3600),
		      make_crl(&(struct ca){ root.key, inter.cert }, NULL,
			       3600));
	expect_refused_by(der, len, &t, &ek_pub, "CRL signature failure");
	/* A CRL file without a CRL, or none at all. */
	t = own_ca;
	t.crls = own_ca.roots;
	expect_refused_by(der, len, &t, &ek_pub, "no CRL in");
	assert_int_equal(tr_ek_trust_check(&t, err, sizeof(err)), -1);
	t.crls = "/nonexistent.crl";
	expect_refused_by(der, len, &t, &ek_pub,
			  "cannot open /nonexistent.crl");
	X509_free(x);
	X509_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genuine_ek_verifies),
		cmocka_unit_test(test_ek_of_another_tpm),
		cmocka_unit_test(test_untrusted_ca),
		cmocka_unit_test(test_changed_byte),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_tpm2_tools_templates),
		cmocka_unit_test(test_high_range_p256_rsa2048),
		cmocka_unit_test(test_changed_areas),
		cmocka_unit_test(test_template_lists),
		cmocka_unit_test_setup_teardown(test_cert_purpose, setup_cas,
						teardown_cas),
		cmocka_unit_test(test_platform_cert_is_no_ek_cert),
		cmocka_unit_test_setup_teardown(test_revocation, setup_cas,
						teardown_cas),
	};

	return TR_RUN(tests, setup, teardown);
}
