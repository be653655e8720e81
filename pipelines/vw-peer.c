/* vw-peer.c: one webrtcbin and its offer/answer exchange.
 *
 * Threading: webrtcbin emits its signals and resolves its promises on its
 * own threads.  Each callback here packs what it got into a VwHop and
 * invokes it on the peer's main context; all state lives on that context.
 */
#include "vw-peer-private.h"

#include <gst/sdp/sdp.h>

GST_DEBUG_CATEGORY (vw_peer_debug);

G_DEFINE_QUARK (vw-peer-error-quark, vw_peer_error)

guint peer_signals[N_SIGNALS];

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

void
peer_hop (VwPeer *self, HopFunc func, gpointer data, GDestroyNotify free_data)
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
  g_signal_emit (self, peer_signals[SIGNAL_FAILED], 0, error);
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
  g_signal_emit (self, peer_signals[SIGNAL_LOCAL_DESCRIPTION], 0, "offer", text);
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
    peer_hop (self, offer_ready, offer,
        (GDestroyNotify) gst_webrtc_session_description_free);
  else
    peer_hop (self, offer_failed, g_strdup (err ? err : "no offer"), g_free);
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
  peer_hop (user_data, answer_applied, err, g_free);
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
  peer_hop (user_data, offer_applied, err, g_free);
}

/* The answer goes to the other side only once webrtcbin has applied it
 * ("set-local-description" runs on its own thread): the other side starts
 * sending on the m-lines it added as soon as it has the answer, and a
 * stream that arrived here before our answer was applied was judged by
 * the previous one (its jitter buffer decided, for good, that it may not
 * ask for retransmissions, vw-peer-loss.c: seen on a loaded machine). */
typedef struct {
  VwPeer *peer;      /* owned ref */
  char *text;        /* the answer's SDP */
  char *error;       /* (nullable) webrtcbin's refusal */
} LocalAnswer;

static void
local_answer_free (gpointer data)
{
  LocalAnswer *a = data;
  g_object_unref (a->peer);
  g_free (a->text);
  g_free (a->error);
  g_free (a);
}

static void
local_answer_applied (VwPeer *self, gpointer data)
{
  LocalAnswer *a = data;
  if (a->error) {
    fail (self, VW_PEER_ERROR_NEGOTIATION, "our answer was refused: %s", a->error);
    return;
  }
  set_neg (self, NEG_STABLE);
  g_signal_emit (self, peer_signals[SIGNAL_LOCAL_DESCRIPTION], 0, "answer", a->text);
}

static void
on_local_answer_applied (GstPromise *promise, gpointer user_data)
{
  LocalAnswer *a = user_data;
  a->error = promise_error_text (promise);
  gst_promise_unref (promise);
  peer_hop (a->peer, local_answer_applied, a, local_answer_free);
}

static void
answer_ready (VwPeer *self, gpointer data)
{
  GstWebRTCSessionDescription *answer = data;
  LocalAnswer *a = g_new0 (LocalAnswer, 1);
  a->peer = g_object_ref (self);
  a->text = gst_sdp_message_as_text (answer->sdp);
  GstPromise *p = gst_promise_new_with_change_func (on_local_answer_applied, a, NULL);
  g_signal_emit_by_name (self->webrtcbin, "set-local-description", answer, p);
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
    peer_hop (self, answer_ready, answer,
        (GDestroyNotify) gst_webrtc_session_description_free);
  else
    peer_hop (self, answer_failed, g_strdup (err ? err : "no answer"), g_free);
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
  g_signal_emit (self, peer_signals[SIGNAL_ICE_CANDIDATE], 0, c->mline, c->candidate);
}

static void
on_ice_candidate (GstElement *webrtcbin, guint mline, const char *candidate,
    VwPeer *self)
{
  Candidate *c = g_new0 (Candidate, 1);
  c->mline = mline;
  c->candidate = g_strdup (candidate);
  peer_hop (self, candidate_ready, c, candidate_free);
}

void
vw_peer_add_ice_candidate (VwPeer *self, guint mline, const char *candidate)
{
  g_return_if_fail (VW_IS_PEER (self));
  if (self->closed || !candidate || !*candidate)
    return;   /* an empty candidate only marks the end of gathering */
  g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate", mline, candidate);
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
  g_signal_connect (self->webrtcbin, "pad-added", G_CALLBACK (peer_on_pad_added), self);
  g_signal_connect (self->webrtcbin, "notify::connection-state",
      G_CALLBACK (peer_on_connection_state), self);
  g_signal_connect (self->webrtcbin, "on-data-channel", G_CALLBACK (peer_on_data_channel), self);
  peer_tune_ice (self->webrtcbin);
  peer_setup_loss_recovery (self->webrtcbin);
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

  peer_signals[SIGNAL_LOCAL_DESCRIPTION] = g_signal_new ("local-description",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  peer_signals[SIGNAL_ICE_CANDIDATE] = g_signal_new ("ice-candidate",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  peer_signals[SIGNAL_TRACK] = g_signal_new ("track",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, GST_TYPE_ELEMENT, G_TYPE_UINT, GST_TYPE_CAPS);
  peer_signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_WEBRTC_PEER_CONNECTION_STATE);
  peer_signals[SIGNAL_CHANNEL_OPEN] = g_signal_new ("channel-open",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  peer_signals[SIGNAL_CHANNEL_CLOSED] = g_signal_new ("channel-closed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 0);
  peer_signals[SIGNAL_CHANNEL_STRING] = g_signal_new ("channel-string",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  peer_signals[SIGNAL_CHANNEL_DATA] = g_signal_new ("channel-data",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_BYTES);
  peer_signals[SIGNAL_FAILED] = g_signal_new ("failed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_ERROR);
}
