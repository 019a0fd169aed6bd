// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SQLite backend of nms/store/db.h: one file in WAL mode with
 * synchronous=FULL and foreign keys on, a 5 s busy timeout, and now_ms().
 */
#include "nms/store/db_impl.h"

#include "base/errmsg.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lite_db {
	struct nms_db base;
	sqlite3 *h;
	int last_rc;
};

struct lite_stmt {
	struct nms_stmt base;
	sqlite3_stmt *h;
};

#define DB(d) ((struct lite_db *)(d))
#define ST(s) (((struct lite_stmt *)(s))->h)

static void set_err(struct nms_db *db)
{
	snprintf(db->errmsg, sizeof(db->errmsg), "%s",
		 sqlite3_errmsg(DB(db)->h));
}

static int lite_prepare(struct nms_db *db, const char *sql,
			struct nms_stmt **out)
{
	struct lite_stmt *st = calloc(1, sizeof(*st));

	if (!st) {
		snprintf(db->errmsg, sizeof(db->errmsg), "out of memory");
		return -1;
	}
	if (sqlite3_prepare_v2(DB(db)->h, sql, -1, &st->h, NULL) != SQLITE_OK) {
		set_err(db);
		free(st);
		return -1;
	}
	st->base.db = db;
	*out = &st->base;
	return 0;
}

static void lite_bind_int64(struct nms_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(ST(st), i, v);
}

static void lite_bind_text(struct nms_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(ST(st), i, v, -1, SQLITE_STATIC);
}

static void lite_bind_blob(struct nms_stmt *st, int i, const void *p, size_t n)
{
	/* An empty blob is a zero-length blob, not NULL. */
	sqlite3_bind_blob(ST(st), i, n ? p : (const void *)"", (int)n,
			  SQLITE_STATIC);
}

static void lite_bind_null(struct nms_stmt *st, int i)
{
	sqlite3_bind_null(ST(st), i);
}

static int lite_param_count(const struct nms_stmt *st)
{
	return sqlite3_bind_parameter_count(ST(st));
}

static int lite_step(struct nms_stmt *st)
{
	int rc = sqlite3_step(ST(st));

	DB(st->db)->last_rc = rc;
	if (rc == SQLITE_ROW)
		return NMS_DB_ROW;
	if (rc == SQLITE_DONE)
		return NMS_DB_DONE;
	set_err(st->db);
	return NMS_DB_ERROR;
}

static int lite_column_count(const struct nms_stmt *st)
{
	return sqlite3_column_count(ST(st));
}

static enum nms_db_type lite_column_type(const struct nms_stmt *st, int col)
{
	switch (sqlite3_column_type(ST(st), col)) {
	case SQLITE_INTEGER:
		return NMS_DB_INT;
	case SQLITE_BLOB:
		return NMS_DB_BLOB;
	case SQLITE_NULL:
		return NMS_DB_NULL;
	default:
		return NMS_DB_TEXT;
	}
}

static int64_t lite_column_int64(const struct nms_stmt *st, int col)
{
	return sqlite3_column_int64(ST(st), col);
}

static const char *lite_column_text(const struct nms_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(ST(st), col);
}

static const void *lite_column_blob(const struct nms_stmt *st, int col)
{
	return sqlite3_column_blob(ST(st), col);
}

static size_t lite_column_bytes(const struct nms_stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(ST(st), col);
}

static void lite_reset(struct nms_stmt *st)
{
	sqlite3_reset(ST(st));
}

static void lite_finalize(struct nms_stmt *st)
{
	sqlite3_finalize(ST(st));
	free(st);
}

static int64_t lite_changes(const struct nms_db *db)
{
	return sqlite3_changes(DB(db)->h);
}

static int lite_exec(struct nms_db *db, const char *sql)
{
	char *msg = NULL;

	DB(db)->last_rc = sqlite3_exec(DB(db)->h, sql, NULL, NULL, &msg);
	if (DB(db)->last_rc == SQLITE_OK)
		return 0;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s",
		 msg ? msg : sqlite3_errmsg(DB(db)->h));
	sqlite3_free(msg);
	return -1;
}

static bool lite_retryable(const struct nms_db *db)
{
	/* The busy timeout waits for the lock; past it, try again later. */
	return (DB(db)->last_rc & 0xff) == SQLITE_BUSY;
}

static void lite_close(struct nms_db *db)
{
	sqlite3_close_v2(DB(db)->h);
	free(db);
}

/* now_ms(): Unix time in ms; SQLite's clock is this host's. */
static void now_ms(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct timespec ts;

	(void)argc;
	(void)argv;
	clock_gettime(CLOCK_REALTIME, &ts);
	sqlite3_result_int64(c,
			     (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static const struct nms_db_ops lite_ops = {
	.prepare = lite_prepare,
	.bind_int64 = lite_bind_int64,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.bind_null = lite_bind_null,
	.param_count = lite_param_count,
	.step = lite_step,
	.column_count = lite_column_count,
	.column_type = lite_column_type,
	.column_int64 = lite_column_int64,
	.column_text = lite_column_text,
	.column_blob = lite_column_blob,
	.column_bytes = lite_column_bytes,
	.reset = lite_reset,
	.finalize = lite_finalize,
	.changes = lite_changes,
	.exec = lite_exec,
	.retryable = lite_retryable,
	.close = lite_close,
};

int nms_db_sqlite_open(struct nms_db **out, const char *path, char *err,
		       size_t errlen)
{
	struct lite_db *db = calloc(1, sizeof(*db));

	if (!db)
		return tr_fail(err, errlen, "out of memory");
	db->base.ops = &lite_ops;
	db->base.kind = NMS_DB_SQLITE;
	if (sqlite3_open_v2(path, &db->h,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		tr_fail(err, errlen, "%s: %s", path,
			db->h ? sqlite3_errmsg(db->h) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 5000);
	if (sqlite3_create_function(db->h, "now_ms", 0, SQLITE_UTF8, NULL,
				    now_ms, NULL, NULL) != SQLITE_OK ||
	    lite_exec(&db->base, "PRAGMA journal_mode = WAL;"
				 " PRAGMA synchronous = FULL;"
				 " PRAGMA foreign_keys = ON;") < 0) {
		tr_fail(err, errlen, "%s: %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	*out = &db->base;
	return 0;
fail:
	sqlite3_close_v2(db->h);
	free(db);
	return -1;
}
