/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IMA binary measurement log (securityfs ima/binary_runtime_measurements):
 * a bounded parser and the PCR replay. Pure functions over a buffer: no
 * I/O, no allocation, every length checked against what is left.
 *
 * Entry layout (little endian, as written by an x86 kernel):
 *   u32 pcr | u8 template_digest[20] (SHA-1) | u32 name_len | name
 *   | u32 data_len | data   (data = per field: u32 len | bytes)
 */
#ifndef TR_IMA_LOG_H
#define TR_IMA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMA_LOG_NAME_MAX 255 /* TCG_EVENT_NAME_LEN_MAX */
#define IMA_LOG_DATA_MAX (1u << 20) /* no real entry comes close */
#define IMA_LOG_PCR_MAX 23
#define IMA_LOG_DIGEST_MAX 64

struct ima_log_entry {
	size_t index; /* 0-based position in the log */
	size_t offset; /* byte offset of the entry */
	uint32_t pcr;
	uint8_t template_digest[20];
	char template_name[IMA_LOG_NAME_MAX + 1];
	const uint8_t *data; /* template data, points into the log */
	uint32_t data_len;
	bool violation; /* all-zero template digest: ToMToU, open-writers */
	/* ima-ng family (d-ng, n-ng first); empty/NULL for other templates */
	char hash_algo[16];
	const uint8_t *file_digest;
	uint32_t file_digest_len;
	const char *file_name; /* NUL-terminated, inside data */
	/* ima-buf only: the buf field (the measured buffer itself) */
	const uint8_t *buf;
	uint32_t buf_len;
};

struct ima_log_cursor {
	const uint8_t *buf;
	size_t len;
	size_t off;
	size_t index;
};

static inline void ima_log_cursor_init(struct ima_log_cursor *c,
				       const uint8_t *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->off = 0;
	c->index = 0;
}

/*
 * Parse the next entry. Returns 1 with *e filled, 0 at the clean end of the
 * log, -1 on malformed input with a message naming the entry and offset.
 */
int ima_log_next(struct ima_log_cursor *c, struct ima_log_entry *e, char *err,
		 size_t errlen);

/*
 * Replay the whole log into PCR @pcr of bank @bank ("sha1", "sha256",
 * "sha384", "sha512"), starting from zeros, as the kernel extends it.
 * Also checks each entry's SHA-1 template digest against its data, so an
 * edited log cannot replay to a matching value by accident.
 * Returns 0 with the digest in @out (*out_len bytes) and the number of
 * entries for that PCR in *n_entries, or -1 with a message.
 */
int ima_log_replay(const uint8_t *buf, size_t len, const char *bank,
		   uint32_t pcr, uint8_t out[IMA_LOG_DIGEST_MAX],
		   size_t *out_len, size_t *n_entries, char *err,
		   size_t errlen);

/*
 * What entry @e extends its PCR with in bank @bank: H(template data), or
 * all-ones for a violation. Checks the SHA-1 template digest against the
 * data as the replay does. Returns the digest size, or -1 with a message.
 */
int ima_log_entry_event(const struct ima_log_entry *e, const char *bank,
			uint8_t out[IMA_LOG_DIGEST_MAX], char *err,
			size_t errlen);

/* pcr = H(pcr || event) in bank @bank. Returns 0, or -1 (unknown bank). */
int ima_pcr_extend(const char *bank, uint8_t *pcr, const uint8_t *event);

/*
 * One log entry as an x86 kernel writes it: PCR @pcr, template
 * @template_name with @data, its SHA-1 template digest (all zeros for a
 * violation). Returns its length, or -1 if out of the parser's limits or
 * larger than @cap.
 */
int ima_log_entry_encode(uint32_t pcr, const char *template_name,
			 const uint8_t *data, size_t data_len, bool violation,
			 uint8_t *out, size_t cap);

/*
 * The template data of an ima-ng entry for a file measured with @algo
 * ("sha256", ...) as @digest under @name, as the kernel builds it.
 * Returns its length, or -1 if it does not fit in @cap bytes.
 */
int ima_ng_template_data(const char *algo, const uint8_t *digest,
			 size_t digest_len, const char *name, uint8_t *out,
			 size_t cap);

/*
 * The template data of an ima-buf entry for buffer @buf measured under
 * @name, as the kernel builds it: d-ng with the SHA-256 of @buf, n-ng,
 * buf. Returns its length, or -1 if it does not fit in @cap bytes.
 */
int ima_buf_template_data(const char *name, const uint8_t *buf, size_t len,
			  uint8_t *out, size_t cap);

/*
 * A record of a digest list load or unload: an ima-buf entry named
 * "digest-list-load" or "digest-list-unload" whose buffer is
 * "seq=N result=ERRNO digest=sha256:HEX|none path=PATH"
 * (Documentation/security/IMA-digest-lists.rst in the kernel series).
 */
#define IMA_DL_RECORD_LOAD "digest-list-load"
#define IMA_DL_RECORD_UNLOAD "digest-list-unload"
#define IMA_DL_RECORD_MAX 4200 /* a path of PATH_MAX and the fields */

struct ima_dl_record {
	bool unload;
	uint64_t seq;
	int result; /* 0 or a negative errno */
	bool has_digest;
	uint8_t sha256[32];
	char path[4097];
};

/*
 * Is @e such a record? Returns 1 with *r filled, 0 if @e is no record,
 * -1 with a message if it has a record's name but not its format.
 */
int ima_dl_record_parse(const struct ima_log_entry *e, struct ima_dl_record *r,
			char *err, size_t errlen);

/*
 * The buffer of record @r, as the kernel writes it (no NUL). Returns its
 * length, or -1 if it does not fit in @cap bytes.
 */
int ima_dl_record_text(const struct ima_dl_record *r, char *out, size_t cap);

/*
 * Extend @pcr (of bank @bank) as the kernel does for an entry with this
 * template data: pcr = H(pcr || H(data)). Returns 0, or -1 for an unknown
 * bank.
 */
int ima_pcr_extend_data(const char *bank, uint8_t *pcr, const uint8_t *data,
			size_t len);

/*
 * The boot_aggregate digest a kernel using a SHA-256 PCR bank records:
 * SHA-256 over PCRs 0-9 of that bank.
 */
void ima_boot_aggregate_sha256(const uint8_t pcrs[10][32], uint8_t out[32]);

#endif
