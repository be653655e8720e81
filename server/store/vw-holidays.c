/* vw-holidays.c: the holidays file read into a VwCalendar (see
 * vw-holidays.h). */
#include "vw-holidays.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

static const char *const file_members[] = { "source", "note", "years", "holidays",
  "workdays", NULL };
static const char *const entry_members[] = { "date", "name", NULL };

static gboolean fail (GError **error, const char *name, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* G_IO_ERROR_INVALID_DATA "NAME: message". */
static gboolean
fail (GError **error, const char *name, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", name, message);
  return FALSE;
}

/* ---- members seen twice ---- */

/* json-glib keeps the last of two members of one object that have the
 * same name: members are counted as they are parsed, so that a second
 * "holidays" list (a year appended the wrong way) is refused instead of
 * silently replacing the first. */
typedef struct {
  GHashTable *seen;   /* "OBJECT-ADDRESS/member" */
  char *repeated;     /* (nullable) the first member seen twice */
} Members;

static void
on_object_member (JsonParser *parser, JsonObject *object, const char *member,
    gpointer data)
{
  Members *m = data;

  if (!g_hash_table_add (m->seen, g_strdup_printf ("%p/%s", (void *) object, member))
      && !m->repeated)
    m->repeated = g_strdup (member);
}

static void
members_watch (Members *m, JsonParser *parser)
{
  m->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  m->repeated = NULL;
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), m);
}

static void
members_clear (Members *m)
{
  g_clear_pointer (&m->seen, g_hash_table_unref);
  g_clear_pointer (&m->repeated, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Members, members_clear)

/* ---- checks ---- */

static gboolean
is_string (JsonNode *n)
{
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING;
}

/* @where: "" or "holidays entry 3: ". */
static gboolean
check_members (JsonObject *o, const char *const *allowed, const char *where,
    const char *name, GError **error)
{
  g_autoptr (GList) members = json_object_get_members (o);

  for (GList *l = members; l; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      return fail (error, name, "%sunknown member \"%s\"", where, (const char *) l->data);
  return TRUE;
}

static gboolean
check_optional_string (JsonObject *o, const char *member, const char *where,
    const char *name, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);

  return !n || is_string (n)
      || fail (error, name, "%s\"%s\" must be a string", where, member);
}

static JsonArray *
required_array (JsonObject *o, const char *member, const char *name, GError **error)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n && JSON_NODE_HOLDS_ARRAY (n))
    return json_node_get_array (n);
  fail (error, name, "\"%s\" must be a list (JSON array)%s", member,
      n ? "" : ", and is missing");
  return NULL;
}

static gboolean
read_years (VwCalendar *c, JsonArray *years, const char *name, GError **error)
{
  for (guint i = 0; i < json_array_get_length (years); i++) {
    JsonNode *n = json_array_get_element (years, i);
    g_autoptr (GError) local = NULL;
    gint64 year = JSON_NODE_HOLDS_VALUE (n)
        && json_node_get_value_type (n) == G_TYPE_INT64 ? json_node_get_int (n) : -1;

    if (year < VW_CALENDAR_MIN_YEAR || year > VW_CALENDAR_MAX_YEAR)
      return fail (error, name, "years entry %u: must be a year, %d to %d", i + 1,
          VW_CALENDAR_MIN_YEAR, VW_CALENDAR_MAX_YEAR);
    if (!vw_calendar_add_year (c, (int) year, &local))
      return fail (error, name, "years entry %u: %s", i + 1, local->message);
  }
  return TRUE;
}

/* The date of an entry: "YYYY-MM-DD" or {"date": "YYYY-MM-DD", "name": ...};
 * NULL after failing. */
static const char *
entry_date (JsonNode *n, const char *where, const char *name, GError **error)
{
  if (is_string (n))
    return json_node_get_string (n);
  if (JSON_NODE_HOLDS_OBJECT (n)) {
    JsonObject *o = json_node_get_object (n);
    JsonNode *date = json_object_get_member (o, "date");
    if (!check_members (o, entry_members, where, name, error)
        || !check_optional_string (o, "name", where, name, error))
      return NULL;
    if (is_string (date))
      return json_node_get_string (date);
  }
  fail (error, name, "%smust be a date \"YYYY-MM-DD\" or {\"date\": \"YYYY-MM-DD\","
      " \"name\": \"...\"}", where);
  return NULL;
}

/* A notice lists the days of its year, and may begin 元旦 on the 31st of
 * December before it: a date is in the file's years when it or the day a
 * month later is. */
static gboolean
check_in_years (const VwCalendar *c, gint64 day, const char *date, GError **error)
{
  if (vw_calendar_covers_year (c, vw_calendar_year_of (day))
      || vw_calendar_covers_year (c, vw_calendar_year_of (day + 31)))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
      "%s is not in the years the file lists (\"years\")", date);
  return FALSE;
}

static gboolean
read_days (VwCalendar *c, JsonArray *days, const char *list, gboolean working,
    const char *name, GError **error)
{
  for (guint i = 0; i < json_array_get_length (days); i++) {
    g_autofree char *where = g_strdup_printf ("%s entry %u: ", list, i + 1);
    const char *date = entry_date (json_array_get_element (days, i), where, name, error);
    g_autoptr (GError) local = NULL;
    gint64 day;

    if (!date)
      return FALSE;
    if (!vw_calendar_parse_date (date, &day, &local)
        || !check_in_years (c, day, date, &local)
        || !(working ? vw_calendar_add_workday (c, day, &local)
            : vw_calendar_add_holiday (c, day, &local)))
      return fail (error, name, "%s%s", where, local->message);
  }
  return TRUE;
}

static VwCalendar *
calendar_from_json (JsonParser *parser, const Members *m, const char *name,
    GError **error)
{
  JsonNode *root = json_parser_get_root (parser);
  g_autoptr (VwCalendar) c = vw_calendar_new ();
  JsonArray *years, *holidays, *workdays;

  if (m->repeated) {
    fail (error, name, "member \"%s\" is given twice in one object", m->repeated);
    return NULL;
  }
  if (!root || !JSON_NODE_HOLDS_OBJECT (root)) {
    fail (error, name, "must be a JSON object {\"years\": [...], \"holidays\": [...],"
        " \"workdays\": [...]}");
    return NULL;
  }
  JsonObject *o = json_node_get_object (root);
  if (!check_members (o, file_members, "", name, error)
      || !check_optional_string (o, "source", "", name, error)
      || !check_optional_string (o, "note", "", name, error)
      || !(years = required_array (o, "years", name, error))
      || !(holidays = required_array (o, "holidays", name, error))
      || !(workdays = required_array (o, "workdays", name, error))
      || !read_years (c, years, name, error)
      || !read_days (c, holidays, "holidays", FALSE, name, error)
      || !read_days (c, workdays, "workdays", TRUE, name, error))
    return NULL;
  return g_steal_pointer (&c);
}

/* ---- loading ---- */

VwCalendar *
vw_holidays_parse (const char *data, gssize length, const char *name, GError **error)
{
  g_return_val_if_fail (data != NULL && name != NULL, NULL);

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Members) members = { 0 };
  g_autoptr (GError) local = NULL;

  members_watch (&members, parser);
  /* json-glib says "<data>:LINE:COLUMN: Parse error: ...": NAME:LINE:... */
  if (!json_parser_load_from_data (parser, data, length, &local)) {
    const char *where = g_str_has_prefix (local->message, "<data>:")
        ? local->message + strlen ("<data>") : local->message;
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s%s%s", name,
        *where == ':' ? "" : ": ", where);
    return NULL;
  }
  return calendar_from_json (parser, &members, name, error);
}

VwCalendar *
vw_holidays_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Members) members = { 0 };

  members_watch (&members, parser);
  /* json-glib's errors say "FILE:LINE:COLUMN: Parse error: ...", and a
   * file that cannot be read is named too. */
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  return calendar_from_json (parser, &members, path, error);
}

char *
vw_holidays_coverage_warning (const VwCalendar *c, gint64 now_ms)
{
  int year = vw_calendar_year_of (vw_calendar_day_of (now_ms));
  gboolean this_year = vw_calendar_covers_year (c, year);
  gboolean next_year = vw_calendar_covers_year (c, year + 1);

  if (this_year && next_year)
    return NULL;
  int first = this_year ? year + 1 : year;
  g_autofree char *missing = this_year || next_year ? g_strdup_printf ("%d", first)
      : g_strdup_printf ("%d and %d", year, year + 1);
  return g_strdup_printf ("no public holidays known for %s: follow-ups due then"
      " count Monday to Friday only (no holidays, no 调休); add the State Council's"
      " notice (国务院办公厅关于%d年部分节假日安排的通知, usually published in"
      " November) to the holidays file", missing, first);
}
