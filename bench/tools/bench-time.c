// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-time: time one operation with CLOCK_MONOTONIC, in-process, so
 * that the cost of starting a program is not in the figure. Prints
 * nanoseconds on stdout.
 *
 *   bench-time write FILE STRING   open, write STRING, close (securityfs)
 *   bench-time read FILE           read the whole file
 *   bench-time sha256 FILE         read and SHA-256 the whole file
 *   bench-time exec CMD [ARG...]   fork, exec, wait
 *
 * Exit: the operation's status (errno for write, the command's for exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int op_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		rc = errno;
	close(fd);
	return rc;
}

static int op_read(const char *path, int hash)
{
	static unsigned char buf[1 << 16];
	unsigned char md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = hash ? EVP_MD_CTX_new() : NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	if (ctx)
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (ctx)
			EVP_DigestUpdate(ctx, buf, (size_t)n);
	if (n < 0)
		rc = errno;
	if (ctx) {
		EVP_DigestFinal_ex(ctx, md, NULL);
		EVP_MD_CTX_free(ctx);
	}
	close(fd);
	return rc;
}

static int op_exec(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 127;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int main(int argc, char **argv)
{
	uint64_t t0;
	int rc;

	if (argc < 3) {
		fputs("usage: bench-time write FILE STRING | read FILE | sha256 FILE | exec CMD [ARG...]\n",
		      stderr);
		return 2;
	}
	t0 = now_ns();
	if (!strcmp(argv[1], "write") && argc == 4)
		rc = op_write(argv[2], argv[3]);
	else if (!strcmp(argv[1], "read") && argc == 3)
		rc = op_read(argv[2], 0);
	else if (!strcmp(argv[1], "sha256") && argc == 3)
		rc = op_read(argv[2], 1);
	else if (!strcmp(argv[1], "exec"))
		rc = op_exec(argv + 2);
	else
		return 2;
	printf("%llu\n", (unsigned long long)(now_ns() - t0));
	if (rc && strcmp(argv[1], "exec"))
		fprintf(stderr, "bench-time: %s %s: %s\n", argv[1], argv[2],
			strerror(rc));
	return rc;
}
