/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Several NMS hosts on one database: this host's membership and, when it
 * wins it, the route lease. A thread beats the member's heartbeat and
 * takes or renews the lease every @beat_ms. The host that holds it is
 * the route owner: when it gets the lease it converges every host and
 * router (finishing whatever a dead owner left half done, since the
 * actuator reads the kernel), then every @poll_ms the pairs the other
 * hosts' trust changes left pending. Another host takes the lease over
 * once it expired (@lease_ms after the owner's last renewal).
 */
#ifndef TR_NMS_ROUTE_OWNER_H
#define TR_NMS_ROUTE_OWNER_H

#include "nms/trust/trust_policy.h"

#include <stddef.h>
#include <stdint.h>

struct nms_route_owner_config {
	const char *db;
	const char *member_id; /* unique to this process */
	const char *host; /* for the operator (nmsctl members) */
	unsigned beat_ms, lease_ms, poll_ms;
	const struct trust_metrics *metrics;
};

struct nms_route_owner;

/* Join (nms_route_lease_cluster) and start the thread. */
struct nms_route_owner *
nms_route_owner_start(const struct nms_route_owner_config *c, char *err,
		      size_t errlen);
/* Stop: give the lease back and leave, so another takes over at once. */
void nms_route_owner_stop(struct nms_route_owner *o);

#endif
