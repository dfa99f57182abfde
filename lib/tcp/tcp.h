/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP internals shared by tcp_table.c (tables and lifetime), tcp_input.c
 * (segment arrival, by state), tcp_reass.c (out-of-order data, SACK blocks
 * to report), tcp_output.c (the only segment builder),
 * tcp_timer.c (retransmission, delayed ACK, TIME_WAIT, FIN_WAIT_2, keepalive) and
 * tcp_api.c (the public calls and the event queue).
 *
 * Every structure here belongs to one lcore (struct dtcp_tcp_lcore inside
 * struct dtcp_lcore) and is only touched by it.
 */
#ifndef DTCP_TCP_INTERNAL_H
#define DTCP_TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_hash.h>
#include <rte_mbuf.h>

#include <dtcp/dtcp_tcp.h>

#include "core/timer_wheel.h"
#include "tcp/siphash.h"
#include "tcp/tcp_cc.h"
#include "tcp/syncookie.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

struct dtcp_lcore;

/** A connection's 4-tuple as on the wire (network byte order): the table key. */
struct dtcp_flow_key {
	uint32_t local_addr;
	uint32_t remote_addr;
	uint16_t local_port;
	uint16_t remote_port;
};

/* struct dtcp_conn flags. */
#define TCPF_RELEASED	0x0001 /* the application gave the handle back */
#define TCPF_FIN_QUEUED 0x0002 /* shutdown: send FIN after the queued data */
#define TCPF_FIN_SENT	0x0004 /* our FIN has a sequence number (snd_max covers it) */
#define TCPF_ACK_NOW	0x0008 /* on the lcore's ACK list for this burst */
#define TCPF_NODELAY	0x0010
#define TCPF_KEEPALIVE	0x0020
#define TCPF_SEND_SHORT 0x0040 /* dtcp_send() fell short: raise WRITABLE when space opens */
#define TCPF_IN_TABLE	0x0080 /* key present in the connection hash */
#define TCPF_WSCALE_OK	0x0100
#define TCPF_SACK_OK	0x0200
#define TCPF_TS_OK	0x0400
#define TCPF_IN_ACCEPTQ 0x0800 /* established, waiting in the listener's accept queue */
#define TCPF_RTT_TIMING 0x1000 /* rtt_seq / rtt_start_us hold a running sample */
#define TCPF_COOKIE	0x2000 /* born ESTABLISHED from a SYN cookie (no SYN_RECEIVED) */
#define TCPF_TX_WAIT	0x4000 /* on the lcore's TX-wait list: data held for backlog room */

/*
 * Sender's SACK scoreboard size: ranges the peer reported above SND.UNA.
 * Four per ACK at most; more than 8 holes at once is a path we will not
 * repair faster by remembering more (a range that does not fit is forgotten
 * and at worst sent again).
 */
#define TCP_SACKED_MAX 8

/* A SACKed range [start, end) of our sequence space. */
struct tcp_sack_range {
	uint32_t start;
	uint32_t end;
};

/* Event bits, one per enum dtcp_event_type. */
#define TCP_EV_BIT(type) (1u << (type))

struct dtcp_listener {
	struct dtcp_lcore *lc;
	int32_t slot;
	uint32_t addr; /* network order, 0 = any of ours */
	uint16_t port; /* host order */
	uint32_t backlog;
	uint32_t nb_half_open; /* SYN_RECEIVED connections born here */
	uint32_t nb_accept;    /* established, waiting for dtcp_accept() */
	uint32_t gen;
	uint16_t ev_pending;
	bool in_evq;
	void *user;
	TAILQ_HEAD(, dtcp_conn) acceptq;
};

/*
 * Out-of-order data (tcp_reass.c): what arrived beyond a hole, kept in the
 * mbufs it came in (headers trimmed off), never copied. Each mbuf holds one
 * piece of payload, the sequence number of its first byte in hash.usr; they
 * are linked through ->next in sequence order and never overlap. Contiguous
 * pieces form the ranges SACK reports.
 */
struct tcp_reass {
	struct rte_mbuf *head, *tail;
	uint32_t bytes;	   /* payload bytes held */
	uint32_t truesize; /* buffer bytes those mbufs pin (bounds tiny segments) */
	uint16_t nb_segs;  /* mbufs held */
	bool fin;	   /* the peer's FIN arrived beyond the hole, at fin_seq */
	bool dsack;	   /* dsack_block goes first in the next ACK (RFC 2883) */
	uint8_t nb_sack;   /* valid entries in sack[] */
	uint32_t fin_seq;
	struct dtcp_tcp_sack_block dsack_block;
	/* Ranges held, the one with the most recent arrival first (RFC 2018 section 4). */
	struct dtcp_tcp_sack_block sack[DTCP_TCP_MAX_SACK];
};

struct dtcp_conn {
	struct dtcp_flow_key key;
	struct dtcp_lcore *lc;
	int32_t slot;	     /* position in the connection table */
	uint32_t gen;	     /* bumped on every reuse of the slot (stale event entries) */
	uint8_t state;	     /* enum dtcp_tcp_state */
	uint8_t port_idx;    /* the port the peer is reached on */
	uint16_t flags;	     /* TCPF_* */
	uint16_t ev_pending; /* TCP_EV_BIT()s queued for dtcp_events() */
	bool in_evq;
	int error; /* for DTCP_EV_ERROR */
	void *user;
	uint64_t tag; /* dtcp_conn_set_tag(): shown by /dtcp/conns, never used by the stack */
	struct dtcp_listener *listener; /* passive opens, until accepted */
	TAILQ_ENTRY(dtcp_conn) acceptq_link;
	TAILQ_ENTRY(dtcp_conn) tx_wait_link; /* TCPF_TX_WAIT */

	/* Send sequence space (RFC 9293 section 3.3.1). */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max; /* highest sequence number sent + 1 (snd_nxt rewinds on RTO) */
	uint32_t snd_wnd; /* peer's window, scaled, bytes */
	uint32_t max_snd_wnd;
	uint32_t cwnd;	   /* congestion window, bytes (RFC 5681) */
	uint32_t ssthresh; /* slow start threshold, bytes */
	struct tcp_cc_state cc;
	const struct tcp_cc_ops *cc_ops; /* NULL until tcp_cc_init() or DTCP_OPT_CONGESTION */
	/* Loss recovery (tcp_recovery.c): RFC 6582 / RFC 6675. */
	uint32_t recover;  /* SND.MAX when recovery last began: no second reduction below it */
	uint32_t high_rxt; /* end of the last retransmission in this recovery (HighRxt) */
	uint16_t dupacks;  /* duplicate ACKs in a row */
	bool in_recovery;
	bool undo_armed;     /* the recovery's first retransmission may prove spurious */
	uint16_t reordering; /* DupThresh in segments (0: the default, 3); raised by reordering */
	uint32_t undo_seq;   /* that retransmission's sequence number */
	uint32_t undo_tsval; /* and the TSval it carried (RFC 3522: the peer's echo tells) */
	uint32_t undo_cwnd, undo_ssthresh; /* the window before the reduction, to go back to */
	struct tcp_cc_state undo_cc;	   /* and the algorithm's state then */
	uint8_t nb_sacked;		   /* ranges in sacked[] */
	struct tcp_sack_range
		sacked[TCP_SACKED_MAX]; /* the peer's SACKed ranges, sorted, disjoint */
	uint64_t last_send_us;		/* last data segment sent: idle restart (RFC 5681 4.1) */
	uint32_t snd_wl1, snd_wl2;
	uint16_t snd_mss; /* payload bytes per segment, options excluded */
	uint8_t snd_wscale, rcv_wscale;
	uint32_t ts_recent; /* RFC 7323: peer's TSval to echo */
	uint32_t ts_offset; /* added to our clock in TSval */

	/* Data from snd_una on: single-segment mbufs linked through ->next. */
	struct rte_mbuf *sndq_head, *sndq_tail;
	uint32_t sndq_len;	/* bytes queued (not counting SYN/FIN) */
	uint32_t sndq_truesize; /* buffer bytes those mbufs pin (bounds tiny writes) */
	uint32_t snd_buf;
	struct rte_mbuf *sndq_cur; /* tcp_attach_payload()'s last start, NULL: from the head */
	uint32_t sndq_cur_off;	   /* sndq_cur's first byte, as an offset from snd_una */

	/* Receive sequence space. */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_adv; /* right edge of the window we advertised */
	uint32_t rcv_buf;
	struct rte_mbuf *rcvq_head, *rcvq_tail; /* in-order payload, one chain */
	uint32_t rcvq_len;
	struct tcp_reass reass; /* beyond a hole */
	uint32_t rcv_unacked;	/* in-order bytes taken since the last ACK we sent */
	uint16_t rcv_mss;	/* largest payload the peer sent us (full-sized, RFC 5681) */
	struct dtcp_timer delack_timer; /* delayed ACK (RFC 1122 4.2.3.2) */

	/* Timers and RTT (RFC 6298). */
	struct dtcp_timer rtx_timer;  /* SYN, SYN-ACK, data, persist, FIN_WAIT_2 */
	struct dtcp_timer keep_timer; /* keepalive */
	uint32_t rto_us;
	uint32_t srtt_us; /* 0 until the first sample */
	uint32_t rttvar_us;
	uint8_t nb_rtx; /* consecutive retransmissions of the same data */
	uint8_t keep_probes;
	uint8_t nb_probes; /* zero-window probes not answered (any acceptable ACK answers) */
	uint32_t rtt_seq;
	uint64_t rtt_start_us;
	uint64_t open_us; /* SYN sent or received, for the handshake histogram */
	uint64_t last_rx_us;
	uint32_t keep_idle_s, keep_intvl_s, keep_cnt;
};

/* TIME_WAIT: what is left of a connection, without buffers (RFC 9293 3.10.7.4). */
struct dtcp_tw {
	struct dtcp_flow_key key;
	int32_t slot;
	uint8_t port_idx;
	bool ts_ok;
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint32_t rcv_wnd;
	uint8_t rcv_wscale;
	uint32_t ts_recent;
	uint32_t ts_offset;
	struct dtcp_timer timer;
};

/* Listener table key. */
struct tcp_listen_key {
	uint32_t addr; /* network order, 0 = any */
	uint16_t port; /* host order */
	uint16_t pad;
};

/* One segment of the current burst, parsed and waiting for the bulk lookup. */
struct tcp_seg {
	struct rte_mbuf *m; /* data at the TCP header */
	unsigned int port_idx;
	struct dtcp_ipv4_repr ip;
	struct dtcp_tcp_repr th;
	struct dtcp_flow_key key;
	bool steered; /* handed over by another lcore (dtcp_tcp_drain_steered) */
};

/* An entry of the event queue: the object, and its generation when queued. */
struct tcp_evq_entry {
	void *obj;
	uint32_t gen;
	bool is_listener;
};

#define TCP_HANDSHAKE_BUCKETS 24 /* log2 microseconds: 1 us .. 8 s and above */

/* The TCP part of an lcore. */
struct dtcp_tcp_lcore {
	struct rte_hash *conn_hash; /* flow key -> slot in conns */
	struct dtcp_conn *conns;
	uint32_t max_conns;
	uint32_t conn_inserts; /* bumped by every insert: a bulk-lookup miss is stale once it moves
				*/
	struct rte_hash *tw_hash; /* flow key -> slot in tws */
	struct dtcp_tw *tws;
	struct rte_hash *listen_hash; /* {addr, port} -> slot in listeners */
	struct dtcp_listener *listeners;
	struct tcp_listen_key listen_cache_key; /* last tcp_listener_lookup() that found one */
	struct dtcp_listener *listen_cache;	/* its answer; NULL when listeners change */
	struct dtcp_timer_wheel wheel;
	struct dtcp_siphash_key secret; /* ISNs and timestamp offsets */
	struct dtcp_syncookie_jar cookies;
	uint64_t pool_checked_us; /* when pool_low was last worked out */
	bool pool_low;		  /* mbuf pool below its low-water mark: SYN cookies (auto) */

	struct tcp_seg *burst; /* [burst_size] */
	unsigned int nb_burst;
	struct dtcp_conn **ack_list; /* connections owing an ACK after this burst */
	unsigned int nb_ack;
	TAILQ_HEAD(, dtcp_conn) tx_wait; /* senders stopped by a full TX backlog (core/tx.h) */

	struct tcp_evq_entry *evq; /* ring of objects with pending events */
	uint32_t evq_size, evq_head, evq_tail;

	uint16_t next_port;	      /* ephemeral port search cursor */
	uint64_t challenge_window_us; /* start of the current one-second window */
	uint32_t challenge_acks;      /* sent in that window */

	uint64_t state_count[DTCP_TCP_STATE__MAX];
	uint64_t handshake_us[2][TCP_HANDSHAKE_BUCKETS]; /* [passive, active] */
};

/* The shift that lets a receive buffer be advertised (RFC 7323 section 2.3). */
static inline uint8_t
tcp_choose_wscale(uint32_t rcv_buf)
{
	uint8_t shift = 0;

	while (shift < DTCP_TCP_MAX_WSCALE && (rcv_buf >> shift) > UINT16_MAX)
		shift++;
	return shift;
}

/* tcp_table.c */
int dtcp_tcp_lcore_init(struct dtcp_lcore *lc);
void dtcp_tcp_lcore_free(struct dtcp_lcore *lc);
struct dtcp_conn *tcp_conn_lookup(struct dtcp_lcore *lc, const struct dtcp_flow_key *key);
struct dtcp_conn *tcp_conn_create(struct dtcp_lcore *lc, const struct dtcp_flow_key *key,
				  unsigned int port_idx);
void tcp_conn_unhash(struct dtcp_conn *c);
void tcp_conn_maybe_free(struct dtcp_conn *c);
void tcp_set_state(struct dtcp_conn *c, enum dtcp_tcp_state state);
struct dtcp_tw *tcp_tw_lookup(struct dtcp_lcore *lc, const struct dtcp_flow_key *key);
void tcp_enter_time_wait(struct dtcp_conn *c);
void tcp_tw_free(struct dtcp_lcore *lc, struct dtcp_tw *tw);
struct dtcp_listener *tcp_listener_lookup(struct dtcp_lcore *lc, uint32_t addr, uint16_t port);
void tcp_raise(struct dtcp_conn *c, enum dtcp_event_type type);
void tcp_raise_listener(struct dtcp_listener *l);
void tcp_conn_fail(struct dtcp_conn *c, int error);
void tcp_conn_closed(struct dtcp_conn *c);
void tcp_sndq_free(struct dtcp_conn *c);
void tcp_rcvq_free(struct dtcp_conn *c);

/* tcp_input.c */
void dtcp_tcp_stage(struct dtcp_lcore *lc, unsigned int port_idx, struct rte_mbuf *m,
		    const struct dtcp_ipv4_repr *ip);
void dtcp_tcp_input_burst(struct dtcp_lcore *lc);
void dtcp_tcp_drain_steered(struct dtcp_lcore *lc);

/* tcp_output.c */
void tcp_output(struct dtcp_conn *c);
void dtcp_tcp_tx_resume(struct dtcp_lcore *lc);
void tcp_tx_wait_leave(struct dtcp_conn *c);
void tcp_send_ack(struct dtcp_conn *c);
void tcp_send_syn(struct dtcp_conn *c);
void tcp_send_rst(struct dtcp_conn *c, enum dtcp_counter reason);
void tcp_retransmit(struct dtcp_conn *c);
int tcp_send_range(struct dtcp_conn *c, uint32_t seq, uint32_t len);
uint32_t tcp_send_new(struct dtcp_conn *c, uint32_t budget);
void tcp_send_keepalive(struct dtcp_conn *c);
void tcp_tw_send_ack(struct dtcp_lcore *lc, const struct dtcp_tw *tw);
void tcp_reply_rst(struct dtcp_lcore *lc, struct tcp_seg *s);
void tcp_drop_no_conn(struct dtcp_lcore *lc, struct tcp_seg *s);
void tcp_schedule_ack(struct dtcp_conn *c);
void tcp_delay_ack(struct dtcp_conn *c, uint32_t len);
void tcp_flush_acks(struct dtcp_lcore *lc);
uint32_t tcp_rcv_wnd(const struct dtcp_conn *c);
uint32_t tcp_now_ts(const struct dtcp_lcore *lc, uint32_t offset);

/* tcp_reass.c */
/* What tcp_reass_insert() did with a segment. */
enum tcp_reass_result {
	TCP_REASS_QUEUED,    /* held (possibly trimmed against what is held) */
	TCP_REASS_DUPLICATE, /* all of it held already: dropped, D-SACK noted */
	TCP_REASS_FULL,	     /* over the buffer budget: dropped */
};
bool tcp_rcvq_append(struct dtcp_conn *c, struct rte_mbuf *m);
enum tcp_reass_result tcp_reass_insert(struct dtcp_conn *c, struct rte_mbuf *m, uint32_t seq);
uint32_t tcp_reass_pull(struct dtcp_conn *c);
void tcp_reass_dsack(struct dtcp_conn *c, uint32_t left, uint32_t right);
unsigned int tcp_reass_sack(struct dtcp_conn *c, struct dtcp_tcp_sack_block *blocks,
			    unsigned int max);
void tcp_reass_free(struct dtcp_conn *c);

/* tcp_syncookie.c */
bool tcp_syncookie_wanted(struct dtcp_lcore *lc);
bool tcp_syncookie_expected(struct dtcp_lcore *lc);
void tcp_syncookie_reply(struct dtcp_lcore *lc, struct tcp_seg *s);
struct dtcp_conn *tcp_syncookie_accept(struct dtcp_listener *l, struct tcp_seg *s);

/* tcp_recovery.c: fast retransmit, NewReno and SACK-based recovery */
void tcp_recovery_sack(struct dtcp_conn *c, const struct dtcp_tcp_repr *th, bool *new_sack);
void tcp_recovery_acked(struct dtcp_conn *c, uint32_t old_una, uint32_t acked,
			const struct dtcp_tcp_repr *th);
uint32_t tcp_recovery_pipe(const struct dtcp_conn *c);
void tcp_recovery_dupack(struct dtcp_conn *c, bool new_sack);
void tcp_recovery_rto(struct dtcp_conn *c);

/* tcp_timer.c */
void tcp_timers_init(struct dtcp_conn *c);
void tcp_arm_rtx(struct dtcp_conn *c);
void tcp_rtt_sample(struct dtcp_conn *c, uint32_t rtt_us);
void tcp_keepalive_reset(struct dtcp_conn *c);
void tcp_tw_arm(struct dtcp_lcore *lc, struct dtcp_tw *tw);
void tcp_handshake_sample(struct dtcp_conn *c, bool active);
void tcp_delack_arm(struct dtcp_conn *c);

#endif
