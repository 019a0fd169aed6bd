/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Remediation parameters and text with a language tag: PB-TNC and PA-TNC
 * share both layouts.
 */
#ifndef TR_TNC_REMEDIATION_H
#define TR_TNC_REMEDIATION_H

#include "wire/buf.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Remediation parameters: the value of PB-Remediation-Parameters and of the
 * PA-TNC Remediation Instructions attribute (same layout). IETF types:
 * 1 URI (params holds it), 2 string (string and lang); any other vendor or
 * type keeps params as is.
 */
#define TR_REMEDIATION_URI 1
#define TR_REMEDIATION_STRING 2

struct tr_remediation {
	uint32_t vendor;
	uint32_t type;
	struct tr_bytes params;
	struct tr_bytes string; /* IETF string: the text (UTF-8) */
	struct tr_bytes lang; /* IETF string: its language tag */
};

/*
 * Text with its language: a 32-bit length, the UTF-8 text, an 8-bit
 * length, the language tag; the rest of @v from @off, to its end (the
 * IETF remediation string and PB-Reason-String). @what names the text.
 */
int tr_text_lang_parse(const uint8_t *v, size_t len, size_t off,
		       struct tr_bytes *text, struct tr_bytes *lang,
		       const char *what, size_t *bad, char *err, size_t errlen);
int tr_text_lang_build(struct tr_wbuf *w, const struct tr_bytes *text,
		       const struct tr_bytes *lang, char *err, size_t errlen);

int tr_remediation_parse(const uint8_t *v, size_t len, struct tr_remediation *r,
			 size_t *bad, char *err, size_t errlen);
int tr_remediation_build(const struct tr_remediation *r, struct tr_wbuf *w,
			 char *err, size_t errlen);

#endif
