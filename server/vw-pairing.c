/* vw-pairing.c: which clerk is served by which agent, and who waits.
 *
 * The rules are in vw-pairing.h.  One invariant keeps the logic simple:
 *
 *   while a queue that some available agent could serve (its province, an
 *   item it handles) is non-empty, that agent is not available.
 *
 * Every path that makes an agent available (set_available, tick, end_pair
 * or release without wrap-up time, removal of its clerk, a transfer away
 * from it) goes through agent_becomes_available(), which at once hands the
 * agent the best clerk waiting for it.  Every path that puts a clerk in a
 * queue (request, transfer_to_queue) goes through place_clerk(), which
 * first looks for an available agent that can serve it.  Hence a clerk
 * that finds an available agent is paired at once without jumping anyone
 * (that agent's queues are empty), and a clerk that finds none simply
 * takes its place in the queue.  Agents' item sets never change after
 * registration, so nothing else can break the invariant.
 *
 * Order within a queue: priority entries first, in the order they came,
 * then ordinary ones in the order they came.  Each queued clerk carries a
 * global ticket (enqueue order across all queues), so "priority first, then
 * the longest waiting" across queues is a comparison of queue heads.
 *
 * Scale is tens of agents and clerks per server, so every choice is a
 * linear scan; only non-empty queues are kept.
 */
#include "vw-pairing-private.h"

#include "vw-protocol.h"

static const char *const agent_state_names[VW_AGENT_N_STATES] = {
  [VW_AGENT_AWAY] = "away",
  [VW_AGENT_AVAILABLE] = "available",
  [VW_AGENT_BUSY] = "busy",
  [VW_AGENT_WRAP_UP] = "wrap-up",
};

const char *
vw_agent_state_to_string (VwAgentState state)
{
  g_return_val_if_fail ((guint) state < VW_AGENT_N_STATES, NULL);

  return agent_state_names[state];
}

/* Peers, queues and events. */

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
  g_free (peer->item);
  g_strfreev (peer->items);
  g_free (peer);
}

static WaitQueue *
wait_queue_new (const char *province, const char *item)
{
  WaitQueue *queue = g_new0 (WaitQueue, 1);

  queue->province = g_strdup (province);
  queue->item = g_strdup (item);
  g_queue_init (&queue->clerks);
  return queue;
}

static void
wait_queue_free (WaitQueue *queue)
{
  g_queue_clear (&queue->clerks);
  g_free (queue->province);
  g_free (queue->item);
  g_free (queue);
}

static const char *
role_name (VwRole role)
{
  return role == VW_ROLE_AGENT ? "agent" : "clerk";
}

static VwPairingEvent *
event_new (VwPairingEventType type)
{
  VwPairingEvent *event = g_new0 (VwPairingEvent, 1);

  event->type = type;
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
  g_free (event->item);
  g_free (event);
}

static GPtrArray *
events_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) vw_pairing_event_free);
}

static void
emit_paired (GPtrArray *events, Peer *clerk, Peer *agent)
{
  VwPairingEvent *event = event_new (VW_PAIRING_EVENT_PAIRED);

  event->clerk = g_strdup (clerk->id);
  event->agent = g_strdup (agent->id);
  event->province = g_strdup (clerk->province);
  event->item = g_strdup (clerk->item);
  g_ptr_array_add (events, event);
}

static void
emit_queued (GPtrArray *events, Peer *clerk, guint position)
{
  VwPairingEvent *event = event_new (VW_PAIRING_EVENT_QUEUED);

  event->clerk = g_strdup (clerk->id);
  event->province = g_strdup (clerk->province);
  event->item = g_strdup (clerk->item);
  event->position = position;
  g_ptr_array_add (events, event);
}

/* Every change of an agent's state goes through here, so that none goes
 * untold. */
static void
set_agent_state (Peer *agent, VwAgentState state, gint64 until, GPtrArray *events)
{
  VwPairingEvent *event = event_new (VW_PAIRING_EVENT_AGENT_STATE);

  g_assert (agent->agent_state != state);
  agent->agent_state = state;
  agent->until = state == VW_AGENT_WRAP_UP ? until : 0;
  event->agent = g_strdup (agent->id);
  event->agent_state = state;
  event->until = agent->until;
  g_ptr_array_add (events, event);
}

/* Lifetime. */

VwPairing *
vw_pairing_new (void)
{
  VwPairing *pairing = g_new0 (VwPairing, 1);

  pairing->peers = g_hash_table_new_full (g_str_hash, g_str_equal,
                                          NULL, (GDestroyNotify) peer_free);
  pairing->agents = g_ptr_array_new ();
  pairing->queues = g_ptr_array_new_with_free_func ((GDestroyNotify) wait_queue_free);
  return pairing;
}

void
vw_pairing_free (VwPairing *pairing)
{
  if (pairing == NULL)
    return;
  /* Queues and the agent list first: they borrow the peers. */
  g_ptr_array_unref (pairing->queues);
  g_ptr_array_unref (pairing->agents);
  g_hash_table_unref (pairing->peers);
  g_free (pairing);
}

void
vw_pairing_set_wrap_up (VwPairing *pairing, gint64 wrap_up_us)
{
  g_return_if_fail (pairing != NULL);
  g_return_if_fail (wrap_up_us >= 0);

  pairing->wrap_up_us = wrap_up_us;
}

/* Lookups. */

Peer *
pairing_find_peer (VwPairing *pairing, const char *id)
{
  return g_hash_table_lookup (pairing->peers, id);
}

static Peer *
lookup_peer (VwPairing *pairing, const char *id, GError **error)
{
  Peer *peer = pairing_find_peer (pairing, id);

  if (peer == NULL)
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_NOT_REGISTERED,
                 "Peer “%s” is not registered", id);
  return peer;
}

/* A registered peer of @role (NOT_REGISTERED, WRONG_ROLE otherwise);
 * @doing says what only that role may do, for the message. */
static Peer *
lookup_role (VwPairing *pairing, const char *id, VwRole role,
             const char *doing, GError **error)
{
  Peer *peer = lookup_peer (pairing, id, error);

  if (peer != NULL && peer->role != role) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_ROLE,
                 "“%s” is %s %s; only %ss %s", id,
                 peer->role == VW_ROLE_AGENT ? "an" : "a", role_name (peer->role),
                 role_name (role), doing);
    return NULL;
  }
  return peer;
}

/* The agent a transfer, claim or release names: another agent than the
 * caller's own, hence its own error code when it is not one. */
static Peer *
lookup_named_agent (VwPairing *pairing, const char *id, GError **error)
{
  Peer *peer = pairing_find_peer (pairing, id);

  if (peer == NULL || peer->role != VW_ROLE_AGENT) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_AGENT,
                 "“%s” is not a known agent", id);
    return NULL;
  }
  return peer;
}

static gboolean
check_available (Peer *agent, GError **error)
{
  if (agent->agent_state != VW_AGENT_AVAILABLE) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE,
                 "Agent “%s” is %s, not available", agent->id,
                 vw_agent_state_to_string (agent->agent_state));
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_province (const char *who, const char *province, GError **error)
{
  if (!vw_province_is_known (province)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE,
                 "“%s”: unknown province “%s”", who, province);
    return FALSE;
  }
  return TRUE;
}

/* A clerk in a pair with an agent, as transfers need. */
static Peer *
lookup_paired_clerk (VwPairing *pairing, const char *id, GError **error)
{
  Peer *clerk = lookup_role (pairing, id, VW_ROLE_CLERK, "are transferred", error);

  if (clerk != NULL && clerk->partner == NULL) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Clerk “%s” is not in a pair and cannot be transferred", id);
    return NULL;
  }
  return clerk;
}

gboolean
pairing_agent_handles (const Peer *agent, const char *item)
{
  return agent->items == NULL || g_strv_contains ((const char *const *) agent->items, item);
}

gboolean
pairing_agent_serves (const Peer *agent, const char *province, const char *item)
{
  return g_str_equal (agent->province, province) && pairing_agent_handles (agent, item);
}

WaitQueue *
pairing_find_queue (VwPairing *pairing, const char *province, const char *item)
{
  for (guint i = 0; i < pairing->queues->len; i++) {
    WaitQueue *queue = g_ptr_array_index (pairing->queues, i);

    if (g_str_equal (queue->province, province) && g_str_equal (queue->item, item))
      return queue;
  }
  return NULL;
}

static WaitQueue *
ensure_queue (VwPairing *pairing, const char *province, const char *item)
{
  WaitQueue *queue = pairing_find_queue (pairing, province, item);

  if (queue == NULL) {
    queue = wait_queue_new (province, item);
    g_ptr_array_add (pairing->queues, queue);
  }
  return queue;
}

/* Empty queues go, so that the list stays as short as the waiting. */
static void
drop_queue_if_empty (VwPairing *pairing, WaitQueue *queue)
{
  if (g_queue_is_empty (&queue->clerks))
    g_ptr_array_remove (pairing->queues, queue);
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

/* (nullable): the available agent serving (@province, @item) idle the
 * longest. */
static Peer *
find_agent_for (VwPairing *pairing, const char *province, const char *item)
{
  Peer *best = NULL;

  for (guint i = 0; i < pairing->agents->len; i++) {
    Peer *agent = g_ptr_array_index (pairing->agents, i);

    if (agent->agent_state == VW_AGENT_AVAILABLE
        && pairing_agent_serves (agent, province, item)
        && (best == NULL || agent_idle_longer (agent, best)))
      best = agent;
  }
  return best;
}

/* TRUE if queued clerk @a is to be served before @b: priority first, then
 * the one that came first. */
gboolean
pairing_clerk_goes_first (const Peer *a, const Peer *b)
{
  if (a->priority != b->priority)
    return a->priority;
  return a->ticket < b->ticket;
}

/* (nullable): the queue whose head @agent should take.  Each queue's head
 * is its best clerk, so comparing heads is enough. */
static WaitQueue *
find_queue_for (VwPairing *pairing, Peer *agent)
{
  WaitQueue *best = NULL;

  for (guint i = 0; i < pairing->queues->len; i++) {
    WaitQueue *queue = g_ptr_array_index (pairing->queues, i);

    if (pairing_agent_serves (agent, queue->province, queue->item)
        && (best == NULL || pairing_clerk_goes_first (g_queue_peek_head (&queue->clerks),
                                              g_queue_peek_head (&best->clerks))))
      best = queue;
  }
  return best;
}

/* Pairs and queues. */

/* The pair is told before the agent's new state: the state follows from
 * the pair. */
static void
make_pair (Peer *clerk, Peer *agent, GPtrArray *events)
{
  clerk->clerk_state = VW_CLERK_PAIRED;
  clerk->partner = agent;
  agent->partner = clerk;
  emit_paired (events, clerk, agent);
  set_agent_state (agent, VW_AGENT_BUSY, 0, events);
}

/* Unlinks a pair: the clerk goes idle; the agent is left busy with no
 * partner, and the caller decides whether it wraps up or goes. */
static void
break_pair (Peer *clerk, Peer *agent)
{
  clerk->partner = NULL;
  clerk->clerk_state = VW_CLERK_IDLE;
  g_clear_pointer (&clerk->province, g_free);
  g_clear_pointer (&clerk->item, g_free);
  agent->partner = NULL;
}

/* Tells every clerk from 0-based @from to the tail its (new) position. */
static void
notify_positions (WaitQueue *queue, guint from, GPtrArray *events)
{
  guint position = from + 1;

  for (GList *l = g_queue_peek_nth_link (&queue->clerks, from); l != NULL; l = l->next)
    emit_queued (events, l->data, position++);
}

static void
agent_becomes_available (VwPairing *pairing, Peer *agent, gint64 idle_since,
                         GPtrArray *events)
{
  WaitQueue *queue;

  set_agent_state (agent, VW_AGENT_AVAILABLE, 0, events);
  agent->idle_since = idle_since;
  queue = find_queue_for (pairing, agent);
  if (queue == NULL)
    return;
  make_pair (g_queue_pop_head (&queue->clerks), agent, events);
  /* Everyone still waiting there moved up by one. */
  notify_positions (queue, 0, events);
  drop_queue_if_empty (pairing, queue);
}

/* The agent's pair or claim is over: it wraps up, or with no wrap-up time
 * it is available at once. */
static void
agent_session_over (VwPairing *pairing, Peer *agent, gint64 now, GPtrArray *events)
{
  agent->claimed = FALSE;
  if (pairing->wrap_up_us > 0)
    set_agent_state (agent, VW_AGENT_WRAP_UP, now + pairing->wrap_up_us, events);
  else
    agent_becomes_available (pairing, agent, now, events);
}

/* Index at which a new entry goes: behind every priority entry if it is
 * one, else at the tail. */
static guint
insertion_index (WaitQueue *queue, gboolean priority)
{
  guint index = 0;

  if (!priority)
    return queue->clerks.length;
  for (GList *l = queue->clerks.head; l != NULL && ((Peer *) l->data)->priority; l = l->next)
    index++;
  return index;
}

/* The idle @clerk asks for (@province, @item): paired with the agent idle
 * the longest, or queued. */
static void
place_clerk (VwPairing *pairing, Peer *clerk, const char *province,
             const char *item, gboolean priority, GPtrArray *events)
{
  WaitQueue *queue;
  Peer *agent;
  guint index;

  clerk->province = g_strdup (province);
  clerk->item = g_strdup (item);
  /* By the invariant (see the top of this file), an available agent for
   * this queue means the queue is empty, so pairing at once jumps nobody. */
  agent = find_agent_for (pairing, province, item);
  if (agent != NULL) {
    make_pair (clerk, agent, events);
    return;
  }
  queue = ensure_queue (pairing, province, item);
  index = insertion_index (queue, priority);
  clerk->clerk_state = VW_CLERK_QUEUED;
  clerk->priority = priority;
  clerk->ticket = pairing->next_ticket++;
  g_queue_push_nth (&queue->clerks, clerk, (gint) index);
  /* The new clerk and everyone behind it (a priority entry pushes the
   * ordinary ones back). */
  notify_positions (queue, index, events);
}

static void
unqueue_clerk (VwPairing *pairing, Peer *clerk, GPtrArray *events)
{
  WaitQueue *queue = pairing_find_queue (pairing, clerk->province, clerk->item);
  GList *link = g_queue_find (&queue->clerks, clerk);
  guint index = g_queue_link_index (&queue->clerks, link);

  g_queue_delete_link (&queue->clerks, link);
  notify_positions (queue, index, events);
  drop_queue_if_empty (pairing, queue);
  clerk->clerk_state = VW_CLERK_IDLE;
  g_clear_pointer (&clerk->province, g_free);
  g_clear_pointer (&clerk->item, g_free);
}

/* Registration. */

static gboolean
check_new_id (VwPairing *pairing, const char *id, GError **error)
{
  Peer *peer = pairing_find_peer (pairing, id);

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
                      const char *province, const char *const *items,
                      gint64 now, GError **error)
{
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (agent != NULL, FALSE);
  g_return_val_if_fail (province != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_new_id (pairing, agent, error) || !check_province (agent, province, error))
    return FALSE;

  peer = peer_new (agent, VW_ROLE_AGENT);
  peer->province = g_strdup (province);
  peer->items = g_strdupv ((char **) items);
  peer->idle_since = now;   /* reset when it first becomes available */
  peer->serial = pairing->next_serial++;
  g_hash_table_insert (pairing->peers, peer->id, peer);
  g_ptr_array_add (pairing->agents, peer);
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

  peer = lookup_role (pairing, agent, VW_ROLE_AGENT, "go available or away", error);
  if (peer == NULL)
    return NULL;
  /* Refused both ways: a busy agent is freed by ending its pair (or its
   * release), and may not drop the session it is in by going away. */
  if (peer->agent_state == VW_AGENT_BUSY) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Agent “%s” is busy (%s) and cannot go %s", agent,
                 peer->claimed ? "claimed into a session" : peer->partner->id,
                 available ? "available" : "away");
    return NULL;
  }

  events = events_new ();
  if (!available) {
    if (peer->agent_state != VW_AGENT_AWAY)
      set_agent_state (peer, VW_AGENT_AWAY, 0, events);
  } else if (peer->agent_state != VW_AGENT_AVAILABLE) {
    /* From away, or ending wrap-up early.  Saying "available" again while
     * available changes nothing: the agent keeps its place. */
    agent_becomes_available (pairing, peer, now, events);
  }
  return g_steal_pointer (&events);
}

/* A clerk that may ask for an agent: registered, a clerk, idle. */
static Peer *
lookup_idle_clerk (VwPairing *pairing, const char *id, GError **error)
{
  Peer *peer = lookup_role (pairing, id, VW_ROLE_CLERK, "request an agent", error);

  if (peer == NULL)
    return NULL;
  if (peer->clerk_state == VW_CLERK_QUEUED) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Clerk “%s” is already waiting for %s/%s (position %u)", id,
                 peer->province, peer->item, vw_pairing_get_position (pairing, id));
    return NULL;
  }
  if (peer->clerk_state == VW_CLERK_PAIRED) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Clerk “%s” is already paired with agent “%s”", id,
                 peer->partner->id);
    return NULL;
  }
  return peer;
}

GPtrArray *
vw_pairing_request (VwPairing *pairing, const char *clerk,
                    const char *province, const char *item,
                    gboolean priority, gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (clerk != NULL, NULL);
  g_return_val_if_fail (province != NULL, NULL);
  g_return_val_if_fail (item != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  (void) now;   /* order comes from tickets, not clocks */
  peer = lookup_idle_clerk (pairing, clerk, error);
  if (peer == NULL || !check_province (clerk, province, error))
    return NULL;

  events = events_new ();
  place_clerk (pairing, peer, province, item, priority, events);
  return g_steal_pointer (&events);
}

static GPtrArray *
end_pair (VwPairing *pairing, const char *peer, gint64 now, gboolean served,
          GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *p, *agent, *clerk;

  p = lookup_peer (pairing, peer, error);
  if (p == NULL)
    return NULL;
  /* A claimed agent has no pair of its own: it leaves by its release. */
  if (p->partner == NULL) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "%s “%s” is not in a pair%s", p->role == VW_ROLE_AGENT ?
                 "Agent" : "Clerk", peer, p->claimed ? " (claimed: release it)" : "");
    return NULL;
  }

  events = events_new ();
  agent = p->role == VW_ROLE_AGENT ? p : p->partner;
  clerk = p->role == VW_ROLE_CLERK ? p : p->partner;
  break_pair (clerk, agent);
  if (served)
    agent_session_over (pairing, agent, now, events);
  else
    agent_becomes_available (pairing, agent, now, events);
  return g_steal_pointer (&events);
}

GPtrArray *
vw_pairing_end_pair (VwPairing *pairing, const char *peer,
                     gint64 now, GError **error)
{
  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (peer != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return end_pair (pairing, peer, now, TRUE, error);
}

GPtrArray *
vw_pairing_end_pair_unserved (VwPairing *pairing, const char *peer,
                              gint64 now, GError **error)
{
  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (peer != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return end_pair (pairing, peer, now, FALSE, error);
}

/* Deadline order: the wrap-up that ended first, then registration. */
static Peer *
find_first_wrap_up (VwPairing *pairing)
{
  Peer *best = NULL;

  for (guint i = 0; i < pairing->agents->len; i++) {
    Peer *agent = g_ptr_array_index (pairing->agents, i);

    if (agent->agent_state != VW_AGENT_WRAP_UP)
      continue;
    if (best == NULL || agent->until < best->until
        || (agent->until == best->until && agent->serial < best->serial))
      best = agent;
  }
  return best;
}

GPtrArray *
vw_pairing_tick (VwPairing *pairing, gint64 now)
{
  GPtrArray *events;
  Peer *agent;

  g_return_val_if_fail (pairing != NULL, NULL);

  events = events_new ();
  /* One at a time, earliest first, each taking its clerk before the next
   * one looks.  Idle since the wrap-up's end rather than since @now, so a
   * late tick does not reorder agents against ones that went available in
   * between. */
  while ((agent = find_first_wrap_up (pairing)) != NULL && agent->until <= now)
    agent_becomes_available (pairing, agent, agent->until, events);
  return events;
}

gint64
vw_pairing_next_deadline (VwPairing *pairing)
{
  Peer *agent;

  g_return_val_if_fail (pairing != NULL, -1);

  agent = find_first_wrap_up (pairing);
  return agent != NULL ? agent->until : -1;
}

GPtrArray *
vw_pairing_transfer_to_agent (VwPairing *pairing, const char *clerk,
                              const char *to, gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *peer, *from, *target;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (clerk != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  peer = lookup_paired_clerk (pairing, clerk, error);
  if (peer == NULL)
    return NULL;
  target = lookup_named_agent (pairing, to, error);
  if (target == NULL || !check_available (target, error))
    return NULL;

  events = events_new ();
  from = peer->partner;
  /* The request's province and item stay the clerk's: PAIRED tells them,
   * and a later transfer to a queue replaces them. */
  peer->partner = NULL;
  from->partner = NULL;
  agent_session_over (pairing, from, now, events);
  make_pair (peer, target, events);
  return g_steal_pointer (&events);
}

GPtrArray *
vw_pairing_transfer_to_queue (VwPairing *pairing, const char *clerk,
                              const char *province, const char *item,
                              gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *peer, *from;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (clerk != NULL, NULL);
  g_return_val_if_fail (province != NULL, NULL);
  g_return_val_if_fail (item != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  peer = lookup_paired_clerk (pairing, clerk, error);
  if (peer == NULL || !check_province (clerk, province, error))
    return NULL;

  events = events_new ();
  from = peer->partner;
  break_pair (peer, from);
  /* The old agent first: without wrap-up time it may take someone already
   * waiting, before the transferred clerk is placed. */
  agent_session_over (pairing, from, now, events);
  place_clerk (pairing, peer, province, item, TRUE, events);
  return g_steal_pointer (&events);
}

GPtrArray *
vw_pairing_claim_agent (VwPairing *pairing, const char *agent,
                        gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (agent != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  (void) now;
  peer = lookup_named_agent (pairing, agent, error);
  if (peer == NULL || !check_available (peer, error))
    return NULL;

  events = events_new ();
  peer->claimed = TRUE;
  set_agent_state (peer, VW_AGENT_BUSY, 0, events);
  return g_steal_pointer (&events);
}

GPtrArray *
vw_pairing_release_agent (VwPairing *pairing, const char *agent,
                          gint64 now, GError **error)
{
  g_autoptr(GPtrArray) events = NULL;
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (agent != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  peer = lookup_named_agent (pairing, agent, error);
  if (peer == NULL)
    return NULL;
  if (!peer->claimed) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
                 "Agent “%s” was not claimed into a session", agent);
    return NULL;
  }

  events = events_new ();
  agent_session_over (pairing, peer, now, events);
  return g_steal_pointer (&events);
}

static void
forget_peer (VwPairing *pairing, Peer *peer)
{
  if (peer->role == VW_ROLE_AGENT)
    g_ptr_array_remove (pairing->agents, peer);
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
  p = pairing_find_peer (pairing, peer);
  if (p == NULL)
    return events;

  partner = p->partner;
  if (p->role == VW_ROLE_CLERK && p->clerk_state == VW_CLERK_QUEUED) {
    unqueue_clerk (pairing, p, events);
  } else if (p->role == VW_ROLE_CLERK && partner != NULL) {
    break_pair (p, partner);
    agent_session_over (pairing, partner, now, events);
  } else if (partner != NULL) {
    /* A departing agent is never made available, and its going is no
     * state change to tell: its clerk just goes idle and may ask again. */
    break_pair (partner, p);
  }
  forget_peer (pairing, p);
  return events;
}
