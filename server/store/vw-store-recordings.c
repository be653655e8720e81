/* vw-store-recordings.c: recorded tracks and their chunk files (see
 * vw-store-recordings.h). */
#include "vw-store-recordings.h"
#include "vw-store-db.h"

void
vw_store_track_free (VwStoreTrack *track)
{
  if (!track)
    return;
  g_free (track->session_id);
  g_free (track->peer_id);
  g_free (track->kind);
  g_free (track->codec);
  g_free (track->dir);
  g_free (track);
}

void
vw_store_chunk_free (VwStoreChunk *chunk)
{
  if (!chunk)
    return;
  g_free (chunk->path);
  g_free (chunk->sha256);
  g_free (chunk);
}

/* ---- tracks ---- */

static gboolean
check_track (const VwStoreTrack *t, GError **error)
{
  static const char *const kinds[] = { "audio", "camera", "screen", "document" };
  gboolean known = FALSE;

  if (!store_require_text (t->session_id, "session id", error)
      || !store_require_text (t->peer_id, "peer id", error)
      || !store_check_relative_path (t->dir, error)
      || !store_require_time (t->started_at, "started_at", error))
    return FALSE;
  for (guint i = 0; t->kind && i < G_N_ELEMENTS (kinds); i++)
    known |= g_str_equal (t->kind, kinds[i]);
  if (!known)
    return store_fail (error, VW_STORE_ERROR_INVALID, "track kind '%s' is none of "
        "audio, camera, screen, document", t->kind ? t->kind : "(null)");
  if (!t->codec || !(g_str_equal (t->codec, "VP8") || g_str_equal (t->codec, "OPUS")))
    return store_fail (error, VW_STORE_ERROR_INVALID, "track codec '%s' is neither "
        "VP8 nor OPUS", t->codec ? t->codec : "(null)");
  if (t->offset_ms < 0)
    return store_fail (error, VW_STORE_ERROR_INVALID, "track offset is negative");
  return TRUE;
}

static gboolean
track_insert (VwStore *store, const VwStoreTrack *t, gint64 *id_out, GError **error)
{
  VwStoreSessionState state;

  if (!store_session_state (store, t->session_id, &state, error))
    return FALSE;
  if (state != VW_STORE_SESSION_OPEN)
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "session '%s' is not open",
        t->session_id);
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO tracks (session_id, peer_id, kind, codec, dir, offset_ms, started_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, t->session_id);
  store_bind_text (stmt, 2, t->peer_id);
  store_bind_text (stmt, 3, t->kind);
  store_bind_text (stmt, 4, t->codec);
  store_bind_text (stmt, 5, t->dir);
  sqlite3_bind_int64 (stmt, 6, t->offset_ms);
  sqlite3_bind_int64 (stmt, 7, t->started_at);
  if (!store_step_done (store, stmt, "recording the track", error))
    return FALSE;
  if (id_out)
    *id_out = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

gboolean
vw_store_add_track (VwStore *store, const VwStoreTrack *track, gint64 *id_out,
    GError **error)
{
  g_return_val_if_fail (store != NULL && track != NULL, FALSE);

  if (!check_track (track, error) || !store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, track_insert (store, track, id_out, error), error);
}

/* Runs @sql binding ?1 = @a and ?2 = @id; NOT_FOUND unless one row changed. */
static gboolean
update_track (VwStore *store, const char *sql, gint64 id, gint64 a,
    const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, sql, error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, id);
  if (!store_step_done (store, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (store->db) != 1)
    return store_fail (error, VW_STORE_ERROR_NOT_FOUND,
        "no track %" G_GINT64_FORMAT " to update", id);
  return TRUE;
}

/* A StoreWriteFunc: n = the track. */
static gboolean
write_track_ended (VwStore *store, const StorePending *w, GError **error)
{
  /* Ending twice keeps the first time (an idempotent "it is over"). */
  return update_track (store, "UPDATE tracks SET ended_at = coalesce (ended_at, ?1)"
      " WHERE id = ?2", w->n, w->at, "ending the track", error);
}

gboolean
vw_store_track_ended (VwStore *store, gint64 track_id, gint64 at, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!store_require_time (at, "ended_at", error))
    return FALSE;
  StorePending *w = store_pending_new (write_track_ended, NULL,
      g_strdup_printf ("the end of recorded track %" G_GINT64_FORMAT " at %"
          G_GINT64_FORMAT, track_id, at));
  w->n = track_id;
  w->at = at;
  return store_write_or_keep (store, w, error);
}

/* ---- chunks ---- */

static gboolean
check_chunk (const VwStoreChunk *c, GError **error)
{
  if (!store_check_relative_path (c->path, error)
      || !store_require_time (c->closed_at, "closed_at", error))
    return FALSE;
  if (!store_is_sha256_hex (c->sha256))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "chunk sha256 '%s' is not 64 lowercase hex digits",
        c->sha256 ? c->sha256 : "(null)");
  if (c->size <= 0 || c->duration_ms < 0)
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "chunk size %" G_GINT64_FORMAT " or duration %" G_GINT64_FORMAT
        " out of range", c->size, c->duration_ms);
  return TRUE;
}

gboolean
vw_store_add_chunk (VwStore *store, const VwStoreChunk *chunk, GError **error)
{
  g_return_val_if_fail (store != NULL && chunk != NULL, FALSE);

  if (!check_chunk (chunk, error))
    return FALSE;
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO chunks (track_id, seq, path, sha256, size, duration_ms,"
      " recovered, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, chunk->track_id);
  sqlite3_bind_int64 (stmt, 2, chunk->seq);
  store_bind_text (stmt, 3, chunk->path);
  store_bind_text (stmt, 4, chunk->sha256);
  sqlite3_bind_int64 (stmt, 5, chunk->size);
  sqlite3_bind_int64 (stmt, 6, chunk->duration_ms);
  sqlite3_bind_int (stmt, 7, chunk->recovered ? 1 : 0);
  sqlite3_bind_int64 (stmt, 8, chunk->closed_at);
  return store_step_done (store, stmt, "indexing the chunk", error);
}

/* ---- reading ---- */

#define TRACK_SELECT \
  "SELECT id, session_id, peer_id, kind, codec, dir, offset_ms, started_at," \
  " coalesce (ended_at, 0), coalesce (purged_at, 0) FROM tracks"

static gpointer
track_from_row (sqlite3_stmt *stmt)
{
  VwStoreTrack *t = g_new0 (VwStoreTrack, 1);

  t->id = sqlite3_column_int64 (stmt, 0);
  t->session_id = store_column_dup (stmt, 1);
  t->peer_id = store_column_dup (stmt, 2);
  t->kind = store_column_dup (stmt, 3);
  t->codec = store_column_dup (stmt, 4);
  t->dir = store_column_dup (stmt, 5);
  t->offset_ms = sqlite3_column_int64 (stmt, 6);
  t->started_at = sqlite3_column_int64 (stmt, 7);
  t->ended_at = sqlite3_column_int64 (stmt, 8);
  t->purged_at = sqlite3_column_int64 (stmt, 9);
  return t;
}

static gpointer
chunk_from_row (sqlite3_stmt *stmt)
{
  VwStoreChunk *c = g_new0 (VwStoreChunk, 1);

  c->track_id = sqlite3_column_int64 (stmt, 0);
  c->seq = sqlite3_column_int64 (stmt, 1);
  c->path = store_column_dup (stmt, 2);
  c->sha256 = store_column_dup (stmt, 3);
  c->size = sqlite3_column_int64 (stmt, 4);
  c->duration_ms = sqlite3_column_int64 (stmt, 5);
  c->recovered = sqlite3_column_int (stmt, 6) != 0;
  c->closed_at = sqlite3_column_int64 (stmt, 7);
  return c;
}

GPtrArray *
vw_store_list_tracks (VwStore *store, const char *session_id, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL, NULL);

  VwStoreSessionState state;
  if (!store_session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, TRACK_SELECT
      " WHERE session_id = ?1 ORDER BY offset_ms, id", error);
  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, session_id);
  return store_collect (store, stmt, track_from_row,
      (GDestroyNotify) vw_store_track_free, error);
}

VwStoreTrack *
vw_store_get_track (VwStore *store, gint64 track_id, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, TRACK_SELECT " WHERE id = ?1",
      error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, track_id);
  if (!store_step_row (store, stmt, &has_row, "reading the track", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no track %" G_GINT64_FORMAT, track_id);
    return NULL;
  }
  return track_from_row (stmt);
}

GPtrArray *
vw_store_list_chunks (VwStore *store, gint64 track_id, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT track_id, seq, path, sha256, size, duration_ms, recovered, closed_at"
      " FROM chunks WHERE track_id = ?1 ORDER BY seq", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, track_id);
  return store_collect (store, stmt, chunk_from_row,
      (GDestroyNotify) vw_store_chunk_free, error);
}

/* ---- recovery and retention ---- */

GPtrArray *
vw_store_list_unfinished_tracks (VwStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, TRACK_SELECT
      " WHERE ended_at IS NULL AND session_id IN (SELECT id FROM sessions"
      "   WHERE state <> 'open') ORDER BY id", error);
  if (!stmt)
    return NULL;
  return store_collect (store, stmt, track_from_row,
      (GDestroyNotify) vw_store_track_free, error);
}

GPtrArray *
vw_store_list_expired_tracks (VwStore *store, gint64 before_ms, GError **error)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, TRACK_SELECT
      " WHERE purged_at IS NULL AND session_id IN (SELECT id FROM sessions"
      "   WHERE state <> 'open' AND ended_at < ?1)"
      " ORDER BY id", error);
  if (!stmt)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, before_ms);
  return store_collect (store, stmt, track_from_row,
      (GDestroyNotify) vw_store_track_free, error);
}

static gboolean
purge_rows (VwStore *store, gint64 track_id, gint64 at, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "DELETE FROM chunks WHERE track_id = ?1", error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, track_id);
  if (!store_step_done (store, stmt, "deleting the chunks", error))
    return FALSE;
  return update_track (store, "UPDATE tracks SET purged_at = ?1, ended_at ="
      " coalesce (ended_at, ?1) WHERE id = ?2", track_id, at, "purging the track",
      error);
}

gboolean
vw_store_track_purged (VwStore *store, gint64 track_id, gint64 at, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!store_require_time (at, "purged_at", error) || !store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, purge_rows (store, track_id, at, error), error);
}
