/* test-pairing.c: unit tests for routing in vw-pairing.c: which agent a
 * clerk's request goes to (province, item, longest idle), the per-item
 * queues and their positions, priority entries, what an agent takes when
 * it becomes available, removal, refusals and queries.
 *
 * Wrap-up, transfers and claims are in test-pairing-flow.c, the seeded
 * randomized invariants in test-pairing-random.c; the helpers and the
 * event notation in pairing-helpers.h.  Wrap-up time is 0 here unless a
 * test says otherwise, so an ended pair frees its agent at once.
 */
#include "pairing-helpers.h"

#include <string.h>

#define SH_SL "shanghai/" SL
#define SH_SP "shanghai/" SP
#define SH_YB "shanghai/" YB
#define AH_SL "anhui/" SL

/* Requests. */

static void
test_request_pairs_at_once (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  assert_agent (p, "huangpu-1", VW_AGENT_AWAY);
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "STATE huangpu-1 available");
  assert_agent (p, "huangpu-1", VW_AGENT_AVAILABLE);
  add_clerk (p, "wujiang-1");
  assert_idle_clerk (p, "wujiang-1");

  assert_events (request (p, "wujiang-1", "shanghai", SL, 200),
                 "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
  assert_paired (p, "wujiang-1", "huangpu-1");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai", SL), ==, 0);
}

static void
test_request_queues_per_item (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  /* An agent that is away is no agent at all. */
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "jiashan-2");

  /* Each item has its own queue, counted from 1. */
  assert_events (request (p, "wujiang-1", "shanghai", SL, 100), "QUEUED wujiang-1 " SH_SL " 1");
  assert_events (request (p, "jiashan-1", "shanghai", SP, 110), "QUEUED jiashan-1 " SH_SP " 1");
  assert_events (request (p, "wujiang-2", "shanghai", SL, 120), "QUEUED wujiang-2 " SH_SL " 2");
  assert_events (request (p, "jiashan-2", "anhui", SL, 130), "QUEUED jiashan-2 " AH_SL " 1");
  assert_queued (p, "wujiang-1", 1);
  assert_queued (p, "jiashan-1", 1);
  assert_queued (p, "wujiang-2", 2);
  assert_queued (p, "jiashan-2", 1);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai", SL), ==, 2);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai", SP), ==, 1);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai", YB), ==, 0);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "anhui", SL), ==, 1);
  assert_events (list_queue (p, "shanghai", SL), "wujiang-1 wujiang-2");
  assert_events (list_queue (p, "shanghai", YB), "");
  assert_agent (p, "huangpu-1", VW_AGENT_AWAY);
}

static void
test_available_pairs_first_waiter (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "wujiang-2");
  assert_events (request (p, "wujiang-1", "shanghai", SL, 100), "QUEUED wujiang-1 " SH_SL " 1");
  assert_events (request (p, "jiashan-1", "shanghai", SL, 110), "QUEUED jiashan-1 " SH_SL " 2");
  assert_events (request (p, "wujiang-2", "shanghai", SL, 120), "QUEUED wujiang-2 " SH_SL " 3");

  assert_events (set_available (p, "huangpu-1", TRUE, 200),
                 "STATE huangpu-1 available; "
                 "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy; "
                 "QUEUED jiashan-1 " SH_SL " 1; QUEUED wujiang-2 " SH_SL " 2");
  assert_paired (p, "wujiang-1", "huangpu-1");
  assert_queued (p, "jiashan-1", 1);
  assert_queued (p, "wujiang-2", 2);
}

/* Choosing the agent. */

static void
test_choice_longest_idle (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "qingpu-1", "shanghai", ALL_ITEMS, 0);
  /* Free at different times, in neither registration nor call order. */
  assert_events (set_available (p, "huangpu-1", TRUE, 300), "STATE huangpu-1 available");
  assert_events (set_available (p, "qingpu-1", TRUE, 200), "STATE qingpu-1 available");
  assert_events (set_available (p, "huangpu-2", TRUE, 100), "STATE huangpu-2 available");
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "wujiang-3");

  /* Whatever the item: idleness counts across items. */
  assert_events (request (p, "wujiang-1", "shanghai", SL, 400),
                 "PAIRED wujiang-1 huangpu-2 " SH_SL "; STATE huangpu-2 busy");
  assert_events (request (p, "wujiang-2", "shanghai", SP, 400),
                 "PAIRED wujiang-2 qingpu-1 " SH_SP "; STATE qingpu-1 busy");
  assert_events (request (p, "wujiang-3", "shanghai", YB, 400),
                 "PAIRED wujiang-3 huangpu-1 " SH_YB "; STATE huangpu-1 busy");
}

static void
test_choice_tie_by_registration (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  /* Registered in the order qingpu-1, huangpu-1, huangpu-2 (not the
   * alphabetical one), all free at the same instant, announced backwards. */
  add_agent (p, "qingpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  g_free (set_available (p, "huangpu-2", TRUE, 100));
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "qingpu-1", TRUE, 100));
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "wujiang-3");

  assert_events (request (p, "wujiang-1", "shanghai", SL, 200),
                 "PAIRED wujiang-1 qingpu-1 " SH_SL "; STATE qingpu-1 busy");
  assert_events (request (p, "wujiang-2", "shanghai", SL, 200),
                 "PAIRED wujiang-2 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
  assert_events (request (p, "wujiang-3", "shanghai", SL, 200),
                 "PAIRED wujiang-3 huangpu-2 " SH_SL "; STATE huangpu-2 busy");
}

static void
test_choice_idle_since_pair_ended (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "huangpu-2", TRUE, 200));
  assert_events (request (p, "wujiang-1", "shanghai", SL, 250),
                 "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
  /* No wrap-up time: huangpu-1 is idle since 300, huangpu-2 still since 200. */
  assert_events (end_pair (p, "wujiang-1", 300), "STATE huangpu-1 available");
  assert_events (request (p, "wujiang-2", "shanghai", SL, 400),
                 "PAIRED wujiang-2 huangpu-2 " SH_SL "; STATE huangpu-2 busy");
  assert_events (request (p, "wujiang-1", "shanghai", SL, 400),
                 "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
}

static void
test_choice_reannounce_keeps_place (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "huangpu-2", TRUE, 100));
  g_free (set_available (p, "huangpu-1", TRUE, 200));
  /* Saying "available" again is no change and no new start of idleness... */
  assert_events (set_available (p, "huangpu-2", TRUE, 300), "");
  assert_events (request (p, "wujiang-1", "shanghai", SL, 400),
                 "PAIRED wujiang-1 huangpu-2 " SH_SL "; STATE huangpu-2 busy");
  g_free (end_pair (p, "huangpu-2", 500));

  /* ...but going away and coming back is. */
  assert_events (set_available (p, "huangpu-1", FALSE, 600), "STATE huangpu-1 away");
  assert_agent (p, "huangpu-1", VW_AGENT_AWAY);
  assert_events (set_available (p, "huangpu-1", FALSE, 650), "");
  assert_events (set_available (p, "huangpu-1", TRUE, 700), "STATE huangpu-1 available");
  assert_events (request (p, "wujiang-1", "shanghai", SL, 800),
                 "PAIRED wujiang-1 huangpu-2 " SH_SL "; STATE huangpu-2 busy");
}

static void
test_choice_by_item (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  /* huangpu-1 (idle the longest) handles 企业设立 only, huangpu-2 食品经营
   * and 医保, qingpu-1 everything. */
  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL), 0);
  add_agent (p, "huangpu-2", "shanghai", ITEMS (SP, YB), 0);
  add_agent (p, "qingpu-1", "shanghai", ALL_ITEMS, 0);
  g_assert_true (vw_pairing_agent_handles (p, "huangpu-1", SL));
  g_assert_false (vw_pairing_agent_handles (p, "huangpu-1", SP));
  g_assert_true (vw_pairing_agent_handles (p, "qingpu-1", "ANY-THING"));
  g_assert_false (vw_pairing_agent_handles (p, "nobody", SL));
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "huangpu-2", TRUE, 200));
  g_free (set_available (p, "qingpu-1", TRUE, 300));
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "wujiang-3");
  add_clerk (p, "wujiang-4");

  /* Idle longer, but not for this item: passed over. */
  assert_events (request (p, "wujiang-1", "shanghai", YB, 400),
                 "PAIRED wujiang-1 huangpu-2 " SH_YB "; STATE huangpu-2 busy");
  /* Nobody but qingpu-1 handles an item outside both lists. */
  assert_events (request (p, "wujiang-2", "shanghai", "GJJ-TQ-006", 400),
                 "PAIRED wujiang-2 qingpu-1 shanghai/GJJ-TQ-006; STATE qingpu-1 busy");
  /* huangpu-1 is free and idle, yet the 食品经营 clerk waits for a handler. */
  assert_events (request (p, "wujiang-3", "shanghai", SP, 500), "QUEUED wujiang-3 " SH_SP " 1");
  assert_agent (p, "huangpu-1", VW_AGENT_AVAILABLE);
  assert_events (list_waiting_for (p, "huangpu-1"), "");
  assert_events (list_waiting_for (p, "huangpu-2"), "wujiang-3");
  assert_events (request (p, "wujiang-4", "shanghai", SL, 600),
                 "PAIRED wujiang-4 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
  /* The first handler to be free again takes it. */
  assert_events (end_pair (p, "qingpu-1", 700),
                 "STATE qingpu-1 available; PAIRED wujiang-3 qingpu-1 " SH_SP
                 "; STATE qingpu-1 busy");
}

static void
test_choice_no_items (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  /* An empty set is not "every item": such an agent is offered no one. */
  add_agent (p, "huangpu-1", "shanghai", ITEMS (NULL), 0);
  add_clerk (p, "wujiang-1");
  g_assert_false (vw_pairing_agent_handles (p, "huangpu-1", SL));
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  assert_events (request (p, "wujiang-1", "shanghai", SL, 200), "QUEUED wujiang-1 " SH_SL " 1");
  g_assert_cmpuint (vw_pairing_count_agents_on_duty (p, "shanghai", SL), ==, 0);
}

static void
test_province_isolation (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "hefei-1", "anhui", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));

  assert_events (request (p, "wujiang-1", "anhui", SL, 200), "QUEUED wujiang-1 " AH_SL " 1");
  assert_agent (p, "huangpu-1", VW_AGENT_AVAILABLE);
  assert_events (list_waiting_for (p, "huangpu-1"), "");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai", SL), ==, 0);

  assert_events (set_available (p, "hefei-1", TRUE, 300),
                 "STATE hefei-1 available; PAIRED wujiang-1 hefei-1 " AH_SL
                 "; STATE hefei-1 busy");
  assert_agent (p, "huangpu-1", VW_AGENT_AVAILABLE);
}

/* Priority, and what a freed agent takes. */

static void
test_priority_to_front (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const char *clerks[] = { "wujiang-1", "wujiang-2", "booked-1", "booked-2", "wujiang-3" };

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  for (guint i = 0; i < G_N_ELEMENTS (clerks); i++)
    add_clerk (p, clerks[i]);
  g_free (request (p, "wujiang-1", "shanghai", SL, 100));
  g_free (request (p, "wujiang-2", "shanghai", SL, 110));

  /* To the front, and everyone behind is told. */
  assert_events (request_priority (p, "booked-1", "shanghai", SL, 120),
                 "QUEUED booked-1 " SH_SL " 1; QUEUED wujiang-1 " SH_SL " 2; "
                 "QUEUED wujiang-2 " SH_SL " 3");
  /* Behind the earlier priority entry, ahead of the ordinary ones. */
  assert_events (request_priority (p, "booked-2", "shanghai", SL, 130),
                 "QUEUED booked-2 " SH_SL " 2; QUEUED wujiang-1 " SH_SL " 3; "
                 "QUEUED wujiang-2 " SH_SL " 4");
  /* An ordinary one still goes to the tail. */
  assert_events (request (p, "wujiang-3", "shanghai", SL, 140), "QUEUED wujiang-3 " SH_SL " 5");
  assert_events (list_queue (p, "shanghai", SL),
                 "booked-1 booked-2 wujiang-1 wujiang-2 wujiang-3");
  for (guint i = 0; i < 5; i++) {
    g_autoptr(GPtrArray) ids = vw_pairing_list_queue (p, "shanghai", SL);

    assert_queued (p, g_ptr_array_index (ids, i), i + 1);
  }

  /* A priority entry leaving lets the ones behind it move up. */
  assert_events (remove_peer (p, "booked-1", 150),
                 "QUEUED booked-2 " SH_SL " 1; QUEUED wujiang-1 " SH_SL " 2; "
                 "QUEUED wujiang-2 " SH_SL " 3; QUEUED wujiang-3 " SH_SL " 4");
  assert_events (set_available (p, "huangpu-1", TRUE, 200),
                 "STATE huangpu-1 available; PAIRED booked-2 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy; QUEUED wujiang-1 " SH_SL " 1; "
                 "QUEUED wujiang-2 " SH_SL " 2; QUEUED wujiang-3 " SH_SL " 3");
}

static void
test_priority_pairs_at_once (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "booked-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  assert_events (request_priority (p, "booked-1", "shanghai", SL, 200),
                 "PAIRED booked-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
}

static void
test_freed_agent_takes_best_across_queues (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL, SP), 0);
  add_agent (p, "huangpu-2", "shanghai", ITEMS (YB), 0);
  add_clerk (p, "a-sp");
  add_clerk (p, "b-yb");
  add_clerk (p, "c-sl");
  add_clerk (p, "d-sl-booked");
  add_clerk (p, "e-sp-booked");
  add_clerk (p, "f-sp");
  /* In this order across three queues, two of them priority. */
  g_free (request (p, "a-sp", "shanghai", SP, 100));
  g_free (request (p, "b-yb", "shanghai", YB, 110));
  g_free (request (p, "c-sl", "shanghai", SL, 120));
  g_free (request_priority (p, "d-sl-booked", "shanghai", SL, 130));
  g_free (request_priority (p, "e-sp-booked", "shanghai", SP, 140));
  g_free (request (p, "f-sp", "shanghai", SP, 150));

  /* Priority first (in their order), then enqueue order; 医保 is not
   * huangpu-1's, though b-yb waited before c-sl. */
  assert_events (list_waiting_for (p, "huangpu-1"),
                 "d-sl-booked e-sp-booked a-sp c-sl f-sp");
  assert_events (list_waiting_for (p, "huangpu-2"), "b-yb");
  assert_events (list_waiting_for (p, "nobody"), "");
  assert_events (list_waiting_for (p, "a-sp"), "");

  /* It takes them in exactly that order. */
  assert_events (set_available (p, "huangpu-1", TRUE, 200),
                 "STATE huangpu-1 available; PAIRED d-sl-booked huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy; QUEUED c-sl " SH_SL " 1");
  assert_events (end_pair (p, "huangpu-1", 300),
                 "STATE huangpu-1 available; PAIRED e-sp-booked huangpu-1 " SH_SP
                 "; STATE huangpu-1 busy; QUEUED a-sp " SH_SP " 1; QUEUED f-sp " SH_SP " 2");
  assert_events (end_pair (p, "huangpu-1", 400),
                 "STATE huangpu-1 available; PAIRED a-sp huangpu-1 " SH_SP
                 "; STATE huangpu-1 busy; QUEUED f-sp " SH_SP " 1");
  assert_events (end_pair (p, "huangpu-1", 500),
                 "STATE huangpu-1 available; PAIRED c-sl huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy");
  assert_events (end_pair (p, "huangpu-1", 600),
                 "STATE huangpu-1 available; PAIRED f-sp huangpu-1 " SH_SP
                 "; STATE huangpu-1 busy");
  assert_events (end_pair (p, "huangpu-1", 700), "STATE huangpu-1 available");
  assert_queued (p, "b-yb", 1);
}

/* A clerk's turn counts everyone the agents who could serve it take
 * first: with one agent for two items it is the place in that agent's
 * order; a queue whose agents serve nothing else is on its own. */
static void
test_turn_counts_competing_queues (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const char *order[] = { "d-sl-booked", "a-sp", "c-sl", "f-sp" };

  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL, SP), 0);
  add_agent (p, "huangpu-2", "shanghai", ITEMS (YB), 0);
  for (const char *const *c = ITEMS ("x-sl", "x-yb", "a-sp", "b-yb", "c-sl", "d-sl-booked", "f-sp"); *c; c++)
    add_clerk (p, *c);
  /* Both agents busy, so the others wait. */
  g_free (set_available (p, "huangpu-1", TRUE, 10));
  g_free (set_available (p, "huangpu-2", TRUE, 20));
  g_free (request (p, "x-sl", "shanghai", SL, 30));
  g_free (request (p, "x-yb", "shanghai", YB, 40));
  g_free (request (p, "a-sp", "shanghai", SP, 100));
  g_free (request (p, "b-yb", "shanghai", YB, 110));
  g_free (request (p, "c-sl", "shanghai", SL, 120));
  g_free (request_priority (p, "d-sl-booked", "shanghai", SL, 130));
  g_free (request (p, "f-sp", "shanghai", SP, 150));

  assert_events (list_waiting_for (p, "huangpu-1"), "d-sl-booked a-sp c-sl f-sp");
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    g_assert_cmpuint (vw_pairing_get_turn (p, order[i]), ==, i + 1);
  /* Their places in their own queues are smaller. */
  assert_queued (p, "a-sp", 1);
  assert_queued (p, "c-sl", 2);
  assert_queued (p, "f-sp", 2);
  g_assert_cmpuint (vw_pairing_get_turn (p, "b-yb"), ==, 1);
  g_assert_cmpuint (vw_pairing_get_turn (p, "x-sl"), ==, 0);   /* paired */
  g_assert_cmpuint (vw_pairing_get_turn (p, "nobody"), ==, 0);
  g_assert_cmpuint (vw_pairing_get_turn (p, "huangpu-1"), ==, 0);

  /* As huangpu-1 takes them, the turns move up. */
  g_free (end_pair (p, "huangpu-1", 200));   /* takes d-sl-booked */
  g_free (end_pair (p, "huangpu-1", 300));   /* ... and then a-sp */
  assert_queued (p, "c-sl", 1);
  g_assert_cmpuint (vw_pairing_get_turn (p, "c-sl"), ==, 1);
  g_assert_cmpuint (vw_pairing_get_turn (p, "f-sp"), ==, 2);
  g_free (end_pair (p, "huangpu-1", 400));   /* c-sl */
  g_assert_cmpuint (vw_pairing_get_turn (p, "f-sp"), ==, 1);
}

/* Busy or wrapping up, an agent joins the queues of its items together;
 * away, it is nobody's. */
static void
test_turn_ignores_agents_away (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  vw_pairing_set_wrap_up (p, 60 * G_USEC_PER_SEC);
  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL, SP), 0);
  for (const char *const *c = ITEMS ("x-sl", "a-sl", "b-sp"); *c; c++)
    add_clerk (p, *c);
  g_free (set_available (p, "huangpu-1", TRUE, 10));
  g_free (request (p, "x-sl", "shanghai", SL, 20));
  assert_paired (p, "x-sl", "huangpu-1");
  g_free (request (p, "a-sl", "shanghai", SL, 100));
  g_free (request (p, "b-sp", "shanghai", SP, 110));
  g_assert_cmpuint (vw_pairing_get_turn (p, "b-sp"), ==, 2);   /* busy */
  g_free (end_pair (p, "huangpu-1", 200));
  assert_agent (p, "huangpu-1", VW_AGENT_WRAP_UP);
  g_assert_cmpuint (vw_pairing_get_turn (p, "b-sp"), ==, 2);   /* wrapping up */
  g_free (set_available (p, "huangpu-1", FALSE, 300));
  assert_agent (p, "huangpu-1", VW_AGENT_AWAY);
  g_assert_cmpuint (vw_pairing_get_turn (p, "b-sp"), ==, 1);   /* away */
  g_assert_cmpuint (vw_pairing_get_turn (p, "a-sl"), ==, 1);
}

/* Ending pairs. */

static void
test_end_pair_refused (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  g_free (request (p, "jiashan-1", "shanghai", SL, 50));

  events = vw_pairing_end_pair (p, "huangpu-1", 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "huangpu-1");
  error = NULL;
  events = vw_pairing_end_pair (p, "wujiang-1", 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "wujiang-1");
  error = NULL;
  events = vw_pairing_end_pair (p, "jiashan-1", 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-1");
  error = NULL;
  events = vw_pairing_end_pair (p, "nobody", 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_NOT_REGISTERED, "nobody");

  /* Nothing changed: the agent is still away, the clerk still waits. */
  assert_agent (p, "huangpu-1", VW_AGENT_AWAY);
  assert_queued (p, "jiashan-1", 1);
}

/* Removal, in every state. */

static void
test_remove_queued_clerk (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const char *clerks[] = { "wujiang-1", "jiashan-1", "wujiang-2", "jiashan-2" };

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  for (guint i = 0; i < G_N_ELEMENTS (clerks); i++) {
    g_autofree char *expected = g_strdup_printf ("QUEUED %s " SH_SL " %u", clerks[i], i + 1);

    add_clerk (p, clerks[i]);
    assert_events (request (p, clerks[i], "shanghai", SL, 100 + i), expected);
  }

  /* From the middle: only the ones behind are told. */
  assert_events (remove_peer (p, "jiashan-1", 200),
                 "QUEUED wujiang-2 " SH_SL " 2; QUEUED jiashan-2 " SH_SL " 3");
  g_assert_false (vw_pairing_has_peer (p, "jiashan-1"));
  g_assert_cmpuint (vw_pairing_get_position (p, "jiashan-1"), ==, 0);
  assert_events (list_queue (p, "shanghai", SL), "wujiang-1 wujiang-2 jiashan-2");

  /* From the tail: nobody moves.  From the head: all move. */
  assert_events (remove_peer (p, "jiashan-2", 210), "");
  assert_events (remove_peer (p, "wujiang-1", 220), "QUEUED wujiang-2 " SH_SL " 1");
  assert_queued (p, "wujiang-2", 1);

  /* The last one leaves; the agent, still away, is untouched. */
  assert_events (remove_peer (p, "wujiang-2", 230), "");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai", SL), ==, 0);
  assert_agent (p, "huangpu-1", VW_AGENT_AWAY);
}

static void
test_remove_paired_clerk (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "jiashan-1", "shanghai", SL, 210));
  g_free (request (p, "wujiang-2", "shanghai", SL, 220));

  /* No wrap-up time: the agent is free at once and takes the next. */
  assert_events (remove_peer (p, "wujiang-1", 300),
                 "STATE huangpu-1 available; PAIRED jiashan-1 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy; QUEUED wujiang-2 " SH_SL " 1");
  g_assert_false (vw_pairing_has_peer (p, "wujiang-1"));
  assert_paired (p, "jiashan-1", "huangpu-1");

  /* With wrap-up time it wraps up instead. */
  vw_pairing_set_wrap_up (p, 1000);
  assert_events (remove_peer (p, "jiashan-1", 400), "STATE huangpu-1 wrap-up 1400");
  assert_agent (p, "huangpu-1", VW_AGENT_WRAP_UP);
  assert_queued (p, "wujiang-2", 1);
}

static void
test_remove_agent_any_state (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const char *agents[] = { "away-1", "free-1", "busy-1", "wrap-1", "claimed-1" };
  guint counts[VW_AGENT_N_STATES];

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "away-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "free-1", "shanghai", ITEMS (YB), 0);
  add_agent (p, "busy-1", "shanghai", ITEMS (SL), 0);
  add_agent (p, "wrap-1", "shanghai", ITEMS (SP), 0);
  add_agent (p, "claimed-1", "shanghai", ITEMS (YB), 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "jiashan-1");
  g_free (set_available (p, "free-1", TRUE, 100));
  g_free (set_available (p, "busy-1", TRUE, 100));
  g_free (set_available (p, "wrap-1", TRUE, 100));
  g_free (set_available (p, "claimed-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "wujiang-2", "shanghai", SP, 200));
  g_free (end_pair (p, "wujiang-2", 300));
  g_free (claim (p, "claimed-1", 300));
  g_free (request (p, "jiashan-1", "shanghai", SL, 310));
  vw_pairing_count_agents (p, counts);
  g_assert_cmpuint (counts[VW_AGENT_AWAY], ==, 1);
  g_assert_cmpuint (counts[VW_AGENT_AVAILABLE], ==, 1);
  g_assert_cmpuint (counts[VW_AGENT_BUSY], ==, 2);
  g_assert_cmpuint (counts[VW_AGENT_WRAP_UP], ==, 1);

  /* A departure is no state change to tell, in any state; the busy one's
   * clerk goes idle and the waiter keeps waiting. */
  for (guint i = 0; i < G_N_ELEMENTS (agents); i++) {
    assert_events (remove_peer (p, agents[i], 400), "");
    g_assert_false (vw_pairing_has_peer (p, agents[i]));
    g_assert_false (vw_pairing_is_agent (p, agents[i]));
  }
  assert_idle_clerk (p, "wujiang-1");
  assert_queued (p, "jiashan-1", 1);
  vw_pairing_count_agents (p, counts);
  for (guint s = 0; s < VW_AGENT_N_STATES; s++)
    g_assert_cmpuint (counts[s], ==, 0);
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);

  /* The clerk may ask again, behind the one waiting; the id may come back
   * afresh, away, and take the head. */
  assert_events (request (p, "wujiang-1", "shanghai", SL, 500), "QUEUED wujiang-1 " SH_SL " 2");
  add_agent (p, "busy-1", "shanghai", ALL_ITEMS, 600);
  assert_agent (p, "busy-1", VW_AGENT_AWAY);
  assert_events (set_available (p, "busy-1", TRUE, 700),
                 "STATE busy-1 available; PAIRED jiashan-1 busy-1 " SH_SL
                 "; STATE busy-1 busy; QUEUED wujiang-1 " SH_SL " 1");
}

static void
test_remove_unknown (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_clerk (p, "wujiang-1");
  assert_events (remove_peer (p, "nobody", 100), "");
  assert_events (remove_peer (p, "wujiang-1", 100), "");
  assert_events (remove_peer (p, "wujiang-1", 100), "");
  g_assert_false (vw_pairing_has_peer (p, "wujiang-1"));
}

/* Refusals. */

static void
test_available_while_busy_refused (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));

  events = vw_pairing_set_available (p, "huangpu-1", FALSE, 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "huangpu-1");
  assert_paired (p, "wujiang-1", "huangpu-1");

  /* "Available" while busy is refused as well: only ending the pair frees. */
  error = NULL;
  events = vw_pairing_set_available (p, "huangpu-1", TRUE, 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "huangpu-1");
  assert_paired (p, "wujiang-1", "huangpu-1");
}

static void
test_request_wrong_state (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL), 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "jiashan-1", "shanghai", SL, 210));

  events = vw_pairing_request (p, "wujiang-1", "shanghai", SL, FALSE, 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "wujiang-1");
  /* Not even for another item, province or as priority. */
  error = NULL;
  events = vw_pairing_request (p, "jiashan-1", "shanghai", SP, FALSE, 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-1");
  error = NULL;
  events = vw_pairing_request (p, "jiashan-1", "anhui", SL, TRUE, 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-1");

  assert_paired (p, "wujiang-1", "huangpu-1");
  assert_queued (p, "jiashan-1", 1);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai", SP), ==, 0);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "anhui", SL), ==, 0);
}

static void
test_wrong_role (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "hefei-1", "anhui", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "hefei-1", TRUE, 100));

  /* An agent asking for another province's agent is still an agent. */
  events = vw_pairing_request (p, "huangpu-1", "anhui", SL, FALSE, 200, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_ROLE, "huangpu-1");
  assert_agent (p, "huangpu-1", VW_AGENT_AWAY);
  assert_agent (p, "hefei-1", VW_AGENT_AVAILABLE);

  error = NULL;
  events = vw_pairing_set_available (p, "wujiang-1", TRUE, 200, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_ROLE, "wujiang-1");
  assert_idle_clerk (p, "wujiang-1");

  g_assert_true (vw_pairing_is_agent (p, "huangpu-1"));
  g_assert_false (vw_pairing_is_agent (p, "wujiang-1"));
  /* Agent queries about a clerk get the neutral answer. */
  g_assert_cmpint (vw_pairing_get_agent_state (p, "wujiang-1"), ==, VW_AGENT_AWAY);
  g_assert_cmpint (vw_pairing_get_agent_until (p, "wujiang-1"), ==, 0);
  g_assert_cmpint (vw_pairing_get_clerk_state (p, "hefei-1"), ==, VW_CLERK_IDLE);
  g_assert_false (vw_pairing_agent_handles (p, "wujiang-1", SL));
}

static void
test_unknown_province (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  g_autoptr(GError) agent_error = NULL;
  GError *error = NULL;
  GPtrArray *events;

  g_assert_false (vw_pairing_add_agent (p, "fuzhou-1", "fujian", NULL, 0, &agent_error));
  g_assert_error (agent_error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE);
  g_assert_nonnull (strstr (agent_error->message, "fujian"));
  g_assert_false (vw_pairing_has_peer (p, "fuzhou-1"));

  add_clerk (p, "wujiang-1");
  events = vw_pairing_request (p, "wujiang-1", "fujian", SL, FALSE, 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE, "fujian");
  assert_idle_clerk (p, "wujiang-1");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "fujian", SL), ==, 0);
}

static void
test_duplicate_ids (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const struct {
    gboolean agent;
    const char *id;
  } dups[] = {
    { TRUE, "huangpu-1" }, { FALSE, "huangpu-1" },
    { TRUE, "wujiang-1" }, { FALSE, "wujiang-1" },
  };

  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL), 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));

  for (guint i = 0; i < G_N_ELEMENTS (dups); i++) {
    g_autoptr(GError) error = NULL;
    gboolean added = dups[i].agent ?
        vw_pairing_add_agent (p, dups[i].id, "anhui", ITEMS (SP), 200, &error) :
        vw_pairing_add_clerk (p, dups[i].id, &error);

    g_assert_false (added);
    g_assert_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_ALREADY_REGISTERED);
    g_assert_nonnull (strstr (error->message, dups[i].id));
  }

  /* The first registrations are untouched: province, items and state. */
  g_assert_false (vw_pairing_is_agent (p, "wujiang-1"));
  g_assert_false (vw_pairing_agent_handles (p, "huangpu-1", SP));
  assert_agent (p, "huangpu-1", VW_AGENT_AVAILABLE);
  assert_events (request (p, "wujiang-1", "shanghai", SL, 300),
                 "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
}

/* Queries. */

static void
test_unknown_ids (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  g_assert_false (vw_pairing_has_peer (p, "nobody"));
  g_assert_false (vw_pairing_is_agent (p, "nobody"));
  g_assert_cmpint (vw_pairing_get_agent_state (p, "nobody"), ==, VW_AGENT_AWAY);
  g_assert_cmpint (vw_pairing_get_agent_until (p, "nobody"), ==, 0);
  g_assert_cmpint (vw_pairing_get_clerk_state (p, "nobody"), ==, VW_CLERK_IDLE);
  g_assert_null (vw_pairing_get_partner (p, "nobody"));
  g_assert_cmpuint (vw_pairing_get_position (p, "nobody"), ==, 0);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "nowhere", SL), ==, 0);
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);

  events = vw_pairing_set_available (p, "nobody", TRUE, 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_NOT_REGISTERED, "nobody");
  error = NULL;
  events = vw_pairing_request (p, "nobody", "shanghai", SL, FALSE, 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_NOT_REGISTERED, "nobody");
  g_assert_false (vw_pairing_has_peer (p, "nobody"));
}

static void
test_counts (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  guint counts[VW_AGENT_N_STATES];

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL), 0);     /* busy */
  add_agent (p, "huangpu-2", "shanghai", ITEMS (SL, SP), 0); /* wrap-up */
  add_agent (p, "qingpu-1", "shanghai", ALL_ITEMS, 0);       /* available */
  add_agent (p, "qingpu-2", "shanghai", ALL_ITEMS, 0);       /* away */
  add_agent (p, "hefei-1", "anhui", ALL_ITEMS, 0);           /* available */
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "huangpu-2", TRUE, 110));
  g_free (set_available (p, "qingpu-1", TRUE, 120));
  g_free (set_available (p, "hefei-1", TRUE, 130));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "wujiang-2", "shanghai", SP, 200));
  g_free (end_pair (p, "wujiang-2", 300));
  assert_agent (p, "huangpu-1", VW_AGENT_BUSY);
  assert_agent (p, "huangpu-2", VW_AGENT_WRAP_UP);

  vw_pairing_count_agents (p, counts);
  g_assert_cmpuint (counts[VW_AGENT_AWAY], ==, 1);
  g_assert_cmpuint (counts[VW_AGENT_AVAILABLE], ==, 2);
  g_assert_cmpuint (counts[VW_AGENT_BUSY], ==, 1);
  g_assert_cmpuint (counts[VW_AGENT_WRAP_UP], ==, 1);

  /* On duty: every state but away, of the province, handling the item. */
  g_assert_cmpuint (vw_pairing_count_agents_on_duty (p, "shanghai", SL), ==, 3);
  g_assert_cmpuint (vw_pairing_count_agents_on_duty (p, "shanghai", SP), ==, 2);
  g_assert_cmpuint (vw_pairing_count_agents_on_duty (p, "shanghai", YB), ==, 1);
  g_assert_cmpuint (vw_pairing_count_agents_on_duty (p, "anhui", SL), ==, 1);
  g_assert_cmpuint (vw_pairing_count_agents_on_duty (p, "zhejiang", SL), ==, 0);
}

static void
test_state_names (void)
{
  g_assert_cmpstr (vw_agent_state_to_string (VW_AGENT_AWAY), ==, "away");
  g_assert_cmpstr (vw_agent_state_to_string (VW_AGENT_AVAILABLE), ==, "available");
  g_assert_cmpstr (vw_agent_state_to_string (VW_AGENT_BUSY), ==, "busy");
  g_assert_cmpstr (vw_agent_state_to_string (VW_AGENT_WRAP_UP), ==, "wrap-up");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pairing/request/pairs-at-once", test_request_pairs_at_once);
  g_test_add_func ("/pairing/queue/turn-counts-competing-queues", test_turn_counts_competing_queues);
  g_test_add_func ("/pairing/queue/turn-ignores-agents-away", test_turn_ignores_agents_away);
  g_test_add_func ("/pairing/request/queues-per-item", test_request_queues_per_item);
  g_test_add_func ("/pairing/request/wrong-state", test_request_wrong_state);
  g_test_add_func ("/pairing/request/unknown-province", test_unknown_province);
  g_test_add_func ("/pairing/available/pairs-first-waiter", test_available_pairs_first_waiter);
  g_test_add_func ("/pairing/available/while-busy", test_available_while_busy_refused);
  g_test_add_func ("/pairing/choice/longest-idle", test_choice_longest_idle);
  g_test_add_func ("/pairing/choice/tie-by-registration", test_choice_tie_by_registration);
  g_test_add_func ("/pairing/choice/idle-since-pair-ended", test_choice_idle_since_pair_ended);
  g_test_add_func ("/pairing/choice/reannounce-keeps-place", test_choice_reannounce_keeps_place);
  g_test_add_func ("/pairing/choice/by-item", test_choice_by_item);
  g_test_add_func ("/pairing/choice/no-items", test_choice_no_items);
  g_test_add_func ("/pairing/choice/province-isolation", test_province_isolation);
  g_test_add_func ("/pairing/priority/to-front", test_priority_to_front);
  g_test_add_func ("/pairing/priority/pairs-at-once", test_priority_pairs_at_once);
  g_test_add_func ("/pairing/freed/best-across-queues", test_freed_agent_takes_best_across_queues);
  g_test_add_func ("/pairing/end-pair/refused", test_end_pair_refused);
  g_test_add_func ("/pairing/remove/queued-clerk", test_remove_queued_clerk);
  g_test_add_func ("/pairing/remove/paired-clerk", test_remove_paired_clerk);
  g_test_add_func ("/pairing/remove/agent-any-state", test_remove_agent_any_state);
  g_test_add_func ("/pairing/remove/unknown", test_remove_unknown);
  g_test_add_func ("/pairing/role/wrong-role", test_wrong_role);
  g_test_add_func ("/pairing/register/duplicate", test_duplicate_ids);
  g_test_add_func ("/pairing/queries/unknown-ids", test_unknown_ids);
  g_test_add_func ("/pairing/queries/counts", test_counts);
  g_test_add_func ("/pairing/queries/state-names", test_state_names);

  return g_test_run ();
}
