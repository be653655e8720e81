/* vw-api-follow-ups.c: the follow-up (整改) of bad ratings under
 * /api/follow-ups (see server/API.md), for supervisors within their scope:
 *
 *   GET  /api/follow-ups[?state=open|closed]  the list, open ones first
 *   GET  /api/follow-ups/ID                   one
 *   POST /api/follow-ups/ID {"resolution"}    closes it (once: 409 after)
 *
 * A follow-up outside the caller's scope is a 404 like an unknown one.
 * Closing and its audit entry ("close-follow-up") are one transaction of
 * the store (vw_store_close_follow_up), so no close goes unaudited. */
#include "vw-api-sessions-private.h"
#include "vw-api-private.h"
#include "vw-store-follow-ups.h"
#include "vw-calendar.h"

#include <string.h>

#define FOLLOW_UPS_PREFIX "/api/follow-ups"
#define RESOLUTION_MAX 2000   /* characters */

/* ---- JSON ---- */

static JsonObject *
person_json (const char *name, const char *account, const char *province,
    const char *center)
{
  JsonObject *o = json_object_new ();

  vw_api_set_nullable_string (o, "name", name);
  if (account)
    json_object_set_string_member (o, "account", account);
  if (province)
    json_object_set_string_member (o, "province", province);
  vw_api_set_nullable_string (o, "center", center);
  return o;
}

/* FOLLOW_UP of server/API.md; overdue as of @now.  (transfer full) */
static JsonObject *
follow_up_json (const VwStoreFollowUp *f, gint64 now)
{
  JsonObject *o = json_object_new ();
  JsonObject *rating = json_object_new ();
  g_autofree char *due_date = vw_calendar_format_date (f->due_at - 1);
  gint64 checked_at = f->closed_at ? f->closed_at : now;

  json_object_set_int_member (o, "id", f->id);
  json_object_set_string_member (o, "session_id", f->session_id);
  json_object_set_string_member (o, "case_no", f->case_no);
  json_object_set_string_member (o, "province", f->province);
  vw_api_set_nullable_string (o, "item", f->item);
  vw_api_set_nullable_string (o, "item_name", f->item_name);
  json_object_set_object_member (o, "agent", person_json (f->agent_name,
      f->agent_account, NULL, f->agent_center));
  json_object_set_object_member (o, "clerk", person_json (f->clerk_name, NULL,
      f->clerk_province, f->clerk_center));
  json_object_set_int_member (rating, "level", f->level);
  vw_api_set_nullable_string (rating, "comment", f->comment);
  json_object_set_int_member (rating, "created_at", f->rated_at);
  json_object_set_object_member (o, "rating", rating);
  json_object_set_int_member (o, "opened_at", f->opened_at);
  json_object_set_int_member (o, "due_at", f->due_at);
  json_object_set_string_member (o, "due_date", due_date);
  json_object_set_string_member (o, "state", f->closed_at ? "closed" : "open");
  /* Still open past its due date, or closed after it. */
  json_object_set_boolean_member (o, "overdue", checked_at >= f->due_at);
  if (f->closed_at)
    json_object_set_int_member (o, "closed_at", f->closed_at);
  else
    json_object_set_null_member (o, "closed_at");
  vw_api_set_nullable_string (o, "closed_by", f->closed_by);
  vw_api_set_nullable_string (o, "closed_by_name", f->closed_by_name);
  vw_api_set_nullable_string (o, "resolution", f->resolution);
  return o;
}

/* ---- requests ---- */

static void
no_follow_up (SoupServerMessage *msg)
{
  vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such follow-up");
}

/* An id as the path gives it: digits only, else no such follow-up. */
static gboolean
parse_id (const char *text, gint64 *id)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &n, NULL))
    return FALSE;
  *id = n;
  return TRUE;
}

/* ---- GET /api/follow-ups ---- */

static void
list_follow_ups (VwApiContext *context, SoupServerMessage *msg, GHashTable *query)
{
  static const char *const params[] = { "state", NULL };
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  VwStoreFollowUpFilter filter = VW_STORE_FOLLOW_UPS_ALL;
  g_autoptr (GError) error = NULL;
  VwStoreScope scope;

  if (!claims || !vw_api_check_query_names (msg, query, params))
    return;
  const char *state = vw_api_query_value (query, "state");
  if (g_strcmp0 (state, "open") == 0)
    filter = VW_STORE_FOLLOW_UPS_OPEN;
  else if (g_strcmp0 (state, "closed") == 0)
    filter = VW_STORE_FOLLOW_UPS_CLOSED;
  else if (state) {
    vw_api_bad_request (msg, "state must be open or closed");
    return;
  }
  vw_api_scope_of (claims, &scope);
  g_autoptr (GPtrArray) list = vw_store_list_follow_ups (context->store, &scope, filter,
      &error);
  if (!list) {
    vw_api_store_failed (msg, "listing follow-ups", error);
    return;
  }

  gint64 now = g_get_real_time () / 1000;
  guint open = 0, overdue = 0;
  g_autoptr (JsonObject) body = json_object_new ();
  JsonArray *items = json_array_new ();
  for (guint i = 0; i < list->len; i++) {
    VwStoreFollowUp *f = g_ptr_array_index (list, i);
    open += f->closed_at == 0;
    overdue += f->closed_at == 0 && now >= f->due_at;
    json_array_add_object_element (items, follow_up_json (f, now));
  }
  json_object_set_array_member (body, "follow_ups", items);
  json_object_set_int_member (body, "open", open);
  json_object_set_int_member (body, "overdue", overdue);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ---- GET /api/follow-ups/ID ---- */

static void
get_follow_up (VwApiContext *context, SoupServerMessage *msg, const char *id_text)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  g_autoptr (GError) error = NULL;
  VwStoreScope scope;
  gint64 id;

  if (!claims)
    return;
  if (!parse_id (id_text, &id)) {
    no_follow_up (msg);
    return;
  }
  vw_api_scope_of (claims, &scope);
  g_autoptr (VwStoreFollowUp) f = vw_store_get_follow_up (context->store, &scope, id,
      &error);
  if (!f && g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    no_follow_up (msg);
    return;
  }
  if (!f) {
    vw_api_store_failed (msg, "reading a follow-up", error);
    return;
  }
  g_autoptr (JsonObject) body = follow_up_json (f, g_get_real_time () / 1000);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ---- POST /api/follow-ups/ID ---- */

/* The trimmed resolution of @body, or NULL after responding 400.
 * (transfer full) */
static char *
parse_resolution (SoupServerMessage *msg, JsonObject *body)
{
  JsonNode *node = json_object_get_member (body, "resolution");

  if (!node || json_node_get_value_type (node) != G_TYPE_STRING) {
    vw_api_bad_request (msg, "resolution must be a string: how the case was settled");
    return NULL;
  }
  g_autofree char *text = g_strstrip (g_strdup (json_node_get_string (node)));
  if (!*text) {
    vw_api_bad_request (msg, "resolution is empty: say how the case was settled");
    return NULL;
  }
  if (g_utf8_strlen (text, -1) > RESOLUTION_MAX) {
    vw_api_bad_request (msg, "resolution is longer than 2000 characters");
    return NULL;
  }
  return g_steal_pointer (&text);
}

static void
close_follow_up (VwApiContext *context, SoupServerMessage *msg, const char *id_text)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  g_autoptr (GError) error = NULL;
  VwStoreFollowUp *closed = NULL;
  VwStoreScope scope;
  gint64 id;

  if (!claims)
    return;
  if (!parse_id (id_text, &id)) {
    no_follow_up (msg);
    return;
  }
  g_autoptr (JsonObject) body = vw_api_read_json_object (msg);
  g_autofree char *resolution = body ? parse_resolution (msg, body) : NULL;
  if (!resolution)
    return;
  vw_api_scope_of (claims, &scope);
  gint64 now = g_get_real_time () / 1000;
  if (!vw_store_close_follow_up (context->store, &scope, id, claims->username,
          resolution, now, &closed, &error)) {
    if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND))
      no_follow_up (msg);
    else if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT))
      vw_api_send_error (msg, SOUP_STATUS_CONFLICT, "conflict",
          "this follow-up was closed already");
    else
      vw_api_store_failed (msg, "closing a follow-up", error);
    return;
  }
  g_message ("follow-up %" G_GINT64_FORMAT " (session %s) closed by %s", id,
      closed->session_id, claims->username);
  g_autoptr (JsonObject) answer = follow_up_json (closed, now);
  vw_store_follow_up_free (closed);
  vw_api_send_json (msg, SOUP_STATUS_OK, answer);
}

/* ---- routing ---- */

static void
on_follow_ups (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  const char *rest = path + strlen (FOLLOW_UPS_PREFIX);

  if (!*rest || g_str_equal (rest, "/")) {
    if (vw_api_require_get (msg))
      list_follow_ups (context, msg, query);
  } else if (*rest != '/' || strchr (rest + 1, '/')) {
    vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such resource");
  } else if (soup_server_message_get_method (msg) == SOUP_METHOD_POST) {
    close_follow_up (context, msg, rest + 1);
  } else {
    /* GET (or HEAD) reads it, POST closes it. */
    if (soup_server_message_get_method (msg) == SOUP_METHOD_GET
        || soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
      get_follow_up (context, msg, rest + 1);
    else {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
          "Allow", "GET, POST");
      vw_api_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed",
          "this resource takes GET or POST");
    }
  }
}

void
vw_api_follow_ups_register (SoupServer *server, VwApiContext *context)
{
  g_return_if_fail (SOUP_IS_SERVER (server) && context != NULL);

  vw_api_add_handler (server, FOLLOW_UPS_PREFIX, on_follow_ups, context);
}
