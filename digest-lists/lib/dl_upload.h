/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loading lists into the running kernel: the signing certificate onto the
 * .ima keyring (keyutils; the kernel accepts it only if a built-in key
 * signed it), then each list through <securityfs>/ima/digest_lists/load.
 */
#ifndef TR_DL_UPLOAD_H
#define TR_DL_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Add a DER certificate to the .ima keyring; returns the key serial. */
long dl_upload_cert(const uint8_t *der, size_t len, char *err, size_t errlen);

/*
 * Ask the kernel to load the list at absolute @path; @securityfs is the
 * securityfs mount point. Returns 0, or -1 with errno and a message.
 */
int dl_upload_list(const char *securityfs, const char *path, char *err,
		   size_t errlen);

#endif
