/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The router's request port: where the NMS asks it to attest now (issue
 * 20, item 3). A TLS server; the NMS authenticates with its server
 * certificate (chained to the NMS CA the router enrolled with, for the
 * NMS's name); one line "attest REASON\n" from it, one line back: "ok"
 * (a session follows, the router opens its PT-TLS session as always, so
 * the verdict arrives and is recorded the usual way), or "busy" (one is
 * running or ran a moment ago).
 *
 * The router's side of this TLS uses a throwaway software key made at
 * start, not its sealed key: the NMS asks exactly when the sealed key
 * may refuse (a probe failed), and nothing said here is believed (the
 * request proves nothing, the quote does). Who may ask is what is
 * checked, and fails closed: a client without a certificate, with one
 * from another CA, for another name, or a router's own certificate (it
 * carries the key attestation; even a router enrolled under the NMS's
 * name is not the NMS) is refused, so no one else can make routers
 * attest over and over.
 */
#ifndef TR_AGENT_ATTEST_REQUEST_H
#define TR_AGENT_ATTEST_REQUEST_H

#include <signal.h>
#include <stddef.h>

#define ATTEST_REQUEST_LINE_MAX 160 /* "attest " and a reason, '\n' */
#define ATTEST_REASON_MAX 128

struct request_config {
	const char *address; /* IPv4 or IPv6 literal */
	unsigned short port; /* 0: any free port */
	const char *port_file; /* where to write the port, or NULL */
	const char *nms_ca; /* the NMS CA (PEM) */
	const char *nms_name; /* the name in the NMS's certificate */
};

/*
 * The request line @buf[@len] (pure, bounded): "attest" and optionally a
 * space and a reason of printable ASCII, ending in '\n' (or "\r\n"). 0
 * with the reason in @reason (cut to @cap - 1), or -1 with why in @err.
 */
int attest_request_parse(const char *buf, size_t len, char *reason, size_t cap,
			 char *err, size_t errlen);

/*
 * What the daemon does with an accepted request: 0 it will attest now,
 * 1 busy.
 */
typedef int attest_request_fn(const char *reason, void *arg);

/* Serve until *@stop is set: 0, or -1 with the reason. */
int attest_request_run(const struct request_config *c,
		       volatile sig_atomic_t *stop, attest_request_fn *fn,
		       void *arg, char *err, size_t errlen);

#endif
