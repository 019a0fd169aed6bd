/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "trustroute" OpenSSL 3 provider: TPM signing keys whose
 * authorization is a PCR policy, read from "TSS2 PRIVATE KEY" files.
 *
 * The key file reaches us through the default provider's file store: its
 * PEM decoder yields DER, the store asks for a key by value, and our
 * DER/TSS2 decoder hands our keymgmt a reference (same provider, so
 * nothing is exported). The key is loaded into the TPM, with its policy
 * session, on its first signature and stays loaded until freed.
 */
#ifndef TR_PROVIDER_H
#define TR_PROVIDER_H

#include "tpm/key.h"

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <stdbool.h>

#define TR_PROV_NAME "trustroute"
#define TR_PROV_PROPS "provider=trustroute"

/* Reason codes of our errors (texts in provider.c). */
enum {
	TR_R_POLICY = 1, /* "PCR policy not satisfied" */
	TR_R_TPM,
	TR_R_KEYFILE,
	TR_R_UNSUPPORTED,
	TR_R_INTERNAL,
};

struct tr_prov {
	const OSSL_CORE_HANDLE *handle;
	OSSL_LIB_CTX *libctx; /* child of the application's, for digests */
	char *tcti; /* from the provider configuration, or NULL */
	struct tr_tpm tpm;
	bool tpm_open;
	OSSL_FUNC_BIO_read_ex_fn *bio_read;
};

/* A TPM key: what the file says, and the TPM's handles once loaded. */
struct tr_prov_key {
	struct tr_prov *prov;
	TPM2B_PUBLIC pub;
	TPM2B_PRIVATE priv;
	struct tr_pcr_values pcrs; /* PolicyPCR keys: the selection */
	uint8_t pcr_digest[32]; /* and the digest of the sealed values (the
				 * PCRs are checked as they are, by the TPM) */
	bool authorize; /* PolicyAuthorize keys: */
	TPM2B_PUBLIC authorizer;
	TPM2B_NONCE ref;
	struct tr_approval approval[TR_MAX_APPROVALS]; /* from the file */
	size_t n_approvals;
	bool loaded;
	struct tr_key key;
	/* Or a software EC key (softkey.c): ECDHE keys libssl makes through
	 * our "EC" keymgmt, held for another provider. Never signs here. */
	EVP_PKEY *soft;
	int soft_parts; /* the OSSL_KEYMGMT_SELECT_* parts it holds */
};

/*
 * What a decoder hands keymgmt "load": not a bare pointer, so that no
 * other provider's load (which takes pointer-sized references) can
 * mistake it for its own key.
 */
struct tr_prov_ref {
	uint32_t magic;
	struct tr_prov_key *key; /* taken (cleared) by load */
};

#define TR_PROV_REF_MAGIC 0x54504d4bu /* "TPMK" */

/*
 * Hand @k to @cb as an object reference that our keymgmt's load takes
 * over (decoders, the store). Returns @cb's result; the key is freed
 * here unless load took it.
 */
int tr_prov_key_pass(struct tr_prov_key *k, OSSL_CALLBACK *cb, void *cbarg);

/*
 * Put an error on OpenSSL's queue (the core's, through upcalls), with
 * our reason code and the place that raised it: every refusal says why.
 */
void tr_prov_err_at(struct tr_prov *p, int reason, const char *file, int line,
		    const char *func, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
#define tr_prov_err(p, reason, ...) \
	tr_prov_err_at(p, reason, __FILE__, __LINE__, __func__, __VA_ARGS__)
/* Open the provider's TPM context, once. */
int tr_prov_tpm(struct tr_prov *p);

struct tr_prov_key *tr_prov_key_new(struct tr_prov *p);
void tr_prov_key_free(struct tr_prov_key *k);
/* Fill @k from a TSS2 key file (DER). 1: done, 0: not a TSS2 key, -1. */
int tr_prov_key_from_der(struct tr_prov_key *k, const uint8_t *der, size_t len);
/* The key in the TPM with its policy session (loaded on first use). */
int tr_prov_key_load(struct tr_prov_key *k);
/* 04 || x || y of a P-256 key; 0 if it is not one. */
size_t tr_prov_key_point(const struct tr_prov_key *k, uint8_t out[65]);
/* An RSA-2048 key (else a P-256 one). */
bool tr_prov_key_is_rsa(const struct tr_prov_key *k);

/* Software EC keys in our EC keymgmt (softkey.c). */
void *tr_soft_gen_init(void *provctx, int selection, const OSSL_PARAM params[]);
int tr_soft_gen_set_template(void *genctx, void *templ);
int tr_soft_gen_set_params(void *genctx, const OSSL_PARAM params[]);
const OSSL_PARAM *tr_soft_gen_settable_params(void *genctx, void *provctx);
void *tr_soft_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg);
void tr_soft_gen_cleanup(void *genctx);
int tr_soft_has(const struct tr_prov_key *k, int selection);
int tr_soft_match(const struct tr_prov_key *a, const struct tr_prov_key *b,
		  int selection);
int tr_soft_get_params(const struct tr_prov_key *k, OSSL_PARAM params[]);
int tr_soft_set_params(struct tr_prov_key *k, const OSSL_PARAM params[]);
int tr_soft_export(const struct tr_prov_key *k, int selection,
		   OSSL_CALLBACK *cb, void *cbarg);
void *tr_soft_dup(const struct tr_prov_key *k, int selection);
int tr_soft_validate(const struct tr_prov_key *k, int selection, int checktype);

extern const OSSL_DISPATCH tr_ec_keymgmt_functions[];
extern const OSSL_DISPATCH tr_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH tr_ecdsa_signature_functions[];
extern const OSSL_DISPATCH tr_rsa_signature_functions[];
extern const OSSL_DISPATCH tr_tss2_der_decoder_functions[];
extern const OSSL_DISPATCH tr_tss2_der_rsa_decoder_functions[];
extern const OSSL_DISPATCH tr_tss2_pem_decoder_functions[];
extern const OSSL_DISPATCH tr_tpmkey_store_functions[];
extern const OSSL_DISPATCH tr_text_encoder_functions[];

#endif
