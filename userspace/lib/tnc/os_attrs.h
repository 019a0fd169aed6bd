/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * OS facts (os/facts.h) as the IETF PA-TNC attributes of the Operating
 * System subtype, the way strongSwan's OS IMC sends them: Product
 * Information, String Version, Numeric Version, Operational Status,
 * Forwarding Enabled, Factory Default Password Enabled and ITA-HSR
 * Device ID. Both ends use it: the IMC builds, the IMV takes.
 */
#ifndef TR_TNC_OS_H
#define TR_TNC_OS_H

#include "os/facts.h"
#include "wire/tlv.h"

/* The attributes of @f into the PA-TNC message being built in @w. */
int tnc_os_build(const struct os_facts *f, struct tr_wbuf *w, char *err,
		 size_t errlen);

/*
 * Take attribute @a into @f: 1 when it was an OS fact, 0 when not ours,
 * -1 when malformed.
 */
int tnc_os_take(struct os_facts *f, const struct tr_tlv *a, char *err,
		size_t errlen);

#endif
