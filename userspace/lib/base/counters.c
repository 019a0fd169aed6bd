// SPDX-License-Identifier: GPL-2.0-only
#include "base/counters.h"

#include <string.h>

void tr_count(struct tr_counters *c, const char *label)
{
	size_t i = 0;

	while (i + 1 < c->n && strcmp(c->labels[i], label))
		i++;
	__atomic_add_fetch(&c->counts[i], 1, __ATOMIC_RELAXED);
}

uint64_t tr_counter(const struct tr_counters *c, size_t i)
{
	return i < c->n ? __atomic_load_n(&c->counts[i], __ATOMIC_RELAXED) : 0;
}
