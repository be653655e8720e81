/* vw-api-catalogue.c: the catalogue of service items (事项清单) under
 * /api/catalogue (see server/API.md), and loading the starter list
 * (data/catalogue.json) at start-up.
 *
 * GET /api/catalogue needs no token: the join page fills its choice of
 * items from it, and an item is public information.  PUT and DELETE of
 * /api/catalogue/CODE are for admin accounts and are audited
 * ("put-item", "delete-item"). */
#include "vw-api.h"
#include "vw-api-private.h"
#include "vw-store-items.h"

#include <string.h>

#define CATALOGUE_PATH "/api/catalogue"

static const char *const admin_roles[] = { "admin", NULL };

/* ---- JSON ---- */

static JsonArray *
strv_json (const GStrv list)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; list && list[i]; i++)
    json_array_add_string_element (a, list[i]);
  return a;
}

static JsonObject *
vw_api_item_json (const VwStoreItem *item)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "code", item->code);
  json_object_set_string_member (o, "name", item->name);
  json_object_set_string_member (o, "mode", item->mode);
  json_object_set_string_member (o, "department", item->department);
  json_object_set_array_member (o, "provinces", strv_json (item->provinces));
  json_object_set_array_member (o, "centers", strv_json (item->centers));
  if (item->updated_at)
    json_object_set_int_member (o, "updated_at", item->updated_at);
  return o;
}

static gboolean
bad (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VW_STORE_ERROR, VW_STORE_ERROR_INVALID,
          format, args));
  va_end (args);
  return FALSE;
}

static gboolean
string_field (JsonObject *o, const char *name, gboolean required, char **out,
    GError **error)
{
  JsonNode *node = json_object_get_member (o, name);

  if (!node && !required)
    return TRUE;
  if (!node || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad (error, "%s must be a string", name);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
strings_field (JsonObject *o, const char *name, gboolean required, GStrv *out,
    GError **error)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (!node && !required) {
    *out = g_new0 (char *, 1);
    return TRUE;
  }
  if (!node || !JSON_NODE_HOLDS_ARRAY (node))
    return bad (error, "%s must be a list of strings", name);
  JsonArray *a = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonNode *e = json_array_get_element (a, i);
    if (json_node_get_value_type (e) != G_TYPE_STRING)
      return bad (error, "%s must be a list of strings", name);
    g_strv_builder_add (builder, json_node_get_string (e));
  }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static VwStoreItem *
vw_api_item_from_json (JsonObject *o, const char *code, GError **error)
{
  static const char *const known[] = { "code", "name", "mode", "department",
    "provinces", "centers", NULL };
  g_autoptr (VwStoreItem) item = g_new0 (VwStoreItem, 1);
  g_autoptr (GList) members = json_object_get_members (o);

  for (GList *l = members; l; l = l->next)
    if (!g_strv_contains (known, l->data)) {
      bad (error, "unknown field '%.40s'", (const char *) l->data);
      return NULL;
    }
  if (!string_field (o, "code", code == NULL, &item->code, error))
    return NULL;
  if (code && item->code && !g_str_equal (code, item->code)) {
    bad (error, "the body's code '%.40s' is not the one of the URL", item->code);
    return NULL;
  }
  if (code && !item->code)
    item->code = g_strdup (code);
  if (!string_field (o, "name", TRUE, &item->name, error)
      || !string_field (o, "mode", TRUE, &item->mode, error)
      || !string_field (o, "department", TRUE, &item->department, error)
      || !strings_field (o, "provinces", TRUE, &item->provinces, error)
      || !strings_field (o, "centers", FALSE, &item->centers, error)
      || !vw_store_item_check (item, error))
    return NULL;
  return g_steal_pointer (&item);
}

/* ---- loading the starter list ---- */

gboolean
vw_api_catalogue_load (VwStore *store, const char *path, guint *n_loaded,
    GError **error)
{
  g_return_val_if_fail (store != NULL && path != NULL, FALSE);

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (
      (GDestroyNotify) vw_store_item_free);
  gint64 now = g_get_real_time () / 1000;

  /* json-glib's parse errors say "FILE:LINE:COLUMN: Parse error: ...". */
  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  JsonNode *list = root && JSON_NODE_HOLDS_OBJECT (root)
      ? json_object_get_member (json_node_get_object (root), "items") : NULL;
  if (!list || !JSON_NODE_HOLDS_ARRAY (list)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s: must be a JSON object {\"items\": [...]}", path);
    return FALSE;
  }
  JsonArray *a = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonNode *e = json_array_get_element (a, i);
    VwStoreItem *item = JSON_NODE_HOLDS_OBJECT (e)
        ? vw_api_item_from_json (json_node_get_object (e), NULL, &local) : NULL;
    if (!item) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "%s: item %u: %s", path, i + 1,
          local ? local->message : "must be a JSON object");
      return FALSE;
    }
    for (guint j = 0; j < items->len; j++)
      if (g_str_equal (((VwStoreItem *) g_ptr_array_index (items, j))->code,
              item->code)) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
            "%s: item %u: code '%s' is listed twice", path, i + 1, item->code);
        vw_store_item_free (item);
        return FALSE;
      }
    g_ptr_array_add (items, item);
  }
  for (guint i = 0; i < items->len; i++)
    if (!vw_store_upsert_item (store, g_ptr_array_index (items, i), now, NULL, error)) {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  if (n_loaded)
    *n_loaded = items->len;
  return TRUE;
}

/* ---- handlers ---- */

static void
store_failed (SoupServerMessage *msg, const char *what, const GError *error)
{
  g_warning ("%s: %s", what, error ? error->message : "?");
  vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
      "the store failed");
}

static void
no_item (SoupServerMessage *msg)
{
  vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such item");
}

/* GET /api/catalogue */
static void
list_items (VwApiContext *context, SoupServerMessage *msg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = vw_store_list_items (context->store, &error);

  if (!items) {
    store_failed (msg, "listing the catalogue", error);
    return;
  }
  g_autoptr (JsonObject) body = json_object_new ();
  JsonArray *a = json_array_new ();
  for (guint i = 0; i < items->len; i++)
    json_array_add_object_element (a, vw_api_item_json (g_ptr_array_index (items, i)));
  json_object_set_array_member (body, "items", a);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

/* GET /api/catalogue/CODE */
static void
get_item (VwApiContext *context, SoupServerMessage *msg, const char *code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreItem) item = vw_store_get_item (context->store, code, &error);

  if (!item && g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND))
    no_item (msg);
  else if (!item)
    store_failed (msg, "reading an item", error);
  else {
    g_autoptr (JsonObject) body = vw_api_item_json (item);
    vw_api_send_json (msg, SOUP_STATUS_OK, body);
  }
}

/* PUT /api/catalogue/CODE */
static void
put_item (VwApiContext *context, SoupServerMessage *msg, const char *code)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg, admin_roles);
  g_autoptr (GError) error = NULL;
  gboolean created = FALSE;

  if (!claims)
    return;
  g_autoptr (JsonObject) body = vw_api_read_json_object (msg);
  if (!body)
    return;
  g_autoptr (VwStoreItem) item = vw_api_item_from_json (body, code, &error);
  if (!item) {
    vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad-request", error->message);
    return;
  }
  if (!vw_store_upsert_item (context->store, item, g_get_real_time () / 1000, &created,
          &error)) {
    if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID))
      vw_api_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad-request", error->message);
    else
      store_failed (msg, "recording an item", error);
    return;
  }
  g_autoptr (JsonObject) detail = vw_api_item_json (item);
  json_object_set_boolean_member (detail, "created", created);
  if (!vw_api_audit (context, claims->username, "put-item", NULL, detail)) {
    vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the audit log failed");
    return;
  }
  g_autofree char *code_shown = vw_log_escape (item->code);
  g_message ("%s %s catalogue item %s", claims->username,
      created ? "added" : "replaced", code_shown);
  g_autoptr (VwStoreItem) stored = vw_store_get_item (context->store, code, &error);
  if (!stored) {
    store_failed (msg, "reading an item", error);
    return;
  }
  g_autoptr (JsonObject) answer = vw_api_item_json (stored);
  vw_api_send_json (msg, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, answer);
}

/* DELETE /api/catalogue/CODE */
static void
delete_item (VwApiContext *context, SoupServerMessage *msg, const char *code)
{
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (context, msg, admin_roles);
  g_autoptr (GError) error = NULL;

  if (!claims)
    return;
  g_autoptr (VwStoreItem) item = vw_store_get_item (context->store, code, &error);
  if (!item && g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    no_item (msg);
    return;
  }
  if (!item || !vw_store_delete_item (context->store, code, &error)) {
    store_failed (msg, "removing an item", error);
    return;
  }
  g_autoptr (JsonObject) detail = vw_api_item_json (item);
  if (!vw_api_audit (context, claims->username, "delete-item", NULL, detail)) {
    vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the audit log failed");
    return;
  }
  g_autofree char *code_shown = vw_log_escape (code);
  g_message ("%s removed catalogue item %s", claims->username, code_shown);
  g_autoptr (JsonObject) answer = json_object_new ();
  json_object_set_string_member (answer, "deleted", code);
  vw_api_send_json (msg, SOUP_STATUS_OK, answer);
}

static void
on_catalogue (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwApiContext *context = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *rest = path + strlen (CATALOGUE_PATH);

  if (*rest == '\0' || g_str_equal (rest, "/")) {
    if (vw_api_require_method (msg, SOUP_METHOD_GET))
      list_items (context, msg);
    return;
  }
  if (*rest != '/') {
    vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such resource");
    return;
  }
  const char *code = rest + 1;
  if (!vw_store_item_code_is_valid (code)) {
    no_item (msg);
    return;
  }
  if (method == SOUP_METHOD_GET)
    get_item (context, msg, code);
  else if (method == SOUP_METHOD_PUT)
    put_item (context, msg, code);
  else if (method == SOUP_METHOD_DELETE)
    delete_item (context, msg, code);
  else {
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
        "Allow", "GET, PUT, DELETE");
    vw_api_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed",
        "this resource takes GET, PUT or DELETE");
  }
}

void
vw_api_catalogue_register (SoupServer *server, VwApiContext *context)
{
  vw_api_add_handler (server, CATALOGUE_PATH, on_catalogue, context);
}
