// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* setresuid */
#include "pg_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The directory of Debian's PostgreSQL programs (the newest). */
static int pg_bindir(char *out, size_t len)
{
	glob_t g;
	int rc = -1;

	if (glob("/usr/lib/postgresql/*/bin/postgres", 0, NULL, &g) == 0 &&
	    g.gl_pathc) {
		snprintf(out, len, "%s", g.gl_pathv[g.gl_pathc - 1]);
		*strrchr(out, '/') = 0;
		rc = 0;
	}
	globfree(&g);
	if (rc)
		fprintf(stderr,
			"pg_fixture: no /usr/lib/postgresql/*/bin/postgres (scripts/install-deps installs postgresql)\n");
	return rc;
}

/* Who runs the server: ourselves, or (as root) postgres or nobody. */
static const struct passwd *server_user(void)
{
	const struct passwd *pw;

	if (geteuid() != 0)
		return NULL;
	pw = getpwnam("postgres");
	return pw ? pw : getpwnam("nobody");
}

/* Fork @argv as the server user; the child dies with us. */
static pid_t spawn(char *const argv[], const char *log)
{
	const struct passwd *pw = server_user();
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	if (pw && (setgroups(0, NULL) ||
		   setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
		   setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid)))
		_exit(126);
	/* After the change of user: it clears the death signal. */
	prctl(PR_SET_PDEATHSIG, SIGQUIT);
	if (getppid() != parent)
		_exit(1);
	if (log) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
	}
	execv(argv[0], argv);
	_exit(127);
}

static unsigned short free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned short port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &n))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void show_log(const char *dir)
{
	char path[PATH_MAX + 8], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", dir);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "pg_fixture: | %s", line);
	if (f)
		fclose(f);
}

int pg_start(struct pg_server *pg)
{
	const struct passwd *pw = server_user();
	char bin[PATH_MAX], prog[PATH_MAX + 16], data[PATH_MAX + 8],
		log[PATH_MAX + 8], port[16], ping[PATH_MAX + 64];
	const char *tmp = getenv("TMPDIR");
	int status;
	pid_t pid;

	memset(pg, 0, sizeof(*pg));
	if (pg_bindir(bin, sizeof(bin)) < 0)
		return -1;
	snprintf(pg->dir, sizeof(pg->dir), "%s/trustroute-pg-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(pg->dir)) {
		fprintf(stderr, "pg_fixture: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	if (pw && chown(pg->dir, pw->pw_uid, pw->pw_gid)) {
		fprintf(stderr, "pg_fixture: chown %s: %s\n", pg->dir,
			strerror(errno));
		goto fail;
	}
	/* Root must reach the socket; the server user owns the rest. */
	chmod(pg->dir, 0755);
	snprintf(data, sizeof(data), "%s/data", pg->dir);
	snprintf(log, sizeof(log), "%s/log", pg->dir);
	snprintf(prog, sizeof(prog), "%s/initdb", bin);
	{
		char *argv[] = { prog,
				 "-D",
				 data,
				 "-U",
				 "trustroute",
				 "--auth=trust",
				 "-E",
				 "UTF8",
				 "--no-locale",
				 "--no-sync",
				 "--no-instructions",
				 NULL };

		pid = spawn(argv, log);
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "pg_fixture: initdb failed\n");
			show_log(pg->dir);
			goto fail;
		}
	}
	snprintf(prog, sizeof(prog), "%s/postgres", bin);
	for (int tries = 0; tries < 5; tries++) {
		pg->port = free_port();
		snprintf(port, sizeof(port), "%u", pg->port);
		{
			/* Tests need no durability against power loss (a
			 * killed client is what they kill): fsync off. */
			char *argv[] = { prog,
					 "-D",
					 data,
					 "-p",
					 port,
					 "-k",
					 pg->dir,
					 "-c",
					 "listen_addresses=127.0.0.1",
					 "-c",
					 "fsync=off",
					 "-c",
					 "max_connections=200",
					 "-c",
					 "shared_buffers=32MB",
					 NULL };

			pg->pid = spawn(argv, log);
		}
		if (pg->pid < 0)
			goto fail;
		snprintf(ping, sizeof(ping),
			 "host=%s port=%u user=trustroute dbname=postgres",
			 pg->dir, pg->port);
		for (int i = 0; i < 300; i++) {
			if (PQping(ping) == PQPING_OK) {
				snprintf(pg->conninfo, sizeof(pg->conninfo),
					 "pg:%s", ping);
				return 0;
			}
			if (waitpid(pg->pid, &status, WNOHANG) == pg->pid) {
				pg->pid = 0;
				break; /* lost the port? try another */
			}
			nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
		}
		if (pg->pid) {
			kill(pg->pid, SIGQUIT);
			waitpid(pg->pid, &status, 0);
			pg->pid = 0;
		}
	}
	fprintf(stderr, "pg_fixture: the server did not start\n");
	show_log(pg->dir);
fail:
	pg_stop(pg);
	return -1;
}

void pg_stop(struct pg_server *pg)
{
	if (pg->pid > 0) {
		int status;

		/* Fast shutdown: roll back sessions, stop. */
		kill(pg->pid, SIGINT);
		for (int i = 0; i < 100; i++) {
			if (waitpid(pg->pid, &status, WNOHANG) == pg->pid)
				break;
			if (i == 99) {
				kill(pg->pid, SIGKILL);
				waitpid(pg->pid, &status, 0);
			}
			nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
		}
		pg->pid = 0;
	}
	if (pg->dir[0]) {
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pg->dir);
		if (system(cmd))
			fprintf(stderr, "pg_fixture: cannot remove %s\n",
				pg->dir);
		pg->dir[0] = 0;
	}
}

int pg_reset(const char *conninfo)
{
	const char *c = strncmp(conninfo, "pg:", 3) ? conninfo : conninfo + 3;
	PGconn *conn = PQconnectdb(c);
	PGresult *r;
	int rc = -1;

	if (PQstatus(conn) == CONNECTION_OK) {
		r = PQexec(conn, "SET client_min_messages = warning;"
				 " DROP SCHEMA public CASCADE;"
				 " CREATE SCHEMA public");
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
		if (rc)
			fprintf(stderr, "pg_fixture: reset: %s",
				PQresultErrorMessage(r));
		PQclear(r);
	} else {
		fprintf(stderr, "pg_fixture: %s", PQerrorMessage(conn));
	}
	PQfinish(conn);
	return rc;
}

static struct pg_server test_server;
static pid_t test_server_owner;

bool tr_store_is_pg(void)
{
	const char *v = getenv("TRUSTROUTE_TEST_STORE");

	return v && !strcmp(v, "pg");
}

void tr_store_stop(void)
{
	/* Not from a forked child that exits: the server is the test's. */
	if (getpid() == test_server_owner)
		pg_stop(&test_server);
}

const char *tr_store_target(const char *sqlite_path)
{
	if (!tr_store_is_pg())
		return sqlite_path;
	if (!test_server.pid) {
		if (pg_start(&test_server) < 0)
			return NULL;
		test_server_owner = getpid();
		atexit(tr_store_stop);
	}
	return pg_reset(test_server.conninfo) ? NULL : test_server.conninfo;
}
