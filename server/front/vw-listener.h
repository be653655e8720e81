/* vw-listener.h: the front door.  vw-server's listening socket, accepted
 * by us rather than by SoupServer, so that what the internet can do to it
 * is bounded:
 *
 *  - connections: at most max_connections in all and max_per_address from
 *    one address; beyond that a new one is refused at once (HTTP: a 503);
 *  - accept never stops for good: when the process is out of file
 *    descriptors (EMFILE) accepting pauses, is said in the log and in
 *    /metrics, and resumes by itself;
 *  - time: a request must arrive whole within request_timeout_s of the
 *    connection opening (TLS handshake included) and within
 *    idle_timeout_s of the previous response; a WebSocket must send its
 *    first message within first_message_s and finish any message it began
 *    within stall_timeout_s; a peer that has not read what we wrote for
 *    slow_reader_s is let go;
 *  - WebSocket messages: bounded in size however fragmented and in rate
 *    (VwGuardStream, VwWsScan).
 *
 * Each accepted socket (wrapped in TLS when there is a certificate) is
 * wrapped in a VwGuardStream and handed to the SoupServer with
 * soup_server_accept_iostream (); the SoupServer itself listens nowhere.
 * Everything on the main context. */
#pragma once

#include <libsoup/soup.h>

#include "vw-ws-scan.h"

G_BEGIN_DECLS

typedef struct _VwListener VwListener;

typedef struct {
  guint max_connections;        /* in all; 0: from the file descriptor limit */
  guint max_per_address;
  guint request_timeout_s;
  guint idle_timeout_s;
  guint first_message_s;
  guint stall_timeout_s;
  guint slow_reader_s;
  guint backlog;                /* listen(2) backlog */
  VwWsScanLimits ws;
  GTlsCertificate *certificate; /* (nullable) serve TLS */
} VwListenerConfig;

/* The defaults (see README, "Security: what is bounded"). */
void        vw_listener_config_init (VwListenerConfig *config);

/* @soup: the server requests go to (borrowed; outlives the listener). */
VwListener *vw_listener_new (SoupServer *soup, const VwListenerConfig *config);
void        vw_listener_free (VwListener *listener);
/* Binds and listens on @address:@port (0: a free port). */
gboolean    vw_listener_listen (VwListener *listener, const char *address, int port,
                                GError **error);
/* "http://127.0.0.1:8080/" (https with a certificate).  (transfer full) */
char       *vw_listener_get_url (VwListener *listener);
/* The WebSocket handler's news: @msg's connection is now @ws. */
void        vw_listener_websocket_opened (VwListener *listener, SoupServerMessage *msg,
                                          SoupWebsocketConnection *ws);
/* Prometheus text: connections open, refused, closed by reason, accept
 * pauses. */
void        vw_listener_append_metrics (VwListener *listener, GString *out);
/* The connection limit in force (max_connections, or what the file
 * descriptor limit allows). */
guint       vw_listener_get_max_connections (VwListener *listener);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwListener, vw_listener_free)

G_END_DECLS
