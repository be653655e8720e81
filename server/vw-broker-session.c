/* vw-broker-session.c: sessions and their legs.
 *
 * A session is one case (one case number, one rating): it begins when a
 * clerk is first paired and ends when the clerk or the lead agent hangs up.
 * Agents come and go inside it: the lead agent may transfer the clerk to a
 * colleague (a new leg; the clerk's media connection stays), and may invite
 * an agent of another centre as a third participant (a leg too).  Every
 * leg is a participant row with its own joined/left times plus an event
 * ("leg") on the session's timeline naming how it began, so the chain can
 * be audited.
 */
#include "vw-broker-private.h"
#include "vw-turn.h"
#include "vw-json-write.h"

#include "vw-store-audit.h"
#include "vw-store-appointments.h"

/* ---- the store ----
 *
 * A failure to write is logged loudly but does not break the call: the
 * people in it come first, and the log names what is missing. */

void
broker_store_failed (const char *what, GError *error)
{
  g_warning ("store: cannot record %s: %s", what, error->message);
  g_error_free (error);
}

void
broker_store_event (VwBroker *b, const char *session, const char *type,
    const char *actor, JsonObject *detail)
{
  GError *error = NULL;
  g_autofree char *text = NULL;
  if (detail) {
    g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
    text = vw_json_to_string (node);
    json_object_unref (detail);
  }
  if (!vw_store_add_event (b->store, session, broker_now_ms (), type, actor, text, &error))
    broker_store_failed (type, error);
}

void
broker_store_participant (VwBroker *b, const char *session, Connection *c)
{
  GError *error = NULL;
  VwStoreParticipant p = {
    .peer_id = c->peer_id, .role = (char *) vw_role_to_string (c->role),
    .name = c->name, .province = c->province, .center = c->center,
    .account = c->claims ? c->claims->username : NULL,
    .joined_at = broker_now_ms (),
  };
  if (!vw_store_session_add_participant (b->store, session, &p, &error))
    broker_store_failed ("a participant", error);
}

static void
store_left (VwBroker *b, const char *session, const char *peer)
{
  GError *error = NULL;
  if (!vw_store_session_participant_left (b->store, session, peer, broker_now_ms (), &error))
    broker_store_failed ("a participant leaving", error);
}

/* A leg begins: @how is "first", "transfer" or "invite"; @by the agent
 * who transferred or invited (nullable). */
static void
store_leg (VwBroker *b, Session *s, Connection *agent, const char *how,
    const char *by)
{
  broker_store_participant (b, s->id, agent);
  agent->leg_started_at = broker_now_ms ();
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "how", how);
  json_object_set_string_member (detail, "agent", agent->peer_id);
  if (agent->claims)
    json_object_set_string_member (detail, "account", agent->claims->username);
  json_object_set_string_member (detail, "center", agent->center);
  json_object_set_string_member (detail, "province", agent->province);
  if (by)
    json_object_set_string_member (detail, "by", by);
  broker_store_event (b, s->id, "leg", agent->peer_id, detail);
}

/* Records the session; returns its case number (transfer full). */
static char *
store_session_begin (VwBroker *b, Session *s, Connection *agent, Connection *clerk)
{
  GError *error = NULL;
  char *case_no = NULL;
  VwStoreSession row = {
    .id = s->id, .province = clerk->handled_in, .item = clerk->item,
    .started_at = broker_now_ms (), .requested_at = clerk->requested_at,
  };
  if (!vw_store_session_begin (b->store, &row, &case_no, &error)) {
    broker_store_failed ("a session", error);
    return g_strdup ("");
  }
  return case_no;
}

static void
store_session_end (VwBroker *b, const char *id, const char *reason)
{
  GError *error = NULL;
  if (!vw_store_session_end (b->store, id, reason, broker_now_ms (), &error))
    broker_store_failed ("the end of a session", error);
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "reason", reason);
  broker_store_event (b, id, "ended", NULL, detail);
}

/* ---- messages ---- */

JsonObject *
broker_peer_info (Connection *c)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "name", c->name);
  json_object_set_string_member (o, "role", vw_role_to_string (c->role));
  json_object_set_string_member (o, "province", c->province);
  json_object_set_string_member (o, "center", c->center);
  return o;
}

/* "paired" to @to about @peer; an agent also learns the clerk's item,
 * whether it came with an appointment, and whether it was invited. */
static void
send_paired (Connection *to, Session *s, Connection *peer, gboolean invited,
    gboolean resumed)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_PAIRED);
  vw_message_set_string (msg, "session", s->id);
  vw_message_set_string (msg, "case", s->case_no);
  vw_message_take_object (msg, "peer", broker_peer_info (peer));
  if (to->role == VW_ROLE_AGENT && peer->role == VW_ROLE_CLERK) {
    vw_message_set_string (msg, "item", peer->item ? peer->item : "");
    vw_message_set_bool (msg, "booked", peer->booking != NULL);
    vw_message_set_bool (msg, "invited", invited);
  }
  if (resumed)
    vw_message_set_bool (msg, "resumed", TRUE);
  /* TURN servers with credentials for @to alone, valid for turn-ttl (see
   * vw-turn.h); none configured: no member. */
  VwBroker *b = to->broker;
  JsonArray *ice_servers = vw_turn_ice_servers ((const char *const *) b->turn_urls,
      b->turn_secret, b->turn_ttl_s, to->peer_id, g_get_real_time () / G_USEC_PER_SEC);
  if (ice_servers)
    vw_message_take_array (msg, "ice-servers", ice_servers);
  broker_conn_send (to, msg);
}

void
broker_send_paired (Connection *to, Session *s, Connection *peer, gboolean invited)
{
  send_paired (to, s, peer, invited, FALSE);
}

void
broker_send_paired_resumed (Connection *to, Session *s, Connection *peer,
    gboolean invited)
{
  send_paired (to, s, peer, invited, TRUE);
}

void
broker_send_recording (Connection *to, Session *s)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_RECORDING);
  vw_message_set_string (msg, "session", s->id);
  vw_message_set_bool (msg, "active", TRUE);
  broker_conn_send (to, msg);
}

/* "joined" or "left" about @about, to @to. */
static void
send_member (VwBroker *b, const char *to, VwMessageType type, Session *s,
    Connection *about)
{
  g_autoptr (VwMessage) msg = vw_message_new (type);
  vw_message_set_string (msg, "session", s->id);
  vw_message_set_string (msg, "peer_id", about->peer_id);
  vw_message_take_object (msg, "peer", broker_peer_info (about));
  broker_send_to_peer (b, to, msg);
}

/* The people in @s who take part (not viewers), @except left out. */
static GPtrArray *
members (Session *s, const char *except)
{
  GPtrArray *out = g_ptr_array_new ();
  if (s->agent && g_strcmp0 (s->agent, except) != 0)
    g_ptr_array_add (out, s->agent);
  if (g_strcmp0 (s->clerk, except) != 0)
    g_ptr_array_add (out, s->clerk);
  for (guint i = 0; i < s->guests->len; i++)
    if (g_strcmp0 (g_ptr_array_index (s->guests, i), except) != 0)
      g_ptr_array_add (out, g_ptr_array_index (s->guests, i));
  return out;
}

/* Removes @id from a list of owned peer ids (which may free @id). */
static void
remove_id (GPtrArray *ids, const char *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), id)) {
      g_ptr_array_remove_index (ids, i);
      return;
    }
}

gboolean
broker_session_is_guest (Session *s, const char *peer)
{
  for (guint i = 0; i < s->guests->len; i++)
    if (g_str_equal (g_ptr_array_index (s->guests, i), peer))
      return TRUE;
  return FALSE;
}

void
broker_session_free (Session *s)
{
  g_clear_handle_id (&s->media_timeout, g_source_remove);
  g_free (s->case_no);
  g_free (s->id);
  g_free (s->agent);
  g_free (s->clerk);
  g_ptr_array_unref (s->guests);
  g_ptr_array_unref (s->viewers);
  g_free (s);
}

/* ---- beginning ---- */

static char *
random_id (const char *prefix)
{
  return g_strdup_printf ("%s-%08x%04x", prefix, g_random_int (),
      g_random_int () & 0xffff);
}

/* @a becomes the lead agent of @s: into the hub, the store, and told. */
static void
lead_agent_joins (VwBroker *b, Session *s, Connection *a, Connection *c,
    const char *how)
{
  g_autoptr (GError) error = NULL;
  s->agent = g_strdup (a->peer_id);
  a->session = s;
  if (!vw_hub_join (b->hub, s->id, a->peer_id, &error))
    g_warning ("session %s: %s", s->id, error->message);
  store_leg (b, s, a, how, NULL);
  g_free (a->leg_province);
  g_free (a->leg_item);
  a->leg_province = g_strdup (c->handled_in);
  a->leg_item = g_strdup (c->item);
  broker_send_paired (a, s, c, FALSE);
  broker_send_paired (c, s, a, FALSE);
  /* Told before any media flows; the clerk once, at the first leg. */
  if (b->recordings)
    broker_send_recording (a, s);
  if (b->recordings && g_str_equal (how, "first"))
    broker_send_recording (c, s);
  /* An agent invited earlier stays; the newcomer and it meet. */
  for (guint i = 0; i < s->guests->len; i++) {
    Connection *g = g_hash_table_lookup (b->connections, g_ptr_array_index (s->guests, i));
    if (g) {
      send_member (b, a->peer_id, VW_MSG_JOINED, s, g);
      send_member (b, g->peer_id, VW_MSG_JOINED, s, a);
    }
  }
}

/* The clerk was paired but its media has not started (it never
 * published, or its connection never came up): the session ends, and the
 * agent, who served nobody, is free at once. */
static gboolean
on_media_timeout (gpointer data)
{
  Session *s = data;
  VwBroker *b = s->broker;
  s->media_timeout = 0;
  g_message ("session %s: the clerk's media did not start within %u s", s->id,
      b->media_start_timeout_s);
  s->unserved = TRUE;
  b->media_timeouts++;
  broker_session_end (b, s, NULL, "media-timeout", "media-timeout", FALSE, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_session (VwBroker *b, Connection *a, Connection *c)
{
  Session *s = g_new0 (Session, 1);
  s->id = random_id ("s");
  s->clerk = g_strdup (c->peer_id);
  s->guests = g_ptr_array_new_with_free_func (g_free);
  s->viewers = g_ptr_array_new_with_free_func (g_free);
  s->broker = b;
  s->media_timeout = g_timeout_add_seconds (b->media_start_timeout_s, on_media_timeout, s);
  s->case_no = store_session_begin (b, s, a, c);
  g_hash_table_insert (b->sessions, s->id, s);
  c->session = s;
  b->sessions_started++;
  g_autofree char *a_name = vw_log_escape (a->name), *a_province = vw_log_escape (a->province);
  g_autofree char *c_name = vw_log_escape (c->name), *c_province = vw_log_escape (c->province);
  g_autofree char *item = vw_log_escape (c->item);
  g_message ("session %s (case %s): agent %s (%s) serves clerk %s (%s), item %s",
      s->id, s->case_no, a_name, a_province, c_name, c_province, item);

  g_autoptr (GError) error = NULL;
  if (!vw_hub_join (b->hub, s->id, c->peer_id, &error))
    g_warning ("session %s: %s", s->id, error->message);
  lead_agent_joins (b, s, a, c, "first");
  broker_store_participant (b, s->id, c);   /* after the agent, as listed */
  if (c->booking) {
    GError *err = NULL;
    if (!vw_store_booking_set_session (b->store, c->booking, s->id, &err))
      broker_store_failed ("the session of a booking", err);
  }
}

void
broker_session_paired (VwBroker *b, const char *agent, const char *clerk)
{
  Connection *a = g_hash_table_lookup (b->connections, agent);
  Connection *c = g_hash_table_lookup (b->connections, clerk);
  g_return_if_fail (a && c);
  if (!c->session) {
    start_session (b, a, c);
    return;
  }
  /* A transferred clerk, still connected to the hub: a new leg. */
  g_return_if_fail (c->session->agent == NULL);
  g_autofree char *a_name = vw_log_escape (a->name), *a_province = vw_log_escape (a->province);
  g_autofree char *c_name = vw_log_escape (c->name);
  g_message ("session %s: agent %s (%s) takes over clerk %s", c->session->id,
      a_name, a_province, c_name);
  lead_agent_joins (b, c->session, a, c, "transfer");
}

gboolean
broker_session_add_guest (VwBroker *b, Session *s, Connection *guest,
    Connection *by, GError **error)
{
  if (!vw_hub_join (b->hub, s->id, guest->peer_id, error))
    return FALSE;
  g_ptr_array_add (s->guests, g_strdup (guest->peer_id));
  guest->session = s;
  store_leg (b, s, guest, "invite", by->peer_id);
  Connection *clerk = g_hash_table_lookup (b->connections, s->clerk);
  if (clerk)
    broker_send_paired (guest, s, clerk, TRUE);
  if (b->recordings)
    broker_send_recording (guest, s);
  g_autoptr (GPtrArray) others = members (s, guest->peer_id);
  for (guint i = 0; i < others->len; i++) {
    Connection *o = g_hash_table_lookup (b->connections, g_ptr_array_index (others, i));
    if (!o)
      continue;
    send_member (b, o->peer_id, VW_MSG_JOINED, s, guest);
    if (o->role == VW_ROLE_AGENT)   /* the clerk came with "paired" */
      send_member (b, guest->peer_id, VW_MSG_JOINED, s, o);
  }
  g_autofree char *g_name = vw_log_escape (guest->name);
  g_autofree char *g_center = vw_log_escape (guest->center);
  g_autofree char *g_province = vw_log_escape (guest->province);
  g_autofree char *by_name = vw_log_escape (by->name);
  g_message ("session %s: %s (%s, %s) joins as a third party, invited by %s",
      s->id, g_name, g_center, g_province, by_name);
  return TRUE;
}

/* ---- agents leaving a running session ---- */

/* The lead agent's leg is history for estimated waits, under the item it
 * was about (a transfer to a queue changes the clerk's item first). */
static void
note_lead_leg (VwBroker *b, Session *s, Connection *agent)
{
  if (agent && agent->leg_started_at > 0)
    broker_note_handling (b, agent->leg_province, agent->leg_item,
        broker_now_ms () - agent->leg_started_at);
}

void
broker_session_agent_leaves (VwBroker *b, Session *s, const char *peer,
    const char *reason, JsonNode *ref)
{
  g_autofree char *id = g_strdup (peer);
  Connection *c = g_hash_table_lookup (b->connections, id);
  vw_hub_leave (b->hub, id);
  store_left (b, s->id, id);
  if (g_strcmp0 (s->agent, id) == 0) {
    note_lead_leg (b, s, c);
    g_clear_pointer (&s->agent, g_free);
  } else {
    remove_id (s->guests, id);
  }
  JsonObject *detail = json_object_new ();
  json_object_set_string_member (detail, "reason", reason);
  broker_store_event (b, s->id, "left", id, detail);
  if (!c)
    return;
  c->session = NULL;
  c->leg_started_at = 0;
  g_autoptr (GPtrArray) others = members (s, NULL);
  for (guint i = 0; i < others->len; i++)
    send_member (b, g_ptr_array_index (others, i), VW_MSG_LEFT, s, c);
  g_autoptr (VwMessage) msg = vw_message_new_ended (s->id, reason);
  vw_message_set_ref (msg, ref);
  broker_conn_send (c, msg);
}

/* ---- the end ---- */

void
broker_session_stop_watching (VwBroker *b, Session *s, const char *peer,
    const char *reason, JsonNode *ref)
{
  g_autofree char *id = g_strdup (peer);
  Connection *c = g_hash_table_lookup (b->connections, id);
  vw_hub_leave (b->hub, id);
  remove_id (s->viewers, id);   /* may free @peer */
  store_left (b, s->id, id);
  broker_store_event (b, s->id, "monitor-stopped", id, NULL);
  if (!c)
    return;
  c->session = NULL;
  g_autoptr (VwMessage) msg = vw_message_new_ended (s->id, reason);
  vw_message_set_ref (msg, ref);
  broker_conn_send (c, msg);
}

/* What the pairing must hear when @s ends, unless @leaving (that peer is
 * forgotten by vw_pairing_remove() anyway): the pair ends (the lead agent
 * wraps up), invited agents are released, and a transferred clerk still
 * waiting for its next agent leaves the queue. */
static GPtrArray *
end_in_pairing (VwBroker *b, Session *s, const char *leaving)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (
      (GDestroyNotify) vw_pairing_event_free);
  gint64 now = broker_now_us ();
  for (guint i = 0; i < s->guests->len; i++) {
    const char *g = g_ptr_array_index (s->guests, i);
    g_autoptr (GPtrArray) ev = g_strcmp0 (g, leaving) != 0
        ? vw_pairing_release_agent (b->pairing, g, now, NULL) : NULL;
    if (ev)
      g_ptr_array_extend_and_steal (events, g_steal_pointer (&ev));
  }
  gboolean clerk_leaving = g_strcmp0 (s->clerk, leaving) == 0;
  gboolean agent_leaving = s->agent && g_strcmp0 (s->agent, leaving) == 0;
  if (clerk_leaving || agent_leaving)
    return events;
  VwClerkState state = vw_pairing_get_clerk_state (b->pairing, s->clerk);
  if (state == VW_CLERK_PAIRED) {
    /* No call, nothing to wrap up. */
    g_autoptr (GPtrArray) ev = s->unserved
        ? vw_pairing_end_pair_unserved (b->pairing, s->clerk, now, NULL)
        : vw_pairing_end_pair (b->pairing, s->clerk, now, NULL);
    if (ev)
      g_ptr_array_extend_and_steal (events, g_steal_pointer (&ev));
  } else if (state == VW_CLERK_QUEUED) {
    /* Out of the queue: forgotten and registered again. */
    g_autoptr (GPtrArray) ev = vw_pairing_remove (b->pairing, s->clerk, now);
    g_ptr_array_extend_and_steal (events, g_steal_pointer (&ev));
    vw_pairing_add_clerk (b->pairing, s->clerk, NULL);
  }
  return events;
}

/* Ends @s: everyone in it gets "ended" (@reason_for_actor to @actor,
 * @reason to the others) and the hub lets go.  @actor_leaving: the actor
 * is disconnecting (its pairing state goes with it). */
void
broker_session_end (VwBroker *b, Session *s, const char *actor,
    const char *reason_for_actor, const char *reason, gboolean actor_leaving,
    JsonNode *actor_ref)
{
  g_autofree char *id = g_strdup (s->id);
  g_autofree char *reason_shown = vw_log_escape (reason);
  g_message ("session %s ended: %s", id, reason_shown);
  if (s->agent && !s->unserved)   /* no call: no handling time either */
    note_lead_leg (b, s, g_hash_table_lookup (b->connections, s->agent));
  store_session_end (b, id, reason);
  while (s->viewers->len > 0)
    broker_session_stop_watching (b, s, g_ptr_array_index (s->viewers, 0), reason, NULL);

  g_autoptr (GPtrArray) events = end_in_pairing (b, s,
      actor_leaving ? actor : NULL);
  g_autoptr (GPtrArray) people = members (s, NULL);
  for (guint i = 0; i < people->len; i++) {
    const char *peer = g_ptr_array_index (people, i);
    Connection *c = g_hash_table_lookup (b->connections, peer);
    vw_hub_leave (b->hub, peer);
    if (!c)
      continue;
    c->session = NULL;
    c->leg_started_at = 0;
    gboolean is_actor = g_strcmp0 (peer, actor) == 0;
    g_autoptr (VwMessage) msg = vw_message_new_ended (id,
        is_actor ? reason_for_actor : reason);
    if (is_actor)
      vw_message_set_ref (msg, actor_ref);
    broker_conn_send (c, msg);
  }
  g_hash_table_remove (b->sessions, id);   /* frees s */
  broker_apply_events (b, g_steal_pointer (&events));
}
