/* test-peer-inactive.c: a stream a VwPeer receives keeps flowing when a
 * renegotiation makes another m-line of the bundle inactive.
 *
 * Two real webrtcbins (VwPeer) in one pipeline, connected over loopback, in
 * the shape of a hub and a desk after a transfer: the hub's first m-line
 * sends the desk another participant's audio, its second receives the
 * desk's camera.  The desk's answers name no SSRCs, so the hub cannot map
 * the camera's SSRC to its mid and webrtcbin 1.22 files the camera's pad
 * under the bundle's first m-line, as it does when packets come before the
 * mapping.  Then the other participant leaves: the hub makes its first
 * m-line inactive and renegotiates, and webrtcbin sends EOS out of the pad
 * it finds by that m-line's index, the camera's.  The camera must go on. */
#include "peer-test-util.h"
#include "vw-media.h"

#include <locale.h>

#define AUDIO_PT 96
#define CAMERA_PT 97

typedef struct {
  VwPeerPair pair;          /* the desk's answers name no SSRCs */
  GstPad *hub_audio;        /* the hub's send pad on m-line 0 */
  gint received;            /* atomic: camera buffers out of the hub */
  gint eos;                 /* atomic: EOS events out of the hub's camera pad */
  gint sent;                /* atomic: camera buffers (lists) the desk sends */
  guint hub_mline;          /* the m-line the hub's camera pad names */
} Fixture;

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc (&((Fixture *) data)->received);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_eos (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    g_atomic_int_inc (&((Fixture *) data)->eos);
  return GST_PAD_PROBE_OK;
}

/* Buffers or buffer lists: a frame each. */
static GstPadProbeReturn
count_sent (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc (&((Fixture *) data)->sent);
  return GST_PAD_PROBE_OK;
}

/* The hub's receive branch, as vw-hub.c builds it: the track's tee, a
 * leaky queue, and here a sink that counts. */
static void
on_hub_track (VwPeer *hub, GstElement *tee, guint mline, GstCaps *caps, Fixture *f)
{
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (queue, "leaky", 2, NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add_many (GST_BIN (f->pair.pipeline), queue, sink, NULL);
  gst_element_sync_state_with_parent (queue);
  gst_element_sync_state_with_parent (sink);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, f, NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, count_eos, f, NULL);
  g_assert_true (gst_element_link_many (tee, queue, sink, NULL));
  f->hub_mline = mline;
}

/* A test source of @kind, linked to @sink. */
static void
add_source (Fixture *f, VwTrackKind kind, guint pt, GstPad *sink)
{
  g_autoptr (GError) error = NULL;
  GstElement *source = vw_send_bin_new (kind, "test", pt, 0, FALSE, &error);
  g_assert_no_error (error);
  gst_bin_add (GST_BIN (f->pair.pipeline), source);
  g_autoptr (GstPad) src = gst_element_get_static_pad (source, "src");
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
  if (kind == VW_TRACK_CAMERA)
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
        count_sent, f, NULL);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  vw_peer_pair_init (&f->pair);
  f->pair.strip_answer_ssrcs = TRUE;
  g_signal_connect (f->pair.hub, "track", G_CALLBACK (on_hub_track), f);

  /* m-line 0: the hub sends audio; m-line 1: it receives the camera. */
  g_autoptr (GstCaps) audio = vw_rtp_caps_new (VW_TRACK_AUDIO, AUDIO_PT);
  f->hub_audio = vw_peer_request_send_pad (f->pair.hub, audio,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, 0);
  g_assert_nonnull (f->hub_audio);
  add_source (f, VW_TRACK_AUDIO, AUDIO_PT, f->hub_audio);
  g_autoptr (GstCaps) camera = vw_rtp_caps_new (VW_TRACK_CAMERA, CAMERA_PT);
  g_autoptr (GstWebRTCRTPTransceiver) recv = vw_peer_add_recv_transceiver (f->pair.hub, camera);
  g_assert_nonnull (recv);

  /* The desk sends its camera on the hub's m-line 1, as vw-client does. */
  g_autoptr (GstPad) desk_camera = vw_peer_request_send_pad (f->pair.desk, camera,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, 1);
  g_assert_nonnull (desk_camera);
  add_source (f, VW_TRACK_CAMERA, CAMERA_PT, desk_camera);

  gst_element_set_state (f->pair.pipeline, GST_STATE_PLAYING);
  vw_peer_negotiate (f->pair.hub);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  vw_peer_pair_clear (&f->pair);
  gst_clear_object (&f->hub_audio);
}

static gboolean
camera_flows (gpointer data)
{
  Fixture *f = data;
  return g_atomic_int_get (&f->received) >= 30;
}

static gboolean
renegotiated (gpointer data)
{
  Fixture *f = data;
  return f->pair.answers >= 2 && !vw_peer_is_negotiating (f->pair.hub);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
test_other_line_inactive (Fixture *f, gconstpointer data)
{
  g_assert_true (vw_test_iterate_until (camera_flows, f, 10000));
  /* What makes the case: the camera's pad is filed under the m-line that
   * goes inactive (were webrtcbin to map it right, this test would need
   * another way to get there). */
  g_assert_cmpuint (f->hub_mline, ==, 0);

  /* The other participant leaves: the hub's m-line 0 goes inactive. */
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  g_object_get (f->hub_audio, "transceiver", &trans, NULL);
  g_object_set (trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, NULL);
  vw_peer_negotiate (f->pair.hub);
  g_assert_true (vw_test_iterate_until (renegotiated, f, 10000));

  gint before = g_atomic_int_get (&f->received);
  gint sent_before = g_atomic_int_get (&f->sent);
  vw_test_iterate_until (never, f, 1500);
  gint received = g_atomic_int_get (&f->received) - before;
  gint sent = g_atomic_int_get (&f->sent) - sent_before;
  g_test_message ("in the 1.5 s after the renegotiation the desk pushed %d buffers, "
      "the hub passed on %d packets", sent, received);
  g_assert_cmpint (sent, >=, 30);
  g_assert_cmpint (g_atomic_int_get (&f->eos), ==, 0);
  /* 30 frames a second, at one packet or more each. */
  g_assert_cmpint (received, >=, 30);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/peer/inactive/other-line", Fixture, NULL,
      fixture_set_up, test_other_line_inactive, fixture_tear_down);
  return g_test_run ();
}
