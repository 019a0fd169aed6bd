/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The router's TNC client: a PT-TLS session to the NMS, authenticated
 * with the enrolled certificate and sealed key, carrying the IMC's
 * evidence: OS facts (IETF attributes), and on the NMS's request a quote
 * of the asked PCRs over its nonce by the AK (ak.tss), their values and
 * the IMA log (attest_attrs.h). In mutual mode the router then assesses
 * the NMS's OS facts in the reverse connection.
 */
#ifndef TR_AGENT_TNC_CLIENT_H
#define TR_AGENT_TNC_CLIENT_H

#include "os/facts.h"
#include "tpm/quote.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tnc_client_config {
	const char *state_dir; /* tls.key, tls.crt, ak.tss */
	const char *nms_address; /* IP literal */
	unsigned short nms_port;
	const char *nms_name; /* the name the NMS's certificate must carry */
	const char *nms_ca;
	const char *tcti; /* NULL: tr_tpm_open's default */
	const char *ima_log; /* binary_runtime_measurements */
	const char *os_root; /* "/" */
	bool mutual;
	/*
	 * Authenticate TLS with the sealed key too (falls back to the quote
	 * alone when the key refuses). Off by default: the quote proves who
	 * we are, and without a resource manager (/dev/tpmrm0) a TPM's few
	 * object slots may already hold the key for the endpoint.
	 */
	bool use_key;
	/* SASL PLAIN credentials, for an NMS that asks for them. */
	const char *sasl_user, *sasl_password;
	unsigned timeout_ms;
	/*
	 * For simulated routers (tests/tools/fleet): a quote made by @quote
	 * instead of the TPM (no ak.tss, no TCTI), the IMA log from
	 * @ima_log_buf instead of the file, and the OS facts @os instead of
	 * collecting them. NULL: the real ones.
	 */
	int (*quote)(void *arg, const unsigned char selected[TR_PCRS],
		     const TPM2B_DATA *nonce, struct tr_quote *q, char *err,
		     size_t errlen);
	void *quote_arg;
	const uint8_t *ima_log_buf;
	size_t ima_log_len;
	const struct os_facts *os;
	const char *device; /* the name claimed, instead of tls.crt's */
};

struct tnc_client_result {
	uint32_t assessment; /* enum tr_pa_assessment, as the NMS said */
	uint16_t access; /* enum tr_pb_access */
	bool quoted; /* the NMS asked for a quote and got one */
	bool without_key; /* the sealed key refused: no certificate sent */
	char key_error[256]; /* why */
	bool mutual;
	bool nms_assessed; /* mutual: we assessed the NMS */
	struct os_facts nms_os; /* what it told us */
	unsigned batches;
};

/* One session; 0 with the NMS's recommendation, or -1 with the reason. */
int tnc_client_run(const struct tnc_client_config *c,
		   struct tnc_client_result *r, char *err, size_t errlen);

const char *tnc_access_name(uint16_t access);

#endif
