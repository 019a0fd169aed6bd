// SPDX-License-Identifier: GPL-2.0-only
/*
 * EST over HTTPS with libmicrohttpd: routing, bounded request bodies,
 * status codes. The decisions are enroll.c's.
 */
#define _GNU_SOURCE /* malloc_trim */
#include "nms/enroll/est_server.h"

#include "base/fileio.h"
#include "base/log.h"
#include "enroll/est_certs.h"
#include "nms/enroll/crl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#define EST_PREFIX "/.well-known/est/"
#define BODY_MAX 65536 /* a CSR with evidence is about 3 KiB */
#define TRIM_AFTER 32 /* connections closed before the heap is trimmed */

/* Without a limiter of the caller's: 10 lines at once, then 2 a second. */
static struct tr_ratelimit own_limit = TR_RATELIMIT_INIT("nmsd", 10, 2);

/* A connection, from libmicrohttpd's start notice to its close notice. */
struct est_conn {
	struct est_conn *prev, *next; /* newest first */
	struct MHD_Connection *c;
	uint8_t key[17]; /* its source: family, 4 bytes or an IPv6 /64 */
	char peer[INET6_ADDRSTRLEN];
	uint64_t accepted_ms;
	bool requested; /* sent a request: its handshake is done */
	bool evicted; /* shut down by us, its close notice to come */
};

struct nms_est_server {
	struct MHD_Daemon *d;
	struct nms_enroll *e;
	struct nms_est_config cfg;
	/* Touched only by libmicrohttpd's one polling thread. */
	struct est_conn *conns;
	unsigned live; /* in conns and not evicted */
	unsigned closed_since_trim;
	uint64_t last_trim;
	bool stopping; /* closes from now on are ours, not refusals */
	char *key, *cert; /* PEM, must outlive the daemon */
	char *cacerts; /* the /cacerts answer, made once */
	size_t cacerts_len;
};

struct request {
	char *body;
	size_t len;
	bool too_large;
	unsigned status; /* of the answer, for the log */
	char why[160];
	const char *refusal; /* the Trustroute-Refusal header, if any */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void source_of(const struct sockaddr *sa, uint8_t key[17], char *peer,
		      size_t len)
{
	memset(key, 0, 17);
	key[0] = (uint8_t)sa->sa_family;
	snprintf(peer, len, "?");
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;

		memcpy(key + 1, &a->sin_addr, 4);
		inet_ntop(AF_INET, &a->sin_addr, peer, (socklen_t)len);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;

		/* One host has a /64: count it as one source. */
		memcpy(key + 1, &a->sin6_addr, 8);
		inet_ntop(AF_INET6, &a->sin6_addr, peer, (socklen_t)len);
	}
}

/* Refusals by reason, for /metrics: of connections, then of requests by
 * their status. */
TR_COUNTERS(refusals, "per-source-limit", "full", "evicted",
	    "handshake-timeout", "closed-before-request", "bad-request",
	    "forbidden", "not-found", "method", "too-large", "media-type",
	    "unavailable", "other");

const struct tr_counters *nms_est_refusals(void)
{
	return &refusals;
}

static const char *status_label(unsigned status)
{
	switch (status) {
	case MHD_HTTP_BAD_REQUEST:
		return "bad-request";
	case MHD_HTTP_FORBIDDEN:
		return "forbidden";
	case MHD_HTTP_NOT_FOUND:
		return "not-found";
	case MHD_HTTP_METHOD_NOT_ALLOWED:
		return "method";
	case MHD_HTTP_CONTENT_TOO_LARGE:
		return "too-large";
	case MHD_HTTP_UNSUPPORTED_MEDIA_TYPE:
		return "media-type";
	case MHD_HTTP_SERVICE_UNAVAILABLE:
		return "unavailable";
	default:
		return "other";
	}
}

static void refused(struct nms_est_server *s, const char *peer,
		    const char *label, const char *why)
{
	tr_count(&refusals, label);
	tr_log_limited(s->cfg.log_limit, TR_LOG_WARN, "est",
		       "EST from %s refused: %s", peer, why);
}

/* Closed by us: its socket shut down, libmicrohttpd closes it next. */
static void evict(struct nms_est_server *s, struct est_conn *ec,
		  const char *label, const char *why)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(
		ec->c, MHD_CONNECTION_INFO_CONNECTION_FD);

	refused(s, ec->peer, label, why);
	ec->evicted = true;
	s->live--;
	if (i)
		shutdown(i->connect_fd, SHUT_RDWR);
}

/*
 * Connections that did not send a request within handshake_seconds of
 * their accept are shut down: libmicrohttpd's own timeout is one of
 * inactivity, which a client sending a byte now and then never meets.
 */
static void expire(struct nms_est_server *s, uint64_t now)
{
	uint64_t limit = (uint64_t)s->cfg.handshake_seconds * 1000;

	for (struct est_conn *ec = s->conns; ec; ec = ec->next)
		if (!ec->requested && !ec->evicted &&
		    now - ec->accepted_ms >= limit)
			evict(s, ec, "handshake-timeout",
			      "no request in time (TLS handshake timed out or stalled)");
}

/*
 * Every connection, before libmicrohttpd takes it: at most max_per_source
 * from one address, so one attacker cannot fill the table; when full, the
 * oldest connection that has sent no request from the address that holds
 * the most makes room, so a flood of stalled handshakes displaces itself
 * and not the router that just came. With nothing to evict: refused.
 */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr,
				     socklen_t addrlen)
{
	struct nms_est_server *s = cls;
	struct est_conn *victim = NULL;
	unsigned from_it = 0, per_source = s->cfg.max_per_source ?
						   s->cfg.max_per_source :
						   s->cfg.connection_limit;
	uint8_t key[17];
	char peer[INET6_ADDRSTRLEN];

	(void)addrlen;
	source_of(addr, key, peer, sizeof(peer));
	expire(s, now_ms());
	for (struct est_conn *ec = s->conns; ec; ec = ec->next)
		from_it += !ec->evicted && !memcmp(ec->key, key, 17);
	if (from_it >= per_source) {
		refused(s, peer, "per-source-limit",
			"too many connections from this address");
		return MHD_NO;
	}
	if (s->live < s->cfg.connection_limit)
		return MHD_YES;
	/* The oldest of the biggest source's idle ones; O(n^2) over at most
	 * connection_limit entries, only when full. */
	{
		unsigned best = 0;

		for (struct est_conn *ec = s->conns; ec; ec = ec->next) {
			unsigned n = 0;

			if (ec->requested || ec->evicted)
				continue;
			for (struct est_conn *o = s->conns; o; o = o->next)
				n += !o->evicted &&
				     !memcmp(o->key, ec->key, 17);
			if (n >= best) {
				best = n;
				victim = ec;
			}
		}
	}
	if (!victim) {
		refused(s, peer, "full", "the server is full");
		return MHD_NO;
	}
	evict(s, victim, "evicted",
	      "evicted: the server is full and it had sent no request");
	return MHD_YES;
}

static void notify(void *cls, struct MHD_Connection *c, void **socket_context,
		   enum MHD_ConnectionNotificationCode toe)
{
	struct nms_est_server *s = cls;
	struct est_conn *ec = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *i = MHD_get_connection_info(
			c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		ec = calloc(1, sizeof(*ec));
		if (!ec) /* not tracked: counted by libmicrohttpd's limits */
			return;
		ec->c = c;
		ec->accepted_ms = now_ms();
		if (i && i->client_addr)
			source_of(i->client_addr, ec->key, ec->peer,
				  sizeof(ec->peer));
		ec->next = s->conns;
		if (s->conns)
			s->conns->prev = ec;
		s->conns = ec;
		s->live++;
		*socket_context = ec;
		return;
	}
	if (!ec)
		return;
	/* Gone without a request, and not by our hand: say so. */
	if (!ec->requested && !ec->evicted &&
	    !__atomic_load_n(&s->stopping, __ATOMIC_RELAXED))
		refused(s, ec->peer, "closed-before-request",
			"closed before a request (TLS handshake failed, timed out or abandoned)");
	if (!ec->evicted)
		s->live--;
	if (ec->prev)
		ec->prev->next = ec->next;
	else
		s->conns = ec->next;
	if (ec->next)
		ec->next->prev = ec->prev;
	free(ec);
	*socket_context = NULL;
	/* After a burst, give the heap back: freed TLS sessions leave it
	 * fragmented, and glibc keeps what it does not trim. */
	if (++s->closed_since_trim >= TRIM_AFTER &&
	    now_ms() - s->last_trim >= 500) {
		s->closed_since_trim = 0;
		s->last_trim = now_ms();
		malloc_trim(0);
	}
	tr_log_flush(s->cfg.log_limit);
}

static struct est_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

static enum MHD_Result reply(struct MHD_Connection *c, struct request *q,
			     unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	q->status = status;
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (!strncmp(type, "application/pkcs7-mime", 22))
		MHD_add_response_header(r, "Content-Transfer-Encoding",
					"base64");
	/* A failure of the NMS, not of the request: come back later. */
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "5");
	/* A refusal that no retry can change (the name belongs to another
	 * TPM): said apart from the text, for the router to act on. */
	if (q->refusal)
		MHD_add_response_header(r, TR_EST_REFUSAL_HEADER, q->refusal);
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result text(struct MHD_Connection *c, struct request *q,
			    unsigned status, const char *msg)
{
	char buf[600];
	int n = snprintf(buf, sizeof(buf), "%s\n", msg);

	snprintf(q->why, sizeof(q->why), "%.150s", msg);
	return reply(c, q, status, "text/plain; charset=utf-8", buf,
		     n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static unsigned status_of(struct request *q, int rc)
{
	if (rc == NMS_ENROLL_NAME_CONFLICT)
		q->refusal = TR_EST_REFUSAL_NAME_CONFLICT;
	return rc == NMS_ENROLL_REFUSED || rc == NMS_ENROLL_NAME_CONFLICT ?
		       MHD_HTTP_FORBIDDEN :
		       MHD_HTTP_SERVICE_UNAVAILABLE;
}

static bool content_type_is(struct MHD_Connection *c, const char *want)
{
	const char *t = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(want);

	/* Parameters (";charset=...") may follow the media type. */
	return t && !strncasecmp(t, want, n) && (!t[n] || t[n] == ';');
}

static enum MHD_Result credential(struct nms_est_server *s,
				  struct MHD_Connection *c, struct request *q)
{
	struct tr_credential_request req;
	struct tr_credential_reply rep;
	char err[512], *json;
	enum MHD_Result ok;
	int rc;

	if (!content_type_is(c, "application/json"))
		return text(c, q, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    "want application/json");
	if (tr_credential_request_parse(q->body, q->len, &req, err,
					sizeof(err)) < 0)
		return text(c, q, MHD_HTTP_BAD_REQUEST, err);
	rc = nms_enroll_credential(s->e, &req, &rep, err, sizeof(err));
	if (rc)
		return text(c, q, status_of(q, rc), err);
	snprintf(q->why, sizeof(q->why), "challenge for %s", req.device);
	json = tr_credential_reply_json(&rep);
	if (!json)
		return text(c, q, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "out of memory");
	ok = reply(c, q, MHD_HTTP_OK, "application/json", json, strlen(json));
	free(json);
	return ok;
}

static enum MHD_Result simpleenroll(struct nms_est_server *s,
				    struct MHD_Connection *c, struct request *q)
{
	STACK_OF(X509) *sk = NULL;
	X509_REQ *req;
	X509 *cert = NULL;
	char err[512], *b64 = NULL;
	size_t len;
	enum MHD_Result ok;
	int rc;

	if (!content_type_is(c, "application/pkcs10"))
		return text(c, q, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    "want application/pkcs10");
	req = tr_est_csr_decode(q->body, q->len, err, sizeof(err));
	if (!req)
		return text(c, q, MHD_HTTP_BAD_REQUEST, err);
	{
		struct est_conn *ec = conn_of(c);

		/* The peer: the router's endpoint address if it gave none. */
		rc = nms_enroll_csr_from(s->e, req,
					 ec && ec->peer[0] ? ec->peer : NULL,
					 &cert, err, sizeof(err));
	}
	X509_REQ_free(req);
	if (rc)
		return text(c, q, status_of(q, rc), err);
	X509_NAME_oneline(X509_get_subject_name(cert), err, sizeof(err));
	snprintf(q->why, sizeof(q->why), "certificate for %.100s", err);
	sk = sk_X509_new_null();
	if (!sk || !sk_X509_push(sk, cert) ||
	    tr_est_certs_encode(sk, &b64, &len, err, sizeof(err)) < 0) {
		sk_X509_pop_free(sk, X509_free);
		return text(c, q, MHD_HTTP_SERVICE_UNAVAILABLE, err);
	}
	ok = reply(c, q, MHD_HTTP_OK,
		   "application/pkcs7-mime; smime-type=certs-only", b64, len);
	free(b64);
	sk_X509_pop_free(sk, X509_free);
	return ok;
}

/*
 * GET crl (ours, next to RFC 7030's operations): the NMS CA's CRL of
 * every certificate the store says was revoked (nmsctl revoke, the API's
 * revoke), DER as application/pkix-crl (RFC 2585), made at each request
 * by the API's builder, so a revocation is served at once; valid a day.
 * 503 when the store or the CA cannot make it.
 */
static enum MHD_Result crl(struct nms_est_server *s, struct MHD_Connection *c,
			   struct request *q)
{
	uint8_t *der = NULL;
	size_t len;
	char err[256], msg[300];
	enum MHD_Result r;

	if (nms_crl_from_store(s->e->store, s->e->ca,
			       (int64_t)time(NULL) * 1000, 86400, &der, &len,
			       err, sizeof(err)) < 0) {
		snprintf(msg, sizeof(msg), "the CRL cannot be made: %s", err);
		return text(c, q, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
	}
	r = reply(c, q, MHD_HTTP_OK, "application/pkix-crl", (char *)der, len);
	OPENSSL_free(der);
	return r;
}

static enum MHD_Result route(struct nms_est_server *s, struct MHD_Connection *c,
			     struct request *q, const char *op,
			     const char *method)
{
	if (!op)
		return text(c, q, MHD_HTTP_NOT_FOUND, "not an EST path");
	if (q->too_large)
		return text(c, q, MHD_HTTP_CONTENT_TOO_LARGE,
			    "request too large");
	if (!strcmp(op, "cacerts")) {
		if (strcmp(method, MHD_HTTP_METHOD_GET))
			return text(c, q, MHD_HTTP_METHOD_NOT_ALLOWED,
				    "use GET");
		return reply(c, q, MHD_HTTP_OK,
			     "application/pkcs7-mime; smime-type=certs-only",
			     s->cacerts, s->cacerts_len);
	}
	if (!strcmp(op, "crl")) {
		if (strcmp(method, MHD_HTTP_METHOD_GET))
			return text(c, q, MHD_HTTP_METHOD_NOT_ALLOWED,
				    "use GET");
		return crl(s, c, q);
	}
	if (strcmp(op, "tpm-credential") && strcmp(op, "simpleenroll"))
		return text(c, q, MHD_HTTP_NOT_FOUND, "unknown EST operation");
	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return text(c, q, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
	if (!q->body)
		return text(c, q, MHD_HTTP_BAD_REQUEST, "empty request");
	return op[0] == 't' ? credential(s, c, q) : simpleenroll(s, c, q);
}

/*
 * The operator's log: each request, its answer, the NMS's time for it and
 * the peer (bench/enroll reads the 200 lines). Refusals (4xx, 5xx) are
 * rate-limited: anyone can send them.
 */
static void log_request(struct nms_est_server *s, struct MHD_Connection *c,
			struct request *q, const char *op, double ms)
{
	struct est_conn *ec = conn_of(c);
	const char *peer = ec && ec->peer[0] ? ec->peer : "?";

	if (q->status < 400 && strcmp(op, "cacerts") && strcmp(op, "crl"))
		tr_log(TR_LOG_INFO, "est", "%s: %u in %.3f ms from %s%s%s", op,
		       q->status, ms, peer, q->why[0] ? ": " : "", q->why);
	if (q->status < 400)
		return;
	tr_count(&refusals, status_label(q->status));
	tr_log_limited(s->cfg.log_limit, TR_LOG_WARN, "est",
		       "%s: %u in %.3f ms from %s%s%s", op, q->status, ms, peer,
		       q->why[0] ? ": " : "", q->why);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct nms_est_server *s = cls;
	struct request *q = *con_cls;
	struct timespec t0, t1;
	enum MHD_Result ok;
	const char *op;

	(void)version;
	if (!q) {
		struct est_conn *ec = conn_of(c);

		/* Its handshake is done and it asks: from now on only
		 * idleness closes it, and it is not evicted. */
		if (ec && !ec->requested) {
			ec->requested = true;
			MHD_set_connection_option(c,
						  MHD_CONNECTION_OPTION_TIMEOUT,
						  s->cfg.timeout_seconds);
		}
		q = calloc(1, sizeof(*q));
		*con_cls = q;
		return q ? MHD_YES : MHD_NO;
	}
	if (*upload_data_size) {
		/* Bounded: a client cannot make the NMS hold more than
		 * BODY_MAX per connection. */
		if (q->len + *upload_data_size > BODY_MAX) {
			q->too_large = true;
		} else if (!q->too_large) {
			char *nb = realloc(q->body,
					   q->len + *upload_data_size + 1);

			if (!nb)
				return MHD_NO;
			q->body = nb;
			memcpy(q->body + q->len, upload_data,
			       *upload_data_size);
			q->len += *upload_data_size;
			q->body[q->len] = 0;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	op = !strncmp(url, EST_PREFIX, strlen(EST_PREFIX)) ?
		     url + strlen(EST_PREFIX) :
		     NULL;
	ok = route(s, c, q, op, method);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_request(s, c, q, op ? op : "(not EST)",
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode why)
{
	struct request *q = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (q)
		free(q->body);
	free(q);
	*con_cls = NULL;
}

static char *read_pem(const char *dir, const char *name, char *err,
		      size_t errlen)
{
	char path[4096];
	uint8_t *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_file_bounded(path, 1 << 20, &buf, &len) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return (char *)buf;
}

static int make_cacerts(struct nms_est_server *s, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *ca = X509_dup(s->e->ca->cert);
	int rc = -1;

	if (sk && ca && sk_X509_push(sk, ca)) {
		ca = NULL;
		rc = tr_est_certs_encode(sk, &s->cacerts, &s->cacerts_len, err,
					 errlen);
	}
	X509_free(ca);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

struct nms_est_server *nms_est_start(struct nms_enroll *e,
				     const struct nms_est_config *c, char *err,
				     size_t errlen)
{
	struct nms_est_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr *sa = (struct sockaddr *)&a4;
	/* epoll on Linux: select() cannot take a descriptor above 1023,
	 * and PT-TLS connections in the same process push them there.
	 * No MHD_USE_ERROR_LOG: we log each refusal once, with its peer. */
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TLS;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->e = e;
	s->cfg = *c;
	if (!s->cfg.log_limit)
		s->cfg.log_limit = &own_limit;
	if (!s->cfg.handshake_seconds)
		s->cfg.handshake_seconds = 5;
	if (!s->cfg.timeout_seconds)
		s->cfg.timeout_seconds = 10;
	if (inet_pton(AF_INET, c->address, &a4.sin_addr) == 1) {
		a4.sin_port = htons(c->port);
	} else if (inet_pton(AF_INET6, c->address, &a6.sin6_addr) == 1) {
		a6.sin6_port = htons(c->port);
		sa = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "%s: not an IP address", c->address);
		goto fail;
	}
	s->key = read_pem(c->ca_dir, "server.key", err, errlen);
	s->cert = s->key ? read_pem(c->ca_dir, "server.pem", err, errlen) :
			   NULL;
	if (!s->cert || make_cacerts(s, err, errlen) < 0)
		goto fail;
	/*
	 * libmicrohttpd's own limits back ours up: evicted connections still
	 * count there until closed, hence the room above connection_limit.
	 * Its timeout (of inactivity) is the handshake's until a request
	 * came, then the idle one (handle()).
	 */
	s->d = MHD_start_daemon(
		flags, c->port, accept_policy, s, handle, s,
		MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_HTTPS_MEM_KEY, s->key,
		MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_PRIORITIES,
		"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_CONNECTION_LIMIT, s->cfg.connection_limit + 64,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(s->cfg.max_per_source ? s->cfg.max_per_source :
					 s->cfg.connection_limit) +
			16,
		MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.handshake_seconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
		MHD_OPTION_NOTIFY_CONNECTION, notify, s,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s port %u", c->address,
			 c->port);
		goto fail;
	}
	return s;
fail:
	nms_est_stop(s);
	return NULL;
}

unsigned short nms_est_port(const struct nms_est_server *s)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

void nms_est_stop(struct nms_est_server *s)
{
	if (!s)
		return;
	__atomic_store_n(&s->stopping, true, __ATOMIC_RELAXED);
	if (s->d)
		MHD_stop_daemon(s->d);
	/* The server key is secret: do not leave it in freed memory. */
	if (s->key)
		OPENSSL_cleanse(s->key, strlen(s->key));
	free(s->key);
	free(s->cert);
	free(s->cacerts);
	free(s);
}
