/* test-ranges.c: Range requests for the web pages of a real vw-server
 * (--web-dir): every row of range-table.c, then an empty file and HEAD.
 * A track of a recording goes through the same table in test-supervision. */
#include "range-table.h"
#include "vw-test-util.h"

#include <glib/gstdio.h>

#define PAGE_SIZE 4000

typedef struct {
  VwTestServer *server;
  char *web_dir;
} World;

static World w;

typedef struct {
  const char *method;
  const char *path;
} Target;

static GBytes *
fetch (const char *range, const char *if_range, guint *status,
    SoupMessageHeaders **headers, gpointer data)
{
  const Target *t = data;
  g_autofree char *url = g_strconcat (w.server->url, t->path + 1, NULL);
  const char *h[5] = { NULL };
  guint n = 0;

  if (range) {
    h[n++] = "Range";
    h[n++] = range;
  }
  if (if_range) {
    h[n++] = "If-Range";
    h[n++] = if_range;
  }
  return vw_test_http (t->method, url, h, NULL, -1, status, headers);
}

static void
test_page (void)
{
  Target page = { "GET", "/page.html" };
  SoupMessageHeaders *headers = NULL;
  guint status = 0;
  g_autoptr (GBytes) whole = fetch (NULL, NULL, &status, &headers, &page);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (whole), ==, PAGE_SIZE);
  g_autofree char *etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  g_assert_nonnull (etag);
  soup_message_headers_unref (headers);
  range_table_check (fetch, &page, whole, etag);
}

/* Nothing can be satisfied in an empty file but a suffix, which is all of
 * it: nothing. */
static void
test_empty (void)
{
  Target empty = { "GET", "/empty.txt" };
  SoupMessageHeaders *headers = NULL;
  guint status = 0;

  g_autoptr (GBytes) a = fetch ("bytes=0-", NULL, &status, &headers, &empty);
  g_assert_cmpuint (status, ==, 416);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Content-Range"), ==,
      "bytes */0");
  g_clear_pointer (&headers, soup_message_headers_unref);

  g_autoptr (GBytes) b = fetch ("bytes=-5", NULL, &status, &headers, &empty);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (b), ==, 0);
  g_assert_null (soup_message_headers_get_one (headers, "Content-Range"));
  g_clear_pointer (&headers, soup_message_headers_unref);
}

/* HEAD describes the whole page whatever the Range. */
static void
test_head (void)
{
  Target head = { "HEAD", "/page.html" };
  SoupMessageHeaders *headers = NULL;
  guint status = 0;
  const char *ranges[] = { "bytes=0-0", "bytes=" "99999999999999999999" "-" };

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++) {
    g_autoptr (GBytes) body = fetch (ranges[i], NULL, &status, &headers, &head);
    g_assert_cmpuint (status, ==, 200);
    g_assert_null (soup_message_headers_get_one (headers, "Content-Range"));
    g_assert_cmpint (soup_message_headers_get_content_length (headers), ==, PAGE_SIZE);
    g_clear_pointer (&headers, soup_message_headers_unref);
  }
}

static void
world_start (void)
{
  g_autoptr (GError) error = NULL;
  w.web_dir = g_dir_make_tmp ("vw-ranges-XXXXXX", &error);
  g_assert_no_error (error);

  /* Bytes that differ from place to place, so a wrong offset shows. */
  g_autoptr (GString) page = g_string_new ("<!DOCTYPE html><title>办事指南</title>\n");
  for (guint i = 0; page->len < PAGE_SIZE; i++)
    g_string_append_printf (page, "%u,", i * 7919 % 10007);
  g_string_truncate (page, PAGE_SIZE);
  g_autofree char *page_path = g_build_filename (w.web_dir, "page.html", NULL);
  g_autofree char *empty_path = g_build_filename (w.web_dir, "empty.txt", NULL);
  g_assert_true (g_file_set_contents (page_path, page->str, page->len, NULL));
  g_assert_true (g_file_set_contents (empty_path, "", 0, NULL));

  w.server = vw_test_server_start ((const char *[]) { "--web-dir", w.web_dir, NULL });
}

static void
world_stop (void)
{
  vw_test_server_stop (w.server);
  g_autofree char *page_path = g_build_filename (w.web_dir, "page.html", NULL);
  g_autofree char *empty_path = g_build_filename (w.web_dir, "empty.txt", NULL);
  g_unlink (page_path);
  g_unlink (empty_path);
  g_rmdir (w.web_dir);
  g_free (w.web_dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ranges/page", test_page);
  g_test_add_func ("/ranges/empty", test_empty);
  g_test_add_func ("/ranges/head", test_head);
  world_start ();
  int status = g_test_run ();
  world_stop ();
  return status;
}
