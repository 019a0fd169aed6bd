// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* asprintf */
#include "base/config.h"
#include "base/errmsg.h"
#include "base/fileio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The option of @opts named @name exactly, or NULL. */
static const struct option *find(const struct option *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (!strcmp(opts->name, name))
			return opts;
	return NULL;
}

/* yes: 1, no: 0, neither: -1. */
static int yes_no(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

int tr_config_parse(const char *path, const char *text, size_t len,
		    const struct option *opts, char **args, int *n, int max,
		    char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	const char *nul = memchr(text, 0, len);
	int lineno = 0;

	/* A NUL would end a line early, silently dropping the rest. */
	if (nul)
		return tr_fail(err, errlen, "%s: a NUL byte at offset %zu",
			       path, (size_t)(nul - text));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = (size_t)((nl ? nl : end) - p);
		char line[TR_CONFIG_LINE_MAX], *k, *v, *e;
		const struct option *o;
		int b;

		lineno++;
		if (llen >= sizeof(line))
			return tr_fail(err, errlen, "%s:%d: line too long",
				       path, lineno);
		memcpy(line, p, llen);
		line[llen] = 0;
		p += llen + (nl ? 1 : 0);
		/* Blanks around the line, and a CR before its LF, do not
		 * count (a file written on Windows). */
		k = line + strspn(line, " \t");
		e = k + strlen(k);
		while (e > k &&
		       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = 0;
		if (*k == '#' || !*k)
			continue;
		v = strchr(k, '=');
		if (!v)
			return tr_fail(
				err, errlen,
				"%s:%d: want name = value, not \"%.64s\"", path,
				lineno, k);
		e = v;
		while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = 0;
		v++;
		v += strspn(v, " \t");
		if (*k < 'a' || *k > 'z' ||
		    strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
			    strlen(k))
			return tr_fail(err, errlen,
				       "%s:%d: \"%.64s\" is not an option name",
				       path, lineno, k);
		/* Exactly one of the program's options: getopt_long would
		 * take an abbreviation, and a misspelt one would be refused
		 * without its line. */
		o = find(opts, k);
		if (!o)
			return tr_fail(err, errlen, "%s:%d: %s: unknown option",
				       path, lineno, k);
		if (*n >= max - 1)
			return tr_fail(err, errlen, "%s:%d: too many options",
				       path, lineno);
		if (o->has_arg == no_argument) {
			b = yes_no(v);
			if (b < 0)
				return tr_fail(
					err, errlen,
					"%s:%d: %s: want yes or no, not \"%.64s\"",
					path, lineno, k, v);
			if (!b)
				continue;
			if (asprintf(&args[*n], "--%s", k) < 0)
				return tr_fail(err, errlen, "out of memory");
		} else if (!*v && o->has_arg == required_argument) {
			return tr_fail(err, errlen, "%s:%d: %s: no value", path,
				       lineno, k);
		} else if (asprintf(&args[*n], *v ? "--%s=%s" : "--%s", k, v) <
			   0) {
			return tr_fail(err, errlen, "out of memory");
		}
		(*n)++;
	}
	return 0;
}

static int read_one(const char *path, const struct option *opts, char **args,
		    int *n, int max, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (read_file_bounded(path, TR_CONFIG_MAX, &buf, &len) < 0)
		return tr_fail(err, errlen, "%s: %s", path,
			       errno == EFBIG ? "larger than 1 MiB" :
						strerror(errno));
	rc = tr_config_parse(path, (const char *)buf, len, opts, args, n, max,
			     err, errlen);
	free(buf);
	return rc;
}

int tr_config_args(int argc, char **argv, const struct option *opts, char **out,
		   int *out_argc, int max, char *err, size_t errlen)
{
	int n = 1;

	out[0] = argv[0];
	/* --config first, wherever it is, so the command line wins. */
	for (int i = 1; i < argc; i++) {
		const char *path;

		if (!strcmp(argv[i], "--"))
			break;
		if (strncmp(argv[i], "--config", 8) ||
		    (argv[i][8] && argv[i][8] != '='))
			continue;
		path = argv[i][8] == '=' ? argv[i] + 9 :
		       i + 1 < argc	 ? argv[++i] :
					   NULL;
		if (!path)
			return tr_fail(err, errlen, "--config FILE: no FILE");
		if (read_one(path, opts, out, &n, max, err, errlen) < 0)
			return -1;
	}
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--config", 8) &&
		    (!argv[i][8] || argv[i][8] == '=')) {
			i += !argv[i][8];
			continue;
		}
		if (n >= max - 1)
			return tr_fail(err, errlen, "too many arguments");
		out[n++] = argv[i];
	}
	out[n] = NULL;
	*out_argc = n;
	return 0;
}
