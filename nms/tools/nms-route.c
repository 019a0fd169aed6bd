// SPDX-License-Identifier: GPL-2.0-only
/*
 * nms-route: the NMS's trust engine and route actuator from the command
 * line.
 *
 *   nms-route show   (--netns NS | --frr VTY [--isis]) --via ADDR[,ADDR...] [--json]
 *   nms-route recost (--netns NS | --frr VTY [--isis]) --via ADDR[,ADDR...]
 *                    (--metric N | --state STATE [--metrics MAP]) [--json]
 *   nms-route --db FILE host NAME NETNS
 *   nms-route --db FILE host NAME --frr VTY [--isis] [--device DEVICE]
 *   nms-route --db FILE router DEVICE ADDR...
 *   nms-route --db FILE event DEVICE EVENT [REASON] [--metrics MAP] [--json]
 *   nms-route --db FILE sync [--metrics MAP] [--json]
 *   nms-route --db FILE state [DEVICE] [--json]
 *   nms-route --db FILE serve [--metrics MAP]
 *
 * "show" and "recost" work on one host without the store: its routes
 * through the addresses (--netns), or its OSPF interfaces toward them and
 * their costs, through FRR's vtysh (--frr; --metric is then the cost;
 * --isis: IS-IS metrics instead).
 * The others use the NMS store: "host" says which hosts are managed, and
 * with which actuator (netlink in NETNS, or FRR at VTY: a vty socket
 * directory or a pathspace; DEVICE is the router the host is, which is
 * never asked to re-cost itself), "router" by which addresses they reach
 * a router; "event" feeds an observation to
 * the trust engine and converges the hosts when the router's state
 * changed (or a host was not converged yet); "sync" converges every host
 * for every router, as a restarted NMS does; "serve" reads "DEVICE EVENT
 * [REASON]" lines and answers each with the JSON of "event --json".
 * --ospf-costs MAP sets the OSPF cost of each state (FRR hosts), like
 * --metrics the route metric (netlink hosts); --vtysh PATH the program.
 * --route-policy POLICY says per state whether the routes through a
 * router are re-costed or withdrawn ("bad=withdraw"; netlink hosts).
 * "recost --withdraw" withdraws one host's routes by hand.
 * Exit status: 0 done, 1 failed, 2 usage.
 */
#define _GNU_SOURCE /* getopt_long, getline */
#include "base/cli.h"
#include "base/log.h"
#include "nms/route/actuator.h"
#include "nms/route/converge.h"
#include "nms/route/frr_actuator.h"
#include "nms/route/observe.h"
#include "nms/route/route_actuator.h"
#include "nms/route/route_lease.h"
#include "nms/store/store.h"
#include "nms/store/store_trust.h"

#include <getopt.h>
#include <json-c/json.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 1024
#define MAX_VIA 32

struct opts {
	const char *db, *netns, *frr, *device, *via, *state;
	int isis; /* --isis: IS-IS metrics, not OSPF costs */
	int withdraw; /* recost --withdraw */
	long long metric; /* -1: not given */
	struct trust_metrics metrics;
	int json;
};

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: nms-route show   (--netns NS | --frr VTY [--isis]) --via ADDR[,ADDR...] [--json]\n"
		"       nms-route recost (--netns NS | --frr VTY [--isis]) --via ADDR[,ADDR...]\n"
		"                        (--metric N | --state STATE [--metrics MAP]) [--json]\n"
		"       nms-route --db FILE host NAME NETNS\n"
		"       nms-route --db FILE host NAME --frr VTY [--isis] [--device DEVICE]\n"
		"       nms-route --db FILE router DEVICE ADDR...\n"
		"       nms-route --db FILE event DEVICE EVENT [REASON] [--metrics MAP] [--json]\n"
		"       nms-route --db FILE sync [--metrics MAP] [--json]\n"
		"       nms-route --db FILE state [DEVICE] [--json]\n"
		"       nms-route --db FILE serve [--metrics MAP]\n"
		"NS: a name under /var/run/netns, a path (/proc/PID/ns/net), or \"\" for our own.\n"
		"STATE: good, unknown, bad, offline. EVENT: attest-ok, attest-unknown,\n"
		"attest-fail, handshake-ok, handshake-fail, no-answer, reset.\n"
		"MAP: good=10,unknown=20,bad=30,offline=40 (the default).\n"
		"VTY: FRR's vty socket directory (absolute) or pathspace. Also:\n"
		"--ospf-costs good=10,unknown=100,bad=10000,offline=1000 (the default),\n"
		"--vtysh PATH (default /usr/bin/vtysh),\n"
		"--route-policy unknown=recost,bad=withdraw,offline=recost (default: all recost),\n"
		"recost --withdraw (instead of --metric: park the routes, see nms-route(8)).\n");
	return rc;
}

static void print_json(struct json_object *o)
{
	printf("%s\n",
	       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* ---- one host, no store --------------------------------------------------- */

static int parse_via(const char *list, struct ra_addr *gw)
{
	char buf[2048], *save = NULL, *tok;
	int n = 0;

	if (!list || strlen(list) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_VIA || ra_addr_parse(tok, &gw[n]) < 0) {
			fprintf(stderr, "nms-route: \"%s\" is not an address\n",
				tok);
			return -1;
		}
		n++;
	}
	return n;
}

static void stats_json(struct json_object *o, const struct nms_actuator *act,
		       const struct ra_stats *st)
{
	if (act != &nms_actuator_netlink) {
		add_int(o, "interfaces", st->routes);
		add_int(o, "changed", st->added);
		add_int(o, "kept", st->kept);
		return;
	}
	add_int(o, "routes", st->routes);
	add_int(o, "added", st->added);
	add_int(o, "deleted", st->deleted);
	add_int(o, "kept", st->kept);
	add_int(o, "skipped", st->skipped);
	add_int(o, "parked", st->parked);
}

static int show_route(const struct ra_route *r, void *arg)
{
	struct json_object *arr = arg, *o;
	char buf[256];

	if (!arr) {
		ra_route_format(r, buf, sizeof(buf));
		printf("%s\n", buf);
		return 0;
	}
	o = json_object_new_object();
	ra_addr_format(&r->dst, buf, sizeof(buf));
	add_str(o, "dst", r->dst.family ? buf : "default");
	add_int(o, "dst_len", r->dst_len);
	ra_addr_format(&r->gw, buf, sizeof(buf));
	add_str(o, "via", buf);
	add_int(o, "oif", r->oif);
	add_int(o, "table", r->table);
	add_int(o, "metric", r->metric);
	json_object_array_add(arr, o);
	return 0;
}

static int show_iface(const struct frr_iface *f, struct json_object *arr)
{
	struct json_object *o;
	char buf[46];

	ra_addr_format(&f->addr, buf, sizeof(buf));
	if (!arr) {
		printf("%s %s/%u cost %u\n", f->name, buf, f->prefixlen,
		       f->cost);
		return 0;
	}
	o = json_object_new_object();
	add_str(o, "interface", f->name);
	add_str(o, "address", buf);
	add_int(o, "prefixlen", f->prefixlen);
	add_int(o, "cost", f->cost);
	json_object_array_add(arr, o);
	return 0;
}

/* "show": the host's routes through the addresses, or its OSPF
 * interfaces toward them. */
static int show(void *h, const struct nms_actuator *act, struct ra_addr *gw,
		int n, struct json_object *out, char *err, size_t errlen)
{
	struct frr_iface ifs[FRR_MAX_IFACES];
	int k;

	if (act == &nms_actuator_netlink)
		return ra_list(h, gw, (size_t)n, show_route, out, err, errlen) <
				       0 ?
			       -1 :
			       0;
	k = frr_list(h, gw, (size_t)n, ifs, FRR_MAX_IFACES, err, errlen);
	for (int i = 0; i < k; i++)
		show_iface(&ifs[i], out);
	return k < 0 ? -1 : 0;
}

static int host_cmd(const char *cmd, struct opts *o)
{
	const struct nms_actuator *act = !o->frr ? &nms_actuator_netlink :
					 o->isis ? &nms_actuator_frr_isis :
						   &nms_actuator_frr;
	struct nms_host_params hp = { o->netns, o->frr };
	struct ra_addr gw[MAX_VIA];
	struct ra_stats st;
	struct json_object *out = NULL;
	char err[ERRLEN];
	enum trust_state state;
	int n = parse_via(o->via, gw), rc;
	uint32_t metric = 0;
	void *h;

	if (!o->netns == !o->frr || n <= 0)
		return usage(2);
	if (!strcmp(cmd, "recost") && o->withdraw) {
		if (o->state || o->metric >= 0 || !act->withdraw) {
			if (!act->withdraw)
				fprintf(stderr,
					"nms-route: %s cannot withdraw, only re-cost\n",
					act->name);
			return usage(2);
		}
	} else if (!strcmp(cmd, "recost")) {
		if (o->state && trust_state_parse(o->state, &state) == 0)
			metric = act->value(&o->metrics, state);
		else if (!o->state && o->metric >= 0 && o->metric <= UINT32_MAX)
			metric = (uint32_t)o->metric;
		else
			return usage(2);
	}
	if (act->open(&h, &hp, err, sizeof(err)) < 0) {
		fprintf(stderr, "nms-route: %s\n", err);
		return 1;
	}
	if (o->json)
		out = json_object_new_array();
	if (!strcmp(cmd, "show")) {
		rc = show(h, act, gw, n, out, err, sizeof(err));
	} else if (o->withdraw) {
		rc = act->withdraw(h, gw, (size_t)n, &st, err, sizeof(err));
		if (o->json) {
			json_object_put(out);
			out = json_object_new_object();
			json_object_object_add(out, "withdrawn",
					       json_object_new_boolean(1));
			stats_json(out, act, &st);
		} else {
			printf("withdrawn: %u routes, %u parked, %u deleted, %u parked already, %u skipped\n",
			       st.routes, st.parked, st.deleted, st.kept,
			       st.skipped);
		}
	} else {
		rc = act->apply(h, gw, (size_t)n, metric, &st, err,
				sizeof(err));
		if (o->json) {
			json_object_put(out);
			out = json_object_new_object();
			add_int(out, act->value_name, metric);
			stats_json(out, act, &st);
		} else if (act != &nms_actuator_netlink) {
			printf("cost %u: %u %s, %u changed, %u kept\n", metric,
			       st.routes, act->unit, st.added, st.kept);
		} else {
			printf("metric %u: %u routes, %u added, %u deleted, %u kept, %u skipped, %u restored\n",
			       metric, st.routes, st.added, st.deleted, st.kept,
			       st.skipped, st.parked);
		}
	}
	act->close(h);
	if (out)
		print_json(out);
	if (rc < 0) {
		fprintf(stderr, "nms-route: %s\n", err);
		return 1;
	}
	return 0;
}

/* ---- with the store ----------------------------------------------------- */

static void converged_text(const struct nms_converged *r, void *arg)
{
	(void)arg;
	if (r->rc < 0)
		printf("  host %s: %s toward %s: FAILED: %s\n", r->host,
		       r->act ? r->act->unit : "routes", r->device, r->err);
	else if (r->act != &nms_actuator_netlink)
		printf("  host %s: %s toward %s at cost %u (%s): %u changed, %u kept\n",
		       r->host, r->act->unit, r->device, r->metric,
		       trust_state_name(r->state), r->st.added, r->st.kept);
	else if (r->withdrawn)
		printf("  host %s: routes through %s withdrawn (%s): %u parked, %u deleted, %u parked already, %u skipped\n",
		       r->host, r->device, trust_state_name(r->state),
		       r->st.parked, r->st.deleted, r->st.kept, r->st.skipped);
	else
		printf("  host %s: routes through %s at metric %u (%s): %u added, %u deleted, %u kept, %u skipped, %u restored\n",
		       r->host, r->device, r->metric,
		       trust_state_name(r->state), r->st.added, r->st.deleted,
		       r->st.kept, r->st.skipped, r->st.parked);
}

static void converged_json(const struct nms_converged *r, void *arg)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "host", r->host);
	add_str(o, "device", r->device);
	add_str(o, "state", trust_state_name(r->state));
	add_int(o, r->act ? r->act->value_name : "metric", r->metric);
	if (r->act)
		stats_json(o, r->act, &r->st);
	/* Only when the policy says withdraw: what consumers of the default
	 * policy read stays as it was. */
	if (r->withdraw)
		json_object_object_add(o, "withdrawn",
				       json_object_new_boolean(r->withdrawn));
	add_int(o, "t_done_ns", r->t_done_ns);
	add_str(o, "error", r->rc < 0 ? r->err : NULL);
	add_str(o, "actuator", r->act ? r->act->name : NULL);
	json_object_array_add(arg, o);
}

/* Converge and say so; the JSON goes into @o's "hosts". */
static int converge(struct nms_store *s, struct opts *o, int64_t device,
		    int all, struct json_object *out, char *err, size_t errlen)
{
	struct json_object *hosts = NULL;
	int rc;

	if (out) {
		hosts = json_object_new_array();
		json_object_object_add(out, "hosts", hosts);
	}
	/* Several nmsd on PostgreSQL: the route owner converges. */
	if (!nms_route_lease_get(&(struct nms_route_lease){ 0 })) {
		if (out)
			json_object_object_add(
				out, "routes",
				json_object_new_string(
					"left to the route owner"));
		else
			printf("routes: left to the route owner\n");
		return 0;
	}
	rc = nms_trust_converge(s, &o->metrics, device, all,
				out ? converged_json : converged_text, hosts,
				err, errlen);
	if (out)
		add_int(out, "t_recorded_ns", trust_now_ns());
	return rc;
}

/*
 * One observation: the trust engine, then the hosts. Converges when the
 * state changed, and otherwise only hosts not converged yet.
 */
static int event(struct nms_store *s, struct opts *o, const char *device,
		 const char *evname, const char *reason, int json)
{
	int64_t t0 = trust_now_ns(), id;
	struct json_object *out = json ? json_object_new_object() : NULL;
	struct trust_change c = { 0 };
	enum trust_event ev;
	char err[ERRLEN];
	int rc = -1;

	if (trust_event_parse(evname, &ev) < 0) {
		snprintf(err, sizeof(err), "\"%s\" is not a trust event",
			 evname);
		goto out;
	}
	id = nms_store_device_id(s, device, err, sizeof(err));
	if (id < 0 || nms_trust_observe(s, id, ev, reason, t0 / 1000000, &c,
					err, sizeof(err)) < 0)
		goto out;
	if (out) {
		add_str(out, "device", device);
		add_str(out, "event", evname);
		add_str(out, "from", trust_state_name(c.from));
		add_str(out, "to", trust_state_name(c.to));
		json_object_object_add(out, "changed",
				       json_object_new_boolean(c.changed));
		add_int(out, "t_event_ns", t0);
		add_int(out, "t_committed_ns", trust_now_ns());
	} else {
		printf("%s: %s -> %s%s\n", device, trust_state_name(c.from),
		       trust_state_name(c.to), c.changed ? "" : " (no change)");
	}
	rc = converge(s, o, id, 0, out, err, sizeof(err));
out:
	if (out) {
		add_str(out, "error", rc < 0 ? err : NULL);
		print_json(out);
	}
	if (rc < 0)
		fprintf(stderr, "nms-route: %s: %s\n", device, err);
	return rc < 0 ? 1 : 0;
}

/* "serve": one event a line until EOF; answers on stdout. */
static int serve(struct nms_store *s, struct opts *o)
{
	char *line = NULL, *save, *dev, *ev, *reason;
	size_t cap = 0;
	int rc = 0;
	char err[ERRLEN];

	/* The first commit into a new WAL waits for the disk: not the first
	 * event's (nms_store_warm). */
	if (nms_store_warm(s, err, sizeof(err)) < 0) {
		fprintf(stderr, "nms-route: serve: %s\n", err);
		return 1;
	}
	while (getline(&line, &cap, stdin) > 0) {
		line[strcspn(line, "\n")] = '\0';
		dev = strtok_r(line, " \t", &save);
		ev = strtok_r(NULL, " \t", &save);
		reason = strtok_r(NULL, "", &save);
		if (!dev || !ev) {
			fprintf(stderr,
				"nms-route: serve: want DEVICE EVENT [REASON]\n");
			rc = 1;
			continue;
		}
		rc |= event(s, o, dev, ev, reason, 1);
	}
	free(line);
	return rc;
}

static int print_hist(const struct nms_trust_hist *h, void *arg)
{
	struct json_object *o;
	char t[TR_TIME_LEN];

	/* RFC 3339 in UTC, as nmsctl and the logs. */
	tr_time_rfc3339(h->time_ms, t);
	if (!arg) {
		printf("  %s %s -> %s: %s\n", t, trust_state_name(h->from),
		       trust_state_name(h->to), h->reason);
		return 0;
	}
	o = json_object_new_object();
	add_str(o, "time", t);
	add_int(o, "time_ms", h->time_ms);
	add_str(o, "from", trust_state_name(h->from));
	add_str(o, "to", trust_state_name(h->to));
	add_str(o, "reason", h->reason);
	json_object_array_add(arg, o);
	return 0;
}

struct state_walk {
	struct nms_store *s;
	const char *only;
	struct json_object *arr;
	int history;
};

static int print_device(int64_t id, const char *name,
			const struct nms_trust_row *row, void *arg)
{
	struct state_walk *w = arg;
	struct json_object *o, *hist = NULL;

	if (w->only && strcmp(w->only, name))
		return 0;
	if (!w->arr) {
		if (row->since_ms)
			printf("%s %s since %lld.%03lld: %s\n", name,
			       trust_state_name(row->state),
			       (long long)(row->since_ms / 1000),
			       (long long)(row->since_ms % 1000), row->reason);
		else
			printf("%s %s (never changed)\n", name,
			       trust_state_name(row->state));
	} else {
		o = json_object_new_object();
		add_str(o, "device", name);
		add_str(o, "state", trust_state_name(row->state));
		add_int(o, "since_ms", row->since_ms);
		add_str(o, "reason", row->reason);
		if (w->history) {
			hist = json_object_new_array();
			json_object_object_add(o, "history", hist);
		}
		json_object_array_add(w->arr, o);
	}
	if (w->history)
		nms_store_trust_history(w->s, id, print_hist, hist, NULL, 0);
	return 0;
}

static int state_cmd(struct nms_store *s, const char *device, int json)
{
	struct state_walk w = { s, device, NULL, device != NULL };
	char err[ERRLEN];
	int rc = 0;

	if (device && nms_store_device_id(s, device, err, sizeof(err)) < 0)
		rc = -1;
	if (json)
		w.arr = json_object_new_array();
	if (!rc &&
	    nms_store_trust_devices(s, print_device, &w, err, sizeof(err)) < 0)
		rc = -1;
	if (w.arr)
		print_json(w.arr);
	if (rc < 0) {
		fprintf(stderr, "nms-route: %s\n", err);
		return 1;
	}
	return 0;
}

static int store_cmd(int argc, char **argv, struct opts *o)
{
	const char *cmd = argv[0];
	struct json_object *out = NULL;
	struct nms_store s;
	char err[ERRLEN];
	int rc = 0;
	int64_t id;

	/* On PostgreSQL, several nmsd share the store and the one holding
	 * the route lease changes routes: this tool records, it does not. */
	if (nms_db_target_is_pg(o->db))
		nms_route_lease_cluster("nms-route");
	if (nms_store_open(&s, o->db, err, sizeof(err)) < 0) {
		fprintf(stderr, "nms-route: %s\n", err);
		return 1;
	}
	if (!strcmp(cmd, "host") && argc == 3 && !o->frr && !o->device) {
		rc = nms_store_route_host(&s, argv[1], argv[2], err,
					  sizeof(err)) < 0;
	} else if (!strcmp(cmd, "host") && argc == 2 && o->frr) {
		id = o->device ? nms_store_device_id(&s, o->device, err,
						     sizeof(err)) :
				 0;
		rc = id < 0 ||
		     nms_store_route_host_frr(&s, argv[1],
					      o->isis ? "frr-isis" : "frr",
					      o->frr, id, err, sizeof(err)) < 0;
	} else if (!strcmp(cmd, "router") && argc >= 3) {
		id = nms_store_device_id(&s, argv[1], err, sizeof(err));
		rc = id < 0;
		for (int i = 2; !rc && i < argc; i++)
			rc = nms_store_router_addr_add(&s, id, argv[i], err,
						       sizeof(err)) < 0;
	} else if (!strcmp(cmd, "event") && (argc == 3 || argc == 4)) {
		rc = event(&s, o, argv[1], argv[2], argc == 4 ? argv[3] : NULL,
			   o->json);
		nms_store_close(&s);
		return rc;
	} else if (!strcmp(cmd, "sync") && argc == 1) {
		out = o->json ? json_object_new_object() : NULL;
		rc = converge(&s, o, 0, 1, out, err, sizeof(err)) < 0;
		if (out)
			print_json(out);
	} else if (!strcmp(cmd, "state") && argc <= 2) {
		rc = state_cmd(&s, argc == 2 ? argv[1] : NULL, o->json);
		nms_store_close(&s);
		return rc;
	} else if (!strcmp(cmd, "serve") && argc == 1) {
		rc = serve(&s, o);
		nms_store_close(&s);
		return rc;
	} else {
		nms_store_close(&s);
		return usage(2);
	}
	if (rc)
		fprintf(stderr, "nms-route: %s: %s\n", cmd, err);
	nms_store_close(&s);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "netns", required_argument, NULL, 'n' },
		{ "via", required_argument, NULL, 'v' },
		{ "metric", required_argument, NULL, 'm' },
		{ "state", required_argument, NULL, 's' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "ospf-costs", required_argument, NULL, 'C' },
		{ "route-policy", required_argument, NULL, 'P' },
		{ "withdraw", no_argument, NULL, 'W' },
		{ "frr", required_argument, NULL, 'f' },
		{ "device", required_argument, NULL, 'D' },
		{ "vtysh", required_argument, NULL, 'V' },
		{ "isis", no_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .metric = -1, .metrics = trust_metrics_default };
	char err[ERRLEN], *end;
	int c;

	if (tr_cli_version(argc, argv, "nms-route"))
		return 0;
	/* The heap is not trimmed after each event: its buffers (a netlink
	 * receive buffer a host) would go back to the kernel and be faulted
	 * in again on the next reroute's path. */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.db = optarg;
			break;
		case 'n':
			o.netns = optarg;
			break;
		case 'v':
			o.via = optarg;
			break;
		case 'm':
			o.metric = strtoll(optarg, &end, 10);
			if (*end || end == optarg || o.metric < 0)
				return usage(2);
			break;
		case 's':
			o.state = optarg;
			break;
		case 'M':
			if (trust_metrics_parse(optarg, &o.metrics, err,
						sizeof(err)) < 0) {
				fprintf(stderr, "nms-route: %s\n", err);
				return 2;
			}
			break;
		case 'C':
			if (trust_ospf_costs_parse(optarg, &o.metrics, err,
						   sizeof(err)) < 0) {
				fprintf(stderr, "nms-route: %s\n", err);
				return 2;
			}
			break;
		case 'P':
			if (trust_route_policy_parse(optarg, &o.metrics, err,
						     sizeof(err)) < 0) {
				fprintf(stderr, "nms-route: %s\n", err);
				return 2;
			}
			break;
		case 'W':
			o.withdraw = 1;
			break;
		case 'f':
			o.frr = optarg;
			break;
		case 'D':
			o.device = optarg;
			break;
		case 'V':
			frr_set_vtysh(optarg);
			break;
		case 'I':
			o.isis = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'h':
			return usage(0);
		default:
			return usage(2);
		}
	}
	if (optind >= argc)
		return usage(2);
	if (!strcmp(argv[optind], "show") || !strcmp(argv[optind], "recost"))
		return optind + 1 == argc ? host_cmd(argv[optind], &o) :
					    usage(2);
	if (!o.db)
		return usage(2);
	return store_cmd(argc - optind, argv + optind, &o);
}
