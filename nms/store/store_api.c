// SPDX-License-Identifier: GPL-2.0-only
/*
 * The operator's view in the NMS store: listings for the HTTP API, the
 * audit log, tokens, decommissioned devices and revoked certificates.
 */
#include "nms/store/store_api.h"

#include "base/errmsg.h"
#include "nms/store/store_sql.h"

#include <stdio.h>
#include <string.h>

static const char *text(struct nms_stmt *st, int col)
{
	const char *t = nms_db_column_text(st, col);

	return t ? t : "";
}

static struct nms_blob blob(struct nms_stmt *st, int col)
{
	return (struct nms_blob){ nms_db_column_blob(st, col),
				  nms_db_column_bytes(st, col) };
}

struct walk {
	void *fn;
	void *arg;
};

static int device_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_device_view d = { 0 };

	d.id = nms_db_column_int64(st, 0);
	d.name = text(st, 1);
	if (trust_state_parse(text(st, 2), &d.trust.state) < 0)
		return -1;
	snprintf(d.trust.reason, sizeof(d.trust.reason), "%s", text(st, 3));
	d.trust.since_ms = nms_db_column_int64(st, 4);
	d.created = nms_db_column_int64(st, 5);
	d.decommissioned_ms = nms_db_column_int64(st, 6);
	d.os_device_id = text(st, 7);
	d.ek_key_id = blob(st, 8);
	d.ek_cert = blob(st, 9);
	d.ak_name = blob(st, 10);
	d.ak_activated = nms_db_column_int64(st, 11);
	if (nms_db_column_type(st, 12) != NMS_DB_NULL)
		d.cert_serial = text(st, 12);
	d.cert_issued = nms_db_column_int64(st, 13);
	d.cert_not_after = nms_db_column_int64(st, 14);
	d.cert_revoked_ms = nms_db_column_int64(st, 15);
	d.certificates = nms_db_column_int64(st, 16);
	if (nms_db_column_type(st, 17) != NMS_DB_NULL)
		d.endpoint = text(st, 17);
	d.endpoint_port = (unsigned)nms_db_column_int64(st, 18);
	return ((nms_device_view_fn *)w->fn)(&d, w->arg);
}

int nms_store_device_views(struct nms_store *s, const char *name,
			   nms_device_view_fn *fn, void *arg, char *err,
			   size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	/* The AK that vouches (activated last) and the newest certificate. */
	if (nms_prepare(
		    s,
		    "SELECT d.id, d.name, d.trust, d.trust_reason, d.trust_since,"
		    " d.created, d.decommissioned, d.os_device_id,"
		    " e.key_id, e.cert, a.name, a.activated,"
		    " c.serial, c.issued, c.not_after, c.revoked,"
		    " (SELECT count(*) FROM certificates x WHERE x.device_id = d.id),"
		    " p.address, p.port"
		    " FROM devices d"
		    " LEFT JOIN eks e ON e.device_id = d.id"
		    " LEFT JOIN aks a ON a.id = (SELECT id FROM aks"
		    "  WHERE device_id = d.id AND activated IS NOT NULL"
		    "  ORDER BY activated DESC, id DESC LIMIT 1)"
		    " LEFT JOIN certificates c ON c.id = (SELECT id FROM certificates"
		    "  WHERE device_id = d.id ORDER BY issued DESC, id DESC LIMIT 1)"
		    " LEFT JOIN endpoints p ON p.device_id = d.id"
		    " WHERE CAST(?1 AS TEXT) IS NULL OR d.name = ?1 ORDER BY d.name",
		    "devices", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name); /* NULL: every device */
	return nms_each_row(s, st, device_row, &w, "reading devices", "value",
			    err, errlen);
}

static int session_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_session_view v = {
		.id = nms_db_column_int64(st, 0),
		.device = nms_db_column_type(st, 1) == NMS_DB_NULL ?
				  NULL :
				  text(st, 1),
		.peer = text(st, 2),
		.identity = text(st, 3),
		.started = nms_db_column_int64(st, 4),
		.ended = nms_db_column_int64(st, 5),
		.verdict = text(st, 6),
		.mutual = (int)nms_db_column_int64(st, 7),
		.attested = (int)nms_db_column_int64(st, 8),
		.reasons = text(st, 9),
	};

	return ((nms_session_view_fn *)w->fn)(&v, w->arg);
}

int nms_store_session_views(struct nms_store *s,
			    const struct nms_session_query *q,
			    nms_session_view_fn *fn, void *arg, char *err,
			    size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (q->limit < 1 || q->limit > 1000)
		return tr_fail(err, errlen, "a limit of 1 to 1000 sessions");
	if (nms_prepare(
		    s,
		    "SELECT s.id, d.name, s.peer, s.identity, s.started,"
		    " s.ended, s.verdict, s.mutual, s.attested, s.reasons"
		    " FROM sessions s LEFT JOIN devices d ON d.id = s.device_id"
		    " WHERE (?1 = 0 OR s.id = ?1) AND (?2 = 0 OR s.device_id = ?2)"
		    " AND (?3 = 0 OR s.id < ?3) ORDER BY s.id DESC LIMIT ?4",
		    "sessions", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, q->id);
	nms_db_bind_int64(st, 2, q->device_id);
	nms_db_bind_int64(st, 3, q->before_id);
	nms_db_bind_int64(st, 4, q->limit);
	return nms_each_row(s, st, session_row, &w, "reading sessions", "value",
			    err, errlen);
}

static int imv_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_imv_view v = { text(st, 0), text(st, 1), text(st, 2) };

	return ((nms_imv_view_fn *)w->fn)(&v, w->arg);
}

int nms_store_session_results(struct nms_store *s, int64_t session_id,
			      nms_imv_view_fn *fn, void *arg, char *err,
			      size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(s,
			"SELECT imv, verdict, reasons FROM session_results"
			" WHERE session_id = ? ORDER BY rowid",
			"session results", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, session_id);
	return nms_each_row(s, st, imv_row, &w, "reading session results",
			    "value", err, errlen);
}

int nms_store_session_counts(struct nms_store *s, int64_t out[3])
{
	static const char *const names[] = { "good", "unknown", "bad" };
	struct nms_stmt *st;
	int rc;

	memset(out, 0, 3 * sizeof(*out));
	if (nms_prepare(
		    s,
		    "SELECT verdict, count(*) FROM sessions GROUP BY verdict",
		    "sessions", NULL, 0, &st) < 0)
		return -1;
	while ((rc = nms_db_step(st)) == NMS_DB_ROW)
		for (int i = 0; i < 3; i++)
			if (!strcmp(text(st, 0), names[i]))
				out[i] = nms_db_column_int64(st, 1);
	nms_db_finalize(st);
	return rc == NMS_DB_DONE ? 0 : nms_sql_fail(s, NULL, 0, "sessions");
}

static int route_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_route_view v = { .host = text(st, 0),
				    .netns = text(st, 1),
				    .device = text(st, 2),
				    .metric = nms_db_column_int64(st, 4),
				    .time_ms = nms_db_column_int64(st, 5) };

	if (trust_state_parse(text(st, 3), &v.state) < 0)
		return -1;
	return ((nms_route_view_fn *)w->fn)(&v, w->arg);
}

int nms_store_route_views(struct nms_store *s, nms_route_view_fn *fn, void *arg,
			  char *err, size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(
		    s,
		    "SELECT h.name, h.netns, d.name, r.state, r.metric, r.time_ms"
		    " FROM route_applied r JOIN route_hosts h ON h.id = r.host_id"
		    " JOIN devices d ON d.id = r.device_id ORDER BY h.name, d.name",
		    "routes", err, errlen, &st) < 0)
		return -1;
	return nms_each_row(s, st, route_row, &w, "reading routes", "value",
			    err, errlen);
}

static int host_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;

	return ((nms_host_fn *)w->fn)(text(st, 0), text(st, 1), w->arg);
}

int nms_store_hosts(struct nms_store *s, nms_host_fn *fn, void *arg, char *err,
		    size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(s, "SELECT name, netns FROM route_hosts ORDER BY name",
			"hosts", err, errlen, &st) < 0)
		return -1;
	return nms_each_row(s, st, host_row, &w, "reading hosts", "value", err,
			    errlen);
}

static int event_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_event_view v = {
		.id = nms_db_column_int64(st, 0),
		.time = nms_db_column_int64(st, 1),
		.device = nms_db_column_type(st, 2) == NMS_DB_NULL ?
				  NULL :
				  text(st, 2),
		.kind = text(st, 3),
		.detail = text(st, 4),
	};

	return ((nms_event_view_fn *)w->fn)(&v, w->arg);
}

int nms_store_events_after(struct nms_store *s, int64_t after_id, int limit,
			   nms_event_view_fn *fn, void *arg, char *err,
			   size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(
		    s,
		    "SELECT e.id, e.time, d.name, e.kind, e.detail FROM events e"
		    " LEFT JOIN devices d ON d.id = e.device_id"
		    " WHERE e.id > ? ORDER BY e.id LIMIT ?",
		    "events", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, after_id);
	nms_db_bind_int64(st, 2, limit);
	return nms_each_row(s, st, event_row, &w, "reading events", "value",
			    err, errlen);
}

static int64_t max_id(struct nms_store *s, const char *sql)
{
	struct nms_stmt *st;
	int64_t id = -1;

	if (nms_prepare(s, sql, "max id", NULL, 0, &st) < 0)
		return -1;
	if (nms_db_step(st) == NMS_DB_ROW)
		id = nms_db_column_int64(st, 0);
	nms_db_finalize(st);
	return id;
}

int64_t nms_store_last_event(struct nms_store *s)
{
	return max_id(s, "SELECT coalesce(max(id), 0) FROM events");
}

int64_t nms_store_last_session(struct nms_store *s)
{
	return max_id(s, "SELECT coalesce(max(id), 0) FROM sessions");
}

int64_t nms_store_audit_add(struct nms_store *s, const struct nms_audit_row *r,
			    char *err, size_t errlen)
{
	struct nms_stmt *st;

	if (nms_prepare(s,
			"INSERT INTO audit (time_ms, operator, role, action,"
			" target, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"
			" RETURNING id",
			"audit", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, r->time_ms);
	nms_db_bind_text(st, 2, r->operator);
	nms_db_bind_text(st, 3, r->role);
	nms_db_bind_text(st, 4, r->action);
	nms_db_bind_text(st, 5, r->target ? r->target : "");
	nms_db_bind_int64(st, 6, r->status);
	nms_db_bind_text(st, 7, r->detail ? r->detail : "");
	return nms_step_insert(s, st, "adding to the audit log", err, errlen);
}

static int audit_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_audit_row r = {
		.id = nms_db_column_int64(st, 0),
		.time_ms = nms_db_column_int64(st, 1),
		.operator= text(st, 2),
		.role = text(st, 3),
		.action = text(st, 4),
		.target = text(st, 5),
		.status = (int)nms_db_column_int64(st, 6),
		.detail = text(st, 7),
	};

	return ((nms_audit_fn *)w->fn)(&r, w->arg);
}

int nms_store_audit_list(struct nms_store *s, int64_t before_id, int limit,
			 nms_audit_fn *fn, void *arg, char *err, size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(s,
			"SELECT id, time_ms, operator, role, action, target,"
			" status, detail FROM audit WHERE ?1 = 0 OR id < ?1"
			" ORDER BY id DESC LIMIT ?2",
			"audit", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, before_id);
	nms_db_bind_int64(st, 2, limit);
	return nms_each_row(s, st, audit_row, &w, "reading the audit log",
			    "value", err, errlen);
}

int64_t nms_store_token_add(struct nms_store *s, const char *name,
			    const char *role, const uint8_t hash[32],
			    int64_t now, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int64_t id = -1;

	if (nms_prepare(s,
			"INSERT INTO api_tokens (name, role, hash, created)"
			" VALUES (?, ?, ?, ?) RETURNING id",
			"api_tokens", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	nms_db_bind_text(st, 2, role);
	nms_db_bind_blob(st, 3, hash, 32);
	nms_db_bind_int64(st, 4, now);
	if (nms_db_step(st) == NMS_DB_ROW) {
		id = nms_db_column_int64(st, 0);
	} else if (nms_db_unique_violation(s->db)) {
		tr_fail(err, errlen,
			"a token named \"%s\" (or with its hash) exists already",
			name);
	} else {
		nms_sql_fail(s, err, errlen, "adding the token");
	}
	nms_db_finalize(st);
	return id;
}

int nms_store_token_revoke(struct nms_store *s, const char *name,
			   int64_t now_ms, char *err, size_t errlen)
{
	struct nms_stmt *st;

	if (nms_prepare(s,
			"UPDATE api_tokens SET revoked = ? WHERE name = ?"
			" AND revoked = 0",
			"api_tokens", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, now_ms);
	nms_db_bind_text(st, 2, name);
	if (nms_step_done(s, st, "revoking the token", err, errlen) < 0)
		return -1;
	if (nms_db_changes(s->db) != 1)
		return tr_fail(err, errlen, "no valid token named \"%s\"",
			       name);
	return 0;
}

static int token_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_token_view t = { text(st, 0), text(st, 1), blob(st, 2),
				    nms_db_column_int64(st, 3),
				    nms_db_column_int64(st, 4) };

	return ((nms_token_fn *)w->fn)(&t, w->arg);
}

int nms_store_tokens(struct nms_store *s, nms_token_fn *fn, void *arg,
		     char *err, size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(s,
			"SELECT name, role, hash, created, revoked"
			" FROM api_tokens ORDER BY name",
			"api_tokens", err, errlen, &st) < 0)
		return -1;
	return nms_each_row(s, st, token_row, &w, "reading tokens", "value",
			    err, errlen);
}

struct decommission_args {
	int64_t device_id, time_ms;
	const char *reason;
	int revoked;
};

static int decommission_tx(struct nms_store *s, void *arg, char *err,
			   size_t errlen)
{
	struct decommission_args *a = arg;
	char detail[400];
	struct nms_stmt *st;

	if (nms_prepare(s,
			"UPDATE certificates SET revoked = ?, revoke_reason = ?"
			" WHERE device_id = ? AND revoked = 0",
			"certificates", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, a->time_ms);
	nms_db_bind_text(st, 2, a->reason);
	nms_db_bind_int64(st, 3, a->device_id);
	if (nms_step_done(s, st, "revoking certificates", err, errlen) < 0)
		return -1;
	a->revoked = (int)nms_db_changes(s->db);
	if (nms_prepare(s,
			"UPDATE devices SET decommissioned = ? WHERE id = ?"
			" AND decommissioned = 0",
			"devices", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, a->time_ms);
	nms_db_bind_int64(st, 2, a->device_id);
	if (nms_step_done(s, st, "decommissioning", err, errlen) < 0)
		return -1;
	if (!nms_db_changes(s->db) && !a->revoked)
		return 0; /* done before: nothing to say again */
	snprintf(detail, sizeof(detail),
		 "decommissioned, %d certificates revoked: %.300s", a->revoked,
		 a->reason);
	return nms_store_event(s, a->device_id, "decommissioned", detail, err,
			       errlen) < 0 ?
		       -1 :
		       0;
}

int nms_store_decommission(struct nms_store *s, int64_t device_id,
			   const char *reason, int64_t time_ms, char *err,
			   size_t errlen)
{
	struct decommission_args a = { device_id, time_ms, reason ? reason : "",
				       0 };

	if (nms_store_tx(s, decommission_tx, &a, err, errlen) < 0)
		return -1;
	return a.revoked;
}

int nms_store_cert_revoked(struct nms_store *s, const char *serial)
{
	struct nms_stmt *st;
	int rc, ret = -1;

	if (nms_prepare(s, "SELECT revoked FROM certificates WHERE serial = ?",
			"certificates", NULL, 0, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, serial);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW)
		ret = nms_db_column_int64(st, 0) != 0;
	else if (rc == NMS_DB_DONE)
		ret = 0;
	nms_db_finalize(st);
	return ret;
}

int nms_store_decommissioned(struct nms_store *s, const char *name,
			     struct nms_blob ek_key_id)
{
	struct nms_stmt *st;
	int ret = -1;

	if (nms_prepare(
		    s,
		    "SELECT count(*) FROM devices d WHERE d.decommissioned != 0"
		    " AND (d.name = ? OR EXISTS (SELECT 1 FROM eks e"
		    "  WHERE e.device_id = d.id AND e.key_id = ?))",
		    "devices", NULL, 0, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	nms_bind_blob(st, 2, ek_key_id);
	if (nms_db_step(st) == NMS_DB_ROW)
		ret = nms_db_column_int64(st, 0) > 0;
	nms_db_finalize(st);
	return ret;
}

static int revoked_row(struct nms_stmt *st, void *arg)
{
	struct walk *w = arg;
	struct nms_revoked_view r = { text(st, 0), nms_db_column_int64(st, 1),
				      text(st, 2) };

	return ((nms_revoked_fn *)w->fn)(&r, w->arg);
}

int nms_store_revoked(struct nms_store *s, nms_revoked_fn *fn, void *arg,
		      char *err, size_t errlen)
{
	struct walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(s,
			"SELECT serial, revoked, revoke_reason FROM certificates"
			" WHERE revoked != 0 ORDER BY revoked, id",
			"certificates", err, errlen, &st) < 0)
		return -1;
	return nms_each_row(s, st, revoked_row, &w, "reading revocations",
			    "value", err, errlen);
}
