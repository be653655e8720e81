/* vw-call-media.c: our tracks out, remote tracks in.
 *
 * Sending: for each kind the hub has given us an m-line (a "send" entry of
 * its offer); we keep that m-line's sink pad for the whole session, so
 * stopping and restarting a screen share reuses it.  Receiving: one
 * VwRecvTrack per remote track, found by payload type (see PROTOCOL.md).
 */
#include "vw-call-media.h"
#include "vw-events.h"
#include "vw-media.h"
#include "vw-peer.h"
#include "vw-recv-track.h"
#include "vw-send-track.h"
#include "vw-snapshots.h"
#include "vw-sources.h"

#include <stdlib.h>
#include <gst/sdp/sdp.h>

GST_DEBUG_CATEGORY_STATIC (vw_call_media_debug);
#define GST_CAT_DEFAULT vw_call_media_debug

typedef struct {
  char *spec;                /* what we send; NULL: not sending */
  char *mid;                 /* our m-line for this kind, once offered */
  guint pt;                  /* its payload type */
  GstPad *sink;              /* its webrtcbin sink pad, kept */
  VwSendTrack *track;        /* running, or NULL */
  guint max_bitrate;         /* the hub's latest cap; 0: none */
} Outgoing;

struct _VwCallMedia {
  VwCallMediaConfig config;  /* sources[] and ice_address point into owned copies */
  char *ice_address;
  char *session;
  VwCallMediaCallbacks cb;
  gpointer user_data;
  GstElement *pipeline;
  VwPeer *peer;
  guint disconnected_source;  /* issue 12: disconnected too long = failed */
  Outgoing out[VW_TRACK_N_KINDS];
  GHashTable *live;          /* mid -> JsonObject: the tracks now being sent */
  GHashTable *known;         /* mid -> JsonObject: every track ever offered */
  GstSDPMessage *remote;     /* the latest offer */
  GHashTable *incoming;      /* mid -> VwRecvTrack* */
  GHashTable *tees;          /* mid -> GstElement* (ref): the latest stream's tee,
                              * kept after the track ends (see resume_tracks) */
  VwSnapshots *snapshots;
  gboolean connected;
  guint rtcp_retry;          /* until the RTP session exists */
};

/* ---- receiving ---- */

/* The mid of the offered m-line carrying the payload type in @caps.
 * webrtcbin's m-line index on a bundled receive pad is not reliable; the
 * hub makes payload types unique inside the bundle. */
static const char *
mid_of_payload (GstSDPMessage *sdp, GstCaps *caps)
{
  gint pt = -1;
  if (!sdp || !caps
      || !gst_structure_get_int (gst_caps_get_structure (caps, 0), "payload", &pt))
    return NULL;
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    for (guint f = 0; f < gst_sdp_media_formats_len (media); f++)
      if (atoi (gst_sdp_media_get_format (media, f)) == pt)
        return gst_sdp_media_get_attribute_val (media, "mid");
  }
  return NULL;
}

static void
on_track (VwPeer *peer, GstElement *tee, guint mline, GstCaps *caps,
    VwCallMedia *m)
{
  const char *mid = mid_of_payload (m->remote, caps);
  JsonObject *entry = mid ? g_hash_table_lookup (m->known, mid) : NULL;
  VwTrackKind kind;
  if (!entry || !vw_track_kind_from_string (
          json_object_get_string_member (entry, "kind"), &kind)) {
    GST_WARNING ("remote track %" GST_PTR_FORMAT " is not in the offer's table", caps);
    return;
  }
  /* A restarted share arrives as a new stream on the same m-line. */
  VwRecvTrack *t = vw_recv_track_new (GST_BIN (m->pipeline), tee, kind,
      json_object_get_string_member (entry, "peer"), mid, !m->config.headless,
      m->config.timecode);
  g_hash_table_replace (m->incoming, g_strdup (mid), t);
  g_hash_table_replace (m->tees, g_strdup (mid), gst_object_ref (tee));
  GST_INFO ("receiving %s on mid %s", vw_track_kind_to_string (kind), mid);
}

/* A track live again with no new stream yet: decode its last stream again.
 * A browser resumes a stopped share on the same SSRC (its RTCRtpSender keeps
 * it across replaceTrack), so webrtcbin makes no new pad and on_track()
 * never runs; a native sender's new stream, when it comes, replaces this in
 * on_track(). */
static void
resume_tracks (VwCallMedia *m)
{
  GHashTableIter iter;
  const char *mid;
  JsonObject *entry;
  g_hash_table_iter_init (&iter, m->live);
  while (g_hash_table_iter_next (&iter, (gpointer *) &mid, (gpointer *) &entry)) {
    GstElement *tee = g_hash_table_lookup (m->tees, mid);
    VwTrackKind kind;
    if (!tee || g_hash_table_contains (m->incoming, mid)
        || !g_str_equal (json_object_get_string_member (entry, "direction"), "recv")
        || !vw_track_kind_from_string (json_object_get_string_member (entry, "kind"), &kind))
      continue;
    VwRecvTrack *t = vw_recv_track_new (GST_BIN (m->pipeline), tee, kind,
        json_object_get_string_member (entry, "peer"), mid, !m->config.headless,
        m->config.timecode);
    g_hash_table_replace (m->incoming, g_strdup (mid), t);
    GST_INFO ("receiving %s on mid %s again (its last stream)",
        vw_track_kind_to_string (kind), mid);
  }
}

/* Tracks the hub no longer lists have ended at the sender. */
static void
drop_ended_tracks (VwCallMedia *m)
{
  GHashTableIter iter;
  const char *mid;
  VwRecvTrack *t;
  g_hash_table_iter_init (&iter, m->incoming);
  while (g_hash_table_iter_next (&iter, (gpointer *) &mid, (gpointer *) &t)) {
    if (g_hash_table_contains (m->live, mid))
      continue;
    vw_events_emit ("track-ended", vw_recv_track_describe (t));
    g_hash_table_iter_remove (&iter);
  }
}

static VwRecvTrack *
find_incoming (VwCallMedia *m, VwTrackKind kind)
{
  GHashTableIter iter;
  VwRecvTrack *t;
  g_hash_table_iter_init (&iter, m->incoming);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    if (vw_recv_track_get_kind (t) == kind)
      return t;
  return NULL;
}

guint
vw_call_media_request_keyframes (VwCallMedia *m)
{
  guint n = 0;
  GHashTableIter iter;
  VwRecvTrack *t;
  g_hash_table_iter_init (&iter, m->incoming);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    n += vw_recv_track_request_keyframe (t) ? 1 : 0;
  return n;
}

gboolean
vw_call_media_save_frame (VwCallMedia *m, VwTrackKind kind, const char *path,
    guint *width, guint *height, GError **error)
{
  VwRecvTrack *t = find_incoming (m, kind);
  if (!t || kind == VW_TRACK_AUDIO) {
    g_set_error (error, VW_MEDIA_ERROR, VW_MEDIA_ERROR_BAD_SOURCE,
        "no %s video is being received", vw_track_kind_to_string (kind));
    return FALSE;
  }
  return vw_recv_track_save_frame (t, path, width, height, error);
}

JsonArray *
vw_call_media_get_stats (VwCallMedia *m)
{
  JsonArray *arr = json_array_new ();
  GHashTableIter iter;
  VwRecvTrack *t;
  g_hash_table_iter_init (&iter, m->incoming);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    json_array_add_object_element (arr, vw_recv_track_get_stats (t));
  return arr;
}

/* ---- sending ----
 *
 * Each kind we send has one m-line at a time, offered by the hub; its sink
 * pad is kept while the m-line lives. */

JsonArray *
vw_call_media_get_send_stats (VwCallMedia *m)
{
  JsonArray *arr = json_array_new ();
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++)
    if (m->out[k].track)
      json_array_add_object_element (arr, vw_send_track_get_stats (m->out[k].track));
  return arr;
}

void
vw_call_media_publish (VwCallMedia *m)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_PUBLISH);
  JsonArray *tracks = json_array_new ();
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    if (!m->out[k].spec)
      continue;
    JsonObject *t = json_object_new ();
    json_object_set_string_member (t, "kind", vw_track_kind_to_string (k));
    json_array_add_object_element (tracks, t);
  }
  vw_message_set_string (msg, "session", m->session);
  vw_message_take_array (msg, "tracks", tracks);
  m->cb.send (msg, m->user_data);
}

static gboolean start_track (VwCallMedia *m, VwTrackKind kind, GError **error);

static void
stop_sending (VwCallMedia *m, VwTrackKind kind)
{
  g_clear_pointer (&m->out[kind].track, vw_send_track_free);
}

gboolean
vw_call_media_share (VwCallMedia *m, VwTrackKind kind, const char *spec,
    GError **error)
{
  if (!vw_source_is_none (spec) && !vw_call_media_check_source (kind, spec, error))
    return FALSE;
  Outgoing *out = &m->out[kind];
  stop_sending (m, kind);
  g_free (out->spec);
  out->spec = vw_source_is_none (spec) ? NULL : g_strdup (spec);
  /* With an m-line for the kind already negotiated the source starts at
   * once, as a new RTP stream on it; otherwise the hub's next offer has a
   * "send" entry for it. */
  if (out->spec && out->sink && !start_track (m, kind, error))
    return FALSE;
  vw_call_media_publish (m);
  return TRUE;
}

/* The m-line index of @mid in @sdp, or -1. */
static gint
mline_of_mid (GstSDPMessage *sdp, const char *mid)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    if (g_strcmp0 (gst_sdp_media_get_attribute_val (media, "mid"), mid) == 0)
      return i;
  }
  return -1;
}

/* Runs the source of @kind into its m-line's sink pad. */
static gboolean
start_track (VwCallMedia *m, VwTrackKind kind, GError **error)
{
  Outgoing *out = &m->out[kind];
  out->track = vw_send_track_new (kind, out->spec, out->pt, m->config.bitrates[kind],
      m->config.timecode, error);
  if (!out->track)
    return FALSE;
  vw_send_track_start (out->track, GST_BIN (m->pipeline), out->sink);
  if (out->max_bitrate)
    vw_send_track_set_max_bitrate (out->track, out->max_bitrate);
  if (m->connected)
    vw_send_track_force_keyframe (out->track);
  GST_INFO ("sending %s on mid %s with pt %u", vw_track_kind_to_string (kind),
      out->mid, out->pt);
  return TRUE;
}

static gboolean
entry_is_live (JsonObject *t)
{
  return json_object_get_boolean_member_with_default (t, "live", TRUE);
}

/* The sink pad of our m-line @mid for @kind, made when the hub first
 * offers it, whether or not we send on it yet. */
static gboolean
ensure_send_pad (VwCallMedia *m, const char *mid, VwTrackKind kind, GError **error)
{
  Outgoing *out = &m->out[kind];
  if (out->mid) {
    if (g_str_equal (out->mid, mid))
      return TRUE;
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_SDP,
        "the offer moved our %s from mid %s to %s", vw_track_kind_to_string (kind),
        out->mid, mid);
    return FALSE;
  }
  gint mline = mline_of_mid (m->remote, mid);
  const GstSDPMedia *media = mline >= 0 ? gst_sdp_message_get_media (m->remote, mline) : NULL;
  if (!media || gst_sdp_media_formats_len (media) < 1) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_SDP,
        "the offer has no m-line %s", mid);
    return FALSE;
  }
  out->pt = (guint) g_ascii_strtoull (gst_sdp_media_get_format (media, 0), NULL, 10);
  g_autoptr (GstCaps) caps = vw_rtp_caps_new (kind, out->pt);
  out->sink = vw_peer_request_send_pad (m->peer, caps,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, mline);
  out->mid = g_strdup (mid);
  return TRUE;
}

/* One of our own m-lines in the hub's table: its pad exists from the first
 * offer on; the source runs while the hub lists it live and we have one. */
static gboolean
apply_send_entry (VwCallMedia *m, JsonObject *t, GError **error)
{
  VwTrackKind kind;
  const char *mid = json_object_get_string_member (t, "mid");
  vw_track_kind_from_string (json_object_get_string_member (t, "kind"), &kind);
  Outgoing *out = &m->out[kind];
  if (!ensure_send_pad (m, mid, kind, error))
    return FALSE;
  if (out->track || !out->spec || !entry_is_live (t))
    return TRUE;
  return start_track (m, kind, error);
}

/* A receive-only transceiver with the offered codec, made before the offer
 * is applied: webrtcbin pairs it with that m-line, and renegotiations then
 * find the same codec there (left to itself, webrtcbin 1.22 sometimes
 * rejects such an m-line when it is offered again). */
static void
expect_track (VwCallMedia *m, JsonObject *t)
{
  VwTrackKind kind;
  gint mline = mline_of_mid (m->remote, json_object_get_string_member (t, "mid"));
  if (mline < 0 || !vw_track_kind_from_string (json_object_get_string_member (t, "kind"), &kind))
    return;
  const GstSDPMedia *media = gst_sdp_message_get_media (m->remote, mline);
  if (gst_sdp_media_formats_len (media) < 1)
    return;
  guint pt = (guint) g_ascii_strtoull (gst_sdp_media_get_format (media, 0), NULL, 10);
  g_autoptr (GstCaps) caps = vw_rtp_caps_new (kind, pt);
  g_autoptr (GstWebRTCRTPTransceiver) trans = vw_peer_add_recv_transceiver (m->peer, caps);
}

static void
note_live_tracks (VwCallMedia *m, JsonArray *tracks)
{
  g_hash_table_remove_all (m->live);
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    const char *mid = json_object_get_string_member (t, "mid");
    if (entry_is_live (t))
      g_hash_table_replace (m->live, g_strdup (mid), json_object_ref (t));
    g_hash_table_replace (m->known, g_strdup (mid), json_object_ref (t));
  }
  drop_ended_tracks (m);
  resume_tracks (m);
}

void
vw_call_media_handle_tracks (VwCallMedia *m, VwMessage *msg)
{
  JsonArray *tracks = vw_message_get_array_member (msg, "tracks");
  note_live_tracks (m, tracks);
  /* Our own tracks may have gone live (a share we started before the hub
   * knew our m-line). */
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    g_autoptr (GError) error = NULL;
    if (g_str_equal (json_object_get_string_member (t, "direction"), "send")
        && !apply_send_entry (m, t, &error))
      m->cb.failed (error, m->user_data);
  }
}

gboolean
vw_call_media_handle_offer (VwCallMedia *m, VwMessage *offer, GError **error)
{
  const char *sdp = vw_message_get_string (offer, "sdp", "");
  GstSDPMessage *parsed = NULL;
  if (gst_sdp_message_new_from_text (sdp, &parsed) != GST_SDP_OK) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_SDP,
        "the hub's offer does not parse");
    return FALSE;
  }
  g_clear_pointer (&m->remote, gst_sdp_message_free);
  m->remote = parsed;

  JsonArray *tracks = vw_message_get_array_member (offer, "tracks");
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    if (g_str_equal (json_object_get_string_member (t, "direction"), "send")) {
      if (!apply_send_entry (m, t, error))
        return FALSE;
    } else if (!g_hash_table_contains (m->known, json_object_get_string_member (t, "mid"))) {
      expect_track (m, t);
    }
  }
  note_live_tracks (m, tracks);
  g_autoptr (GError) local = NULL;
  if (!vw_peer_set_remote_offer (m->peer, sdp, &local)) {
    g_set_error_literal (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_SDP,
        local->message);
    return FALSE;
  }
  return TRUE;
}

void
vw_call_media_add_candidate (VwCallMedia *m, guint mline, const char *candidate)
{
  vw_peer_add_ice_candidate (m->peer, mline, candidate);
}

void
vw_call_media_force_keyframe (VwCallMedia *m, VwTrackKind kind)
{
  if (m->out[kind].track)
    vw_send_track_force_keyframe (m->out[kind].track);
}

void
vw_call_media_set_max_bitrate (VwCallMedia *m, VwTrackKind kind, guint max_bitrate)
{
  if (kind == VW_TRACK_AUDIO)
    return;
  m->out[kind].max_bitrate = max_bitrate;
  if (m->out[kind].track)
    vw_send_track_set_max_bitrate (m->out[kind].track, max_bitrate);
}

void
vw_call_media_send_snapshot (VwCallMedia *m, const char *id)
{
  vw_snapshots_send (m->snapshots, id, m->out[VW_TRACK_DOCUMENT].track);
}

void
vw_call_media_annotate (VwCallMedia *m, const char *id, guint x, guint y,
    guint w, guint h, const char *note)
{
  vw_snapshots_annotate (m->snapshots, id, x, y, w, h, note);
}

/* ---- peer callbacks ---- */

static void
on_local_description (VwPeer *peer, const char *type, const char *sdp,
    VwCallMedia *m)
{
  g_autoptr (VwMessage) answer = vw_message_new (VW_MSG_ANSWER);
  vw_message_set_string (answer, "session", m->session);
  vw_message_set_string (answer, "sdp", sdp);
  m->cb.send (answer, m->user_data);
}

static void
on_ice_candidate (VwPeer *peer, guint mline, const char *candidate,
    VwCallMedia *m)
{
  g_autoptr (VwMessage) ice = vw_message_new_ice (m->session, mline, candidate);
  m->cb.send (ice, m->user_data);
}

/* Which candidate pair carries the media: "ice-pair" {session, local,
 * local-protocol, remote, remote-protocol} (types host, srflx, prflx,
 * relay; protocols udp, tcp). */
static void
emit_ice_pair (VwCallMedia *m)
{
  VwIcePair pair;
  if (!vw_peer_get_selected_pair (m->peer, &pair))
    return;
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "session", m->session);
  json_object_set_string_member (o, "local", pair.local_type);
  json_object_set_string_member (o, "local-protocol", pair.local_protocol);
  json_object_set_string_member (o, "remote", pair.remote_type);
  json_object_set_string_member (o, "remote-protocol", pair.remote_protocol);
  vw_events_emit ("ice-pair", o);
}

/* Issue 12: a connection "disconnected" this long (consent lost, the
 * address gone) counts as failed; the call then resumes (vw-call.c). */
#define DISCONNECTED_GRACE_MS 5000

static gboolean
on_disconnected_too_long (gpointer data)
{
  VwCallMedia *m = data;
  m->disconnected_source = 0;
  g_autoptr (GError) error = g_error_new_literal (VW_PROTOCOL_ERROR,
      VW_PROTOCOL_ERROR_MEDIA_FAILED, "the media connection stayed disconnected");
  m->cb.failed (error, m->user_data);
  return G_SOURCE_REMOVE;
}

#define RTCP_MS 500

/* The RTP session may come a little after the connection. */
static gboolean
retry_rtcp_interval (gpointer data)
{
  VwCallMedia *m = data;
  if (!vw_peer_set_rtcp_interval (m->peer, RTCP_MS))
    return G_SOURCE_CONTINUE;
  m->rtcp_retry = 0;
  return G_SOURCE_REMOVE;
}

static void
on_state_changed (VwPeer *peer, GstWebRTCPeerConnectionState state,
    VwCallMedia *m)
{
  if (state != GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED)
    g_clear_handle_id (&m->disconnected_source, g_source_remove);
  else if (!m->disconnected_source)
    m->disconnected_source = g_timeout_add (DISCONNECTED_GRACE_MS,
        on_disconnected_too_long, m);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !m->connected) {
    m->connected = TRUE;
    /* Our receiver reports are what the hub adapts its senders to. */
    if (!vw_peer_set_rtcp_interval (m->peer, RTCP_MS) && !m->rtcp_retry)
      m->rtcp_retry = g_timeout_add (RTCP_MS, retry_rtcp_interval, m);
    /* The encoders' first keyframes went out before anyone could receive
     * them; start the far side's decoders now instead of on their request. */
    for (guint k = 0; k < VW_TRACK_N_KINDS; k++)
      vw_call_media_force_keyframe (m, k);
    emit_ice_pair (m);
    m->cb.connected (m->user_data);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    g_autoptr (GError) error = g_error_new_literal (VW_PROTOCOL_ERROR,
        VW_PROTOCOL_ERROR_MEDIA_FAILED, "the media connection failed");
    m->cb.failed (error, m->user_data);
  }
}

static void
on_failed (VwPeer *peer, const GError *error, VwCallMedia *m)
{
  m->cb.failed (error, m->user_data);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  VwCallMedia *m = user_data;
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  g_autoptr (GError) err = NULL;
  g_autofree char *dbg = NULL;
  gst_message_parse_error (message, &err, &dbg);
  GST_WARNING ("%s: %s (%s)", GST_OBJECT_NAME (message->src), err->message, dbg);
  g_autoptr (GError) error = g_error_new (VW_PROTOCOL_ERROR,
      VW_PROTOCOL_ERROR_MEDIA_FAILED, "%s: %s", GST_OBJECT_NAME (message->src),
      err->message);
  m->cb.failed (error, m->user_data);
  return G_SOURCE_CONTINUE;
}

/* ---- life cycle ---- */

gboolean
vw_call_media_check_source (VwTrackKind kind, const char *spec, GError **error)
{
  g_autoptr (VwSendTrack) t = vw_send_track_new (kind, spec, 96, 0, FALSE, error);
  return t != NULL;
}

/* The TURN servers of "paired" (RTCIceServer objects: "urls" a string or
 * an array, "username", "credential") into the webrtcbin, before it
 * negotiates.  STUN URLs are skipped: the hub is the public side and
 * needs no server-reflexive candidate from us.  A bad entry is reported
 * and skipped: the call may still work without it. */
static void
add_ice_servers (VwCallMedia *m, JsonArray *servers)
{
  for (guint i = 0; servers && i < json_array_get_length (servers); i++) {
    JsonNode *node = json_array_get_element (servers, i);
    JsonObject *server = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    JsonNode *urls = server ? json_object_get_member (server, "urls") : NULL;
    const char *user = server ? json_object_get_string_member_with_default (server,
        "username", NULL) : NULL;
    const char *cred = server ? json_object_get_string_member_with_default (server,
        "credential", NULL) : NULL;
    g_autoptr (GPtrArray) list = g_ptr_array_new ();
    if (urls && JSON_NODE_HOLDS_VALUE (urls) && json_node_get_value_type (urls) == G_TYPE_STRING)
      g_ptr_array_add (list, (gpointer) json_node_get_string (urls));
    else if (urls && JSON_NODE_HOLDS_ARRAY (urls)) {
      JsonArray *a = json_node_get_array (urls);
      for (guint j = 0; j < json_array_get_length (a); j++) {
        JsonNode *u = json_array_get_element (a, j);
        if (JSON_NODE_HOLDS_VALUE (u) && json_node_get_value_type (u) == G_TYPE_STRING)
          g_ptr_array_add (list, (gpointer) json_node_get_string (u));
      }
    }
    if (!list->len) {
      vw_events_emit_error ("bad-ice-server", "an ice-servers entry has no urls");
      continue;
    }
    for (guint j = 0; j < list->len; j++) {
      const char *url = g_ptr_array_index (list, j);
      if (g_str_has_prefix (url, "stun:"))
        continue;
      g_autoptr (GError) error = NULL;
      if (!user || !cred)
        vw_events_emit_error ("bad-ice-server", "a TURN server without username or credential");
      else if (!vw_peer_add_turn_server (m->peer, url, user, cred, &error))
        vw_events_emit_error ("bad-ice-server", error->message);
    }
  }
}

VwCallMedia *
vw_call_media_new (const VwCallMediaConfig *config, const char *session,
    const VwCallMediaCallbacks *callbacks, gpointer user_data)
{
  if (!vw_call_media_debug)
    GST_DEBUG_CATEGORY_INIT (vw_call_media_debug, "vw-call-media", 0,
        "virtual-window client media");
  VwCallMedia *m = g_new0 (VwCallMedia, 1);
  m->config = *config;
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    m->out[k].spec = vw_source_is_none (config->sources[k]) ? NULL
        : g_strdup (config->sources[k]);
    m->config.sources[k] = NULL;   /* m->out[] holds what we send now */
  }
  m->ice_address = g_strdup (config->ice_address);
  m->config.ice_address = m->ice_address;
  m->config.save_dir = NULL;   /* only vw_snapshots_new() reads it */
  m->session = g_strdup (session);
  m->cb = *callbacks;
  m->user_data = user_data;
  m->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) json_object_unref);
  m->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) json_object_unref);
  m->incoming = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) vw_recv_track_stop);
  m->tees = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, gst_object_unref);
  m->pipeline = gst_pipeline_new ("vw-call");
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (m->pipeline));
  gst_bus_add_watch (bus, on_bus_message, m);
  m->peer = vw_peer_new (GST_BIN (m->pipeline), "call", 50);
  if (m->ice_address)
    vw_peer_restrict_ice (m->peer, m->ice_address);
  if (config->ice_tcp)
    vw_peer_set_ice_tcp (m->peer, TRUE);
  if (config->relay_only)
    vw_peer_set_relay_only (m->peer, TRUE);
  add_ice_servers (m, config->ice_servers);
  m->config.ice_servers = NULL;
  g_signal_connect (m->peer, "local-description", G_CALLBACK (on_local_description), m);
  g_signal_connect (m->peer, "ice-candidate", G_CALLBACK (on_ice_candidate), m);
  g_signal_connect (m->peer, "track", G_CALLBACK (on_track), m);
  g_signal_connect (m->peer, "state-changed", G_CALLBACK (on_state_changed), m);
  g_signal_connect (m->peer, "failed", G_CALLBACK (on_failed), m);
  m->snapshots = vw_snapshots_new (m->peer, config->save_dir ? config->save_dir : ".",
      !config->headless);
  gst_element_set_state (m->pipeline, GST_STATE_PLAYING);
  return m;
}

void
vw_call_media_free (VwCallMedia *m)
{
  if (!m)
    return;
  g_clear_handle_id (&m->disconnected_source, g_source_remove);
  g_clear_handle_id (&m->rtcp_retry, g_source_remove);
  g_signal_handlers_disconnect_by_data (m->peer, m);
  g_clear_pointer (&m->snapshots, vw_snapshots_free);
  gst_element_set_state (m->pipeline, GST_STATE_NULL);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (m->pipeline));
  gst_bus_remove_watch (bus);
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    stop_sending (m, k);
    gst_clear_object (&m->out[k].sink);
    g_free (m->out[k].spec);
    g_free (m->out[k].mid);
  }
  g_hash_table_unref (m->incoming);
  g_hash_table_unref (m->tees);
  vw_peer_close (m->peer);
  g_clear_object (&m->peer);
  gst_clear_object (&m->pipeline);
  g_clear_pointer (&m->remote, gst_sdp_message_free);
  g_hash_table_unref (m->live);
  g_hash_table_unref (m->known);
  g_free (m->ice_address);
  g_free (m->session);
  g_free (m);
}
