/* vw-call-commands.c: the commands vw-client reads on stdin, one JSON
 * object a line (README, "Commands"), dispatched from a table. */
#include "vw-call-private.h"
#include "vw-events.h"

/* ---- commands from stdin ---- */

static gboolean
cmd_hangup (VwCall *call, JsonObject *cmd, GError **error)
{
  if (call->state != STATE_IN_SESSION) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not in a session");
    return FALSE;
  }
  g_autoptr (VwMessage) hangup = vw_message_new (VW_MSG_HANGUP);
  vw_message_set_string (hangup, "session", call->session);
  call_send_msg (call, hangup);
  return TRUE;
}

static gboolean need_media (VwCall *call, GError **error);

static gboolean
cmd_request_keyframe (VwCall *call, JsonObject *cmd, GError **error)
{
  if (!need_media (call, error))
    return FALSE;
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "tracks", vw_call_media_request_keyframes (call->media));
  vw_events_emit ("keyframe-requested", o);
  return TRUE;
}

static gboolean
need_media (VwCall *call, GError **error)
{
  if (!call->media)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not in a session");
  return call->media != NULL;
}

static gboolean
video_kind (JsonObject *cmd, const char *member, VwTrackKind *kind, GError **error)
{
  const char *name = json_object_get_string_member_with_default (cmd, member, "");
  if (!vw_track_kind_from_string (name, kind) || *kind == VW_TRACK_AUDIO) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' must be camera, screen or document", member);
    return FALSE;
  }
  return TRUE;
}

/* {"command":"share","kind":"screen","source":"x11"}: start or replace */
static gboolean
cmd_share (VwCall *call, JsonObject *cmd, GError **error)
{
  VwTrackKind kind;
  const char *source = json_object_get_string_member_with_default (cmd, "source", "test");
  return need_media (call, error) && video_kind (cmd, "kind", &kind, error)
      && vw_call_media_share (call->media, kind, source, error);
}

/* {"command":"unshare","kind":"screen"} */
static gboolean
cmd_unshare (VwCall *call, JsonObject *cmd, GError **error)
{
  VwTrackKind kind;
  return need_media (call, error) && video_kind (cmd, "kind", &kind, error)
      && vw_call_media_share (call->media, kind, NULL, error);
}

/* {"command":"save-frame","track":"document","path":"/tmp/page.png"} */
static gboolean
cmd_save_frame (VwCall *call, JsonObject *cmd, GError **error)
{
  VwTrackKind kind;
  guint width = 0, height = 0;
  const char *path = json_object_get_string_member_with_default (cmd, "path", "");
  if (!need_media (call, error) || !video_kind (cmd, "track", &kind, error))
    return FALSE;
  if (!*path) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'path' is required");
    return FALSE;
  }
  if (!vw_call_media_save_frame (call->media, kind, path, &width, &height, error))
    return FALSE;
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "track", vw_track_kind_to_string (kind));
  json_object_set_string_member (o, "path", path);
  json_object_set_int_member (o, "width", width);
  json_object_set_int_member (o, "height", height);
  vw_events_emit ("frame-saved", o);
  return TRUE;
}

/* {"command":"snapshot"}: ask for the other side's document camera */
static gboolean
cmd_snapshot (VwCall *call, JsonObject *cmd, GError **error)
{
  if (!need_media (call, error))
    return FALSE;
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_SNAPSHOT_REQUEST);
  vw_message_set_id (msg, "snapshot");
  vw_message_set_string (msg, "session", call->session);
  call_send_msg (call, msg);
  return TRUE;
}

/* {"command":"annotate","snapshot":ID,"x":..,"y":..,"w":..,"h":..,"note":".."} */
static gboolean
cmd_annotate (VwCall *call, JsonObject *cmd, GError **error)
{
  const char *names[] = { "x", "y", "w", "h" };
  if (!need_media (call, error))
    return FALSE;
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_ANNOTATE);
  vw_message_set_id (msg, "annotate");
  vw_message_set_string (msg, "session", call->session);
  vw_message_set_string (msg, "snapshot",
      json_object_get_string_member_with_default (cmd, "snapshot", ""));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    vw_message_set_int (msg, names[i], json_object_get_int_member_with_default (cmd, names[i], -1));
  vw_message_set_string (msg, "note", json_object_get_string_member_with_default (cmd, "note", ""));
  call_send_msg (call, msg);   /* the server checks it; a refusal is an error event */
  return TRUE;
}

/* {"command":"transfer","agent":ACCOUNT} or {"command":"transfer",
 * "item":CODE[,"province":P]}: hand the clerk on (agents). */
static gboolean
cmd_transfer (VwCall *call, JsonObject *cmd, GError **error)
{
  if (!need_media (call, error))
    return FALSE;
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_TRANSFER);
  vw_message_set_id (msg, "transfer");
  vw_message_set_string (msg, "session", call->session);
  const char *fields[] = { "agent", "item", "province" };
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (json_object_has_member (cmd, fields[i]))
      vw_message_set_string (msg, fields[i],
          json_object_get_string_member_with_default (cmd, fields[i], ""));
  call_send_msg (call, msg);   /* refusals come back as error events */
  return TRUE;
}

/* {"command":"invite","agent":ACCOUNT}: a third participant (agents). */
static gboolean
cmd_invite (VwCall *call, JsonObject *cmd, GError **error)
{
  if (!need_media (call, error))
    return FALSE;
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_INVITE);
  vw_message_set_id (msg, "invite");
  vw_message_set_string (msg, "session", call->session);
  vw_message_set_string (msg, "agent",
      json_object_get_string_member_with_default (cmd, "agent", ""));
  call_send_msg (call, msg);
  return TRUE;
}

/* {"command":"drop-connection"}: tests: lose the WebSocket as a network
 * would (no hangup) and resume. */
static gboolean
cmd_drop_connection (VwCall *call, JsonObject *cmd, GError **error)
{
  if (!call_may_resume (call, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "nothing to resume: not queued nor in a session");
    return FALSE;
  }
  call_connection_lost (call, "command");
  return TRUE;
}

/* {"command":"status","available":true|false}: agents. */
static gboolean
cmd_status (VwCall *call, JsonObject *cmd, GError **error)
{
  if (call->config.role != VW_ROLE_AGENT) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "only agents have a status");
    return FALSE;
  }
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_STATUS);
  vw_message_set_id (msg, "status");
  vw_message_set_bool (msg, "available",
      json_object_get_boolean_member_with_default (cmd, "available", TRUE));
  call_send_msg (call, msg);
  return TRUE;
}

static const struct {
  const char *name;
  gboolean (*run) (VwCall *call, JsonObject *cmd, GError **error);
} commands[] = {
  { "transfer", cmd_transfer },
  { "invite", cmd_invite },
  { "status", cmd_status },
  { "drop-connection", cmd_drop_connection },
  { "snapshot", cmd_snapshot },
  { "annotate", cmd_annotate },
  { "hangup", cmd_hangup },
  { "request-keyframe", cmd_request_keyframe },
  { "share", cmd_share },
  { "unshare", cmd_unshare },
  { "save-frame", cmd_save_frame },
};

void
vw_call_handle_command (VwCall *call, const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root = NULL;
  if (!json_parser_load_from_data (parser, line, -1, &error)
      || !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser)))) {
    vw_events_emit_error ("bad-command", "a command is one JSON object per line");
    return;
  }
  JsonObject *cmd = json_node_get_object (root);
  const char *name = json_object_get_string_member_with_default (cmd, "command", "");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (!g_str_equal (commands[i].name, name))
      continue;
    if (!commands[i].run (call, cmd, &error))
      vw_events_emit_error ("bad-command", error->message);
    return;
  }
  g_autofree char *msg = g_strdup_printf ("unknown command '%s'", name);
  vw_events_emit_error ("bad-command", msg);
}

