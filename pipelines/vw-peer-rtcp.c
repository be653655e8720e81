/* vw-peer-rtcp.c: how often a VwPeer's RTP session sends RTCP. */
#include "vw-peer-private.h"

gboolean
vw_peer_set_rtcp_interval (VwPeer *self, guint ms)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (self->webrtcbin), "rtpbin");
  g_autoptr (GObject) session = NULL;
  if (rtpbin)
    g_signal_emit_by_name (rtpbin, "get-internal-session", 0, &session);
  if (!session)
    return FALSE;   /* not negotiated yet */
  guint64 want = (guint64) ms * GST_MSECOND, now = 0;
  g_object_get (session, "rtcp-min-interval", &now, NULL);
  if (now != want) {
    g_object_set (session, "rtcp-min-interval", want, NULL);
    GST_DEBUG ("%s: RTCP at least every %u ms", self->name, ms);
  }
  return TRUE;
}
