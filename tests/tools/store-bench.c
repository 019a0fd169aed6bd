// SPDX-License-Identifier: GPL-2.0-only
/*
 * store-bench: the store's part of the NMS's work, timed, on the store
 * named by --db (a SQLite file or PostgreSQL), without TLS or a TPM:
 *
 *   store-bench --db DB --routers N [--rounds R]
 *
 * 1. enrollments: per router, what an enrollment writes in its one
 *    transaction (challenge added, then taken with the device, EK, AK,
 *    activation, TLS key, certificate, event), and its endpoint;
 * 2. probe rounds: the endpoints read as the monitor reads them, and one
 *    observation each applied as the monitor applies them
 *    (nms_observe_many: the states read once, changes batched):
 *    the first round changes every router (unknown -> good), the others
 *    none.
 * Prints one line per phase: how many, milliseconds, per second, and
 * microseconds per router. For bench/store: the same work on both
 * backends and at several sizes (a round's cost per router should not
 * grow with the routers).
 */
#define _GNU_SOURCE
#include "base/errmsg.h"
#include "nms/route/observe.h"
#include "nms/store/store_enroll.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"

#include <getopt.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct enroll_args {
	int i;
	int64_t id;
};

static void digest(const char *what, int i, uint8_t out[32])
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s-%d", what, i);
	SHA256((const uint8_t *)buf, strlen(buf), out);
}

/* What enrollment.c writes for one router, in one transaction. */
static int enroll_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct enroll_args *a = arg;
	static struct nms_challenge c, got;
	uint8_t key[32], ak[32], tls[32], nonce[32], policy[32] = { 0 };
	char name[32], serial[40];
	struct nms_ek ek;
	int64_t ak_id, tls_id;

	snprintf(name, sizeof(name), "bench-%06d", a->i);
	digest("ek", a->i, key);
	digest("ak", a->i, ak);
	digest("tls", a->i, tls);
	digest("nonce", a->i, nonce);
	memset(&c, 0, sizeof(c));
	snprintf(c.device, sizeof(c.device), "%s", name);
	memcpy(c.ek_key_id, key, 32);
	memcpy(c.ek_name.b, key, 32);
	c.ek_name.n = 32;
	c.ek_pub.n = c.ek_cert.n = 300;
	memcpy(c.ak_name.b, ak, 32);
	c.ak_name.n = 32;
	c.ak_pub.n = 90;
	c.expires = (int64_t)time(NULL) + 300;
	if (nms_store_challenge_add(s, (struct nms_blob){ nonce, 32 }, &c,
				    (int64_t)time(NULL), err, errlen) < 0 ||
	    nms_store_challenge_take(s, (struct nms_blob){ nonce, 32 },
				     (int64_t)time(NULL), &got, err,
				     errlen) < 0)
		return -1;
	ek = (struct nms_ek){ { key, 32 },
			      { key, 32 },
			      { got.ek_pub.b, got.ek_pub.n },
			      { got.ek_cert.b, got.ek_cert.n } };
	a->id = nms_store_device_for_ek(s, name, &ek, err, errlen);
	if (a->id < 0)
		return -1;
	ak_id = nms_store_ak(s, a->id, (struct nms_blob){ ak, 32 },
			     (struct nms_blob){ got.ak_pub.b, got.ak_pub.n },
			     err, errlen);
	if (ak_id < 0 || nms_store_ak_activated(s, ak_id, (int64_t)time(NULL),
						err, errlen) < 0)
		return -1;
	tls_id = nms_store_tls_key(s, a->id, (struct nms_blob){ tls, 32 },
				   (struct nms_blob){ tls, 32 }, policy, err,
				   errlen);
	snprintf(serial, sizeof(serial), "%032x", a->i);
	if (tls_id < 0 ||
	    nms_store_cert_add(
		    s,
		    &(struct nms_cert_row){
			    a->id, tls_id, serial, { got.ek_cert.b, 600 }, 0 },
		    err, errlen) < 0 ||
	    nms_store_event(s, a->id, "enrolled", name, err, errlen) < 0)
		return -1;
	return nms_store_endpoint_set(s, a->id, "127.0.0.1", 8444, err, errlen);
}

struct round {
	struct nms_observation *o;
	int n, cap;
};

static int collect(int64_t id, const char *device, const char *address,
		   unsigned port, void *arg)
{
	struct round *r = arg;

	(void)device;
	(void)address;
	(void)port;
	if (r->n == r->cap)
		return 1;
	r->o[r->n++] = (struct nms_observation){ .id = id,
						 .device = "bench",
						 .ev = TRUST_EV_HANDSHAKE_OK,
						 .reason = "bench" };
	return 0;
}

static void line(const char *what, int n, int64_t us)
{
	printf("%-22s %7d in %8.1f ms: %9.0f/s, %8.1f us each\n", what, n,
	       (double)us / 1000.0, n * 1e6 / (double)(us ? us : 1),
	       (double)us / n);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "routers", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	int o, n = 1000, rounds = 3;
	struct nms_store s;
	struct round r = { 0 };
	char err[512];
	int64_t t0;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'd')
			db = optarg;
		else if (o == 'n')
			n = atoi(optarg);
		else if (o == 'r')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (!db || n <= 0 || rounds < 1) {
		fprintf(stderr,
			"usage: store-bench --db DB --routers N [--rounds R]\n");
		return 2;
	}
	if (nms_store_open(&s, db, err, sizeof(err)) < 0) {
		fprintf(stderr, "store-bench: %s\n", err);
		return 1;
	}
	t0 = mono_us();
	for (int i = 0; i < n; i++) {
		struct enroll_args a = { i, 0 };

		if (nms_store_tx(&s, enroll_tx, &a, err, sizeof(err)) < 0) {
			fprintf(stderr, "store-bench: enrollment %d: %s\n", i,
				err);
			return 1;
		}
	}
	line("enrollments", n, mono_us() - t0);
	r.cap = n;
	r.o = calloc((size_t)n, sizeof(*r.o));
	for (int k = 0; k < rounds; k++) {
		int64_t t1, t2;
		char what[64];
		int changed = 0;

		r.n = 0;
		t1 = mono_us();
		if (nms_store_endpoints(&s, collect, &r, err, sizeof(err)) <
		    0) {
			fprintf(stderr, "store-bench: %s\n", err);
			return 1;
		}
		t2 = mono_us();
		/* As the monitor applies a round (nms_observe_many). */
		nms_observe_many(&s, &trust_metrics_default, r.o, (size_t)r.n,
				 1);
		for (int i = 0; i < r.n; i++)
			changed += r.o[i].c.changed;
		snprintf(what, sizeof(what), "round %d: endpoints", k + 1);
		line(what, r.n, t2 - t1);
		snprintf(what, sizeof(what), "round %d: %s", k + 1,
			 changed ? "observe (changes)" : "observe (none)");
		line(what, r.n, mono_us() - t2);
	}
	free(r.o);
	nms_store_close(&s);
	return 0;
}
