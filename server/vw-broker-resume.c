/* vw-broker-resume.c: drop-outs (issue 12; PROTOCOL.md, "Drop-outs and
 * resuming").
 *
 * Liveness: every WebSocket is pinged every ping-interval (libsoup's
 * keepalive) and every frame or pong from it is noted; one silent for
 * silence-timeout is closed and counts as lost.
 *
 * A participant whose WebSocket is lost (closed other than by hangup, or
 * silent) while it is in a session or waiting in a queue is not gone: its
 * Connection stays, without a WebSocket ("lost"), for the grace period
 * (reconnect-grace).  The hub drops its media connection and makes a new,
 * idle one (the others' m-lines stay), the others hear "peer-network"
 * reconnecting, the timeline "reconnecting".  A hello with its resume
 * token hands the new WebSocket to the kept Connection (same peer id, same
 * session, same place in the queue); once its new media connection is up
 * the others hear "restored", and so does the timeline.  The same happens,
 * WebSocket kept, when the hub reports its media connection lost: the
 * participant gets "media-restart".  Past the grace period it leaves as a
 * closed connection did before, with the reason "connection-lost".
 *
 * Tokens: 128 random bits from the kernel, one resume each, a new one in
 * every welcome; the table maps them to peer ids and is emptied with the
 * Connection, so a participant that reconnects for ever holds one token
 * and one Connection at a time. */
#include "vw-broker-private.h"

#include <errno.h>
#include <sys/random.h>

#define CLOSE_RESUMED 4000   /* the old WebSocket of a participant taken over */

/* ---- liveness ---- */

void
broker_liveness_heard (Connection *c)
{
  c->last_heard_us = g_get_monotonic_time ();
}

static gboolean
on_liveness_check (gpointer data)
{
  Connection *c = data;
  VwBroker *b = c->broker;
  gint64 silent_us = g_get_monotonic_time () - c->last_heard_us;
  if (silent_us < (gint64) b->silence_timeout_s * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;
  c->liveness_source = 0;
  g_message ("%s: nothing heard for %" G_GINT64_FORMAT " s: connection lost",
      c->peer_id, silent_us / G_USEC_PER_SEC);
  broker_conn_detach_ws (c, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "silent");
  if (!broker_resume_ws_lost (c))
    broker_conn_leave (c, "peer-disconnected");
  return G_SOURCE_REMOVE;
}

void
broker_liveness_watch (Connection *c)
{
  VwBroker *b = c->broker;
  broker_liveness_heard (c);
  soup_websocket_connection_set_keepalive_interval (c->ws, b->ping_interval_s);
  g_clear_handle_id (&c->liveness_source, g_source_remove);
  /* Checked twice per ping interval: lost within half an interval of the
   * timeout. */
  c->liveness_source = g_timeout_add (MAX (b->ping_interval_s * 500, 250),
      on_liveness_check, c);
}

gboolean
broker_handle_ping (Connection *c, VwMessage *msg, GError **error)
{
  g_autoptr (VwMessage) pong = vw_message_new (VW_MSG_PONG);
  vw_message_set_ref (pong, vw_message_get_id (msg));
  broker_conn_send (c, pong);
  return TRUE;
}

/* ---- tokens ---- */

void
broker_resume_new_token (Connection *c)
{
  VwBroker *b = c->broker;
  guint8 bytes[16];
  gsize got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR)
      continue;
    g_assert (n > 0);   /* the kernel's pool never runs dry once seeded */
    got += n;
  }
  GString *token = g_string_new ("r-");
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (token, "%02x", bytes[i]);
  if (c->resume_token)
    g_hash_table_remove (b->resume_tokens, c->resume_token);
  g_free (c->resume_token);
  c->resume_token = g_string_free (token, FALSE);
  g_hash_table_insert (b->resume_tokens, g_strdup (c->resume_token), c->peer_id);
}

void
broker_resume_clear (Connection *c)
{
  if (c->resume_token)
    g_hash_table_remove (c->broker->resume_tokens, c->resume_token);
  g_clear_pointer (&c->resume_token, g_free);
  g_clear_handle_id (&c->grace_source, g_source_remove);
  g_clear_handle_id (&c->liveness_source, g_source_remove);
  g_clear_pointer (&c->pending_ended, vw_message_unref);
}

/* ---- telling the others ---- */

static void
send_peer_network (VwBroker *b, Session *s, const char *peer, const char *state)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_PEER_NETWORK);
  vw_message_set_string (msg, "session", s->id);
  vw_message_set_string (msg, "peer", peer);
  vw_message_set_string (msg, "state", state);
  g_autoptr (GPtrArray) to = g_ptr_array_new ();
  if (s->agent)
    g_ptr_array_add (to, s->agent);
  g_ptr_array_add (to, s->clerk);
  g_ptr_array_extend (to, s->guests, NULL, NULL);
  g_ptr_array_extend (to, s->viewers, NULL, NULL);
  for (guint i = 0; i < to->len; i++)
    if (!g_str_equal (g_ptr_array_index (to, i), peer))
      broker_send_to_peer (b, g_ptr_array_index (to, i), msg);
}

/* ---- the grace period ---- */

static gboolean
may_keep (Connection *c)
{
  VwBroker *b = c->broker;
  if (!b->reconnect_grace_s || b->shutting_down || !c->registered
      || c->role == VW_ROLE_SUPERVISOR)
    return FALSE;
  if (c->session)
    return TRUE;
  return c->role == VW_ROLE_CLERK
      && vw_pairing_get_clerk_state (b->pairing, c->peer_id) == VW_CLERK_QUEUED;
}

static gboolean
on_grace_over (gpointer data)
{
  Connection *c = data;
  VwBroker *b = c->broker;
  c->grace_source = 0;
  c->lost = FALSE;
  if (!c->ws) {
    g_message ("%s did not come back within %u s", c->peer_id, b->reconnect_grace_s);
    b->grace_expired++;
    broker_conn_leave (c, "connection-lost");   /* frees c */
    return G_SOURCE_REMOVE;
  }
  Session *s = c->session;
  if (!s)
    return G_SOURCE_REMOVE;   /* its session ended meanwhile */
  /* Its WebSocket is here, its media never came back. */
  g_message ("session %s: the media of %s did not come back within %u s", s->id,
      c->peer_id, b->reconnect_grace_s);
  b->grace_expired++;
  if (broker_session_is_guest (s, c->peer_id)) {
    broker_session_agent_leaves (b, s, c->peer_id, "connection-lost", NULL);
    broker_apply_events (b, vw_pairing_release_agent (b->pairing, c->peer_id,
        broker_now_us (), NULL));
  } else {
    broker_session_end (b, s, NULL, "connection-lost", "connection-lost", FALSE, NULL);
  }
  return G_SOURCE_REMOVE;
}

/* @c is lost (@cause "websocket" or "media"): the grace period starts. */
static void
start_reconnecting (Connection *c, const char *cause)
{
  VwBroker *b = c->broker;
  c->lost = TRUE;
  b->connections_lost++;
  g_clear_handle_id (&c->grace_source, g_source_remove);
  c->grace_source = g_timeout_add_seconds (b->reconnect_grace_s, on_grace_over, c);
  g_message ("%s: %s lost; kept %u s for its return", c->peer_id, cause,
      b->reconnect_grace_s);
  Session *s = c->session;
  if (!s)
    return;
  vw_hub_reset_participant (b->hub, c->peer_id);
  send_peer_network (b, s, c->peer_id, "reconnecting");
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "cause", cause);
  broker_store_event (b, s->id, "reconnecting", c->peer_id, detail);
}

gboolean
broker_resume_ws_lost (Connection *c)
{
  if (!may_keep (c))
    return FALSE;
  broker_conn_detach_ws (c, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "lost");
  if (!c->lost)
    start_reconnecting (c, "websocket");
  else
    g_message ("%s: websocket lost too", c->peer_id);
  return TRUE;
}

/* Its media is up again, or (no session) its WebSocket is back. */
static void
restored (Connection *c)
{
  VwBroker *b = c->broker;
  c->lost = FALSE;
  g_clear_handle_id (&c->grace_source, g_source_remove);
  Session *s = c->session;
  g_message ("%s: restored", c->peer_id);
  if (!s)
    return;
  send_peer_network (b, s, c->peer_id, "restored");
  broker_store_event (b, s->id, "restored", c->peer_id, NULL);
}

void
broker_resume_media_up (VwBroker *b, const char *session, const char *peer)
{
  Connection *c = g_hash_table_lookup (b->connections, peer);
  if (c && c->lost && c->ws && c->session && g_str_equal (c->session->id, session))
    restored (c);
}

void
broker_resume_media_lost (VwBroker *b, const char *session, const char *peer)
{
  Connection *c = g_hash_table_lookup (b->connections, peer);
  Session *s = g_hash_table_lookup (b->sessions, session);
  if (!c || !s || c->session != s)
    return;
  if (c->role == VW_ROLE_SUPERVISOR) {
    broker_session_stop_watching (b, s, peer, "media-failed", NULL);
    return;
  }
  if (!may_keep (c)) {
    broker_session_end (b, s, NULL, "media-failed", "media-failed", FALSE, NULL);
    return;
  }
  if (!c->lost)
    start_reconnecting (c, "media");
  else   /* its new connection failed too: another try */
    vw_hub_reset_participant (b->hub, peer);
  if (c->ws) {
    g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_MEDIA_RESTART);
    vw_message_set_string (msg, "session", s->id);
    broker_conn_send (c, msg);
  }
}

/* An agent whose session ended while it was away does not wait for its
 * return: it is not offered clerks it cannot hear of. */
typedef struct {
  VwBroker *broker;
  char *peer;
} LeaveLater;

static gboolean
on_leave_later (gpointer data)
{
  LeaveLater *l = data;
  Connection *c = g_hash_table_lookup (l->broker->connections, l->peer);
  if (c && !c->ws && !c->session)
    broker_conn_leave (c, "connection-lost");
  return G_SOURCE_REMOVE;
}

static void
leave_later_free (gpointer data)
{
  LeaveLater *l = data;
  g_free (l->peer);
  g_free (l);
}

void
broker_resume_undelivered (Connection *c, VwMessage *msg)
{
  if (vw_message_get_msg_type (msg) != VW_MSG_ENDED)
    return;
  g_clear_pointer (&c->pending_ended, vw_message_unref);
  if (c->role == VW_ROLE_CLERK) {
    /* Told when it is back: it may still rate the session. */
    c->pending_ended = vw_message_ref (msg);
    return;
  }
  LeaveLater *l = g_new0 (LeaveLater, 1);
  l->broker = c->broker;
  l->peer = g_strdup (c->peer_id);
  g_idle_add_full (G_PRIORITY_HIGH, on_leave_later, l, leave_later_free);
}

/* ---- taking over ---- */

static void
move_address (Connection *c, const char *address)
{
  VwBroker *b = c->broker;
  GPtrArray *same = g_hash_table_lookup (b->by_address, c->address);
  if (same) {
    g_ptr_array_remove_fast (same, c);
    if (same->len == 0)
      g_hash_table_remove (b->by_address, c->address);
  }
  g_free (c->address);
  c->address = g_strdup (address);
  same = g_hash_table_lookup (b->by_address, c->address);
  if (!same) {
    same = g_ptr_array_new ();
    g_hash_table_insert (b->by_address, g_strdup (c->address), same);
  }
  g_ptr_array_add (same, c);
}

/* The one it talks with in @s, for "paired" (NULL: none now, a
 * transferred clerk waiting for its next agent). */
static Connection *
counterpart (VwBroker *b, Session *s, Connection *c, gboolean *invited)
{
  *invited = broker_session_is_guest (s, c->peer_id);
  const char *other = c->role == VW_ROLE_CLERK ? s->agent : s->clerk;
  return other ? g_hash_table_lookup (b->connections, other) : NULL;
}

gboolean
broker_resume_hello (Connection *c, VwMessage *msg, GError **error)
{
  VwBroker *b = c->broker;
  const char *token = vw_message_get_string (msg, "resume", "");
  const char *peer = g_hash_table_lookup (b->resume_tokens, token);
  Connection *old = peer ? g_hash_table_lookup (b->connections, peer) : NULL;
  VwRole role;
  vw_role_from_string (vw_message_get_string (msg, "role", ""), &role);
  if (!old || old == c || !old->registered || old->role != role) {
    /* One answer for every case: nothing about whose a token is leaks. */
    g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_RESUME,
        "this resume token names no participant that can be resumed; "
        "send hello without it");
    return FALSE;
  }
  g_hash_table_remove (b->resume_tokens, token);   /* spent */
  g_clear_pointer (&old->resume_token, g_free);
  g_autofree char *old_id = g_strdup (old->peer_id);
  if (old->ws) {
    /* Still thought alive (its address changed and the server has not
     * noticed yet): the new connection wins. */
    g_message ("%s: taken over by a new connection", old_id);
    broker_conn_detach_ws (old, CLOSE_RESUMED, "resumed");
  }
  if (old->session) {
    if (!old->lost && may_keep (old))
      start_reconnecting (old, "websocket");   /* resets its media too */
    else   /* whatever it began on its way back is dropped: it starts over */
      vw_hub_reset_participant (b->hub, old_id);
  }
  b->resumes++;
  /* The new WebSocket goes to the participant; the fresh connection goes. */
  g_autoptr (SoupWebsocketConnection) ws = g_object_ref (c->ws);
  g_autofree char *address = g_strdup (c->address);
  broker_conn_detach_ws (c, 0, NULL);
  g_hash_table_remove (b->connections, c->peer_id);   /* frees c */
  c = NULL;
  broker_conn_attach_ws (old, ws);
  move_address (old, address);
  if (!old->session && old->lost)
    restored (old);   /* a queued clerk: back in its place */

  g_autoptr (VwMessage) welcome = vw_message_new_welcome (old_id);
  vw_message_set_ref (welcome, vw_message_get_id (msg));
  broker_resume_new_token (old);
  vw_message_set_string (welcome, "resume-token", old->resume_token);
  vw_message_set_bool (welcome, "resumed", TRUE);
  broker_conn_send (old, welcome);
  g_message ("%s resumed%s%s", old_id, old->session ? " in session " : "",
      old->session ? old->session->id : "");
  if (old->pending_ended) {
    g_autoptr (VwMessage) ended = g_steal_pointer (&old->pending_ended);
    broker_conn_send (old, ended);
  }
  Session *s = old->session;
  if (s) {
    gboolean invited = FALSE;
    Connection *other = counterpart (b, s, old, &invited);
    if (other)
      broker_send_paired_resumed (old, s, other, invited);
    if (b->recordings)
      broker_send_recording (old, s);
  } else if (old->role == VW_ROLE_CLERK
      && vw_pairing_get_clerk_state (b->pairing, old_id) == VW_CLERK_QUEUED) {
    broker_send_queued (b, old_id, old->handled_in, old->item,
        vw_pairing_get_position (b->pairing, old_id));
  } else if (old->role == VW_ROLE_AGENT) {
    broker_send_agent_state (b, old_id, vw_pairing_get_agent_state (b->pairing, old_id),
        vw_pairing_get_agent_until (b->pairing, old_id));
  }
  return TRUE;
}
