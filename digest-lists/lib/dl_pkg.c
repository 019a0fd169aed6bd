// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files of Debian packages: .deb archives read with libarchive, without
 * installing them, and the dpkg database of an installed system.
 */
#define _GNU_SOURCE /* O_PATH, syscall() for openat2 */
#include "digest-lists/lib/dl_pkg.h"
#include "base/errmsg.h"
#include "digest-lists/lib/dl_pkg_parse.h"
#include "base/fileio.h"

#include <archive.h>
#include <archive_entry.h>
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

#define CONTROL_MAX (1u << 20)
#define DEBIAN_BINARY_MAX 64
#define STATUS_MAX (256u << 20)
#define INFO_MAX (64u << 20) /* one .list or .md5sums file */
#define PACKAGES_MAX (1u << 20)
#define PENDING_MAX (1u << 20) /* files of a data.tar read before control */
#define IO_CHUNK 65536

/* ---- Text parsers (pure, on buffers) ---- */

/* The line at buf[*off..len), without its '\n'; *off moves past it. */
static size_t next_line(const char *buf, size_t len, size_t *off,
			const char **line)
{
	const char *p = buf + *off;
	const char *nl = memchr(p, '\n', len - *off);
	size_t n = nl ? (size_t)(nl - p) : len - *off;

	*line = p;
	*off += nl ? n + 1 : n;
	return n;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* deb822 lets a line of only white space separate stanzas, too. */
static int is_blank(const char *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_space(l[i]))
			return 0;
	return 1;
}

struct field {
	const char *name, *val;
	size_t nlen, vlen;
};

/*
 * The next field of the stanza at buf[*off..len): 1 with @f (the first
 * line of its value, trimmed), 0 at the end of the stanza, -1 if
 * malformed. Continuation lines are skipped: no field read here spans
 * lines.
 */
static int next_field(const char *buf, size_t len, size_t *off, unsigned *line,
		      struct field *f, char *err, size_t errlen)
{
	const char *l, *colon;
	size_t n, save;

	if (*off >= len)
		return 0;
	save = *off;
	n = next_line(buf, len, off, &l);
	if (is_blank(l, n)) {
		*off = save; /* the caller skips separators */
		return 0;
	}
	(*line)++;
	if (memchr(l, '\0', n))
		return tr_fail(err, errlen, "line %u: NUL byte", *line);
	if (is_space(l[0]))
		return tr_fail(err, errlen,
			       "line %u: continuation line outside a field",
			       *line);
	colon = memchr(l, ':', n);
	if (!colon || colon == l)
		return tr_fail(err, errlen,
			       "line %u: expected \"Field: value\", got none",
			       *line);
	f->name = l;
	f->nlen = (size_t)(colon - l);
	f->val = colon + 1;
	f->vlen = n - f->nlen - 1;
	while (f->vlen && is_space(*f->val)) {
		f->val++;
		f->vlen--;
	}
	while (f->vlen && is_space(f->val[f->vlen - 1]))
		f->vlen--;

	while (*off < len && (buf[*off] == ' ' || buf[*off] == '\t')) {
		save = *off;
		n = next_line(buf, len, off, &l);
		if (is_blank(l, n)) {
			*off = save;
			break;
		}
		(*line)++;
		if (memchr(l, '\0', n))
			return tr_fail(err, errlen, "line %u: NUL byte", *line);
	}
	return 1;
}

/* Skip the blank lines before a stanza; 0 if nothing else is left. */
static int skip_blank(const char *buf, size_t len, size_t *off, unsigned *line)
{
	const char *l;
	size_t n, save;

	while (*off < len) {
		save = *off;
		n = next_line(buf, len, off, &l);
		if (!is_blank(l, n)) {
			*off = save;
			return 1;
		}
		(*line)++;
	}
	return 0;
}

/* Field names are case-insensitive. */
static int field_is(const struct field *f, const char *name)
{
	return f->nlen == strlen(name) && !strncasecmp(f->name, name, f->nlen);
}

static int word_is(const char *w, size_t n, const char *s)
{
	return n == strlen(s) && !memcmp(w, s, n);
}

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * dpkg's rule for package names (pkg_name_is_illegal); it also keeps '/'
 * and ".." out of the database file names built from them.
 */
static int copy_name(const struct field *f, char *out, size_t size,
		     unsigned line, char *err, size_t errlen)
{
	if (!f->vlen)
		return tr_fail(err, errlen, "line %u: empty package name",
			       line);
	if (f->vlen >= size)
		return tr_fail(err, errlen,
			       "line %u: package name longer than %zu bytes",
			       line, size - 1);
	if (!alnum(f->val[0]))
		return tr_fail(
			err, errlen,
			"line %u: package name \"%.*s\" does not start with a letter or digit",
			line, (int)f->vlen, f->val);
	for (size_t i = 1; i < f->vlen; i++)
		if (!alnum(f->val[i]) && !strchr("-+._", f->val[i]))
			return tr_fail(err, errlen,
				       "line %u: invalid package name \"%.*s\"",
				       line, (int)f->vlen, f->val);
	memcpy(out, f->val, f->vlen);
	out[f->vlen] = '\0';
	return 0;
}

static int copy_arch(const struct field *f, char *out, size_t size,
		     unsigned line, char *err, size_t errlen)
{
	if (!f->vlen || f->vlen >= size)
		return tr_fail(
			err, errlen,
			"line %u: architecture empty or longer than %zu bytes",
			line, size - 1);
	for (size_t i = 0; i < f->vlen; i++)
		if (!alnum(f->val[i]) && f->val[i] != '-')
			return tr_fail(err, errlen,
				       "line %u: invalid architecture \"%.*s\"",
				       line, (int)f->vlen, f->val);
	memcpy(out, f->val, f->vlen);
	out[f->vlen] = '\0';
	return 0;
}

/*
 * "Status: <want> <flag> <status>". The files are all on disk from the
 * moment a package is configured: "installed", or configured with
 * triggers still to run. A wanted state of hold or deinstall does not
 * change what is on disk.
 */
static int status_installed(const char *v, size_t n)
{
	const char *w[3];
	size_t wl[3], i = 0, k;

	for (k = 0; k < 3; k++) {
		while (i < n && v[i] == ' ')
			i++;
		w[k] = v + i;
		while (i < n && v[i] != ' ')
			i++;
		wl[k] = (size_t)(v + i - w[k]);
		if (!wl[k])
			return 0;
	}
	while (i < n && v[i] == ' ')
		i++;
	if (i != n || !word_is(w[1], wl[1], "ok"))
		return 0;
	return word_is(w[2], wl[2], "installed") ||
	       word_is(w[2], wl[2], "triggers-pending") ||
	       word_is(w[2], wl[2], "triggers-awaited");
}

int dl_status_next(const char *buf, size_t len, size_t *off, unsigned *line,
		   struct dl_status_pkg *p, char *err, size_t errlen)
{
	struct field f;
	unsigned first;
	int r, have_name = 0;

	memset(p, 0, sizeof(*p));
	if (*off > len)
		return tr_fail(err, errlen, "offset past the end");
	if (!skip_blank(buf, len, off, line))
		return 0;
	first = *line + 1;
	while ((r = next_field(buf, len, off, line, &f, err, errlen)) == 1) {
		if (field_is(&f, "Package")) {
			if (copy_name(&f, p->name, sizeof(p->name), *line, err,
				      errlen) < 0)
				return -1;
			have_name = 1;
		} else if (field_is(&f, "Architecture")) {
			if (copy_arch(&f, p->arch, sizeof(p->arch), *line, err,
				      errlen) < 0)
				return -1;
		} else if (field_is(&f, "Multi-Arch")) {
			p->multiarch_same = word_is(f.val, f.vlen, "same");
		} else if (field_is(&f, "Status")) {
			p->installed = status_installed(f.val, f.vlen);
		}
	}
	if (r < 0)
		return -1;
	if (!have_name)
		return tr_fail(err, errlen,
			       "stanza at line %u has no Package field", first);
	return 1;
}

int dl_control_package(const char *buf, size_t len, char *name, size_t size,
		       char *err, size_t errlen)
{
	struct field f;
	size_t off = 0;
	unsigned line = 0;
	int r;

	if (!skip_blank(buf, len, &off, &line))
		return tr_fail(err, errlen, "empty control file");
	while ((r = next_field(buf, len, &off, &line, &f, err, errlen)) == 1)
		if (field_is(&f, "Package"))
			return copy_name(&f, name, size, line, err, errlen);
	if (r < 0)
		return -1;
	return tr_fail(err, errlen, "no Package field");
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dl_md5sums_line(const char *line, size_t len, uint8_t md5[16], char *path,
		    size_t size, char *err, size_t errlen)
{
	char perr[128];

	if (is_blank(line, len))
		return 0;
	if (len < 35)
		return tr_fail(
			err, errlen,
			"expected \"<32 hex digits>  <path>\", got a short line");
	for (int i = 0; i < 16; i++) {
		int hi = hexval(line[2 * i]), lo = hexval(line[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return tr_fail(err, errlen,
				       "expected 32 hex digits at the start");
		md5[i] = (uint8_t)(hi << 4 | lo);
	}
	if (line[32] != ' ' || (line[33] != ' ' && line[33] != '*'))
		return tr_fail(err, errlen,
			       "expected two spaces after the digest");
	/* The paths are relative to the root: "usr/bin/x". */
	if (dl_norm_path(line + 34, len - 34, path, size, perr, sizeof(perr)) <
	    0)
		return tr_fail(err, errlen, "%s", perr);
	if (!strcmp(path, "/"))
		return tr_fail(err, errlen, "empty path");
	return 1;
}

int dl_norm_path(const char *in, size_t len, char *out, size_t size, char *err,
		 size_t errlen)
{
	size_t i = 0, o = 0, c;

	if (size < 2)
		return tr_fail(err, errlen, "no room for a path");
	if (!len)
		return tr_fail(err, errlen, "empty path");
	if (memchr(in, '\0', len))
		return tr_fail(err, errlen, "path contains a NUL byte");
	if (memchr(in, '\n', len))
		return tr_fail(err, errlen, "path contains a newline");
	while (i < len) {
		while (i < len && in[i] == '/')
			i++;
		c = i;
		while (i < len && in[i] != '/')
			i++;
		if (i == c || (i - c == 1 && in[c] == '.'))
			continue;
		if (i - c == 2 && in[c] == '.' && in[c + 1] == '.')
			return tr_fail(err, errlen,
				       "path has a \"..\" component");
		if (i - c >= size - o - 1)
			return tr_fail(err, errlen,
				       "path longer than %zu bytes", size - 1);
		out[o++] = '/';
		memcpy(out + o, in + c, i - c);
		o += i - c;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

/* ---- .deb archives ---- */

/* A file of a data.tar read before the control member gave the name. */
struct pending {
	char *path;
	uint8_t sha256[32];
	unsigned mode;
};

struct deb {
	const char *file;
	struct archive *ar; /* the outer ar archive */
	int fd;
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

int dl_scan_deb(const char *deb_path, dl_file_cb cb, void *ctx, char *err,
		size_t errlen)
{
	struct deb *d;
	int ret = -1;

	if (!deb_path || !cb)
		return tr_fail(err, errlen, "dl_scan_deb: missing argument");
	d = calloc(1, sizeof(*d));
	if (!d)
		return tr_fail(err, errlen, "out of memory");
	d->file = deb_path;
	d->fd = -1;
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
	d->fd = open(deb_path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		tr_fail(err, errlen, "%s: %s", deb_path, strerror(errno));
		goto out;
	}
	/* The format is detected as the archive is opened. */
	if (archive_read_open_fd(d->ar, d->fd, IO_CHUNK) != ARCHIVE_OK) {
		tr_fail(err, errlen, "%s: " NOT_A_DEB ": %s", deb_path,
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
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	return ret;
}

/* ---- The dpkg database ---- */

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
		n = next_line((const char *)buf, len, &off, &l);
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
		n = next_line((const char *)buf, len, &off, &l);
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
