/* vw-static.h: the web pages (web/) served by vw-server.
 *
 * Serves regular files under one directory, read-only: GET and HEAD only,
 * a fixed list of file types, nothing outside the directory (no "..", no
 * dot files, no symbolic link that leads out of it), every response with
 * `Cache-Control: no-cache`, `X-Content-Type-Options: nosniff` and a
 * Content-Security-Policy that allows nothing but the server itself (and
 * media from blob: URLs).  `/` is web/index.html.  Paths under /api/ and
 * /ws never reach a file: they answer the API's JSON 404.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _VwStatic VwStatic;

/* @web_dir must be an existing directory (resolved once, here).
 * (transfer full) NULL with @error if it is not. */
VwStatic *vw_static_new (const char *web_dir, GError **error);
void      vw_static_free (VwStatic *stat);

/* The resolved directory files are served from. */
const char *vw_static_get_root (VwStatic *stat);

/* Registers the catch-all handler ("/") on @server.  Register the /ws and
 * /api/ handlers too: longer paths win, whatever the order. */
void      vw_static_register (VwStatic *stat, SoupServer *server);

/* The file under @root that request path @path (as received, percent-encoded)
 * names, resolved and checked to stay inside @root; NULL if it names
 * nothing servable.  Exposed for the unit test. */
char     *vw_static_resolve (const char *root, const char *path);

/* "text/html; charset=utf-8" etc. for a file name, or NULL for a type that
 * is not served. */
const char *vw_static_content_type (const char *filename);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStatic, vw_static_free)

G_END_DECLS
