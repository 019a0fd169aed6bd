/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nmsd's options (nmsd(8)): its getopt_long table and what the options
 * mean, checked. The config file is base/config.h's, read by the same
 * table, so that its lines become the options ahead of the command
 * line's (which win); this is where their values are checked, whichever
 * of the two they came from. Pure: the parser runs on argument vectors.
 */
#ifndef TR_NMS_NMSD_CONFIG_H
#define TR_NMS_NMSD_CONFIG_H

#include "nms/api/api_server.h"
#include "nms/enroll/enroll.h"
#include "nms/enroll/est_server.h"
#include "nms/enroll/key_policy.h"
#include "nms/tnc/attest_service.h"
#include "nms/trust/trust_policy.h"

#include <getopt.h>

#define NMSD_MAX_ARGS 512

struct nmsd_options {
	const char *db, *port_file, *tnc_port_file, *api_port_file;
	struct nms_api_config api;
	bool api_on; /* --api-port given */
	struct nms_est_config est;
	struct nms_enroll_config enroll;
	struct nms_key_policy_config policy;
	struct attest_service_config attest;
	struct trust_metrics metrics;
	unsigned probe_interval, probe_timeout;
	/* Several nmsd on one PostgreSQL (Documentation/scaling.md). */
	const char *member_id;
	unsigned heartbeat_ms, lease_ms, route_poll_ms;
	bool request_on_bad; /* ask a router a probe made bad to attest */
	unsigned request_interval; /* ms; 0: no scheduled requests */
};

/* nmsd's defaults, before the config file and the command line. */
void nmsd_options_default(struct nmsd_options *o);

/* nmsd's options, for getopt_long and for tr_config_parse (ended by a
 * NULL name). */
extern const struct option nmsd_long_options[];

/*
 * The options @argv (getopt_long, argv[0] the program) into @o, over
 * what it holds. 0; -2 when one that nmsd needs is missing, @err naming
 * it ("--db FILE is required"), or when --route-lease-ms is under twice
 * --heartbeat-ms (said in @err, no usage text needed); or -1 when they are not a valid
 * configuration, with the reason in @err (empty when getopt_long printed
 * it). Numbers are decimal digits in their range, no path or name is
 * empty. Strings in @o point into @argv.
 */
int nmsd_options_parse(int argc, char **argv, struct nmsd_options *o, char *err,
		       size_t errlen);

#endif
