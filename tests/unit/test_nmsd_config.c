// SPDX-License-Identifier: GPL-2.0-only
/*
 * nmsd's config file and options (nms/config/nmsd_config.h): lines
 * become options, comments and blank lines do not count, the command
 * line after the file wins, and what is not a valid configuration is
 * refused naming the line.
 */
#include "nms/config/nmsd_config.h"
#include "tr_test.h"

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
	return nmsd_config_args("nmsd.conf", text, strlen(text), args, &n, err,
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
				   "mutual =\n"
				   "ek-roots = /etc/trustroute/ek roots.pem",
				   err, sizeof(err)),
			 0);
	assert_int_equal(n, 6);
	assert_string_equal(args[1], "--db=/var/lib/nms.db");
	assert_string_equal(args[2], "--ca-dir=/etc/trustroute/ca");
	assert_string_equal(args[3], "--metrics=good=5,bad=50");
	assert_string_equal(args[4], "--mutual=");
	assert_string_equal(args[5], "--ek-roots=/etc/trustroute/ek roots.pem");
	assert_int_equal(from_text("db = x\nno value here\n", err, sizeof(err)),
			 -1);
	assert_string_equal(err, "nmsd.conf:2: want name = value");
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
	assert_int_equal(nmsd_options_parse(n, args, &o), 0);
	n--;
	assert_string_equal(o.db, "/tmp/nms.db");
	assert_int_equal(o.est.port, 10443);
	assert_int_equal(o.attest.port, 2710);
	assert_string_equal(o.attest.address, "127.0.0.1");
	assert_int_equal(o.attest.os.n_products, 1);
	assert_int_equal(o.metrics.metric[TRUST_BAD], 1000);
	assert_int_equal(o.metrics.metric[TRUST_GOOD], 10);
	assert_int_equal(o.enroll.cert_days, 365);
	/* Without the database, the CA or the EK roots: refused. */
	assert_int_equal(from_text("db = /tmp/nms.db\nca-dir = /tmp/ca\n", err,
				   sizeof(err)),
			 0);
	nmsd_options_default(&o);
	assert_int_equal(nmsd_options_parse(n, args, &o), -1);
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
		cmocka_unit_test(test_options),
	};

	return TR_RUN(tests, NULL, teardown);
}
