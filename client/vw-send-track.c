/* vw-send-track.c: a source, encoded and counted. */
#include "vw-send-track.h"
#include "vw-events.h"

GST_DEBUG_CATEGORY_STATIC (vw_send_track_debug);
#define GST_CAT_DEFAULT vw_send_track_debug
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
  gint drop_fps;             /* atomic: frames kept per second; 0: all */
  GstClockTime next_pts;     /* streaming thread: the next frame to keep */
  gint64 pace_next_us;       /* pacer's thread only: when the next packet may go */
  GstElement *pacer;         /* owned ref: a queue whose thread paces */
  /* The encoder misses low targets (a busy picture at its coarsest
   * quantiser): while capped, a loop corrects its target by what it
   * actually made (see correct_target ()). */
  double gain;               /* encoder target = cap * PAYLOAD_SHARE * gain */
  GSource *correction;       /* 1 s timer on @context while capped */
  guint fps_ceiling;         /* while capped: the encoder could not meet the
                              * cap at a higher frame rate; 0: none */
  guint floor_cap;           /* the cap it could not meet */
  guint64 corrected_bytes;   /* bytes at the last correction */
  gint64 corrected_us;
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
 * keyframe is lost, its receiver asks for another, and so on.  Not slower:
 * the encoder may overshoot its target, and a keyframe paced too slowly
 * reaches the far jitter buffer too late to be used.  The queue never
 * drops: its packets are numbered already, and one dropped here is a gap
 * no retransmission can fill (the RTX history never saw it) and costs a
 * keyframe; when it is full, the encoder waits and the live source skips
 * frames instead. */
#define PACE_FACTOR 2.0
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

static GstPadProbeReturn frame_rate_probe (GstPad *pad, GstPadProbeInfo *info,
                                           gpointer user_data);

VwSendTrack *
vw_send_track_new (VwTrackKind kind, const char *spec, guint pt, guint bitrate,
    gboolean timecode, GError **error)
{
  GstElement *bin = vw_send_bin_new (kind, spec, pt, bitrate, timecode, error);
  if (!bin)
    return NULL;
  if (!vw_send_track_debug)
    GST_DEBUG_CATEGORY_INIT (vw_send_track_debug, "vw-send-track", 0,
        "virtual-window: a track we send");
  VwSendTrack *t = g_new0 (VwSendTrack, 1);
  g_mutex_init (&t->lock);
  t->kind = kind;
  t->context = g_main_context_ref_thread_default ();
  t->bin = gst_object_ref_sink (bin);
  t->encoder = gst_bin_get_by_name (GST_BIN (bin), "encoder");
  t->gain = 1.0;
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
    t->next_pts = GST_CLOCK_TIME_NONE;
    g_autoptr (GstPad) raw = gst_element_get_static_pad (t->encoder, "sink");
    gst_pad_add_probe (raw, GST_PAD_PROBE_TYPE_BUFFER, frame_rate_probe, t, NULL);
    t->pacer = gst_object_ref_sink (gst_element_factory_make ("queue", NULL));
    g_object_set (t->pacer, "max-size-buffers", 0, "max-size-bytes", 0,
        "max-size-time", (guint64) PACER_QUEUE_NS, NULL);
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
  if (t->correction) {
    g_source_destroy (t->correction);
    g_source_unref (t->correction);
  }
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
 * frame rate flap. */
typedef struct {
  double share;
  guint fps;
} FpsStep;

static const FpsStep camera_steps[] = { { 0.35, 30 }, { 0.2, 20 }, { 0.12, 15 }, { 0, 10 } };
static const FpsStep screen_steps[] = { { 0.4, 10 }, { 0.2, 5 }, { 0, 3 } };
static const FpsStep document_steps[] = { { 0.4, 5 }, { 0.2, 3 }, { 0, 2 } };
#define HYSTERESIS 1.15

static const FpsStep *
steps_for (VwTrackKind kind)
{
  return kind == VW_TRACK_CAMERA ? camera_steps
      : kind == VW_TRACK_SCREEN ? screen_steps : document_steps;
}

/* The next frame rate below @fps on @kind's steps, or @fps at the last. */
static guint
lower_fps (VwTrackKind kind, guint fps)
{
  const FpsStep *steps = steps_for (kind);
  for (guint i = 0;; i++) {
    if (steps[i].fps < fps)
      return steps[i].fps;
    if (steps[i].share == 0)
      return fps;
  }
}
/* The encoder's target leaves room for the packets' headers. */
#define PAYLOAD_SHARE 0.95

void
vw_send_track_rate_for_cap (VwTrackKind kind, guint base_bitrate, guint max_bitrate,
    guint fps, guint *target_bitrate, guint *target_fps)
{
  g_return_if_fail (kind != VW_TRACK_AUDIO && kind < VW_TRACK_N_KINDS);
  const FpsStep *steps = steps_for (kind);
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

#define GAIN_MIN 0.25

static void set_frame_rate (VwSendTrack *t, guint fps);
#define CORRECTION_MS 1000

/* Once a second while capped: the encoder's output against the cap's
 * share for it; its target is scaled by their ratio (at most x0.7 or
 * x1.2 a step, so a keyframe's second does not swing it). */
static gboolean
correct_target (gpointer data)
{
  VwSendTrack *t = data;
  g_mutex_lock (&t->lock);
  guint64 bytes = t->bytes;
  g_mutex_unlock (&t->lock);
  gint64 now = g_get_monotonic_time ();
  double dt = (now - t->corrected_us) / (double) G_USEC_PER_SEC;
  if (t->corrected_us && dt > 0.5 && t->max_bitrate) {
    double made = (bytes - t->corrected_bytes) * 8 / dt;
    double wanted = t->max_bitrate * PAYLOAD_SHARE;
    if (made > 0) {
      double step = CLAMP (wanted / made, 0.7, 1.2);
      t->gain = CLAMP (t->gain * step, GAIN_MIN, 1.0);
      /* At its floor (coarsest quantiser) the encoder still makes too
       * much: then the frame rate gives way, one step, and the target
       * starts over from the cap. */
      guint lower = lower_fps (t->kind, t->fps);
      if (t->gain <= GAIN_MIN && made > 1.2 * wanted && lower < t->fps) {
        set_frame_rate (t, lower);
        t->fps = lower;
        t->fps_ceiling = lower;
        t->floor_cap = t->max_bitrate;
        t->gain = 1.0;
        GST_DEBUG ("%s: %.0f bit/s made for %.0f wanted: %u fps",
            vw_track_kind_to_string (t->kind), made, wanted, lower);
      }
      guint bitrate = MAX ((guint) (wanted * t->gain), 1);
      if (bitrate != t->bitrate) {
        g_object_set (t->encoder, "target-bitrate", (gint) bitrate, NULL);
        t->bitrate = bitrate;
      }
    }
  }
  t->corrected_bytes = bytes;
  t->corrected_us = now;
  return G_SOURCE_CONTINUE;
}

static void
set_correction (VwSendTrack *t, gboolean on)
{
  if (on && !t->correction) {
    t->correction = g_timeout_source_new (CORRECTION_MS);
    g_source_set_callback (t->correction, correct_target, t, NULL);
    g_source_attach (t->correction, t->context);
    t->corrected_us = 0;
  } else if (!on && t->correction) {
    g_source_destroy (t->correction);
    g_clear_pointer (&t->correction, g_source_unref);
    t->gain = 1.0;
  }
}

/* The frame rate goes down by dropping frames before the encoder, keeping
 * a steady cadence, each kept frame lasting its interval (VP8's rate control
 * gives a frame the budget of its duration).  Caps are not touched: new
 * caps would restart the encoder (a keyframe) and renegotiate a live
 * source, and videorate's max-rate would refuse the capsfilter's rate. */
static GstPadProbeReturn
frame_rate_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  VwSendTrack *t = user_data;
  gint fps = g_atomic_int_get (&t->drop_fps);
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = buf ? GST_BUFFER_PTS (buf) : GST_CLOCK_TIME_NONE;
  if (fps <= 0 || !GST_CLOCK_TIME_IS_VALID (pts)) {
    t->next_pts = GST_CLOCK_TIME_NONE;
    return GST_PAD_PROBE_OK;
  }
  GstClockTime interval = GST_SECOND / fps;
  if (GST_CLOCK_TIME_IS_VALID (t->next_pts) && pts + interval / 4 < t->next_pts)
    return GST_PAD_PROBE_DROP;
  /* On cadence, unless the source fell behind it. */
  t->next_pts = GST_CLOCK_TIME_IS_VALID (t->next_pts) && pts < t->next_pts + interval
      ? t->next_pts + interval : pts + interval;
  buf = gst_buffer_make_writable (buf);
  GST_BUFFER_DURATION (buf) = interval;
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

static void
set_frame_rate (VwSendTrack *t, guint fps)
{
  guint profile_fps = vw_video_profile_for_kind (t->kind)->fps;
  g_atomic_int_set (&t->drop_fps, fps < profile_fps ? (gint) fps : 0);
}

void
vw_send_track_set_max_bitrate (VwSendTrack *t, guint max_bitrate)
{
  if (t->kind == VW_TRACK_AUDIO)
    return;
  guint bitrate, fps;
  vw_send_track_rate_for_cap (t->kind, t->base_bitrate, max_bitrate, t->fps,
      &bitrate, &fps);
  gboolean capped = max_bitrate && max_bitrate < t->base_bitrate;
  /* Much more room than when the encoder could not meet its cap: the
   * frame rate may climb again. */
  if (!capped || max_bitrate > 1.5 * t->floor_cap)
    t->fps_ceiling = 0;
  if (t->fps_ceiling)
    fps = MIN (fps, t->fps_ceiling);
  t->max_bitrate = max_bitrate;
  set_correction (t, capped);
  if (capped)
    bitrate = MAX ((guint) (bitrate * t->gain), 1);
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
