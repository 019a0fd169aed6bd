// SPDX-License-Identifier: GPL-2.0-only
/* nmsd's options (nmsd_config.h). */
#define _GNU_SOURCE /* getopt_long */
#include "nms/config/nmsd_config.h"

#include "base/errmsg.h"
#include "nms/route/frr_actuator.h"
#include "tpm/credential.h"
#include "tpm/ek.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nmsd_options_default(struct nmsd_options *o)
{
	*o = (struct nmsd_options){
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
}

/* A decimal number @min..@max, digits only (atoi took "abc" for 0). */
static int number(const char *name, const char *s, unsigned long min,
		  unsigned long max, unsigned long *out, char *err,
		  size_t errlen)
{
	unsigned long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++)
		if (v <= max)
			v = v * 10 + (unsigned long)(*p - '0');
	if (p == s || *p || v < min || v > max)
		return tr_fail(err, errlen,
			       "--%s %s: not a number from %lu to %lu", name, s,
			       min, max);
	*out = v;
	return 0;
}

/* "M" or "M.N", each a decimal number. */
static int version(const char *s, unsigned *major, unsigned *minor, char *err,
		   size_t errlen)
{
	unsigned long m, n = 0;
	char buf[32], *dot;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	dot = strchr(buf, '.');
	if (dot)
		*dot++ = 0;
	if (number("os-min-version", buf, 0, 1000000, &m, NULL, 0) < 0 ||
	    (dot && number("os-min-version", dot, 0, 1000000, &n, NULL, 0) < 0))
		goto bad;
	*major = (unsigned)m;
	*minor = (unsigned)n;
	return 0;
bad:
	return tr_fail(err, errlen, "--os-min-version %s: want M or M.N", s);
}

const struct option nmsd_long_options[] = {
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

int nmsd_options_parse(int argc, char **argv, struct nmsd_options *o, char *err,
		       size_t errlen)
{
	const struct option *opts = nmsd_long_options;
	unsigned long v;
	char why[256];
	int c, i;

	if (errlen)
		err[0] = 0;
	/* 0, not 1: glibc starts afresh, forgetting the last argv. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, &i)) != -1) {
		const char *name = c == '?' ? "" : opts[i].name;
		bool value = c != '?' && opts[i].has_arg == required_argument;

		/* An empty path or name is no path or name: "" as the
		 * database is SQLite's temporary one, lost on exit. */
		if (value && !optarg[0])
			return tr_fail(err, errlen, "--%s: empty", name);
		/* "--db --ca-dir=x" (a config line "db" alone) would make
		 * the next option the database. */
		if (value && optarg[0] == '-' && optarg == argv[optind - 1])
			return tr_fail(err, errlen,
				       "--%s: no value (%s is the next option)",
				       name, optarg);
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
						why, sizeof(why)) < 0)
				return tr_fail(err, errlen,
					       "--ek-templates: %s", why);
			/* A template recognised but not credentialed would
			 * refuse every router of it: refused here. */
			if (o->enroll.ek_templates & ~TR_CREDENTIAL_TEMPLATES)
				return tr_fail(
					err, errlen,
					"--ek-templates: credentials are made for L-1 and H-1 EKs only");
			break;
		case 'l':
			o->est.address = optarg;
			break;
		case 'p':
			if (number(name, optarg, 0, 65535, &v, err, errlen) < 0)
				return -1;
			o->est.port = (unsigned short)v;
			break;
		case 'P':
			o->port_file = optarg;
			break;
		case 'L':
			if (o->policy.n_lists == NMS_MAX_REFERENCE_LISTS)
				return tr_fail(err, errlen,
					       "more than %d --reference-list",
					       NMS_MAX_REFERENCE_LISTS);
			o->policy.lists[o->policy.n_lists++] = optarg;
			break;
		case 'N':
			o->policy.lists_name_dir = optarg;
			break;
		case 'R':
			if (number(name, optarg, 0, TR_PCRS - 1, &v, err,
				   errlen) < 0)
				return -1;
			o->policy.lists_pcr = (int)v;
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
			if (number(name, optarg, 1, 36500, &v, err, errlen) < 0)
				return -1;
			o->enroll.cert_days = (int)v;
			break;
		case 's':
			if (number(name, optarg, 1, 86400, &v, err, errlen) < 0)
				return -1;
			o->enroll.challenge_seconds = (int)v;
			break;
		case 'T':
			o->attest.address = optarg;
			break;
		case 'Q':
			if (number(name, optarg, 0, 65535, &v, err, errlen) < 0)
				return -1;
			o->attest.port = (unsigned short)v;
			break;
		case 'q':
			o->tnc_port_file = optarg;
			break;
		case 'M':
			if (number(name, optarg, 1, 65536, &v, err, errlen) < 0)
				return -1;
			o->attest.max_sessions = (unsigned)v;
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
				return tr_fail(err, errlen,
					       "more than %d --known-bad-list",
					       ATTEST_MAX_BAD_LISTS);
			o->attest.bad_lists[o->attest.n_bad++] = optarg;
			break;
		case 'o':
			if (o->attest.os.n_products == IMV_OS_MAX_PRODUCTS)
				return tr_fail(err, errlen,
					       "more than %d --os-product",
					       IMV_OS_MAX_PRODUCTS);
			o->attest.os.products[o->attest.os.n_products++] =
				optarg;
			break;
		case 'v':
			if (version(optarg, &o->attest.os.min_major,
				    &o->attest.os.min_minor, err, errlen) < 0)
				return -1;
			break;
		case 'I':
			if (number(name, optarg, 0, 86400000, &v, err, errlen) <
			    0)
				return -1;
			o->probe_interval = (unsigned)v;
			break;
		case 'O':
			if (number(name, optarg, 1, 600000, &v, err, errlen) <
			    0)
				return -1;
			o->probe_timeout = (unsigned)v;
			break;
		case 1000:
		case 1004:
		case 1005:
			/* connections: 1 to 65536 */
			if (number(name, optarg, 1, 65536, &v, err, errlen) < 0)
				return -1;
			if (c == 1000)
				o->attest.max_per_source = (unsigned)v;
			else if (c == 1004)
				o->est.connection_limit = (unsigned)v;
			else
				o->est.max_per_source = (unsigned)v;
			break;
		case 1001:
		case 1002:
		case 1003:
		case 1006:
		case 1007:
			/* seconds: 1 to a day */
			if (number(name, optarg, 1, 86400, &v, err, errlen) < 0)
				return -1;
			if (c == 1001)
				o->attest.handshake_ms = (unsigned)v * 1000;
			else if (c == 1002)
				o->attest.idle_ms = (unsigned)v * 1000;
			else if (c == 1003)
				o->attest.session_ms = (unsigned)v * 1000;
			else if (c == 1006)
				o->est.handshake_seconds = (unsigned)v;
			else
				o->est.timeout_seconds = (unsigned)v;
			break;
		case 1200:
			o->member_id = optarg;
			break;
		case 1201:
		case 1202:
		case 1203:
			/* milliseconds: 10 to ten minutes */
			if (number(name, optarg, 10, 600000, &v, err, errlen) <
			    0)
				return -1;
			if (c == 1201)
				o->heartbeat_ms = (unsigned)v;
			else if (c == 1202)
				o->lease_ms = (unsigned)v;
			else
				o->route_poll_ms = (unsigned)v;
			break;
		case 1008:
			if (trust_route_policy_parse(optarg, &o->metrics, err,
						     errlen) < 0)
				return -1;
			break;
		case 1009:
			/* Only TPMs on the allow-list (nmsctl preapprove). */
			o->enroll.preapproval = true;
			break;
		case 1012:
			/* A router's route addresses from its enrollment. */
			o->enroll.register_routes = true;
			break;
		case 1010:
			o->request_on_bad = true;
			break;
		case 1011:
			/* milliseconds, 0 (none) to a day, like probes */
			if (number(name, optarg, 0, 86400000, &v, err, errlen) <
			    0)
				return -1;
			o->request_interval = (unsigned)v;
			break;
		case 1100:
			o->api.address = optarg;
			break;
		case 1101:
			if (number(name, optarg, 0, 65535, &v, err, errlen) < 0)
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
						errlen) < 0)
				return -1;
			break;
		case 'X':
			if (trust_ospf_costs_parse(optarg, &o->metrics, err,
						   errlen) < 0)
				return -1;
			break;
		case 'y':
			/* Set before any thread starts. */
			frr_set_vtysh(optarg);
			break;
		default:
			return -1; /* getopt_long said why */
		}
	}
	if (!o->attest.address)
		o->attest.address = o->est.address;
	if (!o->api.address)
		o->api.address = o->est.address;
	/* API options without the API would be silently ignored. */
	if (!o->api_on && (o->api_port_file || o->api.operator_ca))
		return tr_fail(err, errlen, "--api-* options need --api-port");
	if (!o->attest.sasl_user != !o->attest.sasl_password)
		return tr_fail(err, errlen,
			       "--sasl-user and --sasl-password go together");
	if (optind != argc)
		return tr_fail(err, errlen, "%s: not an option", argv[optind]);
	/* A missing option is named (-2: said, no usage text needed). */
	if (!o->db || !o->est.ca_dir || !o->enroll.ek_roots) {
		tr_fail(err, errlen, "%s is required",
			!o->db	       ? "--db FILE" :
			!o->est.ca_dir ? "--ca-dir DIR" :
					 "--ek-roots PEM");
		return -2;
	}
	/* A lease renewed at every heartbeat must outlive a few of them. */
	if (o->lease_ms && o->lease_ms < 2 * o->heartbeat_ms) {
		tr_fail(err, errlen,
			"--route-lease-ms must be at least twice --heartbeat-ms");
		return -2;
	}
	return 0;
}
