/* vw-frame-gaps.h: gaps between a received track's decoded frames (pure;
 * the network benchmark's freeze time).  A gap longer than the threshold
 * is a freeze: counted, summed, and handed back so that the client can
 * report it ("freeze" event lines, README "Event lines"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The freeze: no new frame for more than 200 ms. */
#define VW_FRAME_GAPS_FREEZE_US (200 * G_TIME_SPAN_MILLISECOND)

typedef struct {
  gint64 last_us;       /* the latest frame; 0 before the first */
  gint64 max_gap_us;
  gint64 freeze_us;     /* sum of the gaps longer than the threshold */
  guint freezes;
} VwFrameGaps;

/* A frame decoded at @now_us (monotonic): the gap since the one before
 * when it is longer than @threshold_us (a freeze that just ended), else 0. */
gint64 vw_frame_gaps_add (VwFrameGaps *gaps, gint64 now_us, gint64 threshold_us);

G_END_DECLS
