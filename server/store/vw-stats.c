/* vw-stats.c: the desk's statistics as pure aggregation (see vw-stats.h). */
#include "vw-stats.h"
#include "vw-calendar.h"

#include <stdlib.h>
#include <string.h>

void
vw_stats_record_free (VwStatsRecord *r)
{
  if (!r)
    return;
  g_free (r->session_id);
  g_free (r->province);
  g_free (r->item);
  g_free (r->item_name);
  g_free (r->agent_key);
  g_free (r->agent_name);
  g_free (r->agent_center);
  g_free (r->clerk_name);
  g_free (r->clerk_province);
  g_free (r->clerk_center);
  g_free (r);
}

void
vw_stats_group_free (VwStatsGroup *g)
{
  if (!g)
    return;
  g_free (g->key);
  g_free (g->name);
  g_free (g);
}

/* ---- numbers ---- */

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

gint64
vw_stats_percentile (gint64 *values, guint n, guint percent)
{
  g_return_val_if_fail (percent > 0 && percent <= 100, -1);

  if (n == 0)
    return -1;
  qsort (values, n, sizeof *values, compare_gint64);
  /* The rank ceil (percent * n / 100), 1-based, in integers. */
  guint64 rank = ((guint64) percent * n + 99) / 100;
  return values[rank - 1];
}

gint64
vw_stats_mean (const gint64 *values, guint n)
{
  gint64 sum = 0;

  if (n == 0)
    return -1;
  for (guint i = 0; i < n; i++)
    sum += values[i];
  /* Rounded, halves away from zero, in integers. */
  return sum >= 0 ? (sum + n / 2) / (gint64) n : -((-sum + n / 2) / (gint64) n);
}

gint64
vw_stats_wait_ms (const VwStatsRecord *r)
{
  if (r->requested_at <= 0)
    return -1;
  return MAX (0, r->started_at - r->requested_at);
}

/* ---- groups ---- */

const char *
vw_stats_key (const VwStatsRecord *r, VwStatsGroupBy by)
{
  const char *key = NULL;

  switch (by) {
  case VW_STATS_BY_CENTER:
    key = r->agent_center;
    break;
  case VW_STATS_BY_AGENT:
    key = r->agent_key;
    break;
  case VW_STATS_BY_PROVINCE:
    key = r->province;
    break;
  case VW_STATS_BY_ITEM:
    key = r->item;
    break;
  }
  return key ? key : "";
}

/* Who a clerk is, for "served": name, province, centre as given. */
static char *
clerk_identity (const VwStatsRecord *r)
{
  return g_strdup_printf ("%s\x1f%s\x1f%s", r->clerk_name ? r->clerk_name : "",
      r->clerk_province ? r->clerk_province : "", r->clerk_center ? r->clerk_center : "");
}

VwStatsGroup *
vw_stats_summarize (GPtrArray *records, const char *key, const char *name)
{
  VwStatsGroup *g = g_new0 (VwStatsGroup, 1);
  g_autoptr (GHashTable) clerks = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  g_autofree gint64 *waits = g_new (gint64, MAX (records->len, 1));
  g_autofree gint64 *durations = g_new (gint64, MAX (records->len, 1));
  guint good = 0;

  g->key = g_strdup (key ? key : "");
  g->name = g_strdup (name ? name : g->key);
  for (guint i = 0; i < records->len; i++) {
    const VwStatsRecord *r = g_ptr_array_index (records, i);
    gint64 wait = vw_stats_wait_ms (r);

    g->connections++;
    g_hash_table_add (clerks, clerk_identity (r));
    if (wait >= 0)
      waits[g->waits++] = wait;
    if (r->ended && r->ended_at >= r->started_at)
      durations[g->handled++] = r->ended_at - r->started_at;
    if (r->rating >= 1 && r->rating <= 5) {
      g->ratings[r->rating]++;
      g->rated++;
      good += r->rating >= 3;
    }
    g->follow_ups_open += r->follow_up_open != FALSE;
    g->follow_ups_overdue += r->follow_up_open && r->follow_up_overdue;
  }
  g->served = g_hash_table_size (clerks);
  g->wait_mean_ms = vw_stats_mean (waits, g->waits);
  g->wait_p90_ms = vw_stats_percentile (waits, g->waits, 90);
  g->handling_mean_ms = vw_stats_mean (durations, g->handled);
  g->good_rate = g->rated ? (double) good / g->rated : -1;
  return g;
}

/* The name @r gives its group @by, if any: the agent's, the item's in the
 * catalogue.  (transfer none) */
static const char *
record_name (const VwStatsRecord *r, VwStatsGroupBy by)
{
  switch (by) {
  case VW_STATS_BY_AGENT:
    return r->agent_name;
  case VW_STATS_BY_ITEM:
    return r->item_name;
  default:
    return NULL;
  }
}

/* What the group of @of_key (the records of @key, oldest first) is shown
 * as: the name of its latest record that has one, else the key.
 * (transfer none) */
static const char *
group_name (GPtrArray *of_key, const char *key, VwStatsGroupBy by)
{
  const char *name = key;

  for (guint i = 0; i < of_key->len; i++) {
    const char *n = record_name (g_ptr_array_index (of_key, i), by);
    if (n && *n)
      name = n;
  }
  return name;
}

static int
compare_groups (gconstpointer a, gconstpointer b)
{
  const VwStatsGroup *x = *(VwStatsGroup *const *) a, *y = *(VwStatsGroup *const *) b;

  if (x->connections != y->connections)
    return x->connections > y->connections ? -1 : 1;
  return strcmp (x->key, y->key);
}

GPtrArray *
vw_stats_group (GPtrArray *records, VwStatsGroupBy by)
{
  /* key -> GPtrArray of its records (borrowed). */
  g_autoptr (GHashTable) members = g_hash_table_new_full (g_str_hash, g_str_equal,
      NULL, (GDestroyNotify) g_ptr_array_unref);
  GPtrArray *groups = g_ptr_array_new_with_free_func (
      (GDestroyNotify) vw_stats_group_free);
  GHashTableIter iter;
  gpointer key, list;

  for (guint i = 0; i < records->len; i++) {
    VwStatsRecord *r = g_ptr_array_index (records, i);
    const char *k = vw_stats_key (r, by);
    GPtrArray *of_key = g_hash_table_lookup (members, k);

    if (!of_key) {
      of_key = g_ptr_array_new ();
      g_hash_table_insert (members, (gpointer) k, of_key);
    }
    g_ptr_array_add (of_key, r);
  }
  g_hash_table_iter_init (&iter, members);
  while (g_hash_table_iter_next (&iter, &key, &list))
    g_ptr_array_add (groups, vw_stats_summarize (list, key, group_name (list, key, by)));
  g_ptr_array_sort (groups, compare_groups);
  return groups;
}

GArray *
vw_stats_days (GPtrArray *records, gint64 from_ms, gint64 to_ms)
{
  GArray *days = g_array_new (FALSE, TRUE, sizeof (VwStatsDay));
  gint64 first = vw_calendar_day_of (from_ms);
  gint64 last = vw_calendar_day_of (to_ms - 1);

  for (gint64 d = first; d <= last; d++) {
    VwStatsDay day = { .day = d };
    g_array_append_val (days, day);
  }
  for (guint i = 0; i < records->len; i++) {
    const VwStatsRecord *r = g_ptr_array_index (records, i);
    gint64 d = vw_calendar_day_of (r->started_at);

    if (d < first || d > last)
      continue;
    VwStatsDay *day = &g_array_index (days, VwStatsDay, d - first);
    day->connections++;
    if (r->rating >= 1 && r->rating <= 5) {
      day->rated++;
      day->good += r->rating >= 3;
    }
  }
  return days;
}

/* ---- names ---- */

static const char *const group_names[] = {
  [VW_STATS_BY_CENTER] = "center",
  [VW_STATS_BY_AGENT] = "agent",
  [VW_STATS_BY_PROVINCE] = "province",
  [VW_STATS_BY_ITEM] = "item",
};

gboolean
vw_stats_group_by_from_string (const char *name, VwStatsGroupBy *by)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (group_names); i++)
    if (g_str_equal (name, group_names[i])) {
      *by = i;
      return TRUE;
    }
  return FALSE;
}

const char *
vw_stats_group_by_to_string (VwStatsGroupBy by)
{
  g_return_val_if_fail ((guint) by < G_N_ELEMENTS (group_names), NULL);
  return group_names[by];
}
