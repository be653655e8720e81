/* vw-recv-track.c: decode, count, report. */
#include "vw-recv-track.h"
#include "vw-events.h"
#include "vw-frame-gaps.h"
#include "vw-media.h"
#include "vw-timecode.h"

#include <math.h>
#include <gst/video/video.h>

struct _VwRecvTrack {
  /* Set at creation, then read-only. */
  GMainContext *context;
  GstBin *pipeline;
  GstElement *tee;
  GstPad *tee_pad;
  GstElement *bin;
  VwTrackKind kind;
  char *peer;
  char *mid;
  /* Written on streaming threads. */
  gint frames;               /* atomic */
  gint peak;                 /* atomic: loudest sample since stats, 0..32768 */
  gint width, height;        /* atomic */
  gint first_reported;       /* atomic flag */
  GMutex lock;               /* guards bytes, last and last_caps */
  gint64 bytes;
  GstBuffer *last;           /* latest decoded video frame */
  GstCaps *last_caps;        /* its caps */
  VwFrameGaps gaps;          /* guarded by lock: freezes (vw-frame-gaps.h) */
};

static VwRecvTrack *
track_ref (VwRecvTrack *t)
{
  return g_atomic_rc_box_acquire (t);
}

static void
track_clear (VwRecvTrack *t)
{
  g_main_context_unref (t->context);
  gst_clear_object (&t->pipeline);
  gst_clear_object (&t->tee);
  gst_clear_object (&t->tee_pad);
  gst_clear_object (&t->bin);
  g_free (t->peer);
  g_free (t->mid);
  gst_clear_buffer (&t->last);
  gst_clear_caps (&t->last_caps);
  g_mutex_clear (&t->lock);
}

static void
track_unref (gpointer t)
{
  g_atomic_rc_box_release_full (t, (GDestroyNotify) track_clear);
}

JsonObject *
vw_recv_track_describe (VwRecvTrack *t)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "track", vw_track_kind_to_string (t->kind));
  json_object_set_string_member (o, "peer", t->peer);
  json_object_set_string_member (o, "mid", t->mid);
  return o;
}

static double
peak_db (gint peak)
{
  double db = peak > 0 ? 20.0 * log10 (peak / 32768.0) : -120.0;
  return round (db * 10) / 10;
}

/* ---- streaming threads ---- */

static gboolean
report_first (gpointer data)
{
  VwRecvTrack *t = data;
  JsonObject *o = vw_recv_track_describe (t);
  if (t->kind == VW_TRACK_AUDIO) {
    json_object_set_double_member (o, "peak_db", peak_db (g_atomic_int_get (&t->peak)));
    vw_events_emit ("first-audio", o);
  } else {
    json_object_set_int_member (o, "width", g_atomic_int_get (&t->width));
    json_object_set_int_member (o, "height", g_atomic_int_get (&t->height));
    vw_events_emit ("first-frame", o);
  }
  return G_SOURCE_REMOVE;
}

static void
invoke (VwRecvTrack *t, GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  g_main_context_invoke_full (t->context, G_PRIORITY_DEFAULT, func, data, notify);
}

static gint
buffer_peak (GstBuffer *buf)
{
  GstMapInfo map;
  gint peak = 0;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return 0;
  const gint16 *s = (const gint16 *) map.data;
  for (gsize i = 0; i < map.size / 2; i++)
    peak = MAX (peak, ABS ((gint) s[i]));
  gst_buffer_unmap (buf, &map);
  return peak;
}

static void
note_audio (VwRecvTrack *t, GstBuffer *buf)
{
  gint p = buffer_peak (buf), old;
  do
    old = g_atomic_int_get (&t->peak);
  while (p > old && !g_atomic_int_compare_and_exchange (&t->peak, old, p));
}

/* Every decoded frame: keep a reference to it (for save-frame), and
 * read its size only when the caps change. */
static void
note_video (VwRecvTrack *t, GstPad *pad, GstBuffer *buf)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  if (!caps)
    return;
  g_mutex_lock (&t->lock);
  gboolean changed = caps != t->last_caps;
  if (changed)
    gst_caps_replace (&t->last_caps, caps);
  gst_buffer_replace (&t->last, buf);
  g_mutex_unlock (&t->lock);
  GstVideoInfo info;
  if (changed && gst_video_info_from_caps (&info, caps)) {
    g_atomic_int_set (&t->width, GST_VIDEO_INFO_WIDTH (&info));
    g_atomic_int_set (&t->height, GST_VIDEO_INFO_HEIGHT (&info));
  }
}

static void note_gap (VwRecvTrack *t);

static GstPadProbeReturn
decoded_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwRecvTrack *t = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  g_atomic_int_inc (&t->frames);
  note_gap (t);
  if (t->kind == VW_TRACK_AUDIO)
    note_audio (t, buf);
  else
    note_video (t, pad, buf);
  if (g_atomic_int_compare_and_exchange (&t->first_reported, 0, 1))
    invoke (t, report_first, track_ref (t), track_unref);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
rtp_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwRecvTrack *t = user_data;
  g_mutex_lock (&t->lock);
  t->bytes += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  g_mutex_unlock (&t->lock);
  return GST_PAD_PROBE_OK;
}

typedef struct {
  VwRecvTrack *track;
  gint64 ms;
} Latency;

static gboolean
report_latency (gpointer data)
{
  Latency *l = data;
  JsonObject *o = vw_recv_track_describe (l->track);
  json_object_set_int_member (o, "ms", l->ms);
  vw_events_emit ("latency", o);
  return G_SOURCE_REMOVE;
}

static void
latency_free (gpointer data)
{
  Latency *l = data;
  track_unref (l->track);
  g_free (l);
}

static void
on_timecode (guint32 stamped_ms, guint32 now_ms, gpointer user_data)
{
  VwRecvTrack *t = user_data;
  Latency *l = g_new0 (Latency, 1);
  l->track = track_ref (t);
  l->ms = (gint32) (now_ms - stamped_ms);
  invoke (t, report_latency, l, latency_free);
}

/* A freeze that just ended (no frame for more than 200 ms): a "freeze"
 * event line with its length, and the sums in stats. */
static gboolean
report_freeze (gpointer data)
{
  Latency *l = data;
  JsonObject *o = vw_recv_track_describe (l->track);
  json_object_set_int_member (o, "ms", l->ms);
  vw_events_emit ("freeze", o);
  return G_SOURCE_REMOVE;
}

static void
note_gap (VwRecvTrack *t)
{
  g_mutex_lock (&t->lock);
  gint64 gap = vw_frame_gaps_add (&t->gaps, g_get_monotonic_time (),
      VW_FRAME_GAPS_FREEZE_US);
  g_mutex_unlock (&t->lock);
  if (gap) {
    Latency *l = g_new0 (Latency, 1);
    l->track = track_ref (t);
    l->ms = gap / 1000;
    invoke (t, report_freeze, l, latency_free);
  }
}

/* ---- main context ---- */

VwRecvTrack *
vw_recv_track_new (GstBin *pipeline, GstElement *tee, VwTrackKind kind,
    const char *peer, const char *mid, gboolean display, gboolean timecode)
{
  VwRecvTrack *t = g_atomic_rc_box_new0 (VwRecvTrack);
  g_mutex_init (&t->lock);
  t->context = g_main_context_ref_thread_default ();
  t->pipeline = gst_object_ref (pipeline);
  t->tee = gst_object_ref (tee);
  t->kind = kind;
  t->peer = g_strdup (peer);
  t->mid = g_strdup (mid);

  t->bin = gst_object_ref (vw_recv_bin_new (kind, display));
  gst_bin_add (pipeline, t->bin);
  g_autoptr (GstElement) decoded = gst_bin_get_by_name (GST_BIN (t->bin), "decoded");
  g_autoptr (GstPad) decoded_src = gst_element_get_static_pad (decoded, "src");
  /* The probes borrow the track: they cannot fire after
   * vw_recv_track_stop() has stopped the bin, and holding a reference
   * would keep the bin (whose pads hold the probes) alive for ever. */
  gst_pad_add_probe (decoded_src, GST_PAD_PROBE_TYPE_BUFFER, decoded_probe, t, NULL);
  if (timecode && kind != VW_TRACK_AUDIO)
    vw_timecode_attach_reader (decoded_src, on_timecode, t, NULL);
  g_autoptr (GstPad) sink = gst_element_get_static_pad (t->bin, "sink");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, rtp_probe, t, NULL);
  gst_element_sync_state_with_parent (t->bin);
  t->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  gst_pad_link (t->tee_pad, sink);
  return t;
}

void
vw_recv_track_stop (VwRecvTrack *t)
{
  if (!t)
    return;
  if (t->tee_pad) {
    vw_media_detach_branch (t->tee_pad);
    gst_clear_object (&t->tee_pad);
  }
  gst_element_set_locked_state (t->bin, TRUE);
  gst_element_set_state (t->bin, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (t->bin) == GST_OBJECT (t->pipeline))
    gst_bin_remove (t->pipeline, t->bin);
  track_unref (t);
}

VwTrackKind
vw_recv_track_get_kind (VwRecvTrack *t)
{
  return t->kind;
}

const char *
vw_recv_track_get_mid (VwRecvTrack *t)
{
  return t->mid;
}

JsonObject *
vw_recv_track_get_stats (VwRecvTrack *t)
{
  JsonObject *o = vw_recv_track_describe (t);
  json_object_set_int_member (o, "frames", g_atomic_int_get (&t->frames));
  g_mutex_lock (&t->lock);
  json_object_set_int_member (o, "bytes", t->bytes);
  json_object_set_int_member (o, "max_gap_ms", t->gaps.max_gap_us / 1000);
  json_object_set_int_member (o, "freeze_ms", t->gaps.freeze_us / 1000);
  json_object_set_int_member (o, "freezes", t->gaps.freezes);
  g_mutex_unlock (&t->lock);
  if (t->kind == VW_TRACK_AUDIO) {
    json_object_set_double_member (o, "peak_db", peak_db (g_atomic_int_and (&t->peak, 0)));
  } else {
    json_object_set_int_member (o, "width", g_atomic_int_get (&t->width));
    json_object_set_int_member (o, "height", g_atomic_int_get (&t->height));
  }
  return o;
}

gboolean
vw_recv_track_request_keyframe (VwRecvTrack *t)
{
  if (t->kind == VW_TRACK_AUDIO)
    return FALSE;
  /* Upstream from the decoder: webrtcbin's rtpsession sends RTCP PLI. */
  g_autoptr (GstPad) sink = gst_element_get_static_pad (t->bin, "sink");
  return gst_pad_push_event (sink, gst_video_event_new_upstream_force_key_unit (
          GST_CLOCK_TIME_NONE, TRUE, 0));
}

gboolean
vw_recv_track_save_frame (VwRecvTrack *t, const char *path, guint *width,
    guint *height, GError **error)
{
  g_mutex_lock (&t->lock);
  GstSample *last = t->last ? gst_sample_new (t->last, t->last_caps, NULL, NULL) : NULL;
  g_mutex_unlock (&t->lock);
  if (!last) {
    g_set_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE,
        "no %s frame has been decoded yet", vw_track_kind_to_string (t->kind));
    return FALSE;
  }
  g_autoptr (GstSample) sample = last;
  g_autoptr (GstCaps) png = gst_caps_new_empty_simple ("image/png");
  g_autoptr (GstSample) converted = gst_video_convert_sample (sample, png,
      5 * GST_SECOND, error);
  if (!converted)
    return FALSE;
  GstMapInfo map;
  GstBuffer *buf = gst_sample_get_buffer (converted);
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return FALSE;
  gboolean ok = g_file_set_contents (path, (const char *) map.data, map.size, error);
  gst_buffer_unmap (buf, &map);
  GstVideoInfo info;
  if (ok && gst_video_info_from_caps (&info, gst_sample_get_caps (sample))) {
    *width = GST_VIDEO_INFO_WIDTH (&info);
    *height = GST_VIDEO_INFO_HEIGHT (&info);
  }
  return ok;
}
