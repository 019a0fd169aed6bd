/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NMS's certificate authority: it issues the routers' TLS
 * certificates and the NMS's own HTTPS server certificate.
 *
 * A CA directory holds ca.key (P-256, mode 0600), ca.pem (self-signed,
 * CA:TRUE, pathlen 0, keyCertSign and cRLSign), server.key and server.pem
 * (the NMS's HTTPS identity, signed by the CA). Every file is written to
 * a temporary name and renamed, so a crash leaves either nothing or a
 * whole file.
 */
#ifndef TR_NMS_CA_H
#define TR_NMS_CA_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

struct nms_ca {
	EVP_PKEY *key;
	X509 *cert;
};

/*
 * Create the CA in @dir (which must exist and hold no CA yet) named
 * @name, and a server certificate for the DNS names / IP addresses in
 * @server_names (comma-separated, e.g. "localhost,127.0.0.1"), valid
 * @days.
 */
int nms_ca_create(const char *dir, const char *name, const char *server_names,
		  int days, char *err, size_t errlen);

/* Load ca.key and ca.pem; the key must match the certificate. */
int nms_ca_load(struct nms_ca *ca, const char *dir, char *err, size_t errlen);
void nms_ca_free(struct nms_ca *ca);

struct nms_cert_request {
	const char *device; /* subject CN and a dNSName SAN */
	EVP_PKEY *pub; /* the router's TLS key (public) */
	const uint8_t *attestation; /* KeyAttestation DER, or NULL */
	size_t attestation_len;
	int days;
};

/*
 * Issue a certificate: a random 128-bit serial (positive), validity from
 * now - 5 minutes (clock skew) for @days, basicConstraints CA:FALSE
 * (critical), keyUsage digitalSignature (critical), extendedKeyUsage
 * serverAuth and clientAuth, subject/authority key identifiers, and the
 * KeyAttestation extension (TR_OID_KEY_ATTESTATION, non-critical) when
 * given. Signed ECDSA-SHA256 by the CA.
 */
X509 *nms_ca_issue(const struct nms_ca *ca, const struct nms_cert_request *r,
		   char *err, size_t errlen);

/* The certificate's serial as upper-case hex (at least 33 bytes). */
void nms_cert_serial_hex(const X509 *cert, char *out, size_t outlen);

/* A revoked certificate: its serial (hex) and when (Unix ms). */
struct nms_crl_entry {
	const char *serial;
	int64_t revoked_ms;
};

/*
 * The CA's CRL (v2, DER into *@der, OPENSSL_free()) listing @n revoked
 * certificates, each with reason cessationOfOperation (a decommissioned
 * router): this update @now (Unix s), the next @next_seconds later, a
 * CRL number that grows with @now, the CA's key identifier, signed
 * ECDSA-SHA256.
 */
int nms_ca_crl(const struct nms_ca *ca, const struct nms_crl_entry *e, size_t n,
	       int64_t now, int64_t next_seconds, uint8_t **der, size_t *len,
	       char *err, size_t errlen);

#endif
