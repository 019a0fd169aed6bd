// SPDX-License-Identifier: GPL-2.0-only
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int read_file_bounded(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	size_t cap = 65536, n = 0;
	uint8_t *p = NULL, *q;
	ssize_t r;
	int saved;

	if (fd < 0)
		return -1;
	for (;;) {
		if (n == cap || !p) {
			if (p)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			q = realloc(p, cap ? cap : 1);
			if (!q)
				goto fail;
			p = q;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	if (fd > 0)
		close(fd);
	*buf = p;
	*len = n;
	return 0;
fail:
	saved = errno;
	free(p);
	if (fd > 0)
		close(fd);
	errno = saved;
	return -1;
}
