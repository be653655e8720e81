/* test-server-errors.c: a real vw-server fed bad input over real WebSockets.
 *
 * One vw-server serves the whole file (started on first use, stopped by the
 * last test, which also checks that it survived everything before).  Each
 * row of the table below opens fresh WebSocket connections with libsoup,
 * brings them into a state (registered, queued, paired...), sends one bad
 * frame and checks the reply against PROTOCOL.md: exactly one "error" with
 * the right code, a message and the right "ref", and a connection that is
 * still open and still answers a valid follow-up message normally.
 *
 * "Exactly one reply" is checked without sleeping: the server handles the
 * frames of a connection in order, so anything else the bad frame caused
 * would arrive before the reply to the follow-up.
 *
 * Between rows the server must be back to zero connections (GET
 * /api/status), so no row sees another's agents or queues.  Provinces keep
 * the setups apart as well: paired setups use shanghai agents, queued
 * clerks wait for anhui (no anhui agent is ever available in the table).
 */
#include "vw-protocol.h"
#include "vw-test-util.h"
#include "vw-token.h"
#include "server-errors-table.h"
#include "ws-conn.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#define REPLY_TIMEOUT_MS CONN_REPLY_TIMEOUT_MS
/* PROTOCOL.md: "Within 2 seconds both sides get ended". */
#define ENDED_TIMEOUT_MS 2000

/* ------------------------------------------------------------------------ */
/* The shared server                                                        */

static VwTestServer *server;
static SoupSession *session;
static volatile sig_atomic_t server_pid;

/* A failed assertion aborts the test program (SIGABRT, or SIGTRAP from
 * g_error()): take the server along rather than leave it listening. */
static void
on_abort (int sig)
{
  if (server_pid > 0)
    kill (server_pid, SIGKILL);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* Agents and supervisors are accounts and sign in; their tokens, by
 * username, made once per server.  Plus tokens that must be refused. */
static GHashTable *tokens;
static char *forged_token, *expired_token, *signed_out_token;

static void add_accounts (void);

static VwTestServer *
get_server (void)
{
  if (!server) {
    server = vw_test_server_start (NULL);
    add_accounts ();
    server_pid = atoi (g_subprocess_get_identifier (server->proc));
    signal (SIGABRT, on_abort);
    signal (SIGTRAP, on_abort);
  }
  return server;
}

/* A connection to the shared server. */
static Conn *
open_conn (const char *label)
{
  return conn_open (session, get_server ()->ws_url, label);
}

static void
stop_server (void)
{
  server_pid = 0;
  vw_test_server_stop (g_steal_pointer (&server));
}

/* ------------------------------------------------------------------------ */
/* Valid exchanges                                                          */

typedef struct {
  const char *role, *name, *province, *center;
  const char *username;   /* agents: their account */
} Person;

static const Person agent_wang = { "agent", "王芳", "shanghai", "黄浦区政务服务中心", "wangfang" };
static const Person agent_zhang = { "agent", "张敏", "shanghai", "青浦区行政服务中心", "zhangmin" };
static const Person agent_liu = { "agent", "刘洋", "jiangsu", "吴江区政务服务中心", "liuyang" };
static const Person supervisor_zhao = { "supervisor", "赵蕾", "shanghai", "黄浦区政务服务中心", "zhaolei" };
static const Person clerk_li = { "clerk", "李娜", "anhui", "合肥市政务服务中心" };
static const Person clerk_chen = { "clerk", "陈静", "zhejiang", "嘉善县行政服务中心" };
static const Person clerk_zhou = { "clerk", "周婷", "zhejiang", "杭州市民中心" };
/* An enterprise's staff, joining from a browser: no centre. */
static const Person clerk_sun = { "clerk", "孙伟", "anhui", "" };

static void
add_accounts (void)
{
  const Person *accounts[] = { &agent_wang, &agent_zhang, &agent_liu, &supervisor_zhao };
  tokens = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++) {
    const Person *p = accounts[i];
    g_autofree char *pw = vw_test_server_add_account (server, p->username, p->role,
        p->name, p->province, p->center, NULL);
    g_hash_table_insert (tokens, (gpointer) p->username,
        vw_test_server_token (server, p->username));
  }
  /* Signed with another key, and signed with ours but expired. */
  guint8 key[VW_TOKEN_KEY_SIZE];
  g_autoptr (GError) error = NULL;
  VwTokenClaims claims = { .username = "wangfang", .role = "agent", .name = "王芳",
    .province = "shanghai", .center = "黄浦区政务服务中心", .scope = "center",
    .issued_at = g_get_real_time () / 1000, .expires_at = g_get_real_time () / 1000 + 3600000 };
  memset (key, 7, sizeof key);
  forged_token = vw_token_sign (key, &claims);
  g_assert_true (vw_token_load_key (server->data_dir, key, &error));
  g_assert_no_error (error);
  claims.issued_at -= 10 * 3600000;
  claims.expires_at = g_get_real_time () / 1000 - 1000;
  expired_token = vw_token_sign (key, &claims);
  /* Ours and current, but its account signed out since (POST /api/logout
   * with it): void. */
  g_autofree char *pw = vw_test_server_add_account (server, "chenhao", "agent", "陈浩",
      "shanghai", "黄浦区政务服务中心", NULL);
  signed_out_token = vw_test_server_token (server, "chenhao");
  g_autofree char *url = g_strconcat (server->url, "api/logout", NULL);
  g_autofree char *bearer = g_strconcat ("Bearer ", signed_out_token, NULL);
  const char *headers[] = { "Authorization", bearer, NULL };
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("POST", url, headers, "{}", -1, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
}

static const char *
token_of (const char *username)
{
  const char *token = g_hash_table_lookup (tokens, username);
  g_assert_nonnull (token);
  return token;
}

static char *
hello_text (const Person *p, const char *id)
{
  g_autofree char *token = p->username
      ? g_strdup_printf (",\"token\":\"%s\"", token_of (p->username)) : g_strdup ("");
  return g_strdup_printf ("{\"type\":\"hello\",\"id\":\"%s\",\"protocol\":1,"
      "\"role\":\"%s\",\"name\":\"%s\",\"province\":\"%s\",\"center\":\"%s\"%s}",
      id, p->role, p->name, p->province, p->center, token);
}

static void
register_as (Conn *c, const Person *p)
{
  g_autofree char *text = hello_text (p, "hello-1");
  g_autoptr (JsonObject) welcome = conn_exchange (c, text);
  assert_type (welcome, "welcome");
  assert_ref (welcome, "\"hello-1\"");
  g_assert_cmpstr (member_string (welcome, "peer_id"), !=, "");
}

static void
set_available (Conn *agent, gboolean available)
{
  g_autoptr (JsonObject) ok = conn_exchange (agent, available
      ? "{\"type\":\"status\",\"id\":\"st-1\",\"available\":true}"
      : "{\"type\":\"status\",\"id\":\"st-1\",\"available\":false}");
  assert_type (ok, "ok");
  assert_ref (ok, "\"st-1\"");
}

/* Sends a request and checks its "ok"; the caller reads paired/queued. */
static void
request_agent (Conn *clerk, const char *province, const char *item)
{
  g_autofree char *text = g_strdup_printf ("{\"type\":\"request\","
      "\"id\":\"r-1\",\"province\":\"%s\",\"item\":\"%s\"}", province, item);
  g_autoptr (JsonObject) ok = conn_exchange (clerk, text);
  assert_type (ok, "ok");
  assert_ref (ok, "\"r-1\"");
}

static void
assert_queued (JsonObject *o, const char *province, gint64 position)
{
  assert_type (o, "queued");
  g_assert_cmpstr (member_string (o, "province"), ==, province);
  g_assert_cmpint (json_object_get_int_member_with_default (o, "position", -1),
      ==, position);
  assert_ref (o, NULL);
}

/* Checks a "paired" message against the other side; returns the session. */
static char *
assert_paired (JsonObject *o, const Person *peer)
{
  assert_type (o, "paired");
  assert_ref (o, NULL);
  JsonObject *info = json_object_get_object_member (o, "peer");
  g_assert_nonnull (info);
  g_assert_cmpstr (member_string (info, "name"), ==, peer->name);
  g_assert_cmpstr (member_string (info, "role"), ==, peer->role);
  g_assert_cmpstr (member_string (info, "province"), ==, peer->province);
  g_assert_cmpstr (member_string (info, "center"), ==, peer->center);
  const char *s = member_string (o, "session");
  g_assert_nonnull (s);
  g_assert_cmpstr (s, !=, "");
  return g_strdup (s);
}

/* The next messages on @c: "paired" with @peer, then "recording" (every
 * session is recorded, and both sides are told so at once).  Returns the
 * session. */
static char *
expect_paired (Conn *c, const Person *peer)
{
  g_autoptr (JsonObject) paired = conn_next (c);
  char *session = assert_paired (paired, peer);
  g_autoptr (JsonObject) rec = conn_next (c);
  assert_type (rec, "recording");
  assert_ref (rec, NULL);
  g_assert_cmpstr (member_string (rec, "session"), ==, session);
  g_assert_true (json_object_get_boolean_member (rec, "active"));
  return session;
}

/* Registers both, makes the agent available and lets the clerk ask for the
 * agent's province; both must be paired into the same session. */
static char *
make_pair (Conn *agent, const Person *a, Conn *clerk, const Person *k,
    const char *item)
{
  register_as (agent, a);
  set_available (agent, TRUE);
  register_as (clerk, k);
  request_agent (clerk, a->province, item);
  g_autofree char *s1 = expect_paired (clerk, a);
  char *s2 = expect_paired (agent, k);
  g_assert_cmpstr (s1, ==, s2);
  return s2;
}

static void
assert_ended (JsonObject *o, const char *session_id, const char *reason,
    const char *ref)
{
  assert_type (o, "ended");
  g_assert_cmpstr (member_string (o, "session"), ==, session_id);
  g_assert_cmpstr (member_string (o, "reason"), ==, reason);
  assert_ref (o, ref);
}

/* Hangs up as @actor (with id "bye"); both sides get their "ended". */
static void
hang_up (Conn *actor, Conn *peer, const char *session_id)
{
  g_autofree char *text = g_strdup_printf (
      "{\"type\":\"hangup\",\"id\":\"bye\",\"session\":\"%s\"}", session_id);
  conn_send (actor, text);
  g_autoptr (JsonObject) mine = conn_next_timeout (actor, ENDED_TIMEOUT_MS);
  assert_ended (mine, session_id, "hangup", "\"bye\"");
  g_autoptr (JsonObject) theirs = conn_next_timeout (peer, ENDED_TIMEOUT_MS);
  assert_ended (theirs, session_id, "peer-hangup", NULL);
}

/* GET /api/status: must answer 200 with a JSON object. (transfer full) */
static JsonObject *
fetch_status (void)
{
  g_autofree char *url = g_strconcat (get_server ()->url, "api/status", NULL);
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", url, NULL, NULL, 0, &status, NULL);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  return vw_test_json_object (body);
}

/* Waits until the server has let go of every connection (their "closed"
 * handlers ran, so no agent or queued clerk is left over). */
static void
wait_server_idle (void)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  gint64 connections, sessions;
  do {
    g_autoptr (JsonObject) st = fetch_status ();
    connections = json_object_get_int_member_with_default (st, "connections", -1);
    sessions = json_object_get_int_member_with_default (st, "sessions", -1);
    if (connections == 0 && sessions == 0)
      return;
    vw_test_run_for (20);
  } while (g_get_monotonic_time () < deadline);
  g_assert_cmpint (connections, ==, 0);
  g_assert_cmpint (sessions, ==, 0);
}

/* ------------------------------------------------------------------------ */
/* The table                                                                */

/* Setup, BadInput and the rows: server-errors-table.h, .c. */


typedef struct {
  Conn *me;                /* sends the bad input */
  Conn *partner;           /* PAIRED_*: the other side of my session */
  Conn *bystanders[2];     /* OTHER_PAIR: the other session's pair */
  char *session_id, *other_session_id;
} RowFixture;

static void
row_setup (RowFixture *f, gconstpointer data)
{
  const BadInput *row = data;
  f->me = open_conn ("me");
  switch (row->setup) {
  case SETUP_NONE:
    break;
  case SETUP_AGENT:
    register_as (f->me, &agent_wang);
    break;
  case SETUP_SUPERVISOR:
    register_as (f->me, &supervisor_zhao);
    break;
  case SETUP_CLERK:
    register_as (f->me, &clerk_li);
    break;
  case SETUP_CLERK_QUEUED: {
    register_as (f->me, &clerk_li);
    request_agent (f->me, "anhui", "SB-ZY-009");
    g_autoptr (JsonObject) q = conn_next (f->me);
    assert_queued (q, "anhui", 1);
    break;
  }
  case SETUP_OTHER_PAIR:
    f->bystanders[0] = open_conn ("bystander agent");
    f->bystanders[1] = open_conn ("bystander clerk");
    f->other_session_id = make_pair (f->bystanders[0], &agent_zhang,
        f->bystanders[1], &clerk_zhou, "SP-JY-004");
    /* My own session comes second. */
    G_GNUC_FALLTHROUGH;
  case SETUP_PAIRED_CLERK:
    f->partner = open_conn ("partner agent");
    f->session_id = make_pair (f->partner, &agent_wang, f->me, &clerk_chen,
        "GJJ-TQ-006");
    break;
  case SETUP_PAIRED_AGENT:
    f->partner = open_conn ("partner clerk");
    f->session_id = make_pair (f->me, &agent_wang, f->partner, &clerk_chen,
        "GJJ-TQ-006");
    break;
  }
  if (f->other_session_id)
    g_assert_cmpstr (f->other_session_id, !=, f->session_id);
}

static char *
row_text (const BadInput *row, const RowFixture *f, gsize *length)
{
  g_autoptr (GString) s = g_string_new_len (row->text,
      row->length ? row->length : strlen (row->text));
  g_string_replace (s, "@SESSION@", f->session_id ? f->session_id : "", 0);
  g_string_replace (s, "@OTHER@", f->other_session_id ? f->other_session_id : "", 0);
  g_string_replace (s, "@AGENT@", token_of ("wangfang"), 0);
  g_string_replace (s, "@SUPERVISOR@", token_of ("zhaolei"), 0);
  g_string_replace (s, "@FORGED@", forged_token, 0);
  g_string_replace (s, "@EXPIRED@", expired_token, 0);
  g_string_replace (s, "@SIGNEDOUT@", signed_out_token, 0);
  /* Whitespace counts toward the limit (PROTOCOL.md, section 1). */
  if (row->pad_to > s->len) {
    g_autofree char *pad = g_strnfill (row->pad_to - s->len, ' ');
    g_string_insert (s, 1, pad);
  }
  *length = s->len;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
send_row (const BadInput *row, RowFixture *f)
{
  gsize length;
  g_autofree char *text = row_text (row, f, &length);
  if (row->pad_to)
    g_assert_cmpuint (length, ==, row->pad_to);
  if (row->binary)
    conn_send_bytes (f->me, SOUP_WEBSOCKET_DATA_BINARY, text, length);
  else if (row->length)
    conn_send_bytes (f->me, SOUP_WEBSOCKET_DATA_TEXT, text, length);
  else
    conn_send (f->me, text);
}

/* A valid message that gets its normal reply in the row's state; nothing
 * the bad input caused may come before that reply. */
static void
check_follow_up (const BadInput *row, RowFixture *f)
{
  switch (row->setup) {
  case SETUP_NONE:
    /* Also shows that a failed hello (e.g. protocol 2) may be retried. */
    register_as (f->me, &clerk_sun);
    break;
  case SETUP_AGENT:
    set_available (f->me, FALSE);
    break;
  case SETUP_SUPERVISOR: {
    /* Still signed in, still watching nothing. */
    g_autoptr (JsonObject) reply = conn_exchange (f->me, "{\"type\":\"monitor\","
        "\"id\":\"follow-up\",\"session\":\"s-nowhere\"}");
    assert_error (reply, "unknown-session", "\"follow-up\"");
    break;
  }
  case SETUP_CLERK: {
    request_agent (f->me, "anhui", "XS-ZZ-008");
    g_autoptr (JsonObject) q = conn_next (f->me);
    assert_queued (q, "anhui", 1);
    break;
  }
  case SETUP_CLERK_QUEUED: {
    /* A queued clerk has no valid message with a reply of its own; the
     * documented already-registered error shows the connection works. */
    g_autofree char *text = hello_text (&clerk_li, "follow-up");
    g_autoptr (JsonObject) e = conn_exchange (f->me, text);
    assert_error (e, "already-registered", "\"follow-up\"");
    break;
  }
  case SETUP_PAIRED_AGENT:
  case SETUP_PAIRED_CLERK:
  case SETUP_OTHER_PAIR:
    /* The session survived the bad input: hanging it up works. */
    hang_up (f->me, f->partner, f->session_id);
    break;
  }
}

static void
test_bad_input (RowFixture *f, gconstpointer data)
{
  const BadInput *row = data;
  send_row (row, f);
  g_autoptr (JsonObject) reply = conn_next (f->me);
  assert_error (reply, row->code, row->ref);
  assert_open (f->me);

  check_follow_up (row, f);
  assert_open (f->me);
  g_assert_cmpuint (f->me->n_binary, ==, 0);
  assert_no_message (f->me);
  if (f->partner)
    assert_no_message (f->partner);

  /* The other session must not have heard of any of this. */
  if (f->bystanders[0]) {
    vw_test_run_for (100);
    for (guint i = 0; i < G_N_ELEMENTS (f->bystanders); i++) {
      assert_no_message (f->bystanders[i]);
      assert_open (f->bystanders[i]);
    }
  }
}

static void
row_teardown (RowFixture *f, gconstpointer data)
{
  g_clear_pointer (&f->me, conn_free);
  g_clear_pointer (&f->partner, conn_free);
  for (guint i = 0; i < G_N_ELEMENTS (f->bystanders); i++)
    g_clear_pointer (&f->bystanders[i], conn_free);
  g_free (f->session_id);
  g_free (f->other_session_id);
  wait_server_idle ();
}

/* ------------------------------------------------------------------------ */
/* Frames the WebSocket layer handles                                       */

/* PROTOCOL.md lists invalid UTF-8 under bad-json, connection kept.  libsoup
 * refuses to send such a text frame, so it goes to the socket directly. */
static void
test_invalid_utf8 (void)
{
  g_autoptr (Conn) c = open_conn ("me");
  register_as (c, &agent_wang);
  static const char text[] =
      "{\"type\":\"status\",\"id\":\"\xc3\x28\",\"available\":true}";
  conn_send_raw_frame (c, 0x1, text, sizeof text - 1);
  vw_test_wait_until (conn_has_text, c, REPLY_TIMEOUT_MS);

  /* The WebSocket layer fails the connection with 1007, as RFC 6455
   * section 8.1 demands, before the protocol sees the frame (PROTOCOL.md). */
  g_assert_true (vw_test_wait_until (conn_is_closed, c, REPLY_TIMEOUT_MS));
  g_assert_cmpuint (c->close_code, ==, SOUP_WEBSOCKET_CLOSE_BAD_DATA);
  g_assert_true (g_queue_is_empty (&c->texts));
  g_assert_true (vw_test_server_is_running (server));
  g_clear_pointer (&c, conn_free);
  wait_server_idle ();
}

static void
send_padded (Conn *c, gsize size)
{
  g_autofree char *text = g_malloc (size + 1);
  static const char body[] = "\"type\":\"status\",\"available\":true}";
  memset (text, ' ', size);
  text[0] = '{';
  memcpy (text + size - strlen (body), body, strlen (body));
  text[size] = '\0';
  conn_send (c, text);
}

static void
test_over_one_mib (void)
{
  g_autoptr (Conn) c = open_conn ("me");
  register_as (c, &agent_zhang);
  send_padded (c, ONE_MIB + 1);
  g_assert_true (vw_test_wait_until (conn_is_closed, c, REPLY_TIMEOUT_MS));
  /* Closed before the protocol saw it: no error reply. */
  g_assert_true (g_queue_is_empty (&c->texts));
  gushort code = c->close_code;

  g_assert_true (vw_test_server_is_running (server));
  g_autoptr (Conn) fresh = open_conn ("fresh");
  register_as (fresh, &agent_zhang);
  g_clear_pointer (&c, conn_free);
  g_clear_pointer (&fresh, conn_free);
  wait_server_idle ();

  g_assert_cmpuint (code, ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
}

/* ------------------------------------------------------------------------ */
/* Disconnects                                                              */

/* A queued clerk leaves: the one behind moves up within 2 s. */
static void
test_disconnect_mid_queue (void)
{
  g_autoptr (Conn) a = open_conn ("clerk A");
  g_autoptr (Conn) b = open_conn ("clerk B");
  register_as (a, &clerk_li);
  register_as (b, &clerk_chen);
  request_agent (a, "jiangsu", "QY-SL-001");
  g_autoptr (JsonObject) qa = conn_next (a);
  assert_queued (qa, "jiangsu", 1);
  request_agent (b, "jiangsu", "QY-SL-001");   /* the same item: one queue */
  g_autoptr (JsonObject) qb = conn_next (b);
  assert_queued (qb, "jiangsu", 2);

  g_clear_pointer (&a, conn_free);
  g_autoptr (JsonObject) moved = conn_next_timeout (b, ENDED_TIMEOUT_MS);
  assert_queued (moved, "jiangsu", 1);

  /* The queue is really one long now: an agent of the province sees it
   * as soon as it registers, and takes B. */
  g_autoptr (Conn) agent = open_conn ("agent");
  register_as (agent, &agent_liu);
  g_autoptr (JsonObject) queue = conn_next (agent);
  assert_type (queue, "queue");
  g_assert_cmpstr (member_string (queue, "province"), ==, "jiangsu");
  JsonArray *waiting = json_object_get_array_member (queue, "waiting");
  g_assert_cmpuint (json_array_get_length (waiting), ==, 1);
  JsonObject *head = json_array_get_object_element (waiting, 0);
  g_assert_cmpint (json_object_get_int_member (head, "position"), ==, 1);
  g_assert_cmpstr (member_string (head, "item"), ==, "QY-SL-001");
  g_assert_cmpstr (member_string (head, "name"), ==, clerk_chen.name);
  set_available (agent, TRUE);
  g_autofree char *s1 = expect_paired (b, &agent_liu);
  g_autofree char *s2 = expect_paired (agent, &clerk_chen);
  g_assert_cmpstr (s1, ==, s2);
  /* ... and then that nobody waits any more. */
  g_autoptr (JsonObject) emptied = conn_next (agent);
  assert_type (emptied, "queue");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (emptied,
      "waiting")), ==, 0);

  g_clear_pointer (&b, conn_free);
  g_clear_pointer (&agent, conn_free);
  wait_server_idle ();
}

/* Closes @c without a close frame, as when the network goes away. */
static void
conn_drop (Conn *c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) io = g_object_ref (
      soup_websocket_connection_get_io_stream (c->ws));
  /* libsoup wraps the socket connection in a SoupIOStream. */
  while (!G_IS_SOCKET_CONNECTION (io)) {
    GIOStream *base = NULL;
    g_assert_nonnull (g_object_class_find_property (G_OBJECT_GET_CLASS (io),
            "base-iostream"));
    g_object_get (io, "base-iostream", &base, NULL);
    g_assert_nonnull (base);
    g_object_unref (io);
    io = base;
  }
  GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (io));
  g_socket_shutdown (socket, TRUE, TRUE, &error);
  g_assert_no_error (error);
}

/* The clerk of a session goes away; the agent hears of it within 2 s and
 * is free again for the next clerk. */
static void
test_peer_disconnected (gconstpointer data)
{
  gboolean abrupt = GPOINTER_TO_INT (data);
  g_autoptr (Conn) agent = open_conn ("agent");
  g_autoptr (Conn) clerk = open_conn ("clerk");
  g_autofree char *s = make_pair (agent, &agent_wang, clerk, &clerk_li,
      "GJJ-TQ-006");

  if (abrupt)
    conn_drop (clerk);
  else
    soup_websocket_connection_close (clerk->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
  g_autoptr (JsonObject) ended = conn_next_timeout (agent, ENDED_TIMEOUT_MS);
  assert_ended (ended, s, "peer-disconnected", NULL);
  g_clear_pointer (&clerk, conn_free);

  g_autoptr (Conn) next = open_conn ("next clerk");
  register_as (next, &clerk_sun);
  request_agent (next, "shanghai", "SP-JY-004");
  g_autofree char *s2 = expect_paired (next, &agent_wang);
  g_assert_cmpstr (s2, !=, s);
  g_autofree char *s3 = expect_paired (agent, &clerk_sun);
  g_assert_cmpstr (s2, ==, s3);

  g_clear_pointer (&next, conn_free);
  g_clear_pointer (&agent, conn_free);
  wait_server_idle ();
}

/* hangup with an id: "ended" with reason hangup and the ref to the sender,
 * peer-hangup (no ref) to the other; afterwards the session is gone. */
static void
test_hangup (gconstpointer data)
{
  gboolean by_agent = GPOINTER_TO_INT (data);
  g_autoptr (Conn) agent = open_conn ("agent");
  g_autoptr (Conn) clerk = open_conn ("clerk");
  g_autofree char *s = make_pair (agent, &agent_zhang, clerk, &clerk_zhou,
      "YB-YD-005");
  Conn *actor = by_agent ? agent : clerk;
  Conn *peer = by_agent ? clerk : agent;

  g_autofree char *text = g_strdup_printf (
      "{\"type\":\"hangup\",\"id\":%s,\"session\":\"%s\"}",
      by_agent ? "\"挂断-1\"" : "9", s);
  conn_send (actor, text);
  g_autoptr (JsonObject) mine = conn_next_timeout (actor, ENDED_TIMEOUT_MS);
  assert_ended (mine, s, "hangup", by_agent ? "\"挂断-1\"" : "9");
  g_autoptr (JsonObject) theirs = conn_next_timeout (peer, ENDED_TIMEOUT_MS);
  assert_ended (theirs, s, "peer-hangup", NULL);

  /* A second hangup finds no session; the peer hears nothing of it. */
  g_autoptr (JsonObject) again = conn_exchange (actor, text);
  assert_error (again, "wrong-state", by_agent ? "\"挂断-1\"" : "9");
  vw_test_run_for (100);
  assert_no_message (peer);
  assert_open (agent);
  assert_open (clerk);

  g_clear_pointer (&agent, conn_free);
  g_clear_pointer (&clerk, conn_free);
  wait_server_idle ();
}

/* ------------------------------------------------------------------------ */
/* After everything                                                         */

static void
test_still_serving (void)
{
  get_server ();
  g_assert_true (vw_test_server_is_running (server));

  g_autoptr (JsonObject) st = fetch_status ();
  g_assert_true (json_object_has_member (st, "connections"));
  g_assert_cmpint (json_object_get_int_member (st, "connections"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (st, "sessions"), ==, 0);

  g_autoptr (Conn) c = open_conn ("newcomer");
  g_autofree char *hello = g_strdup_printf ("{\"type\":\"hello\","
      "\"id\":20240601,\"protocol\":1,\"role\":\"agent\",\"name\":\"张敏\","
      "\"province\":\"shanghai\",\"center\":\"青浦区行政服务中心\",\"token\":\"%s\"}",
      token_of ("zhangmin"));
  g_autoptr (JsonObject) welcome = conn_exchange (c, hello);
  assert_type (welcome, "welcome");
  assert_ref (welcome, "20240601");
  g_assert_cmpstr (member_string (welcome, "peer_id"), !=, "");
  g_clear_pointer (&c, conn_free);

  stop_server ();   /* asserts a clean exit after SIGTERM */
}


/* The clerk rates the session once it is over: stored once; a second
 * rating is refused, and the agent cannot rate. */
static void
test_rate_once (void)
{
  g_autoptr (Conn) agent = open_conn ("agent");
  g_autoptr (Conn) clerk = open_conn ("clerk");
  g_autofree char *session = make_pair (agent, &agent_wang, clerk, &clerk_li, "GJJ-TQ-006");
  hang_up (clerk, agent, session);
  g_autofree char *rate = g_strdup_printf ("{\"type\":\"rate\",\"id\":\"rate-1\","
      "\"session\":\"%s\",\"level\":5,\"comment\":\"讲解清楚，材料一次过\"}", session);
  g_autoptr (JsonObject) ok = conn_exchange (clerk, rate);
  assert_type (ok, "ok");
  assert_ref (ok, "\"rate-1\"");
  g_autofree char *again = g_strdup_printf ("{\"type\":\"rate\",\"id\":\"rate-2\","
      "\"session\":\"%s\",\"level\":1}", session);
  g_autoptr (JsonObject) refused = conn_exchange (clerk, again);
  assert_error (refused, "wrong-state", "\"rate-2\"");
  g_clear_pointer (&clerk, conn_free);
  g_clear_pointer (&agent, conn_free);
  wait_server_idle ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  session = soup_session_new ();

  for (guint i = 0; i < vw_n_bad_inputs; i++) {
    g_autofree char *path = g_strconcat ("/server-errors/table/",
        vw_bad_inputs[i].path, NULL);
    g_test_add (path, RowFixture, &vw_bad_inputs[i], row_setup, test_bad_input,
        row_teardown);
  }
  g_test_add_func ("/server-errors/frame/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/server-errors/frame/over-1MiB-closed-1009", test_over_one_mib);
  g_test_add_func ("/server-errors/disconnect/mid-queue", test_disconnect_mid_queue);
  g_test_add_data_func ("/server-errors/disconnect/paired-clerk-closes",
      GINT_TO_POINTER (FALSE), test_peer_disconnected);
  g_test_add_data_func ("/server-errors/disconnect/paired-clerk-vanishes",
      GINT_TO_POINTER (TRUE), test_peer_disconnected);
  g_test_add_data_func ("/server-errors/hangup/by-clerk",
      GINT_TO_POINTER (FALSE), test_hangup);
  g_test_add_data_func ("/server-errors/hangup/by-agent",
      GINT_TO_POINTER (TRUE), test_hangup);
  g_test_add_func ("/server-errors/rate/once", test_rate_once);
  g_test_add_func ("/server-errors/final/still-serving", test_still_serving);

  int ret = g_test_run ();
  if (server)
    stop_server ();
  g_object_unref (session);
  return ret;
}
