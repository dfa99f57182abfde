/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy on the stack's per-lcore callbacks.
 *
 *   lb_proxy_lcore_init  (once per lcore)   listen on the service port
 *   lb_proxy_lcore_poll  (every iteration)  lb_picker_refresh -> lb_check_poll (lcore 0)
 *       -> dtcp_events() -> accept_all() | half_event() | lb_check_event()
 *       -> release_dead() (end of each batch) -> idle_sweep()
 *   lb_proxy_lcore_fini  (once per lcore)   reset the pairs left, stop listening
 *
 * A pair: half[LB_CLIENT] (accepted) and half[LB_BACKEND] (dtcp_connect()ed
 * from the same lcore; the stack picks a source port whose replies come back
 * here). Each half's dtcp user pointer is the half itself. pump(src) moves
 * data from src to the other half, dst: first what dst->pending still holds,
 * then chains from dtcp_recv(src) handed to dtcp_send(dst) untouched. A chain
 * dtcp_send() takes only partly stays in dst->pending and src is not read
 * again until DTCP_EV_WRITABLE of dst calls pump(src) (its receive window
 * closes meanwhile); pump() then reads src again without waiting for another
 * READABLE, since events are level-coalesced. Client data that comes before
 * the backend is connected stays in the client connection until CONNECTED.
 *
 * Ends. PEER_CLOSED of src: once dst->pending is empty, dtcp_shutdown(dst).
 * The pair ends when both halves reported CLOSED (both FINs went both ways);
 * then both are released with dtcp_close(). ERROR on a connected half (reset,
 * timeout) aborts the other half. ERROR before the backend connected is a
 * failed connect: another backend up is tried, up to connect_retries times,
 * then the client is reset. A pair with no data moved either way for the idle
 * timeout is reset both ways: live pairs sit on an LRU list, moved to its
 * tail when data moves, and each poll looks at its head only.
 *
 * Releases (pair back to the free list) wait for the end of the event batch:
 * the batch may still hold events carrying a released half as user pointer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <dtcp/dtcp.h>
#include <dtcp/dtcp_tcp.h>

#include "lb_proxy.h"

/* Events taken per dtcp_events() call, and calls per poll (bounds the time away from RX). */
#define LB_EVENT_BURST	64
#define LB_EVENT_ROUNDS 4
/* Accept queue length asked of each listener. */
#define LB_BACKLOG 4096
/* Pair tags: (lcore index + 1) << 40 | per-lcore counter. */
#define LB_TAG_SHIFT 40

#define LB_CLIENT  0
#define LB_BACKEND 1

/* lb_half::flags */
#define HALF_CONNECTED (1u << 0) /* established: data may be sent to it */
#define HALF_EOF       (1u << 1) /* its peer's FIN came: no input after what is queued */
#define HALF_SHUT      (1u << 2) /* FIN passed on to it (dtcp_shutdown) */
#define HALF_CLOSED    (1u << 3) /* DTCP_EV_CLOSED: both FINs done, nothing more will happen */

/* lb_pair::flags */
#define PAIR_LIVE    (1u << 0) /* on the LRU list */
#define PAIR_DEAD    (1u << 1) /* on the dead list: events for it are ignored */
#define PAIR_PROXIED (1u << 2) /* backend connected: counted in its ACTIVE */

struct lb_pair;

/* One connection of a pair. */
struct lb_half {
	uint8_t kind;  /* LB_OBJ_HALF: must come first (lb_backend.h) */
	uint8_t side;  /* LB_CLIENT or LB_BACKEND */
	uint8_t flags; /* HALF_* */
	struct dtcp_conn *conn;
	struct rte_mbuf *pending; /* from the other half, not yet taken by dtcp_send(conn) */
	struct lb_pair *pair;
};

struct lb_pair {
	struct lb_half half[2];
	TAILQ_ENTRY(lb_pair) link; /* lb_lcore::free, ::lru or ::dead */
	uint64_t last_us;	   /* data last moved (or accepted, connected) */
	uint64_t tag;
	int32_t backend;  /* index, -1 before the first connect */
	uint16_t retries; /* connects retried so far */
	uint8_t flags;	  /* PAIR_* */
};

TAILQ_HEAD(lb_pair_list, lb_pair);

/* Everything one lcore's callbacks touch. */
struct lb_lcore {
	struct lb_proxy *px; /* read-only while running */
	struct dtcp_lcore *dlc;
	struct dtcp_listener *listener;
	struct lb_picker picker;
	struct lb_pair *pairs; /* max_pairs */
	struct lb_pair_list free, lru, dead;
	uint64_t next_tag;
	uint64_t ctr[LB_CTR__MAX];
	uint64_t bctr[LB_MAX_BACKENDS][LB_BCTR__MAX];
} __rte_cache_aligned;

struct lb_proxy {
	struct dtcp_stack *stack;
	struct lb_proxy_options opt;
	struct lb_backends *be;
	unsigned int nb_lcores;
	unsigned int nb_started; /* lcores listening (atomic) */
	bool failed;		 /* an init failed (atomic) */
	struct lb_lcore *lcores[RTE_MAX_LCORE];
};

static const char *const counter_names[] = {
#define LB_CTR_NAME(id, name, desc) name,
	LB_COUNTER_LIST(LB_CTR_NAME)
#undef LB_CTR_NAME
};

static const char *const bcounter_names[] = {
#define LB_BCTR_NAME(id, name, desc) name,
	LB_BACKEND_COUNTER_LIST(LB_BCTR_NAME)
#undef LB_BCTR_NAME
};

static inline void
count(struct lb_lcore *lc, enum lb_counter c, uint64_t n)
{
	lc->ctr[c] += n;
}

static inline void
bcount(struct lb_lcore *lc, int32_t backend, enum lb_backend_counter c, uint64_t n)
{
	lc->bctr[backend][c] += n;
}

/* --- pair bookkeeping ------------------------------------------------------------------ */

static void
pair_touch(struct lb_lcore *lc, struct lb_pair *p)
{
	p->last_us = dtcp_lcore_now_us(lc->dlc);
	if (TAILQ_LAST(&lc->lru, lb_pair_list) != p) {
		TAILQ_REMOVE(&lc->lru, p, link);
		TAILQ_INSERT_TAIL(&lc->lru, p, link);
	}
}

static void
half_init(struct lb_pair *p, unsigned int side)
{
	struct lb_half *h = &p->half[side];

	h->kind = LB_OBJ_HALF;
	h->side = (uint8_t)side;
	h->flags = 0;
	h->conn = NULL;
	h->pending = NULL;
	h->pair = p;
}

/*
 * Release both connections (dtcp_abort: RST where still open; dtcp_close
 * after both CLOSED events) and retire the pair until the batch ends.
 */
static void
pair_finish(struct lb_lcore *lc, struct lb_pair *p, bool abort)
{
	for (unsigned int s = 0; s < 2; s++) {
		struct lb_half *h = &p->half[s];

		if (h->conn != NULL) {
			if (abort)
				dtcp_abort(h->conn);
			else
				dtcp_close(h->conn);
			h->conn = NULL;
		}
		rte_pktmbuf_free(h->pending); /* NULL-safe */
		h->pending = NULL;
	}
	if (p->flags & PAIR_PROXIED)
		bcount(lc, p->backend, LB_BCTR_ACTIVE, (uint64_t)-1);
	count(lc, LB_CTR_ACTIVE_PAIRS, (uint64_t)-1);
	count(lc, LB_CTR_PAIRS_CLOSED, 1);
	TAILQ_REMOVE(&lc->lru, p, link);
	TAILQ_INSERT_TAIL(&lc->dead, p, link);
	p->flags = PAIR_DEAD;
}

static void
release_dead(struct lb_lcore *lc)
{
	struct lb_pair *p;

	while ((p = TAILQ_FIRST(&lc->dead)) != NULL) {
		TAILQ_REMOVE(&lc->dead, p, link);
		p->flags = 0;
		TAILQ_INSERT_HEAD(&lc->free, p, link); /* LIFO: the warmest first */
	}
}

/* A half ended in an error (reset, timeout): the other side is reset too. */
static void
pair_reset(struct lb_lcore *lc, struct lb_pair *p, unsigned int failed_side)
{
	count(lc,
	      failed_side == LB_CLIENT ? LB_CTR_CLIENT_RESETS_PROPAGATED
				       : LB_CTR_BACKEND_RESETS_PROPAGATED,
	      1);
	pair_finish(lc, p, true);
}

/* --- splice ----------------------------------------------------------------------------- */

/*
 * Move what src has to the other half (see the file comment). Returns false
 * if the pair ended meanwhile.
 */
static bool
pump(struct lb_lcore *lc, struct lb_pair *p, unsigned int s)
{
	struct lb_half *src = &p->half[s], *dst = &p->half[!s];
	uint64_t moved = 0;

	if (!(dst->flags & HALF_CONNECTED))
		return true; /* the client's data waits in its connection for CONNECTED */
	for (;;) {
		if (dst->pending != NULL) {
			int rc = dtcp_send(dst->conn, &dst->pending);

			if (rc < 0) {
				/* dst was reset under us; releasing it drops its ERROR event. */
				pair_reset(lc, p, !s);
				return false;
			}
			moved += (uint64_t)rc;
			if (dst->pending != NULL)
				break; /* back-pressure: DTCP_EV_WRITABLE of dst resumes */
		}
		dst->pending = dtcp_recv(src->conn);
		if (dst->pending == NULL)
			break;
	}
	if (moved != 0) {
		count(lc, s == LB_CLIENT ? LB_CTR_BYTES_TO_BACKEND : LB_CTR_BYTES_TO_CLIENT, moved);
		bcount(lc, p->backend,
		       s == LB_CLIENT ? LB_BCTR_BYTES_TO_BACKEND : LB_BCTR_BYTES_TO_CLIENT, moved);
		pair_touch(lc, p);
	}
	if (dst->pending == NULL && (src->flags & HALF_EOF) && !(dst->flags & HALF_SHUT)) {
		dtcp_shutdown(dst->conn); /* FIN after everything src sent */
		dst->flags |= HALF_SHUT;
		count(lc, LB_CTR_HALF_CLOSES, 1);
	}
	return true;
}

/* --- backend connects ------------------------------------------------------------------- */

/* Open the backend half to backend @b. 0, or -1 (counted) if dtcp_connect() refused. */
static int
backend_try(struct lb_lcore *lc, struct lb_pair *p, int b)
{
	const struct lb_backends *be = lc->px->be;
	struct lb_half *h = &p->half[LB_BACKEND];
	struct dtcp_conn *c;

	p->backend = b;
	half_init(p, LB_BACKEND);
	c = dtcp_connect(lc->dlc, be->addr[b].addr, be->addr[b].port, 0, h);
	if (c == NULL) {
		count(lc, LB_CTR_BACKEND_CONNECT_FAILED, 1);
		bcount(lc, b, LB_BCTR_CONNECT_FAILED, 1);
		return -1;
	}
	h->conn = c;
	dtcp_conn_set_tag(c, p->tag);
	/* A proxy forwards segments as they come: Nagle would only add delay. */
	dtcp_conn_set_opt(c, DTCP_OPT_NODELAY, 1);
	return 0;
}

/* p->backend failed: try the others up, within the retry budget, else reset the client. */
static void
backend_retry(struct lb_lcore *lc, struct lb_pair *p)
{
	while (p->retries < lc->px->opt.connect_retries) {
		int b = lb_pick_other(&lc->picker, (unsigned int)p->backend);

		if (b < 0)
			break;
		p->retries++;
		count(lc, LB_CTR_CONNECT_RETRIES, 1);
		if (backend_try(lc, p, b) == 0)
			return;
	}
	count(lc, LB_CTR_CONNECT_GAVE_UP, 1);
	pair_finish(lc, p, true);
}

/* --- events ----------------------------------------------------------------------------- */

static void
half_event(struct lb_lcore *lc, const struct dtcp_event *ev)
{
	struct lb_half *h = ev->user;
	struct lb_pair *p = h->pair;
	unsigned int s = h->side;

	if (!(p->flags & PAIR_LIVE) || ev->conn != h->conn)
		return; /* pair gone, or a backend connection given up on in this batch */
	switch (ev->type) {
	case DTCP_EV_CONNECTED:
		h->flags |= HALF_CONNECTED;
		p->flags |= PAIR_PROXIED;
		count(lc, LB_CTR_PROXIED, 1);
		bcount(lc, p->backend, LB_BCTR_TOTAL, 1);
		bcount(lc, p->backend, LB_BCTR_ACTIVE, 1);
		pair_touch(lc, p);
		pump(lc, p, LB_CLIENT); /* what the client sent meanwhile, and its FIN */
		break;
	case DTCP_EV_READABLE:
		pump(lc, p, s);
		break;
	case DTCP_EV_WRITABLE:
		pump(lc, p, !s);
		break;
	case DTCP_EV_PEER_CLOSED:
		h->flags |= HALF_EOF;
		pump(lc, p, s);
		break;
	case DTCP_EV_CLOSED:
		h->flags |= HALF_EOF | HALF_CLOSED;
		if (!pump(lc, p, s))
			break;
		if ((p->half[LB_CLIENT].flags & HALF_CLOSED) &&
		    (p->half[LB_BACKEND].flags & HALF_CLOSED))
			pair_finish(lc, p, false);
		break;
	case DTCP_EV_ERROR:
		if (s == LB_BACKEND && !(h->flags & HALF_CONNECTED)) {
			/* ECONNREFUSED, ETIMEDOUT: the connect failed. */
			count(lc, LB_CTR_BACKEND_CONNECT_FAILED, 1);
			bcount(lc, p->backend, LB_BCTR_CONNECT_FAILED, 1);
			dtcp_close(h->conn);
			h->conn = NULL;
			backend_retry(lc, p);
		} else {
			pair_reset(lc, p, s);
		}
		break;
	default:
		break;
	}
}

static void
pair_start(struct lb_lcore *lc, struct lb_pair *p, struct dtcp_conn *c)
{
	struct lb_half *h = &p->half[LB_CLIENT];

	half_init(p, LB_CLIENT);
	half_init(p, LB_BACKEND);
	h->conn = c;
	h->flags = HALF_CONNECTED;
	p->flags = PAIR_LIVE;
	p->backend = -1;
	p->retries = 0;
	lc->next_tag++;
	p->tag = ((uint64_t)(dtcp_lcore_index(lc->dlc) + 1) << LB_TAG_SHIFT) |
		 (lc->next_tag & ((UINT64_C(1) << LB_TAG_SHIFT) - 1));
	dtcp_conn_set_tag(c, p->tag);
	dtcp_conn_set_opt(c, DTCP_OPT_NODELAY, 1);
	p->last_us = dtcp_lcore_now_us(lc->dlc);
	TAILQ_INSERT_TAIL(&lc->lru, p, link);
	count(lc, LB_CTR_ACCEPTED, 1);
	count(lc, LB_CTR_ACTIVE_PAIRS, 1);
}

static void
accept_all(struct lb_lcore *lc, struct dtcp_listener *l)
{
	for (;;) {
		struct lb_pair *p = TAILQ_FIRST(&lc->free);
		struct dtcp_conn_info info;
		struct dtcp_conn *c;
		int b;

		if (p == NULL) {
			/* No room for a pair: refuse now rather than leave it queued. */
			c = dtcp_accept(l, NULL);
			if (c == NULL)
				return;
			dtcp_abort(c);
			count(lc, LB_CTR_TABLE_FULL, 1);
			continue;
		}
		c = dtcp_accept(l, &p->half[LB_CLIENT]);
		if (c == NULL)
			return;
		TAILQ_REMOVE(&lc->free, p, link);
		pair_start(lc, p, c);
		dtcp_conn_info(c, &info);
		b = lb_pick(&lc->picker, info.remote_addr, rte_cpu_to_be_16(info.remote_port));
		if (b < 0) {
			count(lc, LB_CTR_NO_BACKEND, 1);
			pair_finish(lc, p, true);
			continue;
		}
		if (backend_try(lc, p, b) != 0)
			backend_retry(lc, p);
	}
}

static void
event_handle(struct lb_lcore *lc, const struct dtcp_event *ev)
{
	const uint8_t *kind = ev->user;

	if (ev->type == DTCP_EV_ACCEPT) {
		accept_all(lc, ev->listener);
		return;
	}
	if (kind == NULL)
		return;
	if (*kind == LB_OBJ_HALF)
		half_event(lc, ev);
	else if (*kind == LB_OBJ_CHECK)
		lb_check_event(lc->px->be, ev);
}

/* Reset pairs idle for idle_us: the LRU head is the longest idle. */
static void
idle_sweep(struct lb_lcore *lc, uint64_t now_us)
{
	const uint64_t idle_us = lc->px->opt.idle_us;
	struct lb_pair *p;

	if (idle_us == 0)
		return;
	while ((p = TAILQ_FIRST(&lc->lru)) != NULL && now_us - p->last_us >= idle_us) {
		count(lc, LB_CTR_IDLE_TIMEOUTS, 1);
		pair_finish(lc, p, true);
	}
}

void
lb_proxy_lcore_poll(struct dtcp_lcore *dlc, void *arg)
{
	struct lb_proxy *px = arg;
	unsigned int index = dtcp_lcore_index(dlc);
	struct lb_lcore *lc = px->lcores[index];
	uint64_t now_us = dtcp_lcore_now_us(dlc);
	struct dtcp_event ev[LB_EVENT_BURST];

	lb_picker_refresh(&lc->picker);
	if (index == 0)
		lb_check_poll(px->be, dlc, now_us);
	for (unsigned int round = 0; round < LB_EVENT_ROUNDS; round++) {
		unsigned int n = dtcp_events(dlc, ev, RTE_DIM(ev));

		for (unsigned int i = 0; i < n; i++)
			event_handle(lc, &ev[i]);
		release_dead(lc);
		if (n < RTE_DIM(ev))
			break;
	}
	idle_sweep(lc, now_us);
	release_dead(lc);
}

int
lb_proxy_lcore_init(struct dtcp_lcore *dlc, void *arg)
{
	struct lb_proxy *px = arg;
	struct lb_lcore *lc = px->lcores[dtcp_lcore_index(dlc)];

	lc->dlc = dlc;
	lc->listener = dtcp_listen(dlc, 0, px->opt.listen_port, LB_BACKLOG, NULL);
	if (lc->listener == NULL) {
		fprintf(stderr, "dtcp-lb: listen on port %u (lcore %u): %s\n", px->opt.listen_port,
			dtcp_lcore_index(dlc), rte_strerror(rte_errno));
		__atomic_store_n(&px->failed, true, __ATOMIC_RELAXED);
		return -1;
	}
	/* Ready only when every lcore listens: a SYN may belong to any of them. */
	if (__atomic_add_fetch(&px->nb_started, 1, __ATOMIC_ACQ_REL) == px->nb_lcores &&
	    px->opt.ready != NULL)
		px->opt.ready();
	return 0;
}

void
lb_proxy_lcore_fini(struct dtcp_lcore *dlc, void *arg)
{
	struct lb_proxy *px = arg;
	struct lb_lcore *lc = px->lcores[dtcp_lcore_index(dlc)];
	struct lb_pair *p;

	/* Stopping: open pairs are reset, not left to time out at the peers. */
	while ((p = TAILQ_FIRST(&lc->lru)) != NULL)
		pair_finish(lc, p, true);
	release_dead(lc);
	if (dtcp_lcore_index(dlc) == 0)
		lb_check_stop(px->be);
	if (lc->listener != NULL)
		dtcp_unlisten(lc->listener);
	lc->listener = NULL;
}

/* --- set-up ----------------------------------------------------------------------------- */

static void
lcore_free(struct lb_lcore *lc)
{
	if (lc == NULL)
		return;
	lb_picker_free(&lc->picker);
	rte_free(lc->pairs);
	rte_free(lc);
}

static struct lb_lcore *
lcore_create(struct lb_proxy *px, unsigned int index, int socket)
{
	struct lb_lcore *lc;

	lc = rte_zmalloc_socket("lb_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, socket);
	if (lc == NULL) {
		fprintf(stderr, "dtcp-lb: lcore %u state: out of memory\n", index);
		return NULL;
	}
	lc->px = px;
	TAILQ_INIT(&lc->free);
	TAILQ_INIT(&lc->lru);
	TAILQ_INIT(&lc->dead);
	lc->pairs = rte_zmalloc_socket("lb_pairs", sizeof(*lc->pairs) * px->opt.max_pairs,
				       RTE_CACHE_LINE_SIZE, socket);
	if (lc->pairs == NULL) {
		fprintf(stderr,
			"dtcp-lb: pairs table for lcore %u (%u x %zu bytes, [tcp] max_conns / 2): "
			"out of memory\n",
			index, px->opt.max_pairs, sizeof(*lc->pairs));
		rte_free(lc);
		return NULL;
	}
	for (uint32_t i = 0; i < px->opt.max_pairs; i++)
		TAILQ_INSERT_TAIL(&lc->free, &lc->pairs[i], link);
	if (lb_picker_init(&lc->picker, px->be) != 0) {
		fprintf(stderr, "dtcp-lb: Maglev table for lcore %u: out of memory\n", index);
		lcore_free(lc);
		return NULL;
	}
	return lc;
}

struct lb_proxy *
lb_proxy_create(struct dtcp_stack *stack, const struct lb_proxy_options *opt,
		struct lb_backends *be)
{
	struct dtcp_app cb = {
		.init = lb_proxy_lcore_init,
		.poll = lb_proxy_lcore_poll,
		.fini = lb_proxy_lcore_fini,
	};
	struct lb_proxy *px;

	if (opt->max_pairs == 0) {
		fprintf(stderr, "dtcp-lb: no room for pairs\n");
		return NULL;
	}
	px = rte_zmalloc("lb_proxy", sizeof(*px), RTE_CACHE_LINE_SIZE);
	if (px == NULL) {
		fprintf(stderr, "dtcp-lb: proxy state: out of memory\n");
		return NULL;
	}
	px->stack = stack;
	px->opt = *opt;
	px->be = be;
	px->nb_lcores = dtcp_stack_lcore_count(stack);
	for (unsigned int i = 0; i < px->nb_lcores; i++) {
		px->lcores[i] =
			lcore_create(px, i, dtcp_lcore_socket_id(dtcp_stack_lcore(stack, i)));
		if (px->lcores[i] == NULL) {
			lb_proxy_destroy(px);
			return NULL;
		}
	}
	cb.arg = px;
	dtcp_stack_set_app(stack, &cb);
	return px;
}

void
lb_proxy_destroy(struct lb_proxy *px)
{
	if (px == NULL)
		return;
	for (unsigned int i = 0; i < RTE_DIM(px->lcores); i++)
		lcore_free(px->lcores[i]);
	rte_free(px);
}

bool
lb_proxy_failed(const struct lb_proxy *px)
{
	return px != NULL && __atomic_load_n(&px->failed, __ATOMIC_RELAXED);
}

void
lb_proxy_counters(const struct lb_proxy *px, uint64_t out[LB_CTR__MAX])
{
	uint64_t stack_ctr[DTCP_CTR__MAX];

	memset(out, 0, sizeof(uint64_t) * LB_CTR__MAX);
	for (unsigned int i = 0; i < px->nb_lcores; i++)
		for (unsigned int c = 0; c < LB_CTR__MAX; c++)
			out[c] += px->lcores[i]->ctr[c];
	/* Measured, not assumed: the stack counts what its copying calls copy. */
	dtcp_stack_counters(px->stack, stack_ctr);
	out[LB_CTR_PAYLOAD_COPIES] =
		stack_ctr[DTCP_CTR_APP_BYTES_COPIED_IN] + stack_ctr[DTCP_CTR_APP_BYTES_COPIED_OUT];
}

void
lb_proxy_backend_counters(const struct lb_proxy *px, unsigned int backend,
			  uint64_t out[LB_BCTR__MAX])
{
	memset(out, 0, sizeof(uint64_t) * LB_BCTR__MAX);
	if (backend >= LB_MAX_BACKENDS)
		return;
	for (unsigned int i = 0; i < px->nb_lcores; i++)
		for (unsigned int c = 0; c < LB_BCTR__MAX; c++)
			out[c] += px->lcores[i]->bctr[backend][c];
}

const char *
lb_counter_name(enum lb_counter c)
{
	return (unsigned int)c < RTE_DIM(counter_names) ? counter_names[c] : NULL;
}

const char *
lb_backend_counter_name(enum lb_backend_counter c)
{
	return (unsigned int)c < RTE_DIM(bcounter_names) ? bcounter_names[c] : NULL;
}

struct lb_backends *
lb_proxy_backends(const struct lb_proxy *px)
{
	return px->be;
}
