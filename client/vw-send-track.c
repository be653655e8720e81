/* vw-send-track.c: a source, encoded and counted. */
#include "vw-send-track.h"
#include "vw-events.h"
#include "vw-media.h"

#include <gst/video/video.h>

typedef struct {
  VwGrabFunc func;
  gpointer user_data;
  GstSample *sample;
} Grab;

struct _VwSendTrack {
  VwTrackKind kind;
  GMainContext *context;
  GstElement *bin;           /* owned ref */
  GstElement *encoder;       /* owned ref */
  GstBin *pipeline;          /* owned ref once started */
  GstPad *sink;              /* owned ref once started */
  gint frames;               /* atomic */
  gint keyframes;            /* atomic */
  guint64 bytes;             /* under lock: the encoder's output */
  guint base_bitrate;        /* without a cap */
  guint bitrate;             /* the encoder's target now */
  guint fps;                 /* the frame rate now */
  guint max_bitrate;         /* the hub's cap; 0: none */
  gint capped;               /* atomic: max_bitrate below base_bitrate */
  gint64 last_keyframe_us;   /* under lock: when the encoder made one */
  gint pace_bps;             /* atomic: the pacer's rate; 0: not pacing */
  gint64 pace_next_us;       /* pacer's thread only: when the next packet may go */
  GstElement *pacer;         /* owned ref: a queue whose thread paces */
  GMutex lock;               /* guards grabs, bytes, last_keyframe_us */
  GSList *grabs;             /* Grab*, waiting for the next frame */
  gulong grab_probe;
};

static GstPadProbeReturn
encoded_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwSendTrack *t = user_data;
  g_atomic_int_inc (&t->frames);
  gboolean key = !GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info),
      GST_BUFFER_FLAG_DELTA_UNIT);
  g_mutex_lock (&t->lock);
  t->bytes += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  if (key)
    t->last_keyframe_us = g_get_monotonic_time ();
  g_mutex_unlock (&t->lock);
  if (key)
    g_atomic_int_inc (&t->keyframes);
  return GST_PAD_PROBE_OK;
}

/* Under a cap a keyframe costs several frames' budget, and on a lossy thin
 * link every receiver's loss asks for one: honoured at once, they would
 * keep the link over its rate (and so lossy).  While capped, the encoder
 * makes at most one keyframe per KEYFRAME_INTERVAL_CAPPED_US; requests in
 * between are dropped (the next keyframe serves them). */
#define KEYFRAME_INTERVAL_CAPPED_US (G_USEC_PER_SEC)

static gboolean
keyframe_too_soon (VwSendTrack *t)
{
  if (!g_atomic_int_get (&t->capped))
    return FALSE;
  g_mutex_lock (&t->lock);
  gboolean soon = g_get_monotonic_time () - t->last_keyframe_us < KEYFRAME_INTERVAL_CAPPED_US;
  g_mutex_unlock (&t->lock);
  return soon;
}

static GstPadProbeReturn
keyframe_request_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (gst_video_event_is_force_key_unit (event) && keyframe_too_soon (user_data))
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

/* The pacer: under a cap, packets leave at most at PACE_FACTOR times the
 * cap, from a queue of their own, instead of each frame's packets all at
 * once.  A keyframe is many times a frame: sent as one burst it overflows
 * a thin link's bottleneck queue (100 ms of 500 kbit/s is 6 KB), the
 * keyframe is lost, its receiver asks for another, and so on. */
#define PACE_FACTOR 1.2
#define PACER_QUEUE_NS (2 * GST_SECOND)

static GstPadProbeReturn
pace_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwSendTrack *t = user_data;
  gint bps = g_atomic_int_get (&t->pace_bps);
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (bps <= 0 || !buf)
    return GST_PAD_PROBE_OK;
  gint64 now = g_get_monotonic_time ();
  if (t->pace_next_us > now)
    g_usleep (t->pace_next_us - now);
  else
    t->pace_next_us = now;
  t->pace_next_us += (gint64) gst_buffer_get_size (buf) * 8 * G_USEC_PER_SEC / bps;
  return GST_PAD_PROBE_OK;
}

VwSendTrack *
vw_send_track_new (VwTrackKind kind, const char *spec, guint pt, guint bitrate,
    gboolean timecode, GError **error)
{
  GstElement *bin = vw_send_bin_new (kind, spec, pt, bitrate, timecode, error);
  if (!bin)
    return NULL;
  VwSendTrack *t = g_new0 (VwSendTrack, 1);
  g_mutex_init (&t->lock);
  t->kind = kind;
  t->context = g_main_context_ref_thread_default ();
  t->bin = gst_object_ref_sink (bin);
  t->encoder = gst_bin_get_by_name (GST_BIN (bin), "encoder");
  if (kind != VW_TRACK_AUDIO) {
    const VwVideoProfile *profile = vw_video_profile_for_kind (kind);
    t->base_bitrate = bitrate ? bitrate : profile->bitrate;
    t->bitrate = t->base_bitrate;
    t->fps = profile->fps;
  }
  g_autoptr (GstPad) pad = gst_element_get_static_pad (t->encoder, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, encoded_probe, t, NULL);
  if (kind != VW_TRACK_AUDIO) {
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, keyframe_request_probe,
        t, NULL);
    t->pacer = gst_object_ref_sink (gst_element_factory_make ("queue", NULL));
    g_object_set (t->pacer, "max-size-buffers", 0, "max-size-bytes", 0,
        "max-size-time", (guint64) PACER_QUEUE_NS, "leaky", 2, NULL);
    g_autoptr (GstPad) paced = gst_element_get_static_pad (t->pacer, "src");
    gst_pad_add_probe (paced, GST_PAD_PROBE_TYPE_BUFFER, pace_probe, t, NULL);
  }
  return t;
}

void
vw_send_track_start (VwSendTrack *t, GstBin *pipeline, GstPad *sink)
{
  g_return_if_fail (!t->pipeline);
  t->pipeline = gst_object_ref (pipeline);
  t->sink = gst_object_ref (sink);
  gst_bin_add (pipeline, t->bin);
  g_autoptr (GstPad) src = gst_element_get_static_pad (t->bin, "src");
  if (t->pacer) {
    gst_bin_add (pipeline, t->pacer);
    g_autoptr (GstPad) in = gst_element_get_static_pad (t->pacer, "sink");
    g_autoptr (GstPad) out = gst_element_get_static_pad (t->pacer, "src");
    gst_pad_link (src, in);
    gst_pad_link (out, sink);
    gst_element_sync_state_with_parent (t->pacer);
  } else {
    gst_pad_link (src, sink);
  }
  gst_element_sync_state_with_parent (t->bin);
}

static void
grab_free (Grab *g)
{
  if (g->sample)
    gst_sample_unref (g->sample);
  g_free (g);
}

void
vw_send_track_free (VwSendTrack *t)
{
  if (!t)
    return;
  /* Stop the source before unlinking: a running source pushing into an
   * unlinked pad would post a not-linked error. */
  gst_element_set_locked_state (t->bin, TRUE);
  gst_element_set_state (t->bin, GST_STATE_NULL);
  if (t->pacer) {
    g_atomic_int_set (&t->pace_bps, 0);   /* no more sleeping */
    gst_element_set_locked_state (t->pacer, TRUE);
    gst_element_set_state (t->pacer, GST_STATE_NULL);
  }
  if (t->pipeline) {
    g_autoptr (GstPad) src = gst_element_get_static_pad (t->pacer ? t->pacer : t->bin, "src");
    gst_pad_unlink (src, t->sink);
    gst_bin_remove (t->pipeline, t->bin);
    if (t->pacer)
      gst_bin_remove (t->pipeline, t->pacer);
  }
  gst_clear_object (&t->pacer);
  g_slist_free_full (t->grabs, (GDestroyNotify) grab_free);
  gst_clear_object (&t->pipeline);
  gst_clear_object (&t->sink);
  gst_clear_object (&t->encoder);
  gst_clear_object (&t->bin);
  g_main_context_unref (t->context);
  g_mutex_clear (&t->lock);
  g_free (t);
}

VwTrackKind
vw_send_track_get_kind (VwSendTrack *t)
{
  return t->kind;
}

JsonObject *
vw_send_track_get_stats (VwSendTrack *t)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "track", vw_track_kind_to_string (t->kind));
  json_object_set_int_member (o, "frames", g_atomic_int_get (&t->frames));
  g_mutex_lock (&t->lock);
  json_object_set_int_member (o, "bytes", (gint64) t->bytes);
  g_mutex_unlock (&t->lock);
  if (t->kind != VW_TRACK_AUDIO) {
    json_object_set_int_member (o, "keyframes", g_atomic_int_get (&t->keyframes));
    json_object_set_int_member (o, "target-bitrate", t->bitrate);
    json_object_set_int_member (o, "fps", t->fps);
  }
  return o;
}

void
vw_send_track_force_keyframe (VwSendTrack *t)
{
  if (t->kind != VW_TRACK_AUDIO && !keyframe_too_soon (t))
    gst_element_send_event (t->encoder,
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}

/* ---- the hub's cap ---- */

/* The frame rate steps down when the cap falls under these shares of the
 * track's base rate: the encoder keeps each frame's quality instead of
 * smearing fewer bits over as many frames.  Going back up needs 15 % more
 * than the step's share, so a cap wavering at a step does not make the
 * encoder restart (a frame rate change re-creates it: a keyframe). */
typedef struct {
  double share;
  guint fps;
} FpsStep;

static const FpsStep camera_steps[] = { { 0.35, 30 }, { 0.2, 20 }, { 0.12, 15 }, { 0, 10 } };
static const FpsStep screen_steps[] = { { 0.4, 10 }, { 0.2, 5 }, { 0, 3 } };
static const FpsStep document_steps[] = { { 0.4, 5 }, { 0.2, 3 }, { 0, 2 } };
#define HYSTERESIS 1.15
/* The encoder's target leaves room for the packets' headers. */
#define PAYLOAD_SHARE 0.95

void
vw_send_track_rate_for_cap (VwTrackKind kind, guint base_bitrate, guint max_bitrate,
    guint fps, guint *target_bitrate, guint *target_fps)
{
  g_return_if_fail (kind != VW_TRACK_AUDIO && kind < VW_TRACK_N_KINDS);
  const FpsStep *steps = kind == VW_TRACK_CAMERA ? camera_steps
      : kind == VW_TRACK_SCREEN ? screen_steps : document_steps;
  guint profile_fps = vw_video_profile_for_kind (kind)->fps;
  if (!max_bitrate || max_bitrate >= base_bitrate) {
    *target_bitrate = base_bitrate;
    *target_fps = profile_fps;
    return;
  }
  *target_bitrate = MAX ((guint) (max_bitrate * PAYLOAD_SHARE), 1);
  double share = (double) max_bitrate / base_bitrate;
  guint i = 0;
  while (steps[i].share > 0 && share < steps[i].share)
    i++;
  /* Up only past the hysteresis; down at once. */
  while (steps[i].share > 0 && steps[i].fps > fps && share < steps[i].share * HYSTERESIS)
    i++;
  *target_fps = MIN (steps[i].fps, profile_fps);
}

static void
set_frame_rate (VwSendTrack *t, guint fps)
{
  g_autoptr (GstElement) raw = gst_bin_get_by_name (GST_BIN (t->bin), "raw");
  if (!raw)
    return;
  g_autoptr (GstCaps) caps = NULL;
  g_object_get (raw, "caps", &caps, NULL);
  g_autoptr (GstCaps) changed = gst_caps_copy (caps);
  gst_caps_set_simple (changed, "framerate", GST_TYPE_FRACTION, (gint) fps, 1, NULL);
  g_object_set (raw, "caps", changed, NULL);
}

void
vw_send_track_set_max_bitrate (VwSendTrack *t, guint max_bitrate)
{
  if (t->kind == VW_TRACK_AUDIO)
    return;
  guint bitrate, fps;
  vw_send_track_rate_for_cap (t->kind, t->base_bitrate, max_bitrate, t->fps,
      &bitrate, &fps);
  t->max_bitrate = max_bitrate;
  gboolean capped = max_bitrate && max_bitrate < t->base_bitrate;
  g_atomic_int_set (&t->capped, capped);
  g_atomic_int_set (&t->pace_bps, capped ? (gint) (max_bitrate * PACE_FACTOR) : 0);
  if (bitrate != t->bitrate) {
    /* Under a cap a keyframe may take at most 3 frames' budget. */
    g_object_set (t->encoder, "target-bitrate", (gint) bitrate,
        "max-intra-bitrate", capped ? 300 : 0, NULL);
    t->bitrate = bitrate;
  }
  if (fps != t->fps) {
    set_frame_rate (t, fps);
    t->fps = fps;
  }
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "track", vw_track_kind_to_string (t->kind));
  json_object_set_int_member (o, "max-bitrate", max_bitrate);
  json_object_set_int_member (o, "target-bitrate", t->bitrate);
  json_object_set_int_member (o, "fps", t->fps);
  vw_events_emit ("bitrate", o);
}

/* ---- grabbing a raw frame ---- */

static gboolean
deliver_grab (gpointer data)
{
  Grab *g = data;
  g->func (g->sample, g->user_data);
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
grab_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwSendTrack *t = user_data;
  g_mutex_lock (&t->lock);
  GSList *grabs = g_steal_pointer (&t->grabs);
  t->grab_probe = 0;
  g_mutex_unlock (&t->lock);

  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  for (GSList *l = grabs; l; l = l->next) {
    Grab *g = l->data;
    g->sample = gst_sample_new (GST_PAD_PROBE_INFO_BUFFER (info), caps, NULL, NULL);
    g_main_context_invoke_full (t->context, G_PRIORITY_DEFAULT, deliver_grab, g,
        (GDestroyNotify) grab_free);
  }
  g_slist_free (grabs);
  return GST_PAD_PROBE_REMOVE;
}

void
vw_send_track_grab_next_frame (VwSendTrack *t, VwGrabFunc func, gpointer user_data)
{
  Grab *g = g_new0 (Grab, 1);
  g->func = func;
  g->user_data = user_data;
  g_autoptr (GstElement) source = gst_bin_get_by_name (GST_BIN (t->bin), "source");
  g_autoptr (GstPad) pad = gst_element_get_static_pad (source, "src");
  g_mutex_lock (&t->lock);
  t->grabs = g_slist_prepend (t->grabs, g);
  if (!t->grab_probe)
    t->grab_probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, grab_probe, t, NULL);
  g_mutex_unlock (&t->lock);
}
