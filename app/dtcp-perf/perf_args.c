/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "perf_args.h"

static const char *const test_names[PERF_TEST__MAX] = {
	[PERF_TEST_CONNECT] = "connect",
	[PERF_TEST_CRR] = "crr",
	[PERF_TEST_RR] = "rr",
	[PERF_TEST_STREAM] = "stream",
};

const char *
perf_test_name(enum perf_test t)
{
	return (unsigned int)t < PERF_TEST__MAX ? test_names[t] : "unknown";
}

bool
perf_addr_is_test_net(uint32_t addr)
{
	/* 198.18.0.0/15 (RFC 2544): 198.18.0.0 - 198.19.255.255. */
	return (ntohl(addr) & 0xfffe0000u) == 0xc6120000u;
}

void
perf_args_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- --addr A.B.C.D/N [--gateway A.B.C.D] [--config FILE]\n"
		"         --server IP:PORT --test connect|crr|rr|stream [--duration S]\n"
		"         [--concurrency C] [--size B] [--count N] [--http PATH] [--verify] "
		"[--json]\n"
		"  --addr         address and prefix of port 0 (overrides [port0] address)\n"
		"  --gateway      default gateway of port 0 (overrides [port0] gateway)\n"
		"  --config       INI file, see config/dtcp.ini ([stack] idle_sleep_us defaults to "
		"0)\n"
		"  --server       target; must be inside 198.18.0.0/15\n"
		"  --test         connect: handshake then close\n"
		"                 crr:     connect, send B bytes, read B bytes back, close\n"
		"                 rr:      C long-lived connections, B bytes out and B back, "
		"repeat\n"
		"                 stream:  C connections sending B-byte writes for S seconds\n"
		"  --duration     seconds to run (default 10, at most %u)\n"
		"  --concurrency  connections in flight over all lcores (default 1)\n"
		"  --size         bytes per request / write (default %u, %u for stream)\n"
		"  --count        stop after N transactions in total (connect, crr, rr)\n"
		"  --http PATH    crr: send 'GET PATH HTTP/1.1', read until the server closes and\n"
		"                 check Content-Length (and the i mod 251 body of /bytes/N)\n"
		"  --verify       rr, stream, crr: the peer echoes; every byte read back must be\n"
		"                 byte i = i mod 251 of the connection's stream\n"
		"  --json         print the result as one JSON object on stdout (the ready line\n"
		"                 then goes to stderr)\n"
		"  --stats        print the stack's non-zero counters on stderr at the end\n"
		"Exit status: 0 no errors, 1 errors (or nothing measured), 2 usage error.\n",
		prog, PERF_DURATION_MAX, PERF_SIZE_DEFAULT_RR, PERF_SIZE_DEFAULT_STREAM);
}

static enum perf_args_result __attribute__((format(printf, 3, 4)))
fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return PERF_ARGS_ERROR;
}

/* Decimal in [min, max], nothing else: no sign, no spaces, no suffix. */
static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_server(const char *s, uint32_t *addr, uint16_t *port)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	struct in_addr in;
	uint64_t p;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	if (inet_pton(AF_INET, ip, &in) != 1 || parse_u64(colon + 1, 1, 65535, &p) != 0)
		return -1;
	*addr = in.s_addr;
	*port = (uint16_t)p;
	return 0;
}

/* A request-target we are willing to put on the wire: "/" then visible ASCII. */
static bool
http_path_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > PERF_HTTP_PATH_MAX || p[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	return true;
}

enum perf_args_result
perf_args_parse(int argc, char **argv, struct perf_args *a, char *err, size_t err_len)
{
	enum {
		OPT_ADDR = 256,
		OPT_GATEWAY,
		OPT_CONFIG,
		OPT_SERVER,
		OPT_TEST,
		OPT_DURATION,
		OPT_CONCURRENCY,
		OPT_SIZE,
		OPT_COUNT,
		OPT_HTTP,
		OPT_VERIFY,
		OPT_JSON,
		OPT_STATS,
		OPT_HELP
	};
	static const struct option opts[] = {
		{"addr", required_argument, NULL, OPT_ADDR},
		{"gateway", required_argument, NULL, OPT_GATEWAY},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"server", required_argument, NULL, OPT_SERVER},
		{"test", required_argument, NULL, OPT_TEST},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"concurrency", required_argument, NULL, OPT_CONCURRENCY},
		{"size", required_argument, NULL, OPT_SIZE},
		{"count", required_argument, NULL, OPT_COUNT},
		{"http", required_argument, NULL, OPT_HTTP},
		{"verify", no_argument, NULL, OPT_VERIFY},
		{"json", no_argument, NULL, OPT_JSON},
		{"stats", no_argument, NULL, OPT_STATS},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *server = NULL;
	bool have_test = false, have_size = false;
	uint64_t v;
	int opt;

	memset(a, 0, sizeof(*a));
	a->duration_s = 10;
	a->concurrency = 1;

	/*
	 * optind 0, not 1: GNU getopt then also forgets state left by an earlier parse
	 * (or the EAL's). "+" stops at the first non-option instead of permuting argv;
	 * ":" reports a missing value as ':'.
	 */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_ADDR:
			a->addr = optarg;
			break;
		case OPT_GATEWAY:
			a->gateway = optarg;
			break;
		case OPT_CONFIG:
			a->config = optarg;
			break;
		case OPT_SERVER:
			server = optarg;
			break;
		case OPT_TEST:
			for (a->test = 0; a->test < PERF_TEST__MAX; a->test++)
				if (strcmp(optarg, test_names[a->test]) == 0)
					break;
			if (a->test == PERF_TEST__MAX)
				return fail(err, err_len,
					    "--test '%s': expected connect, crr, rr or stream",
					    optarg);
			have_test = true;
			break;
		case OPT_DURATION:
			if (parse_u64(optarg, 1, PERF_DURATION_MAX, &v) != 0)
				return fail(err, err_len,
					    "--duration '%s': expected seconds, 1..%u", optarg,
					    PERF_DURATION_MAX);
			a->duration_s = (uint32_t)v;
			break;
		case OPT_CONCURRENCY:
			if (parse_u64(optarg, 1, PERF_CONCURRENCY_MAX, &v) != 0)
				return fail(err, err_len, "--concurrency '%s': expected 1..%u",
					    optarg, PERF_CONCURRENCY_MAX);
			a->concurrency = (uint32_t)v;
			break;
		case OPT_SIZE:
			if (parse_u64(optarg, 1, PERF_SIZE_MAX, &v) != 0)
				return fail(err, err_len, "--size '%s': expected bytes, 1..%u",
					    optarg, PERF_SIZE_MAX);
			a->size = (uint32_t)v;
			have_size = true;
			break;
		case OPT_COUNT:
			if (parse_u64(optarg, 1, UINT64_MAX, &v) != 0)
				return fail(err, err_len,
					    "--count '%s': expected a positive integer", optarg);
			a->count = v;
			break;
		case OPT_HTTP:
			if (!http_path_ok(optarg))
				return fail(err, err_len,
					    "--http '%s': expected a path starting with '/', "
					    "visible ASCII, at most %u bytes",
					    optarg, PERF_HTTP_PATH_MAX);
			a->http_path = optarg;
			break;
		case OPT_VERIFY:
			a->verify = true;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_STATS:
			a->stats = true;
			break;
		case OPT_HELP:
			return PERF_ARGS_HELP;
		case ':':
			return fail(err, err_len, "option '%s' needs a value", argv[optind - 1]);
		default:
			return fail(err, err_len, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return fail(err, err_len, "unexpected argument '%s'", argv[optind]);

	if (server == NULL)
		return fail(err, err_len, "--server IP:PORT is required");
	if (parse_server(server, &a->server_addr, &a->server_port) != 0)
		return fail(err, err_len, "--server '%s': expected A.B.C.D:PORT", server);
	if (!perf_addr_is_test_net(a->server_addr))
		return fail(err, err_len,
			    "--server '%s' refused: dtcp-perf only targets 198.18.0.0/15 "
			    "(RFC 2544 benchmarking addresses)",
			    server);
	if (!have_test)
		return fail(err, err_len, "--test connect|crr|rr|stream is required");
	if (!have_size)
		a->size = a->test == PERF_TEST_STREAM ? PERF_SIZE_DEFAULT_STREAM
						      : PERF_SIZE_DEFAULT_RR;
	if (a->count != 0 && a->test == PERF_TEST_STREAM)
		return fail(err, err_len, "--count does not apply to --test stream");
	if (a->http_path != NULL && a->test != PERF_TEST_CRR)
		return fail(err, err_len, "--http applies to --test crr only");
	if (a->verify && a->test == PERF_TEST_CONNECT)
		return fail(err, err_len, "--verify does not apply to --test connect");
	if (a->verify && a->http_path != NULL)
		return fail(err, err_len,
			    "--verify does not combine with --http "
			    "(--http always checks the body)");
	if (a->http_path != NULL && strncmp(a->http_path, "/bytes/", 7) == 0) {
		/* As dtcp-server serves it: /bytes/N, a query string ignored. */
		char n[24];
		size_t len = strcspn(a->http_path + 7, "?");

		if (len < sizeof(n)) {
			memcpy(n, a->http_path + 7, len);
			n[len] = '\0';
			if (parse_u64(n, 0, UINT64_MAX, &v) == 0) {
				a->http_pattern = true;
				a->http_pattern_len = v;
			}
		}
	}
	return PERF_ARGS_OK;
}
