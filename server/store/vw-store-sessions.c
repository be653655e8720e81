/* vw-store-sessions.c: sessions, their case numbers and participants
 * (see vw-store.h). */
#include "vw-store.h"
#include "vw-store-db.h"

#include <string.h>

#define CASE_SEQ_MAX 999999
#define CASE_TZ_OFFSET_S (8 * 3600)   /* China Standard Time, no DST */

/* ---- sessions ---- */

static const char *const state_names[] = {
  [VW_STORE_SESSION_OPEN] = "open",
  [VW_STORE_SESSION_ENDED] = "ended",
  [VW_STORE_SESSION_INTERRUPTED] = "interrupted",
};

static VwStoreSessionState
state_from_string (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (name, state_names[i]) == 0)
      return i;
  g_return_val_if_reached (VW_STORE_SESSION_INTERRUPTED);   /* CHECK forbids it */
}

/* The state of session @id; NOT_FOUND if unknown. */
gboolean
store_session_state (VwStore *store, const char *id, VwStoreSessionState *state,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT state FROM sessions WHERE id = ?1", error);
  gboolean has_row;

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, id);
  if (!store_step_row (store, stmt, &has_row, "looking up a session", error))
    return FALSE;
  if (!has_row)
    return store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no session '%s'", id);
  *state = state_from_string ((const char *) sqlite3_column_text (stmt, 0));
  return TRUE;
}

static gboolean
require_open_session (VwStore *store, const char *id, GError **error)
{
  VwStoreSessionState state;

  if (!store_session_state (store, id, &state, error))
    return FALSE;
  if (state == VW_STORE_SESSION_OPEN)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_CONFLICT, "session '%s' is %s, not open",
      id, state_names[state]);
}

/* "YYYYMMDD" of @at_ms in China Standard Time. */
static char *
case_day (gint64 at_ms)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (CASE_TZ_OFFSET_S);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (at_ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_format (local, "%Y%m%d");
}

static gboolean
save_case_seq (VwStore *store, const char *day, gint64 seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO case_numbers (day, last_seq) VALUES (?1, ?2)"
      " ON CONFLICT (day) DO UPDATE SET last_seq = excluded.last_seq", error);

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, day);
  sqlite3_bind_int64 (stmt, 2, seq);
  return store_step_done (store, stmt, "saving the case number", error);
}

static gboolean
load_case_seq (VwStore *store, const char *day, gint64 *seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT last_seq FROM case_numbers WHERE day = ?1", error);
  gboolean has_row;

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, day);
  if (!store_step_row (store, stmt, &has_row, "reading the case numbers", error))
    return FALSE;
  *seq = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

/* The next case number of the day of @started_at; skips numbers that
 * callers gave explicitly. */
static char *
next_case_no (VwStore *store, gint64 started_at, GError **error)
{
  g_autofree char *day = case_day (started_at);
  g_autofree char *case_no = NULL;
  gboolean taken = TRUE;
  gint64 seq;

  if (!load_case_seq (store, day, &seq, error))
    return NULL;
  while (taken) {
    if (++seq > CASE_SEQ_MAX) {
      store_fail (error, VW_STORE_ERROR_CONFLICT, "no case numbers left for %s", day);
      return NULL;
    }
    g_free (case_no);
    case_no = g_strdup_printf ("VW-%s-%06" G_GINT64_FORMAT, day, seq);
    if (!store_exists (store, "SELECT 1 FROM sessions WHERE case_no = ?1", case_no,
            &taken, error))
      return NULL;
  }
  if (!save_case_seq (store, day, seq, error))
    return NULL;
  return g_steal_pointer (&case_no);
}

/* The given case number if it is free, else the next of the day. */
static char *
assign_case_no (VwStore *store, const VwStoreSession *s, GError **error)
{
  gboolean taken;

  if (!s->case_no)
    return next_case_no (store, s->started_at, error);
  if (!store_exists (store, "SELECT 1 FROM sessions WHERE case_no = ?1", s->case_no,
          &taken, error))
    return NULL;
  if (taken) {
    store_fail (error, VW_STORE_ERROR_CONFLICT, "case number %s is taken", s->case_no);
    return NULL;
  }
  return g_strdup (s->case_no);
}

static gboolean
check_session (const VwStoreSession *s, GError **error)
{
  return store_require_text (s->id, "session id", error)
      && store_require_text (s->province, "session province", error)
      && store_require_time (s->started_at, "started_at", error)
      && (!s->case_no || store_require_text (s->case_no, "case number", error));
}

static gboolean
session_insert (VwStore *store, const VwStoreSession *s, char **case_no,
    GError **error)
{
  gboolean taken;

  if (!store_exists (store, "SELECT 1 FROM sessions WHERE id = ?1", s->id, &taken, error))
    return FALSE;
  if (taken)
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "session '%s' exists already", s->id);
  if (!(*case_no = assign_case_no (store, s, error)))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO sessions (id, case_no, province, item, started_at, state,"
      " requested_at) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, s->id);
  store_bind_text (stmt, 2, *case_no);
  store_bind_text (stmt, 3, s->province);
  store_bind_text (stmt, 4, s->item);
  sqlite3_bind_int64 (stmt, 5, s->started_at);
  if (s->requested_at > 0)
    sqlite3_bind_int64 (stmt, 6, MIN (s->requested_at, s->started_at));
  return store_step_done (store, stmt, "recording the session", error);
}

gboolean
vw_store_session_begin (VwStore *store, const VwStoreSession *session,
    char **case_no_out, GError **error)
{
  g_autofree char *case_no = NULL;

  g_return_val_if_fail (store != NULL && session != NULL, FALSE);

  if (!check_session (session, error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, session_insert (store, session, &case_no, error), error))
    return FALSE;
  if (case_no_out)
    *case_no_out = g_steal_pointer (&case_no);
  return TRUE;
}

static gboolean
check_participant (const VwStoreParticipant *p, GError **error)
{
  return store_require_text (p->peer_id, "peer id", error)
      && store_check_role (p->role, error)
      && store_require_time (p->joined_at, "joined_at", error);
}

static gboolean
participant_known (VwStore *store, const char *session_id, const char *peer_id,
    gboolean *known, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT 1 FROM participants WHERE session_id = ?1 AND peer_id = ?2", error);

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, session_id);
  store_bind_text (stmt, 2, peer_id);
  return store_step_row (store, stmt, known, "looking up a participant", error);
}

static gboolean
participant_insert (VwStore *store, const char *session_id,
    const VwStoreParticipant *p, GError **error)
{
  gboolean taken;

  if (!require_open_session (store, session_id, error)
      || !participant_known (store, session_id, p->peer_id, &taken, error))
    return FALSE;
  if (taken)
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "%s is in session '%s' already",
        p->peer_id, session_id);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO participants (session_id, peer_id, role, name, province,"
      " center, joined_at, account) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, session_id);
  store_bind_text (stmt, 2, p->peer_id);
  store_bind_text (stmt, 3, p->role);
  store_bind_text (stmt, 4, p->name);
  store_bind_text (stmt, 5, p->province);
  store_bind_text (stmt, 6, p->center);
  sqlite3_bind_int64 (stmt, 7, p->joined_at);
  store_bind_text (stmt, 8, p->account);
  return store_step_done (store, stmt, "recording the participant", error);
}

gboolean
vw_store_session_add_participant (VwStore *store, const char *session_id,
    const VwStoreParticipant *participant, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL, FALSE);
  g_return_val_if_fail (participant != NULL, FALSE);

  if (!check_participant (participant, error) || !store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, participant_insert (store, session_id, participant, error),
      error);
}

static gboolean
participant_leave (VwStore *store, const char *session_id, const char *peer_id,
    gint64 at, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "UPDATE participants SET left_at = ?3"
      " WHERE session_id = ?1 AND peer_id = ?2 AND left_at IS NULL", error);
  gboolean known;

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, session_id);
  store_bind_text (stmt, 2, peer_id);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!store_step_done (store, stmt, "recording the departure", error))
    return FALSE;
  if (sqlite3_changes (store->db) == 1)
    return TRUE;
  if (!participant_known (store, session_id, peer_id, &known, error))
    return FALSE;
  return store_fail (error, known ? VW_STORE_ERROR_CONFLICT : VW_STORE_ERROR_NOT_FOUND,
      known ? "%s left session '%s' already" : "%s is not in session '%s'",
      peer_id, session_id);
}

/* A StoreWriteFunc: a = the peer. */
static gboolean
write_participant_left (VwStore *store, const StorePending *w, GError **error)
{
  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, participant_leave (store, w->session_id, w->a, w->at, error),
      error);
}

gboolean
vw_store_session_participant_left (VwStore *store, const char *session_id,
    const char *peer_id, gint64 at, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL && peer_id != NULL, FALSE);

  if (!store_require_time (at, "left_at", error))
    return FALSE;
  StorePending *w = store_pending_new (write_participant_left, session_id,
      g_strdup_printf ("%s leaving session %s at %" G_GINT64_FORMAT, peer_id,
          session_id, at));
  w->a = g_strdup (peer_id);
  w->at = at;
  return store_write_or_keep (store, w, error);
}

/* Participants still in open sessions (all, or only ?2) leave at ?1. */
static const char close_participants_sql[] =
    "UPDATE participants SET left_at = ?1 WHERE left_at IS NULL AND session_id IN"
    " (SELECT id FROM sessions WHERE state = 'open' AND (?2 IS NULL OR id = ?2))";

static gboolean
close_participants (VwStore *store, const char *session_id, gint64 at,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, close_participants_sql, error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, at);
  store_bind_text (stmt, 2, session_id);
  return store_step_done (store, stmt, "closing the participants", error);
}

static gboolean
session_close (VwStore *store, const char *session_id, const char *reason,
    gint64 at, GError **error)
{
  if (!require_open_session (store, session_id, error)
      || !close_participants (store, session_id, at, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "UPDATE sessions SET state = 'ended', ended_at = ?2, end_reason = ?3"
      " WHERE id = ?1", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, at);
  store_bind_text (stmt, 3, reason);
  return store_step_done (store, stmt, "ending the session", error);
}

/* A StoreWriteFunc: a = the reason. */
static gboolean
write_session_end (VwStore *store, const StorePending *w, GError **error)
{
  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, session_close (store, w->session_id, w->a, w->at, error),
      error);
}

gboolean
vw_store_session_end (VwStore *store, const char *session_id, const char *reason,
    gint64 ended_at, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL, FALSE);

  if (!store_require_text (reason, "end reason", error)
      || !store_require_time (ended_at, "ended_at", error))
    return FALSE;
  StorePending *w = store_pending_new (write_session_end, session_id,
      g_strdup_printf ("the end of session %s (%s at %" G_GINT64_FORMAT ")", session_id,
          reason, ended_at));
  w->a = g_strdup (reason);
  w->at = ended_at;
  return store_write_or_keep (store, w, error);
}


static gboolean
interrupt_open (VwStore *store, gint64 at, guint *n, GError **error)
{
  if (!close_participants (store, NULL, at, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "UPDATE sessions SET state = 'interrupted', ended_at = ?1, end_reason = ?2"
      " WHERE state = 'open'", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, at);
  store_bind_text (stmt, 2, VW_STORE_REASON_INTERRUPTED);
  if (!store_step_done (store, stmt, "marking open sessions", error))
    return FALSE;
  *n = sqlite3_changes (store->db);
  return TRUE;
}

gboolean
vw_store_mark_open_sessions_interrupted (VwStore *store, gint64 at, guint *n_out,
    GError **error)
{
  guint n = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!store_require_time (at, "at", error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, interrupt_open (store, at, &n, error), error))
    return FALSE;
  if (n_out)
    *n_out = n;
  return TRUE;
}

static gpointer
session_from_row (sqlite3_stmt *stmt)
{
  VwStoreSession *s = g_new0 (VwStoreSession, 1);

  s->id = store_column_dup (stmt, 0);
  s->case_no = store_column_dup (stmt, 1);
  s->province = store_column_dup (stmt, 2);
  s->item = store_column_dup (stmt, 3);
  s->started_at = sqlite3_column_int64 (stmt, 4);
  s->ended_at = sqlite3_column_int64 (stmt, 5);   /* NULL reads as 0 */
  s->end_reason = store_column_dup (stmt, 6);
  s->state = state_from_string ((const char *) sqlite3_column_text (stmt, 7));
  s->requested_at = sqlite3_column_int64 (stmt, 8);   /* NULL reads as 0 */
  return s;
}

VwStoreSession *
vw_store_get_session (VwStore *store, const char *id, GError **error)
{
  g_return_val_if_fail (store != NULL && id != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT id, case_no, province, item, started_at, ended_at, end_reason,"
      " state, requested_at FROM sessions WHERE id = ?1", error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, id);
  if (!store_step_row (store, stmt, &has_row, "reading the session", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no session '%s'", id);
    return NULL;
  }
  VwStoreSession *s = session_from_row (stmt);
  /* Its end may wait in memory (a full disk): it is over all the same. */
  const StorePending *end = s->state == VW_STORE_SESSION_OPEN
      ? store_pending_find (store, write_session_end, id) : NULL;
  if (end) {
    s->state = VW_STORE_SESSION_ENDED;
    s->ended_at = end->at;
    g_free (s->end_reason);
    s->end_reason = g_strdup (end->a);
  }
  return s;
}

static gpointer
participant_from_row (sqlite3_stmt *stmt)
{
  VwStoreParticipant *p = g_new0 (VwStoreParticipant, 1);

  p->peer_id = store_column_dup (stmt, 0);
  p->role = store_column_dup (stmt, 1);
  p->name = store_column_dup (stmt, 2);
  p->province = store_column_dup (stmt, 3);
  p->center = store_column_dup (stmt, 4);
  p->joined_at = sqlite3_column_int64 (stmt, 5);
  p->left_at = sqlite3_column_int64 (stmt, 6);
  p->account = store_column_dup (stmt, 7);
  return p;
}

GPtrArray *
vw_store_list_participants (VwStore *store, const char *session_id, GError **error)
{
  VwStoreSessionState state;

  g_return_val_if_fail (store != NULL && session_id != NULL, NULL);

  if (!store_session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT peer_id, role, name, province, center, joined_at, left_at, account"
      " FROM participants WHERE session_id = ?1 ORDER BY joined_at, rowid", error);
  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, session_id);
  return store_collect (store, stmt, participant_from_row,
      (GDestroyNotify) vw_store_participant_free, error);
}

