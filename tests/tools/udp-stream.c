// SPDX-License-Identifier: GPL-2.0-only
/*
 * udp-stream: a sequence-numbered UDP stream for the route tests and
 * benchmark. The receiver notes for every packet the interface it came in
 * on, so a router's share of a stream is counted at the destination.
 *
 *   udp-stream send --to ADDR --port N [--from ADDR] [--rate PPS]
 *                   [--count N] [--seconds S] [--start-file F]
 *   udp-stream recv --bind ADDR --port N [--seconds S] [--log FILE]
 *                   [--ready-file F]
 *
 * A packet carries a magic, its sequence number and the sender's
 * CLOCK_REALTIME at sending. The sender paces at --rate packets per
 * second (0: as fast as it can), stops after --count packets or
 * --seconds (at least one of them; 600 s at most), then sends an end
 * packet holding the count, three times. It prints
 *   sent N errors E [first error: TEXT]
 * A send that fails (no route) still uses its sequence number, so the
 * receiver counts it lost.
 *
 * The receiver stops at the end packet or after --seconds (default 60).
 * With --log it writes "SEQ SEND_NS RECV_NS IFNAME" per packet. It prints
 *   received N sent S lost L dup D reordered R via IF=N[,IF=N...]
 * (sent is -1 when no end packet came). Exit status: 0, 1 on a failure,
 * 2 usage.
 */
#define _GNU_SOURCE /* getopt_long, IPV6_RECVPKTINFO, struct in6_pktinfo */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x54525354u /* "TRST" */
#define FLAG_END 1u
#define MAX_IFS 16

struct pkt {
	uint32_t magic, flags;
	uint64_t seq;
	int64_t send_ns;
};

struct opts {
	const char *to, *from, *bind, *log, *ready, *start;
	int port;
	double rate, seconds;
	uint64_t count;
};

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: udp-stream send --to ADDR --port N [--from ADDR] [--rate PPS]\n"
		"                       [--count N] [--seconds S] [--start-file F]\n"
		"       udp-stream recv --bind ADDR --port N [--seconds S] [--log FILE]\n"
		"                       [--ready-file F]\n");
	return rc;
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* @addr:@port into @ss; its length, or 0. */
static socklen_t sockaddr_of(const char *addr, int port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	}
	return 0;
}

/* Write "@v\n" to @path (a sign for a script), if given. */
static void stamp(const char *path, int64_t v)
{
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "%lld\n", (long long)v);
	fclose(f);
}

static int do_send(const struct opts *o)
{
	struct sockaddr_storage dst, src;
	socklen_t dlen = sockaddr_of(o->to, o->port, &dst), slen = 0;
	struct pkt p = { MAGIC, 0, 0, 0 };
	uint64_t errors = 0;
	int64_t t0, next, gap, end;
	char first_err[128] = "";
	int fd;

	if (!dlen || (o->from && !(slen = sockaddr_of(o->from, 0, &src))) ||
	    (slen && src.ss_family != dst.ss_family) ||
	    (!o->count && o->seconds <= 0) || o->seconds > 600 || o->rate < 0)
		return usage(2);
	fd = socket(dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || (slen && bind(fd, (struct sockaddr *)&src, slen) < 0)) {
		perror("udp-stream: socket");
		return 1;
	}
	/* Pace to the microsecond, not to the default 50 us timer slack. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	gap = o->rate > 0 ? (int64_t)(1e9 / o->rate) : 0;
	t0 = now_ns(CLOCK_MONOTONIC);
	end = t0 + (int64_t)((o->seconds > 0 ? o->seconds : 600) * 1e9);
	stamp(o->start, now_ns(CLOCK_REALTIME));
	for (next = t0; !o->count || p.seq < o->count; next += gap) {
		if (gap) {
			struct timespec ts = { next / 1000000000,
					       next % 1000000000 };

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &ts, NULL) == EINTR)
				;
		}
		if (now_ns(CLOCK_MONOTONIC) >= end)
			break;
		p.send_ns = now_ns(CLOCK_REALTIME);
		if (sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&dst,
			   dlen) < 0) {
			if (!errors++)
				snprintf(first_err, sizeof(first_err),
					 "%s (packet %llu)", strerror(errno),
					 (unsigned long long)p.seq);
		}
		p.seq++;
	}
	/* The end: how many there were. Sent three times, 1 ms apart. */
	p.flags = FLAG_END;
	for (int i = 0; i < 3; i++) {
		struct timespec ms = { 0, 1000000 };

		p.send_ns = now_ns(CLOCK_REALTIME);
		sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&dst, dlen);
		nanosleep(&ms, NULL);
	}
	close(fd);
	printf("sent %llu errors %llu%s%s\n", (unsigned long long)p.seq,
	       (unsigned long long)errors, errors ? " first error: " : "",
	       first_err);
	return 0;
}

struct iface_count {
	int ifindex;
	uint64_t n;
};

/* Mark @seq seen in @bits (grown as needed); 1 if it was seen before. */
static int seen(uint8_t **bits, size_t *cap, uint64_t seq)
{
	size_t byte = (size_t)(seq / 8);

	if (byte >= *cap) {
		size_t ncap = *cap ? *cap : 4096;
		uint8_t *nb;

		while (ncap <= byte)
			ncap *= 2;
		nb = realloc(*bits, ncap);
		if (!nb)
			return -1;
		memset(nb + *cap, 0, ncap - *cap);
		*bits = nb;
		*cap = ncap;
	}
	if ((*bits)[byte] & (1u << (seq % 8)))
		return 1;
	(*bits)[byte] |= (uint8_t)(1u << (seq % 8));
	return 0;
}

/* The ingress interface of a received message, from its pktinfo. */
static int ifindex_of(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return pi.ipi_ifindex;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return (int)pi.ipi6_ifindex;
		}
	}
	return 0;
}

static int do_recv(const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t slen = sockaddr_of(o->bind, o->port, &ss);
	struct iface_count ifs[MAX_IFS];
	uint64_t received = 0, dups = 0, reordered = 0, last = 0;
	int64_t sent = -1, end;
	size_t nifs = 0, cap = 0;
	uint8_t *bits = NULL;
	int fd, one = 1, rcvbuf = 8 << 20, rc = 0;
	FILE *log = NULL;

	if (!slen || o->port <= 0)
		return usage(2);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    (ss.ss_family == AF_INET ?
		     setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) :
		     setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
				sizeof(one))) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, slen) < 0) {
		perror("udp-stream: receiving socket");
		return 1;
	}
	/* Room for bursts: the count must not depend on our scheduling. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (o->log && !(log = fopen(o->log, "w"))) {
		perror(o->log);
		return 1;
	}
	stamp(o->ready, now_ns(CLOCK_REALTIME));
	end = now_ns(CLOCK_MONOTONIC) +
	      (int64_t)((o->seconds > 0 ? o->seconds : 60) * 1e9);
	while (now_ns(CLOCK_MONOTONIC) < end) {
		char cbuf[256];
		struct pkt p;
		struct iovec iov = { &p, sizeof(p) };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct pollfd pfd = { fd, POLLIN, 0 };
		char ifname[IF_NAMESIZE] = "?";
		ssize_t n;
		int64_t t;
		int ifx, dup;
		size_t i;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvmsg(fd, &mh, 0);
		t = now_ns(CLOCK_REALTIME);
		if (n != (ssize_t)sizeof(p) || p.magic != MAGIC)
			continue;
		if (p.flags & FLAG_END) {
			sent = (int64_t)p.seq;
			break;
		}
		ifx = ifindex_of(&mh);
		dup = seen(&bits, &cap, p.seq);
		if (dup < 0) {
			fprintf(stderr, "udp-stream: out of memory\n");
			rc = 1;
			break;
		}
		received++;
		dups += (uint64_t)dup;
		if (received > 1 && p.seq < last)
			reordered++;
		last = p.seq;
		for (i = 0; i < nifs && ifs[i].ifindex != ifx; i++)
			;
		if (i == nifs && nifs < MAX_IFS)
			ifs[nifs++] = (struct iface_count){ ifx, 0 };
		if (i < nifs)
			ifs[i].n++;
		if (log) {
			if_indextoname((unsigned)ifx, ifname);
			fprintf(log, "%llu %lld %lld %s\n",
				(unsigned long long)p.seq, (long long)p.send_ns,
				(long long)t, ifname);
		}
	}
	if (log && fclose(log) != 0) {
		perror(o->log);
		rc = 1;
	}
	close(fd);
	printf("received %llu sent %lld lost %lld dup %llu reordered %llu via ",
	       (unsigned long long)received, (long long)sent,
	       (long long)(sent < 0 ? -1 : sent - (int64_t)(received - dups)),
	       (unsigned long long)dups, (unsigned long long)reordered);
	for (size_t i = 0; i < nifs; i++) {
		char name[IF_NAMESIZE] = "?";

		if_indextoname((unsigned)ifs[i].ifindex, name);
		printf("%s%s=%llu", i ? "," : "", name,
		       (unsigned long long)ifs[i].n);
	}
	printf("%s\n", nifs ? "" : "none");
	free(bits);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "ready-file", required_argument, NULL, 'R' },
		{ "start-file", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o.to = optarg;
			break;
		case 'f':
			o.from = optarg;
			break;
		case 'b':
			o.bind = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 'r':
			o.rate = strtod(optarg, &end);
			if (*end)
				return usage(2);
			break;
		case 'c':
			o.count = strtoull(optarg, &end, 10);
			if (*end)
				return usage(2);
			break;
		case 's':
			o.seconds = strtod(optarg, &end);
			if (*end)
				return usage(2);
			break;
		case 'l':
			o.log = optarg;
			break;
		case 'R':
			o.ready = optarg;
			break;
		case 'S':
			o.start = optarg;
			break;
		case 'h':
			return usage(0);
		default:
			return usage(2);
		}
	}
	if (optind + 1 != argc)
		return usage(2);
	if (!strcmp(argv[optind], "send") && o.to && o.port > 0)
		return do_send(&o);
	if (!strcmp(argv[optind], "recv") && o.bind)
		return do_recv(&o);
	return usage(2);
}
