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

const struct trust_metrics trust_metrics_default = { { 10, 20, 30, 40 } };

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

int trust_metrics_parse(const char *spec, struct trust_metrics *m, char *err,
			size_t errlen)
{
	struct trust_metrics out = *m;
	char buf[256], *save = NULL, *item;

	if (!spec || strlen(spec) >= sizeof(buf))
		return tr_fail(err, errlen, "metric map: too long or missing");
	snprintf(buf, sizeof(buf), "%s", spec);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		enum trust_state st;
		unsigned long v;

		if (!eq)
			return tr_fail(err, errlen,
				       "metric map: \"%s\" is not STATE=METRIC",
				       item);
		*eq = '\0';
		if (trust_state_parse(item, &st) < 0)
			return tr_fail(
				err, errlen,
				"metric map: \"%s\" is not a trust state (good, unknown, bad, offline)",
				item);
		errno = 0;
		v = strtoul(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || eq[1] == '-' || v < 1 ||
		    v > INT32_MAX)
			return tr_fail(
				err, errlen,
				"metric map: %s=%s is not a metric from 1 to %d",
				item, eq + 1, INT32_MAX);
		out.metric[st] = (uint32_t)v;
	}
	for (int i = 0; i < TRUST_NSTATES; i++)
		for (int j = i + 1; j < TRUST_NSTATES; j++)
			if (out.metric[i] == out.metric[j])
				return tr_fail(
					err, errlen,
					"metric map: %s and %s both have metric %u",
					state_names[i], state_names[j],
					out.metric[i]);
	*m = out;
	return 0;
}

void trust_metrics_format(const struct trust_metrics *m, char *buf, size_t cap)
{
	snprintf(buf, cap, "good=%u,unknown=%u,bad=%u,offline=%u",
		 m->metric[TRUST_GOOD], m->metric[TRUST_UNKNOWN],
		 m->metric[TRUST_BAD], m->metric[TRUST_OFFLINE]);
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
