// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: what a peer checks of an enrolled router's certificate
 * (tr_cert_attestation_verify), with no policy and with the software TLS
 * key's. With bit 0 of the first byte clear, the rest is a DER
 * certificate; set, it is the KeyAttestation extension's value, which
 * the target puts in a certificate of the key it names (or of the
 * software TLS key when it names none), so that mutations go to the
 * evidence.
 *
 * A certificate passes exactly when the target's own checks say so: one
 * non-critical KeyAttestation whose DER decodes and encodes back to
 * itself, whose keyPublic is the certificate's key, whose AK is one
 * (tr_ak_check_public) and signed certifyInfo (soft_verify, OpenSSL
 * only), a TPM2_Certify of that key (tr_certify_verify); and, with the
 * policy, whose key is sealed with it. A refusal says why and zeroes the
 * evidence. abort() otherwise.
 */
#include "enroll/evidence.h"
#include "fuzz.h"
#include "soft_tpm.h"
#include "tpm/certify.h"

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <tss2/tss2_mu.h>

static ASN1_OBJECT *oid;

static const ASN1_OCTET_STRING *the_extension(const X509 *cert)
{
	int i = X509_get_ext_by_OBJ(cert, oid, -1);
	X509_EXTENSION *x = i >= 0 ? X509_get_ext(cert, i) : NULL;

	if (!x || X509_get_ext_by_OBJ(cert, oid, i) >= 0 ||
	    X509_EXTENSION_get_critical(x))
		return NULL;
	return X509_EXTENSION_get_data(x);
}

/*
 * The target's own verdict on @cert, with the evidence it carries: @key
 * gets the key it certifies when everything but a policy holds.
 */
static bool should_pass(const X509 *cert, TPM2B_PUBLIC *key)
{
	const ASN1_OCTET_STRING *v = the_extension(cert);
	struct tr_evidence e;
	EVP_PKEY *k = NULL;
	TPMS_ATTEST info;
	uint8_t *der = NULL;
	size_t len = 0, off = 0;
	bool ok;

	ok = v &&
	     !tr_key_attestation_decode(ASN1_STRING_get0_data(v),
					(size_t)ASN1_STRING_length(v), &e, NULL,
					0) &&
	     !tr_key_attestation_encode(&e, &der, &len, NULL, 0) &&
	     len == (size_t)ASN1_STRING_length(v) &&
	     !memcmp(der, ASN1_STRING_get0_data(v), len) &&
	     (k = tr_tpm_public_to_evp(&e.key_pub, NULL, 0)) &&
	     X509_get0_pubkey(cert) &&
	     EVP_PKEY_eq(k, X509_get0_pubkey(cert)) == 1 &&
	     !tr_ak_check_public(&e.ak_pub, NULL, 0) &&
	     soft_verify(&e.ak_pub, e.attest.attestationData, e.attest.size,
			 &e.sig) &&
	     !Tss2_MU_TPMS_ATTEST_Unmarshal(e.attest.attestationData,
					    e.attest.size, &off, &info) &&
	     !tr_certify_verify(&e.attest, &e.sig, &e.ak_pub, &e.key_pub,
				&info.extraData, NULL, 0);
	if (ok)
		*key = e.key_pub;
	free(der);
	EVP_PKEY_free(k);
	return ok;
}

/* @pass: should_pass's verdict, with @key; @policy adds its own check. */
static void check(const X509 *cert, bool pass, const TPM2B_PUBLIC *key,
		  const uint8_t *policy)
{
	static const struct tr_evidence zero;
	struct tr_evidence e;
	char err[256] = "";
	int rc = tr_cert_attestation_verify(cert, policy, &e, err, sizeof(err));

	pass = pass &&
	       (!policy || !tr_sealed_key_check_public(key, policy, NULL, 0));
	if (rc != (pass ? 0 : -1))
		abort();
	if (rc && (!err[0] || memcmp(&e, &zero, sizeof(e))))
		abort();
	fuzz_sink += (unsigned)rc;
}

/* A certificate carrying @ext (DER of a KeyAttestation), for its key. */
static X509 *wrap(const uint8_t *ext, size_t len)
{
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	X509_EXTENSION *xe = NULL;
	struct tr_evidence e;
	EVP_PKEY *k = NULL;
	X509 *x = X509_new();

	if (!tr_key_attestation_decode(ext, len, &e, NULL, 0))
		k = tr_tpm_public_to_evp(&e.key_pub, NULL, 0);
	if (!s || !x || !ASN1_OCTET_STRING_set(s, ext, (int)len) ||
	    !X509_set_pubkey(x, k ? k : soft_tls_key()) ||
	    !(xe = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, s)) ||
	    !X509_add_ext(x, xe, -1))
		abort();
	X509_EXTENSION_free(xe);
	ASN1_OCTET_STRING_free(s);
	EVP_PKEY_free(k);
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1;
	TPM2B_PUBLIC key = { 0 };
	X509 *cert;
	bool pass;

	fuzz_quiet_tss();
	if (!oid && !(oid = OBJ_txt2obj(TR_OID_KEY_ATTESTATION, 1)))
		abort();
	if (!size)
		return 0;
	cert = data[0] & 1 ? wrap(data + 1, size - 1) :
			     d2i_X509(NULL, &p, (long)(size - 1));
	if (!cert)
		return 0;
	/* The verdict without a policy is the same for both checks: made
	 * once (a key, a signature and a certify verification each). */
	pass = should_pass(cert, &key);
	check(cert, pass, &key, NULL);
	check(cert, pass, &key, soft_tls_policy);
	X509_free(cert);
	return 0;
}
