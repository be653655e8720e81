/* test-api-auth.c: signing in and the authentication of API requests.
 *
 *  - /admin/...: the vw-admin program (a real process on a temporary data
 *    directory): usage errors, failures, what list-accounts shows;
 *  - /login/...: POST /api/login on a real vw-server whose data directory
 *    holds accounts made with vw-admin;
 *  - /authenticate/...: vw_api_authenticate() and vw_api_audit() in
 *    process, on a SoupServer of the test's own, for every way a token can
 *    come or be wrong.
 *
 * The accounts are those of the cross-province window: agent zhangmin
 * (张敏, 黄浦区政务服务中心, Shanghai), supervisor wangfang (王芳, the whole
 * province of Shanghai) and agent lisi (李四), whose account is disabled.
 */
#include "vw-api.h"
#include "vw-password.h"
#include "vw-store-accounts.h"
#include "vw-store-audit.h"
#include "vw-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define ZHANGMIN_PASSWORD "correct horse battery"
#define WANGFANG_PASSWORD "王芳的密码足够长了"
#define LISI_PASSWORD "lisi password 1"
#define CENTER "黄浦区政务服务中心"

static VwTestServer *server;   /* for /login/, started in main () */

static char *
make_data_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("vw-api-auth-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_data_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d))) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (dir);
}

static void
add_accounts (const char *dir)
{
  g_assert_cmpint (vw_test_admin (dir, ZHANGMIN_PASSWORD, "add-account",
      "--username", "zhangmin", "--role", "agent", "--name", "张敏",
      "--province", "shanghai", "--center", CENTER, NULL), ==, 0);
  g_assert_cmpint (vw_test_admin (dir, WANGFANG_PASSWORD, "add-account",
      "--username", "wangfang", "--role", "supervisor", "--name", "王芳",
      "--province", "shanghai", "--center", CENTER, "--scope", "province", NULL), ==, 0);
  g_assert_cmpint (vw_test_admin (dir, LISI_PASSWORD, "add-account",
      "--username", "lisi", "--role", "agent", "--name", "李四",
      "--province", "shanghai", "--center", CENTER, NULL), ==, 0);
  g_assert_cmpint (vw_test_admin (dir, NULL, "disable", "--username", "lisi", NULL),
      ==, 0);
}

static VwStore *
open_store (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "virtual-window.db", NULL);
  VwStore *store = vw_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static char *
body_text (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strndup (data ? data : "", len);
}

static void
assert_error_body (GBytes *body, const char *code)
{
  g_autoptr (JsonObject) o = vw_test_json_object (body);

  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, code);
  g_assert_nonnull (json_object_get_string_member (o, "message"));
}

/* ---- vw-admin ---- */

typedef struct {
  const char *what;
  const char *args[16];
} UsageCase;

static const UsageCase usage_cases[] = {
  { "no command", { NULL } },
  { "unknown command", { "remove-account", "--username", "zhangmin", NULL } },
  { "two commands", { "list-accounts", "enable", NULL } },
  { "unknown option", { "list-accounts", "--verbose", NULL } },
  { "add without --role", { "add-account", "--username", "u", "--name", "N",
      "--province", "shanghai", "--center", CENTER, NULL } },
  { "unknown role", { "add-account", "--username", "u", "--role", "clerk", "--name",
      "N", "--province", "shanghai", "--center", CENTER, NULL } },
  { "unknown province", { "add-account", "--username", "u", "--role", "agent",
      "--name", "N", "--province", "guangdong", "--center", CENTER, NULL } },
  { "unknown scope", { "add-account", "--username", "u", "--role", "supervisor",
      "--name", "N", "--province", "shanghai", "--center", CENTER, "--scope", "all",
      NULL } },
  { "an option the command does not take", { "list-accounts", "--username", "u", NULL } },
  { "disable without --username", { "disable", NULL } },
  { "set-password without --username", { "set-password", NULL } },
};

static int
admin_argv (const char *dir, const char *password, const char *const *args,
    char **err)
{
  /* vw_test_admin_capture takes a NULL-terminated list: pass up to 15. */
  const char *a[16] = { 0 };

  for (guint i = 0; args[i]; i++)
    a[i] = args[i];
  return vw_test_admin_capture (dir, password, NULL, err, a[0], a[1], a[2], a[3], a[4],
      a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], NULL);
}

static void
test_admin_usage (void)
{
  g_autofree char *dir = make_data_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (usage_cases); i++) {
    g_autofree char *err = NULL;

    g_test_message ("case: %s", usage_cases[i].what);
    g_assert_cmpint (admin_argv (dir, "long enough password", usage_cases[i].args, &err),
        ==, 2);
    g_assert_true (g_str_has_prefix (err, "vw-admin: "));
  }
  /* None of them made the store. */
  g_autofree char *db = g_build_filename (dir, "virtual-window.db", NULL);
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  remove_data_dir (dir);
}

static void
test_admin_failures (void)
{
  g_autofree char *dir = make_data_dir ();
  g_autofree char *err = NULL;

  add_accounts (dir);
  /* The username is taken. */
  g_assert_cmpint (vw_test_admin_capture (dir, "another password", NULL, &err,
      "add-account", "--username", "zhangmin", "--role", "agent", "--name", "张敏",
      "--province", "shanghai", "--center", CENTER, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "zhangmin"));
  g_clear_pointer (&err, g_free);
  /* Too short, and empty: refused, nothing made. */
  g_assert_cmpint (vw_test_admin_capture (dir, "1234567", NULL, &err, "add-account",
      "--username", "zhaoliu", "--role", "agent", "--name", "赵六", "--province",
      "jiangsu", "--center", "苏州工业园区政务服务中心", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "at least 8"));
  g_assert_cmpint (vw_test_admin (dir, "", "add-account", "--username", "zhaoliu",
      "--role", "agent", "--name", "赵六", "--province", "jiangsu", "--center",
      "苏州工业园区政务服务中心", NULL), ==, 1);
  /* No password at all on stdin. */
  g_assert_cmpint (vw_test_admin (dir, NULL, "set-password", "--username", "zhangmin",
      NULL), ==, 1);
  /* Unknown accounts. */
  g_assert_cmpint (vw_test_admin (dir, "long enough password", "set-password",
      "--username", "nobody", NULL), ==, 1);
  g_assert_cmpint (vw_test_admin (dir, NULL, "disable", "--username", "nobody", NULL),
      ==, 1);
  g_assert_cmpint (vw_test_admin (dir, NULL, "enable", "--username", "nobody", NULL),
      ==, 1);

  g_autoptr (VwStore) store = open_store (dir);
  g_autoptr (GPtrArray) accounts = vw_store_list_accounts (store, NULL);
  g_assert_cmpuint (accounts->len, ==, 3);
  g_autoptr (VwStoreAccount) zhangmin = vw_store_get_account (store, "zhangmin", NULL);
  g_assert_true (vw_password_verify (ZHANGMIN_PASSWORD, zhangmin->password_hash));
  remove_data_dir (dir);
}

static void
test_admin_list (void)
{
  g_autofree char *dir = make_data_dir ();
  g_autofree char *out = NULL;

  add_accounts (dir);
  g_assert_cmpint (vw_test_admin_capture (dir, NULL, &out, NULL, "list-accounts", NULL),
      ==, 0);
  g_assert_null (strstr (out, "$y$"));            /* never a hash */
  g_assert_null (strstr (out, "password"));
  g_assert_null (strstr (out, ZHANGMIN_PASSWORD));

  g_auto (GStrv) lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  const char *expected[][4] = {   /* username, role, scope, disabled; by username */
    { "lisi", "agent", "center", "true" },
    { "wangfang", "supervisor", "province", "false" },
    { "zhangmin", "agent", "center", "false" },
  };
  for (guint i = 0; i < 3; i++) {
    g_autoptr (GBytes) bytes = g_bytes_new_static (lines[i], strlen (lines[i]));
    g_autoptr (JsonObject) o = vw_test_json_object (bytes);
    g_assert_cmpstr (json_object_get_string_member (o, "username"), ==, expected[i][0]);
    g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, expected[i][1]);
    g_assert_cmpstr (json_object_get_string_member (o, "scope"), ==, expected[i][2]);
    g_assert_cmpint (json_object_get_boolean_member (o, "disabled"), ==,
        g_str_equal (expected[i][3], "true"));
    g_assert_cmpstr (json_object_get_string_member (o, "center"), ==, CENTER);
    g_assert_cmpint (json_object_get_int_member (o, "created_at"), >, 0);
    g_assert_false (json_object_has_member (o, "password_hash"));
  }
  remove_data_dir (dir);
}

static void
test_admin_password_file (void)
{
  g_autofree char *dir = make_data_dir ();
  g_autofree char *file = g_build_filename (dir, "password.txt", NULL);

  g_assert_true (g_file_set_contents (file, "from a file 123\nsecond line\n", -1, NULL));
  g_assert_cmpint (vw_test_admin (dir, NULL, "add-account", "--username", "zhangmin",
      "--role", "agent", "--name", "张敏", "--province", "shanghai", "--center", CENTER,
      "--password-file", file, NULL), ==, 0);
  g_assert_true (g_file_set_contents (file, "changed password 456\r\n", -1, NULL));
  g_assert_cmpint (vw_test_admin (dir, NULL, "set-password", "--username", "zhangmin",
      "--password-file", file, NULL), ==, 0);

  g_autoptr (VwStore) store = open_store (dir);
  g_autoptr (VwStoreAccount) a = vw_store_get_account (store, "zhangmin", NULL);
  g_assert_nonnull (a);
  g_assert_true (g_str_has_prefix (a->password_hash, "$y$"));
  g_assert_true (vw_password_verify ("changed password 456", a->password_hash));
  g_assert_false (vw_password_verify ("from a file 123", a->password_hash));
  remove_data_dir (dir);
}

/* ---- POST /api/login on a real vw-server ---- */

static char *
api_url (const char *path)
{
  return g_strconcat (server->url, path, NULL);
}

static GBytes *
login_raw (const char *body, gssize length, guint *status, SoupMessageHeaders **headers)
{
  g_autofree char *url = api_url ("api/login");

  return vw_test_http ("POST", url, NULL, body, length, status, headers);
}

static void
test_login_ok (void)
{
  g_autoptr (SoupMessageHeaders) headers = NULL;
  guint status = 0;
  gint64 before = g_get_real_time () / 1000;
  g_autoptr (GBytes) body = login_raw ("{\"username\": \"wangfang\", \"password\": \""
      WANGFANG_PASSWORD "\"}", -1, &status, &headers);
  gint64 after = g_get_real_time () / 1000;

  g_assert_cmpuint (status, ==, 200);
  g_autofree char *text = body_text (body);
  g_assert_null (strstr (text, WANGFANG_PASSWORD));
  g_assert_null (strstr (text, "$y$"));
  g_autoptr (JsonObject) o = vw_test_json_object (body);
  const char *token = json_object_get_string_member (o, "token");
  gint64 expires_at = json_object_get_int_member (o, "expires_at");
  g_assert_cmpint (expires_at, >=, before + 8 * 3600 * 1000);
  g_assert_cmpint (expires_at, <=, after + 8 * 3600 * 1000);
  JsonObject *account = json_object_get_object_member (o, "account");
  g_assert_cmpstr (json_object_get_string_member (account, "username"), ==, "wangfang");
  g_assert_cmpstr (json_object_get_string_member (account, "role"), ==, "supervisor");
  g_assert_cmpstr (json_object_get_string_member (account, "name"), ==, "王芳");
  g_assert_cmpstr (json_object_get_string_member (account, "province"), ==, "shanghai");
  g_assert_cmpstr (json_object_get_string_member (account, "center"), ==, CENTER);
  g_assert_cmpstr (json_object_get_string_member (account, "scope"), ==, "province");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Cache-Control"), ==, "no-store");

  /* The token verifies with the key the server keeps in its data dir. */
  guint8 key[VW_TOKEN_KEY_SIZE];
  g_autoptr (GError) error = NULL;
  g_assert_true (vw_token_load_key (server->data_dir, key, &error));
  g_autoptr (VwTokenClaims) claims = vw_token_verify (key, token, after, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claims->username, ==, "wangfang");
  g_assert_cmpstr (claims->role, ==, "supervisor");
  g_assert_cmpint (claims->expires_at, ==, expires_at);

  /* The cookie carries the same token, for <video> elements only. */
  const char *set_cookie = soup_message_headers_get_one (headers, "Set-Cookie");
  g_assert_nonnull (set_cookie);
  g_assert_nonnull (strstr (set_cookie, "Max-Age=28800"));
  g_autoptr (GUri) origin = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  SoupCookie *cookie = soup_cookie_parse (set_cookie, origin);
  g_assert_nonnull (cookie);
  g_assert_cmpstr (soup_cookie_get_name (cookie), ==, "vw_token");
  g_assert_cmpstr (soup_cookie_get_value (cookie), ==, token);
  g_assert_cmpstr (soup_cookie_get_path (cookie), ==, "/api/");
  g_assert_true (soup_cookie_get_http_only (cookie));
  g_assert_cmpint (soup_cookie_get_same_site_policy (cookie), ==,
      SOUP_SAME_SITE_POLICY_STRICT);
  g_assert_false (soup_cookie_get_secure (cookie));   /* plain http here */
  soup_cookie_free (cookie);

  /* And vw_test_login gives a token of the agent. */
  g_autofree char *agent_token = vw_test_login (server, "zhangmin", ZHANGMIN_PASSWORD,
      &status);
  g_assert_cmpuint (status, ==, 200);
  g_autoptr (VwTokenClaims) agent = vw_token_verify (key, agent_token,
      g_get_real_time () / 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (agent->role, ==, "agent");
  g_assert_cmpstr (agent->scope, ==, "center");
}

typedef struct {
  const char *what;
  const char *username;
  const char *password;
} RefusedCase;

static const RefusedCase refused_cases[] = {
  { "wrong password", "zhangmin", "correct horse battery!" },
  { "another account's password", "zhangmin", WANGFANG_PASSWORD },
  { "empty password", "zhangmin", "" },
  { "unknown username", "zhaoliu", ZHANGMIN_PASSWORD },
  { "username in capitals", "ZHANGMIN", ZHANGMIN_PASSWORD },
  { "empty username", "", ZHANGMIN_PASSWORD },
  { "disabled account, right password", "lisi", LISI_PASSWORD },
  { "disabled account, wrong password", "lisi", "wrong" },
};

static void
test_login_refused (void)
{
  g_autofree char *first = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused_cases); i++) {
    const RefusedCase *c = &refused_cases[i];
    g_autoptr (JsonBuilder) b = json_builder_new ();
    guint status = 0;

    g_test_message ("case: %s", c->what);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "username");
    json_builder_add_string_value (b, c->username);
    json_builder_set_member_name (b, "password");
    json_builder_add_string_value (b, c->password);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    g_autofree char *request = json_to_string (root, FALSE);
    g_autoptr (SoupMessageHeaders) headers = NULL;
    g_autoptr (GBytes) body = login_raw (request, -1, &status, &headers);

    g_assert_cmpuint (status, ==, 401);
    assert_error_body (body, "unauthorized");
    g_assert_null (soup_message_headers_get_one (headers, "Set-Cookie"));
    /* The same body every time: no account enumeration. */
    g_autofree char *text = body_text (body);
    if (!first)
      first = g_strdup (text);
    g_assert_cmpstr (text, ==, first);
  }
}

static const char *const bad_bodies[] = {
  "",
  "not json",
  "[\"zhangmin\", \"" ZHANGMIN_PASSWORD "\"]",
  "\"zhangmin\"",
  "{\"username\": \"zhangmin\"}",
  "{\"password\": \"" ZHANGMIN_PASSWORD "\"}",
  "{\"username\": 1, \"password\": \"" ZHANGMIN_PASSWORD "\"}",
  "{\"username\": \"zhangmin\", \"password\": null}",
  "{\"username\": \"zhangmin\", \"password\": [\"" ZHANGMIN_PASSWORD "\"]}",
  "{\"username\": \"zhangmin\", \"password\": \"" ZHANGMIN_PASSWORD "\"",
  "{\"username\": \"zhangmin\", \"password\": \"\xff\xfe\"}",
  /* Found by fuzz/fuzz-api-body: json-glib took these, and leaked the
   * second value of the first. */
  "{\"username\": \"zhangmin\", \"password\": \"" ZHANGMIN_PASSWORD "\"}{}",
  "{'username': 'zhangmin', 'password': '" ZHANGMIN_PASSWORD "'}",
  "/* */ {\"username\": \"zhangmin\", \"password\": \"" ZHANGMIN_PASSWORD "\"}",
};

static void
test_login_bad_request (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_bodies); i++) {
    guint status = 0;

    /* Escaped: raw invalid UTF-8 in a TAP comment upsets meson's parser. */
    g_autofree char *shown = g_strescape (bad_bodies[i], NULL);
    g_test_message ("body: %s", shown);
    g_autoptr (GBytes) body = login_raw (bad_bodies[i], -1, &status, NULL);
    g_assert_cmpuint (status, ==, 400);
    assert_error_body (body, "bad-request");
  }
}

static void
test_login_method (void)
{
  const char *const methods[] = { "GET", "PUT", "DELETE", "PATCH" };
  g_autofree char *url = api_url ("api/login");

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
    g_autoptr (SoupMessageHeaders) headers = NULL;
    guint status = 0;

    g_test_message ("method %s", methods[i]);
    g_autoptr (GBytes) body = vw_test_http (methods[i], url, NULL, NULL, 0, &status,
        &headers);
    g_assert_cmpuint (status, ==, 405);
    assert_error_body (body, "method-not-allowed");
    g_assert_cmpstr (soup_message_headers_get_one (headers, "Allow"), ==, "POST");
  }
}

/* Signing out: the browser is told to drop its cookie at once; only POST. */
static void
test_logout (void)
{
  g_autofree char *url = api_url ("api/logout");
  g_autoptr (SoupMessageHeaders) headers = NULL;
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("POST", url, NULL, "{}", -1, &status, &headers);
  g_assert_cmpuint (status, ==, 200);
  const char *cookie = soup_message_headers_get_one (headers, "Set-Cookie");
  g_assert_nonnull (cookie);
  g_assert_true (g_str_has_prefix (cookie, "vw_token=;"));
  g_assert_nonnull (strstr (cookie, "Max-Age=0"));
  g_assert_nonnull (strstr (cookie, "HttpOnly"));
  g_autoptr (SoupMessageHeaders) get_headers = NULL;
  g_autoptr (GBytes) refused = vw_test_http ("GET", url, NULL, NULL, 0, &status, &get_headers);
  g_assert_cmpuint (status, ==, 405);
}

/* GET @path with "Authorization: Bearer @token": the status. */
static guint
get_with_token (const char *path, const char *token)
{
  g_autofree char *url = api_url (path);
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  const char *headers[] = { "Authorization", bearer, NULL };
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", url, headers, NULL, 0, &status, NULL);

  return status;
}

/* Signing out with a token voids it, and every other token the account
 * was given before (a copy, another tab); signing in again works. */
static void
test_logout_voids_tokens (void)
{
  guint status = 0;
  g_autofree char *first = vw_test_login (server, "wangfang", WANGFANG_PASSWORD, &status);
  g_autofree char *second = vw_test_login (server, "wangfang", WANGFANG_PASSWORD, &status);

  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpuint (get_with_token ("api/sessions", first), ==, 200);
  g_assert_cmpuint (get_with_token ("api/sessions", second), ==, 200);

  g_autofree char *url = api_url ("api/logout");
  g_autofree char *bearer = g_strconcat ("Bearer ", first, NULL);
  const char *headers[] = { "Authorization", bearer, NULL };
  g_autoptr (GBytes) out = vw_test_http ("POST", url, headers, "{}", -1, &status, NULL);
  g_assert_cmpuint (status, ==, 200);

  g_autofree char *sessions = api_url ("api/sessions");
  g_autoptr (SoupMessageHeaders) refused_headers = NULL;
  const char *old[] = { "Authorization", bearer, NULL };
  g_autoptr (GBytes) refused = vw_test_http ("GET", sessions, old, NULL, 0, &status,
      &refused_headers);
  g_assert_cmpuint (status, ==, 401);
  assert_error_body (refused, "unauthorized");
  g_autofree char *text = body_text (refused);
  g_assert_nonnull (strstr (text, "signed out"));
  g_assert_cmpuint (get_with_token ("api/sessions", second), ==, 401);

  g_autofree char *again = vw_test_login (server, "wangfang", WANGFANG_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (get_with_token ("api/sessions", again), ==, 200);
}

/* {"username": "zhangmin", "password": "wrong", "pad": "xxx..."} of
 * exactly @size bytes. */
static char *
padded_body (gsize size)
{
  const char *head = "{\"username\": \"zhangmin\", \"password\": \"wrong\", \"pad\": \"";
  gsize fixed = strlen (head) + strlen ("\"}");
  g_autofree char *pad = g_strnfill (size - fixed, 'x');
  char *body = g_strconcat (head, pad, "\"}", NULL);

  g_assert_cmpuint (strlen (body), ==, size);
  return body;
}

static void
test_login_too_large (void)
{
  guint status = 0;
  g_autofree char *at_limit = padded_body (64 * 1024);
  g_autofree char *over = padded_body (64 * 1024 + 1);
  g_autofree char *huge = padded_body (4 * 1024 * 1024);

  /* 64 KiB is still read (and the password is wrong). */
  g_autoptr (GBytes) a = login_raw (at_limit, -1, &status, NULL);
  g_assert_cmpuint (status, ==, 401);

  g_autoptr (GBytes) b = login_raw (over, -1, &status, NULL);
  g_assert_cmpuint (status, ==, 413);
  assert_error_body (b, "too-large");

  g_autoptr (GBytes) c = login_raw (huge, -1, &status, NULL);
  g_assert_cmpuint (status, ==, 413);
  assert_error_body (c, "too-large");

  /* Without Content-Length (chunked): refused as the chunks arrive. */
  g_autofree char *url = api_url ("api/login");
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data (huge,
      strlen (huge), NULL);
  soup_message_set_request_body (msg, "application/json", stream, -1);
  g_autoptr (GBytes) d = vw_test_http_message (msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
  assert_error_body (d, "too-large");

  /* The server is still fine. */
  g_autofree char *token = vw_test_login (server, "zhangmin", ZHANGMIN_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (token);
}

/* vw-admin changes what the running server accepts, at the next sign-in. */
static void
test_login_follows_admin (void)
{
  guint status = 0;
  char *token;

  g_assert_cmpint (vw_test_admin (server->data_dir, NULL, "enable", "--username", "lisi",
      NULL), ==, 0);
  token = vw_test_login (server, "lisi", LISI_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (token);

  /* wangfang's token, and a new password for her: signed in with the old
   * one, the token is void. */
  g_autofree char *before = vw_test_login (server, "wangfang", WANGFANG_PASSWORD, &status);
  g_assert_cmpuint (get_with_token ("api/sessions", before), ==, 200);
  g_assert_cmpint (vw_test_admin (server->data_dir, WANGFANG_PASSWORD,
      "set-password", "--username", "wangfang", NULL), ==, 0);
  g_assert_cmpuint (get_with_token ("api/sessions", before), ==, 401);
  g_autofree char *after = vw_test_login (server, "wangfang", WANGFANG_PASSWORD, &status);
  g_assert_cmpuint (get_with_token ("api/sessions", after), ==, 200);

  g_assert_cmpint (vw_test_admin (server->data_dir, "lisi's new password",
      "set-password", "--username", "lisi", NULL), ==, 0);
  token = vw_test_login (server, "lisi", LISI_PASSWORD, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (token);
  token = vw_test_login (server, "lisi", "lisi's new password", &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (token);

  g_assert_cmpint (vw_test_admin (server->data_dir, NULL, "disable", "--username", "lisi",
      NULL), ==, 0);
  token = vw_test_login (server, "lisi", "lisi's new password", &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (token);
}

/* ---- vw_api_authenticate in process ---- */

typedef struct {
  char *dir;
  VwStore *store;
  VwApiContext context;
  SoupServer *soup;
  char *url;           /* http://127.0.0.1:PORT/ */
} AuthFixture;

static const char *const supervisors[] = { "supervisor", NULL };

/* /t/supervisor: supervisors only; /t/any: any account. */
static void
on_test_path (SoupServer *soup, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  AuthFixture *f = user_data;
  gboolean any = g_str_equal (path, "/t/any");
  g_autoptr (VwTokenClaims) claims = vw_api_authenticate (&f->context, msg,
      any ? NULL : supervisors);

  if (!claims)
    return;
  g_autoptr (JsonObject) body = json_object_new ();
  json_object_set_string_member (body, "username", claims->username);
  json_object_set_string_member (body, "role", claims->role);
  vw_api_send_json (msg, SOUP_STATUS_OK, body);
}

static void
add_account (VwStore *store, const char *username, const char *role, gboolean disabled)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = {
    .username = (char *) username, .role = (char *) role, .name = (char *) "张敏",
    .province = (char *) "shanghai", .center = (char *) CENTER,
    .password_hash = (char *) "$y$j9T$not$used", .disabled = disabled,
    .created_at = g_get_real_time () / 1000,
  };

  g_assert_true (vw_store_add_account (store, &a, &error));
  g_assert_no_error (error);
}

static void
auth_setup (AuthFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = make_data_dir ();
  f->store = open_store (f->dir);
  add_account (f->store, "zhangmin", "agent", FALSE);
  add_account (f->store, "wangfang", "supervisor", FALSE);
  add_account (f->store, "lisi", "supervisor", TRUE);
  /* Signed out ten minutes ago: tokens given before are void. */
  add_account (f->store, "chenhao", "supervisor", FALSE);
  g_assert_true (vw_store_sign_out_account (f->store, "chenhao",
      g_get_real_time () / 1000 - 600 * 1000, &error));
  g_assert_no_error (error);
  f->context = (VwApiContext) { .store = f->store, .data_dir = f->dir,
    .token_lifetime_s = VW_TOKEN_DEFAULT_LIFETIME_S };
  g_assert_true (vw_token_load_key (f->dir, f->context.token_key, &error));

  f->soup = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->soup, "/t", on_test_path, f, NULL);
  g_assert_true (soup_server_listen_local (f->soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
      &error));
  g_assert_no_error (error);
  GSList *uris = soup_server_get_uris (f->soup);
  f->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
auth_teardown (AuthFixture *f, gconstpointer data)
{
  soup_server_disconnect (f->soup);
  g_object_unref (f->soup);
  vw_store_close (f->store);
  remove_data_dir (f->dir);
  g_free (f->url);
  g_free (f->dir);
}

typedef enum { NO_TOKEN, BEARER, BEARER_LOWERCASE, COOKIE, GARBAGE_BEARER_AND_COOKIE }
    Carrier;

/* GOOD: given a second ago; OLD: an hour ago, still current. */
typedef enum { GOOD, OLD, EXPIRED, OTHER_KEY, GARBAGE } TokenKind;

typedef struct {
  const char *what;
  Carrier carrier;
  const char *username;
  const char *role;       /* as signed */
  TokenKind kind;
  const char *path;
  guint status;
  const char *role_seen;  /* on 200: the role the handler got */
} AuthCase;

static const AuthCase auth_cases[] = {
  { "no token", NO_TOKEN, NULL, NULL, GOOD, "t/any", 401, NULL },
  { "supervisor, Bearer", BEARER, "wangfang", "supervisor", GOOD, "t/supervisor", 200,
    "supervisor" },
  { "supervisor, bearer in lower case", BEARER_LOWERCASE, "wangfang", "supervisor", GOOD,
    "t/supervisor", 200, "supervisor" },
  { "supervisor, cookie", COOKIE, "wangfang", "supervisor", GOOD, "t/supervisor", 200,
    "supervisor" },
  { "agent where supervisors only", BEARER, "zhangmin", "agent", GOOD, "t/supervisor",
    403, NULL },
  { "agent where any account", COOKIE, "zhangmin", "agent", GOOD, "t/any", 200, "agent" },
  { "a role claimed but not the account's", BEARER, "zhangmin", "supervisor", GOOD,
    "t/supervisor", 403, NULL },
  { "expired", BEARER, "wangfang", "supervisor", EXPIRED, "t/supervisor", 401, NULL },
  { "signed with another key", BEARER, "wangfang", "supervisor", OTHER_KEY,
    "t/supervisor", 401, NULL },
  { "garbage", BEARER, NULL, NULL, GARBAGE, "t/any", 401, NULL },
  { "garbage cookie", COOKIE, NULL, NULL, GARBAGE, "t/any", 401, NULL },
  { "the Bearer header comes first", GARBAGE_BEARER_AND_COOKIE, "wangfang", "supervisor",
    GOOD, "t/any", 401, NULL },
  { "disabled account", BEARER, "lisi", "supervisor", GOOD, "t/supervisor", 401, NULL },
  { "given before the account signed out", BEARER, "chenhao", "supervisor", OLD,
    "t/supervisor", 401, NULL },
  { "given after the account signed out", COOKIE, "chenhao", "supervisor", GOOD,
    "t/supervisor", 200, "supervisor" },
  { "no such account", BEARER, "zhaoliu", "supervisor", GOOD, "t/supervisor", 401, NULL },
};

static char *
make_token (AuthFixture *f, const AuthCase *c)
{
  static const guint8 other_key[VW_TOKEN_KEY_SIZE] = { 1, 2, 3 };
  gint64 now = g_get_real_time () / 1000;

  if (c->kind == GARBAGE || !c->username)   /* (not sent without a username) */
    return g_strdup ("v1.garbage.garbage");
  VwTokenClaims claims = {
    .username = (char *) c->username, .role = (char *) c->role, .name = (char *) "张敏",
    .province = (char *) "shanghai", .center = (char *) CENTER,
    .scope = (char *) "center", .issued_at = c->kind == OLD ? now - 3600 * 1000 : now - 1000,
    .expires_at = c->kind == EXPIRED ? now - 1 : now + 3600 * 1000,
  };
  return vw_token_sign (c->kind == OTHER_KEY ? other_key : f->context.token_key, &claims);
}

static void
test_authenticate (AuthFixture *f, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (auth_cases); i++) {
    const AuthCase *c = &auth_cases[i];
    g_autofree char *token = make_token (f, c);
    g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
    g_autofree char *lower = g_strconcat ("bearer ", token, NULL);
    g_autofree char *cookie = g_strconcat ("theme=dark; vw_token=", token, "; lang=zh",
        NULL);
    const char *headers[5] = { NULL };
    g_autoptr (SoupMessageHeaders) response_headers = NULL;
    guint status = 0;

    g_test_message ("case: %s", c->what);
    if (c->carrier == BEARER || c->carrier == BEARER_LOWERCASE) {
      headers[0] = "Authorization";
      headers[1] = c->carrier == BEARER ? bearer : lower;
    } else if (c->carrier == COOKIE) {
      headers[0] = "Cookie";
      headers[1] = cookie;
    } else if (c->carrier == GARBAGE_BEARER_AND_COOKIE) {
      headers[0] = "Authorization";
      headers[1] = "Bearer v1.garbage.garbage";
      headers[2] = "Cookie";
      headers[3] = cookie;
    }
    g_autofree char *url = g_strconcat (f->url, c->path, NULL);
    g_autoptr (GBytes) body = vw_test_http ("GET", url, headers, NULL, 0, &status,
        &response_headers);

    g_assert_cmpuint (status, ==, c->status);
    if (c->status == 200) {
      g_autoptr (JsonObject) o = vw_test_json_object (body);
      g_assert_cmpstr (json_object_get_string_member (o, "username"), ==, c->username);
      g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, c->role_seen);
    } else if (c->status == 401) {
      assert_error_body (body, "unauthorized");
      g_assert_nonnull (soup_message_headers_get_one (response_headers,
          "WWW-Authenticate"));
    } else {
      assert_error_body (body, "forbidden");
    }
  }
}

static void
test_audit (AuthFixture *f, gconstpointer data)
{
  g_autoptr (JsonObject) detail = json_object_new ();
  g_autoptr (GError) error = NULL;

  json_object_set_string_member (detail, "track", "t-3");
  g_assert_true (vw_api_audit (&f->context, "wangfang", "play-track", "s-1", detail));
  g_assert_true (vw_api_audit (&f->context, NULL, "purge", NULL, NULL));

  g_autoptr (GPtrArray) entries = vw_store_list_audit (f->store, 0, G_MAXINT64, NULL,
      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  VwStoreAuditEntry *e = entries->pdata[0];
  g_assert_cmpstr (e->actor, ==, "wangfang");
  g_assert_cmpstr (e->action, ==, "play-track");
  g_assert_cmpstr (e->session_id, ==, "s-1");
  g_assert_cmpstr (e->detail, ==, "{\"track\":\"t-3\"}");
  g_assert_cmpint (e->at, >, 0);
  g_assert_null (((VwStoreAuditEntry *) entries->pdata[1])->actor);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/admin/usage", test_admin_usage);
  g_test_add_func ("/admin/failures", test_admin_failures);
  g_test_add_func ("/admin/list", test_admin_list);
  g_test_add_func ("/admin/password-file", test_admin_password_file);
  g_test_add_func ("/login/ok", test_login_ok);
  g_test_add_func ("/login/refused", test_login_refused);
  g_test_add_func ("/login/bad-request", test_login_bad_request);
  g_test_add_func ("/login/method", test_login_method);
  g_test_add_func ("/login/logout", test_logout);
  g_test_add_func ("/login/logout-voids-tokens", test_logout_voids_tokens);
  g_test_add_func ("/login/too-large", test_login_too_large);
  g_test_add_func ("/login/follows-admin", test_login_follows_admin);
  g_test_add ("/authenticate/cases", AuthFixture, NULL, auth_setup, test_authenticate,
      auth_teardown);
  g_test_add ("/authenticate/audit", AuthFixture, NULL, auth_setup, test_audit,
      auth_teardown);

  /* One server with accounts for every /login/ test. */
  g_autofree char *dir = make_data_dir ();
  add_accounts (dir);
  server = vw_test_server_start_in (dir, NULL);
  int status = g_test_run ();
  /* Refusals are answers, never warnings or criticals of the server. */
  g_assert_null (strstr (server->log->str, "CRITICAL"));
  g_assert_null (strstr (server->log->str, "WARNING"));
  vw_test_server_stop (server);
  return status;
}
