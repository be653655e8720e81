/* vw-store-audit.c: the append-only audit log (see vw-store-audit.h). */
#include "vw-store-audit.h"
#include "vw-store-db.h"

static gboolean
audit_insert (VwStore *store, gint64 at, const char *actor, const char *action,
    const char *session_id, const char *detail_json, gint64 *id, GError **error)
{
  if (detail_json && !store_check_json_object (store, detail_json, "audit detail", error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO audit (at, actor, action, session_id, detail)"
      " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, at);
  store_bind_text (stmt, 2, actor);
  store_bind_text (stmt, 3, action);
  store_bind_text (stmt, 4, session_id);
  store_bind_text (stmt, 5, detail_json);
  if (!store_step_done (store, stmt, "appending to the audit log", error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

gboolean
vw_store_add_audit (VwStore *store, gint64 at, const char *actor, const char *action,
    const char *session_id, const char *detail_json, gint64 *id_out, GError **error)
{
  gint64 id = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!store_require_text (action, "audit action", error)
      || !store_require_time (at, "audit time", error)
      || (actor && !store_require_text (actor, "audit actor", error))
      || (session_id && !store_require_text (session_id, "audit session", error))
      || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, audit_insert (store, at, actor, action, session_id,
          detail_json, &id, error), error))
    return FALSE;
  if (id_out)
    *id_out = id;
  return TRUE;
}

static gpointer
entry_from_row (sqlite3_stmt *stmt)
{
  VwStoreAuditEntry *e = g_new0 (VwStoreAuditEntry, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->at = sqlite3_column_int64 (stmt, 1);
  e->actor = store_column_dup (stmt, 2);
  e->action = store_column_dup (stmt, 3);
  e->session_id = store_column_dup (stmt, 4);
  e->detail = store_column_dup (stmt, 5);
  return e;
}

GPtrArray *
vw_store_list_audit (VwStore *store, gint64 from_ms, gint64 to_ms,
    const char *session_id, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT id, at, actor, action, session_id, detail FROM audit"
      " WHERE at >= ?1 AND at < ?2 AND (?3 IS NULL OR session_id = ?3)"
      " ORDER BY at, id", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_ms);
  sqlite3_bind_int64 (stmt, 2, to_ms);
  store_bind_text (stmt, 3, session_id);
  return store_collect (store, stmt, entry_from_row,
      (GDestroyNotify) vw_store_audit_entry_free, error);
}

void
vw_store_audit_entry_free (VwStoreAuditEntry *e)
{
  if (!e)
    return;
  g_free (e->actor);
  g_free (e->action);
  g_free (e->session_id);
  g_free (e->detail);
  g_free (e);
}
