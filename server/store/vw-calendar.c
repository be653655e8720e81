/* vw-calendar.c: CST days and working days (see vw-calendar.h).  Integer
 * arithmetic only: no time zone database, no locale. */
#include "vw-calendar.h"

#include <string.h>

G_DEFINE_QUARK (vw-calendar-error-quark, vw_calendar_error)

/* Division rounding towards minus infinity. */
static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* ---- days ---- */

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

/* Day number to civil date and back (Howard Hinnant's civil_from_days and
 * days_from_civil, proleptic Gregorian). */
static void
civil_from_days (gint64 day, gint64 *y, gint64 *m, gint64 *d)
{
  gint64 z = day + 719468;
  gint64 era = floor_div (z, 146097);
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;

  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

static gint64
days_from_civil (gint64 y, gint64 m, gint64 d)
{
  y -= m <= 2;
  gint64 era = floor_div (y, 400);
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

int
vw_calendar_year_of (gint64 day)
{
  gint64 y, m, d;

  civil_from_days (day, &y, &m, &d);
  return (int) y;
}

char *
vw_calendar_format_date (gint64 ms)
{
  gint64 y, m, d;

  civil_from_days (vw_calendar_day_of (ms), &y, &m, &d);
  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02" G_GINT64_FORMAT "-%02"
      G_GINT64_FORMAT, y, m, d);
}

/* The number made of @n ASCII digits at @s, or -1. */
static int
digits (const char *s, guint n)
{
  int v = 0;

  for (guint i = 0; i < n; i++) {
    if (!g_ascii_isdigit (s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

static int
days_in_month (int y, int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  return m == 2 && leap ? 29 : days[m - 1];
}

gboolean
vw_calendar_parse_date (const char *date, gint64 *day_out, GError **error)
{
  g_return_val_if_fail (date != NULL && day_out != NULL, FALSE);

  int y = -1, m = -1, d = -1;
  if (strlen (date) == 10 && date[4] == '-' && date[7] == '-') {
    y = digits (date, 4);
    m = digits (date + 5, 2);
    d = digits (date + 8, 2);
  }
  if (y < VW_CALENDAR_MIN_YEAR || y > VW_CALENDAR_MAX_YEAR || m < 1 || m > 12
      || d < 1 || d > days_in_month (y, m)) {
    g_set_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_BAD_DATE,
        "'%s' is not a date YYYY-MM-DD (years %d to %d)", date,
        VW_CALENDAR_MIN_YEAR, VW_CALENDAR_MAX_YEAR);
    return FALSE;
  }
  *day_out = days_from_civil (y, m, d);
  return TRUE;
}

/* ---- holidays and 调休 ---- */

typedef struct {
  gint64 day;
  gboolean working;   /* TRUE: 调休上班; FALSE: a day off */
} Listed;

struct _VwCalendar {
  GArray *days;    /* Listed, sorted by day, each day once */
  GArray *years;   /* int, sorted, each once */
};

VwCalendar *
vw_calendar_new (void)
{
  VwCalendar *c = g_atomic_rc_box_new0 (VwCalendar);

  c->days = g_array_new (FALSE, FALSE, sizeof (Listed));
  c->years = g_array_new (FALSE, FALSE, sizeof (int));
  return c;
}

VwCalendar *
vw_calendar_ref (VwCalendar *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return g_atomic_rc_box_acquire (c);
}

static void
calendar_clear (gpointer data)
{
  VwCalendar *c = data;

  g_array_unref (c->days);
  g_array_unref (c->years);
}

void
vw_calendar_unref (VwCalendar *c)
{
  if (c)
    g_atomic_rc_box_release_full (c, calendar_clear);
}

/* The index of the first listed day >= @day (the length if none). */
static guint
first_listed_from (const VwCalendar *c, gint64 day)
{
  guint lo = 0, hi = c->days->len;

  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (g_array_index (c->days, Listed, mid).day < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static const Listed *
find_listed (const VwCalendar *c, gint64 day)
{
  guint i = first_listed_from (c, day);

  return i < c->days->len && g_array_index (c->days, Listed, i).day == day
      ? &g_array_index (c->days, Listed, i) : NULL;
}

static const char *
kind_name (gboolean working)
{
  return working ? "a working day (调休)" : "a holiday";
}

static gboolean
add_listed (VwCalendar *c, gint64 day, gboolean working, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);

  const Listed *known = find_listed (c, day);
  if (known) {
    g_autofree char *date = vw_calendar_format_date (vw_calendar_day_start (day));
    if (known->working == working)
      g_set_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_DUPLICATE,
          "%s is listed twice as %s", date, kind_name (working));
    else
      g_set_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_CONFLICT,
          "%s is listed both as a holiday and as a working day (调休)", date);
    return FALSE;
  }
  Listed listed = { day, working };
  g_array_insert_val (c->days, first_listed_from (c, day), listed);
  return TRUE;
}

gboolean
vw_calendar_add_holiday (VwCalendar *c, gint64 day, GError **error)
{
  return add_listed (c, day, FALSE, error);
}

gboolean
vw_calendar_add_workday (VwCalendar *c, gint64 day, GError **error)
{
  return add_listed (c, day, TRUE, error);
}

gboolean
vw_calendar_covers_year (const VwCalendar *c, int year)
{
  if (!c)
    return FALSE;
  for (guint i = 0; i < c->years->len; i++)
    if (g_array_index (c->years, int, i) == year)
      return TRUE;
  return FALSE;
}

gboolean
vw_calendar_add_year (VwCalendar *c, int year, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);

  if (vw_calendar_covers_year (c, year)) {
    g_set_error (error, VW_CALENDAR_ERROR, VW_CALENDAR_ERROR_DUPLICATE,
        "year %d is listed twice", year);
    return FALSE;
  }
  guint i = 0;
  while (i < c->years->len && g_array_index (c->years, int, i) < year)
    i++;
  g_array_insert_val (c->years, i, year);
  return TRUE;
}

static guint
count_listed (const VwCalendar *c, gboolean working)
{
  guint n = 0;

  for (guint i = 0; c && i < c->days->len; i++)
    n += g_array_index (c->days, Listed, i).working == working;
  return n;
}

guint
vw_calendar_n_holidays (const VwCalendar *c)
{
  return count_listed (c, FALSE);
}

guint
vw_calendar_n_workdays (const VwCalendar *c)
{
  return count_listed (c, TRUE);
}

/* ---- working days ---- */

gboolean
vw_calendar_is_working_day (const VwCalendar *c, gint64 day)
{
  const Listed *listed = c ? find_listed (c, day) : NULL;
  guint w = vw_calendar_weekday (day);

  return listed ? listed->working : w >= 1 && w <= 5;
}

/* How many whole weeks can be skipped at once from @day when @n working
 * days (n > 0) are still to count: any seven days in a row hold five
 * Mondays to Fridays, so a week in which no day is listed holds five
 * working days.  At least one working day is left to count after them:
 * the n-th may come before the week's last day when that is a weekend
 * day.  Keeps the count at a few steps per listed day, whatever @n. */
static guint
whole_weeks (const VwCalendar *c, gint64 day, guint n)
{
  guint weeks = (n - 1) / 5;

  if (c) {
    guint i = first_listed_from (c, day + 1);
    if (i < c->days->len) {
      gint64 next = g_array_index (c->days, Listed, i).day;
      weeks = MIN (weeks, (guint64) ((next - 1 - day) / 7));
    }
  }
  return weeks;
}

gint64
vw_calendar_add_working_days (const VwCalendar *c, gint64 day, guint n)
{
  while (n > 0) {
    guint weeks = whole_weeks (c, day, n);
    if (weeks > 0) {
      day += (gint64) weeks * 7;
      n -= weeks * 5;
      continue;
    }
    day++;
    if (vw_calendar_is_working_day (c, day))
      n--;
  }
  return day;
}

gint64
vw_calendar_deadline (const VwCalendar *c, gint64 at_ms, guint n)
{
  gint64 due_day = vw_calendar_add_working_days (c, vw_calendar_day_of (at_ms), n);

  return vw_calendar_day_start (due_day + 1);
}
