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
#include "vw-media.h"
#include "vw-peer.h"

#include <locale.h>
#include <string.h>

#define AUDIO_PT 96
#define CAMERA_PT 97

typedef struct {
  GstElement *pipeline;
  VwPeer *hub;
  VwPeer *desk;
  GstPad *hub_audio;        /* the hub's send pad on m-line 0 */
  gint received;            /* atomic: camera buffers out of the hub */
  gint eos;                 /* atomic: EOS events out of the hub's camera pad */
  gint sent;                /* atomic: camera buffers (lists) the desk sends */
  guint hub_mline;          /* the m-line the hub's camera pad names */
  guint answers;            /* answers the hub has taken */
} Fixture;

/* An answer without a=ssrc / a=ssrc-group / a=msid lines. */
static char *
strip_ssrcs (const char *sdp)
{
  g_auto (GStrv) lines = g_strsplit (sdp, "\r\n", -1);
  GString *out = g_string_new (NULL);
  for (guint i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "a=ssrc") || g_str_has_prefix (lines[i], "a=msid"))
      continue;
    if (*lines[i])
      g_string_append_printf (out, "%s\r\n", lines[i]);
  }
  return g_string_free (out, FALSE);
}

static void
on_hub_description (VwPeer *hub, const char *type, const char *sdp, Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_assert_cmpstr (type, ==, "offer");
  g_assert_true (vw_peer_set_remote_offer (f->desk, sdp, &error));
  g_assert_no_error (error);
}

static void
on_desk_description (VwPeer *desk, const char *type, const char *sdp, Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *stripped = strip_ssrcs (sdp);
  g_assert_cmpstr (type, ==, "answer");
  g_assert_true (vw_peer_set_remote_answer (f->hub, stripped, &error));
  g_assert_no_error (error);
  f->answers++;
}

static void
on_hub_candidate (VwPeer *hub, guint mline, const char *candidate, Fixture *f)
{
  if (*candidate)
    vw_peer_add_ice_candidate (f->desk, mline, candidate);
}

static void
on_desk_candidate (VwPeer *desk, guint mline, const char *candidate, Fixture *f)
{
  if (*candidate)
    vw_peer_add_ice_candidate (f->hub, mline, candidate);
}

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
  gst_bin_add_many (GST_BIN (f->pipeline), queue, sink, NULL);
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
  gst_bin_add (GST_BIN (f->pipeline), source);
  g_autoptr (GstPad) src = gst_element_get_static_pad (source, "src");
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
  if (kind == VW_TRACK_CAMERA)
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
        count_sent, f, NULL);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->pipeline = gst_pipeline_new (NULL);
  f->hub = vw_peer_new (GST_BIN (f->pipeline), "hub", 20);
  f->desk = vw_peer_new (GST_BIN (f->pipeline), "desk", 20);
  vw_peer_restrict_ice (f->hub, "127.0.0.1");
  vw_peer_restrict_ice (f->desk, "127.0.0.1");
  g_signal_connect (f->hub, "local-description", G_CALLBACK (on_hub_description), f);
  g_signal_connect (f->desk, "local-description", G_CALLBACK (on_desk_description), f);
  g_signal_connect (f->hub, "ice-candidate", G_CALLBACK (on_hub_candidate), f);
  g_signal_connect (f->desk, "ice-candidate", G_CALLBACK (on_desk_candidate), f);
  g_signal_connect (f->hub, "track", G_CALLBACK (on_hub_track), f);

  /* m-line 0: the hub sends audio; m-line 1: it receives the camera. */
  g_autoptr (GstCaps) audio = vw_rtp_caps_new (VW_TRACK_AUDIO, AUDIO_PT);
  f->hub_audio = vw_peer_request_send_pad (f->hub, audio,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, 0);
  g_assert_nonnull (f->hub_audio);
  add_source (f, VW_TRACK_AUDIO, AUDIO_PT, f->hub_audio);
  g_autoptr (GstCaps) camera = vw_rtp_caps_new (VW_TRACK_CAMERA, CAMERA_PT);
  g_autoptr (GstWebRTCRTPTransceiver) recv = vw_peer_add_recv_transceiver (f->hub, camera);
  g_assert_nonnull (recv);

  /* The desk sends its camera on the hub's m-line 1, as vw-client does. */
  g_autoptr (GstPad) desk_camera = vw_peer_request_send_pad (f->desk, camera,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, 1);
  g_assert_nonnull (desk_camera);
  add_source (f, VW_TRACK_CAMERA, CAMERA_PT, desk_camera);

  gst_element_set_state (f->pipeline, GST_STATE_PLAYING);
  vw_peer_negotiate (f->hub);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gst_element_set_state (f->pipeline, GST_STATE_NULL);
  vw_peer_close (f->hub);
  vw_peer_close (f->desk);
  g_clear_object (&f->hub);
  g_clear_object (&f->desk);
  gst_clear_object (&f->hub_audio);
  gst_clear_object (&f->pipeline);
}

/* Iterates the default main context until @done or @timeout_ms. */
static gboolean
run_until (gboolean (*done) (Fixture *f), Fixture *f, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  while (!done (f) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return done (f);
}

static gboolean
camera_flows (Fixture *f)
{
  return g_atomic_int_get (&f->received) >= 30;
}

static gboolean
renegotiated (Fixture *f)
{
  return f->answers >= 2 && !vw_peer_is_negotiating (f->hub);
}

static gboolean
never (Fixture *f)
{
  return FALSE;
}

static void
test_other_line_inactive (Fixture *f, gconstpointer data)
{
  g_assert_true (run_until (camera_flows, f, 10000));
  /* What makes the case: the camera's pad is filed under the m-line that
   * goes inactive (were webrtcbin to map it right, this test would need
   * another way to get there). */
  g_assert_cmpuint (f->hub_mline, ==, 0);

  /* The other participant leaves: the hub's m-line 0 goes inactive. */
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  g_object_get (f->hub_audio, "transceiver", &trans, NULL);
  g_object_set (trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, NULL);
  vw_peer_negotiate (f->hub);
  g_assert_true (run_until (renegotiated, f, 10000));

  gint before = g_atomic_int_get (&f->received);
  gint sent_before = g_atomic_int_get (&f->sent);
  run_until (never, f, 1500);
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
