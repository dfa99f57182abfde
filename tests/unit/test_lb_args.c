/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-lb's command line and [lb] section (app/dtcp-lb/lb_args.c): defaults,
 * every option, the file under the command line, and the exact message of
 * each kind of bad input. Pure: no EAL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "dtcp_test.h"
#include "lb_args.h"

#define MAX_ARGS 32

static char ini_path[64];

/* Parse "dtcp-lb" followed by the NULL-terminated arguments. */
static int
parse(struct dtcp_config *cfg, struct lb_options *opt, char *err, size_t err_len, ...)
{
	char *argv[MAX_ARGS];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"dtcp-lb";
	va_start(ap, err_len);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < MAX_ARGS - 1;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	dtcp_config_init(cfg);
	err[0] = '\0';
	return lb_args_parse(argc, argv, cfg, opt, err, err_len);
}

static void
write_ini(const char *text)
{
	FILE *f = fopen(ini_path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

#define BASE "--addr", "198.18.60.2/24", "--listen", "80", "--backend", "198.18.60.1:8080"

/* The message for a bad command line must be exactly @p want. */
#define CHECK_ERR(want, ...)                                                                       \
	do {                                                                                       \
		struct dtcp_config c_;                                                             \
		struct lb_options o_;                                                              \
		char e_[LB_ERR_LEN];                                                               \
		int rc_ = parse(&c_, &o_, e_, sizeof(e_), __VA_ARGS__, NULL);                      \
		CHECK(rc_ < 0);                                                                    \
		if (strcmp(e_, want) != 0) {                                                       \
			fprintf(stderr, "%s:%d: message '%s', want '%s'\n", __FILE__, __LINE__,    \
				e_, want);                                                         \
			dtcp_test_failures++;                                                      \
		}                                                                                  \
	} while (0)

static void
test_defaults(void)
{
	struct dtcp_config cfg;
	struct lb_options opt;
	char err[LB_ERR_LEN];

	CHECK_EQ(parse(&cfg, &opt, err, sizeof(err), BASE, NULL), 0);
	CHECK_EQ(opt.listen_port, 80);
	CHECK_EQ(opt.nb_backends, 1);
	CHECK_EQ(opt.backends[0].addr, inet_addr("198.18.60.1"));
	CHECK_EQ(opt.backends[0].port, 8080);
	CHECK_EQ(opt.policy, LB_POLICY_MAGLEV);
	CHECK_EQ(opt.health_interval_ms, 1000);
	CHECK_EQ(opt.health_timeout_ms, 1000); /* = interval */
	CHECK_EQ(opt.health_rise, 2);
	CHECK_EQ(opt.health_fall, 2);
	CHECK_EQ(opt.connect_retries, 1);
	CHECK_EQ(opt.idle_timeout_s, 300);
	CHECK(cfg.port[0].configured);
	CHECK_EQ(cfg.port[0].addr, inet_addr("198.18.60.2"));
	CHECK_EQ(cfg.port[0].prefix_len, 24);
}

static void
test_every_option(void)
{
	struct dtcp_config cfg;
	struct lb_options opt;
	char err[LB_ERR_LEN];

	CHECK_EQ(parse(&cfg, &opt, err, sizeof(err), "--addr", "198.18.60.2/24", "--listen", "8080",
		       "--backend", "198.18.60.1:80,198.18.60.3:81,198.18.61.4:80", "--policy",
		       "roundrobin", "--health-interval", "500", "--health-rise", "3",
		       "--health-fall", "4", "--health-timeout", "200", "--connect-retries", "0",
		       "--idle-timeout", "0", "--gateway", "198.18.60.254", NULL),
		 0);
	CHECK_EQ(opt.listen_port, 8080);
	CHECK_EQ(opt.nb_backends, 3);
	CHECK_EQ(opt.backends[1].addr, inet_addr("198.18.60.3"));
	CHECK_EQ(opt.backends[1].port, 81);
	CHECK_EQ(opt.backends[2].addr, inet_addr("198.18.61.4"));
	CHECK_EQ(opt.policy, LB_POLICY_ROUNDROBIN);
	CHECK_EQ(opt.health_interval_ms, 500);
	CHECK_EQ(opt.health_timeout_ms, 200);
	CHECK_EQ(opt.health_rise, 3);
	CHECK_EQ(opt.health_fall, 4);
	CHECK_EQ(opt.connect_retries, 0);
	CHECK_EQ(opt.idle_timeout_s, 0);
	CHECK_EQ(cfg.port[0].gateway, inet_addr("198.18.60.254"));
	/* The timeout follows the interval unless given. */
	CHECK_EQ(parse(&cfg, &opt, err, sizeof(err), BASE, "--health-interval", "250", NULL), 0);
	CHECK_EQ(opt.health_timeout_ms, 250);
	/* --help: usage, not an error. */
	CHECK_EQ(parse(&cfg, &opt, err, sizeof(err), "--help", NULL), 1);
	CHECK(strstr(err, "usage: dtcp-lb") != NULL);
}

static void
test_file_and_precedence(void)
{
	struct dtcp_config cfg;
	struct lb_options opt;
	char err[LB_ERR_LEN];

	write_ini("[tcp]\nmax_conns = 2048\n\n[port0]\naddress = 198.18.60.2/24\n\n"
		  "[lb]\nlisten = 443\nbackends = 198.18.60.1:80, 198.18.60.3:80\n"
		  "policy = roundrobin\nhealth_interval_ms = 2000\nhealth_rise = 5\n"
		  "health_fall = 6\nhealth_timeout_ms = 1500\nconnect_retries = 3\n"
		  "idle_timeout_s = 60\n");
	CHECK_EQ(parse(&cfg, &opt, err, sizeof(err), "--config", ini_path, NULL), 0);
	CHECK_EQ(cfg.tcp_max_conns, 2048); /* the stack's sections still load */
	CHECK_EQ(opt.listen_port, 443);
	CHECK_EQ(opt.nb_backends, 0 + 2);
	CHECK_EQ(opt.backends[1].addr, inet_addr("198.18.60.3"));
	CHECK_EQ(opt.policy, LB_POLICY_ROUNDROBIN);
	CHECK_EQ(opt.health_interval_ms, 2000);
	CHECK_EQ(opt.health_timeout_ms, 1500);
	CHECK_EQ(opt.health_rise, 5);
	CHECK_EQ(opt.health_fall, 6);
	CHECK_EQ(opt.connect_retries, 3);
	CHECK_EQ(opt.idle_timeout_s, 60);
	/* The command line wins, whatever its position. */
	CHECK_EQ(parse(&cfg, &opt, err, sizeof(err), "--listen", "81", "--config", ini_path,
		       "--backend", "198.18.60.9:9", "--policy", "maglev", NULL),
		 0);
	CHECK_EQ(opt.listen_port, 81);
	CHECK_EQ(opt.nb_backends, 1);
	CHECK_EQ(opt.backends[0].addr, inet_addr("198.18.60.9"));
	CHECK_EQ(opt.policy, LB_POLICY_MAGLEV);
	CHECK_EQ(opt.health_rise, 5);
	/* A timeout from the file checked against an interval from the command line. */
	CHECK_ERR("lb:health_timeout_ms: 1500 ms is longer than the health interval (1000 ms)",
		  "--config", ini_path, "--health-interval", "1000");
}

static void
test_file_errors(void)
{
	write_ini("[port0]\naddress = 198.18.60.2/24\n[lb]\nlisten = 80\nbackends = "
		  "198.18.60.1:80\nhealth_rise = 0\n");
	CHECK_ERR("lb:health_rise: '0' is not a whole number in 1..100", "--config", ini_path);
	write_ini("[lb]\nlisten = 80\nbogus = 1\n");
	CHECK_ERR("lb:bogus: unknown key", "--config", ini_path);
	write_ini("[lb]\nbackends = 198.18.60.1\n");
	CHECK_ERR("lb:backends: '198.18.60.1' has no port (IP:PORT)", "--config", ini_path);
	write_ini("[lb]\npolicy = random\n");
	CHECK_ERR("lb:policy: 'random' is not maglev or roundrobin", "--config", ini_path);
	/* The stack's keys keep the stack's messages; an unknown section is still refused. */
	write_ini("[tcp]\nmax_conns = 1\n");
	CHECK_ERR("tcp:max_conns: '1' is not an integer in [16, 16777216]", BASE, "--config",
		  ini_path);
	write_ini("[lbx]\nlisten = 80\n");
	CHECK_ERR("lbx:*: unknown section (expected [stack], [tcp] or [port0]..[port7])", BASE,
		  "--config", ini_path);
}

static void
test_cli_errors(void)
{
	CHECK_ERR("--listen: required (or [lb] listen)", "--addr", "198.18.60.2/24", "--backend",
		  "198.18.60.1:80");
	CHECK_ERR("--backend: required (or [lb] backends)", "--addr", "198.18.60.2/24", "--listen",
		  "80");
	CHECK_ERR("--listen: '0' is not a whole number in 1..65535", BASE, "--listen", "0");
	CHECK_ERR("--listen: '80x' is not a whole number in 1..65535", BASE, "--listen", "80x");
	CHECK_ERR("--health-rise: '0' is not a whole number in 1..100", BASE, "--health-rise", "0");
	CHECK_ERR("--health-fall: '-1' is not a whole number in 1..100", BASE, "--health-fall",
		  "-1");
	CHECK_ERR("--health-interval: '5' is not a whole number in 10..3600000", BASE,
		  "--health-interval", "5");
	CHECK_ERR("--health-timeout: 2000 ms is longer than the health interval (1000 ms)", BASE,
		  "--health-timeout", "2000");
	CHECK_ERR("--connect-retries: '17' is not a whole number in 0..16", BASE,
		  "--connect-retries", "17");
	CHECK_ERR("--idle-timeout: '' is not a whole number in 0..604800", BASE, "--idle-timeout",
		  "");
	CHECK_ERR("--policy: 'hash' is not maglev or roundrobin", BASE, "--policy", "hash");
	CHECK_ERR("--backend: '198.18.60.1:80,' has an empty entry", BASE, "--backend",
		  "198.18.60.1:80,");
	CHECK_ERR("--backend: '198.18.60.1:80x' is not a list of IP:PORT such as "
		  "198.18.0.1:80,198.18.0.3:80",
		  BASE, "--backend", "198.18.60.1:80x");
	CHECK_ERR("--backend: 'nohost:80' is not a list of IP:PORT such as "
		  "198.18.0.1:80,198.18.0.3:80",
		  BASE, "--backend", "nohost:80");
	CHECK_ERR("--backend: '198.18.60.1:0' is not a list of IP:PORT such as "
		  "198.18.0.1:80,198.18.0.3:80",
		  BASE, "--backend", "198.18.60.1:0");
	CHECK_ERR("--backend: 198.18.60.1:80 is listed twice", BASE, "--backend",
		  "198.18.60.1:80,198.18.60.1:80");
	CHECK_ERR("--backend: '224.0.0.1' is not a unicast address", BASE, "--backend",
		  "224.0.0.1:80");
	CHECK_ERR("--bogus: unknown option (--help lists them)", BASE, "--bogus", "1");
	CHECK_ERR("--listen: needs a value", "--listen");
	CHECK_ERR("'extra': unexpected argument", BASE, "extra");
	CHECK_ERR("--addr: port0:address: '198.18.60.2' is not an IPv4 address/prefix "
		  "such as 198.18.0.2/24",
		  "--addr", "198.18.60.2", "--listen", "80", "--backend", "198.18.60.1:80");
	CHECK_ERR("port0:address: no port has an address (set one in the config or with --addr)",
		  "--listen", "80", "--backend", "198.18.60.1:80");
}

int
main(void)
{
	int fd;

	snprintf(ini_path, sizeof(ini_path), "/tmp/test_lb_args_XXXXXX");
	fd = mkstemp(ini_path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	RUN_TEST(test_defaults);
	RUN_TEST(test_every_option);
	RUN_TEST(test_file_and_precedence);
	RUN_TEST(test_file_errors);
	RUN_TEST(test_cli_errors);
	unlink(ini_path);
	return TEST_EXIT();
}
