/* vw-pairing-private.h: what the files of VwPairing share (vw-pairing.c:
 * the rules and transitions; vw-pairing-queries.c: read-only answers).
 * Not for callers outside server/vw-pairing*.c. */
#pragma once

#include "vw-pairing.h"
#include "vw-protocol.h"

typedef struct _Peer Peer;

struct _Peer {
  char *id;
  VwRole role;
  /* Agent: the province it serves, fixed at registration.
   * Clerk: the province of its current request; NULL while idle. */
  char *province;
  char *item;                 /* clerks: the current request's; NULL while idle */
  GStrv items;                /* agents: items handled; NULL: every item */
  VwAgentState agent_state;   /* agents only */
  VwClerkState clerk_state;   /* clerks only */
  gboolean claimed;           /* agents: busy as a third party, no partner */
  gint64 idle_since;          /* agents: when it last became available */
  gint64 until;               /* agents in wrap-up: when it ends; else 0 */
  guint64 serial;             /* agents: registration order, breaks ties */
  gboolean priority;          /* queued clerks: a priority entry */
  guint64 ticket;             /* queued clerks: enqueue order, all queues */
  Peer *partner;              /* the other side of the pair, or NULL */
};

/* The clerks waiting for one (province, item), head first. */
typedef struct {
  char *province;
  char *item;
  GQueue clerks;   /* Peer (borrowed) */
} WaitQueue;

struct _VwPairing {
  GHashTable *peers;    /* id (owned by the Peer) -> Peer (owned) */
  GPtrArray *agents;    /* Peer (borrowed), registration order */
  GPtrArray *queues;    /* WaitQueue (owned), non-empty ones only */
  gint64 wrap_up_us;
  guint64 next_serial;
  guint64 next_ticket;
};

Peer     *pairing_find_peer (VwPairing *pairing, const char *id);
/* Whether @agent handles @item (NULL items: every one). */
gboolean  pairing_agent_handles (const Peer *agent, const char *item);
/* Whether @agent could be given a clerk of (@province, @item). */
gboolean  pairing_agent_serves (const Peer *agent, const char *province,
                                const char *item);
/* The queue of (@province, @item), or NULL when nobody waits there. */
WaitQueue *pairing_find_queue (VwPairing *pairing, const char *province,
                               const char *item);
/* Whether queued clerk @a is served before @b (priority, then ticket). */
gboolean  pairing_clerk_goes_first (const Peer *a, const Peer *b);
