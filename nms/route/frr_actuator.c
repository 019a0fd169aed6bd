// SPDX-License-Identifier: GPL-2.0-only
/*
 * The FRR actuator: vtysh run with an argument vector, its JSON read with
 * json-c, the OSPF costs toward a router read, changed where they differ,
 * and read back.
 */
#define _GNU_SOURCE /* pipe2 */
#include "nms/route/frr_actuator.h"

#include "base/errmsg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FRR_ERR_KEEP 512 /* of vtysh's stderr, for the error message */
#define FRR_MAX_CMDS (2 * FRR_MAX_IFACES + 4)

static const char *vtysh_path = "/usr/bin/vtysh";

void frr_set_vtysh(const char *path)
{
	if (path && *path)
		vtysh_path = path;
}

const char *frr_vtysh(void)
{
	return vtysh_path;
}

struct frr_host {
	char vty[256];
	bool pathspace; /* -N NAME, else --vty_socket DIR */
	const struct frr_proto *proto;
};

int frr_open(struct frr_host **out, const char *vty,
	     const struct frr_proto *proto, char *err, size_t errlen)
{
	struct frr_host *h;
	size_t len = vty ? strlen(vty) : 0;
	bool path = len && vty[0] == '/';

	*out = NULL;
	if (!len || len >= sizeof(h->vty))
		return tr_fail(err, errlen, "FRR vty \"%s\": empty or too long",
			       vty ? vty : "");
	/* A pathspace becomes part of FRR's paths: keep it to a name. */
	for (size_t i = 0; !path && i < len; i++)
		if (!isalnum((unsigned char)vty[i]) && !strchr("-_.", vty[i]))
			return tr_fail(
				err, errlen,
				"FRR vty \"%s\": neither a socket directory (an absolute path) nor a pathspace name",
				vty);
	h = calloc(1, sizeof(*h));
	if (!h)
		return tr_fail(err, errlen, "out of memory");
	memcpy(h->vty, vty, len + 1);
	h->pathspace = !path;
	h->proto = proto;
	*out = h;
	return 0;
}

void frr_close(struct frr_host *h)
{
	free(h);
}

/* ---- running vtysh ------------------------------------------------------- */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of @s (@len bytes) into @buf, for an error message. */
static void first_line(const char *s, size_t len, char *buf, size_t cap)
{
	size_t i = 0;

	while (i < len && (s[i] == '\n' || s[i] == '\r'))
		i++;
	s += i;
	len -= i;
	for (i = 0; i < len && s[i] != '\n' && i + 1 < cap; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
}

struct vt_out {
	char *buf; /* stdout, NUL-terminated */
	size_t len;
	char ebuf[FRR_ERR_KEEP]; /* the start of stderr */
	size_t elen;
};

/*
 * Run vtysh for @h with "-c" @cmds[@n] (each one argument, never through
 * a shell). On 0, @o holds its output; -1 with the reason (it could not
 * start, it timed out, it said too much, it failed: with its words).
 */
static int vtysh(const struct frr_host *h, const char *const *cmds, size_t n,
		 struct vt_out *o, char *err, size_t errlen)
{
	/* vtysh gets no environment of ours: no pager, no paths. */
	static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				     "LC_ALL=C", NULL };
	const char *argv[6 + 2 * FRR_MAX_CMDS + 1];
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, rc = -1, e;
	size_t argc = 0, cap = 65536;
	posix_spawn_file_actions_t fa;
	int64_t deadline = mono_ms() + FRR_TIMEOUT_MS;
	bool killed = false, fa_ok = false;
	const char *why = NULL;
	pid_t pid = -1;
	char line[256];

	memset(o, 0, sizeof(*o));
	if (n > FRR_MAX_CMDS)
		return tr_fail(err, errlen, "too many vtysh commands");
	argv[argc++] = vtysh_path;
	argv[argc++] = h->pathspace ? "-N" : "--vty_socket";
	argv[argc++] = h->vty;
	argv[argc++] = "-d";
	argv[argc++] = h->proto->daemon;
	for (size_t i = 0; i < n; i++) {
		argv[argc++] = "-c";
		argv[argc++] = cmds[i];
	}
	argv[argc] = NULL;
	o->buf = malloc(cap);
	if (!o->buf)
		return tr_fail(err, errlen, "out of memory");
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		tr_fail(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	if (posix_spawn_file_actions_init(&fa)) {
		tr_fail(err, errlen, "posix_spawn_file_actions_init failed");
		goto out;
	}
	fa_ok = true;
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
					     0) ||
	    posix_spawn_file_actions_adddup2(&fa, po[1], 1) ||
	    posix_spawn_file_actions_adddup2(&fa, pe[1], 2)) {
		tr_fail(err, errlen, "posix_spawn file actions failed");
		goto out;
	}
	e = posix_spawn(&pid, vtysh_path, &fa, NULL, (char *const *)argv, env);
	if (e) {
		pid = -1;
		tr_fail(err, errlen, "running %s: %s", vtysh_path, strerror(e));
		goto out;
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	/* Both pipes to their end, within the time and size allowed. */
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 },
				       { pe[0], POLLIN, 0 } };
		int64_t left = deadline - mono_ms();
		char sink[4096];
		ssize_t r;

		if (left <= 0) {
			why = "timed out";
			break;
		}
		if (poll(p, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			why = "poll failed";
			break;
		}
		if (po[0] >= 0 && p[0].revents) {
			if (o->len + 1 == cap) {
				char *b;

				if (cap >= FRR_MAX_OUTPUT + 1) {
					why = "said more than the output allowed";
					break;
				}
				cap = cap * 2 > FRR_MAX_OUTPUT + 1 ?
					      FRR_MAX_OUTPUT + 1 :
					      cap * 2;
				b = realloc(o->buf, cap);
				if (!b) {
					why = "out of memory";
					break;
				}
				o->buf = b;
			}
			r = read(po[0], o->buf + o->len, cap - 1 - o->len);
			if (r > 0) {
				o->len += (size_t)r;
			} else if (r == 0 || errno != EINTR) {
				close(po[0]);
				po[0] = -1;
			}
		}
		if (pe[0] >= 0 && p[1].revents) {
			r = read(pe[0], sink, sizeof(sink));
			if (r > 0) {
				size_t k = (size_t)r;

				if (k > sizeof(o->ebuf) - 1 - o->elen)
					k = sizeof(o->ebuf) - 1 - o->elen;
				memcpy(o->ebuf + o->elen, sink, k);
				o->elen += k;
			} else if (r == 0 || errno != EINTR) {
				close(pe[0]);
				pe[0] = -1;
			}
		}
	}
	if (why) {
		kill(pid, SIGKILL);
		killed = true;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	o->buf[o->len] = '\0';
	o->ebuf[o->elen] = '\0';
	if (killed) {
		tr_fail(err, errlen, "vtysh at %s %s (killed)", h->vty, why);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* Its complaint: stderr ("failed to connect"), or the "%"
		 * line on stdout for a refused command. */
		const char *pct = strstr(o->buf, "% ");

		if (o->elen)
			first_line(o->ebuf, o->elen, line, sizeof(line));
		else if (pct)
			first_line(pct, strlen(pct), line, sizeof(line));
		else
			first_line(o->buf, o->len, line, sizeof(line));
		if (WIFEXITED(status))
			tr_fail(err, errlen, "vtysh at %s exited %d: %s",
				h->vty, WEXITSTATUS(status), line);
		else
			tr_fail(err, errlen, "vtysh at %s died (signal %d): %s",
				h->vty, WTERMSIG(status), line);
		goto out;
	}
	rc = 0;
out:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	if (rc < 0) {
		free(o->buf);
		o->buf = NULL;
	}
	return rc;
}

/* ---- its JSON ------------------------------------------------------------ */

static bool in_net(const struct ra_addr *a, const struct ra_addr *net,
		   unsigned plen)
{
	uint32_t x, y, mask;

	if (a->family != AF_INET || net->family != AF_INET || plen > 32)
		return false;
	memcpy(&x, a->a, 4);
	memcpy(&y, net->a, 4);
	mask = plen ? htonl(~0u << (32 - plen)) : 0;
	return (x & mask) == (y & mask);
}

static bool is_one_of(const char *s, const struct ra_addr *addr, size_t n)
{
	struct ra_addr a;

	if (!s || ra_addr_parse(s, &a) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (addr[i].family == a.family &&
		    !memcmp(addr[i].a, a.a, a.family == AF_INET ? 4 : 16))
			return true;
	return false;
}

/* An interface name we can hand back to vtysh as one word. */
static bool good_ifname(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= sizeof(((struct frr_iface *)0)->name))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	return true;
}

static const char *get_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int get_uint(struct json_object *o, const char *k, uint32_t max,
		    uint32_t *out)
{
	struct json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	x = json_object_get_int64(v);
	if (x < 0 || x > max)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

/* The next JSON document of @s from *@off; NULL at the end or on error
 * (with @err set). */
static struct json_object *next_doc(const char *s, size_t len, size_t *off,
				    bool *bad, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t i = *off;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	*off = i;
	if (i == len)
		return NULL;
	tok = json_tokener_new_ex(16);
	if (!tok) {
		*bad = true;
		tr_fail(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, s + i, (int)(len - i));
	if (!o) {
		*bad = true;
		tr_fail(err, errlen,
			"vtysh's output at byte %zu is not JSON: %s", i,
			json_tokener_error_desc(json_tokener_get_error(tok)));
	} else {
		*off = i + json_tokener_get_parse_end(tok);
	}
	json_tokener_free(tok);
	return o;
}

/* Interface names that have an OSPF neighbour that is one of @addr. */
struct nbr_names {
	char name[FRR_MAX_IFACES][16];
	size_t n;
};

static int neighbours(struct json_object *doc, const struct ra_addr *addr,
		      size_t n, struct nbr_names *nb, char *err, size_t errlen)
{
	struct json_object *all;

	if (!json_object_object_get_ex(doc, "neighbors", &all) ||
	    !json_object_is_type(all, json_type_object))
		return tr_fail(
			err, errlen,
			"vtysh's neighbours have no \"neighbors\" object");
	json_object_object_foreach(all, rid, list)
	{
		bool by_id = is_one_of(rid, addr, n);

		if (!json_object_is_type(list, json_type_array))
			return tr_fail(err, errlen,
				       "vtysh's neighbour %s is not a list",
				       rid);
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *e =
				json_object_array_get_idx(list, i);
			const char *ifn = e ? get_str(e, "ifaceName") : NULL;
			size_t k;

			if (!ifn)
				return tr_fail(
					err, errlen,
					"vtysh's neighbour %s has no interface name",
					rid);
			if (!by_id &&
			    !is_one_of(get_str(e, "ifaceAddress"), addr, n))
				continue;
			if (nb->n == FRR_MAX_IFACES)
				return tr_fail(err, errlen,
					       "more than %d OSPF neighbours",
					       FRR_MAX_IFACES);
			/* "a-r1:10.31.0.1": the interface, then its address. */
			k = strcspn(ifn, ":");
			if (k >= sizeof(nb->name[0]))
				return tr_fail(
					err, errlen,
					"vtysh's neighbour %s: interface name too long",
					rid);
			memcpy(nb->name[nb->n], ifn, k);
			nb->name[nb->n++][k] = '\0';
		}
	}
	return 0;
}

int frr_parse_interfaces(const char *json, size_t len,
			 const struct ra_addr *addr, size_t n,
			 struct frr_iface *out, size_t cap, char *err,
			 size_t errlen)
{
	struct json_object *ifs_doc = NULL, *nbr_doc = NULL, *third, *ifs;
	struct nbr_names nb = { .n = 0 };
	size_t off = 0, count = 0;
	bool bad = false;
	int rc = -1;

	ifs_doc = next_doc(json, len, &off, &bad, err, errlen);
	if (!ifs_doc) {
		if (!bad)
			tr_fail(err, errlen, "vtysh said nothing");
		return -1;
	}
	nbr_doc = next_doc(json, len, &off, &bad, err, errlen);
	if (bad)
		goto out;
	third = next_doc(json, len, &off, &bad, err, errlen);
	if (third || bad) {
		json_object_put(third);
		if (third)
			tr_fail(err, errlen,
				"vtysh said more than two JSON documents");
		goto out;
	}
	if (!json_object_object_get_ex(ifs_doc, "interfaces", &ifs) ||
	    !json_object_is_type(ifs, json_type_object)) {
		tr_fail(err, errlen,
			"vtysh's interfaces have no \"interfaces\" object (is ospfd running?)");
		goto out;
	}
	if (nbr_doc && neighbours(nbr_doc, addr, n, &nb, err, errlen) < 0)
		goto out;
	json_object_object_foreach(ifs, name, o)
	{
		struct frr_iface f = { .cost = 0 };
		const char *ip = json_object_is_type(o, json_type_object) ?
					 get_str(o, "ipAddress") :
					 NULL;
		uint32_t plen;
		bool toward = false;

		if (!ip || ra_addr_parse(ip, &f.addr) < 0 ||
		    f.addr.family != AF_INET ||
		    get_uint(o, "ipAddressPrefixlen", 32, &plen) < 0 ||
		    get_uint(o, "cost", 65535, &f.cost) < 0) {
			tr_fail(err, errlen,
				"vtysh's interface \"%.32s\": no IPv4 address, prefix length or cost",
				name);
			goto out;
		}
		f.prefixlen = (uint8_t)plen;
		/* On the link: the router's address is in its network (a
		 * /32 or /31's peer is found by the neighbours below). */
		for (size_t i = 0; i < n && !toward; i++)
			toward = plen < 32 && in_net(&addr[i], &f.addr, plen) &&
				 !is_one_of(ip, &addr[i], 1);
		for (size_t i = 0; i < nb.n && !toward; i++)
			toward = !strcmp(nb.name[i], name);
		if (!toward)
			continue;
		/* Fail closed: a name vtysh would read as more than one
		 * word cannot be re-costed, and must not be skipped. */
		if (!good_ifname(name)) {
			tr_fail(err, errlen,
				"OSPF interface \"%.32s\" toward the router: a name we cannot give to vtysh",
				name);
			goto out;
		}
		if (count == cap) {
			tr_fail(err, errlen,
				"more than %zu OSPF interfaces toward the router",
				cap);
			goto out;
		}
		snprintf(f.name, sizeof(f.name), "%s", name);
		out[count++] = f;
	}
	rc = (int)count;
out:
	json_object_put(ifs_doc);
	json_object_put(nbr_doc);
	return rc;
}

/* The IS-IS metric of circuit @c's interface: every level's, or 0 when
 * they differ (so that it is set). -1 when it has none. */
static int isis_metric(struct json_object *ifc, uint32_t *out)
{
	struct json_object *levels;
	size_t nl;

	if (!json_object_object_get_ex(ifc, "levels", &levels) ||
	    !json_object_is_type(levels, json_type_array) ||
	    !(nl = json_object_array_length(levels)))
		return -1;
	for (size_t i = 0; i < nl; i++) {
		struct json_object *l = json_object_array_get_idx(levels, i);
		uint32_t m;

		if (!l || !json_object_is_type(l, json_type_object) ||
		    get_uint(l, "metric", 16777215, &m) < 0)
			return -1;
		if (!i)
			*out = m;
		else if (m != *out)
			*out = 0;
	}
	return 0;
}

int frr_parse_isis_interfaces(const char *json, size_t len,
			      const struct ra_addr *addr, size_t n,
			      struct frr_iface *out, size_t cap, char *err,
			      size_t errlen)
{
	struct json_object *doc, *areas, *third;
	size_t off = 0, count = 0;
	bool bad = false;
	int rc = -1;

	doc = next_doc(json, len, &off, &bad, err, errlen);
	if (!doc) {
		if (!bad)
			tr_fail(err, errlen, "vtysh said nothing");
		return -1;
	}
	third = next_doc(json, len, &off, &bad, err, errlen);
	if (third || bad) {
		json_object_put(third);
		if (third)
			tr_fail(err, errlen,
				"vtysh said more than one JSON document");
		goto out;
	}
	if (!json_object_object_get_ex(doc, "areas", &areas) ||
	    !json_object_is_type(areas, json_type_array)) {
		tr_fail(err, errlen,
			"vtysh's IS-IS interfaces have no \"areas\" list (is isisd running?)");
		goto out;
	}
	for (size_t a = 0; a < json_object_array_length(areas); a++) {
		struct json_object *area = json_object_array_get_idx(areas, a);
		struct json_object *circuits;

		if (!area ||
		    !json_object_object_get_ex(area, "circuits", &circuits) ||
		    !json_object_is_type(circuits, json_type_array)) {
			tr_fail(err, errlen,
				"vtysh's IS-IS area %zu has no circuit list",
				a);
			goto out;
		}
		for (size_t c = 0; c < json_object_array_length(circuits);
		     c++) {
			struct json_object *ci =
				json_object_array_get_idx(circuits, c);
			struct json_object *ifc, *pfx;
			struct frr_iface f = { .cost = 0 };
			const char *name, *ip;
			char ipbuf[64], *slash, *end;
			unsigned long plen;
			bool toward = false;

			if (!ci ||
			    !json_object_object_get_ex(ci, "interface", &ifc) ||
			    !json_object_is_type(ifc, json_type_object) ||
			    !(name = get_str(ifc, "name"))) {
				tr_fail(err, errlen,
					"vtysh's IS-IS circuit %zu has no interface name",
					c);
				goto out;
			}
			/* A circuit without an IPv4 prefix carries no
			 * IPv4 link toward anyone. */
			if (!json_object_object_get_ex(ifc, "ip-prefix", &pfx))
				continue;
			ip = json_object_is_type(pfx, json_type_object) ?
				     get_str(pfx, "ip") :
				     NULL;
			if (!ip || strlen(ip) >= sizeof(ipbuf) ||
			    isis_metric(ifc, &f.cost) < 0) {
				tr_fail(err, errlen,
					"vtysh's IS-IS interface \"%.32s\": no prefix or metric",
					name);
				goto out;
			}
			snprintf(ipbuf, sizeof(ipbuf), "%s", ip);
			slash = strchr(ipbuf, '/');
			if (!slash)
				goto bad_prefix;
			*slash = '\0';
			plen = strtoul(slash + 1, &end, 10);
			if (*end || end == slash + 1 || plen > 32 ||
			    ra_addr_parse(ipbuf, &f.addr) < 0 ||
			    f.addr.family != AF_INET)
				goto bad_prefix;
			f.prefixlen = (uint8_t)plen;
			for (size_t i = 0; i < n && !toward; i++)
				toward = plen < 32 &&
					 in_net(&addr[i], &f.addr,
						(unsigned)plen) &&
					 !is_one_of(ipbuf, &addr[i], 1);
			if (!toward)
				continue;
			if (!good_ifname(name)) {
				tr_fail(err, errlen,
					"IS-IS interface \"%.32s\" toward the router: a name we cannot give to vtysh",
					name);
				goto out;
			}
			if (count == cap) {
				tr_fail(err, errlen,
					"more than %zu IS-IS interfaces toward the router",
					cap);
				goto out;
			}
			snprintf(f.name, sizeof(f.name), "%s", name);
			out[count++] = f;
			continue;
bad_prefix:
			tr_fail(err, errlen,
				"vtysh's IS-IS interface \"%.32s\": prefix \"%.48s\" is not IPv4/LEN",
				name, ip);
			goto out;
		}
	}
	rc = (int)count;
out:
	json_object_put(doc);
	return rc;
}

const struct frr_proto frr_ospf = {
	.name = "OSPF",
	.daemon = "ospfd",
	.show = { "show ip ospf interface json", "show ip ospf neighbor json" },
	.nshow = 2,
	.cost_cmd = "ip ospf cost",
	.max_cost = 65535,
	.parse = frr_parse_interfaces,
};

/* "isis metric N" sets every level's (wide metrics: FRR's default). */
const struct frr_proto frr_isis = {
	.name = "IS-IS",
	.daemon = "isisd",
	.show = { "show isis interface detail json" },
	.nshow = 1,
	.cost_cmd = "isis metric",
	.max_cost = 16777215,
	.parse = frr_parse_isis_interfaces,
};

/* ---- the actuator -------------------------------------------------------- */

int frr_list(struct frr_host *h, const struct ra_addr *addr, size_t n,
	     struct frr_iface *out, size_t cap, char *err, size_t errlen)
{
	struct vt_out o;
	char perr[512];
	int rc;

	if (vtysh(h, h->proto->show, h->proto->nshow, &o, err, errlen) < 0)
		return -1;
	rc = h->proto->parse(o.buf, o.len, addr, n, out, cap, perr,
			     sizeof(perr));
	if (rc < 0)
		tr_fail(err, errlen, "vtysh at %s: %s", h->vty, perr);
	free(o.buf);
	return rc;
}

int frr_recost(struct frr_host *h, const struct ra_addr *addr, size_t n,
	       uint32_t cost, struct frr_stats *st, char *err, size_t errlen)
{
	struct frr_iface ifs[FRR_MAX_IFACES], after[FRR_MAX_IFACES];
	const char *cmds[FRR_MAX_CMDS];
	const struct frr_proto *p = h->proto;
	char costcmd[48], ifcmd[FRR_MAX_IFACES][32];
	size_t nc = 0;
	struct vt_out o;
	char perr[512];
	int k, m;

	memset(st, 0, sizeof(*st));
	if (cost < 1 || cost > p->max_cost)
		return tr_fail(err, errlen, "%s cost %u is not 1 to %u",
			       p->name, cost, p->max_cost);
	k = frr_list(h, addr, n, ifs, FRR_MAX_IFACES, err, errlen);
	if (k < 0)
		return -1;
	st->interfaces = (unsigned)k;
	snprintf(costcmd, sizeof(costcmd), "%s %u", p->cost_cmd, cost);
	cmds[nc++] = "configure terminal";
	for (int i = 0; i < k; i++) {
		if (ifs[i].cost == cost) {
			st->kept++;
			continue;
		}
		snprintf(ifcmd[i], sizeof(ifcmd[i]), "interface %.15s",
			 ifs[i].name);
		cmds[nc++] = ifcmd[i];
		cmds[nc++] = costcmd;
	}
	if (st->kept == (unsigned)k)
		return 0; /* nothing to change: vtysh is not even asked */
	cmds[nc++] = "end";
	/* Read back in the same run: what counts is what the daemon has
	 * now. */
	for (size_t i = 0; i < p->nshow; i++)
		cmds[nc++] = p->show[i];
	if (vtysh(h, cmds, nc, &o, err, errlen) < 0)
		return -1;
	m = p->parse(o.buf, o.len, addr, n, after, FRR_MAX_IFACES, perr,
		     sizeof(perr));
	free(o.buf);
	if (m < 0)
		return tr_fail(err, errlen, "vtysh at %s, reading back: %s",
			       h->vty, perr);
	/* Fail closed: every interface toward the router must now have the
	 * cost, including one that appeared meanwhile. */
	for (int i = 0; i < m; i++)
		if (after[i].cost != cost)
			return tr_fail(
				err, errlen,
				"vtysh at %s: interface %s has %s cost %u after setting %u",
				h->vty, after[i].name, p->name, after[i].cost,
				cost);
	st->changed = st->interfaces - st->kept;
	return 0;
}
