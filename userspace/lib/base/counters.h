/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counts by a fixed set of labels, such as refusals by reason, for a
 * metrics page: lock-free (relaxed atomics), so any thread may count and
 * any thread read. The last label is the catch-all ("other"): a label not
 * in the set counts there, so no event goes uncounted.
 */
#ifndef TR_COUNTERS_H
#define TR_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

struct tr_counters {
	const char *const *labels;
	size_t n;
	uint64_t *counts; /* n of them */
};

/* Static counters @name with the labels given (the last: the catch-all). */
#define TR_COUNTERS(name, ...)                                      \
	static const char *const name##_labels[] = { __VA_ARGS__ }; \
	static uint64_t name##_counts[sizeof(name##_labels) /       \
				      sizeof(name##_labels[0])];    \
	static struct tr_counters name = {                          \
		name##_labels,                                      \
		sizeof(name##_labels) / sizeof(name##_labels[0]),   \
		name##_counts,                                      \
	}

/* Count one under @label (the catch-all if it is none of the set). */
void tr_count(struct tr_counters *c, const char *label);
/* The count of label @i. */
uint64_t tr_counter(const struct tr_counters *c, size_t i);

#endif
