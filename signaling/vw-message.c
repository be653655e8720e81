/* vw-message.c: reading and building messages (see vw-protocol.h).
 * Parsing and validation are in vw-protocol.c, the tables they follow in
 * vw-protocol-table.c. */
#define G_LOG_DOMAIN "vw-protocol"

#include "vw-protocol.h"
#include "vw-message-private.h"
#include "vw-json-write.h"

/* ------------------------------------------------------------------------ */
/* Field access                                                             */

static JsonNode *
get_value_member (VwMessage *msg, const char *field, GType type)
{
  JsonNode *node = json_object_get_member (msg->object, field);
  return node != NULL && node_holds (node, type) ? node : NULL;
}

const char *
vw_message_get_string (VwMessage *msg, const char *field, const char *def)
{
  JsonNode *node;

  g_return_val_if_fail (msg != NULL, def);
  g_return_val_if_fail (field != NULL, def);

  node = get_value_member (msg, field, G_TYPE_STRING);
  return node ? json_node_get_string (node) : def;
}

gint64
vw_message_get_int (VwMessage *msg, const char *field, gint64 def)
{
  JsonNode *node;

  g_return_val_if_fail (msg != NULL, def);
  g_return_val_if_fail (field != NULL, def);

  node = get_value_member (msg, field, G_TYPE_INT64);
  return node ? json_node_get_int (node) : def;
}

gboolean
vw_message_get_bool (VwMessage *msg, const char *field, gboolean def)
{
  JsonNode *node;

  g_return_val_if_fail (msg != NULL, def);
  g_return_val_if_fail (field != NULL, def);

  node = get_value_member (msg, field, G_TYPE_BOOLEAN);
  return node ? json_node_get_boolean (node) : def;
}

JsonObject *
vw_message_get_object_member (VwMessage *msg, const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = json_object_get_member (msg->object, field);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
vw_message_get_array_member (VwMessage *msg, const char *field)
{
  JsonNode *node;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = json_object_get_member (msg->object, field);
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonNode *
vw_message_get_id (VwMessage *msg)
{
  JsonNode *node;

  g_return_val_if_fail (msg != NULL, NULL);

  node = json_object_get_member (msg->object, "id");
  if (node != NULL && (node_holds (node, G_TYPE_STRING) || node_holds (node, G_TYPE_INT64)))
    return node;
  return NULL;
}

void
vw_message_set_string (VwMessage *msg, const char *field, const char *value)
{
  g_return_if_fail (msg != NULL);
  g_return_if_fail (field != NULL);
  g_return_if_fail (value != NULL);

  json_object_set_string_member (msg->object, field, value);
}

void
vw_message_set_int (VwMessage *msg, const char *field, gint64 value)
{
  g_return_if_fail (msg != NULL);
  g_return_if_fail (field != NULL);

  json_object_set_int_member (msg->object, field, value);
}

void
vw_message_set_bool (VwMessage *msg, const char *field, gboolean value)
{
  g_return_if_fail (msg != NULL);
  g_return_if_fail (field != NULL);

  json_object_set_boolean_member (msg->object, field, value);
}

void
vw_message_take_object (VwMessage *msg, const char *field, JsonObject *value)
{
  g_return_if_fail (msg != NULL);
  g_return_if_fail (field != NULL);
  g_return_if_fail (value != NULL);

  /* json_object_set_object_member() takes ownership of @value. */
  json_object_set_object_member (msg->object, field, value);
}

void
vw_message_take_array (VwMessage *msg, const char *field, JsonArray *value)
{
  g_return_if_fail (msg != NULL);
  g_return_if_fail (field != NULL);
  g_return_if_fail (value != NULL);

  json_object_set_array_member (msg->object, field, value);
}

void
vw_message_set_id (VwMessage *msg, const char *id)
{
  g_return_if_fail (msg != NULL);
  g_return_if_fail (id != NULL);

  json_object_set_string_member (msg->object, "id", id);
}

void
vw_message_set_ref (VwMessage *msg, JsonNode *ref)
{
  g_return_if_fail (msg != NULL);

  if (ref != NULL)
    json_object_set_member (msg->object, "ref", json_node_copy (ref));
}

char *
vw_message_to_string (VwMessage *msg)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (msg != NULL, NULL);

  /* Not json-glib's generator: it writes some doubles as invalid JSON
   * ("1e+308.0") and leaves U+001F unescaped (vw-json-write.h). */
  root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, msg->object);
  return vw_json_to_string (root);
}

/* ------------------------------------------------------------------------ */
/* Builders                                                                 */

VwMessage *
vw_message_new_error (VwProtocolError code, const char *message, JsonNode *ref)
{
  VwMessage *msg;

  g_return_val_if_fail ((guint) code <= VW_PROTOCOL_ERROR_INTERNAL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  msg = vw_message_new (VW_MSG_ERROR);
  vw_message_set_string (msg, "code", vw_protocol_error_to_code (code));
  vw_message_set_string (msg, "message", message);
  vw_message_set_ref (msg, ref);
  return msg;
}

VwMessage *
vw_message_new_error_from_gerror (const GError *error, JsonNode *ref)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == VW_PROTOCOL_ERROR &&
      error->code >= 0 && error->code <= VW_PROTOCOL_ERROR_INTERNAL)
    return vw_message_new_error ((VwProtocolError) error->code, error->message, ref);

  /* Other domains are the server's own trouble (GIO, GStreamer...): their
   * text may name files or internals, so the peer gets a generic message
   * and the caller logs the real one. */
  return vw_message_new_error (VW_PROTOCOL_ERROR_INTERNAL, "internal server error", ref);
}

VwMessage *
vw_message_new_welcome (const char *peer_id)
{
  VwMessage *msg;

  g_return_val_if_fail (peer_id != NULL, NULL);

  msg = vw_message_new (VW_MSG_WELCOME);
  vw_message_set_string (msg, "peer_id", peer_id);
  return msg;
}

VwMessage *
vw_message_new_queued (const char *province, guint position)
{
  VwMessage *msg;

  g_return_val_if_fail (province != NULL, NULL);
  g_return_val_if_fail (position >= 1 && position <= G_MAXINT32, NULL);

  msg = vw_message_new (VW_MSG_QUEUED);
  vw_message_set_int (msg, "position", position);
  vw_message_set_string (msg, "province", province);
  return msg;
}

VwMessage *
vw_message_new_ended (const char *session, const char *reason)
{
  VwMessage *msg;

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (reason != NULL, NULL);

  msg = vw_message_new (VW_MSG_ENDED);
  vw_message_set_string (msg, "session", session);
  vw_message_set_string (msg, "reason", reason);
  return msg;
}

VwMessage *
vw_message_new_ice (const char *session, guint mline, const char *candidate)
{
  VwMessage *msg;

  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (mline <= G_MAXINT32, NULL);
  g_return_val_if_fail (candidate != NULL, NULL);

  msg = vw_message_new (VW_MSG_ICE);
  vw_message_set_string (msg, "session", session);
  vw_message_set_int (msg, "mline", mline);
  vw_message_set_string (msg, "candidate", candidate);
  return msg;
}
