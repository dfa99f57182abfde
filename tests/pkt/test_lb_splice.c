/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet-level tests of dtcp-lb's proxy (app/dtcp-lb/lb_proxy.c) inside the
 * harness: the stack on a ring port with a virtual clock, the proxy as its
 * application (its poll runs in every dtcp_lcore_poll()), and the harness
 * peer (PEER_IP) playing both the client (port TT_RPORT -> our TT_LPORT) and
 * the one backend (our ephemeral port -> TT_SRV_PORT). struct side keeps each
 * connection's sequence state; sw() loads one into the tt helpers.
 *
 * What is proved, with exact segments: the pair is set up (client handshake,
 * then our SYN to the backend, its SYN-ACK, our ACK); data goes both ways
 * byte-exact and without a copy (the frame that leaves carries an indirect
 * mbuf attached to the very mbuf the data arrived in; payload_copies stays 0);
 * client data sent before the backend is connected waits in the client
 * connection; a backend with a zero window stops us reading the client (the
 * window we advertise to the client closes) and opening it resumes the flow
 * with every byte in order; a client FIN reaches the backend after all data,
 * and the backend's answer and FIN reach the client; a reset on either side
 * resets the other; an idle pair is reset both ways on the stack's clock.
 * Every test ends with the mempools back at their start counts.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dtcp_test.h"
#include "frames.h"
#include "lb_backend.h"
#include "lb_proxy.h"
#include "tcp/isn.h"
#include "tcp_helpers.h"

#define MS (1000ull)
#define S  (1000000ull)

/* One connection as the test sees it (the tt fields that differ per connection). */
struct side {
	uint16_t lport, rport;
	uint32_t iss, snd_nxt, rcv_nxt;
	uint16_t peer_win, our_win;
};

static struct tt t;
static struct side cs, bs, *cur; /* client, backend, the one loaded in t */
static struct lb_backends *be;
static struct lb_proxy *px;

static void
sw(struct side *s)
{
	if (cur != NULL)
		*cur = (struct side){t.lport,	t.rport,    t.iss,    t.snd_nxt,
				     t.rcv_nxt, t.peer_win, t.our_win};
	t.lport = s->lport;
	t.rport = s->rport;
	t.iss = s->iss;
	t.snd_nxt = s->snd_nxt;
	t.rcv_nxt = s->rcv_nxt;
	t.peer_win = s->peer_win;
	t.our_win = s->our_win;
	cur = s;
}

static uint64_t
lb_ctr(enum lb_counter c)
{
	uint64_t ctr[LB_CTR__MAX];

	lb_proxy_counters(px, ctr);
	return ctr[c];
}

/* The stack with the proxy on lcore 0, listening on TT_LPORT, one backend PEER_IP:TT_SRV_PORT. */
static int
lbt_up(uint32_t snd_buf, uint32_t rcv_buf, uint64_t idle_us)
{
	struct lb_options opt;
	struct dtcp_config cfg;

	tt_config(&cfg);
	cfg.tcp_snd_buf = snd_buf;
	cfg.tcp_rcv_buf = rcv_buf;
	if (tt_up(&t, &cfg) != 0)
		return -1;
	lb_options_init(&opt);
	opt.nb_backends = 1;
	opt.backends[0].addr = PEER_IP;
	opt.backends[0].port = TT_SRV_PORT;
	be = calloc(1, sizeof(*be));
	CHECK(be != NULL);
	if (be == NULL)
		return -1;
	lb_backends_init(be, &opt, 42, false);
	px = lb_proxy_create(t.h.stack,
			     &(struct lb_proxy_options){.listen_port = TT_LPORT,
							.max_pairs = 16,
							.connect_retries = 1,
							.idle_us = idle_us},
			     be);
	CHECK(px != NULL);
	if (px == NULL)
		return -1;
	/* The harness polls by itself: call the init dtcp_stack_run() would. */
	CHECK_EQ(lb_proxy_lcore_init(t.lc, px), 0);
	memset(&cs, 0, sizeof(cs));
	memset(&bs, 0, sizeof(bs));
	cur = NULL;
	return 0;
}

/* Stop the proxy (its fini resets open pairs: @p rsts frames expected), then the stack. */
static void
lbt_down(unsigned int rsts)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	lb_proxy_lcore_fini(t.lc, px);
	tt_flush(&t);
	while ((m = harness_take(&t.h, 0)) != NULL) {
		n++;
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(n, rsts);
	dtcp_stack_set_app(t.h.stack, NULL);
	lb_proxy_destroy(px);
	px = NULL;
	free(be);
	be = NULL;
	tt_down(&t);
}

/* The frame tt_take() read is exactly @p want with @p payload. */
static void
check_got_at(const struct dtcp_tcp_repr *want, const void *payload, uint16_t len, const char *file,
	     int line)
{
	struct dtcp_tcp_repr w = *want;
	uint8_t frame[64 + TT_MAX_SEG];
	size_t n;

	w.payload = payload;
	w.payload_len = len;
	n = tt_frame(frame, &w, false);
	if (n != t.got_len || memcmp(frame, t.got_frame, n) != 0) {
		fprintf(stderr, "%s:%d: frame differs (flags 0x%x ports %u->%u seq %u ack %u)\n",
			file, line, t.got.flags, t.got.src_port, t.got.dst_port, t.got.seq,
			t.got.ack);
		dtcp_test_failures++;
	}
}
#define check_got(w, p, l) check_got_at(w, p, l, __FILE__, __LINE__)

/* A segment from the peer on the current side, injected in an mbuf the test keeps a pointer to. */
static struct rte_mbuf *
inject(uint8_t flags, const void *data, uint16_t len)
{
	struct dtcp_tcp_repr th = tt_seg(&t, flags);
	uint8_t buf[64 + TT_MAX_SEG];
	struct rte_mbuf *m = rte_pktmbuf_alloc(t.h.pool);
	size_t n;

	CHECK(m != NULL);
	if (m == NULL)
		return NULL;
	th.payload = data;
	th.payload_len = len;
	n = tt_frame(buf, &th, true);
	memcpy(rte_pktmbuf_append(m, (uint16_t)n), buf, n);
	CHECK_EQ(rte_ring_enqueue(t.h.rx[0], m), 0);
	t.rcv_nxt += len + ((flags & DTCP_TCP_FIN) ? 1 : 0);
	return m;
}

/*
 * The next frame carries @p len bytes of @p data on the current side, and
 * without a copy: header mbuf + one indirect mbuf attached to @p src (the
 * mbuf those bytes arrived in), pointing at its payload.
 */
static void
expect_spliced_at(const uint8_t *data, uint16_t len, struct rte_mbuf *src, uint8_t flags,
		  const char *file, int line)
{
	struct dtcp_tcp_repr w;
	struct rte_mbuf *m, *seg;

	tt_flush(&t);
	m = harness_take(&t.h, 0);
	if (m == NULL) {
		fprintf(stderr, "%s:%d: no data frame\n", file, line);
		dtcp_test_failures++;
		return;
	}
	seg = m->next;
	if (m->nb_segs != 2 || seg == NULL || !RTE_MBUF_CLONED(seg) ||
	    rte_mbuf_from_indirect(seg) != src ||
	    rte_pktmbuf_mtod(seg, uint8_t *) != rte_pktmbuf_mtod(src, uint8_t *) ||
	    seg->data_len != len) {
		fprintf(stderr,
			"%s:%d: payload not spliced: %u mbuf(s), second %s, attached to %p "
			"(want %p)\n",
			file, line, m->nb_segs,
			seg == NULL	       ? "none"
			: RTE_MBUF_CLONED(seg) ? "indirect"
					       : "direct",
			seg != NULL && RTE_MBUF_CLONED(seg) ? (void *)rte_mbuf_from_indirect(seg)
							    : NULL,
			(void *)src);
		dtcp_test_failures++;
	}
	/* Put it back in front of what follows it, for the byte-exact check. */
	{
		struct rte_mbuf *rest[64];
		unsigned int n = 0;

		while (n < RTE_DIM(rest) && (rest[n] = harness_take(&t.h, 0)) != NULL)
			n++;
		CHECK_EQ(rte_ring_enqueue(t.h.tx[0], m), 0);
		for (unsigned int i = 0; i < n; i++)
			CHECK_EQ(rte_ring_enqueue(t.h.tx[0], rest[i]), 0);
	}
	w = tt_want(&t, flags);
	tt_expect_at(&t, &w, data, len, file, line);
	t.snd_nxt += len;
}
#define expect_spliced(d, l, src, f) expect_spliced_at(d, l, src, f, __FILE__, __LINE__)

/*
 * Client handshake on TT_LPORT from @p rport; then our SYN to the backend
 * (checked exactly; its source port is ours to learn). With @p synack the
 * backend answers (window @p backend_win) and we ACK. Leaves cur = &bs.
 */
static void
open_pair(uint16_t rport, bool synack, uint16_t backend_win)
{
	uint64_t proxied = lb_ctr(LB_CTR_PROXIED);
	struct dtcp_tcp_repr seg, syn;

	sw(&cs);
	t.l = (struct dtcp_listener *)px; /* non-NULL: the proxy listens, not tt_passive_syn() */
	t.rport = rport;
	t.peer_win = 65535;
	tt_passive_syn(&t, &tt_plain);
	seg = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &seg, 1 * MS); /* ACCEPT -> the proxy connects at once */
	t.l = NULL;

	sw(&bs);
	if (!tt_take(&t))
		return;
	t.lport = t.got.src_port;
	t.rport = TT_SRV_PORT;
	t.ts_offset = dtcp_ts_offset(&t.lc->tcp.secret, OUR_IP, PEER_IP);
	t.iss = tt_isn(&t, t.lport, t.rport);
	t.snd_nxt = t.iss;
	t.rcv_nxt = 0;
	t.ts = false;
	CHECK_EQ(t.got.dst_port, TT_SRV_PORT);
	syn = tt_want_syn(&t);
	check_got(&syn, NULL, 0);
	tt_expect_none(&t);
	t.snd_nxt = t.iss + 1;
	t.peer_win = backend_win;
	if (!synack)
		return;
	t.rcv_nxt = TT_PEER_ISS;
	seg = tt_seg(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	tt_add_opts(&t, &seg, &tt_plain);
	tt_input(&t, &seg, 1 * MS);
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.our_win = tt_win(&t, false);
	tt_expect_ack(&t);
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_PROXIED), proxied + 1);
}

/* Client -> backend and backend -> client, each byte-exact and by reference. */
static void
test_splice_zero_copy(void)
{
	uint8_t up[1000], down[700];
	struct rte_mbuf *m;
	struct dtcp_tcp_repr ack;

	if (lbt_up(262144, 262144, 0) != 0)
		return;
	open_pair(TT_RPORT, true, 65535);
	CHECK_EQ(lb_ctr(LB_CTR_ACCEPTED), 1);
	CHECK_EQ(lb_ctr(LB_CTR_ACTIVE_PAIRS), 1);
	tt_pattern(up, sizeof(up), 3);
	tt_pattern(down, sizeof(down), 9);

	sw(&cs);
	m = inject(DTCP_TCP_ACK | DTCP_TCP_PSH, up, sizeof(up));
	tt_poll(&t, 1 * MS);
	tt_expect_ack(&t); /* the client's data acknowledged ... */
	sw(&bs);
	expect_spliced(up, sizeof(up), m, DTCP_TCP_ACK | DTCP_TCP_PSH); /* ... and forwarded */
	tt_expect_none(&t);
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 1 * MS);
	tt_expect_none(&t);

	m = inject(DTCP_TCP_ACK | DTCP_TCP_PSH, down, sizeof(down));
	tt_poll(&t, 1 * MS);
	tt_expect_ack(&t);
	sw(&cs);
	expect_spliced(down, sizeof(down), m, DTCP_TCP_ACK | DTCP_TCP_PSH);
	tt_expect_none(&t);
	ack = tt_seg(&t, DTCP_TCP_ACK);
	tt_input(&t, &ack, 1 * MS);
	tt_expect_none(&t);

	CHECK_EQ(lb_ctr(LB_CTR_BYTES_TO_BACKEND), sizeof(up));
	CHECK_EQ(lb_ctr(LB_CTR_BYTES_TO_CLIENT), sizeof(down));
	CHECK_EQ(lb_ctr(LB_CTR_PAYLOAD_COPIES), 0);
	{
		uint64_t b[LB_BCTR__MAX];

		lb_proxy_backend_counters(px, 0, b);
		CHECK_EQ(b[LB_BCTR_ACTIVE], 1);
		CHECK_EQ(b[LB_BCTR_TOTAL], 1);
		CHECK_EQ(b[LB_BCTR_BYTES_TO_BACKEND], sizeof(up));
		CHECK_EQ(b[LB_BCTR_BYTES_TO_CLIENT], sizeof(down));
	}
	lbt_down(2); /* both halves reset at the stop */
}

/*
 * Client data and FIN before the backend is connected wait in the client
 * connection; once it is, the backend gets the data, then the FIN. Its answer
 * and FIN reach the client; the pair ends when both sides are closed.
 */
static void
test_early_data_and_half_close(void)
{
	uint8_t req[500], resp[300];
	struct rte_mbuf *mreq, *mresp;
	struct dtcp_tcp_repr seg, w;

	if (lbt_up(262144, 262144, 0) != 0)
		return;
	open_pair(TT_RPORT, false, 65535);
	tt_pattern(req, sizeof(req), 5);
	tt_pattern(resp, sizeof(resp), 6);

	sw(&cs);
	mreq = inject(DTCP_TCP_ACK | DTCP_TCP_PSH, req, sizeof(req));
	tt_poll(&t, 1 * MS);
	t.our_win = (uint16_t)RTE_MIN(t.rcv_buf - sizeof(req), (uint32_t)UINT16_MAX);
	tt_expect_ack(&t);
	inject(DTCP_TCP_ACK | DTCP_TCP_FIN, NULL, 0);
	tt_poll(&t, 1 * MS);
	tt_expect_ack(&t);
	tt_expect_none(&t); /* nothing for the backend yet: it has not answered */

	sw(&bs);
	t.rcv_nxt = TT_PEER_ISS;
	seg = tt_seg(&t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	tt_add_opts(&t, &seg, &tt_plain);
	tt_input(&t, &seg, 1 * MS);
	t.rcv_nxt = TT_PEER_ISS + 1;
	t.our_win = tt_win(&t, false);
	tt_expect_ack(&t);
	expect_spliced(req, sizeof(req), mreq, DTCP_TCP_ACK | DTCP_TCP_PSH);
	w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_FIN); /* the FIN after all the data */
	tt_expect(&t, &w, NULL, 0);
	t.snd_nxt++;
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_HALF_CLOSES), 1);

	/* The backend answers and closes (acknowledging our data and FIN). */
	mresp = inject(DTCP_TCP_ACK | DTCP_TCP_PSH | DTCP_TCP_FIN, resp, sizeof(resp));
	tt_poll(&t, 1 * MS);
	tt_expect_ack(&t); /* backend side now TIME_WAIT */
	sw(&cs);
	expect_spliced(resp, sizeof(resp), mresp, DTCP_TCP_ACK | DTCP_TCP_PSH);
	w = tt_want(&t, DTCP_TCP_ACK | DTCP_TCP_FIN);
	tt_expect(&t, &w, NULL, 0);
	t.snd_nxt++;
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_HALF_CLOSES), 2);
	CHECK_EQ(lb_ctr(LB_CTR_ACTIVE_PAIRS), 1);

	seg = tt_seg(&t, DTCP_TCP_ACK); /* the client's last ACK: both halves closed */
	tt_input(&t, &seg, 1 * MS);
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_ACTIVE_PAIRS), 0);
	CHECK_EQ(lb_ctr(LB_CTR_PAIRS_CLOSED), 1);
	CHECK_EQ(lb_ctr(LB_CTR_BYTES_TO_BACKEND), sizeof(req));
	CHECK_EQ(lb_ctr(LB_CTR_BYTES_TO_CLIENT), sizeof(resp));
	lbt_down(0);
}

/*
 * The backend's window is zero: we take what our send buffer holds, then
 * stop reading the client, whose window closes. The backend opens its window:
 * every byte goes on in order, the client's window opens again.
 */
static void
test_backpressure(void)
{
	static uint8_t data[64 * 1024], got[64 * 1024];
	uint32_t sent = 0, recvd = 0;
	unsigned int rounds;
	bool reopened = false;
	uint16_t win = 4096;

	if (lbt_up(4096, 4096, 0) != 0)
		return;
	open_pair(TT_RPORT, true, 0);
	tt_pattern(data, sizeof(data), 1);

	/* The client sends while we advertise room; every answer is an ACK to it. */
	sw(&cs);
	for (rounds = 0; rounds < 40 && win > 0; rounds++) {
		uint16_t n = RTE_MIN(win, (uint16_t)1000);
		struct dtcp_tcp_repr w;

		inject(DTCP_TCP_ACK | DTCP_TCP_PSH, data + sent, n);
		sent += n;
		tt_poll(&t, 1 * MS);
		if (!tt_take(&t))
			break;
		w = tt_want(&t, DTCP_TCP_ACK);
		w.window = t.got.window;
		check_got(&w, NULL, 0);
		CHECK(t.got.window <= win); /* never reopened while the backend is stuck */
		win = t.got.window;
		tt_expect_none(&t); /* nothing to the backend: its window is zero */
	}
	CHECK_EQ(win, 0);
	CHECK(rounds < 40);
	/* Bounded: what the backend connection's buffer took plus the client's window. */
	CHECK(sent <= 4096 + 4096 + 1000);

	/* The backend opens its window. */
	sw(&bs);
	t.peer_win = 65535;
	for (rounds = 0; rounds < 100; rounds++) {
		struct dtcp_tcp_repr ack = tt_seg(&t, DTCP_TCP_ACK);
		struct rte_mbuf *m;
		bool any = false;

		tt_input(&t, &ack, 1 * MS);
		tt_flush(&t);
		while ((m = harness_take(&t.h, 0)) != NULL) {
			struct dtcp_tcp_repr th;
			uint8_t buf[64 + TT_MAX_SEG];
			const uint8_t *p = rte_pktmbuf_read(m, 0, m->pkt_len, buf);

			any = true;
			CHECK_EQ(
				dtcp_tcp_parse(p + 34, m->pkt_len - 34, OUR_IP, PEER_IP, true, &th),
				DTCP_WIRE_OK);
			if (th.dst_port == TT_SRV_PORT) { /* data for the backend, in order */
				CHECK_EQ(th.seq, t.snd_nxt);
				CHECK_EQ(th.ack, t.rcv_nxt);
				CHECK(th.payload_len > 0 && recvd + th.payload_len <= sent);
				if (th.payload_len > 0 && recvd + th.payload_len <= sent) {
					memcpy(got + recvd, th.payload, th.payload_len);
					recvd += th.payload_len;
					t.snd_nxt += th.payload_len;
				}
			} else { /* to the client: a window update */
				CHECK_EQ(th.dst_port, TT_RPORT);
				CHECK_EQ(th.flags, DTCP_TCP_ACK);
				CHECK_EQ(th.payload_len, 0);
				reopened |= th.window > 0;
			}
			rte_pktmbuf_free(m);
		}
		if (!any && recvd == sent)
			break;
	}
	CHECK_EQ(recvd, sent);
	CHECK_BYTES(got, data, sent);
	CHECK(reopened);
	CHECK_EQ(lb_ctr(LB_CTR_BYTES_TO_BACKEND), sent);
	CHECK_EQ(lb_ctr(LB_CTR_PAYLOAD_COPIES), 0);
	lbt_down(2);
}

/* A reset on one side becomes a reset on the other; the pair is gone. */
static void
test_rst_propagation(void)
{
	struct dtcp_tcp_repr seg, w;

	if (lbt_up(262144, 262144, 0) != 0)
		return;
	/* Backend resets: the client gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>. */
	open_pair(TT_RPORT, true, 65535);
	seg = tt_seg(&t, DTCP_TCP_RST);
	tt_input(&t, &seg, 1 * MS);
	sw(&cs);
	w = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &w, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_BACKEND_RESETS_PROPAGATED), 1);
	CHECK_EQ(lb_ctr(LB_CTR_ACTIVE_PAIRS), 0);

	/* Client resets: the backend gets one. */
	cur = NULL;
	open_pair(TT_RPORT + 1, true, 65535);
	sw(&cs);
	seg = tt_seg(&t, DTCP_TCP_RST);
	tt_input(&t, &seg, 1 * MS);
	sw(&bs);
	w = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &w, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_CLIENT_RESETS_PROPAGATED), 1);
	CHECK_EQ(lb_ctr(LB_CTR_ACTIVE_PAIRS), 0);
	CHECK_EQ(lb_ctr(LB_CTR_PAIRS_CLOSED), 2);
	lbt_down(0);
}

/* No data either way for the idle timeout, on the stack's (virtual) clock: both reset. */
static void
test_idle_timeout(void)
{
	struct dtcp_tcp_repr w;

	if (lbt_up(262144, 262144, 10 * S) != 0)
		return;
	open_pair(TT_RPORT, true, 65535);
	tt_poll(&t, 9 * S);
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_IDLE_TIMEOUTS), 0);
	tt_poll(&t, 1 * S);
	sw(&cs); /* half[client] is released first */
	w = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &w, NULL, 0);
	sw(&bs);
	w = tt_want_rst(&t, DTCP_TCP_RST | DTCP_TCP_ACK);
	tt_expect(&t, &w, NULL, 0);
	tt_expect_none(&t);
	CHECK_EQ(lb_ctr(LB_CTR_IDLE_TIMEOUTS), 1);
	CHECK_EQ(lb_ctr(LB_CTR_ACTIVE_PAIRS), 0);
	lbt_down(0);
}

int
main(int argc, char **argv)
{
	(void)argc;
	harness_eal_init(argv[0], "0");
	RUN_TEST(test_splice_zero_copy);
	RUN_TEST(test_early_data_and_half_close);
	RUN_TEST(test_backpressure);
	RUN_TEST(test_rst_propagation);
	RUN_TEST(test_idle_timeout);
	return TEST_EXIT();
}
