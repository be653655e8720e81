/* vw-calendar.h: days and working days in China Standard Time (UTC+8, no
 * daylight saving), as pure functions of unix milliseconds.
 *
 * A working day (工作日) is Monday to Friday, unless a VwCalendar says
 * otherwise: it lists the public holidays (法定节假日: 春节, 国庆 ...) that
 * are days off, and the weekend days that the State Council makes working
 * days (调休上班).  Both are published year by year (国务院办公厅关于 YYYY
 * 年部分节假日安排的通知, usually in November); the server reads them from
 * data/holidays.json (vw-holidays.h).  The functions that count working
 * days take the calendar as a parameter: NULL is Monday to Friday only,
 * as is any year the calendar does not list.
 *
 * A VwCalendar is built once (vw_calendar_new, vw_calendar_add_*), then
 * only read: it is reference counted, and reading it from several threads
 * at once is safe once nobody adds to it any more.
 *
 * Used for the follow-up (整改) of a bad rating, due within 15 working
 * days (VW_FOLLOW_UP_WORKING_DAYS). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VW_CALENDAR_DAY_MS (24 * 3600 * G_GINT64_CONSTANT (1000))
#define VW_CALENDAR_CST_OFFSET_MS (8 * 3600 * G_GINT64_CONSTANT (1000))

/* 好差评: a rating of 不满意 (2) or 非常不满意 (1) is followed up within 15
 * working days. */
#define VW_FOLLOW_UP_WORKING_DAYS 15
#define VW_FOLLOW_UP_MAX_LEVEL 2

/* Dates this calendar reads and lists: years 1900 to 9999. */
#define VW_CALENDAR_MIN_YEAR 1900
#define VW_CALENDAR_MAX_YEAR 9999

#define VW_CALENDAR_ERROR (vw_calendar_error_quark ())
typedef enum {
  VW_CALENDAR_ERROR_BAD_DATE,    /* not a date "YYYY-MM-DD" of the years above */
  VW_CALENDAR_ERROR_DUPLICATE,   /* a day or year listed twice */
  VW_CALENDAR_ERROR_CONFLICT,    /* a day both a holiday and a working day */
} VwCalendarError;

GQuark vw_calendar_error_quark (void);

/* ---- days ---- */

/* The number of the CST day holding @ms: 0 is 1970-01-01 (a Thursday),
 * negative before it. */
gint64   vw_calendar_day_of (gint64 ms);
/* The unix ms at which CST day @day begins. */
gint64   vw_calendar_day_start (gint64 day);
/* 0 Sunday, 1 Monday ... 6 Saturday, of CST day @day. */
guint    vw_calendar_weekday (gint64 day);
/* The year of CST day @day (2026 for 2026-12-31). */
int      vw_calendar_year_of (gint64 day);
/* @ms as the CST date "YYYY-MM-DD".  (transfer full) */
char    *vw_calendar_format_date (gint64 ms);
/* The day of @date, exactly "YYYY-MM-DD" (a day that exists, in years
 * VW_CALENDAR_MIN_YEAR..MAX_YEAR); VW_CALENDAR_ERROR_BAD_DATE otherwise. */
gboolean vw_calendar_parse_date (const char *date, gint64 *day_out, GError **error);

/* ---- holidays and 调休 ---- */

typedef struct _VwCalendar VwCalendar;

/* An empty calendar: Monday to Friday, no year listed. */
VwCalendar *vw_calendar_new   (void);
VwCalendar *vw_calendar_ref   (VwCalendar *calendar);
void        vw_calendar_unref (VwCalendar *calendar);

/* Day @day is a day off (放假), even a Monday to Friday.  A holiday on a
 * weekend day is allowed (it changes nothing).  DUPLICATE if @day is a
 * holiday already, CONFLICT if it is a working day. */
gboolean vw_calendar_add_holiday (VwCalendar *calendar, gint64 day, GError **error);
/* Day @day is a working day (调休上班), even a Saturday or Sunday.
 * DUPLICATE if it is listed already as a working day, CONFLICT if as a
 * holiday. */
gboolean vw_calendar_add_workday (VwCalendar *calendar, gint64 day, GError **error);
/* The State Council's arrangement for @year is in the calendar
 * (DUPLICATE if said already): only says what the calendar covers. */
gboolean vw_calendar_add_year    (VwCalendar *calendar, int year, GError **error);
gboolean vw_calendar_covers_year (const VwCalendar *calendar, int year);
/* How many holidays and 调休 working days are listed. */
guint    vw_calendar_n_holidays  (const VwCalendar *calendar);
guint    vw_calendar_n_workdays  (const VwCalendar *calendar);

/* ---- working days (@calendar nullable: Monday to Friday) ---- */

/* (Monday to Friday and not a holiday) or a 调休 working day. */
gboolean vw_calendar_is_working_day (const VwCalendar *calendar, gint64 day);
/* The CST day that is the @n-th working day after day @day (the day itself
 * is not counted, whatever it is; @n 0 gives @day). */
gint64   vw_calendar_add_working_days (const VwCalendar *calendar, gint64 day,
                                       guint n);
/* When something that happened at @at_ms and must be done within @n
 * working days is due: the end of the @n-th working day after the CST day
 * of @at_ms, as unix ms (exclusive: the start of the next day).  Overdue
 * when now >= the result. */
gint64   vw_calendar_deadline (const VwCalendar *calendar, gint64 at_ms, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwCalendar, vw_calendar_unref)

G_END_DECLS
