// SPDX-License-Identifier: GPL-2.0-only
/*
 * Converging the managed hosts: what goes through or toward each router
 * re-costed by each host's actuator to the value of the router's trust
 * state, and what each host now has recorded.
 */
#include "nms/route/converge.h"

#include "base/errmsg.h"
#include "nms/route/route_lease.h"
#include "nms/store/store_cluster.h"
#include "nms/store/store_trust.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTER_ADDRS 32

/* One pair of host and router, copied out of the store's rows. */
struct pair {
	struct nms_converged r;
	char host[128], netns[256], vty[256], device[128];
	char err[512];
	int64_t applied_metric;
	enum trust_state applied_state;
	bool applied_withdrawn;
	struct ra_addr gw[MAX_ROUTER_ADDRS]; /* the router's addresses */
	size_t ngw;
	bool skip; /* converged already, or not ours to move */
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
	e->applied_withdrawn = t->applied_withdrawn;
	snprintf(e->host, sizeof(e->host), "%s", t->host);
	snprintf(e->netns, sizeof(e->netns), "%s", t->netns);
	snprintf(e->vty, sizeof(e->vty), "%s", t->vty);
	e->r.act = nms_actuator_find(t->actuator);
	snprintf(e->device, sizeof(e->device), "%s", t->device);
	return 0;
}

/* The addresses of @p's router, into @p (in the calling thread: the
 * workers do not touch the store). */
static int router_addrs(struct nms_store *s, struct pair *p)
{
	char addrs[MAX_ROUTER_ADDRS][46];
	int n = nms_store_router_addrs(s, p->r.device_id, addrs,
				       MAX_ROUTER_ADDRS, p->err,
				       sizeof(p->err));

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (ra_addr_parse(addrs[i], &p->gw[i]) < 0)
			return tr_fail(p->err, sizeof(p->err),
				       "router %s: bad address %s", p->device,
				       addrs[i]);
	p->ngw = (size_t)n;
	return 0;
}

/* The pairs of one host, done with one handle. */
struct host_job {
	struct pair *v; /* the host's pairs, to be done */
	size_t n;
	pthread_t thread;
	bool threaded;
};

static void *do_host(void *arg)
{
	struct host_job *j = arg;
	struct pair *first = &j->v[0];
	struct nms_host_params hp = { first->netns, first->vty };
	const struct nms_actuator *act = first->r.act;
	void *h = NULL;

	if (act->open(&h, &hp, first->err, sizeof(first->err)) < 0) {
		for (size_t i = 0; i < j->n; i++) {
			j->v[i].r.rc = -1;
			if (i)
				snprintf(j->v[i].err, sizeof(j->v[i].err), "%s",
					 first->err);
		}
		return NULL;
	}
	for (size_t i = 0; i < j->n; i++) {
		struct pair *e = &j->v[i];

		e->r.withdrawn = e->r.withdraw && act->withdraw;
		e->r.rc = e->r.withdrawn ?
				  act->withdraw(h, e->gw, e->ngw, &e->r.st,
						e->err, sizeof(e->err)) :
				  act->apply(h, e->gw, e->ngw, e->r.metric,
					     &e->r.st, e->err, sizeof(e->err));
		if (e->r.rc == 0)
			e->r.t_done_ns = trust_now_ns();
	}
	act->close(h);
	return NULL;
}

/*
 * TRUSTROUTE_NMS_CRASH=route-before-record: die (SIGKILL) after the
 * routes moved and before they are recorded, as a power cut would.
 */
static void crash_point(const char *point)
{
	const char *want = getenv("TRUSTROUTE_NMS_CRASH");

	if (want && !strcmp(want, point))
		raise(SIGKILL);
}

static int record_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct pairs *p = arg;
	struct nms_route_lease l;
	char detail[300];

	/* Fencing: with several NMS hosts, only the lease's holder in its
	 * epoch records; one that lost it meanwhile (paused past its lease)
	 * records nothing, and the new holder converges again. */
	if (!nms_route_lease_get(&l))
		return tr_fail(err, errlen, "the route lease ran out");
	if (l.cluster) {
		int held = nms_store_lease_held(s, NMS_LEASE_ROUTE, l.holder,
						l.epoch, err, errlen);

		if (held <= 0)
			return held < 0 ?
				       -1 :
				       tr_fail(err, errlen,
					       "lost the route lease (epoch %lld)",
					       (long long)l.epoch);
	}

	for (size_t i = 0; i < p->n; i++) {
		struct nms_converged *r = &p->v[i].r;

		if (r->rc < 0 || !r->t_done_ns)
			continue;
		if (r->withdrawn)
			snprintf(
				detail, sizeof(detail),
				"host %s: %s %s %s withdrawn (%s): %u parked, %u deleted, %u parked already, %u skipped",
				r->host, r->act->unit, r->act->toward,
				r->device, trust_state_name(r->state),
				r->st.parked, r->st.deleted, r->st.kept,
				r->st.skipped);
		else
			snprintf(
				detail, sizeof(detail),
				"host %s: %s %s %s at %s %u (%s): %u added, %u deleted, %u kept, %u skipped%s%s",
				r->host, r->act->unit, r->act->toward,
				r->device, r->act->value_name, r->metric,
				trust_state_name(r->state), r->st.added,
				r->st.deleted, r->st.kept, r->st.skipped,
				r->st.parked ? ", restored from parking" : "",
				r->withdraw ? " (withdraw: not supported by "
					      "this actuator, re-costed)" :
					      "");
		if (nms_store_route_applied(s, r->host_id, r->device_id,
					    r->state, r->metric, r->withdrawn,
					    r->t_done_ns / 1000000, detail, err,
					    errlen) < 0)
			return -1;
	}
	return 0;
}

int nms_trust_converge(struct nms_store *s, const struct trust_metrics *m,
		       int64_t device_id, bool all, nms_converged_fn *fn,
		       void *arg, char *err, size_t errlen)
{
	struct pairs p = { 0 };
	struct host_job *jobs = NULL;
	size_t nj = 0;
	int rc = 0;

	if (nms_store_route_targets(s, device_id, add_pair, &p, err, errlen) <
	    0) {
		free(p.v);
		return -1;
	}
	jobs = calloc(p.n ? p.n : 1, sizeof(*jobs));
	if (!jobs) {
		free(p.v);
		return tr_fail(err, errlen, "out of memory");
	}
	/* What each pair needs, read here; the pairs to do, by host (targets
	 * come ordered by host: one handle per host). */
	for (size_t i = 0; i < p.n; i++) {
		struct pair *e = &p.v[i];
		struct nms_route_lease l;

		e->r.host = e->host;
		e->r.netns = e->netns;
		e->r.device = e->device;
		e->r.err = e->err;
		e->r.rc = -1;
		if (!e->r.act) {
			/* Fail closed: a host we cannot act on is an error,
			 * never quietly left as it is. */
			tr_fail(e->err, sizeof(e->err), "no such actuator");
			continue;
		}
		e->r.metric = e->r.act->value(m, e->r.state);
		e->r.withdraw = m->withdraw[e->r.state];
		if (!all && e->applied_metric == e->r.metric &&
		    e->applied_state == e->r.state &&
		    e->applied_withdrawn ==
			    (e->r.withdraw && e->r.act->withdraw)) {
			e->skip = true; /* converged already */
			continue;
		}
		/* Only the route owner moves routes, and only while its
		 * lease lasts. */
		if (!nms_route_lease_get(&l)) {
			rc = tr_fail(err, errlen,
				     "not the route owner (no lease)");
			for (size_t k = i; k < p.n; k++)
				p.v[k].skip = true;
			break;
		}
		if (router_addrs(s, e) < 0)
			continue;
		if (nj && jobs[nj - 1].v[0].r.host_id == e->r.host_id &&
		    jobs[nj - 1].v + jobs[nj - 1].n == e)
			jobs[nj - 1].n++;
		else
			jobs[nj++] = (struct host_job){ .v = e, .n = 1 };
	}
	/* Hosts whose actuator waits on another program (FRR's vtysh) go
	 * at once, each in a thread of its own; the others (netlink, well
	 * under a millisecond) in this thread meanwhile. */
	for (size_t i = 0; i < nj; i++)
		if (jobs[i].v[0].r.act->concurrent)
			jobs[i].threaded = !pthread_create(
				&jobs[i].thread, NULL, do_host, &jobs[i]);
	for (size_t i = 0; i < nj; i++)
		if (!jobs[i].threaded)
			do_host(&jobs[i]);
	for (size_t i = 0; i < nj; i++)
		if (jobs[i].threaded)
			pthread_join(jobs[i].thread, NULL);
	free(jobs);
	for (size_t i = 0; i < p.n; i++) {
		struct pair *e = &p.v[i];

		if (e->skip)
			continue;
		if (e->r.rc < 0 && !rc)
			rc = tr_fail(err, errlen, "host %s, router %s: %s",
				     e->host, e->device, e->err);
		if (fn)
			fn(&e->r, arg);
	}
	crash_point("route-before-record");
	/* One transaction for all the records: a slow disk does not hold
	 * up the next host's routes. If the NMS dies before it, the next
	 * start converges again, which changes nothing in the kernel. Then
	 * one fsync, for the records and for a trust change committed
	 * without one before the routes (nms_trust_observe; see
	 * nms_observe for why that order is safe). */
	if (nms_store_tx_nosync(s, record_tx, &p, rc ? NULL : err, errlen) < 0)
		rc = -1;
	if (nms_store_sync(s, rc ? NULL : err, errlen) < 0)
		rc = -1;
	free(p.v);
	return rc;
}
