/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trust state in the NMS store: a device's state with its reason and
 * time, the history of its changes; and what the route actuator needs to
 * converge after a restart: the hosts it manages, the addresses by which
 * they reach each router, and the metric each host was last converged to
 * for each router. Each function is one statement or runs in
 * nms_store_tx, so each works alone or inside a caller's transaction.
 */
#ifndef TR_NMS_STORE_TRUST_H
#define TR_NMS_STORE_TRUST_H

#include "nms/store/store.h"
#include "nms/trust/trust_policy.h"

#include <stdbool.h>

/* The id of the device named @name; -1 (saying so) when there is none. */
int64_t nms_store_device_id(struct nms_store *s, const char *name, char *err,
			    size_t errlen);

struct nms_trust_row {
	enum trust_state state;
	char reason[256]; /* of the last change (cut to fit) */
	int64_t since_ms; /* when it changed (Unix ms; 0: never) */
};

int nms_store_trust_get(struct nms_store *s, int64_t device_id,
			struct nms_trust_row *row, char *err, size_t errlen);

/*
 * Record a change of @device_id from @from to @to at @time_ms: the
 * device's state, reason and time, a trust_history row and a "trust"
 * event, in one transaction. Refused when the device is not in @from
 * (someone else changed it meanwhile) or @from == @to.
 */
int nms_store_trust_set(struct nms_store *s, int64_t device_id,
			enum trust_state from, enum trust_state to,
			const char *reason, int64_t time_ms, char *err,
			size_t errlen);

/* Every device with its trust state, by name; @fn returning non-zero
 * stops. Returns how many, or -1. */
typedef int nms_trust_dev_fn(int64_t id, const char *name,
			     const struct nms_trust_row *row, void *arg);
int nms_store_trust_devices(struct nms_store *s, nms_trust_dev_fn *fn,
			    void *arg, char *err, size_t errlen);

struct nms_trust_hist {
	int64_t time_ms;
	enum trust_state from, to;
	const char *reason;
};

/* Each change of @device_id, oldest first; @fn returning non-zero stops
 * the walk. Returns the number of rows seen, or -1. */
typedef int nms_trust_hist_fn(const struct nms_trust_hist *h, void *arg);
int nms_store_trust_history(struct nms_store *s, int64_t device_id,
			    nms_trust_hist_fn *fn, void *arg, char *err,
			    size_t errlen);

/*
 * Add @addr (an IPv4 or IPv6 address, stored in canonical form) as an
 * address by which managed hosts reach router @device_id: the gateway of
 * the routes through it. Adding it again is a no-op; an address of
 * another router is refused.
 */
int nms_store_router_addr_add(struct nms_store *s, int64_t device_id,
			      const char *addr, char *err, size_t errlen);
/* The addresses of @device_id into @addrs (@cap of 46 bytes each);
 * their number, or -1. */
int nms_store_router_addrs(struct nms_store *s, int64_t device_id,
			   char (*addrs)[46], int cap, char *err,
			   size_t errlen);

/*
 * The managed host @name, whose routes are in network namespace @netns
 * (a name under /var/run/netns, a path such as /proc/PID/ns/net, or "" for
 * the NMS's own); added, or its namespace updated. Returns its id, or -1.
 */
int64_t nms_store_route_host(struct nms_store *s, const char *name,
			     const char *netns, char *err, size_t errlen);

/*
 * The managed host @name whose actuator is FRR's: @actuator "frr" (the
 * NMS sets the OSPF cost of its interfaces toward each router) or
 * "frr-isis" (their IS-IS metric), through vtysh at @vty (a vty socket
 * directory, or an FRR pathspace). @device_id (0: none) is the router
 * this host is: it is never used to re-cost itself. Added, or its
 * actuator, vty and device updated. Returns its id, or -1.
 */
int64_t nms_store_route_host_frr(struct nms_store *s, const char *name,
				 const char *actuator, const char *vty,
				 int64_t device_id, char *err, size_t errlen);

/* What one host must converge to for one router. */
struct nms_route_target {
	int64_t host_id, device_id;
	const char *host, *device;
	const char *actuator; /* "netlink" or "frr" */
	const char *netns, *vty; /* the actuator's parameters */
	enum trust_state state; /* the router's state now */
	int64_t applied_metric; /* what the host was last converged to; -1 */
	enum trust_state applied_state;
	bool applied_withdrawn; /* ...and whether its routes were withdrawn */
};

/*
 * Every pair of managed host and router that has addresses (of @device_id
 * only, when above 0; with NMS_ROUTE_PENDING, only the pairs not yet
 * converged to the router's state now), ordered by host id, but for a
 * host that is that router. Returns how many, or -1.
 */
#define NMS_ROUTE_PENDING (-1)
typedef int nms_route_target_fn(const struct nms_route_target *t, void *arg);
int nms_store_route_targets(struct nms_store *s, int64_t device_id,
			    nms_route_target_fn *fn, void *arg, char *err,
			    size_t errlen);

/* Host @host_id was converged to @metric (@state), its routes through
 * router @device_id withdrawn or not, at @time_ms; a "route" event says
 * so with @detail. */
int nms_store_route_applied(struct nms_store *s, int64_t host_id,
			    int64_t device_id, enum trust_state state,
			    uint32_t metric, bool withdrawn, int64_t time_ms,
			    const char *detail, char *err, size_t errlen);

#endif
