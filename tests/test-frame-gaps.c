/* test-frame-gaps: the freeze arithmetic of received tracks
 * (client/vw-frame-gaps.c). */
#include "vw-frame-gaps.h"

#define MS G_TIME_SPAN_MILLISECOND

/* Frames every 33 ms: no freeze; the first frame is no gap. */
static void
test_steady (void)
{
  VwFrameGaps g = { 0 };
  for (gint64 i = 0; i < 100; i++)
    g_assert_cmpint (vw_frame_gaps_add (&g, 1000 * MS + i * 33 * MS,
        VW_FRAME_GAPS_FREEZE_US), ==, 0);
  g_assert_cmpint (g.max_gap_us, ==, 33 * MS);
  g_assert_cmpint (g.freezes, ==, 0);
  g_assert_cmpint (g.freeze_us, ==, 0);
}

/* Gaps of 200 ms (not a freeze: more than 200 is), 201 and 900 ms: two
 * freezes, their whole lengths summed, the longest kept. */
static void
test_freezes (void)
{
  VwFrameGaps g = { 0 };
  gint64 t = 5000 * MS;
  g_assert_cmpint (vw_frame_gaps_add (&g, t, VW_FRAME_GAPS_FREEZE_US), ==, 0);
  g_assert_cmpint (vw_frame_gaps_add (&g, t += 200 * MS, VW_FRAME_GAPS_FREEZE_US), ==, 0);
  g_assert_cmpint (vw_frame_gaps_add (&g, t += 201 * MS, VW_FRAME_GAPS_FREEZE_US), ==, 201 * MS);
  g_assert_cmpint (vw_frame_gaps_add (&g, t += 33 * MS, VW_FRAME_GAPS_FREEZE_US), ==, 0);
  g_assert_cmpint (vw_frame_gaps_add (&g, t += 900 * MS, VW_FRAME_GAPS_FREEZE_US), ==, 900 * MS);
  g_assert_cmpuint (g.freezes, ==, 2);
  g_assert_cmpint (g.freeze_us, ==, 1101 * MS);
  g_assert_cmpint (g.max_gap_us, ==, 900 * MS);
  /* A clock that does not move (two frames at once) is no gap. */
  g_assert_cmpint (vw_frame_gaps_add (&g, t, VW_FRAME_GAPS_FREEZE_US), ==, 0);
  g_assert_cmpuint (g.freezes, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/frame-gaps/steady", test_steady);
  g_test_add_func ("/frame-gaps/freezes", test_freezes);
  return g_test_run ();
}
