/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive side's queues: the in-order receive queue the application
 * reads, and out-of-order reassembly (RFC 9293 section 3.10.7.4, "seventh,
 * process the segment text") with the SACK (RFC 2018) and D-SACK (RFC 2883)
 * blocks that report it.
 *
 * Zero copy. A segment's payload stays in the mbuf it arrived in (a large
 * frame's chain is taken apart into one piece per mbuf); only its
 * bounds move (rte_pktmbuf_adj / rte_pktmbuf_trim) where it overlaps data
 * already held, and a held piece that a new segment covers entirely is freed,
 * the new one taking its place. Nothing is ever split, so every mbuf in the
 * queue is one contiguous piece and its sequence number (in hash.usr, ours
 * once the stack owns the mbuf) is all the bookkeeping a piece needs.
 *
 * Bounds. tcp_input_data() trims every segment to the window we offer,
 * whose right edge is rcv_nxt + rcv_buf - rcvq_len: out-of-order data lies
 * inside it, so in-order plus out-of-order bytes never exceed rcv_buf. What
 * the mbufs pin (their buf_len) is bounded too, by twice rcv_buf as for the
 * send queue: one-byte segments scattered over a large window would
 * otherwise hold one pool mbuf per byte. A segment over that budget is
 * refused (drop_tcp_ooo_full) rather than anything held dropped: data once
 * SACKed stays until delivered or the connection ends (no reneging, RFC 2018
 * section 8). Data that arrives in order is never refused for the budget:
 * it leaves the queue at once.
 *
 * SACK history. sack[] holds the ranges of held data in the order RFC 2018
 * section 4 wants them reported: the range holding the most recent arrival
 * first, then the others most recently reported first. Ranges only change
 * when a segment lands in them, and that range then goes first; since ranges
 * only grow and merge, an older entry is either inside the new first range
 * (dropped from the list) or disjoint from it. Delivered ranges leave the
 * list in tcp_reass_pull().
 *
 * Call chain:
 *   tcp_input_data -> tcp_rcvq_append                 in order, nothing held
 *                  -> tcp_reass_insert -> tcp_reass_pull -> tcp_rcvq_append
 *   tcp_check_seq  -> tcp_reass_dsack                 old duplicate (below rcv_nxt)
 *   tcp_send_ack   -> tcp_reass_sack                  blocks for the ACK
 *   tcp_rcvq_free, tcp_conn_closed -> tcp_reass_free
 */
#include <string.h>

#include "core/lcore.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

static inline uint32_t
piece_seq(const struct rte_mbuf *m)
{
	return m->hash.usr;
}

static inline uint32_t
piece_end(const struct rte_mbuf *m)
{
	return m->hash.usr + m->data_len;
}

/* Append @p m (a standalone mbuf or chain) to the receive queue without walking it. */
bool
tcp_rcvq_append(struct dtcp_conn *c, struct rte_mbuf *m)
{
	struct rte_mbuf *head = c->rcvq_head;

	if (head == NULL) {
		c->rcvq_head = m;
	} else {
		/* 65535 mbufs unread: the application is not reading. */
		if ((uint32_t)head->nb_segs + m->nb_segs > RTE_MBUF_MAX_NB_SEGS)
			return false;
		c->rcvq_tail->next = m;
		head->nb_segs = (uint16_t)(head->nb_segs + m->nb_segs);
		head->pkt_len += m->pkt_len;
	}
	c->rcvq_tail = rte_pktmbuf_lastseg(m);
	c->rcvq_len += m->pkt_len;
	return true;
}

/* The range of contiguous held data that holds @p seq (which must be held). */
static struct dtcp_tcp_sack_block
reass_range(const struct tcp_reass *r, uint32_t seq)
{
	struct dtcp_tcp_sack_block b = {0, 0};
	bool any = false;

	for (const struct rte_mbuf *m = r->head; m != NULL; m = m->next) {
		if (any && piece_seq(m) == b.right) {
			b.right = piece_end(m);
			continue;
		}
		if (any && dtcp_seq_geq(seq, b.left) && dtcp_seq_lt(seq, b.right))
			break;
		b.left = piece_seq(m);
		b.right = piece_end(m);
		any = true;
	}
	return b;
}

/* A segment landed in range @p b: it is reported first, the ranges it absorbed no more. */
static void
reass_sack_note(struct tcp_reass *r, struct dtcp_tcp_sack_block b)
{
	struct dtcp_tcp_sack_block hist[DTCP_TCP_MAX_SACK];
	unsigned int n = 0;

	hist[n++] = b;
	for (unsigned int i = 0; i < r->nb_sack && n < DTCP_TCP_MAX_SACK; i++) {
		const struct dtcp_tcp_sack_block *e = &r->sack[i];

		if (dtcp_seq_geq(e->left, b.left) && dtcp_seq_leq(e->right, b.right))
			continue; /* merged into b */
		hist[n++] = *e;
	}
	memcpy(r->sack, hist, n * sizeof(hist[0]));
	r->nb_sack = (uint8_t)n;
}

static void
reass_unlink_free(struct tcp_reass *r, struct rte_mbuf *m)
{
	r->bytes -= m->data_len;
	r->truesize -= m->buf_len;
	r->nb_segs--;
	m->next = NULL;
	rte_pktmbuf_free(m);
}

/*
 * Queue the one-segment, payload-only mbuf @p m whose first byte is @p seq
 * (at or above rcv_nxt, inside the window); @p in_order: the segment it came
 * in starts at rcv_nxt, so it leaves at once and is not held to the budget.
 * Always consumes @p m: held, or dropped with its counter.
 */
static enum tcp_reass_result
reass_insert_piece(struct dtcp_conn *c, struct rte_mbuf *m, uint32_t seq, bool in_order)
{
	struct tcp_reass *r = &c->reass;
	uint32_t start = seq, end = seq + m->data_len, freed = 0;
	struct rte_mbuf *prev = NULL, *cur = r->head, *stop;

	/* Skip the pieces wholly before us; the tail first, where most arrivals go. */
	if (r->tail != NULL && dtcp_seq_leq(piece_end(r->tail), seq)) {
		prev = r->tail;
		cur = NULL;
	} else {
		while (cur != NULL && dtcp_seq_leq(piece_end(cur), seq)) {
			prev = cur;
			cur = cur->next;
		}
	}
	/* Pieces that hold our first byte: what they hold is not needed again. */
	while (cur != NULL && dtcp_seq_leq(piece_seq(cur), start)) {
		if (dtcp_seq_geq(piece_end(cur), end)) {
			/* Every byte is held already (RFC 2883 section 4: D-SACK, then its range).
			 */
			if (c->flags & TCPF_SACK_OK) {
				tcp_reass_dsack(c, seq, end);
				reass_sack_note(r, reass_range(r, seq));
			}
			dtcp_count(c->lc, DTCP_CTR_TCP_RX_DUP_SEGMENTS);
			dtcp_drop(c->lc, m, DTCP_CTR_DROP_TCP_DUPLICATE);
			return TCP_REASS_DUPLICATE;
		}
		start = piece_end(cur);
		prev = cur;
		cur = cur->next;
	}
	/* Pieces we cover entirely give way to us; one reaching past our end cuts it short. */
	stop = cur;
	while (stop != NULL && dtcp_seq_lt(piece_seq(stop), end)) {
		if (dtcp_seq_gt(piece_end(stop), end)) {
			end = piece_seq(stop);
			break;
		}
		freed += stop->buf_len;
		stop = stop->next;
	}
	if (!in_order && (uint64_t)r->truesize - freed + m->buf_len > 2 * (uint64_t)c->rcv_buf) {
		dtcp_drop(c->lc, m, DTCP_CTR_DROP_TCP_OOO_FULL);
		return TCP_REASS_FULL;
	}
	rte_pktmbuf_trim(m, (uint16_t)(seq + m->data_len - end));
	rte_pktmbuf_adj(m, (uint16_t)(start - seq));
	while (cur != stop) {
		struct rte_mbuf *next = cur->next;

		reass_unlink_free(r, cur);
		cur = next;
	}
	m->hash.usr = start;
	m->next = stop;
	if (prev != NULL)
		prev->next = m;
	else
		r->head = m;
	if (stop == NULL)
		r->tail = m;
	r->bytes += m->data_len;
	r->truesize += m->buf_len;
	r->nb_segs++;
	if (!in_order && (c->flags & TCPF_SACK_OK))
		reass_sack_note(r, reass_range(r, start));
	return TCP_REASS_QUEUED;
}

/*
 * Queue the payload-only mbuf or chain @p m whose first byte is @p seq (at or
 * above rcv_nxt, inside the window). Always consumes @p m.
 *
 * A chain (a large frame) is taken apart into its mbufs, each queued as a
 * piece with its own sequence number: pieces stay one contiguous mbuf each,
 * so trimming against held data and freeing what is covered work as for one
 * segment, and nothing is copied. The result: TCP_REASS_FULL if a piece was
 * refused for the budget (the pieces after it are dropped with it: they
 * would only be refused too, or leave a hole of our making), else QUEUED if
 * any piece was held, else DUPLICATE. Pieces held already count as
 * duplicates; a run of them is reported in one D-SACK block.
 */
enum tcp_reass_result
tcp_reass_insert(struct dtcp_conn *c, struct rte_mbuf *m, uint32_t seq)
{
	enum tcp_reass_result res = TCP_REASS_DUPLICATE, prev = TCP_REASS_QUEUED;
	bool in_order = seq == c->rcv_nxt;
	uint32_t dup_left = 0;

	if (likely(m->nb_segs == 1))
		return reass_insert_piece(c, m, seq, in_order);
	while (m != NULL) {
		struct rte_mbuf *next = m->next;
		uint32_t piece_len = m->data_len;
		enum tcp_reass_result r;

		m->next = NULL;
		m->nb_segs = 1;
		m->pkt_len = piece_len;
		if (piece_len == 0) {
			rte_pktmbuf_free_seg(m); /* an empty mbuf in a chain holds nothing */
			m = next;
			continue;
		}
		r = reass_insert_piece(c, m, seq, in_order);
		/* Adjacent duplicate pieces: one D-SACK block for the run. */
		if (r == TCP_REASS_DUPLICATE) {
			if (prev != TCP_REASS_DUPLICATE)
				dup_left = seq;
			else if (c->reass.dsack)
				c->reass.dsack_block.left = dup_left;
		}
		prev = r;
		seq += piece_len;
		m = next;
		if (r == TCP_REASS_FULL) {
			/* The rest goes with it: one frame, one drop (counted for the piece). */
			rte_pktmbuf_free(m);
			return TCP_REASS_FULL;
		}
		if (r == TCP_REASS_QUEUED)
			res = TCP_REASS_QUEUED;
	}
	return res;
}

/* Move what is now in order to the receive queue; returns the bytes moved. */
uint32_t
tcp_reass_pull(struct dtcp_conn *c)
{
	struct tcp_reass *r = &c->reass;
	uint32_t moved = 0;
	unsigned int n = 0;

	while (r->head != NULL && piece_seq(r->head) == c->rcv_nxt) {
		struct rte_mbuf *m = r->head, *next = m->next;

		m->next = NULL;
		if (!tcp_rcvq_append(c, m)) {
			m->next = next; /* stays held; the next arrival tries again */
			break;
		}
		r->head = next;
		r->bytes -= m->data_len;
		r->truesize -= m->buf_len;
		r->nb_segs--;
		c->rcv_nxt += m->data_len;
		moved += m->data_len;
	}
	if (r->head == NULL)
		r->tail = NULL;
	/* Delivered ranges are acknowledged cumulatively from now on. */
	for (unsigned int i = 0; i < r->nb_sack; i++)
		if (dtcp_seq_gt(r->sack[i].right, c->rcv_nxt))
			r->sack[n++] = r->sack[i];
	r->nb_sack = (uint8_t)n;
	return moved;
}

/* Report [left, right) as received twice in the next ACK (RFC 2883). */
void
tcp_reass_dsack(struct dtcp_conn *c, uint32_t left, uint32_t right)
{
	c->reass.dsack = true;
	c->reass.dsack_block.left = left;
	c->reass.dsack_block.right = right;
}

/* Up to @p max blocks for an ACK: the D-SACK block first (reported once), then sack[]. */
unsigned int
tcp_reass_sack(struct dtcp_conn *c, struct dtcp_tcp_sack_block *blocks, unsigned int max)
{
	struct tcp_reass *r = &c->reass;
	unsigned int n = 0;

	if (max == 0)
		return 0;
	if (r->dsack) {
		blocks[n++] = r->dsack_block;
		r->dsack = false;
		dtcp_count(c->lc, DTCP_CTR_TCP_TX_DSACKS);
	}
	for (unsigned int i = 0; i < r->nb_sack && n < max; i++)
		blocks[n++] = r->sack[i];
	return n;
}

void
tcp_reass_free(struct dtcp_conn *c)
{
	struct tcp_reass *r = &c->reass;

	while (r->head != NULL) {
		struct rte_mbuf *next = r->head->next;

		reass_unlink_free(r, r->head);
		r->head = next;
	}
	memset(r, 0, sizeof(*r));
}
