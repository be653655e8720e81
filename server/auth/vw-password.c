/* vw-password.c: yescrypt password hashes through libxcrypt (see
 * vw-password.h). */
#include "vw-password.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define YESCRYPT_PREFIX "$y$"

/* libxcrypt refuses passphrases of CRYPT_MAX_PASSPHRASE_SIZE bytes or more. */
G_STATIC_ASSERT (VW_PASSWORD_MAX_LENGTH < CRYPT_MAX_PASSPHRASE_SIZE);

G_DEFINE_QUARK (vw-password-error-quark, vw_password_error)

static gboolean
check_new_password (const char *password, GError **error)
{
  gsize len = strlen (password);

  if (len > VW_PASSWORD_MAX_LENGTH || !g_utf8_validate (password, len, NULL)) {
    g_set_error (error, VW_PASSWORD_ERROR, VW_PASSWORD_ERROR_INVALID,
        "a password must be UTF-8 text of at most %d bytes", VW_PASSWORD_MAX_LENGTH);
    return FALSE;
  }
  if (g_utf8_strlen (password, len) < VW_PASSWORD_MIN_LENGTH) {
    g_set_error (error, VW_PASSWORD_ERROR, VW_PASSWORD_ERROR_WEAK,
        "a password needs at least %d characters", VW_PASSWORD_MIN_LENGTH);
    return FALSE;
  }
  return TRUE;
}

/* crypt_rn into a scratch area that is wiped afterwards (it held the
 * password's intermediate state).  (transfer full) or NULL. */
static char *
crypt_dup (const char *password, const char *setting)
{
  struct crypt_data *data = g_new0 (struct crypt_data, 1);
  const char *out = crypt_rn (password, setting, data, sizeof *data);
  char *result = out && out[0] != '*' ? g_strdup (out) : NULL;

  explicit_bzero (data, sizeof *data);
  g_free (data);
  return result;
}

char *
vw_password_hash (const char *password, GError **error)
{
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_new_password (password, error))
    return NULL;

  /* count 0: libxcrypt's default cost; NULL: it draws the salt itself
   * from the kernel (getrandom). */
  char *setting = crypt_gensalt_ra (YESCRYPT_PREFIX, 0, NULL, 0);
  if (!setting) {
    int errsv = errno;
    g_set_error (error, VW_PASSWORD_ERROR, VW_PASSWORD_ERROR_FAILED,
        "cannot make a yescrypt salt: %s", g_strerror (errsv));
    return NULL;
  }
  char *hash = crypt_dup (password, setting);
  free (setting);
  if (!hash)
    g_set_error_literal (error, VW_PASSWORD_ERROR, VW_PASSWORD_ERROR_FAILED,
        "yescrypt failed");
  return hash;
}

/* Equal strings, in time that depends on their length only. */
static gboolean
equal_constant_time (const char *a, const char *b)
{
  gsize len = strlen (a);
  guint8 diff = 0;

  if (len != strlen (b))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];
  return diff == 0;
}

gboolean
vw_password_verify (const char *password, const char *hash)
{
  g_return_val_if_fail (password != NULL && hash != NULL, FALSE);

  if (hash[0] != '$' || strlen (password) > VW_PASSWORD_MAX_LENGTH)
    return FALSE;   /* not a modern crypt hash (DES, "*", "!"), or abuse */

  g_autofree char *computed = crypt_dup (password, hash);
  return computed && equal_constant_time (computed, hash);
}
