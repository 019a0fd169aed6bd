/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An IMV's verdict on a router: good, unknown or bad, with the reasons.
 * Each reason raises the verdict to its own level; the worst wins.
 */
#ifndef TR_NMS_VERDICT_H
#define TR_NMS_VERDICT_H

#include <stddef.h>

enum verdict { VERDICT_GOOD, VERDICT_UNKNOWN, VERDICT_BAD };

#define VERDICT_REASONS 16
#define VERDICT_REASON_LEN 160

struct nms_verdict {
	enum verdict v;
	size_t n; /* reasons kept (at most VERDICT_REASONS) */
	size_t dropped; /* reasons beyond that, counted only */
	char reason[VERDICT_REASONS][VERDICT_REASON_LEN]; /* printable lines */
};

void verdict_init(struct nms_verdict *r);
/* Add a reason at level @v (printf-like). */
void verdict_add(struct nms_verdict *r, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fold @b into @a: the worse verdict and all reasons. */
void verdict_merge(struct nms_verdict *a, const struct nms_verdict *b);
const char *verdict_name(enum verdict v);

#endif
