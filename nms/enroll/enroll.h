/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Zero-touch enrollment, the NMS's decisions (Documentation/enrollment.md).
 * A router gets a TLS certificate only if, in this order:
 *  (a) its EK certificate chains to a manufacturer CA the operator
 *      trusts, is not revoked, is an EK certificate and names its EK,
 *      whose public area is exactly an accepted TCG template;
 *  (b) its AK is in that TPM: it answered a credential made for the EK
 *      and the AK's name (MakeCredential / ActivateCredential);
 *  (c) its TLS key is in that TPM (certified by that AK), cannot leave
 *      it, is usable only through its policy (userWithAuth clear), and
 *      its policy is the one the NMS computed (key_policy.h);
 *  (d) the request is fresh: the challenge is live and used once.
 * Nothing about a device is written before (b) holds: the first step
 * stores a challenge, and the device, its EK and its AK are bound to the
 * name in the transaction that issues the certificate.
 * Every refusal is logged as an event and the reason is returned.
 * No HTTP here: est_server.c carries these over EST.
 */
#ifndef TR_NMS_ENROLL_H
#define TR_NMS_ENROLL_H

#include "nms/enroll/ca.h"
#include "enroll/wire.h"
#include "nms/store/store.h"

#include <stdbool.h>

#include <openssl/x509.h>
#include <tss2/tss2_tpm2_types.h>

#define NMS_ENROLL_REFUSED (-1) /* the request is refused: its fault */
#define NMS_ENROLL_ERROR (-2) /* the NMS failed: worth a retry */
/* Refused: the name is another TPM's, or this TPM has another name. No
 * retry can change that; an operator must. */
#define NMS_ENROLL_NAME_CONFLICT (-3)

struct nms_enroll_config {
	const char *ek_roots; /* trusted EK manufacturer CAs (PEM) */
	const char *ek_intermediates; /* may be NULL */
	const char *ek_crls; /* their CRLs (PEM); NULL: no revocation check */
	/*
	 * The EK templates accepted (TR_EK_TEMPLATE_BIT); 0 means L-1 only.
	 * A TPM with certificates for two accepted templates has two EKs
	 * that nothing links, and could enroll once with each.
	 */
	unsigned ek_templates;
	uint8_t policy[32]; /* authPolicy TLS keys must have */
	char policy_desc[128];
	int cert_days;
	int challenge_seconds; /* how long a challenge stays valid */
	/*
	 * Only TPMs on the pre-approval allow-list (store_preapproval.h)
	 * enroll, each under the name the list gives it; checked before a
	 * challenge is made and again when the name is bound.
	 */
	bool preapproval;
	/*
	 * Register the route addresses a router gives at enrollment as its
	 * own (router_addrs): off by default, since a router could claim a
	 * gateway address it does not have.
	 */
	bool register_routes;
};

struct nms_enroll {
	struct nms_store *store;
	const struct nms_ca *ca;
	const struct nms_enroll_config *cfg;
};

/*
 * Checks (a), that the name, EK and AK are free or already each other's,
 * and stores the challenge (nothing about a device).
 */
int nms_enroll_credential(struct nms_enroll *e,
			  const struct tr_credential_request *req,
			  struct tr_credential_reply *reply, char *err,
			  size_t errlen);

/*
 * Step 2: a CSR carrying the EnrollEvidence (enroll/evidence.h). Checks
 * (b), (c), (d) and the CSR itself, then binds the name to the EK and AK,
 * issues and stores the certificate, all in one transaction. Returns 0
 * with *cert.
 */
int nms_enroll_csr(struct nms_enroll *e, X509_REQ *req, X509 **cert, char *err,
		   size_t errlen);

/*
 * The same, with the address the request came from (@peer, may be NULL):
 * the router's endpoint address when it gave none. With the certificate,
 * in the same transaction, the NMS registers what the router said at
 * step 1 about where it is monitored (its endpoint and request port;
 * its route addresses with @register_routes): zero-touch monitoring.
 */
int nms_enroll_csr_from(struct nms_enroll *e, X509_REQ *req, const char *peer,
			X509 **cert, char *err, size_t errlen);

#endif
