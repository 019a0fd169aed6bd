// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsd: the NMS daemon: zero-touch enrollment (EST over HTTPS),
 * attestation sessions (PT-TLS/PB-TNC), implicit attestation (probes of
 * the routers' sealed-key endpoints), trust states and route costs.
 *
 *   nmsd init-ca --ca-dir DIR [--name NAME] [--server-names LIST] [--days N]
 *   nmsd [--config FILE] --db FILE --ca-dir DIR --ek-roots PEM
 *        [--ek-intermediates PEM] [--ek-crls PEM] [--ek-templates LIST]
 *        [--listen ADDR] [--port N] [--port-file F]
 *        [--reference-list FILE]... [--lists-name-dir DIR] [--lists-pcr N]
 *        [--pcr-values N=HEX,...] [--authorizer PEM [--authorizer-ref REF]]
 *        [--cert-days N] [--challenge-seconds N]
 *        [--tnc-listen ADDR] [--tnc-port N] [--tnc-port-file F]
 *        [--tnc-max-sessions N] [--tnc-max-per-source N]
 *        [--tnc-handshake-timeout S] [--tnc-idle-timeout S]
 *        [--tnc-session-timeout S] [--est-max-connections N]
 *        [--est-max-per-source N] [--est-handshake-timeout S]
 *        [--est-idle-timeout S] [--sasl-user U --sasl-password P]
 *        [--mutual] [--known-bad-list FILE]... [--os-product NAME]...
 *        [--os-min-version M.N] [--probe-interval MS] [--probe-timeout MS]
 *        [--metrics good=10,unknown=20,bad=30,offline=40]
 *        [--ospf-costs good=10,unknown=100,bad=10000,offline=1000]
 *        [--route-policy unknown=recost,bad=withdraw,offline=recost]
 *        [--preapproval] [--register-routes] [--attest-request-on-bad]
 *        [--attest-request-interval MS]
 *        [--vtysh PATH]
 *        [--member-id ID] [--heartbeat-ms MS] [--route-lease-ms MS]
 *        [--route-poll-ms MS]
 *
 * --db is a SQLite file, or a PostgreSQL database (postgresql://... or
 * pg:CONNINFO) that several nmsd share: each is then a member (its id:
 * --member-id, by default host:pid:start), probes its share of the
 * routers, and the one holding the route lease changes routes.
 *        [--api-port N [--api-listen ADDR] [--api-port-file F]
 *         [--api-operator-ca PEM]]
 *
 * A config file holds the same options as "name = value" lines ('#'
 * starts a comment, "mutual = yes" for a flag; base/config.h); options
 * on the command line come after it and win. Log lines: base/log.h; under
 * systemd (Type=notify) READY=1 once every listener serves.
 */
#include "base/cli.h"
#include "base/config.h"
#include "base/log.h"
#include "base/notify.h"
#include "base/ratelimit.h"
#include "nms/api/api_server.h"
#include "nms/enroll/ca.h"
#include "nms/enroll/enroll.h"
#include "nms/enroll/est_server.h"
#include "nms/enroll/key_policy.h"
#include "nms/probe/monitor.h"
#include "nms/probe/requester.h"
#include "nms/route/frr_actuator.h"
#include "nms/route/observe.h"
#include "nms/route/route_owner.h"
#include "nms/store/store.h"
#include "nms/tnc/attest_service.h"
#include "tpm/credential.h"
#include "tpm/ek.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define ERRLEN 512
#define MAX_ARGS 512

static volatile sig_atomic_t stop;

/* Refusals, EST's and PT-TLS's alike: 10 lines at once, then 2 a second,
 * and a count of the rest. A flood of refusals is one summary line a
 * second, not a line per connection. */
static struct tr_ratelimit refusals = TR_RATELIMIT_INIT("refusals", 10, 2);

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: nmsd init-ca --ca-dir DIR [--name NAME] [--server-names LIST] [--days N]\n"
		"       nmsd [--config FILE] --db FILE --ca-dir DIR --ek-roots PEM\n"
		"            [--ek-intermediates PEM] [--ek-crls PEM] [--ek-templates LIST]\n"
		"            [--listen ADDR] [--port N] [--port-file FILE]\n"
		"            [--reference-list FILE]... [--lists-name-dir DIR] [--lists-pcr N]\n"
		"            [--pcr-values N=HEX,...] [--authorizer PEM [--authorizer-ref REF]]\n"
		"            [--cert-days N] [--challenge-seconds N]\n"
		"            [--tnc-listen ADDR] [--tnc-port N] [--tnc-port-file FILE]\n"
		"            [--tnc-max-sessions N] [--tnc-max-per-source N]\n"
		"            [--tnc-handshake-timeout S] [--tnc-idle-timeout S] [--tnc-session-timeout S]\n"
		"            [--est-max-connections N] [--est-max-per-source N]\n"
		"            [--est-handshake-timeout S] [--est-idle-timeout S]\n"
		"            [--sasl-user U --sasl-password P]\n"
		"            [--mutual] [--known-bad-list FILE]... [--os-product NAME]...\n"
		"            [--os-min-version M.N] [--probe-interval MS] [--probe-timeout MS]\n"
		"            [--metrics good=10,unknown=20,bad=30,offline=40]\n"
		"            [--ospf-costs good=10,unknown=100,bad=10000,offline=1000]\n"
		"            [--route-policy unknown=recost,bad=withdraw,offline=recost]\n"
		"            [--preapproval] [--register-routes] [--attest-request-on-bad]\n"
		"            [--attest-request-interval MS]\n"
		"            [--vtysh PATH]\n"
		"            [--api-port N [--api-listen ADDR] [--api-port-file FILE]\n"
		"             [--api-operator-ca PEM]]\n"
		"            [--member-id ID] [--heartbeat-ms MS] [--route-lease-ms MS]\n"
		"            [--route-poll-ms MS]\n"
		"  --db: a SQLite file, or PostgreSQL (postgresql://... or pg:CONNINFO)\n"
		"  shared by several nmsd\n");
	return rc;
}

static int init_ca(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "server-names", required_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *name = "trustroute NMS CA",
		   *names = "localhost,127.0.0.1,::1";
	int o, days = 3650;
	char err[ERRLEN];

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			dir = optarg;
		else if (o == 'n')
			name = optarg;
		else if (o == 's')
			names = optarg;
		else if (o == 'd')
			days = atoi(optarg);
		else
			return usage(2);
	}
	if (!dir || optind != argc || days <= 0)
		return usage(2);
	if (nms_ca_create(dir, name, names, days, err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsd: %s\n", err);
		return 1;
	}
	printf("%s: CA \"%s\", server certificate for %s\n", dir, name, names);
	return 0;
}

struct options {
	const char *db, *port_file, *tnc_port_file, *api_port_file;
	struct nms_api_config api;
	bool api_on; /* --api-port given */
	struct nms_est_config est;
	struct nms_enroll_config enroll;
	struct nms_key_policy_config policy;
	struct attest_service_config attest;
	struct trust_metrics metrics;
	unsigned probe_interval, probe_timeout;
	const char *member_id;
	unsigned heartbeat_ms, lease_ms, route_poll_ms;
	bool request_on_bad; /* ask a router a probe made bad to attest */
	unsigned request_interval; /* ms; 0: no scheduled requests */
};

/* A whole decimal number from @lo to @hi. */
static int count(const char *arg, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n < lo || n > hi) {
		fprintf(stderr, "nmsd: \"%s\": want a number from %u to %u\n",
			arg, lo, hi);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/*
 * Every connection is a descriptor: the soft limit goes up to the hard
 * one, and if the tables would still not fit (EST's and PT-TLS's, with
 * room for the store, listeners and libmicrohttpd's backstop), PT-TLS
 * gets what is left, said in the log. Without this the limits would not
 * hold: accept() would fail first, for everyone.
 */
static int fit_descriptors(struct options *o)
{
	struct rlimit rl;
	rlim_t fixed = 128 + o->est.connection_limit + 64, avail;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	avail = rl.rlim_cur > fixed ? rl.rlim_cur - fixed : 0;
	if (avail < 16) {
		tr_log(TR_LOG_ERR, "main",
		       "%lu file descriptors are too few for %u EST connections",
		       (unsigned long)rl.rlim_cur, o->est.connection_limit);
		return -1;
	}
	if (o->attest.max_sessions > avail) {
		tr_log(TR_LOG_WARN, "main",
		       "%lu file descriptors: PT-TLS connections limited to %lu, not %u",
		       (unsigned long)rl.rlim_cur, (unsigned long)avail,
		       o->attest.max_sessions);
		o->attest.max_sessions = (unsigned)avail;
	}
	return 0;
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "ek-roots", required_argument, NULL, 'r' },
		{ "ek-intermediates", required_argument, NULL, 'i' },
		{ "ek-crls", required_argument, NULL, 'k' },
		{ "ek-templates", required_argument, NULL, 'e' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "reference-list", required_argument, NULL, 'L' },
		{ "lists-name-dir", required_argument, NULL, 'N' },
		{ "lists-pcr", required_argument, NULL, 'R' },
		{ "pcr-values", required_argument, NULL, 'V' },
		{ "authorizer", required_argument, NULL, 'A' },
		{ "authorizer-ref", required_argument, NULL, 'F' },
		{ "cert-days", required_argument, NULL, 'd' },
		{ "challenge-seconds", required_argument, NULL, 's' },
		{ "tnc-listen", required_argument, NULL, 'T' },
		{ "tnc-port", required_argument, NULL, 'Q' },
		{ "tnc-port-file", required_argument, NULL, 'q' },
		{ "tnc-max-sessions", required_argument, NULL, 'M' },
		{ "sasl-user", required_argument, NULL, 'u' },
		{ "sasl-password", required_argument, NULL, 'w' },
		{ "mutual", no_argument, NULL, 'm' },
		{ "known-bad-list", required_argument, NULL, 'B' },
		{ "os-product", required_argument, NULL, 'o' },
		{ "os-min-version", required_argument, NULL, 'v' },
		{ "probe-interval", required_argument, NULL, 'I' },
		{ "probe-timeout", required_argument, NULL, 'O' },
		{ "metrics", required_argument, NULL, 'x' },
		{ "tnc-max-per-source", required_argument, NULL, 1000 },
		{ "tnc-handshake-timeout", required_argument, NULL, 1001 },
		{ "tnc-idle-timeout", required_argument, NULL, 1002 },
		{ "tnc-session-timeout", required_argument, NULL, 1003 },
		{ "est-max-connections", required_argument, NULL, 1004 },
		{ "est-max-per-source", required_argument, NULL, 1005 },
		{ "est-handshake-timeout", required_argument, NULL, 1006 },
		{ "est-idle-timeout", required_argument, NULL, 1007 },
		{ "ospf-costs", required_argument, NULL, 'X' },
		{ "vtysh", required_argument, NULL, 'y' },
		{ "member-id", required_argument, NULL, 1200 },
		{ "heartbeat-ms", required_argument, NULL, 1201 },
		{ "route-lease-ms", required_argument, NULL, 1202 },
		{ "route-poll-ms", required_argument, NULL, 1203 },
		{ "route-policy", required_argument, NULL, 1008 },
		{ "preapproval", no_argument, NULL, 1009 },
		{ "register-routes", no_argument, NULL, 1012 },
		{ "attest-request-on-bad", no_argument, NULL, 1010 },
		{ "attest-request-interval", required_argument, NULL, 1011 },
		{ "api-listen", required_argument, NULL, 1100 },
		{ "api-port", required_argument, NULL, 1101 },
		{ "api-port-file", required_argument, NULL, 1102 },
		{ "api-operator-ca", required_argument, NULL, 1103 },
		{ NULL, 0, NULL, 0 },
	};
	unsigned v;
	char err[256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o->db = optarg;
			break;
		case 'c':
			o->est.ca_dir = optarg;
			break;
		case 'r':
			o->enroll.ek_roots = optarg;
			break;
		case 'i':
			o->enroll.ek_intermediates = optarg;
			break;
		case 'k':
			o->enroll.ek_crls = optarg;
			break;
		case 'e':
			if (tr_ek_template_list(optarg, &o->enroll.ek_templates,
						err, sizeof(err)) < 0) {
				fprintf(stderr, "nmsd: --ek-templates: %s\n",
					err);
				return -1;
			}
			/* A template recognised but not credentialed would
			 * refuse every router of it: refused here. */
			if (o->enroll.ek_templates & ~TR_CREDENTIAL_TEMPLATES) {
				fprintf(stderr,
					"nmsd: --ek-templates: credentials are made for L-1 and H-1 EKs only\n");
				return -1;
			}
			break;
		case 'l':
			o->est.address = optarg;
			break;
		case 'p':
			o->est.port = (unsigned short)atoi(optarg);
			break;
		case 'P':
			o->port_file = optarg;
			break;
		case 'L':
			if (o->policy.n_lists == NMS_MAX_REFERENCE_LISTS)
				return -1;
			o->policy.lists[o->policy.n_lists++] = optarg;
			break;
		case 'N':
			o->policy.lists_name_dir = optarg;
			break;
		case 'R':
			o->policy.lists_pcr = atoi(optarg);
			break;
		case 'V':
			o->policy.pcr_values = optarg;
			break;
		case 'A':
			o->policy.authorizer = optarg;
			break;
		case 'F':
			o->policy.authorizer_ref = optarg;
			break;
		case 'd':
			o->enroll.cert_days = atoi(optarg);
			break;
		case 's':
			o->enroll.challenge_seconds = atoi(optarg);
			break;
		case 'T':
			o->attest.address = optarg;
			break;
		case 'Q':
			o->attest.port = (unsigned short)atoi(optarg);
			break;
		case 'q':
			o->tnc_port_file = optarg;
			break;
		case 'M':
			if (count(optarg, 1, 65536, &o->attest.max_sessions) <
			    0)
				return -1;
			break;
		case 'u':
			o->attest.sasl_user = optarg;
			break;
		case 'w':
			o->attest.sasl_password = optarg;
			break;
		case 'm':
			o->attest.mutual = true;
			break;
		case 'B':
			if (o->attest.n_bad == ATTEST_MAX_BAD_LISTS)
				return -1;
			o->attest.bad_lists[o->attest.n_bad++] = optarg;
			break;
		case 'o':
			if (o->attest.os.n_products == IMV_OS_MAX_PRODUCTS)
				return -1;
			o->attest.os.products[o->attest.os.n_products++] =
				optarg;
			break;
		case 'v':
			if (sscanf(optarg, "%u.%u", &o->attest.os.min_major,
				   &o->attest.os.min_minor) < 1)
				return -1;
			break;
		case 'I':
			o->probe_interval = (unsigned)atoi(optarg);
			break;
		case 'O':
			o->probe_timeout = (unsigned)atoi(optarg);
			break;
		case 1000:
		case 1004:
		case 1005:
			/* connections: 1 to 65536 */
			if (count(optarg, 1, 65536, &v) < 0)
				return -1;
			if (c == 1000)
				o->attest.max_per_source = v;
			else if (c == 1004)
				o->est.connection_limit = v;
			else
				o->est.max_per_source = v;
			break;
		case 1001:
		case 1002:
		case 1003:
		case 1006:
		case 1007:
			/* seconds: 1 to a day */
			if (count(optarg, 1, 86400, &v) < 0)
				return -1;
			if (c == 1001)
				o->attest.handshake_ms = v * 1000;
			else if (c == 1002)
				o->attest.idle_ms = v * 1000;
			else if (c == 1003)
				o->attest.session_ms = v * 1000;
			else if (c == 1006)
				o->est.handshake_seconds = v;
			else
				o->est.timeout_seconds = v;
			break;
		case 1200:
			o->member_id = optarg;
			break;
		case 1201:
		case 1202:
		case 1203:
			if (count(optarg, 10, 600000, &v) < 0)
				return -1;
			if (c == 1201)
				o->heartbeat_ms = v;
			else if (c == 1202)
				o->lease_ms = v;
			else
				o->route_poll_ms = v;
			break;
		case 1100:
			o->api.address = optarg;
			break;
		case 1101:
			if (count(optarg, 0, 65535, &v) < 0)
				return -1;
			o->api.port = (unsigned short)v;
			o->api_on = true;
			break;
		case 1102:
			o->api_port_file = optarg;
			break;
		case 1103:
			o->api.operator_ca = optarg;
			break;
		case 'x':
			if (trust_metrics_parse(optarg, &o->metrics, err,
						sizeof(err)) < 0) {
				fprintf(stderr, "nmsd: %s\n", err);
				return -1;
			}
			break;
		case 'X':
			if (trust_ospf_costs_parse(optarg, &o->metrics, err,
						   sizeof(err)) < 0) {
				fprintf(stderr, "nmsd: %s\n", err);
				return -1;
			}
			break;
		case 1012:
			/* A router's route addresses from its enrollment. */
			o->enroll.register_routes = true;
			break;
		case 1010:
			o->request_on_bad = true;
			break;
		case 1011:
			o->request_interval = (unsigned)atoi(optarg);
			break;
		case 1009:
			/* Only TPMs on the allow-list (nmsctl preapprove). */
			o->enroll.preapproval = true;
			break;
		case 1008:
			if (trust_route_policy_parse(optarg, &o->metrics, err,
						     sizeof(err)) < 0) {
				fprintf(stderr, "nmsd: %s\n", err);
				return -1;
			}
			break;
		case 'y':
			/* Set before any thread starts. */
			frr_set_vtysh(optarg);
			break;
		default:
			return -1;
		}
	}
	if (!o->attest.address)
		o->attest.address = o->est.address;
	if (!o->api.address)
		o->api.address = o->est.address;
	/* API options without the API would be silently ignored. */
	if (!o->api_on && (o->api_port_file || o->api.operator_ca)) {
		fprintf(stderr, "nmsd: --api-* options need --api-port\n");
		return -1;
	}
	if (!o->attest.sasl_user != !o->attest.sasl_password)
		return -1;
	/* A missing option is named (-2: said, no usage text). */
	if (!o->db || !o->est.ca_dir || !o->enroll.ek_roots) {
		tr_cli_missing("nmsd", !o->db	      ? "--db FILE" :
				       !o->est.ca_dir ? "--ca-dir DIR" :
							"--ek-roots PEM");
		return -2;
	}
	/* A lease renewed at every heartbeat must outlive a few of them. */
	if (o->lease_ms && o->lease_ms < 2 * o->heartbeat_ms) {
		fprintf(stderr,
			"nmsd: --route-lease-ms must be at least twice --heartbeat-ms\n");
		return -2;
	}
	if (optind != argc || o->enroll.cert_days <= 0 ||
	    o->enroll.challenge_seconds <= 0)
		return -1;
	return 0;
}

/* Tell a supervisor (or a test) the port, atomically. */
static int write_port(const char *path, unsigned short port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) ||
	    rename(tmp, path)) {
		tr_log(TR_LOG_ERR, "main", "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int serve(struct options *o)
{
	struct nms_store store;
	struct nms_ca ca = { 0 };
	struct nms_enroll e = { &store, &ca, &o->enroll };
	struct nms_est_server *est = NULL;
	struct attest_service *svc = NULL;
	struct nms_monitor *mon = NULL;
	struct nms_route_owner *owner = NULL;
	struct nms_api_server *api = NULL;
	SSL_CTX *request_ctx = NULL;
	char err[ERRLEN], ca_file[4096], *lists = NULL, member[128],
					 host[64] = "";
	bool cluster = nms_db_target_is_pg(o->db);
	int rc = 1;

	if (fit_descriptors(o) < 0)
		return 1;
	o->est.log_limit = o->attest.log_limit = &refusals;
	if (nms_key_policy(&o->policy, o->enroll.policy, o->enroll.policy_desc,
			   sizeof(o->enroll.policy_desc), err,
			   sizeof(err)) < 0) {
		tr_log(TR_LOG_ERR, "main", "key policy: %s", err);
		return 1;
	}
	/* Unreadable trust files would refuse every router; say so now. */
	if (tr_ek_trust_check(&(struct tr_ek_trust){ o->enroll.ek_roots,
						     o->enroll.ek_intermediates,
						     o->enroll.ek_crls },
			      err, sizeof(err)) < 0) {
		tr_log(TR_LOG_ERR, "main", "EK trust: %s", err);
		return 1;
	}
	if (nms_store_open(&store, o->db, err, sizeof(err)) < 0) {
		tr_log(TR_LOG_ERR, "main", "%s", err);
		return 1;
	}
	if (nms_ca_load(&ca, o->est.ca_dir, err, sizeof(err)) < 0 ||
	    !(est = nms_est_start(&e, &o->est, err, sizeof(err)))) {
		tr_log(TR_LOG_ERR, "main", "%s", err);
		goto out;
	}
	tr_log(TR_LOG_INFO, "main",
	       "EST on https://%s:%u/.well-known/est/, TLS keys must have %s",
	       o->est.address, nms_est_port(est), o->enroll.policy_desc);
	tr_log(o->enroll.ek_crls ? TR_LOG_INFO : TR_LOG_WARN, "main",
	       "EK certificates %s revocation checks",
	       o->enroll.ek_crls ? "with" : "WITHOUT");
	if (o->port_file && write_port(o->port_file, nms_est_port(est)) < 0)
		goto out;
	/* Several NMS hosts on PostgreSQL: join, and let the holder of the
	 * route lease change routes (it converges every host first). */
	if (cluster) {
		struct nms_route_owner_config rc_cfg = {
			.db = o->db,
			.member_id = member,
			.host = host,
			.beat_ms = o->heartbeat_ms,
			.lease_ms = o->lease_ms,
			.poll_ms = o->route_poll_ms,
			.metrics = &o->metrics,
		};
		struct timespec ts;

		gethostname(host, sizeof(host) - 1);
		clock_gettime(CLOCK_REALTIME, &ts);
		if (o->member_id)
			snprintf(member, sizeof(member), "%s", o->member_id);
		else
			snprintf(member, sizeof(member), "%s:%ld:%lld", host,
				 (long)getpid(),
				 (long long)ts.tv_sec * 1000 +
					 ts.tv_nsec / 1000000);
		owner = nms_route_owner_start(&rc_cfg, err, sizeof(err));
		if (!owner) {
			tr_log(TR_LOG_ERR, "main", "%s", err);
			goto out;
		}
		tr_log(TR_LOG_INFO, "main",
		       "member %s of the NMS hosts on PostgreSQL", member);
	}
	o->attest.db = o->db;
	o->attest.ca_dir = o->est.ca_dir;
	o->attest.refs = &o->policy;
	o->attest.metrics = &o->metrics;
	/* Idempotent across restarts: the routes may have changed while
	 * the NMS was down; bring them to the stored states first. */
	if (nms_observe_sync(&store, &o->metrics, err, sizeof(err)) < 0)
		tr_log(TR_LOG_ERR, "route", "converging the routes: %s", err);
	svc = attest_service_new(&o->attest, err, sizeof(err));
	if (!svc) {
		tr_log(TR_LOG_ERR, "main", "attestation: %s", err);
		goto out;
	}
	tr_log(TR_LOG_INFO, "main", "PT-TLS on %s port %u%s", o->attest.address,
	       attest_service_port(svc), o->attest.mutual ? ", mutual" : "");
	if (o->tnc_port_file &&
	    write_port(o->tnc_port_file, attest_service_port(svc)) < 0)
		goto out;
	if (o->api_on) {
		struct api_lists_config lc = {
			.lists = o->policy.lists,
			.n_lists = o->policy.n_lists,
			.name_dir = o->policy.lists_name_dir,
			.lists_pcr = o->policy.lists_pcr,
			.bad_lists = o->attest.bad_lists,
			.n_bad = o->attest.n_bad,
			.policy_desc = o->enroll.policy_desc,
		};

		lists = api_lists_json(&lc, err, sizeof(err));
		o->api.db = o->db;
		o->api.ca_dir = o->est.ca_dir;
		o->api.ca = &ca;
		o->api.metrics = &o->metrics;
		o->api.policy = o->enroll.policy;
		o->api.probe_timeout_ms = o->probe_timeout;
		o->api.lists_json = lists;
		o->api.log_limit = &refusals;
		api = lists ? nms_api_start(&o->api, err, sizeof(err)) : NULL;
		if (!api) {
			tr_log(TR_LOG_ERR, "api", "%s", err);
			goto out;
		}
		tr_log(TR_LOG_INFO, "api",
		       "API and dashboard on https://%s%s%s:%u/ (%s)",
		       strchr(o->api.address, ':') ? "[" : "", o->api.address,
		       strchr(o->api.address, ':') ? "]" : "",
		       nms_api_port(api),
		       o->api.operator_ca ? "tokens or operator certificates" :
					    "tokens");
		if (o->api_port_file &&
		    write_port(o->api_port_file, nms_api_port(api)) < 0)
			goto out;
	}
	if (o->probe_interval) {
		struct nms_monitor_config mc = {
			.db = o->db,
			.ca_file = ca_file,
			.policy = o->enroll.policy,
			.interval_ms = o->probe_interval,
			.timeout_ms = o->probe_timeout,
			.metrics = &o->metrics,
			.member_id = cluster ? member : NULL,
			.live_ms =
				3 * (o->heartbeat_ms ? o->heartbeat_ms : 1000),
			.request_on_bad = o->request_on_bad,
			.request_interval_ms = o->request_interval,
		};

		/* Asking routers to attest: with the NMS's own identity. */
		if (o->request_on_bad || o->request_interval) {
			request_ctx = attest_request_ctx(o->est.ca_dir, err,
							 sizeof(err));
			if (!request_ctx) {
				tr_log(TR_LOG_ERR, "main", "%s", err);
				goto out;
			}
			mc.request_ctx = request_ctx;
		}

		snprintf(ca_file, sizeof(ca_file), "%s/ca.pem", o->est.ca_dir);
		mon = nms_monitor_start(&mc, err, sizeof(err));
		if (!mon) {
			tr_log(TR_LOG_ERR, "main", "%s", err);
			goto out;
		}
	}
	/* Every listener serves: systemd (Type=notify) may start what
	 * comes after nmsd. */
	tr_notify("READY=1");
	if (attest_service_run(svc, &stop) < 0)
		tr_log(TR_LOG_ERR, "main", "the attestation service failed");
	tr_notify("STOPPING=1");
	tr_log(TR_LOG_INFO, "main", "stopping");
	rc = 0;
out:
	nms_api_stop(api);
	free(lists);
	nms_monitor_stop(mon);
	nms_route_owner_stop(owner);
	SSL_CTX_free(request_ctx);
	attest_service_free(svc);
	nms_est_stop(est);
	nms_ca_free(&ca);
	nms_store_close(&store);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = {
		/* Limits (Documentation/nms.md): enough for every router of a
		 * large site enrolling or attesting at once, small enough
		 * that a flood holds a few MB; seconds that a TPM-backed
		 * handshake needs several times over. */
		.est = { .address = "127.0.0.1",
			 .port = 8443,
			 .connection_limit = 256,
			 .max_per_source = 16,
			 .handshake_seconds = 5,
			 .timeout_seconds = 10 },
		.enroll = { .cert_days = 365, .challenge_seconds = 300 },
		.policy = { .lists_pcr = 11,
			    .lists_name_dir = "/etc/trustroute/digest_lists" },
		.attest = { .port = 271,
			    .max_sessions = 1024,
			    .max_per_source = 16,
			    .handshake_ms = 5000,
			    .idle_ms = 10000,
			    .session_ms = 120000 },
		.metrics = trust_metrics_default,
		.probe_timeout = 2000,
	};
	static const char *const flags[] = { "mutual", "preapproval",
					     "register-routes",
					     "attest-request-on-bad", NULL };
	char *args[MAX_ARGS], err[ERRLEN];
	int n, rc;
	struct sigaction sa = { .sa_handler = on_signal };

	if (tr_cli_version(argc, argv, "nmsd"))
		return 0;
	if (tr_cli_help(argc, argv))
		return usage(0);
	tr_log_init("nmsd");
	/* The heap is not trimmed after each observation: its buffers would
	 * be faulted in again on the next reroute's path. */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	if (argc > 1 && !strcmp(argv[1], "init-ca"))
		return init_ca(argc - 1, argv + 1);
	if (tr_config_args(argc, argv, flags, args, &n, MAX_ARGS, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "nmsd: %s\n", err);
		return 2;
	}
	rc = parse(n, args, &o);
	if (rc == -2)
		return 2;
	if (rc < 0)
		return usage(2);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = serve(&o);
	return rc;
}
