// SPDX-License-Identifier: GPL-2.0-only
/*
 * The message-stream TLS server with an echo service (4-byte length
 * prefix): messages in order; a message over the limit, a malformed
 * stream and a client past its handshake deadline are closed; when
 * full, a newcomer evicts the oldest connection still in its handshake,
 * from the address holding the most, and nothing authenticated; one
 * address cannot take more than its share; bytes that are no TLS never
 * reach OpenSSL; every refusal is reported once with its reason; and
 * 1 000 concurrent clients, well-behaved, garbage and slow, leave it
 * serving in bounded memory.
 */
#include "nms/enroll/ca.h"
#include "test_dir.h"
#include "nms/tnc/tls_server.h"
#include "tr_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG 1024

static struct test_dir dir;
static SSL_CTX *server_ctx;
static char ca_file[512];

static long frame(const uint8_t *buf, size_t len, size_t max, void *arg)
{
	uint32_t n;

	(void)arg;
	if (len < 4)
		return 0;
	n = (uint32_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
	if (n < 4 || n > max)
		return -1;
	return len < n ? 0 : (long)n;
}

static int echo(struct tls_conn *c, const uint8_t *msg, size_t len, void *arg)
{
	(void)arg;
	/* "bye" ends the session once the answer is out. */
	if (len == 7 && !memcmp(msg + 4, "bye", 3))
		tls_conn_close_after_send(c);
	return tls_conn_send(c, msg, len);
}

struct server {
	struct tls_server *s;
	pthread_t th;
	volatile sig_atomic_t stop;
};

static void *serve(void *arg)
{
	struct server *sv = arg;

	tls_server_run(sv->s, &sv->stop);
	return NULL;
}

static char reasons[4096];

/* Every refusal, "peer why;" */
static void refused(const char *peer, const char *why, void *arg)
{
	size_t n = strlen(reasons);

	(void)arg;
	snprintf(reasons + n, sizeof(reasons) - n, "%s %s;", peer, why);
}

static unsigned short start_src(struct server *sv, unsigned max_conns,
				unsigned per_source, unsigned handshake_ms);

static unsigned short start(struct server *sv, unsigned max_conns,
			    unsigned handshake_ms)
{
	return start_src(sv, max_conns, 0, handshake_ms);
}

static unsigned short start_src(struct server *sv, unsigned max_conns,
				unsigned per_source, unsigned handshake_ms)
{
	struct tls_server_config c = { .address = "127.0.0.1",
				       .ctx = server_ctx,
				       .max_conns = max_conns,
				       .max_per_source = per_source,
				       .max_message = MAX_MSG,
				       .max_outbuf = 4 * MAX_MSG,
				       .handshake_ms = handshake_ms,
				       .idle_ms = 5000,
				       .session_ms = 20000 };
	struct tls_server_ops ops = { .frame = frame,
				      .message = echo,
				      .refused = refused };
	char err[256];

	memset(sv, 0, sizeof(*sv));
	reasons[0] = 0;
	sv->s = tls_server_new(&c, &ops, NULL, err, sizeof(err));
	if (!sv->s)
		fail_msg("%s", err);
	assert_int_equal(pthread_create(&sv->th, NULL, serve, sv), 0);
	return tls_server_port(sv->s);
}

static void stop(struct server *sv, struct tls_server_stats *st)
{
	sv->stop = 1;
	pthread_join(sv->th, NULL);
	if (st)
		tls_server_stats(sv->s, st);
	tls_server_free(sv->s);
}

static int setup(void **state)
{
	char path[512], err[256];

	(void)state;
	if (test_dir_make(&dir, "trustroute-tls-server") < 0)
		return -1;
	test_dir_path(&dir, path, sizeof(path), "ca");
	if (test_dir_sh(&dir, "mkdir %s", path) ||
	    nms_ca_create(path, "test CA", "127.0.0.1", 1, err, sizeof(err)))
		return -1;
	test_dir_path(&dir, ca_file, sizeof(ca_file), "ca/ca.pem");
	server_ctx = SSL_CTX_new(TLS_server_method());
	test_dir_path(&dir, path, sizeof(path), "ca/server.pem");
	if (!server_ctx ||
	    SSL_CTX_use_certificate_chain_file(server_ctx, path) != 1)
		return -1;
	test_dir_path(&dir, path, sizeof(path), "ca/server.key");
	return SSL_CTX_use_PrivateKey_file(server_ctx, path,
					   SSL_FILETYPE_PEM) == 1 ?
		       0 :
		       -1;
}

static int teardown(void **state)
{
	(void)state;
	SSL_CTX_free(server_ctx);
	return test_dir_remove(&dir);
}

/* A TCP connection from @src (a loopback address) to the server. */
static int tcp_from(const char *src, unsigned short port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	struct sockaddr_in b = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	inet_pton(AF_INET, src, &b.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&b, sizeof(b)) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		fail_msg("connect: %m");
	return fd;
}

static int tcp(unsigned short port)
{
	return tcp_from("127.0.0.1", port);
}

/* A TLS client that checks the server against the test CA. */
static SSL *tls(unsigned short port, SSL_CTX **ctx)
{
	SSL *ssl;

	*ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_load_verify_locations(*ctx, ca_file, NULL);
	SSL_CTX_set_verify(*ctx, SSL_VERIFY_PEER, NULL);
	ssl = SSL_new(*ctx);
	SSL_set_fd(ssl, tcp(port));
	SSL_set1_host(ssl, "127.0.0.1");
	if (SSL_connect(ssl) != 1)
		fail_msg("TLS handshake failed");
	return ssl;
}

static void tls_close(SSL *ssl, SSL_CTX *ctx)
{
	int fd = SSL_get_fd(ssl);

	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
}

/* Send "len prefix + body"; the echo must come back. */
static int round_trip(SSL *ssl, const char *body)
{
	uint8_t msg[MAX_MSG], back[MAX_MSG];
	size_t n = 4 + strlen(body);
	int got = 0, r;

	msg[0] = msg[1] = 0;
	msg[2] = (uint8_t)(n >> 8);
	msg[3] = (uint8_t)n;
	memcpy(msg + 4, body, strlen(body));
	if (SSL_write(ssl, msg, (int)n) != (int)n)
		return -1;
	while (got < (int)n) {
		r = SSL_read(ssl, back + got, (int)n - got);
		if (r <= 0)
			return -1;
		got += r;
	}
	return memcmp(msg, back, n) ? -1 : 0;
}

static void test_echo_and_limits(void **state)
{
	struct server sv;
	struct tls_server_stats st;
	unsigned short port = start(&sv, 16, 2000);
	uint8_t big[8] = { 0, 0, 0x10, 0 }; /* claims 4096 bytes */
	SSL_CTX *ctx;
	SSL *ssl;
	char c;

	(void)state;
	ssl = tls(port, &ctx);
	assert_int_equal(round_trip(ssl, "one"), 0);
	assert_int_equal(round_trip(ssl, "two"), 0);
	assert_int_equal(round_trip(ssl, "bye"), 0);
	/* Closed by the server once "bye" was answered. */
	assert_true(SSL_read(ssl, &c, 1) <= 0);
	tls_close(ssl, ctx);

	/* A message over the limit closes the connection. */
	ssl = tls(port, &ctx);
	assert_int_equal(SSL_write(ssl, big, 8), 8);
	assert_true(SSL_read(ssl, &c, 1) <= 0);
	tls_close(ssl, ctx);
	stop(&sv, &st);
	assert_int_equal(st.sessions, 2);
	assert_int_equal(st.open, 0);
	assert_int_equal(st.buffered, 0);
}

static void pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

/* Wait until the server closed @fd (read gives 0 or an error). */
static bool closed_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char x;

	return poll(&p, 1, ms) == 1 && read(fd, &x, 1) <= 0;
}

static void test_handshake_deadline_and_full(void **state)
{
	struct server sv;
	struct tls_server_stats st;
	unsigned short port = start_src(&sv, 2, 4, 300);
	int a = tcp(port), b, c;

	(void)state;
	pause_ms(20);
	b = tcp(port);
	pause_ms(20);
	/* Full: the third evicts the oldest handshake (a), at once. */
	c = tcp(port);
	assert_true(closed_within(a, 200));
	/* The others never speak TLS: closed after the deadline. */
	assert_true(closed_within(b, 2000));
	assert_true(closed_within(c, 2000));
	close(a);
	close(b);
	close(c);
	stop(&sv, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.refused_full, 0);
	assert_int_equal(st.timeouts, 2);
	assert_int_equal(st.sessions, 0);
	assert_non_null(strstr(
		reasons,
		"127.0.0.1 evicted: the server is full and its handshake was not done;"));
	assert_non_null(strstr(reasons, "127.0.0.1 TLS handshake timed out;"));
}

/*
 * A flood from one address: it gets its share and no more; when the
 * table is full, newcomers from elsewhere evict the flood's stalled
 * handshakes (the biggest source's, oldest first), never a session that
 * authenticated; a good client still gets its echo.
 */
static void test_per_source_and_eviction(void **state)
{
	enum { FLOOD = 12 };
	struct server sv;
	struct tls_server_stats st;
	unsigned short port = start_src(&sv, 8, 6, 5000);
	int fl[FLOOD], other[2];
	unsigned closed = 0;
	SSL_CTX *ctx;
	SSL *ssl;

	(void)state;
	for (int i = 0; i < FLOOD; i++)
		fl[i] = tcp_from("127.0.0.2", port);
	/* 6 held, 6 refused at once. */
	for (int i = 0; i < FLOOD; i++)
		closed += closed_within(fl[i], 100);
	assert_int_equal(closed, 6);
	other[0] = tcp_from("127.0.0.3", port);
	other[1] = tcp_from("127.0.0.3", port);
	pause_ms(50);
	/* Full (8): the good client evicts one of 127.0.0.2's. */
	ssl = tls(port, &ctx);
	assert_int_equal(round_trip(ssl, "under attack"), 0);
	tls_close(ssl, ctx);
	assert_false(closed_within(other[0], 50));
	assert_false(closed_within(other[1], 50));
	for (int i = 0; i < FLOOD; i++)
		close(fl[i]);
	close(other[0]);
	close(other[1]);
	stop(&sv, &st);
	assert_int_equal(st.refused_source, 6);
	assert_int_equal(st.evicted, 1);
	assert_non_null(strstr(
		reasons, "127.0.0.2 too many connections from this address;"));
	assert_non_null(strstr(reasons, "127.0.0.2 evicted"));
	assert_null(strstr(reasons, "127.0.0.3 evicted"));
}

/* Bytes that are no TLS record are refused before OpenSSL sees them. */
static void test_not_tls(void **state)
{
	struct server sv;
	struct tls_server_stats st;
	unsigned short port = start(&sv, 4, 2000);
	int fd = tcp(port);

	(void)state;
	assert_int_equal(write(fd, "GET / HTTP/1.0\r\n\r\n", 18), 18);
	assert_true(closed_within(fd, 1000));
	close(fd);
	stop(&sv, &st);
	assert_int_equal(st.not_tls, 1);
	assert_string_equal(reasons, "127.0.0.1 not TLS;");
}

/* What a client does, by its number: talk, send garbage, or stall. */
static void *client(void *arg)
{
	unsigned short port = (unsigned short)((uintptr_t)arg >> 16);
	unsigned kind = (unsigned)(uintptr_t)arg & 0xffff;
	long ok = 0;

	if (kind % 3 == 0) {
		SSL_CTX *ctx;
		SSL *ssl = tls(port, &ctx);

		ok = round_trip(ssl, "hello") == 0 &&
		     round_trip(ssl, "bye") == 0;
		tls_close(ssl, ctx);
	} else if (kind % 3 == 1) {
		int fd = tcp(port);
		char junk[512];

		memset(junk, 'G', sizeof(junk));
		ok = write(fd, junk, sizeof(junk)) > 0;
		while (read(fd, junk, sizeof(junk)) > 0)
			;
		close(fd);
	} else {
		int fd = tcp(port);
		char x;

		ok = read(fd, &x, 1) == 0; /* the server gives up on us */
		close(fd);
	}
	return (void *)ok;
}

static void test_thousand_clients(void **state)
{
	enum { N = 999 };
	struct rlimit rl = { 4096, 4096 };
	struct server sv;
	struct tls_server_stats st;
	unsigned short port;
	pthread_t th[N];
	pthread_attr_t attr;
	long good = 0;

	(void)state;
	setrlimit(RLIMIT_NOFILE, &rl);
	port = start(&sv, 1200, 3000);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	for (uintptr_t i = 0; i < N; i++)
		assert_int_equal(
			pthread_create(&th[i], &attr, client,
				       (void *)((uintptr_t)port << 16 | i)),
			0);
	for (int i = 0; i < N; i++) {
		void *ok;

		pthread_join(th[i], &ok);
		good += (long)ok;
	}
	/* Still serving afterwards. */
	{
		SSL_CTX *ctx;
		SSL *ssl = tls(port, &ctx);

		assert_int_equal(round_trip(ssl, "after"), 0);
		tls_close(ssl, ctx);
	}
	stop(&sv, &st);
	assert_int_equal(good, N);
	assert_int_equal(st.sessions, N / 3 + 1);
	/* Buffers never held more than a few messages per connection. */
	assert_true(st.buffered_peak <= (size_t)st.peak * 5 * MAX_MSG);
	printf("# peak %u connections, %zu bytes buffered at most, %lu timeouts, %lu errors\n",
	       st.peak, st.buffered_peak, st.timeouts, st.errors);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_and_limits),
		cmocka_unit_test(test_handshake_deadline_and_full),
		cmocka_unit_test(test_per_source_and_eviction),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_thousand_clients),
	};

	/* As the agent and nmsd do: a peer's close is an error, not a
	 * signal that kills the process. */
	signal(SIGPIPE, SIG_IGN);
	return TR_RUN(tests, setup, teardown);
}
