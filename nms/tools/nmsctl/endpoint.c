// SPDX-License-Identifier: GPL-2.0-only
/* nmsctl endpoint: where the NMS probes a router. */
#include "nms/tools/nmsctl/nmsctl.h"
#include "nms/store/store_session.h"
#include "nms/store/store_trust.h"
#include <stdio.h>
#include <string.h>

int cmd_endpoint(int argc, char **argv)
{
	struct nms_store s;
	char err[256];
	int64_t id;
	int rc = 1;

	if (argc != 6 || strcmp(argv[1], "--db"))
		return usage(2);
	if (nms_store_open(&s, argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "nmsctl: %s\n", err);
		return 2;
	}
	id = nms_store_device_id(&s, argv[3], err, sizeof(err));
	if (id > 0 &&
	    nms_store_endpoint_set(&s, id, argv[4], (unsigned)atoi(argv[5]),
				   err, sizeof(err)) == 0)
		rc = 0;
	else
		fprintf(stderr, "nmsctl: %s\n", err);
	nms_store_close(&s);
	return rc;
}
