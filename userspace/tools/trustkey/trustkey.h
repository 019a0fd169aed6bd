/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trustkey: one file a subcommand (create.c, show.c, ...); main.c
 * dispatches, common.c reads and writes the files they share.
 */
#ifndef TR_TRUSTKEY_H
#define TR_TRUSTKEY_H

#include "base/cli.h"
#include "tpm/keyfile.h"

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#define ERRLEN 512

/* The usage text on stdout (@rc 0) or stderr; returns @rc. */
int usage(int rc);

/* A PEM public key (the vendor's authorizer). */
EVP_PKEY *read_pubkey(const char *path, char *err);
/* @pem into a new file @out (mode 0600: never over an existing file). */
int write_pem(const char *out, char *pem, size_t len, char *err);
/* @kf with @pub and @priv as a TSS2 PRIVATE KEY file @out. */
int write_keyfile(struct tr_keyfile *kf, const TPM2B_PUBLIC *pub,
		  const TPM2B_PRIVATE *priv, const char *out, char *err);
/* Read and decode the key file @path; @pub its public area. */
int load_keyfile(const char *path, struct tr_keyfile *kf, TPM2B_PUBLIC *pub,
		 char *err);
/* The policy the key file describes, recomputed from its statements. */
int file_policy(const struct tr_keyfile *kf, uint8_t out[32], char *err);
/* @buf into @path as it is. */
int write_raw(const char *path, const uint8_t *buf, size_t len, char *err);

int cmd_create(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_public(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_create_ak(int argc, char **argv);
int cmd_certify(int argc, char **argv);
int cmd_verify_certify(int argc, char **argv);
int cmd_quote(int argc, char **argv);

#endif
