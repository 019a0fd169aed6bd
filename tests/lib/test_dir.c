// SPDX-License-Identifier: GPL-2.0-only
#include "test_dir.h"

#include "base/fileio.h"
#include "tr_test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>

int test_dir_make(struct test_dir *d, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(d->dir, sizeof(d->dir), "%s/%s.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(d->dir)) {
		d->dir[0] = 0;
		return -1;
	}
	test_dir_path(d, d->log, sizeof(d->log), "log");
	return 0;
}

int test_dir_remove(struct test_dir *d)
{
	return d->dir[0] && test_dir_sh(d, "rm -rf '%s'", d->dir) ? -1 : 0;
}

void test_dir_path(const struct test_dir *d, char *out, size_t size,
		   const char *name)
{
	snprintf(out, size, "%s/%s", d->dir, name);
}

int test_dir_sh(const struct test_dir *d, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 400, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 400)
		return -1;
	snprintf(cmd + n, sizeof(cmd) - (size_t)n,
		 d->log_stdout ? " >'%s' 2>&1" : " 2>'%s'", d->log);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc))
		return -1;
	return WEXITSTATUS(rc);
}

const char *test_dir_log(const struct test_dir *d)
{
	static char buf[2048];
	FILE *f = fopen(d->log, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

void test_write_buf(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		fail_msg("cannot create %s", path);
	if (len && fwrite(buf, 1, len, f) != len)
		fail_msg("cannot write %s", path);
	fclose(f);
}

uint8_t *test_read_buf(const char *path, size_t max, size_t *len)
{
	uint8_t *b;

	if (read_file_bounded(path, max, &b, len) < 0)
		fail_msg("cannot read %s", path);
	return b;
}
