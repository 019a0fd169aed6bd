// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generating lists: a directory tree split into immutable and mutable
 * lists with manifests, byte-for-byte deterministic; lists from an IMA log
 * the test kernel wrote; and the reference database export, with
 * malformed manifests refused.
 */
#define _GNU_SOURCE
#include "digest-lists/lib/dl_export.h"
#include "digest-lists/lib/dl_format.h"
#include "digest-lists/lib/dl_gen.h"
#include "base/fileio.h"
#include "tr_test.h"

#include <ftw.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/trustroute-dlgen-XXXXXX";

static void put(const char *rel, const char *content, mode_t mode)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static int rm(const char *p, const struct stat *st, int t, struct FTW *f)
{
	(void)st;
	(void)t;
	(void)f;
	return remove(p);
}

static int setup(void **state)
{
	char p[512];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(p, sizeof(p), "%s/tree", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/tree/bin", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/out", dir);
	mkdir(p, 0755);
	put("tree/bin/tool", "#!/bin/sh\necho tool\n", 0755);
	put("tree/readonly.conf", "ro\n", 0444);
	put("tree/state", "mutable\n", 0644);
	put("tree/same-as-tool", "#!/bin/sh\necho tool\n", 0555);
	snprintf(p, sizeof(p), "%s/tree/link", dir);
	return symlink("bin/tool", p);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void sha256_of(const char *s, uint8_t out[32])
{
	SHA256((const uint8_t *)s, strlen(s), out);
}

static void read_all(const char *path, uint8_t **buf, size_t *len)
{
	if (read_file_bounded(path, 1 << 24, buf, len) < 0)
		fail_msg("cannot read %s", path);
}

static void gen_tree(const char *out)
{
	char tree[512], path[512], err[256];
	struct dl_set s;
	size_t n;

	snprintf(tree, sizeof(tree), "%s/tree", dir);
	dl_set_init(&s, HASH_ALGO_SHA256);
	assert_int_equal(dl_gen_dir(&s, tree, "/", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/out/%s", dir, out);
	assert_int_equal(
		dl_set_write(&s, true, path, true, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2); /* tool and its copy share a digest */
	strcat(path, ".mutable");
	assert_int_equal(
		dl_set_write(&s, false, path, false, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	dl_set_free(&s);
}

static void test_dir_split_and_manifest(void **state)
{
	uint8_t *buf, tool[32], ro[32], st[32];
	char path[512], err[256], *man;
	struct dl_view v;
	size_t len;

	(void)state;
	gen_tree("a.list");
	sha256_of("#!/bin/sh\necho tool\n", tool);
	sha256_of("ro\n", ro);
	sha256_of("mutable\n", st);

	snprintf(path, sizeof(path), "%s/out/a.list", dir);
	read_all(path, &buf, &len);
	assert_int_equal(dl_parse(buf, len, &v, err, sizeof(err)), 0);
	assert_int_equal(v.modifiers, IMA_DIGEST_LIST_MOD_IMMUTABLE);
	assert_true(dl_contains(&v, tool));
	assert_true(dl_contains(&v, ro));
	assert_false(dl_contains(&v, st));
	free(buf);

	snprintf(path, sizeof(path), "%s/out/a.list.mutable", dir);
	read_all(path, &buf, &len);
	assert_int_equal(dl_parse(buf, len, &v, err, sizeof(err)), 0);
	assert_int_equal(v.modifiers, 0);
	assert_true(dl_contains(&v, st));
	free(buf);

	/* The manifest names both copies of the tool; symlinks are skipped. */
	snprintf(path, sizeof(path), "%s/out/a.list.manifest", dir);
	read_all(path, &buf, &len);
	man = strndup((char *)buf, len);
	assert_non_null(strstr(man, "\t/bin/tool\t\n"));
	assert_non_null(strstr(man, "\t/same-as-tool\t\n"));
	assert_non_null(strstr(man, "\t/readonly.conf\t\n"));
	assert_null(strstr(man, "/link"));
	assert_null(strstr(man, "/state"));
	free(man);
	free(buf);
}

static void test_deterministic(void **state)
{
	uint8_t *a, *b;
	size_t la, lb;
	char pa[512], pb[512];

	(void)state;
	gen_tree("x.list");
	gen_tree("y.list");
	snprintf(pa, sizeof(pa), "%s/out/x.list", dir);
	snprintf(pb, sizeof(pb), "%s/out/y.list", dir);
	read_all(pa, &a, &la);
	read_all(pb, &b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	strcat(pa, ".manifest");
	strcat(pb, ".manifest");
	read_all(pa, &a, &la);
	read_all(pb, &b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

static void test_missing_dir(void **state)
{
	struct dl_set s;
	char err[256];

	(void)state;
	dl_set_init(&s, HASH_ALGO_SHA256);
	assert_int_equal(
		dl_gen_dir(&s, "/nonexistent/tree", "/", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a directory"));
	dl_set_free(&s);
}

/* The test kernel's log: 6 files measured besides the boot aggregate. */
static void test_from_ima_log(void **state)
{
	uint8_t *log;
	size_t len;
	struct dl_set s;
	char err[256];

	(void)state;
	read_all(TR_DATA_DIR "/ima/vm-boot.bin", &log, &len);
	dl_set_init(&s, HASH_ALGO_SHA256);
	assert_int_equal(dl_gen_ima_log(&s, log, len, 10, err, sizeof(err)), 0);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.e[0].path, "/bin/busybox");
	for (size_t i = 0; i < s.n; i++)
		assert_string_not_equal(s.e[i].path, "boot_aggregate");
	dl_set_free(&s);
	/* Another PCR holds nothing; a truncated log is an error. */
	dl_set_init(&s, HASH_ALGO_SHA256);
	assert_int_equal(dl_gen_ima_log(&s, log, len, 11, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(dl_gen_ima_log(&s, log, len - 5, 10, err, sizeof(err)),
			 -1);
	dl_set_free(&s);
	free(log);
}

static void test_manifest_parser(void **state)
{
	static const char *const bad[] = {
		"zz\tp\t\n", /* too short */
		"0101010101010101010101010101010101010101010101010101010101010101 /p\t\n",
		"0101010101010101010101010101010101010101010101010101010101010101\t/p\n",
		"0101010101010101010101010101010101010101010101010101010101010101\t\tpkg\n",
		"0101010101010101010101010101010101010101010101010101010101010101\t/p\x01\t\n",
		"0101010101010101010101010101010101010101010101010101010101010101\t/p\t",
		"01010101010101010101010101010101010101010101010101010101010101XY\t/p\t\n",
	};
	const char *good =
		"0101010101010101010101010101010101010101010101010101010101010101\t/usr/bin/x\tpkg\n";
	struct dl_manifest_line line;
	size_t off = 0;
	char err[256];

	(void)state;
	assert_int_equal(dl_manifest_next(good, strlen(good), &off, 32, &line,
					  err, sizeof(err)),
			 1);
	assert_int_equal(line.digest[31], 1);
	assert_int_equal(line.path_len, 10);
	assert_memory_equal(line.package, "pkg", 3);
	assert_int_equal(dl_manifest_next(good, strlen(good), &off, 32, &line,
					  err, sizeof(err)),
			 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		off = 0;
		if (dl_manifest_next(bad[i], strlen(bad[i]), &off, 32, &line,
				     err, sizeof(err)) != -1)
			fail_msg("manifest case %zu accepted", i);
		assert_non_null(strstr(err, "manifest line 1"));
	}
}

static int count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_export(void **state)
{
	char list[512], db_path[512], man[600], err[256];
	const char *lists[1] = { list };
	sqlite3 *db;
	FILE *f;

	(void)state;
	gen_tree("e.list");
	snprintf(list, sizeof(list), "%s/out/e.list", dir);
	snprintf(db_path, sizeof(db_path), "%s/out/ref.db", dir);
	assert_int_equal(dl_export(db_path, lists, 1, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM lists"), 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM refs"), 3);
	assert_int_equal(
		count_rows(db,
			   "SELECT count(*) FROM refs WHERE path = '/bin/tool'"),
		1);
	assert_int_equal(
		count_rows(
			db,
			"SELECT value FROM meta WHERE key = 'schema_version'"),
		1);
	sqlite3_close(db);

	/* A manifest naming a digest its list lacks is refused, and the old
	 * database stays as it was. */
	snprintf(man, sizeof(man), "%s.manifest", list);
	f = fopen(man, "a");
	fputs("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\t/evil\t\n",
	      f);
	fclose(f);
	assert_int_equal(dl_export(db_path, lists, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not hold"));
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM refs"), 3);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_split_and_manifest),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test(test_from_ima_log),
		cmocka_unit_test(test_manifest_parser),
		cmocka_unit_test(test_export),
	};

	return TR_RUN(tests, setup, teardown);
}
