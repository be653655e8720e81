/* test-store-sessions.c: unit tests for the sessions in the server's SQLite
 * store (vw-store.c): a session's life cycle and participants, what is
 * refused, case numbers, sessions interrupted by a restart, and the
 * events of a session's timeline.  Every test works on a fresh store in a
 * temporary directory.
 *
 * The data is a realistic day at the cross-province window: agent 张敏 of
 * 黄浦区政务服务中心 (Shanghai) serves clerk 李华 of 嘉善县行政服务中心
 * (Zhejiang) on 企业设立 under Shanghai's rules, 2026-11-22 China Standard
 * Time.
 */
#include "store-test-util.h"
#include "vw-store-private.h"

#include <string.h>

/* ---- fixture ---- */

typedef VwStoreFixture Fixture;

#define OPENED VW_STORE_OPENED
#define fixture_setup vw_store_fixture_setup
#define fixture_teardown vw_store_fixture_teardown

/* ---- helpers ---- */

/* Unix milliseconds of a China Standard Time (UTC+8) wall-clock time. */
#define T0 vw_store_test_cst (2026, 11, 22, 9, 30, 0)

#define BEGIN(store, id, at) g_free (vw_store_test_begin ((store), (id), "shanghai", "企业设立", (at)))

static void
add_participant (VwStore *store, const char *session, const char *peer,
    const char *role, const char *name, const char *province, const char *center,
    gint64 at)
{
  g_autoptr (GError) error = NULL;
  VwStoreParticipant p = { .peer_id = (char *) peer, .role = (char *) role,
    .name = (char *) name, .province = (char *) province,
    .center = (char *) center, .joined_at = at };

  g_assert_true (vw_store_session_add_participant (store, session, &p, &error));
  g_assert_no_error (error);
}

static void
add_agent_and_clerk (VwStore *store, const char *session, gint64 at)
{
  add_participant (store, session, "p-agent", "agent", "张敏", "shanghai",
      "黄浦区政务服务中心", at);
  add_participant (store, session, "p-clerk", "clerk", "李华", "zhejiang",
      "嘉善县行政服务中心", at + 1200);
}

static VwStoreSession *
get_session (VwStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession *s = vw_store_get_session (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

static void
add_event (VwStore *store, const char *session, gint64 at, const char *type,
    const char *actor, const char *detail)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (vw_store_add_event (store, session, at, type, actor, detail, &error));
  g_assert_no_error (error);
}

/* "type@offset-from-T0" of each event, joined by spaces. */
static char *
events_string (VwStore *store, const char *session)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = vw_store_list_events (store, session, &error);
  g_autoptr (GString) s = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  for (guint i = 0; i < events->len; i++) {
    VwStoreEvent *e = g_ptr_array_index (events, i);
    g_assert_cmpstr (e->session_id, ==, session);
    g_string_append_printf (s, "%s%s@%" G_GINT64_FORMAT, i ? " " : "", e->type,
        e->at - T0);
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* ---- sessions ---- */

static void
test_session_life_cycle (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *case_no = NULL;
  g_autoptr (VwStoreSession) open = NULL, ended = NULL, again = NULL;
  g_autoptr (GPtrArray) people = NULL;
  VwStoreParticipant *agent, *clerk;
  VwStoreParticipant supervisor = { .peer_id = "p-sup", .role = "supervisor",
    .name = "周静", .province = "shanghai", .center = "黄浦区政务服务中心",
    .joined_at = T0 + 700000 };

  case_no = vw_store_test_begin (f->store, "s-5f3a9c1e0b7d", "shanghai", "企业设立", T0);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000001");
  add_agent_and_clerk (f->store, "s-5f3a9c1e0b7d", T0);

  open = get_session (f->store, "s-5f3a9c1e0b7d");
  g_assert_cmpstr (open->id, ==, "s-5f3a9c1e0b7d");
  g_assert_cmpstr (open->case_no, ==, case_no);
  g_assert_cmpstr (open->province, ==, "shanghai");
  g_assert_cmpstr (open->item, ==, "企业设立");
  g_assert_cmpint (open->started_at, ==, T0);
  g_assert_cmpint (open->state, ==, VW_STORE_SESSION_OPEN);
  g_assert_cmpint (open->ended_at, ==, 0);
  g_assert_null (open->end_reason);

  g_assert_true (vw_store_session_participant_left (f->store, "s-5f3a9c1e0b7d",
          "p-clerk", T0 + 600000, &error));
  g_assert_no_error (error);
  g_assert_true (vw_store_session_end (f->store, "s-5f3a9c1e0b7d",
          "peer-disconnected", T0 + 600500, &error));
  g_assert_no_error (error);

  ended = get_session (f->store, "s-5f3a9c1e0b7d");
  g_assert_cmpint (ended->state, ==, VW_STORE_SESSION_ENDED);
  g_assert_cmpint (ended->ended_at, ==, T0 + 600500);
  g_assert_cmpstr (ended->end_reason, ==, "peer-disconnected");

  people = vw_store_list_participants (f->store, "s-5f3a9c1e0b7d", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (people->len, ==, 2);
  agent = g_ptr_array_index (people, 0);
  clerk = g_ptr_array_index (people, 1);
  g_assert_cmpstr (agent->peer_id, ==, "p-agent");
  g_assert_cmpstr (agent->role, ==, "agent");
  g_assert_cmpstr (agent->name, ==, "张敏");
  g_assert_cmpstr (agent->center, ==, "黄浦区政务服务中心");
  g_assert_cmpint (agent->joined_at, ==, T0);
  g_assert_cmpint (agent->left_at, ==, T0 + 600500);   /* still in at the end */
  g_assert_cmpstr (clerk->peer_id, ==, "p-clerk");
  g_assert_cmpstr (clerk->province, ==, "zhejiang");
  g_assert_cmpstr (clerk->center, ==, "嘉善县行政服务中心");
  g_assert_cmpint (clerk->joined_at, ==, T0 + 1200);
  g_assert_cmpint (clerk->left_at, ==, T0 + 600000);

  /* Ended is final. */
  g_assert_false (vw_store_session_end (f->store, "s-5f3a9c1e0b7d", "hangup",
          T0 + 900000, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vw_store_session_add_participant (f->store, "s-5f3a9c1e0b7d",
          &supervisor, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vw_store_session_participant_left (f->store, "s-5f3a9c1e0b7d",
          "p-agent", T0 + 900000, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);

  again = get_session (f->store, "s-5f3a9c1e0b7d");
  g_assert_cmpint (again->ended_at, ==, T0 + 600500);
  g_assert_cmpstr (again->end_reason, ==, "peer-disconnected");
}

static void
test_session_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession no_province = { .id = "s-2", .province = "", .started_at = T0 };
  VwStoreSession no_time = { .id = "s-2", .province = "anhui" };
  VwStoreSession taken = { .id = "s-1", .province = "anhui", .started_at = T0 };
  VwStoreParticipant observer = { .peer_id = "p-x", .role = "observer",
    .joined_at = T0 };
  VwStoreParticipant again = { .peer_id = "p-agent", .role = "agent",
    .joined_at = T0 + 5 };
  const VwStoreSession *bad_sessions[] = { &no_province, &no_time };
  g_autoptr (VwStoreSession) s = NULL;

  BEGIN (f->store, "s-1", T0);
  add_agent_and_clerk (f->store, "s-1", T0);

  for (guint i = 0; i < G_N_ELEMENTS (bad_sessions); i++) {
    g_assert_false (vw_store_session_begin (f->store, bad_sessions[i], NULL, &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_false (vw_store_session_begin (f->store, &taken, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_null (vw_store_get_session (f->store, "s-2", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (vw_store_session_add_participant (f->store, "s-1", &observer, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "'observer'"));
  g_clear_error (&error);
  g_assert_false (vw_store_session_add_participant (f->store, "s-1", &again, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vw_store_session_add_participant (f->store, "s-9", &again, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_session_participant_left (f->store, "s-1", "p-nobody",
          T0 + 10, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (vw_store_list_participants (f->store, "s-9", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (vw_store_session_end (f->store, "s-9", "hangup", T0 + 10, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_session_end (f->store, "s-1", "", T0 + 10, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* None of it changed s-1. */
  s = get_session (f->store, "s-1");
  g_assert_cmpint (s->state, ==, VW_STORE_SESSION_OPEN);
  g_assert_cmpstr (s->province, ==, "shanghai");
}

static void
test_session_case_numbers (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  VwStoreSession given = { .id = "s-given", .case_no = "VW-20261122-000005",
    .province = "zhejiang", .item = "公积金跨省提取", .started_at = T0 };
  VwStoreSession given_again = { .id = "s-given-2", .case_no = "VW-20261122-000005",
    .province = "zhejiang", .started_at = T0 };
  VwStoreSession taken_id = { .id = "s-1", .province = "zhejiang", .started_at = T0 };
  g_autoptr (VwStoreSession) stored = NULL;
  char *case_no;

  for (int i = 1; i <= 3; i++) {
    g_autofree char *id = g_strdup_printf ("s-%d", i);
    g_autofree char *expected = g_strdup_printf ("VW-20261122-%06d", i);
    case_no = vw_store_test_begin (f->store, id, "shanghai", "企业设立", T0 + i * 60000);
    g_assert_cmpstr (case_no, ==, expected);
    g_hash_table_add (seen, case_no);
  }

  /* Given numbers are kept verbatim, must be unique, and are skipped. */
  g_assert_true (vw_store_session_begin (f->store, &given, &case_no, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000005");
  g_free (case_no);
  stored = get_session (f->store, "s-given");
  g_assert_cmpstr (stored->case_no, ==, "VW-20261122-000005");
  g_assert_cmpstr (stored->item, ==, "公积金跨省提取");
  g_assert_false (vw_store_session_begin (f->store, &given_again, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  /* A refused session takes no number. */
  g_assert_false (vw_store_session_begin (f->store, &taken_id, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  case_no = vw_store_test_begin (f->store, "s-4", "anhui", "社保转移接续", T0 + 300000);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000004");
  g_free (case_no);
  case_no = vw_store_test_begin (f->store, "s-6", "anhui", "社保转移接续", T0 + 360000);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000006");
  g_free (case_no);

  /* The day is China Standard Time: 16:30 UTC is 00:30 the next day. */
  case_no = vw_store_test_begin (f->store, "s-late", "jiangsu", "异地医保",
      vw_store_test_cst (2026, 11, 22, 23, 59, 59));
  g_assert_cmpstr (case_no, ==, "VW-20261122-000007");
  g_free (case_no);
  case_no = vw_store_test_begin (f->store, "s-next", "jiangsu", "异地医保",
      vw_store_test_cst (2026, 11, 23, 0, 30, 0));
  g_assert_cmpstr (case_no, ==, "VW-20261123-000001");
  g_free (case_no);

  /* A number once given is never given again, even if its row went away. */
  g_assert_true (vw_store_exec_for_test (f->store,
          "DELETE FROM sessions WHERE id = 's-late'", &error));
  g_assert_no_error (error);
  case_no = vw_store_test_begin (f->store, "s-later", "jiangsu", "异地医保",
      vw_store_test_cst (2026, 11, 22, 23, 59, 59));
  g_assert_cmpstr (case_no, ==, "VW-20261122-000008");
  g_free (case_no);

  /* A busy day: all unique, in order. */
  for (int i = 2; i <= 150; i++) {
    g_autofree char *id = g_strdup_printf ("s-23-%d", i);
    g_autofree char *expected = g_strdup_printf ("VW-20261123-%06d", i);
    case_no = vw_store_test_begin (f->store, id, "shanghai", "食品经营许可证",
        vw_store_test_cst (2026, 11, 23, 9, 0, 0) + i * 1000);
    g_assert_cmpstr (case_no, ==, expected);
    g_assert_true (g_hash_table_add (seen, case_no));
  }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 3 + 149);
}

static void
test_session_interrupted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSession) s1 = NULL, s2 = NULL, s3 = NULL;
  g_autoptr (GPtrArray) people = NULL;
  gint64 restart = vw_store_test_cst (2026, 11, 22, 11, 0, 0);
  guint n = 99;

  BEGIN (f->store, "s-1", T0);
  BEGIN (f->store, "s-2", T0 + 1000);
  add_agent_and_clerk (f->store, "s-2", T0 + 1000);
  g_assert_true (vw_store_session_participant_left (f->store, "s-2", "p-clerk",
          T0 + 5000, &error));
  g_assert_no_error (error);
  BEGIN (f->store, "s-3", T0 + 2000);
  g_assert_true (vw_store_session_end (f->store, "s-3", "hangup", T0 + 90000, &error));
  g_assert_no_error (error);

  g_assert_true (vw_store_mark_open_sessions_interrupted (f->store, restart, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  s1 = get_session (f->store, "s-1");
  s2 = get_session (f->store, "s-2");
  s3 = get_session (f->store, "s-3");
  g_assert_cmpint (s1->state, ==, VW_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (s1->ended_at, ==, restart);
  g_assert_cmpstr (s1->end_reason, ==, VW_STORE_REASON_INTERRUPTED);
  g_assert_cmpint (s2->state, ==, VW_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (s3->state, ==, VW_STORE_SESSION_ENDED);
  g_assert_cmpint (s3->ended_at, ==, T0 + 90000);
  g_assert_cmpstr (s3->end_reason, ==, "hangup");

  people = vw_store_list_participants (f->store, "s-2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (people->len, ==, 2);
  g_assert_cmpint (((VwStoreParticipant *) people->pdata[0])->left_at, ==, restart);
  g_assert_cmpint (((VwStoreParticipant *) people->pdata[1])->left_at, ==, T0 + 5000);

  /* Nothing open any more; an interrupted session cannot be ended. */
  g_assert_true (vw_store_mark_open_sessions_interrupted (f->store, restart + 1, &n,
          &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (vw_store_session_end (f->store, "s-1", "hangup", restart, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
}

/* ---- events ---- */

static void
test_events (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *timeline = NULL, *server = NULL, *after = NULL;
  static const char *const bad_details[] = {
    "not json", "[1, 2]", "\"企业设立\"", "{\"track\":", "",
  };
  VwStoreEvent *e;

  BEGIN (f->store, "s-1", T0);
  add_event (f->store, "s-1", T0 + 3000, "snapshot", "p-agent",
      "{\"snapshot\": \"snap-1\", \"size\": 2483017}");
  add_event (f->store, "s-1", T0 + 1000, "paired", NULL,
      "{\"agent\": \"张敏\", \"clerk\": \"李华\"}");
  add_event (f->store, "s-1", T0 + 1000, "joined", "p-clerk", NULL);
  add_event (f->store, "s-1", T0 + 9000, "ended", "p-clerk",
      "{\"reason\": \"hangup\"}");
  add_event (f->store, NULL, T0 - 3600000, "server-start", NULL, NULL);

  /* By time; the same time in the order of adding. */
  timeline = events_string (f->store, "s-1");
  g_assert_cmpstr (timeline, ==, "paired@1000 joined@1000 snapshot@3000 ended@9000");
  server = events_string (f->store, NULL);
  g_assert_cmpstr (server, ==, "server-start@-3600000");

  events = vw_store_list_events (f->store, "s-1", &error);
  g_assert_no_error (error);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpint (e->id, >, 0);
  g_assert_null (e->actor);
  g_assert_cmpstr (e->detail, ==, "{\"agent\": \"张敏\", \"clerk\": \"李华\"}");
  e = g_ptr_array_index (events, 1);
  g_assert_cmpstr (e->actor, ==, "p-clerk");
  g_assert_null (e->detail);

  for (guint i = 0; i < G_N_ELEMENTS (bad_details); i++) {
    g_assert_false (vw_store_add_event (f->store, "s-1", T0 + 4000, "note", NULL,
            bad_details[i], &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_false (vw_store_add_event (f->store, "s-9", T0, "paired", NULL, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_add_event (f->store, "s-1", T0, "", NULL, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (vw_store_list_events (f->store, "s-9", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);

  after = events_string (f->store, "s-1");
  g_assert_cmpstr (after, ==, timeline);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/store/" path, Fixture, (data), fixture_setup, (func), fixture_teardown)

  ADD ("session/life-cycle", test_session_life_cycle, OPENED);
  ADD ("session/refusals", test_session_refusals, OPENED);
  ADD ("session/case-numbers", test_session_case_numbers, OPENED);
  ADD ("session/interrupted", test_session_interrupted, OPENED);
  ADD ("event/timeline", test_events, OPENED);

  return g_test_run ();
}
