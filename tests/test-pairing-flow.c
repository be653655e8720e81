/* test-pairing-flow.c: unit tests for what happens around a pair in
 * vw-pairing.c: wrap-up (tick, next_deadline, ending it early), transfers
 * to an agent or a queue, agents claimed into a session and released, and
 * the order of the agents' state events.
 *
 * Routing itself is in test-pairing.c; the helpers and the event notation
 * in pairing-helpers.h.
 */
#include "pairing-helpers.h"

#define SH_SL "shanghai/" SL
#define SH_SP "shanghai/" SP
#define AH_SL "anhui/" SL
#define AH_YB "anhui/" YB

/* Wrap-up. */

static void
test_wrap_up_countdown (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 100));
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);

  assert_events (end_pair (p, "wujiang-1", 200), "STATE huangpu-1 wrap-up 1200");
  assert_agent (p, "huangpu-1", VW_AGENT_WRAP_UP);
  g_assert_cmpint (vw_pairing_get_agent_until (p, "huangpu-1"), ==, 1200);
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, 1200);
  assert_idle_clerk (p, "wujiang-1");

  /* Not offered anyone while wrapping up, though idle. */
  assert_events (request (p, "wujiang-2", "shanghai", SL, 300), "QUEUED wujiang-2 " SH_SL " 1");
  assert_events (tick (p, 1199), "");
  assert_agent (p, "huangpu-1", VW_AGENT_WRAP_UP);
  assert_queued (p, "wujiang-2", 1);

  /* Offered right at the deadline. */
  assert_events (tick (p, 1200),
                 "STATE huangpu-1 available; PAIRED wujiang-2 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy");
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);
  assert_events (tick (p, 5000), "");
}

/* A pair in which no call took place (the clerk's media never started):
 * no wrap-up, the agent takes the next clerk at once. */
static void
test_wrap_up_unserved (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 100));
  g_free (request (p, "wujiang-2", "shanghai", SL, 150));

  assert_events (ok (vw_pairing_end_pair_unserved (p, "wujiang-1", 200, &error), error),
                 "STATE huangpu-1 available; PAIRED wujiang-2 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy");
  assert_idle_clerk (p, "wujiang-1");
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);
}

static void
test_wrap_up_tick_order (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const char *agents[] = { "huangpu-1", "huangpu-2", "qingpu-1" };
  const char *clerks[] = { "wujiang-1", "wujiang-2", "wujiang-3" };
  const gint64 ends[] = { 300, 100, 300 };

  vw_pairing_set_wrap_up (p, 1000);
  for (guint i = 0; i < G_N_ELEMENTS (agents); i++) {
    add_agent (p, agents[i], "shanghai", ALL_ITEMS, 0);
    add_clerk (p, clerks[i]);
    g_free (set_available (p, agents[i], TRUE, 10));
    g_free (request (p, clerks[i], "shanghai", SL, 20));
  }
  for (guint i = 0; i < G_N_ELEMENTS (agents); i++)
    g_free (end_pair (p, agents[i], ends[i]));
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, 1100);
  add_clerk (p, "jiashan-1");
  add_clerk (p, "jiashan-2");
  g_free (request (p, "jiashan-1", "shanghai", SL, 400));
  g_free (request (p, "jiashan-2", "shanghai", SP, 410));

  /* One late tick: earliest deadline first, a tie by registration, each
   * taking its clerk before the next one becomes available. */
  assert_events (tick (p, 2000),
                 "STATE huangpu-2 available; PAIRED jiashan-1 huangpu-2 " SH_SL
                 "; STATE huangpu-2 busy; "
                 "STATE huangpu-1 available; PAIRED jiashan-2 huangpu-1 " SH_SP
                 "; STATE huangpu-1 busy; "
                 "STATE qingpu-1 available");
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);
}

static void
test_wrap_up_idle_since_deadline (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 100));
  g_free (end_pair (p, "wujiang-1", 200));
  /* huangpu-2 comes at 1500, after huangpu-1's wrap-up ended (1200) but
   * before the tick that notices it: huangpu-1 has been idle longer. */
  g_free (set_available (p, "huangpu-2", TRUE, 1500));
  assert_events (tick (p, 2000), "STATE huangpu-1 available");
  assert_events (request (p, "wujiang-1", "shanghai", SL, 2100),
                 "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
}

static void
test_wrap_up_ended_early (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "jiashan-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "huangpu-2", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 100));
  g_free (request (p, "wujiang-2", "shanghai", SL, 100));
  g_free (end_pair (p, "wujiang-1", 200));
  g_free (end_pair (p, "wujiang-2", 300));
  g_free (request (p, "jiashan-1", "shanghai", SL, 400));

  /* Available before the deadline: at once, and takes the waiting clerk. */
  assert_events (set_available (p, "huangpu-1", TRUE, 500),
                 "STATE huangpu-1 available; PAIRED jiashan-1 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy");
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, 1300);

  /* Away from wrap-up: no deadline left, and the tick brings nobody back. */
  assert_events (set_available (p, "huangpu-2", FALSE, 600), "STATE huangpu-2 away");
  assert_agent (p, "huangpu-2", VW_AGENT_AWAY);
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);
  assert_events (tick (p, 2000), "");
  assert_agent (p, "huangpu-2", VW_AGENT_AWAY);
}

static void
test_wrap_up_zero (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 100));
  g_free (request (p, "wujiang-2", "shanghai", SL, 110));

  /* Busy to available directly, no wrap-up in between, and paired again. */
  assert_events (end_pair (p, "huangpu-1", 200),
                 "STATE huangpu-1 available; PAIRED wujiang-2 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy");
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, -1);

  /* A new wrap-up time applies to the pairs that end from then on. */
  vw_pairing_set_wrap_up (p, 50);
  assert_events (end_pair (p, "wujiang-2", 300), "STATE huangpu-1 wrap-up 350");
  vw_pairing_set_wrap_up (p, 0);
  g_assert_cmpint (vw_pairing_next_deadline (p), ==, 350);
  assert_events (tick (p, 350), "STATE huangpu-1 available");
}

/* Transfers. */

static void
test_transfer_to_agent (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL), 0);
  /* Another item and province: the transferring agent chose it. */
  add_agent (p, "hefei-1", "anhui", ITEMS (YB), 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "hefei-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));

  assert_events (transfer_to_agent (p, "wujiang-1", "hefei-1", 300),
                 "STATE huangpu-1 wrap-up 1300; "
                 "PAIRED wujiang-1 hefei-1 " SH_SL "; STATE hefei-1 busy");
  assert_paired (p, "wujiang-1", "hefei-1");
  assert_agent (p, "huangpu-1", VW_AGENT_WRAP_UP);

  /* And back, once huangpu-1 is available again. */
  g_free (tick (p, 1300));
  assert_events (transfer_to_agent (p, "wujiang-1", "huangpu-1", 1400),
                 "STATE hefei-1 wrap-up 2400; "
                 "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy");
}

static void
test_transfer_to_agent_refused (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const struct {
    const char *clerk, *to;
    VwProtocolError code;
    const char *who;
  } cases[] = {
    { "wujiang-1", "huangpu-2", VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE, "huangpu-2" },  /* away */
    { "wujiang-1", "huangpu-1", VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE, "huangpu-1" },  /* its own */
    { "wujiang-1", "qingpu-1", VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE, "qingpu-1" },    /* wrap-up */
    { "wujiang-1", "nobody", VW_PROTOCOL_ERROR_UNKNOWN_AGENT, "nobody" },
    { "wujiang-1", "jiashan-1", VW_PROTOCOL_ERROR_UNKNOWN_AGENT, "jiashan-1" },      /* a clerk */
    { "jiashan-1", "hefei-1", VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-1" },          /* queued */
    { "jiashan-2", "hefei-1", VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-2" },          /* idle */
    { "huangpu-1", "hefei-1", VW_PROTOCOL_ERROR_WRONG_ROLE, "huangpu-1" },
    { "nobody", "hefei-1", VW_PROTOCOL_ERROR_NOT_REGISTERED, "nobody" },
    /* The clerk is checked first. */
    { "jiashan-2", "nobody", VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-2" },
  };

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL), 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "qingpu-1", "shanghai", ITEMS (SL), 0);
  add_agent (p, "hefei-1", "anhui", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "jiashan-2");
  g_free (set_available (p, "qingpu-1", TRUE, 50));
  g_free (request (p, "wujiang-2", "shanghai", SL, 60));
  g_free (end_pair (p, "wujiang-2", 70));
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "hefei-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "jiashan-1", "shanghai", SL, 210));
  assert_agent (p, "qingpu-1", VW_AGENT_WRAP_UP);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    GError *error = NULL;
    GPtrArray *events = vw_pairing_transfer_to_agent (p, cases[i].clerk, cases[i].to,
                                                      300, &error);

    g_test_message ("case %u: %s to %s", i, cases[i].clerk, cases[i].to);
    assert_refused (events, error, cases[i].code, cases[i].who);
  }
  /* Nothing changed. */
  assert_paired (p, "wujiang-1", "huangpu-1");
  assert_queued (p, "jiashan-1", 1);
  assert_agent (p, "hefei-1", VW_AGENT_AVAILABLE);
  assert_agent (p, "huangpu-2", VW_AGENT_AWAY);
}

static void
test_transfer_to_agent_no_wrap_up (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL), 0);
  add_agent (p, "huangpu-2", "shanghai", ITEMS (SP), 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "huangpu-2", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "jiashan-1", "shanghai", SL, 210));

  /* The old agent, free at once, takes the next 企业设立 clerk; the
   * transferred one is on its way to huangpu-2 and not in any queue. */
  assert_events (transfer_to_agent (p, "wujiang-1", "huangpu-2", 300),
                 "STATE huangpu-1 available; PAIRED jiashan-1 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy; "
                 "PAIRED wujiang-1 huangpu-2 " SH_SL "; STATE huangpu-2 busy");
}

static void
test_transfer_to_queue (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "hefei-1", "anhui", ITEMS (SL), 0);
  add_agent (p, "hefei-2", "anhui", ITEMS (YB), 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "booked-1");
  add_clerk (p, "jiashan-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "jiashan-1", "anhui", SL, 210));
  g_free (request_priority (p, "booked-1", "anhui", SL, 220));

  /* Refused: an unknown province, a clerk not in a pair. */
  events = vw_pairing_transfer_to_queue (p, "wujiang-1", "fujian", SL, 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE, "fujian");
  error = NULL;
  events = vw_pairing_transfer_to_queue (p, "jiashan-1", "anhui", YB, 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-1");
  assert_paired (p, "wujiang-1", "huangpu-1");

  /* To the front, behind the earlier priority entry. */
  assert_events (transfer_to_queue (p, "wujiang-1", "anhui", SL, 300),
                 "STATE huangpu-1 wrap-up 1300; "
                 "QUEUED wujiang-1 " AH_SL " 2; QUEUED jiashan-1 " AH_SL " 3");
  assert_events (list_queue (p, "anhui", SL), "booked-1 wujiang-1 jiashan-1");
  assert_agent (p, "huangpu-1", VW_AGENT_WRAP_UP);

  assert_events (set_available (p, "hefei-1", TRUE, 400),
                 "STATE hefei-1 available; PAIRED booked-1 hefei-1 " AH_SL
                 "; STATE hefei-1 busy; "
                 "QUEUED wujiang-1 " AH_SL " 1; QUEUED jiashan-1 " AH_SL " 2");

  /* Paired at once when an agent of the new queue is free, carrying the
   * new province and item. */
  g_free (set_available (p, "hefei-2", TRUE, 500));
  assert_events (transfer_to_queue (p, "booked-1", "anhui", YB, 600),
                 "STATE hefei-1 wrap-up 1600; "
                 "PAIRED booked-1 hefei-2 " AH_YB "; STATE hefei-2 busy");
}

static void
test_transfer_to_queue_no_wrap_up (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ITEMS (SL, SP), 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "jiashan-1", "shanghai", SL, 210));

  /* The old pair ends first: the agent, free at once, takes the one who
   * already waited; the transferred clerk then waits for 食品经营. */
  assert_events (transfer_to_queue (p, "wujiang-1", "shanghai", SP, 300),
                 "STATE huangpu-1 available; PAIRED jiashan-1 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy; QUEUED wujiang-1 " SH_SP " 1");
  g_free (end_pair (p, "jiashan-1", 400));
  assert_paired (p, "wujiang-1", "huangpu-1");

  /* With nobody waiting and no other agent, a clerk sent to a queue its
   * agent serves comes straight back (with wrap-up time it would wait). */
  assert_events (transfer_to_queue (p, "wujiang-1", "shanghai", SL, 500),
                 "STATE huangpu-1 available; PAIRED wujiang-1 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy");
}

/* Claims. */

static void
test_claim_release (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "huangpu-2", TRUE, 110));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));

  /* Invited into wujiang-1's session: busy, but nobody's partner. */
  assert_events (claim (p, "huangpu-2", 300), "STATE huangpu-2 busy");
  assert_agent (p, "huangpu-2", VW_AGENT_BUSY);
  g_assert_null (vw_pairing_get_partner (p, "huangpu-2"));
  assert_paired (p, "wujiang-1", "huangpu-1");
  assert_events (request (p, "wujiang-2", "shanghai", SL, 310), "QUEUED wujiang-2 " SH_SL " 1");

  /* It leaves by its release only. */
  events = vw_pairing_end_pair (p, "huangpu-2", 320, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "huangpu-2");
  error = NULL;
  events = vw_pairing_set_available (p, "huangpu-2", FALSE, 320, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "huangpu-2");
  error = NULL;
  events = vw_pairing_release_agent (p, "huangpu-1", 320, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "huangpu-1");
  assert_agent (p, "huangpu-2", VW_AGENT_BUSY);

  assert_events (release (p, "huangpu-2", 400), "STATE huangpu-2 wrap-up 1400");
  error = NULL;
  events = vw_pairing_release_agent (p, "huangpu-2", 410, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "huangpu-2");
  assert_events (tick (p, 1400),
                 "STATE huangpu-2 available; PAIRED wujiang-2 huangpu-2 " SH_SL
                 "; STATE huangpu-2 busy");
  /* Now in a pair of its own, it is no longer "claimed". */
  assert_events (end_pair (p, "huangpu-2", 1500), "STATE huangpu-2 wrap-up 2500");
}

static void
test_claim_refused (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const struct {
    gboolean claim;
    const char *agent;
    VwProtocolError code;
  } cases[] = {
    { TRUE, "huangpu-1", VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE },   /* busy */
    { TRUE, "huangpu-2", VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE },   /* wrap-up */
    { TRUE, "qingpu-1", VW_PROTOCOL_ERROR_AGENT_UNAVAILABLE },    /* away */
    { TRUE, "wujiang-1", VW_PROTOCOL_ERROR_UNKNOWN_AGENT },
    { TRUE, "nobody", VW_PROTOCOL_ERROR_UNKNOWN_AGENT },
    { FALSE, "wujiang-1", VW_PROTOCOL_ERROR_UNKNOWN_AGENT },
    { FALSE, "nobody", VW_PROTOCOL_ERROR_UNKNOWN_AGENT },
    { FALSE, "qingpu-1", VW_PROTOCOL_ERROR_WRONG_STATE },
  };

  vw_pairing_set_wrap_up (p, 1000);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "huangpu-2", "shanghai", ALL_ITEMS, 0);
  add_agent (p, "qingpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (set_available (p, "huangpu-2", TRUE, 110));
  g_free (request (p, "wujiang-1", "shanghai", SL, 200));
  g_free (request (p, "wujiang-2", "shanghai", SL, 200));
  g_free (end_pair (p, "wujiang-2", 300));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    GError *error = NULL;
    GPtrArray *events = cases[i].claim ?
        vw_pairing_claim_agent (p, cases[i].agent, 400, &error) :
        vw_pairing_release_agent (p, cases[i].agent, 400, &error);

    g_test_message ("case %u: %s %s", i, cases[i].claim ? "claim" : "release",
                    cases[i].agent);
    assert_refused (events, error, cases[i].code, cases[i].agent);
  }
  assert_paired (p, "wujiang-1", "huangpu-1");
  assert_agent (p, "huangpu-2", VW_AGENT_WRAP_UP);
  assert_agent (p, "qingpu-1", VW_AGENT_AWAY);
}

static void
test_release_no_wrap_up (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  g_free (set_available (p, "huangpu-1", TRUE, 100));
  g_free (claim (p, "huangpu-1", 200));
  g_free (request (p, "wujiang-1", "shanghai", SL, 300));
  assert_events (release (p, "huangpu-1", 400),
                 "STATE huangpu-1 available; PAIRED wujiang-1 huangpu-1 " SH_SL
                 "; STATE huangpu-1 busy");
}

/* Every state change, in order, over an agent's day. */
static void
test_agent_state_sequence (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  g_autoptr(GString) all = g_string_new (NULL);
  const char *expected =
      "STATE huangpu-1 available|"
      "PAIRED wujiang-1 huangpu-1 " SH_SL "; STATE huangpu-1 busy|"
      "STATE huangpu-1 wrap-up 500|"
      "STATE huangpu-1 available|"
      "STATE huangpu-1 busy|"
      "STATE huangpu-1 wrap-up 900|"
      "STATE huangpu-1 away|"
      "|"
      "STATE huangpu-1 available|"
      "STATE huangpu-1 away";
  char *steps[10];
  guint n = 0;

  vw_pairing_set_wrap_up (p, 300);
  add_agent (p, "huangpu-1", "shanghai", ALL_ITEMS, 0);
  add_clerk (p, "wujiang-1");
  steps[n++] = set_available (p, "huangpu-1", TRUE, 100);
  steps[n++] = request (p, "wujiang-1", "shanghai", SL, 150);
  steps[n++] = end_pair (p, "wujiang-1", 200);
  steps[n++] = tick (p, 500);
  steps[n++] = claim (p, "huangpu-1", 550);
  steps[n++] = release (p, "huangpu-1", 600);
  steps[n++] = set_available (p, "huangpu-1", FALSE, 700);
  steps[n++] = tick (p, 900);   /* away: its deadline is gone */
  steps[n++] = set_available (p, "huangpu-1", TRUE, 1000);
  steps[n++] = set_available (p, "huangpu-1", FALSE, 1100);
  for (guint i = 0; i < n; i++) {
    g_string_append_printf (all, "%s%s", i > 0 ? "|" : "", steps[i]);
    g_free (steps[i]);
  }
  g_assert_cmpstr (all->str, ==, expected);

  /* Removal is not a state change. */
  assert_events (remove_peer (p, "huangpu-1", 1200), "");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pairing/wrap-up/countdown", test_wrap_up_countdown);
  g_test_add_func ("/pairing/wrap-up/unserved", test_wrap_up_unserved);
  g_test_add_func ("/pairing/wrap-up/tick-order", test_wrap_up_tick_order);
  g_test_add_func ("/pairing/wrap-up/idle-since-deadline", test_wrap_up_idle_since_deadline);
  g_test_add_func ("/pairing/wrap-up/ended-early", test_wrap_up_ended_early);
  g_test_add_func ("/pairing/wrap-up/zero", test_wrap_up_zero);
  g_test_add_func ("/pairing/transfer/to-agent", test_transfer_to_agent);
  g_test_add_func ("/pairing/transfer/to-agent-refused", test_transfer_to_agent_refused);
  g_test_add_func ("/pairing/transfer/to-agent-no-wrap-up", test_transfer_to_agent_no_wrap_up);
  g_test_add_func ("/pairing/transfer/to-queue", test_transfer_to_queue);
  g_test_add_func ("/pairing/transfer/to-queue-no-wrap-up", test_transfer_to_queue_no_wrap_up);
  g_test_add_func ("/pairing/claim/release", test_claim_release);
  g_test_add_func ("/pairing/claim/refused", test_claim_refused);
  g_test_add_func ("/pairing/claim/release-no-wrap-up", test_release_no_wrap_up);
  g_test_add_func ("/pairing/events/agent-state-sequence", test_agent_state_sequence);

  return g_test_run ();
}
