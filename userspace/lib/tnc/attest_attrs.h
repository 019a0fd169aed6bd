/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The values of the PA-TNC attributes (RFC 5792) that carry TPM
 * attestation between the router's IMC and the NMS's IMV. The framing
 * (attribute headers, vendor IDs on the wire) is pa_tnc's; these are the
 * value encodings only, all integers in network byte order. Pure and
 * bounded; every decoder refuses trailing bytes, reserved bits set and
 * anything it could not encode again byte for byte.
 *
 * IMV -> IMC   Quote Request         (trustroute 1): nonce, PCRs, log wanted
 * IMC -> IMV   Simple Evidence Final (TCG PTS 0x00400000): the quote
 *              PCR Values            (trustroute 2): what was quoted
 *              IMA Log               (trustroute 3): the binary log, chunked
 *
 * Documentation/attestation.md has the layouts and why PTS's own
 * attributes were or were not used.
 */
#ifndef TR_ATTEST_ATTRS_H
#define TR_ATTEST_ATTRS_H

#include "base/host_name.h"
#include "wire/tlv.h" /* TR_PEN_TCG */
#include "tpm/quote.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * trustroute has no Private Enterprise Number of its own yet: 32473 is
 * IANA's number for documentation (RFC 5612). One constant to change.
 */
#define TR_PEN_TRUSTROUTE 32473u

/* Attribute types: TCG PTS (vendor TR_PEN_TCG) and ours. */
#define TR_ATTR_TCG_SIMPLE_EVID_FINAL 0x00400000u
#define TR_ATTR_QUOTE_REQUEST 1u
#define TR_ATTR_PCR_VALUES 2u
#define TR_ATTR_IMA_LOG 3u
#define TR_ATTR_DEVICE_NAME 4u

/* PTS Measurement Algorithm values: only SHA-256 here. */
#define TR_PTS_ALG_SHA256 0x4000u

/* IMV -> IMC: quote these PCRs over this nonce. */
struct tr_quote_request {
	bool want_ima_log;
	unsigned char selected[TR_PCRS]; /* SHA-256 bank */
	TPM2B_DATA nonce; /* TR_QUOTE_NONCE_MIN..MAX bytes */
};

#define TR_ATTR_QUOTE_REQUEST_MAX (10 + TR_QUOTE_NONCE_MAX)
/* Encoders return the value's length, or -1 (bad input, @cap too small). */
int tr_attr_quote_request_encode(const struct tr_quote_request *r, uint8_t *out,
				 size_t cap, char *err, size_t errlen);
int tr_attr_quote_request_decode(const uint8_t *buf, size_t len,
				 struct tr_quote_request *r, char *err,
				 size_t errlen);

/*
 * Simple Evidence Final with the TPM 2.0 quote (strongSwan's layout,
 * flag 0x10): TPMS_ATTEST is sent without the nonce, which the verifier
 * puts back from its own request: a quote over another nonce then fails
 * the signature. ECDSA signatures as r || s.
 */
#define TR_ATTR_EVID_FINAL_MAX 512
int tr_attr_evid_final_encode(const TPM2B_ATTEST *attest,
			      const TPMT_SIGNATURE *sig, uint8_t *out,
			      size_t cap, char *err, size_t errlen);
int tr_attr_evid_final_decode(const uint8_t *buf, size_t len,
			      const TPM2B_DATA *nonce, TPM2B_ATTEST *attest,
			      TPMT_SIGNATURE *sig, char *err, size_t errlen);

#define TR_ATTR_PCR_VALUES_MAX (8 + 32 * TR_PCRS)
int tr_attr_pcr_values_encode(const struct tr_pcr_values *p, uint8_t *out,
			      size_t cap, char *err, size_t errlen);
int tr_attr_pcr_values_decode(const uint8_t *buf, size_t len,
			      struct tr_pcr_values *p, char *err,
			      size_t errlen);

/*
 * IMA Log: bytes [offset, offset + n) of a log of @total bytes. A log
 * is sent as consecutive chunks, in order, every one with the same total.
 */
#define TR_IMA_LOG_MAX (16u << 20)
#define TR_IMA_LOG_CHUNK_MAX 65000u
#define TR_ATTR_IMA_LOG_MAX (8 + TR_IMA_LOG_CHUNK_MAX)

struct tr_ima_log_chunk {
	uint32_t total;
	uint32_t offset;
	const uint8_t *data; /* points into the decoded value */
	uint32_t len;
};

/*
 * The chunk of @log (@len bytes) that starts at @off, as much as @cap
 * (and TR_IMA_LOG_CHUNK_MAX) allows; *@next is where the next one starts
 * (@len when this was the last). An empty log is one empty chunk.
 */
int tr_attr_ima_log_encode(const uint8_t *log, size_t len, size_t off,
			   uint8_t *out, size_t cap, size_t *next, char *err,
			   size_t errlen);
int tr_attr_ima_log_decode(const uint8_t *buf, size_t len,
			   struct tr_ima_log_chunk *c, char *err,
			   size_t errlen);

/*
 * The verifier's reassembly of a log from its chunks. The buffer grows
 * with what arrived (doubling, never past the total the chunks claim):
 * a claim of TR_IMA_LOG_MAX alone allocates nothing for bytes not sent.
 */
struct tr_ima_log_rx {
	uint8_t *buf;
	uint32_t total, have;
	uint32_t cap; /* bytes allocated at buf */
	bool started;
};

/*
 * Add the chunk in attribute value @val. Returns 1 when the log is
 * complete (rx->buf, rx->total bytes), 0 when more must come, -1 with
 * the reason (out of order, another total, over TR_IMA_LOG_MAX). After
 * -1 or 1 only tr_ima_log_rx_free is meaningful.
 */
int tr_ima_log_rx_add(struct tr_ima_log_rx *rx, const uint8_t *val, size_t len,
		      char *err, size_t errlen);
void tr_ima_log_rx_free(struct tr_ima_log_rx *rx);

/*
 * Device Name (ours, IMC -> IMV): the enrolled name the router claims,
 * 1..63 bytes of [A-Za-z0-9.-]. A claim only: the NMS takes it when the
 * quote that follows verifies with that device's enrolled AK (a router
 * whose sealed key no longer works cannot authenticate otherwise).
 */
#define TR_ATTR_DEVICE_NAME_MAX TR_DEVICE_NAME_MAX
int tr_attr_device_name_decode(const uint8_t *buf, size_t len, char *name,
			       size_t cap, char *err, size_t errlen);

#endif
