/* test-calendar: CST days and working days (server/store/vw-calendar.c),
 * the calendar that sets when the follow-up (整改) of a bad rating is due:
 * 15 working days, Monday to Friday, China Standard Time. */
#include "vw-calendar.h"

#include <stdio.h>
#include <string.h>

/* Unix ms of a CST wall-clock time. */
static gint64
cst (int year, int month, int day, int hour, int minute, int second)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute,
      second);

  return g_date_time_to_unix (dt) * 1000;
}

static gint64
day_of_date (const char *date)
{
  int y, m, d;

  g_assert_cmpint (sscanf (date, "%d-%d-%d", &y, &m, &d), ==, 3);
  return vw_calendar_day_of (cst (y, m, d, 12, 0, 0));
}

static char *
date_of_day (gint64 day)
{
  return vw_calendar_format_date (vw_calendar_day_start (day));
}

/* Days begin at midnight CST (16:00 UTC the day before), also before 1970. */
static void
test_days (void)
{
  gint64 d = vw_calendar_day_of (cst (2026, 11, 22, 0, 0, 0));

  g_assert_cmpint (vw_calendar_day_of (0), ==, 0);
  g_assert_cmpint (vw_calendar_day_of (-8 * 3600 * 1000), ==, 0);      /* 1970-01-01 00:00 CST */
  g_assert_cmpint (vw_calendar_day_of (-8 * 3600 * 1000 - 1), ==, -1);
  g_assert_cmpint (vw_calendar_day_start (0), ==, -8 * 3600 * 1000);
  g_assert_cmpint (vw_calendar_day_start (d), ==, cst (2026, 11, 22, 0, 0, 0));
  g_assert_cmpint (vw_calendar_day_of (cst (2026, 11, 22, 23, 59, 59) + 999), ==, d);
  g_assert_cmpint (vw_calendar_day_of (cst (2026, 11, 23, 0, 0, 0)), ==, d + 1);
  /* 2026-11-21 16:30 UTC is already the 22nd in Shanghai. */
  g_assert_cmpint (vw_calendar_day_of (cst (2026, 11, 22, 0, 30, 0)), ==, d);
  for (gint64 day = -800; day < 800; day += 7)
    g_assert_cmpint (vw_calendar_day_of (vw_calendar_day_start (day)), ==, day);
}

static void
test_format (void)
{
  const struct { gint64 ms; const char *date; } cases[] = {
    { cst (2026, 11, 22, 0, 0, 0), "2026-11-22" },
    { cst (2026, 11, 22, 23, 59, 59), "2026-11-22" },
    { cst (2028, 2, 29, 8, 0, 0), "2028-02-29" },
    { cst (2000, 3, 1, 0, 0, 0), "2000-03-01" },
    { cst (2026, 12, 31, 23, 0, 0), "2026-12-31" },
    { 0, "1970-01-01" },
    { -8 * 3600 * 1000 - 1, "1969-12-31" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *s = vw_calendar_format_date (cases[i].ms);
    g_assert_cmpstr (s, ==, cases[i].date);
  }
  /* Every day of four years, against GLib's calendar. */
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  for (gint64 day = vw_calendar_day_of (cst (2025, 1, 1, 0, 0, 0));
       day < vw_calendar_day_of (cst (2029, 1, 1, 0, 0, 0)); day++) {
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (
        vw_calendar_day_start (day) / 1000);
    g_autoptr (GDateTime) local = g_date_time_to_timezone (dt, tz);
    g_autofree char *want = g_date_time_format (local, "%Y-%m-%d");
    g_autofree char *got = date_of_day (day);
    g_assert_cmpstr (got, ==, want);
    /* GLib: 1 Monday .. 7 Sunday. */
    g_assert_cmpuint (vw_calendar_weekday (day), ==,
        g_date_time_get_day_of_week (local) % 7);
  }
}

static void
test_weekdays (void)
{
  const char *names[] = { "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25",
    "2026-11-26", "2026-11-27", "2026-11-28" };   /* Sunday .. Saturday */

  for (guint w = 0; w < 7; w++) {
    gint64 day = day_of_date (names[w]);
    g_assert_cmpuint (vw_calendar_weekday (day), ==, w);
    g_assert_cmpint (vw_calendar_is_working_day (day), ==, w >= 1 && w <= 5);
  }
  g_assert_cmpuint (vw_calendar_weekday (0), ==, 4);     /* 1970-01-01, a Thursday */
  g_assert_cmpuint (vw_calendar_weekday (-1), ==, 3);
  g_assert_cmpuint (vw_calendar_weekday (-7), ==, 4);
}

/* From each day of one week: 0, 1, 5 and 15 working days on. */
static void
test_add_working_days (void)
{
  const struct { const char *from; const char *plus[4]; } cases[] = {
    { "2026-11-16", { "2026-11-16", "2026-11-17", "2026-11-23", "2026-12-07" } },   /* Mon */
    { "2026-11-17", { "2026-11-17", "2026-11-18", "2026-11-24", "2026-12-08" } },
    { "2026-11-18", { "2026-11-18", "2026-11-19", "2026-11-25", "2026-12-09" } },
    { "2026-11-19", { "2026-11-19", "2026-11-20", "2026-11-26", "2026-12-10" } },
    { "2026-11-20", { "2026-11-20", "2026-11-23", "2026-11-27", "2026-12-11" } },   /* Fri */
    { "2026-11-21", { "2026-11-21", "2026-11-23", "2026-11-27", "2026-12-11" } },   /* Sat */
    { "2026-11-22", { "2026-11-22", "2026-11-23", "2026-11-27", "2026-12-11" } },   /* Sun */
  };
  const guint n[] = { 0, 1, 5, 15 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint j = 0; j < G_N_ELEMENTS (n); j++) {
      g_autofree char *got = date_of_day (
          vw_calendar_add_working_days (day_of_date (cases[i].from), n[j]));
      g_test_message ("%s + %u working days", cases[i].from, n[j]);
      g_assert_cmpstr (got, ==, cases[i].plus[j]);
    }
}

/* The shortcut by whole weeks agrees with counting day by day, from every
 * day of two years and for 0..40 working days; the result is always a
 * working day (for n > 0) and has exactly n working days after the start. */
static void
test_add_working_days_brute (void)
{
  gint64 first = day_of_date ("2026-01-01");

  for (gint64 day = first; day < first + 731; day++)
    for (guint n = 0; n <= 40; n++) {
      gint64 naive = day;
      for (guint left = n; left > 0;) {
        naive++;
        if (vw_calendar_is_working_day (naive))
          left--;
      }
      g_assert_cmpint (vw_calendar_add_working_days (day, n), ==, naive);
      if (n > 0)
        g_assert_true (vw_calendar_is_working_day (naive));
    }
}

/* A rating's follow-up is due at the end of the 15th working day after
 * the rating's day, in CST. */
static void
test_deadline (void)
{
  const struct { gint64 at; const char *due; } cases[] = {
    { cst (2026, 11, 20, 9, 30, 0), "2026-12-11" },     /* Friday morning */
    { cst (2026, 11, 20, 23, 59, 59), "2026-12-11" },   /* Friday, last second */
    { cst (2026, 11, 21, 0, 0, 0), "2026-12-11" },      /* Saturday: counts from Monday */
    { cst (2026, 11, 22, 18, 0, 0), "2026-12-11" },     /* Sunday */
    { cst (2026, 11, 23, 0, 0, 0), "2026-12-14" },      /* Monday */
    { cst (2026, 12, 24, 15, 0, 0), "2027-01-14" },     /* over New Year (not a holiday here) */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gint64 due = vw_calendar_deadline (cases[i].at, VW_FOLLOW_UP_WORKING_DAYS);
    g_autofree char *last_day = vw_calendar_format_date (due - 1);
    g_autofree char *next_day = vw_calendar_format_date (due);
    g_assert_cmpstr (last_day, ==, cases[i].due);
    /* Exclusive: the due instant is the next day's midnight. */
    g_assert_cmpint (vw_calendar_day_start (vw_calendar_day_of (due)), ==, due);
    g_assert_cmpstr (next_day, !=, cases[i].due);
  }
  /* 15 working days are three weeks from a weekday. */
  gint64 wed = cst (2026, 11, 25, 10, 0, 0);
  g_assert_cmpint (vw_calendar_deadline (wed, 15), ==, cst (2026, 12, 17, 0, 0, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/calendar/days", test_days);
  g_test_add_func ("/calendar/format", test_format);
  g_test_add_func ("/calendar/weekdays", test_weekdays);
  g_test_add_func ("/calendar/add-working-days", test_add_working_days);
  g_test_add_func ("/calendar/add-working-days-brute", test_add_working_days_brute);
  g_test_add_func ("/calendar/deadline", test_deadline);
  return g_test_run ();
}
