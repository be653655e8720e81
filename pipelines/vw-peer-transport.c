/* vw-peer-transport.c: a VwPeer's connection state and its ICE agent's
 * settings (see vw-peer-private.h). */
#include "vw-peer-private.h"

#include <nice/agent.h>
#include <sys/socket.h>
#include <string.h>

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

static const char *
candidate_type_name (NiceCandidateType type)
{
  switch (type) {
  case NICE_CANDIDATE_TYPE_HOST: return "host";
  case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE: return "srflx";
  case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE: return "prflx";
  case NICE_CANDIDATE_TYPE_RELAYED: return "relay";
  }
  return "unknown";
}

static const char *
candidate_protocol (NiceCandidateTransport transport)
{
  return transport == NICE_CANDIDATE_TRANSPORT_UDP ? "udp" : "tcp";
}

#define SELECTED_PAIR_KEY "vw-selected-pair"

/* The agent chose (or changed) the pair that carries the media: kept on the
 * agent (object data is thread-safe; this runs on libnice's thread) for
 * vw_peer_get_selected_pair(). */
static void
on_selected_pair (NiceAgent *agent, guint stream, guint component,
    NiceCandidate *local, NiceCandidate *remote, gpointer data)
{
  VwIcePair *pair = g_new0 (VwIcePair, 1);
  pair->local_type = candidate_type_name (local->type);
  pair->local_protocol = candidate_protocol (local->transport);
  pair->remote_type = candidate_type_name (remote->type);
  pair->remote_protocol = candidate_protocol (remote->transport);
  GST_INFO ("selected ICE pair: %s/%s -> %s/%s", pair->local_type,
      pair->local_protocol, pair->remote_type, pair->remote_protocol);
  g_object_set_data_full (G_OBJECT (agent), SELECTED_PAIR_KEY, pair, g_free);
}

static gpointer
copy_pair (gpointer pair, gpointer unused)
{
  return pair ? g_memdup2 (pair, sizeof (VwIcePair)) : NULL;
}

gboolean
vw_peer_get_selected_pair (VwPeer *self, VwIcePair *pair)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  g_autoptr (GObject) agent = nice_agent_of (self->webrtcbin);
  g_autofree VwIcePair *copy = agent
      ? g_object_dup_data (agent, SELECTED_PAIR_KEY, copy_pair, NULL) : NULL;
  if (!copy)
    return FALSE;
  *pair = *copy;
  return TRUE;
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
  g_signal_connect (agent, "new-selected-pair-full", G_CALLBACK (on_selected_pair), NULL);
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


void
vw_peer_set_ice_tcp (VwPeer *self, gboolean enabled)
{
  g_return_if_fail (VW_IS_PEER (self));
  g_autoptr (GObject) ice = NULL;
  g_object_get (self->webrtcbin, "ice-agent", &ice, NULL);
  g_object_set (ice, "ice-tcp", enabled, NULL);
}

void
vw_peer_set_ice_ports (VwPeer *self, guint min_port, guint max_port)
{
  g_return_if_fail (VW_IS_PEER (self));
  g_return_if_fail (min_port <= max_port && max_port <= 65535);
  g_autoptr (GObject) ice = NULL;
  g_object_get (self->webrtcbin, "ice-agent", &ice, NULL);
  /* max first: min-rtp-port may not exceed the current max. */
  g_object_set (ice, "max-rtp-port", max_port, "min-rtp-port", min_port, NULL);
}

gboolean
vw_peer_add_turn_server (VwPeer *self, const char *url, const char *username,
    const char *credential, GError **error)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  g_autofree char *uri = vw_peer_turn_uri (url, username, credential);
  if (!uri) {
    g_set_error (error, VW_PEER_ERROR, VW_PEER_ERROR_NEGOTIATION,
        "not a TURN server URL: '%s'", url);
    return FALSE;
  }
  gboolean added = FALSE;
  g_signal_emit_by_name (self->webrtcbin, "add-turn-server", uri, &added);
  if (!added) {
    g_set_error (error, VW_PEER_ERROR, VW_PEER_ERROR_NEGOTIATION,
        "webrtcbin refused the TURN server '%s'", url);
    return FALSE;
  }
  GST_INFO ("%s: TURN server %s", self->name, url);
  return TRUE;
}

char *
vw_peer_turn_uri (const char *url, const char *username, const char *credential)
{
  g_return_val_if_fail (url && username && credential, NULL);
  const char *scheme, *rest;
  if (g_str_has_prefix (url, "turn:") && !g_str_has_prefix (url, "turn://")) {
    scheme = "turn";
    rest = url + 5;
  } else if (g_str_has_prefix (url, "turns:") && !g_str_has_prefix (url, "turns://")) {
    scheme = "turns";
    rest = url + 6;
  } else
    return NULL;
  if (!*rest || strchr (rest, '@') || strchr (rest, '/'))
    return NULL;
  /* webrtcbin wants the ':' of a TURN REST username ("expiry:peer") and
   * the base64 credential's '+', '/', '=' escaped in the userinfo. */
  g_autofree char *user = g_uri_escape_string (username, NULL, FALSE);
  g_autofree char *pass = g_uri_escape_string (credential, NULL, FALSE);
  return g_strdup_printf ("%s://%s:%s@%s", scheme, user, pass, rest);
}

void
vw_peer_set_relay_only (VwPeer *self, gboolean relay_only)
{
  g_return_if_fail (VW_IS_PEER (self));
  g_object_set (self->webrtcbin, "ice-transport-policy", relay_only
      ? GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY : GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL, NULL);
}
