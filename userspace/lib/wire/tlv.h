/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor-typed TLV that PA-TNC attributes and PB-TNC messages share,
 * and the SMI enterprise numbers of the vendors whose types we know.
 */
#ifndef TR_WIRE_TLV_H
#define TR_WIRE_TLV_H

#include "wire/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One PA-TNC attribute or PB-TNC message: the two share their 12-byte
 * header (flags, vendor id, type, length with the header). Reserved
 * flags must be zero; vendor 0xffffff and type 0xffffffff are reserved.
 */
#define TR_TLV_HEADER_LEN 12
#define TR_NOSKIP 0x80

struct tr_tlv {
	uint8_t flags; /* TR_NOSKIP */
	uint32_t vendor;
	uint32_t type;
	struct tr_bytes value; /* in the message or batch */
	size_t offset; /* of the header in the message or batch */
};

/*
 * The header at @off of @buf (@len bytes in all): 0, or -1 with what is
 * wrong and *@bad the offset of the bad field in @buf.
 */
int tr_tlv_read(const uint8_t *buf, size_t len, size_t off, struct tr_tlv *t,
		size_t *bad, char *err, size_t errlen);
/* Write a header, its length patched by tr_tlv_end(mark). */
size_t tr_tlv_begin(struct tr_wbuf *w, uint8_t flags, uint32_t vendor,
		    uint32_t type);
void tr_tlv_end(struct tr_wbuf *w, size_t mark);
/* Write @t as it is: header and value. */
void tr_tlv_put(struct tr_wbuf *w, const struct tr_tlv *t);
/* Reserved byte, 24-bit vendor id, 32-bit type or code: 8 bytes. */
void tr_put_vendor_type(struct tr_wbuf *w, uint32_t vendor, uint32_t type);

/*
 * Write @v with @build, then parse it back with @parse into @scratch: what
 * we would refuse is never sent. -1 (nothing written) with "@name: why"
 * if the type is not @known or building or parsing fails. When @w is full
 * nothing can be parsed back: then 0, and tr_wbuf_check() will say.
 */
int tr_build_checked(struct tr_wbuf *w, const void *v, void *scratch,
		     int (*build)(const void *v, struct tr_wbuf *w, char *err,
				  size_t errlen),
		     int (*parse)(const uint8_t *p, size_t n, void *scratch,
				  size_t *bad, char *err, size_t errlen),
		     bool known, const char *name, char *err, size_t errlen);

/*
 * Parse the value of @t with @parse into @v: -1 with "@name: why (value
 * offset N)" and *@bad (if not NULL) that offset.
 */
int tr_tlv_parse_value(const struct tr_tlv *t, void *v,
		       int (*parse)(const uint8_t *p, size_t n, void *v,
				    size_t *bad, char *err, size_t errlen),
		       const char *name, size_t *bad, char *err, size_t errlen);

/*
 * The 8 bytes of a reserved byte, a 24-bit vendor id and a 32-bit type or
 * code at @v (@len bytes): 0, or -1 with what is wrong and *@bad.
 */
int tr_get_vendor_type(const uint8_t *v, size_t len, uint32_t *vendor,
		       uint32_t *type, size_t *bad, char *err, size_t errlen);

/* SMI private enterprise numbers of the vendors whose types we know. */
#define TR_PEN_IETF 0x000000u
#define TR_PEN_TCG 0x005597u
#define TR_PEN_ITA 0x00902au /* ITA-HSR, strongSwan's */
#define TR_PEN_RESERVED 0xffffffu
#define TR_TYPE_RESERVED 0xffffffffu

#endif
