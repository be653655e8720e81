/* vw-api-auth.c: signing in, POST /api/login (see server/API.md).
 *
 * A wrong password, an unknown username and a disabled account get the
 * same 401 with the same body, after the same work: an unknown username is
 * checked against a dummy hash, so that timing does not tell which
 * usernames exist either.  Hashing runs on the main context (tens of
 * milliseconds per sign-in). */
#include "vw-api.h"
#include "vw-api-private.h"
#include "vw-password.h"
#include "vw-store-accounts.h"

static char *dummy_hash;   /* a yescrypt hash of no one's password */

static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (!node || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Whether @password opens @account (nullable: unknown username). */
static gboolean
password_opens (const VwStoreAccount *account, const char *password)
{
  if (!account) {
    vw_password_verify (password, dummy_hash);
    return FALSE;
  }
  return vw_password_verify (password, account->password_hash) && !account->disabled;
}

static JsonObject *
account_json (const VwTokenClaims *c)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "username", c->username);
  json_object_set_string_member (o, "role", c->role);
  json_object_set_string_member (o, "name", c->name);
  json_object_set_string_member (o, "province", c->province);
  json_object_set_string_member (o, "center", c->center);
  json_object_set_string_member (o, "scope", c->scope);
  return o;
}

/* The HttpOnly cookie that lets <video> elements fetch recordings. */
static void
set_token_cookie (SoupServerMessage *msg, const char *token, guint lifetime_s)
{
  gboolean https = g_str_equal (g_uri_get_scheme (soup_server_message_get_uri (msg)),
      "https");
  g_autofree char *cookie = g_strdup_printf (
      "vw_token=%s; Path=/api/; Max-Age=%u; HttpOnly; SameSite=Strict%s",
      token, lifetime_s, https ? "; Secure" : "");

  soup_message_headers_append (soup_server_message_get_response_headers (msg),
      "Set-Cookie", cookie);
}

static void
respond_token (VwApiContext *context, SoupServerMessage *msg,
    const VwStoreAccount *account)
{
  gint64 now = g_get_real_time () / 1000;
  VwTokenClaims claims = {
    .username = account->username, .role = account->role, .name = account->name,
    .province = account->province, .center = account->center, .scope = account->scope,
    .issued_at = now, .expires_at = now + (gint64) context->token_lifetime_s * 1000,
  };
  g_autofree char *token = vw_token_sign (context->token_key, &claims);
  g_autoptr (JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "token", token);
  json_object_set_int_member (body, "expires_at", claims.expires_at);
  json_object_set_object_member (body, "account", account_json (&claims));
  set_token_cookie (msg, token, context->token_lifetime_s);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

static void
on_login (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  g_autoptr (GError) error = NULL;

  if (!vw_api_require_method (msg, SOUP_METHOD_POST))
    return;
  g_autoptr (JsonObject) body = vw_api_read_json_object (msg);
  if (!body)
    return;
  const char *username = string_member (body, "username");
  const char *password = string_member (body, "password");
  if (!username || !password) {
    vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
        "username and password must be strings");
    return;
  }

  g_autoptr (VwStoreAccount) account = vw_store_get_account (context->store, username,
      &error);
  if (!account && !g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    g_warning ("sign-in: %s", error->message);
    vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the store failed");
    return;
  }
  if (!password_opens (account, password)) {
    g_autofree char *shown = vw_log_escape (username);
    g_message ("sign-in refused for '%.64s'", shown);
    vw_api_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
        "wrong username or password");
    return;
  }
  g_autofree char *user_shown = vw_log_escape (account->username);
  g_message ("%s (%s) signed in", user_shown, account->role);
  respond_token (context, msg, account);
}

/* POST /api/logout: the browser forgets its cookie (Max-Age=0), and when
 * the request carries a current token, its account is signed out: every
 * token given to it until now is void (a copy kept elsewhere included;
 * the account's other open pages must sign in again).  Without a token it
 * only clears the cookie. */
static void
on_logout (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  g_autoptr (GError) error = NULL;

  if (!vw_api_require_method (msg, SOUP_METHOD_POST))
    return;
  g_autoptr (VwTokenClaims) claims = vw_api_peek_token (context, msg);
  if (claims && !vw_store_sign_out_account (context->store, claims->username,
          MAX (g_get_real_time () / 1000, claims->issued_at + 1), &error)
      && !g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    g_warning ("signing %s out: %s", claims->username, error->message);
    vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the store failed");
    return;
  }
  if (claims)
    g_message ("%s (%s) signed out", claims->username, claims->role);
  soup_message_headers_append (soup_server_message_get_response_headers (msg),
      "Set-Cookie", "vw_token=; Path=/api/; HttpOnly; SameSite=Strict; Max-Age=0");
  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_boolean_member (body, "signed_out", TRUE);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

void
vw_api_auth_register (SoupServer *server, VwApiContext *context)
{
  if (!dummy_hash) {
    g_autoptr (GError) error = NULL;

    /* Only timing matters: no account has this hash. */
    dummy_hash = vw_password_hash ("no account has this password", &error);
    if (!dummy_hash)
      g_error ("cannot hash a password: %s", error->message);   /* libxcrypt broken */
  }
  vw_api_add_handler (server, "/api/login", on_login, context);
  vw_api_add_handler (server, "/api/logout", on_logout, context);
}
