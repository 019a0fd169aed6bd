/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which NMS host probes which router: rendezvous (highest random weight)
 * hashing of the device name over the live members. Every host computes
 * the same owner from the same member list; when a member leaves, only
 * its routers move (spread over the others), and when one joins it takes
 * about 1/N of each other's. Pure.
 */
#ifndef TR_NMS_PARTITION_H
#define TR_NMS_PARTITION_H

#include <stddef.h>
#include <stdint.h>

/* The weight of @member for @device (64-bit, well mixed). */
uint64_t nms_partition_weight(const char *member, const char *device);

/*
 * The index of @device's owner among the @n members (@ids, @len bytes
 * each); -1 when there is none.
 */
int nms_partition_owner(const char *device, const char *ids, size_t len, int n);

#endif
