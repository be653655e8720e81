/* test-store-follow-ups: the follow-up (整改) of bad ratings in the store
 * (server/store/vw-store-follow-ups.c, schema version 3): opened with the
 * rating in one transaction, due after 15 working days, listed and closed
 * within a supervisor's scope, audited, kept; the request time of a
 * session; the rows the statistics read; the catalogue's names of the
 * sessions' items in both; and the upgrade of a version-2
 * store whose bad ratings get their follow-ups.
 *
 * Sessions (China Standard Time, 2026), about items by their catalogue
 * code (QY-SL-001 企业设立 is in the catalogue, GJJ-TQ-006 was removed from
 * it) or, recorded before codes, by name:
 *   s-1 Fri 11-20 09:30  张敏 (zhangmin, 黄浦) serves 李华 (嘉善), QY-SL-001,
 *                        asked 09:29:15, rated 2
 *   s-2 Sat 11-21 14:00  张敏 serves 赵强 (合肥), QY-SL-001, rated 5
 *   s-3 Mon 11-23 10:00  王芳 (wangfang, 嘉善) serves 陈静 (吴江), GJJ-TQ-006, rated 1
 *   s-4 Mon 11-23 11:00  王芳 serves 孙丽 (黄浦), 企业设立, open
 */
#include "store-test-util.h"
#include "vw-store-private.h"
#include "vw-store-accounts.h"
#include "vw-store-audit.h"
#include "vw-store-follow-ups.h"
#include "vw-store-items.h"
#include "vw-calendar.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define HUANGPU "黄浦区政务服务中心"
#define JIASHAN "嘉善县行政服务中心"
#define WUJIANG "吴江区政务服务中心"
#define HEFEI "合肥市政务服务中心"

typedef VwStoreFixture Fixture;

static const VwStoreScope everything = { VW_STORE_SCOPE_ALL };
static const VwStoreScope huangpu = { VW_STORE_SCOPE_CENTER, .center = HUANGPU,
  .province = "shanghai" };
static const VwStoreScope zhejiang = { VW_STORE_SCOPE_PROVINCE, .province = "zhejiang" };

/* ---- building ---- */

static void
add_item (VwStore *store, const char *code, const char *name)
{
  g_autoptr (GError) error = NULL;
  const char *provinces[] = { "shanghai", NULL };
  VwStoreItem item = { .code = (char *) code, .name = (char *) name, .mode = "remote",
    .department = "市场监督管理局", .provinces = (GStrv) provinces };

  g_assert_true (vw_store_upsert_item (store, &item, vw_store_test_cst (2026, 11, 1, 9, 0, 0), NULL,
          &error));
  g_assert_no_error (error);
}

typedef struct {
  const char *id, *item;
  gint64 requested_at, started_at;
  gint64 duration_s;      /* 0: stays open */
  const char *agent, *agent_account, *agent_province, *agent_center;
  const char *clerk, *clerk_province, *clerk_center;
  int rating;
  gint64 rated_at;
} Call;

static void
add_call (VwStore *store, const Call *c)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession s = { .id = (char *) c->id, .province = "shanghai",
    .item = (char *) c->item, .started_at = c->started_at,
    .requested_at = c->requested_at };
  g_autofree char *agent = g_strconcat ("p-a-", c->id, NULL);
  g_autofree char *clerk = g_strconcat ("p-c-", c->id, NULL);

  g_assert_true (vw_store_session_begin (store, &s, NULL, &error));
  g_assert_no_error (error);
  vw_store_test_add_peer (store, c->id, agent, "agent", c->agent, c->agent_province, c->agent_center,
      c->agent_account, c->started_at);
  vw_store_test_add_peer (store, c->id, clerk, "clerk", c->clerk, c->clerk_province, c->clerk_center,
      NULL, c->started_at);
  if (c->duration_s) {
    g_assert_true (vw_store_session_end (store, c->id, "hangup",
            c->started_at + c->duration_s * 1000, &error));
    g_assert_no_error (error);
  }
  if (c->rating) {
    VwStoreRating r = { .session_id = (char *) c->id, .level = c->rating,
      .comment = c->rating <= 2 ? "材料讲解不清楚，跑了两趟" : NULL,
      .created_at = c->rated_at };
    g_assert_true (vw_store_set_rating (store, &r, &error));
    g_assert_no_error (error);
  }
}

#define S1_AT vw_store_test_cst (2026, 11, 20, 9, 30, 0)
#define S1_RATED vw_store_test_cst (2026, 11, 20, 9, 41, 0)
#define S3_RATED vw_store_test_cst (2026, 11, 23, 10, 25, 0)

static void
build (VwStore *store)
{
  const Call calls[] = {
    { "s-1", "QY-SL-001", vw_store_test_cst (2026, 11, 20, 9, 29, 15), S1_AT, 600, "张敏",
      "zhangmin", "shanghai", HUANGPU, "李华", "zhejiang", JIASHAN, 2, S1_RATED },
    { "s-2", "QY-SL-001", 0, vw_store_test_cst (2026, 11, 21, 14, 0, 0), 300, "张敏", "zhangmin",
      "shanghai", HUANGPU, "赵强", "anhui", HEFEI, 5, vw_store_test_cst (2026, 11, 21, 14, 6, 0) },
    { "s-3", "GJJ-TQ-006", vw_store_test_cst (2026, 11, 23, 9, 58, 0), vw_store_test_cst (2026, 11, 23, 10, 0, 0),
      1200, "王芳", "wangfang", "zhejiang", JIASHAN, "陈静", "jiangsu", WUJIANG, 1,
      S3_RATED },
    { "s-4", "企业设立", vw_store_test_cst (2026, 11, 23, 10, 59, 0), vw_store_test_cst (2026, 11, 23, 11, 0, 0), 0,
      "王芳", "wangfang", "zhejiang", JIASHAN, "孙丽", "shanghai", HUANGPU, 0, 0 },
  };
  g_autoptr (GError) error = NULL;

  add_item (store, "QY-SL-001", "企业设立");
  add_item (store, "GJJ-TQ-006", "公积金跨省提取");

  vw_store_test_add_account (store, "zhangmin", "agent", "张敏", "shanghai", HUANGPU);
  vw_store_test_add_account (store, "wangfang", "agent", "王芳", "zhejiang", JIASHAN);
  vw_store_test_add_account (store, "chenjun", "supervisor", "陈军", "shanghai", HUANGPU);
  vw_store_test_add_account (store, "xuli", "supervisor", "徐丽", "zhejiang", JIASHAN);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    add_call (store, &calls[i]);
  g_assert_true (vw_store_delete_item (store, "GJJ-TQ-006", &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  vw_store_fixture_init (f, "vw-follow-ups", TRUE);
  build (f->store);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_fixture_clear (f);
}

static char *
ids (GPtrArray *list)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
        ((VwStoreFollowUp *) g_ptr_array_index (list, i))->session_id);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GPtrArray *
list (VwStore *store, const VwStoreScope *scope, VwStoreFollowUpFilter filter)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *l = vw_store_list_follow_ups (store, scope, filter, &error);

  g_assert_no_error (error);
  g_assert_nonnull (l);
  return l;
}

/* ---- opening ---- */

/* Ratings 2 and 1 open one each, with everything a supervisor needs; 5
 * does not. */
static void
test_opened (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) all = list (f->store, &everything, VW_STORE_FOLLOW_UPS_ALL);
  g_autofree char *order = ids (all);

  /* Open ones, soonest due first. */
  g_assert_cmpstr (order, ==, "s-1 s-3");
  VwStoreFollowUp *a = g_ptr_array_index (all, 0);
  g_assert_cmpint (a->id, >, 0);
  g_assert_true (g_str_has_prefix (a->case_no, "VW-20261120-"));
  g_assert_cmpstr (a->province, ==, "shanghai");
  g_assert_cmpstr (a->item, ==, "QY-SL-001");
  g_assert_cmpstr (a->item_name, ==, "企业设立");   /* from the catalogue */
  g_assert_cmpstr (a->agent_name, ==, "张敏");
  g_assert_cmpstr (a->agent_account, ==, "zhangmin");
  g_assert_cmpstr (a->agent_center, ==, HUANGPU);
  g_assert_cmpstr (a->clerk_name, ==, "李华");
  g_assert_cmpstr (a->clerk_province, ==, "zhejiang");
  g_assert_cmpstr (a->clerk_center, ==, JIASHAN);
  g_assert_cmpint (a->level, ==, 2);
  g_assert_cmpstr (a->comment, ==, "材料讲解不清楚，跑了两趟");
  g_assert_cmpint (a->rated_at, ==, S1_RATED);
  g_assert_cmpint (a->opened_at, ==, S1_RATED);
  /* Friday 11-20: due at the end of Friday 12-11. */
  g_assert_cmpint (a->due_at, ==, vw_store_test_cst (2026, 12, 12, 0, 0, 0));
  g_assert_cmpint (a->closed_at, ==, 0);
  g_assert_null (a->closed_by);
  g_assert_null (a->resolution);
  VwStoreFollowUp *b = g_ptr_array_index (all, 1);
  g_assert_cmpint (b->level, ==, 1);
  g_assert_cmpstr (b->item, ==, "GJJ-TQ-006");
  g_assert_null (b->item_name);   /* removed from the catalogue */
  /* Monday 11-23: due at the end of Monday 12-14. */
  g_assert_cmpint (b->due_at, ==, vw_store_test_cst (2026, 12, 15, 0, 0, 0));

  /* The timeline says so. */
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = vw_store_list_events (f->store, "s-1", &error);
  g_assert_no_error (error);
  gboolean seen = FALSE;
  for (guint i = 0; i < events->len; i++) {
    VwStoreEvent *e = g_ptr_array_index (events, i);
    if (g_str_equal (e->type, "follow-up-opened")) {
      seen = TRUE;
      g_assert_cmpint (e->at, ==, S1_RATED);
      g_assert_nonnull (strstr (e->detail, "\"due_at\""));
    }
  }
  g_assert_true (seen);
  gint64 n = 0;
  g_assert_true (vw_store_count_open_follow_ups (f->store, &n, &error));
  g_assert_cmpint (n, ==, 2);
}

/* If the follow-up cannot be written, the rating is not stored either. */
static void
test_opened_atomically (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreRating r = { .session_id = "s-4", .level = 2,
    .created_at = vw_store_test_cst (2026, 11, 23, 11, 30, 0) };

  /* s-4 ends, then its follow-up is made to fail. */
  g_assert_true (vw_store_session_end (f->store, "s-4", "hangup", r.created_at - 1000,
          &error));
  g_assert_true (vw_store_exec_for_test (f->store,
          "CREATE TEMP TRIGGER refuse BEFORE INSERT ON follow_ups BEGIN"
          " SELECT RAISE (ABORT, 'disk full (test)'); END", &error));
  g_assert_no_error (error);
  g_assert_false (vw_store_set_rating (f->store, &r, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "disk full (test)"));
  g_clear_error (&error);
  g_assert_null (vw_store_get_rating (f->store, "s-4", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Once it can, both are stored. */
  g_assert_true (vw_store_exec_for_test (f->store, "DROP TRIGGER temp.refuse", &error));
  g_assert_true (vw_store_set_rating (f->store, &r, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) open = list (f->store, &everything, VW_STORE_FOLLOW_UPS_OPEN);
  g_autofree char *order = ids (open);
  g_assert_cmpstr (order, ==, "s-1 s-3 s-4");
}

/* ---- scope ---- */

static void
test_scope (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) mine = list (f->store, &huangpu, VW_STORE_FOLLOW_UPS_ALL);
  g_autoptr (GPtrArray) theirs = list (f->store, &zhejiang, VW_STORE_FOLLOW_UPS_ALL);
  g_autofree char *m = ids (mine), *t = ids (theirs);

  /* 黄浦: s-1 (its agent).  Zhejiang: s-1 (the clerk of 嘉善) and s-3. */
  g_assert_cmpstr (m, ==, "s-1");
  g_assert_cmpstr (t, ==, "s-1 s-3");
  VwStoreFollowUp *s3 = g_ptr_array_index (theirs, 1);
  g_autoptr (VwStoreFollowUp) got = vw_store_get_follow_up (f->store, &zhejiang, s3->id,
      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->session_id, ==, "s-3");
  /* Outside the scope it is as unknown as an id that does not exist. */
  g_assert_null (vw_store_get_follow_up (f->store, &huangpu, s3->id, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (vw_store_get_follow_up (f->store, &everything, 9999, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_close_follow_up (f->store, &huangpu, s3->id, "chenjun",
          "已回访", vw_store_test_cst (2026, 11, 24, 9, 0, 0), NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autoptr (GPtrArray) still = list (f->store, &everything, VW_STORE_FOLLOW_UPS_OPEN);
  g_assert_cmpuint (still->len, ==, 2);
}

/* ---- closing ---- */

static void
test_close (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) open = list (f->store, &huangpu, VW_STORE_FOLLOW_UPS_OPEN);
  VwStoreFollowUp *s1 = g_ptr_array_index (open, 0);
  gint64 id = s1->id, at = vw_store_test_cst (2026, 11, 25, 16, 0, 0);
  const char *how = "已电话回访李华，重新讲解材料要求，对帮办专员进行提醒。";
  VwStoreFollowUp *closed = NULL;

  /* Refused: no resolution, an unknown account. */
  g_assert_false (vw_store_close_follow_up (f->store, &huangpu, id, "chenjun", "", at,
          NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (vw_store_close_follow_up (f->store, &huangpu, id, "nobody", how, at,
          NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (vw_store_close_follow_up (f->store, &huangpu, id, "chenjun", how, at,
          &closed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (closed->closed_at, ==, at);
  g_assert_cmpstr (closed->closed_by, ==, "chenjun");
  g_assert_cmpstr (closed->closed_by_name, ==, "陈军");
  g_assert_cmpstr (closed->resolution, ==, how);
  vw_store_follow_up_free (closed);

  /* Once only. */
  g_assert_false (vw_store_close_follow_up (f->store, &huangpu, id, "chenjun", "再次",
          at + 1000, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Closed ones come after the open ones. */
  g_autoptr (GPtrArray) all = list (f->store, &everything, VW_STORE_FOLLOW_UPS_ALL);
  g_autoptr (GPtrArray) done = list (f->store, &everything, VW_STORE_FOLLOW_UPS_CLOSED);
  g_autofree char *order = ids (all), *closed_ids = ids (done);
  g_assert_cmpstr (order, ==, "s-3 s-1");
  g_assert_cmpstr (closed_ids, ==, "s-1");

  /* Audited, once, with the case and whether it was late. */
  g_autoptr (GPtrArray) log = vw_store_list_audit (f->store, 0, G_MAXINT64, "s-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  VwStoreAuditEntry *e = g_ptr_array_index (log, 0);
  g_assert_cmpstr (e->action, ==, "close-follow-up");
  g_assert_cmpstr (e->actor, ==, "chenjun");
  g_assert_cmpint (e->at, ==, at);
  g_autofree char *want = g_strdup_printf ("{\"follow_up\":%" G_GINT64_FORMAT
      ",\"case_no\":\"%s\",\"overdue\":false}", id, s1->case_no);
  g_assert_cmpstr (e->detail, ==, want);
  g_autoptr (GPtrArray) events = vw_store_list_events (f->store, "s-1", &error);
  VwStoreEvent *last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (last->type, ==, "follow-up-closed");
  gint64 n = 0;
  g_assert_true (vw_store_count_open_follow_ups (f->store, &n, &error));
  g_assert_cmpint (n, ==, 1);
}

/* Closed after its due date: the audit entry says it was overdue. */
static void
test_close_late (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) open = list (f->store, &zhejiang, VW_STORE_FOLLOW_UPS_OPEN);
  VwStoreFollowUp *s3 = g_ptr_array_index (open, 1);

  g_assert_cmpstr (s3->session_id, ==, "s-3");
  g_assert_true (vw_store_close_follow_up (f->store, &zhejiang, s3->id, "xuli",
          "已整改", s3->due_at, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) log = vw_store_list_audit (f->store, 0, G_MAXINT64, "s-3", &error);
  VwStoreAuditEntry *e = g_ptr_array_index (log, 0);
  g_assert_nonnull (strstr (e->detail, "\"overdue\":true"));
}

/* The database itself refuses to lose or rewrite a bad rating or its
 * follow-up. */
static void
test_kept (Fixture *f, gconstpointer data)
{
  const char *refused[] = {
    "DELETE FROM follow_ups",
    "UPDATE follow_ups SET due_at = due_at + 86400000",
    "DELETE FROM ratings WHERE session_id = 's-1'",
    "UPDATE ratings SET level = 5 WHERE session_id = 's-1'",
  };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_test_message ("%s", refused[i]);
    g_assert_false (vw_store_exec_for_test (f->store, refused[i], &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  /* A closed one is never changed again, even by SQL. */
  g_assert_true (vw_store_exec_for_test (f->store, "UPDATE follow_ups SET closed_at = 1,"
          " closed_by = 'chenjun', resolution = 'x' WHERE session_id = 's-1'", &error));
  g_assert_no_error (error);
  g_assert_false (vw_store_exec_for_test (f->store, "UPDATE follow_ups SET"
          " resolution = 'y' WHERE session_id = 's-1'", &error));
  g_assert_nonnull (strstr (error->message, "closed once"));
  g_clear_error (&error);
  /* Half a close is refused: who and how come together. */
  g_assert_false (vw_store_exec_for_test (f->store, "UPDATE follow_ups SET closed_at = 1"
          " WHERE session_id = 's-3'", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
}

/* ---- request times and statistics rows ---- */

static void
test_requested_at (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSession) s1 = vw_store_get_session (f->store, "s-1", &error);
  g_autoptr (VwStoreSession) s2 = vw_store_get_session (f->store, "s-2", &error);

  g_assert_cmpint (s1->requested_at, ==, vw_store_test_cst (2026, 11, 20, 9, 29, 15));
  g_assert_cmpint (s2->requested_at, ==, 0);   /* not known */
  /* A request stamped after the start (the clock stepped back) is taken
   * as the start. */
  VwStoreSession s = { .id = "s-9", .province = "anhui", .started_at = S1_AT,
    .requested_at = S1_AT + 700 };
  g_assert_true (vw_store_session_begin (f->store, &s, NULL, &error));
  g_autoptr (VwStoreSession) s9 = vw_store_get_session (f->store, "s-9", &error);
  g_assert_cmpint (s9->requested_at, ==, S1_AT);
}

static VwStatsRecord *
record_of (GPtrArray *records, const char *id)
{
  for (guint i = 0; i < records->len; i++) {
    VwStatsRecord *r = g_ptr_array_index (records, i);
    if (g_str_equal (r->session_id, id))
      return r;
  }
  return NULL;
}

static void
test_stats_records (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 from = vw_store_test_cst (2026, 11, 20, 0, 0, 0), to = vw_store_test_cst (2026, 11, 24, 0, 0, 0);
  /* "Now" is after s-1's follow-up was due, before s-3's. */
  gint64 now = vw_store_test_cst (2026, 12, 14, 12, 0, 0);
  g_autoptr (GPtrArray) all = vw_store_list_stats_records (f->store, &everything, from,
      to, now, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 4);
  VwStatsRecord *r = g_ptr_array_index (all, 0);
  g_assert_cmpstr (r->session_id, ==, "s-1");
  g_assert_cmpstr (r->province, ==, "shanghai");
  g_assert_cmpstr (r->item, ==, "QY-SL-001");
  g_assert_cmpstr (r->item_name, ==, "企业设立");
  g_assert_cmpstr (r->agent_key, ==, "zhangmin");
  g_assert_cmpstr (r->agent_name, ==, "张敏");
  g_assert_cmpstr (r->agent_center, ==, HUANGPU);
  g_assert_cmpstr (r->clerk_name, ==, "李华");
  g_assert_cmpstr (r->clerk_province, ==, "zhejiang");
  g_assert_cmpstr (r->clerk_center, ==, JIASHAN);
  g_assert_cmpint (r->requested_at, ==, vw_store_test_cst (2026, 11, 20, 9, 29, 15));
  g_assert_cmpint (r->started_at, ==, S1_AT);
  g_assert_cmpint (r->ended_at, ==, S1_AT + 600000);
  g_assert_true (r->ended);
  g_assert_cmpint (r->rating, ==, 2);
  g_assert_true (r->follow_up_open);
  g_assert_true (r->follow_up_overdue);
  VwStatsRecord *s3 = record_of (all, "s-3");
  g_assert_true (s3->follow_up_open && !s3->follow_up_overdue);
  g_assert_null (s3->item_name);
  VwStatsRecord *s4 = record_of (all, "s-4");
  g_assert_null (s4->item_name);   /* a name recorded before codes */
  g_assert_false (s4->ended);
  g_assert_cmpint (s4->ended_at, ==, 0);
  g_assert_cmpint (s4->rating, ==, 0);
  g_assert_false (s4->follow_up_open);

  /* The period and the scope. */
  g_autoptr (GPtrArray) monday = vw_store_list_stats_records (f->store, &everything,
      vw_store_test_cst (2026, 11, 23, 0, 0, 0), to, now, &error);
  g_assert_cmpuint (monday->len, ==, 2);
  g_autoptr (GPtrArray) mine = vw_store_list_stats_records (f->store, &huangpu, from, to,
      now, &error);
  /* 黄浦: 张敏's two, and s-4 whose clerk is of 黄浦. */
  g_assert_cmpuint (mine->len, ==, 3);
  g_assert_null (record_of (mine, "s-3"));

  /* Grouped: what the API will show. */
  g_autoptr (GPtrArray) groups = vw_stats_group (all, VW_STATS_BY_AGENT);
  /* Two each: by key. */
  VwStatsGroup *w = g_ptr_array_index (groups, 0), *z = g_ptr_array_index (groups, 1);
  g_assert_cmpstr (w->key, ==, "wangfang");
  g_assert_cmpint (w->wait_mean_ms, ==, 90000);   /* 120 s and 60 s */
  g_assert_cmpstr (z->key, ==, "zhangmin");
  g_assert_cmpuint (z->connections, ==, 2);
  g_assert_cmpuint (z->waits, ==, 1);   /* s-2's request time is not known */
  g_assert_cmpint (z->wait_mean_ms, ==, 45000);
  /* By item: each shown by its catalogue name, else by what it recorded. */
  g_autoptr (GPtrArray) items = vw_stats_group (all, VW_STATS_BY_ITEM);
  const char *expected[][2] = { { "QY-SL-001", "企业设立" },
    { "GJJ-TQ-006", "GJJ-TQ-006" }, { "企业设立", "企业设立" } };
  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < items->len; i++) {
    VwStatsGroup *g = g_ptr_array_index (items, i);
    g_assert_cmpstr (g->key, ==, expected[i][0]);
    g_assert_cmpstr (g->name, ==, expected[i][1]);
  }

  gint64 sessions = 0, ratings[6];
  g_assert_true (vw_store_count_totals (f->store, &sessions, ratings, &error));
  g_assert_cmpint (sessions, ==, 4);
  g_assert_cmpint (ratings[1], ==, 1);
  g_assert_cmpint (ratings[2], ==, 1);
  g_assert_cmpint (ratings[3] + ratings[4], ==, 0);
  g_assert_cmpint (ratings[5], ==, 1);
}

/* ---- upgrading ---- */

static void
db_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* A version-2 store with bad ratings (given on each day of a week, and
 * just before and after midnight) gets their follow-ups when version 3
 * opens it, due exactly as vw_calendar_deadline() says. */
static void
test_upgrade_from_2 (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-follow-ups-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "vw.db", NULL);
  gint64 times[] = {
    vw_store_test_cst (2026, 11, 16, 9, 0, 0), vw_store_test_cst (2026, 11, 17, 9, 0, 0), vw_store_test_cst (2026, 11, 18, 9, 0, 0),
    vw_store_test_cst (2026, 11, 19, 9, 0, 0), vw_store_test_cst (2026, 11, 20, 23, 59, 59) + 999,
    vw_store_test_cst (2026, 11, 21, 0, 0, 0), vw_store_test_cst (2026, 11, 22, 12, 0, 0), vw_store_test_cst (2026, 11, 22, 23, 59, 59),
  };
  VwStore *store = vw_store_open (path, &error);

  g_assert_no_error (error);
  vw_store_close (store);
  /* Back to version 2: what migrations 3 to 6 add, removed; sessions
   * and ratings as version 2 wrote them (no follow-ups), one good rating. */
  db_exec (path, "DROP TABLE bookings; DROP TABLE slots;"
      " DROP TABLE items; DROP TRIGGER follow_ups_are_kept; DROP TRIGGER follow_ups_close_once;"
      " DROP TRIGGER ratings_are_kept; DROP TRIGGER ratings_are_not_deleted;"
      " DROP TABLE follow_ups; ALTER TABLE sessions DROP COLUMN requested_at;"
      " ALTER TABLE accounts DROP COLUMN signed_out_at;"
      " PRAGMA user_version = 2;");
  for (guint i = 0; i < G_N_ELEMENTS (times); i++) {
    g_autofree char *sql = g_strdup_printf (
        "INSERT INTO sessions (id, case_no, province, started_at, ended_at, state)"
        " VALUES ('s-%u', 'VW-20261116-%06u', 'shanghai', %" G_GINT64_FORMAT ", %"
        G_GINT64_FORMAT ", 'ended');"
        " INSERT INTO ratings (session_id, level, created_at) VALUES ('s-%u', %d, %"
        G_GINT64_FORMAT ");", i, i + 1, times[i] - 600000, times[i] - 1000, i,
        i == 3 ? 4 : 1 + (int) (i % 2), times[i]);
    db_exec (path, sql);
  }

  store = vw_store_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) all = vw_store_list_follow_ups (store, &everything,
      VW_STORE_FOLLOW_UPS_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (times) - 1);
  for (guint i = 0; i < all->len; i++) {
    VwStoreFollowUp *fu = g_ptr_array_index (all, i);
    guint n = g_ascii_strtoull (fu->session_id + 2, NULL, 10);
    g_autofree char *due = vw_calendar_format_date (fu->due_at - 1);
    g_test_message ("rated %s: due by the end of %s", fu->session_id, due);
    g_assert_cmpuint (n, !=, 3);
    g_assert_cmpint (fu->opened_at, ==, times[n]);
    g_assert_cmpint (fu->due_at, ==, vw_calendar_deadline (NULL, times[n],
            VW_FOLLOW_UP_WORKING_DAYS));
  }
  /* Sessions of version 2 have no request time. */
  g_autoptr (VwStoreSession) s = vw_store_get_session (store, "s-0", &error);
  g_assert_cmpint (s->requested_at, ==, 0);
  vw_store_close (store);
  vw_store_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add ("/store-follow-ups/" path, Fixture, NULL, fixture_setup, (func), \
      fixture_teardown)
  ADD ("opened", test_opened);
  ADD ("opened-atomically", test_opened_atomically);
  ADD ("scope", test_scope);
  ADD ("close", test_close);
  ADD ("close-late", test_close_late);
  ADD ("kept", test_kept);
  ADD ("requested-at", test_requested_at);
  ADD ("stats-records", test_stats_records);
  g_test_add_func ("/store-follow-ups/upgrade-from-2", test_upgrade_from_2);
  return g_test_run ();
}
