/* vw-protocol-names.c: the wire names of the protocol's error codes, roles
 * and track kinds, and the provinces with their display names (see
 * vw-protocol.h).  The message types' names are in the message table,
 * vw-protocol-table.c. */
#define G_LOG_DOMAIN "vw-protocol"

#include "vw-protocol.h"
#include "vw-protocol-private.h"

#include <string.h>

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
  [VW_PROTOCOL_ERROR_TOO_MANY_WAITING] = "too-many-waiting",
  [VW_PROTOCOL_ERROR_TOO_MANY_ATTEMPTS] = "too-many-attempts",
  [VW_PROTOCOL_ERROR_BAD_RESUME] = "bad-resume",
  [VW_PROTOCOL_ERROR_INTERNAL] = "internal",
};

/* NULL-terminated so they double as "allowed values" lists in field specs. */
const char * const vw_role_names[] = {
  [VW_ROLE_AGENT] = "agent",
  [VW_ROLE_CLERK] = "clerk",
  [VW_ROLE_SUPERVISOR] = "supervisor",
  NULL
};

const char * const vw_track_kind_names[] = {
  [VW_TRACK_AUDIO] = "audio",
  [VW_TRACK_CAMERA] = "camera",
  [VW_TRACK_SCREEN] = "screen",
  [VW_TRACK_DOCUMENT] = "document",
  [VW_TRACK_N_KINDS] = NULL
};

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
int
vw_protocol_lookup_name (const char * const *names, const char *s)
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
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (vw_role_names) - 1, NULL);
  return vw_role_names[role];
}

gboolean
vw_role_from_string (const char *s, VwRole *out)
{
  int i = vw_protocol_lookup_name (vw_role_names, s);
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
  return vw_track_kind_names[kind];
}

gboolean
vw_track_kind_from_string (const char *s, VwTrackKind *out)
{
  int i = vw_protocol_lookup_name (vw_track_kind_names, s);
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
