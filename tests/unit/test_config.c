// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemons' config files (base/config.h): "name = value" lines as
 * --name=value, comments and blank lines skipped, booleans written
 * "mutual = yes" (and "no" leaving them off), bad lines named with file
 * and line, and --config's options before the command line's.
 */
#include "base/config.h"
#include "tr_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const bools[] = { "mutual", "with-key", NULL };

static void free_args(char **args, int from, int n)
{
	for (int i = from; i < n; i++)
		free(args[i]);
}

static void test_lines(void **state)
{
	char *args[16], err[256];
	int n = 0;

	(void)state;
	assert_int_equal(tr_config_parse("f.conf",
					 "# the NMS\n"
					 "db = /var/lib/trustroute/nms.db\n"
					 "\n"
					 "  listen=10.0.0.1  \n"
					 "mutual = yes\n"
					 "with-key = no\n"
					 "os-product = Debian GNU/Linux = 12\n",
					 bools, args, &n, 16, err, sizeof(err)),
			 0);
	assert_int_equal(n, 4);
	assert_string_equal(args[0], "--db=/var/lib/trustroute/nms.db");
	assert_string_equal(args[1], "--listen=10.0.0.1");
	assert_string_equal(args[2], "--mutual");
	assert_string_equal(args[3], "--os-product=Debian GNU/Linux = 12");
	free_args(args, 0, n);
}

static void test_bad_lines(void **state)
{
	char *args[16], err[256];
	int n = 0;

	(void)state;
	assert_int_equal(tr_config_parse("f.conf", "db = x\nmutual = perhaps\n",
					 bools, args, &n, 16, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "f.conf:2: mutual: want yes or no"));
	free_args(args, 0, n);
	n = 0;
	assert_int_equal(tr_config_parse("f.conf", "\n\njust words\n", bools,
					 args, &n, 16, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "f.conf:3: want name = value"));
	n = 0;
	assert_int_equal(tr_config_parse("f.conf", "--db = x\n", bools, args,
					 &n, 16, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not an option name"));
	n = 0;
	assert_int_equal(tr_config_parse("f.conf", "a = 1\nb = 2\nc = 3\n",
					 bools, args, &n, 3, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "too many"));
	free_args(args, 0, n);
}

static void test_args(void **state)
{
	char path[] = "/tmp/trustroute-config.XXXXXX", err[256], *out[16];
	char *argv[] = {
		"nmsd", "--port", "9", "--config", path, "--db=y", NULL
	};
	int fd = mkstemp(path), n;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "db = x\nmutual = on\n", 19), 19);
	close(fd);
	assert_int_equal(tr_config_args(6, argv, bools, out, &n, 16, err,
					sizeof(err)),
			 0);
	/* The file's first, then the command line's (which win). */
	assert_int_equal(n, 6);
	assert_string_equal(out[0], "nmsd");
	assert_string_equal(out[1], "--db=x");
	assert_string_equal(out[2], "--mutual");
	assert_string_equal(out[3], "--port");
	assert_string_equal(out[4], "9");
	assert_string_equal(out[5], "--db=y");
	free_args(out, 1, 3);
	argv[4] = "/nonexistent/x.conf";
	assert_int_equal(tr_config_args(6, argv, bools, out, &n, 16, err,
					sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "/nonexistent/x.conf: No such file"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_args),
	};

	return TR_RUN(tests, NULL, NULL);
}
