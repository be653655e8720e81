/* vw-store-supervision.c: the scoped, filtered listing of sessions for
 * supervisors and agents (see vw-store-supervision.h).
 *
 * The scope and every filter are one constant WHERE clause with named
 * parameters; a parameter left NULL switches its condition off. */
#include "vw-store-supervision.h"
#include "vw-store-db.h"
#include "vw-store-scope.h"

#include <string.h>

#define CST_OFFSET_S (8 * 3600)

/* A session's duration in whole seconds, rounded; NULL while open. */
#define DURATION_S "((s.ended_at - s.started_at + 500) / 1000)"

/* The sessions of the caller's scope (shared with the other scoped reads). */
#define SCOPE_SQL VW_STORE_SCOPE_SQL

#define FILTER_SQL \
  " AND (:from IS NULL OR s.started_at >= :from)" \
  " AND (:to IS NULL OR s.started_at < :to)" \
  " AND (:center IS NULL OR EXISTS (SELECT 1 FROM participants fp" \
  "   WHERE fp.session_id = s.id AND fp.center = :center))" \
  " AND (:agent IS NULL OR EXISTS (SELECT 1 FROM participants ap" \
  "   WHERE ap.session_id = s.id AND ap.role = 'agent'" \
  "   AND (ap.account = :agent OR ap.name = :agent)))" \
  " AND (:province IS NULL OR s.province = :province)" \
  " AND (:item IS NULL OR s.item = :item)" \
  " AND (:min_duration IS NULL OR " DURATION_S " >= :min_duration)" \
  " AND (:max_duration IS NULL OR " DURATION_S " <= :max_duration)" \
  " AND (:rating IS NULL OR EXISTS (SELECT 1 FROM ratings r" \
  "   WHERE r.session_id = s.id AND r.level = :rating))"

/* With the catalogue's name of the item (NULL if the code is not, or no
 * longer, in the catalogue). */
#define SUMMARY_SELECT \
  "SELECT s.id, s.case_no, s.province, s.item, s.started_at, s.ended_at," \
  " s.end_reason, s.state, coalesce (" DURATION_S ", 0)," \
  " (SELECT count(*) FROM reviews rv WHERE rv.session_id = s.id)," \
  " EXISTS (SELECT 1 FROM tracks t WHERE t.session_id = s.id), i.name" \
  " FROM sessions s LEFT JOIN items i ON i.code = s.item"

void
vw_store_session_peer_free (VwStoreSessionPeer *peer)
{
  if (!peer)
    return;
  g_free (peer->peer_id);
  g_free (peer->role);
  g_free (peer->name);
  g_free (peer->province);
  g_free (peer->center);
  g_free (peer->account);
  g_free (peer);
}

void
vw_store_session_summary_free (VwStoreSessionSummary *summary)
{
  if (!summary)
    return;
  vw_store_session_free (summary->session);
  g_free (summary->item_name);
  g_clear_pointer (&summary->peers, g_ptr_array_unref);
  vw_store_rating_free (summary->rating);
  g_free (summary);
}

/* ---- dates ---- */

static gboolean
is_date_shape (const char *s)
{
  if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

gboolean
vw_store_parse_cst_date (const char *date, gint64 *ms_out, GError **error)
{
  g_return_val_if_fail (ms_out != NULL, FALSE);

  if (!date || !is_date_shape (date)) {
    /* Said back to whoever sent it (a 400's JSON body): escaped, so that
     * it is ASCII (valid UTF-8; found by fuzz/fuzz-api-query), and short. */
    g_autofree char *shown = date ? g_strescape (date, NULL) : NULL;
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "'%.40s' is not a date YYYY-MM-DD", shown ? shown : "(null)");
  }
  int year = g_ascii_strtoll (date, NULL, 10);
  int month = g_ascii_strtoll (date + 5, NULL, 10);
  int day = g_ascii_strtoll (date + 8, NULL, 10);
  if (year < 1970 || !g_date_valid_dmy (day, month, year))
    return store_fail (error, VW_STORE_ERROR_INVALID, "'%s' is not a real date", date);

  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (CST_OFFSET_S);
  g_autoptr (GDateTime) dt = g_date_time_new (tz, year, month, day, 0, 0, 0);
  *ms_out = g_date_time_to_unix (dt) * 1000;
  return TRUE;
}

/* ---- binding ---- */

static void
bind_text (sqlite3_stmt *stmt, const char *name, const char *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    store_bind_text (stmt, index, value);
}

/* Binds @value, or NULL (condition off) when @set is FALSE. */
static void
bind_int (sqlite3_stmt *stmt, const char *name, gint64 value, gboolean set)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index <= 0)
    return;
  if (set)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_scope (sqlite3_stmt *stmt, const VwStoreScope *scope)
{
  bind_int (stmt, ":scope", scope->kind, TRUE);
  bind_text (stmt, ":scope_account", scope->account);
  bind_text (stmt, ":scope_center", scope->center);
  bind_text (stmt, ":scope_province", scope->province);
}

static void
bind_filter (sqlite3_stmt *stmt, const VwStoreSessionFilter *f)
{
  bind_int (stmt, ":from", f->from_ms, f->from_ms > 0);
  bind_int (stmt, ":to", f->to_ms, f->to_ms > 0);
  bind_text (stmt, ":center", f->center);
  bind_text (stmt, ":agent", f->agent);
  bind_text (stmt, ":province", f->province);
  bind_text (stmt, ":item", f->item);
  bind_int (stmt, ":min_duration", f->min_duration_s, f->min_duration_s >= 0);
  bind_int (stmt, ":max_duration", f->max_duration_s, f->max_duration_s >= 0);
  bind_int (stmt, ":rating", f->rating, f->rating > 0);
  bind_int (stmt, ":limit", f->limit ? f->limit : VW_STORE_LIST_DEFAULT_LIMIT, TRUE);
  bind_int (stmt, ":offset", f->offset, TRUE);
}

static gboolean
scope_is_complete (const VwStoreScope *scope)
{
  switch (scope->kind) {
  case VW_STORE_SCOPE_ALL:
    return TRUE;
  case VW_STORE_SCOPE_ACCOUNT:
    return scope->account != NULL;
  case VW_STORE_SCOPE_CENTER:
    return scope->center != NULL;
  case VW_STORE_SCOPE_PROVINCE:
    return scope->province != NULL;
  default:
    return FALSE;
  }
}

static gboolean
check_filter (const VwStoreSessionFilter *f, GError **error)
{
  if (f->limit > VW_STORE_LIST_MAX_LIMIT)
    return store_fail (error, VW_STORE_ERROR_INVALID, "limit %u is over %d", f->limit,
        VW_STORE_LIST_MAX_LIMIT);
  if (f->rating < 0 || f->rating > 5)
    return store_fail (error, VW_STORE_ERROR_INVALID, "rating %d is not 1..5", f->rating);
  if (f->min_duration_s < -1 || f->max_duration_s < -1)
    return store_fail (error, VW_STORE_ERROR_INVALID, "a duration is negative");
  return TRUE;
}

/* ---- rows ---- */

static VwStoreSessionState
state_from_string (const char *name)
{
  if (g_strcmp0 (name, "open") == 0)
    return VW_STORE_SESSION_OPEN;
  if (g_strcmp0 (name, "ended") == 0)
    return VW_STORE_SESSION_ENDED;
  return VW_STORE_SESSION_INTERRUPTED;
}

static gpointer
summary_from_row (sqlite3_stmt *stmt)
{
  VwStoreSessionSummary *sum = g_new0 (VwStoreSessionSummary, 1);
  VwStoreSession *s = sum->session = g_new0 (VwStoreSession, 1);

  s->id = store_column_dup (stmt, 0);
  s->case_no = store_column_dup (stmt, 1);
  s->province = store_column_dup (stmt, 2);
  s->item = store_column_dup (stmt, 3);
  s->started_at = sqlite3_column_int64 (stmt, 4);
  s->ended_at = sqlite3_column_int64 (stmt, 5);   /* NULL reads as 0 */
  s->end_reason = store_column_dup (stmt, 6);
  s->state = state_from_string ((const char *) sqlite3_column_text (stmt, 7));
  sum->duration_s = sqlite3_column_int64 (stmt, 8);
  sum->n_reviews = sqlite3_column_int (stmt, 9);
  sum->recorded = sqlite3_column_int (stmt, 10) != 0;
  sum->item_name = store_column_dup (stmt, 11);
  return sum;
}

static gpointer
peer_from_row (sqlite3_stmt *stmt)
{
  VwStoreSessionPeer *p = g_new0 (VwStoreSessionPeer, 1);

  p->peer_id = store_column_dup (stmt, 0);
  p->role = store_column_dup (stmt, 1);
  p->name = store_column_dup (stmt, 2);
  p->province = store_column_dup (stmt, 3);
  p->center = store_column_dup (stmt, 4);
  p->account = store_column_dup (stmt, 5);
  p->joined_at = sqlite3_column_int64 (stmt, 6);
  p->left_at = sqlite3_column_int64 (stmt, 7);
  return p;
}

static GPtrArray *
list_peers (VwStore *store, const char *session_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT peer_id, role, name, province, center, account, joined_at, left_at"
      " FROM participants WHERE session_id = ?1 ORDER BY joined_at, rowid", error);

  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, session_id);
  return store_collect (store, stmt, peer_from_row,
      (GDestroyNotify) vw_store_session_peer_free, error);
}

/* Fills in the participants and the rating of @sum. */
static gboolean
complete_summary (VwStore *store, VwStoreSessionSummary *sum, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!(sum->peers = list_peers (store, sum->session->id, error)))
    return FALSE;
  sum->rating = vw_store_get_rating (store, sum->session->id, &local);
  if (sum->rating || g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* ---- listing ---- */

static gboolean
count_sessions (VwStore *store, const VwStoreScope *scope,
    const VwStoreSessionFilter *filter, guint *total, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT count(*) FROM sessions s WHERE " SCOPE_SQL FILTER_SQL, error);
  gboolean has_row;

  if (!stmt)
    return FALSE;
  bind_scope (stmt, scope);
  bind_filter (stmt, filter);
  if (!store_step_row (store, stmt, &has_row, "counting sessions", error))
    return FALSE;
  *total = has_row ? sqlite3_column_int (stmt, 0) : 0;
  return TRUE;
}

static GPtrArray *
select_sessions (VwStore *store, const VwStoreScope *scope,
    const VwStoreSessionFilter *filter, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      SUMMARY_SELECT " WHERE " SCOPE_SQL FILTER_SQL
      " ORDER BY s.started_at DESC, s.id DESC LIMIT :limit OFFSET :offset", error);

  if (!stmt)
    return NULL;
  bind_scope (stmt, scope);
  bind_filter (stmt, filter);
  return store_collect (store, stmt, summary_from_row,
      (GDestroyNotify) vw_store_session_summary_free, error);
}

GPtrArray *
vw_store_list_sessions_in_scope (VwStore *store, const VwStoreScope *scope,
    const VwStoreSessionFilter *filter, guint *total_out, GError **error)
{
  g_autoptr (GPtrArray) list = NULL;
  guint total = 0;

  g_return_val_if_fail (store != NULL && scope != NULL && filter != NULL, NULL);
  g_return_val_if_fail (scope_is_complete (scope), NULL);

  if (!check_filter (filter, error)
      || !(list = select_sessions (store, scope, filter, error)))
    return NULL;
  for (guint i = 0; i < list->len; i++)
    if (!complete_summary (store, g_ptr_array_index (list, i), error))
      return NULL;
  if (total_out && !count_sessions (store, scope, filter, &total, error))
    return NULL;
  if (total_out)
    *total_out = total;
  return g_steal_pointer (&list);
}

VwStoreSessionSummary *
vw_store_get_session_in_scope (VwStore *store, const VwStoreScope *scope,
    const char *session_id, GError **error)
{
  g_return_val_if_fail (store != NULL && scope != NULL && session_id != NULL, NULL);
  g_return_val_if_fail (scope_is_complete (scope), NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      SUMMARY_SELECT " WHERE s.id = :id AND " SCOPE_SQL, error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  bind_scope (stmt, scope);
  bind_text (stmt, ":id", session_id);
  if (!store_step_row (store, stmt, &has_row, "reading the session", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no session '%s'", session_id);
    return NULL;
  }
  g_autoptr (VwStoreSessionSummary) sum = summary_from_row (stmt);
  if (!complete_summary (store, sum, error))
    return NULL;
  return g_steal_pointer (&sum);
}

/* ---- sampling candidates ---- */

static gpointer
candidate_from_row (sqlite3_stmt *stmt)
{
  VwStoreSampleCandidate *c = g_new0 (VwStoreSampleCandidate, 1);

  c->session_id = store_column_dup (stmt, 0);
  c->agent = store_column_dup (stmt, 1);
  return c;
}

GPtrArray *
vw_store_list_sample_candidates (VwStore *store, const VwStoreScope *scope,
    gint64 from_ms, gint64 to_ms, GError **error)
{
  g_return_val_if_fail (store != NULL && scope != NULL, NULL);
  g_return_val_if_fail (scope_is_complete (scope), NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT id, agent FROM (SELECT s.id AS id, (SELECT coalesce (nullif (ap.account, ''),"
      "   nullif (ap.name, '')) FROM participants ap"
      "   WHERE ap.session_id = s.id AND ap.role = 'agent'"
      "   AND coalesce (nullif (ap.account, ''), nullif (ap.name, '')) IS NOT NULL"
      "   ORDER BY ap.joined_at, ap.rowid LIMIT 1) AS agent"
      " FROM sessions s WHERE s.state <> 'open'"
      " AND s.started_at >= :from AND s.started_at < :to AND " SCOPE_SQL ")"
      " WHERE agent IS NOT NULL ORDER BY id", error);

  if (!stmt)
    return NULL;
  bind_scope (stmt, scope);
  bind_int (stmt, ":from", from_ms, TRUE);
  bind_int (stmt, ":to", to_ms, TRUE);
  return store_collect (store, stmt, candidate_from_row,
      (GDestroyNotify) vw_store_sample_candidate_free, error);
}
