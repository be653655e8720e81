/* vw-peer.c: one webrtcbin and its offer/answer exchange.
 *
 * Threading: webrtcbin emits its signals and resolves its promises on its
 * own threads.  Each callback here packs what it got into a VwHop and
 * invokes it on the peer's main context; all state lives on that context.
 */
#include "vw-peer.h"

#include <gst/sdp/sdp.h>
#include <nice/agent.h>
#include <sys/socket.h>

GST_DEBUG_CATEGORY_STATIC (vw_peer_debug);
#define GST_CAT_DEFAULT vw_peer_debug

G_DEFINE_QUARK (vw-peer-error-quark, vw_peer_error)

typedef enum {
  NEG_STABLE,         /* nothing in flight */
  NEG_OFFERING,       /* create-offer issued (offerer) */
  NEG_WAIT_ANSWER,    /* local offer set, waiting for the remote answer */
  NEG_ANSWERING,      /* remote offer being applied and answered */
} NegState;

struct _VwPeer {
  GObject parent;

  /* All fields: owner main context only. */
  GMainContext *context;     /* owned ref */
  GstBin *bin;               /* owned ref: the bin holding webrtcbin */
  GstElement *webrtcbin;     /* owned ref */
  char *name;
  NegState neg;
  gboolean renegotiate;      /* another offer wanted after this one */
  gboolean closed;
  GstWebRTCPeerConnectionState state;
  GPtrArray *tees;           /* GstElement*, owned refs: one per remote track */
  GstWebRTCDataChannel *channel;   /* owned ref, or NULL */
  gboolean channel_open;
};

enum {
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_ICE_CANDIDATE,
  SIGNAL_TRACK,
  SIGNAL_STATE_CHANGED,
  SIGNAL_FAILED,
  SIGNAL_CHANNEL_OPEN,
  SIGNAL_CHANNEL_CLOSED,
  SIGNAL_CHANNEL_STRING,
  SIGNAL_CHANNEL_DATA,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (VwPeer, vw_peer, G_TYPE_OBJECT)

static const char *
neg_state_name (NegState s)
{
  static const char *names[] = { "stable", "offering", "wait-answer", "answering" };
  return names[s];
}

static void
set_neg (VwPeer *self, NegState s)
{
  GST_DEBUG ("%s: negotiation %s -> %s", self->name, neg_state_name (self->neg),
      neg_state_name (s));
  self->neg = s;
}

/* ---- hopping from webrtcbin threads to the main context ---- */

typedef void (*HopFunc) (VwPeer *self, gpointer data);

typedef struct {
  VwPeer *peer;
  HopFunc func;
  gpointer data;
  GDestroyNotify free_data;
} VwHop;

static gboolean
hop_dispatch (gpointer user_data)
{
  VwHop *hop = user_data;
  if (!hop->peer->closed)
    hop->func (hop->peer, hop->data);
  return G_SOURCE_REMOVE;
}

static void
hop_free (gpointer user_data)
{
  VwHop *hop = user_data;
  if (hop->free_data && hop->data)
    hop->free_data (hop->data);
  g_object_unref (hop->peer);
  g_free (hop);
}

static void
hop (VwPeer *self, HopFunc func, gpointer data, GDestroyNotify free_data)
{
  VwHop *h = g_new0 (VwHop, 1);
  h->peer = g_object_ref (self);
  h->func = func;
  h->data = data;
  h->free_data = free_data;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, hop_dispatch,
      h, hop_free);
}

static void
fail (VwPeer *self, VwPeerError code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
fail (VwPeer *self, VwPeerError code, const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_autoptr (GError) error = g_error_new_literal (VW_PEER_ERROR, code, msg);
  GST_WARNING ("%s: %s", self->name, msg);
  set_neg (self, NEG_STABLE);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

/* A promise reply carries "error" when webrtcbin refused the operation. */
static char *
promise_error_text (GstPromise *promise)
{
  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return g_strdup ("operation interrupted");
  const GstStructure *reply = gst_promise_get_reply (promise);
  if (!reply)
    return NULL;
  if (gst_structure_has_field (reply, "error")) {
    g_autoptr (GError) err = NULL;
    gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
    return g_strdup (err ? err->message : "unknown error");
  }
  return NULL;
}

/* ---- offerer ---- */

static void on_offer_created (GstPromise *promise, gpointer user_data);

static void
start_offer (VwPeer *self)
{
  set_neg (self, NEG_OFFERING);
  GstPromise *p = gst_promise_new_with_change_func (on_offer_created,
      g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "create-offer", NULL, p);
}

static void
offer_ready (VwPeer *self, gpointer data)
{
  GstWebRTCSessionDescription *offer = data;
  if (self->neg != NEG_OFFERING)
    return;
  g_signal_emit_by_name (self->webrtcbin, "set-local-description", offer, NULL);
  set_neg (self, NEG_WAIT_ANSWER);
  g_autofree char *text = gst_sdp_message_as_text (offer->sdp);
  g_signal_emit (self, signals[SIGNAL_LOCAL_DESCRIPTION], 0, "offer", text);
}

static void
offer_failed (VwPeer *self, gpointer data)
{
  fail (self, VW_PEER_ERROR_NEGOTIATION, "could not create an offer: %s",
      (const char *) data);
}

static void
on_offer_created (GstPromise *promise, gpointer user_data)
{
  VwPeer *self = user_data;
  g_autofree char *err = promise_error_text (promise);
  GstWebRTCSessionDescription *offer = NULL;
  if (!err) {
    const GstStructure *reply = gst_promise_get_reply (promise);
    gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
        &offer, NULL);
  }
  gst_promise_unref (promise);
  if (offer)
    hop (self, offer_ready, offer,
        (GDestroyNotify) gst_webrtc_session_description_free);
  else
    hop (self, offer_failed, g_strdup (err ? err : "no offer"), g_free);
}

void
vw_peer_negotiate (VwPeer *self)
{
  g_return_if_fail (VW_IS_PEER (self));
  if (self->closed)
    return;
  if (self->neg != NEG_STABLE) {
    self->renegotiate = TRUE;
    return;
  }
  start_offer (self);
}

gboolean
vw_peer_is_negotiating (VwPeer *self)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  return self->neg != NEG_STABLE || self->renegotiate;
}

static GstWebRTCSessionDescription *
parse_sdp (GstWebRTCSDPType type, const char *text, GError **error)
{
  GstSDPMessage *msg = NULL;
  if (gst_sdp_message_new_from_text (text, &msg) != GST_SDP_OK || !msg) {
    g_set_error (error, VW_PEER_ERROR, VW_PEER_ERROR_BAD_SDP, "SDP does not parse");
    return NULL;
  }
  if (gst_sdp_message_medias_len (msg) == 0) {
    gst_sdp_message_free (msg);
    g_set_error (error, VW_PEER_ERROR, VW_PEER_ERROR_BAD_SDP,
        "SDP has no media section");
    return NULL;
  }
  return gst_webrtc_session_description_new (type, msg);
}

static void
answer_applied (VwPeer *self, gpointer data)
{
  const char *err = data;
  if (err) {
    fail (self, VW_PEER_ERROR_NEGOTIATION, "remote answer refused: %s", err);
    return;
  }
  set_neg (self, NEG_STABLE);
  if (self->renegotiate) {
    self->renegotiate = FALSE;
    start_offer (self);
  }
}

static void
on_answer_applied (GstPromise *promise, gpointer user_data)
{
  char *err = promise_error_text (promise);
  gst_promise_unref (promise);
  hop (user_data, answer_applied, err, g_free);
}

gboolean
vw_peer_set_remote_answer (VwPeer *self, const char *sdp, GError **error)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  g_return_val_if_fail (sdp != NULL, FALSE);
  if (self->neg != NEG_WAIT_ANSWER) {
    g_set_error (error, VW_PEER_ERROR, VW_PEER_ERROR_WRONG_STATE,
        "no offer is waiting for an answer");
    return FALSE;
  }
  g_autoptr (GstWebRTCSessionDescription) answer =
      parse_sdp (GST_WEBRTC_SDP_TYPE_ANSWER, sdp, error);
  if (!answer)
    return FALSE;
  GstPromise *p = gst_promise_new_with_change_func (on_answer_applied,
      g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "set-remote-description", answer, p);
  return TRUE;
}

/* ---- answerer ---- */

static void on_answer_created (GstPromise *promise, gpointer user_data);

static void
offer_applied (VwPeer *self, gpointer data)
{
  const char *err = data;
  if (err) {
    fail (self, VW_PEER_ERROR_NEGOTIATION, "remote offer refused: %s", err);
    return;
  }
  GstPromise *p = gst_promise_new_with_change_func (on_answer_created,
      g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "create-answer", NULL, p);
}

static void
on_offer_applied (GstPromise *promise, gpointer user_data)
{
  char *err = promise_error_text (promise);
  gst_promise_unref (promise);
  hop (user_data, offer_applied, err, g_free);
}

static void
answer_ready (VwPeer *self, gpointer data)
{
  GstWebRTCSessionDescription *answer = data;
  g_signal_emit_by_name (self->webrtcbin, "set-local-description", answer, NULL);
  set_neg (self, NEG_STABLE);
  g_autofree char *text = gst_sdp_message_as_text (answer->sdp);
  g_signal_emit (self, signals[SIGNAL_LOCAL_DESCRIPTION], 0, "answer", text);
}

static void
answer_failed (VwPeer *self, gpointer data)
{
  fail (self, VW_PEER_ERROR_NEGOTIATION, "could not create an answer: %s",
      (const char *) data);
}

static void
on_answer_created (GstPromise *promise, gpointer user_data)
{
  VwPeer *self = user_data;
  g_autofree char *err = promise_error_text (promise);
  GstWebRTCSessionDescription *answer = NULL;
  if (!err)
    gst_structure_get (gst_promise_get_reply (promise), "answer",
        GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
  gst_promise_unref (promise);
  if (answer)
    hop (self, answer_ready, answer,
        (GDestroyNotify) gst_webrtc_session_description_free);
  else
    hop (self, answer_failed, g_strdup (err ? err : "no answer"), g_free);
}

gboolean
vw_peer_set_remote_offer (VwPeer *self, const char *sdp, GError **error)
{
  g_return_val_if_fail (VW_IS_PEER (self), FALSE);
  g_return_val_if_fail (sdp != NULL, FALSE);
  if (self->neg != NEG_STABLE) {
    g_set_error (error, VW_PEER_ERROR, VW_PEER_ERROR_WRONG_STATE,
        "an offer is already being answered");
    return FALSE;
  }
  g_autoptr (GstWebRTCSessionDescription) offer =
      parse_sdp (GST_WEBRTC_SDP_TYPE_OFFER, sdp, error);
  if (!offer)
    return FALSE;
  set_neg (self, NEG_ANSWERING);
  GstPromise *p = gst_promise_new_with_change_func (on_offer_applied,
      g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "set-remote-description", offer, p);
  return TRUE;
}

/* ---- ICE ---- */

typedef struct {
  guint mline;
  char *candidate;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;
  g_free (c->candidate);
  g_free (c);
}

static void
candidate_ready (VwPeer *self, gpointer data)
{
  Candidate *c = data;
  g_signal_emit (self, signals[SIGNAL_ICE_CANDIDATE], 0, c->mline, c->candidate);
}

static void
on_ice_candidate (GstElement *webrtcbin, guint mline, const char *candidate,
    VwPeer *self)
{
  Candidate *c = g_new0 (Candidate, 1);
  c->mline = mline;
  c->candidate = g_strdup (candidate);
  hop (self, candidate_ready, c, candidate_free);
}

void
vw_peer_add_ice_candidate (VwPeer *self, guint mline, const char *candidate)
{
  g_return_if_fail (VW_IS_PEER (self));
  if (self->closed || !candidate || !*candidate)
    return;   /* an empty candidate only marks the end of gathering */
  g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate", mline, candidate);
}

/* ---- tracks ---- */

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
  g_signal_emit (self, signals[SIGNAL_TRACK], 0, t->tee, t->mline, t->caps);
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
static void
on_pad_added (GstElement *webrtcbin, GstPad *pad, VwPeer *self)
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
  hop (self, track_ready, t, track_free);
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
  if (trans)
    g_object_set (trans, "codec-preferences", caps, "direction", direction, NULL);
  return pad;
}

GstWebRTCRTPTransceiver *
vw_peer_add_recv_transceiver (VwPeer *self, GstCaps *caps)
{
  g_return_val_if_fail (VW_IS_PEER (self), NULL);
  GstWebRTCRTPTransceiver *trans = NULL;
  g_signal_emit_by_name (self->webrtcbin, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  return trans;
}

/* ---- connection state ---- */

static void
state_ready (VwPeer *self, gpointer data)
{
  GstWebRTCPeerConnectionState state = GPOINTER_TO_INT (data);
  if (state == self->state)
    return;
  GST_DEBUG ("%s: connection state %d -> %d", self->name, self->state, state);
  self->state = state;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, state);
}

static void
on_connection_state (GObject *obj, GParamSpec *pspec, VwPeer *self)
{
  GstWebRTCPeerConnectionState state;
  g_object_get (obj, "connection-state", &state, NULL);
  hop (self, state_ready, GINT_TO_POINTER (state), NULL);
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

static void
enlarge_socket_buffers (GstElement *webrtcbin)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) agent = NULL;
  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent && NICE_IS_AGENT (agent))
    g_signal_connect (agent, "component-state-changed", G_CALLBACK (on_component_state), NULL);
}

/* libnice would otherwise look for a UPnP gateway with SSDP multicast on
 * every network: pointless for a server and noise on the desk's LAN. */
static void
disable_upnp (GstElement *webrtcbin)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) agent = NULL;
  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp"))
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
  g_autoptr (GObject) agent = NULL;
  g_object_get (self->webrtcbin, "ice-agent", &ice, NULL);
  g_object_set (ice, "ice-tcp", FALSE, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  NiceAddress addr;
  nice_address_init (&addr);
  if (!nice_address_set_from_string (&addr, address))
    g_warning ("'%s' is not an IP address; ICE not restricted", address);
  else
    nice_agent_add_local_address (NICE_AGENT (agent), &addr);
}

/* ---- data channel ---- */

static void
channel_state_ready (VwPeer *self, gpointer data)
{
  GstWebRTCDataChannelState state = GPOINTER_TO_INT (data);
  gboolean open = state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN;
  if (open == self->channel_open)
    return;
  self->channel_open = open;
  GST_DEBUG ("%s: data channel %s", self->name, open ? "open" : "closed");
  g_signal_emit (self, signals[open ? SIGNAL_CHANNEL_OPEN : SIGNAL_CHANNEL_CLOSED], 0);
}

static void
on_channel_state (GObject *channel, GParamSpec *pspec, VwPeer *self)
{
  GstWebRTCDataChannelState state;
  g_object_get (channel, "ready-state", &state, NULL);
  hop (self, channel_state_ready, GINT_TO_POINTER (state), NULL);
}

static void
channel_string_ready (VwPeer *self, gpointer data)
{
  g_signal_emit (self, signals[SIGNAL_CHANNEL_STRING], 0, (const char *) data);
}

static void
on_channel_string (GstWebRTCDataChannel *channel, const char *text, VwPeer *self)
{
  hop (self, channel_string_ready, g_strdup (text), g_free);
}

static void
channel_data_ready (VwPeer *self, gpointer data)
{
  g_signal_emit (self, signals[SIGNAL_CHANNEL_DATA], 0, (GBytes *) data);
}

static void
on_channel_data (GstWebRTCDataChannel *channel, GBytes *data, VwPeer *self)
{
  hop (self, channel_data_ready, data ? g_bytes_ref (data) : g_bytes_new (NULL, 0),
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

static void
on_data_channel (GstElement *webrtcbin, GstWebRTCDataChannel *channel, VwPeer *self)
{
  hop (self, remote_channel_ready, g_object_ref (channel), g_object_unref);
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

/* ---- life cycle ---- */

VwPeer *
vw_peer_new (GstBin *bin, const char *name, guint latency_ms)
{
  g_return_val_if_fail (GST_IS_BIN (bin), NULL);
  VwPeer *self = g_object_new (VW_TYPE_PEER, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->bin = gst_object_ref (bin);
  self->name = g_strdup (name);
  self->webrtcbin = gst_element_factory_make ("webrtcbin", name);
  g_assert (self->webrtcbin);
  gst_object_ref_sink (self->webrtcbin);
  g_object_set (self->webrtcbin, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", latency_ms, NULL);
  g_signal_connect (self->webrtcbin, "on-ice-candidate",
      G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtcbin, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->webrtcbin, "notify::connection-state",
      G_CALLBACK (on_connection_state), self);
  g_signal_connect (self->webrtcbin, "on-data-channel", G_CALLBACK (on_data_channel), self);
  disable_upnp (self->webrtcbin);
  enlarge_socket_buffers (self->webrtcbin);
  gst_bin_add (bin, self->webrtcbin);
  gst_element_sync_state_with_parent (self->webrtcbin);
  return self;
}

GstElement *
vw_peer_get_webrtcbin (VwPeer *self)
{
  g_return_val_if_fail (VW_IS_PEER (self), NULL);
  return self->webrtcbin;
}

const char *
vw_peer_get_name (VwPeer *self)
{
  g_return_val_if_fail (VW_IS_PEER (self), NULL);
  return self->name;
}

static void
remove_element (GstBin *bin, GstElement *element)
{
  gst_element_set_locked_state (element, TRUE);
  gst_element_set_state (element, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (element) == GST_OBJECT (bin))
    gst_bin_remove (bin, element);
}

void
vw_peer_close (VwPeer *self)
{
  g_return_if_fail (VW_IS_PEER (self));
  if (self->closed)
    return;
  self->closed = TRUE;
  g_signal_handlers_disconnect_by_data (self->webrtcbin, self);
  if (self->channel) {
    g_signal_handlers_disconnect_by_data (self->channel, self);
    g_clear_object (&self->channel);
  }
  remove_element (self->bin, self->webrtcbin);
  for (guint i = 0; i < self->tees->len; i++)
    remove_element (self->bin, g_ptr_array_index (self->tees, i));
  g_ptr_array_set_size (self->tees, 0);
}

static void
vw_peer_dispose (GObject *object)
{
  VwPeer *self = VW_PEER (object);
  if (self->webrtcbin)
    vw_peer_close (self);
  G_OBJECT_CLASS (vw_peer_parent_class)->dispose (object);
}

static void
vw_peer_finalize (GObject *object)
{
  VwPeer *self = VW_PEER (object);
  g_ptr_array_unref (self->tees);
  gst_clear_object (&self->webrtcbin);
  gst_clear_object (&self->bin);
  g_main_context_unref (self->context);
  g_free (self->name);
  G_OBJECT_CLASS (vw_peer_parent_class)->finalize (object);
}

static void
vw_peer_init (VwPeer *self)
{
  self->tees = g_ptr_array_new_with_free_func (gst_object_unref);
  self->state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
}

static void
vw_peer_class_init (VwPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = vw_peer_dispose;
  object_class->finalize = vw_peer_finalize;

  GST_DEBUG_CATEGORY_INIT (vw_peer_debug, "vw-peer", 0, "virtual-window WebRTC peer");

  signals[SIGNAL_LOCAL_DESCRIPTION] = g_signal_new ("local-description",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_ICE_CANDIDATE] = g_signal_new ("ice-candidate",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_TRACK] = g_signal_new ("track",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, GST_TYPE_ELEMENT, G_TYPE_UINT, GST_TYPE_CAPS);
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_WEBRTC_PEER_CONNECTION_STATE);
  signals[SIGNAL_CHANNEL_OPEN] = g_signal_new ("channel-open",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  signals[SIGNAL_CHANNEL_CLOSED] = g_signal_new ("channel-closed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  signals[SIGNAL_CHANNEL_STRING] = g_signal_new ("channel-string",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_CHANNEL_DATA] = g_signal_new ("channel-data",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_FAILED] = g_signal_new ("failed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_ERROR);
}
