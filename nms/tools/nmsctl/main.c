// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsctl: the operator's view of the NMS.
 *
 *   nmsctl devices  --db FILE [--json]
 *   nmsctl history  --db FILE [--json] DEVICE
 *   nmsctl sessions --db FILE [--json] [IDENTITY]
 *   nmsctl routes   --db FILE [--json]
 *   nmsctl members  --db DB [--json] [LIVE_MS]
 *   nmsctl endpoint --db FILE DEVICE ADDRESS PORT [REQUEST_PORT]
 *   nmsctl preapprove --db FILE DEVICE (--ek-cert FILE | --serial HEX --issuer PEM)
 *   nmsctl preapprove --db FILE --remove DEVICE
 *   nmsctl preapprove --db FILE --list
 *   nmsctl revoke --db FILE [--reason TEXT] DEVICE
 *   nmsctl reset --db FILE [--metrics MAP] [--ospf-costs MAP]
 *                [--route-policy POLICY] [--reason TEXT] DEVICE
 *   nmsctl attest --ca-dir DIR [--reason TEXT] [--timeout MS]
 *                 DEVICE ADDRESS PORT
 *   nmsctl probe --ca PEM [--policy HEX] [--timeout MS] [--json]
 *                DEVICE ADDRESS PORT
 *   nmsctl token add --db FILE NAME --role admin|read-only
 *   nmsctl token list --db FILE [--json]
 *   nmsctl token revoke --db FILE NAME
 *
 * devices: every device with its trust state, since when and why;
 * history: a device's state changes; sessions: attestation sessions with
 * their verdicts and reasons; routes: what each managed host's routes
 * through each router were converged to; members: the NMS hosts sharing
 * a PostgreSQL database, whether each is live and the lease it holds
 * (route: the route actuator); endpoint: where the NMS probes
 * a router; preapprove: the allow-list nmsd --preapproval enrolls from
 * (a TPM by its EK certificate, or by serial and issuer, and the one
 * name it may enroll under); revoke: decommission a router (its
 * certificates revoked, as the API's revoke); reset: forget a router's
 * verdict (it becomes unknown; its routes follow); attest: ask a router, at the request port
 * of its agent, to attest now (exit 0 asked, 1 busy, 3 not asked);
 * probe: one implicit attestation now (a TLS handshake with
 * the router's sealed key): exit 0 ok, 1 failed (bad), 3 no answer
 * (offline); history, sessions and endpoint of an unknown device: exit 1;
 * token: the API's bearer tokens (add prints the new token, once).
 * Exit 2 on usage or when the store cannot be read (or does not exist:
 * nmsctl never creates one). --db is a SQLite file or a PostgreSQL
 * database (postgresql://... or pg:CONNINFO). Times are RFC 3339 in UTC,
 * tables and JSON alike ("2026-12-03T12:00:00.123Z").
 */
#include "nms/tools/nmsctl/nmsctl.h"
#include "base/cli.h"
#include "nms/store/db.h"
#include "nms/store/store.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int usage(int rc)
{
	fputs("usage: nmsctl devices  --db FILE [--json]\n"
	      "       nmsctl history  --db FILE [--json] DEVICE\n"
	      "       nmsctl sessions --db FILE [--json] [IDENTITY]\n"
	      "       nmsctl routes   --db FILE [--json]\n"
	      "       nmsctl members  --db FILE [--json] [LIVE_MS]\n"
	      "       nmsctl endpoint --db FILE DEVICE ADDRESS PORT [REQUEST_PORT]\n"
	      "       nmsctl preapprove --db FILE DEVICE (--ek-cert FILE | --serial HEX --issuer PEM)\n"
	      "       nmsctl preapprove --db FILE (--remove DEVICE | --list)\n"
	      "       nmsctl revoke --db FILE [--reason TEXT] DEVICE\n"
	      "       nmsctl reset --db FILE [--metrics MAP] [--ospf-costs MAP]\n"
	      "                    [--route-policy POLICY] [--reason TEXT] DEVICE\n"
	      "       nmsctl attest --ca-dir DIR [--reason TEXT] [--timeout MS]\n"
	      "                     DEVICE ADDRESS PORT\n"
	      "       nmsctl probe --ca PEM [--policy HEX] [--timeout MS] [--json]\n"
	      "                    DEVICE ADDRESS PORT\n"
	      "       nmsctl token add --db FILE NAME --role admin|read-only\n"
	      "       nmsctl token list --db FILE [--json]\n"
	      "       nmsctl token revoke --db FILE NAME\n",
	      rc ? stderr : stdout);
	return rc;
}

int open_store(struct nms_store *s, const char *path)
{
	char err[512];

	/* A SQLite file nmsctl would create; a PostgreSQL database is made
	 * by its administrator. */
	if (!nms_db_target_is_pg(path) && access(path, F_OK) < 0) {
		fprintf(stderr, "nmsctl: %s: %s (nmsd creates the store)\n",
			path,
			errno == ENOENT ? "no such store" : strerror(errno));
		return -1;
	}
	if (nms_store_open(s, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		return -1;
	}
	return 0;
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
	if (tr_cli_version(argc, argv, "nmsctl"))
		return 0;
	if (argc < 2 || tr_cli_help(argc, argv))
		return usage(argc < 2 ? 2 : 0);
	if (listing_find(argv[1]))
		return cmd_listing(listing_find(argv[1]), argc - 1, argv + 1);
	if (!strcmp(argv[1], "endpoint"))
		return cmd_endpoint(argc - 1, argv + 1);
	if (!strcmp(argv[1], "preapprove"))
		return cmd_preapprove(argc - 1, argv + 1);
	if (!strcmp(argv[1], "reset"))
		return cmd_reset(argc - 1, argv + 1);
	if (!strcmp(argv[1], "revoke"))
		return cmd_revoke(argc - 1, argv + 1);
	if (!strcmp(argv[1], "attest"))
		return cmd_attest(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "token"))
		return cmd_token(argc - 1, argv + 1);
	return usage(2);
}
