// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SQLite backend of nms/store/db.h: one file in WAL mode with
 * synchronous=FULL and foreign keys on, a 5 s busy timeout, and now_ms();
 * the hot paths' statements kept prepared, and commits that do not wait
 * for the disk (synchronous=NORMAL for one transaction) with the WAL
 * checkpoint they would run put off until the next sync (nms/store/db.h,
 * nms_db_nosync).
 */
#include "nms/store/db_impl.h"

#include "base/errmsg.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lite_stmt {
	struct nms_stmt base;
	sqlite3_stmt *h;
	int slot; /* of the cache, or -1 */
};

struct lite_slot {
	const char *sql; /* the key: a string literal's address */
	struct lite_stmt *st;
	bool busy; /* handed out, not given back yet */
};

struct lite_db {
	struct nms_db base;
	sqlite3 *h;
	int last_rc, last_ext;
	bool wal; /* the journal is a WAL (else every commit is FULL) */
	bool unsynced; /* a nosync commit is not on disk yet */
	bool in_nosync; /* committing one: its checkpoint waits */
	bool checkpoint_due; /* the WAL is long: checkpoint at the next sync */
	pthread_mutex_t lock; /* of the cache: threads may share a connection */
	struct lite_slot cache[NMS_DB_STMT_CACHE];
};

#define DB(d) ((struct lite_db *)(d))
#define ST(s) (((struct lite_stmt *)(s))->h)

static void set_err(struct nms_db *db)
{
	DB(db)->last_ext = sqlite3_extended_errcode(DB(db)->h);
	snprintf(db->errmsg, sizeof(db->errmsg), "%s",
		 sqlite3_errmsg(DB(db)->h));
}

static struct lite_stmt *new_stmt(struct nms_db *db, const char *sql,
				  unsigned flags)
{
	struct lite_stmt *st = calloc(1, sizeof(*st));

	if (!st) {
		snprintf(db->errmsg, sizeof(db->errmsg), "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(DB(db)->h, sql, -1, flags, &st->h, NULL) !=
	    SQLITE_OK) {
		set_err(db);
		free(st);
		return NULL;
	}
	st->base.db = db;
	st->slot = -1;
	return st;
}

static int lite_prepare(struct nms_db *db, const char *sql,
			struct nms_stmt **out)
{
	struct lite_stmt *st = new_stmt(db, sql, 0);

	if (!st)
		return -1;
	*out = &st->base;
	return 0;
}

static int lite_prepare_cached(struct nms_db *db, const char *sql,
			       struct nms_stmt **out)
{
	struct lite_db *d = DB(db);
	int free_slot = -1;
	struct lite_stmt *st;

	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < NMS_DB_STMT_CACHE; i++) {
		struct lite_slot *c = &d->cache[i];

		if (c->sql == sql && !c->busy) {
			c->busy = true;
			*out = &c->st->base;
			pthread_mutex_unlock(&d->lock);
			return 0;
		}
		if (!c->sql && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) { /* full, or in use elsewhere: one of its own */
		pthread_mutex_unlock(&d->lock);
		return lite_prepare(db, sql, out);
	}
	st = new_stmt(db, sql, SQLITE_PREPARE_PERSISTENT);
	if (!st) {
		pthread_mutex_unlock(&d->lock);
		return -1;
	}
	st->slot = free_slot;
	d->cache[free_slot] = (struct lite_slot){ sql, st, true };
	pthread_mutex_unlock(&d->lock);
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

static void lite_finalize(struct nms_stmt *s)
{
	struct lite_stmt *st = (struct lite_stmt *)s;
	struct lite_db *d = DB(s->db);

	if (st->slot >= 0) {
		/* Given back: no lock held, no old values bound. */
		sqlite3_reset(st->h);
		sqlite3_clear_bindings(st->h);
		pthread_mutex_lock(&d->lock);
		d->cache[st->slot].busy = false;
		pthread_mutex_unlock(&d->lock);
		return;
	}
	sqlite3_finalize(st->h);
	free(st);
}

static int64_t lite_changes(const struct nms_db *db)
{
	return sqlite3_changes(DB(db)->h);
}

static int64_t lite_total_changes(const struct nms_db *db)
{
	return sqlite3_total_changes64(DB(db)->h);
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

/* One statement without results, kept prepared (a string literal). */
static int lite_exec_literal(struct nms_db *db, const char *sql)
{
	struct nms_stmt *st;
	int rc;

	if (lite_prepare_cached(db, sql, &st) < 0)
		return -1;
	rc = lite_step(st);
	lite_finalize(st);
	if (rc == NMS_DB_ERROR)
		return -1;
	/* A nosync transaction committed: pending until the next sync. */
	if (DB(db)->in_nosync && !strcmp(sql, "COMMIT"))
		DB(db)->unsynced = true;
	return 0;
}

static bool lite_retryable(const struct nms_db *db)
{
	/* The busy timeout waits for the lock; past it, try again later. */
	return (DB(db)->last_rc & 0xff) == SQLITE_BUSY;
}

static bool lite_unique_violation(const struct nms_db *db)
{
	return DB(db)->last_ext == SQLITE_CONSTRAINT_UNIQUE ||
	       DB(db)->last_ext == SQLITE_CONSTRAINT_PRIMARYKEY;
}

#define WAL_CHECKPOINT 1000 /* frames: SQLite's own auto-checkpoint */

/*
 * SQLite's auto-checkpoint, except after a nosync commit: a checkpoint
 * syncs the WAL and the database, which would put the disk back on the
 * reroute's path. That one waits for the next sync.
 */
static int wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	struct lite_db *d = arg;

	if (frames < WAL_CHECKPOINT)
		return SQLITE_OK;
	if (d->in_nosync)
		d->checkpoint_due = true;
	else
		sqlite3_wal_checkpoint(h, name);
	return SQLITE_OK;
}

static int lite_nosync(struct nms_db *db, bool on)
{
	struct lite_db *d = DB(db);

	/* Without a WAL, NORMAL would not keep the commit whole: FULL. */
	if (!d->wal)
		return 0;
	/* Per connection, and only for this commit: WAL with NORMAL writes
	 * the commit's frames to the WAL (write(2), no fsync), so a killed
	 * process loses nothing and a power loss at most this transaction,
	 * as a whole. Every other transaction stays FULL. */
	if (on) {
		if (lite_exec_literal(db, "PRAGMA synchronous = NORMAL") < 0)
			return -1;
		d->in_nosync = true;
		return 1;
	}
	d->in_nosync = false;
	return lite_exec_literal(db, "PRAGMA synchronous = FULL") < 0 ? -1 : 1;
}

/* A commit that writes a frame and changes nothing: the schema version
 * written again. The WAL restarts in it if it is to restart at all. */
static int lite_warm(struct nms_db *db)
{
	struct nms_stmt *st;
	char sql[64];
	int v = -1;

	if (!DB(db)->wal)
		return 0;
	if (lite_prepare(db, "PRAGMA user_version", &st) < 0)
		return -1;
	if (lite_step(st) == NMS_DB_ROW)
		v = (int)lite_column_int64(st, 0);
	lite_finalize(st);
	if (v < 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "BEGIN IMMEDIATE; PRAGMA user_version = %d; COMMIT", v);
	if (lite_exec(db, sql) == 0)
		return 0;
	lite_exec(db, "ROLLBACK");
	return -1;
}

static int lite_sync(struct nms_db *db)
{
	struct lite_db *d = DB(db);
	sqlite3_file *wal = NULL;
	int rc;

	if (!d->unsynced)
		return 0;
	/* The WAL holds every commit not yet checkpointed; a checkpoint
	 * syncs the WAL before it copies anything. One fsync of it makes
	 * every commit so far durable, this connection's and others'. */
	rc = sqlite3_file_control(d->h, "main", SQLITE_FCNTL_JOURNAL_POINTER,
				  &wal);
	if (rc != SQLITE_OK) {
		snprintf(db->errmsg, sizeof(db->errmsg), "finding the WAL: %s",
			 sqlite3_errstr(rc));
		return -1;
	}
	if (!wal || !wal->pMethods) {
		snprintf(db->errmsg, sizeof(db->errmsg),
			 "syncing the WAL: it is not open");
		return -1;
	}
	rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK) {
		snprintf(db->errmsg, sizeof(db->errmsg),
			 "syncing the WAL to disk: %s", sqlite3_errstr(rc));
		return -1;
	}
	d->unsynced = false;
	if (d->checkpoint_due) {
		/* What a nosync commit put off; then the WAL's restart, here
		 * rather than in the next observation's commit. */
		d->checkpoint_due = false;
		sqlite3_wal_checkpoint(d->h, "main");
		return lite_warm(db);
	}
	return 0;
}

static bool lite_unsynced(const struct nms_db *db)
{
	return DB(db)->unsynced;
}

static void lite_close(struct nms_db *db)
{
	struct lite_db *d = DB(db);

	lite_sync(db);
	for (int i = 0; i < NMS_DB_STMT_CACHE; i++)
		if (d->cache[i].st) {
			sqlite3_finalize(d->cache[i].st->h);
			free(d->cache[i].st);
		}
	sqlite3_close_v2(d->h);
	pthread_mutex_destroy(&d->lock);
	free(db);
}

/* WAL, as asked for at open: not on a file system without shared memory. */
static bool journal_is_wal(struct nms_db *db)
{
	struct nms_stmt *st;
	bool wal = false;

	if (lite_prepare(db, "PRAGMA journal_mode", &st) < 0)
		return false;
	if (lite_step(st) == NMS_DB_ROW) {
		const char *mode = lite_column_text(st, 0);

		wal = mode && !strcmp(mode, "wal");
	}
	lite_finalize(st);
	return wal;
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
	.prepare_cached = lite_prepare_cached,
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
	.total_changes = lite_total_changes,
	.exec = lite_exec,
	.exec_literal = lite_exec_literal,
	.retryable = lite_retryable,
	.unique_violation = lite_unique_violation,
	.nosync = lite_nosync,
	.sync = lite_sync,
	.warm = lite_warm,
	.unsynced = lite_unsynced,
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
	pthread_mutex_init(&db->lock, NULL);
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
	db->wal = journal_is_wal(&db->base);
	if (db->wal)
		sqlite3_wal_hook(db->h, wal_hook, db);
	*out = &db->base;
	return 0;
fail:
	sqlite3_close_v2(db->h);
	pthread_mutex_destroy(&db->lock);
	free(db);
	return -1;
}
