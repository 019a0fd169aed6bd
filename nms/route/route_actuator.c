// SPDX-License-Identifier: GPL-2.0-only
/*
 * The route actuator over rtnetlink: find the routes through a router,
 * add each again with the new metric, then delete the old ones.
 */
#define _GNU_SOURCE /* setns */
#include "nms/route/route_actuator.h"

#include "base/errmsg.h"
#include "base/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RA_RECV_BUF 65536 /* a dump message never exceeds it */
#define RA_ATTR_BYTES 512 /* the attributes copied from one route */
#define RA_SEND_BUF 8192 /* one request */

struct ra_host {
	struct mnl_socket *nl;
	unsigned int portid, seq;
	char name[128];
	char buf[RA_RECV_BUF];
};

/* One route through the router, with what it takes to add it again. */
struct entry {
	struct ra_route r;
	struct rtmsg rtm;
	bool has_priority;
	bool done; /* its key has a route at the new metric */
	uint32_t at_table; /* where it is (its parking table when parked) */
	size_t alen;
	uint8_t attrs[RA_ATTR_BYTES]; /* a stream of struct nlattr */
};

/* What a request or a dump collects. */
struct ctx {
	const struct ra_addr *gw;
	size_t ngw;
	struct entry *v;
	size_t n, cap;
	unsigned skipped;
	int oom;
	char ack[256]; /* the kernel's extended ack message */
};

int ra_addr_parse(const char *s, struct ra_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

void ra_addr_format(const struct ra_addr *a, char *buf, size_t cap)
{
	char t[INET6_ADDRSTRLEN];

	if (!a->family || !inet_ntop(a->family, a->a, t, sizeof(t)))
		snprintf(t, sizeof(t), "?");
	snprintf(buf, cap, "%s", t);
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool addr_eq(const struct ra_addr *x, const struct ra_addr *y)
{
	return x->family == y->family &&
	       !memcmp(x->a, y->a, addr_len(x->family));
}

void ra_route_format(const struct ra_route *r, char *buf, size_t cap)
{
	char dst[46] = "default", src[64] = "", gw[46];

	if (r->dst_len || r->dst.family) {
		ra_addr_format(&r->dst, dst, sizeof(dst));
		snprintf(dst + strlen(dst), sizeof(dst) - strlen(dst), "/%u",
			 r->dst_len);
	}
	if (r->src_len) {
		ra_addr_format(&r->src, gw, sizeof(gw));
		snprintf(src, sizeof(src), " from %s/%u", gw, r->src_len);
	}
	ra_addr_format(&r->gw, gw, sizeof(gw));
	snprintf(buf, cap, "%s%s%s via %s oif %u table %u metric %u%s",
		 r->family == AF_INET6 ? "IPv6 " : "", dst, src, gw, r->oif,
		 r->table, r->metric, r->parked ? " (parked)" : "");
}

/* ---- the socket in the host's namespace --------------------------------- */

static int socket_in(const char *netns, struct mnl_socket **nl, char *err,
		     size_t errlen)
{
	char path[PATH_MAX];
	int fd, self, e;

	if (!netns || !*netns) {
		*nl = mnl_socket_open(NETLINK_ROUTE);
		return *nl ? 0 :
			     tr_fail(err, errlen, "netlink socket: %s",
				     strerror(errno));
	}
	snprintf(path, sizeof(path), "%s%s",
		 strchr(netns, '/') ? "" : "/var/run/netns/", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tr_fail(err, errlen, "network namespace %s: %s", path,
			       strerror(errno));
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		e = errno;
		close(fd);
		return tr_fail(err, errlen, "our own network namespace: %s",
			       strerror(e));
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		e = errno;
		close(fd);
		close(self);
		return tr_fail(err, errlen, "entering network namespace %s: %s",
			       path, strerror(e));
	}
	/* A socket stays in the namespace it was made in. */
	*nl = mnl_socket_open(NETLINK_ROUTE);
	e = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		/* The thread is in the wrong namespace now: nothing it does
		 * from here on would go where it thinks. */
		tr_log(TR_LOG_ERR, "route",
		       "cannot return from network namespace %s: %s", path,
		       strerror(errno));
		abort();
	}
	close(fd);
	close(self);
	if (!*nl)
		return tr_fail(err, errlen, "netlink socket in %s: %s", path,
			       strerror(e));
	return 0;
}

int ra_open(struct ra_host **out, const char *netns, char *err, size_t errlen)
{
	struct ra_host *h = calloc(1, sizeof(*h));
	int one = 1;

	*out = NULL;
	if (!h)
		return tr_fail(err, errlen, "out of memory");
	snprintf(h->name, sizeof(h->name), "%s",
		 netns && *netns ? netns : "own namespace");
	if (socket_in(netns, &h->nl, err, errlen) < 0) {
		free(h);
		return -1;
	}
	/* The kernel's own words on a refusal, where it has them. */
	mnl_socket_setsockopt(h->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(h->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		tr_fail(err, errlen, "netlink bind in %s: %s", h->name,
			strerror(errno));
		ra_close(h);
		return -1;
	}
	h->portid = mnl_socket_get_portid(h->nl);
	h->seq = (unsigned int)getpid() << 8;
	*out = h;
	return 0;
}

void ra_close(struct ra_host *h)
{
	if (!h)
		return;
	if (h->nl)
		mnl_socket_close(h->nl);
	free(h);
}

/* ---- requests and answers ------------------------------------------------ */

static int ext_ack_cb(const struct nlattr *a, void *data)
{
	struct ctx *c = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(c->ack, sizeof(c->ack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh), off = sizeof(*e);

	if (len < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* The attributes follow the request, or its header. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (off < len)
			mnl_attr_parse_payload((const char *)e + off, len - off,
					       ext_ack_cb, data);
	}
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* Our own NLMSG_ERROR handler; NLMSG_DONE and later keep libmnl's. */
static mnl_cb_t ctl_cb[NLMSG_ERROR + 1] = {
	[NLMSG_ERROR] = error_cb,
};

/*
 * Send @nlh and run the answers through @cb until the kernel's ack or the
 * dump's end. Returns 0, or -1 with errno and the ack text in @c->ack.
 */
static int talk(struct ra_host *h, struct nlmsghdr *nlh, mnl_cb_t cb,
		struct ctx *c)
{
	unsigned int seq = ++h->seq;
	ssize_t n;
	int rc;

	nlh->nlmsg_seq = seq;
	c->ack[0] = '\0';
	if (mnl_socket_sendto(h->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(h->nl, h->buf, sizeof(h->buf));
		if (n < 0)
			return -1;
		rc = mnl_cb_run2(h->buf, (size_t)n, seq, h->portid, cb, c,
				 ctl_cb, NLMSG_ERROR + 1);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? -1 : 0;
}

/* "what: kernel text (strerror)" into @err. */
static int nl_fail(struct ctx *c, char *err, size_t errlen, const char *what)
{
	int e = errno;

	return tr_fail(err, errlen, "%s: %s%s%s%s", what, c->ack,
		       c->ack[0] ? " (" : "", strerror(e),
		       c->ack[0] ? ")" : "");
}

/* ---- reading routes ----------------------------------------------------- */

/* Attributes a route is added again with (RTA_PRIORITY and RTA_TABLE
 * are set anew: a route may move to or from its parking table). */
static bool copied(uint16_t type)
{
	switch (type) {
	case RTA_DST:
	case RTA_SRC:
	case RTA_OIF:
	case RTA_GATEWAY:
	case RTA_PREFSRC:
	case RTA_METRICS:
	case RTA_FLOW:
	case RTA_PREF:
	case RTA_ENCAP_TYPE:
	case RTA_ENCAP:
	case RTA_VIA:
		return true;
	}
	return false;
}

/* Attributes that pick the route to delete. */
static bool selects(uint16_t type)
{
	return type == RTA_DST || type == RTA_SRC || type == RTA_OIF ||
	       type == RTA_GATEWAY || type == RTA_VIA;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > RTA_MAX)
		return MNL_CB_OK;
	if ((type == RTA_OIF || type == RTA_PRIORITY || type == RTA_TABLE) &&
	    mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_OK; /* malformed: as if absent */
	tb[type] = a;
	return MNL_CB_OK;
}

/* The address in @a (RTA_GATEWAY, RTA_DST, RTA_SRC) of @family, or in
 * an RTA_VIA; 0 if it has the right length. */
static int get_addr(const struct nlattr *a, int family, bool via,
		    struct ra_addr *out)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);

	memset(out, 0, sizeof(*out));
	if (via) {
		const struct rtvia *v = (const void *)p;

		if (len < sizeof(*v))
			return -1;
		family = v->rtvia_family;
		p = v->rtvia_addr;
		len -= sizeof(*v);
	}
	if ((family != AF_INET && family != AF_INET6) ||
	    len != addr_len(family))
		return -1;
	out->family = (uint8_t)family;
	memcpy(out->a, p, len);
	return 0;
}

/* The gateway among @tb's RTA_GATEWAY or RTA_VIA; 0 when it is one of
 * @c's. */
static int through(struct ctx *c, const struct nlattr **tb, int family,
		   struct ra_addr *gw)
{
	if (!(tb[RTA_GATEWAY] && !get_addr(tb[RTA_GATEWAY], family, 0, gw)) &&
	    !(tb[RTA_VIA] && !get_addr(tb[RTA_VIA], family, 1, gw)))
		return -1;
	for (size_t i = 0; i < c->ngw; i++)
		if (addr_eq(gw, &c->gw[i]))
			return 0;
	return -1;
}

static int put_raw(struct entry *e, const struct nlattr *a)
{
	size_t sz = MNL_ALIGN(a->nla_len);

	if (e->alen + sz > sizeof(e->attrs))
		return -1;
	memcpy(e->attrs + e->alen, a, a->nla_len);
	memset(e->attrs + e->alen + a->nla_len, 0, sz - a->nla_len);
	e->alen += sz;
	return 0;
}

static int put_u32(struct entry *e, uint16_t type, uint32_t v)
{
	uint8_t buf[MNL_ATTR_HDRLEN + 4];
	struct nlattr *a = (struct nlattr *)buf;

	a->nla_type = type;
	a->nla_len = sizeof(buf);
	memcpy(buf + MNL_ATTR_HDRLEN, &v, 4);
	return put_raw(e, a);
}

static struct entry *new_entry(struct ctx *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct entry *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			c->oom = 1;
			return NULL;
		}
		c->v = v;
		c->cap = cap;
	}
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	return &c->v[c->n];
}

/*
 * Record the route of @rtm/@tb through @gw; for one next hop of an IPv6
 * multipath route, @nh is that next hop (its gateway and device replace
 * the route's).
 */
static void add_entry(struct ctx *c, const struct rtmsg *rtm,
		      const struct nlattr **tb, const struct ra_addr *gw,
		      const struct rtnexthop *nh, const struct nlattr *nh_gw)
{
	struct entry *e = new_entry(c);
	int bad = 0;

	if (!e)
		return;
	e->rtm = *rtm;
	e->rtm.rtm_flags &= RTNH_F_ONLINK;
	if (nh)
		e->rtm.rtm_flags |= nh->rtnh_flags & RTNH_F_ONLINK;
	e->r.family = rtm->rtm_family;
	e->r.dst_len = rtm->rtm_dst_len;
	e->r.src_len = rtm->rtm_src_len;
	e->r.tos = rtm->rtm_tos;
	e->r.type = rtm->rtm_type;
	e->r.protocol = rtm->rtm_protocol;
	e->r.scope = rtm->rtm_scope;
	e->r.table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
				     rtm->rtm_table;
	e->at_table = e->r.table;
	if (e->r.table >= RA_PARK_BASE &&
	    RA_PARKABLE(e->r.table - RA_PARK_BASE)) {
		e->r.parked = 1;
		e->r.table -= RA_PARK_BASE;
	}
	e->has_priority = tb[RTA_PRIORITY] != NULL;
	e->r.metric = e->has_priority ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	e->r.oif = nh	       ? (uint32_t)nh->rtnh_ifindex :
		   tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) :
				 0;
	e->r.gw = *gw;
	if (tb[RTA_DST])
		get_addr(tb[RTA_DST], rtm->rtm_family, 0, &e->r.dst);
	if (tb[RTA_SRC])
		get_addr(tb[RTA_SRC], rtm->rtm_family, 0, &e->r.src);
	for (uint16_t t = 0; t <= RTA_MAX; t++) {
		if (!tb[t] || !copied(t))
			continue;
		/* A next hop's own gateway and device stand for the route's. */
		if (nh && (t == RTA_GATEWAY || t == RTA_VIA || t == RTA_OIF))
			continue;
		bad |= put_raw(e, tb[t]);
	}
	if (nh) {
		bad |= put_raw(e, nh_gw);
		if (nh->rtnh_ifindex > 0)
			bad |= put_u32(e, RTA_OIF, (uint32_t)nh->rtnh_ifindex);
	}
	if (bad) {
		c->skipped++; /* more attributes than we copy */
		return;
	}
	c->n++;
}

/* The next hops of an RTA_MULTIPATH through one of @c's gateways. */
static void multipath(struct ctx *c, const struct rtmsg *rtm,
		      const struct nlattr **tb)
{
	const struct nlattr *mp = tb[RTA_MULTIPATH];
	const uint8_t *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = (const void *)p;
		const struct nlattr *ntb[RTA_MAX + 1] = { 0 };
		struct ra_addr gw;

		if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			break;
		mnl_attr_parse_payload(RTNH_DATA(nh),
				       nh->rtnh_len - sizeof(*nh), attr_cb,
				       ntb);
		if (!through(c, ntb, rtm->rtm_family, &gw)) {
			/* IPv6 next hops are routes of their own; an IPv4
			 * multipath route has one metric for all. */
			if (rtm->rtm_family == AF_INET6)
				add_entry(c, rtm, tb, &gw, nh,
					  ntb[RTA_GATEWAY] ? ntb[RTA_GATEWAY] :
							     ntb[RTA_VIA]);
			else
				c->skipped++;
		}
		size_t step = (size_t)RTNH_ALIGN(nh->rtnh_len);

		if (step >= left)
			break;
		left -= step;
		p += step;
	}
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct ctx *c = data;
	struct ra_addr gw;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	if (rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, tb);
	if (tb[RTA_MULTIPATH])
		multipath(c, rtm, tb);
	else if (!through(c, tb, rtm->rtm_family, &gw))
		add_entry(c, rtm, tb, &gw, NULL, NULL);
	return MNL_CB_OK;
}

static int dump(struct ra_host *h, int family, struct ctx *c, char *err,
		size_t errlen)
{
	char buf[RA_SEND_BUF];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	char what[160];

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	if (talk(h, nlh, route_cb, c) < 0) {
		snprintf(what, sizeof(what), "reading the %s routes in %s",
			 family == AF_INET ? "IPv4" : "IPv6", h->name);
		return nl_fail(c, err, errlen, what);
	}
	if (c->oom)
		return tr_fail(err, errlen, "out of memory reading routes");
	return 0;
}

/* Collect the routes through @gw into @c. */
static int collect(struct ra_host *h, const struct ra_addr *gw, size_t ngw,
		   struct ctx *c, char *err, size_t errlen)
{
	bool v6 = false;

	memset(c, 0, sizeof(*c));
	c->gw = gw;
	c->ngw = ngw;
	for (size_t i = 0; i < ngw; i++) {
		if (gw[i].family != AF_INET && gw[i].family != AF_INET6)
			return tr_fail(err, errlen, "a gateway is no address");
		v6 |= gw[i].family == AF_INET6;
	}
	/* IPv4 routes may have an IPv6 next hop (RTA_VIA): always read. */
	if (ngw && dump(h, AF_INET, c, err, errlen) < 0)
		return -1;
	if (v6 && dump(h, AF_INET6, c, err, errlen) < 0)
		return -1;
	return 0;
}

int ra_list(struct ra_host *h, const struct ra_addr *gw, size_t ngw,
	    ra_route_fn *fn, void *arg, char *err, size_t errlen)
{
	struct ctx c;
	size_t i;
	int rc = collect(h, gw, ngw, &c, err, errlen);

	for (i = 0; rc == 0 && i < c.n; i++)
		if (fn && fn(&c.v[i].r, arg))
			break;
	free(c.v);
	return rc < 0 ? -1 : (int)c.n;
}

/* ---- re-costing ---------------------------------------------------------- */

/* Two routes that differ at most in metric. */
static bool same_key(const struct ra_route *x, const struct ra_route *y)
{
	return x->family == y->family && x->table == y->table &&
	       x->dst_len == y->dst_len && x->src_len == y->src_len &&
	       x->tos == y->tos && x->type == y->type && x->oif == y->oif &&
	       addr_eq(&x->dst, &y->dst) && addr_eq(&x->src, &y->src) &&
	       addr_eq(&x->gw, &y->gw);
}

/* Add (@metric set, into @table) or delete (@metric and @table ignored:
 * where it is) the route of @e. */
static int change(struct ra_host *h, struct entry *e, bool add, uint32_t metric,
		  uint32_t table, struct ctx *c, char *err, size_t errlen)
{
	char buf[RA_SEND_BUF], route[200], what[400];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	const struct nlattr *attr;
	struct rtmsg *rtm;
	struct ra_route shown = e->r;

	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	/* Appended: on a tie of metrics the route that was there first
	 * stays in front, so a re-cost never draws traffic to the router. */
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_APPEND;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	*rtm = e->rtm;
	if (!add)
		rtm->rtm_scope = RT_SCOPE_NOWHERE; /* any scope */
	if (!add)
		table = e->at_table;
	rtm->rtm_table = (uint8_t)(table < 256 ? table : RT_TABLE_COMPAT);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_for_each_payload((void *)e->attrs, e->alen)
	{
		if (add || selects(mnl_attr_get_type(attr)))
			mnl_attr_put(nlh, attr->nla_type,
				     mnl_attr_get_payload_len(attr),
				     mnl_attr_get_payload(attr));
	}
	if (add) {
		mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
		shown.metric = metric;
		shown.parked = table != e->r.table;
	} else if (e->has_priority) {
		mnl_attr_put_u32(nlh, RTA_PRIORITY, e->r.metric);
	}
	if (talk(h, nlh, NULL, c) == 0)
		return 0;
	/* The same route already there, or already gone: what we wanted. */
	if ((add && errno == EEXIST) || (!add && errno == ESRCH))
		return 0;
	ra_route_format(&shown, route, sizeof(route));
	snprintf(what, sizeof(what), "%s %s in %s", add ? "adding" : "deleting",
		 route, h->name);
	return nl_fail(c, err, errlen, what);
}

/* Re-cost the routes of @family (read anew) through @gw: make, then break. */
static int recost_family(struct ra_host *h, int family,
			 const struct ra_addr *gw, size_t ngw, uint32_t metric,
			 struct ra_stats *st, int rc, char *err, size_t errlen)
{
	struct ctx c;
	size_t i, j;

	memset(&c, 0, sizeof(c));
	c.gw = gw;
	c.ngw = ngw;
	if (dump(h, family, &c, rc ? NULL : err, errlen) < 0) {
		free(c.v);
		return -1;
	}
	for (i = 0; i < c.n; i++)
		st->routes += !c.v[i].r.parked;
	st->skipped += c.skipped;
	/* A key that has its route in forwarding at the new metric is done
	 * already (a parked copy of it is not). */
	for (i = 0; i < c.n; i++)
		if (!c.v[i].r.parked && c.v[i].r.metric == metric) {
			st->kept++;
			for (j = 0; j < c.n; j++)
				if (same_key(&c.v[i].r, &c.v[j].r))
					c.v[j].done = true;
		}
	/* Make: every other key gets its route at the new metric, in its own
	 * table (a parked one comes back). */
	for (i = 0; i < c.n; i++) {
		if (c.v[i].done)
			continue;
		if (change(h, &c.v[i], true, metric, c.v[i].r.table, &c,
			   rc ? NULL : err, errlen) < 0) {
			rc = -1; /* this key keeps its old route */
			continue;
		}
		st->added++;
		for (j = i; j < c.n; j++)
			if (same_key(&c.v[i].r, &c.v[j].r))
				c.v[j].done = true;
	}
	/* TRUSTROUTE_NMS_CRASH=route-after-add: die between make and break
	 * (the crash tests' "mid-change"): the next run finishes it. */
	if (st->added) {
		const char *want = getenv("TRUSTROUTE_NMS_CRASH");

		if (want && !strcmp(want, "route-after-add"))
			raise(SIGKILL);
	}
	/* Break: only then the old metrics and the parked copies go, where
	 * the new one is in. */
	for (i = 0; i < c.n; i++) {
		if (!c.v[i].done ||
		    (!c.v[i].r.parked && c.v[i].r.metric == metric))
			continue;
		if (change(h, &c.v[i], false, 0, 0, &c, rc ? NULL : err,
			   errlen) < 0) {
			rc = -1;
			continue;
		}
		if (c.v[i].r.parked)
			st->parked++;
		else
			st->deleted++;
	}
	free(c.v);
	return rc;
}

/* Whether @c has @e parked already (same key and metric). */
static bool parked_already(const struct ctx *c, const struct entry *e)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].r.parked && same_key(&c->v[i].r, &e->r) &&
		    c->v[i].r.metric == e->r.metric)
			return true;
	return false;
}

int ra_withdraw(struct ra_host *h, const struct ra_addr *gw, size_t ngw,
		struct ra_stats *st, char *err, size_t errlen)
{
	struct ctx c;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (collect(h, gw, ngw, &c, err, errlen) < 0) {
		free(c.v);
		return -1;
	}
	st->skipped = c.skipped;
	for (size_t i = 0; i < c.n; i++) {
		struct entry *e = &c.v[i];

		if (e->r.parked) {
			st->kept++;
			continue;
		}
		st->routes++;
		if (!RA_PARKABLE(e->r.table)) {
			st->skipped++;
			continue;
		}
		/* The parked copy first: a run cut short between the two
		 * leaves the route in both places, never in neither. */
		if (!parked_already(&c, e)) {
			if (change(h, e, true, e->r.metric,
				   RA_PARK_TABLE(e->r.table), &c,
				   rc ? NULL : err, errlen) < 0) {
				rc = -1; /* it stays in forwarding */
				continue;
			}
			st->parked++;
		}
		if (change(h, e, false, 0, 0, &c, rc ? NULL : err, errlen) <
		    0) {
			rc = -1;
			continue;
		}
		st->deleted++;
	}
	free(c.v);
	return rc;
}

/*
 * One family at a time, IPv4 first: its routes move without waiting for
 * the IPv6 table to be read and re-costed. Make-before-break holds per
 * route (its key), which is all it promises: each key's new route is in
 * before its old one goes. IPv4 routes with an IPv6 next hop (RTA_VIA)
 * are in the IPv4 table, which is always read.
 */
int ra_recost(struct ra_host *h, const struct ra_addr *gw, size_t ngw,
	      uint32_t metric, struct ra_stats *st, char *err, size_t errlen)
{
	bool v6 = false;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < ngw; i++) {
		if (gw[i].family != AF_INET && gw[i].family != AF_INET6)
			return tr_fail(err, errlen, "a gateway is no address");
		v6 |= gw[i].family == AF_INET6;
	}
	if (!ngw)
		return 0;
	if (recost_family(h, AF_INET, gw, ngw, metric, st, rc, err, errlen) < 0)
		rc = -1;
	if (v6 && recost_family(h, AF_INET6, gw, ngw, metric, st, rc, err,
				errlen) < 0)
		rc = -1;
	return rc;
}
