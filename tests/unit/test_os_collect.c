// SPDX-License-Identifier: GPL-2.0-only
/*
 * The router's OS facts from a fake root: os-release values (quoted or
 * not), the device id, forwarding, the factory default password flag and
 * the boot time; malformed sources are refused with the file named.
 */
#include "os/collect.h"
#include "test_dir.h"
#include "tr_test.h"

#include <string.h>

static struct test_dir dir;

static void put(const char *rel, const char *content)
{
	char path[512];

	test_dir_path(&dir, path, sizeof(path), rel);
	if (test_dir_sh(&dir, "mkdir -p \"$(dirname %s)\"", path))
		fail_msg("mkdir for %s", rel);
	test_write_buf(path, content, strlen(content));
}

static int setup(void **state)
{
	(void)state;
	if (test_dir_make(&dir, "trustroute-os-facts") < 0)
		return -1;
	put("etc/os-release",
	    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	    "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12.4\"\n");
	put("etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
	put("proc/sys/net/ipv4/ip_forward", "1\n");
	put("proc/sys/net/ipv6/conf/all/forwarding", "0\n");
	put("proc/stat", "cpu  1 2 3\nbtime 1790000000\nprocesses 5\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return test_dir_remove(&dir);
}

static void test_collect(void **state)
{
	struct os_facts f;
	char err[256];

	(void)state;
	if (os_facts_collect(dir.dir, "x86_64", &f, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(f.product, "Debian GNU/Linux");
	assert_string_equal(f.version, "12.4 x86_64");
	assert_int_equal(f.major, 12);
	assert_int_equal(f.minor, 4);
	assert_true(f.forwarding_v4);
	assert_false(f.forwarding_v6);
	assert_false(f.default_password);
	assert_string_equal(f.device_id, "3d1219c7c4c5404aaa1f6d2a48adfda4");
	assert_int_equal(f.last_boot, 1790000000);
	put("etc/trustroute/factory-default-password", "");
	assert_int_equal(
		os_facts_collect(dir.dir, "x86_64", &f, err, sizeof(err)), 0);
	assert_true(f.default_password);
}

static void test_os_release_values(void **state)
{
	const char *s =
		"A=1\nNAME='Alpine Linux'\nEMPTY=\"\"\nVERSION_ID=3.19\n"
		"NAMELESS=x\nB=\"unterminated\nC";
	char out[16];

	(void)state;
	assert_int_equal(
		os_release_value(s, strlen(s), "NAME", out, sizeof(out)), 0);
	assert_string_equal(out, "Alpine Linux");
	assert_int_equal(os_release_value(s, strlen(s), "VERSION_ID", out,
					  sizeof(out)),
			 0);
	assert_string_equal(out, "3.19");
	assert_int_equal(os_release_value(s, strlen(s), "B", out, sizeof(out)),
			 0);
	assert_string_equal(out, "\"unterminated");
	/* Absent, empty, too long for the buffer, a key's prefix only. */
	assert_int_equal(os_release_value(s, strlen(s), "ID", out, sizeof(out)),
			 -1);
	assert_int_equal(
		os_release_value(s, strlen(s), "EMPTY", out, sizeof(out)), -1);
	assert_int_equal(os_release_value(s, strlen(s), "NAME", out, 8), -1);
	assert_int_equal(
		os_release_value(s, strlen(s), "NAM", out, sizeof(out)), -1);
	/* The last line without a newline, and a NUL in a value. */
	assert_int_equal(os_release_value("C=x", 3, "C", out, sizeof(out)), 0);
	assert_int_equal(os_release_value("C=a\0b", 5, "C", out, sizeof(out)),
			 -1);
}

static void test_malformed_sources(void **state)
{
	struct os_facts f;
	char err[256] = "";

	(void)state;
	put("etc/machine-id", "not-an-id\n");
	assert_int_equal(
		os_facts_collect(dir.dir, "x86_64", &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "machine-id: not 32 hex digits"));
	put("etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
	put("etc/os-release", "ID=debian\n");
	assert_int_equal(
		os_facts_collect(dir.dir, "x86_64", &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "os-release: no NAME or VERSION_ID"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect),
		cmocka_unit_test(test_os_release_values),
		cmocka_unit_test(test_malformed_sources),
	};

	return TR_RUN(tests, setup, teardown);
}
