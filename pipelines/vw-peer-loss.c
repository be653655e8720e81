/* vw-peer-loss.c: loss recovery on a VwPeer's video streams (see
 * vw-peer-private.h): NACK and RTX (RFC 4588) on every video transceiver. */
#include "vw-peer-private.h"

#include <string.h>
#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>

static gboolean
caps_are_video (const GstCaps *caps)
{
  if (!caps || gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return FALSE;
  return g_strcmp0 (gst_structure_get_string (gst_caps_get_structure (caps, 0),
          "media"), "video") == 0;
}

void
peer_transceiver_set_caps (GstWebRTCRTPTransceiver *trans, const GstCaps *caps)
{
  if (caps_are_video (caps))
    g_object_set (trans, "do-nack", TRUE, NULL);
}

/* Transceivers webrtcbin makes by itself, for the m-lines of a remote
 * offer (the answerer's receiving lines). */
static void
on_new_transceiver (GstElement *webrtcbin, GstWebRTCRTPTransceiver *trans,
    gpointer data)
{
  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;
  g_object_get (trans, "kind", &kind, NULL);
  GST_DEBUG ("new transceiver %" GST_PTR_FORMAT " of kind %d", trans, kind);
  if (kind == GST_WEBRTC_KIND_VIDEO)
    g_object_set (trans, "do-nack", TRUE, NULL);
}

G_DEFINE_QUARK (vw-peer-plain-latency, plain_latency)

void
vw_peer_set_plain_latency (VwPeer *self, guint latency_ms)
{
  g_return_if_fail (VW_IS_PEER (self));
  g_object_set_qdata (G_OBJECT (self->webrtcbin), plain_latency_quark (),
      GUINT_TO_POINTER (latency_ms));
}

/* TRUE if @sdp gives payload type @pt an RTX payload type (a=fmtp:N apt=PT). */
static gboolean
sdp_has_rtx_for (const GstSDPMessage *sdp, guint pt)
{
  g_autofree char *apt = g_strdup_printf ("apt=%u", pt);
  for (guint i = 0; sdp && i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    for (guint j = 0; j < gst_sdp_media_attributes_len (media); j++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, j);
      const char *sp = a->value ? strchr (a->value, ' ') : NULL;
      if (g_strcmp0 (a->key, "fmtp") == 0 && sp && g_str_equal (sp + 1, apt))
        return TRUE;
    }
  }
  return FALSE;
}

static gboolean
description_has_rtx_for (GstElement *webrtcbin, const char *property, guint pt)
{
  GstWebRTCSessionDescription *desc = NULL;
  g_object_get (webrtcbin, property, &desc, NULL);
  gboolean found = desc && sdp_has_rtx_for (desc->sdp, pt);
  if (desc)
    gst_webrtc_session_description_free (desc);
  return found;
}

/* The payload type of the m-line of @sdp that announces @ssrc (a=ssrc),
 * or -1. */
static gint
sdp_pt_of_ssrc (const GstSDPMessage *sdp, guint ssrc)
{
  g_autofree char *prefix = g_strdup_printf ("%u ", ssrc);
  for (guint i = 0; sdp && i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    for (guint j = 0; j < gst_sdp_media_attributes_len (media); j++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, j);
      if (g_strcmp0 (a->key, "ssrc") == 0 && a->value
          && g_str_has_prefix (a->value, prefix) && gst_sdp_media_formats_len (media) > 0)
        return (gint) g_ascii_strtoll (gst_sdp_media_get_format (media, 0), NULL, 10);
    }
  }
  return -1;
}

/* A jitter buffer asks for retransmissions when its stream's payload type
 * has an RTX payload type, both sides having agreed (video).  webrtcbin
 * 1.22 decides this by the transceiver it finds for the stream's SSRC, and
 * finds none for a stream the offer announced without a=ssrc (every stream
 * the hub forwards), so a native client would never ask.  Packets are
 * asked for only once a later packet shows the gap: video comes in bursts
 * (a frame's packets at once), so a packet's arrival cannot be predicted
 * from the last, and asking ahead brings requests for packets not yet
 * sent.  Retransmission needs time, a round trip and the wait for the gap
 * to show: those jitter buffers keep webrtcbin's latency; the others
 * (audio) get the shorter one of vw_peer_set_plain_latency().  Lowering,
 * not raising: a jitter buffer whose latency rises once packets flow
 * raises the pipeline's latency, which shifted the timestamps of the
 * hub's recordings (a track came out seconds too long). */
static void
decide (GstElement *webrtcbin, GstElement *jitterbuffer, guint pt, gboolean created)
{
  gboolean rtx = description_has_rtx_for (webrtcbin, "current-remote-description", pt)
      && description_has_rtx_for (webrtcbin, "current-local-description", pt);
  guint plain = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (webrtcbin),
          plain_latency_quark ()));
  g_object_set (jitterbuffer, "do-retransmission", rtx, "rtx-next-seqnum", FALSE, NULL);
  if (!rtx && plain)
    g_object_set (jitterbuffer, "latency", plain, NULL);
  g_object_set_data (G_OBJECT (jitterbuffer), "vw-decided", GINT_TO_POINTER (TRUE));
  GST_DEBUG ("%" GST_PTR_FORMAT ": payload type %u, retransmission %s (%s)",
      jitterbuffer, pt, rtx ? "on" : "off", created ? "by its SSRC" : "by its first packet");
}

/* rtpbin's new-jitterbuffer, before the stream's first packet goes in:
 * the SSRC, when the remote description names it (a native client's or a
 * browser's streams to the hub). */
static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer, guint session,
    guint ssrc, gpointer data)
{
  GstElement *webrtcbin = data;
  GstWebRTCSessionDescription *desc = NULL;
  g_object_get (webrtcbin, "current-remote-description", &desc, NULL);
  gint pt = desc ? sdp_pt_of_ssrc (desc->sdp, ssrc) : -1;
  if (desc)
    gst_webrtc_session_description_free (desc);
  if (pt >= 0)
    decide (webrtcbin, jitterbuffer, pt, TRUE);
}

/* Otherwise (a stream the hub forwards, announced without a=ssrc) by the
 * payload type of its first packet. */
static GstPadProbeReturn
first_packet (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstElement *webrtcbin = data;
  g_autoptr (GstElement) jitterbuffer = gst_pad_get_parent_element (pad);
  if (!jitterbuffer || g_object_get_data (G_OBJECT (jitterbuffer), "vw-decided"))
    return GST_PAD_PROBE_REMOVE;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  if (!buf || !gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  guint pt = gst_rtp_buffer_get_payload_type (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  decide (webrtcbin, jitterbuffer, pt, FALSE);
  return GST_PAD_PROBE_REMOVE;
}

/* RTCP feedback (NACK, PLI) goes out at once rather than with the next
 * regular RTCP packet: rtpsession does so (RFC 4585's immediate feedback
 * mode) only while the session has few members, and a bundle with a
 * stream per track and one per retransmission has more than its default
 * threshold, so a NACK waited for up to a few hundred milliseconds. */
#define IMMEDIATE_FEEDBACK_MEMBERS 1000
/* ...but only one early RTCP packet may go between two regular ones, and
 * a NACK that cannot go early waits for the next regular packet; if that
 * comes after the NACK's deadline, rtpsession drops the NACK.  A receiver
 * that sends little gets, by default, a small RTCP share and regular RTCP
 * seconds apart: a third of its NACKs were dropped so (test-peer-loss).
 * So RTCP may use 20 kB/s each for senders and receivers (at most: it is
 * a fraction of that in practice), and regular RTCP goes at least every
 * 100 ms. */
#define RTCP_MIN_INTERVAL_MS 100
#define RTCP_BANDWIDTH 20000

static void
tune_session (GstElement *rtpsession)
{
  g_object_set (rtpsession, "rtcp-min-interval", (guint64) RTCP_MIN_INTERVAL_MS * GST_MSECOND,
      "rtcp-rr-bandwidth", RTCP_BANDWIDTH, "rtcp-rs-bandwidth", RTCP_BANDWIDTH, NULL);
  g_autoptr (GObject) internal = NULL;
  g_object_get (rtpsession, "internal-session", &internal, NULL);
  if (internal && g_object_class_find_property (G_OBJECT_GET_CLASS (internal),
          "rtcp-immediate-feedback-threshold"))
    g_object_set (internal, "rtcp-immediate-feedback-threshold",
        IMMEDIATE_FEEDBACK_MEMBERS, NULL);
}

static void
on_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name = factory ? GST_OBJECT_NAME (factory) : "";
  if (g_str_equal (name, "rtpsession")) {
    tune_session (element);
  } else if (g_str_equal (name, "rtpjitterbuffer")) {
    g_autoptr (GstPad) sink = gst_element_get_static_pad (element, "sink");
    if (sink)
      gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, first_packet, bin, NULL);
  }
}

static gboolean
is_rtpbin (GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  return factory && g_str_equal (GST_OBJECT_NAME (factory), "rtpbin");
}

void
peer_setup_loss_recovery (GstElement *webrtcbin)
{
  /* webrtcbin made its rtpbin when it was made. */
  g_autoptr (GstIterator) it = gst_bin_iterate_elements (GST_BIN (webrtcbin));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    if (is_rtpbin (e))
      g_signal_connect (e, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), webrtcbin);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  g_signal_connect (webrtcbin, "on-new-transceiver", G_CALLBACK (on_new_transceiver), NULL);
  g_signal_connect (webrtcbin, "deep-element-added", G_CALLBACK (on_element_added), NULL);
}

static guint
uint_prop (GstElement *e, const char *name)
{
  guint v = 0;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (e), name))
    g_object_get (e, name, &v, NULL);
  return v;
}

static void
add_element_stats (GstElement *e, VwPeerLossStats *stats)
{
  GstElementFactory *factory = gst_element_get_factory (e);
  const char *name = factory ? GST_OBJECT_NAME (factory) : "";
  if (g_str_equal (name, "rtprtxsend")) {
    stats->nacks_received += uint_prop (e, "num-rtx-requests");
    stats->rtx_sent += uint_prop (e, "num-rtx-packets");
  } else if (g_str_equal (name, "rtprtxreceive")) {
    stats->rtx_received += uint_prop (e, "num-rtx-packets");
  } else if (g_str_equal (name, "rtpjitterbuffer")) {
    g_autoptr (GstStructure) s = NULL;
    guint64 lost = 0, requests = 0, recovered = 0;
    g_object_get (e, "stats", &s, NULL);
    GST_LOG ("%" GST_PTR_FORMAT ": %" GST_PTR_FORMAT, e, s);
    if (s && gst_structure_get_uint64 (s, "num-lost", &lost))
      stats->lost += lost;
    if (s && gst_structure_get_uint64 (s, "rtx-count", &requests))
      stats->nacks_sent += requests;
    if (s && gst_structure_get_uint64 (s, "rtx-success-count", &recovered))
      stats->recovered += recovered;
    guint64 late = 0;
    if (s && gst_structure_get_uint64 (s, "num-late", &late))
      stats->late += late;
  }
}

void
vw_peer_get_loss_stats (VwPeer *self, VwPeerLossStats *stats)
{
  g_return_if_fail (VW_IS_PEER (self));
  g_return_if_fail (stats != NULL);
  memset (stats, 0, sizeof *stats);
  if (self->closed)
    return;
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (self->webrtcbin));
  GValue item = G_VALUE_INIT;
  gboolean done = FALSE;
  while (!done) {
    switch (gst_iterator_next (it, &item)) {
      case GST_ITERATOR_OK:
        add_element_stats (g_value_get_object (&item), stats);
        g_value_reset (&item);
        break;
      case GST_ITERATOR_RESYNC:
        memset (stats, 0, sizeof *stats);
        gst_iterator_resync (it);
        break;
      default:
        done = TRUE;
        break;
    }
  }
  g_value_unset (&item);
}
