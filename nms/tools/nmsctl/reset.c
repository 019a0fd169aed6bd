// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsctl reset: the operator forgets a router's verdict (bad is sticky:
 * only a good attestation or this ends it). The trust engine makes it
 * unknown and the managed hosts' routes through it are converged to that
 * state, with nmsd's metric map and routing policy when they are given
 * here (the defaults otherwise), as nmsd would: the API's reset, through
 * the same trust event and route convergence (nms_observe).
 */
#include "nms/tools/nmsctl/nmsctl.h"
#include "base/cli.h"
#include "nms/route/observe.h"
#include "nms/store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_reset(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "ospf-costs", required_argument, NULL, 'o' },
		{ "route-policy", required_argument, NULL, 'p' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct trust_metrics m = trust_metrics_default;
	const char *db = NULL, *reason = NULL;
	struct trust_change c = { 0 };
	struct nms_store s;
	char err[512] = "", why[600];
	int o, rc = 1;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;

		if (o == 'd')
			db = optarg;
		else if (o == 'r')
			reason = optarg;
		else if (o == 'm')
			bad = trust_metrics_parse(optarg, &m, err, sizeof(err));
		else if (o == 'o')
			bad = trust_ospf_costs_parse(optarg, &m, err,
						     sizeof(err));
		else if (o == 'p')
			bad = trust_route_policy_parse(optarg, &m, err,
						       sizeof(err));
		else
			return usage(2);
		if (bad) {
			fprintf(stderr, "nmsctl: %s\n", err);
			return 2;
		}
	}
	if (!db)
		return tr_cli_missing("nmsctl reset", "--db FILE");
	if (optind + 1 != argc)
		return usage(2);
	if (open_store(&s, db) < 0)
		return 2;
	/* As the API's reset says it: "operator by WHO[: REASON]". */
	snprintf(why, sizeof(why), "operator by nmsctl%s%s", reason ? ": " : "",
		 reason ? reason : "");
	if (nms_observe(&s, &m, argv[optind], TRUST_EV_RESET, why, &c, err,
			sizeof(err)) == 0) {
		printf("%s: %s -> %s%s\n", argv[optind],
		       trust_state_name(c.from), trust_state_name(c.to),
		       c.changed ? "" : " (no change)");
		rc = 0;
	} else {
		fprintf(stderr, "nmsctl: %s\n", err);
	}
	nms_store_close(&s);
	return rc;
}
