// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemons' config files (base/config.h): "name = value" lines as
 * --name=value, comments and blank lines skipped, booleans written
 * "mutual = yes" (and "no" leaving them off), bad lines named with file
 * and line (strictly: only the program's options, each with its value),
 * and --config's options before the command line's.
 */
#include "base/config.h"
#include "tr_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct option opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "listen", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "os-product", required_argument, NULL, 'o' },
	{ "mutual", no_argument, NULL, 'm' },
	{ "with-key", no_argument, NULL, 'k' },
	{ "a", required_argument, NULL, 'a' },
	{ "b", required_argument, NULL, 'b' },
	{ "c", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 },
};

/* @text as a config file's: its length is the string's. */
static int parse(const char *text, char **args, int *n, int max, char *err,
		 size_t errlen)
{
	return tr_config_parse("f.conf", text, strlen(text), opts, args, n, max,
			       err, errlen);
}

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
	assert_int_equal(parse("# the NMS\n"
			       "db = /var/lib/trustroute/nms.db\n"
			       "\n"
			       "  listen=10.0.0.1  \n"
			       "mutual = yes\n"
			       "with-key = no\n"
			       "os-product = Debian GNU/Linux = 12\n",
			       args, &n, 16, err, sizeof(err)),
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
	assert_int_equal(parse("db = x\nmutual = perhaps\n", args, &n, 16, err,
			       sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "f.conf:2: mutual: want yes or no"));
	free_args(args, 0, n);
	n = 0;
	assert_int_equal(
		parse("\n\njust words\n", args, &n, 16, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f.conf:3: want name = value"));
	n = 0;
	assert_int_equal(parse("--db = x\n", args, &n, 16, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not an option name"));
	n = 0;
	assert_int_equal(parse("a = 1\nb = 2\nc = 3\n", args, &n, 3, err,
			       sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "too many"));
	free_args(args, 0, n);
}

/*
 * What the strict reading refuses (fuzz_nmsd_config found the first four
 * in nmsd's own reader, which this one replaced): a NUL that ended a
 * line early and silently, "= x" and "db file = x" (no name, a blank in
 * it), and a CRLF file's "\r" in every value; then names that are no
 * option (misspelt, abbreviated, in capitals), an option without its
 * value, a flag alone and a line longer than the reader holds.
 */
static void test_strict(void **state)
{
	static const char nul[] = "db = /var/lib/nms.db\0.old\n";
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "= x\n", "f.conf:1: \"\" is not an option name" },
		{ "db = x\ndb file = y\n", "f.conf:2: \"db file\" is not" },
		{ "Port = 1\n", "f.conf:1: \"Port\" is not an option name" },
		{ "prot = 1\n", "f.conf:1: prot: unknown option" },
		{ "po = 1\n", "f.conf:1: po: unknown option" },
		{ "config = /etc/x.conf\n", "config: unknown option" },
		{ "db =\n", "f.conf:1: db: no value" },
		{ "db = \t\r\n", "f.conf:1: db: no value" },
		{ "mutual\n", "f.conf:1: want name = value" },
		{ "mutual =\n", "mutual: want yes or no" },
	};
	char *args[16], err[256], *big;
	int n = 0;

	(void)state;
	assert_int_equal(tr_config_parse("f.conf", nul, sizeof(nul) - 1, opts,
					 args, &n, 16, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "f.conf: a NUL byte at offset 20"));
	assert_int_equal(n, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 0;
		err[0] = 0;
		if (parse(bad[i].text, args, &n, 16, err, sizeof(err)) != -1)
			fail_msg("\"%s\" was taken", bad[i].text);
		if (!strstr(err, bad[i].why))
			fail_msg("\"%s\": \"%s\", not \"%s\"", bad[i].text, err,
				 bad[i].why);
		free_args(args, 0, n);
	}
	big = malloc(5000);
	assert_non_null(big);
	memcpy(big, "db = ", 5);
	memset(big + 5, 'x', 5000 - 6);
	big[4999] = 0;
	n = 0;
	assert_int_equal(parse(big, args, &n, 16, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f.conf:1: line too long"));
	free(big);
	/* CRLF, and blanks after a value, are not part of it. */
	n = 0;
	assert_int_equal(parse("db = /x \t\r\nport=1\r\nmutual = YES\r\n", args,
			       &n, 16, err, sizeof(err)),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(args[0], "--db=/x");
	assert_string_equal(args[1], "--port=1");
	assert_string_equal(args[2], "--mutual");
	free_args(args, 0, n);
	/* The last line needs no LF; an empty file is no options. */
	n = 0;
	assert_int_equal(parse("port = 2", args, &n, 16, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(args[0], "--port=2");
	free_args(args, 0, n);
	n = 0;
	assert_int_equal(parse("", args, &n, 16, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
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
	assert_int_equal(tr_config_args(6, argv, opts, out, &n, 16, err,
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
	assert_int_equal(tr_config_args(6, argv, opts, out, &n, 16, err,
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
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_args),
	};

	return TR_RUN(tests, NULL, NULL);
}
