// SPDX-License-Identifier: GPL-2.0-only
/*
 * The store's database interface: which backend a target names, the
 * calls handed to it, transactions, and DDL in the backend's dialect.
 */
#include "nms/store/db.h"
#include "nms/store/db_impl.h"

#include "base/errmsg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Statements that failed, in this process (for /metrics). */
static uint64_t db_errors;

uint64_t nms_db_errors(void)
{
	return __atomic_load_n(&db_errors, __ATOMIC_RELAXED);
}

static int failed(void)
{
	__atomic_add_fetch(&db_errors, 1, __ATOMIC_RELAXED);
	return -1;
}

bool nms_db_target_is_pg(const char *target)
{
	return !strncmp(target, "postgresql://", 13) ||
	       !strncmp(target, "postgres://", 11) ||
	       !strncmp(target, "pg:", 3);
}

int nms_db_open(struct nms_db **db, const char *target, char *err,
		size_t errlen)
{
	*db = NULL;
	if (!target || !*target)
		return tr_fail(err, errlen, "no database named");
	if (nms_db_target_is_pg(target))
		return nms_db_pg_open(
			db, strncmp(target, "pg:", 3) ? target : target + 3,
			err, errlen);
	return nms_db_sqlite_open(db, target, err, errlen);
}

void nms_db_close(struct nms_db *db)
{
	if (db)
		db->ops->close(db);
}

enum nms_db_kind nms_db_kind(const struct nms_db *db)
{
	return db->kind;
}

const char *nms_db_errmsg(const struct nms_db *db)
{
	return db ? db->errmsg : "no database";
}

int nms_db_prepare(struct nms_db *db, const char *sql, struct nms_stmt **out)
{
	*out = NULL;
	return db->ops->prepare(db, sql, out) < 0 ? failed() : 0;
}

int nms_db_prepare_cached(struct nms_db *db, const char *sql,
			  struct nms_stmt **out)
{
	*out = NULL;
	if (!db->ops->prepare_cached)
		return nms_db_prepare(db, sql, out);
	return db->ops->prepare_cached(db, sql, out) < 0 ? failed() : 0;
}

void nms_db_bind_int64(struct nms_stmt *st, int i, int64_t v)
{
	st->db->ops->bind_int64(st, i, v);
}

void nms_db_bind_text(struct nms_stmt *st, int i, const char *v)
{
	if (v)
		st->db->ops->bind_text(st, i, v);
	else
		st->db->ops->bind_null(st, i);
}

void nms_db_bind_blob(struct nms_stmt *st, int i, const void *p, size_t n)
{
	st->db->ops->bind_blob(st, i, p, n);
}

void nms_db_bind_null(struct nms_stmt *st, int i)
{
	st->db->ops->bind_null(st, i);
}

int nms_db_param_count(const struct nms_stmt *st)
{
	return st->db->ops->param_count(st);
}

int nms_db_step(struct nms_stmt *st)
{
	int rc = st->db->ops->step(st);

	if (rc == NMS_DB_ERROR)
		failed();
	return rc;
}

int nms_db_column_count(const struct nms_stmt *st)
{
	return st->db->ops->column_count(st);
}

enum nms_db_type nms_db_column_type(const struct nms_stmt *st, int col)
{
	return st->db->ops->column_type(st, col);
}

int64_t nms_db_column_int64(const struct nms_stmt *st, int col)
{
	return st->db->ops->column_int64(st, col);
}

const char *nms_db_column_text(const struct nms_stmt *st, int col)
{
	return st->db->ops->column_text(st, col);
}

const void *nms_db_column_blob(const struct nms_stmt *st, int col)
{
	return st->db->ops->column_blob(st, col);
}

size_t nms_db_column_bytes(const struct nms_stmt *st, int col)
{
	return st->db->ops->column_bytes(st, col);
}

void nms_db_reset(struct nms_stmt *st)
{
	st->db->ops->reset(st);
}

void nms_db_finalize(struct nms_stmt *st)
{
	if (st)
		st->db->ops->finalize(st);
}

int64_t nms_db_changes(const struct nms_db *db)
{
	return db->ops->changes(db);
}

int64_t nms_db_total_changes(const struct nms_db *db)
{
	return db->ops->total_changes ? db->ops->total_changes(db) : -1;
}

int nms_db_exec(struct nms_db *db, const char *sql, char *err, size_t errlen)
{
	if (db->ops->exec(db, sql) == 0)
		return 0;
	failed();
	return tr_fail(err, errlen, "%s", db->errmsg);
}

/* One statement without parameters, a string literal: kept prepared
 * where the backend can (BEGIN and COMMIT are on every hot path). */
static int exec_literal(struct nms_db *db, const char *sql, char *err,
			size_t errlen)
{
	if (!db->ops->exec_literal)
		return nms_db_exec(db, sql, err, errlen);
	if (db->ops->exec_literal(db, sql) == 0)
		return 0;
	failed();
	return tr_fail(err, errlen, "%s", db->errmsg);
}

bool nms_db_unique_violation(const struct nms_db *db)
{
	return db->ops->unique_violation(db);
}

int nms_db_nosync(struct nms_db *db, bool on, char *err, size_t errlen)
{
	int rc;

	if (!db->ops->nosync || db->tx_depth)
		return 0;
	rc = db->ops->nosync(db, on);
	if (rc < 0) {
		failed();
		return tr_fail(err, errlen, "%s", db->errmsg);
	}
	return rc;
}

int nms_db_sync(struct nms_db *db, char *err, size_t errlen)
{
	if (!db->ops->sync || db->ops->sync(db) == 0)
		return 0;
	failed();
	return tr_fail(err, errlen, "%s", db->errmsg);
}

bool nms_db_unsynced(const struct nms_db *db)
{
	return db->ops->unsynced && db->ops->unsynced(db);
}

int nms_db_warm(struct nms_db *db, char *err, size_t errlen)
{
	if (!db->ops->warm || db->ops->warm(db) == 0)
		return 0;
	failed();
	return tr_fail(err, errlen, "%s", db->errmsg);
}

bool nms_db_in_tx(const struct nms_db *db)
{
	return db->tx_depth > 0;
}

int nms_db_begin(struct nms_db *db, char *err, size_t errlen)
{
	/* SQLite: the write lock now, so that what is read inside is what
	 * is written on. PostgreSQL: as if the transactions ran one by one,
	 * or one of them fails and runs again. */
	if (exec_literal(db,
			 db->kind == NMS_DB_SQLITE ?
				 "BEGIN IMMEDIATE" :
				 "BEGIN ISOLATION LEVEL SERIALIZABLE",
			 err, errlen) < 0)
		return -1;
	db->tx_depth = 1;
	return 0;
}

int nms_db_commit(struct nms_db *db, char *err, size_t errlen)
{
	int rc = exec_literal(db, "COMMIT", err, errlen);

	if (rc < 0)
		nms_db_rollback(db);
	db->tx_depth = 0;
	return rc;
}

void nms_db_rollback(struct nms_db *db)
{
	char keep[sizeof(db->errmsg)];

	/* The error that led here is the one to tell. */
	memcpy(keep, db->errmsg, sizeof(keep));
	db->ops->exec(db, "ROLLBACK");
	memcpy(db->errmsg, keep, sizeof(keep));
	db->tx_depth = 0;
}

bool nms_db_retryable(const struct nms_db *db)
{
	return db->ops->retryable(db);
}

/* Whether @p (in @s) starts the word @w, case-insensitively. */
static bool word_at(const char *s, const char *p, const char *w)
{
	size_t n = strlen(w);

	if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		return false;
	if (strncasecmp(p, w, n))
		return false;
	return !isalnum((unsigned char)p[n]) && p[n] != '_';
}

char *nms_db_ddl(const struct nms_db *db, const char *ddl)
{
	static const struct {
		const char *from, *to;
	} pg[] = {
		{ "INTEGER PRIMARY KEY",
		  "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
		{ "INTEGER", "BIGINT" },
		{ "BLOB", "BYTEA" },
	};
	size_t cap = 2 * strlen(ddl) + 64, n = 0;
	char *out = malloc(cap);
	bool quoted = false;

	if (!out)
		return NULL;
	for (const char *p = ddl; *p;) {
		size_t i = 0;

		if (*p == '\'')
			quoted = !quoted;
		if (db->kind == NMS_DB_PG && !quoted)
			for (; i < sizeof(pg) / sizeof(pg[0]); i++)
				if (word_at(ddl, p, pg[i].from))
					break;
		if (db->kind == NMS_DB_PG && !quoted &&
		    i < sizeof(pg) / sizeof(pg[0])) {
			size_t m = strlen(pg[i].to);

			if (n + m + 1 >= cap) {
				char *o = realloc(out, cap = 2 * cap + m);

				if (!o) {
					free(out);
					return NULL;
				}
				out = o;
			}
			memcpy(out + n, pg[i].to, m);
			n += m;
			p += strlen(pg[i].from);
			continue;
		}
		if (n + 2 >= cap) {
			char *o = realloc(out, cap *= 2);

			if (!o) {
				free(out);
				return NULL;
			}
			out = o;
		}
		out[n++] = *p++;
	}
	out[n] = 0;
	return out;
}
