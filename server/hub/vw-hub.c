/* vw-hub.c: forwards every participant's RTP to the other participants.
 *
 * Per participant: one VwPeer (webrtcbin) and a table of m-lines in
 * creation order, which is also their order in the SDP.  An "upstream" line
 * receives one of the participant's own tracks; a "downstream" line sends it
 * a track of another participant, fed from that track's tee through a queue.
 * The hub is always the offerer, so there is never glare.
 */
#include "vw-hub-private.h"
#include "vw-media.h"
#include "vw-payload-types.h"

#include <gst/sdp/sdp.h>
#include <gst/video/video.h>

GST_DEBUG_CATEGORY (vw_hub_debug);
#define GST_CAT_DEFAULT vw_hub_debug


/* ---- lines ---- */

/* Cuts the forwarding branch; the m-line stays as it is. */
static void
line_unlink (Line *line, GstBin *pipeline)
{
  if (line->tee_pad) {
    vw_media_detach_branch (line->tee_pad);
    gst_clear_object (&line->tee_pad);
  }
  /* Not stopped here: its thread may be held inside the receiver's
   * webrtcbin (a session that ends while it is still negotiating). */
  if (line->queue)
    vw_media_retire_element (pipeline, g_steal_pointer (&line->queue));
  gst_clear_object (&line->tee);
}

/* An m-line cannot be removed from SDP: a track that stops leaves its
 * m-line inactive, and the same m-line carries the track if it restarts. */
static void
line_set_active (Line *line, gboolean active)
{
  line->active = active;
  if (line->transceiver)
    g_object_set (line->transceiver, "direction", !active
        ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE
        : line->direction == LINE_UPSTREAM
        ? GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY
        : GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
}

static void
line_free (Line *line)
{
  g_assert (!line->tee_pad && !line->queue);
  gst_clear_object (&line->sink_pad);
  gst_clear_object (&line->transceiver);
  g_free (line->source);
  g_free (line->mid);
  g_free (line);
}

static Line *
line_new (VwTrackKind kind, LineDirection direction, const char *source)
{
  Line *line = g_new0 (Line, 1);
  line->kind = kind;
  line->direction = direction;
  line->source = g_strdup (source);
  line->active = TRUE;
  line->live = TRUE;
  return line;
}

/* ---- participants ---- */

static Participant *
lookup (VwHub *hub, const char *peer, GError **error)
{
  Participant *p = g_hash_table_lookup (hub->participants, peer);
  if (!p)
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "peer %s has no media session", peer);
  return p;
}

static gboolean
is_data_channel (const GstSDPMedia *media)
{
  return g_strcmp0 (gst_sdp_media_get_media (media), "application") == 0;
}

/* Lines are the offer's audio and video m-lines, in order; the data
 * channel's m-line sits among them wherever it was first negotiated. */
static void
note_mids (Participant *p, const GstSDPMessage *sdp)
{
  guint line = 0;
  p->sdp_mlines = gst_sdp_message_medias_len (sdp);
  for (guint i = 0; i < p->sdp_mlines; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    if (is_data_channel (media) || line >= p->lines->len)
      continue;
    Line *l = g_ptr_array_index (p->lines, line++);
    g_free (l->mid);
    l->mid = g_strdup (gst_sdp_media_get_attribute_val (media, "mid"));
  }
  p->lines_in_sdp = line;
}

/* The SDP m-line index a line created now will have: after the latest
 * offer's m-lines (data channel included) and the lines added since. */
static guint
next_mline (Participant *p)
{
  if (p->sdp_mlines == 0)
    return p->lines->len;
  return p->sdp_mlines + (p->lines->len - p->lines_in_sdp);
}

/* The tracks of @p's connection, as the "tracks" table of "offer" and
 * "tracks" messages: every active m-line, and whether it carries a track
 * now ("live"). */
static JsonArray *
tracks_table (Participant *p)
{
  JsonArray *tracks = json_array_new ();
  for (guint i = 0; i < p->lines->len; i++) {
    Line *line = g_ptr_array_index (p->lines, i);
    if (!line->active || !line->mid)
      continue;
    JsonObject *t = json_object_new ();
    json_object_set_string_member (t, "mid", line->mid);
    json_object_set_string_member (t, "kind", vw_track_kind_to_string (line->kind));
    /* Directions are the client's point of view. */
    json_object_set_string_member (t, "direction",
        line->direction == LINE_UPSTREAM ? "send" : "recv");
    json_object_set_string_member (t, "peer", line->source);
    json_object_set_boolean_member (t, "live", line->live);
    json_array_add_object_element (tracks, t);
  }
  return tracks;
}

/* Offers are coalesced: everything that changes a participant's m-lines in
 * one turn of the main loop goes into one offer.  The first offer also waits
 * (at most FIRST_OFFER_WAIT_MS) until every participant of the session has
 * published, so that a call negotiates once instead of twice. */
#define FIRST_OFFER_WAIT_MS 300

static gboolean session_all_published (Session *s);

static gboolean
negotiate_now (gpointer data)
{
  Participant *p = data;
  p->negotiate_source = 0;
  if (p->lines->len > 0) {
    p->offered = TRUE;
    vw_peer_negotiate (p->peer);
  }
  return G_SOURCE_REMOVE;
}

static void
negotiate_soon (Participant *p)
{
  gboolean wait = !p->offered && !session_all_published (p->session);
  if (p->negotiate_source && !wait) {
    /* Everyone has published now: no reason to wait any longer. */
    g_source_remove (p->negotiate_source);
    p->negotiate_source = 0;
  }
  if (!p->negotiate_source)
    p->negotiate_source = wait
        ? g_timeout_add (FIRST_OFFER_WAIT_MS, negotiate_now, p)
        : g_idle_add (negotiate_now, p);
}

/* An inactive m-line (its participant left) still names, in webrtcbin's
 * SDP, the SSRCs of the stream it carried.  The hub forwards a
 * participant's stream with its own SSRC, so when the same person comes
 * back on new m-lines a receiver could demux the stream to the old,
 * inactive line (Chrome does) and the new one would get nothing.  A line
 * that carries nothing names no stream. */
static void
drop_inactive_ssrcs (GstSDPMessage *msg)
{
  static const char *const stream_attrs[] = { "ssrc", "ssrc-group", "msid" };
  for (guint i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (msg, i);
    gboolean inactive = FALSE;
    for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++)
      inactive |= g_str_equal (gst_sdp_media_get_attribute (media, a)->key, "inactive");
    if (!inactive)
      continue;
    for (guint a = gst_sdp_media_attributes_len (media); a > 0; a--) {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, a - 1);
      if (g_strv_contains (stream_attrs, attr->key))
        gst_sdp_media_remove_attribute (media, a - 1);
    }
  }
}

static void
on_local_description (VwPeer *peer, const char *type, const char *sdp,
    Participant *p)
{
  g_return_if_fail (g_str_equal (type, "offer"));
  GstSDPMessage *msg = NULL;
  gst_sdp_message_new_from_text (sdp, &msg);
  drop_inactive_ssrcs (msg);
  g_autofree char *text = gst_sdp_message_as_text (msg);
  g_autoptr (VwMessage) offer = vw_message_new (VW_MSG_OFFER);
  vw_message_set_string (offer, "session", p->session->id);
  vw_message_set_string (offer, "sdp", text);
  note_mids (p, msg);
  vw_message_take_array (offer, "tracks", tracks_table (p));
  gst_sdp_message_free (msg);
  GST_DEBUG ("offer to %s with %u m-lines", p->id, p->lines->len);
  p->hub->cb.send (p->id, offer, p->hub->user_data);
}

static void
on_ice_candidate (VwPeer *peer, guint mline, const char *candidate,
    Participant *p)
{
  g_autoptr (VwMessage) ice = vw_message_new_ice (p->session->id, mline, candidate);
  p->hub->cb.send (p->id, ice, p->hub->user_data);
}

static void
report_failure (Participant *p, const GError *error)
{
  p->hub->cb.media_failed (p->session->id, p->id, error, p->hub->user_data);
}

static void
on_failed (VwPeer *peer, const GError *error, Participant *p)
{
  report_failure (p, error);
}

/* Asks the sender of every video track @p receives for a keyframe, so @p
 * starts decoding at once.  Two ways: a "keyframe" message, which native
 * clients obey at once, and an upstream force-key-unit event that the
 * sender's rtpsession turns into RTCP PLI (what browsers obey), slower
 * because of RTCP timing rules. */
/* Asks @src for a keyframe of its @kind track, both ways (see below). */
void
vw_hub_request_keyframe (Participant *src, VwTrackKind kind)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_KEYFRAME);
  vw_message_set_string (msg, "session", src->session->id);
  vw_message_set_string (msg, "kind", vw_track_kind_to_string (kind));
  src->hub->cb.send (src->id, msg, src->hub->user_data);
  if (src->tees[kind])
    gst_element_send_event (src->tees[kind],
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}

static void
request_keyframes (Participant *p)
{
  for (guint i = 0; i < p->lines->len; i++) {
    Line *line = g_ptr_array_index (p->lines, i);
    if (line->direction != LINE_DOWNSTREAM || !line->tee_pad
        || line->kind == VW_TRACK_AUDIO)
      continue;
    g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_KEYFRAME);
    vw_message_set_string (msg, "session", p->session->id);
    vw_message_set_string (msg, "kind", vw_track_kind_to_string (line->kind));
    p->hub->cb.send (line->source, msg, p->hub->user_data);
    gst_pad_send_event (line->tee_pad,
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
  }
}

/* Tells the broker, once, that @p has published and is connected, in
 * whichever order the two came. */
static void
note_media_started (Participant *p)
{
  if (!p->published || p->viewer || p->media_started
      || vw_peer_get_state (p->peer) != GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    return;
  p->media_started = TRUE;
  if (p->hub->cb.media_started)
    p->hub->cb.media_started (p->session->id, p->id, p->hub->user_data);
}

/* Issue 12: a connection that was up and is lost (failed, or
 * disconnected for VW_HUB_DISCONNECTED_GRACE_MS: consent freshness lost,
 * the address gone) is reported from the main loop, outside the
 * connection's own signals, so the broker may reset the participant. */
static gboolean
report_lost (gpointer data)
{
  Participant *p = data;
  p->lost_source = 0;
  GST_INFO ("%s: media connection lost", p->id);
  if (p->hub->cb.media_lost) {
    p->hub->cb.media_lost (p->session->id, p->id, p->hub->user_data);
    return G_SOURCE_REMOVE;
  }
  g_autoptr (GError) error = g_error_new_literal (VW_PROTOCOL_ERROR,
      VW_PROTOCOL_ERROR_MEDIA_FAILED, "the media connection failed");
  report_failure (p, error);
  return G_SOURCE_REMOVE;
}

void
vw_hub_report_lost_soon (Participant *p)
{
  g_clear_handle_id (&p->lost_source, g_source_remove);
  p->lost_source = g_idle_add (report_lost, p);
}

static void
on_state_changed (VwPeer *peer, GstWebRTCPeerConnectionState state,
    Participant *p)
{
  GST_INFO ("%s: connection state %d", p->id, state);
  if (state != GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED)
    g_clear_handle_id (&p->lost_source, g_source_remove);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    request_keyframes (p);
    note_media_started (p);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    vw_hub_report_lost_soon (p);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED
      && !p->lost_source && p->hub->cb.media_lost) {
    p->lost_source = g_timeout_add (VW_HUB_DISCONNECTED_GRACE_MS, report_lost, p);
  }
}

/* Gives @dst an m-line that will carry @src's track of @kind.  Created when
 * the track is announced rather than when its first packet arrives, so the
 * participant negotiates its sending and receiving m-lines in one round. */
static Line *
add_downstream (Participant *src, VwTrackKind kind, guint pt, Participant *dst)
{
  Line *line = line_new (kind, LINE_DOWNSTREAM, src->id);
  line->pt = pt;
  g_autoptr (GstCaps) caps = vw_rtp_caps_new (kind, pt);
  line->sink_pad = vw_peer_request_send_pad (dst->peer, caps,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, next_mline (dst));
  g_object_get (line->sink_pad, "transceiver", &line->transceiver, NULL);
  /* One media stream per participant at the far end (a=msid). */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (line->sink_pad), "msid"))
    g_object_set (line->sink_pad, "msid", src->id, NULL);
  g_ptr_array_add (dst->lines, line);
  GST_INFO ("m-line %u of %s will carry %s of %s", dst->lines->len - 1, dst->id,
      vw_track_kind_to_string (kind), src->id);
  return line;
}

/* Feeds @line from @tee through a queue: RTP as received, not decoded. */
static void
connect_downstream (Participant *dst, Line *line, GstElement *tee)
{
  VwHub *hub = dst->hub;
  line->tee = gst_object_ref (tee);
  line->queue = gst_element_factory_make ("queue", NULL);
  /* A slow receiver drops its own packets instead of stalling the others. */
  g_object_set (line->queue, "leaky", 2, "max-size-buffers", 0,
      "max-size-bytes", 0, "max-size-time", (guint64) 500 * GST_MSECOND, NULL);
  gst_bin_add (GST_BIN (hub->pipeline), line->queue);
  g_autoptr (GstPad) queue_src = gst_element_get_static_pad (line->queue, "src");
  g_autoptr (GstPad) queue_sink = gst_element_get_static_pad (line->queue, "sink");
  gst_pad_link (queue_src, line->sink_pad);
  gst_element_sync_state_with_parent (line->queue);
  line->tee_pad = gst_element_request_pad_simple (line->tee, "src_%u");
  gst_pad_link (line->tee_pad, queue_sink);
  GST_INFO ("forwarding %s of %s to %s", vw_track_kind_to_string (line->kind),
      line->source, dst->id);
  if (vw_peer_get_state (dst->peer) == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    request_keyframes (dst);
}

/* The (active) m-line of @p carrying @src's track of @kind, live or not. */
static Line *
find_line (Participant *p, LineDirection direction, const char *src, VwTrackKind kind)
{
  for (guint i = 0; i < p->lines->len; i++) {
    Line *line = g_ptr_array_index (p->lines, i);
    if (line->direction == direction && line->kind == kind && line->active
        && g_str_equal (line->source, src))
      return line;
  }
  return NULL;
}

Line *
vw_hub_find_live_upstream (Participant *p, VwTrackKind kind)
{
  Line *up = find_line (p, LINE_UPSTREAM, p->id, kind);
  return up && up->live ? up : NULL;
}

/* Tells @p which tracks of its connection are live, when that changes
 * without a new offer. */
static void
send_tracks (Participant *p)
{
  if (!p->offered)
    return;   /* the first offer will carry them */
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_TRACKS);
  vw_message_set_string (msg, "session", p->session->id);
  vw_message_take_array (msg, "tracks", tracks_table (p));
  p->hub->cb.send (p->id, msg, p->hub->user_data);
}

/* The upstream line whose payload type @caps carry.  webrtcbin's m-line
 * index on a bundled receive pad is not reliable, the payload type is: it
 * is unique inside the bundle (see vw-payload-types.h). */
/* Feeds @p's current stream of @kind to every other participant. */
void
vw_hub_forward_to_all (Participant *p, VwTrackKind kind)
{
  for (guint i = 0; i < p->session->participants->len; i++) {
    Participant *other = g_ptr_array_index (p->session->participants, i);
    Line *down = other != p ? find_line (other, LINE_DOWNSTREAM, p->id, kind) : NULL;
    if (!down || !down->live || !p->tees[kind])
      continue;
    line_unlink (down, GST_BIN (p->hub->pipeline));
    connect_downstream (other, down, p->tees[kind]);
  }
}

static Line *
upstream_line_for_caps (Participant *p, GstCaps *caps)
{
  gint pt = -1;
  gst_structure_get_int (gst_caps_get_structure (caps, 0), "payload", &pt);
  for (guint i = 0; i < p->lines->len; i++) {
    Line *line = g_ptr_array_index (p->lines, i);
    if (line->direction == LINE_UPSTREAM && (gint) line->pt == pt)
      return line;
  }
  return NULL;
}

/* A new stream of @p's: the first, or a restarted share (a new SSRC on the
 * same m-line), which replaces the old one for every receiver.  It may
 * arrive before the "publish" that makes it live (media and signalling
 * race); it is kept, and forwarded once live. */
static void
on_track (VwPeer *peer, GstElement *tee, guint mline, GstCaps *caps,
    Participant *p)
{
  Line *line = caps ? upstream_line_for_caps (p, caps) : NULL;
  if (!line || !line->active) {
    GST_WARNING ("%s: unexpected track %" GST_PTR_FORMAT, p->id, caps);
    return;
  }
  VwTrackKind kind = line->kind;
  vw_hub_drop_paused (p, kind);
  gst_clear_object (&p->tees[kind]);
  p->tees[kind] = gst_object_ref (tee);
  vw_hub_watch_tee (p, tee);
  GST_INFO ("%s: receiving %s%s", p->id, vw_track_kind_to_string (kind),
      line->live ? "" : " (not live yet)");
  if (line->live)
    vw_hub_forward_to_all (p, kind);
  vw_hub_recording_update (p, kind);
}

/* A new webrtcbin for @p (its first, or after vw_hub_reset_participant()). */
static void
participant_make_peer (Participant *p)
{
  VwHub *hub = p->hub;
  /* Element names must be unique in the pipeline, and the old one may
   * still be retiring. */
  static guint generation;
  g_autofree char *name = g_strdup_printf ("peer-%s-%u", p->id, generation++);
  /* Video waits up to latency_ms for a retransmission; audio is not
   * retransmitted, and its gaps are waited for briefly. */
  p->peer = vw_peer_new (GST_BIN (hub->pipeline), name, hub->config.latency_ms);
  vw_peer_set_plain_latency (p->peer, MIN (hub->config.latency_ms, VW_HUB_AUDIO_LATENCY_MS));
  vw_peer_forward_unsynced (p->peer);
  if (hub->ice_address)
    vw_peer_restrict_ice (p->peer, hub->ice_address);
  /* ICE-TCP and the port range: see README, "Firewalls and TURN". */
  vw_peer_set_ice_tcp (p->peer, hub->config.ice_tcp);
  if (hub->config.ice_port_max)
    vw_peer_set_ice_ports (p->peer, hub->config.ice_port_min, hub->config.ice_port_max);
  g_signal_connect (p->peer, "local-description", G_CALLBACK (on_local_description), p);
  g_signal_connect (p->peer, "ice-candidate", G_CALLBACK (on_ice_candidate), p);
  g_signal_connect (p->peer, "track", G_CALLBACK (on_track), p);
  g_signal_connect (p->peer, "state-changed", G_CALLBACK (on_state_changed), p);
  g_signal_connect (p->peer, "failed", G_CALLBACK (on_failed), p);
  vw_hub_snapshots_attach (p);
  vw_hub_watch_start (p);
}

static Participant *
participant_new (VwHub *hub, Session *session, const char *id)
{
  Participant *p = g_new0 (Participant, 1);
  p->hub = hub;
  p->session = session;
  p->id = g_strdup (id);
  p->slot = session->next_slot++;
  p->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  participant_make_peer (p);
  return p;
}

/* Stops every forwarding branch into @p and every one out of it. */
static void
participant_unlink (Participant *p)
{
  GstBin *pipeline = GST_BIN (p->hub->pipeline);
  for (guint i = 0; i < p->lines->len; i++)
    line_unlink (g_ptr_array_index (p->lines, i), pipeline);

  for (guint i = 0; i < p->session->participants->len; i++) {
    Participant *other = g_ptr_array_index (p->session->participants, i);
    gboolean changed = FALSE;
    if (other == p)
      continue;
    for (guint j = 0; j < other->lines->len; j++) {
      Line *line = g_ptr_array_index (other->lines, j);
      if (line->direction != LINE_DOWNSTREAM || !line->active
          || !g_str_equal (line->source, p->id))
        continue;
      line_unlink (line, pipeline);
      line_set_active (line, FALSE);
      changed = TRUE;
    }
    if (changed)
      negotiate_soon (other);
  }
}

/* Closes @p's connection (webrtcbin) and forgets what came on it; its
 * lines stay. */
static void
participant_drop_peer (Participant *p)
{
  g_clear_handle_id (&p->negotiate_source, g_source_remove);
  g_clear_handle_id (&p->lost_source, g_source_remove);
  vw_hub_watch_stop (p);
  vw_hub_snapshots_detach (p);
  vw_hub_log_loss (p);
  g_signal_handlers_disconnect_by_data (p->peer, p);
  vw_peer_close (p->peer);
  g_clear_object (&p->peer);
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    vw_hub_drop_paused (p, k);
    gst_clear_object (&p->tees[k]);
  }
}

static void
participant_free (Participant *p)
{
  participant_drop_peer (p);
  g_ptr_array_free (p->lines, TRUE);
  g_free (p->id);
  g_free (p);
}

static gboolean
session_all_published (Session *s)
{
  for (guint i = 0; i < s->participants->len; i++)
    if (!((Participant *) g_ptr_array_index (s->participants, i))->published)
      return FALSE;
  return TRUE;
}

static void
session_free (Session *s)
{
  vw_hub_snapshots_session_free (s);
  g_ptr_array_unref (s->participants);
  g_free (s->id);
  g_free (s);
}

/* ---- messages from participants ---- */

/* An upstream m-line for @p's @kind, and a downstream one at every other
 * participant, with a payload type of its own. */
static gboolean
add_track (Participant *p, VwTrackKind kind, gboolean live, GError **error)
{
  guint pt;
  if (!vw_payload_type_for_track (p->session->tracks, &pt)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "this session has carried %d tracks, the most it can", VW_PT_MAX_TRACKS);
    return FALSE;
  }
  p->session->tracks++;
  g_autoptr (GstCaps) caps = vw_rtp_caps_new (kind, pt);
  vw_hub_bwe_offer_feedback (caps);
  Line *up = line_new (kind, LINE_UPSTREAM, p->id);
  up->pt = pt;
  up->live = live;
  up->transceiver = vw_peer_add_recv_transceiver (p->peer, caps);
  g_ptr_array_add (p->lines, up);
  for (guint i = 0; i < p->session->participants->len; i++) {
    Participant *other = g_ptr_array_index (p->session->participants, i);
    if (other != p) {
      add_downstream (p, kind, pt, other)->live = live;
      negotiate_soon (other);
    }
  }
  GST_INFO ("%s sends %s with pt %u", p->id, vw_track_kind_to_string (kind), pt);
  return TRUE;
}

/* @p stops or restarts sending @kind.  Its m-lines stay as negotiated:
 * renegotiating a direction change is fragile in webrtcbin 1.22 (an
 * inactive m-line cannot come back), and nothing needs to change in SDP.
 * The hub stops or resumes forwarding and tells everyone which tracks are
 * live; a restarted source is a new RTP stream on the same m-line. */
static void
set_track_live (Participant *p, Line *up, gboolean live)
{
  GstBin *pipeline = GST_BIN (p->hub->pipeline);
  up->live = live;
  if (!live)
    vw_hub_pause_stream (p, up->kind);
  for (guint i = 0; i < p->session->participants->len; i++) {
    Participant *other = g_ptr_array_index (p->session->participants, i);
    Line *down = other != p ? find_line (other, LINE_DOWNSTREAM, p->id, up->kind) : NULL;
    if (!down)
      continue;
    line_unlink (down, pipeline);
    down->live = live;
    send_tracks (other);
  }
  /* A stream that arrived before this publish starts flowing now; a
   * browser's resumes on its old stream. */
  if (live) {
    vw_hub_forward_to_all (p, up->kind);
    vw_hub_watch_paused (p, up->kind);
  }
  vw_hub_recording_update (p, up->kind);
  send_tracks (p);
  GST_INFO ("%s %s %s", p->id, live ? "restarts" : "stops",
      vw_track_kind_to_string (up->kind));
}

static gboolean
handle_publish (Participant *p, VwMessage *msg, GError **error)
{
  JsonArray *tracks = vw_message_get_array_member (msg, "tracks");
  gboolean wanted[VW_TRACK_N_KINDS] = { FALSE };
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    VwTrackKind kind;
    if (vw_track_kind_from_string (json_object_get_string_member (t, "kind"), &kind))
      wanted[kind] = TRUE;
  }

  /* The first publish negotiates an m-line for every kind, sent now or
   * not: starting a screen share or the document camera later is then only
   * a matter of "live", with no renegotiation (which webrtcbin 1.22 gets
   * wrong now and then once a data channel is in the bundle). */
  gboolean changed = FALSE;
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    Line *up = find_line (p, LINE_UPSTREAM, p->id, k);
    if (!up) {
      if (!add_track (p, k, wanted[k], error))
        return FALSE;
      changed = TRUE;
    } else if (up->live != wanted[k]) {
      set_track_live (p, up, wanted[k]);
    }
  }
  p->published = TRUE;
  note_media_started (p);   /* connected before its first publish */
  if (changed || !p->offered)
    negotiate_soon (p);
  /* Others may have been waiting for this participant's publish. */
  for (guint i = 0; i < p->session->participants->len; i++) {
    Participant *other = g_ptr_array_index (p->session->participants, i);
    if (other != p && !other->offered && other->negotiate_source)
      negotiate_soon (other);
  }
  return TRUE;
}

static gboolean
handle_answer (Participant *p, VwMessage *msg, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (vw_peer_set_remote_answer (p->peer, vw_message_get_string (msg, "sdp", ""),
          &local))
    return TRUE;
  g_set_error_literal (error, VW_PROTOCOL_ERROR,
      g_error_matches (local, VW_PEER_ERROR, VW_PEER_ERROR_BAD_SDP)
          ? VW_PROTOCOL_ERROR_BAD_SDP : VW_PROTOCOL_ERROR_WRONG_STATE,
      local->message);
  return FALSE;
}

static gboolean
handle_snapshot_request (Participant *p, VwMessage *msg, GError **error)
{
  return vw_hub_snapshot_request (p, error);
}

static gboolean
handle_ice (Participant *p, VwMessage *msg, GError **error)
{
  gint64 mline = vw_message_get_int (msg, "mline", 0);
  if (mline >= 64) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_FIELD,
        "m-line %" G_GINT64_FORMAT " does not exist", mline);
    return FALSE;
  }
  vw_peer_add_ice_candidate (p->peer, (guint) mline,
      vw_message_get_string (msg, "candidate", ""));
  return TRUE;
}

typedef gboolean (*Handler) (Participant *p, VwMessage *msg, GError **error);

static const struct {
  VwMessageType type;
  Handler handler;
} handlers[] = {
  { VW_MSG_PUBLISH, handle_publish },
  { VW_MSG_ANSWER, handle_answer },
  { VW_MSG_ICE, handle_ice },
  { VW_MSG_SNAPSHOT_REQUEST, handle_snapshot_request },
};

gboolean
vw_hub_handle_message (VwHub *hub, const char *peer, VwMessage *msg,
    GError **error)
{
  g_return_val_if_fail (hub && peer && msg, FALSE);
  Participant *p = lookup (hub, peer, error);
  if (!p)
    return FALSE;
  VwMessageType type = vw_message_get_msg_type (msg);
  if (p->viewer && (type == VW_MSG_PUBLISH || type == VW_MSG_SNAPSHOT_REQUEST)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_ROLE,
        "watching live is receive-only: no '%s'", vw_message_type_to_string (type));
    return FALSE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    if (handlers[i].type == vw_message_get_msg_type (msg))
      return handlers[i].handler (p, msg, error);
  g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_TYPE,
      "the hub does not handle '%s'",
      vw_message_type_to_string (vw_message_get_msg_type (msg)));
  return FALSE;
}

/* ---- sessions ---- */

gboolean
vw_hub_join (VwHub *hub, const char *session_id, const char *peer,
    GError **error)
{
  g_return_val_if_fail (hub && session_id && peer, FALSE);
  if (g_hash_table_contains (hub->participants, peer)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_WRONG_STATE,
        "peer %s is already in a media session", peer);
    return FALSE;
  }
  Session *s = g_hash_table_lookup (hub->sessions, session_id);
  if (!s) {
    s = g_new0 (Session, 1);
    s->id = g_strdup (session_id);
    s->participants = g_ptr_array_new_with_free_func ((GDestroyNotify) participant_free);
    s->snapshots = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, NULL);
    g_hash_table_insert (hub->sessions, s->id, s);
  }
  Participant *p = participant_new (hub, s, peer);
  g_ptr_array_add (s->participants, p);
  g_hash_table_insert (hub->participants, p->id, p);
  GST_INFO ("%s joined session %s in slot %u", peer, session_id, p->slot);

  /* Tracks already announced in the session go to the newcomer too. */
  for (guint i = 0; i < s->participants->len; i++) {
    Participant *other = g_ptr_array_index (s->participants, i);
    for (guint j = 0; other != p && j < other->lines->len; j++) {
      Line *up = g_ptr_array_index (other->lines, j);
      if (up->direction != LINE_UPSTREAM || !up->active)
        continue;
      Line *down = add_downstream (other, up->kind, up->pt, p);
      down->live = up->live;
      if (up->live && other->tees[up->kind])
        connect_downstream (p, down, other->tees[up->kind]);
    }
  }
  return TRUE;
}

gboolean
vw_hub_join_viewer (VwHub *hub, const char *session_id, const char *peer,
    GError **error)
{
  g_return_val_if_fail (hub && session_id && peer, FALSE);
  if (!g_hash_table_contains (hub->sessions, session_id)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_UNKNOWN_SESSION,
        "the hub carries no session %s", session_id);
    return FALSE;
  }
  if (!vw_hub_join (hub, session_id, peer, error))
    return FALSE;
  Participant *p = g_hash_table_lookup (hub->participants, peer);
  p->viewer = TRUE;
  p->published = TRUE;   /* it never will: nothing to wait for */
  negotiate_soon (p);
  return TRUE;
}

void
vw_hub_leave (VwHub *hub, const char *peer)
{
  g_return_if_fail (hub && peer);
  Participant *p = g_hash_table_lookup (hub->participants, peer);
  if (!p)
    return;
  Session *s = p->session;
  GST_INFO ("%s leaves session %s", peer, s->id);
  vw_hub_recording_stop_all (p);
  participant_unlink (p);
  g_hash_table_remove (hub->participants, peer);
  g_ptr_array_remove (s->participants, p);
  if (s->participants->len == 0)
    g_hash_table_remove (hub->sessions, s->id);
}

/* ---- drop-outs (issue 12) ---- */

static Participant *
find_in_session (Session *s, const char *peer)
{
  for (guint i = 0; i < s->participants->len; i++) {
    Participant *p = g_ptr_array_index (s->participants, i);
    if (g_str_equal (p->id, peer))
      return p;
  }
  return NULL;
}

gboolean
vw_hub_reset_participant (VwHub *hub, const char *peer)
{
  g_return_val_if_fail (hub && peer, FALSE);
  Participant *p = g_hash_table_lookup (hub->participants, peer);
  if (!p || p->viewer)
    return FALSE;
  GstBin *pipeline = GST_BIN (hub->pipeline);
  GST_INFO ("%s: new media connection (the old one is dropped)", p->id);
  vw_hub_recording_stop_all (p);
  /* What the others receive of it stops; their m-lines stay. */
  for (guint i = 0; i < p->session->participants->len; i++) {
    Participant *other = g_ptr_array_index (p->session->participants, i);
    for (guint j = 0; other != p && j < other->lines->len; j++) {
      Line *line = g_ptr_array_index (other->lines, j);
      if (line->direction == LINE_DOWNSTREAM && g_str_equal (line->source, p->id))
        line_unlink (line, pipeline);
    }
  }
  for (guint i = 0; i < p->lines->len; i++)
    line_unlink (g_ptr_array_index (p->lines, i), pipeline);
  /* Its connection goes. */
  participant_drop_peer (p);
  /* A new one, with the same lines in the same order: its own tracks with
   * their payload types, and the others' live tracks fed at once.  Lines
   * of participants who left are not carried over. */
  g_autoptr (GPtrArray) old = g_steal_pointer (&p->lines);
  p->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  p->sdp_mlines = p->lines_in_sdp = 0;
  p->offered = p->published = p->media_started = FALSE;
  participant_make_peer (p);
  for (guint i = 0; i < old->len; i++) {
    Line *was = g_ptr_array_index (old, i);
    if (!was->active)
      continue;
    if (was->direction == LINE_UPSTREAM) {
      g_autoptr (GstCaps) caps = vw_rtp_caps_new (was->kind, was->pt);
      Line *up = line_new (was->kind, LINE_UPSTREAM, p->id);
      up->pt = was->pt;
      up->live = was->live;
      up->transceiver = vw_peer_add_recv_transceiver (p->peer, caps);
      g_ptr_array_add (p->lines, up);
      continue;
    }
    Participant *src = find_in_session (p->session, was->source);
    if (!src)
      continue;
    Line *down = add_downstream (src, was->kind, was->pt, p);
    down->live = was->live;
    if (down->live && src->tees[was->kind])
      connect_downstream (p, down, src->tees[was->kind]);
  }
  return TRUE;
}

void
vw_hub_get_counts (VwHub *hub, guint *participants, guint *sessions,
    guint *webrtcbins)
{
  guint n = 0;
  g_autoptr (GstIterator) it = gst_bin_iterate_elements (GST_BIN (hub->pipeline));
  GValue item = G_VALUE_INIT;
  gboolean done = FALSE;
  while (!done) {
    switch (gst_iterator_next (it, &item)) {
    case GST_ITERATOR_OK: {
      GstElementFactory *f = gst_element_get_factory (g_value_get_object (&item));
      n += f && g_str_equal (GST_OBJECT_NAME (f), "webrtcbin");
      g_value_reset (&item);
      break;
    }
    case GST_ITERATOR_RESYNC:
      gst_iterator_resync (it);
      n = 0;
      break;
    default:
      done = TRUE;
      break;
    }
  }
  g_value_unset (&item);
  if (participants)
    *participants = g_hash_table_size (hub->participants);
  if (sessions)
    *sessions = g_hash_table_size (hub->sessions);
  if (webrtcbins)
    *webrtcbins = n;
}

guint
vw_hub_get_n_participants (VwHub *hub, const char *session)
{
  Session *s = g_hash_table_lookup (hub->sessions, session);
  return s ? s->participants->len : 0;
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  VwHub *hub = user_data;
  if (vw_hub_recording_handle_message (hub, message))
    return G_SOURCE_CONTINUE;
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;
    g_autofree char *dbg = NULL;
    gst_message_parse_error (message, &err, &dbg);
    /* One participant's broken element must not stop the hub. */
    GST_WARNING ("error from %s: %s (%s)", GST_OBJECT_NAME (message->src),
        err->message, dbg);
  }
  return G_SOURCE_CONTINUE;
}

VwHub *
vw_hub_new (const VwHubConfig *config, const VwHubCallbacks *callbacks,
    gpointer user_data)
{
  g_return_val_if_fail (config && callbacks && callbacks->send
      && callbacks->media_failed && callbacks->snapshot_stored, NULL);
  if (!vw_hub_debug)
    GST_DEBUG_CATEGORY_INIT (vw_hub_debug, "vw-hub", 0, "virtual-window media hub");
  VwHub *hub = g_new0 (VwHub, 1);
  hub->cb = *callbacks;
  hub->config = *config;
  hub->ice_address = g_strdup (config->ice_address);
  hub->config.ice_address = NULL;
  hub->data_dir = g_strdup (config->data_dir ? config->data_dir : ".");
  hub->config.data_dir = NULL;
  hub->user_data = user_data;
  hub->pipeline = gst_pipeline_new ("vw-hub");
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (hub->pipeline));
  gst_bus_add_watch (bus, on_bus_message, hub);
  hub->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) session_free);
  hub->participants = g_hash_table_new (g_str_hash, g_str_equal);
  hub->recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) vw_hub_recording_free);
  gst_element_set_state (hub->pipeline, GST_STATE_PLAYING);
  hub->bwe = vw_hub_bwe_new (hub);
  return hub;
}

void
vw_hub_free (VwHub *hub)
{
  if (!hub)
    return;
  g_clear_pointer (&hub->bwe, vw_hub_bwe_free);
  GHashTableIter iter;
  Session *s;
  g_hash_table_iter_init (&iter, hub->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &s))
    for (guint i = 0; i < s->participants->len; i++) {
      vw_hub_recording_stop_all (g_ptr_array_index (s->participants, i));
      participant_unlink (g_ptr_array_index (s->participants, i));
    }
  /* Recordings not flushed by now lose their open chunk. */
  vw_hub_recordings_free (hub);
  g_hash_table_remove_all (hub->participants);
  g_hash_table_remove_all (hub->sessions);
  gst_element_set_state (hub->pipeline, GST_STATE_NULL);
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (hub->pipeline));
  gst_bus_remove_watch (bus);
  gst_object_unref (hub->pipeline);
  g_hash_table_unref (hub->participants);
  g_hash_table_unref (hub->sessions);
  g_free (hub->ice_address);
  g_free (hub->data_dir);
  g_free (hub);
}
