/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PostgreSQL server of the test's own: initdb in a scratch directory,
 * the server on a free loopback port with its unix socket in that
 * directory, run as the user "postgres" (or "nobody") when the test runs
 * as root (postgres refuses root). The server dies with the test process
 * (PR_SET_PDEATHSIG), and pg_stop removes the directory.
 *
 * tr_store_target() gives the store the tests run on: a SQLite file, or
 * with TRUSTROUTE_TEST_STORE=pg a database on such a server (started on
 * first use), so one suite runs on both backends.
 */
#ifndef TR_PG_FIXTURE_H
#define TR_PG_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pg_server {
	char dir[PATH_MAX]; /* data in dir/data, the socket in dir */
	char conninfo[PATH_MAX +
		      96]; /* "pg:host=DIR port=N user=... dbname=postgres" */
	unsigned short port;
	pid_t pid;
};

/* Start a server. 0, or -1 with a message on stderr. */
int pg_start(struct pg_server *pg);
/* Stop it and remove its directory. Idempotent. */
void pg_stop(struct pg_server *pg);
/* Drop everything in its database (a new, empty store). 0, or -1. */
int pg_reset(const char *conninfo);

/* Whether the tests run on PostgreSQL (TRUSTROUTE_TEST_STORE=pg). */
bool tr_store_is_pg(void);
/*
 * The store to test: @sqlite_path itself, or the conninfo of the test's
 * PostgreSQL server, emptied. NULL when the server cannot start.
 */
const char *tr_store_target(const char *sqlite_path);
/* The PostgreSQL server, if one was started; at exit too. */
void tr_store_stop(void);

#endif
