// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the trustflow policy parser of the kernel series
 * (security/trustflow/policy.c and decide.c, compiled in user space over
 * tests/fuzz/kernel/shim). Checks, beyond memory safety, what the parser
 * promises: a refusal always says why ("line N: ..." or "byte N: ..."), an
 * accepted policy keeps its text, has at most TF_POLICY_MAX_RULES rules,
 * each a tcb rule without channels or a filter rule with some, and a
 * path rule has an absolute path.
 */
#include "policy.h"

#include <assert.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[TF_POLICY_ERR_SIZE];
	struct tf_policy *p;
	struct tf_cred tc = { 0 };
	unsigned int i;

	p = tf_policy_parse((const char *)data, size, err, sizeof(err));
	if (IS_ERR(p)) {
		assert(PTR_ERR(p) == -EINVAL || PTR_ERR(p) == -E2BIG);
		assert(err[0]);
		assert(PTR_ERR(p) == -E2BIG || !strncmp(err, "line ", 5) ||
		       !strncmp(err, "byte ", 5));
		return 0;
	}
	assert(p->len == size && !memcmp(p->text, data, size));
	assert(p->count <= TF_POLICY_MAX_RULES);
	for (i = 0; i < p->count; i++) {
		const struct tf_rule *r = &p->rules[i];

		if (r->type == TF_RULE_TCB)
			assert(!r->channels);
		else
			assert(r->type == TF_RULE_FILTER && r->channels &&
			       !(r->channels & ~TF_CH_ALL));
		assert(r->by_digest || (r->exe && r->exe[0] == '/'));
		tf_policy_subject(p, r->exe, HASH_ALGO_SHA256,
				  r->by_digest ? r->digest : NULL, &tc);
	}
	tf_policy_free(p);
	return 0;
}

#ifndef TR_LIBFUZZER
/*
 * Without libFuzzer: every seed as is, then deterministic mutations of the
 * seeds (byte stores, insertions of grammar tokens, truncations), each in
 * an exact-size heap buffer.
 *
 *	fuzz-trustflow-policy [-n ITERATIONS] SEED...
 */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void run(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static const char *const tokens[] = {
	"tcb ",
	"filter ",
	"digest=",
	"sha256:",
	"exe=",
	"/",
	"channels=",
	"all",
	"file,",
	"pipe",
	",",
	"=",
	" ",
	"\t",
	"\n",
	"\r\n",
	"#",
	"\0",
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
};

int main(int argc, char **argv)
{
	static uint8_t seeds[64][4096], buf[8192];
	size_t lens[64], len, n = 0;
	long iterations = 20000, i;
	int a = 1;
	FILE *f;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		iterations = atol(argv[2]);
		a = 3;
	}
	for (; a < argc && n < 64; a++) {
		f = fopen(argv[a], "rb");
		if (!f) {
			perror(argv[a]);
			return 2;
		}
		lens[n] = fread(seeds[n], 1, sizeof(seeds[n]), f);
		fclose(f);
		run(seeds[n], lens[n]);
		n++;
	}
	if (!n) {
		fprintf(stderr,
			"usage: fuzz-trustflow-policy [-n N] SEED...\n");
		return 2;
	}
	for (i = 0; i < iterations; i++) {
		size_t s = next() % n, k, pos;
		const char *t;

		len = lens[s];
		memcpy(buf, seeds[s], len);
		for (k = 1 + next() % 4; k; k--) {
			pos = len ? next() % (len + 1) : 0;
			switch (next() % 4) {
			case 0:
				if (pos < len)
					buf[pos] = next();
				break;
			case 1:
				t = tokens[next() % (sizeof(tokens) /
						     sizeof(tokens[0]))];
				size_t tl = strlen(t) ? strlen(t) : 1;

				if (len + tl > sizeof(buf))
					break;
				memmove(buf + pos + tl, buf + pos, len - pos);
				memcpy(buf + pos, t, tl);
				len += tl;
				break;
			case 2:
				len = pos;
				break;
			default:
				if (pos < len) {
					memmove(buf + pos, buf + pos + 1,
						len - pos - 1);
					len--;
				}
			}
		}
		run(buf, len);
	}
	/* The size limit, at and over the bound. */
	{
		size_t big = 65537;
		uint8_t *b = malloc(big);

		memset(b, '#', big);
		run(b, big - 1);
		run(b, big);
		free(b);
	}
	printf("fuzz-trustflow-policy: %zu seeds, %ld mutations: 1 passed, 0 failed\n",
	       n, iterations);
	return 0;
}
#endif
