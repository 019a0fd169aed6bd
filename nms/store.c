// SPDX-License-Identifier: GPL-2.0-only
/*
 * SQLite store: opening, schema migrations, transactions, the event log.
 */
#include "store.h"

#include "errmsg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * Migration N takes the schema from version N-1 to N. Append only: a
 * released migration never changes, or databases made by it would differ
 * from new ones.
 */
static const char *const migrations[] = {
	/* 1: enrollment state */
	"CREATE TABLE devices ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  trust TEXT NOT NULL DEFAULT 'unknown'"
	"    CHECK (trust IN ('good', 'unknown', 'bad', 'offline')),"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	/* An EK belongs to one device: the same TPM cannot enroll twice
	 * under two names. */
	"CREATE TABLE eks ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL UNIQUE REFERENCES devices(id),"
	"  name BLOB NOT NULL UNIQUE,"
	"  public BLOB NOT NULL,"
	"  cert BLOB NOT NULL);"
	"CREATE TABLE aks ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  name BLOB NOT NULL UNIQUE,"
	"  public BLOB NOT NULL,"
	"  activated INTEGER);"
	"CREATE TABLE tls_keys ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  name BLOB NOT NULL UNIQUE,"
	"  public BLOB NOT NULL,"
	"  policy BLOB NOT NULL,"
	"  certified INTEGER NOT NULL);"
	"CREATE TABLE certificates ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  tls_key_id INTEGER NOT NULL REFERENCES tls_keys(id),"
	"  serial TEXT NOT NULL UNIQUE,"
	"  der BLOB NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  issued INTEGER NOT NULL);"
	/* A challenge (nonce, credential secret) is used once: its row is
	 * consumed by the answer, so a replayed answer finds nothing. */
	"CREATE TABLE challenges ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  nonce BLOB NOT NULL UNIQUE,"
	"  secret_hash BLOB NOT NULL,"
	"  expires INTEGER NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER REFERENCES devices(id),"
	"  time INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE INDEX events_by_device ON events(device_id, time);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == NMS_SCHEMA_VERSION,
	       "one migration per schema version");

static int db_fail(struct nms_store *s, char *err, size_t errlen,
		   const char *what)
{
	return tr_fail(err, errlen, "%s: %s", what,
		       s->db ? sqlite3_errmsg(s->db) : "no database");
}

int nms_store_version(struct nms_store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int exec(struct nms_store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	tr_fail(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return -1;
}

static int migrate(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	char buf[64];
	int v = nms_store_version(s);

	(void)arg;
	/* Read again inside the transaction: another NMS process may have
	 * migrated meanwhile. */
	if (v < 0)
		return db_fail(s, err, errlen, "reading the schema version");
	for (; v < NMS_SCHEMA_VERSION; v++) {
		if (exec(s, migrations[v], err, errlen) < 0)
			return -1;
		snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", v + 1);
		if (exec(s, buf, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int nms_store_open(struct nms_store *s, const char *path, char *err,
		   size_t errlen)
{
	int v;

	memset(s, 0, sizeof(*s));
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		db_fail(s, err, errlen, path);
		nms_store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s,
		 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		 "PRAGMA foreign_keys = ON;",
		 err, errlen) < 0)
		goto fail;
	v = nms_store_version(s);
	if (v > NMS_SCHEMA_VERSION) {
		tr_fail(err, errlen,
			"%s: schema version %d is newer than this NMS knows (%d)",
			path, v, NMS_SCHEMA_VERSION);
		goto fail;
	}
	if (v < NMS_SCHEMA_VERSION &&
	    nms_store_tx(s, migrate, NULL, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	nms_store_close(s);
	return -1;
}

void nms_store_close(struct nms_store *s)
{
	if (s->db)
		sqlite3_close_v2(s->db);
	s->db = NULL;
}

int nms_store_tx(struct nms_store *s, nms_tx_fn *fn, void *arg, char *err,
		 size_t errlen)
{
	if (exec(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if (fn(s, arg, err, errlen) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (exec(s, "COMMIT", err, errlen) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int64_t nms_store_event(struct nms_store *s, int64_t device_id,
			const char *kind, const char *detail, char *err,
			size_t errlen)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if (sqlite3_prepare_v2(
		    s->db,
		    "INSERT INTO events (device_id, time, kind, detail)"
		    " VALUES (?, ?, ?, ?)",
		    -1, &st, NULL)) {
		db_fail(s, err, errlen, "events");
		return -1;
	}
	if (device_id)
		sqlite3_bind_int64(st, 1, device_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(s->db);
	else
		db_fail(s, err, errlen, "adding an event");
	sqlite3_finalize(st);
	return id;
}

int64_t nms_store_event_count(struct nms_store *s, const char *kind)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(
		    s->db,
		    kind ? "SELECT count(*) FROM events WHERE kind = ?" :
			   "SELECT count(*) FROM events",
		    -1, &st, NULL))
		return -1;
	if (kind)
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void bind_blob(sqlite3_stmt *st, int i, struct nms_blob b)
{
	/* An empty blob is a zero-length blob, not NULL. */
	sqlite3_bind_blob(st, i, b.n ? b.p : (const void *)"", (int)b.n,
			  SQLITE_STATIC);
}

/* The device that owns the EK @ek_name, 0 if none, -1 on error. */
static int64_t device_of_ek(struct nms_store *s, struct nms_blob ek_name,
			    const char **owner, char *ownerbuf, size_t ownerlen)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT d.id, d.name FROM eks e"
			       " JOIN devices d ON d.id = e.device_id"
			       " WHERE e.name = ?",
			       -1, &st, NULL))
		return -1;
	bind_blob(st, 1, ek_name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(ownerbuf, ownerlen, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		*owner = ownerbuf;
	} else if (rc == SQLITE_DONE) {
		id = 0;
	}
	sqlite3_finalize(st);
	return id;
}

static int prepare(struct nms_store *s, const char *sql, const char *what,
		   char *err, size_t errlen, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL))
		return db_fail(s, err, errlen, what);
	return 0;
}

static int64_t step_insert(struct nms_store *s, sqlite3_stmt *st,
			   const char *what, char *err, size_t errlen)
{
	int64_t id = -1;

	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(s->db);
	else
		db_fail(s, err, errlen, what);
	sqlite3_finalize(st);
	return id;
}

struct device_args {
	const char *name;
	struct nms_blob ek_name, ek_pub, ek_cert;
	int64_t id;
};

static int device_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct device_args *a = arg;
	char ownerbuf[256];
	const char *owner = NULL;
	sqlite3_stmt *st;
	int64_t now = (int64_t)time(NULL);

	a->id = device_of_ek(s, a->ek_name, &owner, ownerbuf, sizeof(ownerbuf));
	if (a->id < 0)
		return db_fail(s, err, errlen, "looking up the EK");
	if (a->id > 0) {
		/* The same TPM under another name would be two identities
		 * for one router: refused. */
		if (strcmp(owner, a->name))
			return tr_fail(
				err, errlen,
				"this EK is already enrolled as device \"%s\"",
				owner);
		return 0;
	}
	if (prepare(s,
		    "INSERT INTO devices (name, created, updated)"
		    " VALUES (?, ?, ?)",
		    "devices", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now);
	a->id = step_insert(s, st, "adding the device (name taken?)", err,
			    errlen);
	if (a->id < 0)
		return -1;
	if (prepare(s,
		    "INSERT INTO eks (device_id, name, public, cert)"
		    " VALUES (?, ?, ?, ?)",
		    "eks", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, a->id);
	bind_blob(st, 2, a->ek_name);
	bind_blob(st, 3, a->ek_pub);
	bind_blob(st, 4, a->ek_cert);
	return step_insert(s, st, "adding the EK", err, errlen) < 0 ? -1 : 0;
}

int64_t nms_store_device_for_ek(struct nms_store *s, const char *name,
				struct nms_blob ek_name, struct nms_blob ek_pub,
				struct nms_blob ek_cert, char *err,
				size_t errlen)
{
	struct device_args a = { name, ek_name, ek_pub, ek_cert, -1 };

	if (!name || !*name || !ek_name.n)
		return tr_fail(err, errlen, "a device needs a name and an EK");
	if (nms_store_tx(s, device_tx, &a, err, errlen) < 0)
		return -1;
	return a.id;
}

int nms_store_challenge_add(struct nms_store *s, int64_t device_id,
			    struct nms_blob nonce,
			    const uint8_t secret_hash[32], int64_t expires,
			    char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (prepare(s,
		    "INSERT INTO challenges (device_id, nonce, secret_hash, expires)"
		    " VALUES (?, ?, ?, ?)",
		    "challenges", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	bind_blob(st, 2, nonce);
	sqlite3_bind_blob(st, 3, secret_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, expires);
	return step_insert(s, st, "adding the challenge", err, errlen) < 0 ?
		       -1 :
		       0;
}

struct take_args {
	struct nms_blob nonce;
	int64_t device_id, expires;
	uint8_t hash[32];
	bool found;
};

static int take_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct take_args *a = arg;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "DELETE FROM challenges WHERE nonce = ?"
			       " RETURNING device_id, secret_hash, expires",
			       -1, &st, NULL))
		return db_fail(s, err, errlen, "challenges");
	bind_blob(st, 1, a->nonce);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
		a->found = true;
		a->device_id = sqlite3_column_int64(st, 0);
		memcpy(a->hash, sqlite3_column_blob(st, 1), 32);
		a->expires = sqlite3_column_int64(st, 2);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ?
		       0 :
		       db_fail(s, err, errlen, "taking the challenge");
}

int nms_store_challenge_take(struct nms_store *s, struct nms_blob nonce,
			     int64_t now, int64_t *device_id,
			     uint8_t secret_hash[32], char *err, size_t errlen)
{
	struct take_args a = { .nonce = nonce };

	if (nms_store_tx(s, take_tx, &a, err, errlen) < 0)
		return -1;
	if (!a.found)
		return tr_fail(err, errlen,
			       "unknown or already used challenge (replay?)");
	if (a.expires < now)
		return tr_fail(err, errlen, "challenge expired");
	*device_id = a.device_id;
	memcpy(secret_hash, a.hash, 32);
	return 0;
}
