/* vw-hub-bwe.c: the hub's bandwidth adaptation (the glue around vw-bwe.c).
 *
 * Once a second, for every participant's connection, the hub reads its
 * rtpsession's sources (webrtcbin's rtpbin, session 0: everything is
 * bundled):
 * - a remote source is a stream the participant sends us: the upstream
 *   leg, measured by what we received (packets lost and received since the
 *   last tick, jitter, bytes);
 * - the participant's RTCP receiver reports on what we send it (other
 *   participants' tracks) measure the downstream leg: fraction lost,
 *   round-trip time, jitter, taken when a new one has arrived.  rtpsession
 *   1.22 keeps only the latest report block of each remote source (about
 *   one of our streams, whichever came last), so the downstream leg is one
 *   estimate per connection, of all the video we send it; each video track
 *   forwarded to it gets an equal share.
 * Every leg has its VwBwe.  A track's cap is the least estimate of its legs
 * (viewers' legs left out: a supervisor watching on a thin link must not
 * degrade the call), announced to the sender with "bitrate" (see
 * VwBweCap for when).  Everything runs on the hub's main context.
 */
#include "vw-hub-private.h"
#include "vw-bwe.h"
#include "vw-media.h"

#include <gst/rtp/rtp.h>
#include <string.h>

#define GST_CAT_DEFAULT vw_hub_debug

#define TICK_MS 1000
/* Receiver reports at least this often, both ways (see vw-peer-rtcp.c). */
#define RTCP_MS 500
#define FLOOR_BPS 100000
/* A connection's downstream leg carries all the video it is sent: at most
 * a few profiles' worth. */
#define DOWN_CEILING_BPS 10000000
/* Keyframe requests in one tick that say a receiver is losing video, and
 * the loss they count as (over GCC's 10 %: a cut). */
#define KEYFRAME_REQUESTS_LOSSY 3
#define REQUESTS_LOSS 0.2
/* Fewer packets than this in a tick say nothing about loss. */
#define MIN_PACKETS 10

typedef enum { LEG_UP, LEG_DOWN } LegDirection;

typedef struct {
  VwBwe *bwe;
  guint generation;          /* last tick it was seen */
  gboolean primed;           /* the counters below hold a previous reading */
  /* upstream: our receive counters at the last tick */
  guint64 packets_received;
  gint64 packets_lost;
  guint64 octets_received;
  /* downstream: the last receiver report taken */
  guint rb_ssrc;
  guint rb_exthighestseq;
  guint64 octets_sent;       /* video sent to the participant by then */
  guint64 requests;          /* keyframe requests (PLI, FIR) it sent on our video */
  gint64 at_us;
} Leg;

/* A stream's SSRC, written by a pad probe on a streaming thread: shared
 * with the probe (reference-counted) so it outlives a probe still running
 * when the track is forgotten. */
typedef struct {
  gint ssrc;                 /* atomic (a guint32) */
  gint known;                /* atomic */
} SsrcCell;

typedef struct {
  VwBweCap cap;
  guint generation;
  GstElement *tee;           /* the stream whose SSRC we hold (ref) */
  gulong probe;              /* on its sink pad */
  SsrcCell *cell;            /* (rc box) */
} TrackCap;

/* Every report block a participant sends us, read off its connection's
 * RTCP on the way in (rtpsession's statistics keep only the latest block
 * of each reporter, in practice about its audio): the most lost of each
 * of our streams since the last tick.  Written on the RTCP thread. */
typedef struct {
  GMutex lock;
  GHashTable *lost;          /* ssrc -> 1 + the most fraction lost (/256) */
} RtcpCell;

typedef struct {
  GstPad *pad;               /* rtpsession's recv_rtcp_sink (ref) */
  gulong probe;
  RtcpCell *cell;            /* (atomic rc box) */
  guint generation;
} RtcpWatch;

struct _HubBwe {
  VwHub *hub;
  guint timer;
  guint generation;
  GHashTable *watches;       /* peer -> RtcpWatch* */
  GHashTable *legs;          /* "peer/ssrc/up", "peer/down" -> Leg* */
  GHashTable *tracks;        /* "peer/kind" -> TrackCap* */
};

static void
leg_free (Leg *leg)
{
  vw_bwe_free (leg->bwe);
  g_free (leg);
}

static void
track_cap_unfollow (TrackCap *t)
{
  if (t->probe) {
    g_autoptr (GstPad) pad = gst_element_get_static_pad (t->tee, "sink");
    gst_pad_remove_probe (pad, t->probe);
    t->probe = 0;
  }
  gst_clear_object (&t->tee);
  if (t->cell)
    g_rc_box_release (g_steal_pointer (&t->cell));
}

static void
track_cap_free (TrackCap *t)
{
  track_cap_unfollow (t);
  g_free (t);
}

static GstPadProbeReturn
ssrc_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  SsrcCell *cell = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (buf && gst_rtp_buffer_map (buf, GST_MAP_READ, &rtp)) {
    g_atomic_int_set (&cell->ssrc, (gint) gst_rtp_buffer_get_ssrc (&rtp));
    gst_rtp_buffer_unmap (&rtp);
    g_atomic_int_set (&cell->known, TRUE);
  }
  return GST_PAD_PROBE_OK;
}

/* The stream of @tee: its SSRC is learnt from its packets (the probe stays
 * on: a cheap read, and the pad may be fed by a new SSRC after a restart). */
static void
track_cap_follow (TrackCap *t, GstElement *tee)
{
  if (t->tee == tee)
    return;
  /* A new stream is a new sender (a rebuilt connection, a restarted
   * share) that starts uncapped: the cap is announced again. */
  if (t->tee)
    vw_bwe_cap_init (&t->cap, t->cap.floor_bps, t->cap.ceiling_bps);
  track_cap_unfollow (t);
  t->tee = gst_object_ref (tee);
  t->cell = g_rc_box_new0 (SsrcCell);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (tee, "sink");
  t->probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, ssrc_probe,
      g_rc_box_acquire (t->cell), g_rc_box_release);
}

/* ---- report blocks as they arrive ---- */

static void
rtcp_cell_clear (RtcpCell *cell)
{
  g_mutex_clear (&cell->lock);
  g_hash_table_unref (cell->lost);
}

static void
rtcp_cell_release (gpointer cell)
{
  g_atomic_rc_box_release_full (cell, (GDestroyNotify) rtcp_cell_clear);
}

static void
note_rtcp (RtcpCell *cell, GstBuffer *buf)
{
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  if (!gst_rtcp_buffer_map (buf, GST_MAP_READ, &rtcp))
    return;
  GstRTCPPacket packet;
  g_mutex_lock (&cell->lock);
  for (gboolean more = gst_rtcp_buffer_get_first_packet (&rtcp, &packet); more;
       more = gst_rtcp_packet_move_to_next (&packet)) {
    GstRTCPType type = gst_rtcp_packet_get_type (&packet);
    if (type != GST_RTCP_TYPE_SR && type != GST_RTCP_TYPE_RR)
      continue;
    for (guint i = 0; i < gst_rtcp_packet_get_rb_count (&packet); i++) {
      guint32 ssrc, ext, jitter, lsr, dlsr;
      guint8 fraction;
      gint32 lost;
      gst_rtcp_packet_get_rb (&packet, i, &ssrc, &fraction, &lost, &ext, &jitter,
          &lsr, &dlsr);
      GST_LOG ("report block on %u: lost %u/256", ssrc, fraction);
      guint old = GPOINTER_TO_UINT (g_hash_table_lookup (cell->lost, GUINT_TO_POINTER (ssrc)));
      g_hash_table_insert (cell->lost, GUINT_TO_POINTER (ssrc),
          GUINT_TO_POINTER (MAX (old, (guint) fraction + 1)));
    }
  }
  g_mutex_unlock (&cell->lock);
  gst_rtcp_buffer_unmap (&rtcp);
}

static gboolean
note_rtcp_in_list (GstBuffer **buf, guint idx, gpointer cell)
{
  note_rtcp (cell, *buf);
  return TRUE;
}

static GstPadProbeReturn
rtcp_probe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    note_rtcp (data, GST_PAD_PROBE_INFO_BUFFER (info));
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), note_rtcp_in_list, data);
  return GST_PAD_PROBE_OK;
}

static void
rtcp_watch_free (RtcpWatch *w)
{
  gst_pad_remove_probe (w->pad, w->probe);
  gst_object_unref (w->pad);
  rtcp_cell_release (w->cell);
  g_free (w);
}

/* @p's watch, made once its connection has an RTP session; NULL before. */
static RtcpWatch *
get_watch (HubBwe *hb, Participant *p)
{
  RtcpWatch *w = g_hash_table_lookup (hb->watches, p->id);
  if (!w) {
    GstElement *webrtc = vw_peer_get_webrtcbin (p->peer);
    g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (webrtc), "rtpbin");
    g_autoptr (GstElement) session = NULL;
    if (rtpbin)
      g_signal_emit_by_name (rtpbin, "get-session", 0, &session);
    GstPad *pad = session ? gst_element_get_static_pad (session, "recv_rtcp_sink") : NULL;
    if (!pad)
      return NULL;
    w = g_new0 (RtcpWatch, 1);
    w->pad = pad;
    w->cell = g_atomic_rc_box_new0 (RtcpCell);
    g_mutex_init (&w->cell->lock);
    w->cell->lost = g_hash_table_new (NULL, NULL);
    w->probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER
        | GST_PAD_PROBE_TYPE_BUFFER_LIST, rtcp_probe,
        g_atomic_rc_box_acquire (w->cell), rtcp_cell_release);
    g_hash_table_insert (hb->watches, g_strdup (p->id), w);
  }
  w->generation = hb->generation;
  return w;
}

/* The most any report block since the last call gave as lost, of the
 * streams in @ssrcs (NULL-free array); -1 when none came. */
static double
take_video_loss (RtcpWatch *w, GArray *ssrcs)
{
  double most = -1;
  g_mutex_lock (&w->cell->lock);
  for (guint i = 0; i < ssrcs->len; i++) {
    guint v = GPOINTER_TO_UINT (g_hash_table_lookup (w->cell->lost,
            GUINT_TO_POINTER (g_array_index (ssrcs, guint, i))));
    if (v)
      most = MAX (most, (v - 1) / 256.0);
  }
  g_hash_table_remove_all (w->cell->lost);
  g_mutex_unlock (&w->cell->lock);
  return most;
}

/* ---- reading a connection's statistics ---- */

static GObject *
internal_session (Participant *p)
{
  GstElement *webrtc = vw_peer_get_webrtcbin (p->peer);
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (webrtc), "rtpbin");
  GObject *session = NULL;
  if (rtpbin)
    g_signal_emit_by_name (rtpbin, "get-internal-session", 0, &session);
  return session;
}

/* ssrc -> GstStructure* (owned): the stats of every source of @p's session. */
static GHashTable *
read_sources (Participant *p)
{
  GHashTable *stats = g_hash_table_new_full (NULL, NULL, NULL,
      (GDestroyNotify) gst_structure_free);
  g_autoptr (GObject) session = internal_session (p);
  if (!session)
    return stats;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray *sources = NULL;
  g_object_get (session, "sources", &sources, NULL);
  for (guint i = 0; sources && i < sources->n_values; i++) {
    GObject *source = g_value_get_object (g_value_array_get_nth (sources, i));
    GstStructure *s = NULL;
    guint ssrc = 0;
    g_object_get (source, "stats", &s, NULL);
    GST_LOG ("%s: %" GST_PTR_FORMAT, p->id, s);
    if (s && gst_structure_get_uint (s, "ssrc", &ssrc))
      g_hash_table_replace (stats, GUINT_TO_POINTER (ssrc), s);
    else if (s)
      gst_structure_free (s);
  }
  if (sources)
    g_value_array_free (sources);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return stats;
}

static guint64
get_u64 (const GstStructure *s, const char *field)
{
  guint64 v = 0;
  gst_structure_get_uint64 (s, field, &v);
  return v;
}

static Leg *
get_leg (HubBwe *hb, const char *peer, guint32 ssrc, LegDirection dir, guint ceiling)
{
  g_autofree char *key = dir == LEG_UP ? g_strdup_printf ("%s/%u/up", peer, ssrc)
      : g_strdup_printf ("%s/down", peer);
  Leg *leg = g_hash_table_lookup (hb->legs, key);
  if (!leg) {
    leg = g_new0 (Leg, 1);
    leg->bwe = vw_bwe_new (ceiling, FLOOR_BPS, ceiling);
    g_hash_table_insert (hb->legs, g_steal_pointer (&key), leg);
  }
  leg->generation = hb->generation;
  return leg;
}

/* Our receive counters for a stream @p sends us. */
static void
update_upstream (Leg *leg, const char *peer, const GstStructure *s, gint64 now)
{
  guint64 received = get_u64 (s, "packets-received");
  guint64 octets = get_u64 (s, "octets-received");
  gint64 lost = 0;
  gint lost32 = 0;
  if (!gst_structure_get_int64 (s, "packets-lost", &lost)
      && gst_structure_get_int (s, "packets-lost", &lost32))
    lost = lost32;
  guint jitter = 0;
  gint clock_rate = 90000;
  gst_structure_get_uint (s, "jitter", &jitter);
  gst_structure_get_int (s, "clock-rate", &clock_rate);
  if (clock_rate <= 0)
    clock_rate = 90000;

  if (leg->primed && received >= leg->packets_received) {
    double d_recv = received - leg->packets_received;
    double d_lost = MAX (lost - leg->packets_lost, 0);
    double dt = (now - leg->at_us) / (double) G_USEC_PER_SEC;
    if (d_recv + d_lost >= MIN_PACKETS && dt > 0) {
      VwBweReport r = {
        .now_us = now,
        .fraction_lost = d_lost / (d_recv + d_lost),
        /* The round trip also holds the downstream queue: a thin downlink
         * would cut the uplink too.  The upstream leg goes by loss and by
         * the one-way jitter of what it receives. */
        .rtt_ms = -1,
        .jitter_ms = jitter * 1000.0 / clock_rate,
        .received_bps = (octets - leg->octets_received) * 8 / dt,
      };
      vw_bwe_update (leg->bwe, &r);
      GST_DEBUG ("%s up: lost %.3f rtt %.0f jitter %.1f recv %.0f -> %u (%s)",
          peer, r.fraction_lost, r.rtt_ms, r.jitter_ms, r.received_bps,
          vw_bwe_get_estimate (leg->bwe), vw_bwe_state_to_string (vw_bwe_get_state (leg->bwe)));
    } else if (d_recv + d_lost < MIN_PACKETS) {
      return;   /* too little yet: count on from the same reading */
    }
  }
  leg->primed = TRUE;
  leg->packets_received = received;
  leg->packets_lost = lost;
  leg->octets_received = octets;
  leg->at_us = now;
}

/* The receiver's latest report (on any of our streams to it), and the
 * video we sent it.  Nothing happens until a new report arrives. */
static void
update_downstream (Leg *leg, const char *peer, GHashTable *sources, RtcpWatch *w,
    gint64 now)
{
  GHashTableIter iter;
  GstStructure *s, *report = NULL;
  guint64 octets = 0, requests = 0;
  g_autoptr (GArray) video = g_array_new (FALSE, FALSE, sizeof (guint));
  g_hash_table_iter_init (&iter, sources);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &s)) {
    gboolean internal = FALSE, have_rb = FALSE;
    gint clock_rate = 0;
    guint rb_ssrc = 0, ext = 0, ssrc = 0;
    gst_structure_get_boolean (s, "internal", &internal);
    gst_structure_get_int (s, "clock-rate", &clock_rate);
    if (internal && clock_rate == 90000) {
      guint pli = 0, fir = 0;
      octets += get_u64 (s, "octets-sent");
      gst_structure_get_uint (s, "ssrc", &ssrc);
      gst_structure_get_uint (s, "recv-pli-count", &pli);
      gst_structure_get_uint (s, "recv-fir-count", &fir);
      requests += pli + fir;
      g_array_append_val (video, ssrc);
    }
    if (internal || !gst_structure_get_boolean (s, "have-rb", &have_rb) || !have_rb)
      continue;
    gst_structure_get_uint (s, "rb-ssrc", &rb_ssrc);
    gst_structure_get_uint (s, "rb-exthighestseq", &ext);
    if (!report || rb_ssrc != leg->rb_ssrc || ext != leg->rb_exthighestseq)
      report = s;
  }
  /* The loss of our video to it, from every block since the last tick
   * (the statistics' block is most often about audio). */
  double video_loss = w ? take_video_loss (w, video) : -1;
  /* A receiver that keeps asking for keyframes is losing our video: under
   * loss its regular reports thin out (its RTCP goes to feedback), so the
   * requests themselves count as a report of heavy loss. */
  gboolean asking = leg->primed && requests >= leg->requests + KEYFRAME_REQUESTS_LOSSY;
  if (asking)
    video_loss = MAX (video_loss, REQUESTS_LOSS);
  leg->requests = requests;
  if (!report)
    return;
  guint rb_ssrc = 0, fraction = 0, ext = 0, jitter = 0, rt = 0;
  gst_structure_get_uint (report, "rb-ssrc", &rb_ssrc);
  gst_structure_get_uint (report, "rb-fractionlost", &fraction);
  gst_structure_get_uint (report, "rb-exthighestseq", &ext);
  gst_structure_get_uint (report, "rb-jitter", &jitter);
  gst_structure_get_uint (report, "rb-round-trip", &rt);
  if (leg->primed && rb_ssrc == leg->rb_ssrc && ext == leg->rb_exthighestseq
      && video_loss < 0)
    return;   /* no new report */
  if (leg->primed && now > leg->at_us) {
    double dt = (now - leg->at_us) / (double) G_USEC_PER_SEC;
    double loss = MAX (fraction / 256.0, video_loss);
    VwBweReport r = {
      .now_us = now,
      .fraction_lost = loss,
      .rtt_ms = rt ? rt * 1000.0 / 65536.0 : -1,
      /* in the reported stream's clock: audio 48 kHz or video 90 kHz; the
       * jitter only holds growth, so the larger reading (audio's) is fine */
      .jitter_ms = jitter * 1000.0 / 48000,
      .received_bps = octets > leg->octets_sent
          ? (octets - leg->octets_sent) * 8 / dt * (1 - loss) : 0,
    };
    vw_bwe_update (leg->bwe, &r);
    GST_DEBUG ("%s down: lost %.3f rtt %.0f jitter %.1f recv %.0f -> %u (%s)",
        peer, r.fraction_lost, r.rtt_ms, r.jitter_ms, r.received_bps,
        vw_bwe_get_estimate (leg->bwe), vw_bwe_state_to_string (vw_bwe_get_state (leg->bwe)));
  }
  leg->primed = TRUE;
  leg->rb_ssrc = rb_ssrc;
  leg->rb_exthighestseq = ext;
  leg->octets_sent = octets;
  leg->at_us = now;
}

/* How many video tracks the hub forwards to @p now (at least one: the one
 * being capped). */
static guint
n_video_into (Participant *p)
{
  guint n = 0;
  for (guint i = 0; i < p->lines->len; i++) {
    Line *line = g_ptr_array_index (p->lines, i);
    if (line->direction == LINE_DOWNSTREAM && line->kind != VW_TRACK_AUDIO
        && line->live && line->active)
      n++;
  }
  return MAX (n, 1);
}

/* ---- the tick ---- */

static void
send_bitrate (Participant *src, VwTrackKind kind, guint bps)
{
  g_autoptr (VwMessage) msg = vw_message_new (VW_MSG_BITRATE);
  vw_message_set_string (msg, "session", src->session->id);
  vw_message_set_string (msg, "kind", vw_track_kind_to_string (kind));
  vw_message_set_int (msg, "max-bitrate", bps);
  GST_INFO ("%s: %s capped at %u bit/s", src->id, vw_track_kind_to_string (kind), bps);
  src->hub->cb.send (src->id, msg, src->hub->user_data);
}

static void
tick_session (HubBwe *hb, Session *s, gint64 now)
{
  guint n = s->participants->len;
  g_autofree GHashTable **sources = g_new0 (GHashTable *, n);
  g_autofree Leg **down = g_new0 (Leg *, n);
  for (guint i = 0; i < n; i++) {
    Participant *p = g_ptr_array_index (s->participants, i);
    vw_peer_set_rtcp_interval (p->peer, RTCP_MS);
    sources[i] = read_sources (p);
    if (p->viewer)
      continue;
    down[i] = get_leg (hb, p->id, 0, LEG_DOWN, DOWN_CEILING_BPS);
    update_downstream (down[i], p->id, sources[i], get_watch (hb, p), now);
  }

  for (guint i = 0; i < n; i++) {
    Participant *src = g_ptr_array_index (s->participants, i);
    for (guint k = VW_TRACK_CAMERA; k < VW_TRACK_N_KINDS; k++) {
      GstElement *tee = src->tees[k];
      if (src->viewer || !tee || !vw_hub_find_live_upstream (src, k))
        continue;
      g_autofree char *key = g_strdup_printf ("%s/%u", src->id, k);
      TrackCap *t = g_hash_table_lookup (hb->tracks, key);
      guint ceiling = vw_video_profile_for_kind (k)->bitrate;
      if (!t) {
        t = g_new0 (TrackCap, 1);
        vw_bwe_cap_init (&t->cap, FLOOR_BPS, ceiling);
        g_hash_table_insert (hb->tracks, g_steal_pointer (&key), t);
      }
      t->generation = hb->generation;
      track_cap_follow (t, tee);
      if (!g_atomic_int_get (&t->cell->known))
        continue;
      guint32 ssrc = (guint32) g_atomic_int_get (&t->cell->ssrc);

      guint estimate = ceiling;
      GstStructure *st = g_hash_table_lookup (sources[i], GUINT_TO_POINTER (ssrc));
      if (st) {
        Leg *up = get_leg (hb, src->id, ssrc, LEG_UP, ceiling);
        update_upstream (up, src->id, st, now);
        estimate = MIN (estimate, vw_bwe_get_estimate (up->bwe));
      }
      for (guint j = 0; j < n; j++) {
        Participant *dst = g_ptr_array_index (s->participants, j);
        if (j != i && down[j])
          estimate = MIN (estimate, vw_bwe_get_estimate (down[j]->bwe) / n_video_into (dst));
      }
      guint cap = vw_bwe_cap_update (&t->cap, now, estimate);
      if (cap)
        send_bitrate (src, k, cap);
    }
  }
  for (guint i = 0; i < n; i++)
    g_hash_table_unref (sources[i]);
}

static gboolean
watch_stale (gpointer key, gpointer value, gpointer data)
{
  return ((RtcpWatch *) value)->generation != GPOINTER_TO_UINT (data);
}

static gboolean
leg_stale (gpointer key, gpointer value, gpointer data)
{
  return ((Leg *) value)->generation != GPOINTER_TO_UINT (data);
}

static gboolean
track_stale (gpointer key, gpointer value, gpointer data)
{
  return ((TrackCap *) value)->generation != GPOINTER_TO_UINT (data);
}

static gboolean
on_tick (gpointer data)
{
  HubBwe *hb = data;
  gint64 now = g_get_monotonic_time ();
  hb->generation++;
  GHashTableIter iter;
  Session *s;
  g_hash_table_iter_init (&iter, hb->hub->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &s))
    tick_session (hb, s, now);
  /* Legs and tracks gone since the last tick (participants left, tracks
   * stopped, streams replaced) are forgotten: a track that comes back
   * starts at its profile's rate again. */
  g_hash_table_foreach_remove (hb->legs, leg_stale, GUINT_TO_POINTER (hb->generation));
  g_hash_table_foreach_remove (hb->tracks, track_stale, GUINT_TO_POINTER (hb->generation));
  g_hash_table_foreach_remove (hb->watches, watch_stale, GUINT_TO_POINTER (hb->generation));
  return G_SOURCE_CONTINUE;
}

/* Transport-wide congestion control (TWCC): the extension's id in every
 * m-line of the bundle.  webrtcbin 1.22 offers "rtcp-fb transport-cc" by
 * itself but not the header extension, without which a browser numbers
 * nothing and gets no feedback; with it, Chromium stamps what it sends and
 * the hub's rtpsession answers with transport-cc feedback, on which
 * Chromium's own estimator adapts its upstream leg. */
#define TWCC_EXT_ID 3
#define TWCC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

void
vw_hub_bwe_offer_feedback (GstCaps *caps)
{
  g_autofree char *field = g_strdup_printf ("extmap-%d", TWCC_EXT_ID);
  for (guint i = 0; i < gst_caps_get_size (caps); i++)
    gst_structure_set (gst_caps_get_structure (caps, i),
        "rtcp-fb-transport-cc", G_TYPE_BOOLEAN, TRUE,
        field, G_TYPE_STRING, TWCC_URI, NULL);
}

HubBwe *
vw_hub_bwe_new (VwHub *hub)
{
  HubBwe *hb = g_new0 (HubBwe, 1);
  hb->hub = hub;
  hb->legs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) leg_free);
  hb->tracks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) track_cap_free);
  hb->watches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) rtcp_watch_free);
  hb->timer = g_timeout_add (TICK_MS, on_tick, hb);
  return hb;
}

void
vw_hub_bwe_free (HubBwe *hb)
{
  if (!hb)
    return;
  g_clear_handle_id (&hb->timer, g_source_remove);
  g_hash_table_unref (hb->legs);
  g_hash_table_unref (hb->tracks);
  g_hash_table_unref (hb->watches);
  g_free (hb);
}
