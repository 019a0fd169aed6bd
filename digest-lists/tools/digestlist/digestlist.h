/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * digestlist: one file a subcommand (gen.c, sign.c, ...), each with its
 * options; main.c dispatches.
 */
#ifndef TR_DIGESTLIST_H
#define TR_DIGESTLIST_H

#include "base/cli.h"
#include <json-c/json.h>

#define LIST_MAX (256u << 20)
#define ERRLEN 512

/* The usage text on stdout (@rc 0) or stderr; returns @rc. */
int usage(int rc);
/* Print @o pretty and release it. */
void print_json(json_object *o);

int cmd_gen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
