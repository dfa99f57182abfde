/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore hierarchical timing wheel (internal, not installed).
 *
 * Time is passed in (microseconds); the wheel never reads a clock, so the
 * protocol code and the tests drive it with virtual time. A timer is an
 * intrusive struct dtcp_timer embedded in the owner's object; arm and cancel
 * are O(1), and a run costs O(timers fired + timers cascaded + occupied slots
 * visited), independent of how much time passed since the last run.
 *
 * Firing rule and lateness bound. Time is cut into ticks of tick_us; a timer
 * armed for expires_us belongs to tick T = ceil(expires_us / tick_us) and
 * fires in the first dtcp_timer_wheel_run() whose now_us >= T * tick_us. So:
 *  - it never fires early: the now_us its callback receives is >= expires_us;
 *  - if run() is called at least every P microseconds it fires less than
 *    tick_us + P after expires_us (at most tick_us - 1 late from the rounding);
 *  - a timer armed for a tick the wheel has already processed (expires_us in
 *    the past, or armed by a callback for the tick being processed or an
 *    earlier one) fires on the next run() call, even one with the same
 *    now_us; one armed by a callback for a later tick that this run still
 *    has to process fires in this run. A callback that re-arms itself in
 *    the past thus fires at most once per tick processed, never in a loop.
 * Timers due in the same tick fire in no particular order; ticks fire in
 * order, after the timers that were already due when run() was called. The
 * wheel's clock never goes back: a now_us smaller than one seen before is
 * treated as that earlier value.
 *
 * Geometry: DTCP_TIMER_WHEEL_LEVELS levels of DTCP_TIMER_WHEEL_SLOTS slots.
 * Level k covers deltas of [256^k, 256^(k+1)) ticks, so the wheel spans 2^32
 * ticks (49.7 days at 1 ms ticks, 71 minutes at 1 us); a timer further out is
 * parked in the top level and re-placed once per 2^32 ticks, so any uint64_t
 * expiry works.
 *
 * Not thread-safe: one wheel belongs to one lcore. Callbacks may arm, re-arm
 * and cancel any timer of the wheel (themselves included) but must not call
 * dtcp_timer_wheel_run() or dtcp_timer_wheel_free().
 */
#ifndef DTCP_CORE_TIMER_WHEEL_H
#define DTCP_CORE_TIMER_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_reciprocal.h>

/** Number of levels in the hierarchy. */
#define DTCP_TIMER_WHEEL_LEVELS 4
/** log2 of the slots per level. */
#define DTCP_TIMER_WHEEL_BITS 8
/** Slots per level. */
#define DTCP_TIMER_WHEEL_SLOTS (1u << DTCP_TIMER_WHEEL_BITS)

struct dtcp_timer;
struct dtcp_timer_wheel;

/**
 * Timer callback. Called from dtcp_timer_wheel_run() with the timer already
 * disarmed; the owner is found with container_of(timer, type, member).
 *
 * @param wheel  the wheel that fired it (to re-arm or arm others).
 * @param timer  the timer that expired.
 * @param now_us the wheel's clock, >= timer->expires_us.
 */
typedef void (*dtcp_timer_cb_t)(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer,
				uint64_t now_us);

/**
 * A timer, embedded in its owner. 32 bytes; the fields are private to the
 * wheel except expires_us, which may be read.
 */
struct dtcp_timer {
	struct dtcp_timer *next;   /**< next in the slot's list */
	struct dtcp_timer **pprev; /**< the pointer to us; NULL when not armed */
	uint64_t expires_us;	   /**< last armed expiry (microseconds) */
	dtcp_timer_cb_t cb;	   /**< called when it fires */
};

/**
 * The wheel. About 8.3 KiB, all inline so that it lives wherever its owner
 * (the lcore context) was allocated, on the lcore's NUMA socket.
 */
struct dtcp_timer_wheel {
	uint64_t tick;			    /**< next tick to process; all earlier ticks are done */
	uint64_t now_us;		    /**< the clock: the largest now_us seen */
	uint64_t tick_us;		    /**< tick length */
	struct rte_reciprocal_u64 tick_div; /**< divides by tick_us without a div instruction */
	uint64_t nb_armed;		    /**< timers armed */
	struct dtcp_timer *due;		    /**< timers whose tick has passed, fire on next run */
	/** Slot occupancy; a set bit may be stale (slot emptied by cancel). */
	uint64_t occupied[DTCP_TIMER_WHEEL_LEVELS][DTCP_TIMER_WHEEL_SLOTS / 64];
	struct dtcp_timer *slots[DTCP_TIMER_WHEEL_LEVELS][DTCP_TIMER_WHEEL_SLOTS];
};

/**
 * Initialise an empty wheel.
 *
 * @param wheel   the wheel (caller's memory, e.g. inside the lcore context).
 * @param now_us  the current time; ticks up to floor(now_us / tick_us) count as passed.
 * @param tick_us tick length in microseconds, >= 1 (the lateness bound, see above).
 * @return 0, or -EINVAL if wheel is NULL or tick_us is 0.
 */
int dtcp_timer_wheel_init(struct dtcp_timer_wheel *wheel, uint64_t now_us, uint64_t tick_us);

/**
 * Tear a wheel down: disarm every timer still armed (their callbacks are not
 * called) so that dtcp_timer_armed() is false for all of them. The wheel
 * owns no memory; it may be initialised again afterwards.
 *
 * @param wheel the wheel; NULL is a no-op.
 */
void dtcp_timer_wheel_free(struct dtcp_timer_wheel *wheel);

/**
 * Initialise a timer (not armed). Call once before any other use.
 *
 * @param timer the timer.
 * @param cb    its callback, called each time it fires.
 */
void dtcp_timer_init(struct dtcp_timer *timer, dtcp_timer_cb_t cb);

/**
 * Arm a timer to fire at expires_us (absolute, microseconds), or move it
 * there if it is already armed. O(1). An expiry in the past fires on the next
 * dtcp_timer_wheel_run().
 *
 * @param wheel      the wheel the timer is (to be) armed in; a timer is in
 *                   at most one wheel at a time.
 * @param timer      an initialised timer.
 * @param expires_us when it is due.
 */
void dtcp_timer_arm(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer, uint64_t expires_us);

/**
 * Cancel a timer. O(1). Idempotent: cancelling a timer that is not armed
 * (never armed, fired or already cancelled) does nothing.
 *
 * @param wheel the wheel the timer was armed in.
 * @param timer an initialised timer.
 */
void dtcp_timer_cancel(struct dtcp_timer_wheel *wheel, struct dtcp_timer *timer);

/**
 * Whether a timer is armed (will fire unless cancelled).
 *
 * @param timer an initialised timer.
 * @return true if armed; false if never armed, fired or cancelled.
 */
static inline bool
dtcp_timer_armed(const struct dtcp_timer *timer)
{
	return timer->pprev != NULL;
}

/**
 * Number of timers armed in a wheel.
 *
 * @param wheel the wheel.
 * @return the count.
 */
static inline uint64_t
dtcp_timer_wheel_count(const struct dtcp_timer_wheel *wheel)
{
	return wheel->nb_armed;
}

/**
 * Advance the wheel's clock to now_us and fire the timers that are due (see
 * the firing rule at the top of this file), calling each callback once.
 *
 * @param wheel        the wheel.
 * @param now_us       the current time; smaller than an earlier value counts
 *                     as that earlier value.
 * @param max_expiries fire at most this many (UINT_MAX: no limit); the rest
 *                     stay due and fire first on the next call.
 * @return the number of callbacks called.
 */
unsigned int dtcp_timer_wheel_run(struct dtcp_timer_wheel *wheel, uint64_t now_us,
				  unsigned int max_expiries);

#endif
