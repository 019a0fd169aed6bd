// SPDX-License-Identifier: GPL-2.0-only
/*
 * digestlist: generate, sign, inspect, upload, predict and export IMA
 * digest lists. See Documentation/man/digestlist.1.
 *
 * Exit: 0 ok, 1 a list failed (bad format, bad signature, refused by the
 * kernel, files not matching their package), 2 usage or I/O error.
 */
#define _GNU_SOURCE
#include "digest-lists/lib/dl_export.h"
#include "base/hex.h"
#include "digest-lists/lib/dl_format.h"
#include "digest-lists/lib/dl_gen.h"
#include "digest-lists/lib/dl_deb.h"
#include "digest-lists/lib/dl_dpkg.h"
#include "digest-lists/lib/dl_predict.h"
#include "digest-lists/lib/dl_reference.h"
#include "digest-lists/lib/dl_sign.h"
#include "digest-lists/lib/dl_upload.h"
#include "base/errmsg.h"
#include "base/fileio.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <libgen.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LIST_MAX (256u << 20)
#define ERRLEN 512

static const char usage_text[] =
	"usage: digestlist COMMAND [OPTIONS] ...\n"
	"  gen dir   [--algo A] [--prefix P] --output OUT DIR\n"
	"  gen dpkg  [--admin-dir D] [--root R] [--package P]... [--strict] --output OUT\n"
	"  gen deb   --output OUT FILE.deb...\n"
	"  gen log   [--pcr N] --output OUT LOG\n"
	"            OUT gets the immutable files (executables, read-only files),\n"
	"            OUT.mutable the others; each with a .manifest\n"
	"  sign      --key KEY.pem --cert CERT.pem [--modsig] [--sigfile] [--xattr] LIST...\n"
	"  show      [--json] LIST...\n"
	"  verify    [--cert CERT.pem] [--json] LIST...\n"
	"  upload    [--cert CERT] [--securityfs DIR] [--json] LIST...\n"
	"  predict   [--bank B] [--pcr N] [--boot-pcrs HEX,...x10] [--name-dir DIR]\n"
	"            [--policy-pcrs N,N,...] [--steps] [--json] LIST...\n"
	"  export    --output DB LIST...\n";

static int usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	return rc;
}

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

/* ---- gen ------------------------------------------------------------- */

struct gen_ctx {
	struct dl_set *set;
	size_t mismatches;
};

static int add_pkg_file(void *ctx, const char *path, const uint8_t sha256[32],
			unsigned mode, const char *package)
{
	struct gen_ctx *g = ctx;

	return dl_set_add(g->set, sha256, path, package,
			  dl_mode_immutable(mode));
}

static void report_mismatch(void *ctx, const char *path, const char *package)
{
	struct gen_ctx *g = ctx;

	fprintf(stderr,
		"digestlist: %s (package %s) no longer matches the package's md5sums\n",
		path, package);
	g->mismatches++;
}

static int write_outputs(struct dl_set *s, const char *out, bool all_immutable)
{
	char mpath[4096], err[ERRLEN];
	size_t n_imm, n_mut;

	if (dl_set_write(s, true, out, true, &n_imm, err, sizeof(err)) < 0) {
		fprintf(stderr, "digestlist: %s\n", err);
		return 2;
	}
	printf("%s: %zu digests, immutable\n", out, n_imm);
	if (all_immutable)
		return 0;
	snprintf(mpath, sizeof(mpath), "%s.mutable", out);
	if (dl_set_write(s, false, mpath, false, &n_mut, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "digestlist: %s\n", err);
		return 2;
	}
	if (n_mut)
		printf("%s: %zu digests, mutable\n", mpath, n_mut);
	return 0;
}

static int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "algo", required_argument, NULL, 'a' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "admin-dir", required_argument, NULL, 'A' },
		{ "root", required_argument, NULL, 'R' },
		{ "package", required_argument, NULL, 'p' },
		{ "pcr", required_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *prefix = "/", *admin = "/var/lib/dpkg",
		   *root = "/", *src;
	const char **packages = calloc((size_t)argc + 1, sizeof(char *));
	int algo = HASH_ALGO_SHA256, o, rc = 2, npkg = 0, strict = 0;
	unsigned long pcr = 10;
	char err[ERRLEN] = "";
	struct gen_ctx g;
	struct dl_set s;

	if (argc < 2 || !packages)
		return usage(2);
	src = argv[1];
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			algo = dl_algo_from_name(optarg);
			if (algo < 0) {
				fprintf(stderr,
					"digestlist: --algo %s: sha256, sha384 or sha512\n",
					optarg);
				goto out;
			}
			break;
		case 'P':
			prefix = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'A':
			admin = optarg;
			break;
		case 'R':
			root = optarg;
			break;
		case 'p':
			packages[npkg++] = optarg;
			break;
		case 'n':
			pcr = strtoul(optarg, NULL, 10);
			break;
		case 's':
			strict = 1;
			break;
		default:
			goto out;
		}
	}
	if (!out) {
		fprintf(stderr, "digestlist gen: --output is required\n");
		goto out;
	}
	/* Package digests are SHA-256 (dl_pkg); so is the IMA log's. */
	if (algo != HASH_ALGO_SHA256 && strcmp(src, "dir")) {
		fprintf(stderr, "digestlist gen %s: only sha256\n", src);
		goto out;
	}
	dl_set_init(&s, (unsigned)algo);
	g.set = &s;
	g.mismatches = 0;
	if (!strcmp(src, "dir") && argc - optind == 1) {
		rc = dl_gen_dir(&s, argv[optind], prefix, err, sizeof(err));
	} else if (!strcmp(src, "dpkg") && argc == optind) {
		rc = dl_scan_dpkg(admin, root, npkg ? packages : NULL,
				  add_pkg_file, &g, report_mismatch, &g, err,
				  sizeof(err));
	} else if (!strcmp(src, "deb") && argc > optind) {
		rc = 0;
		for (int i = optind; i < argc && !rc; i++)
			rc = dl_scan_deb(argv[i], add_pkg_file, &g, err,
					 sizeof(err));
	} else if (!strcmp(src, "log") && argc - optind == 1) {
		uint8_t *buf;
		size_t len;

		rc = read_file_bounded(argv[optind], LIST_MAX, &buf, &len);
		if (rc < 0)
			snprintf(err, sizeof(err), "%s: %s", argv[optind],
				 strerror(errno));
		else
			rc = dl_gen_ima_log(&s, buf, len, (unsigned)pcr, err,
					    sizeof(err));
		if (!rc)
			free(buf);
	} else {
		dl_set_free(&s);
		rc = usage(2);
		goto out;
	}
	if (rc < 0) {
		fprintf(stderr, "digestlist: %s\n", err);
		rc = 2;
	} else {
		rc = write_outputs(&s, out, !strcmp(src, "log"));
		if (!rc && g.mismatches) {
			fprintf(stderr,
				"digestlist: %zu files differ from their packages%s\n",
				g.mismatches,
				strict ?
					"" :
					" (their digests on disk were listed)");
			if (strict)
				rc = 1;
		}
	}
	dl_set_free(&s);
out:
	free(packages);
	return rc;
}

/* ---- sign / verify --------------------------------------------------- */

static int cmd_sign(int argc, char **argv)
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
	if (!keyp || !certp || optind == argc)
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

static json_object *list_json(const char *path, const struct dl_list_file *l)
{
	json_object *o = json_object_new_object();
	uint8_t sum[32];
	char h[65];

	SHA256(l->buf, l->len, sum);
	tr_hex(h, sum, 32);
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "sha256", json_object_new_string(h));
	json_object_object_add(
		o, "algo", json_object_new_string(dl_algo_name(l->view.algo)));
	json_object_object_add(o, "count",
			       json_object_new_int64(l->view.count));
	json_object_object_add(
		o, "immutable",
		json_object_new_boolean(l->view.modifiers &
					IMA_DIGEST_LIST_MOD_IMMUTABLE));
	json_object_object_add(o, "appended_signature",
			       json_object_new_boolean((size_t)l->payload !=
						       l->len));
	return o;
}

static int cmd_show(int argc, char **argv)
{
	int json = 0, rc = 0;
	json_object *arr = json_object_new_array();
	char err[ERRLEN], h[2 * DL_DIGEST_MAX + 1];

	for (int i = 1; i < argc; i++) {
		struct dl_list_file l;

		if (!strcmp(argv[i], "--json")) {
			json = 1;
			continue;
		}
		if (dl_list_load(argv[i], &l, err, ERRLEN) < 0) {
			fprintf(stderr, "digestlist: %s: %s\n", argv[i], err);
			rc = 1;
		} else if (json) {
			json_object *o = list_json(argv[i], &l);
			json_object *d = json_object_new_array();

			for (uint32_t k = 0; k < l.view.count; k++) {
				tr_hex(h,
				       l.view.digests +
					       (size_t)k * l.view.digest_size,
				       l.view.digest_size);
				json_object_array_add(
					d, json_object_new_string(h));
			}
			json_object_object_add(o, "digests", d);
			json_object_array_add(arr, o);
		} else {
			printf("%s: %s, %u digests, %s%s\n", argv[i],
			       dl_algo_name(l.view.algo), l.view.count,
			       l.view.modifiers &
					       IMA_DIGEST_LIST_MOD_IMMUTABLE ?
				       "immutable" :
				       "mutable",
			       (size_t)l.payload != l.len ?
				       ", signed (appended)" :
				       "");
			for (uint32_t k = 0; k < l.view.count; k++) {
				tr_hex(h,
				       l.view.digests +
					       (size_t)k * l.view.digest_size,
				       l.view.digest_size);
				printf("  %s\n", h);
			}
		}
		free(l.buf);
	}
	if (json)
		print_json(arr);
	else
		json_object_put(arr);
	return rc;
}

static int cmd_verify(int argc, char **argv)
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

/* ---- upload ----------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_upload(int argc, char **argv)
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

/* ---- predict ---------------------------------------------------------- */

struct named {
	char *name;
	struct dl_list_file l;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
		      ((const struct named *)b)->name);
}

static int cmd_predict(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bank", required_argument, NULL, 'b' },
		{ "pcr", required_argument, NULL, 'p' },
		{ "boot-pcrs", required_argument, NULL, 'B' },
		{ "name-dir", required_argument, NULL, 'd' },
		{ "policy-pcrs", required_argument, NULL, 'P' },
		{ "steps", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bank = "sha256", *boot = NULL, *name_dir = NULL,
		   *policy = NULL;
	int steps = 0;
	uint8_t values[DL_PCRS][32] = { { 0 } }, pcr[64] = { 0 }, pol[32];
	unsigned char selected[DL_PCRS] = { 0 }, known[DL_PCRS] = { 0 };
	uint8_t boot_pcrs[10][32];
	struct dl_measured_file *files = NULL;
	struct named *lists = NULL;
	unsigned long ima_pcr = 10;
	int o, json = 0, rc = 2, n = 0;
	char err[ERRLEN], h[129];
	size_t size;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'b':
			bank = optarg;
			break;
		case 'p':
			ima_pcr = strtoul(optarg, NULL, 10);
			break;
		case 'B':
			boot = optarg;
			break;
		case 'd':
			name_dir = optarg;
			break;
		case 'P':
			policy = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			steps = 1;
			break;
		default:
			return usage(2);
		}
	}
	if (ima_pcr >= DL_PCRS ||
	    (strcmp(bank, "sha1") && dl_algo_from_name(bank) < 0)) {
		fprintf(stderr,
			"digestlist predict: --pcr 0-23, --bank sha1, sha256, sha384 or sha512\n");
		return 2;
	}
	size = (size_t)EVP_MD_get_size(EVP_get_digestbyname(bank));
	if (boot) {
		const char *p = boot;

		for (int i = 0; i < 10; i++) {
			if (!p || strlen(p) < 64 ||
			    tr_unhex(p, 32, boot_pcrs[i])) {
				fprintf(stderr,
					"digestlist predict: --boot-pcrs wants ten SHA-256 values\n");
				return 2;
			}
			memcpy(values[i], boot_pcrs[i], 32);
			known[i] = 1;
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
	}
	n = argc - optind;
	lists = calloc((size_t)n + 1, sizeof(*lists));
	files = calloc((size_t)n + 1, sizeof(*files));
	if (!lists || !files)
		goto out;
	for (int i = 0; i < n; i++) {
		const char *arg = argv[optind + i];
		char *copy = strdup(arg);

		if (dl_list_load(arg, &lists[i].l, err, ERRLEN) < 0) {
			fprintf(stderr, "digestlist: %s: %s\n", arg, err);
			free(copy);
			rc = 1;
			goto out;
		}
		/* The name IMA records: where the router loads it from. */
		if (name_dir) {
			if (asprintf(&lists[i].name, "%s/%s", name_dir,
				     basename(copy)) < 0)
				lists[i].name = NULL;
		} else {
			lists[i].name = realpath(arg, NULL);
		}
		free(copy);
		if (!lists[i].name)
			goto out;
	}
	/* digestlist upload loads them in this order. */
	qsort(lists, (size_t)n, sizeof(*lists), cmp_named);
	for (int i = 0; i < n; i++) {
		files[i].data = lists[i].l.buf;
		files[i].len = lists[i].l.len;
		files[i].name = lists[i].name;
	}
	/* What IMA extends the PCR with, list by list: tpm2_pcrextend
	 * arguments that bring a TPM to the predicted state. */
	if (steps) {
		uint8_t(*st)[32] = calloc((size_t)n + 1, 32);

		if (!st || dl_reference_steps(files, (size_t)n, st) < 0) {
			free(st);
			goto out;
		}
		for (int i = 0; i < n; i++) {
			tr_hex(h, st[i], 32);
			printf("%lu:sha256=%s\n", ima_pcr, h);
		}
		free(st);
		rc = 0;
		goto out;
	}
	/* The requested bank, and SHA-256 for the policy digest; with the
	 * lists in another PCR, PCR 10 holds the boot aggregate alone. */
	if (boot &&
	    (dl_predict_boot_aggregate("sha256", values[10],
				       (const uint8_t(*)[32])boot_pcrs) < 0 ||
	     (ima_pcr == 10 &&
	      dl_predict_boot_aggregate(bank, pcr,
					(const uint8_t(*)[32])boot_pcrs) < 0)))
		goto out;
	if (boot)
		known[10] = 1;
	if (dl_predict_extend(bank, pcr, files, (size_t)n) < 0 ||
	    dl_predict_extend("sha256", values[ima_pcr], files, (size_t)n) < 0)
		goto out;
	known[ima_pcr] = 1;
	tr_hex(h, pcr, size);

	if (policy) {
		for (char *p = (char *)policy; *p;) {
			char *end;
			unsigned long i = strtoul(p, &end, 10);

			if (end == p || i >= DL_PCRS || !known[i]) {
				fprintf(stderr,
					"digestlist predict: --policy-pcrs: PCR %lu is not known (give --boot-pcrs for 0-10)\n",
					i);
				goto out;
			}
			selected[i] = 1;
			p = *end == ',' ? end + 1 : end;
			if (*end && *end != ',')
				goto out;
		}
	} else {
		selected[ima_pcr] = 1;
	}
	dl_policy_pcr((const uint8_t(*)[32])values, selected, pol);
	if (json) {
		json_object *r = json_object_new_object();
		char ph[65];

		tr_hex(ph, pol, 32);
		json_object_object_add(r, "bank", json_object_new_string(bank));
		json_object_object_add(r, "pcr",
				       json_object_new_int((int)ima_pcr));
		json_object_object_add(r, "value", json_object_new_string(h));
		json_object_object_add(r, "policy_pcr",
				       json_object_new_string(ph));
		print_json(r);
	} else {
		printf("PCR %lu (%s): %s\n", ima_pcr, bank, h);
		tr_hex(h, pol, 32);
		printf("PolicyPCR (sha256:");
		for (int i = 0, first = 1; i < DL_PCRS; i++)
			if (selected[i]) {
				printf("%s%d", first ? "" : ",", i);
				first = 0;
			}
		printf("): %s\n", h);
	}
	rc = 0;
out:
	for (int i = 0; lists && i < n; i++) {
		free(lists[i].name);
		free(lists[i].l.buf);
	}
	free(lists);
	free(files);
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	const char *out = NULL;
	char err[ERRLEN];
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--output")) {
		out = argv[2];
		i = 3;
	}
	if (!out || i >= argc)
		return usage(2);
	if (dl_export(out, (const char *const *)argv + i, (size_t)(argc - i),
		      err, sizeof(err)) < 0) {
		fprintf(stderr, "digestlist: %s\n", err);
		return 1;
	}
	printf("%s: %d lists exported\n", out, argc - i);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "gen", cmd_gen },	  { "sign", cmd_sign },
		{ "show", cmd_show },	  { "verify", cmd_verify },
		{ "upload", cmd_upload }, { "predict", cmd_predict },
		{ "export", cmd_export },
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(argc < 2 ? 2 : 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "digestlist: unknown command \"%s\"\n", argv[1]);
	return usage(2);
}
