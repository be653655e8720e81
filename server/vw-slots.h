/* vw-slots.h: the rules of appointments (我要约), as pure functions of
 * unix milliseconds: no store, no clock (callers pass "now").
 *
 * A slot (预约时段) is a period at a service centre in which a given
 * number of clerks or enterprises may come for one service item.  A
 * booking holds one place of it:
 *  - a slot has places left while the bookings that hold one ('booked' and
 *    'arrived') are fewer than its capacity (vw_slot_remaining);
 *  - a slot is 1 minute to 4 hours long, starts and ends on a whole minute,
 *    and holds 1 to 100 people (vw_slot_check);
 *  - it starts on 2020-01-01 (CST) or later, and before 2100 (vw_slot_check);
 *    a new slot starts at most VW_SLOT_HORIZON_MS (two years) ahead
 *    (vw_slot_check_horizon);
 *  - a booking can be cancelled until its slot starts (vw_slot_can_cancel);
 *  - its holder checks in from @early_ms before the slot starts until the
 *    slot ends (vw_slot_window); the store (vw-store-appointments.h) and
 *    the broker use the same rule.
 *
 * Times are shown in China Standard Time (UTC+8, no daylight saving). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VW_SLOT_CAPACITY_MAX 100
#define VW_SLOT_LENGTH_MAX_MS (4 * 3600 * G_GINT64_CONSTANT (1000))
#define VW_SLOT_MINUTE_MS (60 * G_GINT64_CONSTANT (1000))
/* The times a slot may have: from 2020-01-01 00:00 CST, before
 * 2100-01-01 00:00 CST (far from any overflow of the arithmetic on them). */
#define VW_SLOT_EARLIEST_MS G_GINT64_CONSTANT (1577808000000)
#define VW_SLOT_LATEST_MS G_GINT64_CONSTANT (4102416000000)
/* How far ahead of now a new slot may start: two years (731 days). */
#define VW_SLOT_HORIZON_MS (731 * 24 * 3600 * G_GINT64_CONSTANT (1000))
/* How long before its slot a holder may check in, unless told otherwise. */
#define VW_SLOT_EARLY_DEFAULT_MS (15 * VW_SLOT_MINUTE_MS)

#define VW_SLOT_ERROR (vw_slot_error_quark ())
GQuark vw_slot_error_quark (void);

typedef enum {
  VW_SLOT_ERROR_INVALID,        /* the slot breaks a rule above; the message says which */
  VW_SLOT_ERROR_OUT_OF_RANGE,   /* its times are outside the years a slot may have */
} VwSlotError;

typedef enum {
  VW_SLOT_EARLY,   /* now < starts - early: check-in is not open yet */
  VW_SLOT_DUE,     /* starts - early <= now < ends: check in now */
  VW_SLOT_OVER,    /* now >= ends: the slot is over */
} VwSlotWindow;

/* The places left: @capacity - @booked, 0 when @booked >= @capacity. */
guint        vw_slot_remaining (guint capacity, guint booked);

/* Where @now_ms falls for a slot [@starts_ms, @ends_ms) whose check-in
 * opens @early_ms (>= 0; a negative value counts as 0) before it starts. */
VwSlotWindow vw_slot_window (gint64 now_ms, gint64 starts_ms, gint64 ends_ms,
                             gint64 early_ms);

/* When check-in opens: @starts_ms - @early_ms (@early_ms < 0 counts as 0). */
gint64       vw_slot_opens_at (gint64 starts_ms, gint64 early_ms);

/* Whether a booking may still be cancelled at @now_ms: before the slot
 * starts. */
gboolean     vw_slot_can_cancel (gint64 now_ms, gint64 starts_ms);

/* Checks a slot: unix ms > 0, ends after it starts, at most 4 h long, both
 * on a whole minute, a capacity of 1..100: VW_SLOT_ERROR_INVALID naming
 * the broken rule otherwise; VW_SLOT_ERROR_OUT_OF_RANGE when it starts
 * before VW_SLOT_EARLIEST_MS or ends after VW_SLOT_LATEST_MS. */
gboolean     vw_slot_check (gint64 starts_ms, gint64 ends_ms, gint64 capacity,
                            GError **error);

/* Whether a new slot starting at @starts_ms is near enough: at most
 * VW_SLOT_HORIZON_MS after @now_ms.  VW_SLOT_ERROR_OUT_OF_RANGE otherwise.
 * (Whether it starts in the past is the caller's own rule.) */
gboolean     vw_slot_check_horizon (gint64 now_ms, gint64 starts_ms, GError **error);

/* @ms as China Standard Time: "2026-11-22 09:30" (vw_slot_format_time) and
 * "2026-11-22T09:30:00+08:00" (vw_slot_format_iso).  (transfer full) */
char        *vw_slot_format_time (gint64 ms);
char        *vw_slot_format_iso (gint64 ms);

G_END_DECLS
