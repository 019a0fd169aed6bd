// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text formats of Debian packages, on buffers only: deb822 stanzas
 * (dpkg's status file, a control file), md5sums lines and archive paths.
 */
#include "digest-lists/lib/dl_deb822.h"
#include "base/errmsg.h"
#include "base/hex.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t dl_next_line(const char *buf, size_t len, size_t *off, const char **line)
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
	n = dl_next_line(buf, len, off, &l);
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
		n = dl_next_line(buf, len, off, &l);
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
		n = dl_next_line(buf, len, off, &l);
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
	if (tr_unhex(line, 16, md5) < 0)
		return tr_fail(err, errlen,
			       "expected 32 hex digits at the start");
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
