/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input, RFC 9293 section 3.10.7 ("SEGMENT ARRIVES"), with RFC 5961's
 * protections against blind RST/SYN/data injection and RFC 7323's PAWS.
 *
 * Call chain:
 *   dtcp_ipv4_input -> dtcp_tcp_stage          tcp_steer: another lcore's flow goes to it
 *                      -> tcp_stage              parse + checksum, queue in the burst
 *   dtcp_lcore_poll -> dtcp_tcp_drain_steered  segments other lcores steered to us -> tcp_stage
 *   dtcp_lcore_poll -> dtcp_tcp_input_burst    one rte_hash_lookup_bulk for the burst
 *     -> tcp_input_conn -> tcp_input_syn_sent            SYN_SENT
 *                       -> tcp_input_sync                every other state:
 *                            tcp_check_seq, RST, SYN, tcp_input_ack, tcp_input_data, FIN
 *                            tcp_input_data -> tcp_rcvq_append / tcp_reass_* (tcp_reass.c)
 *     -> tcp_input_tw                                   TIME_WAIT entry (may reopen)
 *     -> tcp_input_listen                               LISTEN: new SYN_RECEIVED conn,
 *        -> tcp_syncookie_reply / _accept               or a SYN cookie (tcp_syncookie.c)
 *     -> tcp_reply_rst                                  nobody: RST (3.10.7.1)
 *     -> tcp_flush_acks                                 one ACK per connection per burst
 *
 * Every segment ends up either consumed (its payload queued for the
 * application, or fully processed) or dropped with exactly one drop_tcp_*
 * counter.
 */
#include <errno.h>
#include <string.h>

#include <rte_random.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "net/ipv4.h"
#include "net/mbuf_chain.h"
#include "steer/steer.h"
#include "tcp/isn.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

static void tcp_established(struct dtcp_conn *c, bool active);
static void tcp_input_sync(struct dtcp_conn *c, struct tcp_seg *s);

/* Sequence space a segment occupies: payload, plus one each for SYN and FIN. */
static inline uint32_t
seg_len(const struct dtcp_tcp_repr *th)
{
	return th->payload_len + !!(th->flags & DTCP_TCP_SYN) + !!(th->flags & DTCP_TCP_FIN);
}

static enum dtcp_counter
tcp_parse_drop_reason(enum dtcp_wire_status st)
{
	switch (st) {
	case DTCP_WIRE_BAD_HDR_LEN:
		return DTCP_CTR_DROP_TCP_BAD_HDR_LEN;
	case DTCP_WIRE_BAD_CHECKSUM:
		return DTCP_CTR_DROP_TCP_BAD_CHECKSUM;
	case DTCP_WIRE_BAD_OPTION:
		return DTCP_CTR_DROP_TCP_BAD_OPTION;
	default:
		return DTCP_CTR_DROP_TCP_TRUNCATED;
	}
}

/*
 * A segment in a chain of mbufs: a large frame, from a peer whose TSO no one
 * cut (vhost-user) or from LRO. The header must be in the first segment (it
 * always is: PMDs fill the first buffer before the next); the payload runs
 * on through the chain and stays there. tcp_input_data() queues the chain as
 * it is when it is in order, and reassembly takes it apart into one piece
 * per mbuf, each with its own sequence number, so that neither queue ever
 * copies. DTCP_WIRE_UNSUPPORTED: the header is split across mbufs.
 */
static enum dtcp_wire_status
tcp_stage_chain(const struct rte_mbuf *m, const struct dtcp_ipv4_repr *ip, bool verify,
		struct dtcp_tcp_repr *th)
{
	const struct rte_tcp_hdr *h = rte_pktmbuf_mtod(m, const struct rte_tcp_hdr *);
	enum dtcp_wire_status st;

	if (m->data_len < DTCP_TCP_HDR_LEN || (size_t)(h->data_off >> 4) * 4 > m->data_len)
		return DTCP_WIRE_UNSUPPORTED;
	/* The parser reads the header only when it does not verify. */
	st = dtcp_tcp_parse(h, m->pkt_len, ip->src, ip->dst, false, th);
	if (st == DTCP_WIRE_OK && verify) {
		uint32_t sum = (uint32_t)dtcp_cksum_fold(dtcp_tcp_phdr_add(
				       ip->src, ip->dst, (uint16_t)m->pkt_len, 0)) +
			       dtcp_mbuf_chain_sum(m);

		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		if (sum != 0xffff)
			st = DTCP_WIRE_BAD_CHECKSUM;
	}
	th->payload = NULL; /* not contiguous: nothing may read it through this */
	return st;
}

static void
tcp_stage(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
	  const struct dtcp_ipv4_repr *ip, bool steered)
{
	struct dtcp_tcp_lcore *t = &lc->tcp;
	struct tcp_seg *s = &t->burst[t->nb_burst];
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	enum dtcp_wire_status st;

	/*
	 * As for IPv4: trust the PMD's verdict, verify ourselves when it has
	 * none. RX_L4_CKSUM_NONE (vhost-user's mark for a peer's TSO frame or
	 * checksum-offloaded segment) says the data is intact though the field
	 * is not a full checksum: verifying it would fail, so it is not.
	 */
	if (unlikely(l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_TCP_BAD_CHECKSUM);
		return;
	}
	if (likely(m->nb_segs == 1)) {
		st = dtcp_tcp_parse(rte_pktmbuf_mtod(m, void *), m->data_len, ip->src, ip->dst,
				    l4 == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, &s->th);
	} else {
		st = tcp_stage_chain(m, ip, l4 == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, &s->th);
		if (unlikely(st == DTCP_WIRE_UNSUPPORTED)) {
			dtcp_drop(lc, m, DTCP_CTR_DROP_RX_MULTISEG);
			return;
		}
		if (st == DTCP_WIRE_OK)
			dtcp_count(lc, DTCP_CTR_TCP_RX_LARGE_FRAMES);
	}
	if (unlikely(st != DTCP_WIRE_OK)) {
		dtcp_drop(lc, m, tcp_parse_drop_reason(st));
		return;
	}
	s->m = m;
	s->port_idx = port_idx;
	s->steered = steered;
	s->ip = *ip;
	s->key.local_addr = ip->dst;
	s->key.remote_addr = ip->src;
	s->key.local_port = rte_cpu_to_be_16(s->th.dst_port);
	s->key.remote_port = rte_cpu_to_be_16(s->th.src_port);
	dtcp_count(lc, DTCP_CTR_TCP_RX_SEGMENTS);
	if (++t->nb_burst == lc->burst_size)
		dtcp_tcp_input_burst(lc);
}

/*
 * Every segment goes to the lcore owning its flow (steer/steer.h), before
 * any table is looked at, so a flow's state lives on its owner only, for
 * passive and active opens alike. A segment another lcore owns goes, IP
 * header restored and nothing parsed past the ports, to the owner's steer
 * ring; the owner checks and processes it (dtcp_tcp_drain_steered()).
 * Returns false when the segment is ours: always with one lcore, and after a
 * single table lookup when trusted hardware RSS delivered it here.
 */
static bool
tcp_steer(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
	  const struct dtcp_ipv4_repr *ip)
{
	const uint16_t *ports = rte_pktmbuf_mtod(m, const uint16_t *);
	unsigned int owner;

	if (unlikely(m->data_len < 4))
		return false; /* truncated: dropped here as such */
	owner = dtcp_steer_rx_owner(&lc->stack->steer, port_idx, m, ip->src, ip->dst, ports[0],
				    ports[1]);
	if (likely(owner == lc->index))
		return false;
	rte_pktmbuf_prepend(m, ip->hdr_len); /* still in the buffer, just before */
	m->port = (uint16_t)port_idx;
	if (unlikely(rte_ring_sp_enqueue(lc->steer_out[owner], m) != 0)) {
		dtcp_drop(lc, m, DTCP_CTR_DROP_STEER_FULL);
		return true;
	}
	dtcp_count(lc, DTCP_CTR_TCP_STEERED_OUT);
	return true;
}

void
dtcp_tcp_stage(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
	       const struct dtcp_ipv4_repr *ip)
{
	if (lc->nb_peers != 0 && tcp_steer(lc, port_idx, m, ip))
		return;
	tcp_stage(lc, port_idx, m, ip, false);
}

/*
 * Segments other lcores received for our flows, in the order they sent them.
 * Their IP headers were checked there: parse again without the checksum,
 * strip, and stage as if received here (not counted again as ipv4_rx).
 */
void
dtcp_tcp_drain_steered(struct dtcp_lcore *lc)
{
	struct rte_mbuf *pkts[DTCP_MAX_BURST];

	for (unsigned int from = 0; from < lc->stack->nb_lcores; from++) {
		unsigned int n;

		if (lc->steer_in[from] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(lc->steer_in[from], (void **)pkts, lc->burst_size,
					      NULL);
		for (unsigned int i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			struct dtcp_ipv4_repr ip;

			dtcp_count(lc, DTCP_CTR_TCP_STEERED_IN);
			if (unlikely(dtcp_ipv4_parse(rte_pktmbuf_mtod(m, void *), m->data_len,
						     false, &ip) != DTCP_WIRE_OK)) {
				dtcp_drop(lc, m, DTCP_CTR_DROP_TCP_TRUNCATED); /* cannot happen */
				continue;
			}
			rte_pktmbuf_adj(m, ip.hdr_len);
			tcp_stage(lc, m->port, m, &ip, true);
		}
		if (n > 0)
			dtcp_tcp_input_burst(lc);
	}
}

/*
 * A segment no connection or listener took. One that another lcore handed
 * over is also counted as such: packets of one flow that arrive on two
 * queues reach the owner by two paths, and the longer one (the other
 * lcore's queue, then its steer ring) can deliver a segment after the
 * connection is gone. The tun driver does this to the last ACK of every
 * handshake whose SYN it hashed to another queue than the owner's: that ACK
 * is sent while the kernel is still processing our SYN-ACK's write, before
 * tun learns the flow's queue from it, so it goes to the SYN's queue while
 * the segments after it come to ours.
 */
void
tcp_drop_no_conn(struct dtcp_lcore *lc, struct tcp_seg *s)
{
	if (s->steered)
		dtcp_count(lc, DTCP_CTR_TCP_STEERED_NO_CONN);
	dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_NO_CONN);
}

static void
tcp_challenge_ack(struct dtcp_conn *c)
{
	struct dtcp_tcp_lcore *t = &c->lc->tcp;

	/* RFC 5961 section 7: a per-lcore budget of challenge ACKs per second. */
	if (c->lc->now_us - t->challenge_window_us >= US_PER_S) {
		t->challenge_window_us = c->lc->now_us;
		t->challenge_acks = 0;
	}
	if (t->challenge_acks >= c->lc->stack->cfg.tcp_challenge_ack_limit) {
		dtcp_count(c->lc, DTCP_CTR_TCP_CHALLENGE_ACKS_LIMITED);
		return;
	}
	t->challenge_acks++;
	dtcp_count(c->lc, DTCP_CTR_TCP_TX_CHALLENGE_ACKS);
	tcp_send_ack(c);
}

/* Options from a SYN or SYN-ACK: keep what both sides offered. */
static void
tcp_negotiate(struct dtcp_conn *c, const struct dtcp_tcp_repr *th, bool passive)
{
	const struct dtcp_port *port = c->lc->ports[c->port_idx].port;
	uint16_t our_mss = (uint16_t)(port->caps.mtu - DTCP_IPV4_HDR_LEN - DTCP_TCP_HDR_LEN);
	/* RFC 9293 3.7.1: without the option the peer takes 536 bytes. */
	uint16_t peer_mss = th->has_mss ? th->mss : 536;
	uint16_t offered = passive ? (TCPF_WSCALE_OK | TCPF_SACK_OK | TCPF_TS_OK) : c->flags;

	c->flags &= ~(TCPF_WSCALE_OK | TCPF_SACK_OK | TCPF_TS_OK);
	if (th->has_wscale && (offered & TCPF_WSCALE_OK)) {
		c->flags |= TCPF_WSCALE_OK;
		c->snd_wscale = th->wscale;
	} else {
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (th->sack_permitted && (offered & TCPF_SACK_OK))
		c->flags |= TCPF_SACK_OK;
	if (th->has_ts && (offered & TCPF_TS_OK)) {
		c->flags |= TCPF_TS_OK;
		c->ts_recent = th->ts_val;
	}
	c->snd_mss = RTE_MIN(peer_mss, our_mss);
	if (c->flags & TCPF_TS_OK)
		c->snd_mss -= 12; /* NOP NOP TS in every segment */
	if (c->snd_mss == 0)
		c->snd_mss = 1;
}

static void
tcp_input_listen(struct dtcp_listener *l, struct tcp_seg *s, uint32_t iss, bool iss_given)
{
	struct dtcp_lcore *lc = l->lc;
	const struct dtcp_config *cfg = &lc->stack->cfg;
	const struct dtcp_tcp_repr *th = &s->th;
	struct dtcp_conn *c;
	bool cookies;

	if (th->flags & DTCP_TCP_RST) {
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_RST_NO_CONN);
		return;
	}
	if (th->flags & DTCP_TCP_ACK) {
		/* The third segment of a handshake we answered with a cookie? */
		if (!(th->flags & DTCP_TCP_SYN) && tcp_syncookie_expected(lc)) {
			c = tcp_syncookie_accept(l, s);
			if (c != NULL) {
				tcp_established(c, false);
				tcp_input_sync(c, s); /* data or FIN on that ACK */
			}
			return;
		}
		tcp_reply_rst(lc, s);
		return;
	}
	if (!(th->flags & DTCP_TCP_SYN)) {
		tcp_drop_no_conn(lc, s);
		return;
	}
	if (l->nb_accept >= l->backlog) {
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_ACCEPT_FULL);
		return;
	}
	/*
	 * A reopened TIME_WAIT tuple (iss_given) keeps full state: its ISS must
	 * clear the old incarnation's, which a cookie cannot promise.
	 */
	cookies = cfg->tcp_syncookies != DTCP_SYNCOOKIE_NEVER && !iss_given;
	if (cookies && tcp_syncookie_wanted(lc)) {
		tcp_syncookie_reply(lc, s);
		return;
	}
	if (l->nb_half_open >= cfg->tcp_syn_backlog) {
		dtcp_count(lc, DTCP_CTR_TCP_SYN_QUEUE_OVERFLOWS);
		if (cookies)
			tcp_syncookie_reply(lc, s);
		else
			dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_SYN_BACKLOG);
		return;
	}
	c = tcp_conn_create(lc, &s->key, s->port_idx);
	if (c == NULL) {
		if (cookies)
			tcp_syncookie_reply(lc, s);
		else
			dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_TABLE_FULL);
		return;
	}
	/* No application handle until dtcp_accept(); the listener answers for it. */
	c->flags |= TCPF_RELEASED;
	c->listener = l;
	l->nb_half_open++;
	c->irs = th->seq;
	c->rcv_nxt = th->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->rcv_wscale = tcp_choose_wscale(c->rcv_buf);
	c->iss = iss_given ? iss
			   : dtcp_isn(&lc->tcp.secret, s->key.local_addr, s->key.local_port,
				      s->key.remote_addr, s->key.remote_port, lc->now_us);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->ts_offset = dtcp_ts_offset(&lc->tcp.secret, s->key.local_addr, s->key.remote_addr);
	tcp_negotiate(c, th, true);
	c->snd_wnd = c->max_snd_wnd = th->window; /* never scaled in a SYN */
	c->snd_wl1 = th->seq;
	c->snd_wl2 = c->iss;
	c->open_us = c->last_rx_us = lc->now_us;
	tcp_set_state(c, DTCP_TCP_SYN_RECEIVED);
	dtcp_count(lc, DTCP_CTR_TCP_PASSIVE_OPENS);
	/* Data on a SYN is not kept (no TCP Fast Open): the peer will send it again. */
	rte_pktmbuf_free(s->m);
	tcp_send_syn(c);
}

static void
tcp_established(struct dtcp_conn *c, bool active)
{
	struct dtcp_listener *l = c->listener;
	bool half_open = c->state == DTCP_TCP_SYN_RECEIVED; /* not a cookie's */

	tcp_set_state(c, DTCP_TCP_ESTABLISHED);
	tcp_cc_init(c);
	/* RFC 6928 section 2 (RFC 5681 3.1): our SYN or SYN-ACK was lost, start at one segment. */
	if (c->nb_rtx > 0)
		c->cwnd = c->snd_mss;
	c->nb_rtx = 0;
	c->recover = c->high_rxt = c->iss; /* RFC 6582 section 3.2 step 1 */
	if (!(c->flags & TCPF_COOKIE))	   /* a cookie's handshake has no start time */
		tcp_handshake_sample(c, active);
	dtcp_count(c->lc, DTCP_CTR_TCP_ESTABLISHED);
	tcp_keepalive_reset(c);
	if (l == NULL) {
		tcp_raise(c, DTCP_EV_CONNECTED);
		return;
	}
	if (half_open)
		l->nb_half_open--;
	TAILQ_INSERT_TAIL(&l->acceptq, c, acceptq_link);
	c->flags |= TCPF_IN_ACCEPTQ;
	l->nb_accept++;
	tcp_raise_listener(l);
}

/*
 * A SYN-ACK acknowledged our SYN (active or simultaneous open): the
 * handshake is complete. Consumes the segment.
 */
static void
tcp_syn_acked(struct dtcp_conn *c, struct tcp_seg *s)
{
	struct dtcp_lcore *lc = c->lc;

	c->snd_una = s->th.ack;
	if (c->nb_rtx == 0) /* Karn: no sample from a retransmitted SYN */
		tcp_rtt_sample(c, (uint32_t)(lc->now_us - c->open_us));
	dtcp_timer_cancel(&lc->tcp.wheel, &c->rtx_timer);
	rte_pktmbuf_free(s->m);
	tcp_established(c, true);
}

static void
tcp_input_syn_sent(struct dtcp_conn *c, struct tcp_seg *s)
{
	struct dtcp_lcore *lc = c->lc;
	const struct dtcp_tcp_repr *th = &s->th;
	bool ack_ok = false;

	if (th->flags & DTCP_TCP_ACK) {
		if (dtcp_seq_leq(th->ack, c->iss) || dtcp_seq_gt(th->ack, c->snd_max)) {
			tcp_reply_rst(lc, s);
			return;
		}
		ack_ok = true;
	}
	if (th->flags & DTCP_TCP_RST) {
		if (!ack_ok) {
			dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_RST_NO_CONN);
			return;
		}
		dtcp_count(lc, DTCP_CTR_TCP_RX_RST);
		rte_pktmbuf_free(s->m);
		tcp_conn_fail(c, ECONNREFUSED);
		return;
	}
	if (!(th->flags & DTCP_TCP_SYN)) {
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_NO_SYN);
		return;
	}
	c->irs = th->seq;
	c->rcv_nxt = c->rcv_adv = th->seq + 1;
	tcp_negotiate(c, th, false);
	c->snd_wnd = c->max_snd_wnd = th->window; /* never scaled in a SYN */
	c->snd_wl1 = th->seq;
	c->snd_wl2 = th->ack;
	c->last_rx_us = lc->now_us;
	if (ack_ok) {
		tcp_syn_acked(c, s);
		tcp_send_ack(c);
		tcp_output(c);
		return;
	}
	/* Simultaneous open (RFC 9293 figure 7): answer with SYN-ACK, same ISS. */
	rte_pktmbuf_free(s->m);
	tcp_set_state(c, DTCP_TCP_SYN_RECEIVED);
	c->snd_nxt = c->iss;
	tcp_send_syn(c);
}

/*
 * A pure ACK whose timestamp is older than TS.Recent only because the path
 * reordered it behind a later ACK: right sequence number, acknowledging
 * nothing new, not a window update, and its clock no further back than one
 * RTO. Taking it cannot move any state (what it acknowledges, and its
 * window, are old), but its SACK blocks are news. PAWS (RFC 7323 section 5)
 * guards against old duplicates of data; Linux makes the same exception.
 */
static bool
tcp_disordered_ack(const struct dtcp_conn *c, const struct dtcp_tcp_repr *th)
{
	uint32_t lag_ms = c->ts_recent - th->ts_val;

	if (th->payload_len != 0 || (th->flags & (DTCP_TCP_SYN | DTCP_TCP_FIN)) ||
	    !(th->flags & DTCP_TCP_ACK) || th->seq != c->rcv_nxt)
		return false;
	if (dtcp_seq_gt(th->ack, c->snd_una) || dtcp_seq_lt(th->ack, c->snd_una - c->max_snd_wnd))
		return false;
	/* At SND.UNA with another window it would update the window (snd_wl2 == ack). */
	if (th->ack == c->snd_una && ((uint32_t)th->window << c->snd_wscale) != c->snd_wnd)
		return false;
	return lag_ms <= c->rto_us / 1000;
}

/* RFC 9293 3.10.7.4 first check, plus PAWS (RFC 7323 section 5). */
static bool
tcp_check_seq(struct dtcp_conn *c, struct tcp_seg *s)
{
	const struct dtcp_tcp_repr *th = &s->th;
	uint32_t wnd = tcp_rcv_wnd(c), len = seg_len(th);
	bool ok;

	if ((c->flags & TCPF_TS_OK) && th->has_ts && !(th->flags & DTCP_TCP_RST) &&
	    dtcp_seq_lt(th->ts_val, c->ts_recent)) {
		if (tcp_disordered_ack(c, th)) {
			dtcp_count(c->lc, DTCP_CTR_TCP_RX_DISORDERED_ACKS);
			return true;
		}
		/*
		 * RFC 7323 answers with an ACK; for a pure ACK that ACK would
		 * only be a duplicate to the peer (a false loss signal if it is
		 * sending), so only segments with data or FIN get one.
		 */
		if (len != 0)
			tcp_send_ack(c);
		dtcp_drop(c->lc, s->m, DTCP_CTR_DROP_TCP_PAWS);
		return false;
	}
	if (len == 0)
		ok = wnd == 0 ? th->seq == c->rcv_nxt
			      : dtcp_seq_in_window(th->seq, c->rcv_nxt, wnd);
	else
		ok = wnd != 0 && (dtcp_seq_in_window(th->seq, c->rcv_nxt, wnd) ||
				  dtcp_seq_in_window(th->seq + len - 1, c->rcv_nxt, wnd));
	if (ok)
		return true;
	/* Data received before: say so (RFC 2883 D-SACK), the sender may have retransmitted
	 * needlessly. */
	if (th->payload_len > 0 && !(th->flags & (DTCP_TCP_SYN | DTCP_TCP_RST)) &&
	    dtcp_seq_leq(th->seq + th->payload_len, c->rcv_nxt)) {
		dtcp_count(c->lc, DTCP_CTR_TCP_RX_DUP_SEGMENTS);
		if (c->flags & TCPF_SACK_OK)
			tcp_reass_dsack(c, th->seq, th->seq + th->payload_len);
	}
	if (!(th->flags & DTCP_TCP_RST)) {
		/* A SYN-ACK retransmission is what a retransmitted SYN asks for. */
		if (c->state == DTCP_TCP_SYN_RECEIVED)
			tcp_send_syn(c);
		else
			tcp_send_ack(c);
	}
	dtcp_drop(c->lc, s->m, DTCP_CTR_DROP_TCP_UNACCEPTABLE);
	return false;
}

/* Free acknowledged bytes from the front of the send queue. */
static void
tcp_sndq_trim(struct dtcp_conn *c, uint32_t bytes)
{
	c->sndq_len -= bytes;
	/* The cursor's mbuf survives only if it starts at or after the new SND.UNA. */
	if (c->sndq_cur != NULL) {
		if (c->sndq_cur_off >= bytes)
			c->sndq_cur_off -= bytes;
		else
			c->sndq_cur = NULL;
	}
	while (bytes > 0) {
		struct rte_mbuf *m = c->sndq_head;

		if (bytes < m->data_len) {
			m->data_off = (uint16_t)(m->data_off + bytes);
			m->data_len = (uint16_t)(m->data_len - bytes);
			m->pkt_len = m->data_len;
			return;
		}
		bytes -= m->data_len;
		c->sndq_head = m->next;
		c->sndq_truesize -= m->buf_len;
		m->next = NULL;
		rte_pktmbuf_free(m);
	}
	if (c->sndq_head == NULL)
		c->sndq_tail = NULL;
}

/* The ACK field (RFC 9293 3.10.7.4 fifth check). Returns false if the segment was dropped. */
static bool
tcp_input_ack(struct dtcp_conn *c, struct tcp_seg *s, bool *fin_acked)
{
	struct dtcp_lcore *lc = c->lc;
	const struct dtcp_tcp_repr *th = &s->th;
	bool new_sack, dup;

	*fin_acked = false;
	if (c->state == DTCP_TCP_SYN_RECEIVED) {
		if (!dtcp_seq_lt(c->snd_una, th->ack) || dtcp_seq_gt(th->ack, c->snd_max)) {
			tcp_reply_rst(lc, s);
			return false;
		}
		c->snd_una = c->iss + 1; /* our SYN */
		c->snd_wnd = (uint32_t)th->window << c->snd_wscale;
		c->max_snd_wnd = RTE_MAX(c->max_snd_wnd, c->snd_wnd);
		c->snd_wl1 = th->seq;
		c->snd_wl2 = th->ack;
		dtcp_timer_cancel(&lc->tcp.wheel, &c->rtx_timer);
		/* Karn: no sample if the SYN-ACK went more than once (timestamps give one later).
		 */
		if ((!(c->flags & TCPF_TS_OK) || !th->has_ts) && c->nb_rtx == 0)
			tcp_rtt_sample(c, (uint32_t)(lc->now_us - c->open_us));
		tcp_established(c, false);
	}
	if (dtcp_seq_gt(th->ack, c->snd_max)) {
		tcp_send_ack(c);
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_BAD_ACK);
		return false;
	}
	/* RFC 5961 section 5.2: an ACK older than anything we could have sent recently. */
	if (dtcp_seq_lt(th->ack, c->snd_una - c->max_snd_wnd)) {
		tcp_send_ack(c);
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_BAD_ACK);
		return false;
	}
	c->nb_probes = 0; /* the peer answers */
	tcp_recovery_sack(c, th, &new_sack);
	/*
	 * A duplicate ACK (RFC 5681 section 2): nothing new acknowledged while
	 * data is out, no data, SYN or FIN on it, and the same window; or, with
	 * SACK, one that reports data we did not know arrived (RFC 6675 2).
	 * Not while the peer's window is shut: its answers to our window
	 * probes repeat the ACK, and nothing was lost.
	 */
	dup = th->ack == c->snd_una && c->snd_una != c->snd_max && c->snd_wnd != 0 &&
	      th->payload_len == 0 && !(th->flags & (DTCP_TCP_SYN | DTCP_TCP_FIN)) &&
	      ((uint32_t)th->window << c->snd_wscale == c->snd_wnd || new_sack);
	if (dtcp_seq_gt(th->ack, c->snd_una)) {
		uint32_t acked = th->ack - c->snd_una;
		uint32_t fin_seq = c->snd_una + c->sndq_len;

		if ((c->flags & TCPF_FIN_SENT) && th->ack == fin_seq + 1) {
			*fin_acked = true;
			acked--;
		}
		uint32_t old_una = c->snd_una;

		tcp_sndq_trim(c, RTE_MIN(acked, c->sndq_len));
		c->snd_una = th->ack;
		if (dtcp_seq_lt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		tcp_recovery_acked(c, old_una, acked, th);
		if ((c->flags & TCPF_TS_OK) && th->has_ts && th->ts_ecr != 0)
			tcp_rtt_sample(c, (tcp_now_ts(lc, c->ts_offset) - th->ts_ecr) * 1000u);
		else if ((c->flags & TCPF_RTT_TIMING) && dtcp_seq_gt(th->ack, c->rtt_seq)) {
			tcp_rtt_sample(c, (uint32_t)(lc->now_us - c->rtt_start_us));
			c->flags &= ~TCPF_RTT_TIMING;
		}
		c->nb_rtx = 0;
		if (c->snd_una == c->snd_max)
			dtcp_timer_cancel(&lc->tcp.wheel, &c->rtx_timer);
		else
			tcp_arm_rtx(c);
		if ((c->flags & TCPF_SEND_SHORT) && c->sndq_len < c->snd_buf &&
		    c->sndq_truesize < 2 * c->snd_buf) {
			c->flags &= ~TCPF_SEND_SHORT;
			tcp_raise(c, DTCP_EV_WRITABLE);
		}
	}
	/* Window update, only from segments newer than the last one that updated it. */
	if (dtcp_seq_lt(c->snd_wl1, th->seq) ||
	    (c->snd_wl1 == th->seq && dtcp_seq_leq(c->snd_wl2, th->ack))) {
		bool reopened = c->snd_wnd == 0 && th->window != 0;

		c->snd_wnd = (uint32_t)th->window << c->snd_wscale;
		c->max_snd_wnd = RTE_MAX(c->max_snd_wnd, c->snd_wnd);
		c->snd_wl1 = th->seq;
		c->snd_wl2 = th->ack;
		/* Data beyond a shut window (a probe's byte) was not taken: send it again. */
		if (c->snd_wnd == 0 && c->sndq_len > 0 && dtcp_seq_gt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		/* Open again: the persist backoff is over, what goes now gets a fresh RTO. */
		if (reopened && c->snd_una != c->snd_max) {
			c->nb_rtx = 0;
			tcp_arm_rtx(c);
		}
		if (c->snd_wnd > 0 && c->snd_una == c->snd_max)
			dtcp_timer_cancel(&lc->tcp.wheel, &c->rtx_timer);
	}
	if (dup)
		tcp_recovery_dupack(c, new_sack);
	return true;
}

/* A FIN beyond a hole waits for the data before it (RFC 9293 3.10.7.4, eighth check). */
static void
tcp_fin_ahead(struct dtcp_conn *c, uint32_t fin_seq)
{
	c->reass.fin = true;
	c->reass.fin_seq = fin_seq;
	tcp_schedule_ack(c);
}

/*
 * The segment's text (RFC 9293 3.10.7.4, seventh check): payload in order
 * goes to the receive queue, payload beyond a hole to the reassembly queue
 * (tcp_reass.c), which hands on whatever the segment makes contiguous. Then
 * the ACK: at once for data out of order, filling a hole, cut at the window
 * or carrying PSH; otherwise delayed (RFC 5681 section 4.2). Sets
 * @p tail_kept when the segment's last byte was taken or queued (a FIN on it
 * counts). Returns false if the segment was consumed.
 */
static bool
tcp_input_data(struct dtcp_conn *c, struct tcp_seg *s, bool *tail_kept)
{
	struct dtcp_lcore *lc = c->lc;
	const struct dtcp_tcp_repr *th = &s->th;
	struct rte_mbuf *m = s->m;
	uint32_t seq = th->seq, len = th->payload_len, skip = 0, room;
	uint32_t right = c->rcv_nxt + tcp_rcv_wnd(c);
	bool hole = c->reass.head != NULL, immediate;

	*tail_kept = false;
	/* A large frame (LRO, a peer's uncut TSO) was sent as tso_segsz-sized segments. */
	if ((m->ol_flags & RTE_MBUF_F_RX_LRO) && m->tso_segsz != 0 && m->tso_segsz < len) {
		if (m->tso_segsz > c->rcv_mss)
			c->rcv_mss = m->tso_segsz;
	} else if (len > c->rcv_mss) {
		c->rcv_mss = (uint16_t)len;
	}
	if (dtcp_seq_lt(seq, c->rcv_nxt)) {
		skip = c->rcv_nxt - seq; /* already received */
		if (skip >= len) {
			*tail_kept = true;
			tcp_schedule_ack(c);
			return true;
		}
		seq = c->rcv_nxt;
		len -= skip;
	}
	/* Nothing beyond the window we offered, nor beyond a FIN the peer already sent. */
	if (c->reass.fin && dtcp_seq_lt(c->reass.fin_seq, right))
		right = c->reass.fin_seq;
	room = dtcp_seq_lt(seq, right) ? right - seq : 0;
	if (len > room) {
		len = room; /* the peer sends the rest again */
		dtcp_count(lc, DTCP_CTR_TCP_RX_WINDOW_TRIMMED);
	} else {
		*tail_kept = true;
	}
	if (len == 0) {
		tcp_schedule_ack(c);
		return true;
	}
	if (likely(m->nb_segs == 1)) {
		rte_pktmbuf_adj(m, (uint16_t)(th->hdr_len + skip));
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - len));
	} else {
		m = dtcp_mbuf_chain_adj(m, (uint32_t)th->hdr_len + skip);
		dtcp_mbuf_chain_keep(m, len);
	}
	m->ol_flags = 0;
	m->packet_type = 0;
	s->m = NULL;
	immediate = hole || !*tail_kept || (th->flags & DTCP_TCP_PSH);
	if (!hole && seq == c->rcv_nxt) {
		if (!tcp_rcvq_append(c, m)) {
			*tail_kept = false;
			dtcp_drop(lc, m, DTCP_CTR_DROP_TCP_RCV_FULL);
			tcp_schedule_ack(c);
			return false;
		}
		c->rcv_nxt += len;
		dtcp_count(lc, DTCP_CTR_TCP_RX_DATA_SEGMENTS);
	} else {
		bool in_order = seq == c->rcv_nxt;
		enum tcp_reass_result res = tcp_reass_insert(c, m, seq);

		if (res != TCP_REASS_QUEUED) {
			/* All held already: a FIN it carries is news all the same. */
			if (res == TCP_REASS_DUPLICATE && *tail_kept && (th->flags & DTCP_TCP_FIN))
				tcp_fin_ahead(c, th->seq + th->payload_len);
			*tail_kept = false;
			tcp_schedule_ack(c); /* a duplicate ACK, with SACK/D-SACK if on */
			return false;
		}
		dtcp_count(lc,
			   in_order ? DTCP_CTR_TCP_RX_DATA_SEGMENTS : DTCP_CTR_TCP_RX_OOO_SEGMENTS);
		if (tcp_reass_pull(c) == 0) {
			tcp_schedule_ack(c); /* out of order: a duplicate ACK at once */
			return true;
		}
	}
	tcp_raise(c, DTCP_EV_READABLE);
	if (immediate)
		tcp_schedule_ack(c);
	else
		tcp_delay_ack(c, len);
	/* The FIN, if any, is checked by the caller against the new rcv_nxt. */
	return true;
}

static void
tcp_input_fin(struct dtcp_conn *c, bool fin_acked_now)
{
	c->reass.fin = false;
	c->rcv_nxt++;
	tcp_raise(c, DTCP_EV_PEER_CLOSED);
	switch (c->state) {
	case DTCP_TCP_SYN_RECEIVED:
	case DTCP_TCP_ESTABLISHED:
		tcp_set_state(c, DTCP_TCP_CLOSE_WAIT);
		tcp_schedule_ack(c);
		break;
	case DTCP_TCP_FIN_WAIT_1:
		if (fin_acked_now) {
			tcp_send_ack(c);
			tcp_enter_time_wait(c);
		} else {
			tcp_set_state(c, DTCP_TCP_CLOSING);
			tcp_schedule_ack(c);
		}
		break;
	case DTCP_TCP_FIN_WAIT_2:
		tcp_send_ack(c);
		tcp_enter_time_wait(c);
		break;
	default:
		tcp_schedule_ack(c); /* a retransmitted FIN: ACK it again */
	}
}

/*
 * Simultaneous open (RFC 9293 figure 8, line 6): in SYN_RECEIVED reached
 * from SYN_SENT, the peer's SYN-ACK repeats the SYN we already took
 * (SEG.SEQ = RCV.NXT - 1) and acknowledges ours. The sequence check and
 * RFC 5961's SYN check would both refuse it (the problem RFC 9293 Appendix
 * A.2 points at); take it as the ACK that completes the handshake, as Linux
 * does. Returns true if it was that segment (consumed).
 */
static bool
tcp_input_simultaneous_synack(struct dtcp_conn *c, struct tcp_seg *s)
{
	struct dtcp_lcore *lc = c->lc;
	const struct dtcp_tcp_repr *th = &s->th;

	if (c->state != DTCP_TCP_SYN_RECEIVED || c->listener != NULL ||
	    (th->flags & (DTCP_TCP_SYN | DTCP_TCP_ACK | DTCP_TCP_RST | DTCP_TCP_FIN)) !=
		    (DTCP_TCP_SYN | DTCP_TCP_ACK) ||
	    th->payload_len != 0 || th->seq + 1 != c->rcv_nxt || th->ack != c->snd_max)
		return false;
	c->snd_wnd = c->max_snd_wnd = th->window; /* never scaled in a SYN */
	c->snd_wl1 = th->seq;
	c->snd_wl2 = th->ack;
	c->last_rx_us = lc->now_us;
	if ((c->flags & TCPF_TS_OK) && th->has_ts && !dtcp_seq_lt(th->ts_val, c->ts_recent))
		c->ts_recent = th->ts_val;
	tcp_syn_acked(c, s);
	tcp_output(c);
	return true;
}

static void
tcp_input_sync(struct dtcp_conn *c, struct tcp_seg *s)
{
	struct dtcp_lcore *lc = c->lc;
	const struct dtcp_tcp_repr *th = &s->th;
	bool fin_acked, fin_in_order, tail_kept = true;
	uint32_t fin_seq;

	if (tcp_input_simultaneous_synack(c, s))
		return;
	if (!tcp_check_seq(c, s))
		return;
	c->last_rx_us = lc->now_us;
	c->keep_probes = 0; /* the peer is alive: keepalive starts counting afresh */
	/* RFC 7323 section 4.3: remember the peer's clock from in-order segments. */
	if ((c->flags & TCPF_TS_OK) && th->has_ts && dtcp_seq_leq(th->seq, c->rcv_nxt) &&
	    !dtcp_seq_lt(th->ts_val, c->ts_recent)) /* a disordered ACK's is older */
		c->ts_recent = th->ts_val;

	if (th->flags & DTCP_TCP_RST) {
		/* RFC 5961 section 3.2: only the exact next sequence number resets. */
		if (th->seq != c->rcv_nxt) {
			tcp_challenge_ack(c);
			dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_RST_IN_WINDOW);
			return;
		}
		dtcp_count(lc, DTCP_CTR_TCP_RX_RST);
		rte_pktmbuf_free(s->m);
		switch (c->state) {
		case DTCP_TCP_SYN_RECEIVED:
			tcp_conn_fail(c, c->listener != NULL ? 0 : ECONNREFUSED);
			break;
		case DTCP_TCP_CLOSING:
		case DTCP_TCP_LAST_ACK:
			tcp_conn_closed(c);
			break;
		default:
			tcp_conn_fail(c, ECONNRESET);
		}
		return;
	}
	if (th->flags & DTCP_TCP_SYN) {
		/* RFC 5961 section 4.2: any SYN here, in window or not, gets a challenge ACK. */
		tcp_challenge_ack(c);
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_SYN_IN_WINDOW);
		return;
	}
	if (!(th->flags & DTCP_TCP_ACK)) {
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_NO_ACK);
		return;
	}
	if (!tcp_input_ack(c, s, &fin_acked))
		return;
	if (fin_acked) {
		switch (c->state) {
		case DTCP_TCP_FIN_WAIT_1:
			tcp_set_state(c, DTCP_TCP_FIN_WAIT_2);
			/* Orphans may not wait for the peer's FIN forever. */
			if (c->flags & TCPF_RELEASED)
				dtcp_timer_arm(&lc->tcp.wheel, &c->rtx_timer,
					       lc->now_us +
						       (uint64_t)lc->stack->cfg.tcp_fin_wait2_s *
							       US_PER_S);
			break;
		case DTCP_TCP_CLOSING:
			rte_pktmbuf_free(s->m);
			tcp_enter_time_wait(c);
			return;
		case DTCP_TCP_LAST_ACK:
			rte_pktmbuf_free(s->m);
			tcp_conn_closed(c);
			return;
		default:
			break;
		}
	}

	fin_seq = th->seq + th->payload_len;
	if (th->payload_len > 0) {
		switch (c->state) {
		case DTCP_TCP_ESTABLISHED:
		case DTCP_TCP_FIN_WAIT_1:
		case DTCP_TCP_FIN_WAIT_2:
			if (!tcp_input_data(c, s, &tail_kept))
				return;
			break;
		default:
			break; /* after the peer's FIN: nothing more can be data */
		}
	}
	if ((th->flags & DTCP_TCP_FIN) && tail_kept && dtcp_seq_gt(fin_seq, c->rcv_nxt) &&
	    (c->state == DTCP_TCP_ESTABLISHED || c->state == DTCP_TCP_FIN_WAIT_1 ||
	     c->state == DTCP_TCP_FIN_WAIT_2))
		tcp_fin_ahead(c, fin_seq);
	fin_in_order = ((th->flags & DTCP_TCP_FIN) && fin_seq == c->rcv_nxt) ||
		       (c->reass.fin && c->reass.fin_seq == c->rcv_nxt);
	if (fin_in_order) {
		switch (c->state) {
		case DTCP_TCP_CLOSE_WAIT:
		case DTCP_TCP_CLOSING:
		case DTCP_TCP_LAST_ACK:
			break; /* already counted */
		default:
			tcp_input_fin(c, fin_acked || ((c->flags & TCPF_FIN_SENT) &&
						       c->snd_una == c->snd_max));
			rte_pktmbuf_free(s->m);
			return;
		}
	}
	if ((th->flags & DTCP_TCP_FIN) && dtcp_seq_lt(fin_seq, c->rcv_nxt))
		tcp_schedule_ack(c); /* a retransmitted FIN */
	rte_pktmbuf_free(s->m);
	if (c->lc != NULL && c->state != DTCP_TCP_CLOSED)
		tcp_output(c); /* the ACK may have opened the window */
}

static void
tcp_input_conn(struct dtcp_conn *c, struct tcp_seg *s)
{
	if (c->state == DTCP_TCP_SYN_SENT)
		tcp_input_syn_sent(c, s);
	else
		tcp_input_sync(c, s);
}

/* TIME_WAIT (RFC 9293 3.10.7.4, RFC 1337, RFC 6191). */
static void
tcp_input_tw(struct dtcp_lcore *lc, struct dtcp_tw *tw, struct tcp_seg *s)
{
	const struct dtcp_tcp_repr *th = &s->th;
	struct dtcp_listener *l;
	uint32_t iss;

	if (th->flags & DTCP_TCP_RST) {
		/* RFC 1337: a RST must not end TIME_WAIT early. */
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_TIME_WAIT);
		return;
	}
	if ((th->flags & (DTCP_TCP_SYN | DTCP_TCP_ACK)) == DTCP_TCP_SYN) {
		/* A new incarnation may reuse the tuple if it is unambiguously newer. */
		bool newer = (tw->ts_ok && th->has_ts) ? dtcp_seq_gt(th->ts_val, tw->ts_recent)
						       : dtcp_seq_gt(th->seq, tw->rcv_nxt);

		l = tcp_listener_lookup(lc, s->key.local_addr, th->dst_port);
		if (newer && l != NULL) {
			/* Start well above the old incarnation's sequence numbers. */
			iss = tw->snd_nxt + UINT16_MAX + 2;
			tcp_tw_free(lc, tw);
			dtcp_count(lc, DTCP_CTR_TCP_TIME_WAIT_REUSED);
			tcp_input_listen(l, s, iss, true);
			return;
		}
	}
	if ((th->flags & DTCP_TCP_FIN) && th->seq + th->payload_len + 1 == tw->rcv_nxt)
		tcp_tw_arm(lc, tw); /* the peer lost our last ACK: restart 2*MSL */
	tcp_tw_send_ack(lc, tw);
	dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_TIME_WAIT);
}

static void
tcp_input_no_conn(struct dtcp_lcore *lc, struct tcp_seg *s)
{
	struct dtcp_tw *tw = tcp_tw_lookup(lc, &s->key);
	struct dtcp_listener *l;

	if (tw != NULL) {
		tcp_input_tw(lc, tw, s);
		return;
	}
	l = tcp_listener_lookup(lc, s->key.local_addr, s->th.dst_port);
	if (l != NULL)
		tcp_input_listen(l, s, 0, false);
	else
		tcp_reply_rst(lc, s);
}

void
dtcp_tcp_input_burst(struct dtcp_lcore *lc)
{
	struct dtcp_tcp_lcore *t = &lc->tcp;
	unsigned int n = t->nb_burst;

	t->nb_burst = 0;
	for (unsigned int base = 0; base < n; base += RTE_HASH_LOOKUP_BULK_MAX) {
		unsigned int chunk = RTE_MIN(n - base, (unsigned int)RTE_HASH_LOOKUP_BULK_MAX);
		const void *keys[RTE_HASH_LOOKUP_BULK_MAX];
		int32_t pos[RTE_HASH_LOOKUP_BULK_MAX];
		uint32_t inserts = t->conn_inserts;

		for (unsigned int i = 0; i < chunk; i++)
			keys[i] = &t->burst[base + i].key;
		rte_hash_lookup_bulk(t->conn_hash, keys, chunk, pos);
		for (unsigned int i = 0; i < chunk; i++) {
			struct tcp_seg *s = &t->burst[base + i];
			struct dtcp_conn *c = pos[i] >= 0 ? &t->conns[pos[i]] : NULL;

			/*
			 * An earlier segment of this burst may have created or ended
			 * the connection since the bulk lookup: look again then. A
			 * miss only needs it if something was inserted since (a flood
			 * of SYNs answered with cookies inserts nothing).
			 */
			if (c == NULL ? t->conn_inserts != inserts
				      : c->lc == NULL || !(c->flags & TCPF_IN_TABLE) ||
						memcmp(&c->key, &s->key, sizeof(s->key)) != 0)
				c = tcp_conn_lookup(lc, &s->key);
			if (c != NULL)
				tcp_input_conn(c, s);
			else
				tcp_input_no_conn(lc, s);
		}
	}
	tcp_flush_acks(lc);
}
