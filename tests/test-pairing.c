/* test-pairing.c: unit tests for the pairing and queue logic (vw-pairing.c).
 *
 * Events are compared as compact strings ("PAIRED clerk agent province",
 * "QUEUED clerk province position", joined by "; ") so a failure shows the
 * whole sequence that was expected and the one that came.
 *
 * Agents are named after their centres (黄浦, 青浦, 合肥, ...), clerks after
 * theirs (吴江, 嘉善, ...), asking for the other province's help.
 */
#include "vw-pairing.h"
#include "vw-protocol.h"

#include <string.h>

/* Helpers. */

static char *
events_to_string (GPtrArray *events)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++) {
    VwPairingEvent *e = g_ptr_array_index (events, i);

    if (i > 0)
      g_string_append (s, "; ");
    if (e->type == VW_PAIRING_EVENT_PAIRED) {
      g_assert_nonnull (e->agent);
      g_assert_cmpuint (e->position, ==, 0);
      g_string_append_printf (s, "PAIRED %s %s %s", e->clerk, e->agent, e->province);
    } else {
      g_assert_cmpint (e->type, ==, VW_PAIRING_EVENT_QUEUED);
      g_assert_null (e->agent);
      g_assert_cmpuint (e->position, >, 0);
      g_string_append_printf (s, "QUEUED %s %s %u", e->clerk, e->province, e->position);
    }
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Takes a successful result and returns its events as a string. */
static char *
ok (GPtrArray *events, GError *error)
{
  g_autoptr(GPtrArray) owned = events;
  g_autoptr(GError) owned_error = error;

  g_assert_no_error (owned_error);
  g_assert_nonnull (owned);
  return events_to_string (owned);
}

#define assert_events(s, expected)              \
  G_STMT_START {                                \
    g_autofree char *s_ = (s);                  \
    g_assert_cmpstr (s_, ==, (expected));       \
  } G_STMT_END

static void
add_agent (VwPairing *p, const char *agent, const char *province, gint64 now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vw_pairing_add_agent (p, agent, province, now, &error));
  g_assert_no_error (error);
}

static void
add_clerk (VwPairing *p, const char *clerk)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vw_pairing_add_clerk (p, clerk, &error));
  g_assert_no_error (error);
}

static char *
set_available (VwPairing *p, const char *agent, gboolean available, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_set_available (p, agent, available, now, &error);

  return ok (events, error);
}

static char *
request (VwPairing *p, const char *clerk, const char *province, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_request (p, clerk, province, now, &error);

  return ok (events, error);
}

static char *
end_pair (VwPairing *p, const char *peer, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_end_pair (p, peer, now, &error);

  return ok (events, error);
}

static char *
remove_peer (VwPairing *p, const char *peer, gint64 now)
{
  return ok (vw_pairing_remove (p, peer, now), NULL);
}

/* Takes a failed result: NULL with @code set and a message naming @who. */
static void
assert_refused (GPtrArray *events, GError *error, VwProtocolError code,
                const char *who)
{
  g_autoptr(GPtrArray) owned = events;
  g_autoptr(GError) owned_error = error;

  g_assert_error (owned_error, VW_PROTOCOL_ERROR, (gint) code);
  g_assert_null (owned);
  g_assert_nonnull (strstr (owned_error->message, who));
}

static void
assert_paired (VwPairing *p, const char *clerk, const char *agent)
{
  g_assert_cmpint (vw_pairing_get_clerk_state (p, clerk), ==, VW_CLERK_PAIRED);
  g_assert_cmpint (vw_pairing_get_agent_state (p, agent), ==, VW_AGENT_BUSY);
  g_assert_cmpstr (vw_pairing_get_partner (p, clerk), ==, agent);
  g_assert_cmpstr (vw_pairing_get_partner (p, agent), ==, clerk);
  g_assert_cmpuint (vw_pairing_get_position (p, clerk), ==, 0);
}

static void
assert_queued (VwPairing *p, const char *clerk, guint position)
{
  g_assert_cmpint (vw_pairing_get_clerk_state (p, clerk), ==, VW_CLERK_QUEUED);
  g_assert_cmpuint (vw_pairing_get_position (p, clerk), ==, position);
  g_assert_null (vw_pairing_get_partner (p, clerk));
}

static void
assert_idle_clerk (VwPairing *p, const char *clerk)
{
  g_assert_cmpint (vw_pairing_get_clerk_state (p, clerk), ==, VW_CLERK_IDLE);
  g_assert_cmpuint (vw_pairing_get_position (p, clerk), ==, 0);
  g_assert_null (vw_pairing_get_partner (p, clerk));
}

static void
assert_available (VwPairing *p, const char *agent)
{
  g_assert_cmpint (vw_pairing_get_agent_state (p, agent), ==, VW_AGENT_AVAILABLE);
  g_assert_null (vw_pairing_get_partner (p, agent));
}

/* Requests. */

static void
test_request_pairs_at_once (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  g_assert_cmpint (vw_pairing_get_agent_state (p, "huangpu-1"), ==, VW_AGENT_AWAY);
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_available (p, "huangpu-1");
  add_clerk (p, "wujiang-1");
  assert_idle_clerk (p, "wujiang-1");

  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
  assert_paired (p, "wujiang-1", "huangpu-1");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 0);
}

static void
test_request_queues_without_agent (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  /* An agent that is away is no agent at all. */
  add_agent (p, "huangpu-1", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");

  assert_events (request (p, "wujiang-1", "shanghai", 100), "QUEUED wujiang-1 shanghai 1");
  assert_events (request (p, "jiashan-1", "shanghai", 110), "QUEUED jiashan-1 shanghai 2");
  assert_queued (p, "wujiang-1", 1);
  assert_queued (p, "jiashan-1", 2);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 2);
  g_assert_cmpint (vw_pairing_get_agent_state (p, "huangpu-1"), ==, VW_AGENT_AWAY);
}

static void
test_available_pairs_first_waiter (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "wujiang-2");
  assert_events (request (p, "wujiang-1", "shanghai", 100), "QUEUED wujiang-1 shanghai 1");
  assert_events (request (p, "jiashan-1", "shanghai", 110), "QUEUED jiashan-1 shanghai 2");
  assert_events (request (p, "wujiang-2", "shanghai", 120), "QUEUED wujiang-2 shanghai 3");

  assert_events (set_available (p, "huangpu-1", TRUE, 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai; "
                 "QUEUED jiashan-1 shanghai 1; QUEUED wujiang-2 shanghai 2");
  assert_paired (p, "wujiang-1", "huangpu-1");
  assert_queued (p, "jiashan-1", 1);
  assert_queued (p, "wujiang-2", 2);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 2);
}

/* Choosing the agent. */

static void
test_choice_longest_idle (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "huangpu-2", "shanghai", 0);
  add_agent (p, "qingpu-1", "shanghai", 0);
  /* Free at different times, in neither registration nor call order. */
  assert_events (set_available (p, "huangpu-1", TRUE, 300), "");
  assert_events (set_available (p, "qingpu-1", TRUE, 200), "");
  assert_events (set_available (p, "huangpu-2", TRUE, 100), "");
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "wujiang-3");

  assert_events (request (p, "wujiang-1", "shanghai", 400),
                 "PAIRED wujiang-1 huangpu-2 shanghai");
  assert_events (request (p, "wujiang-2", "shanghai", 400),
                 "PAIRED wujiang-2 qingpu-1 shanghai");
  assert_events (request (p, "wujiang-3", "shanghai", 400),
                 "PAIRED wujiang-3 huangpu-1 shanghai");
}

static void
test_choice_tie_by_registration (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  /* Registered in the order qingpu-1, huangpu-1, huangpu-2 (not the
   * alphabetical one), all free at the same instant, announced backwards. */
  add_agent (p, "qingpu-1", "shanghai", 0);
  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "huangpu-2", "shanghai", 0);
  assert_events (set_available (p, "huangpu-2", TRUE, 100), "");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (set_available (p, "qingpu-1", TRUE, 100), "");
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "wujiang-3");

  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 qingpu-1 shanghai");
  assert_events (request (p, "wujiang-2", "shanghai", 200),
                 "PAIRED wujiang-2 huangpu-1 shanghai");
  assert_events (request (p, "wujiang-3", "shanghai", 200),
                 "PAIRED wujiang-3 huangpu-2 shanghai");
}

static void
test_choice_idle_since_pair_ended (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "huangpu-2", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "wujiang-2");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (set_available (p, "huangpu-2", TRUE, 200), "");
  assert_events (request (p, "wujiang-1", "shanghai", 250),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
  /* huangpu-1 is idle since 300 now, huangpu-2 still since 200. */
  assert_events (end_pair (p, "wujiang-1", 300), "");
  assert_events (request (p, "wujiang-2", "shanghai", 400),
                 "PAIRED wujiang-2 huangpu-2 shanghai");
  assert_events (request (p, "wujiang-1", "shanghai", 400),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
}

static void
test_choice_reannounce_keeps_place (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "huangpu-2", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  assert_events (set_available (p, "huangpu-2", TRUE, 100), "");
  assert_events (set_available (p, "huangpu-1", TRUE, 200), "");
  /* Saying "available" again is no new start of idleness... */
  assert_events (set_available (p, "huangpu-2", TRUE, 300), "");
  assert_available (p, "huangpu-2");
  assert_events (request (p, "wujiang-1", "shanghai", 400),
                 "PAIRED wujiang-1 huangpu-2 shanghai");
  assert_events (end_pair (p, "huangpu-2", 500), "");

  /* ...but going away and coming back is. */
  assert_events (set_available (p, "huangpu-1", FALSE, 600), "");
  g_assert_cmpint (vw_pairing_get_agent_state (p, "huangpu-1"), ==, VW_AGENT_AWAY);
  assert_events (set_available (p, "huangpu-1", FALSE, 650), "");
  assert_events (set_available (p, "huangpu-1", TRUE, 700), "");
  assert_events (request (p, "wujiang-1", "shanghai", 800),
                 "PAIRED wujiang-1 huangpu-2 shanghai");
}

static void
test_busy_never_offered (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "qingpu-1", "shanghai", 0);   /* stays away */
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "wujiang-2");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai");

  assert_events (request (p, "jiashan-1", "shanghai", 300), "QUEUED jiashan-1 shanghai 1");
  assert_events (request (p, "wujiang-2", "shanghai", 310), "QUEUED wujiang-2 shanghai 2");
  assert_paired (p, "wujiang-1", "huangpu-1");
  g_assert_cmpint (vw_pairing_get_agent_state (p, "qingpu-1"), ==, VW_AGENT_AWAY);
  g_assert_null (vw_pairing_get_partner (p, "qingpu-1"));
}

/* Ending pairs. */

static void
test_end_pair_pairs_next_of_province (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "hefei-1", "anhui", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "wujiang-2");
  add_clerk (p, "jiashan-2");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (set_available (p, "hefei-1", TRUE, 100), "");
  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
  assert_events (request (p, "jiashan-1", "anhui", 200),
                 "PAIRED jiashan-1 hefei-1 anhui");
  /* The anhui clerk waits first, but the shanghai agent is not its. */
  assert_events (request (p, "jiashan-2", "anhui", 300), "QUEUED jiashan-2 anhui 1");
  assert_events (request (p, "wujiang-2", "shanghai", 310), "QUEUED wujiang-2 shanghai 1");

  assert_events (end_pair (p, "wujiang-1", 400), "PAIRED wujiang-2 huangpu-1 shanghai");
  assert_idle_clerk (p, "wujiang-1");
  assert_paired (p, "wujiang-2", "huangpu-1");
  assert_queued (p, "jiashan-2", 1);
  assert_paired (p, "jiashan-1", "hefei-1");

  /* Ended from the agent's side, with the queue now empty. */
  assert_events (end_pair (p, "huangpu-1", 500), "");
  assert_idle_clerk (p, "wujiang-2");
  assert_available (p, "huangpu-1");
  assert_queued (p, "jiashan-2", 1);

  /* And the anhui one is served by its own province's agent. */
  assert_events (end_pair (p, "hefei-1", 600), "PAIRED jiashan-2 hefei-1 anhui");
  assert_idle_clerk (p, "jiashan-1");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "anhui"), ==, 0);
}

static void
test_end_pair_refused (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  assert_events (request (p, "jiashan-1", "shanghai", 50), "QUEUED jiashan-1 shanghai 1");

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
  g_assert_cmpint (vw_pairing_get_agent_state (p, "huangpu-1"), ==, VW_AGENT_AWAY);
  assert_queued (p, "jiashan-1", 1);
}

static void
test_province_isolation (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "hefei-1", "anhui", 0);
  add_clerk (p, "wujiang-1");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");

  assert_events (request (p, "wujiang-1", "anhui", 200), "QUEUED wujiang-1 anhui 1");
  assert_available (p, "huangpu-1");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "anhui"), ==, 1);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 0);

  assert_events (set_available (p, "hefei-1", TRUE, 300), "PAIRED wujiang-1 hefei-1 anhui");
  assert_paired (p, "wujiang-1", "hefei-1");
  assert_available (p, "huangpu-1");
}

/* Removal. */

static void
test_remove_queued_clerk (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  const char *clerks[] = { "wujiang-1", "jiashan-1", "wujiang-2", "jiashan-2" };

  add_agent (p, "huangpu-1", "shanghai", 0);
  for (guint i = 0; i < G_N_ELEMENTS (clerks); i++) {
    g_autofree char *expected = g_strdup_printf ("QUEUED %s shanghai %u", clerks[i], i + 1);

    add_clerk (p, clerks[i]);
    assert_events (request (p, clerks[i], "shanghai", 100 + i), expected);
  }

  /* From the middle: only the ones behind are told. */
  assert_events (remove_peer (p, "jiashan-1", 200),
                 "QUEUED wujiang-2 shanghai 2; QUEUED jiashan-2 shanghai 3");
  g_assert_false (vw_pairing_has_peer (p, "jiashan-1"));
  g_assert_cmpuint (vw_pairing_get_position (p, "jiashan-1"), ==, 0);
  assert_queued (p, "wujiang-1", 1);
  assert_queued (p, "wujiang-2", 2);
  assert_queued (p, "jiashan-2", 3);

  /* From the tail: nobody moves. */
  assert_events (remove_peer (p, "jiashan-2", 210), "");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 2);

  /* From the head. */
  assert_events (remove_peer (p, "wujiang-1", 220), "QUEUED wujiang-2 shanghai 1");
  assert_queued (p, "wujiang-2", 1);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 1);

  /* The last one leaves; the agent, still away, is untouched. */
  assert_events (remove_peer (p, "wujiang-2", 230), "");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 0);
  g_assert_cmpint (vw_pairing_get_agent_state (p, "huangpu-1"), ==, VW_AGENT_AWAY);
}

static void
test_remove_paired_clerk (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "huangpu-2", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "wujiang-2");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
  assert_events (request (p, "jiashan-1", "shanghai", 210), "QUEUED jiashan-1 shanghai 1");
  assert_events (request (p, "wujiang-2", "shanghai", 220), "QUEUED wujiang-2 shanghai 2");

  assert_events (remove_peer (p, "wujiang-1", 300),
                 "PAIRED jiashan-1 huangpu-1 shanghai; QUEUED wujiang-2 shanghai 1");
  g_assert_false (vw_pairing_has_peer (p, "wujiang-1"));
  assert_paired (p, "jiashan-1", "huangpu-1");
  assert_queued (p, "wujiang-2", 1);

  /* With nobody waiting, the agent is simply free again, idle since the
   * removal (320), so huangpu-2 (free since 310) has waited longer. */
  assert_events (remove_peer (p, "wujiang-2", 305), "");
  assert_events (set_available (p, "huangpu-2", TRUE, 310), "");
  assert_events (remove_peer (p, "jiashan-1", 320), "");
  assert_available (p, "huangpu-1");
  add_clerk (p, "wujiang-3");
  assert_events (request (p, "wujiang-3", "shanghai", 400),
                 "PAIRED wujiang-3 huangpu-2 shanghai");
}

static void
test_remove_paired_agent (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
  assert_events (request (p, "jiashan-1", "shanghai", 210), "QUEUED jiashan-1 shanghai 1");

  /* The agent leaves: its clerk is idle, the waiter keeps waiting. */
  assert_events (remove_peer (p, "huangpu-1", 300), "");
  g_assert_false (vw_pairing_has_peer (p, "huangpu-1"));
  g_assert_null (vw_pairing_get_partner (p, "huangpu-1"));
  assert_idle_clerk (p, "wujiang-1");
  assert_queued (p, "jiashan-1", 1);

  /* The clerk may ask again (behind the one already waiting). */
  assert_events (request (p, "wujiang-1", "shanghai", 400), "QUEUED wujiang-1 shanghai 2");

  /* The id may be registered again, afresh. */
  add_agent (p, "huangpu-1", "shanghai", 500);
  g_assert_cmpint (vw_pairing_get_agent_state (p, "huangpu-1"), ==, VW_AGENT_AWAY);
  assert_events (set_available (p, "huangpu-1", TRUE, 600),
                 "PAIRED jiashan-1 huangpu-1 shanghai; QUEUED wujiang-1 shanghai 1");
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
test_away_while_busy_refused (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai");

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

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  add_clerk (p, "jiashan-1");
  add_clerk (p, "jiashan-2");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");
  assert_events (request (p, "wujiang-1", "shanghai", 200),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
  assert_events (request (p, "jiashan-1", "shanghai", 210), "QUEUED jiashan-1 shanghai 1");
  assert_events (request (p, "jiashan-2", "shanghai", 220), "QUEUED jiashan-2 shanghai 2");

  events = vw_pairing_request (p, "wujiang-1", "shanghai", 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "wujiang-1");
  error = NULL;
  events = vw_pairing_request (p, "jiashan-1", "shanghai", 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-1");
  /* Not even for another province. */
  error = NULL;
  events = vw_pairing_request (p, "jiashan-1", "anhui", 300, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_STATE, "jiashan-1");

  assert_paired (p, "wujiang-1", "huangpu-1");
  assert_queued (p, "jiashan-1", 1);
  assert_queued (p, "jiashan-2", 2);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 2);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "anhui"), ==, 0);
}

static void
test_wrong_role (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_agent (p, "hefei-1", "anhui", 0);
  add_clerk (p, "wujiang-1");
  assert_events (set_available (p, "hefei-1", TRUE, 100), "");

  /* An agent asking for another province's agent is still an agent. */
  events = vw_pairing_request (p, "huangpu-1", "anhui", 200, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_ROLE, "huangpu-1");
  g_assert_cmpint (vw_pairing_get_agent_state (p, "huangpu-1"), ==, VW_AGENT_AWAY);
  assert_available (p, "hefei-1");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "anhui"), ==, 0);

  error = NULL;
  events = vw_pairing_set_available (p, "wujiang-1", TRUE, 200, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_WRONG_ROLE, "wujiang-1");
  assert_idle_clerk (p, "wujiang-1");

  g_assert_true (vw_pairing_is_agent (p, "huangpu-1"));
  g_assert_false (vw_pairing_is_agent (p, "wujiang-1"));
  /* State queries for the other role get the neutral answer. */
  g_assert_cmpint (vw_pairing_get_clerk_state (p, "hefei-1"), ==, VW_CLERK_IDLE);
  g_assert_cmpint (vw_pairing_get_agent_state (p, "wujiang-1"), ==, VW_AGENT_AWAY);
}

static void
test_unknown_province (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  g_autoptr(GError) agent_error = NULL;
  GError *error = NULL;
  GPtrArray *events;

  g_assert_false (vw_pairing_add_agent (p, "fuzhou-1", "fujian", 0, &agent_error));
  g_assert_error (agent_error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE);
  g_assert_nonnull (strstr (agent_error->message, "fujian"));
  g_assert_false (vw_pairing_has_peer (p, "fuzhou-1"));

  add_clerk (p, "wujiang-1");
  events = vw_pairing_request (p, "wujiang-1", "fujian", 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE, "fujian");
  assert_idle_clerk (p, "wujiang-1");
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "fujian"), ==, 0);
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

  add_agent (p, "huangpu-1", "shanghai", 0);
  add_clerk (p, "wujiang-1");
  assert_events (set_available (p, "huangpu-1", TRUE, 100), "");

  for (guint i = 0; i < G_N_ELEMENTS (dups); i++) {
    g_autoptr(GError) error = NULL;
    gboolean added = dups[i].agent ?
        vw_pairing_add_agent (p, dups[i].id, "anhui", 200, &error) :
        vw_pairing_add_clerk (p, dups[i].id, &error);

    g_assert_false (added);
    g_assert_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_ALREADY_REGISTERED);
    g_assert_nonnull (strstr (error->message, dups[i].id));
  }

  /* The first registrations are untouched: the agent still serves
   * shanghai and keeps its state. */
  g_assert_true (vw_pairing_is_agent (p, "huangpu-1"));
  g_assert_false (vw_pairing_is_agent (p, "wujiang-1"));
  assert_available (p, "huangpu-1");
  assert_events (request (p, "wujiang-1", "shanghai", 300),
                 "PAIRED wujiang-1 huangpu-1 shanghai");
}

static void
test_unknown_ids (void)
{
  g_autoptr(VwPairing) p = vw_pairing_new ();
  GError *error = NULL;
  GPtrArray *events;

  g_assert_false (vw_pairing_has_peer (p, "nobody"));
  g_assert_false (vw_pairing_is_agent (p, "nobody"));
  g_assert_cmpint (vw_pairing_get_agent_state (p, "nobody"), ==, VW_AGENT_AWAY);
  g_assert_cmpint (vw_pairing_get_clerk_state (p, "nobody"), ==, VW_CLERK_IDLE);
  g_assert_null (vw_pairing_get_partner (p, "nobody"));
  g_assert_cmpuint (vw_pairing_get_position (p, "nobody"), ==, 0);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "shanghai"), ==, 0);
  g_assert_cmpuint (vw_pairing_get_queue_length (p, "nowhere"), ==, 0);

  events = vw_pairing_set_available (p, "nobody", TRUE, 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_NOT_REGISTERED, "nobody");
  error = NULL;
  events = vw_pairing_request (p, "nobody", "shanghai", 100, &error);
  assert_refused (events, error, VW_PROTOCOL_ERROR_NOT_REGISTERED, "nobody");
  g_assert_false (vw_pairing_has_peer (p, "nobody"));
}

/* Randomized: a seeded sequence of operations on a handful of peers, with
 * a model of what the test knows, and the invariants checked after each
 * step. */

#define N_AGENTS 6
#define N_CLERKS 10
#define N_PEERS (N_AGENTS + N_CLERKS)
#define N_STEPS 4000

typedef enum {
  OP_ADD,
  OP_SET_AVAILABLE,
  OP_REQUEST,
  OP_END_PAIR,
  OP_REMOVE,
} Op;

/* zhejiang has no agent: its clerks wait until they leave. */
static const char *const provinces[] = { "shanghai", "jiangsu", "anhui", "zhejiang" };
static const char *const agent_provinces[N_AGENTS] = {
  "shanghai", "shanghai", "shanghai", "jiangsu", "jiangsu", "anhui",
};

typedef struct {
  VwPairing *p;
  GRand *rand;
  gint64 now;
  char *ids[N_PEERS];        /* agents first, then clerks */
  gboolean registered[N_PEERS];
  guint64 serial[N_PEERS];   /* agents: registration order */
  guint64 next_serial;
  gint64 idle_since[N_PEERS];
  const char *asked[N_PEERS];  /* clerks: province of the current request */
  guint told[N_PEERS];       /* clerks: last position told, 0 if none */
  /* Before the current step. */
  VwAgentState agent_before[N_PEERS];
  VwClerkState clerk_before[N_PEERS];
  int partner_before[N_PEERS];
  /* Coverage, so a degenerate generator shows. */
  guint n_paired, n_choices, n_ties, n_queued_events, n_moved, n_refused;
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

static void
model_add (Model *m, int i)
{
  g_autoptr(GError) error = NULL;
  gboolean added = is_agent_index (i) ?
      vw_pairing_add_agent (m->p, m->ids[i], agent_provinces[i], m->now, &error) :
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

/* TRUE if agent @a must be preferred to agent @b in this step: idle longer,
 * or as long and registered earlier.  An agent that became available during
 * the step is idle since now. */
static gboolean
ranks_before (Model *m, int a, int b)
{
  gint64 ia = m->agent_before[a] == VW_AGENT_AVAILABLE ? m->idle_since[a] : m->now;
  gint64 ib = m->agent_before[b] == VW_AGENT_AVAILABLE ? m->idle_since[b] : m->now;

  return ia < ib || (ia == ib && m->serial[a] < m->serial[b]);
}

static void
check_paired_event (Model *m, VwPairingEvent *e, gboolean *taken)
{
  int c = peer_index (m, e->clerk), a = peer_index (m, e->agent);

  g_assert_false (is_agent_index (c));
  g_assert_true (is_agent_index (a));
  g_assert_false (taken[a]);
  taken[a] = TRUE;
  /* The right province, and first come first served. */
  g_assert_cmpstr (e->province, ==, m->asked[c]);
  g_assert_cmpstr (e->province, ==, agent_provinces[a]);
  g_assert_cmpuint (m->told[c], <=, 1);
  m->told[c] = 0;
  g_assert_cmpint (partner_index (m, c), ==, a);
  /* Longest idle among the agents that were available for it. */
  for (int b = 0; b < N_AGENTS; b++) {
    if (b == a || taken[b] || !m->registered[b]
        || m->agent_before[b] != VW_AGENT_AVAILABLE
        || !g_str_equal (agent_provinces[b], agent_provinces[a]))
      continue;
    g_assert_true (ranks_before (m, a, b));
    m->n_choices++;
    if (m->agent_before[a] == VW_AGENT_AVAILABLE && m->idle_since[a] == m->idle_since[b])
      m->n_ties++;
  }
  m->n_paired++;
}

static void
check_queued_event (Model *m, VwPairingEvent *e)
{
  int c = peer_index (m, e->clerk);

  g_assert_false (is_agent_index (c));
  g_assert_cmpstr (e->province, ==, m->asked[c]);
  /* Told only when it changes, and a waiting clerk only moves up. */
  g_assert_cmpuint (e->position, !=, m->told[c]);
  if (m->told[c] != 0) {
    g_assert_cmpuint (e->position, <, m->told[c]);
    m->n_moved++;
  }
  m->told[c] = e->position;
  m->n_queued_events++;
}

static void
check_events (Model *m, GPtrArray *events)
{
  gboolean taken[N_PEERS] = { FALSE };
  guint n_new_pairs = 0, n_paired_events = 0;

  for (guint i = 0; i < events->len; i++) {
    VwPairingEvent *e = g_ptr_array_index (events, i);

    if (e->type == VW_PAIRING_EVENT_PAIRED) {
      check_paired_event (m, e, taken);
      n_paired_events++;
    } else {
      g_assert_cmpint (e->type, ==, VW_PAIRING_EVENT_QUEUED);
      check_queued_event (m, e);
    }
  }
  /* Every new pair was announced. */
  for (int c = N_AGENTS; c < N_PEERS; c++) {
    int a = m->registered[c] ? partner_index (m, c) : -1;

    if (a >= 0 && a != m->partner_before[c])
      n_new_pairs++;
  }
  g_assert_cmpuint (n_new_pairs, ==, n_paired_events);
}

static void
check_invariants (Model *m)
{
  int clerks_of[N_PEERS] = { 0 };

  for (int i = 0; i < N_PEERS; i++) {
    const char *id = m->ids[i];
    int partner = partner_index (m, i);

    g_assert_cmpint (vw_pairing_has_peer (m->p, id), ==, m->registered[i]);
    g_assert_cmpint (vw_pairing_is_agent (m->p, id), ==,
                     m->registered[i] && is_agent_index (i));
    if (!m->registered[i]) {
      g_assert_cmpint (partner, ==, -1);
      g_assert_cmpuint (vw_pairing_get_position (m->p, id), ==, 0);
      continue;
    }
    /* Partner symmetry, agent with clerk. */
    if (partner >= 0) {
      g_assert_true (m->registered[partner]);
      g_assert_cmpint (is_agent_index (partner), !=, is_agent_index (i));
      g_assert_cmpint (partner_index (m, partner), ==, i);
    }
    if (is_agent_index (i)) {
      VwAgentState state = vw_pairing_get_agent_state (m->p, id);

      g_assert_cmpint (state == VW_AGENT_BUSY, ==, partner >= 0);
      if (state == VW_AGENT_AVAILABLE)
        g_assert_cmpuint (vw_pairing_get_queue_length (m->p, agent_provinces[i]), ==, 0);
    } else {
      VwClerkState state = vw_pairing_get_clerk_state (m->p, id);
      guint position = vw_pairing_get_position (m->p, id);

      g_assert_cmpint (state == VW_CLERK_PAIRED, ==, partner >= 0);
      g_assert_cmpint (state == VW_CLERK_QUEUED, ==, position > 0);
      /* Every change of position was told. */
      g_assert_cmpuint (position, ==, m->told[i]);
      if (partner >= 0) {
        g_assert_cmpstr (m->asked[i], ==, agent_provinces[partner]);
        clerks_of[partner]++;
      }
    }
  }
  /* No agent in two pairs. */
  for (int a = 0; a < N_AGENTS; a++)
    g_assert_cmpint (clerks_of[a], <=, 1);

  /* Each queue holds exactly its clerks, at positions 1..length. */
  for (guint p = 0; p < G_N_ELEMENTS (provinces); p++) {
    guint length = vw_pairing_get_queue_length (m->p, provinces[p]);
    gboolean seen[N_PEERS + 1] = { FALSE };
    guint n = 0;

    for (int c = N_AGENTS; c < N_PEERS; c++) {
      guint position = vw_pairing_get_position (m->p, m->ids[c]);

      if (position == 0 || !g_str_equal (m->asked[c], provinces[p]))
        continue;
      g_assert_cmpuint (position, <=, length);
      g_assert_false (seen[position]);
      seen[position] = TRUE;
      n++;
    }
    g_assert_cmpuint (n, ==, length);
  }
}

/* The error a call of @op by peer @i must get, judged from the state before
 * it, or -1. */
static int
expected_error (Model *m, int i, Op op, const char *province)
{
  if (op == OP_REMOVE)
    return -1;
  if (!m->registered[i])
    return VW_PROTOCOL_ERROR_NOT_REGISTERED;
  switch (op) {
  case OP_END_PAIR:
    return m->partner_before[i] < 0 ? VW_PROTOCOL_ERROR_WRONG_STATE : -1;
  case OP_SET_AVAILABLE:
    if (!is_agent_index (i))
      return VW_PROTOCOL_ERROR_WRONG_ROLE;
    return m->agent_before[i] == VW_AGENT_BUSY ? VW_PROTOCOL_ERROR_WRONG_STATE : -1;
  default:
    if (is_agent_index (i))
      return VW_PROTOCOL_ERROR_WRONG_ROLE;
    if (m->clerk_before[i] != VW_CLERK_IDLE)
      return VW_PROTOCOL_ERROR_WRONG_STATE;
    if (!vw_province_is_known (province))
      return VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE;
    return -1;
  }
}

/* Whether peer @i, as things stand, is a good target for @op. */
static gboolean
fits (Model *m, int i, Op op)
{
  if (!m->registered[i])
    return FALSE;
  switch (op) {
  case OP_SET_AVAILABLE:
    return is_agent_index (i) && m->agent_before[i] != VW_AGENT_BUSY;
  case OP_REQUEST:
    return !is_agent_index (i) && m->clerk_before[i] == VW_CLERK_IDLE;
  case OP_END_PAIR:
    return m->partner_before[i] >= 0;
  default:
    return TRUE;
  }
}

/* Mostly a peer the operation fits, so that most steps do something;
 * sometimes anyone, so that every refusal comes up too. */
static int
pick_peer (Model *m, Op op)
{
  int i = g_rand_int_range (m->rand, 0, N_PEERS);

  if (g_rand_int_range (m->rand, 0, 8) == 0)
    return i;
  for (int tries = 0; tries < 4 * N_PEERS && !fits (m, i, op); tries++)
    i = g_rand_int_range (m->rand, 0, N_PEERS);
  return i;
}

static const char *
pick_province (Model *m)
{
  guint roll = g_rand_int_range (m->rand, 0, 40);

  /* Rarely the agentless zhejiang, whose clerks wait until they leave. */
  if (roll == 0)
    return "fujian";
  if (roll < 4)
    return "zhejiang";
  return provinces[roll % 3];
}

static void
model_step (Model *m)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  guint roll = g_rand_int_range (m->rand, 0, 100);
  Op op = roll < 3 ? OP_ADD : roll < 33 ? OP_SET_AVAILABLE : roll < 63 ? OP_REQUEST :
      roll < 90 ? OP_END_PAIR : OP_REMOVE;
  gboolean available = g_rand_int_range (m->rand, 0, 4) != 0;
  const char *province = pick_province (m);
  int i, expected;

  /* Often the same instant, so idle ties happen. */
  m->now += g_rand_int_range (m->rand, 0, 3) == 0;
  for (int j = 0; j < N_PEERS; j++) {
    m->agent_before[j] = vw_pairing_get_agent_state (m->p, m->ids[j]);
    m->clerk_before[j] = vw_pairing_get_clerk_state (m->p, m->ids[j]);
    m->partner_before[j] = partner_index (m, j);
  }
  i = op == OP_ADD ? g_rand_int_range (m->rand, 0, N_PEERS) : pick_peer (m, op);

  /* Departed peers mostly come back; sometimes a registered id is reused. */
  if (op == OP_ADD || (!m->registered[i] && g_rand_int_range (m->rand, 0, 4) != 0)) {
    model_add (m, i);
    check_invariants (m);
    return;
  }
  switch (op) {
  case OP_SET_AVAILABLE:
    events = vw_pairing_set_available (m->p, m->ids[i], available, m->now, &error);
    break;
  case OP_REQUEST:
    events = vw_pairing_request (m->p, m->ids[i], province, m->now, &error);
    break;
  case OP_END_PAIR:
    events = vw_pairing_end_pair (m->p, m->ids[i], m->now, &error);
    break;
  default:
    events = vw_pairing_remove (m->p, m->ids[i], m->now);
    break;
  }
  expected = expected_error (m, i, op, province);

  if (expected >= 0) {
    g_assert_error (error, VW_PROTOCOL_ERROR, expected);
    g_assert_null (events);
    m->n_refused++;
  } else {
    g_assert_no_error (error);
    g_assert_nonnull (events);
    if (op == OP_REQUEST)
      m->asked[i] = province;
    if (op == OP_REMOVE) {
      m->registered[i] = FALSE;
      m->told[i] = 0;
    }
    check_events (m, events);
  }

  /* Update the model: idle clerks asked nothing; newly available agents are
   * idle since now. */
  for (int j = 0; j < N_PEERS; j++) {
    if (!is_agent_index (j)
        && vw_pairing_get_clerk_state (m->p, m->ids[j]) == VW_CLERK_IDLE)
      m->asked[j] = NULL;
    if (is_agent_index (j) && m->agent_before[j] != VW_AGENT_AVAILABLE
        && vw_pairing_get_agent_state (m->p, m->ids[j]) == VW_AGENT_AVAILABLE)
      m->idle_since[j] = m->now;
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
  for (int i = 0; i < N_PEERS; i++) {
    m.ids[i] = is_agent_index (i) ?
        g_strdup_printf ("agent-%s-%d", agent_provinces[i], i) :
        g_strdup_printf ("clerk-%d", i - N_AGENTS);
    model_add (&m, i);
  }
  m.n_refused = 0;

  for (guint step = 0; step < N_STEPS; step++)
    model_step (&m);

  g_test_message ("%u pairs (%u agents passed over, %u on a tie), "
                  "%u queued events (%u moves), %u refusals",
                  m.n_paired, m.n_choices, m.n_ties, m.n_queued_events,
                  m.n_moved, m.n_refused);
  g_assert_cmpuint (m.n_paired, >, N_STEPS / 10);
  g_assert_cmpuint (m.n_choices, >, N_STEPS / 80);
  g_assert_cmpuint (m.n_ties, >, N_STEPS / 800);
  g_assert_cmpuint (m.n_moved, >, N_STEPS / 20);
  g_assert_cmpuint (m.n_refused, >, N_STEPS / 20);

  vw_pairing_free (m.p);
  g_rand_free (m.rand);
  for (int i = 0; i < N_PEERS; i++)
    g_free (m.ids[i]);
}

int
main (int argc, char *argv[])
{
  static const guint32 seeds[] = { 1, 2, 20240612, 0xdeadbeef };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pairing/request/pairs-at-once", test_request_pairs_at_once);
  g_test_add_func ("/pairing/request/queues-without-agent", test_request_queues_without_agent);
  g_test_add_func ("/pairing/request/wrong-state", test_request_wrong_state);
  g_test_add_func ("/pairing/request/unknown-province", test_unknown_province);
  g_test_add_func ("/pairing/available/pairs-first-waiter", test_available_pairs_first_waiter);
  g_test_add_func ("/pairing/available/away-while-busy", test_away_while_busy_refused);
  g_test_add_func ("/pairing/choice/longest-idle", test_choice_longest_idle);
  g_test_add_func ("/pairing/choice/tie-by-registration", test_choice_tie_by_registration);
  g_test_add_func ("/pairing/choice/idle-since-pair-ended", test_choice_idle_since_pair_ended);
  g_test_add_func ("/pairing/choice/reannounce-keeps-place", test_choice_reannounce_keeps_place);
  g_test_add_func ("/pairing/choice/busy-never-offered", test_busy_never_offered);
  g_test_add_func ("/pairing/end-pair/next-of-province", test_end_pair_pairs_next_of_province);
  g_test_add_func ("/pairing/end-pair/refused", test_end_pair_refused);
  g_test_add_func ("/pairing/province-isolation", test_province_isolation);
  g_test_add_func ("/pairing/remove/queued-clerk", test_remove_queued_clerk);
  g_test_add_func ("/pairing/remove/paired-clerk", test_remove_paired_clerk);
  g_test_add_func ("/pairing/remove/paired-agent", test_remove_paired_agent);
  g_test_add_func ("/pairing/remove/unknown", test_remove_unknown);
  g_test_add_func ("/pairing/role/wrong-role", test_wrong_role);
  g_test_add_func ("/pairing/register/duplicate", test_duplicate_ids);
  g_test_add_func ("/pairing/queries/unknown-ids", test_unknown_ids);
  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++) {
    g_autofree char *path = g_strdup_printf ("/pairing/random/%u", seeds[i]);

    g_test_add_data_func (path, GUINT_TO_POINTER (seeds[i]), test_random);
  }

  return g_test_run ();
}
