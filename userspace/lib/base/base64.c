// SPDX-License-Identifier: GPL-2.0-only
#include "base/base64.h"

#include "base/errmsg.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

bool tr_base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int tr_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
		     size_t *outlen, char *err, size_t errlen)
{
	size_t pad = 0;
	int n;

	if (len % 4)
		return tr_fail(err, errlen,
			       "base64: %zu characters, not whole groups of 4",
			       len);
	if (len / 4 * 3 > cap + 2 || len > (size_t)INT32_MAX)
		return tr_fail(err, errlen, "base64: longer than %zu bytes",
			       cap);
	while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++)
		if (!tr_base64_char(in[i]))
			return tr_fail(err, errlen,
				       "base64: character %zu is not base64",
				       i);
	if (!len) {
		*outlen = 0;
		return 0;
	}
	{
		/* EVP_DecodeBlock writes whole groups: room for the padding. */
		uint8_t *tmp = malloc(len / 4 * 3);

		if (!tmp)
			return tr_fail(err, errlen, "out of memory");
		n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
		if (n < 0 || (size_t)n < pad) {
			free(tmp);
			return tr_fail(err, errlen, "base64 does not decode");
		}
		if ((size_t)n - pad > cap) {
			free(tmp);
			return tr_fail(err, errlen,
				       "base64: longer than %zu bytes", cap);
		}
		*outlen = (size_t)n - pad;
		memcpy(out, tmp, *outlen);
		free(tmp);
	}
	return 0;
}

char *tr_base64_encode(const uint8_t *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}
