/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemons' config files (nmsd, trustroute-agent): "name = value"
 * lines, '#' starting a comment, each the long option --name=value; a
 * boolean option (one that takes no value) is written "name = yes" (or
 * true, on, 1) and "name = no" (false, off, 0) leaves it off. Options on
 * the command line come after the file's, so they win.
 */
#ifndef TR_CONFIG_H
#define TR_CONFIG_H

#include <stddef.h>

/*
 * The lines of @text as arguments appended to @args (from *@n, at most
 * @max in all; each malloc'd): "--name=value", or "--name" for a yes of
 * a name in @bools (NULL-terminated). @path names the file in errors
 * ("PATH:LINE: ..."). Returns 0, or -1 with the reason.
 */
int tr_config_parse(const char *path, const char *text,
		    const char *const *bools, char **args, int *n, int max,
		    char *err, size_t errlen);

/*
 * The argument vector a daemon parses: argv[0], then each --config
 * FILE's (or --config=FILE's) options, then the rest of argv without
 * them. *@out_argc/@out are set; returns 0, or -1 with the reason.
 */
int tr_config_args(int argc, char **argv, const char *const *bools, char **out,
		   int *out_argc, int max, char *err, size_t errlen);

#endif
