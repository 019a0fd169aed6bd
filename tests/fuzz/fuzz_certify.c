// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the verifier's check of a TPM2_Certify
 * (tr_certify_verify), as enrollment and peers call it. The input is
 * parts (fuzz_part): the nonce; the TPMS_ATTEST; the TPMT_SIGNATURE; the
 * AK's TPM2B_PUBLIC and the certified key's (empty: the software AK and
 * TLS key of soft_tpm.h). With bit 0 of the first byte set, the target
 * signs the TPMS_ATTEST with the software AK itself (the AK part is then
 * not used), so that mutations of it reach every check; clear, the
 * input's signature and AK are used (the seeds include swtpm's
 * certifications from enrollment).
 *
 * The target decides on its own whether the certification should
 * verify (a TPM-made certification of that key's name for that nonce,
 * signed by that AK, checked with OpenSSL), and tr_certify_verify must
 * agree; a refusal says why. abort() otherwise.
 */
#include "fuzz.h"
#include "soft_tpm.h"
#include "tpm/certify.h"

#include <string.h>
#include <tss2/tss2_mu.h>

static bool public_part(const uint8_t *f, size_t n, TPM2B_PUBLIC *p)
{
	size_t off = 0;

	return !Tss2_MU_TPM2B_PUBLIC_Unmarshal(f, n, &off, p) && off == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *in = data + 1, *f;
	size_t left = size ? size - 1 : 0, n, off = 0;
	TPM2B_DATA nonce = { 0 };
	TPM2B_ATTEST attest = { 0 };
	TPMT_SIGNATURE sig = { 0 };
	TPM2B_PUBLIC ak = { 0 }, key = { 0 };
	TPM2B_NAME name;
	TPMS_ATTEST c;
	bool self_signed = size && (data[0] & 1), want;
	char err[256] = "";
	int rc;

	fuzz_quiet_tss();
	if (!size || !fuzz_part(&in, &left, &f, &n) || n > sizeof(nonce.buffer))
		return 0;
	nonce.size = (UINT16)n;
	memcpy(nonce.buffer, f, n);
	if (!fuzz_part(&in, &left, &f, &n) ||
	    n > sizeof(attest.attestationData))
		return 0;
	attest.size = (UINT16)n;
	memcpy(attest.attestationData, f, n);
	fuzz_part(&in, &left, &f, &n);
	if (self_signed) {
		if (soft_sign(soft_ak_key(), attest.attestationData,
			      attest.size, &sig) < 0)
			abort();
	} else if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(f, n, &off, &sig) ||
		   off != n) {
		return 0;
	}
	if (fuzz_part(&in, &left, &f, &n) && n && !self_signed) {
		if (!public_part(f, n, &ak))
			return 0;
	} else if (soft_ak_public(&ak) < 0) {
		abort();
	}
	if (fuzz_part(&in, &left, &f, &n) && n) {
		if (!public_part(f, n, &key))
			return 0;
	} else if (soft_tls_public(soft_tls_policy, &key) < 0) {
		abort();
	}

	off = 0;
	want = !Tss2_MU_TPMS_ATTEST_Unmarshal(attest.attestationData,
					      attest.size, &off, &c) &&
	       off == attest.size && c.magic == TPM2_GENERATED_VALUE &&
	       c.type == TPM2_ST_ATTEST_CERTIFY &&
	       c.extraData.size == nonce.size &&
	       !memcmp(c.extraData.buffer, nonce.buffer, nonce.size) &&
	       !tr_tpm_name(&key, &name) &&
	       c.attested.certify.name.size == name.size &&
	       !memcmp(c.attested.certify.name.name, name.name, name.size) &&
	       soft_verify(&ak, attest.attestationData, attest.size, &sig);
	rc = tr_certify_verify(&attest, &sig, &ak, &key, &nonce, err,
			       sizeof(err));
	if (rc != (want ? 0 : -1) || (rc && !err[0]))
		abort();
	fuzz_sink += (unsigned)rc;
	return 0;
}
