/* vw-api.c: the HTTP JSON API's registration, responses, the
 * authentication of requests and the audit log (see vw-api.h and
 * vw-api-private.h; the endpoints live in vw-api-*.c). */
#include "vw-api.h"
#include "vw-claims.h"
#include "vw-api-private.h"
#include "vw-api-query.h"
#include "vw-json-check.h"
#include "vw-json-write.h"
#include "vw-store-accounts.h"
#include "vw-store-audit.h"
#include "vw-json-check.h"

#include <string.h>

#define TOKEN_COOKIE "vw_token"
#define BEARER "Bearer "

void
vw_api_register (SoupServer *server, VwApiContext *context)
{
  g_return_if_fail (SOUP_IS_SERVER (server));
  g_return_if_fail (context != NULL && context->store != NULL);
  g_return_if_fail (context->token_lifetime_s > 0);

  vw_api_auth_register (server, context);
  /* ---- the other endpoint files register here (see vw-api-private.h) ---- */
  vw_api_sessions_register (server, context);
  vw_api_follow_ups_register (server, context);
  vw_api_stats_register (server, context);
  vw_api_catalogue_register (server, context);
  vw_api_appointments_register (server, context);
}

/* ---- responses ---- */

void
vw_api_send_json (SoupServerMessage *msg, guint status, JsonObject *body)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg) && body != NULL);

  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), body);
  g_autofree char *text = vw_json_to_string (node);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* Tokens, names and case data: never kept by a cache. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
      text, strlen (text));
}

void
vw_api_send_error (SoupServerMessage *msg, guint status, const char *code,
    const char *message)
{
  g_return_if_fail (code != NULL && message != NULL);

  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_string_member (body, "error", code);
  json_object_set_string_member (body, "message", message);
  vw_api_send_json (msg, status, body);
}

/* ---- request bodies ---- */

static void
refuse_body (SoupServerMessage *msg)
{
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  vw_api_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
      "the request body is over 64 KiB");
}

static void
on_got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  if (soup_server_message_get_status (msg) == 0
      && soup_server_message_get_request_body (msg)->length > VW_API_MAX_BODY)
    refuse_body (msg);
}

/* Runs once the headers are in, before the body is read. */
static void
on_headers (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > VW_API_MAX_BODY) {
    refuse_body (msg);
    return;
  }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), NULL);
}

/* ---- the query string ---- */

typedef struct {
  SoupServerCallback callback;
  VwApiContext *context;
} Handler;

/* Every API handler gets the query as vw_api_query_parse() reads it, not
 * libsoup's table (which cuts a value at %00 and drops bad pairs); a query
 * it refuses is a 400 before the handler runs. */
static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *soup_query, gpointer user_data)
{
  Handler *h = user_data;
  g_autoptr (GError) error = NULL;

  const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr (GHashTable) query = vw_api_query_parse (raw, &error);
  if (!query) {
    vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad-query", error->message);
    return;
  }
  h->callback (server, msg, path, raw ? query : NULL, h->context);
}

void
vw_api_add_handler (SoupServer *server, const char *path, SoupServerCallback callback,
    VwApiContext *context)
{
  g_return_if_fail (SOUP_IS_SERVER (server) && path != NULL && callback != NULL);

  Handler *h = g_new0 (Handler, 1);
  h->callback = callback;
  h->context = context;
  soup_server_add_early_handler (server, path, on_headers, NULL, NULL);
  soup_server_add_handler (server, path, on_request, h, g_free);
}

gboolean
vw_api_require_method (SoupServerMessage *msg, const char *method)
{
  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg) && method != NULL, FALSE);

  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
      "Allow", method);
  vw_api_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed",
      "this resource takes another method");
  return FALSE;
}

JsonObject *
vw_api_read_json_object (SoupServerMessage *msg)
{
  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);

  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (len > VW_API_MAX_BODY) {
    refuse_body (msg);
    return NULL;
  }
  /* The strict check first: json-glib alone reads 18446744073709551617 as
   * -1 and 9223372036854775808 as its negative, silently, takes comments
   * and single quotes, and leaks a second value after the first (found by
   * fuzz/fuzz-api-body). */
  if (!data || !g_utf8_validate (data, len, NULL)
      || !vw_json_check_syntax (data, len, NULL)
      || !json_parser_load_from_data (parser, data, len, NULL)
      || !json_parser_get_root (parser)   /* an empty body parses to nothing */
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
        "the body must be a JSON object");
    return NULL;
  }
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* ---- authentication ---- */

static void
unauthorized (SoupServerMessage *msg, const char *message)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
      "WWW-Authenticate", "Bearer realm=\"virtual-window\"");
  vw_api_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized", message);
}

/* The value of the cookie @name in a Cookie header ("a=1; b=2"). */
static char *
cookie_value (const char *header, const char *name)
{
  g_auto (GStrv) pairs = header ? g_strsplit (header, ";", -1) : NULL;
  gsize name_len = strlen (name);

  for (guint i = 0; pairs && pairs[i]; i++) {
    const char *pair = pairs[i];
    while (*pair == ' ' || *pair == '\t')
      pair++;
    if (strncmp (pair, name, name_len) == 0 && pair[name_len] == '=')
      return g_strstrip (g_strdup (pair + name_len + 1));
  }
  return NULL;
}

/* The token of @msg: "Authorization: Bearer TOKEN" first, else the
 * vw_token cookie.  (transfer full) or NULL. */
static char *
request_token (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  if (auth && g_ascii_strncasecmp (auth, BEARER, strlen (BEARER)) == 0)
    return g_strstrip (g_strdup (auth + strlen (BEARER)));
  char *token = cookie_value (soup_message_headers_get_one (headers, "Cookie"),
      TOKEN_COOKIE);
  if (token && !*token)
    g_clear_pointer (&token, g_free);
  return token;
}

static const char *
token_problem (const GError *error)
{
  if (g_error_matches (error, VW_TOKEN_ERROR, VW_TOKEN_ERROR_EXPIRED))
    return "the token has expired; sign in again";
  return "the token is not valid; sign in again";
}

/* The token's claims brought up to date from the account (vw-claims.h);
 * FALSE after responding 401 (no such account, disabled, signed out since)
 * or 500. */
static gboolean
refresh_claims (VwApiContext *context, SoupServerMessage *msg, VwTokenClaims *claims)
{
  g_autoptr (GError) error = NULL;

  if (vw_claims_refresh (context->store, claims, &error))
    return TRUE;
  if (g_error_matches (error, VW_TOKEN_ERROR, VW_TOKEN_ERROR_REVOKED)) {
    unauthorized (msg, error->message);
    return FALSE;
  }
  g_warning ("authenticating %s: %s", claims->username, error->message);
  vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
      "the store failed");
  return FALSE;
}

VwTokenClaims *
vw_api_authenticate (VwApiContext *context, SoupServerMessage *msg,
    const char *const *roles)
{
  g_return_val_if_fail (context != NULL && SOUP_IS_SERVER_MESSAGE (msg), NULL);

  g_autofree char *token = request_token (msg);
  g_autoptr (GError) error = NULL;

  if (!token) {
    unauthorized (msg, "sign in first (no token)");
    return NULL;
  }
  g_autoptr (VwTokenClaims) claims = vw_token_verify (context->token_key, token,
      g_get_real_time () / 1000, &error);
  if (!claims) {
    unauthorized (msg, token_problem (error));
    return NULL;
  }
  if (!refresh_claims (context, msg, claims))
    return NULL;
  if (roles && !g_strv_contains (roles, claims->role)) {
    vw_api_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
        "this account's role does not allow it");
    return NULL;
  }
  return g_steal_pointer (&claims);
}

VwTokenClaims *
vw_api_peek_token (VwApiContext *context, SoupServerMessage *msg)
{
  g_return_val_if_fail (context != NULL && SOUP_IS_SERVER_MESSAGE (msg), NULL);

  g_autofree char *token = request_token (msg);
  return token ? vw_token_verify (context->token_key, token, g_get_real_time () / 1000,
      NULL) : NULL;
}

/* ---- audit ---- */

gboolean
vw_api_audit (VwApiContext *context, const char *actor, const char *action,
    const char *session_id, JsonObject *detail)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *detail_json = NULL;

  g_return_val_if_fail (context != NULL && action != NULL, FALSE);

  if (detail) {
    g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
    detail_json = vw_json_to_string (node);
  }
  if (vw_store_add_audit (context->store, g_get_real_time () / 1000, actor, action,
          session_id, detail_json, NULL, &error))
    return TRUE;
  g_warning ("audit log: %s %s %s not recorded: %s", actor ? actor : "(server)",
      action, session_id ? session_id : "", error->message);
  return FALSE;
}

void
vw_api_set_nullable_string (JsonObject *o, const char *name, const char *value)
{
  if (value)
    json_object_set_string_member (o, name, value);
  else
    json_object_set_null_member (o, name);
}

gboolean
vw_api_require_get (SoupServerMessage *msg)
{
  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    return TRUE;
  return vw_api_require_method (msg, SOUP_METHOD_GET);
}
