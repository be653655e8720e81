/* test-stats-aggregate: the desk's statistics as pure aggregation
 * (server/store/vw-stats.c): percentiles, means, waits, the groups by
 * centre, agent, province and item, who counts as served, the rating
 * distribution and good-rating rate, and the days of a period.
 *
 * A day at the window (2026-11-23, CST), built by hand:
 *   r1 张敏 (zhangmin, 黄浦) serves 李华 (嘉善)  shanghai 企业设立       wait 30 s, 600 s, rated 5
 *   r2 张敏 serves 李华 again                    shanghai 企业设立       wait 90 s, 300 s, rated 2, follow-up open, overdue
 *   r3 陈静 (chenjing, 黄浦) serves 赵强 (合肥)   shanghai 食品经营许可证 wait 0 s, 1200 s, rated 3
 *   r4 李娜 (lina, 青浦) serves 孙丽 (吴江)       shanghai 企业设立       wait unknown, interrupted, not rated
 *   r5 王芳 (no account, 嘉善) serves 周杰 (黄浦) zhejiang 异地医保       wait 10 s, open, rated 1, follow-up open
 */
#include "vw-stats.h"
#include "store-test-util.h"
#include "vw-calendar.h"

#include <string.h>

#define HUANGPU "黄浦区政务服务中心"
#define QINGPU "青浦区行政服务中心"
#define JIASHAN "嘉善县行政服务中心"

/* ---- numbers ---- */

static void
test_percentile (void)
{
  gint64 one[] = { 42 };
  gint64 ten[] = { 10, 1, 9, 2, 8, 3, 7, 4, 6, 5 };
  gint64 eleven[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
  gint64 twenty[20], same[] = { 5, 5, 5 };

  g_assert_cmpint (vw_stats_percentile (NULL, 0, 90), ==, -1);
  g_assert_cmpint (vw_stats_percentile (one, 1, 90), ==, 42);
  /* Nearest rank: ceil (0.9 * 10) = 9th of the sorted values. */
  g_assert_cmpint (vw_stats_percentile (ten, 10, 90), ==, 9);
  g_assert_cmpint (ten[0], ==, 1);   /* sorted in place */
  g_assert_cmpint (ten[9], ==, 10);
  g_assert_cmpint (vw_stats_percentile (ten, 10, 100), ==, 10);
  g_assert_cmpint (vw_stats_percentile (ten, 10, 50), ==, 5);
  g_assert_cmpint (vw_stats_percentile (ten, 10, 1), ==, 1);
  /* ceil (9.9) = 10th. */
  g_assert_cmpint (vw_stats_percentile (eleven, 11, 90), ==, 10);
  for (guint i = 0; i < 20; i++)
    twenty[i] = (i + 1) * 1000;
  g_assert_cmpint (vw_stats_percentile (twenty, 20, 90), ==, 18000);
  g_assert_cmpint (vw_stats_percentile (same, 3, 90), ==, 5);
  /* Of two values, p90 is the larger: at least 90 % must be at or below. */
  gint64 two[] = { 30000, 1000 };
  g_assert_cmpint (vw_stats_percentile (two, 2, 90), ==, 30000);
  g_assert_cmpint (vw_stats_percentile (two, 2, 50), ==, 1000);
}

static void
test_mean (void)
{
  gint64 a[] = { 1, 2 }, b[] = { 1, 1, 2 }, c[] = { 30000, 90000, 0, 10000 };

  g_assert_cmpint (vw_stats_mean (NULL, 0), ==, -1);
  g_assert_cmpint (vw_stats_mean (a, 2), ==, 2);   /* 1.5 rounds up */
  g_assert_cmpint (vw_stats_mean (b, 3), ==, 1);   /* 1.33 */
  g_assert_cmpint (vw_stats_mean (c, 4), ==, 32500);
}

/* ---- records ---- */

static VwStatsRecord *
record (const char *id, const char *province, const char *item, const char *agent_key,
    const char *agent_name, const char *agent_center, const char *clerk_name,
    const char *clerk_province, const char *clerk_center)
{
  VwStatsRecord *r = g_new0 (VwStatsRecord, 1);

  r->session_id = g_strdup (id);
  r->province = g_strdup (province);
  r->item = g_strdup (item);
  r->agent_key = g_strdup (agent_key);
  r->agent_name = g_strdup (agent_name);
  r->agent_center = g_strdup (agent_center);
  r->clerk_name = g_strdup (clerk_name);
  r->clerk_province = g_strdup (clerk_province);
  r->clerk_center = g_strdup (clerk_center);
  return r;
}

static void
timing (VwStatsRecord *r, gint64 started, gint64 wait_ms, gint64 duration_ms,
    gboolean ended)
{
  r->started_at = started;
  r->requested_at = wait_ms >= 0 ? started - wait_ms : 0;
  r->ended_at = duration_ms >= 0 ? started + duration_ms : 0;
  r->ended = ended;
}

static GPtrArray *
the_day (void)
{
  GPtrArray *records = g_ptr_array_new_with_free_func (
      (GDestroyNotify) vw_stats_record_free);
  VwStatsRecord *r;

  r = record ("s-1", "shanghai", "企业设立", "zhangmin", "张敏", HUANGPU, "李华",
      "zhejiang", JIASHAN);
  timing (r, vw_store_test_cst (2026, 11, 23, 9, 0, 0), 30000, 600000, TRUE);
  r->rating = 5;
  g_ptr_array_add (records, r);

  r = record ("s-2", "shanghai", "企业设立", "zhangmin", "张敏", HUANGPU, "李华",
      "zhejiang", JIASHAN);
  timing (r, vw_store_test_cst (2026, 11, 23, 10, 0, 0), 90000, 300000, TRUE);
  r->rating = 2;
  r->follow_up_open = r->follow_up_overdue = TRUE;
  g_ptr_array_add (records, r);

  r = record ("s-3", "shanghai", "食品经营许可证", "chenjing", "陈静", HUANGPU, "赵强",
      "anhui", "合肥市政务服务中心");
  timing (r, vw_store_test_cst (2026, 11, 23, 11, 0, 0), 0, 1200000, TRUE);
  r->rating = 3;
  g_ptr_array_add (records, r);

  r = record ("s-4", "shanghai", "企业设立", "lina", "李娜", QINGPU, "孙丽", "jiangsu",
      "吴江区政务服务中心");
  timing (r, vw_store_test_cst (2026, 11, 23, 14, 0, 0), -1, 90000, FALSE);   /* interrupted */
  g_ptr_array_add (records, r);

  r = record ("s-5", "zhejiang", "异地医保", "王芳", "王芳", JIASHAN, "周杰", "shanghai",
      HUANGPU);
  timing (r, vw_store_test_cst (2026, 11, 23, 16, 0, 0), 10000, -1, FALSE);   /* still open */
  r->rating = 1;   /* (a store would not allow it yet; the sums do not care) */
  r->follow_up_open = TRUE;
  g_ptr_array_add (records, r);
  return records;
}

static void
test_wait (void)
{
  g_autoptr (GPtrArray) day = the_day ();
  VwStatsRecord *r = g_ptr_array_index (day, 0);

  g_assert_cmpint (vw_stats_wait_ms (r), ==, 30000);
  g_assert_cmpint (vw_stats_wait_ms (g_ptr_array_index (day, 3)), ==, -1);
  /* A request stamped after the pairing (a clock step) waits 0. */
  r->requested_at = r->started_at + 5;
  g_assert_cmpint (vw_stats_wait_ms (r), ==, 0);
}

static void
test_total (void)
{
  g_autoptr (GPtrArray) day = the_day ();
  g_autoptr (VwStatsGroup) t = vw_stats_summarize (day, "", "全部");

  g_assert_cmpstr (t->name, ==, "全部");
  g_assert_cmpuint (t->connections, ==, 5);
  /* 李华 twice: four clerks. */
  g_assert_cmpuint (t->served, ==, 4);
  /* Waits known: 30, 90, 0, 10 s. */
  g_assert_cmpuint (t->waits, ==, 4);
  g_assert_cmpint (t->wait_mean_ms, ==, 32500);
  g_assert_cmpint (t->wait_p90_ms, ==, 90000);
  /* Handling: the three that ended normally, 600, 300, 1200 s. */
  g_assert_cmpuint (t->handled, ==, 3);
  g_assert_cmpint (t->handling_mean_ms, ==, 700000);
  g_assert_cmpuint (t->rated, ==, 4);
  g_assert_cmpuint (t->ratings[1], ==, 1);
  g_assert_cmpuint (t->ratings[2], ==, 1);
  g_assert_cmpuint (t->ratings[3], ==, 1);
  g_assert_cmpuint (t->ratings[4], ==, 0);
  g_assert_cmpuint (t->ratings[5], ==, 1);
  /* 5 and 3 are good, of four rated. */
  g_assert_cmpfloat_with_epsilon (t->good_rate, 0.5, 1e-9);
  g_assert_cmpuint (t->follow_ups_open, ==, 2);
  g_assert_cmpuint (t->follow_ups_overdue, ==, 1);
}

static void
test_empty (void)
{
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  g_autoptr (VwStatsGroup) t = vw_stats_summarize (none, NULL, NULL);
  g_autoptr (GPtrArray) groups = vw_stats_group (none, VW_STATS_BY_CENTER);

  g_assert_cmpstr (t->key, ==, "");
  g_assert_cmpuint (t->connections, ==, 0);
  g_assert_cmpuint (t->served, ==, 0);
  g_assert_cmpint (t->wait_mean_ms, ==, -1);
  g_assert_cmpint (t->wait_p90_ms, ==, -1);
  g_assert_cmpint (t->handling_mean_ms, ==, -1);
  g_assert_cmpfloat (t->good_rate, <, 0);
  g_assert_cmpuint (groups->len, ==, 0);
}

static VwStatsGroup *
find (GPtrArray *groups, const char *key)
{
  for (guint i = 0; i < groups->len; i++) {
    VwStatsGroup *g = g_ptr_array_index (groups, i);
    if (g_str_equal (g->key, key))
      return g;
  }
  g_error ("no group '%s'", key);
  return NULL;
}

static char *
keys (GPtrArray *groups)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < groups->len; i++)
    g_string_append_printf (s, "%s%s", i ? "|" : "",
        ((VwStatsGroup *) g_ptr_array_index (groups, i))->key);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_by_center (void)
{
  g_autoptr (GPtrArray) day = the_day ();
  g_autoptr (GPtrArray) groups = vw_stats_group (day, VW_STATS_BY_CENTER);
  g_autofree char *order = keys (groups);

  /* The serving centre (the agent's), most connections first, then by key. */
  g_assert_cmpstr (order, ==, HUANGPU "|" JIASHAN "|" QINGPU);
  VwStatsGroup *h = find (groups, HUANGPU);
  g_assert_cmpstr (h->name, ==, HUANGPU);
  g_assert_cmpuint (h->connections, ==, 3);
  g_assert_cmpuint (h->served, ==, 2);             /* 李华, 赵强 */
  g_assert_cmpint (h->wait_mean_ms, ==, 40000);    /* 30, 90, 0 */
  g_assert_cmpint (h->wait_p90_ms, ==, 90000);
  g_assert_cmpint (h->handling_mean_ms, ==, 700000);
  g_assert_cmpuint (h->rated, ==, 3);
  g_assert_cmpfloat_with_epsilon (h->good_rate, 2.0 / 3, 1e-9);
  g_assert_cmpuint (h->follow_ups_open, ==, 1);
  VwStatsGroup *q = find (groups, QINGPU);
  g_assert_cmpuint (q->waits, ==, 0);
  g_assert_cmpint (q->wait_mean_ms, ==, -1);
  g_assert_cmpuint (q->handled, ==, 0);
  g_assert_cmpfloat (q->good_rate, <, 0);
}

static void
test_by_agent (void)
{
  g_autoptr (GPtrArray) day = the_day ();
  g_autoptr (GPtrArray) groups = vw_stats_group (day, VW_STATS_BY_AGENT);
  g_autofree char *order = keys (groups);

  g_assert_cmpstr (order, ==, "zhangmin|chenjing|lina|王芳");
  VwStatsGroup *z = find (groups, "zhangmin");
  g_assert_cmpstr (z->name, ==, "张敏");
  g_assert_cmpuint (z->connections, ==, 2);
  g_assert_cmpuint (z->served, ==, 1);
  g_assert_cmpint (z->wait_mean_ms, ==, 60000);
  g_assert_cmpint (z->handling_mean_ms, ==, 450000);
  g_assert_cmpuint (z->ratings[5], ==, 1);
  g_assert_cmpuint (z->ratings[2], ==, 1);
  g_assert_cmpfloat_with_epsilon (z->good_rate, 0.5, 1e-9);
  g_assert_cmpuint (z->follow_ups_overdue, ==, 1);
  g_assert_cmpstr (find (groups, "王芳")->name, ==, "王芳");
}

static void
test_by_province_and_item (void)
{
  g_autoptr (GPtrArray) day = the_day ();
  g_autoptr (GPtrArray) provinces = vw_stats_group (day, VW_STATS_BY_PROVINCE);
  g_autoptr (GPtrArray) items = vw_stats_group (day, VW_STATS_BY_ITEM);
  g_autofree char *p = keys (provinces), *i = keys (items);

  g_assert_cmpstr (p, ==, "shanghai|zhejiang");
  g_assert_cmpuint (find (provinces, "shanghai")->connections, ==, 4);
  g_assert_cmpuint (find (provinces, "zhejiang")->follow_ups_open, ==, 1);
  /* Equal counts are in byte order of the key. */
  g_assert_cmpstr (i, ==, "企业设立|异地医保|食品经营许可证");
  VwStatsGroup *setup = find (items, "企业设立");
  g_assert_cmpuint (setup->connections, ==, 3);
  g_assert_cmpuint (setup->served, ==, 2);
  g_assert_cmpuint (setup->waits, ==, 2);

  /* Without a name from the catalogue, an item is shown by its key. */
  g_assert_cmpstr (setup->name, ==, "企业设立");

  /* A session without an item is grouped under "". */
  VwStatsRecord *r = g_ptr_array_index (day, 4);
  g_clear_pointer (&r->item, g_free);
  g_autoptr (GPtrArray) again = vw_stats_group (day, VW_STATS_BY_ITEM);
  g_assert_cmpuint (find (again, "")->connections, ==, 1);

  /* Items recorded by code are shown by the catalogue's name. */
  r = g_ptr_array_index (day, 2);
  g_free (r->item);
  r->item = g_strdup ("SP-JY-004");
  r->item_name = g_strdup ("食品经营许可证");
  g_autoptr (GPtrArray) coded = vw_stats_group (day, VW_STATS_BY_ITEM);
  g_assert_cmpstr (find (coded, "SP-JY-004")->name, ==, "食品经营许可证");
  g_assert_cmpstr (find (coded, "企业设立")->name, ==, "企业设立");
  /* Grouped otherwise, the item's name plays no part. */
  g_autoptr (GPtrArray) provinces_again = vw_stats_group (day, VW_STATS_BY_PROVINCE);
  g_assert_cmpstr (find (provinces_again, "shanghai")->name, ==, "shanghai");
}

static void
test_days (void)
{
  g_autoptr (GPtrArray) day = the_day ();
  gint64 from = vw_store_test_cst (2026, 11, 22, 0, 0, 0), to = vw_store_test_cst (2026, 11, 25, 0, 0, 0);
  g_autoptr (GArray) days = vw_stats_days (day, from, to);

  g_assert_cmpuint (days->len, ==, 3);
  VwStatsDay *d = &g_array_index (days, VwStatsDay, 0);
  g_autofree char *first = vw_calendar_format_date (vw_calendar_day_start (d->day));
  g_assert_cmpstr (first, ==, "2026-11-22");
  g_assert_cmpuint (d->connections, ==, 0);
  d = &g_array_index (days, VwStatsDay, 1);
  g_assert_cmpuint (d->connections, ==, 5);
  g_assert_cmpuint (d->rated, ==, 4);
  g_assert_cmpuint (d->good, ==, 2);
  g_assert_cmpuint (g_array_index (days, VwStatsDay, 2).connections, ==, 0);
  /* Records outside the period are left out. */
  g_autoptr (GArray) before = vw_stats_days (day, vw_store_test_cst (2026, 11, 20, 0, 0, 0), from);
  g_assert_cmpuint (before->len, ==, 2);
  g_assert_cmpuint (g_array_index (before, VwStatsDay, 0).connections
      + g_array_index (before, VwStatsDay, 1).connections, ==, 0);
}

static void
test_names (void)
{
  VwStatsGroupBy by;

  for (guint i = 0; i < 4; i++) {
    g_assert_true (vw_stats_group_by_from_string (vw_stats_group_by_to_string (i), &by));
    g_assert_cmpint (by, ==, i);
  }
  g_assert_true (vw_stats_group_by_from_string ("item", &by));
  g_assert_cmpint (by, ==, VW_STATS_BY_ITEM);
  g_assert_false (vw_stats_group_by_from_string ("day", &by));
  g_assert_false (vw_stats_group_by_from_string ("Center", &by));
  g_assert_false (vw_stats_group_by_from_string (NULL, &by));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/percentile", test_percentile);
  g_test_add_func ("/stats/mean", test_mean);
  g_test_add_func ("/stats/wait", test_wait);
  g_test_add_func ("/stats/total", test_total);
  g_test_add_func ("/stats/empty", test_empty);
  g_test_add_func ("/stats/by-center", test_by_center);
  g_test_add_func ("/stats/by-agent", test_by_agent);
  g_test_add_func ("/stats/by-province-and-item", test_by_province_and_item);
  g_test_add_func ("/stats/days", test_days);
  g_test_add_func ("/stats/names", test_names);
  return g_test_run ();
}
