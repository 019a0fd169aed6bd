/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every trustroute program's command line has: --version, --help
 * anywhere (after a subcommand too: "digestlist gen --help"), and a
 * missing required option named in the error.
 */
#ifndef TR_CLI_H
#define TR_CLI_H

#include <stdbool.h>

/* The release; debian/changelog's version is the same (test-install). */
#define TR_VERSION "0.20.0"

/* "PROG (trustroute) VERSION" on stdout when the arguments before "--"
 * hold --version; returns whether they did. */
bool tr_cli_version(int argc, char **argv, const char *prog);
/* Whether the arguments before "--" hold --help or -h. */
bool tr_cli_help(int argc, char **argv);
/* "PROG: OPTION is required" ("nmsctl history: --db FILE is required")
 * on stderr; returns 2, the usage exit code. */
int tr_cli_missing(const char *prog, const char *option);

#endif
