// SPDX-License-Identifier: GPL-2.0-only
#include "nms/route/observe.h"

#include "base/errmsg.h"
#include "base/log.h"
#include "nms/store/store_trust.h"

#include <stdio.h>
#include <string.h>

struct observe_args {
	int64_t device_id;
	enum trust_event ev;
	const char *reason;
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
	char buf[512];
	struct observe_args a = { device_id, ev, reason, c };

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
	if (!c->changed)
		return nms_store_sync(s, err, errlen);
	tr_log(c->to == TRUST_GOOD ? TR_LOG_NOTICE : TR_LOG_WARN, "trust",
	       "%s: %s -> %s: %s", device, trust_state_name(c->from),
	       trust_state_name(c->to), reason);
	/* The routes follow the state at once: make-before-break. */
	return nms_trust_converge(s, m, id, false, converged, NULL, err,
				  errlen);
}

int nms_observe_sync(struct nms_store *s, const struct trust_metrics *m,
		     char *err, size_t errlen)
{
	return nms_trust_converge(s, m, 0, true, converged, NULL, err, errlen);
}
