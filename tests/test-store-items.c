/* test-store-items.c: unit tests for the catalogue of service items
 * (vw-store-items.c): upsert, get, list, delete, and the refusal of bad
 * items (table-driven).
 *
 * Every test works on a fresh store in its own temporary directory.  The
 * items are those of the cross-province window: 企业设立 (QY-SL-001,
 * 市场监督管理局) and 公积金跨省提取 (GJJ-TQ-006, 住房公积金管理中心).
 */
#include "vw-store-items.h"
#include "store-test-util.h"
#include "vw-store-private.h"

#include <glib/gstdio.h>
#include <string.h>

#define T0 ((gint64) 1795317066900)   /* unix ms, 2026-11-22 */

typedef VwStoreFixture Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  vw_store_fixture_init (f, "vw-items", TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_fixture_clear (f);
}

static char *setup_provinces[] = { "shanghai", "jiangsu", "zhejiang", "anhui", NULL };
static char *setup_centers[] = { "黄浦区政务服务中心", "嘉善县行政服务中心", NULL };
static char *fund_provinces[] = { "shanghai", NULL };

static VwStoreItem
company_setup (void)
{
  return (VwStoreItem) { .code = "QY-SL-001", .name = "企业设立", .mode = "remote",
    .department = "市场监督管理局", .provinces = setup_provinces,
    .centers = setup_centers };
}

static VwStoreItem
fund_withdrawal (void)
{
  return (VwStoreItem) { .code = "GJJ-TQ-006", .name = "公积金跨省提取",
    .mode = "remote", .department = "住房公积金管理中心",
    .provinces = fund_provinces };
}

static void
assert_strv (GStrv got, const char *const *want)
{
  g_assert_nonnull (got);
  g_assert_cmpuint (g_strv_length (got), ==, want ? g_strv_length ((GStrv) want) : 0);
  for (guint i = 0; want && want[i]; i++)
    g_assert_cmpstr (got[i], ==, want[i]);
}

static void
test_upsert_get (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreItem item = company_setup ();
  gboolean created = FALSE;

  g_assert_true (vw_store_upsert_item (f->store, &item, T0, &created, &error));
  g_assert_no_error (error);
  g_assert_true (created);

  g_autoptr (VwStoreItem) got = vw_store_get_item (f->store, "QY-SL-001", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->code, ==, "QY-SL-001");
  g_assert_cmpstr (got->name, ==, "企业设立");
  g_assert_cmpstr (got->mode, ==, "remote");
  g_assert_cmpstr (got->department, ==, "市场监督管理局");
  assert_strv (got->provinces, (const char *const *) setup_provinces);
  assert_strv (got->centers, (const char *const *) setup_centers);
  g_assert_cmpint (got->updated_at, ==, T0);

  /* Replacing: the new values, including an emptied list. */
  item.name = "企业设立登记";
  item.mode = "online";
  item.centers = NULL;
  item.provinces = fund_provinces;
  g_assert_true (vw_store_upsert_item (f->store, &item, T0 + 1000, &created, &error));
  g_assert_false (created);
  g_autoptr (VwStoreItem) again = vw_store_get_item (f->store, "QY-SL-001", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->name, ==, "企业设立登记");
  g_assert_cmpstr (again->mode, ==, "online");
  assert_strv (again->provinces, (const char *const *) fund_provinces);
  assert_strv (again->centers, NULL);
  g_assert_cmpint (again->updated_at, ==, T0 + 1000);
}

/* Quotes and backslashes survive the JSON text of the lists. */
static void
test_odd_centre_names (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  char *centers[] = { "\"新区\"中心", "a\\b", NULL };
  VwStoreItem item = fund_withdrawal ();

  item.centers = centers;
  g_assert_true (vw_store_upsert_item (f->store, &item, T0, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreItem) got = vw_store_get_item (f->store, item.code, &error);
  g_assert_no_error (error);
  assert_strv (got->centers, (const char *const *) centers);
}

static void
test_list_count_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreItem a = company_setup (), b = fund_withdrawal ();
  guint n = 99;

  g_assert_true (vw_store_count_items (f->store, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (vw_store_upsert_item (f->store, &a, T0, NULL, &error));
  g_assert_true (vw_store_upsert_item (f->store, &b, T0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vw_store_count_items (f->store, &n, &error));
  g_assert_cmpuint (n, ==, 2);

  g_autoptr (GPtrArray) list = vw_store_list_items (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  /* By code. */
  g_assert_cmpstr (((VwStoreItem *) list->pdata[0])->code, ==, "GJJ-TQ-006");
  g_assert_cmpstr (((VwStoreItem *) list->pdata[1])->code, ==, "QY-SL-001");
  assert_strv (((VwStoreItem *) list->pdata[1])->centers,
      (const char *const *) setup_centers);

  g_assert_true (vw_store_delete_item (f->store, "GJJ-TQ-006", &error));
  g_assert_no_error (error);
  g_assert_false (vw_store_delete_item (f->store, "GJJ-TQ-006", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (vw_store_get_item (f->store, "GJJ-TQ-006", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (vw_store_count_items (f->store, &n, &error));
  g_assert_cmpuint (n, ==, 1);
}

typedef struct {
  const char *what;
  const char *code, *name, *mode, *department;
  const char *provinces[4];
  const char *centers[3];
} BadCase;

static const BadCase bad_cases[] = {
  { "no code", NULL, "企业设立", "remote", "市场监督管理局", { "shanghai" } },
  { "empty code", "", "企业设立", "remote", "市场监督管理局", { "shanghai" } },
  { "lower-case code", "qy-sl-001", "企业设立", "remote", "市场监督管理局", { "shanghai" } },
  { "code with a space", "QY SL", "企业设立", "remote", "市场监督管理局", { "shanghai" } },
  { "code with a slash", "QY/SL", "企业设立", "remote", "市场监督管理局", { "shanghai" } },
  { "code starting with a digit", "1-QY", "企业设立", "remote", "市场监督管理局", { "shanghai" } },
  { "code ending with a dash", "QY-", "企业设立", "remote", "市场监督管理局", { "shanghai" } },
  { "code too long", "QY-0123456789012345678901234567890", "企业设立", "remote",
    "市场监督管理局", { "shanghai" } },
  { "no name", "QY-SL-001", NULL, "remote", "市场监督管理局", { "shanghai" } },
  { "empty name", "QY-SL-001", "", "remote", "市场监督管理局", { "shanghai" } },
  { "name with a newline", "QY-SL-001", "企业\n设立", "remote", "市场监督管理局",
    { "shanghai" } },
  { "no mode", "QY-SL-001", "企业设立", NULL, "市场监督管理局", { "shanghai" } },
  { "unknown mode", "QY-SL-001", "企业设立", "phone", "市场监督管理局", { "shanghai" } },
  { "mode in Chinese", "QY-SL-001", "企业设立", "远程窗口", "市场监督管理局", { "shanghai" } },
  { "no department", "QY-SL-001", "企业设立", "remote", NULL, { "shanghai" } },
  { "empty department", "QY-SL-001", "企业设立", "remote", "", { "shanghai" } },
  { "unknown province", "QY-SL-001", "企业设立", "remote", "市场监督管理局",
    { "shanghai", "beijing" } },
  { "province in Chinese", "QY-SL-001", "企业设立", "remote", "市场监督管理局", { "上海" } },
  { "province twice", "QY-SL-001", "企业设立", "remote", "市场监督管理局",
    { "anhui", "anhui" } },
  { "empty centre", "QY-SL-001", "企业设立", "remote", "市场监督管理局", { "shanghai" },
    { "" } },
  { "centre twice", "QY-SL-001", "企业设立", "remote", "市场监督管理局", { "shanghai" },
    { "黄浦区政务服务中心", "黄浦区政务服务中心" } },
};

static void
test_bad_items (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    const BadCase *c = &bad_cases[i];
    g_autoptr (GError) error = NULL;
    VwStoreItem item = { .code = (char *) c->code, .name = (char *) c->name,
      .mode = (char *) c->mode, .department = (char *) c->department,
      .provinces = (GStrv) c->provinces, .centers = (GStrv) c->centers };
    guint n = 99;

    g_test_message ("%s", c->what);
    g_assert_false (vw_store_upsert_item (f->store, &item, T0, NULL, &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_assert_true (vw_store_count_items (f->store, &n, NULL));
    g_assert_cmpuint (n, ==, 0);
  }

  /* No time is a bad value too. */
  g_autoptr (GError) error = NULL;
  VwStoreItem item = company_setup ();
  g_assert_false (vw_store_upsert_item (f->store, &item, 0, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
}

/* An item handled nowhere remotely (on site only) has empty lists. */
static void
test_onsite_item (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreItem item = { .code = "BDC-DJ-010", .name = "不动产登记", .mode = "onsite",
    .department = "规划和自然资源局" };

  g_assert_true (vw_store_upsert_item (f->store, &item, T0, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (VwStoreItem) got = vw_store_get_item (f->store, "BDC-DJ-010", &error);
  g_assert_no_error (error);
  assert_strv (got->provinces, NULL);
  assert_strv (got->centers, NULL);
}

/* The table refuses what the code never writes. */
static void
test_table_checks (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (vw_store_exec_for_test (f->store,
          "INSERT INTO items VALUES ('A-1', 'x', 'phone', 'd', '[]', '[]', 1)", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (vw_store_exec_for_test (f->store,
          "INSERT INTO items VALUES ('A-1', 'x', 'remote', 'd', '{}', '[]', 1)", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/items/upsert-get", test_upsert_get);
  ADD ("/items/odd-centre-names", test_odd_centre_names);
  ADD ("/items/list-count-delete", test_list_count_delete);
  ADD ("/items/bad", test_bad_items);
  ADD ("/items/onsite", test_onsite_item);
  ADD ("/items/table-checks", test_table_checks);
#undef ADD
  return g_test_run ();
}
