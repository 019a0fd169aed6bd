/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Converging the managed hosts to the routers' trust states: each host's
 * actuator (nms/route/actuator.h: netlink routes, or FRR's OSPF costs)
 * gives what goes through or toward each router the value of its state.
 */
#ifndef TR_NMS_CONVERGE_H
#define TR_NMS_CONVERGE_H

#include "nms/route/actuator.h"
#include "nms/store/store.h"
#include "nms/trust/trust_policy.h"

#include <stdbool.h>
#include <stdint.h>

/* What converging one managed host for one router did. */
struct nms_converged {
	int64_t host_id, device_id;
	const char *host, *netns, *device;
	const struct nms_actuator *act; /* NULL: the store names none we know */
	enum trust_state state;
	uint32_t metric; /* the route metric, or the OSPF cost */
	/* The state's routing policy is withdraw (trust_metrics.withdraw):
	 * @withdrawn when the actuator did, else it re-costed (FRR). */
	bool withdraw, withdrawn;
	struct ra_stats st;
	int rc; /* 0, or -1 with @err */
	const char *err;
	int64_t t_done_ns; /* CLOCK_REALTIME when its routes were in place */
};

/*
 * Converge the managed hosts for router @device_id (0: every router with
 * addresses) to the values of the routers' states in @m (the metric for
 * a netlink host, the OSPF cost for an FRR one), each with its host's
 * actuator, or, where @m's routing policy for the state is withdraw, with
 * the routes through the router withdrawn (netlink; FRR re-costs); then record, in one transaction, what each
 * host now has (route_applied, and a "route" event each). With @all
 * false, a host already converged to the metric (by the store's record)
 * is left alone; with it true every host is read and converged, which is
 * what a restarted NMS does, as the kernel may have changed meanwhile.
 * @fn (may be NULL) hears about each pair as it is done. Returns 0 when
 * every pair converged, -1 otherwise (@err says the first failure).
 */
typedef void nms_converged_fn(const struct nms_converged *r, void *arg);
int nms_trust_converge(struct nms_store *s, const struct trust_metrics *m,
		       int64_t device_id, bool all, nms_converged_fn *fn,
		       void *arg, char *err, size_t errlen);

#endif
