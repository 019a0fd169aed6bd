/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef TR_TNC_PT_SASL_H
#define TR_TNC_PT_SASL_H

#include "wire/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TR_SASL_PLAIN_FIELD_MAX 255

/*
 * SASL PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd, each at most
 * 255 bytes of UTF-8, authcid and passwd not empty.
 */
struct tr_sasl_plain {
	struct tr_bytes authzid, authcid, passwd;
};

int tr_sasl_plain_parse(const uint8_t *p, size_t len, struct tr_sasl_plain *s,
			char *err, size_t errlen);
int tr_sasl_plain_build(const struct tr_sasl_plain *s, struct tr_wbuf *w,
			char *err, size_t errlen);

#endif
