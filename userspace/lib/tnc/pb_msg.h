/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PB-TNC (RFC 5793) messages: their types, their values parsed from and
 * built into the vendor-typed TLV (wire/tlv.h), and the flags each must
 * carry. Pure functions over buffers; parsed values point into the
 * caller's buffer. Documentation/tnc.md describes the layers.
 */
#ifndef TR_TNC_PB_MSG_H
#define TR_TNC_PB_MSG_H

#include "tnc/remediation.h"
#include "wire/tlv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of what we accept: a peer cannot make us track more. */
#define TR_PB_LANG_MAX 255 /* the language ranges of Accept-Language */

enum tr_pb_msg_type {
	TR_PB_EXPERIMENTAL = 0,
	TR_PB_PA = 1,
	TR_PB_ASSESSMENT_RESULT = 2,
	TR_PB_ACCESS_RECOMMENDATION = 3,
	TR_PB_REMEDIATION_PARAMETERS = 4,
	TR_PB_ERROR = 5,
	TR_PB_LANGUAGE_PREFERENCE = 6,
	TR_PB_REASON_STRING = 7,
};
/*
 * strongSwan's PB-Mutual-Capability (vendor TR_PEN_ITA): a 32-bit set of
 * the mutual protocols the sender speaks; half duplex is the one in use.
 */
#define TR_PB_ITA_MUTUAL_CAPABILITY 1
#define TR_PB_MUTUAL_HALF_DUPLEX 0x80000000u
#define TR_PB_MUTUAL_FULL_DUPLEX 0x40000000u

enum tr_pb_access {
	TR_PB_ACCESS_ALLOWED = 1,
	TR_PB_ACCESS_DENIED = 2,
	TR_PB_ACCESS_QUARANTINED = 3,
};

enum tr_pb_error_code {
	TR_PB_ERR_UNEXPECTED_BATCH_TYPE = 0,
	TR_PB_ERR_INVALID_PARAMETER = 1,
	TR_PB_ERR_LOCAL = 2,
	TR_PB_ERR_UNSUPPORTED_MANDATORY_MSG = 3,
	TR_PB_ERR_VERSION_NOT_SUPPORTED = 4,
};

/* The PB-Error message (RFC 5793 4.9). */
struct tr_pb_error {
	bool fatal;
	uint32_t vendor; /* of the error code */
	uint16_t code;
	/* IETF codes: */
	uint32_t offset; /* all but VERSION_NOT_SUPPORTED (0 if none) */
	uint8_t bad_version, max_version, min_version;
	/* any other vendor or code: the Error Parameters as they are */
	struct tr_bytes params;
};

/* PB-PA: a PA-TNC message for the IMCs or IMVs of a PA subtype. */
#define TR_PB_PA_EXCLUSIVE 0x80
#define TR_PB_PA_ANY_ID 0xffff /* collector or validator: not one */

struct tr_pb_pa {
	bool exclusive;
	uint32_t vendor; /* of the PA subtype */
	uint32_t subtype;
	uint16_t collector, validator;
	struct tr_bytes body; /* the PA-TNC message */
};

struct tr_pb_reason {
	struct tr_bytes reason; /* UTF-8 */
	struct tr_bytes lang; /* its language tag */
};

/* A typed message: vendor and type say which member holds the value. */
struct tr_pb_value {
	uint32_t vendor, type;
	union {
		struct tr_pb_pa pa;
		uint32_t assessment; /* enum tr_pa_assessment */
		uint16_t access; /* enum tr_pb_access */
		struct tr_remediation remediation;
		struct tr_pb_error error;
		/* "Accept-Language: " and this, as strongSwan sends it */
		struct tr_bytes language;
		struct tr_pb_reason reason;
		uint32_t mutual; /* TR_PB_MUTUAL_* bits */
		struct tr_bytes experimental;
	} u;
};

bool tr_pb_known(uint32_t vendor, uint32_t type);

/* A PB-PA message carrying the PA-TNC message built in @pa. */
int tr_pb_add_pa(struct tr_wbuf *w, uint32_t vendor, uint32_t subtype,
		 uint16_t collector, uint16_t validator,
		 const struct tr_wbuf *pa);
/* The NOSKIP flag a known message must (0x80) or must not (0) carry. */
uint8_t tr_pb_noskip(uint32_t vendor, uint32_t type);
/* "IETF/PB-PA", "ITA-HSR/PB-Mutual-Capability", or "0x00abcd/17". */
const char *tr_pb_msg_name(uint32_t vendor, uint32_t type, char *buf,
			   size_t len);
/* Whether only a RESULT batch may carry a message of this type. */
bool tr_pb_result_only(uint32_t vendor, uint32_t type);

/* -1 for a type we do not know or a bad value; *@bad: its offset. */
int tr_pb_value_parse(const struct tr_tlv *m, struct tr_pb_value *v,
		      size_t *bad, char *err, size_t errlen);
int tr_pb_value_build(const struct tr_pb_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen);
/* A whole message, with the NOSKIP flag its type asks for. */
int tr_pb_add(struct tr_wbuf *w, const struct tr_pb_value *v, char *err,
	      size_t errlen);

#endif
