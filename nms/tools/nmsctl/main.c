// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsctl: the operator's view of the NMS.
 *
 *   nmsctl devices  --db FILE [--json]
 *   nmsctl history  --db FILE [--json] DEVICE
 *   nmsctl sessions --db FILE [--json] [IDENTITY]
 *   nmsctl routes   --db FILE [--json]
 *   nmsctl endpoint --db FILE DEVICE ADDRESS PORT
 *   nmsctl probe --ca PEM [--policy HEX] [--timeout MS] [--json]
 *                DEVICE ADDRESS PORT
 *
 * devices: every device with its trust state, since when and why;
 * history: a device's state changes; sessions: attestation sessions with
 * their verdicts and reasons; routes: what each managed host's routes
 * through each router were converged to; endpoint: where the NMS probes
 * a router; probe: one implicit attestation now (a TLS handshake with
 * the router's sealed key): exit 0 ok, 1 failed (bad), 3 no answer
 * (offline). Exit 2 on usage or when the store cannot be read.
 */
#include "nms/tools/nmsctl/nmsctl.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>

int usage(int rc)
{
	fputs("usage: nmsctl devices  --db FILE [--json]\n"
	      "       nmsctl history  --db FILE [--json] DEVICE\n"
	      "       nmsctl sessions --db FILE [--json] [IDENTITY]\n"
	      "       nmsctl routes   --db FILE [--json]\n"
	      "       nmsctl endpoint --db FILE DEVICE ADDRESS PORT\n"
	      "       nmsctl probe --ca PEM [--policy HEX] [--timeout MS] [--json]\n"
	      "                    DEVICE ADDRESS PORT\n",
	      rc ? stderr : stdout);
	return rc;
}

void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	/* A peer that hangs up mid-handshake must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "--help"))
		return usage(argc < 2 ? 2 : 0);
	if (listing_find(argv[1]))
		return cmd_listing(listing_find(argv[1]), argc - 1, argv + 1);
	if (!strcmp(argv[1], "endpoint"))
		return cmd_endpoint(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	return usage(2);
}
