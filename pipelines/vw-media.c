/* vw-media.c: send and receive bins for the tracks of a call. */
#include "vw-media.h"
#include "vw-sources.h"
#include "vw-timecode.h"

G_DEFINE_QUARK (vw-media-error-quark, vw_media_error)

/* Camera: what a face needs, at a rate that keeps motion smooth.
 * Screen: text must stay readable, so the source's resolution is kept (up to
 * 1920 px on the long side) and the frame rate gives way instead.
 * Document: a page at full resolution, few frames, each of high quality;
 * a hand moving over the page may blur a frame, and the next frames of the
 * still page refine it back to sharp within a second. */
static const VwVideoProfile profiles[VW_TRACK_N_KINDS] = {
  [VW_TRACK_CAMERA] = { .width = 640, .height = 480, .fps = 30,
    .bitrate = 1000000, .tuning = "" },
  [VW_TRACK_SCREEN] = { .max_long_side = 1920, .fps = 10, .bitrate = 1500000,
    .tuning = "min-quantizer=2 max-quantizer=48 dropframe-threshold=30" },
  [VW_TRACK_DOCUMENT] = { .max_long_side = 1920, .fps = 5, .bitrate = 2000000,
    .tuning = "min-quantizer=2 max-quantizer=40 static-threshold=0" },
};

const VwVideoProfile *
vw_video_profile_for_kind (VwTrackKind kind)
{
  g_return_val_if_fail (kind > VW_TRACK_AUDIO && kind < VW_TRACK_N_KINDS, NULL);
  return &profiles[kind];
}

GstCaps *
vw_rtp_caps_new (VwTrackKind kind, guint pt)
{
  if (kind == VW_TRACK_AUDIO)
    return gst_caps_new_simple ("application/x-rtp",
        "media", G_TYPE_STRING, "audio",
        "encoding-name", G_TYPE_STRING, "OPUS",
        "clock-rate", G_TYPE_INT, 48000,
        "encoding-params", G_TYPE_STRING, "2",
        /* a=fmtp useinbandfec=1: browsers then send Opus in-band FEC. */
        "useinbandfec", G_TYPE_STRING, "1",
        "payload", G_TYPE_INT, (gint) pt, NULL);
  return gst_caps_new_simple ("application/x-rtp",
      "media", G_TYPE_STRING, "video",
      "encoding-name", G_TYPE_STRING, "VP8",
      "clock-rate", G_TYPE_INT, 90000,
      "payload", G_TYPE_INT, (gint) pt, NULL);
}

static char *
raw_video_caps (const VwVideoProfile *p)
{
  if (p->max_long_side)
    /* videoscale keeps the picture's aspect and passes smaller sources
     * through untouched. */
    return g_strdup_printf ("video/x-raw,format=I420,width=[16,%u],height=[16,%u],"
        "framerate=%u/1,pixel-aspect-ratio=1/1", p->max_long_side,
        p->max_long_side, p->fps);
  return g_strdup_printf ("video/x-raw,format=I420,width=%u,height=%u,"
      "framerate=%u/1,pixel-aspect-ratio=1/1", p->width, p->height, p->fps);
}

static char *
encoder_description (VwTrackKind kind, guint pt, guint bitrate)
{
  if (kind == VW_TRACK_AUDIO)
    return g_strdup_printf (
        "audioconvert ! audioresample ! "
        "capsfilter caps=audio/x-raw,rate=48000,channels=1 ! "
        /* In-band FEC: each packet also carries a coarse copy of the one
         * before, so a single lost packet is rebuilt by the decoder. */
        "opusenc name=encoder bitrate=32000 frame-size=20 inband-fec=true "
        "packet-loss-percentage=5 ! "
        "rtpopuspay pt=%u mtu=1200", pt);

  const VwVideoProfile *p = vw_video_profile_for_kind (kind);
  g_autofree char *caps = raw_video_caps (p);
  /* deadline=1: real time.  Keyframes come on request (PLI); the long
   * interval is only a safety net for lost requests. */
  return g_strdup_printf (
      "videoconvert ! videoscale ! videorate drop-only=true ! "
      "capsfilter name=raw caps=\"%s\" ! "
      "vp8enc name=encoder deadline=1 cpu-used=8 end-usage=cbr target-bitrate=%u "
      "lag-in-frames=0 keyframe-max-dist=300 threads=1 error-resilient=default "
      "buffer-initial-size=100 buffer-optimal-size=120 buffer-size=200 %s ! "
      "rtpvp8pay pt=%u mtu=1200 picture-id-mode=15-bit",
      caps, bitrate ? bitrate : p->bitrate, p->tuning, pt);
}

GstElement *
vw_send_bin_new (VwTrackKind kind, const char *spec, guint pt, guint bitrate,
    gboolean timecode, GError **error)
{
  g_return_val_if_fail (kind < VW_TRACK_N_KINDS, NULL);
  g_return_val_if_fail (!vw_source_is_none (spec), NULL);

  g_autoptr (GError) local = NULL;
  g_autofree char *source_desc = vw_source_description (kind, spec, error);
  if (!source_desc)
    return NULL;
  GstElement *source = gst_parse_bin_from_description (source_desc, TRUE, &local);
  if (!source) {
    g_set_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE,
        "%s source '%s' does not build: %s", vw_track_kind_to_string (kind),
        spec, local->message);
    return NULL;
  }
  g_autoptr (GstPad) source_pad = gst_element_get_static_pad (source, "src");
  if (!source_pad) {
    gst_object_unref (gst_object_ref_sink (source));
    g_set_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE,
        "%s source '%s' has no output", vw_track_kind_to_string (kind), spec);
    return NULL;
  }

  gst_object_set_name (GST_OBJECT (source), "source");
  g_autofree char *enc_desc = encoder_description (kind, pt, bitrate);
  GstElement *encoder = gst_parse_bin_from_description (enc_desc, TRUE, &local);
  g_assert_no_error (local);   /* our own description: a bug if it fails */

  GstElement *bin = gst_bin_new (NULL);
  gst_bin_add_many (GST_BIN (bin), source, encoder, NULL);
  if (!gst_element_link (source, encoder)) {
    gst_object_unref (gst_object_ref_sink (bin));
    g_set_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE,
        "%s source '%s' produces no %s", vw_track_kind_to_string (kind), spec,
        kind == VW_TRACK_AUDIO ? "audio" : "video");
    return NULL;
  }
  g_autoptr (GstPad) enc_src = gst_element_get_static_pad (encoder, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", enc_src));

  if (timecode && kind != VW_TRACK_AUDIO) {
    g_autoptr (GstElement) raw = gst_bin_get_by_name (GST_BIN (encoder), "raw");
    g_autoptr (GstPad) raw_src = gst_element_get_static_pad (raw, "src");
    vw_timecode_attach_stamper (raw_src);
  }
  return bin;
}

GstElement *
vw_recv_bin_new (VwTrackKind kind, gboolean display)
{
  g_autofree char *desc = NULL;
  if (kind == VW_TRACK_AUDIO)
    desc = g_strdup_printf (
        "queue max-size-time=200000000 leaky=downstream ! rtpopusdepay ! "
        "opusdec plc=true use-inband-fec=true ! audioconvert ! audioresample ! "
        "capsfilter caps=audio/x-raw,format=S16LE,rate=48000 ! "
        "identity name=decoded ! %s",
        display ? "autoaudiosink" : "fakesink sync=false async=false");
  else
    /* The queue holds RTP packets: a 1920 px keyframe is hundreds of them,
     * so it is bounded by time alone (a count would drop a keyframe's tail
     * and make the decoder ask for another, and another). */
    desc = g_strdup_printf (
        "queue max-size-buffers=0 max-size-bytes=0 max-size-time=1000000000 "
        "leaky=downstream ! "
        "rtpvp8depay request-keyframe=true wait-for-keyframe=true ! "
        "vp8dec ! videoconvert ! capsfilter caps=video/x-raw,format=I420 ! "
        "identity name=decoded ! %s",
        display ? "videoconvert ! autovideosink sync=false"
                : "fakesink sync=false async=false");
  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (desc, TRUE, &error);
  g_assert_no_error (error);
  return bin;
}

static GstPadProbeReturn
drop_everything (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_PAD_PROBE_DROP;
}

typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
} Idle;

static void
idle_clear (Idle *idle)
{
  g_mutex_clear (&idle->lock);
  g_cond_clear (&idle->cond);
}

static void
idle_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) idle_clear);
}

/* Runs once no buffer is on its way through @pad: from then on nothing
 * can be inside the branch on its behalf. */
static GstPadProbeReturn
unlink_when_idle (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Idle *idle = data;
  g_autoptr (GstPad) peer = gst_pad_get_peer (pad);
  if (peer)
    gst_pad_unlink (pad, peer);
  g_mutex_lock (&idle->lock);
  idle->done = TRUE;
  g_cond_signal (&idle->cond);
  g_mutex_unlock (&idle->lock);
  return GST_PAD_PROBE_REMOVE;
}

void
vw_media_detach_branch (GstPad *tee_pad)
{
  gst_pad_add_probe (tee_pad, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM,
      drop_everything, NULL, NULL);
  /* A buffer already past the drop probe may still be inside the branch:
   * shutting the branch down under it would hand FLUSHING back through the
   * tee to the receiver's shared path.  So wait (briefly) for the pad to
   * be idle and unlink it there. */
  Idle *idle = g_rc_box_new0 (Idle);
  g_mutex_init (&idle->lock);
  g_cond_init (&idle->cond);
  gulong id = gst_pad_add_probe (tee_pad, GST_PAD_PROBE_TYPE_IDLE, unlink_when_idle,
      g_rc_box_acquire (idle), idle_release);
  gint64 deadline = g_get_monotonic_time () + G_TIME_SPAN_SECOND;
  g_mutex_lock (&idle->lock);
  while (!idle->done)
    if (!g_cond_wait_until (&idle->cond, &idle->lock, deadline))
      break;
  gboolean done = idle->done;
  g_mutex_unlock (&idle->lock);
  if (!done) {
    GST_WARNING ("%" GST_PTR_FORMAT " did not become idle within a second", tee_pad);
    gst_pad_remove_probe (tee_pad, id);
  }
  idle_release (idle);
}

static void
stop_and_remove (GstElement *element, gpointer bin)
{
  gst_element_set_state (element, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (element) == GST_OBJECT (bin))
    gst_bin_remove (GST_BIN (bin), element);
}

void
vw_media_retire_element (GstBin *bin, GstElement *element)
{
  g_return_if_fail (GST_IS_BIN (bin) && GST_IS_ELEMENT (element));

  g_autoptr (GstPad) src = gst_element_get_static_pad (element, "src");
  if (src) {
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM, drop_everything, NULL, NULL);
    /* Only the pads' object locks: a thread held in a push does not hold
     * them while it waits. */
    g_autoptr (GstPad) peer = gst_pad_get_peer (src);
    if (peer)
      gst_pad_unlink (src, peer);
  }
  gst_element_set_locked_state (element, TRUE);
  gst_element_call_async (element, stop_and_remove, gst_object_ref (bin),
      gst_object_unref);
}

typedef struct {
  GMainContext *context;
  GSourceFunc done;
  gpointer user_data;
} Prewarm;

static gpointer
prewarm_thread (gpointer data)
{
  Prewarm *pw = data;
  /* dtlsdec makes the certificate that every later webrtcbin of this
   * process shares; the others just load their plugins. */
  const char *factories[] = { "dtlsdec", "webrtcbin", "vp8enc", "vp8dec",
    "opusenc", "opusdec", "rtpvp8pay", "rtpvp8depay", "rtpopuspay", "rtpopusdepay" };
  for (guint i = 0; i < G_N_ELEMENTS (factories); i++) {
    GstElement *e = gst_element_factory_make (factories[i], NULL);
    if (e)
      gst_object_unref (gst_object_ref_sink (e));
  }
  if (pw->done)
    g_main_context_invoke (pw->context, pw->done, pw->user_data);
  g_main_context_unref (pw->context);
  g_free (pw);
  return NULL;
}

void
vw_media_prewarm (GSourceFunc done, gpointer user_data)
{
  Prewarm *pw = g_new0 (Prewarm, 1);
  pw->context = g_main_context_ref_thread_default ();
  pw->done = done;
  pw->user_data = user_data;
  g_thread_unref (g_thread_new ("vw-prewarm", prewarm_thread, pw));
}
