/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Zero-touch enrollment, the NMS's decisions (Documentation/enrollment.md).
 * A router gets a TLS certificate only if, in this order:
 *  (a) its EK certificate chains to a manufacturer CA the operator
 *      trusts and names its EK;
 *  (b) its AK is in that TPM: it answered a credential made for the EK
 *      and the AK's name (MakeCredential / ActivateCredential);
 *  (c) its TLS key is in that TPM (certified by that AK), cannot leave
 *      it, is usable only through its policy (userWithAuth clear), and
 *      its policy is the one the NMS computed (key_policy.h);
 *  (d) the request is fresh: the challenge is live and used once.
 * Every refusal is logged as an event and the reason is returned.
 * No HTTP here: est_server.c carries these over EST.
 */
#ifndef TR_NMS_ENROLL_H
#define TR_NMS_ENROLL_H

#include "nms/enroll/ca.h"
#include "enroll/wire.h"
#include "nms/store/store.h"

#include <openssl/x509.h>
#include <tss2/tss2_tpm2_types.h>

#define NMS_ENROLL_REFUSED (-1) /* the request is refused: its fault */
#define NMS_ENROLL_ERROR (-2) /* the NMS failed: worth a retry */

struct nms_enroll_config {
	const char *ek_roots; /* trusted EK manufacturer CAs (PEM) */
	const char *ek_intermediates; /* may be NULL */
	uint8_t policy[32]; /* authPolicy TLS keys must have */
	char policy_desc[128];
	int cert_days;
	int challenge_seconds; /* how long a challenge stays valid */
};

struct nms_enroll {
	struct nms_store *store;
	const struct nms_ca *ca;
	const struct nms_enroll_config *cfg;
};

/* Checks (a), stores the device, EK and AK, and makes the challenge. */
int nms_enroll_credential(struct nms_enroll *e,
			  const struct tr_credential_request *req,
			  struct tr_credential_reply *reply, char *err,
			  size_t errlen);

/*
 * Step 2: a CSR carrying the EnrollEvidence (enroll/evidence.h). Checks
 * (b), (c), (d) and the CSR itself, then issues and stores the
 * certificate, all in one transaction. Returns 0 with *cert.
 */
int nms_enroll_csr(struct nms_enroll *e, X509_REQ *req, X509 **cert, char *err,
		   size_t errlen);

#endif
