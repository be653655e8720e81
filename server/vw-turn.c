/* vw-turn.c: TURN REST credentials (see vw-turn.h). */
#include "vw-turn.h"

#include <gio/gio.h>
#include <string.h>

void
vw_turn_credentials (const char *secret, const char *peer_id, gint64 expiry,
    char **username, char **credential)
{
  g_return_if_fail (secret != NULL && peer_id != NULL);
  g_autofree char *user = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", expiry, peer_id);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) secret,
      strlen (secret));
  g_hmac_update (hmac, (const guchar *) user, strlen (user));
  guint8 digest[20];
  gsize len = sizeof digest;
  g_hmac_get_digest (hmac, digest, &len);
  *credential = g_base64_encode (digest, len);
  *username = g_steal_pointer (&user);
}

/* turn:HOST[:PORT][?transport=udp|tcp] or turns:..., HOST a name, an IPv4
 * address or a bracketed IPv6 one. */
static gboolean
url_is_valid (const char *url)
{
  const char *rest;
  if (g_str_has_prefix (url, "turn:"))
    rest = url + 5;
  else if (g_str_has_prefix (url, "turns:"))
    rest = url + 6;
  else
    return FALSE;
  g_autofree char *hostport = g_strdup (rest);
  char *query = strchr (hostport, '?');
  if (query) {
    *query++ = '\0';
    if (!g_str_equal (query, "transport=udp") && !g_str_equal (query, "transport=tcp"))
      return FALSE;
  }
  char *host = hostport, *port = NULL;
  if (host[0] == '[') {
    char *end = strchr (host, ']');
    if (!end || end == host + 1)
      return FALSE;
    if (end[1] == ':')
      port = end + 2;
    else if (end[1] != '\0')
      return FALSE;
  } else {
    char *colon = strchr (host, ':');
    if (colon) {
      *colon = '\0';
      port = colon + 1;
    }
    if (!*host)
      return FALSE;
    for (const char *p = host; *p; p++)
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
        return FALSE;
  }
  if (port) {
    guint64 n;
    if (!g_ascii_string_to_unsigned (port, 10, 1, 65535, &n, NULL))
      return FALSE;
  }
  return TRUE;
}

GStrv
vw_turn_parse_urls (const char *text, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) parts = g_strsplit_set (text ? text : "", ", \t\n", -1);
  for (guint i = 0; parts[i]; i++) {
    if (!*parts[i])
      continue;
    if (!url_is_valid (parts[i])) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "'%s' is not a TURN URL (turn:HOST[:PORT][?transport=udp|tcp])", parts[i]);
      return NULL;
    }
    g_strv_builder_add (builder, parts[i]);
  }
  return g_strv_builder_end (builder);
}

JsonArray *
vw_turn_ice_servers (const char *const *urls, const char *secret, guint ttl_s,
    const char *peer_id, gint64 now_s)
{
  if (!urls || !urls[0] || !secret || !*secret)
    return NULL;
  g_autofree char *username = NULL, *credential = NULL;
  vw_turn_credentials (secret, peer_id, now_s + ttl_s, &username, &credential);
  JsonArray *list = json_array_new ();
  for (guint i = 0; urls[i]; i++)
    json_array_add_string_element (list, urls[i]);
  JsonObject *server = json_object_new ();
  json_object_set_array_member (server, "urls", list);
  json_object_set_string_member (server, "username", username);
  json_object_set_string_member (server, "credential", credential);
  JsonArray *servers = json_array_new ();
  json_array_add_object_element (servers, server);
  return servers;
}
