/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Implicit attestation: a TLS handshake with a router's endpoint, whose
 * key is sealed to the router's good PCR state. If the router ran
 * something unknown, its TPM refuses to sign and the handshake fails.
 *
 *   PROBE_OK          handshake done: certificate from the NMS CA, for
 *                     this device, carrying a key attestation whose key
 *                     has the expected policy
 *   PROBE_FAILED      the handshake started and failed, or resumed an
 *                     earlier session (no fresh signature), or the
 *                     router presented a certificate that does not
 *                     pass: bad
 *   PROBE_NO_ANSWER   no connection (refused, unreachable, timed out),
 *                     or no answer to the handshake in time: offline
 */
#ifndef TR_NMS_PROBER_H
#define TR_NMS_PROBER_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

enum probe_result { PROBE_OK, PROBE_FAILED, PROBE_NO_ANSWER };

struct probe_target {
	const char *device; /* the certificate must name it */
	const char *address; /* IPv4 or IPv6 literal */
	unsigned short port;
	/*
	 * Whether the NMS revoked the certificate with @serial (upper-case
	 * hex): 1 yes, 0 no, -1 cannot say. Anything but 0 fails the probe
	 * (a decommissioned router is refused; fail closed). NULL: not
	 * asked.
	 */
	int (*revoked)(const char *serial, void *arg);
	void *arg;
};

/*
 * A client context trusting only the NMS CA in @ca_file (TLS 1.2+), that
 * never offers a session to resume. NULL with the reason on failure.
 */
SSL_CTX *probe_ctx_new(const char *ca_file, char *err, size_t errlen);

/*
 * Probe @t within @timeout_ms. @policy (32 bytes, or NULL to skip) is the
 * authPolicy the router's key must have. @why gets the reason for
 * anything but PROBE_OK, and a summary for PROBE_OK.
 */
enum probe_result probe(SSL_CTX *ctx, const struct probe_target *t,
			const uint8_t *policy, unsigned timeout_ms, char *why,
			size_t whylen);

const char *probe_result_name(enum probe_result r);

/*
 * How long probes took, by result, since the process started: a
 * histogram with the upper bounds (seconds) probe_buckets[], the last
 * bucket +Inf. Counts are per bucket, not cumulative.
 */
#define PROBE_BUCKETS 12
extern const double probe_buckets[PROBE_BUCKETS];

struct probe_histogram {
	uint64_t bucket[PROBE_BUCKETS + 1];
	uint64_t count;
	uint64_t sum_us;
};

void probe_histogram_get(enum probe_result r, struct probe_histogram *out);

#endif
