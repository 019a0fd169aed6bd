/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EST (RFC 7030) certificate responses: /cacerts and /simpleenroll answer
 * with "application/pkcs7-mime; smime-type=certs-only", the base64 of a
 * degenerate CMS SignedData (no signers, no content) that holds only
 * certificates (RFC 7030 4.1.3, 4.2.3; base64 per RFC 8951).
 */
#ifndef TR_EST_CERTS_H
#define TR_EST_CERTS_H

#include <openssl/x509.h>
#include <stddef.h>

#define TR_EST_CERTS_MAX 65536 /* base64 bytes accepted */
#define TR_EST_CERTS_MAX_N 16 /* certificates accepted */

/* Base64 (lines of 64, each ending "\n") of certs-only CMS of @certs. */
int tr_est_certs_encode(STACK_OF(X509) * certs, char **b64, size_t *len,
			char *err, size_t errlen);

/*
 * Pure and bounded: @b64 (at most TR_EST_CERTS_MAX bytes; line breaks and
 * surrounding white space allowed) is certs-only CMS with 1 to
 * TR_EST_CERTS_MAX_N certificates and nothing else (no signers, CRLs or
 * content, no trailing bytes). *certs is a new stack, in order.
 */
int tr_est_certs_decode(const char *b64, size_t len, STACK_OF(X509) * *certs,
			char *err, size_t errlen);

/* Base64 (RFC 7030 4.2.1 application/pkcs10) to a request and back. */
int tr_est_csr_encode(X509_REQ *req, char **b64, size_t *len, char *err,
		      size_t errlen);
/* Pure and bounded (TR_EST_CERTS_MAX), whole input, one DER request. */
X509_REQ *tr_est_csr_decode(const char *b64, size_t len, char *err,
			    size_t errlen);

#endif
