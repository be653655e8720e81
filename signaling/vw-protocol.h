/* vw-protocol.h: the virtual-window signalling protocol (JSON over WebSocket).
 *
 * One small library shared by vw-server, vw-client and the tests.  Every
 * message is a JSON object with a "type" member; the fields of each type are
 * described in a table in vw-protocol-table.c and documented in PROTOCOL.md.
 * Parsing validates a message completely (types, required members, enum
 * values) so callers can read the fields without further checks.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VW_PROTOCOL_VERSION 1
/* Largest text message either side accepts, in bytes. */
#define VW_MAX_MESSAGE_SIZE (64 * 1024)

#define VW_PROTOCOL_ERROR (vw_protocol_error_quark ())
GQuark vw_protocol_error_quark (void);

/* Stable error codes; each has a wire name (vw_protocol_error_to_code()). */
typedef enum {
  VW_PROTOCOL_ERROR_BAD_JSON,             /* "bad-json" */
  VW_PROTOCOL_ERROR_NOT_OBJECT,           /* "not-object" */
  VW_PROTOCOL_ERROR_MISSING_FIELD,        /* "missing-field" */
  VW_PROTOCOL_ERROR_BAD_FIELD,            /* "bad-field" */
  VW_PROTOCOL_ERROR_UNKNOWN_TYPE,         /* "unknown-type" */
  VW_PROTOCOL_ERROR_BINARY_FRAME,         /* "binary-frame" */
  VW_PROTOCOL_ERROR_TOO_LARGE,            /* "too-large" */
  VW_PROTOCOL_ERROR_UNSUPPORTED_PROTOCOL, /* "unsupported-protocol" */
  VW_PROTOCOL_ERROR_NOT_REGISTERED,       /* "not-registered" */
  VW_PROTOCOL_ERROR_ALREADY_REGISTERED,   /* "already-registered" */
  VW_PROTOCOL_ERROR_WRONG_ROLE,           /* "wrong-role" */
  VW_PROTOCOL_ERROR_WRONG_STATE,          /* "wrong-state" */
  VW_PROTOCOL_ERROR_UNKNOWN_SESSION,      /* "unknown-session" */
  VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE,     /* "unknown-province" */
  VW_PROTOCOL_ERROR_BAD_SDP,              /* "bad-sdp" */
  VW_PROTOCOL_ERROR_MEDIA_FAILED,         /* "media-failed" */
  VW_PROTOCOL_ERROR_NO_DOCUMENT_CAMERA,   /* "no-document-camera" */
  VW_PROTOCOL_ERROR_UNKNOWN_SNAPSHOT,     /* "unknown-snapshot" */
  VW_PROTOCOL_ERROR_SNAPSHOT_FAILED,      /* "snapshot-failed" */
  VW_PROTOCOL_ERROR_UNAUTHORIZED,         /* "unauthorized" */
  VW_PROTOCOL_ERROR_FORBIDDEN,            /* "forbidden" */
  VW_PROTOCOL_ERROR_UNKNOWN_ITEM,         /* "unknown-item" */
  VW_PROTOCOL_ERROR_UNKNOWN_AGENT,        /* "unknown-agent" */
  VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE,    /* "agent-unavailable" */
  VW_PROTOCOL_ERROR_UNKNOWN_BOOKING,      /* "unknown-booking" */
  VW_PROTOCOL_ERROR_BOOKING_NOT_DUE,      /* "booking-not-due" */
  VW_PROTOCOL_ERROR_TOO_MANY_WAITING,     /* "too-many-waiting" */
  VW_PROTOCOL_ERROR_TOO_MANY_ATTEMPTS,    /* "too-many-attempts" */
  VW_PROTOCOL_ERROR_BAD_RESUME,           /* "bad-resume" */
  VW_PROTOCOL_ERROR_INTERNAL,             /* "internal" (always last) */
} VwProtocolError;

const char *vw_protocol_error_to_code (VwProtocolError error);
gboolean    vw_protocol_error_from_code (const char *code, VwProtocolError *out);

/* Which side sent a message: parsing accepts only the types that side may send. */
typedef enum {
  VW_FROM_CLIENT,
  VW_FROM_SERVER,
} VwDirection;

typedef enum {
  /* client to server */
  VW_MSG_HELLO,
  VW_MSG_STATUS,
  VW_MSG_REQUEST,
  VW_MSG_HANGUP,
  VW_MSG_PUBLISH,
  VW_MSG_ANSWER,
  VW_MSG_SNAPSHOT_REQUEST,
  VW_MSG_ANNOTATE,
  VW_MSG_MONITOR,
  VW_MSG_RATE,
  VW_MSG_TRANSFER,
  VW_MSG_INVITE,
  VW_MSG_PING,
  /* server to client */
  VW_MSG_WELCOME,
  VW_MSG_QUEUED,
  VW_MSG_PAIRED,
  VW_MSG_ENDED,
  VW_MSG_ERROR,
  VW_MSG_OK,
  VW_MSG_OFFER,
  VW_MSG_KEYFRAME,
  VW_MSG_TRACKS,
  VW_MSG_SNAPSHOT_REQUESTED,
  VW_MSG_SNAPSHOT_STORED,
  VW_MSG_ANNOTATION,
  VW_MSG_RECORDING,
  VW_MSG_QUEUE,
  VW_MSG_AGENT_STATE,
  VW_MSG_TRANSFERRED,
  VW_MSG_JOINED,
  VW_MSG_LEFT,
  VW_MSG_PEER_NETWORK,
  VW_MSG_MEDIA_RESTART,
  VW_MSG_PONG,
  VW_MSG_BITRATE,
  /* both directions */
  VW_MSG_ICE,
  VW_MSG_N_TYPES
} VwMessageType;

const char *vw_message_type_to_string (VwMessageType type);

typedef enum {
  VW_ROLE_AGENT,
  VW_ROLE_CLERK,
  VW_ROLE_SUPERVISOR,   /* signed in; watches sessions live, receive-only */
} VwRole;

const char *vw_role_to_string (VwRole role);
gboolean    vw_role_from_string (const char *s, VwRole *out);

/* Provinces of the Yangtze River Delta, by their stable wire names
 * ("shanghai", "jiangsu", "zhejiang", "anhui"). */
gboolean    vw_province_is_known (const char *province);
/* (nullable): the Chinese display name (上海, 江苏, 浙江, 安徽). */
const char *vw_province_display_name (const char *province);

/* Track kinds carried by the media negotiation. */
typedef enum {
  VW_TRACK_AUDIO,
  VW_TRACK_CAMERA,
  VW_TRACK_SCREEN,
  VW_TRACK_DOCUMENT,
  VW_TRACK_N_KINDS
} VwTrackKind;

const char *vw_track_kind_to_string (VwTrackKind kind);
gboolean    vw_track_kind_from_string (const char *s, VwTrackKind *out);

typedef struct _VwMessage VwMessage;

/* Parsing.  @data need not be NUL-terminated.  On failure sets a
 * VW_PROTOCOL_ERROR; when the text was a JSON object with a usable "id",
 * *out_ref (if not NULL) receives a copy of it so the error reply can carry
 * it as "ref".  (transfer full) (nullable) */
VwMessage *vw_message_parse (const char *data, gsize length, VwDirection from,
                             JsonNode **out_ref, GError **error);

/* Building.  (transfer full) */
VwMessage *vw_message_new (VwMessageType type);
VwMessage *vw_message_ref (VwMessage *msg);
void       vw_message_unref (VwMessage *msg);

VwMessageType vw_message_get_msg_type (VwMessage *msg);
/* The whole object, borrowed; mutable for builders. */
JsonObject *vw_message_get_object (VwMessage *msg);

/* Field access.  After a successful parse the required members exist with
 * the documented types; optional ones fall back to @def. */
const char *vw_message_get_string (VwMessage *msg, const char *field, const char *def);
gint64      vw_message_get_int (VwMessage *msg, const char *field, gint64 def);
gboolean    vw_message_get_bool (VwMessage *msg, const char *field, gboolean def);
/* (nullable) (transfer none) */
JsonObject *vw_message_get_object_member (VwMessage *msg, const char *field);
JsonArray  *vw_message_get_array_member (VwMessage *msg, const char *field);
/* The client's "id" (string or integer), or NULL. (transfer none) */
JsonNode   *vw_message_get_id (VwMessage *msg);

void vw_message_set_string (VwMessage *msg, const char *field, const char *value);
void vw_message_set_int (VwMessage *msg, const char *field, gint64 value);
void vw_message_set_bool (VwMessage *msg, const char *field, gboolean value);
/* Takes ownership of @value. */
void vw_message_take_object (VwMessage *msg, const char *field, JsonObject *value);
void vw_message_take_array (VwMessage *msg, const char *field, JsonArray *value);
/* Sets "id" (client side) from a string. */
void vw_message_set_id (VwMessage *msg, const char *id);
/* Sets "ref" to a copy of @ref (nullable: then nothing is set). */
void vw_message_set_ref (VwMessage *msg, JsonNode *ref);

/* Compact JSON text. (transfer full) */
char *vw_message_to_string (VwMessage *msg);

/* Convenience builders for the server's messages. (transfer full) */
VwMessage *vw_message_new_error (VwProtocolError code, const char *message, JsonNode *ref);
VwMessage *vw_message_new_error_from_gerror (const GError *error, JsonNode *ref);
VwMessage *vw_message_new_welcome (const char *peer_id);
VwMessage *vw_message_new_queued (const char *province, guint position);
VwMessage *vw_message_new_ended (const char *session, const char *reason);
VwMessage *vw_message_new_ice (const char *session, guint mline, const char *candidate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwMessage, vw_message_unref)

G_END_DECLS
