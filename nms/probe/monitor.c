// SPDX-License-Identifier: GPL-2.0-only
#include "nms/probe/monitor.h"

#include "base/errmsg.h"
#include "base/log.h"
#include "net/net.h"
#include "nms/probe/partition.h"
#include "nms/probe/prober.h"
#include "nms/probe/requester.h"
#include "nms/route/observe.h"
#include "nms/store/store_api.h"
#include "nms/store/store_cluster.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROBERS 16 /* probes at once: one silent router costs one timeout */
#define MAX_ASKS 4096 /* routers asked to attest at once */
#define MAX_MEMBERS 64 /* NMS hosts on one database */
#define MEMBER_LEN 128

struct target {
	int64_t id;
	char device[64], address[64];
	unsigned port;
	enum probe_result res;
	int64_t seen_ms; /* when its probe began: what it saw is from then */
	char why[512];
	char reason[600];
};

struct nms_monitor {
	struct nms_monitor_config cfg;
	struct nms_store store; /* opened once: the monitor's writer */
	SSL_CTX *ctx; /* the NMS CA, loaded once */
	struct target *t; /* reused each round, grown as needed */
	size_t cap;
	char members[MAX_MEMBERS][MEMBER_LEN];
	pthread_t th;
	pthread_mutex_t store_lock; /* of the store, between probers */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct timespec next_request; /* the schedule's, monotonic */
};

struct round {
	struct nms_monitor *m;
	const struct nms_monitor_config *cfg;
	SSL_CTX *ctx;
	struct target *t;
	size_t n, next;
	pthread_mutex_t lock;
	int members, self; /* live members; our index (-1: probe all) */
	size_t skipped; /* routers another member probes */
};

static int collect(int64_t device_id, const char *device, const char *address,
		   unsigned port, void *arg)
{
	struct round *r = arg;
	struct nms_monitor *m = r->m;
	struct target *t;

	/* Of several NMS hosts, each probes its share of the routers. */
	if (r->self >= 0 &&
	    nms_partition_owner(device, m->members[0], MEMBER_LEN,
				r->members) != r->self) {
		r->skipped++;
		return 0;
	}
	if (r->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;
		struct target *v = realloc(m->t, cap * sizeof(*v));

		if (!v)
			return 1;
		m->t = r->t = v;
		m->cap = cap;
	}
	t = &r->t[r->n++];
	t->id = device_id;
	snprintf(t->device, sizeof(t->device), "%s", device);
	snprintf(t->address, sizeof(t->address), "%s", address);
	t->port = port;
	return 0;
}

/* The store says whether a certificate was revoked. Probers call it at
 * once, one at a time: a connection is for one thread at a time (and the
 * monitor's own thread waits for them meanwhile). */
static int revoked(const char *serial, void *arg)
{
	struct nms_monitor *m = arg;
	int rc;

	pthread_mutex_lock(&m->store_lock);
	rc = nms_store_cert_revoked(&m->store, serial);
	pthread_mutex_unlock(&m->store_lock);
	return rc;
}

static void *prober(void *arg)
{
	struct round *r = arg;

	for (;;) {
		struct target *t;
		struct probe_target pt;

		pthread_mutex_lock(&r->lock);
		t = r->next < r->n ? &r->t[r->next++] : NULL;
		pthread_mutex_unlock(&r->lock);
		if (!t)
			return NULL;
		pt = (struct probe_target){ t->device, t->address,
					    (unsigned short)t->port, revoked,
					    r->m };
		t->seen_ms = trust_now_ms();
		t->res = probe(r->ctx, &pt, r->cfg->policy, r->cfg->timeout_ms,
			       t->why, sizeof(t->why));
	}
}

/* The request ports: device, address, port. */
struct asks {
	struct target *t;
	size_t n;
};

static int collect_ask(int64_t device_id, const char *device,
		       const char *address, unsigned port, void *arg)
{
	struct asks *a = arg;
	struct target *t;

	(void)device_id;
	if (a->n == MAX_ASKS)
		return 0;
	t = &a->t[a->n++];
	snprintf(t->device, sizeof(t->device), "%s", device);
	snprintf(t->address, sizeof(t->address), "%s", address);
	t->port = port;
	return 0;
}

/* Ask @t to attest, saying @why; an event records what it answered. */
static void ask(struct nms_monitor *m, const struct target *t, const char *why)
{
	char answer[256], detail[400], e[256];
	int64_t id;
	int rc = attest_request(m->cfg.request_ctx, t->address, t->port, why,
				m->cfg.timeout_ms, answer, sizeof(answer));

	snprintf(detail, sizeof(detail), "%s: %s", why,
		 rc < 0 ? answer :
		 rc	? "busy" :
			  "accepted");
	tr_log(rc < 0 ? TR_LOG_WARN : TR_LOG_INFO, "request",
	       "attestation of %s requested (%s)", t->device, detail);
	id = nms_store_device_id(&m->store, t->device, e, sizeof(e));
	if (id > 0)
		nms_store_event(&m->store, id, "attest-requested", detail, e,
				sizeof(e));
}

/* Ask @device (by name), if it has a request port. */
static void ask_device(struct nms_monitor *m, const char *device,
		       const char *why)
{
	struct asks a = { calloc(MAX_ASKS, sizeof(struct target)), 0 };
	char err[256];

	if (!a.t)
		return;
	if (nms_store_request_ports(&m->store, collect_ask, &a, err,
				    sizeof(err)) < 0)
		tr_log(TR_LOG_ERR, "request", "request ports: %s", err);
	for (size_t i = 0; i < a.n; i++)
		if (!strcmp(a.t[i].device, device))
			ask(m, &a.t[i], why);
	free(a.t);
}

/* The schedule: every router with a request port, each interval. */
static void scheduled(struct nms_monitor *m)
{
	struct timespec now;
	struct asks a;
	char err[256];

	if (!m->cfg.request_ctx || !m->cfg.request_interval_ms)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < m->next_request.tv_sec ||
	    (now.tv_sec == m->next_request.tv_sec &&
	     now.tv_nsec < m->next_request.tv_nsec))
		return;
	m->next_request = tr_deadline(m->cfg.request_interval_ms);
	a = (struct asks){ calloc(MAX_ASKS, sizeof(struct target)), 0 };
	if (!a.t)
		return;
	if (nms_store_request_ports(&m->store, collect_ask, &a, err,
				    sizeof(err)) < 0)
		tr_log(TR_LOG_ERR, "request", "request ports: %s", err);
	for (size_t i = 0; i < a.n; i++)
		ask(m, &a.t[i], "scheduled");
	free(a.t);
}

/*
 * Probe every endpoint, up to PROBERS at once, then apply the outcomes
 * in this thread (the store and the routes are changed by one writer).
 */
static const enum trust_event probe_event[] = {
	[PROBE_OK] = TRUST_EV_HANDSHAKE_OK,
	[PROBE_FAILED] = TRUST_EV_HANDSHAKE_FAIL,
	[PROBE_NO_ANSWER] = TRUST_EV_NO_ANSWER,
};

/*
 * The outcomes, into the trust engine: one read of the states, the
 * changes a batch per transaction (nms_observe_many), then their routes.
 */
static void apply(struct nms_monitor *m, struct target *t, size_t n)
{
	struct nms_observation *o = calloc(n ? n : 1, sizeof(*o));

	if (!o) {
		tr_log(TR_LOG_ERR, "probe", "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(t[i].reason, sizeof(t[i].reason),
			 "implicit attestation: %s", t[i].why);
		o[i] = (struct nms_observation){ .id = t[i].id,
						 .device = t[i].device,
						 .ev = probe_event[t[i].res],
						 .reason = t[i].reason,
						 .seen_ms = t[i].seen_ms };
	}
	nms_observe_many(&m->store, m->cfg.metrics, o, n, trust_now_ms());
	/* Bad now: its explicit attestation says why (it cannot use its
	 * sealed key, but it can still quote). */
	for (size_t i = 0; i < n; i++)
		if (o[i].c.changed && o[i].c.to == TRUST_BAD &&
		    m->cfg.request_ctx && m->cfg.request_on_bad)
			ask_device(m, t[i].device, "probe failed");
	free(o);
}

static int round_once(struct nms_monitor *m, char *err, size_t errlen)
{
	struct round r = { .m = m,
			   .cfg = &m->cfg,
			   .ctx = m->ctx,
			   .t = m->t,
			   .lock = PTHREAD_MUTEX_INITIALIZER,
			   .self = -1 };
	pthread_t th[PROBERS];
	size_t workers = 0;
	int64_t t0 = trust_now_ns(), t1;

	if (m->cfg.member_id) {
		char e[256];

		r.members = nms_store_members_live(&m->store, m->cfg.live_ms,
						   m->members[0], MEMBER_LEN,
						   MAX_MEMBERS, e, sizeof(e));
		for (int i = 0; i < r.members; i++)
			if (!strcmp(m->members[i], m->cfg.member_id))
				r.self = i;
		/* Not (yet) a live member, or no list: probe every router
		 * (twice probed is harmless; unprobed is not). */
		if (r.self < 0)
			tr_log(TR_LOG_WARN, "probe",
			       "not among the live members (%s): probing every router",
			       r.members < 0 ? e : "no heartbeat yet");
	}
	if (nms_store_endpoints(&m->store, collect, &r, err, errlen) < 0)
		return -1;
	while (workers < PROBERS && workers < r.n &&
	       !pthread_create(&th[workers], NULL, prober, &r))
		workers++;
	if (!workers)
		prober(&r); /* no thread to spare: probe here */
	for (size_t i = 0; i < workers; i++)
		pthread_join(th[i], NULL);
	t1 = trust_now_ns();
	apply(m, r.t, r.n);
	/* For benchmarks (bench/fleet): what each round cost. */
	if (getenv("TRUSTROUTE_NMS_ROUND_LOG"))
		tr_log(TR_LOG_INFO, "probe",
		       "round: %zu routers probed in %lld ms, applied in %lld ms (%zu another member's)",
		       r.n, (long long)((t1 - t0) / 1000000),
		       (long long)((trust_now_ns() - t1) / 1000000), r.skipped);
	scheduled(m);
	return 0;
}

static void *run(void *arg)
{
	struct nms_monitor *m = arg;
	char err[256];

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		struct timespec until;

		pthread_mutex_unlock(&m->lock);
		if (round_once(m, err, sizeof(err)) < 0)
			tr_log(TR_LOG_ERR, "probe", "%s", err);
		pthread_mutex_lock(&m->lock);
		until = tr_deadline(m->cfg.interval_ms);
		while (!m->stop &&
		       pthread_cond_timedwait(&m->wake, &m->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void release(struct nms_monitor *m)
{
	SSL_CTX_free(m->ctx);
	nms_store_close(&m->store);
	free(m->t);
	pthread_mutex_destroy(&m->store_lock);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->wake);
	free(m);
}

struct nms_monitor *nms_monitor_start(const struct nms_monitor_config *c,
				      char *err, size_t errlen)
{
	struct nms_monitor *m = calloc(1, sizeof(*m));
	pthread_condattr_t attr;

	if (!m) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	m->cfg = *c;
	m->next_request = tr_deadline(c->request_interval_ms);
	pthread_mutex_init(&m->store_lock, NULL);
	pthread_mutex_init(&m->lock, NULL);
	/* Intervals on the monotonic clock, like every other deadline. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	/* Warmed: the first bad verdict's commit does not wait for the
	 * disk (nms_store_warm). */
	if (nms_store_open(&m->store, c->db, err, errlen) < 0 ||
	    nms_store_warm(&m->store, err, errlen) < 0)
		goto fail;
	m->ctx = probe_ctx_new(c->ca_file, err, errlen);
	if (!m->ctx)
		goto fail;
	if (pthread_create(&m->th, NULL, run, m)) {
		tr_fail(err, errlen, "cannot start the monitor thread");
		goto fail;
	}
	return m;
fail:
	release(m);
	return NULL;
}

void nms_monitor_stop(struct nms_monitor *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->th, NULL);
	release(m);
}
