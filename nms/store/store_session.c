// SPDX-License-Identifier: GPL-2.0-only
#include "nms/store/store_session.h"

#include "base/errmsg.h"
#include "nms/store/store_sql.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reasons of @v as a JSON array of strings (free()), or NULL. */
static char *reasons_json(const struct nms_verdict *v)
{
	json_object *a = json_object_new_array();
	char *out = NULL;

	for (size_t i = 0; a && i < v->n; i++)
		json_object_array_add(a, json_object_new_string(v->reason[i]));
	if (a)
		out = strdup(json_object_to_json_string_ext(
			a, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
	return out;
}

static int result_add(struct nms_store *s, int64_t session_id,
		      const struct nms_session_imv *m, char *err, size_t errlen)
{
	char *json = reasons_json(m->verdict);
	sqlite3_stmt *st;

	if (!json)
		return tr_fail(err, errlen, "out of memory");
	if (nms_prepare(s,
			"INSERT INTO session_results (session_id, imv, verdict,"
			" reasons) VALUES (?, ?, ?, ?)",
			"session_results", err, errlen, &st) < 0) {
		free(json);
		return -1;
	}
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_text(st, 2, m->imv, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, verdict_name(m->verdict->v), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, json, -1, free);
	return nms_step_insert(s, st, "adding a session result", err, errlen) <
			       0 ?
		       -1 :
		       0;
}

struct session_tx {
	const struct nms_session_row *r;
	int64_t id;
};

static int session_add_tx(struct nms_store *s, void *arg, char *err,
			  size_t errlen)
{
	struct session_tx *a = arg;
	const struct nms_session_row *r = a->r;
	char reasons[VERDICT_REASONS * (VERDICT_REASON_LEN + 2)] = "";
	size_t n = 0;
	sqlite3_stmt *st;

	for (size_t i = 0; i < r->verdict->n && n < sizeof(reasons); i++)
		n += (size_t)snprintf(reasons + n, sizeof(reasons) - n, "%s%s",
				      i ? "; " : "", r->verdict->reason[i]);
	if (nms_prepare(s,
			"INSERT INTO sessions (device_id, peer, identity,"
			" started, ended, verdict, mutual, attested, reasons)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"sessions", err, errlen, &st) < 0)
		return -1;
	if (r->device_id)
		sqlite3_bind_int64(st, 1, r->device_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, r->peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, r->started);
	sqlite3_bind_int64(st, 5, r->ended);
	sqlite3_bind_text(st, 6, verdict_name(r->verdict->v), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->mutual);
	sqlite3_bind_int(st, 8, r->attested);
	sqlite3_bind_text(st, 9, reasons, -1, SQLITE_STATIC);
	a->id = nms_step_insert(s, st, "adding the session", err, errlen);
	if (a->id < 0)
		return -1;
	for (size_t i = 0; i < r->n_imvs; i++)
		if (result_add(s, a->id, &r->imvs[i], err, errlen) < 0)
			return -1;
	return 0;
}

int64_t nms_store_session_add(struct nms_store *s,
			      const struct nms_session_row *r, char *err,
			      size_t errlen)
{
	struct session_tx a = { r, -1 };

	return nms_store_tx(s, session_add_tx, &a, err, errlen) < 0 ? -1 : a.id;
}

int nms_store_device_ak(struct nms_store *s, int64_t device_id, uint8_t *buf,
			size_t cap)
{
	sqlite3_stmt *st;
	int n = -1;

	/* Only an AK that answered its credential vouches for the TPM. */
	if (sqlite3_prepare_v2(
		    s->db,
		    "SELECT a.public FROM aks a"
		    " JOIN devices d ON d.id = a.device_id"
		    " WHERE a.device_id = ? AND a.activated IS NOT NULL"
		    " AND d.decommissioned = 0"
		    " ORDER BY a.activated DESC, a.id DESC LIMIT 1",
		    -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (size_t)sqlite3_column_bytes(st, 0) <= cap) {
		n = sqlite3_column_bytes(st, 0);
		memcpy(buf, sqlite3_column_blob(st, 0), (size_t)n);
	}
	sqlite3_finalize(st);
	return n;
}

int nms_store_os_device_id(struct nms_store *s, int64_t device_id,
			   const char *seen, char *out, size_t len)
{
	sqlite3_stmt *st;

	out[0] = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT os_device_id FROM devices WHERE id = ?",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, len, "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (out[0] || !seen || !seen[0])
		return 0;
	/* First sight: remember it; later sessions are compared. */
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE devices SET os_device_id = ?"
			       " WHERE id = ? AND os_device_id = ''",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, seen, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, device_id);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return 0;
}

int nms_store_endpoint_set(struct nms_store *s, int64_t device_id,
			   const char *address, unsigned port, char *err,
			   size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (nms_prepare(s,
			"INSERT INTO endpoints (device_id, address, port)"
			" VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE"
			" SET address = excluded.address, port = excluded.port",
			"endpoints", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)port);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ?
		       0 :
		       nms_db_fail(s, err, errlen, "setting the endpoint");
}

int nms_store_endpoints(struct nms_store *s, nms_endpoint_fn *fn, void *arg,
			char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (nms_prepare(s,
			"SELECT e.device_id, d.name, e.address, e.port"
			" FROM endpoints e JOIN devices d ON d.id = e.device_id"
			" ORDER BY d.name",
			"endpoints", err, errlen, &st) < 0)
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW)
		rc = fn(sqlite3_column_int64(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			(unsigned)sqlite3_column_int(st, 3), arg);
	sqlite3_finalize(st);
	return rc;
}

int nms_store_request_port_set(struct nms_store *s, int64_t device_id,
			       unsigned port, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (port > 65535)
		return tr_fail(err, errlen, "request port %u: 0 to 65535",
			       port);
	if (nms_prepare(
		    s,
		    "UPDATE endpoints SET request_port = ? WHERE device_id = ?",
		    "endpoints", err, errlen, &st) < 0)
		return -1;
	sqlite3_bind_int(st, 1, (int)port);
	sqlite3_bind_int64(st, 2, device_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return nms_db_fail(s, err, errlen, "setting the request port");
	return sqlite3_changes(s->db) ?
		       0 :
		       tr_fail(err, errlen,
			       "no endpoint: set the endpoint first");
}

int nms_store_request_ports(struct nms_store *s, nms_endpoint_fn *fn, void *arg,
			    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (nms_prepare(s,
			"SELECT e.device_id, d.name, e.address, e.request_port"
			" FROM endpoints e JOIN devices d ON d.id = e.device_id"
			" WHERE e.request_port > 0 ORDER BY d.name",
			"endpoints", err, errlen, &st) < 0)
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW)
		rc = fn(sqlite3_column_int64(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			(unsigned)sqlite3_column_int(st, 3), arg);
	sqlite3_finalize(st);
	return rc;
}
