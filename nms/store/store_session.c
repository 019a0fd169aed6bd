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
	struct nms_stmt *st;
	int64_t id;

	if (!json)
		return tr_fail(err, errlen, "out of memory");
	if (nms_prepare(s,
			"INSERT INTO session_results (session_id, imv, verdict,"
			" reasons) VALUES (?, ?, ?, ?) RETURNING session_id",
			"session_results", err, errlen, &st) < 0) {
		free(json);
		return -1;
	}
	nms_db_bind_int64(st, 1, session_id);
	nms_db_bind_text(st, 2, m->imv);
	nms_db_bind_text(st, 3, verdict_name(m->verdict->v));
	nms_db_bind_text(st, 4, json);
	id = nms_step_insert(s, st, "adding a session result", err, errlen);
	free(json);
	return id < 0 ? -1 : 0;
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
	struct nms_stmt *st;

	for (size_t i = 0; i < r->verdict->n && n < sizeof(reasons); i++)
		n += (size_t)snprintf(reasons + n, sizeof(reasons) - n, "%s%s",
				      i ? "; " : "", r->verdict->reason[i]);
	if (nms_prepare(s,
			"INSERT INTO sessions (device_id, peer, identity,"
			" started, ended, verdict, mutual, attested, reasons)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			"sessions", err, errlen, &st) < 0)
		return -1;
	if (r->device_id)
		nms_db_bind_int64(st, 1, r->device_id);
	else
		nms_db_bind_null(st, 1);
	nms_db_bind_text(st, 2, r->peer);
	nms_db_bind_text(st, 3, r->identity);
	nms_db_bind_int64(st, 4, r->started);
	nms_db_bind_int64(st, 5, r->ended);
	nms_db_bind_text(st, 6, verdict_name(r->verdict->v));
	nms_db_bind_int64(st, 7, r->mutual);
	nms_db_bind_int64(st, 8, r->attested);
	nms_db_bind_text(st, 9, reasons);
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
	struct nms_stmt *st;
	int n = -1;

	/* Only an AK that answered its credential vouches for the TPM. */
	if (nms_db_prepare(s->db,
			   "SELECT a.public FROM aks a"
			   " JOIN devices d ON d.id = a.device_id"
			   " WHERE a.device_id = ? AND a.activated IS NOT NULL"
			   " AND d.decommissioned = 0"
			   " ORDER BY a.activated DESC, a.id DESC LIMIT 1",
			   &st))
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	if (nms_db_step(st) == NMS_DB_ROW &&
	    (size_t)nms_db_column_bytes(st, 0) <= cap) {
		n = nms_db_column_bytes(st, 0);
		memcpy(buf, nms_db_column_blob(st, 0), (size_t)n);
	}
	nms_db_finalize(st);
	return n;
}

int nms_store_os_device_id(struct nms_store *s, int64_t device_id,
			   const char *seen, char *out, size_t len)
{
	struct nms_stmt *st;

	out[0] = 0;
	if (nms_db_prepare(s->db,
			   "SELECT os_device_id FROM devices WHERE id = ?",
			   &st))
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	if (nms_db_step(st) == NMS_DB_ROW)
		snprintf(out, len, "%s",
			 (const char *)nms_db_column_text(st, 0));
	nms_db_finalize(st);
	if (out[0] || !seen || !seen[0])
		return 0;
	/* First sight: remember it; later sessions are compared. */
	if (nms_db_prepare(s->db,
			   "UPDATE devices SET os_device_id = ?"
			   " WHERE id = ? AND os_device_id = ''",
			   &st))
		return -1;
	nms_db_bind_text(st, 1, seen);
	nms_db_bind_int64(st, 2, device_id);
	nms_db_step(st);
	nms_db_finalize(st);
	return 0;
}

int nms_store_endpoint_set(struct nms_store *s, int64_t device_id,
			   const char *address, unsigned port, char *err,
			   size_t errlen)
{
	struct nms_stmt *st;
	int rc;

	if (nms_prepare(s,
			"INSERT INTO endpoints (device_id, address, port)"
			" VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE"
			" SET address = excluded.address, port = excluded.port",
			"endpoints", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	nms_db_bind_text(st, 2, address);
	nms_db_bind_int64(st, 3, (int)port);
	rc = nms_db_step(st);
	nms_db_finalize(st);
	return rc == NMS_DB_DONE ?
		       0 :
		       nms_sql_fail(s, err, errlen, "setting the endpoint");
}

int nms_store_endpoint_delete(struct nms_store *s, int64_t device_id, char *err,
			      size_t errlen)
{
	struct nms_stmt *st;

	if (nms_prepare(s, "DELETE FROM endpoints WHERE device_id = ?1",
			"endpoints", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	return nms_step_done(s, st, "deleting the endpoint", err, errlen);
}

int nms_store_endpoints(struct nms_store *s, nms_endpoint_fn *fn, void *arg,
			char *err, size_t errlen)
{
	struct nms_stmt *st;
	int rc = 0;

	if (nms_prepare(s,
			"SELECT e.device_id, d.name, e.address, e.port"
			" FROM endpoints e JOIN devices d ON d.id = e.device_id"
			" ORDER BY d.name",
			"endpoints", err, errlen, &st) < 0)
		return -1;
	while (!rc && nms_db_step(st) == NMS_DB_ROW)
		rc = fn(nms_db_column_int64(st, 0),
			(const char *)nms_db_column_text(st, 1),
			(const char *)nms_db_column_text(st, 2),
			(unsigned)nms_db_column_int64(st, 3), arg);
	nms_db_finalize(st);
	return rc;
}

int nms_store_request_port_set(struct nms_store *s, int64_t device_id,
			       unsigned port, char *err, size_t errlen)
{
	struct nms_stmt *st;

	if (port > 65535)
		return tr_fail(err, errlen, "request port %u: 0 to 65535",
			       port);
	if (nms_prepare(
		    s,
		    "UPDATE endpoints SET request_port = ? WHERE device_id = ?",
		    "endpoints", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, port);
	nms_db_bind_int64(st, 2, device_id);
	if (nms_step_done(s, st, "setting the request port", err, errlen) < 0)
		return -1;
	return nms_db_changes(s->db) ?
		       0 :
		       tr_fail(err, errlen,
			       "no endpoint: set the endpoint first");
}

int nms_store_request_ports(struct nms_store *s, nms_endpoint_fn *fn, void *arg,
			    char *err, size_t errlen)
{
	struct nms_stmt *st;
	int rc = 0, step = NMS_DB_DONE;

	if (nms_prepare(s,
			"SELECT e.device_id, d.name, e.address, e.request_port"
			" FROM endpoints e JOIN devices d ON d.id = e.device_id"
			" WHERE e.request_port > 0 ORDER BY d.name",
			"endpoints", err, errlen, &st) < 0)
		return -1;
	while (!rc && (step = nms_db_step(st)) == NMS_DB_ROW)
		rc = fn(nms_db_column_int64(st, 0), nms_db_column_text(st, 1),
			nms_db_column_text(st, 2),
			(unsigned)nms_db_column_int64(st, 3), arg);
	nms_db_finalize(st);
	if (!rc && step != NMS_DB_DONE)
		return nms_sql_fail(s, err, errlen, "reading request ports");
	return rc;
}
