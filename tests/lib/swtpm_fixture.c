// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "swtpm_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TR_SCRIPTS_DIR
#error "TR_SCRIPTS_DIR must name the project's scripts/ directory"
#endif

static int run_wait(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "swtpm fixture: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int bind_loopback(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned short port_of(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return 0;
	return ntohs(sa.sin_port);
}

/*
 * tcti-swtpm wants the control channel on data port + 1, so find a free
 * pair. swtpm binds them itself after we let go; a loser of that race is
 * noticed by swtpm_start (swtpm exits) and retried with a new pair.
 */
static unsigned short free_port_pair(void)
{
	for (int i = 0; i < 100; i++) {
		int a = bind_loopback(0), b;
		unsigned short p = a >= 0 ? port_of(a) : 0;

		if (p == 0 || p == 65535) {
			if (a >= 0)
				close(a);
			continue;
		}
		b = bind_loopback(p + 1);
		close(a);
		if (b >= 0) {
			close(b);
			return p;
		}
	}
	return 0;
}

/* The control channel answers once swtpm is serving. */
static bool ctrl_ready(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port + 1),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static pid_t spawn_swtpm(const struct swtpm *t, bool resume)
{
	char state[PATH_MAX + 16], server[64], ctrl[64], log[PATH_MAX + 32];
	pid_t parent = getpid();
	pid_t pid;

	snprintf(state, sizeof(state), "dir=%s", t->dir);
	snprintf(server, sizeof(server), "type=tcp,port=%u,bindaddr=127.0.0.1",
		 t->port);
	snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%u,bindaddr=127.0.0.1",
		 t->port + 1);
	/* SWTPM_LOG_LEVEL=20 logs every command (benchmarks count them). */
	snprintf(log, sizeof(log), "file=%s/swtpm.log,level=%s", t->dir,
		 getenv("SWTPM_LOG_LEVEL") ? getenv("SWTPM_LOG_LEVEL") : "1");

	pid = fork();
	if (pid != 0)
		return pid;
	/* Die with the test, whatever way it ends. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/*
	 * A resumed TPM restores its volatile state and is already started;
	 * a second TPM2_Startup(CLEAR) would reset the PCRs under test.
	 */
	execlp("swtpm", "swtpm", "socket", "--tpm2", "--tpmstate", state,
	       "--server", server, "--ctrl", ctrl, "--log", log, "--flags",
	       resume ? "not-need-init" : "not-need-init,startup-clear",
	       (char *)NULL);
	fprintf(stderr, "swtpm fixture: cannot run swtpm: %s\n",
		strerror(errno));
	_exit(127);
}

int swtpm_start(struct swtpm *t, const char *state_dir)
{
	char volatile_path[PATH_MAX + 32];
	bool resume;

	memset(t, 0, sizeof(*t));
	t->pid = -1;

	if (state_dir) {
		if (!realpath(state_dir, t->dir)) {
			fprintf(stderr, "swtpm fixture: state %s: %s\n",
				state_dir, strerror(errno));
			return -1;
		}
	} else {
		const char *tmp = getenv("TMPDIR");
		char *setup[] = { TR_SCRIPTS_DIR "/swtpm-setup-state", t->dir,
				  NULL };

		snprintf(t->dir, sizeof(t->dir), "%s/trustroute-swtpm-XXXXXX",
			 tmp && *tmp == '/' ? tmp : "/tmp");
		if (!mkdtemp(t->dir)) {
			fprintf(stderr, "swtpm fixture: mkdtemp: %s\n",
				strerror(errno));
			return -1;
		}
		t->own_dir = true;
		if (run_wait(setup) != 0) {
			fprintf(stderr, "swtpm fixture: provisioning failed\n");
			swtpm_stop(t);
			return -1;
		}
	}

	/* A stored volatile state (vm-run, swtpm_ioctl -v) means: resume. */
	snprintf(volatile_path, sizeof(volatile_path),
		 "%s/tpm2-00.volatilestate", t->dir);
	resume = access(volatile_path, F_OK) == 0;

	for (int attempt = 0; attempt < 5; attempt++) {
		t->port = free_port_pair();
		if (!t->port)
			break;
		t->pid = spawn_swtpm(t, resume);
		if (t->pid < 0)
			break;
		/* Up to 10 s: swtpm normally answers within milliseconds. */
		for (int i = 0; i < 1000; i++) {
			int status;

			if (ctrl_ready(t->port)) {
				snprintf(t->tcti, sizeof(t->tcti),
					 "swtpm:host=127.0.0.1,port=%u",
					 t->port);
				return 0;
			}
			if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
				t->pid = -1; /* lost the port race: retry */
				break;
			}
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
		}
		if (t->pid > 0) {
			kill(t->pid, SIGKILL);
			waitpid(t->pid, NULL, 0);
			t->pid = -1;
		}
	}
	fprintf(stderr,
		"swtpm fixture: swtpm did not start (see %s/swtpm.log)\n",
		t->dir);
	swtpm_stop(t);
	return -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void swtpm_stop(struct swtpm *t)
{
	if (t->pid > 0) {
		kill(t->pid, SIGTERM);
		waitpid(t->pid, NULL, 0);
		t->pid = -1;
	}
	if (t->own_dir && t->dir[0]) {
		nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		t->own_dir = false;
	}
}
