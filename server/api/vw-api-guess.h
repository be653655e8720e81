/* vw-api-guess.h: what the endpoints that take a secret from anyone
 * (sign-in, vw-api-auth.c; booking codes, vw-api-appointments.c) share
 * against guessing: a throttle kept on the server, the key of a remote
 * address, and the 429 answer.  Main context only. */
#pragma once

#include "vw-api.h"
#include "vw-throttle.h"

G_BEGIN_DECLS

/* Keys kept per throttle at most (each a few dozen bytes). */
#define VW_API_GUESS_MAX_KEYS 10000
/* A key quiet for this long is forgotten (vw-throttle.h). */
#define VW_API_GUESS_FORGET_MS (60 * 60 * G_GINT64_CONSTANT (1000))
/* The longest wait. */
#define VW_API_GUESS_MAX_DELAY_MS (15 * 60 * G_GINT64_CONSTANT (1000))
#define VW_API_GUESS_DEFAULT_BACKOFF_MS 1000

/* (transfer full) a throttle with @free_failures and @context's back-off
 * (the ceiling, forgetting and size above). */
VwThrottle *vw_api_guess_throttle_new (VwApiContext *context, guint free_failures);

/* (transfer none) the throttle @name of @server, made with @free_failures
 * and @context's back-off on first use and dropped with the server. */
VwThrottle *vw_api_guess_throttle (SoupServer *server, VwApiContext *context,
                                   const char *name, guint free_failures);

/* (transfer full) the key of the address @msg comes from: its IPv4
 * address (also when mapped into IPv6 by a dual-stack socket), or the /64
 * network of an IPv6 one (one host usually has all of it). */
char       *vw_api_guess_address_key (SoupServerMessage *msg);
/* The same for the address text @host (nullable: "unknown"). */
char       *vw_api_guess_host_key (const char *host);

/* Responds 429 too-many-attempts with Retry-After: @wait_ms in whole
 * seconds (at least 1), also as "retry_after" in the body. */
void        vw_api_guess_refuse (SoupServerMessage *msg, gint64 wait_ms);

/* Now, unix ms (the throttles' clock). */
gint64      vw_api_guess_now_ms (void);

G_END_DECLS
