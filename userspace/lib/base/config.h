/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemons' config files (nmsd, trustroute-agent): "name = value"
 * lines, '#' starting a comment, each the long option --name=value; a
 * boolean option (one that takes no value) is written "name = yes" (or
 * true, on, 1) and "name = no" (false, off, 0) leaves it off. Options on
 * the command line come after the file's, so they win.
 *
 * The file is read strictly, by the getopt_long table the program parses
 * its command line with: a name that is not one of its options (exactly:
 * no abbreviations), a line that is not "name = value", an option that
 * takes a value without one, a NUL byte, a line of 4 KiB or more and a
 * file of more than 1 MiB are refused, naming the file and the line.
 * Blanks around names and values and a CR before the LF do not count.
 * What the values mean is the program's to check (nmsd_config.h).
 */
#ifndef TR_CONFIG_H
#define TR_CONFIG_H

#include <getopt.h>
#include <stddef.h>

#define TR_CONFIG_MAX (1u << 20)
#define TR_CONFIG_LINE_MAX 4096

/*
 * The lines of @text (@len bytes) as arguments appended to @args (from
 * *@n, at most @max in all; each malloc'd): "--name=value", or "--name"
 * for a yes of a no_argument option of @opts (getopt_long's table, ended
 * by a NULL name). @path names the file in errors ("PATH:LINE: ...").
 * Returns 0, or -1 with the reason (what was appended stays in @args, *@n
 * counting it, for the caller to free).
 */
int tr_config_parse(const char *path, const char *text, size_t len,
		    const struct option *opts, char **args, int *n, int max,
		    char *err, size_t errlen);

/*
 * The argument vector a daemon parses: argv[0], then each --config
 * FILE's (or --config=FILE's) options, then the rest of argv without
 * them. *@out_argc/@out are set; returns 0, or -1 with the reason.
 */
int tr_config_args(int argc, char **argv, const struct option *opts, char **out,
		   int *out_argc, int max, char *err, size_t errlen);

#endif
