/* test-disk-full: the disk fills up in the middle of a call.  A real
 * vw-server whose data directory is a small tmpfs (in a mount namespace of
 * this test's own: needs root, skipped otherwise); the test fills it with
 * a file while the call runs, the clerk hangs up and rates, then the file
 * goes.  The call went on; and once space returned the store has it all,
 * in order: the recordings that failed, the session's end, the rating and
 * its follow-up; the manifest says the same.  If space never returns, the
 * server names in its log, at exit, each write it could not make. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include "vw-test-util.h"
#include "small-disk.h"

#define AGENT_ARGS "--role", "agent", "--user", "wangfang", "--password-file", agent_pw
#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai", \
    "--name", "李雷", "--document-camera", "test"

static sqlite3 *
open_db (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "virtual-window.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  return db;
}

/* The first column of the first row of @sql with @arg, as text (NULL
 * without a row).  (transfer full) */
static char *
query_text (const char *data_dir, const char *sql, const char *arg)
{
  sqlite3 *db = open_db (data_dir);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  char *text = NULL;
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else
    g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

typedef struct {
  const char *data_dir, *session;
} Where;

static gboolean
session_ended (gpointer data)
{
  Where *w = data;
  g_autofree char *state = query_text (w->data_dir,
      "SELECT state FROM sessions WHERE id = ?1", w->session);
  return g_strcmp0 (state, "ended") == 0;
}

static guint
count_lines (const char *log, const char *text)
{
  guint n = 0;
  for (const char *p = log; (p = strstr (p, text)); p++)
    n++;
  return n;
}

static gboolean
recording_failed (gpointer data)
{
  VwTestServer *server = data;
  return count_lines (server->log->str, "the call goes on without it") > 0;
}

static JsonObject *
read_manifest (const char *data_dir, const char *session)
{
  g_autofree char *path = g_build_filename (data_dir, "sessions", session,
      "manifest.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

typedef struct {
  Where where;
  guint n_failures;
} ManifestWait;

static gboolean
manifest_complete (gpointer data)
{
  ManifestWait *m = data;
  g_autoptr (JsonObject) manifest = read_manifest (m->where.data_dir, m->where.session);
  if (!manifest || g_strcmp0 (json_object_get_string_member (manifest, "state"), "ended"))
    return FALSE;
  JsonArray *failures = json_object_has_member (manifest, "recording_failures")
      ? json_object_get_array_member (manifest, "recording_failures") : NULL;
  return failures && json_array_get_length (failures) == m->n_failures;
}

/* A call of 王芳 (agent) with 李雷 (clerk, who rates with @rate when it
 * ends) on @server, both with their first frame at least from the clerk
 * (and the agent's too when @both_frames): the session id (transfer full),
 * the clients in @agent_out and @clerk_out. */
static char *
start_call (VwTestServer *server, const char *rate, gboolean both_frames,
    VwTestClient **agent_out, VwTestClient **clerk_out)
{
  g_autofree char *agent_pw = vw_test_server_add_account (server, "wangfang", "agent",
      "王芳", "shanghai", "黄浦区政务服务中心", NULL);
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "1", NULL };
  const char *clerk_args[] = { CLERK_ARGS, "--rate", rate, NULL };
  VwTestClient *agent = vw_test_client_start (server, "agent", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  VwTestClient *clerk = vw_test_client_start (server, "clerk", clerk_args);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  char *session = g_strdup (json_object_get_string_member (paired, "session"));
  vw_test_client_wait_event (clerk, "first-frame", NULL, 10000);
  if (both_frames)
    vw_test_client_wait_event (agent, "first-frame", NULL, 10000);
  *agent_out = agent;
  *clerk_out = clerk;
  return session;
}

static void
test_disk_full_mid_call (void)
{
  g_autofree char *disk = vw_small_disk_new ("vw-disk-full", "24m");
  if (!disk)
    return;
  const char *server_args[] = { "--chunk-seconds", "2", NULL };
  VwTestServer *server = vw_test_server_start_in (disk, server_args);
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (server, "2:等了很久才接通", TRUE, &agent, &clerk);
  vw_test_run_for (1500);

  /* The disk fills up: the recordings fail, the call goes on. */
  g_autofree char *filler = g_build_filename (disk, "filler", NULL);
  vw_small_disk_fill (filler);
  g_assert_true (vw_test_wait_until (recording_failed, server, 20000));
  guint from = vw_test_client_count_events (clerk, "stats");
  vw_test_client_wait_event (clerk, "stats", &from, 10000);
  g_assert_true (vw_test_server_is_running (server));

  /* The clerk hangs up and rates: the rating is taken. */
  vw_test_client_command (clerk, "{\"command\": \"hangup\"}");
  JsonObject *ended = vw_test_client_wait_event (clerk, "ended", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "hangup");
  vw_test_client_wait_event (agent, "ended", NULL, 10000);
  vw_test_client_wait_event (clerk, "rated", NULL, 10000);
  g_assert_cmpuint (vw_test_client_count_events (clerk, "error"), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  /* Every recording has given up by now (the end of the session stopped
   * those still running). */
  vw_test_run_for (1000);
  guint n_failed = count_lines (server->log->str, "the call goes on without it");
  g_test_message ("%u recordings failed", n_failed);
  g_assert_true (g_strstr_len (server->log->str, -1, "kept in memory") != NULL);

  /* Space returns: everything kept reaches the store. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  Where where = { disk, session };
  g_assert_true (vw_test_wait_until (session_ended, &where, 20000));
  g_autofree char *reason = query_text (disk,
      "SELECT end_reason FROM sessions WHERE id = ?1", session);
  g_assert_cmpstr (reason, ==, "peer-hangup");   /* as the agent was told */
  g_autofree char *rating = query_text (disk,
      "SELECT level || ' ' || comment FROM ratings WHERE session_id = ?1", session);
  g_assert_cmpstr (rating, ==, "2 等了很久才接通");
  g_autofree char *follow_up = query_text (disk,
      "SELECT count(*) FROM follow_ups WHERE session_id = ?1", session);
  g_assert_cmpstr (follow_up, ==, "1");
  g_autofree char *open_people = query_text (disk, "SELECT count(*) FROM participants"
      " WHERE session_id = ?1 AND left_at IS NULL", session);
  g_assert_cmpstr (open_people, ==, "0");
  /* The timeline has each recording that failed and the end, each at the
   * time it happened, and written in that order (ids follow times); the
   * rating came after the end. */
  g_autofree char *n_failed_s = g_strdup_printf ("%u", n_failed);
  g_autofree char *failures = query_text (disk, "SELECT count(*) FROM events"
      " WHERE session_id = ?1 AND type = 'recording-failed'", session);
  g_assert_cmpstr (failures, ==, n_failed_s);
  g_autofree char *ends = query_text (disk, "SELECT count(*) FROM events"
      " WHERE session_id = ?1 AND type = 'ended'", session);
  g_assert_cmpstr (ends, ==, "1");
  g_autofree char *rated_after = query_text (disk, "SELECT r.created_at >= s.ended_at"
      " FROM ratings r JOIN sessions s ON s.id = r.session_id WHERE s.id = ?1", session);
  g_assert_cmpstr (rated_after, ==, "1");
  g_autofree char *out_of_order = query_text (disk, "SELECT count(*) FROM events a"
      " JOIN events b ON a.session_id = b.session_id AND a.id < b.id AND a.at > b.at"
      " WHERE a.session_id = ?1", session);
  g_assert_cmpstr (out_of_order, ==, "0");
  g_autofree char *timeline = query_text (disk, "SELECT group_concat (type, ' ')"
      " FROM (SELECT type FROM events WHERE session_id = ?1 ORDER BY id)", session);
  g_test_message ("timeline: %s", timeline);
  g_autofree char *unended = query_text (disk, "SELECT count(*) FROM tracks"
      " WHERE session_id = ?1 AND ended_at IS NULL", session);
  g_assert_cmpstr (unended, ==, "0");

  /* The manifest is written again: the session ended, the failures. */
  ManifestWait m = { where, n_failed };
  g_assert_true (vw_test_wait_until (manifest_complete, &m, 20000));

  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);
  vw_test_client_free (agent);
  vw_test_client_free (clerk);
  vw_test_server_stop (server);
  umount2 (disk, MNT_DETACH);
  g_rmdir (disk);
}

/* Reaped, and known to GSubprocess as such (the pid alone can be gone a
 * moment before: g_subprocess_get_if_exited () would then be too early). */
static gboolean
server_exited (gpointer data)
{
  return g_subprocess_get_identifier (((VwTestServer *) data)->proc) == NULL;
}

/* Space never returns: the server, stopped, tries once more, then names
 * every write it could not make, in order, in its log. */
static void
test_space_never_returns (void)
{
  g_autofree char *disk = vw_small_disk_new ("vw-disk-full", "24m");
  if (!disk)
    return;
  VwTestServer *server = vw_test_server_start_in (disk, NULL);
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (server, "4", FALSE, &agent, &clerk);

  g_autofree char *filler = g_build_filename (disk, "filler", NULL);
  vw_small_disk_fill (filler);
  vw_test_client_command (clerk, "{\"command\": \"hangup\"}");
  vw_test_client_wait_event (clerk, "rated", NULL, 10000);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);

  g_subprocess_send_signal (server->proc, SIGTERM);
  g_autofree char *end = g_strdup_printf ("store: LOST: the end of session %s", session);
  g_autofree char *rating = g_strdup_printf ("store: LOST: the rating 4 of session %s",
      session);
  vw_test_server_wait_log (server, rating, 20000);
  const char *end_at = strstr (server->log->str, end);
  g_assert_nonnull (end_at);
  g_assert_true (end_at < strstr (server->log->str, rating));
  g_assert_nonnull (strstr (server->log->str, "closing with the disk still full"));

  vw_test_client_free (agent);
  vw_test_client_free (clerk);
  /* It exits cleanly all the same (a second SIGTERM would kill it). */
  g_assert_true (vw_test_wait_until (server_exited, server, 20000));
  g_assert_true (g_subprocess_get_if_exited (server->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (server->proc), ==, 0);
  vw_test_server_stop (server);
  umount2 (disk, MNT_DETACH);
  g_rmdir (disk);
}

/* How many writes may wait is a setting: [server] kept-writes, 100 to
 * 1,000,000; out of range, the server does not start. */
static void
test_kept_writes_setting (void)
{
  g_autofree char *dir = g_dir_make_tmp ("vw-kept-writes-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (dir, "vw.conf", NULL);
  const char *args[] = { "--config", config, NULL };

  g_assert_true (g_file_set_contents (config, "[server]\nkept-writes=100\n", -1, NULL));
  VwTestServer *server = vw_test_server_start_in (dir, args);
  g_assert_true (vw_test_server_is_running (server));
  vw_test_server_stop (server);   /* removes dir */

  g_free (dir);
  dir = g_dir_make_tmp ("vw-kept-writes-XXXXXX", NULL);
  g_free (config);
  config = g_build_filename (dir, "vw.conf", NULL);
  args[1] = config;
  g_assert_true (g_file_set_contents (config, "[server]\nkept-writes=99\n", -1, NULL));
  g_autofree char *err = NULL;
  g_assert_cmpint (vw_test_server_run_to_exit (dir, args, &err), ==, 2);
  g_assert_nonnull (strstr (err, "kept-writes"));
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/disk-full/mid-call", test_disk_full_mid_call);
  g_test_add_func ("/disk-full/space-never-returns", test_space_never_returns);
  g_test_add_func ("/disk-full/kept-writes-setting", test_kept_writes_setting);
  return g_test_run ();
}
