// SPDX-License-Identifier: GPL-2.0-only
#include "nms/route/observe.h"

#include "nms/store/store_trust.h"

#include <stdio.h>

static void converged(const struct nms_converged *r, void *arg)
{
	(void)arg;
	if (r->rc)
		fprintf(stderr, "nmsd: routes on %s via %s: %s\n", r->host,
			r->device, r->err);
	else
		fprintf(stderr,
			"nmsd: routes on %s via %s: metric %u (%s): %u routes, %u added, %u deleted, at %lld.%09lld\n",
			r->host, r->device, r->metric,
			trust_state_name(r->state), r->st.routes, r->st.added,
			r->st.deleted, (long long)(r->t_done_ns / 1000000000),
			(long long)(r->t_done_ns % 1000000000));
}

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
		return 0;
	fprintf(stderr, "nmsd: %s: %s -> %s: %s\n", device,
		trust_state_name(c->from), trust_state_name(c->to), reason);
	/* The routes follow the state at once: make-before-break. */
	return nms_trust_converge(s, m, id, false, converged, NULL, err,
				  errlen);
}

int nms_observe_sync(struct nms_store *s, const struct trust_metrics *m,
		     char *err, size_t errlen)
{
	return nms_trust_converge(s, m, 0, true, converged, NULL, err, errlen);
}
