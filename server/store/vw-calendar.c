/* vw-calendar.c: CST days and working days (see vw-calendar.h).  Integer
 * arithmetic only: no time zone database, no locale. */
#include "vw-calendar.h"

/* Division rounding towards minus infinity. */
static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

gint64
vw_calendar_day_of (gint64 ms)
{
  return floor_div (ms + VW_CALENDAR_CST_OFFSET_MS, VW_CALENDAR_DAY_MS);
}

gint64
vw_calendar_day_start (gint64 day)
{
  return day * VW_CALENDAR_DAY_MS - VW_CALENDAR_CST_OFFSET_MS;
}

guint
vw_calendar_weekday (gint64 day)
{
  /* Day 0, 1970-01-01, was a Thursday (4). */
  gint64 w = (day + 4) % 7;

  return w < 0 ? w + 7 : w;
}

gboolean
vw_calendar_is_working_day (gint64 day)
{
  guint w = vw_calendar_weekday (day);

  return w >= 1 && w <= 5;
}

gint64
vw_calendar_add_working_days (gint64 day, guint n)
{
  /* Whole weeks first (five working days each), then day by day: at most
   * a week's steps whatever @n. */
  guint weeks = n / 5, rest = n % 5;

  /* From a weekend day, five working days on is Friday of the next week,
   * not the same weekend day: step to the Friday before first. */
  if (weeks > 0 && !vw_calendar_is_working_day (day)) {
    day -= vw_calendar_weekday (day) == 6 ? 1 : 2;
    weeks--;
    rest += 5;
  }
  day += (gint64) weeks * 7;
  while (rest > 0) {
    day++;
    if (vw_calendar_is_working_day (day))
      rest--;
  }
  return day;
}

gint64
vw_calendar_deadline (gint64 at_ms, guint n)
{
  gint64 due_day = vw_calendar_add_working_days (vw_calendar_day_of (at_ms), n);

  return vw_calendar_day_start (due_day + 1);
}

char *
vw_calendar_format_date (gint64 ms)
{
  /* Days to a civil date (Howard Hinnant's days_from_civil inverse). */
  gint64 z = vw_calendar_day_of (ms) + 719468;
  gint64 era = floor_div (z, 146097);
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 d = doy - (153 * mp + 2) / 5 + 1;
  gint64 m = mp < 10 ? mp + 3 : mp - 9;
  gint64 y = yoe + era * 400 + (m <= 2);

  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02" G_GINT64_FORMAT "-%02"
      G_GINT64_FORMAT, y, m, d);
}
