// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trustflow: the policy parser and the subject rules.
 *
 * One rule a line; '#' starts a comment; blank lines are ignored:
 *
 *   tcb digest=sha256:HEX           the program of that content is TCB
 *   tcb exe=PATH                    the program at that path is TCB
 *   filter digest=sha256:HEX channels=LIST
 *   filter exe=PATH channels=LIST   a TCB program that sanitizes what it
 *                                   reads through the channels of LIST
 *
 * LIST is "all" or channel names separated by commas: file, pipe, fifo,
 * unix, fd, mmap, exec, msg, shm. The parser is pure: it refuses anything
 * it does not fully understand, naming the line and what was wrong.
 */

#include <kunit/visibility.h>
#include <linux/ctype.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "policy.h"

struct tf_policy __rcu *tf_policy;

void tf_policy_free(struct tf_policy *policy)
{
	if (!policy)
		return;
	kfree(policy->text);
	kfree(policy->strings);
	kfree(policy);
}
EXPORT_SYMBOL_IF_KUNIT(tf_policy_free);

static int tf_parse_channels(char *value, u16 *channels)
{
	char *name;
	int ch;

	*channels = 0;
	if (!strcmp(value, "all")) {
		*channels = TF_CH_ALL;
		return 0;
	}
	while ((name = strsep(&value, ",")) != NULL) {
		ch = tf_channel_parse(name);
		if (ch < 0)
			return -EINVAL;
		*channels |= BIT(ch);
	}
	return 0;
}

static int tf_parse_digest(const char *value, u8 *digest)
{
	const char *hex;
	int i;

	if (strncmp(value, "sha256:", 7))
		return -EINVAL;
	hex = value + 7;
	if (strlen(hex) != 2 * SHA256_DIGEST_SIZE)
		return -EINVAL;
	for (i = 0; i < 2 * SHA256_DIGEST_SIZE; i++)
		if (!isxdigit(hex[i]))
			return -EINVAL;
	return hex2bin(digest, hex, SHA256_DIGEST_SIZE);
}

/* One line, NUL-terminated, comment removed; @rule is zeroed. */
static const char *tf_parse_line(char *line, struct tf_rule *rule,
				 bool *empty)
{
	bool have_match = false, have_channels = false;
	char *word, *value;

	word = strsep(&line, " \t\r");
	while (word && !*word)
		word = strsep(&line, " \t\r");
	*empty = !word;
	if (!word)
		return NULL;
	if (!strcmp(word, "tcb"))
		rule->type = TF_RULE_TCB;
	else if (!strcmp(word, "filter"))
		rule->type = TF_RULE_FILTER;
	else
		return "unknown rule (not tcb or filter)";

	while ((word = strsep(&line, " \t\r")) != NULL) {
		if (!*word)
			continue;
		value = strchr(word, '=');
		if (!value || !value[1])
			return "expected key=value";
		*value++ = '\0';
		if (!strcmp(word, "digest") || !strcmp(word, "exe")) {
			if (have_match)
				return "more than one digest= or exe=";
			have_match = true;
			if (word[0] == 'd') {
				rule->by_digest = true;
				if (tf_parse_digest(value, rule->digest))
					return "digest is not sha256: and 64 hex digits";
			} else {
				if (value[0] != '/')
					return "exe is not an absolute path";
				rule->exe = value;
			}
		} else if (!strcmp(word, "channels")) {
			if (have_channels)
				return "more than one channels=";
			have_channels = true;
			if (tf_parse_channels(value, &rule->channels))
				return "unknown channel";
		} else {
			return "unknown key";
		}
	}
	if (!have_match)
		return "digest= or exe= missing";
	if (rule->type == TF_RULE_TCB && have_channels)
		return "channels= is for filter rules";
	if (rule->type == TF_RULE_FILTER && !have_channels)
		return "channels= missing";
	return NULL;
}

/**
 * tf_policy_parse - parse a policy
 * @text: the policy text (need not be NUL-terminated)
 * @len: its length
 * @err: where to write what was wrong, "line N: reason"
 * @errlen: size of @err
 *
 * Return: the policy, or an ERR_PTR: -EINVAL for a malformed policy,
 * -E2BIG for one too large, -ENOMEM.
 */
struct tf_policy *tf_policy_parse(const char *text, size_t len, char *err,
				  size_t errlen)
{
	struct tf_policy *policy;
	unsigned int lineno = 0, n = 0;
	char *buf, *cur, *line, *hash;
	const char *reason;
	struct tf_rule rule;
	size_t i;
	bool empty;

	if (errlen)
		err[0] = '\0';
	if (len > TF_POLICY_MAX_SIZE) {
		snprintf(err, errlen, "policy larger than %d bytes",
			 TF_POLICY_MAX_SIZE);
		return ERR_PTR(-E2BIG);
	}
	for (i = 0; i < len; i++) {
		if (!text[i] || (!isprint(text[i]) && !isspace(text[i]))) {
			snprintf(err, errlen, "byte %zu: not printable text",
				 i);
			return ERR_PTR(-EINVAL);
		}
	}
	/* Rules at most one a line (plus one for a last line unterminated). */
	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	n++;
	if (n > TF_POLICY_MAX_RULES + 1)
		n = TF_POLICY_MAX_RULES + 1;
	policy = kzalloc(struct_size(policy, rules, n), GFP_KERNEL);
	if (!policy)
		return ERR_PTR(-ENOMEM);
	policy->text = kmemdup_nul(text, len, GFP_KERNEL);
	buf = kmemdup_nul(text, len, GFP_KERNEL);
	if (!policy->text || !buf) {
		kfree(buf);
		tf_policy_free(policy);
		return ERR_PTR(-ENOMEM);
	}
	policy->len = len;
	policy->strings = buf;
	cur = buf;
	while ((line = strsep(&cur, "\n")) != NULL) {
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		memset(&rule, 0, sizeof(rule));
		reason = tf_parse_line(line, &rule, &empty);
		if (!reason && !empty && policy->count >= TF_POLICY_MAX_RULES)
			reason = "too many rules";
		if (reason) {
			snprintf(err, errlen, "line %u: %s", lineno, reason);
			tf_policy_free(policy);
			return ERR_PTR(-EINVAL);
		}
		if (!empty)
			policy->rules[policy->count++] = rule;
	}
	return policy;
}
EXPORT_SYMBOL_IF_KUNIT(tf_policy_parse);

static bool tf_rule_matches(const struct tf_rule *rule, const char *exe,
			    int algo, const u8 *digest)
{
	if (rule->by_digest)
		return digest && algo == HASH_ALGO_SHA256 &&
		       !memcmp(rule->digest, digest, SHA256_DIGEST_SIZE);
	return exe && !strcmp(rule->exe, exe);
}

/**
 * tf_policy_subject - apply the policy to a program being executed
 * @policy: the policy, or NULL
 * @exe: the program's path, or NULL
 * @algo: the algorithm of @digest
 * @digest: the program's content digest, or NULL
 * @tc: the new subject's label, updated
 *
 * A tcb rule makes the program TCB; a filter rule adds channels through
 * which it may read low-integrity input.
 */
void tf_policy_subject(const struct tf_policy *policy, const char *exe,
		       int algo, const u8 *digest, struct tf_cred *tc)
{
	const struct tf_rule *rule;
	unsigned int i;

	if (!policy)
		return;
	for (i = 0; i < policy->count; i++) {
		rule = &policy->rules[i];
		if (!tf_rule_matches(rule, exe, algo, digest))
			continue;
		if (rule->type == TF_RULE_TCB)
			tc->flags |= TF_SUBJ_TCB | TF_SUBJ_POLICY;
		else
			tc->filter |= rule->channels;
	}
}
EXPORT_SYMBOL_IF_KUNIT(tf_policy_subject);
