/* vw-store-items.c: the catalogue of service items (see vw-store-items.h).
 *
 * provinces and centers are kept as JSON arrays of strings: written from
 * checked strings (printable UTF-8, quotes and backslashes escaped), read
 * back with SQLite's json_each. */
#include "vw-store-items.h"
#include "vw-store-db.h"

#include <string.h>

/* The wire names of the provinces (as vw_province_is_known() knows them;
 * the store library does not link the protocol). */
static const char *const provinces[] = { "shanghai", "jiangsu", "zhejiang", "anhui", NULL };
static const char *const modes[] = { "remote", "online", "onsite", NULL };

gboolean
vw_store_item_code_is_valid (const char *code)
{
  gsize len = code ? strlen (code) : 0;

  if (len == 0 || len > VW_STORE_ITEM_CODE_MAX || !g_ascii_isupper (code[0])
      || code[len - 1] == '-')
    return FALSE;
  for (const char *p = code; *p; p++)
    if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* Non-empty printable UTF-8 of at most VW_STORE_ITEM_TEXT_MAX bytes. */
static gboolean
check_text (const char *value, const char *what, GError **error)
{
  if (!store_require_text (value, what, error))
    return FALSE;
  gsize len = strlen (value);
  gboolean ok = len <= VW_STORE_ITEM_TEXT_MAX && g_utf8_validate (value, len, NULL);

  for (const char *p = value; ok && *p; p = g_utf8_next_char (p))
    ok = g_unichar_isprint (g_utf8_get_char (p));
  if (ok)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID,
      "%s must be 1..%d bytes of printable UTF-8", what, VW_STORE_ITEM_TEXT_MAX);
}

static gboolean
check_no_repeat (const GStrv list, guint i, const char *what, GError **error)
{
  for (guint j = 0; j < i; j++)
    if (g_str_equal (list[j], list[i]))
      return store_fail (error, VW_STORE_ERROR_INVALID, "%s '%s' is listed twice",
          what, list[i]);
  return TRUE;
}

gboolean
vw_store_item_check (const VwStoreItem *item, GError **error)
{
  g_return_val_if_fail (item != NULL, FALSE);

  if (!vw_store_item_code_is_valid (item->code))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "item code '%.40s' must be 1..%d of A-Z, 0-9 and '-', starting with a letter",
        item->code ? item->code : "(null)", VW_STORE_ITEM_CODE_MAX);
  if (!check_text (item->name, "item name", error))
    return FALSE;
  if (!item->mode || !g_strv_contains (modes, item->mode))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "mode '%.40s' is none of remote, online, onsite",
        item->mode ? item->mode : "(null)");
  if (!check_text (item->department, "department", error))
    return FALSE;
  for (guint i = 0; item->provinces && item->provinces[i]; i++) {
    if (!g_strv_contains (provinces, item->provinces[i]))
      return store_fail (error, VW_STORE_ERROR_INVALID,
          "province '%.40s' is none of shanghai, jiangsu, zhejiang, anhui",
          item->provinces[i]);
    if (!check_no_repeat (item->provinces, i, "province", error))
      return FALSE;
  }
  for (guint i = 0; item->centers && item->centers[i]; i++)
    if (!check_text (item->centers[i], "centre name", error)
        || !check_no_repeat (item->centers, i, "centre", error))
      return FALSE;
  return TRUE;
}

/* A JSON array of checked strings (no control characters). */
static char *
json_array_text (const GStrv list)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; list && list[i]; i++) {
    if (i)
      g_string_append_c (s, ',');
    g_string_append_c (s, '"');
    for (const char *p = list[i]; *p; p++) {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
    g_string_append_c (s, '"');
  }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static gboolean
item_upsert (VwStore *store, const VwStoreItem *item, gint64 at, gboolean *created_out,
    GError **error)
{
  g_autofree char *provinces_json = json_array_text (item->provinces);
  g_autofree char *centers_json = json_array_text (item->centers);
  gboolean existed;

  if (!store_exists (store, "SELECT 1 FROM items WHERE code = ?1", item->code,
          &existed, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO items (code, name, mode, department, provinces, centers, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (code) DO UPDATE SET"
      " name = excluded.name, mode = excluded.mode, department = excluded.department,"
      " provinces = excluded.provinces, centers = excluded.centers,"
      " updated_at = excluded.updated_at", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, item->code);
  store_bind_text (stmt, 2, item->name);
  store_bind_text (stmt, 3, item->mode);
  store_bind_text (stmt, 4, item->department);
  store_bind_text (stmt, 5, provinces_json);
  store_bind_text (stmt, 6, centers_json);
  sqlite3_bind_int64 (stmt, 7, at);
  if (!store_step_done (store, stmt, "recording the item", error))
    return FALSE;
  if (created_out)
    *created_out = !existed;
  return TRUE;
}

gboolean
vw_store_upsert_item (VwStore *store, const VwStoreItem *item, gint64 at,
    gboolean *created_out, GError **error)
{
  g_return_val_if_fail (store != NULL && item != NULL, FALSE);

  if (!vw_store_item_check (item, error) || !store_require_time (at, "updated_at", error)
      || !store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, item_upsert (store, item, at, created_out, error), error);
}

#define ITEM_COLUMNS "code, name, mode, department, provinces, centers, updated_at"

/* The strings of the JSON array @json (written by json_array_text). */
static GStrv
strv_from_json (VwStore *store, const char *json, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT value FROM json_each (?1) ORDER BY key", error);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, json);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE) {
    store_fail (error, VW_STORE_ERROR_SQLITE, "reading a list of the item: %s",
        sqlite3_errmsg (store->db));
    return NULL;
  }
  return g_strv_builder_end (builder);
}

/* Fills the lists of the items read by item_from_row (which keeps the
 * JSON text in them, one element each, until here). */
static gboolean
fill_lists (VwStore *store, VwStoreItem *item, GError **error)
{
  g_auto (GStrv) p = g_steal_pointer (&item->provinces);
  g_auto (GStrv) c = g_steal_pointer (&item->centers);

  item->provinces = strv_from_json (store, p[0], error);
  if (!item->provinces)
    return FALSE;
  item->centers = strv_from_json (store, c[0], error);
  return item->centers != NULL;
}

static gpointer
item_from_row (sqlite3_stmt *stmt)
{
  VwStoreItem *item = g_new0 (VwStoreItem, 1);

  item->code = store_column_dup (stmt, 0);
  item->name = store_column_dup (stmt, 1);
  item->mode = store_column_dup (stmt, 2);
  item->department = store_column_dup (stmt, 3);
  item->provinces = g_new0 (char *, 2);
  item->provinces[0] = store_column_dup (stmt, 4);
  item->centers = g_new0 (char *, 2);
  item->centers[0] = store_column_dup (stmt, 5);
  item->updated_at = sqlite3_column_int64 (stmt, 6);
  return item;
}

VwStoreItem *
vw_store_get_item (VwStore *store, const char *code, GError **error)
{
  g_return_val_if_fail (store != NULL && code != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT " ITEM_COLUMNS " FROM items WHERE code = ?1", error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, code);
  if (!store_step_row (store, stmt, &has_row, "reading the item", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no item '%.40s'", code);
    return NULL;
  }
  g_autoptr (VwStoreItem) item = item_from_row (stmt);
  if (!fill_lists (store, item, error))
    return NULL;
  return g_steal_pointer (&item);
}

GPtrArray *
vw_store_list_items (VwStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT " ITEM_COLUMNS " FROM items ORDER BY code", error);
  if (!stmt)
    return NULL;
  g_autoptr (GPtrArray) items = store_collect (store, stmt, item_from_row,
      (GDestroyNotify) vw_store_item_free, error);
  if (!items)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    if (!fill_lists (store, g_ptr_array_index (items, i), error))
      return NULL;
  return g_steal_pointer (&items);
}

gboolean
vw_store_count_items (VwStore *store, guint *n_out, GError **error)
{
  g_return_val_if_fail (store != NULL && n_out != NULL, FALSE);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, "SELECT count(*) FROM items",
      error);
  gboolean has_row;

  if (!stmt || !store_step_row (store, stmt, &has_row, "counting items", error))
    return FALSE;
  *n_out = has_row ? (guint) sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

static gboolean
item_delete (VwStore *store, const char *code, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "DELETE FROM items WHERE code = ?1", error);

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, code);
  if (!store_step_done (store, stmt, "removing the item", error))
    return FALSE;
  if (sqlite3_changes (store->db) == 1)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no item '%.40s'", code);
}

gboolean
vw_store_delete_item (VwStore *store, const char *code, GError **error)
{
  g_return_val_if_fail (store != NULL && code != NULL, FALSE);

  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, item_delete (store, code, error), error);
}

void
vw_store_item_free (VwStoreItem *item)
{
  if (!item)
    return;
  g_free (item->code);
  g_free (item->name);
  g_free (item->mode);
  g_free (item->department);
  g_strfreev (item->provinces);
  g_strfreev (item->centers);
  g_free (item);
}
