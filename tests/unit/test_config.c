/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration tests: defaults, the INI loader against fixture files
 * (tests/unit/fixtures/, passed as argv[1]), dtcp_config_set() ranges and
 * dtcp_config_validate() cross-key rules. Every failure is checked for both
 * its return code and its exact "section:key: reason" text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include <dtcp/dtcp_config.h>

#include "dtcp_test.h"

static const char *fixture_dir;
static const uint8_t zero_mac[6];

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_s_ = (got), *w_s_ = (want);                                          \
		if (strcmp(g_s_, w_s_) != 0) {                                                     \
			fprintf(stderr,                                                            \
				"%s:%d: CHECK_STR failed:\n  got:  \"%s\"\n  want: \"%s\"\n",      \
				__FILE__, __LINE__, g_s_, w_s_);                                   \
			dtcp_test_failures++;                                                      \
		}                                                                                  \
	} while (0)

static const char *
fixture(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fixture_dir, name);
	return buf;
}

/* Load a fixture over fresh defaults; the error buffer is pre-filled so a missing message shows. */
static int
load_fixture(const char *name, struct dtcp_config *cfg, char *err, size_t err_len)
{
	char path[512];

	dtcp_config_init(cfg);
	snprintf(err, err_len, "(no message)");
	return dtcp_config_load(cfg, fixture(name, path, sizeof(path)), err, err_len);
}

static void
test_defaults(void)
{
	struct dtcp_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	dtcp_config_init(&cfg);
	CHECK_EQ(cfg.burst_size, 32);
	CHECK_EQ(cfg.mbuf_pool_size, 16383);
	CHECK_EQ(cfg.mbuf_cache_size, 256);
	CHECK_EQ(cfg.rx_desc, 1024);
	CHECK_EQ(cfg.tx_desc, 1024);
	CHECK_EQ(cfg.idle_polls, 1000);
	CHECK_EQ(cfg.idle_sleep_us, 100);
	CHECK_EQ(cfg.arp_table_size, 1024);
	CHECK_EQ(cfg.arp_pending_max, 8);
	CHECK_EQ(cfg.arp_retry_ms, 1000);
	CHECK_EQ(cfg.arp_retries, 3);
	CHECK_EQ(cfg.arp_timeout_s, 300);
	CHECK_EQ(cfg.tcp_max_conns, 65536);
	CHECK_EQ(cfg.tcp_syn_backlog, 1024);
	CHECK_EQ(cfg.tcp_syn_retries, 6);
	CHECK_EQ(cfg.tcp_rto_initial_ms, 1000);
	CHECK_EQ(cfg.tcp_rto_min_ms, 200);
	CHECK_EQ(cfg.tcp_time_wait_s, 60);
	CHECK_EQ(cfg.tcp_port_min, 32768);
	CHECK_EQ(cfg.tcp_port_max, 60999);
	CHECK_EQ(cfg.tcp_syncookies, DTCP_SYNCOOKIE_AUTO);
	CHECK_EQ(cfg.tcp_syncookie_period_s, 64);
	CHECK_EQ(cfg.tcp_delack_ms, 40);
	CHECK_EQ(cfg.tcp_congestion_control, DTCP_CC_CUBIC);
	CHECK_EQ(cfg.tcp_initial_window, 10);
	for (unsigned int p = 0; p < DTCP_MAX_PORTS; p++) {
		CHECK_EQ(cfg.port[p].configured, false);
		CHECK_EQ(cfg.port[p].addr, 0);
		CHECK_EQ(cfg.port[p].prefix_len, 0);
		CHECK_EQ(cfg.port[p].gateway, 0);
		CHECK_EQ(cfg.port[p].mtu, 1500);
		CHECK_EQ(cfg.port[p].has_mac, false);
		CHECK_BYTES(cfg.port[p].mac, zero_mac, sizeof(zero_mac));
	}
}

static void
test_defaults_validate(void)
{
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN];

	/* Defaults alone are not usable: no port has an address. */
	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_validate(&cfg, err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "port0:address: no port has an address (set one in the config or with "
		       "--addr)");
	/* One address makes them usable. */
	CHECK_EQ(dtcp_config_set(&cfg, "port0", "address", "198.18.0.2/24", err, sizeof(err)), 0);
	CHECK_EQ(dtcp_config_validate(&cfg, err, sizeof(err)), 0);
}

static void
test_load_valid(void)
{
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN];
	int rc;

	rc = load_fixture("valid.ini", &cfg, err, sizeof(err));
	CHECK_EQ(rc, 0);
	if (rc != 0)
		fprintf(stderr, "valid.ini: %s\n", err);
	CHECK_EQ(cfg.burst_size, 64);
	CHECK_EQ(cfg.mbuf_pool_size, 32767);
	CHECK_EQ(cfg.mbuf_cache_size, 128);
	CHECK_EQ(cfg.rx_desc, 2048);
	CHECK_EQ(cfg.tx_desc, 512);
	CHECK_EQ(cfg.idle_polls, 5000);
	CHECK_EQ(cfg.idle_sleep_us, 0);
	CHECK_EQ(cfg.arp_table_size, 4096);
	CHECK_EQ(cfg.arp_pending_max, 16);
	CHECK_EQ(cfg.arp_retry_ms, 250);
	CHECK_EQ(cfg.arp_retries, 5);
	CHECK_EQ(cfg.arp_timeout_s, 600);

	CHECK_EQ(cfg.port[0].configured, true);
	CHECK_EQ(cfg.port[0].addr, htonl(0xc6120002)); /* 198.18.0.2 */
	CHECK_EQ(cfg.port[0].prefix_len, 24);
	CHECK_EQ(cfg.port[0].gateway, htonl(0xc6120001)); /* 198.18.0.1 */
	CHECK_EQ(cfg.port[0].mtu, 9000);
	CHECK_EQ(cfg.port[0].has_mac, true);
	CHECK_BYTES(cfg.port[0].mac, ((const uint8_t[]){0x02, 0, 0, 0, 0, 0x0a}), 6);

	CHECK_EQ(cfg.port[2].configured, true);
	CHECK_EQ(cfg.port[2].addr, htonl(0x0a010203)); /* 10.1.2.3 */
	CHECK_EQ(cfg.port[2].prefix_len, 16);
	CHECK_EQ(cfg.port[2].gateway, 0);
	CHECK_EQ(cfg.port[2].mtu, 1400);
	CHECK_EQ(cfg.port[2].has_mac, false);
	CHECK_BYTES(cfg.port[2].mac, zero_mac, sizeof(zero_mac));

	for (unsigned int p = 0; p < DTCP_MAX_PORTS; p++) {
		if (p == 0 || p == 2)
			continue;
		CHECK_EQ(cfg.port[p].configured, false);
		CHECK_EQ(cfg.port[p].addr, 0);
		CHECK_EQ(cfg.port[p].prefix_len, 0);
		CHECK_EQ(cfg.port[p].gateway, 0);
		CHECK_EQ(cfg.port[p].mtu, 1500);
		CHECK_EQ(cfg.port[p].has_mac, false);
	}

	CHECK_EQ(dtcp_config_validate(&cfg, err, sizeof(err)), 0);
}

/*
 * config/dtcp.ini documents every key with its default value: loading it over
 * the defaults must change nothing but the example [port0] address.
 */
static void
test_shipped_ini_matches_defaults(void)
{
	struct dtcp_config want, got;
	char err[DTCP_CONFIG_ERR_LEN], path[512];
	int rc;

	snprintf(path, sizeof(path), "%s/../../../config/dtcp.ini", fixture_dir);
	dtcp_config_init(&want);
	dtcp_config_init(&got);
	rc = dtcp_config_load(&got, path, err, sizeof(err));
	CHECK_EQ(rc, 0);
	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	CHECK_EQ(got.port[0].configured, true);
	CHECK_EQ(got.port[0].addr, htonl(0xc6120002)); /* 198.18.0.2 */
	CHECK_EQ(got.port[0].prefix_len, 24);
	want.port[0] = got.port[0];
	CHECK_EQ(got.port[0].gateway, 0);
	CHECK_EQ(got.port[0].mtu, 1500);
	CHECK_EQ(got.port[0].has_mac, false);
	CHECK(memcmp(&got, &want, sizeof(got)) == 0);
	CHECK_EQ(dtcp_config_validate(&got, err, sizeof(err)), 0);
}

/*
 * An application's own section in the stack's file: rejected by
 * dtcp_config_load(), skipped by dtcp_config_load_app() when named (and only
 * then), the stack's sections around it still applied.
 */
static void
test_load_app_sections(void)
{
	static const char *const lb[] = {"lb", NULL}, *const other[] = {"other", NULL};
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN], path[512];

	snprintf(path, sizeof(path), "%s/../../../config/dtcp-lb.ini", fixture_dir);
	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_load(&cfg, path, err, sizeof(err)), -ENOENT);
	CHECK(strstr(err, "lb") != NULL);
	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_load_app(&cfg, path, other, err, sizeof(err)), -ENOENT);
	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_load_app(&cfg, path, lb, err, sizeof(err)), 0);
	CHECK_EQ(cfg.port[0].configured, true); /* the stack's sections applied */
	CHECK_EQ(dtcp_config_validate(&cfg, err, sizeof(err)), 0);
	/* A bad key in a stack section still fails. */
	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_load_app(&cfg, fixture("unknown_key.ini", path, sizeof(path)), lb, err,
				      sizeof(err)),
		 -ENOENT);
}

static void
test_load_keeps_absent_keys(void)
{
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN], path[512];

	/* Load over non-default values: keys absent from the file are not reset. */
	dtcp_config_init(&cfg);
	cfg.rx_desc = 4096;
	cfg.port[5].mtu = 1280;
	CHECK_EQ(dtcp_config_load(&cfg, fixture("no_port.ini", path, sizeof(path)), err,
				  sizeof(err)),
		 0);
	CHECK_EQ(cfg.burst_size, 16);
	CHECK_EQ(cfg.rx_desc, 4096);
	CHECK_EQ(cfg.port[5].mtu, 1280);
	CHECK_EQ(cfg.mbuf_pool_size, 16383);
}

struct bad_fixture {
	const char *file;
	int rc;
	const char *msg;
};

static const struct bad_fixture bad_fixtures[] = {
	{"unknown_key.ini", -ENOENT, "stack:bogus_key: unknown key"},
	{"unknown_section.ini", -ENOENT,
	 "bogus:*: unknown section (expected [stack], [tcp] or [port0]..[port7])"},
	{"port8.ini", -ENOENT,
	 "port8:*: unknown section (expected [stack], [tcp] or [port0]..[port7])"},
	{"burst_zero.ini", -EINVAL, "stack:burst_size: '0' is not an integer in [1, 512]"},
	{"cc_reno.ini", -EINVAL, "tcp:congestion_control: 'reno' is not cubic or newreno"},
	{"burst_abc.ini", -EINVAL, "stack:burst_size: 'abc' is not an integer in [1, 512]"},
	{"burst_negative.ini", -EINVAL, "stack:burst_size: '-1' is not an integer in [1, 512]"},
	{"burst_junk.ini", -EINVAL, "stack:burst_size: '32x' is not an integer in [1, 512]"},
	{"burst_too_big.ini", -EINVAL, "stack:burst_size: '513' is not an integer in [1, 512]"},
	{"addr_no_prefix.ini", -EINVAL,
	 "port0:address: '198.18.0.2' is not an IPv4 address/prefix such as 198.18.0.2/24"},
	{"addr_prefix33.ini", -EINVAL,
	 "port0:address: '198.18.0.2/33' is not an IPv4 address/prefix such as 198.18.0.2/24"},
	{"bad_gateway.ini", -EINVAL, "port0:gateway: '198.18.0.256' is not an IPv4 address"},
	{"mtu_67.ini", -EINVAL, "port0:mtu: '67' is not an integer in [68, 9000]"},
	{"mtu_9001.ini", -EINVAL, "port0:mtu: '9001' is not an integer in [68, 9000]"},
	{"bad_mac.ini", -EINVAL,
	 "port0:mac: '01:00:5e:00:00:01' is not a unicast MAC address such as 02:00:00:00:00:01"},
	{"port_no_address.ini", -EINVAL, "port1:address: required"},
};

static void
test_load_invalid(void)
{
	for (size_t i = 0; i < RTE_DIM(bad_fixtures); i++) {
		const struct bad_fixture *f = &bad_fixtures[i];
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN];
		int rc = load_fixture(f->file, &cfg, err, sizeof(err));

		if (rc != f->rc || strcmp(err, f->msg) != 0)
			fprintf(stderr, "fixture %s:\n", f->file);
		CHECK_EQ(rc, f->rc);
		CHECK_STR(err, f->msg);
	}
}

struct invalid_combo {
	const char *file;
	const char *msg;
};

/* Files that load but break a cross-key rule. */
static const struct invalid_combo invalid_combos[] = {
	{"gateway_offlink.ini", "port0:gateway: not inside address's prefix"},
	{"overlap.ini", "port1:address: prefix overlaps port0's"},
	{"no_port.ini",
	 "port0:address: no port has an address (set one in the config or with --addr)"},
};

static void
test_validate_invalid_fixtures(void)
{
	for (size_t i = 0; i < RTE_DIM(invalid_combos); i++) {
		const struct invalid_combo *f = &invalid_combos[i];
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN];
		int rc = load_fixture(f->file, &cfg, err, sizeof(err));

		if (rc != 0)
			fprintf(stderr, "fixture %s: %s\n", f->file, err);
		CHECK_EQ(rc, 0);
		snprintf(err, sizeof(err), "(no message)");
		rc = dtcp_config_validate(&cfg, err, sizeof(err));
		if (rc != -EINVAL || strcmp(err, f->msg) != 0)
			fprintf(stderr, "fixture %s:\n", f->file);
		CHECK_EQ(rc, -EINVAL);
		CHECK_STR(err, f->msg);
	}
}

/* Fixtures rte_cfgfile rejects, or that dtcp refuses as a whole file: "path: reason", -EIO. */
static const struct bad_fixture io_fixtures[] = {
	{"does_not_exist.ini", -EIO, "cannot read or not valid INI"},
	{"empty_value.ini", -EIO, "cannot read or not valid INI"},
	{"no_section.ini", -EIO, "cannot read or not valid INI"},
	{"duplicate_section.ini", -EIO, "section [stack] appears more than once"},
};

/* Lines that are neither "[section]" nor "key = value": rte_cfgfile would skip them silently. */
static void
test_load_rejects_malformed_lines(void)
{
	static const struct {
		const char *file;
		unsigned int line;
	} cases[] = {{"missing_equals.ini", 2}, {"unterminated_section.ini", 1}};

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN], path[512], want[600];

		snprintf(want, sizeof(want),
			 "%s:%u: expected \"key = value\" or \"[section]\" (comments start with "
			 "';')",
			 fixture(cases[i].file, path, sizeof(path)), cases[i].line);
		CHECK_EQ(load_fixture(cases[i].file, &cfg, err, sizeof(err)), -EIO);
		CHECK_STR(err, want);
	}
}

static void
test_load_io_errors(void)
{
	for (size_t i = 0; i < RTE_DIM(io_fixtures); i++) {
		const struct bad_fixture *f = &io_fixtures[i];
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN], path[512], want[600];
		int rc = load_fixture(f->file, &cfg, err, sizeof(err));

		snprintf(want, sizeof(want), "%s: %s", fixture(f->file, path, sizeof(path)),
			 f->msg);
		if (rc != f->rc || strcmp(err, want) != 0)
			fprintf(stderr, "fixture %s:\n", f->file);
		CHECK_EQ(rc, f->rc);
		CHECK_STR(err, want);
		/* Nothing was applied: the whole file is refused before any key. */
		CHECK_EQ(cfg.burst_size, 32);
		CHECK_EQ(cfg.rx_desc, 1024);
		CHECK_EQ(cfg.port[0].configured, false);
	}
}

static void
test_load_null_err(void)
{
	struct dtcp_config cfg;
	char path[512];

	/* A NULL error buffer is allowed on every path. */
	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_load(&cfg, fixture("does_not_exist.ini", path, sizeof(path)), NULL, 0),
		 -EIO);
	CHECK_EQ(dtcp_config_load(&cfg, fixture("duplicate_section.ini", path, sizeof(path)), NULL,
				  0),
		 -EIO);
	CHECK_EQ(dtcp_config_load(&cfg, fixture("unknown_key.ini", path, sizeof(path)), NULL, 0),
		 -ENOENT);
	CHECK_EQ(dtcp_config_load(&cfg, fixture("burst_zero.ini", path, sizeof(path)), NULL, 0),
		 -EINVAL);
	CHECK_EQ(
		dtcp_config_load(&cfg, fixture("port_no_address.ini", path, sizeof(path)), NULL, 0),
		-EINVAL);
}

/* Set one key on fresh defaults and check rc and message. */
static void
check_set(int line, const char *section, const char *key, const char *value, int want_rc,
	  const char *want_msg)
{
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN];
	int rc;

	dtcp_config_init(&cfg);
	snprintf(err, sizeof(err), "(no message)");
	rc = dtcp_config_set(&cfg, section, key, value, err, sizeof(err));
	if (rc != want_rc || (want_msg != NULL && strcmp(err, want_msg) != 0)) {
		fprintf(stderr, "%s:%d: set [%s] %s=%s: rc %d want %d, \"%s\"\n", __FILE__, line,
			section, key, value, rc, want_rc, err);
		dtcp_test_failures++;
	}
}

#define SET_OK(s, k, v)		 check_set(__LINE__, s, k, v, 0, NULL)
#define SET_FAIL(s, k, v, rc, m) check_set(__LINE__, s, k, v, rc, m)

/* Documented range of each [stack] key. */
struct key_range {
	const char *name;
	uint32_t min, max;
};

static const struct key_range stack_ranges[] = {
	{"burst_size", 1, 512},
	{"mbuf_pool_size", 1024, 1u << 24},
	{"mbuf_cache_size", 0, 512},
	{"rx_desc", 64, 16384},
	{"tx_desc", 64, 16384},
	{"idle_polls", 1, 1000000000},
	{"idle_sleep_us", 0, 1000000},
	{"arp_table_size", 16, 1u << 20},
	{"arp_pending_max", 1, DTCP_ARP_PENDING_LIMIT},
	{"arp_retry_ms", 10, 60000},
	{"arp_retries", 1, 20},
	{"arp_timeout_s", 1, 86400},
};

/* Read a [stack] field back by name. */
static uint32_t
stack_value(const struct dtcp_config *cfg, const char *name)
{
	if (strcmp(name, "burst_size") == 0)
		return cfg->burst_size;
	if (strcmp(name, "mbuf_pool_size") == 0)
		return cfg->mbuf_pool_size;
	if (strcmp(name, "mbuf_cache_size") == 0)
		return cfg->mbuf_cache_size;
	if (strcmp(name, "rx_desc") == 0)
		return cfg->rx_desc;
	if (strcmp(name, "tx_desc") == 0)
		return cfg->tx_desc;
	if (strcmp(name, "idle_polls") == 0)
		return cfg->idle_polls;
	if (strcmp(name, "idle_sleep_us") == 0)
		return cfg->idle_sleep_us;
	if (strcmp(name, "arp_table_size") == 0)
		return cfg->arp_table_size;
	if (strcmp(name, "arp_pending_max") == 0)
		return cfg->arp_pending_max;
	if (strcmp(name, "arp_retry_ms") == 0)
		return cfg->arp_retry_ms;
	if (strcmp(name, "arp_retries") == 0)
		return cfg->arp_retries;
	if (strcmp(name, "arp_timeout_s") == 0)
		return cfg->arp_timeout_s;
	return 0xdeadbeef;
}

static void
test_set_stack_ranges(void)
{
	for (size_t i = 0; i < RTE_DIM(stack_ranges); i++) {
		const struct key_range *k = &stack_ranges[i];
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN], val[32], want[DTCP_CONFIG_ERR_LEN];

		dtcp_config_init(&cfg);
		/* Both bounds are accepted and stored exactly. */
		snprintf(val, sizeof(val), "%" PRIu32, k->min);
		CHECK_EQ(dtcp_config_set(&cfg, "stack", k->name, val, err, sizeof(err)), 0);
		CHECK_EQ(stack_value(&cfg, k->name), k->min);
		snprintf(val, sizeof(val), "%" PRIu32, k->max);
		CHECK_EQ(dtcp_config_set(&cfg, "stack", k->name, val, err, sizeof(err)), 0);
		CHECK_EQ(stack_value(&cfg, k->name), k->max);

		/* One past each bound is rejected with the range in the message, value kept. */
		snprintf(val, sizeof(val), "%" PRIu32, k->max + 1);
		snprintf(want, sizeof(want),
			 "stack:%s: '%s' is not an integer in [%" PRIu32 ", %" PRIu32 "]", k->name,
			 val, k->min, k->max);
		CHECK_EQ(dtcp_config_set(&cfg, "stack", k->name, val, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, want);
		CHECK_EQ(stack_value(&cfg, k->name), k->max);
		if (k->min > 0) {
			snprintf(val, sizeof(val), "%" PRIu32, k->min - 1);
			snprintf(want, sizeof(want),
				 "stack:%s: '%s' is not an integer in [%" PRIu32 ", %" PRIu32 "]",
				 k->name, val, k->min, k->max);
			CHECK_EQ(dtcp_config_set(&cfg, "stack", k->name, val, err, sizeof(err)),
				 -EINVAL);
			CHECK_STR(err, want);
			CHECK_EQ(stack_value(&cfg, k->name), k->max);
		}
	}
}

static void
test_set_integer_syntax(void)
{
	SET_OK("stack", "burst_size", "0064"); /* leading zeros are decimal, not octal */
	SET_FAIL("stack", "burst_size", "", -EINVAL,
		 "stack:burst_size: '' is not an integer in [1, 512]");
	SET_FAIL("stack", "burst_size", "+32", -EINVAL,
		 "stack:burst_size: '+32' is not an integer in [1, 512]");
	SET_FAIL("stack", "burst_size", " 32", -EINVAL,
		 "stack:burst_size: ' 32' is not an integer in [1, 512]");
	SET_FAIL("stack", "burst_size", "32 ", -EINVAL,
		 "stack:burst_size: '32 ' is not an integer in [1, 512]");
	SET_FAIL("stack", "burst_size", "0x20", -EINVAL,
		 "stack:burst_size: '0x20' is not an integer in [1, 512]");
	SET_FAIL("stack", "burst_size", "3.0", -EINVAL,
		 "stack:burst_size: '3.0' is not an integer in [1, 512]");
	/* Values that wrap a 16-bit field or overflow 32/64 bits are range errors, not wraps. */
	SET_FAIL("stack", "burst_size", "65568", -EINVAL,
		 "stack:burst_size: '65568' is not an integer in [1, 512]");
	SET_FAIL("stack", "idle_polls", "4294967297", -EINVAL,
		 "stack:idle_polls: '4294967297' is not an integer in [1, 1000000000]");
	SET_FAIL("stack", "idle_polls", "99999999999999999999999", -EINVAL,
		 "stack:idle_polls: '99999999999999999999999' is not an integer in [1, "
		 "1000000000]");
	/* Keys are case-sensitive. */
	SET_FAIL("stack", "Burst_Size", "32", -ENOENT, "stack:Burst_Size: unknown key");
}

static void
test_set_sections(void)
{
	SET_FAIL("bogus", "burst_size", "32", -ENOENT,
		 "bogus:burst_size: unknown section (expected [stack], [tcp] or [port0]..[port7])");
	SET_FAIL("port8", "address", "198.18.0.2/24", -ENOENT,
		 "port8:address: unknown section (expected [stack], [tcp] or [port0]..[port7])");
	SET_FAIL("port", "address", "198.18.0.2/24", -ENOENT,
		 "port:address: unknown section (expected [stack], [tcp] or [port0]..[port7])");
	SET_FAIL("port01", "address", "198.18.0.2/24", -ENOENT,
		 "port01:address: unknown section (expected [stack], [tcp] or [port0]..[port7])");
	SET_FAIL("port-1", "address", "198.18.0.2/24", -ENOENT,
		 "port-1:address: unknown section (expected [stack], [tcp] or [port0]..[port7])");
	SET_FAIL("Stack", "burst_size", "32", -ENOENT,
		 "Stack:burst_size: unknown section (expected [stack], [tcp] or [port0]..[port7])");
	SET_FAIL("port0", "bogus_key", "1", -ENOENT, "port0:bogus_key: unknown key");
	SET_FAIL("stack", "address", "198.18.0.2/24", -ENOENT, "stack:address: unknown key");
	SET_FAIL("port0", "burst_size", "32", -ENOENT, "port0:burst_size: unknown key");
	SET_OK("port0", "mtu", "1500");
	SET_OK("port7", "mtu", "1500");
	SET_OK("port0", "tso", "auto");
	SET_OK("port0", "tso", "off");
	SET_FAIL("port0", "tso", "on", -EINVAL, "port0:tso: 'on' is not auto or off");
	{
		struct dtcp_config cfg;

		dtcp_config_init(&cfg);
		CHECK_EQ(cfg.port[2].tso_off, false); /* default: auto */
		CHECK_EQ(dtcp_config_set(&cfg, "port2", "tso", "off", NULL, 0), 0);
		CHECK_EQ(cfg.port[2].tso_off, true);
		CHECK_EQ(dtcp_config_set(&cfg, "port2", "tso", "auto", NULL, 0), 0);
		CHECK_EQ(cfg.port[2].tso_off, false);
	}

	/* Each port section writes its own slot and no other. */
	{
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN];

		dtcp_config_init(&cfg);
		CHECK_EQ(
			dtcp_config_set(&cfg, "port7", "address", "192.0.2.7/30", err, sizeof(err)),
			0);
		CHECK_EQ(dtcp_config_set(&cfg, "port7", "gateway", "192.0.2.5", err, sizeof(err)),
			 0);
		CHECK_EQ(dtcp_config_set(&cfg, "port7", "mtu", "68", err, sizeof(err)), 0);
		CHECK_EQ(cfg.port[7].configured, true);
		CHECK_EQ(cfg.port[7].addr, htonl(0xc0000207));
		CHECK_EQ(cfg.port[7].prefix_len, 30);
		CHECK_EQ(cfg.port[7].gateway, htonl(0xc0000205));
		CHECK_EQ(cfg.port[7].mtu, 68);
		for (unsigned int p = 0; p < 7; p++) {
			CHECK_EQ(cfg.port[p].configured, false);
			CHECK_EQ(cfg.port[p].mtu, 1500);
		}
		CHECK_EQ(dtcp_config_validate(&cfg, err, sizeof(err)), 0);
	}
}

/* [tcp] syncookies is the one key that takes a word, not an integer. */
static void
test_set_syncookies(void)
{
	static const struct {
		const char *value;
		enum dtcp_syncookie_mode mode;
	} modes[] = {{"never", DTCP_SYNCOOKIE_NEVER},
		     {"auto", DTCP_SYNCOOKIE_AUTO},
		     {"always", DTCP_SYNCOOKIE_ALWAYS}};
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN];

	for (size_t i = 0; i < RTE_DIM(modes); i++) {
		dtcp_config_init(&cfg);
		cfg.tcp_syncookies = modes[(i + 1) % RTE_DIM(modes)].mode;
		CHECK_EQ(dtcp_config_set(&cfg, "tcp", "syncookies", modes[i].value, err,
					 sizeof(err)),
			 0);
		CHECK_EQ(cfg.tcp_syncookies, modes[i].mode);
	}
	SET_FAIL("tcp", "syncookies", "1", -EINVAL,
		 "tcp:syncookies: '1' is not never, auto or always");
	SET_FAIL("tcp", "syncookies", "Always", -EINVAL,
		 "tcp:syncookies: 'Always' is not never, auto or always");
	SET_FAIL("tcp", "syncookies", "", -EINVAL,
		 "tcp:syncookies: '' is not never, auto or always");
	SET_FAIL("stack", "syncookies", "auto", -ENOENT, "stack:syncookies: unknown key");
	SET_OK("tcp", "syncookie_period_s", "1");
	SET_OK("tcp", "syncookie_period_s", "3600");
	SET_FAIL("tcp", "syncookie_period_s", "0", -EINVAL,
		 "tcp:syncookie_period_s: '0' is not an integer in [1, 3600]");
}

/* [tcp] delack_ms: 0 (ACK every segment) up to 500 ms (RFC 1122 4.2.3.2's upper bound). */
static void
test_set_delack(void)
{
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN];

	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_set(&cfg, "tcp", "delack_ms", "0", err, sizeof(err)), 0);
	CHECK_EQ(cfg.tcp_delack_ms, 0);
	CHECK_EQ(dtcp_config_set(&cfg, "tcp", "delack_ms", "500", err, sizeof(err)), 0);
	CHECK_EQ(cfg.tcp_delack_ms, 500);
	CHECK_EQ(dtcp_config_set(&cfg, "tcp", "delack_ms", "501", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "tcp:delack_ms: '501' is not an integer in [0, 500]");
	CHECK_EQ(cfg.tcp_delack_ms, 500);
	SET_FAIL("tcp", "delack_ms", "-1", -EINVAL,
		 "tcp:delack_ms: '-1' is not an integer in [0, 500]");
	SET_FAIL("stack", "delack_ms", "40", -ENOENT, "stack:delack_ms: unknown key");
}

/* [tcp] congestion_control takes a word; [tcp] initial_window is in segments, 1..64. */
static void
test_set_congestion_control(void)
{
	static const struct {
		const char *value;
		enum dtcp_cc_algo algo;
	} algos[] = {{"newreno", DTCP_CC_NEWRENO}, {"cubic", DTCP_CC_CUBIC}};
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN];

	for (size_t i = 0; i < RTE_DIM(algos); i++) {
		dtcp_config_init(&cfg);
		cfg.tcp_congestion_control = algos[(i + 1) % RTE_DIM(algos)].algo;
		CHECK_EQ(dtcp_config_set(&cfg, "tcp", "congestion_control", algos[i].value, err,
					 sizeof(err)),
			 0);
		CHECK_EQ(cfg.tcp_congestion_control, algos[i].algo);
	}
	SET_FAIL("tcp", "congestion_control", "reno", -EINVAL,
		 "tcp:congestion_control: 'reno' is not cubic or newreno");
	SET_FAIL("tcp", "congestion_control", "CUBIC", -EINVAL,
		 "tcp:congestion_control: 'CUBIC' is not cubic or newreno");
	SET_FAIL("tcp", "congestion_control", "1", -EINVAL,
		 "tcp:congestion_control: '1' is not cubic or newreno");
	SET_FAIL("tcp", "congestion_control", "", -EINVAL,
		 "tcp:congestion_control: '' is not cubic or newreno");
	SET_FAIL("stack", "congestion_control", "cubic", -ENOENT,
		 "stack:congestion_control: unknown key");

	SET_OK("tcp", "initial_window", "1");
	SET_OK("tcp", "initial_window", "64");
	dtcp_config_init(&cfg);
	CHECK_EQ(dtcp_config_set(&cfg, "tcp", "initial_window", "4", err, sizeof(err)), 0);
	CHECK_EQ(cfg.tcp_initial_window, 4);
	SET_FAIL("tcp", "initial_window", "0", -EINVAL,
		 "tcp:initial_window: '0' is not an integer in [1, 64]");
	SET_FAIL("tcp", "initial_window", "65", -EINVAL,
		 "tcp:initial_window: '65' is not an integer in [1, 64]");
	SET_FAIL("tcp", "initial_window", "ten", -EINVAL,
		 "tcp:initial_window: 'ten' is not an integer in [1, 64]");
}

static void
test_set_port_values(void)
{
	const char *addr_err = "' is not an IPv4 address/prefix such as 198.18.0.2/24";
	static const char *const bad_addrs[] = {
		"198.18.0.2",
		"198.18.0.2/33",
		"198.18.0.2/0",
		"198.18.0.2/",
		"198.18.0.2/-1",
		"198.18.0.2/24x",
		"198.18.0.2/ 24",
		"/24",
		"198.18.0/24",
		"198.18.0.256/24",
		"::1/64",
		"198.18.0.2/24/8",
		"198.18.0.2.1/24",
		"",
		"255.255.255.255255/8",
		"1234567890.1234567890.1234567890.1234567890/24", /* longer than any address */
	};

	for (size_t i = 0; i < RTE_DIM(bad_addrs); i++) {
		char want[DTCP_CONFIG_ERR_LEN];

		snprintf(want, sizeof(want), "port0:address: '%s%s", bad_addrs[i], addr_err);
		SET_FAIL("port0", "address", bad_addrs[i], -EINVAL, want);
	}
	SET_OK("port0", "address", "198.18.0.2/1");
	SET_OK("port0", "address", "198.18.0.2/32");

	SET_FAIL("port0", "gateway", "0.0.0.0", -EINVAL,
		 "port0:gateway: '0.0.0.0' is not an IPv4 address");
	SET_FAIL("port0", "gateway", "198.18.0.1/24", -EINVAL,
		 "port0:gateway: '198.18.0.1/24' is not an IPv4 address");
	SET_FAIL("port0", "gateway", "", -EINVAL, "port0:gateway: '' is not an IPv4 address");
	SET_FAIL("port0", "gateway", "gw", -EINVAL, "port0:gateway: 'gw' is not an IPv4 address");

	SET_OK("port0", "mtu", "68");
	SET_OK("port0", "mtu", "9000");
	SET_FAIL("port0", "mtu", "67", -EINVAL, "port0:mtu: '67' is not an integer in [68, 9000]");
	SET_FAIL("port0", "mtu", "9001", -EINVAL,
		 "port0:mtu: '9001' is not an integer in [68, 9000]");
	SET_FAIL("port0", "mtu", "1500 ", -EINVAL,
		 "port0:mtu: '1500 ' is not an integer in [68, 9000]");
	SET_FAIL("port0", "mtu", "65536", -EINVAL,
		 "port0:mtu: '65536' is not an integer in [68, 9000]");

	SET_OK("port0", "mac", "02:00:00:00:00:01");
	SET_OK("port0", "mac", "A2:BB:CC:DD:EE:FF");
	SET_OK("port0", "mac", "0200:0000:0001");
	{
		static const char *const bad_macs[] = {
			"01:00:5e:00:00:01", /* multicast */
			"ff:ff:ff:ff:ff:ff", /* broadcast */
			"00:00:00:00:00:00", /* zero */
			"02-00-00-00-00-01",	"2:0:0:0:0:1",	     "02:00:00:00:00",
			"02:00:00:00:00:01:02", "zz:00:00:00:00:01", "",
		};

		for (size_t i = 0; i < RTE_DIM(bad_macs); i++) {
			char want[DTCP_CONFIG_ERR_LEN];

			snprintf(want, sizeof(want),
				 "port0:mac: '%s' is not a unicast MAC address such as "
				 "02:00:00:00:00:01",
				 bad_macs[i]);
			SET_FAIL("port0", "mac", bad_macs[i], -EINVAL, want);
		}
	}

	/* A rejected address leaves the port unconfigured. */
	{
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN];

		dtcp_config_init(&cfg);
		CHECK_EQ(dtcp_config_set(&cfg, "port3", "address", "10.0.0.1/33", err, sizeof(err)),
			 -EINVAL);
		CHECK_EQ(cfg.port[3].configured, false);
	}
	/* A MAC alone does not configure a port; a rejected MAC keeps the previous one. */
	{
		struct dtcp_config cfg;
		char err[DTCP_CONFIG_ERR_LEN];

		dtcp_config_init(&cfg);
		CHECK_EQ(dtcp_config_set(&cfg, "port4", "mac", "02:11:22:33:44:55", err,
					 sizeof(err)),
			 0);
		CHECK_EQ(cfg.port[4].configured, false);
		CHECK_EQ(cfg.port[4].has_mac, true);
		CHECK_BYTES(cfg.port[4].mac,
			    ((const uint8_t[]){0x02, 0x11, 0x22, 0x33, 0x44, 0x55}), 6);
		CHECK_EQ(dtcp_config_set(&cfg, "port4", "mac", "03:11:22:33:44:66", err,
					 sizeof(err)),
			 -EINVAL);
		CHECK_EQ(cfg.port[4].has_mac, true);
		CHECK_BYTES(cfg.port[4].mac,
			    ((const uint8_t[]){0x02, 0x11, 0x22, 0x33, 0x44, 0x55}), 6);
		CHECK_EQ(cfg.port[5].has_mac, false);
	}
}

static void
test_error_buffer(void)
{
	struct dtcp_config cfg;
	char err[12];

	dtcp_config_init(&cfg);
	/* NULL buffer: still the right code. */
	CHECK_EQ(dtcp_config_set(&cfg, "stack", "burst_size", "0", NULL, 0), -EINVAL);
	CHECK_EQ(dtcp_config_set(&cfg, "stack", "bogus", "0", NULL, 0), -ENOENT);
	CHECK_EQ(dtcp_config_validate(&cfg, NULL, 0), -EINVAL);
	/* Short buffer: truncated, NUL-terminated, no overflow. */
	memset(err, 'x', sizeof(err));
	CHECK_EQ(dtcp_config_set(&cfg, "stack", "burst_size", "0", err, 8), -EINVAL);
	CHECK_STR(err, "stack:b");
	CHECK_EQ(err[8], 'x');
	memset(err, 'x', sizeof(err));
	CHECK_EQ(dtcp_config_set(&cfg, "stack", "bogus", "0", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "stack:bogus");
	/* Zero-length buffer is left alone. */
	memset(err, 'x', sizeof(err));
	CHECK_EQ(dtcp_config_set(&cfg, "stack", "bogus", "0", err, 0), -ENOENT);
	CHECK_EQ(err[0], 'x');
}

/* Configuration with port0 and port1 from address strings. */
static void
two_ports(struct dtcp_config *cfg, const char *a0, const char *a1)
{
	char err[DTCP_CONFIG_ERR_LEN];

	dtcp_config_init(cfg);
	if (dtcp_config_set(cfg, "port0", "address", a0, err, sizeof(err)) != 0 ||
	    (a1 != NULL && dtcp_config_set(cfg, "port1", "address", a1, err, sizeof(err)) != 0)) {
		fprintf(stderr, "two_ports: %s\n", err);
		dtcp_test_failures++;
	}
}

static void
check_validate(int line, const struct dtcp_config *cfg, int want_rc, const char *want_msg)
{
	char err[DTCP_CONFIG_ERR_LEN];
	int rc;

	snprintf(err, sizeof(err), "(no message)");
	rc = dtcp_config_validate(cfg, err, sizeof(err));
	if (rc != want_rc || (want_msg != NULL && strcmp(err, want_msg) != 0)) {
		fprintf(stderr, "%s:%d: validate: rc %d want %d, \"%s\" want \"%s\"\n", __FILE__,
			line, rc, want_rc, err, want_msg ? want_msg : "");
		dtcp_test_failures++;
	}
}

#define VALIDATE(cfg, rc, msg) check_validate(__LINE__, cfg, rc, msg)

static void
test_validate_rules(void)
{
	struct dtcp_config cfg;
	char err[DTCP_CONFIG_ERR_LEN];

	/* Gateway on-link at the edges of the prefix, and off-link just outside. */
	two_ports(&cfg, "198.18.0.2/24", NULL);
	dtcp_config_set(&cfg, "port0", "gateway", "198.18.0.255", err, sizeof(err));
	VALIDATE(&cfg, 0, NULL);
	dtcp_config_set(&cfg, "port0", "gateway", "198.18.1.0", err, sizeof(err));
	VALIDATE(&cfg, -EINVAL, "port0:gateway: not inside address's prefix");
	dtcp_config_set(&cfg, "port0", "gateway", "198.17.255.255", err, sizeof(err));
	VALIDATE(&cfg, -EINVAL, "port0:gateway: not inside address's prefix");
	/* /1 and /32 prefixes. */
	two_ports(&cfg, "10.0.0.1/1", NULL);
	dtcp_config_set(&cfg, "port0", "gateway", "127.0.0.1", err, sizeof(err));
	VALIDATE(&cfg, 0, NULL);
	dtcp_config_set(&cfg, "port0", "gateway", "128.0.0.1", err, sizeof(err));
	VALIDATE(&cfg, -EINVAL, "port0:gateway: not inside address's prefix");
	two_ports(&cfg, "10.0.0.1/32", NULL);
	dtcp_config_set(&cfg, "port0", "gateway", "10.0.0.2", err, sizeof(err));
	VALIDATE(&cfg, -EINVAL, "port0:gateway: not inside address's prefix");
	/* The rule applies to every port, with that port's name. */
	two_ports(&cfg, "198.18.0.2/24", "198.19.0.2/24");
	dtcp_config_set(&cfg, "port1", "gateway", "198.18.0.1", err, sizeof(err));
	VALIDATE(&cfg, -EINVAL, "port1:gateway: not inside address's prefix");

	/* Overlapping prefixes: equal, the later one wider, the later one narrower. */
	two_ports(&cfg, "198.18.0.2/24", "198.18.0.3/24");
	VALIDATE(&cfg, -EINVAL, "port1:address: prefix overlaps port0's");
	two_ports(&cfg, "198.18.0.2/24", "198.18.200.1/16");
	VALIDATE(&cfg, -EINVAL, "port1:address: prefix overlaps port0's");
	two_ports(&cfg, "198.18.0.2/16", "198.18.200.1/24");
	VALIDATE(&cfg, -EINVAL, "port1:address: prefix overlaps port0's");
	/* Adjacent but disjoint prefixes are fine. */
	two_ports(&cfg, "198.18.0.2/24", "198.18.1.2/24");
	VALIDATE(&cfg, 0, NULL);
	two_ports(&cfg, "10.0.0.1/25", "10.0.0.129/25");
	VALIDATE(&cfg, 0, NULL);
	/* The later port is named, the earlier one referenced; ports need not be contiguous. */
	two_ports(&cfg, "10.0.0.1/8", "192.168.0.1/16");
	dtcp_config_set(&cfg, "port6", "address", "10.200.0.1/16", err, sizeof(err));
	VALIDATE(&cfg, -EINVAL, "port6:address: prefix overlaps port0's");
	/* An unconfigured port's zero address does not overlap 0.0.0.0/1. */
	two_ports(&cfg, "1.2.3.4/1", NULL);
	VALIDATE(&cfg, 0, NULL);
}

static void
test_validate_mbuf_cache(void)
{
	struct dtcp_config cfg;

	/*
	 * rte_mempool_create() refuses cache * 1.5 > pool. With the key ranges (pool >= 1024,
	 * cache <= 512) that cannot happen from the INI or dtcp_config_set(), so exercise the
	 * rule with the struct set directly, as a program embedding the stack may do.
	 */
	two_ports(&cfg, "198.18.0.2/24", NULL);
	cfg.mbuf_cache_size = 512;
	cfg.mbuf_pool_size = 768; /* exactly 1.5x */
	VALIDATE(&cfg, 0, NULL);
	cfg.mbuf_pool_size = 767;
	VALIDATE(&cfg, -EINVAL,
		 "stack:mbuf_cache_size: 512 is more than 2/3 of mbuf_pool_size (767)");
	cfg.mbuf_cache_size = 0;
	cfg.mbuf_pool_size = 0;
	VALIDATE(&cfg, 0, NULL);
	/* Checked before the port rules. */
	dtcp_config_init(&cfg);
	cfg.mbuf_cache_size = 300;
	cfg.mbuf_pool_size = 400;
	VALIDATE(&cfg, -EINVAL,
		 "stack:mbuf_cache_size: 300 is more than 2/3 of mbuf_pool_size (400)");
	/* Largest settable cache with smallest settable pool is valid. */
	{
		char err[DTCP_CONFIG_ERR_LEN];

		two_ports(&cfg, "198.18.0.2/24", NULL);
		CHECK_EQ(dtcp_config_set(&cfg, "stack", "mbuf_pool_size", "1024", err, sizeof(err)),
			 0);
		CHECK_EQ(dtcp_config_set(&cfg, "stack", "mbuf_cache_size", "512", err, sizeof(err)),
			 0);
		VALIDATE(&cfg, 0, NULL);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	fixture_dir = argv[1];

	RUN_TEST(test_defaults);
	RUN_TEST(test_defaults_validate);
	RUN_TEST(test_load_valid);
	RUN_TEST(test_shipped_ini_matches_defaults);
	RUN_TEST(test_load_keeps_absent_keys);
	RUN_TEST(test_load_invalid);
	RUN_TEST(test_validate_invalid_fixtures);
	RUN_TEST(test_load_io_errors);
	RUN_TEST(test_load_rejects_malformed_lines);
	RUN_TEST(test_load_null_err);
	RUN_TEST(test_set_stack_ranges);
	RUN_TEST(test_set_integer_syntax);
	RUN_TEST(test_set_sections);
	RUN_TEST(test_set_syncookies);
	RUN_TEST(test_set_delack);
	RUN_TEST(test_set_congestion_control);
	RUN_TEST(test_set_port_values);
	RUN_TEST(test_load_app_sections);
	RUN_TEST(test_error_buffer);
	RUN_TEST(test_validate_rules);
	RUN_TEST(test_validate_mbuf_cache);
	return TEST_EXIT();
}
