/* vw-claims.c: a token's claims against its account (see vw-claims.h). */
#include "vw-claims.h"

static void
replace (char **field, const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

gboolean
vw_claims_refresh (VwStore *store, VwTokenClaims *claims, GError **error)
{
  g_return_val_if_fail (store != NULL && claims != NULL && claims->username != NULL, FALSE);

  g_autoptr (GError) local = NULL;
  g_autoptr (VwStoreAccount) account = vw_store_get_account (store, claims->username, &local);

  if (!account && !g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  const char *why = !account ? "the account no longer exists"
      : account->disabled ? "the account is disabled"
      : claims->issued_at < account->signed_out_at
      ? "signed out since this token was given; sign in again" : NULL;
  if (why) {
    g_set_error_literal (error, VW_TOKEN_ERROR, VW_TOKEN_ERROR_REVOKED, why);
    return FALSE;
  }
  replace (&claims->role, account->role);
  replace (&claims->name, account->name);
  replace (&claims->province, account->province);
  replace (&claims->center, account->center);
  replace (&claims->scope, account->scope);
  return TRUE;
}
