/* pairing-helpers.c: see pairing-helpers.h. */
#include "pairing-helpers.h"

#include <string.h>

/* Every event is checked for the fields its type must (not) carry, so the
 * tests comparing strings need not. */
static void
append_event (GString *s, const VwPairingEvent *e)
{
  switch (e->type) {
  case VW_PAIRING_EVENT_PAIRED:
    g_assert_nonnull (e->clerk);
    g_assert_nonnull (e->agent);
    g_assert_nonnull (e->item);
    g_assert_cmpuint (e->position, ==, 0);
    g_string_append_printf (s, "PAIRED %s %s %s/%s", e->clerk, e->agent,
                            e->province, e->item);
    break;
  case VW_PAIRING_EVENT_QUEUED:
    g_assert_nonnull (e->clerk);
    g_assert_null (e->agent);
    g_assert_nonnull (e->item);
    g_assert_cmpuint (e->position, >, 0);
    g_string_append_printf (s, "QUEUED %s %s/%s %u", e->clerk, e->province,
                            e->item, e->position);
    break;
  case VW_PAIRING_EVENT_AGENT_STATE:
    g_assert_null (e->clerk);
    g_assert_nonnull (e->agent);
    g_assert_null (e->province);
    g_assert_null (e->item);
    g_string_append_printf (s, "STATE %s %s", e->agent,
                            vw_agent_state_to_string (e->agent_state));
    if (e->agent_state == VW_AGENT_WRAP_UP)
      g_string_append_printf (s, " %" G_GINT64_FORMAT, e->until);
    else
      g_assert_cmpint (e->until, ==, 0);
    break;
  default:
    g_assert_not_reached ();
  }
}

char *
events_to_string (GPtrArray *events)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++) {
    if (i > 0)
      g_string_append (s, "; ");
    append_event (s, g_ptr_array_index (events, i));
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

char *
ok (GPtrArray *events, GError *error)
{
  g_autoptr(GPtrArray) owned = events;
  g_autoptr(GError) owned_error = error;

  g_assert_no_error (owned_error);
  g_assert_nonnull (owned);
  return events_to_string (owned);
}

void
assert_refused (GPtrArray *events, GError *error, VwProtocolError code,
                const char *who)
{
  g_autoptr(GPtrArray) owned = events;
  g_autoptr(GError) owned_error = error;

  g_assert_error (owned_error, VW_PROTOCOL_ERROR, (gint) code);
  g_assert_null (owned);
  g_assert_nonnull (strstr (owned_error->message, who));
}

void
add_agent (VwPairing *p, const char *agent, const char *province,
           const char *const *items, gint64 now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vw_pairing_add_agent (p, agent, province, items, now, &error));
  g_assert_no_error (error);
}

void
add_clerk (VwPairing *p, const char *clerk)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vw_pairing_add_clerk (p, clerk, &error));
  g_assert_no_error (error);
}

char *
set_available (VwPairing *p, const char *agent, gboolean available, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_set_available (p, agent, available, now, &error);

  return ok (events, error);
}

char *
request (VwPairing *p, const char *clerk, const char *province,
         const char *item, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_request (p, clerk, province, item, FALSE, now, &error);

  return ok (events, error);
}

char *
request_priority (VwPairing *p, const char *clerk, const char *province,
                  const char *item, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_request (p, clerk, province, item, TRUE, now, &error);

  return ok (events, error);
}

char *
end_pair (VwPairing *p, const char *peer, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_end_pair (p, peer, now, &error);

  return ok (events, error);
}

char *
tick (VwPairing *p, gint64 now)
{
  return ok (vw_pairing_tick (p, now), NULL);
}

char *
transfer_to_agent (VwPairing *p, const char *clerk, const char *to, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_transfer_to_agent (p, clerk, to, now, &error);

  return ok (events, error);
}

char *
transfer_to_queue (VwPairing *p, const char *clerk, const char *province,
                   const char *item, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_transfer_to_queue (p, clerk, province, item,
                                                    now, &error);

  return ok (events, error);
}

char *
claim (VwPairing *p, const char *agent, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_claim_agent (p, agent, now, &error);

  return ok (events, error);
}

char *
release (VwPairing *p, const char *agent, gint64 now)
{
  GError *error = NULL;
  GPtrArray *events = vw_pairing_release_agent (p, agent, now, &error);

  return ok (events, error);
}

char *
remove_peer (VwPairing *p, const char *peer, gint64 now)
{
  return ok (vw_pairing_remove (p, peer, now), NULL);
}

char *
ids_to_string (GPtrArray *ids)
{
  g_autoptr(GPtrArray) owned = ids;

  g_ptr_array_add (owned, NULL);
  return g_strjoinv (" ", (char **) owned->pdata);
}

char *
list_queue (VwPairing *p, const char *province, const char *item)
{
  return ids_to_string (vw_pairing_list_queue (p, province, item));
}

char *
list_waiting_for (VwPairing *p, const char *agent)
{
  return ids_to_string (vw_pairing_list_waiting_for (p, agent));
}

void
assert_paired (VwPairing *p, const char *clerk, const char *agent)
{
  g_assert_cmpint (vw_pairing_get_clerk_state (p, clerk), ==, VW_CLERK_PAIRED);
  g_assert_cmpint (vw_pairing_get_agent_state (p, agent), ==, VW_AGENT_BUSY);
  g_assert_cmpstr (vw_pairing_get_partner (p, clerk), ==, agent);
  g_assert_cmpstr (vw_pairing_get_partner (p, agent), ==, clerk);
  g_assert_cmpuint (vw_pairing_get_position (p, clerk), ==, 0);
}

void
assert_queued (VwPairing *p, const char *clerk, guint position)
{
  g_assert_cmpint (vw_pairing_get_clerk_state (p, clerk), ==, VW_CLERK_QUEUED);
  g_assert_true (vw_pairing_has_peer (p, clerk));
  g_assert_cmpuint (vw_pairing_get_position (p, clerk), ==, position);
  g_assert_null (vw_pairing_get_partner (p, clerk));
}

void
assert_idle_clerk (VwPairing *p, const char *clerk)
{
  g_assert_cmpint (vw_pairing_get_clerk_state (p, clerk), ==, VW_CLERK_IDLE);
  g_assert_true (vw_pairing_has_peer (p, clerk));
  g_assert_false (vw_pairing_is_agent (p, clerk));
  g_assert_cmpuint (vw_pairing_get_position (p, clerk), ==, 0);
  g_assert_null (vw_pairing_get_partner (p, clerk));
}

void
assert_agent (VwPairing *p, const char *agent, VwAgentState state)
{
  g_assert_true (vw_pairing_is_agent (p, agent));
  g_assert_cmpstr (vw_agent_state_to_string (vw_pairing_get_agent_state (p, agent)), ==,
                   vw_agent_state_to_string (state));
  if (state != VW_AGENT_BUSY)
    g_assert_null (vw_pairing_get_partner (p, agent));
  g_assert_cmpint (vw_pairing_get_agent_until (p, agent) != 0, ==,
                   state == VW_AGENT_WRAP_UP);
}
