/* vw-api-sessions-private.h: what the supervisors' endpoint files share
 * (vw-api-sessions.c: the listing, a session's detail and reviews;
 * vw-api-session-json.c: SESSION and TRACK as JSON; vw-api-tracks.c: a
 * track's WebM; vw-api-sample.c: sampling and the audit log).  Internal to
 * the vwapi library; see server/API.md for the contract. */
#pragma once

#include "vw-api.h"
#include "vw-store-supervision.h"

G_BEGIN_DECLS

/* Roles allowed by the endpoints. */
extern const char *const vw_api_supervisor_roles[];   /* "supervisor" */
extern const char *const vw_api_viewer_roles[];       /* "agent", "supervisor" */

/* The sessions @claims may see: an agent's own, a supervisor's centre or
 * province.  @scope borrows the strings of @claims. */
void vw_api_scope_of (const VwTokenClaims *claims, VwStoreScope *scope);

/* Responds 500 `internal` after logging @what and @error. */
void vw_api_store_failed (SoupServerMessage *msg, const char *what, const GError *error);

/* Responds 400 `bad-request` with @message. */
void vw_api_bad_request (SoupServerMessage *msg, const char *message);
/* A query without a parameter outside @known (NULL-terminated; NULL: none
 * allowed); FALSE after responding 400 naming the first unknown one, so a
 * misspelt filter never silently lists everything. */
gboolean vw_api_check_query_names (SoupServerMessage *msg, GHashTable *query,
                                   const char *const *known);

/* Responds 404 `not-found`, the same for an unknown session and one out
 * of scope. */
void vw_api_no_session (SoupServerMessage *msg);

/* The value of query parameter @name, NULL if absent or empty. */
const char *vw_api_query_value (GHashTable *query, const char *name);

/* A date parameter (YYYY-MM-DD, CST) as unix ms of the day's start; with
 * @next_day, of the next day's start (an inclusive end).  FALSE after
 * responding 400 naming @name.  An absent parameter leaves @ms_out. */
gboolean vw_api_query_date (SoupServerMessage *msg, const char *name,
                            const char *value, gboolean next_day, gint64 *ms_out);

/* ---- JSON (vw-api-session-json.c) ---- */

/* SESSION of server/API.md, with "reviews" as a count.  (transfer full) */
JsonObject *vw_api_session_json (const VwStoreSessionSummary *summary);

/* SESSION plus "tracks", "snapshots", "events" and "reviews" (a list).
 * (transfer full) or NULL with a VW_STORE_ERROR. */
JsonObject *vw_api_session_detail_json (VwStore *store,
                                        const VwStoreSessionSummary *summary,
                                        GError **error);

/* @json_text (a JSON object as text, nullable) as a node: the object, or
 * null.  (transfer full) */
JsonNode *vw_api_json_text_node (const char *json_text);

/* ---- handlers in other files ---- */

/* GET /api/sessions/ID/tracks/TRACK.webm (vw-api-tracks.c). */
void vw_api_track_get (VwApiContext *context, SoupServerMessage *msg,
                       const VwTokenClaims *claims, const char *session_id,
                       const char *file_name);

/* POST /api/sample and GET /api/audit (vw-api-sample.c). */
void vw_api_sample_register (SoupServer *server, VwApiContext *context);

G_END_DECLS
