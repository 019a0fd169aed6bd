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
 *        [--vtysh PATH]
 *
 * A config file holds the same options as "name = value" lines ('#'
 * starts a comment); options on the command line come after it and win.
 */
#define _GNU_SOURCE /* getopt_long */
#include "nms/config/nmsd_config.h"
#include "nms/tnc/attest_service.h"
#include "nms/enroll/ca.h"
#include "nms/enroll/enroll.h"
#include "nms/enroll/est_server.h"
#include "nms/enroll/key_policy.h"
#include "nms/probe/monitor.h"
#include "nms/route/frr_actuator.h"
#include "nms/route/observe.h"
#include "nms/store/store.h"
#include "base/ratelimit.h"
#include "tpm/credential.h"
#include "tpm/ek.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define ERRLEN 512

static volatile sig_atomic_t stop;

/* Refusals, EST's and PT-TLS's alike: 10 lines at once, then 2 a second,
 * and a count of the rest. A flood of refusals is one summary line a
 * second, not a line per connection. */
static struct tr_ratelimit refusals = TR_RATELIMIT_INIT("nmsd", 10, 2);

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
		"            [--vtysh PATH]\n");
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

/*
 * Every connection is a descriptor: the soft limit goes up to the hard
 * one, and if the tables would still not fit (EST's and PT-TLS's, with
 * room for the store, listeners and libmicrohttpd's backstop), PT-TLS
 * gets what is left, said in the log. Without this the limits would not
 * hold: accept() would fail first, for everyone.
 */
static int fit_descriptors(struct nmsd_options *o)
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
		fprintf(stderr,
			"nmsd: %lu file descriptors are too few for %u EST connections\n",
			(unsigned long)rl.rlim_cur, o->est.connection_limit);
		return -1;
	}
	if (o->attest.max_sessions > avail) {
		fprintf(stderr,
			"nmsd: %lu file descriptors: PT-TLS connections limited to %lu, not %u\n",
			(unsigned long)rl.rlim_cur, (unsigned long)avail,
			o->attest.max_sessions);
		o->attest.max_sessions = (unsigned)avail;
	}
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
		fprintf(stderr, "nmsd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int serve(struct nmsd_options *o)
{
	struct nms_store store;
	struct nms_ca ca = { 0 };
	struct nms_enroll e = { &store, &ca, &o->enroll };
	struct nms_est_server *est = NULL;
	struct attest_service *svc = NULL;
	struct nms_monitor *mon = NULL;
	char err[ERRLEN], ca_file[4096];
	int rc = 1;

	if (fit_descriptors(o) < 0)
		return 1;
	o->est.log_limit = o->attest.log_limit = &refusals;
	if (nms_key_policy(&o->policy, o->enroll.policy, o->enroll.policy_desc,
			   sizeof(o->enroll.policy_desc), err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "nmsd: key policy: %s\n", err);
		return 1;
	}
	/* Unreadable trust files would refuse every router; say so now. */
	if (tr_ek_trust_check(&(struct tr_ek_trust){ o->enroll.ek_roots,
						     o->enroll.ek_intermediates,
						     o->enroll.ek_crls },
			      err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsd: EK trust: %s\n", err);
		return 1;
	}
	if (nms_store_open(&store, o->db, err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsd: %s\n", err);
		return 1;
	}
	if (nms_ca_load(&ca, o->est.ca_dir, err, sizeof(err)) < 0 ||
	    !(est = nms_est_start(&e, &o->est, err, sizeof(err)))) {
		fprintf(stderr, "nmsd: %s\n", err);
		goto out;
	}
	fprintf(stderr,
		"nmsd: EST on https://%s:%u/.well-known/est/, TLS keys must have %s\n",
		o->est.address, nms_est_port(est), o->enroll.policy_desc);
	fprintf(stderr, "nmsd: EK certificates %s revocation checks\n",
		o->enroll.ek_crls ? "with" : "WITHOUT");
	if (o->port_file && write_port(o->port_file, nms_est_port(est)) < 0)
		goto out;
	o->attest.db = o->db;
	o->attest.ca_dir = o->est.ca_dir;
	o->attest.refs = &o->policy;
	o->attest.metrics = &o->metrics;
	/* Idempotent across restarts: the routes may have changed while
	 * the NMS was down; bring them to the stored states first. */
	if (nms_observe_sync(&store, &o->metrics, err, sizeof(err)) < 0)
		fprintf(stderr, "nmsd: converging the routes: %s\n", err);
	svc = attest_service_new(&o->attest, err, sizeof(err));
	if (!svc) {
		fprintf(stderr, "nmsd: attestation: %s\n", err);
		goto out;
	}
	fprintf(stderr, "nmsd: PT-TLS on %s port %u%s\n", o->attest.address,
		attest_service_port(svc), o->attest.mutual ? ", mutual" : "");
	if (o->tnc_port_file &&
	    write_port(o->tnc_port_file, attest_service_port(svc)) < 0)
		goto out;
	if (o->probe_interval) {
		struct nms_monitor_config mc = {
			.db = o->db,
			.ca_file = ca_file,
			.policy = o->enroll.policy,
			.interval_ms = o->probe_interval,
			.timeout_ms = o->probe_timeout,
			.metrics = &o->metrics,
		};

		snprintf(ca_file, sizeof(ca_file), "%s/ca.pem", o->est.ca_dir);
		mon = nms_monitor_start(&mc, err, sizeof(err));
		if (!mon) {
			fprintf(stderr, "nmsd: %s\n", err);
			goto out;
		}
	}
	if (attest_service_run(svc, &stop) < 0)
		fprintf(stderr, "nmsd: the attestation service failed\n");
	fprintf(stderr, "nmsd: stopping\n");
	rc = 0;
out:
	nms_monitor_stop(mon);
	attest_service_free(svc);
	nms_est_stop(est);
	nms_ca_free(&ca);
	nms_store_close(&store);
	return rc;
}

int main(int argc, char **argv)
{
	struct nmsd_options o;
	char *args[NMSD_MAX_ARGS] = { argv[0] }, err[ERRLEN];
	int n = 1, rc;
	struct sigaction sa = { .sa_handler = on_signal };

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(0);
	if (argc > 1 && !strcmp(argv[1], "init-ca"))
		return init_ca(argc - 1, argv + 1);
	nmsd_options_default(&o);
	/* --config first, wherever it is, so the command line wins. */
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--config", 8)) {
			const char *path = argv[i][8] == '=' ? argv[i] + 9 :
					   i + 1 < argc	     ? argv[++i] :
							       NULL;

			if (!path)
				return 2;
			if (nmsd_config_read(path, args, &n, err, sizeof(err)) <
			    0) {
				fprintf(stderr, "nmsd: %s\n", err);
				return 2;
			}
		}
	for (int i = 1; i < argc && n < NMSD_MAX_ARGS - 1; i++) {
		if (!strncmp(argv[i], "--config", 8)) {
			i += argv[i][8] != '=';
			continue;
		}
		args[n++] = argv[i];
	}
	if (nmsd_options_parse(n, args, &o, err, sizeof(err)) < 0) {
		if (err[0])
			fprintf(stderr, "nmsd: %s\n", err);
		return usage(2);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = serve(&o);
	return rc;
}
