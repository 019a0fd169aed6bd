// SPDX-License-Identifier: GPL-2.0-only
#include "nms/enroll/ca.h"

#include "base/errmsg.h"
#include "base/fileio.h"
#include "base/host_name.h"
#include "enroll/evidence.h" /* TR_OID_KEY_ATTESTATION */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CA_MAX_DAYS 36500
#define CA_NAME_MAX 64 /* ub-common-name */
#define CA_FILE_MAX 65536
#define CA_MAX_SERVER_NAMES 32
#define CLOCK_SKEW_SECONDS 300
#define DNS_NAME_MAX 253

struct ext {
	int nid;
	const char *value;
};

static const struct ext ca_exts[] = {
	{ NID_basic_constraints, "critical,CA:TRUE,pathlen:0" },
	{ NID_key_usage, "critical,keyCertSign,cRLSign" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
};

/*
 * What fails here past our own checks is OpenSSL running out of memory
 * or refusing a key: say what was being done, and empty its queue so a
 * stale entry never shows up in a later, unrelated message.
 */
static int ossl_fail(char *err, size_t errlen, const char *what)
{
	ERR_clear_error();
	return tr_fail(err, errlen, "%s: OpenSSL failed", what);
}

static int check_days(int days, char *err, size_t errlen)
{
	if (days < 1 || days > CA_MAX_DAYS)
		return tr_fail(err, errlen, "validity of %d days, not 1 to %d",
			       days, CA_MAX_DAYS);
	return 0;
}

/*
 * A name that goes into a CN and a dNSName: letters, digits, '.' and '-'
 * only, so that nothing odd (spaces, commas, '*', control or non-ASCII
 * bytes) can be put into a certificate through it.
 */
static int check_host_name(const char *what, const char *s, size_t max,
			   char *err, size_t errlen)
{
	size_t n = strnlen(s, max + 1), i;

	if (!n)
		return tr_fail(err, errlen, "%s is empty", what);
	if (n > max)
		return tr_fail(err, errlen, "%s is longer than %zu characters",
			       what, max);
	i = tr_host_name_span((const uint8_t *)s, n);
	if (i < n)
		return tr_fail(err, errlen,
			       "%s \"%.*s\": character %zu (0x%02x) is "
			       "not a letter, digit, '.' or '-'",
			       what, (int)n, s, i + 1, (unsigned char)s[i]);
	return 0;
}

/* Add @name to @gens: an iPAddress when @ip_ok and it is one, else a dNSName. */
static int san_add(GENERAL_NAMES *gens, const char *what, const char *name,
		   size_t max, bool ip_ok, char *err, size_t errlen)
{
	ASN1_OCTET_STRING *ip = ip_ok ? a2i_IPADDRESS(name) : NULL;
	ASN1_IA5STRING *dns = NULL;
	GENERAL_NAME *g;

	ERR_clear_error(); /* a2i_IPADDRESS fails on every DNS name */
	if (!ip && check_host_name(what, name, max, err, errlen) < 0)
		return -1;
	g = GENERAL_NAME_new();
	if (!ip) {
		dns = ASN1_IA5STRING_new();
		if (!dns || !ASN1_STRING_set(dns, name, -1)) {
			ASN1_IA5STRING_free(dns);
			dns = NULL;
		}
	}
	if (!g || (!ip && !dns)) {
		GENERAL_NAME_free(g);
		ASN1_OCTET_STRING_free(ip);
		ASN1_IA5STRING_free(dns);
		return ossl_fail(err, errlen, what);
	}
	if (ip)
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
	else
		GENERAL_NAME_set0_value(g, GEN_DNS, dns);
	if (!sk_GENERAL_NAME_push(gens, g)) {
		GENERAL_NAME_free(g);
		return ossl_fail(err, errlen, what);
	}
	return 0;
}

/* "localhost,127.0.0.1" to SANs; the first name in @first. */
static GENERAL_NAMES *parse_server_names(const char *list, char *first,
					 char *err, size_t errlen)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	const char *p = list ? list : "";
	char name[DNS_NAME_MAX + 1], what[32];

	if (!gens) {
		ossl_fail(err, errlen, "server names");
		return NULL;
	}
	for (int i = 1;; i++) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		snprintf(what, sizeof(what), "server name %d", i);
		if (i > CA_MAX_SERVER_NAMES) {
			tr_fail(err, errlen, "more than %d server names",
				CA_MAX_SERVER_NAMES);
			goto fail;
		}
		if (n > DNS_NAME_MAX) {
			tr_fail(err, errlen, "%s is longer than %d characters",
				what, DNS_NAME_MAX);
			goto fail;
		}
		memcpy(name, p, n);
		name[n] = 0;
		if (san_add(gens, what, name, DNS_NAME_MAX, true, err, errlen) <
		    0)
			goto fail;
		if (i == 1 && n > CA_NAME_MAX) {
			tr_fail(err, errlen,
				"%s, the certificate's CN, is longer than %d "
				"characters",
				what, CA_NAME_MAX);
			goto fail;
		}
		if (i == 1)
			memcpy(first, name, n + 1);
		if (!comma)
			return gens;
		p = comma + 1;
	}
fail:
	GENERAL_NAMES_free(gens);
	return NULL;
}

/*
 * An unsigned certificate for @pub, subject CN=@cn, issued by @issuer
 * (NULL: by itself), with a random positive 128-bit serial, valid from
 * a little before now (clock skew) for @days.
 */
static X509 *cert_new(X509 *issuer, const char *cn, EVP_PKEY *pub, int days,
		      char *err, size_t errlen)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *bn = BN_new();
	bool ok = x && name && bn && X509_set_version(x, X509_VERSION_3) &&
		  BN_rand(bn, 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
		  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
		  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					     (const unsigned char *)cn, -1, -1,
					     0) &&
		  X509_set_subject_name(x, name) &&
		  X509_set_issuer_name(
			  x, issuer ? X509_get_subject_name(issuer) : name) &&
		  X509_time_adj_ex(X509_getm_notBefore(x), 0,
				   -CLOCK_SKEW_SECONDS, NULL) &&
		  X509_time_adj_ex(X509_getm_notAfter(x), days,
				   -CLOCK_SKEW_SECONDS, NULL) &&
		  X509_set_pubkey(x, pub);

	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		ossl_fail(err, errlen, "certificate fields (is the CN UTF-8?)");
		return NULL;
	}
	return x;
}

/* Extensions from OpenSSL's config syntax: fixed strings of ours only. */
static int add_exts(X509 *x, X509 *issuer, const struct ext *exts, size_t n,
		    char *err, size_t errlen)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid,
							exts[i].value);
		bool ok = e && X509_add_ext(x, e, -1);

		X509_EXTENSION_free(e);
		if (!ok)
			return ossl_fail(err, errlen, OBJ_nid2sn(exts[i].nid));
	}
	return 0;
}

/* An unsigned end-entity certificate, issued by @ca, with @san. */
static X509 *ee_cert(const struct nms_ca *ca, const char *cn, EVP_PKEY *pub,
		     int days, const char *eku, GENERAL_NAMES *san, char *err,
		     size_t errlen)
{
	const struct ext exts[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_key_usage, "critical,digitalSignature" },
		{ NID_ext_key_usage, eku },
		{ NID_subject_key_identifier, "hash" },
		{ NID_authority_key_identifier, "keyid:always" },
	};
	X509 *x = cert_new(ca->cert, cn, pub, days, err, errlen);

	if (!x)
		return NULL;
	if (add_exts(x, ca->cert, exts, sizeof(exts) / sizeof(exts[0]), err,
		     errlen) < 0)
		goto fail;
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, san, 0,
			      X509V3_ADD_DEFAULT) != 1) {
		ossl_fail(err, errlen, "subjectAltName");
		goto fail;
	}
	return x;
fail:
	X509_free(x);
	return NULL;
}

static int sign(X509 *x, EVP_PKEY *key, char *err, size_t errlen)
{
	if (X509_sign(x, key, EVP_sha256()) <= 0)
		return ossl_fail(err, errlen, "signing the certificate");
	return 0;
}

/* @dir/@name, or -1 when it does not fit. */
static int path_in(char *out, const char *dir, const char *name, char *err,
		   size_t errlen)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX)
		return tr_fail(err, errlen, "%s/%s: path too long", dir, name);
	return 0;
}

/* PEM of a private key (PKCS#8) or of a certificate, in a memory BIO. */
static BIO *to_pem(EVP_PKEY *key, X509 *cert)
{
	BIO *b = BIO_new(BIO_s_mem());
	int ok = b && (key ? PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0,
						      NULL, NULL) :
			     PEM_write_bio_X509(b, cert));

	if (!ok) {
		BIO_free(b);
		return NULL;
	}
	return b;
}

/* A memory BIO that held a private key: wiped before it is freed. */
static void free_pem(BIO *b)
{
	char *data;
	long n = b ? BIO_get_mem_data(b, &data) : 0;

	if (n > 0)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(b);
}

struct ca_file {
	const char *name;
	mode_t mode;
	EVP_PKEY *key; /* or */
	X509 *cert;
	BIO *pem;
};

/* Write all of @f, or none: those written are removed on failure. */
static int write_files(const char *dir, struct ca_file *f, size_t n, char *err,
		       size_t errlen)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		char *data;
		long len;

		f[i].pem = to_pem(f[i].key, f[i].cert);
		if (!f[i].pem) {
			ossl_fail(err, errlen, f[i].name);
			break;
		}
		len = BIO_get_mem_data(f[i].pem, &data);
		if (path_in(path, dir, f[i].name, err, errlen) < 0)
			break;
		/* Whole or not at all; a key is never readable by others,
		 * not even for a moment (fileio.h). */
		if (write_file_atomic(path, data, (size_t)len, f[i].mode) < 0) {
			tr_fail(err, errlen, "%s: %s", path, strerror(errno));
			break;
		}
	}
	if (i == n)
		return 0;
	while (i-- > 0)
		if (!path_in(path, dir, f[i].name, NULL, 0))
			unlink(path);
	return -1;
}

int nms_ca_create(const char *dir, const char *name, const char *server_names,
		  int days, char *err, size_t errlen)
{
	static const char *const ca_files[] = { "ca.key", "ca.pem" };
	struct ca_file files[] = {
		{ "ca.key", 0600, NULL, NULL, NULL },
		{ "ca.pem", 0644, NULL, NULL, NULL },
		{ "server.key", 0600, NULL, NULL, NULL },
		{ "server.pem", 0644, NULL, NULL, NULL },
	};
	struct nms_ca ca = { NULL, NULL };
	char path[PATH_MAX], first[DNS_NAME_MAX + 1];
	EVP_PKEY *skey = NULL;
	X509 *scert = NULL;
	GENERAL_NAMES *san = NULL;
	struct stat st;
	int rc = -1;

	if (!dir || stat(dir, &st) < 0)
		return tr_fail(err, errlen, "%s: %s", dir ? dir : "(null)",
			       strerror(dir ? errno : EINVAL));
	if (!S_ISDIR(st.st_mode))
		return tr_fail(err, errlen, "%s: not a directory", dir);
	for (size_t i = 0; i < 2; i++) {
		if (path_in(path, dir, ca_files[i], err, errlen) < 0)
			return -1;
		if (lstat(path, &st) == 0)
			return tr_fail(err, errlen,
				       "%s already exists: %s holds a CA, "
				       "refusing to replace it",
				       path, dir);
		if (errno != ENOENT)
			return tr_fail(err, errlen, "%s: %s", path,
				       strerror(errno));
	}
	if (!name || !*name || strlen(name) > CA_NAME_MAX)
		return tr_fail(err, errlen, "CA name: not 1 to %d bytes",
			       CA_NAME_MAX);
	if (check_days(days, err, errlen) < 0)
		return -1;
	san = parse_server_names(server_names, first, err, errlen);
	if (!san)
		return -1;

	ca.key = EVP_EC_gen("P-256");
	skey = EVP_EC_gen("P-256");
	if (!ca.key || !skey) {
		ossl_fail(err, errlen, "generating P-256 keys");
		goto out;
	}
	ca.cert = cert_new(NULL, name, ca.key, days, err, errlen);
	if (!ca.cert ||
	    add_exts(ca.cert, NULL, ca_exts,
		     sizeof(ca_exts) / sizeof(ca_exts[0]), err, errlen) < 0 ||
	    sign(ca.cert, ca.key, err, errlen) < 0)
		goto out;
	scert = ee_cert(&ca, first, skey, days, "serverAuth", san, err, errlen);
	if (!scert || sign(scert, ca.key, err, errlen) < 0)
		goto out;
	files[0].key = ca.key;
	files[1].cert = ca.cert;
	files[2].key = skey;
	files[3].cert = scert;
	rc = write_files(dir, files, sizeof(files) / sizeof(files[0]), err,
			 errlen);
out:
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		free_pem(files[i].pem);
	GENERAL_NAMES_free(san);
	X509_free(scert);
	EVP_PKEY_free(skey);
	nms_ca_free(&ca);
	return rc;
}

/* The PEM object in @dir/@name: a private key when @key, else a certificate. */
static void *load_pem(const char *dir, const char *name, bool key, char *err,
		      size_t errlen)
{
	char path[PATH_MAX];
	void *obj = NULL;
	uint8_t *buf;
	size_t len;
	BIO *b;

	if (path_in(path, dir, name, err, errlen) < 0)
		return NULL;
	if (read_file_bounded(path, CA_FILE_MAX, &buf, &len) < 0) {
		tr_fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	b = BIO_new_mem_buf(buf, (int)len);
	/* With no callback, "" is the passphrase: never a prompt. */
	if (b)
		obj = key ? (void *)PEM_read_bio_PrivateKey(b, NULL, NULL, "") :
			    (void *)PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (!obj) {
		ERR_clear_error();
		tr_fail(err, errlen, "%s: not a PEM %s", path,
			key ? "private key (unencrypted)" : "certificate");
	}
	return obj;
}

int nms_ca_load(struct nms_ca *ca, const char *dir, char *err, size_t errlen)
{
	ca->key = NULL;
	ca->cert = load_pem(dir, "ca.pem", false, err, errlen);
	if (ca->cert)
		ca->key = load_pem(dir, "ca.key", true, err, errlen);
	if (!ca->key) {
		nms_ca_free(ca);
		return -1;
	}
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		ERR_clear_error();
		nms_ca_free(ca);
		return tr_fail(err, errlen, "%s: ca.key does not match ca.pem",
			       dir);
	}
	return 0;
}

void nms_ca_free(struct nms_ca *ca)
{
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	ca->key = NULL;
	ca->cert = NULL;
}

/* The KeyAttestation DER, as given, as a non-critical extension. */
static int add_attestation(X509 *x, const uint8_t *der, size_t len, char *err,
			   size_t errlen)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(TR_OID_KEY_ATTESTATION, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	bool ok = oid && os && ASN1_OCTET_STRING_set(os, der, (int)len) &&
		  (e = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os)) &&
		  X509_add_ext(x, e, -1);

	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	return ok ? 0 : ossl_fail(err, errlen, "KeyAttestation extension");
}

X509 *nms_ca_issue(const struct nms_ca *ca, const struct nms_cert_request *r,
		   char *err, size_t errlen)
{
	GENERAL_NAMES *san;
	bool bad_len;
	X509 *x;

	if (!ca || !ca->key || !ca->cert || !r || !r->pub) {
		tr_fail(err, errlen, "issue: no CA or no public key");
		return NULL;
	}
	if (check_host_name("device name", r->device ? r->device : "",
			    TR_DEVICE_NAME_MAX, err, errlen) < 0 ||
	    check_days(r->days, err, errlen) < 0)
		return NULL;
	bad_len = r->attestation ?
			  !r->attestation_len ||
				  r->attestation_len > TR_EVIDENCE_MAX_DER :
			  r->attestation_len != 0;
	if (bad_len) {
		tr_fail(err, errlen, "KeyAttestation of %zu bytes, not 1 to %d",
			r->attestation_len, TR_EVIDENCE_MAX_DER);
		return NULL;
	}
	san = sk_GENERAL_NAME_new_null();
	if (!san) {
		ossl_fail(err, errlen, "subjectAltName");
		return NULL;
	}
	x = NULL;
	if (san_add(san, "device name", r->device, TR_DEVICE_NAME_MAX, false,
		    err, errlen) == 0)
		x = ee_cert(ca, r->device, r->pub, r->days,
			    "serverAuth,clientAuth", san, err, errlen);
	GENERAL_NAMES_free(san);
	if (x && ((r->attestation &&
		   add_attestation(x, r->attestation, r->attestation_len, err,
				   errlen) < 0) ||
		  sign(x, ca->key, err, errlen) < 0)) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

void nms_cert_serial_hex(const X509 *cert, char *out, size_t outlen)
{
	BIGNUM *bn =
		cert ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL) :
		       NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	/* Empty rather than cut short: a partial serial names another. */
	if (outlen) {
		out[0] = 0;
		if (hex && strlen(hex) < outlen)
			memcpy(out, hex, strlen(hex) + 1);
	}
	OPENSSL_free(hex);
	BN_free(bn);
}

/* One revoked certificate on the CRL: serial and reason. */
static int crl_add(X509_CRL *crl, const struct nms_crl_entry *e)
{
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)(e->revoked_ms / 1000));
	ASN1_ENUMERATED *why = ASN1_ENUMERATED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	int ok = r && when && why && BN_hex2bn(&bn, e->serial) > 0 &&
		 (serial = BN_to_ASN1_INTEGER(bn, NULL)) &&
		 X509_REVOKED_set_serialNumber(r, serial) &&
		 X509_REVOKED_set_revocationDate(r, when) &&
		 /* The router is out of service: cessationOfOperation. */
		 ASN1_ENUMERATED_set(why, CRL_REASON_CESSATION_OF_OPERATION) &&
		 X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, why, 0, 0) &&
		 X509_CRL_add0_revoked(crl, r);

	if (ok)
		r = NULL;
	X509_REVOKED_free(r);
	ASN1_TIME_free(when);
	ASN1_ENUMERATED_free(why);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return ok ? 0 : -1;
}

int nms_ca_crl(const struct nms_ca *ca, const struct nms_crl_entry *e, size_t n,
	       int64_t now, int64_t next_seconds, uint8_t **der, size_t *len,
	       char *err, size_t errlen)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *this = ASN1_TIME_set(NULL, (time_t)now);
	ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)(now + next_seconds));
	ASN1_INTEGER *number = ASN1_INTEGER_new();
	X509V3_CTX ctx;
	X509_EXTENSION *akid = NULL;
	unsigned char *out = NULL;
	int rc = -1, l;

	*der = NULL;
	*len = 0;
	if (!crl || !this || !next || !number ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
	    !X509_CRL_set1_lastUpdate(crl, this) ||
	    !X509_CRL_set1_nextUpdate(crl, next)) {
		ossl_fail(err, errlen, "making the CRL");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (crl_add(crl, &e[i]) < 0) {
			ossl_fail(err, errlen, "revoked serial");
			goto out;
		}
	/* A CRL number that grows: the time it was made. */
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	akid = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier,
				   "keyid:always");
	if (!ASN1_INTEGER_set_int64(number, now) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, number, 0, 0) ||
	    !akid || !X509_CRL_add_ext(crl, akid, -1) || !X509_CRL_sort(crl) ||
	    X509_CRL_sign(crl, ca->key, EVP_sha256()) <= 0 ||
	    (l = i2d_X509_CRL(crl, &out)) <= 0) {
		ossl_fail(err, errlen, "signing the CRL");
		goto out;
	}
	*der = out;
	*len = (size_t)l;
	rc = 0;
out:
	X509_EXTENSION_free(akid);
	ASN1_INTEGER_free(number);
	ASN1_TIME_free(this);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	return rc;
}
