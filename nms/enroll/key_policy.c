// SPDX-License-Identifier: GPL-2.0-only
#include "nms/enroll/key_policy.h"

#include "digest-lists/lib/dl_reference.h"
#include "base/errmsg.h"
#include "base/hex.h"
#include "tpm/key.h"
#include "tpm/policy.h"
#include "tpm/convert.h"

#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int authorize_policy(const struct nms_key_policy_config *c,
			    uint8_t policy[32], char *desc, size_t desclen,
			    char *err, size_t errlen)
{
	const char *ref = c->authorizer_ref ? c->authorizer_ref : "";
	const char *path = c->policy_key ? c->policy_key : c->authorizer;
	EVP_PKEY *pk = NULL;
	TPM2B_PUBLIC pub;
	TPM2B_NAME name;
	char h[2 * sizeof(name.name) + 1];
	FILE *f = fopen(path, "r");

	if (f) {
		pk = c->policy_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) :
				     PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!pk)
		return tr_fail(err, errlen, "%s: not a PEM %s key", path,
			       c->policy_key ? "private" : "public");
	if (strlen(ref) > sizeof(((TPM2B_NONCE *)0)->buffer)) {
		EVP_PKEY_free(pk);
		return tr_fail(err, errlen, "policy reference too long");
	}
	if (tr_tpm_public_from_evp(pk, &pub, err, errlen) < 0) {
		EVP_PKEY_free(pk);
		return -1;
	}
	EVP_PKEY_free(pk);
	tr_tpm_name(&pub, &name);
	tr_policy_authorize(policy, name.name, name.size, (const uint8_t *)ref,
			    strlen(ref));
	tr_hex(h, name.name, name.size);
	snprintf(desc, desclen, "PolicyAuthorize by %.20s... ref \"%s\"%s", h,
		 ref, c->policy_key ? " (signed here)" : "");
	return 0;
}

/* "N=HEX,..." into @pcrs. */
static int parse_values(const char *s, struct tr_pcr_values *pcrs, char *err,
			size_t errlen)
{
	while (s && *s) {
		char *end;
		unsigned long i = strtoul(s, &end, 10);

		if (end == s || *end != '=' || i >= TR_PCRS ||
		    pcrs->selected[i])
			return tr_fail(err, errlen,
				       "PCR values: want N=HEX[,N=HEX...]");
		s = end + 1;
		if (strnlen(s, 64) < 64 || tr_unhex(s, 32, pcrs->value[i]))
			return tr_fail(err, errlen,
				       "PCR %lu: want 64 hex digits", i);
		pcrs->selected[i] = 1;
		s += 64;
		if (*s && *s++ != ',')
			return tr_fail(err, errlen,
				       "PCR %lu: want 64 hex digits", i);
	}
	return 0;
}

int nms_predicted_pcrs(const struct nms_key_policy_config *c,
		       const char *const *lists, size_t n,
		       struct tr_pcr_values *pcrs, char *err, size_t errlen)
{
	struct dl_reference *ref;

	memset(pcrs, 0, sizeof(*pcrs));
	if (parse_values(c->pcr_values, pcrs, err, errlen) < 0)
		return -1;
	if (n) {
		if (c->lists_pcr < 0 || c->lists_pcr >= TR_PCRS ||
		    pcrs->selected[c->lists_pcr] || !c->lists_name_dir)
			return tr_fail(
				err, errlen,
				"reference lists need a PCR of their own and the directory routers load them from");
		ref = malloc(sizeof(*ref));
		if (!ref)
			return tr_fail(err, errlen, "out of memory");
		if (dl_reference_load(ref, lists, n, c->lists_name_dir, err,
				      errlen) < 0) {
			free(ref);
			return -1;
		}
		dl_predict_extend("sha256", pcrs->value[c->lists_pcr],
				  ref->file, ref->n);
		pcrs->selected[c->lists_pcr] = 1;
		dl_reference_free(ref);
		free(ref);
	}
	for (int i = 0; i < TR_PCRS; i++)
		if (pcrs->selected[i])
			return 0;
	return tr_fail(err, errlen,
		       "no PCR state: give reference lists or PCR values");
}

static int pcr_policy(const struct nms_key_policy_config *c, uint8_t policy[32],
		      char *desc, size_t desclen, char *err, size_t errlen)
{
	struct tr_pcr_values pcrs = { 0 };
	struct dl_reference *ref;
	size_t off = 0;

	if (parse_values(c->pcr_values, &pcrs, err, errlen) < 0)
		return -1;
	if (c->n_lists) {
		if (c->lists_pcr < 0 || c->lists_pcr >= TR_PCRS ||
		    pcrs.selected[c->lists_pcr] || !c->lists_name_dir)
			return tr_fail(
				err, errlen,
				"reference lists need a PCR of their own and the directory routers load them from");
		ref = malloc(sizeof(*ref));
		if (!ref)
			return tr_fail(err, errlen, "out of memory");
		if (dl_reference_load(ref, c->lists, c->n_lists,
				      c->lists_name_dir, err, errlen) < 0) {
			free(ref);
			return -1;
		}
		dl_predict_extend("sha256", pcrs.value[c->lists_pcr], ref->file,
				  ref->n);
		pcrs.selected[c->lists_pcr] = 1;
		dl_reference_free(ref);
		free(ref);
	}
	off = (size_t)snprintf(desc, desclen, "PolicyPCR sha256:");
	for (int i = 0; i < TR_PCRS && off < desclen; i++)
		if (pcrs.selected[i])
			off += (size_t)snprintf(desc + off, desclen - off,
						"%s%d",
						desc[off - 1] == ':' ? "" : ",",
						i);
	if (off == strlen("PolicyPCR sha256:"))
		return tr_fail(
			err, errlen,
			"no key policy: give reference lists, PCR values or an authorizer");
	memset(policy, 0, 32);
	tr_policy_pcr(policy, &pcrs);
	return 0;
}

int nms_key_policy(const struct nms_key_policy_config *c, uint8_t policy[32],
		   char *desc, size_t desclen, char *err, size_t errlen)
{
	/* One kind of policy: a key can satisfy only the one it has. */
	if (c->policy_key && c->authorizer)
		return tr_fail(
			err, errlen,
			"a policy key and an authorizer exclude each other");
	if (c->authorizer && (c->n_lists || c->pcr_values))
		return tr_fail(
			err, errlen,
			"an authorizer and PCR references exclude each other");
	/* With a policy key the reference lists say which state it
	 * approves; the key's policy names only the key. */
	if (c->authorizer || c->policy_key)
		return authorize_policy(c, policy, desc, desclen, err, errlen);
	return pcr_policy(c, policy, desc, desclen, err, errlen);
}
