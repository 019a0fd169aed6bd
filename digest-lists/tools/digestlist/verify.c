// SPDX-License-Identifier: GPL-2.0-only
/* digestlist verify: a list's format and signature, failing closed. */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "digest-lists/lib/dl_reference.h"
#include "digest-lists/lib/dl_sign.h"
#include "base/fileio.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	json_object *arr = json_object_new_array();
	const char *certp = NULL;
	int o, json = 0, rc = 0;
	X509 *cert = NULL;
	char err[ERRLEN];

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			certp = optarg;
		else if (o == 'j')
			json = 1;
		else
			return usage(2);
	}
	if (certp && !(cert = dl_load_cert(certp, err, sizeof(err)))) {
		fprintf(stderr, "digestlist: %s\n", err);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		const char *path = argv[i], *what = "format ok";
		uint8_t sig[DL_IMASIG_MAX];
		char sigpath[4096];
		struct dl_list_file l;
		ssize_t sig_len = -1;
		uint8_t *sbuf;
		size_t slen;
		int ok = 1;

		if (dl_list_load(path, &l, err, ERRLEN) < 0) {
			ok = 0;
		} else {
			snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
			if (read_file_bounded(sigpath, sizeof(sig), &sbuf,
					      &slen) == 0) {
				memcpy(sig, sbuf, slen);
				sig_len = (ssize_t)slen;
				free(sbuf);
			} else {
				sig_len = getxattr(path, "security.ima", sig,
						   sizeof(sig));
			}
			if ((size_t)l.payload != l.len || sig_len > 0) {
				/* Fail closed: a signature we cannot check
				 * is not a verified list. */
				if (!cert) {
					snprintf(
						err, sizeof(err),
						"signed, but no --cert to verify it with");
					ok = 0;
				} else if ((size_t)l.payload != l.len &&
					   dl_modsig_verify(l.buf, l.len, cert,
							    err,
							    sizeof(err)) < 0) {
					ok = 0;
				} else if (sig_len > 0 &&
					   dl_imasig_verify(
						   l.buf, (size_t)l.payload,
						   sig, (size_t)sig_len, cert,
						   err, sizeof(err)) < 0) {
					ok = 0;
				} else {
					what = "format and signature ok";
				}
			} else if (cert) {
				snprintf(err, sizeof(err), "not signed");
				ok = 0;
			}
		}
		if (!ok)
			rc = 1;
		if (json) {
			json_object *r = json_object_new_object();

			json_object_object_add(r, "path",
					       json_object_new_string(path));
			json_object_object_add(r, "ok",
					       json_object_new_boolean(ok));
			json_object_object_add(
				r, "detail",
				json_object_new_string(ok ? what : err));
			json_object_array_add(arr, r);
		} else {
			printf("%s: %s%s\n", path,
			       ok ? what : "FAILED: ", ok ? "" : err);
		}
		free(l.buf);
	}
	if (json)
		print_json(arr);
	else
		json_object_put(arr);
	X509_free(cert);
	return rc;
}
