/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The text formats of Debian packages that dl_deb.c and dl_dpkg.c read,
 * on buffers only (no I/O), so that they can be fuzzed and tested alone.
 * Messages in @err name the line, not the file: the caller adds the file.
 */
#ifndef TR_DL_DEB822_H
#define TR_DL_DEB822_H

#include <stddef.h>
#include <stdint.h>

/* Longer names cannot be a dpkg database file name "<name>:<arch>.list". */
#define DL_PKG_NAME_MAX 128
#define DL_PKG_ARCH_MAX 32

/* What dl_scan_dpkg needs from one stanza of dpkg's status file. */
struct dl_status_pkg {
	char name[DL_PKG_NAME_MAX];
	char arch[DL_PKG_ARCH_MAX]; /* "" when the stanza has none */
	int installed; /* Status: <want> ok installed (or triggers-*) */
	int multiarch_same; /* Multi-Arch: same */
};

/* The line at buf[*off..len), without its '\n'; *off moves past it. */
size_t dl_next_line(const char *buf, size_t len, size_t *off,
		    const char **line);

/*
 * The stanza at buf[*off..len) of a status file; *line counts the lines
 * read (start at 0). Returns 1 with @p filled and *off past the stanza, 0
 * when only blank lines remain, -1 if malformed.
 */
int dl_status_next(const char *buf, size_t len, size_t *off, unsigned *line,
		   struct dl_status_pkg *p, char *err, size_t errlen);

/*
 * The Package field of the first stanza of a control file, checked to be
 * a valid package name, into @name (@size bytes). Returns 0 or -1.
 */
int dl_control_package(const char *buf, size_t len, char *name, size_t size,
		       char *err, size_t errlen);

/*
 * One line of an md5sums file (without its '\n'): "<32 hex>  <path>".
 * Returns 1 with the digest and the normalized absolute path in @path
 * (@size bytes), 0 for a blank line, -1 if malformed.
 */
int dl_md5sums_line(const char *line, size_t len, uint8_t md5[16], char *path,
		    size_t size, char *err, size_t errlen);

/*
 * A relative archive path ("./usr/bin/x", "usr//bin/./x") as an absolute
 * one ("/usr/bin/x"); the root itself is "/". Rejects "..", NUL, newlines
 * and results of @size bytes or more. Returns 0 or -1.
 */
int dl_norm_path(const char *in, size_t len, char *out, size_t size, char *err,
		 size_t errlen);

#endif
