/* test-timecode: the capture-time stamp survives drawing, and a real VP8
 * encode and decode. */
#include <gst/gst.h>
#include "vw-timecode.h"

static void
test_round_trip (void)
{
  const gint w = 640, h = 480;
  g_autofree guint8 *y = g_malloc0 (w * h);
  guint32 values[] = { 0, 1, 0xdeadbeef, 0xffffffff, 1795316966 };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++) {
    guint32 out = 0;
    vw_timecode_write (y, w, w, h, values[i]);
    g_assert_true (vw_timecode_read (y, w, w, h, &out));
    g_assert_cmpuint (out, ==, values[i]);
  }
}

static void
test_rejects_noise (void)
{
  const gint w = 640, h = 480;
  g_autofree guint8 *y = g_malloc (w * h);
  guint32 out;
  /* A flat grey frame, and a stamp with one block flipped, carry no stamp. */
  memset (y, 128, w * h);
  g_assert_false (vw_timecode_read (y, w, w, h, &out));
  vw_timecode_write (y, w, w, h, 123456);
  for (gint row = 0; row < 16; row++)
    for (gint x = 20 * (w / 40); x < 21 * (w / 40); x++)
      y[row * w + x] = 255 - y[row * w + x];
  g_assert_false (vw_timecode_read (y, w, w, h, &out));
  /* Too small a frame has no room for it. */
  g_assert_false (vw_timecode_read (y, 40, 40, 8, &out));
}

typedef struct {
  guint read;
  gint64 worst_ms;
} Reads;

static void
on_read (guint32 stamped, guint32 now, gpointer data)
{
  Reads *r = data;
  r->read++;
  r->worst_ms = MAX (r->worst_ms, (gint64) (guint32) (now - stamped));
}

static void
test_through_vp8 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (
      "videotestsrc num-buffers=30 pattern=ball ! "
      "video/x-raw,format=I420,width=640,height=480,framerate=30/1 ! "
      "identity name=stamp ! vp8enc deadline=1 target-bitrate=600000 ! "
      "vp8dec ! identity name=read ! fakesink", &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) stamp = gst_bin_get_by_name (GST_BIN (pipeline), "stamp");
  g_autoptr (GstElement) read = gst_bin_get_by_name (GST_BIN (pipeline), "read");
  g_autoptr (GstPad) stamp_pad = gst_element_get_static_pad (stamp, "src");
  g_autoptr (GstPad) read_pad = gst_element_get_static_pad (read, "src");
  Reads r = { 0 };
  vw_timecode_attach_stamper (stamp_pad);
  vw_timecode_attach_reader (read_pad, on_read, &r, NULL);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  /* Every decoded frame carried a readable stamp, written moments ago. */
  g_assert_cmpuint (r.read, ==, 30);
  g_assert_cmpint (r.worst_ms, <, 5000);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timecode/round-trip", test_round_trip);
  g_test_add_func ("/timecode/rejects-noise", test_rejects_noise);
  g_test_add_func ("/timecode/through-vp8", test_through_vp8);
  return g_test_run ();
}
