/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough of the kernel's API to compile the pure parts of kernel
 * code (a parser) as a user-space program, under ASan/UBSan or libFuzzer.
 * Every kernel header such code includes is this file (see shim/).
 */
#ifndef TR_KSHIM_H
#define TR_KSHIM_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int gfp_t;

#define GFP_KERNEL 0
#define BIT(n) (1UL << (n))
#define unlikely(x) (x)
#define __rcu
#define __init
#define EXPORT_SYMBOL_IF_KUNIT(s)
#define SHA256_DIGEST_SIZE 32
#define XATTR_SECURITY_PREFIX "security."
#define struct_size(p, member, n) (sizeof(*(p)) + (n) * sizeof((p)->member[0]))

enum hash_algo {
	HASH_ALGO_SHA1 = 2,
	HASH_ALGO_SHA256 = 4,
	HASH_ALGO_SHA512 = 6,
	HASH_ALGO__LAST = 23
};

struct rcu_head {
	void *next;
};
struct lsm_blob_sizes {
	int lbs_cred, lbs_file, lbs_inode, lbs_ipc, lbs_msg_msg;
};
struct cred {
	void *security;
};
struct inode {
	void *i_security;
};
struct file {
	void *f_security;
};
struct kern_ipc_perm {
	void *security;
};
struct msg_msg {
	void *security;
};

#define MAX_ERRNO 4095
static inline void *ERR_PTR(long e)
{
	return (void *)e;
}
static inline long PTR_ERR(const void *p)
{
	return (long)p;
}
static inline bool IS_ERR(const void *p)
{
	return (unsigned long)p >= (unsigned long)-MAX_ERRNO;
}

static inline void *kzalloc(size_t n, gfp_t f)
{
	(void)f;
	return calloc(1, n ? n : 1);
}
static inline void kfree(const void *p)
{
	free((void *)p);
}
static inline char *kmemdup_nul(const char *s, size_t n, gfp_t f)
{
	char *p = malloc(n + 1);

	(void)f;
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static inline int hex2bin(u8 *dst, const char *src, size_t count)
{
	unsigned int v;

	while (count--) {
		if (!isxdigit((unsigned char)src[0]) ||
		    !isxdigit((unsigned char)src[1]) ||
		    sscanf(src, "%2x", &v) != 1)
			return -EINVAL;
		*dst++ = v;
		src += 2;
	}
	return 0;
}

#endif
