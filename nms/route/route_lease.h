/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whether this NMS process may change routes now. One NMS host alone
 * always may. Of several on one database (a cluster), only the holder of
 * the route lease (nms/store/store_cluster.h) may, and only until its
 * lease runs out by this host's monotonic clock, with a margin; its
 * records of applied routes are fenced by the lease's epoch in the
 * database as well (converge.c).
 */
#ifndef TR_NMS_ROUTE_LEASE_H
#define TR_NMS_ROUTE_LEASE_H

#include <stdbool.h>
#include <stdint.h>

struct nms_route_lease {
	bool cluster; /* several NMS hosts: a lease is needed */
	char holder[128]; /* this process's member id */
	int64_t epoch; /* of the lease it holds */
};

/* This process is member @holder of a cluster (holding nothing yet). */
void nms_route_lease_cluster(const char *holder);
/* It holds the lease in @epoch until @until_ms (CLOCK_MONOTONIC ms). */
void nms_route_lease_set(int64_t epoch, int64_t until_ms);
/* It lost it. */
void nms_route_lease_lost(void);
/* Whether it may change routes now; with the lease to fence by in @l. */
bool nms_route_lease_get(struct nms_route_lease *l);
/* CLOCK_MONOTONIC in ms. */
int64_t nms_route_mono_ms(void);

#endif
