/* test-store-supervision.c: unit tests for what supervisors read and write
 * in the store (vw-store-supervision.c, vw-store-reviews.c,
 * vw-store-sampling.c): the filters of the session listing one by one, the
 * scopes, reviews, the one rating per session, and the sampling draw.
 *
 * A small week at the cross-province window (China Standard Time):
 *
 *  s-1 2026-11-20 09:30  shanghai 企业设立        张敏 (zhangmin, 黄浦) serves 李华 (嘉善, zhejiang), 600 s, rated 5
 *  s-2 2026-11-21 14:00  shanghai 食品经营许可证  张敏 serves 赵强 (合肥, anhui), 300 s, rated 2
 *  s-3 2026-11-22 10:00  zhejiang 异地医保        王芳 (wangfang, 嘉善) serves 陈静 (吴江, jiangsu), 1200 s
 *  s-4 2026-11-22 23:30  jiangsu  公积金跨省提取  周杰 (no account, 吴江) serves 孙丽 (黄浦, shanghai), open
 *  s-5 2026-11-23 00:10  anhui    社保转移接续    刘洋 (liuyang, 合肥) serves 李华, interrupted after 90 s
 *
 * These old sessions recorded the item's name; the test of item names adds
 * sessions that record catalogue codes (vw-store-items.h).
 */
#include "store-test-util.h"
#include "vw-store-private.h"
#include "vw-store-accounts.h"
#include "vw-store-items.h"
#include "vw-store-recordings.h"
#include "vw-store-supervision.h"

#include <glib/gstdio.h>
#include <string.h>

#define HUANGPU "黄浦区政务服务中心"
#define JIASHAN "嘉善县行政服务中心"
#define WUJIANG "吴江区政务服务中心"
#define HEFEI "合肥市政务服务中心"

typedef struct {
  char *dir;
  VwStore *store;
} Fixture;

/* ---- building the week ---- */

typedef struct {
  const char *id, *province, *item;
  gint64 started_at;
  gint64 duration_s;      /* 0: stays open */
  const char *agent, *agent_account, *agent_province, *agent_center;
  const char *clerk, *clerk_province, *clerk_center;
  int rating;
} WeekSession;

static void
add_week_session (VwStore *store, const WeekSession *w)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession s = { .id = (char *) w->id, .province = (char *) w->province,
    .item = (char *) w->item, .started_at = w->started_at };

  g_assert_true (vw_store_session_begin (store, &s, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *agent_peer = g_strconcat ("p-a-", w->id, NULL);
  g_autofree char *clerk_peer = g_strconcat ("p-c-", w->id, NULL);
  vw_store_test_add_peer (store, w->id, agent_peer, "agent", w->agent, w->agent_province,
      w->agent_center, w->agent_account, w->started_at);
  vw_store_test_add_peer (store, w->id, clerk_peer, "clerk", w->clerk, w->clerk_province,
      w->clerk_center, NULL, w->started_at + 800);
  if (w->duration_s)
    g_assert_true (vw_store_session_end (store, w->id, "hangup",
            w->started_at + w->duration_s * 1000, &error));
  g_assert_no_error (error);
  if (w->rating) {
    VwStoreRating r = { .session_id = (char *) w->id, .level = w->rating,
      .created_at = w->started_at + w->duration_s * 1000 + 5000 };
    g_assert_true (vw_store_set_rating (store, &r, &error));
    g_assert_no_error (error);
  }
}

static void
build_week (VwStore *store)
{
  const WeekSession week[] = {
    { "s-1", "shanghai", "企业设立", vw_store_test_cst (2026, 11, 20, 9, 30, 0), 600,
      "张敏", "zhangmin", "shanghai", HUANGPU, "李华", "zhejiang", JIASHAN, 5 },
    { "s-2", "shanghai", "食品经营许可证", vw_store_test_cst (2026, 11, 21, 14, 0, 0), 300,
      "张敏", "zhangmin", "shanghai", HUANGPU, "赵强", "anhui", HEFEI, 2 },
    { "s-3", "zhejiang", "异地医保", vw_store_test_cst (2026, 11, 22, 10, 0, 0), 0,
      "王芳", "wangfang", "zhejiang", JIASHAN, "陈静", "jiangsu", WUJIANG, 0 },
    { "s-4", "jiangsu", "公积金跨省提取", vw_store_test_cst (2026, 11, 22, 23, 30, 0), 0,
      "周杰", NULL, "jiangsu", WUJIANG, "孙丽", "shanghai", HUANGPU, 0 },
    { "s-5", "anhui", "社保转移接续", vw_store_test_cst (2026, 11, 23, 0, 10, 0), 0,
      "刘洋", "liuyang", "anhui", HEFEI, "李华", "zhejiang", JIASHAN, 0 },
  };
  g_autoptr (GError) error = NULL;

  vw_store_test_add_account (store, "zhangmin", "agent", "张敏", "shanghai", HUANGPU);
  vw_store_test_add_account (store, "wangfang", "agent", "王芳", "zhejiang", JIASHAN);
  vw_store_test_add_account (store, "liuyang", "agent", "刘洋", "anhui", HEFEI);
  vw_store_test_add_account (store, "chenjun", "supervisor", "陈军", "shanghai", HUANGPU);
  vw_store_test_add_account (store, "xuli", "supervisor", "徐丽", "zhejiang", JIASHAN);
  for (guint i = 0; i < G_N_ELEMENTS (week); i++)
    if (!g_str_equal (week[i].id, "s-4"))
      add_week_session (store, &week[i]);

  /* s-3 was recorded (a camera track), then ended after 1200 s. */
  VwStoreTrack t = { .session_id = "s-3", .peer_id = "p-a-s-3", .kind = "camera",
    .codec = "VP8", .dir = "sessions/s-3/tracks", .started_at = vw_store_test_cst (2026, 11, 22, 10, 0, 1) };
  g_assert_true (vw_store_add_track (store, &t, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vw_store_session_end (store, "s-3", "hangup",
          vw_store_test_cst (2026, 11, 22, 10, 20, 0), &error));
  g_assert_no_error (error);

  /* s-5 was cut off by a crash, 90 s in. */
  g_assert_true (vw_store_mark_open_sessions_interrupted (store,
          vw_store_test_cst (2026, 11, 23, 0, 11, 30), NULL, &error));
  g_assert_no_error (error);
  /* s-4 is open right now (noted after the restart). */
  add_week_session (store, &week[3]);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = vw_store_test_make_dir ("vw-supervision");
  f->store = vw_store_test_open (f->dir, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_close (f->store);
  vw_store_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* ---- helpers ---- */

/* The ids of a listing, joined by spaces. */
static char *
ids_of (GPtrArray *list)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++) {
    VwStoreSessionSummary *sum = g_ptr_array_index (list, i);
    g_string_append_printf (s, "%s%s", i ? " " : "", sum->session->id);
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
list_ids (VwStore *store, const VwStoreScope *scope, const VwStoreSessionFilter *filter,
    guint *total)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = vw_store_list_sessions_in_scope (store, scope, filter,
      total, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return ids_of (list);
}

static gint64
day (const char *date)
{
  g_autoptr (GError) error = NULL;
  gint64 ms = 0;

  g_assert_true (vw_store_parse_cst_date (date, &ms, &error));
  g_assert_no_error (error);
  return ms;
}

#define NEXT_DAY(date) (day (date) + 24 * 3600 * 1000)

static const VwStoreScope all = { VW_STORE_SCOPE_ALL };

/* ---- dates ---- */

static void
test_dates (void)
{
  const char *bad[] = { "", "2026-02-30", "2026-1-05", "20261122", "2026-11-22x",
    "2026/11/22", "abcd-ef-gh", "1969-12-31", " 2026-11-22", "2026-13-01" };
  g_autoptr (GError) error = NULL;
  gint64 ms = 0;

  g_assert_cmpint (day ("2026-11-22"), ==, vw_store_test_cst (2026, 11, 22, 0, 0, 0));
  g_assert_cmpint (day ("2028-02-29"), ==, vw_store_test_cst (2028, 2, 29, 0, 0, 0));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_false (vw_store_parse_cst_date (bad[i], &ms, &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
}

/* ---- filters, one by one ---- */

typedef struct {
  const char *what;
  VwStoreSessionFilter filter;
  const char *expected;     /* ids, newest first */
  guint total;
} FilterCase;

static void
test_filters (Fixture *f, gconstpointer data)
{
#define F(...) { .min_duration_s = -1, .max_duration_s = -1, __VA_ARGS__ }
#define DURATIONS(min, max) { .min_duration_s = (min), .max_duration_s = (max) }
  build_week (f->store);
  const FilterCase cases[] = {
    { "none", F (), "s-5 s-4 s-3 s-2 s-1", 5 },
    { "from", F (.from_ms = day ("2026-11-22")), "s-5 s-4 s-3", 3 },
    { "to (inclusive)", F (.to_ms = NEXT_DAY ("2026-11-22")), "s-4 s-3 s-2 s-1", 4 },
    /* 23:30 CST is still the 22nd; 00:10 CST on the 23rd is the 22nd in UTC. */
    { "one day, CST", F (.from_ms = day ("2026-11-22"), .to_ms = NEXT_DAY ("2026-11-22")),
      "s-4 s-3", 2 },
    { "centre of a clerk or an agent", F (.center = JIASHAN), "s-5 s-3 s-1", 3 },
    { "agent by account", F (.agent = "zhangmin"), "s-2 s-1", 2 },
    { "agent by name", F (.agent = "张敏"), "s-2 s-1", 2 },
    { "agent without account", F (.agent = "周杰"), "s-4", 1 },
    { "a clerk is no agent", F (.agent = "李华"), "", 0 },
    { "province whose rules apply", F (.province = "zhejiang"), "s-3", 1 },
    { "item", F (.item = "企业设立"), "s-1", 1 },
    { "min duration", DURATIONS (600, -1), "s-3 s-1", 2 },
    { "max duration (open has none)", DURATIONS (-1, 300), "s-5 s-2", 2 },
    { "duration range", DURATIONS (90, 90), "s-5", 1 },
    { "rating 5", F (.rating = 5), "s-1", 1 },
    { "rating 2", F (.rating = 2), "s-2", 1 },
    { "rating nobody gave", F (.rating = 3), "", 0 },
    { "limit", F (.limit = 2), "s-5 s-4", 5 },
    { "offset", F (.limit = 2, .offset = 4), "s-1", 5 },
    { "offset past the end", F (.offset = 10), "", 5 },
    { "combined", F (.from_ms = day ("2026-11-20"), .to_ms = NEXT_DAY ("2026-11-21"),
        .agent = "zhangmin", .rating = 2), "s-2", 1 },
  };
#undef F
#undef DURATIONS

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint total = G_MAXUINT;
    g_autofree char *ids = list_ids (f->store, &all, &cases[i].filter, &total);
    g_test_message ("filter: %s", cases[i].what);
    g_assert_cmpstr (ids, ==, cases[i].expected);
    g_assert_cmpuint (total, ==, cases[i].total);
  }
}

static void
test_filter_refusals (Fixture *f, gconstpointer data)
{
  const VwStoreSessionFilter bad[] = {
    { .min_duration_s = -1, .max_duration_s = -1, .limit = VW_STORE_LIST_MAX_LIMIT + 1 },
    { .min_duration_s = -1, .max_duration_s = -1, .rating = 6 },
    { .min_duration_s = -1, .max_duration_s = -1, .rating = -1 },
    { .min_duration_s = -2, .max_duration_s = -1 },
  };
  g_autoptr (GError) error = NULL;

  build_week (f->store);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_null (vw_store_list_sessions_in_scope (f->store, &all, &bad[i], NULL,
            &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
}

/* ---- scopes ---- */

typedef struct {
  const char *what;
  VwStoreScope scope;
  const char *expected;
} ScopeCase;

static void
test_scopes (Fixture *f, gconstpointer data)
{
  const ScopeCase cases[] = {
    { "agent's own", { VW_STORE_SCOPE_ACCOUNT, .account = "zhangmin" }, "s-2 s-1" },
    { "another agent", { VW_STORE_SCOPE_ACCOUNT, .account = "wangfang" }, "s-3" },
    { "no such account", { VW_STORE_SCOPE_ACCOUNT, .account = "nobody" }, "" },
    /* 黄浦: its agent's s-1, s-2 and its clerk 孙丽's s-4. */
    { "centre", { VW_STORE_SCOPE_CENTER, .center = HUANGPU, .province = "shanghai" },
      "s-4 s-2 s-1" },
    { "centre of another province", { VW_STORE_SCOPE_CENTER, .center = HUANGPU,
        .province = "jiangsu" }, "" },
    { "province", { VW_STORE_SCOPE_PROVINCE, .province = "anhui" }, "s-5 s-2" },
    { "province of clerks and agents", { VW_STORE_SCOPE_PROVINCE,
        .province = "zhejiang" }, "s-5 s-3 s-1" },
  };
  const VwStoreSessionFilter none = VW_STORE_SESSION_FILTER_INIT;

  build_week (f->store);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint total = G_MAXUINT;
    g_autofree char *ids = list_ids (f->store, &cases[i].scope, &none, &total);
    g_test_message ("scope: %s", cases[i].what);
    g_assert_cmpstr (ids, ==, cases[i].expected);
    g_auto (GStrv) words = g_strsplit (ids, " ", -1);
    g_assert_cmpuint (total, ==, *ids ? g_strv_length (words) : 0);
  }

  /* The filters apply within the scope. */
  const VwStoreScope zhejiang = { VW_STORE_SCOPE_PROVINCE, .province = "zhejiang" };
  const VwStoreSessionFilter by_zhangmin = { .min_duration_s = -1,
    .max_duration_s = -1, .agent = "zhangmin" };
  g_autofree char *ids = list_ids (f->store, &zhejiang, &by_zhangmin, NULL);
  g_assert_cmpstr (ids, ==, "s-1");
}

/* A session outside the scope is as unknown as one that does not exist. */
static void
test_get_in_scope (Fixture *f, gconstpointer data)
{
  const VwStoreScope huangpu = { VW_STORE_SCOPE_CENTER, .center = HUANGPU,
    .province = "shanghai" };
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) unknown = NULL;

  build_week (f->store);
  g_assert_null (vw_store_get_session_in_scope (f->store, &huangpu, "s-3", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_assert_null (vw_store_get_session_in_scope (f->store, &huangpu, "s-99", &unknown));
  g_assert_error (unknown, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no session 's-3'");
  g_assert_cmpstr (unknown->message, ==, "no session 's-99'");
  g_clear_error (&error);

  g_autoptr (VwStoreSessionSummary) s1 = vw_store_get_session_in_scope (f->store,
      &huangpu, "s-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s1->session->case_no, ==, "VW-20261120-000001");
  g_assert_cmpint (s1->session->state, ==, VW_STORE_SESSION_ENDED);
  g_assert_cmpint (s1->duration_s, ==, 600);
  g_assert_cmpuint (s1->peers->len, ==, 2);
  VwStoreSessionPeer *agent = g_ptr_array_index (s1->peers, 0);
  VwStoreSessionPeer *clerk = g_ptr_array_index (s1->peers, 1);
  g_assert_cmpstr (agent->role, ==, "agent");
  g_assert_cmpstr (agent->account, ==, "zhangmin");
  g_assert_cmpstr (agent->center, ==, HUANGPU);
  g_assert_cmpstr (clerk->name, ==, "李华");
  g_assert_null (clerk->account);
  g_assert_nonnull (s1->rating);
  g_assert_cmpint (s1->rating->level, ==, 5);
  g_assert_false (s1->recorded);

  g_autoptr (VwStoreSessionSummary) s3 = vw_store_get_session_in_scope (f->store, &all,
      "s-3", &error);
  g_assert_no_error (error);
  g_assert_true (s3->recorded);
  g_assert_null (s3->rating);
  g_autoptr (VwStoreSessionSummary) s4 = vw_store_get_session_in_scope (f->store, &all,
      "s-4", &error);
  g_assert_no_error (error);
  g_assert_cmpint (s4->session->state, ==, VW_STORE_SESSION_OPEN);
  g_assert_cmpint (s4->session->ended_at, ==, 0);
  g_assert_cmpint (s4->duration_s, ==, 0);
  g_autoptr (VwStoreSessionSummary) s5 = vw_store_get_session_in_scope (f->store, &all,
      "s-5", &error);
  g_assert_no_error (error);
  g_assert_cmpint (s5->session->state, ==, VW_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (s5->duration_s, ==, 90);
}

/* ---- reviews ---- */

static gint64
add_review (VwStore *store, const char *session, const char *author, int score,
    const char *comment, gint64 at)
{
  g_autoptr (GError) error = NULL;
  VwStoreReview r = { .session_id = (char *) session, .author = (char *) author,
    .score = score, .comment = (char *) comment, .created_at = at };
  gint64 id = 0;

  g_assert_true (vw_store_add_review (store, &r, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
test_reviews (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 t = vw_store_test_cst (2026, 11, 24, 15, 0, 0);

  build_week (f->store);
  gint64 first = add_review (f->store, "s-2", "chenjun", 3, "材料核验不够细致", t);
  gint64 second = add_review (f->store, "s-2", "xuli", 4, NULL, t + 60000);
  g_assert_cmpint (second, >, first);

  g_autoptr (GPtrArray) reviews = vw_store_list_reviews (f->store, "s-2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reviews->len, ==, 2);
  VwStoreReview *r = g_ptr_array_index (reviews, 0);
  g_assert_cmpint (r->id, ==, first);
  g_assert_cmpstr (r->author, ==, "chenjun");
  g_assert_cmpint (r->score, ==, 3);
  g_assert_cmpstr (r->comment, ==, "材料核验不够细致");
  g_assert_cmpint (r->created_at, ==, t);
  g_assert_null (((VwStoreReview *) g_ptr_array_index (reviews, 1))->comment);

  g_autoptr (VwStoreSessionSummary) s2 = vw_store_get_session_in_scope (f->store, &all,
      "s-2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s2->n_reviews, ==, 2);

  /* Refusals write nothing. */
  const struct { VwStoreReview r; int code; } bad[] = {
    { { .session_id = "s-2", .author = "chenjun", .score = 0, .created_at = t },
      VW_STORE_ERROR_INVALID },
    { { .session_id = "s-2", .author = "chenjun", .score = 6, .created_at = t },
      VW_STORE_ERROR_INVALID },
    { { .session_id = "s-2", .author = "", .score = 3, .created_at = t },
      VW_STORE_ERROR_INVALID },
    { { .session_id = "s-2", .author = "chenjun", .score = 3 }, VW_STORE_ERROR_INVALID },
    { { .session_id = "s-99", .author = "chenjun", .score = 3, .created_at = t },
      VW_STORE_ERROR_NOT_FOUND },
    { { .session_id = "s-2", .author = "nobody", .score = 3, .created_at = t },
      VW_STORE_ERROR_NOT_FOUND },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_false (vw_store_add_review (f->store, &bad[i].r, NULL, &error));
    g_assert_error (error, VW_STORE_ERROR, bad[i].code);
    g_clear_error (&error);
  }
  g_autoptr (GPtrArray) again = vw_store_list_reviews (f->store, "s-2", &error);
  g_assert_cmpuint (again->len, ==, 2);
  g_autoptr (GPtrArray) none = vw_store_list_reviews (f->store, "s-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_null (vw_store_list_reviews (f->store, "s-99", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
}

/* ---- ratings ---- */

static void
test_rating_once (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 t = vw_store_test_cst (2026, 11, 22, 10, 21, 0);

  build_week (f->store);
  g_assert_null (vw_store_get_rating (f->store, "s-3", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  VwStoreRating bad_rating = { .session_id = "s-3", .level = 1,
    .comment = "等了很久才接通", .created_at = t };
  g_assert_true (vw_store_set_rating (f->store, &bad_rating, &error));
  g_assert_no_error (error);

  /* A bad rating cannot be replaced by a better one. */
  VwStoreRating better = { .session_id = "s-3", .level = 5, .created_at = t + 1000 };
  g_assert_false (vw_store_set_rating (f->store, &better, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_autoptr (VwStoreRating) kept = vw_store_get_rating (f->store, "s-3", &error);
  g_assert_no_error (error);
  g_assert_cmpint (kept->level, ==, 1);
  g_assert_cmpstr (kept->comment, ==, "等了很久才接通");
  g_assert_cmpint (kept->created_at, ==, t);

  const VwStoreRating bad[] = {
    { .session_id = "s-4", .level = 0, .created_at = t },
    { .session_id = "s-4", .level = 6, .created_at = t },
    { .session_id = "s-4", .level = 3 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_false (vw_store_set_rating (f->store, &bad[i], &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  VwStoreRating unknown = { .session_id = "s-99", .level = 3, .created_at = t };
  g_assert_false (vw_store_set_rating (f->store, &unknown, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
}

/* ---- the catalogue's names of items ---- */

static void
add_catalogue_item (VwStore *store, const char *code, const char *name)
{
  g_autoptr (GError) error = NULL;
  const char *provinces[] = { "shanghai", NULL };
  VwStoreItem item = { .code = (char *) code, .name = (char *) name, .mode = "remote",
    .department = "市场监督管理局", .provinces = (GStrv) provinces };

  g_assert_true (vw_store_upsert_item (store, &item, vw_store_test_cst (2026, 11, 1, 9, 0, 0), NULL,
          &error));
  g_assert_no_error (error);
}

/* The item name of session @id as listed (every session of the store is
 * listed) and as read alone, which must agree.  (transfer none) */
static const char *
listed_item_name (GPtrArray *list, VwStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSessionSummary) alone = vw_store_get_session_in_scope (store, &all,
      id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++) {
    VwStoreSessionSummary *sum = g_ptr_array_index (list, i);
    if (g_str_equal (sum->session->id, id)) {
      g_assert_cmpstr (sum->item_name, ==, alone->item_name);
      return sum->item_name;
    }
  }
  g_error ("session %s is not listed", id);
}

/* A session's item is a code; its name comes from the catalogue when the
 * session is read: NULL for a code the catalogue does not have (removed)
 * and for an old session that recorded a name. */
static void
test_item_names (Fixture *f, gconstpointer data)
{
  const WeekSession coded[] = {
    { "s-6", "shanghai", "QY-SL-001", vw_store_test_cst (2026, 11, 24, 9, 0, 0), 300,
      "张敏", "zhangmin", "shanghai", HUANGPU, "李华", "zhejiang", JIASHAN, 4 },
    { "s-7", "shanghai", "SP-JY-004", vw_store_test_cst (2026, 11, 24, 10, 0, 0), 300,
      "张敏", "zhangmin", "shanghai", HUANGPU, "赵强", "anhui", HEFEI, 0 },
    { "s-8", "shanghai", "XX-GONE-001", vw_store_test_cst (2026, 11, 24, 11, 0, 0), 300,
      "张敏", "zhangmin", "shanghai", HUANGPU, "陈静", "jiangsu", WUJIANG, 0 },
  };
  const VwStoreSessionFilter none = VW_STORE_SESSION_FILTER_INIT;
  g_autoptr (GError) error = NULL;

  build_week (f->store);
  add_catalogue_item (f->store, "QY-SL-001", "企业设立");
  add_catalogue_item (f->store, "SP-JY-004", "食品经营许可证");
  add_catalogue_item (f->store, "XX-GONE-001", "已撤销的事项");
  for (guint i = 0; i < G_N_ELEMENTS (coded); i++)
    add_week_session (f->store, &coded[i]);
  g_assert_true (vw_store_delete_item (f->store, "XX-GONE-001", &error));
  g_assert_no_error (error);

  g_autoptr (GPtrArray) list = vw_store_list_sessions_in_scope (f->store, &all, &none,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 8);
  g_assert_cmpstr (listed_item_name (list, f->store, "s-6"), ==, "企业设立");
  g_assert_cmpstr (listed_item_name (list, f->store, "s-7"), ==, "食品经营许可证");
  g_assert_null (listed_item_name (list, f->store, "s-8"));   /* removed */
  g_assert_null (listed_item_name (list, f->store, "s-1"));   /* recorded a name */
  /* The code stays what the session recorded. */
  g_autoptr (VwStoreSessionSummary) s8 = vw_store_get_session_in_scope (f->store, &all,
      "s-8", &error);
  g_assert_cmpstr (s8->session->item, ==, "XX-GONE-001");

  /* The filter is on the code; one row per session, named as it is now. */
  add_catalogue_item (f->store, "SP-JY-004", "食品经营许可证（新办）");
  VwStoreSessionFilter by_item = VW_STORE_SESSION_FILTER_INIT;
  by_item.item = "SP-JY-004";
  guint total = 0;
  g_autoptr (GPtrArray) renamed = vw_store_list_sessions_in_scope (f->store, &all,
      &by_item, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (renamed->len, ==, 1);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (((VwStoreSessionSummary *) renamed->pdata[0])->item_name, ==,
      "食品经营许可证（新办）");
}

/* ---- sampling ---- */

static GPtrArray *
candidates_of (const char *const *pairs)
{
  GPtrArray *c = g_ptr_array_new_with_free_func (
      (GDestroyNotify) vw_store_sample_candidate_free);

  for (guint i = 0; pairs[i]; i += 2) {
    VwStoreSampleCandidate *x = g_new0 (VwStoreSampleCandidate, 1);
    x->session_id = g_strdup (pairs[i]);
    x->agent = g_strdup (pairs[i + 1]);
    g_ptr_array_add (c, x);
  }
  return c;
}

static char *
joined (GPtrArray *ids)
{
  g_ptr_array_add (ids, NULL);
  char *s = g_strjoinv (" ", (char **) ids->pdata);
  g_ptr_array_remove_index (ids, ids->len - 1);
  return s;
}

static const char *const many[] = {
  "s-10", "zhangmin", "s-11", "zhangmin", "s-12", "zhangmin", "s-13", "zhangmin",
  "s-14", "zhangmin", "s-20", "wangfang", "s-21", "wangfang", "s-30", "周杰", NULL,
};

/* Which agent a drawn id belongs to, in @many. */
static const char *
agent_of (const char *id)
{
  for (guint i = 0; many[i]; i += 2)
    if (g_str_equal (many[i], id))
      return many[i + 1];
  g_assert_not_reached ();
}

static void
test_sample_draw (void)
{
  g_autoptr (GPtrArray) candidates = candidates_of (many);
  g_autoptr (GPtrArray) draw = vw_store_sample_draw (candidates, 2, 20261122);

  /* Two of 张敏's five, both of 王芳's, 周杰's only one: distinct. */
  g_assert_cmpuint (draw->len, ==, 5);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) per_agent = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < draw->len; i++) {
    const char *id = g_ptr_array_index (draw, i);
    const char *agent = agent_of (id);
    g_assert_true (g_hash_table_add (seen, (gpointer) id));
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (per_agent, agent)) + 1;
    g_hash_table_insert (per_agent, (gpointer) agent, GUINT_TO_POINTER (n));
  }
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (per_agent, "zhangmin")), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (per_agent, "wangfang")), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (per_agent, "周杰")), ==, 1);
  g_assert_true (g_hash_table_contains (seen, "s-20"));
  g_assert_true (g_hash_table_contains (seen, "s-30"));

  /* Reproducible: the same seed, the candidates in another order. */
  g_autofree char *first = joined (draw);
  g_autoptr (GPtrArray) reversed = g_ptr_array_new ();
  for (guint i = candidates->len; i > 0; i--)
    g_ptr_array_add (reversed, g_ptr_array_index (candidates, i - 1));
  g_autoptr (GPtrArray) again = vw_store_sample_draw (reversed, 2, 20261122);
  g_autofree char *second = joined (again);
  g_assert_cmpstr (first, ==, second);

  /* N larger than any agent has: everything, once. */
  g_autoptr (GPtrArray) everything = vw_store_sample_draw (candidates, 50, 7);
  g_autofree char *all_ids = joined (everything);
  g_assert_cmpstr (all_ids, ==, "s-20 s-21 s-10 s-11 s-12 s-13 s-14 s-30");

  /* Random indeed: over seeds, every session of 张敏 is drawn sometimes and
   * the draws differ. */
  g_autoptr (GHashTable) drawn = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  g_autoptr (GHashTable) draws = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  for (guint32 seed = 0; seed < 200; seed++) {
    g_autoptr (GPtrArray) d = vw_store_sample_draw (candidates, 1, seed);
    g_hash_table_add (draws, joined (d));
    for (guint i = 0; i < d->len; i++)
      g_hash_table_add (drawn, g_strdup (g_ptr_array_index (d, i)));
  }
  for (guint i = 0; many[i]; i += 2)
    g_assert_true (g_hash_table_contains (drawn, many[i]));
  g_assert_cmpuint (g_hash_table_size (draws), >=, 5);

  g_autoptr (GPtrArray) empty = g_ptr_array_new ();
  g_autoptr (GPtrArray) nothing = vw_store_sample_draw (empty, 3, 1);
  g_assert_cmpuint (nothing->len, ==, 0);
}

/* Candidates: ended or interrupted sessions of the period and scope, each
 * under its agent's account, or name without one. */
static void
test_sample_candidates (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  build_week (f->store);
  g_autoptr (GPtrArray) week = vw_store_list_sample_candidates (f->store, &all,
      day ("2026-11-20"), NEXT_DAY ("2026-11-26"), &error);
  g_assert_no_error (error);
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < week->len; i++) {
    VwStoreSampleCandidate *c = g_ptr_array_index (week, i);
    g_string_append_printf (s, "%s%s:%s", i ? " " : "", c->session_id, c->agent);
  }
  /* s-4 is still open. */
  g_assert_cmpstr (s->str, ==, "s-1:zhangmin s-2:zhangmin s-3:wangfang s-5:liuyang");

  const VwStoreScope anhui = { VW_STORE_SCOPE_PROVINCE, .province = "anhui" };
  g_autoptr (GPtrArray) scoped = vw_store_list_sample_candidates (f->store, &anhui,
      day ("2026-11-21"), NEXT_DAY ("2026-11-22"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scoped->len, ==, 1);
  g_assert_cmpstr (((VwStoreSampleCandidate *) scoped->pdata[0])->session_id, ==, "s-2");

  /* An agent without an account counts under the name. */
  g_assert_true (vw_store_session_end (f->store, "s-4", "hangup",
          vw_store_test_cst (2026, 11, 22, 23, 40, 0), &error));
  g_autoptr (GPtrArray) day22 = vw_store_list_sample_candidates (f->store, &all,
      day ("2026-11-22"), NEXT_DAY ("2026-11-22"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (day22->len, ==, 2);
  g_assert_cmpstr (((VwStoreSampleCandidate *) day22->pdata[1])->agent, ==, "周杰");

  g_autoptr (GPtrArray) draw = vw_store_sample_draw (week, 1, 42);
  g_autofree char *ids = joined (draw);
  g_assert_cmpuint (draw->len, ==, 3);
  g_assert_true (strstr (ids, "s-3") && strstr (ids, "s-5"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/store-supervision/" path, Fixture, NULL, fixture_setup, (func), \
      fixture_teardown)
  g_test_add_func ("/store-supervision/dates", test_dates);
  ADD ("filters", test_filters);
  ADD ("filter-refusals", test_filter_refusals);
  ADD ("scopes", test_scopes);
  ADD ("get-in-scope", test_get_in_scope);
  ADD ("item-names", test_item_names);
  ADD ("reviews", test_reviews);
  ADD ("rating-once", test_rating_once);
  g_test_add_func ("/store-supervision/sample-draw", test_sample_draw);
  ADD ("sample-candidates", test_sample_candidates);
  return g_test_run ();
}
