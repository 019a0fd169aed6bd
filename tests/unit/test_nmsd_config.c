// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsd's config file and options (nms/config/nmsd_config.h, the file
 * read by base/config.h with nmsd's table): lines become options,
 * comments and blank lines do not count, the command line after the file
 * wins, and what is not a valid configuration is refused naming the line
 * or the option.
 */
#include "base/config.h"
#include "nms/config/nmsd_config.h"
#include "tr_test.h"

#include <getopt.h>

#include <stdlib.h>
#include <string.h>

static char *args[NMSD_MAX_ARGS];
static int n;

static int from_text(const char *text, char *err, size_t errlen)
{
	for (int i = 1; i < n; i++)
		free(args[i]);
	args[0] = (char *)"nmsd";
	n = 1;
	return tr_config_parse("nmsd.conf", text, strlen(text),
			       nmsd_long_options, args, &n, NMSD_MAX_ARGS, err,
			       errlen);
}

static void test_lines(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(from_text("# the NMS\n"
				   "\n"
				   "   \t\n"
				   "db = /var/lib/nms.db\n"
				   "  ca-dir\t=\t/etc/trustroute/ca\n"
				   "metrics=good=5,bad=50\n"
				   "mutual = yes\n"
				   "ek-roots = /etc/trustroute/ek roots.pem",
				   err, sizeof(err)),
			 0);
	assert_int_equal(n, 6);
	assert_string_equal(args[1], "--db=/var/lib/nms.db");
	assert_string_equal(args[2], "--ca-dir=/etc/trustroute/ca");
	assert_string_equal(args[3], "--metrics=good=5,bad=50");
	assert_string_equal(args[4], "--mutual");
	assert_string_equal(args[5], "--ek-roots=/etc/trustroute/ek roots.pem");
	assert_int_equal(from_text("db = x\nno value here\n", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "nmsd.conf:2: want name = value"));
}

/*
 * What fuzz_nmsd_config found in nmsd's first reader (now base/config's,
 * test_config has the rest): a NUL ended a line early and silently, "= x"
 * and "db file = x" became options; and what only nmsd's table can tell:
 * a name that is none of its options is refused with its line, not by
 * getopt_long later without one, and an option's abbreviation (which
 * getopt_long would take) is no name in a file.
 */
static void test_lines_refused(void **state)
{
	static const char nul[] = "db = /var/lib/nms.db\0.old\n";
	char err[256];

	(void)state;
	args[0] = (char *)"nmsd";
	for (int i = 1; i < n; i++)
		free(args[i]);
	n = 1;
	assert_int_equal(tr_config_parse("nmsd.conf", nul, sizeof(nul) - 1,
					 nmsd_long_options, args, &n,
					 NMSD_MAX_ARGS, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "NUL"));
	assert_int_equal(n, 1);
	assert_int_equal(from_text("= x\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nmsd.conf:1:"));
	assert_int_equal(from_text("db = x\ndb file = y\n", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "nmsd.conf:2:"));
	assert_int_equal(from_text("db = x\n\ntnc-max-session = 9\n", err,
				   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "nmsd.conf:3: tnc-max-session: unknown"));
	assert_int_equal(from_text("ek-root = /r\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ek-root: unknown option"));
	assert_int_equal(from_text("api-port = 8080\nmutual = 2\n", err,
				   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "nmsd.conf:2: mutual: want yes or no"));
	assert_int_equal(
		from_text("db = /x \t\r\nport=1\r\n", err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(args[1], "--db=/x");
	assert_string_equal(args[2], "--port=1");
}

static void test_options(void **state)
{
	struct nmsd_options o;
	char err[256];

	(void)state;
	assert_int_equal(from_text("db = /tmp/nms.db\n"
				   "ca-dir = /tmp/ca\n"
				   "ek-roots = /tmp/roots.pem\n"
				   "port = 9443\n"
				   "tnc-port = 2710\n"
				   "os-product = Debian\n"
				   "metrics = bad=1000\n",
				   err, sizeof(err)),
			 0);
	args[n++] = (char *)"--port=10443"; /* the command line wins */
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(n, args, &o, err, sizeof(err)), 0);
	n--;
	assert_string_equal(o.db, "/tmp/nms.db");
	assert_int_equal(o.est.port, 10443);
	assert_int_equal(o.attest.port, 2710);
	assert_string_equal(o.attest.address, "127.0.0.1");
	assert_int_equal(o.attest.os.n_products, 1);
	assert_int_equal(o.metrics.metric[TRUST_BAD], 1000);
	assert_int_equal(o.metrics.metric[TRUST_GOOD], 10);
	assert_int_equal(o.enroll.cert_days, 365);
	/* Without the database, the CA or the EK roots: refused, the
	 * missing one named (nmsd exits 2 without its usage text). */
	assert_int_equal(from_text("db = /tmp/nms.db\nca-dir = /tmp/ca\n", err,
				   sizeof(err)),
			 0);
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(n, args, &o, err, sizeof(err)), -2);
	assert_string_equal(err, "--ek-roots PEM is required");
	/* The API: its options, and theirs without --api-port refused. */
	assert_int_equal(from_text("db = /tmp/nms.db\nca-dir = /tmp/ca\n"
				   "ek-roots = /r\napi-port-file = /tmp/p\n",
				   err, sizeof(err)),
			 0);
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(n, args, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "need --api-port"));
	args[n++] = (char *)"--api-port=8080";
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(n, args, &o, err, sizeof(err)), 0);
	n--;
	assert_true(o.api_on);
	assert_int_equal(o.api.port, 8080);
	assert_string_equal(o.api.address, "127.0.0.1");
	assert_string_equal(o.api_port_file, "/tmp/p");
}

/*
 * What fuzz_nmsd_config found: numbers went through atoi, so "abc" was
 * port 0 (any free port) and 70000 port 4464; --lists-pcr 99 (or -1)
 * was taken and, without reference lists, attest_service_new wrote the
 * PCR selection out of bounds; an empty --db was SQLite's temporary
 * database, lost on exit; --os-min-version -1 was 4294967295; and an
 * option without its value took the next option as one.
 */
static void test_options_refused(void **state)
{
	static const char *const bad[] = {
		"--port=abc",
		"--port=70000",
		"--port=-1",
		"--port= 80",
		"--tnc-port=8x",
		"--lists-pcr=99",
		"--lists-pcr=-1",
		"--cert-days=0",
		"--cert-days=0x10",
		"--challenge-seconds=",
		"--tnc-max-sessions=0",
		"--db=",
		"--probe-timeout=0",
		"--os-min-version=-1",
		"--os-min-version=5.x",
		"--os-min-version=",
		"--ca-dir=",
		"--ek-templates=X-9",
		"--ek-templates=L-2",
		"--ek-crls=",
		"--ospf-costs=good=5,bad=5",
		"--vtysh=",
		"--api-port=65536",
		"--api-port=x",
		"--api-listen=",
		"--api-operator-ca=",
	};
	char *argv[5] = { (char *)"nmsd", (char *)"--db=/tmp/db",
			  (char *)"--ca-dir=/tmp/ca",
			  (char *)"--ek-roots=/tmp/r.pem" };
	struct nmsd_options o;
	char err[256];

	(void)state;
	opterr = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[4] = (char *)bad[i];
		nmsd_options_default(&o);
		err[0] = 0;
		if (nmsd_options_parse(5, argv, &o, err, sizeof(err)) != -1)
			fail_msg("%s was accepted", bad[i]);
		if (!err[0])
			fail_msg("%s: no reason given", bad[i]);
	}
	/* A line "db" alone took the next option for its value: now the
	 * reader refuses it, and the command line's "--db --ca-dir=x" is
	 * refused here. */
	assert_int_equal(from_text("db\nca-dir = /tmp/ca\nek-roots = /r\n", err,
				   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "nmsd.conf:1: want name = value"));
	{
		char *argv2[] = { (char *)"nmsd", (char *)"--db",
				  (char *)"--ca-dir=/tmp/ca",
				  (char *)"--ek-roots=/r", NULL };

		nmsd_options_default(&o);
		assert_int_equal(
			nmsd_options_parse(4, argv2, &o, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "--db: no value"));
	}
	argv[4] = (char *)"--os-min-version=12";
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(5, argv, &o, err, sizeof(err)), 0);
	assert_int_equal(o.attest.os.min_major, 12);
	assert_int_equal(o.attest.os.min_minor, 0);
	argv[4] = (char *)"--port=0";
	assert_int_equal(nmsd_options_parse(5, argv, &o, err, sizeof(err)), 0);
	assert_int_equal(o.est.port, 0);
	opterr = 1;
}

/*
 * Issue 20's options (route policy, pre-approval, attest requests) and
 * issue 17's (several nmsd on one PostgreSQL), from the file as from the
 * command line, their values checked like the others'.
 */
static void test_options_issue_17_20(void **state)
{
	static const char *const bad[] = {
		"--attest-request-interval=abc",
		"--attest-request-interval=-1",
		"--attest-request-interval=86400001",
		"--heartbeat-ms=9",
		"--heartbeat-ms=600001",
		"--route-lease-ms=1s",
		"--route-poll-ms=",
		"--member-id=",
		"--route-policy=good=withdraw",
		"--route-policy=bad=drop",
		"--route-policy=",
		"--preapproval=yes",
	};
	char *argv[5] = { (char *)"nmsd", (char *)"--db=/tmp/db",
			  (char *)"--ca-dir=/tmp/ca",
			  (char *)"--ek-roots=/tmp/r.pem" };
	struct nmsd_options o;
	char err[256];

	(void)state;
	assert_int_equal(from_text("db = postgresql://nms@db/tr\n"
				   "ca-dir = /tmp/ca\n"
				   "ek-roots = /tmp/roots.pem\n"
				   "route-policy = bad=withdraw\n"
				   "preapproval = yes\n"
				   "register-routes = on\n"
				   "attest-request-on-bad = no\n"
				   "attest-request-interval = 600000\n"
				   "member-id = nms-1\n"
				   "heartbeat-ms = 1000\n"
				   "route-lease-ms = 3000\n"
				   "route-poll-ms = 200\n",
				   err, sizeof(err)),
			 0);
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(n, args, &o, err, sizeof(err)), 0);
	assert_true(o.metrics.withdraw[TRUST_BAD]);
	assert_false(o.metrics.withdraw[TRUST_OFFLINE]);
	assert_true(o.enroll.preapproval);
	assert_true(o.enroll.register_routes);
	assert_false(o.request_on_bad);
	assert_int_equal(o.request_interval, 600000);
	assert_string_equal(o.member_id, "nms-1");
	assert_int_equal(o.heartbeat_ms, 1000);
	assert_int_equal(o.lease_ms, 3000);
	assert_int_equal(o.route_poll_ms, 200);
	/* A lease under two heartbeats: said, without the usage text. */
	assert_int_equal(from_text("db = /tmp/nms.db\nca-dir = /tmp/ca\n"
				   "ek-roots = /r\nheartbeat-ms = 1000\n"
				   "route-lease-ms = 1999\n",
				   err, sizeof(err)),
			 0);
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(n, args, &o, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "at least twice --heartbeat-ms"));
	opterr = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[4] = (char *)bad[i];
		nmsd_options_default(&o);
		err[0] = 0;
		if (nmsd_options_parse(5, argv, &o, err, sizeof(err)) >= 0)
			fail_msg("%s was accepted", bad[i]);
	}
	argv[4] = (char *)"--attest-request-on-bad";
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(5, argv, &o, err, sizeof(err)), 0);
	assert_true(o.request_on_bad);
	opterr = 1;
}

/*
 * attest_service_new sets the lists PCR in the IMV's selection of 24: a
 * lists PCR past it (from a caller other than nmsd_options_parse, which
 * now refuses it) wrote out of bounds. Refused before anything opens.
 */
static void test_attest_lists_pcr(void **state)
{
	struct nms_key_policy_config refs = { .lists_pcr = 99 };
	struct attest_service_config c = { .refs = &refs };
	char err[256] = "";

	(void)state;
	assert_null(attest_service_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "the lists PCR 99 is not 0..23"));
	refs.lists_pcr = -1;
	assert_null(attest_service_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "the lists PCR -1"));
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 1; i < n; i++)
		free(args[i]);
	n = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_lines_refused),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_refused),
		cmocka_unit_test(test_options_issue_17_20),
		cmocka_unit_test(test_attest_lists_pcr),
	};

	return TR_RUN(tests, NULL, teardown);
}
