// SPDX-License-Identifier: GPL-2.0-only
/* Members and leases of several NMS hosts on one database. */
#include "nms/store/store_cluster.h"

#include "base/errmsg.h"
#include "nms/store/store_sql.h"

#include <stdio.h>
#include <string.h>

struct beat_args {
	const char *id, *host;
	int64_t started_ms, forget_ms;
};

static int beat_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct beat_args *a = arg;
	struct nms_stmt *st;

	if (nms_prepare(s,
			"INSERT INTO nms_members (id, host, started_ms,"
			" heartbeat_ms) VALUES (?1, ?2, ?3, now_ms())"
			" ON CONFLICT (id) DO UPDATE SET"
			" heartbeat_ms = excluded.heartbeat_ms",
			"nms_members", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, a->id);
	nms_db_bind_text(st, 2, a->host);
	nms_db_bind_int64(st, 3, a->started_ms);
	if (nms_step_done(s, st, "heartbeat", err, errlen) < 0)
		return -1;
	if (nms_prepare(s,
			"DELETE FROM nms_members"
			" WHERE heartbeat_ms < now_ms() - ?1",
			"nms_members", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, a->forget_ms);
	return nms_step_done(s, st, "forgetting members", err, errlen);
}

int nms_store_member_beat(struct nms_store *s, const char *id, const char *host,
			  int64_t started_ms, int64_t forget_ms, char *err,
			  size_t errlen)
{
	struct beat_args a = { id, host, started_ms, forget_ms };

	return nms_store_tx(s, beat_tx, &a, err, errlen);
}

int nms_store_member_leave(struct nms_store *s, const char *id, char *err,
			   size_t errlen)
{
	struct nms_stmt *st;

	if (nms_prepare(s, "DELETE FROM nms_members WHERE id = ?1",
			"nms_members", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, id);
	return nms_step_done(s, st, "leaving", err, errlen);
}

int nms_store_members_live(struct nms_store *s, int64_t live_ms, char *ids,
			   size_t len, int cap, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int rc, n = 0;

	if (nms_prepare(s,
			"SELECT id FROM nms_members"
			" WHERE heartbeat_ms >= now_ms() - ?1 ORDER BY id",
			"nms_members", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, live_ms);
	while ((rc = nms_db_step(st)) == NMS_DB_ROW && n < cap)
		snprintf(ids + (size_t)n++ * len, len, "%s",
			 nms_db_column_text(st, 0));
	nms_db_finalize(st);
	if (rc == NMS_DB_ERROR)
		return nms_sql_fail(s, err, errlen, "reading the members");
	return n;
}

struct take_args {
	const char *name, *holder;
	int64_t ttl_ms, epoch;
	char *other;
	size_t olen;
	int held;
};

static int take_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct take_args *a = arg;
	struct nms_stmt *st;
	int rc;

	/* Renewed by its holder, taken over once expired, else left: one
	 * statement, so two takers cannot both win. */
	if (nms_prepare(s,
			"INSERT INTO leases (name, holder, epoch, expires_ms)"
			" VALUES (?1, ?2, 1, now_ms() + ?3)"
			" ON CONFLICT (name) DO UPDATE SET"
			" epoch = CASE WHEN leases.holder = excluded.holder"
			"  THEN leases.epoch ELSE leases.epoch + 1 END,"
			" holder = excluded.holder,"
			" expires_ms = excluded.expires_ms"
			" WHERE leases.holder = excluded.holder"
			"  OR leases.expires_ms < now_ms()"
			" RETURNING epoch",
			"leases", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, a->name);
	nms_db_bind_text(st, 2, a->holder);
	nms_db_bind_int64(st, 3, a->ttl_ms);
	rc = nms_db_step(st);
	a->held = rc == NMS_DB_ROW;
	if (a->held)
		a->epoch = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	if (rc == NMS_DB_ERROR)
		return nms_sql_fail(s, err, errlen, "taking the lease");
	if (a->held || !a->other)
		return 0;
	if (nms_prepare(s, "SELECT holder FROM leases WHERE name = ?1",
			"leases", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, a->name);
	if (nms_db_step(st) == NMS_DB_ROW)
		snprintf(a->other, a->olen, "%s", nms_db_column_text(st, 0));
	nms_db_finalize(st);
	return 0;
}

int nms_store_lease_take(struct nms_store *s, const char *name,
			 const char *holder, int64_t ttl_ms, int64_t *epoch,
			 char *other, size_t olen, char *err, size_t errlen)
{
	struct take_args a = { name, holder, ttl_ms, 0, other, olen, 0 };

	if (other && olen)
		other[0] = 0;
	if (nms_store_tx(s, take_tx, &a, err, errlen) < 0)
		return -1;
	if (a.held)
		*epoch = a.epoch;
	return a.held;
}

int nms_store_lease_release(struct nms_store *s, const char *name,
			    const char *holder, char *err, size_t errlen)
{
	struct nms_stmt *st;

	if (nms_prepare(s,
			"UPDATE leases SET expires_ms = 0"
			" WHERE name = ?1 AND holder = ?2",
			"leases", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	nms_db_bind_text(st, 2, holder);
	return nms_step_done(s, st, "releasing the lease", err, errlen);
}

int nms_store_lease_held(struct nms_store *s, const char *name,
			 const char *holder, int64_t epoch, char *err,
			 size_t errlen)
{
	struct nms_stmt *st;
	int rc;

	if (nms_prepare(s,
			"SELECT count(*) FROM leases WHERE name = ?1"
			" AND holder = ?2 AND epoch = ?3"
			" AND expires_ms > now_ms()",
			"leases", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	nms_db_bind_text(st, 2, holder);
	nms_db_bind_int64(st, 3, epoch);
	rc = nms_db_step(st);
	if (rc != NMS_DB_ROW) {
		nms_db_finalize(st);
		return nms_sql_fail(s, err, errlen, "reading the lease");
	}
	rc = nms_db_column_int64(st, 0) == 1;
	nms_db_finalize(st);
	return rc;
}
