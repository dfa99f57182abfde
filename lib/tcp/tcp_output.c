/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: tcp_emit() is the only place a segment is built. A segment is
 * a header mbuf (TCP header and options; IP and Ethernet are prepended
 * below) chained to indirect mbufs attached to the send queue's data, so
 * neither sending nor retransmitting copies payload. Where the port cannot
 * send chains the payload is copied into the header mbuf instead.
 *
 * Call chain:
 *   tcp_output -> tcp_output_segs -> tcp_send_data -> tcp_emit -> dtcp_ipv4_output
 *   tcp_send_ack / tcp_send_syn / tcp_send_rst / tcp_send_keepalive -> tcp_emit
 *   tcp_tw_send_ack, tcp_reply_rst (no connection) -> tcp_emit
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_ip.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "net/ipv4.h"
#include "net/mbuf_chain.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

uint32_t
tcp_now_ts(const struct dtcp_lcore *lc, uint32_t offset)
{
	/* RFC 7323 timestamp clock: 1 ms, with a per-connection random offset. */
	return (uint32_t)(lc->now_us / 1000) + offset;
}

/*
 * Free receive space, never moving the advertised right edge to the left.
 * Out-of-order data is not subtracted: it lies inside this window, between
 * rcv_nxt and the right edge, so in-order plus out-of-order bytes stay
 * within rcv_buf (see tcp_reass.c).
 */
uint32_t
tcp_rcv_wnd(const struct dtcp_conn *c)
{
	uint32_t space = c->rcv_buf > c->rcvq_len ? c->rcv_buf - c->rcvq_len : 0;

	/* More than the window field can carry is never advertised, so never accepted. */
	space = RTE_MIN(space, (uint32_t)UINT16_MAX << c->rcv_wscale);

	if (dtcp_seq_gt(c->rcv_adv, c->rcv_nxt + space))
		space = c->rcv_adv - c->rcv_nxt;
	return space;
}

/*
 * Attach [off, off + len) of the send queue to @p m as indirect mbufs (or copy
 * it). The walk starts from the cursor the previous call left (the mbuf that
 * held its first byte) when that is not past @p off: sending at SND.NXT then
 * costs the mbufs of one segment, not of the whole flight (with a 4 MiB send
 * buffer, thousands).
 */
static int
tcp_attach_payload(struct dtcp_lcore *lc, struct dtcp_conn *c, struct rte_mbuf *m, uint32_t off,
		   uint32_t len, bool chain)
{
	struct rte_mbuf *seg = c->sndq_head;
	uint32_t seg_off = 0; /* of seg's first byte, from SND.UNA */

	if (c->sndq_cur != NULL && c->sndq_cur_off <= off) {
		seg = c->sndq_cur;
		seg_off = c->sndq_cur_off;
	}
	while (seg != NULL && off - seg_off >= seg->data_len) {
		seg_off += seg->data_len;
		seg = seg->next;
	}
	c->sndq_cur = seg;
	c->sndq_cur_off = seg_off;
	off -= seg_off;
	while (len > 0 && seg != NULL) {
		uint32_t piece = RTE_MIN(len, (uint32_t)seg->data_len - off);

		if (chain) {
			struct rte_mbuf *mi = rte_pktmbuf_alloc(lc->pool);

			if (mi == NULL)
				return -ENOBUFS;
			rte_pktmbuf_attach(mi, seg);
			mi->data_off = (uint16_t)(mi->data_off + off);
			mi->data_len = mi->pkt_len = (uint16_t)piece;
			if (rte_pktmbuf_chain(m, mi) != 0) {
				rte_pktmbuf_free(mi);
				return -EOVERFLOW;
			}
		} else {
			char *dst = rte_pktmbuf_append(m, (uint16_t)piece);

			if (dst == NULL)
				return -ENOSPC;
			memcpy(dst, rte_pktmbuf_mtod_offset(seg, char *, off), piece);
		}
		len -= piece;
		off = 0;
		seg = seg->next;
	}
	return len == 0 ? 0 : -EINVAL;
}

/*
 * Build one segment: header from @p th (ports and addresses from @p key),
 * payload [off, off + len) of @p c's send queue, checksum offloaded or in
 * software, and hand it to IP.
 */
static int
tcp_emit(struct dtcp_lcore *lc, unsigned int port_idx, const struct dtcp_flow_key *key,
	 struct dtcp_tcp_repr *th, struct dtcp_conn *c, uint32_t off, uint32_t len)
{
	const struct dtcp_port_caps *caps = &lc->ports[port_idx].port->caps;
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);
	size_t opt_len = dtcp_tcp_options_len(th);
	uint16_t hdr_len = (uint16_t)(DTCP_TCP_HDR_LEN + opt_len);
	struct rte_tcp_hdr *hdr;
	uint32_t nb_segs = 1;
	int rc;

	if (unlikely(m == NULL)) {
		dtcp_count(lc, DTCP_CTR_DROP_NO_MBUF);
		return -ENOBUFS;
	}
	hdr = (struct rte_tcp_hdr *)rte_pktmbuf_append(m, hdr_len);
	th->src_port = rte_be_to_cpu_16(key->local_port);
	th->dst_port = rte_be_to_cpu_16(key->remote_port);
	th->payload_len = 0; /* summed below, over the chain */
	rc = dtcp_tcp_emit(th, hdr, hdr_len, key->local_addr, key->remote_addr,
			   DTCP_TCP_CKSUM_NONE);
	if (rc == 0 || rc < 0)
		goto fail;
	if (len > 0) {
		rc = tcp_attach_payload(lc, c, m, off, len, caps->tx_multi_segs);
		if (rc != 0)
			goto fail;
	}
	if (c != NULL && len > c->snd_mss) {
		/*
		 * TSO (only tcp_output_segs() and tcp_send_range() ask for more
		 * than snd_mss, and only when the port grants it): the device
		 * cuts the payload into tso_segsz bytes per segment and repeats
		 * our header, options included, in front of each, so tso_segsz
		 * is snd_mss, which already leaves room for the options of a
		 * data segment. DPDK's recipe for the checksum field: the
		 * pseudo-header sum without the length, which the device adds
		 * per segment. TX_TCP_SEG implies TX_TCP_CKSUM.
		 */
		hdr->cksum =
			dtcp_cksum_fold(dtcp_tcp_phdr_add(key->local_addr, key->remote_addr, 0, 0));
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = c->snd_mss;
		m->l4_len = hdr_len;
		nb_segs = (len + c->snd_mss - 1) / c->snd_mss;
		dtcp_count(lc, DTCP_CTR_TCP_TX_TSO_FRAMES);
		lc->ctr[DTCP_CTR_TCP_TX_TSO_SEGMENTS] += nb_segs;
	} else if (caps->tx_tcp_cksum) {
		hdr->cksum = dtcp_cksum_fold(dtcp_tcp_phdr_add(key->local_addr, key->remote_addr,
							       (uint16_t)m->pkt_len, 0));
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		m->l4_len = hdr_len;
	} else {
		uint32_t sum =
			(uint32_t)dtcp_cksum_fold(dtcp_tcp_phdr_add(
				key->local_addr, key->remote_addr, (uint16_t)m->pkt_len, 0)) +
			dtcp_mbuf_chain_sum(m);

		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		hdr->cksum = (uint16_t)~sum;
	}
	lc->ctr[DTCP_CTR_TCP_TX_SEGMENTS] += nb_segs; /* on the wire, after TSO */
	if (th->flags & DTCP_TCP_RST)
		dtcp_count(lc, DTCP_CTR_TCP_TX_RST);
	dtcp_ipv4_output(lc, port_idx, m, key->remote_addr, IPPROTO_TCP);
	return 0;
fail:
	rte_pktmbuf_free(m);
	dtcp_count(lc, DTCP_CTR_DROP_NO_MBUF);
	return rc < 0 ? rc : -EINVAL;
}

/* Header fields every segment of a connection shares: ACK, window, timestamps. */
static void
tcp_fill_common(struct dtcp_conn *c, struct dtcp_tcp_repr *th, uint8_t flags, uint32_t seq)
{
	uint32_t wnd;

	memset(th, 0, sizeof(*th));
	th->flags = flags;
	th->seq = seq;
	if (flags & DTCP_TCP_ACK)
		th->ack = c->rcv_nxt;
	if (flags & DTCP_TCP_SYN) {
		/* The window in a SYN is never scaled (RFC 7323 section 2.2). */
		wnd = RTE_MIN(tcp_rcv_wnd(c), (uint32_t)UINT16_MAX);
		th->window = (uint16_t)wnd;
	} else {
		wnd = RTE_MIN(tcp_rcv_wnd(c) >> c->rcv_wscale, (uint32_t)UINT16_MAX);
		th->window = (uint16_t)wnd;
		wnd <<= c->rcv_wscale;
	}
	if (dtcp_seq_gt(c->rcv_nxt + wnd, c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + wnd;
	if (c->flags & TCPF_TS_OK) {
		th->has_ts = true;
		th->ts_val = tcp_now_ts(c->lc, c->ts_offset);
		th->ts_ecr = c->ts_recent;
	}
	c->flags &= ~TCPF_ACK_NOW;
	/* Whatever carries the ACK is the ACK a delayed one was waiting for. */
	if (flags & DTCP_TCP_ACK) {
		c->rcv_unacked = 0;
		if (dtcp_timer_armed(&c->delack_timer))
			dtcp_timer_cancel(&c->lc->tcp.wheel, &c->delack_timer);
	}
}

/*
 * SACK blocks (RFC 2018) and a pending D-SACK (RFC 2883) for a segment
 * without payload: as many as the option space left after @p th's other
 * options holds (4 alone, 3 next to timestamps). Data segments carry none:
 * snd_mss leaves room only for timestamps.
 */
static void
tcp_fill_sack(struct dtcp_conn *c, struct dtcp_tcp_repr *th)
{
	size_t room = DTCP_TCP_OPT_MAX_LEN - dtcp_tcp_options_len(th);
	unsigned int max;

	if (!(c->flags & TCPF_SACK_OK) || (c->reass.nb_sack == 0 && !c->reass.dsack) ||
	    room < 4 + DTCP_TCP_OPT_SACK_BLOCK_LEN)
		return;
	max = (unsigned int)((room - 4) / DTCP_TCP_OPT_SACK_BLOCK_LEN);
	if (max > DTCP_TCP_MAX_SACK)
		max = DTCP_TCP_MAX_SACK;
	th->sack_count = (uint8_t)tcp_reass_sack(c, th->sack, max);
}

void
tcp_send_syn(struct dtcp_conn *c)
{
	struct dtcp_lcore *lc = c->lc;
	const struct dtcp_port *port = lc->ports[c->port_idx].port;
	bool syn_ack = c->state == DTCP_TCP_SYN_RECEIVED;
	struct dtcp_tcp_repr th;

	/* In SYN_SENT we offer every option; in a SYN-ACK, only those the peer offered. */
	if (!syn_ack)
		c->flags |= TCPF_WSCALE_OK | TCPF_SACK_OK | TCPF_TS_OK;
	tcp_fill_common(c, &th, syn_ack ? DTCP_TCP_SYN | DTCP_TCP_ACK : DTCP_TCP_SYN, c->iss);
	th.has_mss = true;
	th.mss = (uint16_t)(port->caps.mtu - DTCP_IPV4_HDR_LEN - DTCP_TCP_HDR_LEN);
	th.has_wscale = (c->flags & TCPF_WSCALE_OK) != 0;
	th.wscale = c->rcv_wscale;
	th.sack_permitted = (c->flags & TCPF_SACK_OK) != 0;
	if (!syn_ack)
		th.ts_ecr = 0;
	tcp_emit(lc, c->port_idx, &c->key, &th, NULL, 0, 0);
	/* Sent again or not, the SYN takes ISS: what follows starts at ISS + 1. */
	c->snd_nxt = c->iss + 1;
	if (dtcp_seq_geq(c->iss, c->snd_max))
		c->snd_max = c->snd_nxt;
	if (!dtcp_timer_armed(&c->rtx_timer))
		tcp_arm_rtx(c);
}

void
tcp_send_ack(struct dtcp_conn *c)
{
	struct dtcp_tcp_repr th;

	tcp_fill_common(c, &th, DTCP_TCP_ACK, c->snd_nxt);
	tcp_fill_sack(c, &th);
	tcp_emit(c->lc, c->port_idx, &c->key, &th, NULL, 0, 0);
}

/* Reset a connection we give up on; @p reason is the tcp_tx_rst_* counter that says why. */
void
tcp_send_rst(struct dtcp_conn *c, enum dtcp_counter reason)
{
	struct dtcp_tcp_repr th;

	tcp_fill_common(c, &th, DTCP_TCP_RST | DTCP_TCP_ACK, c->snd_max);
	th.has_ts = false;
	th.window = 0;
	if (tcp_emit(c->lc, c->port_idx, &c->key, &th, NULL, 0, 0) == 0)
		dtcp_count(c->lc, reason);
}

void
tcp_send_keepalive(struct dtcp_conn *c)
{
	struct dtcp_tcp_repr th;

	/* An old sequence number: the peer must answer with an ACK (RFC 1122 4.2.3.6). */
	tcp_fill_common(c, &th, DTCP_TCP_ACK, c->snd_una - 1);
	tcp_emit(c->lc, c->port_idx, &c->key, &th, NULL, 0, 0);
}

/* Sequence number our FIN takes once queued: right after the last data byte. */
static inline uint32_t
tcp_fin_seq(const struct dtcp_conn *c)
{
	return c->snd_una + c->sndq_len;
}

/*
 * Payload one frame may carry: snd_mss, or with TSO as many whole segments
 * as fit an IPv4 datagram's 16-bit total length beside the headers.
 */
static uint32_t
tcp_frame_max(const struct dtcp_conn *c)
{
	const struct dtcp_port_caps *caps = &c->lc->ports[c->port_idx].port->caps;
	uint32_t hdr = DTCP_IPV4_HDR_LEN + DTCP_TCP_HDR_LEN + ((c->flags & TCPF_TS_OK) ? 12 : 0);
	uint32_t segs;

	if (!caps->tx_tso)
		return c->snd_mss;
	segs = (UINT16_MAX - hdr) / c->snd_mss;
	return segs > 1 ? segs * c->snd_mss : c->snd_mss;
}

/*
 * How much of [off, off + len) of the send queue (off from SND.UNA) one
 * TSO frame can carry within the device's mbuf limits: tx_max_segs mbufs
 * in all (our header mbuf and one per piece of the send queue) and
 * tx_max_mtu_segs in any one segment the device cuts (counting the header
 * in each, as a device that rebuilds every segment must). The walk starts
 * at tcp_attach_payload()'s cursor, as the attach that follows will.
 */
static uint32_t
tcp_tso_fit(const struct dtcp_conn *c, uint32_t off, uint32_t len)
{
	const struct dtcp_port_caps *caps = &c->lc->ports[c->port_idx].port->caps;
	const struct rte_mbuf *seg = c->sndq_head;
	uint32_t seg_off = 0, done = 0, wire_end = c->snd_mss;
	unsigned int nb = 1, in_wire = 1; /* the header mbuf */

	if (c->sndq_cur != NULL && c->sndq_cur_off <= off) {
		seg = c->sndq_cur;
		seg_off = c->sndq_cur_off;
	}
	while (seg != NULL && off - seg_off >= seg->data_len) {
		seg_off += seg->data_len;
		seg = seg->next;
	}
	off -= seg_off;
	while (done < len && seg != NULL) {
		uint32_t end = done + RTE_MIN(len - done, (uint32_t)seg->data_len - off);

		if (++nb > caps->tx_max_segs || ++in_wire > caps->tx_max_mtu_segs)
			break;
		/* A piece reaching into the next segments counts there too. */
		while (end > wire_end) {
			wire_end += c->snd_mss;
			in_wire = 2;
		}
		if (in_wire > caps->tx_max_mtu_segs)
			break;
		done = end;
		off = 0;
		seg = seg->next;
	}
	return done;
}

/*
 * Cut a TSO frame of @p len bytes (more than snd_mss; @p unsent bytes wait
 * at SND.NXT) so that the wire sees what segmentation by the stack would
 * send. Only whole segments go when the window or the device's limits cut
 * the frame short, or when Nagle would hold the short last segment: the
 * rest goes through the small-segment checks of tcp_output_segs() on its
 * own. The last segment before a FIN is left out too, to carry the FIN by
 * itself: a device copies the flags into every segment it cuts unless it
 * masks them (Intel NICs do, DPDK's GSO library does, virtio has no rule
 * for it), and a FIN in the middle of the stream would end it early.
 * Returns the new length: at least snd_mss, or snd_mss when the limits
 * leave no frame at all.
 */
static uint32_t
tcp_tso_len(const struct dtcp_conn *c, uint32_t len, uint32_t unsent)
{
	uint32_t mss = c->snd_mss, fit = tcp_tso_fit(c, c->snd_nxt - c->snd_una, len), tail;

	if (fit <= mss)
		return mss;
	if (fit < len)
		len = fit; /* no longer all that is unsent: only whole segments */
	tail = len % mss;
	if ((c->flags & TCPF_FIN_QUEUED) && len == unsent)
		return len - (tail != 0 ? tail : mss);
	if (tail != 0 && (len < unsent || !(c->flags & TCPF_NODELAY)))
		return len - tail;
	return len;
}

/*
 * Send one data (and/or FIN) segment: @p len bytes from @p seq. SND.NXT only
 * moves forward (to the segment's end): a retransmission of a hole below it
 * leaves it where it is.
 */
static int
tcp_send_data(struct dtcp_conn *c, uint32_t seq, uint32_t len, bool fin)
{
	uint8_t flags = DTCP_TCP_ACK;
	struct dtcp_tcp_repr th;
	bool rtx = dtcp_seq_lt(seq, c->snd_max);
	uint32_t end = seq + len + (fin ? 1 : 0);
	int rc;

	if (fin)
		flags |= DTCP_TCP_FIN;
	if (len > 0 && seq + len == tcp_fin_seq(c))
		flags |= DTCP_TCP_PSH;
	tcp_fill_common(c, &th, flags, seq);
	rc = tcp_emit(c->lc, c->port_idx, &c->key, &th, c, seq - c->snd_una, len);
	if (rc != 0)
		return rc;
	if (rtx)
		c->lc->ctr[DTCP_CTR_TCP_TX_RETRANSMITS] +=
			len > c->snd_mss ? (len + c->snd_mss - 1) / c->snd_mss : 1;
	else if (!(c->flags & TCPF_RTT_TIMING) && !(c->flags & TCPF_TS_OK)) {
		/* Karn: time only segments sent once; timestamps time every ACK instead. */
		c->flags |= TCPF_RTT_TIMING;
		c->rtt_seq = seq;
		c->rtt_start_us = c->lc->now_us;
	}
	c->last_send_us = c->lc->now_us;
	if (dtcp_seq_gt(end, c->snd_nxt))
		c->snd_nxt = end;
	if (fin)
		c->flags |= TCPF_FIN_SENT;
	if (dtcp_seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	if (!dtcp_timer_armed(&c->rtx_timer))
		tcp_arm_rtx(c);
	return 0;
}

/*
 * Send [seq, seq + len) again (recovery): one frame, so @p len is at most
 * snd_mss, or with TSO what tcp_frame_max() and the device's mbuf limits
 * allow (-EMSGSIZE beyond).
 */
int
tcp_send_range(struct dtcp_conn *c, uint32_t seq, uint32_t len)
{
	uint32_t fin_seq = tcp_fin_seq(c), data_end = seq + len;
	bool fin = false;

	/* The range may reach our FIN's sequence number: resend the FIN with the data before it. */
	if ((c->flags & TCPF_FIN_SENT) && dtcp_seq_gt(data_end, fin_seq)) {
		data_end = fin_seq;
		fin = true;
	}
	if (dtcp_seq_lt(data_end, seq))
		return -EINVAL;
	/* More than a segment is one TSO frame, if the port can take it as one. */
	if (data_end - seq > c->snd_mss &&
	    (data_end - seq > tcp_frame_max(c) ||
	     tcp_tso_fit(c, seq - c->snd_una, data_end - seq) != data_end - seq))
		return -EMSGSIZE;
	return tcp_send_data(c, seq, data_end - seq, fin);
}

static bool
tcp_can_send_data(const struct dtcp_conn *c)
{
	switch (c->state) {
	case DTCP_TCP_ESTABLISHED:
	case DTCP_TCP_CLOSE_WAIT:
	case DTCP_TCP_FIN_WAIT_1:
	case DTCP_TCP_CLOSING:
	case DTCP_TCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

/* Data held for TX backlog room: go on once dtcp_tcp_tx_resume() finds some. */
static void
tcp_tx_wait(struct dtcp_conn *c)
{
	if (c->flags & TCPF_TX_WAIT)
		return;
	c->flags |= TCPF_TX_WAIT;
	TAILQ_INSERT_TAIL(&c->lc->tcp.tx_wait, c, tx_wait_link);
}

void
tcp_tx_wait_leave(struct dtcp_conn *c)
{
	if (!(c->flags & TCPF_TX_WAIT))
		return;
	c->flags &= ~TCPF_TX_WAIT;
	TAILQ_REMOVE(&c->lc->tcp.tx_wait, c, tx_wait_link);
}

void
dtcp_tcp_tx_resume(struct dtcp_lcore *lc)
{
	struct dtcp_conn *c;

	/* In arrival order, while the first one's port has room (it re-queues if it fills). */
	while ((c = TAILQ_FIRST(&lc->tcp.tx_wait)) != NULL && dtcp_tx_room(lc, c->port_idx) > 0) {
		tcp_tx_wait_leave(c);
		tcp_output(c);
	}
}

/*
 * Send what the window, Nagle, sender-side silly window avoidance and
 * @p max_segs allow; @p timer_fired is the override timeout of RFC 9293
 * 3.8.6.2.1 (the retransmission timer), which lets a small segment out.
 */
static void
tcp_output_segs(struct dtcp_conn *c, unsigned int max_segs, bool timer_fired)
{
	if (!tcp_can_send_data(c))
		return;
	uint32_t frame_max = tcp_frame_max(c);

	while (max_segs-- > 0) {
		uint32_t fin_seq = tcp_fin_seq(c);
		uint32_t sent = c->snd_nxt - c->snd_una;
		uint32_t unsent = dtcp_seq_lt(c->snd_nxt, fin_seq) ? fin_seq - c->snd_nxt : 0;
		/* Sequence space against the peer's window; what is in the network against cwnd. */
		uint32_t pipe = c->nb_sacked > 0 ? tcp_recovery_pipe(c) : sent;
		uint32_t room = RTE_MIN(c->snd_wnd > sent ? c->snd_wnd - sent : 0,
					c->cwnd > pipe ? c->cwnd - pipe : 0);
		uint32_t seg_max = RTE_MIN(unsent, frame_max);
		uint32_t len = RTE_MIN(seg_max, room);
		bool fin;

		if (len > c->snd_mss)
			len = tcp_tso_len(c, len, unsent);
		fin = (c->flags & TCPF_FIN_QUEUED) && len == unsent &&
		      dtcp_seq_leq(c->snd_nxt + len, fin_seq) &&
		      (!(c->flags & TCPF_FIN_SENT) || dtcp_seq_lt(c->snd_nxt + len, c->snd_max));

		if (len == 0 && !fin)
			break;
		/*
		 * The device is behind: leave the data in the send queue (it has
		 * no sequence number yet, so nothing is lost or resent) until the
		 * backlog drains, rather than build frames it would drop.
		 */
		if (unlikely(dtcp_tx_room(c->lc, c->port_idx) == 0)) {
			tcp_tx_wait(c);
			break;
		}
		/* Nagle (RFC 9293 3.7.4): hold a small segment while data is unacknowledged. */
		if (len < c->snd_mss && len == unsent && !fin && sent > 0 &&
		    !(c->flags & TCPF_NODELAY))
			break;
		/*
		 * Silly window avoidance (RFC 9293 3.8.6.2.1): a segment cut short
		 * by the peer's window waits until it is a full one or half the
		 * largest window the peer offered; the retransmission timer, armed
		 * below if nothing is in flight, is the override.
		 */
		if (len < c->snd_mss && len < unsent && len < c->max_snd_wnd / 2 && !timer_fired) {
			if (sent == 0 && !dtcp_timer_armed(&c->rtx_timer))
				tcp_arm_rtx(c);
			break;
		}
		if (tcp_send_data(c, c->snd_nxt, len, fin) != 0)
			break;
	}
	/* Peer's window shut with data waiting and nothing in flight: probe it (persist). */
	if (c->snd_wnd == 0 && c->snd_nxt == c->snd_una && c->sndq_len > 0 &&
	    !dtcp_timer_armed(&c->rtx_timer))
		tcp_arm_rtx(c);
}

void
tcp_output(struct dtcp_conn *c)
{
	/* RFC 5681 section 4.1: after an idle RTO, the old cwnd says nothing about the path. */
	if (c->snd_una == c->snd_max && c->last_send_us != 0 &&
	    c->lc->now_us - c->last_send_us > c->rto_us)
		tcp_cc_after_idle(c);
	tcp_output_segs(c, UINT32_MAX, false);
}

uint32_t
tcp_send_new(struct dtcp_conn *c, uint32_t budget)
{
	uint32_t fin_seq = tcp_fin_seq(c), flight = c->snd_nxt - c->snd_una;
	uint32_t unsent = dtcp_seq_lt(c->snd_nxt, fin_seq) ? fin_seq - c->snd_nxt : 0;
	uint32_t room = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
	uint32_t len = RTE_MIN(unsent, (uint32_t)c->snd_mss);
	bool fin;

	/* Only beyond everything sent: recovery resends holes with tcp_send_range(). */
	if (!tcp_can_send_data(c) || c->snd_nxt != c->snd_max)
		return 0;
	len = RTE_MIN(len, room);
	len = RTE_MIN(len, budget);
	fin = (c->flags & TCPF_FIN_QUEUED) && !(c->flags & TCPF_FIN_SENT) && len == unsent;
	if (len == 0 && !fin)
		return 0;
	if (tcp_send_data(c, c->snd_nxt, len, fin) != 0)
		return 0;
	return len + (fin ? 1 : 0);
}

void
tcp_retransmit(struct dtcp_conn *c)
{
	if (c->state == DTCP_TCP_SYN_SENT || c->state == DTCP_TCP_SYN_RECEIVED) {
		dtcp_count(c->lc, DTCP_CTR_TCP_TX_SYN_RETRANSMITS);
		c->snd_nxt = c->iss;
		tcp_send_syn(c);
		return;
	}
	/* Go back to the oldest unacknowledged byte and resend one segment. */
	c->flags &= ~TCPF_RTT_TIMING;
	c->snd_nxt = c->snd_una;
	if (c->snd_wnd == 0 && c->sndq_len > 0) {
		/* Window probe: one byte beyond the closed window (RFC 9293 3.8.6.1). */
		uint32_t wnd = c->snd_wnd;

		c->snd_wnd = 1;
		tcp_output_segs(c, 1, true);
		c->snd_wnd = wnd;
		/* No RTT sample (Karn): the byte goes again if the window opens without it. */
		c->flags &= ~TCPF_RTT_TIMING;
		return;
	}
	tcp_output_segs(c, 1, true);
}

void
tcp_tw_send_ack(struct dtcp_lcore *lc, const struct dtcp_tw *tw)
{
	struct dtcp_tcp_repr th = {
		.flags = DTCP_TCP_ACK,
		.seq = tw->snd_nxt,
		.ack = tw->rcv_nxt,
		.window = (uint16_t)RTE_MIN(tw->rcv_wnd >> tw->rcv_wscale, (uint32_t)UINT16_MAX),
	};

	if (tw->ts_ok) {
		th.has_ts = true;
		th.ts_val = tcp_now_ts(lc, tw->ts_offset);
		th.ts_ecr = tw->ts_recent;
	}
	tcp_emit(lc, tw->port_idx, &tw->key, &th, NULL, 0, 0);
}

/*
 * RST for a segment no connection wants (RFC 9293 section 3.10.7.1):
 * with ACK set <SEQ=SEG.ACK><CTL=RST>, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
 * <CTL=RST,ACK>. Never in reply to a RST. Consumes the segment.
 */
void
tcp_reply_rst(struct dtcp_lcore *lc, struct tcp_seg *s)
{
	const struct dtcp_tcp_repr *in = &s->th;
	struct dtcp_tcp_repr th = {0};

	if (in->flags & DTCP_TCP_RST) {
		dtcp_drop(lc, s->m, DTCP_CTR_DROP_TCP_RST_NO_CONN);
		return;
	}
	if (in->flags & DTCP_TCP_ACK) {
		th.flags = DTCP_TCP_RST;
		th.seq = in->ack;
	} else {
		th.flags = DTCP_TCP_RST | DTCP_TCP_ACK;
		th.ack = in->seq + in->payload_len + !!(in->flags & DTCP_TCP_SYN) +
			 !!(in->flags & DTCP_TCP_FIN);
	}
	tcp_drop_no_conn(lc, s);
	if (tcp_emit(lc, s->port_idx, &s->key, &th, NULL, 0, 0) == 0)
		dtcp_count(lc, DTCP_CTR_TCP_TX_RST_REPLY);
}

void
tcp_schedule_ack(struct dtcp_conn *c)
{
	struct dtcp_tcp_lcore *t = &c->lc->tcp;

	if (c->flags & TCPF_ACK_NOW)
		return;
	if (t->nb_ack == c->lc->burst_size) {
		tcp_send_ack(c); /* list full: no coalescing for this one */
		return;
	}
	c->flags |= TCPF_ACK_NOW;
	t->ack_list[t->nb_ack++] = c;
}

/*
 * In-order data that owes no immediate ACK (tcp_input_data()): RFC 5681
 * section 4.2 lets the ACK wait, for at most [tcp] delack_ms and never past
 * a second full-sized segment (we count bytes against the largest segment
 * the peer sent). Any segment we send meanwhile carries it.
 */
void
tcp_delay_ack(struct dtcp_conn *c, uint32_t len)
{
	uint32_t delack_ms = c->lc->stack->cfg.tcp_delack_ms;
	uint32_t full = RTE_MIN((uint32_t)c->snd_mss, 536u);

	if (c->rcv_mss > full)
		full = c->rcv_mss;
	c->rcv_unacked += len;
	if (delack_ms == 0 || c->rcv_unacked >= 2 * full) {
		tcp_schedule_ack(c);
		return;
	}
	if (!dtcp_timer_armed(&c->delack_timer))
		tcp_delack_arm(c);
}

/*
 * Once per burst: data goes out with the ACK piggybacked, a bare ACK
 * otherwise. SACK blocks fit only in a bare ACK, so one goes first while
 * there is something to report.
 */
void
tcp_flush_acks(struct dtcp_lcore *lc)
{
	struct dtcp_tcp_lcore *t = &lc->tcp;

	for (unsigned int i = 0; i < t->nb_ack; i++) {
		struct dtcp_conn *c = t->ack_list[i];

		if (!(c->flags & TCPF_ACK_NOW) || c->lc == NULL)
			continue;
		if ((c->flags & TCPF_SACK_OK) && (c->reass.nb_sack > 0 || c->reass.dsack))
			tcp_send_ack(c);
		tcp_output(c);
		if (c->flags & TCPF_ACK_NOW)
			tcp_send_ack(c);
	}
	t->nb_ack = 0;
}
