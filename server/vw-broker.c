/* vw-broker.c: connections, registration, sessions; pairing decisions come
 * from VwPairing, media from VwHub. */
#include "vw-broker-private.h"

#include <string.h>
#include "vw-hello-auth.h"
#include "vw-metrics.h"
#include "vw-store-audit.h"

/* Frames above this are refused by libsoup itself (close code 1009);
 * between VW_MAX_MESSAGE_SIZE and this we answer "too-large" and go on. */
#define WS_MAX_FRAME (1024 * 1024)
#define WS_KEEPALIVE_S 10

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static char *
random_id (const char *prefix)
{
  return g_strdup_printf ("%s-%08x%04x", prefix, g_random_int (),
      g_random_int () & 0xffff);
}

/* ---- sending ---- */

void
broker_conn_send (Connection *c, VwMessage *msg)
{
  if (soup_websocket_connection_get_state (c->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_autofree char *text = vw_message_to_string (msg);
  g_debug ("-> %s: %s", c->peer_id, text);
  soup_websocket_connection_send_text (c->ws, text);
  if (vw_message_get_msg_type (msg) == VW_MSG_ERROR)
    vw_metrics_count_error (c->broker, vw_message_get_string (msg, "code", "internal"));
}

static void
conn_send_error (Connection *c, const GError *error, JsonNode *ref)
{
  g_autoptr (VwMessage) msg = vw_message_new_error_from_gerror (error, ref);
  broker_conn_send (c, msg);
}

void
broker_conn_reply_ok (Connection *c, VwMessage *request)
{
  JsonNode *id = vw_message_get_id (request);
  if (!id)
    return;
  g_autoptr (VwMessage) ok = vw_message_new (VW_MSG_OK);
  vw_message_set_ref (ok, id);
  broker_conn_send (c, ok);
}

static void
send_to_peer (VwBroker *b, const char *peer, VwMessage *msg)
{
  Connection *c = g_hash_table_lookup (b->connections, peer);
  if (c)
    broker_conn_send (c, msg);
}

/* ---- the store: sessions, evidence and their timeline ----
 *
 * A failure to write is logged loudly but does not break the call: the
 * people in it come first, and the log names what is missing. */

gint64
broker_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
store_failed (const char *what, GError *error)
{
  g_warning ("store: cannot record %s: %s", what, error->message);
  g_error_free (error);
}

static void
store_event (VwBroker *b, const char *session, const char *type,
    const char *actor, JsonObject *detail)
{
  GError *error = NULL;
  g_autofree char *text = NULL;
  if (detail) {
    g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
    text = json_to_string (node, FALSE);
    json_object_unref (detail);
  }
  if (!vw_store_add_event (b->store, session, broker_now_ms (), type, actor, text, &error))
    store_failed (type, error);
}

static void
store_participant (VwBroker *b, const char *session, Connection *c)
{
  GError *error = NULL;
  VwStoreParticipant p = {
    .peer_id = c->peer_id, .role = (char *) vw_role_to_string (c->role),
    .name = c->name, .province = c->province, .center = c->center,
    .account = c->claims ? c->claims->username : NULL,
    .joined_at = broker_now_ms (),
  };
  if (!vw_store_session_add_participant (b->store, session, &p, &error))
    store_failed ("a participant", error);
}

/* Records the session; returns its case number (transfer full). */
static char *
store_session_begin (VwBroker *b, const char *id, Connection *agent, Connection *clerk)
{
  GError *error = NULL;
  char *case_no = NULL;
  VwStoreSession s = {
    .id = (char *) id, .province = clerk->handled_in, .item = clerk->item,
    .started_at = broker_now_ms (), .requested_at = clerk->requested_at,
  };
  if (!vw_store_session_begin (b->store, &s, &case_no, &error)) {
    store_failed ("a session", error);
    return g_strdup ("");
  }
  store_participant (b, id, agent);
  store_participant (b, id, clerk);
  return case_no;
}

static void
store_session_end (VwBroker *b, const char *id, const char *reason)
{
  GError *error = NULL;
  if (!vw_store_session_end (b->store, id, reason, broker_now_ms (), &error))
    store_failed ("the end of a session", error);
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "reason", reason);
  store_event (b, id, "ended", NULL, detail);
}

/* ---- sessions ---- */

static JsonObject *
peer_info (Connection *c)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "name", c->name);
  json_object_set_string_member (o, "role", vw_role_to_string (c->role));
  json_object_set_string_member (o, "province", c->province);
  json_object_set_string_member (o, "center", c->center);
  return o;
}

static void
send_paired (Connection *to, Session *s, Connection *peer)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_PAIRED);
  vw_message_set_string (msg, "session", s->id);
  vw_message_set_string (msg, "case", s->case_no);
  vw_message_take_object (msg, "peer", peer_info (peer));
  broker_conn_send (to, msg);
}

static void
send_recording (Connection *to, Session *s)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_RECORDING);
  vw_message_set_string (msg, "session", s->id);
  vw_message_set_bool (msg, "active", TRUE);
  broker_conn_send (to, msg);
}

static void
session_free (Session *s)
{
  g_free (s->case_no);
  g_free (s->id);
  g_free (s->agent);
  g_free (s->clerk);
  g_ptr_array_unref (s->viewers);
  g_free (s);
}

static void start_session (VwBroker *b, const char *agent, const char *clerk);
static void apply_pairing_events (VwBroker *b, GPtrArray *events);

static void
apply_events (VwBroker *b, GPtrArray *events)
{
  if (b->shutting_down)
    return;
  apply_pairing_events (b, events);
  broker_update_queues (b);
}

static void
apply_pairing_events (VwBroker *b, GPtrArray *events)
{
  for (guint i = 0; events && i < events->len; i++) {
    VwPairingEvent *ev = g_ptr_array_index (events, i);
    if (ev->type == VW_PAIRING_EVENT_PAIRED) {
      start_session (b, ev->agent, ev->clerk);
    } else {
      g_autoptr (VwMessage) msg = vw_message_new_queued (ev->province, ev->position);
      send_to_peer (b, ev->clerk, msg);
    }
  }
}

static void
start_session (VwBroker *b, const char *agent, const char *clerk)
{
  Connection *a = g_hash_table_lookup (b->connections, agent);
  Connection *c = g_hash_table_lookup (b->connections, clerk);
  g_return_if_fail (a && c);
  Session *s = g_new0 (Session, 1);
  s->id = random_id ("s");
  s->case_no = store_session_begin (b, s->id, a, c);
  s->agent = g_strdup (agent);
  s->clerk = g_strdup (clerk);
  s->viewers = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_insert (b->sessions, s->id, s);
  a->session = c->session = s;
  b->sessions_started++;
  g_message ("session %s: agent %s (%s) serves clerk %s (%s)", s->id, a->name,
      a->province, c->name, c->province);

  g_autoptr (GError) error = NULL;
  if (!vw_hub_join (b->hub, s->id, agent, &error)
      || !vw_hub_join (b->hub, s->id, clerk, &error))
    g_warning ("session %s: %s", s->id, error->message);
  send_paired (a, s, c);
  send_paired (c, s, a);
  if (b->recordings) {
    /* Told before any media flows: both sides know from the start. */
    send_recording (a, s);
    send_recording (c, s);
  }
}

/* The supervisor @peer stops watching @s live; it gets "ended" with
 * @reason, the session goes on. */
static void
stop_watching (VwBroker *b, Session *s, const char *peer, const char *reason,
    JsonNode *ref)
{
  g_autofree char *id = g_strdup (peer);
  Connection *c = g_hash_table_lookup (b->connections, id);
  vw_hub_leave (b->hub, id);
  for (guint i = 0; i < s->viewers->len; i++)
    if (g_str_equal (g_ptr_array_index (s->viewers, i), id)) {
      g_ptr_array_remove_index (s->viewers, i);   /* may free @peer */
      break;
    }
  GError *error = NULL;
  if (!vw_store_session_participant_left (b->store, s->id, id, broker_now_ms (), &error))
    store_failed ("a supervisor leaving", error);
  store_event (b, s->id, "monitor-stopped", id, NULL);
  if (!c)
    return;
  c->session = NULL;
  g_autoptr (VwMessage) msg = vw_message_new_ended (s->id, reason);
  vw_message_set_ref (msg, ref);
  broker_conn_send (c, msg);
}

/* Ends @s: both sides get "ended" (@reason_for_actor to @actor, @reason to
 * the other) and the hub lets go.  Unless the actor is leaving altogether
 * (then vw_pairing_remove() ends the pair), the pair ends here and the agent
 * is free again. */
static void
end_session (VwBroker *b, Session *s, const char *actor,
    const char *reason_for_actor, const char *reason, gboolean actor_leaving,
    JsonNode *actor_ref)
{
  g_autofree char *id = g_strdup (s->id);
  const char *members[] = { s->agent, s->clerk };
  g_message ("session %s ended: %s", id, reason);
  store_session_end (b, id, reason);
  while (s->viewers->len > 0)
    stop_watching (b, s, g_ptr_array_index (s->viewers, 0), reason, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++) {
    Connection *c = g_hash_table_lookup (b->connections, members[i]);
    vw_hub_leave (b->hub, members[i]);
    if (!c)
      continue;
    c->session = NULL;
    gboolean is_actor = g_strcmp0 (members[i], actor) == 0;
    g_autoptr (VwMessage) msg = vw_message_new_ended (id,
        is_actor ? reason_for_actor : reason);
    if (is_actor)
      vw_message_set_ref (msg, actor_ref);
    broker_conn_send (c, msg);
  }
  g_autoptr (GPtrArray) events = actor_leaving ? NULL
      : vw_pairing_end_pair (b->pairing, s->agent, now_us (), NULL);
  g_hash_table_remove (b->sessions, id);   /* frees s */
  apply_events (b, events);
}

/* ---- message handlers ---- */

static gboolean
handle_hello (Connection *c, VwMessage *msg, GError **error)
{
  VwBroker *b = c->broker;
  gint64 version = vw_message_get_int (msg, "protocol", 0);
  const char *province = vw_message_get_string (msg, "province", "");
  VwRole role;

  if (version != VW_PROTOCOL_VERSION) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNSUPPORTED_PROTOCOL,
        "protocol %" G_GINT64_FORMAT " is not supported; this server speaks %d",
        version, VW_PROTOCOL_VERSION);
    return FALSE;
  }
  if (!vw_province_is_known (province)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE,
        "unknown province '%s'", province);
    return FALSE;
  }
  vw_role_from_string (vw_message_get_string (msg, "role", ""), &role);
  g_autoptr (GError) auth_error = NULL;
  g_autoptr (VwTokenClaims) claims = vw_hello_check_token (b->store, b->token_key, role,
      vw_message_get_string (msg, "token", NULL), &auth_error);
  if (auth_error) {
    g_propagate_error (error, g_steal_pointer (&auth_error));
    return FALSE;
  }
  /* A signed-in account speaks for itself: its name, province, centre. */
  if (claims)
    province = claims->province;
  gboolean ok = TRUE;
  if (role == VW_ROLE_AGENT)
    ok = vw_pairing_add_agent (b->pairing, c->peer_id, province, now_us (), error);
  else if (role == VW_ROLE_CLERK)
    ok = vw_pairing_add_clerk (b->pairing, c->peer_id, error);
  if (!ok)
    return FALSE;

  c->registered = TRUE;
  c->role = role;
  c->name = g_strdup (claims ? claims->name : vw_message_get_string (msg, "name", ""));
  c->province = g_strdup (province);
  c->center = g_strdup (claims ? claims->center : vw_message_get_string (msg, "center", ""));
  c->claims = g_steal_pointer (&claims);
  g_message ("%s registered: %s %s of %s, %s", c->peer_id,
      vw_role_to_string (role), c->name, province, c->center);

  g_autoptr (VwMessage) welcome = vw_message_new_welcome (c->peer_id);
  vw_message_set_ref (welcome, vw_message_get_id (msg));
  broker_conn_send (c, welcome);
  if (role == VW_ROLE_AGENT)
    broker_update_queues (b);   /* an agent sees its province's queue at once */
  return TRUE;
}

/* A pairing call's outcome: refused (@events NULL, the error is set), or
 * accepted, answered and its events (pairs, queue positions) applied. */
static gboolean
finish_pairing (Connection *c, VwMessage *msg, GPtrArray *events)
{
  if (!events)
    return FALSE;
  broker_conn_reply_ok (c, msg);
  apply_events (c->broker, events);
  return TRUE;
}

static gboolean
handle_status (Connection *c, VwMessage *msg, GError **error)
{
  g_autoptr (GPtrArray) events = vw_pairing_set_available (c->broker->pairing,
      c->peer_id, vw_message_get_bool (msg, "available", FALSE), now_us (), error);
  return finish_pairing (c, msg, events);
}

static gboolean
handle_request (Connection *c, VwMessage *msg, GError **error)
{
  const char *province = vw_message_get_string (msg, "province", "");
  const char *item = vw_message_get_string (msg, "item", "");
  g_autoptr (GPtrArray) events = vw_pairing_request (c->broker->pairing,
      c->peer_id, province, now_us (), error);
  if (events) {
    /* Kept for the session record; a refused request changes nothing. */
    g_free (c->item);
    g_free (c->handled_in);
    c->item = g_strdup (item);
    c->handled_in = g_strdup (province);
    c->requested_at = broker_now_ms ();
  }
  return finish_pairing (c, msg, events);
}

/* Media and hangup messages name a session, which must be the sender's. */
static gboolean
check_session (Connection *c, VwMessage *msg, GError **error)
{
  const char *session = vw_message_get_string (msg, "session", "");
  if (!c->session) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "'%s' needs a session, and %s is in none",
        vw_message_type_to_string (vw_message_get_msg_type (msg)), c->peer_id);
    return FALSE;
  }
  if (!g_str_equal (session, c->session->id)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_SESSION,
        "session '%s' is not yours", session);
    return FALSE;
  }
  return TRUE;
}

static gboolean
handle_hangup (Connection *c, VwMessage *msg, GError **error)
{
  if (!check_session (c, msg, error))
    return FALSE;
  if (c->role == VW_ROLE_SUPERVISOR) {
    stop_watching (c->broker, c->session, c->peer_id, "hangup", vw_message_get_id (msg));
    return TRUE;
  }
  end_session (c->broker, c->session, c->peer_id, "hangup", "peer-hangup",
      FALSE, vw_message_get_id (msg));
  return TRUE;
}

static gboolean
handle_media (Connection *c, VwMessage *msg, GError **error)
{
  if (!check_session (c, msg, error))
    return FALSE;
  if (!vw_hub_handle_message (c->broker->hub, c->peer_id, msg, error))
    return FALSE;
  broker_conn_reply_ok (c, msg);
  return TRUE;
}

/* The agent marks a rectangle on a stored snapshot with a short note; the
 * participant whose page it is gets it ("guide the correction"). */
#define MAX_NOTE_CHARS 200

static gboolean
handle_annotate (Connection *c, VwMessage *msg, GError **error)
{
  if (!check_session (c, msg, error))
    return FALSE;
  Session *s = c->session;
  const char *id = vw_message_get_string (msg, "snapshot", "");
  const char *note = vw_message_get_string (msg, "note", "");
  gint64 x = vw_message_get_int (msg, "x", 0), y = vw_message_get_int (msg, "y", 0);
  gint64 w = vw_message_get_int (msg, "w", 0), h = vw_message_get_int (msg, "h", 0);
  /* The evidence record says which snapshots the session has, their size
   * and whose page each is. */
  g_autoptr (VwStoreSnapshot) snap = vw_store_get_snapshot (c->broker->store, id, NULL);
  if (!snap || g_strcmp0 (snap->session_id, s->id) != 0) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_SNAPSHOT,
        "session %s has no snapshot '%s'", s->id, id);
    return FALSE;
  }
  if (x + w > snap->width || y + h > snap->height) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "the rectangle leaves the %dx%d snapshot", snap->width, snap->height);
    return FALSE;
  }
  if (g_utf8_strlen (note, -1) > MAX_NOTE_CHARS) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "a note has at most %d characters", MAX_NOTE_CHARS);
    return FALSE;
  }
  g_autoptr (VwMessage) out = vw_message_new (VW_MSG_ANNOTATION);
  vw_message_set_string (out, "session", s->id);
  vw_message_set_string (out, "snapshot", id);
  vw_message_set_int (out, "x", x);
  vw_message_set_int (out, "y", y);
  vw_message_set_int (out, "w", w);
  vw_message_set_int (out, "h", h);
  vw_message_set_string (out, "note", note);
  vw_message_set_string (out, "by", c->peer_id);
  send_to_peer (c->broker, snap->sent_by, out);
  g_message ("session %s: %s annotates %s: %s", s->id, c->peer_id, id, note);
  GError *err = NULL;
  VwStoreAnnotation record = {
    .snapshot_id = (char *) id, .session_id = s->id, .author = c->peer_id,
    .x = x, .y = y, .w = w, .h = h, .note = (char *) note, .created_at = broker_now_ms (),
  };
  if (!vw_store_add_annotation (c->broker->store, &record, NULL, &err))
    store_failed ("an annotation", err);
  broker_conn_reply_ok (c, msg);
  return TRUE;
}

/* A supervisor watches a session live, receive-only, within their scope.
 * Every start is audited. */
static gboolean
handle_monitor (Connection *c, VwMessage *msg, GError **error)
{
  VwBroker *b = c->broker;
  const char *id = vw_message_get_string (msg, "session", "");
  Session *s = g_hash_table_lookup (b->sessions, id);
  Connection *agent = s ? g_hash_table_lookup (b->connections, s->agent) : NULL;
  Connection *clerk = s ? g_hash_table_lookup (b->connections, s->clerk) : NULL;
  const char *centers[] = { agent ? agent->center : NULL, clerk ? clerk->center : NULL, NULL };
  const char *provinces[] = { agent ? agent->province : NULL,
    clerk ? clerk->province : NULL, clerk ? clerk->handled_in : NULL, NULL };
  if (c->session) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "already watching session %s", c->session->id);
    return FALSE;
  }
  /* Out of scope looks the same as unknown: ids do not leak. */
  if (!s || !agent || !clerk || !vw_hello_may_watch (c->claims, centers, provinces)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_SESSION,
        "no session '%s' that you may watch is running", id);
    return FALSE;
  }
  if (!vw_hub_join_viewer (b->hub, s->id, c->peer_id, error))
    return FALSE;
  c->session = s;
  g_ptr_array_add (s->viewers, g_strdup (c->peer_id));
  store_participant (b, s->id, c);
  store_event (b, s->id, "monitor-started", c->peer_id, NULL);
  GError *err = NULL;
  g_autoptr (JsonObject) detail = json_object_new ();
  json_object_set_string_member (detail, "peer_id", c->peer_id);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
  g_autofree char *text = json_to_string (node, FALSE);
  if (!vw_store_add_audit (b->store, broker_now_ms (), c->claims->username, "watch-live",
          s->id, text, NULL, &err))
    store_failed ("an audit entry", err);
  g_message ("session %s: supervisor %s (%s) watches live", s->id, c->claims->username,
      c->name);
  broker_conn_reply_ok (c, msg);
  send_paired (c, s, agent);
  if (b->recordings)
    send_recording (c, s);
  return TRUE;
}

typedef enum { ANY_ROLE = -1 } RoleRule;

static const struct {
  VwMessageType type;
  gboolean before_hello;     /* allowed before registration */
  int role;                  /* VwRole, or ANY_ROLE */
  gboolean (*handler) (Connection *c, VwMessage *msg, GError **error);
} handlers[] = {
  { VW_MSG_HELLO,   TRUE,  ANY_ROLE,      handle_hello },
  { VW_MSG_STATUS,  FALSE, VW_ROLE_AGENT, handle_status },
  { VW_MSG_REQUEST, FALSE, VW_ROLE_CLERK, handle_request },
  { VW_MSG_HANGUP,  FALSE, ANY_ROLE,      handle_hangup },
  { VW_MSG_PUBLISH, FALSE, ANY_ROLE,      handle_media },
  { VW_MSG_ANSWER,  FALSE, ANY_ROLE,      handle_media },
  { VW_MSG_ICE,     FALSE, ANY_ROLE,      handle_media },
  { VW_MSG_SNAPSHOT_REQUEST, FALSE, ANY_ROLE, handle_media },
  { VW_MSG_ANNOTATE, FALSE, ANY_ROLE,     handle_annotate },
  { VW_MSG_MONITOR, FALSE, VW_ROLE_SUPERVISOR, handle_monitor },
  { VW_MSG_RATE,    FALSE, VW_ROLE_CLERK, broker_handle_rate },
};

static gboolean
dispatch (Connection *c, VwMessage *msg, GError **error)
{
  VwMessageType type = vw_message_get_msg_type (msg);
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++) {
    if (handlers[i].type != type)
      continue;
    if (handlers[i].before_hello && c->registered) {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_ALREADY_REGISTERED,
          "already registered as %s", c->peer_id);
      return FALSE;
    }
    if (!handlers[i].before_hello && !c->registered) {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_NOT_REGISTERED,
          "send 'hello' first");
      return FALSE;
    }
    if (handlers[i].role != ANY_ROLE && (int) c->role != handlers[i].role) {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_ROLE,
          "'%s' is for %ss only", vw_message_type_to_string (type),
          vw_role_to_string (handlers[i].role));
      return FALSE;
    }
    return handlers[i].handler (c, msg, error);
  }
  /* Parsing only lets client types through, and all of them are above. */
  g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_TYPE,
      "unexpected message type");
  return FALSE;
}

/* ---- connections ---- */

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *payload,
    Connection *c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) ref = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (payload, &size);

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_set_error (&error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BINARY_FRAME,
        "binary frames are not part of the protocol; send JSON text");
    conn_send_error (c, error, NULL);
    return;
  }
  g_debug ("<- %s: %.*s", c->peer_id, (int) MIN (size, 2048), data);
  g_autoptr (VwMessage) msg = vw_message_parse (data, size, VW_FROM_CLIENT,
      &ref, &error);
  if (!msg || !dispatch (c, msg, &error)) {
    g_debug ("%s: %s", c->peer_id, error->message);
    conn_send_error (c, error, msg ? vw_message_get_id (msg) : ref);
  }
}

/* libsoup reports a frame over the size limit here and then drops the
 * connection without a close frame; close it properly, with 1009. */
static void
on_ws_error (SoupWebsocketConnection *ws, GError *error, Connection *c)
{
  g_debug ("%s: %s", c->peer_id, error->message);
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG)
      && soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_TOO_BIG,
        "message too big");
}

static void
connection_free (Connection *c)
{
  g_signal_handlers_disconnect_by_data (c->ws, c);
  g_object_unref (c->ws);
  g_free (c->peer_id);
  g_free (c->name);
  g_free (c->province);
  g_free (c->center);
  g_free (c->item);
  g_free (c->handled_in);
  g_clear_pointer (&c->claims, vw_token_claims_free);
  g_free (c->queue_sent);
  g_free (c);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, Connection *c)
{
  VwBroker *b = c->broker;
  g_autofree char *peer = g_strdup (c->peer_id);
  g_message ("%s disconnected", peer);
  if (c->session && c->role == VW_ROLE_SUPERVISOR)
    stop_watching (b, c->session, peer, "hangup", NULL);
  else if (c->session)
    end_session (b, c->session, peer, "hangup", "peer-disconnected", TRUE,
        NULL);
  g_autoptr (GPtrArray) events = vw_pairing_remove (b->pairing, peer, now_us ());
  g_hash_table_remove (b->connections, peer);   /* frees c */
  apply_events (b, events);
}

void
vw_broker_add_websocket (VwBroker *b, SoupWebsocketConnection *ws)
{
  Connection *c = g_new0 (Connection, 1);
  c->broker = b;
  c->ws = g_object_ref (ws);
  c->peer_id = random_id ("p");
  soup_websocket_connection_set_max_incoming_payload_size (ws, WS_MAX_FRAME);
  /* Pings find peers whose network vanished without a close. */
  soup_websocket_connection_set_keepalive_interval (ws, WS_KEEPALIVE_S);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), c);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), c);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), c);
  g_hash_table_insert (b->connections, c->peer_id, c);
  g_debug ("%s connected", c->peer_id);
}

/* ---- hub callbacks ---- */

static void
hub_send (const char *peer, VwMessage *msg, gpointer user_data)
{
  send_to_peer (user_data, peer, msg);
}

static void
hub_media_failed (const char *session, const char *peer, const GError *error,
    gpointer user_data)
{
  VwBroker *b = user_data;
  Session *s = g_hash_table_lookup (b->sessions, session);
  g_warning ("session %s: media of %s failed: %s", session, peer, error->message);
  if (s)
    end_session (b, s, NULL, "media-failed", "media-failed", FALSE, NULL);
}

static void
hub_snapshot_stored (const char *session, const char *snapshot, const char *path,
    const char *sha256, gsize size, guint width, guint height, const char *by,
    const char *from, gpointer user_data)
{
  VwBroker *b = user_data;
  g_message ("session %s: snapshot %s (%ux%u, %" G_GSIZE_FORMAT " bytes, sha256 %s) "
      "from %s for %s kept as %s", session, snapshot, width, height, size, sha256,
      from, by, path);
  GError *err = NULL;
  VwStoreSnapshot record = {
    .id = (char *) snapshot, .session_id = (char *) session, .path = (char *) path,
    .sha256 = (char *) sha256, .size = size,
    .mime = (char *) (g_str_has_suffix (path, ".jpg") ? "image/jpeg" : "image/png"),
    .width = width, .height = height, .requested_by = (char *) by,
    .sent_by = (char *) from, .created_at = broker_now_ms (),
  };
  if (!vw_store_add_snapshot (b->store, &record, &err))
    store_failed ("a snapshot", err);
}

static void
hub_recording_started (const char *session, const char *peer, const char *recording,
    VwTrackKind kind, const char *dir, gint64 at_ms, gpointer user_data)
{
  VwBroker *b = user_data;
  vw_recordings_started (b->recordings, session, peer, recording, kind, dir, at_ms);
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "kind", vw_track_kind_to_string (kind));
  json_object_set_string_member (detail, "dir", dir);
  store_event (b, session, "recording-started", peer, detail);
}

static void
hub_chunk_recorded (const char *recording, guint seq, const char *path,
    const char *sha256, gint64 size, gint64 duration_ms, gpointer user_data)
{
  VwBroker *b = user_data;
  vw_recordings_chunk (b->recordings, recording, seq, path, sha256, size, duration_ms);
}

static void
hub_recording_stopped (const char *recording, gint64 at_ms, gboolean complete,
    gpointer user_data)
{
  VwBroker *b = user_data;
  vw_recordings_stopped (b->recordings, recording, at_ms, complete);
}

/* ---- life cycle ---- */

VwBroker *
vw_broker_new (const VwBrokerConfig *config)
{
  VwBroker *b = g_new0 (VwBroker, 1);
  b->store = config->store;
  VwHubConfig hub_config = {
    .latency_ms = config->hub_latency_ms,
    .ice_address = config->ice_address,
    .data_dir = config->data_dir,
    .record = config->record,
    .chunk_seconds = config->chunk_seconds,
  };
  VwHubCallbacks callbacks = {
    .send = hub_send,
    .media_failed = hub_media_failed,
    .snapshot_stored = hub_snapshot_stored,
    .recording_started = hub_recording_started,
    .chunk_recorded = hub_chunk_recorded,
    .recording_stopped = hub_recording_stopped,
  };
  if (config->record)
    b->recordings = vw_recordings_new (config->store, config->data_dir);
  memcpy (b->token_key, config->token_key, VW_TOKEN_KEY_SIZE);
  b->pairing = vw_pairing_new ();
  b->hub = vw_hub_new (&hub_config, &callbacks, b);
  b->connections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) connection_free);
  b->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) session_free);
  return b;
}

void
vw_broker_shutdown (VwBroker *b)
{
  b->shutting_down = TRUE;
  GList *sessions = g_hash_table_get_values (b->sessions);
  for (GList *l = sessions; l; l = l->next)
    end_session (b, l->data, NULL, "server-shutdown", "server-shutdown",
        FALSE, NULL);
  g_list_free (sessions);

  GList *conns = g_hash_table_get_values (b->connections);
  for (GList *l = conns; l; l = l->next) {
    Connection *c = l->data;
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
        "server shutting down");
  }
  g_list_free (conns);
  /* The last chunk of every recording is finished before we go. */
  if (!vw_hub_flush_recordings (b->hub, 10000))
    g_warning ("some recordings lost their last chunk at shutdown");
}

void
vw_broker_free (VwBroker *b)
{
  if (!b)
    return;
  g_hash_table_remove_all (b->connections);
  g_hash_table_unref (b->connections);
  g_hash_table_unref (b->sessions);
  vw_hub_free (b->hub);
  vw_recordings_free (b->recordings);
  vw_pairing_free (b->pairing);
  g_clear_pointer (&b->errors_sent, g_hash_table_unref);
  g_free (b);
}

JsonObject *
vw_broker_get_status (VwBroker *b)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "connections", g_hash_table_size (b->connections));
  json_object_set_int_member (o, "sessions", g_hash_table_size (b->sessions));
  json_object_set_int_member (o, "sessions_started", b->sessions_started);
  return o;
}
