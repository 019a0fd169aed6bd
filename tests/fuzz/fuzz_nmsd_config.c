// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: nmsd's config file and options on arbitrary text, as nmsd
 * reads them: base/config.h's reader with nmsd's table
 * (nmsd_long_options), then nmsd_options_parse (nms/config/nmsd_config.h).
 * The lines become exactly the options a reference reading of the format
 * gives (here, independently: '#' comments, blank lines, "name = value"
 * with a name that is exactly one of nmsd's options, a flag's value yes
 * or no, another option's not empty, CRLF, blanks around, lines under
 * 4 KiB, no NUL), or the text is refused naming the file. The options
 * then parse, or not: when they do, every one of them named an option
 * with a valid value: numbers decimal and in range, paths and names not
 * empty, the three that nmsd needs present, no API option without the
 * API. abort() otherwise.
 */
#define _GNU_SOURCE /* asprintf */
#include "base/config.h"
#include "fuzz.h"
#include "nms/config/nmsd_config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The options, with the values they take (min > max: a string). */
static const struct {
	const char *name;
	unsigned long min, max;
	bool flag;
} opts[] = {
	{ "db", 1, 0, false },
	{ "ca-dir", 1, 0, false },
	{ "ek-roots", 1, 0, false },
	{ "ek-intermediates", 1, 0, false },
	{ "ek-crls", 1, 0, false },
	{ "ek-templates", 1, 0, false },
	{ "listen", 1, 0, false },
	{ "port", 0, 65535, false },
	{ "port-file", 1, 0, false },
	{ "reference-list", 1, 0, false },
	{ "lists-name-dir", 1, 0, false },
	{ "lists-pcr", 0, 23, false },
	{ "pcr-values", 1, 0, false },
	{ "authorizer", 1, 0, false },
	{ "authorizer-ref", 1, 0, false },
	{ "cert-days", 1, 36500, false },
	{ "challenge-seconds", 1, 86400, false },
	{ "tnc-listen", 1, 0, false },
	{ "tnc-port", 0, 65535, false },
	{ "tnc-port-file", 1, 0, false },
	{ "tnc-max-sessions", 1, 65536, false },
	{ "sasl-user", 1, 0, false },
	{ "sasl-password", 1, 0, false },
	{ "mutual", 0, 0, true },
	{ "known-bad-list", 1, 0, false },
	{ "os-product", 1, 0, false },
	{ "os-min-version", 1, 0, false },
	{ "probe-interval", 0, 86400000, false },
	{ "probe-timeout", 1, 600000, false },
	{ "metrics", 1, 0, false },
	{ "tnc-max-per-source", 1, 65536, false },
	{ "tnc-handshake-timeout", 1, 86400, false },
	{ "tnc-idle-timeout", 1, 86400, false },
	{ "tnc-session-timeout", 1, 86400, false },
	{ "est-max-connections", 1, 65536, false },
	{ "est-max-per-source", 1, 65536, false },
	{ "est-handshake-timeout", 1, 86400, false },
	{ "est-idle-timeout", 1, 86400, false },
	{ "ospf-costs", 1, 0, false },
	{ "vtysh", 1, 0, false },
	{ "member-id", 1, 0, false },
	{ "heartbeat-ms", 10, 600000, false },
	{ "route-lease-ms", 10, 600000, false },
	{ "route-poll-ms", 10, 600000, false },
	{ "route-policy", 1, 0, false },
	{ "preapproval", 0, 0, true },
	{ "register-routes", 0, 0, true },
	{ "attest-request-on-bad", 0, 0, true },
	{ "attest-request-interval", 0, 86400000, false },
	{ "api-listen", 1, 0, false },
	{ "api-port", 0, 65535, false },
	{ "api-port-file", 1, 0, false },
	{ "api-operator-ca", 1, 0, false },
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* The option named exactly @k (@len bytes), or -1. */
static int exact(const char *k, size_t len)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (strlen(opts[i].name) == len &&
		    !strncmp(opts[i].name, k, len))
			return (int)i;
	return -1;
}

/* A flag's value @v (@len bytes): 1 yes, 0 no, -1 neither. */
static int yes_no(const char *v, size_t len)
{
	static const char *const words[] = { "yes", "true",  "on",  "1",
					     "no",  "false", "off", "0" };

	for (size_t i = 0; i < 8; i++)
		if (strlen(words[i]) == len && !strncasecmp(words[i], v, len))
			return i < 4;
	return -1;
}

/* The reference reading: the options of @t into @want, or false. */
static bool reference(const char *t, size_t len, char **want, int *n)
{
	const char *end = t + len;

	if (memchr(t, 0, len))
		return false;
	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		const char *e = nl ? nl : end, *k, *ke, *v, *eq;
		int i, yn;

		if (e - t >= TR_CONFIG_LINE_MAX)
			return false;
		while (e > t && (blank(e[-1]) || e[-1] == '\r'))
			e--;
		while (t < e && blank(*t))
			t++;
		if (t < e && *t != '#') {
			eq = memchr(t, '=', (size_t)(e - t));
			if (!eq)
				return false;
			for (k = t, ke = eq; ke > k && blank(ke[-1]); ke--)
				;
			if (ke == k || *k < 'a' || *k > 'z')
				return false;
			for (const char *c = k; c < ke; c++)
				if (!name_byte(*c))
					return false;
			i = exact(k, (size_t)(ke - k));
			if (i < 0 || *n >= NMSD_MAX_ARGS - 1)
				return false;
			for (v = eq + 1; v < e && blank(*v); v++)
				;
			if (opts[i].flag) {
				yn = yes_no(v, (size_t)(e - v));
				if (yn < 0)
					return false;
				if (yn && asprintf(&want[(*n)++], "--%s",
						   opts[i].name) < 0)
					abort();
			} else {
				if (v == e)
					return false;
				if (asprintf(&want[(*n)++], "--%s=%.*s",
					     opts[i].name, (int)(e - v), v) < 0)
					abort();
			}
		}
		t = nl ? nl + 1 : end;
	}
	return true;
}

/* The option @arg names, as getopt_long finds it, or -1. */
static int option_of(const char *arg, const char **value)
{
	const char *eq = strchr(arg + 2, '=');
	size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	int found = -1;

	*value = eq ? eq + 1 : NULL;
	for (size_t i = 0; i < N_OPTS; i++) {
		if (strncmp(opts[i].name, arg + 2, len))
			continue;
		if (strlen(opts[i].name) == len)
			return (int)i;
		found = found < 0 ? (int)i : -2;
	}
	return found < 0 ? -1 : found;
}

static bool decimal(const char *s, unsigned long min, unsigned long max)
{
	unsigned long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++)
		if (v <= max)
			v = v * 10 + (unsigned long)(*p - '0');
	return p > s && !*p && v >= min && v <= max;
}

static void check_options(char **args, int n, const struct nmsd_options *o)
{
	bool db = false, ca = false, roots = false;

	for (int i = 1; i < n; i++) {
		const char *v;
		int k = option_of(args[i], &v);

		if (strncmp(args[i], "--", 2) || k < 0)
			abort();
		if (opts[k].flag) {
			if (v)
				abort();
			continue;
		}
		if (!v || !v[0])
			abort();
		if (opts[k].min <= opts[k].max &&
		    !decimal(v, opts[k].min, opts[k].max))
			abort();
		db |= k == 0;
		ca |= k == 1;
		roots |= k == 2;
	}
	if (!o->api_on && (o->api_port_file || o->api.operator_ca))
		abort();
	if (!db || !ca || !roots || !o->db || !o->est.ca_dir ||
	    !o->enroll.ek_roots || o->policy.lists_pcr < 0 ||
	    o->policy.lists_pcr >= 24 ||
	    !o->attest.sasl_user != !o->attest.sasl_password ||
	    (o->lease_ms && o->lease_ms < 2 * o->heartbeat_ms))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *args[NMSD_MAX_ARGS], *want[NMSD_MAX_ARGS];
	const char *text = (const char *)data;
	struct nmsd_options o;
	char err[512] = "";
	int n = 1, nw = 1, rc;
	bool ok;

	/* The reference's table is nmsd's, option for option. */
	for (size_t i = 0; i <= N_OPTS; i++) {
		const struct option *l = &nmsd_long_options[i];

		if (i == N_OPTS ?
			    l->name != NULL :
			    !l->name || strcmp(l->name, opts[i].name) ||
				    (l->has_arg == no_argument) != opts[i].flag)
			abort();
	}
	args[0] = want[0] = (char *)"nmsd";
	ok = reference(text, size, want, &nw);
	rc = tr_config_parse("fuzz.conf", text, size, nmsd_long_options, args,
			     &n, NMSD_MAX_ARGS, err, sizeof(err));
	if (rc != (ok ? 0 : -1) || (rc && !strstr(err, "fuzz.conf")))
		abort();
	if (!rc) {
		if (n != nw)
			abort();
		for (int i = 1; i < n; i++)
			if (strcmp(args[i], want[i]))
				abort();
		opterr = 0;
		nmsd_options_default(&o);
		rc = nmsd_options_parse(n, args, &o, err, sizeof(err));
		if (!rc)
			check_options(args, n, &o);
		else if (rc == -2 && o.db && o.est.ca_dir &&
			 o.enroll.ek_roots &&
			 !(o.lease_ms && o.lease_ms < 2 * o.heartbeat_ms &&
			   strstr(err, "--route-lease-ms")))
			abort(); /* "missing" with all three there */
		else if (rc < 0 && !err[0])
			abort(); /* refused without a reason */
	}
	for (int i = 1; i < n; i++)
		free(args[i]);
	for (int i = 1; i < nw; i++)
		free(want[i]);
	return 0;
}
