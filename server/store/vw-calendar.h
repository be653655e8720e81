/* vw-calendar.h: days and working days in China Standard Time (UTC+8, no
 * daylight saving), as pure functions of unix milliseconds.
 *
 * A working day (工作日) is Monday to Friday.  Public holidays (春节, 国庆
 * ...) and the weekend days that the State Council makes working days
 * (调休) are NOT in this calendar yet: they are published year by year,
 * and until a table of them is kept, a deadline that spans a holiday comes
 * earlier than the official one (never later), so a follow-up is shown as
 * due too soon rather than too late.
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

/* The number of the CST day holding @ms: 0 is 1970-01-01 (a Thursday),
 * negative before it. */
gint64   vw_calendar_day_of (gint64 ms);
/* The unix ms at which CST day @day begins. */
gint64   vw_calendar_day_start (gint64 day);
/* 0 Sunday, 1 Monday ... 6 Saturday, of CST day @day. */
guint    vw_calendar_weekday (gint64 day);
/* Monday to Friday (see above: holidays are not known). */
gboolean vw_calendar_is_working_day (gint64 day);
/* The CST day that is the @n-th working day after day @day (the day itself
 * is not counted, whatever it is; @n 0 gives @day). */
gint64   vw_calendar_add_working_days (gint64 day, guint n);
/* When something that happened at @at_ms and must be done within @n
 * working days is due: the end of the @n-th working day after the CST day
 * of @at_ms, as unix ms (exclusive: the start of the next day).  Overdue
 * when now >= the result. */
gint64   vw_calendar_deadline (gint64 at_ms, guint n);
/* @ms as the CST date "YYYY-MM-DD".  (transfer full) */
char    *vw_calendar_format_date (gint64 ms);

G_END_DECLS
