/* test-calendar: CST days and working days (server/store/vw-calendar.c),
 * the calendar that sets when the follow-up (整改) of a bad rating is due:
 * 15 working days, China Standard Time, Monday to Friday without a
 * calendar of holidays, and with the State Council's 2026 arrangement
 * (public holidays off, 调休 weekend days worked); the holidays file that
 * holds it (server/store/vw-holidays.c), strictly checked, and the
 * shipped data/holidays.json; the due date of a follow-up in a store given
 * that calendar (vw_store_set_calendar). */
#include "vw-calendar.h"
#include "vw-holidays.h"
#include "vw-store-follow-ups.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

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
    g_assert_cmpint (vw_calendar_is_working_day (NULL, day), ==, w >= 1 && w <= 5);
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
          vw_calendar_add_working_days (NULL, day_of_date (cases[i].from), n[j]));
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
        if (vw_calendar_is_working_day (NULL, naive))
          left--;
      }
      g_assert_cmpint (vw_calendar_add_working_days (NULL, day, n), ==, naive);
      if (n > 0)
        g_assert_true (vw_calendar_is_working_day (NULL, naive));
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
    { cst (2026, 12, 24, 15, 0, 0), "2027-01-14" },     /* over New Year (no holidays here) */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gint64 due = vw_calendar_deadline (NULL, cases[i].at, VW_FOLLOW_UP_WORKING_DAYS);
    g_autofree char *last_day = vw_calendar_format_date (due - 1);
    g_autofree char *next_day = vw_calendar_format_date (due);
    g_assert_cmpstr (last_day, ==, cases[i].due);
    /* Exclusive: the due instant is the next day's midnight. */
    g_assert_cmpint (vw_calendar_day_start (vw_calendar_day_of (due)), ==, due);
    g_assert_cmpstr (next_day, !=, cases[i].due);
  }
  /* 15 working days are three weeks from a weekday. */
  gint64 wed = cst (2026, 11, 25, 10, 0, 0);
  g_assert_cmpint (vw_calendar_deadline (NULL, wed, 15), ==, cst (2026, 12, 17, 0, 0, 0));
}

/* ---- dates ---- */

static void
test_parse_date (void)
{
  const char *good[] = { "2026-01-01", "2026-12-31", "2028-02-29", "2000-02-29",
    "1900-01-01", "9999-12-31", "1970-01-01" };
  const char *bad[] = { "", "2026-1-01", "2026-01-1", "2026/01/01", "2026-01-01 ",
    " 2026-01-01", "2026-01-01T00:00", "２０２６-01-01", "2026-02-29", "2100-02-29",
    "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "1899-12-31", "+026-01-01",
    "2026-0a-01", "二〇二六年一月一日" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (GError) error = NULL;
    gint64 day = G_MININT64;
    g_assert_true (vw_calendar_parse_date (good[i], &day, &error));
    g_assert_no_error (error);
    g_autofree char *back = date_of_day (day);
    g_assert_cmpstr (back, ==, good[i]);
    g_assert_cmpint (day, ==, day_of_date (good[i]));
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    gint64 day = 7;
    g_test_message ("'%s'", bad[i]);
    g_assert_false (vw_calendar_parse_date (bad[i], &day, &error));
    g_assert_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_BAD_DATE);
    g_assert_cmpint (day, ==, 7);
  }
}

static void
test_year_of (void)
{
  g_assert_cmpint (vw_calendar_year_of (0), ==, 1970);
  g_assert_cmpint (vw_calendar_year_of (-1), ==, 1969);
  g_assert_cmpint (vw_calendar_year_of (day_of_date ("2026-01-01")), ==, 2026);
  g_assert_cmpint (vw_calendar_year_of (day_of_date ("2026-12-31")), ==, 2026);
  g_assert_cmpint (vw_calendar_year_of (day_of_date ("2027-01-01")), ==, 2027);
  /* 2026-12-31 16:00 UTC is already 2027 in Shanghai. */
  g_assert_cmpint (vw_calendar_year_of (vw_calendar_day_of (cst (2027, 1, 1, 0, 0, 0))),
      ==, 2027);
}

/* ---- the 2026 arrangement ---- */

/* 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), typed in again
 * here from the notice, independently of data/holidays.json. */
static const struct { const char *first, *last; } off_2026[] = {
  { "2026-01-01", "2026-01-03" },   /* 元旦 */
  { "2026-02-15", "2026-02-23" },   /* 春节 */
  { "2026-04-04", "2026-04-06" },   /* 清明节 */
  { "2026-05-01", "2026-05-05" },   /* 劳动节 */
  { "2026-06-19", "2026-06-21" },   /* 端午节 */
  { "2026-09-25", "2026-09-27" },   /* 中秋节 */
  { "2026-10-01", "2026-10-07" },   /* 国庆节 */
};
static const char *const worked_2026[] = {
  "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

static VwCalendar *
calendar_2026 (void)
{
  g_autoptr (GError) error = NULL;
  VwCalendar *c = vw_calendar_new ();

  g_assert_true (vw_calendar_add_year (c, 2026, &error));
  for (guint i = 0; i < G_N_ELEMENTS (off_2026); i++)
    for (gint64 d = day_of_date (off_2026[i].first); d <= day_of_date (off_2026[i].last);
         d++) {
      g_assert_true (vw_calendar_add_holiday (c, d, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (worked_2026); i++) {
    g_assert_true (vw_calendar_add_workday (c, day_of_date (worked_2026[i]), &error));
    g_assert_no_error (error);
  }
  return c;
}

static gboolean
is_off_2026 (gint64 day)
{
  for (guint i = 0; i < G_N_ELEMENTS (off_2026); i++)
    if (day >= day_of_date (off_2026[i].first) && day <= day_of_date (off_2026[i].last))
      return TRUE;
  return FALSE;
}

static gboolean
is_worked_2026 (gint64 day)
{
  for (guint i = 0; i < G_N_ELEMENTS (worked_2026); i++)
    if (day == day_of_date (worked_2026[i]))
      return TRUE;
  return FALSE;
}

/* Every day of 2025 to 2027: a working day is Monday to Friday and not a
 * holiday, or a 调休 day; the notice's 33 days off and 6 days worked;
 * 2026 has 248 working days (365 - 104 weekend days - 19 weekdays off
 * + 6 weekend days worked). */
static void
test_working_days_2026 (void)
{
  g_autoptr (VwCalendar) c = calendar_2026 ();
  guint working_2026 = 0;

  g_assert_cmpuint (vw_calendar_n_holidays (c), ==, 33);
  g_assert_cmpuint (vw_calendar_n_workdays (c), ==, 6);
  for (gint64 d = day_of_date ("2025-01-01"); d < day_of_date ("2028-01-01"); d++) {
    guint w = vw_calendar_weekday (d);
    gboolean want = is_worked_2026 (d) || (w >= 1 && w <= 5 && !is_off_2026 (d));
    g_assert_cmpint (vw_calendar_is_working_day (c, d), ==, want);
    if (vw_calendar_year_of (d) == 2026)
      working_2026 += want;
    else
      g_assert_cmpint (want, ==, vw_calendar_is_working_day (NULL, d));
  }
  g_assert_cmpuint (working_2026, ==, 248);
  /* The 调休 days are all weekend days, as the notice says. */
  for (guint i = 0; i < G_N_ELEMENTS (worked_2026); i++) {
    guint w = vw_calendar_weekday (day_of_date (worked_2026[i]));
    g_assert_true (w == 0 || w == 6);
  }
}

/* N working days after a day, with and without the 2026 calendar. */
static void
test_add_working_days_2026 (void)
{
  const struct {
    const char *what, *from;
    guint n;
    const char *with, *without;
  } cases[] = {
    { "国庆: from the Monday before 中秋", "2026-09-21", 15, "2026-10-19", "2026-10-12" },
    { "国庆: during the holiday", "2026-10-03", 1, "2026-10-08", "2026-10-05" },
    { "国庆: during the holiday, 15", "2026-10-03", 15, "2026-10-27", "2026-10-23" },
    { "国庆: the 调休 Sunday before", "2026-09-19", 1, "2026-09-20", "2026-09-21" },
    { "国庆: the 调休 Saturday after", "2026-10-09", 1, "2026-10-10", "2026-10-12" },
    { "国庆: over the 调休 Saturday", "2026-10-09", 15, "2026-10-29", "2026-10-30" },
    { "春节: the Friday before", "2026-02-13", 15, "2026-03-12", "2026-03-06" },
    { "春节: the 调休 Saturday first", "2026-02-13", 1, "2026-02-14", "2026-02-16" },
    { "春节: from the 调休 Saturday", "2026-02-14", 1, "2026-02-24", "2026-02-16" },
    { "春节: from the last day off", "2026-02-23", 5, "2026-02-28", "2026-03-02" },
    { "元旦: from 31 December", "2025-12-31", 1, "2026-01-04", "2026-01-01" },
    { "元旦: from 31 December, 15", "2025-12-31", 15, "2026-01-22", "2026-01-21" },
    { "清明", "2026-04-03", 1, "2026-04-07", "2026-04-06" },
    { "劳动节 and its 调休 Saturday", "2026-04-30", 5, "2026-05-11", "2026-05-07" },
    { "端午", "2026-06-18", 1, "2026-06-22", "2026-06-19" },
    { "a holiday itself, 0 days", "2026-10-01", 0, "2026-10-01", "2026-10-01" },
    { "2027 is not in the calendar", "2027-09-30", 15, "2027-10-21", "2027-10-21" },
    { "from 2026 into 2027", "2026-12-24", 15, "2027-01-14", "2027-01-14" },
  };
  g_autoptr (VwCalendar) c = calendar_2026 ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gint64 from = day_of_date (cases[i].from);
    g_autofree char *with = date_of_day (vw_calendar_add_working_days (c, from, cases[i].n));
    g_autofree char *without = date_of_day (vw_calendar_add_working_days (NULL, from,
            cases[i].n));
    g_test_message ("%s: %s + %u working days", cases[i].what, cases[i].from, cases[i].n);
    g_assert_cmpstr (with, ==, cases[i].with);
    g_assert_cmpstr (without, ==, cases[i].without);
  }
}

/* With holidays, skipping whole weeks agrees with counting day by day,
 * from every day of 2025-12 to 2027-01 and for 0..60 working days. */
static void
test_add_working_days_2026_brute (void)
{
  g_autoptr (VwCalendar) c = calendar_2026 ();

  for (gint64 day = day_of_date ("2025-12-01"); day < day_of_date ("2027-02-01"); day++)
    for (guint n = 0; n <= 60; n++) {
      gint64 naive = day;
      for (guint left = n; left > 0;) {
        naive++;
        if (vw_calendar_is_working_day (c, naive))
          left--;
      }
      g_assert_cmpint (vw_calendar_add_working_days (c, day, n), ==, naive);
    }
  /* Far beyond the listed days, whole weeks at a time: after 2026-01-05,
   * 2026 has 17 weekdays off and 5 weekend days worked, 12 working days
   * fewer than Monday to Friday. */
  gint64 from = day_of_date ("2026-01-05");
  g_assert_cmpint (vw_calendar_add_working_days (c, from, 5 * 52 * 1000),
      ==, vw_calendar_add_working_days (NULL, from, 5 * 52 * 1000 + 12));
}

/* A follow-up of a rating given over a holiday is due later by as many
 * working days as the holiday took, earlier by the 调休 days worked. */
static void
test_deadline_2026 (void)
{
  const struct { gint64 at; const char *due; } cases[] = {
    { cst (2026, 9, 21, 9, 30, 0), "2026-10-19" },     /* 国庆 and 中秋 */
    { cst (2026, 9, 30, 23, 59, 59), "2026-10-27" },   /* the eve of 国庆 */
    { cst (2026, 10, 7, 12, 0, 0), "2026-10-27" },     /* its last day */
    { cst (2026, 2, 13, 16, 0, 0), "2026-03-12" },     /* 春节 */
    { cst (2026, 2, 14, 10, 0, 0), "2026-03-13" },     /* on the 调休 Saturday */
    { cst (2026, 11, 20, 9, 30, 0), "2026-12-11" },    /* no holiday */
  };
  g_autoptr (VwCalendar) c = calendar_2026 ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gint64 due = vw_calendar_deadline (c, cases[i].at, VW_FOLLOW_UP_WORKING_DAYS);
    g_autofree char *last_day = vw_calendar_format_date (due - 1);
    g_assert_cmpstr (last_day, ==, cases[i].due);
    g_assert_cmpint (vw_calendar_day_start (vw_calendar_day_of (due)), ==, due);
  }
}

/* Building a calendar: a day once, never both off and worked; a year
 * once. */
static void
test_listing (void)
{
  g_autoptr (VwCalendar) c = vw_calendar_new ();
  g_autoptr (VwCalendar) ref = vw_calendar_ref (c);
  g_autoptr (GError) error = NULL;
  gint64 national_day = day_of_date ("2026-10-01"), saturday = day_of_date ("2026-10-10");

  g_assert_true (c == ref);
  g_assert_false (vw_calendar_covers_year (c, 2026));
  g_assert_false (vw_calendar_covers_year (NULL, 2026));
  g_assert_true (vw_calendar_add_year (c, 2026, &error));
  g_assert_true (vw_calendar_covers_year (c, 2026));
  g_assert_false (vw_calendar_covers_year (c, 2027));
  g_assert_false (vw_calendar_add_year (c, 2026, &error));
  g_assert_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_DUPLICATE);
  g_clear_error (&error);

  g_assert_true (vw_calendar_add_holiday (c, national_day, &error));
  g_assert_true (vw_calendar_add_workday (c, saturday, &error));
  /* A holiday on a weekend day changes nothing, but is allowed. */
  g_assert_true (vw_calendar_add_holiday (c, day_of_date ("2026-10-03"), &error));
  g_assert_no_error (error);

  g_assert_false (vw_calendar_add_holiday (c, national_day, &error));
  g_assert_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "2026-10-01"));
  g_clear_error (&error);
  g_assert_false (vw_calendar_add_workday (c, national_day, &error));
  g_assert_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "2026-10-01"));
  g_clear_error (&error);
  g_assert_false (vw_calendar_add_holiday (c, saturday, &error));
  g_assert_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vw_calendar_add_workday (c, saturday, &error));
  g_assert_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_DUPLICATE);
  g_clear_error (&error);

  g_assert_cmpuint (vw_calendar_n_holidays (c), ==, 2);
  g_assert_cmpuint (vw_calendar_n_workdays (c), ==, 1);
  g_assert_false (vw_calendar_is_working_day (c, national_day));
  g_assert_true (vw_calendar_is_working_day (c, saturday));
  g_assert_true (vw_calendar_is_working_day (c, national_day + 1));
}

/* ---- the holidays file ---- */

#define FILE_HEAD "{\"source\": \"国务院办公厅关于2026年部分节假日安排的通知\", \"years\": [2026], "

/* Files that load, and what they say. */
static void
test_file_good (void)
{
  const struct {
    const char *json;
    guint holidays, workdays;
  } cases[] = {
    { FILE_HEAD "\"holidays\": [], \"workdays\": []}", 0, 0 },
    { "{\"years\": [2026], \"holidays\": [\"2026-10-01\"], \"workdays\": [\"2026-10-10\"]}",
      1, 1 },
    { FILE_HEAD "\"note\": \"每年11月前后补充\", \"holidays\": [{\"date\": \"2026-10-01\","
      " \"name\": \"国庆节\"}, {\"date\": \"2026-10-02\"}, \"2026-10-03\"],"
      " \"workdays\": [{\"name\": \"国庆节调休上班\", \"date\": \"2026-10-10\"}]}", 3, 1 },
    /* 元旦 may begin on 31 December of the year before. */
    { FILE_HEAD "\"holidays\": [\"2025-12-31\"], \"workdays\": [\"2025-12-28\"]}", 1, 1 },
    /* A holiday on a weekend day, a 调休 day on a weekday: allowed. */
    { FILE_HEAD "\"holidays\": [\"2026-10-04\"], \"workdays\": [\"2026-10-08\"]}", 1, 1 },
    { "{\"years\": [2026, 2027], \"holidays\": [\"2027-01-01\", \"2026-01-01\"],"
      " \"workdays\": []}", 2, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VwCalendar) c = vw_holidays_parse (cases[i].json, -1, "holidays.json",
        &error);
    g_test_message ("%s", cases[i].json);
    g_assert_no_error (error);
    g_assert_nonnull (c);
    g_assert_true (vw_calendar_covers_year (c, 2026));
    g_assert_cmpuint (vw_calendar_n_holidays (c), ==, cases[i].holidays);
    g_assert_cmpuint (vw_calendar_n_workdays (c), ==, cases[i].workdays);
  }
}

/* Files refused, each naming the file and what is wrong where. */
static void
test_file_bad (void)
{
  const struct {
    const char *what, *json, *says;
  } cases[] = {
    { "bad JSON", FILE_HEAD "\n\"holidays\": [\"2026-10-01\",], \"workdays\": []}",
      "holidays.json:2:" },
    { "not JSON", "国庆节放假七天", "holidays.json:" },
    { "empty", "", "must be a JSON object" },
    { "an array", "[\"2026-10-01\"]", "must be a JSON object" },
    { "no holidays", FILE_HEAD "\"workdays\": []}", "\"holidays\" must be a list" },
    { "no workdays", FILE_HEAD "\"holidays\": []}", "\"workdays\" must be a list" },
    { "no years", "{\"holidays\": [], \"workdays\": []}", "\"years\" must be a list" },
    { "holidays not a list", FILE_HEAD "\"holidays\": \"2026-10-01\", \"workdays\": []}",
      "\"holidays\" must be a list" },
    { "unknown member", FILE_HEAD "\"holidays\": [], \"workdays\": [], \"holiday\": []}",
      "unknown member \"holiday\"" },
    { "member twice", FILE_HEAD "\"holidays\": [\"2026-10-01\"], \"workdays\": [],"
      " \"holidays\": [\"2026-10-02\"]}", "member \"holidays\" is given twice" },
    { "member twice in an entry", FILE_HEAD "\"holidays\": [{\"date\": \"2026-10-01\","
      " \"date\": \"2026-10-02\"}], \"workdays\": []}", "member \"date\" is given twice" },
    { "source not a string", "{\"source\": 2026, \"years\": [2026], \"holidays\": [],"
      " \"workdays\": []}", "\"source\" must be a string" },
    { "bad date", FILE_HEAD "\"holidays\": [\"2026-10-01\", \"2026-02-30\"],"
      " \"workdays\": []}", "holidays entry 2: '2026-02-30' is not a date" },
    { "date without zeros", FILE_HEAD "\"holidays\": [], \"workdays\": [\"2026-5-9\"]}",
      "workdays entry 1: '2026-5-9' is not a date" },
    { "date as a number", FILE_HEAD "\"holidays\": [20261001], \"workdays\": []}",
      "holidays entry 1: must be a date" },
    { "entry without a date", FILE_HEAD "\"holidays\": [{\"name\": \"国庆节\"}],"
      " \"workdays\": []}", "holidays entry 1: must be a date" },
    { "entry with an unknown member", FILE_HEAD "\"holidays\": [{\"date\": \"2026-10-01\","
      " \"nmae\": \"国庆节\"}], \"workdays\": []}", "holidays entry 1: unknown member \"nmae\"" },
    { "name not a string", FILE_HEAD "\"holidays\": [{\"date\": \"2026-10-01\","
      " \"name\": 1}], \"workdays\": []}", "holidays entry 1: \"name\" must be a string" },
    { "date outside the years", FILE_HEAD "\"holidays\": [\"2025-10-01\"], \"workdays\": []}",
      "holidays entry 1: 2025-10-01 is not in the years" },
    { "date in the year after", FILE_HEAD "\"holidays\": [], \"workdays\": [\"2027-01-02\"]}",
      "workdays entry 1: 2027-01-02 is not in the years" },
    { "holiday twice", FILE_HEAD "\"holidays\": [\"2026-10-01\", \"2026-10-02\","
      " {\"date\": \"2026-10-01\", \"name\": \"国庆节\"}], \"workdays\": []}",
      "holidays entry 3: 2026-10-01 is listed twice as a holiday" },
    { "workday twice", FILE_HEAD "\"holidays\": [], \"workdays\": [\"2026-10-10\","
      " \"2026-10-10\"]}", "workdays entry 2: 2026-10-10 is listed twice" },
    { "holiday and workday", FILE_HEAD "\"holidays\": [\"2026-10-01\", \"2026-10-10\"],"
      " \"workdays\": [\"2026-09-20\", \"2026-10-10\"]}",
      "workdays entry 2: 2026-10-10 is listed both as a holiday and as a working day" },
    { "year twice", "{\"years\": [2026, 2026], \"holidays\": [], \"workdays\": []}",
      "years entry 2: year 2026 is listed twice" },
    { "year as a string", "{\"years\": [\"2026\"], \"holidays\": [], \"workdays\": []}",
      "years entry 1: must be a year" },
    { "year out of range", "{\"years\": [26], \"holidays\": [], \"workdays\": []}",
      "years entry 1: must be a year" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (VwCalendar) c = vw_holidays_parse (cases[i].json, -1, "holidays.json",
        &error);
    g_test_message ("%s: %s", cases[i].what, error ? error->message : "(loaded)");
    g_assert_null (c);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_true (g_str_has_prefix (error->message, "holidays.json"));
    if (!strstr (error->message, cases[i].says))
      g_assert_cmpstr (error->message, ==, cases[i].says);
  }
}

/* Loading a file: its path in every error. */
static void
test_file_load (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-holidays-XXXXXX", &error);
  g_autofree char *broken = g_build_filename (dir, "holidays.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (broken, FILE_HEAD "\n\"holidays\": [\"2026-10-01\"],\n"
          "\"workdays\": [\"2026-10-01\"]}\n", -1, &error));
  g_assert_null (vw_holidays_load (broken, &error));
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, broken));
  g_assert_nonnull (strstr (error->message, "both as a holiday and as a working day"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (broken, FILE_HEAD "\n\"holidays\": [\"2026-10-01\"\n"
          "\"workdays\": []}\n", -1, &error));
  g_assert_null (vw_holidays_load (broken, &error));
  g_test_message ("%s", error->message);
  /* "FILE:LINE:COLUMN: Parse error: ..." */
  g_autofree char *where = g_strdup_printf ("%s:2:", broken);
  g_assert_true (g_str_has_prefix (error->message, where));
  g_assert_nonnull (strstr (error->message, "Parse error"));
  g_clear_error (&error);

  g_assert_null (vw_holidays_load (missing, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_unlink (broken);
  g_rmdir (dir);
}

/* The shipped data/holidays.json is the notice typed in above. */
static void
test_file_shipped (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwCalendar) shipped = vw_holidays_load (VW_SOURCE_HOLIDAYS, &error);
  g_autoptr (VwCalendar) notice = calendar_2026 ();

  g_assert_no_error (error);
  g_assert_true (vw_calendar_covers_year (shipped, 2026));
  g_assert_false (vw_calendar_covers_year (shipped, 2025));
  g_assert_cmpuint (vw_calendar_n_holidays (shipped), ==, 33);
  g_assert_cmpuint (vw_calendar_n_workdays (shipped), ==, 6);
  for (gint64 d = day_of_date ("2025-12-01"); d < day_of_date ("2027-02-01"); d++)
    g_assert_cmpint (vw_calendar_is_working_day (shipped, d), ==,
        vw_calendar_is_working_day (notice, d));
}

/* Warned at start-up: the year of now (CST) and the next must be known. */
static void
test_coverage (void)
{
  g_autoptr (VwCalendar) c = calendar_2026 ();
  g_autoptr (VwCalendar) both = calendar_2026 ();
  g_autofree char *next = vw_holidays_coverage_warning (c, cst (2026, 11, 22, 9, 0, 0));
  g_autofree char *none = vw_holidays_coverage_warning (NULL, cst (2026, 11, 22, 9, 0, 0));
  g_autofree char *this = vw_holidays_coverage_warning (c, cst (2025, 11, 22, 9, 0, 0));
  /* 2026-12-31 16:00 UTC is 2027 in Shanghai. */
  g_autofree char *later = vw_holidays_coverage_warning (c, cst (2027, 1, 1, 0, 0, 0));

  g_test_message ("%s", next);
  g_assert_nonnull (strstr (next, "for 2027:"));
  g_assert_nonnull (strstr (next, "国务院办公厅关于2027年部分节假日安排的通知"));
  g_assert_nonnull (strstr (none, "for 2026 and 2027:"));
  g_assert_nonnull (strstr (this, "for 2025:"));
  g_assert_nonnull (strstr (later, "for 2027 and 2028:"));
  g_assert_true (vw_calendar_add_year (both, 2027, NULL));
  g_assert_null (vw_holidays_coverage_warning (both, cst (2026, 11, 22, 9, 0, 0)));
  g_assert_null (vw_holidays_coverage_warning (both, cst (2026, 12, 31, 23, 59, 59)));
}

/* ---- the store ---- */

/* Rates a session at @at with 非常不满意 in a fresh store with @calendar
 * (nullable) and returns the follow-up's last day. */
static char *
follow_up_due (VwCalendar *calendar, gint64 at)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-calendar-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "vw.db", NULL);
  VwStore *store = vw_store_open (path, &error);
  VwStoreSession s = { .id = "s-1", .province = "shanghai", .item = "QY-SL-001",
    .started_at = at - 600000 };
  VwStoreRating r = { .session_id = "s-1", .level = 1, .comment = "国庆前来办，节后无人跟进",
    .created_at = at };
  const VwStoreScope everything = { VW_STORE_SCOPE_ALL };

  g_assert_no_error (error);
  vw_store_set_calendar (store, calendar);
  g_assert_true (vw_store_session_begin (store, &s, NULL, &error));
  g_assert_true (vw_store_session_end (store, "s-1", "hangup", at - 1000, &error));
  g_assert_true (vw_store_set_rating (store, &r, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) follow_ups = vw_store_list_follow_ups (store, &everything,
      VW_STORE_FOLLOW_UPS_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (follow_ups->len, ==, 1);
  VwStoreFollowUp *f = g_ptr_array_index (follow_ups, 0);
  g_assert_cmpint (f->due_at, ==, vw_calendar_deadline (calendar, at,
          VW_FOLLOW_UP_WORKING_DAYS));
  char *due = vw_calendar_format_date (f->due_at - 1);
  vw_store_close (store);
  g_unlink (path);
  g_rmdir (dir);
  return due;
}

/* A follow-up opened by a bad rating is due in the store's calendar: a
 * week later over 国庆 and 中秋 than Monday to Friday; the store keeps
 * its own reference. */
static void
test_store_follow_up (void)
{
  VwCalendar *c = calendar_2026 ();
  gint64 at = cst (2026, 9, 21, 10, 0, 0);
  g_autofree char *plain = follow_up_due (NULL, at);
  g_autofree char *with = NULL;

  g_assert_cmpstr (plain, ==, "2026-10-12");
  with = follow_up_due (c, at);
  g_assert_cmpstr (with, ==, "2026-10-19");
  vw_calendar_unref (c);
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
  g_test_add_func ("/calendar/parse-date", test_parse_date);
  g_test_add_func ("/calendar/year-of", test_year_of);
  g_test_add_func ("/calendar/listing", test_listing);
  g_test_add_func ("/calendar/2026/working-days", test_working_days_2026);
  g_test_add_func ("/calendar/2026/add-working-days", test_add_working_days_2026);
  g_test_add_func ("/calendar/2026/add-working-days-brute", test_add_working_days_2026_brute);
  g_test_add_func ("/calendar/2026/deadline", test_deadline_2026);
  g_test_add_func ("/calendar/file/good", test_file_good);
  g_test_add_func ("/calendar/file/bad", test_file_bad);
  g_test_add_func ("/calendar/file/load", test_file_load);
  g_test_add_func ("/calendar/file/shipped", test_file_shipped);
  g_test_add_func ("/calendar/file/coverage", test_coverage);
  g_test_add_func ("/calendar/store-follow-up", test_store_follow_up);
  return g_test_run ();
}
