// SPDX-License-Identifier: GPL-2.0-only
/*
 * tf-syscalls: the cost of read, write and exec for bench/trustflow.
 *
 *   tf-syscalls N FILE PROGRAM
 *
 * Prints "read NS", "write NS" and "exec NS": nanoseconds per pread() of
 * 4 KiB from FILE and per pwrite() of 4 KiB to FILE (N each), and per
 * fork, exec of PROGRAM and wait (N / 100 times). Built by bench/trustflow
 * for the guest.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static char buf[4096];
	long n, i, e;
	uint64_t t;
	int fd, st;
	pid_t pid;

	if (argc != 4 || (n = atol(argv[1])) < 100) {
		fprintf(stderr,
			"usage: tf-syscalls N FILE PROGRAM (N >= 100)\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf)) {
		perror(argv[2]);
		return 1;
	}
	t = now_ns();
	for (i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
			return 1;
	printf("read %llu\n", (unsigned long long)((now_ns() - t) / n));
	t = now_ns();
	for (i = 0; i < n; i++)
		if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
			return 1;
	printf("write %llu\n", (unsigned long long)((now_ns() - t) / n));
	e = n / 100;
	t = now_ns();
	for (i = 0; i < e; i++) {
		pid = fork();
		if (!pid) {
			execl(argv[3], argv[3], (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || st)
			return 1;
	}
	printf("exec %llu\n", (unsigned long long)((now_ns() - t) / e));
	return 0;
}
