/* vw-store-pending.c: the writes that must never be lost, kept in memory
 * while the disk is full (see "Durability" in vw-store.h).
 *
 * A write that may wait is a StorePending: what to run (its own
 * transaction) and its values.  store_write_or_keep() runs it at once
 * when nothing waits; when it fails with VW_STORE_ERROR_FULL, or earlier
 * writes still wait (the order is kept), it goes to the tail of the
 * queue.  The queue is written, in order, before every later write
 * (store_tx_begin) and every PENDING_RETRY_S seconds on the main context
 * that kept the first of them, until it is empty. */
#include "vw-store-db.h"

#define PENDING_RETRY_S 1

void
store_pending_free (StorePending *w)
{
  if (!w)
    return;
  g_free (w->description);
  g_free (w->session_id);
  g_free (w->a);
  g_free (w->b);
  g_free (w->c);
  g_free (w);
}

StorePending *
store_pending_new (StoreWriteFunc write, const char *session_id, char *description)
{
  StorePending *w = g_new0 (StorePending, 1);
  w->write = write;
  w->session_id = g_strdup (session_id);
  w->description = description;
  return w;
}

static gboolean
on_retry (gpointer data)
{
  VwStore *store = data;
  vw_store_flush_pending (store);
  if (g_queue_is_empty (&store->pending)) {
    store->retry_source = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* Keeps @w (transfer full) at the tail of the queue; @cause (nullable,
 * transfer full) is why it could not be written now. */
static gboolean
keep (VwStore *store, StorePending *w, GError *cause, GError **error)
{
  if (store->pending.length >= store->pending_limit) {
    g_warning ("store: the disk is still full and %u writes wait in memory already "
        "(the most kept): %s is NOT kept", store->pending.length, w->description);
    if (cause)
      g_propagate_error (error, cause);
    else
      store_fail (error, VW_STORE_ERROR_FULL, "the disk is full and %u writes wait "
          "already", store->pending.length);
    store_pending_free (w);
    return FALSE;
  }
  if (g_queue_is_empty (&store->pending))
    g_warning ("store: %s; %s and every later write that must not be lost are kept "
        "in memory, in order, and written when space returns (tried every %d s)",
        cause ? cause->message : "the disk is full", w->description, PENDING_RETRY_S);
  else
    g_debug ("store: kept in memory: %s", w->description);
  g_clear_error (&cause);
  g_queue_push_tail (&store->pending, w);
  if (!store->retry_source)
    store->retry_source = g_timeout_add_seconds (PENDING_RETRY_S, on_retry, store);
  return TRUE;
}

gboolean
store_write_or_keep (VwStore *store, StorePending *w, GError **error)
{
  GError *local = NULL;

  vw_store_flush_pending (store);
  if (!g_queue_is_empty (&store->pending))
    return keep (store, w, NULL, error);
  if (w->write (store, w, &local)) {
    store_pending_free (w);
    return TRUE;
  }
  if (g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_FULL))
    return keep (store, w, local, error);
  g_propagate_error (error, local);
  store_pending_free (w);
  return FALSE;
}

gboolean
vw_store_flush_pending (VwStore *store)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (store->flushing || g_queue_is_empty (&store->pending))
    return TRUE;
  store->flushing = TRUE;
  guint n = 0;
  g_autoptr (GPtrArray) sessions = g_ptr_array_new_with_free_func (g_free);
  StorePending *w;
  while ((w = g_queue_peek_head (&store->pending))) {
    g_autoptr (GError) local = NULL;
    if (!w->write (store, w, &local)) {
      if (g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_FULL))
        break;
      /* Refused for what it is (a conflict...): it never will be written. */
      g_warning ("store: %s, kept in memory while the disk was full, is refused now: "
          "%s", w->description, local->message);
    } else {
      n++;
    }
    if (w->session_id && !g_ptr_array_find_with_equal_func (sessions, w->session_id,
            g_str_equal, NULL))
      g_ptr_array_add (sessions, g_strdup (w->session_id));
    store_pending_free (g_queue_pop_head (&store->pending));
  }
  store->flushing = FALSE;
  gboolean all = g_queue_is_empty (&store->pending);
  if (all) {
    g_message ("store: space returned: the %u writes kept in memory are written", n);
    g_clear_handle_id (&store->retry_source, g_source_remove);
  }
  if (sessions->len && store->flushed_func) {
    g_ptr_array_add (sessions, NULL);
    store->flushed_func (store, (const char *const *) sessions->pdata,
        store->flushed_data);
  }
  return all;
}

guint
vw_store_get_n_pending (VwStore *store)
{
  g_return_val_if_fail (store != NULL, 0);
  return store->pending.length;
}

void
vw_store_set_pending_limit (VwStore *store, guint limit)
{
  g_return_if_fail (store != NULL && limit > 0);
  store->pending_limit = limit;
}

void
vw_store_set_flushed_func (VwStore *store, VwStoreFlushedFunc func, gpointer data)
{
  g_return_if_fail (store != NULL);
  store->flushed_func = func;
  store->flushed_data = data;
}

gpointer
vw_store_get_flushed_data (VwStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  return store->flushed_data;
}

/* The first waiting write of @write for @session_id, or NULL. */
const StorePending *
store_pending_find (VwStore *store, StoreWriteFunc write, const char *session_id)
{
  for (GList *l = store->pending.head; l; l = l->next) {
    const StorePending *w = l->data;
    if (w->write == write && g_strcmp0 (w->session_id, session_id) == 0)
      return w;
  }
  return NULL;
}

/* At close: one last try, then every write that could not be made is
 * named in the log, one line each. */
void
store_pending_close (VwStore *store)
{
  g_clear_handle_id (&store->retry_source, g_source_remove);
  if (g_queue_is_empty (&store->pending))
    return;
  vw_store_flush_pending (store);
  g_clear_handle_id (&store->retry_source, g_source_remove);
  if (g_queue_is_empty (&store->pending))
    return;
  g_warning ("store: closing with the disk still full: %u writes kept in memory "
      "are LOST:", store->pending.length);
  StorePending *w;
  while ((w = g_queue_pop_head (&store->pending))) {
    g_warning ("store: LOST: %s", w->description);
    store_pending_free (w);
  }
}
