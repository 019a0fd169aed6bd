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

#define CONFIG_MAX (1 << 20)

static bool is_bool(const char *const *bools, const char *name)
{
	for (; bools && *bools; bools++)
		if (!strcmp(*bools, name))
			return true;
	return false;
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

int tr_config_parse(const char *path, const char *text,
		    const char *const *bools, char **args, int *n, int max,
		    char *err, size_t errlen)
{
	const char *p = text;
	int lineno = 0;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[4096], *k, *v, *end;
		int b;

		lineno++;
		if (len >= sizeof(line))
			return tr_fail(err, errlen, "%s:%d: line too long",
				       path, lineno);
		memcpy(line, p, len);
		line[len] = 0;
		p += len + (p[len] == '\n');
		k = line + strspn(line, " \t");
		end = k + strlen(k);
		while (end > k && strchr(" \t\r", end[-1]))
			*--end = 0;
		if (*k == '#' || !*k)
			continue;
		v = strchr(k, '=');
		if (!v)
			return tr_fail(err, errlen,
				       "%s:%d: want name = value, not \"%s\"",
				       path, lineno, k);
		end = v;
		while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = 0;
		v++;
		v += strspn(v, " \t");
		if (*k < 'a' || *k > 'z' ||
		    strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
			    strlen(k))
			return tr_fail(err, errlen,
				       "%s:%d: \"%s\" is not an option name",
				       path, lineno, k);
		if (*n >= max - 1)
			return tr_fail(err, errlen, "%s:%d: too many options",
				       path, lineno);
		if (is_bool(bools, k)) {
			b = yes_no(v);
			if (b < 0)
				return tr_fail(
					err, errlen,
					"%s:%d: %s: want yes or no, not \"%s\"",
					path, lineno, k, v);
			if (!b)
				continue;
			if (asprintf(&args[*n], "--%s", k) < 0)
				return tr_fail(err, errlen, "out of memory");
		} else if (asprintf(&args[*n], "--%s=%s", k, v) < 0) {
			return tr_fail(err, errlen, "out of memory");
		}
		(*n)++;
	}
	return 0;
}

static int read_one(const char *path, const char *const *bools, char **args,
		    int *n, int max, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (read_file_bounded(path, CONFIG_MAX, &buf, &len) < 0)
		return tr_fail(err, errlen, "%s: %s", path, strerror(errno));
	if (memchr(buf, 0, len)) {
		free(buf);
		return tr_fail(err, errlen, "%s: not a text file", path);
	}
	rc = tr_config_parse(path, (const char *)buf, bools, args, n, max, err,
			     errlen);
	free(buf);
	return rc;
}

int tr_config_args(int argc, char **argv, const char *const *bools, char **out,
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
		if (read_one(path, bools, out, &n, max, err, errlen) < 0)
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
