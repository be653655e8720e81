/* test-send-rate: how the native client sends under the hub's cap
 * (vw_send_track_rate_for_cap (), client/vw-send-track.c): the encoder's
 * target and the frame rate, stepping down and (past a hysteresis) up,
 * the resolution never touched. */
#include "vw-send-track.h"
#include <gst/gst.h>

typedef struct {
  VwTrackKind kind;
  guint cap;          /* 0: none */
  guint fps_now;
  guint bitrate;      /* expected target */
  guint fps;          /* expected frame rate */
} Case;

static const Case cases[] = {
  /* no cap, or a cap at or above the profile: the profile */
  { VW_TRACK_CAMERA, 0, 30, 1000000, 30 },
  { VW_TRACK_CAMERA, 1000000, 20, 1000000, 30 },
  /* bit rate first: 95 % of the cap (headers), frame rate kept */
  { VW_TRACK_CAMERA, 600000, 30, 570000, 30 },
  { VW_TRACK_CAMERA, 360000, 30, 342000, 30 },
  /* then frame rate, in steps */
  { VW_TRACK_CAMERA, 300000, 30, 285000, 20 },
  { VW_TRACK_CAMERA, 150000, 30, 142500, 15 },
  { VW_TRACK_CAMERA, 100000, 30, 95000, 10 },
  /* up again only 15 % past a step */
  { VW_TRACK_CAMERA, 380000, 20, 361000, 20 },
  { VW_TRACK_CAMERA, 410000, 20, 389500, 30 },
  /* the document: 5 fps at most, down to 2, its resolution untouched */
  { VW_TRACK_DOCUMENT, 1000000, 5, 950000, 5 },
  { VW_TRACK_DOCUMENT, 500000, 5, 475000, 3 },
  { VW_TRACK_DOCUMENT, 300000, 3, 285000, 2 },
  { VW_TRACK_DOCUMENT, 2000000, 2, 2000000, 5 },
  /* the screen: 10 -> 5 -> 3 */
  { VW_TRACK_SCREEN, 500000, 10, 475000, 5 },
  { VW_TRACK_SCREEN, 200000, 5, 190000, 3 },
};

static void
test_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const Case *c = &cases[i];
    guint base = c->kind == VW_TRACK_CAMERA ? 1000000 : c->kind == VW_TRACK_SCREEN
        ? 1500000 : 2000000;
    guint bitrate = 0, fps = 0;
    vw_send_track_rate_for_cap (c->kind, base, c->cap, c->fps_now, &bitrate, &fps);
    g_test_message ("case %u: %s capped at %u at %u fps -> %u bit/s, %u fps", i,
        vw_track_kind_to_string (c->kind), c->cap, c->fps_now, bitrate, fps);
    g_assert_cmpuint (bitrate, ==, c->bitrate);
    g_assert_cmpuint (fps, ==, c->fps);
  }
}

static gint64
frames_of (VwSendTrack *t)
{
  g_autoptr (JsonObject) o = vw_send_track_get_stats (t);
  return json_object_get_int_member (o, "frames");
}

/* A real camera track (the test source) capped live: it keeps encoding, at
 * the lower frame rate, and comes back when the cap is lifted. */
static void
test_live (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwSendTrack) t = vw_send_track_new (VW_TRACK_CAMERA, "test", 96, 0,
      FALSE, &error);
  g_assert_no_error (error);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (sink, "sink");
  vw_send_track_start (t, GST_BIN (pipeline), pad);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  g_usleep (G_USEC_PER_SEC);
  gint64 before = frames_of (t);
  vw_send_track_set_max_bitrate (t, 100000);   /* 10 fps */
  g_usleep (2 * G_USEC_PER_SEC);
  gint64 capped = frames_of (t) - before;
  g_test_message ("2 s at 100 kbit/s: %" G_GINT64_FORMAT " frames", capped);
  g_assert_cmpint (capped, >=, 10);
  g_assert_cmpint (capped, <=, 30);
  vw_send_track_set_max_bitrate (t, 1000000);  /* lifted */
  before = frames_of (t);
  g_usleep (2 * G_USEC_PER_SEC);
  gint64 lifted = frames_of (t) - before;
  g_test_message ("2 s lifted: %" G_GINT64_FORMAT " frames", lifted);
  g_assert_cmpint (lifted, >=, 45);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_clear_pointer (&t, vw_send_track_free);
  gst_object_unref (pipeline);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_test_add_func ("/send-rate/cases", test_cases);
  g_test_add_func ("/send-rate/live", test_live);
  return g_test_run ();
}
