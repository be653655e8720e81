/* test-json-numbers.c: the JSON the project writes (vw_json_to_string,
 * signaling/vw-json-write.c) is valid and its numbers exact.
 *
 * json-glib 1.6's generator wrote 1e308 as "1e+308.0" and infinity as
 * "inf.0" (not JSON), 0.1 as "0.10000000000000001", and U+001F raw.  The
 * table first (each number parsed by json-glib, written, checked by the
 * strict RFC 8259 check and read back as the same number), then a real
 * vw-server: integer ids echoed as "ref", a clerk's name and rating
 * comment with control characters, and a rate of good ratings, as the
 * signalling messages and the API answers carry them.
 *
 * The accounts: agent wangfang (王芳) and supervisor zhaolei (赵蕾,
 * province scope), both of Shanghai, 黄浦区政务服务中心. */
#include "vw-json-check.h"
#include "vw-json-write.h"
#include "vw-test-util.h"
#include "ws-conn.h"

#include <math.h>
#include <string.h>

/* ---- the table ---- */

typedef struct {
  const char *json;       /* a number as a peer may send it */
  const char *written;    /* as vw_json_to_string () writes it */
} NumberRow;

static const NumberRow numbers[] = {
  /* Doubles: the shortest text that reads back as the same double. */
  { "1e308", "1e+308" },
  { "1E308", "1e+308" },
  { "1.7976931348623157e308", "1.7976931348623157e+308" },
  { "-0.0", "-0.0" },
  { "1e-320", "1e-320" },                  /* subnormal */
  { "5e-324", "5e-324" },                  /* the smallest */
  { "0.1", "0.1" },
  { "0.3333333333333333", "0.3333333333333333" },
  { "-1.25", "-1.25" },
  { "123.456", "123.456" },
  { "100.0", "100.0" },
  { "1E2", "100.0" },
  { "2.5e-5", "0.000025" },
  { "1e-7", "1e-07" },
  { "1e16", "10000000000000000.0" },
  { "1e17", "1e+17" },
  { "9007199254740993.0", "9007199254740992.0" },   /* the nearest double */
  /* Integers: as they are, all 64 bits. */
  { "0", "0" },
  { "-0", "0" },
  { "42", "42" },
  { "9007199254740993", "9007199254740993" },
  { "9223372036854775807", "9223372036854775807" },
  { "-9223372036854775808", "-9223372036854775808" },
};

static gboolean
same_number (JsonNode *a, JsonNode *b)
{
  if (json_node_get_value_type (a) != json_node_get_value_type (b))
    return FALSE;
  if (json_node_get_value_type (a) == G_TYPE_INT64)
    return json_node_get_int (a) == json_node_get_int (b);
  double x = json_node_get_double (a), y = json_node_get_double (b);
  return memcmp (&x, &y, sizeof x) == 0;   /* -0.0 is not 0.0 */
}

/* @text through json-glib's parser into an array, written back. */
static char *
write_array (const char *text, JsonNode **element_out)
{
  g_autofree char *array = g_strdup_printf ("[%s]", text);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (vw_json_check_syntax (array, strlen (array), &error));
  g_assert_true (json_parser_load_from_data (parser, array, -1, &error));
  g_assert_no_error (error);
  JsonNode *root = json_parser_get_root (parser);
  if (element_out)
    *element_out = json_node_copy (json_array_get_element (json_node_get_array (root), 0));
  return vw_json_to_string (root);
}

static void
test_numbers (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++) {
    const NumberRow *row = &numbers[i];
    g_autoptr (JsonNode) sent = NULL;
    g_autofree char *written = write_array (row->json, &sent);
    g_autofree char *expected = g_strdup_printf ("[%s]", row->written);
    g_autoptr (GError) error = NULL;

    g_test_message ("%s -> %s", row->json, written);
    g_assert_cmpstr (written, ==, expected);
    /* Valid JSON, and the same number once read back. */
    g_assert_true (vw_json_check_syntax (written, strlen (written), &error));
    g_assert_no_error (error);
    g_autoptr (JsonNode) back = NULL;
    g_autofree char *again = write_array (row->written, &back);
    g_assert_true (same_number (sent, back));
    g_assert_cmpstr (again, ==, expected);
  }
}

/* What JSON has no number for is null. */
static void
test_not_finite (void)
{
  const double values[] = { INFINITY, -INFINITY, NAN };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++) {
    g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);
    json_node_set_double (node, values[i]);
    g_autofree char *text = vw_json_to_string (node);
    g_assert_cmpstr (text, ==, "null");
  }
}

static const struct {
  const char *value;
  const char *written;
} strings[] = {
  { "李华", "\"李华\"" },
  { "a\"b\\c/d", "\"a\\\"b\\\\c/d\"" },
  { "\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"" },
  { "\x01\x1f", "\"\\u0001\\u001f\"" },
  { "\x7f", "\"\x7f\"" },
  { "a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"" },
  { "\xff" "x", "\"\\ufffdx\"" },
};

static void
test_strings (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++) {
    g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (),
        strings[i].value);
    g_autofree char *text = vw_json_to_string (node);
    g_assert_cmpstr (text, ==, strings[i].written);
    g_assert_true (vw_json_check_syntax (text, strlen (text), NULL));
  }

  /* Objects and arrays: members in order, compact. */
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *doc = "{\"b\":[1,2.5,true,null,{}],\"a\":\"x\",\"c\":[]}";
  g_assert_true (json_parser_load_from_data (parser, doc, -1, NULL));
  g_autofree char *text = vw_json_to_string (json_parser_get_root (parser));
  g_assert_cmpstr (text, ==, doc);
}

/* ---- a real vw-server ---- */

#define CENTER "黄浦区政务服务中心"

static VwTestServer *server;

/* The next text frame on @c as sent; fails the test if none comes. */
static char *
next_text (Conn *c)
{
  if (!vw_test_wait_until (conn_has_text, c, CONN_REPLY_TIMEOUT_MS) || !c->texts.length)
    g_error ("%s: no message", c->label);
  char *text = g_queue_pop_head (&c->texts);
  g_autoptr (GError) error = NULL;
  if (!vw_json_check_syntax (text, strlen (text), &error))
    g_error ("%s sent invalid JSON (%s): %s", c->label, error->message, text);
  return text;
}

/* Integer ids come back as "ref", digit for digit. */
static void
test_server_refs (void)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (Conn) c = conn_open (session, server->ws_url, "clerk");
  const char *ids[] = { "9007199254740993", "9223372036854775807",
    "-9223372036854775808", "0", "1" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
    g_autofree char *text = g_strdup_printf ("{\"type\":\"status\",\"id\":%s}", ids[i]);
    conn_send (c, text);
    g_autofree char *reply = next_text (c);
    g_autofree char *ref = g_strdup_printf ("\"ref\":%s}", ids[i]);
    g_test_message ("%s", reply);
    g_assert_true (g_str_has_suffix (reply, ref));
  }
  /* Numbers that are no id: an error, itself valid JSON. */
  const char *not_ids[] = { "1e308", "1.5", "-0.0" };
  for (guint i = 0; i < G_N_ELEMENTS (not_ids); i++) {
    g_autofree char *text = g_strdup_printf ("{\"type\":\"status\",\"id\":%s}",
        not_ids[i]);
    conn_send (c, text);
    g_autofree char *reply = next_text (c);
    g_assert_nonnull (strstr (reply, "\"code\":\"bad-field\""));
  }
}

/* GET @path as @token: the body as sent, strictly valid JSON. */
static char *
get_text (const char *path, const char *token)
{
  g_autofree char *url = g_strconcat (server->url, path + 1, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", auth, NULL };
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", url, headers, NULL, -1, &status, NULL);
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (status, ==, 200);
  if (!vw_json_check_syntax (data, len, &error))
    g_error ("%s answered invalid JSON (%s): %.*s", path, error->message, (int) len, data);
  return g_strndup (data, len);
}

#define ODD_NAME "李\x1f华\xe2\x80\xa8"
#define ODD_COMMENT "很好\x1f\x01"

/* One call: a clerk with @name rates it @level with @comment. */
static void
one_call (Conn *agent, Conn *clerk, const char *name, gint64 level, const char *comment)
{
  g_autoptr (JsonNode) n = json_node_init_string (json_node_alloc (), name);
  g_autoptr (JsonNode) k = json_node_init_string (json_node_alloc (), comment);
  g_autofree char *name_json = vw_json_to_string (n);
  g_autofree char *comment_json = vw_json_to_string (k);
  g_autofree char *hello = g_strdup_printf ("{\"type\":\"hello\",\"id\":\"h\","
      "\"protocol\":1,\"role\":\"clerk\",\"name\":%s,\"province\":\"anhui\","
      "\"center\":\"合肥市政务服务中心\"}", name_json);
  g_autoptr (JsonObject) w = conn_exchange (clerk, hello);
  assert_type (w, "welcome");
  g_autoptr (JsonObject) ok = conn_exchange (clerk, "{\"type\":\"request\",\"id\":\"r\","
      "\"province\":\"shanghai\",\"item\":\"QY-SL-001\"}");
  assert_type (ok, "ok");
  g_autoptr (JsonObject) paired = conn_next (clerk);
  assert_type (paired, "paired");
  /* The agent is told the clerk's name: valid JSON too. */
  g_autofree char *to_agent = next_text (agent);
  g_assert_nonnull (strstr (to_agent, "\"paired\""));
  g_autofree char *session = g_strdup (member_string (paired, "session"));
  g_autofree char *hangup = g_strdup_printf ("{\"type\":\"hangup\",\"id\":\"x\","
      "\"session\":\"%s\"}", session);
  conn_send (clerk, hangup);
  while (TRUE) {
    g_autoptr (JsonObject) o = conn_next (clerk);
    if (g_str_equal (member_string (o, "type"), "ended"))
      break;
  }
  g_autofree char *rate = g_strdup_printf ("{\"type\":\"rate\",\"id\":\"rt\","
      "\"session\":\"%s\",\"level\":%" G_GINT64_FORMAT ",\"comment\":%s}", session,
      level, comment_json);
  g_autoptr (JsonObject) rated = conn_exchange (clerk, rate);
  assert_type (rated, "ok");
}

static void
test_server_api (void)
{
  g_free (vw_test_server_add_account (server, "wangfang", "agent", "王芳", "shanghai",
      CENTER, NULL));
  g_autofree char *password_file = vw_test_server_add_account (server, "zhaolei",
      "supervisor", "赵蕾", "shanghai", CENTER, "province");
  g_autofree char *agent_token = vw_test_server_token (server, "wangfang");
  g_autofree char *supervisor = vw_test_server_token (server, "zhaolei");
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (Conn) agent = conn_open (session, server->ws_url, "agent");
  g_autofree char *hello = g_strdup_printf ("{\"type\":\"hello\",\"id\":\"h\","
      "\"protocol\":1,\"role\":\"agent\",\"name\":\"王芳\",\"province\":\"shanghai\","
      "\"center\":\"" CENTER "\",\"token\":\"%s\"}", agent_token);
  g_autoptr (JsonObject) w = conn_exchange (agent, hello);
  assert_type (w, "welcome");
  g_autoptr (JsonObject) ok = conn_exchange (agent,
      "{\"type\":\"status\",\"id\":\"s\",\"available\":true}");
  assert_type (ok, "ok");

  /* Three calls rated 5, 1, 1: a good rate of 1/3. */
  const gint64 levels[] = { 5, 1, 1 };
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++) {
    g_autoptr (Conn) clerk = conn_open (session, server->ws_url, "clerk");
    one_call (agent, clerk, ODD_NAME, levels[i], ODD_COMMENT);
    /* The agent is offered the next call after its wrap-up: skip what it
     * was told meanwhile. */
    while (vw_test_wait_until (conn_has_text, agent, 200) && agent->texts.length)
      g_free (next_text (agent));
    g_autoptr (JsonObject) again = conn_exchange (agent,
        "{\"type\":\"status\",\"id\":\"s\",\"available\":true}");
    assert_type (again, "ok");
  }

  g_autofree char *list = get_text ("/api/sessions", supervisor);
  g_assert_nonnull (strstr (list, "\"name\":\"李\\u001f华\\u2028\""));
  g_assert_nonnull (strstr (list, "\"comment\":\"很好\\u001f\\u0001\""));
  g_autofree char *stats = get_text ("/api/stats", supervisor);
  g_test_message ("%s", stats);
  g_assert_nonnull (strstr (stats, "\"good_rate\":0.3333333333333333"));

  /* A body is read strictly too: json-glib alone cuts "zhaolei\u0000x"
   * to "zhaolei" (which then signed in), and reads 18446744073709551617
   * as -1. */
  g_autofree char *password = NULL;
  g_assert_true (g_file_get_contents (password_file, &password, NULL, NULL));
  g_strchomp (password);
  const char *bodies[] = {
    "{\"username\":\"zhaolei\\u0000x\",\"password\":\"%s\"}",
    "{\"username\":\"zhaolei\",\"password\":\"%s\",\"n\":18446744073709551617}",
    "{\"username\":\"zhaolei\",\"password\":\"%s\",\"n\":1e400}",
  };
  g_autofree char *login = g_strconcat (server->url, "api/login", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++) {
    g_autofree char *body = g_strdup_printf (bodies[i], password);
    guint status = 0;
    g_autoptr (GBytes) answer = vw_test_http ("POST", login, NULL, body, -1, &status, NULL);
    g_test_message ("%s: %u", bodies[i], status);
    g_assert_cmpuint (status, ==, 400);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-numbers/numbers", test_numbers);
  g_test_add_func ("/json-numbers/not-finite", test_not_finite);
  g_test_add_func ("/json-numbers/strings", test_strings);
  g_test_add_func ("/json-numbers/server/refs", test_server_refs);
  g_test_add_func ("/json-numbers/server/api", test_server_api);
  server = vw_test_server_start ((const char *[]) { "--wrap-up-seconds", "0", NULL });
  int status = g_test_run ();
  vw_test_server_stop (server);
  return status;
}
