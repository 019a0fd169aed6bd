// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NMS store on real SQLite files: a new database gets the current
 * schema, reopening changes nothing, a newer schema is refused, a failed
 * transaction leaves no trace, the schema's constraints hold, and a
 * writer killed with SIGKILL loses none of its committed transactions.
 * One EK is one device; a challenge is answered once, and not late, and
 * comes back when the transaction that took it rolls back; AKs and TLS
 * keys belong to one device; certificate serials are unique.
 */
#include "nms/store/store.h"
#include "nms/store/store_enroll.h"
#include "tr_test.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/trustroute-store-XXXXXX";
static char path[sizeof(dir) + 16];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/nms.db", dir);
	return 0;
}

static void remove_db(void)
{
	char p[sizeof(path) + 8];

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
	assert_int_equal(sqlite3_exec(s.db, "PRAGMA user_version = 99", NULL,
				      NULL, NULL),
			 SQLITE_OK);
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
	assert_int_not_equal(
		sqlite3_exec(
			s.db,
			"INSERT INTO devices (name, trust, created, updated)"
			" VALUES ('r1', 'trusted', 0, 0)",
			NULL, NULL, NULL),
		SQLITE_OK);
	/* An event about a device that does not exist (foreign keys on). */
	assert_int_equal(nms_store_event(&s, 4242, "x", "", err, sizeof(err)),
			 -1);
	/* One EK, one device. */
	assert_int_equal(
		sqlite3_exec(s.db,
			     "INSERT INTO devices (name, created, updated)"
			     " VALUES ('r1', 0, 0), ('r2', 0, 0);"
			     "INSERT INTO eks (device_id, name, public, cert)"
			     " VALUES (1, x'01', x'', x'')",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_not_equal(
		sqlite3_exec(s.db,
			     "INSERT INTO eks (device_id, name, public, cert)"
			     " VALUES (2, x'01', x'', x'')",
			     NULL, NULL, NULL),
		SQLITE_OK);
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
	sqlite3_stmt *st;
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
	assert_int_equal(sqlite3_prepare_v2(s.db, "PRAGMA integrity_check", -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	/* Every reported commit is there; at most the one in flight more. */
	n = (uint32_t)nms_store_event_count(&s, "tick");
	assert_true(n == committed || n == committed + 1);
	nms_store_close(&s);
}

#define BLOB(s) ((struct nms_blob){ (const uint8_t *)(s), sizeof(s) - 1 })

static void test_one_ek_one_device(void **state)
{
	struct nms_store s;
	char err[256] = "";
	int64_t r1;

	(void)state;
	remove_db();
	open_ok(&s);
	r1 = nms_store_device_for_ek(&s, "r1", BLOB("ek-1"), BLOB("pub"),
				     BLOB("cert"), err, sizeof(err));
	assert_true(r1 > 0);
	/* Again, same name: the same device (enrollment is idempotent). */
	assert_int_equal(nms_store_device_for_ek(&s, "r1", BLOB("ek-1"),
						 BLOB("pub"), BLOB("cert"), err,
						 sizeof(err)),
			 r1);
	/* The same TPM under another name. */
	assert_int_equal(nms_store_device_for_ek(&s, "r2", BLOB("ek-1"),
						 BLOB("pub"), BLOB("cert"), err,
						 sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "already enrolled as device \"r1\""));
	/* Another TPM under a taken name: refused, and nothing half-added. */
	assert_int_equal(nms_store_device_for_ek(&s, "r1", BLOB("ek-2"),
						 BLOB("pub"), BLOB("cert"), err,
						 sizeof(err)),
			 -1);
	assert_int_equal(nms_store_device_for_ek(&s, "r3", BLOB("ek-2"),
						 BLOB("pub"), BLOB("cert"), err,
						 sizeof(err)),
			 r1 + 1);
	assert_int_equal(nms_store_device_for_ek(&s, "", BLOB("ek-3"),
						 BLOB("pub"), BLOB("cert"), err,
						 sizeof(err)),
			 -1);
	nms_store_close(&s);
}

/* A device "r1" with an AK, for the tests below. */
static void enrolled_device(struct nms_store *s, int64_t *dev, int64_t *ak)
{
	char err[256] = "";

	*dev = nms_store_device_for_ek(s, "r1", BLOB("ek-1"), BLOB("pub"),
				       BLOB("cert"), err, sizeof(err));
	assert_true(*dev > 0);
	*ak = nms_store_ak(s, *dev, BLOB("ak-1"), BLOB("akpub"), err,
			   sizeof(err));
	assert_true(*ak > 0);
}

static void test_challenge_used_once(void **state)
{
	struct nms_store s;
	struct nms_challenge c = { .expires = 1000 }, got;
	char err[256] = "";

	(void)state;
	remove_db();
	open_ok(&s);
	enrolled_device(&s, &c.device_id, &c.ak_id);
	memset(c.secret_hash, 0xab, sizeof(c.secret_hash));
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-1"), &c, err,
						 sizeof(err)),
			 0);
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-2"), &c, err,
						 sizeof(err)),
			 0);
	/* The same nonce twice. */
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-1"), &c, err,
						 sizeof(err)),
			 -1);
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-1"), 999,
						  &got, err, sizeof(err)),
			 0);
	assert_int_equal(got.device_id, c.device_id);
	assert_int_equal(got.ak_id, c.ak_id);
	assert_memory_equal(got.secret_hash, c.secret_hash, 32);
	/* A replayed answer. */
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-1"), 999,
						  &got, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "already used"));
	/* Too late: refused, and gone as well. */
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-2"), 1001,
						  &got, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "expired"));
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-2"), 999,
						  &got, err, sizeof(err)),
			 -1);
	/* For a device, or an AK, that does not exist. */
	c.device_id = 4242;
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-3"), &c, err,
						 sizeof(err)),
			 -1);
	nms_store_close(&s);
	remove_db();
}

static int take_then_fail(struct nms_store *s, void *arg, char *err,
			  size_t errlen)
{
	struct nms_challenge got;

	(void)arg;
	if (nms_store_challenge_take(s, BLOB("nonce-1"), 0, &got, err, errlen))
		return -1;
	snprintf(err, errlen, "stopped on purpose");
	return -1;
}

/* A transaction that took a challenge and then failed gives it back:
 * an NMS that dies before it commits loses nothing. */
static void test_challenge_back_on_rollback(void **state)
{
	struct nms_store s;
	struct nms_challenge c = { .expires = 1000 }, got;
	char err[256] = "";

	(void)state;
	remove_db();
	open_ok(&s);
	enrolled_device(&s, &c.device_id, &c.ak_id);
	assert_int_equal(nms_store_challenge_add(&s, BLOB("nonce-1"), &c, err,
						 sizeof(err)),
			 0);
	assert_int_equal(
		nms_store_tx(&s, take_then_fail, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "stopped on purpose");
	assert_int_equal(nms_store_challenge_take(&s, BLOB("nonce-1"), 0, &got,
						  err, sizeof(err)),
			 0);
	nms_store_close(&s);
	remove_db();
}

static void test_keys_and_certificates(void **state)
{
	struct nms_store s;
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
	dev2 = nms_store_device_for_ek(&s, "r2", BLOB("ek-2"), BLOB("pub"),
				       BLOB("cert"), err, sizeof(err));
	assert_true(dev2 > 0);
	assert_int_equal(nms_store_ak(&s, dev2, BLOB("ak-1"), BLOB("akpub"),
				      err, sizeof(err)),
			 -1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_reopened),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_failed_tx_leaves_nothing),
		cmocka_unit_test(test_constraints),
		cmocka_unit_test(test_kill_9_loses_nothing),
		cmocka_unit_test(test_one_ek_one_device),
		cmocka_unit_test(test_challenge_used_once),
		cmocka_unit_test(test_challenge_back_on_rollback),
		cmocka_unit_test(test_keys_and_certificates),
	};

	return TR_RUN(tests, setup, teardown);
}
