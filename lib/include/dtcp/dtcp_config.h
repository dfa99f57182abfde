/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Stack configuration.
 *
 * A struct dtcp_config is filled with defaults by dtcp_config_init(), then
 * overridden key by key, either from an INI file (dtcp_config_load(), parsed
 * by rte_cfgfile) or programmatically (dtcp_config_set()). Both paths go
 * through the same per-key validation, and every error names the offending
 * key as "section:key: reason". config/dtcp.ini documents each key with its
 * default and unit.
 *
 * Sections:
 *  - [stack]  burst size, pool and ring sizes, idle back-off, ARP tuning.
 *  - [tcp]    table sizes, buffers, retransmission and timeout tuning,
 *             SYN cookies, congestion control and the initial window.
 *  - [portN]  one per DPDK port N (0 <= N < DTCP_MAX_PORTS): address/prefix,
 *             gateway and MTU.
 *
 * None of these functions touch DPDK state; they may be called before
 * rte_eal_init() and from any thread.
 */
#ifndef DTCP_CONFIG_H
#define DTCP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most DPDK ports one stack drives. */
#define DTCP_MAX_PORTS 8
/** Upper bound of [stack] arp_pending_max. */
#define DTCP_ARP_PENDING_LIMIT 16
/** Room for a "section:key: reason" message. */
#define DTCP_CONFIG_ERR_LEN 256

/** Addressing of one port. Addresses are in network byte order. */
struct dtcp_port_config {
	bool configured;    /**< a [portN] section (or --addr) gave this port an address */
	uint32_t addr;	    /**< our IPv4 address */
	uint8_t prefix_len; /**< on-link prefix length, 1..32 */
	uint32_t gateway;   /**< default gateway, 0 when none */
	uint16_t mtu;	    /**< IP MTU in bytes */
	bool has_mac;	    /**< mac below overrides the device's own address */
	uint8_t mac[6];	    /**< for PMDs without a usable MAC (net_ring, memif) */
	bool tso_off;	    /**< tso = off: never ask for TSO (default auto: use it if granted) */
};

/** When a listener answers a SYN with a SYN cookie instead of a SYN_RECEIVED entry. */
enum dtcp_syncookie_mode {
	/** Never: a full SYN queue (or table) drops new SYNs. */
	DTCP_SYNCOOKIE_NEVER,
	/**
	 * When the listener's SYN queue is full, the connection table is full,
	 * or the mbuf pool runs below an eighth of its size; the SYN queue
	 * otherwise.
	 */
	DTCP_SYNCOOKIE_AUTO,
	/** For every SYN: no state at all until the handshake completes. */
	DTCP_SYNCOOKIE_ALWAYS,
};

/**
 * Congestion control algorithm of a connection ([tcp] congestion_control,
 * DTCP_OPT_CONGESTION).
 */
enum dtcp_cc_algo {
	/** NewReno: RFC 5681 slow start and congestion avoidance, RFC 6582 recovery. */
	DTCP_CC_NEWRENO,
	/** CUBIC (RFC 9438): the default. */
	DTCP_CC_CUBIC,
};

/** Everything the stack reads at start-up. Fill with dtcp_config_init(). */
struct dtcp_config {
	uint16_t burst_size;	    /**< [stack] burst_size: packets per rx/tx burst */
	uint32_t mbuf_pool_size;    /**< [stack] mbuf_pool_size: mbufs per NUMA socket */
	uint16_t mbuf_cache_size;   /**< [stack] mbuf_cache_size: per-lcore mempool cache */
	uint16_t rx_desc;	    /**< [stack] rx_desc: RX ring descriptors per queue */
	uint16_t tx_desc;	    /**< [stack] tx_desc: TX ring descriptors per queue */
	uint32_t idle_polls;	    /**< [stack] idle_polls: empty polls before napping */
	uint32_t idle_sleep_us;	    /**< [stack] idle_sleep_us: nap length, 0 = never nap */
	uint32_t arp_table_size;    /**< [stack] arp_table_size: neighbour entries per lcore */
	uint16_t arp_pending_max;   /**< [stack] arp_pending_max: packets held per unresolved hop */
	uint32_t arp_retry_ms;	    /**< [stack] arp_retry_ms: interval between ARP requests */
	uint16_t arp_retries;	    /**< [stack] arp_retries: requests before giving up */
	uint32_t arp_timeout_s;	    /**< [stack] arp_timeout_s: lifetime of a resolved entry */
	uint32_t tcp_max_conns;	    /**< [tcp] max_conns: connections per lcore */
	uint32_t tcp_max_time_wait; /**< [tcp] max_time_wait: TIME_WAIT entries per lcore */
	uint16_t tcp_max_listeners; /**< [tcp] max_listeners: listeners per lcore */
	uint32_t tcp_syn_backlog;   /**< [tcp] syn_backlog: half-open connections per listener */
	uint32_t tcp_snd_buf;	    /**< [tcp] snd_buf: default send buffer, bytes */
	uint32_t tcp_rcv_buf;	    /**< [tcp] rcv_buf: default receive buffer, bytes */
	uint16_t tcp_syn_retries;   /**< [tcp] syn_retries: SYN retransmissions */
	uint16_t tcp_synack_retries; /**< [tcp] synack_retries: SYN-ACK retransmissions */
	uint16_t tcp_retries;	     /**< [tcp] retries: data retransmissions before ETIMEDOUT */
	uint32_t tcp_rto_initial_ms; /**< [tcp] rto_initial_ms: RTO before any RTT sample */
	uint32_t tcp_rto_min_ms;     /**< [tcp] rto_min_ms */
	uint32_t tcp_rto_max_ms;     /**< [tcp] rto_max_ms */
	uint32_t tcp_time_wait_s;    /**< [tcp] time_wait_s: 2*MSL */
	uint32_t tcp_fin_wait2_s;    /**< [tcp] fin_wait2_s: orphaned FIN_WAIT_2 lifetime */
	uint32_t tcp_delack_ms; /**< [tcp] delack_ms: delayed-ACK timeout, 0 = ACK every segment */
	uint32_t tcp_challenge_ack_limit; /**< [tcp] challenge_ack_limit: per second per lcore */
	uint16_t tcp_port_min;		  /**< [tcp] port_min: ephemeral port range start */
	uint16_t tcp_port_max;		  /**< [tcp] port_max: ephemeral port range end */
	enum dtcp_syncookie_mode tcp_syncookies; /**< [tcp] syncookies: never, auto, always */
	uint32_t tcp_syncookie_period_s; /**< [tcp] syncookie_period_s: cookie secret lifetime */
	enum dtcp_cc_algo tcp_congestion_control; /**< [tcp] congestion_control: newreno, cubic */
	uint16_t tcp_initial_window; /**< [tcp] initial_window: segments (RFC 6928), 1..64 */
	struct dtcp_port_config port[DTCP_MAX_PORTS]; /**< [port0] .. [port7] */
};

/**
 * Fill @p cfg with the documented defaults (no port configured).
 *
 * @param cfg configuration to initialise; must not be NULL.
 */
void dtcp_config_init(struct dtcp_config *cfg);

/**
 * Set one key from its text form, with the same validation as the INI loader.
 *
 * @param cfg configuration to update.
 * @param section "stack" or "port0".."port7".
 * @param key key name within the section, e.g. "burst_size" or "address".
 * @param value text value, e.g. "32" or "198.18.0.2/24".
 * @param err buffer receiving "section:key: reason" on failure; may be NULL.
 * @param err_len size of @p err.
 * @return 0 on success;
 *   -ENOENT unknown section or key;
 *   -EINVAL value malformed or out of range.
 */
int dtcp_config_set(struct dtcp_config *cfg, const char *section, const char *key,
		    const char *value, char *err, size_t err_len);

/**
 * Load an INI file over @p cfg (keys absent from the file keep their value).
 *
 * Unknown sections or keys and bad values stop the load; keys applied before
 * the error stay applied, so callers should discard @p cfg on failure.
 *
 * @param cfg configuration to update.
 * @param path INI file.
 * @param err buffer receiving "section:key: reason" (or "path: reason") on failure.
 * @param err_len size of @p err.
 * @return 0 on success;
 *   -EIO the file cannot be read or is not valid INI;
 *   -ENOENT unknown section or key;
 *   -EINVAL value malformed or out of range.
 */
int dtcp_config_load(struct dtcp_config *cfg, const char *path, char *err, size_t err_len);

/**
 * As dtcp_config_load(), but sections named in @p app_sections belong to the
 * application (an app's own settings in the same file, e.g. dtcp-lb's [lb]):
 * they are skipped here instead of rejected, and the caller reads them (with
 * rte_cfgfile). The whole file still has to be valid INI.
 *
 * @param cfg configuration to update.
 * @param path INI file.
 * @param app_sections NULL-terminated list of section names; NULL for none.
 * @param err buffer receiving "section:key: reason" (or "path: reason") on failure.
 * @param err_len size of @p err.
 * @return as dtcp_config_load().
 */
int dtcp_config_load_app(struct dtcp_config *cfg, const char *path, const char *const *app_sections,
			 char *err, size_t err_len);

/**
 * Check the configuration as a whole (cross-key rules).
 *
 * @param cfg configuration to check.
 * @param err buffer receiving "section:key: reason" on failure.
 * @param err_len size of @p err.
 * @return 0 if usable;
 *   -EINVAL a rule is broken: no port configured, gateway off-link,
 *   mbuf_cache_size too large for mbuf_pool_size, overlapping port prefixes.
 */
int dtcp_config_validate(const struct dtcp_config *cfg, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif /* DTCP_CONFIG_H */
