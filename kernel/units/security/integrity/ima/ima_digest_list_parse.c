// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMA digest lists: parser.
 *
 * A pure function over a buffer that the kernel read itself (so what IMA
 * appraised is what is parsed). Every field is checked; anything unknown
 * is refused rather than ignored, so that a list means the same to every
 * kernel that accepts it.
 */
#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "../integrity.h"
#include "ima_digest_list.h"

/*
 * Algorithms a list may use. SHA-1 is left out on purpose: a list vouches
 * for files, and SHA-1 collisions are practical.
 */
static bool ima_digest_list_algo_ok(unsigned int algo)
{
	switch (algo) {
	case HASH_ALGO_SHA256:
	case HASH_ALGO_SHA384:
	case HASH_ALGO_SHA512:
		return true;
	default:
		return false;
	}
}

/**
 * ima_digest_list_parse - check a digest list and describe its contents
 * @buf: the list, without any appended signature
 * @size: its size in bytes
 * @view: filled on success; view->digests points into @buf
 * @reason: on failure, a short description of what is wrong
 *
 * Return: 0, -EBADMSG if the list is malformed, -EOPNOTSUPP if it uses a
 * version, type, algorithm or modifier this kernel does not know, -E2BIG if
 * it has more than IMA_DIGEST_LIST_MAX_COUNT digests.
 */
int ima_digest_list_parse(const void *buf, size_t size,
			  struct ima_digest_list_view *view,
			  const char **reason)
{
	const struct ima_digest_list_hdr *hdr = buf;
	const u8 *digests, *prev, *cur;
	size_t body;
	u32 count, i;
	u16 algo, modifiers;

	if (size < sizeof(*hdr)) {
		*reason = "shorter than the header";
		return -EBADMSG;
	}
	if (memcmp(hdr->magic, IMA_DIGEST_LIST_MAGIC,
		   IMA_DIGEST_LIST_MAGIC_LEN)) {
		*reason = "bad magic";
		return -EBADMSG;
	}
	if (hdr->version != IMA_DIGEST_LIST_VERSION) {
		*reason = "unsupported version";
		return -EOPNOTSUPP;
	}
	if (hdr->type != IMA_DIGEST_LIST_TYPE_FILE) {
		*reason = "unsupported list type";
		return -EOPNOTSUPP;
	}
	algo = get_unaligned_le16(&hdr->algo);
	if (!ima_digest_list_algo_ok(algo)) {
		*reason = "unsupported hash algorithm";
		return -EOPNOTSUPP;
	}
	modifiers = get_unaligned_le16(&hdr->modifiers);
	if (modifiers & ~IMA_DIGEST_LIST_MOD_ALL) {
		*reason = "unknown modifiers";
		return -EOPNOTSUPP;
	}
	if (get_unaligned_le16(&hdr->reserved)) {
		*reason = "reserved field not zero";
		return -EBADMSG;
	}
	count = get_unaligned_le32(&hdr->count);
	if (count > IMA_DIGEST_LIST_MAX_COUNT) {
		*reason = "too many digests";
		return -E2BIG;
	}
	/* Cannot overflow for count <= 2^21, but say so to the reader. */
	if (check_mul_overflow((size_t)count, (size_t)hash_digest_size[algo],
			       &body) ||
	    body != size - sizeof(*hdr)) {
		*reason = body > size - sizeof(*hdr) ? "truncated" :
						       "trailing bytes";
		return -EBADMSG;
	}

	/*
	 * Strictly ascending: one encoding per set, no digest twice. A list
	 * naming a digest twice would make the per-digest reference counts
	 * disagree with the number of lists that contain it.
	 */
	digests = (const u8 *)buf + sizeof(*hdr);
	for (i = 1; i < count; i++) {
		prev = digests + (size_t)(i - 1) * hash_digest_size[algo];
		cur = prev + hash_digest_size[algo];
		if (memcmp(prev, cur, hash_digest_size[algo]) >= 0) {
			*reason = "digests not in strictly ascending order";
			return -EBADMSG;
		}
	}

	view->algo = algo;
	view->type = hdr->type;
	view->modifiers = modifiers;
	view->count = count;
	view->digest_size = hash_digest_size[algo];
	view->digests = digests;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_list_parse);

/**
 * ima_digest_list_grants - what a list may do, from what IMA did to it
 * @status: IMA_DIGEST_LIST_MEASURED, _APPRAISED, _SIGNED (from IMA)
 * @modifiers: the list's IMA_DIGEST_LIST_MOD_*
 * @require_sigs: refuse a list that was not appraised with a signature
 * @reason: why, when the list is refused
 *
 * A list vouches for files only as far as IMA vouched for the list. It
 * may hide the measurement of files only if it is itself measured, so
 * that the measurement list still tells what could have run unmeasured.
 * It may pass the appraisal of files only if it is immutable (the files
 * are not expected to change) and a key vouched for it: IMMUTABLE is a
 * claim the list makes about itself, worth nothing unsigned, and a hash
 * in security.ima says nothing about who wrote the list.
 *
 * Return: the IMA_DIGEST_GRANT_* bits, never zero, or -EACCES if the list
 * is refused: it grants nothing, or @require_sigs and it is not signed.
 */
int ima_digest_list_grants(unsigned int status, u16 modifiers,
			   bool require_sigs, const char **reason)
{
	bool signed_ok = (status & IMA_DIGEST_LIST_APPRAISED) &&
			 (status & IMA_DIGEST_LIST_SIGNED);
	int grants = 0;

	if (require_sigs && !signed_ok) {
		*reason = "not appraised with a signature (IMA_DIGEST_LIST_REQUIRE_SIGS)";
		return -EACCES;
	}
	if (status & IMA_DIGEST_LIST_MEASURED)
		grants |= IMA_DIGEST_GRANT_MEASURE;
	if (signed_ok && (modifiers & IMA_DIGEST_LIST_MOD_IMMUTABLE))
		grants |= IMA_DIGEST_GRANT_APPRAISE;
	if (!grants) {
		*reason = "it would grant nothing (not measured, nor immutable and signed)";
		return -EACCES;
	}
	return grants;
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_list_grants);

/**
 * ima_digest_list_parse_opt - check the value of a rule's digest_list=
 * @value: what follows "digest_list="
 * @action: the rule's action: IMA_MEASURE, IMA_APPRAISE, or another
 *
 * A measure rule may let lists skip measurements ("measure"), an appraise
 * rule may let them pass appraisals ("appraise"); no other rule may use
 * the option, and no other value is accepted, so that a typo cannot turn
 * into a rule that does something else than what was written.
 *
 * Return: 0, or -EINVAL.
 */
int ima_digest_list_parse_opt(const char *value, int action)
{
	if (action == IMA_MEASURE && !strcmp(value, "measure"))
		return 0;
	if (action == IMA_APPRAISE && !strcmp(value, "appraise"))
		return 0;
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(ima_digest_list_parse_opt);
