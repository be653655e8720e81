/* vw-test-util.h: real vw-server and vw-client processes for integration
 * tests, and waiting on the main context with a deadline.
 *
 * The programs come from the environment (VW_SERVER, VW_CLIENT), set by
 * tests/meson.build.  Everything listens and sends on 127.0.0.1 only.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess *proc;
  char *url;          /* http://127.0.0.1:PORT/ */
  char *ws_url;       /* ws://127.0.0.1:PORT/ws */
  char *data_dir;     /* a fresh temporary directory */
  GString *log;       /* stderr so far */
} VwTestServer;

/* Starts vw-server on a free loopback port and waits until it listens.
 * @extra_args: NULL-terminated, nullable. */
VwTestServer *vw_test_server_start (const char *const *extra_args);
/* The same on an existing @data_dir (nullable: a fresh one), e.g. one
 * where vw_test_admin() made accounts; vw_test_server_stop() removes it. */
VwTestServer *vw_test_server_start_in (const char *data_dir,
                                       const char *const *extra_args);
/* Runs vw-server on @data_dir with @args (NULL-terminated) for a start-up
 * that must fail before it listens: waits for it to exit and returns its
 * exit status (-1 if it did not exit), its stderr in @stderr_out. */
int           vw_test_server_run_to_exit (const char *data_dir, const char *const *args,
                                          char **stderr_out);
/* Sends SIGTERM, waits and checks it exited cleanly; removes the data dir. */
void          vw_test_server_stop (VwTestServer *server);
gboolean      vw_test_server_is_running (VwTestServer *server);
/* Kills vw-server with SIGKILL (a crash) and frees @server, keeping its
 * data directory, whose path is returned (transfer full).  Restart on it
 * with vw_test_server_start ((const char *[]) { "--data-dir", dir, NULL }):
 * the last --data-dir wins. */
char         *vw_test_server_kill (VwTestServer *server);

typedef struct {
  GSubprocess *proc;
  char *name;
  GPtrArray *events;     /* JsonObject*, every line printed so far */
  gboolean eof;
} VwTestClient;

/* Starts vw-client --headless against @server with loopback ICE and the
 * given arguments (NULL-terminated). */
VwTestClient *vw_test_client_start (VwTestServer *server, const char *name,
                                    const char *const *args);
typedef struct {
  /* An argv prefix (NULL-terminated, nullable), e.g. vw_netns_wrapper ()
   * to run the client inside a network namespace. */
  const char *const *wrapper;
  /* --ice-address: NULL for 127.0.0.1, "" for none (a client alone in a
   * namespace needs none; its address may change). */
  const char *ice_address;
} VwTestClientOptions;

/* vw_test_client_start() with @options (nullable: the defaults). */
VwTestClient *vw_test_client_start_with (VwTestServer *server, const char *name,
                                         const VwTestClientOptions *options,
                                         const char *const *args);
/* Writes one command line ({"command": ...}) to the client's stdin. */
void          vw_test_client_command (VwTestClient *client, const char *json);
/* Waits for the first event named @event at index >= *@from (updates
 * *@from past it when not NULL).  Fails the test after @timeout_ms.
 * (transfer none) */
JsonObject   *vw_test_client_wait_event (VwTestClient *client, const char *event,
                                         guint *from, guint timeout_ms);
/* The last event named @event, or NULL. (transfer none) */
JsonObject   *vw_test_client_last_event (VwTestClient *client, const char *event);
guint         vw_test_client_count_events (VwTestClient *client, const char *event);
/* Waits for exit (SIGTERM after @timeout_ms) and returns the exit status. */
int           vw_test_client_wait_exit (VwTestClient *client, guint timeout_ms);
void          vw_test_client_free (VwTestClient *client);

/* Runs the default main context until @cond returns TRUE; FALSE on timeout. */
gboolean      vw_test_wait_until (gboolean (*cond) (gpointer), gpointer data,
                                  guint timeout_ms);
/* Runs the default main context until @server's log (stderr) holds
 * @text; fails the test with the log after @timeout_ms. */
void          vw_test_server_wait_log (VwTestServer *server, const char *text,
                                       guint timeout_ms);
/* Runs the default main context for @ms. */
void          vw_test_run_for (guint ms);

/* In a track list of a "stats" event: the object for @track, or NULL. */
JsonObject   *vw_test_stats_track (JsonObject *stats, const char *track);

/* ---- accounts and the HTTP API ---- */

/* Runs vw-admin (from VW_ADMIN) --data-dir @data_dir and the arguments
 * (NULL-terminated), writing @password and a newline to its stdin
 * (nullable: nothing).  Returns its exit status. */
int           vw_test_admin (const char *data_dir, const char *password, ...)
                  G_GNUC_NULL_TERMINATED;
/* The same, keeping its stdout and stderr (nullable; free them). */
int           vw_test_admin_capture (const char *data_dir, const char *password,
                                     char **stdout_out, char **stderr_out, ...)
                  G_GNUC_NULL_TERMINATED;

/* Sends @msg and runs the main context until the answer (an in-process
 * server can answer meanwhile); fails the test after 20 s or on a
 * transport error.  (transfer full) the response body. */
GBytes       *vw_test_http_message (SoupMessage *msg);
/* One request: @headers NULL or "Name", "value", ..., NULL; @body
 * (nullable) sent as application/json, @length bytes (-1: a string).
 * (transfer full) the response body; the status in @status_out, the
 * response headers in @headers_out (both nullable; unref the headers). */
GBytes       *vw_test_http (const char *method, const char *url,
                            const char *const *headers, const char *body,
                            gssize length, guint *status_out,
                            SoupMessageHeaders **headers_out);
/* (transfer full) @bytes parsed as a JSON object; fails the test otherwise. */
JsonObject   *vw_test_json_object (GBytes *bytes);
/* POST /api/login {"username": @user, "password": @password} to @server.
 * (transfer full) the token on 200, else NULL; the status in @status_out
 * (nullable). */
char         *vw_test_login (VwTestServer *server, const char *user,
                             const char *password, guint *status_out);

/* Makes an account (vw-admin, on the running server's data directory) with
 * a test password, written to a file in the data directory whose path is
 * returned (transfer full): for vw-client --user USERNAME --password-file.
 * @scope (nullable): "center" or "province", for supervisors. */
char         *vw_test_server_add_account (VwTestServer *server, const char *username,
                                          const char *role, const char *name,
                                          const char *province, const char *center,
                                          const char *scope);
/* Signs in as an account made by vw_test_server_add_account(): the token
 * (transfer full); fails the test unless it gets one. */
char         *vw_test_server_token (VwTestServer *server, const char *username);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwTestClient, vw_test_client_free)

G_END_DECLS
