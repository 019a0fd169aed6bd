/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A router's side of a TNC session, scripted in-process against the
 * NMS's session (nms/tnc/tnc_server.h tnc_session_*), without sockets
 * or a TPM: the agent's sequence (OS facts and the Device Name, then on
 * the NMS's request a quote by the software AK of soft_tpm.h, the PCR
 * values and the IMA log; in mutual mode the router's assessment of the
 * NMS). Every PT-TLS message the router sends is kept, in order, so
 * that a session can be replayed (fuzz seeds).
 */
#ifndef TR_TEST_TNC_ROUTER_H
#define TR_TEST_TNC_ROUTER_H

#include "nms/tnc/tnc_server.h"
#include "os/facts.h"
#include "tnc/attest_attrs.h"
#include "tnc/pa_msg.h"
#include "tnc/pb_batch.h"
#include "tnc/pb_msg.h"
#include "tnc/pb_stream.h"
#include "tnc/pt_session.h"

struct tnc_router {
	/* what it is */
	const char *device; /* the Device Name it claims; NULL: none */
	const char *sasl_user, *sasl_password; /* for an NMS asking */
	bool mutual;
	unsigned retries; /* CRETRY after the NMS's result, so many times */
	struct os_facts facts;
	const uint8_t *log; /* IMA log; the quoted PCRs are its replay */
	size_t log_len;
	/* what happened */
	uint32_t assessment; /* the NMS's, TR_PA_* */
	uint16_t access;
	bool quoted, closed, nms_assessed;
	unsigned quote_requests; /* the NMS's, each with a nonce: */
	bool nonce_reused; /* one of them had the nonce of the one before */
	struct os_facts nms; /* mutual: what the NMS said of itself */
	uint8_t *sent; /* every message it sent, in order */
	size_t sent_len;
	/* state */
	struct tr_pt_session pt;
	struct tr_pb_stream pb;
	struct tr_quote_request req;
	bool os_sent, quote_asked, evidence_sent, sdata_sent, nms_os;
	uint32_t pa_id;
	uint8_t *in; /* from the NMS, not yet read */
	size_t in_len, in_cap;
};

/* The io to give tnc_session_open: what the NMS sends goes to @r. */
struct tnc_session_io tnc_router_io(struct tnc_router *r);
/* The whole session with @s: 0 once nothing more comes, or -1. */
int tnc_router_run(struct tnc_router *r, struct tnc_session *s, char *err,
		   size_t errlen);
void tnc_router_free(struct tnc_router *r);

#endif
