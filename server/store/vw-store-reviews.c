/* vw-store-reviews.c: supervisors' reviews of sessions and the one rating
 * (好差评) of each session (see vw-store-supervision.h). */
#include "vw-store-supervision.h"
#include "vw-store-db.h"
#include "vw-calendar.h"

void
vw_store_rating_free (VwStoreRating *rating)
{
  if (!rating)
    return;
  g_free (rating->session_id);
  g_free (rating->comment);
  g_free (rating);
}

void
vw_store_review_free (VwStoreReview *review)
{
  if (!review)
    return;
  g_free (review->session_id);
  g_free (review->author);
  g_free (review->comment);
  g_free (review);
}

static gboolean
check_level (int level, const char *what, GError **error)
{
  if (level >= 1 && level <= 5)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID, "%s %d is not 1..5", what, level);
}

/* ---- reviews ---- */

static gboolean
check_review (const VwStoreReview *r, GError **error)
{
  return store_require_text (r->session_id, "session id", error)
      && store_require_text (r->author, "review author", error)
      && check_level (r->score, "review score", error)
      && store_require_time (r->created_at, "created_at", error);
}

static gboolean
review_insert (VwStore *store, const VwStoreReview *r, gint64 *id_out, GError **error)
{
  VwStoreSessionState state;
  gboolean known;

  if (!store_session_state (store, r->session_id, &state, error)
      || !store_exists (store, "SELECT 1 FROM accounts WHERE username = ?1", r->author,
          &known, error))
    return FALSE;
  if (!known)
    return store_fail (error, VW_STORE_ERROR_NOT_FOUND, "no account '%s'", r->author);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO reviews (session_id, author, score, comment, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, r->session_id);
  store_bind_text (stmt, 2, r->author);
  sqlite3_bind_int (stmt, 3, r->score);
  store_bind_text (stmt, 4, r->comment);
  sqlite3_bind_int64 (stmt, 5, r->created_at);
  if (!store_step_done (store, stmt, "recording the review", error))
    return FALSE;
  *id_out = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

gboolean
vw_store_add_review (VwStore *store, const VwStoreReview *review, gint64 *id_out,
    GError **error)
{
  gint64 id = 0;

  g_return_val_if_fail (store != NULL && review != NULL, FALSE);

  if (!check_review (review, error) || !store_tx_begin (store, error))
    return FALSE;
  if (!store_tx_end (store, review_insert (store, review, &id, error), error))
    return FALSE;
  if (id_out)
    *id_out = id;
  return TRUE;
}

static gpointer
review_from_row (sqlite3_stmt *stmt)
{
  VwStoreReview *r = g_new0 (VwStoreReview, 1);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->session_id = store_column_dup (stmt, 1);
  r->author = store_column_dup (stmt, 2);
  r->score = sqlite3_column_int (stmt, 3);
  r->comment = store_column_dup (stmt, 4);
  r->created_at = sqlite3_column_int64 (stmt, 5);
  return r;
}

GPtrArray *
vw_store_list_reviews (VwStore *store, const char *session_id, GError **error)
{
  VwStoreSessionState state;

  g_return_val_if_fail (store != NULL && session_id != NULL, NULL);

  if (!store_session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT id, session_id, author, score, comment, created_at FROM reviews"
      " WHERE session_id = ?1 ORDER BY created_at, id", error);
  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, session_id);
  return store_collect (store, stmt, review_from_row,
      (GDestroyNotify) vw_store_review_free, error);
}

/* ---- ratings ---- */

static gboolean
check_rating (const VwStoreRating *r, GError **error)
{
  return store_require_text (r->session_id, "session id", error)
      && check_level (r->level, "rating level", error)
      && store_require_time (r->created_at, "created_at", error);
}

static gboolean
rating_insert (VwStore *store, const VwStoreRating *r, GError **error)
{
  VwStoreSessionState state;
  gboolean rated;

  if (!store_session_state (store, r->session_id, &state, error)
      || !store_exists (store, "SELECT 1 FROM ratings WHERE session_id = ?1",
          r->session_id, &rated, error))
    return FALSE;
  /* A rating is the citizen's word: never replaced, so a bad one cannot
   * disappear. */
  if (rated)
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "session '%s' is rated already",
        r->session_id);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "INSERT INTO ratings (session_id, level, comment, created_at)"
      " VALUES (?1, ?2, ?3, ?4)", error);
  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, r->session_id);
  sqlite3_bind_int (stmt, 2, r->level);
  store_bind_text (stmt, 3, r->comment);
  sqlite3_bind_int64 (stmt, 4, r->created_at);
  if (!store_step_done (store, stmt, "recording the rating", error))
    return FALSE;
  /* 不满意 or 非常不满意: followed up (整改), in this same transaction, so
   * that a bad rating is never stored without its follow-up. */
  if (r->level <= VW_FOLLOW_UP_MAX_LEVEL)
    return store_open_follow_up (store, r->session_id, r->created_at, error);
  return TRUE;
}

/* A StoreWriteFunc: n = level, a = comment. */
static gboolean
write_rating (VwStore *store, const StorePending *w, GError **error)
{
  VwStoreRating r = { .session_id = w->session_id, .level = w->n, .comment = w->a,
    .created_at = w->at };

  if (!store_tx_begin (store, error))
    return FALSE;
  return store_tx_end (store, rating_insert (store, &r, error), error);
}

/* While writes wait in memory, what rating_insert() would refuse is
 * refused now, counting the rating and the session's end that wait. */
static gboolean
check_rating_now (VwStore *store, const VwStoreRating *r, GError **error)
{
  VwStoreSessionState state;
  gboolean rated;

  if (!vw_store_get_n_pending (store))
    return TRUE;   /* rating_insert() checks it in its transaction */
  if (!store_session_state (store, r->session_id, &state, error)
      || !store_exists (store, "SELECT 1 FROM ratings WHERE session_id = ?1",
          r->session_id, &rated, error))
    return FALSE;
  if (rated || store_pending_find (store, write_rating, r->session_id))
    return store_fail (error, VW_STORE_ERROR_CONFLICT, "session '%s' is rated already",
        r->session_id);
  return TRUE;
}

gboolean
vw_store_set_rating (VwStore *store, const VwStoreRating *rating, GError **error)
{
  g_return_val_if_fail (store != NULL && rating != NULL, FALSE);

  if (!check_rating (rating, error) || !check_rating_now (store, rating, error))
    return FALSE;
  StorePending *w = store_pending_new (write_rating, rating->session_id,
      g_strdup_printf ("the rating %d of session %s at %" G_GINT64_FORMAT " (%s)",
          rating->level, rating->session_id, rating->created_at,
          rating->comment ? rating->comment : "no comment"));
  w->n = rating->level;
  w->a = g_strdup (rating->comment);
  w->at = rating->created_at;
  return store_write_or_keep (store, w, error);
}

VwStoreRating *
vw_store_get_rating (VwStore *store, const char *session_id, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = store_prepare (store,
      "SELECT session_id, level, comment, created_at FROM ratings"
      " WHERE session_id = ?1", error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  store_bind_text (stmt, 1, session_id);
  if (!store_step_row (store, stmt, &has_row, "reading the rating", error))
    return NULL;
  if (!has_row) {
    store_fail (error, VW_STORE_ERROR_NOT_FOUND, "session '%s' has no rating",
        session_id);
    return NULL;
  }
  VwStoreRating *r = g_new0 (VwStoreRating, 1);
  r->session_id = store_column_dup (stmt, 0);
  r->level = sqlite3_column_int (stmt, 1);
  r->comment = store_column_dup (stmt, 2);
  r->created_at = sqlite3_column_int64 (stmt, 3);
  return r;
}
