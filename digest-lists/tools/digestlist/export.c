// SPDX-License-Identifier: GPL-2.0-only
/* digestlist export: the NMS's reference database. */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "digest-lists/lib/dl_export.h"
#include <stdio.h>
#include <string.h>

int cmd_export(int argc, char **argv)
{
	const char *out = NULL;
	char err[ERRLEN];
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--output")) {
		out = argv[2];
		i = 3;
	}
	if (!out)
		return tr_cli_missing("digestlist export", "--output DB");
	if (i >= argc)
		return usage(2);
	if (dl_export(out, (const char *const *)argv + i, (size_t)(argc - i),
		      err, sizeof(err)) < 0) {
		fprintf(stderr, "digestlist: %s\n", err);
		return 1;
	}
	printf("%s: %d lists exported\n", out, argc - i);
	return 0;
}
