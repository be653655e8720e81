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
#include "vw-api-guess.h"

/* Sessions read back from the store at start-up for estimated waits. */
#define VW_WAIT_HISTORY_LOAD 500

#define MAX_COMMENT_CHARS 500

/* An agent's queue view lists this many clerks at most, and the total. */
#define VW_QUEUE_VIEW_MAX 20

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
  /* Codes cannot be guessed here either (the API's are limited the same
   * way, vw-api-appointments.c): unknown ones from an address count. */
  g_autofree char *key = vw_api_guess_host_key (c->address);
  gint64 wait = vw_throttle_wait_ms (c->broker->booking_guesses, key, broker_now_ms ());
  if (wait > 0) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_TOO_MANY_ATTEMPTS,
        "too many unknown booking codes from your address: try again in %"
        G_GINT64_FORMAT " s", (wait + 999) / 1000);
    return FALSE;
  }
  g_autoptr (VwStoreBooking) found = vw_store_get_booking (store, code, NULL);
  if (!found)
    vw_throttle_fail (c->broker->booking_guesses, key, broker_now_ms ());
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
  /* One address cannot fill the queues (before a booking is used up). */
  if (*c->address && broker_count_waiting_from (b, c->address) >= b->max_waiting_per_address) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_TOO_MANY_WAITING,
        "%u clerks from your address are waiting already; try again when one is served",
        b->max_waiting_per_address);
    return FALSE;
  }
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

/* ---- the wait board ----
 *
 * Every queued clerk's position and turn, from one pass over the queues
 * (vw_pairing_list_places), and per (province, item) the estimate for
 * every turn from one walk (vw_wait_estimate_ahead_all): telling n clerks
 * their waits costs a sort per queue, not a walk of every queue per clerk
 * and a walk of every turn ahead per clerk.  Valid while neither the
 * pairing nor an agent's state changes: made when first needed, dropped
 * after each change (broker_board_drop). */

typedef struct {
  guint positions;     /* the last turn any of its clerks has */
  gboolean computed;
  guint samples;
  gint64 *waits;       /* (nullable) ms per turn; NULL: no honest estimate */
} KeyWaits;

struct _WaitBoard {
  GArray *places;          /* VwPairingPlace (the pairing's strings) */
  GHashTable *by_clerk;    /* clerk id -> VwPairingPlace* */
  GHashTable *keys;        /* "province\nitem" -> KeyWaits* (owned) */
};

static void
key_waits_free (KeyWaits *k)
{
  g_free (k->waits);
  g_free (k);
}

static WaitBoard *
board_new (VwBroker *b)
{
  WaitBoard *board = g_new0 (WaitBoard, 1);
  board->places = vw_pairing_list_places (b->pairing);
  board->by_clerk = g_hash_table_new (g_str_hash, g_str_equal);
  board->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) key_waits_free);
  for (guint i = 0; i < board->places->len; i++) {
    VwPairingPlace *place = &g_array_index (board->places, VwPairingPlace, i);
    g_hash_table_insert (board->by_clerk, (gpointer) place->clerk, place);
    g_autofree char *key = g_strconcat (place->province, "\n", place->item, NULL);
    KeyWaits *k = g_hash_table_lookup (board->keys, key);
    if (!k) {
      k = g_new0 (KeyWaits, 1);
      g_hash_table_insert (board->keys, g_steal_pointer (&key), k);
    }
    k->positions = MAX (k->positions, place->turn);
  }
  return board;
}

void
broker_board_drop (VwBroker *b)
{
  WaitBoard *board = g_steal_pointer (&b->board);
  if (!board)
    return;
  g_array_unref (board->places);
  g_hash_table_unref (board->by_clerk);
  g_hash_table_unref (board->keys);
  g_free (board);
}

static WaitBoard *
board_get (VwBroker *b)
{
  if (!b->board)
    b->board = board_new (b);
  return b->board;
}

/* The estimate for the clerk whose turn is @turn in (@province, @item)'s
 * board entry @k, in s, or -1. */
static gint64
key_wait_s (VwBroker *b, KeyWaits *k, const char *province, const char *item,
    guint turn, guint *samples)
{
  if (!k->computed) {
    gint64 mean = 0;
    k->computed = TRUE;
    k->samples = vw_wait_history_get (b->handling, province, item, &mean);
    if (k->samples > 0) {
      g_autoptr (GArray) free_in = agents_free_in (b, province, item, mean);
      k->waits = vw_wait_estimate_ahead_all (mean, k->samples, k->positions,
          (const gint64 *) free_in->data, free_in->len);
    }
  }
  *samples = k->samples;
  if (!k->waits || turn == 0 || turn > k->positions)
    return -1;
  return (k->waits[turn - 1] + 999) / 1000;
}

/* The estimate told to @clerk at @position: it is told its place in its
 * item's queue, but waits for everyone the same agents take first, from
 * their other queues too (its turn, never less than its position). */
static gint64
clerk_wait_s (VwBroker *b, const char *clerk, const char *province, const char *item,
    guint position, guint *samples)
{
  gint64 mean = 0;
  /* No history, no estimate: nothing to compute (a flood of requests
   * for an item nobody has handled yet costs nothing here). */
  *samples = vw_wait_history_get (b->handling, province, item, &mean);
  if (*samples == 0)
    return -1;
  WaitBoard *board = board_get (b);
  VwPairingPlace *place = g_hash_table_lookup (board->by_clerk, clerk);
  g_autofree char *key = g_strconcat (province, "\n", item, NULL);
  KeyWaits *k = g_hash_table_lookup (board->keys, key);
  if (!place || !k || g_strcmp0 (place->province, province) != 0
      || g_strcmp0 (place->item, item) != 0)
    return estimate_wait_s (b, province, item, position, samples);   /* no longer queued */
  return key_wait_s (b, k, province, item, MAX (place->turn, position), samples);
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
static void
refresh_waits_now (VwBroker *b)
{
  WaitBoard *board = board_get (b);
  for (guint i = 0; i < board->places->len; i++) {
    VwPairingPlace *place = &g_array_index (board->places, VwPairingPlace, i);
    Connection *c = g_hash_table_lookup (b->connections, place->clerk);
    if (!c || c->role != VW_ROLE_CLERK || place->position != c->position_sent)
      continue;
    g_autofree char *key = g_strconcat (place->province, "\n", place->item, NULL);
    KeyWaits *k = g_hash_table_lookup (board->keys, key);
    guint samples = 0;
    gint64 wait_s = key_wait_s (b, k, place->province, place->item,
        MAX (place->turn, place->position), &samples);
    if (wait_s != c->wait_sent)
      send_queued (b, c, place->province, place->item, place->position, wait_s, samples);
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

/* Who @agent could be given, in the order it would take them: the first
 * VW_QUEUE_VIEW_MAX, and how many in all. */
static VwMessage *
queue_message (VwBroker *b, Connection *agent)
{
  guint total = 0;
  g_autoptr (GPtrArray) ids = vw_pairing_list_waiting_for_first (b->pairing,
      agent->peer_id, VW_QUEUE_VIEW_MAX, &total);
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
  vw_message_set_int (msg, "total", total);
  return msg;
}

/* The queue each agent could serve; sent only when it changed (the
 * waiting times are left out of the comparison: they tick on their own). */
static void
update_queues_now (VwBroker *b)
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
    gint64 total = vw_message_get_int (msg, "total", 0);
    if (total > 0)
      g_string_append_printf (key, "%" G_GINT64_FORMAT, total);
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

/* What a burst of changes does to the agents' views and the queued
 * clerks' waits is worked out once, in the main loop's next turn, however
 * many changes the burst made (a flood of requests costs one view per
 * agent per turn, not one per request). */
static gboolean
on_desk_refresh (gpointer data)
{
  VwBroker *b = data;
  b->desk_refresh_source = 0;
  if (b->shutting_down)
    return G_SOURCE_REMOVE;
  broker_board_drop (b);   /* whatever changed since it was made */
  update_queues_now (b);
  refresh_waits_now (b);
  broker_board_drop (b);
  return G_SOURCE_REMOVE;
}

void
broker_desk_refresh_soon (VwBroker *b)
{
  if (!b->desk_refresh_source && !b->shutting_down)
    b->desk_refresh_source = g_idle_add_full (G_PRIORITY_DEFAULT, on_desk_refresh, b, NULL);
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
