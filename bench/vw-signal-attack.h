/* vw-signal-attack.h: what vw-bench-signal attacks a server with while it
 * measures: half-open connections (TCP connected, an HTTP request begun and
 * never finished) and one client that floods WebSocket messages and never
 * reads.  Runs in its own thread with blocking sockets, so the flood does
 * not take turns with the measured clients on the main loop. */
#pragma once

#include "vw-signal-server.h"

G_BEGIN_DECLS

typedef struct _VwSignalAttack VwSignalAttack;

/* Opens @n_half_open half-open connections to @s (from the same source
 * addresses as the clients), then floods until stopped.  Returns once the
 * half-open connections are made (or after 180 s). */
VwSignalAttack *vw_signal_attack_start (VwSignalServer *s, guint n_half_open);
/* Stops the flood (e.g. when the server's memory passed a cap); the
 * half-open connections stay until vw_signal_attack_free(). */
void            vw_signal_attack_stop_flood (VwSignalAttack *a);
guint           vw_signal_attack_half_open (VwSignalAttack *a);
/* Half-open connections the server has closed so far. */
guint           vw_signal_attack_half_open_closed (VwSignalAttack *a);
/* Bytes of flood the server took (the kernel accepted) so far. */
guint64         vw_signal_attack_flood_bytes (VwSignalAttack *a);
/* The flood's connection ended: the server closed it (or reset it). */
gboolean        vw_signal_attack_flood_cut (VwSignalAttack *a);
void            vw_signal_attack_free (VwSignalAttack *a);

G_END_DECLS
