/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the router's OS says about itself, for the NMS's OS policy (the
 * IETF PA-TNC attributes of RFC 5792 carry it): product and version, last
 * boot, whether it forwards packets, whether the factory default password
 * is still set, and its device id. The agent collects them
 * (os/collect.h); the NMS assesses them (nms/tnc/imv_os.h).
 */
#ifndef TR_OS_FACTS_H
#define TR_OS_FACTS_H

#include <stdbool.h>
#include <stdint.h>

struct os_facts {
	char product[64]; /* os-release NAME */
	char version[64]; /* VERSION_ID and the machine, "12 x86_64" */
	uint32_t major, minor; /* from VERSION_ID */
	int64_t last_boot; /* Unix time, 0 when unknown */
	bool forwarding_v4, forwarding_v6;
	bool default_password;
	char device_id[64]; /* machine-id, 32 hex digits */
};

#endif
