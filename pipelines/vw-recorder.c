/* vw-recorder.c: a track into WebM chunks, hash by hash.
 *
 * The elements are made one by one: splitmuxsink's muxer is given as an
 * element (webmmux), because with muxer-factory in a bin that joins a
 * running pipeline it fails to link its muxer and sink. */
#include "vw-recorder.h"
#include "vw-media.h"
#include "vw-webm.h"

#include <errno.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>

struct _VwRecorder {
  GstBin *bin;               /* owned ref */
  GstElement *tee;           /* owned ref */
  GstPad *tee_pad;           /* owned ref */
  GstElement *branch;        /* owned ref: a bin with queue, depay, splitmux */
  GstElement *splitmux;      /* borrowed from branch */
  VwRecorderChunkFunc func;
  gpointer user_data;
  GstClockTime opened_at;    /* running time the open chunk starts at */
  gboolean stopping, finished;
  gint got_data;             /* atomic: splitmuxsink has seen a buffer */
  GError *error;             /* (nullable) owned: why it stopped by itself */
  struct KeyframeNotifier *notifier;   /* (nullable) owned ref */
};

/* Shared with the streaming thread's probe: outlives the recorder until
 * the last pending call has run. */
typedef struct KeyframeNotifier {
  GMainContext *context;
  VwRecorderKeyframeFunc func;     /* main context only */
  gpointer user_data;
  gboolean cancelled;              /* main context only */
  gint64 last;                     /* main context only: monotonic us */
  gulong probe;
} KeyframeNotifier;

static void
notifier_clear (KeyframeNotifier *n)
{
  g_main_context_unref (n->context);
}

static void
notifier_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) notifier_clear);
}

static gboolean
notify_keyframe (gpointer data)
{
  KeyframeNotifier *n = data;
  gint64 now = g_get_monotonic_time ();
  if (!n->cancelled && now - n->last >= 500 * G_TIME_SPAN_MILLISECOND) {
    n->last = now;
    n->func (n->user_data);
  }
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
on_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  KeyframeNotifier *n = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstClockTime when = GST_CLOCK_TIME_NONE;
  if (gst_video_event_is_force_key_unit (event)
      && gst_video_event_parse_upstream_force_key_unit (event, &when, NULL, NULL)
      && !GST_CLOCK_TIME_IS_VALID (when))
    g_main_context_invoke_full (n->context, G_PRIORITY_DEFAULT, notify_keyframe,
        g_rc_box_acquire (n), notifier_release);
  return GST_PAD_PROBE_OK;   /* and on to RTCP as well */
}

void
vw_recorder_set_keyframe_func (VwRecorder *r, VwRecorderKeyframeFunc func,
    gpointer user_data)
{
  g_return_if_fail (r != NULL && r->notifier == NULL && func != NULL);
  KeyframeNotifier *n = g_rc_box_new0 (KeyframeNotifier);
  n->context = g_main_context_ref_thread_default ();
  n->func = func;
  n->user_data = user_data;
  n->last = G_MININT64 / 2;
  r->notifier = n;
  n->probe = gst_pad_add_probe (r->tee_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      on_upstream_event, g_rc_box_acquire (n), notifier_release);
}

static GstElement *
make (const char *factory, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  if (!e)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "GStreamer element %s is missing", factory);
  return e;
}

/* splitmuxsink gives up on a stream whose time goes backwards ("Queued GOP
 * time is negative": the recording stops and its last chunk is lost).
 * Browsers' audio does that now and then by a frame or so (Chrome's Opus
 * after a muted stretch, as the jitter buffer resyncs), so a buffer
 * stamped before the one before it is restamped just after it. */
static GstPadProbeReturn
keep_time_monotonic (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstClockTime *last = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime ts = GST_BUFFER_DTS_OR_PTS (buf);
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return GST_PAD_PROBE_OK;
  if (GST_CLOCK_TIME_IS_VALID (*last) && ts <= *last && GST_BUFFER_PTS_IS_VALID (buf)) {
    buf = gst_buffer_make_writable (buf);
    GST_BUFFER_PTS (buf) = *last + 1;
    if (GST_BUFFER_DTS_IS_VALID (buf))
      GST_BUFFER_DTS (buf) = *last + 1;
    GST_PAD_PROBE_INFO_DATA (info) = buf;
    ts = *last + 1;
  }
  *last = ts;
  return GST_PAD_PROBE_OK;
}

/* Once splitmuxsink has had data, a chunk may be open; before, there is
 * nothing to finish. */
static GstPadProbeReturn
note_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  VwRecorder *r = data;
  g_atomic_int_set (&r->got_data, 1);
  return GST_PAD_PROBE_REMOVE;
}

/* A recording that fails (the disk full, a muxer that gives up) must never
 * touch the call: tee stops pushing to all its pads at the first error one
 * of them returns and hands it upstream, which would stop what the
 * participant sends to everyone.  So whatever the branch answers, the tee
 * hears OK; the failure itself is on the bus (the hub logs it) and the
 * chunks already finished stay indexed. */
static GstFlowReturn
contain (GstPad *pad, GstFlowReturn ret)
{
  if (ret != GST_FLOW_OK && !g_object_get_data (G_OBJECT (pad), "vw-failed")) {
    g_object_set_data (G_OBJECT (pad), "vw-failed", GINT_TO_POINTER (1));
    GST_WARNING_OBJECT (pad, "the recording stopped (%s); the call goes on",
        gst_flow_get_name (ret));
  }
  return GST_FLOW_OK;
}

static GstFlowReturn
contained_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  return contain (pad, gst_proxy_pad_chain_default (pad, parent, buffer));
}

static GstFlowReturn
contained_chain_list (GstPad *pad, GstObject *parent, GstBufferList *list)
{
  return contain (pad, gst_proxy_pad_chain_list_default (pad, parent, list));
}

static GstElement *
make_branch (VwRecorder *r, VwTrackKind kind, const char *location,
    guint chunk_seconds, GError **error)
{
  gboolean audio = kind == VW_TRACK_AUDIO;
  GstElement *queue = make ("queue", error);
  GstElement *depay = queue ? make (audio ? "rtpopusdepay" : "rtpvp8depay", error) : NULL;
  /* Opus over RTP is always 48 kHz, but rtpopusdepay names the rate only
   * when the SDP has sprop-maxcapturerate, which browsers (Chrome) leave
   * out; webmmux refuses Opus caps without a rate, and that not-negotiated
   * would flow back through the tee into webrtcbin and stop everything the
   * participant sends.  So the rate is set here. */
  GstElement *rate = depay && audio ? make ("capssetter", error) : NULL;
  GstElement *split = depay && (rate || !audio) ? make ("splitmuxsink", error) : NULL;
  GstElement *mux = split ? make ("webmmux", error) : NULL;
  if (!mux) {
    gst_clear_object (&queue);
    gst_clear_object (&depay);
    gst_clear_object (&rate);
    gst_clear_object (&split);
    return NULL;
  }
  if (rate) {
    g_autoptr (GstCaps) caps = gst_caps_from_string ("audio/x-opus, rate=(int)48000");
    g_object_set (rate, "caps", caps, "join", TRUE, "replace", FALSE, NULL);
  }
  /* A stalled disk must never hold up the call: past 5 s of backlog the
   * oldest data is dropped (and the gap shows in the chunk's duration). */
  g_object_set (queue, "max-size-buffers", 0, "max-size-bytes", 0,
      "max-size-time", (guint64) 5 * GST_SECOND, "leaky", 2, NULL);
  /* After a lost packet the chunk skips to the next keyframe (it stays
   * decodable), and asks the sender for one at once, so the gap is short. */
  if (!audio)
    g_object_set (depay, "wait-for-keyframe", TRUE, "request-keyframe", TRUE, NULL);
  /* Video splits at keyframes: splitmuxsink asks for one every chunk
   * (which needs max-size-bytes 0). */
  g_object_set (split, "muxer", mux, "location", location,
      "max-size-bytes", (guint64) 0,
      "max-size-time", (guint64) chunk_seconds * GST_SECOND,
      "send-keyframe-requests", !audio, NULL);
  GstElement *branch = gst_bin_new (NULL);
  /* Lets splitmuxsink's own EOS (after its last chunk) reach the bus. */
  g_object_set (branch, "message-forward", TRUE, NULL);
  gst_bin_add_many (GST_BIN (branch), queue, depay, split, NULL);
  gst_element_link (queue, depay);
  GstElement *last = depay;
  if (rate) {
    gst_bin_add (GST_BIN (branch), rate);
    gst_element_link (depay, rate);
    last = rate;
  }
  /* splitmuxsink's first pad is its video pad: audio asks for its own. */
  g_autoptr (GstPad) depay_src = gst_element_get_static_pad (last, "src");
  GstClockTime *last_time = g_new (GstClockTime, 1);
  *last_time = GST_CLOCK_TIME_NONE;
  gst_pad_add_probe (depay_src, GST_PAD_PROBE_TYPE_BUFFER, keep_time_monotonic,
      last_time, g_free);
  g_autoptr (GstPad) split_sink = gst_element_request_pad_simple (split,
      audio ? "audio_%u" : "video");
  if (split_sink)
    gst_pad_add_probe (split_sink, GST_PAD_PROBE_TYPE_BUFFER, note_data, r, NULL);
  if (!split_sink || gst_pad_link (depay_src, split_sink) != GST_PAD_LINK_OK) {
    gst_object_unref (gst_object_ref_sink (branch));
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "cannot record %s: splitmuxsink refused the stream",
        vw_track_kind_to_string (kind));
    return NULL;
  }
  g_autoptr (GstPad) sink = gst_element_get_static_pad (queue, "sink");
  GstPad *ghost = gst_ghost_pad_new ("sink", sink);
  gst_pad_set_chain_function (ghost, contained_chain);
  gst_pad_set_chain_list_function (ghost, contained_chain_list);
  gst_element_add_pad (branch, ghost);
  r->splitmux = split;
  return branch;
}

VwRecorder *
vw_recorder_new (GstBin *bin, GstElement *tee, VwTrackKind kind,
    const char *dir, const char *prefix, guint chunk_seconds,
    VwRecorderChunkFunc func, gpointer user_data, GError **error)
{
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int errsv = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
        "cannot create %s: %s", dir, g_strerror (errsv));
    return NULL;
  }
  VwRecorder *r = g_new0 (VwRecorder, 1);
  r->opened_at = GST_CLOCK_TIME_NONE;
  g_autofree char *location = g_strdup_printf ("%s/%s-%%05d.webm", dir, prefix);
  GstElement *branch = make_branch (r, kind, location, chunk_seconds, error);
  if (!branch) {
    g_free (r);
    return NULL;
  }
  r->bin = gst_object_ref (bin);
  r->tee = gst_object_ref (tee);
  r->branch = gst_object_ref (branch);
  r->func = func;
  r->user_data = user_data;
  gst_bin_add (bin, branch);
  gst_element_sync_state_with_parent (branch);
  g_autoptr (GstPad) sink = gst_element_get_static_pad (branch, "sink");
  r->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  gst_pad_link (r->tee_pad, sink);
  /* Joining a running stream: the first chunk starts at a keyframe, which
   * the sender makes only when asked (PLI, through the tee). */
  if (kind != VW_TRACK_AUDIO)
    gst_pad_send_event (r->tee_pad,
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
  return r;
}

static void
report (VwRecorder *r, const GstStructure *s)
{
  const char *path = gst_structure_get_string (s, "location");
  if (!path)
    return;
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  if (!file)
    return;
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      (const guchar *) g_mapped_file_get_contents (file), g_mapped_file_get_length (file));
  const char *dash = strrchr (path, '-');
  GstClockTime closed_at = GST_CLOCK_TIME_NONE;
  gst_structure_get_clock_time (s, "running-time", &closed_at);
  VwRecorderChunk chunk = {
    .path = path,
    .index = dash ? (guint) g_ascii_strtoull (dash + 1, NULL, 10) : 0,
    .sha256 = sha,
    .size = g_mapped_file_get_length (file),
    /* What a player will see: the Duration webmmux wrote; failing that,
     * the running time the chunk spans. */
    .duration_ms = vw_webm_duration_ms ((const guint8 *) g_mapped_file_get_contents (file),
        g_mapped_file_get_length (file)),
  };
  if (chunk.duration_ms < 0)
    chunk.duration_ms = GST_CLOCK_TIME_IS_VALID (closed_at)
        && GST_CLOCK_TIME_IS_VALID (r->opened_at) && closed_at > r->opened_at
        ? (gint64) ((closed_at - r->opened_at) / GST_MSECOND) : 0;
  if (r->func)
    r->func (r, &chunk, r->user_data);
}

gboolean
vw_recorder_handle_message (VwRecorder *r, GstMessage *message)
{
  const GstStructure *s = gst_message_get_structure (message);
  /* An element of the branch failed (the first error says why). */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR
      && gst_object_has_as_ancestor (GST_MESSAGE_SRC (message), GST_OBJECT (r->branch))) {
    if (!r->error)
      gst_message_parse_error (message, &r->error, NULL);
    return TRUE;
  }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT || !s)
    return FALSE;
  if (GST_MESSAGE_SRC (message) == GST_OBJECT (r->splitmux)
      && gst_structure_has_name (s, "splitmuxsink-fragment-opened")) {
    r->opened_at = GST_CLOCK_TIME_NONE;
    gst_structure_get_clock_time (s, "running-time", &r->opened_at);
    return TRUE;
  }
  if (GST_MESSAGE_SRC (message) == GST_OBJECT (r->splitmux)
      && gst_structure_has_name (s, "splitmuxsink-fragment-closed")) {
    report (r, s);
    return TRUE;
  }
  /* splitmuxsink's EOS comes after its last chunk is closed. */
  if (GST_MESSAGE_SRC (message) == GST_OBJECT (r->branch)
      && gst_structure_has_name (s, "GstBinForwarded")) {
    g_autoptr (GstMessage) inner = NULL;
    gst_structure_get (s, "message", GST_TYPE_MESSAGE, &inner, NULL);
    if (inner && GST_MESSAGE_TYPE (inner) == GST_MESSAGE_EOS
        && GST_MESSAGE_SRC (inner) == GST_OBJECT (r->splitmux))
      r->finished = TRUE;
    return TRUE;
  }
  return FALSE;
}

void
vw_recorder_stop (VwRecorder *r)
{
  if (r->stopping)
    return;
  r->stopping = TRUE;
  /* No more data from the tee; EOS makes splitmuxsink finish the open
   * chunk. */
  vw_media_detach_branch (r->tee_pad);
  /* Nothing ever reached the muxer (a track live but never sent, or
   * stopped before its first keyframe): no chunk to finish, and
   * splitmuxsink would not say so. */
  if (!g_atomic_int_get (&r->got_data)) {
    r->finished = TRUE;
    return;
  }
  g_autoptr (GstPad) sink = gst_element_get_static_pad (r->branch, "sink");
  gst_pad_send_event (sink, gst_event_new_eos ());
}

gboolean
vw_recorder_is_finished (VwRecorder *r)
{
  return r->finished;
}

const GError *
vw_recorder_get_error (VwRecorder *r)
{
  return r->error;
}

void
vw_recorder_free (VwRecorder *r)
{
  if (!r)
    return;
  if (r->notifier) {
    r->notifier->cancelled = TRUE;
    gst_pad_remove_probe (r->tee_pad, r->notifier->probe);
    notifier_release (r->notifier);
  }
  if (!r->stopping)
    vw_media_detach_branch (r->tee_pad);
  gst_element_set_locked_state (r->branch, TRUE);
  gst_element_set_state (r->branch, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (r->branch) == GST_OBJECT (r->bin))
    gst_bin_remove (r->bin, r->branch);
  gst_clear_object (&r->branch);
  gst_clear_object (&r->tee_pad);
  gst_clear_object (&r->tee);
  gst_clear_object (&r->bin);
  g_clear_error (&r->error);
  g_free (r);
}
