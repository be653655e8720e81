/* test-log-escape.c: text a peer sends cannot forge a line of the server's
 * log.  vw_log_escape() on its table, then a real vw-server: a clerk whose
 * name and centre carry a newline and a fake "** Message:" line registers,
 * is paired with an agent (the session's log line names both) and hangs
 * up; a sign-in with such a username is refused.  The server's stderr must
 * show each of them escaped on its own line, and no line may begin with
 * the forged text.
 *
 * The accounts: agent wangfang (王芳, 黄浦区政务服务中心). */
#include "vw-log.h"
#include "vw-test-util.h"
#include "ws-conn.h"

#include <string.h>

/* ---- vw_log_escape () ---- */

static const struct {
  const char *text;
  const char *escaped;
} rows[] = {
  { "李华", "李华" },
  { "黄浦区政务服务中心 (上海)", "黄浦区政务服务中心 (上海)" },
  { "", "" },
  { "a\nb", "a\\nb" },
  { "a\r\nb", "a\\r\\nb" },
  { "a\tb", "a\\tb" },
  { "a\\nb", "a\\\\nb" },          /* a backslash cannot fake an escape */
  { "\x1b[31mred", "\\u001b[31mred" },
  { "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
  { "next\xc2\x85line", "next\\u0085line" },            /* U+0085 NEL */
  { "a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029" },
  { "\xe2\x80\xae" "evil", "\\u202eevil" },               /* RLO */
  { "\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069" },
  { "\xff" "ab", "\\xffab" },
  { "\xe9\xbb", "\\xe9\\xbb" },                         /* cut short */
  { "\xc0\xaf", "\\xc0\\xaf" },                         /* overlong */
  { "\xed\xa0\x80", "\\xed\\xa0\\x80" },                /* a surrogate */
};

static void
test_escape (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autofree char *got = vw_log_escape (rows[i].text);
    g_assert_cmpstr (got, ==, rows[i].escaped);
    g_assert_true (g_utf8_validate (got, -1, NULL));
  }
  g_autofree char *null = vw_log_escape (NULL);
  g_assert_cmpstr (null, ==, "(null)");
}

/* ---- a real vw-server ---- */

#define FORGED "FORGED"
/* What a forged line would look like in GLib's default log format. */
#define FAKE_LINE "** Message: 09:00:00.000: " FORGED " p-0 registered: supervisor 赵蕾"
#define CLERK_NAME "李华\n" FAKE_LINE
#define CLERK_CENTER "合肥市政务服务中心\r\n" FORGED " centre"

/* No line of the log begins with the forged text (or the fake format). */
static void
assert_no_forged_line (VwTestServer *server)
{
  g_auto (GStrv) lines = g_strsplit_set (server->log->str, "\r\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], FORGED) || g_str_has_prefix (lines[i], "** Message: 09"))
      g_error ("a forged log line: '%s'; the log:\n%s", lines[i], server->log->str);
}

static JsonObject *
exchange (Conn *c, const char *text, const char *type)
{
  JsonObject *reply = conn_exchange (c, text);
  assert_type (reply, type);
  return reply;
}

static void
test_server (void)
{
  VwTestServer *server = vw_test_server_start (NULL);
  g_free (vw_test_server_add_account (server, "wangfang", "agent", "王芳", "shanghai",
      "黄浦区政务服务中心", NULL));
  g_autofree char *token = vw_test_server_token (server, "wangfang");
  g_autoptr (SoupSession) session = soup_session_new ();
  Conn *agent = conn_open (session, server->ws_url, "agent");
  Conn *clerk = conn_open (session, server->ws_url, "clerk");

  g_autofree char *agent_hello = g_strdup_printf ("{\"type\":\"hello\",\"id\":\"h\","
      "\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"shanghai\","
      "\"center\":\"黄浦区政务服务中心\",\"token\":\"%s\"}", token);
  g_autoptr (JsonObject) w1 = exchange (agent, agent_hello, "welcome");
  g_autoptr (JsonObject) ok1 = exchange (agent,
      "{\"type\":\"status\",\"id\":\"s\",\"available\":true}", "ok");

  /* The clerk's name and centre, as JSON strings. */
  g_autoptr (JsonNode) name = json_node_init_string (json_node_alloc (), CLERK_NAME);
  g_autoptr (JsonNode) center = json_node_init_string (json_node_alloc (), CLERK_CENTER);
  g_autofree char *name_json = json_to_string (name, FALSE);
  g_autofree char *center_json = json_to_string (center, FALSE);
  g_autofree char *clerk_hello = g_strdup_printf ("{\"type\":\"hello\",\"id\":\"h\","
      "\"protocol\":1,\"role\":\"clerk\",\"name\":%s,\"province\":\"anhui\","
      "\"center\":%s}", name_json, center_json);
  g_autoptr (JsonObject) w2 = exchange (clerk, clerk_hello, "welcome");
  vw_test_server_wait_log (server, "registered: clerk 李华\\n** Message: 09:00:00.000: " FORGED, 5000);
  vw_test_server_wait_log (server, "合肥市政务服务中心\\r\\n" FORGED " centre", 5000);

  g_autoptr (JsonObject) ok2 = exchange (clerk, "{\"type\":\"request\",\"id\":\"r\","
      "\"province\":\"shanghai\",\"item\":\"QY-SL-001\"}", "ok");
  g_autoptr (JsonObject) paired = conn_next (clerk);
  assert_type (paired, "paired");
  const char *session_id = member_string (paired, "session");
  vw_test_server_wait_log (server, "serves clerk 李华\\n** Message", 5000);

  g_autofree char *hangup = g_strdup_printf ("{\"type\":\"hangup\",\"id\":\"x\","
      "\"session\":\"%s\"}", session_id);
  conn_send (clerk, hangup);
  g_autofree char *ended = g_strdup_printf ("session %s ended", session_id);
  vw_test_server_wait_log (server, ended, 5000);

  /* A sign-in under a forged username. */
  guint status = 0;
  g_autofree char *user_json = g_strdup (name_json);
  g_autofree char *body = g_strdup_printf ("{\"username\":%s,\"password\":\"x\"}",
      user_json);
  g_autofree char *url = g_strconcat (server->url, "api/login", NULL);
  g_autoptr (GBytes) answer = vw_test_http ("POST", url, NULL, body, -1, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  vw_test_server_wait_log (server, "sign-in refused for '李华\\n** Message", 5000);

  assert_no_forged_line (server);
  conn_free (clerk);
  conn_free (agent);
  vw_test_server_stop (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log-escape/escape", test_escape);
  g_test_add_func ("/log-escape/server", test_server);
  return g_test_run ();
}
