/* test-protocol.c: unit tests for the signalling protocol library.
 *
 * The invalid-input tests are table-driven, in the spirit of json-glib's
 * tests/invalid.c: every row is one text, the side that sent it, the error
 * code vw_message_parse() must report, the "ref" it must hand back (as JSON
 * text, or NULL for none) and a piece of the error message that must appear
 * (typically the field's name).
 */
#include "vw-protocol.h"
#include "protocol-invalid-table.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* The JSON text of @node, or NULL. */
static char *
node_to_text (JsonNode *node)
{
  return node ? json_to_string (node, FALSE) : NULL;
}

/* Parses @text and asserts it fails with @code, hands back @ref (JSON text
 * or NULL) and mentions @needle (or NULL) in the message. */
static void
assert_parse_fails (const char *text, gssize length, VwDirection from,
                    VwProtocolError code, const char *ref, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) out_ref = NULL;
  g_autoptr(VwMessage) msg = NULL;
  g_autofree char *ref_text = NULL;

  if (length < 0)
    length = strlen (text);

  msg = vw_message_parse (text, length, from, &out_ref, &error);
  if (msg != NULL)
    g_test_message ("unexpectedly parsed: %.200s", text);
  g_assert_null (msg);
  g_assert_error (error, VW_PROTOCOL_ERROR, (int) code);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  if (needle != NULL)
    {
      if (strstr (error->message, needle) == NULL)
        g_test_message ("error message \"%s\" lacks \"%s\"", error->message, needle);
      g_assert_nonnull (strstr (error->message, needle));
    }
  ref_text = node_to_text (out_ref);
  g_assert_cmpstr (ref_text, ==, ref);
}

/* Parses @text, asserts success with @type and returns the message. */
static VwMessage *
parse_ok (const char *text, VwDirection from, VwMessageType type)
{
  g_autoptr(GError) error = NULL;
  VwMessage *msg;

  msg = vw_message_parse (text, strlen (text), from, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpint (vw_message_get_msg_type (msg), ==, type);
  return msg;
}

/* Serializes @msg and parses the text back as sent by @from. */
static VwMessage *
round_trip (VwMessage *msg, VwDirection from)
{
  g_autofree char *text = vw_message_to_string (msg);
  g_autoptr(GError) error = NULL;
  VwMessage *back;

  g_assert_nonnull (text);
  g_assert_null (strchr (text, '\n'));   /* compact */
  back = vw_message_parse (text, strlen (text), from, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpint (vw_message_get_msg_type (back), ==, vw_message_get_msg_type (msg));
  return back;
}

/* ------------------------------------------------------------------------ */
/* Invalid input, table-driven                                              */

/* InvalidCase and the rows: protocol-invalid-table.h, .c. */


static void
test_invalid (gconstpointer data)
{
  const InvalidCase *c = data;

  assert_parse_fails (c->text, c->length, c->from, c->code, c->ref, c->needle);
}

/* Sizes: exactly the limit is fine, one byte more is too large; the size is
 * checked before anything else. */
static void
test_size_limit (void)
{
  const char *head = "{\"type\":\"answer\",\"session\":\"s1\",\"sdp\":\"";
  const char *tail = "\"}";
  g_autoptr(GString) text = g_string_new (head);
  g_autoptr(GError) error = NULL;
  g_autoptr(VwMessage) msg = NULL;
  g_autofree char *garbage = NULL;

  while (text->len < VW_MAX_MESSAGE_SIZE - strlen (tail))
    g_string_append_c (text, 'a');
  g_string_append (text, tail);
  g_assert_cmpuint (text->len, ==, VW_MAX_MESSAGE_SIZE);

  msg = vw_message_parse (text->str, text->len, VW_FROM_CLIENT, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpuint (strlen (vw_message_get_string (msg, "sdp", NULL)),
                    ==, VW_MAX_MESSAGE_SIZE - strlen (head) - strlen (tail));

  /* One more byte. */
  g_string_insert_c (text, strlen (head), 'b');
  assert_parse_fails (text->str, text->len, VW_FROM_CLIENT,
                      VW_PROTOCOL_ERROR_TOO_LARGE, NULL, "65536");

  /* 65 KiB of garbage: too large, not bad JSON. */
  garbage = g_strnfill (65 * 1024, '\xff');
  assert_parse_fails (garbage, 65 * 1024, VW_FROM_CLIENT,
                      VW_PROTOCOL_ERROR_TOO_LARGE, NULL, NULL);
}

/* Whitespace padding counts towards the limit too. */
static void
test_size_limit_padding (void)
{
  g_autoptr(GString) text = g_string_new ("{\"type\":\"status\",\"available\":true,\"id\":1}");

  while (text->len < 65 * 1024)
    g_string_append_c (text, ' ');
  assert_parse_fails (text->str, text->len, VW_FROM_CLIENT,
                      VW_PROTOCOL_ERROR_TOO_LARGE, NULL, NULL);
}

/* An unknown member nested @levels arrays deep inside the message. */
static char *
nested_text (guint levels)
{
  GString *text = g_string_new ("{\"type\":\"status\",\"available\":true,\"x\":");

  for (guint i = 0; i < levels; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < levels; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static void
test_nesting_limit (void)
{
  g_autofree char *ok_text = nested_text (31);      /* 32 levels with the message */
  g_autofree char *deep_text = nested_text (32);
  g_autoptr(GString) very_deep = g_string_new (NULL);
  g_autoptr(VwMessage) msg = NULL;

  msg = parse_ok (ok_text, VW_FROM_CLIENT, VW_MSG_STATUS);
  assert_parse_fails (deep_text, -1, VW_FROM_CLIENT, VW_PROTOCOL_ERROR_BAD_JSON, NULL, "nested");

  /* Would overflow a recursive parser's stack. */
  while (very_deep->len < VW_MAX_MESSAGE_SIZE)
    g_string_append_c (very_deep, '[');
  assert_parse_fails (very_deep->str, very_deep->len, VW_FROM_CLIENT,
                      VW_PROTOCOL_ERROR_BAD_JSON, NULL, "nested");
}

static void
test_id_length (void)
{
  g_autofree char *id128 = g_strnfill (128, 'i');
  g_autofree char *id129 = g_strnfill (129, 'i');
  g_autofree char *ok_text = g_strdup_printf ("{\"type\":\"status\",\"available\":true,\"id\":\"%s\"}", id128);
  g_autofree char *long_text = g_strdup_printf ("{\"type\":\"status\",\"available\":true,\"id\":\"%s\"}", id129);
  g_autoptr(VwMessage) msg = NULL;

  msg = parse_ok (ok_text, VW_FROM_CLIENT, VW_MSG_STATUS);
  g_assert_cmpstr (json_node_get_string (vw_message_get_id (msg)), ==, id128);
  assert_parse_fails (long_text, -1, VW_FROM_CLIENT, VW_PROTOCOL_ERROR_BAD_FIELD, NULL, "'id'");
}

/* A failed parse clears *out_ref even if it held something. */
static void
test_out_ref_reset (void)
{
  g_autoptr(GError) error = NULL;
  JsonNode *ref = NULL;
  g_autoptr(VwMessage) msg = NULL;
  const char *with_id = "{\"type\":\"hangup\",\"id\":\"h-1\"}";

  msg = vw_message_parse (with_id, strlen (with_id), VW_FROM_CLIENT, &ref, &error);
  g_assert_null (msg);
  g_assert_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_MISSING_FIELD);
  g_assert_nonnull (ref);
  g_assert_cmpstr (json_node_get_string (ref), ==, "h-1");
  json_node_unref (ref);
  ref = NULL;
  g_clear_error (&error);

  msg = vw_message_parse ("{]", 2, VW_FROM_CLIENT, &ref, &error);
  g_assert_null (msg);
  g_assert_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_JSON);
  g_assert_null (ref);
  g_clear_error (&error);

  /* An empty WebSocket payload may come as NULL data. */
  msg = vw_message_parse (NULL, 0, VW_FROM_CLIENT, &ref, &error);
  g_assert_null (msg);
  g_assert_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_JSON);
  g_assert_null (ref);
  g_clear_error (&error);

  /* NULL out_ref and NULL error are fine. */
  msg = vw_message_parse (with_id, strlen (with_id), VW_FROM_CLIENT, NULL, NULL);
  g_assert_null (msg);
}

/* ------------------------------------------------------------------------ */
/* Valid client messages                                                    */

static void
test_parse_hello (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ref = NULL;
  g_autoptr(VwMessage) msg = NULL;
  VwRole role;
  const char *text =
    "{ \"type\": \"hello\", \"id\": 1, \"protocol\": 1, \"role\": \"agent\",\n"
    "  \"name\": \"王芳\", \"province\": \"shanghai\", \"center\": \"黄浦区政务服务中心\" }\r\n";

  msg = vw_message_parse (text, strlen (text), VW_FROM_CLIENT, &ref, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpint (vw_message_get_msg_type (msg), ==, VW_MSG_HELLO);
  g_assert_cmpint (vw_message_get_int (msg, "protocol", -1), ==, 1);
  g_assert_true (vw_role_from_string (vw_message_get_string (msg, "role", NULL), &role));
  g_assert_cmpint (role, ==, VW_ROLE_AGENT);
  g_assert_cmpstr (vw_message_get_string (msg, "name", NULL), ==, "王芳");
  g_assert_cmpstr (vw_message_get_string (msg, "province", NULL), ==, "shanghai");
  g_assert_cmpstr (vw_message_get_string (msg, "center", NULL), ==, "黄浦区政务服务中心");
  /* The id comes back both ways on success. */
  g_assert_nonnull (ref);
  g_assert_cmpint (json_node_get_int (ref), ==, 1);
  g_assert_cmpint (json_node_get_int (vw_message_get_id (msg)), ==, 1);
}

static void
test_parse_hello_other_protocol (void)
{
  /* The library only checks the type; the server answers
   * unsupported-protocol. */
  g_autoptr(VwMessage) msg = parse_ok (
    "{\"type\":\"hello\",\"protocol\":2,\"role\":\"clerk\",\"name\":\"李娜\","
    "\"province\":\"anhui\",\"center\":\"合肥市政务服务中心\"}",
    VW_FROM_CLIENT, VW_MSG_HELLO);
  g_assert_cmpint (vw_message_get_int (msg, "protocol", 0), ==, 2);
  g_assert_cmpstr (vw_message_get_string (msg, "role", NULL), ==, "clerk");
  g_assert_null (vw_message_get_id (msg));
}

static void
test_parse_status (void)
{
  g_autoptr(VwMessage) on = parse_ok ("{\"type\":\"status\",\"available\":true,\"id\":\"s-1\"}",
                                      VW_FROM_CLIENT, VW_MSG_STATUS);
  g_autoptr(VwMessage) off = parse_ok ("{\"available\":false,\"type\":\"status\"}",
                                       VW_FROM_CLIENT, VW_MSG_STATUS);

  g_assert_true (vw_message_get_bool (on, "available", FALSE));
  g_assert_cmpstr (json_node_get_string (vw_message_get_id (on)), ==, "s-1");
  g_assert_false (vw_message_get_bool (off, "available", TRUE));
}

static void
test_parse_request (void)
{
  g_autoptr(VwMessage) msg = parse_ok (
    "{\"type\":\"request\",\"province\":\"jiangsu\",\"item\":\"企业设立、变更、注销\"}",
    VW_FROM_CLIENT, VW_MSG_REQUEST);

  g_assert_cmpstr (vw_message_get_string (msg, "province", NULL), ==, "jiangsu");
  g_assert_cmpstr (vw_message_get_string (msg, "item", NULL), ==, "企业设立、变更、注销");
}

static void
test_parse_hangup (void)
{
  g_autoptr(VwMessage) msg = parse_ok ("{\"type\":\"hangup\",\"session\":\"sess-42\",\"id\":-5}",
                                       VW_FROM_CLIENT, VW_MSG_HANGUP);

  g_assert_cmpstr (vw_message_get_string (msg, "session", NULL), ==, "sess-42");
  g_assert_cmpint (json_node_get_int (vw_message_get_id (msg)), ==, -5);
}

static void
test_parse_publish (void)
{
  g_autoptr(VwMessage) msg = parse_ok (
    "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":["
    "{\"kind\":\"audio\"},{\"kind\":\"camera\"},{\"kind\":\"screen\"},"
    "{\"kind\":\"document\",\"label\":\"高拍仪\"}]}",
    VW_FROM_CLIENT, VW_MSG_PUBLISH);
  g_autoptr(VwMessage) none = parse_ok (
    "{\"type\":\"publish\",\"session\":\"s1\",\"tracks\":[]}",
    VW_FROM_CLIENT, VW_MSG_PUBLISH);
  JsonArray *tracks = vw_message_get_array_member (msg, "tracks");

  g_assert_cmpstr (vw_message_get_string (msg, "session", NULL), ==, "s1");
  g_assert_nonnull (tracks);
  g_assert_cmpuint (json_array_get_length (tracks), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *track = json_array_get_object_element (tracks, i);
      VwTrackKind kind;

      g_assert_true (vw_track_kind_from_string (json_object_get_string_member (track, "kind"), &kind));
      g_assert_cmpint (kind, ==, (VwTrackKind) i);
    }
  g_assert_cmpuint (json_array_get_length (vw_message_get_array_member (none, "tracks")), ==, 0);
}

static void
test_parse_answer (void)
{
  g_autoptr(VwMessage) msg = parse_ok (
    "{\"type\":\"answer\",\"session\":\"s1\",\"sdp\":\"v=0\\r\\no=- 1 1 IN IP4 0.0.0.0\\r\\n\"}",
    VW_FROM_CLIENT, VW_MSG_ANSWER);

  g_assert_cmpstr (vw_message_get_string (msg, "sdp", NULL), ==, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");
}

static void
test_parse_ice (void)
{
  g_autoptr(VwMessage) msg = parse_ok (
    "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":2,"
    "\"candidate\":\"candidate:1 1 UDP 2122252543 192.0.2.7 50000 typ host\"}",
    VW_FROM_CLIENT, VW_MSG_ICE);
  g_autoptr(VwMessage) end = parse_ok (
    "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":0,\"candidate\":\"\"}",
    VW_FROM_CLIENT, VW_MSG_ICE);

  g_assert_cmpint (vw_message_get_int (msg, "mline", -1), ==, 2);
  g_assert_cmpstr (vw_message_get_string (msg, "candidate", NULL), ==,
                   "candidate:1 1 UDP 2122252543 192.0.2.7 50000 typ host");
  g_assert_cmpint (vw_message_get_int (end, "mline", -1), ==, 0);
  g_assert_cmpstr (vw_message_get_string (end, "candidate", NULL), ==, "");
}

/* Escapes that are valid JSON come out as the right UTF-8; members the
 * protocol does not know are ignored; duplicate members: the last wins. */
static void
test_parse_lenient_but_valid (void)
{
  g_autoptr(VwMessage) msg = parse_ok (
    "{\"type\":\"hangup\",\"session\":\"\\u4e0a\\u6d77 \\ud83d\\ude00 \\\"\\/\\\\\\u001f\","
    "\"extra\":{\"nested\":[1,2.5,-0,1E+2,null,true]},\"ref\":1}",
    VW_FROM_CLIENT, VW_MSG_HANGUP);
  g_autoptr(VwMessage) dup = parse_ok (
    "{\"type\":\"status\",\"available\":false,\"available\":true}",
    VW_FROM_CLIENT, VW_MSG_STATUS);

  g_assert_cmpstr (vw_message_get_string (msg, "session", NULL), ==,
                   "上海 \xf0\x9f\x98\x80 \"/\\\x1f");
  g_assert_true (vw_message_get_bool (dup, "available", FALSE));
}

/* ------------------------------------------------------------------------ */
/* Server messages: build, serialize, parse back                            */

static void
test_welcome (void)
{
  g_autoptr(VwMessage) msg = vw_message_new_welcome ("peer-7");
  g_autoptr(VwMessage) back = NULL;
  g_autofree char *text = vw_message_to_string (msg);
  g_autoptr(JsonNode) ref = json_node_init_int (json_node_alloc (), 1);

  g_assert_cmpstr (text, ==, "{\"type\":\"welcome\",\"peer_id\":\"peer-7\"}");
  back = round_trip (msg, VW_FROM_SERVER);
  g_assert_cmpstr (vw_message_get_string (back, "peer_id", NULL), ==, "peer-7");

  /* A reply to a hello with an id carries it as ref. */
  vw_message_set_ref (msg, ref);
  vw_message_set_ref (msg, NULL);   /* no-op */
  g_free (text);
  text = vw_message_to_string (msg);
  g_assert_cmpstr (text, ==, "{\"type\":\"welcome\",\"peer_id\":\"peer-7\",\"ref\":1}");
}

static void
test_queued (void)
{
  g_autoptr(VwMessage) msg = vw_message_new_queued ("zhejiang", 3);
  g_autoptr(VwMessage) back = round_trip (msg, VW_FROM_SERVER);

  g_assert_cmpint (vw_message_get_int (back, "position", 0), ==, 3);
  g_assert_cmpstr (vw_message_get_string (back, "province", NULL), ==, "zhejiang");
}

static void
test_ended (void)
{
  static const char * const reasons[] = {
    "hangup", "peer-hangup", "peer-disconnected", "media-failed", "server-shutdown",
  };

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      g_autoptr(VwMessage) msg = vw_message_new_ended ("s-9", reasons[i]);
      g_autoptr(VwMessage) back = round_trip (msg, VW_FROM_SERVER);

      g_assert_cmpstr (vw_message_get_string (back, "session", NULL), ==, "s-9");
      g_assert_cmpstr (vw_message_get_string (back, "reason", NULL), ==, reasons[i]);
    }
}

static void
test_ice_both_ways (void)
{
  g_autoptr(VwMessage) msg = vw_message_new_ice ("s1", 1, "candidate:2 1 UDP 1686052607 203.0.113.4 61000 typ srflx");
  g_autoptr(VwMessage) from_server = round_trip (msg, VW_FROM_SERVER);
  g_autoptr(VwMessage) from_client = NULL;
  g_autoptr(VwMessage) end = vw_message_new_ice ("s1", 0, "");
  g_autoptr(VwMessage) end_back = NULL;

  g_assert_cmpint (vw_message_get_int (from_server, "mline", -1), ==, 1);
  g_assert_cmpstr (vw_message_get_string (from_server, "candidate", NULL), ==,
                   "candidate:2 1 UDP 1686052607 203.0.113.4 61000 typ srflx");

  vw_message_set_id (msg, "c-17");
  from_client = round_trip (msg, VW_FROM_CLIENT);
  g_assert_cmpstr (json_node_get_string (vw_message_get_id (from_client)), ==, "c-17");
  g_assert_cmpstr (vw_message_get_string (from_client, "session", NULL), ==, "s1");

  end_back = round_trip (end, VW_FROM_CLIENT);
  g_assert_cmpstr (vw_message_get_string (end_back, "candidate", NULL), ==, "");
}

static void
test_error (void)
{
  g_autoptr(JsonNode) int_ref = json_node_init_int (json_node_alloc (), 12);
  g_autoptr(JsonNode) str_ref = json_node_init_string (json_node_alloc (), "r-1");
  g_autoptr(VwMessage) with_int = vw_message_new_error (VW_PROTOCOL_ERROR_WRONG_STATE,
                                                        "not paired", int_ref);
  g_autoptr(VwMessage) with_str = vw_message_new_error (VW_PROTOCOL_ERROR_BAD_SDP,
                                                        "no m-lines", str_ref);
  g_autoptr(VwMessage) without = vw_message_new_error (VW_PROTOCOL_ERROR_BAD_JSON,
                                                       "invalid JSON", NULL);
  g_autoptr(VwMessage) back = NULL;
  g_autofree char *text = vw_message_to_string (without);
  JsonNode *ref;

  g_assert_cmpstr (text, ==, "{\"type\":\"error\",\"code\":\"bad-json\",\"message\":\"invalid JSON\"}");

  back = round_trip (with_int, VW_FROM_SERVER);
  g_assert_cmpstr (vw_message_get_string (back, "code", NULL), ==, "wrong-state");
  g_assert_cmpstr (vw_message_get_string (back, "message", NULL), ==, "not paired");
  g_assert_cmpint (vw_message_get_int (back, "ref", 0), ==, 12);
  g_clear_pointer (&back, vw_message_unref);

  back = round_trip (with_str, VW_FROM_SERVER);
  g_assert_cmpstr (vw_message_get_string (back, "code", NULL), ==, "bad-sdp");
  ref = json_object_get_member (vw_message_get_object (back), "ref");
  g_assert_nonnull (ref);
  g_assert_cmpstr (json_node_get_string (ref), ==, "r-1");
  g_clear_pointer (&back, vw_message_unref);

  back = round_trip (without, VW_FROM_SERVER);
  g_assert_false (json_object_has_member (vw_message_get_object (back), "ref"));
}

/* A parse failure turns into the error reply the server sends. */
static void
test_error_from_parse_failure (void)
{
  const char *text = "{\"type\":\"status\",\"available\":\"yes\",\"id\":99}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ref = NULL;
  g_autoptr(VwMessage) msg = vw_message_parse (text, strlen (text), VW_FROM_CLIENT, &ref, &error);
  g_autoptr(VwMessage) reply = NULL;
  g_autofree char *reply_text = NULL;

  g_assert_null (msg);
  reply = vw_message_new_error_from_gerror (error, ref);
  reply_text = vw_message_to_string (reply);
  g_assert_cmpstr (reply_text, ==,
                   "{\"type\":\"error\",\"code\":\"bad-field\","
                   "\"message\":\"field 'available' must be a boolean\",\"ref\":99}");
}

static void
test_error_from_gerror (void)
{
  g_autoptr(GError) proto = g_error_new_literal (VW_PROTOCOL_ERROR,
                                                 VW_PROTOCOL_ERROR_UNKNOWN_SESSION,
                                                 "no session 'x' here");
  g_autoptr(GError) io = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_ACCES,
                                              "/var/lib/vw/recordings: permission denied");
  g_autoptr(GError) out_of_range = g_error_new_literal (VW_PROTOCOL_ERROR, 1000, "??");
  g_autoptr(VwMessage) a = vw_message_new_error_from_gerror (proto, NULL);
  g_autoptr(VwMessage) b = vw_message_new_error_from_gerror (io, NULL);
  g_autoptr(VwMessage) c = vw_message_new_error_from_gerror (out_of_range, NULL);

  g_assert_cmpstr (vw_message_get_string (a, "code", NULL), ==, "unknown-session");
  g_assert_cmpstr (vw_message_get_string (a, "message", NULL), ==, "no session 'x' here");
  /* Other domains: "internal", and the internals stay on the server. */
  g_assert_cmpstr (vw_message_get_string (b, "code", NULL), ==, "internal");
  g_assert_null (strstr (vw_message_get_string (b, "message", ""), "/var/lib"));
  g_assert_cmpstr (vw_message_get_string (c, "code", NULL), ==, "internal");
}

static void
test_ok (void)
{
  g_autoptr(JsonNode) ref = json_node_init_string (json_node_alloc (), "st-3");
  g_autoptr(VwMessage) msg = vw_message_new (VW_MSG_OK);
  g_autoptr(VwMessage) back = NULL;
  g_autofree char *text = NULL;

  vw_message_set_ref (msg, ref);
  text = vw_message_to_string (msg);
  g_assert_cmpstr (text, ==, "{\"type\":\"ok\",\"ref\":\"st-3\"}");
  back = round_trip (msg, VW_FROM_SERVER);
  g_assert_cmpstr (vw_message_get_string (back, "ref", NULL), ==, "st-3");
}

static JsonObject *
make_peer (const char *name, const char *role, const char *province, const char *center)
{
  JsonObject *peer = json_object_new ();

  json_object_set_string_member (peer, "name", name);
  json_object_set_string_member (peer, "role", role);
  json_object_set_string_member (peer, "province", province);
  json_object_set_string_member (peer, "center", center);
  return peer;
}

static void
test_paired (void)
{
  g_autoptr(VwMessage) msg = vw_message_new (VW_MSG_PAIRED);
  g_autoptr(VwMessage) back = NULL;
  JsonObject *peer;

  vw_message_set_string (msg, "session", "s-100");
  vw_message_take_object (msg, "peer", make_peer ("张伟", "agent", "zhejiang", "嘉善县行政服务中心"));
  back = round_trip (msg, VW_FROM_SERVER);

  g_assert_cmpstr (vw_message_get_string (back, "session", NULL), ==, "s-100");
  peer = vw_message_get_object_member (back, "peer");
  g_assert_nonnull (peer);
  g_assert_cmpstr (json_object_get_string_member (peer, "name"), ==, "张伟");
  g_assert_cmpstr (json_object_get_string_member (peer, "role"), ==, "agent");
  g_assert_cmpstr (json_object_get_string_member (peer, "province"), ==, "zhejiang");
  g_assert_cmpstr (json_object_get_string_member (peer, "center"), ==, "嘉善县行政服务中心");
  g_assert_cmpstr (vw_province_display_name (json_object_get_string_member (peer, "province")), ==, "浙江");
}

static JsonObject *
make_track (const char *mid, VwTrackKind kind, const char *direction, const char *peer)
{
  JsonObject *track = json_object_new ();

  json_object_set_string_member (track, "mid", mid);
  json_object_set_string_member (track, "kind", vw_track_kind_to_string (kind));
  json_object_set_string_member (track, "direction", direction);
  json_object_set_string_member (track, "peer", peer);
  return track;
}

static void
test_offer (void)
{
  static const struct {
    const char *mid;
    VwTrackKind kind;
    const char *direction;
    const char *peer;
  } expected[] = {
    { "0", VW_TRACK_AUDIO, "send", "clerk-1" },
    { "1", VW_TRACK_CAMERA, "send", "clerk-1" },
    { "2", VW_TRACK_AUDIO, "recv", "agent-1" },
    { "3", VW_TRACK_CAMERA, "recv", "agent-1" },
    { "4", VW_TRACK_SCREEN, "recv", "agent-1" },
    { "5", VW_TRACK_DOCUMENT, "recv", "agent-1" },
  };
  g_autoptr(VwMessage) msg = vw_message_new (VW_MSG_OFFER);
  g_autoptr(VwMessage) back = NULL;
  JsonArray *tracks = json_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    json_array_add_object_element (tracks, make_track (expected[i].mid, expected[i].kind,
                                                       expected[i].direction, expected[i].peer));
  vw_message_set_string (msg, "session", "s-100");
  vw_message_set_string (msg, "sdp", "v=0\r\ns=-\r\na=group:BUNDLE 0 1 2 3 4 5\r\n");
  vw_message_take_array (msg, "tracks", tracks);
  back = round_trip (msg, VW_FROM_SERVER);

  g_assert_cmpstr (vw_message_get_string (back, "sdp", NULL), ==,
                   "v=0\r\ns=-\r\na=group:BUNDLE 0 1 2 3 4 5\r\n");
  tracks = vw_message_get_array_member (back, "tracks");
  g_assert_nonnull (tracks);
  g_assert_cmpuint (json_array_get_length (tracks), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *track = json_array_get_object_element (tracks, i);
      VwTrackKind kind;

      g_assert_cmpstr (json_object_get_string_member (track, "mid"), ==, expected[i].mid);
      g_assert_true (vw_track_kind_from_string (json_object_get_string_member (track, "kind"), &kind));
      g_assert_cmpint (kind, ==, expected[i].kind);
      g_assert_cmpstr (json_object_get_string_member (track, "direction"), ==, expected[i].direction);
      g_assert_cmpstr (json_object_get_string_member (track, "peer"), ==, expected[i].peer);
    }
}

/* Client messages built with the generic API parse back as sent. */
static void
test_client_builders (void)
{
  g_autoptr(VwMessage) hello = vw_message_new (VW_MSG_HELLO);
  g_autoptr(VwMessage) status = vw_message_new (VW_MSG_STATUS);
  g_autoptr(VwMessage) publish = vw_message_new (VW_MSG_PUBLISH);
  g_autoptr(VwMessage) back = NULL;
  g_autofree char *text = NULL;
  JsonArray *tracks = json_array_new ();
  JsonObject *track = json_object_new ();

  vw_message_set_int (hello, "protocol", VW_PROTOCOL_VERSION);
  vw_message_set_string (hello, "role", vw_role_to_string (VW_ROLE_CLERK));
  vw_message_set_string (hello, "name", "陈静");
  vw_message_set_string (hello, "province", "jiangsu");
  vw_message_set_string (hello, "center", "吴江区政务服务中心");
  vw_message_set_id (hello, "1");
  text = vw_message_to_string (hello);
  g_assert_cmpstr (text, ==,
                   "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"陈静\","
                   "\"province\":\"jiangsu\",\"center\":\"吴江区政务服务中心\",\"id\":\"1\"}");
  back = round_trip (hello, VW_FROM_CLIENT);
  g_assert_cmpstr (vw_message_get_string (back, "center", NULL), ==, "吴江区政务服务中心");
  g_clear_pointer (&back, vw_message_unref);

  vw_message_set_bool (status, "available", TRUE);
  back = round_trip (status, VW_FROM_CLIENT);
  g_assert_true (vw_message_get_bool (back, "available", FALSE));
  g_clear_pointer (&back, vw_message_unref);

  json_object_set_string_member (track, "kind", "document");
  json_array_add_object_element (tracks, track);
  vw_message_set_string (publish, "session", "s1");
  vw_message_take_array (publish, "tracks", tracks);
  back = round_trip (publish, VW_FROM_CLIENT);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (vw_message_get_array_member (back, "tracks"), 0),
                     "kind"), ==, "document");
}

/* json-glib 1.6 writes U+001F raw; vw_message_to_string() must not. */
static void
test_control_characters_round_trip (void)
{
  char all[32];
  g_autoptr(VwMessage) msg = NULL;
  g_autoptr(VwMessage) back = NULL;
  g_autofree char *text = NULL;

  for (int i = 1; i < 32; i++)
    all[i - 1] = (char) i;
  all[31] = '\0';
  msg = vw_message_new_ended ("s1", all);
  text = vw_message_to_string (msg);
  for (const char *p = text; *p; p++)
    g_assert_cmpint ((guchar) *p, >=, 0x20);
  back = round_trip (msg, VW_FROM_SERVER);
  g_assert_cmpstr (vw_message_get_string (back, "reason", NULL), ==, all);
}

/* ------------------------------------------------------------------------ */
/* Generic API                                                              */

static void
test_new_and_types (void)
{
  for (guint t = 0; t < VW_MSG_N_TYPES; t++)
    {
      g_autoptr(VwMessage) msg = vw_message_new ((VwMessageType) t);
      const char *name = vw_message_type_to_string ((VwMessageType) t);
      g_autofree char *text = vw_message_to_string (msg);
      g_autofree char *expected = g_strdup_printf ("{\"type\":\"%s\"}", name);

      g_assert_nonnull (name);
      g_assert_cmpint (vw_message_get_msg_type (msg), ==, t);
      g_assert_cmpstr (text, ==, expected);
      for (guint u = 0; u < t; u++)
        g_assert_cmpstr (vw_message_type_to_string ((VwMessageType) u), !=, name);
    }

  g_assert_cmpstr (vw_message_type_to_string (VW_MSG_HELLO), ==, "hello");
  g_assert_cmpstr (vw_message_type_to_string (VW_MSG_PUBLISH), ==, "publish");
  g_assert_cmpstr (vw_message_type_to_string (VW_MSG_OFFER), ==, "offer");
  g_assert_cmpstr (vw_message_type_to_string (VW_MSG_ICE), ==, "ice");
}

static void
test_getters_defaults (void)
{
  g_autoptr(VwMessage) msg = parse_ok (
    "{\"type\":\"ice\",\"session\":\"s1\",\"mline\":3,\"candidate\":\"c\",\"x\":[1],\"y\":{\"a\":1}}",
    VW_FROM_CLIENT, VW_MSG_ICE);

  g_assert_cmpstr (vw_message_get_string (msg, "missing", "def"), ==, "def");
  g_assert_cmpstr (vw_message_get_string (msg, "mline", "def"), ==, "def");
  g_assert_cmpint (vw_message_get_int (msg, "session", 77), ==, 77);
  g_assert_cmpint (vw_message_get_int (msg, "mline", 77), ==, 3);
  g_assert_true (vw_message_get_bool (msg, "candidate", TRUE));
  g_assert_false (vw_message_get_bool (msg, "missing", FALSE));
  g_assert_null (vw_message_get_object_member (msg, "x"));
  g_assert_nonnull (vw_message_get_object_member (msg, "y"));
  g_assert_null (vw_message_get_array_member (msg, "y"));
  g_assert_nonnull (vw_message_get_array_member (msg, "x"));
  g_assert_null (vw_message_get_id (msg));
  g_assert_cmpstr (json_object_get_string_member (vw_message_get_object (msg), "type"), ==, "ice");
}

static void
test_refcount (void)
{
  VwMessage *msg = vw_message_new_welcome ("p1");
  VwMessage *other = vw_message_ref (msg);

  g_assert_true (other == msg);
  vw_message_unref (msg);
  /* Still alive through the second reference. */
  g_assert_cmpstr (vw_message_get_string (other, "peer_id", NULL), ==, "p1");
  vw_message_unref (other);
}

/* Parsed messages can be modified, e.g. to forward them. */
static void
test_parsed_is_mutable (void)
{
  g_autoptr(VwMessage) msg = parse_ok ("{\"type\":\"ice\",\"session\":\"s1\",\"mline\":0,\"candidate\":\"\",\"id\":4}",
                                       VW_FROM_CLIENT, VW_MSG_ICE);
  g_autofree char *text = NULL;

  json_object_remove_member (vw_message_get_object (msg), "id");
  vw_message_set_string (msg, "session", "s2");
  text = vw_message_to_string (msg);
  g_assert_cmpstr (text, ==, "{\"type\":\"ice\",\"session\":\"s2\",\"mline\":0,\"candidate\":\"\"}");
}

static void
test_programming_errors (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_test_undefined ())
    return;

  g_test_expect_message ("vw-protocol", G_LOG_LEVEL_CRITICAL, "*VW_MSG_N_TYPES*");
  g_assert_null (vw_message_new (VW_MSG_N_TYPES));
  g_test_assert_expected_messages ();

  g_test_expect_message ("vw-protocol", G_LOG_LEVEL_CRITICAL, "*position*");
  g_assert_null (vw_message_new_queued ("anhui", 0));
  g_test_assert_expected_messages ();

  g_test_expect_message ("vw-protocol", G_LOG_LEVEL_CRITICAL, "*data != NULL*");
  g_assert_null (vw_message_parse (NULL, 5, VW_FROM_CLIENT, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_test_expect_message ("vw-protocol", G_LOG_LEVEL_CRITICAL, "*error*");
  g_assert_null (vw_protocol_error_to_code ((VwProtocolError) 99));
  g_test_assert_expected_messages ();
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */

static void
test_error_codes (void)
{
  static const char * const expected[] = {
    [VW_PROTOCOL_ERROR_BAD_JSON] = "bad-json",
    [VW_PROTOCOL_ERROR_NOT_OBJECT] = "not-object",
    [VW_PROTOCOL_ERROR_MISSING_FIELD] = "missing-field",
    [VW_PROTOCOL_ERROR_BAD_FIELD] = "bad-field",
    [VW_PROTOCOL_ERROR_UNKNOWN_TYPE] = "unknown-type",
    [VW_PROTOCOL_ERROR_BINARY_FRAME] = "binary-frame",
    [VW_PROTOCOL_ERROR_TOO_LARGE] = "too-large",
    [VW_PROTOCOL_ERROR_UNSUPPORTED_PROTOCOL] = "unsupported-protocol",
    [VW_PROTOCOL_ERROR_NOT_REGISTERED] = "not-registered",
    [VW_PROTOCOL_ERROR_ALREADY_REGISTERED] = "already-registered",
    [VW_PROTOCOL_ERROR_WRONG_ROLE] = "wrong-role",
    [VW_PROTOCOL_ERROR_WRONG_STATE] = "wrong-state",
    [VW_PROTOCOL_ERROR_UNKNOWN_SESSION] = "unknown-session",
    [VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE] = "unknown-province",
    [VW_PROTOCOL_ERROR_BAD_SDP] = "bad-sdp",
    [VW_PROTOCOL_ERROR_MEDIA_FAILED] = "media-failed",
    [VW_PROTOCOL_ERROR_NO_DOCUMENT_CAMERA] = "no-document-camera",
    [VW_PROTOCOL_ERROR_UNKNOWN_SNAPSHOT] = "unknown-snapshot",
    [VW_PROTOCOL_ERROR_SNAPSHOT_FAILED] = "snapshot-failed",
    [VW_PROTOCOL_ERROR_UNAUTHORIZED] = "unauthorized",
    [VW_PROTOCOL_ERROR_FORBIDDEN] = "forbidden",
    [VW_PROTOCOL_ERROR_UNKNOWN_ITEM] = "unknown-item",
    [VW_PROTOCOL_ERROR_UNKNOWN_AGENT] = "unknown-agent",
    [VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE] = "agent-unavailable",
    [VW_PROTOCOL_ERROR_UNKNOWN_BOOKING] = "unknown-booking",
    [VW_PROTOCOL_ERROR_BOOKING_NOT_DUE] = "booking-not-due",
    [VW_PROTOCOL_ERROR_INTERNAL] = "internal",
  };
  VwProtocolError code;

  G_STATIC_ASSERT (G_N_ELEMENTS (expected) == VW_PROTOCOL_ERROR_INTERNAL + 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(VwMessage) msg = vw_message_new_error ((VwProtocolError) i, "m", NULL);

      g_assert_cmpstr (vw_protocol_error_to_code ((VwProtocolError) i), ==, expected[i]);
      code = (VwProtocolError) -1;
      g_assert_true (vw_protocol_error_from_code (expected[i], &code));
      g_assert_cmpint (code, ==, i);
      g_assert_cmpstr (vw_message_get_string (msg, "code", NULL), ==, expected[i]);
    }

  g_assert_false (vw_protocol_error_from_code ("Bad-Json", &code));
  g_assert_false (vw_protocol_error_from_code ("", &code));
  g_assert_false (vw_protocol_error_from_code (NULL, &code));
  g_assert_true (vw_protocol_error_from_code ("internal", NULL));
}

static void
test_roles (void)
{
  VwRole role = (VwRole) -1;

  g_assert_cmpstr (vw_role_to_string (VW_ROLE_AGENT), ==, "agent");
  g_assert_cmpstr (vw_role_to_string (VW_ROLE_CLERK), ==, "clerk");
  g_assert_true (vw_role_from_string ("agent", &role));
  g_assert_cmpint (role, ==, VW_ROLE_AGENT);
  g_assert_true (vw_role_from_string ("clerk", &role));
  g_assert_cmpint (role, ==, VW_ROLE_CLERK);
  g_assert_true (vw_role_from_string ("supervisor", &role));
  g_assert_cmpint (role, ==, VW_ROLE_SUPERVISOR);
  g_assert_true (vw_role_from_string ("clerk", &role));
  g_assert_false (vw_role_from_string ("auditor", &role));
  g_assert_false (vw_role_from_string ("Agent", &role));
  g_assert_false (vw_role_from_string ("", &role));
  g_assert_false (vw_role_from_string (NULL, &role));
  g_assert_cmpint (role, ==, VW_ROLE_CLERK);   /* untouched on failure */
}

static void
test_track_kinds (void)
{
  static const char * const names[] = { "audio", "camera", "screen", "document" };
  VwTrackKind kind;

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == VW_TRACK_N_KINDS);
  for (guint i = 0; i < VW_TRACK_N_KINDS; i++)
    {
      g_assert_cmpstr (vw_track_kind_to_string ((VwTrackKind) i), ==, names[i]);
      g_assert_true (vw_track_kind_from_string (names[i], &kind));
      g_assert_cmpint (kind, ==, i);
    }
  g_assert_false (vw_track_kind_from_string ("video", &kind));
  g_assert_false (vw_track_kind_from_string ("Audio", &kind));
  g_assert_false (vw_track_kind_from_string (NULL, &kind));
}

static void
test_provinces (void)
{
  g_assert_true (vw_province_is_known ("shanghai"));
  g_assert_true (vw_province_is_known ("jiangsu"));
  g_assert_true (vw_province_is_known ("zhejiang"));
  g_assert_true (vw_province_is_known ("anhui"));
  g_assert_cmpstr (vw_province_display_name ("shanghai"), ==, "上海");
  g_assert_cmpstr (vw_province_display_name ("jiangsu"), ==, "江苏");
  g_assert_cmpstr (vw_province_display_name ("zhejiang"), ==, "浙江");
  g_assert_cmpstr (vw_province_display_name ("anhui"), ==, "安徽");

  g_assert_false (vw_province_is_known ("Shanghai"));
  g_assert_false (vw_province_is_known ("上海"));
  g_assert_false (vw_province_is_known ("beijing"));
  g_assert_false (vw_province_is_known (""));
  g_assert_false (vw_province_is_known (NULL));
  g_assert_null (vw_province_display_name ("fujian"));
  g_assert_null (vw_province_display_name (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < vw_n_invalid_cases; i++)
    {
      g_autofree char *path = g_strdup_printf ("/protocol/invalid/%s", vw_invalid_cases[i].name);
      g_test_add_data_func (path, &vw_invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/protocol/limits/size", test_size_limit);
  g_test_add_func ("/protocol/limits/size-padding", test_size_limit_padding);
  g_test_add_func ("/protocol/limits/nesting", test_nesting_limit);
  g_test_add_func ("/protocol/limits/id-length", test_id_length);
  g_test_add_func ("/protocol/parse/out-ref", test_out_ref_reset);

  g_test_add_func ("/protocol/parse/hello", test_parse_hello);
  g_test_add_func ("/protocol/parse/hello-other-protocol", test_parse_hello_other_protocol);
  g_test_add_func ("/protocol/parse/status", test_parse_status);
  g_test_add_func ("/protocol/parse/request", test_parse_request);
  g_test_add_func ("/protocol/parse/hangup", test_parse_hangup);
  g_test_add_func ("/protocol/parse/publish", test_parse_publish);
  g_test_add_func ("/protocol/parse/answer", test_parse_answer);
  g_test_add_func ("/protocol/parse/ice", test_parse_ice);
  g_test_add_func ("/protocol/parse/escapes-and-extras", test_parse_lenient_but_valid);

  g_test_add_func ("/protocol/build/welcome", test_welcome);
  g_test_add_func ("/protocol/build/queued", test_queued);
  g_test_add_func ("/protocol/build/ended", test_ended);
  g_test_add_func ("/protocol/build/ice", test_ice_both_ways);
  g_test_add_func ("/protocol/build/error", test_error);
  g_test_add_func ("/protocol/build/error-from-parse-failure", test_error_from_parse_failure);
  g_test_add_func ("/protocol/build/error-from-gerror", test_error_from_gerror);
  g_test_add_func ("/protocol/build/ok", test_ok);
  g_test_add_func ("/protocol/build/paired", test_paired);
  g_test_add_func ("/protocol/build/offer", test_offer);
  g_test_add_func ("/protocol/build/client-messages", test_client_builders);
  g_test_add_func ("/protocol/build/control-characters", test_control_characters_round_trip);

  g_test_add_func ("/protocol/message/new", test_new_and_types);
  g_test_add_func ("/protocol/message/getters", test_getters_defaults);
  g_test_add_func ("/protocol/message/refcount", test_refcount);
  g_test_add_func ("/protocol/message/parsed-is-mutable", test_parsed_is_mutable);
  g_test_add_func ("/protocol/message/programming-errors", test_programming_errors);

  g_test_add_func ("/protocol/names/error-codes", test_error_codes);
  g_test_add_func ("/protocol/names/roles", test_roles);
  g_test_add_func ("/protocol/names/track-kinds", test_track_kinds);
  g_test_add_func ("/protocol/names/provinces", test_provinces);

  return g_test_run ();
}
