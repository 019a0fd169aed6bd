/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS CA's CRL from the store: every certificate the store says was
 * revoked (certificates.revoked, nms_store_decommission), made at each
 * request, so a revocation is on it at once. One builder for the API's
 * GET /api/v1/crl and EST's GET /.well-known/est/crl.
 */
#ifndef TR_NMS_CRL_H
#define TR_NMS_CRL_H

#include "nms/enroll/ca.h"
#include "nms/store/store.h"

#include <stddef.h>
#include <stdint.h>

/*
 * The CRL (DER into *@der, OPENSSL_free()) of @ca listing the revoked
 * certificates in @s, this update @now_ms (Unix ms), the next
 * @next_seconds later (nms_ca_crl). 0, or -1 with @err.
 */
int nms_crl_from_store(struct nms_store *s, const struct nms_ca *ca,
		       int64_t now_ms, int64_t next_seconds, uint8_t **der,
		       size_t *len, char *err, size_t errlen);

#endif
