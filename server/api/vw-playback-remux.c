/* vw-playback-remux.c: a track's chunks joined into one WebM (see
 * vw-playback-remux.h). */
#include "vw-playback-remux.h"
#include "vw-playback.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC (vw_remux_debug);
#define GST_CAT_DEFAULT vw_remux_debug

/* How long a chunk may give nothing before it counts as broken; reading a
 * chunk takes milliseconds. */
#define STALL_TIMEOUT (10 * GST_SECOND)
#define POLL_INTERVAL (100 * GST_MSECOND)
/* Bounded so that a reader thread stays cheap: the demuxer waits. */
#define READER_MAX_BUFFERS 64

/* The output: our own source pad -> webmmux -> filesink.  Buffers are
 * pushed from the calling thread, so a write failure comes back as the
 * flow return of that very push. */
typedef struct {
  GstElement *pipeline;     /* owned; NULL until the first buffer */
  GstPad *feed;             /* owned; linked to a webmmux sink pad */
  GstCaps *caps;            /* owned; what the feed last announced */
  GstClockTime shift;       /* added to every time stamp */
  GstClockTime end;         /* end of the last buffer pushed, shifted */
} Writer;

static void
writer_clear (Writer *w)
{
  if (w->pipeline)
    gst_element_set_state (w->pipeline, GST_STATE_NULL);
  if (w->feed)
    gst_pad_set_active (w->feed, FALSE);
  gst_clear_object (&w->feed);
  gst_clear_object (&w->pipeline);
  gst_clear_caps (&w->caps);
}

static gboolean
remux_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
remux_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_REMUX, message);
  return FALSE;
}

/* The text of an error message waiting on @pipeline's bus, or NULL. */
static char *
pending_error (GstElement *pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_autoptr (GError) gst_error = NULL;

  if (!msg)
    return NULL;
  gst_message_parse_error (msg, &gst_error, NULL);
  return g_strdup (gst_error->message);
}

static GstElement *
make_element (const char *factory, GError **error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e)
    remux_error (error, "GStreamer element %s is missing", factory);
  return e;
}

/* Builds the output for a stream of @caps and announces it. */
static gboolean
writer_start (Writer *w, const char *out_path, GstCaps *caps, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("vw-playback-out");
  GstElement *mux = make_element ("webmmux", error);
  GstElement *sink = mux ? make_element ("filesink", error) : NULL;

  if (!sink) {
    gst_clear_object (&mux);
    return FALSE;
  }
  g_object_set (mux, "streamable", FALSE, "offset-to-zero", TRUE, NULL);
  g_object_set (sink, "location", out_path, NULL);
  gst_bin_add_many (GST_BIN (pipeline), mux, sink, NULL);
  gst_element_link (mux, sink);

  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  g_autoptr (GstPad) mux_pad = gst_element_request_pad_simple (mux,
      g_str_has_prefix (name, "audio/") ? "audio_%u" : "video_%u");
  g_autoptr (GstPad) feed = gst_pad_new ("feed", GST_PAD_SRC);
  if (!mux_pad || gst_pad_link (feed, mux_pad) != GST_PAD_LINK_OK)
    return remux_error (error, "webmmux does not take %s", name);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_autofree char *why = pending_error (pipeline);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    return remux_error (error, "cannot write %s: %s", out_path, why ? why : "?");
  }
  gst_pad_set_active (feed, TRUE);

  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  GstEvent *start = gst_event_new_stream_start ("vw-playback");
  gst_event_set_group_id (start, gst_util_group_id_next ());
  gst_pad_push_event (feed, start);
  gst_pad_push_event (feed, gst_event_new_caps (caps));
  gst_pad_push_event (feed, gst_event_new_segment (&segment));
  w->pipeline = g_steal_pointer (&pipeline);
  w->feed = g_steal_pointer (&feed);
  w->caps = gst_caps_ref (caps);
  w->end = GST_CLOCK_TIME_NONE;
  return TRUE;
}

/* A chunk that would begin before the end of the one before is moved to
 * just after it; a recording that simply continues is left as it is. */
static void
writer_place_chunk (Writer *w, GstBuffer *first)
{
  GstClockTime ts = GST_BUFFER_DTS_OR_PTS (first);

  if (!GST_CLOCK_TIME_IS_VALID (ts) || !GST_CLOCK_TIME_IS_VALID (w->end)
      || ts + w->shift >= w->end)
    return;
  GST_INFO ("chunk starts at %" GST_TIME_FORMAT ", before the end %" GST_TIME_FORMAT
      " of the one before: moved", GST_TIME_ARGS (ts + w->shift), GST_TIME_ARGS (w->end));
  w->shift = w->end - ts;
}

static GstFlowReturn
writer_push (Writer *w, GstBuffer *buffer)
{
  GstBuffer *out = gst_buffer_ref (buffer);

  if (w->shift > 0) {
    out = gst_buffer_make_writable (out);
    if (GST_BUFFER_PTS_IS_VALID (out))
      GST_BUFFER_PTS (out) += w->shift;
    if (GST_BUFFER_DTS_IS_VALID (out))
      GST_BUFFER_DTS (out) += w->shift;
  }
  if (GST_BUFFER_PTS_IS_VALID (out)) {
    GstClockTime end = GST_BUFFER_PTS (out)
        + (GST_BUFFER_DURATION_IS_VALID (out) ? GST_BUFFER_DURATION (out) : 0);
    if (!GST_CLOCK_TIME_IS_VALID (w->end) || end > w->end)
      w->end = end;
  }
  return gst_pad_push (w->feed, out);
}

/* Pushes one sample, starting the output or announcing new caps first. */
static gboolean
writer_add (Writer *w, const char *out_path, GstSample *sample, gboolean first_of_chunk,
    GError **error)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);

  if (!caps || !buffer)
    return remux_error (error, "a sample without caps or data");
  if (!w->pipeline && !writer_start (w, out_path, caps, error))
    return FALSE;
  if (!gst_caps_is_equal (caps, w->caps)) {
    gst_caps_replace (&w->caps, caps);
    gst_pad_push_event (w->feed, gst_event_new_caps (caps));
  }
  if (first_of_chunk)
    writer_place_chunk (w, buffer);

  GstFlowReturn flow = writer_push (w, buffer);
  if (flow == GST_FLOW_OK)
    return TRUE;
  g_autofree char *why = pending_error (w->pipeline);
  return remux_error (error, "cannot write %s: %s", out_path,
      why ? why : gst_flow_get_name (flow));
}

/* Ends the file and waits until it is written out. */
static gboolean
writer_finish (Writer *w, const char *out_path, GError **error)
{
  if (!w->pipeline)
    return remux_error (error, "the chunks hold no data");
  gst_pad_push_event (w->feed, gst_event_new_eos ());

  g_autoptr (GstBus) bus = gst_element_get_bus (w->pipeline);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, STALL_TIMEOUT,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS)
    return TRUE;

  g_autoptr (GError) gst_error = NULL;
  if (msg)
    gst_message_parse_error (msg, &gst_error, NULL);
  return remux_error (error, "cannot finish %s: %s", out_path,
      gst_error ? gst_error->message : "no end in time");
}

/* ---- reading one chunk ---- */

static void
on_demux_pad (GstElement *demux, GstPad *pad, gpointer user_data)
{
  GstElement *appsink = user_data;
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (appsink, "sink");

  /* One stream per chunk; a second one (never recorded) is left unlinked. */
  if (!gst_pad_is_linked (sink_pad))
    gst_pad_link (pad, sink_pad);
}

/* filesrc ! matroskademux ! appsink, playing. */
static GstElement *
reader_start (const char *path, GstAppSink **sink_out, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("vw-playback-in");
  GstElement *src = make_element ("filesrc", error);
  GstElement *demux = src ? make_element ("matroskademux", error) : NULL;
  GstElement *sink = demux ? make_element ("appsink", error) : NULL;

  if (!sink) {
    gst_clear_object (&src);
    gst_clear_object (&demux);
    return NULL;
  }
  g_object_set (src, "location", path, NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", READER_MAX_BUFFERS, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, demux, sink, NULL);
  gst_element_link (src, demux);
  g_signal_connect (demux, "pad-added", G_CALLBACK (on_demux_pad), sink);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_autofree char *why = pending_error (pipeline);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    remux_error (error, "cannot read %s: %s", path, why ? why : "?");
    return NULL;
  }
  *sink_out = GST_APP_SINK (sink);
  return g_steal_pointer (&pipeline);
}

/* Waits for the next sample of @sink: NULL at its end (*@error unset) or
 * on a failure of @pipeline or a stall. */
static GstSample *
reader_next (GstElement *pipeline, GstAppSink *sink, const char *path, GError **error)
{
  for (GstClockTime waited = 0; waited < STALL_TIMEOUT; waited += POLL_INTERVAL) {
    GstSample *sample = gst_app_sink_try_pull_sample (sink, POLL_INTERVAL);
    if (sample)
      return sample;
    if (gst_app_sink_is_eos (sink))
      return NULL;
    g_autofree char *why = pending_error (pipeline);
    if (why) {
      remux_error (error, "cannot read %s: %s", path, why);
      return NULL;
    }
  }
  remux_error (error, "cannot read %s: no data for %" G_GUINT64_FORMAT " s", path,
      (guint64) (STALL_TIMEOUT / GST_SECOND));
  return NULL;
}

static gboolean
copy_chunk (Writer *w, const char *path, const char *out_path, GError **error)
{
  GstAppSink *sink = NULL;
  g_autoptr (GstElement) reader = reader_start (path, &sink, error);
  GError *local = NULL;
  guint n = 0;

  if (!reader)
    return FALSE;
  for (GstSample *sample; (sample = reader_next (reader, sink, path, &local)); n++) {
    gboolean ok = writer_add (w, out_path, sample, n == 0, &local);
    gst_sample_unref (sample);
    if (!ok)
      break;
  }
  gst_element_set_state (reader, GST_STATE_NULL);
  GST_DEBUG ("%s: %u buffers", path, n);
  if (local) {
    g_propagate_error (error, local);
    return FALSE;
  }
  return TRUE;
}

gboolean
vw_playback_remux (const char *const *chunk_paths, const char *out_path, GError **error)
{
  g_return_val_if_fail (chunk_paths != NULL && out_path != NULL, FALSE);

  static gsize debug_once = 0;
  /* Remuxes run in worker threads, several at once. */
  if (g_once_init_enter (&debug_once)) {
    GST_DEBUG_CATEGORY_INIT (vw_remux_debug, "vw-remux", 0, "recorded chunks joined for playback");
    g_once_init_leave (&debug_once, 1);
  }
  Writer w = { .end = GST_CLOCK_TIME_NONE };
  gboolean ok = TRUE;

  for (guint i = 0; ok && chunk_paths[i]; i++)
    ok = copy_chunk (&w, chunk_paths[i], out_path, error);
  if (ok)
    ok = writer_finish (&w, out_path, error);
  writer_clear (&w);
  return ok;
}
