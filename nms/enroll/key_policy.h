/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The authPolicy the NMS expects of a router's sealed TLS key, recomputed
 * from its own configuration and reference values, never taken from the
 * router:
 *  - PolicyPCR: the IMA PCR predicted from the reference digest lists
 *    (dl_reference.h), plus any PCRs given with fixed values (e.g. boot
 *    PCRs from the vendor's reference measurements);
 *  - PolicyAuthorize: a policy key and reference, so that approvals of
 *    new PCR states keep the same key valid. The NMS's own policy key
 *    (nmsd init-ca makes ca-dir/policy.key, the default), or a vendor's
 *    that it holds (@policy_key, private: the NMS signs an approval of
 *    the state each reference set predicts, refsets.h), or a vendor's
 *    public key only (@authorizer: the vendor signs out of band).
 */
#ifndef TR_NMS_KEY_POLICY_H
#define TR_NMS_KEY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define NMS_MAX_REFERENCE_LISTS 256

struct nms_key_policy_config {
	/* PolicyAuthorize by a key the NMS holds: a PEM P-256 private key;
	 * approvals are signed with it. Excludes @authorizer. */
	const char *policy_key;
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

/*
 * The PCR state a router booted with @lists[@n] (under c->lists_name_dir,
 * into c->lists_pcr) and c->pcr_values holds: the selection and values
 * an approval of that state covers. 0, or -1 with the reason.
 */
struct tr_pcr_values;
int nms_predicted_pcrs(const struct nms_key_policy_config *c,
		       const char *const *lists, size_t n,
		       struct tr_pcr_values *pcrs, char *err, size_t errlen);

#endif
