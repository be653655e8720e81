/* vw-broker-transfer.c: transfer (转办) and three-party calls (三方通话).
 *
 * Only the lead agent of a session does either.  A transfer hands the clerk
 * to a named colleague or to the front of an item's queue; the clerk's
 * media connection to the hub stays up throughout, and it is told
 * ("transferred", then "queued" or "paired" again).  An invitation brings an
 * available agent of any centre or province into the session as a third
 * participant: the hub forwards every track to all three.  Both are legs of
 * the one case (see vw-broker-session.c) and on its timeline.
 */
#include "vw-broker-private.h"

/* At most one invited agent: "three parties connected". */
#define MAX_GUESTS 1

/* @c's session, if @c leads it. */
static Session *
led_session (Connection *c, VwMessage *msg, GError **error)
{
  if (!broker_check_session (c, msg, error))
    return NULL;
  if (g_strcmp0 (c->session->agent, c->peer_id) != 0) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "only the agent serving the clerk may '%s'",
        vw_message_type_to_string (vw_message_get_msg_type (msg)));
    return NULL;
  }
  return c->session;
}

/* The signed-in agent @username, connected and not @self. */
static Connection *
target_agent (Connection *self, const char *username, GError **error)
{
  Connection *t = broker_find_agent_by_account (self->broker, username);
  if (!t) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_AGENT,
        "no agent '%s' is signed in", username);
    return NULL;
  }
  if (t == self) {
    g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "field 'agent' names yourself");
    return NULL;
  }
  return t;
}

static void
note_transfer (VwBroker *b, Session *s, Connection *from, const char *field,
    const char *value, const char *province)
{
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "from", from->peer_id);
  json_object_set_string_member (detail, field, value);
  if (province)
    json_object_set_string_member (detail, "province", province);
  broker_store_event (b, s->id, "transferred", from->peer_id, detail);
}

static GPtrArray *
transfer_to_agent (Connection *c, Session *s, const char *username,
    VwMessage *out, GError **error)
{
  VwBroker *b = c->broker;
  Connection *t = target_agent (c, username, error);
  if (!t)
    return NULL;
  GPtrArray *events = vw_pairing_transfer_to_agent (b->pairing, s->clerk,
      t->peer_id, broker_now_us (), error);
  if (!events)
    return NULL;
  vw_message_take_object (out, "agent", broker_peer_info (t));
  note_transfer (b, s, c, "agent", t->peer_id, NULL);
  g_autofree char *c_name = vw_log_escape (c->name), *t_name = vw_log_escape (t->name);
  g_message ("session %s: %s transfers the clerk to %s", s->id, c_name, t_name);
  return events;
}

static GPtrArray *
transfer_to_queue (Connection *c, Session *s, const char *item,
    const char *province, VwMessage *out, GError **error)
{
  VwBroker *b = c->broker;
  Connection *clerk = g_hash_table_lookup (b->connections, s->clerk);
  if (!province || !*province)
    province = clerk->handled_in;
  if (!vw_province_is_known (province)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE,
        "unknown province '%s'", province);
    return NULL;
  }
  if (!broker_check_item (b, province, item, error))
    return NULL;
  g_autofree char *to_province = g_strdup (province);
  GPtrArray *events = vw_pairing_transfer_to_queue (b->pairing, s->clerk,
      to_province, item, broker_now_us (), error);
  if (!events)
    return NULL;
  /* The clerk now waits for that item, under that province's rules. */
  g_free (clerk->item);
  clerk->item = g_strdup (item);
  g_free (clerk->handled_in);
  clerk->handled_in = g_strdup (to_province);
  clerk->requested_at = broker_now_ms ();
  vw_message_set_string (out, "item", item);
  vw_message_set_string (out, "province", to_province);
  note_transfer (b, s, c, "item", item, to_province);
  g_autofree char *c_name = vw_log_escape (c->name), *item_shown = vw_log_escape (item);
  g_autofree char *province_shown = vw_log_escape (to_province);
  g_message ("session %s: %s transfers the clerk to the queue of %s in %s", s->id,
      c_name, item_shown, province_shown);
  return events;
}

gboolean
broker_handle_transfer (Connection *c, VwMessage *msg, GError **error)
{
  VwBroker *b = c->broker;
  Session *s = led_session (c, msg, error);
  if (!s)
    return FALSE;
  const char *agent = vw_message_get_string (msg, "agent", NULL);
  const char *item = vw_message_get_string (msg, "item", NULL);
  if ((agent != NULL) == (item != NULL)) {
    g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "a transfer names either 'agent' (an account) or 'item' (a queue)");
    return FALSE;
  }
  g_autoptr (VwMessage) told = vw_message_new (VW_MSG_TRANSFERRED);
  vw_message_set_string (told, "session", s->id);
  g_autoptr (GPtrArray) events = agent
      ? transfer_to_agent (c, s, agent, told, error)
      : transfer_to_queue (c, s, item, vw_message_get_string (msg, "province", NULL),
          told, error);
  if (!events)
    return FALSE;
  /* The agent who transferred leaves (its "ended" answers the request),
   * the clerk is told, then the pairing's outcome: a new agent joins, or
   * the clerk waits. */
  g_autofree char *clerk = g_strdup (s->clerk);
  broker_session_agent_leaves (b, s, c->peer_id, "transferred", vw_message_get_id (msg));
  broker_send_to_peer (b, clerk, told);
  broker_apply_events (b, g_steal_pointer (&events));
  return TRUE;
}

gboolean
broker_handle_invite (Connection *c, VwMessage *msg, GError **error)
{
  VwBroker *b = c->broker;
  Session *s = led_session (c, msg, error);
  if (!s)
    return FALSE;
  if (s->guests->len >= MAX_GUESTS) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "a session has at most three participants");
    return FALSE;
  }
  Connection *t = target_agent (c, vw_message_get_string (msg, "agent", ""), error);
  if (!t)
    return FALSE;
  g_autoptr (GPtrArray) events = vw_pairing_claim_agent (b->pairing, t->peer_id,
      broker_now_us (), error);
  if (!events)
    return FALSE;
  if (!broker_session_add_guest (b, s, t, c, error)) {
    g_autoptr (GPtrArray) undo = vw_pairing_release_agent (b->pairing, t->peer_id,
        broker_now_us (), NULL);
    broker_apply_events (b, g_steal_pointer (&undo));
    return FALSE;
  }
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "agent", t->peer_id);
  broker_store_event (b, s->id, "invited", c->peer_id, detail);
  broker_conn_reply_ok (c, msg);
  broker_apply_events (b, g_steal_pointer (&events));
  return TRUE;
}
