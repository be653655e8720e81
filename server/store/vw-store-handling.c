/* vw-store-handling.c: recent handling times (see vw-store-handling.h). */
#include "vw-store-handling.h"
#include "vw-store-db.h"

void
vw_store_handling_free (VwStoreHandling *h)
{
  if (!h)
    return;
  g_free (h->province);
  g_free (h->item);
  g_free (h);
}

static gpointer
handling_from_row (sqlite3_stmt *stmt)
{
  VwStoreHandling *h = g_new0 (VwStoreHandling, 1);
  h->province = store_column_dup (stmt, 0);
  h->item = store_column_dup (stmt, 1);
  h->handling_ms = sqlite3_column_int64 (stmt, 2);
  return h;
}

GPtrArray *
vw_store_list_recent_handling (VwStore *store, guint limit, GError **error)
{
  g_return_val_if_fail (store, NULL);
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT province, item, ended_at - started_at FROM sessions"
      " WHERE state = 'ended' AND item IS NOT NULL AND item <> ''"
      " ORDER BY ended_at DESC LIMIT ?", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  return store_collect (store, stmt, handling_from_row,
      (GDestroyNotify) vw_store_handling_free, error);
}
