// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsctl revoke: decommission a router, as the API's revoke does
 * (nms_store_decommission): every certificate it has is revoked in the
 * store (certificates.revoked), the device is marked decommissioned and
 * an event says so. The prober, the PT-TLS server and enrollment read
 * the store at each handshake or request, so the router is refused at
 * once, without a restart; the CRL nmsd serves is made from the store.
 */
#include "nms/tools/nmsctl/nmsctl.h"
#include "base/cli.h"
#include "nms/store/store_api.h"
#include "nms/store/store_trust.h"
#include "nms/trust/trust_policy.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *reason = NULL;
	struct nms_store s;
	char err[512], why[600];
	int64_t id;
	int o, n, rc = 1;

	optind = 1;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 'd')
			db = optarg;
		else if (o == 'r')
			reason = optarg;
		else
			return usage(2);
	}
	if (!db)
		return tr_cli_missing("nmsctl revoke", "--db FILE");
	if (argc - optind != 1)
		return usage(2);
	if (open_store(&s, db) < 0)
		return 2;
	snprintf(why, sizeof(why), "decommissioned by nmsctl%s%s",
		 reason ? ": " : "", reason ? reason : "");
	id = nms_store_device_id(&s, argv[optind], err, sizeof(err));
	if (id > 0 && (n = nms_store_decommission(&s, id, why, trust_now_ms(),
						  err, sizeof(err))) >= 0) {
		printf("%s: %d certificate%s revoked\n", argv[optind], n,
		       n == 1 ? "" : "s");
		rc = 0;
	} else {
		fprintf(stderr, "nmsctl: %s\n", err);
	}
	nms_store_close(&s);
	return rc;
}
