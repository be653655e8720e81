/* vw-peer-transport.c: a VwPeer's connection state and its ICE agent's
 * settings (see vw-peer-private.h). */
#include "vw-peer-private.h"

#include <nice/agent.h>
#include <sys/socket.h>

static void
state_ready (VwPeer *self, gpointer data)
{
  GstWebRTCPeerConnectionState state = GPOINTER_TO_INT (data);
  if (state == self->state)
    return;
  GST_DEBUG ("%s: connection state %d -> %d", self->name, self->state, state);
  self->state = state;
  g_signal_emit (self, peer_signals[SIGNAL_STATE_CHANGED], 0, state);
}

void
peer_on_connection_state (GObject *obj, GParamSpec *pspec, VwPeer *self)
{
  GstWebRTCPeerConnectionState state;
  g_object_get (obj, "connection-state", &state, NULL);
  peer_hop (self, state_ready, GINT_TO_POINTER (state), NULL);
}

GstWebRTCPeerConnectionState
vw_peer_get_state (VwPeer *self)
{
  g_return_val_if_fail (VW_IS_PEER (self), GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED);
  return self->state;
}

/* A document camera's keyframe is a burst of a few hundred kilobytes: more
 * than the kernel's default UDP receive buffer (208 KiB on Debian) holds
 * while the receiving thread is busy, and a lost packet costs the receiver
 * the picture until the next keyframe.  So the socket that carries the
 * media gets a larger buffer once ICE has chosen it (the kernel caps it at
 * net.core.rmem_max). */
#define MEDIA_SOCKET_BUFFER (4 * 1024 * 1024)

static void
on_component_state (NiceAgent *agent, guint stream, guint component, guint state,
    gpointer data)
{
  if (state != NICE_COMPONENT_STATE_READY)
    return;
  g_autoptr (GSocket) socket = nice_agent_get_selected_socket (agent, stream, component);
  if (!socket)
    return;
  g_autoptr (GError) error = NULL;
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, MEDIA_SOCKET_BUFFER, &error)
      || !g_socket_set_option (socket, SOL_SOCKET, SO_SNDBUF, MEDIA_SOCKET_BUFFER, &error))
    GST_INFO ("cannot enlarge the media socket's buffers: %s", error->message);
}

/* (transfer full) (nullable) the libnice agent (a NiceAgent) inside
 * @webrtcbin's ICE object. */
static GObject *
nice_agent_of (GstElement *webrtcbin)
{
  g_autoptr (GObject) ice = NULL;
  GObject *agent = NULL;
  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent && !NICE_IS_AGENT (agent))
    g_clear_object (&agent);
  return agent;
}

/* Larger media sockets (above), and no UPnP: libnice would otherwise look
 * for a UPnP gateway with SSDP multicast on every network, pointless for a
 * server and noise on the desk's LAN. */
void
peer_tune_ice (GstElement *webrtcbin)
{
  g_autoptr (GObject) agent = nice_agent_of (webrtcbin);
  if (!agent)
    return;
  g_signal_connect (agent, "component-state-changed", G_CALLBACK (on_component_state), NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp"))
    g_object_set (agent, "upnp", FALSE, NULL);
}

/* webrtcbin puts a clocksync (sync=TRUE) in front of every stream it
 * sends, holding each packet until the clock reaches its timestamp.  Right
 * for a local source; wrong for packets forwarded from another peer, whose
 * timestamps come from that peer's jitter buffer and can run seconds ahead
 * of the clock when the sender stalled at the start (its first packets came
 * late, and the jitter buffer maps every later one from them).  Behind a
 * leaky queue, a held stream then lets through one packet a second. */
static void
on_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  if (factory && g_str_equal (GST_OBJECT_NAME (factory), "clocksync"))
    g_object_set (element, "sync", FALSE, NULL);
}

void
vw_peer_forward_unsynced (VwPeer *self)
{
  g_return_if_fail (VW_IS_PEER (self));
  g_signal_connect (self->webrtcbin, "deep-element-added",
      G_CALLBACK (on_element_added), NULL);
}

void
vw_peer_restrict_ice (VwPeer *self, const char *address)
{
  g_return_if_fail (VW_IS_PEER (self));
  g_return_if_fail (address != NULL);
  g_autoptr (GObject) ice = NULL;
  g_object_get (self->webrtcbin, "ice-agent", &ice, NULL);
  g_object_set (ice, "ice-tcp", FALSE, NULL);
  g_autoptr (GObject) agent = nice_agent_of (self->webrtcbin);
  NiceAddress addr;
  nice_address_init (&addr);
  if (!nice_address_set_from_string (&addr, address))
    g_warning ("'%s' is not an IP address; ICE not restricted", address);
  else if (agent)
    nice_agent_add_local_address (NICE_AGENT (agent), &addr);
}

