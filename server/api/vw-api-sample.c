/* vw-api-sample.c: POST /api/sample, the random draw of sessions per agent
 * for quality checks, and GET /api/audit, the audit log as a supervisor may
 * read it (see server/API.md).
 *
 * A draw is recorded in the audit log before it is shown (action
 * "sample", with the seed, the period and the ids drawn); the id of that
 * entry is the draw's "draw", so the selection can be checked afterwards by
 * drawing again with the same seed over the same sessions. */
#include "vw-json-write.h"
#include "vw-api-sessions-private.h"
#include "vw-api-private.h"
#include "vw-store-audit.h"

#define PER_AGENT_MAX 50

/* ---- POST /api/sample ---- */

typedef struct {
  const char *from, *to;   /* borrowed from the body */
  gint64 from_ms, to_ms;   /* [from_ms, to_ms) */
  gint64 per_agent;
  guint32 seed;
} SampleRequest;

static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (!node || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* An integer member in [@min, @max]; absent or null is @fallback if
 * @optional.  FALSE after responding 400. */
static gboolean
int_member (SoupServerMessage *msg, JsonObject *o, const char *name, gint64 min,
    gint64 max, gboolean optional, gint64 *out)
{
  JsonNode *node = json_object_get_member (o, name);

  if (optional && (!node || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  if (node && json_node_get_value_type (node) == G_TYPE_INT64
      && json_node_get_int (node) >= min && json_node_get_int (node) <= max) {
    *out = json_node_get_int (node);
    return TRUE;
  }
  g_autofree char *message = g_strdup_printf ("%s must be an integer from %"
      G_GINT64_FORMAT " to %" G_GINT64_FORMAT, name, min, max);
  vw_api_bad_request (msg, message);
  return FALSE;
}

static gboolean
parse_sample (SoupServerMessage *msg, JsonObject *body, SampleRequest *r)
{
  gint64 seed = g_random_int ();

  r->from = string_member (body, "from");
  r->to = string_member (body, "to");
  if (!r->from || !r->to) {
    vw_api_bad_request (msg, "from and to must be dates YYYY-MM-DD");
    return FALSE;
  }
  if (!vw_api_query_date (msg, "from", r->from, FALSE, &r->from_ms)
      || !vw_api_query_date (msg, "to", r->to, TRUE, &r->to_ms)
      || !int_member (msg, body, "per_agent", 1, PER_AGENT_MAX, FALSE, &r->per_agent)
      || !int_member (msg, body, "seed", 0, G_MAXUINT32, TRUE, &seed))
    return FALSE;
  if (r->to_ms <= r->from_ms) {
    vw_api_bad_request (msg, "to is before from");
    return FALSE;
  }
  r->seed = seed;
  return TRUE;
}

static JsonObject *
sample_detail (const SampleRequest *r, GPtrArray *ids)
{
  JsonObject *detail = json_object_new ();
  JsonArray *list = json_array_new ();

  json_object_set_int_member (detail, "seed", r->seed);
  json_object_set_string_member (detail, "from", r->from);
  json_object_set_string_member (detail, "to", r->to);
  json_object_set_int_member (detail, "per_agent", r->per_agent);
  for (guint i = 0; i < ids->len; i++)
    json_array_add_string_element (list, g_ptr_array_index (ids, i));
  json_object_set_array_member (detail, "sessions", list);
  return detail;
}

/* Records the draw; its audit entry's id goes to @draw_id. */
static gboolean
audit_sample (VwApiContext *context, const char *actor, const SampleRequest *r,
    GPtrArray *ids, gint64 *draw_id, GError **error)
{
  g_autoptr (JsonObject) detail = sample_detail (r, ids);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
  g_autofree char *text = vw_json_to_string (node);

  return vw_store_add_audit (context->store, g_get_real_time () / 1000, actor, "sample",
      NULL, text, draw_id, error);
}

/* SESSION of each drawn id, in the order drawn.  (transfer full) */
static JsonArray *
drawn_sessions (VwApiContext *context, const VwStoreScope *scope, GPtrArray *ids,
    GError **error)
{
  g_autoptr (JsonArray) list = json_array_new ();

  for (guint i = 0; i < ids->len; i++) {
    g_autoptr (VwStoreSessionSummary) sum = vw_store_get_session_in_scope (
        context->store, scope, g_ptr_array_index (ids, i), error);
    if (!sum)
      return NULL;
    json_array_add_object_element (list, vw_api_session_json (sum));
  }
  return g_steal_pointer (&list);
}

static void
respond_sample (VwApiContext *context, SoupServerMessage *msg,
    const VwTokenClaims *claims, const SampleRequest *r)
{
  g_autoptr (GError) error = NULL;
  VwStoreScope scope;
  gint64 draw_id = 0;

  vw_api_scope_of (claims, &scope);
  g_autoptr (GPtrArray) candidates = vw_store_list_sample_candidates (context->store,
      &scope, r->from_ms, r->to_ms, &error);
  g_autoptr (GPtrArray) ids = candidates
      ? vw_store_sample_draw (candidates, r->per_agent, r->seed) : NULL;
  g_autoptr (JsonArray) sessions = ids
      ? drawn_sessions (context, &scope, ids, &error) : NULL;
  if (!sessions || !audit_sample (context, claims->username, r, ids, &draw_id, &error)) {
    vw_api_store_failed (msg, "drawing a sample", error);
    return;
  }
  g_message ("%s drew %u session(s), seed %u", claims->username, ids->len, r->seed);

  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_int_member (body, "draw", draw_id);
  json_object_set_int_member (body, "seed", r->seed);
  json_object_set_array_member (body, "sessions", g_steal_pointer (&sessions));
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

static void
on_sample (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  SampleRequest request = { 0 };

  if (!vw_api_require_method (msg, SOUP_METHOD_POST))
    return;
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  if (!claims)
    return;
  g_autoptr (JsonObject) body = vw_api_read_json_object (msg);
  if (!body || !parse_sample (msg, body, &request))
    return;
  respond_sample (context, msg, claims, &request);
}

/* ---- GET /api/audit ---- */

/* Whether a supervisor may read @entry: about a session of the scope, or
 * one of the supervisor's own.  @seen caches sessions checked. */
static gboolean
entry_visible (VwApiContext *context, const VwTokenClaims *claims,
    const VwStoreScope *scope, const VwStoreAuditEntry *entry, GHashTable *seen,
    GError **error)
{
  gpointer cached;

  if (g_strcmp0 (entry->actor, claims->username) == 0)
    return TRUE;
  if (!entry->session_id)
    return FALSE;
  if (g_hash_table_lookup_extended (seen, entry->session_id, NULL, &cached))
    return GPOINTER_TO_INT (cached);

  g_autoptr (GError) local = NULL;
  g_autoptr (VwStoreSessionSummary) sum = vw_store_get_session_in_scope (context->store,
      scope, entry->session_id, &local);
  if (!sum && !g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  g_hash_table_insert (seen, g_strdup (entry->session_id), GINT_TO_POINTER (sum != NULL));
  return sum != NULL;
}

static JsonObject *
entry_json (const VwStoreAuditEntry *e)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "id", e->id);
  json_object_set_int_member (o, "at", e->at);
  json_object_set_string_member (o, "actor", e->actor);
  json_object_set_string_member (o, "action", e->action);
  json_object_set_string_member (o, "session_id", e->session_id);
  json_object_set_member (o, "detail", vw_api_json_text_node (e->detail));
  return o;
}

static JsonArray *
visible_entries (VwApiContext *context, const VwTokenClaims *claims, GPtrArray *all,
    GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  g_autoptr (JsonArray) list = json_array_new ();
  VwStoreScope scope;

  vw_api_scope_of (claims, &scope);
  for (guint i = 0; i < all->len; i++) {
    const VwStoreAuditEntry *e = g_ptr_array_index (all, i);
    GError *local = NULL;
    if (entry_visible (context, claims, &scope, e, seen, &local))
      json_array_add_object_element (list, entry_json (e));
    else if (local) {
      g_propagate_error (error, local);
      return NULL;
    }
  }
  return g_steal_pointer (&list);
}

static void
on_audit (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  g_autoptr (GError) error = NULL;
  gint64 from_ms = 0, to_ms = G_MAXINT64;

  if (!vw_api_require_method (msg, SOUP_METHOD_GET))
    return;
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg,
      vw_api_supervisor_roles);
  if (!claims
      || !vw_api_query_date (msg, "from", vw_api_query_value (query, "from"), FALSE,
          &from_ms)
      || !vw_api_query_date (msg, "to", vw_api_query_value (query, "to"), TRUE, &to_ms))
    return;
  g_autoptr (GPtrArray) all = vw_store_list_audit (context->store, from_ms, to_ms,
      vw_api_query_value (query, "session"), &error);
  g_autoptr (JsonArray) entries = all ? visible_entries (context, claims, all, &error)
      : NULL;
  if (!entries) {
    vw_api_store_failed (msg, "reading the audit log", error);
    return;
  }

  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_array_member (body, "entries", g_steal_pointer (&entries));
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

void
vw_api_sample_register (SoupServer *server, VwApiContext *context)
{
  vw_api_add_handler (server, "/api/sample", on_sample, context);
  vw_api_add_handler (server, "/api/audit", on_audit, context);
}
