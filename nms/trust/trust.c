// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trust engine: the policy (which observation leads to which state),
 * the metric map, and applying an observation to the store.
 */
#include "nms/trust/trust.h"

#include "base/errmsg.h"
#include "nms/store/store_trust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const state_names[TRUST_NSTATES] = {
	[TRUST_GOOD] = "good",
	[TRUST_UNKNOWN] = "unknown",
	[TRUST_BAD] = "bad",
	[TRUST_OFFLINE] = "offline",
};

static const char *const event_names[TRUST_NEVENTS] = {
	[TRUST_EV_ATTEST_OK] = "attest-ok",
	[TRUST_EV_ATTEST_FAIL] = "attest-fail",
	[TRUST_EV_HANDSHAKE_OK] = "handshake-ok",
	[TRUST_EV_HANDSHAKE_FAIL] = "handshake-fail",
	[TRUST_EV_NO_ANSWER] = "no-answer",
	[TRUST_EV_RESET] = "reset",
	[TRUST_EV_ATTEST_UNKNOWN] = "attest-unknown",
};

const struct trust_metrics trust_metrics_default = { { 10, 20, 30, 40 } };

const char *trust_state_name(enum trust_state st)
{
	return (unsigned)st < TRUST_NSTATES ? state_names[st] : "?";
}

/* The index of @name in @names (@n entries), or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (name && !strcmp(names[i], name))
			return i;
	return -1;
}

int trust_state_parse(const char *name, enum trust_state *st)
{
	int i = name_index(state_names, TRUST_NSTATES, name);

	if (i < 0)
		return -1;
	*st = (enum trust_state)i;
	return 0;
}

const char *trust_event_name(enum trust_event ev)
{
	return (unsigned)ev < TRUST_NEVENTS ? event_names[ev] : "?";
}

int trust_event_parse(const char *name, enum trust_event *ev)
{
	int i = name_index(event_names, TRUST_NEVENTS, name);

	if (i < 0)
		return -1;
	*ev = (enum trust_event)i;
	return 0;
}

enum trust_state trust_next(enum trust_state cur, enum trust_event ev)
{
	switch (ev) {
	case TRUST_EV_ATTEST_OK:
		return TRUST_GOOD;
	case TRUST_EV_ATTEST_FAIL:
	case TRUST_EV_HANDSHAKE_FAIL:
		return TRUST_BAD;
	case TRUST_EV_HANDSHAKE_OK:
		/* Bad is sticky: only a full attestation ends it. */
		return cur == TRUST_BAD ? TRUST_BAD : TRUST_GOOD;
	case TRUST_EV_NO_ANSWER:
		/* Silence does not launder a bad verdict. */
		return cur == TRUST_BAD ? TRUST_BAD : TRUST_OFFLINE;
	case TRUST_EV_RESET:
		return TRUST_UNKNOWN;
	case TRUST_EV_ATTEST_UNKNOWN:
		/* Unknown files do not clear a bad verdict: only a passed
		 * attestation (or the operator) does. */
		return cur == TRUST_BAD ? TRUST_BAD : TRUST_UNKNOWN;
	case TRUST_NEVENTS:
		break;
	}
	return cur;
}

int trust_metrics_parse(const char *spec, struct trust_metrics *m, char *err,
			size_t errlen)
{
	struct trust_metrics out = *m;
	char buf[256], *save = NULL, *item;

	if (!spec || strlen(spec) >= sizeof(buf))
		return tr_fail(err, errlen, "metric map: too long or missing");
	snprintf(buf, sizeof(buf), "%s", spec);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		enum trust_state st;
		unsigned long v;

		if (!eq)
			return tr_fail(err, errlen,
				       "metric map: \"%s\" is not STATE=METRIC",
				       item);
		*eq = '\0';
		if (trust_state_parse(item, &st) < 0)
			return tr_fail(
				err, errlen,
				"metric map: \"%s\" is not a trust state (good, unknown, bad, offline)",
				item);
		errno = 0;
		v = strtoul(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || eq[1] == '-' || v < 1 ||
		    v > INT32_MAX)
			return tr_fail(
				err, errlen,
				"metric map: %s=%s is not a metric from 1 to %d",
				item, eq + 1, INT32_MAX);
		out.metric[st] = (uint32_t)v;
	}
	for (int i = 0; i < TRUST_NSTATES; i++)
		for (int j = i + 1; j < TRUST_NSTATES; j++)
			if (out.metric[i] == out.metric[j])
				return tr_fail(
					err, errlen,
					"metric map: %s and %s both have metric %u",
					state_names[i], state_names[j],
					out.metric[i]);
	*m = out;
	return 0;
}

void trust_metrics_format(const struct trust_metrics *m, char *buf, size_t cap)
{
	snprintf(buf, cap, "good=%u,unknown=%u,bad=%u,offline=%u",
		 m->metric[TRUST_GOOD], m->metric[TRUST_UNKNOWN],
		 m->metric[TRUST_BAD], m->metric[TRUST_OFFLINE]);
}

int64_t trust_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t trust_now_ms(void)
{
	return trust_now_ns() / 1000000;
}

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
	snprintf(buf, sizeof(buf), "%s%s%s", event_names[ev],
		 reason && *reason ? ": " : "", reason ? reason : "");
	a.reason = buf;
	memset(c, 0, sizeof(*c));
	c->time_ms = now_ms;
	return nms_store_tx(s, observe_tx, &a, err, errlen);
}

/* ---- converging the managed hosts ---------------------------------------- */

#define MAX_ROUTER_ADDRS 32

/* One pair of host and router, copied out of the store's rows. */
struct pair {
	struct nms_converged r;
	char host[128], netns[256], device[128];
	char err[512];
	int64_t applied_metric;
	enum trust_state applied_state;
};

struct pairs {
	struct pair *v;
	size_t n, cap;
};

static int add_pair(const struct nms_route_target *t, void *arg)
{
	struct pairs *p = arg;
	struct pair *e;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 8;
		struct pair *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return 1;
		p->v = v;
		p->cap = cap;
	}
	e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->r.host_id = t->host_id;
	e->r.device_id = t->device_id;
	e->r.state = t->state;
	e->applied_metric = t->applied_metric;
	e->applied_state = t->applied_state;
	snprintf(e->host, sizeof(e->host), "%s", t->host);
	snprintf(e->netns, sizeof(e->netns), "%s", t->netns);
	snprintf(e->device, sizeof(e->device), "%s", t->device);
	return 0;
}

/* Re-cost the routes of host @h through the router of @p. */
static void converge_pair(struct nms_store *s, struct ra_host *h,
			  struct pair *p)
{
	char addrs[MAX_ROUTER_ADDRS][46];
	struct ra_addr gw[MAX_ROUTER_ADDRS];
	int n = nms_store_router_addrs(s, p->r.device_id, addrs,
				       MAX_ROUTER_ADDRS, p->err,
				       sizeof(p->err));

	p->r.rc = -1;
	if (n < 0)
		return;
	for (int i = 0; i < n; i++)
		if (ra_addr_parse(addrs[i], &gw[i]) < 0) {
			tr_fail(p->err, sizeof(p->err),
				"router %s: bad address %s", p->device,
				addrs[i]);
			return;
		}
	p->r.rc = ra_recost(h, gw, (size_t)n, p->r.metric, &p->r.st, p->err,
			    sizeof(p->err));
}

static int record_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct pairs *p = arg;
	char detail[300];

	for (size_t i = 0; i < p->n; i++) {
		struct nms_converged *r = &p->v[i].r;

		if (r->rc < 0 || !r->t_done_ns)
			continue;
		snprintf(
			detail, sizeof(detail),
			"host %s: routes through %s at metric %u (%s): %u added, %u deleted, %u kept, %u skipped",
			r->host, r->device, r->metric,
			trust_state_name(r->state), r->st.added, r->st.deleted,
			r->st.kept, r->st.skipped);
		if (nms_store_route_applied(
			    s, r->host_id, r->device_id, r->state, r->metric,
			    r->t_done_ns / 1000000, detail, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int nms_trust_converge(struct nms_store *s, const struct trust_metrics *m,
		       int64_t device_id, bool all, nms_converged_fn *fn,
		       void *arg, char *err, size_t errlen)
{
	struct pairs p = { 0 };
	struct ra_host *h = NULL;
	int64_t open_host = 0;
	int rc = 0;

	if (nms_store_route_targets(s, device_id, add_pair, &p, err, errlen) <
	    0) {
		free(p.v);
		return -1;
	}
	for (size_t i = 0; i < p.n; i++) {
		struct pair *e = &p.v[i];

		e->r.host = e->host;
		e->r.netns = e->netns;
		e->r.device = e->device;
		e->r.err = e->err;
		e->r.metric = m->metric[e->r.state];
		if (!all && e->applied_metric == e->r.metric &&
		    e->applied_state == e->r.state)
			continue; /* converged already */
		/* Targets come ordered by host: one socket per host. */
		if (open_host != e->r.host_id) {
			ra_close(h);
			h = NULL;
			open_host = e->r.host_id;
			if (ra_open(&h, e->netns, e->err, sizeof(e->err)) < 0)
				open_host = 0;
		}
		if (h)
			converge_pair(s, h, e);
		else
			e->r.rc = -1;
		if (e->r.rc == 0)
			e->r.t_done_ns = trust_now_ns();
		else if (!rc)
			rc = tr_fail(err, errlen, "host %s, router %s: %s",
				     e->host, e->device, e->err);
		if (fn)
			fn(&e->r, arg);
	}
	ra_close(h);
	/* One transaction for all the records: a slow disk does not hold
	 * up the next host's routes. If the NMS dies before it, the next
	 * start converges again, which changes nothing in the kernel. */
	if (nms_store_tx(s, record_tx, &p, rc ? NULL : err, errlen) < 0)
		rc = -1;
	free(p.v);
	return rc;
}
