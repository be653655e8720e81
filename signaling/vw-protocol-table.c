/* vw-protocol-table.c: the message table.  One VwMessageSpec per
 * VwMessageType (wire name, who may send it, its fields) and for every field
 * a VwFieldSpec (name, kind, required, allowed values, nested members);
 * vw-protocol.c validates messages against it.  PROTOCOL.md documents the
 * same tables for people; keep the two in step. */
#define G_LOG_DOMAIN "vw-protocol"

#include "vw-protocol.h"
#include "vw-protocol-private.h"

#include <string.h>

#define REQUIRED TRUE
#define OPTIONAL FALSE

static const char * const track_direction_names[] = { "send", "recv", NULL };

static const VwFieldSpec hello_fields[] = {
  { "protocol", VW_FIELD_INT, REQUIRED },
  { "role", VW_FIELD_STRING, REQUIRED, vw_role_names },
  { "name", VW_FIELD_NONEMPTY_STRING, REQUIRED },
  { "province", VW_FIELD_STRING, REQUIRED },
  { "center", VW_FIELD_STRING, REQUIRED },
  { "token", VW_FIELD_NONEMPTY_STRING, OPTIONAL },
  /* Agents: the item codes they handle (strings; checked by the server
   * against the catalogue).  Absent: every item of their province. */
  { "items", VW_FIELD_ARRAY, OPTIONAL },
  /* The resume token of a participant whose connection was lost. */
  { "resume", VW_FIELD_NONEMPTY_STRING, OPTIONAL },
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
  { "total", VW_FIELD_NONNEG_INT, OPTIONAL },   /* waiting may list fewer */
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
  { "kind", VW_FIELD_STRING, REQUIRED, vw_track_kind_names },
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
  { "resume-token", VW_FIELD_NONEMPTY_STRING, OPTIONAL },   /* always sent */
  { "resumed", VW_FIELD_BOOL, OPTIONAL },
  { NULL }
};

static const char * const peer_network_state_names[] = {
  "reconnecting", "restored", NULL
};

static const VwFieldSpec peer_network_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "peer", VW_FIELD_STRING, REQUIRED },     /* the participant's peer id */
  { "state", VW_FIELD_STRING, REQUIRED, peer_network_state_names },
  { NULL }
};

static const VwFieldSpec media_restart_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { NULL }
};

/* ping: only the generic "id"; pong: its "ref" (absent if ping had no id). */
static const VwFieldSpec ping_fields[] = {
  { NULL }
};

static const VwFieldSpec pong_fields[] = {
  { "ref", VW_FIELD_ANY, OPTIONAL },
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
  { "resumed", VW_FIELD_BOOL, OPTIONAL },      /* the same session, after a resume */
  /* TURN servers (RTCIceServer objects) with credentials for this
   * participant; absent when the server has none ([turn]). */
  { "ice-servers", VW_FIELD_ARRAY, OPTIONAL },
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
  { "kind", VW_FIELD_STRING, REQUIRED, vw_track_kind_names },
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
  { "kind", VW_FIELD_STRING, REQUIRED, vw_track_kind_names },
  { NULL }
};

/* The most a sender should send on its track of @kind (never audio),
 * from the hub's bandwidth estimates (server/hub/vw-hub-bwe.c). */
static const char * const capped_kind_names[] = { "camera", "screen", "document", NULL };

static const VwFieldSpec bitrate_fields[] = {
  { "session", VW_FIELD_STRING, REQUIRED },
  { "kind", VW_FIELD_STRING, REQUIRED, capped_kind_names },
  { "max-bitrate", VW_FIELD_POS_INT, REQUIRED },   /* bits per second */
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

const VwMessageSpec vw_message_specs[VW_MSG_N_TYPES] = {
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
  [VW_MSG_PING] = { "ping", FROM (VW_FROM_CLIENT), ping_fields },
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
  [VW_MSG_PEER_NETWORK] = { "peer-network", FROM (VW_FROM_SERVER), peer_network_fields },
  [VW_MSG_MEDIA_RESTART] = { "media-restart", FROM (VW_FROM_SERVER), media_restart_fields },
  [VW_MSG_PONG] = { "pong", FROM (VW_FROM_SERVER), pong_fields },
  [VW_MSG_BITRATE] = { "bitrate", FROM (VW_FROM_SERVER), bitrate_fields },
  [VW_MSG_ICE] = { "ice", FROM (VW_FROM_CLIENT) | FROM (VW_FROM_SERVER), ice_fields },
};

const char *
vw_message_type_to_string (VwMessageType type)
{
  g_return_val_if_fail ((guint) type < VW_MSG_N_TYPES, NULL);
  return vw_message_specs[type].name;
}

gboolean
vw_message_type_lookup (const char *name, VwMessageType *out)
{
  for (guint i = 0; i < VW_MSG_N_TYPES; i++)
    {
      if (strcmp (vw_message_specs[i].name, name) == 0)
        {
          *out = (VwMessageType) i;
          return TRUE;
        }
    }
  return FALSE;
}
