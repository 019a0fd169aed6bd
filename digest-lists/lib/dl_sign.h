/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Signatures on digest lists, in the two forms IMA verifies:
 *  - an appended, module-style signature: detached PKCS#7 (CMS) over the
 *    content, SHA-256, no certificates, no signed attributes, signer by
 *    issuer and serial, then struct module_signature (12 bytes, id_type 2,
 *    sig_len big endian) and "~Module signature appended~\n", as the
 *    kernel's scripts/sign-file writes it;
 *  - a security.ima signature, format v2, as evmctl writes it: 0x03
 *    (EVM_IMA_XATTR_DIGSIG), 0x02 (version), hash algorithm (enum
 *    hash_algo), 4-byte key id (last 4 bytes of the certificate's subject
 *    key identifier), 2-byte big-endian signature size, then the signature
 *    over the file's digest (RSA PKCS#1 v1.5 or ECDSA).
 * Keys and certificates come from PEM files. Every function returns 0 on
 * success, or -1 with a message in @err naming what failed.
 */
#ifndef TR_DL_SIGN_H
#define TR_DL_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define DL_IMASIG_MAX 1033 /* 9-byte header and an 8192-bit signature */

EVP_PKEY *dl_load_key(const char *pem_path, char *err, size_t errlen);
X509 *dl_load_cert(const char *pem_path, char *err, size_t errlen);

/* @data followed by its appended signature, in a new buffer. */
int dl_modsig_append(const uint8_t *data, size_t len, EVP_PKEY *key, X509 *cert,
		     uint8_t **out, size_t *out_len, char *err, size_t errlen);

/*
 * Verify the appended signature of @buf against @cert. Returns 0 if it is
 * valid, -1 if there is none, it is malformed, or it does not verify.
 */
int dl_modsig_verify(const uint8_t *buf, size_t len, X509 *cert, char *err,
		     size_t errlen);

/*
 * The security.ima value (v2) for @data signed with @key, its key id taken
 * from @cert. @sig has room for DL_IMASIG_MAX bytes.
 */
int dl_imasig_create(const uint8_t *data, size_t len, EVP_PKEY *key, X509 *cert,
		     uint8_t *sig, size_t *sig_len, char *err, size_t errlen);

/* Verify a security.ima value (v2) over @data against @cert. */
int dl_imasig_verify(const uint8_t *data, size_t len, const uint8_t *sig,
		     size_t sig_len, X509 *cert, char *err, size_t errlen);

#endif
