/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legitimate clients (see sf_legit.h). One poll (sf_legit_poll):
 *
 *   intervals   publish a snapshot (and the interval's connect p99) for every
 *               boundary the clock passed
 *   events      dtcp_events() -> on_connected (record the connect time, send
 *               the request) / on_readable (feed the response checker) /
 *               on_closed (judge the response) / on_error (count the reason)
 *   timeouts    the FIFO of opened connections, oldest first: abort those
 *               older than --legit-timeout (each entry carries the slot's
 *               generation, so entries of finished connections are skipped)
 *   arrivals    open what is due at --legit-rate until the flood is over;
 *               then wait for the connections in flight and set legit_done
 *
 * A slot is reopened only in the arrivals step, after the whole event batch,
 * and an event whose conn is not the slot's current one is ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "perf_pattern.h"
#include "sf_legit.h"
#include "sf_resp.h"

#define SF_EVENT_BURST 64
/** Connections opened per poll at most (catching up after a stall). */
#define SF_OPEN_BURST 16
/** Until the first handshake ends, wait this long before opening more (ARP resolution). */
#define SF_WARMUP_MS 50
/** Most connections in flight (a slot is ~200 bytes). */
#define SF_SLOTS_MAX (1u << 18)

enum sf_phase {
	SF_SLOT_FREE = 0,
	SF_SLOT_CONNECTING,
	SF_SLOT_ESTABLISHED,
};

struct sf_conn {
	struct dtcp_conn *c; /**< NULL while free */
	uint32_t idx;
	uint32_t gen; /**< bumped at open and release: stale FIFO entries show */
	uint8_t phase;
	uint32_t req_sent;
	uint64_t t0; /**< TSC at dtcp_connect() */
	struct sf_resp resp;
};

struct sf_fifo_entry {
	uint32_t idx;
	uint32_t gen;
};

struct sf_legit {
	struct sf_ctx *ctx;
	const struct sf_args *args;
	uint32_t nb_slots;
	struct sf_conn *slots;
	uint32_t *free;
	uint32_t nb_free;
	struct sf_fifo_entry *fifo;
	uint32_t fifo_mask;
	uint32_t fifo_head, fifo_tail; /**< free-running */

	char *req;
	uint32_t req_len;
	struct sf_resp_expect expect;

	uint64_t open_gap_tsc; /**< between arrivals */
	uint64_t next_open_tsc;
	uint64_t timeout_tsc;
	uint64_t first_open_tsc; /**< 0 until the first arrival */
	bool warm;		 /**< a handshake has ended */
	bool stopping;		 /**< no more arrivals */
	bool done;
	uint64_t drain_until;

	uint64_t attempted, ok, failed, inflight;
	uint64_t fail[SF_FAIL__MAX];

	uint32_t pub;
	uint64_t next_pub_tsc;
	struct perf_hist hist;	/**< the whole run */
	struct perf_hist ihist; /**< the current interval */
	uint8_t pattern[PERF_PATTERN_TABLE];
};

static uint64_t
tsc_to_us(const struct sf_legit *l, uint64_t ticks)
{
	return ticks / l->ctx->hz * 1000000 + ticks % l->ctx->hz * 1000000 / l->ctx->hz;
}

static void
publish(struct sf_legit *l)
{
	struct sf_ctx *ctx = l->ctx;
	struct sf_legit_snap *s;

	if (l->pub >= ctx->nb_snap)
		return;
	s = &ctx->lsnap[l->pub];
	s->attempted = l->attempted;
	s->ok = l->ok;
	s->failed = l->failed;
	s->p99_us = l->ihist.count == 0 ? -1 : (int64_t)perf_hist_quantile(&l->ihist, 0.99);
	perf_hist_init(&l->ihist);
	l->pub++;
	__atomic_store_n(&ctx->lpub, l->pub, __ATOMIC_RELEASE);
}

static void
count_fail(struct sf_legit *l, enum sf_fail why)
{
	l->fail[why]++;
	l->failed++;
}

static void
release(struct sf_legit *l, struct sf_conn *s, bool reset)
{
	if (reset)
		dtcp_abort(s->c);
	else
		dtcp_close(s->c);
	s->c = NULL;
	s->phase = SF_SLOT_FREE;
	s->gen++;
	l->inflight--;
	l->free[l->nb_free++] = s->idx;
}

static void
slot_fail(struct sf_legit *l, struct sf_conn *s, enum sf_fail why, bool reset)
{
	count_fail(l, why);
	release(l, s, reset);
}

static void
open_one(struct sf_legit *l, struct dtcp_lcore *lc, uint64_t now)
{
	const struct sf_args *a = l->args;
	struct sf_conn *s;

	l->attempted++;
	if (l->nb_free == 0 || l->fifo_tail - l->fifo_head > l->fifo_mask) {
		count_fail(l, SF_FAIL_ERROR); /* more in flight than the rate and timeout allow */
		return;
	}
	s = &l->slots[l->free[--l->nb_free]];
	s->c = dtcp_connect(lc, a->target_addr, a->target_port, 0, s);
	if (s->c == NULL) {
		l->free[l->nb_free++] = s->idx;
		count_fail(l, SF_FAIL_ERROR);
		return;
	}
	s->gen++;
	s->phase = SF_SLOT_CONNECTING;
	s->t0 = now;
	s->req_sent = 0;
	sf_resp_init(&s->resp);
	l->inflight++;
	l->fifo[l->fifo_tail++ & l->fifo_mask] = (struct sf_fifo_entry){s->idx, s->gen};
}

/* Queue what is left of the request; DTCP_EV_WRITABLE resumes a partial write. */
static void
send_request(struct sf_legit *l, struct sf_conn *s)
{
	ssize_t r = dtcp_write(s->c, l->req + s->req_sent, l->req_len - s->req_sent);

	if (r < 0) {
		slot_fail(l, s, r == -EPIPE ? SF_FAIL_RESET : SF_FAIL_ERROR, true);
		return;
	}
	s->req_sent += (uint32_t)r;
}

static void
on_connected(struct sf_legit *l, struct sf_conn *s, uint64_t now)
{
	uint64_t us = tsc_to_us(l, now - s->t0);

	l->warm = true;
	perf_hist_record(&l->hist, us);
	perf_hist_record(&l->ihist, us);
	s->phase = SF_SLOT_ESTABLISHED;
	/* One small request: no reason to let Nagle hold it. */
	(void)dtcp_conn_set_opt(s->c, DTCP_OPT_NODELAY, 1);
	send_request(l, s);
}

/* Feed what has arrived to the checker; a bad response fails the slot at once. */
static void
on_readable(struct sf_legit *l, struct sf_conn *s)
{
	struct rte_mbuf *chain = dtcp_recv(s->c);
	int rc = 0;

	if (chain == NULL)
		return;
	for (struct rte_mbuf *m = chain; m != NULL && rc == 0; m = m->next)
		rc = sf_resp_feed(&s->resp, &l->expect, rte_pktmbuf_mtod(m, const uint8_t *),
				  m->data_len);
	rte_pktmbuf_free(chain);
	if (rc != 0)
		slot_fail(l, s, SF_FAIL_BAD_RESPONSE, true);
}

/* The server closed (Connection: close): the response is complete, or it is not. */
static void
on_closed(struct sf_legit *l, struct sf_conn *s)
{
	on_readable(l, s);
	if (s->c == NULL)
		return;
	if (s->phase != SF_SLOT_ESTABLISHED || sf_resp_finish(&s->resp, &l->expect) != NULL) {
		slot_fail(l, s, SF_FAIL_BAD_RESPONSE, true);
		return;
	}
	l->ok++;
	release(l, s, false);
}

static enum sf_fail
fail_reason(int err)
{
	switch (err) {
	case ETIMEDOUT:
		return SF_FAIL_TIMEOUT;
	case ECONNRESET:
		return SF_FAIL_RESET;
	case ECONNREFUSED:
		return SF_FAIL_REFUSED;
	default:
		return SF_FAIL_ERROR;
	}
}

static void
on_event(struct sf_legit *l, const struct dtcp_event *ev, uint64_t now)
{
	struct sf_conn *s = ev->user;

	if (s == NULL || s->c == NULL || s->c != ev->conn)
		return; /* released earlier in this batch */
	switch (ev->type) {
	case DTCP_EV_CONNECTED:
		on_connected(l, s, now);
		break;
	case DTCP_EV_READABLE:
		on_readable(l, s);
		break;
	case DTCP_EV_WRITABLE:
		if (s->req_sent < l->req_len)
			send_request(l, s);
		break;
	case DTCP_EV_PEER_CLOSED:
	case DTCP_EV_CLOSED:
		on_closed(l, s);
		break;
	case DTCP_EV_ERROR:
		l->warm = true;
		slot_fail(l, s, fail_reason(ev->error), false);
		break;
	default:
		break;
	}
}

static void
expire(struct sf_legit *l, uint64_t now)
{
	while (l->fifo_head != l->fifo_tail) {
		const struct sf_fifo_entry *e = &l->fifo[l->fifo_head & l->fifo_mask];
		struct sf_conn *s = &l->slots[e->idx];

		if (s->c != NULL && s->gen == e->gen) {
			if (now - s->t0 < l->timeout_tsc)
				return; /* the oldest live one is young enough: so are the rest */
			slot_fail(l, s, SF_FAIL_TIMEOUT, true);
		}
		l->fifo_head++;
	}
}

static void
arrivals(struct sf_legit *l, struct dtcp_lcore *lc, uint64_t now)
{
	const uint64_t hz = l->ctx->hz;

	/* After a stall of more than a second, do not fire the backlog at once. */
	if (now > l->next_open_tsc + hz)
		l->next_open_tsc = now;
	for (unsigned int n = 0; n < SF_OPEN_BURST && l->next_open_tsc <= now; n++) {
		/* The first SYN waits for ARP: give it a moment before queueing more behind it. */
		if (!l->warm && l->inflight > 0 &&
		    now < l->first_open_tsc + hz * SF_WARMUP_MS / 1000)
			return;
		if (l->first_open_tsc == 0)
			l->first_open_tsc = now;
		open_one(l, lc, now);
		l->next_open_tsc += l->open_gap_tsc;
	}
}

static void
abort_all(struct sf_legit *l)
{
	for (uint32_t i = 0; i < l->nb_slots; i++)
		if (l->slots[i].c != NULL)
			slot_fail(l, &l->slots[i], SF_FAIL_TIMEOUT, true);
}

void
sf_legit_poll(struct sf_legit *l, struct dtcp_lcore *lc, uint64_t now)
{
	struct sf_ctx *ctx = l->ctx;
	struct dtcp_event ev[SF_EVENT_BURST];
	unsigned int n;

	while (now >= l->next_pub_tsc) {
		publish(l);
		l->next_pub_tsc += ctx->interval_tsc;
	}
	do {
		n = dtcp_events(lc, ev, SF_EVENT_BURST);
		for (unsigned int i = 0; i < n; i++)
			on_event(l, &ev[i], now);
	} while (n == SF_EVENT_BURST);
	expire(l, now);
	if (l->done)
		return;
	if (!l->stopping && __atomic_load_n(&ctx->flood_done, __ATOMIC_ACQUIRE) != 0) {
		l->stopping = true;
		l->drain_until = ctx->flood_end_tsc + l->timeout_tsc;
	}
	if (!l->stopping) {
		arrivals(l, lc, now);
		return;
	}
	if (l->inflight != 0 && now < l->drain_until)
		return;
	abort_all(l);
	l->done = true;
	__atomic_store_n(&ctx->legit_done, 1, __ATOMIC_RELEASE);
}

void
sf_legit_finish(struct sf_legit *l, uint64_t now)
{
	(void)now;
	abort_all(l); /* stopped before they drained: leftovers are failures */
	if (!l->done) {
		l->done = true;
		__atomic_store_n(&l->ctx->legit_done, 1, __ATOMIC_RELEASE);
	}
	publish(l);
}

void
sf_legit_totals(const struct sf_legit *l, struct sf_totals *t)
{
	t->legit_attempted += l->attempted;
	t->legit_ok += l->ok;
	t->legit_failed += l->failed;
	for (unsigned int i = 0; i < SF_FAIL__MAX; i++)
		t->legit_fail[i] += l->fail[i];
}

const struct perf_hist *
sf_legit_hist(const struct sf_legit *l)
{
	return &l->hist;
}

static char *
make_request(const char *path, uint32_t *len)
{
	static const char fmt[] = "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int n = snprintf(NULL, 0, fmt, path);
	char *req;

	if (n < 0)
		return NULL;
	req = malloc((size_t)n + 1);
	if (req == NULL)
		return NULL;
	snprintf(req, (size_t)n + 1, fmt, path);
	*len = (uint32_t)n;
	return req;
}

struct sf_legit *
sf_legit_create(struct sf_ctx *ctx)
{
	const struct sf_args *a = ctx->args;
	struct sf_legit *l = calloc(1, sizeof(*l));
	uint32_t fifo_size = 1;

	if (l == NULL)
		return NULL;
	l->ctx = ctx;
	l->args = a;
	/*
	 * Each connection lives at most --legit-timeout: this many can be in flight,
	 * up to a bound far above what one lcore's connection table holds by default.
	 */
	l->nb_slots = RTE_MIN(a->legit_rate * (a->legit_timeout_s + 2) + 64, SF_SLOTS_MAX);
	while (fifo_size < l->nb_slots)
		fifo_size <<= 1;
	l->fifo_mask = fifo_size - 1;
	l->slots = calloc(l->nb_slots, sizeof(*l->slots));
	l->free = calloc(l->nb_slots, sizeof(*l->free));
	l->fifo = calloc(fifo_size, sizeof(*l->fifo));
	l->req = make_request(a->legit_path, &l->req_len);
	if (l->slots == NULL || l->free == NULL || l->fifo == NULL || l->req == NULL) {
		sf_legit_free(l);
		return NULL;
	}
	for (uint32_t i = 0; i < l->nb_slots; i++) {
		l->slots[i].idx = i;
		l->free[i] = l->nb_slots - 1 - i; /* popped from the end: slot 0 first */
	}
	l->nb_free = l->nb_slots;
	perf_pattern_init(l->pattern);
	l->expect.pattern = a->legit_pattern;
	l->expect.pattern_len = a->legit_pattern_len;
	l->expect.tab = l->pattern;
	l->open_gap_tsc = ctx->hz / a->legit_rate;
	l->timeout_tsc = ctx->hz * a->legit_timeout_s;
	perf_hist_init(&l->hist);
	perf_hist_init(&l->ihist);
	return l;
}

void
sf_legit_free(struct sf_legit *l)
{
	if (l == NULL)
		return;
	free(l->slots);
	free(l->free);
	free(l->fifo);
	free(l->req);
	free(l);
}

void
sf_legit_start(struct sf_legit *l)
{
	l->next_open_tsc = l->ctx->start_tsc;
	l->next_pub_tsc = l->ctx->start_tsc + l->ctx->interval_tsc;
}
