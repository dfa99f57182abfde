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
	X(TX_RETRIED, "tx_retried",                                                                \
	  "frames that waited in the TX backlog for a later flush (ring full)")                    \
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
	X(DROP_RX_MULTISEG, "drop_rx_multiseg",                                                    \
	  "received frame spans several mbufs and is not TCP, or its headers do not fit the "      \
	  "first")                                                                                 \
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
	X(TCP_RX_SEGMENTS, "tcp_rx_segments", "TCP segments received and parsed")                  \
	X(TCP_RX_LARGE_FRAMES, "tcp_rx_large_frames",                                              \
	  "TCP segments that came in a chain of mbufs (a peer's uncut TSO frame, LRO)")            \
	X(TCP_RX_DATA_SEGMENTS, "tcp_rx_data_segments",                                            \
	  "segments whose payload was queued in order")                                            \
	X(TCP_RX_OOO_SEGMENTS, "tcp_rx_ooo_segments",                                              \
	  "segments whose payload was queued out of order, after a hole")                          \
	X(TCP_RX_DUP_SEGMENTS, "tcp_rx_dup_segments",                                              \
	  "data segments received entirely before (D-SACK when SACK is on)")                       \
	X(TCP_RX_WINDOW_TRIMMED, "tcp_rx_window_trimmed",                                          \
	  "segments cut at the right edge of the receive window or at the peer's FIN")             \
	X(TCP_TX_DSACKS, "tcp_tx_dsacks", "ACKs reporting a duplicate segment (RFC 2883 D-SACK)")  \
	X(TCP_TX_DELAYED_ACKS, "tcp_tx_delayed_acks", "ACKs sent by the delayed-ACK timer")        \
	X(TCP_TX_WINDOW_UPDATES, "tcp_tx_window_updates",                                          \
	  "ACKs sent because the application's reads opened the window")                           \
	X(APP_BYTES_COPIED_IN, "app_bytes_copied_in",                                              \
	  "payload bytes dtcp_write() copied into mbufs (zero-copy senders: 0)")                   \
	X(APP_BYTES_COPIED_OUT, "app_bytes_copied_out",                                            \
	  "payload bytes dtcp_read() copied out of mbufs (zero-copy receivers: 0)")                \
	X(TCP_TX_SEGMENTS, "tcp_tx_segments",                                                      \
	  "TCP segments sent (on the wire: a TSO frame counts the segments it is cut into)")       \
	X(TCP_TX_TSO_FRAMES, "tcp_tx_tso_frames", "frames handed to the device to segment (TSO)")  \
	X(TCP_TX_TSO_SEGMENTS, "tcp_tx_tso_segments", "segments those TSO frames are cut into")    \
	X(TCP_ACTIVE_OPENS, "tcp_active_opens", "dtcp_connect() calls that sent a SYN")            \
	X(TCP_PASSIVE_OPENS, "tcp_passive_opens", "SYNs that created a SYN_RECEIVED connection")   \
	X(TCP_ESTABLISHED, "tcp_established", "handshakes completed, both directions")             \
	X(TCP_TX_RETRANSMITS, "tcp_tx_retransmits",                                                \
	  "data or FIN segments sent again (wire segments)")                                       \
	X(TCP_FAST_RETRANSMITS, "tcp_fast_retransmits",                                            \
	  "segments resent by fast retransmit or SACK recovery, before the timer")                 \
	X(TCP_RECOVERIES, "tcp_recoveries",                                                        \
	  "fast recoveries entered (three duplicate ACKs, or SACK showing a loss)")                \
	X(TCP_RTO_EXPIRED, "tcp_rto_expired", "retransmission timeouts on data or FIN")            \
	X(TCP_RECOVERIES_UNDONE, "tcp_recoveries_undone",                                          \
	  "fast recoveries the peer's timestamp echo showed spurious (RFC 3522): window restored") \
	X(TCP_REORDERING_SEEN, "tcp_reordering_seen",                                              \
	  "holes filled by the original segment, not a resend: the path reorders (DupThresh up)")  \
	X(TCP_RX_DISORDERED_ACKS, "tcp_rx_disordered_acks",                                        \
	  "pure ACKs older than the last timestamp taken anyway: reordered, not replayed")         \
	X(TCP_TX_SYN_RETRANSMITS, "tcp_tx_syn_retransmits", "SYN or SYN-ACK sent again")           \
	X(TCP_TX_RST, "tcp_tx_rst", "RST segments sent")                                           \
	X(TCP_TX_RST_REPLY, "tcp_tx_rst_reply", "RSTs answering a segment no connection takes")    \
	X(TCP_TX_RST_ABORT, "tcp_tx_rst_abort", "RSTs from dtcp_abort(), unread data, unlisten")   \
	X(TCP_TX_RST_TIMEOUT, "tcp_tx_rst_timeout",                                                \
	  "RSTs after retransmissions or keepalives ran out")                                      \
	X(TCP_RX_RST, "tcp_rx_rst", "RSTs that reset a connection")                                \
	X(TCP_TX_CHALLENGE_ACKS, "tcp_tx_challenge_acks", "RFC 5961 challenge ACKs sent")          \
	X(TCP_CHALLENGE_ACKS_LIMITED, "tcp_challenge_acks_limited",                                \
	  "challenge ACKs withheld by the rate limit")                                             \
	X(TCP_TX_KEEPALIVES, "tcp_tx_keepalives", "keepalive probes sent")                         \
	X(TCP_TIMEOUTS, "tcp_timeouts", "connections that gave up retransmitting (ETIMEDOUT)")     \
	X(TCP_FIN_WAIT2_TIMEOUTS, "tcp_fin_wait2_timeouts",                                        \
	  "orphaned FIN_WAIT_2 connections closed")                                                \
	X(TCP_TIME_WAIT_REUSED, "tcp_time_wait_reused",                                            \
	  "TIME_WAIT tuples reopened by a newer SYN")                                              \
	X(TCP_TIME_WAIT_FULL, "tcp_time_wait_full",                                                \
	  "connections closed at once: TIME_WAIT table full")                                      \
	X(TCP_RST_UNREAD_DATA, "tcp_rst_unread_data",                                              \
	  "dtcp_close() with unread data: reset instead")                                          \
	X(TCP_STEERED_OUT, "tcp_steered_out", "segments passed to the lcore owning their flow")    \
	X(TCP_STEERED_IN, "tcp_steered_in", "segments received from another lcore")                \
	X(TCP_STEERED_NO_CONN, "tcp_steered_no_conn",                                              \
	  "segments received from another lcore that found no connection (delivered after the "    \
	  "connection ended: the flow came in on two queues)")                                     \
	X(TCP_SYN_QUEUE_OVERFLOWS, "tcp_syn_queue_overflows",                                      \
	  "SYNs that found the listener's SYN queue full (cookie sent or dropped)")                \
	X(TCP_SYNCOOKIES_SENT, "tcp_syncookies_sent", "SYN-ACKs carrying a SYN cookie")            \
	X(TCP_SYNCOOKIES_VALIDATED, "tcp_syncookies_validated",                                    \
	  "ACKs whose cookie checked out (connection made unless the accept queue or table was "   \
	  "full)")                                                                                 \
	X(TCP_SYNCOOKIES_REJECTED_STALE, "tcp_syncookies_rejected_stale",                          \
	  "ACKs with a cookie of ours two or more periods old (RST sent)")                         \
	X(TCP_SYNCOOKIES_REJECTED_MAC, "tcp_syncookies_rejected_mac",                              \
	  "ACKs to a listener whose cookie is not ours (RST sent)")                                \
	X(DROP_TCP_TRUNCATED, "drop_tcp_truncated", "TCP header cut short")                        \
	X(DROP_TCP_BAD_HDR_LEN, "drop_tcp_bad_hdr_len", "TCP data offset below 5")                 \
	X(DROP_TCP_BAD_CHECKSUM, "drop_tcp_bad_checksum", "TCP checksum wrong")                    \
	X(DROP_TCP_BAD_OPTION, "drop_tcp_bad_option", "TCP option with an illegal length")         \
	X(DROP_TCP_NO_CONN, "drop_tcp_no_conn",                                                    \
	  "segment for no connection or listener (RST sent)")                                      \
	X(DROP_TCP_RST_NO_CONN, "drop_tcp_rst_no_conn", "RST for no connection (never answered)")  \
	X(DROP_TCP_NO_SYN, "drop_tcp_no_syn", "SYN_SENT: segment without SYN")                     \
	X(DROP_TCP_TABLE_FULL, "drop_tcp_table_full", "SYN refused: connection table full")        \
	X(DROP_TCP_SYN_BACKLOG, "drop_tcp_syn_backlog",                                            \
	  "SYN refused: listener's half-open limit reached")                                       \
	X(DROP_TCP_ACCEPT_FULL, "drop_tcp_accept_full",                                            \
	  "SYN refused: listener's accept queue full")                                             \
	X(DROP_TCP_UNACCEPTABLE, "drop_tcp_unacceptable",                                          \
	  "sequence number outside the window (ACK sent)")                                         \
	X(DROP_TCP_PAWS, "drop_tcp_paws", "old timestamp (RFC 7323 PAWS)")                         \
	X(DROP_TCP_RST_IN_WINDOW, "drop_tcp_rst_in_window",                                        \
	  "RST in window, not exact (challenge ACK)")                                              \
	X(DROP_TCP_SYN_IN_WINDOW, "drop_tcp_syn_in_window",                                        \
	  "SYN on a synchronized connection (challenge ACK)")                                      \
	X(DROP_TCP_NO_ACK, "drop_tcp_no_ack", "segment without ACK on a synchronized connection")  \
	X(DROP_TCP_BAD_ACK, "drop_tcp_bad_ack", "ACK for data not sent, or too old")               \
	X(DROP_TCP_OOO_FULL, "drop_tcp_ooo_full",                                                  \
	  "out-of-order segment refused: its buffers would pin more than twice rcv_buf")           \
	X(DROP_TCP_DUPLICATE, "drop_tcp_duplicate",                                                \
	  "segment whose data is all held out of order already (D-SACK when SACK is on)")          \
	X(DROP_TCP_RCV_FULL, "drop_tcp_rcv_full", "receive queue cannot take more segments")       \
	X(DROP_TCP_TIME_WAIT, "drop_tcp_time_wait", "segment for a TIME_WAIT tuple (ACK sent)")    \
	X(DROP_STEER_FULL, "drop_steer_full", "ring to the owning lcore was full")                 \
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
