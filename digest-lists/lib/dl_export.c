// SPDX-License-Identifier: GPL-2.0-only
#include "digest-lists/lib/dl_export.h"
#include "base/hex.h"
#include "base/errmsg.h"

#include "digest-lists/lib/dl_format.h"
#include "digest-lists/lib/dl_gen.h"
#include "base/fileio.h"

#include <errno.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_MAX (256u << 20)

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Printable, no tab: a field of a manifest line. */
static int field_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

int dl_manifest_next(const char *buf, size_t len, size_t *off,
		     size_t digest_size, struct dl_manifest_line *line,
		     char *err, size_t errlen)
{
	const char *p = buf + *off, *end, *tab1, *tab2;
	size_t lineno = 1;

	if (*off >= len)
		return 0;
	for (size_t i = 0; i < *off; i++)
		lineno += buf[i] == '\n';
	end = memchr(p, '\n', len - *off);
	if (!end)
		return tr_fail(err, errlen,
			       "manifest line %zu: no newline at the end",
			       lineno);
	if (digest_size > sizeof(line->digest) ||
	    (size_t)(end - p) < 2 * digest_size + 2)
		return tr_fail(err, errlen, "manifest line %zu: too short",
			       lineno);
	for (size_t i = 0; i < digest_size; i++) {
		int hi = unhex(p[2 * i]), lo = unhex(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return tr_fail(
				err, errlen,
				"manifest line %zu: digest is not %zu lower-case hex bytes",
				lineno, digest_size);
		line->digest[i] = (uint8_t)(hi << 4 | lo);
	}
	tab1 = p + 2 * digest_size;
	if (*tab1 != '\t')
		return tr_fail(err, errlen,
			       "manifest line %zu: no tab after the digest",
			       lineno);
	tab2 = memchr(tab1 + 1, '\t', (size_t)(end - tab1 - 1));
	if (!tab2)
		return tr_fail(err, errlen,
			       "manifest line %zu: no package field", lineno);
	line->path = tab1 + 1;
	line->path_len = (size_t)(tab2 - tab1 - 1);
	line->package = tab2 + 1;
	line->package_len = (size_t)(end - tab2 - 1);
	if (!line->path_len || !field_ok(line->path, line->path_len) ||
	    !field_ok(line->package, line->package_len))
		return tr_fail(
			err, errlen,
			"manifest line %zu: empty path or control characters",
			lineno);
	*off = (size_t)(end - buf) + 1;
	return 1;
}

static int exec_sql(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tr_fail(err, errlen, "sqlite: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int export_one(sqlite3 *db, sqlite3_stmt *ins_list,
		      sqlite3_stmt *ins_ref, const char *path, char *err,
		      size_t errlen)
{
	uint8_t *buf = NULL, *mbuf = NULL, sum[32];
	char h[2 * DL_DIGEST_MAX + 1], mpath[4096];
	struct dl_manifest_line line;
	unsigned char *seen = NULL;
	size_t len, mlen = 0, off = 0;
	struct dl_view v;
	long payload;
	int rc = -1, r;

	if (read_file_bounded(path, LIST_MAX, &buf, &len) < 0)
		return tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	payload = dl_strip_modsig(buf, len, err, errlen);
	if (payload < 0 || dl_parse(buf, (size_t)payload, &v, err, errlen) < 0)
		goto out;
	SHA256(buf, len, sum);
	tr_hex(h, sum, 32);
	sqlite3_reset(ins_list);
	sqlite3_bind_text(ins_list, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins_list, 2, h, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins_list, 3, dl_algo_name(v.algo), -1, SQLITE_STATIC);
	sqlite3_bind_int(ins_list, 4,
			 !!(v.modifiers & IMA_DIGEST_LIST_MOD_IMMUTABLE));
	sqlite3_bind_int64(ins_list, 5, v.count);
	if (sqlite3_step(ins_list) != SQLITE_DONE) {
		tr_fail(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_int64 list_id = sqlite3_last_insert_rowid(db);

	seen = calloc(v.count ? v.count : 1, 1);
	snprintf(mpath, sizeof(mpath), "%s.manifest", path);
	if (!seen)
		goto out;
	if (access(mpath, F_OK) == 0 &&
	    read_file_bounded(mpath, LIST_MAX, &mbuf, &mlen) < 0) {
		tr_fail(err, errlen, "%s: %s", mpath, strerror(errno));
		goto out;
	}
	while (mbuf &&
	       (r = dl_manifest_next((const char *)mbuf, mlen, &off,
				     v.digest_size, &line, err, errlen)) != 0) {
		size_t lo = 0, hi = v.count, mid = 0;
		int c = 1;

		if (r < 0)
			goto out;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			c = memcmp(line.digest, v.digests + mid * v.digest_size,
				   v.digest_size);
			if (!c)
				break;
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (c) {
			tr_hex(h, line.digest, v.digest_size);
			tr_fail(err, errlen,
				"%s: names %s, which %s does not hold", mpath,
				h, path);
			goto out;
		}
		seen[mid] = 1;
		tr_hex(h, line.digest, v.digest_size);
		sqlite3_reset(ins_ref);
		sqlite3_bind_text(ins_ref, 1, h, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins_ref, 2, list_id);
		sqlite3_bind_text(ins_ref, 3, line.path, (int)line.path_len,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_ref, 4, line.package,
				  (int)line.package_len, SQLITE_TRANSIENT);
		if (sqlite3_step(ins_ref) != SQLITE_DONE) {
			tr_fail(err, errlen, "%s", sqlite3_errmsg(db));
			goto out;
		}
	}
	/* Digests no manifest line names still go in, without a path. */
	for (uint32_t i = 0; i < v.count; i++) {
		if (seen[i])
			continue;
		tr_hex(h, v.digests + (size_t)i * v.digest_size, v.digest_size);
		sqlite3_reset(ins_ref);
		sqlite3_bind_text(ins_ref, 1, h, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins_ref, 2, list_id);
		sqlite3_bind_text(ins_ref, 3, "", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_ref, 4, "", -1, SQLITE_STATIC);
		if (sqlite3_step(ins_ref) != SQLITE_DONE) {
			tr_fail(err, errlen, "%s", sqlite3_errmsg(db));
			goto out;
		}
	}
	rc = 0;
out:
	free(seen);
	free(buf);
	free(mbuf);
	return rc;
}

int dl_export(const char *db_path, const char *const *paths, size_t n,
	      char *err, size_t errlen)
{
	sqlite3_stmt *ins_list = NULL, *ins_ref = NULL;
	char tmp[4096];
	sqlite3 *db = NULL;
	int rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", db_path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return tr_fail(err, errlen, "%s: path too long", db_path);
	unlink(tmp);
	if (sqlite3_open(tmp, &db) != SQLITE_OK) {
		tr_fail(err, errlen, "%s: %s", tmp, sqlite3_errmsg(db));
		goto out;
	}
	if (exec_sql(db,
		     "PRAGMA journal_mode=OFF;"
		     "BEGIN;"
		     "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
		     "INSERT INTO meta VALUES('schema_version', '1');"
		     "CREATE TABLE lists(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
		     " sha256 TEXT NOT NULL UNIQUE, algo TEXT NOT NULL,"
		     " immutable INTEGER NOT NULL, count INTEGER NOT NULL);"
		     "CREATE TABLE refs(digest TEXT NOT NULL,"
		     " list_id INTEGER NOT NULL REFERENCES lists(id),"
		     " path TEXT NOT NULL, package TEXT NOT NULL);",
		     err, errlen) < 0)
		goto out;
	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO lists(name, sha256, algo, immutable, count)"
		    " VALUES(?, ?, ?, ?, ?)",
		    -1, &ins_list, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO refs VALUES(?, ?, ?, ?)", -1,
			       &ins_ref, NULL) != SQLITE_OK) {
		tr_fail(err, errlen, "sqlite: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (export_one(db, ins_list, ins_ref, paths[i], err, errlen) <
		    0)
			goto out;
	if (exec_sql(db, "CREATE INDEX refs_digest ON refs(digest); COMMIT;",
		     err, errlen) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(ins_list);
	sqlite3_finalize(ins_ref);
	if (db && sqlite3_close(db) != SQLITE_OK && !rc)
		rc = tr_fail(err, errlen, "sqlite: cannot close %s", tmp);
	if (!rc && rename(tmp, db_path) < 0)
		rc = tr_fail(err, errlen, "%s: %s", db_path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
