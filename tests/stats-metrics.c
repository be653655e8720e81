/* stats-metrics.c: GET /metrics, parsed, during the day and after it
 * (part of test-stats). */
#include "stats-world.h"
#include "ws-conn.h"

/* Parses the Prometheus text format: every line is a comment (# HELP or
 * # TYPE of a known metric) or "name[{label="value"}] integer".  Returns
 * "name{labels}" -> value (as gint64 in a pointer-sized box). */
static GHashTable *
parse_metrics (const char *text)
{
  g_autoptr (GRegex) sample = g_regex_new (
      "^([a-z_]+)(\\{[a-z_]+=\"[^\"\\\\\\n]*\"\\})? (-?[0-9]+)$", 0, 0, NULL);
  g_autoptr (GRegex) comment = g_regex_new ("^# (HELP|TYPE) ([a-z_]+) (.+)$", 0, 0, NULL);
  g_autoptr (GHashTable) typed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_true (g_str_has_suffix (text, "\n"));
  for (guint i = 0; lines[i]; i++) {
    g_autoptr (GMatchInfo) m = NULL;
    if (!*lines[i])
      continue;
    if (g_regex_match (comment, lines[i], 0, &m)) {
      g_autofree char *kind = g_match_info_fetch (m, 1);
      g_autofree char *name = g_match_info_fetch (m, 2);
      g_autofree char *rest = g_match_info_fetch (m, 3);
      if (g_str_equal (kind, "TYPE")) {
        g_assert_true (g_str_equal (rest, "gauge") || g_str_equal (rest, "counter"));
        g_assert_false (g_hash_table_contains (typed, name));
        g_hash_table_insert (typed, g_steal_pointer (&name), g_steal_pointer (&rest));
      }
      continue;
    }
    g_clear_pointer (&m, g_match_info_free);
    if (!g_regex_match (sample, lines[i], 0, &m))
      g_error ("not a Prometheus sample: '%s'", lines[i]);
    g_autofree char *name = g_match_info_fetch (m, 1);
    g_autofree char *labels = g_match_info_fetch (m, 2);
    g_autofree char *value = g_match_info_fetch (m, 3);
    /* A sample follows its TYPE line; counters end in _total. */
    const char *type = g_hash_table_lookup (typed, name);
    g_assert_nonnull (type);
    g_assert_true (g_str_equal (type, "counter") == g_str_has_suffix (name, "_total"));
    gint64 *box = g_new (gint64, 1);
    *box = g_ascii_strtoll (value, NULL, 10);
    g_assert_cmpint (*box, >=, 0);
    char *key = g_strconcat (name, labels ? labels : "", NULL);
    g_assert_false (g_hash_table_contains (values, key));
    g_hash_table_insert (values, key, box);
  }
  return values;
}

GHashTable *
get_metrics (void)
{
  guint status = 0;
  SoupMessageHeaders *headers = NULL;
  g_autoptr (GBytes) body = call_api ("GET", "/metrics", NULL, NULL, &status, &headers);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (headers, NULL),
      "text/plain"));
  g_assert_nonnull (strstr (soup_message_headers_get_one (headers, "Content-Type"),
      "version=0.0.4"));
  soup_message_headers_unref (headers);
  /* Counts only: no names, centres or case numbers of the day. */
  g_assert_null (strstr (text, "李华"));
  g_assert_null (strstr (text, "zhangmin"));
  g_assert_null (strstr (text, "VW-"));
  return parse_metrics (text);
}

gint64
metric (GHashTable *values, const char *key)
{
  gint64 *v = g_hash_table_lookup (values, key);

  if (!v)
    g_error ("no metric %s", key);
  return *v;
}

void
test_metrics_live (void)
{
  if (!have_day ())
    return;
  GHashTable *m = w.live_metrics;

  /* During 李华's call: 张敏 busy with her, 赵强 waiting for Shanghai. */
  g_assert_cmpint (metric (m, "vw_sessions_live"), ==, 1);
  g_assert_cmpint (metric (m, "vw_connections"), ==, 3);
  g_assert_cmpint (metric (m, "vw_queue_length{province=\"shanghai\"}"), ==, 1);
  g_assert_cmpint (metric (m, "vw_queue_length{province=\"zhejiang\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_queue_length{province=\"jiangsu\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_queue_length{province=\"anhui\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_agents{state=\"busy\"}"), ==, 1);
  g_assert_cmpint (metric (m, "vw_agents{state=\"available\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_agents{state=\"away\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_sessions_total"), ==, 1);
  g_assert_cmpint (metric (m, "vw_follow_ups_open"), ==, 0);
  for (int level = 1; level <= 5; level++) {
    g_autofree char *key = g_strdup_printf ("vw_ratings_total{level=\"%d\"}", level);
    g_assert_cmpint (metric (m, key), ==, 0);
  }
}

/* After the day, and after a client that sent nonsense. */
void
test_metrics_after (void)
{
  guint status = 0;

  if (!have_day ())
    return;
  /* A client that sends nonsense, for the error counters: each frame is
   * answered with an error. */
  g_autoptr (SoupSession) soup = soup_session_new ();
  g_autoptr (Conn) raw = conn_open (soup, w.server->ws_url, "nonsense");
  g_autoptr (JsonObject) not_json = conn_exchange (raw, "this is not JSON");
  assert_type (not_json, "error");
  g_autoptr (JsonObject) unregistered = conn_exchange (raw,
      "{\"type\":\"status\",\"available\":true}");
  assert_type (unregistered, "error");

  g_autoptr (GHashTable) m = get_metrics ();
  g_assert_cmpint (metric (m, "vw_sessions_live"), ==, 0);
  g_assert_cmpint (metric (m, "vw_connections"), ==, 1);   /* the one above */
  g_assert_cmpint (metric (m, "vw_queue_length{province=\"shanghai\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_agents{state=\"busy\"}") + metric (m,
      "vw_agents{state=\"available\"}") + metric (m, "vw_agents{state=\"away\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_sessions_total"), ==, 4);
  g_assert_cmpint (metric (m, "vw_ratings_total{level=\"5\"}"), ==, 1);
  g_assert_cmpint (metric (m, "vw_ratings_total{level=\"4\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_ratings_total{level=\"3\"}"), ==, 0);
  g_assert_cmpint (metric (m, "vw_ratings_total{level=\"2\"}"), ==, 1);
  g_assert_cmpint (metric (m, "vw_ratings_total{level=\"1\"}"), ==, 1);
  g_assert_cmpint (metric (m, "vw_follow_ups_open"), ==, 1);   /* B's was closed */
  /* The day's clients caused no error; the nonsense did, one of each. */
  g_assert_cmpint (metric (m, "vw_errors_total{code=\"bad-json\"}"), ==, 1);
  g_assert_cmpint (metric (m, "vw_errors_total{code=\"not-registered\"}"), ==, 1);
  GHashTableIter iter;
  gpointer key;
  guint n_error_codes = 0;
  g_hash_table_iter_init (&iter, m);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    n_error_codes += g_str_has_prefix (key, "vw_errors_total");
  g_assert_cmpuint (n_error_codes, ==, 2);

  /* No token needed; nothing but GET. */
  g_autoptr (GBytes) post = call_api ("POST", "/metrics", NULL, "{}", &status, NULL);
  g_assert_cmpuint (status, ==, 405);
}

