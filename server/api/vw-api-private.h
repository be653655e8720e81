/* vw-api-private.h: what the endpoint files of the HTTP API share, inside
 * the vwapi library (see vw-api.h for the public side).
 *
 * Every endpoint file has one registration function, called from
 * vw_api_register() in vw-api.c; add yours to the list below and to the
 * marked spot there.  Handlers are added with vw_api_add_handler(), which
 * also refuses bodies over VW_API_MAX_BODY before they are kept. */
#pragma once

#include "vw-api.h"
#include "vw-log.h"

G_BEGIN_DECLS

#define VW_API_MAX_BODY (64 * 1024)   /* bytes; larger bodies get 413 */

/* ---- one registration function per endpoint file ---- */

/* vw-api-auth.c: POST /api/login. */
void vw_api_auth_register (SoupServer *server, VwApiContext *context);
/* vw-api-sessions.c: the supervisors' endpoints (sessions, sample, audit). */
void vw_api_sessions_register (SoupServer *server, VwApiContext *context);
/* vw-api-follow-ups.c: the follow-up (整改) of bad ratings. */
void vw_api_follow_ups_register (SoupServer *server, VwApiContext *context);
/* vw-api-stats.c: GET /api/stats. */
void vw_api_stats_register (SoupServer *server, VwApiContext *context);

/* vw-api-catalogue.c: the catalogue of service items. */
void vw_api_catalogue_register (SoupServer *server, VwApiContext *context);
/* vw-api-appointments.c: appointments (我要约): slots and bookings. */
void vw_api_appointments_register (SoupServer *server, VwApiContext *context);

/* ---- helpers for handlers ---- */

/* soup_server_add_handler() for @path with @context as user data, plus an
 * early handler that answers 413 to a body over VW_API_MAX_BODY (by
 * Content-Length, or as chunks arrive) and stops keeping it. */
void vw_api_add_handler (SoupServer *server, const char *path,
                         SoupServerCallback callback, VwApiContext *context);

/* TRUE if @msg uses @method; otherwise responds 405 (with Allow: @method). */
/* GET or HEAD (a HEAD is answered like its GET, without the body); FALSE
 * after responding 405 otherwise. */
gboolean vw_api_require_get (SoupServerMessage *msg);

/* @name: @value, or null when @value is NULL. */
void vw_api_set_nullable_string (JsonObject *o, const char *name, const char *value);

gboolean vw_api_require_method (SoupServerMessage *msg, const char *method);

/* (transfer full) the request body as a JSON object, or NULL after
 * responding 413 (too large) or 400 (not UTF-8, not JSON, not an
 * object). */
JsonObject *vw_api_read_json_object (SoupServerMessage *msg);

/* (transfer full) (nullable) the claims of the token @msg carries
 * (Authorization: Bearer, else the vw_token cookie) if it is ours and
 * current, without responding: for POST /api/logout. */
VwTokenClaims *vw_api_peek_token (VwApiContext *context, SoupServerMessage *msg);

G_END_DECLS
