/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One poll of an lcore (perf_poll):
 *
 *   stop check    deadline, --count share reached or stop requested -> drain()
 *   events        dtcp_events() -> on_connected / on_readable / on_writable /
 *                 on_peer_closed / on_error, each finishing, failing or
 *                 advancing the slot's transaction
 *   retries       slots whose send ran out of mbufs or of their turn
 *   refill        dtcp_connect() on free slots (slot_open)
 *
 * A slot is reopened only in refill, after all events of the poll are
 * handled, and an event whose conn is not the slot's current one is ignored:
 * so an event of a connection already released never reaches its successor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "perf_http.h"
#include "perf_pattern.h"
#include "perf_run.h"

/** Events taken per dtcp_events() call. */
#define PERF_EVENT_BURST 64
/** Connections opened per poll: SYNs go out in bursts the TX ring and ARP queue absorb. */
#define PERF_OPEN_BURST 64
/** Largest chain handed to one dtcp_send(). */
#define PERF_CHAIN_MAX (256u << 10)
/** Chains a slot may queue per turn before it yields to the others. */
#define PERF_PUSH_TURN 16

enum perf_phase {
	PERF_SLOT_FREE = 0,
	PERF_SLOT_CONNECTING,
	PERF_SLOT_ESTABLISHED,
};

struct perf_conn {
	struct dtcp_conn *c;	     /**< NULL while the slot is free */
	uint32_t idx;		     /**< in perf_lcore.slots */
	uint8_t phase;		     /**< enum perf_phase */
	bool in_tx;		     /**< a transaction started and not yet finished */
	bool on_retry;		     /**< in perf_lcore.retry */
	uint64_t t0;		     /**< TSC at the start of the transaction */
	uint64_t tx_off;	     /**< stream bytes generated (the pattern offset) */
	uint64_t tx_left;	     /**< bytes of the current request not generated yet */
	uint64_t rx_off;	     /**< stream bytes received */
	uint64_t rx_want;	     /**< rx_off that completes the current response */
	struct rte_mbuf *tx_pending; /**< generated, not yet taken by dtcp_send() */
	struct perf_http http;	     /**< --http only */
};

struct perf_lcore {
	const struct perf_ctx *ctx;
	const struct perf_args *args;
	unsigned int index;
	uint32_t nb_slots;
	uint64_t share; /**< transactions this lcore runs, 0 = no limit */
	uint64_t tsc_backoff;
	struct perf_conn *slots;
	uint32_t *free; /**< stack of free slot indexes */
	uint32_t nb_free;
	uint32_t *retry; /**< slots to push again next poll */
	uint32_t nb_retry;
	uint64_t connect_after; /**< TSC: dtcp_connect() backs off after a failure */
	/*
	 * Until the first handshake of this lcore ends (either way) only one
	 * connection is in flight: the next hop is being resolved meanwhile, and
	 * the stack holds only [stack] arp_pending_max packets for it.
	 */
	bool warm;
	bool draining;
	uint64_t end_tsc; /**< TSC when measuring ended */
	int done;	  /**< set once drained; read by the control thread */

	/* Plain counters, read (not written) by the control thread. */
	uint64_t started __rte_cache_aligned; /**< transactions begun */
	uint64_t finished;		      /**< transactions ended, well or not */
	uint64_t transactions;		      /**< ended well */
	uint64_t connections;		      /**< handshakes completed */
	uint64_t bytes_sent;		      /**< taken by dtcp_send() */
	uint64_t bytes_unacked; /**< stream: of those, not acknowledged when drained */
	uint64_t bytes_received;
	uint64_t errors_total;
	uint64_t inflight; /**< slots holding a connection */
	uint64_t errors[PERF_ERRNO_MAX];

	struct perf_hist hist __rte_cache_aligned;
	uint8_t pattern[PERF_PATTERN_TABLE];
} __rte_cache_aligned;

static uint64_t
read_u64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
count_error(struct perf_lcore *pl, int err)
{
	pl->errors[err > 0 && err < PERF_ERRNO_MAX ? err : 0]++;
	pl->errors_total++;
}

/* May another transaction begin on this lcore? */
static bool
can_start(const struct perf_lcore *pl)
{
	return !pl->draining && (pl->share == 0 || pl->started < pl->share);
}

/* Give the connection back (close or reset it) and free the slot. */
static void
slot_release(struct perf_lcore *pl, struct perf_conn *s, bool reset)
{
	if (s->tx_pending != NULL) {
		rte_pktmbuf_free(s->tx_pending);
		s->tx_pending = NULL;
	}
	if (reset)
		dtcp_abort(s->c);
	else
		dtcp_close(s->c);
	s->c = NULL;
	s->phase = PERF_SLOT_FREE;
	s->in_tx = false;
	pl->inflight--;
	pl->free[pl->nb_free++] = s->idx;
}

static void
tx_success(struct perf_lcore *pl, struct perf_conn *s, uint64_t now)
{
	perf_hist_record(&pl->hist, now - s->t0);
	pl->transactions++;
	pl->finished++;
	s->in_tx = false;
}

/*
 * The transaction (if any) failed with @p err: count it and release the
 * slot. @p reset for failures we detected (bad data, early close), where the
 * connection is still up and we want no more of it; the stack's own errors
 * leave nothing to reset.
 */
static void
slot_fail(struct perf_lcore *pl, struct perf_conn *s, int err, bool reset)
{
	count_error(pl, err);
	if (s->in_tx)
		pl->finished++;
	slot_release(pl, s, reset);
}

static void
slot_open(struct perf_lcore *pl, struct dtcp_lcore *lc, struct perf_conn *s, uint64_t now)
{
	const struct perf_args *a = pl->args;
	bool is_tx = a->test == PERF_TEST_CONNECT || a->test == PERF_TEST_CRR;

	s->c = dtcp_connect(lc, a->server_addr, a->server_port, 0, s);
	if (s->c == NULL) {
		count_error(pl, rte_errno);
		if (is_tx) {
			pl->started++;
			pl->finished++;
		}
		/* Out of ports or table space: let connections drain before retrying. */
		pl->connect_after = now + pl->tsc_backoff;
		pl->free[pl->nb_free++] = s->idx;
		return;
	}
	/* Small requests must not wait for Nagle; a failure only costs latency. */
	if (a->test == PERF_TEST_RR || a->test == PERF_TEST_CRR)
		(void)dtcp_conn_set_opt(s->c, DTCP_OPT_NODELAY, 1);
	pl->inflight++;
	s->phase = PERF_SLOT_CONNECTING;
	s->in_tx = is_tx;
	if (is_tx)
		pl->started++;
	s->t0 = now;
	s->tx_off = 0;
	s->tx_left = 0;
	s->rx_off = 0;
	s->rx_want = 0;
	if (a->http_path != NULL)
		perf_http_init(&s->http);
}

static void
retry_later(struct perf_lcore *pl, struct perf_conn *s)
{
	if (!s->on_retry) {
		s->on_retry = true;
		pl->retry[pl->nb_retry++] = s->idx;
	}
}

static void
fill(const struct perf_lcore *pl, const struct perf_conn *s, uint8_t *dst, uint32_t len)
{
	if (pl->ctx->http_req != NULL)
		memcpy(dst, pl->ctx->http_req + s->tx_off, len);
	else
		perf_pattern_fill(pl->pattern, s->tx_off, dst, len);
}

/*
 * Build a chain of up to PERF_CHAIN_MAX bytes of the request.
 * Returns NULL when the pool is empty before the first mbuf.
 */
static struct rte_mbuf *
build_chain(struct perf_lcore *pl, struct dtcp_lcore *lc, struct perf_conn *s)
{
	uint64_t want = s->tx_left;
	struct rte_mbuf *head = NULL, *m;

	/* A stream writes --size bytes at a time; requests go out whole. */
	if (pl->args->test == PERF_TEST_STREAM && want > pl->args->size)
		want = pl->args->size;
	if (want > PERF_CHAIN_MAX)
		want = PERF_CHAIN_MAX;
	while (want > 0) {
		uint32_t n;
		uint8_t *p;

		m = dtcp_alloc_mbuf(lc);
		if (m == NULL)
			break;
		n = rte_pktmbuf_tailroom(m);
		if (n > want)
			n = (uint32_t)want;
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)n);
		fill(pl, s, p, n);
		s->tx_off += n;
		s->tx_left -= n;
		want -= n;
		if (head == NULL)
			head = m;
		else
			rte_pktmbuf_chain(head, m); /* at most PERF_CHAIN_MAX / tailroom segments */
	}
	return head;
}

/*
 * Hand the request (stream: endless data) to the stack until it is all
 * queued, the send buffer is full (DTCP_EV_WRITABLE resumes), the pool is
 * empty or the slot's turn is over (both: the retry list resumes).
 */
static void
tx_push(struct perf_lcore *pl, struct dtcp_lcore *lc, struct perf_conn *s)
{
	for (unsigned int turn = 0;; turn++) {
		if (s->tx_pending != NULL) {
			int r = dtcp_send(s->c, &s->tx_pending);

			if (r < 0) {
				slot_fail(pl, s, -r, true);
				return;
			}
			pl->bytes_sent += (uint64_t)r;
			if (s->tx_pending != NULL)
				return;
		}
		if (s->tx_left == 0)
			return;
		if (turn == PERF_PUSH_TURN) {
			retry_later(pl, s);
			return;
		}
		s->tx_pending = build_chain(pl, lc, s);
		if (s->tx_pending == NULL) {
			retry_later(pl, s);
			return;
		}
	}
}

/* rr: next request on the same connection, or close it when no more may start. */
static void
rr_next(struct perf_lcore *pl, struct dtcp_lcore *lc, struct perf_conn *s, uint64_t now)
{
	if (!can_start(pl)) {
		slot_release(pl, s, false);
		return;
	}
	pl->started++;
	s->in_tx = true;
	s->t0 = now;
	s->tx_left = pl->args->size;
	s->rx_want = s->rx_off + pl->args->size;
	tx_push(pl, lc, s);
}

static void
on_connected(struct perf_lcore *pl, struct dtcp_lcore *lc, struct perf_conn *s, uint64_t now)
{
	const struct perf_args *a = pl->args;

	pl->connections++;
	pl->warm = true;
	s->phase = PERF_SLOT_ESTABLISHED;
	switch (a->test) {
	case PERF_TEST_CONNECT:
		tx_success(pl, s, now);
		slot_release(pl, s, false);
		break;
	case PERF_TEST_CRR:
		s->tx_left = a->http_path != NULL ? pl->ctx->http_req_len : a->size;
		s->rx_want = a->size;
		tx_push(pl, lc, s);
		break;
	case PERF_TEST_RR:
		rr_next(pl, lc, s, now);
		break;
	default:
		s->tx_left = UINT64_MAX; /* stream: until drain() */
		tx_push(pl, lc, s);
		break;
	}
}

/*
 * Account one received piece. Returns 0, or the errno that fails the
 * transaction: EBADMSG wrong data, EPROTO more than was asked for or a
 * malformed HTTP response.
 */
static int
rx_piece(struct perf_lcore *pl, struct perf_conn *s, const uint8_t *p, uint32_t len)
{
	const struct perf_args *a = pl->args;

	pl->bytes_received += len;
	if (a->http_path != NULL) {
		size_t head = perf_http_parse(&s->http, p, len);

		if (s->http.state == PERF_HTTP_BAD)
			return EPROTO;
		p += head;
		len -= (uint32_t)head;
		if (len > 0 && a->http_pattern &&
		    perf_pattern_check(pl->pattern, s->http.body, p, len) != len)
			return EBADMSG;
		s->http.body += len;
		return 0;
	}
	switch (a->test) {
	case PERF_TEST_CONNECT:
		return 0; /* whatever a server volunteers; the reset on close says enough */
	case PERF_TEST_STREAM:
		break;
	default:
		/* An echo never returns more than was sent. */
		if (s->rx_off + len > s->rx_want)
			return EPROTO;
		break;
	}
	if (a->verify && perf_pattern_check(pl->pattern, s->rx_off, p, len) != len)
		return EBADMSG;
	s->rx_off += len;
	return 0;
}

static void
on_readable(struct perf_lcore *pl, struct dtcp_lcore *lc, struct perf_conn *s, uint64_t now)
{
	const struct perf_args *a = pl->args;
	struct rte_mbuf *chain = dtcp_recv(s->c);
	int err = 0;

	if (chain == NULL)
		return;
	for (struct rte_mbuf *m = chain; m != NULL && err == 0; m = m->next)
		err = rx_piece(pl, s, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
	rte_pktmbuf_free(chain);
	if (err != 0) {
		slot_fail(pl, s, err, true);
		return;
	}
	if (a->http_path != NULL || !s->in_tx || s->rx_off != s->rx_want)
		return;
	if (a->test == PERF_TEST_CRR) {
		tx_success(pl, s, now);
		slot_release(pl, s, false);
	} else if (a->test == PERF_TEST_RR) {
		tx_success(pl, s, now);
		rr_next(pl, lc, s, now);
	}
}

/* The peer sent FIN (DTCP_EV_PEER_CLOSED), or the connection is over (DTCP_EV_CLOSED). */
static void
on_peer_closed(struct perf_lcore *pl, struct dtcp_lcore *lc, struct perf_conn *s, uint64_t now)
{
	/* What is still queued came before the FIN. */
	on_readable(pl, lc, s, now);
	if (s->c == NULL)
		return;
	if (pl->args->http_path != NULL) {
		if (perf_http_check(&s->http) != NULL ||
		    (pl->args->http_pattern &&
		     (uint64_t)s->http.content_length != pl->args->http_pattern_len)) {
			slot_fail(pl, s, EPROTO, true);
			return;
		}
		tx_success(pl, s, now);
		slot_release(pl, s, false);
		return;
	}
	/* Everywhere else the peer closing first cuts a transaction or a stream short. */
	slot_fail(pl, s, ECONNABORTED, true);
}

static void
on_event(struct perf_lcore *pl, struct dtcp_lcore *lc, const struct dtcp_event *ev, uint64_t now)
{
	struct perf_conn *s = ev->user;

	/* Released earlier in this poll (or a stray): nothing of ours any more. */
	if (s == NULL || s->c == NULL || s->c != ev->conn)
		return;
	switch (ev->type) {
	case DTCP_EV_CONNECTED:
		on_connected(pl, lc, s, now);
		break;
	case DTCP_EV_READABLE:
		on_readable(pl, lc, s, now);
		break;
	case DTCP_EV_WRITABLE:
		tx_push(pl, lc, s);
		break;
	case DTCP_EV_PEER_CLOSED:
	case DTCP_EV_CLOSED:
		on_peer_closed(pl, lc, s, now);
		break;
	case DTCP_EV_ERROR:
		pl->warm = true;
		slot_fail(pl, s, ev->error, false);
		break;
	default:
		break;
	}
}

/* Stop measuring: account what the peer has not acknowledged, close everything. */
static void
drain(struct perf_lcore *pl, uint64_t now)
{
	pl->draining = true;
	pl->end_tsc = now;
	for (uint32_t i = 0; i < pl->nb_slots; i++) {
		struct perf_conn *s = &pl->slots[i];

		s->on_retry = false;
		if (s->c == NULL)
			continue;
		if (s->phase == PERF_SLOT_ESTABLISHED && pl->args->test == PERF_TEST_STREAM) {
			struct dtcp_conn_info info;

			dtcp_conn_info(s->c, &info);
			pl->bytes_unacked += info.snd_queued;
		}
		/* Transactions cut off here are neither successes nor errors. */
		s->in_tx = false;
		slot_release(pl, s, s->phase != PERF_SLOT_ESTABLISHED);
	}
	pl->nb_retry = 0;
	__atomic_store_n(&pl->done, 1, __ATOMIC_RELEASE);
}

static void
service_retries(struct perf_lcore *pl, struct dtcp_lcore *lc)
{
	uint32_t n = pl->nb_retry;

	for (uint32_t i = 0; i < n; i++) {
		struct perf_conn *s = &pl->slots[pl->retry[i]];

		s->on_retry = false;
		if (s->c != NULL)
			tx_push(pl, lc, s); /* may queue it again, after position n */
	}
	memmove(pl->retry, pl->retry + n, (pl->nb_retry - n) * sizeof(pl->retry[0]));
	pl->nb_retry -= n;
}

static void
refill(struct perf_lcore *pl, struct dtcp_lcore *lc, uint64_t now)
{
	const enum perf_test t = pl->args->test;

	for (unsigned int opened = 0; opened < PERF_OPEN_BURST && pl->nb_free > 0; opened++) {
		if (now < pl->connect_after || (!pl->warm && pl->inflight > 0))
			return;
		/* A stream connection is not a transaction; every other one leads to one. */
		if (t != PERF_TEST_STREAM && !can_start(pl))
			return;
		slot_open(pl, lc, &pl->slots[pl->free[--pl->nb_free]], now);
	}
}

static void
perf_poll(struct dtcp_lcore *lc, void *arg)
{
	struct perf_ctx *ctx = arg;
	struct perf_lcore *pl = ctx->lc[dtcp_lcore_index(lc)];
	struct dtcp_event ev[PERF_EVENT_BURST];
	uint64_t now = rte_get_tsc_cycles();
	unsigned int n;

	if (!pl->draining &&
	    (__atomic_load_n(&ctx->stop, __ATOMIC_RELAXED) != 0 || now >= ctx->deadline_tsc ||
	     pl->nb_slots == 0 || (pl->share != 0 && pl->finished >= pl->share)))
		drain(pl, now);
	do {
		n = dtcp_events(lc, ev, PERF_EVENT_BURST);
		for (unsigned int i = 0; i < n; i++)
			on_event(pl, lc, &ev[i], now);
	} while (n == PERF_EVENT_BURST);
	if (pl->draining)
		return;
	service_retries(pl, lc);
	refill(pl, lc, now);
}

static int
perf_init(struct dtcp_lcore *lc, void *arg)
{
	struct perf_ctx *ctx = arg;
	unsigned int i = dtcp_lcore_index(lc);

	if (i >= ctx->nb_lcores || ctx->lc[i] == NULL) {
		fprintf(stderr, "dtcp-perf: lcore index %u has no state\n", i);
		return -1;
	}
	return 0;
}

/* Stopped before drain() (a second signal): release what is still held. */
static void
perf_fini(struct dtcp_lcore *lc, void *arg)
{
	struct perf_ctx *ctx = arg;
	struct perf_lcore *pl = ctx->lc[dtcp_lcore_index(lc)];

	if (!pl->draining)
		drain(pl, rte_get_tsc_cycles());
}

void
perf_app(struct perf_ctx *ctx, struct dtcp_app *app)
{
	app->init = perf_init;
	app->poll = perf_poll;
	app->fini = perf_fini;
	app->arg = ctx;
}

static char *
http_request(const char *path, uint32_t *len)
{
	static const char fmt[] = "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int n = snprintf(NULL, 0, fmt, path);
	char *req;

	if (n < 0)
		return NULL;
	req = rte_malloc("dtcp_perf_http", (size_t)n + 1, 0);
	if (req == NULL)
		return NULL;
	snprintf(req, (size_t)n + 1, fmt, path);
	*len = (uint32_t)n;
	return req;
}

static struct perf_lcore *
lcore_alloc(const struct perf_ctx *ctx, unsigned int index, int socket, uint32_t nb_slots,
	    uint64_t share)
{
	struct perf_lcore *pl;
	size_t slots_sz = (size_t)nb_slots * sizeof(struct perf_conn);

	pl = rte_zmalloc_socket("dtcp_perf_lcore", sizeof(*pl), RTE_CACHE_LINE_SIZE, socket);
	if (pl == NULL)
		return NULL;
	pl->ctx = ctx;
	pl->args = ctx->args;
	pl->index = index;
	pl->nb_slots = nb_slots;
	pl->share = share;
	pl->tsc_backoff = ctx->tsc_hz / 1000; /* 1 ms */
	if (nb_slots > 0) {
		pl->slots = rte_zmalloc_socket("dtcp_perf_slots", slots_sz, RTE_CACHE_LINE_SIZE,
					       socket);
		pl->free =
			rte_malloc_socket("dtcp_perf_free", nb_slots * sizeof(uint32_t), 0, socket);
		pl->retry = rte_malloc_socket("dtcp_perf_retry", nb_slots * sizeof(uint32_t), 0,
					      socket);
		if (pl->slots == NULL || pl->free == NULL || pl->retry == NULL) {
			rte_free(pl->slots);
			rte_free(pl->free);
			rte_free(pl->retry);
			rte_free(pl);
			return NULL;
		}
	}
	/* Popped from the end: slot 0 opens first. */
	for (uint32_t i = 0; i < nb_slots; i++) {
		pl->slots[i].idx = i;
		pl->free[i] = nb_slots - 1 - i;
	}
	pl->nb_free = nb_slots;
	perf_hist_init(&pl->hist);
	perf_pattern_init(pl->pattern);
	return pl;
}

int
perf_ctx_init(struct perf_ctx *ctx, const struct perf_args *args, unsigned int nb_lcores)
{
	/* Lcores beyond C get no slots and so no share of --count either. */
	unsigned int active = RTE_MIN(nb_lcores, args->concurrency);
	unsigned int lcore_id;

	memset(ctx, 0, sizeof(*ctx));
	ctx->args = args;
	ctx->nb_lcores = nb_lcores;
	ctx->tsc_hz = rte_get_tsc_hz();
	if (args->http_path != NULL) {
		ctx->http_req = http_request(args->http_path, &ctx->http_req_len);
		if (ctx->http_req == NULL)
			return -ENOMEM;
	}
	RTE_LCORE_FOREACH(lcore_id)
	{
		int idx = rte_lcore_index((int)lcore_id);
		unsigned int i = (unsigned int)idx;
		uint32_t slots;
		uint64_t share = 0;

		if (idx < 0 || i >= nb_lcores)
			continue;
		slots = args->concurrency / nb_lcores + (i < args->concurrency % nb_lcores);
		if (args->count != 0 && i < active)
			share = args->count / active + (i < args->count % active);
		/* More lcores than --count: this one would run nothing. */
		if (args->count != 0 && share == 0)
			slots = 0;
		ctx->lc[i] =
			lcore_alloc(ctx, i, (int)rte_lcore_to_socket_id(lcore_id), slots, share);
		if (ctx->lc[i] == NULL) {
			perf_ctx_fini(ctx);
			return -ENOMEM;
		}
	}
	return 0;
}

void
perf_ctx_fini(struct perf_ctx *ctx)
{
	for (unsigned int i = 0; i < RTE_MAX_LCORE; i++) {
		struct perf_lcore *pl = ctx->lc[i];

		if (pl == NULL)
			continue;
		rte_free(pl->slots);
		rte_free(pl->free);
		rte_free(pl->retry);
		rte_free(pl);
		ctx->lc[i] = NULL;
	}
	rte_free(ctx->http_req);
	ctx->http_req = NULL;
}

void
perf_ctx_start(struct perf_ctx *ctx)
{
	ctx->start_tsc = rte_get_tsc_cycles();
	ctx->deadline_tsc = ctx->start_tsc + (uint64_t)ctx->args->duration_s * ctx->tsc_hz;
}

void
perf_ctx_request_stop(struct perf_ctx *ctx)
{
	__atomic_store_n(&ctx->stop, 1, __ATOMIC_RELAXED);
}

void
perf_ctx_progress(const struct perf_ctx *ctx, struct perf_progress *p)
{
	memset(p, 0, sizeof(*p));
	for (unsigned int i = 0; i < ctx->nb_lcores; i++) {
		const struct perf_lcore *pl = ctx->lc[i];

		if (pl == NULL)
			continue;
		p->transactions += read_u64(&pl->transactions);
		p->bytes_sent += read_u64(&pl->bytes_sent);
		p->bytes_received += read_u64(&pl->bytes_received);
		p->errors += read_u64(&pl->errors_total);
		p->inflight += read_u64(&pl->inflight);
		p->lcores_done += __atomic_load_n(&pl->done, __ATOMIC_ACQUIRE) != 0;
	}
}

void
perf_ctx_result(const struct perf_ctx *ctx, struct perf_result *r, struct perf_hist *hist)
{
	const struct perf_args *a = ctx->args;
	uint64_t end = ctx->start_tsc;

	memset(r, 0, sizeof(*r));
	perf_hist_init(hist);
	r->test = a->test;
	r->server_addr = a->server_addr;
	r->server_port = a->server_port;
	r->lcores = ctx->nb_lcores;
	r->concurrency = a->concurrency;
	r->size = a->size;
	r->http_path = a->http_path;
	r->interrupted = ctx->stop != 0;
	r->latency = hist;
	r->ticks_per_us = (double)ctx->tsc_hz / 1e6;
	for (unsigned int i = 0; i < ctx->nb_lcores; i++) {
		const struct perf_lcore *pl = ctx->lc[i];

		if (pl == NULL)
			continue;
		r->transactions += pl->transactions;
		r->connections += pl->connections;
		r->bytes_sent += pl->bytes_sent - RTE_MIN(pl->bytes_sent, pl->bytes_unacked);
		r->bytes_received += pl->bytes_received;
		for (unsigned int e = 0; e < PERF_ERRNO_MAX; e++)
			r->errors[e] += pl->errors[e];
		perf_hist_merge(hist, &pl->hist);
		/* The measured interval ends when the last lcore with work stopped. */
		if (pl->nb_slots > 0 && pl->end_tsc > end)
			end = pl->end_tsc;
	}
	r->elapsed_s = (double)(end - ctx->start_tsc) / (double)ctx->tsc_hz;
}
