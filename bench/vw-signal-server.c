/* vw-signal-server.c: the servers and clients of vw-bench-signal (see
 * vw-signal-server.h). */
#include "vw-signal-server.h"

#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

gboolean vw_signal_offer_deflate = TRUE;

/* ---- source addresses ---- */

GInetSocketAddress *
vw_signal_source_address (guint n)
{
  g_autofree char *ip = g_strdup_printf ("127.0.0.%u", 2 + n % VW_SIGNAL_N_SOURCES);
  g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (ip);
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (addr, 0));
}

/* One session per source address.  A session allows 2 connections per host
 * by default, and only as many handshakes at once: a burst of clients would
 * queue in the bench, not at the server.  No I/O time-out: it would close
 * an idle WebSocket that the server does not ping (Janus) after it.  The extension manager is what
 * makes libsoup offer permessage-deflate (a browser always does); a session
 * has none by default. */
static void
make_sessions (VwSignalServer *s)
{
  s->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < VW_SIGNAL_N_SOURCES; i++) {
    g_autoptr (GInetSocketAddress) local = vw_signal_source_address (i);
    SoupSession *session = soup_session_new_with_options ("local-address", local,
        "max-conns", 100000, "max-conns-per-host", 100000, "timeout", 0,
        "idle-timeout", 0, NULL);
    if (vw_signal_offer_deflate)
      soup_session_add_feature_by_type (session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
    g_ptr_array_add (s->sessions, session);
  }
}

/* ---- servers ---- */

VwSignalServer *
vw_signal_server_start_vw (const char *const *extra_args)
{
  VwSignalServer *s = g_new0 (VwSignalServer, 1);
  s->kind = VW_SIGNAL_VW;
  s->label = "vw-server";
  s->vw = vw_test_server_start (extra_args);
  s->ws_url = g_strdup (s->vw->ws_url);
  make_sessions (s);
  return s;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static guint16
free_port (GError **error)
{
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4,
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  if (!sock || !g_socket_bind (sock, any, FALSE, error))
    return 0;
  g_autoptr (GSocketAddress) bound = g_socket_get_local_address (sock, error);
  return bound ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

/* @name.in from @template_dir to @dir, @DIR@ and @PORT@ replaced. */
static gboolean
write_config (const char *template_dir, const char *dir, const char *name,
    guint16 port, GError **error)
{
  g_autofree char *in_name = g_strconcat (name, ".in", NULL);
  g_autofree char *in = g_build_filename (template_dir, in_name, NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (in, &text, NULL, error))
    return FALSE;
  g_autofree char *port_s = g_strdup_printf ("%u", port);
  g_auto (GStrv) a = g_strsplit (text, "@DIR@", -1);
  g_autofree char *t1 = g_strjoinv (dir, a);
  g_auto (GStrv) b = g_strsplit (t1, "@PORT@", -1);
  g_autofree char *t2 = g_strjoinv (port_s, b);
  g_autofree char *out = g_build_filename (dir, name, NULL);
  return g_file_set_contents (out, t2, -1, error);
}

/* Where Debian keeps Janus's plugins and transports (VW_JANUS_LIBDIR
 * overrides). */
static char *
janus_libdir (GError **error)
{
  const char *env = g_getenv ("VW_JANUS_LIBDIR");
  const char *candidates[] = { env, "/usr/lib/x86_64-linux-gnu/janus",
    "/usr/lib/aarch64-linux-gnu/janus", "/usr/lib/janus", "/opt/janus/lib/janus" };
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++) {
    if (!candidates[i])
      continue;
    g_autofree char *probe = g_build_filename (candidates[i], "plugins",
        "libjanus_videocall.so", NULL);
    if (g_file_test (probe, G_FILE_TEST_EXISTS))
      return g_strdup (candidates[i]);
  }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
      "Janus's VideoCall plugin (libjanus_videocall.so) is not installed"
      " (Debian package janus; or set VW_JANUS_LIBDIR)");
  return NULL;
}

/* The folder Janus runs from: its three configuration files and the
 * plugin and transport it may load, linked from @libdir. */
static gboolean
janus_folder (const char *template_dir, const char *dir, const char *libdir,
    guint16 port, GError **error)
{
  const char *subdirs[] = { "plugins", "transports", "events", "loggers" };
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++) {
    g_autofree char *sub = g_build_filename (dir, subdirs[i], NULL);
    g_mkdir (sub, 0700);
  }
  const char *links[][2] = {
    { "plugins", "libjanus_videocall.so" },
    { "transports", "libjanus_websockets.so" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (links); i++) {
    g_autofree char *target = g_build_filename (libdir, links[i][0], links[i][1], NULL);
    g_autofree char *link = g_build_filename (dir, links[i][0], links[i][1], NULL);
    if (symlink (target, link) != 0) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
          "cannot link %s: %s", link, g_strerror (errno));
      return FALSE;
    }
  }
  return write_config (template_dir, dir, "janus.jcfg", port, error)
      && write_config (template_dir, dir, "janus.transport.websockets.jcfg", port, error)
      && write_config (template_dir, dir, "janus.plugin.videocall.jcfg", port, error);
}

static void
on_janus_exited (GObject *src, GAsyncResult *res, gpointer data)
{
  VwSignalServer *s = data;
  g_subprocess_wait_finish (G_SUBPROCESS (src), res, NULL);
  s->exited = TRUE;
}

static gboolean
janus_listens (VwSignalServer *s)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = g_socket_client_connect_to_host (client,
      "127.0.0.1", s->port, NULL, NULL);
  return conn != NULL;
}

VwSignalServer *
vw_signal_server_start_janus (const char *template_dir, GError **error)
{
  g_autofree char *janus = g_find_program_in_path ("janus");
  if (!janus) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "janus is not installed (Debian package janus; scripts/install-deps.sh)");
    return NULL;
  }
  g_autofree char *libdir = janus_libdir (error);
  if (!libdir)
    return NULL;

  VwSignalServer *s = g_new0 (VwSignalServer, 1);
  s->kind = VW_SIGNAL_JANUS;
  s->label = "Janus";
  s->janus_dir = g_dir_make_tmp ("vw-bench-janus-XXXXXX", error);
  if (!s->janus_dir || !(s->port = free_port (error))
      || !janus_folder (template_dir, s->janus_dir, libdir, s->port, error)) {
    vw_signal_server_stop (s);
    return NULL;
  }
  g_autofree char *cfg = g_build_filename (s->janus_dir, "janus.jcfg", NULL);
  g_autofree char *log = g_build_filename (s->janus_dir, "janus.log", NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  s->janus = g_subprocess_launcher_spawn (launcher, error, janus, "-F", s->janus_dir,
      "-C", cfg, "-L", log, "-N", "-o", NULL);
  if (!s->janus) {
    vw_signal_server_stop (s);
    return NULL;
  }
  g_subprocess_wait_async (s->janus, NULL, on_janus_exited, s);
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!s->exited && !janus_listens (s) && g_get_monotonic_time () < deadline)
    vw_test_run_for (100);
  if (s->exited || g_get_monotonic_time () >= deadline) {
    g_autofree char *text = NULL;
    g_file_get_contents (log, &text, NULL, NULL);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Janus %s; its log:\n%s", s->exited ? "exited at start" : "did not listen within 15 s",
        text ? text : "(none)");
    vw_signal_server_stop (s);
    return NULL;
  }
  s->ws_url = g_strdup_printf ("ws://127.0.0.1:%u/", s->port);
  make_sessions (s);
  return s;
}

static gboolean
exited (gpointer data)
{
  return ((VwSignalServer *) data)->exited;
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      rm_rf (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

void
vw_signal_server_stop (VwSignalServer *s)
{
  if (s->vw)
    vw_test_server_stop (s->vw);
  if (s->janus) {
    if (!s->exited) {
      g_subprocess_send_signal (s->janus, SIGTERM);
      if (!vw_test_wait_until (exited, s, 10000)) {
        g_subprocess_force_exit (s->janus);
        vw_test_wait_until (exited, s, 5000);
      }
    }
    g_object_unref (s->janus);
  }
  if (s->janus_dir && !g_getenv ("VW_BENCH_KEEP"))
    rm_rf (s->janus_dir);
  else if (s->janus_dir)
    g_printerr ("Janus's folder (log: janus.log) kept: %s\n", s->janus_dir);
  g_free (s->janus_dir);
  g_clear_pointer (&s->sessions, g_ptr_array_unref);
  g_free (s->ws_url);
  g_free (s->offered);
  g_free (s);
}

const char *
vw_signal_server_pid (VwSignalServer *s)
{
  return g_subprocess_get_identifier (s->vw ? s->vw->proc : s->janus);
}

gint64
vw_signal_server_rss_kib (VwSignalServer *s)
{
  const char *pid = vw_signal_server_pid (s);
  if (!pid)
    return -1;
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  const char *line = strstr (text, "\nVmRSS:");
  return line ? g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10) : -1;
}

double
vw_signal_server_cpu_ms (VwSignalServer *s)
{
  const char *pid = vw_signal_server_pid (s);
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid ? pid : "0");
  g_autofree char *text = NULL;
  if (!pid || !g_file_get_contents (path, &text, NULL, NULL))
    return NAN;
  /* After "(comm)": state is field 3; utime and stime are 14 and 15. */
  const char *rest = strrchr (text, ')');
  g_auto (GStrv) fields = g_strsplit (rest ? rest + 2 : "", " ", 16);
  if (g_strv_length (fields) < 14)
    return NAN;
  double ticks = g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL);
  return ticks * 1000.0 / sysconf (_SC_CLK_TCK);
}

/* ---- clients ---- */

static void
finish (VwSignalClient *c, VwSignalState state, const char *why)
{
  if (c->state == VW_SIGNAL_REGISTERED || c->state == VW_SIGNAL_FAILED)
    return;
  c->state = state;
  if (state == VW_SIGNAL_REGISTERED)
    c->registered_us = g_get_monotonic_time ();
  else
    c->why = g_strdup (why);
  if (c->done)
    c->done (c, c->done_data);
}

void
vw_signal_client_send (VwSignalClient *c, const char *text)
{
  if (c->ws && soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (c->ws, text);
}

static void
janus_step (VwSignalClient *c, JsonObject *o)
{
  const char *janus = json_object_get_string_member_with_default (o, "janus", "");
  const char *tx = json_object_get_string_member_with_default (o, "transaction", "");
  if (g_str_equal (janus, "error")) {
    JsonObject *e = json_object_get_object_member (o, "error");
    finish (c, VW_SIGNAL_FAILED, e ? json_object_get_string_member_with_default (e,
        "reason", "error") : "error");
  } else if (g_str_equal (janus, "success") && c->state == VW_SIGNAL_CREATING
      && g_str_equal (tx, "c")) {
    c->janus_session = json_object_get_int_member (json_object_get_object_member (o, "data"), "id");
    g_autofree char *attach = g_strdup_printf ("{\"janus\":\"attach\",\"session_id\":%"
        G_GINT64_FORMAT ",\"plugin\":\"janus.plugin.videocall\",\"transaction\":\"a\"}",
        c->janus_session);
    c->state = VW_SIGNAL_ATTACHING;
    vw_signal_client_send (c, attach);
  } else if (g_str_equal (janus, "success") && c->state == VW_SIGNAL_ATTACHING
      && g_str_equal (tx, "a")) {
    c->janus_handle = json_object_get_int_member (json_object_get_object_member (o, "data"), "id");
    g_autofree char *reg = g_strdup_printf ("{\"janus\":\"message\",\"session_id\":%"
        G_GINT64_FORMAT ",\"handle_id\":%" G_GINT64_FORMAT ",\"transaction\":\"r\","
        "\"body\":{\"request\":\"register\",\"username\":\"%s\"}}",
        c->janus_session, c->janus_handle, c->hello);
    c->state = VW_SIGNAL_REGISTERING;
    vw_signal_client_send (c, reg);
  } else if (c->state == VW_SIGNAL_REGISTERED && c->on_message) {
    c->message = o;
    c->on_message (c, c->on_message_data);
    c->message = NULL;
  } else if (g_str_equal (janus, "event") && c->state == VW_SIGNAL_REGISTERING) {
    JsonObject *pd = json_object_get_object_member (o, "plugindata");
    JsonObject *data = pd ? json_object_get_object_member (pd, "data") : NULL;
    JsonObject *result = data && json_object_has_member (data, "result")
        ? json_object_get_object_member (data, "result") : NULL;
    if (result && g_strcmp0 (json_object_get_string_member_with_default (result,
        "event", ""), "registered") == 0)
      finish (c, VW_SIGNAL_REGISTERED, NULL);
    else if (data && json_object_has_member (data, "error"))
      finish (c, VW_SIGNAL_FAILED, json_object_get_string_member (data, "error"));
  }
}

static void
vw_step (VwSignalClient *c, JsonObject *o)
{
  const char *type = json_object_get_string_member_with_default (o, "type", "");
  if (c->state == VW_SIGNAL_HELLO && g_str_equal (type, "welcome"))
    finish (c, VW_SIGNAL_REGISTERED, NULL);
  else if (c->state == VW_SIGNAL_HELLO && g_str_equal (type, "error"))
    finish (c, VW_SIGNAL_FAILED, json_object_get_string_member_with_default (o,
        "code", "error"));
  else if (c->state == VW_SIGNAL_REGISTERED && c->on_message) {
    c->message = o;
    c->on_message (c, c->on_message_data);
    c->message = NULL;
  }
}

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *payload, VwSignalClient *c)
{
  /* Idle registered clerks only hear about agents; no need to parse. */
  if (c->state == VW_SIGNAL_REGISTERED && !c->on_message)
    return;
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (type != SOUP_WEBSOCKET_DATA_TEXT
      || !json_parser_load_from_data (parser, data, size, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  if (c->server->kind == VW_SIGNAL_JANUS)
    janus_step (c, o);
  else
    vw_step (c, o);
}

static void
on_closed (SoupWebsocketConnection *ws, VwSignalClient *c)
{
  c->closed = TRUE;
  finish (c, VW_SIGNAL_FAILED, "closed before registering");
}

static void
on_connected (GObject *src, GAsyncResult *res, gpointer data)
{
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (
      SOUP_SESSION (src), res, &error);
  if (!ws) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      VwSignalClient *c = data;
      c->closed = TRUE;
      finish (c, VW_SIGNAL_FAILED, error->message);
    }
    return;
  }
  VwSignalClient *c = data;
  c->ws = ws;
  VwSignalServer *s = c->server;
  s->n_connected++;
  for (GList *l = soup_websocket_connection_get_extensions (ws); l; l = l->next)
    if (SOUP_IS_WEBSOCKET_EXTENSION_DEFLATE (l->data))
      s->n_deflate++;
  g_signal_connect (ws, "message", G_CALLBACK (on_message), c);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), c);
  if (s->kind == VW_SIGNAL_JANUS) {
    c->state = VW_SIGNAL_CREATING;
    vw_signal_client_send (c, "{\"janus\":\"create\",\"transaction\":\"c\"}");
  } else {
    c->state = VW_SIGNAL_HELLO;
    vw_signal_client_send (c, c->hello);
  }
}

VwSignalClient *
vw_signal_client_start (VwSignalServer *s, const char *hello, VwSignalFunc done,
    gpointer data)
{
  VwSignalClient *c = g_new0 (VwSignalClient, 1);
  c->server = s;
  c->done = done;
  c->done_data = data;
  c->cancellable = g_cancellable_new ();
  c->started_us = g_get_monotonic_time ();
  if (hello)
    c->hello = g_strdup (hello);
  else if (s->kind == VW_SIGNAL_VW)
    c->hello = g_strdup_printf ("{\"type\":\"hello\",\"id\":1,"
        "\"protocol\":1,\"role\":\"clerk\",\"name\":\"办事员%u\",\"province\":\"zhejiang\","
        "\"center\":\"嘉善县行政服务中心\"}", s->next_name++);
  else
    c->hello = g_strdup_printf ("u%u", s->next_name++);
  SoupSession *session = g_ptr_array_index (s->sessions, s->next_source++ % s->sessions->len);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", s->ws_url);
  const char *janus_protocols[] = { "janus-protocol", NULL };
  soup_session_websocket_connect_async (session, msg, NULL,
      s->kind == VW_SIGNAL_JANUS ? (char **) janus_protocols : NULL,
      G_PRIORITY_DEFAULT, c->cancellable, on_connected, c);
  if (!s->offered)
    s->offered = g_strdup (soup_message_headers_get_one (
        soup_message_get_request_headers (msg), "Sec-WebSocket-Extensions"));
  return c;
}

double
vw_signal_client_ms (VwSignalClient *c)
{
  return (c->registered_us - c->started_us) / 1000.0;
}

void
vw_signal_client_free (VwSignalClient *c)
{
  g_cancellable_cancel (c->cancellable);
  if (c->ws) {
    g_signal_handlers_disconnect_by_data (c->ws, c);
    g_object_unref (c->ws);
  }
  g_object_unref (c->cancellable);
  g_free (c->hello);
  g_free (c->why);
  g_free (c);
}

static gboolean
all_closed (gpointer data)
{
  GPtrArray *clients = data;
  for (guint i = 0; i < clients->len; i++) {
    VwSignalClient *c = g_ptr_array_index (clients, i);
    if (c->ws && !c->closed)
      return FALSE;
  }
  return TRUE;
}

void
vw_signal_clients_close (GPtrArray *clients, guint timeout_ms)
{
  for (guint i = 0; i < clients->len; i++) {
    VwSignalClient *c = g_ptr_array_index (clients, i);
    c->done = NULL;
    c->on_message = NULL;
    if (c->ws && soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    else if (c->ws)
      c->closed = TRUE;
  }
  vw_test_wait_until (all_closed, clients, timeout_ms);
  for (guint i = 0; i < clients->len; i++)
    vw_signal_client_free (g_ptr_array_index (clients, i));
  g_ptr_array_set_size (clients, 0);
}
