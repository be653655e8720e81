/* vw-listener.c: accepting, admitting and timing out connections (see
 * vw-listener.h). */
#include "vw-listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "vw-admission.h"
#include "vw-guard-stream.h"

/* How long accepting pauses when the process is out of descriptors. */
#define ACCEPT_RETRY_MS 200
/* Connections accepted in one wake-up, so that a flood of connects does
 * not starve the rest of the main loop. */
#define ACCEPT_BATCH 64
/* After a WebSocket close frame (which says why), how long before the
 * socket is closed: the frame goes out at once; nothing the peer sends
 * meanwhile is read. */
#define CLOSE_GRACE_MS 500
/* What a connection refused for load is told (plain HTTP only). */
#define REFUSAL "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n" \
  "Content-Length: 0\r\nConnection: close\r\n\r\n"

#define CONN_KEY "vw-listener-conn"

typedef enum {
  CONN_REQUEST,     /* waiting for a whole request (the first, or after a
                     * response: see deadline) */
  CONN_HANDLING,    /* a request was read; the handler and response run */
  CONN_WEBSOCKET,
  CONN_CLOSING,     /* we closed it (or said why and close it soon) */
} ConnState;

typedef enum {
  CLOSE_REQUEST_TIMEOUT,
  CLOSE_IDLE_TIMEOUT,
  CLOSE_FIRST_MESSAGE,
  CLOSE_STALLED,
  CLOSE_SLOW_READER,
  CLOSE_TOO_BIG,
  CLOSE_TOO_FAST,
  N_CLOSE_REASONS
} CloseReason;

static const struct {
  const char *name;
  gushort code;           /* WebSocket close code; 0: shut the socket */
} close_reasons[N_CLOSE_REASONS] = {
  [CLOSE_REQUEST_TIMEOUT] = { "request-timeout", 0 },
  [CLOSE_IDLE_TIMEOUT] = { "idle-timeout", 0 },
  [CLOSE_FIRST_MESSAGE] = { "first-message-timeout", SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION },
  [CLOSE_STALLED] = { "stalled-message", SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION },
  [CLOSE_SLOW_READER] = { "slow-reader", 0 },
  [CLOSE_TOO_BIG] = { "message-too-big", SOUP_WEBSOCKET_CLOSE_TOO_BIG },
  [CLOSE_TOO_FAST] = { "too-many-messages", SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION },
};

typedef struct {
  VwListener *listener;
  char *address;                 /* the peer's IP, as text */
  GSocket *socket;               /* owned ref: to shut it */
  GSocketAddress *remote;        /* owned ref: carries CONN_KEY */
  VwGuardStream *guard;          /* weak: this record goes with it */
  SoupWebsocketConnection *ws;   /* weak pointer, once upgraded */
  ConnState state;
  gint64 deadline;               /* monotonic µs; 0: none */
  gint64 upgraded_at;
  guint served;                  /* responses finished */
  guint grace_id;                /* the close frame's grace (CONN_CLOSING) */
  gboolean left;                 /* counted out of the admission already */
} Conn;

struct _VwListener {
  SoupServer *soup;              /* borrowed */
  VwListenerConfig config;       /* certificate: owned ref */
  guint max_total;
  VwAdmission *admission;
  GSocket *socket;               /* the listening socket */
  GSocket *keepalive_pair[2];    /* see keep_connections_alive () */
  GSource *accept_source;        /* (nullable) NULL while paused */
  guint resume_id, sweep_id;
  gint64 paused_at;              /* monotonic µs; 0: accepting */
  GHashTable *conns;             /* Conn*, owned */
  gulong soup_handlers[3];
  /* counters for /metrics */
  guint64 n_accepted, n_pauses;
  guint64 n_refused[3];          /* by VwAdmissionVerdict */
  guint64 n_closed[N_CLOSE_REASONS];
};

void
vw_listener_config_init (VwListenerConfig *c)
{
  *c = (VwListenerConfig) {
    .max_connections = 0,
    .max_per_address = 128,
    .request_timeout_s = 15,
    .idle_timeout_s = 30,
    .first_message_s = 10,
    .stall_timeout_s = 30,
    .slow_reader_s = 30,
    .backlog = 1024,
    .ws = { .max_message = 1024 * 1024, .rate = 50, .burst = 200 },
  };
}

/* What the descriptor limit leaves for client connections: a quarter (at
 * least 64) stays for media sockets, recordings and the store. */
static guint
connections_allowed_by_fd_limit (void)
{
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return 65536;
  guint soft = MIN (rl.rlim_cur, (rlim_t) G_MAXINT);
  guint reserve = MAX (64, soft / 4);
  return soft > reserve + 16 ? soft - reserve : 16;
}

/* ------------------------------------------------------------------ */
/* Connections. */

static Conn *
conn_of_message (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  return remote ? g_object_get_data (G_OBJECT (remote), CONN_KEY) : NULL;
}

static void
conn_leave (Conn *c)
{
  if (!c->left)
    vw_admission_leave (c->listener->admission, c->address);
  c->left = TRUE;
}

/* Closes the socket itself: shutting it down is not enough, libsoup may
 * not be reading (a peer that floods would go on filling its buffer), and
 * the peer must see its connection gone.  libsoup's next read or write on
 * it fails and it lets go of the rest; the place is free at once. */
static void
conn_shut (Conn *c)
{
  g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
  g_socket_close (c->socket, NULL);
  vw_guard_stream_closed (c->guard);
  conn_leave (c);
}

static gboolean
grace_over (gpointer data)
{
  Conn *c = data;
  c->grace_id = 0;
  conn_shut (c);
  return G_SOURCE_REMOVE;
}

static void
conn_close (Conn *c, CloseReason reason)
{
  if (c->state == CONN_CLOSING)
    return;
  c->listener->n_closed[reason]++;
  g_debug ("closing the connection from %s: %s", c->address, close_reasons[reason].name);
  c->state = CONN_CLOSING;
  gushort code = close_reasons[reason].code;
  if (code && c->ws
      && soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
    /* Say why, then give the peer a moment to answer the close. */
    soup_websocket_connection_close (c->ws, code, close_reasons[reason].name);
    c->deadline = 0;
    c->grace_id = g_timeout_add (CLOSE_GRACE_MS, grace_over, c);
    return;
  }
  c->deadline = 0;
  conn_shut (c);
}

static void
on_violation (VwGuardStream *guard, VwWsScanVerdict verdict, gpointer data)
{
  Conn *c = data;
  conn_close (c, verdict == VW_WS_SCAN_TOO_FAST ? CLOSE_TOO_FAST : CLOSE_TOO_BIG);
}

static void
conn_gone (gpointer data, GObject *guard)
{
  Conn *c = data;
  VwListener *l = c->listener;
  conn_leave (c);
  g_clear_handle_id (&c->grace_id, g_source_remove);
  g_object_set_data (G_OBJECT (c->remote), CONN_KEY, NULL);
  if (c->ws)
    g_object_remove_weak_pointer (G_OBJECT (c->ws), (gpointer *) &c->ws);
  g_hash_table_remove (l->conns, c);
}

static void
conn_free (gpointer data)
{
  Conn *c = data;
  g_free (c->address);
  g_object_unref (c->socket);
  g_object_unref (c->remote);
  g_free (c);
}

/* One pass over the connections: deadlines, stalls, slow readers. */
static void
conn_check (Conn *c, gint64 now)
{
  VwListener *l = c->listener;
  const VwListenerConfig *cfg = &l->config;

  if (c->state == CONN_CLOSING)
    return;
  gint64 blocked = vw_guard_stream_blocked_since (c->guard);
  if (blocked && now - blocked >= (gint64) cfg->slow_reader_s * G_USEC_PER_SEC) {
    conn_close (c, CLOSE_SLOW_READER);
    return;
  }
  switch (c->state) {
  case CONN_REQUEST:
    if (c->deadline && now >= c->deadline)
      conn_close (c, c->served ? CLOSE_IDLE_TIMEOUT : CLOSE_REQUEST_TIMEOUT);
    break;
  case CONN_WEBSOCKET: {
    gint64 since = vw_guard_stream_incomplete_since (c->guard);
    if (vw_guard_stream_n_messages (c->guard) == 0
        && now - c->upgraded_at >= (gint64) cfg->first_message_s * G_USEC_PER_SEC)
      conn_close (c, CLOSE_FIRST_MESSAGE);
    else if (since && now - since >= (gint64) cfg->stall_timeout_s * G_USEC_PER_SEC)
      conn_close (c, CLOSE_STALLED);
    break;
  }
  case CONN_HANDLING:
  case CONN_CLOSING:
    break;
  }
}

static gboolean
sweep (gpointer data)
{
  VwListener *l = data;
  gint64 now = g_get_monotonic_time ();
  /* conn_check never frees a record (that waits for the guard to go),
   * so the table can be walked as it is. */
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, l->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    conn_check (key, now);
  return G_SOURCE_CONTINUE;
}

/* soup's news of a request on one of our connections. */
static void
on_request_read (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  Conn *c = conn_of_message (msg);
  if (c && c->state == CONN_REQUEST) {
    c->state = CONN_HANDLING;
    c->deadline = 0;
  }
}

static void
on_request_done (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  Conn *c = conn_of_message (msg);
  if (c && (c->state == CONN_HANDLING || c->state == CONN_REQUEST)) {
    c->state = CONN_REQUEST;
    c->served++;
    c->deadline = g_get_monotonic_time ()
        + (gint64) c->listener->config.idle_timeout_s * G_USEC_PER_SEC;
  }
}

void
vw_listener_websocket_opened (VwListener *l, SoupServerMessage *msg,
    SoupWebsocketConnection *ws)
{
  g_return_if_fail (l && msg && SOUP_IS_WEBSOCKET_CONNECTION (ws));
  Conn *c = conn_of_message (msg);
  if (!c || c->state == CONN_CLOSING)
    return;
  c->state = CONN_WEBSOCKET;
  c->deadline = 0;
  c->upgraded_at = g_get_monotonic_time ();
  c->ws = ws;
  g_object_add_weak_pointer (G_OBJECT (ws), (gpointer *) &c->ws);
}

/* ------------------------------------------------------------------ */
/* Accepting. */

static void
refuse (VwListener *l, GSocket *client, VwAdmissionVerdict verdict, const char *address)
{
  l->n_refused[verdict]++;
  g_debug ("refusing a connection from %s: %s", address,
      vw_admission_verdict_to_string (verdict));
  /* Best effort, never waiting: the kernel's buffer takes it or not. */
  if (!l->config.certificate)
    g_socket_send (client, REFUSAL, sizeof REFUSAL - 1, NULL, NULL);
  g_socket_close (client, NULL);
}

static void
admit (VwListener *l, GSocket *client)
{
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (client, NULL);
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (client, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (remote) || !local) {
    g_socket_close (client, NULL);   /* gone before we got to it */
    return;
  }
  g_autofree char *address = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  VwAdmissionVerdict verdict = vw_admission_enter (l->admission, address);
  if (verdict != VW_ADMISSION_OK) {
    refuse (l, client, verdict, address);
    return;
  }
  l->n_accepted++;
  g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  g_autoptr (GIOStream) base =
      G_IO_STREAM (g_socket_connection_factory_create_connection (client));
  if (l->config.certificate) {
    g_autoptr (GError) error = NULL;
    GIOStream *tls = g_tls_server_connection_new (base, l->config.certificate, &error);
    if (!tls) {
      g_warning ("TLS: %s", error->message);
      vw_admission_leave (l->admission, address);
      g_socket_close (client, NULL);
      return;
    }
    g_object_set (tls, "require-close-notify", FALSE, NULL);
    g_object_unref (base);
    base = tls;
  }
  g_autoptr (VwGuardStream) guard = vw_guard_stream_new (base, &l->config.ws);
  Conn *c = g_new0 (Conn, 1);
  c->listener = l;
  c->address = g_steal_pointer (&address);
  c->socket = g_object_ref (client);
  c->remote = g_object_ref (remote);
  c->guard = guard;
  c->state = CONN_REQUEST;
  c->deadline = g_get_monotonic_time () + (gint64) l->config.request_timeout_s * G_USEC_PER_SEC;
  g_hash_table_add (l->conns, c);
  g_object_set_data (G_OBJECT (remote), CONN_KEY, c);
  g_object_weak_ref (G_OBJECT (guard), conn_gone, c);
  vw_guard_stream_set_violation_func (guard, on_violation, c);
  soup_server_accept_iostream (l->soup, G_IO_STREAM (guard), local, remote, NULL);
}

static gboolean on_acceptable (GSocket *socket, GIOCondition condition, gpointer data);

static void
watch_accept (VwListener *l)
{
  l->accept_source = g_socket_create_source (l->socket, G_IO_IN, NULL);
  g_source_set_callback (l->accept_source, G_SOURCE_FUNC (on_acceptable), l, NULL);
  g_source_attach (l->accept_source, NULL);
}

static gboolean
resume_accepting (gpointer data)
{
  VwListener *l = data;
  l->resume_id = 0;
  watch_accept (l);
  return G_SOURCE_REMOVE;
}

/* Out of descriptors (or kernel memory): the connection waits in the
 * backlog; try again shortly instead of spinning on it or giving up. */
static void
pause_accepting (VwListener *l, const GError *error)
{
  if (!l->paused_at) {
    l->paused_at = g_get_monotonic_time ();
    l->n_pauses++;
    g_warning ("cannot accept connections: %s; accepting paused, retried every %d ms",
        error->message, ACCEPT_RETRY_MS);
  }
  g_source_destroy (l->accept_source);
  g_clear_pointer (&l->accept_source, g_source_unref);
  l->resume_id = g_timeout_add (ACCEPT_RETRY_MS, resume_accepting, l);
}

static void
accepted_again (VwListener *l)
{
  if (!l->paused_at)
    return;
  g_message ("accepting connections again after %.1f s paused",
      (g_get_monotonic_time () - l->paused_at) / (double) G_USEC_PER_SEC);
  l->paused_at = 0;
}

static gboolean
is_exhaustion (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static gboolean
on_acceptable (GSocket *socket, GIOCondition condition, gpointer data)
{
  VwListener *l = data;
  for (guint i = 0; i < ACCEPT_BATCH; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GSocket) client = g_socket_accept (l->socket, NULL, &error);
    if (client) {
      accepted_again (l);
      admit (l, client);
      continue;
    }
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      break;
    if (is_exhaustion (error)) {
      pause_accepting (l, error);
      return G_SOURCE_REMOVE;   /* the source is gone already */
    }
    g_debug ("accept: %s", error->message);   /* that one connection only */
  }
  return G_SOURCE_CONTINUE;
}

/* libsoup keeps a connection alive after a response only while the
 * SoupServer has a listener of its own (soup_server_message_io_finished).
 * It gets one that can never accept anything: one end of a socket pair
 * whose other end we hold and never write to. */
static void
keep_connections_alive (VwListener *l)
{
  int fds[2];
  g_autoptr (GError) error = NULL;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    g_warning ("socketpair: %s: every connection closes after one response",
        g_strerror (errno));
    return;
  }
  for (guint i = 0; i < 2; i++)
    l->keepalive_pair[i] = g_socket_new_from_fd (fds[i], NULL);
  if (!l->keepalive_pair[0] || !l->keepalive_pair[1]
      || !soup_server_listen_socket (l->soup, l->keepalive_pair[0], 0, &error))
    g_warning ("%s: every connection closes after one response",
        error ? error->message : "socketpair");
}

/* ------------------------------------------------------------------ */

VwListener *
vw_listener_new (SoupServer *soup, const VwListenerConfig *config)
{
  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);
  g_return_val_if_fail (config && config->max_per_address > 0, NULL);

  VwListener *l = g_new0 (VwListener, 1);
  l->soup = soup;
  l->config = *config;
  if (config->certificate)
    g_object_ref (config->certificate);
  l->max_total = config->max_connections ? config->max_connections
      : connections_allowed_by_fd_limit ();
  l->admission = vw_admission_new (l->max_total, config->max_per_address);
  l->conns = g_hash_table_new_full (NULL, NULL, conn_free, NULL);
  l->soup_handlers[0] = g_signal_connect (soup, "request-read", G_CALLBACK (on_request_read), l);
  l->soup_handlers[1] = g_signal_connect (soup, "request-finished", G_CALLBACK (on_request_done), l);
  l->soup_handlers[2] = g_signal_connect (soup, "request-aborted", G_CALLBACK (on_request_done), l);
  l->sweep_id = g_timeout_add_seconds (1, sweep, l);
  keep_connections_alive (l);
  return l;
}

void
vw_listener_free (VwListener *l)
{
  if (!l)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (l->soup_handlers); i++)
    g_signal_handler_disconnect (l->soup, l->soup_handlers[i]);
  if (l->accept_source) {
    g_source_destroy (l->accept_source);
    g_source_unref (l->accept_source);
  }
  g_clear_handle_id (&l->resume_id, g_source_remove);
  g_clear_handle_id (&l->sweep_id, g_source_remove);
  /* Connections still open outlive us in libsoup: forget them. */
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, l->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    Conn *c = key;
    g_clear_handle_id (&c->grace_id, g_source_remove);
    g_object_weak_unref (G_OBJECT (c->guard), conn_gone, c);
    vw_guard_stream_set_violation_func (c->guard, NULL, NULL);
    g_object_set_data (G_OBJECT (c->remote), CONN_KEY, NULL);
    if (c->ws)
      g_object_remove_weak_pointer (G_OBJECT (c->ws), (gpointer *) &c->ws);
  }
  g_hash_table_unref (l->conns);
  vw_admission_free (l->admission);
  if (l->socket)
    g_socket_close (l->socket, NULL);
  g_clear_object (&l->socket);
  g_clear_object (&l->keepalive_pair[0]);
  g_clear_object (&l->keepalive_pair[1]);
  g_clear_object (&l->config.certificate);
  g_free (l);
}

gboolean
vw_listener_listen (VwListener *l, const char *address, int port, GError **error)
{
  g_return_val_if_fail (l && address && !l->socket, FALSE);

  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  if (!inet) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is not an IP address", address);
    return FALSE;
  }
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (inet, port);
  g_autoptr (GSocket) socket = g_socket_new (g_inet_address_get_family (inet),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (!socket)
    return FALSE;
  g_socket_set_blocking (socket, FALSE);   /* accept until it would block */
  g_socket_set_listen_backlog (socket, l->config.backlog);
  if (!g_socket_bind (socket, sa, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;
  l->socket = g_steal_pointer (&socket);
  watch_accept (l);
  return TRUE;
}

char *
vw_listener_get_url (VwListener *l)
{
  g_return_val_if_fail (l && l->socket, NULL);
  g_autoptr (GSocketAddress) sa = g_socket_get_local_address (l->socket, NULL);
  if (!sa)
    return NULL;
  GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (sa);
  g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (isa));
  gboolean v6 = g_inet_address_get_family (g_inet_socket_address_get_address (isa))
      == G_SOCKET_FAMILY_IPV6;
  return g_strdup_printf ("%s://%s%s%s:%u/", l->config.certificate ? "https" : "http",
      v6 ? "[" : "", host, v6 ? "]" : "", g_inet_socket_address_get_port (isa));
}

guint
vw_listener_get_max_connections (VwListener *l)
{
  g_return_val_if_fail (l, 0);
  return l->max_total;
}

static void
metric (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
vw_listener_append_metrics (VwListener *l, GString *out)
{
  g_return_if_fail (l && out);

  metric (out, "vw_connections_open", "gauge", "Client connections open now (HTTP and WebSocket).");
  g_string_append_printf (out, "vw_connections_open %u\n", vw_admission_count (l->admission));
  metric (out, "vw_connections_limit", "gauge", "Client connections allowed at once.");
  g_string_append_printf (out, "vw_connections_limit %u\n", l->max_total);
  metric (out, "vw_connections_accepted_total", "counter", "Client connections accepted.");
  g_string_append_printf (out, "vw_connections_accepted_total %" G_GUINT64_FORMAT "\n",
      l->n_accepted);
  metric (out, "vw_connections_refused_total", "counter",
      "Client connections refused at once, by the limit they met.");
  for (guint v = VW_ADMISSION_SERVER_FULL; v <= VW_ADMISSION_ADDRESS_FULL; v++)
    g_string_append_printf (out, "vw_connections_refused_total{limit=\"%s\"} %"
        G_GUINT64_FORMAT "\n", vw_admission_verdict_to_string (v), l->n_refused[v]);
  metric (out, "vw_connections_closed_total", "counter",
      "Client connections closed by the server for a limit, by reason.");
  for (guint r = 0; r < N_CLOSE_REASONS; r++)
    g_string_append_printf (out, "vw_connections_closed_total{reason=\"%s\"} %"
        G_GUINT64_FORMAT "\n", close_reasons[r].name, l->n_closed[r]);
  metric (out, "vw_accept_paused", "gauge",
      "1 while accepting is paused for want of file descriptors.");
  g_string_append_printf (out, "vw_accept_paused %d\n", l->paused_at ? 1 : 0);
  metric (out, "vw_accept_pauses_total", "counter",
      "Times accepting paused for want of file descriptors.");
  g_string_append_printf (out, "vw_accept_pauses_total %" G_GUINT64_FORMAT "\n", l->n_pauses);
}
