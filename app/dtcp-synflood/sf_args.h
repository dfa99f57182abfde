/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-synflood command line (what follows the EAL options and "--") and the
 * checks that decide whether a run is allowed at all: every address the
 * generator puts on the wire (--addr, --gateway, --target and the whole
 * --spoof prefix) must lie inside 198.18.0.0/15 (RFC 2544 benchmarking
 * addresses), so that a mistyped command cannot flood a real network.
 *
 * Pure: no EAL, no stack. main() parses first, then asks sf_args_mode() what
 * the number of DPDK ports allows. Unit-tested in tests/unit/test_synflood.c,
 * messages included.
 */
#ifndef SF_ARGS_H
#define SF_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Largest --rate in packets per second. */
#define SF_RATE_MAX 100000000u
/** --duration range, seconds. */
#define SF_DURATION_MIN 1u
#define SF_DURATION_MAX 3600u
/** Largest --legit-rate, new connections per second. */
#define SF_LEGIT_RATE_MAX 10000u
/** --legit-timeout range and default, seconds. */
#define SF_LEGIT_TIMEOUT_MAX	 600u
#define SF_LEGIT_TIMEOUT_DEFAULT 10u
/** --progress-interval range and default, milliseconds. */
#define SF_PROGRESS_MIN	    100u
#define SF_PROGRESS_MAX	    60000u
#define SF_PROGRESS_DEFAULT 1000u
/** Longest --legit-path. */
#define SF_PATH_MAX 1024u
/** Room for "255.255.255.255:65535". */
#define SF_ADDRPORT_LEN 24

struct sf_args {
	/* Stack side (port 0). Addresses in network byte order. */
	const char *addr_str;	 /**< --addr as given, for the stack's [port0] address */
	uint32_t addr;		 /**< its address: the legit clients' and the ARP sender's */
	uint8_t prefix_len;	 /**< its prefix length, 1..32 */
	const char *gateway_str; /**< --gateway as given, or NULL */
	uint32_t gateway;	 /**< 0 when none */
	const char *config;	 /**< --config FILE for the stack, or NULL */

	/* The flood. */
	uint32_t target_addr;		  /**< network order */
	uint16_t target_port;		  /**< host order */
	char target_str[SF_ADDRPORT_LEN]; /**< "IP:PORT", normalised */
	bool rate_max;			  /**< --rate max: as fast as TX accepts */
	uint64_t rate_pps;		  /**< otherwise SYNs per second */
	uint32_t duration_s;		  /**< SF_DURATION_MIN..SF_DURATION_MAX */
	uint64_t max_syns;		  /**< --max-syns; 0 = no limit */
	uint32_t spoof_net;		  /**< network order, host bits clear */
	uint8_t spoof_len;		  /**< 15..32 */
	bool have_target_mac;		  /**< --target-mac given: no ARP */
	uint8_t target_mac[6];

	/* Legitimate clients (through the stack). */
	uint32_t legit_rate;	    /**< new connections per second; 0 = none */
	const char *legit_path;	    /**< request target, default "/bytes/64" */
	bool legit_pattern;	    /**< the path is /bytes/N: the body is N bytes i mod 251 */
	uint64_t legit_pattern_len; /**< that N */
	uint32_t legit_timeout_s;   /**< per connection, and the drain at the end */

	/* Output. */
	const char *json_path; /**< --json FILE, or NULL */
	uint32_t progress_ms;  /**< --progress-interval */
};

/** What sf_args_parse() decided. */
enum sf_args_result {
	SF_ARGS_OK = 0,
	SF_ARGS_HELP,  /**< --help: print the usage, exit 0 */
	SF_ARGS_ERROR, /**< usage error described in err: exit 2 */
};

/** How the ports are used (sf_args_mode()). */
enum sf_mode {
	/** One port: the raw flood on port 0, no stack, no legitimate clients. */
	SF_MODE_FLOOD_ONLY = 0,
	/** Two ports: the stack on port 0 (legit clients, ARP for --addr), the flood on port 1. */
	SF_MODE_STACK,
	SF_MODE_ERROR, /**< the port count does not fit the arguments: see err */
};

/**
 * Parse and validate the application arguments. argv[0] is the program name;
 * getopt state is reset first, so this can be called repeatedly.
 *
 * @param a filled in (defaults first).
 * @param err receives a one-line reason on SF_ARGS_ERROR.
 */
enum sf_args_result sf_args_parse(int argc, char **argv, struct sf_args *a, char *err,
				  size_t err_len);

/**
 * Decide the port roles from the number of DPDK ports.
 *
 * @param nb_ports rte_eth_dev_count_avail().
 * @param err receives a one-line reason on SF_MODE_ERROR.
 */
enum sf_mode sf_args_mode(const struct sf_args *a, unsigned int nb_ports, char *err,
			  size_t err_len);

/**
 * Check that two ports can work as the stack's (port 0) and the raw one
 * (port 1). They cannot when both are net_af_packet on the same interface
 * (seen as the same MAC): DPDK 22.11's af_packet joins every socket a process
 * opens on an interface to one PACKET_FANOUT_HASH group (id getpid() ^
 * ifindex), so the kernel hands each arriving frame to only one of the two
 * ports, and the stack would lose half its replies (ARP included) while the
 * flood counted half the answers.
 *
 * @return 0, or -1 with the reason and the remedy in @p err.
 */
int sf_args_check_ports(const char *drv0, const uint8_t mac0[6], const char *drv1,
			const uint8_t mac1[6], char *err, size_t err_len);

/** Print the usage text. */
void sf_args_usage(FILE *f, const char *prog);

/** True if @p addr (network order) is inside 198.18.0.0/15. */
bool sf_addr_is_test_net(uint32_t addr);

/** Netmask of a prefix length 0..32, host order. */
uint32_t sf_prefix_mask(unsigned int len);

/** True if @p addr (network order) is inside the --spoof prefix. */
bool sf_in_spoof(const struct sf_args *a, uint32_t addr);

/**
 * The address the flood's frames are sent to at layer 2: the target when it
 * is on --addr's subnet, else the gateway (0 when there is none; then
 * --target-mac was required and given).
 */
uint32_t sf_args_next_hop(const struct sf_args *a);

#endif
