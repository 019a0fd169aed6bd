// SPDX-License-Identifier: GPL-2.0-only
/* nmsd's config file and options (nmsd_config.h). */
#define _GNU_SOURCE /* getline, getopt_long, asprintf */
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

int nmsd_config_args(const char *path, const char *text, size_t len,
		     char **args, int *n, char *err, size_t errlen)
{
	size_t off = 0;
	int lineno = 0;

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - text - off) + 1 : len - off;
		char *line = malloc(ll + 1), *k, *v, *end;
		int rc;

		if (!line)
			return tr_fail(err, errlen, "out of memory");
		/* A line as getline gave it: with its '\n', then a NUL. */
		memcpy(line, text + off, ll);
		line[ll] = 0;
		off += ll;
		lineno++;
		k = line + strspn(line, " \t");
		if (*k == '#' || *k == '\n' || !*k) {
			free(line);
			continue;
		}
		v = strchr(k, '=');
		if (!v || *n >= NMSD_MAX_ARGS - 1) {
			free(line);
			return tr_fail(err, errlen, "%s:%d: want name = value",
				       path, lineno);
		}
		end = v;
		while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = 0;
		v++;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = 0;
		rc = asprintf(&args[*n], "--%s=%s", k, v);
		free(line);
		if (rc < 0)
			return tr_fail(err, errlen, "out of memory");
		(*n)++;
	}
	return 0;
}

int nmsd_config_read(const char *path, char **args, int *n, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, got;
	int rc;

	if (!f)
		return tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	text = malloc(NMSD_CONFIG_MAX + 1);
	while (text && len <= NMSD_CONFIG_MAX &&
	       (got = fread(text + len, 1, NMSD_CONFIG_MAX + 1 - len, f)) > 0)
		len += got;
	if (!text || ferror(f) || len > NMSD_CONFIG_MAX) {
		rc = tr_fail(err, errlen, "%s: %s", path,
			     !text     ? "out of memory" :
			     ferror(f) ? strerror(errno) :
					 "larger than 1 MiB");
	} else {
		rc = nmsd_config_args(path, text, len, args, n, err, errlen);
	}
	free(text);
	fclose(f);
	return rc;
}

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

int nmsd_options_parse(int argc, char **argv, struct nmsd_options *o)
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
	if (!o->attest.sasl_user != !o->attest.sasl_password)
		return -1;
	if (optind != argc || !o->db || !o->est.ca_dir || !o->enroll.ek_roots ||
	    o->enroll.cert_days <= 0 || o->enroll.challenge_seconds <= 0)
		return -1;
	return 0;
}
