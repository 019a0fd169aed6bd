// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the PA-TNC message parser and every attribute value
 * parser. A message that parses encodes again, attribute by attribute, to
 * the same bytes; so does each value through its typed form, and lists
 * rebuilt from their entries. A refusal says why and names the PA-TNC
 * Error to send, which encodes. abort() otherwise.
 */
#include "fuzz.h"
#include "tnc/pa_msg.h"

#include <stdlib.h>
#include <string.h>

static uint8_t out[1 << 16];

/* What was built is @p; when it did not fit, at least as long. */
static void same(const struct tr_wbuf *w, const uint8_t *p, size_t len)
{
	if (w->len != len || (w->len <= w->cap && memcmp(w->p, p, len)))
		abort();
}

#define FITS(n, a) ((n) <= sizeof(a) / sizeof((a)[0]))

/* Lists once more from arrays of their entries, as a sender has them. */
static void rebuild_list(struct tr_pa_value *v, const struct tr_bytes *val)
{
	static struct tr_pa_attr_type types[1 << 13];
	static struct tr_pa_port ports[1 << 14];
	static struct tr_pa_package pkgs[1 << 16];
	struct tr_wbuf w;
	size_t cursor = 0;
	char err[256];

	if (v->type == TR_PA_ATTR_REQUEST && FITS(v->u.request.n, types)) {
		for (size_t i = 0; i < v->u.request.n; i++)
			tr_pa_request_get(&v->u.request, i, &types[i]);
		v->u.request.types = types;
	} else if (v->type == TR_PA_PORT_FILTER && FITS(v->u.ports.n, ports)) {
		for (size_t i = 0; i < v->u.ports.n; i++)
			tr_pa_port_get(&v->u.ports, i, &ports[i]);
		v->u.ports.ports = ports;
	} else if (v->type == TR_PA_INSTALLED_PACKAGES) {
		for (size_t i = 0; i < v->u.packages.n; i++)
			if (!tr_pa_package_next(&v->u.packages, &cursor,
						&pkgs[i]))
				abort();
		if (tr_pa_package_next(&v->u.packages, &cursor, &pkgs[0]))
			abort();
		v->u.packages.pkgs = pkgs;
	} else {
		return;
	}
	tr_wbuf_init(&w, out, sizeof(out));
	if (tr_pa_value_build(v, &w, err, sizeof(err)))
		abort();
	same(&w, val->p, val->len);
}

static void check_value(const struct tr_tlv *a)
{
	struct tr_pa_value v;
	struct tr_wbuf w;
	char err[256] = "";
	size_t bad = 0;

	if (tr_pa_value_parse(a, &v, &bad, err, sizeof(err))) {
		if (!err[0] || bad > a->value.len)
			abort();
		return;
	}
	tr_wbuf_init(&w, out, sizeof(out));
	if (tr_pa_value_build(&v, &w, err, sizeof(err)))
		abort();
	same(&w, a->value.p, a->value.len);
	rebuild_list(&v, &a->value);
	fuzz_sink += (unsigned)w.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tr_pa_msg m;
	struct tr_pa_value ev;
	struct tr_tlv a;
	struct tr_wbuf w;
	char err[256] = "";

	memset(&ev, 0, sizeof(ev));
	ev.type = TR_PA_ERROR;
	if (tr_pa_msg_parse(data, size, &m, &ev.u.error, err, sizeof(err))) {
		if (!err[0])
			abort();
		if (ev.u.error.code == TR_PA_ERR_INVALID_PARAMETER &&
		    ev.u.error.offset > size)
			abort();
		tr_wbuf_init(&w, out, sizeof(out));
		if (tr_pa_add(&w, &ev, err, sizeof(err)))
			abort();
	} else {
		tr_wbuf_init(&w, out, sizeof(out));
		tr_pa_msg_begin(&w, m.id);
		for (size_t i = 0; i < m.n; i++)
			tr_tlv_put(&w, &m.attrs[i]);
		same(&w, data, size);
		for (size_t i = 0; i < m.n; i++)
			if (tr_pa_known(m.attrs[i].vendor, m.attrs[i].type))
				check_value(&m.attrs[i]);
	}
	/* The input as the value of each type we know, too. */
	a.flags = 0;
	a.value.p = data;
	a.value.len = size;
	a.offset = 0;
	for (uint32_t t = TR_PA_ATTR_REQUEST; t <= TR_PA_FACTORY_DEFAULT_PWD;
	     t++) {
		a.vendor = TR_PEN_IETF;
		a.type = t;
		check_value(&a);
	}
	a.vendor = TR_PEN_ITA;
	a.type = TR_PA_ITA_DEVICE_ID;
	check_value(&a);
	return 0;
}
