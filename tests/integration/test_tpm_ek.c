// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EK and its certificate, on swtpms provisioned by swtpm_localca: the
 * verifier accepts this TPM's certificate for this TPM's EK, and refuses
 * another TPM's EK, a CA it does not trust (even one with the trusted
 * CA's name), a missing intermediate, a changed byte and junk.
 */
#include "tpm_pair.h"
#include "tpm/ek.h"
#include "tr_test.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROOT_CA TR_TPM_CA_DIR "/swtpm-localca-rootca-cert.pem"
#define ISSUER TR_TPM_CA_DIR "/issuercert.pem"

static struct tpm_pair pair;
static TPM2B_PUBLIC ek_pub, ek2_pub;
static uint8_t *cert;
static size_t cert_len;
static char fake_ca[] = "/tmp/trustroute-fake-ca-XXXXXX";

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
	if (tpm_pair_start(&pair) < 0 ||
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
	return 0;
}

static void expect_refused(const uint8_t *der, size_t len, const char *ca,
			   const char *inter, const TPM2B_PUBLIC *ek,
			   const char *why)
{
	char err[256] = "";

	assert_int_equal(tr_ek_cert_verify(der, len, ca, inter, ek, err,
					   sizeof(err)),
			 -1);
	if (!strstr(err, why))
		fail_msg("refused for \"%s\", expected \"%s\"", err, why);
}

static void test_genuine_ek_verifies(void **state)
{
	TPM2B_PUBLIC again;
	ESYS_TR ek;
	char err[256];

	(void)state;
	if (tr_ek_cert_verify(cert, cert_len, ROOT_CA, ISSUER, &ek_pub, err,
			      sizeof(err)))
		fail_msg("%s", err);
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
	uint8_t *bad = malloc(cert_len);

	(void)state;
	assert_non_null(bad);
	/* A byte inside the signed part: the serial number. */
	memcpy(bad, cert, cert_len);
	bad[15] ^= 1;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genuine_ek_verifies),
		cmocka_unit_test(test_ek_of_another_tpm),
		cmocka_unit_test(test_untrusted_ca),
		cmocka_unit_test(test_changed_byte),
		cmocka_unit_test(test_malformed),
	};

	return TR_RUN(tests, setup, teardown);
}
