/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <string.h>

#include "perf_report.h"

uint64_t
perf_result_errors(const struct perf_result *r)
{
	uint64_t n = 0;

	for (unsigned int e = 0; e < PERF_ERRNO_MAX; e++)
		n += r->errors[e];
	return n;
}

const char *
perf_errno_name(int e, char *buf, size_t len)
{
	const char *name;

	if (e == 0)
		return "EUNKNOWN";
	name = strerrorname_np(e); /* glibc >= 2.32 */
	if (name != NULL)
		return name;
	snprintf(buf, len, "E%d", e);
	return buf;
}

static double
rate(uint64_t n, double s)
{
	return s > 0 ? (double)n / s : 0.0;
}

static double
to_us(const struct perf_result *r, uint64_t ticks)
{
	return r->ticks_per_us > 0 ? (double)ticks / r->ticks_per_us : 0.0;
}

/* The JSON string body of text that perf_args already limited to visible ASCII. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const struct {
	const char *label, *key;
	double q;
} quantiles[] = {
	{"p50", "p50", 0.5},
	{"p90", "p90", 0.9},
	{"p99", "p99", 0.99},
	{"p99.9", "p999", 0.999},
};

void
perf_report_text(FILE *f, const struct perf_result *r)
{
	const struct perf_hist *h = r->latency;
	char ip[INET_ADDRSTRLEN], buf[16];
	struct in_addr in = {.s_addr = r->server_addr};

	inet_ntop(AF_INET, &in, ip, sizeof(ip));
	fprintf(f, "dtcp-perf: %s %s:%u%s, %u lcore%s, concurrency %u, size %u B, %.3f s%s\n",
		perf_test_name(r->test), ip, r->server_port, r->http_path ? r->http_path : "",
		r->lcores, r->lcores == 1 ? "" : "s", r->concurrency, r->size, r->elapsed_s,
		r->interrupted ? " (interrupted)" : "");
	fprintf(f, "  transactions  %14llu  %.1f/s\n", (unsigned long long)r->transactions,
		rate(r->transactions, r->elapsed_s));
	fprintf(f, "  connections   %14llu  %.1f/s\n", (unsigned long long)r->connections,
		rate(r->connections, r->elapsed_s));
	fprintf(f, "  bytes sent    %14llu  %.3f Mbit/s\n", (unsigned long long)r->bytes_sent,
		rate(r->bytes_sent, r->elapsed_s) * 8 / 1e6);
	fprintf(f, "  bytes recv    %14llu  %.3f Mbit/s\n", (unsigned long long)r->bytes_received,
		rate(r->bytes_received, r->elapsed_s) * 8 / 1e6);
	fprintf(f, "  errors        %14llu\n", (unsigned long long)perf_result_errors(r));
	for (int e = 0; e < PERF_ERRNO_MAX; e++)
		if (r->errors[e] != 0)
			fprintf(f, "    %-12s%14llu\n", perf_errno_name(e, buf, sizeof(buf)),
				(unsigned long long)r->errors[e]);
	if (h == NULL || h->count == 0) {
		fprintf(f, "  latency us    no samples\n");
		return;
	}
	fprintf(f, "  latency us   ");
	for (unsigned int i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++)
		fprintf(f, " %s %.1f", quantiles[i].label,
			to_us(r, perf_hist_quantile(h, quantiles[i].q)));
	fprintf(f, " max %.1f (min %.1f, mean %.1f, %llu samples)\n", to_us(r, h->max),
		to_us(r, h->min), to_us(r, h->sum) / (double)h->count,
		(unsigned long long)h->count);
}

void
perf_report_json(FILE *f, const struct perf_result *r)
{
	const struct perf_hist *h = r->latency;
	uint64_t n = h != NULL ? h->count : 0;
	char ip[INET_ADDRSTRLEN], buf[16];
	struct in_addr in = {.s_addr = r->server_addr};
	bool first = true;

	inet_ntop(AF_INET, &in, ip, sizeof(ip));
	fprintf(f, "{\"test\":\"%s\",\"server\":\"%s:%u\",", perf_test_name(r->test), ip,
		r->server_port);
	if (r->http_path != NULL) {
		fprintf(f, "\"http_path\":");
		json_str(f, r->http_path);
		fputc(',', f);
	}
	fprintf(f,
		"\"lcores\":%u,\"concurrency\":%u,\"size\":%u,\"elapsed_s\":%.6f,"
		"\"interrupted\":%s,\"transactions\":%llu,\"transactions_per_s\":%.3f,"
		"\"connections\":%llu,\"bytes_sent\":%llu,\"bytes_received\":%llu,"
		"\"send_bps\":%.0f,\"recv_bps\":%.0f,\"errors_total\":%llu,\"errors\":{",
		r->lcores, r->concurrency, r->size, r->elapsed_s, r->interrupted ? "true" : "false",
		(unsigned long long)r->transactions, rate(r->transactions, r->elapsed_s),
		(unsigned long long)r->connections, (unsigned long long)r->bytes_sent,
		(unsigned long long)r->bytes_received, rate(r->bytes_sent, r->elapsed_s) * 8,
		rate(r->bytes_received, r->elapsed_s) * 8,
		(unsigned long long)perf_result_errors(r));
	for (int e = 0; e < PERF_ERRNO_MAX; e++) {
		if (r->errors[e] == 0)
			continue;
		fprintf(f, "%s\"%s\":%llu", first ? "" : ",", perf_errno_name(e, buf, sizeof(buf)),
			(unsigned long long)r->errors[e]);
		first = false;
	}
	fprintf(f, "},\"latency_us\":{\"count\":%llu,\"min\":%.3f,\"mean\":%.3f",
		(unsigned long long)n, n ? to_us(r, h->min) : 0.0,
		n ? to_us(r, h->sum) / (double)n : 0.0);
	for (unsigned int i = 0; i < sizeof(quantiles) / sizeof(quantiles[0]); i++)
		fprintf(f, ",\"%s\":%.3f", quantiles[i].key,
			n ? to_us(r, perf_hist_quantile(h, quantiles[i].q)) : 0.0);
	fprintf(f, ",\"max\":%.3f}}\n", n ? to_us(r, h->max) : 0.0);
}
