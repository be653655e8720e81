/* vw-pairing-queries.c: VwPairing's read-only answers (states, partners,
 * positions, queue lengths and listings) for the broker, the agent console
 * and the wait estimate.  The rules themselves are in vw-pairing.c. */
#include "vw-pairing-private.h"

/* Queries.  Unknown ids get the neutral answer (not registered, away, no
 * partner, not queued, handles nothing) so callers need not check
 * has_peer() first. */

static Peer *
find_agent (VwPairing *pairing, const char *id)
{
  Peer *p = pairing_find_peer (pairing, id);

  return p != NULL && p->role == VW_ROLE_AGENT ? p : NULL;
}

gboolean
vw_pairing_has_peer (VwPairing *pairing, const char *peer)
{
  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);

  return pairing_find_peer (pairing, peer) != NULL;
}

gboolean
vw_pairing_is_agent (VwPairing *pairing, const char *peer)
{
  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);

  return find_agent (pairing, peer) != NULL;
}

VwAgentState
vw_pairing_get_agent_state (VwPairing *pairing, const char *agent)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, VW_AGENT_AWAY);
  g_return_val_if_fail (agent != NULL, VW_AGENT_AWAY);

  p = find_agent (pairing, agent);
  return p != NULL ? p->agent_state : VW_AGENT_AWAY;
}

VwClerkState
vw_pairing_get_clerk_state (VwPairing *pairing, const char *clerk)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, VW_CLERK_IDLE);
  g_return_val_if_fail (clerk != NULL, VW_CLERK_IDLE);

  p = pairing_find_peer (pairing, clerk);
  return p != NULL && p->role == VW_ROLE_CLERK ? p->clerk_state : VW_CLERK_IDLE;
}

gint64
vw_pairing_get_agent_until (VwPairing *pairing, const char *agent)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, 0);
  g_return_val_if_fail (agent != NULL, 0);

  p = find_agent (pairing, agent);
  return p != NULL ? p->until : 0;
}

gboolean
vw_pairing_agent_handles (VwPairing *pairing, const char *agent, const char *item)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (agent != NULL, FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  p = find_agent (pairing, agent);
  return p != NULL && pairing_agent_handles (p, item);
}

const char *
vw_pairing_get_partner (VwPairing *pairing, const char *peer)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  p = pairing_find_peer (pairing, peer);
  return p != NULL && p->partner != NULL ? p->partner->id : NULL;
}

guint
vw_pairing_get_position (VwPairing *pairing, const char *clerk)
{
  Peer *p;

  g_return_val_if_fail (pairing != NULL, 0);
  g_return_val_if_fail (clerk != NULL, 0);

  p = pairing_find_peer (pairing, clerk);
  if (p == NULL || p->role != VW_ROLE_CLERK || p->clerk_state != VW_CLERK_QUEUED)
    return 0;
  return g_queue_index (&pairing_find_queue (pairing, p->province, p->item)->clerks, p) + 1;
}

/* Whether some on-duty agent who could serve (@province, @item) also
 * serves @other's queue. */
static gboolean
shares_an_agent (VwPairing *pairing, const char *province, const char *item,
                 const WaitQueue *other)
{
  for (guint i = 0; i < pairing->agents->len; i++) {
    Peer *agent = g_ptr_array_index (pairing->agents, i);

    if (agent->agent_state != VW_AGENT_AWAY
        && pairing_agent_serves (agent, province, item)
        && pairing_agent_serves (agent, other->province, other->item))
      return TRUE;
  }
  return FALSE;
}

guint
vw_pairing_get_turn (VwPairing *pairing, const char *clerk)
{
  Peer *p;
  guint turn = 0;

  g_return_val_if_fail (pairing != NULL, 0);
  g_return_val_if_fail (clerk != NULL, 0);

  p = pairing_find_peer (pairing, clerk);
  if (p == NULL || p->role != VW_ROLE_CLERK || p->clerk_state != VW_CLERK_QUEUED)
    return 0;
  for (guint i = 0; i < pairing->queues->len; i++) {
    WaitQueue *queue = g_ptr_array_index (pairing->queues, i);
    gboolean own = g_strcmp0 (queue->province, p->province) == 0
        && g_strcmp0 (queue->item, p->item) == 0;

    if (!own && !shares_an_agent (pairing, p->province, p->item, queue))
      continue;
    /* Each queue is in serving order: count its clerks who go first. */
    for (GList *l = queue->clerks.head; l != NULL; l = l->next) {
      Peer *other = l->data;

      if (other != p && !pairing_clerk_goes_first (other, p))
        break;
      turn++;
      if (other == p)
        break;
    }
  }
  return turn;
}

guint
vw_pairing_get_queue_length (VwPairing *pairing, const char *province,
                             const char *item)
{
  WaitQueue *queue;

  g_return_val_if_fail (pairing != NULL, 0);
  g_return_val_if_fail (province != NULL, 0);
  g_return_val_if_fail (item != NULL, 0);

  queue = pairing_find_queue (pairing, province, item);
  return queue != NULL ? queue->clerks.length : 0;
}

guint
vw_pairing_count_agents_on_duty (VwPairing *pairing, const char *province,
                                 const char *item)
{
  guint n = 0;

  g_return_val_if_fail (pairing != NULL, 0);
  g_return_val_if_fail (province != NULL, 0);
  g_return_val_if_fail (item != NULL, 0);

  for (guint i = 0; i < pairing->agents->len; i++) {
    Peer *agent = g_ptr_array_index (pairing->agents, i);

    if (agent->agent_state != VW_AGENT_AWAY && pairing_agent_serves (agent, province, item))
      n++;
  }
  return n;
}

void
vw_pairing_count_agents (VwPairing *pairing, guint *counts)
{
  g_return_if_fail (pairing != NULL);
  g_return_if_fail (counts != NULL);

  for (guint s = 0; s < VW_AGENT_N_STATES; s++)
    counts[s] = 0;
  for (guint i = 0; i < pairing->agents->len; i++)
    counts[((Peer *) g_ptr_array_index (pairing->agents, i))->agent_state]++;
}

GPtrArray *
vw_pairing_list_queue (VwPairing *pairing, const char *province, const char *item)
{
  GPtrArray *ids;
  WaitQueue *queue;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (province != NULL, NULL);
  g_return_val_if_fail (item != NULL, NULL);

  ids = g_ptr_array_new ();
  queue = pairing_find_queue (pairing, province, item);
  for (GList *l = queue != NULL ? queue->clerks.head : NULL; l != NULL; l = l->next)
    g_ptr_array_add (ids, ((Peer *) l->data)->id);
  return ids;
}

static gint
compare_clerks (gconstpointer a, gconstpointer b)
{
  const Peer *ca = *(Peer *const *) a, *cb = *(Peer *const *) b;

  return pairing_clerk_goes_first (ca, cb) ? -1 : pairing_clerk_goes_first (cb, ca) ? 1 : 0;
}

GPtrArray *
vw_pairing_list_waiting_for (VwPairing *pairing, const char *agent)
{
  g_autoptr(GPtrArray) clerks = NULL;
  GPtrArray *ids;
  Peer *peer;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (agent != NULL, NULL);

  ids = g_ptr_array_new ();
  peer = find_agent (pairing, agent);
  if (peer == NULL)
    return ids;
  /* Each queue is already in serving order, and the agent takes the best
   * head each time: so the merge is the sort of all its waiting clerks by
   * the same rule. */
  clerks = g_ptr_array_new ();
  for (guint i = 0; i < pairing->queues->len; i++) {
    WaitQueue *queue = g_ptr_array_index (pairing->queues, i);

    if (!pairing_agent_serves (peer, queue->province, queue->item))
      continue;
    for (GList *l = queue->clerks.head; l != NULL; l = l->next)
      g_ptr_array_add (clerks, l->data);
  }
  g_ptr_array_sort (clerks, compare_clerks);
  for (guint i = 0; i < clerks->len; i++)
    g_ptr_array_add (ids, ((Peer *) g_ptr_array_index (clerks, i))->id);
  return ids;
}

GPtrArray *
vw_pairing_list_waiting_for_first (VwPairing *pairing, const char *agent, guint max,
                                   guint *total)
{
  g_autoptr(GPtrArray) heads = NULL;
  GPtrArray *ids;
  Peer *peer;
  guint n = 0;

  g_return_val_if_fail (pairing != NULL, NULL);
  g_return_val_if_fail (agent != NULL, NULL);

  ids = g_ptr_array_new ();
  peer = find_agent (pairing, agent);
  /* The agent's queues, each in serving order: a merge of their heads,
   * stopped after @max, costs @max steps per queue however many wait. */
  heads = g_ptr_array_new ();
  for (guint i = 0; peer != NULL && i < pairing->queues->len; i++) {
    WaitQueue *queue = g_ptr_array_index (pairing->queues, i);

    if (!pairing_agent_serves (peer, queue->province, queue->item))
      continue;
    n += queue->clerks.length;
    if (queue->clerks.head != NULL)
      g_ptr_array_add (heads, queue->clerks.head);
  }
  while (ids->len < max && heads->len > 0) {
    guint best = 0;

    for (guint i = 1; i < heads->len; i++)
      if (pairing_clerk_goes_first (((GList *) g_ptr_array_index (heads, i))->data,
                                    ((GList *) g_ptr_array_index (heads, best))->data))
        best = i;
    GList *l = g_ptr_array_index (heads, best);
    g_ptr_array_add (ids, ((Peer *) l->data)->id);
    if (l->next != NULL)
      g_ptr_array_index (heads, best) = l->next;
    else
      g_ptr_array_remove_index_fast (heads, best);
  }
  if (total != NULL)
    *total = n;
  return ids;
}

typedef struct {
  Peer *clerk;
  gboolean own;   /* in the queue whose turns are being counted */
} Competitor;

static gint
compare_competitors (gconstpointer a, gconstpointer b)
{
  const Peer *ca = ((const Competitor *) a)->clerk, *cb = ((const Competitor *) b)->clerk;

  return pairing_clerk_goes_first (ca, cb) ? -1 : pairing_clerk_goes_first (cb, ca) ? 1 : 0;
}

GArray *
vw_pairing_list_places (VwPairing *pairing)
{
  GArray *places;

  g_return_val_if_fail (pairing != NULL, NULL);

  places = g_array_new (FALSE, FALSE, sizeof (VwPairingPlace));
  /* Per queue, its clerks and those of the queues that compete for the
   * same agents, sorted once in serving order: a clerk's turn is its
   * index there (what vw_pairing_get_turn() counts for one clerk). */
  for (guint q = 0; q < pairing->queues->len; q++) {
    WaitQueue *queue = g_ptr_array_index (pairing->queues, q);
    g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Competitor));
    guint position = 0;

    for (guint r = 0; r < pairing->queues->len; r++) {
      WaitQueue *other = g_ptr_array_index (pairing->queues, r);

      if (other != queue && !shares_an_agent (pairing, queue->province, queue->item, other))
        continue;
      for (GList *l = other->clerks.head; l != NULL; l = l->next) {
        Competitor c = { l->data, other == queue };
        g_array_append_val (all, c);
      }
    }
    g_array_sort (all, compare_competitors);
    for (guint i = 0; i < all->len; i++) {
      Competitor *c = &g_array_index (all, Competitor, i);
      VwPairingPlace place;

      if (!c->own)
        continue;
      place = (VwPairingPlace) {
        .clerk = c->clerk->id, .province = queue->province, .item = queue->item,
        .position = ++position, .turn = i + 1,
      };
      g_array_append_val (places, place);
    }
  }
  return places;
}
