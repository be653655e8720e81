/* test-catalogue.c: the catalogue of service items (事项清单) on a real
 * vw-server: the shipped data/catalogue.json is served to anyone, an
 * administrator adds, replaces and removes items (audited), other roles
 * and anonymous callers are refused, bad bodies are 400, a change outlives
 * a restart (and the starter list does not come back over it), and a
 * catalogue file that does not parse stops the server naming its line.
 *
 * The accounts: administrator admin-sh (陈刚), agent zhangmin (张敏,
 * 黄浦区政务服务中心) and supervisor wangfang (王芳), all of Shanghai.
 */
#include "vw-store-audit.h"
#include "vw-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define CENTER "黄浦区政务服务中心"

static const char *const shipped_codes[] = { "BDC-DJ-010", "CS-YJS-007", "GJJ-TQ-006",
  "QY-BG-002", "QY-SL-001", "QY-ZX-003", "SB-ZY-009", "SP-JY-004", "XS-ZZ-008",
  "YB-YD-005", NULL };

#define NEW_ITEM \
  "{\"name\": \"医师执业注册\", \"mode\": \"remote\", \"department\": \"卫生健康委员会\"," \
  " \"provinces\": [\"shanghai\", \"anhui\"], \"centers\": [\"" CENTER "\"]}"

typedef struct {
  VwTestServer *server;
  char *admin, *agent, *supervisor;   /* tokens */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = vw_test_server_start (NULL);
  g_free (vw_test_server_add_account (f->server, "admin-sh", "admin", "陈刚",
      "shanghai", CENTER, NULL));
  g_free (vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", CENTER, NULL));
  g_free (vw_test_server_add_account (f->server, "wangfang", "supervisor", "王芳",
      "shanghai", CENTER, "province"));
  f->admin = vw_test_server_token (f->server, "admin-sh");
  f->agent = vw_test_server_token (f->server, "zhangmin");
  f->supervisor = vw_test_server_token (f->server, "wangfang");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->server)
    vw_test_server_stop (f->server);
  g_free (f->admin);
  g_free (f->agent);
  g_free (f->supervisor);
}

static char *
url (VwTestServer *server, const char *path)
{
  return g_strconcat (server->url, path, NULL);   /* url ends with '/' */
}

/* One request with @token (nullable) as Bearer; the body as a JSON object
 * (or NULL if none); the status in @status. */
static JsonObject *
call (VwTestServer *server, const char *method, const char *path, const char *token,
    const char *body, guint *status)
{
  g_autofree char *u = url (server, path);
  g_autofree char *bearer = token ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { "Authorization", bearer, NULL };
  g_autoptr (GBytes) response = vw_test_http (method, u, token ? headers : NULL, body,
      -1, status, NULL);
  gsize len = 0;

  g_bytes_get_data (response, &len);
  return len ? vw_test_json_object (g_steal_pointer (&response)) : NULL;
}

static JsonObject *
find_item (JsonObject *catalogue, const char *code)
{
  JsonArray *items = json_object_get_array_member (catalogue, "items");

  for (guint i = 0; i < json_array_get_length (items); i++) {
    JsonObject *item = json_array_get_object_element (items, i);
    if (g_str_equal (json_object_get_string_member (item, "code"), code))
      return item;
  }
  return NULL;
}

static JsonObject *
get_catalogue (VwTestServer *server)
{
  guint status = 0;
  JsonObject *o = call (server, "GET", "api/catalogue", NULL, NULL, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (o);
  return o;
}

/* The shipped list is served without a token. */
static void
test_shipped (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonObject) catalogue = get_catalogue (f->server);
  JsonArray *items = json_object_get_array_member (catalogue, "items");

  g_assert_cmpuint (json_array_get_length (items), ==, g_strv_length ((GStrv) shipped_codes));
  for (guint i = 0; shipped_codes[i]; i++) {
    JsonObject *item = json_array_get_object_element (items, i);
    g_assert_cmpstr (json_object_get_string_member (item, "code"), ==, shipped_codes[i]);
  }
  JsonObject *setup = find_item (catalogue, "QY-SL-001");
  g_assert_cmpstr (json_object_get_string_member (setup, "name"), ==, "企业设立");
  g_assert_cmpstr (json_object_get_string_member (setup, "mode"), ==, "remote");
  g_assert_cmpstr (json_object_get_string_member (setup, "department"), ==,
      "市场监督管理局");
  JsonArray *provinces = json_object_get_array_member (setup, "provinces");
  g_assert_cmpuint (json_array_get_length (provinces), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (provinces, 0), ==, "shanghai");
  g_assert_true (json_object_has_member (setup, "centers"));

  /* One item by its code; an unknown one is 404. */
  guint status = 0;
  g_autoptr (JsonObject) one = call (f->server, "GET", "api/catalogue/SP-JY-004", NULL,
      NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (one, "name"), ==, "食品经营许可证");
  g_autoptr (JsonObject) none = call (f->server, "GET", "api/catalogue/XX-404", NULL,
      NULL, &status);
  g_assert_cmpuint (status, ==, 404);
}

/* Only administrators change it. */
static void
test_refused (Fixture *f, gconstpointer data)
{
  struct { const char *who, *token; guint status; } cases[] = {
    { "no token", NULL, 401 },
    { "a forged token", "not-a-token", 401 },
    { "an agent", f->agent, 403 },
    { "a supervisor", f->supervisor, 403 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint status = 0;
    g_test_message ("%s", cases[i].who);
    g_autoptr (JsonObject) put = call (f->server, "PUT", "api/catalogue/YS-ZC-011",
        cases[i].token, NEW_ITEM, &status);
    g_assert_cmpuint (status, ==, cases[i].status);
    g_autoptr (JsonObject) del = call (f->server, "DELETE", "api/catalogue/QY-SL-001",
        cases[i].token, NULL, &status);
    g_assert_cmpuint (status, ==, cases[i].status);
  }
  g_autoptr (JsonObject) catalogue = get_catalogue (f->server);
  g_assert_null (find_item (catalogue, "YS-ZC-011"));
  g_assert_nonnull (find_item (catalogue, "QY-SL-001"));
}

static const struct {
  const char *what, *body;
} bad_bodies[] = {
  { "not JSON", "{" },
  { "not an object", "[]" },
  { "no name", "{\"mode\": \"remote\", \"department\": \"教育局\", \"provinces\": []}" },
  { "unknown mode", "{\"name\": \"学生资助\", \"mode\": \"phone\", \"department\": \"教育局\","
    " \"provinces\": [\"anhui\"]}" },
  { "unknown province", "{\"name\": \"学生资助\", \"mode\": \"remote\", \"department\":"
    " \"教育局\", \"provinces\": [\"beijing\"]}" },
  { "provinces not a list", "{\"name\": \"学生资助\", \"mode\": \"remote\", \"department\":"
    " \"教育局\", \"provinces\": \"anhui\"}" },
  { "a number in the centres", "{\"name\": \"学生资助\", \"mode\": \"remote\","
    " \"department\": \"教育局\", \"provinces\": [\"anhui\"], \"centers\": [1]}" },
  { "another code", "{\"code\": \"QY-SL-001\", \"name\": \"学生资助\", \"mode\": \"remote\","
    " \"department\": \"教育局\", \"provinces\": [\"anhui\"]}" },
  { "an unknown field", "{\"name\": \"学生资助\", \"mode\": \"remote\", \"department\":"
    " \"教育局\", \"provinces\": [\"anhui\"], \"queue\": 3}" },
  { "empty department", "{\"name\": \"学生资助\", \"mode\": \"remote\", \"department\": \"\","
    " \"provinces\": [\"anhui\"]}" },
};

static void
test_bad_bodies (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_bodies); i++) {
    guint status = 0;
    g_test_message ("%s", bad_bodies[i].what);
    g_autoptr (JsonObject) o = call (f->server, "PUT", "api/catalogue/XS-ZZ-008",
        f->admin, bad_bodies[i].body, &status);
    g_assert_cmpuint (status, ==, 400);
    g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "bad-request");
  }
  /* A code that is not one is no item at all. */
  guint status = 0;
  g_autoptr (JsonObject) o = call (f->server, "PUT", "api/catalogue/bad%20code",
      f->admin, NEW_ITEM, &status);
  g_assert_cmpuint (status, ==, 404);
  g_autoptr (JsonObject) gone = call (f->server, "DELETE", "api/catalogue/YS-ZC-011",
      f->admin, NULL, &status);
  g_assert_cmpuint (status, ==, 404);

  /* Unchanged. */
  g_autoptr (JsonObject) catalogue = get_catalogue (f->server);
  g_assert_cmpstr (json_object_get_string_member (find_item (catalogue, "XS-ZZ-008"),
          "name"), ==, "学生资助");
}

/* Audit entries of @action by @actor in the store of @data_dir (read
 * while no server runs on it). */
static guint
count_audit (const char *data_dir, const char *actor, const char *action)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (data_dir, "virtual-window.db", NULL);
  g_autoptr (VwStore) store = vw_store_open (path, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_autoptr (GPtrArray) entries = vw_store_list_audit (store, 0, G_MAXINT64, NULL,
      &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++) {
    VwStoreAuditEntry *e = g_ptr_array_index (entries, i);
    if (g_str_equal (e->action, action) && g_strcmp0 (e->actor, actor) == 0) {
      g_assert_null (e->session_id);
      g_assert_nonnull (strstr (e->detail, "\"code\""));
      n++;
    }
  }
  return n;
}

/* An administrator adds, replaces and removes; it outlives a restart. */
static void
test_admin_edits (Fixture *f, gconstpointer data)
{
  guint status = 0;

  g_autoptr (JsonObject) added = call (f->server, "PUT", "api/catalogue/YS-ZC-011",
      f->admin, NEW_ITEM, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (added, "code"), ==, "YS-ZC-011");
  g_assert_cmpstr (json_object_get_string_member (added, "name"), ==, "医师执业注册");

  g_autoptr (JsonObject) replaced = call (f->server, "PUT", "api/catalogue/SP-JY-004",
      f->admin, "{\"code\": \"SP-JY-004\", \"name\": \"食品经营许可证\", \"mode\": \"online\","
      " \"department\": \"市场监督管理局\", \"provinces\": [\"zhejiang\"]}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (replaced, "mode"), ==, "online");

  g_autoptr (JsonObject) deleted = call (f->server, "DELETE", "api/catalogue/BDC-DJ-010",
      f->admin, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  /* A restart (a crash even) keeps the administrators' catalogue as it
   * is: the starter list is loaded into an empty catalogue only.  Both
   * changes are in the audit log, by whom. */
  char *dir = vw_test_server_kill (f->server);
  g_assert_cmpuint (count_audit (dir, "admin-sh", "put-item"), ==, 2);
  g_assert_cmpuint (count_audit (dir, "admin-sh", "delete-item"), ==, 1);
  f->server = vw_test_server_start_in (dir, NULL);
  g_free (dir);

  g_autoptr (JsonObject) catalogue = get_catalogue (f->server);
  g_assert_nonnull (find_item (catalogue, "YS-ZC-011"));
  g_assert_null (find_item (catalogue, "BDC-DJ-010"));
  JsonObject *food = find_item (catalogue, "SP-JY-004");
  g_assert_cmpstr (json_object_get_string_member (food, "mode"), ==, "online");
  JsonArray *provinces = json_object_get_array_member (food, "provinces");
  g_assert_cmpuint (json_array_get_length (provinces), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (provinces, 0), ==, "zhejiang");
  JsonArray *items = json_object_get_array_member (catalogue, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, g_strv_length ((GStrv) shipped_codes));
}

/* Runs vw-server on a fresh data directory with @args; its exit status
 * and stderr.  For start-ups that must fail before listening. */
static int
run_server (const char *const *args, char **stderr_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-catalogue-XXXXXX", &error);
  g_assert_no_error (error);
  int status = vw_test_server_run_to_exit (dir, args, stderr_out);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  return status;
}

static void
test_bad_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-catalogue-file-XXXXXX", &error);
  g_autofree char *broken = g_build_filename (dir, "broken.json", NULL);
  g_autofree char *invalid = g_build_filename (dir, "invalid.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_file_set_contents (broken, "{\n  \"items\": [\n    {\"code\": \"QY-SL-001\",,}\n  ]\n}\n",
      -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (invalid, "{\"items\": [{\"code\": \"QY-SL-001\", \"name\": \"企业设立\","
      " \"mode\": \"remote\", \"department\": \"市场监督管理局\", \"provinces\":"
      " [\"taiwan\"]}]}", -1, &error);
  g_assert_no_error (error);

  g_assert_cmpint (run_server ((const char *const []) { "--catalogue", broken, NULL },
          &err), !=, 0);
  g_test_message ("%s", err);
  g_autofree char *where = g_strdup_printf ("%s:3", broken);
  g_assert_nonnull (strstr (err, where));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_server ((const char *const []) { "--catalogue", invalid, NULL },
          &err), !=, 0);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, invalid));
  g_assert_nonnull (strstr (err, "taiwan"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_server ((const char *const []) { "--catalogue", missing, NULL },
          &err), !=, 0);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, missing));

  g_unlink (broken);
  g_unlink (invalid);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/catalogue/shipped", test_shipped);
  ADD ("/catalogue/refused", test_refused);
  ADD ("/catalogue/bad-bodies", test_bad_bodies);
  ADD ("/catalogue/admin-edits", test_admin_edits);
#undef ADD
  g_test_add_func ("/catalogue/bad-file", test_bad_file);
  return g_test_run ();
}
