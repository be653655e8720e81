/* test-abuse-broker: the broker under abuse, against a real vw-server over
 * real WebSockets (tests/ws-conn.h) and, where media must really start,
 * real vw-client processes.
 *
 *  - A supervisor watching a session live is receive-only: every message
 *    that would change the session or reach its participants is refused
 *    (wrong-role), nothing is relayed and nothing is stored; it may still
 *    answer the hub, and stop watching.
 *  - A pair whose clerk's media never starts (no publish, or a publish
 *    whose connection never comes up) ends after media-start-timeout with
 *    "media-timeout"; the agent is offered the next clerk at once.  A call
 *    whose media starts in time is not touched.
 *  - Clerks waiting at once from one address are capped
 *    (max-waiting-per-address, too-many-waiting); the queue an agent is
 *    sent lists the first entries and the total.
 *
 * The people (../shared/DOMAIN.md): 王芳 (wangfang), agent of 黄浦区政务服务中心,
 * Shanghai; 赵蕾 (zhaolei), supervisor of the same centre; clerks of
 * Zhejiang centres asking under Shanghai's rules for 企业设立 (QY-SL-001). */
#include <locale.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>
#include "vw-test-util.h"
#include "ws-conn.h"

#define ITEM "QY-SL-001"
#define ENDED_TIMEOUT_MS 10000

static SoupSession *http;

/* ---- people ---- */

typedef struct {
  const char *role, *name, *province, *center;
  const char *username;   /* agents and supervisors: their account */
} Person;

static const Person agent_wang = { "agent", "王芳", "shanghai", "黄浦区政务服务中心", "wangfang" };
static const Person supervisor_zhao = { "supervisor", "赵蕾", "shanghai", "黄浦区政务服务中心", "zhaolei" };
static const Person clerk_chen = { "clerk", "陈静", "zhejiang", "嘉善县行政服务中心" };
static const Person clerk_zhou = { "clerk", "周婷", "zhejiang", "杭州市民中心" };

typedef struct {
  VwTestServer *server;
  GHashTable *tokens;   /* username -> token */
} World;

static void
world_start (World *w, const char *const *args)
{
  w->server = vw_test_server_start (args);
  w->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  const Person *accounts[] = { &agent_wang, &supervisor_zhao };
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++) {
    const Person *p = accounts[i];
    g_autofree char *pw = vw_test_server_add_account (w->server, p->username, p->role,
        p->name, p->province, p->center, NULL);
    g_hash_table_insert (w->tokens, (gpointer) p->username,
        vw_test_server_token (w->server, p->username));
  }
}

static void
world_stop (World *w)
{
  vw_test_server_stop (g_steal_pointer (&w->server));
  g_clear_pointer (&w->tokens, g_hash_table_unref);
}

static Conn *
open_conn (World *w, const char *label)
{
  return conn_open (http, w->server->ws_url, label);
}

/* The next message that is not the hub's media talk (offer, ice,
 * keyframe, tracks) or an agent's queue view, which come at any time. */
static JsonObject *
next_signal (Conn *c)
{
  for (;;) {
    JsonObject *o = conn_next (c);
    const char *type = member_string (o, "type");
    if (!g_str_equal (type, "offer") && !g_str_equal (type, "ice")
        && !g_str_equal (type, "keyframe") && !g_str_equal (type, "tracks")
        && !g_str_equal (type, "queue"))
      return o;
    json_object_unref (o);
  }
}

static void
register_as (World *w, Conn *c, const Person *p)
{
  g_autofree char *token = p->username
      ? g_strdup_printf (",\"token\":\"%s\"",
          (char *) g_hash_table_lookup (w->tokens, p->username))
      : g_strdup ("");
  g_autofree char *text = g_strdup_printf ("{\"type\":\"hello\",\"id\":\"hello-1\","
      "\"protocol\":1,\"role\":\"%s\",\"name\":\"%s\",\"province\":\"%s\","
      "\"center\":\"%s\"%s}", p->role, p->name, p->province, p->center, token);
  g_autoptr (JsonObject) welcome = conn_exchange (c, text);
  assert_type (welcome, "welcome");
  assert_ref (welcome, "\"hello-1\"");
}

static void
set_available (Conn *agent, gboolean available)
{
  g_autoptr (JsonObject) ok = conn_exchange (agent, available
      ? "{\"type\":\"status\",\"id\":\"st-1\",\"available\":true}"
      : "{\"type\":\"status\",\"id\":\"st-1\",\"available\":false}");
  assert_type (ok, "ok");
}

/* A request for 企业设立 in Shanghai: (transfer full) the reply. */
static JsonObject *
request (Conn *clerk)
{
  return conn_exchange (clerk, "{\"type\":\"request\",\"id\":\"r-1\","
      "\"province\":\"shanghai\",\"item\":\"" ITEM "\"}");
}

static void
request_ok (Conn *clerk)
{
  g_autoptr (JsonObject) ok = request (clerk);
  assert_type (ok, "ok");
  assert_ref (ok, "\"r-1\"");
}

/* "paired" (then "recording") on @c; (transfer full) the session id. */
static char *
expect_paired (Conn *c, const Person *peer)
{
  g_autoptr (JsonObject) paired = next_signal (c);
  assert_type (paired, "paired");
  g_assert_cmpstr (member_string (json_object_get_object_member (paired, "peer"), "name"),
      ==, peer->name);
  char *session = g_strdup (member_string (paired, "session"));
  g_autoptr (JsonObject) rec = next_signal (c);
  assert_type (rec, "recording");
  return session;
}

/* The clerk asks; it and the (available) agent are paired.  (transfer
 * full) the session id. */
static char *
pair (Conn *agent, Conn *clerk, const Person *k)
{
  request_ok (clerk);
  g_autofree char *s1 = expect_paired (clerk, &agent_wang);
  char *s2 = expect_paired (agent, k);
  g_assert_cmpstr (s1, ==, s2);
  return s2;
}

static void
assert_ended (JsonObject *o, const char *session, const char *reason)
{
  assert_type (o, "ended");
  g_assert_cmpstr (member_string (o, "session"), ==, session);
  g_assert_cmpstr (member_string (o, "reason"), ==, reason);
}

/* Shows that the server sent @c nothing before now: a message that gets
 * an error reply (a clerk or agent may not "monitor"), sent after what we
 * are waiting on was handled, must be the next one. */
static void
assert_nothing_sent (Conn *c)
{
  g_autoptr (JsonObject) e = conn_exchange (c,
      "{\"type\":\"monitor\",\"id\":\"sync\",\"session\":\"s-none\"}");
  assert_error (e, "wrong-role", "\"sync\"");
  assert_no_message (c);
}

/* ---- the store ---- */

static sqlite3 *
db_open (World *w)
{
  g_autofree char *path = g_build_filename (w->server->data_dir, "virtual-window.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static gint64
db_int (World *w, const char *sql, const char *arg)
{
  sqlite3 *db = db_open (w);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  gint64 n = -1;
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static char *
db_text (World *w, const char *sql, const char *arg)
{
  sqlite3 *db = db_open (w);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  char *text = NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0))
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

/* ======================================================================== */
/* Row 7: watching live is receive-only                                     */

/* One session (王芳 serves 陈静, nobody publishes) watched by 赵蕾, for every
 * row; the session must survive them all. */
static struct {
  World w;
  Conn *agent, *clerk, *watcher;
  char *session;
  char *watcher_id, *clerk_id;
} live;

/* A stored snapshot of the clerk's page in the session, so that an
 * "annotate" from the watcher would pass every check after the sender's:
 * written into the store as the hub would have (the evidence record is
 * all that annotate consults). */
static void
store_snapshot (void)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO snapshots (id, session_id, path, "
      "sha256, size, mime, width, height, requested_by, sent_by, created_at) VALUES "
      "('snap-watched', '%s', 'sessions/%s/snapshots/snap-watched.png', '%s', 1000, "
      "'image/png', 640, 480, 'p-agent', '%s', 1)", live.session, live.session,
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", live.clerk_id);
  sqlite3 *db = db_open (&live.w);
  char *err = NULL;
  if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("cannot store the snapshot: %s", err);
  sqlite3_close (db);
}

static void
live_setup (void)
{
  if (live.session)
    return;
  world_start (&live.w, (const char *[]) { "--wrap-up-seconds", "0",
      "--media-start-timeout", "600", NULL });
  live.agent = open_conn (&live.w, "agent");
  live.clerk = open_conn (&live.w, "clerk");
  live.watcher = open_conn (&live.w, "watcher");
  register_as (&live.w, live.agent, &agent_wang);
  set_available (live.agent, TRUE);
  g_autoptr (JsonObject) welcome = conn_exchange (live.clerk, "{\"type\":\"hello\","
      "\"protocol\":1,\"role\":\"clerk\",\"name\":\"陈静\",\"province\":\"zhejiang\","
      "\"center\":\"嘉善县行政服务中心\"}");
  assert_type (welcome, "welcome");
  live.clerk_id = g_strdup (member_string (welcome, "peer_id"));
  live.session = pair (live.agent, live.clerk, &clerk_chen);
  store_snapshot ();

  register_as (&live.w, live.watcher, &supervisor_zhao);
  g_autofree char *monitor = g_strdup_printf ("{\"type\":\"monitor\",\"id\":\"m-1\","
      "\"session\":\"%s\"}", live.session);
  g_autoptr (JsonObject) ok = conn_exchange (live.watcher, monitor);
  assert_type (ok, "ok");
  g_free (expect_paired (live.watcher, &agent_wang));
}

typedef struct {
  const char *name;
  const char *json;      /* printf format: %s is the session */
  const char *code;
} WatcherRow;

/* Every client message but hello (a second one is already-registered
 * anyway) and the three a watcher needs: answer and ice (its media),
 * hangup (stop watching). */
static const WatcherRow watcher_rows[] = {
  { "annotate", "{\"type\":\"annotate\",\"id\":\"x\",\"session\":\"%s\","
    "\"snapshot\":\"snap-watched\",\"x\":10,\"y\":10,\"w\":100,\"h\":50,"
    "\"note\":\"此处缺少签名\"}", "wrong-role" },
  { "publish", "{\"type\":\"publish\",\"id\":\"x\",\"session\":\"%s\","
    "\"tracks\":[{\"kind\":\"camera\"}]}", "wrong-role" },
  { "snapshot-request", "{\"type\":\"snapshot-request\",\"id\":\"x\",\"session\":\"%s\"}",
    "wrong-role" },
  { "transfer", "{\"type\":\"transfer\",\"id\":\"x\",\"session\":\"%s\","
    "\"item\":\"QY-ZX-003\"}", "wrong-role" },
  { "invite", "{\"type\":\"invite\",\"id\":\"x\",\"session\":\"%s\","
    "\"agent\":\"wangfang\"}", "wrong-role" },
  { "rate", "{\"type\":\"rate\",\"id\":\"x\",\"session\":\"%s\",\"level\":1}",
    "wrong-role" },
  { "status", "{\"type\":\"status\",\"id\":\"x\",\"available\":false,\"_\":\"%s\"}",
    "wrong-role" },
  { "request", "{\"type\":\"request\",\"id\":\"x\",\"province\":\"shanghai\","
    "\"item\":\"" ITEM "\",\"_\":\"%s\"}", "wrong-role" },
  { "monitor", "{\"type\":\"monitor\",\"id\":\"x\",\"session\":\"%s\"}", "wrong-state" },
};

/* What the store holds about the session: its events, annotations and
 * snapshots, and whether it is still open. */
static char *
store_state (void)
{
  return g_strdup_printf ("events %" G_GINT64_FORMAT ", annotations %" G_GINT64_FORMAT
      ", snapshots %" G_GINT64_FORMAT ", %s",
      db_int (&live.w, "SELECT count(*) FROM events WHERE session_id = ?", live.session),
      db_int (&live.w, "SELECT count(*) FROM annotations WHERE session_id = ?", live.session),
      db_int (&live.w, "SELECT count(*) FROM snapshots WHERE session_id = ?", live.session),
      db_text (&live.w, "SELECT state FROM sessions WHERE id = ?", live.session));
}

static void
test_watcher_refused (gconstpointer data)
{
  const WatcherRow *row = data;
  live_setup ();
  g_autofree char *before = store_state ();
  g_assert_true (g_str_has_suffix (before, ", open"));

  g_autofree char *text = g_strdup_printf (row->json, live.session);
  conn_send (live.watcher, text);
  g_autoptr (JsonObject) reply = next_signal (live.watcher);
  assert_error (reply, row->code, "\"x\"");

  /* Nothing relayed to the participants, nothing stored, the session
   * goes on. */
  assert_nothing_sent (live.clerk);
  assert_nothing_sent (live.agent);
  g_autofree char *after = store_state ();
  g_assert_cmpstr (after, ==, before);
}

/* The watcher may leave: "ended" (hangup) to it alone; the call goes on. */
static void
test_watcher_leaves (void)
{
  live_setup ();
  g_autofree char *text = g_strdup_printf ("{\"type\":\"hangup\",\"id\":\"bye\","
      "\"session\":\"%s\"}", live.session);
  conn_send (live.watcher, text);
  g_autoptr (JsonObject) ended = next_signal (live.watcher);
  assert_ended (ended, live.session, "hangup");
  assert_ref (ended, "\"bye\"");
  assert_nothing_sent (live.clerk);
  assert_nothing_sent (live.agent);
  g_autofree char *state = db_text (&live.w, "SELECT state FROM sessions WHERE id = ?",
      live.session);
  g_assert_cmpstr (state, ==, "open");
  g_assert_cmpint (db_int (&live.w, "SELECT count(*) FROM events WHERE session_id = ? "
      "AND type = 'monitor-stopped'", live.session), ==, 1);

  g_clear_pointer (&live.watcher, conn_free);
  g_clear_pointer (&live.agent, conn_free);
  g_clear_pointer (&live.clerk, conn_free);
  world_stop (&live.w);
}

/* ======================================================================== */
/* Row 4: a pair whose clerk's media never starts                           */

static Conn *
clerk_conn (World *w, const char *label, const Person *k, char **peer_id)
{
  Conn *c = open_conn (w, label);
  g_autofree char *text = g_strdup_printf ("{\"type\":\"hello\",\"protocol\":1,"
      "\"role\":\"clerk\",\"name\":\"%s\",\"province\":\"%s\",\"center\":\"%s\"}",
      k->name, k->province, k->center);
  g_autoptr (JsonObject) welcome = conn_exchange (c, text);
  assert_type (welcome, "welcome");
  if (peer_id)
    *peer_id = g_strdup (member_string (welcome, "peer_id"));
  return c;
}

/* 陈静 is paired and never publishes; 周婷, queued behind her, publishes
 * but never answers the hub's offer, so her connection never comes up.
 * Each session ends with media-timeout (stored so), and each time the
 * agent, wrap-up time notwithstanding (30 s here), is given the next
 * clerk at once. */
static void
test_media_timeout (void)
{
  World w = { 0 };
  world_start (&w, (const char *[]) { "--media-start-timeout", "1",
      "--wrap-up-seconds", "30", NULL });
  g_autoptr (Conn) agent = open_conn (&w, "agent");
  register_as (&w, agent, &agent_wang);
  set_available (agent, TRUE);
  g_autoptr (Conn) chen = clerk_conn (&w, "陈静", &clerk_chen, NULL);
  g_autofree char *first = pair (agent, chen, &clerk_chen);
  g_autoptr (Conn) zhou = clerk_conn (&w, "周婷", &clerk_zhou, NULL);
  request_ok (zhou);
  g_autoptr (JsonObject) queued = next_signal (zhou);
  assert_type (queued, "queued");

  /* Nobody published: both told why it ended, then the agent and 周婷 are
   * paired at once. */
  g_autoptr (JsonObject) e1 = conn_next_timeout (chen, ENDED_TIMEOUT_MS);
  assert_ended (e1, first, "media-timeout");
  g_autoptr (JsonObject) e2 = next_signal (agent);
  assert_ended (e2, first, "media-timeout");
  g_autofree char *second = expect_paired (agent, &clerk_zhou);
  g_autofree char *second_clerk = expect_paired (zhou, &agent_wang);
  g_assert_cmpstr (second, ==, second_clerk);
  g_autofree char *state = db_text (&w, "SELECT state || ' ' || end_reason FROM sessions "
      "WHERE id = ?", first);
  g_assert_cmpstr (state, ==, "ended media-timeout");

  /* 周婷 publishes (ok, then the hub's offer) but never answers. */
  g_autofree char *publish = g_strdup_printf ("{\"type\":\"publish\",\"id\":\"pub\","
      "\"session\":\"%s\",\"tracks\":[{\"kind\":\"camera\"},{\"kind\":\"audio\"}]}", second);
  g_autoptr (JsonObject) ok = conn_exchange (zhou, publish);
  assert_type (ok, "ok");
  g_autoptr (JsonObject) e3 = next_signal (zhou);
  assert_ended (e3, second, "media-timeout");
  g_autoptr (JsonObject) e4 = next_signal (agent);
  assert_ended (e4, second, "media-timeout");
  g_free (state);
  state = db_text (&w, "SELECT state || ' ' || end_reason FROM sessions WHERE id = ?",
      second);
  g_assert_cmpstr (state, ==, "ended media-timeout");

  /* Counted for monitoring. */
  g_autofree char *url = g_strconcat (w.server->url, "metrics", NULL);
  guint status = 0;
  g_autoptr (GBytes) metrics = vw_test_http ("GET", url, NULL, NULL, 0, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_autofree char *text = g_strndup (g_bytes_get_data (metrics, NULL), g_bytes_get_size (metrics));
  g_assert_nonnull (strstr (text, "\nvw_media_timeouts_total 2\n"));

  /* Available again at once, not wrapping up: the next clerk is paired. */
  g_autoptr (Conn) chen2 = clerk_conn (&w, "陈静 again", &clerk_chen, NULL);
  g_free (pair (agent, chen2, &clerk_chen));

  g_clear_pointer (&chen2, conn_free);
  g_clear_pointer (&zhou, conn_free);
  g_clear_pointer (&chen, conn_free);
  g_clear_pointer (&agent, conn_free);
  world_stop (&w);
}

/* A real call (vw-client processes) whose media starts within the
 * deadline is not touched: it lasts until the clerk hangs up, which it
 * does (--duration) after the deadline has passed. */
static void
test_media_started_in_time (void)
{
  World w = { 0 };
  world_start (&w, (const char *[]) { "--media-start-timeout", "5", NULL });
  g_autofree char *pw = vw_test_server_add_account (w.server, "lina", "agent", "李娜",
      "shanghai", "青浦区行政服务中心", NULL);
  g_autoptr (VwTestClient) agent = vw_test_client_start (w.server, "agent",
      (const char *[]) { "--role", "agent", "--user", "lina", "--password-file", pw, NULL });
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (w.server, "clerk",
      (const char *[]) { "--role", "clerk", "--province", "zhejiang",
        "--center", "嘉善县行政服务中心", "--item", ITEM, "--handled-in", "shanghai",
        "--duration", "6", NULL });
  guint from = 0;
  vw_test_client_wait_event (clerk, "connected", &from, 15000);
  JsonObject *ended = vw_test_client_wait_event (clerk, "ended", &from, 20000);
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "hangup");
  JsonObject *theirs = vw_test_client_wait_event (agent, "ended", NULL, 5000);
  g_assert_cmpstr (json_object_get_string_member (theirs, "reason"), ==, "peer-hangup");
  g_clear_pointer (&clerk, vw_test_client_free);
  g_clear_pointer (&agent, vw_test_client_free);
  world_stop (&w);
}

/* ======================================================================== */
/* Row 5: clerks waiting from one address, and what agents are sent        */

/* Every test clerk comes from 127.0.0.1.  With a cap of 3, the 4th
 * request is refused (too-many-waiting) and not queued; once one of the
 * three has gone, the same request is queued behind the other two. */
static void
test_waiting_capped (void)
{
  World w = { 0 };
  world_start (&w, (const char *[]) { "--max-waiting-per-address", "3", NULL });
  Conn *clerks[4];
  for (guint i = 0; i < G_N_ELEMENTS (clerks); i++)
    clerks[i] = clerk_conn (&w, "clerk", i % 2 ? &clerk_zhou : &clerk_chen, NULL);
  for (guint i = 0; i < 3; i++) {
    request_ok (clerks[i]);
    g_autoptr (JsonObject) q = next_signal (clerks[i]);
    assert_type (q, "queued");
    g_assert_cmpint (json_object_get_int_member (q, "position"), ==, i + 1);
  }
  g_autoptr (JsonObject) refused = request (clerks[3]);
  assert_error (refused, "too-many-waiting", "\"r-1\"");
  assert_nothing_sent (clerks[3]);

  g_clear_pointer (&clerks[0], conn_free);
  g_autoptr (JsonObject) moved = next_signal (clerks[1]);
  assert_type (moved, "queued");
  g_assert_cmpint (json_object_get_int_member (moved, "position"), ==, 1);
  request_ok (clerks[3]);
  g_autoptr (JsonObject) q = next_signal (clerks[3]);
  assert_type (q, "queued");
  g_assert_cmpint (json_object_get_int_member (q, "position"), ==, 3);

  for (guint i = 1; i < G_N_ELEMENTS (clerks); i++)
    conn_free (clerks[i]);
  world_stop (&w);
}

/* Booking codes cannot be guessed over the WebSocket either: after 10
 * unknown codes from an address, a request with a code is refused
 * (too-many-attempts) before it is looked up, and nothing is queued. */
static void
test_booking_guesses (void)
{
  World w = { 0 };
  world_start (&w, NULL);
  Conn *clerk = clerk_conn (&w, "clerk", &clerk_chen, NULL);
  for (guint i = 0; i < 11; i++) {
    g_autofree char *text = g_strdup_printf ("{\"type\":\"request\",\"id\":\"r-1\","
        "\"province\":\"shanghai\",\"item\":\"" ITEM "\",\"booking\":\"ABCD%04uEFGHJKMN\"}", i);
    g_autoptr (JsonObject) reply = conn_exchange (clerk, text);
    assert_error (reply, i < 10 ? "unknown-booking" : "too-many-attempts", "\"r-1\"");
  }
  assert_nothing_sent (clerk);
  /* Without a code the same clerk is served as anyone. */
  request_ok (clerk);
  g_autoptr (JsonObject) q = next_signal (clerk);
  assert_type (q, "queued");
  conn_free (clerk);
  world_stop (&w);
}

/* Server CPU time so far (user + system), in ms. */
static gint64
server_cpu_ms (World *w)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat",
      g_subprocess_get_identifier (w->server->proc));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  /* After the command name's closing parenthesis: field 3 on. */
  g_auto (GStrv) fields = g_strsplit (strrchr (text, ')') + 2, " ", -1);
  gint64 ticks = g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
  return ticks * 1000 / sysconf (_SC_CLK_TCK);
}

static gboolean
has_two_texts (gpointer data)
{
  return g_queue_get_length (&((Conn *) data)->texts) >= 2;
}

/* A burst of bare clerks (hello, request, nothing else) queued for one
 * agent's items, with the per-address cap raised (they all come from
 * 127.0.0.1).  The agent's queue view lists at most the first 20 and says
 * how many wait in all.  VW_ABUSE_CLERKS (default 150) sets how many;
 * the bytes the agent was sent and the server's CPU time are printed. */
#define QUEUE_VIEW_MAX 20

static void
test_queue_view_bounded (void)
{
  const char *env = g_getenv ("VW_ABUSE_CLERKS");
  guint n = env ? (guint) g_ascii_strtoull (env, NULL, 10) : 150;
  World w = { 0 };
  world_start (&w, g_getenv ("VW_ABUSE_NO_CAP_OPTION") ? NULL
      : (const char *[]) { "--max-waiting-per-address", "100000",
          /* every test clerk comes from 127.0.0.1 */
          "--max-connections-per-address", "100000", NULL });
  g_autoptr (Conn) agent = open_conn (&w, "agent");
  register_as (&w, agent, &agent_wang);   /* away: sees the queue, takes nobody */

  GPtrArray *clerks = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (clerks, open_conn (&w, "bare clerk"));
  gint64 cpu0 = server_cpu_ms (&w), t0 = g_get_monotonic_time ();
  /* VW_ABUSE_SPACED: one clerk at a time, each queued before the next
   * asks (no burst to gather: the worst case for the views). */
  gboolean spaced = g_getenv ("VW_ABUSE_SPACED") != NULL;
  for (guint i = 0; i < n; i++) {
    Conn *c = g_ptr_array_index (clerks, i);
    conn_send (c, "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"x\","
        "\"province\":\"zhejiang\",\"center\":\"\"}");
    conn_send (c, "{\"type\":\"request\",\"province\":\"shanghai\",\"item\":\"" ITEM "\"}");
    if (spaced)
      g_assert_true (vw_test_wait_until (has_two_texts, c, 60000));
  }
  /* Each is welcomed and queued; the last at place n. */
  for (guint i = 0; i < n; i++) {
    Conn *c = g_ptr_array_index (clerks, i);
    g_autoptr (JsonObject) welcome = conn_next_timeout (c, 60000);
    assert_type (welcome, "welcome");
    g_autoptr (JsonObject) q = conn_next_timeout (c, 60000);
    assert_type (q, "queued");
  }
  /* The agent's views until one counts them all. */
  gsize bytes = 0;
  guint views = 0, listed = 0;
  gint64 total = -1;
  while (total != n) {
    vw_test_wait_until (conn_has_text, agent, 60000);
    g_autofree char *text = g_queue_pop_head (&agent->texts);
    if (!text)
      fail_printf ("the agent's queue view never counted %u clerks (last: %" G_GINT64_FORMAT
          ", %u listed)", n, total, listed);
    g_autoptr (JsonNode) node = json_from_string (text, NULL);
    JsonObject *o = json_node_get_object (node);
    if (g_strcmp0 (member_string (o, "type"), "queue") != 0)
      continue;
    bytes += strlen (text);
    views++;
    listed = json_array_get_length (json_object_get_array_member (o, "waiting"));
    total = json_object_get_int_member_with_default (o, "total", listed);
  }
  gint64 cpu1 = server_cpu_ms (&w), t1 = g_get_monotonic_time ();
  g_test_message ("%u bare clerks: the agent got %u queue views, %" G_GSIZE_FORMAT
      " bytes; server CPU %" G_GINT64_FORMAT " ms, %" G_GINT64_FORMAT " ms wall",
      n, views, bytes, cpu1 - cpu0, (t1 - t0) / 1000);
  g_printerr ("# COST %u clerks: %u queue views, %" G_GSIZE_FORMAT " bytes to the agent, "
      "server CPU %" G_GINT64_FORMAT " ms, wall %" G_GINT64_FORMAT " ms\n",
      n, views, bytes, cpu1 - cpu0, (t1 - t0) / 1000);
  g_assert_cmpuint (listed, <=, QUEUE_VIEW_MAX);
  g_assert_cmpint (total, ==, n);

  for (guint i = 0; i < n; i++)
    soup_websocket_connection_close (((Conn *) g_ptr_array_index (clerks, i))->ws,
        SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  for (guint i = 0; i < n; i++)
    conn_free (g_ptr_array_index (clerks, i));
  g_ptr_array_unref (clerks);
  g_clear_pointer (&agent, conn_free);
  world_stop (&w);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  http = soup_session_new ();

  for (guint i = 0; i < G_N_ELEMENTS (watcher_rows); i++) {
    g_autofree char *path = g_strdup_printf ("/abuse-broker/watcher/refused/%s",
        watcher_rows[i].name);
    g_test_add_data_func (path, &watcher_rows[i], test_watcher_refused);
  }
  g_test_add_func ("/abuse-broker/watcher/stopping/hangup", test_watcher_leaves);
  g_test_add_func ("/abuse-broker/media-start/timeout", test_media_timeout);
  g_test_add_func ("/abuse-broker/media-start/in-time", test_media_started_in_time);
  g_test_add_func ("/abuse-broker/waiting/capped", test_waiting_capped);
  g_test_add_func ("/abuse-broker/booking/guesses", test_booking_guesses);
  g_test_add_func ("/abuse-broker/waiting/queue-view", test_queue_view_bounded);

  int ret = g_test_run ();
  g_object_unref (http);
  return ret;
}
