/* vw-guard-stream.h: a GIOStream that stands between a client's socket
 * (or its TLS connection) and libsoup, and watches what passes:
 *
 *  - in: the bytes are read by a VwWsScan; on a violation (a WebSocket
 *    message too big however fragmented, messages too fast) the bytes of
 *    the offending frame are never handed to libsoup and nothing more is
 *    read (they wait in the kernel's buffer, bounded, costing nothing)
 *    until the owner closes the socket; the owner is told once, from an
 *    idle callback on the stream's main context (never from inside
 *    libsoup's read);
 *  - out: how long a write has been waiting for the peer to read, so a
 *    reader that does not keep up can be let go.
 *
 * Both directions stay pollable (libsoup reads and writes non-blocking).
 * Everything on the main context that libsoup runs on. */
#pragma once

#include <gio/gio.h>

#include "vw-ws-scan.h"

G_BEGIN_DECLS

#define VW_TYPE_GUARD_STREAM (vw_guard_stream_get_type ())
G_DECLARE_FINAL_TYPE (VwGuardStream, vw_guard_stream, VW, GUARD_STREAM, GIOStream)

typedef void (*VwGuardViolationFunc) (VwGuardStream *guard, VwWsScanVerdict verdict,
                                      gpointer user_data);

/* (transfer full) */
VwGuardStream *vw_guard_stream_new (GIOStream *base, const VwWsScanLimits *limits);
/* @func is called at most once, after the read that found the violation
 * has returned. */
void           vw_guard_stream_set_violation_func (VwGuardStream *guard,
                                                   VwGuardViolationFunc func,
                                                   gpointer user_data);
/* The socket beneath was closed (by the owner, for a limit): a reader
 * parked since the violation is woken and reads the end. */
void           vw_guard_stream_closed (VwGuardStream *guard);
gboolean       vw_guard_stream_is_websocket (VwGuardStream *guard);
guint64        vw_guard_stream_n_messages (VwGuardStream *guard);
gint64         vw_guard_stream_incomplete_since (VwGuardStream *guard);
/* Since when (monotonic µs) a write has found the peer's window full and
 * nothing was written since; 0 when the last write went out. */
gint64         vw_guard_stream_blocked_since (VwGuardStream *guard);

G_END_DECLS
