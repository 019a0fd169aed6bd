/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The router collects its OS facts (os/facts.h). Sources, under a root
 * directory (tests use a fake one):
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
#ifndef TR_AGENT_OS_COLLECT_H
#define TR_AGENT_OS_COLLECT_H

#include "os/facts.h"

#include <stddef.h>

/* Collect under @root ("/" on a router), @machine as uname's; 0 or -1. */
int os_facts_collect(const char *root, const char *machine, struct os_facts *f,
		     char *err, size_t errlen);

/*
 * The value of @key in os-release text @s (@len bytes), unquoted, into
 * @out (@cap bytes): 0, or -1 when absent or malformed. Pure, bounded.
 */
int os_release_value(const char *s, size_t len, const char *key, char *out,
		     size_t cap);

#endif
