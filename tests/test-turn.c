/* test-turn.c: TURN REST credentials and the "ice-servers" list
 * (server/vw-turn.h).  The vectors were computed apart from this code
 * (Python's hmac and base64); test-firewall checks coturn accepts them.
 * Also the turn:// URI vw-client gives webrtcbin for an RTCIceServer URL. */
#include "vw-turn.h"
#include "vw-peer.h"

static void
test_credentials_vector (void)
{
  g_autofree char *user = NULL, *cred = NULL;
  vw_turn_credentials ("north-wind", "clerk-7", 1700003600, &user, &cred);
  g_assert_cmpstr (user, ==, "1700003600:clerk-7");
  g_assert_cmpstr (cred, ==, "d5WxScm23LwXiahySo5Hf0pO+0g=");

  g_autofree char *user2 = NULL, *cred2 = NULL;
  vw_turn_credentials ("", "x", 0, &user2, &cred2);
  g_assert_cmpstr (user2, ==, "0:x");
  g_assert_cmpstr (cred2, ==, "gT4DOD4JZ/CCaiekEJvCWY/SIT8=");

  /* Another secret, another peer, another expiry: another credential. */
  g_autofree char *u3 = NULL, *c3 = NULL, *u4 = NULL, *c4 = NULL, *u5 = NULL, *c5 = NULL;
  vw_turn_credentials ("north-wind!", "clerk-7", 1700003600, &u3, &c3);
  vw_turn_credentials ("north-wind", "clerk-8", 1700003600, &u4, &c4);
  vw_turn_credentials ("north-wind", "clerk-7", 1700003601, &u5, &c5);
  g_assert_cmpstr (c3, !=, cred);
  g_assert_cmpstr (c4, !=, cred);
  g_assert_cmpstr (c5, !=, cred);
}

static void
test_ice_servers (void)
{
  const char *urls[] = { "turn:turn.example.cn:3478?transport=udp",
    "turn:turn.example.cn:3478?transport=tcp", NULL };
  g_autoptr (JsonArray) servers = vw_turn_ice_servers (urls, "north-wind", 3600,
      "clerk-7", 1700000000);
  g_assert_nonnull (servers);
  g_assert_cmpuint (json_array_get_length (servers), ==, 1);
  JsonObject *s = json_array_get_object_element (servers, 0);
  JsonArray *u = json_object_get_array_member (s, "urls");
  g_assert_cmpuint (json_array_get_length (u), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (u, 1), ==, urls[1]);
  g_assert_cmpstr (json_object_get_string_member (s, "username"), ==, "1700003600:clerk-7");
  g_assert_cmpstr (json_object_get_string_member (s, "credential"), ==,
      "d5WxScm23LwXiahySo5Hf0pO+0g=");

  /* Not configured: no list at all. */
  const char *none[] = { NULL };
  g_assert_null (vw_turn_ice_servers (none, "north-wind", 3600, "clerk-7", 0));
  g_assert_null (vw_turn_ice_servers (NULL, "north-wind", 3600, "clerk-7", 0));
  g_assert_null (vw_turn_ice_servers (urls, NULL, 3600, "clerk-7", 0));
  g_assert_null (vw_turn_ice_servers (urls, "", 3600, "clerk-7", 0));
}

static void
test_parse_urls (void)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) urls = vw_turn_parse_urls (
      " turn:10.0.0.1:3478?transport=udp,turn:turn.example.cn?transport=tcp\tturns:[::1]:5349 ",
      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (urls), ==, 3);
  g_assert_cmpstr (urls[0], ==, "turn:10.0.0.1:3478?transport=udp");
  g_assert_cmpstr (urls[2], ==, "turns:[::1]:5349");

  g_auto (GStrv) empty = vw_turn_parse_urls ("", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (empty), ==, 0);

  const char *bad[] = { "stun:10.0.0.1:3478", "turn:", "turn:host:0", "turn:host:70000",
    "turn:host:3478?transport=sctp", "turn:ho st", "turn:user@host", "turn:[::1",
    "turn:host:34x", "http://host/" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (GStrv) none = vw_turn_parse_urls (bad[i], &error);
    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
}

/* The URI webrtcbin's add-turn-server gets for an RTCIceServer URL: the
 * username's ':' and the base64 credential's '+', '/', '=' escaped. */
static void
test_webrtcbin_uri (void)
{
  g_autofree char *udp = vw_peer_turn_uri ("turn:10.0.0.1:3478?transport=udp",
      "1700003600:clerk-7", "d5WxScm23LwXiahySo5Hf0pO+0g=");
  g_assert_cmpstr (udp, ==, "turn://1700003600%3Aclerk-7:d5WxScm23LwXiahySo5Hf0pO%2B0g%3D"
      "@10.0.0.1:3478?transport=udp");
  g_autofree char *tls = vw_peer_turn_uri ("turns:turn.example.cn:443", "u", "a/b");
  g_assert_cmpstr (tls, ==, "turns://u:a%2Fb@turn.example.cn:443");
  const char *bad[] = { "stun:10.0.0.1:3478", "turn://u:p@h:3478", "turn:", "turn:u@h",
    "turn:h/x", "http://h" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (vw_peer_turn_uri (bad[i], "u", "p"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/turn/credentials-vector", test_credentials_vector);
  g_test_add_func ("/turn/ice-servers", test_ice_servers);
  g_test_add_func ("/turn/parse-urls", test_parse_urls);
  g_test_add_func ("/turn/webrtcbin-uri", test_webrtcbin_uri);
  return g_test_run ();
}
