/* test-store-snapshots.c: unit tests for the evidence in the server's
 * SQLite store (vw-store.c): snapshots (added, got, listed, refused, never
 * changed) and the annotations drawn on them.  Every test works on a fresh
 * store in a temporary directory.
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

/* ---- snapshots ---- */

static void
assert_snapshot_equal (const VwStoreSnapshot *a, const VwStoreSnapshot *b)
{
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->session_id, ==, b->session_id);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpstr (a->sha256, ==, b->sha256);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpstr (a->mime, ==, b->mime);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpstr (a->requested_by, ==, b->requested_by);
  g_assert_cmpstr (a->sent_by, ==, b->sent_by);
  g_assert_cmpint (a->created_at, ==, b->created_at);
}

static void
test_snapshot_add_get_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSnapshot) got = NULL;
  g_autoptr (GPtrArray) a = NULL, b = NULL, c = NULL;
  VwStoreSnapshot expected;

  BEGIN (f->store, "s-a", T0);
  BEGIN (f->store, "s-b", T0);
  BEGIN (f->store, "s-c", T0);
  /* Listed by created_at, which is neither the order of adding nor of ids. */
  vw_store_test_add_snapshot (f->store, "snap-a-b", "s-a", T0 + 5000);
  vw_store_test_add_snapshot (f->store, "snap-a-x", "s-a", T0 + 1000);
  vw_store_test_add_snapshot (f->store, "snap-b1", "s-b", T0 + 2000);

  got = vw_store_get_snapshot (f->store, "snap-a-x", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  expected = vw_store_test_snapshot ("snap-a-x", "s-a", T0 + 1000);
  assert_snapshot_equal (got, &expected);

  a = vw_store_test_list_snapshots (f->store, "s-a");
  g_assert_cmpuint (a->len, ==, 2);
  g_assert_cmpstr (((VwStoreSnapshot *) a->pdata[0])->id, ==, "snap-a-x");
  expected = vw_store_test_snapshot ("snap-a-b", "s-a", T0 + 5000);
  assert_snapshot_equal (a->pdata[1], &expected);
  b = vw_store_test_list_snapshots (f->store, "s-b");
  g_assert_cmpuint (b->len, ==, 1);
  g_assert_cmpstr (((VwStoreSnapshot *) b->pdata[0])->id, ==, "snap-b1");
  c = vw_store_test_list_snapshots (f->store, "s-c");
  g_assert_cmpuint (c->len, ==, 0);

  g_assert_null (vw_store_get_snapshot (f->store, "snap-z", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (vw_store_list_snapshots (f->store, "s-z", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An upload that completes after the call still counts. */
  g_assert_true (vw_store_session_end (f->store, "s-c", "hangup", T0 + 9000, &error));
  vw_store_test_add_snapshot (f->store, "snap-c1", "s-c", T0 + 9500);
}

static void
test_snapshot_refusals (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *what;
    const char *sha256, *path, *mime, *session;
    gboolean set_size;
    gint64 size;
    gboolean set_width;
    int width;
    int code;
  } cases[] = {
    { "uppercase sha256", .sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", .code = VW_STORE_ERROR_INVALID },
    { "short sha256", .sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", .code = VW_STORE_ERROR_INVALID },
    { "non-hex sha256", .sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g", .code = VW_STORE_ERROR_INVALID },
    { "empty sha256", .sha256 = "", .code = VW_STORE_ERROR_INVALID },
    { "zero size", .set_size = TRUE, .size = 0, .code = VW_STORE_ERROR_INVALID },
    { "negative size", .set_size = TRUE, .size = -2483017, .code = VW_STORE_ERROR_INVALID },
    { "zero width", .set_width = TRUE, .width = 0, .code = VW_STORE_ERROR_INVALID },
    { "absolute path", .path = "/etc/passwd", .code = VW_STORE_ERROR_INVALID },
    { "path up", .path = "../vw.db", .code = VW_STORE_ERROR_INVALID },
    { "path up inside", .path = "snapshots/../../secret.png", .code = VW_STORE_ERROR_INVALID },
    { "empty mime", .mime = "", .code = VW_STORE_ERROR_INVALID },
    { "unknown session", .session = "s-unknown", .code = VW_STORE_ERROR_NOT_FOUND },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  VwStoreSnapshot dup;

  BEGIN (f->store, "s-1", T0);
  vw_store_test_add_snapshot (f->store, "snap-1", "s-1", T0 + 1000);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *id = g_strdup_printf ("snap-bad-%u", i);
    VwStoreSnapshot snap = vw_store_test_snapshot (id, "s-1", T0 + 2000);

    if (cases[i].sha256)
      snap.sha256 = (char *) cases[i].sha256;
    if (cases[i].path)
      snap.path = (char *) cases[i].path;
    if (cases[i].mime)
      snap.mime = (char *) cases[i].mime;
    if (cases[i].session)
      snap.session_id = (char *) cases[i].session;
    if (cases[i].set_size)
      snap.size = cases[i].size;
    if (cases[i].set_width)
      snap.width = cases[i].width;

    g_test_message ("%s", cases[i].what);
    g_assert_false (vw_store_add_snapshot (f->store, &snap, &error));
    g_assert_error (error, VW_STORE_ERROR, cases[i].code);
    g_clear_error (&error);
  }

  dup = vw_store_test_snapshot ("snap-1", "s-1", T0 + 3000);
  g_assert_false (vw_store_add_snapshot (f->store, &dup, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);

  list = vw_store_test_list_snapshots (f->store, "s-1");
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((VwStoreSnapshot *) list->pdata[0])->created_at, ==, T0 + 1000);
}

/* Evidence: the trigger refuses any UPDATE, even outside the API; the
 * CHECK constraints refuse a bad hash even outside the API. */
static void
test_snapshot_immutable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSnapshot) before = NULL, after = NULL;
  static const char *const updates[] = {
    "UPDATE snapshots SET sha256 = '0000000000000000000000000000000000000000000000000000000000000000'",
    "UPDATE snapshots SET path = 'snapshots/other.png' WHERE id = 'snap-1'",
    "UPDATE snapshots SET created_at = created_at",
  };

  BEGIN (f->store, "s-1", T0);
  vw_store_test_add_snapshot (f->store, "snap-1", "s-1", T0 + 1000);
  before = vw_store_get_snapshot (f->store, "snap-1", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (updates); i++) {
    g_assert_false (vw_store_exec_for_test (f->store, updates[i], &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "snapshots are evidence"));
    g_clear_error (&error);
  }
  after = vw_store_get_snapshot (f->store, "snap-1", &error);
  g_assert_no_error (error);
  assert_snapshot_equal (after, before);

  g_assert_false (vw_store_exec_for_test (f->store,
          "INSERT INTO snapshots (id, session_id, path, sha256, size, mime, width,"
          " height, created_at) VALUES ('snap-raw', 's-1', 'a.png', 'ABC', 1,"
          " 'image/png', 1, 1, 1)", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "sha256_is_lowercase_hex"));
}

/* ---- annotations ---- */

static void
test_annotations (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL, other = NULL;
  VwStoreAnnotation missing_signature = { .snapshot_id = "snap-a", .session_id = "s-a",
    .author = "p-agent", .x = 120, .y = 2160, .w = 900, .h = 140,
    .note = "法定代表人签字处缺签名", .created_at = T0 + 70000 };
  VwStoreAnnotation whole_page = { .snapshot_id = "snap-a", .session_id = "s-a",
    .author = "p-agent", .x = 0, .y = 0, .w = 3264, .h = 2448,
    .created_at = T0 + 80000 };
  VwStoreAnnotation a;
  VwStoreAnnotation *got;
  gint64 id1 = 0, id2 = 0;

  BEGIN (f->store, "s-a", T0);
  BEGIN (f->store, "s-b", T0);
  vw_store_test_add_snapshot (f->store, "snap-a", "s-a", T0 + 60000);
  vw_store_test_add_snapshot (f->store, "snap-b", "s-b", T0 + 60000);

  g_assert_true (vw_store_add_annotation (f->store, &missing_signature, &id1, &error));
  g_assert_no_error (error);
  g_assert_true (vw_store_add_annotation (f->store, &whole_page, &id2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id1, >, 0);
  g_assert_cmpint (id2, >, id1);

  /* Unknown snapshot, another session's snapshot: distinct codes. */
  a = missing_signature;
  a.snapshot_id = "snap-z";
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  a = missing_signature;
  a.snapshot_id = "snap-b";
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_WRONG_SESSION);
  g_clear_error (&error);

  /* Outside the 3264x2448 page, empty, anonymous. */
  a = whole_page;
  a.x = 1;
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  a = missing_signature;
  a.h = 0;
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  a = missing_signature;
  a.author = "";
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  list = vw_store_list_annotations (f->store, "snap-a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  got = g_ptr_array_index (list, 0);
  g_assert_cmpint (got->id, ==, id1);
  g_assert_cmpstr (got->snapshot_id, ==, "snap-a");
  g_assert_cmpstr (got->session_id, ==, "s-a");
  g_assert_cmpstr (got->author, ==, "p-agent");
  g_assert_cmpint (got->x, ==, 120);
  g_assert_cmpint (got->y, ==, 2160);
  g_assert_cmpint (got->w, ==, 900);
  g_assert_cmpint (got->h, ==, 140);
  g_assert_cmpstr (got->note, ==, "法定代表人签字处缺签名");
  g_assert_cmpint (got->created_at, ==, T0 + 70000);
  got = g_ptr_array_index (list, 1);
  g_assert_cmpint (got->id, ==, id2);
  g_assert_null (got->note);

  other = vw_store_list_annotations (f->store, "snap-b", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->len, ==, 0);
  g_assert_null (vw_store_list_annotations (f->store, "snap-z", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/store/" path, Fixture, (data), fixture_setup, (func), fixture_teardown)

  ADD ("snapshot/add-get-list", test_snapshot_add_get_list, OPENED);
  ADD ("snapshot/refusals", test_snapshot_refusals, OPENED);
  ADD ("snapshot/immutable", test_snapshot_immutable, OPENED);
  ADD ("annotation/add-list", test_annotations, OPENED);

  return g_test_run ();
}
