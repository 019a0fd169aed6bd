// SPDX-License-Identifier: GPL-2.0-only
/* digestlist gen: lists from a tree, the dpkg database, .deb files or an IMA log. */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "digest-lists/lib/dl_gen.h"
#include "digest-lists/lib/dl_deb.h"
#include "digest-lists/lib/dl_dpkg.h"
#include "digest-lists/lib/dl_reference.h"
#include "base/fileio.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cmd_gen(int argc, char **argv)
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
