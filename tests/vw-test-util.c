/* vw-test-util.c: subprocess plumbing for the integration tests. */
#include "vw-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Children die with the test: a test that aborts leaves no vw-server or
 * vw-client behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (GPtrArray *argv, GSubprocessFlags flags, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher,
      (const char *const *) argv->pdata, error);
}

static const char *
program (const char *var)
{
  const char *path = g_getenv (var);
  if (!path)
    g_error ("%s is not set; run the tests through meson", var);
  return path;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
vw_test_wait_until (gboolean (*cond) (gpointer), gpointer data, guint timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &expired);
  while (!cond (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return cond (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
vw_test_run_for (guint ms)
{
  vw_test_wait_until (never, NULL, ms);
}

/* ---- server ---- */

typedef struct {
  GDataInputStream *in;
  char *line;
  gboolean done;
} LineRead;

static void
on_line (GObject *src, GAsyncResult *res, gpointer data)
{
  LineRead *r = data;
  r->line = g_data_input_stream_read_line_finish_utf8 (r->in, res, NULL, NULL);
  r->done = TRUE;
}

static gboolean
line_done (gpointer data)
{
  return ((LineRead *) data)->done;
}

static void
on_server_stderr (GObject *src, GAsyncResult *res, gpointer data)
{
  VwTestServer *server = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (
      G_DATA_INPUT_STREAM (src), res, NULL, NULL);
  if (!line)
    return;
  if (server->log)
    g_string_append_printf (server->log, "%s\n", line);
  if (g_getenv ("VW_TEST_VERBOSE"))
    g_printerr ("server: %s\n", line);
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (src),
      G_PRIORITY_DEFAULT, NULL, on_server_stderr, server);
}

VwTestServer *
vw_test_server_start (const char *const *extra_args)
{
  return vw_test_server_start_in (NULL, extra_args);
}

VwTestServer *
vw_test_server_start_in (const char *data_dir, const char *const *extra_args)
{
  VwTestServer *server = g_new0 (VwTestServer, 1);
  g_autoptr (GError) error = NULL;
  server->data_dir = data_dir ? g_strdup (data_dir)
      : g_dir_make_tmp ("vw-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->log = g_string_new (NULL);

  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) program ("VW_SERVER"));
  const char *fixed[] = { "--port", "0", "--address", "127.0.0.1",
    "--ice-address", "127.0.0.1", "--data-dir", server->data_dir,
    /* Agents are free again at once unless a test says otherwise (the
     * last --wrap-up-seconds wins). */
    "--wrap-up-seconds", "0",
    /* A closed connection leaves at once, as before issue 12, unless a
     * test says otherwise (the last --reconnect-grace wins). */
    "--reconnect-grace", "0" };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (char *) fixed[i]);
  for (guint i = 0; extra_args && extra_args[i]; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  /* VW_TEST_SERVER_STDERR: a file for the server's log instead of the
   * pipe read into server->log, for benchmarks whose main loop is too busy
   * to read a line per registration (the server would wait on the pipe). */
  const char *log_file = g_getenv ("VW_TEST_SERVER_STDERR");
  if (log_file) {
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    g_subprocess_launcher_set_stderr_file_path (launcher, log_file);
    server->proc = g_subprocess_launcher_spawnv (launcher,
        (const char *const *) argv->pdata, &error);
  } else
    server->proc = spawn (argv,
        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);

  if (!log_file) {
    g_autoptr (GDataInputStream) err_in = g_data_input_stream_new (
        g_subprocess_get_stderr_pipe (server->proc));
    g_data_input_stream_read_line_async (err_in, G_PRIORITY_DEFAULT, NULL,
        on_server_stderr, server);
  }

  LineRead r = { 0 };
  r.in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  g_data_input_stream_read_line_async (r.in, G_PRIORITY_DEFAULT, NULL, on_line, &r);
  g_assert_true (vw_test_wait_until (line_done, &r, 10000));
  g_object_unref (r.in);
  g_assert_nonnull (r.line);
  /* On 127.0.0.1 unless a test asked for another address (the last
   * --address wins), e.g. a link's host end for clients in namespaces. */
  gboolean tls = g_str_has_prefix (r.line, "listening on https://");
  g_assert_true (tls || g_str_has_prefix (r.line, "listening on http://"));
  server->url = g_strdup (r.line + strlen ("listening on "));
  g_autofree char *hostport = g_strdup (strstr (server->url, "://") + 3);
  *strchr (hostport, '/') = '\0';
  server->ws_url = g_strdup_printf ("%s://%s/ws", tls ? "wss" : "ws", hostport);
  g_free (r.line);
  return server;
}

gboolean
vw_test_server_is_running (VwTestServer *server)
{
  /* g_subprocess_get_if_exited needs a wait; poll the pid instead. */
  const char *id = g_subprocess_get_identifier (server->proc);
  return id && kill (atoi (id), 0) == 0;
}

static gboolean
subprocess_done (gpointer data)
{
  return g_subprocess_get_identifier (G_SUBPROCESS (data)) == NULL;
}

static void
on_waited (GObject *src, GAsyncResult *res, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (src), res, NULL);
}

static void
rm_rf (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileEnumerator) e = g_file_enumerate_children (file,
      G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
      G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;
  while (e && (info = g_file_enumerator_next_file (e, NULL, NULL))) {
    g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
      rm_rf (child);
    else
      g_unlink (child);
    g_object_unref (info);
  }
  g_rmdir (path);
}

/* Where a hung process is stuck, every thread's stack, to stderr, when gdb
 * is there to tell (it is on the CI machines). */
static void
print_stacks (GSubprocess *proc)
{
  const char *pid = g_subprocess_get_identifier (proc);
  g_autofree char *gdb = g_find_program_in_path ("gdb");
  if (!pid || !gdb)
    return;
  const char *argv[] = { gdb, "-p", pid, "-batch", "-nx",
    "-ex", "thread apply all bt", NULL };
  g_autofree char *out = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
      NULL, &out, NULL, NULL, NULL);
  g_printerr ("%s\n", out ? out : "(gdb printed nothing)");
}

void
vw_test_server_stop (VwTestServer *server)
{
  if (!server)
    return;
  g_subprocess_send_signal (server->proc, SIGTERM);
  g_subprocess_wait_async (server->proc, NULL, on_waited, NULL);
  /* The server gives its recordings up to 10 s to finish their last chunk
   * (vw_broker_shutdown), and a loaded machine may need part of that. */
  if (!vw_test_wait_until (subprocess_done, server->proc, 20000)) {
    print_stacks (server->proc);
    g_subprocess_force_exit (server->proc);
    g_error ("vw-server did not stop within 20 s of SIGTERM; its log:\n%s",
        server->log->str);
  }
  if (!g_subprocess_get_if_exited (server->proc)
      || g_subprocess_get_exit_status (server->proc) != 0)
    g_error ("vw-server did not exit cleanly; its log:\n%s", server->log->str);
  rm_rf (server->data_dir);
  g_object_unref (server->proc);
  g_string_free (server->log, TRUE);
  server->log = NULL;
  g_free (server->url);
  g_free (server->ws_url);
  g_free (server->data_dir);
  g_free (server);
}

/* A crash: SIGKILL, nothing flushed.  The data directory is kept for a
 * restart (its path is returned); the rest is freed. */
char *
vw_test_server_kill (VwTestServer *server)
{
  g_subprocess_send_signal (server->proc, SIGKILL);
  g_subprocess_wait_async (server->proc, NULL, on_waited, NULL);
  g_assert_true (vw_test_wait_until (subprocess_done, server->proc, 10000));
  char *dir = g_steal_pointer (&server->data_dir);
  g_object_unref (server->proc);
  g_string_free (server->log, TRUE);
  g_free (server->url);
  g_free (server->ws_url);
  g_free (server);
  return dir;
}

/* ---- clients ---- */

static void
on_client_line (GObject *src, GAsyncResult *res, gpointer data)
{
  VwTestClient *client = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (
      G_DATA_INPUT_STREAM (src), res, NULL, &error);
  if (!line) {
    client->eof = TRUE;
    g_object_unref (src);
    return;
  }
  if (g_getenv ("VW_TEST_VERBOSE"))
    g_printerr ("%s: %s\n", client->name, line);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (json_parser_load_from_data (parser, line, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_ptr_array_add (client->events,
        json_object_ref (json_node_get_object (json_parser_get_root (parser))));
  else
    g_error ("%s printed a line that is not a JSON object: %s", client->name, line);
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (src),
      G_PRIORITY_DEFAULT, NULL, on_client_line, client);
}

VwTestClient *
vw_test_client_start (VwTestServer *server, const char *name,
    const char *const *args)
{
  return vw_test_client_start_with (server, name, NULL, args);
}

VwTestClient *
vw_test_client_start_with (VwTestServer *server, const char *name,
    const VwTestClientOptions *options, const char *const *args)
{
  VwTestClient *client = g_new0 (VwTestClient, 1);
  client->name = g_strdup (name);
  client->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  const char *ice_address = options && options->ice_address
      ? options->ice_address : "127.0.0.1";
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  for (guint i = 0; options && options->wrapper && options->wrapper[i]; i++)
    g_ptr_array_add (argv, (char *) options->wrapper[i]);
  g_ptr_array_add (argv, (char *) program ("VW_CLIENT"));
  const char *fixed[] = { "--server", server->url, "--headless", "--name", name };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (char *) fixed[i]);
  if (*ice_address) {
    g_ptr_array_add (argv, (char *) "--ice-address");
    g_ptr_array_add (argv, (char *) ice_address);
  }
  gboolean has_save_dir = FALSE;
  for (guint i = 0; args && args[i]; i++) {
    g_ptr_array_add (argv, (char *) args[i]);
    has_save_dir |= g_str_equal (args[i], "--save-dir");
  }
  /* Snapshots land in the server's scratch directory unless a test says
   * otherwise, never in the working directory. */
  g_autofree char *save_dir = g_strdup_printf ("%s/client-%p", server->data_dir, client);
  if (!has_save_dir) {
    g_ptr_array_add (argv, (char *) "--save-dir");
    g_ptr_array_add (argv, save_dir);
  }
  g_ptr_array_add (argv, NULL);

  g_autoptr (GError) error = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE;
  if (!g_getenv ("VW_TEST_VERBOSE"))
    flags |= G_SUBPROCESS_FLAGS_STDERR_SILENCE;
  client->proc = spawn (argv, flags, &error);
  g_assert_no_error (error);
  GDataInputStream *in = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (client->proc));
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL,
      on_client_line, client);
  return client;
}

void
vw_test_client_command (VwTestClient *client, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_strconcat (json, "\n", NULL);
  GOutputStream *in = g_subprocess_get_stdin_pipe (client->proc);
  g_output_stream_write_all (in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

static gint
find_event (VwTestClient *client, const char *event, guint from)
{
  for (guint i = from; i < client->events->len; i++) {
    JsonObject *o = g_ptr_array_index (client->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""),
            event) == 0)
      return i;
  }
  return -1;
}

/* What a client printed, to stderr, when a test is about to fail on it:
 * the last "stats" line says which tracks carried bytes. */
static void
dump_events (VwTestClient *client)
{
  guint first = client->events->len > 40 ? client->events->len - 40 : 0;
  for (guint i = first; i < client->events->len; i++) {
    g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (),
        g_ptr_array_index (client->events, i));
    g_autofree char *text = json_to_string (node, FALSE);
    g_printerr ("# %s event %u: %s\n", client->name, i, text);
  }
}

typedef struct {
  VwTestClient *client;
  const char *event;
  guint from;
} EventWait;

static gboolean
event_seen (gpointer data)
{
  EventWait *w = data;
  return find_event (w->client, w->event, w->from) >= 0 || w->client->eof;
}

JsonObject *
vw_test_client_wait_event (VwTestClient *client, const char *event,
    guint *from, guint timeout_ms)
{
  EventWait w = { client, event, from ? *from : 0 };
  vw_test_wait_until (event_seen, &w, timeout_ms);
  gint i = find_event (client, event, w.from);
  if (i < 0) {
    dump_events (client);
    g_error ("%s: no '%s' event within %u ms (%u events so far, %s)",
        client->name, event, timeout_ms, client->events->len,
        client->eof ? "exited" : "still running");
  }
  if (from)
    *from = i + 1;
  return g_ptr_array_index (client->events, i);
}

JsonObject *
vw_test_client_last_event (VwTestClient *client, const char *event)
{
  for (gint i = client->events->len - 1; i >= 0; i--) {
    JsonObject *o = g_ptr_array_index (client->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""),
            event) == 0)
      return o;
  }
  return NULL;
}

guint
vw_test_client_count_events (VwTestClient *client, const char *event)
{
  guint n = 0;
  for (gint i = 0; (i = find_event (client, event, i)) >= 0; i++)
    n++;
  return n;
}

static gboolean
client_exited (gpointer data)
{
  VwTestClient *c = data;
  return c->eof && g_subprocess_get_identifier (c->proc) == NULL;
}

int
vw_test_client_wait_exit (VwTestClient *client, guint timeout_ms)
{
  g_subprocess_wait_async (client->proc, NULL, on_waited, NULL);
  if (!vw_test_wait_until (client_exited, client, timeout_ms)) {
    g_subprocess_send_signal (client->proc, SIGKILL);
    vw_test_wait_until (client_exited, client, 5000);
    return -1;
  }
  return g_subprocess_get_if_exited (client->proc)
      ? g_subprocess_get_exit_status (client->proc) : -1;
}

void
vw_test_client_free (VwTestClient *client)
{
  if (!client)
    return;
  if (g_subprocess_get_identifier (client->proc)) {
    g_subprocess_force_exit (client->proc);
    vw_test_client_wait_exit (client, 5000);
  }
  /* The line reader holds the client until EOF. */
  vw_test_wait_until ((gboolean (*) (gpointer)) client_exited, client, 2000);
  g_object_unref (client->proc);
  g_ptr_array_unref (client->events);
  g_free (client->name);
  g_free (client);
}

JsonObject *
vw_test_stats_track (JsonObject *stats, const char *track)
{
  JsonArray *tracks = json_object_get_array_member (stats, "tracks");
  for (guint i = 0; tracks && i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (t, "track", ""), track) == 0)
      return t;
  }
  return NULL;
}

/* ---- accounts and HTTP ---- */

/* A file holding @text, for a child's stdin: unlike a pipe, a child that
 * exits before reading it (bad usage) breaks nothing.  (transfer full) */
static char *
stdin_file (const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("vw-test-stdin-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static int
admin_run (const char *data_dir, const char *password, char **stdout_out,
    char **stderr_out, va_list args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *input = g_strconcat (password ? password : "", password ? "\n" : "",
      NULL);
  g_autofree char *input_path = stdin_file (input);
  g_autofree char *out = NULL, *err = NULL;
  const char *arg;

  g_ptr_array_add (argv, (char *) program ("VW_ADMIN"));
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, (char *) data_dir);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  g_autoptr (GSubprocess) proc = g_subprocess_launcher_spawnv (launcher,
      (const char *const *) argv->pdata, &error);
  g_unlink (input_path);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_getenv ("VW_TEST_VERBOSE"))
    g_printerr ("vw-admin: %s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  if (stdout_out)
    *stdout_out = g_steal_pointer (&out);
  if (stderr_out)
    *stderr_out = g_steal_pointer (&err);
  return g_subprocess_get_exit_status (proc);
}

int
vw_test_admin (const char *data_dir, const char *password, ...)
{
  va_list args;

  va_start (args, password);
  int status = admin_run (data_dir, password, NULL, NULL, args);
  va_end (args);
  return status;
}

int
vw_test_admin_capture (const char *data_dir, const char *password, char **stdout_out,
    char **stderr_out, ...)
{
  va_list args;

  va_start (args, stderr_out);
  int status = admin_run (data_dir, password, stdout_out, stderr_out, args);
  va_end (args);
  return status;
}

typedef struct {
  GBytes *body;
  GError *error;
  gboolean done;
} HttpWait;

static void
on_http_done (GObject *session, GAsyncResult *res, gpointer data)
{
  HttpWait *w = data;
  w->body = soup_session_send_and_read_finish (SOUP_SESSION (session), res, &w->error);
  w->done = TRUE;
}

static gboolean
http_done (gpointer data)
{
  return ((HttpWait *) data)->done;
}

GBytes *
vw_test_http_message (SoupMessage *msg)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  HttpWait w = { 0 };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
      on_http_done, &w);
  if (!vw_test_wait_until (http_done, &w, 20000))
    g_error ("%s %s: no answer within 20 s", soup_message_get_method (msg),
        g_uri_to_string (soup_message_get_uri (msg)));
  g_assert_no_error (w.error);
  return w.body;
}

GBytes *
vw_test_http (const char *method, const char *url, const char *const *headers,
    const char *body, gssize length, guint *status_out,
    SoupMessageHeaders **headers_out)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  for (guint i = 0; headers && headers[i] && headers[i + 1]; i += 2)
    soup_message_headers_append (soup_message_get_request_headers (msg), headers[i],
        headers[i + 1]);
  if (body) {
    g_autoptr (GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);
    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  }
  GBytes *response = vw_test_http_message (msg);
  if (status_out)
    *status_out = soup_message_get_status (msg);
  if (headers_out)
    *headers_out = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return response;
}

JsonObject *
vw_test_json_object (GBytes *bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  json_parser_load_from_data (parser, data ? data : "", len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

char *
vw_test_login (VwTestServer *server, const char *user, const char *password,
    guint *status_out)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, user);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *body = json_to_string (root, FALSE);
  g_autofree char *url = g_strconcat (server->url, "api/login", NULL);
  guint status = 0;

  g_autoptr (GBytes) response = vw_test_http ("POST", url, NULL, body, -1, &status, NULL);
  if (status_out)
    *status_out = status;
  if (status != 200)
    return NULL;
  g_autoptr (JsonObject) o = vw_test_json_object (response);
  return g_strdup (json_object_get_string_member (o, "token"));
}

/* ---- signed-in participants ---- */

#define TEST_PASSWORD "correct horse 电池 staple"

char *
vw_test_server_add_account (VwTestServer *server, const char *username,
    const char *role, const char *name, const char *province, const char *center,
    const char *scope)
{
  g_assert_cmpint (vw_test_admin (server->data_dir, TEST_PASSWORD, "add-account",
      "--username", username, "--role", role, "--name", name, "--province", province,
      "--center", center, "--scope", scope ? scope : "center", NULL), ==, 0);
  g_autofree char *base = g_strdup_printf ("password-%s", username);
  char *path = g_build_filename (server->data_dir, base, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents_full (path, TEST_PASSWORD "\n", -1, G_FILE_SET_CONTENTS_NONE,
      0600, &error);
  g_assert_no_error (error);
  return path;
}

char *
vw_test_server_token (VwTestServer *server, const char *username)
{
  guint status = 0;
  char *token = vw_test_login (server, username, TEST_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 200);
  return token;
}

int
vw_test_server_run_to_exit (const char *data_dir, const char *const *args,
    char **stderr_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) program ("VW_SERVER"));
  const char *fixed[] = { "--port", "0", "--address", "127.0.0.1", "--data-dir", data_dir };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, (char *) fixed[i]);
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GSubprocess) proc = g_subprocess_newv ((const char *const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, stderr_out, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
}

typedef struct {
  VwTestServer *server;
  const char *text;
} LogWait;

static gboolean
log_has (gpointer data)
{
  LogWait *w = data;
  return w->server->log && strstr (w->server->log->str, w->text) != NULL;
}

void
vw_test_server_wait_log (VwTestServer *server, const char *text, guint timeout_ms)
{
  LogWait w = { server, text };
  if (!vw_test_wait_until (log_has, &w, timeout_ms))
    g_error ("the server's log never showed '%s'; it is:\n%s", text,
        server->log ? server->log->str : "(not kept)");
}
