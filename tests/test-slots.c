/* test-slots: the rules of appointments (server/vw-slots.c), table-driven:
 * places left, the check-in window, until when a booking may be
 * cancelled, what makes a slot valid (its times within 2020..2099, a new
 * one at most two years ahead), and how times are shown (UTC+8).
 *
 * The slot of most cases: 2026-11-23 (a Monday) 09:30 to 10:00 CST at
 * 黄浦区政务服务中心, check-in opening 15 minutes early. */
#include "vw-slots.h"

#include <string.h>

#define MINUTE ((gint64) 60 * 1000)
#define HOUR (60 * MINUTE)

/* Unix ms of a CST wall-clock time. */
static gint64
cst (int year, int month, int day, int hour, int minute)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt) * 1000;
}

static void
test_remaining (void)
{
  static const struct { guint capacity, booked, remaining; } cases[] = {
    { 1, 0, 1 },
    { 1, 1, 0 },
    { 5, 3, 2 },
    { 5, 5, 0 },
    { 5, 7, 0 },      /* never negative (a capacity lowered by hand) */
    { 100, 0, 100 },
    { 100, 99, 1 },
    { 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("capacity %u, booked %u", cases[i].capacity, cases[i].booked);
    g_assert_cmpuint (vw_slot_remaining (cases[i].capacity, cases[i].booked), ==,
        cases[i].remaining);
  }
}

static void
test_window (void)
{
  gint64 starts = cst (2026, 11, 23, 9, 30), ends = cst (2026, 11, 23, 10, 0);
  const struct {
    const char *what;
    gint64 now, early;
    VwSlotWindow want;
  } cases[] = {
    { "the day before", starts - 24 * HOUR, 15 * MINUTE, VW_SLOT_EARLY },
    { "1 ms before check-in opens", starts - 15 * MINUTE - 1, 15 * MINUTE, VW_SLOT_EARLY },
    { "as check-in opens", starts - 15 * MINUTE, 15 * MINUTE, VW_SLOT_DUE },
    { "as the slot starts", starts, 15 * MINUTE, VW_SLOT_DUE },
    { "during the slot", starts + 20 * MINUTE, 15 * MINUTE, VW_SLOT_DUE },
    { "its last ms", ends - 1, 15 * MINUTE, VW_SLOT_DUE },
    { "as it ends", ends, 15 * MINUTE, VW_SLOT_OVER },
    { "the day after", ends + 24 * HOUR, 15 * MINUTE, VW_SLOT_OVER },
    { "no early check-in: 1 ms before", starts - 1, 0, VW_SLOT_EARLY },
    { "no early check-in: at the start", starts, 0, VW_SLOT_DUE },
    { "a negative early counts as 0", starts - 1, -5 * MINUTE, VW_SLOT_EARLY },
    { "early longer than the slot", ends - 1, 2 * HOUR, VW_SLOT_DUE },
    { "an hour early", starts - HOUR, HOUR, VW_SLOT_DUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("%s", cases[i].what);
    g_assert_cmpint (vw_slot_window (cases[i].now, starts, ends, cases[i].early), ==,
        cases[i].want);
  }
  g_assert_cmpint (vw_slot_opens_at (starts, 15 * MINUTE), ==, cst (2026, 11, 23, 9, 15));
  g_assert_cmpint (vw_slot_opens_at (starts, -MINUTE), ==, starts);
}

static void
test_cancel (void)
{
  gint64 starts = cst (2026, 11, 23, 9, 30);
  const struct { const char *what; gint64 now; gboolean can; } cases[] = {
    { "the day before", starts - 24 * HOUR, TRUE },
    { "1 ms before it starts", starts - 1, TRUE },
    { "as it starts", starts, FALSE },
    { "during it", starts + 10 * MINUTE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("%s", cases[i].what);
    g_assert_cmpint (vw_slot_can_cancel (cases[i].now, starts), ==, cases[i].can);
  }
}

static void
test_check (void)
{
  gint64 t = cst (2026, 11, 23, 9, 30);
  const gint64 earliest = cst (2020, 1, 1, 0, 0), latest = cst (2100, 1, 1, 0, 0);
  const int invalid = VW_SLOT_ERROR_INVALID, range = VW_SLOT_ERROR_OUT_OF_RANGE;
  const struct {
    const char *what;
    gint64 starts, ends, capacity;
    int code;              /* the error's code, -1: valid */
    const char *problem;   /* a word of the message */
  } cases[] = {
    { "half an hour for 5", t, t + 30 * MINUTE, 5, -1, NULL },
    { "one minute for 1", t, t + MINUTE, 1, -1, NULL },
    { "4 hours for 100", t, t + 4 * HOUR, 100, -1, NULL },
    { "ends as it starts", t, t, 5, invalid, "end after" },
    { "ends before it starts", t, t - 30 * MINUTE, 5, invalid, "end after" },
    { "4 hours and a minute", t, t + 4 * HOUR + MINUTE, 5, invalid, "4 hours" },
    { "a whole day", t, t + 24 * HOUR, 5, invalid, "4 hours" },
    { "starts at a second", t + 1000, t + 30 * MINUTE, 5, invalid, "whole minute" },
    { "ends at a millisecond", t, t + 30 * MINUTE + 1, 5, invalid, "whole minute" },
    { "capacity 0", t, t + 30 * MINUTE, 0, invalid, "capacity" },
    { "capacity 101", t, t + 30 * MINUTE, 101, invalid, "capacity" },
    { "capacity negative", t, t + 30 * MINUTE, -3, invalid, "capacity" },
    { "time 0", 0, 30 * MINUTE, 5, invalid, "unix milliseconds" },
    { "negative times", -HOUR, -30 * MINUTE, 5, invalid, "unix milliseconds" },
    { "at the first minute of 2020", earliest, earliest + 30 * MINUTE, 5, -1, NULL },
    { "a minute before 2020", earliest - MINUTE, earliest + 29 * MINUTE, 5, range,
      "2020-01-01" },
    { "in 1970", 60 * MINUTE, 90 * MINUTE, 5, range, "2020-01-01" },
    { "ending as 2100 begins", latest - 30 * MINUTE, latest, 5, -1, NULL },
    { "ending a minute into 2100", latest - 29 * MINUTE, latest + MINUTE, 5, range,
      "2100-01-01" },
    /* The slot of the report: 9223372036854000000 ms, about the year
     * 292 million, on a whole minute. */
    { "at the end of gint64", G_GINT64_CONSTANT (9223372036854000000),
      G_GINT64_CONSTANT (9223372036854000000) + MINUTE, 5, range, "2100-01-01" },
    { "four hours before gint64 overflows", G_MAXINT64 / MINUTE * MINUTE - 4 * HOUR,
      G_MAXINT64 / MINUTE * MINUTE, 5, range, "2100-01-01" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    gboolean ok = vw_slot_check (cases[i].starts, cases[i].ends, cases[i].capacity,
        &error);

    g_test_message ("%s: %s", cases[i].what, error ? error->message : "valid");
    if (cases[i].code < 0) {
      g_assert_no_error (error);
      g_assert_true (ok);
    } else {
      g_assert_false (ok);
      g_assert_error (error, VW_SLOT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].problem));
    }
  }
}

/* A new slot starts at most two years (731 days) after now. */
static void
test_horizon (void)
{
  gint64 now = cst (2026, 11, 23, 9, 31);
  const struct {
    const char *what;
    gint64 now, starts;
    gboolean ok;
  } cases[] = {
    { "tomorrow", now, now + 24 * HOUR, TRUE },
    { "in a year", now, cst (2027, 11, 23, 9, 30), TRUE },
    { "731 days ahead", now, now + VW_SLOT_HORIZON_MS, TRUE },
    { "731 days and a minute ahead", now, now + VW_SLOT_HORIZON_MS + MINUTE, FALSE },
    { "in ten years", now, cst (2036, 11, 24, 9, 30), FALSE },
    { "at the end of gint64", now, G_GINT64_CONSTANT (9223372036854000000), FALSE },
    { "a clock beyond 2100", G_GINT64_CONSTANT (9223372036854000000),
      cst (2026, 11, 24, 9, 30), FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;

    g_test_message ("%s", cases[i].what);
    g_assert_cmpint (vw_slot_check_horizon (cases[i].now, cases[i].starts, &error), ==,
        cases[i].ok);
    if (cases[i].ok)
      g_assert_no_error (error);
    else
      g_assert_error (error, VW_SLOT_ERROR, VW_SLOT_ERROR_OUT_OF_RANGE);
  }
}

static void
test_format (void)
{
  const struct { gint64 ms; const char *time, *iso; } cases[] = {
    { cst (2026, 11, 23, 9, 30), "2026-11-23 09:30", "2026-11-23T09:30:00+08:00" },
    /* 16:00 UTC is already the next day in Shanghai. */
    { cst (2026, 11, 24, 0, 0), "2026-11-24 00:00", "2026-11-24T00:00:00+08:00" },
    { cst (2028, 2, 29, 17, 5), "2028-02-29 17:05", "2028-02-29T17:05:00+08:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *time = vw_slot_format_time (cases[i].ms);
    g_autofree char *iso = vw_slot_format_iso (cases[i].ms);
    g_assert_cmpstr (time, ==, cases[i].time);
    g_assert_cmpstr (iso, ==, cases[i].iso);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slots/remaining", test_remaining);
  g_test_add_func ("/slots/window", test_window);
  g_test_add_func ("/slots/cancel", test_cancel);
  g_test_add_func ("/slots/check", test_check);
  g_test_add_func ("/slots/horizon", test_horizon);
  g_test_add_func ("/slots/format", test_format);
  return g_test_run ();
}
