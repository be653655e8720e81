/* test-reconnect: drop-outs (issue 12; PROTOCOL.md "Drop-outs and
 * resuming").  A real vw-server, real vw-client processes, the clerk on
 * loopback or inside a network namespace behind vw-link (vw-netns.h):
 *   - the clerk's WebSocket is dropped (a test command): it resumes, the
 *     same session goes on, frames again both ways, no "ended";
 *   - the clerk never comes back: the agent hears "peer-network"
 *     reconnecting, then "ended" connection-lost when the grace period
 *     ends, and is offered the next clerk;
 *   - a 5 s blackout of the clerk's link: the same session goes on;
 *   - the clerk's address changes mid-call: it resumes from the new
 *     address, the same session goes on;
 *   - refused resumes (bad-resume) and a participant that resumes 200
 *     times in a row without leaking hub state.
 * Assertions are on the order of events and on counts, never on how long
 * something took. */
#include <locale.h>
#include <signal.h>
#include <sqlite3.h>
#include <gst/pbutils/pbutils.h>
#include "vw-netns.h"
#include "vw-test-util.h"
#include "ws-conn.h"

#define AGENT_ARGS(pw) "--role", "agent", "--user", "zhangmin", "--password-file", (pw)
#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai"

/* ---- helpers ---- */

static const char *
str (JsonObject *o, const char *member)
{
  return json_object_get_string_member_with_default (o, member, "");
}

/* The index of the first event named @event at or after @from, or -1. */
static int
find_event (VwTestClient *c, const char *event, guint from)
{
  for (guint i = from; i < c->events->len; i++)
    if (g_str_equal (str (g_ptr_array_index (c->events, i), "event"), event))
      return i;
  return -1;
}

/* Waits until @c's received @track has @more frames beyond what its
 * stats said at event index *@from. */
static void
wait_more_frames (VwTestClient *c, const char *track, gint64 more, guint *from,
    guint timeout_ms)
{
  gint64 first = -1;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (g_get_monotonic_time () < deadline) {
    JsonObject *stats = vw_test_client_wait_event (c, "stats", from, timeout_ms);
    JsonObject *t = vw_test_stats_track (stats, track);
    gint64 n = t ? json_object_get_int_member (t, "frames") : 0;
    if (first < 0)
      first = n;
    /* A new media connection counts from zero again. */
    if (n < first)
      first = 0;
    if (n - first >= more)
      return;
  }
  g_error ("%s: fewer than %" G_GINT64_FORMAT " more %s frames in %u ms", c->name,
      more, track, timeout_ms);
}

static gint64
metric (VwTestServer *server, const char *name)
{
  g_autofree char *url = g_strconcat (server->url, "metrics", NULL);
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", url, NULL, NULL, 0, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    g_autofree char *prefix = g_strconcat (name, " ", NULL);
    if (g_str_has_prefix (lines[i], prefix))
      return g_ascii_strtoll (lines[i] + strlen (prefix), NULL, 10);
  }
  g_error ("no metric %s", name);
}

/* The session's timeline events of @type, from the store. */
static int
count_timeline (VwTestServer *server, const char *session, const char *type)
{
  g_autofree char *path = g_build_filename (server->data_dir, "virtual-window.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT count(*) FROM events WHERE session_id = ? AND type = ?", -1, &st, NULL),
      ==, SQLITE_OK);
  sqlite3_bind_text (st, 1, session, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, type, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  int n = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

/* The recording of a resumed call: @peer's camera was recorded as one
 * track before the drop-out and another after it (the gap between them),
 * every chunk of both finished and playable (GstDiscoverer: VP8 with a
 * duration). */
typedef struct {
  const char *db, *session, *peer;
} TrackQuery;

static int
camera_tracks (const TrackQuery *q, gboolean finished_only, GPtrArray *chunks)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (q->db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT t.id, t.ended_at IS NOT NULL, (SELECT count (*) FROM chunks c WHERE c.track_id = t.id)"
      " FROM tracks t WHERE t.session_id = ? AND t.peer_id = ? AND t.kind = 'camera'"
      " ORDER BY t.offset_ms", -1, &st, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (st, 1, q->session, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, q->peer, -1, SQLITE_TRANSIENT);
  int n = 0;
  while (sqlite3_step (st) == SQLITE_ROW)
    n += !finished_only || (sqlite3_column_int (st, 1) && sqlite3_column_int (st, 2) > 0);
  sqlite3_finalize (st);
  if (chunks) {
    g_assert_cmpint (sqlite3_prepare_v2 (db,
        "SELECT c.path FROM chunks c JOIN tracks t ON c.track_id = t.id"
        " WHERE t.session_id = ? AND t.peer_id = ? AND t.kind = 'camera'", -1, &st, NULL),
        ==, SQLITE_OK);
    sqlite3_bind_text (st, 1, q->session, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 2, q->peer, -1, SQLITE_TRANSIENT);
    while (sqlite3_step (st) == SQLITE_ROW)
      g_ptr_array_add (chunks, g_strdup ((const char *) sqlite3_column_text (st, 0)));
    sqlite3_finalize (st);
  }
  sqlite3_close (db);
  return n;
}

static gboolean
two_finished_tracks (gpointer data)
{
  return camera_tracks (data, TRUE, NULL) >= 2;
}

static void
assert_recording_plays (VwTestServer *server, const char *session, const char *peer)
{
  g_autofree char *db = g_build_filename (server->data_dir, "virtual-window.db", NULL);
  TrackQuery q = { db, session, peer };
  g_assert_true (vw_test_wait_until (two_finished_tracks, &q, 30000));
  g_autoptr (GPtrArray) chunks = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpint (camera_tracks (&q, FALSE, chunks), ==, 2);
  g_assert_cmpuint (chunks->len, >=, 2);
  gst_init (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) d = gst_discoverer_new (10 * GST_SECOND, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < chunks->len; i++) {
    g_autofree char *path = g_build_filename (server->data_dir,
        (const char *) g_ptr_array_index (chunks, i), NULL);
    g_autofree char *uri = gst_filename_to_uri (path, &error);
    g_assert_no_error (error);
    g_autoptr (GstDiscovererInfo) info = gst_discoverer_discover_uri (d, uri, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
    GList *streams = gst_discoverer_info_get_video_streams (info);
    g_assert_cmpuint (g_list_length (streams), ==, 1);
    g_autoptr (GstCaps) caps = gst_discoverer_stream_info_get_caps (streams->data);
    g_assert_cmpstr (gst_structure_get_name (gst_caps_get_structure (caps, 0)), ==,
        "video/x-vp8");
    gst_discoverer_stream_info_list_free (streams);
    g_assert_cmpuint (gst_discoverer_info_get_duration (info), >, 0);
  }
}

static char *
end_reason (VwTestServer *server, const char *session)
{
  g_autofree char *path = g_build_filename (server->data_dir, "virtual-window.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT end_reason FROM sessions WHERE id = ?",
      -1, &st, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (st, 1, session, -1, SQLITE_TRANSIENT);
  char *reason = sqlite3_step (st) == SQLITE_ROW && sqlite3_column_text (st, 0)
      ? g_strdup ((const char *) sqlite3_column_text (st, 0)) : NULL;
  sqlite3_finalize (st);
  sqlite3_close (db);
  return reason;
}

typedef struct {
  VwTestServer *server;
  char *agent_pw;
  VwNetns *ns;           /* (nullable) the clerk's namespace */
  SoupSession *soup;
} Fixture;

static void
start_server (Fixture *f, const char *grace, const char *address)
{
  const char *args[] = { "--reconnect-grace", grace,
    address ? "--address" : NULL, address, "--ice-address", address, NULL };
  f->server = vw_test_server_start (args);
  f->agent_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
  f->soup = soup_session_new ();
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->server)
    vw_test_server_stop (f->server);
  g_free (f->agent_pw);
  g_clear_object (&f->soup);
  g_clear_pointer (&f->ns, vw_netns_free);
}

/* An agent and a clerk in a call, both decoding the other's camera.
 * @inside: the clerk runs in f->ns.  Returns the session id. */
static char *
start_call (Fixture *f, VwTestClient **agent_out, VwTestClient **clerk_out,
    const char *const *extra_clerk_args, gboolean inside)
{
  const char *host = f->ns ? vw_netns_get_host_address (f->ns) : NULL;
  const char *agent_args[] = { AGENT_ARGS (f->agent_pw), "--stats-interval", "250", NULL };
  VwTestClientOptions outside = { .ice_address = host };
  *agent_out = vw_test_client_start_with (f->server, "张敏", &outside, agent_args);
  vw_test_client_wait_event (*agent_out, "registered", NULL, 10000);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *clerk_args[] = { CLERK_ARGS, "--stats-interval", "250", NULL };
  for (guint i = 0; clerk_args[i]; i++)
    g_ptr_array_add (args, (char *) clerk_args[i]);
  for (guint i = 0; extra_clerk_args && extra_clerk_args[i]; i++)
    g_ptr_array_add (args, (char *) extra_clerk_args[i]);
  g_ptr_array_add (args, NULL);
  VwTestClientOptions in_ns = { .wrapper = f->ns ? vw_netns_wrapper (f->ns) : NULL,
    .ice_address = "" };
  *clerk_out = vw_test_client_start_with (f->server, "李华", inside ? &in_ns : NULL,
      (const char *const *) args->pdata);
  JsonObject *paired = vw_test_client_wait_event (*clerk_out, "paired", NULL, 15000);
  char *session = g_strdup (str (paired, "session"));
  VwTestClient *sides[] = { *agent_out, *clerk_out };
  for (guint i = 0; i < 2; i++) {
    guint from = 0;
    vw_test_client_wait_event (sides[i], "first-frame", NULL, 15000);
    wait_more_frames (sides[i], "camera", 20, &from, 15000);
  }
  return session;
}

/* After a drop-out of the clerk: it resumed into @session, the agent heard
 * reconnecting then restored, and frames flow again both ways after that;
 * nobody heard "ended". */
static void
assert_resumed (Fixture *f, VwTestClient *agent, VwTestClient *clerk,
    const char *session, guint clerk_from, guint agent_from, guint timeout_ms)
{
  /* (@clerk is the one that dropped out, @agent the other side.) */
  guint i = clerk_from;
  JsonObject *resumed = vw_test_client_wait_event (clerk, "resumed", &i, timeout_ms);
  g_assert_cmpstr (str (resumed, "session"), ==, session);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", &i, 10000);
  g_assert_cmpstr (str (paired, "session"), ==, session);
  guint j = agent_from;
  JsonObject *rec = vw_test_client_wait_event (agent, "peer-network", &j, timeout_ms);
  g_assert_cmpstr (str (rec, "state"), ==, "reconnecting");
  g_assert_cmpstr (str (rec, "session"), ==, session);
  JsonObject *back = vw_test_client_wait_event (agent, "peer-network", &j, timeout_ms);
  g_assert_cmpstr (str (back, "state"), ==, "restored");
  g_assert_cmpstr (str (back, "peer"), ==, str (rec, "peer"));
  /* Frames again, after "restored": the clerk's new streams on the
   * agent's old m-lines, the agent's streams on the clerk's new ones. */
  guint k = j;
  wait_more_frames (agent, "camera", 30, &k, 15000);
  wait_more_frames (agent, "audio", 30, &k, 15000);
  guint m = i;
  vw_test_client_wait_event (clerk, "first-frame", &m, 15000);
  wait_more_frames (clerk, "camera", 30, &m, 15000);
  g_assert_cmpint (find_event (agent, "ended", 0), ==, -1);
  g_assert_cmpint (find_event (clerk, "ended", 0), ==, -1);
  g_assert_cmpint (count_timeline (f->server, session, "reconnecting"), >=, 1);
  g_assert_cmpint (count_timeline (f->server, session, "restored"), >=, 1);
}

/* Both hang up normally afterwards: the same session, ended once. */
static void
hang_up (VwTestClient *agent, VwTestClient *clerk, const char *session)
{
  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  JsonObject *a = vw_test_client_wait_event (agent, "ended", NULL, 10000);
  JsonObject *c = vw_test_client_wait_event (clerk, "ended", NULL, 10000);
  g_assert_cmpstr (str (a, "session"), ==, session);
  g_assert_cmpstr (str (a, "reason"), ==, "peer-hangup");
  g_assert_cmpstr (str (c, "reason"), ==, "hangup");
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
}

/* ---- on loopback ---- */

static void
test_drop_connection (Fixture *f, gconstpointer data)
{
  start_server (f, "20", NULL);
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (f, &agent, &clerk, NULL, FALSE);
  guint c0 = clerk->events->len, a0 = agent->events->len;
  vw_test_client_command (clerk, "{\"command\":\"drop-connection\"}");
  guint i = c0;
  JsonObject *rec = vw_test_client_wait_event (clerk, "reconnecting", &i, 5000);
  g_assert_cmpstr (str (rec, "session"), ==, session);
  assert_resumed (f, agent, clerk, session, c0, a0, 20000);
  g_assert_cmpint (metric (f->server, "vw_resumes_total"), ==, 1);
  g_autofree char *clerk_peer = g_strdup (str (
      vw_test_client_wait_event (clerk, "registered", NULL, 1000), "peer_id"));
  hang_up (agent, clerk, session);
  assert_recording_plays (f->server, session, clerk_peer);
  vw_test_client_free (clerk);
  vw_test_client_free (agent);
}

/* The agent drops out and comes back: the clerk hears reconnecting and
 * restored, the same session goes on. */
static void
test_agent_drops (Fixture *f, gconstpointer data)
{
  start_server (f, "20", NULL);
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (f, &agent, &clerk, NULL, FALSE);
  guint c0 = clerk->events->len, a0 = agent->events->len;
  vw_test_client_command (agent, "{\"command\":\"drop-connection\"}");
  assert_resumed (f, clerk, agent, session, a0, c0, 20000);
  hang_up (agent, clerk, session);
  vw_test_client_free (clerk);
  vw_test_client_free (agent);
}

/* --duration counts from the first connect and still hangs up after a
 * resume. */
static void
test_duration_after_resume (Fixture *f, gconstpointer data)
{
  start_server (f, "20", NULL);
  VwTestClient *agent, *clerk;
  const char *extra[] = { "--duration", "8", NULL };
  g_autofree char *session = start_call (f, &agent, &clerk, extra, FALSE);
  guint c0 = clerk->events->len;
  vw_test_client_command (clerk, "{\"command\":\"drop-connection\"}");
  guint i = c0;
  vw_test_client_wait_event (clerk, "resumed", &i, 20000);
  JsonObject *a = vw_test_client_wait_event (agent, "ended", NULL, 30000);
  g_assert_cmpstr (str (a, "session"), ==, session);
  g_assert_cmpstr (str (a, "reason"), ==, "peer-hangup");
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  vw_test_client_free (clerk);
  vw_test_client_free (agent);
}

/* The clerk is killed and never comes back: the agent hears reconnecting,
 * then, the grace period over, ended connection-lost, and serves the next
 * clerk, who waited meanwhile. */
static void
test_never_returns (Fixture *f, gconstpointer data)
{
  start_server (f, "3", NULL);
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (f, &agent, &clerk, NULL, FALSE);
  const char *next_args[] = { CLERK_ARGS, NULL };
  g_autoptr (VwTestClient) next = vw_test_client_start (f->server, "陈静", next_args);
  vw_test_client_wait_event (next, "queued", NULL, 10000);
  guint a0 = agent->events->len;
  g_subprocess_send_signal (clerk->proc, SIGKILL);
  guint j = a0;
  JsonObject *rec = vw_test_client_wait_event (agent, "peer-network", &j, 10000);
  g_assert_cmpstr (str (rec, "state"), ==, "reconnecting");
  JsonObject *ended = vw_test_client_wait_event (agent, "ended", &j, 20000);
  g_assert_cmpstr (str (ended, "session"), ==, session);
  g_assert_cmpstr (str (ended, "reason"), ==, "connection-lost");
  /* No "restored" came between. */
  for (int k = find_event (agent, "peer-network", a0); k >= 0 && k < (int) j;
       k = find_event (agent, "peer-network", k + 1))
    g_assert_cmpstr (str (g_ptr_array_index (agent->events, k), "state"), ==, "reconnecting");
  /* The agent is free: the next clerk is paired with it. */
  JsonObject *paired = vw_test_client_wait_event (agent, "paired", &j, 20000);
  g_assert_cmpstr (str (paired, "session"), !=, session);
  vw_test_client_wait_event (next, "paired", NULL, 10000);
  g_assert_cmpint (metric (f->server, "vw_reconnect_grace_expired_total"), ==, 1);
  g_autofree char *stored = end_reason (f->server, session);
  g_assert_cmpstr (stored, ==, "connection-lost");
  vw_test_client_free (clerk);
  vw_test_client_free (agent);
}

/* ---- bad input ---- */

static char *
hello_text (const char *role, const char *resume)
{
  return g_strdup_printf ("{\"type\":\"hello\",\"id\":\"h\",\"protocol\":1,\"role\":\"%s\","
      "\"name\":\"n\",\"province\":\"anhui\",\"center\":\"c\"%s%s%s}", role,
      resume ? ",\"resume\":\"" : "", resume ? resume : "", resume ? "\"" : "");
}

/* A clerk waiting in the queue (no agent on duty); *token_out its token. */
static Conn *
queued_clerk (Fixture *f, char **token_out, char **peer_out)
{
  Conn *c = conn_open (f->soup, f->server->ws_url, "clerk");
  g_autofree char *hello = hello_text ("clerk", NULL);
  g_autoptr (JsonObject) welcome = conn_exchange (c, hello);
  assert_type (welcome, "welcome");
  *token_out = g_strdup (member_string (welcome, "resume-token"));
  if (peer_out)
    *peer_out = g_strdup (member_string (welcome, "peer_id"));
  g_assert_cmpuint (strlen (*token_out), >=, 32);   /* >= 128 bits in hex */
  conn_send (c, "{\"type\":\"request\",\"province\":\"shanghai\",\"item\":\"QY-SL-001\"}");
  g_autoptr (JsonObject) queued = conn_next (c);
  assert_type (queued, "queued");
  return c;
}

static JsonObject *
resume (Fixture *f, Conn **out, const char *role, const char *token)
{
  *out = conn_open (f->soup, f->server->ws_url, "resumer");
  g_autofree char *hello = hello_text (role, token);
  return conn_exchange (*out, hello);
}

static void
test_bad_resume (Fixture *f, gconstpointer data)
{
  start_server (f, "3", NULL);
  /* Unknown token: refused, the connection stays, a plain hello works. */
  Conn *c = NULL;
  g_autoptr (JsonObject) unknown = resume (f, &c, "clerk", "r-00000000000000000000000000000000");
  assert_error (unknown, "bad-resume", "\"h\"");
  assert_open (c);
  g_autofree char *plain = hello_text ("clerk", NULL);
  g_autoptr (JsonObject) welcome = conn_exchange (c, plain);
  assert_type (welcome, "welcome");
  conn_free (c);

  /* A queued clerk's token, in an agent's hello: refused; the clerk is not
   * taken over (its connection stays open). */
  g_autofree char *token = NULL, *peer = NULL;
  Conn *clerk = queued_clerk (f, &token, &peer);
  g_autoptr (JsonObject) wrong_role = resume (f, &c, "agent", token);
  assert_error (wrong_role, "bad-resume", "\"h\"");
  assert_open (clerk);
  conn_free (c);

  /* Lost while queued, resumed within the grace period: the same peer, a
   * new token, its place in the queue (ahead of one who came later). */
  g_autofree char *later_token = NULL;
  Conn *later = queued_clerk (f, &later_token, NULL);
  conn_lose (clerk);
  vw_test_server_wait_log (f->server, "kept 3 s", 5000);
  Conn *back = NULL;
  g_autoptr (JsonObject) resumed = resume (f, &back, "clerk", token);
  assert_type (resumed, "welcome");
  g_assert_cmpstr (member_string (resumed, "peer_id"), ==, peer);
  g_assert_true (json_object_get_boolean_member (resumed, "resumed"));
  g_autofree char *token2 = g_strdup (member_string (resumed, "resume-token"));
  g_assert_cmpstr (token2, !=, token);
  g_autoptr (JsonObject) queued = conn_next (back);
  assert_type (queued, "queued");
  g_assert_cmpint (json_object_get_int_member (queued, "position"), ==, 1);
  conn_free (later);

  /* The used token again: refused. */
  g_autoptr (JsonObject) reused = resume (f, &c, "clerk", token);
  assert_error (reused, "bad-resume", "\"h\"");
  assert_open (back);
  conn_free (c);

  /* Taken over while still connected (the new connection wins; the old
   * one is closed with 4000). */
  Conn *again = NULL;
  g_autoptr (JsonObject) taken = resume (f, &again, "clerk", token2);
  assert_type (taken, "welcome");
  g_assert_cmpstr (member_string (taken, "peer_id"), ==, peer);
  g_autofree char *token3 = g_strdup (member_string (taken, "resume-token"));
  g_assert_true (vw_test_wait_until (conn_is_closed, back, 5000));
  g_assert_cmpuint (back->close_code, ==, 4000);
  conn_free (back);

  /* Expired: lost, the grace period (3 s) passes, then refused. */
  conn_lose (again);
  vw_test_server_wait_log (f->server, "did not come back", 10000);
  g_autoptr (JsonObject) expired = resume (f, &c, "clerk", token3);
  assert_error (expired, "bad-resume", "\"h\"");
  conn_free (c);
  g_assert_cmpint (metric (f->server, "vw_resume_tokens"), ==, 0);
}

/* A clerk that closes its WebSocket with 1000 (取消排队, vw-client
 * exiting) leaves the queue at once: the one behind moves up long before
 * the grace period (30 s) would end, and nothing of it is kept. */
static void
test_deliberate_leave (Fixture *f, gconstpointer data)
{
  start_server (f, "30", NULL);
  g_autofree char *first_token = NULL, *second_token = NULL;
  Conn *first = queued_clerk (f, &first_token, NULL);
  Conn *second = queued_clerk (f, &second_token, NULL);
  g_assert_cmpint (metric (f->server, "vw_resume_tokens"), ==, 2);
  conn_free (first);   /* close frame 1000 */
  g_autoptr (JsonObject) moved = conn_next (second);
  assert_type (moved, "queued");
  g_assert_cmpint (json_object_get_int_member (moved, "position"), ==, 1);
  g_assert_cmpint (metric (f->server, "vw_resume_tokens"), ==, 1);
  g_assert_cmpint (metric (f->server, "vw_connections_lost_total"), ==, 0);
  Conn *c = NULL;
  g_autoptr (JsonObject) refused = resume (f, &c, "clerk", first_token);
  assert_error (refused, "bad-resume", "\"h\"");
  conn_free (c);
  conn_free (second);
}

/* A clerk in a session (the agent a real vw-client) that drops and
 * resumes 200 times in a row: each resume rotates the token, and the hub
 * keeps two participants and two webrtcbins, the broker two connections. */
static void
test_resume_forever (Fixture *f, gconstpointer data)
{
  const char *args[] = { "--reconnect-grace", "30", "--media-start-timeout", "3600", NULL };
  f->server = vw_test_server_start (args);
  f->agent_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
  f->soup = soup_session_new ();
  const char *agent_args[] = { AGENT_ARGS (f->agent_pw), NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "agent-state", NULL, 10000);
  vw_test_run_for (300);
  g_autofree char *token = NULL;
  Conn *c = conn_open (f->soup, f->server->ws_url, "clerk");
  g_autofree char *hello = hello_text ("clerk", NULL);
  g_autoptr (JsonObject) welcome = conn_exchange (c, hello);
  token = g_strdup (member_string (welcome, "resume-token"));
  conn_send (c, "{\"type\":\"request\",\"province\":\"shanghai\",\"item\":\"QY-SL-001\"}");
  JsonObject *m;
  while (!g_str_equal (member_string ((m = conn_next_timeout (c, 10000)), "type"), "paired"))
    json_object_unref (m);
  g_autofree char *session = g_strdup (member_string (m, "session"));
  json_object_unref (m);
  vw_test_client_wait_event (agent, "paired", NULL, 10000);
  vw_test_run_for (500);
  gint64 bins = metric (f->server, "vw_hub_webrtcbins");
  gint64 parts = metric (f->server, "vw_hub_participants");
  g_assert_cmpint (bins, ==, 2);
  g_assert_cmpint (parts, ==, 2);

  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (seen, g_strdup (token));
  for (guint n = 0; n < 200; n++) {
    conn_lose (c);
    g_autofree char *text = hello_text ("clerk", token);
    c = conn_open (f->soup, f->server->ws_url, "clerk");
    g_autoptr (JsonObject) w = conn_exchange (c, text);
    assert_type (w, "welcome");
    g_assert_true (json_object_get_boolean_member (w, "resumed"));
    g_free (token);
    token = g_strdup (member_string (w, "resume-token"));
    g_assert_true (g_hash_table_add (seen, g_strdup (token)));   /* rotated */
    g_autoptr (JsonObject) p = conn_next (c);
    assert_type (p, "paired");
    g_assert_cmpstr (member_string (p, "session"), ==, session);
    g_assert_true (json_object_get_boolean_member (p, "resumed"));
  }
  vw_test_run_for (1000);
  g_assert_cmpint (metric (f->server, "vw_hub_webrtcbins"), ==, bins);
  g_assert_cmpint (metric (f->server, "vw_hub_participants"), ==, parts);
  g_assert_cmpint (metric (f->server, "vw_connections"), ==, 2);
  g_assert_cmpint (metric (f->server, "vw_resume_tokens"), ==, 2);
  g_assert_cmpint (metric (f->server, "vw_resumes_total"), ==, 200);
  g_assert_cmpint (metric (f->server, "vw_sessions_live"), ==, 1);
  g_assert_cmpint (find_event (agent, "ended", 0), ==, -1);
  g_autofree char *hangup = g_strdup_printf ("{\"type\":\"hangup\",\"session\":\"%s\"}",
      session);
  conn_send (c, hangup);
  vw_test_client_wait_event (agent, "ended", NULL, 10000);
  conn_free (c);
}

/* ---- through a link (network namespace) ---- */

static gboolean
make_netns (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  f->ns = vw_netns_new (&error);
  if (!f->ns) {
    g_test_skip (error->message);
    return FALSE;
  }
  return TRUE;
}

/* A 5 s blackout of the clerk's link: the same session goes on; frames
 * again after it; nobody hears "ended". */
static void
test_blackout (Fixture *f, gconstpointer data)
{
  if (!make_netns (f))
    return;
  g_autoptr (GError) error = NULL;
  start_server (f, "30", vw_netns_get_host_address (f->ns));
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (f, &agent, &clerk, NULL, TRUE);
  g_assert_true (vw_netns_blackout (f->ns, TRUE, &error));
  vw_test_run_for (5000);
  g_assert_true (vw_netns_blackout (f->ns, FALSE, &error));
  gint64 back_at = g_get_monotonic_time ();
  guint from = agent->events->len;
  wait_more_frames (agent, "camera", 5, &from, 30000);
  g_test_message ("frames again at the agent %" G_GINT64_FORMAT " ms after the "
      "blackout ended (stats every 250 ms); clerk media-restart: %s",
      (g_get_monotonic_time () - back_at) / 1000,
      find_event (clerk, "media-restart", 0) >= 0 ? "yes" : "no");
  wait_more_frames (agent, "camera", 60, &from, 30000);
  from = clerk->events->len;
  wait_more_frames (clerk, "camera", 60, &from, 30000);
  g_assert_cmpint (find_event (agent, "ended", 0), ==, -1);
  g_assert_cmpint (find_event (clerk, "ended", 0), ==, -1);
  g_test_message ("clerk: %s", find_event (clerk, "resumed", 0) >= 0
      ? "resumed" : "kept its connections");
  hang_up (agent, clerk, session);
  vw_test_client_free (clerk);
  vw_test_client_free (agent);
}

/* The clerk's address changes mid-call (Wi-Fi to 4G): it resumes from
 * the new address, the same session goes on. */
static void
test_readdress (Fixture *f, gconstpointer data)
{
  if (!make_netns (f))
    return;
  g_autoptr (GError) error = NULL;
  start_server (f, "30", vw_netns_get_host_address (f->ns));
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (f, &agent, &clerk, NULL, TRUE);
  guint c0 = clerk->events->len, a0 = agent->events->len;
  g_assert_true (vw_netns_readdress (f->ns, &error));
  assert_resumed (f, agent, clerk, session, c0, a0, 40000);
  guint i = c0;
  JsonObject *rec = vw_test_client_wait_event (clerk, "reconnecting", &i, 1000);
  JsonObject *back = vw_test_client_wait_event (clerk, "resumed", &i, 1000);
  g_test_message ("clerk noticed: %s; resumed after %" G_GINT64_FORMAT " ms, %"
      G_GINT64_FORMAT " attempts", str (rec, "cause"),
      json_object_get_int_member (back, "away_ms"),
      json_object_get_int_member (back, "attempts"));
  hang_up (agent, clerk, session);
  vw_test_client_free (clerk);
  vw_test_client_free (agent);
}

static void
nft_in (Fixture *f, const char *script)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "ip", "netns", "exec", vw_netns_get_name (f->ns), "nft", "-f", "-", NULL };
  g_autoptr (GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, script, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (p));
}

/* UDP blocked for the clerk, its WebSocket (TCP) fine: the media
 * connection is lost on one side or the other (the hub: media-restart;
 * the clerk: media-lost, then a resume); once UDP passes again the same
 * session goes on. */
static void
test_media_only (Fixture *f, gconstpointer data)
{
  if (!make_netns (f))
    return;
  start_server (f, "60", vw_netns_get_host_address (f->ns));
  VwTestClient *agent, *clerk;
  g_autofree char *session = start_call (f, &agent, &clerk, NULL, TRUE);
  guint c0 = clerk->events->len, a0 = agent->events->len;
  nft_in (f, "table inet vwt {\n chain out {\n  type filter hook output priority 0;\n"
      "  meta l4proto udp drop\n }\n}\n");
  gint64 deadline = g_get_monotonic_time () + 45 * G_USEC_PER_SEC;
  int lost = -1;
  while (g_get_monotonic_time () < deadline && lost < 0) {
    vw_test_run_for (250);
    lost = find_event (clerk, "media-restart", c0);
    if (lost < 0)
      lost = find_event (clerk, "media-lost", c0);
  }
  nft_in (f, "delete table inet vwt");
  if (lost < 0) {
    g_test_skip ("no side reported the media connection lost within 45 s");
    vw_test_client_free (clerk);
    vw_test_client_free (agent);
    return;
  }
  g_test_message ("clerk: %s", str (g_ptr_array_index (clerk->events, lost), "event"));
  guint j = a0;
  JsonObject *rec = vw_test_client_wait_event (agent, "peer-network", &j, 10000);
  g_assert_cmpstr (str (rec, "state"), ==, "reconnecting");
  JsonObject *back = vw_test_client_wait_event (agent, "peer-network", &j, 30000);
  g_assert_cmpstr (str (back, "state"), ==, "restored");
  guint k = j;
  wait_more_frames (agent, "camera", 30, &k, 15000);
  g_assert_cmpint (find_event (agent, "ended", 0), ==, -1);
  hang_up (agent, clerk, session);
  vw_test_client_free (clerk);
  vw_test_client_free (agent);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/reconnect/drop-connection", test_drop_connection);
  ADD ("/reconnect/agent-drops", test_agent_drops);
  ADD ("/reconnect/duration-after-resume", test_duration_after_resume);
  ADD ("/reconnect/never-returns", test_never_returns);
  ADD ("/reconnect/bad-resume", test_bad_resume);
  ADD ("/reconnect/deliberate-leave", test_deliberate_leave);
  ADD ("/reconnect/resume-forever", test_resume_forever);
  ADD ("/reconnect/blackout", test_blackout);
  ADD ("/reconnect/readdress", test_readdress);
  ADD ("/reconnect/media-only", test_media_only);
  return g_test_run ();
}
