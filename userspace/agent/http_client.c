// SPDX-License-Identifier: GPL-2.0-only
#include "userspace/agent/http_client.h"

#include "base/errmsg.h"
#include "enroll/wire.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

struct sink {
	struct http_answer *a;
	bool too_long;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	/* An answer larger than any the NMS sends is refused, not kept. */
	if (s->a->len + len > HTTP_ANSWER_MAX) {
		s->too_long = true;
		return 0;
	}
	memcpy(s->a->body + s->a->len, p, len);
	s->a->len += len;
	s->a->body[s->a->len] = 0;
	return len;
}

/* The one header we read besides the status: Trustroute-Refusal. */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = TR_EST_REFUSAL_HEADER ":";
	struct http_answer *a = arg;
	size_t len = size * n, i = sizeof(name) - 1, k = 0;

	if (len > i && !strncasecmp(p, name, i)) {
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		/* A token: letters, digits and '-', bounded; anything else
		 * ends it. */
		while (i < len && k + 1 < sizeof(a->refusal) &&
		       (isalnum((unsigned char)p[i]) || p[i] == '-'))
			a->refusal[k++] = p[i++];
		a->refusal[k] = 0;
	}
	return len;
}

int http_request(const char *url, const char *ca_file, const char *content_type,
		 const char *body, size_t len, struct http_answer *a, char *err,
		 size_t errlen)
{
	char ebuf[CURL_ERROR_SIZE] = "", ctype[128];
	struct curl_slist *hdrs = NULL;
	struct sink s = { a, false };
	curl_off_t retry = 0;
	CURL *c = curl_easy_init();
	CURLcode rc;

	memset(a, 0, sizeof(*a));
	if (!c)
		return tr_fail(err, errlen, "curl: cannot start");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL); /* only the NMS's CA */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	if (body) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s",
			 content_type);
		hdrs = curl_slist_append(hdrs, ctype);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
		if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) ==
		    CURLE_OK)
			a->retry_after = (long)retry;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	if (s.too_long)
		return tr_fail(err, errlen, "%s: answer longer than %d bytes",
			       url, HTTP_ANSWER_MAX);
	if (rc != CURLE_OK) {
		a->status = 0;
		return tr_fail(err, errlen, "%s: %s", url,
			       ebuf[0] ? ebuf : curl_easy_strerror(rc));
	}
	return 0;
}
