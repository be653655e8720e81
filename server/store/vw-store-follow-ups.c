/* vw-store-follow-ups.c: the follow-up (整改) of bad ratings, and the rows
 * the statistics are computed from (see vw-store-follow-ups.h). */
#include "vw-store-follow-ups.h"
#include "vw-store-db.h"
#include "vw-store-scope.h"
#include "vw-calendar.h"

/* The session's first agent and its clerk, as participants "a" and "c". */
#define PEERS_JOIN \
  " LEFT JOIN participants a ON a.rowid = (SELECT rowid FROM participants" \
  "   WHERE session_id = s.id AND role = 'agent' ORDER BY joined_at, rowid LIMIT 1)" \
  " LEFT JOIN participants c ON c.rowid = (SELECT rowid FROM participants" \
  "   WHERE session_id = s.id AND role = 'clerk' ORDER BY joined_at, rowid LIMIT 1)"

/* The catalogue's name of the session's item as "i.name" (NULL if the code
 * is not, or no longer, in the catalogue). */
#define ITEM_JOIN " LEFT JOIN items i ON i.code = s.item"

#define FOLLOW_UP_SELECT \
  "SELECT f.id, f.session_id, s.case_no, s.province, s.item," \
  " a.name, a.account, a.center, c.name, c.province, c.center," \
  " r.level, r.comment, r.created_at, f.opened_at, f.due_at, f.closed_at," \
  " f.closed_by, acc.name, f.resolution, i.name" \
  " FROM follow_ups f JOIN sessions s ON s.id = f.session_id" \
  " JOIN ratings r ON r.session_id = f.session_id" \
  PEERS_JOIN ITEM_JOIN \
  " LEFT JOIN accounts acc ON acc.username = f.closed_by"

void
vw_store_follow_up_free (VwStoreFollowUp *f)
{
  if (!f)
    return;
  g_free (f->session_id);
  g_free (f->case_no);
  g_free (f->province);
  g_free (f->item);
  g_free (f->item_name);
  g_free (f->agent_name);
  g_free (f->agent_account);
  g_free (f->agent_center);
  g_free (f->clerk_name);
  g_free (f->clerk_province);
  g_free (f->clerk_center);
  g_free (f->comment);
  g_free (f->closed_by);
  g_free (f->closed_by_name);
  g_free (f->resolution);
  g_free (f);
}

/* ---- the calendar ---- */

void
vw_store_set_calendar (VwStore *store, VwCalendar *calendar)
{
  g_return_if_fail (store != NULL);

  if (calendar)
    vw_calendar_ref (calendar);
  vw_calendar_unref (store->calendar);
  store->calendar = calendar;
}

/* ---- opening (inside the rating's transaction) ---- */

gboolean
store_open_follow_up (VwStore *store, const char *session_id, gint64 at,
    GError **error)
{
  gint64 due = vw_calendar_deadline (store->calendar, at, VW_FOLLOW_UP_WORKING_DAYS);
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO follow_ups (session_id, opened_at, due_at) VALUES (?1, ?2, ?3)",
      error);

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, at);
  sqlite3_bind_int64 (stmt, 3, due);
  if (!store_step_done (store, stmt, "opening the follow-up", error))
    return FALSE;
  gint64 id = sqlite3_last_insert_rowid (store->db);

  /* On the session's timeline, for whoever reads it later. */
  g_autoptr (sqlite3_stmt) event = store_prepare (store,
      "INSERT INTO events (session_id, at, type, detail)"
      " VALUES (?1, ?2, 'follow-up-opened', json_object ('follow_up', ?3, 'due_at', ?4))",
      error);
  if (!event)
    return FALSE;
  store_bind_text (event, 1, session_id);
  sqlite3_bind_int64 (event, 2, at);
  sqlite3_bind_int64 (event, 3, id);
  sqlite3_bind_int64 (event, 4, due);
  return store_step_done (store, event, "recording the follow-up's event", error);
}

/* ---- reading ---- */

static gpointer
follow_up_from_row (sqlite3_stmt *stmt)
{
  VwStoreFollowUp *f = g_new0 (VwStoreFollowUp, 1);

  f->id = sqlite3_column_int64 (stmt, 0);
  f->session_id = store_column_dup (stmt, 1);
  f->case_no = store_column_dup (stmt, 2);
  f->province = store_column_dup (stmt, 3);
  f->item = store_column_dup (stmt, 4);
  f->agent_name = store_column_dup (stmt, 5);
  f->agent_account = store_column_dup (stmt, 6);
  f->agent_center = store_column_dup (stmt, 7);
  f->clerk_name = store_column_dup (stmt, 8);
  f->clerk_province = store_column_dup (stmt, 9);
  f->clerk_center = store_column_dup (stmt, 10);
  f->level = sqlite3_column_int (stmt, 11);
  f->comment = store_column_dup (stmt, 12);
  f->rated_at = sqlite3_column_int64 (stmt, 13);
  f->opened_at = sqlite3_column_int64 (stmt, 14);
  f->due_at = sqlite3_column_int64 (stmt, 15);
  f->closed_at = sqlite3_column_int64 (stmt, 16);   /* NULL reads as 0 */
  f->closed_by = store_column_dup (stmt, 17);
  f->closed_by_name = store_column_dup (stmt, 18);
  f->resolution = store_column_dup (stmt, 19);
  f->item_name = store_column_dup (stmt, 20);
  return f;
}

GPtrArray *
vw_store_list_follow_ups (VwStore *store, const VwStoreScope *scope,
    VwStoreFollowUpFilter filter, GError **error)
{
  g_return_val_if_fail (store != NULL && scope != NULL, NULL);
  g_return_val_if_fail (vw_store_scope_is_complete (scope), NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      FOLLOW_UP_SELECT " WHERE " VW_STORE_SCOPE_SQL
      " AND (:open IS NULL OR (f.closed_at IS NULL) = :open)"
      " ORDER BY f.closed_at IS NOT NULL,"
      "  CASE WHEN f.closed_at IS NULL THEN f.due_at END, f.closed_at DESC, f.id",
      error);

  if (!stmt)
    return NULL;
  vw_store_bind_scope (stmt, scope);
  if (filter != VW_STORE_FOLLOW_UPS_ALL)
    sqlite3_bind_int (stmt, sqlite3_bind_parameter_index (stmt, ":open"),
        filter == VW_STORE_FOLLOW_UPS_OPEN);
  return store_collect (store, stmt, follow_up_from_row,
      (GDestroyNotify) vw_store_follow_up_free, error);
}

VwStoreFollowUp *
vw_store_get_follow_up (VwStore *store, const VwStoreScope *scope, gint64 id,
    GError **error)
{
  g_return_val_if_fail (store != NULL && scope != NULL, NULL);
  g_return_val_if_fail (vw_store_scope_is_complete (scope), NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      FOLLOW_UP_SELECT " WHERE f.id = :id AND " VW_STORE_SCOPE_SQL, error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  vw_store_bind_scope (stmt, scope);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"), id);
  if (!store_step_row (store, stmt, &has_row, "reading the follow-up", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no follow-up %" G_GINT64_FORMAT, id);
    return NULL;
  }
  return follow_up_from_row (stmt);
}

/* ---- closing ---- */

static gboolean
close_in_tx (VwStore *store, const VwStoreScope *scope, gint64 id, const char *by,
    const char *resolution, gint64 at, GError **error)
{
  gboolean known;
  g_autoptr (VwStoreFollowUp) f = vw_store_get_follow_up (store, scope, id, error);

  if (!f)
    return FALSE;
  if (f->closed_at)
    return store_fail (error, VW_STORE_ERROR_CONFLICT,
        "follow-up %" G_GINT64_FORMAT " was closed already", id);
  if (!store_exists (store, "SELECT 1 FROM accounts WHERE username = ?1", by, &known,
          error))
    return FALSE;
  if (!known)
    return store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no account '%s'", by);

  g_autoptr (sqlite3_stmt) update = store_prepare (store,
      "UPDATE follow_ups SET closed_at = ?2, closed_by = ?3, resolution = ?4"
      " WHERE id = ?1 AND closed_at IS NULL", error);
  if (!update)
    return FALSE;
  sqlite3_bind_int64 (update, 1, id);
  sqlite3_bind_int64 (update, 2, at);
  store_bind_text (update, 3, by);
  store_bind_text (update, 4, resolution);
  if (!store_step_done (store, update, "closing the follow-up", error))
    return FALSE;

  /* Who settled which case, and whether it was late: in the audit log. */
  g_autoptr (sqlite3_stmt) audit = store_prepare (store,
      "INSERT INTO audit (at, actor, action, session_id, detail)"
      " VALUES (?1, ?2, 'close-follow-up', ?3, json_object ('follow_up', ?4,"
      "  'case_no', ?5, 'overdue', json (CASE WHEN ?1 >= ?6 THEN 'true' ELSE 'false' END)))",
      error);
  if (!audit)
    return FALSE;
  sqlite3_bind_int64 (audit, 1, at);
  store_bind_text (audit, 2, by);
  store_bind_text (audit, 3, f->session_id);
  sqlite3_bind_int64 (audit, 4, id);
  store_bind_text (audit, 5, f->case_no);
  sqlite3_bind_int64 (audit, 6, f->due_at);
  if (!store_step_done (store, audit, "auditing the follow-up's close", error))
    return FALSE;

  g_autoptr (sqlite3_stmt) event = store_prepare (store,
      "INSERT INTO events (session_id, at, type, detail)"
      " VALUES (?1, ?2, 'follow-up-closed', json_object ('follow_up', ?3, 'by', ?4))",
      error);
  if (!event)
    return FALSE;
  store_bind_text (event, 1, f->session_id);
  sqlite3_bind_int64 (event, 2, at);
  sqlite3_bind_int64 (event, 3, id);
  store_bind_text (event, 4, by);
  return store_step_done (store, event, "recording the follow-up's event", error);
}

gboolean
vw_store_close_follow_up (VwStore *store, const VwStoreScope *scope, gint64 id,
    const char *by, const char *resolution, gint64 at, VwStoreFollowUp **closed_out,
    GError **error)
{
  g_return_val_if_fail (store != NULL && scope != NULL, FALSE);
  g_return_val_if_fail (vw_store_scope_is_complete (scope), FALSE);

  if (!store_require_text (by, "who closes", error)
      || !store_require_text (resolution, "resolution", error)
      || !store_require_time (at, "closed_at", error)
      || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, close_in_tx (store, scope, id, by, resolution, at, error),
          error))
    return FALSE;
  if (closed_out)
    *closed_out = vw_store_get_follow_up (store, scope, id, error);
  return !closed_out || *closed_out;
}

/* ---- counts ---- */

static gboolean
count (VwStore *store, const char *sql, gint64 *n, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, sql, error);
  gboolean has_row;

  if (!stmt || !store_step_row (store, stmt, &has_row, "counting", error))
    return FALSE;
  *n = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

gboolean
vw_store_count_open_follow_ups (VwStore *store, gint64 *n_out, GError **error)
{
  g_return_val_if_fail (store != NULL && n_out != NULL, FALSE);

  return count (store, "SELECT count(*) FROM follow_ups WHERE closed_at IS NULL", n_out,
      error);
}

gboolean
vw_store_count_totals (VwStore *store, gint64 *sessions_out, gint64 ratings_out[6],
    GError **error)
{
  g_return_val_if_fail (store != NULL && sessions_out != NULL && ratings_out != NULL,
      FALSE);

  if (!count (store, "SELECT count(*) FROM sessions", sessions_out, error))
    return FALSE;
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT level, count(*) FROM ratings GROUP BY level", error);
  int rc;

  if (!stmt)
    return FALSE;
  for (guint i = 0; i < 6; i++)
    ratings_out[i] = 0;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    int level = sqlite3_column_int (stmt, 0);
    if (level >= 1 && level <= 5)
      ratings_out[level] = sqlite3_column_int64 (stmt, 1);
  }
  if (rc != SQLITE_DONE)
    return store_fail (error, VW_STORE_ERROR_SQLITE, "counting ratings: %s",
        sqlite3_errmsg (store->db));
  return TRUE;
}

/* ---- statistics ---- */

static gpointer
record_from_row (sqlite3_stmt *stmt)
{
  VwStatsRecord *r = g_new0 (VwStatsRecord, 1);

  r->session_id = store_column_dup (stmt, 0);
  r->province = store_column_dup (stmt, 1);
  r->item = store_column_dup (stmt, 2);
  r->agent_key = store_column_dup (stmt, 3);
  r->agent_name = store_column_dup (stmt, 4);
  r->agent_center = store_column_dup (stmt, 5);
  r->clerk_name = store_column_dup (stmt, 6);
  r->clerk_province = store_column_dup (stmt, 7);
  r->clerk_center = store_column_dup (stmt, 8);
  r->requested_at = sqlite3_column_int64 (stmt, 9);
  r->started_at = sqlite3_column_int64 (stmt, 10);
  r->ended_at = sqlite3_column_int64 (stmt, 11);
  r->ended = sqlite3_column_int (stmt, 12) != 0;
  r->rating = sqlite3_column_int (stmt, 13);
  r->follow_up_open = sqlite3_column_int (stmt, 14) != 0;
  r->follow_up_overdue = sqlite3_column_int (stmt, 15) != 0;
  r->item_name = store_column_dup (stmt, 16);
  return r;
}

GPtrArray *
vw_store_list_stats_records (VwStore *store, const VwStoreScope *scope,
    gint64 from_ms, gint64 to_ms, gint64 now_ms, GError **error)
{
  g_return_val_if_fail (store != NULL && scope != NULL, NULL);
  g_return_val_if_fail (vw_store_scope_is_complete (scope), NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT s.id, s.province, s.item,"
      " coalesce (nullif (a.account, ''), nullif (a.name, '')), a.name, a.center,"
      " c.name, c.province, c.center,"
      " s.requested_at, s.started_at, s.ended_at, s.state = 'ended', r.level,"
      " f.id IS NOT NULL AND f.closed_at IS NULL,"
      " f.id IS NOT NULL AND f.closed_at IS NULL AND f.due_at <= :now, i.name"
      " FROM sessions s"
      " LEFT JOIN ratings r ON r.session_id = s.id"
      " LEFT JOIN follow_ups f ON f.session_id = s.id"
      PEERS_JOIN ITEM_JOIN
      " WHERE s.started_at >= :from AND s.started_at < :to AND " VW_STORE_SCOPE_SQL
      " ORDER BY s.started_at, s.id", error);

  if (!stmt)
    return NULL;
  vw_store_bind_scope (stmt, scope);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":from"), from_ms);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":to"), to_ms);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":now"), now_ms);
  return store_collect (store, stmt, record_from_row,
      (GDestroyNotify) vw_stats_record_free, error);
}
