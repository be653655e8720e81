/* vw-log.c: peer text escaped for a log line (see vw-log.h). */
#include <string.h>

#include "vw-log.h"

/* Characters shown as \uXXXX: they end a line, or reorder or hide text. */
static gboolean
needs_escape (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
      || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
      || (c >= 0x2066 && c <= 0x2069);
}

static void
append_char (GString *out, gunichar c)
{
  switch (c) {
  case '\n':
    g_string_append (out, "\\n");
    break;
  case '\r':
    g_string_append (out, "\\r");
    break;
  case '\t':
    g_string_append (out, "\\t");
    break;
  case '\\':
    g_string_append (out, "\\\\");
    break;
  default:
    if (needs_escape (c))
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_unichar (out, c);
  }
}

char *
vw_log_escape (const char *text)
{
  if (!text)
    return g_strdup ("(null)");

  GString *out = g_string_sized_new (strlen (text) + 8);
  const char *p = text;
  while (*p) {
    gunichar c = g_utf8_get_char_validated (p, -1);
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      g_string_append_printf (out, "\\x%02x", (guchar) *p);
      p++;
      continue;
    }
    append_char (out, c);
    p = g_utf8_next_char (p);
  }
  return g_string_free (out, FALSE);
}
