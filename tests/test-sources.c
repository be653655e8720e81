/* test-sources: every source spec a user can give builds into a send bin
 * that really produces RTP; malformed specs get a clear error. */
#include <gst/gst.h>
#include "vw-media.h"
#include "vw-sources.h"
#include <glib/gstdio.h>

/* Builds a send bin for @kind from @spec and pulls a few RTP packets. */
static void
assert_produces_rtp (VwTrackKind kind, const char *spec)
{
  g_autoptr (GError) error = NULL;
  GstElement *bin = vw_send_bin_new (kind, spec, 96, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bin);
  g_autoptr (GstElement) pipeline = gst_pipeline_new (NULL);
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), bin, sink, NULL);
  g_assert_true (gst_element_link (bin, sink));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstSample *sample = NULL;
  g_signal_emit_by_name (sink, "try-pull-sample", 10 * GST_SECOND, &sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_nonnull (sample);
  GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  g_assert_cmpstr (gst_structure_get_name (s), ==, "application/x-rtp");
  gint pt = 0;
  g_assert_true (gst_structure_get_int (s, "payload", &pt));
  g_assert_cmpint (pt, ==, 96);
  gst_sample_unref (sample);
}

static void
test_test_sources (void)
{
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++)
    assert_produces_rtp (k, "test");
}

static void
test_image_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-sources-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "营业执照 scan.png", NULL);
  g_autofree char *desc = g_strdup_printf ("videotestsrc num-buffers=1 ! "
      "video/x-raw,width=800,height=1131 ! pngenc ! filesink location=\"%s\"", path);
  g_autoptr (GstElement) writer = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  gst_element_set_state (writer, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (writer);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (writer, GST_STATE_NULL);
  /* A page under the document camera, and a still as a camera. */
  assert_produces_rtp (VW_TRACK_DOCUMENT, path);
  assert_produces_rtp (VW_TRACK_CAMERA, path);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_descriptions (void)
{
  static const struct {
    VwTrackKind kind;
    const char *spec;
    const char *expected;   /* substring, or NULL for an error */
  } cases[] = {
    { VW_TRACK_SCREEN, "x11", "ximagesrc" },
    { VW_TRACK_SCREEN, "x11?display=:99", "display-name=\":99\"" },
    { VW_TRACK_SCREEN, "x11?window=0x2a00007", "xid=44040199" },
    { VW_TRACK_SCREEN, "x11?region=10,20,800,600", "startx=10 starty=20 endx=809 endy=619" },
    { VW_TRACK_SCREEN, "x11?display=:1&region=0,0,1,1", "endx=0 endy=0" },
    { VW_TRACK_SCREEN, "x11?region=10,20,0,600", NULL },
    { VW_TRACK_SCREEN, "x11?region=1,2,3", NULL },
    { VW_TRACK_SCREEN, "x11?window=banana", NULL },
    { VW_TRACK_SCREEN, "x11?colour=blue", NULL },
    { VW_TRACK_DOCUMENT, "/dev/video7", "v4l2src device=\"/dev/video7\"" },
    { VW_TRACK_CAMERA, "v4l2src ! videoflip", "v4l2src ! videoflip" },
    { VW_TRACK_SCREEN, "auto", "ximagesrc" },
    { VW_TRACK_AUDIO, "auto", "autoaudiosrc" },
    { VW_TRACK_AUDIO, "/dev/video0", "/dev/video0" },   /* not a camera for audio */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *desc = vw_source_description (cases[i].kind, cases[i].spec, &error);
    if (cases[i].expected) {
      g_assert_no_error (error);
      g_assert_nonnull (strstr (desc, cases[i].expected));
    } else {
      g_assert_null (desc);
      g_assert_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE);
      g_assert_nonnull (strstr (error->message, cases[i].spec));
    }
  }
  g_assert_true (vw_source_is_none (NULL));
  g_assert_true (vw_source_is_none ("none"));
  g_assert_false (vw_source_is_none ("test"));
}

static void
test_bad_source (void)
{
  g_autoptr (GError) error = NULL;
  GstElement *bin = vw_send_bin_new (VW_TRACK_CAMERA, "nosuchsrc ! videoconvert",
      96, 0, FALSE, &error);
  g_assert_null (bin);
  g_assert_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE);
  g_clear_error (&error);
  /* A source of the wrong kind of media does not link. */
  bin = vw_send_bin_new (VW_TRACK_CAMERA, "audiotestsrc", 96, 0, FALSE, &error);
  g_assert_null (bin);
  g_assert_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sources/test-of-every-kind", test_test_sources);
  g_test_add_func ("/sources/image-file", test_image_file);
  g_test_add_func ("/sources/descriptions", test_descriptions);
  g_test_add_func ("/sources/bad", test_bad_source);
  return g_test_run ();
}
