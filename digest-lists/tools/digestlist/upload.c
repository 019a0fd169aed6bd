// SPDX-License-Identifier: GPL-2.0-only
/* digestlist upload: the certificate onto .ima, then the lists, in order. */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "digest-lists/lib/dl_upload.h"
#include "base/fileio.h"
#include <errno.h>
#include <getopt.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_upload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "securityfs", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *certp = NULL, *secfs = "/sys/kernel/security";
	json_object *arr = json_object_new_array();
	int o, json = 0, rc = 0, n;
	char **paths, err[ERRLEN];

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			certp = optarg;
		else if (o == 's')
			secfs = optarg;
		else if (o == 'j')
			json = 1;
		else
			return usage(2);
	}
	if (certp) {
		uint8_t *buf, *der = NULL;
		size_t len;
		long key;
		int dlen;

		if (read_file_bounded(certp, 1 << 20, &buf, &len) < 0) {
			fprintf(stderr, "digestlist: %s: %s\n", certp,
				strerror(errno));
			return 2;
		}
		/* PEM or DER: the kernel wants DER. */
		if (len > 10 && !memcmp(buf, "-----BEGIN", 10)) {
			BIO *b = BIO_new_mem_buf(buf, (int)len);
			X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

			BIO_free(b);
			dlen = x ? i2d_X509(x, &der) : -1;
			X509_free(x);
			if (dlen <= 0) {
				fprintf(stderr,
					"digestlist: %s: not a certificate\n",
					certp);
				free(buf);
				return 2;
			}
		} else {
			der = buf;
			dlen = (int)len;
			buf = NULL;
		}
		key = dl_upload_cert(der, (size_t)dlen, err, sizeof(err));
		if (buf)
			OPENSSL_free(der);
		else
			free(der);
		free(buf);
		if (key < 0) {
			fprintf(stderr, "digestlist: %s: %s\n", certp, err);
			return 1;
		}
		if (!json)
			printf("%s: on the .ima keyring (key %ld)\n", certp,
			       key);
	}
	n = argc - optind;
	paths = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; paths && i < n; i++) {
		paths[i] = realpath(argv[optind + i], NULL);
		if (!paths[i]) {
			fprintf(stderr, "digestlist: %s: %s\n",
				argv[optind + i], strerror(errno));
			rc = 2;
		}
	}
	if (rc || !paths)
		goto out;
	/* A fixed order, so the PCR depends only on the set of lists. */
	qsort(paths, (size_t)n, sizeof(char *), cmp_str);
	for (int i = 0; i < n; i++) {
		int ok = dl_upload_list(secfs, paths[i], err, sizeof(err)) == 0;

		if (!ok)
			rc = 1;
		if (json) {
			json_object *r = json_object_new_object();

			json_object_object_add(
				r, "path", json_object_new_string(paths[i]));
			json_object_object_add(r, "loaded",
					       json_object_new_boolean(ok));
			if (!ok)
				json_object_object_add(
					r, "error",
					json_object_new_string(err));
			json_object_array_add(arr, r);
		} else if (ok) {
			printf("%s: loaded\n", paths[i]);
		} else {
			printf("%s: REFUSED: %s\n", paths[i], err);
		}
	}
out:
	if (json)
		print_json(arr);
	else
		json_object_put(arr);
	for (int i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}
