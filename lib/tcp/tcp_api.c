/* SPDX-License-Identifier: BSD-3-Clause */
/* The public TCP calls (dtcp_tcp.h) and the per-lcore event queue. */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_random.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "tcp/isn.h"
#include "tcp/seq.h"
#include "tcp/tcp.h"

const char *
dtcp_tcp_state_name(enum dtcp_tcp_state state)
{
	static const char *const names[DTCP_TCP_STATE__MAX] = {
		[DTCP_TCP_CLOSED] = "CLOSED",	      [DTCP_TCP_LISTEN] = "LISTEN",
		[DTCP_TCP_SYN_SENT] = "SYN-SENT",     [DTCP_TCP_SYN_RECEIVED] = "SYN-RECV",
		[DTCP_TCP_ESTABLISHED] = "ESTAB",     [DTCP_TCP_FIN_WAIT_1] = "FIN-WAIT-1",
		[DTCP_TCP_FIN_WAIT_2] = "FIN-WAIT-2", [DTCP_TCP_CLOSE_WAIT] = "CLOSE-WAIT",
		[DTCP_TCP_CLOSING] = "CLOSING",	      [DTCP_TCP_LAST_ACK] = "LAST-ACK",
		[DTCP_TCP_TIME_WAIT] = "TIME-WAIT",
	};

	return (unsigned int)state < DTCP_TCP_STATE__MAX ? names[state] : "UNKNOWN";
}

void
dtcp_stack_set_app(struct dtcp_stack *stack, const struct dtcp_app *app)
{
	if (app != NULL)
		stack->app = *app;
	else
		memset(&stack->app, 0, sizeof(stack->app));
}

unsigned int
dtcp_lcore_index(const struct dtcp_lcore *lc)
{
	return lc->index;
}

/* Event types in the order they are reported for one object. */
static const enum dtcp_event_type ev_order[] = {
	DTCP_EV_ACCEPT,	     DTCP_EV_CONNECTED, DTCP_EV_READABLE, DTCP_EV_WRITABLE,
	DTCP_EV_PEER_CLOSED, DTCP_EV_CLOSED,	DTCP_EV_ERROR,
};

unsigned int
dtcp_events(struct dtcp_lcore *lc, struct dtcp_event *ev, unsigned int max)
{
	struct dtcp_tcp_lcore *t = &lc->tcp;
	unsigned int n = 0;

	while (n < max && t->evq_head != t->evq_tail) {
		struct tcp_evq_entry *e = &t->evq[t->evq_head];
		uint16_t *pending;
		bool *in_evq;
		void *user;
		struct dtcp_conn *c = NULL;
		struct dtcp_listener *l = NULL;

		if (e->is_listener) {
			l = e->obj;
			if (l->gen != e->gen)
				goto next; /* listener closed since */
			pending = &l->ev_pending;
			in_evq = &l->in_evq;
			user = l->user;
		} else {
			c = e->obj;
			if (c->gen != e->gen || c->lc == NULL)
				goto next; /* released since */
			pending = &c->ev_pending;
			in_evq = &c->in_evq;
			user = c->user;
		}
		for (unsigned int i = 0; i < RTE_DIM(ev_order) && n < max; i++) {
			uint16_t bit = (uint16_t)TCP_EV_BIT(ev_order[i]);

			if (!(*pending & bit))
				continue;
			*pending &= (uint16_t)~bit;
			ev[n] = (struct dtcp_event){
				.type = ev_order[i],
				.error = c != NULL && ev_order[i] == DTCP_EV_ERROR ? c->error : 0,
				.conn = c,
				.listener = l,
				.user = user,
			};
			n++;
		}
		if (*pending != 0)
			break; /* @p ev is full; the rest next time, same entry */
		*in_evq = false;
	next:
		t->evq_head = (t->evq_head + 1) % t->evq_size;
	}
	return n;
}

struct dtcp_listener *
dtcp_listen(struct dtcp_lcore *lc, uint32_t addr, uint16_t port, unsigned int backlog, void *user)
{
	struct tcp_listen_key k = {.addr = addr, .port = port};
	struct dtcp_listener *l;
	int32_t pos;

	if (port == 0 || backlog == 0 || backlog > UINT16_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (rte_hash_lookup(lc->tcp.listen_hash, &k) >= 0) {
		rte_errno = EADDRINUSE;
		return NULL;
	}
	lc->tcp.listen_cache = NULL;
	pos = rte_hash_add_key(lc->tcp.listen_hash, &k);
	if (pos < 0 || (uint32_t)pos >= lc->stack->cfg.tcp_max_listeners) {
		if (pos >= 0) {
			rte_hash_del_key(lc->tcp.listen_hash, &k);
			rte_hash_free_key_with_position(lc->tcp.listen_hash, pos);
		}
		rte_errno = ENOSPC;
		return NULL;
	}
	l = &lc->tcp.listeners[pos];
	l->gen++;
	l->lc = lc;
	l->slot = pos;
	l->addr = addr;
	l->port = port;
	l->backlog = backlog;
	l->nb_half_open = l->nb_accept = 0;
	l->ev_pending = 0;
	l->in_evq = false;
	l->user = user;
	TAILQ_INIT(&l->acceptq);
	lc->tcp.state_count[DTCP_TCP_LISTEN]++;
	return l;
}

void
dtcp_unlisten(struct dtcp_listener *l)
{
	struct dtcp_lcore *lc = l->lc;
	struct tcp_listen_key k = {.addr = l->addr, .port = l->port};

	/* Connections this listener still answers for (half-open or not accepted) go. */
	for (uint32_t i = 0; i < lc->tcp.max_conns; i++) {
		struct dtcp_conn *c = &lc->tcp.conns[i];

		if (c->lc == NULL || c->listener != l || !(c->flags & TCPF_RELEASED))
			continue;
		tcp_send_rst(c, DTCP_CTR_TCP_TX_RST_ABORT);
		tcp_conn_closed(c);
	}
	lc->tcp.listen_cache = NULL;
	rte_hash_del_key(lc->tcp.listen_hash, &k);
	rte_hash_free_key_with_position(lc->tcp.listen_hash, l->slot);
	lc->tcp.state_count[DTCP_TCP_LISTEN]--;
	l->gen++;
	l->lc = NULL;
}

struct dtcp_conn *
dtcp_accept(struct dtcp_listener *l, void *user)
{
	struct dtcp_conn *c = TAILQ_FIRST(&l->acceptq);

	if (c == NULL) {
		rte_errno = EAGAIN;
		return NULL;
	}
	TAILQ_REMOVE(&l->acceptq, c, acceptq_link);
	l->nb_accept--;
	c->flags &= ~(TCPF_IN_ACCEPTQ | TCPF_RELEASED);
	c->listener = NULL;
	c->user = user;
	/* What happened before the application held the handle. */
	if (c->rcvq_len > 0)
		tcp_raise(c, DTCP_EV_READABLE);
	if (c->state == DTCP_TCP_CLOSE_WAIT)
		tcp_raise(c, DTCP_EV_PEER_CLOSED);
	return c;
}

/* The port whose prefix holds @p addr, else the first with a gateway. */
static int
route_port(const struct dtcp_lcore *lc, uint32_t addr)
{
	for (unsigned int p = 0; p < lc->nb_ports; p++) {
		const struct dtcp_port *port = lc->ports[p].port;

		if ((addr & port->netmask) == (port->addr & port->netmask))
			return (int)p;
	}
	for (unsigned int p = 0; p < lc->nb_ports; p++)
		if (lc->ports[p].port->gateway != 0)
			return (int)p;
	return -1;
}

/*
 * An ephemeral port free for this 4-tuple whose replies this lcore owns
 * (steer/steer.h): on trusted hardware RSS they arrive on our queue, and
 * elsewhere every lcore agrees they are ours. The Toeplitz hash is linear,
 * so each candidate costs two table loads and an XOR over a base hash
 * computed once; about one port in nb_lcores qualifies. (rte_thash_adjust_tuple
 * would need an rte_thash context per port and a target hash per RETA entry,
 * and adjusts low port bits at random instead of walking the range from a
 * cursor, which spreads reuse of a tuple over the whole range.)
 *
 * Since the owner is a function of the 4-tuple, two lcores never pick the
 * same tuple, and a TIME_WAIT entry of a tuple can only live on its owner:
 * looking in our own tables is enough.
 */
static int
pick_port(struct dtcp_lcore *lc, unsigned int port_idx, struct dtcp_flow_key *key)
{
	const struct dtcp_config *cfg = &lc->stack->cfg;
	uint32_t range = (uint32_t)cfg->tcp_port_max - cfg->tcp_port_min + 1;
	bool steer = lc->stack->nb_lcores > 1;
	struct dtcp_steer_reply reply;

	if (steer)
		dtcp_steer_reply_init(&reply, &lc->stack->steer, port_idx, key->local_addr,
				      key->remote_addr, key->remote_port);
	for (uint32_t tries = 0; tries < range; tries++) {
		uint16_t port = lc->tcp.next_port;

		lc->tcp.next_port = port >= cfg->tcp_port_max ? cfg->tcp_port_min : port + 1;
		if (steer && dtcp_steer_reply_owner(&reply, port) != lc->index)
			continue;
		key->local_port = rte_cpu_to_be_16(port);
		if (tcp_conn_lookup(lc, key) == NULL && tcp_tw_lookup(lc, key) == NULL)
			return 0;
	}
	return -EADDRNOTAVAIL;
}

struct dtcp_conn *
dtcp_connect(struct dtcp_lcore *lc, uint32_t addr, uint16_t port, uint32_t local_addr, void *user)
{
	struct dtcp_flow_key key = {.remote_addr = addr, .remote_port = rte_cpu_to_be_16(port)};
	struct dtcp_conn *c;
	int p;

	if (addr == 0 || port == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	p = route_port(lc, addr);
	if (p < 0) {
		rte_errno = ENETUNREACH;
		return NULL;
	}
	key.local_addr = local_addr != 0 ? local_addr : lc->ports[p].port->addr;
	if (pick_port(lc, (unsigned int)p, &key) != 0) {
		rte_errno = EADDRNOTAVAIL;
		return NULL;
	}
	c = tcp_conn_create(lc, &key, (unsigned int)p);
	if (c == NULL) {
		rte_errno = ENOSPC;
		return NULL;
	}
	c->user = user;
	c->rcv_wscale = tcp_choose_wscale(c->rcv_buf);
	c->iss = dtcp_isn(&lc->tcp.secret, key.local_addr, key.local_port, key.remote_addr,
			  key.remote_port, lc->now_us);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->ts_offset = dtcp_ts_offset(&lc->tcp.secret, key.local_addr, key.remote_addr);
	c->open_us = lc->now_us;
	tcp_set_state(c, DTCP_TCP_SYN_SENT);
	dtcp_count(lc, DTCP_CTR_TCP_ACTIVE_OPENS);
	tcp_send_syn(c);
	return c;
}

struct rte_mbuf *
dtcp_alloc_mbuf(struct dtcp_lcore *lc)
{
	return rte_pktmbuf_alloc(lc->pool);
}

static int
tcp_send_state_ok(const struct dtcp_conn *c)
{
	if (c->flags & TCPF_FIN_QUEUED)
		return -EPIPE;
	switch (c->state) {
	case DTCP_TCP_ESTABLISHED:
	case DTCP_TCP_CLOSE_WAIT:
		return 0;
	case DTCP_TCP_SYN_SENT:
	case DTCP_TCP_SYN_RECEIVED:
		return -ENOTCONN;
	default:
		return -EPIPE;
	}
}

/*
 * The send buffer bounds data bytes by snd_buf, and the buffers holding them
 * by twice that: zero-copy writes of tiny mbufs would otherwise pin one whole
 * mbuf per few bytes and could drain the pool the receive path needs.
 */
static bool
tcp_sndq_fits(const struct dtcp_conn *c, uint32_t data, uint32_t truesize)
{
	return c->sndq_len + data <= c->snd_buf &&
	       c->sndq_truesize + truesize <= 2 * (uint64_t)c->snd_buf;
}

/* Append one standalone segment to the send queue. */
static void
sndq_append(struct dtcp_conn *c, struct rte_mbuf *seg)
{
	seg->next = NULL;
	seg->nb_segs = 1;
	seg->pkt_len = seg->data_len;
	if (c->sndq_tail == NULL)
		c->sndq_head = seg;
	else
		c->sndq_tail->next = seg;
	c->sndq_tail = seg;
	c->sndq_len += seg->data_len;
	c->sndq_truesize += seg->buf_len;
}

int
dtcp_send(struct dtcp_conn *c, struct rte_mbuf **m)
{
	struct rte_mbuf *seg;
	int rc = tcp_send_state_ok(c);
	int taken = 0;

	if (m == NULL || *m == NULL)
		return -EINVAL;
	if (rc != 0)
		return rc;
	seg = *m;
	while (seg != NULL && tcp_sndq_fits(c, seg->data_len, seg->buf_len)) {
		struct rte_mbuf *next = seg->next;

		if (next != NULL) { /* the rest stays a valid chain for the caller */
			next->nb_segs = (uint16_t)(seg->nb_segs - 1);
			next->pkt_len = seg->pkt_len - seg->data_len;
		}
		if (seg->data_len == 0) {
			seg->next = NULL;
			rte_pktmbuf_free(seg);
		} else {
			taken += seg->data_len;
			sndq_append(c, seg);
		}
		seg = next;
	}
	*m = seg;
	if (seg != NULL)
		c->flags |= TCPF_SEND_SHORT;
	if (taken > 0)
		tcp_output(c);
	return taken;
}

ssize_t
dtcp_write(struct dtcp_conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	int rc = tcp_send_state_ok(c);

	if (rc != 0)
		return rc;
	while (done < len && tcp_sndq_fits(c, 1, RTE_MBUF_DEFAULT_BUF_SIZE)) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(c->lc->pool);
		size_t n;

		if (m == NULL)
			break;
		n = RTE_MIN(len - done, (size_t)rte_pktmbuf_tailroom(m));
		n = RTE_MIN(n, (size_t)(c->snd_buf - c->sndq_len));
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), p + done, n);
		sndq_append(c, m);
		done += n;
	}
	if (done < len)
		c->flags |= TCPF_SEND_SHORT;
	c->lc->ctr[DTCP_CTR_APP_BYTES_COPIED_IN] += done;
	if (done > 0)
		tcp_output(c);
	else if (len > 0 && tcp_sndq_fits(c, 1, RTE_MBUF_DEFAULT_BUF_SIZE))
		return -ENOBUFS;
	return (ssize_t)done;
}

/* After the application took data: advertise the opened window if it matters (RFC 1122 4.2.3.3). */
static void
tcp_window_update(struct dtcp_conn *c)
{
	uint32_t advertised = c->rcv_adv - c->rcv_nxt;
	/* What the window field can carry: without scaling, never more than 64 KiB - 1. */
	uint32_t now = RTE_MIN(tcp_rcv_wnd(c), (uint32_t)UINT16_MAX << c->rcv_wscale);

	if (c->state != DTCP_TCP_ESTABLISHED && c->state != DTCP_TCP_FIN_WAIT_1 &&
	    c->state != DTCP_TCP_FIN_WAIT_2)
		return;
	if (now - advertised >= RTE_MIN(c->rcv_buf / 2, 2u * c->snd_mss)) {
		dtcp_count(c->lc, DTCP_CTR_TCP_TX_WINDOW_UPDATES);
		tcp_send_ack(c);
	}
}

struct rte_mbuf *
dtcp_recv(struct dtcp_conn *c)
{
	struct rte_mbuf *m = c->rcvq_head;

	if (m == NULL) {
		rte_errno = EAGAIN;
		return NULL;
	}
	c->rcvq_head = c->rcvq_tail = NULL;
	c->rcvq_len = 0;
	tcp_window_update(c);
	return m;
}

size_t
dtcp_read(struct dtcp_conn *c, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len && c->rcvq_head != NULL) {
		struct rte_mbuf *head = c->rcvq_head;
		size_t n = RTE_MIN(len - done, (size_t)head->data_len);

		memcpy(p + done, rte_pktmbuf_mtod(head, char *), n);
		done += n;
		c->rcvq_len -= (uint32_t)n;
		if (n < head->data_len) {
			head->data_off = (uint16_t)(head->data_off + n);
			head->data_len = (uint16_t)(head->data_len - n);
			head->pkt_len -= (uint32_t)n;
			break;
		}
		/* First segment used up: the next one heads the chain. */
		c->rcvq_head = head->next;
		if (c->rcvq_head != NULL) {
			c->rcvq_head->nb_segs = (uint16_t)(head->nb_segs - 1);
			c->rcvq_head->pkt_len = head->pkt_len - head->data_len;
		} else {
			c->rcvq_tail = NULL;
		}
		head->next = NULL;
		head->nb_segs = 1;
		head->pkt_len = head->data_len;
		rte_pktmbuf_free(head);
	}
	c->lc->ctr[DTCP_CTR_APP_BYTES_COPIED_OUT] += done;
	if (done > 0)
		tcp_window_update(c);
	return done;
}

int
dtcp_shutdown(struct dtcp_conn *c)
{
	if (c->flags & TCPF_FIN_QUEUED)
		return 0;
	switch (c->state) {
	case DTCP_TCP_ESTABLISHED:
		tcp_set_state(c, DTCP_TCP_FIN_WAIT_1);
		break;
	case DTCP_TCP_CLOSE_WAIT:
		tcp_set_state(c, DTCP_TCP_LAST_ACK);
		break;
	case DTCP_TCP_SYN_SENT:
	case DTCP_TCP_SYN_RECEIVED:
		return -ENOTCONN;
	default:
		return 0; /* already closing or closed */
	}
	c->flags |= TCPF_FIN_QUEUED;
	tcp_output(c);
	return 0;
}

void
dtcp_abort(struct dtcp_conn *c)
{
	c->flags |= TCPF_RELEASED;
	c->ev_pending = 0;
	if (c->state != DTCP_TCP_CLOSED && c->state != DTCP_TCP_SYN_SENT)
		tcp_send_rst(c, DTCP_CTR_TCP_TX_RST_ABORT);
	if (c->state != DTCP_TCP_CLOSED)
		tcp_conn_closed(c);
	else
		tcp_conn_maybe_free(c);
}

void
dtcp_close(struct dtcp_conn *c)
{
	struct dtcp_lcore *lc = c->lc;

	/* Unread data would be lost silently: reset instead (RFC 2525 section 2.17). */
	if (c->rcvq_len > 0 || c->state == DTCP_TCP_SYN_SENT || c->state == DTCP_TCP_SYN_RECEIVED) {
		if (c->rcvq_len > 0)
			dtcp_count(lc, DTCP_CTR_TCP_RST_UNREAD_DATA);
		dtcp_abort(c);
		return;
	}
	c->flags |= TCPF_RELEASED;
	c->ev_pending = 0;
	dtcp_shutdown(c);
	if (c->state == DTCP_TCP_FIN_WAIT_2 && !dtcp_timer_armed(&c->rtx_timer))
		dtcp_timer_arm(&lc->tcp.wheel, &c->rtx_timer,
			       lc->now_us + (uint64_t)lc->stack->cfg.tcp_fin_wait2_s * US_PER_S);
	tcp_conn_maybe_free(c);
}

int
dtcp_conn_set_opt(struct dtcp_conn *c, enum dtcp_conn_opt opt, uint32_t value)
{
	switch (opt) {
	case DTCP_OPT_SNDBUF:
		if (value < 4096 || value > (1u << 30))
			return -EINVAL;
		c->snd_buf = value;
		return 0;
	case DTCP_OPT_RCVBUF:
		if (value < 4096 || value > (1u << 30))
			return -EINVAL;
		if (c->state != DTCP_TCP_CLOSED)
			return -EISCONN; /* the window scale is fixed by the handshake */
		c->rcv_buf = value;
		return 0;
	case DTCP_OPT_NODELAY:
		if (value > 1)
			return -EINVAL;
		c->flags = value ? (c->flags | TCPF_NODELAY) : (c->flags & ~TCPF_NODELAY);
		if (value)
			tcp_output(c);
		return 0;
	case DTCP_OPT_KEEPALIVE:
		if (value > 1)
			return -EINVAL;
		c->flags = value ? (c->flags | TCPF_KEEPALIVE) : (c->flags & ~TCPF_KEEPALIVE);
		if (value)
			tcp_keepalive_reset(c);
		else
			dtcp_timer_cancel(&c->lc->tcp.wheel, &c->keep_timer);
		return 0;
	case DTCP_OPT_KEEPIDLE_S:
	case DTCP_OPT_KEEPINTVL_S:
		if (value == 0 || value > 86400)
			return -EINVAL;
		if (opt == DTCP_OPT_KEEPIDLE_S)
			c->keep_idle_s = value;
		else
			c->keep_intvl_s = value;
		return 0;
	case DTCP_OPT_KEEPCNT:
		if (value == 0 || value > 255)
			return -EINVAL;
		c->keep_cnt = value;
		return 0;
	case DTCP_OPT_CONGESTION: {
		const struct tcp_cc_ops *ops =
			value <= DTCP_CC_CUBIC ? tcp_cc_ops_of((enum dtcp_cc_algo)value) : NULL;

		if (ops == NULL)
			return -EINVAL;
		tcp_cc_set_ops(c, ops);
		return 0;
	}
	}
	return -EINVAL;
}

void
dtcp_conn_set_user(struct dtcp_conn *c, void *user)
{
	c->user = user;
}

void
dtcp_conn_set_tag(struct dtcp_conn *c, uint64_t tag)
{
	c->tag = tag;
}

void
dtcp_conn_info(const struct dtcp_conn *c, struct dtcp_conn_info *info)
{
	memset(info, 0, sizeof(*info));
	info->state = (enum dtcp_tcp_state)c->state;
	info->local_addr = c->key.local_addr;
	info->remote_addr = c->key.remote_addr;
	info->local_port = rte_be_to_cpu_16(c->key.local_port);
	info->remote_port = rte_be_to_cpu_16(c->key.remote_port);
	info->snd_queued = c->sndq_len;
	info->snd_buf = c->snd_buf;
	info->rcv_queued = c->rcvq_len;
	info->mss = c->snd_mss;
	info->wscale_ok = (c->flags & TCPF_WSCALE_OK) != 0;
	info->sack_ok = (c->flags & TCPF_SACK_OK) != 0;
	info->ts_ok = (c->flags & TCPF_TS_OK) != 0;
	info->snd_wscale = c->snd_wscale;
	info->rcv_wscale = c->rcv_wscale;
	info->cc_algo =
		c->cc_ops != NULL ? c->cc_ops->algo : c->lc->stack->cfg.tcp_congestion_control;
	info->cwnd = c->cwnd;
	info->ssthresh = c->ssthresh;
}
