/* vw-bwe.h: bandwidth estimation for one leg of one stream (pure logic).
 *
 * The hub terminates every participant's connection, so each stream has an
 * upstream leg (sender -> hub) and one downstream leg per receiver (hub ->
 * receiver).  A VwBwe follows one leg from periodic reports (the loss the
 * far end saw since the previous report, the round-trip time, the jitter,
 * the rate that got through) and estimates what the leg carries:
 *
 * - loss-based, as the loss-based half of Google Congestion Control: more
 *   than 10 % lost: cut by half the loss (and to 85 % of the rate that got
 *   through); under 2 %: grow 8 % per second; in between: hold;
 * - delay-based: a queue at a bottleneck shows up as a round-trip time well
 *   above the leg's smallest, before packets are dropped: in one report,
 *   the estimate holds; standing two reports running, it
 *   falls to 85 % of the less of itself and the rate that got through.  A
 *   jitter well above its smallest holds it too.
 *
 * No clock of its own: every report carries its time, so tests drive it
 * with tables of reports.  See VwBweCap for the cap a sender is told.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VwBwe VwBwe;

/* What the leg did since the previous report. */
typedef struct {
  gint64 now_us;          /* monotonic time of the report */
  double fraction_lost;   /* 0..1 of the packets sent since the previous report */
  double rtt_ms;          /* round-trip time; < 0: unknown */
  double jitter_ms;       /* interarrival jitter; < 0: unknown */
  double received_bps;    /* rate that got through; <= 0: unknown */
} VwBweReport;

/* What the last report made the estimator do (one state, one transition
 * function: vw_bwe_update ()). */
typedef enum {
  VW_BWE_INCREASE,   /* little loss, no queue: growing */
  VW_BWE_HOLD,       /* 2-10 % loss, or a queue that is not growing */
  VW_BWE_DECREASE,   /* heavy loss or a growing queue: cut */
} VwBweState;

/* Estimates start at @start_bps and stay in [@min_bps, @max_bps]. */
VwBwe      *vw_bwe_new (guint start_bps, guint min_bps, guint max_bps);
void        vw_bwe_free (VwBwe *bwe);

/* Takes a new report (older or same-time reports are ignored) and returns
 * the new estimate, bits per second. */
guint       vw_bwe_update (VwBwe *bwe, const VwBweReport *report);
guint       vw_bwe_get_estimate (VwBwe *bwe);
VwBweState  vw_bwe_get_state (VwBwe *bwe);
const char *vw_bwe_state_to_string (VwBweState state);
/* Changes the ceiling (the estimate is clamped to it at once). */
void        vw_bwe_set_max (VwBwe *bwe, guint max_bps);

/* ---- the cap told to a sender for one track ----
 *
 * The cap is the least of the track's leg estimates (its upstream leg and
 * every receiver's downstream leg), within [floor, ceiling].  A new cap is
 * announced only when it moved by more than 10 % from the last one
 * announced (or reached the ceiling again), and at most once a second. */
typedef struct {
  guint floor_bps;
  guint ceiling_bps;
  guint announced_bps;     /* 0: nothing announced yet (the sender runs at the ceiling) */
  gint64 announced_us;
} VwBweCap;

void        vw_bwe_cap_init (VwBweCap *cap, guint floor_bps, guint ceiling_bps);
/* @estimate_bps: the least of the legs' estimates.  Returns the cap to
 * announce now, or 0 when nothing should be sent. */
guint       vw_bwe_cap_update (VwBweCap *cap, gint64 now_us, guint estimate_bps);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwBwe, vw_bwe_free)

G_END_DECLS
