/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The authPolicy the NMS expects of a router's sealed TLS key, recomputed
 * from its own configuration and reference values, never taken from the
 * router:
 *  - PolicyPCR: the IMA PCR predicted from the reference digest lists
 *    (dl_reference.h), plus any PCRs given with fixed values (e.g. boot
 *    PCRs from the vendor's reference measurements);
 *  - PolicyAuthorize: the vendor's policy key and reference, so that the
 *    vendor's approvals of new PCR states keep the same key valid.
 */
#ifndef TR_NMS_KEY_POLICY_H
#define TR_NMS_KEY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define NMS_MAX_REFERENCE_LISTS 256

struct nms_key_policy_config {
	/* PolicyAuthorize when set: a PEM P-256 public key, and the ref. */
	const char *authorizer;
	const char *authorizer_ref;
	/* PolicyPCR: the reference lists, where routers load them from
	 * (the name IMA records), and the PCR IMA extends with them. */
	const char *lists[NMS_MAX_REFERENCE_LISTS];
	size_t n_lists;
	const char *lists_name_dir;
	int lists_pcr;
	/* Other PCRs, "N=HEX[,N=HEX...]" (SHA-256 values); may be NULL. */
	const char *pcr_values;
};

/*
 * The expected authPolicy, and a one-line description of how it was
 * reached (for logs and refusals). Returns 0, or -1 with the reason.
 */
int nms_key_policy(const struct nms_key_policy_config *c, uint8_t policy[32],
		   char *desc, size_t desclen, char *err, size_t errlen);

#endif
