/* test-peer-loss.c: NACK and RTX between two VwPeers (pipelines/vw-peer-loss.c).
 *
 * Two real webrtcbins over loopback: "hub" offers a VP8 camera and Opus
 * audio, "desk" answers and receives them.  The offer carries what a
 * browser needs to retransmit video (nack, nack pli, ccm fir, an rtx
 * payload type with apt=), audio has none of it, and the answer accepts
 * it.  Then every 25th video packet is dropped where it enters the desk's
 * jitter buffer, the first time only: the desk asks for each, the hub
 * retransmits it from its history, and every one is recovered. */
#include "peer-test-util.h"
#include "vw-media.h"

#include <locale.h>
#include <string.h>
#include <gst/rtp/rtp.h>

#define VIDEO_PT 127
#define AUDIO_PT 126
#define DROP_EVERY 25
#define DROPS 20

typedef struct {
  VwPeerPair pair;
  char *offer, *answer;
  GMutex lock;
  GHashTable *dropped;      /* seqnums dropped once; guarded by lock */
  guint seen;               /* video packets seen; guarded by lock */
  gboolean connected;
} Fixture;

static GstPadProbeReturn
drop_some (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Fixture *f = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  guint pt = gst_rtp_buffer_get_payload_type (&rtp);
  guint seq = gst_rtp_buffer_get_seq (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  if (pt != VIDEO_PT)
    return GST_PAD_PROBE_OK;
  gboolean drop = FALSE;
  g_mutex_lock (&f->lock);
  /* A retransmission comes back with its original seqnum: let it in. */
  if (!g_hash_table_contains (f->dropped, GUINT_TO_POINTER (seq))
      && ++f->seen % DROP_EVERY == 0 && g_hash_table_size (f->dropped) < DROPS) {
    g_hash_table_add (f->dropped, GUINT_TO_POINTER (seq));
    drop = TRUE;
  }
  g_mutex_unlock (&f->lock);
  return drop ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static void
on_desk_element (GstBin *bin, GstBin *sub_bin, GstElement *element, Fixture *f)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  if (!factory || !g_str_equal (GST_OBJECT_NAME (factory), "rtpjitterbuffer"))
    return;
  g_autoptr (GstPad) sink = gst_element_get_static_pad (element, "sink");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, drop_some, f, NULL);
}

static void
on_desk_track (VwPeer *desk, GstElement *tee, guint mline, GstCaps *caps, Fixture *f)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (f->pair.pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  g_assert_true (gst_element_link (tee, sink));
}

static void
on_description (VwPeer *peer, const char *type, const char *sdp, Fixture *f)
{
  char **slot = g_str_equal (type, "offer") ? &f->offer : &f->answer;
  g_free (*slot);
  *slot = g_strdup (sdp);
}

static void
on_desk_state (VwPeer *desk, GstWebRTCPeerConnectionState state, Fixture *f)
{
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    f->connected = TRUE;
}

static void
add_source (Fixture *f, VwTrackKind kind, guint pt, guint mline)
{
  g_autoptr (GError) error = NULL;
  GstElement *source = vw_send_bin_new (kind, "test", pt, 0, FALSE, &error);
  g_assert_no_error (error);
  gst_bin_add (GST_BIN (f->pair.pipeline), source);
  g_autoptr (GstPad) src = gst_element_get_static_pad (source, "src");
  g_autoptr (GstCaps) caps = vw_rtp_caps_new (kind, pt);
  g_autoptr (GstPad) sink = vw_peer_request_send_pad (f->pair.hub, caps,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, mline);
  g_assert_nonnull (sink);
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_mutex_init (&f->lock);
  f->dropped = g_hash_table_new (NULL, NULL);
  vw_peer_pair_init (&f->pair);
  vw_peer_forward_unsynced (f->pair.hub);
  /* Long: this is about asking and answering, not timing, on a loaded
   * machine. */
  g_object_set (vw_peer_get_webrtcbin (f->pair.desk), "latency", 1000, NULL);
  g_signal_connect (f->pair.hub, "local-description", G_CALLBACK (on_description), f);
  g_signal_connect (f->pair.desk, "local-description", G_CALLBACK (on_description), f);
  g_signal_connect (f->pair.desk, "track", G_CALLBACK (on_desk_track), f);
  g_signal_connect (f->pair.desk, "state-changed", G_CALLBACK (on_desk_state), f);
  g_signal_connect (vw_peer_get_webrtcbin (f->pair.desk), "deep-element-added",
      G_CALLBACK (on_desk_element), f);
  add_source (f, VW_TRACK_CAMERA, VIDEO_PT, 0);
  add_source (f, VW_TRACK_AUDIO, AUDIO_PT, 1);
  gst_element_set_state (f->pair.pipeline, GST_STATE_PLAYING);
  vw_peer_negotiate (f->pair.hub);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  vw_peer_pair_clear (&f->pair);
  g_hash_table_unref (f->dropped);
  g_mutex_clear (&f->lock);
  g_free (f->offer);
  g_free (f->answer);
}

static gboolean
is_connected (gpointer data)
{
  return ((Fixture *) data)->connected;
}

/* The m-line section of @sdp for media @kind ("video", "audio"). */
static char *
section (const char *sdp, const char *kind)
{
  g_autofree char *start = g_strdup_printf ("m=%s ", kind);
  const char *s = strstr (sdp, start);
  g_assert_nonnull (s);
  const char *end = strstr (s + 1, "\nm=");
  return end ? g_strndup (s, end - s) : g_strdup (s);
}

static void
assert_has (const char *text, const char *line)
{
  if (!strstr (text, line))
    g_error ("no \"%s\" in:\n%s", line, text);
}

/* The offer asks for what a browser needs; the answer accepts video's. */
static void
test_negotiated (Fixture *f, gconstpointer data)
{
  g_assert_true (vw_test_iterate_until (is_connected, f, 10000));
  g_autofree char *video = section (f->offer, "video");
  g_autofree char *audio = section (f->offer, "audio");
  g_autofree char *nack = g_strdup_printf ("a=rtcp-fb:%u nack\r\n", VIDEO_PT);
  g_autofree char *pli = g_strdup_printf ("a=rtcp-fb:%u nack pli", VIDEO_PT);
  g_autofree char *fir = g_strdup_printf ("a=rtcp-fb:%u ccm fir", VIDEO_PT);
  g_autofree char *apt = g_strdup_printf (" apt=%u", VIDEO_PT);
  assert_has (video, nack);
  assert_has (video, pli);
  assert_has (video, fir);
  assert_has (video, " rtx/90000");
  assert_has (video, apt);
  g_assert_null (strstr (audio, "rtx/"));
  g_assert_null (strstr (audio, "nack"));
  assert_has (audio, "useinbandfec=1");
  g_autofree char *answer_video = section (f->answer, "video");
  assert_has (answer_video, apt);
  assert_has (answer_video, " rtx/90000");
  assert_has (answer_video, nack);
}

static gboolean
all_dropped_and_recovered (gpointer data)
{
  Fixture *f = data;
  g_mutex_lock (&f->lock);
  guint dropped = g_hash_table_size (f->dropped);
  g_mutex_unlock (&f->lock);
  VwPeerLossStats st;
  vw_peer_get_loss_stats (f->pair.desk, &st);
  return dropped == DROPS && st.recovered + st.lost >= DROPS;
}

/* Every packet dropped on the way in is asked for and comes back in time. */
static void
test_recovered (Fixture *f, gconstpointer data)
{
  g_assert_true (vw_test_iterate_until (is_connected, f, 10000));
  g_assert_true (vw_test_iterate_until (all_dropped_and_recovered, f, 20000));
  VwPeerLossStats desk, hub;
  vw_peer_get_loss_stats (f->pair.desk, &desk);
  vw_peer_get_loss_stats (f->pair.hub, &hub);
  g_test_message ("desk: asked %" G_GUINT64_FORMAT ", got %" G_GUINT64_FORMAT
      ", recovered %" G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT "; hub: asked %"
      G_GUINT64_FORMAT ", retransmitted %" G_GUINT64_FORMAT, desk.nacks_sent,
      desk.rtx_received, desk.recovered, desk.lost, hub.nacks_received, hub.rtx_sent);
  g_assert_cmpuint (desk.nacks_sent, >=, DROPS);
  g_assert_cmpuint (hub.nacks_received, >=, DROPS);
  g_assert_cmpuint (hub.rtx_sent, >=, DROPS);
  g_assert_cmpuint (desk.rtx_received, >=, DROPS);
  g_assert_cmpuint (desk.recovered, ==, DROPS);
  g_assert_cmpuint (desk.lost, ==, 0);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/peer/loss/negotiated", Fixture, NULL, fixture_set_up,
      test_negotiated, fixture_tear_down);
  g_test_add ("/peer/loss/recovered", Fixture, NULL, fixture_set_up,
      test_recovered, fixture_tear_down);
  return g_test_run ();
}
