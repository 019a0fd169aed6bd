// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files of the installed packages in the dpkg database: each package's
 * .list hashed on disk under the root, checked against its md5sums.
 */
#define _GNU_SOURCE /* O_PATH, syscall() for openat2 */
#include "digest-lists/lib/dl_dpkg.h"
#include "base/errmsg.h"
#include "base/fileio.h"
#include "digest-lists/lib/dl_deb822.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STATUS_MAX (256u << 20)
#define INFO_MAX (64u << 20) /* one .list or .md5sums file */
#define PACKAGES_MAX (1u << 20)
#define IO_CHUNK 65536

struct md5ent {
	char *path;
	uint8_t md5[16];
};

struct dpkg {
	const char *admin, *root;
	int rootfd; /* -1 when @root is "/" */
	dl_file_cb cb;
	void *ctx;
	dl_mismatch_cb mismatch;
	void *mctx;
	char *err;
	size_t errlen;
	EVP_MD_CTX *sha, *md5;
	struct md5ent *sums;
	size_t nsums;
	char info[PATH_MAX]; /* the info file being read */
	char path[PATH_MAX];
	uint8_t io[IO_CHUNK];
};

static int cmp_md5ent(const void *a, const void *b)
{
	return strcmp(((const struct md5ent *)a)->path,
		      ((const struct md5ent *)b)->path);
}

static void free_sums(struct dpkg *s)
{
	for (size_t i = 0; i < s->nsums; i++)
		free(s->sums[i].path);
	free(s->sums);
	s->sums = NULL;
	s->nsums = 0;
}

static int read_error(struct dpkg *s, const char *file)
{
	return tr_fail(s->err, s->errlen, "%s: %s", file,
		       errno == EFBIG ? "too large" : strerror(errno));
}

/*
 * info/<pkg>.<ext>, or info/<pkg>:<arch>.<ext> as dpkg names the files of
 * Multi-Arch: same packages; both are tried, the likelier first. Returns
 * 0 with the file read (its name in s->info), 1 if neither exists, -1.
 */
static int read_info(struct dpkg *s, const struct dl_status_pkg *p,
		     const char *ext, uint8_t **buf, size_t *len)
{
	char names[2][DL_PKG_NAME_MAX + DL_PKG_ARCH_MAX + 1];
	int n = 0, first = p->multiarch_same ? 1 : 0;

	snprintf(names[0], sizeof(names[0]), "%s", p->name);
	if (p->arch[0])
		snprintf(names[n = 1], sizeof(names[1]), "%s:%s", p->name,
			 p->arch);
	for (int i = 0; i <= n; i++) {
		const char *name = names[n ? (i + first) % 2 : 0];

		if ((size_t)snprintf(s->info, sizeof(s->info), "%s/info/%s.%s",
				     s->admin, name, ext) >= sizeof(s->info))
			return tr_fail(s->err, s->errlen,
				       "%s/info: path too long", s->admin);
		if (read_file_bounded(s->info, INFO_MAX, buf, len) == 0)
			return 0;
		if (errno != ENOENT)
			return read_error(s, s->info);
	}
	return 1;
}

static int load_md5sums(struct dpkg *s, const struct dl_status_pkg *p)
{
	uint8_t *buf, md5[16];
	size_t len, off = 0, cap = 0, n;
	unsigned line = 0;
	const char *l;
	char perr[160];
	struct md5ent *e;
	int r, ret = -1;

	r = read_info(s, p, "md5sums", &buf, &len);
	if (r)
		return r < 0 ? -1 : 0; /* a package may come without one */
	while (off < len) {
		n = dl_next_line((const char *)buf, len, &off, &l);
		line++;
		r = dl_md5sums_line(l, n, md5, s->path, sizeof(s->path), perr,
				    sizeof(perr));
		if (r < 0) {
			tr_fail(s->err, s->errlen, "%s: line %u: %s", s->info,
				line, perr);
			goto out;
		}
		if (!r)
			continue;
		if (s->nsums == cap) {
			cap = cap ? cap * 2 : 64;
			e = realloc(s->sums, cap * sizeof(*e));
			if (!e) {
				tr_fail(s->err, s->errlen, "out of memory");
				goto out;
			}
			s->sums = e;
		}
		e = &s->sums[s->nsums];
		e->path = strdup(s->path);
		if (!e->path) {
			tr_fail(s->err, s->errlen, "out of memory");
			goto out;
		}
		memcpy(e->md5, md5, sizeof(md5));
		s->nsums++;
	}
	if (s->nsums)
		qsort(s->sums, s->nsums, sizeof(*s->sums), cmp_md5ent);
	ret = 0;
out:
	free(buf);
	return ret;
}

static const uint8_t *find_md5(const struct dpkg *s, const char *path)
{
	struct md5ent key = { .path = (char *)path }, *e;

	if (!s->nsums)
		return NULL;
	e = bsearch(&key, s->sums, s->nsums, sizeof(*s->sums), cmp_md5ent);
	return e ? e->md5 : NULL;
}

/*
 * @path (absolute) under the root. With a root other than "/", the path
 * is resolved inside it (openat2 RESOLVE_IN_ROOT): an absolute symlink in
 * a system image must not lead to the host's files. O_NOFOLLOW: a final
 * symlink is not followed.
 */
static int open_in_root(const struct dpkg *s, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (s->rootfd < 0)
		return open(path, flags | O_NOFOLLOW | O_CLOEXEC);
	fd = syscall(SYS_openat2, s->rootfd, path + 1, &how, sizeof(how));
	/* Before Linux 5.6: no confinement to the root, say, but go on. */
	if (fd < 0 && errno == ENOSYS)
		fd = openat(s->rootfd, path + 1,
			    flags | O_NOFOLLOW | O_CLOEXEC);
	return (int)fd;
}

static int missing(int e)
{
	return e == ENOENT || e == ENOTDIR || e == ELOOP;
}

/*
 * Hash s->path if it is a regular file under the root: 1 with its
 * SHA-256 (and MD5 if @md5), 0 if it is not one or missing, -1.
 */
static int hash_file(struct dpkg *s, uint8_t sha256[32], uint8_t *md5,
		     unsigned *mode)
{
	const char *root = s->rootfd < 0 ? "" : s->root;
	struct stat st, st2;
	ssize_t n;
	int fd, ok;

	/* An lstat inside the root; then no device or FIFO is ever opened. */
	fd = open_in_root(s, s->path, O_PATH);
	if (fd < 0)
		return missing(errno) ? 0 :
					tr_fail(s->err, s->errlen, "%s%s: %s",
						root, s->path, strerror(errno));
	ok = !fstat(fd, &st);
	close(fd);
	if (!ok)
		return tr_fail(s->err, s->errlen, "%s%s: %s", root, s->path,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return 0;
	fd = open_in_root(s, s->path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return missing(errno) ? 0 :
					tr_fail(s->err, s->errlen, "%s%s: %s",
						root, s->path, strerror(errno));
	/* Replaced since the first look: what is there now is no file. */
	if (fstat(fd, &st2) || !S_ISREG(st2.st_mode) ||
	    st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		close(fd);
		return 0;
	}
	ok = EVP_DigestInit_ex(s->sha, EVP_sha256(), NULL) &&
	     (!md5 || EVP_DigestInit_ex(s->md5, EVP_md5(), NULL));
	while (ok && (n = read(fd, s->io, sizeof(s->io))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tr_fail(s->err, s->errlen, "%s%s: %s", root, s->path,
				strerror(errno));
			close(fd);
			return -1;
		}
		ok = EVP_DigestUpdate(s->sha, s->io, (size_t)n) &&
		     (!md5 || EVP_DigestUpdate(s->md5, s->io, (size_t)n));
	}
	close(fd);
	ok = ok && EVP_DigestFinal_ex(s->sha, sha256, NULL) &&
	     (!md5 || EVP_DigestFinal_ex(s->md5, md5, NULL));
	if (!ok)
		return tr_fail(s->err, s->errlen, "%s%s: SHA-256 or MD5 failed",
			       root, s->path);
	*mode = (unsigned)st2.st_mode & 07777;
	return 1;
}

/*
 * Files moved aside with dpkg-divert (info/../diversions) are ignored:
 * the path a package lists is hashed as it is on disk, whichever package
 * put the file there. The digest is still that of the file IMA will
 * measure; only the MD5 check may then report a diverted file.
 */
static int scan_package(struct dpkg *s, const struct dl_status_pkg *p)
{
	uint8_t *buf, sha256[32], md5[16];
	const uint8_t *want;
	size_t len, off = 0, n;
	unsigned line = 0, mode = 0;
	const char *l;
	char perr[128];
	int r, ret = -1;

	if (load_md5sums(s, p) < 0)
		goto out_sums;
	r = read_info(s, p, "list", &buf, &len);
	if (r) {
		if (r > 0 && p->arch[0])
			tr_fail(s->err, s->errlen,
				"%s/info: no file list for installed package %s (no %s.list, no %s:%s.list)",
				s->admin, p->name, p->name, p->name, p->arch);
		else if (r > 0)
			tr_fail(s->err, s->errlen,
				"%s/info: no file list for installed package %s (no %s.list)",
				s->admin, p->name, p->name);
		goto out_sums;
	}
	while (off < len) {
		n = dl_next_line((const char *)buf, len, &off, &l);
		line++;
		if (!n)
			continue;
		if (l[0] != '/') {
			tr_fail(s->err, s->errlen,
				"%s: line %u: not an absolute path", s->info,
				line);
			goto out;
		}
		if (dl_norm_path(l, n, s->path, sizeof(s->path), perr,
				 sizeof(perr)) < 0) {
			tr_fail(s->err, s->errlen, "%s: line %u: %s", s->info,
				line, perr);
			goto out;
		}
		if (!strcmp(s->path, "/"))
			continue;
		want = find_md5(s, s->path);
		r = hash_file(s, sha256, want ? md5 : NULL, &mode);
		if (r < 0)
			goto out;
		if (!r)
			continue;
		if (want && memcmp(want, md5, sizeof(md5)) && s->mismatch)
			s->mismatch(s->mctx, s->path, p->name);
		if (s->cb(s->ctx, s->path, sha256, mode, p->name)) {
			tr_fail(s->err, s->errlen,
				"stopped by the callback at %s", s->path);
			goto out;
		}
	}
	ret = 0;
out:
	free(buf);
out_sums:
	free_sums(s);
	return ret;
}

/* "name" or "name:arch" */
static int wanted(const struct dl_status_pkg *p, const char *want)
{
	size_t n = strlen(p->name);

	if (strncmp(want, p->name, n))
		return 0;
	return !want[n] || (want[n] == ':' && !strcmp(want + n + 1, p->arch));
}

static int selected(const struct dl_status_pkg *p, const char *const *packages)
{
	if (!packages)
		return 1;
	for (; *packages; packages++)
		if (wanted(p, *packages))
			return 1;
	return 0;
}

/* The installed packages of @admin/status, in its order. */
static int read_status(struct dpkg *s, struct dl_status_pkg **out,
		       size_t *count)
{
	struct dl_status_pkg p, *pkgs = NULL, *q;
	char file[PATH_MAX], perr[256];
	size_t len, off = 0, n = 0, cap = 0;
	unsigned line = 0;
	uint8_t *buf;
	int r;

	if ((size_t)snprintf(file, sizeof(file), "%s/status", s->admin) >=
	    sizeof(file))
		return tr_fail(s->err, s->errlen, "%s: path too long",
			       s->admin);
	if (read_file_bounded(file, STATUS_MAX, &buf, &len) < 0)
		return read_error(s, file);
	while ((r = dl_status_next((const char *)buf, len, &off, &line, &p,
				   perr, sizeof(perr))) == 1) {
		if (!p.installed)
			continue;
		if (n == cap) {
			if (n >= PACKAGES_MAX) {
				r = tr_fail(perr, sizeof(perr),
					    "more than %u installed packages",
					    PACKAGES_MAX);
				break;
			}
			cap = cap ? cap * 2 : 256;
			q = realloc(pkgs, cap * sizeof(*q));
			if (!q) {
				r = tr_fail(perr, sizeof(perr),
					    "out of memory");
				break;
			}
			pkgs = q;
		}
		pkgs[n++] = p;
	}
	free(buf);
	if (r < 0) {
		free(pkgs);
		return tr_fail(s->err, s->errlen, "%s: %s", file, perr);
	}
	*out = pkgs;
	*count = n;
	return 0;
}

int dl_scan_dpkg(const char *admin_dir, const char *root,
		 const char *const *packages, dl_file_cb cb, void *ctx,
		 dl_mismatch_cb mismatch, void *mctx, char *err, size_t errlen)
{
	struct dl_status_pkg *pkgs = NULL;
	struct dpkg *s;
	size_t n = 0, i;
	int ret = -1;

	if (!admin_dir || !cb)
		return tr_fail(err, errlen, "dl_scan_dpkg: missing argument");
	s = calloc(1, sizeof(*s));
	if (!s)
		return tr_fail(err, errlen, "out of memory");
	s->admin = admin_dir;
	s->root = root && root[strspn(root, "/")] ? root : "/";
	s->rootfd = -1;
	s->cb = cb;
	s->ctx = ctx;
	s->mismatch = mismatch;
	s->mctx = mctx;
	s->err = err;
	s->errlen = errlen;
	if (strcmp(s->root, "/")) {
		s->rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (s->rootfd < 0) {
			tr_fail(err, errlen, "root %s: %s", s->root,
				strerror(errno));
			goto out;
		}
	}
	s->sha = EVP_MD_CTX_new();
	s->md5 = EVP_MD_CTX_new();
	if (!s->sha || !s->md5) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	if (read_status(s, &pkgs, &n) < 0)
		goto out;
	/* Every name asked for must be there before anything is reported. */
	for (const char *const *w = packages; w && *w; w++) {
		for (i = 0; i < n && !wanted(&pkgs[i], *w); i++)
			;
		if (i == n) {
			tr_fail(err, errlen,
				"package \"%.200s\" is not installed (per %s/status)",
				*w, admin_dir);
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if (selected(&pkgs[i], packages) &&
		    scan_package(s, &pkgs[i]) < 0)
			goto out;
	ret = 0;
out:
	free(pkgs);
	EVP_MD_CTX_free(s->sha);
	EVP_MD_CTX_free(s->md5);
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s);
	return ret;
}
