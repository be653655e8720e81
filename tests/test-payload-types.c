/* test-payload-types: the payload types the hub gives a session's tracks
 * (server/hub/vw-payload-types.h). */
#include "vw-payload-types.h"

/* Every track gets one of 96..127 that no earlier track of the session
 * has; the 33rd gets none. */
static void
test_unique_in_range (void)
{
  gboolean seen[128] = { FALSE };
  for (guint i = 0; i < VW_PT_MAX_TRACKS; i++) {
    guint pt = 0;
    g_assert_true (vw_payload_type_for_track (i, &pt));
    g_assert_cmpuint (pt, >=, 96);
    g_assert_cmpuint (pt, <=, 127);
    g_assert_false (seen[pt]);
    seen[pt] = TRUE;
  }
  guint pt = 0;
  g_assert_false (vw_payload_type_for_track (VW_PT_MAX_TRACKS, &pt));
  g_assert_false (vw_payload_type_for_track (G_MAXUINT, &pt));
  g_assert_cmpuint (VW_PT_MAX_TRACKS, ==, 32);
}

/* Tracks take theirs from the top: webrtcbin picks RTX payload types from
 * 96 up, the lowest not in the offer.  A session of 4 participants
 * sending all 4 kinds (16 tracks, 12 of them video, so at most 12 RTX
 * payload types in a bundle) leaves the two apart: no RTX payload type
 * webrtcbin picks is ever a track's. */
static void
test_apart_from_rtx (void)
{
  const guint tracks = 16, video_lines = 12;
  gboolean used[128] = { FALSE };
  for (guint i = 0; i < tracks; i++) {
    guint pt;
    g_assert_true (vw_payload_type_for_track (i, &pt));
    used[pt] = TRUE;
  }
  /* webrtcbin's picks, in any offer of such a session. */
  guint rtx = 96;
  for (guint i = 0; i < video_lines; i++, rtx++) {
    while (used[rtx])
      rtx++;
    g_assert_cmpuint (rtx, <=, 127);
  }
  guint lowest_track;
  g_assert_true (vw_payload_type_for_track (tracks - 1, &lowest_track));
  g_assert_cmpuint (rtx - 1, <, lowest_track);
  /* ...and they stay the lowest: the first track has the highest. */
  guint first;
  g_assert_true (vw_payload_type_for_track (0, &first));
  g_assert_cmpuint (first, ==, 127);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/payload-types/unique-in-range", test_unique_in_range);
  g_test_add_func ("/payload-types/apart-from-rtx", test_apart_from_rtx);
  return g_test_run ();
}
