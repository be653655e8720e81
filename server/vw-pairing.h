/* vw-pairing.h: which clerk is served by which agent, and who waits.
 *
 * Pure logic: no sockets, no clocks (callers pass "now" in microseconds of a
 * monotonic clock), no GLib main loop.  Unit-tested directly.
 *
 * Rules:
 *  - An agent starts "away"; it is offered clerks only while "available".
 *  - A clerk's request goes to the available agent of the requested province
 *    that has been idle the longest (idle since it became available or since
 *    its last pair ended; ties broken by registration order).
 *  - With no such agent the clerk waits in that province's first-come queue
 *    and is told its 1-based position; every clerk whose position changes is
 *    told again.
 *  - A busy agent is offered nothing.  When a pair ends, the agent is free
 *    again (idle since then) and the first clerk waiting for its province, if
 *    any, is paired at once.
 *  - Peer ids are opaque strings chosen by the caller; a peer is either an
 *    agent or a clerk.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VwPairing VwPairing;

typedef enum {
  VW_AGENT_AWAY,
  VW_AGENT_AVAILABLE,
  VW_AGENT_BUSY,
} VwAgentState;

typedef enum {
  VW_CLERK_IDLE,
  VW_CLERK_QUEUED,
  VW_CLERK_PAIRED,
} VwClerkState;

typedef enum {
  VW_PAIRING_EVENT_PAIRED,   /* clerk and agent now form a pair */
  VW_PAIRING_EVENT_QUEUED,   /* clerk waits at position (new or changed) */
} VwPairingEventType;

typedef struct {
  VwPairingEventType type;
  char *clerk;      /* owned */
  char *agent;      /* owned; NULL for QUEUED */
  char *province;   /* owned; the province of the request */
  guint position;   /* QUEUED: 1-based; 0 for PAIRED */
} VwPairingEvent;

void vw_pairing_event_free (VwPairingEvent *event);

VwPairing *vw_pairing_new (void);
void       vw_pairing_free (VwPairing *pairing);

/* Every function that changes state returns the events it caused, in order,
 * as a (transfer full) GPtrArray of VwPairingEvent (never NULL; may be
 * empty), or NULL with @error set (VW_PROTOCOL_ERROR codes: WRONG_STATE,
 * WRONG_ROLE, UNKNOWN_PROVINCE, NOT_REGISTERED) when the call does not fit. */

/* Registers an agent (state away).  Fails if the id is already known. */
gboolean   vw_pairing_add_agent (VwPairing *pairing, const char *agent,
                                 const char *province, gint64 now, GError **error);
/* Registers a clerk (state idle).  Fails if the id is already known. */
gboolean   vw_pairing_add_clerk (VwPairing *pairing, const char *clerk, GError **error);

/* Agent goes available or away.  Going away while busy is refused
 * (WRONG_STATE); going available pairs the longest-waiting clerk of the
 * agent's province at once. */
GPtrArray *vw_pairing_set_available (VwPairing *pairing, const char *agent,
                                     gboolean available, gint64 now, GError **error);

/* A clerk asks for an agent of @province.  Refused when the clerk is queued
 * or paired already (WRONG_STATE), when @clerk is an agent (WRONG_ROLE) or
 * the province is unknown (UNKNOWN_PROVINCE). */
GPtrArray *vw_pairing_request (VwPairing *pairing, const char *clerk,
                               const char *province, gint64 now, GError **error);

/* The pair that @peer (agent or clerk) belongs to ends: the clerk goes back
 * to idle, the agent becomes available (idle since @now) and may be paired
 * with the next waiting clerk at once.  Refused if @peer is not paired. */
GPtrArray *vw_pairing_end_pair (VwPairing *pairing, const char *peer,
                                gint64 now, GError **error);

/* @peer disconnected: forgotten entirely.  A queued clerk leaves its queue
 * (positions behind it move up); a paired peer's pair ends first (the
 * partner, if an agent, becomes available; if a clerk, idle).  Unknown ids
 * are ignored (empty array). */
GPtrArray *vw_pairing_remove (VwPairing *pairing, const char *peer, gint64 now);

/* Queries. */
gboolean     vw_pairing_has_peer (VwPairing *pairing, const char *peer);
gboolean     vw_pairing_is_agent (VwPairing *pairing, const char *peer);
VwAgentState vw_pairing_get_agent_state (VwPairing *pairing, const char *agent);
VwClerkState vw_pairing_get_clerk_state (VwPairing *pairing, const char *clerk);
/* (nullable) (transfer none): the partner of a paired peer. */
const char  *vw_pairing_get_partner (VwPairing *pairing, const char *peer);
/* 0 when not queued. */
guint        vw_pairing_get_position (VwPairing *pairing, const char *clerk);
guint        vw_pairing_get_queue_length (VwPairing *pairing, const char *province);
/* (transfer container) the clerks waiting for @province, head first (the
 * strings are the pairing's own: use them before the next change). */
GPtrArray   *vw_pairing_list_queue (VwPairing *pairing, const char *province);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwPairing, vw_pairing_free)

G_END_DECLS
