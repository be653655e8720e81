/* vw-hello-auth.c: tokens in the WebSocket hello (see vw-hello-auth.h). */
#include "vw-hello-auth.h"
#include "vw-claims.h"

static gboolean
refuse (GError **error, VwProtocolError code, const char *message)
{
  g_set_error_literal (error, VW_PROTOCOL_ERROR, code, message);
  return FALSE;
}

VwTokenClaims *
vw_hello_check_token (VwStore *store, const guint8 key[VW_TOKEN_KEY_SIZE],
    VwRole role, const char *token, GError **error)
{
  g_return_val_if_fail (store != NULL && key != NULL, NULL);
  if (role == VW_ROLE_CLERK)
    return NULL;
  if (!token) {
    refuse (error, VW_PROTOCOL_ERROR_UNAUTHORIZED,
        "agents and supervisors sign in first: hello needs the token of POST /api/login");
    return NULL;
  }
  g_autoptr (GError) token_error = NULL;
  g_autoptr (VwTokenClaims) claims = vw_token_verify (key, token,
      g_get_real_time () / 1000, &token_error);
  if (!claims) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNAUTHORIZED,
        "the token is not valid: %s", token_error->message);
    return NULL;
  }
  /* The store is the truth: a centre changed since signing in counts. */
  g_autoptr (GError) account_error = NULL;
  if (!vw_claims_refresh (store, claims, &account_error)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNAUTHORIZED,
        "the token is not valid: %s", account_error->message);
    return NULL;
  }
  if (!g_str_equal (claims->role, vw_role_to_string (role))) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_FORBIDDEN,
        "the account is a %s's, not a %s's", claims->role, vw_role_to_string (role));
    return NULL;
  }
  return g_steal_pointer (&claims);
}

static gboolean
contains (const char *const *list, const char *value)
{
  for (guint i = 0; list && list[i]; i++)
    if (value && g_str_equal (list[i], value))
      return TRUE;
  return FALSE;
}

gboolean
vw_hello_may_watch (const VwTokenClaims *claims, const char *const *centers,
    const char *const *provinces)
{
  g_return_val_if_fail (claims != NULL, FALSE);
  if (g_strcmp0 (claims->role, "supervisor") != 0)
    return FALSE;
  if (g_strcmp0 (claims->scope, "province") == 0)
    return contains (provinces, claims->province);
  return contains (centers, claims->center);
}
