// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM 2.0 key files ("TSS2 PRIVATE KEY"): the ASN.1 is declared with
 * OpenSSL's templates, decoded into OpenSSL objects and then copied into
 * the plain structs of tpm/keyfile.h, so callers never hold OpenSSL
 * objects. The marshalled TPM2B_PUBLIC and TPM2B_PRIVATE are checked with
 * tpm2-tss's unmarshaller.
 */
#include "tpm/keyfile.h"
#include "base/errmsg.h"

#include <limits.h>
#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tpm2_types.h>

#define PEM_LABEL "TSS2 PRIVATE KEY"
#define MAX_STRING 256 /* bytes of a name or description */
#define MAX_PEM (2 * TR_KEYFILE_MAX_DER + 4096)

/* DER contents of the key type OIDs 2.23.133.10.1.{3,4,5}. */
static const uint8_t oid_loadable[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x03 };
static const uint8_t oid_importable[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x04 };
static const uint8_t oid_sealed[] = { 0x67, 0x81, 0x05, 0x0a, 0x01, 0x05 };

typedef struct {
	ASN1_INTEGER *code;
	ASN1_OCTET_STRING *body;
} TPMPolicy;

DEFINE_STACK_OF(TPMPolicy)

typedef struct {
	ASN1_UTF8STRING *name;
	STACK_OF(TPMPolicy) * policy;
} TPMAuthPolicy;

DEFINE_STACK_OF(TPMAuthPolicy)

typedef struct {
	ASN1_OBJECT *type;
	ASN1_BOOLEAN empty_auth; /* -1: absent */
	STACK_OF(TPMPolicy) * policy;
	ASN1_OCTET_STRING *secret;
	STACK_OF(TPMAuthPolicy) * auth_policy;
	ASN1_UTF8STRING *description;
	ASN1_BOOLEAN rsa_parent; /* -1: absent */
	ASN1_INTEGER *parent;
	ASN1_OCTET_STRING *pubkey;
	ASN1_OCTET_STRING *privkey;
} TPMKey;

ASN1_SEQUENCE(TPMPolicy) = {
	ASN1_EXP(TPMPolicy, code, ASN1_INTEGER, 0),
	ASN1_EXP(TPMPolicy, body, ASN1_OCTET_STRING, 1),
} static_ASN1_SEQUENCE_END(TPMPolicy)

ASN1_SEQUENCE(TPMAuthPolicy) = {
	ASN1_EXP_OPT(TPMAuthPolicy, name, ASN1_UTF8STRING, 0),
	ASN1_EXP_SEQUENCE_OF(TPMAuthPolicy, policy, TPMPolicy, 1),
} static_ASN1_SEQUENCE_END(TPMAuthPolicy)

ASN1_SEQUENCE(TPMKey) = {
	ASN1_SIMPLE(TPMKey, type, ASN1_OBJECT),
	ASN1_EXP_OPT(TPMKey, empty_auth, ASN1_BOOLEAN, 0),
	ASN1_EXP_SEQUENCE_OF_OPT(TPMKey, policy, TPMPolicy, 1),
	ASN1_EXP_OPT(TPMKey, secret, ASN1_OCTET_STRING, 2),
	ASN1_EXP_SEQUENCE_OF_OPT(TPMKey, auth_policy, TPMAuthPolicy, 3),
	ASN1_EXP_OPT(TPMKey, description, ASN1_UTF8STRING, 4),
	ASN1_EXP_OPT(TPMKey, rsa_parent, ASN1_BOOLEAN, 5),
	ASN1_SIMPLE(TPMKey, parent, ASN1_INTEGER),
	ASN1_SIMPLE(TPMKey, pubkey, ASN1_OCTET_STRING),
	ASN1_SIMPLE(TPMKey, privkey, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(TPMKey)

IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(TPMPolicy)
IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(TPMAuthPolicy)
IMPLEMENT_STATIC_ASN1_ALLOC_FUNCTIONS(TPMKey)
IMPLEMENT_STATIC_ASN1_ENCODE_FUNCTIONS(TPMKey)

/* The policy commands of TPM 2.0 (Part 3, "Enhanced Authorization"). */
static bool is_policy_cc(uint32_t cc)
{
	static const uint32_t codes[] = {
		TPM2_CC_PolicyNV,
		TPM2_CC_PolicySecret,
		TPM2_CC_PolicySigned,
		TPM2_CC_PolicyAuthorize,
		TPM2_CC_PolicyAuthValue,
		TPM2_CC_PolicyCommandCode,
		TPM2_CC_PolicyCounterTimer,
		TPM2_CC_PolicyCpHash,
		TPM2_CC_PolicyLocality,
		TPM2_CC_PolicyNameHash,
		TPM2_CC_PolicyOR,
		TPM2_CC_PolicyTicket,
		TPM2_CC_PolicyPCR,
		TPM2_CC_PolicyRestart,
		TPM2_CC_PolicyPhysicalPresence,
		TPM2_CC_PolicyDuplicationSelect,
		TPM2_CC_PolicyGetDigest,
		TPM2_CC_PolicyPassword,
		TPM2_CC_PolicyNvWritten,
		TPM2_CC_PolicyTemplate,
		TPM2_CC_PolicyAuthorizeNV,
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (cc == codes[i])
			return true;
	return false;
}

/* Well-formed UTF-8: shortest forms, no surrogates, at most U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		uint32_t cp, min;
		size_t len;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int check_string(const char *what, const uint8_t *s, size_t n, char *err,
			size_t errlen)
{
	if (n > MAX_STRING)
		return tr_fail(err, errlen,
			       "%s is too long (%zu bytes, at most %d)", what,
			       n, MAX_STRING);
	if (n && memchr(s, 0, n))
		return tr_fail(err, errlen, "%s contains a NUL byte", what);
	if (!utf8_valid(s, n))
		return tr_fail(err, errlen, "%s is not valid UTF-8", what);
	return 0;
}

static int check_cstring(const char *what, const char *s, char *err,
			 size_t errlen)
{
	size_t n = strnlen(s, MAX_STRING + 1);

	if (n > MAX_STRING)
		return tr_fail(err, errlen,
			       "%s is too long (more than %d bytes)", what,
			       MAX_STRING);
	return check_string(what, (const uint8_t *)s, n, err, errlen);
}

static int check_parent(uint64_t parent, char *err, size_t errlen)
{
	if (parent == TR_PARENT_OWNER ||
	    (parent >= 0x81000000u && parent <= 0x81ffffffu))
		return 0;
	return tr_fail(
		err, errlen,
		"parent 0x%llx is neither the owner SRK 0x40000001 nor a persistent handle 0x81000000..0x81ffffff",
		(unsigned long long)parent);
}

static int check_public(const uint8_t *b, size_t n, char *err, size_t errlen)
{
	TPM2B_PUBLIC pub;
	uint8_t re[sizeof(TPM2B_PUBLIC)];
	size_t off = 0, relen = 0;
	TSS2_RC rc;

	if (!b || !n)
		return tr_fail(err, errlen, "pubkey is empty");
	memset(&pub, 0, sizeof(pub));
	rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(b, n, &off, &pub);
	if (rc != TSS2_RC_SUCCESS)
		return tr_fail(
			err, errlen,
			"pubkey is not a marshalled TPM2B_PUBLIC (tpm2-tss error 0x%x)",
			rc);
	if (off != n)
		return tr_fail(
			err, errlen,
			"pubkey is not a marshalled TPM2B_PUBLIC (%zu of its %zu bytes unmarshal)",
			off, n);
	if (!pub.size)
		return tr_fail(err, errlen, "pubkey is an empty TPM2B_PUBLIC");
	if ((size_t)pub.size + 2 != n)
		return tr_fail(
			err, errlen,
			"pubkey is not a marshalled TPM2B_PUBLIC (size field %u, contents %zu bytes)",
			pub.size, n - 2);
	rc = Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, re, sizeof(re), &relen);
	if (rc != TSS2_RC_SUCCESS || relen != n || memcmp(re, b, n))
		return tr_fail(
			err, errlen,
			"pubkey is not a marshalled TPM2B_PUBLIC in canonical form");
	return 0;
}

static int check_private(const uint8_t *b, size_t n, char *err, size_t errlen)
{
	TPM2B_PRIVATE priv;
	size_t off = 0;
	TSS2_RC rc;

	if (!b || !n)
		return tr_fail(err, errlen, "privkey is empty");
	memset(&priv, 0, sizeof(priv));
	rc = Tss2_MU_TPM2B_PRIVATE_Unmarshal(b, n, &off, &priv);
	if (rc != TSS2_RC_SUCCESS)
		return tr_fail(
			err, errlen,
			"privkey is not a marshalled TPM2B_PRIVATE (tpm2-tss error 0x%x)",
			rc);
	if (off != n)
		return tr_fail(
			err, errlen,
			"privkey is not a marshalled TPM2B_PRIVATE (%zu of its %zu bytes unmarshal)",
			off, n);
	if (!priv.size)
		return tr_fail(err, errlen,
			       "privkey is an empty TPM2B_PRIVATE");
	return 0;
}

static int check_stmt(const char *what, size_t i, uint32_t cc, const void *body,
		      size_t len, char *err, size_t errlen)
{
	if (!is_policy_cc(cc))
		return tr_fail(
			err, errlen,
			"%s statement %zu: command code 0x%x is not a TPM2 policy command",
			what, i, cc);
	if (len > TR_KEYFILE_MAX_BODY)
		return tr_fail(
			err, errlen,
			"%s statement %zu: CommandPolicy is %zu bytes (at most %d)",
			what, i, len, TR_KEYFILE_MAX_BODY);
	if (len && !body)
		return tr_fail(err, errlen,
			       "%s statement %zu: CommandPolicy has no data",
			       what, i);
	return 0;
}

static int check_policy(const char *what, const struct tr_policy *p, char *err,
			size_t errlen)
{
	if (p->n > TR_KEYFILE_MAX_POLICY)
		return tr_fail(err, errlen,
			       "%s has %zu statements (at most %d)", what, p->n,
			       TR_KEYFILE_MAX_POLICY);
	for (size_t i = 0; i < p->n; i++)
		if (check_stmt(what, i, p->stmt[i].cc, p->stmt[i].body,
			       p->stmt[i].len, err, errlen) < 0)
			return -1;
	return 0;
}

/* Everything the file format and this implementation require of @k. */
static int check_keyfile(const struct tr_keyfile *k, char *err, size_t errlen)
{
	char what[40];

	if (check_parent(k->parent, err, errlen) < 0 ||
	    check_public(k->pub, k->pub_len, err, errlen) < 0 ||
	    check_private(k->priv, k->priv_len, err, errlen) < 0 ||
	    check_policy("policy", &k->policy, err, errlen) < 0)
		return -1;
	if (k->n_auth > TR_KEYFILE_MAX_AUTHPOLICY)
		return tr_fail(err, errlen,
			       "authPolicy has %zu entries (at most %d)",
			       k->n_auth, TR_KEYFILE_MAX_AUTHPOLICY);
	for (size_t i = 0; i < k->n_auth; i++) {
		const struct tr_policy *p = &k->auth[i].policy;

		snprintf(what, sizeof(what), "authPolicy %zu", i);
		if (k->auth[i].name &&
		    check_cstring("authPolicy name", k->auth[i].name, err,
				  errlen) < 0)
			return -1;
		if (check_policy(what, p, err, errlen) < 0)
			return -1;
		if (!p->n)
			return tr_fail(err, errlen, "%s has no statements",
				       what);
		if (p->stmt[p->n - 1].cc != TPM2_CC_PolicyAuthorize)
			return tr_fail(
				err, errlen,
				"%s does not end with TPM2_PolicyAuthorize (last command code 0x%x)",
				what, p->stmt[p->n - 1].cc);
	}
	if (k->n_auth &&
	    (!k->policy.n || k->policy.stmt[0].cc != TPM2_CC_PolicyAuthorize))
		return tr_fail(
			err, errlen,
			"the key has an authPolicy but its policy does not start with TPM2_PolicyAuthorize");
	if (k->description &&
	    check_cstring("description", k->description, err, errlen) < 0)
		return -1;
	return 0;
}

int tr_policy_add(struct tr_policy *p, uint32_t cc, const uint8_t *body,
		  size_t len, char *err, size_t errlen)
{
	uint8_t *copy = NULL;

	if (p->n >= TR_KEYFILE_MAX_POLICY)
		return tr_fail(
			err, errlen,
			"policy already has %d statements (the most allowed)",
			TR_KEYFILE_MAX_POLICY);
	if (check_stmt("policy", p->n, cc, body, len, err, errlen) < 0)
		return -1;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return tr_fail(err, errlen,
				       "out of memory for a policy statement");
		memcpy(copy, body, len);
	}
	p->stmt[p->n].cc = cc;
	p->stmt[p->n].body = copy;
	p->stmt[p->n].len = len;
	p->n++;
	return 0;
}

static void policy_free(struct tr_policy *p)
{
	for (size_t i = 0; i < TR_KEYFILE_MAX_POLICY; i++)
		free(p->stmt[i].body);
	memset(p, 0, sizeof(*p));
}

void tr_keyfile_free(struct tr_keyfile *k)
{
	if (!k)
		return;
	free(k->pub);
	free(k->priv);
	policy_free(&k->policy);
	for (size_t i = 0; i < TR_KEYFILE_MAX_AUTHPOLICY; i++) {
		free(k->auth[i].name);
		policy_free(&k->auth[i].policy);
	}
	free(k->description);
	memset(k, 0, sizeof(*k));
}

/* Decoding: OpenSSL objects to the plain structs. */

static int copy_bytes(const char *what, const ASN1_OCTET_STRING *s,
		      uint8_t **out, size_t *len, char *err, size_t errlen)
{
	int n = ASN1_STRING_length(s);

	*out = NULL;
	*len = 0;
	if (n <= 0)
		return tr_fail(err, errlen, "%s is empty", what);
	*out = malloc((size_t)n);
	if (!*out)
		return tr_fail(err, errlen, "out of memory for %s", what);
	memcpy(*out, ASN1_STRING_get0_data(s), (size_t)n);
	*len = (size_t)n;
	return 0;
}

static int copy_string(const char *what, const ASN1_UTF8STRING *s, char **out,
		       char *err, size_t errlen)
{
	const uint8_t *d = ASN1_STRING_get0_data(s);
	int n = ASN1_STRING_length(s);

	if (n < 0 || check_string(what, d, (size_t)n, err, errlen) < 0)
		return -1;
	*out = malloc((size_t)n + 1);
	if (!*out)
		return tr_fail(err, errlen, "out of memory for %s", what);
	memcpy(*out, d, (size_t)n);
	(*out)[n] = '\0';
	return 0;
}

static int copy_policy(const char *what, const STACK_OF(TPMPolicy) * sk,
		       struct tr_policy *p, char *err, size_t errlen)
{
	int n = sk_TPMPolicy_num(sk);

	if (n <= 0)
		return tr_fail(err, errlen,
			       "%s is present but has no statements", what);
	if (n > TR_KEYFILE_MAX_POLICY)
		return tr_fail(err, errlen, "%s has %d statements (at most %d)",
			       what, n, TR_KEYFILE_MAX_POLICY);
	for (int i = 0; i < n; i++) {
		const TPMPolicy *s = sk_TPMPolicy_value(sk, i);
		uint64_t cc;
		int len = ASN1_STRING_length(s->body);

		if (!ASN1_INTEGER_get_uint64(&cc, s->code) || cc > UINT32_MAX)
			return tr_fail(
				err, errlen,
				"%s statement %d: CommandCode is negative or does not fit in 32 bits",
				what, i);
		if (len < 0 || check_stmt(what, (size_t)i, (uint32_t)cc,
					  ASN1_STRING_get0_data(s->body),
					  (size_t)len, err, errlen) < 0)
			return -1;
		if (tr_policy_add(p, (uint32_t)cc,
				  ASN1_STRING_get0_data(s->body), (size_t)len,
				  err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int check_type(const ASN1_OBJECT *type, char *err, size_t errlen)
{
	const uint8_t *d = OBJ_get0_data(type);
	size_t n = OBJ_length(type);
	char txt[80];

	if (d && n == sizeof(oid_loadable) && !memcmp(d, oid_loadable, n))
		return 0;
	if (d && n == sizeof(oid_importable) && !memcmp(d, oid_importable, n))
		return tr_fail(
			err, errlen,
			"importable keys (type 2.23.133.10.1.4) are not supported");
	if (d && n == sizeof(oid_sealed) && !memcmp(d, oid_sealed, n))
		return tr_fail(
			err, errlen,
			"sealed data (type 2.23.133.10.1.5) is not supported");
	if (n > 32 || OBJ_obj2txt(txt, sizeof(txt), type, 1) <= 0)
		snprintf(txt, sizeof(txt), "(%zu bytes)", n);
	return tr_fail(
		err, errlen,
		"key type OID %s is not a loadable key (2.23.133.10.1.3)", txt);
}

static int from_asn1(const TPMKey *a, struct tr_keyfile *k, char *err,
		     size_t errlen)
{
	uint64_t parent;
	char what[40];

	if (check_type(a->type, err, errlen) < 0)
		return -1;
	if (a->secret)
		return tr_fail(
			err, errlen,
			"the secret field (imported keys) is not supported");
	/* X.690 BER: any non-zero octet is TRUE; DER writes 0xff. */
	if (a->rsa_parent > 0)
		return tr_fail(
			err, errlen,
			"rsaParent is TRUE: only the ECC P-256 SRK is supported as parent");
	k->empty_auth = a->empty_auth > 0;
	if (!ASN1_INTEGER_get_uint64(&parent, a->parent))
		return tr_fail(err, errlen, "parent is a negative INTEGER");
	if (check_parent(parent, err, errlen) < 0)
		return -1;
	k->parent = (uint32_t)parent;
	if (copy_bytes("pubkey", a->pubkey, &k->pub, &k->pub_len, err, errlen) <
		    0 ||
	    copy_bytes("privkey", a->privkey, &k->priv, &k->priv_len, err,
		       errlen) < 0)
		return -1;
	if (a->policy &&
	    copy_policy("policy", a->policy, &k->policy, err, errlen) < 0)
		return -1;
	if (a->auth_policy) {
		int n = sk_TPMAuthPolicy_num(a->auth_policy);

		if (n <= 0)
			return tr_fail(err, errlen,
				       "authPolicy is present but empty");
		if (n > TR_KEYFILE_MAX_AUTHPOLICY)
			return tr_fail(err, errlen,
				       "authPolicy has %d entries (at most %d)",
				       n, TR_KEYFILE_MAX_AUTHPOLICY);
		for (int i = 0; i < n; i++) {
			const TPMAuthPolicy *ap =
				sk_TPMAuthPolicy_value(a->auth_policy, i);

			snprintf(what, sizeof(what), "authPolicy %d", i);
			if (ap->name &&
			    copy_string("authPolicy name", ap->name,
					&k->auth[i].name, err, errlen) < 0)
				return -1;
			k->n_auth = (size_t)i + 1;
			if (copy_policy(what, ap->policy, &k->auth[i].policy,
					err, errlen) < 0)
				return -1;
		}
	}
	if (a->description && copy_string("description", a->description,
					  &k->description, err, errlen) < 0)
		return -1;
	return check_keyfile(k, err, errlen);
}

/* The reason OpenSSL gave for the last failure, for messages. */
static const char *ossl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r ? r : "unknown error";
}

int tr_keyfile_decode(const uint8_t *der, size_t len, struct tr_keyfile *k,
		      char *err, size_t errlen)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	TPMKey *a = NULL;
	int relen, ret = -1;

	memset(k, 0, sizeof(*k));
	if (!der || !len)
		return tr_fail(err, errlen, "key file is empty");
	if (len > TR_KEYFILE_MAX_DER)
		return tr_fail(err, errlen,
			       "key file DER is %zu bytes (at most %d)", len,
			       TR_KEYFILE_MAX_DER);
	ERR_set_mark();
	a = d2i_TPMKey(NULL, &p, (long)len);
	if (!a) {
		tr_fail(err, errlen, "not a TPMKey DER structure: %s",
			ossl_reason());
		goto out;
	}
	if (p != der + len) {
		tr_fail(err, errlen, "%zu trailing bytes after the TPMKey",
			len - (size_t)(p - der));
		goto out;
	}
	/* DER only: the structure must encode back to the same bytes. */
	relen = i2d_TPMKey(a, &re);
	if (relen < 0 || (size_t)relen != len || memcmp(re, der, len)) {
		tr_fail(err, errlen,
			"TPMKey is BER, not DER (not in its canonical encoding)");
		goto out;
	}
	ret = from_asn1(a, k, err, errlen);
out:
	OPENSSL_free(re);
	TPMKey_free(a);
	ERR_pop_to_mark();
	if (ret < 0)
		tr_keyfile_free(k);
	return ret;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

int tr_keyfile_decode_pem(const char *pem, size_t len, struct tr_keyfile *k,
			  char *err, size_t errlen)
{
	char *name = NULL, *header = NULL, rest[64];
	unsigned char *data = NULL;
	long dlen = 0;
	BIO *bio;
	int n, ret = -1;

	memset(k, 0, sizeof(*k));
	if (!pem || !len)
		return tr_fail(err, errlen, "PEM input is empty");
	if (len > MAX_PEM)
		return tr_fail(err, errlen,
			       "PEM input is %zu bytes (at most %d)", len,
			       MAX_PEM);
	ERR_set_mark();
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		tr_fail(err, errlen, "out of memory for the PEM reader");
		goto out;
	}
	if (!PEM_read_bio(bio, &name, &header, &data, &dlen)) {
		tr_fail(err, errlen, "no valid PEM block: %s", ossl_reason());
		goto out;
	}
	if (strcmp(name, PEM_LABEL)) {
		tr_fail(err, errlen, "PEM label is \"%.40s\", expected \"%s\"",
			printable(name) ? name : "(unprintable)", PEM_LABEL);
		goto out;
	}
	if (header && *header) {
		tr_fail(err, errlen,
			"PEM block has headers (encrypted keys are not supported)");
		goto out;
	}
	while ((n = BIO_read(bio, rest, sizeof(rest))) > 0)
		for (int i = 0; i < n; i++)
			if (!strchr(" \t\r\n", rest[i]) || !rest[i]) {
				tr_fail(err, errlen,
					"data after the end of the PEM block");
				goto out;
			}
	ret = tr_keyfile_decode(data, (size_t)dlen, k, err, errlen);
out:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	ERR_pop_to_mark();
	if (ret < 0)
		tr_keyfile_free(k);
	return ret;
}

/* Encoding: the plain structs to OpenSSL objects. */

static int set_bytes(ASN1_OCTET_STRING *s, const uint8_t *b, size_t n)
{
	return ASN1_OCTET_STRING_set(s, b, (int)n) ? 0 : -1;
}

static ASN1_UTF8STRING *new_utf8(const char *s)
{
	ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();

	if (u && !ASN1_STRING_set(u, s, (int)strlen(s))) {
		ASN1_UTF8STRING_free(u);
		return NULL;
	}
	return u;
}

static STACK_OF(TPMPolicy) * to_asn1_policy(const struct tr_policy *p)
{
	STACK_OF(TPMPolicy) *sk = sk_TPMPolicy_new_null();

	if (!sk)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		TPMPolicy *s = TPMPolicy_new();

		if (!s)
			goto fail;
		if (!sk_TPMPolicy_push(sk, s)) {
			TPMPolicy_free(s);
			goto fail;
		}
		if (!ASN1_INTEGER_set_uint64(s->code, p->stmt[i].cc) ||
		    set_bytes(s->body, p->stmt[i].body, p->stmt[i].len) < 0)
			goto fail;
	}
	return sk;
fail:
	sk_TPMPolicy_pop_free(sk, TPMPolicy_free);
	return NULL;
}

static TPMKey *to_asn1(const struct tr_keyfile *k)
{
	TPMKey *a = TPMKey_new();

	if (!a)
		return NULL;
	a->type = OBJ_txt2obj("2.23.133.10.1.3", 1);
	if (!a->type)
		goto fail;
	a->empty_auth = k->empty_auth ? 0xff : -1;
	if (k->policy.n) {
		a->policy = to_asn1_policy(&k->policy);
		if (!a->policy)
			goto fail;
	}
	if (k->n_auth) {
		a->auth_policy = sk_TPMAuthPolicy_new_null();
		if (!a->auth_policy)
			goto fail;
		for (size_t i = 0; i < k->n_auth; i++) {
			TPMAuthPolicy *ap = TPMAuthPolicy_new();

			if (!ap)
				goto fail;
			if (!sk_TPMAuthPolicy_push(a->auth_policy, ap)) {
				TPMAuthPolicy_free(ap);
				goto fail;
			}
			if (k->auth[i].name) {
				ap->name = new_utf8(k->auth[i].name);
				if (!ap->name)
					goto fail;
			}
			sk_TPMPolicy_free(ap->policy);
			ap->policy = to_asn1_policy(&k->auth[i].policy);
			if (!ap->policy)
				goto fail;
		}
	}
	if (k->description) {
		a->description = new_utf8(k->description);
		if (!a->description)
			goto fail;
	}
	if (!ASN1_INTEGER_set_uint64(a->parent, k->parent) ||
	    set_bytes(a->pubkey, k->pub, k->pub_len) < 0 ||
	    set_bytes(a->privkey, k->priv, k->priv_len) < 0)
		goto fail;
	return a;
fail:
	TPMKey_free(a);
	return NULL;
}

int tr_keyfile_encode(const struct tr_keyfile *k, uint8_t **der, size_t *len,
		      char *err, size_t errlen)
{
	unsigned char *out = NULL;
	TPMKey *a;
	int n;

	*der = NULL;
	*len = 0;
	if (check_keyfile(k, err, errlen) < 0)
		return -1;
	ERR_set_mark();
	a = to_asn1(k);
	n = a ? i2d_TPMKey(a, &out) : -1;
	TPMKey_free(a);
	ERR_pop_to_mark();
	if (n <= 0)
		return tr_fail(err, errlen,
			       "out of memory encoding the TPMKey");
	if (n > TR_KEYFILE_MAX_DER) {
		OPENSSL_free(out);
		return tr_fail(err, errlen,
			       "key file DER would be %d bytes (at most %d)", n,
			       TR_KEYFILE_MAX_DER);
	}
	*der = malloc((size_t)n);
	if (!*der) {
		OPENSSL_free(out);
		return tr_fail(err, errlen, "out of memory for the key file");
	}
	memcpy(*der, out, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(out);
	return 0;
}

int tr_keyfile_encode_pem(const struct tr_keyfile *k, char **pem, size_t *len,
			  char *err, size_t errlen)
{
	uint8_t *der;
	size_t dlen;
	BIO *bio;
	char *mem;
	long n;
	int ok;

	*pem = NULL;
	*len = 0;
	if (tr_keyfile_encode(k, &der, &dlen, err, errlen) < 0)
		return -1;
	ERR_set_mark();
	bio = BIO_new(BIO_s_mem());
	ok = bio && PEM_write_bio(bio, PEM_LABEL, "", der, (long)dlen) > 0;
	free(der);
	n = ok ? BIO_get_mem_data(bio, &mem) : 0;
	if (n > 0) {
		*pem = malloc((size_t)n + 1);
		if (*pem) {
			memcpy(*pem, mem, (size_t)n);
			(*pem)[n] = '\0';
			*len = (size_t)n;
		}
	}
	BIO_free(bio);
	ERR_pop_to_mark();
	if (!*pem)
		return tr_fail(err, errlen, "out of memory writing the PEM");
	return 0;
}
