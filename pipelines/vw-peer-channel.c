/* vw-peer-channel.c: a VwPeer's data channel, the one the hub and the
 * clients carry files on (see vw-peer-private.h). */
#include "vw-peer-private.h"

static void
channel_state_ready (VwPeer *self, gpointer data)
{
  GstWebRTCDataChannelState state = GPOINTER_TO_INT (data);
  gboolean open = state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN;
  if (open == self->channel_open)
    return;
  self->channel_open = open;
  GST_DEBUG ("%s: data channel %s", self->name, open ? "open" : "closed");
  g_signal_emit (self, peer_signals[open ? SIGNAL_CHANNEL_OPEN : SIGNAL_CHANNEL_CLOSED], 0);
}

static void
on_channel_state (GObject *channel, GParamSpec *pspec, VwPeer *self)
{
  GstWebRTCDataChannelState state;
  g_object_get (channel, "ready-state", &state, NULL);
  peer_hop (self, channel_state_ready, GINT_TO_POINTER (state), NULL);
}

static void
channel_string_ready (VwPeer *self, gpointer data)
{
  g_signal_emit (self, peer_signals[SIGNAL_CHANNEL_STRING], 0, (const char *) data);
}

static void
on_channel_string (GstWebRTCDataChannel *channel, const char *text, VwPeer *self)
{
  peer_hop (self, channel_string_ready, g_strdup (text), g_free);
}

static void
channel_data_ready (VwPeer *self, gpointer data)
{
  g_signal_emit (self, peer_signals[SIGNAL_CHANNEL_DATA], 0, (GBytes *) data);
}

static void
on_channel_data (GstWebRTCDataChannel *channel, GBytes *data, VwPeer *self)
{
  peer_hop (self, channel_data_ready, data ? g_bytes_ref (data) : g_bytes_new (NULL, 0),
      (GDestroyNotify) g_bytes_unref);
}

static void
adopt_channel (VwPeer *self, GstWebRTCDataChannel *channel)
{
  if (self->channel) {
    GST_WARNING ("%s: ignoring a second data channel", self->name);
    return;
  }
  self->channel = g_object_ref (channel);
  g_signal_connect (channel, "notify::ready-state", G_CALLBACK (on_channel_state), self);
  g_signal_connect (channel, "on-message-string", G_CALLBACK (on_channel_string), self);
  g_signal_connect (channel, "on-message-data", G_CALLBACK (on_channel_data), self);
  on_channel_state (G_OBJECT (channel), NULL, self);
}

static void
remote_channel_ready (VwPeer *self, gpointer data)
{
  adopt_channel (self, data);
}

void
peer_on_data_channel (GstElement *webrtcbin, GstWebRTCDataChannel *channel, VwPeer *self)
{
  peer_hop (self, remote_channel_ready, g_object_ref (channel), g_object_unref);
}

void
vw_peer_create_data_channel (VwPeer *self, const char *label)
{
  g_return_if_fail (VW_IS_PEER (self));
  GstWebRTCDataChannel *channel = NULL;
  g_signal_emit_by_name (self->webrtcbin, "create-data-channel", label, NULL, &channel);
  if (!channel) {
    GST_WARNING ("%s: could not create a data channel", self->name);
    return;
  }
  adopt_channel (self, channel);
  g_object_unref (channel);
}

gboolean
vw_peer_channel_is_open (VwPeer *self)
{
  return self->channel_open;
}

static gboolean
check_channel (VwPeer *self, GError **error)
{
  if (self->channel && self->channel_open)
    return TRUE;
  g_set_error (error, VW_PEER_ERROR, VW_PEER_ERROR_WRONG_STATE,
      "the data channel is not open");
  return FALSE;
}

gboolean
vw_peer_send_string (VwPeer *self, const char *text, GError **error)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  if (!check_channel (self, error))
    return FALSE;
  return gst_webrtc_data_channel_send_string_full (self->channel, text, error);
}

gboolean
vw_peer_send_data (VwPeer *self, GBytes *data, GError **error)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  if (!check_channel (self, error))
    return FALSE;
  return gst_webrtc_data_channel_send_data_full (self->channel, data, error);
}

