/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loss recovery before the retransmission timer: the sender's side of SACK
 * (RFC 2018) and the two ways of repairing a loss the receiver has told us
 * about.
 *
 *   With SACK (RFC 6675, conservative): every ACK's SACK blocks go into a
 *   scoreboard of the ranges above SND.UNA the peer holds. A hole counts as
 *   lost once more than (DupThresh - 1) * SMSS bytes, or DupThresh separate
 *   ranges, were SACKed above it (IsLost). Loss is detected on the third
 *   duplicate ACK or as soon as IsLost(SND.UNA). In recovery the congestion
 *   window is not inflated; instead we send while cwnd - pipe >= 1 SMSS,
 *   where pipe is our estimate of the bytes still in the network (SetPipe),
 *   choosing lost holes first, in order (NextSeg rule 1), then new data
 *   (rule 2). Only the missing ranges go again; SACKed data never does.
 *
 *   Without SACK (NewReno, RFC 6582 with RFC 5681's fast retransmit): the
 *   third duplicate ACK resends the first unacknowledged segment and sets
 *   cwnd = ssthresh + 3 * SMSS; each further duplicate ACK adds one SMSS,
 *   which lets new data out as the old leaves the network. A partial ACK
 *   (below the recovery point) resends the next hole at once, deflates cwnd
 *   by what it acknowledged and restarts the timer on the first one only;
 *   the ACK covering the recovery point ends recovery.
 *
 * Both keep "recover" (RFC 6582 section 3.2 step 1): a loss is not answered
 * twice for data sent before the last reduction. How much the window shrinks
 * is the congestion-control algorithm's business (tcp_cc.h). A retransmission
 * timeout ends recovery and forgets the scoreboard (RFC 6675 section 5.1
 * allows keeping it; going back to SND.UNA as RFC 6298 asks is simpler and
 * loses only some duplicate retransmissions).
 *
 * Reordering is not loss, and a path that reorders (per-packet load
 * balancing, jitter) would otherwise have its window cut every few RTTs:
 *
 *   - Detection (RFC 3522, Eifel): with timestamps, the recovery's first
 *     retransmission remembers the TSval it carried. The peer echoes the
 *     TSval of the segment that filled the hole; if the first ACK past that
 *     sequence number echoes an older one, the original arrived and the
 *     retransmission was spurious.
 *   - Response (RFC 4015, in the simple form Linux also uses): put cwnd,
 *     ssthresh and the algorithm's state back as they were before the
 *     reduction and leave recovery.
 *   - Adaptation: DupThresh becomes the reordering the SACK scoreboard
 *     showed (how far beyond the hole data had arrived when the hole filled),
 *     as does a hole the original fills outside recovery. It only grows, up
 *     to REORDERING_MAX, except that a timeout with that much SACKed shows
 *     it had grown too far (a loss went undetected), and resets it.
 *
 * RACK-TLP (RFC 8985) would do this by time rather than by count; it needs a
 * transmit time per segment, which the send queue (the application's own
 * mbufs) does not have.
 */
#include <string.h>

#include "core/lcore.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

#define DUP_THRESH 3 /* RFC 5681 section 3.2, RFC 6675 section 2 */
/* Largest DupThresh, in segments: past it the timer repairs losses (Linux's default cap). */
#define REORDERING_MAX 300

/* DupThresh for this connection: 3, or the reordering seen on its path. */
static inline uint32_t
dup_thresh(const struct dtcp_conn *c)
{
	return RTE_MAX((uint32_t)c->reordering, (uint32_t)DUP_THRESH);
}

/* Drop scoreboard ranges at or below SND.UNA, trim one that straddles it. */
static void
sack_trim(struct dtcp_conn *c)
{
	unsigned int keep = 0;

	for (unsigned int i = 0; i < c->nb_sacked; i++) {
		struct tcp_sack_range r = c->sacked[i];

		if (dtcp_seq_leq(r.end, c->snd_una))
			continue;
		if (dtcp_seq_lt(r.start, c->snd_una))
			r.start = c->snd_una;
		c->sacked[keep++] = r;
	}
	c->nb_sacked = (uint8_t)keep;
}

/*
 * Merge [start, end) into the sorted, disjoint scoreboard. When it is full
 * the highest range is forgotten: that data may be sent again needlessly,
 * never skipped wrongly. Returns true if it covered bytes not SACKed before.
 */
static bool
sack_add(struct dtcp_conn *c, uint32_t start, uint32_t end)
{
	struct tcp_sack_range *s = c->sacked;
	unsigned int n = c->nb_sacked, i = 0, j;
	uint32_t before = 0, after = 0;

	for (unsigned int k = 0; k < n; k++)
		before += s[k].end - s[k].start;
	/* First range that ends at or after start: it may touch or overlap. */
	while (i < n && dtcp_seq_lt(s[i].end, start))
		i++;
	/* Every range from i that starts at or before end merges with the new one. */
	j = i;
	while (j < n && dtcp_seq_leq(s[j].start, end)) {
		start = dtcp_seq_min(start, s[j].start);
		end = dtcp_seq_max(end, s[j].end);
		j++;
	}
	if (j == i) {
		/* Disjoint: insert at i, dropping the last range if there is no room. */
		if (n == TCP_SACKED_MAX) {
			if (i == n)
				return false;
			n--;
		}
		memmove(&s[i + 1], &s[i], (n - i) * sizeof(*s));
		n++;
	} else if (j > i + 1) {
		memmove(&s[i + 1], &s[j], (n - j) * sizeof(*s));
		n -= j - i - 1;
	}
	s[i].start = start;
	s[i].end = end;
	c->nb_sacked = (uint8_t)n;
	for (unsigned int k = 0; k < n; k++)
		after += s[k].end - s[k].start;
	return after > before;
}

/* RFC 6675 IsLost(seq): enough SACKed above seq that it cannot just be late. */
static bool
sack_is_lost(const struct dtcp_conn *c, uint32_t seq)
{
	uint32_t bytes = 0, ranges = 0;

	for (unsigned int i = 0; i < c->nb_sacked; i++) {
		const struct tcp_sack_range *r = &c->sacked[i];

		if (dtcp_seq_leq(r->end, seq))
			continue;
		bytes += r->end - dtcp_seq_max(r->start, seq);
		ranges++;
	}
	return ranges >= dup_thresh(c) || bytes > (dup_thresh(c) - 1) * (uint32_t)c->snd_mss;
}

/*
 * The holes between SND.UNA and SND.MAX: calls @p fn(c, start, end, arg)
 * for each in order until it returns false.
 */
typedef bool (*hole_fn)(const struct dtcp_conn *c, uint32_t start, uint32_t end, void *arg);

static void
sack_for_each_hole(const struct dtcp_conn *c, hole_fn fn, void *arg)
{
	uint32_t at = c->snd_una;

	for (unsigned int i = 0; i < c->nb_sacked; i++) {
		const struct tcp_sack_range *r = &c->sacked[i];

		if (dtcp_seq_lt(at, r->start) && !fn(c, at, r->start, arg))
			return;
		at = dtcp_seq_max(at, r->end);
	}
	if (dtcp_seq_lt(at, c->snd_max))
		fn(c, at, c->snd_max, arg);
}

static bool
pipe_hole(const struct dtcp_conn *c, uint32_t start, uint32_t end, void *arg)
{
	uint32_t *pipe = arg;

	/* (a) not lost: still in flight, as far as we know. */
	if (!sack_is_lost(c, start))
		*pipe += end - start;
	/* (b) retransmitted in this recovery: that copy is in flight. */
	if (dtcp_seq_lt(start, c->high_rxt))
		*pipe += dtcp_seq_min(end, c->high_rxt) - start;
	return true;
}

/* RFC 6675 SetPipe(), by holes rather than octet by octet. */
static uint32_t
sack_pipe(const struct dtcp_conn *c)
{
	uint32_t pipe = 0;

	sack_for_each_hole(c, pipe_hole, &pipe);
	return pipe;
}

uint32_t
tcp_recovery_pipe(const struct dtcp_conn *c)
{
	uint32_t sent = c->snd_nxt - c->snd_una, sacked = 0;

	if (c->in_recovery)
		return sack_pipe(c);
	/* Outside recovery the holes are not known lost yet: all of them count. */
	for (unsigned int i = 0; i < c->nb_sacked; i++) {
		const struct tcp_sack_range *r = &c->sacked[i];

		if (dtcp_seq_geq(r->start, c->snd_nxt))
			break; /* above a rewound SND.NXT (after a timeout) */
		sacked += dtcp_seq_min(r->end, c->snd_nxt) - r->start;
	}
	return sent - sacked;
}

struct next_seg {
	uint32_t seq;
	uint32_t len;
	bool found;
};

static bool
next_lost_hole(const struct dtcp_conn *c, uint32_t start, uint32_t end, void *arg)
{
	struct next_seg *ns = arg;
	uint32_t from = dtcp_seq_max(start, c->high_rxt);

	if (dtcp_seq_geq(from, end))
		return true; /* already resent this hole */
	if (!sack_is_lost(c, from))
		return false; /* holes above are even less likely lost */
	ns->seq = from;
	ns->len = RTE_MIN(end - from, (uint32_t)c->snd_mss);
	ns->found = true;
	return false;
}

/* Send what RFC 6675 section 5 (C) allows: lost holes first, then new data. */
static void
sack_recovery_send(struct dtcp_conn *c)
{
	for (unsigned int guard = 0; guard < 64; guard++) {
		uint32_t pipe = sack_pipe(c);
		struct next_seg ns = {0};

		if (pipe + c->snd_mss > c->cwnd)
			return;
		sack_for_each_hole(c, next_lost_hole, &ns);
		if (ns.found) {
			if (tcp_send_range(c, ns.seq, ns.len) != 0)
				return;
			c->high_rxt = ns.seq + ns.len;
			dtcp_count(c->lc, DTCP_CTR_TCP_FAST_RETRANSMITS);
			continue;
		}
		/* Rule 2: new data, as far as the peer's window lets it out. */
		if (tcp_send_new(c, c->cwnd - pipe) == 0)
			return;
	}
}

/* Resend the segment at SND.UNA (the first hole, whatever the scoreboard says). */
static void
resend_first_hole(struct dtcp_conn *c)
{
	uint32_t len = RTE_MIN(c->snd_max - c->snd_una, (uint32_t)c->snd_mss);

	/* Up to the first SACKed range: that part the peer has. */
	if (c->nb_sacked > 0 && dtcp_seq_lt(c->sacked[0].start, c->snd_una + len))
		len = c->sacked[0].start - c->snd_una;
	if (len == 0 || tcp_send_range(c, c->snd_una, len) != 0)
		return;
	dtcp_count(c->lc, DTCP_CTR_TCP_FAST_RETRANSMITS);
	c->high_rxt = dtcp_seq_max(c->high_rxt, c->snd_una + len);
}

static void
recovery_enter(struct dtcp_conn *c)
{
	c->in_recovery = true;
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	dtcp_count(c->lc, DTCP_CTR_TCP_RECOVERIES);
	/* What to go back to if the loss turns out to be reordering. */
	c->undo_cwnd = c->cwnd;
	c->undo_ssthresh = c->ssthresh;
	c->undo_cc = c->cc;
	c->undo_armed = (c->flags & TCPF_TS_OK) != 0;
	c->undo_seq = c->snd_una;
	c->undo_tsval = tcp_now_ts(c->lc, c->ts_offset); /* what resend_first_hole() carries */
	tcp_cc_enter_recovery(c);
	/*
	 * Resend the first unacknowledged segment whatever the window says
	 * (RFC 6675 section 5 step 4.3, RFC 6582 step 2), then: with SACK, what
	 * the pipe allows; without, inflate by the three segments that left.
	 */
	resend_first_hole(c);
	if (c->flags & TCPF_SACK_OK)
		sack_recovery_send(c);
	else
		c->cwnd = c->ssthresh + DUP_THRESH * c->snd_mss;
}

static void
recovery_exit(struct dtcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una, mss = c->snd_mss;

	c->in_recovery = false;
	c->dupacks = 0;
	tcp_cc_exit_recovery(c);
	/* RFC 6582 section 3.2 step 3 (full ACK), option 1: no burst on exit. */
	if (!(c->flags & TCPF_SACK_OK)) {
		uint32_t limit = RTE_MAX(flight, mss) + mss;

		c->cwnd = RTE_MIN(c->cwnd, limit);
	}
}

/*
 * The hole at @p hole was filled by the original segment, @p segs segments
 * after data beyond it had arrived: DupThresh must exceed that.
 */
static void
reordering_seen(struct dtcp_conn *c, uint32_t segs)
{
	dtcp_count(c->lc, DTCP_CTR_TCP_REORDERING_SEEN);
	segs = RTE_MIN(segs + 1, (uint32_t)REORDERING_MAX);
	if (segs > c->reordering)
		c->reordering = (uint16_t)segs;
}

/* Segments' worth of SACKed data above @p hole: how far past it the peer has received. */
static uint32_t
reordering_extent(const struct dtcp_conn *c, uint32_t hole)
{
	uint32_t fack;

	if (c->nb_sacked == 0)
		return c->dupacks; /* without SACK, each duplicate ACK was one segment */
	fack = c->sacked[c->nb_sacked - 1].end;
	if (!dtcp_seq_gt(fack, hole))
		return 0;
	return (fack - hole + c->snd_mss - 1) / c->snd_mss;
}

/* RFC 4015: the reduction was for nothing, put the window back. */
static void
recovery_undo(struct dtcp_conn *c)
{
	dtcp_count(c->lc, DTCP_CTR_TCP_RECOVERIES_UNDONE);
	reordering_seen(c, reordering_extent(c, c->undo_seq));
	c->cc = c->undo_cc;
	c->cwnd = RTE_MAX(c->cwnd, c->undo_cwnd);
	c->ssthresh = RTE_MAX(c->ssthresh, c->undo_ssthresh);
	c->in_recovery = false;
	c->dupacks = 0;
	/* No reduction stands: a loss below the old recovery point may be answered. */
	c->recover = c->undo_seq;
}

void
tcp_recovery_sack(struct dtcp_conn *c, const struct dtcp_tcp_repr *th, bool *new_sack)
{
	*new_sack = false;
	if (!(c->flags & TCPF_SACK_OK) || th->sack_count == 0)
		return;
	for (unsigned int i = 0; i < th->sack_count; i++) {
		uint32_t l = th->sack[i].left, r = th->sack[i].right;

		/*
		 * Only blocks inside what we sent and above SND.UNA tell us
		 * anything; a D-SACK (RFC 2883, below the cumulative ACK or
		 * inside another block) reports a duplicate and is ignored.
		 */
		if (!dtcp_seq_lt(l, r) || dtcp_seq_leq(r, c->snd_una) || dtcp_seq_gt(r, c->snd_max))
			continue;
		if (dtcp_seq_lt(l, c->snd_una))
			l = c->snd_una;
		*new_sack |= sack_add(c, l, r);
	}
}

void
tcp_recovery_acked(struct dtcp_conn *c, uint32_t old_una, uint32_t acked,
		   const struct dtcp_tcp_repr *th)
{
	/* RFC 3522: the first ACK past the retransmission says which copy filled the hole. */
	if (c->undo_armed && dtcp_seq_gt(c->snd_una, c->undo_seq)) {
		c->undo_armed = false;
		if (c->in_recovery && th->has_ts && dtcp_seq_lt(th->ts_ecr, c->undo_tsval))
			recovery_undo(c);
	} else if (!c->in_recovery && c->nb_sacked > 0 &&
		   dtcp_seq_lt(old_una, c->sacked[0].start) && dtcp_seq_leq(c->high_rxt, old_una)) {
		/* A hole never resent has filled: its segment was late, not lost. */
		reordering_seen(c, reordering_extent(c, old_una));
	}
	sack_trim(c);
	c->dupacks = 0;
	if (!c->in_recovery) {
		tcp_cc_ack(c, acked);
		return;
	}
	if (dtcp_seq_geq(c->snd_una, c->recover)) {
		recovery_exit(c);
		return;
	}
	/*
	 * A partial ACK: the next hole is lost too. The timer was restarted by
	 * the caller (RFC 6298 rule 5.3), RFC 6582's "slow but steady" choice.
	 */
	if (dtcp_seq_lt(c->high_rxt, c->snd_una))
		c->high_rxt = c->snd_una;
	if (c->flags & TCPF_SACK_OK) {
		sack_recovery_send(c);
		return;
	}
	/* RFC 6582 step 5: resend, deflate by the amount acknowledged, add back one SMSS. */
	resend_first_hole(c);
	c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
	if (acked >= c->snd_mss)
		c->cwnd += c->snd_mss;
	c->cwnd = RTE_MAX(c->cwnd, (uint32_t)c->snd_mss);
}

void
tcp_recovery_dupack(struct dtcp_conn *c, bool new_sack)
{
	c->dupacks = (uint16_t)RTE_MIN(c->dupacks + 1, UINT16_MAX);
	if (c->in_recovery) {
		if (c->flags & TCPF_SACK_OK) {
			sack_recovery_send(c);
		} else {
			/* RFC 6582 step 4: each duplicate means a segment left the network. */
			c->cwnd += c->snd_mss;
			tcp_output(c);
		}
		return;
	}
	/*
	 * Enter recovery on the third duplicate, or earlier once SACK shows
	 * the first hole lost; but not for data sent before the last
	 * reduction (RFC 6582 step 2: SND.UNA - 1 must be past "recover").
	 */
	if ((c->dupacks >= dup_thresh(c) ||
	     ((c->flags & TCPF_SACK_OK) && new_sack && sack_is_lost(c, c->snd_una))) &&
	    dtcp_seq_gt(c->snd_una, c->recover)) {
		recovery_enter(c);
		return;
	}
	/* Limited transmit (RFC 3042): one new segment for each of the first two, cwnd or not. */
	if (c->dupacks < DUP_THRESH)
		tcp_send_new(c, c->snd_mss);
}

void
tcp_recovery_rto(struct dtcp_conn *c)
{
	uint32_t sacked = 0;

	/*
	 * Outside recovery with DupThresh segments SACKed: a raised DupThresh
	 * kept a real loss from being repaired early. Back to the default.
	 */
	for (unsigned int i = 0; i < c->nb_sacked; i++)
		sacked += c->sacked[i].end - c->sacked[i].start;
	if (!c->in_recovery && sacked >= DUP_THRESH * (uint32_t)c->snd_mss)
		c->reordering = 0;
	c->in_recovery = false;
	c->undo_armed = false;
	c->dupacks = 0;
	c->nb_sacked = 0;
	c->recover = c->snd_max;
	/* Everything up to SND.MAX goes again: a hole filled below it is no sign of reordering. */
	c->high_rxt = c->snd_max;
}
