/* vw-json-write.c: compact JSON with exact, valid numbers (see
 * vw-json-write.h). */
#include "vw-json-write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void append_node (GString *out, JsonNode *node);

/* @value with @format ("%.NNe", "%.NNf") and @precision into @buf; TRUE
 * if it reads back as @value. */
static gboolean
format_exact (char *buf, gsize size, char conversion, int precision, double value)
{
  char format[16];

  g_snprintf (format, sizeof format, "%%.%d%c", precision, conversion);
  g_ascii_formatd (buf, size, format, value);
  return g_ascii_strtod (buf, NULL) == value;
}

void
vw_json_append_double (GString *out, double value)
{
  char sci[G_ASCII_DTOSTR_BUF_SIZE], fixed[G_ASCII_DTOSTR_BUF_SIZE];
  int digits = 1;

  g_return_if_fail (out != NULL);

  if (!isfinite (value)) {
    g_string_append (out, "null");
    return;
  }
  /* The fewest significant digits that read back as @value (17 always do). */
  while (digits < 17 && !format_exact (sci, sizeof sci, 'e', digits - 1, value))
    digits++;
  if (digits == 17)
    format_exact (sci, sizeof sci, 'e', 16, value);
  /* Plain decimals for everyday magnitudes (0.1, 1234.5, 100.0), the
   * exponent form otherwise (1e+308, 1e-320). */
  int exponent = atoi (strchr (sci, 'e') + 1);
  const char *text = sci;
  if (exponent >= -5 && exponent < 17
      && format_exact (fixed, sizeof fixed, 'f', MAX (0, digits - 1 - exponent), value))
    text = fixed;
  g_string_append (out, text);
  if (!strpbrk (text, ".eE"))
    g_string_append (out, ".0");   /* still a double: 100.0, -0.0 */
}

static void
append_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p;) {
    gunichar c = g_utf8_get_char_validated (p, -1);
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      g_string_append (out, "\\ufffd");
      p++;
      continue;
    }
    switch (c) {
    case '"':
      g_string_append (out, "\\\"");
      break;
    case '\\':
      g_string_append (out, "\\\\");
      break;
    case '\n':
      g_string_append (out, "\\n");
      break;
    case '\r':
      g_string_append (out, "\\r");
      break;
    case '\t':
      g_string_append (out, "\\t");
      break;
    case '\b':
      g_string_append (out, "\\b");
      break;
    case '\f':
      g_string_append (out, "\\f");
      break;
    default:
      if (c < 0x20 || c == 0x2028 || c == 0x2029)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
    p = g_utf8_next_char (p);
  }
  g_string_append_c (out, '"');
}

static void
append_value (GString *out, JsonNode *node)
{
  switch (json_node_get_value_type (node)) {
  case G_TYPE_INT64:
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
    break;
  case G_TYPE_DOUBLE:
    vw_json_append_double (out, json_node_get_double (node));
    break;
  case G_TYPE_BOOLEAN:
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
    break;
  case G_TYPE_STRING:
    append_string (out, json_node_get_string (node));
    break;
  default:
    g_string_append (out, "null");
  }
}

static void
append_object (GString *out, JsonObject *object)
{
  g_autoptr (GList) members = json_object_get_members (object);

  g_string_append_c (out, '{');
  for (GList *l = members; l; l = l->next) {
    if (l != members)
      g_string_append_c (out, ',');
    append_string (out, l->data);
    g_string_append_c (out, ':');
    append_node (out, json_object_get_member (object, l->data));
  }
  g_string_append_c (out, '}');
}

static void
append_array (GString *out, JsonArray *array)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < json_array_get_length (array); i++) {
    if (i > 0)
      g_string_append_c (out, ',');
    append_node (out, json_array_get_element (array, i));
  }
  g_string_append_c (out, ']');
}

static void
append_node (GString *out, JsonNode *node)
{
  switch (node ? json_node_get_node_type (node) : JSON_NODE_NULL) {
  case JSON_NODE_OBJECT:
    append_object (out, json_node_get_object (node));
    break;
  case JSON_NODE_ARRAY:
    append_array (out, json_node_get_array (node));
    break;
  case JSON_NODE_VALUE:
    append_value (out, node);
    break;
  case JSON_NODE_NULL:
  default:
    g_string_append (out, "null");
  }
}

char *
vw_json_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  append_node (out, node);
  return g_string_free (out, FALSE);
}
