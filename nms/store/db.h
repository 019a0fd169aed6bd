/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The store's database, SQLite or PostgreSQL, behind one small interface:
 * open, prepare, bind, step, read columns, exec, transactions. The store
 * writes each query once, in the SQL both accept:
 *
 * - parameters are ?N (or ?, numbered as SQLite numbers them); for
 *   PostgreSQL they become $N;
 * - an INSERT that needs the new row's id says RETURNING id;
 * - now_ms() is the database's clock in Unix milliseconds (a function
 *   the store defines in both), so that several NMS hosts agree on time;
 * - DDL says INTEGER PRIMARY KEY, INTEGER and BLOB; for PostgreSQL these
 *   become an identity BIGINT key, BIGINT and BYTEA (nms_db_ddl).
 *
 * A target is a SQLite file path, or a PostgreSQL connection URI
 * (postgresql://... or postgres://...) or "pg:" followed by a libpq
 * connection string ("pg:host=/tmp/d port=5433 dbname=nms").
 *
 * One connection is for one thread at a time (nmsd opens one per thread).
 */
#ifndef TR_NMS_DB_H
#define TR_NMS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nms_db_kind { NMS_DB_SQLITE, NMS_DB_PG };

/* nms_db_step's answers. */
#define NMS_DB_ROW 1
#define NMS_DB_DONE 0
#define NMS_DB_ERROR (-1)

/* A column's type, as nms_db_column_type gives it. */
enum nms_db_type { NMS_DB_NULL, NMS_DB_INT, NMS_DB_TEXT, NMS_DB_BLOB };

struct nms_db;
struct nms_stmt;

/* Whether @target names a PostgreSQL database (else a SQLite file). */
bool nms_db_target_is_pg(const char *target);

int nms_db_open(struct nms_db **db, const char *target, char *err,
		size_t errlen);
void nms_db_close(struct nms_db *db);
enum nms_db_kind nms_db_kind(const struct nms_db *db);
/* The last error's text ("" when none). */
const char *nms_db_errmsg(const struct nms_db *db);

/*
 * Prepare @sql (one statement). 0, or -1 with the reason in
 * nms_db_errmsg. Parameters bound are used as they are (the caller keeps
 * text and blobs alive until the statement is reset or finalized).
 */
int nms_db_prepare(struct nms_db *db, const char *sql, struct nms_stmt **out);
/*
 * The same for the hot paths (an observation, its routes): @sql must be
 * a string literal, whose address keys a statement kept prepared for the
 * connection's life (SQLite: NMS_DB_STMT_CACHE of them, parsed once; a
 * statement in use by another thread is not shared, that caller gets
 * one of its own. PostgreSQL prepares every text once per connection
 * anyway). nms_db_finalize gives a cached statement back, reset and its
 * bindings cleared, instead of freeing it.
 */
#define NMS_DB_STMT_CACHE 24
int nms_db_prepare_cached(struct nms_db *db, const char *sql,
			  struct nms_stmt **out);
void nms_db_bind_int64(struct nms_stmt *st, int i, int64_t v);
void nms_db_bind_text(struct nms_stmt *st, int i, const char *v);
void nms_db_bind_blob(struct nms_stmt *st, int i, const void *p, size_t n);
void nms_db_bind_null(struct nms_stmt *st, int i);
/* How many parameters the statement has. */
int nms_db_param_count(const struct nms_stmt *st);
/* NMS_DB_ROW, NMS_DB_DONE or NMS_DB_ERROR (see nms_db_errmsg). */
int nms_db_step(struct nms_stmt *st);
int nms_db_column_count(const struct nms_stmt *st);
enum nms_db_type nms_db_column_type(const struct nms_stmt *st, int col);
int64_t nms_db_column_int64(const struct nms_stmt *st, int col);
/* NULL for SQL NULL; otherwise valid until the next step. */
const char *nms_db_column_text(const struct nms_stmt *st, int col);
const void *nms_db_column_blob(const struct nms_stmt *st, int col);
size_t nms_db_column_bytes(const struct nms_stmt *st, int col);
/* Back to before the first step, bindings kept. */
void nms_db_reset(struct nms_stmt *st);
/* Done with @st: freed, or, from nms_db_prepare_cached, given back. */
void nms_db_finalize(struct nms_stmt *st);

/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t nms_db_changes(const struct nms_db *db);
/* Rows changed through this connection since it opened (SQLite; -1 for
 * PostgreSQL): for tests that nothing was written. */
int64_t nms_db_total_changes(const struct nms_db *db);

/* Whether the last error was a UNIQUE (or primary key) violation. */
bool nms_db_unique_violation(const struct nms_db *db);

/* Run @sql, any number of statements without parameters. 0, or -1. */
int nms_db_exec(struct nms_db *db, const char *sql, char *err, size_t errlen);

/*
 * Transactions. BEGIN takes the write lock at once in SQLite (IMMEDIATE:
 * writers are serialised) and is SERIALIZABLE in PostgreSQL; a
 * transaction that lost to a concurrent one fails with
 * nms_db_retryable() true, and is to be run again from the start.
 */
bool nms_db_in_tx(const struct nms_db *db);
int nms_db_begin(struct nms_db *db, char *err, size_t errlen);
int nms_db_commit(struct nms_db *db, char *err, size_t errlen);
void nms_db_rollback(struct nms_db *db);
bool nms_db_retryable(const struct nms_db *db);

/*
 * Commits that do not wait for the disk (nms/store/store.h,
 * nms_store_tx_nosync), outside a transaction: @on starts them for the
 * next transaction, !@on ends them. 1 when started, 0 when the backend
 * has no such commits (PostgreSQL, whose commits stay synchronous;
 * SQLite without a WAL, where NORMAL would not keep a commit whole), -1
 * on error.
 */
int nms_db_nosync(struct nms_db *db, bool on, char *err, size_t errlen);
/*
 * Every commit so far on disk (SQLite: one fsync of the WAL when a nosync
 * commit is pending, then the checkpoint it put off); 0, or -1.
 */
int nms_db_sync(struct nms_db *db, char *err, size_t errlen);
/* Whether a nosync commit is not on disk yet (for tests). */
bool nms_db_unsynced(const struct nms_db *db);
/*
 * For a long-running process, before its first nosync commit: the WAL's
 * restart (which syncs) done now, with a commit that changes nothing
 * (nms_store_warm). 0, or -1; nothing to do for PostgreSQL.
 */
int nms_db_warm(struct nms_db *db, char *err, size_t errlen);

/* How many statements failed in this process (every connection). */
uint64_t nms_db_errors(void);

/*
 * @ddl in the backend's dialect (see above), in a new string to free();
 * NULL when out of memory.
 */
char *nms_db_ddl(const struct nms_db *db, const char *ddl);

#endif
