/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP wire layer and sequence arithmetic tests.
 *
 * Golden segments were built with scapy (the expression is above each array)
 * and carry their IPv4 header, so the pseudo-header comes from real bytes and
 * DPDK's rte_ipv4_phdr_cksum() can be run on them. Their checksums are also
 * recomputed here with a byte-wise reference (ref_cksum), not the library's.
 *
 * Parse is checked field by field, emit byte for byte against the same
 * arrays. Mutated segments get their checksum recomputed by the reference
 * code, so a malformation is seen by the check it targets and not by the
 * checksum. Truncation sweeps copy each prefix into a malloc() block of
 * exactly that size, so an AddressSanitizer build catches any overread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "dtcp_test.h"
#include "tcp/seq.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/wire.h"

#define PEER_IP 0xc6120001u /* 198.18.0.1, host order */
#define OUR_IP	0xc6120002u /* 198.18.0.2, host order */
#define IP_LEN	20

/* clang-format off */
/*
 * SYN as Linux sends it: MSS 1460, SACK-Permitted + TS packed, NOP + WS 7.
 * IP checksum 0x727a, TCP checksum 0x85d2.
 * scapy: IP(src="198.18.0.1", dst="198.18.0.2", id=0x3c1a, flags="DF", ttl=64) /
 *        TCP(sport=43250, dport=8080, seq=0x1f2e3d4c, flags="S", window=64240,
 *            options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (0x0a0b0c0d, 0)),
 *                     ("NOP", None), ("WScale", 7)])
 */
static const uint8_t syn[60] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x3c, 0x3c, 0x1a, 0x40, 0x00, 0x40, 0x06, 0x72, 0x7a,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	/* TCP @20 */
	0xa8, 0xf2, 0x1f, 0x90, 0x1f, 0x2e, 0x3d, 0x4c, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfa, 0xf0, 0x85, 0xd2, 0x00, 0x00,
	/* options @40 */
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x0a, 0x0b, 0x0c, 0x0d,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/*
 * Our SYN-ACK to syn, same layout, WS 9.
 * IP checksum 0xae94, TCP checksum 0x6908.
 * scapy: IP(src="198.18.0.2", dst="198.18.0.1", id=0, flags="DF", ttl=64) /
 *        TCP(sport=8080, dport=43250, seq=0x9a8b7c6d, ack=0x1f2e3d4d, flags="SA", window=65535,
 *            options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (0x00c0ffee, 0x0a0b0c0d)),
 *                     ("NOP", None), ("WScale", 9)])
 */
static const uint8_t synack[60] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0x94,
	0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01,
	/* TCP @20 */
	0x1f, 0x90, 0xa8, 0xf2, 0x9a, 0x8b, 0x7c, 0x6d, 0x1f, 0x2e, 0x3d, 0x4d,
	0xa0, 0x12, 0xff, 0xff, 0x69, 0x08, 0x00, 0x00,
	/* options @40 */
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0xc0, 0xff, 0xee,
	0x0a, 0x0b, 0x0c, 0x0d, 0x01, 0x03, 0x03, 0x09,
};

/*
 * SYN without timestamps (net.ipv4.tcp_timestamps=0): NOP NOP SACK-Permitted.
 * IP checksum 0x7281, TCP checksum 0x1f83.
 * scapy: IP(src="198.18.0.1", dst="198.18.0.2", id=0x3c1b, flags="DF", ttl=64) /
 *        TCP(sport=43252, dport=8080, seq=0xfffffff0, flags="S", window=64240,
 *            options=[("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""),
 *                     ("NOP", None), ("WScale", 7)])
 */
static const uint8_t syn_nots[52] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x34, 0x3c, 0x1b, 0x40, 0x00, 0x40, 0x06, 0x72, 0x81,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	/* TCP @20 */
	0xa8, 0xf4, 0x1f, 0x90, 0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x02, 0xfa, 0xf0, 0x1f, 0x83, 0x00, 0x00,
	/* options @40 */
	0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07,
};

/*
 * ECN-setup SYN (SYN|ECE|CWR) without SACK (tcp_sack=0): NOP NOP TS, WS 14.
 * IP checksum 0x7278, TCP checksum 0x4124.
 * scapy: IP(src="198.18.0.1", dst="198.18.0.2", id=0x3c1c, flags="DF", ttl=64) /
 *        TCP(sport=43254, dport=8080, seq=1, flags="SEC", window=64240,
 *            options=[("MSS", 1460), ("NOP", None), ("NOP", None), ("Timestamp", (0xfedcba98, 0)),
 *                     ("NOP", None), ("WScale", 14)])
 */
static const uint8_t syn_nosack[60] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x3c, 0x3c, 0x1c, 0x40, 0x00, 0x40, 0x06, 0x72, 0x78,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	/* TCP @20 */
	0xa8, 0xf6, 0x1f, 0x90, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0xc2, 0xfa, 0xf0, 0x41, 0x24, 0x00, 0x00,
	/* options @40 */
	0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x08, 0x0a, 0xfe, 0xdc, 0xba, 0x98,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0e,
};

/*
 * Pure ACK completing the handshake, with TS.
 * IP checksum 0x727f, TCP checksum 0x95dc.
 * scapy: IP(src="198.18.0.1", dst="198.18.0.2", id=0x3c1d, flags="DF", ttl=64) /
 *        TCP(sport=43250, dport=8080, seq=0x1f2e3d4d, ack=0x9a8b7c6e, flags="A", window=502,
 *            options=[("NOP", None), ("NOP", None), ("Timestamp", (0x0a0b0c11, 0x00c0ffee))])
 */
static const uint8_t ack_ts[52] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x34, 0x3c, 0x1d, 0x40, 0x00, 0x40, 0x06, 0x72, 0x7f,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	/* TCP @20 */
	0xa8, 0xf2, 0x1f, 0x90, 0x1f, 0x2e, 0x3d, 0x4d, 0x9a, 0x8b, 0x7c, 0x6e,
	0x80, 0x10, 0x01, 0xf6, 0x95, 0xdc, 0x00, 0x00,
	/* options @40 */
	0x01, 0x01, 0x08, 0x0a, 0x0a, 0x0b, 0x0c, 0x11, 0x00, 0xc0, 0xff, 0xee,
};

/*
 * Data with PSH: 13 bytes, so the checksum has an odd trailing byte.
 * IP checksum 0x7271, TCP checksum 0x42df.
 * scapy: IP(src="198.18.0.1", dst="198.18.0.2", id=0x3c1e, flags="DF", ttl=64) /
 *        TCP(sport=43250, dport=8080, seq=0x1f2e3d4d, ack=0x9a8b7c6e, flags="PA", window=502,
 *            options=[("NOP", None), ("NOP", None), ("Timestamp", (0x0a0b0c12, 0x00c0ffee))]) /
 *        Raw(b"hello, dtcp!\n")
 */
static const uint8_t data_psh[65] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x41, 0x3c, 0x1e, 0x40, 0x00, 0x40, 0x06, 0x72, 0x71,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	/* TCP @20 */
	0xa8, 0xf2, 0x1f, 0x90, 0x1f, 0x2e, 0x3d, 0x4d, 0x9a, 0x8b, 0x7c, 0x6e,
	0x80, 0x18, 0x01, 0xf6, 0x42, 0xdf, 0x00, 0x00,
	/* options @40 */
	0x01, 0x01, 0x08, 0x0a, 0x0a, 0x0b, 0x0c, 0x12, 0x00, 0xc0, 0xff, 0xee,
	/* payload @52 */
	0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x64, 0x74, 0x63, 0x70, 0x21,
	0x0a,
};

/*
 * Our duplicate ACK with TS and two SACK blocks, laid out as Linux does.
 * IP checksum 0xae88, TCP checksum 0xaae1.
 * scapy: IP(src="198.18.0.2", dst="198.18.0.1", id=0, flags="DF", ttl=64) /
 *        TCP(sport=8080, dport=43250, seq=0x9a8b7c6e, ack=0x1f2e3d5a, flags="A", window=512,
 *            options=[("NOP", None), ("NOP", None), ("Timestamp", (0x00c0fff0, 0x0a0b0c12)),
 *                     ("NOP", None), ("NOP", None),
 *                     ("SAck", (0x1f2e4000, 0x1f2e4400, 0x1f2e4800, 0x1f2e4c00))])
 */
static const uint8_t sack_ts[72] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x48, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0x88,
	0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01,
	/* TCP @20 */
	0x1f, 0x90, 0xa8, 0xf2, 0x9a, 0x8b, 0x7c, 0x6e, 0x1f, 0x2e, 0x3d, 0x5a,
	0xd0, 0x10, 0x02, 0x00, 0xaa, 0xe1, 0x00, 0x00,
	/* options @40 */
	0x01, 0x01, 0x08, 0x0a, 0x00, 0xc0, 0xff, 0xf0, 0x0a, 0x0b, 0x0c, 0x12,
	0x01, 0x01, 0x05, 0x12, 0x1f, 0x2e, 0x40, 0x00, 0x1f, 0x2e, 0x44, 0x00,
	0x1f, 0x2e, 0x48, 0x00, 0x1f, 0x2e, 0x4c, 0x00,
};

/*
 * Four SACK blocks (the most that fit), no TS; the first block wraps through 0.
 * IP checksum 0xae84, TCP checksum 0x9dd5.
 * scapy: IP(src="198.18.0.2", dst="198.18.0.1", id=0, flags="DF", ttl=64) /
 *        TCP(sport=8080, dport=43250, seq=0x9a8b7c6e, ack=0xfffffe00, flags="A", window=1024,
 *            options=[("NOP", None), ("NOP", None),
 *                     ("SAck", (0xffffff00, 0x00000100, 0x00000200, 0x00000300,
 *                               0x00000400, 0x00000500, 0x80000000, 0x80000010))])
 */
static const uint8_t sack4[76] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x4c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0x84,
	0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01,
	/* TCP @20 */
	0x1f, 0x90, 0xa8, 0xf2, 0x9a, 0x8b, 0x7c, 0x6e, 0xff, 0xff, 0xfe, 0x00,
	0xe0, 0x10, 0x04, 0x00, 0x9d, 0xd5, 0x00, 0x00,
	/* options @40 */
	0x01, 0x01, 0x05, 0x22, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x00, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x10,
};

/*
 * RST|ACK answering a SYN to a closed port (RFC 9293 3.10.7.1).
 * IP checksum 0xaea8, TCP checksum 0xfea9.
 * scapy: IP(src="198.18.0.2", dst="198.18.0.1", id=0, flags="DF", ttl=64) /
 *        TCP(sport=8080, dport=43251, seq=0, ack=0x1f2e3d4d, flags="RA", window=0)
 */
static const uint8_t rst[40] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0xa8,
	0xc6, 0x12, 0x00, 0x02, 0xc6, 0x12, 0x00, 0x01,
	/* TCP @20 */
	0x1f, 0x90, 0xa8, 0xf3, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x2e, 0x3d, 0x4d,
	0x50, 0x14, 0x00, 0x00, 0xfe, 0xa9, 0x00, 0x00,
};

/*
 * Options we do not implement, skipped by length: an experimental option
 * (kind 254, ExID 0xf989), TCP-MD5 (kind 19, 18 bytes), kind 253 with no data; EOL, zero padding.
 * IP checksum 0x7269, TCP checksum 0x89a9.
 * scapy: IP(src="198.18.0.1", dst="198.18.0.2", id=0x3c1f, flags="DF", ttl=64) /
 *        TCP(sport=43256, dport=8080, seq=0x12345678, flags="S", window=29200,
 *            options=[("MSS", 1400), (254, b"\xf9\x89\x12\x34"), (19, b"\xaa" * 16), (253, b""),
 *                     ("EOL", None)])
 */
static const uint8_t unknown_opts[72] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x48, 0x3c, 0x1f, 0x40, 0x00, 0x40, 0x06, 0x72, 0x69,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	/* TCP @20 */
	0xa8, 0xf8, 0x1f, 0x90, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,
	0xd0, 0x02, 0x72, 0x10, 0x89, 0xa9, 0x00, 0x00,
	/* options @40 */
	0x02, 0x04, 0x05, 0x78, 0xfe, 0x06, 0xf9, 0x89, 0x12, 0x34, 0x13, 0x12,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xfd, 0x02, 0x00, 0x00,
};

/*
 * MSS, then EOL followed by bytes that are not padding (an illegal length-0
 * option, then NOP + WS): parsing stops at EOL, so they are ignored. The raw
 * bytes are the options, dataofs=8 covers them; the URG pointer is 7.
 * IP checksum 0x727c, TCP checksum 0xea94.
 * scapy: IP(src="198.18.0.1", dst="198.18.0.2", id=0x3c20, flags="DF", ttl=64) /
 *        TCP(sport=43258, dport=8080, seq=0x12345678, ack=0x87654321, flags="AU", window=100,
 *            urgptr=7, dataofs=8) /
 *        Raw(b"\x02\x04\x05\xb4\x00\x02\x00\xff\x01\x03\x03\x07")
 */
static const uint8_t after_eol[52] = {
	/* IPv4 @0 */
	0x45, 0x00, 0x00, 0x34, 0x3c, 0x20, 0x40, 0x00, 0x40, 0x06, 0x72, 0x7c,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	/* TCP @20 */
	0xa8, 0xfa, 0x1f, 0x90, 0x12, 0x34, 0x56, 0x78, 0x87, 0x65, 0x43, 0x21,
	0x80, 0x30, 0x00, 0x64, 0xea, 0x94, 0x00, 0x07,
	/* options @40 */
	0x02, 0x04, 0x05, 0xb4, 0x00, 0x02, 0x00, 0xff, 0x01, 0x03, 0x03, 0x07,
};

/* clang-format on */

struct golden {
	const char *name;
	const uint8_t *pkt; /* IPv4 header then the TCP segment */
	size_t len;
	uint16_t cksum; /* TCP checksum scapy computed */
};

#define GOLDEN(a, c)                                                                               \
	{                                                                                          \
#a, a, sizeof(a), c                                                                \
	}

static const struct golden goldens[] = {
	GOLDEN(syn, 0x85d2),	      GOLDEN(synack, 0x6908),	 GOLDEN(syn_nots, 0x1f83),
	GOLDEN(syn_nosack, 0x4124),   GOLDEN(ack_ts, 0x95dc),	 GOLDEN(data_psh, 0x42df),
	GOLDEN(sack_ts, 0xaae1),      GOLDEN(sack4, 0x9dd5),	 GOLDEN(rst, 0xfea9),
	GOLDEN(unknown_opts, 0x89a9), GOLDEN(after_eol, 0xea94),
};

#define SEG(a)	   ((a) + IP_LEN)
#define SEG_LEN(a) (sizeof(a) - IP_LEN)

static uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Source and destination address of an IPv4 header, network order as the API takes them. */
static uint32_t
ip_src(const uint8_t *ip)
{
	uint32_t a;

	memcpy(&a, ip + 12, sizeof(a));
	return a;
}

static uint32_t
ip_dst(const uint8_t *ip)
{
	uint32_t a;

	memcpy(&a, ip + 16, sizeof(a));
	return a;
}

/*
 * Reference Internet checksum (RFC 1071) over the TCP pseudo-header and
 * segment, byte by byte in network order, odd trailing byte padded with zero.
 * @p src and @p dst are network order. Returns the value to store, host
 * order; 0 when @p seg already holds a correct checksum.
 */
static uint16_t
ref_cksum(uint32_t src, uint32_t dst, const uint8_t *seg, size_t len)
{
	uint8_t ph[12];
	uint32_t sum = 0;

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = 6;
	put_be16(ph + 10, (uint16_t)len);
	for (size_t i = 0; i < sizeof(ph); i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(seg[i] << 8) | (i + 1 < len ? seg[i + 1] : 0);
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Store a correct checksum in @p seg, computed by the reference code. */
static void
fix_cksum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	put_be16(seg + 16, 0);
	put_be16(seg + 16, ref_cksum(src, dst, seg, len));
}

/* Heap copy of exactly @p len bytes (ASan flags any access beyond). */
static uint8_t *
exact_copy(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len != 0 ? len : 1);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	if (len != 0)
		memcpy(p, src, len);
	return p;
}

/* Parse a golden segment (verifying the checksum) into @p r, poisoned first. */
static enum dtcp_wire_status
parse_golden(const uint8_t *pkt, size_t len, bool verify, struct dtcp_tcp_repr *r)
{
	memset(r, 0x5a, sizeof(*r));
	return dtcp_tcp_parse(pkt + IP_LEN, len - IP_LEN, ip_src(pkt), ip_dst(pkt), verify, r);
}

#define PARSE_GOLDEN(a, verify, r) parse_golden((a), sizeof(a), (verify), (r))

/* Options absent from @p r are reported as false/0. */
static void
check_no_options(const struct dtcp_tcp_repr *r)
{
	CHECK(!r->has_mss);
	CHECK_EQ(r->mss, 0);
	CHECK(!r->has_wscale);
	CHECK_EQ(r->wscale, 0);
	CHECK(!r->sack_permitted);
	CHECK(!r->has_ts);
	CHECK_EQ(r->ts_val, 0);
	CHECK_EQ(r->ts_ecr, 0);
	CHECK_EQ(r->sack_count, 0);
}

/* Every field emit reads and parse fills must agree. */
static void
check_repr_eq(const struct dtcp_tcp_repr *a, const struct dtcp_tcp_repr *b)
{
	CHECK_EQ(a->src_port, b->src_port);
	CHECK_EQ(a->dst_port, b->dst_port);
	CHECK_EQ(a->seq, b->seq);
	CHECK_EQ(a->ack, b->ack);
	CHECK_EQ(a->flags, b->flags);
	CHECK_EQ(a->window, b->window);
	CHECK_EQ(a->urgent, b->urgent);
	CHECK_EQ(a->payload_len, b->payload_len);
	CHECK_EQ(a->has_mss, b->has_mss);
	CHECK_EQ(a->mss, b->mss);
	CHECK_EQ(a->has_wscale, b->has_wscale);
	CHECK_EQ(a->wscale, b->wscale);
	CHECK_EQ(a->sack_permitted, b->sack_permitted);
	CHECK_EQ(a->has_ts, b->has_ts);
	CHECK_EQ(a->ts_val, b->ts_val);
	CHECK_EQ(a->ts_ecr, b->ts_ecr);
	CHECK_EQ(a->sack_count, b->sack_count);
	for (unsigned int i = 0; i < a->sack_count && i < DTCP_TCP_MAX_SACK; i++) {
		CHECK_EQ(a->sack[i].left, b->sack[i].left);
		CHECK_EQ(a->sack[i].right, b->sack[i].right);
	}
}

/* --- golden data sanity --------------------------------------------------------------------- */

static void
test_golden_checksums(void)
{
	for (size_t i = 0; i < RTE_DIM(goldens); i++) {
		const struct golden *g = &goldens[i];
		const uint8_t *s = g->pkt + IP_LEN;
		struct dtcp_ipv4_repr ip;

		/* Each array is one whole IPv4 packet, the TCP segment its payload. */
		CHECK_EQ(dtcp_ipv4_parse(g->pkt, g->len, true, &ip), DTCP_WIRE_OK);
		CHECK_EQ(ip.proto, IPPROTO_TCP);
		CHECK_EQ(ip.payload_len, g->len - IP_LEN);
		CHECK_EQ(ref_cksum(ip_src(g->pkt), ip_dst(g->pkt), s, g->len - IP_LEN), 0);
		CHECK_EQ(get_be16(s + 16), g->cksum);
	}
}

static void
test_status_str(void)
{
	CHECK(strcmp(dtcp_wire_status_str(DTCP_WIRE_BAD_OPTION), "bad option") == 0);
}

/* --- parse ---------------------------------------------------------------------------------- */

static void
test_parse_syn(void)
{
	struct dtcp_tcp_repr r;

	for (int verify = 0; verify <= 1; verify++) {
		CHECK_EQ(PARSE_GOLDEN(syn, verify, &r), DTCP_WIRE_OK);
		CHECK_EQ(r.src_port, 43250);
		CHECK_EQ(r.dst_port, 8080);
		CHECK_EQ(r.seq, 0x1f2e3d4c);
		CHECK_EQ(r.ack, 0);
		CHECK_EQ(r.flags, DTCP_TCP_SYN);
		CHECK_EQ(r.window, 64240);
		CHECK_EQ(r.urgent, 0);
		CHECK_EQ(r.hdr_len, 40);
		CHECK(r.payload == SEG(syn) + 40);
		CHECK_EQ(r.payload_len, 0);
		CHECK(r.has_mss);
		CHECK_EQ(r.mss, 1460);
		CHECK(r.sack_permitted);
		CHECK(r.has_ts);
		CHECK_EQ(r.ts_val, 0x0a0b0c0d);
		CHECK_EQ(r.ts_ecr, 0);
		CHECK(r.has_wscale);
		CHECK_EQ(r.wscale, 7);
		CHECK_EQ(r.sack_count, 0);
	}
}

static void
test_parse_synack(void)
{
	struct dtcp_tcp_repr r;

	CHECK_EQ(PARSE_GOLDEN(synack, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.src_port, 8080);
	CHECK_EQ(r.dst_port, 43250);
	CHECK_EQ(r.seq, 0x9a8b7c6d);
	CHECK_EQ(r.ack, 0x1f2e3d4d);
	CHECK_EQ(r.flags, DTCP_TCP_SYN | DTCP_TCP_ACK);
	CHECK_EQ(r.window, 65535);
	CHECK_EQ(r.hdr_len, 40);
	CHECK_EQ(r.payload_len, 0);
	CHECK(r.has_mss);
	CHECK_EQ(r.mss, 1460);
	CHECK(r.sack_permitted);
	CHECK(r.has_ts);
	CHECK_EQ(r.ts_val, 0x00c0ffee);
	CHECK_EQ(r.ts_ecr, 0x0a0b0c0d);
	CHECK(r.has_wscale);
	CHECK_EQ(r.wscale, 9);
	CHECK_EQ(r.sack_count, 0);
}

static void
test_parse_syn_variants(void)
{
	struct dtcp_tcp_repr r;

	CHECK_EQ(PARSE_GOLDEN(syn_nots, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.src_port, 43252);
	CHECK_EQ(r.seq, 0xfffffff0);
	CHECK_EQ(r.flags, DTCP_TCP_SYN);
	CHECK_EQ(r.hdr_len, 32);
	CHECK(r.has_mss);
	CHECK_EQ(r.mss, 1460);
	CHECK(r.sack_permitted);
	CHECK(!r.has_ts);
	CHECK_EQ(r.ts_val, 0);
	CHECK_EQ(r.ts_ecr, 0);
	CHECK(r.has_wscale);
	CHECK_EQ(r.wscale, 7);
	CHECK_EQ(r.sack_count, 0);

	CHECK_EQ(PARSE_GOLDEN(syn_nosack, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.src_port, 43254);
	CHECK_EQ(r.seq, 1);
	CHECK_EQ(r.flags, DTCP_TCP_SYN | DTCP_TCP_ECE | DTCP_TCP_CWR);
	CHECK_EQ(r.hdr_len, 40);
	CHECK(r.has_mss);
	CHECK(!r.sack_permitted);
	CHECK(r.has_ts);
	CHECK_EQ(r.ts_val, 0xfedcba98);
	CHECK_EQ(r.ts_ecr, 0);
	CHECK(r.has_wscale);
	CHECK_EQ(r.wscale, 14);
}

static void
test_parse_ack_data(void)
{
	struct dtcp_tcp_repr r;

	CHECK_EQ(PARSE_GOLDEN(ack_ts, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.src_port, 43250);
	CHECK_EQ(r.dst_port, 8080);
	CHECK_EQ(r.seq, 0x1f2e3d4d);
	CHECK_EQ(r.ack, 0x9a8b7c6e);
	CHECK_EQ(r.flags, DTCP_TCP_ACK);
	CHECK_EQ(r.window, 502);
	CHECK_EQ(r.hdr_len, 32);
	CHECK_EQ(r.payload_len, 0);
	CHECK(r.payload == SEG(ack_ts) + 32);
	CHECK(!r.has_mss);
	CHECK(!r.has_wscale);
	CHECK(!r.sack_permitted);
	CHECK(r.has_ts);
	CHECK_EQ(r.ts_val, 0x0a0b0c11);
	CHECK_EQ(r.ts_ecr, 0x00c0ffee);
	CHECK_EQ(r.sack_count, 0);

	CHECK_EQ(PARSE_GOLDEN(data_psh, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.flags, DTCP_TCP_PSH | DTCP_TCP_ACK);
	CHECK_EQ(r.seq, 0x1f2e3d4d);
	CHECK_EQ(r.ack, 0x9a8b7c6e);
	CHECK_EQ(r.hdr_len, 32);
	CHECK_EQ(r.payload_len, 13);
	CHECK(r.payload == SEG(data_psh) + 32);
	CHECK(memcmp(r.payload, "hello, dtcp!\n", 13) == 0);
	CHECK(r.has_ts);
	CHECK_EQ(r.ts_val, 0x0a0b0c12);
	CHECK_EQ(r.ts_ecr, 0x00c0ffee);
}

static void
test_parse_sack(void)
{
	struct dtcp_tcp_repr r;

	CHECK_EQ(PARSE_GOLDEN(sack_ts, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.flags, DTCP_TCP_ACK);
	CHECK_EQ(r.ack, 0x1f2e3d5a);
	CHECK_EQ(r.window, 512);
	CHECK_EQ(r.hdr_len, 52);
	CHECK(r.has_ts);
	CHECK_EQ(r.ts_val, 0x00c0fff0);
	CHECK_EQ(r.ts_ecr, 0x0a0b0c12);
	CHECK_EQ(r.sack_count, 2);
	CHECK_EQ(r.sack[0].left, 0x1f2e4000);
	CHECK_EQ(r.sack[0].right, 0x1f2e4400);
	CHECK_EQ(r.sack[1].left, 0x1f2e4800);
	CHECK_EQ(r.sack[1].right, 0x1f2e4c00);

	CHECK_EQ(PARSE_GOLDEN(sack4, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.ack, 0xfffffe00);
	CHECK_EQ(r.window, 1024);
	CHECK_EQ(r.hdr_len, 56);
	CHECK(!r.has_ts);
	CHECK_EQ(r.sack_count, 4);
	CHECK_EQ(r.sack[0].left, 0xffffff00);
	CHECK_EQ(r.sack[0].right, 0x00000100);
	CHECK_EQ(r.sack[1].left, 0x00000200);
	CHECK_EQ(r.sack[1].right, 0x00000300);
	CHECK_EQ(r.sack[2].left, 0x00000400);
	CHECK_EQ(r.sack[2].right, 0x00000500);
	CHECK_EQ(r.sack[3].left, 0x80000000);
	CHECK_EQ(r.sack[3].right, 0x80000010);
}

static void
test_parse_rst(void)
{
	struct dtcp_tcp_repr r;

	CHECK_EQ(PARSE_GOLDEN(rst, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.src_port, 8080);
	CHECK_EQ(r.dst_port, 43251);
	CHECK_EQ(r.seq, 0);
	CHECK_EQ(r.ack, 0x1f2e3d4d);
	CHECK_EQ(r.flags, DTCP_TCP_RST | DTCP_TCP_ACK);
	CHECK_EQ(r.window, 0);
	CHECK_EQ(r.urgent, 0);
	CHECK_EQ(r.hdr_len, 20);
	CHECK_EQ(r.payload_len, 0);
	CHECK(r.payload == SEG(rst) + 20);
	check_no_options(&r);
}

static void
test_parse_unknown_options(void)
{
	struct dtcp_tcp_repr r;

	/* Kinds 254, 19 and 253 are stepped over by their length; MSS before them still counts. */
	CHECK_EQ(PARSE_GOLDEN(unknown_opts, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.flags, DTCP_TCP_SYN);
	CHECK_EQ(r.window, 29200);
	CHECK_EQ(r.hdr_len, 52);
	CHECK(r.has_mss);
	CHECK_EQ(r.mss, 1400);
	CHECK(!r.has_wscale);
	CHECK(!r.sack_permitted);
	CHECK(!r.has_ts);
	CHECK_EQ(r.sack_count, 0);

	/* Nothing after EOL is looked at: not the length-0 option, not the WS. */
	CHECK_EQ(PARSE_GOLDEN(after_eol, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.flags, DTCP_TCP_ACK | DTCP_TCP_URG);
	CHECK_EQ(r.seq, 0x12345678);
	CHECK_EQ(r.ack, 0x87654321);
	CHECK_EQ(r.window, 100);
	CHECK_EQ(r.urgent, 7);
	CHECK_EQ(r.hdr_len, 32);
	CHECK(r.has_mss);
	CHECK_EQ(r.mss, 1460);
	CHECK(!r.has_wscale);
	CHECK_EQ(r.wscale, 0);
}

/* Reserved bits are ignored on receipt; all eight flags come through. */
static void
test_parse_reserved_bits_all_flags(void)
{
	uint8_t s[SEG_LEN(rst)];
	struct dtcp_tcp_repr r;

	memcpy(s, SEG(rst), sizeof(s));
	s[12] = 0x5f; /* data offset 5, the four reserved bits (including AE/NS) set */
	s[13] = 0xff;
	fix_cksum(s, sizeof(s), ip_src(rst), ip_dst(rst));
	memset(&r, 0x5a, sizeof(r));
	CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), ip_src(rst), ip_dst(rst), true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.hdr_len, 20);
	CHECK_EQ(r.flags, DTCP_TCP_FIN | DTCP_TCP_SYN | DTCP_TCP_RST | DTCP_TCP_PSH | DTCP_TCP_ACK |
				  DTCP_TCP_URG | DTCP_TCP_ECE | DTCP_TCP_CWR);
	CHECK_EQ(r.flags, 0xff);

	/* The flag constants are the header's bit positions (RFC 9293 3.1, RFC 3168). */
	CHECK_EQ(DTCP_TCP_FIN, 0x01);
	CHECK_EQ(DTCP_TCP_SYN, 0x02);
	CHECK_EQ(DTCP_TCP_RST, 0x04);
	CHECK_EQ(DTCP_TCP_PSH, 0x08);
	CHECK_EQ(DTCP_TCP_ACK, 0x10);
	CHECK_EQ(DTCP_TCP_URG, 0x20);
	CHECK_EQ(DTCP_TCP_ECE, 0x40);
	CHECK_EQ(DTCP_TCP_CWR, 0x80);
}

/* Parse works at any address: headers sit at offset 34 of a frame, so are 2-aligned at best. */
static void
test_parse_unaligned(void)
{
	uint8_t buf[SEG_LEN(sack_ts) + 3];
	struct dtcp_tcp_repr r;

	for (size_t off = 0; off < 4; off++) {
		memcpy(buf + off, SEG(sack_ts), SEG_LEN(sack_ts));
		memset(&r, 0x5a, sizeof(r));
		CHECK_EQ(dtcp_tcp_parse(buf + off, SEG_LEN(sack_ts), ip_src(sack_ts),
					ip_dst(sack_ts), true, &r),
			 DTCP_WIRE_OK);
		CHECK_EQ(r.seq, 0x9a8b7c6e);
		CHECK_EQ(r.sack_count, 2);
		CHECK_EQ(r.sack[1].right, 0x1f2e4c00);
	}
}

/* --- header errors -------------------------------------------------------------------------- */

static void
test_parse_bad_header(void)
{
	uint8_t s[SEG_LEN(syn)];
	struct dtcp_tcp_repr r;
	const uint32_t src = ip_src(syn), dst = ip_dst(syn);

	/* Data offset 0..4: BAD_HDR_LEN, checked before the checksum. */
	for (uint8_t off = 0; off < 5; off++) {
		memcpy(s, SEG(syn), sizeof(s));
		s[12] = (uint8_t)(off << 4);
		CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, true, &r), DTCP_WIRE_BAD_HDR_LEN);
		CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, false, &r), DTCP_WIRE_BAD_HDR_LEN);
		/* ... but a short buffer is TRUNCATED first. */
		CHECK_EQ(dtcp_tcp_parse(s, 19, src, dst, false, &r), DTCP_WIRE_TRUNCATED);
	}
	/* Data offset beyond the segment: 11 words on a 40-byte segment, and 15. */
	memcpy(s, SEG(syn), sizeof(s));
	s[12] = 0xb0;
	CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, false, &r), DTCP_WIRE_TRUNCATED);
	s[12] = 0xf0;
	CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, true, &r), DTCP_WIRE_TRUNCATED);
	/* Data offset 5 on the SYN: valid, and the options become 20 bytes of payload. */
	s[12] = 0x50;
	fix_cksum(s, sizeof(s), src, dst);
	memset(&r, 0x5a, sizeof(r));
	CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.hdr_len, 20);
	CHECK_EQ(r.payload_len, 20);
	CHECK(r.payload == s + 20);
	check_no_options(&r);
	/* Data offset 15 with 60 bytes there: valid (header all options, here all NOPs). */
	{
		uint8_t big[60];

		memcpy(big, SEG(rst), 20);
		memset(big + 20, DTCP_TCP_OPT_NOP, 40);
		big[12] = 0xf0;
		fix_cksum(big, sizeof(big), src, dst);
		memset(&r, 0x5a, sizeof(r));
		CHECK_EQ(dtcp_tcp_parse(big, sizeof(big), src, dst, true, &r), DTCP_WIRE_OK);
		CHECK_EQ(r.hdr_len, 60);
		CHECK_EQ(r.payload_len, 0);
		check_no_options(&r);
	}
}

static void
test_parse_too_long(void)
{
	/* The pseudo-header's TCP length is 16 bits: an IPv4 payload never exceeds it. */
	uint8_t *big = calloc(1, 65536);
	struct dtcp_tcp_repr r;

	if (big == NULL)
		abort();
	memcpy(big, SEG(rst), SEG_LEN(rst));
	CHECK_EQ(dtcp_tcp_parse(big, 65536, 0, 0, false, &r), DTCP_WIRE_BAD_TOTAL_LEN);
	CHECK_EQ(dtcp_tcp_parse(big, 65536, 0, 0, true, &r), DTCP_WIRE_BAD_TOTAL_LEN);
	/* 65535 is fine: the checksum still covers it (zeros add nothing, the length does). */
	fix_cksum(big, 65535, ip_src(rst), ip_dst(rst));
	CHECK_EQ(dtcp_tcp_parse(big, 65535, ip_src(rst), ip_dst(rst), true, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.payload_len, 65535 - 20);
	free(big);
}

static void
test_parse_bad_checksum(void)
{
	uint8_t s[SEG_LEN(data_psh)];
	struct dtcp_tcp_repr r;
	const uint32_t src = ip_src(data_psh), dst = ip_dst(data_psh);

	/* A flipped bit anywhere, header, option or payload (the odd last byte included). */
	for (size_t i = 0; i < sizeof(s); i++) {
		memcpy(s, SEG(data_psh), sizeof(s));
		s[i] ^= 0x04;
		CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, true, &r), DTCP_WIRE_BAD_CHECKSUM);
		/*
		 * Unverified, the flip goes through, except where it breaks the options
		 * "01 01 08 0a": 05 01 (SACK, length 1), 01 05 08 (SACK, length 8), 08 0e
		 * (TS, length 14); 0c 0a is an unknown kind, skipped. In byte 12 it is a
		 * reserved bit, not the data offset.
		 */
		CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, false, &r),
			 i == 20 || i == 21 || i == 23 ? DTCP_WIRE_BAD_OPTION : DTCP_WIRE_OK);
	}
	/* The pseudo-header counts: wrong source or destination address. */
	CHECK_EQ(dtcp_tcp_parse(SEG(data_psh), sizeof(s), src ^ htonl(1), dst, true, &r),
		 DTCP_WIRE_BAD_CHECKSUM);
	CHECK_EQ(dtcp_tcp_parse(SEG(data_psh), sizeof(s), src, htonl(0xc6120003), true, &r),
		 DTCP_WIRE_BAD_CHECKSUM);
	/* (Swapping them cannot be caught: the one's complement sum is commutative.) */
	CHECK_EQ(dtcp_tcp_parse(SEG(data_psh), sizeof(s), dst, src, true, &r), DTCP_WIRE_OK);
	/* The length counts: one byte short, as IPv4 would hand it if total length were off. */
	CHECK_EQ(dtcp_tcp_parse(SEG(data_psh), sizeof(s) - 1, src, dst, true, &r),
		 DTCP_WIRE_BAD_CHECKSUM);
	/* A zero checksum field is not "no checksum" in TCP. */
	memcpy(s, SEG(data_psh), sizeof(s));
	put_be16(s + 16, 0);
	CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, true, &r), DTCP_WIRE_BAD_CHECKSUM);
	memset(&r, 0x5a, sizeof(r));
	CHECK_EQ(dtcp_tcp_parse(s, sizeof(s), src, dst, false, &r), DTCP_WIRE_OK);
	CHECK_EQ(r.payload_len, 13);
}

/* --- options -------------------------------------------------------------------------------- */

/* The rst header followed by @p n option bytes, in a heap block of exactly that size. */
static uint8_t *
seg_with_opts(const uint8_t *opt, size_t n)
{
	uint8_t *s = malloc(20 + n);

	if (s == NULL)
		abort();
	memcpy(s, SEG(rst), 20);
	memcpy(s + 20, opt, n);
	s[12] = (uint8_t)((20 + n) / 4 << 4);
	return s;
}

/*
 * Parse the rst header followed by exactly @p n option bytes (a multiple of
 * 4), in a block of exactly that size, with a correct checksum. Checks that
 * verifying and not verifying agree and returns the status.
 */
static enum dtcp_wire_status
parse_opts(const uint8_t *opt, size_t n, struct dtcp_tcp_repr *r)
{
	const uint32_t src = ip_src(rst), dst = ip_dst(rst);
	enum dtcp_wire_status st, st2;
	uint8_t *s;

	if (n % 4 != 0 || n > DTCP_TCP_OPT_MAX_LEN) {
		fprintf(stderr, "parse_opts: bad test option length %zu\n", n);
		abort();
	}
	s = seg_with_opts(opt, n);
	fix_cksum(s, 20 + n, src, dst);
	memset(r, 0x5a, sizeof(*r));
	st = dtcp_tcp_parse(s, 20 + n, src, dst, false, r);
	memset(r, 0x5a, sizeof(*r));
	st2 = dtcp_tcp_parse(s, 20 + n, src, dst, true, r);
	CHECK_EQ(st, st2);
	/* With a bad checksum the checksum is reported first. */
	s[16] ^= 0x80;
	CHECK_EQ(dtcp_tcp_parse(s, 20 + n, src, dst, true, r), DTCP_WIRE_BAD_CHECKSUM);
	s[16] ^= 0x80;
	memset(r, 0x5a, sizeof(*r));
	st = dtcp_tcp_parse(s, 20 + n, src, dst, true, r);
	free(s);
	return st;
}

#define PARSE_OPTS(r, ...)                                                                         \
	parse_opts((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), (r))

#define BAD(...)                                                                                   \
	do {                                                                                       \
		struct dtcp_tcp_repr r_;                                                           \
		enum dtcp_wire_status st_ = PARSE_OPTS(&r_, __VA_ARGS__);                          \
		if (st_ != DTCP_WIRE_BAD_OPTION) {                                                 \
			fprintf(stderr, "%s:%d: options {%s}: %s, want bad option\n", __FILE__,    \
				__LINE__, #__VA_ARGS__, dtcp_wire_status_str(st_));                \
			dtcp_test_failures++;                                                      \
		}                                                                                  \
	} while (0)

static void
test_options_bad_length(void)
{
	/* Length 0 or 1 on any multi-byte kind, known or not. */
	BAD(0x02, 0x00, 0x05, 0xb4);
	BAD(0x02, 0x01, 0x05, 0xb4);
	BAD(0x03, 0x00, 0x07, 0x00);
	BAD(0x04, 0x00, 0x00, 0x00);
	BAD(0x04, 0x01, 0x00, 0x00);
	BAD(0x05, 0x00, 0x00, 0x00);
	BAD(0x05, 0x01, 0x00, 0x00);
	BAD(0x08, 0x00, 0x00, 0x00);
	BAD(0xfe, 0x00, 0x00, 0x00);
	BAD(0xfe, 0x01, 0x00, 0x00);
	BAD(0x01, 0x01, 0x13, 0x00); /* after NOPs too */
	/* Running past the header. */
	BAD(0x01, 0x01, 0x01, 0xfe); /* a kind in the last byte: no length */
	BAD(0x01, 0x01, 0x01, 0x02); /* same for MSS */
	BAD(0x01, 0x01, 0x02, 0x04); /* MSS needs 4, 2 left */
	BAD(0xfe, 0x05, 0x00, 0x00); /* unknown, 5 > 4 */
	BAD(0xfe, 0xff, 0x00, 0x00); /* unknown, 255 */
	BAD(0x02, 0x04, 0x05, 0xb4, 0x08, 0x0a, 0x00, 0x00); /* TS needs 10, 4 left */
	BAD(0x01, 0x01, 0x05, 0x0a, 0x00, 0x00, 0x00, 0x01); /* SACK block needs 10, 6 left */
	/* SACK of 5 blocks (42 bytes) cannot fit in the 40 option bytes. */
	BAD(0x05, 0x2a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	BAD(0x05, 0x29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void
test_options_bad_fixed_size(void)
{
	/* MSS: 4 only. */
	BAD(0x02, 0x02, 0x00, 0x00);
	BAD(0x02, 0x03, 0x05, 0x00);
	BAD(0x02, 0x05, 0x05, 0xb4, 0x00, 0x00, 0x00, 0x00);
	BAD(0x02, 0x08, 0x05, 0xb4, 0x00, 0x00, 0x00, 0x00);
	/* Window scale: 3 only. */
	BAD(0x03, 0x02, 0x01, 0x01);
	BAD(0x03, 0x04, 0x07, 0x00);
	/* SACK-Permitted: 2 only. */
	BAD(0x04, 0x03, 0x00, 0x00);
	BAD(0x04, 0x04, 0x00, 0x00);
	/* Timestamps: 10 only. */
	BAD(0x08, 0x02, 0x00, 0x00);
	BAD(0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	BAD(0x08, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	BAD(0x08, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	BAD(0x08, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	/* SACK: 2 + 8n only. */
	BAD(0x05, 0x03, 0x00, 0x00);
	BAD(0x05, 0x04, 0x00, 0x00);
	BAD(0x05, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	BAD(0x05, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	BAD(0x05, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	/* A good option before a bad one does not save the segment. */
	BAD(0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x02, 0x07);
}

static void
test_options_accepted(void)
{
	struct dtcp_tcp_repr r;

	/* All zeros (EOL at once) and all NOPs: no options. */
	CHECK_EQ(PARSE_OPTS(&r, 0, 0, 0, 0, 0, 0, 0, 0), DTCP_WIRE_OK);
	check_no_options(&r);
	CHECK_EQ(r.hdr_len, 28);
	CHECK_EQ(PARSE_OPTS(&r, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
			    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
		 DTCP_WIRE_OK);
	check_no_options(&r);
	CHECK_EQ(r.hdr_len, 60);

	/* Window scale above 14 is used as 14 (RFC 7323 2.3). */
	CHECK_EQ(PARSE_OPTS(&r, 0x01, 0x03, 0x03, 0x0e), DTCP_WIRE_OK);
	CHECK(r.has_wscale);
	CHECK_EQ(r.wscale, 14);
	CHECK_EQ(PARSE_OPTS(&r, 0x01, 0x03, 0x03, 0x0f), DTCP_WIRE_OK);
	CHECK(r.has_wscale);
	CHECK_EQ(r.wscale, 14);
	CHECK_EQ(PARSE_OPTS(&r, 0x01, 0x03, 0x03, 0xff), DTCP_WIRE_OK);
	CHECK_EQ(r.wscale, 14);
	CHECK_EQ(PARSE_OPTS(&r, 0x01, 0x03, 0x03, 0x00), DTCP_WIRE_OK);
	CHECK(r.has_wscale);
	CHECK_EQ(r.wscale, 0);

	/* MSS 0 and 65535 are reported as they are; judging them is the TCP layer's job. */
	CHECK_EQ(PARSE_OPTS(&r, 0x02, 0x04, 0x00, 0x00), DTCP_WIRE_OK);
	CHECK(r.has_mss);
	CHECK_EQ(r.mss, 0);
	CHECK_EQ(PARSE_OPTS(&r, 0x02, 0x04, 0xff, 0xff), DTCP_WIRE_OK);
	CHECK_EQ(r.mss, 65535);

	/* An empty SACK option (length 2) is well formed: no blocks. */
	CHECK_EQ(PARSE_OPTS(&r, 0x01, 0x01, 0x05, 0x02), DTCP_WIRE_OK);
	CHECK_EQ(r.sack_count, 0);

	/* SACK-Permitted on its own, and the options in an unusual order, unaligned. */
	CHECK_EQ(PARSE_OPTS(&r, 0x04, 0x02, 0x03, 0x03, 0x02, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04,
			    0x05, 0x06, 0x07, 0x08, 0x02, 0x04, 0x02, 0x18, 0x00),
		 DTCP_WIRE_OK);
	CHECK(r.sack_permitted);
	CHECK(r.has_wscale);
	CHECK_EQ(r.wscale, 2);
	CHECK(r.has_ts);
	CHECK_EQ(r.ts_val, 0x01020304);
	CHECK_EQ(r.ts_ecr, 0x05060708);
	CHECK(r.has_mss);
	CHECK_EQ(r.mss, 536);

	/* Unknown kinds with every kind of length, then a TS that must still be found. */
	CHECK_EQ(PARSE_OPTS(&r, 0x06, 0x06, 0xde, 0xad, 0xbe, 0xef, /* obsolete echo (RFC 1072) */
			    0x22, 0x02,				    /* TFO cookie request */
			    0x1e, 0x04, 0x00, 0x81,		    /* MPTCP, 4 bytes */
			    0xfd, 0x03, 0x77,			    /* experimental, 3 bytes */
			    0x08, 0x0a, 0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00,
			    0x00),
		 DTCP_WIRE_OK);
	CHECK(r.has_ts);
	CHECK_EQ(r.ts_val, 0xaabbccdd);
	CHECK_EQ(r.ts_ecr, 0x11223344);
	CHECK(!r.has_mss);
	CHECK(!r.has_wscale);
	CHECK(!r.sack_permitted);
	CHECK_EQ(r.sack_count, 0);

	/* An unknown option that exactly fills the option space. */
	CHECK_EQ(PARSE_OPTS(&r, 0xfe, 0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
		 DTCP_WIRE_OK);
	check_no_options(&r);

	/* Repeated options: the last one wins, SACK blocks included. */
	CHECK_EQ(PARSE_OPTS(&r, 0x02, 0x04, 0x05, 0xb4, 0x02, 0x04, 0x02, 0x18, 0x01, 0x01, 0x05,
			    0x12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0x01, 0x01, 0x05,
			    0x0a, 0, 0, 0, 9, 0, 0, 0, 10),
		 DTCP_WIRE_OK);
	CHECK_EQ(r.mss, 536);
	CHECK_EQ(r.sack_count, 1);
	CHECK_EQ(r.sack[0].left, 9);
	CHECK_EQ(r.sack[0].right, 10);

	/* An option ending exactly at the header's end. */
	CHECK_EQ(PARSE_OPTS(&r, 0x01, 0x01, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02), DTCP_WIRE_OK);
	CHECK_EQ(r.mss, 1460);
	CHECK(r.sack_permitted);
}

/*
 * Random option bytes (fixed seed): parsing stays within the header (ASan),
 * and only OK or BAD_OPTION can come out. Also checks a few invariants of
 * whatever was accepted.
 */
static void
test_options_fuzz(void)
{
	uint32_t x = 0x2545f491;
	unsigned int ok = 0, bad = 0;

	for (int iter = 0; iter < 20000; iter++) {
		uint8_t opt[DTCP_TCP_OPT_MAX_LEN];
		size_t n = 4 * (size_t)(iter % 11);
		struct dtcp_tcp_repr r;
		enum dtcp_wire_status st;
		uint8_t *s;

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Bias towards the kinds and lengths that matter. */
			opt[i] = (x & 0x300) ? (uint8_t)(x & 0x0f) : (uint8_t)x;
		}
		s = seg_with_opts(opt, n);
		st = dtcp_tcp_parse(s, 20 + n, 0, 0, false, &r);
		if (st == DTCP_WIRE_OK) {
			ok++;
			CHECK(r.sack_count <= DTCP_TCP_MAX_SACK);
			CHECK(r.wscale <= DTCP_TCP_MAX_WSCALE);
			CHECK_EQ(r.hdr_len, 20 + n);
		} else {
			bad++;
			CHECK_EQ(st, DTCP_WIRE_BAD_OPTION);
		}
		free(s);
	}
	/* Both outcomes were exercised. */
	CHECK(ok > 1000);
	CHECK(bad > 1000);
}

/* --- emit ----------------------------------------------------------------------------------- */

/*
 * Emit @p r into a copy of the golden segment whose header and options were
 * overwritten with 0xcc (the payload stays, as the caller would have placed
 * it), in a block of exactly the segment's size, and compare with the golden
 * bytes.
 */
static void
check_emit_golden(const struct dtcp_tcp_repr *r, const uint8_t *pkt, size_t len, int line)
{
	const uint8_t *seg = pkt + IP_LEN;
	size_t seg_len = len - IP_LEN;
	size_t hdr_len = (size_t)(seg[12] >> 4) * 4;
	uint8_t *s = exact_copy(seg, seg_len);
	int ret;

	memset(s, 0xcc, hdr_len);
	CHECK_EQ(dtcp_tcp_options_len(r), hdr_len - 20);
	ret = dtcp_tcp_emit(r, s, seg_len, ip_src(pkt), ip_dst(pkt), DTCP_TCP_CKSUM_FULL);
	if (ret != (int)hdr_len) {
		fprintf(stderr, "%s:%d: emit returned %d, want %zu\n", __FILE__, line, ret,
			hdr_len);
		dtcp_test_failures++;
	}
	for (size_t i = 0; i < seg_len; i++) {
		if (s[i] != seg[i]) {
			fprintf(stderr,
				"%s:%d: emit differs at offset %zu: got 0x%02x, want 0x%02x\n",
				__FILE__, line, i, s[i], seg[i]);
			dtcp_test_failures++;
			break;
		}
	}
	free(s);
}

#define CHECK_EMIT_GOLDEN(r, a) check_emit_golden((r), (a), sizeof(a), __LINE__)

static void
test_emit_golden(void)
{
	struct dtcp_tcp_repr r;

	/* Built by hand, independently of parse. */
	r = (struct dtcp_tcp_repr){
		.src_port = 43250,
		.dst_port = 8080,
		.seq = 0x1f2e3d4c,
		.flags = DTCP_TCP_SYN,
		.window = 64240,
		.has_mss = true,
		.mss = 1460,
		.sack_permitted = true,
		.has_ts = true,
		.ts_val = 0x0a0b0c0d,
		.has_wscale = true,
		.wscale = 7,
	};
	CHECK_EMIT_GOLDEN(&r, syn);

	r = (struct dtcp_tcp_repr){
		.src_port = 8080,
		.dst_port = 43250,
		.seq = 0x9a8b7c6d,
		.ack = 0x1f2e3d4d,
		.flags = DTCP_TCP_SYN | DTCP_TCP_ACK,
		.window = 65535,
		.has_mss = true,
		.mss = 1460,
		.sack_permitted = true,
		.has_ts = true,
		.ts_val = 0x00c0ffee,
		.ts_ecr = 0x0a0b0c0d,
		.has_wscale = true,
		.wscale = 9,
	};
	CHECK_EMIT_GOLDEN(&r, synack);

	r = (struct dtcp_tcp_repr){
		.src_port = 43250,
		.dst_port = 8080,
		.seq = 0x1f2e3d4d,
		.ack = 0x9a8b7c6e,
		.flags = DTCP_TCP_PSH | DTCP_TCP_ACK,
		.window = 502,
		.payload_len = 13,
		.has_ts = true,
		.ts_val = 0x0a0b0c12,
		.ts_ecr = 0x00c0ffee,
	};
	CHECK_EMIT_GOLDEN(&r, data_psh);

	r = (struct dtcp_tcp_repr){
		.src_port = 8080,
		.dst_port = 43250,
		.seq = 0x9a8b7c6e,
		.ack = 0x1f2e3d5a,
		.flags = DTCP_TCP_ACK,
		.window = 512,
		.has_ts = true,
		.ts_val = 0x00c0fff0,
		.ts_ecr = 0x0a0b0c12,
		.sack_count = 2,
		.sack = {{0x1f2e4000, 0x1f2e4400}, {0x1f2e4800, 0x1f2e4c00}},
	};
	CHECK_EMIT_GOLDEN(&r, sack_ts);

	r = (struct dtcp_tcp_repr){
		.src_port = 8080,
		.dst_port = 43251,
		.seq = 0,
		.ack = 0x1f2e3d4d,
		.flags = DTCP_TCP_RST | DTCP_TCP_ACK,
		.window = 0,
	};
	CHECK_EMIT_GOLDEN(&r, rst);

	/* Parse -> emit reproduces every golden segment whose options are in our layout. */
	{
		static const struct {
			const uint8_t *pkt;
			size_t len;
		} canon[] = {
			{syn, sizeof(syn)},	      {synack, sizeof(synack)},
			{syn_nots, sizeof(syn_nots)}, {syn_nosack, sizeof(syn_nosack)},
			{ack_ts, sizeof(ack_ts)},     {data_psh, sizeof(data_psh)},
			{sack_ts, sizeof(sack_ts)},   {sack4, sizeof(sack4)},
			{rst, sizeof(rst)},
		};

		for (size_t i = 0; i < RTE_DIM(canon); i++) {
			CHECK_EQ(parse_golden(canon[i].pkt, canon[i].len, true, &r), DTCP_WIRE_OK);
			check_emit_golden(&r, canon[i].pkt, canon[i].len, __LINE__);
		}
	}
}

/* Emit ignores the parse-only fields and the reserved bits. */
static void
test_emit_ignores(void)
{
	struct dtcp_tcp_repr r;
	uint8_t buf[24];

	CHECK_EQ(PARSE_GOLDEN(rst, true, &r), DTCP_WIRE_OK);
	r.hdr_len = 60;
	r.payload = NULL;
	r.flags = 0xff;
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(dtcp_tcp_emit(&r, buf, 20, ip_src(rst), ip_dst(rst), DTCP_TCP_CKSUM_FULL), 20);
	CHECK_EQ(buf[12], 0x50);
	CHECK_EQ(buf[13], 0xff);
	CHECK_EQ(buf[20], 0xee); /* nothing past the header */
	CHECK_EQ(ref_cksum(ip_src(rst), ip_dst(rst), buf, 20), 0);
}

/* The checksum field for offload: the pseudo-header sum, as DPDK computes it. */
static void
test_emit_cksum_modes(void)
{
	for (size_t i = 0; i < RTE_DIM(goldens); i++) {
		const struct golden *g = &goldens[i];
		const uint8_t *seg = g->pkt + IP_LEN;
		size_t seg_len = g->len - IP_LEN;
		struct dtcp_tcp_repr r;
		uint16_t phdr, field;
		uint8_t *s;
		int hl;

		CHECK_EQ(parse_golden(g->pkt, g->len, true, &r), DTCP_WIRE_OK);
		/* Only our layout: the rest of the header must equal the golden bytes. */
		if (dtcp_tcp_options_len(&r) != (size_t)r.hdr_len - 20u)
			continue;
		s = exact_copy(seg, seg_len);

		hl = dtcp_tcp_emit(&r, s, seg_len, ip_src(g->pkt), ip_dst(g->pkt),
				   DTCP_TCP_CKSUM_PHDR);
		CHECK_EQ(hl, r.hdr_len);
		phdr = rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)g->pkt, 0);
		memcpy(&field, s + 16, sizeof(field));
		if (field != phdr) {
			fprintf(stderr, "%s: phdr field 0x%04x, rte_ipv4_phdr_cksum 0x%04x\n",
				g->name, field, phdr);
			dtcp_test_failures++;
		}
		CHECK_BYTES(s, seg, 16);
		CHECK_BYTES(s + 18, seg + 18, seg_len - 18);
		/* What the NIC then does: sum the segment from the seed and store the complement.
		 */
		field = (uint16_t)~rte_raw_cksum(s, seg_len);
		memcpy(s + 16, &field, sizeof(field));
		CHECK_BYTES(s, seg, seg_len);

		/* None: zero in the field, everything else as golden. */
		memset(s, 0xcc, (size_t)hl);
		CHECK_EQ(dtcp_tcp_emit(&r, s, seg_len, ip_src(g->pkt), ip_dst(g->pkt),
				       DTCP_TCP_CKSUM_NONE),
			 hl);
		CHECK_EQ(get_be16(s + 16), 0);
		CHECK_BYTES(s, seg, 16);
		CHECK_BYTES(s + 18, seg + 18, seg_len - 18);
		/* ... and rte_ipv4_udptcp_cksum agrees with the golden value from there. */
		{
			uint8_t *pkt = exact_copy(g->pkt, g->len);

			memcpy(pkt + IP_LEN, s, seg_len);
			CHECK_EQ(rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)pkt,
						       pkt + IP_LEN),
				 htons(g->cksum));
			free(pkt);
		}
		free(s);
	}
}

static void
test_options_len(void)
{
	struct dtcp_tcp_repr r;

	memset(&r, 0, sizeof(r));
	CHECK_EQ(dtcp_tcp_options_len(&r), 0);
	r.has_mss = true;
	CHECK_EQ(dtcp_tcp_options_len(&r), 4);
	r.sack_permitted = true;
	CHECK_EQ(dtcp_tcp_options_len(&r), 8);
	r.has_ts = true; /* SACK-Permitted now rides in front of TS */
	CHECK_EQ(dtcp_tcp_options_len(&r), 16);
	r.has_wscale = true;
	CHECK_EQ(dtcp_tcp_options_len(&r), 20);
	r.sack_count = 1;
	CHECK_EQ(dtcp_tcp_options_len(&r), 32);
	r.sack_count = 2;
	CHECK_EQ(dtcp_tcp_options_len(&r), 40);
	r.sack_count = 3;
	CHECK_EQ(dtcp_tcp_options_len(&r), 48); /* too long: emit refuses it */
	memset(&r, 0, sizeof(r));
	r.has_ts = true;
	CHECK_EQ(dtcp_tcp_options_len(&r), 12);
	r.sack_count = 3;
	CHECK_EQ(dtcp_tcp_options_len(&r), 40);
	memset(&r, 0, sizeof(r));
	r.sack_count = 4;
	CHECK_EQ(dtcp_tcp_options_len(&r), 36);
	memset(&r, 0, sizeof(r));
	r.has_wscale = true;
	CHECK_EQ(dtcp_tcp_options_len(&r), 4);
}

/*
 * Every combination of options and 0..4 SACK blocks: emit succeeds exactly
 * when they fit in 40 bytes, the checksum verifies with the reference code,
 * and parse gives the repr back.
 */
static void
test_emit_all_combinations(void)
{
	const uint32_t src = htonl(OUR_IP), dst = htonl(PEER_IP);
	unsigned int fitted = 0;

	for (unsigned int bits = 0; bits < 16; bits++) {
		for (uint8_t nsack = 0; nsack <= DTCP_TCP_MAX_SACK; nsack++) {
			struct dtcp_tcp_repr r = {
				.src_port = 1,
				.dst_port = 65535,
				.seq = 0xfffffffe,
				.ack = 0x80000000,
				.flags = DTCP_TCP_ACK | DTCP_TCP_FIN,
				.window = 0xabcd,
				.urgent = 0x1234,
				.payload_len = 3,
				.has_mss = bits & 1,
				.mss = 8960,
				.has_ts = bits & 2,
				.ts_val = 0xdeadbeef,
				.ts_ecr = 0xfeedface,
				.sack_permitted = bits & 4,
				.has_wscale = bits & 8,
				.wscale = 13,
				.sack_count = nsack,
			};
			uint8_t buf[DTCP_TCP_HDR_MAX_LEN + 3];
			size_t opt_len = dtcp_tcp_options_len(&r), hl = 20 + opt_len;
			struct dtcp_tcp_repr back;
			int ret;

			for (unsigned int k = 0; k < nsack; k++) {
				r.sack[k].left = 0xfffff000u + k * 0x1000;
				r.sack[k].right = r.sack[k].left + 0x800;
			}
			CHECK_EQ(opt_len % 4, 0);
			memset(buf, 0xcc, sizeof(buf));
			ret = dtcp_tcp_emit(&r, buf, sizeof(buf), src, dst, DTCP_TCP_CKSUM_FULL);
			if (opt_len > DTCP_TCP_OPT_MAX_LEN) {
				CHECK_EQ(ret, -EINVAL);
				continue;
			}
			fitted++;
			CHECK_EQ(ret, (int)hl);
			/* The payload is the 3 bytes of 0xcc after the header. */
			CHECK_EQ(ref_cksum(src, dst, buf, hl + 3), 0);
			memset(&back, 0x5a, sizeof(back));
			CHECK_EQ(dtcp_tcp_parse(buf, hl + 3, src, dst, true, &back), DTCP_WIRE_OK);
			CHECK_EQ(back.hdr_len, hl);
			CHECK(back.payload == buf + hl);
			if (!r.has_mss)
				r.mss = 0;
			if (!r.has_ts)
				r.ts_val = r.ts_ecr = 0;
			if (!r.has_wscale)
				r.wscale = 0;
			check_repr_eq(&back, &r);
		}
	}
	CHECK_EQ(fitted, 62); /* 80 combinations, 18 too long */
}

static void
test_emit_errors(void)
{
	const uint32_t src = ip_src(data_psh), dst = ip_dst(data_psh);
	struct dtcp_tcp_repr r;
	uint8_t buf[SEG_LEN(data_psh)], want[SEG_LEN(data_psh)];

	CHECK_EQ(PARSE_GOLDEN(data_psh, true, &r), DTCP_WIRE_OK);
	memcpy(want, SEG(data_psh), sizeof(want));
	memset(want, 0xcc, 32);

	/* The buffer must hold header and payload; nothing is written otherwise. */
	for (size_t len = 0; len < sizeof(buf); len++) {
		memcpy(buf, want, sizeof(buf));
		CHECK_EQ(dtcp_tcp_emit(&r, buf, len, src, dst, DTCP_TCP_CKSUM_FULL), -ENOSPC);
		CHECK_EQ(dtcp_tcp_emit(&r, buf, len, src, dst, DTCP_TCP_CKSUM_NONE), -ENOSPC);
		CHECK_BYTES(buf, want, sizeof(buf));
	}
	CHECK_EQ(dtcp_tcp_emit(&r, buf, sizeof(buf), src, dst, DTCP_TCP_CKSUM_FULL), 32);
	CHECK_BYTES(buf, SEG(data_psh), sizeof(buf));

	/* Reprs that cannot be encoded. */
	memcpy(buf, want, sizeof(buf));
	r.sack_count = DTCP_TCP_MAX_SACK + 1;
	r.has_ts = false;
	CHECK_EQ(dtcp_tcp_emit(&r, buf, sizeof(buf), src, dst, DTCP_TCP_CKSUM_FULL), -EINVAL);
	r.sack_count = 255;
	CHECK_EQ(dtcp_tcp_emit(&r, buf, sizeof(buf), src, dst, DTCP_TCP_CKSUM_FULL), -EINVAL);
	r.sack_count = 0;
	r.has_wscale = true;
	r.wscale = DTCP_TCP_MAX_WSCALE + 1;
	CHECK_EQ(dtcp_tcp_emit(&r, buf, sizeof(buf), src, dst, DTCP_TCP_CKSUM_FULL), -EINVAL);
	r.has_wscale = false; /* an out-of-range shift that is not sent does not matter */
	CHECK_EQ(dtcp_tcp_emit(&r, buf, sizeof(buf), src, dst, DTCP_TCP_CKSUM_NONE), 20);
	memcpy(buf, want, sizeof(buf));
	r.has_ts = true;
	r.has_mss = true;
	r.has_wscale = true;
	r.wscale = 14;
	r.sack_count = 3; /* 4 + 12 + 4 + 28 = 48 option bytes */
	CHECK_EQ(dtcp_tcp_emit(&r, buf, sizeof(buf), src, dst, DTCP_TCP_CKSUM_FULL), -EINVAL);
	CHECK_BYTES(buf, want, sizeof(buf));

	/* Header plus payload above 65535. */
	{
		uint8_t *big = calloc(1, 65536 + 60);

		if (big == NULL)
			abort();
		memset(&r, 0, sizeof(r));
		r.payload_len = 65535 - 20;
		CHECK_EQ(dtcp_tcp_emit(&r, big, 65536 + 60, src, dst, DTCP_TCP_CKSUM_FULL), 20);
		CHECK_EQ(ref_cksum(src, dst, big, 65535), 0);
		r.has_mss = true;
		r.mss = 1;
		CHECK_EQ(dtcp_tcp_emit(&r, big, 65536 + 60, src, dst, DTCP_TCP_CKSUM_FULL),
			 -EINVAL);
		r.has_mss = false;
		r.payload_len = 65535;
		CHECK_EQ(dtcp_tcp_emit(&r, big, 65536 + 60, src, dst, DTCP_TCP_CKSUM_FULL),
			 -EINVAL);
		free(big);
	}
}

/* Emit at odd addresses (UBSan checks alignment) gives the same bytes. */
static void
test_emit_unaligned(void)
{
	struct dtcp_tcp_repr r;
	uint8_t buf[SEG_LEN(sack_ts) + 3];

	CHECK_EQ(PARSE_GOLDEN(sack_ts, true, &r), DTCP_WIRE_OK);
	for (size_t off = 0; off < 4; off++) {
		memset(buf, 0xcc, sizeof(buf));
		CHECK_EQ(dtcp_tcp_emit(&r, buf + off, SEG_LEN(sack_ts), ip_src(sack_ts),
				       ip_dst(sack_ts), DTCP_TCP_CKSUM_FULL),
			 52);
		CHECK_BYTES(buf + off, SEG(sack_ts), SEG_LEN(sack_ts));
	}
}

/* --- truncation sweeps ---------------------------------------------------------------------- */

static void
test_truncation_sweep(void)
{
	for (size_t i = 0; i < RTE_DIM(goldens); i++) {
		const struct golden *g = &goldens[i];
		const uint8_t *seg = g->pkt + IP_LEN;
		size_t seg_len = g->len - IP_LEN;
		size_t hdr_len = (size_t)(seg[12] >> 4) * 4;
		const uint32_t src = ip_src(g->pkt), dst = ip_dst(g->pkt);

		/* Every proper prefix of the segment alone. */
		for (size_t len = 0; len < seg_len; len++) {
			uint8_t *p = exact_copy(seg, len);
			struct dtcp_tcp_repr r;
			enum dtcp_wire_status st, want;

			want = len < hdr_len ? DTCP_WIRE_TRUNCATED : DTCP_WIRE_BAD_CHECKSUM;
			st = dtcp_tcp_parse(p, len, src, dst, true, &r);
			if (st != want) {
				fprintf(stderr, "%s prefix %zu: %s\n", g->name, len,
					dtcp_wire_status_str(st));
				CHECK_EQ(st, want);
			}
			/* Without the checksum, a prefix holding the header is a shorter segment.
			 */
			st = dtcp_tcp_parse(p, len, src, dst, false, &r);
			if (len < hdr_len) {
				CHECK_EQ(st, DTCP_WIRE_TRUNCATED);
			} else {
				CHECK_EQ(st, DTCP_WIRE_OK);
				CHECK_EQ(r.payload_len, len - hdr_len);
			}
			free(p);
		}
		/* Every proper prefix of the whole IPv4 packet, through IPv4 then TCP. */
		for (size_t len = 0; len < g->len; len++) {
			uint8_t *p = exact_copy(g->pkt, len);
			struct dtcp_ipv4_repr ip;
			struct dtcp_tcp_repr r;
			enum dtcp_wire_status st = dtcp_ipv4_parse(p, len, true, &ip);

			if (st == DTCP_WIRE_OK)
				st = dtcp_tcp_parse(p + ip.hdr_len, ip.payload_len, ip.src, ip.dst,
						    true, &r);
			CHECK(st != DTCP_WIRE_OK);
			free(p);
		}
		{
			uint8_t *p = exact_copy(seg, seg_len);
			struct dtcp_tcp_repr r;

			CHECK_EQ(dtcp_tcp_parse(p, seg_len, src, dst, true, &r), DTCP_WIRE_OK);
			free(p);
		}
	}
}

/* --- sequence arithmetic -------------------------------------------------------------------- */

/* The four comparisons for one pair, as bits lt|leq<<1|gt<<2|geq<<3. */
static unsigned int
seq_cmp_bits(uint32_t a, uint32_t b)
{
	return (unsigned int)dtcp_seq_lt(a, b) | (unsigned int)dtcp_seq_leq(a, b) << 1 |
	       (unsigned int)dtcp_seq_gt(a, b) << 2 | (unsigned int)dtcp_seq_geq(a, b) << 3;
}

#define SEQ_BEFORE 0x3 /* lt, leq */
#define SEQ_EQUAL  0xa /* leq, geq */
#define SEQ_AFTER  0xc /* gt, geq */

static void
test_seq_compare(void)
{
	static const uint32_t bases[] = {0,	     1,		 0x7ffffffe, 0x7fffffff, 0x80000000,
					 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678};
	static const uint32_t steps[] = {1, 2, 1000, 0x10000, 0x40000000, 0x7ffffffe, 0x7fffffff};

	/* Wraparound: 0xffffffff is just before 0. */
	CHECK_EQ(seq_cmp_bits(0xffffffff, 0), SEQ_BEFORE);
	CHECK_EQ(seq_cmp_bits(0, 0xffffffff), SEQ_AFTER);
	CHECK_EQ(seq_cmp_bits(0xfffffff0, 0x10), SEQ_BEFORE);
	CHECK_EQ(seq_cmp_bits(5, 5), SEQ_EQUAL);
	CHECK_EQ(dtcp_seq_diff(0, 0xffffffff), 1);
	CHECK_EQ(dtcp_seq_diff(0xffffffff, 0), -1);
	CHECK_EQ(dtcp_seq_diff(0x10, 0xfffffff0), 0x20);

	/* 2^31 - 1 apart: still ordered, both ways round the circle. */
	CHECK_EQ(seq_cmp_bits(0, 0x7fffffff), SEQ_BEFORE);
	CHECK_EQ(seq_cmp_bits(0x7fffffff, 0), SEQ_AFTER);
	CHECK_EQ(seq_cmp_bits(0x80000000, 0xffffffff), SEQ_BEFORE);
	CHECK_EQ(seq_cmp_bits(0x80000001, 0), SEQ_BEFORE); /* 0 is 2^31 - 1 after it */
	CHECK_EQ(dtcp_seq_diff(0x7fffffff, 0), INT32_MAX);
	CHECK_EQ(dtcp_seq_diff(0, 0x7fffffff), -INT32_MAX);
	CHECK_EQ(dtcp_seq_diff(0x80000001, 0), -INT32_MAX);

	/* Exactly 2^31 apart: no order; each is before (and after) the other, as documented. */
	CHECK_EQ(dtcp_seq_diff(0x80000000, 0), INT32_MIN);
	CHECK_EQ(dtcp_seq_diff(0, 0x80000000), INT32_MIN);
	CHECK_EQ(seq_cmp_bits(0, 0x80000000), 0xf);
	CHECK_EQ(seq_cmp_bits(0x80000000, 0), 0xf);
	CHECK_EQ(seq_cmp_bits(0x7fffffff, 0xffffffff), 0xf);

	/* Within the bound everything is consistent, around every interesting base. */
	for (size_t i = 0; i < RTE_DIM(bases); i++) {
		for (size_t j = 0; j < RTE_DIM(steps); j++) {
			uint32_t a = bases[i], b = a + steps[j];

			CHECK_EQ(seq_cmp_bits(a, b), SEQ_BEFORE);
			CHECK_EQ(seq_cmp_bits(b, a), SEQ_AFTER);
			CHECK_EQ(seq_cmp_bits(a, a), SEQ_EQUAL);
			CHECK_EQ(dtcp_seq_diff(b, a), (int32_t)steps[j]);
			CHECK_EQ(dtcp_seq_diff(a, b), -(int32_t)steps[j]);
			CHECK_EQ(dtcp_seq_max(a, b), b);
			CHECK_EQ(dtcp_seq_max(b, a), b);
			CHECK_EQ(dtcp_seq_min(a, b), a);
			CHECK_EQ(dtcp_seq_min(b, a), a);
		}
	}
}

static void
test_seq_windows(void)
{
	/* in_window: lo =< seq < lo + len, across the wrap. */
	CHECK(dtcp_seq_in_window(0xfffffff0, 0xfffffff0, 0x20));
	CHECK(dtcp_seq_in_window(0xffffffff, 0xfffffff0, 0x20));
	CHECK(dtcp_seq_in_window(0, 0xfffffff0, 0x20));
	CHECK(dtcp_seq_in_window(0xf, 0xfffffff0, 0x20));
	CHECK(!dtcp_seq_in_window(0x10, 0xfffffff0, 0x20));
	CHECK(!dtcp_seq_in_window(0xffffffef, 0xfffffff0, 0x20));
	CHECK(!dtcp_seq_in_window(7, 7, 0)); /* empty window holds nothing */
	CHECK(dtcp_seq_in_window(7, 7, 1));
	CHECK(!dtcp_seq_in_window(8, 7, 1));
	/* Any length works, even past 2^31: the test measures from lo. */
	CHECK(dtcp_seq_in_window(0x7fffffff, 0, 0x80000000));
	CHECK(!dtcp_seq_in_window(0x80000000, 0, 0x80000000));
	CHECK(dtcp_seq_in_window(0xfffffffe, 0, 0xffffffff));
	CHECK(!dtcp_seq_in_window(0xffffffff, 0, 0xffffffff));

	/* between: lo =< seq =< hi, across the wrap. */
	CHECK(dtcp_seq_between(0xfffffffe, 0xfffffffe, 2));
	CHECK(dtcp_seq_between(0xfffffffe, 0, 2));
	CHECK(dtcp_seq_between(0xfffffffe, 2, 2));
	CHECK(!dtcp_seq_between(0xfffffffe, 3, 2));
	CHECK(!dtcp_seq_between(0xfffffffe, 0xfffffffd, 2));
	CHECK(dtcp_seq_between(9, 9, 9));
	CHECK(!dtcp_seq_between(9, 10, 9));

	/* The acceptable-ACK example of seq.h: SND.UNA < SEG.ACK =< SND.NXT. */
	{
		const uint32_t una = 0xfffffff0, nxt = 0x10;

		CHECK(!dtcp_seq_in_window(una, una + 1, nxt - una));
		CHECK(dtcp_seq_in_window(una + 1, una + 1, nxt - una));
		CHECK(dtcp_seq_in_window(0, una + 1, nxt - una));
		CHECK(dtcp_seq_in_window(nxt, una + 1, nxt - una));
		CHECK(!dtcp_seq_in_window(nxt + 1, una + 1, nxt - una));
		/* Nothing outstanding: no ACK is acceptable, not even SND.UNA itself. */
		CHECK(!dtcp_seq_in_window(una, una + 1, 0));
		CHECK(!dtcp_seq_in_window(una + 1, una + 1, 0));
		CHECK(!dtcp_seq_in_window(una - 1, una + 1, 0));
	}
}

int
main(void)
{
	RUN_TEST(test_golden_checksums);
	RUN_TEST(test_status_str);
	RUN_TEST(test_parse_syn);
	RUN_TEST(test_parse_synack);
	RUN_TEST(test_parse_syn_variants);
	RUN_TEST(test_parse_ack_data);
	RUN_TEST(test_parse_sack);
	RUN_TEST(test_parse_rst);
	RUN_TEST(test_parse_unknown_options);
	RUN_TEST(test_parse_reserved_bits_all_flags);
	RUN_TEST(test_parse_unaligned);
	RUN_TEST(test_parse_bad_header);
	RUN_TEST(test_parse_too_long);
	RUN_TEST(test_parse_bad_checksum);
	RUN_TEST(test_options_bad_length);
	RUN_TEST(test_options_bad_fixed_size);
	RUN_TEST(test_options_accepted);
	RUN_TEST(test_options_fuzz);
	RUN_TEST(test_options_len);
	RUN_TEST(test_emit_golden);
	RUN_TEST(test_emit_ignores);
	RUN_TEST(test_emit_cksum_modes);
	RUN_TEST(test_emit_all_combinations);
	RUN_TEST(test_emit_errors);
	RUN_TEST(test_emit_unaligned);
	RUN_TEST(test_truncation_sweep);
	RUN_TEST(test_seq_compare);
	RUN_TEST(test_seq_windows);
	return TEST_EXIT();
}
