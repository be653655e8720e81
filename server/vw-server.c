/* vw-server: signalling, pairing and the media hub in one process.
 *
 *   vw-server --port 8443 --data-dir /var/lib/virtual-window
 *
 * Prints "listening on http://HOST:PORT/" once it accepts connections.
 */
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

#include "vw-api.h"
#include "vw-broker.h"
#include "vw-recordings.h"
#include "vw-media.h"
#include "vw-program.h"
#include "vw-static.h"

typedef struct {
  GMainLoop *loop;
  VwBroker *broker;
} Server;

static void
on_websocket (SoupServer *soup, SoupServerMessage *msg, const char *path,
    SoupWebsocketConnection *ws, gpointer user_data)
{
  Server *server = user_data;
  vw_broker_add_websocket (server->broker, ws);
}

static void
send_json (SoupServerMessage *msg, guint status, JsonObject *body)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), body);
  g_autofree char *text = json_to_string (node, FALSE);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
      text, strlen (text));
}

static void
on_api_status (SoupServer *soup, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  Server *server = user_data;
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET) {
    g_autoptr (JsonObject) err = json_object_new ();
    json_object_set_string_member (err, "error", "method-not-allowed");
    send_json (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, err);
    return;
  }
  g_autoptr (JsonObject) status = vw_broker_get_status (server->broker);
  send_json (msg, SOUP_STATUS_OK, status);
}

static gboolean
on_signal (gpointer user_data)
{
  Server *server = user_data;
  g_message ("shutting down");
  vw_broker_shutdown (server->broker);
  g_main_loop_quit (server->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
ensure_data_dir (const char *dir, GError **error)
{
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int errsv = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
        "cannot create data directory %s: %s", dir, g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

static gboolean
listen (SoupServer *soup, const char *address, int port, GError **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  if (!inet) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is not an IP address", address);
    return FALSE;
  }
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (inet, port);
  return soup_server_listen (soup, sa, 0, error);
}

static void
print_urls (SoupServer *soup)
{
  GSList *uris = soup_server_get_uris (soup);
  for (GSList *l = uris; l; l = l->next) {
    g_autofree char *s = g_uri_to_string (l->data);
    g_print ("listening on %s\n", s);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

int
main (int argc, char **argv)
{
  int port = 8080;
  /* GOption replaces string defaults without freeing them: start at NULL. */
  g_autofree char *address = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *ice_address = NULL;
  g_autofree char *web_dir = NULL;
  int latency = 20;
  gboolean no_record = FALSE;
  int chunk_seconds = 10;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port (0 picks a free one)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address, "Address to listen on", "IP" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, "Directory for the store and recordings", "DIR" },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING, &ice_address, "Offer media only on this local IP address", "IP" },
    { "hub-latency", 0, 0, G_OPTION_ARG_INT, &latency, "Jitter buffer of the hub, ms (default 20)", "MS" },
    { "no-record", 0, 0, G_OPTION_ARG_NONE, &no_record, "Do not record sessions (benchmarks only)", NULL },
    { "chunk-seconds", 0, 0, G_OPTION_ARG_INT, &chunk_seconds, "Longest recording chunk, s (1..10, default 10)", "S" },
    { "web-dir", 0, 0, G_OPTION_ARG_FILENAME, &web_dir, "Directory of the web pages (default: the source tree's web/)", "DIR" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  if (!vw_program_parse_options ("vw-server", "- virtual-window signalling server and media hub", entries, &argc, &argv))
    return 2;
  if (!address)
    address = g_strdup ("0.0.0.0");
  if (!data_dir)
    data_dir = g_strdup ("vw-data");
  if (port < 0 || port > 65535 || latency < 0 || latency > 1000
      || chunk_seconds < 1 || chunk_seconds > 10) {
    g_printerr ("vw-server: --port must be 0..65535, --hub-latency 0..1000 and "
        "--chunk-seconds 1..10\n");
    return 2;
  }
  /* The pages: a --web-dir that is not a directory is a bad option; a
   * missing default (a build moved away from its sources) only a warning. */
  g_autoptr (VwStatic) web = vw_static_new (web_dir ? web_dir : VW_SOURCE_WEB_DIR, &error);
  if (!web && web_dir) {
    g_printerr ("vw-server: --web-dir: %s\n", error->message);
    return 2;
  }
  if (!web) {
    g_message ("not serving web pages: %s", error->message);
    g_clear_error (&error);
  }
  if (!ensure_data_dir (data_dir, &error)) {
    g_printerr ("vw-server: %s\n", error->message);
    return 1;
  }

  /* Warm the media stack before accepting anyone, so the first call does
   * not wait for the DTLS certificate. */
  gboolean warm = FALSE;
  vw_media_prewarm (set_flag, &warm);
  while (!warm)
    g_main_context_iteration (NULL, TRUE);

  g_autofree char *db = g_build_filename (data_dir, "virtual-window.db", NULL);
  g_autoptr (VwStore) store = vw_store_open (db, &error);
  if (!store) {
    g_printerr ("vw-server: %s\n", error->message);
    return 1;
  }
  /* Sessions a crash left open are over: say so, once. */
  guint interrupted = 0;
  if (!vw_store_mark_open_sessions_interrupted (store, g_get_real_time () / 1000,
          &interrupted, &error)) {
    g_printerr ("vw-server: %s\n", error->message);
    return 1;
  }
  if (interrupted)
    g_message ("%u session(s) left open by an earlier run marked interrupted", interrupted);
  /* ... and what their recordings wrote before the crash is indexed. */
  g_autoptr (VwRecordings) recovery = vw_recordings_new (store, data_dir);
  guint recovered = 0;
  if (!vw_recordings_recover (recovery, &recovered, &error)) {
    g_printerr ("vw-server: recovering recordings: %s\n", error->message);
    return 1;
  }
  if (recovered)
    g_message ("%u recorded chunk(s) left by an earlier run indexed", recovered);

  /* The HTTP API signs its tokens with a key kept in the data directory. */
  VwApiContext api = {
    .store = store,
    .data_dir = data_dir,
    .token_lifetime_s = VW_TOKEN_DEFAULT_LIFETIME_S,
  };
  if (!vw_token_load_key (data_dir, api.token_key, &error)) {
    g_printerr ("vw-server: %s\n", error->message);
    return 1;
  }

  VwBrokerConfig config = {
    .hub_latency_ms = latency,
    .ice_address = ice_address,
    .data_dir = data_dir,
    .store = store,
    .record = !no_record,
    .token_key = api.token_key,
    .chunk_seconds = chunk_seconds,
  };
  Server server = { 0 };
  server.loop = g_main_loop_new (NULL, FALSE);
  server.broker = vw_broker_new (&config);

  g_autoptr (SoupServer) soup = soup_server_new ("server-header", "vw-server", NULL);
  soup_server_add_websocket_handler (soup, "/ws", NULL, NULL, on_websocket,
      &server, NULL);
  soup_server_add_handler (soup, "/api/status", on_api_status, &server, NULL);
  vw_api_register (soup, &api);   /* the rest of /api/ */
  if (web)   /* everything else: the pages under web/ */
    vw_static_register (web, soup);
  /* Signals are handled before the URL is printed: whoever starts us may
   * stop us as soon as it has read it. */
  g_unix_signal_add (SIGINT, on_signal, &server);
  g_unix_signal_add (SIGTERM, on_signal, &server);
  if (!listen (soup, address, port, &error)) {
    g_printerr ("vw-server: cannot listen on %s:%d: %s\n", address, port,
        error->message);
    return 1;
  }
  print_urls (soup);
  g_main_loop_run (server.loop);

  /* Let the close frames go out before the sockets are torn down. */
  for (int i = 0; i < 20 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  soup_server_disconnect (soup);
  vw_broker_free (server.broker);
  g_main_loop_unref (server.loop);
  return 0;
}
