/* vw-wait.h: the estimated wait told to a queued clerk.
 *
 * Pure logic, like vw-pairing: no clocks, no main loop; the caller feeds
 * the handling time of every session that ends and asks for estimates.
 *
 * The estimate for the clerk at 1-based position p of a (province, item)
 * queue, with a agents on duty for that item (vw_pairing_count_agents_on_duty)
 * and a mean handling time m of the recent sessions of that queue:
 *
 *     wait = ceil (p / a) * m
 *
 * Why: a clerk is queued only while every on-duty agent who could serve it
 * is busy (or wrapping up).  The a agents then free up in turn and each
 * takes one clerk, so the clerk at position p is reached in the
 * ceil (p / a)-th round, and a round lasts at most one handling time.  It
 * is an upper estimate: the running sessions are partly over already
 * (vw_wait_estimate_ahead() below takes that into account, and is what
 * the server tells clerks).  Agents who handle other items too take
 * clerks from those queues as well, whoever waited longest first, so the
 * server counts as p the clerk's turn among everyone those agents would
 * take before it (vw_pairing_get_turn()), not only its place in its own
 * queue.  It is rough on purpose: an honest order of
 * magnitude, from what really happened recently, rather than a promise.
 *
 * With no history for the queue or no agent on duty there is nothing
 * honest to say, and vw_wait_estimate() returns FALSE: the caller then
 * tells no time at all rather than a made-up one.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A bounded history of recent handling times (ms) per (province, item):
 * the handling times of the latest ended sessions, so the estimate follows
 * today's pace and not last month's. */
typedef struct _VwWaitHistory VwWaitHistory;

/* (transfer full): keeps the latest @keep (> 0) samples per key. */
VwWaitHistory *vw_wait_history_new (guint keep);
void           vw_wait_history_free (VwWaitHistory *h);

/* Records one ended session's handling time.  Non-positive times (a
 * session that never really started, a clock gone backwards) are ignored:
 * they would only drag the mean towards an impossible zero wait. */
void           vw_wait_history_add (VwWaitHistory *h, const char *province,
                                    const char *item, gint64 handling_ms);

/* Number of samples kept for the key (0: no history yet) and their mean,
 * rounded to the nearest ms, in *mean_ms (nullable; set to 0 when there
 * are no samples). */
guint          vw_wait_history_get (VwWaitHistory *h, const char *province,
                                    const char *item, gint64 *mean_ms);

/* The estimate for the clerk at 1-based @position when @agents agents are
 * on duty for the item: ceil (position / agents) * mean (see above), in
 * *wait_ms (nullable).  FALSE (nothing to say honestly; *wait_ms left
 * alone) when @samples == 0 or @agents == 0, and also when @position is 0
 * (not queued) or @mean_handling_ms is not positive. */
gboolean       vw_wait_estimate (gint64 mean_handling_ms, guint samples,
                                 guint position, guint agents, gint64 *wait_ms);

/* The finer estimate, when the caller knows when each of the @agents
 * on-duty agents should be free: @free_in_ms[i] (>= 0) from now.  Each
 * agent, once free, takes the next clerk and is busy for the mean handling
 * time again; the clerk at @position is served at the position-th such
 * moment, which is *wait_ms.  vw_wait_estimate() is the case where every
 * agent has just started a session (free_in = mean).  The caller decides
 * what a running session has left: the broker takes the mean minus its
 * elapsed time, but at least a tenth of the mean (a session longer than
 * usual is assumed to end soon, not this instant).  FALSE as for
 * vw_wait_estimate(). */
gboolean       vw_wait_estimate_ahead (gint64 mean_handling_ms, guint samples,
                                       guint position, const gint64 *free_in_ms,
                                       guint agents, gint64 *wait_ms);

/* vw_wait_estimate_ahead() for every position from 1 to @positions at
 * once, in one walk: (transfer full) an array of @positions waits in ms
 * (element k - 1 for position k), or NULL when there is nothing to say
 * honestly (as for vw_wait_estimate_ahead(), or @positions == 0). */
gint64        *vw_wait_estimate_ahead_all (gint64 mean_handling_ms, guint samples,
                                           guint positions, const gint64 *free_in_ms,
                                           guint agents);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwWaitHistory, vw_wait_history_free)

G_END_DECLS
