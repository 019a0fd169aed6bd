/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The route actuator: on a host the NMS manages, give the routes through
 * a router the metric of the router's trust state, over rtnetlink
 * (libmnl), in the host's network namespace.
 *
 * The routes through a router are the unicast routes, in any table, IPv4
 * and IPv6, whose gateway (RTA_GATEWAY, or RTA_VIA for IPv4 over an IPv6
 * next hop) is one of the router's addresses. The metric is part of a
 * route's key in Linux (two routes that differ only in metric coexist),
 * so a change of metric is make-before-break: every route is first added
 * again with the new metric (NLM_F_CREATE | NLM_F_APPEND: on a tie with
 * another router's route that one stays in front; copying destination, source,
 * table, type, protocol, scope, output device, preferred source, route
 * metrics and encapsulation), and only once all are in place are the
 * old ones deleted. At no moment is a destination without its route.
 * NLM_F_EXCL and NLM_F_REPLACE are not used: with either, another router's
 * route to the same destination at the same metric would refuse or be
 * replaced.
 *
 * Convergence reads the kernel's routes every time and keeps no state of
 * its own: a second run with the same metric changes nothing, a run
 * after a restart (or one cut short between add and delete, which leaves
 * a route at both metrics) finishes the job.
 *
 * Withdrawing (ra_withdraw) takes the routes through a router out of
 * forwarding without forgetting them: each is moved, metric and all, to
 * its parking table (RA_PARK_TABLE(t) for a route of table t, a table no
 * rule looks up), the parked copy added before the route is deleted. A
 * destination another router also reaches moves to that route at once
 * (it is installed already); one only this router reaches has no route
 * while it is withdrawn. ra_recost brings parked routes back, at the new
 * metric, in their own table, make-before-break as ever. Parking keeps
 * the actuator stateless: the kernel holds what was withdrawn, and a run
 * cut short anywhere is finished by the next. Routes of tables from
 * 65536 up cannot be parked and are counted as skipped.
 *
 * Not handled, and counted as skipped: IPv4 multipath routes with a next
 * hop through the router (one kernel entry, one metric for all its next
 * hops). IPv6 multipath routes are separate routes in the kernel and are
 * re-costed one next hop at a time. Routes that use nexthop objects
 * (RTA_NH_ID) carry no gateway and are not matched.
 */
#ifndef TR_NMS_ROUTE_ACTUATOR_H
#define TR_NMS_ROUTE_ACTUATOR_H

#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address. */
struct ra_addr {
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t a[16];
};

int ra_addr_parse(const char *s, struct ra_addr *a);
/* The text form into @buf (46 bytes are enough). */
void ra_addr_format(const struct ra_addr *a, char *buf, size_t cap);

/* A netlink socket in one host's network namespace. */
struct ra_host;

/*
 * Open the routing socket of network namespace @netns: a name under
 * /var/run/netns, a path (/proc/PID/ns/net), or NULL or "" for the
 * caller's own. The socket is made inside the namespace (setns on the
 * calling thread, then back), so it stays bound to it.
 */
int ra_open(struct ra_host **h, const char *netns, char *err, size_t errlen);
void ra_close(struct ra_host *h);

/* The table routes of table @t are parked in while withdrawn. */
#define RA_PARK_BASE 0x74720000u /* "tr" */
#define RA_PARK_TABLE(t) (RA_PARK_BASE + (t))
#define RA_PARKABLE(t) ((t) < 0x10000u)

/* A route through the router, as the kernel has it. */
struct ra_route {
	uint8_t family, dst_len, src_len, tos, type, protocol, scope;
	uint8_t parked; /* withdrawn: in RA_PARK_TABLE(table) */
	uint32_t table, metric, oif; /* table: its own, even when parked */
	struct ra_addr dst, src, gw;
};

/* "10.2.0.0/24 via 10.1.0.2 oif 3 table 254 metric 10" into @buf. */
void ra_route_format(const struct ra_route *r, char *buf, size_t cap);

/* The routes of @h whose gateway is in @gw[@ngw], in the kernel's order;
 * @fn returning non-zero stops. Returns how many, or -1. */
typedef int ra_route_fn(const struct ra_route *r, void *arg);
int ra_list(struct ra_host *h, const struct ra_addr *gw, size_t ngw,
	    ra_route_fn *fn, void *arg, char *err, size_t errlen);

struct ra_stats {
	unsigned routes; /* routes through the router, before */
	unsigned kept; /* already at the metric */
	unsigned added; /* added at the new metric */
	unsigned deleted; /* old-metric routes deleted */
	unsigned skipped; /* IPv4 multipath through the router */
	unsigned parked; /* ra_withdraw: routes moved to their parking table;
			  * ra_recost: parked routes brought back */
};

/*
 * Converge: every route of @h through @gw[@ngw] gets @metric, make-
 * before-break. Returns 0, or -1 with the route and the kernel's error
 * text (its extended ack message when it gave one) in @err; a route
 * whose new copy could not be added keeps its old one.
 */
int ra_recost(struct ra_host *h, const struct ra_addr *gw, size_t ngw,
	      uint32_t metric, struct ra_stats *st, char *err, size_t errlen);

/*
 * Withdraw: every route of @h through @gw[@ngw] is parked (above). @st:
 * routes = in forwarding before, parked = moved now, kept = parked
 * already, deleted = removed from forwarding, skipped. 0, or -1 with the
 * route and the kernel's error; a route whose parked copy could not be
 * added stays in forwarding.
 */
int ra_withdraw(struct ra_host *h, const struct ra_addr *gw, size_t ngw,
		struct ra_stats *st, char *err, size_t errlen);

#endif
