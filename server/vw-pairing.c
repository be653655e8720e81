/* vw-pairing.c: which clerk is served by which agent, and who waits.
 *
 * The rules are in vw-pairing.h.  One invariant keeps the logic simple:
 *
 *   while a province's queue is non-empty, no agent of that province is
 *   available.
 *
 * Every path that makes an agent available (set_available, end_pair, removal
 * of its clerk) goes through agent_becomes_available(), which immediately
 * hands the agent the head of its province's queue.  Hence a request that
 * finds an available agent can be paired at once without jumping the queue,
 * and a request that finds none simply joins the tail.
 *
 * Scale is tens of agents per server, so choosing an agent is a linear scan.
 */
#include "vw-pairing.h"

#include "vw-protocol.h"

typedef struct _Peer Peer;

struct _Peer {
  char *id;
  VwRole role;
  /* Agent: the province it serves, fixed at registration.
   * Clerk: the province of its current request; NULL while idle. */
  char *province;
  VwAgentState agent_state;   /* agents only */
  VwClerkState clerk_state;   /* clerks only */
  gint64 idle_since;          /* agents: when it last became available */
  guint64 serial;             /* agents: registration order, breaks ties */
  Peer *partner;              /* the other side of the pair, or NULL */
};

struct _VwPairing {
  GHashTable *peers;    /* id (owned by the Peer) -> Peer (owned) */
  GHashTable *queues;   /* province (owned) -> GQueue of Peer (borrowed) */
  guint64 next_serial;
};

/* Peers and events. */

static Peer *
peer_new (const char *id, VwRole role)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->id = g_strdup (id);
  peer->role = role;
  peer->agent_state = VW_AGENT_AWAY;
  peer->clerk_state = VW_CLERK_IDLE;
  return peer;
}

static void
peer_free (Peer *peer)
{
  g_free (peer->id);
  g_free (peer->province);
  g_free (peer);
}

static const char *
role_name (VwRole role)
{
  return role == VW_ROLE_AGENT ? "agent" : "clerk";
}

static VwPairingEvent *
event_new (VwPairingEventType type, const char *clerk, const char *agent,
           const char *province, guint position)
{
  VwPairingEvent *event = g_new0 (VwPairingEvent, 1);

  event->type = type;
  event->clerk = g_strdup (clerk);
  event->agent = g_strdup (agent);
  event->province = g_strdup (province);
  event->position = position;
  return event;
}

void
vw_pairing_event_free (VwPairingEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->clerk);
  g_free (event->agent);
  g_free (event->province);
  g_free (event);
}

static GPtrArray *
events_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) vw_pairing_event_free);
}

/* Lifetime. */

VwPairing *
vw_pairing_new (void)
{
  VwPairing *pairing = g_new0 (VwPairing, 1);

  pairing->peers = g_hash_table_new_full (g_str_hash, g_str_equal,
                                          NULL, (GDestroyNotify) peer_free);
  pairing->queues = g_hash_table_new_full (g_str_hash, g_str_equal,
                                           g_free, (GDestroyNotify) g_queue_free);
  return pairing;
}

void
vw_pairing_free (VwPairing *pairing)
{
  if (pairing == NULL)
    return;
  /* Queues first: they borrow the peers. */
  g_hash_table_unref (pairing->queues);
  g_hash_table_unref (pairing->peers);
  g_free (pairing);
}

/* Lookups. */

static Peer *
find_peer (VwPairing *pairing, const char *id)
{
  return g_hash_table_lookup (pairing->peers, id);
}

static Peer *
lookup_peer (VwPairing *pairing, const char *id, GError **error)
{
  Peer *peer = find_peer (pairing, id);

  if (peer == NULL)
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_NOT_REGISTERED,
                 "Peer “%s” is not registered", id);
  return peer;
}

static GQueue *
get_queue (VwPairing *pairing, const char *province, gboolean create)
{
  GQueue *queue = g_hash_table_lookup (pairing->queues, province);

  if (queue == NULL && create) {
    queue = g_queue_new ();
    g_hash_table_insert (pairing->queues, g_strdup (province), queue);
  }
  return queue;
}

/* TRUE if @a has been idle longer than @b (earlier idle_since, or the same
 * and registered earlier). */
static gboolean
agent_idle_longer (const Peer *a, const Peer *b)
{
  if (a->idle_since != b->idle_since)
    return a->idle_since < b->idle_since;
  return a->serial < b->serial;
}

/* (nullable): the available agent of @province idle the longest. */
static Peer *
find_longest_idle_agent (VwPairing *pairing, const char *province)
{
  GHashTableIter iter;
  Peer *peer, *best = NULL;

  g_hash_table_iter_init (&iter, pairing->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &peer)) {
    if (peer->role != VW_ROLE_AGENT || peer->agent_state != VW_AGENT_AVAILABLE)
      continue;
    if (!g_str_equal (peer->province, province))
      continue;
    if (best == NULL || agent_idle_longer (peer, best))
      best = peer;
  }
  return best;
}

/* Pairs and queues. */

static void
make_pair (Peer *clerk, Peer *agent, GPtrArray *events)
{
  clerk->clerk_state = VW_CLERK_PAIRED;
  clerk->partner = agent;
  agent->agent_state = VW_AGENT_BUSY;
  agent->partner = clerk;
  g_ptr_array_add (events, event_new (VW_PAIRING_EVENT_PAIRED, clerk->id,
                                      agent->id, clerk->province, 0));
}

/* Unlinks a pair: the clerk goes idle; the agent is left busy with no
 * partner, and the caller decides whether it becomes available or goes. */
static void
break_pair (Peer *clerk, Peer *agent)
{
  clerk->partner = NULL;
  clerk->clerk_state = VW_CLERK_IDLE;
  g_clear_pointer (&clerk->province, g_free);
  agent->partner = NULL;
}

/* Tells every clerk from 0-based @from to the tail its (new) position. */
static void
notify_positions (GQueue *queue, const char *province, guint from,
                  GPtrArray *events)
{
  guint position = from + 1;

  for (GList *l = g_queue_peek_nth_link (queue, from); l != NULL; l = l->next) {
    Peer *clerk = l->data;

    g_ptr_array_add (events, event_new (VW_PAIRING_EVENT_QUEUED, clerk->id,
                                        NULL, province, position++));
  }
}

/* Hands waiting clerks of @province to its available agents, head first. */
static void
dispatch (VwPairing *pairing, const char *province, GPtrArray *events)
{
  GQueue *queue = get_queue (pairing, province, FALSE);
  guint n_paired = 0;
  Peer *agent;

  if (queue == NULL)
    return;
  while (!g_queue_is_empty (queue)
         && (agent = find_longest_idle_agent (pairing, province)) != NULL) {
    make_pair (g_queue_pop_head (queue), agent, events);
    n_paired++;
  }
  /* Everyone still waiting moved up by n_paired places. */
  if (n_paired > 0)
    notify_positions (queue, province, 0, events);
}

static void
agent_becomes_available (VwPairing *pairing, Peer *agent, gint64 now,
                         GPtrArray *events)
{
  agent->agent_state = VW_AGENT_AVAILABLE;
  agent->idle_since = now;
  dispatch (pairing, agent->province, events);
}

static void
unqueue_clerk (VwPairing *pairing, Peer *clerk, GPtrArray *events)
{
  GQueue *queue = get_queue (pairing, clerk->province, FALSE);
  GList *link = g_queue_find (queue, clerk);
  guint index = g_queue_link_index (queue, link);

  g_queue_delete_link (queue, link);
  notify_positions (queue, clerk->province, index, events);
  clerk->clerk_state = VW_CLERK_IDLE;
  g_clear_pointer (&clerk->province, g_free);
}

/* Registration. */

static gboolean
check_new_id (VwPairing *pairing, const char *id, GError **error)
{
  Peer *peer = find_peer (pairing, id);

  if (peer != NULL) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_ALREADY_REGISTERED,
                 "Peer “%s” is already registered (as %s)", id,
                 role_name (peer->role));
    return FALSE;
  }
  return TRUE;
}

gboolean
vw_pairing_add_agent (VwPairing *pairing, const char *agent,
                      const char *province, gint64 now, GError **error)
{
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (agent != NULL, FALSE);
  g_return_val_if_fail (province != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_new_id (pairing, agent, error))
    return FALSE;
  if (!vw_province_is_known (province)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE,
                 "Agent “%s” cannot serve unknown province “%s”", agent, province);
    return FALSE;
  }

  peer = peer_new (agent, VW_ROLE_AGENT);
  peer->province = g_strdup (province);
  peer->idle_since = now;   /* reset when it first becomes available */
  peer->serial = pairing->next_serial++;
  g_hash_table_insert (pairing->peers, peer->id, peer);
  return TRUE;
}

gboolean
vw_pairing_add_clerk (VwPairing *pairing, const char *clerk, GError **error)
{
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (clerk != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_new_id (pairing, clerk, error))
    return FALSE;

  peer = peer_new (clerk, VW_ROLE_CLERK);
  g_hash_table_insert (pairing->peers, peer->id, peer);
  return TRUE;
}

/* State changes. */

GPtrArray *
vw_pairing_set_available (VwPairing *pairing, const char *agent,
                          gboolean available, gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (agent != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  peer = lookup_peer (pairing, agent, error);
  if (peer == NULL)
    return NULL;
  if (peer->role != VW_ROLE_AGENT) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_ROLE,
                 "“%s” is a clerk; only agents go available or away", agent);
    return NULL;
  }
  /* Refused both ways: a busy agent is freed by ending its pair, and may
   * not drop the clerk it serves by going away. */
  if (peer->agent_state == VW_AGENT_BUSY) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Agent “%s” is busy with clerk “%s” and cannot go %s",
                 agent, peer->partner->id, available ? "available" : "away");
    return NULL;
  }

  events = events_new ();
  if (!available)
    peer->agent_state = VW_AGENT_AWAY;
  /* Saying "available" again keeps idle_since: the agent keeps its place. */
  else if (peer->agent_state == VW_AGENT_AWAY)
    agent_becomes_available (pairing, peer, now, events);
  return g_steal_pointer (&events);
}

GPtrArray *
vw_pairing_request (VwPairing *pairing, const char *clerk,
                    const char *province, gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *peer, *agent;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (clerk != NULL, NULL);
  g_return_val_if_fail (province != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  peer = lookup_peer (pairing, clerk, error);
  if (peer == NULL)
    return NULL;
  if (peer->role != VW_ROLE_CLERK) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_ROLE,
                 "“%s” is an agent; only clerks request an agent", clerk);
    return NULL;
  }
  if (peer->clerk_state == VW_CLERK_QUEUED) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Clerk “%s” is already waiting for %s (position %u)", clerk,
                 peer->province, vw_pairing_get_position (pairing, clerk));
    return NULL;
  }
  if (peer->clerk_state == VW_CLERK_PAIRED) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Clerk “%s” is already paired with agent “%s”", clerk,
                 peer->partner->id);
    return NULL;
  }
  if (!vw_province_is_known (province)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE,
                 "Clerk “%s” asked for unknown province “%s”", clerk, province);
    return NULL;
  }

  events = events_new ();
  peer->province = g_strdup (province);
  /* By the invariant (see the top of this file), an available agent means
   * nobody waits for this province, so pairing at once jumps no queue. */
  agent = find_longest_idle_agent (pairing, province);
  if (agent != NULL) {
    make_pair (peer, agent, events);
  } else {
    GQueue *queue = get_queue (pairing, province, TRUE);

    g_queue_push_tail (queue, peer);
    peer->clerk_state = VW_CLERK_QUEUED;
    g_ptr_array_add (events, event_new (VW_PAIRING_EVENT_QUEUED, clerk, NULL,
                                        province, queue->length));
  }
  return g_steal_pointer (&events);
}

GPtrArray *
vw_pairing_end_pair (VwPairing *pairing, const char *peer,
                     gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *p, *agent, *clerk;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (peer != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p = lookup_peer (pairing, peer, error);
  if (p == NULL)
    return NULL;
  if (p->partner == NULL) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "%s “%s” is not in a pair", p->role == VW_ROLE_AGENT ?
                 "Agent" : "Clerk", peer);
    return NULL;
  }

  events = events_new ();
  agent = p->role == VW_ROLE_AGENT ? p : p->partner;
  clerk = p->role == VW_ROLE_CLERK ? p : p->partner;
  break_pair (clerk, agent);
  agent_becomes_available (pairing, agent, now, events);
  return g_steal_pointer (&events);
}

static void
forget_peer (VwPairing *pairing, Peer *peer)
{
  g_hash_table_steal (pairing->peers, peer->id);
  peer_free (peer);
}

GPtrArray *
vw_pairing_remove (VwPairing *pairing, const char *peer, gint64 now)
{
  GPtrArray *events;
  Peer *p, *partner;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  events = events_new ();
  p = find_peer (pairing, peer);
  if (p == NULL)
    return events;

  partner = p->partner;
  if (p->role == VW_ROLE_CLERK && p->clerk_state == VW_CLERK_QUEUED) {
    unqueue_clerk (pairing, p, events);
  } else if (p->role == VW_ROLE_CLERK && partner != NULL) {
    break_pair (p, partner);
    agent_becomes_available (pairing, partner, now, events);
  } else if (partner != NULL) {
    /* A departing agent is never made available: its clerk just goes idle
     * and may ask again. */
    break_pair (partner, p);
  }
  forget_peer (pairing, p);
  return events;
}

/* Queries.  Unknown ids get the neutral answer (not registered, away, idle,
 * no partner, not queued) so callers need not check has_peer() first. */

gboolean
vw_pairing_has_peer (VwPairing *pairing, const char *peer)
{
  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);

  return find_peer (pairing, peer) != NULL;
}

gboolean
vw_pairing_is_agent (VwPairing *pairing, const char *peer)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);

  p = find_peer (pairing, peer);
  return p != NULL && p->role == VW_ROLE_AGENT;
}

VwAgentState
vw_pairing_get_agent_state (VwPairing *pairing, const char *agent)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, VW_AGENT_AWAY);
  g_return_val_if_fail (agent != NULL, VW_AGENT_AWAY);

  p = find_peer (pairing, agent);
  return p != NULL && p->role == VW_ROLE_AGENT ? p->agent_state : VW_AGENT_AWAY;
}

VwClerkState
vw_pairing_get_clerk_state (VwPairing *pairing, const char *clerk)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, VW_CLERK_IDLE);
  g_return_val_if_fail (clerk != NULL, VW_CLERK_IDLE);

  p = find_peer (pairing, clerk);
  return p != NULL && p->role == VW_ROLE_CLERK ? p->clerk_state : VW_CLERK_IDLE;
}

const char *
vw_pairing_get_partner (VwPairing *pairing, const char *peer)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  p = find_peer (pairing, peer);
  return p != NULL && p->partner != NULL ? p->partner->id : NULL;
}

guint
vw_pairing_get_position (VwPairing *pairing, const char *clerk)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, 0);
  g_return_val_if_fail (clerk != NULL, 0);

  p = find_peer (pairing, clerk);
  if (p == NULL || p->role != VW_ROLE_CLERK || p->clerk_state != VW_CLERK_QUEUED)
    return 0;
  return g_queue_index (get_queue (pairing, p->province, FALSE), p) + 1;
}

guint
vw_pairing_get_queue_length (VwPairing *pairing, const char *province)
{
  GQueue *queue;

  g_return_val_if_fail (pairing != NULL, 0);
  g_return_val_if_fail (province != NULL, 0);

  queue = get_queue (pairing, province, FALSE);
  return queue != NULL ? queue->length : 0;
}

GPtrArray *
vw_pairing_list_queue (VwPairing *pairing, const char *province)
{
  g_return_val_if_fail (pairing != NULL && province != NULL, NULL);
  GPtrArray *ids = g_ptr_array_new ();
  GQueue *queue = get_queue (pairing, province, FALSE);
  for (GList *l = queue ? queue->head : NULL; l; l = l->next)
    g_ptr_array_add (ids, ((Peer *) l->data)->id);
  return ids;
}
