// SPDX-License-Identifier: GPL-2.0-only
/*
 * /metrics in the Prometheus text exposition format (0.0.4): what the
 * store holds (devices per state, sessions per verdict, trust and route
 * changes) and what this process counted (refusals of each service by
 * reason, probe latencies, failed store statements).
 */
#include "nms/api/api_internal.h"

#include "nms/enroll/est_server.h"
#include "nms/store/store_trust.h"
#include "nms/tnc/attest_service.h"

#include <stdio.h>
#include <stdlib.h>

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int count_state(int64_t id, const char *name,
		       const struct nms_trust_row *row, void *arg)
{
	int64_t *n = arg;

	(void)id;
	(void)name;
	n[row->state]++;
	return 0;
}

static void refusals(FILE *f, const char *service, const struct tr_counters *c)
{
	for (size_t i = 0; i < c->n; i++)
		fprintf(f,
			"trustroute_refusals_total{service=\"%s\",reason=\"%s\"} %llu\n",
			service, c->labels[i],
			(unsigned long long)tr_counter(c, i));
}

static void probes(FILE *f)
{
	static const enum probe_result rs[] = { PROBE_OK, PROBE_FAILED,
						PROBE_NO_ANSWER };
	static const char *const names[] = { "ok", "failed", "no-answer" };

	family(f, "trustroute_probe_duration_seconds", "histogram",
	       "Implicit attestations (TLS handshakes with the routers' sealed keys) by result, in seconds.");
	for (size_t r = 0; r < 3; r++) {
		struct probe_histogram h;
		uint64_t sum = 0;

		probe_histogram_get(rs[r], &h);
		for (size_t i = 0; i <= PROBE_BUCKETS; i++) {
			char le[32];

			sum += h.bucket[i];
			if (i < PROBE_BUCKETS)
				snprintf(le, sizeof(le), "%g",
					 probe_buckets[i]);
			else
				snprintf(le, sizeof(le), "+Inf");
			fprintf(f,
				"trustroute_probe_duration_seconds_bucket{result=\"%s\",le=\"%s\"} %llu\n",
				names[r], le, (unsigned long long)sum);
		}
		fprintf(f,
			"trustroute_probe_duration_seconds_sum{result=\"%s\"} %.6f\n",
			names[r], (double)h.sum_us / 1e6);
		fprintf(f,
			"trustroute_probe_duration_seconds_count{result=\"%s\"} %llu\n",
			names[r], (unsigned long long)sum);
	}
}

void api_metrics(struct api_call *k)
{
	struct nms_store *s = k->c->store;
	int64_t states[TRUST_NSTATES] = { 0 }, verdicts[3];
	int64_t trust = nms_store_event_count(s, "trust");
	int64_t route = nms_store_event_count(s, "route");
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f;

	if (nms_store_trust_devices(s, count_state, states, err, sizeof(err)) <
		    0 ||
	    nms_store_session_counts(s, verdicts) < 0 || trust < 0 || route < 0)
		return api_fail(k, 500, "store: cannot read the counts");
	f = open_memstream(&buf, &len);
	if (!f)
		return api_fail(k, 500, "out of memory");
	family(f, "trustroute_devices", "gauge", "Routers by trust state.");
	for (int i = 0; i < TRUST_NSTATES; i++)
		fprintf(f, "trustroute_devices{state=\"%s\"} %lld\n",
			trust_state_name((enum trust_state)i),
			(long long)states[i]);
	family(f, "trustroute_sessions_total", "counter",
	       "Attestation sessions (PT-TLS/PB-TNC) recorded, by verdict.");
	for (int i = 0; i < 3; i++)
		fprintf(f, "trustroute_sessions_total{verdict=\"%s\"} %lld\n",
			verdict_name((enum verdict)i), (long long)verdicts[i]);
	family(f, "trustroute_refusals_total", "counter",
	       "Connections and requests refused since nmsd started, by service and reason.");
	refusals(f, "est", nms_est_refusals());
	refusals(f, "pt-tls", attest_refusals());
	refusals(f, "api", api_refusals());
	probes(f);
	family(f, "trustroute_trust_changes_total", "counter",
	       "Changes of a router's trust state.");
	fprintf(f, "trustroute_trust_changes_total %lld\n", (long long)trust);
	family(f, "trustroute_route_changes_total", "counter",
	       "Managed hosts' routes through a router converged to a new cost.");
	fprintf(f, "trustroute_route_changes_total %lld\n", (long long)route);
	family(f, "trustroute_store_errors_total", "counter",
	       "Store statements that failed in this nmsd.");
	fprintf(f, "trustroute_store_errors_total %llu\n",
		(unsigned long long)nms_store_errors());
	if (fclose(f) || !buf) {
		free(buf);
		return api_fail(k, 500, "out of memory");
	}
	api_reply_bytes(k, "text/plain; version=0.0.4; charset=utf-8", buf,
			len);
}
