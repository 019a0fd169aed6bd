// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the verifier's check of a TPM2_Quote (tr_quote_verify),
 * as the attestation IMV calls it. The input is parts (fuzz_part):
 *   the PCRs asked (3 bytes, a bitmap of PCRs 0-23), then optionally the
 *     PCRs whose values the router claims (3 more; default: the asked);
 *   the nonce; the TPMS_ATTEST; the TPMT_SIGNATURE; the AK's
 *   TPM2B_PUBLIC (empty: the software AK of soft_tpm.h); the values of
 *   the claimed PCRs, 32 bytes each in ascending order (missing: zero).
 * With bit 0 of the first byte set, the target signs the TPMS_ATTEST
 * with the software AK itself, so that mutations of it reach every check
 * after the signature; clear, the input's signature and AK are used (the
 * seeds include real swtpm quotes).
 *
 * The target decides on its own, from the TPMS_ATTEST and an OpenSSL
 * check of the input's signature (one it made itself is good by
 * construction), whether the quote should verify, and
 * tr_quote_verify must agree; a refusal says why, a success fills the
 * clock info from the quote. abort() otherwise.
 */
#include "fuzz.h"
#include "soft_tpm.h"
#include "tpm/certify.h"
#include "tpm/quote.h"

#include <string.h>
#include <tss2/tss2_mu.h>

static void bitmap(const uint8_t *b, unsigned char sel[TR_PCRS])
{
	for (int i = 0; i < TR_PCRS; i++)
		sel[i] = b[i / 8] >> (i % 8) & 1;
}

static bool what_was_asked(const TPMS_ATTEST *q, const TPM2B_DATA *nonce,
			   const unsigned char asked[TR_PCRS],
			   const struct tr_pcr_values *pcrs)
{
	const TPMS_PCR_SELECTION *s =
		&q->attested.quote.pcrSelect.pcrSelections[0];
	uint8_t d[32];

	if (q->magic != TPM2_GENERATED_VALUE ||
	    q->type != TPM2_ST_ATTEST_QUOTE ||
	    q->extraData.size != nonce->size ||
	    memcmp(q->extraData.buffer, nonce->buffer, nonce->size) ||
	    q->attested.quote.pcrSelect.count != 1 ||
	    s->hash != TPM2_ALG_SHA256)
		return false;
	for (unsigned i = 0; i < 8u * s->sizeofSelect; i++)
		if ((s->pcrSelect[i / 8] >> (i % 8) & 1) !=
		    (i < TR_PCRS && asked[i]))
			return false;
	for (unsigned i = 8u * s->sizeofSelect; i < TR_PCRS; i++)
		if (asked[i])
			return false;
	for (int i = 0; i < TR_PCRS; i++)
		if (!pcrs->selected[i] != !asked[i])
			return false;
	tr_pcr_values_digest(pcrs, d);
	return q->attested.quote.pcrDigest.size == 32 &&
	       !memcmp(q->attested.quote.pcrDigest.buffer, d, 32);
}

/*
 * Once per process: the software AK's public area and whether
 * tr_ak_check_public takes it (it must), rather than an OpenSSL key
 * built from it for every self-signed input.
 */
static TPM2B_PUBLIC soft_ak;
static bool soft_ak_ok;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_tss();
	if (soft_ak_public(&soft_ak) < 0 ||
	    tr_ak_check_public(&soft_ak, NULL, 0))
		abort();
	soft_ak_ok = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *in = data + 1, *f;
	size_t left = size ? size - 1 : 0, n, off = 0, v = 0;
	unsigned char asked[TR_PCRS];
	struct tr_pcr_values pcrs = { 0 };
	struct tr_quote_info info;
	TPM2B_DATA nonce = { 0 };
	TPM2B_ATTEST attest = { 0 };
	TPMT_SIGNATURE sig = { 0 };
	TPM2B_PUBLIC ak = { 0 };
	TPMS_ATTEST q;
	bool self_signed = size && (data[0] & 1), ak_is_soft = false, want;
	char err[256] = "";
	int rc;

	if (!soft_ak_ok)
		LLVMFuzzerInitialize(NULL, NULL);
	if (!size || !fuzz_part(&in, &left, &f, &n) || (n != 3 && n != 6))
		return 0;
	bitmap(f, asked);
	bitmap(n == 6 ? f + 3 : f, pcrs.selected);
	if (!fuzz_part(&in, &left, &f, &n) || n > sizeof(nonce.buffer))
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
	off = 0;
	if (fuzz_part(&in, &left, &f, &n) && n && !self_signed) {
		if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(f, n, &off, &ak) || off != n)
			return 0;
	} else {
		ak = soft_ak;
		ak_is_soft = true;
	}
	fuzz_part(&in, &left, &f, &n);
	for (int i = 0; i < TR_PCRS; i++)
		if (pcrs.selected[i] && v + 32 <= n) {
			memcpy(pcrs.value[i], f + v, 32);
			v += 32;
		}

	off = 0;
	want = nonce.size >= TR_QUOTE_NONCE_MIN &&
	       nonce.size <= TR_QUOTE_NONCE_MAX &&
	       memchr(asked, 1, sizeof(asked)) &&
	       !Tss2_MU_TPMS_ATTEST_Unmarshal(attest.attestationData,
					      attest.size, &off, &q) &&
	       off == attest.size &&
	       /* The software AK was checked once; a signature the
		* target has just made with it is good, and
		* tr_quote_verify must find it so. */
	       (ak_is_soft || !tr_ak_check_public(&ak, NULL, 0)) &&
	       (self_signed ||
		soft_verify(&ak, attest.attestationData, attest.size, &sig)) &&
	       what_was_asked(&q, &nonce, asked, &pcrs);
	memset(&info, 0x5a, sizeof(info));
	rc = tr_quote_verify(&attest, &sig, &ak, &nonce, asked, &pcrs, &info,
			     err, sizeof(err));
	if (rc != (want ? 0 : -1) || (rc && !err[0]))
		abort();
	if (!rc && (info.clock != q.clockInfo.clock ||
		    info.reset_count != q.clockInfo.resetCount ||
		    info.restart_count != q.clockInfo.restartCount ||
		    info.safe != (q.clockInfo.safe == TPM2_YES) ||
		    info.firmware_version != q.firmwareVersion))
		abort();
	fuzz_sink += (unsigned)rc;
	return 0;
}
