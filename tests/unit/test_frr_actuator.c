// SPDX-License-Identifier: GPL-2.0-only
/*
 * The FRR actuator without FRR: its JSON parser on a real capture (R2 of
 * scripts/netns-frr-ring: "show ip ospf interface json" and "show ip
 * ospf neighbor json") and on malformed output; vtysh replaced by a
 * script that keeps one interface's cost in a file, to check the argument
 * vector, read-change-read back, idempotence, and failing closed (a cost
 * that does not stick, vtysh's complaint, output past the bound). The
 * OSPF cost map.
 */
#include "nms/route/actuator.h"
#include "nms/route/frr_actuator.h"
#include "nms/trust/trust_policy.h"
#include "test_dir.h"
#include "tr_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_dir td;
static char *capture;
static size_t capture_len;

/* The stand-in for vtysh: --vty_socket DIR -d ospfd (-c CMD)... Each
 * command goes to DIR/args, one a line; the cost of "r2-r1" lives in
 * DIR/cost. DIR/ignore: costs do not stick; DIR/fail: it complains;
 * DIR/flood: it says 2 MiB. */
static const char fake_vtysh[] =
	"#!/bin/bash\n"
	"[ \"$1\" = --vty_socket ] && [ \"$3\" = -d ] && [ \"$4\" = ospfd ] || exit 9\n"
	"d=$2; shift 4\n"
	"echo CALL >>\"$d/args\"\n"
	"[ -e \"$d/flood\" ] && exec head -c 2097152 /dev/zero\n"
	"[ -e \"$d/fail\" ] && { echo '% Unknown command: x'; echo 'it went wrong' >&2; exit 1; }\n"
	"while [ $# -gt 0 ]; do\n"
	"  [ \"$1\" = -c ] || exit 8\n"
	"  printf '%s\\n' \"$2\" >>\"$d/args\"\n"
	"  case $2 in\n"
	"  'ip ospf cost '*) [ -e \"$d/ignore\" ] || echo \"${2##* }\" >\"$d/cost\" ;;\n"
	"  'show ip ospf interface json')\n"
	"    printf '{\"interfaces\":{\"r2-r1\":{\"ipAddress\":\"10.32.0.2\",\"ipAddressPrefixlen\":24,\"cost\":%s},"
	"\"r2-b\":{\"ipAddress\":\"10.33.0.1\",\"ipAddressPrefixlen\":24,\"cost\":10}}}\\n' \"$(cat \"$d/cost\")\" ;;\n"
	"  'show ip ospf neighbor json') echo '{\"neighbors\":{}}' ;;\n"
	"  esac\n"
	"  shift 2\n"
	"done\n";

static int setup(void **state)
{
	char p[300];

	(void)state;
	if (test_dir_make(&td, "trustroute-frr") < 0)
		return -1;
	capture = (char *)test_read_buf(TR_DATA_DIR "/frr/r2-ospf.json",
					1 << 20, &capture_len);
	test_dir_path(&td, p, sizeof(p), "vtysh");
	test_write_buf(p, fake_vtysh, strlen(fake_vtysh));
	return test_dir_sh(&td, "chmod 755 '%s'", p) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(capture);
	return test_dir_remove(&td);
}

static struct ra_addr addr(const char *s)
{
	struct ra_addr a;

	assert_int_equal(ra_addr_parse(s, &a), 0);
	return a;
}

static int parse(const char *json, const char *a1, struct frr_iface *out,
		 size_t cap, char *err)
{
	struct ra_addr a = addr(a1);

	return frr_parse_interfaces(json, strlen(json), &a, 1, out, cap, err,
				    512);
}

static void test_parse_capture(void **state)
{
	struct frr_iface f[4];
	struct ra_addr a;
	char err[512];

	(void)state;
	/* R1's address on the link R1-R2: the interface r2-r1. */
	a = addr("10.32.0.1");
	assert_int_equal(frr_parse_interfaces(capture, capture_len, &a, 1, f, 4,
					      err, sizeof(err)),
			 1);
	assert_string_equal(f[0].name, "r2-r1");
	assert_int_equal(f[0].cost, 10);
	assert_int_equal(f[0].prefixlen, 24);
	/* R1's router id: found through the neighbour on r2-r1. */
	a = addr("10.255.0.2");
	assert_int_equal(frr_parse_interfaces(capture, capture_len, &a, 1, f, 4,
					      err, sizeof(err)),
			 1);
	assert_string_equal(f[0].name, "r2-r1");
	/* B's: r2-b. R2's own address is no neighbour's; nor is a stranger. */
	a = addr("10.33.0.2");
	assert_int_equal(frr_parse_interfaces(capture, capture_len, &a, 1, f, 4,
					      err, sizeof(err)),
			 1);
	assert_string_equal(f[0].name, "r2-b");
	a = addr("10.32.0.2");
	assert_int_equal(frr_parse_interfaces(capture, capture_len, &a, 1, f, 4,
					      err, sizeof(err)),
			 0);
	a = addr("10.99.0.1");
	assert_int_equal(frr_parse_interfaces(capture, capture_len, &a, 1, f, 4,
					      err, sizeof(err)),
			 0);
	a = addr("fd00:32::1"); /* OSPFv2 only */
	assert_int_equal(frr_parse_interfaces(capture, capture_len, &a, 1, f, 4,
					      err, sizeof(err)),
			 0);
	/* Two interfaces toward one router, and no room for them. */
	assert_int_equal(
		parse("{\"interfaces\":{"
		      "\"e1\":{\"ipAddress\":\"10.1.0.1\",\"ipAddressPrefixlen\":24,\"cost\":5},"
		      "\"e2\":{\"ipAddress\":\"10.1.1.1\",\"ipAddressPrefixlen\":32,\"cost\":6}}}"
		      "{\"neighbors\":{\"10.1.0.2\":[{\"ifaceAddress\":\"10.1.1.2\",\"ifaceName\":\"e2:10.1.1.1\"}]}}",
		      "10.1.0.2", f, 4, err),
		2);
	assert_int_equal(
		parse("{\"interfaces\":{"
		      "\"e1\":{\"ipAddress\":\"10.1.0.1\",\"ipAddressPrefixlen\":24,\"cost\":5}}}",
		      "10.1.0.2", f, 0, err),
		-1);
	assert_non_null(strstr(err, "more than 0 OSPF interfaces"));
}

static void test_parse_refuses(void **state)
{
	static const struct {
		const char *json, *says;
	} bad[] = {
		{ "", "said nothing" },
		{ "% Unknown command", "not JSON" },
		{ "{\"interfaces\":[]}", "no \"interfaces\" object" },
		{ "{}", "no \"interfaces\" object" },
		{ "{\"interfaces\":{\"e1\":{\"ipAddress\":\"10.1.0.1\",\"ipAddressPrefixlen\":24,\"cost\":\"5\"}}}",
		  "no IPv4 address, prefix length or cost" },
		{ "{\"interfaces\":{\"e1\":{\"ipAddress\":\"10.1.0.1\",\"ipAddressPrefixlen\":24,\"cost\":70000}}}",
		  "no IPv4 address, prefix length or cost" },
		{ "{\"interfaces\":{\"e1\":{\"ipAddress\":\"10.1.0.1\",\"ipAddressPrefixlen\":33,\"cost\":5}}}",
		  "no IPv4 address, prefix length or cost" },
		{ "{\"interfaces\":{\"e1\":{\"ipAddress\":\"fd00::1\",\"ipAddressPrefixlen\":24,\"cost\":5}}}",
		  "no IPv4 address" },
		{ "{\"interfaces\":{\"e1\":5}}", "no IPv4 address" },
		/* A name vtysh would read as two words, toward the router:
		 * refused, not skipped. */
		{ "{\"interfaces\":{\"e 1\":{\"ipAddress\":\"10.1.0.1\",\"ipAddressPrefixlen\":24,\"cost\":5}}}",
		  "a name we cannot give to vtysh" },
		{ "{\"interfaces\":{}}{\"neighbors\":[]}",
		  "no \"neighbors\" object" },
		{ "{\"interfaces\":{}}{\"neighbors\":{\"1.1.1.1\":{}}}",
		  "is not a list" },
		{ "{\"interfaces\":{}}{\"neighbors\":{\"1.1.1.1\":[{}]}}",
		  "no interface name" },
		{ "{\"interfaces\":{}}{\"neighbors\":{}}{}",
		  "more than two JSON documents" },
		{ "{\"interfaces\":{}} garbage", "not JSON" },
		{ "{\"interfaces\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":1}}}}}}}}}}}}}}}}}}",
		  "not JSON" }, /* nested past the tokener's depth */
	};
	struct frr_iface f[4];
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse(bad[i].json, "10.1.0.2", f, 4, err) != -1)
			fail_msg("accepted: %s", bad[i].json);
		if (!strstr(err, bad[i].says))
			fail_msg("%s: said \"%s\", not \"%s\"", bad[i].json,
				 err, bad[i].says);
	}
	/* Truncated anywhere: refused or, cut after the first document,
	 * read without neighbours; never a crash (ASan run). */
	for (size_t n = 0; n < capture_len; n++)
		frr_parse_interfaces(capture, n, &f[0].addr, 0, f, 4, err,
				     sizeof(err));
}

static const struct {
	const char *json, *says;
} bad_isis[] = {
	{ "", "said nothing" },
	{ "{}", "no \"areas\" list" },
	{ "{\"areas\":[{}]}", "has no circuit list" },
	{ "{\"areas\":[{\"circuits\":[{\"circuit\":0}]}]}",
	  "has no interface name" },
	{ "{\"areas\":[{\"circuits\":[{\"interface\":{\"name\":\"e1\","
	  "\"ip-prefix\":{\"ip\":\"10.1.0.1/24\"}}}]}]}",
	  "no prefix or metric" },
	{ "{\"areas\":[{\"circuits\":[{\"interface\":{\"name\":\"e1\","
	  "\"levels\":[{\"metric\":10}],\"ip-prefix\":{\"ip\":\"10.1.0.1\"}}}]}]}",
	  "is not IPv4/LEN" },
	{ "{\"areas\":[{\"circuits\":[{\"interface\":{\"name\":\"e 1\","
	  "\"levels\":[{\"metric\":10}],\"ip-prefix\":{\"ip\":\"10.1.0.1/24\"}}}]}]}",
	  "a name we cannot give to vtysh" },
	{ "{\"areas\":[]}{}", "more than one JSON document" },
};

static int parse_isis(const char *json, struct frr_iface *out, char *err)
{
	struct ra_addr a = addr("10.1.0.2");

	return frr_parse_isis_interfaces(json, strlen(json), &a, 1, out, 4, err,
					 512);
}

/* IS-IS: R2's "show isis interface detail json" on the IS-IS ring. */
static void test_parse_isis(void **state)
{
	struct frr_iface f[4];
	struct ra_addr a;
	char err[512], *isis;
	size_t len;

	(void)state;
	isis = (char *)test_read_buf(TR_DATA_DIR "/frr/r2-isis.json", 1 << 20,
				     &len);
	a = addr("10.32.0.1");
	assert_int_equal(frr_parse_isis_interfaces(isis, len, &a, 1, f, 4, err,
						   sizeof(err)),
			 1);
	assert_string_equal(f[0].name, "r2-r1");
	assert_int_equal(f[0].cost, 10);
	a = addr("10.33.0.2");
	assert_int_equal(frr_parse_isis_interfaces(isis, len, &a, 1, f, 4, err,
						   sizeof(err)),
			 1);
	assert_string_equal(f[0].name, "r2-b");
	a = addr("10.32.0.2"); /* its own */
	assert_int_equal(frr_parse_isis_interfaces(isis, len, &a, 1, f, 4, err,
						   sizeof(err)),
			 0);
	for (size_t n = 0; n < len; n++)
		frr_parse_isis_interfaces(isis, n, &a, 1, f, 4, err,
					  sizeof(err));
	free(isis);
	/* Two levels with different metrics: 0, so that it is set. */
	a = addr("10.1.0.2");
	assert_int_equal(
		parse_isis("{\"areas\":[{\"circuits\":[{\"interface\":{"
			   "\"name\":\"e1\",\"levels\":[{\"metric\":10},"
			   "{\"metric\":20}],\"ip-prefix\":{\"ip\":"
			   "\"10.1.0.1/24\"}}}]}]}",
			   f, err),
		1);
	assert_int_equal(f[0].cost, 0);
	for (size_t i = 0; i < sizeof(bad_isis) / sizeof(bad_isis[0]); i++) {
		err[0] = '\0';
		if (parse_isis(bad_isis[i].json, f, err) != -1)
			fail_msg("accepted: %s", bad_isis[i].json);
		if (!strstr(err, bad_isis[i].says))
			fail_msg("%s: said \"%s\", not \"%s\"",
				 bad_isis[i].json, err, bad_isis[i].says);
	}
}

static void test_cost_map(void **state)
{
	struct trust_metrics m = trust_metrics_default;
	char buf[128], err[256];

	(void)state;
	trust_ospf_costs_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "good=10,unknown=100,bad=10000,offline=1000");
	assert_int_equal(trust_ospf_costs_parse("bad=65535,offline=2000", &m,
						err, sizeof(err)),
			 0);
	assert_int_equal(m.ospf_cost[TRUST_BAD], 65535);
	assert_int_equal(m.metric[TRUST_BAD], 30); /* the metrics stay */
	assert_int_equal(
		trust_ospf_costs_parse("bad=65536", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(
		err, "OSPF cost map: bad=65536 is not a cost from 1 to 65535"));
	assert_int_equal(
		trust_ospf_costs_parse("unknown=10", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "good and unknown both have cost 10"));
	assert_int_equal(trust_ospf_costs_parse("good=0", &m, err, sizeof(err)),
			 -1);
	assert_int_equal(m.ospf_cost[TRUST_GOOD], 10);
	/* The ops table picks the map by actuator. */
	assert_int_equal(nms_actuator_frr.value(&m, TRUST_BAD), 65535);
	assert_int_equal(nms_actuator_netlink.value(&m, TRUST_BAD), 30);
	assert_ptr_equal(nms_actuator_find("frr"), &nms_actuator_frr);
	assert_ptr_equal(nms_actuator_find("netlink"), &nms_actuator_netlink);
	assert_null(nms_actuator_find("bgp"));
}

/* ---- vtysh replaced -------------------------------------------------------- */

static void set_file(const char *name, const char *text)
{
	char p[300];

	test_dir_path(&td, p, sizeof(p), name);
	if (text)
		test_write_buf(p, text, strlen(text));
	else
		remove(p);
}

static char *args(void)
{
	char p[300];
	size_t len;
	char *s;

	test_dir_path(&td, p, sizeof(p), "args");
	s = (char *)test_read_buf(p, 1 << 16, &len);
	remove(p);
	return s;
}

static void test_recost_with_fake_vtysh(void **state)
{
	struct ra_addr r1 = addr("10.32.0.1");
	struct frr_stats st;
	struct frr_host *h;
	char vtysh[300], err[512], *a;

	(void)state;
	test_dir_path(&td, vtysh, sizeof(vtysh), "vtysh");
	frr_set_vtysh(vtysh);
	assert_string_equal(frr_vtysh(), vtysh);
	assert_int_equal(
		frr_open(&h, "no/absolute", &frr_ospf, err, sizeof(err)), -1);
	assert_int_equal(frr_open(&h, "", &frr_ospf, err, sizeof(err)), -1);
	assert_int_equal(frr_open(&h, td.dir, &frr_ospf, err, sizeof(err)), 0);
	set_file("cost", "10\n");

	/* Bad: one run reads, one changes and reads back. */
	assert_int_equal(frr_recost(h, &r1, 1, 10000, &st, err, sizeof(err)),
			 0);
	assert_int_equal(st.interfaces, 1);
	assert_int_equal(st.changed, 1);
	assert_int_equal(st.kept, 0);
	a = args();
	assert_string_equal(a, "CALL\n"
			       "show ip ospf interface json\n"
			       "show ip ospf neighbor json\n"
			       "CALL\n"
			       "configure terminal\n"
			       "interface r2-r1\n"
			       "ip ospf cost 10000\n"
			       "end\n"
			       "show ip ospf interface json\n"
			       "show ip ospf neighbor json\n");
	free(a);
	/* Again: read only, nothing changed. */
	assert_int_equal(frr_recost(h, &r1, 1, 10000, &st, err, sizeof(err)),
			 0);
	assert_int_equal(st.changed, 0);
	assert_int_equal(st.kept, 1);
	a = args();
	assert_string_equal(a, "CALL\nshow ip ospf interface json\n"
			       "show ip ospf neighbor json\n");
	free(a);

	/* A cost that does not stick is a failure, not a success. */
	set_file("ignore", "");
	assert_int_equal(frr_recost(h, &r1, 1, 10, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(
		err, "interface r2-r1 has OSPF cost 10000 after setting 10"));
	set_file("ignore", NULL);
	free(args());

	/* vtysh's complaint is the error. */
	set_file("fail", "");
	assert_int_equal(frr_recost(h, &r1, 1, 10, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exited 1: it went wrong"));
	set_file("fail", NULL);
	/* Output past the bound: killed, refused. */
	set_file("flood", "");
	assert_int_equal(frr_recost(h, &r1, 1, 10, &st, err, sizeof(err)), -1);
	assert_non_null(
		strstr(err, "said more than the output allowed (killed)"));
	set_file("flood", NULL);
	free(args());
	assert_int_equal(frr_recost(h, &r1, 1, 0, &st, err, sizeof(err)), -1);
	frr_close(h);

	/* A program that is not there. */
	frr_set_vtysh("/nonexistent/vtysh");
	assert_int_equal(frr_open(&h, td.dir, &frr_ospf, err, sizeof(err)), 0);
	assert_int_equal(frr_recost(h, &r1, 1, 10, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "running /nonexistent/vtysh"));
	frr_close(h);
	frr_set_vtysh("/usr/bin/vtysh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_capture),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_isis),
		cmocka_unit_test(test_cost_map),
		cmocka_unit_test(test_recost_with_fake_vtysh),
	};

	return TR_RUN(tests, setup, teardown);
}
