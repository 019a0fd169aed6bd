/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trustflow: the policy.
 */
#ifndef _SECURITY_TRUSTFLOW_POLICY_H
#define _SECURITY_TRUSTFLOW_POLICY_H

#include <crypto/hash_info.h>
#include <linux/rcupdate.h>
#include "trustflow.h"

#define TF_POLICY_MAX_SIZE	65536
#define TF_POLICY_MAX_RULES	1024
#define TF_POLICY_ERR_SIZE	128

enum tf_rule_type {
	TF_RULE_TCB,
	TF_RULE_FILTER,
};

struct tf_rule {
	enum tf_rule_type type;
	bool by_digest;
	u16 channels;
	u8 digest[SHA256_DIGEST_SIZE];
	const char *exe;
};

struct tf_policy {
	struct rcu_head rcu;
	unsigned int count;
	size_t len;
	char *text;		/* as loaded: measured, and read back */
	char *strings;		/* the rules' paths point here */
	struct tf_rule rules[];
};

struct tf_policy *tf_policy_parse(const char *text, size_t len, char *err,
				  size_t errlen);
void tf_policy_free(struct tf_policy *policy);
void tf_policy_subject(const struct tf_policy *policy, const char *exe,
		       int algo, const u8 *digest, struct tf_cred *tc);

extern struct tf_policy __rcu *tf_policy;

#endif /* _SECURITY_TRUSTFLOW_POLICY_H */
