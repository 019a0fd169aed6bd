// SPDX-License-Identifier: GPL-2.0-only
/*
 * EST over HTTPS with libmicrohttpd: routing, bounded request bodies,
 * status codes. The decisions are enroll.c's.
 */
#include "nms/enroll/est_server.h"

#include "enroll/est_certs.h"
#include "base/fileio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define EST_PREFIX "/.well-known/est/"
#define BODY_MAX 65536 /* a CSR with evidence is about 3 KiB */

struct nms_est_server {
	struct MHD_Daemon *d;
	struct nms_enroll *e;
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
};

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

static unsigned status_of(int rc)
{
	return rc == NMS_ENROLL_REFUSED ? MHD_HTTP_FORBIDDEN :
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
		return text(c, q, status_of(rc), err);
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
	rc = nms_enroll_csr(s->e, req, &cert, err, sizeof(err));
	X509_REQ_free(req);
	if (rc)
		return text(c, q, status_of(rc), err);
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
	if (strncmp(url, EST_PREFIX, strlen(EST_PREFIX)))
		return text(c, q, MHD_HTTP_NOT_FOUND, "not an EST path");
	op = url + strlen(EST_PREFIX);
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
	if (strcmp(op, "tpm-credential") && strcmp(op, "simpleenroll"))
		return text(c, q, MHD_HTTP_NOT_FOUND, "unknown EST operation");
	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return text(c, q, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
	if (!q->body)
		return text(c, q, MHD_HTTP_BAD_REQUEST, "empty request");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = op[0] == 't' ? credential(s, c, q) : simpleenroll(s, c, q);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The operator's log: each enrollment step, its answer and the
	 * NMS's time for it (bench/enroll reads these lines). */
	fprintf(stderr, "nmsd: %s: %u in %.3f ms%s%s\n", op, q->status,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		q->why[0] ? ": " : "", q->why);
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
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS |
			 MHD_USE_ERROR_LOG;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->e = e;
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
	s->d = MHD_start_daemon(
		flags, c->port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, sa,
		MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_HTTPS_MEM_CERT,
		s->cert, MHD_OPTION_HTTPS_PRIORITIES,
		"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_CONNECTION_LIMIT, c->connection_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, c->timeout_seconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
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
