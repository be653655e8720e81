/* vw-store-evidence.c: what a session leaves as evidence: snapshots,
 * the annotations on them, and the session's timeline (see vw-store.h). */
#include "vw-store.h"
#include "vw-store-db.h"

#include <string.h>

/* ---- evidence ---- */

static gboolean
check_snapshot (const VwStoreSnapshot *snap, GError **error)
{
  if (!store_require_text (snap->id, "snapshot id", error)
      || !store_require_text (snap->session_id, "session id", error)
      || !store_check_relative_path (snap->path, error)
      || !store_require_text (snap->mime, "snapshot type", error)
      || !store_require_time (snap->created_at, "created_at", error))
    return FALSE;
  if (!store_is_sha256_hex (snap->sha256))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "snapshot sha256 '%s' is not 64 lowercase hex digits",
        snap->sha256 ? snap->sha256 : "(null)");
  if (snap->size <= 0)
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "snapshot size %" G_GINT64_FORMAT " is not positive", snap->size);
  if (snap->width <= 0 || snap->height <= 0)
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "snapshot size %dx%d is not positive", snap->width, snap->height);
  return TRUE;
}

static gboolean
snapshot_insert (VwStore *store, const VwStoreSnapshot *snap, GError **error)
{
  VwStoreSessionState state;
  gboolean taken;

  if (!store_session_state (store, snap->session_id, &state, error)
      || !store_exists (store, "SELECT 1 FROM snapshots WHERE id = ?1", snap->id,
          &taken, error))
    return FALSE;
  if (taken)
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "snapshot '%s' exists already",
        snap->id);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO snapshots (id, session_id, path, sha256, size, mime, width,"
      " height, requested_by, sent_by, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, snap->id);
  store_bind_text (stmt, 2, snap->session_id);
  store_bind_text (stmt, 3, snap->path);
  store_bind_text (stmt, 4, snap->sha256);
  sqlite3_bind_int64 (stmt, 5, snap->size);
  store_bind_text (stmt, 6, snap->mime);
  sqlite3_bind_int (stmt, 7, snap->width);
  sqlite3_bind_int (stmt, 8, snap->height);
  store_bind_text (stmt, 9, snap->requested_by);
  store_bind_text (stmt, 10, snap->sent_by);
  sqlite3_bind_int64 (stmt, 11, snap->created_at);
  return store_step_done (store, stmt, "recording the snapshot", error);
}

gboolean
vw_store_add_snapshot (VwStore *store, const VwStoreSnapshot *snapshot,
    GError **error)
{
  g_return_val_if_fail (store != NULL && snapshot != NULL, FALSE);

  if (!check_snapshot (snapshot, error) || !store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, snapshot_insert (store, snapshot, error), error);
}

#define SNAPSHOT_SELECT \
  "SELECT id, session_id, path, sha256, size, mime, width, height," \
  " requested_by, sent_by, created_at FROM snapshots"

static gpointer
snapshot_from_row (sqlite3_stmt *stmt)
{
  VwStoreSnapshot *snap = g_new0 (VwStoreSnapshot, 1);

  snap->id = store_column_dup (stmt, 0);
  snap->session_id = store_column_dup (stmt, 1);
  snap->path = store_column_dup (stmt, 2);
  snap->sha256 = store_column_dup (stmt, 3);
  snap->size = sqlite3_column_int64 (stmt, 4);
  snap->mime = store_column_dup (stmt, 5);
  snap->width = sqlite3_column_int (stmt, 6);
  snap->height = sqlite3_column_int (stmt, 7);
  snap->requested_by = store_column_dup (stmt, 8);
  snap->sent_by = store_column_dup (stmt, 9);
  snap->created_at = sqlite3_column_int64 (stmt, 10);
  return snap;
}

VwStoreSnapshot *
vw_store_get_snapshot (VwStore *store, const char *id, GError **error)
{
  g_return_val_if_fail (store != NULL && id != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, SNAPSHOT_SELECT " WHERE id = ?1",
      error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, id);
  if (!store_step_row (store, stmt, &has_row, "reading the snapshot", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no snapshot '%s'", id);
    return NULL;
  }
  return snapshot_from_row (stmt);
}

GPtrArray *
vw_store_list_snapshots (VwStore *store, const char *session_id, GError **error)
{
  VwStoreSessionState state;

  g_return_val_if_fail (store != NULL && session_id != NULL, NULL);

  if (!store_session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      SNAPSHOT_SELECT " WHERE session_id = ?1 ORDER BY created_at, id", error);
  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, session_id);
  return store_collect (store, stmt, snapshot_from_row,
      (GDestroyNotify) vw_store_snapshot_free, error);
}

static gboolean
check_annotation (const VwStoreAnnotation *a, GError **error)
{
  if (!store_require_text (a->snapshot_id, "snapshot id", error)
      || !store_require_text (a->session_id, "session id", error)
      || !store_require_text (a->author, "annotation author", error)
      || !store_require_time (a->created_at, "created_at", error))
    return FALSE;
  if (a->x < 0 || a->y < 0 || a->w <= 0 || a->h <= 0)
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "annotation %dx%d at (%d, %d) is empty or outside", a->w, a->h, a->x, a->y);
  return TRUE;
}

/* The annotation must mark a part of a snapshot of its own session. */
static gboolean
check_annotation_target (VwStore *store, const VwStoreAnnotation *a, GError **error)
{
  g_autoptr (VwStoreSnapshot) snap = vw_store_get_snapshot (store, a->snapshot_id,
      error);

  if (!snap)
    return FALSE;
  if (!g_str_equal (snap->session_id, a->session_id))
    return store_fail (error, VW_STORE_ERROR_WRONG_SESSION,
        "snapshot '%s' belongs to session '%s', not '%s'", snap->id,
        snap->session_id, a->session_id);
  /* 64-bit sums: no overflow near G_MAXINT */
  if ((gint64) a->x + a->w > snap->width || (gint64) a->y + a->h > snap->height)
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "annotation %dx%d at (%d, %d) is outside the %dx%d snapshot",
        a->w, a->h, a->x, a->y, snap->width, snap->height);
  return TRUE;
}

static gboolean
annotation_insert (VwStore *store, const VwStoreAnnotation *a, gint64 *id,
    GError **error)
{
  if (!check_annotation_target (store, a, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO annotations (snapshot_id, session_id, author, x, y, w, h,"
      " note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, a->snapshot_id);
  store_bind_text (stmt, 2, a->session_id);
  store_bind_text (stmt, 3, a->author);
  sqlite3_bind_int (stmt, 4, a->x);
  sqlite3_bind_int (stmt, 5, a->y);
  sqlite3_bind_int (stmt, 6, a->w);
  sqlite3_bind_int (stmt, 7, a->h);
  store_bind_text (stmt, 8, a->note);
  sqlite3_bind_int64 (stmt, 9, a->created_at);
  if (!store_step_done (store, stmt, "recording the annotation", error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

gboolean
vw_store_add_annotation (VwStore *store, const VwStoreAnnotation *annotation,
    gint64 *id_out, GError **error)
{
  gint64 id = 0;

  g_return_val_if_fail (store != NULL && annotation != NULL, FALSE);

  if (!check_annotation (annotation, error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, annotation_insert (store, annotation, &id, error), error))
    return FALSE;
  if (id_out)
    *id_out = id;
  return TRUE;
}

static gpointer
annotation_from_row (sqlite3_stmt *stmt)
{
  VwStoreAnnotation *a = g_new0 (VwStoreAnnotation, 1);

  a->id = sqlite3_column_int64 (stmt, 0);
  a->snapshot_id = store_column_dup (stmt, 1);
  a->session_id = store_column_dup (stmt, 2);
  a->author = store_column_dup (stmt, 3);
  a->x = sqlite3_column_int (stmt, 4);
  a->y = sqlite3_column_int (stmt, 5);
  a->w = sqlite3_column_int (stmt, 6);
  a->h = sqlite3_column_int (stmt, 7);
  a->note = store_column_dup (stmt, 8);
  a->created_at = sqlite3_column_int64 (stmt, 9);
  return a;
}

GPtrArray *
vw_store_list_annotations (VwStore *store, const char *snapshot_id, GError **error)
{
  gboolean known;

  g_return_val_if_fail (store != NULL && snapshot_id != NULL, NULL);

  if (!store_exists (store, "SELECT 1 FROM snapshots WHERE id = ?1", snapshot_id,
          &known, error))
    return NULL;
  if (!known) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no snapshot '%s'", snapshot_id);
    return NULL;
  }
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT id, snapshot_id, session_id, author, x, y, w, h, note, created_at"
      " FROM annotations WHERE snapshot_id = ?1 ORDER BY id", error);
  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, snapshot_id);
  return store_collect (store, stmt, annotation_from_row,
      (GDestroyNotify) vw_store_annotation_free, error);
}

/* ---- timeline ---- */

static gboolean
event_insert (VwStore *store, const char *session_id, gint64 at, const char *type,
    const char *actor, const char *detail_json, GError **error)
{
  VwStoreSessionState state;

  if ((session_id && !store_session_state (store, session_id, &state, error))
      || (detail_json && !store_check_json_object (store, detail_json, "event detail", error)))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO events (session_id, at, type, actor, detail)"
      " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, at);
  store_bind_text (stmt, 3, type);
  store_bind_text (stmt, 4, actor);
  store_bind_text (stmt, 5, detail_json);
  return store_step_done (store, stmt, "recording the event", error);
}

/* A StoreWriteFunc: a = type, b = actor, c = detail. */
static gboolean
write_event (VwStore *store, const StorePending *w, GError **error)
{
  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, event_insert (store, w->session_id, w->at, w->a, w->b,
          w->c, error), error);
}

gboolean
vw_store_add_event (VwStore *store, const char *session_id, gint64 at,
    const char *type, const char *actor, const char *detail_json, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!store_require_text (type, "event type", error)
      || !store_require_time (at, "event time", error))
    return FALSE;
  /* Checked now (reading needs no room), not only when it is written. */
  if (detail_json && !store_check_json_object (store, detail_json, "event detail", error))
    return FALSE;
  StorePending *w = store_pending_new (write_event, session_id,
      g_strdup_printf ("the event %s of %s at %" G_GINT64_FORMAT " (actor %s, %s)", type,
          session_id ? session_id : "the server", at, actor ? actor : "none",
          detail_json ? detail_json : "{}"));
  w->a = g_strdup (type);
  w->b = g_strdup (actor);
  w->c = g_strdup (detail_json);
  w->at = at;
  return store_write_or_keep (store, w, error);
}

static gpointer
event_from_row (sqlite3_stmt *stmt)
{
  VwStoreEvent *e = g_new0 (VwStoreEvent, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->session_id = store_column_dup (stmt, 1);
  e->at = sqlite3_column_int64 (stmt, 2);
  e->type = store_column_dup (stmt, 3);
  e->actor = store_column_dup (stmt, 4);
  e->detail = store_column_dup (stmt, 5);
  return e;
}

GPtrArray *
vw_store_list_events (VwStore *store, const char *session_id, GError **error)
{
  VwStoreSessionState state;

  g_return_val_if_fail (store != NULL, NULL);

  if (session_id && !store_session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT id, session_id, at, type, actor, detail FROM events"
      " WHERE session_id IS ?1 ORDER BY at, id", error);
  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, session_id);
  return store_collect (store, stmt, event_from_row, (GDestroyNotify) vw_store_event_free,
      error);
}
