/* vw-test-util.h: real vw-server and vw-client processes for integration
 * tests, and waiting on the main context with a deadline.
 *
 * The programs come from the environment (VW_SERVER, VW_CLIENT), set by
 * tests/meson.build.  Everything listens and sends on 127.0.0.1 only.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

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
/* Sends SIGTERM, waits and checks it exited cleanly; removes the data dir. */
void          vw_test_server_stop (VwTestServer *server);
gboolean      vw_test_server_is_running (VwTestServer *server);

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
/* Runs the default main context for @ms. */
void          vw_test_run_for (guint ms);

/* In a track list of a "stats" event: the object for @track, or NULL. */
JsonObject   *vw_test_stats_track (JsonObject *stats, const char *track);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwTestClient, vw_test_client_free)

G_END_DECLS
