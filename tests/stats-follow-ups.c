/* stats-follow-ups.c: the follow-ups of the day's bad ratings, listed,
 * refused to the wrong people, and closed (part of test-stats). */
#include "stats-world.h"

static JsonObject *
follow_up_of (JsonObject *list, const char *session)
{
  JsonArray *a = json_object_get_array_member (list, "follow_ups");

  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonObject *f = json_array_get_object_element (a, i);
    if (g_str_equal (json_object_get_string_member (f, "session_id"), session))
      return f;
  }
  return NULL;
}

static void
check_open_follow_up (JsonObject *f, guint i, const char *agent_name)
{
  Call *c = &w.calls[i];
  JsonObject *rating = json_object_get_object_member (f, "rating");
  g_autofree char *due = fifteen_working_days_after (c->rated_t);

  g_assert_cmpstr (json_object_get_string_member (f, "case_no"), ==, c->case_no);
  g_assert_cmpstr (json_object_get_string_member (f, "item"), ==, c->item);
  g_assert_cmpstr (json_object_get_string_member (f, "item_name"), ==, c->item_name);
  g_assert_cmpstr (json_object_get_string_member (f, "province"), ==, "shanghai");
  g_assert_cmpstr (json_object_get_string_member (f, "state"), ==, "open");
  g_assert_false (json_object_get_boolean_member (f, "overdue"));
  g_assert_cmpstr (json_object_get_string_member (f, "due_date"), ==, due);
  g_assert_cmpint (json_object_get_int_member (rating, "level"), ==, c->rate[0] - '0');
  g_assert_cmpstr (json_object_get_string_member (rating, "comment"), ==, c->rate + 2);
  g_assert_cmpint (json_object_get_int_member (rating, "created_at"), >=, c->ended_t);
  g_assert_cmpint (json_object_get_int_member (rating, "created_at"), <=, c->rated_t + 1000);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (f,
      "agent"), "name"), ==, agent_name);
  JsonObject *clerk = json_object_get_object_member (f, "clerk");
  g_assert_cmpstr (json_object_get_string_member (clerk, "name"), ==, c->clerk);
  g_assert_cmpstr (json_object_get_string_member (clerk, "center"), ==, c->center);
  g_assert_true (json_object_get_null_member (f, "closed_at"));
  g_assert_true (json_object_get_null_member (f, "resolution"));
}

void
test_follow_ups_listed (void)
{
  if (!have_day ())
    return;
  g_autoptr (JsonObject) province = api_json ("GET", "/api/follow-ups", w.wanghong, NULL,
      200);
  g_autoptr (JsonObject) center = api_json ("GET", "/api/follow-ups", w.wangfang, NULL,
      200);
  g_autoptr (JsonObject) other = api_json ("GET", "/api/follow-ups", w.zhouting, NULL,
      200);

  /* 不满意 and 非常不满意 only: B and C, in the order they were opened
   * (the same due date). */
  JsonArray *all = json_object_get_array_member (province, "follow_ups");
  g_assert_cmpuint (json_array_get_length (all), ==, 2);
  g_assert_cmpint (json_object_get_int_member (province, "open"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (province, "overdue"), ==, 0);
  check_open_follow_up (follow_up_of (province, w.calls[B].session), B, "张敏");
  check_open_follow_up (follow_up_of (province, w.calls[C].session), C, "李娜");
  /* 王芳 sees 黄浦's only; 周婷 none. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (center,
      "follow_ups")), ==, 1);
  g_assert_nonnull (follow_up_of (center, w.calls[B].session));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (other,
      "follow_ups")), ==, 0);
  /* The session says the same. */
  g_autofree char *rated2 = g_strdup_printf ("/api/sessions?rating=2");
  g_autoptr (JsonObject) sessions = api_json ("GET", rated2, w.wanghong, NULL, 200);
  g_assert_cmpint (json_object_get_int_member (sessions, "total"), ==, 1);
}

void
test_follow_ups_refused (void)
{
  guint status = 0;

  if (!have_day ())
    return;
  g_autoptr (JsonObject) list = api_json ("GET", "/api/follow-ups", w.wanghong, NULL, 200);
  gint64 b_id = json_object_get_int_member (follow_up_of (list, w.calls[B].session), "id");
  gint64 c_id = json_object_get_int_member (follow_up_of (list, w.calls[C].session), "id");
  g_autofree char *b_path = g_strdup_printf ("/api/follow-ups/%" G_GINT64_FORMAT, b_id);
  g_autofree char *c_path = g_strdup_printf ("/api/follow-ups/%" G_GINT64_FORMAT, c_id);
  const char *body = "{\"resolution\":\"已回访\"}";

  /* 401 without a token, 403 for other roles. */
  g_autoptr (GBytes) none = call_api ("GET", "/api/follow-ups", NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_autoptr (GBytes) none_post = call_api ("POST", b_path, NULL, body, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_autoptr (JsonObject) agent = api_json ("GET", "/api/follow-ups", w.agent, NULL, 403);
  assert_api_error (agent, "forbidden");
  g_autoptr (JsonObject) agent_post = api_json ("POST", b_path, w.agent, body, 403);
  g_autoptr (JsonObject) admin_post = api_json ("POST", b_path, w.admin, body, 403);
  /* 404: unknown, not a number, outside the scope (the same answer). */
  g_autoptr (JsonObject) unknown = api_json ("POST", "/api/follow-ups/999999", w.wanghong,
      body, 404);
  assert_api_error (unknown, "not-found");
  g_autoptr (JsonObject) nan = api_json ("POST", "/api/follow-ups/abc", w.wanghong, body,
      404);
  g_autoptr (JsonObject) scope = api_json ("POST", c_path, w.wangfang, body, 404);
  g_assert_cmpstr (json_object_get_string_member (scope, "message"), ==,
      json_object_get_string_member (unknown, "message"));
  g_autoptr (JsonObject) scope_get = api_json ("GET", c_path, w.wangfang, NULL, 404);
  /* 400: no resolution, an empty one, not JSON, bad filters. */
  const char *bad[] = { "{}", "{\"resolution\":\"  \"}", "{\"resolution\":3}", "closed" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (JsonObject) e = api_json ("POST", b_path, w.wangfang, bad[i], 400);
    assert_api_error (e, "bad-request");
  }
  g_autoptr (JsonObject) state = api_json ("GET", "/api/follow-ups?state=late", w.wanghong,
      NULL, 400);
  g_autoptr (JsonObject) param = api_json ("GET", "/api/follow-ups?sort=due", w.wanghong,
      NULL, 400);
  g_autoptr (JsonObject) put = api_json ("PUT", b_path, w.wanghong, body, 405);
  /* Nothing was closed by any of it. */
  g_autoptr (JsonObject) after = api_json ("GET", "/api/follow-ups?state=open", w.wanghong,
      NULL, 200);
  g_assert_cmpint (json_object_get_int_member (after, "open"), ==, 2);
}

void
test_follow_up_closed (void)
{
  if (!have_day ())
    return;
  g_autoptr (JsonObject) list = api_json ("GET", "/api/follow-ups", w.wangfang, NULL, 200);
  JsonObject *b = follow_up_of (list, w.calls[B].session);
  gint64 id = json_object_get_int_member (b, "id");
  g_autofree char *path = g_strdup_printf ("/api/follow-ups/%" G_GINT64_FORMAT, id);
  const char *how = "已电话回访赵强，重新说明食品经营许可证所需材料；对张敏进行讲解规范提醒。";
  g_autofree char *body = g_strdup_printf ("{\"resolution\":\"  %s \"}", how);
  gint64 before = g_get_real_time () / 1000;

  g_autoptr (JsonObject) closed = api_json ("POST", path, w.wangfang, body, 200);
  g_assert_cmpstr (json_object_get_string_member (closed, "state"), ==, "closed");
  g_assert_cmpstr (json_object_get_string_member (closed, "item_name"), ==,
      w.calls[B].item_name);
  g_assert_cmpstr (json_object_get_string_member (closed, "closed_by"), ==, "wangfang");
  g_assert_cmpstr (json_object_get_string_member (closed, "closed_by_name"), ==, "王芳");
  g_assert_cmpstr (json_object_get_string_member (closed, "resolution"), ==, how);
  g_assert_cmpint (json_object_get_int_member (closed, "closed_at"), >=, before);
  g_assert_false (json_object_get_boolean_member (closed, "overdue"));

  /* Twice is a conflict, also for another supervisor of the scope. */
  g_autoptr (JsonObject) again = api_json ("POST", path, w.wangfang, body, 409);
  assert_api_error (again, "conflict");
  g_autoptr (JsonObject) again2 = api_json ("POST", path, w.wanghong, body, 409);

  /* Listed after the open one; read alone; the rest unchanged. */
  g_autoptr (JsonObject) all = api_json ("GET", "/api/follow-ups", w.wanghong, NULL, 200);
  JsonArray *a = json_object_get_array_member (all, "follow_ups");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 0),
      "session_id"), ==, w.calls[C].session);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, 1),
      "state"), ==, "closed");
  g_assert_cmpint (json_object_get_int_member (all, "open"), ==, 1);
  g_autoptr (JsonObject) one = api_json ("GET", path, w.wanghong, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (one, "resolution"), ==, how);
  g_autoptr (JsonObject) closed_only = api_json ("GET", "/api/follow-ups?state=closed",
      w.wanghong, NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (closed_only,
      "follow_ups")), ==, 1);

  /* Audited once, in the closing supervisor's log. */
  g_autofree char *audit_path = g_strdup_printf ("/api/audit?session=%s",
      w.calls[B].session);
  g_autoptr (JsonObject) log = api_json ("GET", audit_path, w.wangfang, NULL, 200);
  JsonArray *entries = json_object_get_array_member (log, "entries");
  guint closes = 0;
  for (guint i = 0; i < json_array_get_length (entries); i++) {
    JsonObject *e = json_array_get_object_element (entries, i);
    if (!g_str_equal (json_object_get_string_member (e, "action"), "close-follow-up"))
      continue;
    closes++;
    g_assert_cmpstr (json_object_get_string_member (e, "actor"), ==, "wangfang");
    JsonNode *detail = json_object_get_member (e, "detail");
    JsonObject *d = JSON_NODE_HOLDS_OBJECT (detail) ? json_node_get_object (detail) : NULL;
    g_assert_nonnull (d);
    g_assert_cmpint (json_object_get_int_member (d, "follow_up"), ==, id);
    g_assert_cmpstr (json_object_get_string_member (d, "case_no"), ==, w.calls[B].case_no);
  }
  g_assert_cmpuint (closes, ==, 1);

  /* The statistics now count one open follow-up, 李娜's. */
  g_autoptr (JsonObject) s = get_stats (w.wanghong, "agent");
  g_assert_cmpint (json_object_get_int_member (group_of (s, "zhangmin"),
      "follow_ups_open"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (group_of (s, "lina"),
      "follow_ups_open"), ==, 1);
}

