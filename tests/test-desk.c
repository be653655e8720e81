/* test-desk: the service desk with a real vw-server and real vw-client
 * processes on loopback: routing by item and province, honest estimated
 * waits, agent states with wrap-up, transfer (to a colleague, to an item's
 * queue) and the three-party call, in which each participant decodes both
 * others' video.
 *
 * The people (../shared/DOMAIN.md): 张敏 (zhangmin) and 李娜 (lina), agents
 * of Shanghai centres; 周强 (zhouqiang) of 合肥市政务服务中心, Anhui, the
 * approving department brought into a call; clerks of Zhejiang and Jiangsu
 * centres asking under Shanghai's rules.
 */
#include <locale.h>
#include "vw-test-util.h"

#define SETUP_MS 15000

typedef struct {
  VwTestServer *server;
  char *zhangmin_pw, *lina_pw, *zhouqiang_pw, *wanghong_pw;
  char *admin_token;
} Fixture;

static void
setup_with (Fixture *f, const char *const *args)
{
  f->server = vw_test_server_start (args);
  f->zhangmin_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
  f->lina_pw = vw_test_server_add_account (f->server, "lina", "agent", "李娜",
      "shanghai", "青浦区行政服务中心", NULL);
  f->zhouqiang_pw = vw_test_server_add_account (f->server, "zhouqiang", "agent", "周强",
      "anhui", "合肥市政务服务中心", NULL);
  f->wanghong_pw = vw_test_server_add_account (f->server, "wanghong", "supervisor", "王红",
      "shanghai", "黄浦区政务服务中心", "province");
  f->admin_token = vw_test_server_token (f->server, "wanghong");
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  setup_with (f, NULL);
}

static void
fixture_setup_wrap_up (Fixture *f, gconstpointer data)
{
  setup_with (f, (const char *[]) { "--wrap-up-seconds", "3", NULL });
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_test_server_stop (f->server);
  g_free (f->zhangmin_pw);
  g_free (f->lina_pw);
  g_free (f->zhouqiang_pw);
  g_free (f->wanghong_pw);
  g_free (f->admin_token);
}

/* ---- people ---- */

static const char *
password_of (Fixture *f, const char *user)
{
  return g_str_equal (user, "zhangmin") ? f->zhangmin_pw
      : g_str_equal (user, "lina") ? f->lina_pw : f->zhouqiang_pw;
}

/* A signed-in agent handling @items (NULL: all), available at once. */
static VwTestClient *
start_agent (Fixture *f, const char *user, const char *name, const char *items)
{
  const char *args[] = { "--role", "agent", "--user", user, "--password-file",
    password_of (f, user), items ? "--items" : NULL, items, NULL };
  VwTestClient *c = vw_test_client_start (f->server, name, args);
  vw_test_client_wait_event (c, "registered", NULL, 10000);
  return c;
}

static VwTestClient *
start_clerk (Fixture *f, const char *name, const char *item, const char *duration)
{
  const char *args[] = { "--role", "clerk", "--province", "zhejiang",
    "--center", "嘉善县行政服务中心", "--item", item, "--handled-in", "shanghai",
    duration ? "--duration" : NULL, duration, NULL };
  return vw_test_client_start (f->server, name, args);
}

static const char *
peer_id (VwTestClient *c)
{
  return json_object_get_string_member (
      vw_test_client_wait_event (c, "registered", NULL, 10000), "peer_id");
}

static const char *
peer_name (JsonObject *event)
{
  return json_object_get_string_member (json_object_get_object_member (event, "peer"),
      "name");
}

/* Waits for the agent state @state, from *@from on. */
static JsonObject *
wait_state (VwTestClient *c, const char *state, guint *from, guint timeout_ms)
{
  guint start = 0;
  if (!from)
    from = &start;
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  while (g_get_monotonic_time () < deadline) {
    JsonObject *e = vw_test_client_wait_event (c, "agent-state", from, timeout_ms);
    if (g_str_equal (json_object_get_string_member (e, "state"), state))
      return e;
  }
  g_error ("%s: no agent-state %s", c->name, state);
}

/* Waits until @c has decoded a video frame of @owner's @track. */
static JsonObject *
wait_frame_from (VwTestClient *c, const char *owner, const char *track)
{
  guint from = 0;
  gint64 deadline = g_get_monotonic_time () + SETUP_MS * 1000;
  while (g_get_monotonic_time () < deadline) {
    JsonObject *e = vw_test_client_wait_event (c, "first-frame", &from, SETUP_MS);
    if (g_str_equal (json_object_get_string_member (e, "peer"), owner)
        && g_str_equal (json_object_get_string_member (e, "track"), track))
      return e;
  }
  g_error ("%s: no %s frame from %s", c->name, track, owner);
}

static void
assert_error (VwTestClient *c, const char *code)
{
  JsonObject *e = vw_test_client_wait_event (c, "error", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, code);
}

/* The session's timeline (GET /api/sessions/ID, as the supervisor). */
static JsonArray *
session_events (Fixture *f, const char *session, JsonObject **detail_out)
{
  g_autofree char *url = g_strdup_printf ("%sapi/sessions/%s", f->server->url, session);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", f->admin_token);
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", url,
      (const char *[]) { "Authorization", auth, NULL }, NULL, 0, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  *detail_out = vw_test_json_object (body);
  return json_object_get_array_member (*detail_out, "events");
}

/* The "leg" events of the timeline: how each agent's part began. */
static GPtrArray *
legs (JsonArray *events)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (events); i++) {
    JsonObject *e = json_array_get_object_element (events, i);
    if (!g_str_equal (json_object_get_string_member_with_default (e, "type", ""), "leg"))
      continue;
    g_autoptr (JsonParser) p = json_parser_new ();
    JsonNode *d = json_object_get_member (e, "detail");
    JsonObject *detail = NULL;
    if (JSON_NODE_HOLDS_OBJECT (d))
      detail = json_node_get_object (d);
    else if (json_parser_load_from_data (p, json_node_get_string (d), -1, NULL))
      detail = json_node_get_object (json_parser_get_root (p));
    g_assert_nonnull (detail);
    g_ptr_array_add (out, g_strdup_printf ("%s:%s",
        json_object_get_string_member (detail, "how"),
        json_object_get_string_member (detail, "account")));
  }
  return out;
}

/* ---- routing ---- */

/* 张敏 handles only 企业设立 and has been idle longer; 李娜 handles 公积金.
 * A 公积金 request goes to 李娜; unknown codes and items not handled at
 * the remote window are refused with unknown-item. */
static void
test_routing_by_item (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) zhang = start_agent (f, "zhangmin", "张敏", "QY-SL-001");
  vw_test_run_for (300);
  g_autoptr (VwTestClient) li = start_agent (f, "lina", "李娜", "GJJ-TQ-006,SB-ZY-009");
  wait_state (li, "available", NULL, 10000);

  g_autoptr (VwTestClient) clerk = start_clerk (f, "陈静", "GJJ-TQ-006", NULL);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  g_assert_cmpstr (peer_name (paired), ==, "李娜");
  wait_state (li, "busy", NULL, 5000);
  g_assert_cmpuint (vw_test_client_count_events (zhang, "paired"), ==, 0);

  g_autoptr (VwTestClient) unknown = start_clerk (f, "孙丽", "XX-NO-999", NULL);
  assert_error (unknown, "unknown-item");
  g_autoptr (VwTestClient) online = start_clerk (f, "赵强", "CS-YJS-007", NULL);
  assert_error (online, "unknown-item");
  g_assert_cmpint (vw_test_client_wait_exit (unknown, 5000), ==, 1);
  g_assert_cmpint (vw_test_client_wait_exit (online, 5000), ==, 1);
  g_assert_cmpuint (vw_test_client_count_events (zhang, "paired"), ==, 0);
}

/* Estimated waits: none without history (said so), then from the item's
 * handling times. */
static void
test_estimated_wait (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) agent = start_agent (f, "zhangmin", "张敏", "QY-SL-001");
  wait_state (agent, "available", NULL, 10000);
  g_autoptr (VwTestClient) first = start_clerk (f, "李华", "QY-SL-001", "2");
  vw_test_client_wait_event (first, "paired", NULL, 10000);

  g_autoptr (VwTestClient) second = start_clerk (f, "赵强", "QY-SL-001", "2");
  JsonObject *q = vw_test_client_wait_event (second, "queued", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member (q, "position"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (q, "item"), ==, "QY-SL-001");
  g_assert_cmpint (json_object_get_int_member (q, "wait_samples"), ==, 0);
  g_assert_false (json_object_has_member (q, "wait_s"));
  g_assert_true (json_object_has_member (q, "wait"));

  /* The first call ends (≈ 2 s of call): the second is served, and a
   * third clerk now gets a number from that history. */
  JsonObject *ended = vw_test_client_wait_event (first, "ended", NULL, 20000);
  g_assert_nonnull (ended);
  vw_test_client_wait_event (second, "paired", NULL, 10000);
  g_autoptr (VwTestClient) third = start_clerk (f, "孙丽", "QY-SL-001", "1");
  q = vw_test_client_wait_event (third, "queued", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member (q, "wait_samples"), ==, 1);
  g_assert_true (json_object_has_member (q, "wait_s"));
  /* About one call of ≈ 2 s, less what the running one has done. */
  gint64 wait = json_object_get_int_member (q, "wait_s");
  g_assert_cmpint (wait, >=, 1);
  g_assert_cmpint (wait, <=, 15);
}

/* ---- agent states ---- */

/* After a call the agent wraps up for 3 s (the server's setting) and is
 * offered nothing meanwhile; then it is available by itself. */
static void
test_wrap_up (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) agent = start_agent (f, "zhangmin", "张敏", NULL);
  guint from = 0;
  wait_state (agent, "away", &from, 10000);
  wait_state (agent, "available", &from, 10000);
  g_autoptr (VwTestClient) first = start_clerk (f, "李华", "QY-SL-001", "2");
  wait_state (agent, "busy", &from, 10000);
  JsonObject *wrap = wait_state (agent, "wrap-up", &from, 20000);
  g_assert_cmpint (json_object_get_int_member (wrap, "remaining_s"), ==, 3);
  gint64 wrap_t = json_object_get_int_member (wrap, "t");

  /* A clerk asking now waits for the wrap-up to end. */
  g_autoptr (VwTestClient) second = start_clerk (f, "赵强", "QY-BG-002", "1");
  vw_test_client_wait_event (second, "queued", NULL, 10000);
  JsonObject *avail = wait_state (agent, "available", &from, 10000);
  JsonObject *paired = vw_test_client_wait_event (second, "paired", NULL, 10000);
  gint64 avail_t = json_object_get_int_member (avail, "t");
  g_assert_cmpint (avail_t - wrap_t, >=, 2500);
  g_assert_cmpint (avail_t - wrap_t, <, 5000);
  g_assert_cmpint (json_object_get_int_member (paired, "t"), >=, wrap_t + 2500);
}

/* ---- transfer ---- */

static void
test_transfer_to_agent (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) zhang = start_agent (f, "zhangmin", "张敏", NULL);
  wait_state (zhang, "available", NULL, 10000);
  g_autoptr (VwTestClient) clerk = start_clerk (f, "李华", "QY-SL-001", NULL);
  const char *clerk_id = peer_id (clerk);
  guint from = 0;
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", &from, 10000);
  g_autofree char *session = g_strdup (json_object_get_string_member (paired, "session"));
  wait_frame_from (clerk, peer_id (zhang), "camera");

  /* 李娜 is not signed in yet: unknown; then she is. */
  vw_test_client_command (zhang, "{\"command\":\"transfer\",\"agent\":\"lina\"}");
  assert_error (zhang, "unknown-agent");
  g_autoptr (VwTestClient) li = start_agent (f, "lina", "李娜", NULL);
  wait_state (li, "available", NULL, 10000);
  vw_test_client_command (zhang, "{\"command\":\"transfer\",\"agent\":\"lina\"}");

  JsonObject *ended = vw_test_client_wait_event (zhang, "ended", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "transferred");
  JsonObject *told = vw_test_client_wait_event (clerk, "transferred", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (
      json_object_get_object_member (told, "agent"), "name"), ==, "李娜");
  JsonObject *again = vw_test_client_wait_event (clerk, "paired", &from, 10000);
  g_assert_cmpstr (json_object_get_string_member (again, "session"), ==, session);
  g_assert_cmpstr (peer_name (again), ==, "李娜");
  /* Media with the new agent, both ways, on the clerk's same connection. */
  wait_frame_from (clerk, peer_id (li), "camera");
  wait_frame_from (li, clerk_id, "camera");
  g_assert_cmpuint (vw_test_client_count_events (clerk, "ended"), ==, 0);

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  vw_test_client_wait_event (li, "ended", NULL, 10000);
  g_autoptr (JsonObject) detail = NULL;
  g_autoptr (GPtrArray) chain = legs (session_events (f, session, &detail));
  g_assert_cmpuint (chain->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (chain, 0), ==, "first:zhangmin");
  g_assert_cmpstr (g_ptr_array_index (chain, 1), ==, "transfer:lina");
  g_assert_cmpstr (json_object_get_string_member (detail, "state"), ==, "ended");
}

/* To an item's queue: nobody handles it yet, so the clerk waits there,
 * still connected, and is served when an agent comes. */
static void
test_transfer_to_queue (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) zhang = start_agent (f, "zhangmin", "张敏", "QY-SL-001");
  wait_state (zhang, "available", NULL, 10000);
  g_autoptr (VwTestClient) clerk = start_clerk (f, "李华", "QY-SL-001", NULL);
  guint from = 0;
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", &from, 10000);
  g_autofree char *session = g_strdup (json_object_get_string_member (paired, "session"));
  vw_test_client_wait_event (clerk, "connected", NULL, SETUP_MS);

  vw_test_client_command (zhang, "{\"command\":\"transfer\",\"item\":\"XX-NO-999\"}");
  assert_error (zhang, "unknown-item");
  vw_test_client_command (zhang, "{\"command\":\"transfer\",\"item\":\"GJJ-TQ-006\"}");
  JsonObject *told = vw_test_client_wait_event (clerk, "transferred", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (told, "item"), ==, "GJJ-TQ-006");
  JsonObject *q = vw_test_client_wait_event (clerk, "queued", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member (q, "position"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (q, "item"), ==, "GJJ-TQ-006");
  /* 张敏's part was about 企业设立: no history of 公积金 to go by. */
  g_assert_cmpint (json_object_get_int_member (q, "wait_samples"), ==, 0);
  vw_test_client_wait_event (zhang, "ended", NULL, 10000);

  /* A supervisor may watch the clerk waiting in the session. */
  const char *watch_args[] = { "--role", "supervisor", "--user", "wanghong",
    "--password-file", f->wanghong_pw, "--monitor", session, NULL };
  g_autoptr (VwTestClient) watcher = vw_test_client_start (f->server, "王红", watch_args);
  g_assert_cmpstr (peer_name (vw_test_client_wait_event (watcher, "paired", NULL, 10000)),
      ==, "李华");
  wait_frame_from (watcher, peer_id (clerk), "camera");

  g_autoptr (VwTestClient) li = start_agent (f, "lina", "李娜", "GJJ-TQ-006");
  JsonObject *again = vw_test_client_wait_event (clerk, "paired", &from, 10000);
  g_assert_cmpstr (json_object_get_string_member (again, "session"), ==, session);
  g_assert_cmpstr (peer_name (again), ==, "李娜");
  wait_frame_from (clerk, peer_id (li), "camera");
  /* ... and sees the agent who took over. */
  wait_frame_from (watcher, peer_id (li), "camera");
}

/* ---- three parties ---- */

/* 张敏 brings 周强 (Anhui) into the call: each of the three decodes both
 * others' camera; 周强 leaves and the call goes on. */
static void
test_three_party (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) zhang = start_agent (f, "zhangmin", "张敏", NULL);
  wait_state (zhang, "available", NULL, 10000);
  g_autoptr (VwTestClient) clerk = start_clerk (f, "李华", "QY-SL-001", NULL);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  g_autofree char *session = g_strdup (json_object_get_string_member (paired, "session"));
  const char *z = peer_id (zhang), *c = peer_id (clerk);
  wait_frame_from (clerk, z, "camera");

  g_autoptr (VwTestClient) zhou = start_agent (f, "zhouqiang", "周强", NULL);
  wait_state (zhou, "available", NULL, 10000);
  const char *q = peer_id (zhou);
  vw_test_client_command (zhang, "{\"command\":\"invite\",\"agent\":\"zhouqiang\"}");

  JsonObject *zp = vw_test_client_wait_event (zhou, "paired", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (zp, "session"), ==, session);
  g_assert_cmpstr (peer_name (zp), ==, "李华");
  g_assert_true (json_object_get_boolean_member (zp, "invited"));
  g_assert_cmpstr (json_object_get_string_member (zp, "item"), ==, "QY-SL-001");
  wait_state (zhou, "busy", NULL, 5000);
  g_assert_cmpstr (peer_name (vw_test_client_wait_event (clerk, "joined", NULL, 10000)),
      ==, "周强");
  g_assert_cmpstr (peer_name (vw_test_client_wait_event (zhang, "joined", NULL, 10000)),
      ==, "周强");
  g_assert_cmpstr (peer_name (vw_test_client_wait_event (zhou, "joined", NULL, 10000)),
      ==, "张敏");

  struct { VwTestClient *who; const char *a, *b; } views[] = {
    { clerk, z, q }, { zhang, c, q }, { zhou, z, c },
  };
  for (guint i = 0; i < G_N_ELEMENTS (views); i++) {
    JsonObject *fa = wait_frame_from (views[i].who, views[i].a, "camera");
    JsonObject *fb = wait_frame_from (views[i].who, views[i].b, "camera");
    g_assert_cmpint (json_object_get_int_member (fa, "width"), ==, 640);
    g_assert_cmpint (json_object_get_int_member (fb, "height"), ==, 480);
  }

  /* A second invitation: the session has its three parties. */
  vw_test_client_command (zhang, "{\"command\":\"invite\",\"agent\":\"lina\"}");
  assert_error (zhang, "wrong-state");

  vw_test_client_command (zhou, "{\"command\":\"hangup\"}");
  JsonObject *zend = vw_test_client_wait_event (zhou, "ended", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (zend, "reason"), ==, "hangup");
  g_assert_cmpstr (peer_name (vw_test_client_wait_event (clerk, "left", NULL, 10000)),
      ==, "周强");
  vw_test_run_for (1000);
  g_assert_cmpuint (vw_test_client_count_events (clerk, "ended"), ==, 0);
  g_assert_cmpuint (vw_test_client_count_events (zhang, "ended"), ==, 0);

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  vw_test_client_wait_event (zhang, "ended", NULL, 10000);
  g_autoptr (JsonObject) detail = NULL;
  g_autoptr (GPtrArray) chain = legs (session_events (f, session, &detail));
  g_assert_cmpuint (chain->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (chain, 0), ==, "first:zhangmin");
  g_assert_cmpstr (g_ptr_array_index (chain, 1), ==, "invite:zhouqiang");
}

/* ---- appointments ---- */

/* POST @path with @body as the supervisor; the JSON answer, @want status. */
static JsonObject *
post_json (Fixture *f, const char *method, const char *path, const char *body,
    guint want)
{
  g_autofree char *url = g_strdup_printf ("%s%s", f->server->url, path);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", f->admin_token);
  guint status = 0;
  g_autoptr (GBytes) reply = vw_test_http (method, url,
      (const char *[]) { "Authorization", auth, NULL }, body, -1, &status, NULL);
  g_assert_cmpuint (status, ==, want);
  return vw_test_json_object (reply);
}

/* A booked clerk at the booked time goes to the front of the item's queue
 * and is served first; the booking records its session; a code is good
 * once, and for its own item. */
static void
test_booking_front_of_queue (Fixture *f, gconstpointer data)
{
  /* A slot starting within the check-in window (15 min), booked. */
  gint64 start = (g_get_real_time () / 1000 / 60000 + 2) * 60000;
  g_autofree char *slot_body = g_strdup_printf ("{\"center\":\"黄浦区政务服务中心\","
      "\"province\":\"shanghai\",\"item\":\"QY-SL-001\",\"starts_at\":%" G_GINT64_FORMAT
      ",\"ends_at\":%" G_GINT64_FORMAT ",\"capacity\":2}", start, start + 30 * 60000);
  g_autoptr (JsonObject) slot = post_json (f, "POST", "api/slots", slot_body, 201);
  g_autofree char *book_body = g_strdup_printf ("{\"slot\":%" G_GINT64_FORMAT
      ",\"name\":\"嘉兴禾丰食品有限公司\",\"kind\":\"enterprise\"}",
      json_object_get_int_member (slot, "id"));
  g_autoptr (JsonObject) booking = post_json (f, "POST", "api/appointments", book_body, 201);
  const char *code = json_object_get_string_member (booking, "code");

  /* 张敏 is busy; 李华 waits first. */
  g_autoptr (VwTestClient) agent = start_agent (f, "zhangmin", "张敏", "QY-SL-001");
  wait_state (agent, "available", NULL, 10000);
  g_autoptr (VwTestClient) busy = start_clerk (f, "孙丽", "QY-SL-001", NULL);
  vw_test_client_wait_event (busy, "paired", NULL, 10000);
  g_autoptr (VwTestClient) walk_in = start_clerk (f, "李华", "QY-SL-001", NULL);
  guint walk_from = 0;
  JsonObject *q = vw_test_client_wait_event (walk_in, "queued", &walk_from, 10000);
  g_assert_cmpint (json_object_get_int_member (q, "position"), ==, 1);

  /* A booking for another item is refused; with its own, to the front. */
  const char *wrong_args[] = { "--role", "clerk", "--province", "zhejiang", "--center",
    "嘉兴市民之家", "--item", "QY-BG-002", "--handled-in", "shanghai", "--booking", code, NULL };
  g_autoptr (VwTestClient) wrong = vw_test_client_start (f->server, "禾丰", wrong_args);
  assert_error (wrong, "bad-field");
  const char *args[] = { "--role", "clerk", "--province", "zhejiang", "--center",
    "嘉兴市民之家", "--item", "QY-SL-001", "--handled-in", "shanghai", "--booking", code, NULL };
  g_autoptr (VwTestClient) booked = vw_test_client_start (f->server, "禾丰", args);
  q = vw_test_client_wait_event (booked, "queued", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member (q, "position"), ==, 1);
  q = vw_test_client_wait_event (walk_in, "queued", &walk_from, 10000);
  g_assert_cmpint (json_object_get_int_member (q, "position"), ==, 2);

  /* The agent's queue shows the booked clerk first, marked. */
  JsonArray *waiting = NULL;
  for (guint from = 0; !waiting || json_array_get_length (waiting) < 2;)
    waiting = json_object_get_array_member (
        vw_test_client_wait_event (agent, "queue", &from, 10000), "waiting");
  JsonObject *head = json_array_get_object_element (waiting, 0);
  g_assert_cmpstr (json_object_get_string_member (head, "name"), ==, "禾丰");
  g_assert_true (json_object_get_boolean_member (head, "booked"));

  vw_test_client_command (busy, "{\"command\":\"hangup\"}");
  JsonObject *paired = vw_test_client_wait_event (booked, "paired", NULL, 15000);
  g_assert_cmpstr (peer_name (paired), ==, "张敏");
  guint agent_from = 0;
  vw_test_client_wait_event (agent, "paired", &agent_from, 10000);   /* 孙丽 */
  JsonObject *agent_paired = vw_test_client_wait_event (agent, "paired", &agent_from, 10000);
  g_assert_cmpstr (peer_name (agent_paired), ==, "禾丰");
  g_assert_true (json_object_get_boolean_member (agent_paired, "booked"));
  g_assert_false (json_object_get_boolean_member (agent_paired, "invited"));
  g_assert_cmpuint (vw_test_client_count_events (walk_in, "paired"), ==, 0);

  /* Arrived, with its session; the code cannot be used again. */
  g_autofree char *path = g_strdup_printf ("api/appointments/%s", code);
  g_autoptr (JsonObject) after = post_json (f, "GET", path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (after, "state"), ==, "arrived");
  g_assert_cmpstr (json_object_get_string_member (after, "session_id"), ==,
      json_object_get_string_member (paired, "session"));
  g_autoptr (VwTestClient) again = vw_test_client_start (f->server, "禾丰", args);
  assert_error (again, "booking-not-due");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, setup, func) \
  g_test_add (path, Fixture, NULL, setup, func, fixture_teardown)
  ADD ("/desk/routing/by-item", fixture_setup, test_routing_by_item);
  ADD ("/desk/queue/estimated-wait", fixture_setup, test_estimated_wait);
  ADD ("/desk/agent/wrap-up", fixture_setup_wrap_up, test_wrap_up);
  ADD ("/desk/transfer/to-agent", fixture_setup, test_transfer_to_agent);
  ADD ("/desk/transfer/to-queue", fixture_setup, test_transfer_to_queue);
  ADD ("/desk/three-party", fixture_setup, test_three_party);
  ADD ("/desk/booking/front-of-queue", fixture_setup, test_booking_front_of_queue);
  return g_test_run ();
}
