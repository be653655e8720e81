/* vw-peer.h: one WebRTC connection (a webrtcbin) with its negotiation.
 *
 * Shared by the hub (always the offerer) and vw-client (always the answerer).
 * webrtcbin calls back on its own threads; VwPeer hops every callback to the
 * GMainContext that was current when the peer was created, so all of its
 * signals are emitted there and callers never see another thread.
 *
 * Signals (all on the owner's main context):
 *   local-description (const char *type, const char *sdp): an offer or answer
 *       was created and set locally; send it to the other side.
 *   ice-candidate (guint mline, const char *candidate): a local candidate;
 *       an empty candidate means gathering is complete.
 *   track (GstElement *tee, guint mline, GstCaps *caps): a remote RTP track
 *       arrived.  Its src pad is already linked to @tee (allow-not-linked),
 *       so the caller adds branches at its own pace.  On a bundled
 *       connection @mline is not reliable; identify the track by the payload
 *       type in @caps.
 *   state-changed (GstWebRTCPeerConnectionState state)
 *   failed (const GError *error): negotiation failed (bad remote SDP...).
 *   channel-open (): the data channel can carry messages.
 *   channel-closed ()
 *   channel-string (const char *text), channel-data (GBytes *data): a
 *       message on the data channel, in order.
 */
#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

#define VW_TYPE_PEER (vw_peer_get_type ())
G_DECLARE_FINAL_TYPE (VwPeer, vw_peer, VW, PEER, GObject)

#define VW_PEER_ERROR (vw_peer_error_quark ())
GQuark vw_peer_error_quark (void);

typedef enum {
  VW_PEER_ERROR_BAD_SDP,
  VW_PEER_ERROR_WRONG_STATE,
  VW_PEER_ERROR_NEGOTIATION,
} VwPeerError;

/* Creates a webrtcbin named @name inside @bin (max-bundle, jitter-buffer
 * latency @latency_ms).  (transfer full) */
VwPeer     *vw_peer_new (GstBin *bin, const char *name, guint latency_ms);
/* (transfer none) */
GstElement *vw_peer_get_webrtcbin (VwPeer *peer);
const char *vw_peer_get_name (VwPeer *peer);

/* Offerer side.  Asks for a new offer; if one is already waiting for its
 * answer, another is made as soon as that answer arrives. */
void      vw_peer_negotiate (VwPeer *peer);
gboolean  vw_peer_set_remote_answer (VwPeer *peer, const char *sdp, GError **error);
gboolean  vw_peer_is_negotiating (VwPeer *peer);

/* Answerer side: sets the remote offer, creates and sets the answer, then
 * emits local-description.  Request send pads before calling this. */
gboolean  vw_peer_set_remote_offer (VwPeer *peer, const char *sdp, GError **error);

void      vw_peer_add_ice_candidate (VwPeer *peer, guint mline, const char *candidate);

/* Requests a sink pad for sending RTP with @caps (which fix the payload
 * type) in @direction on m-line @mline; returns the pad to link to.
 *
 * The m-line must be given: webrtcbin attaches a pad named sink_N to the
 * transceiver already on m-line N, so letting it number pads itself would
 * hand a new track to some other track's m-line. (transfer full) */
GstPad   *vw_peer_request_send_pad (VwPeer *peer, GstCaps *caps,
                                    GstWebRTCRTPTransceiverDirection direction,
                                    guint mline);
/* Adds a receive-only m-line for @caps. (transfer full) */
GstWebRTCRTPTransceiver *vw_peer_add_recv_transceiver (VwPeer *peer, GstCaps *caps);

GstWebRTCPeerConnectionState vw_peer_get_state (VwPeer *peer);

/* Gathers ICE candidates on @address only (for example 127.0.0.1 on a
 * test machine) and over UDP only.  Call before the first negotiation. */
void      vw_peer_restrict_ice (VwPeer *peer, const char *address);
/* Passive/active TCP candidates (ICE-TCP, RFC 6544) besides UDP: on by
 * default; vw_peer_restrict_ice() turns them off.  Call before the first
 * negotiation. */
void      vw_peer_set_ice_tcp (VwPeer *peer, gboolean enabled);
/* Local media ports (UDP and ICE-TCP) from @min_port..@max_port only
 * (0, 0: any), for a firewall that opens a fixed range. */
void      vw_peer_set_ice_ports (VwPeer *peer, guint min_port, guint max_port);
/* Adds a TURN server given as an RTCIceServer URL ("turn:HOST:PORT
 * [?transport=udp|tcp]" or "turns:...") with its username and credential
 * (TURN REST ones are fine: escaped here).  Before the first negotiation. */
gboolean  vw_peer_add_turn_server (VwPeer *peer, const char *url, const char *username,
                                   const char *credential, GError **error);
/* The URI webrtcbin's add-turn-server takes for the above, or NULL when
 * @url is not a turn:/turns: URL.  (transfer full) */
char     *vw_peer_turn_uri (const char *url, const char *username,
                            const char *credential);
/* Only relayed (TURN) candidates: to test TURN alone. */
void      vw_peer_set_relay_only (VwPeer *peer, gboolean relay_only);

/* The candidate pair ICE selected: types "host", "srflx", "prflx",
 * "relay"; protocols "udp", "tcp" (of a relayed candidate: between the
 * TURN server and the other side).  Strings are static. */
typedef struct {
  const char *local_type, *local_protocol;
  const char *remote_type, *remote_protocol;
} VwIcePair;
/* FALSE until ICE has selected a pair. Callable from any thread. */
gboolean  vw_peer_get_selected_pair (VwPeer *peer, VwIcePair *pair);

/* What @peer sends goes out as it comes, not held until the clock reaches
 * its timestamp: for a hub forwarding other peers' packets.  Call before
 * negotiating. */
void      vw_peer_forward_unsynced (VwPeer *peer);

/* The connection's one data channel (reliable, ordered): the offerer
 * creates it before its first offer; the answerer gets it with the offer. */
void      vw_peer_create_data_channel (VwPeer *peer, const char *label);
gboolean  vw_peer_channel_is_open (VwPeer *peer);
gboolean  vw_peer_send_string (VwPeer *peer, const char *text, GError **error);
gboolean  vw_peer_send_data (VwPeer *peer, GBytes *data, GError **error);

/* RTCP (receiver reports, which carry loss and round-trip time to the
 * other side's bandwidth estimation) at least every @ms instead of
 * rtpsession's 5 s.  FALSE if the connection has no RTP session yet (call
 * again once connected).  See vw-peer-rtcp.c. */
gboolean  vw_peer_set_rtcp_interval (VwPeer *peer, guint ms);

/* Stops the webrtcbin and removes it from its bin. */
void      vw_peer_close (VwPeer *peer);

G_END_DECLS
