// SPDX-License-Identifier: GPL-2.0-only
/* nmsctl devices, history, sessions, routes: the store's tables as listings. */
#include "nms/tools/nmsctl/nmsctl.h"
#include "base/cli.h"
#include "nms/store/store.h"
#include "nms/store/store_list.h"
#include "nms/store/store_trust.h"
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* How a column is shown. */
enum col_kind { COL_PLAIN, COL_TIME_S, COL_TIME_MS };

struct print_args {
	const char *const *cols;
	const int *width;
	const enum col_kind *kind;
	int n;
	bool json;
	json_object *arr;
};

/* A Unix time (seconds, or ms with @ms) as RFC 3339 in UTC with
 * milliseconds, the one time format of nmsctl and the logs. */
static void fmt_time(int64_t t, bool ms, char *out, size_t len)
{
	int64_t t_ms = ms ? t : t * 1000;
	time_t sec = (time_t)(t_ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n)
		snprintf(out + n, len - n, ".%03dZ", (int)(t_ms % 1000));
}

static int print_row(const struct nms_list_value *v, int n, void *arg)
{
	struct print_args *p = arg;
	json_object *o = p->json ? json_object_new_object() : NULL;

	for (int i = 0; i < p->n && i < n; i++) {
		char buf[64];
		const char *text = v[i].s;
		bool is_time = p->kind[i] != COL_PLAIN;

		if (is_time) {
			fmt_time(v[i].i, p->kind[i] == COL_TIME_MS, buf,
				 sizeof(buf));
			text = buf;
		} else if (v[i].is_int) {
			snprintf(buf, sizeof(buf), "%lld", (long long)v[i].i);
			text = buf;
		}
		if (o)
			json_object_object_add(
				o, p->cols[i],
				v[i].is_int && !is_time ?
					json_object_new_int64(v[i].i) :
				text ? json_object_new_string(text) :
				       NULL);
		else
			printf("%-*s%s", p->width[i], text ? text : "",
			       i + 1 < p->n ? " " : "\n");
	}
	if (o)
		json_object_array_add(p->arr, o);
	return 0;
}

/*
 * Print the rows of listing @which (about @arg, NULL or not) as a table
 * with @cols headings, or as a JSON array of objects with those keys.
 */
typedef int (*arg_check)(struct nms_store *s, const char *arg, char *err,
			 size_t errlen);

static int query(const char *db, enum nms_listing which, const char *arg,
		 arg_check check, const char *const *cols, const int *width,
		 const enum col_kind *kind, bool json)
{
	struct nms_store s;
	struct print_args p = { cols, width, kind,
				0,    json,  json_object_new_array() };
	char err[256];
	int rc = 0;

	if (open_store(&s, db) < 0) {
		json_object_put(p.arr);
		return 2;
	}
	/* A device (or identity) that is not there is an error, not an
	 * empty table: a typo must not read as "no history". */
	if (check && arg && check(&s, arg, err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		nms_store_close(&s);
		json_object_put(p.arr);
		return 1;
	}
	while (cols[p.n])
		p.n++;
	for (int i = 0; !json && i < p.n; i++)
		printf("%-*s%s", width[i], cols[i], i + 1 < p.n ? " " : "\n");
	if (nms_store_list(&s, which, arg, print_row, &p, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		rc = 2;
	}
	nms_store_close(&s);
	if (json && !rc)
		print_json(p.arr);
	else
		json_object_put(p.arr);
	return rc;
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
	int found = nms_store_identity_known(s, name, err, errlen);

	if (!found)
		snprintf(err, errlen, "no device or identity \"%s\"", name);
	return found > 0 ? 0 : -1;
}

/* A listing: its rows, headings, widths and kinds, and its argument. */
enum arg_use { ARG_NONE, ARG_ONE, ARG_OPTIONAL };

struct listing_def {
	const char *name;
	enum arg_use arg;
	enum nms_listing which;
	arg_check check; /* that the argument names something */
	const char *cols[8];
	int width[8];
	enum col_kind kind[8];
};

static const struct listing_def listings[] = {
	{ "devices",
	  ARG_NONE,
	  NMS_LIST_DEVICES,
	  NULL,
	  { "device", "trust", "since", "reason", "certificates" },
	  { 12, 8, 24, 60, 3 },
	  { [2] = COL_TIME_MS } },
	{ "history",
	  ARG_ONE,
	  NMS_LIST_HISTORY,
	  known_device,
	  { "time", "from", "to", "reason" },
	  { 24, 8, 8, 60 },
	  { [0] = COL_TIME_MS } },
	{ "sessions",
	  ARG_OPTIONAL,
	  NMS_LIST_SESSIONS,
	  known_identity,
	  { "started", "identity", "peer", "verdict", "mutual", "attested",
	    "reasons" },
	  { 24, 10, 15, 8, 1, 1, 60 },
	  { [0] = COL_TIME_S } },
	{ "routes",
	  ARG_NONE,
	  NMS_LIST_ROUTES,
	  NULL,
	  { "host", "netns", "via", "state", "metric", "since" },
	  { 10, 16, 10, 8, 6, 24 },
	  { [5] = COL_TIME_MS } },
	/* The NMS hosts sharing this database: live (heartbeat in the last
	 * 3 s, or the ARG ms) and the lease each holds. */
	{ "members",
	  ARG_OPTIONAL,
	  NMS_LIST_MEMBERS,
	  NULL,
	  { "member", "host", "started", "heartbeat", "live", "lease" },
	  { 28, 12, 24, 24, 1, 6 },
	  { [2] = COL_TIME_MS, [3] = COL_TIME_MS } },
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
	return query(db, l->which, arg, l->check, l->cols, l->width, l->kind,
		     json);
}
