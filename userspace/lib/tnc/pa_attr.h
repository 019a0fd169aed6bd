/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PA-TNC (RFC 5792) attributes: the typed values IMCs and IMVs exchange,
 * each parsed from and built into the vendor-typed TLV (wire/tlv.h). Pure
 * functions over buffers: a parsed value holds views into the caller's
 * buffer and no allocation is made anywhere. Documentation/tnc.md
 * describes the layers.
 *
 * Reserved fields and bits must be zero: the RFCs say to ignore them on
 * receipt, we refuse them, so that what parses encodes again to the same
 * bytes (strongSwan 6.0.6 sends zeros everywhere).
 */
#ifndef TR_TNC_PA_ATTR_H
#define TR_TNC_PA_ATTR_H

#include "tnc/remediation.h"
#include "wire/tlv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TR_PA_MSG_HEADER_LEN 8

enum tr_pa_ietf_attr {
	TR_PA_TESTING = 0,
	TR_PA_ATTR_REQUEST = 1,
	TR_PA_PRODUCT_INFO = 2,
	TR_PA_NUMERIC_VERSION = 3,
	TR_PA_STRING_VERSION = 4,
	TR_PA_OP_STATUS = 5,
	TR_PA_PORT_FILTER = 6,
	TR_PA_INSTALLED_PACKAGES = 7,
	TR_PA_ERROR = 8,
	TR_PA_ASSESSMENT_RESULT = 9,
	TR_PA_REMEDIATION = 10,
	TR_PA_FORWARDING_ENABLED = 11,
	TR_PA_FACTORY_DEFAULT_PWD = 12,
};
/* ITA-HSR (TR_PEN_ITA) Device ID: strongSwan's OS IMC sends the machine-id. */
#define TR_PA_ITA_DEVICE_ID 8
#define TR_PA_DEVICE_ID_MAX 255

/* IETF PA subtype of the PB-PA messages carrying OS attributes. */
#define TR_PA_SUBTYPE_OS 1
#define TR_PA_SUBTYPE_TCG_PTS 1 /* with vendor TR_PEN_TCG: attestation */

enum tr_pa_error_code {
	TR_PA_ERR_RESERVED = 0,
	TR_PA_ERR_INVALID_PARAMETER = 1,
	TR_PA_ERR_VERSION_NOT_SUPPORTED = 2,
	TR_PA_ERR_ATTR_TYPE_NOT_SUPPORTED = 3,
};

/* The PA-TNC Error attribute (RFC 5792 4.2.8). */
struct tr_pa_error {
	uint32_t vendor; /* of the error code */
	uint32_t code;
	/* IETF codes 1 to 3: */
	uint8_t msg_header[TR_PA_MSG_HEADER_LEN]; /* of the refused message */
	uint32_t offset; /* INVALID_PARAMETER: of the bad field */
	uint8_t max_version, min_version; /* VERSION_NOT_SUPPORTED */
	uint8_t attr_flags; /* ATTR_TYPE_NOT_SUPPORTED: the attribute's */
	uint32_t attr_vendor, attr_type;
	/* any other vendor or code: the Error Information as is */
	struct tr_bytes info;
};

/* --- typed attribute values ---------------------------------------------
 *
 * Lists are read from the bytes received (raw, with n entries, and an
 * accessor), and built from the caller's array when it is not NULL (else
 * from raw, as parsed).
 */

struct tr_pa_attr_type {
	uint32_t vendor;
	uint32_t type;
};

struct tr_pa_attr_request {
	size_t n;
	const struct tr_pa_attr_type *types;
	struct tr_bytes raw;
};

struct tr_pa_product_info {
	uint32_t vendor; /* of the product: an SMI PEN */
	uint16_t id;
	struct tr_bytes name; /* UTF-8 */
};

struct tr_pa_numeric_version {
	uint32_t major, minor, build;
	uint16_t sp_major, sp_minor;
};

struct tr_pa_string_version {
	struct tr_bytes version, build, config; /* each at most 255 bytes */
};

enum tr_pa_op_status_code {
	TR_PA_OP_UNKNOWN = 0,
	TR_PA_OP_NOT_INSTALLED = 1,
	TR_PA_OP_NOT_OPERATIONAL = 2,
	TR_PA_OP_OPERATIONAL = 3,
};

enum tr_pa_op_result {
	TR_PA_OP_RESULT_UNKNOWN = 0,
	TR_PA_OP_RESULT_OK = 1,
	TR_PA_OP_RESULT_ERRORS = 2,
	TR_PA_OP_RESULT_FAILED = 3,
};

#define TR_PA_TIME_LEN 20 /* "YYYY-MM-DDThh:mm:ssZ" */

struct tr_pa_op_status {
	uint8_t status, result;
	char last_use[TR_PA_TIME_LEN + 1]; /* "0000-00-00T00:00:00Z": unknown */
};

struct tr_pa_port {
	bool blocked;
	uint8_t protocol;
	uint16_t port;
};

struct tr_pa_port_filter {
	size_t n;
	const struct tr_pa_port *ports;
	struct tr_bytes raw;
};

struct tr_pa_package {
	struct tr_bytes name, version; /* each at most 255 bytes, UTF-8 */
};

struct tr_pa_packages {
	size_t n;
	const struct tr_pa_package *pkgs;
	struct tr_bytes raw;
};

enum tr_pa_assessment {
	TR_PA_COMPLIANT = 0,
	TR_PA_NONCOMPLIANT_MINOR = 1,
	TR_PA_NONCOMPLIANT_MAJOR = 2,
	TR_PA_ASSESSMENT_ERROR = 3,
	TR_PA_DONT_KNOW = 4,
};

enum tr_pa_forwarding {
	TR_PA_FWD_DISABLED = 0,
	TR_PA_FWD_ENABLED = 1,
	TR_PA_FWD_UNKNOWN = 2,
};

/* A typed attribute: vendor and type say which member holds the value. */
struct tr_pa_value {
	uint8_t flags; /* TR_NOSKIP, as received or to send */
	uint32_t vendor, type;
	union {
		struct tr_pa_attr_request request;
		struct tr_pa_product_info product;
		struct tr_pa_numeric_version numeric;
		struct tr_pa_string_version string;
		struct tr_pa_op_status op_status;
		struct tr_pa_port_filter ports;
		struct tr_pa_packages packages;
		struct tr_pa_error error;
		uint32_t assessment; /* enum tr_pa_assessment */
		struct tr_remediation remediation;
		uint32_t forwarding; /* enum tr_pa_forwarding */
		uint32_t default_pwd; /* 1: the factory default password works */
		struct tr_bytes device_id; /* ITA Device ID */
	} u;
};

/* Whether we know this attribute type (and tr_pa_value_parse reads it). */
bool tr_pa_known(uint32_t vendor, uint32_t type);
/* "IETF/Numeric Version", "ITA-HSR/Device ID", or "0x00abcd/17". */
const char *tr_pa_attr_name(uint32_t vendor, uint32_t type, char *buf,
			    size_t len);

/*
 * Parse the value of @a. -1 for a type we do not know or a bad value;
 * @bad (if not NULL) is then the offset of the bad field in the value.
 */
int tr_pa_value_parse(const struct tr_tlv *a, struct tr_pa_value *v,
		      size_t *bad, char *err, size_t errlen);
/* Write the value alone (no attribute header). */
int tr_pa_value_build(const struct tr_pa_value *v, struct tr_wbuf *w, char *err,
		      size_t errlen);
/* Write a whole attribute: header (flags, vendor, type, length) and value. */
int tr_pa_add(struct tr_wbuf *w, const struct tr_pa_value *v, char *err,
	      size_t errlen);

/* List entries, from the caller's array or the bytes received. */
void tr_pa_request_get(const struct tr_pa_attr_request *r, size_t i,
		       struct tr_pa_attr_type *t);
void tr_pa_port_get(const struct tr_pa_port_filter *f, size_t i,
		    struct tr_pa_port *p);
/* Packages in order: *cursor starts at 0; false after the last one. */
bool tr_pa_package_next(const struct tr_pa_packages *l, size_t *cursor,
			struct tr_pa_package *p);

#endif
