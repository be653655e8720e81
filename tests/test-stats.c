/* test-stats: the statistics (GET /api/stats), the follow-ups of bad
 * ratings (/api/follow-ups) and the Prometheus metrics (GET /metrics)
 * against a real vw-server and a small scripted day of real calls between
 * vw-client processes, checked against what the test itself measured from
 * the clients' own event times.
 *
 * The day (every clerk needs Shanghai's rules; agents of Shanghai):
 *   A  李华 (嘉善, zhejiang) asks for 企业设立 while no agent is on duty,
 *      and waits; 赵强 (合肥, anhui) asks for 食品经营许可证 after her (the
 *      first in that item's queue).
 *   Two seconds on, 张敏 (zhangmin, 黄浦) comes on duty: serves 李华 at
 *      once (rated 5 非常满意); 赵强 waits for that call to end, then is
 *      served (B, rated 2 不满意 with a comment: a follow-up opens).
 *   Then 李娜 (lina, 青浦) comes on duty and serves 陈静 (吴江, jiangsu,
 *      公积金跨省提取) at once (C, rated 1 非常不满意: another follow-up);
 *      孙丽 (杭州市民中心, zhejiang, 异地医保) asks meanwhile and waits for
 *      C to end (D, not rated).
 * During A, /metrics shows the live call, the waiting clerk and the busy
 * agent.  Supervisors: 王芳 (黄浦, centre scope), 王红 (shanghai, province
 * scope), 周婷 (杭州市民中心, centre scope); an administrator. */
#include "stats-world.h"

World w = {
  .calls = {
    [A] = { "李华", "zhejiang", JIASHAN, "QY-SL-001", "企业设立", "5", "zhangmin" },
    [B] = { "赵强", "anhui", HEFEI, "SP-JY-004", "食品经营许可证",
            "2:材料要求讲了两遍仍不清楚，希望改进", "zhangmin" },
    [C] = { "陈静", "jiangsu", WUJIANG, "GJJ-TQ-006", "公积金跨省提取",
            "1:等了很久，问题没有解决", "lina" },
    [D] = { "孙丽", "zhejiang", HANGZHOU, "YB-YD-005", "异地医保", NULL, "lina" },
  },
};

/* ---- small helpers ---- */

gint64
event_t (JsonObject *event)
{
  return json_object_get_int_member (event, "t");
}

char *
cst_date (gint64 ms)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_format (local, "%Y-%m-%d");
}

/* The dates of the shipped holidays file's list @member ("holidays" or
 * "workdays"): entries are "YYYY-MM-DD" or {"date": ...}.  Read here with
 * json-glib, apart from the server's loader. */
static GHashTable *
holiday_dates (JsonObject *file, const char *member)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *list = json_object_get_array_member (file, member);
  for (guint i = 0; list && i < json_array_get_length (list); i++) {
    JsonNode *n = json_array_get_element (list, i);
    const char *date = JSON_NODE_HOLDS_OBJECT (n)
        ? json_object_get_string_member (json_node_get_object (n), "date")
        : json_node_get_string (n);
    g_hash_table_add (set, g_strdup (date));
  }
  return set;
}

/* The CST date 15 working days after the day of @ms, counted day by day
 * here, independently of the server's calendar: Monday to Friday, less
 * the public holidays of data/holidays.json (the server's default), plus
 * its 调休 working days. */
char *
fifteen_working_days_after (gint64 ms)
{
  g_autofree char *path = g_build_filename (g_getenv ("VW_TEST_DATA"), "..", "..",
      "data", "holidays.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  JsonObject *file = json_node_get_object (json_parser_get_root (parser));
  g_autoptr (GHashTable) off = holiday_dates (file, "holidays");
  g_autoptr (GHashTable) worked = holiday_dates (file, "workdays");
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) day = g_date_time_to_timezone (utc, tz);
  guint left = 15;

  while (left > 0) {
    GDateTime *next = g_date_time_add_days (day, 1);
    g_date_time_unref (day);
    day = next;
    g_autofree char *date = g_date_time_format (day, "%Y-%m-%d");
    gboolean weekday = g_date_time_get_day_of_week (day) <= 5;
    if ((weekday && !g_hash_table_contains (off, date))
        || g_hash_table_contains (worked, date))
      left--;
  }
  return g_date_time_format (day, "%Y-%m-%d");
}

GBytes *
call_api (const char *method, const char *path, const char *token, const char *body,
    guint *status, SoupMessageHeaders **headers_out)
{
  g_autofree char *url = g_strconcat (w.server->url, path + 1, NULL);
  g_autofree char *auth = token ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { auth ? "Authorization" : NULL, auth, NULL };

  return vw_test_http (method, url, headers, body, -1, status, headers_out);
}

JsonObject *
api_json (const char *method, const char *path, const char *token, const char *body,
    guint expected)
{
  guint status = 0;
  g_autoptr (GBytes) answer = call_api (method, path, token, body, &status, NULL);

  if (status != expected)
    g_error ("%s %s: %u, expected %u: %.*s", method, path, status, expected,
        (int) g_bytes_get_size (answer), (const char *) g_bytes_get_data (answer, NULL));
  return vw_test_json_object (answer);
}

void
assert_api_error (JsonObject *o, const char *code)
{
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, code);
  g_assert_nonnull (json_object_get_string_member (o, "message"));
}

/* |@got - @want| within TOLERANCE_MS, said in the log either way. */
void
assert_near (const char *what, gint64 got, gint64 want)
{
  g_test_message ("%s: server %" G_GINT64_FORMAT " ms, measured %" G_GINT64_FORMAT " ms",
      what, got, want);
  g_assert_cmpint (got, >=, want - TOLERANCE_MS);
  g_assert_cmpint (got, <=, want + TOLERANCE_MS);
}

/* ---- the day ---- */

static VwTestClient *
start_clerk (guint i)
{
  Call *c = &w.calls[i];
  g_autofree char *rate = c->rate ? g_strdup (c->rate) : NULL;
  const char *args[] = { "--role", "clerk", "--province", c->province, "--center",
    c->center, "--item", c->item, "--handled-in", "shanghai", "--duration",
    CALL_SECONDS, rate ? "--rate" : NULL, rate, NULL };

  return vw_test_client_start (w.server, c->clerk, args);
}

static VwTestClient *
start_agent (const char *user, const char *pw)
{
  const char *args[] = { "--role", "agent", "--user", user, "--password-file", pw,
    "--max-sessions", "2", NULL };

  return vw_test_client_start (w.server, user, args);
}

static void
note_paired (guint i, VwTestClient *clerk)
{
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 30000);
  Call *c = &w.calls[i];

  c->session = g_strdup (json_object_get_string_member (paired, "session"));
  c->case_no = g_strdup (json_object_get_string_member (paired, "case"));
  c->paired_t = event_t (paired);
  c->requested_t = event_t (vw_test_client_wait_event (clerk, "requested", NULL, 1000));
}

/* The clerk's call runs to its end and, with --rate, its rating. */
static void
finish_call (guint i, VwTestClient *clerk)
{
  Call *c = &w.calls[i];

  vw_test_client_wait_event (clerk, "connected", NULL, 30000);
  c->ended_t = event_t (vw_test_client_wait_event (clerk, "ended", NULL, 30000));
  if (c->rate)
    c->rated_t = event_t (vw_test_client_wait_event (clerk, "rated", NULL, 10000));
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  g_assert_cmpint (vw_test_client_count_events (clerk, "error"), ==, 0);
  g_test_message ("%s (%s): waited %" G_GINT64_FORMAT " ms, call %" G_GINT64_FORMAT
      " ms, case %s", c->clerk, c->item, c->paired_t - c->requested_t,
      c->ended_t - c->paired_t, c->case_no);
}

static void
test_day (void)
{
  const char *args[] = { "--no-record", NULL };

  w.server = vw_test_server_start (args);
  w.zhangmin_pw = vw_test_server_add_account (w.server, "zhangmin", "agent", "张敏",
      "shanghai", HUANGPU, NULL);
  w.lina_pw = vw_test_server_add_account (w.server, "lina", "agent", "李娜",
      "shanghai", QINGPU, NULL);
  g_free (vw_test_server_add_account (w.server, "wangfang", "supervisor", "王芳",
      "shanghai", HUANGPU, "center"));
  g_free (vw_test_server_add_account (w.server, "wanghong", "supervisor", "王红",
      "shanghai", HUANGPU, "province"));
  g_free (vw_test_server_add_account (w.server, "zhouting", "supervisor", "周婷",
      "zhejiang", HANGZHOU, "center"));
  g_free (vw_test_server_add_account (w.server, "admin1", "admin", "管理员",
      "shanghai", HUANGPU, NULL));
  w.wangfang = vw_test_server_token (w.server, "wangfang");
  w.wanghong = vw_test_server_token (w.server, "wanghong");
  w.zhouting = vw_test_server_token (w.server, "zhouting");
  w.admin = vw_test_server_token (w.server, "admin1");
  w.agent = vw_test_server_token (w.server, "zhangmin");

  /* Nobody on duty: 李华 waits; 赵强, asking for another item, is first in
   * that item's queue but has waited less: 张敏 (every item) takes 李华
   * first. */
  g_autoptr (VwTestClient) a = start_clerk (A);
  JsonObject *queued = vw_test_client_wait_event (a, "queued", NULL, 15000);
  g_assert_cmpint (json_object_get_int_member (queued, "position"), ==, 1);
  w.day_from = cst_date (event_t (vw_test_client_wait_event (a, "requested", NULL, 1000)));
  g_autoptr (VwTestClient) b = start_clerk (B);
  queued = vw_test_client_wait_event (b, "queued", NULL, 15000);
  g_assert_cmpint (json_object_get_int_member (queued, "position"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (queued, "item"), ==, "SP-JY-004");
  vw_test_run_for (2000);

  /* 张敏 comes on duty and takes 李华 at once. */
  g_autoptr (VwTestClient) zhangmin = start_agent ("zhangmin", w.zhangmin_pw);
  note_paired (A, a);
  /* Live: one call, 赵强 waiting, the agent busy. */
  w.live_metrics = get_metrics ();
  finish_call (A, a);
  note_paired (B, b);
  finish_call (B, b);
  g_assert_cmpint (vw_test_client_wait_exit (zhangmin, 10000), ==, 0);

  /* 李娜 comes on duty: 陈静 at once, 孙丽 waits for that call. */
  g_autoptr (VwTestClient) lina = start_agent ("lina", w.lina_pw);
  vw_test_client_wait_event (lina, "registered", NULL, 15000);
  vw_test_run_for (300);   /* its status too */
  g_autoptr (VwTestClient) c = start_clerk (C);
  note_paired (C, c);
  g_autoptr (VwTestClient) d = start_clerk (D);
  queued = vw_test_client_wait_event (d, "queued", NULL, 15000);
  g_assert_cmpint (json_object_get_int_member (queued, "position"), ==, 1);
  finish_call (C, c);
  note_paired (D, d);
  finish_call (D, d);
  g_assert_cmpint (vw_test_client_wait_exit (lina, 10000), ==, 0);

  /* The day as the clients saw it: real waits for the queued ones. */
  g_assert_cmpint (w.calls[A].paired_t - w.calls[A].requested_t, >=, 1500);
  g_assert_cmpint (w.calls[B].paired_t - w.calls[B].requested_t, >,
      w.calls[A].paired_t - w.calls[A].requested_t + 1500);
  /* 孙丽 was queued behind 陈静's call (position 1, above) and served when
   * it ended.  How long that was depends on how fast her client started
   * on a loaded machine, so the check is the order, not a length: the two
   * events come from two clients, stamped as each read them. */
  g_assert_cmpint (w.calls[D].paired_t, >=, w.calls[C].ended_t - 250);
  g_assert_cmpint (w.calls[D].paired_t - w.calls[D].requested_t, >, 0);
  for (guint i = 0; i < N_CALLS; i++)
    g_assert_nonnull (w.calls[i].session);
  w.done = TRUE;
}

gboolean
have_day (void)
{
  if (w.done)
    return TRUE;
  g_test_skip ("the day of calls did not happen");
  return FALSE;
}

/* ---- statistics ---- */

static gint64
wait_of (guint i)
{
  return w.calls[i].paired_t - w.calls[i].requested_t;
}

static gint64
length_of (guint i)
{
  return w.calls[i].ended_t - w.calls[i].paired_t;
}

JsonObject *
get_stats (const char *token, const char *group)
{
  g_autofree char *today = cst_date (g_get_real_time () / 1000);
  g_autofree char *path = g_strdup_printf ("/api/stats?from=%s&to=%s&group=%s",
      w.day_from, today, group);

  return api_json ("GET", path, token, NULL, 200);
}

JsonObject *
group_of (JsonObject *stats, const char *key)
{
  JsonArray *groups = json_object_get_array_member (stats, "groups");

  for (guint i = 0; i < json_array_get_length (groups); i++) {
    JsonObject *g = json_array_get_object_element (groups, i);
    if (g_str_equal (json_object_get_string_member (g, "key"), key))
      return g;
  }
  g_error ("no group '%s'", key);
  return NULL;
}

static gint64
rating_count (JsonObject *g, const char *level)
{
  return json_object_get_int_member (json_object_get_object_member (g, "ratings"), level);
}

/* One group against the calls @calls (indices, -1 ended). */
static void
check_group (JsonObject *g, const int *calls, guint n_served, guint n_open)
{
  gint64 wait_sum = 0, wait_max = 0, length_sum = 0;
  guint n = 0, rated = 0, good = 0;
  guint levels[6] = { 0 };

  for (; calls[n] >= 0; n++) {
    Call *c = &w.calls[calls[n]];
    wait_sum += wait_of (calls[n]);
    wait_max = MAX (wait_max, wait_of (calls[n]));
    length_sum += length_of (calls[n]);
    if (c->rate) {
      int level = c->rate[0] - '0';
      levels[level]++;
      rated++;
      good += level >= 3;
    }
  }
  g_test_message ("group %s", json_object_get_string_member (g, "key"));
  g_assert_cmpint (json_object_get_int_member (g, "connections"), ==, n);
  g_assert_cmpint (json_object_get_int_member (g, "served"), ==, n_served);
  g_assert_cmpint (json_object_get_int_member (g, "waits"), ==, n);
  assert_near ("mean wait", json_object_get_int_member (g, "wait_mean_ms"), wait_sum / n);
  /* With at most a handful of waits, p90 by nearest rank is the longest. */
  assert_near ("p90 wait", json_object_get_int_member (g, "wait_p90_ms"), wait_max);
  g_assert_cmpint (json_object_get_int_member (g, "handled"), ==, n);
  assert_near ("mean handling time", json_object_get_int_member (g, "handling_mean_ms"),
      length_sum / n);
  for (int level = 1; level <= 5; level++) {
    char name[2] = { '0' + level, 0 };
    g_assert_cmpint (rating_count (g, name), ==, levels[level]);
  }
  g_assert_cmpint (json_object_get_int_member (g, "rated"), ==, rated);
  if (rated)
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (g, "good_rate"),
        (double) good / rated, 1e-9);
  else
    g_assert_true (json_object_get_null_member (g, "good_rate"));
  g_assert_cmpint (json_object_get_int_member (g, "follow_ups_open"), ==, n_open);
  g_assert_cmpint (json_object_get_int_member (g, "follow_ups_overdue"), ==, 0);
}

static void
test_stats_by_agent (void)
{
  if (!have_day ())
    return;
  g_autoptr (JsonObject) s = get_stats (w.wanghong, "agent");
  const int zhangmin[] = { A, B, -1 }, lina[] = { C, D, -1 }, all[] = { A, B, C, D, -1 };

  g_assert_cmpstr (json_object_get_string_member (s, "group"), ==, "agent");
  g_assert_cmpstr (json_object_get_string_member (s, "from"), ==, w.day_from);
  check_group (json_object_get_object_member (s, "total"), all, 4, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "groups")),
      ==, 2);
  JsonObject *z = group_of (s, "zhangmin");
  g_assert_cmpstr (json_object_get_string_member (z, "name"), ==, "张敏");
  check_group (z, zhangmin, 2, 1);
  JsonObject *l = group_of (s, "lina");
  g_assert_cmpstr (json_object_get_string_member (l, "name"), ==, "李娜");
  check_group (l, lina, 2, 1);
  /* The days of the period: today has the four. */
  JsonArray *days = json_object_get_array_member (s, "days");
  guint n_days = json_array_get_length (days);
  JsonObject *last = json_array_get_object_element (days, n_days - 1);
  g_autofree char *today = cst_date (g_get_real_time () / 1000);
  g_assert_cmpstr (json_object_get_string_member (last, "date"), ==, today);
  gint64 sum = 0;
  for (guint i = 0; i < n_days; i++)
    sum += json_object_get_int_member (json_array_get_object_element (days, i),
        "connections");
  g_assert_cmpint (sum, ==, 4);
}

static void
test_stats_groups (void)
{
  if (!have_day ())
    return;
  g_autoptr (JsonObject) centers = get_stats (w.wanghong, "center");
  g_autoptr (JsonObject) provinces = get_stats (w.wanghong, "province");
  g_autoptr (JsonObject) items = get_stats (w.wanghong, "item");
  const int zhangmin[] = { A, B, -1 }, lina[] = { C, D, -1 }, all[] = { A, B, C, D, -1 };

  /* By the serving centre. */
  check_group (group_of (centers, HUANGPU), zhangmin, 2, 1);
  check_group (group_of (centers, QINGPU), lina, 2, 1);
  check_group (group_of (provinces, "shanghai"), all, 4, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (items,
      "groups")), ==, 4);
  for (guint i = 0; i < N_CALLS; i++) {
    const int one[] = { i, -1 };
    JsonObject *g = group_of (items, w.calls[i].item);
    check_group (g, one, 1, i == B || i == C);
    /* Keyed by the code, named as in the catalogue. */
    g_assert_cmpstr (json_object_get_string_member (g, "name"), ==, w.calls[i].item_name);
  }
  /* Other groupings are named by their key (or the agent's name). */
  g_assert_cmpstr (json_object_get_string_member (group_of (centers, HUANGPU), "name"),
      ==, HUANGPU);
  g_assert_cmpstr (json_object_get_string_member (group_of (provinces, "shanghai"),
      "name"), ==, "shanghai");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (items,
      "total"), "name"), ==, "合计");
}

/* Each supervisor counts only the sessions of their scope. */
static void
test_stats_scope (void)
{
  if (!have_day ())
    return;
  g_autoptr (JsonObject) huangpu = get_stats (w.wangfang, "agent");
  g_autoptr (JsonObject) hangzhou = get_stats (w.zhouting, "center");
  const int zhangmin[] = { A, B, -1 }, d[] = { D, -1 };

  check_group (json_object_get_object_member (huangpu, "total"), zhangmin, 2, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (huangpu,
      "groups")), ==, 1);
  /* 杭州市民中心: 孙丽's session (the clerk of that centre), by 李娜's centre. */
  check_group (json_object_get_object_member (hangzhou, "total"), d, 1, 0);
  group_of (hangzhou, QINGPU);
}

static void
test_stats_refused (void)
{
  const struct { const char *query; const char *name; } bad[] = {
    { "?group=day", "group" }, { "?from=2026-02-30", "from" }, { "?to=today", "to" },
    { "?from=2026-11-23&to=2026-11-22", "before" },
    { "?from=2025-01-01&to=2026-11-22", "366" }, { "?center=x", "center" },
  };
  guint status = 0;

  if (!have_day ())
    return;
  g_autoptr (GBytes) none = call_api ("GET", "/api/stats", NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_autoptr (JsonObject) agent = api_json ("GET", "/api/stats", w.agent, NULL, 403);
  assert_api_error (agent, "forbidden");
  g_autoptr (JsonObject) admin = api_json ("GET", "/api/stats", w.admin, NULL, 403);
  assert_api_error (admin, "forbidden");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree char *path = g_strconcat ("/api/stats", bad[i].query, NULL);
    g_autoptr (JsonObject) e = api_json ("GET", path, w.wanghong, NULL, 400);
    g_test_message ("%s", bad[i].query);
    assert_api_error (e, "bad-request");
    g_assert_nonnull (strstr (json_object_get_string_member (e, "message"), bad[i].name));
  }
  g_autoptr (JsonObject) post = api_json ("POST", "/api/stats", w.wanghong, "{}", 405);
  /* Without dates: the last 30 days, today's calls in them. */
  g_autoptr (JsonObject) recent = api_json ("GET", "/api/stats", w.wanghong, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (recent, "group"), ==, "center");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (recent,
      "days")), ==, 30);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (recent,
      "total"), "connections"), ==, 4);
}

static void
test_stop (void)
{
  if (w.server)
    vw_test_server_stop (w.server);
  w.server = NULL;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/day-of-calls", test_day);
  g_test_add_func ("/stats/metrics-live", test_metrics_live);
  g_test_add_func ("/stats/by-agent", test_stats_by_agent);
  g_test_add_func ("/stats/by-center-province-item", test_stats_groups);
  g_test_add_func ("/stats/scope", test_stats_scope);
  g_test_add_func ("/stats/refused", test_stats_refused);
  g_test_add_func ("/stats/follow-ups-listed", test_follow_ups_listed);
  g_test_add_func ("/stats/follow-ups-refused", test_follow_ups_refused);
  g_test_add_func ("/stats/follow-up-closed", test_follow_up_closed);
  g_test_add_func ("/stats/metrics-after", test_metrics_after);
  g_test_add_func ("/stats/stop", test_stop);
  int status = g_test_run ();
  g_clear_pointer (&w.live_metrics, g_hash_table_unref);
  return status;
}
