/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical timing wheel (Varghese & Lauck scheme 7, the layout of the
 * pre-4.8 Linux timer wheel), with three changes:
 *
 * 1. Per-level occupancy bitmaps, so a run jumps straight to the next tick
 *    that has work (an occupied level-0 slot or a cascade of an occupied
 *    upper slot) instead of visiting every tick. A wheel polled every few
 *    microseconds crosses at most one tick per run anyway, but an lcore
 *    that was idle, a test that advances virtual time by hours, or a 1 us
 *    tick would otherwise pay for every empty slot. Bits are set on insert
 *    and cleared lazily when a slot is found empty, so cancel stays a plain
 *    unlink; a stale bit costs one wasted visit.
 *
 * 2. Timers whose tick has already been processed go to a "due" list that
 *    the next run drains first. Putting them in the next tick's slot (as
 *    Linux did) would make "armed in the past" wait for the clock to reach
 *    another tick boundary, and a callback re-arming itself in the past
 *    could never livelock a run either way.
 *
 * 3. The wheel's storage is inline (no allocation, no socket argument,
 *    init cannot fail with -ENOMEM): it is 8.3 KiB and lives in the lcore
 *    context, which is already allocated on the lcore's socket. Slot heads
 *    are single pointers (hlist: next + pprev in the timer), which halves
 *    the slot array against circular lists so that all of level 0 and the
 *    bitmaps stay in L1, and makes "armed" simply pprev != NULL.
 *
 * Why hierarchical rather than one flat wheel: TCP needs 1 ms-ish precision
 * (delayed ACK 40 ms, RTO from 200 ms) and deadlines of minutes to hours
 * (SYN backoff, TIME_WAIT, keepalive 2 h). A flat wheel either has millions
 * of slots or keeps far timers in slots they revisit every revolution
 * (a scan per lap per timer). Here each timer is re-placed ("cascaded") at
 * most LEVELS-1 times over its whole life, and only once at all for the
 * 0.26 s .. 65 s range that most TCP timers fall in at a 1 ms tick.
 *
 * Invariants, with W = wheel->tick (next tick to process) and every cascade
 * at a slot boundary <= W already done:
 *  - level 0 slot s holds ticks T in [W, W + 255] with T % 256 == s;
 *  - level k > 0 slot s holds ticks T with T >> 8k == B and B % 256 == s,
 *    B in [W >> 8k + 1, W >> 8k + 256]; they move down when W reaches
 *    B << 8k;
 *  - the due list holds timers with T < W.
 * The callback is a function pointer in the timer rather than a function
 * plus argument: the owner is found with container_of, which keeps the
 * timer at 32 bytes (a connection carries several).
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "core/timer_wheel.h"

#define WHEEL_MASK  (DTCP_TIMER_WHEEL_SLOTS - 1)
#define WHEEL_WORDS (DTCP_TIMER_WHEEL_SLOTS / 64)
/* Ticks spanned by all levels; a timer further out is parked at the top. */
#define WHEEL_SPAN_BITS (DTCP_TIMER_WHEEL_LEVELS * DTCP_TIMER_WHEEL_BITS)

/* Tick of an expiry: rounded up, so that a timer never fires early. */
static inline uint64_t
tick_ceil(const struct dtcp_timer_wheel *w, uint64_t us)
{
	uint64_t q = rte_reciprocal_divide_u64(us, &w->tick_div);

	return q + (q * w->tick_us != us);
}

/* Last tick that has fully passed at time us. */
static inline uint64_t
tick_floor(const struct dtcp_timer_wheel *w, uint64_t us)
{
	return rte_reciprocal_divide_u64(us, &w->tick_div);
}

static inline void
list_push(struct dtcp_timer **head, struct dtcp_timer *t)
{
	t->next = *head;
	if (t->next != NULL)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static inline void
list_unlink(struct dtcp_timer *t)
{
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
}

static inline void
bit_set(uint64_t *bm, unsigned int i)
{
	bm[i / 64] |= UINT64_C(1) << (i % 64);
}

static inline void
bit_clear(uint64_t *bm, unsigned int i)
{
	bm[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

/* First set bit with index >= from (from < SLOTS), or -1. */
static inline int
bit_next(const uint64_t *bm, unsigned int from)
{
	unsigned int i = from / 64;
	uint64_t word = bm[i] & (~UINT64_C(0) << (from % 64));

	for (;;) {
		if (word != 0)
			return (int)(i * 64 + (unsigned int)__builtin_ctzll(word));
		if (++i == WHEEL_WORDS)
			return -1;
		word = bm[i];
	}
}

/* Put an unlinked timer where its expiry says. */
static inline void
wheel_insert(struct dtcp_timer_wheel *w, struct dtcp_timer *t)
{
	uint64_t tick = tick_ceil(w, t->expires_us);
	uint64_t delta;
	unsigned int level, slot;

	if (tick < w->tick) {
		list_push(&w->due, t);
		return;
	}
	delta = tick - w->tick;
	/* Level = index of the highest non-zero 8-bit digit of delta (0 for delta < 256). */
	level = (unsigned int)(63 - __builtin_clzll(delta | WHEEL_MASK)) / DTCP_TIMER_WHEEL_BITS;
	if (unlikely(level >= DTCP_TIMER_WHEEL_LEVELS)) {
		/*
		 * Beyond the span: park it in the furthest top-level slot. When that
		 * slot cascades the timer is re-placed from its real expiry, which
		 * may park it again, once per 2^32 ticks.
		 */
		level = DTCP_TIMER_WHEEL_LEVELS - 1;
		tick = w->tick + (UINT64_C(1) << WHEEL_SPAN_BITS) - 1;
	}
	slot = (unsigned int)(tick >> (level * DTCP_TIMER_WHEEL_BITS)) & WHEEL_MASK;
	list_push(&w->slots[level][slot], t);
	bit_set(w->occupied[level], slot);
}

/*
 * W has just reached a multiple of 256: move the upper-level slots that
 * begin at W down. Level k is due only when all lower digits of W are zero.
 */
static void
wheel_cascade(struct dtcp_timer_wheel *w)
{
	unsigned int level;

	for (level = 1; level < DTCP_TIMER_WHEEL_LEVELS; level++) {
		unsigned int slot =
			(unsigned int)(w->tick >> (level * DTCP_TIMER_WHEEL_BITS)) & WHEEL_MASK;
		struct dtcp_timer *t = w->slots[level][slot];

		w->slots[level][slot] = NULL;
		bit_clear(w->occupied[level], slot);
		while (t != NULL) {
			struct dtcp_timer *next = t->next;

			wheel_insert(w, t);
			t = next;
		}
		if (slot != 0)
			break;
	}
}

/* Move W forward (never past an occupied slot: see wheel_next_event). */
static inline void
wheel_advance(struct dtcp_timer_wheel *w, uint64_t tick)
{
	w->tick = tick;
	if ((tick & WHEEL_MASK) == 0)
		wheel_cascade(w);
}

/*
 * The first tick >= W at which something happens: an occupied level-0 slot
 * fires or an occupied upper slot cascades. UINT64_MAX if the wheel is empty.
 */
static uint64_t
wheel_next_event(const struct dtcp_timer_wheel *w)
{
	uint64_t now = w->tick;
	unsigned int cur = (unsigned int)now & WHEEL_MASK;
	uint64_t next = UINT64_MAX;
	unsigned int level;
	int s;

	s = bit_next(w->occupied[0], cur);
	if (s >= 0)
		return now + (unsigned int)s - cur;
	/* Level-0 slots below cur hold ticks of the next revolution. */
	s = bit_next(w->occupied[0], 0);
	if (s >= 0)
		next = (now | WHEEL_MASK) + 1 + (unsigned int)s;

	for (level = 1; level < DTCP_TIMER_WHEEL_LEVELS; level++) {
		unsigned int shift = level * DTCP_TIMER_WHEEL_BITS;
		uint64_t block = now >> shift;
		unsigned int dist;

		cur = (unsigned int)block & WHEEL_MASK;
		/* The current slot was cascaded already: it holds the next lap, so search it last.
		 */
		s = cur + 1 < DTCP_TIMER_WHEEL_SLOTS ? bit_next(w->occupied[level], cur + 1) : -1;
		if (s < 0)
			s = bit_next(w->occupied[level], 0);
		if (s < 0)
			continue;
		dist = ((unsigned int)s - cur) & WHEEL_MASK;
		if (dist == 0)
			dist = DTCP_TIMER_WHEEL_SLOTS;
		next = RTE_MIN(next, (block + dist) << shift);
	}
	return next;
}

/*
 * Fire the timers of a work list (whose head is a local of the caller).
 * Callbacks may unlink any of them, so always take the current head. What the
 * budget leaves goes to the front of the due list.
 */
static unsigned int
wheel_fire(struct dtcp_timer_wheel *w, struct dtcp_timer **work, unsigned int budget,
	   uint64_t now_us)
{
	unsigned int n = 0;
	struct dtcp_timer *t;

	while ((t = *work) != NULL) {
		if (n == budget) {
			struct dtcp_timer *last = t;

			while (last->next != NULL)
				last = last->next;
			last->next = w->due;
			if (w->due != NULL)
				w->due->pprev = &last->next;
			w->due = t;
			t->pprev = &w->due;
			*work = NULL;
			break;
		}
		list_unlink(t);
		t->pprev = NULL;
		w->nb_armed--;
		n++;
		t->cb(w, t, now_us);
	}
	return n;
}

int
dtcp_timer_wheel_init(struct dtcp_timer_wheel *wheel, uint64_t now_us, uint64_t tick_us)
{
	if (wheel == NULL || tick_us == 0)
		return -EINVAL;
	memset(wheel, 0, sizeof(*wheel));
	wheel->tick_us = tick_us;
	wheel->tick_div = rte_reciprocal_value_u64(tick_us);
	/* Keep W = floor(now / tick) + 1 from wrapping (only possible with a 1 us tick). */
	wheel->now_us = RTE_MIN(now_us, UINT64_MAX - 1);
	wheel->tick = tick_floor(wheel, wheel->now_us) + 1;
	return 0;
}

static void
list_disarm_all(struct dtcp_timer *t)
{
	while (t != NULL) {
		struct dtcp_timer *next = t->next;

		t->next = NULL;
		t->pprev = NULL;
		t = next;
	}
}

void
dtcp_timer_wheel_free(struct dtcp_timer_wheel *wheel)
{
	unsigned int level, slot;

	if (wheel == NULL)
		return;
	for (level = 0; level < DTCP_TIMER_WHEEL_LEVELS; level++)
		for (slot = 0; slot < DTCP_TIMER_WHEEL_SLOTS; slot++)
			list_disarm_all(wheel->slots[level][slot]);
	list_disarm_all(wheel->due);
	memset(wheel->slots, 0, sizeof(wheel->slots));
	memset(wheel->occupied, 0, sizeof(wheel->occupied));
	wheel->due = NULL;
	wheel->nb_armed = 0;
}

void
dtcp_timer_init(struct dtcp_timer *timer, dtcp_timer_cb_t cb)
{
	timer->next = NULL;
	timer->pprev = NULL;
	timer->expires_us = 0;
	timer->cb = cb;
}

void
dtcp_timer_arm(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer, uint64_t expires_us)
{
	if (timer->pprev != NULL)
		list_unlink(timer);
	else
		wheel->nb_armed++;
	timer->expires_us = expires_us;
	wheel_insert(wheel, timer);
}

void
dtcp_timer_cancel(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer)
{
	if (timer->pprev == NULL)
		return;
	list_unlink(timer);
	timer->pprev = NULL;
	wheel->nb_armed--;
}

unsigned int
dtcp_timer_wheel_run(struct dtcp_timer_wheel *wheel, uint64_t now_us, unsigned int max_expiries)
{
	struct dtcp_timer *work;
	unsigned int fired = 0;
	uint64_t target;

	now_us = RTE_MIN(now_us, UINT64_MAX - 1);
	if (now_us > wheel->now_us)
		wheel->now_us = now_us;
	now_us = wheel->now_us;

	/* Timers armed for ticks already passed, and what an earlier budget left. */
	if (wheel->due != NULL && max_expiries > 0) {
		work = wheel->due;
		wheel->due = NULL;
		work->pprev = &work;
		fired += wheel_fire(wheel, &work, max_expiries, now_us);
	}

	target = tick_floor(wheel, now_us);
	while (wheel->tick <= target && fired < max_expiries) {
		uint64_t ev = wheel_next_event(wheel);
		unsigned int slot;

		if (ev > target) {
			wheel_advance(wheel, target + 1);
			break;
		}
		if (ev != wheel->tick) {
			/* Skip the empty ticks; a cascade there may fill this slot. */
			wheel_advance(wheel, ev);
			continue;
		}
		slot = (unsigned int)ev & WHEEL_MASK;
		work = wheel->slots[0][slot];
		wheel->slots[0][slot] = NULL;
		bit_clear(wheel->occupied[0], slot);
		/*
		 * Advance before the callbacks run: a timer they arm for this tick
		 * then goes to the due list (next run) instead of this slot, which
		 * is what keeps a self re-arming callback from looping.
		 */
		wheel_advance(wheel, ev + 1);
		if (work != NULL) {
			work->pprev = &work;
			fired += wheel_fire(wheel, &work, max_expiries - fired, now_us);
		}
	}
	return fired;
}
