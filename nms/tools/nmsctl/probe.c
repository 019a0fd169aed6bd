// SPDX-License-Identifier: GPL-2.0-only
/* nmsctl probe: one implicit attestation now, a TLS handshake with the router's sealed key. */
#include "nms/tools/nmsctl/nmsctl.h"
#include "base/cli.h"
#include "base/hex.h"
#include "nms/probe/prober.h"
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int parse_policy(const char *hex, uint8_t out[32])
{
	return strlen(hex) == 64 ? tr_unhex(hex, 32, out) : -1;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ca = NULL;
	uint8_t policy[32];
	bool have_policy = false;
	unsigned timeout = 3000;
	struct probe_target t;
	enum probe_result r;
	SSL_CTX *ctx;
	char why[512];
	int o, json = 0;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			ca = optarg;
		else if (o == 'p' && !parse_policy(optarg, policy))
			have_policy = true;
		else if (o == 't')
			timeout = (unsigned)atoi(optarg);
		else if (o == 'j')
			json = 1;
		else
			return usage(2);
	}
	if (!ca)
		return tr_cli_missing("nmsctl probe", "--ca PEM");
	if (optind + 3 != argc)
		return usage(2);
	t.device = argv[optind];
	t.address = argv[optind + 1];
	t.port = (unsigned short)atoi(argv[optind + 2]);
	ctx = probe_ctx_new(ca, why, sizeof(why));
	if (!ctx) {
		fprintf(stderr, "nmsctl: %s\n", why);
		return 2;
	}
	r = probe(ctx, &t, have_policy ? policy : NULL, timeout, why,
		  sizeof(why));
	SSL_CTX_free(ctx);
	if (json) {
		json_object *o2 = json_object_new_object();

		json_object_object_add(o2, "device",
				       json_object_new_string(t.device));
		json_object_object_add(
			o2, "result",
			json_object_new_string(probe_result_name(r)));
		json_object_object_add(o2, "reason",
				       json_object_new_string(why));
		print_json(o2);
	} else {
		printf("%s: %s: %s\n", t.device, probe_result_name(r), why);
	}
	return r == PROBE_OK ? 0 : r == PROBE_FAILED ? 1 : 3;
}
