// SPDX-License-Identifier: GPL-2.0-only
#include "nms/tnc/attest_service.h"

#include "base/counters.h"
#include "base/errmsg.h"
#include "base/fileio.h"
#include "base/log.h"
#include "digest-lists/lib/dl_format.h"
#include "net/net.h"
#include "nms/enroll/ca.h"
#include "nms/route/observe.h"
#include "nms/store/store_api.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"
#include "nms/tnc/tnc_server.h"
#include "os/collect.h"
#include "tnc/pa_attr.h"
#include "tnc/pb_stream.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <tss2/tss2_mu.h>

/* Without a limiter of the caller's: 10 lines at once, then 2 a second. */
static struct tr_ratelimit own_limit = TR_RATELIMIT_INIT("nmsd", 10, 2);

struct attest_service {
	struct attest_service_config cfg;
	struct nms_store store;
	struct dl_reference ref;
	struct dl_refset refs;
	struct dl_list_file bad[ATTEST_MAX_BAD_LISTS];
	struct dl_view bad_view[ATTEST_MAX_BAD_LISTS]; /* what appraisal takes */
	struct imv_attest_policy attest;
	struct os_facts own;
	SSL_CTX *ctx;
	struct tnc_server *tnc;
};

static int ak_of(const char *device, TPM2B_PUBLIC *ak, void *arg)
{
	struct attest_service *s = arg;
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	int64_t id = nms_store_device_id(&s->store, device, NULL, 0);
	size_t off = 0;
	int n;

	if (id <= 0)
		return -1;
	n = nms_store_device_ak(&s->store, id, buf, sizeof(buf));
	memset(ak, 0, sizeof(*ak));
	return n > 0 &&
			       !Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, (size_t)n,
							       &off, ak) &&
			       off == (size_t)n ?
		       0 :
		       -1;
}

static void device_id_of(const char *device, const char *seen, char *out,
			 size_t len, void *arg)
{
	struct attest_service *s = arg;
	int64_t id = nms_store_device_id(&s->store, device, NULL, 0);

	out[0] = 0;
	if (id > 0)
		nms_store_os_device_id(&s->store, id, seen, out, len);
}

static void decided(const struct tnc_session_info *i,
		    const struct nms_verdict *v, void *arg)
{
	static const enum trust_event ev[] = {
		[VERDICT_GOOD] = TRUST_EV_ATTEST_OK,
		[VERDICT_UNKNOWN] = TRUST_EV_ATTEST_UNKNOWN,
		[VERDICT_BAD] = TRUST_EV_ATTEST_FAIL,
	};
	struct attest_service *s = arg;
	int64_t id =
		i->proven ? nms_store_device_id(&s->store, i->device, NULL, 0) :
			    0;
	struct nms_session_imv imvs[2];
	size_t n = 0;
	struct nms_session_row row = { id > 0 ? id : 0,
				       i->peer,
				       i->device,
				       i->started,
				       time(NULL),
				       v,
				       i->mutual,
				       i->attested,
				       imvs,
				       0 };
	char reason[VERDICT_REASON_LEN + 64], err[256];

	if (i->os)
		imvs[n++] = (struct nms_session_imv){ "os", i->os };
	if (i->attestation)
		imvs[n++] = (struct nms_session_imv){ "attestation",
						      i->attestation };
	row.n_imvs = n;
	tr_log(TR_LOG_INFO, "tnc", "session %s from %s: %s%s%s", i->device,
	       i->peer, verdict_name(v->v), v->n ? ": " : "",
	       v->n ? v->reason[0] : "");
	if (nms_store_session_add(&s->store, &row, err, sizeof(err)) < 0)
		tr_log(TR_LOG_ERR, "tnc", "%s", err);
	/* Only a proven router's verdict moves its trust state: anyone can
	 * claim a name, only its TPM can quote with its AK. */
	if (id <= 0) {
		if (i->device[0] && !i->proven)
			tr_log(TR_LOG_WARN, "tnc",
			       "session claiming %s from %s not proven: %s unchanged",
			       i->device, i->peer, i->device);
		return;
	}
	snprintf(reason, sizeof(reason), "attestation: %s%s%s",
		 verdict_name(v->v), v->n ? ": " : "",
		 v->n ? v->reason[0] : "");
	if (nms_observe(&s->store, s->cfg.metrics, i->device, ev[v->v], reason,
			NULL, err, sizeof(err)) < 0)
		tr_log(TR_LOG_ERR, "tnc", "%s: %s", i->device, err);
}

/* Refusals by reason, for /metrics: the reasons the TLS server and the
 * sessions give start with these words. */
TR_COUNTERS(refusals, "revoked", "tls-handshake", "handshake-timeout",
	    "not-tls", "per-source-limit", "full", "evicted", "idle",
	    "session-timeout", "sasl", "protocol", "other");

static const struct {
	const char *prefix, *label;
} refusal_kinds[] = {
	{ "TLS handshake failed", "tls-handshake" },
	{ "TLS handshake timed out", "handshake-timeout" },
	{ "not TLS", "not-tls" },
	{ "too many connections", "per-source-limit" },
	{ "the server is full", "full" },
	{ "evicted", "evicted" },
	{ "idle for too long", "idle" },
	{ "session took too long", "session-timeout" },
	{ "SASL", "sasl" },
	{ "PT-TLS", "protocol" },
	{ "PB-TNC", "protocol" },
	{ "PA-TNC", "protocol" },
};

const char *attest_refusal_kind(const char *why)
{
	/* A revoked certificate fails the handshake: said apart. */
	if (strstr(why, "certificate revoked"))
		return "revoked";
	for (size_t i = 0; i < sizeof(refusal_kinds) / sizeof(refusal_kinds[0]);
	     i++)
		if (!strncmp(why, refusal_kinds[i].prefix,
			     strlen(refusal_kinds[i].prefix)))
			return refusal_kinds[i].label;
	return "other";
}

const struct tr_counters *attest_refusals(void)
{
	return &refusals;
}

/* Every refusal, once, with the peer and the reason; rate-limited, since
 * anyone who can connect can cause them. */
static void refused(const char *peer, const char *why, void *arg)
{
	struct attest_service *s = arg;

	tr_count(&refusals, attest_refusal_kind(why));
	tr_log_limited(s->cfg.log_limit, TR_LOG_WARN, "tnc",
		       "PT-TLS from %s refused: %s", peer, why);
}

static void tick(void *arg)
{
	struct attest_service *s = arg;

	tr_log_flush(s->cfg.log_limit);
}

static const char *assessment_name(uint32_t a)
{
	return a == TR_PA_COMPLIANT	     ? "compliant" :
	       a == TR_PA_NONCOMPLIANT_MINOR ? "non-compliant (minor)" :
	       a == TR_PA_NONCOMPLIANT_MAJOR ? "non-compliant (major)" :
	       a == TR_PA_ASSESSMENT_ERROR   ? "error" :
	       a == TR_PA_DONT_KNOW	     ? "don't know" :
					       "not said";
}

/* Mutual mode: what the router decided about us, for the operator. */
static void nms_assessed(const struct tnc_session_info *i, uint32_t assessment,
			 uint16_t access, void *arg)
{
	(void)arg;
	tr_log(TR_LOG_INFO, "tnc",
	       "mutual: %s from %s assessed this NMS: %s, access %s", i->device,
	       i->peer, assessment_name(assessment),
	       access == TR_PB_ACCESS_ALLOWED	  ? "allowed" :
	       access == TR_PB_ACCESS_DENIED	  ? "denied" :
	       access == TR_PB_ACCESS_QUARANTINED ? "quarantined" :
						    "not said");
}

static int load_bad(struct attest_service *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->cfg.n_bad; i++) {
		char why[256];

		if (dl_list_load(s->cfg.bad_lists[i], &s->bad[i], why,
				 sizeof(why)) < 0)
			return tr_fail(err, errlen, "%s: %s",
				       s->cfg.bad_lists[i], why);
		s->bad_view[i] = s->bad[i].view;
	}
	return 0;
}

/* The SSL_CTX's ex_data slot for its service (set up once). */
static int service_slot = -1;
static pthread_once_t service_slot_once = PTHREAD_ONCE_INIT;

static void make_service_slot(void)
{
	service_slot = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/*
 * A router's certificate that the NMS revoked (a decommissioned router)
 * is refused in the handshake, though it chains to the CA: the store has
 * the last word. A store that cannot say refuses too (fail closed).
 */
static int verify_not_revoked(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
		x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct attest_service *s =
		ssl ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), service_slot) :
		      NULL;
	char serial[80];
	int rv;

	/* Only the router's own certificate: the CA's is in no row. */
	if (!ok || !s || X509_STORE_CTX_get_error_depth(x) != 0)
		return ok;
	nms_cert_serial_hex(X509_STORE_CTX_get_current_cert(x), serial,
			    sizeof(serial));
	rv = nms_store_cert_revoked(&s->store, serial);
	if (!rv)
		return 1;
	X509_STORE_CTX_set_error(x, rv > 0 ? X509_V_ERR_CERT_REVOKED :
					     X509_V_ERR_UNSPECIFIED);
	return 0;
}

static SSL_CTX *server_ctx(const char *dir, char *err, size_t errlen)
{
	char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	snprintf(crt, sizeof(crt), "%s/server.pem", dir);
	snprintf(key, sizeof(key), "%s/server.key", dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		tr_fail(err, errlen, "%s: cannot load the server identity",
			dir);
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Routers present their enrolled certificate; a peer without one
	 * may use SASL; a certificate that does not verify ends it. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_not_revoked);
	/* A router's certificate counts as its sealed key's proof only when
	 * its TPM signed this handshake: no resumed sessions. */
	tr_ssl_ctx_no_resumption(ctx);
	return ctx;
}

struct attest_service *attest_service_new(const struct attest_service_config *c,
					  char *err, size_t errlen)
{
	struct attest_service *s = calloc(1, sizeof(*s));
	struct tnc_server_config tc = { 0 };
	struct utsname u;

	if (!s) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *c;
	if (!s->cfg.log_limit)
		s->cfg.log_limit = &own_limit;
	if (nms_store_open(&s->store, c->db, err, errlen) < 0 ||
	    nms_store_warm(&s->store, err, errlen) < 0)
		goto fail;
	if (dl_reference_load(&s->ref, c->refs->lists, c->refs->n_lists,
			      c->refs->lists_name_dir, err, errlen) < 0 ||
	    dl_refset_init(&s->refs, &s->ref, err, errlen) < 0 ||
	    load_bad(s, err, errlen) < 0)
		goto fail;
	s->attest.refs = &s->refs;
	s->attest.bad = s->bad_view;
	s->attest.n_bad = c->n_bad;
	/* Our kernel: digest lists in the lists PCR, the rest in 10. */
	s->attest.pcrs[10] = 1;
	s->attest.pcrs[c->refs->lists_pcr] = 1;
	uname(&u);
	if (c->mutual &&
	    os_facts_collect("/", u.machine, &s->own, err, errlen) < 0)
		goto fail;
	s->ctx = server_ctx(c->ca_dir, err, errlen);
	pthread_once(&service_slot_once, make_service_slot);
	if (!s->ctx || service_slot < 0 ||
	    !SSL_CTX_set_ex_data(s->ctx, service_slot, s)) {
		if (s->ctx)
			tr_fail(err, errlen, "cannot attach the service");
		goto fail;
	}
	tc.tls = (struct tls_server_config){
		.address = c->address,
		.port = c->port,
		.ctx = s->ctx,
		.max_conns = c->max_sessions,
		.max_per_source = c->max_per_source,
		.max_message = 4u << 20,
		.max_outbuf = 256u << 10,
		.handshake_ms = c->handshake_ms ? c->handshake_ms : 5000,
		.idle_ms = c->idle_ms ? c->idle_ms : 10000,
		.session_ms = c->session_ms ? c->session_ms : 120000
	};
	tc.sasl_user = c->sasl_user;
	tc.sasl_password = c->sasl_password;
	tc.mutual = c->mutual;
	tc.os_policy = &s->cfg.os;
	tc.attest_policy = &s->attest;
	tc.own_facts = &s->own;
	tc.ak_of = ak_of;
	tc.device_id_of = device_id_of;
	tc.decided = decided;
	tc.nms_assessed = nms_assessed;
	tc.refused = refused;
	tc.tick = tick;
	tc.arg = s;
	s->tnc = tnc_server_new(&tc, err, errlen);
	if (!s->tnc)
		goto fail;
	return s;
fail:
	attest_service_free(s);
	return NULL;
}

unsigned short attest_service_port(const struct attest_service *s)
{
	return tnc_server_port(s->tnc);
}

int attest_service_run(struct attest_service *s, volatile sig_atomic_t *stop)
{
	return tnc_server_run(s->tnc, stop);
}

void attest_service_free(struct attest_service *s)
{
	if (!s)
		return;
	tnc_server_free(s->tnc);
	SSL_CTX_free(s->ctx);
	for (size_t i = 0; i < ATTEST_MAX_BAD_LISTS; i++)
		free(s->bad[i].buf);
	dl_reference_free(&s->ref);
	nms_store_close(&s->store);
	free(s);
}
