// SPDX-License-Identifier: GPL-2.0-only
#include "digest-lists/lib/dl_upload.h"
#include "base/errmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

long dl_upload_cert(const uint8_t *der, size_t len, char *err, size_t errlen)
{
	/* .ima is not in our keyrings: keyutils finds it in /proc/keys. */
	key_serial_t ring = find_key_by_type_and_desc("keyring", ".ima", 0);
	key_serial_t key;

	if (ring < 0)
		return tr_fail(err, errlen, "no .ima keyring (%s)",
			       strerror(errno));
	key = add_key("asymmetric", NULL, der, len, ring);
	if (key < 0)
		return tr_fail(
			err, errlen,
			"the kernel refused the certificate for .ima: %s%s",
			strerror(errno),
			errno == ENOKEY ?
				" (not signed by a key built into the kernel)" :
				"");
	return key;
}

int dl_upload_list(const char *securityfs, const char *path, char *err,
		   size_t errlen)
{
	char load[4096];
	ssize_t w;
	int fd;

	if (path[0] != '/')
		return tr_fail(err, errlen,
			       "%s: the kernel needs an absolute path", path);
	snprintf(load, sizeof(load), "%s/ima/digest_lists/load", securityfs);
	fd = open(load, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return tr_fail(err, errlen,
			       "%s: %s (kernel without IMA digest lists?)",
			       load, strerror(errno));
	w = write(fd, path, strlen(path));
	if (w < 0) {
		tr_fail(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
