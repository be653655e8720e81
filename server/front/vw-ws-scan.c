/* vw-ws-scan.c: request heads, then WebSocket frames (see vw-ws-scan.h). */
#include "vw-ws-scan.h"

#include <string.h>

/* A header line longer than this is not an Upgrade line we need to read
 * whole: only its start is kept for matching. */
#define LINE_KEPT 64

typedef enum {
  MODE_HTTP,       /* reading request heads, line by line */
  MODE_HEADER,     /* reading a frame header */
  MODE_PAYLOAD,    /* skipping a frame's payload */
  MODE_VIOLATED,   /* a limit was broken: nothing more is read */
} Mode;

struct _VwWsScan {
  VwWsScanLimits limits;
  Mode mode;
  /* MODE_HTTP */
  char line[LINE_KEPT];
  guint line_len;          /* bytes of the current line so far (capped) */
  gboolean line_empty;     /* nothing but "\r" in the current line yet */
  gboolean upgrade;        /* this head asked for a WebSocket */
  /* frames */
  guint8 header[14];
  guint header_len, header_need;
  guint64 remaining;       /* payload bytes of the current frame still to come */
  gboolean frame_fin, frame_data, frame_control;
  gboolean in_message;     /* a data message has begun and not ended */
  guint64 message_len;     /* its bytes so far (announced) */
  guint64 n_messages;
  gint64 incomplete_since;
  /* rate: a token bucket */
  double tokens;
  gint64 tokens_at;
};

VwWsScan *
vw_ws_scan_new (const VwWsScanLimits *limits)
{
  g_return_val_if_fail (limits != NULL, NULL);
  g_return_val_if_fail (limits->burst >= 1 && limits->rate > 0, NULL);

  VwWsScan *s = g_new0 (VwWsScan, 1);
  s->limits = *limits;
  s->mode = MODE_HTTP;
  s->line_empty = TRUE;
  s->tokens = limits->burst;
  return s;
}

void
vw_ws_scan_free (VwWsScan *scan)
{
  g_free (scan);
}

static gboolean
line_is_upgrade (const char *line, guint len)
{
  static const char name[] = "upgrade:";
  if (len < sizeof name - 1 || g_ascii_strncasecmp (line, name, sizeof name - 1) != 0)
    return FALSE;
  g_autofree char *value = g_ascii_strdown (line + sizeof name - 1, len - (sizeof name - 1));
  return strstr (value, "websocket") != NULL;
}

/* One byte of a request head; TRUE once the head of an upgrade ended. */
static gboolean
http_byte (VwWsScan *s, guint8 c)
{
  if (c == '\n') {
    gboolean end_of_head = s->line_empty;
    if (!end_of_head && line_is_upgrade (s->line, s->line_len))
      s->upgrade = TRUE;
    s->line_len = 0;
    s->line_empty = TRUE;
    if (end_of_head) {
      gboolean upgrade = s->upgrade;
      s->upgrade = FALSE;
      return upgrade;
    }
    return FALSE;
  }
  if (c != '\r')
    s->line_empty = FALSE;
  if (s->line_len < LINE_KEPT && c != '\r')
    s->line[s->line_len++] = (char) c;
  return FALSE;
}

static gboolean
take_token (VwWsScan *s, gint64 now_us)
{
  if (s->tokens_at)
    s->tokens = MIN (s->limits.burst,
        s->tokens + (double) (now_us - s->tokens_at) / G_USEC_PER_SEC * s->limits.rate);
  s->tokens_at = now_us;
  if (s->tokens < 1)
    return FALSE;
  s->tokens -= 1;
  return TRUE;
}

static void
start_header (VwWsScan *s)
{
  s->mode = MODE_HEADER;
  s->header_len = 0;
  s->header_need = 2;
}

/* The frame header is complete: check it against the limits. */
static VwWsScanVerdict
frame_begins (VwWsScan *s, gint64 now_us)
{
  guint8 opcode = s->header[0] & 0x0f;
  guint8 len7 = s->header[1] & 0x7f;
  guint64 len = len7;
  if (len7 == 126)
    len = ((guint64) s->header[2] << 8) | s->header[3];
  else if (len7 == 127)
    for (guint i = 2; i < 10; i++)
      len = (len << 8) | s->header[i];

  s->frame_fin = (s->header[0] & 0x80) != 0;
  s->frame_control = (opcode & 0x08) != 0;
  s->frame_data = opcode == 0x0 || opcode == 0x1 || opcode == 0x2;
  s->remaining = len;

  /* A new message or a control frame costs a token; a continuation does
   * not (it is part of a message already paid for). */
  if ((s->frame_control || opcode != 0x0) && !take_token (s, now_us))
    return VW_WS_SCAN_TOO_FAST;
  if (s->frame_data) {
    if (opcode != 0x0) {
      s->in_message = TRUE;
      s->message_len = 0;
    }
    /* Announced lengths are enough: a peer does not get to send the
     * bytes of a message that would be too big. */
    if (len > s->limits.max_message || s->message_len + len > s->limits.max_message)
      return VW_WS_SCAN_TOO_BIG;
    s->message_len += len;
  }
  return VW_WS_SCAN_OK;
}

static void
frame_ends (VwWsScan *s)
{
  if (s->frame_control)
    s->n_messages++;
  else if (s->frame_data && s->frame_fin) {
    s->n_messages++;
    s->in_message = FALSE;
    s->message_len = 0;
  }
  start_header (s);
  if (!s->in_message)
    s->incomplete_since = 0;
}

/* One header byte; a verdict once the header is complete. */
static VwWsScanVerdict
header_byte (VwWsScan *s, guint8 c, gint64 now_us)
{
  if (s->header_len == 0 && !s->incomplete_since)
    s->incomplete_since = now_us ? now_us : 1;
  s->header[s->header_len++] = c;
  if (s->header_len == 2) {
    guint8 len7 = s->header[1] & 0x7f;
    s->header_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0)
        + ((s->header[1] & 0x80) ? 4 : 0);
  }
  if (s->header_len < s->header_need)
    return VW_WS_SCAN_OK;
  VwWsScanVerdict v = frame_begins (s, now_us);
  if (v != VW_WS_SCAN_OK)
    return v;
  if (s->remaining == 0)
    frame_ends (s);
  else
    s->mode = MODE_PAYLOAD;
  return VW_WS_SCAN_OK;
}

VwWsScanVerdict
vw_ws_scan_feed (VwWsScan *s, const guint8 *data, gsize len, gint64 now_us,
    gsize *ok_len)
{
  g_return_val_if_fail (s != NULL, VW_WS_SCAN_OK);
  g_return_val_if_fail (data != NULL || len == 0, VW_WS_SCAN_OK);

  gsize i = 0;
  gsize frame_start = 0;      /* where the frame being read began in @data */
  VwWsScanVerdict v = VW_WS_SCAN_OK;

  if (s->mode == MODE_VIOLATED) {
    *ok_len = 0;
    return VW_WS_SCAN_TOO_BIG;   /* never reached in practice: see the guard */
  }
  while (i < len && v == VW_WS_SCAN_OK) {
    switch (s->mode) {
    case MODE_HTTP:
      if (http_byte (s, data[i]))
        start_header (s);
      i++;
      break;
    case MODE_HEADER:
      if (s->header_len == 0)
        frame_start = i;
      v = header_byte (s, data[i], now_us);
      i++;
      break;
    case MODE_PAYLOAD: {
      guint64 n = MIN ((guint64) (len - i), s->remaining);
      s->remaining -= n;
      i += n;
      if (s->remaining == 0)
        frame_ends (s);
      break;
    }
    case MODE_VIOLATED:
      g_assert_not_reached ();
    }
  }
  if (v != VW_WS_SCAN_OK) {
    s->mode = MODE_VIOLATED;
    *ok_len = frame_start;
    return v;
  }
  *ok_len = len;
  return VW_WS_SCAN_OK;
}

gboolean
vw_ws_scan_is_websocket (VwWsScan *scan)
{
  return scan->mode != MODE_HTTP;
}

guint64
vw_ws_scan_n_messages (VwWsScan *scan)
{
  return scan->n_messages;
}

gint64
vw_ws_scan_incomplete_since (VwWsScan *scan)
{
  return scan->incomplete_since;
}

const char *
vw_ws_scan_verdict_to_string (VwWsScanVerdict verdict)
{
  switch (verdict) {
  case VW_WS_SCAN_OK: return "ok";
  case VW_WS_SCAN_TOO_BIG: return "message-too-big";
  case VW_WS_SCAN_TOO_FAST: return "too-many-messages";
  }
  return "unknown";
}
