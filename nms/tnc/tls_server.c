// SPDX-License-Identifier: GPL-2.0-only
/*
 * Message-stream TLS server: epoll, non-blocking OpenSSL, bounded
 * buffers and deadlines (tls_server.h).
 */
#define _GNU_SOURCE /* accept4, malloc_trim */
#include "nms/tnc/tls_server.h"

#include "base/errmsg.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SHRINK_ABOVE 16384 /* an idle connection keeps no bigger buffer */
#define TRIM_AFTER 32 /* connections freed before the heap is trimmed */
#define SOURCE_BUCKETS 1024

enum conn_state { HANDSHAKE, OPEN };

/* The connections from one address (an IPv6 /64 counts as one). */
struct source {
	struct source *next;
	uint8_t key[17]; /* family, then 4 or 8 bytes */
	unsigned n;
};

struct tls_conn {
	struct tls_server *srv;
	struct tls_conn *prev, *next;
	int fd;
	SSL *ssl; /* made when the peer first says something */
	struct source *src;
	enum conn_state state;
	bool authenticated;
	uint8_t *in, *out;
	size_t in_len, in_cap, out_len, out_off, out_cap;
	uint64_t deadline_handshake, deadline_idle, deadline_session;
	bool want_write, close_after_send, dead;
	void *data;
	char peer[INET6_ADDRSTRLEN + 8];
};

struct tls_server {
	struct tls_server_config cfg;
	struct tls_server_ops ops;
	void *arg;
	int lfd, efd;
	unsigned short port;
	struct tls_conn *conns; /* newest first */
	/*
	 * Freed while events were being handled (an eviction frees another
	 * connection than the one whose event it is, and that one may have
	 * an event further in the same batch): their memory goes after the
	 * batch, and progress() passes over them.
	 */
	struct tls_conn *graveyard;
	struct source *sources[SOURCE_BUCKETS];
	struct tls_server_stats st;
	unsigned freed_since_trim;
	uint64_t next_tick;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void account(struct tls_server *s, long delta)
{
	s->st.buffered = (size_t)((long)s->st.buffered + delta);
	if (s->st.buffered > s->st.buffered_peak)
		s->st.buffered_peak = s->st.buffered;
}

/* Grow @buf (capacity *@cap) to hold @need bytes, up to @max. */
static int reserve(struct tls_server *s, uint8_t **buf, size_t *cap,
		   size_t need, size_t max)
{
	size_t n = *cap ? *cap : 4096;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -1;
	while (n < need)
		n *= 2;
	if (n > max)
		n = max;
	p = realloc(*buf, n);
	if (!p)
		return -1;
	account(s, (long)(n - *cap));
	*buf = p;
	*cap = n;
	return 0;
}

static void release(struct tls_server *s, uint8_t **buf, size_t *cap)
{
	account(s, -(long)*cap);
	free(*buf);
	*buf = NULL;
	*cap = 0;
}

static void source_key(const struct sockaddr_storage *ss, uint8_t key[17])
{
	memset(key, 0, 17);
	key[0] = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		/* One host has a /64: one address per connection otherwise. */
		memcpy(key + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		       8);
}

static struct source **source_slot(struct tls_server *s, const uint8_t *key)
{
	unsigned h = 2166136261u;
	struct source **p;

	for (int i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	for (p = &s->sources[h % SOURCE_BUCKETS]; *p; p = &(*p)->next)
		if (!memcmp((*p)->key, key, 17))
			break;
	return p;
}

static void source_put(struct tls_server *s, struct source *src)
{
	struct source **p;

	if (--src->n)
		return;
	p = source_slot(s, src->key);
	*p = src->next;
	free(src);
}

static void report(struct tls_server *s, const char *peer, const char *why)
{
	if (s->ops.refused)
		s->ops.refused(peer, why, s->arg);
}

static void conn_free(struct tls_conn *c, const char *why)
{
	struct tls_server *s = c->srv;

	if (c->state == OPEN && s->ops.closed)
		s->ops.closed(c, why, s->arg);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	epoll_ctl(s->efd, EPOLL_CTL_DEL, c->fd, NULL);
	SSL_free(c->ssl);
	close(c->fd);
	release(s, &c->in, &c->in_cap);
	release(s, &c->out, &c->out_cap);
	if (c->src)
		source_put(s, c->src);
	s->st.open--;
	s->freed_since_trim++;
	c->dead = true;
	c->ssl = NULL;
	c->next = s->graveyard;
	s->graveyard = c;
}

static void bury(struct tls_server *s)
{
	while (s->graveyard) {
		struct tls_conn *c = s->graveyard;

		s->graveyard = c->next;
		free(c);
	}
}

/* Closed for cause: reported once, then freed. */
static void conn_refuse(struct tls_conn *c, const char *why)
{
	report(c->srv, c->peer, why);
	conn_free(c, why);
}

static void set_interest(struct tls_conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	if (c->want_write || c->out_len > c->out_off)
		ev.events |= EPOLLOUT;
	epoll_ctl(c->srv->efd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* 0: go on; -1: the connection failed. */
static int flush(struct tls_conn *c)
{
	while (c->out_off < c->out_len) {
		int n = SSL_write(c->ssl, c->out + c->out_off,
				  (int)(c->out_len - c->out_off));

		if (n <= 0) {
			int e = SSL_get_error(c->ssl, n);

			if (e == SSL_ERROR_WANT_WRITE ||
			    e == SSL_ERROR_WANT_READ) {
				c->want_write = e == SSL_ERROR_WANT_WRITE;
				return 0;
			}
			return -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	c->want_write = false;
	if (c->out_cap > SHRINK_ABOVE)
		release(c->srv, &c->out, &c->out_cap);
	return 0;
}

int tls_conn_send(struct tls_conn *c, const uint8_t *buf, size_t len)
{
	struct tls_server *s = c->srv;

	/* A peer that does not read its answers is not buffered for. */
	if (c->out_len + len > s->cfg.max_outbuf ||
	    reserve(s, &c->out, &c->out_cap, c->out_len + len,
		    s->cfg.max_outbuf) < 0)
		return -1;
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	return 0;
}

void tls_conn_close_after_send(struct tls_conn *c)
{
	c->close_after_send = true;
}

void tls_conn_set_data(struct tls_conn *c, void *data)
{
	c->data = data;
}

void *tls_conn_data(const struct tls_conn *c)
{
	return c->data;
}

SSL *tls_conn_ssl(const struct tls_conn *c)
{
	return c->ssl;
}

const char *tls_conn_peer(const struct tls_conn *c)
{
	return c->peer;
}

void tls_conn_set_authenticated(struct tls_conn *c)
{
	c->authenticated = true;
}

/* Hand every complete message in the input buffer on. */
static const char *deliver(struct tls_conn *c)
{
	struct tls_server *s = c->srv;

	while (c->in_len) {
		long n = s->ops.frame(c->in, c->in_len, s->cfg.max_message,
				      s->arg);

		if (n < 0)
			return "malformed stream";
		if (n == 0) {
			if (c->in_len >= s->cfg.max_message)
				return "message too large";
			return NULL;
		}
		if ((size_t)n > c->in_len)
			return "framing error";
		if (s->ops.message(c, c->in, (size_t)n, s->arg) < 0)
			return "closed by the session";
		memmove(c->in, c->in + n, c->in_len - (size_t)n);
		c->in_len -= (size_t)n;
		c->deadline_idle = now_ms() + s->cfg.idle_ms;
	}
	if (c->in_cap > SHRINK_ABOVE)
		release(s, &c->in, &c->in_cap);
	return NULL;
}

/* Read what TLS has; NULL to go on, or why the connection ends. */
static const char *receive(struct tls_conn *c)
{
	struct tls_server *s = c->srv;
	const char *why;

	for (;;) {
		int n, e;

		/* Room for at most one message more than we hold. */
		if (reserve(s, &c->in, &c->in_cap, c->in_len + 1,
			    s->cfg.max_message) < 0)
			return "message too large";
		n = SSL_read(c->ssl, c->in + c->in_len,
			     (int)(c->in_cap - c->in_len));
		if (n > 0) {
			c->in_len += (size_t)n;
			why = deliver(c);
			if (why)
				return why;
			continue;
		}
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_READ)
			return NULL;
		if (e == SSL_ERROR_WANT_WRITE) {
			c->want_write = true;
			return NULL;
		}
		return e == SSL_ERROR_ZERO_RETURN ? "closed by the peer" :
						    "TLS error";
	}
}

/*
 * The TLS object, once the peer has said something and it is the start
 * of a TLS handshake (a record of type 22). Until then a connection costs
 * no OpenSSL memory (about 40 KB for a handshake in progress), so a flood
 * of stalled connections costs little; garbage never reaches OpenSSL.
 * 1: go on with the handshake; 0: wait; -1: freed.
 */
static int start_tls(struct tls_conn *c)
{
	struct tls_server *s = c->srv;
	uint8_t first;
	ssize_t n = recv(c->fd, &first, 1, MSG_PEEK);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		conn_free(c, "closed by the peer");
		return -1;
	}
	if (first != 22) {
		s->st.not_tls++;
		s->st.errors++;
		conn_refuse(c, "not TLS");
		return -1;
	}
	c->ssl = SSL_new(s->cfg.ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd)) {
		s->st.errors++;
		conn_refuse(c, "out of memory");
		return -1;
	}
	return 1;
}

static void progress(struct tls_conn *c)
{
	struct tls_server *s = c->srv;
	const char *why = NULL;
	char buf[160];

	if (c->dead)
		return;
	if (c->state == HANDSHAKE) {
		int n, e;

		if (!c->ssl && start_tls(c) <= 0)
			return;
		n = SSL_accept(c->ssl);
		if (n != 1) {
			unsigned long code;
			long v;

			e = SSL_get_error(c->ssl, n);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				c->want_write = e == SSL_ERROR_WANT_WRITE;
				set_interest(c);
				return;
			}
			s->st.errors++;
			code = ERR_peek_error();
			v = SSL_get_verify_result(c->ssl);
			/* Which certificate check failed (revoked, expired,
			 * unknown CA), not only that one did. */
			snprintf(buf, sizeof(buf),
				 "TLS handshake failed%s%s%s%s%s",
				 code ? ": " : "",
				 code && ERR_reason_error_string(code) ?
					 ERR_reason_error_string(code) :
					 "",
				 v != X509_V_OK ? " (" : "",
				 v != X509_V_OK ?
					 X509_verify_cert_error_string(v) :
					 "",
				 v != X509_V_OK ? ")" : "");
			ERR_clear_error();
			conn_refuse(c, buf);
			return;
		}
		c->state = OPEN;
		c->want_write = false;
		c->deadline_idle = now_ms() + s->cfg.idle_ms;
		c->deadline_session = now_ms() + s->cfg.session_ms;
		s->st.sessions++;
		if (s->ops.opened && s->ops.opened(c, s->arg) < 0) {
			/* (the session says why) */
			conn_free(c, "refused by the session");
			return;
		}
	}
	if (flush(c) < 0)
		why = "TLS error";
	if (!why && !c->close_after_send)
		why = receive(c);
	if (!why && flush(c) < 0)
		why = "TLS error";
	if (!why && c->close_after_send && c->out_len == 0) {
		SSL_shutdown(c->ssl);
		why = "session done";
	}
	if (why) {
		bool normal = !strcmp(why, "session done") ||
			      !strcmp(why, "closed by the peer");

		if (!normal)
			s->st.errors++;
		ERR_clear_error();
		/* The session reported its own reasons already. */
		if (normal || !strcmp(why, "closed by the session"))
			conn_free(c, why);
		else
			conn_refuse(c, why);
		return;
	}
	set_interest(c);
}

/*
 * Room for one more: the oldest connection not authenticated yet from
 * the address that holds the most (in its handshake before one past
 * it), evicted. 0, or -1 when every connection is authenticated.
 */
static int evict(struct tls_server *s)
{
	struct tls_conn *victim = NULL;

	/* Newest first: ">=" ends on the oldest of the best. */
	for (struct tls_conn *c = s->conns; c; c = c->next) {
		if (c->authenticated)
			continue;
		if (!victim || c->src->n > victim->src->n ||
		    (c->src->n == victim->src->n &&
		     (c->state == HANDSHAKE || victim->state != HANDSHAKE)))
			victim = c;
	}
	if (!victim)
		return -1;
	s->st.evicted++;
	conn_refuse(
		victim,
		victim->state == HANDSHAKE ?
			"evicted: the server is full and its handshake was not done" :
			"evicted: the server is full and it was not authenticated");
	return 0;
}

static void peer_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  out, (socklen_t)len);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, out,
			  (socklen_t)len);
	else
		snprintf(out, len, "?");
}

static void accept_all(struct tls_server *s)
{
	unsigned per_source = s->cfg.max_per_source ? s->cfg.max_per_source :
						      s->cfg.max_conns;

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct epoll_event ev = { .events = EPOLLIN };
		struct tls_conn *c;
		struct source **slot, *src;
		uint8_t key[17];
		char peer[INET6_ADDRSTRLEN + 8];
		int fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		/* PT-TLS is request and answer: no Nagle delay (40 ms a
		 * round trip against a delayed ACK). */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
			   sizeof(int));
		s->st.accepted++;
		peer_text(&ss, peer, sizeof(peer));
		source_key(&ss, key);
		slot = source_slot(s, key);
		/* One address cannot take the table: its excess is closed
		 * at once, so a flood costs no state. */
		if (*slot && (*slot)->n >= per_source) {
			s->st.refused_source++;
			close(fd);
			report(s, peer,
			       "too many connections from this address");
			continue;
		}
		if (s->st.open >= s->cfg.max_conns && evict(s) < 0) {
			s->st.refused_full++;
			close(fd);
			report(s, peer, "the server is full");
			continue;
		}
		slot = source_slot(s, key); /* evict() may have freed it */
		c = calloc(1, sizeof(*c));
		src = *slot ? *slot : calloc(1, sizeof(*src));
		if (!c || !src) {
			free(c);
			if (src && !*slot)
				free(src);
			close(fd);
			report(s, peer, "out of memory");
			continue;
		}
		if (!*slot) {
			memcpy(src->key, key, sizeof(key));
			*slot = src;
		}
		src->n++;
		c->src = src;
		c->srv = s;
		c->fd = fd;
		memcpy(c->peer, peer, sizeof(peer));
		c->deadline_handshake = now_ms() + s->cfg.handshake_ms;
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		if (++s->st.open > s->st.peak)
			s->st.peak = s->st.open;
		ev.data.ptr = c;
		epoll_ctl(s->efd, EPOLL_CTL_ADD, fd, &ev);
		progress(c);
	}
}

/* Close connections past a deadline; the time to the next one. */
static int expire(struct tls_server *s)
{
	uint64_t t = now_ms(), next = t + 1000;

	for (struct tls_conn *c = s->conns, *n; c; c = n) {
		uint64_t d = c->state == HANDSHAKE ? c->deadline_handshake :
			     c->deadline_idle < c->deadline_session ?
						     c->deadline_idle :
						     c->deadline_session;

		n = c->next;
		if (d <= t) {
			s->st.timeouts++;
			conn_refuse(c, c->state == HANDSHAKE ?
					       "TLS handshake timed out" :
				       c->deadline_idle <= t ?
					       "idle for too long" :
					       "session took too long");
		} else if (d < next) {
			next = d;
		}
	}
	return (int)(next - t);
}

int tls_server_run(struct tls_server *s, volatile sig_atomic_t *stop)
{
	struct epoll_event ev[64];

	while (!*stop) {
		int n = epoll_wait(s->efd, ev, 64, expire(s));
		uint64_t t = now_ms();

		if (t >= s->next_tick) {
			s->next_tick = t + 500;
			/* After a burst, give the heap back: freed
			 * connections leave it fragmented, and glibc keeps
			 * what it does not trim (+44 MB after 1 024 stalled
			 * handshakes, never returned). */
			if (s->freed_since_trim >= TRIM_AFTER) {
				s->freed_since_trim = 0;
				s->st.trims++;
				malloc_trim(0);
			}
			if (s->ops.tick)
				s->ops.tick(s->arg);
		}

		if (n < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < n; i++) {
			if (!ev[i].data.ptr)
				accept_all(s);
			else
				progress(ev[i].data.ptr);
		}
		bury(s);
	}
	return 0;
}

struct tls_server *tls_server_new(const struct tls_server_config *cfg,
				  const struct tls_server_ops *ops, void *arg,
				  char *err, size_t errlen)
{
	struct tls_server *s = calloc(1, sizeof(*s));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (!s) {
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->ops = *ops;
	s->arg = arg;
	s->efd = -1;
	SSL_CTX_set_mode(cfg->ctx, SSL_MODE_RELEASE_BUFFERS |
					   SSL_MODE_ENABLE_PARTIAL_WRITE |
					   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	s->lfd = tr_listen(cfg->address, cfg->port, 1024, true, &s->port, err,
			   errlen);
	if (s->lfd < 0)
		goto fail;
	s->efd = epoll_create1(EPOLL_CLOEXEC);
	if (s->efd < 0 || epoll_ctl(s->efd, EPOLL_CTL_ADD, s->lfd, &ev)) {
		tr_fail(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	tls_server_free(s);
	return NULL;
}

unsigned short tls_server_port(const struct tls_server *s)
{
	return s->port;
}

void tls_server_stats(const struct tls_server *s, struct tls_server_stats *st)
{
	*st = s->st;
}

void tls_server_free(struct tls_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_free(s->conns, "server stopping");
	bury(s);
	/* (no sources are left: each went with its last connection) */
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->efd >= 0)
		close(s->efd);
	free(s);
}
