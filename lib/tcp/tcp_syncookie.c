/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SYN-cookie fast path, packet side (the cookie itself is syncookie.c).
 *
 *   SYN to a listener, cookies wanted  -> tcp_syncookie_reply: the SYN's own
 *       mbuf becomes the SYN-ACK (MACs, addresses and ports swapped, header
 *       and options rewritten, checksums by offload or in software) and goes
 *       straight to the port's TX buffer: no allocation, no table entry, no
 *       timer, no ARP lookup (the reply goes back to the MAC it came from).
 *   ACK to a listener, cookies recent  -> tcp_syncookie_accept: a valid
 *       cookie makes the connection, which tcp_input.c puts in ESTABLISHED
 *       and feeds the same segment (so data on that ACK is kept); an invalid
 *       one is counted and reset, as RFC 9293 3.10.7.2 asks for any ACK that
 *       reaches a LISTEN socket.
 *
 * [tcp] syncookies decides when cookies are wanted (tcp_syncookie_wanted()
 * and tcp_input_listen()): always; or in auto mode once the SYN queue or
 * the connection table is full or the mbuf pool runs low, so a flood never
 * costs memory and a quiet listener keeps full SYN_RECEIVED state (SYN-ACK
 * retransmission, every option even without timestamps).
 */
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "net/eth.h"
#include "tcp/tcp.h"
#include "wire/eth.h"

/* auto: the pool is low below this fraction of its size, re-read at most every millisecond. */
#define POOL_LOW_DIVISOR 8
#define POOL_CHECK_US	 1000

static bool
tcp_pool_low(struct dtcp_lcore *lc)
{
	struct dtcp_tcp_lcore *t = &lc->tcp;

	/* rte_mempool_avail_count() walks every lcore cache: not once per SYN. */
	if (lc->now_us - t->pool_checked_us >= POOL_CHECK_US) {
		t->pool_checked_us = lc->now_us;
		t->pool_low = rte_mempool_avail_count(lc->pool) < lc->pool->size / POOL_LOW_DIVISOR;
	}
	return t->pool_low;
}

bool
tcp_syncookie_wanted(struct dtcp_lcore *lc)
{
	switch (lc->stack->cfg.tcp_syncookies) {
	case DTCP_SYNCOOKIE_ALWAYS:
		return true;
	case DTCP_SYNCOOKIE_AUTO:
		return tcp_pool_low(lc);
	default:
		return false;
	}
}

bool
tcp_syncookie_expected(struct dtcp_lcore *lc)
{
	switch (lc->stack->cfg.tcp_syncookies) {
	case DTCP_SYNCOOKIE_ALWAYS:
		return true;
	case DTCP_SYNCOOKIE_AUTO:
		/* No cookie out lately: an ACK here cannot be one, just reset it. */
		return dtcp_syncookie_recent(&lc->tcp.cookies, lc->now_us);
	default:
		return false;
	}
}

static uint16_t
tcp_port_mss(const struct dtcp_lcore *lc, unsigned int port_idx)
{
	return (uint16_t)(lc->ports[port_idx].port->caps.mtu - DTCP_IPV4_HDR_LEN -
			  DTCP_TCP_HDR_LEN);
}

/* The receive window of a connection before it exists: what a SYN-ACK advertises. */
static uint16_t
tcp_syn_window(const struct dtcp_lcore *lc)
{
	return (uint16_t)RTE_MIN(lc->stack->cfg.tcp_rcv_buf, (uint32_t)UINT16_MAX);
}

static struct dtcp_syncookie_flow
tcp_cookie_flow(const struct tcp_seg *s, uint32_t peer_isn)
{
	return (struct dtcp_syncookie_flow){
		.local_addr = s->key.local_addr,
		.remote_addr = s->key.remote_addr,
		.local_port = s->key.local_port,
		.remote_port = s->key.remote_port,
		.peer_isn = peer_isn,
	};
}

/*
 * The mbuf to write the SYN-ACK into: the SYN's own when we may write it
 * (the usual case), else a fresh one. NULL (SYN dropped) if neither works.
 */
static struct rte_mbuf *
tcp_cookie_mbuf(struct dtcp_lcore *lc, struct rte_mbuf *m, uint16_t frame_len)
{
	uint16_t frame_off = (uint16_t)(m->data_off - DTCP_IPV4_HDR_LEN - RTE_ETHER_HDR_LEN);
	struct rte_mbuf *n;

	/* IPv4 input refuses options, so the frame starts 34 bytes before the TCP header. */
	if (likely(RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 && m->nb_segs == 1 &&
		   m->data_off >= DTCP_IPV4_HDR_LEN + RTE_ETHER_HDR_LEN &&
		   (uint32_t)m->buf_len - frame_off >= frame_len)) {
		m->data_off = frame_off;
		m->data_len = frame_len;
		m->pkt_len = frame_len;
		return m;
	}
	rte_pktmbuf_free(m);
	n = rte_pktmbuf_alloc(lc->pool);
	if (n == NULL || rte_pktmbuf_append(n, frame_len) == NULL) {
		rte_pktmbuf_free(n);
		dtcp_count(lc, DTCP_CTR_DROP_NO_MBUF);
		return NULL;
	}
	return n;
}

void
tcp_syncookie_reply(struct dtcp_lcore *lc, struct tcp_seg *s)
{
	const struct dtcp_port *port = lc->ports[s->port_idx].port;
	const struct dtcp_port_caps *caps = &port->caps;
	const struct dtcp_tcp_repr *in = &s->th;
	struct dtcp_syncookie_flow flow = tcp_cookie_flow(s, in->seq);
	uint16_t peer_mss = in->has_mss ? in->mss : 536; /* RFC 9293 3.7.1 */
	struct dtcp_tcp_repr th = {
		.src_port = in->dst_port,
		.dst_port = in->src_port,
		.ack = in->seq + 1,
		.flags = DTCP_TCP_SYN | DTCP_TCP_ACK,
		.window = tcp_syn_window(lc),
		.has_mss = true,
		.mss = tcp_port_mss(lc, s->port_idx),
	};
	struct dtcp_ipv4_repr ip = {
		.src = s->key.local_addr,
		.dst = s->key.remote_addr,
		.proto = IPPROTO_TCP,
		.ttl = DTCP_IPV4_TTL,
		.dont_fragment = true,
	};
	struct dtcp_eth_repr eth = {.src = port->mac, .ethertype = RTE_ETHER_TYPE_IPV4};
	const uint8_t *frame_in = rte_pktmbuf_mtod_offset(
		s->m, const uint8_t *, -(int)(s->ip.hdr_len + RTE_ETHER_HDR_LEN));
	uint16_t tcp_len, frame_len;
	uint32_t ts_offset;
	struct rte_mbuf *m;
	uint8_t *frame;

	th.seq = dtcp_syncookie_make(&lc->tcp.cookies, lc->now_us, &flow,
				     dtcp_syncookie_mss_index(peer_mss), &ts_offset);
	/* Without timestamps nothing but the MSS survives the cookie: offer nothing else. */
	if (in->has_ts) {
		struct dtcp_syncookie_opts opts = {
			.wscale_ok = in->has_wscale,
			.wscale = in->wscale,
			.sack_ok = in->sack_permitted,
		};
		th.has_ts = true;
		th.ts_val = dtcp_syncookie_ts_encode(tcp_now_ts(lc, ts_offset), &opts);
		th.ts_ecr = in->ts_val;
		th.has_wscale = in->has_wscale;
		th.wscale = tcp_choose_wscale(lc->stack->cfg.tcp_rcv_buf);
		th.sack_permitted = in->sack_permitted;
	}
	/* The Ethernet header is still in front of the IP header we parsed. */
	rte_ether_addr_copy(&((const struct rte_ether_hdr *)frame_in)->src_addr, &eth.dst);

	tcp_len = (uint16_t)(DTCP_TCP_HDR_LEN + dtcp_tcp_options_len(&th));
	ip.payload_len = tcp_len;
	frame_len = (uint16_t)(RTE_ETHER_HDR_LEN + DTCP_IPV4_HDR_LEN + tcp_len);
	m = tcp_cookie_mbuf(lc, s->m, frame_len);
	if (m == NULL)
		return;
	frame = rte_pktmbuf_mtod(m, uint8_t *);
	dtcp_eth_emit(&eth, frame);
	dtcp_ipv4_emit(&ip, frame + RTE_ETHER_HDR_LEN, !caps->tx_ipv4_cksum);
	dtcp_tcp_emit(&th, frame + RTE_ETHER_HDR_LEN + DTCP_IPV4_HDR_LEN, tcp_len, ip.src, ip.dst,
		      caps->tx_tcp_cksum ? DTCP_TCP_CKSUM_PHDR : DTCP_TCP_CKSUM_FULL);

	/* What RX left in the mbuf (checksum status, RSS hash) means nothing on TX. */
	m->ol_flags &= RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4;
	if (caps->tx_ipv4_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	if (caps->tx_tcp_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = DTCP_IPV4_HDR_LEN;
	m->l4_len = tcp_len;
	dtcp_count(lc, DTCP_CTR_TCP_SYNCOOKIES_SENT);
	dtcp_count(lc, DTCP_CTR_TCP_TX_SEGMENTS);
	dtcp_count(lc, DTCP_CTR_IPV4_TX);
	dtcp_eth_tx(lc, s->port_idx, m);
}

struct dtcp_conn *
tcp_syncookie_accept(struct dtcp_listener *l, struct tcp_seg *s)
{
	struct dtcp_lcore *lc = l->lc;
	const struct dtcp_tcp_repr *th = &s->th;
	struct dtcp_syncookie_flow flow = tcp_cookie_flow(s, th->seq - 1);
	struct dtcp_syncookie_opts opts = {0};
	uint32_t cookie = th->ack - 1, ts_offset = 0;
	struct dtcp_conn *c;
	uint8_t mss_index = 0;

	switch (dtcp_syncookie_check(&lc->tcp.cookies, lc->now_us, &flow, cookie, &mss_index,
				     &ts_offset)) {
	case DTCP_SYNCOOKIE_VALID:
		break;
	case DTCP_SYNCOOKIE_STALE:
		dtcp_count(lc, DTCP_CTR_TCP_SYNCOOKIES_REJECTED_STALE);
		tcp_reply_rst(lc, s);
		return NULL;
	default:
		dtcp_count(lc, DTCP_CTR_TCP_SYNCOOKIES_REJECTED_MAC);
		tcp_reply_rst(lc, s);
		return NULL;
	}
	if (th->has_ts && !dtcp_syncookie_ts_decode(th->ts_ecr, &opts)) {
		dtcp_count(lc, DTCP_CTR_TCP_SYNCOOKIES_REJECTED_MAC);
		tcp_reply_rst(lc, s);
		return NULL;
	}
	dtcp_count(lc, DTCP_CTR_TCP_SYNCOOKIES_VALIDATED);
	/*
	 * No room: drop in silence. The peer believes it is connected; its
	 * first data segment (or this one again) carries the same cookie and
	 * gets another chance, as with a SYN_RECEIVED entry's lost ACK.
	 */
	if (l->nb_accept >= l->backlog) {
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_ACCEPT_FULL);
		return NULL;
	}
	c = tcp_conn_create(lc, &s->key, s->port_idx);
	if (c == NULL) {
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_TABLE_FULL);
		return NULL;
	}
	/* No application handle until dtcp_accept(); the listener answers for it. */
	c->flags |= TCPF_RELEASED | TCPF_COOKIE;
	c->listener = l;
	c->irs = flow.peer_isn;
	c->rcv_nxt = th->seq;
	c->rcv_adv = c->rcv_nxt + tcp_syn_window(lc);
	c->iss = cookie;
	c->snd_una = c->snd_nxt = c->snd_max = cookie + 1;
	c->ts_offset = ts_offset;
	c->snd_mss = RTE_MIN(dtcp_syncookie_mss(mss_index), tcp_port_mss(lc, s->port_idx));
	if (th->has_ts) {
		c->flags |= TCPF_TS_OK;
		c->ts_recent = th->ts_val;
		c->snd_mss -= 12; /* NOP NOP TS in every segment */
		if (opts.wscale_ok) {
			c->flags |= TCPF_WSCALE_OK;
			c->snd_wscale = opts.wscale;
			c->rcv_wscale = tcp_choose_wscale(c->rcv_buf);
		}
		if (opts.sack_ok)
			c->flags |= TCPF_SACK_OK;
	}
	c->snd_wnd = c->max_snd_wnd = (uint32_t)th->window << c->snd_wscale;
	c->snd_wl1 = th->seq;
	c->snd_wl2 = th->ack;
	c->open_us = c->last_rx_us = lc->now_us;
	return c;
}
