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

#include "vw-json-write.h"
#include "vw-api.h"
#include "vw-broker.h"
#include "vw-recordings.h"
#include "vw-config.h"
#include "vw-turn.h"
#include "vw-media.h"
#include "vw-metrics.h"
#include "vw-program.h"
#include "vw-static.h"
#include "vw-store-items.h"
#include "vw-store-appointments.h"
#include "vw-store-follow-ups.h"
#include "vw-holidays.h"
#include "vw-listener.h"

#include <sys/resource.h>

typedef struct {
  GMainLoop *loop;
  VwBroker *broker;
  VwApiContext *api;   /* borrowed: tokens for /api/desk/agents */
  VwListener *listener;
  gboolean tls;
} Server;

static void
on_websocket (SoupServer *soup, SoupServerMessage *msg, const char *path,
    SoupWebsocketConnection *ws, gpointer user_data)
{
  Server *server = user_data;
  vw_listener_websocket_opened (server->listener, msg, ws);
  vw_broker_add_websocket (server->broker, ws, soup_server_message_get_remote_host (msg));
}

static void
send_json (SoupServerMessage *msg, guint status, JsonObject *body)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), body);
  g_autofree char *text = vw_json_to_string (node);
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

/* GET /api/desk/agents: who is signed in as an agent now and in what
 * state, for the console's transfer and invite choices.  Agents and
 * supervisors only (the names of colleagues are not public). */
static void
on_api_desk_agents (SoupServer *soup, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  Server *server = user_data;
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET) {
    vw_api_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed",
        "GET only");
    return;
  }
  static const char *const roles[] = { "agent", "supervisor", "admin", NULL };
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (server->api, msg, roles);
  if (!claims)
    return;
  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_array_member (body, "agents", vw_broker_list_agents (server->broker));
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* GET /metrics: Prometheus text, counts only, no token (vw-metrics.h). */
static void
on_metrics (SoupServer *soup, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  Server *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
        "Allow", "GET, HEAD");
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }
  if (!g_str_equal (path, "/metrics")) {
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  g_autofree char *broker_text = vw_metrics_collect (server->broker);
  GString *out = g_string_new (broker_text);
  vw_listener_append_metrics (server->listener, out);
  gsize len = out->len;
  char *text = g_string_free (out, FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
      "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, VW_METRICS_CONTENT_TYPE, SOUP_MEMORY_TAKE,
      text, len);
}

typedef struct {
  VwStore *store;
  VwRecordings *recordings;
  int days;
} Retention;

/* Deletes the recordings of sessions that ended more than the retention
 * period ago; an audit entry per session says so.  Failures are logged and
 * retried at the next run. */
static gboolean
run_retention (gpointer data)
{
  Retention *r = data;
  g_autoptr (GError) error = NULL;
  gint64 before = g_get_real_time () / 1000 - (gint64) r->days * 24 * 3600 * 1000;
  guint n = 0;
  if (!vw_recordings_purge_expired (r->recordings, before, &n, &error))
    g_warning ("retention: %s", error->message);
  else if (n)
    g_message ("retention: %u track(s) older than %d days deleted", n, r->days);
  return G_SOURCE_CONTINUE;
}

/* Appointments (我要约) still booked when their slot has ended become
 * no-shows, each audited: at start-up, then every minute. */
static gboolean
run_no_shows (gpointer store)
{
  g_autoptr (GError) error = NULL;
  guint n = 0;

  if (!vw_store_mark_no_shows (store, g_get_real_time () / 1000, &n, &error))
    g_warning ("appointments: %s", error->message);
  else if (n)
    g_message ("appointments: %u booking(s) marked no-show", n);
  return G_SOURCE_CONTINUE;
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

/* Every response: no MIME sniffing of what we send; with TLS, browsers
 * keep to https for a year (HSTS). */
static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
  Server *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  if (server->tls)
    soup_message_headers_replace (headers, "Strict-Transport-Security", "max-age=31536000");
}

/* As many descriptors as the hard limit allows: each client connection
 * is one (see VwListener for how many are let in). */
static void
raise_fd_limit (void)
{
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = MIN (rl.rlim_max, (rlim_t) 1 << 20);
    if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
      g_debug ("cannot raise the file descriptor limit: %s", g_strerror (errno));
  }
}

static void
listener_config_from (VwListenerConfig *lc, const VwConfig *c, GTlsCertificate *certificate)
{
  vw_listener_config_init (lc);
  lc->max_connections = c->max_connections;
  lc->max_per_address = c->max_connections_per_address;
  lc->backlog = c->listen_backlog;
  lc->request_timeout_s = c->request_timeout_s;
  lc->idle_timeout_s = c->idle_timeout_s;
  lc->first_message_s = c->ws_first_message_s;
  lc->stall_timeout_s = c->ws_stall_s;
  lc->slow_reader_s = c->slow_reader_s;
  lc->ws.max_message = (guint64) c->ws_max_message_kib * 1024;
  lc->ws.rate = c->ws_rate;
  lc->ws.burst = c->ws_burst;
  lc->certificate = certificate;
}

/* Loads @given (nullable: the default file) into an empty catalogue;
 * FALSE after printing why not. */
static gboolean
load_catalogue (VwStore *store, const char *given)
{
  const char *path = given ? given : VW_SOURCE_CATALOGUE;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  if (!vw_store_count_items (store, &n, &error)) {
    g_printerr ("vw-server: %s\n", error->message);
    return FALSE;
  }
  if (n > 0)
    return TRUE;   /* the administrators' catalogue is kept as it is */
  if (!given && !g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_warning ("the catalogue of service items is empty: no %s", path);
    return TRUE;
  }
  if (!vw_api_catalogue_load (store, path, &n, &error)) {
    g_printerr ("vw-server: catalogue: %s\n", error->message);
    return FALSE;
  }
  g_message ("%u service item(s) loaded from %s", n, path);
  return TRUE;
}

/* The working-day calendar of @given (nullable: the default file), in
 * @calendar_out (NULL: Monday to Friday only); FALSE after printing why
 * not.  A given file that does not load is an error; a missing default,
 * or a file without this year or the next, is only a warning. */
static gboolean
load_holidays (const char *given, VwCalendar **calendar_out)
{
  const char *path = given ? given : VW_SOURCE_HOLIDAYS;
  g_autoptr (GError) error = NULL;
  g_autoptr (VwCalendar) calendar = NULL;

  *calendar_out = NULL;
  if (!given && !g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_warning ("no %s: no public holidays known, follow-ups' due dates count"
        " Monday to Friday only", path);
    return TRUE;
  }
  calendar = vw_holidays_load (path, &error);
  if (!calendar) {
    g_printerr ("vw-server: holidays: %s\n", error->message);
    return FALSE;
  }
  g_message ("%u public holiday(s) and %u 调休 working day(s) loaded from %s",
      vw_calendar_n_holidays (calendar), vw_calendar_n_workdays (calendar), path);
  gint64 now_ms = g_get_real_time () / 1000;
  g_autofree char *warning = vw_holidays_coverage_warning (calendar, now_ms);
  /* This year unknown: due dates are wrong now, a warning.  Only next
   * year's notice missing: usual until it is published (November), said
   * without alarm. */
  if (warning && !vw_calendar_covers_year (calendar,
          vw_calendar_year_of (vw_calendar_day_of (now_ms))))
    g_warning ("%s: %s", path, warning);
  else if (warning)
    g_message ("%s: %s", path, warning);
  *calendar_out = g_steal_pointer (&calendar);
  return TRUE;
}

/* Command-line values, applied over the config file's: -1 or NULL means
 * "not given". */
typedef struct {
  char *config;
  int port, latency, chunk_seconds, retention_days, wrap_up;
  char *address, *data_dir, *ice_address, *web_dir, *tls_cert, *tls_key, *catalogue;
  char *holidays;
  gboolean no_record;
  int max_connections, max_per_address;
  int backoff_ms, hash_workers, hash_queue;   /* 0: not given */
  int media_start_timeout, max_waiting;
  int reconnect_grace, ping_interval, silence_timeout;
} Options;

static void
take_string (char **field, char **given)
{
  if (*given) {
    g_free (*field);
    *field = g_steal_pointer (given);
  }
}

static void
apply_options (VwConfig *c, Options *o)
{
  if (o->port >= 0)
    c->port = o->port;
  if (o->latency >= 0)
    c->hub_latency_ms = o->latency;
  if (o->chunk_seconds >= 0)
    c->chunk_seconds = o->chunk_seconds;
  if (o->retention_days >= 0)
    c->retention_days = o->retention_days;
  if (o->wrap_up >= 0)
    c->wrap_up_seconds = o->wrap_up;
  if (o->no_record)
    c->record = FALSE;
  if (o->max_connections >= 0)
    c->max_connections = o->max_connections;
  if (o->max_per_address >= 0)
    c->max_connections_per_address = o->max_per_address;
  if (o->backoff_ms > 0)
    c->backoff_ms = o->backoff_ms;
  if (o->hash_workers > 0)
    c->hash_workers = o->hash_workers;
  if (o->hash_queue > 0)
    c->hash_queue = o->hash_queue;
  if (o->media_start_timeout >= 0)
    c->media_start_timeout_s = o->media_start_timeout;
  if (o->max_waiting >= 0)
    c->max_waiting_per_address = o->max_waiting;
  if (o->reconnect_grace >= 0)
    c->reconnect_grace_s = o->reconnect_grace;
  if (o->ping_interval >= 0)
    c->ping_interval_s = o->ping_interval;
  if (o->silence_timeout >= 0)
    c->silence_timeout_s = o->silence_timeout;
  take_string (&c->address, &o->address);
  take_string (&c->data_dir, &o->data_dir);
  take_string (&c->ice_address, &o->ice_address);
  take_string (&c->web_dir, &o->web_dir);
  take_string (&c->tls_certificate, &o->tls_cert);
  take_string (&c->tls_key, &o->tls_key);
  take_string (&c->catalogue_file, &o->catalogue);
  take_string (&c->holidays_file, &o->holidays);
}

/* Defaults, then --config, then the other options; FALSE after printing
 * why not. */
static gboolean
load_config (int *argc, char ***argv, VwConfig *c)
{
  Options o = { .port = -1, .latency = -1, .chunk_seconds = -1, .retention_days = -1,
    .wrap_up = -1, .max_connections = -1, .max_per_address = -1,
    .media_start_timeout = -1, .max_waiting = -1, .reconnect_grace = -1,
    .ping_interval = -1, .silence_timeout = -1 };
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config, "Settings file (see README, \"Configuration\")", "FILE" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &o.port, "TCP port (0 picks a free one; default 8080)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &o.address, "Address to listen on (default 0.0.0.0)", "IP" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o.data_dir, "Directory for the store and recordings (default vw-data)", "DIR" },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING, &o.ice_address, "Offer media only on this local IP address", "IP" },
    { "hub-latency", 0, 0, G_OPTION_ARG_INT, &o.latency, "Jitter buffer of the hub, ms (default 20)", "MS" },
    { "no-record", 0, 0, G_OPTION_ARG_NONE, &o.no_record, "Do not record sessions (benchmarks only)", NULL },
    { "chunk-seconds", 0, 0, G_OPTION_ARG_INT, &o.chunk_seconds, "Longest recording chunk, s (1..10, default 10)", "S" },
    { "retention-days", 0, 0, G_OPTION_ARG_INT, &o.retention_days, "Delete recordings of sessions older than this (0: never; default 180)", "DAYS" },
    { "wrap-up-seconds", 0, 0, G_OPTION_ARG_INT, &o.wrap_up, "Agents' wrap-up after each call, s (0..3600, default 30)", "S" },
    { "media-start-timeout", 0, 0, G_OPTION_ARG_INT, &o.media_start_timeout, "End a session whose clerk's media has not started this many seconds after pairing (1..3600, default 30)", "S" },
    { "max-waiting-per-address", 0, 0, G_OPTION_ARG_INT, &o.max_waiting, "Clerks queued at once from one IP address (1..100000, default 20)", "N" },
    { "reconnect-grace", 0, 0, G_OPTION_ARG_INT, &o.reconnect_grace, "Keep a participant whose connection was lost this many seconds for its resume (0..3600, 0: none; default 30)", "S" },
    { "ping-interval", 0, 0, G_OPTION_ARG_INT, &o.ping_interval, "Seconds between WebSocket pings to each client (1..600, default 5)", "S" },
    { "silence-timeout", 0, 0, G_OPTION_ARG_INT, &o.silence_timeout, "A client heard nothing from for this many seconds is lost (2..3600, default 15)", "S" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_cert, "Serve HTTPS/WSS with this PEM certificate (chain)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_key, "The certificate's PEM private key", "FILE" },
    { "web-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.web_dir, "Directory of the web pages (default: the source tree's web/)", "DIR" },
    { "catalogue", 0, 0, G_OPTION_ARG_FILENAME, &o.catalogue, "Service items loaded into an empty catalogue (default: the source tree's data/catalogue.json)", "FILE" },
    { "backoff-ms", 0, 0, G_OPTION_ARG_INT, &o.backoff_ms, "First wait after too many wrong passwords or unknown booking codes, ms (1..60000, default 1000)", "MS" },
    { "hash-workers", 0, 0, G_OPTION_ARG_INT, &o.hash_workers, "Threads checking passwords (1..16, default 2)", "N" },
    { "hash-queue", 0, 0, G_OPTION_ARG_INT, &o.hash_queue, "Sign-ins waiting for them at most; more are answered 503 (1..1024, default 16)", "N" },
    { "holidays", 0, 0, G_OPTION_ARG_FILENAME, &o.holidays, "Public holidays and 调休 working days, for follow-ups' due dates (default: the source tree's data/holidays.json)", "FILE" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &o.max_connections, "Client connections at once (0: from the file descriptor limit)", "N" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &o.max_per_address, "Client connections at once from one address (default 128)", "N" },
    { NULL }
  };
  if (!vw_program_parse_options ("vw-server", "- virtual-window signalling server and media hub", entries, argc, argv))
    return FALSE;
  g_autoptr (GError) error = NULL;
  vw_config_init (c);
  gboolean ok = (!o.config || vw_config_load_file (c, o.config, &error));
  if (ok) {
    apply_options (c, &o);
    ok = vw_config_check (c, &error);
  }
  if (!ok)
    g_printerr ("vw-server: %s\n", error->message);
  g_free (o.config);
  g_free (o.address);
  g_free (o.data_dir);
  g_free (o.ice_address);
  g_free (o.web_dir);
  g_free (o.tls_cert);
  g_free (o.tls_key);
  g_free (o.catalogue);
  g_free (o.holidays);
  return ok;
}

int
main (int argc, char **argv)
{
  g_auto (VwConfig) cfg = { 0 };
  if (!load_config (&argc, &argv, &cfg))
    return 2;
  g_autoptr (GError) error = NULL;
  const char *data_dir = cfg.data_dir;
  /* The pages: a --web-dir that is not a directory is a bad option; a
   * missing default (a build moved away from its sources) only a warning. */
  g_autoptr (VwStatic) web = vw_static_new (cfg.web_dir ? cfg.web_dir : VW_SOURCE_WEB_DIR, &error);
  if (!web && cfg.web_dir) {
    g_printerr ("vw-server: --web-dir: %s\n", error->message);
    return 2;
  }
  if (!web) {
    g_message ("not serving web pages: %s", error->message);
    g_clear_error (&error);
  }
  /* Public holidays and 调休, for the follow-ups' due dates: read before
   * anything else starts, never changed while running. */
  g_autoptr (VwCalendar) calendar = NULL;
  if (!load_holidays (cfg.holidays_file, &calendar))
    return 1;
  raise_fd_limit ();
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
  vw_store_set_calendar (store, calendar);
  vw_store_set_pending_limit (store, cfg.kept_writes);
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

  /* An empty catalogue of service items gets the starter list: a given
   * file that does not load is an error, a missing default a warning. */
  if (!load_catalogue (store, cfg.catalogue_file))
    return 1;

  /* The HTTP API signs its tokens with a key kept in the data directory. */
  VwApiContext api = {
    .store = store,
    .data_dir = data_dir,
    .token_lifetime_s = cfg.token_hours * 3600,
    .backoff_ms = cfg.backoff_ms,
    .hash_workers = cfg.hash_workers,
    .hash_queue = cfg.hash_queue,
  };
  if (!vw_token_load_key (data_dir, api.token_key, &error)) {
    g_printerr ("vw-server: %s\n", error->message);
    return 1;
  }

  /* Checked by vw_config_check (): valid here. */
  g_auto (GStrv) turn_urls = vw_turn_parse_urls (cfg.turn_urls, NULL);
  if (turn_urls && turn_urls[0])
    g_message ("TURN servers for clients: %s", cfg.turn_urls);
  VwBrokerConfig config = {
    .hub_latency_ms = cfg.hub_latency_ms,
    .ice_address = cfg.ice_address,
    .ice_tcp = cfg.ice_tcp,
    .ice_port_min = cfg.ice_port_min,
    .ice_port_max = cfg.ice_port_max,
    .turn_urls = (const char *const *) turn_urls,
    .turn_secret = cfg.turn_secret,
    .turn_ttl_s = cfg.turn_ttl_s,
    .data_dir = data_dir,
    .store = store,
    .record = cfg.record,
    .token_key = api.token_key,
    .chunk_seconds = cfg.chunk_seconds,
    .wrap_up_seconds = cfg.wrap_up_seconds,
    .media_start_timeout_s = cfg.media_start_timeout_s,
    .max_waiting_per_address = cfg.max_waiting_per_address,
    .reconnect_grace_s = cfg.reconnect_grace_s,
    .ping_interval_s = cfg.ping_interval_s,
    .silence_timeout_s = cfg.silence_timeout_s,
  };
  Server server = { 0 };
  server.loop = g_main_loop_new (NULL, FALSE);
  /* Retention: now, then every check-minutes. */
  Retention retention = { store, recovery, cfg.retention_days };
  if (cfg.retention_days > 0) {
    run_retention (&retention);
    g_timeout_add_seconds (cfg.retention_check_minutes * 60, run_retention, &retention);
  }
  run_no_shows (store);
  g_timeout_add_seconds (60, run_no_shows, store);
  server.broker = vw_broker_new (&config);

  g_autoptr (GTlsCertificate) certificate = NULL;
  if (cfg.tls_certificate) {
    certificate = g_tls_certificate_new_from_files (cfg.tls_certificate, cfg.tls_key, &error);
    if (!certificate) {
      g_printerr ("vw-server: TLS certificate: %s\n", error->message);
      return 2;
    }
  }
  /* TLS is done by the listener, which owns the socket: the SoupServer
   * itself listens nowhere (vw-listener.h). */
  g_autoptr (SoupServer) soup = soup_server_new ("server-header", "vw-server", NULL);
  /* permessage-deflate costs ~100 KiB of zlib state per connection for
   * signalling messages of a few KiB (README, "Security"), and would let
   * a small frame inflate past the message limits: not offered. */
  soup_server_remove_websocket_extension (soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  server.tls = certificate != NULL;
  g_signal_connect (soup, "request-started", G_CALLBACK (on_request_started), &server);
  VwListenerConfig listener_config;
  listener_config_from (&listener_config, &cfg, certificate);
  g_autoptr (VwListener) listener = vw_listener_new (soup, &listener_config);
  server.listener = listener;
  soup_server_add_websocket_handler (soup, "/ws", NULL, NULL, on_websocket,
      &server, NULL);
  soup_server_add_handler (soup, "/api/status", on_api_status, &server, NULL);
  server.api = &api;
  soup_server_add_handler (soup, "/api/desk/agents", on_api_desk_agents, &server, NULL);
  soup_server_add_handler (soup, "/metrics", on_metrics, &server, NULL);
  vw_api_register (soup, &api);   /* the rest of /api/ */
  if (web)   /* everything else: the pages under web/ */
    vw_static_register (web, soup);
  /* Signals are handled before the URL is printed: whoever starts us may
   * stop us as soon as it has read it. */
  g_unix_signal_add (SIGINT, on_signal, &server);
  g_unix_signal_add (SIGTERM, on_signal, &server);
  if (!vw_listener_listen (listener, cfg.address, cfg.port, &error)) {
    g_printerr ("vw-server: cannot listen on %s:%d: %s\n", cfg.address, cfg.port,
        error->message);
    return 1;
  }
  g_autofree char *url = vw_listener_get_url (listener);
  g_print ("listening on %s\n", url);
  g_message ("up to %u client connections, %u from one address",
      vw_listener_get_max_connections (listener), listener_config.max_per_address);
  g_main_loop_run (server.loop);

  /* Let the close frames go out before the sockets are torn down. */
  for (int i = 0; i < 20 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_pointer (&listener, vw_listener_free);
  soup_server_disconnect (soup);
  vw_broker_free (server.broker);
  g_main_loop_unref (server.loop);
  return 0;
}
