// SPDX-License-Identifier: GPL-2.0-only
/* digestlist sign: an appended PKCS#7 signature, a .sig file or security.ima. */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "digest-lists/lib/dl_reference.h"
#include "digest-lists/lib/dl_sign.h"
#include "base/errmsg.h"
#include "base/fileio.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "modsig", no_argument, NULL, 'm' },
		{ "sigfile", no_argument, NULL, 's' },
		{ "xattr", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyp = NULL, *certp = NULL;
	int o, modsig = 0, sigfile = 0, xattr = 0, rc = 0;
	char err[ERRLEN];
	EVP_PKEY *key;
	X509 *cert;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'k':
			keyp = optarg;
			break;
		case 'c':
			certp = optarg;
			break;
		case 'm':
			modsig = 1;
			break;
		case 's':
			sigfile = 1;
			break;
		case 'x':
			xattr = 1;
			break;
		default:
			return usage(2);
		}
	}
	if (!keyp || !certp)
		return tr_cli_missing("digestlist sign",
				      !keyp ? "--key KEY.pem" :
					      "--cert CERT.pem");
	if (optind == argc)
		return usage(2);
	if (!modsig && !sigfile && !xattr)
		modsig = 1;
	key = dl_load_key(keyp, err, sizeof(err));
	cert = key ? dl_load_cert(certp, err, sizeof(err)) : NULL;
	if (!key || !cert) {
		fprintf(stderr, "digestlist: %s\n", err);
		EVP_PKEY_free(key);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		const char *path = argv[i];
		struct dl_list_file l;
		uint8_t *signed_buf = NULL, sig[DL_IMASIG_MAX];
		size_t signed_len, sig_len = sizeof(sig);
		char sigpath[4096];

		if (dl_list_load(path, &l, err, ERRLEN) < 0) {
			fprintf(stderr, "digestlist: %s: %s\n", path, err);
			free(l.buf);
			rc = 1;
			continue;
		}
		/* Sign the list itself, never a list and an old signature. */
		if ((sigfile || xattr) &&
		    dl_imasig_create(l.buf, (size_t)l.payload, key, cert, sig,
				     &sig_len, err, sizeof(err)) < 0)
			goto bad;
		if (sigfile) {
			snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
			if (write_file_atomic(sigpath, sig, sig_len, 0644) <
			    0) {
				tr_fail(err, sizeof(err), "%s: %s", sigpath,
					strerror(errno));
				goto bad;
			}
		}
		if (modsig) {
			if (dl_modsig_append(l.buf, (size_t)l.payload, key,
					     cert, &signed_buf, &signed_len,
					     err, sizeof(err)) < 0)
				goto bad;
			if (write_file_atomic(path, signed_buf, signed_len,
					      0644) < 0) {
				tr_fail(err, sizeof(err), "%s: %s", path,
					strerror(errno));
				goto bad;
			}
		}
		/* After the rename: the xattr belongs to the final file, and
		 * is valid only for a file without an appended signature. */
		if (xattr) {
			if (modsig) {
				snprintf(
					err, sizeof(err),
					"--xattr signs the list without --modsig's trailer; use one of them");
				goto bad;
			}
			if (setxattr(path, "security.ima", sig, sig_len, 0) <
			    0) {
				snprintf(err, sizeof(err),
					 "setxattr security.ima: %s",
					 strerror(errno));
				goto bad;
			}
		}
		printf("%s: signed%s%s%s\n", path, modsig ? " (appended)" : "",
		       sigfile ? " (.sig)" : "",
		       xattr ? " (security.ima)" : "");
		free(signed_buf);
		free(l.buf);
		continue;
bad:
		fprintf(stderr, "digestlist: %s: %s\n", path, err);
		free(signed_buf);
		free(l.buf);
		rc = 1;
	}
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}
