/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pre-approval allow-list (schema 8): which TPMs may enroll, and the
 * name each enrolls under. An entry names a TPM by its EK certificate
 * (the SHA-256 of its DER), or by the certificate's serial number
 * together with its issuer's name (DER): a serial is unique only under
 * one issuer, and another maker the NMS also trusts may issue the same
 * one. Used when nmsd runs with --preapproval (nms/enroll/enroll.h).
 */
#ifndef TR_NMS_STORE_PREAPPROVAL_H
#define TR_NMS_STORE_PREAPPROVAL_H

#include "nms/store/store.h"

#include <stddef.h>
#include <stdint.h>

#define NMS_SERIAL_MAX 64 /* hex digits: a 20-byte serial is 40 */
#define NMS_ISSUER_DER_MAX 1024

/* @device may enroll with the EK certificate whose DER has @sha256. */
int nms_store_preapprove_cert(struct nms_store *s, const uint8_t sha256[32],
			      const char *device, char *err, size_t errlen);
/*
 * @device may enroll with the EK certificate of serial @serial (hex, any
 * case, ':' separators and leading zeros ignored) from the issuer named
 * @issuer (DER, @ilen bytes).
 */
int nms_store_preapprove_serial(struct nms_store *s, const char *serial,
				const uint8_t *issuer, size_t ilen,
				const char *device, char *err, size_t errlen);
/* Remove @device's entry; an error when it has none. */
int nms_store_preapproval_remove(struct nms_store *s, const char *device,
				 char *err, size_t errlen);
/*
 * The name the EK certificate with @sha256, @serial and @issuer may
 * enroll under: 1 with it in @device, 0 when it is on no entry, -1.
 */
int nms_store_preapproved(struct nms_store *s, const uint8_t sha256[32],
			  const char *serial, const uint8_t *issuer,
			  size_t ilen, char *device, size_t dlen, char *err,
			  size_t errlen);
/* Each entry, by name; @sha256 or @serial is NULL. Returns the count. */
typedef int nms_preapproval_fn(const char *device, const uint8_t *sha256,
			       const char *serial, void *arg);
int nms_store_preapprovals(struct nms_store *s, nms_preapproval_fn *fn,
			   void *arg, char *err, size_t errlen);
/*
 * "0a:1B" -> "A1B", the form serials are kept in: 0, or -1 when @in is
 * not 1 to NMS_SERIAL_MAX hex digits.
 */
int nms_serial_canonical(const char *in, char *out, size_t len);

#endif
