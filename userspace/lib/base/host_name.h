/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device and server names: plain host names, letters, digits, '.' and
 * '-'. They go into certificates (CN, dNSName), logs and the store, so
 * nothing else may reach them.
 */
#ifndef TR_HOST_NAME_H
#define TR_HOST_NAME_H

#include <stddef.h>
#include <stdint.h>

#define TR_DEVICE_NAME_MAX 63 /* one DNS label */

/* How many of the @n bytes at @s, from the start, are host-name bytes. */
size_t tr_host_name_span(const uint8_t *s, size_t n);

#endif
