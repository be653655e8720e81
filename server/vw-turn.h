/* vw-turn.h: TURN REST credentials (draft-uberti-behave-turn-rest, what
 * coturn's use-auth-secret checks) and the "ice-servers" list that goes
 * into "paired".
 *
 * A credential is made per participant per session, needs no state in
 * vw-server nor in coturn, and stops working at its expiry:
 *   username   = "<expiry, unix seconds>:<peer id>"
 *   credential = base64 (HMAC-SHA1 (secret, username))
 * coturn (static-auth-secret=the same secret) recomputes the HMAC and
 * refuses an expired username.  Pure: no clock of its own, no I/O. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The TURN REST pair for @peer_id valid until @expiry (unix seconds).
 * (transfer full) both. */
void       vw_turn_credentials (const char *secret, const char *peer_id,
                                gint64 expiry, char **username,
                                char **credential);

/* Splits a [turn] urls value ("turn:host:3478?transport=udp,
 * turn:host:3478?transport=tcp": commas or white space between them) into
 * its URLs, each checked to be turn:/turns: HOST[:PORT][?transport=udp|tcp].
 * An empty value gives an empty list.  (transfer full) NULL on error
 * (G_IO_ERROR_INVALID_ARGUMENT naming the bad URL). */
GStrv      vw_turn_parse_urls (const char *text, GError **error);

/* The "ice-servers" value for @peer_id: one RTCIceServer-shaped object
 * {"urls": [...], "username": ..., "credential": ...} with credentials
 * valid until @now_s + @ttl_s.  NULL when @urls is empty or @secret is
 * NULL or empty (no TURN configured).  (transfer full) */
JsonArray *vw_turn_ice_servers (const char *const *urls, const char *secret,
                                guint ttl_s, const char *peer_id, gint64 now_s);

G_END_DECLS
