/* test-peer-forward.c: a hub's VwPeer sends forwarded packets as they
 * come, whatever their timestamps say.
 *
 * Two real webrtcbins (VwPeer) in one pipeline, connected over loopback:
 * "hub" offers one VP8 track, "desk" answers and receives it.  The packets
 * the hub sends carry timestamps seconds ahead of the clock, as forwarded
 * packets do when their sender stalled at the start (the hub's jitter
 * buffer maps every packet from the late first ones).  webrtcbin would hold
 * each one until the clock caught up; a forwarding peer must not. */
#include "peer-test-util.h"
#include "vw-media.h"

#include <locale.h>

#define AHEAD (3 * GST_SECOND)

typedef struct {
  VwPeerPair pair;
  gint received;          /* atomic: RTP buffers out of the desk's webrtcbin */
  gint64 connected_us;    /* monotonic time the desk saw "connected" */
} Fixture;

static gboolean
shift_one (GstBuffer **buffer, guint idx, gpointer data)
{
  *buffer = gst_buffer_make_writable (*buffer);
  if (GST_BUFFER_PTS_IS_VALID (*buffer))
    GST_BUFFER_PTS (*buffer) += AHEAD;
  return TRUE;
}

/* The payloader pushes buffer lists as well as buffers. */
static GstPadProbeReturn
shift_ahead (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = gst_buffer_list_make_writable (
        gst_pad_probe_info_get_buffer_list (info));
    gst_buffer_list_foreach (list, shift_one, NULL);
    GST_PAD_PROBE_INFO_DATA (info) = list;
  } else {
    GstBuffer *buffer = gst_pad_probe_info_get_buffer (info);
    shift_one (&buffer, 0, NULL);
    GST_PAD_PROBE_INFO_DATA (info) = buffer;
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc (&((Fixture *) data)->received);
  return GST_PAD_PROBE_OK;
}

static void
on_desk_track (VwPeer *desk, GstElement *tee, guint mline, GstCaps *caps, Fixture *f)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (f->pair.pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, f, NULL);
  g_assert_true (gst_element_link (tee, sink));
}

static void
on_desk_state (VwPeer *desk, GstWebRTCPeerConnectionState state, Fixture *f)
{
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !f->connected_us)
    f->connected_us = g_get_monotonic_time ();
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  gboolean forward_unsynced = GPOINTER_TO_INT (data);
  vw_peer_pair_init (&f->pair);
  if (forward_unsynced)
    vw_peer_forward_unsynced (f->pair.hub);
  g_signal_connect (f->pair.desk, "track", G_CALLBACK (on_desk_track), f);
  g_signal_connect (f->pair.desk, "state-changed", G_CALLBACK (on_desk_state), f);

  g_autoptr (GError) error = NULL;
  GstElement *source = vw_send_bin_new (VW_TRACK_CAMERA, "test", 96, 0, FALSE, &error);
  g_assert_no_error (error);
  gst_bin_add (GST_BIN (f->pair.pipeline), source);
  g_autoptr (GstPad) src = gst_element_get_static_pad (source, "src");
  gst_pad_add_probe (src,
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, shift_ahead, NULL, NULL);
  g_autoptr (GstCaps) caps = vw_rtp_caps_new (VW_TRACK_CAMERA, 96);
  g_autoptr (GstPad) sink = vw_peer_request_send_pad (f->pair.hub, caps,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, 0);
  g_assert_nonnull (sink);
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
  gst_element_set_state (f->pair.pipeline, GST_STATE_PLAYING);
  vw_peer_negotiate (f->pair.hub);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  vw_peer_pair_clear (&f->pair);
}

static gboolean
is_connected (gpointer data)
{
  Fixture *f = data;
  return f->connected_us != 0;
}

static gboolean
one_second_after_connected (gpointer data)
{
  Fixture *f = data;
  return g_get_monotonic_time () - f->connected_us >= G_USEC_PER_SEC;
}

/* Within a second of connecting, the desk has had a second's worth of
 * packets (VP8 at 30 frames/s is well over 30 packets), not the nothing
 * webrtcbin's own pacing would let through before the clock reaches the
 * timestamps, three seconds on. */
static void
test_forwarded_ahead (Fixture *f, gconstpointer data)
{
  g_assert_true (vw_test_iterate_until (is_connected, f, 10000));
  vw_test_iterate_until (one_second_after_connected, f, 5000);
  gint received = g_atomic_int_get (&f->received);
  g_test_message ("packets in the first second: %d", received);
  g_assert_cmpint (received, >=, 30);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/peer/forward/timestamps-ahead", Fixture, GINT_TO_POINTER (TRUE),
      fixture_set_up, test_forwarded_ahead, fixture_tear_down);
  return g_test_run ();
}
