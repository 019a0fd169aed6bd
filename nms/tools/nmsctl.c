// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsctl: the operator's view of the NMS.
 *
 *   nmsctl devices --db FILE [--json]
 *   nmsctl probe --ca PEM [--policy HEX] [--timeout MS] [--json]
 *                DEVICE ADDRESS PORT
 *
 * devices: every device with its trust state, certificates and last
 * event. probe: one implicit attestation now (a TLS handshake with the
 * router's sealed key); exit 0 ok, 1 failed (bad), 3 no answer (offline).
 * Exit 2 on usage or when the store cannot be read.
 */
#include "prober.h"
#include "store.h"

#include <getopt.h>
#include <signal.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(int rc)
{
	fputs("usage: nmsctl devices --db FILE [--json]\n"
	      "       nmsctl probe --ca PEM [--policy HEX] [--timeout MS] [--json]\n"
	      "                    DEVICE ADDRESS PORT\n",
	      rc ? stderr : stdout);
	return rc;
}

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int cmd_devices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	struct nms_store s;
	sqlite3_stmt *st;
	json_object *arr = json_object_new_array();
	char err[256];
	int o, json = 0;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'd')
			db = optarg;
		else if (o == 'j')
			json = 1;
		else
			return usage(2);
	}
	if (!db || optind != argc)
		return usage(2);
	if (nms_store_open(&s, db, err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		return 2;
	}
	if (sqlite3_prepare_v2(
		    s.db,
		    "SELECT d.name, d.trust, datetime(d.updated, 'unixepoch'),"
		    " (SELECT count(*) FROM certificates c WHERE c.device_id = d.id),"
		    " (SELECT kind || ': ' || detail FROM events e"
		    "  WHERE e.device_id = d.id ORDER BY e.id DESC LIMIT 1)"
		    " FROM devices d ORDER BY d.name",
		    -1, &st, NULL)) {
		fprintf(stderr, "nmsctl: %s\n", sqlite3_errmsg(s.db));
		nms_store_close(&s);
		return 2;
	}
	if (!json)
		printf("%-16s %-8s %-20s %5s  %s\n", "DEVICE", "TRUST",
		       "SINCE (UTC)", "CERTS", "LAST EVENT");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c[5];

		for (int i = 0; i < 5; i++)
			c[i] = (const char *)sqlite3_column_text(st, i);
		if (json) {
			json_object *d = json_object_new_object();

			json_object_object_add(d, "device",
					       json_object_new_string(c[0]));
			json_object_object_add(d, "trust",
					       json_object_new_string(c[1]));
			json_object_object_add(d, "since",
					       json_object_new_string(c[2]));
			json_object_object_add(
				d, "certificates",
				json_object_new_int(sqlite3_column_int(st, 3)));
			json_object_object_add(
				d, "last_event",
				c[4] ? json_object_new_string(c[4]) : NULL);
			json_object_array_add(arr, d);
		} else {
			printf("%-16s %-8s %-20s %5s  %s\n", c[0], c[1], c[2],
			       c[3], c[4] ? c[4] : "");
		}
	}
	sqlite3_finalize(st);
	nms_store_close(&s);
	if (json)
		print_json(arr);
	else
		json_object_put(arr);
	return 0;
}

static int parse_policy(const char *hex, uint8_t out[32])
{
	if (strlen(hex) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int cmd_probe(int argc, char **argv)
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
	if (!ca || optind + 3 != argc)
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

int main(int argc, char **argv)
{
	/* A peer that hangs up mid-handshake must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "--help"))
		return usage(argc < 2 ? 2 : 0);
	if (!strcmp(argv[1], "devices"))
		return cmd_devices(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	return usage(2);
}
