// SPDX-License-Identifier: GPL-2.0-only
#include "nms/route/route_owner.h"

#include "base/errmsg.h"
#include "base/log.h"
#include "net/net.h"
#include "nms/route/observe.h"
#include "nms/route/route_lease.h"
#include "nms/store/store_cluster.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nms_route_owner {
	struct nms_route_owner_config cfg;
	char id[128], host[128];
	int64_t started_ms;
	struct nms_store store;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, held;
	int64_t epoch;
};

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Heartbeat, then the lease: taken, renewed, or someone else's. */
static void beat(struct nms_route_owner *o)
{
	char err[256], other[128];
	int64_t t0 = nms_route_mono_ms(), epoch = 0;
	int held;

	if (nms_store_member_beat(&o->store, o->id, o->host, o->started_ms,
				  10 * (int64_t)o->cfg.lease_ms, err,
				  sizeof(err)) < 0)
		tr_log(TR_LOG_ERR, "cluster", "heartbeat: %s", err);
	held = nms_store_lease_take(&o->store, NMS_LEASE_ROUTE, o->id,
				    o->cfg.lease_ms, &epoch, other,
				    sizeof(other), err, sizeof(err));
	if (held < 0) {
		/* The database is away: what we hold runs out on our own
		 * clock (nms_route_lease_get), then nobody moves routes. */
		tr_log(TR_LOG_ERR, "cluster", "route lease: %s", err);
		return;
	}
	if (!held) {
		if (o->held) {
			nms_route_lease_lost();
			tr_log(TR_LOG_WARN, "cluster",
			       "route owner: lost the lease to %s", other);
		}
		o->held = false;
		return;
	}
	/* Valid here until a quarter before it expires there: t0 was taken
	 * before the database set the expiry. */
	nms_route_lease_set(epoch, t0 + o->cfg.lease_ms - o->cfg.lease_ms / 4);
	if (!o->held || epoch != o->epoch) {
		o->held = true;
		o->epoch = epoch;
		tr_log(TR_LOG_NOTICE, "cluster",
		       "route owner: %s holds the route lease (epoch %lld); converging every host",
		       o->id, (long long)epoch);
		/* What a dead owner left half done is finished here. */
		if (nms_observe_sync(&o->store, o->cfg.metrics, err,
				     sizeof(err)) < 0)
			tr_log(TR_LOG_ERR, "route", "converging the routes: %s",
			       err);
	}
}

static void *run(void *arg)
{
	struct nms_route_owner *o = arg;
	int64_t next_beat = 0;
	char err[256];

	pthread_mutex_lock(&o->lock);
	while (!o->stop) {
		struct timespec until;
		int64_t now = nms_route_mono_ms(), wait_ms;

		pthread_mutex_unlock(&o->lock);
		if (now >= next_beat) {
			beat(o);
			next_beat = now + o->cfg.beat_ms;
		}
		if (o->held && nms_observe_pending(&o->store, o->cfg.metrics,
						   err, sizeof(err)) < 0)
			tr_log(TR_LOG_ERR, "route", "route owner: %s", err);
		pthread_mutex_lock(&o->lock);
		wait_ms = o->held ? o->cfg.poll_ms : o->cfg.beat_ms;
		until = tr_deadline((unsigned)wait_ms);
		while (!o->stop &&
		       pthread_cond_timedwait(&o->wake, &o->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

static void release(struct nms_route_owner *o)
{
	nms_store_close(&o->store);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->wake);
	free(o);
}

struct nms_route_owner *
nms_route_owner_start(const struct nms_route_owner_config *c, char *err,
		      size_t errlen)
{
	struct nms_route_owner *o = calloc(1, sizeof(*o));
	pthread_condattr_t attr;

	if (!o) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	o->cfg = *c;
	if (!o->cfg.beat_ms)
		o->cfg.beat_ms = 1000;
	if (!o->cfg.lease_ms)
		o->cfg.lease_ms = 3000;
	if (!o->cfg.poll_ms)
		o->cfg.poll_ms = 200;
	snprintf(o->id, sizeof(o->id), "%s", c->member_id);
	snprintf(o->host, sizeof(o->host), "%s", c->host ? c->host : "");
	o->started_ms = real_ms();
	pthread_mutex_init(&o->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&o->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (nms_store_open(&o->store, c->db, err, errlen) < 0) {
		release(o);
		return NULL;
	}
	nms_route_lease_cluster(o->id);
	if (pthread_create(&o->th, NULL, run, o)) {
		tr_fail(err, errlen, "cannot start the route owner thread");
		release(o);
		return NULL;
	}
	return o;
}

void nms_route_owner_stop(struct nms_route_owner *o)
{
	char err[256];

	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	o->stop = true;
	pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
	pthread_join(o->th, NULL);
	nms_route_lease_lost();
	if (nms_store_lease_release(&o->store, NMS_LEASE_ROUTE, o->id, err,
				    sizeof(err)) < 0 ||
	    nms_store_member_leave(&o->store, o->id, err, sizeof(err)) < 0)
		tr_log(TR_LOG_ERR, "cluster", "leaving: %s", err);
	release(o);
}
