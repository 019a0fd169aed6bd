// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz target: the IMA log parser and replay on arbitrary bytes. */
#include "fuzz.h"
#include "ima/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ima_log_cursor c;
	struct ima_log_entry e;
	uint8_t out[IMA_LOG_DIGEST_MAX];
	size_t len, n;
	char err[256];

	ima_log_cursor_init(&c, data, size);
	while (ima_log_next(&c, &e, err, sizeof(err)) == 1) {
		/* Touch what a consumer would read. */
		if (e.file_name && e.file_name[0] == '\1')
			fuzz_sink++;
		if (e.file_digest && e.file_digest[e.file_digest_len - 1] == 1)
			fuzz_sink++;
	}
	ima_log_replay(data, size, "sha256", 10, out, &len, &n, err,
		       sizeof(err));
	return 0;
}
