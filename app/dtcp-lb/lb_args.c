/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-lb's settings: one table of keys, each with its INI name, its option
 * name and a setter, so that the file and the command line cannot disagree
 * on a key's range or meaning. The file is applied first, then the command
 * line (which therefore wins); checks across keys come last.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "lb_args.h"

#define LB_SECTION "lb"

/* Ranges. */
#define HEALTH_MS_MIN 10u
#define HEALTH_MS_MAX 3600000u /* one hour */
#define RISE_FALL_MAX 100u
#define RETRIES_MAX   16u
#define IDLE_S_MAX    604800u /* a week */
#define LB_MAX_KEYS   9

typedef int (*lb_setter)(struct lb_options *opt, const char *v, char *why, size_t why_len);

/* Whole decimal number in [min, max]. */
static int
parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out, char *why, size_t why_len)
{
	unsigned long long n;
	char *end;

	if (*v < '0' || *v > '9')
		goto bad;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		goto bad;
	*out = (uint32_t)n;
	return 0;
bad:
	snprintf(why, why_len, "'%s' is not a whole number in %u..%u", v, min, max);
	return -EINVAL;
}

static int
set_listen(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	uint32_t n;
	int rc = parse_u32(v, 1, UINT16_MAX, &n, why, why_len);

	if (rc == 0)
		opt->listen_port = (uint16_t)n;
	return rc;
}

static int
set_backends(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	return lb_parse_backends(v, opt, why, why_len);
}

static int
set_policy(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	if (strcmp(v, "maglev") == 0) {
		opt->policy = LB_POLICY_MAGLEV;
	} else if (strcmp(v, "roundrobin") == 0) {
		opt->policy = LB_POLICY_ROUNDROBIN;
	} else {
		snprintf(why, why_len, "'%s' is not maglev or roundrobin", v);
		return -EINVAL;
	}
	return 0;
}

static int
set_interval(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	return parse_u32(v, HEALTH_MS_MIN, HEALTH_MS_MAX, &opt->health_interval_ms, why, why_len);
}

static int
set_timeout(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	return parse_u32(v, HEALTH_MS_MIN, HEALTH_MS_MAX, &opt->health_timeout_ms, why, why_len);
}

static int
set_u16(uint16_t *dst, const char *v, uint32_t min, uint32_t max, char *why, size_t why_len)
{
	uint32_t n;
	int rc = parse_u32(v, min, max, &n, why, why_len);

	if (rc == 0)
		*dst = (uint16_t)n;
	return rc;
}

static int
set_rise(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	return set_u16(&opt->health_rise, v, 1, RISE_FALL_MAX, why, why_len);
}

static int
set_fall(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	return set_u16(&opt->health_fall, v, 1, RISE_FALL_MAX, why, why_len);
}

static int
set_retries(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	return parse_u32(v, 0, RETRIES_MAX, &opt->connect_retries, why, why_len);
}

static int
set_idle(struct lb_options *opt, const char *v, char *why, size_t why_len)
{
	return parse_u32(v, 0, IDLE_S_MAX, &opt->idle_timeout_s, why, why_len);
}

enum lb_key {
	KEY_LISTEN,
	KEY_BACKENDS,
	KEY_POLICY,
	KEY_INTERVAL,
	KEY_RISE,
	KEY_FALL,
	KEY_TIMEOUT,
	KEY_RETRIES,
	KEY_IDLE,
};

static const struct lb_key_def {
	const char *ini; /* [lb] key */
	const char *opt; /* --option */
	lb_setter set;
} keys[LB_MAX_KEYS] = {
	[KEY_LISTEN] = {"listen", "listen", set_listen},
	[KEY_BACKENDS] = {"backends", "backend", set_backends},
	[KEY_POLICY] = {"policy", "policy", set_policy},
	[KEY_INTERVAL] = {"health_interval_ms", "health-interval", set_interval},
	[KEY_RISE] = {"health_rise", "health-rise", set_rise},
	[KEY_FALL] = {"health_fall", "health-fall", set_fall},
	[KEY_TIMEOUT] = {"health_timeout_ms", "health-timeout", set_timeout},
	[KEY_RETRIES] = {"connect_retries", "connect-retries", set_retries},
	[KEY_IDLE] = {"idle_timeout_s", "idle-timeout", set_idle},
};

/* Where a key got its value: for the messages of cross-key checks. */
enum lb_source { SRC_DEFAULT, SRC_FILE, SRC_CLI };

static void
key_error(char *err, size_t err_len, enum lb_source src, enum lb_key k, const char *why)
{
	if (src == SRC_CLI)
		snprintf(err, err_len, "--%s: %s", keys[k].opt, why);
	else
		snprintf(err, err_len, LB_SECTION ":%s: %s", keys[k].ini, why);
}

void
lb_options_init(struct lb_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->policy = LB_POLICY_MAGLEV;
	opt->health_interval_ms = 1000;
	opt->health_timeout_ms = 0; /* = interval, filled in by lb_args_parse() */
	opt->health_rise = 2;
	opt->health_fall = 2;
	opt->connect_retries = 1;
	opt->idle_timeout_s = 300;
}

const char *
lb_policy_name(enum lb_policy p)
{
	return p == LB_POLICY_ROUNDROBIN ? "roundrobin" : "maglev";
}

int
lb_parse_backends(const char *s, struct lb_options *opt, char *why, size_t why_len)
{
	const char *p = s;
	unsigned int n = 0;

	for (;;) {
		const char *colon, *comma;
		char ip[INET_ADDRSTRLEN], port[8];
		struct in_addr a;
		uint32_t port_n;
		size_t ip_len, port_len;

		while (*p == ' ' || *p == '\t') /* "A:P, B:P" reads well in a file */
			p++;
		colon = strchr(p, ':');
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		if (comma == p) {
			snprintf(why, why_len, "'%s' has an empty entry", s);
			return -EINVAL;
		}
		if (colon == NULL || colon > comma) {
			snprintf(why, why_len, "'%.*s' has no port (IP:PORT)", (int)(comma - p), p);
			return -EINVAL;
		}
		ip_len = (size_t)(colon - p);
		port_len = (size_t)(comma - colon - 1);
		if (ip_len == 0 || ip_len >= sizeof(ip) || port_len == 0 ||
		    port_len >= sizeof(port))
			goto bad;
		memcpy(ip, p, ip_len);
		ip[ip_len] = '\0';
		memcpy(port, colon + 1, port_len);
		port[port_len] = '\0';
		if (inet_pton(AF_INET, ip, &a) != 1)
			goto bad;
		if (a.s_addr == 0 || (ntohl(a.s_addr) >> 28) >= 14) { /* 0, multicast, 240/4 */
			snprintf(why, why_len, "'%s' is not a unicast address", ip);
			return -EINVAL;
		}
		if (parse_u32(port, 1, UINT16_MAX, &port_n, why, why_len) != 0)
			goto bad;
		for (unsigned int i = 0; i < n; i++) {
			if (opt->backends[i].addr == a.s_addr && opt->backends[i].port == port_n) {
				snprintf(why, why_len, "%s:%u is listed twice", ip, port_n);
				return -EINVAL;
			}
		}
		if (n == LB_MAX_BACKENDS) {
			snprintf(why, why_len, "more than %u backends", LB_MAX_BACKENDS);
			return -EINVAL;
		}
		opt->backends[n].addr = a.s_addr;
		opt->backends[n].port = (uint16_t)port_n;
		n++;
		if (*comma == '\0')
			break;
		p = comma + 1;
	}
	opt->nb_backends = n;
	return 0;
bad:
	snprintf(why, why_len, "'%s' is not a list of IP:PORT such as 198.18.0.1:80,198.18.0.3:80",
		 s);
	return -EINVAL;
}

const char *
lb_usage(void)
{
	return "usage: dtcp-lb [EAL options] -- --addr VIP/N --listen PORT\n"
	       "           --backend IP:PORT[,IP:PORT...] [--policy maglev|roundrobin]\n"
	       "           [--health-interval MS] [--health-rise N] [--health-fall N]\n"
	       "           [--health-timeout MS] [--connect-retries N] [--idle-timeout S]\n"
	       "           [--gateway A.B.C.D] [--config FILE]\n"
	       "  --addr             our address (the VIP) and prefix on port 0\n"
	       "  --listen           TCP port clients connect to, on every lcore\n"
	       "  --backend          servers the connections are spread over\n"
	       "  --policy           maglev (consistent hash of client address and port,\n"
	       "                     default) or roundrobin\n"
	       "  --health-interval  ms between TCP connect checks of a backend (1000)\n"
	       "  --health-rise      good checks in a row that bring a backend up (2)\n"
	       "  --health-fall      failed checks in a row that take it down (2)\n"
	       "  --health-timeout   ms a check may take (the interval)\n"
	       "  --connect-retries  other backends tried when a connect fails (1)\n"
	       "  --idle-timeout     s without data after which a pair is reset, 0 never (300)\n"
	       "  --gateway          default gateway of port 0\n"
	       "  --config           INI file: the stack's sections and [lb] with the keys\n"
	       "                     listen, backends, policy, health_interval_ms, health_rise,\n"
	       "                     health_fall, health_timeout_ms, connect_retries,\n"
	       "                     idle_timeout_s (see config/dtcp-lb.ini)\n";
}

/* [lb] of @p path, over @p opt. */
static int
load_lb_section(const char *path, struct lb_options *opt, enum lb_source *src, char *err,
		size_t err_len)
{
	struct rte_cfgfile *file = rte_cfgfile_load(path, 0);
	struct rte_cfgfile_entry *entries = NULL;
	int n, rc = 0;

	if (file == NULL) { /* not reached: dtcp_config_load_app() read it just before */
		snprintf(err, err_len, "%s: cannot read or not valid INI", path);
		return -EIO;
	}
	n = rte_cfgfile_section_num_entries(file, LB_SECTION);
	if (n > 0) {
		entries = calloc((size_t)n, sizeof(*entries));
		if (entries == NULL) {
			rte_cfgfile_close(file);
			snprintf(err, err_len, "%s: out of memory", path);
			return -ENOMEM;
		}
		n = rte_cfgfile_section_entries(file, LB_SECTION, entries, n);
	}
	for (int e = 0; rc == 0 && e < n; e++) {
		char why[LB_ERR_LEN];
		unsigned int k;

		for (k = 0; k < RTE_DIM(keys); k++)
			if (strcmp(entries[e].name, keys[k].ini) == 0)
				break;
		if (k == RTE_DIM(keys)) {
			snprintf(err, err_len, LB_SECTION ":%s: unknown key", entries[e].name);
			rc = -ENOENT;
			break;
		}
		rc = keys[k].set(opt, entries[e].value, why, sizeof(why));
		if (rc != 0)
			key_error(err, err_len, SRC_FILE, k, why);
		src[k] = SRC_FILE;
	}
	free(entries);
	rte_cfgfile_close(file);
	return rc;
}

int
lb_args_parse(int argc, char **argv, struct dtcp_config *cfg, struct lb_options *opt, char *err,
	      size_t err_len)
{
	enum { OPT_ADDR = 256, OPT_GATEWAY, OPT_CONFIG, OPT_HELP, OPT_KEY0 = 512 };
	static const char *const app_sections[] = {LB_SECTION, NULL};
	struct option longopts[LB_MAX_KEYS + 5];
	const char *cli[LB_MAX_KEYS] = {NULL};
	enum lb_source src[LB_MAX_KEYS] = {SRC_DEFAULT};
	const char *addr = NULL, *gateway = NULL, *config = NULL;
	char why[LB_ERR_LEN];
	unsigned int nopt = 0;
	int c, rc;

	lb_options_init(opt);
	longopts[nopt++] = (struct option){"addr", required_argument, NULL, OPT_ADDR};
	longopts[nopt++] = (struct option){"gateway", required_argument, NULL, OPT_GATEWAY};
	longopts[nopt++] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
	longopts[nopt++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	for (unsigned int k = 0; k < RTE_DIM(keys); k++)
		longopts[nopt++] =
			(struct option){keys[k].opt, required_argument, NULL, OPT_KEY0 + (int)k};
	longopts[nopt] = (struct option){NULL, 0, NULL, 0};

	optind = 0; /* glibc: start over (tests parse several command lines) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ADDR:
			addr = optarg;
			break;
		case OPT_GATEWAY:
			gateway = optarg;
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_HELP:
			snprintf(err, err_len, "%s", lb_usage());
			return 1;
		case ':':
			snprintf(err, err_len, "%s: needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			if (c >= OPT_KEY0 && c < OPT_KEY0 + (int)RTE_DIM(keys)) {
				cli[c - OPT_KEY0] = optarg;
				break;
			}
			snprintf(err, err_len, "%s: unknown option (--help lists them)",
				 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		snprintf(err, err_len, "'%s': unexpected argument", argv[optind]);
		return -EINVAL;
	}

	/* The file first, so that the command line overrides it. */
	if (config != NULL) {
		rc = dtcp_config_load_app(cfg, config, app_sections, err, err_len);
		if (rc == 0)
			rc = load_lb_section(config, opt, src, err, err_len);
		if (rc != 0)
			return rc;
	}
	for (unsigned int k = 0; k < RTE_DIM(keys); k++) {
		if (cli[k] == NULL)
			continue;
		if (keys[k].set(opt, cli[k], why, sizeof(why)) != 0) {
			key_error(err, err_len, SRC_CLI, k, why);
			return -EINVAL;
		}
		src[k] = SRC_CLI;
	}
	if (addr != NULL && dtcp_config_set(cfg, "port0", "address", addr, why, sizeof(why)) != 0) {
		snprintf(err, err_len, "--addr: %s", why);
		return -EINVAL;
	}
	if (gateway != NULL &&
	    dtcp_config_set(cfg, "port0", "gateway", gateway, why, sizeof(why)) != 0) {
		snprintf(err, err_len, "--gateway: %s", why);
		return -EINVAL;
	}

	/* Across keys. */
	if (opt->listen_port == 0) {
		snprintf(err, err_len, "--listen: required (or [lb] listen)");
		return -EINVAL;
	}
	if (opt->nb_backends == 0) {
		snprintf(err, err_len, "--backend: required (or [lb] backends)");
		return -EINVAL;
	}
	if (src[KEY_TIMEOUT] == SRC_DEFAULT) {
		opt->health_timeout_ms = opt->health_interval_ms;
	} else if (opt->health_timeout_ms > opt->health_interval_ms) {
		snprintf(why, sizeof(why), "%u ms is longer than the health interval (%u ms)",
			 opt->health_timeout_ms, opt->health_interval_ms);
		key_error(err, err_len, src[KEY_TIMEOUT], KEY_TIMEOUT, why);
		return -EINVAL;
	}
	return dtcp_config_validate(cfg, err, err_len);
}
