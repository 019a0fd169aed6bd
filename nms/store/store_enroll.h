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

/*
 * The device named @name with EK @ek_name (its TPM name), created on
 * first sight. An EK already bound to another device name is refused:
 * one TPM, one identity. Returns the device id, or -1.
 */
int64_t nms_store_device_for_ek(struct nms_store *s, const char *name,
				struct nms_blob ek_name, struct nms_blob ek_pub,
				struct nms_blob ek_cert, char *err,
				size_t errlen);

/* A device's name (@cap bytes) and its EK's TPM name; 0, or -1. */
int nms_store_device_get(struct nms_store *s, int64_t id, char *name,
			 size_t cap, uint8_t *ek_name, size_t ek_cap,
			 size_t *ek_len);

/*
 * The AK named @name of @device_id, added on first sight. An AK known
 * under another device is refused. Returns its id, or -1.
 */
int64_t nms_store_ak(struct nms_store *s, int64_t device_id,
		     struct nms_blob name, struct nms_blob pub, char *err,
		     size_t errlen);
/* The TPM name of AK @ak_id into @name (@cap bytes); its length, or -1. */
int nms_store_ak_name(struct nms_store *s, int64_t ak_id, uint8_t *name,
		      size_t cap);
/* The AK's credential was activated at @when. */
int nms_store_ak_activated(struct nms_store *s, int64_t ak_id, int64_t when,
			   char *err, size_t errlen);

struct nms_challenge {
	int64_t device_id;
	int64_t ak_id; /* the AK the credential was made for */
	uint8_t secret_hash[32]; /* SHA-256 of the credential secret */
	int64_t expires; /* Unix time */
};

/* Store challenge @nonce (unique). */
int nms_store_challenge_add(struct nms_store *s, struct nms_blob nonce,
			    const struct nms_challenge *c, char *err,
			    size_t errlen);

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
