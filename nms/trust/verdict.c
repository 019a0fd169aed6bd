// SPDX-License-Identifier: GPL-2.0-only
#include "nms/trust/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void verdict_init(struct nms_verdict *r)
{
	memset(r, 0, sizeof(*r));
	r->v = VERDICT_GOOD;
}

static void keep(struct nms_verdict *r, enum verdict v, const char *text)
{
	if (v > r->v)
		r->v = v;
	if (r->n < VERDICT_REASONS) {
		char *c = r->reason[r->n++];

		snprintf(c, VERDICT_REASON_LEN, "%s", text);
		/* Reasons quote what routers sent (names, ids) and go to
		 * logs and the dashboard: one printable line. */
		for (; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	} else {
		r->dropped++;
	}
}

void verdict_add(struct nms_verdict *r, enum verdict v, const char *fmt, ...)
{
	char text[VERDICT_REASON_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	keep(r, v, text);
}

void verdict_merge(struct nms_verdict *a, const struct nms_verdict *b)
{
	if (b->v > a->v)
		a->v = b->v;
	for (size_t i = 0; i < b->n; i++)
		keep(a, a->v, b->reason[i]);
	a->dropped += b->dropped;
}

const char *verdict_name(enum verdict v)
{
	return v == VERDICT_GOOD    ? "good" :
	       v == VERDICT_UNKNOWN ? "unknown" :
				      "bad";
}
