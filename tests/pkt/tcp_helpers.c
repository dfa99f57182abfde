/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_random.h>

#include "core/stack.h"
#include "dtcp_test.h"
#include "frames.h"
#include "golden_frames.h"
#include "tcp/isn.h"
#include "tcp/siphash.h"
#include "tcp_helpers.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

#define ETH_L4	  (DTCP_ETH_HDR_LEN + DTCP_IPV4_HDR_LEN)
#define RAND_SEED 0x5eedull

const struct tt_opts tt_plain = {.mss = 1460, .ws = -1};
const struct tt_opts tt_full = {.mss = 1460, .ws = 7, .sack = true, .ts = true};

void
tt_config(struct dtcp_config *cfg)
{
	harness_default_config(cfg);
	cfg->arp_timeout_s = 86400;
}

int
tt_up(struct tt *t, const struct dtcp_config *cfg)
{
	static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	struct dtcp_config def;

	memset(t, 0, sizeof(*t));
	if (cfg == NULL) {
		tt_config(&def);
		cfg = &def;
	}
	if (harness_up(&t->h, cfg, 256) != 0)
		return -1;
	t->lc = dtcp_stack_lcore(t->h.stack, 0);
	harness_poll(&t->h, 0, 0);
	harness_expect(&t->h, 0, garp_out, sizeof(garp_out));
	harness_inject(&t->h, 0, arp_request_in, sizeof(arp_request_in));
	harness_poll(&t->h, 0, 1);
	harness_expect(&t->h, 0, arp_reply_out, sizeof(arp_reply_out));
	harness_expect_none(&t->h, 0);
	for (unsigned int i = 0; i < t->h.nb_queues; i++)
		dtcp_stack_lcore(t->h.stack, i)->tcp.secret = dtcp_siphash_key_from_bytes(key);
	tt_poll_until(t, TT_T0);
	t->peer_win = 65535;
	t->peer_ts = TT_PEER_TS;
	t->rcv_buf = cfg->tcp_rcv_buf;
	while ((t->rcv_buf >> t->rcv_ws) > UINT16_MAX)
		t->rcv_ws++;
	t->rcv_nxt = TT_PEER_ISS;
	return 0;
}

void
tt_flush(struct tt *t)
{
	dtcp_tx_flush(t->lc);
}

void
tt_down(struct tt *t)
{
	tt_flush(t);
	harness_down(&t->h);
}

void
tt_poll(struct tt *t, uint64_t us)
{
	if (t->rx_q != t->q)
		harness_poll(&t->h, t->rx_q, 0);
	harness_poll(&t->h, t->q, us);
}

void
tt_poll_until(struct tt *t, uint64_t at)
{
	CHECK(at >= t->h.now_us);
	tt_poll(t, at - t->h.now_us);
}

uint32_t
tt_ts_now(const struct tt *t)
{
	return (uint32_t)(t->h.now_us / 1000) + t->ts_offset;
}

uint32_t
tt_isn(const struct tt *t, uint16_t lport, uint16_t rport)
{
	return dtcp_isn(&t->lc->tcp.secret, OUR_IP, rte_cpu_to_be_16(lport), PEER_IP,
			rte_cpu_to_be_16(rport), t->lc->now_us);
}

uint64_t
tt_next_rand(void)
{
	uint64_t v;

	rte_srand(RAND_SEED);
	v = rte_rand();
	rte_srand(RAND_SEED);
	return v;
}

struct dtcp_tcp_repr
tt_seg(const struct tt *t, uint8_t flags)
{
	struct dtcp_tcp_repr th = {
		.src_port = t->rport,
		.dst_port = t->lport,
		.seq = t->rcv_nxt,
		.ack = (flags & DTCP_TCP_ACK) ? t->snd_nxt : 0,
		.flags = flags,
		.window = t->peer_win,
	};

	if (t->ts) {
		th.has_ts = true;
		th.ts_val = t->peer_ts;
		th.ts_ecr = tt_ts_now(t);
	}
	return th;
}

struct dtcp_tcp_repr
tt_want(const struct tt *t, uint8_t flags)
{
	struct dtcp_tcp_repr th = {
		.src_port = t->lport,
		.dst_port = t->rport,
		.seq = t->snd_nxt,
		.ack = (flags & DTCP_TCP_ACK) ? t->rcv_nxt : 0,
		.flags = flags,
		.window = t->our_win,
	};

	if (t->ts) {
		th.has_ts = true;
		th.ts_val = tt_ts_now(t);
		th.ts_ecr = t->peer_ts;
	}
	return th;
}

struct dtcp_tcp_repr
tt_want_rst(const struct tt *t, uint8_t flags)
{
	struct dtcp_tcp_repr th = tt_want(t, flags);

	th.window = 0;
	th.has_ts = false;
	th.ts_val = th.ts_ecr = 0;
	return th;
}

void
tt_add_opts(const struct tt *t, struct dtcp_tcp_repr *th, const struct tt_opts *o)
{
	th->has_mss = o->mss != 0;
	th->mss = o->mss;
	th->has_wscale = o->ws >= 0;
	th->wscale = o->ws >= 0 ? (uint8_t)o->ws : 0;
	th->sack_permitted = o->sack;
	th->has_ts = o->ts;
	th->ts_val = o->ts ? t->peer_ts : 0;
	th->ts_ecr = 0;
}

size_t
tt_frame(uint8_t *buf, const struct dtcp_tcp_repr *th, bool from_peer)
{
	static const struct rte_ether_addr stack_mac = STACK_MAC, peer_mac = PEER_MAC;
	struct dtcp_eth_repr eth = {.dst = from_peer ? stack_mac : peer_mac,
				    .src = from_peer ? peer_mac : stack_mac,
				    .ethertype = RTE_ETHER_TYPE_IPV4};
	size_t hdr_len = DTCP_TCP_HDR_LEN + dtcp_tcp_options_len(th);
	struct dtcp_ipv4_repr ip = {
		.src = from_peer ? PEER_IP : OUR_IP,
		.dst = from_peer ? OUR_IP : PEER_IP,
		.proto = IPPROTO_TCP,
		.ttl = 64,
		.dont_fragment = true,
		.ident = from_peer ? 0x1234 : 0,
		.payload_len = (uint16_t)(hdr_len + th->payload_len),
	};
	int rc;

	dtcp_eth_emit(&eth, buf);
	dtcp_ipv4_emit(&ip, buf + DTCP_ETH_HDR_LEN, true);
	if (th->payload_len > 0)
		memcpy(buf + ETH_L4 + hdr_len, th->payload, th->payload_len);
	rc = dtcp_tcp_emit(th, buf + ETH_L4, hdr_len + th->payload_len, ip.src, ip.dst,
			   DTCP_TCP_CKSUM_FULL);
	CHECK_EQ(rc, (int)hdr_len);
	return ETH_L4 + hdr_len + th->payload_len;
}

void
tt_inject(struct tt *t, const struct dtcp_tcp_repr *th)
{
	uint8_t buf[ETH_L4 + TT_MAX_SEG];

	harness_inject(&t->h, t->rx_q, buf, tt_frame(buf, th, true));
}

void
tt_input(struct tt *t, const struct dtcp_tcp_repr *th, uint64_t us)
{
	tt_inject(t, th);
	tt_poll(t, us);
}

void
tt_peer_data(struct tt *t, const void *data, uint16_t len)
{
	struct dtcp_tcp_repr th = tt_seg(t, DTCP_TCP_ACK | DTCP_TCP_PSH);

	th.payload = data;
	th.payload_len = len;
	tt_inject(t, &th);
	t->rcv_nxt += len;
}

bool
tt_take_at(struct tt *t, const char *file, int line)
{
	static const struct rte_ether_addr stack_mac = STACK_MAC, peer_mac = PEER_MAC;
	struct rte_mbuf *m;
	uint8_t *buf = t->got_frame;
	struct dtcp_eth_repr eth;
	struct dtcp_ipv4_repr ip;
	enum dtcp_wire_status st;
	bool ok = false;

	tt_flush(t);
	m = harness_take(&t->h, t->q);
	if (m == NULL) {
		fprintf(stderr, "%s:%d: expected a TCP segment, got nothing\n", file, line);
		dtcp_test_failures++;
		return false;
	}
	t->got_len = 0;
	if (m->pkt_len > sizeof(t->got_frame) || m->pkt_len < ETH_L4) {
		fprintf(stderr, "%s:%d: %u-byte frame\n", file, line, m->pkt_len);
		goto out;
	}
	/* The stack may chain payload mbufs to the header: read across segments. */
	{
		const void *p = rte_pktmbuf_read(m, 0, m->pkt_len, buf);

		if (p != buf)
			memcpy(buf, p, m->pkt_len);
	}
	t->got_len = m->pkt_len;
	t->got_nb_segs = m->nb_segs;
	if (dtcp_eth_parse(buf, m->pkt_len, &eth) != DTCP_WIRE_OK ||
	    !rte_is_same_ether_addr(&eth.dst, &peer_mac) ||
	    !rte_is_same_ether_addr(&eth.src, &stack_mac) || eth.ethertype != RTE_ETHER_TYPE_IPV4) {
		fprintf(stderr, "%s:%d: not an IPv4 frame from us to the peer\n", file, line);
		goto out;
	}
	if (dtcp_ipv4_parse(buf + DTCP_ETH_HDR_LEN, m->pkt_len - DTCP_ETH_HDR_LEN, true, &ip) !=
		    DTCP_WIRE_OK ||
	    ip.src != OUR_IP || ip.dst != PEER_IP || ip.proto != IPPROTO_TCP || ip.ttl != 64 ||
	    !ip.dont_fragment || ip.ident != 0 || (uint32_t)ETH_L4 + ip.payload_len != m->pkt_len) {
		fprintf(stderr, "%s:%d: bad IPv4 header (or checksum)\n", file, line);
		goto out;
	}
	st = dtcp_tcp_parse(buf + ETH_L4, ip.payload_len, ip.src, ip.dst, true, &t->got);
	if (st != DTCP_WIRE_OK) {
		fprintf(stderr, "%s:%d: TCP parse: %s\n", file, line, dtcp_wire_status_str(st));
		goto out;
	}
	ok = true;
out:
	if (!ok)
		dtcp_test_failures++;
	rte_pktmbuf_free(m);
	return ok;
}

static void
flags_str(uint8_t f, char *s)
{
	static const char names[] = "FSRPAUEC";

	for (int i = 0; i < 8; i++)
		if (f & (1u << i))
			*s++ = names[i];
	*s = '\0';
}

void
tt_expect_at(struct tt *t, const struct dtcp_tcp_repr *want, const void *payload, uint16_t len,
	     const char *file, int line)
{
	const struct dtcp_tcp_repr *g = &t->got;
	unsigned int before = dtcp_test_failures;
	struct dtcp_tcp_repr w = *want;
	uint8_t frame[ETH_L4 + TT_MAX_SEG];
	size_t n;

	w.payload = payload;
	w.payload_len = len;
	if (!tt_take_at(t, file, line))
		return;
#define FIELD(name)                                                                                \
	do {                                                                                       \
		if ((long long)g->name != (long long)w.name) {                                     \
			fprintf(stderr, "%s:%d: TCP %s: got %lld (0x%llx), want %lld (0x%llx)\n",  \
				file, line, #name, (long long)g->name,                             \
				(unsigned long long)g->name, (long long)w.name,                    \
				(unsigned long long)w.name);                                       \
			dtcp_test_failures++;                                                      \
		}                                                                                  \
	} while (0)
	if (g->flags != w.flags) {
		char a[9], b[9];

		flags_str(g->flags, a);
		flags_str(w.flags, b);
		fprintf(stderr, "%s:%d: TCP flags: got %s, want %s\n", file, line, a, b);
		dtcp_test_failures++;
	}
	FIELD(src_port);
	FIELD(dst_port);
	FIELD(seq);
	FIELD(ack);
	FIELD(window);
	FIELD(urgent);
	FIELD(has_mss);
	FIELD(mss);
	FIELD(has_wscale);
	FIELD(wscale);
	FIELD(sack_permitted);
	FIELD(has_ts);
	FIELD(ts_val);
	FIELD(ts_ecr);
	FIELD(sack_count);
	FIELD(payload_len);
#undef FIELD
	if (g->payload_len == len && len > 0)
		CHECK_BYTES(g->payload, payload, len);
	if (dtcp_test_failures != before) {
		fprintf(stderr, "%s:%d: (segment mismatch above)\n", file, line);
		return;
	}
	/* Every byte, IP header and both checksums included. */
	n = tt_frame(frame, &w, false);
	if (n != t->got_len) {
		fprintf(stderr, "%s:%d: frame of %zu bytes, want %zu\n", file, line, t->got_len, n);
		dtcp_test_failures++;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (t->got_frame[i] != frame[i]) {
			fprintf(stderr, "%s:%d: frame byte %zu: got 0x%02x, want 0x%02x\n", file,
				line, i, t->got_frame[i], frame[i]);
			dtcp_test_failures++;
			break;
		}
	}
}

enum dtcp_tcp_state
tt_state(const struct tt *t)
{
	struct dtcp_conn_info info;

	dtcp_conn_info(t->c, &info);
	return info.state;
}

uint64_t
tt_ctr(struct tt *t, enum dtcp_counter c)
{
	return harness_counter(&t->h, c);
}

void
tt_expect_events_at(struct tt *t, const enum dtcp_event_type *types, unsigned int n, int error,
		    const char *file, int line)
{
	struct dtcp_event ev[16];
	unsigned int got = dtcp_events(t->lc, ev, RTE_DIM(ev));

	if (got != n) {
		fprintf(stderr, "%s:%d: %u event(s), want %u:", file, line, got, n);
		for (unsigned int i = 0; i < got; i++)
			fprintf(stderr, " %d", ev[i].type);
		fprintf(stderr, "\n");
		dtcp_test_failures++;
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (ev[i].type != types[i]) {
			fprintf(stderr, "%s:%d: event %u is %d, want %d\n", file, line, i,
				ev[i].type, types[i]);
			dtcp_test_failures++;
			continue;
		}
		if (types[i] == DTCP_EV_ACCEPT) {
			if (ev[i].listener != t->l || ev[i].conn != NULL) {
				fprintf(stderr, "%s:%d: ACCEPT for another listener\n", file, line);
				dtcp_test_failures++;
			}
		} else if (ev[i].conn != t->c) {
			fprintf(stderr, "%s:%d: event %u for another connection\n", file, line, i);
			dtcp_test_failures++;
		}
		if (ev[i].error != (types[i] == DTCP_EV_ERROR ? error : 0)) {
			fprintf(stderr, "%s:%d: event %u error %d, want %d\n", file, line, i,
				ev[i].error, error);
			dtcp_test_failures++;
		}
	}
}

void
tt_passive_syn(struct tt *t, const struct tt_opts *o)
{
	struct dtcp_tcp_repr syn, synack;

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
	t->ts_offset = dtcp_ts_offset(&t->lc->tcp.secret, OUR_IP, PEER_IP);
	tt_input(t, &syn, 0);
	t->iss = tt_isn(t, t->lport, t->rport);
	t->snd_nxt = t->iss;
	t->rcv_nxt = TT_PEER_ISS + 1;
	t->ts = o->ts;
	/* Our SYN-ACK: MSS always; WS, SACK-Permitted and TS only if the peer offered them. */
	t->our_win = tt_syn_win(t);
	synack = tt_want(t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	synack.has_mss = true;
	synack.mss = TT_OUR_MSS;
	synack.has_wscale = o->ws >= 0;
	synack.wscale = o->ws >= 0 ? t->rcv_ws : 0;
	synack.sack_permitted = o->sack;
	tt_expect(t, &synack, NULL, 0);
	tt_expect_none(t);
	t->snd_nxt = t->iss + 1;
	t->our_win = tt_win(t, o->ws >= 0);
}

void
tt_passive_open(struct tt *t, const struct tt_opts *o, uint64_t rtt_us)
{
	struct dtcp_tcp_repr ack;

	tt_passive_syn(t, o);
	ack = tt_seg(t, DTCP_TCP_ACK);
	tt_input(t, &ack, rtt_us);
	tt_expect_none(t);
	tt_expect_events(t, 0, DTCP_EV_ACCEPT);
	t->c = dtcp_accept(t->l, t);
	CHECK(t->c != NULL);
	if (t->c != NULL)
		CHECK_EQ(tt_state(t), DTCP_TCP_ESTABLISHED);
}

uint16_t
tt_syn_win(const struct tt *t)
{
	return (uint16_t)RTE_MIN(t->rcv_buf, (uint32_t)UINT16_MAX);
}

uint16_t
tt_win(const struct tt *t, bool ws)
{
	return (uint16_t)RTE_MIN(t->rcv_buf >> (ws ? t->rcv_ws : 0), (uint32_t)UINT16_MAX);
}

struct dtcp_tcp_repr
tt_want_syn(const struct tt *t)
{
	struct dtcp_tcp_repr syn = tt_want(t, DTCP_TCP_SYN);

	syn.seq = t->iss;
	syn.window = tt_syn_win(t);
	syn.has_mss = true;
	syn.mss = TT_OUR_MSS;
	syn.has_wscale = true;
	syn.wscale = t->rcv_ws;
	syn.sack_permitted = true;
	syn.has_ts = true;
	syn.ts_val = tt_ts_now(t);
	syn.ts_ecr = 0;
	return syn;
}

void
tt_active_open(struct tt *t, const struct tt_opts *o, uint64_t rtt_us)
{
	struct dtcp_conn_info info;
	struct dtcp_tcp_repr syn, synack;

	t->ts = false;
	t->ts_offset = dtcp_ts_offset(&t->lc->tcp.secret, OUR_IP, PEER_IP);
	t->c = dtcp_connect(t->lc, PEER_IP, TT_SRV_PORT, 0, t);
	CHECK(t->c != NULL);
	if (t->c == NULL)
		return;
	dtcp_conn_info(t->c, &info);
	CHECK_EQ(info.state, DTCP_TCP_SYN_SENT);
	t->lport = info.local_port;
	t->rport = TT_SRV_PORT;
	t->iss = tt_isn(t, t->lport, t->rport);
	t->snd_nxt = t->iss;
	t->rcv_nxt = 0;
	tt_poll(t, 0);
	syn = tt_want_syn(t);
	tt_expect(t, &syn, NULL, 0);
	tt_expect_none(t);
	t->snd_nxt = t->iss + 1;
	if (o == NULL)
		return;
	t->rcv_nxt = TT_PEER_ISS;
	synack = tt_seg(t, DTCP_TCP_SYN | DTCP_TCP_ACK);
	tt_add_opts(t, &synack, o);
	synack.ts_ecr = o->ts ? syn.ts_val : 0;
	tt_input(t, &synack, rtt_us);
	t->rcv_nxt = TT_PEER_ISS + 1;
	t->ts = o->ts;
	t->our_win = tt_win(t, o->ws >= 0);
	tt_expect_ack(t);
	tt_expect_none(t);
	tt_expect_events(t, 0, DTCP_EV_CONNECTED);
	CHECK_EQ(tt_state(t), DTCP_TCP_ESTABLISHED);
}

void
tt_pattern(uint8_t *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}
