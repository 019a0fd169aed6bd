// SPDX-License-Identifier: GPL-2.0-only
/*
 * conn-flood: many TCP connections at once, from several source
 * addresses, for the connection-exhaustion tests. Each connection is
 * stalled (connects, says nothing) or garbage (sends 512 bytes that are
 * no TLS), and is held until the server closes it or --hold-ms passed.
 *
 *   conn-flood --connect IP:PORT [--connect IP:PORT]... --from IP[-LAST]
 *              --count N [--kind stalled|garbage|hello|mixed] [--hold-ms MS]
 *              [--rate N] [--reconnect] [--ready-file F]
 *
 * --from 127.0.0.2-9 uses 127.0.0.2 to 127.0.0.9 in turn (bind() before
 * connect; all of 127/8 is local on Linux); targets are used in turn too.
 * It raises its file limit to the hard limit first. --rate paces new
 * connections (per second, all slots together; 0: at once). With
 * --reconnect a connection the server closed or refused is made again
 * (paced by --rate), so the pressure lasts until --hold-ms. --ready-file
 * is written once every slot was attempted. It prints
 *   conn-flood: N attempted, N connected, N refused, N closed by the server, N held to the end
 * Exit status: 0, 1 on a failure, 2 usage.
 */
#define _GNU_SOURCE /* getopt_long */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 8

enum { IDLE, CONNECTING, HOLDING, DONE };

enum kind { STALLED, GARBAGE, HELLO };

struct conn {
	int fd;
	int state;
	enum kind kind;
};

static uint8_t hello[2048];
static size_t hello_len;

/* A ClientHello as OpenSSL's client sends it (TLS 1.2 and 1.3). */
static int make_hello(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	BIO *r = BIO_new(BIO_s_mem()), *w = BIO_new(BIO_s_mem());
	int n;

	if (!ssl || !r || !w)
		return -1;
	SSL_set_bio(ssl, r, w);
	SSL_connect(ssl); /* wants to read the ServerHello */
	n = BIO_read(w, hello, sizeof(hello));
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (n <= 0)
		return -1;
	hello_len = (size_t)n;
	return 0;
}

static struct sockaddr_in targets[MAX_TARGETS];
static unsigned n_targets, first, last;
static struct in_addr base;
static unsigned long attempted, refused;
static int efd;

/* Slot @i's connection, from its source to its target; -1 on a failure. */
static int open_slot(struct conn *c, unsigned i)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = i };
	uint32_t h = (ntohl(base.s_addr) & ~0xffu) |
		     (first + i % (last - first + 1));

	src.sin_addr.s_addr = htonl(h);
	attempted++;
	c->state = DONE;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    bind(c->fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		fprintf(stderr, "conn-flood: socket/bind: %s\n",
			strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&targets[i % n_targets],
		    sizeof(targets[0])) < 0 &&
	    errno != EINPROGRESS) {
		refused++;
		close(c->fd);
		return 0;
	}
	c->state = CONNECTING;
	epoll_ctl(efd, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: conn-flood --connect IP:PORT [--connect IP:PORT]... --from IP[-LAST]\n"
		"                  --count N [--kind stalled|garbage|hello|mixed] [--hold-ms MS]\n"
		"                  [--ready-file F]\n");
	return 2;
}

static int parse_target(const char *s, struct sockaddr_in *a)
{
	char ip[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "hold-ms", required_argument, NULL, 'h' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'R' },
		{ "reconnect", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned count = 0, hold = 5000, rate = 0, next_slot = 0;
	unsigned long connected = 0, closed = 0, held = 0;
	const char *from = NULL, *kind = "mixed", *ready = NULL;
	bool reconnect = false;
	struct rlimit rl;
	struct conn *c;
	char junk[512], ip[64], *dash;
	uint64_t end, start;
	double budget = 0;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c') {
			if (n_targets == MAX_TARGETS ||
			    parse_target(optarg, &targets[n_targets++]) < 0)
				return usage();
		} else if (o == 'f') {
			from = optarg;
		} else if (o == 'n') {
			count = (unsigned)atoi(optarg);
		} else if (o == 'k') {
			kind = optarg;
		} else if (o == 'h') {
			hold = (unsigned)atoi(optarg);
		} else if (o == 'r') {
			ready = optarg;
		} else if (o == 'R') {
			rate = (unsigned)atoi(optarg);
		} else if (o == 'C') {
			reconnect = true;
		} else {
			return usage();
		}
	}
	if (!n_targets || !from || !count || optind != argc ||
	    (strcmp(kind, "stalled") && strcmp(kind, "garbage") &&
	     strcmp(kind, "hello") && strcmp(kind, "mixed")) ||
	    strlen(from) >= sizeof(ip))
		return usage();
	strcpy(ip, from);
	dash = strchr(ip, '-');
	if (dash)
		*dash++ = 0;
	if (inet_pton(AF_INET, ip, &base) != 1)
		return usage();
	first = ntohl(base.s_addr) & 0xff;
	last = dash ? (unsigned)atoi(dash) : first;
	if (last < first || last > 255)
		return usage();
	/* Every connection is a descriptor: as many as we may. */
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < count + 16) {
		fprintf(stderr, "conn-flood: %u connections, %lu descriptors\n",
			count, (unsigned long)rl.rlim_cur);
		return 1;
	}
	memset(junk, 'G', sizeof(junk));
	if (make_hello() < 0) {
		fprintf(stderr, "conn-flood: cannot make a ClientHello\n");
		return 1;
	}
	c = calloc(count, sizeof(*c));
	efd = epoll_create1(EPOLL_CLOEXEC);
	if (!c || efd < 0)
		return 1;
	for (unsigned i = 0; i < count; i++) {
		c[i].kind = !strcmp(kind, "garbage") ? GARBAGE :
			    !strcmp(kind, "hello")   ? HELLO :
			    !strcmp(kind, "stalled") ? STALLED :
						       (enum kind)(i / 2 % 3);
		c[i].state = IDLE;
	}
	start = now_ms();
	end = start + hold;
	for (uint64_t t = start, prev = start; t < end; t = now_ms()) {
		struct epoll_event ev[256];
		int n;

		/* New connections, as the rate allows. */
		budget = rate ? budget + (double)(t - prev) * rate / 1000.0 :
				1e18;
		prev = t;
		for (unsigned k = 0; k < count && budget >= 1.0; k++) {
			unsigned i = (next_slot + k) % count;

			if (c[i].state != IDLE)
				continue;
			if (open_slot(&c[i], i) < 0)
				return 1;
			if (c[i].state == DONE && reconnect)
				c[i].state = IDLE;
			budget -= 1.0;
			next_slot = i + 1;
		}
		if (ready && next_slot >= count) {
			FILE *f = fopen(ready, "w");

			if (f)
				fclose(f);
			ready = NULL;
		}
		n = epoll_wait(efd, ev, 256, rate ? 10 : (int)(end - t));
		for (int k = 0; k < n; k++) {
			struct conn *x = &c[ev[k].data.u32];
			struct epoll_event mod = { .events = EPOLLIN,
						   .data.u32 = ev[k].data.u32 };
			char buf[4096];
			int e = 0;
			socklen_t el = sizeof(e);

			if (x->state == CONNECTING) {
				getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e,
					   &el);
				if (e) {
					refused++;
					close(x->fd);
					x->state = reconnect ? IDLE : DONE;
					continue;
				}
				connected++;
				x->state = HOLDING;
				if ((x->kind == GARBAGE &&
				     write(x->fd, junk, sizeof(junk)) < 0) ||
				    (x->kind == HELLO &&
				     write(x->fd, hello, hello_len) < 0))
					junk[0] = 'G';
				epoll_ctl(efd, EPOLL_CTL_MOD, x->fd, &mod);
				continue;
			}
			if (x->state != HOLDING)
				continue;
			/* Whatever the server says, we want only its close. */
			while (read(x->fd, buf, sizeof(buf)) > 0)
				;
			if (ev[k].events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP) ||
			    read(x->fd, buf, 1) == 0) {
				closed++;
				close(x->fd);
				x->state = reconnect ? IDLE : DONE;
			}
		}
	}
	for (unsigned i = 0; i < count; i++) {
		if (c[i].state == HOLDING)
			held++;
		if (c[i].state == HOLDING || c[i].state == CONNECTING)
			close(c[i].fd);
	}
	printf("conn-flood: %lu attempted, %lu connected, %lu refused, %lu closed by the server, %lu held to the end\n",
	       attempted, connected, refused, closed, held);
	free(c);
	close(efd);
	return 0;
}
