// SPDX-License-Identifier: GPL-2.0-only
/*
 * swtpm-run: run a command against its own swtpm.
 *
 *   swtpm-run [--state DIR] -- COMMAND [ARG...]
 *
 * Without --state a fresh TPM is provisioned (EK certificates included) and
 * removed afterwards; with --state the TPM stored there is resumed, e.g. to
 * read the PCRs a VM guest left behind. The command sees the TCTI in
 * TPM2TOOLS_TCTI and TRUSTROUTE_TCTI, and the swtpm's log file in
 * TRUSTROUTE_SWTPM_LOG (every command in it with SWTPM_LOG_LEVEL=20: how
 * tests count what the TPM was asked to do). Exit status is the
 * command's; the swtpm is stopped whatever happens to the command.
 */
#define _GNU_SOURCE
#include "swtpm_fixture.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t child = -1, pending;

/*
 * A signal that comes while the TPM starts, or before the command is
 * forked, is kept and handled once there is a child (or instead of
 * running it): otherwise it would kill us and leave the swtpm behind, or
 * be lost and the command run on.
 */
static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
	else
		pending = sig;
}

static void usage(FILE *f)
{
	fputs("usage: swtpm-run [--state DIR] -- COMMAND [ARG...]\n"
	      "Runs COMMAND with TPM2TOOLS_TCTI and TRUSTROUTE_TCTI naming a\n"
	      "swtpm of its own: fresh and provisioned, or resumed from DIR.\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *state = NULL;
	char log[PATH_MAX + 16];
	struct swtpm t;
	int i, status;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--state") && i + 1 < argc) {
			state = argv[++i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	if (swtpm_start(&t, state) < 0)
		return 3;
	if (pending) {
		swtpm_stop(&t);
		return 128 + pending;
	}

	setenv("TPM2TOOLS_TCTI", t.tcti, 1);
	setenv("TRUSTROUTE_TCTI", t.tcti, 1);
	snprintf(log, sizeof(log), "%s/swtpm.log", t.dir);
	setenv("TRUSTROUTE_SWTPM_LOG", log, 1);

	child = fork();
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[i], argv + i);
		fprintf(stderr, "swtpm-run: cannot run %s: %s\n", argv[i],
			strerror(errno));
		_exit(127);
	}
	if (child > 0 && pending)
		kill(child, pending);
	while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	swtpm_stop(&t);
	if (child < 0)
		return 3;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
