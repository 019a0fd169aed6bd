/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The actuators the NMS converges managed hosts with, one ops table each,
 * chosen per host by the store's record (route_hosts.actuator):
 *
 * - netlink (nms/route/route_actuator.h): the kernel routes of a host
 *   whose gateway is one of the router's addresses get the metric of the
 *   router's state (trust_metrics.metric), in the host's network
 *   namespace;
 * - frr (nms/route/frr_actuator.h): a router's neighbour, running FRR,
 *   gives its OSPF interfaces toward the router the cost of the router's
 *   state (trust_metrics.ospf_cost), through vtysh;
 * - frr-isis: the same with IS-IS metrics (the same map).
 *
 * netlink can also withdraw the routes through a bad router (they are
 * parked, see route_actuator.h); the FRR actuators re-cost instead.
 *
 * Both are make-before-break and idempotent: they read what the host has
 * every time, change only what differs, and keep no state of their own,
 * so a run cut short anywhere is finished by the next.
 */
#ifndef TR_NMS_ACTUATOR_H
#define TR_NMS_ACTUATOR_H

#include "nms/route/route_actuator.h"
#include "nms/trust/trust_policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a host is reached; each actuator reads its own. */
struct nms_host_params {
	const char *netns; /* netlink: a network namespace ("" our own) */
	const char *vty; /* frr: a vty socket directory or a pathspace */
};

struct nms_actuator {
	const char *name; /* as in the store: "netlink", "frr" */
	const char *unit; /* what it changes: "routes", "OSPF interfaces" */
	const char *toward; /* "through", "toward" (the router) */
	const char *value_name; /* "metric", "cost" */
	/* Hosts can be converged at the same time, each in a thread (the
	 * actuator waits on another program). */
	bool concurrent;
	/* The value state @st maps to in @m. */
	uint32_t (*value)(const struct trust_metrics *m, enum trust_state st);
	int (*open)(void **h, const struct nms_host_params *p, char *err,
		    size_t errlen);
	/*
	 * Give everything of @h through or toward the router at
	 * @addr[@n] the value @v. For netlink, @st counts routes; for frr,
	 * st->routes counts the interfaces toward the router, st->added
	 * those re-costed and st->kept those at @v already. 0, or -1 with
	 * the reason in @err.
	 */
	int (*apply)(void *h, const struct ra_addr *addr, size_t n, uint32_t v,
		     struct ra_stats *st, char *err, size_t errlen);
	/*
	 * Take everything of @h through the router out of use (the state's
	 * routing policy is "withdraw", trust_policy.h); apply() brings it
	 * back. NULL when the actuator cannot: then it re-costs instead.
	 */
	int (*withdraw)(void *h, const struct ra_addr *addr, size_t n,
			struct ra_stats *st, char *err, size_t errlen);
	void (*close)(void *h);
};

extern const struct nms_actuator nms_actuator_netlink;
extern const struct nms_actuator nms_actuator_frr;
extern const struct nms_actuator nms_actuator_frr_isis;

/* The actuator called @name, or NULL. */
const struct nms_actuator *nms_actuator_find(const char *name);

#endif
