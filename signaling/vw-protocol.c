/* vw-protocol.c: the virtual-window signalling protocol (JSON over WebSocket).
 *
 * Everything a message may contain is described by the tables in
 * vw-protocol-table.c: one VwMessageSpec per VwMessageType (wire name, who
 * may send it, its fields), and for every field a VwFieldSpec (name, kind,
 * required, allowed values, nested members).  vw_message_parse() checks the
 * text, looks the "type" up in the table and validates the fields
 * generically; nothing in this file knows what a "hello" or an "offer"
 * contains.  The names of error codes, roles, track kinds and provinces are
 * in vw-protocol-names.c.
 *
 * Input is untrusted.  Before json-glib sees it the text must be at most
 * VW_MAX_MESSAGE_SIZE bytes of valid UTF-8 without NUL bytes, and it must
 * pass a strict RFC 8259 syntax check (vw-json-check.c): json-glib 1.6 is
 * lenient (comments, single quotes, hex and leading-zero numbers, text after
 * the value), wraps integers that do not fit in 64 bits silently, truncates
 * strings at an escaped NUL and recurses without limit on nesting.
 */
#define G_LOG_DOMAIN "vw-protocol"

#include "vw-protocol.h"
#include "vw-json-check.h"
#include "vw-message-private.h"
#include "vw-protocol-private.h"

#include <math.h>
#include <string.h>

/* Deepest nesting of objects/arrays accepted (the protocol needs 3). */
#define VW_MAX_DEPTH VW_JSON_MAX_DEPTH
/* Longest string value accepted in any field. */
#define VW_MAX_STRING_LENGTH VW_MAX_MESSAGE_SIZE
/* Longest string "id" accepted. */
#define VW_MAX_ID_LENGTH 128

G_DEFINE_QUARK (vw-protocol-error-quark, vw_protocol_error)

/* ------------------------------------------------------------------------ */
/* Field validation                                                         */

static const char *
describe_kind (VwFieldKind kind)
{
  switch (kind)
    {
    case VW_FIELD_STRING: return "a string";
    case VW_FIELD_NONEMPTY_STRING: return "a non-empty string";
    case VW_FIELD_INT: return "an integer";
    case VW_FIELD_NONNEG_INT: return "an integer >= 0";
    case VW_FIELD_POS_INT: return "an integer >= 1";
    case VW_FIELD_BOOL: return "a boolean";
    case VW_FIELD_OBJECT: return "an object";
    case VW_FIELD_ARRAY: return "an array";
    case VW_FIELD_ANY: return "a JSON value";
    }
  g_return_val_if_reached ("?");
}


static gboolean
bad_field (GError **error, const char *path, VwFieldKind kind)
{
  g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
               "field '%s' must be %s", path, describe_kind (kind));
  return FALSE;
}

static gboolean validate_members (JsonObject *object, const VwFieldSpec *specs,
                                  const char *prefix, GError **error);

static gboolean
validate_string (JsonNode *node, const VwFieldSpec *spec, const char *path, GError **error)
{
  const char *s;
  gsize len;

  if (!node_holds (node, G_TYPE_STRING))
    return bad_field (error, path, spec->kind);

  s = json_node_get_string (node);
  len = strlen (s);
  if (len > VW_MAX_STRING_LENGTH)
    {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
                   "field '%s' is longer than %d bytes", path, VW_MAX_STRING_LENGTH);
      return FALSE;
    }
  if (spec->kind == VW_FIELD_NONEMPTY_STRING && len == 0)
    return bad_field (error, path, spec->kind);

  if (spec->allowed != NULL && vw_protocol_lookup_name (spec->allowed, s) < 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; spec->allowed[i] != NULL; i++)
        g_string_append_printf (list, "%s\"%s\"", i ? ", " : "", spec->allowed[i]);
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
                   "field '%s' must be one of %s", path, list->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_int (JsonNode *node, const VwFieldSpec *spec, const char *path, GError **error)
{
  gint64 value;

  /* json-glib stores integers as gint64 and anything with a fraction or an
   * exponent as a double: "1.0" is not an integer here. */
  if (!node_holds (node, G_TYPE_INT64))
    return bad_field (error, path, spec->kind);

  value = json_node_get_int (node);
  if ((spec->kind == VW_FIELD_NONNEG_INT && value < 0) ||
      (spec->kind == VW_FIELD_POS_INT && value < 1))
    return bad_field (error, path, spec->kind);
  if (value < G_MININT32 || value > G_MAXINT32)
    {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
                   "field '%s' is out of range (32-bit integers only)", path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_array (JsonNode *node, const VwFieldSpec *spec, const char *path, GError **error)
{
  JsonArray *array;
  guint n;
  g_autoptr(GHashTable) seen = NULL;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_field (error, path, spec->kind);
  if (spec->members == NULL)
    return TRUE;

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (spec->unique != NULL)
    seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
      JsonObject *item_object;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
                       "field '%s' must be an object", item_path);
          return FALSE;
        }
      item_object = json_node_get_object (item);
      if (!validate_members (item_object, spec->members, item_path, error))
        return FALSE;

      if (seen != NULL)
        {
          /* validate_members() made sure it is a string if it is there. */
          const char *value = json_object_has_member (item_object, spec->unique)
            ? json_object_get_string_member (item_object, spec->unique) : NULL;

          if (value != NULL && !g_hash_table_add (seen, (gpointer) value))
            {
              g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
                           "field '%s.%s' repeats a value of an earlier item of '%s'",
                           item_path, spec->unique, path);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
validate_value (JsonNode *node, const VwFieldSpec *spec, const char *path, GError **error)
{
  switch (spec->kind)
    {
    case VW_FIELD_STRING:
    case VW_FIELD_NONEMPTY_STRING:
      return validate_string (node, spec, path, error);
    case VW_FIELD_INT:
    case VW_FIELD_NONNEG_INT:
    case VW_FIELD_POS_INT:
      return validate_int (node, spec, path, error);
    case VW_FIELD_BOOL:
      return node_holds (node, G_TYPE_BOOLEAN) || bad_field (error, path, spec->kind);
    case VW_FIELD_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_field (error, path, spec->kind);
      return spec->members == NULL ||
        validate_members (json_node_get_object (node), spec->members, path, error);
    case VW_FIELD_ARRAY:
      return validate_array (node, spec, path, error);
    case VW_FIELD_ANY:
      return TRUE;
    }
  g_return_val_if_reached (FALSE);
}

/* Validates the members of @object described by @specs; members not in
 * @specs are ignored (room for compatible extensions).  @prefix names the
 * object in error messages ("peer", "tracks[2]"); NULL for the message. */
static gboolean
validate_members (JsonObject *object, const VwFieldSpec *specs, const char *prefix,
                  GError **error)
{
  for (const VwFieldSpec *spec = specs; spec->name != NULL; spec++)
    {
      JsonNode *node = json_object_get_member (object, spec->name);
      g_autofree char *path = prefix ? g_strdup_printf ("%s.%s", prefix, spec->name)
                                     : g_strdup (spec->name);

      if (node == NULL)
        {
          if (!spec->required)
            continue;
          g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_MISSING_FIELD,
                       "missing required field '%s'", path);
          return FALSE;
        }
      if (!validate_value (node, spec, path, error))
        return FALSE;
    }
  return TRUE;
}

/* The client's "id": a string of at most VW_MAX_ID_LENGTH bytes or an
 * integer. */
static gboolean
validate_id (JsonNode *node, GError **error)
{
  if ((node_holds (node, G_TYPE_STRING) &&
       strlen (json_node_get_string (node)) <= VW_MAX_ID_LENGTH) ||
      node_holds (node, G_TYPE_INT64))
    return TRUE;

  g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
               "field 'id' must be a string of at most %d bytes or an integer",
               VW_MAX_ID_LENGTH);
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* VwMessage                                                                */


static VwMessage *
message_new_take (VwMessageType type, JsonObject *object)
{
  VwMessage *msg = g_new0 (VwMessage, 1);

  g_atomic_ref_count_init (&msg->ref_count);
  msg->type = type;
  msg->object = object;
  return msg;
}

VwMessage *
vw_message_new (VwMessageType type)
{
  JsonObject *object;

  g_return_val_if_fail ((guint) type < VW_MSG_N_TYPES, NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "type", vw_message_specs[type].name);
  return message_new_take (type, object);
}

VwMessage *
vw_message_ref (VwMessage *msg)
{
  g_return_val_if_fail (msg != NULL, NULL);

  g_atomic_ref_count_inc (&msg->ref_count);
  return msg;
}

void
vw_message_unref (VwMessage *msg)
{
  g_return_if_fail (msg != NULL);

  if (g_atomic_ref_count_dec (&msg->ref_count))
    {
      json_object_unref (msg->object);
      g_free (msg);
    }
}

VwMessage *
vw_message_parse (const char *data, gsize length, VwDirection from,
                  JsonNode **out_ref, GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *id, *type_node;
  const char *type_name;
  VwMessageType type;
  const VwMessageSpec *spec;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (from == VW_FROM_CLIENT || from == VW_FROM_SERVER, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_ref != NULL)
    *out_ref = NULL;

  /* The text itself. */
  if (length > VW_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_TOO_LARGE,
                   "message of %" G_GSIZE_FORMAT " bytes is larger than the limit of %d bytes",
                   length, VW_MAX_MESSAGE_SIZE);
      return NULL;
    }
  if (length == 0)
    {
      g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_JSON,
                           "empty message");
      return NULL;
    }
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_JSON,
                           "message contains a NUL byte");
      return NULL;
    }
  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_JSON,
                           "message is not valid UTF-8");
      return NULL;
    }
  if (!vw_json_check_syntax (data, length, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      /* Should not happen after check_json_syntax(). */
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_JSON,
                   "invalid JSON: %s", parse_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_NOT_OBJECT,
                   "message must be a JSON object, not %s",
                   root ? json_node_type_name (root) : "nothing");
      return NULL;
    }
  object = json_node_get_object (root);

  /* The id first, so that every later error can carry it as "ref". */
  if (from == VW_FROM_CLIENT && (id = json_object_get_member (object, "id")) != NULL)
    {
      if (!validate_id (id, error))
        return NULL;
      if (out_ref != NULL)
        *out_ref = json_node_copy (id);
    }

  /* The type, from the table. */
  type_node = json_object_get_member (object, "type");
  if (type_node == NULL)
    {
      g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_MISSING_FIELD,
                           "missing required field 'type'");
      return NULL;
    }
  if (!node_holds (type_node, G_TYPE_STRING))
    {
      g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
                           "field 'type' must be a string");
      return NULL;
    }
  type_name = json_node_get_string (type_node);
  if (!vw_message_type_lookup (type_name, &type))
    {
      /* Echo short names only; the text is the peer's. */
      if (strlen (type_name) <= 32)
        {
          g_autofree char *escaped = g_strescape (type_name, NULL);
          g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_TYPE,
                       "unknown message type '%s'", escaped);
        }
      else
        g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_TYPE,
                             "unknown message type");
      return NULL;
    }
  spec = &vw_message_specs[type];
  if ((spec->senders & FROM (from)) == 0)
    {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_TYPE,
                   "message type '%s' cannot be sent by the %s", spec->name,
                   from == VW_FROM_CLIENT ? "client" : "server");
      return NULL;
    }

  /* The fields, from the table. */
  if (!validate_members (object, spec->fields, NULL, error))
    return NULL;

  return message_new_take (type, json_object_ref (object));
}

VwMessageType
vw_message_get_msg_type (VwMessage *msg)
{
  g_return_val_if_fail (msg != NULL, VW_MSG_N_TYPES);
  return msg->type;
}

JsonObject *
vw_message_get_object (VwMessage *msg)
{
  g_return_val_if_fail (msg != NULL, NULL);
  return msg->object;
}
