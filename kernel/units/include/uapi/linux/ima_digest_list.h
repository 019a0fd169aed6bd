/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * IMA digest lists: the format of a list of known-good file digests that
 * IMA loads through securityfs (<securityfs>/ima/digest_lists/load).
 *
 * A list is a header followed by @count digests of the size of @algo, in
 * strictly ascending byte order (so one set of digests has one encoding,
 * and a list cannot name a digest twice). Multi-byte fields are little
 * endian. A list may be followed by an appended signature in the format
 * of module signatures; the kernel strips it before parsing.
 *
 * See Documentation/security/IMA-digest-lists.rst.
 */
#ifndef _UAPI_LINUX_IMA_DIGEST_LIST_H
#define _UAPI_LINUX_IMA_DIGEST_LIST_H

#include <linux/types.h>

#define IMA_DIGEST_LIST_MAGIC		"IMDL"
#define IMA_DIGEST_LIST_MAGIC_LEN	4
#define IMA_DIGEST_LIST_VERSION		1

/* What the digests are digests of. */
enum ima_digest_list_type {
	IMA_DIGEST_LIST_TYPE_FILE = 0,	/* the contents of regular files */
};

/*
 * IMMUTABLE: the files are not expected to change, so IMA may appraise
 * them by this list (policy option digest_list=appraise).
 */
#define IMA_DIGEST_LIST_MOD_IMMUTABLE	0x0001
#define IMA_DIGEST_LIST_MOD_ALL		IMA_DIGEST_LIST_MOD_IMMUTABLE

/* More digests than this in one list are refused. */
#define IMA_DIGEST_LIST_MAX_COUNT	(1U << 21)

struct ima_digest_list_hdr {
	__u8 magic[IMA_DIGEST_LIST_MAGIC_LEN];	/* IMA_DIGEST_LIST_MAGIC */
	__u8 version;		/* IMA_DIGEST_LIST_VERSION */
	__u8 type;		/* enum ima_digest_list_type */
	__le16 algo;		/* enum hash_algo, <linux/hash_info.h> */
	__le16 modifiers;	/* IMA_DIGEST_LIST_MOD_* */
	__le16 reserved;	/* zero */
	__le32 count;		/* number of digests that follow */
} __attribute__((packed));

#endif /* _UAPI_LINUX_IMA_DIGEST_LIST_H */
