/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN template, spoofed sources, answer classification and ARP frames (see
 * sf_wire.h). Byte layouts are written out field by field with their offsets
 * so that the unit test's golden frames can be read against them.
 */
#include <arpa/inet.h>

#include "sf_wire.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806
#define IPPROTO_TCP_   6
#define TCP_FLAG_SYN   0x02
#define TCP_FLAG_RST   0x04
#define TCP_FLAG_ACK   0x10

uint32_t
sf_sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	/* Keep it from overflowing on long inputs: folding preserves the sum. */
	return (sum & 0xffff) + (sum >> 16);
}

void
sf_syn_tmpl_init(struct sf_syn_tmpl *t, const uint8_t dst_mac[6], const uint8_t src_mac[6],
		 uint32_t dst_addr, uint16_t dst_port, bool ip_offload, bool tcp_offload)
{
	uint8_t *f = t->frame, *ip = f + SF_ETH_LEN, *tcp = f + SF_OFF_TCP, *o = tcp + 20;
	uint8_t phdr[12];

	memset(t, 0, sizeof(*t));
	t->ip_cksum_offload = ip_offload;
	t->tcp_cksum_offload = tcp_offload;

	/* Ethernet */
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	sf_put16(f + 12, ETHERTYPE_IPV4);

	/* IPv4: version 4, IHL 5; TOS 0; total length; ID (varies); DF; TTL 64; TCP;
	 * checksum (computed); source (varies); destination. */
	ip[0] = 0x45;
	ip[1] = 0;
	sf_put16(ip + 2, SF_IP_LEN + SF_TCP_LEN);
	sf_put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = IPPROTO_TCP_;
	memcpy(ip + 16, &dst_addr, 4);

	/* TCP: source port, seq (vary); destination port; ack 0; data offset 10
	 * words; SYN; window; checksum (computed); urgent pointer 0. */
	sf_put16(tcp + 2, dst_port);
	tcp[12] = (SF_TCP_LEN / 4) << 4;
	tcp[13] = TCP_FLAG_SYN;
	sf_put16(tcp + 14, SF_SYN_WINDOW);

	/* Options in Linux's order: MSS 1460 | SACK-permitted | timestamps (TSval
	 * varies, TSecr 0) | NOP | window scale 7. */
	o[0] = 2, o[1] = 4, sf_put16(o + 2, 1460);
	o[4] = 4, o[5] = 2;
	o[6] = 8, o[7] = 10; /* o[8..11] TSval, o[12..15] TSecr */
	o[16] = 1;
	o[17] = 3, o[18] = 3, o[19] = 7;

	/* Checksum bases: the frame as it stands has every varying field zero. */
	t->ip_sum = sf_sum_bytes(0, ip, SF_IP_LEN);
	memset(phdr, 0, sizeof(phdr)); /* source 0.0.0.0: added per frame */
	memcpy(phdr + 4, &dst_addr, 4);
	phdr[9] = IPPROTO_TCP_;
	sf_put16(phdr + 10, SF_TCP_LEN);
	t->phdr_sum = sf_sum_bytes(0, phdr, sizeof(phdr));
	t->tcp_sum = sf_sum_bytes(t->phdr_sum, tcp, SF_TCP_LEN);
}

uint32_t
sf_spoof_addr(uint32_t net, unsigned int len, uint32_t rnd)
{
	uint32_t host_mask = len >= 32 ? 0 : 0xffffffffu >> len;
	uint32_t host = rnd & host_mask;

	if (len <= 30) {
		if (host == 0)
			host = 1;
		else if (host == host_mask)
			host = host_mask - 1;
	}
	return htonl(net | host);
}

static bool
in_prefix(const struct sf_rx_filter *flt, const uint8_t *addr)
{
	return (sf_get32(addr) & flt->spoof_mask) == flt->spoof_net;
}

enum sf_rx_kind
sf_rx_classify(const struct sf_rx_filter *flt, const uint8_t *f, uint32_t len, uint32_t *ack)
{
	const uint8_t *ip = f + SF_ETH_LEN, *tcp;
	unsigned int ihl;
	uint16_t type;
	uint8_t flags;

	if (len < SF_ETH_LEN)
		return SF_RX_UNRELATED;
	if (memcmp(f + 6, flt->own_mac, 6) == 0)
		return SF_RX_OWN;
	type = sf_get16(f + 12);
	if (type == ETHERTYPE_ARP)
		return SF_RX_ARP;
	if (type != ETHERTYPE_IPV4 || len < SF_ETH_LEN + SF_IP_LEN || (ip[0] >> 4) != 4)
		return SF_RX_UNRELATED;
	ihl = (ip[0] & 0x0fu) * 4;
	if (ihl < SF_IP_LEN || len < SF_ETH_LEN + ihl)
		return SF_RX_UNRELATED;
	if (flt->legit_addr != 0 && memcmp(ip + 16, &flt->legit_addr, 4) == 0)
		return SF_RX_LEGIT;
	if (!in_prefix(flt, ip + 16))
		/* From a spoofed address: one of our SYNs sent back (macswap). */
		return in_prefix(flt, ip + 12) ? SF_RX_OTHER : SF_RX_UNRELATED;
	tcp = ip + ihl;
	/* TCP, first fragment, whole fixed header present. */
	if (ip[9] != IPPROTO_TCP_ || (sf_get16(ip + 6) & 0x1fff) != 0 ||
	    len < SF_ETH_LEN + ihl + 20)
		return SF_RX_OTHER;
	flags = tcp[13];
	if (flags & TCP_FLAG_RST)
		return SF_RX_RST;
	if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == (TCP_FLAG_SYN | TCP_FLAG_ACK)) {
		*ack = sf_get32(tcp + 8);
		return SF_RX_SYNACK;
	}
	return SF_RX_OTHER;
}

size_t
sf_arp_request(uint8_t *buf, const uint8_t sha[6], uint32_t spa, uint32_t tpa)
{
	uint8_t *a = buf + SF_ETH_LEN;

	memset(buf, 0, SF_ARP_PAD_LEN);
	memset(buf, 0xff, 6);
	memcpy(buf + 6, sha, 6);
	sf_put16(buf + 12, ETHERTYPE_ARP);
	/* htype Ethernet, ptype IPv4, hlen 6, plen 4, op request */
	sf_put16(a, 1);
	sf_put16(a + 2, ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	sf_put16(a + 6, 1);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	/* a[18..23] target hardware address: zero, unknown */
	memcpy(a + 24, &tpa, 4);
	return SF_ARP_PAD_LEN;
}

int
sf_arp_parse(const uint8_t *f, uint32_t len, struct sf_arp *out)
{
	const uint8_t *a = f + SF_ETH_LEN;

	if (len < SF_ARP_LEN || sf_get16(f + 12) != ETHERTYPE_ARP || sf_get16(a) != 1 ||
	    sf_get16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4)
		return -1;
	out->op = sf_get16(a + 6);
	memcpy(out->sha, a + 8, 6);
	memcpy(&out->spa, a + 14, 4);
	memcpy(out->tha, a + 18, 6);
	memcpy(&out->tpa, a + 24, 4);
	return 0;
}

void
sf_arp_reply_in_place(uint8_t *f, const struct sf_arp *req, const uint8_t mac[6], uint32_t ip)
{
	uint8_t *a = f + SF_ETH_LEN;

	memcpy(f, req->sha, 6);
	memcpy(f + 6, mac, 6);
	sf_put16(a + 6, 2);
	memcpy(a + 8, mac, 6);
	memcpy(a + 14, &ip, 4);
	memcpy(a + 18, req->sha, 6);
	memcpy(a + 24, &req->spa, 4);
}
