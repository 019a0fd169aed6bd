// SPDX-License-Identifier: GPL-2.0-only
/*
 * digestlist: generate, sign, inspect, upload, predict and export IMA
 * digest lists. See Documentation/man/digestlist.1.
 *
 * Exit: 0 ok, 1 a list failed (bad format, bad signature, refused by the
 * kernel, files not matching their package), 2 usage or I/O error.
 */
#define _GNU_SOURCE
#include "digest-lists/tools/digestlist/digestlist.h"
#include "base/cli.h"
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: digestlist COMMAND [OPTIONS] ...\n"
	"  gen dir   [--algo A] [--prefix P] --output OUT DIR\n"
	"  gen dpkg  [--admin-dir D] [--root R] [--package P]... [--strict] --output OUT\n"
	"  gen deb   --output OUT FILE.deb...\n"
	"  gen log   [--pcr N] --output OUT LOG\n"
	"            OUT gets the immutable files (executables, read-only files),\n"
	"            OUT.mutable the others; each with a .manifest\n"
	"  sign      --key KEY.pem --cert CERT.pem [--modsig] [--sigfile] [--xattr] LIST...\n"
	"  show      [--json] LIST...\n"
	"  verify    [--cert CERT.pem] [--json] LIST...\n"
	"  upload    [--cert CERT] [--securityfs DIR] [--json] LIST...\n"
	"  predict   [--bank B] [--pcr N] [--boot-pcrs HEX,...x10] [--name-dir DIR]\n"
	"            [--policy-pcrs N,N,...] [--steps] [--json] LIST...\n"
	"  export    --output DB LIST...\n";

int usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	return rc;
}

void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "gen", cmd_gen },	  { "sign", cmd_sign },
		{ "show", cmd_show },	  { "verify", cmd_verify },
		{ "upload", cmd_upload }, { "predict", cmd_predict },
		{ "export", cmd_export },
	};

	if (tr_cli_version(argc, argv, "digestlist"))
		return 0;
	if (argc < 2 || tr_cli_help(argc, argv))
		return usage(argc < 2 ? 2 : 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "digestlist: unknown command \"%s\"\n", argv[1]);
	return usage(2);
}
