/* vw-login.h: signing in to vw-server's HTTP API (POST /api/login) for a
 * token to present in the WebSocket hello. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads the password from the first line of @password_file ("-": stdin),
 * signs in as @username at @server (http(s)://HOST:PORT/) and returns the
 * token (transfer full), or NULL with @error set (a wrong password is
 * G_IO_ERROR_PERMISSION_DENIED). */
char *vw_login (const char *server, const char *username, const char *password_file,
                GTlsDatabase *tls_database, GError **error);

G_END_DECLS
