// SPDX-License-Identifier: GPL-2.0-only
/* The operator's listings from the store (nmsctl). */
#include "nms/store/store_list.h"

#include "base/errmsg.h"
#include "nms/store/store_sql.h"

#include <stdlib.h>

#define MAX_COLS 8

static const char *const sql[] = {
	[NMS_LIST_DEVICES] =
		"SELECT d.name, d.trust,"
		" CASE WHEN d.trust_since = 0 THEN d.created * 1000"
		" ELSE d.trust_since END,"
		" d.trust_reason,"
		" (SELECT count(*) FROM certificates c WHERE c.device_id = d.id)"
		" FROM devices d ORDER BY d.name",
	[NMS_LIST_HISTORY] =
		"SELECT h.time_ms, h.previous, h.state, h.reason"
		" FROM trust_history h JOIN devices d ON d.id = h.device_id"
		" WHERE d.name = ?1 ORDER BY h.id",
	[NMS_LIST_SESSIONS] =
		"SELECT started, identity, peer, verdict, mutual, attested,"
		" reasons FROM sessions"
		" WHERE CAST(?1 AS TEXT) IS NULL OR identity = ?1 ORDER BY id",
	[NMS_LIST_ROUTES] =
		"SELECT h.name, h.netns, d.name, r.state, r.metric, r.time_ms"
		" FROM route_applied r JOIN route_hosts h ON h.id = r.host_id"
		" JOIN devices d ON d.id = r.device_id ORDER BY h.name, d.name",
	[NMS_LIST_MEMBERS] =
		"SELECT m.id, m.host, m.started_ms, m.heartbeat_ms,"
		" CASE WHEN m.heartbeat_ms > now_ms() - ?1 THEN 1 ELSE 0 END,"
		" coalesce((SELECT min(l.name) FROM leases l"
		"  WHERE l.holder = m.id AND l.expires_ms > now_ms()), '')"
		" FROM nms_members m ORDER BY m.id",
};

int nms_store_list(struct nms_store *s, enum nms_listing which, const char *arg,
		   nms_list_row_fn *fn, void *fn_arg, char *err, size_t errlen)
{
	struct nms_list_value v[MAX_COLS];
	struct nms_stmt *st;
	int rc, n = 0, stop = 0, cols;

	if ((unsigned)which >= sizeof(sql) / sizeof(sql[0]))
		return tr_fail(err, errlen, "no such listing");
	if (nms_prepare(s, sql[which], "listing", err, errlen, &st) < 0)
		return -1;
	if (which == NMS_LIST_MEMBERS)
		nms_db_bind_int64(st, 1, arg ? atoll(arg) : 3000);
	else if (nms_db_param_count(st))
		nms_db_bind_text(st, 1, arg); /* NULL: NULL */
	while (!stop && (rc = nms_db_step(st)) == NMS_DB_ROW) {
		cols = nms_db_column_count(st);
		if (cols > MAX_COLS)
			cols = MAX_COLS;
		for (int i = 0; i < cols; i++) {
			v[i].is_int = nms_db_column_type(st, i) == NMS_DB_INT;
			v[i].i = nms_db_column_int64(st, i);
			v[i].s = v[i].is_int ? NULL : nms_db_column_text(st, i);
		}
		stop = fn ? fn(v, cols, fn_arg) : 0;
		n++;
	}
	nms_db_finalize(st);
	if (!stop && rc != NMS_DB_DONE)
		return nms_sql_fail(s, err, errlen, "listing");
	return n;
}

int nms_store_identity_known(struct nms_store *s, const char *name, char *err,
			     size_t errlen)
{
	struct nms_stmt *st;
	int rc;

	if (nms_prepare(s,
			"SELECT 1 FROM devices WHERE name = ?1 UNION ALL"
			" SELECT 1 FROM sessions WHERE identity = ?1 LIMIT 1",
			"identity", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ERROR)
		nms_sql_fail(s, err, errlen, "reading identities");
	nms_db_finalize(st);
	return rc == NMS_DB_ERROR ? -1 : rc == NMS_DB_ROW;
}
