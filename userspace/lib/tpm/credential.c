// SPDX-License-Identifier: GPL-2.0-only
/*
 * MakeCredential in software and ActivateCredential in the TPM.
 */
#include "tpm/credential.h"

#include "base/errmsg.h"
#include "tpm/ek.h"
#include "tpm/convert.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <string.h>

#define SEED_LEN 32 /* the size of the EK's nameAlg digest (SHA-256) */
#define SYM_LEN 16 /* AES-128, the EK's symmetric algorithm */

struct part {
	const void *p;
	size_t n;
};

/* HMAC-SHA256 over the parts, in order. */
static int hmac_sha256(const uint8_t *key, size_t klen,
		       const struct part *parts, size_t nparts, uint8_t out[32])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *m = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256",
				       6),
		OSSL_PARAM_END,
	};
	size_t outl = 0;
	int ok = m && EVP_MAC_init(m, key, klen, params);

	for (size_t i = 0; ok && i < nparts; i++)
		ok = !parts[i].n || EVP_MAC_update(m, parts[i].p, parts[i].n);
	ok = ok && EVP_MAC_final(m, out, &outl, 32) && outl == 32;
	EVP_MAC_CTX_free(m);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

/*
 * KDFa with SHA-256 (Part 1, "Key Derivation Function"): blocks of
 * HMAC(key, counter || label || 0x00 || contextU || bits), no contextV
 * here, until @len bytes are made.
 */
static int kdfa(const uint8_t *key, size_t klen, const char *label,
		const uint8_t *ctx_u, size_t ulen, uint8_t *out, size_t len)
{
	uint32_t bits = (uint32_t)len * 8;
	uint8_t be_bits[4] = { bits >> 24, bits >> 16, bits >> 8, bits };
	uint8_t block[32];

	for (uint32_t i = 1, done = 0; done < len; i++) {
		uint8_t be_i[4] = { i >> 24, i >> 16, i >> 8, i };
		struct part parts[] = {
			{ be_i, 4 },
			{ label, strlen(label) + 1 }, /* with its 0x00 */
			{ ctx_u, ulen },
			{ be_bits, 4 },
		};
		size_t n = len - done < 32 ? len - done : 32;

		if (hmac_sha256(key, klen, parts, 4, block) < 0)
			return -1;
		memcpy(out + done, block, n);
		done += n;
	}
	OPENSSL_cleanse(block, sizeof(block));
	return 0;
}

/* The seed, RSA-OAEP(SHA-256) encrypted to the EK with label "IDENTITY". */
static int encrypt_seed(const TPM2B_PUBLIC *ek_pub, const uint8_t *seed,
			TPM2B_ENCRYPTED_SECRET *out, char *err, size_t errlen)
{
	static const char label[] = "IDENTITY"; /* with its 0x00 */
	EVP_PKEY *ek = tr_tpm_public_to_evp(ek_pub, err, errlen);
	EVP_PKEY_CTX *c = ek ? EVP_PKEY_CTX_new(ek, NULL) : NULL;
	size_t n = sizeof(out->secret);
	void *lbl = OPENSSL_memdup(label, sizeof(label));
	int ok;

	/* set0_rsa_oaep_label takes the label over; freed with c. */
	ok = c && lbl && EVP_PKEY_encrypt_init(c) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set0_rsa_oaep_label(c, lbl, sizeof(label)) > 0;
	if (ok)
		lbl = NULL;
	ok = ok && EVP_PKEY_encrypt(c, out->secret, &n, seed, SEED_LEN) > 0;
	OPENSSL_free(lbl);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(ek);
	if (!ok)
		return ek ? tr_fail(err, errlen, "RSA-OAEP to the EK failed") :
			    -1;
	out->size = (uint16_t)n;
	return 0;
}

/* AES-128-CFB with a zero IV, as the TPM protects credentials. */
static int aes_cfb(const uint8_t key[SYM_LEN], const uint8_t *in, size_t len,
		   uint8_t *out)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_cfb(), NULL, key, iv) &&
	     EVP_EncryptUpdate(c, out, &n, in, (int)len) &&
	     EVP_EncryptFinal_ex(c, out + n, &m) && (size_t)(n + m) == len;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

int tr_make_credential(const TPM2B_PUBLIC *ek_pub, const TPM2B_NAME *ak_name,
		       const uint8_t *secret, size_t slen,
		       TPM2B_ID_OBJECT *cred, TPM2B_ENCRYPTED_SECRET *seed_out,
		       char *err, size_t errlen)
{
	const TPMT_PUBLIC *a = &ek_pub->publicArea;
	uint8_t seed[SEED_LEN], sym[SYM_LEN], hkey[32], plain[2 + 32];
	uint8_t *hmac = cred->credential + 2, *enc = cred->credential + 34;
	size_t plen = 2 + slen;
	int ret = -1;

	/* Only what templates L-1 and H-1 make: anything else would be
	 * wrapped to parameters the TPM does not use, and fail there
	 * obscurely. */
	if (a->type != TPM2_ALG_RSA || a->nameAlg != TPM2_ALG_SHA256 ||
	    a->parameters.rsaDetail.keyBits != 2048 ||
	    a->parameters.rsaDetail.symmetric.algorithm != TPM2_ALG_AES ||
	    a->parameters.rsaDetail.symmetric.keyBits.aes != 128 ||
	    a->parameters.rsaDetail.symmetric.mode.aes != TPM2_ALG_CFB)
		return tr_fail(err, errlen,
			       "EK is not an RSA-2048/SHA-256/AES-128-CFB EK");
	if (!slen || slen > 32)
		return tr_fail(err, errlen, "credential secret of %zu bytes",
			       slen);
	if (!ak_name->size || ak_name->size > sizeof(ak_name->name))
		return tr_fail(err, errlen, "empty AK name");
	if (RAND_bytes(seed, sizeof(seed)) != 1)
		return tr_fail(err, errlen, "no randomness");
	/* The credential is a marshalled TPM2B_DIGEST. */
	plain[0] = (uint8_t)(slen >> 8);
	plain[1] = (uint8_t)slen;
	memcpy(plain + 2, secret, slen);
	{
		struct part hparts[] = {
			{ enc, plen },
			{ ak_name->name, ak_name->size },
		};

		if (encrypt_seed(ek_pub, seed, seed_out, err, errlen) < 0)
			goto out;
		if (kdfa(seed, sizeof(seed), "STORAGE", ak_name->name,
			 ak_name->size, sym, sizeof(sym)) < 0 ||
		    aes_cfb(sym, plain, plen, enc) < 0 ||
		    kdfa(seed, sizeof(seed), "INTEGRITY", NULL, 0, hkey,
			 sizeof(hkey)) < 0 ||
		    hmac_sha256(hkey, sizeof(hkey), hparts, 2, hmac) < 0) {
			tr_fail(err, errlen, "credential crypto failed");
			goto out;
		}
	}
	/* TPM2B_ID_OBJECT: TPM2B_DIGEST(outer HMAC) || encrypted identity. */
	cred->credential[0] = 0;
	cred->credential[1] = 32;
	cred->size = (uint16_t)(2 + 32 + plen);
	ret = 0;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(sym, sizeof(sym));
	OPENSSL_cleanse(hkey, sizeof(hkey));
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret;
}

int tr_activate_credential(struct tr_tpm *t, const TPM2B_PUBLIC *ak_pub,
			   const TPM2B_PRIVATE *ak_priv,
			   const TPM2B_ID_OBJECT *cred,
			   const TPM2B_ENCRYPTED_SECRET *seed,
			   TPM2B_DIGEST *secret, char *err, size_t errlen)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	ESYS_TR ak = ESYS_TR_NONE, ek = ESYS_TR_NONE, sess = ESYS_TR_NONE;
	TPM2B_PUBLIC ek_pub;
	TPM2B_DIGEST *out = NULL;
	TSS2_RC rc;
	int ret = -1;

	if (tr_tpm_srk(t, err, errlen) < 0 ||
	    tr_ek_create(t, &ek, &ek_pub, err, errlen) < 0)
		return -1;
	t->commands++;
	rc = Esys_Load(t->esys, t->srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
		       ESYS_TR_NONE, ak_priv, ak_pub, &ak);
	if (rc) {
		tr_tpm_load_fail(err, errlen, "the AK", rc);
		goto out;
	}
	/* The EK's policy: PolicySecret of the endorsement hierarchy. */
	t->commands += 2;
	rc = Esys_StartAuthSession(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   NULL, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256,
				   &sess);
	if (!rc)
		rc = Esys_PolicySecret(t->esys, ESYS_TR_RH_ENDORSEMENT, sess,
				       ESYS_TR_PASSWORD, ESYS_TR_NONE,
				       ESYS_TR_NONE, NULL, NULL, NULL, 0, NULL,
				       NULL);
	if (rc) {
		tr_tpm_fail(err, errlen, "the EK's policy session", rc);
		goto out;
	}
	/* Used once: the TPM flushes it after a successful command. */
	Esys_TRSess_SetAttributes(t->esys, sess, 0,
				  TPMA_SESSION_CONTINUESESSION);
	t->commands++;
	rc = Esys_ActivateCredential(t->esys, ak, ek, ESYS_TR_PASSWORD, sess,
				     ESYS_TR_NONE, cred, seed, &out);
	if (!rc)
		sess = ESYS_TR_NONE; /* flushed by the TPM */
	if (rc) {
		tr_tpm_fail(
			err, errlen,
			"TPM2_ActivateCredential (made for another AK or TPM?)",
			rc);
		goto out;
	}
	*secret = *out;
	ret = 0;
out:
	Esys_Free(out);
	if (sess != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, sess);
	if (ak != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, ak);
	Esys_FlushContext(t->esys, ek);
	return ret;
}
