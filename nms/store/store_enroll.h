/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Enrollment state in the NMS store: devices and their EK, AKs,
 * single-use challenges, certified TLS keys and issued certificates.
 * Each function is one statement or runs in nms_store_tx, so each works
 * alone or inside a caller's transaction.
 */
#ifndef TR_NMS_STORE_ENROLL_H
#define TR_NMS_STORE_ENROLL_H

#include "nms/store/store.h"

/* Refused for identity: one TPM, one name (the reason is in @err). */
#define NMS_STORE_CONFLICT (-2)

/* An EK as the store knows it: by its key and by its TPM name. */
struct nms_ek {
	struct nms_blob key_id; /* tr_ek_key_id: SHA-256 of the key's SPKI */
	struct nms_blob name, pub, cert;
};

/*
 * Whether @name, the EK with @key_id and the AK named @ak_name could be
 * bound together now, without writing anything: 0; NMS_STORE_CONFLICT
 * with the reason (the EK is enrolled under another name, the name is
 * another TPM's, the AK another device's) and the device in question in
 * *device_id; -1 on error.
 */
int nms_store_identity_check(struct nms_store *s, const char *name,
			     struct nms_blob key_id, struct nms_blob ak_name,
			     int64_t *device_id, char *err, size_t errlen);

/*
 * The device named @name with EK @ek, created on first sight. The EK is
 * known by its key: whatever public area comes with it, a key already
 * bound to another name is refused, as is a name bound to another key.
 * Returns the device id, NMS_STORE_CONFLICT, or -1.
 */
int64_t nms_store_device_for_ek(struct nms_store *s, const char *name,
				const struct nms_ek *ek, char *err,
				size_t errlen);

/*
 * The AK named @name of @device_id, added on first sight. An AK known
 * under another device is refused (NMS_STORE_CONFLICT). Returns its id.
 */
int64_t nms_store_ak(struct nms_store *s, int64_t device_id,
		     struct nms_blob name, struct nms_blob pub, char *err,
		     size_t errlen);
/* The AK's credential was activated at @when. */
int nms_store_ak_activated(struct nms_store *s, int64_t ak_id, int64_t when,
			   char *err, size_t errlen);

/*
 * A pending credential challenge: what a router claimed in its first
 * step, waiting for the answer that proves it. It names no device: a
 * device, its EK and its AK are written only once the credential is
 * activated, so a claim nobody can prove reserves nothing (issue 12).
 */
#define NMS_CHALLENGE_BLOB_MAX 4096

struct nms_challenge {
	char device[64];
	uint8_t ek_key_id[32];
	struct nms_challenge_blob {
		uint8_t b[NMS_CHALLENGE_BLOB_MAX];
		size_t n;
	} ek_name, ek_pub, ek_cert, ak_name, ak_pub;
	uint8_t secret_hash[32]; /* SHA-256 of the credential secret */
	int64_t expires; /* Unix time */
	/* What the router said about where it is monitored (schema 8):
	 * registered only once the answer proves it ("" and 0: not said). */
	char endpoint_address[46];
	unsigned endpoint_port, request_port;
	char route_addrs[16 * 47]; /* comma-separated */
};

/*
 * Live challenges one EK may have. The oldest beyond this are dropped
 * when a new one is added, so a client replaying a public EK
 * certificate cannot grow the store without bound.
 */
#define NMS_CHALLENGES_PER_EK 8

/*
 * Store challenge @nonce (unique); expired challenges (at @now) go, and
 * so do the EK's oldest beyond NMS_CHALLENGES_PER_EK.
 */
int nms_store_challenge_add(struct nms_store *s, struct nms_blob nonce,
			    const struct nms_challenge *c, int64_t now,
			    char *err, size_t errlen);

/*
 * Consume the challenge @nonce, now: 0 with it when it existed and had
 * not expired, -1 otherwise. Either way it is gone, so an answer can be
 * used once (a replay finds nothing). Inside a transaction that later
 * rolls back, the challenge comes back with it.
 */
int nms_store_challenge_take(struct nms_store *s, struct nms_blob nonce,
			     int64_t now, struct nms_challenge *c, char *err,
			     size_t errlen);

/*
 * The certified TLS key named @name of @device_id, with the authPolicy it
 * was checked against; added, or updated when seen again (re-enrollment
 * of the same key). A key known under another device is refused.
 */
int64_t nms_store_tls_key(struct nms_store *s, int64_t device_id,
			  struct nms_blob name, struct nms_blob pub,
			  const uint8_t policy[32], char *err, size_t errlen);

struct nms_cert_row {
	int64_t device_id, tls_key_id;
	const char *serial; /* hex */
	struct nms_blob der;
	int64_t not_after;
};

int64_t nms_store_cert_add(struct nms_store *s, const struct nms_cert_row *c,
			   char *err, size_t errlen);

/* How many certificates were issued to @device_id (all when 0); -1. */
int64_t nms_store_cert_count(struct nms_store *s, int64_t device_id);

#endif
