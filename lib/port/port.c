/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up. The pattern is l3fwd's: ask for what the stack can use,
 * mask by rte_eth_dev_info, log whatever was not granted, remember the
 * result. No driver is special-cased by name.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ctl/log.h"
#include "port/port.h"

/*
 * 0x6d5a repeated: with this key the Toeplitz hash of (src, dst, sport, dport)
 * equals that of (dst, src, dport, sport), so both directions of a TCP flow
 * land on the same queue. That is what lets a SYN-cookie ACK reach the lcore
 * that sent the SYN-ACK without any shared state.
 */
const uint8_t dtcp_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

#define WANT_RX_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
#define WANT_TX_OFFLOADS                                                                           \
	(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |                            \
	 RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
#define WANT_TSO_NEEDS (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
#define WANT_RSS_HF    (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP)

static void
log_offloads(uint16_t port_id, const char *dir, uint64_t want, uint64_t got,
	     const char *(*name)(uint64_t))
{
	for (uint64_t bit = 1; bit != 0 && bit <= want; bit <<= 1) {
		if (!(want & bit))
			continue;
		DTCP_LOG(INFO, port, "port %u: %s offload %-12s %s", port_id, dir, name(bit),
			 (got & bit) ? "granted" : "NOT available, software fallback");
	}
}

static int
check_rss_key_size(uint16_t port_id, const struct rte_eth_dev_info *info)
{
	if (info->hash_key_size != 0 && info->hash_key_size != sizeof(dtcp_rss_key)) {
		DTCP_LOG(WARNING, port, "port %u: RSS key is %u bytes, not %zu: RSS disabled",
			 port_id, info->hash_key_size, sizeof(dtcp_rss_key));
		return -ENOTSUP;
	}
	return 0;
}

/*
 * Our MAC: the configured one if any (programmed into the device when it lets
 * us, else used in software only, as on net_ring), otherwise the device's.
 */
static int
port_mac(struct dtcp_port *p, const struct dtcp_port_config *pc)
{
	int rc;

	if (pc->has_mac) {
		memcpy(p->mac.addr_bytes, pc->mac, sizeof(pc->mac));
		rc = rte_eth_dev_default_mac_addr_set(p->port_id, &p->mac);
		if (rc != 0)
			DTCP_LOG(INFO, port,
				 "port %u: device keeps its MAC (%s); configured MAC used "
				 "in software",
				 p->port_id, rte_strerror(-rc));
		return 0;
	}
	rc = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (rc == 0 && rte_is_zero_ether_addr(&p->mac)) {
		DTCP_LOG(ERR, port, "port %u: device has no MAC address: set one with [port%u] mac",
			 p->port_id, p->port_id);
		rc = -EINVAL;
	}
	return rc;
}

int
dtcp_port_configure(struct dtcp_port *p, uint16_t port_id, const struct dtcp_port_config *pc,
		    const struct dtcp_config *cfg, uint16_t nb_queues,
		    struct rte_mempool *const *pools)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct dtcp_port_caps *caps = &p->caps;
	uint16_t nb_rxd = cfg->rx_desc, nb_txd = cfg->tx_desc;
	int socket = rte_eth_dev_socket_id(port_id);
	int rc;

	memset(p, 0, sizeof(*p));
	memset(&conf, 0, sizeof(conf));
	p->port_id = port_id;
	p->addr = pc->addr;
	p->prefix_len = pc->prefix_len;
	p->netmask = rte_cpu_to_be_32(pc->prefix_len ? ~0u << (32 - pc->prefix_len) : 0);
	p->gateway = pc->gateway;

	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		DTCP_LOG(ERR, port, "port %u: cannot read device info: %s", port_id,
			 rte_strerror(-rc));
		return rc;
	}
	if (info.max_rx_queues < nb_queues || info.max_tx_queues < nb_queues) {
		DTCP_LOG(ERR, port,
			 "port %u (%s): %u lcores need %u queue pairs, device has %u rx / %u tx "
			 "(af_packet: add qpairs=%u to the vdev)",
			 port_id, info.driver_name, nb_queues, nb_queues, info.max_rx_queues,
			 info.max_tx_queues, nb_queues);
		return -ENOTSUP;
	}
	if (pc->mtu > info.max_mtu || pc->mtu < info.min_mtu) {
		DTCP_LOG(ERR, port, "port %u (%s): MTU %u outside the device's range [%u, %u]",
			 port_id, info.driver_name, pc->mtu, info.min_mtu, info.max_mtu);
		return -ENOTSUP;
	}

	conf.rxmode.offloads = WANT_RX_OFFLOADS & info.rx_offload_capa;
	conf.txmode.offloads = WANT_TX_OFFLOADS & info.tx_offload_capa;
	conf.rxmode.mtu = pc->mtu;
	log_offloads(port_id, "rx", WANT_RX_OFFLOADS, conf.rxmode.offloads,
		     rte_eth_dev_rx_offload_name);
	log_offloads(port_id, "tx", WANT_TX_OFFLOADS, conf.txmode.offloads,
		     rte_eth_dev_tx_offload_name);
	/*
	 * TSO frames are chains (a header mbuf and the send queue's data) whose
	 * checksum the device completes: without those two, no TSO.
	 */
	if (pc->tso_off) {
		DTCP_LOG(INFO, port,
			 "port %u: tx offload TCP_TSO      not asked for ([port%u] tso = off)",
			 port_id, port_id);
	} else if (strcmp(info.driver_name, "net_tap") == 0) {
		/*
		 * net_tap offers TSO by segmenting in software (rte_gso) and
		 * completing checksums itself; with our chained frames the
		 * segments it wrote were refused by Linux in the two-lcore tap
		 * test (every connection timed out). Until that is understood,
		 * auto means off there; our own segmentation copies nothing either.
		 */
		DTCP_LOG(INFO, port,
			 "port %u: tx offload TCP_TSO      not asked for (net_tap's software TSO "
			 "is not verified with dtcp's frames)",
			 port_id);
	} else if ((conf.txmode.offloads & WANT_TSO_NEEDS) == WANT_TSO_NEEDS) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO & info.tx_offload_capa;
		log_offloads(port_id, "tx", RTE_ETH_TX_OFFLOAD_TCP_TSO, conf.txmode.offloads,
			     rte_eth_dev_tx_offload_name);
	}

	caps->rss_hf = WANT_RSS_HF & info.flow_type_rss_offloads;
	if (nb_queues > 1 && caps->rss_hf != 0 && check_rss_key_size(port_id, &info) == 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = (uint8_t *)(uintptr_t)dtcp_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(dtcp_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = caps->rss_hf;
		caps->rss = true;
		/* The hash in each mbuf lets the steer layer skip its own (steer/steer.h). */
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH & info.rx_offload_capa;
		DTCP_LOG(INFO, port, "port %u: RSS granted, symmetric key, hash types 0x%" PRIx64,
			 port_id, caps->rss_hf);
	} else {
		caps->rss_hf = 0;
		DTCP_LOG(INFO, port, "port %u: RSS %s", port_id,
			 nb_queues == 1 ? "not needed (one queue)"
					: "NOT available: flows are spread by the device or driver "
					  "(e.g. af_packet fanout), not by our key");
	}

	rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (rc != 0) {
		DTCP_LOG(ERR, port, "port %u: configure failed: %s", port_id, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		DTCP_LOG(ERR, port, "port %u: descriptor counts rejected: %s", port_id,
			 rte_strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < nb_queues; q++) {
		struct rte_eth_rxconf rxq = info.default_rxconf;
		struct rte_eth_txconf txq = info.default_txconf;

		rxq.offloads = conf.rxmode.offloads;
		txq.offloads = conf.txmode.offloads;
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, socket, &rxq, pools[q]);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, nb_txd, socket, &txq);
		if (rc != 0) {
			DTCP_LOG(ERR, port, "port %u: queue %u setup failed: %s", port_id, q,
				 rte_strerror(-rc));
			return rc;
		}
	}
	rc = port_mac(p, pc);
	if (rc != 0)
		return rc;

	caps->rx_ipv4_cksum = conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	caps->rx_tcp_cksum = conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	caps->tx_ipv4_cksum = conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	caps->tx_tcp_cksum = conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	caps->tx_multi_segs = conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	caps->tx_tso = conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO;
	/* 0 is a PMD that did not say: no limit of its own, only the mbuf's. */
	caps->tx_max_segs =
		info.tx_desc_lim.nb_seg_max ? info.tx_desc_lim.nb_seg_max : RTE_MBUF_MAX_NB_SEGS;
	caps->tx_max_mtu_segs = info.tx_desc_lim.nb_mtu_seg_max ? info.tx_desc_lim.nb_mtu_seg_max
								: RTE_MBUF_MAX_NB_SEGS;
	if (caps->tx_tso)
		DTCP_LOG(INFO, port, "port %u: TSO: at most %u mbufs per frame, %u per segment",
			 port_id, caps->tx_max_segs, caps->tx_max_mtu_segs);
	caps->rx_rss_hash = conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH;
	caps->nb_queues = nb_queues;
	caps->mtu = pc->mtu;
	DTCP_LOG(INFO, port, "port %u (%s): " RTE_ETHER_ADDR_PRT_FMT ", %u queue pair(s), MTU %u",
		 port_id, info.driver_name, RTE_ETHER_ADDR_BYTES(&p->mac), nb_queues, pc->mtu);
	return 0;
}

int
dtcp_port_start(struct dtcp_port *p)
{
	int rc = rte_eth_dev_start(p->port_id);

	if (rc != 0)
		DTCP_LOG(ERR, port, "port %u: start failed: %s", p->port_id, rte_strerror(-rc));
	return rc;
}

void
dtcp_port_close(struct dtcp_port *p)
{
	int rc = rte_eth_dev_stop(p->port_id);

	if (rc != 0)
		DTCP_LOG(WARNING, port, "port %u: stop: %s", p->port_id, rte_strerror(-rc));
	rc = rte_eth_dev_close(p->port_id);
	if (rc != 0)
		DTCP_LOG(WARNING, port, "port %u: close: %s", p->port_id, rte_strerror(-rc));
}
