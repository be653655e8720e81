/* vw-static.c: the web pages, read-only, from one directory.  See vw-static.h. */
#include "vw-static.h"
#include "vw-range.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages, scripts, styles, icons and fonts: nothing this large is ours. */
#define MAX_FILE_SIZE (32 * 1024 * 1024)

/* Only the server itself; media also from blob: (recordings fetched as
 * blobs).  'self' covers ws:// to the same host and port in current
 * browsers (CSP level 3), which the browser client will need. */
static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; media-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

struct _VwStatic {
  char *root;   /* realpath of the web directory, no trailing '/' */
};

static const struct {
  const char *suffix;
  const char *type;
} types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".mjs", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".json", "application/json" },
  { ".woff2", "font/woff2" },
  { ".ico", "image/x-icon" },
  { ".txt", "text/plain; charset=utf-8" },
};

const char *
vw_static_content_type (const char *filename)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (filename, types[i].suffix)
        && strlen (filename) > strlen (types[i].suffix))
      return types[i].type;
  return NULL;
}

VwStatic *
vw_static_new (const char *web_dir, GError **error)
{
  char *real = realpath (web_dir, NULL);
  struct stat st;
  if (!real || stat (real, &st) != 0 || !S_ISDIR (st.st_mode)) {
    int errsv = real ? ENOTDIR : errno;
    free (real);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
        "web directory %s: %s", web_dir, g_strerror (errsv));
    return NULL;
  }
  VwStatic *stat_ = g_new0 (VwStatic, 1);
  /* "/" as the root would make the prefix check below "//": keep it as is. */
  stat_->root = g_strdup (real);
  free (real);
  return stat_;
}

void
vw_static_free (VwStatic *stat_)
{
  if (!stat_)
    return;
  g_free (stat_->root);
  g_free (stat_);
}

const char *
vw_static_get_root (VwStatic *stat_)
{
  return stat_->root;
}

char *
vw_static_resolve (const char *root, const char *path)
{
  if (!root || !path || path[0] != '/' || strchr (path, '\\'))
    return NULL;

  g_auto (GStrv) raw = g_strsplit (path, "/", -1);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; raw[i]; i++) {
    if (raw[i][0] == '\0')
      continue;
    /* NULL for a bad escape or an escaped '/'; an escaped NUL also fails. */
    char *seg = g_uri_unescape_string (raw[i], "/");
    if (!seg || !g_utf8_validate (seg, -1, NULL) || strchr (seg, '\\')) {
      g_free (seg);
      return NULL;
    }
    if (g_str_equal (seg, ".")) {
      g_free (seg);
      continue;
    }
    /* "..", and dot files (.git, editors' back-ups): never. */
    if (seg[0] == '.') {
      g_free (seg);
      return NULL;
    }
    g_ptr_array_add (parts, seg);
  }
  if (parts->len == 0 || g_str_has_suffix (path, "/"))
    g_ptr_array_add (parts, g_strdup ("index.html"));
  if (!vw_static_content_type (g_ptr_array_index (parts, parts->len - 1)))
    return NULL;

  g_ptr_array_insert (parts, 0, g_strdup (root));
  g_ptr_array_add (parts, NULL);
  g_autofree char *joined = g_build_filenamev ((char **) parts->pdata);
  if (strlen (joined) >= PATH_MAX)
    return NULL;

  /* Symbolic links are followed, but only to somewhere inside the root. */
  char *real = realpath (joined, NULL);
  if (!real)
    return NULL;
  gboolean inside = g_str_equal (root, "/")
      || (g_str_has_prefix (real, root) && real[strlen (root)] == '/');
  struct stat st;
  if (!inside || stat (real, &st) != 0 || !S_ISREG (st.st_mode)) {
    free (real);
    return NULL;
  }
  char *result = g_strdup (real);
  free (real);
  return result;
}

static void
set_common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_message_headers_replace (h, "Content-Security-Policy", csp);
  soup_message_headers_replace (h, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (h, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (h, "X-Frame-Options", "DENY");
}

static void
respond_text (SoupServerMessage *msg, guint status, const char *text)
{
  set_common_headers (msg);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8",
      SOUP_MEMORY_COPY, text, strlen (text));
}

/* The API's error shape (server/API.md), for paths under /api/ that no API
 * handler claimed. */
static void
respond_api_not_found (SoupServerMessage *msg)
{
  static const char body[] =
      "{\"error\":\"not-found\",\"message\":\"no such endpoint\"}";
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
      body, strlen (body));
}

static gboolean
is_reserved (const char *path)
{
  return g_str_equal (path, "/api") || g_str_has_prefix (path, "/api/")
      || g_str_equal (path, "/ws") || g_str_has_prefix (path, "/ws/");
}

/* Reads @file (already resolved) without following a link swapped in since. */
static GBytes *
read_file (const char *file, struct stat *st)
{
  int fd = open (file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  if (fstat (fd, st) != 0 || !S_ISREG (st->st_mode) || st->st_size > MAX_FILE_SIZE) {
    close (fd);
    return NULL;
  }
  gsize size = st->st_size;
  char *data = g_malloc (size ? size : 1);
  gsize done = 0;
  while (done < size) {
    ssize_t n = read (fd, data + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += n;
  }
  close (fd);
  if (done != size) {
    g_free (data);
    return NULL;
  }
  return g_bytes_new_take (data, size);
}

static gboolean
etag_matches (const char *if_none_match, const char *etag)
{
  if (!if_none_match)
    return FALSE;
  g_auto (GStrv) tags = g_strsplit (if_none_match, ",", -1);
  for (guint i = 0; tags[i]; i++) {
    const char *t = g_strstrip (tags[i]);
    if (g_str_equal (t, "*") || g_str_equal (t, etag))
      return TRUE;
  }
  return FALSE;
}

static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  VwStatic *stat_ = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (is_reserved (path)) {
    respond_api_not_found (msg);
    return;
  }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
        "Allow", "GET, HEAD");
    respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed\n");
    return;
  }

  g_autofree char *file = vw_static_resolve (stat_->root, path);
  struct stat st;
  g_autoptr (GBytes) body = file ? read_file (file, &st) : NULL;
  if (!body) {
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "not found\n");
    return;
  }

  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
      "-%ld\"", (gint64) st.st_size, (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  set_common_headers (msg);
  soup_message_headers_replace (h, "ETag", etag);
  if (etag_matches (soup_message_headers_get_one (
          soup_server_message_get_request_headers (msg), "If-None-Match"), etag)) {
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
    return;
  }
  soup_message_headers_replace (h, "Content-Type", vw_static_content_type (file));
  vw_range_respond (msg, body, etag);
}

void
vw_static_register (VwStatic *stat_, SoupServer *server)
{
  soup_server_add_handler (server, "/", on_request, stat_, NULL);
}
