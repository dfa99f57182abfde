/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flood's frames, byte by byte, and how answers are recognised. Pure: no
 * EAL, no mbufs, so tests/unit/test_synflood.c checks them against frames
 * built independently with scapy.
 *
 * A SYN is 74 bytes, like Linux's: Ethernet, IPv4 (DF, TTL 64, random ID),
 * TCP with a 40-byte header whose options are MSS 1460, SACK-permitted,
 * timestamps (random TSval, TSecr 0), NOP, window scale 7, in Linux's order.
 * Everything but the source address and port, the IP ID, the ISN and the
 * TSval is fixed per run, so sf_syn_tmpl_init() builds the frame once and
 * sums the fixed 16-bit words of both checksums; sf_syn_fill() copies the
 * template, writes the varying fields and finishes each checksum with a few
 * additions (RFC 1071 one's-complement sums are order-independent). When the
 * port offloads a checksum the field is left for the NIC: 0 for IPv4, the
 * pseudo-header sum for TCP (what DPDK's rte_ipv4_phdr_cksum() gives).
 *
 * Answers are matched without per-SYN state: the ISN of SYN number i is a
 * keyed bijection of i (sf_isn_from_index), so a SYN-ACK's ack - 1 gives back
 * i, and a bitmap over the last 2^k SYNs (struct sf_answered) tells a first
 * answer from a retransmitted SYN-ACK. That is what makes "answered %" count
 * each SYN once although a server with a SYN queue retransmits its SYN-ACKs.
 */
#ifndef SF_WIRE_H
#define SF_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SF_ETH_LEN     14
#define SF_IP_LEN      20
#define SF_TCP_LEN     40 /**< 20 bytes of header and 20 of options */
#define SF_SYN_LEN     (SF_ETH_LEN + SF_IP_LEN + SF_TCP_LEN) /**< 74 */
#define SF_ARP_LEN     42				     /**< Ethernet + ARP for IPv4 */
#define SF_ARP_PAD_LEN 60 /**< what sf_arp_request() writes: padded to the Ethernet minimum */

/* Offsets in a SYN frame. */
#define SF_OFF_IP_ID	 (SF_ETH_LEN + 4)
#define SF_OFF_IP_CSUM	 (SF_ETH_LEN + 10)
#define SF_OFF_IP_SRC	 (SF_ETH_LEN + 12)
#define SF_OFF_TCP	 (SF_ETH_LEN + SF_IP_LEN)
#define SF_OFF_TCP_SPORT (SF_OFF_TCP + 0)
#define SF_OFF_TCP_SEQ	 (SF_OFF_TCP + 4)
#define SF_OFF_TCP_CSUM	 (SF_OFF_TCP + 16)
#define SF_OFF_TCP_TSVAL (SF_OFF_TCP + 28)

/** Window of the SYN: 44 * 1460, Linux's initial receive window. */
#define SF_SYN_WINDOW 64240

/** The fixed part of every SYN of a run. */
struct sf_syn_tmpl {
	uint8_t frame[SF_SYN_LEN]; /**< varying fields and checksums zero */
	bool ip_cksum_offload;	   /**< the NIC fills the IPv4 checksum */
	bool tcp_cksum_offload;	   /**< the NIC fills the TCP checksum */
	uint32_t ip_sum;	   /**< sum of the IPv4 header's fixed words */
	uint32_t tcp_sum;	   /**< pseudo header (no source) + fixed TCP words */
	uint32_t phdr_sum;	   /**< pseudo header without the source, for offload */
};

/** What changes from one SYN to the next. */
struct sf_syn_fields {
	uint32_t src_addr; /**< network order */
	uint16_t src_port; /**< host order */
	uint16_t ip_id;	   /**< host order */
	uint32_t isn;	   /**< host order */
	uint32_t tsval;	   /**< host order */
};

/**
 * Build the template.
 *
 * @param dst_mac the next hop (target or gateway).
 * @param src_mac the raw port's MAC.
 * @param dst_addr the target, network order.
 * @param dst_port the target port, host order.
 * @param ip_offload, tcp_offload which checksums the NIC computes.
 */
void sf_syn_tmpl_init(struct sf_syn_tmpl *t, const uint8_t dst_mac[6], const uint8_t src_mac[6],
		      uint32_t dst_addr, uint16_t dst_port, bool ip_offload, bool tcp_offload);

/** Add one 16-bit word to a one's-complement sum. */
static inline uint32_t
sf_sum16(uint32_t sum, uint32_t word)
{
	return sum + (word & 0xffff);
}

/** Fold a 32-bit one's-complement accumulator to 16 bits (not complemented). */
static inline uint16_t
sf_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static inline void
sf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
sf_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t
sf_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
sf_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/**
 * Write one SYN: the template, the varying fields and both checksums (or
 * what the NIC needs to compute them).
 *
 * @param frame SF_SYN_LEN bytes of room.
 */
static inline void
sf_syn_fill(const struct sf_syn_tmpl *t, uint8_t *frame, const struct sf_syn_fields *v)
{
	const uint8_t *src = (const uint8_t *)&v->src_addr; /* network order in memory */
	uint32_t s_hi = (uint32_t)(src[0] << 8 | src[1]), s_lo = (uint32_t)(src[2] << 8 | src[3]);
	uint32_t sum;

	memcpy(frame, t->frame, SF_SYN_LEN);
	memcpy(frame + SF_OFF_IP_SRC, src, 4);
	sf_put16(frame + SF_OFF_IP_ID, v->ip_id);
	sf_put16(frame + SF_OFF_TCP_SPORT, v->src_port);
	sf_put32(frame + SF_OFF_TCP_SEQ, v->isn);
	sf_put32(frame + SF_OFF_TCP_TSVAL, v->tsval);
	if (!t->ip_cksum_offload) {
		sum = t->ip_sum + s_hi + s_lo + v->ip_id;
		sf_put16(frame + SF_OFF_IP_CSUM, (uint16_t)~sf_fold(sum));
	}
	if (t->tcp_cksum_offload) {
		sf_put16(frame + SF_OFF_TCP_CSUM, sf_fold(t->phdr_sum + s_hi + s_lo));
	} else {
		sum = t->tcp_sum + s_hi + s_lo + v->src_port + (v->isn >> 16) + (v->isn & 0xffff) +
		      (v->tsval >> 16) + (v->tsval & 0xffff);
		sf_put16(frame + SF_OFF_TCP_CSUM, (uint16_t)~sf_fold(sum));
	}
}

/**
 * One's-complement sum of @p len bytes as big-endian 16-bit words (an odd
 * last byte padded with zero), added to @p sum. The slow, obvious form: for
 * the template and for checking.
 */
uint32_t sf_sum_bytes(uint32_t sum, const uint8_t *p, size_t len);

/* ---- source addresses, ports, ISNs ---- */

/**
 * A source address inside the spoof prefix from 32 random bits. With a
 * prefix of /30 or shorter the all-zeros and all-ones host parts (network and
 * broadcast addresses) are avoided.
 *
 * @param net the prefix, host order, host bits clear.
 * @return the address, network order.
 */
uint32_t sf_spoof_addr(uint32_t net, unsigned int len, uint32_t rnd);

/** A source port in 1024..65535 from 16 random bits. */
static inline uint16_t
sf_spoof_port(uint16_t rnd)
{
	return (uint16_t)(1024u + (((uint32_t)rnd * 64512u) >> 16));
}

/** Key of the ISN bijection (random per run). */
struct sf_isn_key {
	uint32_t k1, k2;
};

#define SF_ISN_MUL1	0x9e3779b1u
#define SF_ISN_MUL2	0x85ebca6bu
#define SF_ISN_MUL1_INV 0x0e8b2f51u /**< SF_ISN_MUL1 * this == 1 mod 2^32 */
#define SF_ISN_MUL2_INV 0xa5cb9243u

/**
 * ISN of SYN number @p i: xor, multiply by an odd constant, xorshift 16 (its
 * own inverse), again, add. Each step is a bijection of 32-bit words, so the
 * ISNs look random on the wire and sf_isn_to_index() undoes them exactly.
 */
static inline uint32_t
sf_isn_from_index(const struct sf_isn_key *k, uint32_t i)
{
	uint32_t x = (i ^ k->k1) * SF_ISN_MUL1;

	x ^= x >> 16;
	x *= SF_ISN_MUL2;
	x ^= x >> 16;
	return x + k->k2;
}

/** Inverse of sf_isn_from_index(). */
static inline uint32_t
sf_isn_to_index(const struct sf_isn_key *k, uint32_t isn)
{
	uint32_t x = isn - k->k2;

	x ^= x >> 16;
	x *= SF_ISN_MUL2_INV;
	x ^= x >> 16;
	x *= SF_ISN_MUL1_INV;
	return x ^ k->k1;
}

/**
 * Which of the last nb_bits SYNs have been answered. The sender clears a
 * 64-bit word each time it starts using it again (sf_answered_on_send), so
 * the bitmap slides with the SYN counter and needs no other upkeep.
 */
struct sf_answered {
	uint64_t *words;
	uint64_t nb_bits; /**< a power of two, >= 128 */
};

/** Call for SYN number @p idx before it goes out. */
static inline void
sf_answered_on_send(struct sf_answered *a, uint64_t idx)
{
	if ((idx & 63) == 0)
		a->words[(idx & (a->nb_bits - 1)) >> 6] = 0;
}

/**
 * Record an answer to the SYN whose ISN index (low 32 bits) is @p idx32.
 *
 * @param generated SYNs numbered so far (the next index).
 * @return true if it is the first answer to a SYN of the window; false for a
 *   repeated answer, one older than the window or one to no SYN of ours.
 */
static inline bool
sf_answered_mark(struct sf_answered *a, uint32_t idx32, uint64_t generated)
{
	uint32_t dist = (uint32_t)generated - idx32; /* generated - idx, modulo 2^32 */
	uint64_t idx, bit, mask;

	/* Safe while the word holding idx has not been cleared for a newer SYN. */
	if (dist == 0 || dist > generated || dist > a->nb_bits - 64)
		return false;
	idx = generated - dist;
	bit = idx & (a->nb_bits - 1);
	mask = UINT64_C(1) << (bit & 63);
	if (a->words[bit >> 6] & mask)
		return false;
	a->words[bit >> 6] |= mask;
	return true;
}

/* ---- receive side ---- */

/** What came back on the raw port. */
enum sf_rx_kind {
	SF_RX_UNRELATED = 0, /**< not about the flood */
	SF_RX_OWN,	     /**< sent from our own MAC (a tap on the same interface sees it) */
	SF_RX_ARP,	     /**< ARP: the caller looks at it */
	SF_RX_LEGIT,	     /**< for the legitimate clients' address: never an answer */
	SF_RX_SYNACK,	     /**< TCP SYN+ACK to a spoofed address */
	SF_RX_RST,	     /**< TCP RST to a spoofed address */
	SF_RX_OTHER, /**< anything else to a spoofed address, or from one (a SYN sent back) */
};

/** What sf_rx_classify() compares against. */
struct sf_rx_filter {
	uint8_t own_mac[6];
	uint32_t spoof_net;  /**< host order */
	uint32_t spoof_mask; /**< host order */
	uint32_t legit_addr; /**< network order; 0 when none */
};

/**
 * Classify a received frame.
 *
 * @param ack receives the acknowledgment number (host order) of a SYN-ACK.
 */
enum sf_rx_kind sf_rx_classify(const struct sf_rx_filter *flt, const uint8_t *f, uint32_t len,
			       uint32_t *ack);

/* ---- ARP ---- */

struct sf_arp {
	uint16_t op; /**< 1 request, 2 reply */
	uint8_t sha[6];
	uint32_t spa; /**< network order */
	uint8_t tha[6];
	uint32_t tpa; /**< network order */
};

/**
 * Write a broadcast ARP request "who has @p tpa, tell @p spa", padded with
 * zeros to SF_ARP_PAD_LEN bytes.
 *
 * @return SF_ARP_PAD_LEN.
 */
size_t sf_arp_request(uint8_t *buf, const uint8_t sha[6], uint32_t spa, uint32_t tpa);

/**
 * Parse an Ethernet frame carrying ARP for IPv4 over Ethernet.
 *
 * @return 0, or -1 when it is not one.
 */
int sf_arp_parse(const uint8_t *f, uint32_t len, struct sf_arp *out);

/**
 * Turn a request for @p ip (parsed into @p req) into our reply, in place.
 */
void sf_arp_reply_in_place(uint8_t *f, const struct sf_arp *req, const uint8_t mac[6], uint32_t ip);

#endif
