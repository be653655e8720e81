/* vw-hello-auth.h: who may say hello as what.
 *
 * Agents and supervisors are accounts: their hello carries the token that
 * POST /api/login gave them, and the account (still existing, not
 * disabled, of that very role) supplies their name, province and centre.
 * Clerks and enterprises are guests and need none.  Errors are
 * VW_PROTOCOL_ERROR_UNAUTHORIZED (no token, malformed, forged, expired,
 * unknown or disabled account) or VW_PROTOCOL_ERROR_FORBIDDEN (a token of
 * another role). */
#pragma once

#include "vw-protocol.h"
#include "vw-store.h"
#include "vw-token.h"

G_BEGIN_DECLS

/* (transfer full) the claims of @token for @role, refreshed from the
 * account; NULL for a guest role (no error) or on error. */
VwTokenClaims *vw_hello_check_token (VwStore *store, const guint8 key[VW_TOKEN_KEY_SIZE],
                                     VwRole role, const char *token, GError **error);

/* Whether a supervisor with @claims may watch a session whose
 * participants are of @centers and @provinces (NULL-terminated). */
gboolean vw_hello_may_watch (const VwTokenClaims *claims, const char *const *centers,
                             const char *const *provinces);

G_END_DECLS
