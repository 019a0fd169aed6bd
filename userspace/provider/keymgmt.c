// SPDX-License-Identifier: GPL-2.0-only
/*
 * Key objects and the "EC" and "RSA" keymgmts. Of a TPM key only the
 * public part is exportable: enough for EVP_PKEY_eq against a
 * certificate and for the default provider's encoders (pkey -pubout, the
 * SubjectPublicKeyInfo of a CSR). The EC keymgmt also holds software
 * keys for libssl's ECDHE (softkey.c).
 */
#include "userspace/provider/provider.h"

#include "base/errmsg.h"
#include "tpm/keyfile.h"
#include "tpm/policy_stmt.h"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/bn.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <string.h>
#include <tss2/tss2_mu.h>

struct tr_prov_key *tr_prov_key_new(struct tr_prov *p)
{
	struct tr_prov_key *k = OPENSSL_zalloc(sizeof(*k));

	if (k)
		k->prov = p;
	return k;
}

void tr_prov_key_free(struct tr_prov_key *k)
{
	if (!k)
		return;
	if (k->loaded)
		tr_key_unload(&k->key);
	EVP_PKEY_free(k->soft);
	OPENSSL_clear_free(k, sizeof(*k));
}

/*
 * A PolicyAuthorize key: the authorizer and reference from the key's own
 * first statement, and each signed policy (PolicyPCR, then the signed
 * PolicyAuthorize) as an approval, most recent first as the file has them.
 */
static int authorized(struct tr_prov_key *k, const struct tr_keyfile *kf,
		      char *err, size_t errlen)
{
	const struct tr_policy_stmt *s0 = &kf->policy.stmt[0];
	TPMT_SIGNATURE none;

	if (kf->policy.n != 1 || s0->cc != TR_CC_POLICY_AUTHORIZE)
		return tr_fail(
			err, errlen,
			"signed policies, but the key's policy is not one TPM2_PolicyAuthorize");
	if (tr_stmt_parse_authorize(s0->body, s0->len, &k->authorizer, &k->ref,
				    &none, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < kf->n_auth && i < TR_MAX_APPROVALS; i++) {
		const struct tr_policy *p = &kf->auth[i].policy;
		struct tr_approval *a = &k->approval[k->n_approvals];
		TPM2B_PUBLIC signer;
		TPM2B_NONCE ref;

		/* Only the shape trustkey approve writes; others are skipped
		 * (another policy may still work), never half-used. */
		if (p->n != 2 || p->stmt[0].cc != TR_CC_POLICY_PCR ||
		    p->stmt[1].cc != TR_CC_POLICY_AUTHORIZE ||
		    tr_stmt_parse_pcr(p->stmt[0].body, p->stmt[0].len,
				      a->selected, a->pcr_digest, err,
				      errlen) < 0 ||
		    tr_stmt_parse_authorize(p->stmt[1].body, p->stmt[1].len,
					    &signer, &ref, &a->sig, err,
					    errlen) < 0)
			continue;
		k->n_approvals++;
	}
	if (!k->n_approvals)
		return tr_fail(err, errlen,
			       "no usable signed policy in the key file");
	k->authorize = true;
	return 0;
}

int tr_prov_key_from_der(struct tr_prov_key *k, const uint8_t *der, size_t len)
{
	struct tr_keyfile kf;
	char err[256];
	size_t off;
	int ret = -1;

	memset(&kf, 0, sizeof(kf));
	/* Not a key file: somebody else's input, no error. */
	if (tr_keyfile_decode(der, len, &kf, err, sizeof(err)) < 0)
		return 0;
	if (kf.parent != TR_PARENT_OWNER) {
		tr_prov_err(
			k->prov, TR_R_KEYFILE,
			"parent 0x%08x: only keys under the owner SRK (0x40000001) are supported",
			kf.parent);
		goto out;
	}
	if (kf.n_auth) {
		if (authorized(k, &kf, err, sizeof(err)) < 0) {
			tr_prov_err(k->prov, TR_R_KEYFILE, "%s", err);
			goto out;
		}
	} else if (!kf.policy.n) {
		/* A key any password session can use proves nothing about
		 * the PCRs: refused, and the reason said. */
		tr_prov_err(
			k->prov, TR_R_KEYFILE,
			"the key file has no policy: the key is not sealed to a PCR state (the trustroute provider uses keys bound by TPM2_PolicyPCR or TPM2_PolicyAuthorize only)");
		goto out;
	} else if (kf.policy.n != 1 ||
		   kf.policy.stmt[0].cc != TR_CC_POLICY_PCR) {
		tr_prov_err(
			k->prov, TR_R_KEYFILE,
			"the key's policy is %zu statement(s), the first command 0x%x: only one TPM2_PolicyPCR (0x17f) or signed policies are supported",
			kf.policy.n, kf.policy.stmt[0].cc);
		goto out;
	} else if (tr_stmt_parse_pcr(kf.policy.stmt[0].body,
				     kf.policy.stmt[0].len, k->pcrs.selected,
				     k->pcr_digest, err, sizeof(err)) < 0) {
		tr_prov_err(k->prov, TR_R_KEYFILE,
			    "the key's TPM2_PolicyPCR: %s", err);
		goto out;
	}
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(kf.pub, kf.pub_len, &off, &k->pub) ||
	    off != kf.pub_len) {
		tr_prov_err(k->prov, TR_R_KEYFILE, "bad TPM2B_PUBLIC");
		goto out;
	}
	off = 0;
	if (Tss2_MU_TPM2B_PRIVATE_Unmarshal(kf.priv, kf.priv_len, &off,
					    &k->priv) ||
	    off != kf.priv_len) {
		tr_prov_err(k->prov, TR_R_KEYFILE, "bad TPM2B_PRIVATE");
		goto out;
	}
	if (!tr_prov_key_point(k, (uint8_t[65]){ 0 }) &&
	    !tr_prov_key_is_rsa(k)) {
		tr_prov_err(k->prov, TR_R_KEYFILE,
			    "neither a NIST P-256 nor an RSA-2048 signing key");
		goto out;
	}
	ret = 1;
out:
	tr_keyfile_free(&kf);
	return ret;
}

int tr_prov_key_load(struct tr_prov_key *k)
{
	char err[256];

	if (k->loaded)
		return 0;
	if (tr_prov_tpm(k->prov) < 0)
		return -1;
	if (k->authorize) {
		if (tr_key_load_authorized(&k->prov->tpm, &k->pub, &k->priv,
					   &k->authorizer, &k->ref, &k->key,
					   err, sizeof(err)) < 0) {
			tr_prov_err(k->prov, TR_R_TPM, "%s", err);
			return -1;
		}
		for (size_t i = 0; i < k->n_approvals; i++)
			tr_key_add_approval(&k->key, &k->approval[i], err,
					    sizeof(err));
	} else if (tr_key_load_pcr(&k->prov->tpm, &k->pub, &k->priv, &k->pcrs,
				   &k->key, err, sizeof(err)) < 0) {
		tr_prov_err(k->prov, TR_R_TPM, "%s", err);
		return -1;
	}
	k->loaded = true;
	return 0;
}

size_t tr_prov_key_point(const struct tr_prov_key *k, uint8_t out[65])
{
	const TPMT_PUBLIC *a = &k->pub.publicArea;

	if (a->type != TPM2_ALG_ECC ||
	    a->parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 ||
	    a->unique.ecc.x.size != 32 || a->unique.ecc.y.size != 32)
		return 0;
	out[0] = 4; /* uncompressed */
	memcpy(out + 1, a->unique.ecc.x.buffer, 32);
	memcpy(out + 33, a->unique.ecc.y.buffer, 32);
	return 65;
}

bool tr_prov_key_is_rsa(const struct tr_prov_key *k)
{
	const TPMT_PUBLIC *a = &k->pub.publicArea;

	return a->type == TPM2_ALG_RSA &&
	       a->parameters.rsaDetail.keyBits == 2048 &&
	       a->unique.rsa.size == 256;
}

/* The public exponent: 0 in the public area means the default 65537. */
static uint32_t rsa_exponent(const struct tr_prov_key *k)
{
	uint32_t e = k->pub.publicArea.parameters.rsaDetail.exponent;

	return e ? e : 65537;
}

static void *km_new(void *provctx)
{
	return tr_prov_key_new(provctx);
}

static void km_free(void *keydata)
{
	tr_prov_key_free(keydata);
}

/* The decoder's reference: a pointer to its key, which we take over. */
static void *km_load(const void *reference, size_t reference_sz)
{
	struct tr_prov_ref *ref = (struct tr_prov_ref *)reference;
	struct tr_prov_key *k;

	if (!ref || reference_sz != sizeof(*ref) ||
	    ref->magic != TR_PROV_REF_MAGIC)
		return NULL;
	k = ref->key;
	ref->key = NULL;
	return k;
}

int tr_prov_key_pass(struct tr_prov_key *k, OSSL_CALLBACK *cb, void *cbarg)
{
	struct tr_prov_ref ref = { TR_PROV_REF_MAGIC, k };
	const char *name = tr_prov_key_is_rsa(k) ? "RSA" : "EC";
	int type = OSSL_OBJECT_PKEY, ret;
	OSSL_PARAM params[] = {
		OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &type),
		OSSL_PARAM_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE,
				       (char *)name, strlen(name)),
		OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &ref,
					sizeof(ref)),
		OSSL_PARAM_END,
	};

	ret = cb(params, cbarg);
	tr_prov_key_free(ref.key); /* NULL when km_load took it */
	return ret;
}

static int km_has(const void *keydata, int selection)
{
	const struct tr_prov_key *k = keydata;
	uint8_t pt[65];

	if (k && k->soft)
		return tr_soft_has(k, selection);
	/* A TPM key has every part, the private one in the TPM. */
	return k && (tr_prov_key_point(k, pt) || tr_prov_key_is_rsa(k));
}

static int km_match(const void *a, const void *b, int selection)
{
	const struct tr_prov_key *ka = a, *kb = b;
	uint8_t pa[65], pb[65];

	if (ka->soft || kb->soft)
		return tr_soft_match(ka, kb, selection);
	if (tr_prov_key_is_rsa(ka) || tr_prov_key_is_rsa(kb))
		return tr_prov_key_is_rsa(ka) && tr_prov_key_is_rsa(kb) &&
		       rsa_exponent(ka) == rsa_exponent(kb) &&
		       !memcmp(ka->pub.publicArea.unique.rsa.buffer,
			       kb->pub.publicArea.unique.rsa.buffer, 256);
	return tr_prov_key_point(a, pa) && tr_prov_key_point(b, pb) &&
	       !memcmp(pa, pb, sizeof(pa));
}

static int km_get_params(void *keydata, OSSL_PARAM params[])
{
	struct tr_prov_key *k = keydata;
	uint8_t pt[65];
	OSSL_PARAM *p;

	if (k->soft)
		return tr_soft_get_params(k, params);
	if (!tr_prov_key_point(k, pt))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS);
	if (p && !OSSL_PARAM_set_int(p, 256))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS);
	if (p && !OSSL_PARAM_set_int(p, 128))
		return 0;
	/* DER ECDSA-Sig-Value: SEQUENCE of two INTEGERs of up to 33 bytes */
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE);
	if (p && !OSSL_PARAM_set_int(p, 72))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST);
	if (p && !OSSL_PARAM_set_utf8_string(p, "SHA256"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME);
	if (p && !OSSL_PARAM_set_utf8_string(p, "prime256v1"))
		return 0;
	p = OSSL_PARAM_locate(params,
			      OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT);
	if (p && !OSSL_PARAM_set_utf8_string(p, "uncompressed"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_ENCODING);
	if (p && !OSSL_PARAM_set_utf8_string(p, "named_curve"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PUB_KEY);
	if (p && !OSSL_PARAM_set_octet_string(p, pt, sizeof(pt)))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
	if (p && !OSSL_PARAM_set_octet_string(p, pt, sizeof(pt)))
		return 0;
	return 1;
}

static const OSSL_PARAM *km_gettable_params(void *provctx)
{
	static const OSSL_PARAM gettable[] = {
		OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
		OSSL_PARAM_utf8_string(
			OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL, 0),
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					NULL, 0),
		OSSL_PARAM_END,
	};

	(void)provctx;
	return gettable;
}

/*
 * Export refuses any request for the private part. Were it to answer with
 * the public part only, OpenSSL would take the export for a usable key in
 * the other provider (it asks for everything when it moves a key to a
 * provider's signature) and sign there: "missing private key" instead of
 * the TPM signing. Refused, OpenSSL signs with our signature.
 */
static const OSSL_PARAM export_params[] = {
	OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
	OSSL_PARAM_END,
};

static int km_export(void *keydata, int selection, OSSL_CALLBACK *cb,
		     void *cbarg)
{
	struct tr_prov_key *k = keydata;
	char group[] = "prime256v1";
	uint8_t pt[65];
	OSSL_PARAM params[3];
	size_t n = 0;

	if (k->soft)
		return tr_soft_export(k, selection, cb, cbarg);
	if (!tr_prov_key_point(k, pt))
		return 0;
	/* The private key never leaves the TPM. */
	if (!(selection & (OSSL_KEYMGMT_SELECT_PUBLIC_KEY |
			   OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS)) ||
	    (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY))
		return 0;
	params[n++] = OSSL_PARAM_construct_utf8_string(
		OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	if (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
		params[n++] = OSSL_PARAM_construct_octet_string(
			OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt));
	params[n] = OSSL_PARAM_construct_end();
	return cb(params, cbarg);
}

/* What software keys export too; a TPM key still refuses the private. */
static const OSSL_PARAM soft_export_params[] = {
	OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
	OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, NULL, 0),
	OSSL_PARAM_END,
};

static const OSSL_PARAM *km_export_types(int selection)
{
	if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)
		return soft_export_params;
	if (!(selection & (OSSL_KEYMGMT_SELECT_PUBLIC_KEY |
			   OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS)))
		return NULL;
	return export_params;
}

/* Only software keys take parameters: the peer's ECDHE key share. */
static int km_set_params(void *keydata, const OSSL_PARAM params[])
{
	struct tr_prov_key *k = keydata;

	if (!k->soft) {
		tr_prov_err(k->prov, TR_R_UNSUPPORTED,
			    "a TPM key's parameters cannot be changed");
		return 0;
	}
	return tr_soft_set_params(k, params);
}

static const OSSL_PARAM *km_settable_params(void *provctx)
{
	static const OSSL_PARAM settable[] = {
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					NULL, 0),
		OSSL_PARAM_END,
	};

	(void)provctx;
	return settable;
}

/* A TPM key is not copied: its TPM handles and session are its own. */
static void *km_dup(const void *keydata, int selection)
{
	const struct tr_prov_key *k = keydata;

	return k && k->soft ? tr_soft_dup(k, selection) : NULL;
}

static int km_validate(const void *keydata, int selection, int checktype)
{
	const struct tr_prov_key *k = keydata;

	if (k->soft)
		return tr_soft_validate(k, selection, checktype);
	/* A TPM key: what OpenSSL assumes of keymgmts without this. */
	return km_has(keydata, selection);
}

/* ECDH runs in the provider of the software key once exported there. */
static const char *km_query_operation_name(int operation_id)
{
	return operation_id == OSSL_OP_SIGNATURE ? "ECDSA" :
	       operation_id == OSSL_OP_KEYEXCH	 ? "ECDH" :
						   NULL;
}

const OSSL_DISPATCH tr_ec_keymgmt_functions[] = {
	{ OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))km_new },
	{ OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))km_free },
	{ OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))km_load },
	{ OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))km_has },
	{ OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))km_match },
	{ OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))km_get_params },
	{ OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,
	  (void (*)(void))km_gettable_params },
	{ OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))km_export },
	{ OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))km_export_types },
	{ OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
	  (void (*)(void))km_query_operation_name },
	{ OSSL_FUNC_KEYMGMT_SET_PARAMS, (void (*)(void))km_set_params },
	{ OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS,
	  (void (*)(void))km_settable_params },
	{ OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))km_dup },
	{ OSSL_FUNC_KEYMGMT_VALIDATE, (void (*)(void))km_validate },
	/* ECDHE keys, made by another provider (softkey.c). */
	{ OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))tr_soft_gen_init },
	{ OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE,
	  (void (*)(void))tr_soft_gen_set_template },
	{ OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS,
	  (void (*)(void))tr_soft_gen_set_params },
	{ OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS,
	  (void (*)(void))tr_soft_gen_settable_params },
	{ OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))tr_soft_gen },
	{ OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))tr_soft_gen_cleanup },
	{ 0, NULL },
};

/* RSA-2048: the modulus and exponent, as OpenSSL's own RSA keys give them. */
static int rsa_set_bn(OSSL_PARAM *p, const uint8_t *be, size_t len)
{
	BIGNUM *bn = BN_bin2bn(be, (int)len, NULL);
	int ok = bn && OSSL_PARAM_set_BN(p, bn);

	BN_free(bn);
	return ok;
}

static int rsa_set_e(OSSL_PARAM *p, const struct tr_prov_key *k)
{
	uint32_t e = rsa_exponent(k);
	uint8_t be[4] = { e >> 24, e >> 16, e >> 8, e };

	return rsa_set_bn(p, be, sizeof(be));
}

static int rsa_get_params(void *keydata, OSSL_PARAM params[])
{
	struct tr_prov_key *k = keydata;
	OSSL_PARAM *p;

	if (!tr_prov_key_is_rsa(k))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS);
	if (p && !OSSL_PARAM_set_int(p, 2048))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS);
	if (p && !OSSL_PARAM_set_int(p, 112))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE);
	if (p && !OSSL_PARAM_set_int(p, 256))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST);
	if (p && !OSSL_PARAM_set_utf8_string(p, "SHA256"))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_RSA_N);
	if (p && !rsa_set_bn(p, k->pub.publicArea.unique.rsa.buffer, 256))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_RSA_E);
	if (p && !rsa_set_e(p, k))
		return 0;
	return 1;
}

static const OSSL_PARAM rsa_public_params[] = {
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
	OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
	OSSL_PARAM_END,
};

static const OSSL_PARAM *rsa_gettable_params(void *provctx)
{
	static const OSSL_PARAM gettable[] = {
		OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
		OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
		OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
		OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
		OSSL_PARAM_END,
	};

	(void)provctx;
	return gettable;
}

static int rsa_export(void *keydata, int selection, OSSL_CALLBACK *cb,
		      void *cbarg)
{
	struct tr_prov_key *k = keydata;
	uint32_t e = rsa_exponent(k);
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *n, *bn_e;
	int ok = 0;

	/* The private key never leaves the TPM. */
	if (!tr_prov_key_is_rsa(k) ||
	    !(selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) ||
	    (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY))
		return 0;
	n = BN_bin2bn(k->pub.publicArea.unique.rsa.buffer, 256, NULL);
	bn_e = BN_new();
	if (n && bn_e && BN_set_word(bn_e, e) && (bld = OSSL_PARAM_BLD_new()) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)))
		ok = cb(params, cbarg);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(bn_e);
	return ok;
}

static const OSSL_PARAM *rsa_export_types(int selection)
{
	return selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY ? rsa_public_params :
							    NULL;
}

static const char *rsa_query_operation_name(int operation_id)
{
	return operation_id == OSSL_OP_SIGNATURE ? "RSA" : NULL;
}

const OSSL_DISPATCH tr_rsa_keymgmt_functions[] = {
	{ OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))km_new },
	{ OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))km_free },
	{ OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))km_load },
	{ OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))km_has },
	{ OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))km_match },
	{ OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))rsa_get_params },
	{ OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,
	  (void (*)(void))rsa_gettable_params },
	{ OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))rsa_export },
	{ OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))rsa_export_types },
	{ OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
	  (void (*)(void))rsa_query_operation_name },
	{ 0, NULL },
};
