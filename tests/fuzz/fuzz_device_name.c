// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the Device Name attribute value (attest_attrs.h), which a
 * router without a certificate sends to claim its enrolled name. It is
 * taken exactly when it is 1..63 bytes of [A-Za-z0-9.-] (checked here
 * independently), comes back as the same bytes NUL-terminated, and never
 * writes past a buffer too small for it; every refusal says why.
 * abort() otherwise.
 */
#include "fuzz.h"
#include "tnc/attest_attrs.h"

#include <stdlib.h>
#include <string.h>

static bool host_name_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static void decode(const uint8_t *data, size_t size, size_t cap, bool want)
{
	char *name = malloc(cap), err[256] = "";

	if (!name)
		abort();
	if (!tr_attr_device_name_decode(data, size, name, cap, err,
					sizeof(err))) {
		if (!want || size >= cap || strlen(name) != size ||
		    memcmp(name, data, size))
			abort();
		fuzz_sink += (unsigned char)name[0];
	} else if (!err[0] || (want && size < cap)) {
		abort();
	}
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool want = size >= 1 && size <= TR_ATTR_DEVICE_NAME_MAX;

	for (size_t i = 0; want && i < size; i++)
		want = host_name_byte(data[i]);
	/* The server's buffer, and smaller ones (exact-size heap copies). */
	decode(data, size, TR_ATTR_DEVICE_NAME_MAX + 1, want);
	decode(data, size, size ? size : 1, want);
	decode(data, size, size + 1, want);
	return 0;
}
