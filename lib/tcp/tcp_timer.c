/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers on the lcore's timer wheel (1 ms tick).
 *
 * One retransmission timer per connection serves, by state: SYN and
 * SYN-ACK retransmission with exponential backoff and a retry limit; data
 * retransmission (RFC 6298: RTO from SRTT/RTTVAR, Karn's rule, backoff,
 * bounds from [tcp] rto_*); the persist probe for a closed peer window; and
 * the orphaned FIN_WAIT_2 timeout. A second timer drives keepalive, a third
 * the delayed ACK ([tcp] delack_ms). TIME_WAIT entries have their own timer
 * for 2*MSL.
 */
#include <errno.h>
#include <stddef.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

#define conn_of(timer, field)                                                                      \
	((struct dtcp_conn *)((char *)(timer)-offsetof(struct dtcp_conn, field)))

static const struct dtcp_config *
cfg_of(const struct dtcp_conn *c)
{
	return &c->lc->stack->cfg;
}

void
tcp_arm_rtx(struct dtcp_conn *c)
{
	uint64_t rto = c->rto_us;

	/* Exponential backoff, capped (RFC 6298 rule 5.5 and 2.5). */
	for (unsigned int i = 0; i < c->nb_rtx && rto < (uint64_t)cfg_of(c)->tcp_rto_max_ms * 1000;
	     i++)
		rto <<= 1;
	rto = RTE_MIN(rto, (uint64_t)cfg_of(c)->tcp_rto_max_ms * 1000);
	dtcp_timer_arm(&c->lc->tcp.wheel, &c->rtx_timer, c->lc->now_us + rto);
}

/* RFC 6298 section 2: SRTT and RTTVAR from a measurement, RTO from them. */
void
tcp_rtt_sample(struct dtcp_conn *c, uint32_t rtt_us)
{
	const struct dtcp_config *cfg = cfg_of(c);
	uint64_t rto;

	if (rtt_us == 0)
		rtt_us = 1;
	if (c->srtt_us == 0) {
		c->srtt_us = rtt_us;
		c->rttvar_us = rtt_us / 2;
	} else {
		uint32_t err = c->srtt_us > rtt_us ? c->srtt_us - rtt_us : rtt_us - c->srtt_us;

		c->rttvar_us = (3 * c->rttvar_us + err) / 4;
		c->srtt_us = (7 * c->srtt_us + rtt_us) / 8;
	}
	/* G (clock granularity) is the wheel's 1 ms tick. */
	rto = (uint64_t)c->srtt_us + RTE_MAX(1000u, 4 * c->rttvar_us);
	rto = RTE_MAX(rto, (uint64_t)cfg->tcp_rto_min_ms * 1000);
	rto = RTE_MIN(rto, (uint64_t)cfg->tcp_rto_max_ms * 1000);
	c->rto_us = (uint32_t)rto;
}

static void
tcp_rtx_expired(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer, uint64_t now_us)
{
	struct dtcp_conn *c = conn_of(timer, rtx_timer);
	const struct dtcp_config *cfg = cfg_of(c);
	unsigned int limit, tries = c->nb_rtx;

	(void)wheel;
	(void)now_us;
	switch (c->state) {
	case DTCP_TCP_SYN_SENT:
		limit = cfg->tcp_syn_retries;
		break;
	case DTCP_TCP_SYN_RECEIVED:
		limit = cfg->tcp_synack_retries;
		break;
	case DTCP_TCP_FIN_WAIT_2:
		/* Only armed for orphans: the application will never close it. */
		dtcp_count(c->lc, DTCP_CTR_TCP_FIN_WAIT2_TIMEOUTS);
		tcp_conn_closed(c);
		return;
	default:
		limit = cfg->tcp_retries;
		if (c->snd_una == c->snd_max && c->sndq_len == 0)
			return; /* everything acknowledged meanwhile */
		if (c->snd_una == c->snd_max && c->snd_wnd > 0) {
			/* Silly window avoidance's override: nothing was lost, no backoff. */
			tcp_retransmit(c);
			return;
		}
		/*
		 * Persist: the peer's window is shut with data waiting and at
		 * most the last probe's byte out. It may keep it shut for ever
		 * as long as it answers the probes (RFC 9293 3.8.6.1, RFC 1122
		 * 4.2.2.17), so only unanswered probes count towards the limit;
		 * nb_rtx is just the backoff.
		 */
		if (c->snd_wnd == 0 && c->sndq_len > 0 && c->snd_max - c->snd_una <= 1) {
			tries = c->nb_probes;
			if (tries < limit) {
				c->nb_probes++;
				c->nb_rtx = (uint8_t)RTE_MIN(c->nb_rtx + 1, 16);
				tcp_retransmit(c);
				tcp_arm_rtx(c);
				return;
			}
		}
	}
	if (tries >= limit) {
		dtcp_count(c->lc, DTCP_CTR_TCP_TIMEOUTS);
		if (c->state == DTCP_TCP_SYN_RECEIVED) {
			tcp_conn_closed(c); /* a half-open connection dies silently */
			return;
		}
		if (c->state != DTCP_TCP_SYN_SENT)
			tcp_send_rst(c, DTCP_CTR_TCP_TX_RST_TIMEOUT);
		tcp_conn_fail(c, ETIMEDOUT);
		return;
	}
	if (c->state != DTCP_TCP_SYN_SENT && c->state != DTCP_TCP_SYN_RECEIVED) {
		dtcp_count(c->lc, DTCP_CTR_TCP_RTO_EXPIRED);
		tcp_cc_timeout(c, c->nb_rtx == 0);
		tcp_recovery_rto(c);
	}
	c->nb_rtx++;
	tcp_retransmit(c);
	tcp_arm_rtx(c);
}

static void
tcp_keep_expired(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer, uint64_t now_us)
{
	struct dtcp_conn *c = conn_of(timer, keep_timer);
	uint64_t idle_us = now_us - c->last_rx_us;

	if (!(c->flags & TCPF_KEEPALIVE) || c->state != DTCP_TCP_ESTABLISHED)
		return;
	if (idle_us < (uint64_t)c->keep_idle_s * US_PER_S) {
		dtcp_timer_arm(wheel, timer, c->last_rx_us + (uint64_t)c->keep_idle_s * US_PER_S);
		return;
	}
	if (c->keep_probes >= c->keep_cnt) {
		dtcp_count(c->lc, DTCP_CTR_TCP_TIMEOUTS);
		tcp_send_rst(c, DTCP_CTR_TCP_TX_RST_TIMEOUT);
		tcp_conn_fail(c, ETIMEDOUT);
		return;
	}
	c->keep_probes++;
	dtcp_count(c->lc, DTCP_CTR_TCP_TX_KEEPALIVES);
	tcp_send_keepalive(c);
	dtcp_timer_arm(wheel, timer, now_us + (uint64_t)c->keep_intvl_s * US_PER_S);
}

void
tcp_keepalive_reset(struct dtcp_conn *c)
{
	c->keep_probes = 0;
	if ((c->flags & TCPF_KEEPALIVE) && c->state == DTCP_TCP_ESTABLISHED &&
	    !dtcp_timer_armed(&c->keep_timer))
		dtcp_timer_arm(&c->lc->tcp.wheel, &c->keep_timer,
			       c->lc->now_us + (uint64_t)c->keep_idle_s * US_PER_S);
}

/* Delayed ACK due: nothing went out meanwhile to carry it (tcp_fill_common() cancels). */
static void
tcp_delack_expired(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer, uint64_t now_us)
{
	struct dtcp_conn *c = conn_of(timer, delack_timer);

	(void)wheel;
	(void)now_us;
	if (c->lc == NULL || c->state == DTCP_TCP_CLOSED)
		return;
	dtcp_count(c->lc, DTCP_CTR_TCP_TX_DELAYED_ACKS);
	tcp_send_ack(c);
}

void
tcp_delack_arm(struct dtcp_conn *c)
{
	dtcp_timer_arm(&c->lc->tcp.wheel, &c->delack_timer,
		       c->lc->now_us + (uint64_t)cfg_of(c)->tcp_delack_ms * 1000);
}

void
tcp_timers_init(struct dtcp_conn *c)
{
	dtcp_timer_init(&c->rtx_timer, tcp_rtx_expired);
	dtcp_timer_init(&c->keep_timer, tcp_keep_expired);
	dtcp_timer_init(&c->delack_timer, tcp_delack_expired);
}

static void
tcp_tw_expired(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer, uint64_t now_us)
{
	struct dtcp_tw *tw = (struct dtcp_tw *)((char *)timer - offsetof(struct dtcp_tw, timer));
	struct dtcp_lcore *lc =
		(struct dtcp_lcore *)((char *)wheel - offsetof(struct dtcp_lcore, tcp.wheel));

	(void)now_us;
	tcp_tw_free(lc, tw);
}

void
tcp_tw_arm(struct dtcp_lcore *lc, struct dtcp_tw *tw)
{
	if (tw->timer.cb == NULL)
		dtcp_timer_init(&tw->timer, tcp_tw_expired);
	dtcp_timer_arm(&lc->tcp.wheel, &tw->timer,
		       lc->now_us + (uint64_t)lc->stack->cfg.tcp_time_wait_s * US_PER_S);
}

/* log2 histogram of SYN-to-ESTABLISHED times. */
void
tcp_handshake_sample(struct dtcp_conn *c, bool active)
{
	uint64_t us = c->lc->now_us - c->open_us;
	unsigned int b = us == 0 ? 0 : 64 - (unsigned int)__builtin_clzll(us);

	c->lc->tcp.handshake_us[active][RTE_MIN(b, (unsigned int)TCP_HANDSHAKE_BUCKETS - 1)]++;
}
