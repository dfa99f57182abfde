/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * TCP: listeners, connections, zero-copy data and the per-lcore event queue.
 *
 * Run model. The application runs inside the stack's loop, on every lcore:
 * dtcp_stack_set_app() registers an init callback (called once on each lcore
 * before its first poll: open listeners here), a poll callback (called every
 * iteration, after received segments and expired timers were processed: read
 * events with dtcp_events(), then accept, recv, send, close) and a fini
 * callback. Each connection belongs to one lcore, the one its 4-tuple hashes
 * to (steer/steer.h): dtcp_accept() hands out only the calling lcore's, and
 * dtcp_connect() picks a source port whose replies come back to the caller.
 * Every function below must be called on the connection's lcore, from its
 * callbacks. Nothing is locked.
 *
 * Zero copy. dtcp_recv() hands the application the received payload mbufs,
 * which it then owns (free them, or forward them to another connection with
 * dtcp_send()). dtcp_send() takes mbufs from the application: the stack owns
 * what it accepted and keeps it until the peer acknowledged it; segments are
 * built as a header mbuf chained to indirect mbufs pointing at that data.
 * Allocate send mbufs with dtcp_alloc_mbuf(), which leaves headroom. The
 * copying dtcp_write() / dtcp_read() are there for convenience.
 *
 * Events are level-coalesced per connection: a connection has at most one
 * pending event of each type, each carrying the user pointer given at
 * dtcp_listen() / dtcp_connect() or set with dtcp_conn_set_user(). Events of
 * a connection released with dtcp_close()/dtcp_abort() are dropped, but a
 * batch already returned by dtcp_events() may still name it further down:
 * free per-connection state only after handling the whole batch.
 *
 * Handles. A struct dtcp_conn stays valid until dtcp_close() or dtcp_abort(),
 * whatever the protocol state: after the DTCP_EV_CLOSED or DTCP_EV_ERROR event
 * the application still has to release it. A struct dtcp_listener stays
 * valid until dtcp_unlisten().
 */
#ifndef DTCP_TCP_H
#define DTCP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <dtcp/dtcp_stack.h>

#ifdef __cplusplus
extern "C" {
#endif

struct dtcp_listener;
struct dtcp_conn;
struct rte_mbuf; /* <rte_mbuf.h>: not included, so this header needs no DPDK feature macros */

/** RFC 9293 connection states. */
enum dtcp_tcp_state {
	DTCP_TCP_CLOSED = 0,
	DTCP_TCP_LISTEN,
	DTCP_TCP_SYN_SENT,
	DTCP_TCP_SYN_RECEIVED,
	DTCP_TCP_ESTABLISHED,
	DTCP_TCP_FIN_WAIT_1,
	DTCP_TCP_FIN_WAIT_2,
	DTCP_TCP_CLOSE_WAIT,
	DTCP_TCP_CLOSING,
	DTCP_TCP_LAST_ACK,
	DTCP_TCP_TIME_WAIT,
	DTCP_TCP_STATE__MAX
};

/**
 * Name of a state as `ss` prints it ("ESTAB", "SYN-SENT", ...).
 *
 * @param state the state.
 * @return a static string ("UNKNOWN" if out of range).
 */
const char *dtcp_tcp_state_name(enum dtcp_tcp_state state);

/** Application callbacks run by every lcore (see the file comment). */
struct dtcp_app {
	/** Once per lcore before its first poll; non-zero stops the stack. May be NULL. */
	int (*init)(struct dtcp_lcore *lc, void *arg);
	/** Every loop iteration. May be NULL. */
	void (*poll)(struct dtcp_lcore *lc, void *arg);
	/** Once per lcore after its last poll. May be NULL. */
	void (*fini)(struct dtcp_lcore *lc, void *arg);
	void *arg; /**< passed to the callbacks */
};

/**
 * Register the application run by dtcp_stack_run(). Call before it.
 *
 * @param stack the stack.
 * @param app callbacks (copied); NULL removes them.
 */
void dtcp_stack_set_app(struct dtcp_stack *stack, const struct dtcp_app *app);

/**
 * Index of an lcore context (0 .. dtcp_stack_lcore_count() - 1).
 *
 * @param lc the context.
 * @return its index.
 */
unsigned int dtcp_lcore_index(const struct dtcp_lcore *lc);

/** Event types. */
enum dtcp_event_type {
	DTCP_EV_ACCEPT = 1,  /**< a listener has connections for dtcp_accept() */
	DTCP_EV_CONNECTED,   /**< an active open completed */
	DTCP_EV_READABLE,    /**< dtcp_recv() has data */
	DTCP_EV_WRITABLE,    /**< send space opened up after dtcp_send() fell short */
	DTCP_EV_PEER_CLOSED, /**< the peer sent FIN: no more data after what is queued */
	DTCP_EV_CLOSED,	     /**< the connection ended normally; release it with dtcp_close() */
	DTCP_EV_ERROR,	     /**< it ended with an error (see @c error); release it */
};

/** One event. */
struct dtcp_event {
	enum dtcp_event_type type;
	int error;			/**< DTCP_EV_ERROR: ECONNREFUSED, ECONNRESET, ETIMEDOUT */
	struct dtcp_conn *conn;		/**< NULL for DTCP_EV_ACCEPT */
	struct dtcp_listener *listener; /**< DTCP_EV_ACCEPT only */
	void *user;			/**< the user pointer of the conn or listener */
};

/**
 * Take pending events of this lcore.
 *
 * @param lc the calling lcore's context.
 * @param ev array receiving up to @p max events.
 * @param max size of @p ev.
 * @return number of events written (0 when none).
 */
unsigned int dtcp_events(struct dtcp_lcore *lc, struct dtcp_event *ev, unsigned int max);

/**
 * Listen on @p port on this lcore. Call it on every lcore, e.g. from the init
 * callback: a connection belongs to the lcore its 4-tuple hashes to (RSS with
 * the stack's key, or the same hash in software), which may not be the one
 * whose queue got the SYN; an lcore not listening answers its share of SYNs
 * with a RST.
 *
 * @param lc the calling lcore's context.
 * @param addr local IPv4 address in network byte order, 0 for all of ours.
 * @param port local port, host byte order.
 * @param backlog most connections established but not yet accepted (1..65535).
 * @param user pointer returned in this listener's events.
 * @return the listener, or NULL with rte_errno:
 *   EINVAL bad port or backlog; EADDRINUSE already listening there;
 *   ENOSPC the listener table is full.
 */
struct dtcp_listener *dtcp_listen(struct dtcp_lcore *lc, uint32_t addr, uint16_t port,
				  unsigned int backlog, void *user);

/**
 * Stop listening. Connections not yet accepted are reset; accepted ones live on.
 *
 * @param l the listener.
 */
void dtcp_unlisten(struct dtcp_listener *l);

/**
 * Take one established connection from the listener's accept queue.
 *
 * @param l the listener.
 * @param user user pointer for the connection's events.
 * @return the connection, or NULL with rte_errno EAGAIN when the queue is empty.
 */
struct dtcp_conn *dtcp_accept(struct dtcp_listener *l, void *user);

/**
 * Open a connection (SYN_SENT); DTCP_EV_CONNECTED or DTCP_EV_ERROR follows.
 *
 * @param lc the calling lcore's context.
 * @param addr remote IPv4 address, network byte order.
 * @param port remote port, host byte order.
 * @param local_addr local address (network order), 0 for the port's address
 *        on the route to @p addr.
 * @param user pointer returned in the connection's events.
 * @return the connection, or NULL with rte_errno:
 *   EINVAL bad address or port; ENETUNREACH no port reaches @p addr;
 *   EADDRNOTAVAIL no free local port; ENOSPC connection table full;
 *   ENOBUFS no mbuf for the SYN.
 */
struct dtcp_conn *dtcp_connect(struct dtcp_lcore *lc, uint32_t addr, uint16_t port,
			       uint32_t local_addr, void *user);

/**
 * An mbuf for dtcp_send() from the lcore's pool: RTE_MBUF_DEFAULT_DATAROOM
 * (2048) bytes of room at least. The stack builds headers in mbufs of its own,
 * so the whole room is for payload.
 *
 * @param lc the calling lcore's context.
 * @return the mbuf, or NULL when the pool is empty.
 */
struct rte_mbuf *dtcp_alloc_mbuf(struct dtcp_lcore *lc);

/**
 * Queue data for sending (zero copy).
 *
 * The stack takes whole mbuf segments from the front of *@p m while they fit
 * in the send buffer (data bytes within DTCP_OPT_SNDBUF, and the mbufs'
 * buffer sizes within twice that, so that tiny writes cannot pin the pool).
 * The chain's head must carry correct nb_segs and pkt_len. If all fit, *@p m
 * becomes NULL; otherwise *@p m is the rest of the chain, a valid chain again
 * (its head's nb_segs and pkt_len updated), still owned by the caller, and
 * DTCP_EV_WRITABLE follows once space opens up.
 *
 * @param c the connection.
 * @param m in: the chain to send; out: what was not taken, or NULL.
 * @return bytes taken (possibly 0), or:
 *   -EPIPE the write side is shut down or the connection is closed;
 *   -ENOTCONN the connection is not established yet;
 *   -EINVAL *@p m is NULL.
 */
int dtcp_send(struct dtcp_conn *c, struct rte_mbuf **m);

/**
 * Copy @p len bytes into new mbufs and queue them.
 *
 * @param c the connection.
 * @param buf data.
 * @param len bytes.
 * @return bytes queued (less than @p len when the send buffer filled up), or
 *   -EPIPE, -ENOTCONN as dtcp_send(); -ENOBUFS no mbuf and nothing queued.
 */
ssize_t dtcp_write(struct dtcp_conn *c, const void *buf, size_t len);

/**
 * Take all received in-order data as one mbuf chain (zero copy).
 *
 * @param c the connection.
 * @return the chain, owned by the caller, or NULL with rte_errno EAGAIN when
 *   nothing is queued (check DTCP_EV_PEER_CLOSED for end of stream).
 */
struct rte_mbuf *dtcp_recv(struct dtcp_conn *c);

/**
 * Copy up to @p len received bytes out.
 *
 * @param c the connection.
 * @param buf destination.
 * @param len room in @p buf.
 * @return bytes copied; 0 with nothing queued.
 */
size_t dtcp_read(struct dtcp_conn *c, void *buf, size_t len);

/**
 * Close the write side: FIN after the queued data.
 *
 * @param c the connection.
 * @return 0, or -ENOTCONN before the connection is established.
 */
int dtcp_shutdown(struct dtcp_conn *c);

/**
 * Release the connection: shut down the write side and let the stack finish
 * the close on its own (FIN_WAIT_2 is bounded by [tcp] fin_wait2_timeout_s).
 * If received data was left unread the connection is reset instead (RFC 2525
 * section 2.17). The handle is invalid afterwards.
 *
 * @param c the connection.
 */
void dtcp_close(struct dtcp_conn *c);

/**
 * Reset the connection (RST to the peer) and release it.
 *
 * @param c the connection.
 */
void dtcp_abort(struct dtcp_conn *c);

/** Per-connection options. */
enum dtcp_conn_opt {
	DTCP_OPT_SNDBUF = 1,  /**< send buffer, bytes */
	DTCP_OPT_RCVBUF,      /**< receive buffer, bytes (before the SYN only) */
	DTCP_OPT_NODELAY,     /**< 1 turns Nagle's algorithm off */
	DTCP_OPT_KEEPALIVE,   /**< 1 turns keepalive probes on */
	DTCP_OPT_KEEPIDLE_S,  /**< idle seconds before the first probe */
	DTCP_OPT_KEEPINTVL_S, /**< seconds between probes */
	DTCP_OPT_KEEPCNT,     /**< unanswered probes before ETIMEDOUT */
	/**
	 * Congestion control algorithm, an enum dtcp_cc_algo (default: [tcp]
	 * congestion_control). Allowed in any state. Before the handshake
	 * completes it picks the algorithm the connection starts with; later
	 * it switches at once: the new algorithm starts with fresh state from
	 * the current congestion window and slow start threshold.
	 */
	DTCP_OPT_CONGESTION,
};

/**
 * Set an option.
 *
 * @param c the connection.
 * @param opt the option.
 * @param value its value.
 * @return 0, -EINVAL unknown option or value out of range (for
 *   DTCP_OPT_CONGESTION: not an enum dtcp_cc_algo), -EISCONN RCVBUF after the
 *   handshake started.
 */
int dtcp_conn_set_opt(struct dtcp_conn *c, enum dtcp_conn_opt opt, uint32_t value);

/**
 * Replace the user pointer carried by the connection's events.
 *
 * @param c the connection.
 * @param user the pointer.
 */
void dtcp_conn_set_user(struct dtcp_conn *c, void *user);

/**
 * Label the connection for people: /dtcp/conns reports a non-zero tag as
 * "tag" and tools/dtcp-ss shows it (column Tag, --tag N). The stack never
 * uses it. A proxy gives both halves of a pair the same tag so that they
 * can be listed together. Call on the connection's lcore.
 *
 * @param c the connection.
 * @param tag any value; 0 (the default) means none.
 */
void dtcp_conn_set_tag(struct dtcp_conn *c, uint64_t tag);

/** What dtcp_conn_info() reports. Addresses network order, ports host order. */
struct dtcp_conn_info {
	enum dtcp_tcp_state state;
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;
	uint32_t snd_queued; /**< bytes not yet acknowledged */
	uint32_t snd_buf;    /**< send buffer size (DTCP_OPT_SNDBUF) */
	uint32_t rcv_queued; /**< bytes received, not yet read */
	uint16_t mss;	     /**< send MSS */
	bool wscale_ok, sack_ok, ts_ok;
	uint8_t snd_wscale, rcv_wscale;
	enum dtcp_cc_algo cc_algo; /**< congestion control (DTCP_OPT_CONGESTION) */
	uint32_t cwnd;		   /**< congestion window, bytes (0 before ESTABLISHED) */
	uint32_t ssthresh;	   /**< slow start threshold, bytes (UINT32_MAX until a loss) */
};

/**
 * Describe a connection.
 *
 * @param c the connection.
 * @param info filled in.
 */
void dtcp_conn_info(const struct dtcp_conn *c, struct dtcp_conn_info *info);

#ifdef __cplusplus
}
#endif

#endif /* DTCP_TCP_H */
