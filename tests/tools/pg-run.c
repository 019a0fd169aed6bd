// SPDX-License-Identifier: GPL-2.0-only
/*
 * pg-run: run a command against a PostgreSQL server of its own.
 *
 *   pg-run -- COMMAND [ARG...]
 *
 * The server (tests/lib/pg_fixture.h: initdb in a scratch directory, a
 * free loopback port, its socket in that directory, run as postgres when
 * we are root) lives while the command runs. The command sees the store's
 * target in TRUSTROUTE_PG ("pg:host=... port=... user=... dbname=...",
 * what --db takes) and the bare libpq connection string in
 * TRUSTROUTE_PG_CONNINFO (what psql takes). Exit status is the command's;
 * the server is stopped whatever happens to the command.
 */
#define _GNU_SOURCE
#include "pg_fixture.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t child = -1, pending;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
	else
		pending = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = forward };
	struct pg_server pg;
	int status = 0;
	pid_t pid;

	if (argc < 3 || strcmp(argv[1], "--")) {
		fprintf(stderr, "usage: pg-run -- COMMAND [ARG...]\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (pg_start(&pg) < 0)
		return 3;
	setenv("TRUSTROUTE_PG", pg.conninfo, 1);
	setenv("TRUSTROUTE_PG_CONNINFO", pg.conninfo + 3, 1);
	if (pending) {
		pg_stop(&pg);
		return 128 + pending;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	child = pid;
	if (pending)
		kill(pid, pending);
	while (pid > 0 && waitpid(pid, &status, 0) < 0)
		;
	pg_stop(&pg);
	if (pid < 0)
		return 3;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
