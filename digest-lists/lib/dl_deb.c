// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files of .deb archives, read with libarchive without installing them:
 * the regular files of data.tar with their SHA-256, under the name the
 * control member gives.
 */
#include "digest-lists/lib/dl_deb.h"
#include "base/errmsg.h"
#include "digest-lists/lib/dl_deb822.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTROL_MAX (1u << 20)
#define DEBIAN_BINARY_MAX 64
#define PENDING_MAX (1u << 20) /* files of a data.tar read before control */
#define IO_CHUNK 65536

/* A file of a data.tar read before the control member gave the name. */
struct pending {
	char *path;
	uint8_t sha256[32];
	unsigned mode;
};

struct deb {
	const char *file;
	struct archive *ar; /* the outer ar archive */
	const char *member; /* the member being read */
	dl_file_cb cb;
	void *ctx;
	char *err;
	size_t errlen;
	EVP_MD_CTX *md;
	char package[DL_PKG_NAME_MAX];
	int have_control, have_data;
	struct pending *pend;
	size_t npend, cap;
	char path[PATH_MAX];
	uint8_t mbuf[IO_CHUNK]; /* member bytes for the inner archive */
	uint8_t io[IO_CHUNK];
};

static const char *aerr(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s ? s : "unknown libarchive error";
}

/* The inner archive reads the current member of the outer one. */
static la_ssize_t member_read(struct archive *inner, void *data,
			      const void **buf)
{
	struct deb *d = data;
	la_ssize_t n = archive_read_data(d->ar, d->mbuf, sizeof(d->mbuf));

	if (n < 0) {
		archive_set_error(inner, EIO, "%s", aerr(d->ar));
		return -1;
	}
	*buf = d->mbuf;
	return n;
}

/*
 * A tar archive read from the current member. Only the compressions dpkg
 * knows, all built into libarchive: no external decompressor is run.
 */
static struct archive *open_member(struct deb *d)
{
	struct archive *in = archive_read_new();

	if (!in) {
		tr_fail(d->err, d->errlen, "out of memory");
		return NULL;
	}
	if (archive_read_support_format_tar(in) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(in) != ARCHIVE_OK ||
	    archive_read_support_filter_xz(in) != ARCHIVE_OK ||
	    archive_read_support_filter_lzma(in) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(in) != ARCHIVE_OK ||
	    archive_read_support_filter_bzip2(in) != ARCHIVE_OK) {
		tr_fail(d->err, d->errlen,
			"libarchive lacks built-in tar, gzip, xz, zstd or bzip2 support: %s",
			aerr(in));
		archive_read_free(in);
		return NULL;
	}
	if (archive_read_open(in, d, NULL, member_read, NULL) != ARCHIVE_OK) {
		tr_fail(d->err, d->errlen, "%s: %s: %s", d->file, d->member,
			aerr(in));
		archive_read_free(in);
		return NULL;
	}
	return in;
}

/* Read the rest of the member: the ar header's size must all be there. */
static int drain_member(struct deb *d)
{
	la_ssize_t n;

	while ((n = archive_read_data(d->ar, d->io, sizeof(d->io))) > 0)
		;
	if (n < 0)
		return tr_fail(d->err, d->errlen, "%s: %s: %s", d->file,
			       d->member, aerr(d->ar));
	return 0;
}

static int read_control(struct deb *d)
{
	struct archive *in = open_member(d);
	struct archive_entry *e;
	char *buf = NULL, perr[256];
	const char *name;
	size_t len = 0;
	la_ssize_t n;
	int r, ret = -1;

	if (!in)
		return -1;
	for (;;) {
		r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF) {
			tr_fail(d->err, d->errlen,
				"%s: %s has no ./control file", d->file,
				d->member);
			goto out;
		}
		if (r != ARCHIVE_OK) {
			tr_fail(d->err, d->errlen, "%s: %s: %s", d->file,
				d->member, aerr(in));
			goto out;
		}
		name = archive_entry_pathname(e);
		if (name &&
		    (!strcmp(name, "./control") || !strcmp(name, "control")) &&
		    archive_entry_filetype(e) == AE_IFREG &&
		    !archive_entry_hardlink(e))
			break;
	}
	if (archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > (la_int64_t)CONTROL_MAX) {
		tr_fail(d->err, d->errlen,
			"%s: %s: ./control is larger than %u bytes", d->file,
			d->member, CONTROL_MAX);
		goto out;
	}
	buf = malloc(CONTROL_MAX + 1);
	if (!buf) {
		tr_fail(d->err, d->errlen, "out of memory");
		goto out;
	}
	while ((n = archive_read_data(in, buf + len, CONTROL_MAX + 1 - len)) >
	       0) {
		len += (size_t)n;
		if (len > CONTROL_MAX) {
			tr_fail(d->err, d->errlen,
				"%s: %s: ./control is larger than %u bytes",
				d->file, d->member, CONTROL_MAX);
			goto out;
		}
	}
	if (n < 0) {
		tr_fail(d->err, d->errlen, "%s: %s: ./control: %s", d->file,
			d->member, aerr(in));
		goto out;
	}
	if (dl_control_package(buf, len, d->package, sizeof(d->package), perr,
			       sizeof(perr)) < 0) {
		tr_fail(d->err, d->errlen, "%s: %s: ./control: %s", d->file,
			d->member, perr);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	archive_read_free(in);
	return ret ? ret : drain_member(d);
}

static int emit(struct deb *d, const char *path, const uint8_t sha256[32],
		unsigned mode)
{
	if (d->cb(d->ctx, path, sha256, mode, d->package))
		return tr_fail(d->err, d->errlen,
			       "%s: stopped by the callback at %s", d->file,
			       path);
	return 0;
}

static int add_pending(struct deb *d, const uint8_t sha256[32], unsigned mode)
{
	struct pending *p;

	if (d->npend == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;

		if (d->npend >= PENDING_MAX)
			return tr_fail(
				d->err, d->errlen,
				"%s: more than %u files before the control member",
				d->file, PENDING_MAX);
		p = realloc(d->pend, cap * sizeof(*p));
		if (!p)
			return tr_fail(d->err, d->errlen, "out of memory");
		d->pend = p;
		d->cap = cap;
	}
	p = &d->pend[d->npend];
	p->path = strdup(d->path);
	if (!p->path)
		return tr_fail(d->err, d->errlen, "out of memory");
	memcpy(p->sha256, sha256, 32);
	p->mode = mode;
	d->npend++;
	return 0;
}

/* SHA-256 of the current entry's contents, streamed. */
static int hash_entry(struct deb *d, struct archive *in, uint8_t sha256[32])
{
	la_ssize_t n;

	if (!EVP_DigestInit_ex(d->md, EVP_sha256(), NULL))
		return tr_fail(d->err, d->errlen, "SHA-256 unavailable");
	while ((n = archive_read_data(in, d->io, sizeof(d->io))) > 0)
		if (!EVP_DigestUpdate(d->md, d->io, (size_t)n))
			return tr_fail(d->err, d->errlen, "SHA-256 failed");
	if (n < 0)
		return tr_fail(d->err, d->errlen, "%s: %s: %s: %s", d->file,
			       d->member, d->path, aerr(in));
	if (!EVP_DigestFinal_ex(d->md, sha256, NULL))
		return tr_fail(d->err, d->errlen, "SHA-256 failed");
	return 0;
}

static int read_data(struct deb *d)
{
	struct archive *in = open_member(d);
	struct archive_entry *e;
	uint8_t sha256[32];
	const char *name;
	char perr[128];
	unsigned mode;
	int r;

	if (!in)
		return -1;
	for (;;) {
		r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			tr_fail(d->err, d->errlen, "%s: %s: %s", d->file,
				d->member, aerr(in));
			goto err;
		}
		/*
		 * Every entry's path is checked, not only the files': a
		 * bad path means a broken or hostile package. A NUL cannot
		 * reach here: libarchive ends the path at the first one.
		 */
		name = archive_entry_pathname(e);
		if (!name) {
			tr_fail(d->err, d->errlen,
				"%s: %s: an entry has no path, or one that cannot be decoded",
				d->file, d->member);
			goto err;
		}
		if (name[0] == '/') {
			tr_fail(d->err, d->errlen,
				"%s: %s: entry \"%.256s\" has an absolute path",
				d->file, d->member, name);
			goto err;
		}
		if (dl_norm_path(name, strlen(name), d->path, sizeof(d->path),
				 perr, sizeof(perr)) < 0) {
			tr_fail(d->err, d->errlen,
				"%s: %s: entry \"%.256s\": %s", d->file,
				d->member, name, perr);
			goto err;
		}
		/* A hard link's target is an entry of its own. */
		if (archive_entry_filetype(e) != AE_IFREG ||
		    archive_entry_hardlink(e))
			continue;
		if (hash_entry(d, in, sha256) < 0)
			goto err;
		mode = (unsigned)archive_entry_perm(e) & 07777;
		r = d->have_control ? emit(d, d->path, sha256, mode) :
				      add_pending(d, sha256, mode);
		if (r < 0)
			goto err;
	}
	archive_read_free(in);
	return drain_member(d);
err:
	archive_read_free(in);
	return -1;
}

/* "control.tar" or "data.tar", plain or with one of @exts. */
static int member_is(const char *name, const char *base,
		     const char *const *exts)
{
	size_t n = strlen(base);

	if (strncmp(name, base, n))
		return 0;
	if (!name[n])
		return 1;
	for (; *exts; exts++)
		if (!strcmp(name + n, *exts))
			return 1;
	return 0;
}

static int check_debian_binary(struct deb *d)
{
	char v[DEBIAN_BINARY_MAX + 1];
	size_t len = 0;
	la_ssize_t n = 0;

	while (len < sizeof(v) - 1 &&
	       (n = archive_read_data(d->ar, v + len, sizeof(v) - 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		return tr_fail(d->err, d->errlen, "%s: debian-binary: %s",
			       d->file, aerr(d->ar));
	v[len] = '\0';
	if (len < 4 || strncmp(v, "2.", 2) || !strchr(v, '\n'))
		return tr_fail(
			d->err, d->errlen,
			"%s: not a Debian package: debian-binary is not \"2.x\\n\"",
			d->file);
	return drain_member(d);
}

#define NOT_A_DEB                                                         \
	"not a Debian package (expected an ar archive of debian-binary, " \
	"control.tar.* and data.tar.*)"

static int read_deb(struct deb *d)
{
	static const char *const control_exts[] = { ".gz", ".xz", ".zst",
						    NULL };
	static const char *const data_exts[] = { ".gz",	 ".xz",	  ".zst",
						 ".bz2", ".lzma", NULL };
	struct archive_entry *e;
	const char *name;
	int r;

	for (unsigned idx = 0;; idx++) {
		r = archive_read_next_header(d->ar, &e);
		if (r == ARCHIVE_EOF && idx == 0)
			return tr_fail(d->err, d->errlen, "%s: " NOT_A_DEB,
				       d->file);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && idx == 0)
			return tr_fail(d->err, d->errlen,
				       "%s: " NOT_A_DEB ": %s", d->file,
				       aerr(d->ar));
		if (r != ARCHIVE_OK)
			return tr_fail(d->err, d->errlen, "%s: %s", d->file,
				       aerr(d->ar));
		name = archive_entry_pathname(e);
		if (!name)
			return tr_fail(d->err, d->errlen,
				       "%s: ar member without a name", d->file);
		d->member = name;
		if (idx == 0) {
			if (strcmp(name, "debian-binary"))
				return tr_fail(d->err, d->errlen,
					       "%s: " NOT_A_DEB
					       ": first member is \"%.64s\"",
					       d->file, name);
			r = check_debian_binary(d);
		} else if (member_is(name, "control.tar", control_exts)) {
			if (d->have_control)
				return tr_fail(d->err, d->errlen,
					       "%s: second control member %s",
					       d->file, name);
			r = read_control(d);
			d->have_control = 1;
		} else if (member_is(name, "data.tar", data_exts)) {
			if (d->have_data)
				return tr_fail(d->err, d->errlen,
					       "%s: second data member %s",
					       d->file, name);
			r = read_data(d);
			d->have_data = 1;
		} else if (name[0] == '_') {
			r = 0; /* members dpkg reserves for extensions */
		} else {
			return tr_fail(d->err, d->errlen,
				       "%s: unexpected member \"%.64s\"",
				       d->file, name);
		}
		if (r < 0)
			return -1;
	}
	if (!d->have_control)
		return tr_fail(d->err, d->errlen,
			       "%s: no control.tar member (not a valid .deb)",
			       d->file);
	if (!d->have_data)
		return tr_fail(d->err, d->errlen,
			       "%s: no data.tar member (not a valid .deb)",
			       d->file);
	for (size_t i = 0; i < d->npend; i++)
		if (emit(d, d->pend[i].path, d->pend[i].sha256,
			 d->pend[i].mode) < 0)
			return -1;
	return 0;
}

/* The .deb in @fd, or else in @buf (@len bytes); @name for messages. */
static int scan_deb(const char *name, int fd, const uint8_t *buf, size_t len,
		    dl_file_cb cb, void *ctx, char *err, size_t errlen)
{
	struct deb *d;
	int ret = -1, r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return tr_fail(err, errlen, "out of memory");
	d->file = name;
	d->cb = cb;
	d->ctx = ctx;
	d->err = err;
	d->errlen = errlen;
	d->md = EVP_MD_CTX_new();
	d->ar = archive_read_new();
	if (!d->md || !d->ar) {
		tr_fail(err, errlen, "out of memory");
		goto out;
	}
	if (archive_read_support_format_ar(d->ar) != ARCHIVE_OK) {
		tr_fail(err, errlen, "libarchive lacks ar support");
		goto out;
	}
	/* The format is detected as the archive is opened. */
	r = fd >= 0 ? archive_read_open_fd(d->ar, fd, IO_CHUNK) :
		      archive_read_open_memory(d->ar, buf, len);
	if (r != ARCHIVE_OK) {
		tr_fail(err, errlen, "%s: " NOT_A_DEB ": %s", name,
			aerr(d->ar));
		goto out;
	}
	ret = read_deb(d);
out:
	for (size_t i = 0; i < d->npend; i++)
		free(d->pend[i].path);
	free(d->pend);
	if (d->ar)
		archive_read_free(d->ar);
	EVP_MD_CTX_free(d->md);
	free(d);
	return ret;
}

int dl_scan_deb(const char *deb_path, dl_file_cb cb, void *ctx, char *err,
		size_t errlen)
{
	int fd, ret;

	if (!deb_path || !cb)
		return tr_fail(err, errlen, "dl_scan_deb: missing argument");
	fd = open(deb_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tr_fail(err, errlen, "%s: %s", deb_path,
			       strerror(errno));
	ret = scan_deb(deb_path, fd, NULL, 0, cb, ctx, err, errlen);
	close(fd);
	return ret;
}

int dl_scan_deb_mem(const uint8_t *buf, size_t len, const char *name,
		    dl_file_cb cb, void *ctx, char *err, size_t errlen)
{
	if ((!buf && len) || !name || !cb)
		return tr_fail(err, errlen,
			       "dl_scan_deb_mem: missing argument");
	return scan_deb(name, -1, buf ? buf : (const uint8_t *)"", len, cb, ctx,
			err, errlen);
}
