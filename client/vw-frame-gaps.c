/* vw-frame-gaps.c: gaps between decoded frames (see vw-frame-gaps.h). */
#include "vw-frame-gaps.h"

gint64
vw_frame_gaps_add (VwFrameGaps *gaps, gint64 now_us, gint64 threshold_us)
{
  gint64 gap = gaps->last_us ? now_us - gaps->last_us : 0;
  gaps->last_us = now_us;
  if (gap <= 0)
    return 0;
  gaps->max_gap_us = MAX (gaps->max_gap_us, gap);
  if (gap <= threshold_us)
    return 0;
  gaps->freeze_us += gap;
  gaps->freezes++;
  return gap;
}
