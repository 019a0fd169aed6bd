// SPDX-License-Identifier: GPL-2.0-only
/*
 * The store: opening, schema migrations, transactions, the event log, on
 * SQLite or PostgreSQL (nms/store/db.h).
 */
#include "nms/store/store.h"
#include "nms/store/store_sql.h"

#include "base/errmsg.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Migration N takes the schema from version N-1 to N. Append only: a
 * released migration never changes, or databases made by it would differ
 * from new ones.
 *
 * Migrations 1 to 8 are SQLite's history; a PostgreSQL database starts
 * at schema 8 with pg_baseline. From 9 on, each migration is written
 * once in the dialect both take (INTEGER, BLOB, TEXT, INTEGER PRIMARY KEY;
 * nms_db_ddl makes BIGINT, BYTEA and identity keys of them for
 * PostgreSQL) and runs on both.
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
	/* 9: several NMS hosts on one database (issue 17). Each NMS
	 * process is a member while its heartbeat (the database's clock,
	 * now_ms()) is fresh: probes are partitioned over the live members.
	 * A lease is held by one member until it expires unless renewed:
	 * the "route" lease makes one member the route actuator; its epoch
	 * grows with each new holder, and the holder's writes check it
	 * (fencing). */
	"CREATE TABLE nms_members ("
	"  id TEXT PRIMARY KEY,"
	"  host TEXT NOT NULL,"
	"  started_ms INTEGER NOT NULL,"
	"  heartbeat_ms INTEGER NOT NULL);"
	"CREATE TABLE leases ("
	"  name TEXT PRIMARY KEY,"
	"  holder TEXT NOT NULL,"
	"  epoch INTEGER NOT NULL,"
	"  expires_ms INTEGER NOT NULL);",
};

/* The first migration PostgreSQL runs; before it, pg_baseline. */
#define PG_FIRST 9

/*
 * SQLite's schema 8 for a new PostgreSQL database, in the common dialect
 * (nms_db_ddl), and the now_ms() SQLite's backend defines in C. Two
 * differences: the audit log's append-only triggers call a PL/pgSQL
 * function (SQLite's say RAISE(ABORT) in SQL), and session_results has
 * a rowid (SQLite's own, implicit), in which its rows are listed.
 */
static const char pg_baseline[] =
	"CREATE FUNCTION now_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS"
	"  'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT';"
	"CREATE TABLE devices ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  trust TEXT NOT NULL DEFAULT 'unknown'"
	"    CHECK (trust IN ('good', 'unknown', 'bad', 'offline')),"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  trust_reason TEXT NOT NULL DEFAULT '',"
	"  trust_since INTEGER NOT NULL DEFAULT 0,"
	"  os_device_id TEXT NOT NULL DEFAULT '',"
	"  decommissioned INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE eks ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL UNIQUE REFERENCES devices(id),"
	"  name BLOB NOT NULL UNIQUE,"
	"  public BLOB NOT NULL,"
	"  cert BLOB NOT NULL,"
	"  key_id BLOB);"
	"CREATE UNIQUE INDEX eks_by_key ON eks(key_id);"
	"CREATE TABLE aks ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  name BLOB NOT NULL UNIQUE,"
	"  public BLOB NOT NULL,"
	"  activated INTEGER);"
	"CREATE INDEX aks_by_device ON aks(device_id);"
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
	"  issued INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0,"
	"  revoke_reason TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX certificates_by_device ON certificates(device_id, issued);"
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
	"  expires INTEGER NOT NULL,"
	"  endpoint_address TEXT NOT NULL DEFAULT '',"
	"  endpoint_port INTEGER NOT NULL DEFAULT 0,"
	"  request_port INTEGER NOT NULL DEFAULT 0,"
	"  route_addrs TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX challenges_by_ek ON challenges(ek_key_id);"
	"CREATE INDEX challenges_by_expiry ON challenges(expires);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  device_id INTEGER REFERENCES devices(id),"
	"  time INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE INDEX events_by_device ON events(device_id, time);"
	"CREATE INDEX events_by_kind ON events(kind);"
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
	"  netns TEXT NOT NULL,"
	"  actuator TEXT NOT NULL DEFAULT 'netlink'"
	"    CHECK (actuator IN ('netlink', 'frr', 'frr-isis')),"
	"  vty TEXT NOT NULL DEFAULT '',"
	"  device_id INTEGER REFERENCES devices(id),"
	"  CHECK (actuator = 'netlink' OR vty <> ''));"
	"CREATE TABLE route_applied ("
	"  host_id INTEGER NOT NULL REFERENCES route_hosts(id),"
	"  device_id INTEGER NOT NULL REFERENCES devices(id),"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('good', 'unknown', 'bad', 'offline')),"
	"  metric INTEGER NOT NULL,"
	"  time_ms INTEGER NOT NULL,"
	"  action TEXT NOT NULL DEFAULT 'recost'"
	"    CHECK (action IN ('recost', 'withdraw')),"
	"  PRIMARY KEY (host_id, device_id));"
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
	"  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),"
	"  request_port INTEGER NOT NULL DEFAULT 0"
	"    CHECK (request_port BETWEEN 0 AND 65535));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  operator TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE FUNCTION audit_append_only() RETURNS trigger"
	"  LANGUAGE plpgsql AS"
	"  $$BEGIN RAISE EXCEPTION 'the audit log is append-only'; END$$;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('read-only', 'admin')),"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  created INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE session_results ("
	"  rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id),"
	"  imv TEXT NOT NULL,"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('good', 'unknown', 'bad')),"
	"  reasons TEXT NOT NULL,"
	"  PRIMARY KEY (session_id, imv));"
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
	"  UNIQUE (ek_serial, ek_issuer));";

/* After migration N's SQL, what SQL alone cannot do (index N - 1). */
static nms_tx_fn *const fixups[] = {
	[4] = nms_store_migrate_ek_keys,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == NMS_SCHEMA_VERSION,
	       "one migration per schema version");

int nms_sql_fail(struct nms_store *s, char *err, size_t errlen,
		 const char *what)
{
	return tr_fail(err, errlen, "%s: %s", what, nms_db_errmsg(s->db));
}

/* One integer from @sql; -1 on error. */
static int64_t scalar(struct nms_store *s, const char *sql)
{
	struct nms_stmt *st;
	int64_t v = -1;

	if (nms_db_prepare(s->db, sql, &st))
		return -1;
	if (nms_db_step(st) == NMS_DB_ROW)
		v = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	return v;
}

int nms_store_version(struct nms_store *s)
{
	if (nms_db_kind(s->db) == NMS_DB_SQLITE)
		return (int)scalar(s, "PRAGMA user_version");
	/* PostgreSQL: no table yet is a new, empty database. */
	if (scalar(s, "SELECT count(*) FROM pg_catalog.pg_tables"
		      " WHERE schemaname = current_schema()"
		      " AND tablename = 'schema_version'") != 1)
		return 0;
	return (int)scalar(s, "SELECT version FROM schema_version");
}

static int exec(struct nms_store *s, const char *sql, char *err, size_t errlen)
{
	return nms_db_exec(s->db, sql, err, errlen);
}

/* @sql in the backend's dialect, run. */
static int exec_ddl(struct nms_store *s, const char *sql, char *err,
		    size_t errlen)
{
	char *ddl = nms_db_ddl(s->db, sql);
	int rc;

	if (!ddl)
		return tr_fail(err, errlen, "out of memory");
	rc = exec(s, ddl, err, errlen);
	free(ddl);
	return rc;
}

static int set_version(struct nms_store *s, int v, char *err, size_t errlen)
{
	char buf[96];

	if (nms_db_kind(s->db) == NMS_DB_SQLITE)
		snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", v);
	else
		snprintf(buf, sizeof(buf),
			 "UPDATE schema_version SET version = %d", v);
	return exec(s, buf, err, errlen);
}

int nms_store_warm(struct nms_store *s, char *err, size_t errlen)
{
	return nms_db_warm(s->db, err, errlen);
}

uint64_t nms_store_errors(void)
{
	return nms_db_errors();
}

static int migrate(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	const int *to = arg;
	int v;

	if (nms_db_kind(s->db) == NMS_DB_PG) {
		if (exec(s,
			 "CREATE TABLE IF NOT EXISTS schema_version"
			 " (version INTEGER NOT NULL)",
			 err, errlen) < 0 ||
		    exec(s,
			 "INSERT INTO schema_version (version)"
			 " SELECT 0 WHERE NOT EXISTS"
			 " (SELECT 1 FROM schema_version)",
			 err, errlen) < 0)
			return -1;
	}
	/* Read again inside the transaction: another NMS process may have
	 * migrated meanwhile. */
	v = nms_store_version(s);
	if (v < 0)
		return nms_sql_fail(s, err, errlen,
				    "reading the schema version");
	if (v > NMS_SCHEMA_VERSION)
		return tr_fail(
			err, errlen,
			"schema version %d is newer than this NMS knows (%d)",
			v, NMS_SCHEMA_VERSION);
	if (nms_db_kind(s->db) == NMS_DB_PG && v < PG_FIRST - 1) {
		if (v != 0)
			return tr_fail(
				err, errlen,
				"PostgreSQL schema version %d: only 0 or %d and later exist",
				v, PG_FIRST - 1);
		if (*to < PG_FIRST - 1)
			return tr_fail(
				err, errlen,
				"PostgreSQL databases start at schema version %d",
				PG_FIRST - 1);
		if (exec_ddl(s, pg_baseline, err, errlen) < 0)
			return -1;
		v = PG_FIRST - 1;
	}
	for (; v < *to; v++) {
		if (exec_ddl(s, migrations[v], err, errlen) < 0)
			return -1;
		if ((size_t)v < sizeof(fixups) / sizeof(fixups[0]) &&
		    fixups[v] && fixups[v](s, NULL, err, errlen) < 0)
			return -1;
	}
	return set_version(s, v, err, errlen);
}

int nms_store_open(struct nms_store *s, const char *path, char *err,
		   size_t errlen)
{
	return nms_store_open_version(s, path, NMS_SCHEMA_VERSION, err, errlen);
}

int nms_store_open_version(struct nms_store *s, const char *path, int to,
			   char *err, size_t errlen)
{
	char why[512];
	int v;

	memset(s, 0, sizeof(*s));
	if (nms_db_open(&s->db, path, err, errlen) < 0)
		return -1;
	if (to < 0 || to > NMS_SCHEMA_VERSION) {
		tr_fail(err, errlen, "no schema version %d", to);
		goto fail;
	}
	v = nms_store_version(s);
	if (v < 0) {
		nms_sql_fail(s, err, errlen, "reading the schema version");
		goto fail;
	}
	if (v > NMS_SCHEMA_VERSION) {
		tr_fail(err, errlen,
			"%s: schema version %d is newer than this NMS knows (%d)",
			path, v, NMS_SCHEMA_VERSION);
		goto fail;
	}
	if (v < to) {
		/* PostgreSQL: one migrator at a time, whichever NMS host
		 * starts first; the others wait here (before their
		 * transaction's snapshot), then find the work done. The
		 * lock goes with the connection if this process dies. */
		bool pg = nms_db_kind(s->db) == NMS_DB_PG;
		int rc;

		if (pg && exec(s, "SELECT pg_advisory_lock(1953656180)", err,
			       errlen) < 0)
			goto fail;
		rc = nms_store_tx(s, migrate, &to, why, sizeof(why));
		if (pg)
			exec(s, "SELECT pg_advisory_unlock(1953656180)", NULL,
			     0);
		if (rc < 0) {
			tr_fail(err, errlen, "%s", why);
			goto fail;
		}
	}
	return 0;
fail:
	nms_store_close(s);
	return -1;
}

void nms_store_close(struct nms_store *s)
{
	nms_db_close(s->db);
	s->db = NULL;
}

/* Runs of a transaction that lost to a concurrent one, at most. */
#define TX_TRIES 20

int nms_store_tx(struct nms_store *s, nms_tx_fn *fn, void *arg, char *err,
		 size_t errlen)
{
	/* Inside a transaction already: join it; the outermost commits. */
	if (nms_db_in_tx(s->db))
		return fn(s, arg, err, errlen);
	for (int tries = 1;; tries++) {
		if (nms_db_begin(s->db, err, errlen) < 0)
			return -1;
		if (fn(s, arg, err, errlen) == 0 &&
		    nms_db_commit(s->db, err, errlen) == 0)
			return 0;
		if (nms_db_in_tx(s->db))
			nms_db_rollback(s->db);
		if (!nms_db_retryable(s->db) || tries == TX_TRIES)
			return -1;
		/* Lost a race: back off a little, randomly, and run again. */
		nanosleep(&(struct timespec){ 0, 1000000L * tries +
							 rand() % 1000000 },
			  NULL);
	}
}

int nms_store_tx_nosync(struct nms_store *s, nms_tx_fn *fn, void *arg,
			char *err, size_t errlen)
{
	int rc;

	/* Inside a transaction: it commits as it does. */
	if (nms_db_in_tx(s->db))
		return fn(s, arg, err, errlen);
	rc = nms_db_nosync(s->db, true, err, errlen);
	if (rc < 0)
		return -1;
	if (!rc) /* PostgreSQL, or SQLite without a WAL: FULL */
		return nms_store_tx(s, fn, arg, err, errlen);
	rc = nms_store_tx(s, fn, arg, err, errlen);
	if (nms_db_nosync(s->db, false, rc ? NULL : err, errlen) < 0)
		rc = -1;
	return rc;
}

int nms_store_sync(struct nms_store *s, char *err, size_t errlen)
{
	return nms_db_sync(s->db, err, errlen);
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
	struct nms_stmt *st;

	if (nms_prepare_cached(
		    s,
		    "INSERT INTO events (device_id, time, kind, detail)"
		    " VALUES (?, ?, ?, ?) RETURNING id",
		    "events", err, errlen, &st) < 0)
		return -1;
	if (device_id)
		nms_db_bind_int64(st, 1, device_id);
	else
		nms_db_bind_null(st, 1);
	nms_db_bind_int64(st, 2, (int64_t)time(NULL));
	nms_db_bind_text(st, 3, kind);
	nms_db_bind_text(st, 4, detail ? detail : "");
	return nms_step_insert(s, st, "adding an event", err, errlen);
}

int64_t nms_store_event_count(struct nms_store *s, const char *kind)
{
	struct nms_stmt *st;
	int64_t n = -1;

	if (nms_db_prepare(s->db,
			   kind ? "SELECT count(*) FROM events WHERE kind = ?" :
				  "SELECT count(*) FROM events",
			   &st))
		return -1;
	if (kind)
		nms_db_bind_text(st, 1, kind);
	if (nms_db_step(st) == NMS_DB_ROW)
		n = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	return n;
}

void nms_bind_blob(struct nms_stmt *st, int i, struct nms_blob b)
{
	nms_db_bind_blob(st, i, b.p, b.n);
}

int nms_prepare(struct nms_store *s, const char *sql, const char *what,
		char *err, size_t errlen, struct nms_stmt **out)
{
	if (nms_db_prepare(s->db, sql, out))
		return nms_sql_fail(s, err, errlen, what);
	return 0;
}

int nms_prepare_cached(struct nms_store *s, const char *sql, const char *what,
		       char *err, size_t errlen, struct nms_stmt **out)
{
	if (nms_db_prepare_cached(s->db, sql, out))
		return nms_sql_fail(s, err, errlen, what);
	return 0;
}

int64_t nms_step_insert(struct nms_store *s, struct nms_stmt *st,
			const char *what, char *err, size_t errlen)
{
	int64_t id = -1;

	if (nms_db_step(st) == NMS_DB_ROW)
		id = nms_db_column_int64(st, 0);
	else
		nms_sql_fail(s, err, errlen, what);
	nms_db_finalize(st);
	return id;
}

int nms_step_done(struct nms_store *s, struct nms_stmt *st, const char *what,
		  char *err, size_t errlen)
{
	int rc = nms_db_step(st);

	nms_db_finalize(st);
	return rc == NMS_DB_DONE ? 0 : nms_sql_fail(s, err, errlen, what);
}

int nms_each_row(struct nms_store *s, struct nms_stmt *st, nms_row_fn *row,
		 void *arg, const char *what, const char *noun, char *err,
		 size_t errlen)
{
	int rc = NMS_DB_DONE, n = 0, r = 0;

	while (!r && (rc = nms_db_step(st)) == NMS_DB_ROW) {
		r = row(st, arg);
		n += r >= 0;
	}
	nms_db_finalize(st);
	if (r < 0)
		return tr_fail(err, errlen, "%s: a row holds an unknown %s",
			       what, noun);
	if (!r && rc != NMS_DB_DONE)
		return nms_sql_fail(s, err, errlen, what);
	return n;
}
