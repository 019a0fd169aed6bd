/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test's scratch directory, shell commands run in it with their output
 * kept for failure messages, and whole-file reads and writes that fail
 * the test on error. For tests that check us against other tools.
 */
#ifndef TR_TEST_DIR_H
#define TR_TEST_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_dir {
	char dir[256];
	char log[300];
	bool log_stdout; /* the log takes stdout too, not only stderr */
};

/* $TMPDIR (or /tmp)/@name.XXXXXX; 0, or -1 with d->dir empty. */
int test_dir_make(struct test_dir *d, const char *name);
/* Remove it and all in it (nothing if it was never made); 0 or -1. */
int test_dir_remove(struct test_dir *d);
/* @name inside the directory. */
void test_dir_path(const struct test_dir *d, char *out, size_t size,
		   const char *name);
/* Run a shell command, its output into the log; its exit code or -1. */
int test_dir_sh(const struct test_dir *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The last command's logged output. */
const char *test_dir_log(const struct test_dir *d);

void test_write_buf(const char *path, const void *buf, size_t len);
/* The whole file (at most @max bytes); malloc'ed. */
uint8_t *test_read_buf(const char *path, size_t max, size_t *len);

#endif
