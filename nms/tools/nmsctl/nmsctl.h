/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nmsctl: the listings (listings.c), endpoint.c, preapprove.c,
 * revoke.c, reset.c, attest.c and probe.c; main.c
 * dispatches.
 */
#ifndef TR_NMSCTL_H
#define TR_NMSCTL_H

#include <json-c/json.h>

/* The usage text on stdout (@rc 0) or stderr; returns @rc. */
int usage(int rc);
/* Print @o pretty and release it. */
void print_json(json_object *o);

/*
 * Open the store at @path, which must exist (nmsd creates it; a typo must
 * not make an empty one): 0, or -1 said on stderr (exit 2).
 */
struct nms_store;
int open_store(struct nms_store *s, const char *path);

/* A listing (devices, history, sessions, routes) by name, or NULL. */
struct listing_def;
const struct listing_def *listing_find(const char *name);
int cmd_listing(const struct listing_def *l, int argc, char **argv);
int cmd_endpoint(int argc, char **argv);
int cmd_preapprove(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
