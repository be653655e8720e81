/* vw-password.h: password hashes for accounts (agents, supervisors,
 * administrators), with libxcrypt.
 *
 * New hashes are yescrypt ("$y$..."), the memory-hard hash Debian uses for
 * /etc/shadow, with a fresh random salt each.  A hash is a plain string
 * that names its method and parameters, so that stronger settings later
 * still verify the hashes made now.  The plain text is never kept. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VW_PASSWORD_MIN_LENGTH 8      /* characters */
#define VW_PASSWORD_MAX_LENGTH 256    /* bytes */

#define VW_PASSWORD_ERROR (vw_password_error_quark ())
GQuark vw_password_error_quark (void);

typedef enum {
  VW_PASSWORD_ERROR_WEAK,      /* empty, shorter than VW_PASSWORD_MIN_LENGTH */
  VW_PASSWORD_ERROR_INVALID,   /* not UTF-8, or longer than VW_PASSWORD_MAX_LENGTH */
  VW_PASSWORD_ERROR_FAILED,    /* libxcrypt failed (no salt, no memory) */
} VwPasswordError;

/* (transfer full) a yescrypt hash of @password, or NULL with a
 * VW_PASSWORD_ERROR when @password may not be set (too short, not UTF-8,
 * too long) or hashing failed. */
char *vw_password_hash (const char *password, GError **error);

/* Whether @password matches @hash (as made by vw_password_hash): recomputes
 * the hash with @hash as the setting and compares in constant time.  FALSE
 * for a malformed hash or an over-long password, never an error. */
gboolean vw_password_verify (const char *password, const char *hash);

G_END_DECLS
