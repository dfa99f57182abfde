/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies on the wire (lib/tcp/tcp_syncookie.c): the exact SYN-ACK a
 * cookie SYN gets, written into the SYN's own mbuf with nothing allocated
 * or kept; the final ACK making an ESTABLISHED connection with the options
 * the cookie carried and the data that ACK carried; stale, forged and
 * replayed ACKs reset; auto mode switching to cookies when the SYN queue,
 * the table or the mbuf pool runs out.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dtcp_test.h"
#include "frames.h"
#include "tcp/isn.h"
#include "tcp/syncookie.h"
#include "tcp_helpers.h"

static const uint8_t cookie_key_bytes[16] = {0xc0, 0x0c, 0x1e, 3,  4,  5,  6,  7,
					     8,	   9,	 10,   11, 12, 13, 14, 15};

static void
cookie_config(struct dtcp_config *cfg, enum dtcp_syncookie_mode mode)
{
	tt_config(cfg);
	cfg->tcp_syncookies = mode;
}

/* Fix the cookie secret of the current period, so cookies are known in advance. */
static void
fix_cookie_key(struct tt *t)
{
	struct dtcp_syncookie_jar *jar = &t->lc->tcp.cookies;
	struct dtcp_siphash_key key = dtcp_siphash_key_from_bytes(cookie_key_bytes);

	dtcp_syncookie_set_key(jar, dtcp_syncookie_period(jar, t->h.now_us), &key);
}

/* The cookie the stack must pick for the peer's SYN now (same secret, own jar), and t->ts_offset. */
static uint32_t
expected_cookie(struct tt *t, uint16_t peer_mss)
{
	const struct dtcp_syncookie_jar *live = &t->lc->tcp.cookies;
	struct dtcp_syncookie_jar jar;
	struct dtcp_syncookie_flow flow = {
		.local_addr = OUR_IP,
		.remote_addr = PEER_IP,
		.local_port = rte_cpu_to_be_16(t->lport),
		.remote_port = rte_cpu_to_be_16(t->rport),
		.peer_isn = TT_PEER_ISS,
	};
	struct dtcp_siphash_key key = dtcp_siphash_key_from_bytes(cookie_key_bytes);

	dtcp_syncookie_jar_init(&jar, (uint32_t)(live->period_us / 1000000));
	dtcp_syncookie_set_key(&jar, dtcp_syncookie_period(&jar, t->h.now_us), &key);
	return dtcp_syncookie_make(&jar, t->h.now_us, &flow,
				   dtcp_syncookie_mss_index(peer_mss ? peer_mss : 536),
				   &t->ts_offset);
}

/* Connections in any state, over the whole lcore. */
static uint64_t
conns_in_table(const struct tt *t)
{
	uint64_t n = 0;

	for (unsigned int s = 0; s < DTCP_TCP_STATE__MAX; s++)
		if (s != DTCP_TCP_CLOSED && s != DTCP_TCP_LISTEN)
			n += t->lc->tcp.state_count[s];
	return n + (uint64_t)rte_hash_count(t->lc->tcp.conn_hash);
}

/*
 * The peer's SYN with @p o, and the cookie SYN-ACK it must get, checked
 * byte for byte. Leaves t set up for the final ACK (snd_nxt = cookie + 1)
 * and returns the SYN-ACK's TSval, which that ACK must echo.
 */
static uint32_t
cookie_syn(struct tt *t, const struct tt_opts *o)
{
	struct dtcp_tcp_repr syn, synack;
	struct dtcp_syncookie_opts opts = {
		.wscale_ok = o->ws >= 0,
		.wscale = o->ws >= 0 ? (uint8_t)o->ws : 0,
		.sack_ok = o->sack,
	};

	if (t->l == NULL) {
		t->l = dtcp_listen(t->lc, 0, TT_LPORT, 16, t);
		CHECK(t->l != NULL);
	}
	t->lport = TT_LPORT;
	if (t->rport == 0)
		t->rport = TT_RPORT;
	t->ts = false;
	t->rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(t, DTCP_TCP_SYN);
	tt_add_opts(t, &syn, o);
	t->iss = expected_cookie(t, o->mss);
	tt_input(t, &syn, 0);

	t->snd_nxt = t->iss;
	t->rcv_nxt = TT_PEER_ISS + 1;
	t->our_win = tt_syn_win(t);
	synack = tt_want(t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	synack.has_mss = true;
	synack.mss = TT_OUR_MSS;
	/* Only timestamps can carry WS and SACK-Permitted through a cookie. */
	if (o->ts) {
		synack.has_ts = true;
		synack.ts_val = dtcp_syncookie_ts_encode(tt_ts_now(t), &opts);
		synack.ts_ecr = t->peer_ts;
		synack.has_wscale = o->ws >= 0;
		synack.wscale = o->ws >= 0 ? t->rcv_ws : 0;
		synack.sack_permitted = o->sack;
	}
	tt_expect(t, &synack, NULL, 0);
	tt_expect_none(t);
	t->snd_nxt = t->iss + 1;
	t->ts = o->ts;
	t->our_win = tt_win(t, o->ts && o->ws >= 0);
	return synack.ts_val;
}

/* The peer's final ACK: what tt_seg() makes, echoing the SYN-ACK's TSval. */
static struct dtcp_tcp_repr
final_ack(const struct tt *t, uint8_t flags, uint32_t synack_ts)
{
	struct dtcp_tcp_repr ack = tt_seg(t, flags);

	ack.ts_ecr = synack_ts;
	return ack;
}

/*
 * syncookies = always: the SYN's own mbuf comes back as the SYN-ACK; the
 * stack's pool is untouched, no connection, no timer.
 */
static void
test_always_syn_ack_in_place(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr syn;
	uint8_t frame[64 + TT_MAX_SEG];
	struct rte_mbuf *in, *out = NULL;
	unsigned int stack_free, inject_free;
	size_t len;

	cookie_config(&cfg, DTCP_SYNCOOKIE_ALWAYS);
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	CHECK(t.l != NULL);
	t.lport = TT_LPORT;
	t.rport = TT_RPORT;
	t.rcv_nxt = TT_PEER_ISS;
	syn = tt_seg(&t, DTCP_TCP_SYN);
	tt_add_opts(&t, &syn, &tt_full);
	len = tt_frame(frame, &syn, true);
	in = rte_pktmbuf_alloc(t.h.pool);
	CHECK(in != NULL);
	if (in == NULL)
		goto out;
	memcpy(rte_pktmbuf_append(in, (uint16_t)len), frame, len);
	stack_free = rte_mempool_avail_count(t.lc->pool);
	inject_free = rte_mempool_avail_count(t.h.pool);
	CHECK_EQ(rte_ring_enqueue(t.h.rx[0], in), 0);
	tt_poll(&t, 0);
	tt_flush(&t);
	CHECK_EQ(rte_ring_dequeue(t.h.tx[0], (void **)&out), 0);
	CHECK(out == in); /* the very mbuf that brought the SYN */
	CHECK_EQ(rte_mempool_avail_count(t.lc->pool), stack_free);
	CHECK_EQ(rte_mempool_avail_count(t.h.pool), inject_free);
	CHECK_EQ(conns_in_table(&t), 0);
	CHECK_EQ(t.l->nb_half_open, 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_SENT), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYN_QUEUE_OVERFLOWS), 0);
	CHECK_EQ(harness_drops(&t.h), 0);
	/* Put it back for tt_expect(), which checks every byte. */
	if (out != NULL)
		CHECK_EQ(rte_ring_enqueue(t.h.tx[0], out), 0);
	{
		struct dtcp_syncookie_opts opts = {.wscale_ok = true, .wscale = 7, .sack_ok = true};
		struct dtcp_tcp_repr synack;

		t.iss = t.snd_nxt = expected_cookie(&t, 1460);
		t.rcv_nxt = TT_PEER_ISS + 1;
		t.our_win = tt_syn_win(&t);
		synack = tt_want(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
		synack.has_mss = true;
		synack.mss = TT_OUR_MSS;
		synack.has_wscale = true;
		synack.wscale = t.rcv_ws;
		synack.sack_permitted = true;
		synack.has_ts = true;
		synack.ts_val = dtcp_syncookie_ts_encode(tt_ts_now(&t), &opts);
		synack.ts_ecr = TT_PEER_TS;
		tt_expect(&t, &synack, NULL, 0);
		/* MSS index 6 (1460) and the period's low bits, under the MAC. */
		CHECK_EQ(t.got.seq & 7, 6);
		CHECK_EQ(t.got.ts_val & 0x3f, 0x10 | 7);
	}
	tt_expect_none(&t);
	/* No timer either: a minute on, nothing is sent again. */
	tt_poll(&t, 60 * 1000000ull);
	tt_expect_none(&t);
out:
	tt_down(&t);
}

/*
 * The final ACK carries 100 bytes: ESTABLISHED with MSS, window scale,
 * SACK-permitted and timestamps recovered, the data delivered and acked.
 */
static void
test_valid_ack_establishes_with_data(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr ack, want;
	uint8_t data[100], got[200], reply[10];
	uint32_t synack_ts;

	cookie_config(&cfg, DTCP_SYNCOOKIE_ALWAYS);
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	synack_ts = cookie_syn(&t, &tt_full);
	tt_pattern(data, sizeof(data), 7);
	t.peer_ts += 3;
	ack = final_ack(&t, DTCP_TCP_ACK | DTCP_TCP_PSH, synack_ts);
	ack.payload = data;
	ack.payload_len = sizeof(data);
	t.rcv_nxt += sizeof(data);
	tt_input(&t, &ack, 1000);
	/* The data is acknowledged at once, with the scaled window less what it takes. */
	t.our_win = (uint16_t)((t.rcv_buf - sizeof(data)) >> TT_WS);
	tt_expect_ack(&t);
	t.our_win = tt_win(&t, true);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	CHECK(t.c != NULL);
	if (t.c == NULL)
		goto out;
	CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
	CHECK_EQ(t.c->snd_mss, 1460 - 12);
	CHECK(t.c->flags & TCPF_WSCALE_OK);
	CHECK(t.c->flags & TCPF_SACK_OK);
	CHECK(t.c->flags & TCPF_TS_OK);
	CHECK(t.c->flags & TCPF_COOKIE);
	CHECK_EQ(t.c->snd_wscale, 7);
	CHECK_EQ(t.c->rcv_wscale, TT_WS);
	CHECK_EQ(t.c->snd_wnd, 65535u << 7);
	CHECK_EQ(t.c->iss, t.iss);
	CHECK_EQ(t.c->irs, TT_PEER_ISS);
	CHECK_EQ(t.l->nb_half_open, 0);
	CHECK_EQ(dtcp_read(t.c, got, sizeof(got)), (ssize_t)sizeof(data));
	CHECK(memcmp(got, data, sizeof(data)) == 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_VALIDATED), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_ESTABLISHED), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_PASSIVE_OPENS), 0);
	/* Our first data starts right after the cookie. */
	tt_pattern(reply, sizeof(reply), 9);
	CHECK_EQ(dtcp_write(t.c, reply, sizeof(reply)), (ssize_t)sizeof(reply));
	tt_poll(&t, 0);
	want = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_PSH);
	CHECK_EQ(want.seq, t.iss + 1);
	tt_expect(&t, &want, reply, sizeof(reply));
	t.snd_nxt += sizeof(reply);
	tt_expect_none(&t);
	CHECK_EQ(harness_drops(&t.h), 0);
	dtcp_abort(t.c);
	t.c = NULL;
	tt_poll(&t, 0);
	CHECK(tt_take(&t) && (t.got.flags & DTCP_TCP_RST));
out:
	tt_down(&t);
}

/*
 * A SYN without timestamps: the cookie SYN-ACK offers MSS only, and the
 * connection runs without window scaling or SACK, with the table's MSS.
 */
static void
test_no_timestamps_mss_only(void)
{
	static const struct tt_opts no_ts = {.mss = 1400, .ws = 7, .sack = true, .ts = false};
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr ack;

	cookie_config(&cfg, DTCP_SYNCOOKIE_ALWAYS);
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	(void)cookie_syn(&t, &no_ts);
	ack = tt_seg(&t, DTCP_TCP_ACK);
	ack.window = 1000; /* unscaled */
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	CHECK(t.c != NULL);
	if (t.c != NULL) {
		CHECK_EQ(tt_state(&t), DTCP_TCP_ESTABLISHED);
		CHECK_EQ(t.c->snd_mss, 1400);
		CHECK(!(t.c->flags & (TCPF_WSCALE_OK | TCPF_SACK_OK | TCPF_TS_OK)));
		CHECK_EQ(t.c->snd_wscale, 0);
		CHECK_EQ(t.c->rcv_wscale, 0);
		CHECK_EQ(t.c->snd_wnd, 1000);
		dtcp_abort(t.c);
		t.c = NULL;
		tt_poll(&t, 0);
		CHECK(tt_take(&t) && (t.got.flags & DTCP_TCP_RST));
	}
	tt_down(&t);
}

/* A RST answering an ACK that reached the listener: <SEQ=SEG.ACK><CTL=RST>. */
static void
expect_reset_of(struct tt *t, const struct dtcp_tcp_repr *ack)
{
	struct dtcp_tcp_repr rst = {
		.src_port = t->lport,
		.dst_port = t->rport,
		.seq = ack->ack,
		.flags = DTCP_TCP_RST,
	};

	tt_expect(t, &rst, NULL, 0);
}

/*
 * [tcp] syncookie_period_s = 1. The ACK is replayed two periods later:
 * stale, reset, no connection. A forged cookie (one bit off) is reset too.
 */
static void
test_replayed_after_expiry_and_forged(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr ack, forged;

	cookie_config(&cfg, DTCP_SYNCOOKIE_ALWAYS);
	cfg.tcp_syncookie_period_s = 1;
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	ack = final_ack(&t, DTCP_TCP_ACK, cookie_syn(&t, &tt_full));

	forged = ack;
	forged.ack ^= 1u << 20;
	tt_input(&t, &forged, 0);
	expect_reset_of(&t, &forged);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_REJECTED_MAC), 1);

	/* Two periods later the genuine ACK comes back: too old now. */
	tt_poll_until(&t, (t.h.now_us / 1000000 + 2) * 1000000); /* two periods on */
	tt_input(&t, &ack, 0);
	expect_reset_of(&t, &ack);
	tt_expect_none(&t);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_REJECTED_STALE), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_VALIDATED), 0);
	CHECK_EQ(conns_in_table(&t), 0);
	tt_expect_no_events(&t);
	tt_down(&t);
}

/* One period later the same ACK is still good: the previous period's cookies are accepted. */
static void
test_previous_period_accepted(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr ack;
	uint32_t synack_ts;

	cookie_config(&cfg, DTCP_SYNCOOKIE_ALWAYS);
	cfg.tcp_syncookie_period_s = 1;
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	synack_ts = cookie_syn(&t, &tt_full);
	tt_poll_until(&t, (t.h.now_us / 1000000 + 1) * 1000000 + 999000);
	t.peer_ts += 1999;
	ack = final_ack(&t, DTCP_TCP_ACK, synack_ts);
	tt_input(&t, &ack, 0);
	tt_expect_none(&t);
	tt_expect_events(&t, 0, DTCP_EV_ACCEPT);
	t.c = dtcp_accept(t.l, &t);
	CHECK(t.c != NULL && tt_state(&t) == DTCP_TCP_ESTABLISHED);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_VALIDATED), 1);
	if (t.c != NULL) {
		CHECK_EQ(t.c->snd_wscale, 7);
		CHECK(t.c->flags & TCPF_SACK_OK);
		dtcp_abort(t.c);
		t.c = NULL;
		tt_poll(&t, 0);
		CHECK(tt_take(&t) && (t.got.flags & DTCP_TCP_RST));
	}
	tt_down(&t);
}

/*
 * syncookies = auto, syn_backlog = 2: two SYNs take the SYN queue, the
 * third gets a cookie; all three complete. An ACK out of nowhere while no
 * cookie is out is simply reset, not counted as a rejected cookie.
 */
static void
test_auto_queue_full(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr ack1, ack2, ack3, stray;

	cookie_config(&cfg, DTCP_SYNCOOKIE_AUTO);
	cfg.tcp_syn_backlog = 2;
	if (tt_up(&t, &cfg) != 0)
		return;

	t.rport = TT_RPORT + 50;
	t.lport = TT_LPORT;
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.snd_nxt = 0x11111111;
	stray = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &stray, 0);
	expect_reset_of(&t, &stray);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_REJECTED_MAC), 0);

	fix_cookie_key(&t);
	t.rport = TT_RPORT;
	tt_passive_syn(&t, &tt_full);
	ack1 = tt_seg(&t, DTCP_TCP_ACK);
	t.rport = TT_RPORT + 1;
	tt_passive_syn(&t, &tt_full);
	ack2 = tt_seg(&t, DTCP_TCP_ACK);
	CHECK_EQ(t.l->nb_half_open, 2);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_SENT), 0);
	t.rport = TT_RPORT + 2;
	ack3 = final_ack(&t, DTCP_TCP_ACK, cookie_syn(&t, &tt_full));
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYN_QUEUE_OVERFLOWS), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_SENT), 1);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_SYN_RECEIVED], 2);

	tt_input(&t, &ack3, 0);
	tt_input(&t, &ack1, 0);
	tt_input(&t, &ack2, 0);
	tt_expect_none(&t);
	CHECK_EQ(t.lc->tcp.state_count[DTCP_TCP_ESTABLISHED], 3);
	CHECK_EQ(t.l->nb_half_open, 0);
	CHECK_EQ(t.l->nb_accept, 3);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_VALIDATED), 1);
	CHECK_EQ(harness_drops(&t.h), 1); /* the stray ACK */
	for (int i = 0; i < 3; i++) {
		struct dtcp_conn *c = dtcp_accept(t.l, &t);

		CHECK(c != NULL);
		if (c != NULL)
			dtcp_abort(c);
		tt_poll(&t, 0);
		CHECK(tt_take(&t) && (t.got.flags & DTCP_TCP_RST));
	}
	tt_down(&t);
}

/* syncookies = auto, [tcp] max_conns = 16: the 17th SYN gets a cookie instead of a drop. */
static void
test_auto_table_full(void)
{
	struct dtcp_config cfg;
	struct tt t;
	uint32_t synack_ts;

	cookie_config(&cfg, DTCP_SYNCOOKIE_AUTO);
	cfg.tcp_max_conns = 16;
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	for (uint16_t i = 0; i < 16; i++) {
		t.rport = (uint16_t)(TT_RPORT + i);
		tt_passive_syn(&t, &tt_plain);
	}
	t.rport = TT_RPORT + 16;
	synack_ts = cookie_syn(&t, &tt_full);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_TABLE_FULL), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_SENT), 1);
	/* Its ACK finds the table still full: dropped, counted, no reply. */
	{
		struct dtcp_tcp_repr ack = final_ack(&t, DTCP_TCP_ACK, synack_ts);

		tt_input(&t, &ack, 0);
		tt_expect_none(&t);
		CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_VALIDATED), 1);
		CHECK_EQ(tt_ctr(&t, DTCP_CTR_DROP_TCP_TABLE_FULL), 1);
	}
	dtcp_unlisten(t.l);
	t.l = NULL;
	tt_poll(&t, 0);
	for (int i = 0; i < 16; i++)
		CHECK(tt_take(&t) && (t.got.flags & DTCP_TCP_RST));
	tt_expect_none(&t);
	tt_down(&t);
}

/*
 * syncookies = auto: with the mbuf pool below an eighth of its size the
 * listener stops keeping state and answers with cookies; once mbufs come
 * back it keeps state again.
 */
static void
test_auto_pool_low(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct rte_mbuf **held;
	unsigned int nb_held = 0, keep;

	cookie_config(&cfg, DTCP_SYNCOOKIE_AUTO);
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	keep = t.lc->pool->size / 8 - 1;
	held = calloc(t.lc->pool->size, sizeof(*held));
	CHECK(held != NULL);
	if (held == NULL)
		goto out;
	while (rte_mempool_avail_count(t.lc->pool) > keep) {
		held[nb_held] = rte_pktmbuf_alloc(t.lc->pool);
		if (held[nb_held] == NULL)
			break;
		nb_held++;
	}
	tt_poll(&t, 1000); /* the low-water check runs at most every millisecond */
	t.rport = TT_RPORT;
	(void)cookie_syn(&t, &tt_full);
	CHECK_EQ(conns_in_table(&t), 0);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_SENT), 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYN_QUEUE_OVERFLOWS), 0);
	while (nb_held > 0)
		rte_pktmbuf_free(held[--nb_held]);
	tt_poll(&t, 1000);
	t.rport = TT_RPORT + 1;
	tt_passive_syn(&t, &tt_full);
	CHECK_EQ(t.l->nb_half_open, 1);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_SENT), 1);
	dtcp_unlisten(t.l);
	t.l = NULL;
	tt_poll(&t, 0);
	CHECK(tt_take(&t) && (t.got.flags & DTCP_TCP_RST));
	tt_expect_none(&t);
out:
	free(held);
	tt_down(&t);
}

/* syncookies = never: an ACK to a listener is reset as before, never checked as a cookie. */
static void
test_never_resets_acks(void)
{
	struct dtcp_config cfg;
	struct tt t;
	struct dtcp_tcp_repr ack;

	cookie_config(&cfg, DTCP_SYNCOOKIE_NEVER);
	if (tt_up(&t, &cfg) != 0)
		return;
	fix_cookie_key(&t);
	t.l = dtcp_listen(t.lc, 0, TT_LPORT, 16, &t);
	t.lport = TT_LPORT;
	t.rport = TT_RPORT;
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.snd_nxt = expected_cookie(&t, 1460) + 1; /* would be valid */
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 0);
	expect_reset_of(&t, &ack);
	CHECK_EQ(tt_ctr(&t, DTCP_CTR_TCP_SYNCOOKIES_VALIDATED), 0);
	CHECK_EQ(conns_in_table(&t), 0);
	tt_down(&t);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_always_syn_ack_in_place);
	RUN_TEST(test_valid_ack_establishes_with_data);
	RUN_TEST(test_no_timestamps_mss_only);
	RUN_TEST(test_replayed_after_expiry_and_forged);
	RUN_TEST(test_previous_period_accepted);
	RUN_TEST(test_auto_queue_full);
	RUN_TEST(test_auto_table_full);
	RUN_TEST(test_auto_pool_low);
	RUN_TEST(test_never_resets_acks);
	return TEST_EXIT();
}
