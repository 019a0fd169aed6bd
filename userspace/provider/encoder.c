// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text encoders for our keys ("openssl pkey -text", EVP_PKEY_print_*):
 * the public key as OpenSSL prints it, then what the TPM holds about the
 * key: its parent, authPolicy and the policy that authorizes it. A TPM
 * key has no private material outside the TPM to print (the key file's
 * private part is wrapped by the TPM's storage key), and nothing here
 * tries: the default provider's text encoder would need the private key
 * exported, which our keymgmt refuses, and failed without a word.
 */
#include "userspace/provider/provider.h"

#include "base/hex.h"
#include "tpm/keyfile.h"
#include "tpm/convert.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

struct enc_ctx {
	struct tr_prov *prov;
};

static void *enc_newctx(void *provctx)
{
	struct enc_ctx *c = OPENSSL_zalloc(sizeof(*c));

	if (c)
		c->prov = provctx;
	return c;
}

static void enc_freectx(void *ctx)
{
	OPENSSL_free(ctx);
}

static int enc_does_selection(void *provctx, int selection)
{
	(void)provctx;
	return !!(selection & (OSSL_KEYMGMT_SELECT_KEYPAIR |
			       OSSL_KEYMGMT_SELECT_ALL_PARAMETERS));
}

/* "    04:ab:..." in lines of 15 bytes, as OpenSSL prints key material. */
static void print_bytes(BIO *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		BIO_printf(b, "%s%02x%s", i % 15 ? "" : "    ", p[i],
			   i + 1 == n	? "\n" :
			   i % 15 == 14 ? ":\n" :
					  ":");
}

static void print_hex_line(BIO *b, const char *what, const uint8_t *p, size_t n)
{
	char h[2 * 64 + 1];

	if (n > 64)
		n = 64;
	tr_hex(h, p, n);
	BIO_printf(b, "    %s: %s\n", what, n ? h : "(empty)");
}

static void print_pcrs(BIO *b, const unsigned char selected[TR_PCRS])
{
	const char *sep = "";

	BIO_printf(b, "sha256:");
	for (int i = 0; i < TR_PCRS; i++)
		if (selected[i]) {
			BIO_printf(b, "%s%d", sep, i);
			sep = ",";
		}
}

/* What the key file and the TPM say about the key; nothing secret. */
static void print_tpm(BIO *b, const struct tr_prov_key *k)
{
	const TPMT_PUBLIC *a = &k->pub.publicArea;
	TPM2B_NAME name;

	BIO_printf(b, "TPM key (the private key never leaves the TPM):\n");
	BIO_printf(b,
		   "    parent: 0x%08x (the owner's ECC P-256 storage key)\n",
		   TR_PARENT_OWNER);
	BIO_printf(b, "    userWithAuth: %s\n",
		   a->objectAttributes & TPMA_OBJECT_USERWITHAUTH ?
			   "SET (a password works too)" :
			   "clear (only the policy authorizes the key)");
	print_hex_line(b, "authPolicy", a->authPolicy.buffer,
		       a->authPolicy.size);
	if (!k->authorize) {
		BIO_printf(b, "    policy: TPM2_PolicyPCR over ");
		print_pcrs(b, k->pcrs.selected);
		BIO_printf(b, "\n");
		print_hex_line(b, "sealed PCR digest", k->pcr_digest,
			       sizeof(k->pcr_digest));
		return;
	}
	BIO_printf(b, "    policy: TPM2_PolicyAuthorize\n");
	if (!tr_tpm_name(&k->authorizer, &name))
		print_hex_line(b, "authorizer name", name.name, name.size);
	print_hex_line(b, "policyRef", k->ref.buffer, k->ref.size);
	BIO_printf(b, "    signed policies: %zu\n", k->n_approvals);
	for (size_t i = 0; i < k->n_approvals; i++) {
		BIO_printf(b, "    approval %zu: TPM2_PolicyPCR over ", i);
		print_pcrs(b, k->approval[i].selected);
		BIO_printf(b, "\n");
	}
}

static void print_ec(BIO *b, const struct tr_prov_key *k, bool priv)
{
	uint8_t pt[65];

	tr_prov_key_point(k, pt);
	BIO_printf(b, "%s: (256 bit)\n", priv ? "Private-Key" : "Public-Key");
	if (priv)
		BIO_printf(b, "priv: in the TPM\n");
	BIO_printf(b, "pub:\n");
	print_bytes(b, pt, sizeof(pt));
	BIO_printf(b, "ASN1 OID: prime256v1\nNIST CURVE: P-256\n");
}

static void print_rsa(BIO *b, const struct tr_prov_key *k, bool priv)
{
	const TPMT_PUBLIC *a = &k->pub.publicArea;
	uint32_t e = a->parameters.rsaDetail.exponent ?
			     a->parameters.rsaDetail.exponent :
			     65537;
	uint8_t n[257] = { 0 }; /* a leading zero, as OpenSSL prints it */

	memcpy(n + 1, a->unique.rsa.buffer, 256);
	BIO_printf(b, "%s: (2048 bit)\n", priv ? "Private-Key" : "Public-Key");
	BIO_printf(b, "Modulus:\n");
	print_bytes(b, n[1] & 0x80 ? n : n + 1, n[1] & 0x80 ? 257 : 256);
	BIO_printf(b, "Exponent: %u (0x%x)\n", e, e);
	if (priv)
		BIO_printf(b, "privateExponent: in the TPM\n");
}

static int enc_encode(void *ctx, OSSL_CORE_BIO *out, const void *obj,
		      const OSSL_PARAM obj_abstract[], int selection,
		      OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
	struct enc_ctx *c = ctx;
	const struct tr_prov_key *k = obj;
	bool priv = selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY;
	BIO *b;
	int ok = 1;

	(void)cb;
	(void)cbarg;
	if (!k || obj_abstract) {
		tr_prov_err(c->prov, TR_R_UNSUPPORTED,
			    "text: only keys of the trustroute provider");
		return 0;
	}
	b = BIO_new_from_core_bio(c->prov->libctx, out);
	if (!b)
		return 0;
	if (k->soft)
		/* An ECDHE key: the provider that made it prints it. */
		ok = (priv ? EVP_PKEY_print_private(b, k->soft, 0, NULL) :
		      selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY ?
			     EVP_PKEY_print_public(b, k->soft, 0, NULL) :
			     EVP_PKEY_print_params(b, k->soft, 0, NULL)) > 0;
	else if (tr_prov_key_is_rsa(k))
		print_rsa(b, k, priv);
	else
		print_ec(b, k, priv);
	if (!k->soft)
		print_tpm(b, k);
	BIO_free(b);
	return ok;
}

const OSSL_DISPATCH tr_text_encoder_functions[] = {
	{ OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))enc_newctx },
	{ OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))enc_freectx },
	{ OSSL_FUNC_ENCODER_DOES_SELECTION,
	  (void (*)(void))enc_does_selection },
	{ OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))enc_encode },
	{ 0, NULL },
};
