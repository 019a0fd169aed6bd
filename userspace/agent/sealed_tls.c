// SPDX-License-Identifier: GPL-2.0-only
#include "userspace/agent/sealed_tls.h"

#include "base/errmsg.h"
#include "net/net.h"

#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <stdio.h>

void sealed_tls_errors(char *out, size_t len)
{
	unsigned long e;
	size_t n = 0;

	out[0] = 0;
	while ((e = ERR_get_error()) && n < len) {
		const char *r = ERR_reason_error_string(e);
		char code[32];

		if (!r) {
			snprintf(code, sizeof(code), "error 0x%lx", e);
			r = code;
		}
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "; " : "",
				      r);
	}
}

SSL_CTX *sealed_tls_ctx(const SSL_METHOD *method, const char *state_dir,
			const char *ca_file, char *err, size_t errlen)
{
	char key[PATH_MAX], crt[PATH_MAX], why[256];
	SSL_CTX *ctx;

	/* Loaded once per process; later calls find them loaded. */
	if (!OSSL_PROVIDER_load(NULL, "trustroute") ||
	    !OSSL_PROVIDER_load(NULL, "default")) {
		tr_fail(err, errlen,
			"cannot load the trustroute OpenSSL provider (OPENSSL_MODULES?)");
		return NULL;
	}
	snprintf(key, sizeof(key), "%s/tls.key", state_dir);
	snprintf(crt, sizeof(crt), "%s/tls.crt", state_dir);
	ctx = SSL_CTX_new(method);
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		sealed_tls_errors(why, sizeof(why));
		tr_fail(err, errlen, "%s, %s: %s (not enrolled?)", crt, key,
			why[0] ? why : "cannot load");
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Every handshake with the sealed key must be signed by the TPM
	 * now: a resumed one would vouch for the PCR state of the past. */
	tr_ssl_ctx_no_resumption(ctx);
	if (ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			tr_fail(err, errlen, "%s: cannot load", ca_file);
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return ctx;
}

int sealed_tls_name(const char *state_dir, char *out, size_t len, char *err,
		    size_t errlen)
{
	char crt[PATH_MAX];
	X509 *x = NULL;
	FILE *f;
	int n = -1;

	snprintf(crt, sizeof(crt), "%s/tls.crt", state_dir);
	f = fopen(crt, "r");
	if (f) {
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (x)
		n = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
					      NID_commonName, out, (int)len);
	X509_free(x);
	return n > 0 ? 0 :
		       tr_fail(err, errlen, "%s: no name (not enrolled?)", crt);
}
