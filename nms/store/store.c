// SPDX-License-Identifier: GPL-2.0-only
/*
 * SQLite store: opening, schema migrations, transactions, the event log.
 */
#include "nms/store/store.h"
#include "nms/store/store_sql.h"

#include "base/errmsg.h"

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
	/* 2: a challenge names the AK its credential was made for, so the
	 * answer is accepted for that AK only. */
	"ALTER TABLE challenges ADD COLUMN ak_id INTEGER REFERENCES aks(id);"
	"CREATE INDEX certificates_by_device ON certificates(device_id, issued);",
	/* 3: the trust engine and the route actuator. A device's state
	 * carries the reason and time (Unix ms) of its last change, and every
	 * change is kept. The actuator re-costs, on the hosts the NMS manages
	 * (route_hosts, by network namespace), the routes whose gateway is
	 * one of a router's addresses (router_addrs); route_applied is what
	 * it last converged each host to, per router. */
	"ALTER TABLE devices ADD COLUMN trust_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN trust_since INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE trust_history ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  time_ms INTEGER NOT NULL,"
	"  previous TEXT NOT NULL"
	"    CHECK (previous IN ('good', 'unknown', 'bad', 'offline')),"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('good', 'unknown', 'bad', 'offline')),"
	"  reason TEXT NOT NULL);"
	"CREATE INDEX trust_history_by_device ON trust_history(device_id, id);"
	"CREATE TABLE router_addrs ("
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  addr TEXT NOT NULL UNIQUE);"
	"CREATE INDEX router_addrs_by_device ON router_addrs(device_id);"
	"CREATE TABLE route_hosts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  netns TEXT NOT NULL);"
	"CREATE TABLE route_applied ("
	"  host_id INTEGER NOT NULL REFERENCES route_hosts(id),"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('good', 'unknown', 'bad', 'offline')),"
	"  metric INTEGER NOT NULL,"
	"  time_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (host_id, device_id));",
	/* 4: attestation sessions (PT-TLS/PB-TNC) with their verdicts, the
	 * endpoint the prober probes, and the device id a router's OS gave
	 * at its first session (another one later means another machine). */
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER REFERENCES devices(id),"
	"  peer TEXT NOT NULL,"
	"  identity TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  ended INTEGER NOT NULL,"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('good', 'unknown', 'bad')),"
	"  mutual INTEGER NOT NULL,"
	"  attested INTEGER NOT NULL,"
	"  reasons TEXT NOT NULL);"
	"CREATE INDEX sessions_by_device ON sessions(device_id, id);"
	"CREATE TABLE endpoints ("
	"  device_id INTEGER PRIMARY KEY REFERENCES devices(id),"
	"  address TEXT NOT NULL,"
	"  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535));"
	"ALTER TABLE devices ADD COLUMN os_device_id TEXT NOT NULL DEFAULT '';",
	/* 5: one TPM, one device, bound only by proof (issue 12).
	 * An EK is known by its key (key_id, SHA-256 of its SPKI; filled in
	 * and made unique by nms_store_migrate_ek_keys), not only by the TPM
	 * name of whatever public area came with it.
	 * A challenge no longer names a device: the first step wrote the
	 * device, its EK and AK before any proof, so anyone with a public EK
	 * certificate reserved a name. Challenges in flight are dropped (a
	 * router asks again), and so are the devices that never answered
	 * one (no activated AK, nothing else about them): squats, or
	 * enrollments that never finished. The event log keeps their names. */
	"DROP TABLE challenges;"
	"CREATE TABLE challenges ("
	"  id INTEGER PRIMARY KEY,"
	"  nonce BLOB NOT NULL UNIQUE,"
	"  device TEXT NOT NULL,"
	"  ek_key_id BLOB NOT NULL,"
	"  ek_name BLOB NOT NULL,"
	"  ek_public BLOB NOT NULL,"
	"  ek_cert BLOB NOT NULL,"
	"  ak_name BLOB NOT NULL,"
	"  ak_public BLOB NOT NULL,"
	"  secret_hash BLOB NOT NULL,"
	"  expires INTEGER NOT NULL);"
	"CREATE INDEX challenges_by_ek ON challenges(ek_key_id);"
	"CREATE INDEX challenges_by_expiry ON challenges(expires);"
	"ALTER TABLE eks ADD COLUMN key_id BLOB;"
	"CREATE TEMP TABLE unproven AS SELECT d.id, d.name FROM devices d"
	"  WHERE EXISTS (SELECT 1 FROM eks e WHERE e.device_id = d.id)"
	"  AND NOT EXISTS (SELECT 1 FROM aks a WHERE a.device_id = d.id"
	"                  AND a.activated IS NOT NULL)"
	"  AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.device_id = d.id)"
	"  AND NOT EXISTS (SELECT 1 FROM tls_keys k WHERE k.device_id = d.id)"
	"  AND NOT EXISTS (SELECT 1 FROM trust_history h WHERE h.device_id = d.id)"
	"  AND NOT EXISTS (SELECT 1 FROM router_addrs r WHERE r.device_id = d.id)"
	"  AND NOT EXISTS (SELECT 1 FROM route_applied r WHERE r.device_id = d.id)"
	"  AND NOT EXISTS (SELECT 1 FROM sessions x WHERE x.device_id = d.id)"
	"  AND NOT EXISTS (SELECT 1 FROM endpoints p WHERE p.device_id = d.id);"
	"INSERT INTO events (device_id, time, kind, detail)"
	"  SELECT NULL, CAST(strftime('%s', 'now') AS INTEGER), 'enroll-dropped',"
	"    'device \"' || name || '\" never activated a credential: dropped'"
	"  FROM unproven;"
	"UPDATE events SET device_id = NULL"
	"  WHERE device_id IN (SELECT id FROM unproven);"
	"DELETE FROM aks WHERE device_id IN (SELECT id FROM unproven);"
	"DELETE FROM eks WHERE device_id IN (SELECT id FROM unproven);"
	"DELETE FROM devices WHERE id IN (SELECT id FROM unproven);"
	"DROP TABLE unproven;",
	/* 6: a managed host names its actuator: netlink (its routes, in the
	 * network namespace netns), frr or frr-isis (the OSPF costs, or IS-IS
	 * metrics, of its interfaces toward each router, through FRR's vtysh
	 * at vty: a socket directory or a pathspace). A host that is itself a
	 * router (device_id) is never used to re-cost that router: once it
	 * is bad, its own configuration cannot be trusted. */
	"ALTER TABLE route_hosts ADD COLUMN actuator TEXT NOT NULL"
	"  DEFAULT 'netlink'"
	"  CHECK (actuator IN ('netlink', 'frr', 'frr-isis'));"
	"ALTER TABLE route_hosts ADD COLUMN vty TEXT NOT NULL DEFAULT ''"
	"  CHECK (actuator = 'netlink' OR vty <> '');"
	"ALTER TABLE route_hosts ADD COLUMN device_id INTEGER"
	"  REFERENCES devices(id);",
	/* 7: the operator's view (issue 16). Every admin action of the HTTP
	 * API is audited, and the audit log is append-only (triggers refuse
	 * UPDATE and DELETE). Operators' bearer tokens are kept as SHA-256
	 * hashes only. A decommissioned router's certificates are revoked
	 * (Unix ms, 0: not): they are on the NMS's CRL and the prober and the
	 * PT-TLS server refuse them. Each IMV's verdict of a session is kept
	 * with its reasons (a JSON array of strings). */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  operator TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('read-only', 'admin')),"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  created INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0);"
	"ALTER TABLE devices ADD COLUMN decommissioned INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE certificates ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE certificates ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE session_results ("
	"  session_id INTEGER NOT NULL REFERENCES sessions(id),"
	"  imv TEXT NOT NULL,"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('good', 'unknown', 'bad')),"
	"  reasons TEXT NOT NULL,"
	"  PRIMARY KEY (session_id, imv));",
	/* 8: operating a fleet (issue 20). The routing policy per state
	 * (item 4): whether a host's routes through a router were re-costed
	 * or withdrawn, so a change of policy alone is converged too. The
	 * pre-approval allow-list (item 2): a TPM by its EK certificate's
	 * SHA-256, or by serial and issuer (a serial is unique only under
	 * its issuer), and the one name it may enroll under. Where the NMS
	 * asks a router to attest (item 3): its agent's request port. What
	 * a router said at enrollment about where it is monitored, kept
	 * with its challenge until the answer proves it (item 2).
	 * Revocation is migration 7's (certificates.revoked). */
	"ALTER TABLE route_applied ADD COLUMN action TEXT NOT NULL"
	"  DEFAULT 'recost' CHECK (action IN ('recost', 'withdraw'));"
	"CREATE TABLE preapproved ("
	"  id INTEGER PRIMARY KEY,"
	"  device TEXT NOT NULL UNIQUE CHECK (device <> ''),"
	"  ek_cert_sha256 BLOB UNIQUE"
	"    CHECK (ek_cert_sha256 IS NULL OR length(ek_cert_sha256) = 32),"
	"  ek_serial TEXT CHECK (ek_serial IS NULL OR ek_serial <> ''),"
	"  ek_issuer BLOB,"
	"  added INTEGER NOT NULL,"
	"  CHECK ((ek_cert_sha256 IS NULL) <> (ek_serial IS NULL)),"
	"  CHECK ((ek_serial IS NULL) = (ek_issuer IS NULL)),"
	"  UNIQUE (ek_serial, ek_issuer));"
	"ALTER TABLE endpoints ADD COLUMN request_port INTEGER NOT NULL"
	"  DEFAULT 0 CHECK (request_port BETWEEN 0 AND 65535);"
	"ALTER TABLE challenges ADD COLUMN endpoint_address TEXT NOT NULL"
	"  DEFAULT '';"
	"ALTER TABLE challenges ADD COLUMN endpoint_port INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE challenges ADD COLUMN request_port INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE challenges ADD COLUMN route_addrs TEXT NOT NULL"
	"  DEFAULT '';",
};

/* After migration N's SQL, what SQL alone cannot do (index N - 1). */
static nms_tx_fn *const fixups[] = {
	[4] = nms_store_migrate_ek_keys,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == NMS_SCHEMA_VERSION,
	       "one migration per schema version");

/* Statements that failed, in this process (for /metrics). */
static uint64_t store_errors;

uint64_t nms_store_errors(void)
{
	return __atomic_load_n(&store_errors, __ATOMIC_RELAXED);
}

int nms_db_fail(struct nms_store *s, char *err, size_t errlen, const char *what)
{
	__atomic_add_fetch(&store_errors, 1, __ATOMIC_RELAXED);
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

/* One statement without results, kept prepared (a string literal). */
static int exec_cached(struct nms_store *s, const char *sql, char *err,
		       size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (nms_prepare_cached(s, sql, sql, err, errlen, &st) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		nms_db_fail(s, err, errlen, sql);
	nms_release(s, st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int exec(struct nms_store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	__atomic_add_fetch(&store_errors, 1, __ATOMIC_RELAXED);
	tr_fail(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return -1;
}

#define NMS_WAL_CHECKPOINT 1000 /* frames: SQLite's own auto-checkpoint */

/*
 * SQLite's auto-checkpoint, except after a nosync commit: a checkpoint
 * syncs the WAL and the database, which would put the disk back on the
 * reroute's path. That one waits for nms_store_sync.
 */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct nms_store *s = arg;

	if (frames < NMS_WAL_CHECKPOINT)
		return SQLITE_OK;
	if (s->in_nosync)
		s->checkpoint_due = 1;
	else
		sqlite3_wal_checkpoint(db, name);
	return SQLITE_OK;
}

/* A commit that writes a frame and changes nothing: the schema version
 * written again. The WAL restarts in it if it is to restart at all. */
static int rewrite_version_tx(struct nms_store *s, void *arg, char *err,
			      size_t errlen)
{
	char sql[64];

	(void)arg;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 nms_store_version(s));
	return exec(s, sql, err, errlen);
}

int nms_store_warm(struct nms_store *s, char *err, size_t errlen)
{
	if (!s->wal)
		return 0;
	return nms_store_tx(s, rewrite_version_tx, NULL, err, errlen);
}

/* WAL, as asked for at open: not on a file system without shared memory. */
static int journal_is_wal(struct nms_store *s)
{
	sqlite3_stmt *st;
	int wal = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL))
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);

		wal = mode && !strcmp(mode, "wal");
	}
	sqlite3_finalize(st);
	return wal;
}

static int migrate(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	const int *to = arg;
	char buf[64];
	int v = nms_store_version(s);

	/* Read again inside the transaction: another NMS process may have
	 * migrated meanwhile. */
	if (v < 0)
		return nms_db_fail(s, err, errlen,
				   "reading the schema version");
	for (; v < *to; v++) {
		if (exec(s, migrations[v], err, errlen) < 0)
			return -1;
		if ((size_t)v < sizeof(fixups) / sizeof(fixups[0]) &&
		    fixups[v] && fixups[v](s, NULL, err, errlen) < 0)
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
	return nms_store_open_version(s, path, NMS_SCHEMA_VERSION, err, errlen);
}

int nms_store_open_version(struct nms_store *s, const char *path, int to,
			   char *err, size_t errlen)
{
	int v;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		nms_db_fail(s, err, errlen, path);
		nms_store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s,
		 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		 "PRAGMA foreign_keys = ON;",
		 err, errlen) < 0)
		goto fail;
	s->wal = journal_is_wal(s);
	if (s->wal)
		sqlite3_wal_hook(s->db, wal_hook, s);
	v = nms_store_version(s);
	if (v > NMS_SCHEMA_VERSION) {
		tr_fail(err, errlen,
			"%s: schema version %d is newer than this NMS knows (%d)",
			path, v, NMS_SCHEMA_VERSION);
		goto fail;
	}
	if (to < 0 || to > NMS_SCHEMA_VERSION) {
		tr_fail(err, errlen, "no schema version %d", to);
		goto fail;
	}
	if (v < to && nms_store_tx(s, migrate, &to, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	nms_store_close(s);
	return -1;
}

void nms_store_close(struct nms_store *s)
{
	if (s->db)
		nms_store_sync(s, NULL, 0);
	for (size_t i = 0; i < NMS_STMT_CACHE; i++) {
		sqlite3_finalize(s->cache[i].st);
		s->cache[i] = (struct nms_stmt_slot){ 0 };
	}
	if (s->db)
		sqlite3_close_v2(s->db);
	s->db = NULL;
}

int nms_store_tx(struct nms_store *s, nms_tx_fn *fn, void *arg, char *err,
		 size_t errlen)
{
	/* Inside a transaction already: join it; the outermost commits. */
	if (!sqlite3_get_autocommit(s->db))
		return fn(s, arg, err, errlen);
	if (exec_cached(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	if (fn(s, arg, err, errlen) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (exec_cached(s, "COMMIT", err, errlen) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int nms_store_tx_nosync(struct nms_store *s, nms_tx_fn *fn, void *arg,
			char *err, size_t errlen)
{
	int rc;

	/* Without a WAL, NORMAL would not keep the commit whole: FULL. */
	if (!s->wal || !sqlite3_get_autocommit(s->db))
		return nms_store_tx(s, fn, arg, err, errlen);
	/* Per connection, and only for this commit: WAL with NORMAL writes
	 * the commit's frames to the WAL (write(2), no fsync), so a killed
	 * process loses nothing and a power loss at most this transaction,
	 * as a whole. Every other transaction stays FULL. */
	if (exec_cached(s, "PRAGMA synchronous = NORMAL", err, errlen) < 0)
		return -1;
	s->in_nosync = 1;
	rc = nms_store_tx(s, fn, arg, err, errlen);
	s->in_nosync = 0;
	if (rc == 0)
		s->unsynced = 1;
	if (exec_cached(s, "PRAGMA synchronous = FULL", rc ? NULL : err,
			errlen) < 0)
		rc = -1;
	return rc;
}

int nms_store_sync(struct nms_store *s, char *err, size_t errlen)
{
	sqlite3_file *wal = NULL;
	int rc;

	if (!s->unsynced)
		return 0;
	/* The WAL holds every commit not yet checkpointed; a checkpoint
	 * syncs the WAL before it copies anything. One fsync of it makes
	 * every commit so far durable, this connection's and others'. */
	rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
				  &wal);
	if (rc != SQLITE_OK)
		return nms_db_fail(s, err, errlen, "finding the WAL");
	if (!wal || !wal->pMethods)
		return tr_fail(err, errlen, "syncing the WAL: it is not open");
	rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK)
		return tr_fail(err, errlen, "syncing the WAL to disk: %s",
			       sqlite3_errstr(rc));
	s->unsynced = 0;
	if (s->checkpoint_due) {
		/* What a nosync commit put off; then the WAL's restart, here
		 * rather than in the next observation's commit. */
		s->checkpoint_due = 0;
		sqlite3_wal_checkpoint(s->db, "main");
		return nms_store_warm(s, err, errlen);
	}
	return 0;
}

/* @what followed by the savepoint's name: names are ours, never input. */
static int savepoint_sql(struct nms_store *s, const char *what,
			 const char *name, char *err, size_t errlen)
{
	char sql[128];

	snprintf(sql, sizeof(sql), what, name, name);
	return exec(s, sql, err, errlen);
}

int nms_store_savepoint(struct nms_store *s, const char *name, char *err,
			size_t errlen)
{
	return savepoint_sql(s, "SAVEPOINT %s", name, err, errlen);
}

int nms_store_rollback_to(struct nms_store *s, const char *name, char *err,
			  size_t errlen)
{
	return savepoint_sql(s, "ROLLBACK TO %s; RELEASE %s", name, err,
			     errlen);
}

int nms_store_release(struct nms_store *s, const char *name, char *err,
		      size_t errlen)
{
	return savepoint_sql(s, "RELEASE %s", name, err, errlen);
}

int64_t nms_store_event(struct nms_store *s, int64_t device_id,
			const char *kind, const char *detail, char *err,
			size_t errlen)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if (nms_prepare_cached(
		    s,
		    "INSERT INTO events (device_id, time, kind, detail)"
		    " VALUES (?, ?, ?, ?)",
		    "events", err, errlen, &st) < 0)
		return -1;
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
		nms_db_fail(s, err, errlen, "adding an event");
	nms_release(s, st);
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

void nms_bind_blob(sqlite3_stmt *st, int i, struct nms_blob b)
{
	/* An empty blob is a zero-length blob, not NULL. */
	sqlite3_bind_blob(st, i, b.n ? b.p : (const void *)"", (int)b.n,
			  SQLITE_STATIC);
}

int nms_prepare(struct nms_store *s, const char *sql, const char *what,
		char *err, size_t errlen, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL))
		return nms_db_fail(s, err, errlen, what);
	return 0;
}

int nms_prepare_cached(struct nms_store *s, const char *sql, const char *what,
		       char *err, size_t errlen, sqlite3_stmt **out)
{
	struct nms_stmt_slot *free_slot = NULL;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < NMS_STMT_CACHE; i++) {
		struct nms_stmt_slot *c = &s->cache[i];

		if (c->sql == sql && !c->busy) {
			c->busy = 1;
			*out = c->st;
			pthread_mutex_unlock(&s->lock);
			return 0;
		}
		if (!c->sql && !free_slot)
			free_slot = c;
	}
	if (!free_slot) { /* full, or in use elsewhere: one of its own */
		pthread_mutex_unlock(&s->lock);
		return nms_prepare(s, sql, what, err, errlen, out);
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out,
			       NULL)) {
		pthread_mutex_unlock(&s->lock);
		return nms_db_fail(s, err, errlen, what);
	}
	*free_slot = (struct nms_stmt_slot){ sql, *out, 1 };
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void nms_release(struct nms_store *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < NMS_STMT_CACHE; i++) {
		struct nms_stmt_slot *c = &s->cache[i];

		if (c->st == st) {
			/* Reset: no lock held, no old values bound. */
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			c->busy = 0;
			pthread_mutex_unlock(&s->lock);
			return;
		}
	}
	pthread_mutex_unlock(&s->lock);
	sqlite3_finalize(st);
}

int64_t nms_step_insert(struct nms_store *s, sqlite3_stmt *st, const char *what,
			char *err, size_t errlen)
{
	int64_t id = -1;

	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(s->db);
	else
		nms_db_fail(s, err, errlen, what);
	nms_release(s, st);
	return id;
}
