/* vw-metrics.h: GET /metrics, the server's counts in the Prometheus text
 * exposition format (version 0.0.4), collected from the broker's live state
 * and the store (vw-metrics.c).
 *
 * Only counts: no names, peer or session ids, case numbers or centres, and
 * every label value comes from a closed set (the four provinces, the agent
 * states, the protocol's error codes, the rating levels).  It is therefore
 * served without a token, so that a monitoring system can scrape it; see
 * README ("Monitoring") for putting it behind a proxy if even the counts
 * must stay inside.
 *
 *   gauges    vw_sessions_live, vw_connections, vw_queue_length{province},
 *             vw_agents{state="available|busy|away"}, vw_follow_ups_open
 *   counters  vw_sessions_total, vw_ratings_total{level} (from the store:
 *             every session and rating ever recorded, so they survive
 *             restarts), vw_errors_total{code} (errors sent to clients
 *             since this process started)
 */
#pragma once

#include "vw-broker.h"

G_BEGIN_DECLS

#define VW_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The metrics as text.  (transfer full) */
char *vw_metrics_collect (VwBroker *broker);

/* The broker counts an "error" message it sends, by code (vw-broker.c). */
void  vw_metrics_count_error (VwBroker *broker, const char *code);

G_END_DECLS
