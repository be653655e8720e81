/* vw-api-tracks.c: GET /api/sessions/ID/tracks/TRACK.webm, a recorded
 * track as one WebM (see server/API.md and vw-playback.h).
 *
 * The message is paused while a worker thread checks the chunks' hashes
 * and remuxes them; the server keeps serving meanwhile.  The file is sent
 * memory-mapped as a complete body; vw_range_respond() (vw-range.h) answers
 * Range requests (206, 416).  A chunk that does not match its SHA-256 is a 409
 * and an audit entry "tamper-detected".
 *
 * Every request is audited as "play-track", except a Range request of an
 * account that played the same track in the last minutes: a <video>
 * element asks for many ranges of what is one viewing. */
#include "vw-api-sessions-private.h"
#include "vw-playback.h"
#include "vw-range.h"
#include "vw-store-audit.h"
#include "vw-store-recordings.h"

#include <string.h>

#define VIEWING_MS (5 * 60 * 1000)

typedef struct {
  VwApiContext *context;
  SoupServerMessage *msg;     /* owned ref */
  char *actor;
  char *session_id;
  VwStoreTrack *track;
  gboolean finished;          /* the client went away meanwhile */
} Playback;

static void
playback_free (Playback *p)
{
  g_signal_handlers_disconnect_by_data (p->msg, p);
  g_object_unref (p->msg);
  g_free (p->actor);
  g_free (p->session_id);
  vw_store_track_free (p->track);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Playback, playback_free)

static void
on_finished (SoupServerMessage *msg, Playback *p)
{
  p->finished = TRUE;
}

/* "12.webm" -> 12; FALSE for anything else. */
static gboolean
parse_track_file (const char *file_name, gint64 *id)
{
  g_autofree char *digits = NULL;

  if (!g_str_has_suffix (file_name, ".webm"))
    return FALSE;
  digits = g_strndup (file_name, strlen (file_name) - strlen (".webm"));
  return g_ascii_string_to_signed (digits, 10, 1, G_MAXINT64, id, NULL);
}

static void
no_track (SoupServerMessage *msg)
{
  vw_api_send_error (msg, SOUP_STATUS_NOT_FOUND, "not-found", "no such track");
}

/* The track @file_name of session @session_id, or NULL after responding. */
static VwStoreTrack *
find_track (VwApiContext *context, SoupServerMessage *msg, const char *session_id,
    const char *file_name)
{
  g_autoptr (GError) error = NULL;
  gint64 id;

  if (!parse_track_file (file_name, &id)) {
    no_track (msg);
    return NULL;
  }
  g_autoptr (VwStoreTrack) track = vw_store_get_track (context->store, id, &error);
  if (!track && !g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND)) {
    vw_api_store_failed (msg, "reading a track", error);
    return NULL;
  }
  if (!track || g_strcmp0 (track->session_id, session_id) != 0) {
    no_track (msg);
    return NULL;
  }
  if (track->purged_at) {
    vw_api_send_error (msg, SOUP_STATUS_CONFLICT, "conflict",
        "the recording of this track was purged by retention");
    return NULL;
  }
  return g_steal_pointer (&track);
}

/* ---- answering ---- */

static void
send_file (SoupServerMessage *msg, const char *path, const char *content_type)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, &error);

  if (!mapped) {
    g_warning ("playback: %s", error->message);
    vw_api_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the recording cannot be read");
    return;
  }
  g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (mapped);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  /* Faces and identity documents: never kept by a cache. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  vw_range_respond (msg, bytes, NULL);
}

/* A chunk does not match its hash, or is gone: the recording was altered. */
static void
send_tampered (Playback *p, guint seq, const GError *error)
{
  g_autoptr (JsonObject) detail = json_object_new ();

  g_warning ("playback of track %" G_GINT64_FORMAT ": %s", p->track->id, error->message);
  json_object_set_int_member (detail, "track", p->track->id);
  json_object_set_int_member (detail, "chunk", seq);
  json_object_set_string_member (detail, "problem", error->message);
  if (!vw_api_audit (p->context, p->actor, "tamper-detected", p->session_id, detail)) {
    vw_api_store_failed (p->msg, "auditing tamper-detected", NULL);
    return;
  }
  vw_api_send_error (p->msg, SOUP_STATUS_CONFLICT, "conflict", error->message);
}

static void
send_result (Playback *p, const char *path, guint bad_seq, const GError *error)
{
  if (path)
    send_file (p->msg, path, vw_playback_content_type (p->track));
  else if (g_error_matches (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_TAMPERED)
      || g_error_matches (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_MISSING))
    send_tampered (p, bad_seq, error);
  else if (g_error_matches (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_EMPTY))
    vw_api_send_error (p->msg, SOUP_STATUS_CONFLICT, "conflict", error->message);
  else {
    g_warning ("playback: %s", error->message);
    vw_api_send_error (p->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
        "the recording cannot be played");
  }
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Playback) p = user_data;
  g_autoptr (GError) error = NULL;
  guint bad_seq = 0;
  g_autofree char *path = vw_playback_prepare_finish (result, &bad_seq, &error);

  if (p->finished)   /* nobody to answer; the cache is made for next time */
    return;
  send_result (p, path, bad_seq, error);
  soup_server_message_unpause (p->msg);
}

/* ---- auditing ---- */

static gboolean
is_play_of (const VwStoreAuditEntry *e, const char *actor, gint64 track_id)
{
  if (g_strcmp0 (e->actor, actor) != 0 || g_strcmp0 (e->action, "play-track") != 0)
    return FALSE;
  g_autoptr (JsonNode) detail = vw_api_json_text_node (e->detail);
  return JSON_NODE_HOLDS_OBJECT (detail)
      && json_object_get_int_member_with_default (json_node_get_object (detail),
          "track", 0) == track_id;
}

/* Whether @actor played @track in the last VIEWING_MS. */
static gboolean
played_recently (VwApiContext *context, const char *actor, const VwStoreTrack *track,
    gboolean *played, GError **error)
{
  gint64 now = g_get_real_time () / 1000;
  g_autoptr (GPtrArray) recent = vw_store_list_audit (context->store, now - VIEWING_MS,
      G_MAXINT64, track->session_id, error);

  if (!recent)
    return FALSE;
  *played = FALSE;
  for (guint i = 0; i < recent->len && !*played; i++)
    *played = is_play_of (g_ptr_array_index (recent, i), actor, track->id);
  return TRUE;
}

/* Appends "play-track" unless it continues a viewing; FALSE after
 * responding 500. */
static gboolean
audit_play (VwApiContext *context, SoupServerMessage *msg, const char *actor,
    const VwStoreTrack *track)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr (GError) error = NULL;
  gboolean played = FALSE;

  if (soup_message_headers_get_one (headers, "Range")
      && !played_recently (context, actor, track, &played, &error)) {
    vw_api_store_failed (msg, "reading the audit log", error);
    return FALSE;
  }
  if (played)
    return TRUE;

  g_autoptr (JsonObject) detail = json_object_new ();
  json_object_set_int_member (detail, "track", track->id);
  json_object_set_string_member (detail, "kind", track->kind);
  json_object_set_string_member (detail, "peer_id", track->peer_id);
  if (vw_api_audit (context, actor, "play-track", track->session_id, detail))
    return TRUE;
  vw_api_store_failed (msg, "auditing play-track", NULL);
  return FALSE;
}

void
vw_api_track_get (VwApiContext *context, SoupServerMessage *msg,
    const VwTokenClaims *claims, const char *session_id, const char *file_name)
{
  g_autoptr (GError) error = NULL;
  VwStoreScope scope;

  vw_api_scope_of (claims, &scope);
  g_autoptr (VwStoreSessionSummary) sum = vw_store_get_session_in_scope (context->store,
      &scope, session_id, &error);
  if (!sum) {
    if (g_error_matches (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND))
      vw_api_no_session (msg);
    else
      vw_api_store_failed (msg, "reading a session", error);
    return;
  }
  g_autoptr (VwStoreTrack) track = find_track (context, msg, session_id, file_name);
  if (!track)
    return;
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (context->store, track->id, &error);
  if (!chunks) {
    vw_api_store_failed (msg, "listing a track's chunks", error);
    return;
  }
  if (!audit_play (context, msg, claims->username, track))
    return;

  Playback *p = g_new0 (Playback, 1);
  p->context = context;
  p->msg = g_object_ref (msg);
  p->actor = g_strdup (claims->username);
  p->session_id = g_strdup (session_id);
  p->track = g_steal_pointer (&track);
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), p);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_finished), p);
  soup_server_message_pause (msg);
  vw_playback_prepare_async (context->data_dir, p->track, chunks, NULL, on_prepared, p);
}
