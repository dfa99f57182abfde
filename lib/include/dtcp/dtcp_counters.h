/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-lcore counters.
 *
 * Every lcore owns one plain array of 64-bit counters, indexed by
 * enum dtcp_counter and incremented without atomics on the data path.
 * Readers (telemetry, dtcp_stack_counters()) sum the arrays of all lcores;
 * a 64-bit aligned load is single-copy atomic on every platform DPDK
 * supports, so a reader sees each counter at some recent value.
 *
 * Every dropped packet increments exactly one counter whose name starts
 * with "drop_", so the sum of the drop_ counters is the number of packets
 * the stack discarded.
 */
#ifndef DTCP_COUNTERS_H
#define DTCP_COUNTERS_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The counter list: X(enum suffix, "telemetry name", "description").
 * Add new counters at the end of their group; names are a stable interface.
 */
#define DTCP_COUNTER_LIST(X)                                                                       \
	X(RX_PACKETS, "rx_packets", "frames received from the ports")                              \
	X(RX_BYTES, "rx_bytes", "bytes received from the ports")                                   \
	X(TX_PACKETS, "tx_packets", "frames handed to the ports")                                  \
	X(TX_BYTES, "tx_bytes", "bytes handed to the ports")                                       \
	X(ARP_RX_REQUESTS, "arp_rx_requests", "ARP requests received for our addresses")           \
	X(ARP_RX_REPLIES, "arp_rx_replies", "ARP replies received")                                \
	X(ARP_TX_REQUESTS, "arp_tx_requests", "ARP requests sent to resolve a next hop")           \
	X(ARP_TX_REPLIES, "arp_tx_replies", "ARP replies sent")                                    \
	X(ARP_TX_GRATUITOUS, "arp_tx_gratuitous", "gratuitous ARP announcements sent")             \
	X(ARP_LEARNED, "arp_learned", "neighbour entries created or changed")                      \
	X(ARP_SHARED_IN, "arp_shared_in", "neighbour updates received from other lcores")          \
	X(ARP_EXPIRED, "arp_expired", "neighbour entries aged out")                                \
	X(IPV4_RX, "ipv4_rx", "IPv4 datagrams accepted for local delivery")                        \
	X(IPV4_TX, "ipv4_tx", "IPv4 datagrams sent")                                               \
	X(ICMP_RX_ECHO_REQUESTS, "icmp_rx_echo_requests", "ICMP echo requests received")           \
	X(ICMP_TX_ECHO_REPLIES, "icmp_tx_echo_replies", "ICMP echo replies sent")                  \
	X(DROP_ETH_TRUNCATED, "drop_eth_truncated", "frame shorter than an Ethernet header")       \
	X(DROP_ETH_NOT_OURS, "drop_eth_not_ours", "destination MAC neither ours nor broadcast")    \
	X(DROP_ETH_UNKNOWN_TYPE, "drop_eth_unknown_type", "EtherType we do not handle")            \
	X(DROP_RX_MULTISEG, "drop_rx_multiseg", "received frame spans several mbufs")              \
	X(DROP_ARP_TRUNCATED, "drop_arp_truncated", "ARP packet shorter than 28 bytes")            \
	X(DROP_ARP_UNSUPPORTED, "drop_arp_unsupported",                                            \
	  "ARP for other hardware or protocol types")                                              \
	X(DROP_ARP_BAD_OP, "drop_arp_bad_op", "ARP opcode neither request nor reply")              \
	X(DROP_ARP_NOT_FOR_US, "drop_arp_not_for_us", "ARP request for an address not ours")       \
	X(DROP_ARP_TABLE_FULL, "drop_arp_table_full", "no free neighbour entry for a next hop")    \
	X(DROP_ARP_PENDING_FULL, "drop_arp_pending_full", "next hop's wait queue was full")        \
	X(DROP_ARP_UNRESOLVED, "drop_arp_unresolved", "next hop never answered our ARP requests")  \
	X(DROP_IPV4_TRUNCATED, "drop_ipv4_truncated", "IPv4 header or datagram cut short")         \
	X(DROP_IPV4_BAD_VERSION, "drop_ipv4_bad_version", "IP version field not 4")                \
	X(DROP_IPV4_BAD_HDR_LEN, "drop_ipv4_bad_hdr_len", "IHL below 5")                           \
	X(DROP_IPV4_BAD_TOTAL_LEN, "drop_ipv4_bad_total_len", "total length below header length")  \
	X(DROP_IPV4_BAD_CHECKSUM, "drop_ipv4_bad_checksum", "IPv4 header checksum wrong")          \
	X(DROP_IPV4_FRAGMENT, "drop_ipv4_fragment", "fragments (reassembly not supported)")        \
	X(DROP_IPV4_OPTIONS, "drop_ipv4_options", "IPv4 options (not supported)")                  \
	X(DROP_IPV4_NOT_OURS, "drop_ipv4_not_ours", "destination address not ours")                \
	X(DROP_IPV4_BAD_SOURCE, "drop_ipv4_bad_source", "source is broadcast, multicast or ours")  \
	X(DROP_IPV4_UNKNOWN_PROTO, "drop_ipv4_unknown_proto", "IP protocol we do not handle")      \
	X(DROP_IPV4_NO_ROUTE, "drop_ipv4_no_route", "no port or gateway reaches the destination")  \
	X(DROP_IPV4_TOO_BIG, "drop_ipv4_too_big", "datagram longer than the port MTU")             \
	X(DROP_ICMP_TRUNCATED, "drop_icmp_truncated", "ICMP message shorter than 8 bytes")         \
	X(DROP_ICMP_BAD_CHECKSUM, "drop_icmp_bad_checksum", "ICMP checksum wrong")                 \
	X(DROP_ICMP_UNSUPPORTED, "drop_icmp_unsupported", "ICMP type/code we do not answer")       \
	X(DROP_NO_MBUF, "drop_no_mbuf", "mbuf pool empty when a packet had to be built")           \
	X(DROP_TX_FULL, "drop_tx_full", "TX queue refused the packet")

/** Counter identifiers, one per entry of DTCP_COUNTER_LIST. */
enum dtcp_counter {
#define DTCP_COUNTER_ENUM(id, name, desc) DTCP_CTR_##id,
	DTCP_COUNTER_LIST(DTCP_COUNTER_ENUM)
#undef DTCP_COUNTER_ENUM
		DTCP_CTR__MAX /**< number of counters */
};

/**
 * Name of a counter as shown by telemetry ("rx_packets", "drop_ipv4_bad_checksum", ...).
 *
 * @param id counter identifier.
 * @return a static string, or NULL if @p id is out of range.
 */
const char *dtcp_counter_name(enum dtcp_counter id);

/**
 * One-line description of a counter.
 *
 * @param id counter identifier.
 * @return a static string, or NULL if @p id is out of range.
 */
const char *dtcp_counter_description(enum dtcp_counter id);

#ifdef __cplusplus
}
#endif

#endif /* DTCP_COUNTERS_H */
