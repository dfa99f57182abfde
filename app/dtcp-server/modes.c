/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtcp-server's services on the stack's per-lcore application callbacks.
 *
 *   srv_init  (once per lcore)  open a listener per --listen port
 *   srv_poll  (every iteration) retry connections waiting for mbufs, then
 *             dtcp_events() -> event_handle() -> accept_all() / conn_run()
 *             -> echo_run() | discard_run() | http_run(); released
 *             connections are closed and freed at the end of each batch
 *   srv_fini  (once per lcore)  abort what is left, close the listeners
 *
 * Connection life: accepted with a state from the lcore's pool attached as
 * the user pointer; every event runs the mode's state machine, which reads
 * with dtcp_recv() only while it has nowhere to put data (so a slow reader
 * is throttled by TCP's window, not by our memory) and keeps at most one
 * chain that dtcp_send() has not taken yet. When both directions are done
 * (peer closed, everything handed to the stack, write side shut down), or on
 * DTCP_EV_CLOSED / DTCP_EV_ERROR, the connection is released: dtcp_close()
 * and its state goes back to the pool. Releases are deferred to the end of
 * the event batch because a batch may still hold events carrying the same
 * user pointer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <dtcp/dtcp.h>
#include <dtcp/dtcp_tcp.h>

#include "http.h"
#include "modes.h"

/* Events taken per dtcp_events() call, and calls per poll (bounds the time away from RX). */
#define SRV_EVENT_BURST	 64
#define SRV_EVENT_ROUNDS 4
/* Most mbufs one dtcp_send() call of an HTTP body gets. */
#define SRV_TX_BATCH 32
/* Bytes of the /bytes/N pattern copied per memcpy. */
#define SRV_PATTERN_CHUNK 2048
/* Accept queue length asked of each listener. */
#define SRV_BACKLOG 4096

/* srv_conn::flags */
#define CONN_PEER_CLOSED (1u << 0) /* peer sent FIN: no input after what is queued */
#define CONN_SHUT	 (1u << 1) /* dtcp_shutdown() called */
#define CONN_LINGER	 (1u << 2) /* http: last response sent, input is discarded until peer FIN */
#define CONN_WAITING	 (1u << 3) /* on srv_lcore::mbuf_wait */
#define CONN_DEAD	 (1u << 4) /* on srv_lcore::dead, handle about to be closed */

/* Per-connection state, from the lcore's pool. */
struct srv_conn {
	struct dtcp_conn *conn;
	TAILQ_ENTRY(srv_conn) link;	 /* srv_lcore::conns, then ::dead */
	TAILQ_ENTRY(srv_conn) wait_link; /* srv_lcore::mbuf_wait */
	struct rte_mbuf *tx;		 /* chain dtcp_send() has not taken yet */
	struct rte_mbuf *rx;		 /* http: received segments not parsed yet */
	uint16_t rx_off;		 /* bytes of rx's first segment already parsed */
	uint16_t seg_max;		 /* payload bytes per mbuf we fill: the MSS */
	uint16_t flags;			 /* CONN_* */
	/* http */
	bool in_response;  /* resp is being sent */
	bool head_done;	   /* its head is in an mbuf */
	uint64_t body_off; /* body bytes put in mbufs so far */
	struct http_response resp;
	struct http_parser parser;
};

TAILQ_HEAD(srv_conn_list, srv_conn);

/* Everything one lcore's callbacks touch. */
struct srv_lcore {
	struct srv_app *app; /* read-only while running */
	struct dtcp_lcore *dlc;
	struct rte_mempool *conn_pool; /* single producer, single consumer: this lcore */
	struct dtcp_listener *listeners[SRV_MAX_LISTEN];
	struct srv_conn_list conns;	/* live connections */
	struct srv_conn_list dead;	/* released, closed at the end of the batch */
	struct srv_conn_list mbuf_wait; /* stalled by an empty mbuf pool */
	time_t date_sec;		/* second the date string below is for */
	char date[40];			/* IMF-fixdate for the HTTP Date header */
	uint64_t ctr[SRV_CTR__MAX];
	uint8_t pattern[HTTP_PATTERN_PERIOD + SRV_PATTERN_CHUNK];
} __rte_cache_aligned;

struct srv_app {
	struct srv_options opt;
	unsigned int nb_lcores;
	unsigned int nb_started; /* lcores whose init completed (atomic) */
	bool failed;		 /* an init failed (atomic) */
	struct srv_lcore *lcores[RTE_MAX_LCORE];
};

static const char *const counter_names[] = {
#define SRV_COUNTER_NAME(id, name, desc) name,
	SRV_COUNTER_LIST(SRV_COUNTER_NAME)
#undef SRV_COUNTER_NAME
};

static void
count(struct srv_lcore *lc, enum srv_counter c, uint64_t n)
{
	lc->ctr[c] += n;
}

/* --- connection bookkeeping ------------------------------------------------------------ */

/* Queue @sc for dtcp_close() at the end of the batch; later events for it are ignored. */
static void
conn_release(struct srv_lcore *lc, struct srv_conn *sc)
{
	if (sc->flags & CONN_DEAD)
		return;
	if (sc->flags & CONN_WAITING)
		TAILQ_REMOVE(&lc->mbuf_wait, sc, wait_link);
	sc->flags = (sc->flags & ~CONN_WAITING) | CONN_DEAD;
	TAILQ_REMOVE(&lc->conns, sc, link);
	TAILQ_INSERT_TAIL(&lc->dead, sc, link);
}

static void
conn_free(struct srv_lcore *lc, struct srv_conn *sc)
{
	rte_pktmbuf_free(sc->tx); /* NULL-safe */
	rte_pktmbuf_free(sc->rx);
	rte_mempool_put(lc->conn_pool, sc);
}

static void
release_dead(struct srv_lcore *lc)
{
	struct srv_conn *sc;

	while ((sc = TAILQ_FIRST(&lc->dead)) != NULL) {
		TAILQ_REMOVE(&lc->dead, sc, link);
		dtcp_close(sc->conn);
		count(lc, SRV_CTR_CONNS_RELEASED, 1);
		conn_free(lc, sc);
	}
}

/* Retried every poll: no event will come for a connection that could not get an mbuf. */
static void
wait_for_mbufs(struct srv_lcore *lc, struct srv_conn *sc)
{
	count(lc, SRV_CTR_NO_MBUF, 1);
	if (!(sc->flags & CONN_WAITING)) {
		sc->flags |= CONN_WAITING;
		TAILQ_INSERT_TAIL(&lc->mbuf_wait, sc, wait_link);
	}
}

/*
 * Hand sc->tx to the stack.
 * Returns 0 all taken, 1 some left (DTCP_EV_WRITABLE will follow), -1 the
 * connection is gone (released).
 */
static int
conn_push(struct srv_lcore *lc, struct srv_conn *sc)
{
	int ret = dtcp_send(sc->conn, &sc->tx);

	if (ret < 0) {
		/* Closed or reset under us; DTCP_EV_ERROR may not be in this batch. */
		count(lc, SRV_CTR_SEND_ERRORS, 1);
		rte_pktmbuf_free(sc->tx);
		sc->tx = NULL;
		conn_release(lc, sc);
		return -1;
	}
	count(lc, SRV_CTR_BYTES_SENT, (uint64_t)ret);
	return sc->tx == NULL ? 0 : 1;
}

/* Our side is done too: FIN after the queued data, then let the stack finish alone. */
static void
conn_finish(struct srv_lcore *lc, struct srv_conn *sc)
{
	if (!(sc->flags & CONN_SHUT)) {
		dtcp_shutdown(sc->conn);
		sc->flags |= CONN_SHUT;
	}
	conn_release(lc, sc);
}

/* --- echo and discard ------------------------------------------------------------------ */

/*
 * Zero copy: the received chain goes straight back into dtcp_send(). Only
 * read when the previous chain is fully taken, so bytes cannot be reordered
 * and the peer is throttled by our receive window while we wait.
 */
static void
echo_run(struct srv_lcore *lc, struct srv_conn *sc)
{
	for (;;) {
		struct rte_mbuf *m;

		if (sc->tx != NULL && conn_push(lc, sc) != 0)
			return;
		m = dtcp_recv(sc->conn);
		if (m == NULL)
			break;
		count(lc, SRV_CTR_BYTES_RECEIVED, m->pkt_len);
		sc->tx = m;
	}
	if (sc->flags & CONN_PEER_CLOSED)
		conn_finish(lc, sc);
}

static void
drain(struct srv_lcore *lc, struct srv_conn *sc)
{
	struct rte_mbuf *m;

	while ((m = dtcp_recv(sc->conn)) != NULL) {
		count(lc, SRV_CTR_BYTES_RECEIVED, m->pkt_len);
		rte_pktmbuf_free(m);
	}
}

static void
discard_run(struct srv_lcore *lc, struct srv_conn *sc)
{
	drain(lc, sc);
	if (sc->flags & CONN_PEER_CLOSED)
		conn_finish(lc, sc);
}

/* --- http ------------------------------------------------------------------------------ */

static const char *
http_date(struct srv_lcore *lc)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != lc->date_sec && gmtime_r(&now, &tm) != NULL) {
		strftime(lc->date, sizeof(lc->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		lc->date_sec = now;
	}
	return lc->date[0] != '\0' ? lc->date : NULL;
}

static uint64_t
http_body_len(const struct http_response *r)
{
	return r->head_only ? 0 : r->content_length;
}

static void
http_start(struct srv_lcore *lc, struct srv_conn *sc, const struct http_response *resp)
{
	sc->resp = *resp;
	sc->in_response = true;
	sc->head_done = false;
	sc->body_off = 0;
	count(lc, SRV_CTR_HTTP_REQUESTS, 1);
	if (resp->status >= 400)
		count(lc, SRV_CTR_HTTP_ERRORS, 1);
}

/*
 * How many mbufs to fill: what the send buffer can take, plus one so that a
 * full buffer still gets a dtcp_send() that falls short (and so a WRITABLE).
 */
static unsigned int
http_batch(const struct srv_lcore *lc, const struct srv_conn *sc)
{
	struct dtcp_conn_info info;
	uint32_t space = 0;
	unsigned int n;

	dtcp_conn_info(sc->conn, &info);
	if (info.snd_queued < lc->app->opt.snd_buf)
		space = lc->app->opt.snd_buf - info.snd_queued;
	n = space / sc->seg_max + 1;
	return RTE_MIN(n, (unsigned int)SRV_TX_BATCH);
}

/*
 * Fill fresh mbufs with the rest of the response (head, then body) into
 * sc->tx. Returns 0 with sc->tx set, or -1 if no mbuf could be had.
 */
static int
http_fill(struct srv_lcore *lc, struct srv_conn *sc)
{
	const struct http_response *r = &sc->resp;
	uint64_t body_len = http_body_len(r);
	unsigned int batch = http_batch(lc, sc);
	struct rte_mbuf *head = NULL, *tail = NULL;

	for (unsigned int i = 0; i < batch && !(sc->head_done && sc->body_off == body_len); i++) {
		struct rte_mbuf *m = dtcp_alloc_mbuf(lc->dlc);
		uint8_t *dst;
		size_t room, len = 0, n;

		if (m == NULL)
			break;
		dst = rte_pktmbuf_mtod(m, uint8_t *);
		room = RTE_MIN((size_t)rte_pktmbuf_tailroom(m), (size_t)sc->seg_max);
		if (!sc->head_done) {
			/* srv_init() checked the tailroom; a tiny MSS just splits it. */
			len = http_format_head((char *)dst, rte_pktmbuf_tailroom(m), r,
					       http_date(lc));
			if (len == 0) { /* not reached: HTTP_HEAD_MAX fits */
				rte_pktmbuf_free(m);
				break;
			}
			sc->head_done = true;
			room = RTE_MAX(room, len);
		}
		n = (size_t)RTE_MIN((uint64_t)(room - len), body_len - sc->body_off);
		if (r->body == HTTP_BODY_TEXT)
			memcpy(dst + len, r->text + sc->body_off, n);
		else
			http_pattern_copy(dst + len, lc->pattern, sizeof(lc->pattern), sc->body_off,
					  n);
		sc->body_off += n;
		len += n;
		m->data_len = (uint16_t)len;
		m->pkt_len = (uint32_t)len;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += (uint32_t)len;
		}
		tail = m;
	}
	if (head == NULL)
		return -1;
	sc->tx = head;
	return 0;
}

/* Send the current response. Returns 0 when all of it is with the stack, else non-zero. */
static int
http_push(struct srv_lcore *lc, struct srv_conn *sc)
{
	uint64_t body_len = http_body_len(&sc->resp);

	for (;;) {
		int ret;

		if (sc->tx != NULL) {
			ret = conn_push(lc, sc);
			if (ret != 0)
				return ret;
		}
		if (sc->head_done && sc->body_off == body_len)
			return 0;
		if (http_fill(lc, sc) != 0) {
			wait_for_mbufs(lc, sc);
			return 1;
		}
	}
}

/* Parse what sc->rx holds, up to one complete (or malformed) request. */
static enum http_parse_result
http_parse_rx(struct srv_conn *sc)
{
	while (sc->rx != NULL) {
		struct rte_mbuf *seg = sc->rx;
		enum http_parse_result res;
		size_t used;

		res = http_parse(&sc->parser, rte_pktmbuf_mtod_offset(seg, uint8_t *, sc->rx_off),
				 seg->data_len - sc->rx_off, &used);
		sc->rx_off += (uint16_t)used;
		if (sc->rx_off == seg->data_len) {
			/* Parsed segments are freed one by one: nothing is copied or kept. */
			sc->rx = seg->next;
			sc->rx_off = 0;
			if (sc->rx != NULL) { /* the next segment heads the rest */
				sc->rx->nb_segs = (uint16_t)(seg->nb_segs - 1);
				sc->rx->pkt_len = seg->pkt_len - seg->data_len;
			}
			rte_pktmbuf_free_seg(seg);
		}
		if (res != HTTP_PARSE_AGAIN)
			return res;
	}
	return HTTP_PARSE_AGAIN;
}

/*
 * One response at a time, in request order: parse only when the previous
 * response is entirely with the stack, read only when the parser needs bytes.
 */
static void
http_run(struct srv_lcore *lc, struct srv_conn *sc)
{
	for (;;) {
		struct http_response resp;
		enum http_parse_result res;

		if (sc->in_response) {
			if (http_push(lc, sc) != 0)
				return;
			sc->in_response = false;
			if (!sc->resp.keep_alive) {
				/* Linger: keep reading (and dropping) until the peer's FIN, so
				 * that unread input never turns our close into a reset that
				 * could destroy the response in flight. */
				dtcp_shutdown(sc->conn);
				sc->flags |= CONN_SHUT | CONN_LINGER;
				rte_pktmbuf_free(sc->rx);
				sc->rx = NULL;
			}
		}
		if (sc->flags & CONN_LINGER) {
			drain(lc, sc);
			if (sc->flags & CONN_PEER_CLOSED)
				conn_release(lc, sc);
			return;
		}
		if (sc->rx == NULL) {
			sc->rx = dtcp_recv(sc->conn);
			sc->rx_off = 0;
			if (sc->rx == NULL) {
				/* A request cut short by the FIN gets no answer. */
				if (sc->flags & CONN_PEER_CLOSED)
					conn_finish(lc, sc);
				return;
			}
			count(lc, SRV_CTR_BYTES_RECEIVED, sc->rx->pkt_len);
		}
		res = http_parse_rx(sc);
		if (res == HTTP_PARSE_DONE) {
			http_route(&sc->parser.req, &resp);
		} else if (res == HTTP_PARSE_ERROR) {
			count(lc, SRV_CTR_HTTP_BAD_REQUESTS, 1);
			http_route_error(sc->parser.error, &resp);
		} else {
			continue;
		}
		http_parser_init(&sc->parser);
		http_start(lc, sc, &resp);
	}
}

/* --- events ----------------------------------------------------------------------------- */

static void
conn_run(struct srv_lcore *lc, struct srv_conn *sc)
{
	switch (lc->app->opt.mode) {
	case SRV_MODE_ECHO:
		echo_run(lc, sc);
		break;
	case SRV_MODE_DISCARD:
		discard_run(lc, sc);
		break;
	case SRV_MODE_HTTP:
		http_run(lc, sc);
		break;
	}
}

static void
conn_setup(struct srv_lcore *lc, struct srv_conn *sc, struct dtcp_conn *c)
{
	struct dtcp_conn_info info;

	memset(sc, 0, sizeof(*sc));
	sc->conn = c;
	http_parser_init(&sc->parser);
	dtcp_conn_info(c, &info);
	/* One MSS per mbuf: each mbuf then maps to exactly one segment. */
	sc->seg_max = info.mss != 0 ? info.mss : 1460;
	/* Responses and echoes are latency-bound; never hold back a partial segment. */
	dtcp_conn_set_opt(c, DTCP_OPT_NODELAY, 1);
	TAILQ_INSERT_TAIL(&lc->conns, sc, link);
	count(lc, SRV_CTR_CONNS_ACCEPTED, 1);
}

static void
accept_all(struct srv_lcore *lc, struct dtcp_listener *l)
{
	for (;;) {
		struct dtcp_conn *c;
		void *obj;

		if (rte_mempool_get(lc->conn_pool, &obj) != 0) {
			/* Cannot serve it: refuse now rather than leave it queued. */
			c = dtcp_accept(l, NULL);
			if (c == NULL)
				return;
			dtcp_abort(c);
			count(lc, SRV_CTR_CONNS_REFUSED, 1);
			continue;
		}
		c = dtcp_accept(l, obj);
		if (c == NULL) {
			rte_mempool_put(lc->conn_pool, obj);
			return;
		}
		conn_setup(lc, obj, c);
		/* Data may have come with the handshake's last ACK. */
		conn_run(lc, obj);
	}
}

static void
event_handle(struct srv_lcore *lc, const struct dtcp_event *ev)
{
	struct srv_conn *sc = ev->user;

	if (ev->type == DTCP_EV_ACCEPT) {
		accept_all(lc, ev->listener);
		return;
	}
	if (sc == NULL || (sc->flags & CONN_DEAD))
		return;
	switch (ev->type) {
	case DTCP_EV_PEER_CLOSED:
		sc->flags |= CONN_PEER_CLOSED;
		/* fall through */
	case DTCP_EV_READABLE:
	case DTCP_EV_WRITABLE:
		conn_run(lc, sc);
		break;
	case DTCP_EV_ERROR:
		count(lc, SRV_CTR_CONNS_ERROR, 1);
		/* fall through */
	case DTCP_EV_CLOSED:
		conn_release(lc, sc);
		break;
	default: /* DTCP_EV_CONNECTED: we open no connections */
		break;
	}
}

static void
srv_poll(struct dtcp_lcore *dlc, void *arg)
{
	struct srv_app *app = arg;
	struct srv_lcore *lc = app->lcores[dtcp_lcore_index(dlc)];
	struct dtcp_event ev[SRV_EVENT_BURST];

	if (!TAILQ_EMPTY(&lc->mbuf_wait)) {
		struct srv_conn_list retry = TAILQ_HEAD_INITIALIZER(retry);
		struct srv_conn *sc;

		/* Move them aside first: a retry that fails again re-queues itself. */
		TAILQ_CONCAT(&retry, &lc->mbuf_wait, wait_link);
		while ((sc = TAILQ_FIRST(&retry)) != NULL) {
			TAILQ_REMOVE(&retry, sc, wait_link);
			sc->flags &= ~CONN_WAITING;
			conn_run(lc, sc);
		}
		release_dead(lc);
	}
	for (unsigned int round = 0; round < SRV_EVENT_ROUNDS; round++) {
		unsigned int n = dtcp_events(dlc, ev, RTE_DIM(ev));

		for (unsigned int i = 0; i < n; i++)
			event_handle(lc, &ev[i]);
		release_dead(lc);
		if (n < RTE_DIM(ev))
			break;
	}
}

static int
srv_init(struct dtcp_lcore *dlc, void *arg)
{
	struct srv_app *app = arg;
	struct srv_lcore *lc = app->lcores[dtcp_lcore_index(dlc)];

	lc->dlc = dlc;
	if (app->opt.mode == SRV_MODE_HTTP) {
		/* A response head is written into one mbuf: check the pool's mbufs hold it. */
		struct rte_mbuf *m = dtcp_alloc_mbuf(dlc);
		bool small = m != NULL && rte_pktmbuf_tailroom(m) < HTTP_HEAD_MAX;

		rte_pktmbuf_free(m);
		if (small) {
			fprintf(stderr, "dtcp-server: mbufs have less than %u bytes of room\n",
				HTTP_HEAD_MAX);
			__atomic_store_n(&app->failed, true, __ATOMIC_RELAXED);
			return -1;
		}
	}
	for (unsigned int i = 0; i < app->opt.nb_ports; i++) {
		lc->listeners[i] = dtcp_listen(dlc, 0, app->opt.ports[i], SRV_BACKLOG, NULL);
		if (lc->listeners[i] == NULL) {
			fprintf(stderr, "dtcp-server: listen on port %u (lcore %u): %s\n",
				app->opt.ports[i], dtcp_lcore_index(dlc), rte_strerror(rte_errno));
			__atomic_store_n(&app->failed, true, __ATOMIC_RELAXED);
			return -1;
		}
	}
	/* Ready only when every lcore listens: a SYN may land on any queue. */
	if (__atomic_add_fetch(&app->nb_started, 1, __ATOMIC_ACQ_REL) == app->nb_lcores &&
	    app->opt.ready != NULL)
		app->opt.ready();
	return 0;
}

static void
srv_fini(struct dtcp_lcore *dlc, void *arg)
{
	struct srv_app *app = arg;
	struct srv_lcore *lc = app->lcores[dtcp_lcore_index(dlc)];
	struct srv_conn *sc;

	release_dead(lc);
	/* Stopping: connections still open are reset, not left to time out at the peer. */
	while ((sc = TAILQ_FIRST(&lc->conns)) != NULL) {
		TAILQ_REMOVE(&lc->conns, sc, link);
		dtcp_abort(sc->conn);
		conn_free(lc, sc);
	}
	TAILQ_INIT(&lc->mbuf_wait);
	for (unsigned int i = 0; i < app->opt.nb_ports; i++) {
		if (lc->listeners[i] != NULL)
			dtcp_unlisten(lc->listeners[i]);
		lc->listeners[i] = NULL;
	}
}

/* --- set-up ----------------------------------------------------------------------------- */

static struct srv_lcore *
lcore_create(struct srv_app *app, unsigned int index, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct srv_lcore *lc;

	lc = rte_zmalloc_socket("srv_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, socket);
	if (lc == NULL) {
		fprintf(stderr, "dtcp-server: lcore %u state: out of memory\n", index);
		return NULL;
	}
	lc->app = app;
	TAILQ_INIT(&lc->conns);
	TAILQ_INIT(&lc->dead);
	TAILQ_INIT(&lc->mbuf_wait);
	http_pattern_init(lc->pattern, sizeof(lc->pattern));
	/* Used by this lcore only: no cache, no atomics in the ring. */
	snprintf(name, sizeof(name), "srv_conn_%u", index);
	lc->conn_pool = rte_mempool_create(name, app->opt.max_conns, sizeof(struct srv_conn), 0, 0,
					   NULL, NULL, NULL, NULL, socket,
					   RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET);
	if (lc->conn_pool == NULL) {
		fprintf(stderr,
			"dtcp-server: connection state pool for lcore %u (%u x %zu bytes, "
			"[tcp] max_conns): %s\n",
			index, app->opt.max_conns, sizeof(struct srv_conn),
			rte_strerror(rte_errno));
		rte_free(lc);
		return NULL;
	}
	return lc;
}

struct srv_app *
srv_app_create(struct dtcp_stack *stack, const struct srv_options *opt)
{
	struct dtcp_app cb = {.init = srv_init, .poll = srv_poll, .fini = srv_fini};
	struct srv_app *app;

	app = rte_zmalloc("srv_app", sizeof(*app), RTE_CACHE_LINE_SIZE);
	if (app == NULL) {
		fprintf(stderr, "dtcp-server: application state: out of memory\n");
		return NULL;
	}
	app->opt = *opt;
	app->nb_lcores = dtcp_stack_lcore_count(stack);
	for (unsigned int i = 0; i < app->nb_lcores; i++) {
		app->lcores[i] =
			lcore_create(app, i, dtcp_lcore_socket_id(dtcp_stack_lcore(stack, i)));
		if (app->lcores[i] == NULL) {
			srv_app_destroy(app);
			return NULL;
		}
	}
	cb.arg = app;
	dtcp_stack_set_app(stack, &cb);
	return app;
}

bool
srv_app_failed(const struct srv_app *app)
{
	return app != NULL && __atomic_load_n(&app->failed, __ATOMIC_RELAXED);
}

void
srv_app_counters(const struct srv_app *app, uint64_t out[SRV_CTR__MAX])
{
	memset(out, 0, sizeof(uint64_t) * SRV_CTR__MAX);
	for (unsigned int i = 0; i < app->nb_lcores; i++)
		for (unsigned int c = 0; c < SRV_CTR__MAX; c++)
			out[c] += app->lcores[i]->ctr[c];
}

const char *
srv_counter_name(enum srv_counter id)
{
	return (unsigned int)id < RTE_DIM(counter_names) ? counter_names[id] : NULL;
}

void
srv_app_destroy(struct srv_app *app)
{
	if (app == NULL)
		return;
	for (unsigned int i = 0; i < RTE_DIM(app->lcores); i++) {
		if (app->lcores[i] == NULL)
			continue;
		rte_mempool_free(app->lcores[i]->conn_pool);
		rte_free(app->lcores[i]);
	}
	rte_free(app);
}

int
srv_mode_parse(const char *s, enum srv_mode *mode)
{
	for (enum srv_mode m = SRV_MODE_ECHO; m <= SRV_MODE_HTTP; m++) {
		if (strcmp(s, srv_mode_name(m)) == 0) {
			*mode = m;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
srv_mode_name(enum srv_mode mode)
{
	switch (mode) {
	case SRV_MODE_ECHO:
		return "echo";
	case SRV_MODE_DISCARD:
		return "discard";
	case SRV_MODE_HTTP:
		return "http";
	}
	return "?";
}
