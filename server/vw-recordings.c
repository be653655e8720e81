/* vw-recordings.c: indexing the hub's recordings, the manifests, and the
 * recovery after a crash (see vw-recordings.h). */
#include "vw-recordings.h"
#include "vw-store-recordings.h"
#include "vw-store-audit.h"
#include "vw-playback.h"
#include "vw-webm.h"
#include "vw-json-write.h"

#include <glib/gstdio.h>

#include <gst/pbutils/pbutils.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <string.h>

/* A recording of the hub, while it runs. */
typedef struct {
  char *session;
  gint64 track_id;
} Running;

struct _VwRecordings {
  VwStore *store;           /* borrowed */
  char *data_dir;
  GHashTable *running;      /* hub recording id -> Running* */
  GHashTable *unwritten;    /* sessions whose manifest could not be written */
  guint retry_source;
};

#define MANIFEST_RETRY_S 1

static void on_store_flushed (VwStore *store, const char *const *sessions,
                              gpointer data);

static void
running_free (Running *r)
{
  g_free (r->session);
  g_free (r);
}

VwRecordings *
vw_recordings_new (VwStore *store, const char *data_dir)
{
  g_return_val_if_fail (store != NULL && data_dir != NULL, NULL);
  VwRecordings *rec = g_new0 (VwRecordings, 1);
  rec->store = store;
  rec->data_dir = g_strdup (data_dir);
  rec->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) running_free);
  rec->unwritten = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  vw_store_set_flushed_func (store, on_store_flushed, rec);
  return rec;
}

void
vw_recordings_free (VwRecordings *rec)
{
  if (!rec)
    return;
  if (vw_store_get_flushed_data (rec->store) == rec)
    vw_store_set_flushed_func (rec->store, NULL, NULL);
  g_clear_handle_id (&rec->retry_source, g_source_remove);
  if (g_hash_table_size (rec->unwritten))
    g_warning ("the manifests of %u session(s) could not be written (the disk is "
        "full?); the store has what they hold", g_hash_table_size (rec->unwritten));
  g_hash_table_unref (rec->unwritten);
  g_hash_table_unref (rec->running);
  g_free (rec->data_dir);
  g_free (rec);
}

/* Writes the manifests that could not be written; TRUE when none is
 * left. */
static gboolean
write_unwritten (VwRecordings *rec)
{
  GHashTableIter iter;
  const char *session;
  g_hash_table_iter_init (&iter, rec->unwritten);
  while (g_hash_table_iter_next (&iter, (gpointer *) &session, NULL))
    if (vw_recordings_write_manifest (rec, session, NULL))
      g_hash_table_iter_remove (&iter);
  return g_hash_table_size (rec->unwritten) == 0;
}

static gboolean
on_manifest_retry (gpointer data)
{
  VwRecordings *rec = data;
  /* The store first: a manifest is made from it. */
  if (vw_store_get_n_pending (rec->store) || !write_unwritten (rec))
    return G_SOURCE_CONTINUE;
  g_message ("the manifests that could not be written are written now");
  rec->retry_source = 0;
  return G_SOURCE_REMOVE;
}

/* Writes the manifest of @session; if that fails (the disk full), it is
 * written again once it can be (every second, after what the store keeps
 * in memory). */
static void
update_manifest (VwRecordings *rec, const char *session)
{
  g_autoptr (GError) error = NULL;
  if (vw_recordings_write_manifest (rec, session, &error))
    return;
  if (!g_hash_table_contains (rec->unwritten, session))
    g_warning ("session %s: cannot write the manifest: %s; it is written again "
        "when it can be", session, error->message);
  g_hash_table_add (rec->unwritten, g_strdup (session));
  if (!rec->retry_source)
    rec->retry_source = g_timeout_add_seconds (MANIFEST_RETRY_S, on_manifest_retry, rec);
}

/* Writes kept in memory by the store reached it: the manifests of their
 * sessions (those recorded) say what they say now. */
static void
on_store_flushed (VwStore *store, const char *const *sessions, gpointer data)
{
  VwRecordings *rec = data;
  for (guint i = 0; sessions[i]; i++) {
    g_autofree char *path = g_build_filename (rec->data_dir, "sessions", sessions[i],
        "manifest.json", NULL);
    if (g_hash_table_contains (rec->unwritten, sessions[i])
        || g_file_test (path, G_FILE_TEST_EXISTS))
      update_manifest (rec, sessions[i]);
  }
  if (!vw_store_get_n_pending (store))
    write_unwritten (rec);
}

void
vw_recordings_started (VwRecordings *rec, const char *session, const char *peer,
    const char *recording, VwTrackKind kind, const char *dir, gint64 at_ms)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSession) s = vw_store_get_session (rec->store, session, &error);
  if (!s) {
    g_warning ("recording %s: %s", recording, error->message);
    return;
  }
  VwStoreTrack track = {
    .session_id = (char *) session, .peer_id = (char *) peer,
    .kind = (char *) vw_track_kind_to_string (kind),
    .codec = kind == VW_TRACK_AUDIO ? "OPUS" : "VP8",
    .dir = (char *) dir, .offset_ms = MAX (0, at_ms - s->started_at),
    .started_at = at_ms,
  };
  Running *r = g_new0 (Running, 1);
  if (!vw_store_add_track (rec->store, &track, &r->track_id, &error)) {
    g_warning ("recording %s: cannot index the track: %s", recording, error->message);
    g_free (r);
    return;
  }
  r->session = g_strdup (session);
  g_hash_table_insert (rec->running, g_strdup (recording), r);
  update_manifest (rec, session);
}

void
vw_recordings_chunk (VwRecordings *rec, const char *recording, guint seq,
    const char *path, const char *sha256, gint64 size, gint64 duration_ms)
{
  Running *r = g_hash_table_lookup (rec->running, recording);
  if (!r)
    return;   /* its track could not be indexed; already warned */
  g_autoptr (GError) error = NULL;
  VwStoreChunk chunk = {
    .track_id = r->track_id, .seq = seq, .path = (char *) path,
    .sha256 = (char *) sha256, .size = size, .duration_ms = duration_ms,
    .closed_at = g_get_real_time () / 1000,
  };
  if (!vw_store_add_chunk (rec->store, &chunk, &error))
    g_warning ("recording %s: cannot index chunk %u: %s", recording, seq,
        error->message);
  update_manifest (rec, r->session);
}

void
vw_recordings_stopped (VwRecordings *rec, const char *recording, gint64 at_ms,
    gboolean complete)
{
  Running *r = g_hash_table_lookup (rec->running, recording);
  if (!r)
    return;
  g_autoptr (GError) error = NULL;
  if (!complete)
    g_warning ("recording %s (track %" G_GINT64_FORMAT ") lost its last chunk",
        recording, r->track_id);
  if (!vw_store_track_ended (rec->store, r->track_id, at_ms, &error))
    g_warning ("recording %s: %s", recording, error->message);
  g_autofree char *session = g_strdup (r->session);
  g_hash_table_remove (rec->running, recording);
  update_manifest (rec, session);
}

/* ---- the manifest ---- */

static JsonObject *
chunk_json (const VwStoreChunk *c)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "seq", c->seq);
  json_object_set_string_member (o, "path", c->path);
  json_object_set_string_member (o, "sha256", c->sha256);
  json_object_set_int_member (o, "size", c->size);
  json_object_set_int_member (o, "duration_ms", c->duration_ms);
  json_object_set_boolean_member (o, "recovered", c->recovered);
  return o;
}

static JsonObject *
track_json (VwRecordings *rec, const VwStoreTrack *t, GError **error)
{
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (rec->store, t->id, error);
  if (!chunks)
    return NULL;
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "id", t->id);
  json_object_set_string_member (o, "peer_id", t->peer_id);
  json_object_set_string_member (o, "kind", t->kind);
  json_object_set_string_member (o, "codec", t->codec);
  json_object_set_int_member (o, "offset_ms", t->offset_ms);
  json_object_set_int_member (o, "started_at", t->started_at);
  json_object_set_int_member (o, "ended_at", t->ended_at);
  json_object_set_int_member (o, "purged_at", t->purged_at);
  json_object_set_string_member (o, "dir", t->dir);
  JsonArray *list = json_array_new ();
  for (guint i = 0; i < chunks->len; i++)
    json_array_add_object_element (list, chunk_json (g_ptr_array_index (chunks, i)));
  json_object_set_array_member (o, "chunks", list);
  return o;
}

static JsonArray *
participants_json (VwRecordings *rec, const char *session, GError **error)
{
  g_autoptr (GPtrArray) list = vw_store_list_participants (rec->store, session, error);
  if (!list)
    return NULL;
  JsonArray *a = json_array_new ();
  for (guint i = 0; i < list->len; i++) {
    VwStoreParticipant *p = g_ptr_array_index (list, i);
    JsonObject *o = json_object_new ();
    json_object_set_string_member (o, "peer_id", p->peer_id);
    json_object_set_string_member (o, "role", p->role);
    json_object_set_string_member (o, "name", p->name);
    json_object_set_string_member (o, "province", p->province);
    json_object_set_string_member (o, "center", p->center);
    json_array_add_object_element (a, o);
  }
  return a;
}

/* The recording-failed events of the session's timeline. */
static JsonArray *
failures_json (VwRecordings *rec, const char *session, GError **error)
{
  g_autoptr (GPtrArray) events = vw_store_list_events (rec->store, session, error);
  if (!events)
    return NULL;
  JsonArray *a = json_array_new ();
  for (guint i = 0; i < events->len; i++) {
    VwStoreEvent *e = g_ptr_array_index (events, i);
    if (!g_str_equal (e->type, "recording-failed"))
      continue;
    g_autoptr (JsonNode) detail = e->detail ? json_from_string (e->detail, NULL) : NULL;
    JsonObject *d = detail && JSON_NODE_HOLDS_OBJECT (detail)
        ? json_node_get_object (detail) : NULL;
    JsonObject *o = json_object_new ();
    json_object_set_string_member (o, "peer_id", e->actor);
    json_object_set_string_member (o, "kind", d
        ? json_object_get_string_member_with_default (d, "kind", NULL) : NULL);
    json_object_set_int_member (o, "at", e->at);
    json_object_set_string_member (o, "reason", d
        ? json_object_get_string_member_with_default (d, "reason", NULL) : NULL);
    json_array_add_object_element (a, o);
  }
  return a;
}

static const char *
state_name (VwStoreSessionState state)
{
  switch (state) {
  case VW_STORE_SESSION_OPEN: return "open";
  case VW_STORE_SESSION_ENDED: return "ended";
  default: return "interrupted";
  }
}

static JsonObject *
manifest_json (VwRecordings *rec, const char *session, GError **error)
{
  g_autoptr (VwStoreSession) s = vw_store_get_session (rec->store, session, error);
  g_autoptr (GPtrArray) tracks = s ? vw_store_list_tracks (rec->store, session, error) : NULL;
  JsonArray *participants = tracks ? participants_json (rec, session, error) : NULL;
  if (!participants)
    return NULL;
  g_autoptr (JsonObject) o = json_object_new ();
  json_object_set_string_member (o, "session", s->id);
  json_object_set_string_member (o, "case", s->case_no);
  json_object_set_int_member (o, "started_at", s->started_at);
  json_object_set_int_member (o, "ended_at", s->ended_at);
  json_object_set_string_member (o, "state", state_name (s->state));
  json_object_set_array_member (o, "participants", participants);
  JsonArray *list = json_array_new ();
  json_object_set_array_member (o, "tracks", list);
  for (guint i = 0; i < tracks->len; i++) {
    JsonObject *t = track_json (rec, g_ptr_array_index (tracks, i), error);
    if (!t)
      return NULL;
    json_array_add_object_element (list, t);
  }
  JsonArray *failures = failures_json (rec, session, error);
  if (!failures)
    return NULL;
  json_object_set_array_member (o, "recording_failures", failures);
  return g_steal_pointer (&o);
}

gboolean
vw_recordings_write_manifest (VwRecordings *rec, const char *session, GError **error)
{
  g_return_val_if_fail (rec != NULL && session != NULL, FALSE);
  g_autoptr (JsonObject) manifest = manifest_json (rec, session, error);
  if (!manifest)
    return FALSE;
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), manifest);
  g_autofree char *text = vw_json_to_string (node);
  g_autofree char *dir = g_build_filename (rec->data_dir, "sessions", session, NULL);
  g_autofree char *path = g_build_filename (dir, "manifest.json", NULL);
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot create %s: %s", dir, g_strerror (errno));
    return FALSE;
  }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT
      | G_FILE_SET_CONTENTS_DURABLE, 0640, error);
}

/* ---- recovery ---- */

/* Whether GStreamer can play @path. */
static gboolean
plays (GstDiscoverer *discoverer, const char *path)
{
  g_autofree char *uri = gst_filename_to_uri (path, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscovererInfo) info = uri
      ? gst_discoverer_discover_uri (discoverer, uri, &error) : NULL;
  return info && gst_discoverer_info_get_result (info) == GST_DISCOVERER_OK;
}

static gboolean
is_indexed (GPtrArray *chunks, guint seq)
{
  for (guint i = 0; i < chunks->len; i++)
    if (((VwStoreChunk *) g_ptr_array_index (chunks, i))->seq == seq)
      return TRUE;
  return FALSE;
}

/* Indexes @name (a file chunk-NNNNN.webm in the track's directory). */
static gboolean
recover_chunk (VwRecordings *rec, GstDiscoverer *discoverer, const VwStoreTrack *t,
    GPtrArray *indexed, const char *name, guint *n_chunks, GError **error)
{
  guint64 seq;
  gsize len = strlen (name);
  if (len <= 11 || !g_str_has_prefix (name, "chunk-") || !g_str_has_suffix (name, ".webm"))
    return TRUE;
  /* "chunk-00003.webm": the digits between the dash and the dot. */
  g_autofree char *digits = g_strndup (name + 6, len - 6 - 5);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT, &seq, NULL)
      || is_indexed (indexed, seq))
    return TRUE;
  g_autofree char *rel = g_build_filename (t->dir, name, NULL);
  g_autofree char *path = g_build_filename (rec->data_dir, rel, NULL);
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  if (!file)
    return FALSE;
  gsize size = g_mapped_file_get_length (file);
  /* Its true duration: what its whole blocks span.  The Duration in its
   * header is missing (webmmux never finished it) and what a player
   * estimates from the file's size can be several times off. */
  gint64 ms = vw_webm_blocks_duration_ms (
      (const guint8 *) g_mapped_file_get_contents (file), size);
  if (ms < 0 || !plays (discoverer, path)) {
    g_message ("track %" G_GINT64_FORMAT ": %s does not play (cut off by the "
        "crash); kept on disk, not indexed", t->id, rel);
    return TRUE;
  }
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      (const guchar *) g_mapped_file_get_contents (file), size);
  VwStoreChunk chunk = {
    .track_id = t->id, .seq = seq, .path = rel, .sha256 = sha, .size = size,
    .duration_ms = ms, .recovered = TRUE, .closed_at = g_get_real_time () / 1000,
  };
  if (!vw_store_add_chunk (rec->store, &chunk, error))
    return FALSE;
  (*n_chunks)++;
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
recover_track (VwRecordings *rec, GstDiscoverer *discoverer, const VwStoreTrack *t,
    guint *n_chunks, GError **error)
{
  g_autoptr (VwStoreSession) s = vw_store_get_session (rec->store, t->session_id, error);
  g_autoptr (GPtrArray) indexed = s ? vw_store_list_chunks (rec->store, t->id, error) : NULL;
  if (!indexed)
    return FALSE;
  g_autofree char *dir = g_build_filename (rec->data_dir, t->dir, NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  /* Sorted, so chunks are indexed in order. */
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; d && (name = g_dir_read_name (d));)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    if (!recover_chunk (rec, discoverer, t, indexed, g_ptr_array_index (names, i),
            n_chunks, error))
      return FALSE;
  return vw_store_track_ended (rec->store, t->id, s->ended_at ? s->ended_at
      : g_get_real_time () / 1000, error);
}

gboolean
vw_recordings_recover (VwRecordings *rec, guint *n_chunks_out, GError **error)
{
  g_return_val_if_fail (rec != NULL, FALSE);
  guint n_chunks = 0;
  g_autoptr (GPtrArray) tracks = vw_store_list_unfinished_tracks (rec->store, error);
  if (!tracks)
    return FALSE;
  g_autoptr (GstDiscoverer) discoverer = tracks->len
      ? gst_discoverer_new (10 * GST_SECOND, error) : NULL;
  if (tracks->len && !discoverer)
    return FALSE;
  g_autoptr (GHashTable) sessions = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  for (guint i = 0; i < tracks->len; i++) {
    VwStoreTrack *t = g_ptr_array_index (tracks, i);
    if (!recover_track (rec, discoverer, t, &n_chunks, error))
      return FALSE;
    g_hash_table_add (sessions, g_strdup (t->session_id));
  }
  GHashTableIter iter;
  const char *session;
  g_hash_table_iter_init (&iter, sessions);
  while (g_hash_table_iter_next (&iter, (gpointer *) &session, NULL))
    if (!vw_recordings_write_manifest (rec, session, error))
      return FALSE;
  if (n_chunks_out)
    *n_chunks_out = n_chunks;
  return TRUE;
}

/* ---- retention ---- */

/* Deletes the files of @t (its indexed chunks and whatever else is in its
 * directory: a chunk cut off by a crash), then the directory.  Adds the
 * bytes removed to @bytes.  A file that cannot be removed fails the track,
 * which then stays unpurged and is tried again next time. */
static gboolean
delete_track_files (VwRecordings *rec, const VwStoreTrack *t, gint64 *bytes,
    GError **error)
{
  g_autofree char *dir = g_build_filename (rec->data_dir, t->dir, NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; d && (name = g_dir_read_name (d));) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    GStatBuf st;
    if (g_stat (path, &st) == 0)
      *bytes += st.st_size;
    if (g_unlink (path) != 0 && errno != ENOENT) {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
          "cannot delete %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  }
  g_rmdir (dir);
  return TRUE;
}

static gboolean
audit_purge (VwRecordings *rec, const char *session, JsonArray *tracks, gint64 bytes,
    gint64 before_ms, GError **error)
{
  g_autoptr (JsonObject) detail = json_object_new ();
  json_object_set_array_member (detail, "tracks", json_array_ref (tracks));
  json_object_set_int_member (detail, "bytes", bytes);
  json_object_set_int_member (detail, "ended_before", before_ms);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), detail);
  g_autofree char *text = vw_json_to_string (node);
  return vw_store_add_audit (rec->store, g_get_real_time () / 1000, NULL,
      "retention-purge", session, text, NULL, error);
}

gboolean
vw_recordings_purge_expired (VwRecordings *rec, gint64 before_ms, guint *n_tracks_out,
    GError **error)
{
  g_return_val_if_fail (rec != NULL, FALSE);
  g_autoptr (GPtrArray) tracks = vw_store_list_expired_tracks (rec->store, before_ms, error);
  if (!tracks)
    return FALSE;
  guint n = 0;
  /* Tracks come sorted by id, so a session's tracks are not contiguous:
   * group them first, one audit entry per session. */
  g_autoptr (GHashTable) by_session = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < tracks->len; i++) {
    VwStoreTrack *t = g_ptr_array_index (tracks, i);
    GPtrArray *list = g_hash_table_lookup (by_session, t->session_id);
    if (!list) {
      list = g_ptr_array_new ();
      g_hash_table_insert (by_session, g_strdup (t->session_id), list);
    }
    g_ptr_array_add (list, t);
  }
  GHashTableIter iter;
  const char *session;
  GPtrArray *list;
  g_hash_table_iter_init (&iter, by_session);
  while (g_hash_table_iter_next (&iter, (gpointer *) &session, (gpointer *) &list)) {
    g_autoptr (JsonArray) ids = json_array_new ();
    gint64 bytes = 0;
    for (guint i = 0; i < list->len; i++) {
      VwStoreTrack *t = g_ptr_array_index (list, i);
      /* The files, and the copy remuxed for playback if there is one. */
      if (!delete_track_files (rec, t, &bytes, error)
          || !vw_playback_remove_cache (rec->data_dir, t->id, error)
          || !vw_store_track_purged (rec->store, t->id, g_get_real_time () / 1000, error))
        return FALSE;
      json_array_add_int_element (ids, t->id);
      n++;
    }
    if (!audit_purge (rec, session, ids, bytes, before_ms, error))
      return FALSE;
    g_message ("retention: session %s: %u recorded track(s), %" G_GINT64_FORMAT
        " bytes deleted", session, list->len, bytes);
    update_manifest (rec, session);
  }
  if (n_tracks_out)
    *n_tracks_out = n;
  return TRUE;
}
