/* vw-broker-desk.c: the service desk around a call: the queue each agent
 * sees, and the rating (好差评) a clerk gives once the session is over. */
#include "vw-broker-private.h"
#include "vw-store-supervision.h"

#define MAX_COMMENT_CHARS 500

/* ---- the queue, as agents see it ---- */

static JsonObject *
queue_entry (Connection *clerk, guint position, gint64 now)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "position", position);
  json_object_set_string_member (o, "item", clerk->item ? clerk->item : "");
  json_object_set_string_member (o, "name", clerk->name ? clerk->name : "");
  json_object_set_string_member (o, "province", clerk->province ? clerk->province : "");
  json_object_set_string_member (o, "center", clerk->center ? clerk->center : "");
  json_object_set_int_member (o, "waiting_s", MAX (0, now - clerk->requested_at) / 1000);
  return o;
}

static VwMessage *
queue_message (VwBroker *b, const char *province)
{
  g_autoptr (GPtrArray) ids = vw_pairing_list_queue (b->pairing, province);
  JsonArray *waiting = json_array_new ();
  gint64 now = broker_now_ms ();
  for (guint i = 0; i < ids->len; i++) {
    Connection *clerk = g_hash_table_lookup (b->connections, g_ptr_array_index (ids, i));
    if (clerk)
      json_array_add_object_element (waiting, queue_entry (clerk, i + 1, now));
  }
  VwMessage *msg = vw_message_new (VW_MSG_QUEUE);
  vw_message_set_string (msg, "province", province);
  vw_message_take_array (msg, "waiting", waiting);
  return msg;
}

/* Who waits for each agent's province; sent only when it changed (the
 * waiting times are left out of the comparison: they tick on their own). */
void
broker_update_queues (VwBroker *b)
{
  g_autoptr (GHashTable) by_province = g_hash_table_new_full (g_str_hash, g_str_equal,
      NULL, (GDestroyNotify) vw_message_unref);
  GHashTableIter iter;
  Connection *c;
  g_hash_table_iter_init (&iter, b->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c)) {
    if (!c->registered || c->role != VW_ROLE_AGENT)
      continue;
    VwMessage *msg = g_hash_table_lookup (by_province, c->province);
    if (!msg) {
      msg = queue_message (b, c->province);
      g_hash_table_insert (by_province, c->province, msg);
    }
    /* The list of who waits, without the seconds. */
    GString *key = g_string_new (NULL);
    JsonArray *waiting = vw_message_get_array_member (msg, "waiting");
    for (guint i = 0; i < json_array_get_length (waiting); i++) {
      JsonObject *e = json_array_get_object_element (waiting, i);
      g_string_append_printf (key, "%s|%s|", json_object_get_string_member (e, "item"),
          json_object_get_string_member (e, "name"));
    }
    /* Nobody waiting is what an agent assumes at first: not sent. */
    if (g_strcmp0 (key->str, c->queue_sent ? c->queue_sent : "") != 0) {
      g_free (c->queue_sent);
      c->queue_sent = g_string_free (key, FALSE);
      broker_conn_send (c, msg);
    } else {
      g_string_free (key, TRUE);
    }
  }
}

/* ---- the rating ---- */

/* Whether @c was the clerk of @session, which is over. */
static gboolean
check_rater (Connection *c, const char *session, GError **error)
{
  VwBroker *b = c->broker;
  g_autoptr (GError) local = NULL;
  g_autoptr (VwStoreSession) s = vw_store_get_session (b->store, session, &local);
  g_autoptr (GPtrArray) people = s ? vw_store_list_participants (b->store, session, NULL) : NULL;
  gboolean was_clerk = FALSE;
  for (guint i = 0; people && i < people->len; i++) {
    VwStoreParticipant *p = g_ptr_array_index (people, i);
    was_clerk |= g_str_equal (p->peer_id, c->peer_id) && g_str_equal (p->role, "clerk");
  }
  if (!was_clerk) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_SESSION,
        "session '%s' is not one you were served in", session);
    return FALSE;
  }
  if (s->state == VW_STORE_SESSION_OPEN) {
    g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "a session is rated once it is over");
    return FALSE;
  }
  return TRUE;
}

gboolean
broker_handle_rate (Connection *c, VwMessage *msg, GError **error)
{
  const char *session = vw_message_get_string (msg, "session", "");
  gint64 level = vw_message_get_int (msg, "level", 0);
  const char *comment = vw_message_get_string (msg, "comment", NULL);
  if (level < 1 || level > 5) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "field 'level' must be 1 (非常不满意) to 5 (非常满意), not %" G_GINT64_FORMAT, level);
    return FALSE;
  }
  if (comment && (!g_utf8_validate (comment, -1, NULL)
          || g_utf8_strlen (comment, -1) > MAX_COMMENT_CHARS)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "field 'comment' must be at most %d characters", MAX_COMMENT_CHARS);
    return FALSE;
  }
  if (!check_rater (c, session, error))
    return FALSE;
  g_autoptr (GError) local = NULL;
  VwStoreRating rating = { .session_id = (char *) session, .level = level,
    .comment = (char *) (comment && *comment ? comment : NULL),
    .created_at = broker_now_ms () };
  if (!vw_store_set_rating (c->broker->store, &rating, &local)) {
    if (g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT))
      g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
          "this session has been rated already; a rating is given once");
    else
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_INTERNAL,
          "the rating could not be stored");
    if (!g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT))
      g_warning ("session %s: cannot store the rating: %s", session, local->message);
    return FALSE;
  }
  g_message ("session %s rated %" G_GINT64_FORMAT " by %s", session, level, c->peer_id);
  broker_conn_reply_ok (c, msg);
  return TRUE;
}
