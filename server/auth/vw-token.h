/* vw-token.h: signed, expiring bearer tokens for accounts (agents,
 * supervisors, administrators).
 *
 * A token is "v1." BASE64URL(JSON claims) "." BASE64URL(HMAC-SHA256(key,
 * "v1." BASE64URL(JSON claims))), no padding.  The key is 32 random bytes
 * kept in DATA_DIR/token.key (mode 0600), made on first start; replacing the
 * file signs everybody out (one account signs out by POST /api/logout: the
 * store's accounts.signed_out_at voids the tokens issued before it, checked
 * by the API and hello, not here).  Tokens are given by POST /api/login and carried
 * by the WebSocket `hello` (field `token`) and by the HTTP API
 * (`Authorization: Bearer TOKEN`, or the HttpOnly cookie `vw_token` that
 * /api/login sets, so that <video> elements can fetch recordings).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VW_TOKEN_KEY_SIZE 32
#define VW_TOKEN_DEFAULT_LIFETIME_S (8 * 3600)   /* one working day */

#define VW_TOKEN_ERROR (vw_token_error_quark ())
GQuark vw_token_error_quark (void);

typedef enum {
  VW_TOKEN_ERROR_MALFORMED,   /* not a token of ours at all */
  VW_TOKEN_ERROR_FORGED,      /* the signature does not match */
  VW_TOKEN_ERROR_EXPIRED,     /* signed by us, but too old */
  VW_TOKEN_ERROR_KEY,         /* the key file cannot be read or made */
  VW_TOKEN_ERROR_REVOKED,     /* ours and current, but its account no longer
                               * takes it (vw_claims_refresh, server/api) */
} VwTokenError;

typedef struct {
  char *username;
  char *role;          /* "agent", "supervisor" or "admin" */
  char *name;          /* display name, e.g. "张敏" */
  char *province;      /* e.g. "shanghai" */
  char *center;        /* e.g. "黄浦区政务服务中心" */
  char *scope;         /* supervisors: "center" or "province" */
  gint64 issued_at;    /* unix ms */
  gint64 expires_at;   /* unix ms */
} VwTokenClaims;

void           vw_token_claims_free (VwTokenClaims *claims);
VwTokenClaims *vw_token_claims_copy (const VwTokenClaims *claims);

/* Reads DATA_DIR/token.key, making it if missing: VW_TOKEN_KEY_SIZE bytes
 * from the kernel (getrandom(2); GLib's g_random is not a cryptographic
 * generator), mode 0600, written aside and linked into place so that two
 * processes starting at once end up with the same key.  A key file of the
 * wrong size or open to other users is refused (VW_TOKEN_ERROR_KEY).
 * @key_out gets VW_TOKEN_KEY_SIZE bytes. */
gboolean vw_token_load_key (const char *data_dir, guint8 key_out[VW_TOKEN_KEY_SIZE],
                            GError **error);

/* (transfer full) the token for @claims. */
char *vw_token_sign (const guint8 key[VW_TOKEN_KEY_SIZE], const VwTokenClaims *claims);

/* Checks @token's signature (constant-time compare) and expiry against
 * @now_ms (expired from expires_at on).  A token that is empty, longer than
 * 4 KiB, not "v1." or not canonical base64url is MALFORMED.  (transfer
 * full) the claims, or NULL with a VW_TOKEN_ERROR. */
VwTokenClaims *vw_token_verify (const guint8 key[VW_TOKEN_KEY_SIZE], const char *token,
                                gint64 now_ms, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwTokenClaims, vw_token_claims_free)

G_END_DECLS
