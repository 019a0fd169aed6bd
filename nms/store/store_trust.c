// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trust rows in the NMS store: device states and their history, managed
 * hosts, router addresses, what the route actuator last applied.
 */
#include "nms/store/store_trust.h"

#include "base/errmsg.h"
#include "nms/store/store_sql.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int64_t nms_store_device_id(struct nms_store *s, const char *name, char *err,
			    size_t errlen)
{
	struct nms_stmt *st;
	int64_t id = -1;
	int rc;

	if (nms_prepare_cached(s, "SELECT id FROM devices WHERE name = ?",
			       "devices", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW)
		id = nms_db_column_int64(st, 0);
	else if (rc == NMS_DB_DONE)
		tr_fail(err, errlen, "no device named \"%s\"", name);
	else
		nms_sql_fail(s, err, errlen, "looking up the device");
	nms_db_finalize(st);
	return id;
}

/* The state in column @col of @st; -1 if it is not one of the four. */
static int column_state(struct nms_stmt *st, int col, enum trust_state *out)
{
	return trust_state_parse((const char *)nms_db_column_text(st, col),
				 out);
}

/* The trust row from columns @col.. (trust, trust_reason, trust_since). */
static int column_row(struct nms_stmt *st, int col, struct nms_trust_row *row)
{
	if (column_state(st, col, &row->state) < 0)
		return -1;
	snprintf(row->reason, sizeof(row->reason), "%s",
		 (const char *)nms_db_column_text(st, col + 1));
	row->since_ms = nms_db_column_int64(st, col + 2);
	return 0;
}

int nms_store_trust_get(struct nms_store *s, int64_t device_id,
			struct nms_trust_row *row, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int rc, ret = -1;

	if (nms_prepare_cached(
		    s,
		    "SELECT trust, trust_reason, trust_since FROM devices"
		    " WHERE id = ?",
		    "devices", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW && column_row(st, 0, row) == 0) {
		ret = 0;
	} else if (rc == NMS_DB_DONE) {
		tr_fail(err, errlen, "no device with id %lld",
			(long long)device_id);
	} else {
		nms_sql_fail(s, err, errlen, "reading the trust state");
	}
	nms_db_finalize(st);
	return ret;
}

struct dev_walk {
	nms_trust_dev_fn *fn;
	void *arg;
};

static int dev_row(struct nms_stmt *st, void *arg)
{
	struct dev_walk *w = arg;
	struct nms_trust_row row;

	if (column_row(st, 2, &row) < 0)
		return -1;
	return w->fn &&
	       w->fn(nms_db_column_int64(st, 0),
		     (const char *)nms_db_column_text(st, 1), &row, w->arg);
}

int nms_store_trust_devices(struct nms_store *s, nms_trust_dev_fn *fn,
			    void *arg, char *err, size_t errlen)
{
	struct dev_walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(s,
			"SELECT id, name, trust, trust_reason, trust_since"
			" FROM devices ORDER BY name",
			"devices", err, errlen, &st) < 0)
		return -1;
	return nms_each_row(s, st, dev_row, &w, "reading trust states", "state",
			    err, errlen);
}

struct set_args {
	int64_t device_id, time_ms;
	enum trust_state from, to;
	const char *reason;
};

static int set_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct set_args *a = arg;
	char detail[600];
	struct nms_stmt *st;
	int rc;

	/* Compare and set: the change is from the state it was decided on. */
	if (nms_prepare_cached(
		    s,
		    "UPDATE devices SET trust = ?, trust_reason = ?,"
		    " trust_since = ?, updated = ? WHERE id = ? AND trust = ?",
		    "devices", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, trust_state_name(a->to));
	nms_db_bind_text(st, 2, a->reason);
	nms_db_bind_int64(st, 3, a->time_ms);
	nms_db_bind_int64(st, 4, a->time_ms / 1000);
	nms_db_bind_int64(st, 5, a->device_id);
	nms_db_bind_text(st, 6, trust_state_name(a->from));
	rc = nms_db_step(st);
	nms_db_finalize(st);
	if (rc != NMS_DB_DONE)
		return nms_sql_fail(s, err, errlen, "setting the trust state");
	if (nms_db_changes(s->db) != 1)
		return tr_fail(
			err, errlen,
			"device %lld is not in state %s (changed meanwhile, or no such device)",
			(long long)a->device_id, trust_state_name(a->from));
	if (nms_prepare_cached(s,
			       "INSERT INTO trust_history"
			       " (device_id, time_ms, previous, state, reason)"
			       " VALUES (?, ?, ?, ?, ?) RETURNING id",
			       "trust_history", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, a->device_id);
	nms_db_bind_int64(st, 2, a->time_ms);
	nms_db_bind_text(st, 3, trust_state_name(a->from));
	nms_db_bind_text(st, 4, trust_state_name(a->to));
	nms_db_bind_text(st, 5, a->reason);
	if (nms_step_insert(s, st, "adding to the trust history", err, errlen) <
	    0)
		return -1;
	snprintf(detail, sizeof(detail), "%s -> %s: %s",
		 trust_state_name(a->from), trust_state_name(a->to), a->reason);
	return nms_store_event(s, a->device_id, "trust", detail, err, errlen) <
			       0 ?
		       -1 :
		       0;
}

int nms_store_trust_set(struct nms_store *s, int64_t device_id,
			enum trust_state from, enum trust_state to,
			const char *reason, int64_t time_ms, char *err,
			size_t errlen)
{
	struct set_args a = { device_id, time_ms, from, to,
			      reason ? reason : "" };

	if ((unsigned)from >= TRUST_NSTATES || (unsigned)to >= TRUST_NSTATES ||
	    from == to)
		return tr_fail(err, errlen, "not a change of trust state");
	return nms_store_tx(s, set_tx, &a, err, errlen);
}

struct hist_walk {
	nms_trust_hist_fn *fn;
	void *arg;
};

static int hist_row(struct nms_stmt *st, void *arg)
{
	struct hist_walk *w = arg;
	struct nms_trust_hist h;

	h.time_ms = nms_db_column_int64(st, 0);
	if (column_state(st, 1, &h.from) || column_state(st, 2, &h.to))
		return -1;
	h.reason = (const char *)nms_db_column_text(st, 3);
	return w->fn && w->fn(&h, w->arg);
}

int nms_store_trust_history(struct nms_store *s, int64_t device_id,
			    nms_trust_hist_fn *fn, void *arg, char *err,
			    size_t errlen)
{
	struct hist_walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare(s,
			"SELECT time_ms, previous, state, reason"
			" FROM trust_history WHERE device_id = ? ORDER BY id",
			"trust_history", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	return nms_each_row(s, st, hist_row, &w, "reading the trust history",
			    "state", err, errlen);
}

/* The canonical text of the address @in into @out (46 bytes). */
static int canonical_addr(const char *in, char *out)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, in, a) == 1)
		return inet_ntop(AF_INET, a, out, 46) ? 0 : -1;
	if (inet_pton(AF_INET6, in, a) == 1)
		return inet_ntop(AF_INET6, a, out, 46) ? 0 : -1;
	return -1;
}

int nms_store_router_addr_add(struct nms_store *s, int64_t device_id,
			      const char *addr, char *err, size_t errlen)
{
	char canon[46];
	struct nms_stmt *st;
	int rc, ret = -1;

	if (!addr || canonical_addr(addr, canon) < 0)
		return tr_fail(
			err, errlen,
			"router address \"%s\" is not an IPv4 or IPv6 address",
			addr ? addr : "");
	/* One statement: the row is there afterwards, or the address belongs
	 * to another router (RETURNING then gives its owner). */
	if (nms_prepare(
		    s,
		    "INSERT INTO router_addrs (device_id, addr) VALUES (?, ?)"
		    " ON CONFLICT (addr) DO UPDATE SET addr = excluded.addr"
		    " RETURNING device_id,"
		    "  (SELECT name FROM devices WHERE id = device_id)",
		    "router_addrs", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	nms_db_bind_text(st, 2, canon);
	rc = nms_db_step(st);
	if (rc == NMS_DB_ROW && nms_db_column_int64(st, 0) == device_id)
		ret = 0;
	else if (rc == NMS_DB_ROW)
		tr_fail(err, errlen,
			"address %s already belongs to router \"%s\"", canon,
			(const char *)nms_db_column_text(st, 1));
	else
		nms_sql_fail(s, err, errlen, "adding the router address");
	nms_db_finalize(st);
	return ret;
}

int nms_store_router_addrs(struct nms_store *s, int64_t device_id,
			   char (*addrs)[46], int cap, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int rc, n = 0;

	if (nms_prepare_cached(
		    s,
		    "SELECT addr FROM router_addrs WHERE device_id = ?"
		    " ORDER BY addr",
		    "router_addrs", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	while ((rc = nms_db_step(st)) == NMS_DB_ROW && n < cap)
		snprintf(addrs[n++], 46, "%s", nms_db_column_text(st, 0));
	nms_db_finalize(st);
	if (rc == NMS_DB_ROW)
		return tr_fail(err, errlen,
			       "device %lld has more than %d addresses",
			       (long long)device_id, cap);
	if (rc != NMS_DB_DONE)
		return nms_sql_fail(s, err, errlen, "reading router addresses");
	return n;
}

int64_t nms_store_route_host(struct nms_store *s, const char *name,
			     const char *netns, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int64_t id = -1;

	if (!name || !*name || !netns)
		return tr_fail(err, errlen,
			       "a managed host needs a name and a namespace");
	if (nms_prepare(
		    s,
		    "INSERT INTO route_hosts (name, netns) VALUES (?, ?)"
		    " ON CONFLICT (name) DO UPDATE SET netns = excluded.netns,"
		    "  actuator = 'netlink', vty = ''"
		    " RETURNING id",
		    "route_hosts", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	nms_db_bind_text(st, 2, netns);
	if (nms_db_step(st) == NMS_DB_ROW)
		id = nms_db_column_int64(st, 0);
	else
		nms_sql_fail(s, err, errlen, "adding the managed host");
	nms_db_finalize(st);
	return id;
}

int64_t nms_store_route_host_frr(struct nms_store *s, const char *name,
				 const char *actuator, const char *vty,
				 int64_t device_id, char *err, size_t errlen)
{
	struct nms_stmt *st;
	int64_t id = -1;

	if (!name || !*name || !vty || !*vty)
		return tr_fail(err, errlen,
			       "an FRR host needs a name and a vty");
	if (!actuator ||
	    (strcmp(actuator, "frr") && strcmp(actuator, "frr-isis")))
		return tr_fail(err, errlen, "\"%s\" is not an FRR actuator",
			       actuator ? actuator : "");
	if (nms_prepare(
		    s,
		    "INSERT INTO route_hosts (name, netns, actuator, vty, device_id)"
		    " VALUES (?1, '', ?4, ?2, nullif(?3, 0))"
		    " ON CONFLICT (name) DO UPDATE SET netns = '',"
		    "  actuator = ?4, vty = ?2, device_id = nullif(?3, 0)"
		    " RETURNING id",
		    "route_hosts", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_text(st, 1, name);
	nms_db_bind_text(st, 2, vty);
	nms_db_bind_int64(st, 3, device_id);
	nms_db_bind_text(st, 4, actuator);
	if (nms_db_step(st) == NMS_DB_ROW)
		id = nms_db_column_int64(st, 0);
	else
		nms_sql_fail(s, err, errlen, "adding the FRR host");
	nms_db_finalize(st);
	return id;
}

struct target_walk {
	nms_route_target_fn *fn;
	void *arg;
};

static int target_row(struct nms_stmt *st, void *arg)
{
	struct target_walk *w = arg;
	struct nms_route_target t;

	t.host_id = nms_db_column_int64(st, 0);
	t.host = (const char *)nms_db_column_text(st, 1);
	t.netns = (const char *)nms_db_column_text(st, 2);
	t.device_id = nms_db_column_int64(st, 3);
	t.device = (const char *)nms_db_column_text(st, 4);
	if (column_state(st, 5, &t.state) ||
	    column_state(st, 7, &t.applied_state))
		return -1;
	t.applied_metric = nms_db_column_int64(st, 6);
	t.applied_withdrawn = nms_db_column_int64(st, 10) != 0;
	t.actuator = nms_db_column_text(st, 8);
	t.vty = nms_db_column_text(st, 9);
	return w->fn && w->fn(&t, w->arg);
}

int nms_store_route_targets(struct nms_store *s, int64_t device_id,
			    nms_route_target_fn *fn, void *arg, char *err,
			    size_t errlen)
{
	struct target_walk w = { fn, arg };
	struct nms_stmt *st;

	if (nms_prepare_cached(
		    s,
		    "SELECT h.id, h.name, h.netns, d.id, d.name, d.trust,"
		    "  coalesce(a.metric, -1), coalesce(a.state, d.trust),"
		    "  h.actuator, h.vty, "
		    "  CASE WHEN a.action = 'withdraw' THEN 1 ELSE 0 END"
		    " FROM route_hosts h"
		    " JOIN devices d ON d.id IN (SELECT device_id FROM router_addrs)"
		    " LEFT JOIN route_applied a"
		    "  ON a.host_id = h.id AND a.device_id = d.id"
		    /* A router's own configuration does not re-cost it. */
		    " WHERE (?1 = 0 OR d.id = ?1"
		    "  OR (?1 < 0 AND (a.state IS NULL OR a.state <> d.trust)))"
		    "  AND (h.device_id IS NULL OR h.device_id <> d.id)"
		    " ORDER BY h.id, d.id",
		    "route targets", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, device_id);
	return nms_each_row(s, st, target_row, &w, "reading route targets",
			    "state", err, errlen);
}

struct applied_args {
	int64_t host_id, device_id, time_ms;
	enum trust_state state;
	uint32_t metric;
	bool withdrawn;
	const char *detail;
};

static int applied_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct applied_args *a = arg;
	struct nms_stmt *st;
	int rc;

	if (nms_prepare_cached(
		    s,
		    "INSERT INTO route_applied"
		    " (host_id, device_id, state, metric, time_ms, action)"
		    " VALUES (?, ?, ?, ?, ?, ?)"
		    " ON CONFLICT (host_id, device_id) DO UPDATE SET"
		    " state = excluded.state, metric = excluded.metric,"
		    " time_ms = excluded.time_ms, action = excluded.action",
		    "route_applied", err, errlen, &st) < 0)
		return -1;
	nms_db_bind_int64(st, 1, a->host_id);
	nms_db_bind_int64(st, 2, a->device_id);
	nms_db_bind_text(st, 3, trust_state_name(a->state));
	nms_db_bind_int64(st, 4, a->metric);
	nms_db_bind_int64(st, 5, a->time_ms);
	nms_db_bind_text(st, 6, a->withdrawn ? "withdraw" : "recost");
	rc = nms_db_step(st);
	nms_db_finalize(st);
	if (rc != NMS_DB_DONE)
		return nms_sql_fail(s, err, errlen, "recording applied routes");
	return nms_store_event(s, a->device_id, "route", a->detail, err,
			       errlen) < 0 ?
		       -1 :
		       0;
}

int nms_store_route_applied(struct nms_store *s, int64_t host_id,
			    int64_t device_id, enum trust_state state,
			    uint32_t metric, bool withdrawn, int64_t time_ms,
			    const char *detail, char *err, size_t errlen)
{
	struct applied_args a = { host_id, device_id, time_ms, state,
				  metric,  withdrawn, detail };

	return nms_store_tx(s, applied_tx, &a, err, errlen);
}
