/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore TCP tables and object lifetimes.
 *
 * Connections, TIME_WAIT entries and listeners each live in an array indexed
 * by the position rte_hash gives their key. The hashes are created with
 * RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL: deleting a key (the tuple is free for
 * a new connection) and freeing its slot (the memory is reusable) are two
 * steps, because an application may hold a connection handle after the
 * connection left the table (closed, or moved to TIME_WAIT).
 *
 * A connection slot is freed when both are true: the protocol is done with
 * it (CLOSED, or its tuple handed to a TIME_WAIT entry) and the application
 * holds no handle (TCPF_RELEASED: it called dtcp_close()/dtcp_abort(), or
 * never had one: passive opens carry the flag until dtcp_accept()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "core/lcore.h"
#include "core/stack.h"
#include "ctl/log.h"
#include "tcp/tcp.h"

static struct rte_hash *
tcp_hash_create(const char *kind, unsigned int index, uint32_t entries, uint32_t key_len,
		int socket)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries,
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE | RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL,
	};

	snprintf(name, sizeof(name), "dtcp_%s_%u", kind, (uint16_t)index);
	return rte_hash_create(&hp);
}

int
dtcp_tcp_lcore_init(struct dtcp_lcore *lc)
{
	const struct dtcp_config *cfg = &lc->stack->cfg;
	struct dtcp_tcp_lcore *t = &lc->tcp;
	int socket = (int)rte_lcore_to_socket_id(lc->lcore_id);
	int rc;

	t->max_conns = cfg->tcp_max_conns;
	TAILQ_INIT(&t->tx_wait);
	t->conn_hash = tcp_hash_create("conn", lc->index, cfg->tcp_max_conns,
				       sizeof(struct dtcp_flow_key), socket);
	t->tw_hash = tcp_hash_create("tw", lc->index, cfg->tcp_max_time_wait,
				     sizeof(struct dtcp_flow_key), socket);
	/* rte_hash refuses fewer than 8 entries; the table itself holds max_listeners. */
	t->listen_hash = tcp_hash_create("listen", lc->index, RTE_MAX(cfg->tcp_max_listeners, 8u),
					 sizeof(struct tcp_listen_key), socket);
	t->conns = rte_zmalloc_socket("dtcp_conns", sizeof(t->conns[0]) * cfg->tcp_max_conns,
				      RTE_CACHE_LINE_SIZE, socket);
	t->tws = rte_zmalloc_socket("dtcp_tws", sizeof(t->tws[0]) * cfg->tcp_max_time_wait,
				    RTE_CACHE_LINE_SIZE, socket);
	t->listeners = rte_zmalloc_socket(
		"dtcp_listeners", sizeof(t->listeners[0]) * cfg->tcp_max_listeners, 0, socket);
	t->burst = rte_zmalloc_socket("dtcp_tcp_burst", sizeof(t->burst[0]) * cfg->burst_size,
				      RTE_CACHE_LINE_SIZE, socket);
	t->ack_list = rte_zmalloc_socket("dtcp_ack_list", sizeof(t->ack_list[0]) * cfg->burst_size,
					 0, socket);
	/* Each connection and listener is queued at most once, so this never overflows. */
	t->evq_size = cfg->tcp_max_conns + cfg->tcp_max_listeners + 1;
	t->evq = rte_zmalloc_socket("dtcp_evq", sizeof(t->evq[0]) * t->evq_size, 0, socket);
	if (t->conn_hash == NULL || t->tw_hash == NULL || t->listen_hash == NULL ||
	    t->conns == NULL || t->tws == NULL || t->listeners == NULL || t->burst == NULL ||
	    t->ack_list == NULL || t->evq == NULL) {
		DTCP_LOG(ERR, stack,
			 "lcore %u: TCP tables for %u connections and %u TIME_WAIT entries: %s",
			 lc->lcore_id, cfg->tcp_max_conns, cfg->tcp_max_time_wait,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = dtcp_timer_wheel_init(&t->wheel, 0, 1000);
	if (rc == 0)
		rc = dtcp_siphash_key_random(&t->secret);
	dtcp_syncookie_jar_init(&t->cookies, cfg->tcp_syncookie_period_s);
	/* RFC 6056: start the ephemeral search somewhere unpredictable. */
	t->next_port = (uint16_t)(cfg->tcp_port_min + rte_rand_max((uint64_t)cfg->tcp_port_max -
								   cfg->tcp_port_min + 1));
	return rc;
}

void
dtcp_tcp_lcore_free(struct dtcp_lcore *lc)
{
	struct dtcp_tcp_lcore *t = &lc->tcp;

	if (t->conns != NULL) {
		for (uint32_t i = 0; i < t->max_conns; i++) {
			if (t->conns[i].lc == NULL)
				continue;
			tcp_sndq_free(&t->conns[i]);
			tcp_rcvq_free(&t->conns[i]);
		}
	}
	rte_hash_free(t->conn_hash);
	rte_hash_free(t->tw_hash);
	rte_hash_free(t->listen_hash);
	rte_free(t->conns);
	rte_free(t->tws);
	rte_free(t->listeners);
	rte_free(t->burst);
	rte_free(t->ack_list);
	rte_free(t->evq);
	memset(t, 0, sizeof(*t));
}

struct dtcp_conn *
tcp_conn_lookup(struct dtcp_lcore *lc, const struct dtcp_flow_key *key)
{
	int32_t pos = rte_hash_lookup(lc->tcp.conn_hash, key);

	return pos >= 0 ? &lc->tcp.conns[pos] : NULL;
}

struct dtcp_conn *
tcp_conn_create(struct dtcp_lcore *lc, const struct dtcp_flow_key *key, unsigned int port_idx)
{
	const struct dtcp_config *cfg = &lc->stack->cfg;
	int32_t pos = rte_hash_add_key(lc->tcp.conn_hash, key);
	struct dtcp_conn *c;
	uint32_t gen;

	if (pos < 0 || (uint32_t)pos >= lc->tcp.max_conns) {
		if (pos >= 0) {
			rte_hash_del_key(lc->tcp.conn_hash, key);
			rte_hash_free_key_with_position(lc->tcp.conn_hash, pos);
		}
		return NULL;
	}
	lc->tcp.conn_inserts++;
	c = &lc->tcp.conns[pos];
	gen = c->gen + 1;
	memset(c, 0, sizeof(*c));
	c->key = *key;
	c->lc = lc;
	c->slot = pos;
	c->gen = gen;
	c->port_idx = (uint8_t)port_idx;
	c->flags = TCPF_IN_TABLE;
	c->snd_buf = cfg->tcp_snd_buf;
	c->rcv_buf = cfg->tcp_rcv_buf;
	c->rto_us = cfg->tcp_rto_initial_ms * 1000u;
	c->keep_idle_s = 7200;
	c->keep_intvl_s = 75;
	c->keep_cnt = 9;
	c->state = DTCP_TCP_CLOSED;
	lc->tcp.state_count[DTCP_TCP_CLOSED]++;
	tcp_timers_init(c);
	return c;
}

void
tcp_set_state(struct dtcp_conn *c, enum dtcp_tcp_state state)
{
	struct dtcp_tcp_lcore *t = &c->lc->tcp;

	t->state_count[c->state]--;
	t->state_count[state]++;
	c->state = (uint8_t)state;
}

/* The tuple is free for a new connection; the slot stays until tcp_conn_maybe_free(). */
void
tcp_conn_unhash(struct dtcp_conn *c)
{
	if (c->flags & TCPF_IN_TABLE) {
		rte_hash_del_key(c->lc->tcp.conn_hash, &c->key);
		c->flags &= ~TCPF_IN_TABLE;
	}
}

void
tcp_sndq_free(struct dtcp_conn *c)
{
	struct rte_mbuf *m = c->sndq_head;

	while (m != NULL) {
		struct rte_mbuf *next = m->next;

		m->next = NULL;
		rte_pktmbuf_free(m);
		m = next;
	}
	c->sndq_head = c->sndq_tail = c->sndq_cur = NULL;
	c->sndq_len = 0;
	c->sndq_truesize = 0;
}

void
tcp_rcvq_free(struct dtcp_conn *c)
{
	rte_pktmbuf_free(c->rcvq_head);
	c->rcvq_head = c->rcvq_tail = NULL;
	c->rcvq_len = 0;
	tcp_reass_free(c);
}

static bool
tcp_conn_done(const struct dtcp_conn *c)
{
	return c->state == DTCP_TCP_CLOSED || c->state == DTCP_TCP_TIME_WAIT;
}

void
tcp_conn_maybe_free(struct dtcp_conn *c)
{
	struct dtcp_lcore *lc = c->lc;

	if (!tcp_conn_done(c))
		return;
	/* Established but never accepted: leave the accept queue. */
	if (c->flags & TCPF_IN_ACCEPTQ) {
		TAILQ_REMOVE(&c->listener->acceptq, c, acceptq_link);
		c->listener->nb_accept--;
		c->flags &= ~TCPF_IN_ACCEPTQ;
	}
	if (!(c->flags & TCPF_RELEASED))
		return;
	dtcp_timer_cancel(&lc->tcp.wheel, &c->rtx_timer);
	dtcp_timer_cancel(&lc->tcp.wheel, &c->keep_timer);
	dtcp_timer_cancel(&lc->tcp.wheel, &c->delack_timer);
	tcp_conn_unhash(c);
	tcp_tx_wait_leave(c);
	tcp_sndq_free(c);
	tcp_rcvq_free(c);
	lc->tcp.state_count[c->state]--;
	rte_hash_free_key_with_position(lc->tcp.conn_hash, c->slot);
	c->lc = NULL;
	c->ev_pending = 0;
}

/* The connection ended (any reason): no more protocol work; events tell the app. */
void
tcp_conn_closed(struct dtcp_conn *c)
{
	struct dtcp_lcore *lc = c->lc;

	if (c->listener != NULL && c->state == DTCP_TCP_SYN_RECEIVED)
		c->listener->nb_half_open--;
	dtcp_timer_cancel(&lc->tcp.wheel, &c->rtx_timer);
	dtcp_timer_cancel(&lc->tcp.wheel, &c->keep_timer);
	dtcp_timer_cancel(&lc->tcp.wheel, &c->delack_timer);
	tcp_conn_unhash(c);
	tcp_tx_wait_leave(c);
	tcp_sndq_free(c);
	tcp_reass_free(c); /* never readable now; in-order data stays for the application */
	tcp_set_state(c, DTCP_TCP_CLOSED);
	tcp_raise(c, c->error != 0 ? DTCP_EV_ERROR : DTCP_EV_CLOSED);
	tcp_conn_maybe_free(c);
}

void
tcp_conn_fail(struct dtcp_conn *c, int error)
{
	c->error = error;
	tcp_conn_closed(c);
}

struct dtcp_tw *
tcp_tw_lookup(struct dtcp_lcore *lc, const struct dtcp_flow_key *key)
{
	int32_t pos;

	/* Every SYN to a listener asks first: skip the hash while TIME_WAIT is empty. */
	if (lc->tcp.state_count[DTCP_TCP_TIME_WAIT] == 0)
		return NULL;
	pos = rte_hash_lookup(lc->tcp.tw_hash, key);

	return pos >= 0 ? &lc->tcp.tws[pos] : NULL;
}

void
tcp_tw_free(struct dtcp_lcore *lc, struct dtcp_tw *tw)
{
	dtcp_timer_cancel(&lc->tcp.wheel, &tw->timer);
	rte_hash_del_key(lc->tcp.tw_hash, &tw->key);
	rte_hash_free_key_with_position(lc->tcp.tw_hash, tw->slot);
	lc->tcp.state_count[DTCP_TCP_TIME_WAIT]--;
}

/*
 * Hand the tuple to a small TIME_WAIT entry and let the connection go. When
 * the TIME_WAIT table is full the connection is simply closed: the tuple is
 * then reusable early, which RFC 6191's timestamp check and our ISN clock make
 * safe in practice (Linux does the same when tcp_max_tw_buckets is reached).
 */
void
tcp_enter_time_wait(struct dtcp_conn *c)
{
	struct dtcp_lcore *lc = c->lc;
	int32_t pos = rte_hash_add_key(lc->tcp.tw_hash, &c->key);
	struct dtcp_tw *tw;

	if (pos < 0 || (uint32_t)pos >= lc->stack->cfg.tcp_max_time_wait) {
		if (pos >= 0) {
			rte_hash_del_key(lc->tcp.tw_hash, &c->key);
			rte_hash_free_key_with_position(lc->tcp.tw_hash, pos);
		}
		dtcp_count(lc, DTCP_CTR_TCP_TIME_WAIT_FULL);
		tcp_conn_closed(c);
		return;
	}
	tw = &lc->tcp.tws[pos];
	memset(tw, 0, sizeof(*tw));
	tw->key = c->key;
	tw->slot = pos;
	tw->port_idx = c->port_idx;
	tw->ts_ok = (c->flags & TCPF_TS_OK) != 0;
	tw->snd_nxt = c->snd_max;
	tw->rcv_nxt = c->rcv_nxt;
	tw->rcv_wnd = tcp_rcv_wnd(c);
	tw->rcv_wscale = c->rcv_wscale;
	tw->ts_recent = c->ts_recent;
	tw->ts_offset = c->ts_offset;
	lc->tcp.state_count[DTCP_TCP_TIME_WAIT]++;
	tcp_tw_arm(lc, tw);
	/* The connection itself is done: the app sees CLOSED, the tuple lives on in tw. */
	tcp_conn_closed(c);
}

struct dtcp_listener *
tcp_listener_lookup(struct dtcp_lcore *lc, uint32_t addr, uint16_t port)
{
	struct dtcp_tcp_lcore *t = &lc->tcp;
	struct tcp_listen_key k = {.addr = addr, .port = port};
	int32_t pos;

	/*
	 * A flood hits one listener over and over: remember the last answer
	 * (dtcp_listen() and dtcp_unlisten() forget it) instead of two hash
	 * lookups, specific then wildcard, per SYN.
	 */
	if (t->listen_cache != NULL && t->listen_cache_key.addr == addr &&
	    t->listen_cache_key.port == port)
		return t->listen_cache;
	pos = rte_hash_lookup(t->listen_hash, &k);
	if (pos < 0) {
		k.addr = 0; /* wildcard listener */
		pos = rte_hash_lookup(t->listen_hash, &k);
	}
	if (pos < 0)
		return NULL;
	t->listen_cache_key = (struct tcp_listen_key){.addr = addr, .port = port};
	t->listen_cache = &t->listeners[pos];
	return t->listen_cache;
}

static void
evq_push(struct dtcp_tcp_lcore *t, void *obj, uint32_t gen, bool is_listener)
{
	struct tcp_evq_entry *e = &t->evq[t->evq_tail];

	e->obj = obj;
	e->gen = gen;
	e->is_listener = is_listener;
	t->evq_tail = (t->evq_tail + 1) % t->evq_size;
}

void
tcp_raise(struct dtcp_conn *c, enum dtcp_event_type type)
{
	if (c->flags & TCPF_RELEASED)
		return;
	c->ev_pending |= (uint16_t)TCP_EV_BIT(type);
	if (!c->in_evq) {
		c->in_evq = true;
		evq_push(&c->lc->tcp, c, c->gen, false);
	}
}

void
tcp_raise_listener(struct dtcp_listener *l)
{
	l->ev_pending |= (uint16_t)TCP_EV_BIT(DTCP_EV_ACCEPT);
	if (!l->in_evq) {
		l->in_evq = true;
		evq_push(&l->lc->tcp, l, l->gen, true);
	}
}
