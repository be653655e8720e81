/* vw-api.h: the HTTP JSON API under /api/ (see server/API.md).
 *
 * Each group of endpoints lives in its own file (vw-api-auth.c: sign-in
 * and the authentication of requests; vw-api-sessions.c: the supervisors'
 * list, sample, play and review endpoints) and registers its handlers on
 * the SoupServer from vw_api_register().  Everything runs on the main
 * context. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "vw-store.h"
#include "vw-token.h"

G_BEGIN_DECLS

typedef struct {
  VwStore *store;                         /* borrowed */
  const char *data_dir;                   /* recordings live under it */
  guint8 token_key[VW_TOKEN_KEY_SIZE];
  guint token_lifetime_s;                 /* VW_TOKEN_DEFAULT_LIFETIME_S */
  /* Guessing (README, "Security: what is bounded"); 0: the default. */
  guint backoff_ms;      /* first wait after too many failures: 1000 */
  guint hash_workers;    /* threads checking passwords: 2 */
  guint hash_queue;      /* sign-ins waiting for them, beyond: 503 busy; 16 */
} VwApiContext;

/* Registers every /api/ handler except /api/status (the server's own). */
void vw_api_register (SoupServer *server, VwApiContext *context);

/* ---- shared by the endpoint files ---- */

/* Responds @status with the JSON object @body. */
void vw_api_send_json (SoupServerMessage *msg, guint status, JsonObject *body);
/* Responds @status with {"error": @code, "message": @message}. */
void vw_api_send_error (SoupServerMessage *msg, guint status, const char *code,
                        const char *message);

/* The account behind @msg (Bearer header first, else the vw_token cookie),
 * or NULL after responding 401 (no token, malformed, forged, expired, an
 * account that no longer exists or is disabled), 403 (a role not in
 * @roles, a NULL-terminated list; NULL allows every role) or 500 (the
 * store failed).  The role, name, province, centre and scope are the
 * account's as they are now, not as they were signed.  (transfer full) */
VwTokenClaims *vw_api_authenticate (VwApiContext *context, SoupServerMessage *msg,
                                    const char *const *roles);

/* Appends to the audit log; failures are logged, never hidden from the
 * caller: returns FALSE (and the handler answers 500). */
gboolean vw_api_audit (VwApiContext *context, const char *actor, const char *action,
                       const char *session_id, JsonObject *detail);

/* ---- the catalogue of service items (vw-api-catalogue.c) ---- */

/* Loads the catalogue file @path ({"items": [ITEM, ...]}, ITEM as in
 * server/API.md) into @store, creating or replacing each item; nothing is
 * written unless every item is valid.  Errors name the file, and the
 * line for JSON syntax errors or the item's position otherwise. */
gboolean vw_api_catalogue_load (VwStore *store, const char *path, guint *n_loaded,
                                GError **error);

G_END_DECLS
