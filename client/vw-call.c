/* vw-call.c: the client's state machine.
 *
 *   CONNECTING -> REGISTERING -> READY <-> QUEUED -> IN_SESSION -> READY ...
 *                                                          \-> CLOSING -> DONE
 *
 * Drop-outs (issue 12, PROTOCOL.md "Drop-outs and resuming"): queued or in
 * a session, a lost WebSocket (closed, or nothing heard for SILENCE_S) or
 * a media connection that failed makes it RECONNECTING: it connects again
 * with backoff and sends hello with the resume token of its latest
 * welcome, then builds a new media connection on "paired" resumed.  The
 * session, its --duration timer and its stats go on meanwhile.
 */
#include "vw-call-private.h"
#include "vw-events.h"
#include "vw-log.h"

#include <libsoup/soup.h>

static const char *state_names[] = {
  "connecting", "registering", "ready", "queued", "in-session", "closing", "done",
  "reconnecting",
};

/* Liveness and reconnecting (issue 12). */
#define PING_INTERVAL_S 5
#define SILENCE_S 15
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 8000
#define GIVE_UP_S 60          /* the server keeps us 30 s by default */


static void connect_ws (VwCall *call);
static void start_media (VwCall *call, const char *session);
static void send_hello (VwCall *call);

static void
set_state (VwCall *call, State state)
{
  g_debug ("call: %s -> %s", state_names[call->state], state_names[state]);
  call->state = state;
}

void
call_send_msg (VwCall *call, VwMessage *msg)
{
  if (!call->ws
      || soup_websocket_connection_get_state (call->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_autofree char *text = vw_message_to_string (msg);
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN)) {
    g_autofree char *shown = vw_log_escape (text);
    g_debug ("-> %s", shown);
  }
  soup_websocket_connection_send_text (call->ws, text);
}

static void
finish (VwCall *call, int status)
{
  if (call->state == STATE_DONE)
    return;
  set_state (call, STATE_DONE);
  call->exit_status = status;
  g_clear_handle_id (&call->close_timeout, g_source_remove);
  if (call->ws && soup_websocket_connection_get_state (call->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (call->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_main_loop_quit (call->loop);
}

/* ---- session media ---- */

static void
media_send (VwMessage *msg, gpointer user_data)
{
  call_send_msg (user_data, msg);
}

static gboolean
on_duration_elapsed (gpointer user_data)
{
  VwCall *call = user_data;
  call->duration_source = 0;
  if (call->state == STATE_IN_SESSION && call->media) {
    g_autoptr (VwMessage) hangup = vw_message_new (VW_MSG_HANGUP);
    vw_message_set_string (hangup, "session", call->session);
    call_send_msg (call, hangup);
  } else if (call->session) {
    call->hangup_pending = TRUE;   /* sent once we are back */
  }
  return G_SOURCE_REMOVE;
}

static void
media_connected (gpointer user_data)
{
  VwCall *call = user_data;
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", call->session);
  vw_events_emit ("connected", o);
  if (call->config.duration_s && !call->duration_armed) {
    call->duration_armed = TRUE;
    call->duration_source = g_timeout_add_seconds (call->config.duration_s,
        on_duration_elapsed, call);
  }
}

static gboolean
on_restart (gpointer user_data)
{
  VwCall *call = user_data;
  call->restart_source = 0;
  if (call->restart_resume)
    call_connection_lost (call, "media");
  return G_SOURCE_REMOVE;
}

static void
media_failed (const GError *error, gpointer user_data)
{
  VwCall *call = user_data;
  if (call->state == STATE_IN_SESSION && call->resume_token) {
    /* One recovery path: close the WebSocket and resume (from the main
     * loop: we are inside the media's own callback). */
    JsonObject *o = json_object_new ();
    json_object_set_string_member (o, "session", call->session);
    json_object_set_string_member (o, "message", error->message);
    vw_events_emit ("media-lost", o);
    if (!call->restart_source) {
      call->restart_resume = TRUE;
      call->restart_source = g_idle_add (on_restart, call);
    }
    return;
  }
  vw_events_emit_error ("media-failed", error->message);
  if (call->state == STATE_IN_SESSION) {
    g_autoptr (VwMessage) hangup = vw_message_new (VW_MSG_HANGUP);
    vw_message_set_string (hangup, "session", call->session);
    call_send_msg (call, hangup);
  }
}

static gboolean
on_stats (gpointer user_data)
{
  VwCall *call = user_data;
  if (!call->media)
    return G_SOURCE_CONTINUE;
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", call->session);
  json_object_set_array_member (o, "tracks", vw_call_media_get_stats (call->media));
  json_object_set_array_member (o, "sent", vw_call_media_get_send_stats (call->media));
  json_object_set_object_member (o, "rtp", vw_call_media_get_loss_stats (call->media));
  vw_events_emit ("stats", o);
  return G_SOURCE_CONTINUE;
}

static void
stop_session (VwCall *call)
{
  g_clear_handle_id (&call->stats_source, g_source_remove);
  g_clear_handle_id (&call->duration_source, g_source_remove);
  g_clear_handle_id (&call->restart_source, g_source_remove);
  call->duration_armed = call->hangup_pending = FALSE;
  if (call->media)
    on_stats (call);   /* final figures */
  g_clear_pointer (&call->media, vw_call_media_free);
  g_clear_pointer (&call->session, g_free);
}

/* ---- server messages ---- */

static void
send_ready (VwCall *call)
{
  set_state (call, STATE_READY);
  if (call->config.role == VW_ROLE_SUPERVISOR) {
    g_autoptr (VwMessage) monitor = vw_message_new (VW_MSG_MONITOR);
    vw_message_set_id (monitor, "monitor");
    vw_message_set_string (monitor, "session", call->config.monitor);
    call_send_msg (call, monitor);
  } else if (call->config.role == VW_ROLE_AGENT) {
    g_autoptr (VwMessage) status = vw_message_new (VW_MSG_STATUS);
    vw_message_set_bool (status, "available", TRUE);
    call_send_msg (call, status);
  } else {
    g_autoptr (VwMessage) request = vw_message_new (VW_MSG_REQUEST);
    vw_message_set_id (request, "request");
    vw_message_set_string (request, "province", call->config.handled_in);
    vw_message_set_string (request, "item", call->config.item);
    if (call->config.booking)
      vw_message_set_string (request, "booking", call->config.booking);
    call_send_msg (call, request);
    JsonObject *o = json_object_new ();
    json_object_set_string_member (o, "province", call->config.handled_in);
    json_object_set_string_member (o, "item", call->config.item);
    vw_events_emit ("requested", o);
  }
}

static void
on_welcome (VwCall *call, VwMessage *msg)
{
  g_free (call->resume_token);
  call->resume_token = g_strdup (vw_message_get_string (msg, "resume-token", NULL));
  g_free (call->peer_id);
  call->peer_id = g_strdup (vw_message_get_string (msg, "peer_id", ""));
  if (vw_message_get_bool (msg, "resumed", FALSE)) {
    JsonObject *o = json_object_new ();
    json_object_set_string_member (o, "peer_id", call->peer_id);
    if (call->session)
      json_object_set_string_member (o, "session", call->session);
    json_object_set_int_member (o, "attempts", call->reconnect_attempt);
    json_object_set_int_member (o, "away_ms",
        (g_get_monotonic_time () - call->lost_at_us) / 1000);
    vw_events_emit ("resumed", o);
    call->lost_at_us = 0;
    call->reconnect_attempt = 0;
    /* What follows says where we are: paired (resumed), queued, ended. */
    set_state (call, call->lost_in);
    return;
  }
  if (call->lost_at_us) {   /* came back as someone new */
    stop_session (call);
    call->lost_at_us = 0;
    call->reconnect_attempt = 0;
  }
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "peer_id", call->peer_id);
  json_object_set_string_member (o, "role", vw_role_to_string (call->config.role));
  vw_events_emit ("registered", o);
  send_ready (call);
}

/* Waiting: first come, or (transferred to a queue) still in the session,
 * connected to the hub, until the next agent takes over. */
static void
on_queued (VwCall *call, VwMessage *msg)
{
  if (call->state != STATE_IN_SESSION)
    set_state (call, STATE_QUEUED);
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "position", vw_message_get_int (msg, "position", 0));
  json_object_set_string_member (o, "item", vw_message_get_string (msg, "item", ""));
  json_object_set_int_member (o, "wait_samples", vw_message_get_int (msg, "wait_samples", 0));
  if (json_object_has_member (vw_message_get_object (msg), "wait_s"))
    json_object_set_int_member (o, "wait_s", vw_message_get_int (msg, "wait_s", 0));
  else
    json_object_set_string_member (o, "wait", "no estimate yet: no recent history "
        "or no agent on duty");
  vw_events_emit ("queued", o);
}

static void
on_paired (VwCall *call, VwMessage *msg)
{
  const char *session = vw_message_get_string (msg, "session", "");
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", session);
  json_object_set_string_member (o, "case", vw_message_get_string (msg, "case", ""));
  json_object_set_object_member (o, "peer",
      json_object_ref (vw_message_get_object_member (msg, "peer")));
  if (json_object_has_member (vw_message_get_object (msg), "item")) {
    json_object_set_string_member (o, "item", vw_message_get_string (msg, "item", ""));
    json_object_set_boolean_member (o, "booked", vw_message_get_bool (msg, "booked", FALSE));
    json_object_set_boolean_member (o, "invited", vw_message_get_bool (msg, "invited", FALSE));
  }
  JsonArray *ice_servers = vw_message_get_array_member (msg, "ice-servers");
  if (ice_servers)   /* how many TURN servers came, never their credentials */
    json_object_set_int_member (o, "ice-servers", json_array_get_length (ice_servers));
  g_clear_pointer (&call->ice_servers, json_array_unref);
  call->ice_servers = ice_servers ? json_array_ref (ice_servers) : NULL;
  vw_events_emit ("paired", o);

  gboolean resumed = vw_message_get_bool (msg, "resumed", FALSE)
      && g_strcmp0 (call->session, session) == 0;
  /* Transferred: the same session and media connection, another agent. */
  if (call->media && g_strcmp0 (call->session, session) == 0 && !resumed)
    return;
  start_media (call, session);
  if (resumed && call->hangup_pending) {
    g_autoptr (VwMessage) hangup = vw_message_new (VW_MSG_HANGUP);
    vw_message_set_string (hangup, "session", call->session);
    call_send_msg (call, hangup);
  }
}

/* The hub lost our media connection; the WebSocket is fine. */
static void
on_media_restart (VwCall *call, VwMessage *msg)
{
  const char *session = vw_message_get_string (msg, "session", "");
  if (g_strcmp0 (call->session, session) != 0 || call->state != STATE_IN_SESSION)
    return;
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", session);
  vw_events_emit ("media-restart", o);
  g_clear_handle_id (&call->restart_source, g_source_remove);
  start_media (call, session);
}

/* Another participant's connection dropped or came back. */
static void
on_peer_network (VwCall *call, VwMessage *msg)
{
  JsonObject *o = json_object_new ();
  const char *fields[] = { "session", "peer", "state" };
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    json_object_set_string_member (o, fields[i], vw_message_get_string (msg, fields[i], ""));
  vw_events_emit ("peer-network", o);
}

/* A new media connection for @session (the first, or after a drop-out),
 * publishing what we send. */
static void
start_media (VwCall *call, const char *session)
{
  VwCallMediaCallbacks cb = { media_send, media_connected, media_failed };
  g_autofree char *id = g_strdup (session);
  if (call->media)
    on_stats (call);   /* the old connection's final figures */
  g_clear_pointer (&call->media, vw_call_media_free);
  g_free (call->session);
  call->session = g_steal_pointer (&id);
  VwCallMediaConfig media_config = call->config.media;
  media_config.ice_servers = call->ice_servers;
  call->media = vw_call_media_new (&media_config, call->session, &cb, call);
  set_state (call, STATE_IN_SESSION);
  /* A supervisor watching live sends nothing. */
  if (call->config.role != VW_ROLE_SUPERVISOR)
    vw_call_media_publish (call->media);
  if (!call->stats_source)
    call->stats_source = g_timeout_add (call->config.stats_interval_ms, on_stats, call);
}

static void
on_offer (VwCall *call, VwMessage *msg)
{
  g_autoptr (GError) error = NULL;
  if (!call->media
      || g_strcmp0 (vw_message_get_string (msg, "session", ""), call->session) != 0)
    return;
  if (!vw_call_media_handle_offer (call->media, msg, &error))
    media_failed (error, call);
}

static void
on_ice (VwCall *call, VwMessage *msg)
{
  if (call->media
      && g_strcmp0 (vw_message_get_string (msg, "session", ""), call->session) == 0)
    vw_call_media_add_candidate (call->media, vw_message_get_int (msg, "mline", 0),
        vw_message_get_string (msg, "candidate", ""));
}

static void
on_tracks (VwCall *call, VwMessage *msg)
{
  if (call->media
      && g_strcmp0 (vw_message_get_string (msg, "session", ""), call->session) == 0)
    vw_call_media_handle_tracks (call->media, msg);
}

static gboolean
for_this_session (VwCall *call, VwMessage *msg)
{
  return call->media
      && g_strcmp0 (vw_message_get_string (msg, "session", ""), call->session) == 0;
}

static void
on_snapshot_requested (VwCall *call, VwMessage *msg)
{
  if (!for_this_session (call, msg))
    return;
  const char *id = vw_message_get_string (msg, "snapshot", "");
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "snapshot", id);
  json_object_set_string_member (o, "by", vw_message_get_string (msg, "by", ""));
  vw_events_emit ("snapshot-requested", o);
  vw_call_media_send_snapshot (call->media, id);
}

/* The hub kept the snapshot as evidence of the session. */
static void
on_snapshot_stored (VwCall *call, VwMessage *msg)
{
  JsonObject *o = json_object_new ();
  const char *fields[] = { "snapshot", "sha256", "by", "from" };
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    json_object_set_string_member (o, fields[i], vw_message_get_string (msg, fields[i], ""));
  json_object_set_int_member (o, "size", vw_message_get_int (msg, "size", 0));
  vw_events_emit ("snapshot-stored", o);
}

static void
on_annotation (VwCall *call, VwMessage *msg)
{
  if (for_this_session (call, msg))
    vw_call_media_annotate (call->media, vw_message_get_string (msg, "snapshot", ""),
        vw_message_get_int (msg, "x", 0), vw_message_get_int (msg, "y", 0),
        vw_message_get_int (msg, "w", 0), vw_message_get_int (msg, "h", 0),
        vw_message_get_string (msg, "note", ""));
}

static void
on_keyframe (VwCall *call, VwMessage *msg)
{
  VwTrackKind kind;
  if (call->media
      && g_strcmp0 (vw_message_get_string (msg, "session", ""), call->session) == 0
      && vw_track_kind_from_string (vw_message_get_string (msg, "kind", ""), &kind))
    vw_call_media_force_keyframe (call->media, kind);
}

static void
on_bitrate (VwCall *call, VwMessage *msg)
{
  VwTrackKind kind;
  if (call->media
      && g_strcmp0 (vw_message_get_string (msg, "session", ""), call->session) == 0
      && vw_track_kind_from_string (vw_message_get_string (msg, "kind", ""), &kind))
    vw_call_media_set_max_bitrate (call->media, kind,
        (guint) CLAMP (vw_message_get_int (msg, "max-bitrate", 0), 0, G_MAXINT));
}

static gboolean on_close_timeout (gpointer user_data);

/* --rate: the clerk rates the session that just ended, then exits once the
 * server said ok ("rated" event) or refused it (exit status 1). */
static gboolean
send_rating (VwCall *call, const char *session)
{
  if (call->config.role != VW_ROLE_CLERK || !call->config.rate_level
      || call->state == STATE_CLOSING)
    return FALSE;
  g_autoptr (VwMessage) rate = vw_message_new (VW_MSG_RATE);
  vw_message_set_id (rate, "rate");
  vw_message_set_string (rate, "session", session);
  vw_message_set_int (rate, "level", call->config.rate_level);
  if (call->config.rate_comment)
    vw_message_set_string (rate, "comment", call->config.rate_comment);
  call_send_msg (call, rate);
  set_state (call, STATE_READY);
  call->exit_status = 1;   /* until the server says ok */
  call->close_timeout = g_timeout_add_seconds (10, on_close_timeout, call);
  return TRUE;
}

static void
on_ended (VwCall *call, VwMessage *msg)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", vw_message_get_string (msg, "session", ""));
  json_object_set_string_member (o, "reason", vw_message_get_string (msg, "reason", ""));
  vw_events_emit ("ended", o);
  stop_session (call);
  call->sessions_done++;
  if (send_rating (call, vw_message_get_string (msg, "session", "")))
    return;

  gboolean more = call->config.role == VW_ROLE_AGENT
      && (!call->config.max_sessions || call->sessions_done < call->config.max_sessions);
  if (call->state == STATE_CLOSING || !more)
    finish (call, 0);
  else
    set_state (call, STATE_READY);
}

/* A resume into our session was refused: the session did not wait for
 * us (the server keeps none, or its grace period is over).  Said as the
 * "ended" it would have sent; FALSE when the client is done. */
static gboolean
session_lost (VwCall *call)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", call->session);
  json_object_set_string_member (o, "reason", "connection-lost");
  vw_events_emit ("ended", o);
  stop_session (call);
  call->sessions_done++;
  gboolean more = call->config.role == VW_ROLE_AGENT
      && (!call->config.max_sessions || call->sessions_done < call->config.max_sessions);
  if (!more)
    finish (call, 1);
  return more;
}

static void
on_error (VwCall *call, VwMessage *msg)
{
  const char *code = vw_message_get_string (msg, "code", "");
  vw_events_emit_error (code, vw_message_get_string (msg, "message", ""));
  if (g_str_equal (code, "bad-resume") && call->state == STATE_REGISTERING) {
    /* Too late, or not ours: start over as someone new. */
    g_clear_pointer (&call->resume_token, g_free);
    if (call->session && !session_lost (call))
      return;
    send_hello (call);
    return;
  }
  /* Refusals of hello or of the request leave nothing to do. */
  if (call->state == STATE_REGISTERING
      || (call->state == STATE_READY && call->config.role != VW_ROLE_AGENT))
    finish (call, 1);
}

static void
on_ok (VwCall *call, VwMessage *msg)
{
  if (g_strcmp0 (vw_message_get_string (msg, "ref", ""), "rate") != 0
      || call->config.role != VW_ROLE_CLERK)
    return;
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "level", call->config.rate_level);
  vw_events_emit ("rated", o);
  finish (call, 0);
}

/* Agents: who waits for our province changed. */
static void
on_queue (VwCall *call, VwMessage *msg)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "province", vw_message_get_string (msg, "province", ""));
  json_object_set_array_member (o, "waiting",
      json_array_ref (vw_message_get_array_member (msg, "waiting")));
  vw_events_emit ("queue", o);
}

/* The session is recorded: said to both sides before media flows. */
static void
on_recording (VwCall *call, VwMessage *msg)
{
  gboolean active = vw_message_get_bool (msg, "active", FALSE);
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", vw_message_get_string (msg, "session", ""));
  json_object_set_boolean_member (o, "active", active);
  vw_events_emit ("recording", o);
  if (active)
    g_printerr ("vw-client: 本次服务全程录音录像 (this session is recorded)\n");
}

/* Agents: our state (available, busy, wrap-up with its countdown, away). */
static void
on_agent_state (VwCall *call, VwMessage *msg)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "state", vw_message_get_string (msg, "state", ""));
  if (json_object_has_member (vw_message_get_object (msg), "remaining_s"))
    json_object_set_int_member (o, "remaining_s", vw_message_get_int (msg, "remaining_s", 0));
  vw_events_emit ("agent-state", o);
}

/* Clerks: our agent handed us on (to a colleague, or an item's queue). */
static void
on_transferred (VwCall *call, VwMessage *msg)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", vw_message_get_string (msg, "session", ""));
  JsonObject *agent = vw_message_get_object_member (msg, "agent");
  if (agent)
    json_object_set_object_member (o, "agent", json_object_ref (agent));
  if (json_object_has_member (vw_message_get_object (msg), "item"))
    json_object_set_string_member (o, "item", vw_message_get_string (msg, "item", ""));
  vw_events_emit ("transferred", o);
}

/* A third participant came into the session, or left it. */
static void
on_member (VwCall *call, VwMessage *msg)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", vw_message_get_string (msg, "session", ""));
  json_object_set_string_member (o, "peer_id", vw_message_get_string (msg, "peer_id", ""));
  json_object_set_object_member (o, "peer",
      json_object_ref (vw_message_get_object_member (msg, "peer")));
  vw_events_emit (vw_message_get_msg_type (msg) == VW_MSG_JOINED ? "joined" : "left", o);
}

static const struct {
  VwMessageType type;
  void (*handler) (VwCall *call, VwMessage *msg);
} handlers[] = {
  { VW_MSG_AGENT_STATE, on_agent_state },
  { VW_MSG_TRANSFERRED, on_transferred },
  { VW_MSG_JOINED, on_member },
  { VW_MSG_LEFT, on_member },
  { VW_MSG_WELCOME, on_welcome },
  { VW_MSG_QUEUED, on_queued },
  { VW_MSG_PAIRED, on_paired },
  { VW_MSG_OFFER, on_offer },
  { VW_MSG_ICE, on_ice },
  { VW_MSG_KEYFRAME, on_keyframe },
  { VW_MSG_BITRATE, on_bitrate },
  { VW_MSG_TRACKS, on_tracks },
  { VW_MSG_SNAPSHOT_REQUESTED, on_snapshot_requested },
  { VW_MSG_SNAPSHOT_STORED, on_snapshot_stored },
  { VW_MSG_ANNOTATION, on_annotation },
  { VW_MSG_ENDED, on_ended },
  { VW_MSG_ERROR, on_error },
  { VW_MSG_OK, on_ok },
  { VW_MSG_RECORDING, on_recording },
  { VW_MSG_QUEUE, on_queue },
  { VW_MSG_MEDIA_RESTART, on_media_restart },
  { VW_MSG_PEER_NETWORK, on_peer_network },
};

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *payload,
    VwCall *call)
{
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  g_autoptr (GError) error = NULL;
  call->last_heard_us = g_get_monotonic_time ();
  g_autoptr (VwMessage) msg = vw_message_parse (data, size, VW_FROM_SERVER, NULL, &error);
  if (!msg) {
    vw_events_emit_error ("bad-server-message", error->message);
    return;
  }
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN)) {
    g_autofree char *raw = g_strndup (data, MIN (size, 2048));
    g_autofree char *shown = vw_log_escape (raw);
    g_debug ("<- %s", shown);
  }
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (handlers[i].type == vw_message_get_msg_type (msg))
      handlers[i].handler (call, msg);
}

/* Whether a lost connection is worth resuming: the server keeps a
 * participant in a session or a queue, and not when it shuts down. */
gboolean
call_may_resume (VwCall *call, SoupWebsocketConnection *ws)
{
  if (!call->resume_token)
    return FALSE;
  if (call->state != STATE_IN_SESSION && call->state != STATE_QUEUED
      && !(call->lost_at_us && call->state == STATE_REGISTERING))
    return FALSE;
  return !ws || g_strcmp0 (soup_websocket_connection_get_close_data (ws),
      "server shutting down") != 0;
}

static void
on_ws_closed (SoupWebsocketConnection *ws, VwCall *call)
{
  gboolean expected = call->state == STATE_CLOSING || call->state == STATE_DONE;
  if (!expected && call_may_resume (call, ws)) {
    call_connection_lost (call, "closed");
    return;
  }
  stop_session (call);
  if (!expected) {
    JsonObject *o = json_object_new ();
    json_object_set_int_member (o, "code", soup_websocket_connection_get_close_code (ws));
    vw_events_emit ("disconnected", o);
  }
  finish (call, expected ? call->exit_status : 1);
}

static void
on_ws_pong (SoupWebsocketConnection *ws, GBytes *message, VwCall *call)
{
  call->last_heard_us = g_get_monotonic_time ();
}

static gboolean
on_liveness_check (gpointer user_data)
{
  VwCall *call = user_data;
  if (g_get_monotonic_time () - call->last_heard_us < SILENCE_S * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;
  call->liveness_source = 0;
  if (call_may_resume (call, NULL)) {
    call_connection_lost (call, "silent");
  } else {
    vw_events_emit_error ("connection-lost", "nothing heard from the server");
    stop_session (call);
    finish (call, 1);
  }
  return G_SOURCE_REMOVE;
}

/* Lets go of the WebSocket without waiting for anything. */
static void
drop_ws (VwCall *call)
{
  g_clear_handle_id (&call->liveness_source, g_source_remove);
  if (!call->ws)
    return;
  g_signal_handlers_disconnect_by_data (call->ws, call);
  if (soup_websocket_connection_get_state (call->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (call->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "lost");
  g_clear_object (&call->ws);
}

static gboolean
on_reconnect (gpointer user_data)
{
  VwCall *call = user_data;
  call->reconnect_source = 0;
  connect_ws (call);
  return G_SOURCE_REMOVE;
}

/* The connection is lost (@cause: closed, silent, media, command,
 * connect-failed): try again after a backoff, unless it has been too long. */
void
call_connection_lost (VwCall *call, const char *cause)
{
  gint64 now = g_get_monotonic_time ();
  drop_ws (call);
  g_clear_handle_id (&call->restart_source, g_source_remove);
  if (call->media)
    on_stats (call);   /* final figures of this media connection */
  g_clear_pointer (&call->media, vw_call_media_free);
  if (!call->lost_at_us) {
    call->lost_at_us = now;
    call->lost_in = call->session ? STATE_IN_SESSION : STATE_QUEUED;
  }
  if (now - call->lost_at_us > GIVE_UP_S * G_USEC_PER_SEC) {
    vw_events_emit ("disconnected", json_object_new ());
    stop_session (call);
    finish (call, 1);
    return;
  }
  guint delay = BACKOFF_FIRST_MS << MIN (call->reconnect_attempt, 8);
  delay = MIN (delay, BACKOFF_MAX_MS);
  call->reconnect_attempt++;
  set_state (call, STATE_RECONNECTING);
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "cause", cause);
  json_object_set_int_member (o, "attempt", call->reconnect_attempt);
  json_object_set_int_member (o, "delay_ms", delay);
  if (call->session)
    json_object_set_string_member (o, "session", call->session);
  vw_events_emit ("reconnecting", o);
  g_clear_handle_id (&call->reconnect_source, g_source_remove);
  call->reconnect_source = g_timeout_add (delay, on_reconnect, call);
}

static void
send_hello (VwCall *call)
{
  g_autoptr (VwMessage) hello = vw_message_new (VW_MSG_HELLO);
  vw_message_set_id (hello, "hello");
  vw_message_set_int (hello, "protocol", VW_PROTOCOL_VERSION);
  vw_message_set_string (hello, "role", vw_role_to_string (call->config.role));
  vw_message_set_string (hello, "name", call->config.name);
  vw_message_set_string (hello, "province", call->config.province);
  vw_message_set_string (hello, "center", call->config.center);
  if (call->config.token)
    vw_message_set_string (hello, "token", call->config.token);
  if (call->config.items) {
    JsonArray *items = json_array_new ();
    for (guint i = 0; call->config.items[i]; i++)
      json_array_add_string_element (items, call->config.items[i]);
    vw_message_take_array (hello, "items", items);
  }
  if (call->resume_token)
    vw_message_set_string (hello, "resume", call->resume_token);
  call_send_msg (call, hello);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  VwCall *call = user_data;
  g_autoptr (GError) error = NULL;
  call->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (!call->ws) {
    if (call->lost_at_us) {
      call_connection_lost (call, "connect-failed");
      return;
    }
    vw_events_emit_error ("connect-failed", error->message);
    finish (call, 1);
    return;
  }
  soup_websocket_connection_set_max_incoming_payload_size (call->ws, 1024 * 1024);
  /* Our pings make the server answer: a silent server is a lost one. */
  soup_websocket_connection_set_keepalive_interval (call->ws, PING_INTERVAL_S);
  g_signal_connect (call->ws, "message", G_CALLBACK (on_ws_message), call);
  g_signal_connect (call->ws, "closed", G_CALLBACK (on_ws_closed), call);
  g_signal_connect (call->ws, "pong", G_CALLBACK (on_ws_pong), call);
  call->last_heard_us = g_get_monotonic_time ();
  call->liveness_source = g_timeout_add (PING_INTERVAL_S * 500, on_liveness_check, call);
  set_state (call, STATE_REGISTERING);
  send_hello (call);
}

/* Accepts http(s)://host:port[/] or ws(s)://host:port/ws. */
static char *
websocket_url (const char *server)
{
  g_autoptr (GUri) uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
  if (!uri)
    return NULL;
  const char *scheme = g_uri_get_scheme (uri);
  const char *ws_scheme = g_str_equal (scheme, "https") || g_str_equal (scheme, "wss")
      ? "wss" : "ws";
  const char *path = g_uri_get_path (uri);
  if (!*path || g_str_equal (path, "/"))
    path = "/ws";
  return g_uri_join (G_URI_FLAGS_NONE, ws_scheme, NULL, g_uri_get_host (uri),
      g_uri_get_port (uri), path, NULL, NULL);
}

static void
connect_ws (VwCall *call)
{
  g_autofree char *url = websocket_url (call->config.server);
  g_autoptr (SoupMessage) msg = url ? soup_message_new ("GET", url) : NULL;
  if (!msg) {
    vw_events_emit_error ("bad-url", "--server must be a URL such as http://127.0.0.1:8080/");
    finish (call, 2);
    return;
  }
  soup_session_websocket_connect_async (call->soup, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, on_connected, call);
}

void
vw_call_start (VwCall *call)
{
  connect_ws (call);
}

static gboolean
on_close_timeout (gpointer user_data)
{
  VwCall *call = user_data;
  call->close_timeout = 0;
  finish (call, call->exit_status);
  return G_SOURCE_REMOVE;
}

void
vw_call_stop (VwCall *call)
{
  if (call->state == STATE_CLOSING || call->state == STATE_DONE)
    return;
  if (call->state != STATE_IN_SESSION) {
    finish (call, 0);
    return;
  }
  set_state (call, STATE_CLOSING);
  g_autoptr (VwMessage) hangup = vw_message_new (VW_MSG_HANGUP);
  vw_message_set_string (hangup, "session", call->session);
  call_send_msg (call, hangup);
  /* Wait for "ended", but not forever. */
  call->close_timeout = g_timeout_add (2000, on_close_timeout, call);
}

VwCall *
vw_call_new (const VwCallConfig *config, GMainLoop *loop)
{
  VwCall *call = g_new0 (VwCall, 1);
  call->config = *config;   /* strings stay owned by the caller */
  call->loop = g_main_loop_ref (loop);
  call->soup = soup_session_new ();
  if (config->tls_database)
    g_object_set (call->soup, "tls-database", config->tls_database, NULL);
  return call;
}

int
vw_call_get_exit_status (VwCall *call)
{
  return call->exit_status;
}

void
vw_call_free (VwCall *call)
{
  if (!call)
    return;
  stop_session (call);
  g_clear_handle_id (&call->close_timeout, g_source_remove);
  g_clear_handle_id (&call->reconnect_source, g_source_remove);
  g_clear_handle_id (&call->liveness_source, g_source_remove);
  if (call->ws)
    g_signal_handlers_disconnect_by_data (call->ws, call);
  g_clear_object (&call->ws);
  g_free (call->resume_token);
  g_clear_object (&call->soup);
  g_main_loop_unref (call->loop);
  g_free (call->peer_id);
  g_clear_pointer (&call->ice_servers, json_array_unref);
  g_free (call);
}
