// SPDX-License-Identifier: GPL-2.0-only
#include "base/cli.h"

#include <stdio.h>
#include <string.h>

static bool has(int argc, char **argv, const char *a, const char *b)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], a) || (b && !strcmp(argv[i], b)))
			return true;
	}
	return false;
}

bool tr_cli_version(int argc, char **argv, const char *prog)
{
	if (!has(argc, argv, "--version", NULL))
		return false;
	printf("%s (trustroute) %s\n", prog, TR_VERSION);
	return true;
}

bool tr_cli_help(int argc, char **argv)
{
	return has(argc, argv, "--help", "-h");
}

int tr_cli_missing(const char *prog, const char *option)
{
	fprintf(stderr, "%s: %s is required\n", prog, option);
	return 2;
}
