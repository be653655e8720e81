/* vw-slots.c: the rules of appointments (see vw-slots.h). */
#include "vw-slots.h"

#define CST_OFFSET_S (8 * 3600)

G_DEFINE_QUARK (vw-slot-error-quark, vw_slot_error)

guint
vw_slot_remaining (guint capacity, guint booked)
{
  return booked >= capacity ? 0 : capacity - booked;
}

gint64
vw_slot_opens_at (gint64 starts_ms, gint64 early_ms)
{
  return starts_ms - MAX (early_ms, 0);
}

VwSlotWindow
vw_slot_window (gint64 now_ms, gint64 starts_ms, gint64 ends_ms, gint64 early_ms)
{
  if (now_ms >= ends_ms)
    return VW_SLOT_OVER;
  if (now_ms < vw_slot_opens_at (starts_ms, early_ms))
    return VW_SLOT_EARLY;
  return VW_SLOT_DUE;
}

gboolean
vw_slot_can_cancel (gint64 now_ms, gint64 starts_ms)
{
  return now_ms < starts_ms;
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, VW_SLOT_ERROR, VW_SLOT_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
out_of_range (GError **error, const char *message)
{
  g_set_error_literal (error, VW_SLOT_ERROR, VW_SLOT_ERROR_OUT_OF_RANGE, message);
  return FALSE;
}

gboolean
vw_slot_check (gint64 starts_ms, gint64 ends_ms, gint64 capacity, GError **error)
{
  if (starts_ms <= 0 || ends_ms <= 0)
    return invalid (error, "a slot's times must be unix milliseconds");
  if (starts_ms < VW_SLOT_EARLIEST_MS)
    return out_of_range (error, "a slot starts on 2020-01-01 or later");
  if (ends_ms > VW_SLOT_LATEST_MS)
    return out_of_range (error, "a slot ends before 2100-01-01");
  if (ends_ms <= starts_ms)
    return invalid (error, "a slot must end after it starts");
  if (ends_ms - starts_ms > VW_SLOT_LENGTH_MAX_MS)
    return invalid (error, "a slot lasts at most 4 hours");
  if (starts_ms % VW_SLOT_MINUTE_MS || ends_ms % VW_SLOT_MINUTE_MS)
    return invalid (error, "a slot starts and ends on a whole minute");
  if (capacity < 1 || capacity > VW_SLOT_CAPACITY_MAX)
    return invalid (error, "a slot's capacity must be 1 to 100");
  return TRUE;
}

gboolean
vw_slot_check_horizon (gint64 now_ms, gint64 starts_ms, GError **error)
{
  /* Both within sane years (vw_slot_check), no overflow; a clock gone
   * wild (now beyond 2100) refuses every slot. */
  if (now_ms > VW_SLOT_LATEST_MS || starts_ms - now_ms > VW_SLOT_HORIZON_MS)
    return out_of_range (error, "a slot starts at most two years ahead");
  return TRUE;
}

static char *
format_cst (gint64 ms, const char *format)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (CST_OFFSET_S);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) dt = utc ? g_date_time_to_timezone (utc, tz) : NULL;

  return dt ? g_date_time_format (dt, format) : g_strdup ("?");
}

char *
vw_slot_format_time (gint64 ms)
{
  return format_cst (ms, "%Y-%m-%d %H:%M");
}

char *
vw_slot_format_iso (gint64 ms)
{
  return format_cst (ms, "%Y-%m-%dT%H:%M:%S+08:00");
}
