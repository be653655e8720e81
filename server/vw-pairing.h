/* vw-pairing.h: which clerk is served by which agent, and who waits.
 *
 * Pure logic: no sockets, no clocks (callers pass "now" in microseconds of a
 * monotonic clock), no GLib main loop.  Unit-tested directly.
 *
 * Rules (routing, issue 6):
 *  - An agent serves one province and a set of service items (item codes);
 *    a NULL set means every item.  It starts "away" and is offered clerks
 *    only while "available".
 *  - Each (province, item) has its own first-come queue.  A clerk's request
 *    names both.  It goes to the available agent of that province who
 *    handles the item and has been idle the longest (idle since it became
 *    available, ties broken by registration order).  With no such agent the
 *    clerk waits in that queue and is told its 1-based position; every
 *    clerk whose position changes is told again.
 *  - A "priority" request (an appointment at its booked time, a transferred
 *    clerk) goes to the front of its queue: behind earlier priority
 *    entries, ahead of every ordinary one.
 *  - An agent that becomes available takes, among the queues of its
 *    province for the items it handles, the clerk that should be served
 *    first: priority entries first, then the one that has waited longest
 *    (enqueue order across queues).
 *  - After a pair ends the agent is in "wrap-up" until now + the wrap-up
 *    time (vw_pairing_set_wrap_up; 0: available at once); vw_pairing_tick()
 *    makes it available when the time is up.  It may end wrap-up early
 *    (set_available TRUE) or go away.  Busy, wrap-up and away agents are
 *    never offered anyone.
 *  - Transfer: a paired clerk goes to another (available) agent, or to the
 *    front of another item queue; the first agent's pair ends (wrap-up).
 *  - Claim: an available agent joins a running session as a third party
 *    (invited): busy, with no clerk of its own; released, it wraps up.
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
  VW_AGENT_WRAP_UP,
} VwAgentState;

#define VW_AGENT_N_STATES 4

/* "away", "available", "busy", "wrap-up" (the protocol's names). */
const char *vw_agent_state_to_string (VwAgentState state);

typedef enum {
  VW_CLERK_IDLE,
  VW_CLERK_QUEUED,
  VW_CLERK_PAIRED,
} VwClerkState;

typedef enum {
  VW_PAIRING_EVENT_PAIRED,      /* clerk and agent now form a pair */
  VW_PAIRING_EVENT_QUEUED,      /* clerk waits at position (new or changed) */
  VW_PAIRING_EVENT_AGENT_STATE, /* agent's state changed (to agent_state) */
} VwPairingEventType;

typedef struct {
  VwPairingEventType type;
  char *clerk;      /* owned; NULL for AGENT_STATE */
  char *agent;      /* owned; NULL for QUEUED */
  char *province;   /* owned; PAIRED, QUEUED: the request's province */
  char *item;       /* owned; PAIRED, QUEUED: the request's item */
  guint position;   /* QUEUED: 1-based in its (province, item) queue */
  VwAgentState agent_state;  /* AGENT_STATE: the new state */
  gint64 until;     /* AGENT_STATE wrap-up: when it ends (caller's clock);
                     * 0 otherwise */
} VwPairingEvent;

void vw_pairing_event_free (VwPairingEvent *event);

VwPairing *vw_pairing_new (void);
void       vw_pairing_free (VwPairing *pairing);

/* How long an agent stays in wrap-up after each pair ends, in µs (default
 * 0: available at once).  Applies to pairs that end from now on; agents
 * already wrapping up keep their deadline. */
void       vw_pairing_set_wrap_up (VwPairing *pairing, gint64 wrap_up_us);

/* Every function that changes state returns the events it caused, in order,
 * as a (transfer full) GPtrArray of VwPairingEvent (never NULL; may be
 * empty), or NULL with @error set (VW_PROTOCOL_ERROR codes: WRONG_STATE,
 * WRONG_ROLE, UNKNOWN_PROVINCE, NOT_REGISTERED, UNKNOWN_AGENT,
 * AGENT_UNAVAILABLE) when the call
 * does not fit.  Every agent state change is an AGENT_STATE event, in the
 * order it happened.  A new pair is told as PAIRED followed at once by its
 * agent's AGENT_STATE busy; the QUEUED events of the clerks it moves up
 * come after both.  A peer's removal is no event. */

/* Registers an agent (state away) of @province handling @items (a
 * NULL-terminated array of item codes, copied; NULL: every item; an empty
 * array: none, so it is never offered anyone).  Fails if the id is already
 * known (ALREADY_REGISTERED) or the province is unknown. */
gboolean   vw_pairing_add_agent (VwPairing *pairing, const char *agent,
                                 const char *province,
                                 const char *const *items,
                                 gint64 now, GError **error);
/* Registers a clerk (state idle).  Fails if the id is already known. */
gboolean   vw_pairing_add_clerk (VwPairing *pairing, const char *clerk, GError **error);

/* Agent goes available or away.  Going away while busy is refused
 * (WRONG_STATE); so is going available while busy.  From wrap-up either is
 * allowed (ends it early).  Going available pairs the first clerk it
 * should serve at once. */
GPtrArray *vw_pairing_set_available (VwPairing *pairing, const char *agent,
                                     gboolean available, gint64 now, GError **error);

/* A clerk asks for an agent of @province handling @item; @priority puts
 * it at the front of the queue (see above).  Refused when the clerk is
 * queued or paired already (WRONG_STATE), when @clerk is an agent
 * (WRONG_ROLE) or the province is unknown (UNKNOWN_PROVINCE).  Whether
 * @item exists is the caller's business. */
GPtrArray *vw_pairing_request (VwPairing *pairing, const char *clerk,
                               const char *province, const char *item,
                               gboolean priority, gint64 now, GError **error);

/* The pair that @peer (agent or clerk) belongs to ends: the clerk goes back
 * to idle, the agent wraps up (or becomes available, with no wrap-up time,
 * and may be paired at once).  Refused if @peer is not paired. */
GPtrArray *vw_pairing_end_pair (VwPairing *pairing, const char *peer,
                                gint64 now, GError **error);
/* The same for a pair in which no call took place (the clerk's media
 * never started): the agent has nothing to wrap up and is available at
 * once, whatever the wrap-up time, and may be paired at once. */
GPtrArray *vw_pairing_end_pair_unserved (VwPairing *pairing, const char *peer,
                                         gint64 now, GError **error);

/* Wrap-ups that are over by @now end: those agents become available (and
 * are paired if someone waits), earliest deadline first (then registration
 * order), each idle since its deadline rather than since @now, so a late
 * tick does not reorder them.  Call it at vw_pairing_next_deadline(). */
GPtrArray *vw_pairing_tick (VwPairing *pairing, gint64 now);
/* The earliest end of a wrap-up, or -1 if no agent is wrapping up. */
gint64     vw_pairing_next_deadline (VwPairing *pairing);

/* Transfers the paired @clerk to the agent @to, who must be available.
 * Refused, checked in this order: NOT_REGISTERED or WRONG_ROLE if @clerk
 * is no clerk, WRONG_STATE if it is not paired, UNKNOWN_AGENT if @to is
 * not a known agent, AGENT_UNAVAILABLE if @to is not available (its own
 * agent included: busy).  The old pair ends (its agent wraps up), then
 * @clerk and @to are paired.  @to's province and items are not checked:
 * the transferring agent chose it.  PAIRED carries the clerk's original
 * province and item. */
GPtrArray *vw_pairing_transfer_to_agent (VwPairing *pairing, const char *clerk,
                                         const char *to, gint64 now, GError **error);
/* Transfers the paired @clerk to the front of the (@province, @item) queue
 * (a priority request); it may be paired at once.  Refused like
 * transfer_to_agent for @clerk, and UNKNOWN_PROVINCE.  The old agent's
 * pair ends first: with no wrap-up time it becomes available and may take
 * a clerk already waiting, and, if it serves the new queue and no agent
 * idle longer does, even @clerk again. */
GPtrArray *vw_pairing_transfer_to_queue (VwPairing *pairing, const char *clerk,
                                         const char *province, const char *item,
                                         gint64 now, GError **error);

/* The available @agent is taken into a running session as a third party:
 * busy, with no clerk of its own (AGENT_UNAVAILABLE unless available,
 * UNKNOWN_AGENT if it is not a known agent). */
GPtrArray *vw_pairing_claim_agent (VwPairing *pairing, const char *agent,
                                   gint64 now, GError **error);
/* The claimed @agent leaves that session: it wraps up (UNKNOWN_AGENT if
 * it is not a known agent, WRONG_STATE unless it was claimed).  A claimed
 * agent has no partner (get_partner: NULL) and end_pair on it is refused
 * (WRONG_STATE): this is its only way out, besides removal. */
GPtrArray *vw_pairing_release_agent (VwPairing *pairing, const char *agent,
                                     gint64 now, GError **error);

/* @peer disconnected: forgotten entirely.  A queued clerk leaves its queue
 * (positions behind it move up); a paired peer's pair ends first (the
 * partner, if an agent, wraps up; if a clerk, idle).  Unknown ids are
 * ignored (empty array). */
GPtrArray *vw_pairing_remove (VwPairing *pairing, const char *peer, gint64 now);

/* Queries. */
gboolean     vw_pairing_has_peer (VwPairing *pairing, const char *peer);
gboolean     vw_pairing_is_agent (VwPairing *pairing, const char *peer);
/* Away for unknown ids and clerks. */
VwAgentState vw_pairing_get_agent_state (VwPairing *pairing, const char *agent);
/* Idle for unknown ids and agents. */
VwClerkState vw_pairing_get_clerk_state (VwPairing *pairing, const char *clerk);
/* Wrap-up: when it ends; 0 otherwise. */
gint64       vw_pairing_get_agent_until (VwPairing *pairing, const char *agent);
/* Whether @agent handles @item (NULL set: every item). */
gboolean     vw_pairing_agent_handles (VwPairing *pairing, const char *agent,
                                       const char *item);
/* (nullable) (transfer none): the partner of a paired peer. */
const char  *vw_pairing_get_partner (VwPairing *pairing, const char *peer);
/* 0 when not queued. */
guint        vw_pairing_get_position (VwPairing *pairing, const char *clerk);
/* How many clerks (@clerk included) will be taken before or as @clerk by
 * the agents who could serve it: its own queue's up to it, and, from the
 * other queues (of its province) that one of those agents, on duty, also
 * serves, those who go first (priority, then waited longer).  Its
 * position when nobody else competes; 0 when not queued.  What the wait
 * estimate counts (vw-wait.h). */
guint        vw_pairing_get_turn (VwPairing *pairing, const char *clerk);
guint        vw_pairing_get_queue_length (VwPairing *pairing, const char *province,
                                          const char *item);
/* Agents of @province who handle @item and are on duty (not away). */
guint        vw_pairing_count_agents_on_duty (VwPairing *pairing,
                                              const char *province, const char *item);
/* Agents in each state, indexed by VwAgentState (@counts has
 * VW_AGENT_N_STATES elements). */
void         vw_pairing_count_agents (VwPairing *pairing, guint *counts);
/* (transfer container) the clerks waiting for (@province, @item), head
 * first (the strings are the pairing's own: use them before the next
 * change). */
GPtrArray   *vw_pairing_list_queue (VwPairing *pairing, const char *province,
                                    const char *item);
/* (transfer container) the clerks @agent could be given, in the order it
 * would take them (every queue of its province for its items, merged):
 * what its console shows. */
GPtrArray   *vw_pairing_list_waiting_for (VwPairing *pairing, const char *agent);
/* The same, bounded: the first @max of them only, and how many there are
 * in all in @total (nullable).  Costs @max steps per queue, not a sort of
 * everyone waiting. */
GPtrArray   *vw_pairing_list_waiting_for_first (VwPairing *pairing, const char *agent,
                                                guint max, guint *total);

/* A queued clerk's place: its position in its queue and its turn (see
 * vw_pairing_get_turn()). */
typedef struct {
  const char *clerk;      /* the pairing's own strings: use them before the */
  const char *province;   /* next change */
  const char *item;
  guint position;
  guint turn;
} VwPairingPlace;

/* (transfer full) a VwPairingPlace for every queued clerk, queue by queue,
 * each in serving order: what vw_pairing_get_position() and
 * vw_pairing_get_turn() would say of each, for all of them in one pass
 * (a sort per queue) instead of a walk of the queues per clerk. */
GArray      *vw_pairing_list_places (VwPairing *pairing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwPairing, vw_pairing_free)

G_END_DECLS
