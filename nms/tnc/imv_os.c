// SPDX-License-Identifier: GPL-2.0-only
#include "nms/tnc/imv_os.h"

#include <string.h>

void imv_os_assess(const struct imv_os_policy *p, const struct os_facts *f,
		   const char *known_device_id, struct nms_verdict *r)
{
	bool listed = !p->n_products;

	verdict_init(r);
	for (size_t i = 0; i < p->n_products; i++)
		listed |= !strcmp(p->products[i], f->product);
	if (!f->product[0] || !f->device_id[0])
		verdict_add(r, VERDICT_UNKNOWN, "OS facts incomplete");
	else if (!listed)
		verdict_add(r, VERDICT_UNKNOWN,
			    "product \"%s\" is not one the operator lists",
			    f->product);
	if (f->major < p->min_major ||
	    (f->major == p->min_major && f->minor < p->min_minor))
		verdict_add(r, VERDICT_BAD,
			    "version %u.%u is below the minimum %u.%u",
			    f->major, f->minor, p->min_major, p->min_minor);
	/* Anyone who read the manual can log in. */
	if (f->default_password)
		verdict_add(r, VERDICT_BAD, "factory default password enabled");
	if (p->forwarding_expected && !f->forwarding_v4 && !f->forwarding_v6)
		verdict_add(r, VERDICT_UNKNOWN,
			    "forwarding disabled on a router");
	/* The TPM key vouches for this device; a different machine id
	 * means another OS installation answers with it. */
	if (known_device_id && known_device_id[0] &&
	    strcmp(known_device_id, f->device_id))
		verdict_add(r, VERDICT_BAD,
			    "device id %s, not %s as first seen", f->device_id,
			    known_device_id);
}
