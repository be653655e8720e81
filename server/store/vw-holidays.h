/* vw-holidays.h: the holidays file (data/holidays.json) read into a
 * VwCalendar (vw-calendar.h), checked strictly.
 *
 *   {
 *     "source": "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
 *     "note": "...",                                  (optional)
 *     "years": [2026],
 *     "holidays": [{"date": "2026-01-01", "name": "元旦"}, "2026-01-02", ...],
 *     "workdays": [{"date": "2026-01-04", "name": "元旦调休上班"}, ...]
 *   }
 *
 * "years" are the years whose State Council notice (国务院办公厅关于 YYYY
 * 年部分节假日安排的通知) the file holds: each date lies in one of them,
 * or in the December before one (a 元旦 holiday may begin on 31
 * December).  "holidays" are days off (放假, on any day of the week),
 * "workdays" the days worked instead (调休上班, usually a Saturday or a
 * Sunday).  An entry is a date "YYYY-MM-DD" or {"date", "name"} (the name
 * is for people; it is checked to be a string and not kept).  Refused,
 * naming the file and the entry: JSON that does not parse, an unknown or
 * repeated member, a missing list, a date that does not parse or lies
 * outside the years, a date listed twice, a date both a holiday and a
 * working day. */
#pragma once

#include "vw-calendar.h"

G_BEGIN_DECLS

/* (transfer full) the calendar of the holidays file @path;
 * G_IO_ERROR_INVALID_DATA (or a JSON or file error) naming @path. */
VwCalendar *vw_holidays_load  (const char *path, GError **error);
/* The same from the text @data (@length bytes, -1: NUL-terminated), named
 * @name in errors. */
VwCalendar *vw_holidays_parse (const char *data, gssize length, const char *name,
                               GError **error);

/* (transfer full) (nullable) what to tell the administrators when
 * @calendar (nullable) does not cover the CST year of @now_ms or the next
 * one: due dates in those years count Monday to Friday only.  NULL when
 * both are covered. */
char       *vw_holidays_coverage_warning (const VwCalendar *calendar, gint64 now_ms);

G_END_DECLS
