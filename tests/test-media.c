/* test-media: taking a branch's element out of a running pipeline
 * (vw_media_retire_element) while its streaming thread is held downstream,
 * as webrtcbin holds a packet until its m-line is negotiated or DTLS is
 * connected: the main loop never waits for it, the element goes once
 * downstream lets the thread go, and what the thread still had is dropped. */
#include <gst/gst.h>
#include "vw-media.h"

typedef struct {
  gint held;          /* atomic: the thread is waiting in the probe */
  gint released;      /* atomic: downstream lets it go */
  gint after;         /* atomic: buffers that reached the sink after release */
} Hold;

/* Holds the first buffer until released, like a blocking probe. */
static GstPadProbeReturn
hold_first (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Hold *h = data;
  g_atomic_int_set (&h->held, 1);
  while (!g_atomic_int_get (&h->released))
    g_usleep (1000);
  return GST_PAD_PROBE_REMOVE;
}

static GstPadProbeReturn
count_after (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Hold *h = data;
  if (g_atomic_int_get (&h->released))
    g_atomic_int_inc (&h->after);
  return GST_PAD_PROBE_OK;
}

static void
test_retire_held_element (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch ("audiotestsrc is-live=true "
      "samplesperbuffer=480 ! queue name=q ! fakesink name=sink", &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) queue = gst_bin_get_by_name (GST_BIN (pipeline), "q");
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (sink, "sink");
  Hold h = { 0 };
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, hold_first, &h, NULL);
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_after, &h, NULL);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&h.held) && g_get_monotonic_time () < until)
    g_usleep (1000);
  g_assert_true (g_atomic_int_get (&h.held));

  /* The queue's thread is held downstream: retiring returns at once
   * (setting it to NULL here would wait for that thread for ever). */
  gint64 start = g_get_monotonic_time ();
  vw_media_retire_element (GST_BIN (pipeline), queue);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 200 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (GST_OBJECT_PARENT (queue) == GST_OBJECT (pipeline));

  /* Let it go: the queue stops and leaves the bin, and nothing it still
   * had goes on downstream (but the buffer that was held there). */
  g_atomic_int_set (&h.released, 1);
  until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (GST_OBJECT_PARENT (queue) && g_get_monotonic_time () < until)
    g_usleep (1000);
  g_assert_null (GST_OBJECT_PARENT (queue));
  GstState state;
  gst_element_get_state (queue, &state, NULL, 0);
  g_assert_cmpint (state, ==, GST_STATE_NULL);
  g_assert_cmpint (g_atomic_int_get (&h.after), <=, 1);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/media/retire-held-element", test_retire_held_element);
  return g_test_run ();
}
