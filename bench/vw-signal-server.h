/* vw-signal-server.h: the servers vw-bench-signal measures, and the
 * browser-like clients that register with them.
 *
 * A server is a vw-server (clerks register with `hello` until `welcome`) or
 * Debian's Janus 1.1.2 with only its WebSocket transport and the VideoCall
 * plugin (a client registers with `create`, `attach` janus.plugin.videocall
 * and the plugin's `register` until the `registered` event).  Both listen
 * on 127.0.0.1 only.
 *
 * Clients are libsoup WebSocket connections that offer permessage-deflate as
 * browsers do, all on the default main context, spread over the source
 * addresses 127.0.0.2 ... 127.0.0.254 (one SoupSession each) as if from many
 * machines, not one.
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "vw-test-util.h"

G_BEGIN_DECLS

typedef enum {
  VW_SIGNAL_VW,
  VW_SIGNAL_JANUS,
} VwSignalKind;

typedef struct {
  VwSignalKind kind;
  const char *label;
  VwTestServer *vw;            /* VW_SIGNAL_VW */
  GSubprocess *janus;          /* VW_SIGNAL_JANUS */
  char *janus_dir;
  gboolean exited;             /* Janus has exited */
  guint16 port;
  char *ws_url;
  GPtrArray *sessions;         /* SoupSession*, one per source address */
  guint next_source;
  guint next_name;             /* for unique Janus user names */
  guint n_connected;           /* WebSocket handshakes done */
  guint n_deflate;             /* of which permessage-deflate was agreed */
  char *offered;               /* Sec-WebSocket-Extensions of the first offer */
} VwSignalServer;

/* Whether the clients offer permessage-deflate (TRUE, as browsers do). */
extern gboolean vw_signal_offer_deflate;

/* How many source addresses the clients use (127.0.0.2 and on). */
#define VW_SIGNAL_N_SOURCES 253

/* The @n-th source address, modulo VW_SIGNAL_N_SOURCES, port 0. */
GInetSocketAddress *vw_signal_source_address (guint n);

/* vw-server (VW_SERVER in the environment) with @extra_args (nullable).
 * Fails (g_assert) if it does not start. */
VwSignalServer *vw_signal_server_start_vw (const char *const *extra_args);
/* Janus from PATH with configuration from @template_dir, on a free port;
 * NULL and @error if it is missing or does not listen within 15 s. */
VwSignalServer *vw_signal_server_start_janus (const char *template_dir,
                                              GError **error);
void            vw_signal_server_stop (VwSignalServer *s);
const char     *vw_signal_server_pid (VwSignalServer *s);
/* The server process's resident memory (VmRSS), KiB; -1 if unknown. */
gint64          vw_signal_server_rss_kib (VwSignalServer *s);
/* The CPU time the server process has used (user + system, all threads),
 * ms; NAN if unknown. */
double          vw_signal_server_cpu_ms (VwSignalServer *s);

typedef enum {
  VW_SIGNAL_CONNECTING,
  VW_SIGNAL_HELLO,             /* vw: hello sent */
  VW_SIGNAL_CREATING,          /* Janus: create sent */
  VW_SIGNAL_ATTACHING,
  VW_SIGNAL_REGISTERING,
  VW_SIGNAL_REGISTERED,
  VW_SIGNAL_FAILED,
} VwSignalState;

typedef struct _VwSignalClient VwSignalClient;
typedef void (*VwSignalFunc) (VwSignalClient *c, gpointer data);

struct _VwSignalClient {
  VwSignalServer *server;
  SoupWebsocketConnection *ws;
  GCancellable *cancellable;
  VwSignalState state;
  char *why;                   /* when failed */
  gint64 started_us;           /* monotonic */
  gint64 registered_us;
  gint64 janus_session, janus_handle;
  char *hello;                 /* vw: the hello to send; Janus: the user name */
  VwSignalFunc done;           /* registered or failed */
  gpointer done_data;
  VwSignalFunc on_message;     /* after registration: each message */
  gpointer on_message_data;
  JsonObject *message;         /* the one on_message is called for */
  gboolean closed;
};

/* Connects and registers: a clerk on a vw-server (@hello NULL: a clerk's
 * hello with a made-up name; else the hello to send), a VideoCall user on
 * Janus (@hello: the user name; NULL: a made-up one).  Calls @done
 * (nullable) once registered or failed; @on_message, if set, then gets each
 * message. */
VwSignalClient *vw_signal_client_start (VwSignalServer *s, const char *hello,
                                        VwSignalFunc done, gpointer data);
void            vw_signal_client_send (VwSignalClient *c, const char *text);
/* The registration time in ms (registered clients). */
double          vw_signal_client_ms (VwSignalClient *c);
/* Closes every client of @clients, waits up to @timeout_ms for the closes and
 * frees them; @clients is emptied. */
void            vw_signal_clients_close (GPtrArray *clients, guint timeout_ms);
void            vw_signal_client_free (VwSignalClient *c);

G_END_DECLS
