// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the FRR actuator's reading of vtysh's JSON (a neighbour's
 * "show ip ospf interface json" and "show ip ospf neighbor json", or
 * "show isis interface detail json"), which comes from a router, on
 * arbitrary bytes.
 */
#include "fuzz.h"
#include "nms/route/frr_actuator.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frr_iface out[FRR_MAX_IFACES];
	struct ra_addr addr[3];
	char err[256];
	int n;

	/* A neighbour by address, one by router id, one IPv6. */
	ra_addr_parse("10.32.0.1", &addr[0]);
	ra_addr_parse("10.255.0.7", &addr[1]);
	ra_addr_parse("fd00::1", &addr[2]);
	n = frr_parse_interfaces((const char *)data, size, addr, 3, out,
				 FRR_MAX_IFACES, err, sizeof(err));
	for (int i = 0; i < n; i++)
		if (out[i].name[0] == '\1' || out[i].cost == 1)
			fuzz_sink++;
	/* And as IS-IS's "show isis interface detail json". */
	n = frr_parse_isis_interfaces((const char *)data, size, addr, 3, out,
				      FRR_MAX_IFACES, err, sizeof(err));
	for (int i = 0; i < n; i++)
		if (out[i].name[0] == '\1' || out[i].cost == 1)
			fuzz_sink++;
	return 0;
}
