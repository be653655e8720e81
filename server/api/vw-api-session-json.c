/* vw-api-session-json.c: a session as supervisors see it, in JSON (SESSION
 * and TRACK of server/API.md).  Never carries file system paths: tracks
 * are reached through their "url". */
#include "vw-api-sessions-private.h"
#include "vw-store-recordings.h"

static const char *
state_name (VwStoreSessionState state)
{
  switch (state) {
  case VW_STORE_SESSION_OPEN:
    return "open";
  case VW_STORE_SESSION_ENDED:
    return "ended";
  default:
    return "interrupted";
  }
}

JsonNode *
vw_api_json_text_node (const char *json_text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (json_text && json_parser_load_from_data (parser, json_text, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return json_node_copy (json_parser_get_root (parser));
  return json_node_new (JSON_NODE_NULL);
}

static JsonObject *
peer_json (const VwStoreSessionPeer *p)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "peer_id", p->peer_id);
  json_object_set_string_member (o, "role", p->role);
  json_object_set_string_member (o, "name", p->name);
  json_object_set_string_member (o, "province", p->province);
  json_object_set_string_member (o, "center", p->center);
  json_object_set_string_member (o, "account", p->account);
  return o;
}

static JsonNode *
rating_node (const VwStoreRating *r)
{
  if (!r)
    return json_node_new (JSON_NODE_NULL);

  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "level", r->level);
  json_object_set_string_member (o, "comment", r->comment);
  return json_node_init_object (json_node_alloc (), o);
}

JsonObject *
vw_api_session_json (const VwStoreSessionSummary *sum)
{
  const VwStoreSession *s = sum->session;
  JsonObject *o = json_object_new ();
  JsonArray *peers = json_array_new ();

  json_object_set_string_member (o, "id", s->id);
  json_object_set_string_member (o, "case_no", s->case_no);
  json_object_set_string_member (o, "province", s->province);
  json_object_set_string_member (o, "item", s->item);
  json_object_set_string_member (o, "item_name", sum->item_name);
  json_object_set_string_member (o, "state", state_name (s->state));
  json_object_set_int_member (o, "started_at", s->started_at);
  json_object_set_int_member (o, "ended_at", s->ended_at);
  json_object_set_int_member (o, "duration_s", sum->duration_s);
  json_object_set_string_member (o, "end_reason", s->end_reason);
  for (guint i = 0; i < sum->peers->len; i++)
    json_array_add_object_element (peers, peer_json (g_ptr_array_index (sum->peers, i)));
  json_object_set_array_member (o, "participants", peers);
  json_object_set_member (o, "rating", rating_node (sum->rating));
  json_object_set_int_member (o, "reviews", sum->n_reviews);
  json_object_set_boolean_member (o, "recorded", sum->recorded);
  return o;
}

/* ---- the detail ---- */

static const VwStoreSessionPeer *
find_peer (const VwStoreSessionSummary *sum, const char *peer_id)
{
  for (guint i = 0; i < sum->peers->len; i++) {
    const VwStoreSessionPeer *p = g_ptr_array_index (sum->peers, i);
    if (g_strcmp0 (p->peer_id, peer_id) == 0)
      return p;
  }
  return NULL;
}

static JsonObject *
chunk_json (const VwStoreChunk *c)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "seq", c->seq);
  json_object_set_string_member (o, "sha256", c->sha256);
  json_object_set_int_member (o, "size", c->size);
  json_object_set_int_member (o, "duration_ms", c->duration_ms);
  json_object_set_boolean_member (o, "recovered", c->recovered);
  return o;
}

static JsonObject *
track_json (const VwStoreSessionSummary *sum, const VwStoreTrack *t, GPtrArray *chunks)
{
  const VwStoreSessionPeer *peer = find_peer (sum, t->peer_id);
  JsonObject *o = json_object_new ();
  JsonArray *list = json_array_new ();
  gint64 duration = 0;

  for (guint i = 0; i < chunks->len; i++) {
    const VwStoreChunk *c = g_ptr_array_index (chunks, i);
    duration += c->duration_ms;
    json_array_add_object_element (list, chunk_json (c));
  }
  json_object_set_int_member (o, "id", t->id);
  json_object_set_string_member (o, "peer_id", t->peer_id);
  json_object_set_string_member (o, "role", peer ? peer->role : NULL);
  json_object_set_string_member (o, "name", peer ? peer->name : NULL);
  json_object_set_string_member (o, "kind", t->kind);
  json_object_set_string_member (o, "codec", t->codec);
  json_object_set_int_member (o, "offset_ms", t->offset_ms);
  json_object_set_int_member (o, "duration_ms", duration);
  json_object_set_boolean_member (o, "purged", t->purged_at != 0);
  json_object_set_array_member (o, "chunks", list);
  g_autofree char *url = g_strdup_printf ("/api/sessions/%s/tracks/%" G_GINT64_FORMAT
      ".webm", sum->session->id, t->id);
  json_object_set_string_member (o, "url", url);
  return o;
}

static JsonArray *
tracks_json (VwStore *store, const VwStoreSessionSummary *sum, GError **error)
{
  g_autoptr (GPtrArray) tracks = vw_store_list_tracks (store, sum->session->id, error);
  g_autoptr (JsonArray) list = json_array_new ();

  if (!tracks)
    return NULL;
  for (guint i = 0; i < tracks->len; i++) {
    const VwStoreTrack *t = g_ptr_array_index (tracks, i);
    g_autoptr (GPtrArray) chunks = vw_store_list_chunks (store, t->id, error);
    if (!chunks)
      return NULL;
    json_array_add_object_element (list, track_json (sum, t, chunks));
  }
  return g_steal_pointer (&list);
}

static JsonObject *
annotation_json (const VwStoreAnnotation *a)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "id", a->id);
  json_object_set_string_member (o, "author", a->author);
  json_object_set_int_member (o, "x", a->x);
  json_object_set_int_member (o, "y", a->y);
  json_object_set_int_member (o, "w", a->w);
  json_object_set_int_member (o, "h", a->h);
  json_object_set_string_member (o, "note", a->note);
  json_object_set_int_member (o, "created_at", a->created_at);
  return o;
}

static JsonObject *
snapshot_json (const VwStoreSnapshot *s, GPtrArray *annotations)
{
  JsonObject *o = json_object_new ();
  JsonArray *list = json_array_new ();

  json_object_set_string_member (o, "id", s->id);
  json_object_set_string_member (o, "sha256", s->sha256);
  json_object_set_int_member (o, "size", s->size);
  json_object_set_string_member (o, "mime", s->mime);
  json_object_set_int_member (o, "width", s->width);
  json_object_set_int_member (o, "height", s->height);
  json_object_set_string_member (o, "requested_by", s->requested_by);
  json_object_set_string_member (o, "sent_by", s->sent_by);
  json_object_set_int_member (o, "created_at", s->created_at);
  for (guint i = 0; i < annotations->len; i++)
    json_array_add_object_element (list, annotation_json (annotations->pdata[i]));
  json_object_set_array_member (o, "annotations", list);
  return o;
}

static JsonArray *
snapshots_json (VwStore *store, const char *session_id, GError **error)
{
  g_autoptr (GPtrArray) snaps = vw_store_list_snapshots (store, session_id, error);
  g_autoptr (JsonArray) list = json_array_new ();

  if (!snaps)
    return NULL;
  for (guint i = 0; i < snaps->len; i++) {
    const VwStoreSnapshot *s = g_ptr_array_index (snaps, i);
    g_autoptr (GPtrArray) notes = vw_store_list_annotations (store, s->id, error);
    if (!notes)
      return NULL;
    json_array_add_object_element (list, snapshot_json (s, notes));
  }
  return g_steal_pointer (&list);
}

static JsonArray *
events_json (VwStore *store, const char *session_id, GError **error)
{
  g_autoptr (GPtrArray) events = vw_store_list_events (store, session_id, error);
  JsonArray *list;

  if (!events)
    return NULL;
  list = json_array_new ();
  for (guint i = 0; i < events->len; i++) {
    const VwStoreEvent *e = g_ptr_array_index (events, i);
    JsonObject *o = json_object_new ();
    json_object_set_int_member (o, "at", e->at);
    json_object_set_string_member (o, "type", e->type);
    json_object_set_string_member (o, "actor", e->actor);
    json_object_set_member (o, "detail", vw_api_json_text_node (e->detail));
    json_array_add_object_element (list, o);
  }
  return list;
}

static JsonArray *
reviews_json (VwStore *store, const char *session_id, GError **error)
{
  g_autoptr (GPtrArray) reviews = vw_store_list_reviews (store, session_id, error);
  JsonArray *list;

  if (!reviews)
    return NULL;
  list = json_array_new ();
  for (guint i = 0; i < reviews->len; i++) {
    const VwStoreReview *r = g_ptr_array_index (reviews, i);
    JsonObject *o = json_object_new ();
    json_object_set_int_member (o, "id", r->id);
    json_object_set_string_member (o, "author", r->author);
    json_object_set_int_member (o, "score", r->score);
    json_object_set_string_member (o, "comment", r->comment);
    json_object_set_int_member (o, "created_at", r->created_at);
    json_array_add_object_element (list, o);
  }
  return list;
}

JsonObject *
vw_api_session_detail_json (VwStore *store, const VwStoreSessionSummary *sum,
    GError **error)
{
  g_return_val_if_fail (store != NULL && sum != NULL, NULL);

  const char *id = sum->session->id;
  g_autoptr (JsonObject) o = vw_api_session_json (sum);
  JsonArray *tracks, *snapshots, *events, *reviews;

  if (!(tracks = tracks_json (store, sum, error)))
    return NULL;
  json_object_set_array_member (o, "tracks", tracks);
  if (!(snapshots = snapshots_json (store, id, error)))
    return NULL;
  json_object_set_array_member (o, "snapshots", snapshots);
  if (!(events = events_json (store, id, error)))
    return NULL;
  json_object_set_array_member (o, "events", events);
  if (!(reviews = reviews_json (store, id, error)))
    return NULL;
  json_object_set_array_member (o, "reviews", reviews);
  return g_steal_pointer (&o);
}
