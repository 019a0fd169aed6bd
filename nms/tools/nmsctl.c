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
#include "base/hex.h"
#include "nms/probe/prober.h"
#include "nms/store/store.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"

#include <getopt.h>
#include <signal.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(int rc)
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

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/*
 * Print the rows of @sql (?1 bound to @arg, NULL or not) as a table with
 * @cols headings, or as a JSON array of objects with those keys.
 */
static int query(const char *db, const char *sql, const char *arg,
		 const char *const *cols, const int *width, bool json)
{
	struct nms_store s;
	sqlite3_stmt *st;
	json_object *arr = json_object_new_array();
	char err[256];
	int n = 0;

	if (nms_store_open(&s, db, err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		return 2;
	}
	if (sqlite3_prepare_v2(s.db, sql, -1, &st, NULL)) {
		fprintf(stderr, "nmsctl: %s\n", sqlite3_errmsg(s.db));
		nms_store_close(&s);
		return 2;
	}
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_text(st, 1, arg, -1,
				  SQLITE_STATIC); /* NULL: NULL */
	while (cols[n])
		n++;
	for (int i = 0; !json && i < n; i++)
		printf("%-*s%s", width[i], cols[i], i + 1 < n ? " " : "\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *o = json_object_new_object();

		for (int i = 0; i < n; i++) {
			const char *v =
				(const char *)sqlite3_column_text(st, i);

			if (json)
				json_object_object_add(
					o, cols[i],
					sqlite3_column_type(st, i) ==
							SQLITE_INTEGER ?
						json_object_new_int64(
							sqlite3_column_int64(
								st, i)) :
					v ? json_object_new_string(v) :
					    NULL);
			else
				printf("%-*s%s", width[i], v ? v : "",
				       i + 1 < n ? " " : "\n");
		}
		if (json)
			json_object_array_add(arr, o);
		else
			json_object_put(o);
	}
	sqlite3_finalize(st);
	nms_store_close(&s);
	if (json)
		print_json(arr);
	else
		json_object_put(arr);
	return 0;
}

/* --db FILE [--json] [ARG]: the common options of the listings. */
static int listing(int argc, char **argv, const char **db, const char **arg,
		   bool *json)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	*db = *arg = NULL;
	*json = false;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'd')
			*db = optarg;
		else if (o == 'j')
			*json = true;
		else
			return -1;
	}
	if (optind + 1 == argc)
		*arg = argv[optind];
	else if (optind != argc)
		return -1;
	return *db ? 0 : -1;
}

/* A listing: its query, headings and widths, and its argument. */
enum arg_use { ARG_NONE, ARG_ONE, ARG_OPTIONAL };

struct listing_def {
	const char *name;
	enum arg_use arg; /* bound to ?1 (NULL when absent) */
	const char *sql;
	const char *cols[8];
	int width[8];
};

static const struct listing_def listings[] = {
	{ "devices",
	  ARG_NONE,
	  "SELECT d.name, d.trust,"
	  " CASE d.trust_since WHEN 0 THEN datetime(d.created, 'unixepoch')"
	  " ELSE strftime('%Y-%m-%d %H:%M:%f', d.trust_since / 1000.0, 'unixepoch') END,"
	  " d.trust_reason,"
	  " (SELECT count(*) FROM certificates c WHERE c.device_id = d.id)"
	  " FROM devices d ORDER BY d.name",
	  { "device", "trust", "since", "reason", "certificates" },
	  { 12, 8, 20, 60, 3 } },
	{ "history",
	  ARG_ONE,
	  "SELECT strftime('%Y-%m-%d %H:%M:%f', h.time_ms / 1000.0, 'unixepoch'),"
	  " h.previous, h.state, h.reason FROM trust_history h"
	  " JOIN devices d ON d.id = h.device_id WHERE d.name = ?1"
	  " ORDER BY h.id",
	  { "time", "from", "to", "reason" },
	  { 23, 8, 8, 60 } },
	{ "sessions",
	  ARG_OPTIONAL,
	  "SELECT datetime(started, 'unixepoch'), identity, peer, verdict,"
	  " mutual, attested, reasons FROM sessions"
	  " WHERE ?1 IS NULL OR identity = ?1 ORDER BY id",
	  { "started", "identity", "peer", "verdict", "mutual", "attested",
	    "reasons" },
	  { 19, 10, 15, 8, 1, 1, 60 } },
	{ "routes",
	  ARG_NONE,
	  "SELECT h.name, h.netns, d.name, r.state, r.metric,"
	  " strftime('%Y-%m-%d %H:%M:%f', r.time_ms / 1000.0, 'unixepoch')"
	  " FROM route_applied r JOIN route_hosts h ON h.id = r.host_id"
	  " JOIN devices d ON d.id = r.device_id ORDER BY h.name, d.name",
	  { "host", "netns", "via", "state", "metric", "since" },
	  { 10, 16, 10, 8, 6, 23 } },
};

static int cmd_listing(const struct listing_def *l, int argc, char **argv)
{
	const char *db, *arg;
	bool json;

	if (listing(argc, argv, &db, &arg, &json) < 0 ||
	    (l->arg == ARG_NONE && arg) || (l->arg == ARG_ONE && !arg))
		return usage(2);
	return query(db, l->sql, arg, l->cols, l->width, json);
}

static int cmd_endpoint(int argc, char **argv)
{
	struct nms_store s;
	char err[256];
	int64_t id;
	int rc = 1;

	if (argc != 6 || strcmp(argv[1], "--db"))
		return usage(2);
	if (nms_store_open(&s, argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		return 2;
	}
	id = nms_store_device_id(&s, argv[3], err, sizeof(err));
	if (id > 0 &&
	    nms_store_endpoint_set(&s, id, argv[4], (unsigned)atoi(argv[5]),
				   err, sizeof(err)) == 0)
		rc = 0;
	else
		fprintf(stderr, "nmsctl: %s\n", err);
	nms_store_close(&s);
	return rc;
}

static int parse_policy(const char *hex, uint8_t out[32])
{
	return strlen(hex) == 64 ? tr_unhex(hex, 32, out) : -1;
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
	for (size_t i = 0; i < sizeof(listings) / sizeof(listings[0]); i++)
		if (!strcmp(argv[1], listings[i].name))
			return cmd_listing(&listings[i], argc - 1, argv + 1);
	if (!strcmp(argv[1], "endpoint"))
		return cmd_endpoint(argc - 1, argv + 1);
	if (!strcmp(argv[1], "probe"))
		return cmd_probe(argc - 1, argv + 1);
	return usage(2);
}
