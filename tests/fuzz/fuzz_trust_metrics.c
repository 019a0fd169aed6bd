// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the metric map of nmsd and nms-route (--metrics
 * good=10,unknown=20,..., trust_metrics_parse). What is accepted is
 * exactly STATE=METRIC items separated by single commas, each state at
 * most once, metrics decimal 1..2^31-1, all four different (checked here
 * independently); it formats back to a map that parses to the same
 * metrics. On a refusal the map is unchanged and the reason given.
 * The same text is also taken as an OSPF cost map (--ospf-costs,
 * trust_ospf_costs_parse): the same grammar, costs 1..65535.
 * A NUL ends the map, as it would an argument. abort() otherwise.
 */
#include "fuzz.h"
#include "nms/trust/trust_policy.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[TRUST_NSTATES] = { "good", "unknown", "bad",
						  "offline" };

/* The grammar by hand, over the values @v (each 1 to @max). */
static bool grammar(const char *s, uint32_t v4[TRUST_NSTATES], uint64_t max)
{
	bool seen[TRUST_NSTATES] = { 0 };

	for (;;) {
		const char *eq = strchr(s, '=');
		uint64_t v = 0;
		int st = -1, digits = 0;

		if (!eq)
			return false;
		for (int i = 0; i < TRUST_NSTATES; i++)
			if ((size_t)(eq - s) == strlen(names[i]) &&
			    !strncmp(s, names[i], (size_t)(eq - s)))
				st = i;
		if (st < 0 || seen[st])
			return false;
		seen[st] = true;
		for (s = eq + 1; *s >= '0' && *s <= '9'; s++, digits++)
			if (v <= max)
				v = v * 10 + (uint64_t)(*s - '0');
		if (!digits || v < 1 || v > max)
			return false;
		v4[st] = (uint32_t)v;
		if (!*s)
			break;
		if (*s++ != ',')
			return false;
	}
	for (int i = 0; i < TRUST_NSTATES; i++)
		for (int j = i + 1; j < TRUST_NSTATES; j++)
			if (v4[i] == v4[j])
				return false;
	return true;
}

/* The OSPF cost map (--ospf-costs): the same grammar, costs to 65535. */
static void ospf(const char *s)
{
	struct trust_metrics m = trust_metrics_default, want = m, back;
	char err[256] = "", buf[128];
	bool ok = strlen(s) < 256 && grammar(s, want.ospf_cost, 65535);

	if (trust_ospf_costs_parse(s, &m, err, sizeof(err)) == 0) {
		if (!ok || memcmp(&m, &want, sizeof(m)))
			abort();
		trust_ospf_costs_format(&m, buf, sizeof(buf));
		back = trust_metrics_default;
		if (trust_ospf_costs_parse(buf, &back, err, sizeof(err)) ||
		    memcmp(&m, &back, sizeof(m)))
			abort();
	} else if (!err[0] || memcmp(&m, &trust_metrics_default, sizeof(m)) ||
		   ok) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256] = "", buf[128];
	struct trust_metrics m = trust_metrics_default, want = m, back;
	bool ok;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	/* Longer maps are refused for their length alone. */
	ok = strlen(s) < 256 && grammar(s, want.metric, INT32_MAX);
	if (trust_metrics_parse(s, &m, err, sizeof(err)) == 0) {
		if (!ok || memcmp(&m, &want, sizeof(m)))
			abort();
		trust_metrics_format(&m, buf, sizeof(buf));
		back = trust_metrics_default;
		if (trust_metrics_parse(buf, &back, err, sizeof(err)) ||
		    memcmp(&m, &back, sizeof(m)))
			abort();
	} else if (!err[0] || memcmp(&m, &trust_metrics_default, sizeof(m)) ||
		   ok) {
		abort();
	}
	ospf(s);
	free(s);
	return 0;
}
