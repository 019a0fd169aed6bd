// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trust engine: the policy table (every state against every event),
 * bad is sticky and silence does not launder it; the metric map, its
 * defaults and its refusals; on a real SQLite file (or with
 * TRUSTROUTE_TEST_STORE=pg a PostgreSQL database), an observation that
 * changes the state writes state, history and event together and one
 * that does not writes nothing, a rolled-back caller's transaction
 * leaves nothing, a stale compare-and-set is refused, schema 2 files are
 * migrated with their states kept; router addresses and managed hosts;
 * converging with no hosts, and with a host whose namespace is missing
 * (the error names it and nothing is recorded as applied). The address
 * and route formats of the route actuator.
 */
#include "nms/route/converge.h"
#include "nms/route/observe.h"
#include "nms/route/route_actuator.h"
#include "nms/store/store.h"
#include "nms/store/store_trust.h"
#include "pg_fixture.h"
#include "test_dir.h"
#include "tr_test.h"

#include <arpa/inet.h>
#include <sqlite3.h>
#include <string.h>

static struct test_dir td;
static char file[300];
static const char *path; /* the SQLite file, or the PostgreSQL database */

static int setup(void **state)
{
	(void)state;
	return test_dir_make(&td, "trustroute-trust");
}

static int teardown(void **state)
{
	(void)state;
	return test_dir_remove(&td);
}

/* A database file of its own for each test. */
static void new_path(void)
{
	static int n;
	char name[32];

	snprintf(name, sizeof(name), "nms-%d.db", ++n);
	test_dir_path(&td, file, sizeof(file), name);
	path = tr_store_target(file);
	assert_non_null(path);
}

static int sql(struct nms_store *s, const char *q)
{
	return nms_db_exec(s->db, q, NULL, 0);
}

/* A new store with routers r1 and r2 (ids 1, 2), both unknown. */
static void open_fresh(struct nms_store *s)
{
	char err[256];

	new_path();
	if (nms_store_open(s, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(sql(s, "INSERT INTO devices (name, created, updated)"
				" VALUES ('r1', 0, 0), ('r2', 0, 0)"),
			 0);
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

/* ---- the policy ------------------------------------------------------- */

static void test_names(void **state)
{
	enum trust_state st;
	enum trust_event ev;

	(void)state;
	for (int i = 0; i < TRUST_NSTATES; i++) {
		assert_int_equal(trust_state_parse(trust_state_name(i), &st),
				 0);
		assert_int_equal(st, i);
	}
	for (int i = 0; i < TRUST_NEVENTS; i++) {
		assert_int_equal(trust_event_parse(trust_event_name(i), &ev),
				 0);
		assert_int_equal(ev, i);
	}
	assert_string_equal(trust_state_name(TRUST_OFFLINE), "offline");
	assert_string_equal(trust_event_name(TRUST_EV_HANDSHAKE_FAIL),
			    "handshake-fail");
	assert_int_equal(trust_state_parse("trusted", &st), -1);
	assert_int_equal(trust_state_parse("", &st), -1);
	assert_int_equal(trust_state_parse(NULL, &st), -1);
	assert_int_equal(trust_event_parse("Handshake-Fail", &ev), -1);
	assert_string_equal(trust_state_name((enum trust_state)7), "?");
}

static void test_policy_table(void **state)
{
	/* Rows: good, unknown, bad, offline. Columns: attest-ok,
	 * attest-fail, handshake-ok, handshake-fail, no-answer, reset,
	 * attest-unknown. */
#define G TRUST_GOOD
#define U TRUST_UNKNOWN
#define B TRUST_BAD
#define O TRUST_OFFLINE
	static const enum trust_state want[TRUST_NSTATES][TRUST_NEVENTS] = {
		[TRUST_GOOD] = { G, B, G, B, O, U, U },
		[TRUST_UNKNOWN] = { G, B, G, B, O, U, U },
		[TRUST_BAD] = { G, B, B, B, B, U, B },
		[TRUST_OFFLINE] = { G, B, G, B, O, U, U },
	};
#undef G
#undef U
#undef B
#undef O

	(void)state;
	for (int s = 0; s < TRUST_NSTATES; s++)
		for (int e = 0; e < TRUST_NEVENTS; e++)
			if (trust_next(s, e) != want[s][e])
				fail_msg("%s + %s gave %s, want %s",
					 trust_state_name(s),
					 trust_event_name(e),
					 trust_state_name(trust_next(s, e)),
					 trust_state_name(want[s][e]));
	/* A failed implicit attestation is bad at once, from anywhere. */
	for (int s = 0; s < TRUST_NSTATES; s++)
		assert_int_equal(trust_next(s, TRUST_EV_HANDSHAKE_FAIL),
				 TRUST_BAD);
	/* Out of range: no change. */
	assert_int_equal(trust_next(TRUST_GOOD, TRUST_NEVENTS), TRUST_GOOD);
}

/* ---- the metric map --------------------------------------------------- */

static void test_metrics(void **state)
{
	struct trust_metrics m = trust_metrics_default;
	char err[256], buf[128];
	static const char *const bad[] = {
		"bad",
		"bad=",
		"bad=0",
		"bad=-1",
		"bad=x",
		"bad=30x",
		"evil=3",
		"bad=2147483648",
		"=5",
		"good=20", /* = unknown */
		"good=1,unknown=1",
	};

	(void)state;
	assert_int_equal(m.metric[TRUST_GOOD], 10);
	assert_int_equal(m.metric[TRUST_UNKNOWN], 20);
	assert_int_equal(m.metric[TRUST_BAD], 30);
	assert_int_equal(m.metric[TRUST_OFFLINE], 40);
	trust_metrics_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "good=10,unknown=20,bad=30,offline=40");

	/* A partial map changes only what it names. */
	assert_int_equal(trust_metrics_parse("bad=1000,offline=2000", &m, err,
					     sizeof(err)),
			 0);
	trust_metrics_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "good=10,unknown=20,bad=1000,offline=2000");
	/* Its own output reads back the same. */
	m = trust_metrics_default;
	assert_int_equal(trust_metrics_parse(buf, &m, err, sizeof(err)), 0);
	assert_int_equal(m.metric[TRUST_BAD], 1000);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trust_metrics before = m;

		err[0] = '\0';
		if (trust_metrics_parse(bad[i], &m, err, sizeof(err)) != -1)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(err, "metric map"));
		/* Refused: nothing changed. */
		assert_memory_equal(&m, &before, sizeof(m));
	}
	assert_int_equal(trust_metrics_parse("good=20", &m, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "good and unknown both have metric 20"));
	assert_int_equal(trust_metrics_parse("evil=3", &m, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "\"evil\" is not a trust state"));
}

/* The routing policy per state: re-cost (the default) or withdraw. */
static void test_route_policy(void **state)
{
	static const char *const bad[] = {
		"",
		"bad",
		"bad=drop",
		"evil=withdraw",
		"bad=withdraw,",
		"good=withdraw",
		",",
		"bad=",
		"=withdraw",
	};
	struct trust_metrics m = trust_metrics_default;
	char buf[128], err[256];

	(void)state;
	for (int i = 0; i < TRUST_NSTATES; i++)
		assert_false(m.withdraw[i]);
	trust_route_policy_format(&m, buf, sizeof(buf));
	assert_string_equal(
		buf, "good=recost,unknown=recost,bad=recost,offline=recost");
	assert_int_equal(trust_route_policy_parse("bad=withdraw", &m, err,
						  sizeof(err)),
			 0);
	assert_true(m.withdraw[TRUST_BAD]);
	assert_false(m.withdraw[TRUST_OFFLINE] || m.withdraw[TRUST_UNKNOWN]);
	/* Only what it names changes; its output reads back the same. */
	assert_int_equal(trust_route_policy_parse("offline=withdraw,bad=recost",
						  &m, err, sizeof(err)),
			 0);
	trust_route_policy_format(&m, buf, sizeof(buf));
	assert_string_equal(
		buf, "good=recost,unknown=recost,bad=recost,offline=withdraw");
	m = trust_metrics_default;
	assert_int_equal(trust_route_policy_parse(buf, &m, err, sizeof(err)),
			 0);
	assert_true(m.withdraw[TRUST_OFFLINE]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct trust_metrics before = m;

		err[0] = '\0';
		/* "bad=withdraw," is accepted by strtok: a trailing comma
		 * is tolerated like in the metric map; skip it. */
		if (!strcmp(bad[i], "bad=withdraw,"))
			continue;
		if (trust_route_policy_parse(bad[i], &m, err, sizeof(err)) !=
		    -1)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(strstr(err, "route policy"));
		assert_memory_equal(&m, &before, sizeof(m));
	}
	/* Good routers are where traffic belongs: never withdrawn. */
	assert_int_equal(trust_route_policy_parse("good=withdraw", &m, err,
						  sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "good routers are always re-costed"));
}

/* ---- the store -------------------------------------------------------- */

static int collect_hist(const struct nms_trust_hist *h, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s>%s(%s);", trust_state_name(h->from),
		 trust_state_name(h->to), h->reason);
	return 0;
}

static void test_observe_writes_one_change(void **state)
{
	struct nms_store s;
	struct trust_change c;
	struct nms_trust_row row;
	char err[256], hist[1024] = "";

	(void)state;
	open_fresh(&s);
	assert_int_equal(nms_store_version(&s), NMS_SCHEMA_VERSION);
	assert_int_equal(nms_store_trust_get(&s, 1, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_UNKNOWN);
	assert_int_equal(row.since_ms, 0);

	assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_HANDSHAKE_FAIL,
					   "PCR policy not satisfied", 1000, &c,
					   err, sizeof(err)),
			 0);
	assert_true(c.changed);
	assert_int_equal(c.from, TRUST_UNKNOWN);
	assert_int_equal(c.to, TRUST_BAD);
	assert_int_equal(nms_store_trust_get(&s, 1, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_BAD);
	assert_int_equal(row.since_ms, 1000);
	assert_string_equal(row.reason,
			    "handshake-fail: PCR policy not satisfied");
	assert_int_equal(count(&s, "SELECT count(*) FROM trust_history"), 1);
	assert_int_equal(nms_store_event_count(&s, "trust"), 1);
	/* r2 untouched. */
	assert_int_equal(nms_store_trust_get(&s, 2, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_UNKNOWN);

	/* Observations that change nothing write nothing: idempotent. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_HANDSHAKE_OK,
						   NULL, 2000 + i, &c, err,
						   sizeof(err)),
				 0);
		assert_false(c.changed);
		assert_int_equal(c.to, TRUST_BAD); /* sticky */
	}
	assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_NO_ANSWER, NULL,
					   2100, &c, err, sizeof(err)),
			 0);
	assert_false(c.changed);
	assert_int_equal(count(&s, "SELECT count(*) FROM trust_history"), 1);
	assert_int_equal(nms_store_event_count(&s, "trust"), 1);
	assert_int_equal(nms_store_trust_get(&s, 1, &row, err, sizeof(err)), 0);
	assert_int_equal(row.since_ms, 1000); /* since the change */

	/* Re-attested, then silent, then answering again. */
	assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_ATTEST_OK,
					   "quote ok", 3000, &c, err,
					   sizeof(err)),
			 0);
	assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_NO_ANSWER, "timeout",
					   4000, &c, err, sizeof(err)),
			 0);
	assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_HANDSHAKE_OK, NULL,
					   5000, &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.to, TRUST_GOOD);
	assert_int_equal(nms_store_trust_history(&s, 1, collect_hist, hist, err,
						 sizeof(err)),
			 4);
	assert_string_equal(
		hist, "unknown>bad(handshake-fail: PCR policy not satisfied);"
		      "bad>good(attest-ok: quote ok);"
		      "good>offline(no-answer: timeout);"
		      "offline>good(handshake-ok);");
	assert_int_equal(count(&s, "SELECT time_ms FROM trust_history"
				   " ORDER BY id DESC LIMIT 1"),
			 5000);
	assert_int_equal(nms_store_event_count(&s, "trust"), 4);

	/* A device that does not exist. */
	assert_int_equal(nms_trust_observe(&s, 99, TRUST_EV_ATTEST_OK, NULL, 1,
					   &c, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no device with id 99"));
	assert_int_equal(nms_store_device_id(&s, "r2", err, sizeof(err)), 2);
	assert_int_equal(nms_store_device_id(&s, "r9", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no device named \"r9\""));
	nms_store_close(&s);
}

/*
 * A probe's outcome applied at the end of its round must not undo what
 * happened after the probe: a router re-imaged and attested good while
 * the round ran stays good (bad is sticky, so a stale handshake failure
 * would keep it bad until its next full attestation).
 */
static void test_observation_older_than_state(void **state)
{
	struct nms_store s;
	struct trust_change c;
	struct nms_trust_row row;
	struct nms_observation o[2];
	char err[256];

	(void)state;
	open_fresh(&s);
	assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_HANDSHAKE_FAIL,
					   "compromised", 1000, &c, err,
					   sizeof(err)),
			 0);
	assert_int_equal(nms_trust_observe(&s, 1, TRUST_EV_ATTEST_OK,
					   "re-imaged", 2000, &c, err,
					   sizeof(err)),
			 0);
	/* Probed at 1500 (still compromised), applied at 2500. */
	assert_int_equal(nms_trust_observe_seen(&s, 1, TRUST_EV_HANDSHAKE_FAIL,
						"stale", 1500, 2500, &c, err,
						sizeof(err)),
			 0);
	assert_false(c.changed);
	assert_int_equal(c.from, TRUST_GOOD);
	assert_int_equal(c.to, TRUST_GOOD);
	assert_int_equal(nms_store_trust_get(&s, 1, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_GOOD);
	assert_int_equal(row.since_ms, 2000);
	/* Made at the change's own time or after it: applied. */
	assert_int_equal(nms_trust_observe_seen(&s, 1, TRUST_EV_NO_ANSWER,
						"silent", 2000, 2600, &c, err,
						sizeof(err)),
			 0);
	assert_true(c.changed);
	assert_int_equal(c.to, TRUST_OFFLINE);

	/* The same through a round (nms_observe_many): r1 offline since
	 * 2600; r1's stale outcome from 2100 is dropped, r2's applied. */
	memset(o, 0, sizeof(o));
	o[0] = (struct nms_observation){ .id = 1,
					 .device = "r1",
					 .ev = TRUST_EV_HANDSHAKE_FAIL,
					 .reason = "stale",
					 .seen_ms = 2100 };
	o[1] = (struct nms_observation){ .id = 2,
					 .device = "r2",
					 .ev = TRUST_EV_HANDSHAKE_FAIL,
					 .reason = "fresh",
					 .seen_ms = 2100 };
	assert_int_equal(
		nms_observe_many(&s, &trust_metrics_default, o, 2, 3000), 0);
	assert_false(o[0].c.changed);
	assert_true(o[1].c.changed);
	assert_int_equal(nms_store_trust_get(&s, 1, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_OFFLINE);
	assert_int_equal(nms_store_trust_get(&s, 2, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_BAD);
	assert_int_equal(row.since_ms, 3000);
	nms_store_close(&s);
}

static int observe_then_fail(struct nms_store *s, void *arg, char *err,
			     size_t errlen)
{
	struct trust_change c;

	(void)arg;
	if (nms_trust_observe(s, 1, TRUST_EV_ATTEST_FAIL, "x", 10, &c, err,
			      errlen) < 0 ||
	    !c.changed)
		return -1;
	snprintf(err, errlen, "stopped on purpose");
	return -1;
}

static void test_change_is_one_transaction(void **state)
{
	struct nms_store s;
	struct nms_trust_row row;
	char err[256];

	(void)state;
	open_fresh(&s);
	/* Inside a caller's transaction that rolls back: nothing stays. */
	assert_int_equal(nms_store_tx(&s, observe_then_fail, NULL, err,
				      sizeof(err)),
			 -1);
	assert_string_equal(err, "stopped on purpose");
	assert_int_equal(nms_store_trust_get(&s, 1, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_UNKNOWN);
	assert_int_equal(count(&s, "SELECT count(*) FROM trust_history"), 0);
	assert_int_equal(nms_store_event_count(&s, "trust"), 0);

	/* A change decided on a stale state is refused whole. */
	assert_int_equal(nms_store_trust_set(&s, 1, TRUST_GOOD, TRUST_BAD,
					     "stale", 5, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "is not in state good"));
	assert_int_equal(count(&s, "SELECT count(*) FROM trust_history"), 0);
	assert_int_equal(nms_store_trust_set(&s, 1, TRUST_UNKNOWN,
					     TRUST_UNKNOWN, "", 5, err,
					     sizeof(err)),
			 -1);
	/* The history refuses a state outside the four. */
	assert_int_not_equal(sql(&s, "INSERT INTO trust_history"
				     " (device_id, time_ms, previous, state,"
				     " reason)"
				     " VALUES (1, 0, 'good', 'trusted', '')"),
			     0);
	nms_store_close(&s);
}

static void test_migration_from_2(void **state)
{
	struct nms_store s;
	struct nms_trust_row row;
	sqlite3 *db;
	char err[256];

	(void)state;
	/* SQLite's history: PostgreSQL databases start at schema 6. */
	if (tr_store_is_pg())
		skip();
	new_path();
	/* The part of a schema 2 file that migration 3 builds on. */
	assert_int_equal(sqlite3_open(file, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			db,
			"CREATE TABLE devices (id INTEGER PRIMARY KEY,"
			" name TEXT NOT NULL UNIQUE,"
			" trust TEXT NOT NULL DEFAULT 'unknown',"
			" created INTEGER NOT NULL, updated INTEGER NOT NULL);"
			"CREATE TABLE events (id INTEGER PRIMARY KEY,"
			" device_id INTEGER REFERENCES devices(id),"
			" time INTEGER NOT NULL, kind TEXT NOT NULL,"
			" detail TEXT NOT NULL);"
			"INSERT INTO devices (name, trust, created, updated)"
			" VALUES ('old', 'bad', 0, 0);"
			"PRAGMA user_version = 2;",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	/* Up to schema 4 only: migration 5 needs the enrollment tables this
	 * partial file does not have (test_nms_store migrates those). */
	if (nms_store_open_version(&s, file, 4, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(nms_store_version(&s), 4);
	assert_int_equal(nms_store_trust_get(&s, 1, &row, err, sizeof(err)), 0);
	assert_int_equal(row.state, TRUST_BAD);
	assert_string_equal(row.reason, "");
	assert_int_equal(row.since_ms, 0);
	nms_store_close(&s);
}

static int note_target(const struct nms_route_target *t, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s:%s:%s%s;", t->host, t->actuator,
		 t->device, *t->vty ? t->vty : t->netns);
	return 0;
}

/* Schema 8: a host's record says whether its routes through a router
 * were withdrawn; what schema 6 recorded was a re-cost. */
static void test_migration_8_route_action(void **state)
{
	struct nms_store s;
	char err[256];

	(void)state;
	if (tr_store_is_pg())
		skip(); /* SQLite's history: PostgreSQL starts at schema 8 */
	new_path();
	if (nms_store_open_version(&s, path, 6, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(sql(&s, "INSERT INTO devices (name, created, updated)"
				 " VALUES ('r1', 0, 0);"
				 "INSERT INTO route_hosts (name, netns)"
				 " VALUES ('a', 'ns-a');"
				 "INSERT INTO route_applied"
				 " (host_id, device_id, state, metric, time_ms)"
				 " VALUES (1, 1, 'bad', 30, 0);"),
			 0);
	nms_store_close(&s);
	if (nms_store_open(&s, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(nms_store_version(&s), NMS_SCHEMA_VERSION);
	assert_int_equal(count(&s, "SELECT count(*) FROM route_applied"
				   " WHERE action = 'recost'"),
			 1);
	assert_int_not_equal(sql(&s, "UPDATE route_applied SET"
				     " action = 'drop'"),
			     0);
	assert_int_equal(nms_store_route_applied(&s, 1, 1, TRUST_BAD, 30, true,
						 1, "withdrawn", err,
						 sizeof(err)),
			 0);
	assert_int_equal(count(&s, "SELECT count(*) FROM route_applied"
				   " WHERE action = 'withdraw'"),
			 1);
	nms_store_close(&s);
}

/* Schema 6: a managed host has an actuator; an older host is netlink
 * and keeps its namespace. */
static void test_migration_to_6(void **state)
{
	struct nms_store s;
	sqlite3 *db;
	char err[256];

	(void)state;
	/* SQLite's history: PostgreSQL databases start at schema 6. */
	if (tr_store_is_pg())
		skip();
	new_path();
	/* The part of a schema 5 file that migration 6 builds on. */
	assert_int_equal(sqlite3_open(file, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db,
			     "CREATE TABLE devices (id INTEGER PRIMARY KEY,"
			     " name TEXT NOT NULL UNIQUE,"
			     " trust TEXT NOT NULL DEFAULT 'unknown');"
			     "CREATE TABLE route_hosts (id INTEGER PRIMARY KEY,"
			     " name TEXT NOT NULL UNIQUE, netns TEXT NOT NULL);"
			     "INSERT INTO route_hosts (name, netns)"
			     " VALUES ('old', 'ns-old');"
			     "PRAGMA user_version = 5;",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	/* To 6 only: migration 7 (issue 16) needs tables this partial
	 * file does not have; test_nms_store migrates a whole 6 to 9, and
	 * test_migration_8_route_action covers migration 8. */
	if (nms_store_open_version(&s, file, 6, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(nms_store_version(&s), 6);
	assert_int_equal(count(&s, "SELECT count(*) FROM route_hosts WHERE"
				   " name = 'old' AND actuator = 'netlink'"
				   " AND netns = 'ns-old' AND vty = ''"
				   " AND device_id IS NULL"),
			 1);
	nms_store_close(&s);
}

/* An FRR host that is a router is never a target for itself; a host
 * turns from netlink to FRR and back; on both backends. */
static void test_frr_hosts(void **state)
{
	struct nms_store s;
	char err[256], seen[256] = "";

	(void)state;
	open_fresh(&s);
	assert_int_equal(nms_store_router_addr_add(&s, 1, "10.31.0.2", err,
						   sizeof(err)),
			 0);
	assert_int_equal(nms_store_router_addr_add(&s, 2, "10.32.0.2", err,
						   sizeof(err)),
			 0);
	assert_int_equal(
		nms_store_route_host(&s, "a", "ns-a", err, sizeof(err)), 1);
	/* r1's own FRR: it re-costs toward r2, never toward itself. */
	assert_int_equal(nms_store_route_host_frr(&s, "r1", "frr",
						  "/run/frr/r1", 1, err,
						  sizeof(err)),
			 2);
	assert_int_equal(nms_store_route_host_frr(&s, "x", "frr", "", 0, err,
						  sizeof(err)),
			 -1);
	/* The CHECKs hold even past our functions. */
	assert_int_not_equal(sql(&s, "INSERT INTO route_hosts (name, netns,"
				     " actuator) VALUES ('y', '', 'bgp')"),
			     0);
	assert_int_not_equal(sql(&s, "INSERT INTO route_hosts (name, netns,"
				     " actuator) VALUES ('y', '', 'frr')"),
			     0);
	assert_int_equal(nms_store_route_targets(&s, 0, note_target, seen, err,
						 sizeof(err)),
			 3);
	assert_string_equal(seen, "a:netlink:r1ns-a;a:netlink:r2ns-a;"
				  "r1:frr:r2/run/frr/r1;");
	/* Host a turned into an FRR host, and back. */
	assert_int_equal(nms_store_route_host_frr(&s, "a", "frr", "frr-a", 0,
						  err, sizeof(err)),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM route_hosts WHERE"
				   " name = 'a' AND actuator = 'frr'"
				   " AND vty = 'frr-a' AND netns = ''"),
			 1);
	assert_int_equal(
		nms_store_route_host(&s, "a", "ns-a", err, sizeof(err)), 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM route_hosts WHERE"
				   " name = 'a' AND actuator = 'netlink'"
				   " AND vty = '' AND netns = 'ns-a'"),
			 1);
	nms_store_close(&s);
}

static void test_router_addrs_and_hosts(void **state)
{
	struct nms_store s;
	char err[256], addrs[4][46];

	(void)state;
	open_fresh(&s);
	assert_int_equal(nms_store_router_addr_add(&s, 1, "10.11.0.2", err,
						   sizeof(err)),
			 0);
	/* Canonical form: the same address written otherwise is the same. */
	assert_int_equal(nms_store_router_addr_add(&s, 1, "fd00:11:0:0::2", err,
						   sizeof(err)),
			 0);
	assert_int_equal(nms_store_router_addr_add(&s, 1, "fd00:11::2", err,
						   sizeof(err)),
			 0);
	assert_int_equal(
		nms_store_router_addrs(&s, 1, addrs, 4, err, sizeof(err)), 2);
	assert_string_equal(addrs[0], "10.11.0.2");
	assert_string_equal(addrs[1], "fd00:11::2");
	/* One address, one router. */
	assert_int_equal(nms_store_router_addr_add(&s, 2, "fd00:11::0002", err,
						   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "already belongs to router \"r1\""));
	assert_int_equal(
		nms_store_router_addrs(&s, 2, addrs, 4, err, sizeof(err)), 0);
	assert_int_equal(nms_store_router_addr_add(&s, 2, "10.11.0.256", err,
						   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not an IPv4 or IPv6 address"));
	assert_int_equal(
		nms_store_router_addrs(&s, 1, addrs, 1, err, sizeof(err)), -1);

	assert_int_equal(
		nms_store_route_host(&s, "a", "ns-a", err, sizeof(err)), 1);
	/* Again: the same host, its namespace updated. */
	assert_int_equal(nms_store_route_host(&s, "a", "/proc/1/ns/net", err,
					      sizeof(err)),
			 1);
	assert_int_equal(count(&s, "SELECT count(*) FROM route_hosts"
				   " WHERE netns = '/proc/1/ns/net'"),
			 1);
	assert_int_equal(nms_store_route_host(&s, "", "x", err, sizeof(err)),
			 -1);
	nms_store_close(&s);
}

struct heard {
	int n, failed;
	char err[512];
};

static void hear(const struct nms_converged *r, void *arg)
{
	struct heard *h = arg;

	h->n++;
	if (r->rc < 0) {
		h->failed++;
		snprintf(h->err, sizeof(h->err), "%s", r->err);
	}
}

static void test_converge_errors(void **state)
{
	struct nms_store s;
	struct heard h = { 0 };
	char err[512];

	(void)state;
	open_fresh(&s);
	/* No managed host: nothing to do. */
	assert_int_equal(nms_trust_converge(&s, &trust_metrics_default, 0, 1,
					    hear, &h, err, sizeof(err)),
			 0);
	assert_int_equal(h.n, 0);
	/* A host whose namespace does not exist: named in the error. */
	assert_int_equal(nms_store_router_addr_add(&s, 1, "10.11.0.2", err,
						   sizeof(err)),
			 0);
	assert_true(nms_store_route_host(&s, "gone", "trustroute-no-such-ns",
					 err, sizeof(err)) > 0);
	assert_int_equal(nms_trust_converge(&s, &trust_metrics_default, 0, 1,
					    hear, &h, err, sizeof(err)),
			 -1);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.failed, 1);
	assert_non_null(strstr(err, "host gone, router r1"));
	assert_non_null(strstr(
		err, "/var/run/netns/trustroute-no-such-ns: No such file"));
	/* Nothing is recorded as applied; so it stays pending. */
	assert_int_equal(count(&s, "SELECT count(*) FROM route_applied"), 0);
	assert_int_equal(nms_store_event_count(&s, "route"), 0);
	nms_store_close(&s);
}

/* ---- the actuator's formats -------------------------------------------- */

static void test_actuator_formats(void **state)
{
	struct ra_route r = { 0 };
	struct ra_addr a;
	char buf[200];

	(void)state;
	assert_int_equal(ra_addr_parse("fd00:11:0::2", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	ra_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "fd00:11::2");
	assert_int_equal(ra_addr_parse("10.0.0.300", &a), -1);
	assert_int_equal(ra_addr_parse("10.0.0.1/24", &a), -1);
	assert_int_equal(ra_addr_parse("", &a), -1);

	r.family = AF_INET;
	r.dst_len = 24;
	assert_int_equal(ra_addr_parse("10.200.0.0", &r.dst), 0);
	assert_int_equal(ra_addr_parse("10.11.0.2", &r.gw), 0);
	r.oif = 2;
	r.table = 254;
	r.metric = 30;
	ra_route_format(&r, buf, sizeof(buf));
	assert_string_equal(
		buf, "10.200.0.0/24 via 10.11.0.2 oif 2 table 254 metric 30");
	memset(&r.dst, 0, sizeof(r.dst));
	r.dst_len = 0;
	ra_route_format(&r, buf, sizeof(buf));
	assert_string_equal(buf,
			    "default via 10.11.0.2 oif 2 table 254 metric 30");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_route_policy),
		cmocka_unit_test(test_migration_8_route_action),
		cmocka_unit_test(test_observe_writes_one_change),
		cmocka_unit_test(test_observation_older_than_state),
		cmocka_unit_test(test_change_is_one_transaction),
		cmocka_unit_test(test_migration_from_2),
		cmocka_unit_test(test_router_addrs_and_hosts),
		cmocka_unit_test(test_migration_to_6),
		cmocka_unit_test(test_frr_hosts),
		cmocka_unit_test(test_converge_errors),
		cmocka_unit_test(test_actuator_formats),
	};

	return TR_RUN(tests, setup, teardown);
}
