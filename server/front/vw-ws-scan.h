/* vw-ws-scan.h: what a client sends on one connection, read as it arrives,
 * before libsoup parses it: the HTTP request heads until one asks for a
 * WebSocket upgrade, then the WebSocket frames.  Pure logic (bytes and a
 * clock in, verdicts out), used by VwGuardStream and unit-tested alone.
 *
 * Why here and not in libsoup: libsoup 3.2 caps each frame
 * (max-incoming-payload-size) but not a message made of many
 * continuation frames, and has no rate limit; both must be enforced
 * before the bytes reach its buffers.
 *
 * The scanner never buffers: it remembers only where it is in the current
 * line or frame header.  A request head is recognised as an upgrade by a
 * header line "Upgrade: ...websocket..." (any case), as libsoup requires;
 * the bytes after that head's blank line are frames. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VwWsScan VwWsScan;

typedef struct {
  guint64 max_message;     /* bytes of one message, however fragmented */
  double rate;             /* messages (and control frames) per second... */
  double burst;            /* ...with this many at once */
} VwWsScanLimits;

typedef enum {
  VW_WS_SCAN_OK,
  VW_WS_SCAN_TOO_BIG,      /* a message over max_message: close 1009 */
  VW_WS_SCAN_TOO_FAST,     /* over the rate: close 1008 */
} VwWsScanVerdict;

VwWsScan       *vw_ws_scan_new (const VwWsScanLimits *limits);
void            vw_ws_scan_free (VwWsScan *scan);

/* Reads @len bytes that arrived at @now_us (monotonic).  On a violation,
 * *ok_len is how many of them come before the frame at fault (they may be
 * passed on); the scanner stays in violation and reads nothing more. */
VwWsScanVerdict vw_ws_scan_feed (VwWsScan *scan, const guint8 *data, gsize len,
                                 gint64 now_us, gsize *ok_len);

/* The request heads are over: frames from here on. */
gboolean        vw_ws_scan_is_websocket (VwWsScan *scan);
/* Complete messages (data and control) read so far. */
guint64         vw_ws_scan_n_messages (VwWsScan *scan);
/* When the frame or message still incomplete began to arrive (monotonic
 * µs), 0 when none is: a peer that starts one and stops is stalling. */
gint64          vw_ws_scan_incomplete_since (VwWsScan *scan);

const char     *vw_ws_scan_verdict_to_string (VwWsScanVerdict verdict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwWsScan, vw_ws_scan_free)

G_END_DECLS
