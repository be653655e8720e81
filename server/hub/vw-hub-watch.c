/* vw-hub-watch.c: noticing a participant's media path gone dead (issue 12).
 *
 * webrtcbin 1.22 with libnice 0.1.21 does not report a dead path in its
 * connection state: with the clerk's UDP dropped for 45 s (tests,
 * /reconnect/media-only) neither the hub's nor the clerk's connection
 * left "connected" (no consent freshness reaches the state).  So the hub
 * watches what it receives: every stream a participant sends passes a
 * probe that notes the time; a participant that has sent media on this
 * connection and then sends nothing at all, on any track, for
 * VW_HUB_SILENT_MEDIA_MS while some of its tracks are live is reported
 * lost (media_lost), like a failed connection.  Only when media_lost is
 * set (the broker has a grace period).  Audio never stops while a call runs (Opus sends a packet
 * every 20 ms, silence included), so a quiet room is not a dead path. */
#include "vw-hub-private.h"

#define GST_CAT_DEFAULT vw_hub_debug
#define CHECK_MS 1000

typedef struct _VwHubRtpClock {
  gpointer last_us;   /* atomic (a gsize): the latest buffer from the participant */
} RtpClock;

static void
clock_release (gpointer data)
{
  g_atomic_rc_box_release (data);
}

/* Streaming thread. */
static GstPadProbeReturn
on_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  RtpClock *clock = data;
  g_atomic_pointer_set (&clock->last_us, GSIZE_TO_POINTER ((gsize) g_get_monotonic_time ()));
  return GST_PAD_PROBE_OK;
}

static gint64
last_heard (Participant *p)
{
  return (gint64) GPOINTER_TO_SIZE (g_atomic_pointer_get (&p->rtp_clock->last_us));
}

static gboolean
on_check (gpointer data)
{
  Participant *p = data;
  gint64 last = last_heard (p);
  if (last == 0 || p->lost_source)
    return G_SOURCE_CONTINUE;   /* nothing received yet, or already reported */
  gboolean sending = FALSE;
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++)
    sending |= vw_hub_find_live_upstream (p, k) != NULL;
  if (!sending)
    return G_SOURCE_CONTINUE;   /* it sends nothing now: nothing to miss */
  if (g_get_monotonic_time () - last < VW_HUB_SILENT_MEDIA_MS * 1000)
    return G_SOURCE_CONTINUE;
  GST_INFO ("%s: nothing received for %d ms", p->id, VW_HUB_SILENT_MEDIA_MS);
  p->watch_source = 0;
  vw_hub_report_lost_soon (p);
  return G_SOURCE_REMOVE;
}

void
vw_hub_watch_start (Participant *p)
{
  vw_hub_watch_stop (p);
  if (!p->hub->cb.media_lost)
    return;   /* nobody to tell: no drop-outs (reconnect-grace 0) */
  p->rtp_clock = g_atomic_rc_box_new0 (RtpClock);
  p->watch_source = g_timeout_add (CHECK_MS, on_check, p);
}

void
vw_hub_watch_stop (Participant *p)
{
  g_clear_handle_id (&p->watch_source, g_source_remove);
  g_clear_pointer (&p->rtp_clock, clock_release);
}

void
vw_hub_watch_tee (Participant *p, GstElement *tee)
{
  if (!p->rtp_clock)
    return;
  g_autoptr (GstPad) pad = gst_element_get_static_pad (tee, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
      on_buffer, g_atomic_rc_box_acquire (p->rtp_clock), clock_release);
}
