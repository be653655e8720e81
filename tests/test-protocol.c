/* test-protocol.c: unit tests for the signalling protocol library's parsing
 * and names: invalid input, the limits, the valid client messages, and the
 * names of error codes, roles, track kinds and provinces.  Building
 * messages and the generic VwMessage API: test-protocol-build.c.
 *
 * The invalid-input tests are table-driven, in the spirit of json-glib's
 * tests/invalid.c: every row is one text, the side that sent it, the error
 * code vw_message_parse() must report, the "ref" it must hand back (as JSON
 * text, or NULL for none) and a piece of the error message that must appear
 * (typically the field's name).
 */
#include "vw-protocol.h"
#include "protocol-helpers.h"
#include "protocol-invalid-table.h"

#include <string.h>

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
    [VW_PROTOCOL_ERROR_TOO_MANY_WAITING] = "too-many-waiting",
    [VW_PROTOCOL_ERROR_TOO_MANY_ATTEMPTS] = "too-many-attempts",
    [VW_PROTOCOL_ERROR_BAD_RESUME] = "bad-resume",
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

  g_test_add_func ("/protocol/names/error-codes", test_error_codes);
  g_test_add_func ("/protocol/names/roles", test_roles);
  g_test_add_func ("/protocol/names/track-kinds", test_track_kinds);
  g_test_add_func ("/protocol/names/provinces", test_provinces);

  return g_test_run ();
}
