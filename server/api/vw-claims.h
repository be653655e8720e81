/* vw-claims.h: a verified token's claims against its account in the store,
 * the one check the HTTP API (vw_api_authenticate) and the WebSocket hello
 * (vw_hello_check_token) both make after vw_token_verify(). */
#pragma once

#include "vw-store-accounts.h"
#include "vw-token.h"

G_BEGIN_DECLS

/* Whether the account of @claims still takes the token, and if so brings
 * @claims up to date from it (role, name, province, centre and scope may
 * have changed since the token was signed: the store is the truth).
 * FALSE with VW_TOKEN_ERROR_REVOKED when the account is gone, disabled,
 * or signed out since the token was given (accounts.signed_out_at), or
 * with the store's error when it cannot be read. */
gboolean vw_claims_refresh (VwStore *store, VwTokenClaims *claims, GError **error);

G_END_DECLS
