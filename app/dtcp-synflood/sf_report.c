/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Progress line, text summary and JSON report (see sf_report.h). The JSON is
 * written by hand, field by field in a fixed order, one timeline entry per
 * line, so that it diffs and greps well and its shape is pinned by the unit
 * test.
 */
#include <inttypes.h>

#include "sf_report.h"

static const char *const fail_names[SF_FAIL__MAX] = {
	[SF_FAIL_TIMEOUT] = "timeout", [SF_FAIL_RESET] = "reset",
	[SF_FAIL_REFUSED] = "refused", [SF_FAIL_BAD_RESPONSE] = "bad_response",
	[SF_FAIL_ERROR] = "error",
};

const char *
sf_fail_name(enum sf_fail f)
{
	return (unsigned int)f < SF_FAIL__MAX ? fail_names[f] : "unknown";
}

double
sf_answered_pct(uint64_t syn_sent, uint64_t synack_unique, uint64_t rst_rx)
{
	return syn_sent == 0 ? 0.0 : 100.0 * (double)(synack_unique + rst_rx) / (double)syn_sent;
}

static double
per_s(uint64_t n, double s)
{
	return s > 0 ? (double)n / s : 0.0;
}

int
sf_progress_format(char *buf, size_t len, const struct sf_tl *e, bool legit,
		   uint64_t legit_ok_total, uint64_t legit_failed_total)
{
	int n = snprintf(buf, len, "%7.1fs  offered %9.0f SYN/s  SYN-ACK %9.0f/s  answered %6.2f%%",
			 e->t, per_s(e->syn_sent, e->len_s), per_s(e->synack_rx, e->len_s),
			 sf_answered_pct(e->syn_sent, e->synack_unique, e->rst_rx));
	size_t used = n < 0 ? 0 : (size_t)n;

	if (!legit || used >= len)
		return n;
	if (e->connect_p99_us < 0)
		return n + snprintf(buf + used, len - used,
				    "  legit ok %" PRIu64 " failed %" PRIu64 "  connect p99 -",
				    legit_ok_total, legit_failed_total);
	return n + snprintf(buf + used, len - used,
			    "  legit ok %" PRIu64 " failed %" PRIu64 "  connect p99 %.1f ms",
			    legit_ok_total, legit_failed_total, (double)e->connect_p99_us / 1000.0);
}

static uint64_t
quantile(const struct perf_hist *h, double q)
{
	return h != NULL && h->count != 0 ? perf_hist_quantile(h, q) : 0;
}

void
sf_report_text(FILE *f, const struct sf_result *r)
{
	const struct sf_totals *t = &r->tot;
	const struct perf_hist *h = r->connect_us;

	fprintf(f, "dtcp-synflood: %s, rate ", r->target);
	if (r->rate_max)
		fprintf(f, "max");
	else
		fprintf(f, "%" PRIu64 "/s", r->rate_pps);
	fprintf(f, ", flood %.3f s%s\n", r->duration_s, r->interrupted ? " (interrupted)" : "");
	fprintf(f, "  SYNs sent       %14" PRIu64 "  %12.1f/s  (tx dropped %" PRIu64 ")\n",
		t->syn_sent, per_s(t->syn_sent, r->duration_s), t->tx_dropped);
	fprintf(f,
		"  SYN-ACKs        %14" PRIu64 "  %12.1f/s  (%" PRIu64 " SYNs answered, %" PRIu64
		" repeats)\n",
		t->synack_rx, per_s(t->synack_rx, r->duration_s), t->synack_unique,
		t->synack_rx - t->synack_unique);
	fprintf(f, "  RSTs            %14" PRIu64 "\n", t->rst_rx);
	fprintf(f, "  other returned  %14" PRIu64 "\n", t->other_rx);
	fprintf(f, "  raw rx frames   %14" PRIu64 "  %12.1f/s\n", t->rx_frames,
		per_s(t->rx_frames, r->duration_s));
	fprintf(f, "  answered        %13.2f%%\n",
		sf_answered_pct(t->syn_sent, t->synack_unique, t->rst_rx));
	if (!r->legit)
		return;
	fprintf(f, "  legit           %14" PRIu64 " attempted, %" PRIu64 " ok, %" PRIu64 " failed",
		t->legit_attempted, t->legit_ok, t->legit_failed);
	if (t->legit_ok + t->legit_failed != 0)
		fprintf(f, " (%.2f%% ok)",
			100.0 * (double)t->legit_ok / (double)(t->legit_ok + t->legit_failed));
	fprintf(f, "\n");
	for (unsigned int i = 0; i < SF_FAIL__MAX; i++)
		if (t->legit_fail[i] != 0)
			fprintf(f, "    %-14s%14" PRIu64 "\n", fail_names[i], t->legit_fail[i]);
	if (h == NULL || h->count == 0) {
		fprintf(f, "  legit connect   no samples\n");
		return;
	}
	fprintf(f,
		"  legit connect us p50 %" PRIu64 " p90 %" PRIu64 " p99 %" PRIu64 " max %" PRIu64
		" (%" PRIu64 " samples)\n",
		quantile(h, 0.5), quantile(h, 0.9), quantile(h, 0.99), h->max, h->count);
}

void
sf_report_json(FILE *f, const struct sf_result *r)
{
	const struct sf_totals *t = &r->tot;
	const struct perf_hist *h = r->connect_us;
	uint64_t done = t->legit_ok + t->legit_failed;

	/* The target comes from inet_ntop and a port number: nothing to escape. */
	fprintf(f, "{\"target\": \"%s\", \"rate_requested\": ", r->target);
	if (r->rate_max)
		fprintf(f, "\"max\"");
	else
		fprintf(f, "%" PRIu64, r->rate_pps);
	fprintf(f, ", \"duration_s\": %.3f,\n", r->duration_s);
	fprintf(f,
		" \"totals\": {\"syn_sent\": %" PRIu64 ", \"tx_dropped\": %" PRIu64
		", \"synack_rx\": %" PRIu64 ", \"synack_unique\": %" PRIu64 ", \"rst_rx\": %" PRIu64
		", \"other_rx\": %" PRIu64 ", \"rx_frames\": %" PRIu64 ",\n",
		t->syn_sent, t->tx_dropped, t->synack_rx, t->synack_unique, t->rst_rx, t->other_rx,
		t->rx_frames);
	fprintf(f,
		"            \"legit_attempted\": %" PRIu64 ", \"legit_ok\": %" PRIu64
		", \"legit_failed\": %" PRIu64 ", \"legit_fail_reasons\": {",
		t->legit_attempted, t->legit_ok, t->legit_failed);
	for (unsigned int i = 0; i < SF_FAIL__MAX; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i == 0 ? "" : ", ", fail_names[i],
			t->legit_fail[i]);
	fprintf(f, "}},\n");
	fprintf(f,
		" \"rates\": {\"syn_per_s\": %.1f, \"synack_per_s\": %.1f, \"rx_frames_per_s\": "
		"%.1f, \"answered_pct\": %.2f},\n",
		per_s(t->syn_sent, r->duration_s), per_s(t->synack_rx, r->duration_s),
		per_s(t->rx_frames, r->duration_s),
		sf_answered_pct(t->syn_sent, t->synack_unique, t->rst_rx));
	fprintf(f, " \"legit\": {\"success_pct\": ");
	if (done == 0)
		fprintf(f, "null");
	else
		fprintf(f, "%.2f", 100.0 * (double)t->legit_ok / (double)done);
	fprintf(f,
		", \"connect_us\": {\"p50\": %" PRIu64 ", \"p90\": %" PRIu64 ", \"p99\": %" PRIu64
		", \"max\": %" PRIu64 ", \"count\": %" PRIu64 "}},\n",
		quantile(h, 0.5), quantile(h, 0.9), quantile(h, 0.99),
		h != NULL && h->count != 0 ? h->max : 0, h != NULL ? h->count : 0);
	fprintf(f, " \"timeline\": [");
	for (unsigned int i = 0; i < r->nb_timeline; i++) {
		const struct sf_tl *e = &r->timeline[i];

		fprintf(f,
			"%s\n  {\"t\": %.3f, \"syn_sent\": %" PRIu64 ", \"synack_rx\": %" PRIu64
			", \"rst_rx\": %" PRIu64 ", \"rx_frames\": %" PRIu64
			", \"legit_ok\": %" PRIu64 ", \"legit_failed\": %" PRIu64
			", \"connect_p99_us\": ",
			i == 0 ? "" : ",", e->t, e->syn_sent, e->synack_rx, e->rst_rx, e->rx_frames,
			e->legit_ok, e->legit_failed);
		if (e->connect_p99_us < 0)
			fprintf(f, "null}");
		else
			fprintf(f, "%" PRId64 "}", e->connect_p99_us);
	}
	fprintf(f, "%s]}\n", r->nb_timeline == 0 ? "" : "\n ");
}
