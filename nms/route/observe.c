// SPDX-License-Identifier: GPL-2.0-only
#include "nms/route/observe.h"

#include "base/errmsg.h"
#include "base/log.h"
#include "nms/route/route_lease.h"
#include "nms/store/store_trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct observe_args {
	int64_t device_id;
	enum trust_event ev;
	const char *reason;
	int64_t seen_ms;
	struct trust_change *c;
};

static int observe_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct observe_args *a = arg;
	struct nms_trust_row row;

	/* Read inside the transaction (BEGIN IMMEDIATE holds the write
	 * lock): two observers cannot both decide from the same state. */
	if (nms_store_trust_get(s, a->device_id, &row, err, errlen) < 0)
		return -1;
	a->c->from = row.state;
	/* Older than the state: e.g. a probe's handshake failure from
	 * before the router was re-imaged and attested good. */
	if (a->seen_ms && row.since_ms > a->seen_ms) {
		a->c->to = row.state;
		return 0;
	}
	a->c->to = trust_next(row.state, a->ev);
	a->c->changed = a->c->to != a->c->from;
	if (!a->c->changed)
		return 0;
	return nms_store_trust_set(s, a->device_id, a->c->from, a->c->to,
				   a->reason, a->c->time_ms, err, errlen);
}

int nms_trust_observe(struct nms_store *s, int64_t device_id,
		      enum trust_event ev, const char *reason, int64_t now_ms,
		      struct trust_change *c, char *err, size_t errlen)
{
	return nms_trust_observe_seen(s, device_id, ev, reason, 0, now_ms, c,
				      err, errlen);
}

int nms_trust_observe_seen(struct nms_store *s, int64_t device_id,
			   enum trust_event ev, const char *reason,
			   int64_t seen_ms, int64_t now_ms,
			   struct trust_change *c, char *err, size_t errlen)
{
	char buf[512];
	struct observe_args a = { device_id, ev, reason, seen_ms, c };

	if ((unsigned)ev >= TRUST_NEVENTS)
		return tr_fail(err, errlen, "unknown trust event %d", (int)ev);
	/* The reason names the observation that led to the state. */
	snprintf(buf, sizeof(buf), "%s%s%s", trust_event_name(ev),
		 reason && *reason ? ": " : "", reason ? reason : "");
	a.reason = buf;
	memset(c, 0, sizeof(*c));
	c->time_ms = now_ms;
	/* Committed without waiting for the disk; the caller's converge
	 * syncs it (nms_trust_converge ends with nms_store_sync). Why the
	 * order is safe is told at nms_observe. */
	return nms_store_tx_nosync(s, observe_tx, &a, err, errlen);
}

static void converged(const struct nms_converged *r, void *arg)
{
	(void)arg;
	if (r->rc)
		tr_log(TR_LOG_ERR, "route", "%s on %s via %s: %s",
		       r->act ? r->act->unit : "routes", r->host, r->device,
		       r->err);
	else
		tr_log(TR_LOG_NOTICE, "route",
		       "%s on %s via %s: %s %u (%s): %u %s, %u added, %u deleted, at %lld.%09lld",
		       r->act->unit, r->host, r->device, r->act->value_name,
		       r->metric, trust_state_name(r->state), r->st.routes,
		       r->act->unit, r->st.added, r->st.deleted,
		       (long long)(r->t_done_ns / 1000000000),
		       (long long)(r->t_done_ns % 1000000000));
}

/*
 * The reroute's critical path is the trust change's commit, then the
 * routes; the fsync that makes the change durable comes after the routes
 * (one fsync for the change and the routes' records). Why that is safe:
 *  - The order of the effects is unchanged: routes move only after the
 *    new state is committed, and "applied" is recorded only after the
 *    kernel took the routes. A commit without fsync is in the WAL (the
 *    OS's page cache) when it returns, so a kill -9 of the NMS at any
 *    point loses nothing that the old order kept: the restarted NMS
 *    re-derives every route from the store (nms_observe_sync) and
 *    re-costing is idempotent.
 *  - Only an OS crash or power loss in the window between the commit
 *    and the fsync (the routes' netlink messages, well under a
 *    millisecond a host, plus the fsync itself) can take the change back,
 *    whole: SQLite's WAL keeps the database consistent. The restarted NMS
 *    then converges the routes to the state before the change, as if the
 *    observation had come just before the crash, which the old order
 *    could not prevent either; a compromised router's TPM still refuses
 *    its key, so its next probe fails again and the change is made anew.
 *  - Nothing is acknowledged before it is durable: nms_trust_converge
 *    returns after the fsync, and only then does nms-route serve answer
 *    (its JSON's t_recorded_ns is after it); the log lines on the way
 *    say what was done in the kernel, not what is on disk.
 */
int nms_observe(struct nms_store *s, const struct trust_metrics *m,
		const char *device, enum trust_event ev, const char *reason,
		struct trust_change *c, char *err, size_t errlen)
{
	struct trust_change local;
	int64_t id = nms_store_device_id(s, device, err, errlen);

	if (!c)
		c = &local;
	if (id < 0 || nms_trust_observe(s, id, ev, reason, trust_now_ms(), c,
					err, errlen) < 0)
		return -1;
	return nms_observe_changed(s, m, id, device, c, reason, err, errlen);
}

int nms_observe_changed(struct nms_store *s, const struct trust_metrics *m,
			int64_t id, const char *device,
			const struct trust_change *c, const char *reason,
			char *err, size_t errlen)
{
	if (!c->changed)
		return nms_store_sync(s, err, errlen);
	tr_log(c->to == TRUST_GOOD ? TR_LOG_NOTICE : TR_LOG_WARN, "trust",
	       "%s: %s -> %s: %s", device, trust_state_name(c->from),
	       trust_state_name(c->to), reason);
	/* Of several NMS hosts, the route owner converges what the others
	 * commit (nms/route/route_owner.h); it polls for changes. */
	if (!nms_route_lease_get(&(struct nms_route_lease){ 0 })) {
		tr_log(TR_LOG_INFO, "route",
		       "%s: routes left to the route owner", device);
		return nms_store_sync(s, err, errlen);
	}
	/* The routes follow the state at once: make-before-break. */
	return nms_trust_converge(s, m, id, false, converged, NULL, err,
				  errlen);
}

struct id_state {
	int64_t id;
	enum trust_state state;
};

struct states {
	struct id_state *v;
	size_t n, cap;
};

static int add_state(int64_t id, const char *name,
		     const struct nms_trust_row *row, void *arg)
{
	struct states *s = arg;

	(void)name;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct id_state *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return 1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct id_state){ id, row->state };
	return 0;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct id_state *)a)->id,
		y = ((const struct id_state *)b)->id;

	return x < y ? -1 : x > y;
}

struct many {
	struct nms_observation **o;
	size_t n;
	int64_t now_ms;
};

static int many_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct many *b = arg;

	for (size_t i = 0; i < b->n; i++)
		if (nms_trust_observe_seen(s, b->o[i]->id, b->o[i]->ev,
					   b->o[i]->reason, b->o[i]->seen_ms,
					   b->now_ms, &b->o[i]->c, err,
					   errlen) < 0)
			return -1;
	return 0;
}

int nms_observe_many(struct nms_store *s, const struct trust_metrics *m,
		     struct nms_observation *o, size_t n, int64_t now_ms)
{
	struct states st = { 0 };
	struct nms_observation **todo = calloc(n ? n : 1, sizeof(*todo));
	size_t k = 0;
	char err[512];
	int rc = 0;

	if (!todo)
		return -1;
	/* One read for the round; no read at all per router that stays. */
	if (nms_store_trust_devices(s, add_state, &st, err, sizeof(err)) < 0)
		st.n = 0; /* then every observation goes to a transaction */
	qsort(st.v, st.n, sizeof(*st.v), by_id);
	for (size_t i = 0; i < n; i++) {
		struct id_state key = { o[i].id, TRUST_UNKNOWN }, *cur;

		memset(&o[i].c, 0, sizeof(o[i].c));
		cur = st.n ? bsearch(&key, st.v, st.n, sizeof(*st.v), by_id) :
			     NULL;
		if (cur && (unsigned)o[i].ev < TRUST_NEVENTS &&
		    trust_next(cur->state, o[i].ev) == cur->state) {
			o[i].c.from = o[i].c.to = cur->state;
			continue;
		}
		todo[k++] = &o[i];
	}
	free(st.v);
	for (size_t i = 0; i < k; i += NMS_OBSERVE_BATCH) {
		struct many b = { todo + i,
				  k - i < NMS_OBSERVE_BATCH ? k - i :
							      NMS_OBSERVE_BATCH,
				  now_ms };

		/* Not waiting for the disk: the routes first, then one
		 * sync (nms_observe). */
		if (nms_store_tx_nosync(s, many_tx, &b, err, sizeof(err)) == 0)
			continue;
		/* One by one: the batch's failure is one router's. */
		for (size_t j = 0; j < b.n; j++)
			if (nms_trust_observe_seen(
				    s, b.o[j]->id, b.o[j]->ev, b.o[j]->reason,
				    b.o[j]->seen_ms, now_ms, &b.o[j]->c, err,
				    sizeof(err)) < 0) {
				tr_log(TR_LOG_ERR, "trust", "%s: %s",
				       b.o[j]->device, err);
				memset(&b.o[j]->c, 0, sizeof(b.o[j]->c));
				rc = -1;
			}
	}
	for (size_t i = 0; i < k; i++)
		if (todo[i]->c.changed &&
		    nms_observe_changed(s, m, todo[i]->id, todo[i]->device,
					&todo[i]->c, todo[i]->reason, err,
					sizeof(err)) < 0) {
			tr_log(TR_LOG_ERR, "route", "%s: %s", todo[i]->device,
			       err);
			rc = -1;
		}
	free(todo);
	/* What no converge synced (no change, or the route owner's). */
	if (nms_store_sync(s, err, sizeof(err)) < 0) {
		tr_log(TR_LOG_ERR, "trust", "%s", err);
		rc = -1;
	}
	return rc;
}

int nms_observe_sync(struct nms_store *s, const struct trust_metrics *m,
		     char *err, size_t errlen)
{
	if (!nms_route_lease_get(&(struct nms_route_lease){ 0 }))
		return 0; /* the route owner's */
	return nms_trust_converge(s, m, 0, true, converged, NULL, err, errlen);
}

int nms_observe_pending(struct nms_store *s, const struct trust_metrics *m,
			char *err, size_t errlen)
{
	if (!nms_route_lease_get(&(struct nms_route_lease){ 0 }))
		return 0;
	return nms_trust_converge(s, m, NMS_ROUTE_PENDING, false, converged,
				  NULL, err, errlen);
}
