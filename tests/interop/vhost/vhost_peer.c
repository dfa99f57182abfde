/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost_peer: the far end of the virtio_user <-> vhost-user interop test.
 *
 *   vhost_peer [EAL options, one --vdev virtio_user0,path=SOCK] --
 *              --peer-ip A.B.C.D --target-ip A.B.C.D [--count N] [--seed S]
 *              [--target-mac XX:XX:XX:XX:XX:XX]
 *
 * Drives a virtio_user port connected to the stack's net_vhost port and
 * checks, byte for byte, every frame the stack sends:
 *   (a) the gratuitous ARP the stack announces itself with,
 *   (b) the reply to an ARP request for --target-ip,
 *   (c) the replies to N ICMP echo requests of varied sizes and contents.
 * The expected frames are written out here field by field from the RFCs
 * (ARP: RFC 826, IPv4: RFC 791, ICMP echo: RFC 792, checksum: RFC 1071);
 * nothing of libdtcp is used to build or check them. The stack's MAC comes
 * from --target-mac (the script reads it from the stack's log) or, without
 * it, from the gratuitous ARP.
 *
 * Every wait polls rte_eth_rx_burst() against a deadline. Any frame that is
 * not the one expected is a failure. Exits 0 only if every check passed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dtcp_test.h"

#define FRAME_MAX     1514
#define ETH_LEN	      14
#define ARP_FRAME_LEN (ETH_LEN + 28)
#define ARP_PAD_LEN   60 /* a minimum-size Ethernet frame without FCS */
#define IP_LEN	      20
#define ICMP_HDR_LEN  8
#define ICMP_MAX_DATA (FRAME_MAX - ETH_LEN - IP_LEN - ICMP_HDR_LEN) /* 1472 */

#define GARP_WAIT_MS  5000
#define REPLY_WAIT_MS 2000
#define LINK_WAIT_MS  5000
#define QUIET_MS      200 /* after the last reply: nothing else may arrive */
/* Consecutive missing replies after which the echo phase gives up. */
#define MAX_TIMEOUTS_IN_A_ROW 3

#define NB_MBUFS 2047
#define NB_DESC	 256

struct frame {
	uint8_t b[FRAME_MAX + 64];
	size_t len;
};

struct opts {
	uint32_t peer_ip;   /* network order */
	uint32_t target_ip; /* network order */
	unsigned int count;
	uint64_t seed;
	bool have_target_mac;
	struct rte_ether_addr target_mac;
};

struct peer {
	uint16_t port_id;
	struct rte_mempool *pool;
	struct rte_ether_addr mac;	 /* ours */
	struct rte_ether_addr stack_mac; /* the stack's, once known */
	bool stack_mac_known;
	unsigned int unexpected; /* frames that matched nothing */
	unsigned int steps_ok, steps_failed;
};

/* ---- byte helpers, independent of libdtcp --------------------------------------------- */

static void
put8(uint8_t *p, size_t *off, uint8_t v)
{
	p[(*off)++] = v;
}

static void
put16(uint8_t *p, size_t *off, uint16_t v)
{
	p[(*off)++] = (uint8_t)(v >> 8);
	p[(*off)++] = (uint8_t)v;
}

/* @p be is already in network order: copied as is. */
static void
put_ip(uint8_t *p, size_t *off, uint32_t be)
{
	memcpy(p + *off, &be, 4);
	*off += 4;
}

static void
put_mac(uint8_t *p, size_t *off, const struct rte_ether_addr *mac)
{
	memcpy(p + *off, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	*off += RTE_ETHER_ADDR_LEN;
}

static void
put_bcast(uint8_t *p, size_t *off)
{
	memset(p + *off, 0xff, RTE_ETHER_ADDR_LEN);
	*off += RTE_ETHER_ADDR_LEN;
}

static void
put_zero(uint8_t *p, size_t *off, size_t n)
{
	memset(p + *off, 0, n);
	*off += n;
}

/* RFC 1071: one's complement sum of 16-bit big-endian words, odd byte padded with zero. */
static uint16_t
inet_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum to store: complement of the sum with the field itself zero. */
static uint16_t
inet_cksum(const uint8_t *p, size_t len)
{
	return (uint16_t)~inet_sum(p, len);
}

static void
store16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void
hexdump(const char *what, const uint8_t *p, size_t len)
{
	fprintf(stderr, "  %s (%zu bytes):", what, len);
	for (size_t i = 0; i < len && i < 128; i++)
		fprintf(stderr, "%s%02x", i % 16 == 0 ? "\n    " : " ", p[i]);
	fprintf(stderr, "%s\n", len > 128 ? "\n    ..." : "");
}

static const char *
ip_str(uint32_t be, char *buf)
{
	struct in_addr a = {.s_addr = be};

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- port I/O ----------------------------------------------------------------------- */

static uint64_t
deadline_after_ms(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

/*
 * Receive one frame, polling until @p deadline (TSC). Copies it into @p f
 * (truncated to the buffer, f->len is the real length). Returns false on
 * timeout.
 */
static bool
recv_frame(struct peer *p, struct frame *f, uint64_t deadline)
{
	static struct rte_mbuf *held[32];
	static uint16_t nb_held, next_held;
	struct rte_mbuf *m;
	const void *d;
	uint32_t n;

	/* Checked first too, so that a stream of unwanted frames cannot extend a wait. */
	if (rte_get_timer_cycles() > deadline)
		return false;
	while (next_held == nb_held) {
		next_held = 0;
		nb_held = rte_eth_rx_burst(p->port_id, 0, held, RTE_DIM(held));
		if (nb_held == 0 && rte_get_timer_cycles() > deadline)
			return false;
	}
	m = held[next_held++];
	f->len = m->pkt_len;
	n = RTE_MIN(m->pkt_len, sizeof(f->b));
	/* Points into the mbuf when the bytes are contiguous, else copies them to f->b. */
	d = rte_pktmbuf_read(m, 0, n, f->b);
	if (d != NULL && d != f->b)
		memcpy(f->b, d, n);
	rte_pktmbuf_free(m);
	return true;
}

static bool
send_frame(struct peer *p, const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(p->pool);
	char *d;

	if (m == NULL) {
		fprintf(stderr, "vhost_peer: mbuf pool empty\n");
		return false;
	}
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return false;
	}
	memcpy(d, b, len);
	/* The TX ring may be momentarily full of frames the backend has not taken yet. */
	for (uint64_t end = deadline_after_ms(REPLY_WAIT_MS); rte_get_timer_cycles() < end;)
		if (rte_eth_tx_burst(p->port_id, 0, &m, 1) == 1)
			return true;
	fprintf(stderr, "vhost_peer: TX refused the frame for %u ms\n", REPLY_WAIT_MS);
	rte_pktmbuf_free(m);
	return false;
}

static void
report_unexpected(struct peer *p, const char *during, const struct frame *f)
{
	p->unexpected++;
	dtcp_test_failures++;
	fprintf(stderr, "vhost_peer: unexpected frame while waiting for %s\n", during);
	hexdump("got", f->b, f->len);
}

/* Compare a received frame with the expected one: length, then every byte. */
static void
check_frame(const char *what, const struct frame *got, const uint8_t *want, size_t want_len)
{
	unsigned int before = dtcp_test_failures;

	CHECK_EQ(got->len, want_len);
	CHECK_BYTES(got->b, want, RTE_MIN(got->len, want_len));
	if (dtcp_test_failures != before) {
		fprintf(stderr, "vhost_peer: %s differs from the expected frame\n", what);
		hexdump("got", got->b, got->len);
		hexdump("want", want, want_len);
	}
}

static void
step_done(struct peer *p, unsigned int failures_before)
{
	if (dtcp_test_failures == failures_before)
		p->steps_ok++;
	else
		p->steps_failed++;
}

/* ---- (a) gratuitous ARP ----------------------------------------------------------------- */

/* RFC 826 over Ethernet: htype 1, ptype 0x0800, hlen 6, plen 4. */
static void
put_arp_fixed(uint8_t *b, size_t *off, uint16_t op)
{
	put16(b, off, 1);
	put16(b, off, RTE_ETHER_TYPE_IPV4);
	put8(b, off, RTE_ETHER_ADDR_LEN);
	put8(b, off, 4);
	put16(b, off, op);
}

static bool
is_arp(const struct frame *f)
{
	return f->len >= ETH_LEN && f->b[12] == 0x08 && f->b[13] == 0x06;
}

static void
step_garp(struct peer *p, const struct opts *o)
{
	unsigned int before = dtcp_test_failures;
	uint64_t deadline = deadline_after_ms(GARP_WAIT_MS);
	uint8_t want[ARP_FRAME_LEN];
	struct frame f;
	size_t off = 0;

	printf("vhost_peer: (a) waiting up to %u ms for the stack's gratuitous ARP\n",
	       GARP_WAIT_MS);
	for (;;) {
		if (!recv_frame(p, &f, deadline)) {
			fprintf(stderr, "vhost_peer: FAIL: no gratuitous ARP within %u ms\n",
				GARP_WAIT_MS);
			dtcp_test_failures++;
			step_done(p, before);
			return;
		}
		if (is_arp(&f))
			break;
		report_unexpected(p, "the gratuitous ARP", &f);
	}
	if (!p->stack_mac_known) {
		/* Learn the stack's MAC from the Ethernet source; the byte check below then
		 * requires the ARP sender address to be the same. */
		memcpy(p->stack_mac.addr_bytes, f.b + 6, RTE_ETHER_ADDR_LEN);
		p->stack_mac_known = true;
		CHECK(rte_is_unicast_ether_addr(&p->stack_mac));
		CHECK(!rte_is_zero_ether_addr(&p->stack_mac));
	}
	/* RFC 5227 section 3: an ARP request, sender and target protocol address both ours,
	 * target hardware address zero, broadcast. */
	put_bcast(want, &off);
	put_mac(want, &off, &p->stack_mac);
	put16(want, &off, RTE_ETHER_TYPE_ARP);
	put_arp_fixed(want, &off, 1);
	put_mac(want, &off, &p->stack_mac);
	put_ip(want, &off, o->target_ip);
	put_zero(want, &off, RTE_ETHER_ADDR_LEN);
	put_ip(want, &off, o->target_ip);
	CHECK_EQ(off, ARP_FRAME_LEN);
	check_frame("gratuitous ARP", &f, want, off);
	printf("vhost_peer: (a) gratuitous ARP from " RTE_ETHER_ADDR_PRT_FMT ": %s\n",
	       RTE_ETHER_ADDR_BYTES(&p->stack_mac), dtcp_test_failures == before ? "ok" : "FAIL");
	step_done(p, before);
}

/* ---- (b) ARP request / reply ------------------------------------------------------------ */

static void
step_arp(struct peer *p, const struct opts *o)
{
	unsigned int before = dtcp_test_failures;
	uint8_t req[ARP_PAD_LEN], want[ARP_FRAME_LEN];
	struct frame f;
	size_t off = 0;
	uint64_t deadline;

	/* A minimum-size request as a real NIC sends it: 42 bytes padded to 60 with junk the
	 * stack must not echo (the reply is exactly 42 bytes). */
	put_bcast(req, &off);
	put_mac(req, &off, &p->mac);
	put16(req, &off, RTE_ETHER_TYPE_ARP);
	put_arp_fixed(req, &off, 1);
	put_mac(req, &off, &p->mac);
	put_ip(req, &off, o->peer_ip);
	put_zero(req, &off, RTE_ETHER_ADDR_LEN);
	put_ip(req, &off, o->target_ip);
	memset(req + off, 0xa5, sizeof(req) - off);

	printf("vhost_peer: (b) ARP request for the stack's address\n");
	if (!send_frame(p, req, sizeof(req))) {
		dtcp_test_failures++;
		step_done(p, before);
		return;
	}
	deadline = deadline_after_ms(REPLY_WAIT_MS);
	for (;;) {
		if (!recv_frame(p, &f, deadline)) {
			fprintf(stderr, "vhost_peer: FAIL: no ARP reply within %u ms\n",
				REPLY_WAIT_MS);
			dtcp_test_failures++;
			step_done(p, before);
			return;
		}
		/* op (bytes 20-21) == 2 */
		if (is_arp(&f) && f.len >= 22 && f.b[20] == 0 && f.b[21] == 2)
			break;
		report_unexpected(p, "the ARP reply", &f);
	}
	off = 0;
	put_mac(want, &off, &p->mac);
	put_mac(want, &off, &p->stack_mac);
	put16(want, &off, RTE_ETHER_TYPE_ARP);
	put_arp_fixed(want, &off, 2);
	put_mac(want, &off, &p->stack_mac);
	put_ip(want, &off, o->target_ip);
	put_mac(want, &off, &p->mac);
	put_ip(want, &off, o->peer_ip);
	CHECK_EQ(off, ARP_FRAME_LEN);
	check_frame("ARP reply", &f, want, off);
	printf("vhost_peer: (b) ARP reply: %s\n", dtcp_test_failures == before ? "ok" : "FAIL");
	step_done(p, before);
}

/* ---- (c) ICMP echo ---------------------------------------------------------------------- */

struct echo {
	uint16_t ident, seq;
	uint16_t ip_id; /* of the request */
	bool df;	/* of the request */
	uint8_t ttl;	/* of the request */
	size_t len;	/* bytes of data after the ICMP header */
	uint8_t data[ICMP_MAX_DATA];
};

/*
 * Ethernet + IPv4 + ICMP echo header + data. @p ip_* are the IPv4 fields that
 * differ between a request and its reply.
 */
static size_t
build_echo(uint8_t *b, const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	   uint32_t ip_src, uint32_t ip_dst, uint16_t ip_id, uint16_t ip_frag, uint8_t ttl,
	   uint8_t icmp_type, const struct echo *e)
{
	size_t off = 0, ip_off, icmp_off;

	put_mac(b, &off, dst);
	put_mac(b, &off, src);
	put16(b, &off, RTE_ETHER_TYPE_IPV4);

	ip_off = off;
	put8(b, &off, 0x45); /* version 4, IHL 5 */
	put8(b, &off, 0);    /* TOS */
	put16(b, &off, (uint16_t)(IP_LEN + ICMP_HDR_LEN + e->len));
	put16(b, &off, ip_id);
	put16(b, &off, ip_frag);
	put8(b, &off, ttl);
	put8(b, &off, IPPROTO_ICMP);
	put16(b, &off, 0); /* header checksum, below */
	put_ip(b, &off, ip_src);
	put_ip(b, &off, ip_dst);
	store16(b + ip_off + 10, inet_cksum(b + ip_off, IP_LEN));

	icmp_off = off;
	put8(b, &off, icmp_type);
	put8(b, &off, 0); /* code */
	put16(b, &off, 0);
	put16(b, &off, e->ident);
	put16(b, &off, e->seq);
	memcpy(b + off, e->data, e->len);
	off += e->len;
	store16(b + icmp_off + 2, inet_cksum(b + icmp_off, off - icmp_off));
	return off;
}

/*
 * Request i: sizes 0, 1, 56, 1472 first (empty, odd, ping's default, full MTU),
 * then one whose reply checksum is 0x0000, then random sizes; contents cycle
 * through zeros, ones, a counter and random bytes; IP ID, DF and TTL of the
 * request vary (the reply's are fixed: ID 0, DF, TTL 64).
 */
static void
make_echo(struct echo *e, unsigned int i, uint64_t *rng)
{
	static const size_t first_sizes[] = {0, 1, 56, ICMP_MAX_DATA};

	e->ident = (uint16_t)xorshift(rng);
	e->seq = (uint16_t)(i + 1);
	e->ip_id = (uint16_t)xorshift(rng);
	e->df = (i & 1) != 0;
	e->ttl = (uint8_t)(1 + xorshift(rng) % 255);
	if (i < RTE_DIM(first_sizes))
		e->len = first_sizes[i];
	else if (i == RTE_DIM(first_sizes))
		e->len = 64;
	else
		e->len = (size_t)(xorshift(rng) % (ICMP_MAX_DATA + 1));
	for (size_t k = 0; k < e->len; k++) {
		switch (i % 4) {
		case 0:
			e->data[k] = 0;
			break;
		case 1:
			e->data[k] = 0xff;
			break;
		case 2:
			e->data[k] = (uint8_t)k;
			break;
		default:
			e->data[k] = (uint8_t)xorshift(rng);
		}
	}
	if (i == RTE_DIM(first_sizes)) {
		/* Choose the last data word so that the reply's ICMP sum is 0xffff: its
		 * checksum is then 0x0000, the one case where ~sum and a sloppy fold (or a
		 * "0 means none" special case) disagree. */
		uint32_t s;

		e->data[e->len - 2] = 0;
		e->data[e->len - 1] = 0;
		/* Header words: type/code 0, checksum 0, ident, seq. */
		s = (uint32_t)e->ident + e->seq + inet_sum(e->data, e->len);
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		store16(e->data + e->len - 2, (uint16_t)~s);
	}
}

static void
step_echo(struct peer *p, const struct opts *o, unsigned int i, const struct echo *e,
	  bool *timed_out)
{
	unsigned int before = dtcp_test_failures;
	static uint8_t req[FRAME_MAX], want[FRAME_MAX];
	size_t req_len, want_len;
	uint64_t deadline;
	struct frame f;

	*timed_out = false;
	req_len = build_echo(req, &p->stack_mac, &p->mac, o->peer_ip, o->target_ip, e->ip_id,
			     e->df ? 0x4000 : 0, e->ttl, 8, e);
	/* The reply, field by field: addresses swapped, ID 0, DF, TTL 64, type 0. */
	want_len = build_echo(want, &p->mac, &p->stack_mac, o->target_ip, o->peer_ip, 0, 0x4000, 64,
			      0, e);
	if (!send_frame(p, req, req_len)) {
		dtcp_test_failures++;
		step_done(p, before);
		return;
	}
	deadline = deadline_after_ms(REPLY_WAIT_MS);
	for (;;) {
		if (!recv_frame(p, &f, deadline)) {
			fprintf(stderr,
				"vhost_peer: FAIL: echo %u (id 0x%04x seq %u, %zu data bytes): no "
				"reply within %u ms\n",
				i, e->ident, e->seq, e->len, REPLY_WAIT_MS);
			dtcp_test_failures++;
			*timed_out = true;
			step_done(p, before);
			return;
		}
		/* An IPv4 ICMP echo reply with our id/seq is the answer; anything else is not. */
		if (f.len >= ETH_LEN + IP_LEN + ICMP_HDR_LEN && f.b[12] == 0x08 && f.b[13] == 0 &&
		    f.b[ETH_LEN + 9] == IPPROTO_ICMP && f.b[ETH_LEN + IP_LEN] == 0 &&
		    memcmp(f.b + ETH_LEN + IP_LEN + 4, want + ETH_LEN + IP_LEN + 4, 4) == 0)
			break;
		report_unexpected(p, "an echo reply", &f);
	}
	/* Independent of the expected bytes: the received checksums verify. */
	if (f.len == want_len) {
		CHECK_EQ(inet_sum(f.b + ETH_LEN, IP_LEN), 0xffff);
		CHECK_EQ(inet_sum(f.b + ETH_LEN + IP_LEN, f.len - ETH_LEN - IP_LEN), 0xffff);
	}
	check_frame("echo reply", &f, want, want_len);
	if (dtcp_test_failures != before)
		fprintf(stderr, "vhost_peer: echo %u (id 0x%04x seq %u, %zu data bytes) FAILED\n",
			i, e->ident, e->seq, e->len);
	step_done(p, before);
}

static void
step_quiet(struct peer *p)
{
	unsigned int before = dtcp_test_failures;
	uint64_t deadline = deadline_after_ms(QUIET_MS);
	struct frame f;

	/* A bounded check, not a synchronisation: duplicates or stray frames would show here. */
	while (recv_frame(p, &f, deadline))
		report_unexpected(p, "nothing (after the last reply)", &f);
	step_done(p, before);
}

/* ---- setup ------------------------------------------------------------------------------ */

static void
print_offloads(const char *dir, uint64_t capa, const char *(*name)(uint64_t))
{
	printf("vhost_peer: virtio_user %s offload capa 0x%" PRIx64 ":", dir, capa);
	if (capa == 0)
		printf(" none");
	for (uint64_t bit = 1; bit != 0; bit <<= 1)
		if (capa & bit)
			printf(" %s", name(bit));
	printf("\n");
}

static int
port_up(struct peer *p)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	uint16_t nb_rxd = NB_DESC, nb_txd = NB_DESC;
	uint64_t deadline;
	int rc;

	if (rte_eth_dev_count_avail() != 1) {
		fprintf(stderr,
			"vhost_peer: need exactly one port (--vdev virtio_user0,...), have %u\n",
			rte_eth_dev_count_avail());
		return -1;
	}
	p->port_id = (uint16_t)rte_eth_find_next(0);
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0) {
		fprintf(stderr, "vhost_peer: dev_info: %s\n", rte_strerror(-rc));
		return -1;
	}
	/* What the PMD offers after feature negotiation with the vhost backend. We request no
	 * offload: the point is to see the stack's own bytes, checksums included. */
	printf("vhost_peer: port %u driver %s, max rx pktlen %u, MTU range [%u, %u]\n", p->port_id,
	       info.driver_name, info.max_rx_pktlen, info.min_mtu, info.max_mtu);
	print_offloads("rx", info.rx_offload_capa, rte_eth_dev_rx_offload_name);
	print_offloads("tx", info.tx_offload_capa, rte_eth_dev_tx_offload_name);
	printf("vhost_peer: virtio_user offloads requested: none\n");

	p->pool = rte_pktmbuf_pool_create("vhost_peer", NB_MBUFS, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (p->pool == NULL) {
		fprintf(stderr, "vhost_peer: mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(p->port_id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(p->port_id, 0, nb_rxd,
					    rte_eth_dev_socket_id(p->port_id), NULL, p->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(p->port_id, 0, nb_txd,
					    rte_eth_dev_socket_id(p->port_id), NULL);
	if (rc == 0)
		rc = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (rc == 0)
		rc = rte_eth_dev_start(p->port_id);
	if (rc != 0) {
		fprintf(stderr, "vhost_peer: port setup: %s\n", rte_strerror(-rc));
		return -1;
	}
	deadline = deadline_after_ms(LINK_WAIT_MS);
	do {
		rc = rte_eth_link_get_nowait(p->port_id, &link);
	} while ((rc != 0 || link.link_status != RTE_ETH_LINK_UP) &&
		 rte_get_timer_cycles() < deadline);
	CHECK(rc == 0 && link.link_status == RTE_ETH_LINK_UP);
	printf("vhost_peer: port %u up: " RTE_ETHER_ADDR_PRT_FMT ", link %s\n", p->port_id,
	       RTE_ETHER_ADDR_BYTES(&p->mac), link.link_status ? "up" : "DOWN");
	return 0;
}

static int
parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = a.s_addr;
	return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"peer-ip", required_argument, NULL, 'p'},
		{"target-ip", required_argument, NULL, 't'},
		{"target-mac", required_argument, NULL, 'm'},
		{"count", required_argument, NULL, 'c'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	bool have_peer = false, have_target = false;
	char *end;
	int opt;

	memset(o, 0, sizeof(*o));
	o->count = 100;
	o->seed = 0x7e57da7a5eedull;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			have_peer = parse_ip(optarg, &o->peer_ip) == 0;
			if (!have_peer)
				goto bad;
			break;
		case 't':
			have_target = parse_ip(optarg, &o->target_ip) == 0;
			if (!have_target)
				goto bad;
			break;
		case 'm':
			if (rte_ether_unformat_addr(optarg, &o->target_mac) != 0)
				goto bad;
			o->have_target_mac = true;
			break;
		case 'c':
			errno = 0;
			o->count = (unsigned int)strtoul(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || o->count == 0 || o->count > 100000)
				goto bad;
			break;
		case 's':
			errno = 0;
			o->seed = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0')
				goto bad;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || !have_peer || !have_target)
		goto usage;
	if (o->seed == 0)
		o->seed = 1; /* xorshift's one fixed point */
	return 0;
bad:
	fprintf(stderr, "vhost_peer: bad value '%s'\n", optarg);
usage:
	fprintf(stderr, "usage: vhost_peer [EAL options] -- --peer-ip A.B.C.D --target-ip A.B.C.D "
			"[--target-mac MAC] [--count N] [--seed S]\n");
	return -1;
}

int
main(int argc, char **argv)
{
	struct peer p;
	struct opts o;
	static struct echo e;
	char ip1[INET_ADDRSTRLEN], ip2[INET_ADDRSTRLEN];
	unsigned int timeouts = 0, echo_ok = 0, echo_done = 0;
	uint64_t rng;
	int n;

	/* Keep stdout and stderr in order when both go to one file. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "vhost_peer: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (parse_args(argc - n, argv + n, &o) != 0) {
		rte_eal_cleanup();
		return 1;
	}
	memset(&p, 0, sizeof(p));
	if (o.have_target_mac) {
		p.stack_mac = o.target_mac;
		p.stack_mac_known = true;
	}
	rng = o.seed;
	printf("vhost_peer: peer %s, target %s, %u echo requests, seed 0x%" PRIx64 "\n",
	       ip_str(o.peer_ip, ip1), ip_str(o.target_ip, ip2), o.count, o.seed);
	fflush(stdout);
	if (port_up(&p) != 0) {
		rte_eal_cleanup();
		return 1;
	}

	step_garp(&p, &o);
	if (p.stack_mac_known) {
		step_arp(&p, &o);
		printf("vhost_peer: (c) %u echo requests\n", o.count);
		for (unsigned int i = 0; i < o.count && timeouts < MAX_TIMEOUTS_IN_A_ROW; i++) {
			unsigned int before = dtcp_test_failures;
			bool timed_out;

			make_echo(&e, i, &rng);
			step_echo(&p, &o, i, &e, &timed_out);
			timeouts = timed_out ? timeouts + 1 : 0;
			echo_done++;
			echo_ok += dtcp_test_failures == before;
		}
		if (echo_done < o.count) {
			fprintf(stderr,
				"vhost_peer: FAIL: gave up after %u missing replies in a row\n",
				timeouts);
			dtcp_test_failures++;
			p.steps_failed += o.count - echo_done;
		}
		printf("vhost_peer: (c) echo replies byte-exact: %u of %u\n", echo_ok, o.count);
		step_quiet(&p);
	} else {
		fprintf(stderr, "vhost_peer: stack MAC unknown: ARP and echo steps not run\n");
		p.steps_failed += 2 + o.count;
	}

	rte_eth_dev_stop(p.port_id);
	rte_eth_dev_close(p.port_id);
	rte_eal_cleanup();

	printf("vhost_peer: unexpected frames: %u, failed checks: %u\n", p.unexpected,
	       dtcp_test_failures);
	printf("vhost_peer: %u passed, %u failed\n", p.steps_ok, p.steps_failed);
	return TEST_EXIT();
}
