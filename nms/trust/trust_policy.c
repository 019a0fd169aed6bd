// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trust policy: which observation leads to which state, and the
 * metric map.
 */
#include "nms/trust/trust_policy.h"

#include "base/errmsg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const state_names[TRUST_NSTATES] = {
	[TRUST_GOOD] = "good",
	[TRUST_UNKNOWN] = "unknown",
	[TRUST_BAD] = "bad",
	[TRUST_OFFLINE] = "offline",
};

static const char *const event_names[TRUST_NEVENTS] = {
	[TRUST_EV_ATTEST_OK] = "attest-ok",
	[TRUST_EV_ATTEST_FAIL] = "attest-fail",
	[TRUST_EV_HANDSHAKE_OK] = "handshake-ok",
	[TRUST_EV_HANDSHAKE_FAIL] = "handshake-fail",
	[TRUST_EV_NO_ANSWER] = "no-answer",
	[TRUST_EV_RESET] = "reset",
	[TRUST_EV_ATTEST_UNKNOWN] = "attest-unknown",
};

const struct trust_metrics trust_metrics_default = {
	.metric = { 10, 20, 30, 40 },
	.ospf_cost = { [TRUST_GOOD] = 10,
		       [TRUST_UNKNOWN] = 100,
		       [TRUST_BAD] = 10000,
		       [TRUST_OFFLINE] = 1000 },
};

const char *trust_state_name(enum trust_state st)
{
	return (unsigned)st < TRUST_NSTATES ? state_names[st] : "?";
}

/* The index of @name in @names (@n entries), or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (name && !strcmp(names[i], name))
			return i;
	return -1;
}

int trust_state_parse(const char *name, enum trust_state *st)
{
	int i = name_index(state_names, TRUST_NSTATES, name);

	if (i < 0)
		return -1;
	*st = (enum trust_state)i;
	return 0;
}

const char *trust_event_name(enum trust_event ev)
{
	return (unsigned)ev < TRUST_NEVENTS ? event_names[ev] : "?";
}

int trust_event_parse(const char *name, enum trust_event *ev)
{
	int i = name_index(event_names, TRUST_NEVENTS, name);

	if (i < 0)
		return -1;
	*ev = (enum trust_event)i;
	return 0;
}

enum trust_state trust_next(enum trust_state cur, enum trust_event ev)
{
	switch (ev) {
	case TRUST_EV_ATTEST_OK:
		return TRUST_GOOD;
	case TRUST_EV_ATTEST_FAIL:
	case TRUST_EV_HANDSHAKE_FAIL:
		return TRUST_BAD;
	case TRUST_EV_HANDSHAKE_OK:
		/* Bad is sticky: only a full attestation ends it. */
		return cur == TRUST_BAD ? TRUST_BAD : TRUST_GOOD;
	case TRUST_EV_NO_ANSWER:
		/* Silence does not launder a bad verdict. */
		return cur == TRUST_BAD ? TRUST_BAD : TRUST_OFFLINE;
	case TRUST_EV_RESET:
		return TRUST_UNKNOWN;
	case TRUST_EV_ATTEST_UNKNOWN:
		/* Unknown files do not clear a bad verdict: only a passed
		 * attestation (or the operator) does. */
		return cur == TRUST_BAD ? TRUST_BAD : TRUST_UNKNOWN;
	case TRUST_NEVENTS:
		break;
	}
	return cur;
}

/*
 * Parse "STATE=N,..." over @v (states not named keep their value): each
 * N from 1 to @max, the four different. @what names the map in errors.
 */
static int map_parse(const char *spec, uint32_t v[TRUST_NSTATES],
		     unsigned long max, const char *what, const char *noun,
		     char *err, size_t errlen)
{
	uint32_t out[TRUST_NSTATES];
	char buf[256], *save = NULL, *item;

	memcpy(out, v, sizeof(out));
	if (!spec || strlen(spec) >= sizeof(buf))
		return tr_fail(err, errlen, "%s: too long or missing", what);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		enum trust_state st;
		unsigned long n;

		if (!eq)
			return tr_fail(err, errlen,
				       "%s: \"%s\" is not STATE=%s", what, item,
				       noun);
		*eq = '\0';
		if (trust_state_parse(item, &st) < 0)
			return tr_fail(
				err, errlen,
				"%s: \"%s\" is not a trust state (good, unknown, bad, offline)",
				what, item);
		errno = 0;
		n = strtoul(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || eq[1] == '-' || n < 1 ||
		    n > max)
			return tr_fail(err, errlen,
				       "%s: %s=%s is not a %s from 1 to %lu",
				       what, item, eq + 1, noun, max);
		out[st] = (uint32_t)n;
	}
	for (int i = 0; i < TRUST_NSTATES; i++)
		for (int j = i + 1; j < TRUST_NSTATES; j++)
			if (out[i] == out[j])
				return tr_fail(err, errlen,
					       "%s: %s and %s both have %s %u",
					       what, state_names[i],
					       state_names[j], noun, out[i]);
	memcpy(v, out, sizeof(out));
	return 0;
}

int trust_metrics_parse(const char *spec, struct trust_metrics *m, char *err,
			size_t errlen)
{
	/* Two states with one metric could not be told apart in the
	 * kernel's routes. */
	return map_parse(spec, m->metric, INT32_MAX, "metric map", "metric",
			 err, errlen);
}

int trust_ospf_costs_parse(const char *spec, struct trust_metrics *m, char *err,
			   size_t errlen)
{
	return map_parse(spec, m->ospf_cost, 65535, "OSPF cost map", "cost",
			 err, errlen);
}

void trust_ospf_costs_format(const struct trust_metrics *m, char *buf,
			     size_t cap)
{
	snprintf(buf, cap, "good=%u,unknown=%u,bad=%u,offline=%u",
		 m->ospf_cost[TRUST_GOOD], m->ospf_cost[TRUST_UNKNOWN],
		 m->ospf_cost[TRUST_BAD], m->ospf_cost[TRUST_OFFLINE]);
}

void trust_metrics_format(const struct trust_metrics *m, char *buf, size_t cap)
{
	snprintf(buf, cap, "good=%u,unknown=%u,bad=%u,offline=%u",
		 m->metric[TRUST_GOOD], m->metric[TRUST_UNKNOWN],
		 m->metric[TRUST_BAD], m->metric[TRUST_OFFLINE]);
}

int trust_route_policy_parse(const char *spec, struct trust_metrics *m,
			     char *err, size_t errlen)
{
	bool out[TRUST_NSTATES];
	char buf[256], *save = NULL, *item;
	int items = 0;

	memcpy(out, m->withdraw, sizeof(out));
	if (!spec || !spec[0] || strlen(spec) >= sizeof(buf))
		return tr_fail(err, errlen,
			       "route policy: too long or missing");
	snprintf(buf, sizeof(buf), "%s", spec);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		enum trust_state st;

		if (!eq)
			return tr_fail(
				err, errlen,
				"route policy: \"%s\" is not STATE=recost or STATE=withdraw",
				item);
		*eq = '\0';
		if (trust_state_parse(item, &st) < 0)
			return tr_fail(
				err, errlen,
				"route policy: \"%s\" is not a trust state (good, unknown, bad, offline)",
				item);
		if (strcmp(eq + 1, "recost") && strcmp(eq + 1, "withdraw"))
			return tr_fail(
				err, errlen,
				"route policy: %s=%s: want recost or withdraw",
				item, eq + 1);
		/* A good router's routes are where traffic belongs. */
		if (st == TRUST_GOOD && !strcmp(eq + 1, "withdraw"))
			return tr_fail(
				err, errlen,
				"route policy: good routers are always re-costed");
		out[st] = !strcmp(eq + 1, "withdraw");
		items++;
	}
	if (!items)
		return tr_fail(
			err, errlen,
			"route policy: empty (STATE=recost or STATE=withdraw, ...)");
	memcpy(m->withdraw, out, sizeof(out));
	return 0;
}

void trust_route_policy_format(const struct trust_metrics *m, char *buf,
			       size_t cap)
{
	snprintf(buf, cap, "good=recost,unknown=%s,bad=%s,offline=%s",
		 m->withdraw[TRUST_UNKNOWN] ? "withdraw" : "recost",
		 m->withdraw[TRUST_BAD] ? "withdraw" : "recost",
		 m->withdraw[TRUST_OFFLINE] ? "withdraw" : "recost");
}

int64_t trust_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t trust_now_ms(void)
{
	return trust_now_ns() / 1000000;
}
