// SPDX-License-Identifier: GPL-2.0-only
#include "os/collect.h"

#include "base/errmsg.h"
#include "base/fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL_FILE 65536

int os_release_value(const char *s, size_t len, const char *key, char *out,
		     size_t cap)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < len;) {
		const char *line = s + i, *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i, vlen;
		const char *v;

		i += n + 1;
		if (n <= klen || memcmp(line, key, klen) || line[klen] != '=')
			continue;
		v = line + klen + 1;
		vlen = n - klen - 1;
		/* Quoted values lose their quotes; escapes are not used by
		 * the keys we read. */
		if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[vlen - 1] == v[0]) {
			v++;
			vlen -= 2;
		}
		if (!vlen || vlen >= cap || memchr(v, 0, vlen))
			return -1;
		memcpy(out, v, vlen);
		out[vlen] = 0;
		return 0;
	}
	return -1;
}

/* @root/@rel, whole, NUL-terminated (read_file_bounded): NULL if absent. */
static char *slurp(const char *root, const char *rel, size_t *len)
{
	char path[PATH_MAX];
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (read_file_bounded(path, SMALL_FILE, &buf, len) < 0)
		return NULL;
	return (char *)buf;
}

static bool flag_file(const char *root, const char *rel)
{
	size_t len;
	char *s = slurp(root, rel, &len);
	bool on = s && len && s[0] == '1';

	free(s);
	return on;
}

static int64_t boot_time(const char *root)
{
	size_t len;
	char *s = slurp(root, "proc/stat", &len), *p;
	int64_t t = 0;

	p = s ? strstr(s, "\nbtime ") : NULL;
	if (p)
		t = strtoll(p + 7, NULL, 10);
	free(s);
	return t;
}

int os_facts_collect(const char *root, const char *machine, struct os_facts *f,
		     char *err, size_t errlen)
{
	char id[64], path[PATH_MAX];
	size_t len;
	char *s;

	memset(f, 0, sizeof(*f));
	s = slurp(root, "etc/os-release", &len);
	if (!s ||
	    os_release_value(s, len, "NAME", f->product, sizeof(f->product)) <
		    0 ||
	    os_release_value(s, len, "VERSION_ID", id, sizeof(id)) < 0) {
		free(s);
		return tr_fail(err, errlen,
			       "%s/etc/os-release: no NAME or VERSION_ID",
			       root);
	}
	free(s);
	snprintf(f->version, sizeof(f->version), "%.30s %.30s", id, machine);
	f->major = (uint32_t)strtoul(id, &s, 10);
	if (*s == '.')
		f->minor = (uint32_t)strtoul(s + 1, NULL, 10);

	s = slurp(root, "etc/machine-id", &len);
	if (!s || len < 32 || strspn(s, "0123456789abcdef") != 32) {
		free(s);
		return tr_fail(err, errlen,
			       "%s/etc/machine-id: not 32 hex digits", root);
	}
	memcpy(f->device_id, s, 32);
	free(s);

	f->forwarding_v4 = flag_file(root, "proc/sys/net/ipv4/ip_forward");
	f->forwarding_v6 =
		flag_file(root, "proc/sys/net/ipv6/conf/all/forwarding");
	f->last_boot = boot_time(root);
	snprintf(path, sizeof(path),
		 "%s/etc/trustroute/factory-default-password", root);
	f->default_password = access(path, F_OK) == 0;
	return 0;
}
