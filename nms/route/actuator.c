// SPDX-License-Identifier: GPL-2.0-only
/*
 * The actuators' ops tables: netlink (route_actuator.c) and FRR
 * (frr_actuator.c) behind one interface.
 */
#include "nms/route/actuator.h"

#include "nms/route/frr_actuator.h"

#include <string.h>

static uint32_t nl_value(const struct trust_metrics *m, enum trust_state st)
{
	return m->metric[st];
}

static int nl_open(void **h, const struct nms_host_params *p, char *err,
		   size_t errlen)
{
	return ra_open((struct ra_host **)h, p->netns, err, errlen);
}

static int nl_apply(void *h, const struct ra_addr *addr, size_t n, uint32_t v,
		    struct ra_stats *st, char *err, size_t errlen)
{
	return ra_recost(h, addr, n, v, st, err, errlen);
}

static int nl_withdraw(void *h, const struct ra_addr *addr, size_t n,
		       struct ra_stats *st, char *err, size_t errlen)
{
	return ra_withdraw(h, addr, n, st, err, errlen);
}

static void nl_close(void *h)
{
	ra_close(h);
}

const struct nms_actuator nms_actuator_netlink = {
	.name = "netlink",
	.unit = "routes",
	.toward = "through",
	.value_name = "metric",
	.value = nl_value,
	.open = nl_open,
	.apply = nl_apply,
	.withdraw = nl_withdraw,
	.close = nl_close,
};

static uint32_t frr_value(const struct trust_metrics *m, enum trust_state st)
{
	return m->ospf_cost[st];
}

static int frr_open_op(void **h, const struct nms_host_params *p, char *err,
		       size_t errlen)
{
	return frr_open((struct frr_host **)h, p->vty, &frr_ospf, err, errlen);
}

static int isis_open_op(void **h, const struct nms_host_params *p, char *err,
			size_t errlen)
{
	return frr_open((struct frr_host **)h, p->vty, &frr_isis, err, errlen);
}

static int frr_apply(void *h, const struct ra_addr *addr, size_t n, uint32_t v,
		     struct ra_stats *st, char *err, size_t errlen)
{
	struct frr_stats fs;
	int rc = frr_recost(h, addr, n, v, &fs, err, errlen);

	memset(st, 0, sizeof(*st));
	st->routes = fs.interfaces;
	st->added = fs.changed;
	st->kept = fs.kept;
	return rc;
}

static void frr_close_op(void *h)
{
	frr_close(h);
}

const struct nms_actuator nms_actuator_frr = {
	.name = "frr",
	.unit = "OSPF interfaces",
	.toward = "toward",
	.value_name = "cost",
	.concurrent = true,
	.value = frr_value,
	.open = frr_open_op,
	.apply = frr_apply,
	.close = frr_close_op,
};

/* IS-IS metrics from the same map as OSPF costs: the IGP's cost of
 * entering a router, on the same scale. */
const struct nms_actuator nms_actuator_frr_isis = {
	.name = "frr-isis",
	.unit = "IS-IS interfaces",
	.toward = "toward",
	.value_name = "cost",
	.concurrent = true,
	.value = frr_value,
	.open = isis_open_op,
	.apply = frr_apply,
	.close = frr_close_op,
};

const struct nms_actuator *nms_actuator_find(const char *name)
{
	static const struct nms_actuator *const all[] = {
		&nms_actuator_netlink,
		&nms_actuator_frr,
		&nms_actuator_frr_isis,
	};

	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
