// SPDX-License-Identifier: GPL-2.0-only
/*
 * Digest list signatures against the real tools: evmctl (ima_sign,
 * ima_verify), the kernel's scripts/sign-file and openssl cms -verify.
 * Keys and certificates come from openssl req, as a user would make them.
 */
#include "digest-lists/lib/dl_sign.h"
#include "test_dir.h"
#include "tr_test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KERNEL_TARBALL "/usr/src/linux-source-6.1.tar.xz"
#define MARKER_LEN 28
#define TRAILER (12 + MARKER_LEN)

struct keypair {
	const char *name;
	char key[300], pem[300], der[300];
	EVP_PKEY *k;
	X509 *cert;
};

static struct test_dir td = { .log_stdout = true };
static char sign_file[300];
static struct keypair rsa = { .name = "rsa" }, ec = { .name = "ec" };

static int make_keypair(struct keypair *kp, const char *newkey)
{
	char err[256];

	test_dir_path(&td, kp->key, sizeof(kp->key), kp->name);
	strcat(kp->key, ".key");
	test_dir_path(&td, kp->pem, sizeof(kp->pem), kp->name);
	strcat(kp->pem, ".pem");
	test_dir_path(&td, kp->der, sizeof(kp->der), kp->name);
	strcat(kp->der, ".der");
	/* openssl req gives self-signed certificates a SKID by default. */
	if (test_dir_sh(&td,
			"openssl req -x509 -newkey %s -nodes -sha256 -days 2 "
			"-subj /CN=trustroute-dl-%s -keyout '%s' -out '%s'",
			newkey, kp->name, kp->key, kp->pem) ||
	    test_dir_sh(&td, "openssl x509 -in '%s' -outform DER -out '%s'",
			kp->pem, kp->der)) {
		fprintf(stderr, "openssl failed: %s\n", test_dir_log(&td));
		return -1;
	}
	kp->k = dl_load_key(kp->key, err, sizeof(err));
	kp->cert = dl_load_cert(kp->pem, err, sizeof(err));
	if (!kp->k || !kp->cert) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/*
 * Build the kernel's sign-file from the extracted tree, or failing that
 * from the two files it needs in the source tarball.
 */
static void build_sign_file(void)
{
	char src[400], tree[300];

	snprintf(src, sizeof(src), "%s/../build/linux-src/scripts/sign-file.c",
		 TR_SCRIPTS_DIR);
	if (access(src, R_OK)) {
		test_dir_path(&td, tree, sizeof(tree), "linux");
		if (access(KERNEL_TARBALL, R_OK) || mkdir(tree, 0700) ||
		    test_dir_sh(
			    &td,
			    "tar -xJf %s -C '%s' --strip-components=1 --wildcards "
			    "'*/scripts/sign-file.c' '*/scripts/ssl-common.h'",
			    KERNEL_TARBALL, tree))
			return;
		snprintf(src, sizeof(src), "%s/scripts/sign-file.c", tree);
	}
	test_dir_path(&td, sign_file, sizeof(sign_file), "sign-file");
	if (test_dir_sh(&td, "cc -o '%s' '%s' -lcrypto", sign_file, src)) {
		fprintf(stderr, "cannot build sign-file: %s\n",
			test_dir_log(&td));
		sign_file[0] = 0;
	}
}

static int setup(void **state)
{
	(void)state;
	if (test_dir_make(&td, "test_dl_sign_interop") < 0)
		return -1;
	if (make_keypair(&rsa, "rsa:2048") ||
	    make_keypair(&ec, "ec -pkeyopt ec_paramgen_curve:P-256"))
		return -1;
	build_sign_file();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(rsa.k);
	X509_free(rsa.cert);
	EVP_PKEY_free(ec.k);
	X509_free(ec.cert);
	return test_dir_remove(&td);
}

static const uint8_t content[] = "sha256 digest list\n\0\1\2\3\r\n\xff";

/* (a) evmctl ima_verify accepts our security.ima value, not a tamper. */
static void evmctl_verifies_ours(struct keypair *kp)
{
	char file[300], sigfile[300], err[256] = "";
	uint8_t sig[DL_IMASIG_MAX];
	size_t len;
	int rc;

	test_dir_path(&td, file, sizeof(file), "a.bin");
	test_dir_path(&td, sigfile, sizeof(sigfile), "a.bin.sig");
	test_write_buf(file, content, sizeof(content));
	if (dl_imasig_create(content, sizeof(content), kp->k, kp->cert, sig,
			     &len, err, sizeof(err)))
		fail_msg("dl_imasig_create (%s): %s", kp->name, err);
	test_write_buf(sigfile, sig, len);
	/* evmctl 1.4 reads verification certificates as DER only. */
	rc = test_dir_sh(&td, "evmctl ima_verify --sigfile --key '%s' '%s'",
			 kp->der, file);
	if (rc)
		fail_msg("evmctl ima_verify rejected our %s signature (%d): %s",
			 kp->name, rc, test_dir_log(&td));
	test_write_buf(file, content, sizeof(content) - 1);
	rc = test_dir_sh(&td, "evmctl ima_verify --sigfile --key '%s' '%s'",
			 kp->der, file);
	if (rc == 0)
		fail_msg(
			"evmctl ima_verify accepted a %s signature over other data",
			kp->name);
	unlink(file);
	unlink(sigfile);
}

static void test_evmctl_verifies_ours(void **state)
{
	(void)state;
	evmctl_verifies_ours(&rsa);
	evmctl_verifies_ours(&ec);
}

/* (b) We accept evmctl ima_sign's value; for RSA it is our exact bytes. */
static void ours_verifies_evmctl(struct keypair *kp)
{
	char file[300], sigfile[300], err[256] = "";
	uint8_t ours[DL_IMASIG_MAX], *theirs;
	size_t len, olen;
	int rc;

	test_dir_path(&td, file, sizeof(file), "b.bin");
	test_dir_path(&td, sigfile, sizeof(sigfile), "b.bin.sig");
	test_write_buf(file, content, sizeof(content));
	rc = test_dir_sh(
		&td,
		"evmctl ima_sign --sigfile --hashalgo sha256 --key '%s' "
		"--keyid-from-cert '%s' '%s'",
		kp->key, kp->pem, file);
	if (rc)
		fail_msg("evmctl ima_sign failed (%d): %s", rc,
			 test_dir_log(&td));
	theirs = test_read_buf(sigfile, 1 << 24, &len);
	if (dl_imasig_verify(content, sizeof(content), theirs, len, kp->cert,
			     err, sizeof(err)))
		fail_msg("evmctl's %s signature rejected: %s", kp->name, err);
	if (!dl_imasig_verify(content, sizeof(content) - 1, theirs, len,
			      kp->cert, err, sizeof(err)))
		fail_msg("evmctl's %s signature accepted over other data",
			 kp->name);
	if (dl_imasig_create(content, sizeof(content), kp->k, kp->cert, ours,
			     &olen, err, sizeof(err)))
		fail_msg("dl_imasig_create: %s", err);
	/* Same header (type, version, algo, key id); ECDSA size varies. */
	assert_memory_equal(ours, theirs, 7);
	if (EVP_PKEY_get_base_id(kp->k) == EVP_PKEY_RSA) {
		assert_int_equal(olen, len);
		assert_memory_equal(ours, theirs, len);
	}
	free(theirs);
	unlink(file);
	unlink(sigfile);
}

static void test_ours_verifies_evmctl(void **state)
{
	(void)state;
	ours_verifies_evmctl(&rsa);
	ours_verifies_evmctl(&ec);
}

/* (c) sign-file and dl_modsig_append agree, and we accept sign-file's. */
static void sign_file_agrees(struct keypair *kp, size_t size)
{
	char file[300], dest[300], err[256] = "";
	uint8_t *data, *theirs, *ours;
	size_t tlen, olen;
	int rc;

	data = malloc(size ? size : 1);
	assert_non_null(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	test_dir_path(&td, file, sizeof(file), "c.bin");
	test_dir_path(&td, dest, sizeof(dest), "c.bin.signed");
	test_write_buf(file, data, size);
	rc = test_dir_sh(&td, "'%s' sha256 '%s' '%s' '%s' '%s'", sign_file,
			 kp->key, kp->pem, file, dest);
	if (rc)
		fail_msg("sign-file failed (%d): %s", rc, test_dir_log(&td));
	theirs = test_read_buf(dest, 1 << 24, &tlen);
	if (dl_modsig_verify(theirs, tlen, kp->cert, err, sizeof(err)))
		fail_msg("sign-file's %s modsig over %zu bytes rejected: %s",
			 kp->name, size, err);
	if (dl_modsig_append(data, size, kp->k, kp->cert, &ours, &olen, err,
			     sizeof(err)))
		fail_msg("dl_modsig_append: %s", err);
	if (EVP_PKEY_get_base_id(kp->k) == EVP_PKEY_RSA) {
		if (olen != tlen)
			fail_msg(
				"%zu-byte content: ours %zu bytes, sign-file's %zu",
				size, olen, tlen);
		for (size_t i = 0; i < tlen; i++)
			if (ours[i] != theirs[i])
				fail_msg(
					"%zu-byte content: first difference with sign-file at offset %zu of %zu",
					size, i, tlen);
	} else {
		/* ECDSA is randomised: only the length of the DER may vary. */
		assert_memory_equal(ours, theirs, size);
		assert_memory_equal(ours + olen - MARKER_LEN,
				    theirs + tlen - MARKER_LEN, MARKER_LEN);
	}
	free(ours);
	free(theirs);
	free(data);
	unlink(file);
	unlink(dest);
}

static void test_sign_file_agrees(void **state)
{
	static const size_t sizes[] = { 0, 1, 4103, 100000 };

	(void)state;
	if (!sign_file[0]) {
		fprintf(stderr,
			"no kernel sign-file.c (run scripts/kernel-build --source-only)\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sign_file_agrees(&rsa, sizes[i]);
		sign_file_agrees(&ec, sizes[i]);
	}
}

/* (d) openssl cms -verify accepts the detached CMS of our modsig. */
static void openssl_verifies_ours(struct keypair *kp)
{
	char file[300], p7s[300], err[256] = "";
	uint8_t *b;
	size_t n, sig_len;
	int rc;

	test_dir_path(&td, file, sizeof(file), "d.bin");
	test_dir_path(&td, p7s, sizeof(p7s), "d.p7s");
	if (dl_modsig_append(content, sizeof(content), kp->k, kp->cert, &b, &n,
			     err, sizeof(err)))
		fail_msg("dl_modsig_append: %s", err);
	sig_len = (size_t)b[n - TRAILER + 8] << 24 |
		  (size_t)b[n - TRAILER + 9] << 16 |
		  (size_t)b[n - TRAILER + 10] << 8 | b[n - TRAILER + 11];
	assert_int_equal(sizeof(content) + sig_len + TRAILER, n);
	test_write_buf(file, content, sizeof(content));
	test_write_buf(p7s, b + sizeof(content), sig_len);
	/* The certificate as its own trust anchor: the chain is checked too. */
	rc = test_dir_sh(
		&td,
		"openssl cms -verify -binary -inform DER -in '%s' -content '%s' "
		"-certfile '%s' -nointern -CAfile '%s' -purpose any "
		"-out /dev/null",
		p7s, file, kp->pem, kp->pem);
	if (rc)
		fail_msg("openssl cms -verify rejected our %s modsig (%d): %s",
			 kp->name, rc, test_dir_log(&td));
	test_write_buf(file, content, sizeof(content) - 1);
	rc = test_dir_sh(
		&td,
		"openssl cms -verify -binary -inform DER -in '%s' -content '%s' "
		"-certfile '%s' -nointern -CAfile '%s' -purpose any "
		"-out /dev/null",
		p7s, file, kp->pem, kp->pem);
	if (rc == 0)
		fail_msg(
			"openssl cms -verify accepted our %s modsig over other content",
			kp->name);
	free(b);
	unlink(file);
	unlink(p7s);
}

static void test_openssl_verifies_ours(void **state)
{
	(void)state;
	openssl_verifies_ours(&rsa);
	openssl_verifies_ours(&ec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evmctl_verifies_ours),
		cmocka_unit_test(test_ours_verifies_evmctl),
		cmocka_unit_test(test_sign_file_agrees),
		cmocka_unit_test(test_openssl_verifies_ours),
	};

	return TR_RUN(tests, setup, teardown);
}
