/* vw-hub-recording.c: every live track the hub receives is recorded as it
 * arrives, without re-encoding (see vw-recorder.h), one recording per
 * stretch of sending: a share stopped and started again makes a second
 * recording of that kind, with its own start on the session's timeline.
 *
 * A recording that stops (the track stops, its sender leaves, a restarted
 * share brings a new stream) finishes its open chunk asynchronously: it
 * moves out of its participant and waits in hub->recordings for
 * splitmuxsink's EOS, so a participant can leave at once.  If the EOS does
 * not come within FINISH_TIMEOUT_MS, the recording is cut and says so.
 * A recording that fails by itself (the disk full) is cut at once and the
 * failure reported; the call never notices (see vw-recorder.h). */
#include "vw-hub-private.h"
#include "vw-recorder.h"

#include <string.h>

#define GST_CAT_DEFAULT vw_hub_debug
#define FINISH_TIMEOUT_MS 20000   /* generous: a starved machine may take seconds */

struct _HubRecording {
  VwHub *hub;
  char *id;                /* "r1", "r2"... unique in the hub */
  char *session;           /* the session it belongs to */
  char *peer;              /* whose track it is */
  VwTrackKind kind;
  guint keyframe_timer;    /* video: asks the sender for keyframes */
  char *dir;               /* relative to the data directory */
  GstElement *tee;         /* (owned ref) the stream it records */
  VwRecorder *recorder;    /* (owned) */
  gboolean stopping;       /* detached from its participant, finishing */
  guint timeout;           /* finishing deadline */
};

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

void
vw_hub_recording_free (HubRecording *r)
{
  g_clear_handle_id (&r->timeout, g_source_remove);
  g_clear_handle_id (&r->keyframe_timer, g_source_remove);
  vw_recorder_free (r->recorder);
  gst_clear_object (&r->tee);
  g_free (r->id);
  g_free (r->session);
  g_free (r->peer);
  g_free (r->dir);
  g_free (r);
}

/* Our senders make keyframes only when asked.  A chunk can only end at a
 * keyframe, so a video recording asks for one a little more often than
 * the chunk length: no chunk grows past it, and a chunk on its own starts
 * with a picture. */
static gboolean
on_keyframe_timer (gpointer data)
{
  HubRecording *r = data;
  Participant *p = g_hash_table_lookup (r->hub->participants, r->peer);
  if (p)
    vw_hub_request_keyframe (p, r->kind);
  return G_SOURCE_CONTINUE;
}

static void
on_keyframe_wanted (gpointer data)
{
  HubRecording *r = data;
  Participant *p = g_hash_table_lookup (r->hub->participants, r->peer);
  GST_DEBUG ("recording %s lost a packet: asking %s for a keyframe", r->id, r->peer);
  if (p && !r->stopping)
    vw_hub_request_keyframe (p, r->kind);
}

/* Done with @r: reported, then forgotten. */
static void
recording_done (HubRecording *r, gboolean complete)
{
  VwHub *hub = r->hub;
  GST_INFO ("recording %s %s", r->id, complete ? "complete" : "cut off");
  hub->cb.recording_stopped (r->id, now_ms (), complete, hub->user_data);
  g_ptr_array_remove_fast (hub->recordings, r);   /* frees it */
}

/* The recording broke by itself (the disk full...): the call goes on
 * without it; its finished chunks stay, the open one is lost.  Said in the
 * server's log and in the session's timeline. */
static void
recording_failed (HubRecording *r)
{
  VwHub *hub = r->hub;
  const GError *error = vw_recorder_get_error (r->recorder);
  Participant *p = g_hash_table_lookup (hub->participants, r->peer);

  if (p && p->recordings[r->kind] == r)
    p->recordings[r->kind] = NULL;
  g_warning ("session %s: the recording %s of %s's %s failed: %s; the call goes on "
      "without it", r->session, r->id, r->peer, vw_track_kind_to_string (r->kind),
      error->message);
  if (hub->cb.recording_failed)
    hub->cb.recording_failed (r->session, r->peer, r->id, r->kind, error->message,
        now_ms (), hub->user_data);
  recording_done (r, FALSE);
}

static gboolean
on_finish_timeout (gpointer data)
{
  HubRecording *r = data;
  r->timeout = 0;
  GST_WARNING ("recording %s did not finish its last chunk in time", r->id);
  recording_done (r, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
on_finished_empty (gpointer data)
{
  HubRecording *r = data;
  r->timeout = 0;
  GST_INFO ("recording %s had no data", r->id);
  recording_done (r, TRUE);
  return G_SOURCE_REMOVE;
}

static void
recording_stop (HubRecording *r)
{
  if (r->stopping)
    return;
  r->stopping = TRUE;
  g_clear_handle_id (&r->keyframe_timer, g_source_remove);
  vw_recorder_stop (r->recorder);
  /* A recording that never had data is done at once (from the main loop:
   * callers may be walking hub->recordings). */
  r->timeout = vw_recorder_is_finished (r->recorder)
      ? g_idle_add (on_finished_empty, r)
      : g_timeout_add (FINISH_TIMEOUT_MS, on_finish_timeout, r);
}

static void
on_chunk (VwRecorder *recorder, const VwRecorderChunk *chunk, gpointer data)
{
  HubRecording *r = data;
  g_autofree char *base = g_path_get_basename (chunk->path);
  g_autofree char *path = g_build_filename (r->dir, base, NULL);
  GST_DEBUG ("recording %s: chunk %u, %" G_GINT64_FORMAT " bytes, %"
      G_GINT64_FORMAT " ms", r->id, chunk->index, chunk->size, chunk->duration_ms);
  r->hub->cb.chunk_recorded (r->id, chunk->index, path, chunk->sha256,
      chunk->size, chunk->duration_ms, r->hub->user_data);
}

static HubRecording *
recording_start (Participant *p, VwTrackKind kind, GstElement *tee)
{
  VwHub *hub = p->hub;
  HubRecording *r = g_new0 (HubRecording, 1);
  r->hub = hub;
  r->id = g_strdup_printf ("r%u", ++hub->next_recording);
  r->dir = g_strdup_printf ("sessions/%s/recording/%s-%s-%u", p->session->id,
      p->id, vw_track_kind_to_string (kind), ++p->n_recorded[kind]);
  g_autofree char *abs_dir = g_build_filename (hub->data_dir, r->dir, NULL);
  g_autoptr (GError) error = NULL;
  r->recorder = vw_recorder_new (GST_BIN (hub->pipeline), tee, kind, abs_dir,
      "chunk", hub->config.chunk_seconds ? hub->config.chunk_seconds
      : VW_RECORDER_CHUNK_SECONDS, on_chunk, r, &error);
  if (!r->recorder) {
    /* The call goes on; the gap is visible as a missing track. */
    GST_ERROR ("cannot record %s of %s: %s", vw_track_kind_to_string (kind),
        p->id, error->message);
    g_free (r->id);
    g_free (r->dir);
    g_free (r);
    return NULL;
  }
  r->tee = gst_object_ref (tee);
  r->session = g_strdup (p->session->id);
  r->peer = g_strdup (p->id);
  r->kind = kind;
  if (kind != VW_TRACK_AUDIO) {
    /* The first chunk starts at a keyframe: ask for one now, and again at
     * once whenever a lost packet makes the recording wait for one. */
    vw_hub_request_keyframe (p, kind);
    vw_recorder_set_keyframe_func (r->recorder, on_keyframe_wanted, r);
    guint chunk_ms = 1000 * (hub->config.chunk_seconds ? hub->config.chunk_seconds
        : VW_RECORDER_CHUNK_SECONDS);
    r->keyframe_timer = g_timeout_add (MAX (chunk_ms - 600, chunk_ms / 2),
        on_keyframe_timer, r);
  }
  g_ptr_array_add (hub->recordings, r);
  GST_INFO ("recording %s of %s as %s in %s", vw_track_kind_to_string (kind),
      p->id, r->id, r->dir);
  hub->cb.recording_started (p->session->id, p->id, r->id, kind, r->dir, now_ms (),
      hub->user_data);
  return r;
}

void
vw_hub_recording_update (Participant *p, VwTrackKind kind)
{
  if (!p->hub->config.record)
    return;
  Line *up = vw_hub_find_live_upstream (p, kind);
  GstElement *tee = up ? p->tees[kind] : NULL;
  HubRecording *current = p->recordings[kind];
  if (current && current->tee == tee)
    return;
  if (current) {
    recording_stop (current);
    p->recordings[kind] = NULL;
  }
  if (tee)
    p->recordings[kind] = recording_start (p, kind, tee);
}

void
vw_hub_recording_stop_all (Participant *p)
{
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    if (p->recordings[k])
      recording_stop (p->recordings[k]);
    p->recordings[k] = NULL;
  }
}

gboolean
vw_hub_recording_handle_message (VwHub *hub, GstMessage *message)
{
  for (guint i = 0; i < hub->recordings->len; i++) {
    HubRecording *r = g_ptr_array_index (hub->recordings, i);
    if (!vw_recorder_handle_message (r->recorder, message))
      continue;
    if (vw_recorder_get_error (r->recorder))
      recording_failed (r);
    else if (r->stopping && vw_recorder_is_finished (r->recorder))
      recording_done (r, TRUE);
    return TRUE;
  }
  return FALSE;
}

gboolean
vw_hub_flush_recordings (VwHub *hub, guint timeout_ms)
{
  g_return_val_if_fail (hub != NULL, FALSE);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  for (guint i = 0; i < hub->recordings->len; i++)
    recording_stop (g_ptr_array_index (hub->recordings, i));
  while (hub->recordings->len > 0 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  gboolean all = hub->recordings->len == 0;
  while (hub->recordings->len > 0)
    recording_done (g_ptr_array_index (hub->recordings, 0), FALSE);
  return all;
}

/* Cuts what is left (reported as incomplete) and frees it. */
void
vw_hub_recordings_free (VwHub *hub)
{
  while (hub->recordings->len > 0)
    recording_done (g_ptr_array_index (hub->recordings, 0), FALSE);
  g_ptr_array_unref (hub->recordings);
}
