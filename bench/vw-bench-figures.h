/* vw-bench-figures.h: the little statistics the benchmarks print, over
 * GArrays of double, and the time of a vw-client event line. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The @p-th percentile (0..100, nearest rank) of @values, which it sorts;
 * NAN when empty. */
double vw_bench_percentile (GArray *values, double p);
/* The mean of @values; NAN when empty. */
double vw_bench_mean (GArray *values);
/* The event's "t": wall clock, ms since the epoch. */
gint64 vw_bench_event_time (JsonObject *event);

G_END_DECLS
