// SPDX-License-Identifier: GPL-2.0-only
/* nmsctl devices, history, sessions, routes: the store's tables as listings. */
#include "nms/tools/nmsctl/nmsctl.h"
#include "nms/store/store.h"
#include "nms/store/store_trust.h"
#include "base/cli.h"
#include <getopt.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * Print the rows of @sql (?1 bound to @arg, NULL or not) as a table with
 * @cols headings, or as a JSON array of objects with those keys.
 */
typedef int (*arg_check)(struct nms_store *s, const char *arg, char *err,
			 size_t errlen);

static int query(const char *db, const char *sql, const char *arg,
		 arg_check check, const char *const *cols, const int *width,
		 bool json)
{
	struct nms_store s;
	sqlite3_stmt *st;
	json_object *arr = json_object_new_array();
	char err[256];
	int n = 0;

	if (open_store(&s, db) < 0)
		return 2;
	/* A device (or identity) that is not there is an error, not an
	 * empty table: a typo must not read as "no history". */
	if (check && arg && check(&s, arg, err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		nms_store_close(&s);
		return 1;
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
	return 0;
}

static int known_device(struct nms_store *s, const char *name, char *err,
			size_t errlen)
{
	return nms_store_device_id(s, name, err, errlen) > 0 ? 0 : -1;
}

/* A session's identity is a device's name, or the peer's address for a
 * session without one: either must be known. */
static int known_identity(struct nms_store *s, const char *name, char *err,
			  size_t errlen)
{
	sqlite3_stmt *st;
	int found;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT 1 FROM devices WHERE name = ?1 UNION ALL"
			       " SELECT 1 FROM sessions WHERE identity = ?1"
			       " LIMIT 1",
			       -1, &st, NULL)) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!found)
		snprintf(err, errlen, "no device or identity \"%s\"", name);
	return found ? 0 : -1;
}

/* Seconds since the epoch (a real number) as RFC 3339 in UTC with
 * milliseconds, the one time format of nmsctl and the logs. */
#define RFC3339(secs) "strftime('%Y-%m-%dT%H:%M:%fZ', " secs ", 'unixepoch')"

/* A listing: its query, headings and widths, and its argument. */
enum arg_use { ARG_NONE, ARG_ONE, ARG_OPTIONAL };

struct listing_def {
	const char *name;
	enum arg_use arg; /* bound to ?1 (NULL when absent) */
	const char *sql;
	arg_check check; /* that the argument names something */
	const char *cols[8];
	int width[8];
};

static const struct listing_def listings[] = {
	{ "devices",
	  ARG_NONE,
	  "SELECT d.name, d.trust,"
	  " CASE d.trust_since WHEN 0 THEN " RFC3339("d.created") " ELSE " RFC3339(
		  "d.trust_since / 1000.0") " END,"
					    " d.trust_reason,"
					    " (SELECT count(*) FROM certificates c WHERE c.device_id = d.id)"
					    " FROM devices d ORDER BY d.name",
	  NULL,
	  { "device", "trust", "since", "reason", "certificates" },
	  { 12, 8, 24, 60, 3 } },
	{ "history",
	  ARG_ONE,
	  "SELECT " RFC3339(
		  "h.time_ms / 1000.0") ","
					" h.previous, h.state, h.reason FROM trust_history h"
					" JOIN devices d ON d.id = h.device_id WHERE d.name = ?1"
					" ORDER BY h.id",
	  known_device,
	  { "time", "from", "to", "reason" },
	  { 24, 8, 8, 60 } },
	{ "sessions",
	  ARG_OPTIONAL,
	  "SELECT " RFC3339(
		  "started") ", identity, peer, verdict,"
			     " mutual, attested, reasons FROM sessions"
			     " WHERE ?1 IS NULL OR identity = ?1 ORDER BY id",
	  known_identity,
	  { "started", "identity", "peer", "verdict", "mutual", "attested",
	    "reasons" },
	  { 24, 10, 15, 8, 1, 1, 60 } },
	{ "routes",
	  ARG_NONE,
	  "SELECT h.name, h.netns, d.name, r.state, r.metric,"
	  " " RFC3339(
		  "r.time_ms / 1000.0") " FROM route_applied r JOIN route_hosts h ON h.id = r.host_id"
					" JOIN devices d ON d.id = r.device_id ORDER BY h.name, d.name",
	  NULL,
	  { "host", "netns", "via", "state", "metric", "since" },
	  { 10, 16, 10, 8, 6, 24 } },
};

const struct listing_def *listing_find(const char *name)
{
	for (size_t i = 0; i < sizeof(listings) / sizeof(listings[0]); i++)
		if (!strcmp(name, listings[i].name))
			return &listings[i];
	return NULL;
}

int cmd_listing(const struct listing_def *l, int argc, char **argv)
{
	const char *db, *arg;
	bool json;

	char what[64];

	if (listing(argc, argv, &db, &arg, &json) < 0 ||
	    (l->arg == ARG_NONE && arg) || (l->arg == ARG_ONE && !arg))
		return usage(2);
	if (!db) {
		snprintf(what, sizeof(what), "nmsctl %s", l->name);
		return tr_cli_missing(what, "--db FILE");
	}
	return query(db, l->sql, arg, l->check, l->cols, l->width, json);
}
