/* test-protocol-build.c: unit tests for the signalling protocol library's
 * building side: the server's messages built, serialized and parsed back,
 * client messages built with the generic API, and VwMessage itself (new,
 * getters, references, programming errors).  Parsing and names:
 * test-protocol.c.
 */
#include "vw-protocol.h"
#include "protocol-helpers.h"

#include <string.h>

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
    "connection-lost",
  };

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      g_autoptr(VwMessage) msg = vw_message_new_ended ("s-9", reasons[i]);
      g_autoptr(VwMessage) back = round_trip (msg, VW_FROM_SERVER);

      g_assert_cmpstr (vw_message_get_string (back, "session", NULL), ==, "s-9");
      g_assert_cmpstr (vw_message_get_string (back, "reason", NULL), ==, reasons[i]);
    }
}

/* Issue 12, drop-outs: resume, peer-network, media-restart, ping/pong. */
static void
test_resume_messages (void)
{
  g_autoptr(VwMessage) hello = parse_ok (
    "{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"n\","
    "\"province\":\"anhui\",\"center\":\"c\",\"resume\":\"tok\"}",
    VW_FROM_CLIENT, VW_MSG_HELLO);
  g_autoptr(VwMessage) welcome = parse_ok (
    "{\"type\":\"welcome\",\"peer_id\":\"p1\",\"resume-token\":\"t2\",\"resumed\":true}",
    VW_FROM_SERVER, VW_MSG_WELCOME);
  g_autoptr(VwMessage) net = parse_ok (
    "{\"type\":\"peer-network\",\"session\":\"s1\",\"peer\":\"p1\",\"state\":\"reconnecting\"}",
    VW_FROM_SERVER, VW_MSG_PEER_NETWORK);
  g_autoptr(VwMessage) restart = parse_ok ("{\"type\":\"media-restart\",\"session\":\"s1\"}",
                                           VW_FROM_SERVER, VW_MSG_MEDIA_RESTART);
  g_autoptr(VwMessage) ping = parse_ok ("{\"type\":\"ping\",\"id\":7}", VW_FROM_CLIENT, VW_MSG_PING);
  g_autoptr(VwMessage) pong = parse_ok ("{\"type\":\"pong\",\"ref\":7}", VW_FROM_SERVER, VW_MSG_PONG);

  g_assert_cmpstr (vw_message_get_string (hello, "resume", NULL), ==, "tok");
  g_assert_cmpstr (vw_message_get_string (welcome, "resume-token", NULL), ==, "t2");
  g_assert_true (vw_message_get_bool (welcome, "resumed", FALSE));
  g_assert_cmpstr (vw_message_get_string (net, "state", NULL), ==, "reconnecting");
  g_assert_cmpstr (vw_message_get_string (restart, "session", NULL), ==, "s1");
  g_assert_nonnull (ping);
  g_assert_cmpint (vw_message_get_int (pong, "ref", 0), ==, 7);

  assert_parse_fails ("{\"type\":\"hello\",\"protocol\":1,\"role\":\"clerk\",\"name\":\"n\","
                      "\"province\":\"anhui\",\"center\":\"c\",\"resume\":\"\"}", -1,
                      VW_FROM_CLIENT, VW_PROTOCOL_ERROR_BAD_FIELD, NULL, "resume");
  assert_parse_fails ("{\"type\":\"peer-network\",\"session\":\"s1\",\"peer\":\"p1\",\"state\":\"gone\"}",
                      -1, VW_FROM_SERVER, VW_PROTOCOL_ERROR_BAD_FIELD, NULL, "state");
  assert_parse_fails ("{\"type\":\"pong\"}", -1, VW_FROM_CLIENT,
                      VW_PROTOCOL_ERROR_UNKNOWN_TYPE, NULL, "pong");
  assert_parse_fails ("{\"type\":\"ping\"}", -1, VW_FROM_SERVER,
                      VW_PROTOCOL_ERROR_UNKNOWN_TYPE, NULL, "ping");
  assert_parse_fails ("{\"type\":\"media-restart\"}", -1, VW_FROM_SERVER,
                      VW_PROTOCOL_ERROR_MISSING_FIELD, NULL, "session");
  g_assert_cmpstr (vw_protocol_error_to_code (VW_PROTOCOL_ERROR_BAD_RESUME), ==, "bad-resume");
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/build/welcome", test_welcome);
  g_test_add_func ("/protocol/build/queued", test_queued);
  g_test_add_func ("/protocol/build/ended", test_ended);
  g_test_add_func ("/protocol/build/ice", test_ice_both_ways);
  g_test_add_func ("/protocol/build/resume", test_resume_messages);
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

  return g_test_run ();
}
