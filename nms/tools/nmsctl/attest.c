// SPDX-License-Identifier: GPL-2.0-only
/* nmsctl attest: ask a router to attest now (nms/probe/requester.h). */
#include "nms/tools/nmsctl/nmsctl.h"
#include "nms/probe/requester.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_attest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "reason", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ca_dir = NULL, *reason = "operator";
	unsigned timeout = 5000;
	char answer[512];
	SSL_CTX *ctx;
	int o, rc;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			ca_dir = optarg;
		else if (o == 'r')
			reason = optarg;
		else if (o == 't')
			timeout = (unsigned)atoi(optarg);
		else
			return usage(2);
	}
	if (!ca_dir || optind + 3 != argc)
		return usage(2);
	ctx = attest_request_ctx(ca_dir, answer, sizeof(answer));
	if (!ctx) {
		fprintf(stderr, "nmsctl: %s\n", answer);
		return 2;
	}
	rc = attest_request(ctx, argv[optind + 1],
			    (unsigned)atoi(argv[optind + 2]), reason, timeout,
			    answer, sizeof(answer));
	SSL_CTX_free(ctx);
	if (rc < 0)
		fprintf(stderr, "nmsctl: %s: not asked: %s\n", argv[optind],
			answer);
	else
		printf("%s: %s\n", argv[optind],
		       rc == 0 ?
			       "asked: it attests now" :
			       "busy: it attested a moment ago or is attesting");
	/* 0 asked, 1 busy, 3 not asked (no answer, refused). */
	return rc == 0 ? 0 : rc == 1 ? 1 : 3;
}
