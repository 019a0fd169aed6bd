// SPDX-License-Identifier: GPL-2.0-only
/*
 * fleet: N simulated routers against an NMS, for benchmarks and soaks.
 *
 *   fleet --ca-dir DIR --db DB --routers N [--prefix NAME] [--listen ADDR]
 *         [--port N] [--port-file F] [--pcr-values N=HEX,...] [--threads N]
 *         [--seconds S] [--churn PER_SECOND] [--stats FILE]
 *   fleet --ca-dir DIR --routers N --baseline HANDSHAKES [--threads N]
 *   fleet --ca-dir DIR --db DB --routers N --sessions SECONDS
 *         --nms-port PORT[,PORT...] --lists-dir DIR [--log-entries M]
 *         [--threads N]
 *
 * Each router has what enrollment would have left: a device with an EK
 * (its key id a digest of its name) and an activated AK in the store, an
 * endpoint, and a certificate from the NMS CA whose KeyAttestation
 * extension is real evidence: a TPM2_Certify structure of its TLS key
 * (authPolicy: the policy the NMS computes from --pcr-values, as nmsd
 * does) signed ECDSA-SHA256 by its AK. The TPM is a software stand-in:
 * the keys are OpenSSL's, the structures and signatures are the TPM's,
 * so the NMS's checks run in full; only the PCR binding is not enforced
 * (a stand-in has no PCRs), which the TPM alone ever did.
 *
 * All routers answer TLS on one address and port, by SNI (the prober
 * names the device). --threads workers serve handshakes. Every second a
 * line goes to --stats: time, handshakes served, and with --churn the
 * routers that went bad, recovered, left and joined that second and the
 * NMS's detection latency (a router made bad until the store says bad).
 * A bad router fails its handshakes (the NMS marks it bad); a recovered
 * one answers again and passes an explicit attestation (attest-ok, into
 * the store: sessions are not simulated); one that leaves loses its
 * endpoint; one that joins is a new router.
 *
 * --baseline: HANDSHAKES plain TLS handshakes with the same keys, from
 * --threads clients in this process (no attestation check, no store):
 * the floor a probe can cost. Prints handshakes per second.
 *
 * --sessions: explicit attestation, for SECONDS, by --threads clients at
 * once, each a whole session of the router's own TNC client
 * (userspace/agent/tnc_client: PT-TLS, PB-TNC, OS facts, the quote the
 * NMS asks for over its nonce, PCR values, the IMA log) to nmsd's PT-TLS
 * port, round robin over the routers. The quote is the stand-in's: a
 * TPMS_ATTEST of PCRs 10 and 11 signed by the router's AK, whose public
 * area is in the store as an activated AK. The IMA log, the same for
 * every router (one image): boot_aggregate, the reference list
 * (--lists-dir/10-fleet.list is written, for nmsd's --reference-list),
 * then M (1 000) files from it; --lists-dir without --sessions writes
 * only that list (for nmsd, before it starts). Prints sessions per
 * second, and how many the NMS found good.
 */
#define _GNU_SOURCE
#include "base/errmsg.h"
#include "enroll/evidence.h"
#include "net/net.h"
#include "nms/enroll/ca.h"
#include "nms/enroll/key_policy.h"
#include "nms/route/observe.h"
#include "nms/store/store_enroll.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"
#include "digest-lists/lib/dl_format.h"
#include "ima/log.h"
#include "os/collect.h"
#include "tnc/pa_attr.h"
#include "tpm/convert.h"
#include "userspace/agent/tnc_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <tss2/tss2_mu.h>
#include <unistd.h>

enum rstate { R_GOOD, R_BAD, R_GONE };

struct router {
	char name[32];
	EVP_PKEY *key, *ak;
	TPM2B_PUBLIC ak_pub;
	X509 *cert;
	int64_t id; /* device id in the store */
	_Atomic int state;
	int64_t bad_since_ms; /* when made bad, for the latency */
};

static struct router *routers;
static int nrouters, cap_routers;
static pthread_mutex_t routers_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *prefix = "fleet";
static struct nms_ca ca;
static uint8_t policy[32];
static atomic_long served, failed_served, client_ok, client_bad;
static volatile sig_atomic_t stop;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static EVP_PKEY *p256(void)
{
	return EVP_EC_gen("P-256");
}

/* A software TPM's certification of @key by @ak over @nonce. */
static int certify(EVP_PKEY *ak, const TPM2B_PUBLIC *ak_pub,
		   const TPM2B_PUBLIC *key_pub, const uint8_t *nonce,
		   size_t nlen, struct tr_evidence *e, char *err, size_t errlen)
{
	TPMS_ATTEST a = { 0 };
	TPM2B_NAME ak_name, key_name;
	uint8_t digest[32], der[80];
	size_t off = 0, dlen = sizeof(der);
	EVP_PKEY_CTX *ctx;
	int ok;

	if (tr_tpm_name(ak_pub, &ak_name) < 0 ||
	    tr_tpm_name(key_pub, &key_name) < 0)
		return tr_fail(err, errlen, "names");
	a.magic = TPM2_GENERATED_VALUE;
	a.type = TPM2_ST_ATTEST_CERTIFY;
	memcpy(&a.qualifiedSigner, &ak_name, sizeof(ak_name));
	a.extraData.size = (UINT16)nlen;
	memcpy(a.extraData.buffer, nonce, nlen);
	a.clockInfo.clock = (UINT64)now_ms();
	a.clockInfo.safe = 1;
	a.firmwareVersion = 0x20191023;
	a.attested.certify.name = key_name;
	a.attested.certify.qualifiedName = key_name;
	if (Tss2_MU_TPMS_ATTEST_Marshal(&a, e->attest.attestationData,
					sizeof(e->attest.attestationData),
					&off))
		return tr_fail(err, errlen, "marshalling TPMS_ATTEST");
	e->attest.size = (UINT16)off;
	SHA256(e->attest.attestationData, off, digest);
	ctx = EVP_PKEY_CTX_new(ak, NULL);
	ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_sign(ctx, der, &dlen, digest, sizeof(digest)) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok || tr_tpm_sig_from_der(der, dlen, &e->sig, err, errlen) < 0)
		return tr_fail(err, errlen, "signing the certification");
	return 0;
}

/* Router @i: keys, evidence, certificate. */
static int make_router(struct router *r, int i, char *err, size_t errlen)
{
	struct tr_evidence e = { 0 };
	EVP_PKEY *ak = p256();
	uint8_t nonce[32], *der = NULL;
	size_t len = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s-%05d", prefix, i);
	r->key = p256();
	if (!ak || !r->key ||
	    tr_tpm_public_from_evp(ak, &e.ak_pub, err, errlen) < 0 ||
	    tr_tpm_public_from_evp(r->key, &e.key_pub, err, errlen) < 0)
		goto out;
	/* The AK: a restricted signing key made in its TPM. */
	e.ak_pub.publicArea.objectAttributes =
		TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
	e.ak_pub.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	e.ak_pub.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg =
		TPM2_ALG_SHA256;
	/* The TLS key: sealed, usable only through the NMS's policy. */
	e.key_pub.publicArea.objectAttributes =
		TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_SIGN_ENCRYPT;
	e.key_pub.publicArea.authPolicy.size = 32;
	memcpy(e.key_pub.publicArea.authPolicy.buffer, policy, 32);
	e.ek_name.size = 34;
	e.ek_name.name[0] = 0;
	e.ek_name.name[1] = 0x0b;
	SHA256((const uint8_t *)r->name, strlen(r->name), e.ek_name.name + 2);
	RAND_bytes(nonce, sizeof(nonce));
	if (certify(ak, &e.ak_pub, &e.key_pub, nonce, sizeof(nonce), &e, err,
		    errlen) < 0 ||
	    tr_key_attestation_encode(&e, &der, &len, err, errlen) < 0)
		goto out;
	r->cert = nms_ca_issue(&ca,
			       &(struct nms_cert_request){ r->name, r->key, der,
							   len, 365 },
			       err, errlen);
	rc = r->cert ? 0 : -1;
	r->ak = ak;
	r->ak_pub = e.ak_pub;
	ak = NULL;
out:
	free(der);
	EVP_PKEY_free(ak);
	return rc;
}

/* What enrollment leaves in the store, and the endpoint. */
struct reg_args {
	int from, to;
	const char *addr;
	unsigned port;
};

static int reg_tx(struct nms_store *s, void *arg, char *err, size_t errlen)
{
	struct reg_args *a = arg;

	for (int i = a->from; i < a->to; i++) {
		struct router *r = &routers[i];
		uint8_t key_id[32], akpub[sizeof(TPM2B_PUBLIC)];
		TPM2B_NAME ak_name;
		size_t aklen = 0;
		struct nms_ek ek;
		int64_t ak;

		SHA256((const uint8_t *)r->name, strlen(r->name), key_id);
		/* The AK as enrollment stores it: its TPM name, its public
		 * area (what the attestation IMV verifies quotes with). */
		if (tr_tpm_name(&r->ak_pub, &ak_name) < 0 ||
		    Tss2_MU_TPM2B_PUBLIC_Marshal(&r->ak_pub, akpub,
						 sizeof(akpub), &aklen))
			return tr_fail(err, errlen, "the AK of %s", r->name);
		ek = (struct nms_ek){ { key_id, 32 },
				      { key_id, 32 },
				      { (const uint8_t *)"pub", 3 },
				      { (const uint8_t *)"cert", 4 } };
		r->id = nms_store_device_for_ek(s, r->name, &ek, err, errlen);
		if (r->id < 0)
			return -1;
		ak = nms_store_ak(
			s, r->id,
			(struct nms_blob){ ak_name.name, ak_name.size },
			(struct nms_blob){ akpub, aklen }, err, errlen);
		if (ak < 0 ||
		    nms_store_ak_activated(s, ak, now_ms() / 1000, err,
					   errlen) < 0 ||
		    nms_store_endpoint_set(s, r->id, a->addr, a->port, err,
					   errlen) < 0)
			return -1;
	}
	return 0;
}

static struct router *find(const char *name)
{
	size_t n = strlen(prefix);
	struct router *r = NULL;
	int i;

	if (!name || strncmp(name, prefix, n) || name[n] != '-')
		return NULL;
	i = atoi(name + n + 1);
	pthread_mutex_lock(&routers_lock);
	if (i >= 0 && i < nrouters && !strcmp(routers[i].name, name))
		r = &routers[i];
	pthread_mutex_unlock(&routers_lock);
	return r;
}

/* SNI: the router's certificate and key; a bad router fails here. */
static int sni(SSL *ssl, int *alert, void *arg)
{
	struct router *r =
		find(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name));

	(void)arg;
	if (!r || atomic_load(&r->state) != R_GOOD) {
		*alert = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	if (SSL_use_certificate(ssl, r->cert) != 1 ||
	    SSL_use_PrivateKey(ssl, r->key) != 1) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *sctx;
static int lfd;

static void *serve(void *arg)
{
	(void)arg;
	while (!stop) {
		struct timeval tv = { 2, 0 };
		int fd = accept(lfd, NULL, NULL);
		SSL *ssl;

		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		ssl = SSL_new(sctx);
		if (ssl && SSL_set_fd(ssl, fd) && SSL_accept(ssl) == 1) {
			atomic_fetch_add(&served, 1);
			SSL_shutdown(ssl);
		} else if (!atomic_fetch_add(&failed_served, 1) &&
			   getenv("FLEET_DEBUG")) {
			ERR_print_errors_fp(stderr);
		}
		SSL_free(ssl);
		ERR_clear_error();
		close(fd);
	}
	return NULL;
}

/* --baseline: plain handshakes against ourselves. */
struct client_args {
	unsigned short port;
	long n;
};

static void *client(void *arg)
{
	struct client_args *c = arg;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* The chain is checked as the prober does; not the evidence. */
	X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca.cert);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	for (long i = 0; i < c->n; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(c->port) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		SSL *ssl = NULL;

		/* Blocking, as a probe's handshake is to its end. */
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)))
			ssl = SSL_new(ctx);

		if (ssl) {
			SSL_set_fd(ssl, fd);
			SSL_set_tlsext_host_name(ssl,
						 routers[i % nrouters].name);
			if (SSL_connect(ssl) == 1) {
				atomic_fetch_add(&client_ok, 1);
				SSL_shutdown(ssl);
			} else if (!atomic_fetch_add(&client_bad, 1)) {
				ERR_print_errors_fp(stderr);
			}
		}
		SSL_free(ssl);
		if (fd >= 0)
			close(fd);
	}
	SSL_CTX_free(ctx);
	return NULL;
}

static int register_range(const char *db, int from, int to, const char *addr,
			  unsigned port)
{
	struct nms_store s;
	struct reg_args a = { from, to, addr, port };
	char err[512];
	int rc = 0;

	if (nms_store_open(&s, db, err, sizeof(err)) < 0) {
		fprintf(stderr, "fleet: %s\n", err);
		return -1;
	}
	for (int i = from; i < to; i += 500) {
		a.from = i;
		a.to = i + 500 < to ? i + 500 : to;
		rc = nms_store_tx(&s, reg_tx, &a, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "fleet: registering: %s\n", err);
			break;
		}
	}
	nms_store_close(&s);
	return rc;
}

static int add_routers(int n, char *err, size_t errlen)
{
	pthread_mutex_lock(&routers_lock);
	if (nrouters + n > cap_routers) {
		int cap = (nrouters + n) * 2;
		struct router *v = realloc(routers, (size_t)cap * sizeof(*v));

		if (!v) {
			pthread_mutex_unlock(&routers_lock);
			return tr_fail(err, errlen, "out of memory");
		}
		routers = v;
		cap_routers = cap;
	}
	pthread_mutex_unlock(&routers_lock);
	for (int i = nrouters; i < nrouters + n; i++)
		if (make_router(&routers[i], i, err, errlen) < 0)
			return -1;
	pthread_mutex_lock(&routers_lock);
	nrouters += n;
	pthread_mutex_unlock(&routers_lock);
	return 0;
}

/* ---- explicit attestation (--sessions) ---- */

static uint8_t *ima_log;
static size_t ima_log_len;
static struct tr_pcr_values pcr_values; /* the log's replay */
static struct os_facts os_base;
static atomic_long sessions_ok, sessions_good, sessions_failed;
static const char *nms_ca_file;
/* nmsd's PT-TLS ports (several NMS hosts: sessions spread over them). */
static unsigned short nms_ports[16];
static int n_ports;

static int log_add(uint32_t pcr, const uint8_t *d, const char *name,
		   size_t *cap)
{
	uint8_t data[600];
	int n = ima_ng_template_data("sha256", d, 32, name, data, sizeof(data));

	if (n <= 0)
		return -1;
	if (*cap - ima_log_len < 1024) {
		*cap = 2 * *cap + 65536;
		ima_log = realloc(ima_log, *cap);
		if (!ima_log)
			return -1;
	}
	n = ima_log_entry_encode(pcr, "ima-ng", data, (size_t)n, false,
				 ima_log + ima_log_len, *cap - ima_log_len);
	if (n <= 0)
		return -1;
	ima_log_len += (size_t)n;
	return 0;
}

/* The image: a reference list of @m files, and the log of a boot. */
static int make_image(const char *dir, size_t m, char *err, size_t errlen)
{
	uint8_t *digests = malloc(m * 32), *list = NULL, d[32], agg[32];
	char path[4096], name[256];
	size_t len = 0, cap = 0, n;
	FILE *f;

	if (!digests)
		return tr_fail(err, errlen, "out of memory");
	for (size_t i = 0; i < m; i++) {
		snprintf(name, sizeof(name), "fleet file %zu", i);
		SHA256((const uint8_t *)name, strlen(name), digests + 32 * i);
	}
	if (dl_write(HASH_ALGO_SHA256, 0, digests, m, &list, &len, err,
		     errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/10-fleet.list", dir);
	f = fopen(path, "w");
	if (!f || fwrite(list, 1, len, f) != len || fclose(f))
		return tr_fail(err, errlen, "%s: cannot write", path);
	memset(agg, 0xba, sizeof(agg));
	SHA256(list, len, d);
	if (log_add(10, agg, "boot_aggregate", &cap) < 0 ||
	    log_add(11, d, "/etc/trustroute/digest_lists/10-fleet.list", &cap) <
		    0)
		return tr_fail(err, errlen, "the log");
	for (size_t i = 0; i < m; i++) {
		snprintf(name, sizeof(name), "/usr/lib/router/file-%zu", i);
		if (log_add(10, digests + 32 * i, name, &cap) < 0)
			return tr_fail(err, errlen, "the log");
	}
	free(digests);
	free(list);
	pcr_values.selected[10] = pcr_values.selected[11] = 1;
	for (int pcr = 10; pcr <= 11; pcr++) {
		uint8_t out[IMA_LOG_DIGEST_MAX];

		if (ima_log_replay(ima_log, ima_log_len, "sha256",
				   (uint32_t)pcr, out, &len, &n, err,
				   errlen) < 0)
			return -1;
		memcpy(pcr_values.value[pcr], out, 32);
	}
	return 0;
}

/* The stand-in's TPM2_Quote: the PCRs asked, over the NMS's nonce. */
static int soft_quote(void *arg, const unsigned char selected[TR_PCRS],
		      const TPM2B_DATA *nonce, struct tr_quote *q, char *err,
		      size_t errlen)
{
	struct router *r = arg;
	TPMS_ATTEST a = { 0 };
	TPMS_PCR_SELECTION *sel;
	TPM2B_NAME name;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t digest[32], der[80];
	size_t off = 0, dlen = sizeof(der);
	EVP_PKEY_CTX *ctx;
	int ok;

	memset(q, 0, sizeof(*q));
	if (!md || tr_tpm_name(&r->ak_pub, &name) < 0) {
		EVP_MD_CTX_free(md);
		return tr_fail(err, errlen, "quote: out of memory");
	}
	a.magic = TPM2_GENERATED_VALUE;
	a.type = TPM2_ST_ATTEST_QUOTE;
	memcpy(&a.qualifiedSigner, &name, sizeof(name));
	a.extraData.size = nonce->size;
	memcpy(a.extraData.buffer, nonce->buffer, nonce->size);
	a.clockInfo.clock = (UINT64)now_ms();
	a.clockInfo.resetCount = 1;
	a.clockInfo.safe = 1;
	a.firmwareVersion = 0x20191023;
	a.attested.quote.pcrSelect.count = 1;
	sel = &a.attested.quote.pcrSelect.pcrSelections[0];
	sel->hash = TPM2_ALG_SHA256;
	sel->sizeofSelect = 3;
	q->pcrs.selected[0] = 0;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (int i = 0; i < TR_PCRS; i++) {
		if (!selected[i])
			continue;
		sel->pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));
		q->pcrs.selected[i] = 1;
		memcpy(q->pcrs.value[i], pcr_values.value[i], 32);
		EVP_DigestUpdate(md, pcr_values.value[i], 32);
	}
	a.attested.quote.pcrDigest.size = 32;
	EVP_DigestFinal_ex(md, a.attested.quote.pcrDigest.buffer, NULL);
	EVP_MD_CTX_free(md);
	if (Tss2_MU_TPMS_ATTEST_Marshal(&a, q->attest.attestationData,
					sizeof(q->attest.attestationData),
					&off))
		return tr_fail(err, errlen, "marshalling the quote");
	q->attest.size = (UINT16)off;
	SHA256(q->attest.attestationData, off, digest);
	ctx = EVP_PKEY_CTX_new(r->ak, NULL);
	ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_sign(ctx, der, &dlen, digest, sizeof(digest)) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok || tr_tpm_sig_from_der(der, dlen, &q->sig, err, errlen) < 0)
		return tr_fail(err, errlen, "signing the quote");
	return 0;
}

static atomic_long next_router;
static volatile int sessions_stop;

static void *session_client(void *arg)
{
	(void)arg;
	while (!sessions_stop) {
		long k = atomic_fetch_add(&next_router, 1);
		struct router *r = &routers[k % nrouters];
		struct os_facts os = os_base;
		struct tnc_client_config c = {
			.nms_address = "127.0.0.1",
			.nms_port = nms_ports[k % n_ports],
			.nms_name = "localhost",
			.nms_ca = nms_ca_file,
			.os_root = "/",
			.timeout_ms = 30000,
			.quote = soft_quote,
			.quote_arg = r,
			.ima_log_buf = ima_log,
			.ima_log_len = ima_log_len,
			.os = &os,
			.device = r->name,
		};
		struct tnc_client_result res;
		char err[256];

		/* Each router its own machine. */
		snprintf(os.device_id, sizeof(os.device_id), "%032x",
			 (unsigned)(r - routers));
		if (tnc_client_run(&c, &res, err, sizeof(err)) < 0) {
			if (!atomic_fetch_add(&sessions_failed, 1))
				fprintf(stderr, "fleet: session of %s: %s\n",
					r->name, err);
			continue;
		}
		atomic_fetch_add(&sessions_ok, 1);
		if (res.quoted && res.assessment == TR_PA_COMPLIANT)
			atomic_fetch_add(&sessions_good, 1);
	}
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "routers", required_argument, NULL, 'n' },
		{ "prefix", required_argument, NULL, 'x' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "pcr-values", required_argument, NULL, 'V' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "churn", required_argument, NULL, 'C' },
		{ "stats", required_argument, NULL, 'S' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "sessions", required_argument, NULL, 'X' },
		{ "nms-port", required_argument, NULL, 'N' },
		{ "lists-dir", required_argument, NULL, 'L' },
		{ "log-entries", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ca_dir = NULL, *db = NULL, *addr = "127.0.0.1",
		   *port_file = NULL, *stats_file = NULL, *pcrs = NULL;
	int o, threads = 2, seconds = 0, churn = 0, n = 0, sessions = 0;
	const char *lists_dir = NULL;
	size_t log_entries = 1000;
	long baseline = 0;
	unsigned port = 0;
	char err[512], desc[256];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sa);
	pthread_t th[64];
	FILE *stats = stdout;
	struct nms_store s = { 0 };
	int64_t t_start;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			ca_dir = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'x':
			prefix = optarg;
			break;
		case 'l':
			addr = optarg;
			break;
		case 'p':
			port = (unsigned)atoi(optarg);
			break;
		case 'P':
			port_file = optarg;
			break;
		case 'V':
			pcrs = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 's':
			seconds = atoi(optarg);
			break;
		case 'C':
			churn = atoi(optarg);
			break;
		case 'S':
			stats_file = optarg;
			break;
		case 'B':
			baseline = atol(optarg);
			break;
		case 'X':
			sessions = atoi(optarg);
			break;
		case 'N':
			for (char *p = optarg; *p && n_ports < 16;) {
				nms_ports[n_ports++] =
					(unsigned short)strtoul(p, &p, 10);
				p += *p == ',';
			}
			break;
		case 'L':
			lists_dir = optarg;
			break;
		case 'E':
			log_entries = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (!ca_dir || n <= 0 || threads < 1 || threads > 64 ||
	    (!db && !baseline && !lists_dir)) {
		fprintf(stderr,
			"usage: see the comment at the top of tests/tools/fleet.c\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	/* The TLS keys' policy only matters to probes: PCR 11 zero unless
	 * told (what nmsd computes from the same --pcr-values). */
	if (!pcrs)
		pcrs = "11=00000000000000000000000000000000"
		       "00000000000000000000000000000000";
	if (nms_ca_load(&ca, ca_dir, err, sizeof(err)) < 0 ||
	    nms_key_policy(&(struct nms_key_policy_config){ .pcr_values = pcrs,
							    .lists_pcr = 11 },
			   policy, desc, sizeof(desc), err, sizeof(err)) < 0) {
		fprintf(stderr, "fleet: %s\n", err);
		return 1;
	}
	/* --lists-dir alone: the image's reference list, for nmsd. */
	if (lists_dir && !sessions) {
		if (make_image(lists_dir, log_entries, err, sizeof(err)) < 0) {
			fprintf(stderr, "fleet: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (sessions) {
		static char ca_path[4096];

		if (!lists_dir || !n_ports || !nms_ports[0] || !db) {
			fprintf(stderr,
				"fleet: --sessions needs --db, --nms-port and --lists-dir\n");
			return 2;
		}
		snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", ca_dir);
		nms_ca_file = ca_path;
		if (make_image(lists_dir, log_entries, err, sizeof(err)) < 0 ||
		    os_facts_collect("/", "x86_64", &os_base, err,
				     sizeof(err)) < 0) {
			fprintf(stderr, "fleet: %s\n", err);
			return 1;
		}
	}
	t_start = now_ms();
	if (add_routers(n, err, sizeof(err)) < 0) {
		fprintf(stderr, "fleet: %s\n", err);
		return 1;
	}
	fprintf(stderr, "fleet: %d routers made in %lld ms (%s)\n", n,
		(long long)(now_ms() - t_start), desc);
	if (sessions) {
		pthread_t ct[64];
		int64_t t0;

		if (register_range(db, 0, n, addr, 1) < 0)
			return 1;
		t0 = now_ms();
		for (int i = 0; i < threads; i++)
			pthread_create(&ct[i], NULL, session_client, NULL);
		nanosleep(&(struct timespec){ sessions, 0 }, NULL);
		sessions_stop = 1;
		for (int i = 0; i < threads; i++)
			pthread_join(ct[i], NULL);
		t0 = now_ms() - t0;
		printf("sessions: %ld in %lld ms: %.0f/s (%ld good, %ld failed; %d routers, %zu-entry log, %d clients)\n",
		       atomic_load(&sessions_ok), (long long)t0,
		       1000.0 * (double)atomic_load(&sessions_ok) /
			       (double)(t0 ? t0 : 1),
		       atomic_load(&sessions_good),
		       atomic_load(&sessions_failed), n, log_entries + 2,
		       threads);
		return 0;
	}
	sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_set_min_proto_version(sctx, TLS1_2_VERSION);
	SSL_CTX_set_tlsext_servername_callback(sctx, sni);
	SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int));
	sa.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &slen)) {
		fprintf(stderr, "fleet: %s:%u: %s\n", addr, port,
			strerror(errno));
		return 1;
	}
	port = ntohs(sa.sin_port);
	{
		/* accept() wakes on stop */
		struct timeval tv = { 0, 200000 };

		setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, serve, NULL);
	if (baseline) {
		struct client_args c = { (unsigned short)port,
					 baseline / threads };
		pthread_t ct[64];
		int64_t t0 = now_ms(), dt;

		for (int i = 0; i < threads; i++)
			pthread_create(&ct[i], NULL, client, &c);
		for (int i = 0; i < threads; i++)
			pthread_join(ct[i], NULL);
		dt = now_ms() - t0;
		printf("baseline: %ld TLS handshakes in %lld ms: %.0f/s (%ld failed)\n",
		       atomic_load(&client_ok), (long long)dt,
		       1000.0 * (double)atomic_load(&client_ok) /
			       (double)(dt ? dt : 1),
		       atomic_load(&client_bad));
		stop = 1;
		for (int i = 0; i < threads; i++)
			pthread_join(th[i], NULL);
		return 0;
	}
	t_start = now_ms();
	if (register_range(db, 0, n, addr, port) < 0)
		return 1;
	fprintf(stderr, "fleet: %d routers registered in %lld ms\n", n,
		(long long)(now_ms() - t_start));
	if (port_file) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) ||
		    rename(tmp, port_file))
			return 1;
	}
	if (stats_file && !(stats = fopen(stats_file, "w")))
		return 1;
	if (nms_store_open(&s, db, err, sizeof(err)) < 0) {
		fprintf(stderr, "fleet: %s\n", err);
		return 1;
	}
	fprintf(stats,
		"# t_s served failed routers bad recovered left joined latency_ms_median latency_ms_max\n");
	fflush(stats);
	t_start = now_ms();
	for (int sec = 1; !stop && (!seconds || sec <= seconds); sec++) {
		long s0 = atomic_load(&served),
		     f0 = atomic_load(&failed_served);
		int nb = 0, nr = 0, nl = 0, nj = 0, nlat = 0;
		int64_t lat[4096];

		/* Churn: some go bad, some bad ones recover, some leave,
		 * some join; the NMS must see each. */
		for (int k = 0; churn && k < churn; k++) {
			struct router *r = &routers[rand() % nrouters];
			int what = rand() % 10;

			if (what < 5 && atomic_load(&r->state) == R_GOOD) {
				atomic_store(&r->state, R_BAD);
				r->bad_since_ms = now_ms();
				nb++;
			} else if (what < 8 &&
				   atomic_load(&r->state) == R_BAD) {
				struct trust_change c;

				/* It was re-imaged and attests good. */
				atomic_store(&r->state, R_GOOD);
				r->bad_since_ms = 0;
				if (nms_trust_observe(
					    &s, r->id, TRUST_EV_ATTEST_OK,
					    "fleet: re-attested", now_ms(), &c,
					    err, sizeof(err)) == 0)
					nr++;
			} else if (what == 8 &&
				   atomic_load(&r->state) == R_GOOD &&
				   nms_store_endpoint_delete(
					   &s, r->id, err, sizeof(err)) == 0) {
				atomic_store(&r->state, R_GONE);
				nl++;
			} else if (what == 9 && nrouters < cap_routers) {
				int from = nrouters;

				if (add_routers(1, err, sizeof(err)) == 0 &&
				    register_range(db, from, from + 1, addr,
						   port) == 0)
					nj++;
			}
		}
		/* Detection latency: bad routers the store has as bad now. */
		for (int i = 0; i < nrouters && nlat < 4096; i++) {
			struct router *r = &routers[i];
			struct nms_trust_row row;

			if (atomic_load(&r->state) != R_BAD || !r->bad_since_ms)
				continue;
			if (nms_store_trust_get(&s, r->id, &row, err,
						sizeof(err)) == 0 &&
			    row.state == TRUST_BAD) {
				lat[nlat++] = row.since_ms - r->bad_since_ms;
				r->bad_since_ms = 0;
			}
		}
		qsort(lat, (size_t)nlat, sizeof(lat[0]), cmp64);
		{
			int64_t next = t_start + 1000 * (int64_t)sec,
				w = next - now_ms();

			if (w > 0)
				nanosleep(&(struct timespec){ w / 1000,
							      (w % 1000) *
								      1000000 },
					  NULL);
		}
		fprintf(stats, "%d %ld %ld %d %d %d %d %d %lld %lld\n", sec,
			atomic_load(&served) - s0,
			atomic_load(&failed_served) - f0, nrouters, nb, nr, nl,
			nj, nlat ? (long long)lat[nlat / 2] : -1LL,
			nlat ? (long long)lat[nlat - 1] : -1LL);
		fflush(stats);
	}
	stop = 1;
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	nms_store_close(&s);
	return 0;
}
