/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP packet-level test helpers (in the manner of lwIP's test/unit/tcp/tcp_helper.c):
 * a scripted peer at PEER_IP talking to the real stack through the harness.
 *
 * struct tt keeps both sides' sequence state as the test expects it to be:
 * tt_seg() builds what the peer sends next, tt_want() what the stack must
 * send next, and tt_expect() takes the next frame, checks its Ethernet and
 * IPv4 headers and checksums, compares every TCP header field and option
 * and the payload against the expectation (printing each field that
 * differs), then compares the whole frame byte for byte with one built from
 * the expectation. The per-lcore ISN secret is fixed (key bytes 00..0f) and
 * rte_rand() is reseeded before each open, so ISNs and timestamp offsets
 * are known in advance.
 */
#ifndef DTCP_PKT_TCP_HELPERS_H
#define DTCP_PKT_TCP_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include <dtcp/dtcp.h>

#include "core/lcore.h"
#include "harness.h"
#include "wire/tcp.h"

#define TT_T0	    2000000ull /* the virtual clock after tt_up(), on a 1 ms boundary */
#define TT_LPORT    80	       /* our listening port */
#define TT_RPORT    40000      /* the peer's port for passive opens */
#define TT_SRV_PORT 8080       /* the peer's port for active opens */
#define TT_PEER_ISS 1000000u   /* the peer's initial sequence number */
#define TT_PEER_TS  500000u    /* the peer's timestamp clock at the start */
#define TT_OUR_MSS  1460       /* MTU 1500 - 40 */
#define TT_SYN_WIN  65535      /* our window in a SYN: 256 KiB, capped, unscaled */
#define TT_WIN_WS   32768      /* our window with scaling: 262144 >> 3 */
#define TT_WS	    3	       /* our shift for the default 256 KiB receive buffer */
/* (The three above hold for the default [tcp] rcv_buf; helpers use t->rcv_buf.) */
#define TT_MAX_SEG 2048 /* largest TCP segment a test looks at */

/* What the peer puts in its SYN or SYN-ACK. */
struct tt_opts {
	uint16_t mss; /* 0: no MSS option */
	int8_t ws;    /* -1: no window scale option */
	bool sack;
	bool ts;
};

extern const struct tt_opts tt_plain; /* MSS 1460 only */
extern const struct tt_opts tt_full;  /* MSS 1460, WS 7, SACK-Permitted, timestamps */

struct tt {
	struct harness h;
	struct dtcp_lcore *lc; /* the lcore the test drives: lcore q */
	unsigned int q;	       /* its queue: polled, and where its frames are taken (0) */
	unsigned int rx_q;     /* where the peer's frames arrive (0); polled first if not q */
	struct dtcp_listener *l;
	struct dtcp_conn *c;
	uint16_t lport, rport;	  /* ours, the peer's; host order */
	uint32_t iss;		  /* our ISN */
	uint32_t snd_nxt;	  /* next sequence number the stack sends (the peer acks it) */
	uint32_t rcv_nxt;	  /* next sequence number the peer sends (the stack acks it) */
	uint16_t peer_win;	  /* raw window field the peer sends */
	uint16_t our_win;	  /* raw window field the stack is expected to send */
	bool ts;		  /* timestamps negotiated */
	uint32_t ts_offset;	  /* the stack's TSval minus its millisecond clock */
	uint32_t peer_ts;	  /* the peer's TSval */
	uint32_t rcv_buf;	  /* [tcp] rcv_buf */
	uint8_t rcv_ws;		  /* the shift we offer for it */
	struct dtcp_tcp_repr got; /* the last segment tt_expect() / tt_take() read */
	uint8_t got_frame[64 + TT_MAX_SEG]; /* and its frame (got.payload points in here) */
	size_t got_len;
	uint16_t got_nb_segs; /* mbufs it came in */
};

/* harness_default_config() plus a long ARP lifetime (tests run minutes of virtual time). */
void tt_config(struct dtcp_config *cfg);

/*
 * Bring the stack up (@p cfg NULL: tt_config()), consume the gratuitous ARP,
 * teach it the peer's MAC, fix the ISN secret and leave the clock at TT_T0.
 * Returns 0 or fails the test.
 */
int tt_up(struct tt *t, const struct dtcp_config *cfg);

/* Leak and leftover checks (harness_down()). */
void tt_down(struct tt *t);

/* Advance the clock by @p us and poll once (lcore rx_q first, then q, if they differ). */
void tt_poll(struct tt *t, uint64_t us);

/* Poll until the clock reads @p at (absolute). */
void tt_poll_until(struct tt *t, uint64_t at);

/* The stack's millisecond timestamp clock now, with the connection's offset. */
uint32_t tt_ts_now(const struct tt *t);

/* The ISN the stack picks for a tuple at the current time. */
uint32_t tt_isn(const struct tt *t, uint16_t lport, uint16_t rport);

/* The value the next rte_rand() will return (reseeds so that it does). */
uint64_t tt_next_rand(void);

/* A segment from the peer: ports, seq = rcv_nxt, ack = snd_nxt if ACK, peer_win, TS if on. */
struct dtcp_tcp_repr tt_seg(const struct tt *t, uint8_t flags);

/* A segment the stack must send: seq = snd_nxt, ack = rcv_nxt if ACK, our_win, TS if on. */
struct dtcp_tcp_repr tt_want(const struct tt *t, uint8_t flags);

/* A RST the stack must send: as tt_want() but window 0 and no options. */
struct dtcp_tcp_repr tt_want_rst(const struct tt *t, uint8_t flags);

/* Add the options of @p o to @p th (a SYN or SYN-ACK from the peer). */
void tt_add_opts(const struct tt *t, struct dtcp_tcp_repr *th, const struct tt_opts *o);

/*
 * Ethernet + IPv4 + TCP frame; @p th->payload (th->payload_len bytes) is
 * copied in. @p from_peer picks the direction (MACs, addresses, IP ident).
 * Returns the frame length.
 */
size_t tt_frame(uint8_t *buf, const struct dtcp_tcp_repr *th, bool from_peer);

/* Queue a segment from the peer (no poll). */
void tt_inject(struct tt *t, const struct dtcp_tcp_repr *th);

/* Queue a segment from the peer and poll once, advancing the clock by @p us. */
void tt_input(struct tt *t, const struct dtcp_tcp_repr *th, uint64_t us);

/* Peer sends @p len bytes of @p data (ACK|PSH) at rcv_nxt, which then advances. */
void tt_peer_data(struct tt *t, const void *data, uint16_t len);

/*
 * Take the next frame: Ethernet and IPv4 header checks, TCP parse with the
 * checksum verified; fills t->got and t->got_payload. False (and a failure)
 * if there is none or it is malformed.
 */
bool tt_take_at(struct tt *t, const char *file, int line);
#define tt_take(t) tt_take_at(t, __FILE__, __LINE__)

/* Take the next frame and check it is exactly @p want carrying @p payload. */
void tt_expect_at(struct tt *t, const struct dtcp_tcp_repr *want, const void *payload, uint16_t len,
		  const char *file, int line);
#define tt_expect(t, want, payload, len) tt_expect_at(t, want, payload, len, __FILE__, __LINE__)

/* Expect the plain ACK tt_want(t, ACK) describes. */
#define tt_expect_ack(t)                                                                           \
	do {                                                                                       \
		struct dtcp_tcp_repr w_ = tt_want(t, DTCP_TCP_ACK);                                \
		tt_expect_at(t, &w_, NULL, 0, __FILE__, __LINE__);                                 \
	} while (0)

/*
 * Send what calls made outside a poll left in the TX buffers, as the end of
 * a poll would (tt_take() and tt_expect_none() do it first).
 */
void tt_flush(struct tt *t);

/* Nothing (more) was sent. */
#define tt_expect_none(t)                                                                          \
	do {                                                                                       \
		tt_flush(t);                                                                       \
		harness_expect_none(&(t)->h, (t)->q);                                              \
	} while (0)

/* The state of t->c. */
enum dtcp_tcp_state tt_state(const struct tt *t);

/* A counter summed over lcores. */
uint64_t tt_ctr(struct tt *t, enum dtcp_counter c);

/*
 * Expect exactly @p n pending events, of these types in this order, for
 * @p conn (or the listener, for ACCEPT); @p error for DTCP_EV_ERROR.
 */
void tt_expect_events_at(struct tt *t, const enum dtcp_event_type *types, unsigned int n, int error,
			 const char *file, int line);
#define tt_expect_events(t, error, ...)                                                            \
	do {                                                                                       \
		const enum dtcp_event_type ev_[] = {__VA_ARGS__};                                  \
		tt_expect_events_at(t, ev_, RTE_DIM(ev_), error, __FILE__, __LINE__);              \
	} while (0)
#define tt_expect_no_events(t) tt_expect_events_at(t, NULL, 0, 0, __FILE__, __LINE__)

/*
 * Passive open on TT_LPORT from the peer's port t->rport (TT_RPORT if 0):
 * listen if t->l is NULL, SYN with @p o, check the SYN-ACK, final ACK, check
 * the ACCEPT event, dtcp_accept() into t->c. @p rtt_us passes between SYN-ACK
 * and ACK. Afterwards snd_nxt = iss + 1, rcv_nxt = TT_PEER_ISS + 1.
 */
void tt_passive_open(struct tt *t, const struct tt_opts *o, uint64_t rtt_us);

/* Just the SYN and SYN-ACK of tt_passive_open(): the connection stays in SYN_RECEIVED. */
void tt_passive_syn(struct tt *t, const struct tt_opts *o);

/*
 * Active open to TT_SRV_PORT: dtcp_connect() into t->c, check the SYN, then
 * (if @p o is not NULL) SYN-ACK with @p o, check our ACK and the CONNECTED
 * event. @p rtt_us passes between SYN and SYN-ACK.
 */
void tt_active_open(struct tt *t, const struct tt_opts *o, uint64_t rtt_us);

/* Our window field in a SYN or SYN-ACK, and afterwards (with or without scaling). */
uint16_t tt_syn_win(const struct tt *t);
uint16_t tt_win(const struct tt *t, bool ws);

/* The SYN the stack sends in SYN_SENT (every option offered). */
struct dtcp_tcp_repr tt_want_syn(const struct tt *t);

/* Fill @p buf with a recognisable pattern starting at @p seed. */
void tt_pattern(uint8_t *buf, size_t len, unsigned int seed);

#endif
