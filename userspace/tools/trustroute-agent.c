// SPDX-License-Identifier: GPL-2.0-only
/*
 * trustroute-agent: the router's agent.
 *
 *   trustroute-agent enroll --state-dir DIR --nms URL --nms-ca PEM
 *                           --device NAME [--pcrs sha256:N,...]
 *                           [--alg ecc|rsa] [--max-attempts N]
 *                           [--backoff-ms N] [--backoff-max-ms N]
 *   trustroute-agent serve  --state-dir DIR [--listen ADDR] [--port N]
 *                           [--port-file FILE]
 *   trustroute-agent attest --state-dir DIR --tnc ADDR [--tnc-port N]
 *                           --tnc-name NAME --nms-ca PEM [--ima-log FILE]
 *                           [--os-root DIR] [--mutual] [--with-key]
 *                           [--timeout MS] [--sasl-user U --sasl-password P]
 *   trustroute-agent run    (all of the above) [--attest-interval S]
 *                           [--request-port N [--request-port-file FILE]]
 *                           [--route-address ADDR]...
 *
 * enroll: zero-touch enrollment; exit 0 when enrolled (now or before), 1
 * when it gave up, 3 at once when the NMS refused the name (another
 * TPM's, or this TPM is enrolled under another name). serve: the implicit-attestation endpoint (TLS with the
 * sealed key) until SIGTERM. attest: one PT-TLS/PB-TNC session with the
 * NMS; exit 0 when access is allowed, 1 when not, 2 when it failed. run:
 * the router's daemon: enroll (retrying until it is), serve, and attest
 * every interval, until SIGTERM (exit 3 on a name conflict, as enroll);
 * with --request-port, also at once when the NMS asks there
 * (attest_request.h; at most one session per MIN_REQUEST_GAP_S).
 * Exit 2 on usage.
 *
 * --config FILE holds the same options as "name = value" lines ("mutual
 * = yes" for a flag; base/config.h), the command line's winning; the
 * command (enroll, serve, attest, run) stays on the command line. Under
 * systemd (Type=notify) serve and run say READY=1 once the endpoint
 * listens.
 */
#include "userspace/agent/attest_endpoint.h"
#include "userspace/agent/attest_request.h"
#include "userspace/agent/enroll_client.h"
#include "userspace/agent/tnc_client.h"
#include "base/cli.h"
#include "base/config.h"
#include "base/log.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(int rc)
{
	fputs("usage: trustroute-agent COMMAND [--config FILE] [OPTIONS]\n"
	      "       trustroute-agent enroll --state-dir DIR --nms URL --nms-ca PEM\n"
	      "                               --device NAME [--pcrs sha256:N,...]\n"
	      "                               [--alg ecc|rsa] [--max-attempts N]\n"
	      "                               [--backoff-ms N] [--backoff-max-ms N]\n"
	      "       trustroute-agent serve  --state-dir DIR [--listen ADDR] [--port N]\n"
	      "                               [--port-file FILE]\n"
	      "       trustroute-agent attest --state-dir DIR --tnc ADDR [--tnc-port N]\n"
	      "                               --tnc-name NAME --nms-ca PEM [--ima-log FILE]\n"
	      "                               [--os-root DIR] [--mutual] [--with-key] [--timeout MS]\n"
	      "                               [--sasl-user U --sasl-password P]\n"
	      "       trustroute-agent run    (the options of all three) [--attest-interval S]\n"
	      "                               [--request-port N [--request-port-file FILE]]\n"
	      "                               [--route-address ADDR]...\n",
	      rc ? stderr : stdout);
	return rc;
}

struct opts {
	struct enroll_config en;
	struct endpoint_config ep;
	struct tnc_client_config tc;
	const char *pcrs;
	unsigned attest_interval;
	bool requests; /* --request-port given */
	struct request_config rq;
};

/* Every command takes every option; each checks the ones it needs. */
static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "nms", required_argument, NULL, 'n' },
		{ "nms-ca", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "pcrs", required_argument, NULL, 'P' },
		{ "alg", required_argument, NULL, 'a' },
		{ "max-attempts", required_argument, NULL, 'm' },
		{ "backoff-ms", required_argument, NULL, 'b' },
		{ "backoff-max-ms", required_argument, NULL, 'B' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'F' },
		{ "tnc", required_argument, NULL, 't' },
		{ "tnc-port", required_argument, NULL, 'T' },
		{ "tnc-name", required_argument, NULL, 'N' },
		{ "ima-log", required_argument, NULL, 'i' },
		{ "os-root", required_argument, NULL, 'r' },
		{ "mutual", no_argument, NULL, 'M' },
		{ "with-key", no_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 'o' },
		{ "attest-interval", required_argument, NULL, 'I' },
		{ "sasl-user", required_argument, NULL, 'u' },
		{ "sasl-password", required_argument, NULL, 'w' },
		{ "request-port", required_argument, NULL, 'R' },
		{ "request-port-file", required_argument, NULL, 'Q' },
		{ "route-address", required_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){
		.en = { .alg = TR_KEY_ECC_P256,
			.backoff_ms = 1000,
			.backoff_max_ms = 600000 },
		.ep = { .address = "0.0.0.0", .port = 8444 },
		.tc = { .ima_log =
				"/sys/kernel/security/ima/binary_runtime_measurements",
			.os_root = "/",
			.nms_port = 271,
			.timeout_ms = 30000 },
		.pcrs = "sha256:11",
		.attest_interval = 300,
	};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->en.state_dir = o->ep.state_dir = o->tc.state_dir =
				optarg;
			break;
		case 'n':
			o->en.nms_url = optarg;
			break;
		case 'c':
			o->en.nms_ca = o->tc.nms_ca = optarg;
			break;
		case 'd':
			o->en.device = optarg;
			break;
		case 'P':
			o->pcrs = optarg;
			break;
		case 'a':
			if (!strcmp(optarg, "rsa"))
				o->en.alg = TR_KEY_RSA_2048;
			else if (strcmp(optarg, "ecc"))
				return -1;
			break;
		case 'm':
			o->en.max_attempts = atoi(optarg);
			break;
		case 'b':
			o->en.backoff_ms = (unsigned)atoi(optarg);
			break;
		case 'B':
			o->en.backoff_max_ms = (unsigned)atoi(optarg);
			break;
		case 'l':
			o->ep.address = optarg;
			break;
		case 'p':
			o->ep.port = (unsigned short)atoi(optarg);
			break;
		case 'F':
			o->ep.port_file = optarg;
			break;
		case 't':
			o->tc.nms_address = optarg;
			break;
		case 'T':
			o->tc.nms_port = (unsigned short)atoi(optarg);
			break;
		case 'N':
			o->tc.nms_name = optarg;
			break;
		case 'i':
			o->tc.ima_log = optarg;
			break;
		case 'r':
			o->tc.os_root = optarg;
			break;
		case 'M':
			o->tc.mutual = true;
			break;
		case 'k':
			o->tc.use_key = true;
			break;
		case 'o':
			o->tc.timeout_ms = (unsigned)atoi(optarg);
			break;
		case 'I':
			o->attest_interval = (unsigned)atoi(optarg);
			break;
		case 'u':
			o->tc.sasl_user = optarg;
			break;
		case 'w':
			o->tc.sasl_password = optarg;
			break;
		case 'R':
			o->requests = true;
			o->rq.port = (unsigned short)atoi(optarg);
			break;
		case 'Q':
			o->rq.port_file = optarg;
			break;
		case 'G':
			if (o->en.n_route_addrs == 16)
				return -1;
			o->en.route_addrs[o->en.n_route_addrs++] = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (!o->en.state_dir) {
		tr_cli_missing("trustroute-agent", "--state-dir DIR");
		return -2;
	}
	if (tr_pcr_selection_parse(o->pcrs, &o->en.pcrs) < 0) {
		fprintf(stderr,
			"trustroute-agent: --pcrs %s: want sha256:N[,N...]\n",
			o->pcrs);
		return -1;
	}
	return 0;
}

/* The first required option missing, or NULL. */
static const char *enroll_missing(const struct opts *o)
{
	return !o->en.nms_url ? "--nms URL" :
	       !o->en.nms_ca  ? "--nms-ca PEM" :
	       !o->en.device  ? "--device NAME" :
				NULL;
}

static const char *attest_missing(const struct opts *o)
{
	return !o->tc.nms_address ? "--tnc ADDR" :
	       !o->tc.nms_name	  ? "--tnc-name NAME" :
	       !o->tc.nms_ca	  ? "--nms-ca PEM" :
				    NULL;
}

/* enroll's options there and sound; a missing one named. */
static bool enroll_ok(const struct opts *o, const char *cmd)
{
	const char *m = enroll_missing(o);

	if (m) {
		fprintf(stderr, "trustroute-agent %s: %s is required\n", cmd,
			m);
		return false;
	}
	return o->en.max_attempts >= 0 && o->en.backoff_ms &&
	       o->en.backoff_max_ms >= o->en.backoff_ms;
}

static bool attest_ok(const struct opts *o, const char *cmd)
{
	const char *m = attest_missing(o);

	if (m)
		fprintf(stderr, "trustroute-agent %s: %s is required\n", cmd,
			m);
	return !m;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A name conflict needs an operator: retrying would not change it. */
#define EXIT_NAME_CONFLICT 3

static int enroll(struct opts *o)
{
	char err[512];
	int rc = enroll_run(&o->en, err, sizeof(err));

	if (rc == ENROLL_NAME_CONFLICT) {
		fprintf(stderr,
			"trustroute-agent: not enrolled, and retrying cannot help: the NMS refused the name \"%s\": %s\n",
			o->en.device, err);
		return EXIT_NAME_CONFLICT;
	}
	if (rc < 0) {
		fprintf(stderr, "trustroute-agent: not enrolled: %s\n", err);
		return 1;
	}
	printf("%s: enrolled; certificate in %s/tls.crt\n", o->en.device,
	       o->en.state_dir);
	return 0;
}

static int attest(struct opts *o)
{
	struct tnc_client_result r;
	char err[512];

	if (tnc_client_run(&o->tc, &r, err, sizeof(err)) < 0) {
		tr_log(TR_LOG_ERR, "attest", "attestation session: %s", err);
		return 2;
	}
	if (r.without_key)
		tr_log(TR_LOG_WARN, "attest", "without the sealed key: %s",
		       r.key_error);
	printf("access %s (assessment %u), %u batches%s%s%s%s\n",
	       tnc_access_name(r.access), r.assessment, r.batches,
	       r.quoted ? ", quoted" : "", r.mutual ? ", mutual" : "",
	       r.nms_assessed ? ", NMS assessed" : "",
	       r.without_key ? ", without the sealed key" : "");
	fflush(stdout);
	return r.access == 1 ? 0 : 1;
}

static void *serve_thread(void *arg)
{
	struct opts *o = arg;
	char err[512];

	if (endpoint_run(&o->ep, &stop, err, sizeof(err)) < 0) {
		fprintf(stderr, "trustroute-agent: endpoint: %s\n", err);
		stop = 1;
	}
	return NULL;
}

/* A session at most this often on request: a flood of requests (even
 * the NMS's own, in a loop) costs one session a gap. */
#define MIN_REQUEST_GAP_S 5

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool asked;
	struct timespec last; /* CLOCK_MONOTONIC, the last session's start */
} sched = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, { 0 } };

static int on_request(const char *reason, void *arg)
{
	struct timespec now;
	int busy;

	(void)reason;
	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&sched.lock);
	busy = sched.asked ||
	       now.tv_sec - sched.last.tv_sec < MIN_REQUEST_GAP_S;
	if (!busy) {
		sched.asked = true;
		pthread_cond_signal(&sched.wake);
	}
	pthread_mutex_unlock(&sched.lock);
	return busy;
}

static void *request_thread(void *arg)
{
	struct opts *o = arg;
	char err[512];

	if (attest_request_run(&o->rq, &stop, on_request, NULL, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "trustroute-agent: request port: %s\n", err);
		stop = 1;
	}
	return NULL;
}

/* Until the next interval, a request, or a signal. */
static void wait_next(const struct opts *o)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += o->attest_interval;
	pthread_mutex_lock(&sched.lock);
	while (!stop && !sched.asked) {
		struct timespec now, step;

		/* Wake every 200 ms for the signal flag. */
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec &&
						  now.tv_nsec >= until.tv_nsec))
			break;
		step = now;
		step.tv_nsec += 200000000L;
		if (step.tv_nsec >= 1000000000L) {
			step.tv_sec++;
			step.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sched.wake, &sched.lock, &step);
	}
	sched.asked = false;
	pthread_mutex_unlock(&sched.lock);
}

/* The router's daemon: enrolled first, then served and attested. */
static int run(struct opts *o)
{
	pthread_t th, rth;
	int rc;

	if (!enroll_ok(o, "run") || !attest_ok(o, "run"))
		return 2;
	if (!o->attest_interval)
		return usage(2);
	o->en.max_attempts = 0; /* until it works */
	o->ep.notify_ready = true;
	/* Zero-touch monitoring: where the NMS probes and asks us. An
	 * address we listen on by name is said; on any address (0.0.0.0)
	 * the NMS takes the one we enroll from. */
	o->en.endpoint_port = o->ep.port;
	o->en.request_port = o->requests ? o->rq.port : 0;
	if (strcmp(o->ep.address, "0.0.0.0") && strcmp(o->ep.address, "::"))
		o->en.endpoint_address = o->ep.address;
	rc = enroll(o);
	if (rc)
		return rc;
	if (pthread_create(&th, NULL, serve_thread, o))
		return 1;
	o->rq.address = o->ep.address;
	o->rq.nms_ca = o->tc.nms_ca;
	o->rq.nms_name = o->tc.nms_name;
	if (o->requests && pthread_create(&rth, NULL, request_thread, o)) {
		stop = 1;
		pthread_join(th, NULL);
		return 1;
	}
	while (!stop) {
		pthread_mutex_lock(&sched.lock);
		clock_gettime(CLOCK_MONOTONIC, &sched.last);
		pthread_mutex_unlock(&sched.lock);
		attest(o);
		wait_next(o);
	}
	pthread_join(th, NULL);
	if (o->requests)
		pthread_join(rth, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const flags[] = { "mutual", "with-key", NULL };
	struct opts o;
	char err[512], *args[128];
	int n, rc;

	/* Our messages say what failed; the TSS's own log would repeat
	 * each TPM error as noise (TSS2_LOG set by the caller wins). */
	setenv("TSS2_LOG", "all+none", 0);
	if (tr_cli_version(argc, argv, "trustroute-agent"))
		return 0;
	if (argc < 2 || tr_cli_help(argc, argv))
		return usage(argc < 2 ? 2 : 0);
	tr_log_init("trustroute-agent");
	if (tr_config_args(argc - 1, argv + 1, flags, args, &n, 128, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "trustroute-agent: %s\n", err);
		return 2;
	}
	rc = parse(n, args, &o);
	if (rc == -2)
		return 2;
	if (rc < 0)
		return usage(2);
	signals();
	if (!strcmp(argv[1], "enroll"))
		return enroll_ok(&o, "enroll") ? enroll(&o) : 2;
	if (!strcmp(argv[1], "serve")) {
		o.ep.notify_ready = true;
		if (endpoint_run(&o.ep, &stop, err, sizeof(err)) < 0) {
			fprintf(stderr, "trustroute-agent: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (!strcmp(argv[1], "attest"))
		return attest_ok(&o, "attest") ? attest(&o) : 2;
	if (!strcmp(argv[1], "run"))
		return run(&o);
	return usage(2);
}
