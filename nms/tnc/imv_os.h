/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The OS policy: what the NMS demands of a router's OS facts (os/facts.h).
 *   bad      the factory default password is still set; a version below
 *            the minimum; a device id other than the one first seen
 *            for this device (another machine answering for it)
 *   unknown  a product the operator did not list; forwarding off on a
 *            router that should forward; facts missing
 * Pure.
 */
#ifndef TR_NMS_IMV_OS_H
#define TR_NMS_IMV_OS_H

#include "os/facts.h"
#include "nms/trust/verdict.h"

#include <stdbool.h>

#define IMV_OS_MAX_PRODUCTS 8

struct imv_os_policy {
	const char *products[IMV_OS_MAX_PRODUCTS]; /* none: any product */
	size_t n_products;
	uint32_t min_major, min_minor;
	bool forwarding_expected;
};

/*
 * Assess @f. @known_device_id is the device id recorded for this device
 * (NULL or "" the first time: then it is recorded, not compared).
 */
void imv_os_assess(const struct imv_os_policy *p, const struct os_facts *f,
		   const char *known_device_id, struct nms_verdict *r);

#endif
