// SPDX-License-Identifier: GPL-2.0-only
/*
 * dl_pkg: the files of real .deb packages built by dpkg-deb (every
 * compression), of hand-made broken or hostile ones, of a fake dpkg
 * database with a modified and a missing file, and of the system's own
 * dpkg package. Expected digests are computed here from the contents.
 */
#define _GNU_SOURCE /* mkdtemp, fdopendir in every libc configuration */
#include "digest-lists/lib/dl_deb.h"
#include "digest-lists/lib/dl_dpkg.h"
#include "digest-lists/lib/dl_deb822.h"
#include "base/fileio.h"
#include "tr_test.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[PATH_MAX];

/* ---- Helpers ---- */

static void digest(const char *md, const void *p, size_t n, uint8_t *out)
{
	assert_true(
		EVP_Digest(p, n, out, NULL, EVP_get_digestbyname(md), NULL));
}

static char *tpath(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static int k;
	char *b = bufs[k++ % 8];
	int n;
	va_list ap;

	n = snprintf(b, PATH_MAX, "%s/", tmp);
	va_start(ap, fmt);
	vsnprintf(b + n, PATH_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return b;
}

static void mkdirs(const char *path)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
	chmod(p, 0755);
}

static void put_file(const char *path, const void *data, size_t len,
		     mode_t mode)
{
	char dir[PATH_MAX], *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdirs(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	close(fd);
	if (chmod(path, mode))
		fail_msg("chmod %s: %s", path, strerror(errno));
}

static void put_text(const char *path, const char *s, mode_t mode)
{
	put_file(path, s, strlen(s), mode);
}

static void rm_tree_at(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		unlinkat(at, name, 0);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_tree_at(dirfd(d), de->d_name);
	closedir(d);
	unlinkat(at, name, AT_REMOVEDIR);
}

/* Run a shell command, its output kept in tmp/log for the failure. */
static void run(const char *fmt, ...)
{
	char cmd[4096], full[4096 + PATH_MAX + 32];
	uint8_t *log = NULL;
	size_t len = 0;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) >%s/log 2>&1", cmd, tmp);
	rc = system(full);
	if (rc) {
		read_file_bounded(tpath("log"), 4096, &log, &len);
		fail_msg("\"%s\" failed (%d): %.*s", cmd, rc, (int)len,
			 log ? (char *)log : "");
	}
}

#define assert_err_has(err, needle)                                      \
	do {                                                             \
		if (!strstr((err), (needle)))                            \
			fail_msg("error \"%s\" does not mention \"%s\"", \
				 (err), (needle));                       \
	} while (0)

/* What a scan reported. */
struct seen {
	char path[PATH_MAX];
	uint8_t sha256[32];
	unsigned mode;
	char package[64];
};

struct collect {
	struct seen f[64];
	size_t n;
	size_t stop_at; /* return non-zero at this call (1-based), 0: never */
	char mismatch[8][PATH_MAX];
	char mismatch_pkg[8][64];
	size_t nmismatch;
};

static int collect_cb(void *ctx, const char *path, const uint8_t sha256[32],
		      unsigned mode, const char *package)
{
	struct collect *c = ctx;
	struct seen *s;

	if (c->n == sizeof(c->f) / sizeof(c->f[0]))
		fail_msg("more than %zu files reported", c->n);
	s = &c->f[c->n++];
	snprintf(s->path, sizeof(s->path), "%s", path);
	memcpy(s->sha256, sha256, 32);
	s->mode = mode;
	snprintf(s->package, sizeof(s->package), "%s", package);
	return c->stop_at && c->n == c->stop_at;
}

static void mismatch_cb(void *ctx, const char *path, const char *package)
{
	struct collect *c = ctx;

	if (c->nmismatch == 8)
		fail_msg("more than 8 mismatches reported");
	snprintf(c->mismatch[c->nmismatch], PATH_MAX, "%s", path);
	snprintf(c->mismatch_pkg[c->nmismatch++], 64, "%s", package);
}

struct expect {
	const char *path;
	const void *data;
	size_t len;
	unsigned mode;
	const char *package;
};

static const struct seen *find_seen(const struct collect *c, const char *p)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->f[i].path, p))
			return &c->f[i];
	return NULL;
}

/* Exactly the expected files, each once, with digest, mode and package. */
static void check_files(const struct collect *c, const struct expect *x,
			size_t nx)
{
	uint8_t want[32];

	for (size_t i = 0; i < c->n; i++) {
		size_t k;

		for (k = 0; k < nx && strcmp(x[k].path, c->f[i].path); k++)
			;
		if (k == nx)
			fail_msg("unexpected file %s reported", c->f[i].path);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->f[j].path, c->f[i].path))
				fail_msg("%s reported twice", c->f[i].path);
	}
	for (size_t k = 0; k < nx; k++) {
		const struct seen *s = find_seen(c, x[k].path);

		if (!s)
			fail_msg("%s not reported", x[k].path);
		digest("sha256", x[k].data, x[k].len, want);
		if (memcmp(s->sha256, want, 32))
			fail_msg("%s: wrong SHA-256", x[k].path);
		if (s->mode != x[k].mode)
			fail_msg("%s: mode %04o, expected %04o", x[k].path,
				 s->mode, x[k].mode);
		if (strcmp(s->package, x[k].package))
			fail_msg("%s: package \"%s\", expected \"%s\"",
				 x[k].path, s->package, x[k].package);
	}
}

/* ---- .deb files ---- */

#define PKG "trtest"
static const char control[] = "Package: " PKG "\n"
			      "Version: 1.0\n"
			      "Architecture: all\n"
			      "Maintainer: Test <test@example.org>\n"
			      "Description: dl_pkg test package\n"
			      " spanning two lines\n";
static const char tool[] = "#!/bin/sh\necho trtool\n";
static const char ro[] = "read only\n";
static const char nested[] = "nested\n";
/* Incompressible and over one 64 KiB read, so hashing streams. */
static uint8_t big[70001];

static const struct expect deb_files[] = {
	{ "/usr/bin/trtool", tool, sizeof(tool) - 1, 0755, PKG },
	{ "/usr/share/trtest/readonly", ro, sizeof(ro) - 1, 0444, PKG },
	{ "/usr/share/trtest/big", big, sizeof(big), 0644, PKG },
	{ "/usr/share/trtest/sub/nested", nested, sizeof(nested) - 1, 0600,
	  PKG },
};

#define N_DEB_FILES (sizeof(deb_files) / sizeof(deb_files[0]))

static void make_tree(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < sizeof(big); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		big[i] = (uint8_t)x;
	}
	mkdirs(tpath("pkg/DEBIAN"));
	put_text(tpath("pkg/DEBIAN/control"), control, 0644);
	put_text(tpath("pkg/usr/bin/trtool"), tool, 0755);
	put_text(tpath("pkg/usr/share/trtest/readonly"), ro, 0444);
	put_file(tpath("pkg/usr/share/trtest/big"), big, sizeof(big), 0644);
	put_text(tpath("pkg/usr/share/trtest/sub/nested"), nested, 0600);
	if (symlink("big", tpath("pkg/usr/share/trtest/link")))
		fail_msg("symlink: %s", strerror(errno));
	/* dpkg-deb sorts: trtool is stored as a file, this as a hard link. */
	if (link(tpath("pkg/usr/bin/trtool"), tpath("pkg/usr/bin/zz-hardlink")))
		fail_msg("link: %s", strerror(errno));
	chmod(tmp, 0755);
	chmod(tpath("pkg"), 0755);
}

/* tmp/<z>.deb built by dpkg-deb -Z<z>, once. */
static const char *deb(const char *z)
{
	const char *p = tpath("%s.deb", z);

	if (access(p, F_OK))
		run("dpkg-deb --root-owner-group -Z%s --build %s %s", z,
		    tpath("pkg"), p);
	return p;
}

static void scan_ok(const char *path, struct collect *c)
{
	char err[512] = "";

	if (dl_scan_deb(path, collect_cb, c, err, sizeof(err)))
		fail_msg("dl_scan_deb %s: %s", path, err);
}

static void scan_fails(const char *path, const char *needle)
{
	struct collect *c = calloc(1, sizeof(*c));
	char err[512] = "";

	assert_non_null(c);
	if (!dl_scan_deb(path, collect_cb, c, err, sizeof(err)))
		fail_msg("dl_scan_deb accepted %s", path);
	assert_err_has(err, needle);
	free(c);
}

static void check_deb(const char *z)
{
	struct collect *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	scan_ok(deb(z), c);
	check_files(c, deb_files, N_DEB_FILES);
	free(c);
}

static void test_deb_xz(void **state)
{
	(void)state;
	check_deb("xz");
}

static void test_deb_gzip(void **state)
{
	(void)state;
	check_deb("gzip");
}

static void test_deb_zstd(void **state)
{
	(void)state;
	check_deb("zstd");
}

static void test_deb_none(void **state)
{
	(void)state;
	check_deb("none");
}

/* dl_scan_deb_mem: the same files from the bytes; a cut copy refused. */
static void test_deb_memory(void **state)
{
	struct collect *c = calloc(1, sizeof(*c));
	uint8_t *buf;
	size_t len;
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	assert_int_equal(read_file_bounded(deb("gzip"), 1 << 24, &buf, &len),
			 0);
	if (dl_scan_deb_mem(buf, len, "mem.deb", collect_cb, c, err,
			    sizeof(err)))
		fail_msg("dl_scan_deb_mem: %s", err);
	check_files(c, deb_files, N_DEB_FILES);
	memset(c, 0, sizeof(*c));
	assert_int_equal(dl_scan_deb_mem(buf, len / 2, "cut.deb", collect_cb, c,
					 err, sizeof(err)),
			 -1);
	assert_err_has(err, "cut.deb");
	free(buf);
	free(c);
}

/* An ar member, read from or written to a .deb. */
struct member {
	char name[32];
	uint8_t *data;
	size_t len;
};

static size_t read_members(const char *path, struct member *m, size_t max)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t n = 0;
	la_ssize_t r;

	assert_non_null(a);
	archive_read_support_format_ar(a);
	assert_int_equal(archive_read_open_filename(a, path, 10240),
			 ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(n < max);
		snprintf(m[n].name, sizeof(m[n].name), "%s",
			 archive_entry_pathname(e));
		m[n].len = (size_t)archive_entry_size(e);
		m[n].data = malloc(m[n].len + 1);
		assert_non_null(m[n].data);
		r = archive_read_data(a, m[n].data, m[n].len);
		assert_int_equal(r, (la_ssize_t)m[n].len);
		n++;
	}
	archive_read_free(a);
	return n;
}

static void free_members(struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].data);
}

static struct member member(const char *name, const void *data, size_t len)
{
	struct member m = { .len = len };

	snprintf(m.name, sizeof(m.name), "%s", name);
	m.data = malloc(len + 1);
	assert_non_null(m.data);
	memcpy(m.data, data, len);
	return m;
}

static void write_ar(const char *path, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	assert_non_null(a);
	assert_non_null(e);
	assert_int_equal(archive_write_set_format_ar_svr4(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].data, m[i].len),
				 (la_ssize_t)m[i].len);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
}

/* A tar entry: a file with @data, or a directory, link, device... */
struct tentry {
	const char *path;
	unsigned type; /* AE_IF*; 0 is a hard link to @data */
	const char *data;
};

/* An uncompressed pax tar of @t in memory. */
static struct member make_tar(const char *name, const struct tentry *t,
			      size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	struct member m = { .len = 0 };
	size_t cap = 1 << 20;

	snprintf(m.name, sizeof(m.name), "%s", name);
	m.data = malloc(cap);
	assert_non_null(m.data);
	assert_int_equal(archive_write_set_format_pax_restricted(a),
			 ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, m.data, cap, &m.len),
			 ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		size_t len = t[i].data && t[i].type == AE_IFREG ?
				     strlen(t[i].data) :
				     0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, t[i].path);
		archive_entry_set_perm(e, 0644);
		if (!t[i].type) {
			archive_entry_set_hardlink(e, t[i].data);
		} else {
			archive_entry_set_filetype(e, t[i].type);
			if (t[i].type == AE_IFLNK)
				archive_entry_set_symlink(e, t[i].data);
			if (t[i].type == AE_IFCHR)
				archive_entry_set_rdev(e, 0x0103);
		}
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, t[i].data, len),
					 (la_ssize_t)len);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	return m;
}

static const struct tentry control_tar[] = {
	{ "./", AE_IFDIR, NULL },
	{ "./control", AE_IFREG, control },
};

/* A .deb of debian-binary, a control.tar and a data.tar of @t. */
static const char *crafted(const char *file, const struct tentry *t, size_t n)
{
	struct member m[3];
	const char *p = tpath("%s", file);

	m[0] = member("debian-binary", "2.0\n", 4);
	m[1] = make_tar("control.tar", control_tar, 2);
	m[2] = make_tar("data.tar", t, n);
	write_ar(p, m, 3);
	free_members(m, 3);
	return p;
}

static void test_deb_bzip2(void **state)
{
	struct member m[4], bz;
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t n, cap;

	(void)state;
	n = read_members(deb("none"), m, 4);
	assert_int_equal(n, 3);
	assert_string_equal(m[2].name, "data.tar");
	/* data.tar.bz2, which dpkg-deb no longer builds */
	cap = m[2].len + 65536;
	bz = member("data.tar.bz2", "", 0);
	free(bz.data);
	bz.data = malloc(cap);
	assert_non_null(bz.data);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_bzip2(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, bz.data, cap, &bz.len),
			 ARCHIVE_OK);
	archive_entry_set_pathname(e, "data.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)m[2].len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, m[2].data, m[2].len),
			 (la_ssize_t)m[2].len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	free(m[2].data);
	m[2] = bz;
	write_ar(tpath("bz2.deb"), m, 3);
	free_members(m, 3);
	check_deb("bz2");
}

/* Data first: the files wait for the package name. */
static void test_deb_data_before_control(void **state)
{
	struct member m[4], t;
	struct collect *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	assert_int_equal(read_members(deb("xz"), m, 4), 3);
	assert_string_equal(m[1].name, "control.tar.xz");
	t = m[1];
	m[1] = m[2];
	m[2] = t;
	write_ar(tpath("reordered.deb"), m, 3);
	free_members(m, 3);
	scan_ok(tpath("reordered.deb"), c);
	check_files(c, deb_files, N_DEB_FILES);
	free(c);
}

/* Every prefix of a .deb is refused, not taken for a smaller package. */
static void test_deb_truncated(void **state)
{
	const char *p = tpath("cut.deb");
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(read_file_bounded(deb("xz"), 1 << 24, &buf, &len), 0);
	for (size_t cut = 0; cut < len; cut += cut + 250 < len ? 250 : 1) {
		struct collect *c = calloc(1, sizeof(*c));
		char err[512] = "";

		assert_non_null(c);
		put_file(p, buf, cut, 0644);
		if (!dl_scan_deb(p, collect_cb, c, err, sizeof(err)))
			fail_msg("%zu of %zu bytes accepted (%zu files)", cut,
				 len, c->n);
		if (!err[0])
			fail_msg("no message for %zu of %zu bytes", cut, len);
		free(c);
	}
	free(buf);
}

static void test_deb_not_a_deb(void **state)
{
	struct member m[2];

	(void)state;
	put_text(tpath("text.deb"), "this is not a Debian package\n", 0644);
	scan_fails(tpath("text.deb"), "not a Debian package (expected an ar");
	put_text(tpath("empty.deb"), "", 0644);
	scan_fails(tpath("empty.deb"), "not a Debian package");
	scan_fails(tpath("absent.deb"), "absent.deb");

	/* An ar archive, but not of a package */
	m[0] = member("hello.txt", "hello\n", 6);
	write_ar(tpath("other.a"), m, 1);
	scan_fails(tpath("other.a"), "first member is \"hello.txt\"");
	free_members(m, 1);

	m[0] = member("debian-binary", "3.0\n", 4);
	write_ar(tpath("v3.deb"), m, 1);
	scan_fails(tpath("v3.deb"), "debian-binary");
	free_members(m, 1);
}

static void test_deb_missing_members(void **state)
{
	struct member m[3];

	(void)state;
	m[0] = member("debian-binary", "2.0\n", 4);
	m[1] = make_tar("control.tar", control_tar, 2);
	write_ar(tpath("nodata.deb"), m, 2);
	scan_fails(tpath("nodata.deb"), "no data.tar member");

	m[2] = make_tar("data.tar", control_tar, 1);
	write_ar(tpath("nocontrol.deb"), (struct member[]){ m[0], m[2] }, 2);
	scan_fails(tpath("nocontrol.deb"), "no control.tar member");

	/* A control.tar with no ./control in it */
	free(m[1].data);
	m[1] = make_tar("control.tar", control_tar, 1);
	write_ar(tpath("emptycontrol.deb"), m, 3);
	scan_fails(tpath("emptycontrol.deb"), "control.tar has no ./control");
	free_members(m, 3);
}

static void test_deb_bad_control(void **state)
{
	static const struct tentry noctl[] = { { "./md5sums", AE_IFREG,
						 "x\n" } };
	static const struct tentry badname[] = {
		{ "./control", AE_IFREG, "Package: ../evil\nVersion: 1\n" }
	};
	static const struct tentry noname[] = { { "./control", AE_IFREG,
						  "Version: 1\n" } };
	const struct {
		const struct tentry *t;
		const char *needle;
	} cases[] = {
		{ noctl, "has no ./control" },
		{ badname, "does not start with a letter or digit" },
		{ noname, "no Package field" },
	};
	static const struct tentry data[] = { { "./a", AE_IFREG, "a\n" } };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct member m[3];

		m[0] = member("debian-binary", "2.0\n", 4);
		m[1] = make_tar("control.tar", cases[i].t, 1);
		m[2] = make_tar("data.tar", data, 1);
		write_ar(tpath("ctl.deb"), m, 3);
		free_members(m, 3);
		scan_fails(tpath("ctl.deb"), cases[i].needle);
	}
}

static void test_deb_hostile_paths(void **state)
{
	static char longp[PATH_MAX + 16];
	const struct {
		struct tentry t;
		const char *needle;
	} cases[] = {
		{ { "../escape", AE_IFREG, "x" }, "\"../escape\"" },
		{ { "./usr/../../escape", AE_IFREG, "x" }, "\"..\" component" },
		{ { "./usr/lib/../..", AE_IFDIR, NULL }, "\"..\" component" },
		{ { "/etc/passwd", AE_IFREG, "x" }, "absolute path" },
		{ { "./usr/bin/evil\nname", AE_IFREG, "x" }, "newline" },
		{ { longp, AE_IFREG, "x" }, "longer than" },
		{ { "./usr/bin/evil", AE_IFLNK, "../../../../etc/passwd" },
		  NULL },
	};

	(void)state;
	memcpy(longp, "./", 2);
	memset(longp + 2, 'a', sizeof(longp) - 3);
	for (size_t i = 50; i < sizeof(longp) - 1; i += 50)
		longp[i] = '/';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tentry t[] = {
			{ "./", AE_IFDIR, NULL },
			{ "./usr/bin/ok", AE_IFREG, "ok\n" },
			cases[i].t,
		};
		const char *p = crafted("hostile.deb", t, 3);
		struct collect *c = calloc(1, sizeof(*c));
		char err[512] = "";
		int r;

		assert_non_null(c);
		r = dl_scan_deb(p, collect_cb, c, err, sizeof(err));
		if (!cases[i].needle) {
			/* A symlink's target is no path of ours. */
			if (r)
				fail_msg("symlink entry refused: %s", err);
			assert_int_equal(c->n, 1);
		} else {
			if (!r)
				fail_msg("entry %.60s accepted",
					 cases[i].t.path);
			assert_err_has(err, cases[i].needle);
			assert_err_has(err, "data.tar");
		}
		free(c);
	}
}

/* Only regular files: no directory, link, hard link, device or FIFO. */
static void test_deb_entry_types(void **state)
{
	static const struct tentry t[] = {
		{ "./", AE_IFDIR, NULL },
		{ "./usr/", AE_IFDIR, NULL },
		{ "usr/bin/file", AE_IFREG, "contents\n" },
		{ "./usr/bin/hard", 0, "usr/bin/file" },
		{ "./usr/bin/sym", AE_IFLNK, "file" },
		{ "./dev/null", AE_IFCHR, NULL },
		{ "./run/fifo", AE_IFIFO, NULL },
		{ ".//usr/./lib//x", AE_IFREG, "" },
	};
	static const struct expect x[] = {
		{ "/usr/bin/file", "contents\n", 9, 0644, PKG },
		{ "/usr/lib/x", "", 0, 0644, PKG },
	};
	struct collect *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	scan_ok(crafted("types.deb", t, sizeof(t) / sizeof(t[0])), c);
	check_files(c, x, 2);
	free(c);
}

static void test_deb_duplicate_and_unknown_members(void **state)
{
	static const struct tentry data[] = { { "./a", AE_IFREG, "a\n" } };
	struct member m[5];

	(void)state;
	m[0] = member("debian-binary", "2.0\n", 4);
	m[1] = make_tar("control.tar", control_tar, 2);
	m[2] = make_tar("data.tar", data, 1);
	m[3] = member("data.tar", m[2].data, m[2].len);
	m[4] = member("_extension", "x", 1);
	write_ar(tpath("dup.deb"), m, 4);
	scan_fails(tpath("dup.deb"), "second data member");
	write_ar(tpath("ext.deb"), (struct member[]){ m[0], m[1], m[4], m[2] },
		 4);
	{
		struct collect *c = calloc(1, sizeof(*c));

		assert_non_null(c);
		scan_ok(tpath("ext.deb"), c);
		assert_int_equal(c->n, 1);
		free(c);
	}
	snprintf(m[4].name, sizeof(m[4].name), "surprise");
	write_ar(tpath("unknown.deb"),
		 (struct member[]){ m[0], m[1], m[4], m[2] }, 4);
	scan_fails(tpath("unknown.deb"), "unexpected member \"surprise\"");
	snprintf(m[3].name, sizeof(m[3].name), "data.tar.lz4");
	write_ar(tpath("lz4.deb"), (struct member[]){ m[0], m[1], m[3] }, 3);
	scan_fails(tpath("lz4.deb"), "unexpected member \"data.tar.lz4\"");
	free_members(m, 5);
}

static void test_deb_callback_stops(void **state)
{
	struct collect *c = calloc(1, sizeof(*c));
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	c->stop_at = 2;
	assert_int_equal(
		dl_scan_deb(deb("xz"), collect_cb, c, err, sizeof(err)), -1);
	assert_int_equal(c->n, 2);
	assert_err_has(err, "stopped by the callback");
	free(c);
}

/* ---- The dpkg database ---- */

static const char alpha_bin[] = "alpha binary\n";
static const char alpha_orig[] = "original data\n";
static const char alpha_mod[] = "modified after install\n";
static const char alpha_nomd5[] = "no md5sums entry\n";
static const char beta_lib[] = "beta library\n";

static void md5_line(char *out, size_t size, const char *data, const char *path)
{
	uint8_t md[16];
	int n = 0;

	digest("md5", data, strlen(data), md);
	for (int i = 0; i < 16; i++)
		n += snprintf(out + n, size - (size_t)n, "%02x", md[i]);
	snprintf(out + n, size - (size_t)n, "  %s\n", path);
}

/* tmp/db/{admin,root}: alpha (plain), beta (Multi-Arch: same), gamma
 * (removed, config files left). */
static void make_db(void)
{
	char sums[1024], l1[128], l2[128], l3[128];

	put_text(tpath("db/admin/status"),
		 "Package: alpha\n"
		 "Status: install ok installed\n"
		 "Priority: optional\n"
		 "Architecture: amd64\n"
		 "Multi-Arch: foreign\n"
		 "Version: 1.0\n"
		 "Description: first\n"
		 " with a continuation line\n"
		 " .\n"
		 "\n"
		 "Package: beta\n"
		 "Status: install ok installed\n"
		 "Architecture: amd64\n"
		 "Multi-Arch: same\n"
		 "Version: 2.0\n"
		 "\n"
		 "Package: gamma\n"
		 "Status: deinstall ok config-files\n"
		 "Architecture: amd64\n"
		 "Version: 3.0\n",
		 0644);
	put_text(tpath("db/admin/info/alpha.list"),
		 "/.\n/usr\n/usr/bin\n/usr/bin/alpha\n/usr/share\n"
		 "/usr/share/alpha\n/usr/share/alpha/data\n"
		 "/usr/share/alpha/missing\n/usr/share/alpha/link\n"
		 "/usr/share/alpha/nomd5\n/usr/share/esc/dpkg\n",
		 0644);
	md5_line(l1, sizeof(l1), alpha_bin, "usr/bin/alpha");
	md5_line(l2, sizeof(l2), alpha_orig, "usr/share/alpha/data");
	md5_line(l3, sizeof(l3), "gone\n", "usr/share/alpha/missing");
	snprintf(sums, sizeof(sums), "%s%s%s", l1, l2, l3);
	put_text(tpath("db/admin/info/alpha.md5sums"), sums, 0644);
	put_text(tpath("db/admin/info/beta:amd64.list"),
		 "/.\n/usr\n/usr/lib\n/usr/lib/libbeta.so.2\n", 0644);
	md5_line(sums, sizeof(sums), beta_lib, "usr/lib/libbeta.so.2");
	put_text(tpath("db/admin/info/beta:amd64.md5sums"), sums, 0644);
	put_text(tpath("db/admin/info/gamma.list"), "/.\n/usr/bin/gamma\n",
		 0644);

	put_text(tpath("db/root/usr/bin/alpha"), alpha_bin, 0755);
	put_text(tpath("db/root/usr/share/alpha/data"), alpha_mod, 0644);
	put_text(tpath("db/root/usr/share/alpha/nomd5"), alpha_nomd5, 0600);
	put_text(tpath("db/root/usr/lib/libbeta.so.2"), beta_lib, 0644);
	put_text(tpath("db/root/usr/bin/gamma"), "gamma\n", 0755);
	if (symlink("data", tpath("db/root/usr/share/alpha/link")))
		fail_msg("symlink: %s", strerror(errno));
	/* Absolute, so it would lead out of the root if followed there. */
	if (symlink("/usr/bin", tpath("db/root/usr/share/esc")))
		fail_msg("symlink: %s", strerror(errno));
}

static const struct expect db_alpha[] = {
	{ "/usr/bin/alpha", alpha_bin, sizeof(alpha_bin) - 1, 0755, "alpha" },
	{ "/usr/share/alpha/data", alpha_mod, sizeof(alpha_mod) - 1, 0644,
	  "alpha" },
	{ "/usr/share/alpha/nomd5", alpha_nomd5, sizeof(alpha_nomd5) - 1, 0600,
	  "alpha" },
};

static const struct expect db_beta[] = {
	{ "/usr/lib/libbeta.so.2", beta_lib, sizeof(beta_lib) - 1, 0644,
	  "beta" },
};

static int scan_db(const char *const *pkgs, struct collect *c, char *err,
		   size_t errlen)
{
	return dl_scan_dpkg(tpath("db/admin"), tpath("db/root"), pkgs,
			    collect_cb, c, mismatch_cb, c, err, errlen);
}

static void test_dpkg_all(void **state)
{
	struct collect *c = calloc(1, sizeof(*c));
	struct expect x[4];
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	if (scan_db(NULL, c, err, sizeof(err)))
		fail_msg("dl_scan_dpkg: %s", err);
	memcpy(x, db_alpha, sizeof(db_alpha));
	x[3] = db_beta[0];
	check_files(c, x, 4);
	assert_int_equal(c->nmismatch, 1);
	assert_string_equal(c->mismatch[0], "/usr/share/alpha/data");
	assert_string_equal(c->mismatch_pkg[0], "alpha");
	free(c);
}

static void test_dpkg_selected(void **state)
{
	static const char *const beta[] = { "beta", NULL };
	static const char *const beta_arch[] = { "beta:amd64", NULL };
	static const char *const alpha[] = { "alpha", NULL };
	struct collect *c = calloc(1, sizeof(*c));
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	if (scan_db(beta, c, err, sizeof(err)))
		fail_msg("dl_scan_dpkg beta: %s", err);
	check_files(c, db_beta, 1);
	assert_int_equal(c->nmismatch, 0);

	memset(c, 0, sizeof(*c));
	if (scan_db(beta_arch, c, err, sizeof(err)))
		fail_msg("dl_scan_dpkg beta:amd64: %s", err);
	check_files(c, db_beta, 1);

	memset(c, 0, sizeof(*c));
	if (scan_db(alpha, c, err, sizeof(err)))
		fail_msg("dl_scan_dpkg alpha: %s", err);
	check_files(c, db_alpha, 3);
	assert_int_equal(c->nmismatch, 1);
	free(c);
}

/* A symlink in the root resolves inside it, not to the host's /usr/bin. */
static void test_dpkg_symlinks_stay_in_root(void **state)
{
	struct collect *c = calloc(1, sizeof(*c));
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	assert_int_equal(access("/usr/bin/dpkg", F_OK), 0);
	if (scan_db(NULL, c, err, sizeof(err)))
		fail_msg("dl_scan_dpkg: %s", err);
	if (find_seen(c, "/usr/share/esc/dpkg"))
		fail_msg("the host's /usr/bin/dpkg was read through a symlink");
	if (find_seen(c, "/usr/share/alpha/link"))
		fail_msg("a symlink was reported");
	free(c);
}

static void test_dpkg_not_installed(void **state)
{
	static const char *const unknown[] = { "alpha", "nosuch", NULL };
	static const char *const removed[] = { "gamma", NULL };
	static const char *const arch[] = { "beta:i386", NULL };
	struct collect *c = calloc(1, sizeof(*c));
	char err[512] = "";

	(void)state;
	assert_non_null(c);
	assert_int_equal(scan_db(unknown, c, err, sizeof(err)), -1);
	assert_err_has(err, "\"nosuch\" is not installed");
	assert_int_equal(c->n, 0); /* refused before anything is reported */
	assert_int_equal(scan_db(removed, c, err, sizeof(err)), -1);
	assert_err_has(err, "\"gamma\" is not installed");
	assert_int_equal(scan_db(arch, c, err, sizeof(err)), -1);
	assert_err_has(err, "\"beta:i386\"");
	assert_int_equal(dl_scan_dpkg(tpath("nodb"), "/", NULL, collect_cb, c,
				      NULL, NULL, err, sizeof(err)),
			 -1);
	assert_err_has(err, "nodb/status");
	free(c);
}

/* Broken database files are refused, naming the file and line. */
static void test_dpkg_malformed(void **state)
{
	char status[PATH_MAX], list[PATH_MAX], sums[PATH_MAX];
	uint8_t *st, *li, *su;
	size_t stn, lin, sun;
	const struct {
		const char *file, *text, *needle;
	} cases[] = {
		{ status, "Package: ../etc\nStatus: install ok installed\n",
		  "status: line 1: package name" },
		{ status, "Status: install ok installed\n",
		  "status: stanza at line 1 has no Package field" },
		{ status, " stray\n", "status: line 1: continuation" },
		{ status, "Package: a\nno colon here\n",
		  "status: line 2: expected \"Field: value\"" },
		{ status,
		  "Package: alpha\nStatus: install ok installed\n"
		  "Architecture: ../x\n",
		  "status: line 3: invalid architecture" },
		{ list, "/.\n/usr/../../etc/passwd\n",
		  "alpha.list: line 2: path has a \"..\"" },
		{ list, "usr/bin/alpha\n",
		  "alpha.list: line 1: not an absolute" },
		{ sums,
		  "d41d8cd98f00b204e9800998ecf8427e  usr/bin/alpha\nxyz\n",
		  "alpha.md5sums: line 2: expected" },
		{ sums, "d41d8cd98f00b204e9800998ecf8427e  ../../x\n",
		  "alpha.md5sums: line 1: path has a \"..\"" },
	};

	(void)state;
	snprintf(status, sizeof(status), "%s", tpath("db/admin/status"));
	snprintf(list, sizeof(list), "%s", tpath("db/admin/info/alpha.list"));
	snprintf(sums, sizeof(sums), "%s",
		 tpath("db/admin/info/alpha.md5sums"));
	assert_int_equal(read_file_bounded(status, 1 << 20, &st, &stn), 0);
	assert_int_equal(read_file_bounded(list, 1 << 20, &li, &lin), 0);
	assert_int_equal(read_file_bounded(sums, 1 << 20, &su, &sun), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct collect *c = calloc(1, sizeof(*c));
		char err[512] = "";

		assert_non_null(c);
		put_text(cases[i].file, cases[i].text, 0644);
		if (!scan_db(NULL, c, err, sizeof(err)))
			fail_msg("accepted %s: \"%s\"", cases[i].file,
				 cases[i].text);
		assert_err_has(err, cases[i].needle);
		put_file(status, st, stn, 0644);
		put_file(list, li, lin, 0644);
		put_file(sums, su, sun, 0644);
		free(c);
	}
	free(st);
	free(li);
	free(su);

	/* An installed package must have its file list. */
	assert_int_equal(rename(tpath("db/admin/info/beta:amd64.list"),
				tpath("db/admin/info/beta.lst")),
			 0);
	{
		struct collect *c = calloc(1, sizeof(*c));
		char err[512] = "";

		assert_non_null(c);
		assert_int_equal(scan_db(NULL, c, err, sizeof(err)), -1);
		rename(tpath("db/admin/info/beta.lst"),
		       tpath("db/admin/info/beta:amd64.list"));
		assert_err_has(err, "no file list for installed package beta "
				    "(no beta.list, no beta:amd64.list)");
		free(c);
	}
}

/* What the scan of the system's dpkg package saw. */
struct sys {
	uint8_t sha256[32];
	unsigned mode;
	int found;
	size_t files, mismatches;
	char package[64];
	char mismatch[PATH_MAX];
};

static int sys_cb(void *ctx, const char *path, const uint8_t sha256[32],
		  unsigned mode, const char *package)
{
	struct sys *s = ctx;

	s->files++;
	if (!strcmp(path, "/usr/bin/dpkg")) {
		s->found++;
		memcpy(s->sha256, sha256, 32);
		s->mode = mode;
		snprintf(s->package, sizeof(s->package), "%s", package);
	}
	return 0;
}

static void sys_mismatch(void *ctx, const char *path, const char *package)
{
	struct sys *s = ctx;

	(void)package;
	s->mismatches++;
	snprintf(s->mismatch, sizeof(s->mismatch), "%s", path);
}

/* The system's own dpkg, against the file on disk. */
static void test_dpkg_system(void **state)
{
	static const char *const dpkg[] = { "dpkg", NULL };
	struct sys *s = calloc(1, sizeof(*s));
	uint8_t *buf, want[32];
	char err[512] = "";
	struct stat st;
	size_t len;

	(void)state;
	assert_non_null(s);
	if (access("/var/lib/dpkg/status", R_OK) ||
	    stat("/usr/bin/dpkg", &st)) {
		free(s);
		skip();
	}
	if (dl_scan_dpkg("/var/lib/dpkg", "/", dpkg, sys_cb, s, sys_mismatch, s,
			 err, sizeof(err)))
		fail_msg("dl_scan_dpkg dpkg: %s", err);
	assert_int_equal(
		read_file_bounded("/usr/bin/dpkg", 1 << 26, &buf, &len), 0);
	digest("sha256", buf, len, want);
	free(buf);
	if (s->found != 1)
		fail_msg("/usr/bin/dpkg reported %d times among %zu files",
			 s->found, s->files);
	if (memcmp(s->sha256, want, 32))
		fail_msg("/usr/bin/dpkg: SHA-256 differs from the file's");
	assert_int_equal(s->mode, st.st_mode & 07777);
	assert_string_equal(s->package, "dpkg");
	if (s->mismatches)
		fail_msg("%zu MD5 mismatches in dpkg, e.g. %s", s->mismatches,
			 s->mismatch);
	free(s);
}

/* ---- The parsers alone ---- */

static void test_parse_norm_path(void **state)
{
	const struct {
		const char *in, *out;
	} ok[] = {
		{ "./usr/bin/x", "/usr/bin/x" },
		{ "usr//bin/./x/", "/usr/bin/x" },
		{ "./", "/" },
		{ ".", "/" },
		{ "/.", "/" },
		{ "a/..b/c..", "/a/..b/c.." },
	};
	static const char *const bad[] = { "..", "./..", "a/../b", "a/..", "" };
	char out[16], err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (dl_norm_path(ok[i].in, strlen(ok[i].in), out, sizeof(out),
				 err, sizeof(err)))
			fail_msg("\"%s\": %s", ok[i].in, err);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!dl_norm_path(bad[i], strlen(bad[i]), out, sizeof(out), err,
				  sizeof(err)))
			fail_msg("\"%s\" accepted as \"%s\"", bad[i], out);
	assert_int_equal(dl_norm_path("a\0b", 3, out, sizeof(out), err,
				      sizeof(err)),
			 -1);
	assert_err_has(err, "NUL");
	/* 15 bytes fit in 16 with the NUL; 16 do not. */
	assert_int_equal(dl_norm_path("abcdefghijklmn", 14, out, sizeof(out),
				      err, sizeof(err)),
			 0);
	assert_int_equal(dl_norm_path("abcdefghijklmno", 15, out, sizeof(out),
				      err, sizeof(err)),
			 -1);
	assert_err_has(err, "longer than 15");
}

static void test_parse_md5sums_line(void **state)
{
	static const char l[] = "0123456789abcdefABCDEF0123456789  usr/bin/x";
	static const uint8_t want[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
					  0xcd, 0xef, 0xab, 0xcd, 0xef, 0x01,
					  0x23, 0x45, 0x67, 0x89 };
	uint8_t md5[16];
	char path[PATH_MAX], err[128];

	(void)state;
	assert_int_equal(dl_md5sums_line(l, strlen(l), md5, path, sizeof(path),
					 err, sizeof(err)),
			 1);
	assert_memory_equal(md5, want, 16);
	assert_string_equal(path, "/usr/bin/x");
	assert_int_equal(dl_md5sums_line("  ", 2, md5, path, sizeof(path), err,
					 sizeof(err)),
			 0);
	assert_int_equal(dl_md5sums_line(l, 34, md5, path, sizeof(path), err,
					 sizeof(err)),
			 -1);
	assert_int_equal(dl_md5sums_line("0123456789abcdefABCDEF012345678g  x",
					 35, md5, path, sizeof(path), err,
					 sizeof(err)),
			 -1);
	assert_err_has(err, "32 hex digits");
	assert_int_equal(dl_md5sums_line("0123456789abcdefABCDEF0123456789 x",
					 34, md5, path, sizeof(path), err,
					 sizeof(err)),
			 -1);
}

static void test_parse_status(void **state)
{
	static const char s[] = "\n  \n"
				"Package: one\n"
				"status: hold ok installed\n"
				"Description: x\n"
				" Package: not-a-field\n"
				"ARCHITECTURE: arm64\n"
				"Multi-Arch: same\n"
				" \t \n"
				"Package: two\n"
				"Status: install ok unpacked\n"
				"\n"
				"Package: three\n"
				"Status: install ok triggers-pending\n"
				"Architecture: all";
	struct dl_status_pkg p;
	size_t off = 0;
	unsigned line = 0;
	char err[128];

	(void)state;
	assert_int_equal(dl_status_next(s, strlen(s), &off, &line, &p, err,
					sizeof(err)),
			 1);
	assert_string_equal(p.name, "one");
	assert_string_equal(p.arch, "arm64");
	assert_true(p.installed && p.multiarch_same);
	assert_int_equal(dl_status_next(s, strlen(s), &off, &line, &p, err,
					sizeof(err)),
			 1);
	assert_string_equal(p.name, "two");
	assert_false(p.installed);
	assert_int_equal(p.arch[0], '\0');
	assert_int_equal(dl_status_next(s, strlen(s), &off, &line, &p, err,
					sizeof(err)),
			 1);
	assert_string_equal(p.name, "three");
	assert_true(p.installed && !p.multiarch_same);
	assert_int_equal(line, 15);
	assert_int_equal(dl_status_next(s, strlen(s), &off, &line, &p, err,
					sizeof(err)),
			 0);
}

static void test_parse_control(void **state)
{
	char name[DL_PKG_NAME_MAX], err[128];
	static const char c[] = "Source: src\npackage:  libfoo1+x.y-z \n";

	(void)state;
	assert_int_equal(dl_control_package(c, strlen(c), name, sizeof(name),
					    err, sizeof(err)),
			 0);
	assert_string_equal(name, "libfoo1+x.y-z");
	assert_int_equal(dl_control_package("Package: a/b\n", 13, name,
					    sizeof(name), err, sizeof(err)),
			 -1);
	assert_err_has(err, "invalid package name");
	assert_int_equal(dl_control_package("Package: a\0b\n", 13, name,
					    sizeof(name), err, sizeof(err)),
			 -1);
	assert_err_has(err, "NUL");
	assert_int_equal(dl_control_package("", 0, name, sizeof(name), err,
					    sizeof(err)),
			 -1);
}

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/test_dl_pkg.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	make_tree();
	make_db();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (tmp[0])
		rm_tree_at(AT_FDCWD, tmp);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deb_xz),
		cmocka_unit_test(test_deb_gzip),
		cmocka_unit_test(test_deb_zstd),
		cmocka_unit_test(test_deb_none),
		cmocka_unit_test(test_deb_memory),
		cmocka_unit_test(test_deb_bzip2),
		cmocka_unit_test(test_deb_data_before_control),
		cmocka_unit_test(test_deb_truncated),
		cmocka_unit_test(test_deb_not_a_deb),
		cmocka_unit_test(test_deb_missing_members),
		cmocka_unit_test(test_deb_bad_control),
		cmocka_unit_test(test_deb_hostile_paths),
		cmocka_unit_test(test_deb_entry_types),
		cmocka_unit_test(test_deb_duplicate_and_unknown_members),
		cmocka_unit_test(test_deb_callback_stops),
		cmocka_unit_test(test_dpkg_all),
		cmocka_unit_test(test_dpkg_selected),
		cmocka_unit_test(test_dpkg_symlinks_stay_in_root),
		cmocka_unit_test(test_dpkg_not_installed),
		cmocka_unit_test(test_dpkg_malformed),
		cmocka_unit_test(test_dpkg_system),
		cmocka_unit_test(test_parse_norm_path),
		cmocka_unit_test(test_parse_md5sums_line),
		cmocka_unit_test(test_parse_status),
		cmocka_unit_test(test_parse_control),
	};

	return TR_RUN(tests, setup, teardown);
}
