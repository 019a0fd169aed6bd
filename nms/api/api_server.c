// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API over HTTPS with libmicrohttpd: authentication, bounded bodies,
 * headers, the log. What to answer is api.c's.
 */
#include "nms/api/api_server.h"

#include "base/errmsg.h"
#include "base/fileio.h"
#include "base/log.h"
#include "nms/api/api_auth.h"
#include "nms/store/store_api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define THREADS 4

static struct tr_ratelimit own_limit = TR_RATELIMIT_INIT("nmsd", 10, 2);

/*
 * What a browser may do with our answers: run only our own script and
 * style, connect only back here, never frame them. Router-supplied text
 * reaches the page only through textContent (app.js), and even an
 * injected tag could not run a script of its own under this policy.
 */
#define CSP                                                         \
	"default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self'; connect-src 'self'; base-uri 'none'; "     \
	"form-action 'self'; frame-ancestors 'none'"

struct nms_api_server {
	struct MHD_Daemon *d;
	struct nms_api_config cfg;
	struct nms_store store;
	pthread_mutex_t lock;
	struct api_context ctx;
	X509_STORE *operators; /* NULL: tokens only */
	SSL_CTX *probe_ctx;
	char *key, *cert, *trust; /* PEM, must outlive the daemon */
};

struct request {
	char *body;
	size_t len;
	bool too_large;
	struct api_request q;
};

static void lock(void *arg)
{
	pthread_mutex_lock(&((struct nms_api_server *)arg)->lock);
}

static void unlock(void *arg)
{
	pthread_mutex_unlock(&((struct nms_api_server *)arg)->lock);
}

/* During an action's probe the lock is free: take it to ask the store. */
static int revoked(const char *serial, void *arg)
{
	struct nms_api_server *s = arg;
	int rv;

	lock(s);
	rv = nms_store_cert_revoked(&s->store, serial);
	unlock(s);
	return rv;
}

static enum probe_result probe_now(const struct probe_target *t, char *why,
				   size_t whylen, void *arg)
{
	struct nms_api_server *s = arg;
	struct probe_target pt = *t;

	pt.revoked = revoked;
	pt.arg = s;
	return probe(s->probe_ctx, &pt, s->cfg.policy, s->cfg.probe_timeout_ms,
		     why, whylen);
}

static void peer_of(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = i ? i->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)len);
}

/* The TLS client's certificate chain, checked against the operator CA. */
static enum api_role cert_role(struct nms_api_server *s,
			       struct MHD_Connection *c, char *who,
			       size_t wholen, char *why, size_t whylen)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	const gnutls_datum_t *peers;
	struct nms_blob chain[8];
	unsigned n = 0;

	who[0] = why[0] = 0;
	if (!s->operators || !i || !i->tls_session)
		return API_ROLE_NONE;
	peers = gnutls_certificate_get_peers(i->tls_session, &n);
	if (!peers || !n)
		return API_ROLE_NONE; /* none sent: not a refusal yet */
	if (n > 8)
		n = 8;
	for (unsigned k = 0; k < n; k++)
		chain[k] = (struct nms_blob){ peers[k].data, peers[k].size };
	return api_auth_cert(s->operators, chain, n, who, wholen, why, whylen);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *value)
{
	struct api_request *q = cls;

	(void)kind;
	if (q->n_args == API_MAX_ARGS) {
		q->too_many_args = true;
		return MHD_NO;
	}
	q->args[q->n_args][0] = key;
	q->args[q->n_args][1] = value;
	q->n_args++;
	return MHD_YES;
}

static enum MHD_Result send_response(struct MHD_Connection *c,
				     const struct api_response *r)
{
	struct MHD_Response *m = MHD_create_response_from_buffer(
		r->len, r->body,
		r->is_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (!m)
		return MHD_NO;
	MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->type ? r->type : "text/plain");
	MHD_add_response_header(m, "Content-Security-Policy", CSP);
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(m, "X-Frame-Options", "DENY");
	MHD_add_response_header(m, "Referrer-Policy", "no-referrer");
	/* State changes every second: never cached, never stored. */
	MHD_add_response_header(m, MHD_HTTP_HEADER_CACHE_CONTROL,
				r->is_static ? "no-cache" : "no-store");
	if (r->status == 401)
		MHD_add_response_header(m, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"trustroute\"");
	if (r->allow[0])
		MHD_add_response_header(m, MHD_HTTP_HEADER_ALLOW, r->allow);
	ok = MHD_queue_response(c, r->status, m);
	MHD_destroy_response(m);
	return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct nms_api_server *s = cls;
	struct request *rq = *con_cls;
	struct api_response r;
	char who[128], why[256], peer[INET6_ADDRSTRLEN];
	const char *auth;
	enum api_role role = API_ROLE_NONE;
	enum MHD_Result ok;

	(void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		*con_cls = rq;
		return rq ? MHD_YES : MHD_NO;
	}
	if (*upload_data_size) {
		/* Bounded: nobody makes the NMS hold more than this. */
		if (rq->len + *upload_data_size > API_BODY_MAX) {
			rq->too_large = true;
		} else if (!rq->too_large) {
			char *nb = realloc(rq->body,
					   rq->len + *upload_data_size + 1);

			if (!nb)
				return MHD_NO;
			rq->body = nb;
			memcpy(rq->body + rq->len, upload_data,
			       *upload_data_size);
			rq->len += *upload_data_size;
			rq->body[rq->len] = 0;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	peer_of(c, peer, sizeof(peer));
	/* A token when one is given (a wrong one is a refusal, whatever
	 * certificate came with it), else the client certificate. */
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth) {
		lock(s);
		role = api_auth_bearer(&s->store, auth, who, sizeof(who), why,
				       sizeof(why));
		unlock(s);
	} else {
		role = cert_role(s, c, who, sizeof(who), why, sizeof(why));
	}
	if (role == API_ROLE_NONE && (auth || why[0]))
		tr_log_limited(s->cfg.log_limit, TR_LOG_WARN, "api",
			       "API from %s: credentials refused: %s", peer,
			       why);
	rq->q = (struct api_request){
		.method = method,
		.path = url,
		.role = role,
		.operator= who,
		.content_type = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
		.body = rq->body,
		.body_len = rq->len,
		.body_too_large = rq->too_large,
	};
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &rq->q);
	api_handle(&s->ctx, &rq->q, &r);
	/* Actions are the operator's record; refusals anyone can cause. */
	if (strcmp(method, "GET") && r.status < 400)
		tr_log(TR_LOG_NOTICE, "api", "%s %s by %s: %u", method, url,
		       who, r.status);
	else if (r.status >= 400)
		tr_log_limited(s->cfg.log_limit, TR_LOG_WARN, "api",
			       "API from %s: %s %.100s%s%s: %u", peer, method,
			       url, who[0] ? " by " : "", who, r.status);
	ok = send_response(c, &r);
	api_response_free(&r);
	return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode why)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (rq)
		free(rq->body);
	free(rq);
	*con_cls = NULL;
}

static char *read_text(const char *dir, const char *name, char *err,
		       size_t errlen)
{
	char path[4096];
	uint8_t *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "",
		 name);
	if (read_file_bounded(path, 1 << 20, &buf, &len) < 0) {
		tr_fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return (char *)buf;
}

struct nms_api_server *nms_api_start(const struct nms_api_config *c, char *err,
				     size_t errlen)
{
	struct nms_api_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr *sa = (struct sockaddr *)&a4;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TLS;
	char ca_file[4096];

	if (!s) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *c;
	if (!s->cfg.log_limit)
		s->cfg.log_limit = &own_limit;
	pthread_mutex_init(&s->lock, NULL);
	if (inet_pton(AF_INET, c->address, &a4.sin_addr) == 1) {
		a4.sin_port = htons(c->port);
	} else if (inet_pton(AF_INET6, c->address, &a6.sin6_addr) == 1) {
		a6.sin6_port = htons(c->port);
		sa = (struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		tr_fail(err, errlen, "API: %s: not an IP address", c->address);
		goto fail;
	}
	/* Warmed: an operator's action reroutes like a bad verdict, and its
	 * commit does not wait for the disk either (nms_store_warm). */
	if (nms_store_open(&s->store, c->db, err, errlen) < 0 ||
	    nms_store_warm(&s->store, err, errlen) < 0)
		goto fail;
	snprintf(ca_file, sizeof(ca_file), "%s/ca.pem", c->ca_dir);
	s->probe_ctx = probe_ctx_new(ca_file, err, errlen);
	if (!s->probe_ctx)
		goto fail;
	s->key = read_text(c->ca_dir, "server.key", err, errlen);
	s->cert = s->key ? read_text(c->ca_dir, "server.pem", err, errlen) :
			   NULL;
	if (!s->cert)
		goto fail;
	if (c->operator_ca) {
		s->operators = api_operator_cas(c->operator_ca, err, errlen);
		s->trust = s->operators ? read_text(NULL, c->operator_ca, err,
						    errlen) :
					  NULL;
		if (!s->trust)
			goto fail;
	}
	s->ctx = (struct api_context){
		.store = &s->store,
		.metrics = c->metrics,
		.ca = c->ca,
		.lists_json = c->lists_json,
		.probe = probe_now,
		.probe_arg = s,
		.lock = lock,
		.unlock = unlock,
		.lock_arg = s,
	};
	/*
	 * An operator interface: a few connections, bounded per address,
	 * closed when idle. With the operator CA, clients are asked for a
	 * certificate (optionally: a browser with a token has none).
	 */
	s->d = MHD_start_daemon(
		flags, c->port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS,
		MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_HTTPS_MEM_CERT,
		s->cert, MHD_OPTION_HTTPS_PRIORITIES,
		"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_CONNECTION_LIMIT,
		c->connection_limit ? c->connection_limit : 64u,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		c->max_per_source ? c->max_per_source : 16u,
		MHD_OPTION_CONNECTION_TIMEOUT,
		c->timeout_seconds ? c->timeout_seconds : 10u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		/* last: without an operator CA the list ends here */
		s->trust ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END,
		s->trust, MHD_OPTION_END);
	if (!s->d) {
		tr_fail(err, errlen, "API: cannot listen on %s port %u",
			c->address, c->port);
		goto fail;
	}
	return s;
fail:
	nms_api_stop(s);
	return NULL;
}

unsigned short nms_api_port(const struct nms_api_server *s)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

void nms_api_stop(struct nms_api_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	/* The server key is secret: do not leave it in freed memory. */
	if (s->key)
		OPENSSL_cleanse(s->key, strlen(s->key));
	free(s->key);
	free(s->cert);
	free(s->trust);
	X509_STORE_free(s->operators);
	SSL_CTX_free(s->probe_ctx);
	nms_store_close(&s->store);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
