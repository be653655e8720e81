/* vw-login.c: POST /api/login, synchronously, before the main loop runs. */
#include "vw-login.h"

#include <gio/gio.h>
#include <unistd.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

static char *
read_password (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (g_str_equal (path, "-")) {
    /* Byte by byte, not buffered: the commands that follow on stdin are
     * the call's, and must stay there. */
    GString *line = g_string_new (NULL);
    char c;
    ssize_t n;
    while ((n = read (0, &c, 1)) == 1 && c != '\n')
      g_string_append_c (line, c);
    if (n < 0 || (n == 0 && line->len == 0)) {
      g_string_free (line, TRUE);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "no password on standard input");
      return NULL;
    }
    text = g_string_free (line, FALSE);
    text[strcspn (text, "\r")] = '\0';
  } else if (g_file_get_contents (path, &text, NULL, error)) {
    text[strcspn (text, "\r\n")] = '\0';
  }
  return g_steal_pointer (&text);
}

static char *
login_url (const char *server)
{
  /* ws://HOST/ws works as well as http://HOST/. */
  g_autoptr (GUri) uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
  if (!uri)
    return NULL;
  const char *scheme = g_uri_get_scheme (uri);
  gboolean tls = g_str_equal (scheme, "https") || g_str_equal (scheme, "wss");
  g_autoptr (GUri) api = g_uri_build (G_URI_FLAGS_NONE, tls ? "https" : "http", NULL,
      g_uri_get_host (uri), g_uri_get_port (uri), "/api/login", NULL, NULL);
  return g_uri_to_string (api);
}

char *
vw_login (const char *server, const char *username, const char *password_file,
    GTlsDatabase *tls_database, GError **error)
{
  g_autofree char *password = read_password (password_file, error);
  g_autofree char *url = password ? login_url (server) : NULL;
  if (!password)
    return NULL;
  if (!url) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad server URL %s", server);
    return NULL;
  }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, username);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, password);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *body = json_to_string (root, FALSE);

  g_autoptr (SoupSession) session = soup_session_new ();
  if (tls_database)
    g_object_set (session, "tls-database", tls_database, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  g_autoptr (GBytes) reply = soup_session_send_and_read (session, msg, NULL, error);
  if (!reply)
    return NULL;
  guint status = soup_message_get_status (msg);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = NULL;
  if (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
          g_bytes_get_size (reply), NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    o = json_node_get_object (json_parser_get_root (parser));
  if (status != SOUP_STATUS_OK) {
    g_set_error (error, G_IO_ERROR, status == SOUP_STATUS_UNAUTHORIZED
        ? G_IO_ERROR_PERMISSION_DENIED : G_IO_ERROR_FAILED,
        "signing in as %s failed: HTTP %u %s", username, status,
        o ? json_object_get_string_member_with_default (o, "message", "") : "");
    return NULL;
  }
  const char *token = o ? json_object_get_string_member_with_default (o, "token", NULL) : NULL;
  if (!token) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "the server's sign-in answer has no token");
    return NULL;
  }
  return g_strdup (token);
}
