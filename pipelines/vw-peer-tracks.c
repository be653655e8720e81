/* vw-peer-tracks.c: the remote tracks a VwPeer receives, and the pads it
 * sends on (see vw-peer-private.h). */
#include "vw-peer-private.h"

typedef struct {
  GstElement *tee;
  guint mline;
  GstCaps *caps;
  GstPad *pad;               /* webrtcbin's src pad, held blocked */
  gulong block;
} Track;

static void
track_unblock (Track *t)
{
  if (t->block)
    gst_pad_remove_probe (t->pad, t->block);
  t->block = 0;
}

static void
track_free (gpointer data)
{
  Track *t = data;
  track_unblock (t);
  gst_clear_object (&t->pad);
  gst_clear_object (&t->tee);
  gst_clear_caps (&t->caps);
  g_free (t);
}

static void
track_ready (VwPeer *self, gpointer data)
{
  Track *t = data;
  g_ptr_array_add (self->tees, gst_object_ref (t->tee));
  g_signal_emit (self, peer_signals[SIGNAL_TRACK], 0, t->tee, t->mline, t->caps);
  /* The handlers have linked their branches: let the data go. */
  track_unblock (t);
}

static GstPadProbeReturn
hold_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return GST_PAD_PROBE_OK;
}

/* webrtcbin 1.22 asks the peer of a receive pad for caps when it builds an
 * answer, taking the pad's transceiver for the one of its m-line.  On a
 * bundle that association is unreliable (see vw-hub.c: tracks are told
 * apart by payload type), so it may ask the branch of a video stream for
 * audio caps: empty, and it then rejects the m-line and every new one of
 * the renegotiation (seen when a third participant joins: "Caps negotiation
 * on pad src_0 failed", the answer refused for its fingerprints).  Our
 * branches take whatever payload the hub offers them, so say so: the
 * answer to a caps query is its filter. */
static GstPadProbeReturn
answer_caps_query (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  if (GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    return GST_PAD_PROBE_OK;
  GstCaps *filter = NULL;
  gst_query_parse_caps (query, &filter);
  g_autoptr (GstCaps) caps = filter ? gst_caps_ref (filter)
      : gst_caps_new_empty_simple ("application/x-rtp");
  gst_query_set_caps_result (query, caps);
  return GST_PAD_PROBE_HANDLED;
}

/* The same unreliable association, in webrtcbin 1.22's
 * _update_transceiver_from_sdp_media: when a renegotiation makes an m-line
 * inactive, it sends EOS into the receive pad it finds by that m-line's
 * index, which on a bundle may be another, live stream's (a stream whose
 * SSRC was not yet mapped to its mid when its pad was made is filed under
 * the bundle's first m-line).  The pad then refuses every later packet
 * with EOS, and that flow return, back in the connection's one receive
 * path, stops its other streams too.  Seen at the hub when an agent left
 * after a transfer: the EOS meant for the agent's audio line reached the
 * clerk's camera, and nothing of the clerk's reached the new agent.  No
 * stream of ours ends by EOS from webrtcbin (a stopped track just stops
 * sending; a recording is finished by its own EOS), so none passes. */
static GstPadProbeReturn
drop_stray_eos (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  GST_DEBUG ("%s: dropping EOS from webrtcbin on %s", (const char *) user_data,
      GST_PAD_NAME (pad));
  return GST_PAD_PROBE_DROP;
}

/* Streaming thread: link the new pad at once so no buffer is pushed into an
 * unlinked pad (a not-linked flow error would stop the track), and hold the
 * data until the main context has linked the track's branches: the first
 * packets are often the keyframe every receiver needs. */
void
peer_on_pad_added (GstElement *webrtcbin, GstPad *pad, VwPeer *self)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  guint mline = 0;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans)
    g_object_get (trans, "mlineindex", &mline, NULL);

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, answer_caps_query,
      NULL, NULL);
  /* webrtcbin sends that EOS to the ghost pad's internal pad, which would
   * take EOS as its state and refuse every later packet: it is dropped
   * there, before the pad sees it. */
  g_autoptr (GstProxyPad) internal = gst_proxy_pad_get_internal (GST_PROXY_PAD (pad));
  if (internal)
    gst_pad_add_probe (GST_PAD (internal), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        drop_stray_eos, g_strdup (self->name), g_free);
  GstElement *tee = gst_element_factory_make ("tee", NULL);
  g_object_set (tee, "allow-not-linked", TRUE, NULL);
  gst_bin_add (self->bin, tee);
  gst_element_sync_state_with_parent (tee);
  g_autoptr (GstPad) sink = gst_element_get_static_pad (tee, "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    GST_WARNING ("%s: could not link %s", self->name, GST_PAD_NAME (pad));

  Track *t = g_new0 (Track, 1);
  t->tee = gst_object_ref (tee);
  t->mline = mline;
  t->caps = gst_pad_get_current_caps (pad);
  t->pad = gst_object_ref (pad);
  t->block = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM
      | GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
      hold_data, NULL, NULL);
  GST_DEBUG ("%s: remote track on m-line %u: %" GST_PTR_FORMAT, self->name,
      mline, t->caps);
  peer_hop (self, track_ready, t, track_free);
}

GstPad *
vw_peer_request_send_pad (VwPeer *self, GstCaps *caps,
    GstWebRTCRTPTransceiverDirection direction, guint mline)
{
  g_return_val_if_fail (VW_IS_PEER (self), NULL);
  g_autofree char *name = g_strdup_printf ("sink_%u", mline);
  GstPad *pad = gst_element_request_pad_simple (self->webrtcbin, name);
  if (!pad)
    return NULL;
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans) {
    g_object_set (trans, "codec-preferences", caps, "direction", direction, NULL);
    peer_transceiver_set_caps (trans, caps);
  }
  return pad;
}

GstWebRTCRTPTransceiver *
vw_peer_add_recv_transceiver (VwPeer *self, GstCaps *caps)
{
  g_return_val_if_fail (VW_IS_PEER (self), NULL);
  GstWebRTCRTPTransceiver *trans = NULL;
  g_signal_emit_by_name (self->webrtcbin, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  if (trans)
    peer_transceiver_set_caps (trans, caps);
  return trans;
}

