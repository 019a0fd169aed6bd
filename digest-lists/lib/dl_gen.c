// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* nftw's FTW_MOUNT, FTW_ACTIONRETVAL */
#include "digest-lists/lib/dl_gen.h"
#include "base/hex.h"
#include "base/errmsg.h"
#include "base/fileio.h"

#include "digest-lists/lib/dl_format.h"
#include "ima/log.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void dl_set_init(struct dl_set *s, unsigned algo)
{
	memset(s, 0, sizeof(*s));
	s->algo = algo;
}

void dl_set_free(struct dl_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].path);
		free(s->e[i].package);
	}
	free(s->e);
	s->e = NULL;
	s->n = s->cap = 0;
}

int dl_set_add(struct dl_set *s, const uint8_t *digest, const char *path,
	       const char *package, bool immutable)
{
	struct dl_entry *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;

		e = realloc(s->e, cap * sizeof(*e));
		if (!e)
			return -1;
		s->e = e;
		s->cap = cap;
	}
	e = &s->e[s->n];
	memset(e, 0, sizeof(*e));
	memcpy(e->digest, digest, dl_algo_size(s->algo));
	e->path = strdup(path);
	e->package = strdup(package ? package : "");
	e->immutable = immutable;
	if (!e->path || !e->package) {
		free(e->path);
		free(e->package);
		return -1;
	}
	s->n++;
	return 0;
}

bool dl_mode_immutable(unsigned mode)
{
	return (mode & 0111) || !(mode & 0222);
}

/* Hash a file by descriptor in 64 KiB reads. */
static int hash_fd(int fd, unsigned algo, uint8_t *out)
{
	static const char *names[] = { [HASH_ALGO_SHA256] = "sha256",
				       [HASH_ALGO_SHA384] = "sha384",
				       [HASH_ALGO_SHA512] = "sha512" };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	ssize_t r;
	int rc = -1;

	if (!ctx ||
	    !EVP_DigestInit_ex(ctx, EVP_get_digestbyname(names[algo]), NULL))
		goto out;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)r);
	if (r == 0 && EVP_DigestFinal_ex(ctx, out, NULL))
		rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* nftw offers no context pointer: the walk's state lives here. */
static struct {
	struct dl_set *set;
	const char *prefix;
	size_t root_len;
	char *err;
	size_t errlen;
	int rc;
} walk;

static int visit(const char *fpath, const struct stat *st, int type,
		 struct FTW *ftw)
{
	uint8_t digest[DL_DIGEST_MAX];
	char path[PATH_MAX];
	const char *rel = fpath + walk.root_len;
	int fd, n;

	(void)ftw;
	if (type == FTW_DNR || type == FTW_NS) {
		walk.rc = tr_fail(walk.err, walk.errlen, "%s: cannot read",
				  fpath);
		return FTW_STOP;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return FTW_CONTINUE;
	while (*rel == '/')
		rel++;
	n = snprintf(path, sizeof(path), "%s%s%s", walk.prefix,
		     walk.prefix[strlen(walk.prefix) - 1] == '/' ? "" : "/",
		     rel);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		walk.rc = tr_fail(walk.err, walk.errlen, "%s: path too long",
				  fpath);
		return FTW_STOP;
	}
	fd = open(fpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || hash_fd(fd, walk.set->algo, digest) < 0) {
		walk.rc = tr_fail(walk.err, walk.errlen, "%s: %s", fpath,
				  strerror(errno));
		if (fd >= 0)
			close(fd);
		return FTW_STOP;
	}
	close(fd);
	if (dl_set_add(walk.set, digest, path, "",
		       dl_mode_immutable(st->st_mode)) < 0) {
		walk.rc = tr_fail(walk.err, walk.errlen, "out of memory");
		return FTW_STOP;
	}
	return FTW_CONTINUE;
}

int dl_gen_dir(struct dl_set *s, const char *dir, const char *prefix, char *err,
	       size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return tr_fail(err, errlen, "%s: not a directory", dir);
	walk.set = s;
	walk.prefix = prefix && *prefix ? prefix : "/";
	walk.root_len = strlen(dir);
	walk.err = err;
	walk.errlen = errlen;
	walk.rc = 0;
	if (nftw(dir, visit, 64, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) < 0 &&
	    !walk.rc)
		return tr_fail(err, errlen, "%s: %s", dir, strerror(errno));
	return walk.rc;
}

int dl_gen_ima_log(struct dl_set *s, const uint8_t *buf, size_t len,
		   unsigned pcr, char *err, size_t errlen)
{
	const char *algo = dl_algo_name(s->algo);
	struct ima_log_cursor c;
	struct ima_log_entry e;
	int rc;

	ima_log_cursor_init(&c, buf, len);
	while ((rc = ima_log_next(&c, &e, err, errlen)) == 1) {
		/* Only file measurements: not the boot aggregate, not
		 * violations (their digest is not a file's), not buffers. */
		if (e.pcr != pcr || e.violation || !e.file_name ||
		    !strcmp(e.template_name, "ima-buf") ||
		    !strcmp(e.file_name, "boot_aggregate") ||
		    strcmp(e.hash_algo, algo) ||
		    e.file_digest_len != dl_algo_size(s->algo))
			continue;
		if (dl_set_add(s, e.file_digest, e.file_name, "", true) < 0)
			return tr_fail(err, errlen, "out of memory");
	}
	return rc < 0 ? -1 : 0;
}

static size_t cmp_size;

/* Manifest order: digest, then path, then package. */
static int cmp_entry(const void *a, const void *b)
{
	const struct dl_entry *x = a, *y = b;
	int c = memcmp(x->digest, y->digest, cmp_size);

	if (!c)
		c = strcmp(x->path, y->path);
	return c ? c : strcmp(x->package, y->package);
}

/* Whole or not at all (fileio.h); "@path: reason" on failure. */
static int write_atomic(const char *path, const void *buf, size_t len,
			char *err, size_t errlen)
{
	if (write_file_atomic(path, buf, len, 0644) < 0)
		return tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	return 0;
}

int dl_set_write(struct dl_set *s, bool immutable, const char *path,
		 bool write_empty, size_t *count, char *err, size_t errlen)
{
	size_t ds = dl_algo_size(s->algo), n = 0, mlen = 0, mcap = 0;
	uint8_t *digests, *list = NULL;
	char *manifest = NULL, mpath[PATH_MAX];
	size_t list_len;
	int rc = -1;

	cmp_size = ds;
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), cmp_entry);
	digests = malloc(s->n ? s->n * ds : 1);
	if (!digests)
		return tr_fail(err, errlen, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		struct dl_entry *e = &s->e[i];
		size_t need = 2 * ds + strlen(e->path) + strlen(e->package) + 4;
		char *m;

		if (e->immutable != immutable)
			continue;
		memcpy(digests + n++ * ds, e->digest, ds);
		/* Paths with tabs or newlines would break the manifest. */
		if (strpbrk(e->path, "\t\n") || strpbrk(e->package, "\t\n")) {
			tr_fail(err, errlen, "%s: tab or newline in the path",
				e->path);
			goto out;
		}
		if (mlen + need > mcap) {
			mcap = (mlen + need) * 2;
			m = realloc(manifest, mcap);
			if (!m) {
				tr_fail(err, errlen, "out of memory");
				goto out;
			}
			manifest = m;
		}
		tr_hex(manifest + mlen, e->digest, ds);
		mlen += 2 * ds;
		mlen += (size_t)sprintf(manifest + mlen, "\t%s\t%s\n", e->path,
					e->package);
	}
	*count = 0;
	if (!n && !write_empty) {
		rc = 0;
		goto out;
	}
	if (dl_write(s->algo, immutable ? IMA_DIGEST_LIST_MOD_IMMUTABLE : 0,
		     digests, n, &list, &list_len, err, errlen) < 0)
		goto out;
	*count = (list_len - DL_HDR_SIZE) / ds;
	if (snprintf(mpath, sizeof(mpath), "%s.manifest", path) >=
	    (int)sizeof(mpath)) {
		tr_fail(err, errlen, "%s: path too long", path);
		goto out;
	}
	if (write_atomic(path, list, list_len, err, errlen) < 0 ||
	    write_atomic(mpath, manifest ? manifest : "", mlen, err, errlen) <
		    0)
		goto out;
	rc = 0;
out:
	free(digests);
	free(list);
	free(manifest);
	return rc;
}
