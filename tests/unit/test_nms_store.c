// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NMS store on real SQLite files, or with TRUSTROUTE_TEST_STORE=pg on
 * a PostgreSQL server of the test's own (the same tests): a new database gets the current
 * schema, reopening changes nothing, a newer schema is refused, a failed
 * transaction leaves no trace, the schema's constraints hold, and a
 * writer killed with SIGKILL loses none of its committed transactions,
 * those committed without waiting for the disk (nms_store_tx_nosync)
 * included; those are pending until nms_store_sync.
 * One EK is one device, known by its key whatever its public area; a
 * challenge is about no device, is answered once, and not late, comes
 * back when the transaction that took it rolls back, and one EK keeps a
 * few; AKs and TLS keys belong to one device; certificate serials are
 * unique; migration 5 drops squats and refuses a TPM enrolled twice
 * (SQLite's history only: PostgreSQL starts at schema 6); placeholders
 * and DDL are translated for PostgreSQL.
 */
#include "nms/store/store.h"
#include "nms/store/store_cluster.h"
#include "nms/store/store_enroll.h"
#include "pg_fixture.h"
#include "tr_test.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <tss2/tss2_mu.h>
#include <unistd.h>

static char dir[] = "/tmp/trustroute-store-XXXXXX";
static char file[sizeof(dir) + 16];
/* The store under test: the SQLite file, or the PostgreSQL database. */
static const char *path;

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/nms.db", dir);
	path = tr_store_target(file);
	return path ? 0 : -1;
}

static void remove_db(void)
{
	char p[sizeof(file) + 8];

	if (tr_store_is_pg()) {
		assert_int_equal(pg_reset(path), 0);
		return;
	}
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int teardown(void **state)
{
	(void)state;
	remove_db();
	rmdir(dir);
	return 0;
}

static void open_ok(struct nms_store *s)
{
	char err[256];

	if (nms_store_open(s, path, err, sizeof(err)))
		fail_msg("%s", err);
}

/* Raw SQL, for what the store's functions would not write. */
static int sql(struct nms_store *s, const char *q)
{
	return nms_db_exec(s->db, q, NULL, 0);
}

/* SQLite's text or PostgreSQL's, for what the two spell differently. */
#define DIALECT(lite, pg) (tr_store_is_pg() ? (pg) : (lite))

/* The history before PostgreSQL (schema 6): SQLite only. */
#define SQLITE_ONLY()                 \
	do {                          \
		if (tr_store_is_pg()) \
			skip();       \
	} while (0)

static void test_new_and_reopened(void **state)
{
	struct nms_store s;
	char err[256];

	(void)state;
	remove_db();
	open_ok(&s);
	assert_int_equal(nms_store_version(&s), NMS_SCHEMA_VERSION);
	assert_true(nms_store_event(&s, 0, "nms-start", "", err, sizeof(err)) >
		    0);
	nms_store_close(&s);
	open_ok(&s);
	assert_int_equal(nms_store_version(&s), NMS_SCHEMA_VERSION);
	assert_int_equal(nms_store_event_count(&s, "nms-start"), 1);
	nms_store_close(&s);
}

static void test_newer_schema_refused(void **state)
{
	struct nms_store s;
	char err[256] = "";

	(void)state;
	open_ok(&s);
	assert_int_equal(sql(&s,
			     DIALECT("PRAGMA user_version = 99",
				     "UPDATE schema_version SET version = 99")),
			 0);
	nms_store_close(&s);
	assert_int_equal(nms_store_open(&s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schema version 99 is newer"));
	assert_null(s.db);
	remove_db();
}

static int add_then_fail(struct nms_store *s, void *arg, char *err,
			 size_t errlen)
{
	(void)arg;
	if (nms_store_event(s, 0, "half", "", err, errlen) < 0)
		return -1;
	snprintf(err, errlen, "stopped on purpose");
	return -1;
}

static void test_failed_tx_leaves_nothing(void **state)
{
	struct nms_store s;
	char err[256];

	(void)state;
	open_ok(&s);
	assert_int_equal(
		nms_store_tx(&s, add_then_fail, NULL, err, sizeof(err)), -1);
	assert_int_equal(nms_store_event_count(&s, "half"), 0);
	nms_store_close(&s);
}

static void test_constraints(void **state)
{
	struct nms_store s;
	char err[256];

	(void)state;
	open_ok(&s);
	/* A trust state outside the four. */
	assert_int_not_equal(sql(&s, "INSERT INTO devices (name, trust,"
				     " created, updated)"
				     " VALUES ('r1', 'trusted', 0, 0)"),
			     0);
	/* An event about a device that does not exist (foreign keys on). */
	assert_int_equal(nms_store_event(&s, 4242, "x", "", err, sizeof(err)),
			 -1);
	/* One EK, one device. */
	assert_int_equal(
		sql(&s,
		    DIALECT("INSERT INTO devices (name, created, updated)"
			    " VALUES ('r1', 0, 0), ('r2', 0, 0);"
			    "INSERT INTO eks (device_id, name, public, cert)"
			    " VALUES ((SELECT id FROM devices WHERE name = 'r1'),"
			    " x'01', x'', x'')",
			    "INSERT INTO devices (name, created, updated)"
			    " VALUES ('r1', 0, 0), ('r2', 0, 0);"
			    "INSERT INTO eks (device_id, name, public, cert)"
			    " VALUES ((SELECT id FROM devices WHERE name = 'r1'),"
			    " '\\x01', '', '')")),
		0);
	assert_int_not_equal(
		sql(&s,
		    DIALECT("INSERT INTO eks (device_id, name, public, cert)"
			    " VALUES ((SELECT id FROM devices WHERE name = 'r2'),"
			    " x'01', x'', x'')",
			    "INSERT INTO eks (device_id, name, public, cert)"
			    " VALUES ((SELECT id FROM devices WHERE name = 'r2'),"
			    " '\\x01', '', '')")),
		0);
	nms_store_close(&s);
	remove_db();
}

/* The child writes events, one transaction each, and reports each commit
 * on the pipe; it is killed mid-stream. */
static void writer(int fd)
{
	struct nms_store s;
	char err[256];

	if (nms_store_open(&s, path, err, sizeof(err)))
		_exit(2);
	for (uint32_t i = 1;; i++) {
		if (nms_store_event(&s, 0, "tick", "", err, sizeof(err)) < 0)
			_exit(3);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(4);
	}
}

static void test_kill_9_loses_nothing(void **state)
{
	struct nms_store s;
	uint32_t committed = 0, n;
	struct nms_stmt *st;
	int fds[2], status;
	pid_t pid;

	(void)state;
	remove_db();
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(fds[0]);
		writer(fds[1]);
	}
	close(fds[1]);
	while (committed < 200 && read(fds[0], &n, sizeof(n)) == sizeof(n))
		committed = n;
	kill(pid, SIGKILL);
	while (read(fds[0], &n, sizeof(n)) == sizeof(n))
		committed = n; /* commits reported before it died */
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_true(committed >= 200);
	open_ok(&s);
	if (!tr_store_is_pg()) {
		assert_int_equal(
			nms_db_prepare(s.db, "PRAGMA integrity_check", &st), 0);
		assert_int_equal(nms_db_step(st), NMS_DB_ROW);
		assert_string_equal(nms_db_column_text(st, 0), "ok");
		nms_db_finalize(st);
	}
	/* Every reported commit is there; at most the one in flight more. */
	n = (uint32_t)nms_store_event_count(&s, "tick");
	assert_true(n == committed || n == committed + 1);
	nms_store_close(&s);
}

static int tick_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	(void)arg;
	return nms_store_event(s, 0, "tick", "", err, errlen) < 0 ? -1 : 0;
}

/* The same writer with commits that do not wait for the disk, never
 * synced: each is reported once nms_store_tx_nosync returned. */
static void nosync_writer(int fd)
{
	struct nms_store s;
	char err[256];

	if (nms_store_open(&s, path, err, sizeof(err)))
		_exit(2);
	for (uint32_t i = 1;; i++) {
		if (nms_store_tx_nosync(&s, tick_tx, NULL, err, sizeof(err)) <
		    0)
			_exit(3);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(4);
	}
}

/* kill -9 safety does not need the fsync: a nosync commit is in the WAL
 * when it returns (issue 19: the reroute's trust change). */
static void test_kill_9_loses_no_nosync_commit(void **state)
{
	struct nms_store s;
	uint32_t committed = 0, n;
	struct nms_stmt *st;
	int fds[2], status;
	pid_t pid;

	(void)state;
	remove_db();
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(fds[0]);
		nosync_writer(fds[1]);
	}
	close(fds[1]);
	while (committed < 200 && read(fds[0], &n, sizeof(n)) == sizeof(n))
		committed = n;
	kill(pid, SIGKILL);
	while (read(fds[0], &n, sizeof(n)) == sizeof(n))
		committed = n;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_true(committed >= 200);
	open_ok(&s);
	if (!tr_store_is_pg()) {
		assert_int_equal(
			nms_db_prepare(s.db, "PRAGMA integrity_check", &st), 0);
		assert_int_equal(nms_db_step(st), NMS_DB_ROW);
		assert_string_equal(nms_db_column_text(st, 0), "ok");
		nms_db_finalize(st);
	}
	n = (uint32_t)nms_store_event_count(&s, "tick");
	assert_true(n == committed || n == committed + 1);
	nms_store_close(&s);
}

/* A nosync commit is pending until nms_store_sync; every other commit
 * stays synchronous=FULL; inside a transaction it joins it. */
static void test_nosync_then_sync(void **state)
{
	struct nms_store s;
	char err[256];
	struct nms_stmt *st;

	(void)state;
	SQLITE_ONLY(); /* PostgreSQL's commits are all synchronous */
	remove_db();
	open_ok(&s);
	assert_int_equal(nms_db_prepare(s.db, "PRAGMA journal_mode", &st), 0);
	assert_int_equal(nms_db_step(st), NMS_DB_ROW);
	assert_string_equal(nms_db_column_text(st, 0), "wal");
	nms_db_finalize(st);
	assert_false(nms_db_unsynced(s.db));
	assert_int_equal(nms_store_sync(&s, err, sizeof(err)), 0);
	assert_int_equal(
		nms_store_tx_nosync(&s, tick_tx, NULL, err, sizeof(err)), 0);
	assert_true(nms_db_unsynced(s.db));
	assert_int_equal(nms_db_prepare(s.db, "PRAGMA synchronous", &st), 0);
	assert_int_equal(nms_db_step(st), NMS_DB_ROW);
	assert_int_equal(nms_db_column_int64(st, 0), 2); /* FULL again */
	nms_db_finalize(st);
	assert_int_equal(nms_store_sync(&s, err, sizeof(err)), 0);
	assert_false(nms_db_unsynced(s.db));
	assert_int_equal(nms_store_event_count(&s, "tick"), 1);
	/* A failed nosync transaction leaves nothing, and nothing pending. */
	assert_int_equal(nms_store_tx_nosync(&s, add_then_fail, NULL, err,
					     sizeof(err)),
			 -1);
	assert_false(nms_db_unsynced(s.db));
	assert_int_equal(nms_store_event_count(&s, "tick"), 1);
	assert_int_equal(nms_store_event_count(&s, "half"), 0);
	nms_store_close(&s);
	remove_db();
}

static long wal_size(void)
{
	char wal[sizeof(file) + 8];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", file);
	return stat(wal, &st) ? -1 : (long)st.st_size;
}

/* A nosync commit never checkpoints (that would wait for the disk): the
 * WAL grows past SQLite's 1000 frames until nms_store_sync, which then
 * checkpoints and restarts it, so with syncs between them it stays
 * bounded. */
static void test_nosync_checkpoint_waits_for_sync(void **state)
{
	struct nms_store s;
	char err[256];
	long grown, bounded = 0;

	(void)state;
	SQLITE_ONLY();
	remove_db();
	open_ok(&s);
	assert_int_equal(nms_store_warm(&s, err, sizeof(err)), 0);
	for (int i = 0; i < 1500; i++)
		assert_int_equal(nms_store_tx_nosync(&s, tick_tx, NULL, err,
						     sizeof(err)),
				 0);
	grown = wal_size();
	assert_true(grown > 2000L * 4096); /* no checkpoint at 1000 */
	assert_int_equal(nms_store_sync(&s, err, sizeof(err)), 0);
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(nms_store_tx_nosync(&s, tick_tx, NULL, err,
						     sizeof(err)),
				 0);
		if (i % 50 == 49)
			assert_int_equal(nms_store_sync(&s, err, sizeof(err)),
					 0);
		if (wal_size() > bounded)
			bounded = wal_size();
	}
	/* Restarted: never longer than before the first sync. */
	assert_true(bounded <= grown);
	assert_int_equal(nms_store_event_count(&s, "tick"), 4500);
	nms_store_close(&s);
	remove_db();
}

#define BLOB(s) ((struct nms_blob){ (const uint8_t *)(s), sizeof(s) - 1 })
/* A 32-byte key id from a short tag. */
#define KEY(s) BLOB(s "................................")

/* An EK: key id @key (its key), TPM name @name (of its public area). */
static struct nms_ek ek_of(struct nms_blob key, struct nms_blob name)
{
	key.n = 32;
	return (struct nms_ek){ key, name, BLOB("pub"), BLOB("cert") };
}

static void test_one_ek_one_device(void **state)
{
	struct nms_store s;
	struct nms_ek ek1 = ek_of(KEY("key-1"), BLOB("ek-1"));
	struct nms_ek ek2 = ek_of(KEY("key-2"), BLOB("ek-2"));
	struct nms_ek ek3 = ek_of(KEY("key-3"), BLOB("ek-3"));
	char err[256] = "";
	int64_t r1;

	(void)state;
	remove_db();
	open_ok(&s);
	r1 = nms_store_device_for_ek(&s, "r1", &ek1, err, sizeof(err));
	assert_true(r1 > 0);
	/* Again, same name: the same device (enrollment is idempotent). */
	assert_int_equal(
		nms_store_device_for_ek(&s, "r1", &ek1, err, sizeof(err)), r1);
	/* The same TPM under another name. */
	assert_int_equal(nms_store_device_for_ek(&s, "r2", &ek1, err,
						 sizeof(err)),
			 NMS_STORE_CONFLICT);
	assert_non_null(strstr(err, "already enrolled as device \"r1\""));
	/* Another TPM under a taken name: refused, and nothing half-added. */
	assert_int_equal(nms_store_device_for_ek(&s, "r1", &ek2, err,
						 sizeof(err)),
			 NMS_STORE_CONFLICT);
	assert_non_null(
		strstr(err, "device name \"r1\" is enrolled with another TPM"));
	assert_int_equal(nms_store_device_for_ek(&s, "r3", &ek2, err,
						 sizeof(err)),
			 r1 + 1);
	assert_int_equal(
		nms_store_device_for_ek(&s, "", &ek3, err, sizeof(err)), -1);
	nms_store_close(&s);
}

/*
 * Issue 12: the same EK key with another public area around it (noDA
 * flipped: another TPM name) is the same TPM. Keyed by name alone, the
 * store took it for a new one and enrolled "r1-clone".
 */
static void test_ek_known_by_its_key(void **state)
{
	struct nms_store s;
	struct nms_ek real = ek_of(KEY("key-1"), BLOB("ek-1"));
	struct nms_ek changed = ek_of(KEY("key-1"), BLOB("ek-1-noDA"));
	int64_t r1, dev = 0;
	char err[256] = "";

	(void)state;
	remove_db();
	open_ok(&s);
	r1 = nms_store_device_for_ek(&s, "r1", &real, err, sizeof(err));
	assert_true(r1 > 0);
	assert_int_equal(nms_store_device_for_ek(&s, "r1-clone", &changed, err,
						 sizeof(err)),
			 NMS_STORE_CONFLICT);
	assert_non_null(strstr(err, "already enrolled as device \"r1\""));
	/* The check that writes nothing says the same, and names r1. */
	assert_int_equal(nms_store_identity_check(&s, "r1-clone",
						  changed.key_id, BLOB("ak-9"),
						  &dev, err, sizeof(err)),
			 NMS_STORE_CONFLICT);
	assert_int_equal(dev, r1);
	assert_int_equal(nms_store_identity_check(&s, "r1", changed.key_id,
						  BLOB("ak-9"), &dev, err,
						  sizeof(err)),
			 0);
	assert_int_equal(nms_store_identity_check(&s, "r2", KEY("key-2"),
						  BLOB("ak-9"), &dev, err,
						  sizeof(err)),
			 0);
	nms_store_close(&s);
	remove_db();
}

/* A device "r1" with an AK, for the tests below. */
static void enrolled_device(struct nms_store *s, int64_t *dev, int64_t *ak)
{
	struct nms_ek ek = ek_of(KEY("key-1"), BLOB("ek-1"));
	char err[256] = "";

	*dev = nms_store_device_for_ek(s, "r1", &ek, err, sizeof(err));
	assert_true(*dev > 0);
	*ak = nms_store_ak(s, *dev, BLOB("ak-1"), BLOB("akpub"), err,
			   sizeof(err));
	assert_true(*ak > 0);
}

static void set(struct nms_challenge_blob *b, const char *v)
{
	b->n = strlen(v);
	memcpy(b->b, v, b->n);
}

/* A pending challenge of "r1" for EK @key. */
static void pending(struct nms_challenge *c, const char *key)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->device, "r1");
	memcpy(c->ek_key_id, key, strlen(key));
	set(&c->ek_name, "ek-1");
	set(&c->ek_pub, "pub");
	set(&c->ek_cert, "cert");
	set(&c->ak_name, "ak-1");
	set(&c->ak_pub, "akpub");
	memset(c->secret_hash, 0xab, sizeof(c->secret_hash));
	c->expires = 1000;
}

static int64_t count(struct nms_store *s, const char *q)
{
	struct nms_stmt *st;
	int64_t n = -1;

	assert_int_equal(nms_db_prepare(s->db, q, &st), 0);
	if (nms_db_step(st) == NMS_DB_ROW)
		n = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	return n;
}

static void test_challenge_used_once(void **state)
{
	struct nms_store s;
	struct nms_challenge c, *got = malloc(sizeof(*got));
	char err[256] = "";

	(void)state;
	remove_db();
	open_ok(&s);
	pending(&c, "key-1");
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-1"), &c, 0,
						 err, sizeof(err)),
			 0);
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-2"), &c, 0,
						 err, sizeof(err)),
			 0);
	/* A challenge is about no device: nothing else was written. */
	assert_int_equal(count(&s, "SELECT count(*) FROM devices"), 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM eks"), 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM aks"), 0);
	/* The same nonce twice. */
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-1"), &c, 0,
						 err, sizeof(err)),
			 -1);
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-1"), 999, got,
						  err, sizeof(err)),
			 0);
	assert_string_equal(got->device, "r1");
	assert_memory_equal(got->ek_key_id, c.ek_key_id, 32);
	assert_int_equal(got->ek_cert.n, 4);
	assert_memory_equal(got->ek_cert.b, "cert", 4);
	assert_int_equal(got->ak_name.n, 4);
	assert_memory_equal(got->ak_name.b, "ak-1", 4);
	assert_memory_equal(got->secret_hash, c.secret_hash, 32);
	/* A replayed answer. */
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-1"), 999, got,
						  err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "already used"));
	/* Too late: refused, and gone as well. */
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-2"), 1001,
						  got, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "expired"));
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-2"), 999, got,
						  err, sizeof(err)),
			 -1);
	/* Without an AK or a name. */
	c.ak_name.n = 0;
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-3"), &c, 0,
						 err, sizeof(err)),
			 -1);
	nms_store_close(&s);
	remove_db();
	free(got);
}

/*
 * Challenges are the only rows an unauthenticated client causes (with a
 * public EK certificate): expired ones go, and one EK keeps a few.
 */
static void test_challenges_bounded(void **state)
{
	struct nms_store s;
	struct nms_challenge c, *got = malloc(sizeof(*got));
	char err[256] = "", nonce[16];

	(void)state;
	remove_db();
	open_ok(&s);
	pending(&c, "key-1");
	for (int i = 0; i < 20; i++) {
		snprintf(nonce, sizeof(nonce), "nonce-%02d", i);
		assert_int_equal(nms_store_challenge_add(
					 &s,
					 (struct nms_blob){ (uint8_t *)nonce,
							    strlen(nonce) },
					 &c, 0, err, sizeof(err)),
				 0);
	}
	assert_int_equal(count(&s, "SELECT count(*) FROM challenges"),
			 NMS_CHALLENGES_PER_EK);
	/* The newest are kept, the oldest went. */
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-19"), 0, got,
						  err, sizeof(err)),
			 0);
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-00"), 0, got,
						  err, sizeof(err)),
			 -1);
	/* Another EK's are its own. */
	pending(&c, "key-2");
	assert_int_equal(nms_store_challenge_add(&s, BLOB("other"), &c, 0, err,
						 sizeof(err)),
			 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM challenges"),
			 NMS_CHALLENGES_PER_EK);
	/* At a time past their expiry, adding one drops the old. */
	assert_int_equal(nms_store_challenge_add(&s, BLOB("late"), &c, 1001,
						 err, sizeof(err)),
			 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM challenges"), 1);
	nms_store_close(&s);
	remove_db();
	free(got);
}

static int take_then_fail(struct nms_store *s, void *arg, char *err,
			  size_t errlen)
{
	struct nms_challenge *got = arg;

	if (nms_store_challenge_take(s, BLOB("nonce-1"), 0, got, err, errlen))
		return -1;
	snprintf(err, errlen, "stopped on purpose");
	return -1;
}

/* A transaction that took a challenge and then failed gives it back:
 * an NMS that dies before it commits loses nothing. */
static void test_challenge_back_on_rollback(void **state)
{
	struct nms_store s;
	struct nms_challenge c, *got = malloc(sizeof(*got));
	char err[256] = "";

	(void)state;
	remove_db();
	open_ok(&s);
	pending(&c, "key-1");
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-1"), &c, 0,
						 err, sizeof(err)),
			 0);
	assert_int_equal(
		nms_store_tx(&s, take_then_fail, got, err, sizeof(err)), -1);
	assert_string_equal(err, "stopped on purpose");
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-1"), 0, got,
						  err, sizeof(err)),
			 0);
	nms_store_close(&s);
	remove_db();
	free(got);
}

static void test_keys_and_certificates(void **state)
{
	struct nms_store s;
	struct nms_ek ek2 = ek_of(KEY("key-2"), BLOB("ek-2"));
	uint8_t policy[32] = { 1 };
	int64_t dev, ak, dev2, key;
	char err[256] = "";

	(void)state;
	remove_db();
	open_ok(&s);
	enrolled_device(&s, &dev, &ak);
	/* The same AK again: the same row; for another device: refused. */
	assert_int_equal(nms_store_ak(&s, dev, BLOB("ak-1"), BLOB("akpub"), err,
				      sizeof(err)),
			 ak);
	dev2 = nms_store_device_for_ek(&s, "r2", &ek2, err, sizeof(err));
	assert_true(dev2 > 0);
	assert_int_equal(nms_store_ak(&s, dev2, BLOB("ak-1"), BLOB("akpub"),
				      err, sizeof(err)),
			 NMS_STORE_CONFLICT);
	assert_non_null(strstr(err, "another device"));
	assert_int_equal(nms_store_ak_activated(&s, ak, 5, err, sizeof(err)),
			 0);
	assert_int_equal(nms_store_ak_activated(&s, 999, 5, err, sizeof(err)),
			 -1);

	key = nms_store_tls_key(&s, dev, BLOB("key-1"), BLOB("keypub"), policy,
				err, sizeof(err));
	assert_true(key > 0);
	/* Re-enrolling the same key updates its row. */
	assert_int_equal(nms_store_tls_key(&s, dev, BLOB("key-1"),
					   BLOB("keypub"), policy, err,
					   sizeof(err)),
			 key);
	assert_int_equal(nms_store_tls_key(&s, dev2, BLOB("key-1"),
					   BLOB("keypub"), policy, err,
					   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "another device"));

	struct nms_cert_row c = { dev, key, "01AB", BLOB("der"), 100 };

	assert_true(nms_store_cert_add(&s, &c, err, sizeof(err)) > 0);
	/* Serials are unique. */
	assert_int_equal(nms_store_cert_add(&s, &c, err, sizeof(err)), -1);
	c.serial = "01AC";
	assert_true(nms_store_cert_add(&s, &c, err, sizeof(err)) > 0);
	assert_int_equal(nms_store_cert_count(&s, dev), 2);
	assert_int_equal(nms_store_cert_count(&s, dev2), 0);
	nms_store_close(&s);
	remove_db();
}

/* A marshalled RSA-2048 EK area whose modulus starts with @tag. */
static size_t ek_area(uint8_t tag, uint8_t *out, size_t cap)
{
	TPM2B_PUBLIC p = { 0 };
	TPMT_PUBLIC *a = &p.publicArea;
	size_t n = 0;

	a->type = TPM2_ALG_RSA;
	a->nameAlg = TPM2_ALG_SHA256;
	a->parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	a->parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	a->parameters.rsaDetail.keyBits = 2048;
	a->unique.rsa.size = 256;
	memset(a->unique.rsa.buffer, 0x5a, 256);
	a->unique.rsa.buffer[0] = 0x80 | tag;
	a->unique.rsa.buffer[255] |= 1;
	assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Marshal(&p, out, cap, &n), 0);
	return n;
}

/* A version-4 store with devices as the old enrollment left them. */
static void old_store(bool one_tpm_twice)
{
	static const struct {
		const char *name;
		uint8_t key;
		bool activated;
	} devs[] = {
		{ "r1", 1, true }, /* enrolled */
		{ "victim1", 2, false }, /* a squat: never answered */
		{ "r1-clone", 1, true }, /* issue 12's clone, sometimes */
	};
	struct nms_store s;
	char err[256];
	uint8_t pub[sizeof(TPM2B_PUBLIC)];

	remove_db();
	if (nms_store_open_version(&s, path, 4, err, sizeof(err)))
		fail_msg("%s", err);
	for (int i = 0; i < (one_tpm_twice ? 3 : 2); i++) {
		struct nms_stmt *st;
		size_t n = ek_area(devs[i].key, pub, sizeof(pub));
		char name[16];

		snprintf(name, sizeof(name), "ek-%d", i);
		assert_int_equal(
			nms_db_prepare(
				s.db,
				"INSERT INTO devices (id, name, created, updated)"
				" VALUES (?1, ?2, 0, 0)",
				&st),
			0);
		nms_db_bind_int64(st, 1, i + 1);
		nms_db_bind_text(st, 2, devs[i].name);
		assert_int_equal(nms_db_step(st), NMS_DB_DONE);
		nms_db_finalize(st);
		assert_int_equal(
			nms_db_prepare(
				s.db,
				"INSERT INTO eks (device_id, name, public, cert)"
				" VALUES (?1, ?2, ?3, x'30')",
				&st),
			0);
		nms_db_bind_int64(st, 1, i + 1);
		nms_db_bind_text(st, 2, name);
		nms_db_bind_blob(st, 3, pub, n);
		assert_int_equal(nms_db_step(st), NMS_DB_DONE);
		nms_db_finalize(st);
		assert_int_equal(
			nms_db_prepare(s.db,
				       "INSERT INTO aks (device_id, name,"
				       " public, activated)"
				       " VALUES (?1, ?2, x'00', ?3)",
				       &st),
			0);
		nms_db_bind_int64(st, 1, i + 1);
		nms_db_bind_text(st, 2, devs[i].name);
		if (devs[i].activated)
			nms_db_bind_int64(st, 3, 5);
		else
			nms_db_bind_null(st, 3);
		assert_int_equal(nms_db_step(st), NMS_DB_DONE);
		nms_db_finalize(st);
		assert_int_equal(
			sql(&s, "INSERT INTO challenges (device_id, nonce,"
				" secret_hash, expires) VALUES"
				" ((SELECT max(id) FROM devices),"
				" randomblob(32), x'00', 0);"
				"INSERT INTO events (device_id, time, kind,"
				" detail) VALUES ((SELECT max(id) FROM"
				" devices), 0, 'challenge', '')"),
			0);
	}
	nms_store_close(&s);
}

/*
 * Migration 5: EKs get their key ids, pending challenges go, devices
 * that never activated a credential (squats) are dropped with an event
 * naming them; and a store where one TPM is two devices is refused,
 * naming both.
 */
static void test_migration_5(void **state)
{
	struct nms_store s;
	char err[256] = "";

	(void)state;
	SQLITE_ONLY();
	old_store(false);
	open_ok(&s);
	assert_int_equal(nms_store_version(&s), NMS_SCHEMA_VERSION);
	assert_int_equal(count(&s, "SELECT count(*) FROM devices"
				   " WHERE name = 'victim1'"),
			 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM devices"
				   " WHERE name = 'r1'"),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM eks"
				   " WHERE length(key_id) = 32"),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM challenges"), 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM events WHERE"
				   " kind = 'enroll-dropped' AND"
				   " detail LIKE '%\"victim1\"%'"),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM events"), 3);
	nms_store_close(&s);

	old_store(true);
	assert_int_equal(nms_store_open(&s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(
		err,
		"devices \"r1\" and \"r1-clone\" are one TPM (one EK key)"));
	/* Nothing changed: the operator can look, fix, start again. */
	assert_int_equal(nms_store_open_version(&s, path, 4, err, sizeof(err)),
			 0);
	assert_int_equal(nms_store_version(&s), 4);
	assert_int_equal(sql(&s, "DELETE FROM aks WHERE device_id = 3;"
				 "DELETE FROM eks WHERE device_id = 3;"
				 "DELETE FROM challenges;"
				 "DELETE FROM events WHERE device_id = 3;"
				 "DELETE FROM devices WHERE id = 3"),
			 0);
	nms_store_close(&s);
	open_ok(&s);
	assert_int_equal(nms_store_version(&s), NMS_SCHEMA_VERSION);
	nms_store_close(&s);
	remove_db();
}

/*
 * Several NMS hosts: members are live while they beat; a lease has one
 * holder, renewed in the same epoch, taken over only once it expired and
 * then in the next epoch; the old holder's fence (held in its epoch)
 * fails from then on; a released lease is taken at once.
 */
static void test_members_and_leases(void **state)
{
	struct nms_store s;
	char err[256] = "", ids[4][128], other[128];
	int64_t e1 = 0, e2 = 0, e;

	(void)state;
	remove_db();
	open_ok(&s);
	assert_int_equal(nms_store_member_beat(&s, "a", "h1", 1, 60000, err,
					       sizeof(err)),
			 0);
	assert_int_equal(nms_store_member_beat(&s, "b", "h2", 1, 60000, err,
					       sizeof(err)),
			 0);
	assert_int_equal(nms_store_members_live(&s, 5000, ids[0], 128, 4, err,
						sizeof(err)),
			 2);
	assert_string_equal(ids[0], "a");
	assert_string_equal(ids[1], "b");
	assert_int_equal(nms_store_member_leave(&s, "b", err, sizeof(err)), 0);
	assert_int_equal(nms_store_members_live(&s, 5000, ids[0], 128, 4, err,
						sizeof(err)),
			 1);

	/* a takes it; renewing keeps the epoch; b cannot have it. */
	assert_int_equal(nms_store_lease_take(&s, NMS_LEASE_ROUTE, "a", 300,
					      &e1, other, sizeof(other), err,
					      sizeof(err)),
			 1);
	assert_int_equal(nms_store_lease_take(&s, NMS_LEASE_ROUTE, "a", 300, &e,
					      other, sizeof(other), err,
					      sizeof(err)),
			 1);
	assert_int_equal(e, e1);
	assert_int_equal(nms_store_lease_take(&s, NMS_LEASE_ROUTE, "b", 300,
					      &e2, other, sizeof(other), err,
					      sizeof(err)),
			 0);
	assert_string_equal(other, "a");
	assert_int_equal(nms_store_lease_held(&s, NMS_LEASE_ROUTE, "a", e1, err,
					      sizeof(err)),
			 1);
	/* a stops renewing (dies): once it expired, b has it, next epoch. */
	nanosleep(&(struct timespec){ 0, 400000000L }, NULL);
	assert_int_equal(nms_store_lease_held(&s, NMS_LEASE_ROUTE, "a", e1, err,
					      sizeof(err)),
			 0);
	assert_int_equal(nms_store_lease_take(&s, NMS_LEASE_ROUTE, "b", 300,
					      &e2, other, sizeof(other), err,
					      sizeof(err)),
			 1);
	assert_int_equal(e2, e1 + 1);
	/* a wakes up: fenced off, and cannot take it back while b renews. */
	assert_int_equal(nms_store_lease_held(&s, NMS_LEASE_ROUTE, "a", e1, err,
					      sizeof(err)),
			 0);
	assert_int_equal(nms_store_lease_take(&s, NMS_LEASE_ROUTE, "a", 300, &e,
					      other, sizeof(other), err,
					      sizeof(err)),
			 0);
	assert_string_equal(other, "b");
	/* b stops cleanly: a has it at once. */
	assert_int_equal(nms_store_lease_release(&s, NMS_LEASE_ROUTE, "b", err,
						 sizeof(err)),
			 0);
	assert_int_equal(nms_store_lease_take(&s, NMS_LEASE_ROUTE, "a", 300, &e,
					      other, sizeof(other), err,
					      sizeof(err)),
			 1);
	assert_int_equal(e, e2 + 1);
	nms_store_close(&s);
	remove_db();
}

/*
 * Migrations 7 to 9 (issues 16, 20, 17) on a schema 6 store (issue 18's
 * actuators):
 * what was there stays (an FRR host, a certificate, a session), the
 * certificate is not revoked nor the device decommissioned, and the new
 * tables are there, the audit log append-only.
 */
static void test_migration_7(void **state)
{
	struct nms_store s;
	char err[256];

	(void)state;
	SQLITE_ONLY();
	remove_db();
	if (nms_store_open_version(&s, path, 6, err, sizeof(err)))
		fail_msg("%s", err);
	if (sql(&s, "INSERT INTO devices (id, name, created, updated)"
		    " VALUES (1, 'r1', 0, 0);"
		    "INSERT INTO tls_keys (id, device_id, name, public,"
		    " policy, certified) VALUES (1, 1, x'01', x'00', x'00', 0);"
		    "INSERT INTO certificates (device_id, tls_key_id,"
		    " serial, der, not_after, issued)"
		    " VALUES (1, 1, '01', x'30', 9, 0);"
		    "INSERT INTO sessions (device_id, peer, identity,"
		    " started, ended, verdict, mutual, attested, reasons)"
		    " VALUES (1, '127.0.0.1', 'r1', 0, 1, 'good', 0, 1, '');"
		    "INSERT INTO route_hosts (name, netns, actuator, vty,"
		    " device_id) VALUES ('r1-frr', '', 'frr', '/run/frr', 1)"))
		fail_msg("%s", nms_db_errmsg(s.db));
	nms_store_close(&s);
	open_ok(&s);
	/* Migrated to the newest (9: issue 20's 8, issue 17's 9). */
	assert_int_equal(nms_store_version(&s), NMS_SCHEMA_VERSION);
	assert_int_equal(count(&s, "SELECT count(*) FROM route_hosts WHERE"
				   " name = 'r1-frr' AND actuator = 'frr'"
				   " AND device_id = 1"),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM certificates WHERE"
				   " serial = '01' AND revoked = 0"
				   " AND revoke_reason = ''"),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM devices WHERE"
				   " decommissioned = 0"),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM session_results"), 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM api_tokens"), 0);
	assert_int_equal(sql(&s, "INSERT INTO audit (time_ms, operator, role,"
				 " action, target, status, detail)"
				 " VALUES (1, 'alice', 'admin', 'reset', 'r1',"
				 " 200, '')"),
			 0);
	assert_int_not_equal(sql(&s, "DELETE FROM audit"), 0);
	assert_int_not_equal(sql(&s, "UPDATE audit SET status = 500"), 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM audit"), 1);
	nms_store_close(&s);
	remove_db();
}

/* Two connections taking the same leases: never two holders. */
static void test_lease_race(void **state)
{
	struct nms_store a, b;
	char err[256] = "";
	int64_t ea, eb;

	(void)state;
	remove_db();
	open_ok(&a);
	open_ok(&b);
	for (int i = 0; i < 50; i++) {
		char name[16];
		int ha, hb;

		snprintf(name, sizeof(name), "l%d", i);
		ha = nms_store_lease_take(&a, name, "a", 10000, &ea, NULL, 0,
					  err, sizeof(err));
		hb = nms_store_lease_take(&b, name, "b", 10000, &eb, NULL, 0,
					  err, sizeof(err));
		assert_int_equal(ha + hb, 1);
	}
	nms_store_close(&a);
	nms_store_close(&b);
	remove_db();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_reopened),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_failed_tx_leaves_nothing),
		cmocka_unit_test(test_constraints),
		cmocka_unit_test(test_kill_9_loses_nothing),
		cmocka_unit_test(test_kill_9_loses_no_nosync_commit),
		cmocka_unit_test(test_nosync_then_sync),
		cmocka_unit_test(test_nosync_checkpoint_waits_for_sync),
		cmocka_unit_test(test_one_ek_one_device),
		cmocka_unit_test(test_ek_known_by_its_key),
		cmocka_unit_test(test_challenge_used_once),
		cmocka_unit_test(test_challenges_bounded),
		cmocka_unit_test(test_challenge_back_on_rollback),
		cmocka_unit_test(test_keys_and_certificates),
		cmocka_unit_test(test_migration_5),
		cmocka_unit_test(test_members_and_leases),
		cmocka_unit_test(test_lease_race),
		cmocka_unit_test(test_migration_7),
	};

	return TR_RUN(tests, setup, teardown);
}
