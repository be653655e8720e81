/* test-static: the web pages served by vw-server (server/vw-static.c):
 * which request paths name which files, and what an HTTP client gets
 * (types, security headers, methods, /api/ kept for the API). */
#include <locale.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "vw-static.h"

typedef struct {
  char *tmp;     /* a scratch directory */
  char *root;    /* tmp/web, resolved */
  char *outside; /* tmp/secret.html */
} Fixture;

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->tmp = g_dir_make_tmp ("vw-static-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *web = g_build_filename (f->tmp, "web", NULL);
  g_autofree char *sub = g_build_filename (web, "sub", NULL);
  g_autofree char *dot = g_build_filename (web, ".git", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (dot, 0755), ==, 0);
  g_autofree char *p = NULL;
#define FILE_AT(rel, text) \
  (g_free (p), p = g_build_filename (web, rel, NULL), write_file (p, text))
  FILE_AT ("index.html", "<!DOCTYPE html><title>首页</title>");
  FILE_AT ("app.js", "export const x = 1;\n");
  FILE_AT ("style.css", "body{}\n");
  FILE_AT ("icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
  FILE_AT ("data.json", "{}");
  FILE_AT ("font.woff2", "wOF2");
  FILE_AT ("pic.png", "\x89PNG");
  FILE_AT ("notes.md", "# not served\n");
  FILE_AT ("sub/page.html", "<p>sub</p>");
  FILE_AT ("sub/index.html", "<p>sub index</p>");
  FILE_AT (".git/config.json", "{}");
  FILE_AT ("文件 名.html", "<p>中文</p>");
#undef FILE_AT
  f->outside = g_build_filename (f->tmp, "secret.html", NULL);
  write_file (f->outside, "<p>secret</p>");
  /* A link out of the root, and one that stays inside. */
  g_free (p);
  p = g_build_filename (web, "escape.html", NULL);
  g_assert_cmpint (symlink (f->outside, p), ==, 0);
  g_free (p);
  p = g_build_filename (web, "outdir", NULL);
  g_assert_cmpint (symlink (f->tmp, p), ==, 0);
  g_free (p);
  p = g_build_filename (web, "alias.html", NULL);
  g_assert_cmpint (symlink ("sub/page.html", p), ==, 0);

  g_autoptr (VwStatic) s = vw_static_new (web, &error);
  g_assert_no_error (error);
  f->root = g_strdup (vw_static_get_root (s));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->tmp);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->tmp);
  g_free (f->root);
  g_free (f->outside);
}

static void
assert_resolves (Fixture *f, const char *path, const char *rel)
{
  g_autofree char *got = vw_static_resolve (f->root, path);
  if (!rel) {
    if (got)
      g_error ("%s resolved to %s, expected nothing", path, got);
    return;
  }
  g_autofree char *want = g_build_filename (f->root, rel, NULL);
  if (!got)
    g_error ("%s resolved to nothing, expected %s", path, want);
  g_assert_cmpstr (got, ==, want);
}

/* Paths inside the root name their files; "/" and "dir/" their index. */
static void
test_resolve_inside (Fixture *f, gconstpointer data)
{
  assert_resolves (f, "/", "index.html");
  assert_resolves (f, "/index.html", "index.html");
  assert_resolves (f, "//index.html", "index.html");
  assert_resolves (f, "/./app.js", "app.js");
  assert_resolves (f, "/sub/page.html", "sub/page.html");
  assert_resolves (f, "/sub/", "sub/index.html");
  assert_resolves (f, "/%E6%96%87%E4%BB%B6%20%E5%90%8D.html", "文件 名.html");
  /* A link that stays inside is followed. */
  assert_resolves (f, "/alias.html", "sub/page.html");
  /* ... even through a link that leaves the root and comes back. */
  assert_resolves (f, "/outdir/web/app.js", "app.js");
}

/* Nothing outside the root, no dot files, no unknown types, no directories. */
static void
test_resolve_refused (Fixture *f, gconstpointer data)
{
  const char *refused[] = {
    "/../secret.html", "/sub/../../secret.html", "/sub/../index.html",
    "/%2e%2e/secret.html", "/%2E%2E/secret.html", "/sub/%2e%2e/%2e%2e/secret.html",
    "/..%2fsecret.html", "/sub%2f..%2f..%2fsecret.html", "/..\\secret.html",
    "/escape.html", "/outdir/secret.html", "/outdir/web/.git/config.json",
    "/.git/config.json", "/%2egit/config.json", "/sub/.hidden.html",
    "/notes.md", "/sub", "/missing.html", "/index.html%00.png", "/%ff.html",
    "index.html", "", "/%", "/%zz.html",
  };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    assert_resolves (f, refused[i], NULL);
  g_assert_null (vw_static_resolve (NULL, "/"));
  g_assert_null (vw_static_resolve (f->root, NULL));
}

static void
test_content_types (void)
{
  g_assert_cmpstr (vw_static_content_type ("a.html"), ==, "text/html; charset=utf-8");
  g_assert_cmpstr (vw_static_content_type ("a.js"), ==, "text/javascript; charset=utf-8");
  g_assert_cmpstr (vw_static_content_type ("a.css"), ==, "text/css; charset=utf-8");
  g_assert_cmpstr (vw_static_content_type ("a.svg"), ==, "image/svg+xml");
  g_assert_cmpstr (vw_static_content_type ("a.png"), ==, "image/png");
  g_assert_cmpstr (vw_static_content_type ("a.json"), ==, "application/json");
  g_assert_cmpstr (vw_static_content_type ("a.woff2"), ==, "font/woff2");
  g_assert_null (vw_static_content_type ("a.md"));
  g_assert_null (vw_static_content_type ("a.html~"));
  g_assert_null (vw_static_content_type (".html"));
  g_assert_null (vw_static_content_type ("Makefile"));
}

static void
test_new_refuses_missing (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStatic) s = vw_static_new ("/nonexistent/vw-web", &error);
  g_assert_null (s);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_autoptr (VwStatic) s2 = vw_static_new ("/etc/hostname", &error);
  g_assert_null (s2);
  g_assert_nonnull (error);
}

/* ---- over HTTP ---- */

typedef struct {
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  gboolean done;
} Reply;

static void
on_reply (GObject *source, GAsyncResult *res, gpointer data)
{
  Reply *r = data;
  g_autoptr (GError) error = NULL;
  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &error);
  g_assert_no_error (error);
  r->done = TRUE;
}

static Reply
request (SoupSession *session, const char *method, const char *base, const char *path,
    const char *header, const char *value)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  /* Parsed raw (encoded, dot segments kept) as a hostile client sends it. */
  g_autoptr (GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS | G_URI_FLAGS_PARSE_RELAXED, NULL);
  g_assert_nonnull (uri);
  g_autoptr (SoupMessage) msg = soup_message_new_from_uri (method, uri);
  if (header)
    soup_message_headers_replace (soup_message_get_request_headers (msg), header, value);
  Reply r = { 0 };
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_reply, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  r.status = soup_message_get_status (msg);
  r.headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return r;
}

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->body, g_bytes_unref);
}

static void
on_api (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer data)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{\"api\":true}", 12);
}

static void
test_http (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStatic) s = vw_static_new (f->root, &error);
  g_assert_no_error (error);
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, "/api/status", on_api, NULL, NULL);
  vw_static_register (s, server);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  GSList *uris = soup_server_get_uris (server);
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_autoptr (SoupSession) session = soup_session_new ();

  Reply r = request (session, "GET", base, "/", NULL, NULL);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (r.headers, NULL), ==, "text/html");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Cache-Control"), ==, "no-cache");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "X-Content-Type-Options"), ==, "nosniff");
  const char *csp = soup_message_headers_get_one (r.headers, "Content-Security-Policy");
  g_assert_nonnull (csp);
  g_assert_true (g_str_has_prefix (csp, "default-src 'self';"));
  g_assert_nonnull (strstr (csp, "media-src 'self' blob:"));
  g_assert_null (strstr (csp, "unsafe"));
  g_assert_null (strstr (csp, "*"));
  g_assert_cmpmem (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body),
      "<!DOCTYPE html><title>首页</title>", strlen ("<!DOCTYPE html><title>首页</title>"));
  g_autofree char *etag = g_strdup (soup_message_headers_get_one (r.headers, "ETag"));
  g_assert_nonnull (etag);
  reply_clear (&r);

  const struct { const char *path; const char *type; } typed[] = {
    { "/app.js", "text/javascript" }, { "/style.css", "text/css" },
    { "/icon.svg", "image/svg+xml" }, { "/data.json", "application/json" },
    { "/font.woff2", "font/woff2" }, { "/pic.png", "image/png" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++) {
    r = request (session, "GET", base, typed[i].path, NULL, NULL);
    g_assert_cmpuint (r.status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_content_type (r.headers, NULL), ==, typed[i].type);
    reply_clear (&r);
  }

  /* Revalidation. */
  r = request (session, "GET", base, "/index.html", "If-None-Match", etag);
  g_assert_cmpuint (r.status, ==, 304);
  reply_clear (&r);

  /* HEAD: the headers, no body. */
  r = request (session, "HEAD", base, "/app.js", NULL, NULL);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (r.headers, NULL), ==, "text/javascript");
  g_assert_cmpuint (g_bytes_get_size (r.body), ==, 0);
  reply_clear (&r);

  /* Read-only. */
  const char *methods[] = { "POST", "PUT", "DELETE", "PATCH" };
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
    r = request (session, methods[i], base, "/index.html", NULL, NULL);
    g_assert_cmpuint (r.status, ==, 405);
    g_assert_cmpstr (soup_message_headers_get_one (r.headers, "Allow"), ==, "GET, HEAD");
    reply_clear (&r);
  }

  /* Traversal over the wire. */
  const char *bad[] = { "/../secret.html", "/%2e%2e/secret.html", "/escape.html",
    "/outdir/secret.html", "/.git/config.json", "/notes.md", "/nothing.html" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    r = request (session, "GET", base, bad[i], NULL, NULL);
    if (r.status != 404 && r.status != 400)
      g_error ("%s answered %u", bad[i], r.status);
    g_assert_null (g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "secret"));
    reply_clear (&r);
  }

  /* /api/ belongs to the API: its handlers win, the rest is its JSON 404. */
  r = request (session, "GET", base, "/api/status", NULL, NULL);
  g_assert_cmpuint (r.status, ==, 200);
  reply_clear (&r);
  r = request (session, "GET", base, "/api/index.html", NULL, NULL);
  g_assert_cmpuint (r.status, ==, 404);
  g_assert_cmpstr (soup_message_headers_get_content_type (r.headers, NULL), ==, "application/json");
  reply_clear (&r);
  r = request (session, "POST", base, "/api/nothing", NULL, NULL);
  g_assert_cmpuint (r.status, ==, 404);
  g_assert_cmpstr (soup_message_headers_get_content_type (r.headers, NULL), ==, "application/json");
  reply_clear (&r);

  soup_server_disconnect (server);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/static/resolve-inside", Fixture, NULL, fixture_setup, test_resolve_inside, fixture_teardown);
  g_test_add ("/static/resolve-refused", Fixture, NULL, fixture_setup, test_resolve_refused, fixture_teardown);
  g_test_add_func ("/static/content-types", test_content_types);
  g_test_add_func ("/static/missing-root", test_new_refuses_missing);
  g_test_add ("/static/http", Fixture, NULL, fixture_setup, test_http, fixture_teardown);
  return g_test_run ();
}
