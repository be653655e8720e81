/* vw-bwe.c: one leg's bandwidth estimate from periodic reports (see vw-bwe.h). */
#include "vw-bwe.h"

#include <math.h>

/* GCC's loss-based thresholds and rates. */
#define LOSS_HIGH 0.10
#define LOSS_LOW 0.02
#define GROWTH_PER_SECOND 1.08
/* A gap between reports longer than this grows the estimate no more. */
#define MAX_GROWTH_INTERVAL_US (2 * G_USEC_PER_SEC)
/* The rate that got through, times this, when the leg is over capacity. */
#define BACKOFF 0.85
/* A queue: the round-trip time this much above the leg's smallest... */
#define QUEUE_RTT_MS 50.0
/* ...or the jitter this much above its smallest. */
#define QUEUE_JITTER_MS 30.0

struct _VwBwe {
  VwBweState state;
  double estimate;
  guint min_bps;
  guint max_bps;
  gint64 last_us;          /* time of the last report taken; 0: none */
  double min_rtt_ms;       /* smallest round-trip time seen; < 0: none */
  double last_rtt_ms;      /* previous report's; < 0: unknown */
  double min_jitter_ms;    /* smallest jitter seen; < 0: none */
};

VwBwe *
vw_bwe_new (guint start_bps, guint min_bps, guint max_bps)
{
  g_return_val_if_fail (min_bps <= max_bps, NULL);
  VwBwe *b = g_new0 (VwBwe, 1);
  b->state = VW_BWE_HOLD;
  b->min_bps = min_bps;
  b->max_bps = max_bps;
  b->estimate = CLAMP (start_bps, min_bps, max_bps);
  b->min_rtt_ms = -1;
  b->last_rtt_ms = -1;
  b->min_jitter_ms = -1;
  return b;
}

void
vw_bwe_free (VwBwe *b)
{
  g_free (b);
}

const char *
vw_bwe_state_to_string (VwBweState state)
{
  static const char *names[] = { "increase", "hold", "decrease" };
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (names), "?");
  return names[state];
}

/* The signal a report gives, before acting on it. */
static VwBweState
classify (VwBwe *b, const VwBweReport *r)
{
  gboolean queue = FALSE, queue_growing = FALSE;
  if (r->rtt_ms >= 0 && b->min_rtt_ms >= 0) {
    queue = r->rtt_ms > b->min_rtt_ms + QUEUE_RTT_MS;
    /* Standing since the last report: the bottleneck is over capacity (a
     * queue that stays full drops what the reports may not show:
     * rtpsession 1.22 keeps one report block per reporter).  A queue seen
     * in one report only may be a burst or a scheduling hiccup on a busy
     * host: it holds. */
    queue_growing = queue && b->last_rtt_ms > b->min_rtt_ms + QUEUE_RTT_MS;
  }
  if (r->jitter_ms >= 0 && b->min_jitter_ms >= 0
      && r->jitter_ms > b->min_jitter_ms + QUEUE_JITTER_MS)
    queue = TRUE;

  if (r->fraction_lost > LOSS_HIGH || queue_growing)
    return VW_BWE_DECREASE;
  if (r->fraction_lost >= LOSS_LOW || queue)
    return VW_BWE_HOLD;
  return VW_BWE_INCREASE;
}

/* The one transition function: a report moves the estimator to the state
 * its signal calls for, and the state's action changes the estimate. */
guint
vw_bwe_update (VwBwe *b, const VwBweReport *r)
{
  g_return_val_if_fail (b && r, 0);
  if (b->last_us && r->now_us <= b->last_us)
    return (guint) b->estimate;
  gint64 dt_us = b->last_us ? MIN (r->now_us - b->last_us, MAX_GROWTH_INTERVAL_US) : 0;
  double loss = CLAMP (r->fraction_lost, 0.0, 1.0);

  VwBweState next = classify (b, r);
  switch (next) {
    case VW_BWE_INCREASE:
      b->estimate *= pow (GROWTH_PER_SECOND, (double) dt_us / G_USEC_PER_SEC);
      break;
    case VW_BWE_HOLD:
      break;
    case VW_BWE_DECREASE: {
      double cut = b->estimate;
      if (loss > LOSS_HIGH)
        cut *= 1.0 - 0.5 * loss;
      /* Over capacity: what got through is what the leg carries, and the
       * queue must drain: 85 % of the less of the two. */
      if (r->received_bps > 0)
        cut = MIN (cut, BACKOFF * MIN (b->estimate, r->received_bps));
      else if (loss <= LOSS_HIGH)
        cut *= BACKOFF;
      b->estimate = MIN (b->estimate, cut);
      break;
    }
  }
  b->state = next;
  b->estimate = CLAMP (b->estimate, (double) b->min_bps, (double) b->max_bps);

  if (r->rtt_ms >= 0) {
    if (b->min_rtt_ms < 0 || r->rtt_ms < b->min_rtt_ms)
      b->min_rtt_ms = r->rtt_ms;
    b->last_rtt_ms = r->rtt_ms;
  }
  if (r->jitter_ms >= 0 && (b->min_jitter_ms < 0 || r->jitter_ms < b->min_jitter_ms))
    b->min_jitter_ms = r->jitter_ms;
  b->last_us = r->now_us;
  return (guint) b->estimate;
}

guint
vw_bwe_get_estimate (VwBwe *b)
{
  return (guint) b->estimate;
}

VwBweState
vw_bwe_get_state (VwBwe *b)
{
  return b->state;
}

void
vw_bwe_set_max (VwBwe *b, guint max_bps)
{
  b->max_bps = MAX (max_bps, b->min_bps);
  b->estimate = MIN (b->estimate, (double) b->max_bps);
}

/* ---- caps ---- */

#define CAP_CHANGE 0.10
#define CAP_INTERVAL_US G_USEC_PER_SEC

void
vw_bwe_cap_init (VwBweCap *cap, guint floor_bps, guint ceiling_bps)
{
  cap->floor_bps = floor_bps;
  cap->ceiling_bps = MAX (ceiling_bps, floor_bps);
  cap->announced_bps = 0;
  cap->announced_us = 0;
}

guint
vw_bwe_cap_update (VwBweCap *cap, gint64 now_us, guint estimate_bps)
{
  guint value = CLAMP (estimate_bps, cap->floor_bps, cap->ceiling_bps);
  /* Before any announcement the sender runs at the ceiling. */
  guint current = cap->announced_bps ? cap->announced_bps : cap->ceiling_bps;
  if (value == current)
    return 0;
  if (cap->announced_bps && now_us - cap->announced_us < CAP_INTERVAL_US)
    return 0;
  /* Back to the ceiling counts whatever the step: the sender runs free. */
  if (fabs ((double) value - current) <= CAP_CHANGE * current
      && value != cap->ceiling_bps)
    return 0;
  cap->announced_bps = value;
  cap->announced_us = now_us;
  return value;
}
