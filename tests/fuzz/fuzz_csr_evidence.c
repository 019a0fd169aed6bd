// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the EnrollEvidence of a CSR as the NMS takes it
 * (tr_csr_get_evidence, after tr_est_csr_decode). With bit 0 of the
 * first byte clear, the rest is a DER PKCS#10 request; set, it is the
 * attribute's value, which the target adds to a fixed request, so that
 * mutations go to the evidence rather than the request around it.
 *
 * Evidence is taken exactly when the request has one EnrollEvidence
 * attribute with one SEQUENCE value (counted here independently); what
 * is taken encodes back to that value byte for byte; on a refusal the
 * reason is given and the evidence zeroed. abort() otherwise.
 */
#include "enroll/evidence.h"
#include "fuzz.h"
#include "soft_tpm.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <string.h>

static ASN1_OBJECT *oid;
static X509_REQ *tmpl;

/* Once per process: the OID and the request the evidence goes into. */
static void init(void)
{
	oid = OBJ_txt2obj(TR_OID_ENROLL_EVIDENCE, 1);
	tmpl = X509_REQ_new();
	if (!oid || !tmpl || !soft_tls_key() ||
	    !X509_REQ_set_pubkey(tmpl, soft_tls_key()) ||
	    !X509_NAME_add_entry_by_txt(
		    X509_REQ_get_subject_name(tmpl), "CN", MBSTRING_UTF8,
		    (const unsigned char *)"r1", -1, -1, 0) ||
	    !X509_REQ_sign(tmpl, soft_tls_key(), EVP_sha256()))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_tss();
	init();
	return 0;
}

/* The one value of the one EnrollEvidence attribute, or NULL. */
static const ASN1_STRING *the_value(const X509_REQ *req)
{
	const ASN1_STRING *v = NULL;
	int n = 0;

	for (int i = 0; i < X509_REQ_get_attr_count(req); i++) {
		X509_ATTRIBUTE *a = X509_REQ_get_attr(req, i);
		const ASN1_TYPE *t;

		if (OBJ_cmp(X509_ATTRIBUTE_get0_object(a), oid))
			continue;
		n++;
		t = X509_ATTRIBUTE_count(a) == 1 ?
			    X509_ATTRIBUTE_get0_type(a, 0) :
			    NULL;
		v = t && t->type == V_ASN1_SEQUENCE ? t->value.sequence : NULL;
	}
	return n == 1 ? v : NULL;
}

static void check(const X509_REQ *req)
{
	static const struct tr_evidence zero;
	const ASN1_STRING *v = the_value(req);
	struct tr_evidence e;
	uint8_t *der;
	size_t len;
	char err[256] = "";

	if (tr_csr_get_evidence(req, &e, err, sizeof(err))) {
		if (!err[0] || memcmp(&e, &zero, sizeof(e)))
			abort();
		return;
	}
	if (!v || tr_evidence_encode(&e, &der, &len, err, sizeof(err)) ||
	    len != (size_t)ASN1_STRING_length(v) ||
	    memcmp(der, ASN1_STRING_get0_data(v), len))
		abort();
	fuzz_sink += (unsigned)len;
	free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1;
	X509_REQ *req;

	fuzz_quiet_tss();
	if (!oid)
		init();
	if (!size)
		return 0;
	if (data[0] & 1) {
		/*
		 * The attribute goes on the one template and comes off again:
		 * X509_REQ_dup (an encode and a decode, the public key through
		 * OpenSSL's decoders) cost 40 times the evidence's parsing.
		 * OpenSSL takes no empty value.
		 */
		if (!X509_REQ_add1_attr_by_OBJ(tmpl, oid, V_ASN1_SEQUENCE,
					       data + 1, (int)(size - 1)))
			return 0;
		check(tmpl);
		X509_ATTRIBUTE_free(X509_REQ_delete_attr(
			tmpl, X509_REQ_get_attr_count(tmpl) - 1));
		if (X509_REQ_get_attr_count(tmpl))
			abort();
		return 0;
	} else {
		req = d2i_X509_REQ(NULL, &p, (long)(size - 1));
		if (!req)
			return 0;
	}
	check(req);
	X509_REQ_free(req);
	return 0;
}
