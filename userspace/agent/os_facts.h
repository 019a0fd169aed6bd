/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the router's OS says about itself, for the NMS's OS policy (the
 * IETF PA-TNC attributes of RFC 5792 carry it): product and version, last
 * boot, whether it forwards packets, whether the factory default password
 * is still set, and its device id.
 *
 * Sources, under a root directory (tests use a fake one):
 *   etc/os-release                NAME, VERSION_ID
 *   etc/machine-id                the device id
 *   proc/sys/net/ipv4/ip_forward  forwarding (per network namespace)
 *   proc/sys/net/ipv6/conf/all/forwarding
 *   proc/stat                     btime: the last boot
 *   etc/trustroute/factory-default-password
 *                                 present while the image's default
 *                                 password has not been changed (the
 *                                 provisioning step that sets the
 *                                 operator's password removes it)
 */
#ifndef TR_AGENT_OS_FACTS_H
#define TR_AGENT_OS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
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

/* Collect under @root ("/" on a router). 0, or -1 with the reason. */
int os_facts_collect(const char *root, const char *machine, struct os_facts *f,
		     char *err, size_t errlen);

/*
 * The value of @key in os-release text @s (@len bytes), unquoted, into
 * @out (@cap bytes): 0, or -1 when absent or malformed. Pure, bounded.
 */
int os_release_value(const char *s, size_t len, const char *key, char *out,
		     size_t cap);

#endif
