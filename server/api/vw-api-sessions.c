/* vw-api-sessions.c: the sessions under /api/sessions (see server/API.md):
 * the filtered listing (agents: their own; supervisors: their centre or
 * province), a session's detail (audited as view-session), supervisors'
 * reviews, and the routing of a track's WebM to vw-api-tracks.c.
 *
 * A session outside the caller's scope is a 404 like an unknown one, so
 * that ids do not leak; nothing of a session is in an error body. */
#include "vw-api-sessions-private.h"
#include "vw-api-private.h"

#include <string.h>

#define SESSIONS_PREFIX "/api/sessions"
#define REVIEW_COMMENT_MAX 2000   /* characters */

const char *const vw_api_supervisor_roles[] = { "supervisor", NULL };
const char *const vw_api_viewer_roles[] = { "agent", "supervisor", NULL };

/* ---- shared helpers ---- */

void
vw_api_scope_of (const VwTokenClaims *claims, VwStoreScope *scope)
{
  *scope = (VwStoreScope) { VW_STORE_SCOPE_ACCOUNT, .account = claims->username };
  if (g_strcmp0 (claims->role, "supervisor") != 0)
    return;
  if (g_strcmp0 (claims->scope, "province") == 0)
    *scope = (VwStoreScope) { VW_STORE_SCOPE_PROVINCE, .province = claims->province };
  else
    *scope = (VwStoreScope) { VW_STORE_SCOPE_CENTER, .center = claims->center,
      .province = claims->province };
}

void
vw_api_store_failed (SoupServerMessage *msg, const char *what, const GError *error)
{
  g_warning ("%s: %s", what, error ? error->message : "?");
  vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
      "the store failed");
}

void
vw_api_bad_request (SoupServerMessage *msg, const char *message)
{
  vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad-request", message);
}

void
vw_api_no_session (SoupServerMessage *msg)
{
  vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such session");
}

const char *
vw_api_query_value (GHashTable *query, const char *name)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;

  return value && *value ? value : NULL;
}

gboolean
vw_api_query_date (SoupServerMessage *msg, const char *name, const char *value,
    gboolean next_day, gint64 *ms_out)
{
  g_autoptr (GError) error = NULL;
  gint64 ms;

  if (!value)
    return TRUE;
  if (!vw_store_parse_cst_date (value, &ms, &error)) {
    g_autofree char *message = g_strdup_printf ("%s: %s", name, error->message);
    vw_api_bad_request (msg, message);
    return FALSE;
  }
  *ms_out = next_day ? ms + 24 * 3600 * 1000 : ms;
  return TRUE;
}

/* ---- the listing's query ---- */

static const char *const list_params[] = { "from", "to", "center", "agent",
  "province", "item", "min_duration", "max_duration", "rating", "limit", "offset",
  NULL };

/* An integer parameter in [@min, @max]; FALSE after responding 400. */
static gboolean
query_int (SoupServerMessage *msg, GHashTable *query, const char *name, gint64 min,
    gint64 max, gint64 *out)
{
  const char *value = vw_api_query_value (query, name);
  gint64 n;

  if (!value)
    return TRUE;
  if (!g_ascii_string_to_signed (value, 10, min, max, &n, NULL)) {
    g_autofree char *message = g_strdup_printf ("%s must be an integer from %"
        G_GINT64_FORMAT " to %" G_GINT64_FORMAT, name, min, max);
    vw_api_bad_request (msg, message);
    return FALSE;
  }
  *out = n;
  return TRUE;
}

gboolean
vw_api_check_query_names (SoupServerMessage *msg, GHashTable *query,
    const char *const *known)
{
  GHashTableIter iter;
  gpointer key;

  if (!query)
    return TRUE;
  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!known || !g_strv_contains (known, key)) {
      g_autofree char *shown = g_strescape (key, NULL);
      g_autofree char *message = g_strdup_printf ("unknown query parameter '%.40s'",
          shown);
      vw_api_bad_request (msg, message);
      return FALSE;
    }
  return TRUE;
}

/* Fills @f from the query; FALSE after responding 400. */
static gboolean
parse_filter (SoupServerMessage *msg, GHashTable *query, VwStoreSessionFilter *f)
{
  gint64 min = -1, max = -1, rating = 0, limit = VW_STORE_LIST_DEFAULT_LIMIT,
      offset = 0;

  if (!vw_api_check_query_names (msg, query, list_params)
      || !vw_api_query_date (msg, "from", vw_api_query_value (query, "from"), FALSE,
          &f->from_ms)
      || !vw_api_query_date (msg, "to", vw_api_query_value (query, "to"), TRUE,
          &f->to_ms)
      || !query_int (msg, query, "min_duration", 0, G_MAXINT32, &min)
      || !query_int (msg, query, "max_duration", 0, G_MAXINT32, &max)
      || !query_int (msg, query, "rating", 1, 5, &rating)
      || !query_int (msg, query, "limit", 1, VW_STORE_LIST_MAX_LIMIT, &limit)
      || !query_int (msg, query, "offset", 0, G_MAXINT32, &offset))
    return FALSE;
  if (f->from_ms && f->to_ms && f->to_ms <= f->from_ms) {
    vw_api_bad_request (msg, "to is before from");
    return FALSE;
  }
  f->center = vw_api_query_value (query, "center");
  f->agent = vw_api_query_value (query, "agent");
  f->province = vw_api_query_value (query, "province");
  f->item = vw_api_query_value (query, "item");
  f->min_duration_s = min;
  f->max_duration_s = max;
  f->rating = rating;
  f->limit = limit;
  f->offset = offset;
  return TRUE;
}

/* ---- GET /api/sessions ---- */

static void
list_sessions (VwApiContext *context, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_viewer_roles);
  VwStoreSessionFilter filter = VW_STORE_SESSION_FILTER_INIT;
  g_autoptr (GError) error = NULL;
  VwStoreScope scope;
  guint total = 0;

  if (!claims || !parse_filter (msg, query, &filter))
    return;
  vw_api_scope_of (claims, &scope);
  g_autoptr (GPtrArray) list = vw_store_list_sessions_in_scope (context->store, &scope,
      &filter, &total, &error);
  if (!list) {
    vw_api_store_failed (msg, "listing sessions", error);
    return;
  }

  g_autoptr (JsonObject) body = json_object_new ();
  JsonArray *sessions = json_array_new ();
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (sessions,
        vw_api_session_json (g_ptr_array_index (list, i)));
  json_object_set_array_member (body, "sessions", sessions);
  json_object_set_int_member (body, "total", total);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ---- GET /api/sessions/ID ---- */

/* The session @id of @claims's scope, or NULL after responding 404/500. */
static VwStoreSessionSummary *
session_in_scope (VwApiContext *context, SoupServerMessage *msg,
    const VwTokenClaims *claims, const char *id)
{
  g_autoptr (GError) error = NULL;
  VwStoreScope scope;

  vw_api_scope_of (claims, &scope);
  VwStoreSessionSummary *sum = vw_store_get_session_in_scope (context->store, &scope,
      id, &error);
  if (!sum && g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND))
    vw_api_no_session (msg);
  else if (!sum)
    vw_api_store_failed (msg, "reading a session", error);
  return sum;
}

static void
get_session (VwApiContext *context, SoupServerMessage *msg, const char *id)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  g_autoptr (GError) error = NULL;

  if (!claims)
    return;
  g_autoptr (VwStoreSessionSummary) sum = session_in_scope (context, msg, claims, id);
  if (!sum)
    return;
  g_autoptr (JsonObject) body = vw_api_session_detail_json (context->store, sum, &error);
  if (!body) {
    vw_api_store_failed (msg, "reading a session's detail", error);
    return;
  }
  /* Nothing is shown that the log does not record. */
  if (!vw_api_audit (context, claims->username, "view-session", id, NULL)) {
    vw_api_store_failed (msg, "auditing view-session", NULL);
    return;
  }
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* ---- POST /api/sessions/ID/reviews ---- */

/* Reads {"score": 1..5, "comment": string|null} into @review; FALSE after
 * responding 400. */
static gboolean
parse_review (SoupServerMessage *msg, JsonObject *body, VwStoreReview *review)
{
  JsonNode *score = json_object_get_member (body, "score");
  JsonNode *comment = json_object_get_member (body, "comment");

  if (!score || json_node_get_value_type (score) != G_TYPE_INT64
      || json_node_get_int (score) < 1 || json_node_get_int (score) > 5) {
    vw_api_bad_request (msg, "score must be an integer from 1 to 5");
    return FALSE;
  }
  if (comment && !JSON_NODE_HOLDS_NULL (comment)
      && json_node_get_value_type (comment) != G_TYPE_STRING) {
    vw_api_bad_request (msg, "comment must be a string");
    return FALSE;
  }
  review->score = json_node_get_int (score);
  review->comment = comment && !JSON_NODE_HOLDS_NULL (comment)
      ? (char *) json_node_get_string (comment) : NULL;
  if (review->comment && g_utf8_strlen (review->comment, -1) > REVIEW_COMMENT_MAX) {
    vw_api_bad_request (msg, "comment is longer than 2000 characters");
    return FALSE;
  }
  return TRUE;
}

static void
add_review (VwApiContext *context, SoupServerMessage *msg, const char *id)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  g_autoptr (GError) error = NULL;
  gint64 review_id = 0;

  if (!claims)
    return;
  g_autoptr (VwStoreSessionSummary) sum = session_in_scope (context, msg, claims, id);
  g_autoptr (JsonObject) body = sum ? vw_api_read_json_object (msg) : NULL;
  VwStoreReview review = { .session_id = (char *) id, .author = claims->username,
    .created_at = g_get_real_time () / 1000 };
  if (!body || !parse_review (msg, body, &review))
    return;
  if (!vw_store_add_review (context->store, &review, &review_id, &error)) {
    vw_api_store_failed (msg, "recording a review", error);
    return;
  }

  g_autoptr (JsonObject) created = json_object_new ();
  json_object_set_int_member (created, "id", review_id);
  json_object_set_int_member (created, "created_at", review.created_at);
  vw_api_send_json (msg, SOUP_STATUS_CREATED, created);
}

/* ---- routing ---- */

static void
not_found (SoupServerMessage *msg)
{
  vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such resource");
}

/* /api/sessions[/ID[/reviews | /tracks/TRACK.webm]] */
static void
on_sessions (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  const char *rest = path + strlen (SESSIONS_PREFIX);
  g_auto (GStrv) parts = g_strsplit (*rest == '/' ? rest + 1 : rest, "/", 4);
  guint n = g_strv_length (parts);

  if (*rest && *rest != '/') {
    not_found (msg);
  } else if (n == 0 || (n == 1 && !*parts[0])) {
    if (vw_api_require_get (msg))
      list_sessions (context, msg, query);
  } else if (!*parts[0]) {
    not_found (msg);
  } else if (n == 1) {
    if (vw_api_require_get (msg))
      get_session (context, msg, parts[0]);
  } else if (n == 2 && g_str_equal (parts[1], "reviews")) {
    if (vw_api_require_method (msg, SOUP_METHOD_POST))
      add_review (context, msg, parts[0]);
  } else if (n == 3 && g_str_equal (parts[1], "tracks")) {
    if (vw_api_require_get (msg)) {
      g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
          vw_api_supervisor_roles);
      if (claims)
        vw_api_track_get (context, msg, claims, parts[0], parts[2]);
    }
  } else {
    not_found (msg);
  }
}

void
vw_api_sessions_register (SoupServer *server, VwApiContext *context)
{
  g_return_if_fail (SOUP_IS_SERVER (server) && context != NULL);

  vw_api_add_handler (server, SESSIONS_PREFIX, on_sessions, context);
  vw_api_sample_register (server, context);
}
