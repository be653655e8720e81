/* test-pairing-random.c: seeded random sequences of every vw-pairing
 * operation on a handful of agents (of several provinces and item sets)
 * and clerks, with a model of what the test knows, checking after each
 * step that:
 *
 *  - no agent is available while a queue it could serve is non-empty;
 *  - each queue holds its clerks at positions 1..n, priority entries first,
 *    each part in enqueue order, and every change of position was told;
 *  - a clerk is paired at most once per step, with an agent of its
 *    request's province handling its item (unless transferred to that
 *    agent), idle the longest among those available; an agent that comes
 *    free takes the clerk it should serve first;
 *  - every agent state change was told, in a legal order (PAIRED directly
 *    followed by that agent's "busy"; wrap-up with its deadline; wrap-up
 *    ends at the tick that passes it, earliest first);
 *  - refusals come exactly when the state before the call says so;
 *  - the counts and lists agree with the model, and a queued clerk's turn
 *    is at least its position and its place in the order of every agent
 *    on duty who could serve it.
 */
#include "pairing-helpers.h"

#define N_AGENTS 8
#define N_CLERKS 8
#define N_PEERS (N_AGENTS + N_CLERKS)
#define N_STEPS 6000

typedef enum {
  OP_ADD,
  OP_SET_AVAILABLE,
  OP_REQUEST,
  OP_END_PAIR,
  OP_REMOVE,
  OP_TICK,
  OP_TRANSFER_AGENT,
  OP_TRANSFER_QUEUE,
  OP_CLAIM,
  OP_RELEASE,
  OP_SET_WRAP_UP,
} Op;

/* zhejiang has no agent: its clerks wait until they leave or are moved. */
static const char *const provinces[] = { "shanghai", "jiangsu", "anhui", "zhejiang" };
static const char *const items[] = { SL, SP, YB, "GJJ-TQ-006" };
static const char *const agent_provinces[N_AGENTS] = {
  "shanghai", "shanghai", "shanghai", "shanghai", "jiangsu", "jiangsu", "anhui", "anhui",
};
static const char *const *const agent_items[N_AGENTS] = {
  ALL_ITEMS, ITEMS (SL), ITEMS (SL, SP), ITEMS (YB),
  ALL_ITEMS, ITEMS (SP),
  ITEMS (SL, YB), ITEMS (NULL),   /* the last handles nothing */
};
static const gint64 wrap_ups[] = { 0, 2, 6 };

typedef struct {
  VwPairing *p;
  GRand *rand;
  gint64 now;
  gint64 wrap_up;
  char *ids[N_PEERS];          /* agents first, then clerks */
  gboolean registered[N_PEERS];
  /* Agents. */
  guint64 serial[N_PEERS];     /* registration order */
  guint64 next_serial;
  gint64 idle_since[N_PEERS];
  gint64 until[N_PEERS];       /* wrap-up deadline, as told */
  VwAgentState told_state[N_PEERS];
  gboolean claimed[N_PEERS];
  /* Clerks. */
  const char *asked_province[N_PEERS];   /* current request, or NULL */
  const char *asked_item[N_PEERS];
  gboolean priority[N_PEERS];
  guint64 ticket[N_PEERS];     /* enqueue order */
  guint64 next_ticket;
  guint told[N_PEERS];         /* last position told, 0 if none */
  gboolean by_transfer[N_PEERS];   /* paired by transfer_to_agent */
  /* The current step. */
  Op op;
  int subject;                 /* the peer the operation is about */
  int to;                      /* transfer_to_agent: the target, or -1 */
  VwAgentState agent_before[N_PEERS];
  int partner_before[N_PEERS];
  guint position_before[N_PEERS];
  gboolean paired_in_step[N_PEERS];
  int expect_busy;             /* agent whose PAIRED was just told, or -1 */
  gint64 last_tick_until;      /* tick: deadline of the last agent freed */
  /* Coverage, so that a degenerate generator shows. */
  guint n_paired, n_choices, n_ties, n_item_skips, n_taken, n_moved,
        n_pushed_back, n_refused, n_wrap_ups, n_ticked, n_transfers, n_claims;
} Model;

static gboolean
is_agent_index (int i)
{
  return i < N_AGENTS;
}

static int
peer_index (Model *m, const char *id)
{
  for (int i = 0; i < N_PEERS; i++)
    if (g_str_equal (m->ids[i], id))
      return i;
  g_assert_not_reached ();
}

static int
partner_index (Model *m, int i)
{
  const char *partner = vw_pairing_get_partner (m->p, m->ids[i]);

  return partner != NULL ? peer_index (m, partner) : -1;
}

static gboolean
handles (int a, const char *item)
{
  return agent_items[a] == NULL || g_strv_contains (agent_items[a], item);
}

static gboolean
serves (int a, const char *province, const char *item)
{
  return g_str_equal (agent_provinces[a], province) && handles (a, item);
}

/* Agent @a before agent @b: idle longer, or as long and registered earlier. */
static gboolean
ranks_before (Model *m, int a, int b)
{
  if (m->idle_since[a] != m->idle_since[b])
    return m->idle_since[a] < m->idle_since[b];
  return m->serial[a] < m->serial[b];
}

/* Queued clerk @c before @d: priority first, then enqueue order. */
static gboolean
clerk_before (Model *m, int c, int d)
{
  if (m->priority[c] != m->priority[d])
    return m->priority[c];
  return m->ticket[c] < m->ticket[d];
}

static void
model_add (Model *m, int i)
{
  g_autoptr(GError) error = NULL;
  gboolean added = is_agent_index (i) ?
      vw_pairing_add_agent (m->p, m->ids[i], agent_provinces[i], agent_items[i],
                            m->now, &error) :
      vw_pairing_add_clerk (m->p, m->ids[i], &error);

  if (m->registered[i]) {
    g_assert_false (added);
    g_assert_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_ALREADY_REGISTERED);
    m->n_refused++;
    return;
  }
  g_assert_no_error (error);
  g_assert_true (added);
  m->registered[i] = TRUE;
  if (is_agent_index (i))
    m->serial[i] = m->next_serial++;
}

/* Events. */

static void
check_state_event (Model *m, VwPairingEvent *e)
{
  int a = peer_index (m, e->agent);
  VwAgentState from = m->told_state[a], to = e->agent_state;

  g_assert_true (is_agent_index (a));
  g_assert_cmpint (from, !=, to);
  g_assert_cmpint (e->until != 0, ==, to == VW_AGENT_WRAP_UP);
  if (to == VW_AGENT_BUSY) {
    /* Paired just before, or claimed. */
    g_assert_cmpint (from, ==, VW_AGENT_AVAILABLE);
    g_assert_true (m->expect_busy == a || (m->op == OP_CLAIM && m->subject == a));
  } else if (to == VW_AGENT_WRAP_UP) {
    g_assert_cmpint (from, ==, VW_AGENT_BUSY);
    g_assert_cmpint (m->wrap_up, >, 0);
    g_assert_cmpint (e->until, ==, m->now + m->wrap_up);
    m->until[a] = e->until;
    m->n_wrap_ups++;
  } else if (to == VW_AGENT_AWAY) {
    g_assert_cmpint (m->op, ==, OP_SET_AVAILABLE);
    g_assert_cmpint (from, !=, VW_AGENT_BUSY);
  } else if (from == VW_AGENT_WRAP_UP && m->op == OP_TICK) {
    /* Earliest deadline first, idle since its deadline. */
    g_assert_cmpint (m->until[a], <=, m->now);
    g_assert_cmpint (m->until[a], >=, m->last_tick_until);
    m->last_tick_until = m->until[a];
    m->idle_since[a] = m->until[a];
    m->n_ticked++;
  } else {
    /* Said "available", or free at once after a pair or claim. */
    if (from == VW_AGENT_BUSY)
      g_assert_cmpint (m->wrap_up, ==, 0);
    else
      g_assert_cmpint (m->op, ==, OP_SET_AVAILABLE);
    m->idle_since[a] = m->now;
  }
  if (to != VW_AGENT_WRAP_UP)
    m->until[a] = 0;
  m->told_state[a] = to;
  m->expect_busy = -1;
}

/* The clerk the request or transfer was about: the agent serving it that
 * was idle the longest, or the one it was transferred to. */
static void
check_subject_pairing (Model *m, int c, int a)
{
  if (m->op == OP_TRANSFER_AGENT) {
    g_assert_cmpint (a, ==, m->to);
    return;
  }
  g_assert_true (serves (a, m->asked_province[c], m->asked_item[c]));
  for (int b = 0; b < N_AGENTS; b++) {
    if (b == a || !m->registered[b] || m->told_state[b] != VW_AGENT_AVAILABLE
        || !g_str_equal (agent_provinces[b], agent_provinces[a]))
      continue;
    if (!handles (b, m->asked_item[c])) {
      m->n_item_skips += ranks_before (m, b, a);
      continue;
    }
    g_assert_true (ranks_before (m, a, b));
    m->n_choices++;
    m->n_ties += m->idle_since[a] == m->idle_since[b];
  }
}

/* A clerk that waited, taken by an agent that just came free: the one it
 * should serve first among those still waiting. */
static void
check_taken_from_queue (Model *m, int c, int a)
{
  g_assert_cmpuint (m->position_before[c], >, 0);
  g_assert_cmpint (m->agent_before[a], !=, VW_AGENT_AVAILABLE);
  g_assert_true (serves (a, m->asked_province[c], m->asked_item[c]));
  for (int d = N_AGENTS; d < N_PEERS; d++) {
    if (d == c || !m->registered[d] || m->position_before[d] == 0
        || m->paired_in_step[d] || !serves (a, m->asked_province[d], m->asked_item[d]))
      continue;
    g_assert_true (clerk_before (m, c, d));
  }
  m->n_taken++;
}

static void
check_paired_event (Model *m, GPtrArray *events, guint i)
{
  VwPairingEvent *e = g_ptr_array_index (events, i), *next;
  int c = peer_index (m, e->clerk), a = peer_index (m, e->agent);

  g_assert_false (is_agent_index (c));
  g_assert_true (is_agent_index (a));
  g_assert_cmpint (m->told_state[a], ==, VW_AGENT_AVAILABLE);
  /* Directly followed by the agent's "busy". */
  g_assert_cmpuint (i + 1, <, events->len);
  next = g_ptr_array_index (events, i + 1);
  g_assert_cmpint (next->type, ==, VW_PAIRING_EVENT_AGENT_STATE);
  g_assert_cmpstr (next->agent, ==, e->agent);
  g_assert_cmpint (next->agent_state, ==, VW_AGENT_BUSY);
  /* At most once, for what it asked. */
  g_assert_false (m->paired_in_step[c]);
  g_assert_cmpstr (e->province, ==, m->asked_province[c]);
  g_assert_cmpstr (e->item, ==, m->asked_item[c]);
  g_assert_cmpint (partner_index (m, c), ==, a);

  if (c == m->subject && m->position_before[c] == 0)
    check_subject_pairing (m, c, a);
  else
    check_taken_from_queue (m, c, a);
  m->by_transfer[c] = m->op == OP_TRANSFER_AGENT && c == m->subject;
  m->paired_in_step[c] = TRUE;
  m->told[c] = 0;
  m->expect_busy = a;
  m->n_paired++;
}

static void
check_queued_event (Model *m, VwPairingEvent *e)
{
  int c = peer_index (m, e->clerk);

  g_assert_false (is_agent_index (c));
  g_assert_cmpstr (e->province, ==, m->asked_province[c]);
  g_assert_cmpstr (e->item, ==, m->asked_item[c]);
  /* Told only when it changes. */
  g_assert_cmpuint (e->position, !=, m->told[c]);
  if (m->told[c] != 0) {
    m->n_moved++;
    m->n_pushed_back += e->position > m->told[c];
  }
  m->told[c] = e->position;
}

static void
check_events (Model *m, GPtrArray *events)
{
  m->expect_busy = -1;
  m->last_tick_until = G_MININT64;
  for (guint i = 0; i < events->len; i++) {
    VwPairingEvent *e = g_ptr_array_index (events, i);

    if (e->type == VW_PAIRING_EVENT_PAIRED)
      check_paired_event (m, events, i);
    else if (e->type == VW_PAIRING_EVENT_QUEUED)
      check_queued_event (m, e);
    else
      check_state_event (m, e);
  }
  g_assert_cmpint (m->expect_busy, ==, -1);
}

/* Invariants. */

static void
check_agent (Model *m, int a, guint *counts)
{
  VwAgentState state = vw_pairing_get_agent_state (m->p, m->ids[a]);
  int partner = partner_index (m, a);

  /* Every change was told. */
  g_assert_cmpint (state, ==, m->told_state[a]);
  counts[state]++;
  g_assert_cmpint (state == VW_AGENT_BUSY, ==, partner >= 0 || m->claimed[a]);
  g_assert_false (m->claimed[a] && partner >= 0);
  g_assert_cmpint (vw_pairing_get_agent_until (m->p, m->ids[a]), ==,
                   state == VW_AGENT_WRAP_UP ? m->until[a] : 0);
  if (m->op == OP_TICK && state == VW_AGENT_WRAP_UP)
    g_assert_cmpint (m->until[a], >, m->now);
  if (state != VW_AGENT_AVAILABLE)
    return;
  /* The invariant: nothing it could serve is waiting. */
  for (guint k = 0; k < G_N_ELEMENTS (items); k++)
    if (handles (a, items[k]))
      g_assert_cmpuint (vw_pairing_get_queue_length (m->p, agent_provinces[a], items[k]), ==, 0);
  assert_events (list_waiting_for (m->p, m->ids[a]), "");
}

/* The turn counts at least the clerks each agent on duty who could serve
 * @c takes before it, and at least its own queue's. */
static void
check_turn (Model *m, int c, guint position)
{
  guint turn = vw_pairing_get_turn (m->p, m->ids[c]);

  g_assert_cmpint (turn > 0, ==, position > 0);
  g_assert_cmpuint (turn, >=, position);
  if (position == 0)
    return;
  for (int a = 0; a < N_AGENTS; a++) {
    if (!m->registered[a] || vw_pairing_get_agent_state (m->p, m->ids[a]) == VW_AGENT_AWAY
        || !serves (a, m->asked_province[c], m->asked_item[c]))
      continue;
    g_autoptr(GPtrArray) order = vw_pairing_list_waiting_for (m->p, m->ids[a]);
    guint k = 0;
    while (k < order->len && !g_str_equal (g_ptr_array_index (order, k), m->ids[c]))
      k++;
    g_assert_cmpuint (k, <, order->len);
    g_assert_cmpuint (turn, >=, k + 1);
  }
}

static void
check_clerk (Model *m, int c, int *clerks_of)
{
  guint position = vw_pairing_get_position (m->p, m->ids[c]);
  int partner = partner_index (m, c);
  VwClerkState state = vw_pairing_get_clerk_state (m->p, m->ids[c]);

  g_assert_cmpuint (position, ==, m->told[c]);
  g_assert_cmpint (state == VW_CLERK_QUEUED, ==, position > 0);
  check_turn (m, c, position);
  g_assert_cmpint (state == VW_CLERK_PAIRED, ==, partner >= 0);
  g_assert_cmpint (m->asked_province[c] != NULL, ==, position > 0 || partner >= 0);
  if (partner < 0)
    return;
  clerks_of[partner]++;
  /* Offered only what the agent handles, unless sent to it by name. */
  if (!m->by_transfer[c])
    g_assert_true (serves (partner, m->asked_province[c], m->asked_item[c]));
}

/* Each queue: its clerks only, at 1..n, in serving order. */
static guint
check_queue (Model *m, const char *province, const char *item)
{
  g_autoptr(GPtrArray) ids = vw_pairing_list_queue (m->p, province, item);
  int prev = -1;

  g_assert_cmpuint (ids->len, ==, vw_pairing_get_queue_length (m->p, province, item));
  for (guint k = 0; k < ids->len; k++) {
    int c = peer_index (m, g_ptr_array_index (ids, k));

    g_assert_cmpstr (m->asked_province[c], ==, province);
    g_assert_cmpstr (m->asked_item[c], ==, item);
    g_assert_cmpuint (vw_pairing_get_position (m->p, m->ids[c]), ==, k + 1);
    if (prev >= 0)
      g_assert_true (clerk_before (m, prev, c));
    prev = c;
  }
  return ids->len;
}

/* What an agent's console lists: the model's own merge. */
static void
check_waiting_for (Model *m, int a)
{
  g_autoptr(GPtrArray) ids = vw_pairing_list_waiting_for (m->p, m->ids[a]);
  guint n = 0;

  for (int c = N_AGENTS; c < N_PEERS; c++)
    n += m->registered[c] && m->told[c] > 0
         && serves (a, m->asked_province[c], m->asked_item[c]);
  g_assert_cmpuint (ids->len, ==, n);
  for (guint k = 1; k < ids->len; k++)
    g_assert_true (clerk_before (m, peer_index (m, g_ptr_array_index (ids, k - 1)),
                                 peer_index (m, g_ptr_array_index (ids, k))));
  /* The bounded listing: the same head, and the count of them all. */
  for (guint max = 0; max <= 3; max++) {
    guint total = G_MAXUINT;
    g_autoptr(GPtrArray) first = vw_pairing_list_waiting_for_first (m->p, m->ids[a], max,
                                                                     &total);

    g_assert_cmpuint (total, ==, n);
    g_assert_cmpuint (first->len, ==, MIN (max, n));
    for (guint k = 0; k < first->len; k++)
      g_assert_cmpstr (g_ptr_array_index (first, k), ==, g_ptr_array_index (ids, k));
  }
}

/* Every queued clerk's place, all at once, as one by one. */
static void
check_places (Model *m)
{
  g_autoptr(GArray) places = vw_pairing_list_places (m->p);
  guint queued = 0;

  for (int c = N_AGENTS; c < N_PEERS; c++)
    queued += m->registered[c] && vw_pairing_get_position (m->p, m->ids[c]) > 0;
  g_assert_cmpuint (places->len, ==, queued);
  for (guint i = 0; i < places->len; i++) {
    VwPairingPlace *place = &g_array_index (places, VwPairingPlace, i);

    g_assert_cmpuint (place->position, ==, vw_pairing_get_position (m->p, place->clerk));
    g_assert_cmpuint (place->turn, ==, vw_pairing_get_turn (m->p, place->clerk));
  }
}

static void
check_counts (Model *m, const guint *counts)
{
  guint got[VW_AGENT_N_STATES];

  vw_pairing_count_agents (m->p, got);
  for (guint s = 0; s < VW_AGENT_N_STATES; s++)
    g_assert_cmpuint (got[s], ==, counts[s]);
  for (guint p = 0; p < G_N_ELEMENTS (provinces); p++) {
    for (guint k = 0; k < G_N_ELEMENTS (items); k++) {
      guint on_duty = 0;

      for (int a = 0; a < N_AGENTS; a++)
        on_duty += m->registered[a] && m->told_state[a] != VW_AGENT_AWAY
                   && serves (a, provinces[p], items[k]);
      g_assert_cmpuint (vw_pairing_count_agents_on_duty (m->p, provinces[p], items[k]),
                        ==, on_duty);
    }
  }
}

static void
check_invariants (Model *m)
{
  int clerks_of[N_PEERS] = { 0 };
  guint counts[VW_AGENT_N_STATES] = { 0 };
  guint n_queued = 0, n_in_queues = 0;
  gint64 deadline = -1;

  for (int i = 0; i < N_PEERS; i++) {
    int partner = partner_index (m, i);

    g_assert_cmpint (vw_pairing_has_peer (m->p, m->ids[i]), ==, m->registered[i]);
    g_assert_cmpint (vw_pairing_is_agent (m->p, m->ids[i]), ==,
                     m->registered[i] && is_agent_index (i));
    if (!m->registered[i]) {
      g_assert_cmpint (partner, ==, -1);
      g_assert_cmpuint (vw_pairing_get_position (m->p, m->ids[i]), ==, 0);
      continue;
    }
    /* Partner symmetry, agent with clerk. */
    if (partner >= 0) {
      g_assert_cmpint (is_agent_index (partner), !=, is_agent_index (i));
      g_assert_cmpint (partner_index (m, partner), ==, i);
    }
    if (is_agent_index (i)) {
      check_agent (m, i, counts);
      check_waiting_for (m, i);
      if (m->told_state[i] == VW_AGENT_WRAP_UP && (deadline < 0 || m->until[i] < deadline))
        deadline = m->until[i];
    } else {
      check_clerk (m, i, clerks_of);
      n_queued += m->told[i] > 0;
    }
  }
  for (int a = 0; a < N_AGENTS; a++)
    g_assert_cmpint (clerks_of[a], <=, 1);
  g_assert_cmpint (vw_pairing_next_deadline (m->p), ==, deadline);
  for (guint p = 0; p < G_N_ELEMENTS (provinces); p++)
    for (guint k = 0; k < G_N_ELEMENTS (items); k++)
      n_in_queues += check_queue (m, provinces[p], items[k]);
  g_assert_cmpuint (n_in_queues, ==, n_queued);
  check_places (m);
  check_counts (m, counts);
}

/* Choosing what to do. */

static gboolean
is_paired_clerk (Model *m, int i)
{
  return !is_agent_index (i) && m->partner_before[i] >= 0;
}

/* The error a call of @op about peer @i must get, judged from the state
 * before it, or -1. */
static int
expected_error (Model *m, int i, const char *province)
{
  gboolean agent = m->registered[i] && is_agent_index (i);

  switch (m->op) {
  case OP_CLAIM:
    if (!agent)
      return VW_PROTOCOL_ERROR_UNKNOWN_AGENT;
    return m->agent_before[i] != VW_AGENT_AVAILABLE ? VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE : -1;
  case OP_RELEASE:
    if (!agent)
      return VW_PROTOCOL_ERROR_UNKNOWN_AGENT;
    return !m->claimed[i] ? VW_PROTOCOL_ERROR_WRONG_STATE : -1;
  default:
    break;
  }
  if (!m->registered[i])
    return VW_PROTOCOL_ERROR_NOT_REGISTERED;
  switch (m->op) {
  case OP_END_PAIR:
    return m->partner_before[i] < 0 ? VW_PROTOCOL_ERROR_WRONG_STATE : -1;
  case OP_SET_AVAILABLE:
    if (!is_agent_index (i))
      return VW_PROTOCOL_ERROR_WRONG_ROLE;
    return m->agent_before[i] == VW_AGENT_BUSY ? VW_PROTOCOL_ERROR_WRONG_STATE : -1;
  case OP_REQUEST:
    if (is_agent_index (i))
      return VW_PROTOCOL_ERROR_WRONG_ROLE;
    if (m->position_before[i] > 0 || m->partner_before[i] >= 0)
      return VW_PROTOCOL_ERROR_WRONG_STATE;
    return vw_province_is_known (province) ? -1 : VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE;
  default:   /* transfers */
    if (is_agent_index (i))
      return VW_PROTOCOL_ERROR_WRONG_ROLE;
    if (m->partner_before[i] < 0)
      return VW_PROTOCOL_ERROR_WRONG_STATE;
    if (m->op == OP_TRANSFER_QUEUE)
      return vw_province_is_known (province) ? -1 : VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE;
    if (!m->registered[m->to] || !is_agent_index (m->to))
      return VW_PROTOCOL_ERROR_UNKNOWN_AGENT;
    return m->agent_before[m->to] != VW_AGENT_AVAILABLE ? VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE : -1;
  }
}

/* Whether peer @i, as things stand, is a good target for the operation. */
static gboolean
fits (Model *m, int i)
{
  if (!m->registered[i])
    return FALSE;
  switch (m->op) {
  case OP_SET_AVAILABLE:
    return is_agent_index (i) && m->agent_before[i] != VW_AGENT_BUSY;
  case OP_REQUEST:
    return !is_agent_index (i) && m->position_before[i] == 0 && m->partner_before[i] < 0;
  case OP_END_PAIR:
    return m->partner_before[i] >= 0;
  case OP_TRANSFER_AGENT:
  case OP_TRANSFER_QUEUE:
    return is_paired_clerk (m, i);
  case OP_CLAIM:
    return is_agent_index (i) && m->agent_before[i] == VW_AGENT_AVAILABLE;
  case OP_RELEASE:
    return is_agent_index (i) && m->claimed[i];
  case OP_REMOVE:
    /* Not an idle clerk, so that clerks stuck in queues no agent serves
     * leave now and then. */
    return is_agent_index (i) || m->position_before[i] > 0 || m->partner_before[i] >= 0;
  default:
    return TRUE;
  }
}

/* Mostly a peer the operation fits, so that most steps do something;
 * sometimes anyone, so that every refusal comes up too. */
static int
pick_peer (Model *m)
{
  int i = g_rand_int_range (m->rand, 0, N_PEERS);

  if (g_rand_int_range (m->rand, 0, 8) == 0)
    return i;
  for (int tries = 0; tries < 4 * N_PEERS && !fits (m, i); tries++)
    i = g_rand_int_range (m->rand, 0, N_PEERS);
  return i;
}

static int
pick_target (Model *m)
{
  int a = g_rand_int_range (m->rand, 0, N_PEERS);

  if (g_rand_int_range (m->rand, 0, 6) == 0)
    return a;
  for (int tries = 0; tries < 4 * N_AGENTS; tries++) {
    a = g_rand_int_range (m->rand, 0, N_AGENTS);
    if (m->registered[a] && m->agent_before[a] == VW_AGENT_AVAILABLE)
      break;
  }
  return a;
}

/* Mostly what some agent serves, so that clerks do not pile up; now and
 * then anything: an item nobody there handles, the agentless zhejiang, or
 * the unknown fujian. */
static void
pick_request (Model *m, const char **province, const char **item)
{
  int a = g_rand_int_range (m->rand, 0, N_AGENTS - 1);   /* not the one with no items */
  const char *const *handled = agent_items[a];

  *item = items[g_rand_int_range (m->rand, 0, G_N_ELEMENTS (items))];
  *province = agent_provinces[a];
  if (g_rand_int_range (m->rand, 0, 20) == 0) {
    guint roll = g_rand_int_range (m->rand, 0, 10);

    *province = roll == 0 ? "fujian" : provinces[roll % G_N_ELEMENTS (provinces)];
  } else if (handled != NULL) {
    *item = handled[g_rand_int_range (m->rand, 0, g_strv_length ((char **) handled))];
  }
}

static Op
pick_op (Model *m)
{
  static const struct { guint below; Op op; } table[] = {
    { 2, OP_ADD }, { 18, OP_SET_AVAILABLE }, { 40, OP_REQUEST },
    { 56, OP_END_PAIR }, { 63, OP_REMOVE }, { 76, OP_TICK },
    { 81, OP_TRANSFER_AGENT }, { 86, OP_TRANSFER_QUEUE }, { 89, OP_CLAIM },
    { 94, OP_RELEASE }, { 95, OP_SET_WRAP_UP }, { 100, OP_TICK },
  };
  guint roll = g_rand_int_range (m->rand, 0, 100);

  for (guint k = 0; k < G_N_ELEMENTS (table); k++)
    if (roll < table[k].below)
      return table[k].op;
  g_assert_not_reached ();
}

/* Steps. */

/* @flag: available (set_available) or priority (request). */
static GPtrArray *
call (Model *m, int i, const char *province, const char *item,
      gboolean flag, GError **error)
{
  const char *id = m->ids[i];

  switch (m->op) {
  case OP_SET_AVAILABLE:
    return vw_pairing_set_available (m->p, id, flag, m->now, error);
  case OP_REQUEST:
    return vw_pairing_request (m->p, id, province, item, flag, m->now, error);
  case OP_END_PAIR:
    return vw_pairing_end_pair (m->p, id, m->now, error);
  case OP_REMOVE:
    return vw_pairing_remove (m->p, id, m->now);
  case OP_TICK:
    return vw_pairing_tick (m->p, m->now);
  case OP_TRANSFER_AGENT:
    return vw_pairing_transfer_to_agent (m->p, id, m->ids[m->to], m->now, error);
  case OP_TRANSFER_QUEUE:
    return vw_pairing_transfer_to_queue (m->p, id, province, item, m->now, error);
  case OP_CLAIM:
    return vw_pairing_claim_agent (m->p, id, m->now, error);
  case OP_RELEASE:
    return vw_pairing_release_agent (m->p, id, m->now, error);
  default:
    g_assert_not_reached ();
  }
}

/* What the model learns from a successful call, besides its events. */
static void
model_after (Model *m, int i, gboolean priority)
{
  if (m->op == OP_CLAIM) {
    m->claimed[i] = TRUE;
    m->n_claims++;
  } else if (m->op == OP_RELEASE) {
    m->claimed[i] = FALSE;
  } else if (m->op == OP_REMOVE) {
    m->registered[i] = FALSE;
    m->told[i] = 0;
    m->claimed[i] = FALSE;
    m->told_state[i] = VW_AGENT_AWAY;   /* no event: as good as away */
    m->until[i] = 0;
  } else if (m->op == OP_TRANSFER_AGENT || m->op == OP_TRANSFER_QUEUE) {
    m->n_transfers++;
  }
  for (int c = N_AGENTS; c < N_PEERS; c++) {
    /* Newly queued: the request's or the transfer's clerk. */
    if (m->told[c] > 0 && m->position_before[c] == 0) {
      g_assert_cmpint (c, ==, i);
      m->priority[c] = priority;
      m->ticket[c] = m->next_ticket++;
    }
    if (m->told[c] == 0 && (!m->registered[c] || partner_index (m, c) < 0)) {
      m->asked_province[c] = m->asked_item[c] = NULL;
      m->by_transfer[c] = FALSE;
    }
  }
}

static void
model_step (Model *m)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  guint roll = g_rand_int_range (m->rand, 0, 4);
  const char *province, *item;
  gboolean flag;
  int i, expected;

  /* Often the same instant, so idle ties happen. */
  m->now += g_rand_int_range (m->rand, 0, 3) == 0;
  m->op = pick_op (m);
  pick_request (m, &province, &item);
  for (int j = 0; j < N_PEERS; j++) {
    m->agent_before[j] = vw_pairing_get_agent_state (m->p, m->ids[j]);
    m->partner_before[j] = partner_index (m, j);
    m->position_before[j] = vw_pairing_get_position (m->p, m->ids[j]);
    m->paired_in_step[j] = FALSE;
  }
  if (m->op == OP_SET_WRAP_UP) {
    m->wrap_up = wrap_ups[g_rand_int_range (m->rand, 0, G_N_ELEMENTS (wrap_ups))];
    vw_pairing_set_wrap_up (m->p, m->wrap_up);
    return;
  }
  i = m->op == OP_ADD ? g_rand_int_range (m->rand, 0, N_PEERS) : pick_peer (m);
  m->subject = m->op == OP_TICK ? -1 : i;
  m->to = m->op == OP_TRANSFER_AGENT ? pick_target (m) : -1;

  /* Departed peers mostly come back; sometimes a registered id is reused. */
  if (m->op == OP_ADD || (m->op != OP_TICK && !m->registered[i]
                          && g_rand_int_range (m->rand, 0, 4) != 0)) {
    model_add (m, i);
    check_invariants (m);
    return;
  }
  /* Mostly "available" rather than "away"; now and then a priority
   * request. */
  flag = m->op == OP_REQUEST ? roll == 0 : roll != 0;
  events = call (m, i, province, item, flag, &error);
  expected = m->op == OP_REMOVE || m->op == OP_TICK ? -1 : expected_error (m, i, province);

  if (expected >= 0) {
    g_assert_error (error, VW_PROTOCOL_ERROR, expected);
    g_assert_null (events);
    m->n_refused++;
  } else {
    g_assert_no_error (error);
    g_assert_nonnull (events);
    if (m->op == OP_REQUEST || m->op == OP_TRANSFER_QUEUE) {
      m->asked_province[i] = province;
      m->asked_item[i] = item;
    }
    check_events (m, events);
    /* A transfer to a queue is a priority request. */
    model_after (m, i, m->op == OP_TRANSFER_QUEUE || (m->op == OP_REQUEST && flag));
  }
  check_invariants (m);
}

static void
test_random (gconstpointer data)
{
  guint32 seed = GPOINTER_TO_UINT (data);
  Model m = { 0 };

  g_test_message ("seed %u", seed);
  m.p = vw_pairing_new ();
  m.rand = g_rand_new_with_seed (seed);
  m.wrap_up = wrap_ups[seed % G_N_ELEMENTS (wrap_ups)];
  vw_pairing_set_wrap_up (m.p, m.wrap_up);
  for (int i = 0; i < N_PEERS; i++) {
    m.ids[i] = is_agent_index (i) ?
        g_strdup_printf ("agent-%s-%d", agent_provinces[i], i) :
        g_strdup_printf ("clerk-%d", i - N_AGENTS);
    model_add (&m, i);
  }
  m.n_refused = 0;

  for (guint step = 0; step < N_STEPS; step++)
    model_step (&m);

  g_test_message ("%u pairs (%u taken from queues; %u agents passed over, %u on a "
                  "tie, %u for the item), %u moves (%u pushed back), %u wrap-ups "
                  "(%u ended by tick), %u transfers, %u claims, %u refusals",
                  m.n_paired, m.n_taken, m.n_choices, m.n_ties, m.n_item_skips,
                  m.n_moved, m.n_pushed_back, m.n_wrap_ups, m.n_ticked,
                  m.n_transfers, m.n_claims, m.n_refused);
  /* Every path came up often enough (the generator is not degenerate). */
  g_assert_cmpuint (m.n_paired, >, N_STEPS / 10);
  g_assert_cmpuint (m.n_taken, >, N_STEPS / 40);
  g_assert_cmpuint (m.n_choices, >, N_STEPS / 300);
  g_assert_cmpuint (m.n_ties, >, 0);
  g_assert_cmpuint (m.n_item_skips, >, N_STEPS / 300);
  g_assert_cmpuint (m.n_moved, >, N_STEPS / 30);
  g_assert_cmpuint (m.n_pushed_back, >, N_STEPS / 100);
  g_assert_cmpuint (m.n_wrap_ups, >, N_STEPS / 30);
  g_assert_cmpuint (m.n_ticked, >, N_STEPS / 60);
  g_assert_cmpuint (m.n_transfers, >, N_STEPS / 60);
  g_assert_cmpuint (m.n_claims, >, N_STEPS / 100);
  g_assert_cmpuint (m.n_refused, >, N_STEPS / 20);

  vw_pairing_free (m.p);
  g_rand_free (m.rand);
  for (int i = 0; i < N_PEERS; i++)
    g_free (m.ids[i]);
}

int
main (int argc, char *argv[])
{
  static const guint32 seeds[] = { 1, 2, 3, 20240612, 0xdeadbeef, 7777 };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++) {
    g_autofree char *path = g_strdup_printf ("/pairing/random/%u", seeds[i]);

    g_test_add_data_func (path, GUINT_TO_POINTER (seeds[i]), test_random);
  }

  return g_test_run ();
}
