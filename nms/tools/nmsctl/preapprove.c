// SPDX-License-Identifier: GPL-2.0-only
/* nmsctl preapprove: the allow-list of TPMs nmsd --preapproval enrolls. */
#include "nms/tools/nmsctl/nmsctl.h"
#include "nms/store/store_preapproval.h"

#include "base/hex.h"

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* A certificate from @path, PEM or DER. */
static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "rb");
	X509 *x = NULL;

	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	if (!x) {
		rewind(f);
		x = d2i_X509_fp(f, NULL);
	}
	fclose(f);
	return x;
}

static int show(const char *device, const uint8_t *sha256, const char *serial,
		void *arg)
{
	char hex[65];

	(void)arg;
	if (sha256) {
		tr_hex(hex, sha256, 32);
		printf("%s\tek-cert-sha256 %s\n", device, hex);
	} else {
		printf("%s\tserial %s\n", device, serial);
	}
	return 0;
}

static int add(struct nms_store *s, const char *device, const char *cert,
	       const char *serial, const char *issuer, char *err, size_t errlen)
{
	unsigned char *der = NULL;
	uint8_t sha[32];
	X509 *x;
	int len, rc;

	if (!!cert == !!serial || !!serial != !!issuer)
		return usage(2);
	x = read_cert(cert ? cert : issuer);
	if (!x) {
		snprintf(err, errlen, "%s: not a certificate",
			 cert ? cert : issuer);
		return -1;
	}
	if (cert) {
		len = i2d_X509(x, &der);
		SHA256(der, (size_t)(len > 0 ? len : 0), sha);
		rc = len > 0 ? nms_store_preapprove_cert(s, sha, device, err,
							 errlen) :
			       -1;
	} else {
		/* The serial's issuer: the subject of the maker's CA that
		 * signs its EK certificates. */
		len = i2d_X509_NAME(X509_get_subject_name(x), &der);
		rc = len > 0 ? nms_store_preapprove_serial(s, serial, der,
							   (size_t)len, device,
							   err, errlen) :
			       -1;
	}
	OPENSSL_free(der);
	X509_free(x);
	return rc;
}

int cmd_preapprove(int argc, char **argv)
{
	const char *device = NULL, *cert = NULL, *serial = NULL, *issuer = NULL,
		   *remove = NULL;
	struct nms_store s;
	char err[512] = "";
	int list = 0, rc;

	if (argc < 3 || strcmp(argv[1], "--db"))
		return usage(2);
	for (int i = 3; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--list")) {
			list = 1;
		} else if (v && !strcmp(argv[i], "--ek-cert")) {
			cert = v;
			i++;
		} else if (v && !strcmp(argv[i], "--serial")) {
			serial = v;
			i++;
		} else if (v && !strcmp(argv[i], "--issuer")) {
			issuer = v;
			i++;
		} else if (v && !strcmp(argv[i], "--remove")) {
			remove = v;
			i++;
		} else if (argv[i][0] != '-' && !device) {
			device = argv[i];
		} else {
			return usage(2);
		}
	}
	if (list + !!remove + !!device != 1)
		return usage(2);
	if (nms_store_open(&s, argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		return 2;
	}
	if (list)
		rc = nms_store_preapprovals(&s, show, NULL, err, sizeof(err)) <
		     0;
	else if (remove)
		rc = nms_store_preapproval_remove(&s, remove, err,
						  sizeof(err)) < 0;
	else
		rc = add(&s, device, cert, serial, issuer, err, sizeof(err));
	nms_store_close(&s);
	if (rc == 2)
		return 2;
	if (rc)
		fprintf(stderr, "nmsctl: %s\n", err);
	return rc ? 1 : 0;
}
