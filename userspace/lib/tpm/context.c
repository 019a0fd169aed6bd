// SPDX-License-Identifier: GPL-2.0-only
#include "tpm/context.h"
#include "base/errmsg.h"

#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

int tr_tpm_fail(char *err, size_t errlen, const char *what, TSS2_RC rc)
{
	return tr_fail(err, errlen, "%s: %s (0x%x)", what, Tss2_RC_Decode(rc),
		       rc);
}

int tr_tpm_load_fail(char *err, size_t errlen, const char *what, TSS2_RC rc)
{
	TSS2_RC layerless = rc & 0xffff;
	/* Format-one codes carry the parameter's number in bits 8-11. */
	TSS2_RC fmt1 = layerless & TPM2_RC_FMT1 ?
			       layerless & (TPM2_RC_FMT1 | 0x3f) :
			       layerless;

	if ((rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER &&
	    (fmt1 == TPM2_RC_INTEGRITY || fmt1 == TPM2_RC_BINDING))
		return tr_fail(
			err, errlen,
			"loading %s: not from this TPM (its private part fails this TPM's integrity check): %s (0x%x)",
			what, Tss2_RC_Decode(rc), rc);
	if ((rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER &&
	    (layerless == TPM2_RC_OBJECT_MEMORY ||
	     layerless == TPM2_RC_SESSION_MEMORY ||
	     layerless == TPM2_RC_MEMORY ||
	     layerless == TPM2_RC_OBJECT_HANDLES ||
	     layerless == TPM2_RC_SESSION_HANDLES))
		return tr_fail(
			err, errlen,
			"loading %s: the TPM has no room for another object: %s (0x%x); objects are left loaded by another client: use the resource manager (/dev/tpmrm0, tpm2-abrmd) or flush them (tpm2_flushcontext -t)",
			what, Tss2_RC_Decode(rc), rc);
	return tr_fail(err, errlen, "loading %s: %s (0x%x)", what,
		       Tss2_RC_Decode(rc), rc);
}

int tr_tpm_open(struct tr_tpm *t, const char *tcti, char *err, size_t errlen)
{
	TSS2_RC rc;

	memset(t, 0, sizeof(*t));
	t->srk = ESYS_TR_NONE;
	if (!tcti)
		tcti = getenv("TRUSTROUTE_TCTI");
	if (!tcti)
		tcti = getenv("TPM2TOOLS_TCTI");
	if (!tcti)
		tcti = "device:/dev/tpmrm0";
	rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti);
	if (rc)
		return tr_fail(err, errlen,
			       "cannot reach the TPM at \"%s\": %s", tcti,
			       Tss2_RC_Decode(rc));
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc) {
		Tss2_TctiLdr_Finalize(&t->tcti);
		return tr_tpm_fail(err, errlen, "Esys_Initialize", rc);
	}
	return 0;
}

void tr_tpm_close(struct tr_tpm *t)
{
	if (t->esys && t->srk != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->srk);
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
	t->srk = ESYS_TR_NONE;
}

/* The standard ECC P-256 storage key (TCG provisioning guidance,
 * and what other tools use for parent 0x40000001). */
const TPM2B_PUBLIC tr_srk_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_RESTRICTED |
				    TPMA_OBJECT_DECRYPT |
				    TPMA_OBJECT_FIXEDTPM |
				    TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_SENSITIVEDATAORIGIN |
				    TPMA_OBJECT_USERWITHAUTH |
				    TPMA_OBJECT_NODA,
		.parameters.eccDetail = {
			.symmetric = { .algorithm = TPM2_ALG_AES,
				       .keyBits.aes = 128,
				       .mode.aes = TPM2_ALG_CFB },
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

int tr_tpm_srk(struct tr_tpm *t, char *err, size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TSS2_RC rc;

	if (t->srk != ESYS_TR_NONE)
		return 0;
	rc = TR_TPM_CALL(t, Esys_CreatePrimary(
				    t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				    ESYS_TR_NONE, ESYS_TR_NONE, &sens,
				    &tr_srk_template, &outside, &none, &t->srk,
				    NULL, NULL, NULL, NULL));
	return rc ? tr_tpm_fail(err, errlen, "creating the SRK", rc) : 0;
}

void tr_tpm_pcr_selection(const struct tr_pcr_values *p,
			  TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	for (int i = 0; i < TR_PCRS; i++)
		if (p->selected[i])
			sel->pcrSelections[0].pcrSelect[i / 8] |=
				(uint8_t)(1u << (i % 8));
}

int tr_tpm_pcr_read(struct tr_tpm *t, struct tr_pcr_values *pcrs, char *err,
		    size_t errlen)
{
	for (int i = 0; i < TR_PCRS; i++) {
		struct tr_pcr_values one = { 0 };
		TPML_PCR_SELECTION sel;
		TPML_DIGEST *vals = NULL;
		TSS2_RC rc;

		if (!pcrs->selected[i])
			continue;
		one.selected[i] = 1;
		tr_tpm_pcr_selection(&one, &sel);
		rc = TR_TPM_CALL(t, Esys_PCR_Read(t->esys, ESYS_TR_NONE,
						  ESYS_TR_NONE, ESYS_TR_NONE,
						  &sel, NULL, NULL, &vals));
		if (rc || vals->count != 1 || vals->digests[0].size != 32) {
			Esys_Free(vals);
			return rc ? tr_tpm_fail(err, errlen, "PCR_Read", rc) :
				    tr_fail(err, errlen,
					    "PCR %d: no SHA-256 value", i);
		}
		memcpy(pcrs->value[i], vals->digests[0].buffer, 32);
		Esys_Free(vals);
	}
	return 0;
}

int tr_tpm_create(struct tr_tpm *t, const TPM2B_PUBLIC *tmpl, const char *what,
		  TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv, char *err,
		  size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TPM2B_PUBLIC *out_pub = NULL;
	TPM2B_PRIVATE *out_priv = NULL;
	TSS2_RC rc;

	if (tr_tpm_srk(t, err, errlen) < 0)
		return -1;
	rc = TR_TPM_CALL(t, Esys_Create(t->esys, t->srk, ESYS_TR_PASSWORD,
					ESYS_TR_NONE, ESYS_TR_NONE, &sens, tmpl,
					&outside, &none, &out_priv, &out_pub,
					NULL, NULL, NULL));
	if (rc)
		return tr_tpm_fail(err, errlen, what, rc);
	*pub = *out_pub;
	*priv = *out_priv;
	Esys_Free(out_pub);
	Esys_Free(out_priv);
	return 0;
}
