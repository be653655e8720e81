/* vw-bench-figures.c: see vw-bench-figures.h. */
#include "vw-bench-figures.h"

#include <math.h>

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

double
vw_bench_percentile (GArray *values, double p)
{
  if (values->len == 0)
    return NAN;
  g_array_sort (values, compare_double);
  guint i = (guint) CLAMP (p / 100.0 * (values->len - 1) + 0.5, 0, values->len - 1);
  return g_array_index (values, double, i);
}

double
vw_bench_mean (GArray *values)
{
  if (values->len == 0)
    return NAN;
  double sum = 0;
  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  return sum / values->len;
}

gint64
vw_bench_event_time (JsonObject *event)
{
  return json_object_get_int_member (event, "t");
}
