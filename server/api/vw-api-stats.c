/* vw-api-stats.c: GET /api/stats, the desk's statistics over a period for
 * supervisors within their scope (see server/API.md for the definitions;
 * the sums themselves are vw-stats.c's pure functions).
 *
 *   GET /api/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&group=center|agent|province|item
 *
 * Both dates are CST and inclusive, on the session's start; without them
 * the last 30 days up to today; at most 366 days. */
#include "vw-api-sessions-private.h"
#include "vw-api-private.h"
#include "vw-store-follow-ups.h"
#include "vw-calendar.h"
#include "vw-stats.h"

#define DEFAULT_DAYS 30
#define MAX_DAYS 366

static void
set_ms_or_null (JsonObject *o, const char *name, gint64 value)
{
  if (value >= 0)
    json_object_set_int_member (o, name, value);
  else
    json_object_set_null_member (o, name);
}

/* GROUP of server/API.md.  (transfer full) */
static JsonObject *
group_json (const VwStatsGroup *g)
{
  JsonObject *o = json_object_new ();
  JsonObject *ratings = json_object_new ();

  json_object_set_string_member (o, "key", g->key);
  json_object_set_string_member (o, "name", g->name);
  json_object_set_int_member (o, "connections", g->connections);
  json_object_set_int_member (o, "served", g->served);
  json_object_set_int_member (o, "waits", g->waits);
  set_ms_or_null (o, "wait_mean_ms", g->wait_mean_ms);
  set_ms_or_null (o, "wait_p90_ms", g->wait_p90_ms);
  json_object_set_int_member (o, "handled", g->handled);
  set_ms_or_null (o, "handling_mean_ms", g->handling_mean_ms);
  for (int level = 1; level <= 5; level++) {
    char name[2] = { '0' + level, 0 };
    json_object_set_int_member (ratings, name, g->ratings[level]);
  }
  json_object_set_object_member (o, "ratings", ratings);
  json_object_set_int_member (o, "rated", g->rated);
  if (g->good_rate >= 0)
    json_object_set_double_member (o, "good_rate", g->good_rate);
  else
    json_object_set_null_member (o, "good_rate");
  json_object_set_int_member (o, "follow_ups_open", g->follow_ups_open);
  json_object_set_int_member (o, "follow_ups_overdue", g->follow_ups_overdue);
  return o;
}

static JsonArray *
days_json (GArray *days)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; i < days->len; i++) {
    VwStatsDay *d = &g_array_index (days, VwStatsDay, i);
    JsonObject *o = json_object_new ();
    g_autofree char *date = vw_calendar_format_date (vw_calendar_day_start (d->day));
    json_object_set_string_member (o, "date", date);
    json_object_set_int_member (o, "connections", d->connections);
    json_object_set_int_member (o, "rated", d->rated);
    json_object_set_int_member (o, "good", d->good);
    json_array_add_object_element (a, o);
  }
  return a;
}

/* The period [*from_ms, *to_ms); FALSE after responding 400. */
static gboolean
parse_period (SoupServerMessage *msg, GHashTable *query, gint64 now, gint64 *from_ms,
    gint64 *to_ms)
{
  const char *from = vw_api_query_value (query, "from");
  const char *to = vw_api_query_value (query, "to");

  *to_ms = vw_calendar_day_start (vw_calendar_day_of (now) + 1);
  if (!vw_api_query_date (msg, "to", to, TRUE, to_ms))
    return FALSE;
  *from_ms = *to_ms - DEFAULT_DAYS * VW_CALENDAR_DAY_MS;
  if (!vw_api_query_date (msg, "from", from, FALSE, from_ms))
    return FALSE;
  if (*to_ms <= *from_ms) {
    vw_api_bad_request (msg, "to is before from");
    return FALSE;
  }
  if (*to_ms - *from_ms > MAX_DAYS * VW_CALENDAR_DAY_MS) {
    vw_api_bad_request (msg, "the period from .. to is longer than 366 days");
    return FALSE;
  }
  return TRUE;
}

static const char *const stats_params[] = { "from", "to", "group", NULL };

static void
get_stats (VwApiContext *context, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / 1000, from_ms, to_ms;
  VwStatsGroupBy by = VW_STATS_BY_CENTER;
  VwStoreScope scope;

  if (!claims || !vw_api_check_query_names (msg, query, stats_params)
      || !parse_period (msg, query, now, &from_ms, &to_ms))
    return;
  const char *group = vw_api_query_value (query, "group");
  if (group && !vw_stats_group_by_from_string (group, &by)) {
    vw_api_bad_request (msg, "group must be center, agent, province or item");
    return;
  }
  vw_api_scope_of (claims, &scope);
  g_autoptr (GPtrArray) records = vw_store_list_stats_records (context->store, &scope,
      from_ms, to_ms, now, &error);
  if (!records) {
    vw_api_store_failed (msg, "reading the statistics", error);
    return;
  }

  g_autoptr (VwStatsGroup) total = vw_stats_summarize (records, "", "合计");
  g_autoptr (GPtrArray) groups = vw_stats_group (records, by);
  g_autoptr (GArray) days = vw_stats_days (records, from_ms, to_ms);
  g_autofree char *from = vw_calendar_format_date (from_ms);
  g_autofree char *to = vw_calendar_format_date (to_ms - 1);
  g_autoptr (JsonObject) body = json_object_new ();
  JsonArray *list = json_array_new ();

  json_object_set_string_member (body, "from", from);
  json_object_set_string_member (body, "to", to);
  json_object_set_string_member (body, "group", vw_stats_group_by_to_string (by));
  json_object_set_int_member (body, "generated_at", now);
  json_object_set_object_member (body, "total", group_json (total));
  for (guint i = 0; i < groups->len; i++)
    json_array_add_object_element (list, group_json (g_ptr_array_index (groups, i)));
  json_object_set_array_member (body, "groups", list);
  json_object_set_array_member (body, "days", days_json (days));
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

static void
on_stats (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  if (!g_str_equal (path, "/api/stats") && !g_str_equal (path, "/api/stats/")) {
    vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such resource");
    return;
  }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_HEAD
      && !vw_api_require_method (msg, SOUP_METHOD_GET))
    return;
  get_stats (user_data, msg, query);
}

void
vw_api_stats_register (SoupServer *server, VwApiContext *context)
{
  g_return_if_fail (SOUP_IS_SERVER (server) && context != NULL);

  vw_api_add_handler (server, "/api/stats", on_stats, context);
}
