/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-synflood argument parsing and validation (see sf_args.h). Every check
 * ends in one message naming the option and what was expected; the safety
 * checks (198.18.0.0/15, rate, duration) come before anything touches a port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sf_args.h"

#define TEST_NET_TEXT "198.18.0.0/15 (RFC 2544 benchmarking addresses)"

bool
sf_addr_is_test_net(uint32_t addr)
{
	/* 198.18.0.0 - 198.19.255.255 */
	return (ntohl(addr) & 0xfffe0000u) == 0xc6120000u;
}

uint32_t
sf_prefix_mask(unsigned int len)
{
	return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
}

bool
sf_in_spoof(const struct sf_args *a, uint32_t addr)
{
	uint32_t m = sf_prefix_mask(a->spoof_len);

	return (ntohl(addr) & m) == ntohl(a->spoof_net);
}

static bool
same_subnet(uint32_t x, uint32_t y, unsigned int len)
{
	uint32_t m = sf_prefix_mask(len);

	return (ntohl(x) & m) == (ntohl(y) & m);
}

uint32_t
sf_args_next_hop(const struct sf_args *a)
{
	return same_subnet(a->target_addr, a->addr, a->prefix_len) ? a->target_addr : a->gateway;
}

void
sf_args_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- --addr A.B.C.D/N --target IP:PORT --rate PPS|max\n"
		"         --duration S --spoof PREFIX/LEN [--legit-rate N] [--legit-path PATH]\n"
		"         [--legit-timeout S] [--gateway IP] [--target-mac MAC] [--config FILE]\n"
		"         [--json FILE] [--max-syns N] [--progress-interval MS]\n"
		"Ports: with two DPDK ports, port 0 runs the dtcp stack (--addr, the legitimate\n"
		"clients, ARP for --addr) and port 1 is the raw flood port; with one port the\n"
		"flood runs on port 0 alone (no stack, --legit-rate must be 0) and answers ARP\n"
		"for --addr itself.\n"
		"  --addr         A.B.C.D/N: port 0's address; also the sender of the raw port's\n"
		"                 ARP request for the target\n"
		"  --target       IP:PORT the SYNs go to\n"
		"  --rate         SYNs per second (1..%u), or max: as fast as TX accepts\n"
		"  --duration     seconds of flood (%u..%u)\n"
		"  --spoof        PREFIX/LEN the random source addresses come from\n"
		"  --legit-rate   legitimate connections opened per second (0..%u, default 0)\n"
		"  --legit-path   what they GET (default /bytes/64; /bytes/N bodies are checked)\n"
		"  --legit-timeout seconds a legitimate connection may take (1..%u, default %u);\n"
		"                 also how long the end of the run waits for those in flight\n"
		"  --gateway      port 0's gateway; the ARP target when --target is off-link\n"
		"  --target-mac   XX:XX:XX:XX:XX:XX: skip ARP (e.g. a testpmd macswap peer)\n"
		"  --config       INI file for the stack, see config/dtcp.ini\n"
		"  --json         write the result as JSON to FILE\n"
		"  --max-syns     stop after N SYNs sent (or at --duration, whichever first)\n"
		"  --progress-interval  ms between progress lines and timeline entries\n"
		"                 (%u..%u, default %u)\n"
		"Every address must lie inside " TEST_NET_TEXT ".\n"
		"Exit status: 0 the run completed, 1 runtime error, 2 usage error.\n",
		prog, SF_RATE_MAX, SF_DURATION_MIN, SF_DURATION_MAX, SF_LEGIT_RATE_MAX,
		SF_LEGIT_TIMEOUT_MAX, SF_LEGIT_TIMEOUT_DEFAULT, SF_PROGRESS_MIN, SF_PROGRESS_MAX,
		SF_PROGRESS_DEFAULT);
}

static enum sf_args_result __attribute__((format(printf, 3, 4)))
fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return SF_ARGS_ERROR;
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
parse_ip(const char *s, uint32_t *addr)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*addr = in.s_addr;
	return 0;
}

/* "A.B.C.D/N" with N in [min_len, 32]. */
static int
parse_prefix(const char *s, unsigned int min_len, uint32_t *addr, uint8_t *len)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	uint64_t n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (parse_ip(ip, addr) != 0 || parse_u64(slash + 1, min_len, 32, &n) != 0)
		return -1;
	*len = (uint8_t)n;
	return 0;
}

static int
parse_addrport(const char *s, uint32_t *addr, uint16_t *port)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	uint64_t p;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	if (parse_ip(ip, addr) != 0 || parse_u64(colon + 1, 1, 65535, &p) != 0)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly "XX:XX:XX:XX:XX:XX". */
static int
parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -1;
	for (unsigned int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A request-target we are willing to put on the wire: "/" then visible ASCII. */
static bool
path_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > SF_PATH_MAX || p[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	return true;
}

/* /bytes/N (a query string ignored, as dtcp-server serves it): the body is N pattern bytes. */
static void
path_pattern(struct sf_args *a)
{
	const char *p = a->legit_path;
	char n[24];
	size_t len;
	uint64_t v;

	a->legit_pattern = false;
	if (strncmp(p, "/bytes/", 7) != 0)
		return;
	len = strcspn(p + 7, "?");
	if (len == 0 || len >= sizeof(n))
		return;
	memcpy(n, p + 7, len);
	n[len] = '\0';
	if (parse_u64(n, 0, UINT64_MAX, &v) == 0) {
		a->legit_pattern = true;
		a->legit_pattern_len = v;
	}
}

static const char *
ip_str(uint32_t addr, char *buf)
{
	struct in_addr in = {.s_addr = addr};

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* Cross-option rules, once every option is parsed. */
static enum sf_args_result
check_combination(struct sf_args *a, char *err, size_t err_len)
{
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	uint32_t m = sf_prefix_mask(a->spoof_len);

	if ((ntohl(a->spoof_net) & ~m) != 0)
		return fail(err, err_len, "--spoof %s/%u: host bits set (the prefix is %s/%u)",
			    ip_str(a->spoof_net, b1), a->spoof_len,
			    ip_str(htonl(ntohl(a->spoof_net) & m), b2), a->spoof_len);
	if (sf_in_spoof(a, a->addr))
		return fail(err, err_len,
			    "--spoof %s/%u contains --addr's address %s: its traffic would be "
			    "counted as the flood's",
			    ip_str(a->spoof_net, b1), a->spoof_len, ip_str(a->addr, b2));
	if (sf_in_spoof(a, a->target_addr))
		return fail(err, err_len, "--spoof %s/%u contains the target %s",
			    ip_str(a->spoof_net, b1), a->spoof_len, ip_str(a->target_addr, b2));
	if (a->gateway != 0 && sf_in_spoof(a, a->gateway))
		return fail(err, err_len, "--spoof %s/%u contains the gateway %s",
			    ip_str(a->spoof_net, b1), a->spoof_len, ip_str(a->gateway, b2));
	if (a->target_addr == a->addr)
		return fail(err, err_len, "--target %s is --addr's own address", a->target_str);
	if (a->gateway != 0 && !same_subnet(a->gateway, a->addr, a->prefix_len))
		return fail(err, err_len, "--gateway %s is not on --addr's subnet %s",
			    ip_str(a->gateway, b1), a->addr_str);
	if (a->gateway == a->addr && a->gateway != 0)
		return fail(err, err_len, "--gateway %s is --addr's own address",
			    ip_str(a->gateway, b1));
	if (sf_args_next_hop(a) == 0 && !a->have_target_mac)
		return fail(err, err_len,
			    "--target %s is not on --addr's subnet %s: give --gateway or "
			    "--target-mac",
			    a->target_str, a->addr_str);
	return SF_ARGS_OK;
}

enum sf_args_result
sf_args_parse(int argc, char **argv, struct sf_args *a, char *err, size_t err_len)
{
	enum {
		OPT_ADDR = 256,
		OPT_GATEWAY,
		OPT_CONFIG,
		OPT_TARGET,
		OPT_TARGET_MAC,
		OPT_RATE,
		OPT_DURATION,
		OPT_MAX_SYNS,
		OPT_SPOOF,
		OPT_LEGIT_RATE,
		OPT_LEGIT_PATH,
		OPT_LEGIT_TIMEOUT,
		OPT_JSON,
		OPT_PROGRESS,
		OPT_HELP
	};
	static const struct option opts[] = {
		{"addr", required_argument, NULL, OPT_ADDR},
		{"gateway", required_argument, NULL, OPT_GATEWAY},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"target", required_argument, NULL, OPT_TARGET},
		{"target-mac", required_argument, NULL, OPT_TARGET_MAC},
		{"rate", required_argument, NULL, OPT_RATE},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"max-syns", required_argument, NULL, OPT_MAX_SYNS},
		{"spoof", required_argument, NULL, OPT_SPOOF},
		{"legit-rate", required_argument, NULL, OPT_LEGIT_RATE},
		{"legit-path", required_argument, NULL, OPT_LEGIT_PATH},
		{"legit-timeout", required_argument, NULL, OPT_LEGIT_TIMEOUT},
		{"json", required_argument, NULL, OPT_JSON},
		{"progress-interval", required_argument, NULL, OPT_PROGRESS},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *target = NULL, *spoof = NULL;
	bool have_rate = false, have_duration = false;
	char b1[INET_ADDRSTRLEN];
	uint64_t v;
	int opt;

	memset(a, 0, sizeof(*a));
	a->legit_path = "/bytes/64";
	a->legit_timeout_s = SF_LEGIT_TIMEOUT_DEFAULT;
	a->progress_ms = SF_PROGRESS_DEFAULT;

	/*
	 * optind 0: GNU getopt also forgets state left by an earlier parse (or the
	 * EAL's). "+" stops at the first non-option; ":" reports a missing value as ':'.
	 */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_ADDR:
			if (parse_prefix(optarg, 1, &a->addr, &a->prefix_len) != 0)
				return fail(err, err_len, "--addr '%s': expected A.B.C.D/N",
					    optarg);
			if (!sf_addr_is_test_net(a->addr))
				return fail(err, err_len,
					    "--addr '%s' refused: dtcp-synflood only "
					    "uses " TEST_NET_TEXT,
					    optarg);
			a->addr_str = optarg;
			break;
		case OPT_GATEWAY:
			if (parse_ip(optarg, &a->gateway) != 0 || a->gateway == 0)
				return fail(err, err_len, "--gateway '%s': expected A.B.C.D",
					    optarg);
			if (!sf_addr_is_test_net(a->gateway))
				return fail(err, err_len,
					    "--gateway '%s' refused: dtcp-synflood only "
					    "uses " TEST_NET_TEXT,
					    optarg);
			a->gateway_str = optarg;
			break;
		case OPT_CONFIG:
			a->config = optarg;
			break;
		case OPT_TARGET:
			target = optarg;
			if (parse_addrport(optarg, &a->target_addr, &a->target_port) != 0)
				return fail(err, err_len, "--target '%s': expected A.B.C.D:PORT",
					    optarg);
			if (!sf_addr_is_test_net(a->target_addr))
				return fail(err, err_len,
					    "--target '%s' refused: dtcp-synflood only "
					    "targets " TEST_NET_TEXT,
					    optarg);
			snprintf(a->target_str, sizeof(a->target_str), "%s:%u",
				 ip_str(a->target_addr, b1), a->target_port);
			break;
		case OPT_TARGET_MAC:
			if (parse_mac(optarg, a->target_mac) != 0)
				return fail(err, err_len,
					    "--target-mac '%s': expected XX:XX:XX:XX:XX:XX",
					    optarg);
			if ((a->target_mac[0] & 1) != 0 ||
			    memcmp(a->target_mac, "\0\0\0\0\0\0", 6) == 0)
				return fail(err, err_len,
					    "--target-mac '%s': expected a unicast address",
					    optarg);
			a->have_target_mac = true;
			break;
		case OPT_RATE:
			if (strcmp(optarg, "max") == 0) {
				a->rate_max = true;
			} else if (parse_u64(optarg, 1, SF_RATE_MAX, &v) == 0) {
				a->rate_max = false;
				a->rate_pps = v;
			} else {
				return fail(err, err_len,
					    "--rate '%s': expected SYNs per second, 1..%u, or max",
					    optarg, SF_RATE_MAX);
			}
			have_rate = true;
			break;
		case OPT_DURATION:
			if (parse_u64(optarg, SF_DURATION_MIN, SF_DURATION_MAX, &v) != 0)
				return fail(err, err_len,
					    "--duration '%s': expected seconds, %u..%u", optarg,
					    SF_DURATION_MIN, SF_DURATION_MAX);
			a->duration_s = (uint32_t)v;
			have_duration = true;
			break;
		case OPT_MAX_SYNS:
			if (parse_u64(optarg, 1, UINT64_MAX, &v) != 0)
				return fail(err, err_len,
					    "--max-syns '%s': expected a positive integer", optarg);
			a->max_syns = v;
			break;
		case OPT_SPOOF:
			spoof = optarg;
			if (parse_prefix(optarg, 0, &a->spoof_net, &a->spoof_len) != 0)
				return fail(err, err_len, "--spoof '%s': expected A.B.C.D/LEN",
					    optarg);
			if (a->spoof_len < 15 || !sf_addr_is_test_net(a->spoof_net))
				return fail(err, err_len,
					    "--spoof '%s' refused: the prefix must lie "
					    "inside " TEST_NET_TEXT,
					    optarg);
			break;
		case OPT_LEGIT_RATE:
			if (parse_u64(optarg, 0, SF_LEGIT_RATE_MAX, &v) != 0)
				return fail(
					err, err_len,
					"--legit-rate '%s': expected connections per second, 0..%u",
					optarg, SF_LEGIT_RATE_MAX);
			a->legit_rate = (uint32_t)v;
			break;
		case OPT_LEGIT_PATH:
			if (!path_ok(optarg))
				return fail(err, err_len,
					    "--legit-path '%s': expected a path starting with '/', "
					    "visible ASCII, at most %u bytes",
					    optarg, SF_PATH_MAX);
			a->legit_path = optarg;
			break;
		case OPT_LEGIT_TIMEOUT:
			if (parse_u64(optarg, 1, SF_LEGIT_TIMEOUT_MAX, &v) != 0)
				return fail(err, err_len,
					    "--legit-timeout '%s': expected seconds, 1..%u", optarg,
					    SF_LEGIT_TIMEOUT_MAX);
			a->legit_timeout_s = (uint32_t)v;
			break;
		case OPT_JSON:
			a->json_path = optarg;
			break;
		case OPT_PROGRESS:
			if (parse_u64(optarg, SF_PROGRESS_MIN, SF_PROGRESS_MAX, &v) != 0)
				return fail(
					err, err_len,
					"--progress-interval '%s': expected milliseconds, %u..%u",
					optarg, SF_PROGRESS_MIN, SF_PROGRESS_MAX);
			a->progress_ms = (uint32_t)v;
			break;
		case OPT_HELP:
			return SF_ARGS_HELP;
		case ':':
			return fail(err, err_len, "option '%s' needs a value", argv[optind - 1]);
		default:
			return fail(err, err_len, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return fail(err, err_len, "unexpected argument '%s'", argv[optind]);

	if (a->addr_str == NULL)
		return fail(err, err_len, "--addr A.B.C.D/N is required");
	if (target == NULL)
		return fail(err, err_len, "--target IP:PORT is required");
	if (!have_rate)
		return fail(err, err_len, "--rate PPS|max is required");
	if (!have_duration)
		return fail(err, err_len, "--duration S is required");
	if (spoof == NULL)
		return fail(err, err_len, "--spoof PREFIX/LEN is required");
	path_pattern(a);
	return check_combination(a, err, err_len);
}

enum sf_mode
sf_args_mode(const struct sf_args *a, unsigned int nb_ports, char *err, size_t err_len)
{
	switch (nb_ports) {
	case 0:
		snprintf(err, err_len,
			 "no DPDK port: give one (flood only) or two (stack + raw flood) with "
			 "--vdev, and --no-pci");
		return SF_MODE_ERROR;
	case 1:
		if (a->legit_rate != 0) {
			snprintf(err, err_len,
				 "--legit-rate %u needs two ports (port 0 for the stack's clients, "
				 "port 1 for the raw flood) but only one was given: add a second "
				 "--vdev or use --legit-rate 0 for a flood-only run",
				 a->legit_rate);
			return SF_MODE_ERROR;
		}
		if (a->config != NULL) {
			snprintf(err, err_len,
				 "--config configures the stack, which a one-port (flood-only) run "
				 "does not create");
			return SF_MODE_ERROR;
		}
		return SF_MODE_FLOOD_ONLY;
	case 2:
		return SF_MODE_STACK;
	default:
		snprintf(err, err_len,
			 "%u DPDK ports: expected one (flood only) or two (port 0 the stack, port "
			 "1 the raw flood)",
			 nb_ports);
		return SF_MODE_ERROR;
	}
}

int
sf_args_check_ports(const char *drv0, const uint8_t mac0[6], const char *drv1,
		    const uint8_t mac1[6], char *err, size_t err_len)
{
	if (strcmp(drv0, "net_af_packet") != 0 || strcmp(drv1, "net_af_packet") != 0 ||
	    memcmp(mac0, mac1, 6) != 0)
		return 0;
	snprintf(err, err_len,
		 "ports 0 and 1 are both net_af_packet on one interface: af_packet puts a "
		 "process's sockets on an interface in one fanout group, so each frame would "
		 "reach only one of them; give the stack's port as net_pcap "
		 "(--vdev net_pcap0,iface=IF,phy_mac=1 --vdev net_af_packet1,iface=IF)");
	return -1;
}
