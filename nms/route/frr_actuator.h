/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The FRR actuator: on a router's neighbour running FRR, give the OSPF
 * interfaces toward the router the cost of the router's trust state,
 * through FRR's own management interface, vtysh. The router's own
 * configuration is never the lever: once it is bad it cannot be trusted,
 * but the cost of entering it is its neighbours' to set, and OSPF then
 * routes around it on every router of the area.
 *
 * An interface is toward the router when its OSPF network (address and
 * prefix length) holds one of the router's addresses, or when an OSPF
 * neighbour on it has one of them as its address or router id (the
 * latter also finds unnumbered links, while the adjacency is up). OSPFv2
 * in the default VRF; IPv6 addresses are not matched. The same for IS-IS
 * (frr_isis: isisd, "isis metric", matched by prefix only).
 *
 * Make-before-break and idempotent like the netlink actuator: it reads
 * the costs first (show ip ospf interface json, show ip ospf neighbor
 * json, one vtysh run), changes only those that differ, in one vtysh
 * run that also reads them back, and fails unless every one reads back
 * as asked. A cost change takes nothing away: OSPF moves the traffic
 * once its SPF prefers the other path, and zebra replaces each kernel
 * route in one step, so no destination is ever without its route. It
 * keeps no state: a run cut short anywhere is finished by the next.
 *
 * vtysh runs with posix_spawn and an argument vector (never a shell),
 * stdin from /dev/null, a fixed environment, at most FRR_MAX_OUTPUT bytes
 * of output and FRR_TIMEOUT_MS; past either it is killed and the run
 * fails. Its JSON is parsed with json-c.
 */
#ifndef TR_NMS_FRR_ACTUATOR_H
#define TR_NMS_FRR_ACTUATOR_H

#include "nms/route/route_actuator.h"

#include <stddef.h>
#include <stdint.h>

#define FRR_MAX_OUTPUT (1u << 20)
#define FRR_TIMEOUT_MS 10000
#define FRR_MAX_IFACES 64

/*
 * The vtysh program, for the whole process (set it once, before threads
 * start; default /usr/bin/vtysh). A wrapper that reaches a remote
 * router's vtysh (over SSH, say) takes the same arguments.
 */
void frr_set_vtysh(const char *path);
const char *frr_vtysh(void);

struct frr_host;
struct frr_iface;

/* The IGP whose costs are set. */
struct frr_proto {
	const char *name; /* "OSPF", "IS-IS" */
	const char *daemon; /* vtysh -d: "ospfd", "isisd" */
	const char *show[2]; /* what is read, in one vtysh run */
	size_t nshow;
	const char *cost_cmd; /* "ip ospf cost", "isis metric" + N */
	uint32_t max_cost;
	/* What show says, read: frr_parse_interfaces and its IS-IS twin. */
	int (*parse)(const char *json, size_t len, const struct ra_addr *addr,
		     size_t n, struct frr_iface *out, size_t cap, char *err,
		     size_t errlen);
};

/* OSPFv2 (ospfd, interface costs 1 to 65535), IS-IS (isisd, wide
 * metrics 1 to 16777215; an interface is toward the router when its IPv4
 * prefix holds one of the router's addresses). */
extern const struct frr_proto frr_ospf, frr_isis;

/*
 * A neighbour's FRR at @vty: an absolute path is the directory of its vty
 * sockets (vtysh --vty_socket), anything else an FRR pathspace (vtysh -N;
 * letters, digits, '-', '_', '.'), setting the costs of @proto. Nothing
 * is run yet.
 */
int frr_open(struct frr_host **h, const char *vty,
	     const struct frr_proto *proto, char *err, size_t errlen);
void frr_close(struct frr_host *h);

/* An OSPF interface toward the router. */
struct frr_iface {
	char name[16]; /* IFNAMSIZ */
	uint32_t cost;
	struct ra_addr addr; /* its own address */
	uint8_t prefixlen;
};

/*
 * Parse the output of "show ip ospf interface json" followed by "show ip
 * ospf neighbor json" (@json, @len bytes; the neighbours may be missing)
 * into the interfaces toward @addr[@n]: at most @cap into @out. Returns
 * how many, or -1 with what was wrong in @err (not JSON, a field of the
 * wrong type, an interface name we could not give back to vtysh, more
 * than @cap). Pure: no I/O.
 */
int frr_parse_interfaces(const char *json, size_t len,
			 const struct ra_addr *addr, size_t n,
			 struct frr_iface *out, size_t cap, char *err,
			 size_t errlen);
/* The same for "show isis interface detail json". */
int frr_parse_isis_interfaces(const char *json, size_t len,
			      const struct ra_addr *addr, size_t n,
			      struct frr_iface *out, size_t cap, char *err,
			      size_t errlen);

/* The interfaces of @h toward @addr[@n], as frr_parse_interfaces. */
int frr_list(struct frr_host *h, const struct ra_addr *addr, size_t n,
	     struct frr_iface *out, size_t cap, char *err, size_t errlen);

struct frr_stats {
	unsigned interfaces; /* toward the router */
	unsigned changed; /* given the new cost */
	unsigned kept; /* at it already */
};

/* Converge: every interface of @h toward @addr[@n] gets @cost (1 to the
 * protocol's maximum). 0, or -1 with vtysh's words in @err. */
int frr_recost(struct frr_host *h, const struct ra_addr *addr, size_t n,
	       uint32_t cost, struct frr_stats *st, char *err, size_t errlen);

#endif
