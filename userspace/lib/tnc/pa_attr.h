/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PA-TNC (RFC 5792): the messages IMCs and IMVs exchange inside PB-PA
 * messages, and the attributes in them. Pure functions over buffers: a
 * parsed message or value holds views into the caller's buffer and no
 * allocation is made anywhere. Documentation/tnc.md describes the layers.
 *
 * This header also holds the byte reader and writer the TNC codecs share
 * (pb_tnc.h and pt_tls.h use them).
 *
 * Reserved fields and bits must be zero: the RFCs say to ignore them on
 * receipt, we refuse them, so that what parses encodes again to the same
 * bytes (strongSwan 6.0.6 sends zeros everywhere).
 */
#ifndef TR_PA_TNC_H
#define TR_PA_TNC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- shared by the TNC codecs ------------------------------------------ */

/* Bytes inside a buffer the caller owns (parsed values point there). */
struct tr_bytes {
	const uint8_t *p;
	size_t len;
};

/*
 * A bounded writer over the caller's buffer. A write that does not fit is
 * counted but not done; tr_wbuf_check() then says how much was needed.
 */
struct tr_wbuf {
	uint8_t *p;
	size_t cap;
	size_t len; /* bytes written, or that would have been */
};

void tr_wbuf_init(struct tr_wbuf *w, uint8_t *buf, size_t cap);
void tr_put_u8(struct tr_wbuf *w, uint32_t v);
void tr_put_u16(struct tr_wbuf *w, uint32_t v);
void tr_put_u24(struct tr_wbuf *w, uint32_t v);
void tr_put_u32(struct tr_wbuf *w, uint32_t v);
void tr_put_bytes(struct tr_wbuf *w, const void *p, size_t n);
/* Overwrite the 32-bit field at @at (a length written before its data). */
void tr_patch_u32(struct tr_wbuf *w, size_t at, uint32_t v);
/* 0 if everything fit, else -1: "output needs N bytes, buffer holds M". */
int tr_wbuf_check(const struct tr_wbuf *w, char *err, size_t errlen);

/* A bounded reader: each get fails (false) instead of reading past len. */
struct tr_rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/* Big-endian numbers at @p (the caller checked the length). */
static inline uint32_t tr_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t tr_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | tr_be24(p + 1);
}

bool tr_get_u8(struct tr_rbuf *r, uint8_t *v);
bool tr_get_u16(struct tr_rbuf *r, uint16_t *v);
bool tr_get_u24(struct tr_rbuf *r, uint32_t *v);
bool tr_get_u32(struct tr_rbuf *r, uint32_t *v);
bool tr_get_bytes(struct tr_rbuf *r, size_t n, struct tr_bytes *v);

/*
 * Strict UTF-8 (no overlong forms, surrogates or NUL): the offset of the
 * first byte that is not, or @n. Text we accept may end up in logs, the
 * store and the dashboard, where a NUL would cut it short.
 */
size_t tr_utf8_check(const uint8_t *p, size_t n);

/* -1 with what is wrong and *@bad (offset @off in a value) unless @s is UTF-8. */
int tr_text_check(const struct tr_bytes *s, size_t off, const char *what,
		  size_t *bad, char *err, size_t errlen);

/* "@prefix" and @fmt into @err (if any): the refusals' messages. */
void tr_vfail_prefixed(char *err, size_t errlen, const char *prefix,
		       const char *fmt, va_list ap);

/* tr_fail() that also sets *@bad (if not NULL) to @off. */
int tr_fail_at(size_t *bad, size_t off, char *err, size_t errlen,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

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

/* SMI private enterprise numbers of the vendors whose types we know. */
#define TR_PEN_IETF 0x000000u
#define TR_PEN_TCG 0x005597u
#define TR_PEN_ITA 0x00902au /* ITA-HSR, strongSwan's */
#define TR_PEN_RESERVED 0xffffffu
#define TR_TYPE_RESERVED 0xffffffffu

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

/* --- PA-TNC ------------------------------------------------------------ */

#define TR_PA_VERSION 1
#define TR_PA_MSG_HEADER_LEN 8
/* Limits of what we accept: a peer cannot make us track more. */
#define TR_PA_MAX_ATTRS 256
#define TR_PA_MSG_MAX (16u << 20)

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

struct tr_pa_msg {
	uint32_t id;
	size_t n;
	struct tr_tlv attrs[TR_PA_MAX_ATTRS]; /* in order */
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

/*
 * Parse a PA-TNC message. Every attribute is listed in order; the value of
 * each attribute type we know is checked as well (tr_pa_value_parse), one
 * we do not know is kept as it is unless its NOSKIP flag is set: then, as
 * RFC 5792 demands, the whole message is refused. On -1, @refusal (if not
 * NULL) holds the PA-TNC Error attribute to answer with: Version Not
 * Supported, Attribute Type Not Supported, or Invalid Parameter with the
 * offset of the bad field in the message.
 */
int tr_pa_msg_parse(const uint8_t *buf, size_t len, struct tr_pa_msg *m,
		    struct tr_pa_error *refusal, char *err, size_t errlen);

/*
 * Build a message in @w: tr_pa_msg_begin(), then each attribute with
 * tr_pa_add() (a typed value), tr_tlv_put() (as it is), or tr_tlv_begin(),
 * its value, tr_tlv_end(). Nothing ends a message (its header holds no
 * length). tr_wbuf_check() at the end.
 */
void tr_pa_msg_begin(struct tr_wbuf *w, uint32_t id);

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

/*
 * The PA-TNC Error to answer a refused message with: a copy of the first
 * 8 bytes of @msg (zeros where it was shorter) and the given code.
 */
void tr_pa_error_init(struct tr_pa_error *e, uint32_t code, const uint8_t *msg,
		      size_t len);

#endif
