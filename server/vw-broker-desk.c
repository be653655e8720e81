/* vw-broker-desk.c: the service desk around a call: requests by item code
 * (and appointments' holders at their booked time), the estimated wait a
 * queued clerk is shown, agent states and the end of wrap-up, the queue
 * each agent sees, and the rating (好差评) a clerk gives once the session is
 * over. */
#include "vw-broker-private.h"
#include "vw-store-supervision.h"
#include "vw-store-items.h"
#include "vw-store-handling.h"
#include "vw-store-appointments.h"
#include "vw-slots.h"

/* Sessions read back from the store at start-up for estimated waits. */
#define VW_WAIT_HISTORY_LOAD 500

#define MAX_COMMENT_CHARS 500

/* ---- requests by item ---- */

gboolean
broker_check_item (VwBroker *b, const char *province, const char *item,
    GError **error)
{
  g_autoptr (VwStoreItem) it = vw_store_get_item (b->store, item, NULL);
  if (!it) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_ITEM,
        "no service item '%s' in the catalogue", item);
    return FALSE;
  }
  if (g_strcmp0 (it->mode, "remote") != 0) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_ITEM,
        "%s (%s) is not handled at the remote window (mode %s)", it->name, item,
        it->mode);
    return FALSE;
  }
  if (province && !g_strv_contains ((const char *const *) it->provinces, province)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_ITEM,
        "%s (%s) is not handled in %s", it->name, item, province);
    return FALSE;
  }
  return TRUE;
}

gboolean
broker_check_agent_items (VwBroker *b, VwMessage *hello, GStrv *items,
    GError **error)
{
  JsonArray *list = vw_message_get_array_member (hello, "items");
  *items = NULL;
  if (!list)
    return TRUE;   /* none declared: every item */
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (list); i++) {
    JsonNode *n = json_array_get_element (list, i);
    const char *code = JSON_NODE_HOLDS_VALUE (n)
        && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
    if (!code) {
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
          "field 'items' must be an array of item codes");
      return FALSE;
    }
    if (!broker_check_item (b, NULL, code, error))
      return FALSE;
    g_strv_builder_add (builder, code);
  }
  *items = g_strv_builder_end (builder);
  return TRUE;
}

/* An appointment's holder at the booked time: the booking must be for
 * this item (checked before check-in uses it up), then it is checked in,
 * and the request takes its province from the booking. */
static gboolean
check_in (Connection *c, const char *code, const char **province,
    const char *item, GError **error)
{
  VwStore *store = c->broker->store;
  g_autoptr (GError) local = NULL;
  g_autoptr (VwStoreBooking) found = vw_store_get_booking (store, code, NULL);
  if (found && g_strcmp0 (found->item, item) != 0) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "booking %s is for item %s, not %s", code, found->item, item);
    return FALSE;
  }
  g_autoptr (VwStoreBooking) booking = NULL;
  if (!vw_store_booking_check_in (store, code, broker_now_ms (),
          VW_SLOT_EARLY_DEFAULT_MS, &booking, &local)) {
    g_set_error_literal (error, VW_PROTOCOL_ERROR,
        g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)
            ? VW_PROTOCOL_ERROR_UNKNOWN_BOOKING
            : g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT)
            ? VW_PROTOCOL_ERROR_BOOKING_NOT_DUE : VW_PROTOCOL_ERROR_INTERNAL,
        local->message);
    return FALSE;
  }
  g_free (c->booking);
  c->booking = g_strdup (booking->code);
  *province = g_intern_string (booking->province);
  return TRUE;
}

gboolean
broker_handle_request (Connection *c, VwMessage *msg, GError **error)
{
  VwBroker *b = c->broker;
  const char *province = vw_message_get_string (msg, "province", "");
  const char *item = vw_message_get_string (msg, "item", "");
  const char *booking = vw_message_get_string (msg, "booking", NULL);
  VwClerkState state = vw_pairing_get_clerk_state (b->pairing, c->peer_id);
  if (state != VW_CLERK_IDLE || c->session) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "a request is already %s", state == VW_CLERK_QUEUED ? "waiting" : "being served");
    return FALSE;
  }
  if (!vw_province_is_known (province)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_PROVINCE,
        "unknown province '%s'", province);
    return FALSE;
  }
  if (!broker_check_item (b, province, item, error))
    return FALSE;
  if (booking && !check_in (c, booking, &province, item, error))
    return FALSE;
  if (!booking)
    g_clear_pointer (&c->booking, g_free);   /* an earlier one is used up */
  /* Kept for the session record, and the queue entry its agent sees. */
  g_free (c->item);
  g_free (c->handled_in);
  c->item = g_strdup (item);
  c->handled_in = g_strdup (province);
  c->requested_at = broker_now_ms ();
  g_autoptr (GPtrArray) events = vw_pairing_request (b->pairing, c->peer_id,
      province, item, booking != NULL, broker_now_us (), error);
  if (!events)
    return FALSE;
  broker_conn_reply_ok (c, msg);
  broker_apply_events (b, g_steal_pointer (&events));
  return TRUE;
}

/* ---- estimated waits ---- */

void
broker_note_handling (VwBroker *b, const char *province, const char *item, gint64 ms)
{
  if (province && item && ms > 0)
    vw_wait_history_add (b->handling, province, item, ms);
}

/* The history survives restarts: the latest sessions from the store. */
void
broker_load_handling (VwBroker *b)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = vw_store_list_recent_handling (b->store,
      VW_WAIT_HISTORY_LOAD, &error);
  if (!rows) {
    g_warning ("cannot read recent handling times: %s", error->message);
    return;
  }
  /* Oldest first, so the newest stay when a key has more than it keeps. */
  for (guint i = rows->len; i > 0; i--) {
    VwStoreHandling *h = g_ptr_array_index (rows, i - 1);
    broker_note_handling (b, h->province, h->item, h->handling_ms);
  }
}

/* When each on-duty agent of @province handling @item should be free,
 * in ms from now: a busy one when its session has run the mean (at least a
 * tenth of it from now: a long session is assumed to end soon, not this
 * instant), one wrapping up when its wrap-up ends, an available one now. */
static GArray *
agents_free_in (VwBroker *b, const char *province, const char *item, gint64 mean)
{
  GArray *free_in = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 now_ms = broker_now_ms (), now_us = broker_now_us ();
  GHashTableIter iter;
  Connection *a;
  g_hash_table_iter_init (&iter, b->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &a)) {
    if (!a->registered || a->role != VW_ROLE_AGENT || g_strcmp0 (a->province, province) != 0
        || !vw_pairing_agent_handles (b->pairing, a->peer_id, item))
      continue;
    gint64 ms = 0;
    switch (vw_pairing_get_agent_state (b->pairing, a->peer_id)) {
    case VW_AGENT_AWAY:
      continue;
    case VW_AGENT_BUSY:
      ms = MAX (mean - (a->leg_started_at > 0 ? now_ms - a->leg_started_at : 0), mean / 10);
      break;
    case VW_AGENT_WRAP_UP:
      ms = MAX (0, (vw_pairing_get_agent_until (b->pairing, a->peer_id) - now_us) / 1000);
      break;
    case VW_AGENT_AVAILABLE:
      break;
    }
    g_array_append_val (free_in, ms);
  }
  return free_in;
}

/* The estimate for a clerk at @position, in s, or -1 when there is no
 * honest one (no history, or nobody on duty for the item). */
static gint64
estimate_wait_s (VwBroker *b, const char *province, const char *item, guint position,
    guint *samples)
{
  gint64 mean = 0, wait = 0;
  *samples = vw_wait_history_get (b->handling, province, item, &mean);
  if (*samples == 0)
    return -1;
  g_autoptr (GArray) free_in = agents_free_in (b, province, item, mean);
  if (!vw_wait_estimate_ahead (mean, *samples, position, (const gint64 *) free_in->data,
          free_in->len, &wait))
    return -1;
  return (wait + 999) / 1000;
}

/* The estimate told to @clerk at @position: it is told its place in its
 * item's queue, but waits for everyone the same agents take first, from
 * their other queues too (its turn, never less than its position). */
static gint64
clerk_wait_s (VwBroker *b, const char *clerk, const char *province, const char *item,
    guint position, guint *samples)
{
  guint turn = vw_pairing_get_turn (b->pairing, clerk);
  return estimate_wait_s (b, province, item, MAX (turn, position), samples);
}

static void
send_queued (VwBroker *b, Connection *c, const char *province, const char *item,
    guint position, gint64 wait_s, guint samples)
{
  g_autoptr (VwMessage) msg = vw_message_new_queued (province, position);
  vw_message_set_string (msg, "item", item);
  vw_message_set_int (msg, "wait_samples", samples);
  /* No history, or nobody on duty: no number rather than a made-up one. */
  if (wait_s >= 0)
    vw_message_set_int (msg, "wait_s", wait_s);
  c->wait_sent = wait_s;
  c->position_sent = position;
  broker_conn_send (c, msg);
}

void
broker_send_queued (VwBroker *b, const char *clerk, const char *province,
    const char *item, guint position)
{
  Connection *c = g_hash_table_lookup (b->connections, clerk);
  if (!c)
    return;
  guint samples = 0;
  gint64 wait_s = clerk_wait_s (b, clerk, province, item, position, &samples);
  send_queued (b, c, province, item, position, wait_s, samples);
}

/* A queued clerk whose place did not change is told again only when its
 * estimate did (positions that change come as pairing events). */
void
broker_refresh_waits (VwBroker *b)
{
  GHashTableIter iter;
  Connection *c;
  g_hash_table_iter_init (&iter, b->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c)) {
    if (c->role != VW_ROLE_CLERK || !c->handled_in || !c->item)
      continue;
    guint position = vw_pairing_get_position (b->pairing, c->peer_id);
    if (position == 0 || position != c->position_sent)
      continue;
    guint samples = 0;
    gint64 wait_s = clerk_wait_s (b, c->peer_id, c->handled_in, c->item, position, &samples);
    if (wait_s != c->wait_sent)
      send_queued (b, c, c->handled_in, c->item, position, wait_s, samples);
  }
}

/* ---- agent states ---- */

void
broker_send_agent_state (VwBroker *b, const char *agent, VwAgentState state,
    gint64 until_us)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_AGENT_STATE);
  vw_message_set_string (msg, "state", vw_agent_state_to_string (state));
  if (state == VW_AGENT_WRAP_UP)
    vw_message_set_int (msg, "remaining_s",
        MAX (0, (until_us - broker_now_us () + 999999) / 1000000));
  broker_send_to_peer (b, agent, msg);
}

static gboolean
on_wrap_up_over (gpointer data)
{
  VwBroker *b = data;
  b->wrap_up_source = 0;
  broker_apply_events (b, vw_pairing_tick (b->pairing, broker_now_us ()));
  return G_SOURCE_REMOVE;
}

void
broker_schedule_wrap_up (VwBroker *b)
{
  g_clear_handle_id (&b->wrap_up_source, g_source_remove);
  gint64 deadline = vw_pairing_next_deadline (b->pairing);
  if (deadline < 0 || b->shutting_down)
    return;
  gint64 ms = MAX (0, (deadline - broker_now_us () + 999) / 1000);
  b->wrap_up_source = g_timeout_add ((guint) MIN (ms, G_MAXUINT), on_wrap_up_over, b);
}

/* ---- the queue, as agents see it ---- */

static JsonObject *
queue_entry (Connection *clerk, guint position, gint64 now)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "position", position);
  json_object_set_string_member (o, "item", clerk->item ? clerk->item : "");
  json_object_set_string_member (o, "name", clerk->name ? clerk->name : "");
  json_object_set_string_member (o, "province", clerk->province ? clerk->province : "");
  json_object_set_string_member (o, "center", clerk->center ? clerk->center : "");
  json_object_set_int_member (o, "waiting_s", MAX (0, now - clerk->requested_at) / 1000);
  json_object_set_boolean_member (o, "booked", clerk->booking != NULL);
  return o;
}

/* Who @agent could be given, in the order it would take them. */
static VwMessage *
queue_message (VwBroker *b, Connection *agent)
{
  g_autoptr (GPtrArray) ids = vw_pairing_list_waiting_for (b->pairing, agent->peer_id);
  JsonArray *waiting = json_array_new ();
  gint64 now = broker_now_ms ();
  for (guint i = 0; ids && i < ids->len; i++) {
    Connection *clerk = g_hash_table_lookup (b->connections, g_ptr_array_index (ids, i));
    if (clerk)
      json_array_add_object_element (waiting, queue_entry (clerk, i + 1, now));
  }
  VwMessage *msg = vw_message_new (VW_MSG_QUEUE);
  vw_message_set_string (msg, "province", agent->province);
  vw_message_take_array (msg, "waiting", waiting);
  return msg;
}

/* The queue each agent could serve; sent only when it changed (the
 * waiting times are left out of the comparison: they tick on their own). */
void
broker_update_queues (VwBroker *b)
{
  GHashTableIter iter;
  Connection *c;
  g_hash_table_iter_init (&iter, b->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c)) {
    if (!c->registered || c->role != VW_ROLE_AGENT)
      continue;
    g_autoptr (VwMessage) msg = queue_message (b, c);
    GString *key = g_string_new (NULL);
    JsonArray *waiting = vw_message_get_array_member (msg, "waiting");
    for (guint i = 0; i < json_array_get_length (waiting); i++) {
      JsonObject *e = json_array_get_object_element (waiting, i);
      g_string_append_printf (key, "%s|%s|", json_object_get_string_member (e, "item"),
          json_object_get_string_member (e, "name"));
    }
    /* Nobody waiting is what an agent assumes at first: not sent. */
    if (g_strcmp0 (key->str, c->queue_sent ? c->queue_sent : "") != 0) {
      g_free (c->queue_sent);
      c->queue_sent = g_string_free (key, FALSE);
      broker_conn_send (c, msg);
    } else {
      g_string_free (key, TRUE);
    }
  }
}

/* ---- the rating ---- */

/* Whether @c was the clerk of @session, which is over. */
static gboolean
check_rater (Connection *c, const char *session, GError **error)
{
  VwBroker *b = c->broker;
  g_autoptr (GError) local = NULL;
  g_autoptr (VwStoreSession) s = vw_store_get_session (b->store, session, &local);
  g_autoptr (GPtrArray) people = s ? vw_store_list_participants (b->store, session, NULL) : NULL;
  gboolean was_clerk = FALSE;
  for (guint i = 0; people && i < people->len; i++) {
    VwStoreParticipant *p = g_ptr_array_index (people, i);
    was_clerk |= g_str_equal (p->peer_id, c->peer_id) && g_str_equal (p->role, "clerk");
  }
  if (!was_clerk) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_SESSION,
        "session '%s' is not one you were served in", session);
    return FALSE;
  }
  if (s->state == VW_STORE_SESSION_OPEN) {
    g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "a session is rated once it is over");
    return FALSE;
  }
  return TRUE;
}

gboolean
broker_handle_rate (Connection *c, VwMessage *msg, GError **error)
{
  const char *session = vw_message_get_string (msg, "session", "");
  gint64 level = vw_message_get_int (msg, "level", 0);
  const char *comment = vw_message_get_string (msg, "comment", NULL);
  if (level < 1 || level > 5) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "field 'level' must be 1 (非常不满意) to 5 (非常满意), not %" G_GINT64_FORMAT, level);
    return FALSE;
  }
  if (comment && (!g_utf8_validate (comment, -1, NULL)
          || g_utf8_strlen (comment, -1) > MAX_COMMENT_CHARS)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "field 'comment' must be at most %d characters", MAX_COMMENT_CHARS);
    return FALSE;
  }
  if (!check_rater (c, session, error))
    return FALSE;
  g_autoptr (GError) local = NULL;
  VwStoreRating rating = { .session_id = (char *) session, .level = level,
    .comment = (char *) (comment && *comment ? comment : NULL),
    .created_at = broker_now_ms () };
  if (!vw_store_set_rating (c->broker->store, &rating, &local)) {
    if (g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT))
      g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
          "this session has been rated already; a rating is given once");
    else
      g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_INTERNAL,
          "the rating could not be stored");
    if (!g_error_matches (local, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT))
      g_warning ("session %s: cannot store the rating: %s", session, local->message);
    return FALSE;
  }
  g_message ("session %s rated %" G_GINT64_FORMAT " by %s", session, level, c->peer_id);
  broker_conn_reply_ok (c, msg);
  return TRUE;
}
