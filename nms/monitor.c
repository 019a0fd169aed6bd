// SPDX-License-Identifier: GPL-2.0-only
#include "monitor.h"

#include "errmsg.h"
#include "observe.h"
#include "prober.h"
#include "store_session.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nms_monitor {
	struct nms_monitor_config cfg;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

struct round {
	const struct nms_monitor_config *cfg;
	struct nms_store *store;
	SSL_CTX *ctx;
};

static int probe_one(int64_t device_id, const char *device, const char *address,
		     unsigned port, void *arg)
{
	struct round *r = arg;
	struct probe_target t = { device, address, (unsigned short)port };
	static const enum trust_event ev[] = {
		[PROBE_OK] = TRUST_EV_HANDSHAKE_OK,
		[PROBE_FAILED] = TRUST_EV_HANDSHAKE_FAIL,
		[PROBE_NO_ANSWER] = TRUST_EV_NO_ANSWER,
	};
	enum probe_result res;
	char why[512], reason[600], err[256];

	(void)device_id;
	res = probe(r->ctx, &t, r->cfg->policy, r->cfg->timeout_ms, why,
		    sizeof(why));
	snprintf(reason, sizeof(reason), "implicit attestation: %s", why);
	if (nms_observe(r->store, r->cfg->metrics, device, ev[res], reason,
			NULL, err, sizeof(err)) < 0)
		fprintf(stderr, "nmsd: %s: %s\n", device, err);
	return 0; /* the other routers still get probed */
}

int nms_monitor_round(const struct nms_monitor_config *c, char *err,
		      size_t errlen)
{
	struct nms_store store;
	struct round r = { c, &store, NULL };
	int rc = -1;

	if (nms_store_open(&store, c->db, err, errlen) < 0)
		return -1;
	r.ctx = probe_ctx_new(c->ca_file, err, errlen);
	if (r.ctx)
		rc = nms_store_endpoints(&store, probe_one, &r, err, errlen);
	SSL_CTX_free(r.ctx);
	nms_store_close(&store);
	return rc;
}

static void *run(void *arg)
{
	struct nms_monitor *m = arg;
	char err[256];

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		struct timespec until;

		pthread_mutex_unlock(&m->lock);
		if (nms_monitor_round(&m->cfg, err, sizeof(err)) < 0)
			fprintf(stderr, "nmsd: monitor: %s\n", err);
		pthread_mutex_lock(&m->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += m->cfg.interval_ms / 1000;
		until.tv_nsec += (long)(m->cfg.interval_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!m->stop &&
		       pthread_cond_timedwait(&m->wake, &m->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

struct nms_monitor *nms_monitor_start(const struct nms_monitor_config *c,
				      char *err, size_t errlen)
{
	struct nms_monitor *m = calloc(1, sizeof(*m));

	if (!m) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	m->cfg = *c;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	if (pthread_create(&m->th, NULL, run, m)) {
		tr_fail(err, errlen, "cannot start the monitor thread");
		free(m);
		return NULL;
	}
	return m;
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
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->wake);
	free(m);
}
