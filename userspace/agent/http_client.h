/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HTTPS requests to the NMS (libcurl): the server must present a
 * certificate that chains to the CA file the router was given and names
 * the host in the URL. Answers are bounded.
 */
#ifndef TR_AGENT_HTTP_CLIENT_H
#define TR_AGENT_HTTP_CLIENT_H

#include <stddef.h>

#define HTTP_ANSWER_MAX 65536

struct http_answer {
	long status; /* 0: no answer (connection, TLS or timeout) */
	char body[HTTP_ANSWER_MAX + 1]; /* NUL-terminated */
	size_t len;
	long retry_after; /* seconds, 0 when not given */
	char refusal[32]; /* the Trustroute-Refusal header, "" when none */
};

/*
 * GET (@body NULL) or POST @body with @content_type to @url. Returns 0
 * when an answer came (any status), -1 with the reason otherwise.
 */
int http_request(const char *url, const char *ca_file, const char *content_type,
		 const char *body, size_t len, struct http_answer *a, char *err,
		 size_t errlen);

#endif
