// SPDX-License-Identifier: GPL-2.0-only
#include "base/host_name.h"

size_t tr_host_name_span(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		(s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-'))
		i++;
	return i;
}
