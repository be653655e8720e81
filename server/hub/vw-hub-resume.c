/* vw-hub-resume.c: a stopped stream that comes back on the same SSRC.
 *
 * A native client restarts a share as a new RTP stream (new SSRC), which
 * webrtcbin announces with a new pad (on_track).  A browser does not: its
 * RTCRtpSender keeps the SSRC across replaceTrack(null) and replaceTrack(new
 * track), so webrtcbin makes no new pad and the restarted share would never
 * be forwarded.  So a stopped stream's tee is kept (PausedStream); when the
 * track is live again, the first data through that tee takes it back, unless
 * a new stream (on_track) came first, which drops it. */
#include "vw-hub-private.h"

#define GST_CAT_DEFAULT vw_hub_debug

typedef struct _PausedStream {
  Participant *p;        /* main context only; NULL once dropped or taken back */
  VwTrackKind kind;
  GstElement *tee;       /* owned ref */
  GstPad *pad;           /* the tee's sink pad (ref) */
  gulong probe;          /* watching for data, while live again */
  gint fired;            /* atomic: the probe has handed over once */
} PausedStream;

static void
paused_stream_clear (gpointer data)
{
  PausedStream *s = data;
  gst_clear_object (&s->tee);
  gst_clear_object (&s->pad);
}

static void
paused_stream_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, paused_stream_clear);
}

static void
paused_stream_disarm (PausedStream *s)
{
  if (s->probe)
    gst_pad_remove_probe (s->pad, s->probe);
  s->probe = 0;
  g_atomic_int_set (&s->fired, 0);
}

void
vw_hub_drop_paused (Participant *p, VwTrackKind kind)
{
  PausedStream *s = p->paused[kind];
  if (!s)
    return;
  p->paused[kind] = NULL;
  s->p = NULL;
  paused_stream_disarm (s);
  paused_stream_release (s);
}

/* @p stopped sending @kind: keep its stream's tee. */
void
vw_hub_pause_stream (Participant *p, VwTrackKind kind)
{
  if (!p->tees[kind]) {
    if (p->paused[kind])
      paused_stream_disarm (p->paused[kind]);
    return;
  }
  vw_hub_drop_paused (p, kind);
  PausedStream *s = g_atomic_rc_box_new0 (PausedStream);
  s->p = p;
  s->kind = kind;
  s->tee = g_steal_pointer (&p->tees[kind]);
  s->pad = gst_element_get_static_pad (s->tee, "sink");
  p->paused[kind] = s;
}

static gboolean
take_back (gpointer data)
{
  PausedStream *s = data;
  Participant *p = s->p;
  if (!p || p->paused[s->kind] != s)
    return G_SOURCE_REMOVE;
  VwTrackKind kind = s->kind;
  if (p->tees[kind]) {            /* a new stream came first */
    vw_hub_drop_paused (p, kind);
    return G_SOURCE_REMOVE;
  }
  if (!vw_hub_find_live_upstream (p, kind)) {   /* stopped again meanwhile */
    paused_stream_disarm (s);
    return G_SOURCE_REMOVE;
  }
  paused_stream_disarm (s);
  p->paused[kind] = NULL;
  s->p = NULL;
  p->tees[kind] = g_steal_pointer (&s->tee);
  paused_stream_release (s);      /* p's reference */
  GST_INFO ("%s: receiving %s again (the same stream resumed)", p->id,
      vw_track_kind_to_string (kind));
  vw_hub_forward_to_all (p, kind);
  vw_hub_recording_update (p, kind);
  return G_SOURCE_REMOVE;
}

/* Streaming thread. */
static GstPadProbeReturn
on_paused_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PausedStream *s = data;
  if (g_atomic_int_compare_and_exchange (&s->fired, 0, 1))
    g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, take_back,
        g_atomic_rc_box_acquire (s), paused_stream_release);
  return GST_PAD_PROBE_OK;
}

/* @p's @kind is live again with no new stream yet: watch the old one. */
void
vw_hub_watch_paused (Participant *p, VwTrackKind kind)
{
  PausedStream *s = p->paused[kind];
  if (!s || p->tees[kind] || s->probe)
    return;
  s->probe = gst_pad_add_probe (s->pad,
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
      on_paused_data, g_atomic_rc_box_acquire (s), paused_stream_release);
}
