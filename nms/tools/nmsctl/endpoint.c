// SPDX-License-Identifier: GPL-2.0-only
/* nmsctl endpoint: where the NMS probes a router, and asks it to attest. */
#include "nms/tools/nmsctl/nmsctl.h"
#include "base/cli.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An IPv4 or IPv6 literal, as the prober connects to it. */
static bool is_address(const char *a)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, a, buf) == 1 ||
	       inet_pton(AF_INET6, a, buf) == 1;
}

static int parse_port(const char *arg, unsigned *port)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || arg[0] == '+' ||
	    n < 1 || n > 65535)
		return -1;
	*port = (unsigned)n;
	return 0;
}

int cmd_endpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	struct nms_store s;
	char err[256];
	unsigned port, request_port = 0;
	int64_t id;
	int o, rc = 1;

	/* "+": options first, so a port "-1" is the port (and refused). */
	optind = 1;
	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 'd')
			db = optarg;
		else
			return usage(2);
	}
	if (!db)
		return tr_cli_missing("nmsctl endpoint", "--db FILE");
	if (argc - optind != 3 && argc - optind != 4)
		return usage(2);
	if (!is_address(argv[optind + 1])) {
		fprintf(stderr,
			"nmsctl endpoint: \"%s\" is not an IPv4 or IPv6 address\n",
			argv[optind + 1]);
		return 2;
	}
	if (parse_port(argv[optind + 2], &port) < 0) {
		fprintf(stderr,
			"nmsctl endpoint: port \"%s\": want a number from 1 to 65535\n",
			argv[optind + 2]);
		return 2;
	}
	/* REQUEST_PORT: where its agent takes requests to attest. */
	if (argc - optind == 4 &&
	    parse_port(argv[optind + 3], &request_port) < 0) {
		fprintf(stderr,
			"nmsctl endpoint: request port \"%s\": want a number from 1 to 65535\n",
			argv[optind + 3]);
		return 2;
	}
	if (open_store(&s, db) < 0)
		return 2;
	id = nms_store_device_id(&s, argv[optind], err, sizeof(err));
	if (id > 0 &&
	    nms_store_endpoint_set(&s, id, argv[optind + 1], port, err,
				   sizeof(err)) == 0 &&
	    (argc - optind == 3 ||
	     nms_store_request_port_set(&s, id, request_port, err,
					sizeof(err)) == 0))
		rc = 0;
	else
		fprintf(stderr, "nmsctl: %s\n", err);
	nms_store_close(&s);
	return rc;
}
