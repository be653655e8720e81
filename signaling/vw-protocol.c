/* vw-protocol.c: the virtual-window signalling protocol (JSON over WebSocket).
 *
 * Everything a message may contain is described by the tables below: one
 * VwMessageSpec per VwMessageType (wire name, who may send it, its fields),
 * and for every field a VwFieldSpec (name, kind, required, allowed values,
 * nested members).  vw_message_parse() checks the text, looks the "type" up in
 * the table and validates the fields generically; nothing else in this file
 * knows what a "hello" or an "offer" contains.  PROTOCOL.md documents the
 * same tables for people; keep the two in step.
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
/* Names                                                                    */

static const char * const error_codes[] = {
  [VW_PROTOCOL_ERROR_BAD_JSON] = "bad-json",
  [VW_PROTOCOL_ERROR_NOT_OBJECT] = "not-object",
  [VW_PROTOCOL_ERROR_MISSING_FIELD] = "missing-field",
  [VW_PROTOCOL_ERROR_BAD_FIELD] = "bad-field",
  [VW_PROTOCOL_ERROR_UNKNOWN_TYPE] = "unknown-type",
  [VW_PROTOCOL_ERROR_BINARY_FRAME] = "binary-frame",
  [VW_PROTOCOL_ERROR_TOO_LARGE] = "too-large",
  [VW_PROTOCOL_ERROR_UNSUPPORTED_PROTOCOL] = "unsupported-protocol",
  [VW_PROTOCOL_ERROR_NOT_REGISTERED] = "not-registered",
  [VW_PROTOCOL_ERROR_ALREADY_REGISTERED] = "already-registered",
  [VW_PROTOCOL_ERROR_WRONG_ROLE] = "wrong-role",
  [VW_PROTOCOL_ERROR_WRONG_STATE] = "wrong-state",
  [VW_PROTOCOL_ERROR_UNKNOWN_SESSION] = "unknown-session",
  [VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE] = "unknown-province",
  [VW_PROTOCOL_ERROR_BAD_SDP] = "bad-sdp",
  [VW_PROTOCOL_ERROR_MEDIA_FAILED] = "media-failed",
  [VW_PROTOCOL_ERROR_NO_DOCUMENT_CAMERA] = "no-document-camera",
  [VW_PROTOCOL_ERROR_UNKNOWN_SNAPSHOT] = "unknown-snapshot",
  [VW_PROTOCOL_ERROR_SNAPSHOT_FAILED] = "snapshot-failed",
  [VW_PROTOCOL_ERROR_UNAUTHORIZED] = "unauthorized",
  [VW_PROTOCOL_ERROR_FORBIDDEN] = "forbidden",
  [VW_PROTOCOL_ERROR_UNKNOWN_ITEM] = "unknown-item",
  [VW_PROTOCOL_ERROR_UNKNOWN_AGENT] = "unknown-agent",
  [VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE] = "agent-unavailable",
  [VW_PROTOCOL_ERROR_UNKNOWN_BOOKING] = "unknown-booking",
  [VW_PROTOCOL_ERROR_BOOKING_NOT_DUE] = "booking-not-due",
  [VW_PROTOCOL_ERROR_INTERNAL] = "internal",
};

/* NULL-terminated so they double as "allowed values" lists in field specs. */
static const char * const role_names[] = {
  [VW_ROLE_AGENT] = "agent",
  [VW_ROLE_CLERK] = "clerk",
  [VW_ROLE_SUPERVISOR] = "supervisor",
  NULL
};

static const char * const track_kind_names[] = {
  [VW_TRACK_AUDIO] = "audio",
  [VW_TRACK_CAMERA] = "camera",
  [VW_TRACK_SCREEN] = "screen",
  [VW_TRACK_DOCUMENT] = "document",
  [VW_TRACK_N_KINDS] = NULL
};

static const char * const track_direction_names[] = { "send", "recv", NULL };

typedef struct {
  const char *wire_name;
  const char *display_name;
} VwProvince;

static const VwProvince provinces[] = {
  { "shanghai", "上海" },
  { "jiangsu", "江苏" },
  { "zhejiang", "浙江" },
  { "anhui", "安徽" },
};

/* Index of @s in the NULL-terminated @names, or -1. */
static int
lookup_name (const char * const *names, const char *s)
{
  if (s == NULL)
    return -1;
  for (int i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], s) == 0)
      return i;
  return -1;
}

const char *
vw_protocol_error_to_code (VwProtocolError error)
{
  g_return_val_if_fail ((guint) error < G_N_ELEMENTS (error_codes), NULL);
  return error_codes[error];
}

gboolean
vw_protocol_error_from_code (const char *code, VwProtocolError *out)
{
  if (code == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    {
      if (strcmp (error_codes[i], code) == 0)
        {
          if (out)
            *out = (VwProtocolError) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
vw_role_to_string (VwRole role)
{
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names) - 1, NULL);
  return role_names[role];
}

gboolean
vw_role_from_string (const char *s, VwRole *out)
{
  int i = lookup_name (role_names, s);
  if (i < 0)
    return FALSE;
  if (out)
    *out = (VwRole) i;
  return TRUE;
}

const char *
vw_track_kind_to_string (VwTrackKind kind)
{
  g_return_val_if_fail ((guint) kind < VW_TRACK_N_KINDS, NULL);
  return track_kind_names[kind];
}

gboolean
vw_track_kind_from_string (const char *s, VwTrackKind *out)
{
  int i = lookup_name (track_kind_names, s);
  if (i < 0)
    return FALSE;
  if (out)
    *out = (VwTrackKind) i;
  return TRUE;
}

static const VwProvince *
find_province (const char *province)
{
  if (province == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (provinces); i++)
    if (strcmp (provinces[i].wire_name, province) == 0)
      return &provinces[i];
  return NULL;
}

gboolean
vw_province_is_known (const char *province)
{
  return find_province (province) != NULL;
}

const char *
vw_province_display_name (const char *province)
{
  const VwProvince *p = find_province (province);
  return p ? p->display_name : NULL;
}

/* ------------------------------------------------------------------------ */
/* The message table                                                        */

typedef enum {
  VW_FIELD_STRING,           /* any string (not null) */
  VW_FIELD_NONEMPTY_STRING,  /* a string of at least one byte */
  VW_FIELD_INT,              /* an integer (no fraction or exponent), 32-bit */
  VW_FIELD_NONNEG_INT,       /* an integer >= 0 */
  VW_FIELD_POS_INT,          /* an integer >= 1 */
  VW_FIELD_BOOL,
  VW_FIELD_OBJECT,
  VW_FIELD_ARRAY,
  VW_FIELD_ANY,              /* any JSON value, null included */
} VwFieldKind;

typedef struct _VwFieldSpec VwFieldSpec;
struct _VwFieldSpec {
  const char *name;
  VwFieldKind kind;
  gboolean required;
  /* String kinds: NULL-terminated list of the allowed values, or NULL. */
  const char * const *allowed;
  /* VW_FIELD_OBJECT: the members of the object.  VW_FIELD_ARRAY: every item
   * must be an object with these members.  NULL: not checked further. */
  const VwFieldSpec *members;
  /* VW_FIELD_ARRAY with members: a string member that must differ between
   * the items (e.g. the mid of offer tracks). */
  const char *unique;
};

#define REQUIRED TRUE
#define OPTIONAL FALSE

#define FROM(dir) (1u << (dir))

typedef struct {
  const char *name;
  guint senders;              /* FROM (VW_FROM_CLIENT) | FROM (VW_FROM_SERVER) */
  const VwFieldSpec *fields;  /* terminated by { NULL } */
} VwMessageSpec;

static const VwFieldSpec hello_fields[] = {
  { "protocol", VW_FIELD_INT, REQUIRED },
  { "role", VW_FIELD_STRING, REQUIRED, role_names },
  { "name", VW_FIELD_NONEMPTY_STRING, REQUIRED },
  { "province", VW_FIELD_STRING, REQUIRED },
  { "center", VW_FIELD_STRING, REQUIRED },
  { "token", VW_FIELD_NONEMPTY_STRING, OPTIONAL },
  /* Agents: the item codes they handle (strings; checked by the server
   * against the catalogue).  Absent: every item of their province. */
  { "items", VW_FIELD_ARRAY, OPTIONAL },
  { NULL }
};

static const char * const agent_state_names[] = {
  "away", "available", "busy", "wrap-up", NULL
};

static const VwFieldSpec agent_state_fields[] = {
  { "state", VW_FIELD_STRING, REQUIRED, agent_state_names },
  { "remaining_s", VW_FIELD_NONNEG_INT, OPTIONAL },
  { NULL }
};

static const VwFieldSpec transfer_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "agent", VW_FIELD_NONEMPTY_STRING, OPTIONAL },
  { "item", VW_FIELD_NONEMPTY_STRING, OPTIONAL },
  { "province", VW_FIELD_STRING, OPTIONAL },
  { NULL }
};

static const VwFieldSpec invite_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "agent", VW_FIELD_NONEMPTY_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec monitor_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec rate_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "level", VW_FIELD_POS_INT, REQUIRED },
  { "comment", VW_FIELD_STRING, OPTIONAL },
  { NULL }
};

static const VwFieldSpec queue_entry_fields[] = {
  { "position", VW_FIELD_POS_INT, REQUIRED },
  { "item", VW_FIELD_STRING, REQUIRED },
  { "name", VW_FIELD_STRING, REQUIRED },
  { "province", VW_FIELD_STRING, REQUIRED },
  { "center", VW_FIELD_STRING, REQUIRED },
  { "waiting_s", VW_FIELD_NONNEG_INT, REQUIRED },
  { NULL }
};

static const VwFieldSpec queue_fields[] = {
  { "province", VW_FIELD_STRING, REQUIRED },
  { "waiting", VW_FIELD_ARRAY, REQUIRED, NULL, queue_entry_fields },
  { NULL }
};

static const VwFieldSpec recording_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "active", VW_FIELD_BOOL, REQUIRED },
  { NULL }
};

static const VwFieldSpec status_fields[] = {
  { "available", VW_FIELD_BOOL, REQUIRED },
  { NULL }
};

static const VwFieldSpec request_fields[] = {
  { "province", VW_FIELD_STRING, REQUIRED },
  { "item", VW_FIELD_NONEMPTY_STRING, REQUIRED },      /* an item code */
  { "booking", VW_FIELD_NONEMPTY_STRING, OPTIONAL },   /* an appointment's code */
  { NULL }
};

static const VwFieldSpec hangup_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec publish_track_fields[] = {
  { "kind", VW_FIELD_STRING, REQUIRED, track_kind_names },
  { NULL }
};

static const VwFieldSpec publish_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "tracks", VW_FIELD_ARRAY, REQUIRED, NULL, publish_track_fields, "kind" },
  { NULL }
};

static const VwFieldSpec answer_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "sdp", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec ice_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "mline", VW_FIELD_NONNEG_INT, REQUIRED },
  { "candidate", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec welcome_fields[] = {
  { "peer_id", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec queued_fields[] = {
  { "position", VW_FIELD_POS_INT, REQUIRED },
  { "province", VW_FIELD_STRING, REQUIRED },
  { "item", VW_FIELD_STRING, OPTIONAL },
  { "wait_s", VW_FIELD_NONNEG_INT, OPTIONAL },
  { "wait_samples", VW_FIELD_NONNEG_INT, OPTIONAL },
  { NULL }
};

static const VwFieldSpec peer_fields[] = {
  { "name", VW_FIELD_STRING, REQUIRED },
  { "role", VW_FIELD_STRING, REQUIRED },
  { "province", VW_FIELD_STRING, REQUIRED },
  { "center", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec paired_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "peer", VW_FIELD_OBJECT, REQUIRED, NULL, peer_fields },
  { "item", VW_FIELD_STRING, OPTIONAL },       /* to agents: the clerk's item */
  { "booked", VW_FIELD_BOOL, OPTIONAL },       /* ... came with an appointment */
  { "invited", VW_FIELD_BOOL, OPTIONAL },      /* ... the agent is the third party */
  { NULL }
};

static const VwFieldSpec transferred_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "agent", VW_FIELD_OBJECT, OPTIONAL, NULL, peer_fields },
  { "item", VW_FIELD_STRING, OPTIONAL },
  { "province", VW_FIELD_STRING, OPTIONAL },
  { NULL }
};

/* joined, left: a participant other than the two of the pair. */
static const VwFieldSpec member_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "peer_id", VW_FIELD_STRING, REQUIRED },
  { "peer", VW_FIELD_OBJECT, REQUIRED, NULL, peer_fields },
  { NULL }
};

static const VwFieldSpec ended_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "reason", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec error_fields[] = {
  { "code", VW_FIELD_STRING, REQUIRED },
  { "message", VW_FIELD_STRING, REQUIRED },
  { "ref", VW_FIELD_ANY, OPTIONAL },
  { NULL }
};

static const VwFieldSpec ok_fields[] = {
  { "ref", VW_FIELD_ANY, REQUIRED },
  { NULL }
};

static const VwFieldSpec offer_track_fields[] = {
  { "mid", VW_FIELD_STRING, REQUIRED },
  { "kind", VW_FIELD_STRING, REQUIRED, track_kind_names },
  { "direction", VW_FIELD_STRING, REQUIRED, track_direction_names },
  { "peer", VW_FIELD_STRING, REQUIRED },
  { "live", VW_FIELD_BOOL, OPTIONAL },
  { NULL }
};

static const VwFieldSpec offer_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "sdp", VW_FIELD_STRING, REQUIRED },
  { "tracks", VW_FIELD_ARRAY, REQUIRED, NULL, offer_track_fields, "mid" },
  { NULL }
};

static const VwFieldSpec keyframe_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "kind", VW_FIELD_STRING, REQUIRED, track_kind_names },
  { NULL }
};

static const VwFieldSpec tracks_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "tracks", VW_FIELD_ARRAY, REQUIRED, NULL, offer_track_fields, "mid" },
  { NULL }
};

static const VwFieldSpec snapshot_request_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

/* A mark on a snapshot: annotate (the agent's) and annotation (relayed). */
#define MARK_FIELDS \
  { "session", VW_FIELD_STRING, REQUIRED }, \
  { "snapshot", VW_FIELD_NONEMPTY_STRING, REQUIRED }, \
  { "x", VW_FIELD_NONNEG_INT, REQUIRED }, \
  { "y", VW_FIELD_NONNEG_INT, REQUIRED }, \
  { "w", VW_FIELD_POS_INT, REQUIRED }, \
  { "h", VW_FIELD_POS_INT, REQUIRED }, \
  { "note", VW_FIELD_STRING, REQUIRED }

static const VwFieldSpec annotate_fields[] = {
  MARK_FIELDS,
  { NULL }
};

static const VwFieldSpec snapshot_requested_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "snapshot", VW_FIELD_NONEMPTY_STRING, REQUIRED },
  { "by", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec snapshot_stored_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "snapshot", VW_FIELD_NONEMPTY_STRING, REQUIRED },
  { "sha256", VW_FIELD_STRING, REQUIRED },
  { "size", VW_FIELD_POS_INT, REQUIRED },
  { "width", VW_FIELD_NONNEG_INT, REQUIRED },
  { "height", VW_FIELD_NONNEG_INT, REQUIRED },
  { "by", VW_FIELD_STRING, REQUIRED },
  { "from", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwFieldSpec annotation_fields[] = {
  MARK_FIELDS,
  { "by", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

static const VwMessageSpec message_specs[VW_MSG_N_TYPES] = {
  [VW_MSG_HELLO] = { "hello", FROM (VW_FROM_CLIENT), hello_fields },
  [VW_MSG_STATUS] = { "status", FROM (VW_FROM_CLIENT), status_fields },
  [VW_MSG_REQUEST] = { "request", FROM (VW_FROM_CLIENT), request_fields },
  [VW_MSG_HANGUP] = { "hangup", FROM (VW_FROM_CLIENT), hangup_fields },
  [VW_MSG_PUBLISH] = { "publish", FROM (VW_FROM_CLIENT), publish_fields },
  [VW_MSG_ANSWER] = { "answer", FROM (VW_FROM_CLIENT), answer_fields },
  [VW_MSG_SNAPSHOT_REQUEST] = { "snapshot-request", FROM (VW_FROM_CLIENT), snapshot_request_fields },
  [VW_MSG_ANNOTATE] = { "annotate", FROM (VW_FROM_CLIENT), annotate_fields },
  [VW_MSG_MONITOR] = { "monitor", FROM (VW_FROM_CLIENT), monitor_fields },
  [VW_MSG_RATE] = { "rate", FROM (VW_FROM_CLIENT), rate_fields },
  [VW_MSG_TRANSFER] = { "transfer", FROM (VW_FROM_CLIENT), transfer_fields },
  [VW_MSG_INVITE] = { "invite", FROM (VW_FROM_CLIENT), invite_fields },
  [VW_MSG_WELCOME] = { "welcome", FROM (VW_FROM_SERVER), welcome_fields },
  [VW_MSG_QUEUED] = { "queued", FROM (VW_FROM_SERVER), queued_fields },
  [VW_MSG_PAIRED] = { "paired", FROM (VW_FROM_SERVER), paired_fields },
  [VW_MSG_ENDED] = { "ended", FROM (VW_FROM_SERVER), ended_fields },
  [VW_MSG_ERROR] = { "error", FROM (VW_FROM_SERVER), error_fields },
  [VW_MSG_OK] = { "ok", FROM (VW_FROM_SERVER), ok_fields },
  [VW_MSG_OFFER] = { "offer", FROM (VW_FROM_SERVER), offer_fields },
  [VW_MSG_KEYFRAME] = { "keyframe", FROM (VW_FROM_SERVER), keyframe_fields },
  [VW_MSG_TRACKS] = { "tracks", FROM (VW_FROM_SERVER), tracks_fields },
  [VW_MSG_SNAPSHOT_REQUESTED] = { "snapshot-requested", FROM (VW_FROM_SERVER), snapshot_requested_fields },
  [VW_MSG_SNAPSHOT_STORED] = { "snapshot-stored", FROM (VW_FROM_SERVER), snapshot_stored_fields },
  [VW_MSG_ANNOTATION] = { "annotation", FROM (VW_FROM_SERVER), annotation_fields },
  [VW_MSG_RECORDING] = { "recording", FROM (VW_FROM_SERVER), recording_fields },
  [VW_MSG_QUEUE] = { "queue", FROM (VW_FROM_SERVER), queue_fields },
  [VW_MSG_AGENT_STATE] = { "agent-state", FROM (VW_FROM_SERVER), agent_state_fields },
  [VW_MSG_TRANSFERRED] = { "transferred", FROM (VW_FROM_SERVER), transferred_fields },
  [VW_MSG_JOINED] = { "joined", FROM (VW_FROM_SERVER), member_fields },
  [VW_MSG_LEFT] = { "left", FROM (VW_FROM_SERVER), member_fields },
  [VW_MSG_ICE] = { "ice", FROM (VW_FROM_CLIENT) | FROM (VW_FROM_SERVER), ice_fields },
};

const char *
vw_message_type_to_string (VwMessageType type)
{
  g_return_val_if_fail ((guint) type < VW_MSG_N_TYPES, NULL);
  return message_specs[type].name;
}

static gboolean
lookup_message_type (const char *name, VwMessageType *out)
{
  for (guint i = 0; i < VW_MSG_N_TYPES; i++)
    {
      if (strcmp (message_specs[i].name, name) == 0)
        {
          *out = (VwMessageType) i;
          return TRUE;
        }
    }
  return FALSE;
}

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

  if (spec->allowed != NULL && lookup_name (spec->allowed, s) < 0)
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
  json_object_set_string_member (object, "type", message_specs[type].name);
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
  if (!lookup_message_type (type_name, &type))
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
  spec = &message_specs[type];
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
