/* vw-broker.c: connections, registration, sessions; pairing decisions come
 * from VwPairing, media from VwHub. */
#include "vw-broker-private.h"
#include "vw-json-write.h"

#include <string.h>
#include "vw-hello-auth.h"
#include "vw-metrics.h"
#include "vw-store-audit.h"

/* Frames above this are refused by libsoup itself (close code 1009);
 * between VW_MAX_MESSAGE_SIZE and this we answer "too-large" and go on. */
#define WS_MAX_FRAME (1024 * 1024)
#define VW_MEDIA_START_TIMEOUT_DEFAULT_S 30
#define VW_MAX_WAITING_PER_ADDRESS_DEFAULT 20
/* Handling times kept per (province, item) for estimated waits. */
#define VW_WAIT_HISTORY_KEEP 20

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
  if (!c->ws) {   /* reconnecting */
    broker_resume_undelivered (c, msg);
    return;
  }
  if (soup_websocket_connection_get_state (c->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_autofree char *text = vw_message_to_string (msg);
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN)) {
    g_autofree char *shown = vw_log_escape (text);
    g_debug ("-> %s: %s", c->peer_id, shown);
  }
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

void
broker_send_to_peer (VwBroker *b, const char *peer, VwMessage *msg)
{
  Connection *c = g_hash_table_lookup (b->connections, peer);
  if (c)
    broker_conn_send (c, msg);
}

gint64
broker_now_ms (void)
{
  return g_get_real_time () / 1000;
}

gint64
broker_now_us (void)
{
  return now_us ();
}

guint
broker_count_waiting_from (VwBroker *b, const char *address)
{
  GPtrArray *same = g_hash_table_lookup (b->by_address, address);
  guint n = 0;
  for (guint i = 0; same && i < same->len; i++) {
    Connection *c = g_ptr_array_index (same, i);
    n += c->role == VW_ROLE_CLERK
        && vw_pairing_get_clerk_state (b->pairing, c->peer_id) == VW_CLERK_QUEUED;
  }
  return n;
}

Connection *
broker_find_agent_by_account (VwBroker *b, const char *username)
{
  GHashTableIter iter;
  Connection *c;
  g_hash_table_iter_init (&iter, b->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    if (c->registered && c->role == VW_ROLE_AGENT && c->claims
        && g_strcmp0 (c->claims->username, username) == 0)
      return c;
  return NULL;
}

/* ---- pairing outcomes ---- */

void
broker_apply_events (VwBroker *b, GPtrArray *events)
{
  g_autoptr (GPtrArray) owned = events;
  broker_board_drop (b);   /* the pairing changed */
  if (b->shutting_down)
    return;
  for (guint i = 0; events && i < events->len; i++) {
    VwPairingEvent *ev = g_ptr_array_index (events, i);
    switch (ev->type) {
    case VW_PAIRING_EVENT_PAIRED:
      broker_session_paired (b, ev->agent, ev->clerk);
      broker_board_drop (b);   /* an agent's leg began: its free time moved */
      break;
    case VW_PAIRING_EVENT_QUEUED:
      broker_send_queued (b, ev->clerk, ev->province, ev->item, ev->position);
      break;
    case VW_PAIRING_EVENT_AGENT_STATE:
      g_debug ("agent %s: %s", ev->agent, vw_agent_state_to_string (ev->agent_state));
      broker_send_agent_state (b, ev->agent, ev->agent_state, ev->until);
      broker_board_drop (b);
      break;
    }
  }
  broker_board_drop (b);
  broker_desk_refresh_soon (b);
  broker_schedule_wrap_up (b);
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
  if (vw_message_get_string (msg, "resume", NULL))
    return broker_resume_hello (c, msg, error);   /* frees @c if it succeeds */
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
  g_auto (GStrv) items = NULL;
  if (role == VW_ROLE_AGENT && !broker_check_agent_items (b, msg, &items, error))
    return FALSE;
  gboolean ok = TRUE;
  if (role == VW_ROLE_AGENT)
    ok = vw_pairing_add_agent (b->pairing, c->peer_id, province,
        (const char *const *) items, now_us (), error);
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
  c->items = g_steal_pointer (&items);
  g_autofree char *name_shown = vw_log_escape (c->name);
  g_autofree char *province_shown = vw_log_escape (province);
  g_autofree char *center_shown = vw_log_escape (c->center);
  g_message ("%s registered: %s %s of %s, %s", c->peer_id,
      vw_role_to_string (role), name_shown, province_shown, center_shown);

  g_autoptr (VwMessage) welcome = vw_message_new_welcome (c->peer_id);
  vw_message_set_ref (welcome, vw_message_get_id (msg));
  broker_resume_new_token (c);
  vw_message_set_string (welcome, "resume-token", c->resume_token);
  broker_conn_send (c, welcome);
  if (role == VW_ROLE_AGENT) {
    broker_send_agent_state (b, c->peer_id, VW_AGENT_AWAY, 0);
    broker_desk_refresh_soon (b);   /* an agent sees its queue at once */
  }
  return TRUE;
}

static gboolean
handle_status (Connection *c, VwMessage *msg, GError **error)
{
  GPtrArray *events = vw_pairing_set_available (c->broker->pairing,
      c->peer_id, vw_message_get_bool (msg, "available", FALSE), now_us (), error);
  if (!events)
    return FALSE;
  broker_conn_reply_ok (c, msg);
  broker_apply_events (c->broker, events);
  return TRUE;
}

/* Media and hangup messages name a session, which must be the sender's. */
gboolean
broker_check_session (Connection *c, VwMessage *msg, GError **error)
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
  if (!broker_check_session (c, msg, error))
    return FALSE;
  VwBroker *b = c->broker;
  if (c->role == VW_ROLE_SUPERVISOR) {
    broker_session_stop_watching (b, c->session, c->peer_id, "hangup",
        vw_message_get_id (msg));
    return TRUE;
  }
  if (broker_session_is_guest (c->session, c->peer_id)) {
    /* An invited agent leaves; the call goes on. */
    broker_session_agent_leaves (b, c->session, c->peer_id, "hangup",
        vw_message_get_id (msg));
    broker_apply_events (b, vw_pairing_release_agent (b->pairing, c->peer_id,
        now_us (), NULL));
    return TRUE;
  }
  broker_session_end (b, c->session, c->peer_id, "hangup", "peer-hangup",
      FALSE, vw_message_get_id (msg));
  return TRUE;
}

static gboolean
handle_media (Connection *c, VwMessage *msg, GError **error)
{
  if (!broker_check_session (c, msg, error))
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
  if (!broker_check_session (c, msg, error))
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
  broker_send_to_peer (c->broker, snap->sent_by, out);
  g_autofree char *id_shown = vw_log_escape (id), *note_shown = vw_log_escape (note);
  g_message ("session %s: %s annotates %s: %s", s->id, c->peer_id, id_shown, note_shown);
  GError *err = NULL;
  VwStoreAnnotation record = {
    .snapshot_id = (char *) id, .session_id = s->id, .author = c->peer_id,
    .x = x, .y = y, .w = w, .h = h, .note = (char *) note, .created_at = broker_now_ms (),
  };
  if (!vw_store_add_annotation (c->broker->store, &record, NULL, &err))
    broker_store_failed ("an annotation", err);
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
  if (c->session) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "already watching session %s", c->session->id);
    return FALSE;
  }
  /* Whose centres and provinces the session touches: the agents in it
   * (none while a transferred clerk waits), the clerk and its rules. */
  Connection *clerk = s ? g_hash_table_lookup (b->connections, s->clerk) : NULL;
  Connection *agent = s && s->agent ? g_hash_table_lookup (b->connections, s->agent) : NULL;
  g_autoptr (GPtrArray) centers = g_ptr_array_new ();
  g_autoptr (GPtrArray) provinces = g_ptr_array_new ();
  for (guint i = 0; s && i <= s->guests->len; i++) {
    Connection *a = i < s->guests->len
        ? g_hash_table_lookup (b->connections, g_ptr_array_index (s->guests, i)) : agent;
    if (a) {
      g_ptr_array_add (centers, a->center);
      g_ptr_array_add (provinces, a->province);
    }
  }
  if (clerk) {
    g_ptr_array_add (centers, clerk->center);
    g_ptr_array_add (provinces, clerk->province);
    g_ptr_array_add (provinces, clerk->handled_in);
  }
  g_ptr_array_add (centers, NULL);
  g_ptr_array_add (provinces, NULL);
  /* Out of scope looks the same as unknown: ids do not leak. */
  if (!s || !clerk || !vw_hello_may_watch (c->claims,
          (const char *const *) centers->pdata, (const char *const *) provinces->pdata)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_SESSION,
        "no session '%s' that you may watch is running", id);
    return FALSE;
  }
  if (!vw_hub_join_viewer (b->hub, s->id, c->peer_id, error))
    return FALSE;
  c->session = s;
  g_ptr_array_add (s->viewers, g_strdup (c->peer_id));
  broker_store_participant (b, s->id, c);
  broker_store_event (b, s->id, "monitor-started", c->peer_id, NULL);
  GError *err = NULL;
  g_autoptr (JsonObject) detail = json_object_new ();
  json_object_set_string_member (detail, "peer_id", c->peer_id);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
  g_autofree char *text = vw_json_to_string (node);
  if (!vw_store_add_audit (b->store, broker_now_ms (), c->claims->username, "watch-live",
          s->id, text, NULL, &err))
    broker_store_failed ("an audit entry", err);
  g_autofree char *user_shown = vw_log_escape (c->claims->username);
  g_autofree char *name_shown = vw_log_escape (c->name);
  g_message ("session %s: supervisor %s (%s) watches live", s->id, user_shown,
      name_shown);
  broker_conn_reply_ok (c, msg);
  broker_send_paired (c, s, agent ? agent : clerk, FALSE);
  if (b->recordings)
    broker_send_recording (c, s);
  return TRUE;
}

typedef enum { ANY_ROLE = -1 } RoleRule;

/* Watching live is receive-only: a supervisor watching a session (one of
 * its viewers) may only take part in the media it receives (answer, ice)
 * and stop watching (hangup); everything that would change the session or
 * reach its participants is refused, before its handler runs. */
typedef enum { WATCHER_NO = FALSE, WATCHER_MAY = TRUE } WatcherRule;

static const struct {
  VwMessageType type;
  gboolean before_hello;     /* allowed before registration */
  int role;                  /* VwRole, or ANY_ROLE */
  WatcherRule watcher;       /* whether a watching supervisor may send it */
  gboolean (*handler) (Connection *c, VwMessage *msg, GError **error);
} handlers[] = {
  { VW_MSG_HELLO,   TRUE,  ANY_ROLE,      WATCHER_NO,  handle_hello },
  /* answered before and after hello alike (dispatch) */
  { VW_MSG_PING,    TRUE,  ANY_ROLE,      WATCHER_MAY, broker_handle_ping },
  { VW_MSG_STATUS,  FALSE, VW_ROLE_AGENT, WATCHER_NO,  handle_status },
  { VW_MSG_REQUEST, FALSE, VW_ROLE_CLERK, WATCHER_NO,  broker_handle_request },
  { VW_MSG_HANGUP,  FALSE, ANY_ROLE,      WATCHER_MAY, handle_hangup },
  { VW_MSG_PUBLISH, FALSE, ANY_ROLE,      WATCHER_NO,  handle_media },
  { VW_MSG_ANSWER,  FALSE, ANY_ROLE,      WATCHER_MAY, handle_media },
  { VW_MSG_ICE,     FALSE, ANY_ROLE,      WATCHER_MAY, handle_media },
  { VW_MSG_SNAPSHOT_REQUEST, FALSE, ANY_ROLE, WATCHER_NO, handle_media },
  { VW_MSG_ANNOTATE, FALSE, ANY_ROLE,     WATCHER_NO,  handle_annotate },
  /* refused by its handler: already watching (wrong-state) */
  { VW_MSG_MONITOR, FALSE, VW_ROLE_SUPERVISOR, WATCHER_MAY, handle_monitor },
  { VW_MSG_RATE,    FALSE, VW_ROLE_CLERK, WATCHER_NO,  broker_handle_rate },
  { VW_MSG_TRANSFER, FALSE, VW_ROLE_AGENT, WATCHER_NO, broker_handle_transfer },
  { VW_MSG_INVITE,  FALSE, VW_ROLE_AGENT, WATCHER_NO,  broker_handle_invite },
};

/* Whether @c watches a session live (is one of its viewers). */
static gboolean
conn_is_watching (Connection *c)
{
  for (guint i = 0; c->session && i < c->session->viewers->len; i++)
    if (g_str_equal (g_ptr_array_index (c->session->viewers, i), c->peer_id))
      return TRUE;
  return FALSE;
}

static gboolean
dispatch (Connection *c, VwMessage *msg, GError **error)
{
  VwMessageType type = vw_message_get_msg_type (msg);
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++) {
    if (handlers[i].type != type)
      continue;
    if (type == VW_MSG_PING)
      return handlers[i].handler (c, msg, error);
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
    if (!handlers[i].watcher && conn_is_watching (c)) {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_ROLE,
          "watching live is receive-only: no '%s'", vw_message_type_to_string (type));
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

  broker_liveness_heard (c);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_set_error (&error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BINARY_FRAME,
        "binary frames are not part of the protocol; send JSON text");
    conn_send_error (c, error, NULL);
    return;
  }
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN)) {
    g_autofree char *raw = g_strndup (data, MIN (size, 2048));
    g_autofree char *shown = vw_log_escape (raw);
    g_debug ("<- %s: %s", c->peer_id, shown);
  }
  g_autoptr (VwMessage) msg = vw_message_parse (data, size, VW_FROM_CLIENT,
      &ref, &error);
  if (!msg || !dispatch (c, msg, &error)) {
    g_autofree char *shown = vw_log_escape (error->message);
    g_debug ("%s: %s", c->peer_id, shown);
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
  GPtrArray *same = g_hash_table_lookup (c->broker->by_address, c->address);
  if (same) {
    g_ptr_array_remove_fast (same, c);
    if (same->len == 0)
      g_hash_table_remove (c->broker->by_address, c->address);
  }
  broker_resume_clear (c);
  broker_conn_detach_ws (c, 0, NULL);
  g_free (c->peer_id);
  g_free (c->address);
  g_free (c->name);
  g_free (c->province);
  g_free (c->center);
  g_free (c->item);
  g_strfreev (c->items);
  g_free (c->booking);
  g_free (c->leg_province);
  g_free (c->leg_item);
  g_free (c->handled_in);
  g_clear_pointer (&c->claims, vw_token_claims_free);
  g_free (c->queue_sent);
  g_free (c);
}

void
broker_conn_leave (Connection *c, const char *reason)
{
  VwBroker *b = c->broker;
  g_autofree char *peer = g_strdup (c->peer_id);
  if (c->session && c->role == VW_ROLE_SUPERVISOR)
    broker_session_stop_watching (b, c->session, peer, "hangup", NULL);
  else if (c->session && broker_session_is_guest (c->session, peer))
    broker_session_agent_leaves (b, c->session, peer, reason, NULL);
  else if (c->session)
    broker_session_end (b, c->session, peer, "hangup", reason, TRUE, NULL);
  GPtrArray *events = vw_pairing_remove (b->pairing, peer, now_us ());
  g_hash_table_remove (b->connections, peer);   /* frees c */
  broker_apply_events (b, events);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, Connection *c)
{
  /* A close frame with 1000 (normal closure) from the client is a
   * deliberate leave (取消排队, vw-client exiting): nothing to wait for.
   * Anything else (no close frame, 1001 from a browser going away, a
   * proxy's or the network's cut) may be a drop-out. */
  gushort code = soup_websocket_connection_get_close_code (ws);
  g_message ("%s disconnected (%u)", c->peer_id, code);
  if (code != SOUP_WEBSOCKET_CLOSE_NORMAL && broker_resume_ws_lost (c))
    return;   /* kept for the grace period */
  broker_conn_leave (c, "peer-disconnected");
}

static void
on_ws_pong (SoupWebsocketConnection *ws, GBytes *message, Connection *c)
{
  broker_liveness_heard (c);
}

void
broker_conn_attach_ws (Connection *c, SoupWebsocketConnection *ws)
{
  g_return_if_fail (c->ws == NULL);
  c->ws = g_object_ref (ws);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), c);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), c);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), c);
  g_signal_connect (ws, "pong", G_CALLBACK (on_ws_pong), c);
  broker_liveness_watch (c);
}

void
broker_conn_detach_ws (Connection *c, gushort code, const char *reason)
{
  g_clear_handle_id (&c->liveness_source, g_source_remove);
  if (!c->ws)
    return;
  g_autoptr (SoupWebsocketConnection) ws = g_steal_pointer (&c->ws);
  g_signal_handlers_disconnect_by_data (ws, c);
  if (code && soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, code, reason);
}

void
vw_broker_add_websocket (VwBroker *b, SoupWebsocketConnection *ws,
    const char *peer_address)
{
  Connection *c = g_new0 (Connection, 1);
  c->broker = b;
  c->peer_id = random_id ("p");
  c->address = g_strdup (peer_address ? peer_address : "");
  GPtrArray *same = g_hash_table_lookup (b->by_address, c->address);
  if (!same) {
    same = g_ptr_array_new ();
    g_hash_table_insert (b->by_address, g_strdup (c->address), same);
  }
  g_ptr_array_add (same, c);
  soup_websocket_connection_set_max_incoming_payload_size (ws, WS_MAX_FRAME);
  broker_conn_attach_ws (c, ws);
  g_hash_table_insert (b->connections, c->peer_id, c);
  g_debug ("%s connected", c->peer_id);
}

/* ---- hub callbacks ---- */

static void
hub_send (const char *peer, VwMessage *msg, gpointer user_data)
{
  broker_send_to_peer (user_data, peer, msg);
}

static void
hub_media_lost (const char *session, const char *peer, gpointer user_data)
{
  broker_resume_media_lost (user_data, session, peer);
}

static void
hub_media_failed (const char *session, const char *peer, const GError *error,
    gpointer user_data)
{
  VwBroker *b = user_data;
  Session *s = g_hash_table_lookup (b->sessions, session);
  g_warning ("session %s: media of %s failed: %s", session, peer, error->message);
  if (s)
    broker_session_end (b, s, NULL, "media-failed", "media-failed", FALSE, NULL);
}

/* The clerk has published and its media connection is up: the call has
 * begun, and the session no longer ends for want of it. */
static void
hub_media_started (const char *session, const char *peer, gpointer user_data)
{
  VwBroker *b = user_data;
  Session *s = g_hash_table_lookup (b->sessions, session);
  if (s && g_strcmp0 (s->clerk, peer) == 0 && s->media_timeout) {
    g_debug ("session %s: the clerk's media started", session);
    g_clear_handle_id (&s->media_timeout, g_source_remove);
  }
  broker_resume_media_up (b, session, peer);
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
    broker_store_failed ("a snapshot", err);
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
  broker_store_event (b, session, "recording-started", peer, detail);
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

static void
hub_recording_failed (const char *session, const char *peer, const char *recording,
    VwTrackKind kind, const char *reason, gint64 at_ms, gpointer user_data)
{
  VwBroker *b = user_data;
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "kind", vw_track_kind_to_string (kind));
  json_object_set_string_member (detail, "reason", reason);
  broker_store_event (b, session, "recording-failed", peer, detail);
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
    .ice_tcp = config->ice_tcp,
    .ice_port_min = config->ice_port_min,
    .ice_port_max = config->ice_port_max,
    .data_dir = config->data_dir,
    .record = config->record,
    .chunk_seconds = config->chunk_seconds,
  };
  VwHubCallbacks callbacks = {
    .send = hub_send,
    .media_failed = hub_media_failed,
    .media_started = hub_media_started,
    .media_lost = config->reconnect_grace_s ? hub_media_lost : NULL,
    .snapshot_stored = hub_snapshot_stored,
    .recording_started = hub_recording_started,
    .chunk_recorded = hub_chunk_recorded,
    .recording_stopped = hub_recording_stopped,
    .recording_failed = hub_recording_failed,
  };
  if (config->record)
    b->recordings = vw_recordings_new (config->store, config->data_dir);
  memcpy (b->token_key, config->token_key, VW_TOKEN_KEY_SIZE);
  b->media_start_timeout_s = config->media_start_timeout_s
      ? config->media_start_timeout_s : VW_MEDIA_START_TIMEOUT_DEFAULT_S;
  b->max_waiting_per_address = config->max_waiting_per_address
      ? config->max_waiting_per_address : VW_MAX_WAITING_PER_ADDRESS_DEFAULT;
  b->reconnect_grace_s = config->reconnect_grace_s;
  b->ping_interval_s = config->ping_interval_s ? config->ping_interval_s : 5;
  b->silence_timeout_s = config->silence_timeout_s ? config->silence_timeout_s : 15;
  b->resume_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  b->booking_guesses = vw_throttle_new (&(VwThrottleConfig) {
      .free_failures = 10, .base_delay_ms = 1000,
      .max_delay_ms = 15 * 60 * 1000, .forget_after_ms = 60 * 60 * 1000,
      .max_keys = 10000 });
  b->turn_urls = g_strdupv ((GStrv) config->turn_urls);
  b->turn_secret = g_strdup (config->turn_secret);
  b->turn_ttl_s = config->turn_ttl_s ? config->turn_ttl_s : 8 * 3600;
  b->pairing = vw_pairing_new ();
  vw_pairing_set_wrap_up (b->pairing, (gint64) config->wrap_up_seconds * G_USEC_PER_SEC);
  b->handling = vw_wait_history_new (VW_WAIT_HISTORY_KEEP);
  b->hub = vw_hub_new (&hub_config, &callbacks, b);
  b->by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) g_ptr_array_unref);
  b->connections = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) connection_free);
  b->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) broker_session_free);
  broker_load_handling (b);
  return b;
}

void
vw_broker_shutdown (VwBroker *b)
{
  b->shutting_down = TRUE;
  GList *sessions = g_hash_table_get_values (b->sessions);
  for (GList *l = sessions; l; l = l->next)
    broker_session_end (b, l->data, NULL, "server-shutdown", "server-shutdown",
        FALSE, NULL);
  g_list_free (sessions);

  GList *conns = g_hash_table_get_values (b->connections);
  for (GList *l = conns; l; l = l->next) {
    Connection *c = l->data;
    if (c->ws)
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
  g_hash_table_unref (b->resume_tokens);
  g_hash_table_unref (b->by_address);
  g_clear_handle_id (&b->desk_refresh_source, g_source_remove);
  broker_board_drop (b);
  g_hash_table_unref (b->sessions);
  vw_hub_free (b->hub);
  vw_recordings_free (b->recordings);
  vw_pairing_free (b->pairing);
  vw_throttle_free (b->booking_guesses);
  vw_wait_history_free (b->handling);
  g_clear_handle_id (&b->wrap_up_source, g_source_remove);
  g_clear_pointer (&b->errors_sent, g_hash_table_unref);
  g_strfreev (b->turn_urls);
  g_free (b->turn_secret);
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

JsonArray *
vw_broker_list_agents (VwBroker *b)
{
  JsonArray *out = json_array_new ();
  GHashTableIter iter;
  Connection *c;
  g_hash_table_iter_init (&iter, b->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c)) {
    if (!c->registered || c->role != VW_ROLE_AGENT || !c->claims)
      continue;
    JsonObject *o = json_object_new ();
    json_object_set_string_member (o, "account", c->claims->username);
    json_object_set_string_member (o, "name", c->name);
    json_object_set_string_member (o, "province", c->province);
    json_object_set_string_member (o, "center", c->center);
    json_object_set_string_member (o, "state", vw_agent_state_to_string (
        vw_pairing_get_agent_state (b->pairing, c->peer_id)));
    JsonArray *items = json_array_new ();
    for (guint i = 0; c->items && c->items[i]; i++)
      json_array_add_string_element (items, c->items[i]);
    /* null: every item of the province */
    if (c->items)
      json_object_set_array_member (o, "items", items);
    else {
      json_array_unref (items);
      json_object_set_null_member (o, "items");
    }
    json_array_add_object_element (out, o);
  }
  return out;
}
