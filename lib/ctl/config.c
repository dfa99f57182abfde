/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: defaults, per-key validation, INI loading via rte_cfgfile.
 *
 * [stack] keys are described by one table (name, field, range, default), so
 * the INI loader, dtcp_config_set() and dtcp_config_init() cannot disagree.
 * config/dtcp.ini documents the same keys for people.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include <dtcp/dtcp_config.h>

#include "core/lcore.h"

/* An integer key of [stack] or [tcp]: where it lives in struct dtcp_config and its range. */
struct int_key {
	const char *section;
	const char *name;
	size_t offset; /* into struct dtcp_config */
	size_t size;   /* 2 or 4 bytes */
	uint32_t min, max, def;
};

#define INT_KEY(sect, key, field, lo, hi, dflt)                                                    \
	{                                                                                          \
		sect, key, offsetof(struct dtcp_config, field),                                    \
			sizeof(((struct dtcp_config *)0)->field), lo, hi, dflt                     \
	}
#define STACK_KEY(field, lo, hi, dflt) INT_KEY("stack", #field, field, lo, hi, dflt)
#define TCP_KEY(key, lo, hi, dflt)     INT_KEY("tcp", #key, tcp_##key, lo, hi, dflt)

static const struct int_key int_keys[] = {
	STACK_KEY(burst_size, 1, DTCP_MAX_BURST, 32),
	STACK_KEY(mbuf_pool_size, 1024, 1u << 24, 16383),
	STACK_KEY(mbuf_cache_size, 0, RTE_MEMPOOL_CACHE_MAX_SIZE, 256),
	STACK_KEY(rx_desc, 64, 16384, 1024),
	STACK_KEY(tx_desc, 64, 16384, 1024),
	STACK_KEY(idle_polls, 1, 1000000000, 1000),
	STACK_KEY(idle_sleep_us, 0, 1000000, 100),
	STACK_KEY(arp_table_size, 16, 1u << 20, 1024),
	STACK_KEY(arp_pending_max, 1, DTCP_ARP_PENDING_LIMIT, 8),
	STACK_KEY(arp_retry_ms, 10, 60000, 1000),
	STACK_KEY(arp_retries, 1, 20, 3),
	STACK_KEY(arp_timeout_s, 1, 86400, 300),
	TCP_KEY(max_conns, 16, 1u << 24, 65536),
	TCP_KEY(max_time_wait, 16, 1u << 24, 65536),
	TCP_KEY(max_listeners, 1, 4096, 64),
	TCP_KEY(syn_backlog, 1, 1u << 20, 1024),
	TCP_KEY(snd_buf, 4096, 1u << 30, 262144),
	TCP_KEY(rcv_buf, 4096, 1u << 30, 262144),
	TCP_KEY(syn_retries, 1, 20, 6),
	TCP_KEY(synack_retries, 1, 20, 5),
	TCP_KEY(retries, 1, 50, 15),
	TCP_KEY(rto_initial_ms, 10, 60000, 1000),
	TCP_KEY(rto_min_ms, 1, 60000, 200),
	TCP_KEY(rto_max_ms, 100, 600000, 120000),
	TCP_KEY(time_wait_s, 1, 3600, 60),
	TCP_KEY(fin_wait2_s, 1, 3600, 60),
	TCP_KEY(delack_ms, 0, 500, 40),
	TCP_KEY(challenge_ack_limit, 1, 1000000, 1000),
	TCP_KEY(port_min, 1024, 65535, 32768),
	TCP_KEY(port_max, 1024, 65535, 60999),
	TCP_KEY(syncookie_period_s, 1, 3600, 64),
	TCP_KEY(initial_window, 1, 64, 10),
};

static const char *const syncookie_modes[] = {
	[DTCP_SYNCOOKIE_NEVER] = "never",
	[DTCP_SYNCOOKIE_AUTO] = "auto",
	[DTCP_SYNCOOKIE_ALWAYS] = "always",
};

static const char *const cc_algos[] = {
	[DTCP_CC_NEWRENO] = "newreno",
	[DTCP_CC_CUBIC] = "cubic",
};

#define PORT_MTU_MIN	 68
#define PORT_MTU_MAX	 9000
#define PORT_MTU_DEFAULT 1500

static int __rte_format_printf(5, 6) config_error(char *err, size_t err_len, const char *section,
						  const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || err_len == 0)
		return 0;
	n = snprintf(err, err_len, "%s:%s: ", section, key);
	if (n < 0 || (size_t)n >= err_len)
		return 0;
	va_start(ap, fmt);
	vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

static void
store(struct dtcp_config *cfg, const struct int_key *k, uint32_t v)
{
	char *field = (char *)cfg + k->offset;

	if (k->size == sizeof(uint16_t)) {
		uint16_t v16 = (uint16_t)v;
		memcpy(field, &v16, sizeof(v16));
	} else {
		memcpy(field, &v, sizeof(v));
	}
}

void
dtcp_config_init(struct dtcp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < RTE_DIM(int_keys); i++)
		store(cfg, &int_keys[i], int_keys[i].def);
	cfg->tcp_syncookies = DTCP_SYNCOOKIE_AUTO;
	cfg->tcp_congestion_control = DTCP_CC_CUBIC;
	for (unsigned int p = 0; p < DTCP_MAX_PORTS; p++)
		cfg->port[p].mtu = PORT_MTU_DEFAULT;
}

/* Decimal integer, no sign, no trailing characters. */
static int
parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = a.s_addr;
	return 0;
}

/* "A.B.C.D/N" with 1 <= N <= 32. */
static int
parse_cidr(const char *s, uint32_t *addr, uint8_t *prefix)
{
	char buf[INET_ADDRSTRLEN + 4];
	const char *slash = strchr(s, '/');
	uint32_t len;

	if (slash == NULL || (size_t)(slash - s) >= INET_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (parse_ipv4(buf, addr) != 0 || parse_u32(slash + 1, &len) != 0 || len < 1 || len > 32)
		return -EINVAL;
	*prefix = (uint8_t)len;
	return 0;
}

static uint32_t
prefix_mask(uint8_t len)
{
	return htonl(len == 0 ? 0 : ~0u << (32 - len));
}

static int
set_int_key(struct dtcp_config *cfg, const char *section, const char *key, const char *value,
	    char *err, size_t err_len)
{
	for (size_t i = 0; i < RTE_DIM(int_keys); i++) {
		const struct int_key *k = &int_keys[i];
		uint32_t v;

		if (strcmp(k->section, section) != 0 || strcmp(k->name, key) != 0)
			continue;
		if (parse_u32(value, &v) != 0 || v < k->min || v > k->max) {
			config_error(err, err_len, section, key,
				     "'%s' is not an integer in [%" PRIu32 ", %" PRIu32 "]", value,
				     k->min, k->max);
			return -EINVAL;
		}
		store(cfg, k, v);
		return 0;
	}
	config_error(err, err_len, section, key, "unknown key");
	return -ENOENT;
}

static int
set_syncookies(struct dtcp_config *cfg, const char *value, char *err, size_t err_len)
{
	for (size_t i = 0; i < RTE_DIM(syncookie_modes); i++) {
		if (strcmp(value, syncookie_modes[i]) == 0) {
			cfg->tcp_syncookies = (enum dtcp_syncookie_mode)i;
			return 0;
		}
	}
	config_error(err, err_len, "tcp", "syncookies", "'%s' is not never, auto or always", value);
	return -EINVAL;
}

static int
set_congestion_control(struct dtcp_config *cfg, const char *value, char *err, size_t err_len)
{
	for (size_t i = 0; i < RTE_DIM(cc_algos); i++) {
		if (strcmp(value, cc_algos[i]) == 0) {
			cfg->tcp_congestion_control = (enum dtcp_cc_algo)i;
			return 0;
		}
	}
	config_error(err, err_len, "tcp", "congestion_control", "'%s' is not cubic or newreno",
		     value);
	return -EINVAL;
}

static int
set_port_key(struct dtcp_port_config *pc, const char *section, const char *key, const char *value,
	     char *err, size_t err_len)
{
	uint32_t v;

	if (strcmp(key, "address") == 0) {
		if (parse_cidr(value, &pc->addr, &pc->prefix_len) != 0) {
			config_error(err, err_len, section, key,
				     "'%s' is not an IPv4 address/prefix such as 198.18.0.2/24",
				     value);
			return -EINVAL;
		}
		pc->configured = true;
		return 0;
	}
	if (strcmp(key, "gateway") == 0) {
		if (parse_ipv4(value, &pc->gateway) != 0 || pc->gateway == 0) {
			config_error(err, err_len, section, key, "'%s' is not an IPv4 address",
				     value);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(key, "mtu") == 0) {
		if (parse_u32(value, &v) != 0 || v < PORT_MTU_MIN || v > PORT_MTU_MAX) {
			config_error(err, err_len, section, key,
				     "'%s' is not an integer in [%d, %d]", value, PORT_MTU_MIN,
				     PORT_MTU_MAX);
			return -EINVAL;
		}
		pc->mtu = (uint16_t)v;
		return 0;
	}
	if (strcmp(key, "mac") == 0) {
		struct rte_ether_addr mac;

		if (rte_ether_unformat_addr(value, &mac) != 0 || !rte_is_unicast_ether_addr(&mac) ||
		    rte_is_zero_ether_addr(&mac)) {
			config_error(err, err_len, section, key,
				     "'%s' is not a unicast MAC address such as 02:00:00:00:00:01",
				     value);
			return -EINVAL;
		}
		memcpy(pc->mac, mac.addr_bytes, sizeof(pc->mac));
		pc->has_mac = true;
		return 0;
	}
	if (strcmp(key, "tso") == 0) {
		if (strcmp(value, "auto") != 0 && strcmp(value, "off") != 0) {
			config_error(err, err_len, section, key, "'%s' is not auto or off", value);
			return -EINVAL;
		}
		pc->tso_off = strcmp(value, "off") == 0;
		return 0;
	}
	config_error(err, err_len, section, key, "unknown key");
	return -ENOENT;
}

/* "port3" -> 3; -1 if not a port section. */
static int
port_section_index(const char *section)
{
	uint32_t idx;

	if (strncmp(section, "port", 4) != 0 || parse_u32(section + 4, &idx) != 0 ||
	    idx >= DTCP_MAX_PORTS || (section[4] == '0' && section[5] != '\0'))
		return -1;
	return (int)idx;
}

int
dtcp_config_set(struct dtcp_config *cfg, const char *section, const char *key, const char *value,
		char *err, size_t err_len)
{
	int port;

	if (strcmp(section, "tcp") == 0 && strcmp(key, "syncookies") == 0)
		return set_syncookies(cfg, value, err, err_len);
	if (strcmp(section, "tcp") == 0 && strcmp(key, "congestion_control") == 0)
		return set_congestion_control(cfg, value, err, err_len);
	if (strcmp(section, "stack") == 0 || strcmp(section, "tcp") == 0)
		return set_int_key(cfg, section, key, value, err, err_len);
	port = port_section_index(section);
	if (port >= 0)
		return set_port_key(&cfg->port[port], section, key, value, err, err_len);
	config_error(err, err_len, section, key,
		     "unknown section (expected [stack], [tcp] or [port0]..[port%d])",
		     DTCP_MAX_PORTS - 1);
	return -ENOENT;
}

/*
 * rte_cfgfile skips lines that are neither "[section]" nor "key = value", so a
 * typo such as "burst_size 64" would load as success. Reject those first.
 */
static int
check_ini_lines(const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");
	char line[CFG_NAME_LEN + CFG_VALUE_LEN + 8];
	unsigned int lineno = 0;
	int rc = 0;

	if (f == NULL)
		return 0; /* rte_cfgfile_load reports it */
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *end;

		lineno++;
		end = strchr(p, ';');
		if (end != NULL)
			*end = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p &&
		       (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0' || (*p == '[' && end[-1] == ']') || strchr(p, '=') != NULL)
			continue;
		if (err != NULL)
			snprintf(err, err_len,
				 "%s:%u: expected \"key = value\" or \"[section]\" (comments start "
				 "with ';')",
				 path, lineno);
		rc = -EIO;
	}
	fclose(f);
	return rc;
}

static bool
is_app_section(const char *name, const char *const *app_sections)
{
	for (; app_sections != NULL && *app_sections != NULL; app_sections++)
		if (strcmp(name, *app_sections) == 0)
			return true;
	return false;
}

int
dtcp_config_load(struct dtcp_config *cfg, const char *path, char *err, size_t err_len)
{
	return dtcp_config_load_app(cfg, path, NULL, err, err_len);
}

int
dtcp_config_load_app(struct dtcp_config *cfg, const char *path, const char *const *app_sections,
		     char *err, size_t err_len)
{
	struct rte_cfgfile *file;
	char(*sections)[CFG_NAME_LEN] = NULL;
	char **section_ptrs = NULL;
	struct rte_cfgfile_entry *entries = NULL;
	int nb_sections, rc;

	rc = check_ini_lines(path, err, err_len);
	if (rc != 0)
		return rc;
	file = rte_cfgfile_load(path, 0);
	if (file == NULL) {
		if (err != NULL)
			snprintf(err, err_len, "%s: cannot read or not valid INI", path);
		return -EIO;
	}
	nb_sections = rte_cfgfile_num_sections(file, NULL, 0);
	sections = calloc((size_t)RTE_MAX(nb_sections, 1), sizeof(*sections));
	section_ptrs = calloc((size_t)RTE_MAX(nb_sections, 1), sizeof(*section_ptrs));
	if (sections == NULL || section_ptrs == NULL) {
		rc = -ENOMEM;
		nb_sections = 0;
	}
	for (int i = 0; i < nb_sections; i++)
		section_ptrs[i] = sections[i];
	if (nb_sections > 0)
		rte_cfgfile_sections(file, section_ptrs, nb_sections);

	/* rte_cfgfile looks sections up by name, so a repeated section's entries would be lost. */
	for (int s = 1; rc == 0 && s < nb_sections; s++) {
		for (int t = 0; t < s; t++) {
			if (strcmp(sections[t], sections[s]) == 0) {
				if (err != NULL)
					snprintf(err, err_len,
						 "%s: section [%s] appears more than once", path,
						 sections[s]);
				rc = -EIO;
				break;
			}
		}
	}

	for (int s = 0; rc == 0 && s < nb_sections; s++) {
		int n = rte_cfgfile_section_num_entries(file, sections[s]);
		int port = port_section_index(sections[s]);

		if (is_app_section(sections[s], app_sections))
			continue; /* the application reads it */
		if (strcmp(sections[s], "stack") != 0 && strcmp(sections[s], "tcp") != 0 &&
		    port < 0) {
			config_error(
				err, err_len, sections[s], "*",
				"unknown section (expected [stack], [tcp] or [port0]..[port%d])",
				DTCP_MAX_PORTS - 1);
			rc = -ENOENT;
			break;
		}
		free(entries);
		entries = calloc((size_t)RTE_MAX(n, 1), sizeof(*entries));
		if (entries == NULL) {
			rc = -ENOMEM;
			break;
		}
		n = rte_cfgfile_section_entries(file, sections[s], entries, n);
		for (int e = 0; rc == 0 && e < n; e++)
			rc = dtcp_config_set(cfg, sections[s], entries[e].name, entries[e].value,
					     err, err_len);
		if (rc == 0 && port >= 0 && !cfg->port[port].configured) {
			config_error(err, err_len, sections[s], "address", "required");
			rc = -EINVAL;
		}
	}
	free(entries);
	free(section_ptrs);
	free(sections);
	rte_cfgfile_close(file);
	return rc;
}

int
dtcp_config_validate(const struct dtcp_config *cfg, char *err, size_t err_len)
{
	bool any = false;

	/* rte_mempool_create() refuses a cache larger than pool size / 1.5. */
	if ((uint64_t)cfg->mbuf_cache_size * 3 > (uint64_t)cfg->mbuf_pool_size * 2) {
		config_error(err, err_len, "stack", "mbuf_cache_size",
			     "%u is more than 2/3 of mbuf_pool_size (%u)", cfg->mbuf_cache_size,
			     cfg->mbuf_pool_size);
		return -EINVAL;
	}
	if (cfg->tcp_port_min > cfg->tcp_port_max) {
		config_error(err, err_len, "tcp", "port_min", "%u is above port_max (%u)",
			     cfg->tcp_port_min, cfg->tcp_port_max);
		return -EINVAL;
	}
	if (cfg->tcp_rto_min_ms > cfg->tcp_rto_max_ms ||
	    cfg->tcp_rto_initial_ms < cfg->tcp_rto_min_ms ||
	    cfg->tcp_rto_initial_ms > cfg->tcp_rto_max_ms) {
		config_error(err, err_len, "tcp", "rto_initial_ms",
			     "need rto_min_ms (%u) <= rto_initial_ms (%u) <= rto_max_ms (%u)",
			     cfg->tcp_rto_min_ms, cfg->tcp_rto_initial_ms, cfg->tcp_rto_max_ms);
		return -EINVAL;
	}
	for (unsigned int p = 0; p < DTCP_MAX_PORTS; p++) {
		const struct dtcp_port_config *pc = &cfg->port[p];
		char section[16];
		uint32_t mask;

		if (!pc->configured)
			continue;
		any = true;
		snprintf(section, sizeof(section), "port%u", p);
		mask = prefix_mask(pc->prefix_len);
		if (pc->gateway != 0 && (pc->gateway & mask) != (pc->addr & mask)) {
			config_error(err, err_len, section, "gateway", "not inside %s's prefix",
				     "address");
			return -EINVAL;
		}
		for (unsigned int q = 0; q < p; q++) {
			const struct dtcp_port_config *o = &cfg->port[q];
			uint32_t m = prefix_mask(RTE_MIN(pc->prefix_len, o->prefix_len));

			if (o->configured && (o->addr & m) == (pc->addr & m)) {
				config_error(err, err_len, section, "address",
					     "prefix overlaps port%u's", q);
				return -EINVAL;
			}
		}
	}
	if (!any) {
		config_error(err, err_len, "port0", "address",
			     "no port has an address (set one in the config or with --addr)");
		return -EINVAL;
	}
	return 0;
}
