// SPDX-License-Identifier: GPL-2.0-only
/*
 * trustroute-agent: the router's agent.
 *
 *   trustroute-agent enroll --state-dir DIR --nms URL --nms-ca PEM
 *                           --device NAME [--pcrs sha256:N,...]
 *                           [--alg ecc|rsa] [--max-attempts N]
 *                           [--backoff-ms N] [--backoff-max-ms N]
 *   trustroute-agent serve --state-dir DIR [--listen ADDR] [--port N]
 *                          [--port-file FILE]
 *   trustroute-agent attest --state-dir DIR --nms ADDR --nms-port N
 *                           --nms-name NAME --nms-ca PEM --ima-log FILE
 *                           [--os-root DIR] [--mutual] [--with-key]
 *                           [--timeout MS]
 *
 * enroll: zero-touch enrollment; exit 0 when enrolled (now or before), 1
 * when it gave up. serve: the implicit-attestation endpoint (TLS with the
 * sealed key) until SIGTERM. attest: one PT-TLS/PB-TNC session with the
 * NMS; exit 0 when access is allowed, 1 otherwise. Exit 2 on usage.
 */
#include "attest_endpoint.h"
#include "enroll_client.h"
#include "tnc_client.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(int rc)
{
	fputs("usage: trustroute-agent enroll --state-dir DIR --nms URL --nms-ca PEM\n"
	      "                               --device NAME [--pcrs sha256:N,...]\n"
	      "                               [--alg ecc|rsa] [--max-attempts N]\n"
	      "                               [--backoff-ms N] [--backoff-max-ms N]\n"
	      "       trustroute-agent serve --state-dir DIR [--listen ADDR] [--port N]\n"
	      "                              [--port-file FILE]\n"
	      "       trustroute-agent attest --state-dir DIR --nms ADDR --nms-port N\n"
	      "                               --nms-name NAME --nms-ca PEM --ima-log FILE\n"
	      "                               [--os-root DIR] [--mutual] [--with-key] [--timeout MS]\n",
	      rc ? stderr : stdout);
	return rc;
}

static int cmd_enroll(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "nms", required_argument, NULL, 'n' },
		{ "nms-ca", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "pcrs", required_argument, NULL, 'p' },
		{ "alg", required_argument, NULL, 'a' },
		{ "max-attempts", required_argument, NULL, 'm' },
		{ "backoff-ms", required_argument, NULL, 'b' },
		{ "backoff-max-ms", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct enroll_config c = { .alg = TR_KEY_ECC_P256,
				   .backoff_ms = 1000,
				   .backoff_max_ms = 600000 };
	const char *pcrs = "sha256:11";
	char err[512];
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			c.state_dir = optarg;
			break;
		case 'n':
			c.nms_url = optarg;
			break;
		case 'c':
			c.nms_ca = optarg;
			break;
		case 'd':
			c.device = optarg;
			break;
		case 'p':
			pcrs = optarg;
			break;
		case 'a':
			if (!strcmp(optarg, "rsa"))
				c.alg = TR_KEY_RSA_2048;
			else if (strcmp(optarg, "ecc"))
				return usage(2);
			break;
		case 'm':
			c.max_attempts = atoi(optarg);
			break;
		case 'b':
			c.backoff_ms = (unsigned)atoi(optarg);
			break;
		case 'B':
			c.backoff_max_ms = (unsigned)atoi(optarg);
			break;
		default:
			return usage(2);
		}
	}
	if (optind != argc || !c.state_dir || !c.nms_url || !c.nms_ca ||
	    !c.device || c.max_attempts < 0 || !c.backoff_ms ||
	    c.backoff_max_ms < c.backoff_ms)
		return usage(2);
	if (tr_pcr_selection_parse(pcrs, &c.pcrs) < 0) {
		fprintf(stderr,
			"trustroute-agent: --pcrs %s: want sha256:N[,N...]\n",
			pcrs);
		return 2;
	}
	if (enroll_run(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "trustroute-agent: not enrolled: %s\n", err);
		return 1;
	}
	printf("%s: enrolled; certificate in %s/tls.crt\n", c.device,
	       c.state_dir);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct endpoint_config c = { .address = "0.0.0.0", .port = 8444 };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 's')
			c.state_dir = optarg;
		else if (o == 'l')
			c.address = optarg;
		else if (o == 'p')
			c.port = (unsigned short)atoi(optarg);
		else if (o == 'P')
			c.port_file = optarg;
		else
			return usage(2);
	}
	if (optind != argc || !c.state_dir)
		return usage(2);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (endpoint_run(&c, &stop, err, sizeof(err)) < 0) {
		fprintf(stderr, "trustroute-agent: %s\n", err);
		return 1;
	}
	return 0;
}

static int cmd_attest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "nms", required_argument, NULL, 'n' },
		{ "nms-port", required_argument, NULL, 'p' },
		{ "nms-name", required_argument, NULL, 'N' },
		{ "nms-ca", required_argument, NULL, 'c' },
		{ "ima-log", required_argument, NULL, 'l' },
		{ "os-root", required_argument, NULL, 'r' },
		{ "mutual", no_argument, NULL, 'm' },
		{ "with-key", no_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct tnc_client_config c = {
		.ima_log =
			"/sys/kernel/security/ima/binary_runtime_measurements",
		.os_root = "/",
		.nms_port = 271,
		.timeout_ms = 30000,
	};
	struct tnc_client_result r;
	char err[512];
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			c.state_dir = optarg;
			break;
		case 'n':
			c.nms_address = optarg;
			break;
		case 'p':
			c.nms_port = (unsigned short)atoi(optarg);
			break;
		case 'N':
			c.nms_name = optarg;
			break;
		case 'c':
			c.nms_ca = optarg;
			break;
		case 'l':
			c.ima_log = optarg;
			break;
		case 'r':
			c.os_root = optarg;
			break;
		case 'm':
			c.mutual = true;
			break;
		case 'k':
			c.use_key = true;
			break;
		case 't':
			c.timeout_ms = (unsigned)atoi(optarg);
			break;
		default:
			return usage(2);
		}
	}
	if (optind != argc || !c.state_dir || !c.nms_address || !c.nms_name ||
	    !c.nms_ca)
		return usage(2);
	signal(SIGPIPE, SIG_IGN);
	if (tnc_client_run(&c, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "trustroute-agent: attestation session: %s\n",
			err);
		return 2;
	}
	if (r.without_key)
		fprintf(stderr, "attest: without the sealed key: %s\n",
			r.key_error);
	printf("access %s (assessment %u), %u batches%s%s%s%s\n",
	       tnc_access_name(r.access), r.assessment, r.batches,
	       r.quoted ? ", quoted" : "", r.mutual ? ", mutual" : "",
	       r.nms_assessed ? ", NMS assessed" : "",
	       r.without_key ? ", without the sealed key" : "");
	return r.access == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	/* Our messages say what failed; the TSS's own log would repeat
	 * each TPM error as noise (TSS2_LOG set by the caller wins). */
	setenv("TSS2_LOG", "all+none", 0);
	if (argc < 2 || !strcmp(argv[1], "--help"))
		return usage(argc < 2 ? 2 : 0);
	if (!strcmp(argv[1], "enroll"))
		return cmd_enroll(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "attest"))
		return cmd_attest(argc - 1, argv + 1);
	return usage(2);
}
