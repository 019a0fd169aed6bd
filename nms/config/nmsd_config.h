/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nmsd's configuration: the config file and the options (nmsd(8)).
 * A config file holds the same options as "name = value" lines ('#'
 * starts a comment, blanks around names and values do not count, a name
 * alone is a flag such as "mutual"); each line becomes "--name=value"
 * ahead of the command line, whose options come after it and win.
 * Apart from reading the file, pure: the parsers run on buffers and
 * argument vectors.
 */
#ifndef TR_NMS_NMSD_CONFIG_H
#define TR_NMS_NMSD_CONFIG_H

#include "nms/enroll/enroll.h"
#include "nms/enroll/est_server.h"
#include "nms/enroll/key_policy.h"
#include "nms/tnc/attest_service.h"
#include "nms/trust/trust_policy.h"

#define NMSD_MAX_ARGS 512
#define NMSD_CONFIG_MAX (1u << 20)

struct nmsd_options {
	const char *db, *port_file, *tnc_port_file;
	struct nms_est_config est;
	struct nms_enroll_config enroll;
	struct nms_key_policy_config policy;
	struct attest_service_config attest;
	struct trust_metrics metrics;
	unsigned probe_interval, probe_timeout;
};

/* nmsd's defaults, before the config file and the command line. */
void nmsd_options_default(struct nmsd_options *o);

/*
 * The "name = value" lines of config text @text (@len bytes; @path
 * names it in messages) appended to @args as "--name=value" (malloc'ed),
 * *@n of NMSD_MAX_ARGS used. 0, or -1 with the reason in @err.
 */
int nmsd_config_args(const char *path, const char *text, size_t len,
		     char **args, int *n, char *err, size_t errlen);
/* The same from the file @path. */
int nmsd_config_read(const char *path, char **args, int *n, char *err,
		     size_t errlen);

/*
 * The options @argv (getopt_long, argv[0] the program) into @o, over
 * what it holds. 0, or -1 when they are not a valid configuration, with
 * the reason in @err (empty when getopt_long printed it). Numbers are
 * decimal digits in their range, no path or name is empty. Strings in
 * @o point into @argv.
 */
int nmsd_options_parse(int argc, char **argv, struct nmsd_options *o, char *err,
		       size_t errlen);

#endif
