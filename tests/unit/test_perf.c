/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-perf's pure parts: the log-linear histogram (bucket layout, quantiles
 * against a sorted model, merge, extremes), argument parsing (defaults,
 * ranges, the 198.18.0.0/15 rule, option combinations), the incremental
 * HTTP response parser, the i mod 251 pattern and the JSON report.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtcp_test.h"
#include "perf_args.h"
#include "perf_hist.h"
#include "perf_http.h"
#include "perf_pattern.h"
#include "perf_report.h"

/* ---- histogram ---- */

static struct perf_hist hist_a, hist_b, hist_c;

static void
test_hist_layout(void)
{
	CHECK_EQ(perf_hist_bucket_lo(0), 0);
	CHECK(perf_hist_bucket_hi(PERF_HIST_BUCKETS - 1) == UINT64_MAX);
	for (unsigned int i = 0; i < PERF_HIST_BUCKETS; i++) {
		uint64_t lo = perf_hist_bucket_lo(i), hi = perf_hist_bucket_hi(i);

		CHECK(lo <= hi);
		CHECK_EQ(perf_hist_index(lo), i);
		CHECK_EQ(perf_hist_index(hi), i);
		/* Contiguous: no value falls between two buckets. */
		if (i + 1 < PERF_HIST_BUCKETS)
			CHECK(perf_hist_bucket_lo(i + 1) == hi + 1);
		/* Exact below PERF_HIST_SUB, then at most 1/64 of the bucket's values wide. */
		if (i < PERF_HIST_SUB)
			CHECK(lo == hi);
		else
			CHECK((hi - lo) <= lo / (PERF_HIST_SUB / 2));
	}
	CHECK_EQ(perf_hist_index(UINT64_MAX), PERF_HIST_BUCKETS - 1);
}

static void
test_hist_empty(void)
{
	perf_hist_init(&hist_a);
	CHECK_EQ(hist_a.count, 0);
	CHECK(hist_a.min == UINT64_MAX);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.5), 0);
	CHECK_EQ(perf_hist_quantile(&hist_a, 1.0), 0);
}

static void
test_hist_exact_small(void)
{
	perf_hist_init(&hist_a);
	for (uint64_t v = 1; v <= 100; v++)
		perf_hist_record(&hist_a, v);
	CHECK_EQ(hist_a.count, 100);
	CHECK_EQ(hist_a.sum, 5050);
	CHECK_EQ(hist_a.min, 1);
	CHECK_EQ(hist_a.max, 100);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.5), 50);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.9), 90);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.99), 99);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.999), 100);
	CHECK_EQ(perf_hist_quantile(&hist_a, 1.0), 100);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.0), 1); /* rank clamps to the first sample */
}

static void
test_hist_single(void)
{
	perf_hist_init(&hist_a);
	perf_hist_record(&hist_a, 123456789);
	/* Clamped to [min, max]: a single sample is reported exactly. */
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.5), 123456789);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.999), 123456789);
}

static void
test_hist_extremes(void)
{
	perf_hist_init(&hist_a);
	perf_hist_record(&hist_a, 0);
	perf_hist_record(&hist_a, UINT64_MAX);
	CHECK_EQ(hist_a.bucket[0], 1);
	CHECK_EQ(hist_a.bucket[PERF_HIST_BUCKETS - 1], 1);
	CHECK_EQ(perf_hist_quantile(&hist_a, 0.5), 0);
	CHECK(perf_hist_quantile(&hist_a, 1.0) == UINT64_MAX);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* Quantiles against a sorted copy: never below the truth, at most 1/64 above. */
static void
test_hist_model(void)
{
	enum { N = 100000 };
	static uint64_t v[N];
	static const double qs[] = {0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0};
	uint64_t seed = 42;

	perf_hist_init(&hist_a);
	for (unsigned int i = 0; i < N; i++) {
		/* Spread over 1 .. 2^40: latencies in cycles from ns to minutes. */
		v[i] = (rnd(&seed) >> (24 + rnd(&seed) % 40)) + 1;
		perf_hist_record(&hist_a, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	CHECK_EQ(hist_a.min, v[0]);
	CHECK_EQ(hist_a.max, v[N - 1]);
	for (unsigned int k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		uint64_t rank = (uint64_t)(qs[k] * N + 0.999999), want, got;

		if (rank < 1)
			rank = 1;
		want = v[rank - 1];
		got = perf_hist_quantile(&hist_a, qs[k]);
		if (got < want || got - want > want / 64) {
			fprintf(stderr, "q %.4f: got %llu want %llu\n", qs[k],
				(unsigned long long)got, (unsigned long long)want);
			CHECK(0);
		}
	}
}

static void
test_hist_merge(void)
{
	uint64_t seed = 7;

	perf_hist_init(&hist_a);
	perf_hist_init(&hist_b);
	perf_hist_init(&hist_c);
	for (unsigned int i = 0; i < 10000; i++) {
		uint64_t x = rnd(&seed) >> (rnd(&seed) % 64);

		perf_hist_record(i % 3 ? &hist_a : &hist_b, x);
		perf_hist_record(&hist_c, x);
	}
	perf_hist_merge(&hist_a, &hist_b);
	CHECK_EQ(hist_a.count, hist_c.count);
	CHECK(hist_a.sum == hist_c.sum);
	CHECK(hist_a.min == hist_c.min);
	CHECK(hist_a.max == hist_c.max);
	CHECK(memcmp(hist_a.bucket, hist_c.bucket, sizeof(hist_a.bucket)) == 0);
	/* Merging an empty histogram changes nothing, min included. */
	perf_hist_init(&hist_b);
	perf_hist_merge(&hist_a, &hist_b);
	CHECK(hist_a.min == hist_c.min);
	CHECK_EQ(hist_a.count, hist_c.count);
}

/* ---- arguments ---- */

static struct perf_args args;
static char err[256];

/* Parse a NULL-terminated list of arguments (program name added). */
static enum perf_args_result
parse_v(const char *const *in)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"dtcp-perf";
	while (*in != NULL && argc < 31)
		argv[argc++] = (char *)*in++;
	argv[argc] = NULL;
	err[0] = '\0';
	return perf_args_parse(argc, argv, &args, err, sizeof(err));
}

#define PARSE(...) parse_v((const char *const[]){__VA_ARGS__, NULL})

static void
test_args_defaults(void)
{
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "rr"), PERF_ARGS_OK);
	CHECK(args.server_addr == inet_addr("198.18.0.1"));
	CHECK_EQ(args.server_port, 7);
	CHECK_EQ(args.test, PERF_TEST_RR);
	CHECK_EQ(args.duration_s, 10);
	CHECK_EQ(args.concurrency, 1);
	CHECK_EQ(args.size, PERF_SIZE_DEFAULT_RR);
	CHECK_EQ(args.count, 0);
	CHECK(!args.json && !args.verify && !args.stats);
	CHECK(args.http_path == NULL && args.addr == NULL && args.gateway == NULL &&
	      args.config == NULL);

	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "stream"), PERF_ARGS_OK);
	CHECK_EQ(args.size, PERF_SIZE_DEFAULT_STREAM);
}

static void
test_args_all(void)
{
	CHECK_EQ(PARSE("--addr", "198.18.0.2/24", "--gateway", "198.18.0.254", "--config", "x.ini",
		       "--server", "198.19.255.254:65535", "--test", "crr", "--duration", "86400",
		       "--concurrency", "1000000", "--size", "67108864", "--count", "123", "--json",
		       "--verify", "--stats"),
		 PERF_ARGS_OK);
	CHECK(strcmp(args.addr, "198.18.0.2/24") == 0);
	CHECK(strcmp(args.gateway, "198.18.0.254") == 0);
	CHECK(strcmp(args.config, "x.ini") == 0);
	CHECK(args.server_addr == inet_addr("198.19.255.254"));
	CHECK_EQ(args.server_port, 65535);
	CHECK_EQ(args.test, PERF_TEST_CRR);
	CHECK_EQ(args.duration_s, 86400);
	CHECK_EQ(args.concurrency, 1000000);
	CHECK_EQ(args.size, 67108864);
	CHECK_EQ(args.count, 123);
	CHECK(args.json && args.verify && args.stats);

	/* --opt=value works too, and each test name is known. */
	CHECK_EQ(PARSE("--server=198.18.0.1:80", "--test=connect"), PERF_ARGS_OK);
	CHECK_EQ(args.test, PERF_TEST_CONNECT);
	CHECK_EQ(PARSE("--server=198.18.0.1:80", "--test=crr"), PERF_ARGS_OK);
	CHECK_EQ(args.test, PERF_TEST_CRR);
	CHECK_EQ(PARSE("--help"), PERF_ARGS_HELP);
}

static void
test_args_test_net(void)
{
	CHECK(perf_addr_is_test_net(inet_addr("198.18.0.0")));
	CHECK(perf_addr_is_test_net(inet_addr("198.19.255.255")));
	CHECK(!perf_addr_is_test_net(inet_addr("198.17.255.255")));
	CHECK(!perf_addr_is_test_net(inet_addr("198.20.0.0")));
	CHECK(!perf_addr_is_test_net(inet_addr("10.0.0.1")));
	CHECK(!perf_addr_is_test_net(inet_addr("127.0.0.1")));

	CHECK_EQ(PARSE("--server", "10.0.0.1:80", "--test", "crr"), PERF_ARGS_ERROR);
	CHECK(strstr(err, "198.18.0.0/15") != NULL);
	CHECK_EQ(PARSE("--server", "198.20.0.1:80", "--test", "crr"), PERF_ARGS_ERROR);
	CHECK(strstr(err, "refused") != NULL);
	CHECK_EQ(PARSE("--server", "8.8.8.8:53", "--test", "connect"), PERF_ARGS_ERROR);
}

static void
test_args_bad_server(void)
{
	static const char *const bad[] = {
		"198.18.0.1",
		"198.18.0.1:",
		"198.18.0.1:0",
		"198.18.0.1:65536",
		":80",
		"198.18.0.256:80",
		"x:80",
		"198.18.0.1:80x",
		"198.18.0.1:-1",
		"198.18.0.1: 80",
		"198.18.1:80",
		"198.18.0.1:+80",
		"198.18.0.1:80:80",
		"",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (PARSE("--server", bad[i], "--test", "rr") != PERF_ARGS_ERROR) {
			fprintf(stderr, "accepted --server '%s'\n", bad[i]);
			CHECK(0);
		}
	}
	CHECK_EQ(PARSE("--test", "rr"), PERF_ARGS_ERROR);
	CHECK(strstr(err, "--server") != NULL);
}

static void
test_args_numbers(void)
{
	static const struct {
		const char *opt, *val;
	} bad[] = {
		{"--duration", "0"},
		{"--duration", "-1"},
		{"--duration", "1x"},
		{"--duration", "86401"},
		{"--duration", ""},
		{"--duration", " 5"},
		{"--duration", "1.5"},
		{"--concurrency", "0"},
		{"--concurrency", "1000001"},
		{"--size", "0"},
		{"--size", "67108865"},
		{"--size", "0x10"},
		{"--count", "0"},
		{"--count", "18446744073709551616"},
		{"--concurrency", "99999999999999999999"},
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (PARSE("--server", "198.18.0.1:7", "--test", "rr", bad[i].opt, bad[i].val) !=
		    PERF_ARGS_ERROR) {
			fprintf(stderr, "accepted %s '%s'\n", bad[i].opt, bad[i].val);
			CHECK(0);
		}
		CHECK(strstr(err, bad[i].opt) != NULL);
	}
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "rr", "--count",
		       "18446744073709551615"),
		 PERF_ARGS_OK);
	CHECK(args.count == UINT64_MAX);
}

static void
test_args_combinations(void)
{
	/* --test is required and must be known. */
	CHECK_EQ(PARSE("--server", "198.18.0.1:7"), PERF_ARGS_ERROR);
	CHECK(strstr(err, "--test") != NULL);
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "udp"), PERF_ARGS_ERROR);

	/* --http: crr only, a sane path; /bytes/N turns the body check on. */
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "rr", "--http", "/"),
		 PERF_ARGS_ERROR);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "index.html"),
		 PERF_ARGS_ERROR);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "/a b"),
		 PERF_ARGS_ERROR);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "/a\r\nX: y"),
		 PERF_ARGS_ERROR);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "/"), PERF_ARGS_OK);
	CHECK(strcmp(args.http_path, "/") == 0);
	CHECK(!args.http_pattern);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "/bytes/100000"),
		 PERF_ARGS_OK);
	CHECK(args.http_pattern);
	CHECK_EQ(args.http_pattern_len, 100000);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "/bytes/7?x=1"),
		 PERF_ARGS_OK);
	CHECK(args.http_pattern);
	CHECK_EQ(args.http_pattern_len, 7);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "/bytes/1k"),
		 PERF_ARGS_OK);
	CHECK(!args.http_pattern);

	/* --verify: not for connect, not with --http. */
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "connect", "--verify"),
		 PERF_ARGS_ERROR);
	CHECK_EQ(PARSE("--server", "198.18.0.1:80", "--test", "crr", "--http", "/", "--verify"),
		 PERF_ARGS_ERROR);
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "stream", "--verify"), PERF_ARGS_OK);

	/* --count: not for stream. */
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "stream", "--count", "5"),
		 PERF_ARGS_ERROR);
}

static void
test_args_syntax(void)
{
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "rr", "--bogus"), PERF_ARGS_ERROR);
	CHECK(strstr(err, "--bogus") != NULL);
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "rr", "--size"), PERF_ARGS_ERROR);
	CHECK(strstr(err, "--size") != NULL);
	CHECK_EQ(PARSE("--server", "198.18.0.1:7", "--test", "rr", "extra"), PERF_ARGS_ERROR);
	CHECK(strstr(err, "extra") != NULL);
	CHECK_EQ(PARSE("-x", "--server", "198.18.0.1:7", "--test", "rr"), PERF_ARGS_ERROR);
	/* A good parse after bad ones: no getopt state leaks between calls. */
	CHECK_EQ(PARSE("--server", "198.18.0.1:9", "--test", "rr"), PERF_ARGS_OK);
	CHECK_EQ(args.server_port, 9);
}

/* ---- HTTP response parser ---- */

static struct perf_http http;

static const char resp_ok[] = "HTTP/1.0 200 OK\r\n"
			      "Server: SimpleHTTP/0.6 Python/3.11.2\r\n"
			      "content-LENGTH:  5 \r\n"
			      "\r\n"
			      "hello";

/* Feed @p s in pieces of @p step bytes, counting the body as dtcp-perf does. */
static void
http_feed(const char *s, size_t len, size_t step)
{
	perf_http_init(&http);
	for (size_t off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step;
		size_t head = perf_http_parse(&http, (const uint8_t *)s + off, n);

		if (http.state == PERF_HTTP_BODY)
			http.body += n - head;
	}
}

static void
test_http_ok(void)
{
	for (size_t step = 1; step <= sizeof(resp_ok); step++) {
		http_feed(resp_ok, sizeof(resp_ok) - 1, step);
		CHECK_EQ(http.state, PERF_HTTP_BODY);
		CHECK_EQ(http.status, 200);
		CHECK_EQ(http.content_length, 5);
		CHECK_EQ(http.body, 5);
		CHECK(perf_http_check(&http) == NULL);
	}
	/* Bare LF line ends and a status line without a reason phrase. */
	http_feed("HTTP/1.1 204\nContent-Length: 0\n\n", 32, 7);
	CHECK_EQ(http.status, 204);
	CHECK(perf_http_check(&http) == NULL);
}

static void
test_http_bad(void)
{
	static const struct {
		const char *resp;
		const char *why;
	} cases[] = {
		{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "status not 2xx"},
		{"HTTP/1.1 200 OK\r\n\r\nabc", "no Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabc", "body shorter"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc", "body longer"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
		 "conflicting"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabc", "malformed Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", "malformed Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "too large"},
		{"HTTP/2 200\r\n\r\n", "status line"},
		{"HTTP/1.1 20 OK\r\n\r\n", "status line"},
		{"SSH-2.0-OpenSSH\r\n", "status line"},
		{"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "header field"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n", "inside the response head"},
		{"", "inside the response head"},
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why;

		http_feed(cases[i].resp, strlen(cases[i].resp), 3);
		why = perf_http_check(&http);
		if (why == NULL || strstr(why, cases[i].why) == NULL) {
			fprintf(stderr, "case %u: got '%s', want '%s'\n", i, why ? why : "ok",
				cases[i].why);
			CHECK(0);
		}
	}
}

static void
test_http_long_lines(void)
{
	static char buf[PERF_HTTP_HEADER_MAX + 256];
	int n;

	/* A long unrelated field is skipped; Content-Length after it still counts. */
	n = snprintf(buf, sizeof(buf),
		     "HTTP/1.1 200 OK\r\nX-Long: %0300d\r\nContent-Length: 1\r\n\r\nz", 0);
	http_feed(buf, (size_t)n, 64);
	CHECK(perf_http_check(&http) == NULL);

	/* A Content-Length line too long to keep is refused, not misread. */
	n = snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\nContent-Length: %0200d\r\n\r\n", 1);
	http_feed(buf, (size_t)n, 64);
	CHECK(perf_http_check(&http) != NULL);

	/* An endless head is cut off. */
	memcpy(buf, "HTTP/1.1 200 OK\r\n", 17);
	for (size_t i = 17; i < sizeof(buf); i++) {
		size_t col = (i - 17) % 50; /* lines "a:aaa...a\n", valid but never ending */

		buf[i] = col == 49 ? '\n' : col == 1 ? ':' : 'a';
	}
	http_feed(buf, sizeof(buf), 1000);
	CHECK_EQ(http.state, PERF_HTTP_BAD);
	CHECK(strstr(perf_http_check(&http), "too long") != NULL);
}

/* ---- pattern ---- */

static void
test_pattern(void)
{
	static uint8_t tab[PERF_PATTERN_TABLE], buf[10000];

	perf_pattern_init(tab);
	for (uint64_t off = 0; off < 600; off += 37) {
		perf_pattern_fill(tab, off, buf, sizeof(buf));
		for (size_t i = 0; i < sizeof(buf); i++)
			if (buf[i] != (off + i) % 251) {
				CHECK(0);
				break;
			}
		CHECK_EQ(perf_pattern_check(tab, off, buf, sizeof(buf)), sizeof(buf));
		CHECK_EQ(perf_pattern_check(tab, off + 1, buf, sizeof(buf)), 0);
		buf[7777] ^= 1;
		CHECK_EQ(perf_pattern_check(tab, off, buf, sizeof(buf)), 7777);
	}
	/* Offsets beyond 32 bits. */
	perf_pattern_fill(tab, UINT64_C(1) << 40, buf, 3);
	CHECK_EQ(buf[0], (UINT64_C(1) << 40) % 251);
	CHECK_EQ(perf_pattern_check(tab, UINT64_C(1) << 40, buf, 3), 3);
}

/* ---- report ---- */

static void
test_report_json(void)
{
	struct perf_result r;
	char *out = NULL, ebuf[16];
	size_t len = 0;
	FILE *f;
	int depth = 0;

	memset(&r, 0, sizeof(r));
	perf_hist_init(&hist_a);
	for (uint64_t v = 1000; v <= 100000; v += 1000)
		perf_hist_record(&hist_a, v);
	r.test = PERF_TEST_CRR;
	r.server_addr = inet_addr("198.18.0.1");
	r.server_port = 8000;
	r.lcores = 2;
	r.concurrency = 4;
	r.size = 1;
	r.http_path = "/a\"b";
	r.elapsed_s = 2.0;
	r.transactions = 100;
	r.errors[ECONNREFUSED] = 3;
	r.errors[0] = 1;
	r.latency = &hist_a;
	r.ticks_per_us = 1000.0;
	CHECK_EQ(perf_result_errors(&r), 4);
	CHECK(strcmp(perf_errno_name(ETIMEDOUT, ebuf, sizeof(ebuf)), "ETIMEDOUT") == 0);
	CHECK(strcmp(perf_errno_name(0, ebuf, sizeof(ebuf)), "EUNKNOWN") == 0);

	f = open_memstream(&out, &len);
	perf_report_json(f, &r);
	fclose(f);
	CHECK(strstr(out, "\"test\":\"crr\"") != NULL);
	CHECK(strstr(out, "\"server\":\"198.18.0.1:8000\"") != NULL);
	CHECK(strstr(out, "\"http_path\":\"/a\\\"b\"") != NULL);
	CHECK(strstr(out, "\"transactions\":100,") != NULL);
	CHECK(strstr(out, "\"transactions_per_s\":50.000") != NULL);
	CHECK(strstr(out, "\"errors_total\":4") != NULL);
	CHECK(strstr(out, "\"errors\":{\"EUNKNOWN\":1,\"ECONNREFUSED\":3}") != NULL);
	CHECK(strstr(out, "\"p50\":50.") != NULL);
	CHECK(strstr(out, "\"max\":100.000}") != NULL);
	/* One object on one line, braces balanced. */
	CHECK(out[0] == '{' && len >= 2 && out[len - 1] == '\n' && out[len - 2] == '}');
	CHECK(strchr(out, '\n') == out + len - 1);
	for (size_t i = 0; i < len; i++)
		depth += (out[i] == '{') - (out[i] == '}');
	CHECK_EQ(depth, 0);
	free(out);

	/* No samples: zeros, not garbage. */
	perf_hist_init(&hist_a);
	f = open_memstream(&out, &len);
	perf_report_json(f, &r);
	perf_report_text(f, &r);
	fclose(f);
	CHECK(strstr(out, "\"latency_us\":{\"count\":0,\"min\":0.000") != NULL);
	CHECK(strstr(out, "no samples") != NULL);
	free(out);
}

int
main(void)
{
	RUN_TEST(test_hist_layout);
	RUN_TEST(test_hist_empty);
	RUN_TEST(test_hist_exact_small);
	RUN_TEST(test_hist_single);
	RUN_TEST(test_hist_extremes);
	RUN_TEST(test_hist_model);
	RUN_TEST(test_hist_merge);
	RUN_TEST(test_args_defaults);
	RUN_TEST(test_args_all);
	RUN_TEST(test_args_test_net);
	RUN_TEST(test_args_bad_server);
	RUN_TEST(test_args_numbers);
	RUN_TEST(test_args_combinations);
	RUN_TEST(test_args_syntax);
	RUN_TEST(test_http_ok);
	RUN_TEST(test_http_bad);
	RUN_TEST(test_http_long_lines);
	RUN_TEST(test_pattern);
	RUN_TEST(test_report_json);
	return TEST_EXIT();
}
