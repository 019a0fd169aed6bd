// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/quote.h"

#include "base/errmsg.h"
#include "tpm/certify.h"
#include "tpm/convert.h"

#include <openssl/evp.h>
#include <string.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

/* The SHA-256 bank with the PCRs set in @sel (3 bytes: PCRs 0-23). */
static TPML_PCR_SELECTION sha256_selection(const unsigned char sel[TR_PCRS])
{
	TPML_PCR_SELECTION s = {
		.count = 1,
		.pcrSelections[0] = { .hash = TPM2_ALG_SHA256,
				      .sizeofSelect = 3 },
	};

	for (int i = 0; i < TR_PCRS; i++)
		s.pcrSelections[0].pcrSelect[i >> 3] |=
			(uint8_t)((sel[i] ? 1u : 0u) << (i & 7));
	return s;
}

static bool is_selected(const TPMS_PCR_SELECTION *s, unsigned i)
{
	return i / 8 < s->sizeofSelect && (s->pcrSelect[i / 8] >> (i % 8) & 1);
}

/*
 * TPM2_PCR_Read answers at most 8 values at a time, for the PCRs it names
 * in pcrSelectionOut: ask for what is left until nothing is.
 */
static int read_pcrs(struct tr_tpm *t, struct tr_pcr_values *p, char *err,
		     size_t errlen)
{
	unsigned char left[TR_PCRS];
	bool any = true;

	memcpy(left, p->selected, sizeof(left));
	while (any) {
		TPML_PCR_SELECTION in = sha256_selection(left), *out = NULL;
		TPML_DIGEST *vals = NULL;
		uint32_t k = 0;
		TSS2_RC rc;
		bool ok;

		t->commands++;
		rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &in, NULL, &out, &vals);
		if (rc)
			return tr_tpm_fail(err, errlen, "TPM2_PCR_Read", rc);
		ok = out->count == 1 &&
		     out->pcrSelections[0].hash == TPM2_ALG_SHA256;
		for (unsigned i = 0; ok && i < TR_PCRS; i++) {
			if (!is_selected(&out->pcrSelections[0], i))
				continue;
			ok = left[i] && k < vals->count &&
			     vals->digests[k].size == 32;
			if (ok)
				memcpy(p->value[i], vals->digests[k++].buffer,
				       32);
			left[i] = 0;
		}
		ok = ok && k > 0 && k == vals->count;
		Esys_Free(out);
		Esys_Free(vals);
		if (!ok)
			return tr_fail(
				err, errlen,
				"TPM2_PCR_Read: no SHA-256 values for the PCRs asked (is the bank allocated?)");
		any = memchr(left, 1, sizeof(left)) != NULL;
	}
	return 0;
}

static int unmarshal_quote(const TPM2B_ATTEST *a, TPMS_ATTEST *info)
{
	size_t off = 0;

	if (Tss2_MU_TPMS_ATTEST_Unmarshal(a->attestationData, a->size, &off,
					  info) ||
	    off != a->size)
		return -1;
	return 0;
}

/* The values read are the values quoted: they hash to its pcrDigest. */
static bool quoted_these(const TPM2B_ATTEST *a, const struct tr_pcr_values *p)
{
	TPMS_ATTEST info;
	uint8_t d[32];

	if (unmarshal_quote(a, &info) < 0 ||
	    info.attested.quote.pcrDigest.size != 32)
		return false;
	tr_pcr_values_digest(p, d);
	return !memcmp(info.attested.quote.pcrDigest.buffer, d, 32);
}

static int check_request(const unsigned char selected[TR_PCRS],
			 const TPM2B_DATA *nonce, char *err, size_t errlen)
{
	if (nonce->size < TR_QUOTE_NONCE_MIN ||
	    nonce->size > TR_QUOTE_NONCE_MAX)
		return tr_fail(err, errlen, "nonce of %u bytes (%d..%d)",
			       nonce->size, TR_QUOTE_NONCE_MIN,
			       TR_QUOTE_NONCE_MAX);
	for (int i = 0; i < TR_PCRS; i++)
		if (selected[i])
			return 0;
	return tr_fail(err, errlen, "no PCR selected");
}

int tr_quote(struct tr_tpm *t, const TPM2B_PUBLIC *ak_pub,
	     const TPM2B_PRIVATE *ak_priv,
	     const unsigned char selected[TR_PCRS], const TPM2B_DATA *nonce,
	     struct tr_quote *q, char *err, size_t errlen)
{
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPML_PCR_SELECTION sel = sha256_selection(selected);
	ESYS_TR ak = ESYS_TR_NONE;
	TSS2_RC rc;
	int ret = -1;

	memset(q, 0, sizeof(*q));
	if (check_request(selected, nonce, err, errlen) < 0)
		return -1;
	for (int i = 0; i < TR_PCRS; i++)
		q->pcrs.selected[i] = selected[i] ? 1 : 0;
	if (tr_tpm_srk(t, err, errlen) < 0)
		return -1;
	t->commands++;
	rc = Esys_Load(t->esys, t->srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
		       ESYS_TR_NONE, ak_priv, ak_pub, &ak);
	if (rc)
		return tr_tpm_load_fail(err, errlen, "the AK", rc);
	for (int attempt = 0; attempt < TR_QUOTE_TRIES; attempt++) {
		TPM2B_ATTEST *a = NULL;
		TPMT_SIGNATURE *s = NULL;

		if (read_pcrs(t, &q->pcrs, err, errlen) < 0)
			goto out;
		t->commands++;
		rc = Esys_Quote(t->esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, nonce, &scheme, &sel, &a, &s);
		if (rc) {
			tr_tpm_fail(err, errlen, "TPM2_Quote", rc);
			goto out;
		}
		q->attest = *a;
		q->sig = *s;
		Esys_Free(a);
		Esys_Free(s);
		if (quoted_these(&q->attest, &q->pcrs)) {
			ret = 0;
			goto out;
		}
	}
	tr_fail(err, errlen, "the PCRs changed during each of %d quotes",
		TR_QUOTE_TRIES);
out:
	t->commands++;
	Esys_FlushContext(t->esys, ak);
	return ret;
}

static int ak_signed(const TPM2B_ATTEST *attest, const TPMT_SIGNATURE *sig,
		     const TPM2B_PUBLIC *ak_pub, char *err, size_t errlen)
{
	uint8_t der[TR_ECDSA_DER_MAX];
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *ak;
	int len, ok;

	if (sig->sigAlg != TPM2_ALG_ECDSA ||
	    sig->signature.ecdsa.hash != TPM2_ALG_SHA256)
		return tr_fail(err, errlen, "not an ECDSA-SHA256 signature");
	len = tr_tpm_sig_to_der(sig, der, sizeof(der));
	ak = tr_tpm_public_to_evp(ak_pub, err, errlen);
	if (!ak)
		return -1;
	md = EVP_MD_CTX_new();
	ok = md && len > 0 &&
	     EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, ak) == 1 &&
	     EVP_DigestVerify(md, der, (size_t)len, attest->attestationData,
			      attest->size) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(ak);
	return ok ? 0 :
		    tr_fail(err, errlen,
			    "the AK's signature does not verify (another AK, or the quote was changed)");
}

/* Exactly the SHA-256 PCRs @asked, no other bank, no other PCR. */
static bool same_selection(const TPML_PCR_SELECTION *s,
			   const unsigned char asked[TR_PCRS])
{
	const TPMS_PCR_SELECTION *p = &s->pcrSelections[0];

	if (s->count != 1 || p->hash != TPM2_ALG_SHA256)
		return false;
	for (unsigned i = 0; i < 8u * TPM2_PCR_SELECT_MAX; i++)
		if (is_selected(p, i) != (i < TR_PCRS && asked[i]))
			return false;
	return true;
}

int tr_quote_verify(const TPM2B_ATTEST *attest, const TPMT_SIGNATURE *sig,
		    const TPM2B_PUBLIC *ak_pub, const TPM2B_DATA *nonce,
		    const unsigned char asked[TR_PCRS],
		    const struct tr_pcr_values *pcrs,
		    struct tr_quote_info *info, char *err, size_t errlen)
{
	TPMS_ATTEST a;
	uint8_t d[32];

	if (check_request(asked, nonce, err, errlen) < 0)
		return -1;
	if (unmarshal_quote(attest, &a) < 0)
		return tr_fail(err, errlen, "malformed TPMS_ATTEST");
	/* The signature first: once it holds, whatever else is wrong was
	 * said by the TPM and the reason below is the real one. */
	if (tr_ak_check_public(ak_pub, err, errlen) < 0 ||
	    ak_signed(attest, sig, ak_pub, err, errlen) < 0)
		return -1;
	if (a.magic != TPM2_GENERATED_VALUE)
		return tr_fail(err, errlen, "not generated by a TPM");
	if (a.type != TPM2_ST_ATTEST_QUOTE)
		return tr_fail(err, errlen, "not a quote (type 0x%x)", a.type);
	if (a.extraData.size != nonce->size ||
	    memcmp(a.extraData.buffer, nonce->buffer, nonce->size))
		return tr_fail(err, errlen, "stale: not for this nonce");
	if (!same_selection(&a.attested.quote.pcrSelect, asked))
		return tr_fail(err, errlen,
			       "quotes other PCRs than the ones asked");
	for (int i = 0; i < TR_PCRS; i++)
		if (!pcrs->selected[i] != !asked[i])
			return tr_fail(err, errlen,
				       "PCR values: PCR %d %s, the quote %s", i,
				       pcrs->selected[i] ? "given" : "missing",
				       asked[i] ? "has it" : "does not");
	tr_pcr_values_digest(pcrs, d);
	if (a.attested.quote.pcrDigest.size != 32 ||
	    memcmp(a.attested.quote.pcrDigest.buffer, d, 32))
		return tr_fail(err, errlen,
			       "the PCR values are not the ones quoted");
	if (info) {
		info->clock = a.clockInfo.clock;
		info->reset_count = a.clockInfo.resetCount;
		info->restart_count = a.clockInfo.restartCount;
		info->safe = a.clockInfo.safe == TPM2_YES;
		info->firmware_version = a.firmwareVersion;
	}
	return 0;
}
