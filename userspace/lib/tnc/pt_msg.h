/* SPDX-License-Identifier: GPL-2.0-only */
/* PT-TLS (RFC 6876) message values, parsed from and built into frames. */
#ifndef TR_TNC_PT_MSG_H
#define TR_TNC_PT_MSG_H

#include "tnc/pt_frame.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tr_pt_version_request {
	uint8_t min, max, pref;
};

/* SASL mechanism names: 1 to 20 of A-Z 0-9 - _ (RFC 4422). */
struct tr_pt_sasl_mechs {
	size_t n; /* 0: authentication is over */
	struct tr_bytes names[TR_PT_SASL_MECHS_MAX];
};

struct tr_pt_sasl_selection {
	struct tr_bytes name;
	struct tr_bytes data; /* the initial response, may be empty */
};

/*
 * SASL Result. RFC 6876 gives the result code two bytes; strongSwan 6.0.6
 * sends and reads one (libpttls write_uint8/read_uint8). We read both: a
 * one-byte value is strongSwan's code, two or more bytes the RFC's code
 * and result data. We send strongSwan's byte (wide false): its client
 * takes the first byte as the code, so the RFC's 00 01 (failure) would
 * read as 00, success. A one-byte code carries no data, or a reader could
 * not tell the two forms apart.
 */
struct tr_pt_sasl_result {
	uint16_t code; /* enum tr_sasl_result_code */
	bool wide; /* the RFC's two-byte code */
	struct tr_bytes data;
};

/* A typed message: type says which member holds the value. */
struct tr_pt_value {
	uint32_t type; /* IETF: vendor 0 */
	union {
		struct tr_pt_version_request version_request;
		uint8_t version; /* Version Response */
		struct tr_pt_sasl_mechs mechs;
		struct tr_pt_sasl_selection selection;
		struct tr_bytes auth_data;
		struct tr_pt_sasl_result result;
		struct tr_bytes batch; /* a PB-TNC batch */
		struct tr_pt_error error;
		struct tr_bytes experimental;
	} u;
};

/* -1 for a vendor's type or a bad value; *@bad: offset in the value. */
int tr_pt_value_parse(const struct tr_pt_msg *m, struct tr_pt_value *v,
		      size_t *bad, char *err, size_t errlen);
/* A whole message: header (vendor 0, type, length, @id) and value. */
int tr_pt_add(struct tr_wbuf *w, uint32_t id, const struct tr_pt_value *v,
	      char *err, size_t errlen);
/* A message of any vendor and type with @value as it is. */
void tr_pt_add_raw(struct tr_wbuf *w, uint32_t vendor, uint32_t type,
		   uint32_t id, const uint8_t *value, size_t len);

#endif
