/* vw-call-media.c: sources out, remote tracks in, counted. */
#include "vw-call-media.h"
#include "vw-events.h"
#include "vw-media.h"
#include "vw-peer.h"
#include "vw-timecode.h"

#include <math.h>
#include <stdlib.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>

GST_DEBUG_CATEGORY_STATIC (vw_call_media_debug);
#define GST_CAT_DEFAULT vw_call_media_debug

/* A remote track.  Counters are written on streaming threads. */
typedef struct {
  VwCallMedia *media;        /* borrowed */
  VwTrackKind kind;
  char *peer;
  char *mid;
  GstElement *bin;
  gint frames;               /* atomic */
  gint64 bytes;              /* atomic (g_atomic_pointer-free: guarded by lock) */
  gint peak;                 /* atomic: loudest sample since last stats, 0..32768 */
  gint width, height;        /* atomic */
  gint first_reported;       /* atomic flag */
  GMutex lock;
} RecvTrack;

/* A track we send: counted at the encoder's output. */
typedef struct {
  VwTrackKind kind;
  GstElement *encoder;       /* owned ref */
  gint frames;               /* atomic */
  gint keyframes;            /* atomic */
} SendTrack;

struct _VwCallMedia {
  VwCallMediaConfig config;  /* strings owned below */
  char *camera, *microphone, *ice_address;
  char *session;
  VwCallMediaCallbacks cb;
  gpointer user_data;
  GMainContext *context;
  GstElement *pipeline;
  VwPeer *peer;
  GHashTable *sent;          /* mid -> kind, m-lines we already send on */
  GHashTable *offered;       /* mid -> JsonObject (tracks table entry), owned */
  GstSDPMessage *remote;     /* the latest offer */
  GPtrArray *tracks;         /* RecvTrack*, owned */
  GPtrArray *sending;        /* SendTrack*, owned */
  gboolean connected;
};

/* ---- receiving ---- */

static void
recv_track_free (RecvTrack *t)
{
  g_free (t->peer);
  g_free (t->mid);
  g_mutex_clear (&t->lock);
  g_free (t);
}

static JsonObject *
track_fields (RecvTrack *t)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "track", vw_track_kind_to_string (t->kind));
  json_object_set_string_member (o, "peer", t->peer);
  json_object_set_string_member (o, "mid", t->mid);
  return o;
}

static double
peak_db (gint peak)
{
  return peak > 0 ? 20.0 * log10 (peak / 32768.0) : -120.0;
}

static gboolean
report_first (gpointer data)
{
  RecvTrack *t = data;
  JsonObject *o = track_fields (t);
  if (t->kind == VW_TRACK_AUDIO) {
    json_object_set_double_member (o, "peak_db",
        round (peak_db (g_atomic_int_get (&t->peak)) * 10) / 10);
    vw_events_emit ("first-audio", o);
  } else {
    json_object_set_int_member (o, "width", g_atomic_int_get (&t->width));
    json_object_set_int_member (o, "height", g_atomic_int_get (&t->height));
    vw_events_emit ("first-frame", o);
  }
  return G_SOURCE_REMOVE;
}

static gint
buffer_peak (GstBuffer *buf)
{
  GstMapInfo map;
  gint peak = 0;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return 0;
  const gint16 *s = (const gint16 *) map.data;
  for (gsize i = 0; i < map.size / 2; i++)
    peak = MAX (peak, ABS ((gint) s[i]));
  gst_buffer_unmap (buf, &map);
  return peak;
}

static void
note_video_size (RecvTrack *t, GstPad *pad)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo info;
  if (caps && gst_video_info_from_caps (&info, caps)) {
    g_atomic_int_set (&t->width, GST_VIDEO_INFO_WIDTH (&info));
    g_atomic_int_set (&t->height, GST_VIDEO_INFO_HEIGHT (&info));
  }
}

static GstPadProbeReturn
decoded_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  RecvTrack *t = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  g_atomic_int_inc (&t->frames);
  if (t->kind == VW_TRACK_AUDIO) {
    gint p = buffer_peak (buf), old;
    do
      old = g_atomic_int_get (&t->peak);
    while (p > old && !g_atomic_int_compare_and_exchange (&t->peak, old, p));
  } else {
    note_video_size (t, pad);
  }
  if (g_atomic_int_compare_and_exchange (&t->first_reported, 0, 1))
    g_main_context_invoke (t->media->context, report_first, t);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
rtp_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  RecvTrack *t = user_data;
  g_mutex_lock (&t->lock);
  t->bytes += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  g_mutex_unlock (&t->lock);
  return GST_PAD_PROBE_OK;
}

typedef struct {
  RecvTrack *track;
  gint64 ms;
} Latency;

static gboolean
report_latency (gpointer data)
{
  Latency *l = data;
  JsonObject *o = track_fields (l->track);
  json_object_set_int_member (o, "ms", l->ms);
  vw_events_emit ("latency", o);
  g_free (l);
  return G_SOURCE_REMOVE;
}

static void
on_timecode (guint32 stamped_ms, guint32 now_ms, gpointer user_data)
{
  RecvTrack *t = user_data;
  Latency *l = g_new0 (Latency, 1);
  l->track = t;
  l->ms = (gint32) (now_ms - stamped_ms);
  g_main_context_invoke (t->media->context, report_latency, l);
}

/* The mid of the offered m-line carrying payload type @pt.  webrtcbin's
 * m-line index on a bundled receive pad is not reliable; the hub makes
 * payload types unique inside the bundle. */
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
  JsonObject *entry = mid ? g_hash_table_lookup (m->offered, mid) : NULL;
  VwTrackKind kind;
  if (!entry || !vw_track_kind_from_string (
          json_object_get_string_member (entry, "kind"), &kind)) {
    GST_WARNING ("remote track %" GST_PTR_FORMAT " is not in the offer's table", caps);
    return;
  }

  RecvTrack *t = g_new0 (RecvTrack, 1);
  g_mutex_init (&t->lock);
  t->media = m;
  t->kind = kind;
  t->mid = g_strdup (mid);
  t->peer = g_strdup (json_object_get_string_member (entry, "peer"));
  g_ptr_array_add (m->tracks, t);

  t->bin = vw_recv_bin_new (kind, !m->config.headless);
  gst_bin_add (GST_BIN (m->pipeline), t->bin);
  g_autoptr (GstElement) decoded = gst_bin_get_by_name (GST_BIN (t->bin), "decoded");
  g_autoptr (GstPad) decoded_src = gst_element_get_static_pad (decoded, "src");
  gst_pad_add_probe (decoded_src, GST_PAD_PROBE_TYPE_BUFFER, decoded_probe, t, NULL);
  if (m->config.timecode && kind != VW_TRACK_AUDIO)
    vw_timecode_attach_reader (decoded_src, on_timecode, t, NULL);
  g_autoptr (GstPad) sink = gst_element_get_static_pad (t->bin, "sink");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, rtp_probe, t, NULL);
  gst_element_sync_state_with_parent (t->bin);
  g_autoptr (GstPad) tee_src = gst_element_request_pad_simple (tee, "src_%u");
  gst_pad_link (tee_src, sink);
  GST_INFO ("receiving %s from %s on mid %s", vw_track_kind_to_string (kind),
      t->peer, mid);
}

guint
vw_call_media_request_keyframes (VwCallMedia *m)
{
  guint n = 0;
  for (guint i = 0; i < m->tracks->len; i++) {
    RecvTrack *t = g_ptr_array_index (m->tracks, i);
    if (t->kind == VW_TRACK_AUDIO)
      continue;
    /* Upstream from the decoder: webrtcbin's rtpsession sends RTCP PLI. */
    g_autoptr (GstPad) sink = gst_element_get_static_pad (t->bin, "sink");
    gst_pad_push_event (sink, gst_video_event_new_upstream_force_key_unit (
            GST_CLOCK_TIME_NONE, TRUE, 0));
    n++;
  }
  return n;
}

JsonArray *
vw_call_media_get_stats (VwCallMedia *m)
{
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < m->tracks->len; i++) {
    RecvTrack *t = g_ptr_array_index (m->tracks, i);
    JsonObject *o = track_fields (t);
    json_object_set_int_member (o, "frames", g_atomic_int_get (&t->frames));
    g_mutex_lock (&t->lock);
    json_object_set_int_member (o, "bytes", t->bytes);
    g_mutex_unlock (&t->lock);
    if (t->kind == VW_TRACK_AUDIO) {
      gint peak = g_atomic_int_and (&t->peak, 0);
      json_object_set_double_member (o, "peak_db", round (peak_db (peak) * 10) / 10);
    } else {
      json_object_set_int_member (o, "width", g_atomic_int_get (&t->width));
      json_object_set_int_member (o, "height", g_atomic_int_get (&t->height));
    }
    json_array_add_object_element (arr, o);
  }
  return arr;
}

JsonArray *
vw_call_media_get_send_stats (VwCallMedia *m)
{
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < m->sending->len; i++) {
    SendTrack *t = g_ptr_array_index (m->sending, i);
    JsonObject *o = json_object_new ();
    json_object_set_string_member (o, "track", vw_track_kind_to_string (t->kind));
    json_object_set_int_member (o, "frames", g_atomic_int_get (&t->frames));
    if (t->kind != VW_TRACK_AUDIO)
      json_object_set_int_member (o, "keyframes", g_atomic_int_get (&t->keyframes));
    json_array_add_object_element (arr, o);
  }
  return arr;
}

/* ---- sending ---- */

static gboolean
want (const char *spec)
{
  return spec && *spec && g_strcmp0 (spec, "none") != 0;
}

VwMessage *
vw_call_media_new_publish (VwCallMedia *m)
{
  VwMessage *msg = vw_message_new (VW_MSG_PUBLISH);
  JsonArray *tracks = json_array_new ();
  struct { gboolean on; VwTrackKind kind; } sources[] = {
    { want (m->microphone), VW_TRACK_AUDIO },
    { want (m->camera), VW_TRACK_CAMERA },
  };
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++) {
    if (!sources[i].on)
      continue;
    JsonObject *t = json_object_new ();
    json_object_set_string_member (t, "kind", vw_track_kind_to_string (sources[i].kind));
    json_array_add_object_element (tracks, t);
  }
  vw_message_set_string (msg, "session", m->session);
  vw_message_take_array (msg, "tracks", tracks);
  return msg;
}

static const char *
spec_for (VwCallMedia *m, VwTrackKind kind)
{
  switch (kind) {
    case VW_TRACK_AUDIO: return m->microphone;
    case VW_TRACK_CAMERA: return m->camera;
    default: return NULL;   /* screen and document: not yet */
  }
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

static void
send_track_free (SendTrack *t)
{
  gst_clear_object (&t->encoder);
  g_free (t);
}

/* Keyframes counted here show that receivers' requests (PLI) reach us. */
static GstPadProbeReturn
encoded_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  SendTrack *t = user_data;
  g_atomic_int_inc (&t->frames);
  if (!GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info),
          GST_BUFFER_FLAG_DELTA_UNIT))
    g_atomic_int_inc (&t->keyframes);
  return GST_PAD_PROBE_OK;
}

static void
count_sent (VwCallMedia *m, GstElement *bin, VwTrackKind kind)
{
  SendTrack *t = g_new0 (SendTrack, 1);
  t->kind = kind;
  g_ptr_array_add (m->sending, t);
  t->encoder = gst_bin_get_by_name (GST_BIN (bin), "encoder");
  g_autoptr (GstPad) pad = t->encoder ? gst_element_get_static_pad (t->encoder, "src") : NULL;
  if (pad)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, encoded_probe, t, NULL);
}

/* Starts sending @kind on the m-line @mid that the hub offered for it. */
static gboolean
start_sending (VwCallMedia *m, const char *mid, VwTrackKind kind, GError **error)
{
  gint mline = mline_of_mid (m->remote, mid);
  const GstSDPMedia *media = mline >= 0
      ? gst_sdp_message_get_media (m->remote, mline) : NULL;
  const char *spec = spec_for (m, kind);
  if (!media || gst_sdp_media_formats_len (media) < 1 || !want (spec)) {
    g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_SDP,
        "the offer asks for %s on mid %s, which we cannot send",
        vw_track_kind_to_string (kind), mid);
    return FALSE;
  }
  guint pt = (guint) g_ascii_strtoull (gst_sdp_media_get_format (media, 0), NULL, 10);
  GstElement *bin = vw_send_bin_new (kind, spec, pt, m->config.timecode, error);
  if (!bin)
    return FALSE;
  g_autoptr (GstCaps) caps = vw_rtp_caps_new (kind, pt);
  g_autoptr (GstPad) sink = vw_peer_request_send_pad (m->peer, caps,
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, mline);
  count_sent (m, bin, kind);
  gst_bin_add (GST_BIN (m->pipeline), bin);
  g_autoptr (GstPad) src = gst_element_get_static_pad (bin, "src");
  gst_pad_link (src, sink);
  gst_element_sync_state_with_parent (bin);
  g_hash_table_insert (m->sent, g_strdup (mid), GINT_TO_POINTER (kind));
  GST_INFO ("sending %s on mid %s with pt %u", vw_track_kind_to_string (kind), mid, pt);
  return TRUE;
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

  /* Send pads are requested in m-line order, so webrtcbin pairs each with
   * the m-line of the same payload type. */
  JsonArray *tracks = vw_message_get_array_member (offer, "tracks");
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    const char *mid = json_object_get_string_member (t, "mid");
    g_hash_table_replace (m->offered, g_strdup (mid), json_object_ref (t));
    VwTrackKind kind;
    if (g_str_equal (json_object_get_string_member (t, "direction"), "send")
        && !g_hash_table_contains (m->sent, mid)
        && vw_track_kind_from_string (json_object_get_string_member (t, "kind"), &kind)
        && !start_sending (m, mid, kind, error))
      return FALSE;
  }
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

static void
force_keyframes (VwCallMedia *m, gint kind)
{
  for (guint i = 0; i < m->sending->len; i++) {
    SendTrack *t = g_ptr_array_index (m->sending, i);
    if (t->encoder && t->kind != VW_TRACK_AUDIO && (kind < 0 || (gint) t->kind == kind))
      gst_element_send_event (t->encoder,
          gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
  }
}

void
vw_call_media_force_keyframe (VwCallMedia *m, VwTrackKind kind)
{
  force_keyframes (m, kind);
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

static void
on_state_changed (VwPeer *peer, GstWebRTCPeerConnectionState state,
    VwCallMedia *m)
{
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !m->connected) {
    m->connected = TRUE;
    /* The encoders' first keyframes went out before anyone could receive
     * them; start the far side's decoders now instead of on their request. */
    force_keyframes (m, -1);
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
vw_call_media_check_sources (const VwCallMediaConfig *config, GError **error)
{
  struct { VwTrackKind kind; const char *spec; } sources[] = {
    { VW_TRACK_AUDIO, config->microphone },
    { VW_TRACK_CAMERA, config->camera },
  };
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++) {
    if (!want (sources[i].spec))
      continue;
    GstElement *bin = vw_send_bin_new (sources[i].kind, sources[i].spec, 96,
        FALSE, error);
    if (!bin)
      return FALSE;
    gst_object_unref (gst_object_ref_sink (bin));
  }
  return TRUE;
}

VwCallMedia *
vw_call_media_new (const VwCallMediaConfig *config, const char *session,
    const VwCallMediaCallbacks *callbacks, gpointer user_data, GError **error)
{
  if (!vw_call_media_debug)
    GST_DEBUG_CATEGORY_INIT (vw_call_media_debug, "vw-call-media", 0,
        "virtual-window client media");
  g_autoptr (VwCallMedia) m = g_new0 (VwCallMedia, 1);
  m->camera = g_strdup (config->camera);
  m->microphone = g_strdup (config->microphone);
  m->ice_address = g_strdup (config->ice_address);
  m->config = *config;
  m->config.camera = m->camera;
  m->config.microphone = m->microphone;
  m->config.ice_address = m->ice_address;
  m->session = g_strdup (session);
  m->cb = *callbacks;
  m->user_data = user_data;
  m->context = g_main_context_ref_thread_default ();
  m->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  m->offered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) json_object_unref);
  m->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) recv_track_free);
  m->sending = g_ptr_array_new_with_free_func ((GDestroyNotify) send_track_free);
  m->pipeline = gst_pipeline_new ("vw-call");
  g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (m->pipeline));
  gst_bus_add_watch (bus, on_bus_message, m);
  m->peer = vw_peer_new (GST_BIN (m->pipeline), "call", 50);
  if (m->ice_address)
    vw_peer_restrict_ice (m->peer, m->ice_address);
  g_signal_connect (m->peer, "local-description", G_CALLBACK (on_local_description), m);
  g_signal_connect (m->peer, "ice-candidate", G_CALLBACK (on_ice_candidate), m);
  g_signal_connect (m->peer, "track", G_CALLBACK (on_track), m);
  g_signal_connect (m->peer, "state-changed", G_CALLBACK (on_state_changed), m);
  g_signal_connect (m->peer, "failed", G_CALLBACK (on_failed), m);
  gst_element_set_state (m->pipeline, GST_STATE_PLAYING);
  return g_steal_pointer (&m);
}

void
vw_call_media_free (VwCallMedia *m)
{
  if (!m)
    return;
  if (m->pipeline) {
    g_signal_handlers_disconnect_by_data (m->peer, m);
    gst_element_set_state (m->pipeline, GST_STATE_NULL);
    g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (m->pipeline));
    gst_bus_remove_watch (bus);
    vw_peer_close (m->peer);
    g_clear_object (&m->peer);
    gst_clear_object (&m->pipeline);
  }
  /* Pending report_first/report_latency sources point at tracks. */
  while (g_main_context_iteration (m->context, FALSE))
    ;
  g_clear_pointer (&m->remote, gst_sdp_message_free);
  g_ptr_array_unref (m->tracks);
  g_ptr_array_unref (m->sending);
  g_hash_table_unref (m->sent);
  g_hash_table_unref (m->offered);
  g_main_context_unref (m->context);
  g_free (m->camera);
  g_free (m->microphone);
  g_free (m->ice_address);
  g_free (m->session);
  g_free (m);
}
