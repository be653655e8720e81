/* vw-json-check.c: strict JSON syntax (RFC 8259), see vw-json-check.h. */
#include "vw-json-check.h"
#include "vw-protocol.h"

#include <math.h>
#include <string.h>
#include <stdlib.h>

#define VW_MAX_DEPTH VW_JSON_MAX_DEPTH

/* ------------------------------------------------------------------------ */
/* Strict JSON syntax check (RFC 8259)                                      */

typedef struct {
  const char *start;
  const char *p;
  const char *end;
} JsonCheck;

static gboolean check_value (JsonCheck *c, guint depth, GError **error);
static gboolean syntax_error (JsonCheck *c, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
syntax_error (JsonCheck *c, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, VW_PROTOCOL_ERROR, VW_PROTOCOL_ERROR_BAD_JSON,
               "invalid JSON at byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (c->p - c->start), what);
  return FALSE;
}

static void
skip_whitespace (JsonCheck *c)
{
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

/* Reads the four hex digits after "\u"; c->p points at the backslash. */
static gboolean
read_unicode_escape (JsonCheck *c, gunichar *out, GError **error)
{
  gunichar value = 0;

  if (c->end - c->p < 6 || c->p[1] != 'u')
    return syntax_error (c, error, "expected a \\u escape");
  for (int i = 2; i < 6; i++)
    {
      int digit = g_ascii_xdigit_value (c->p[i]);
      if (digit < 0)
        return syntax_error (c, error, "invalid \\u escape");
      value = value * 16 + (gunichar) digit;
    }
  c->p += 6;
  *out = value;
  return TRUE;
}

static gboolean
check_string (JsonCheck *c, GError **error)
{
  g_assert (*c->p == '"');
  c->p++;

  while (c->p < c->end)
    {
      guchar ch = (guchar) *c->p;

      if (ch == '"')
        {
          c->p++;
          return TRUE;
        }
      if (ch < 0x20)
        return syntax_error (c, error, "unescaped control character in string");
      if (ch != '\\')
        {
          c->p++;   /* UTF-8 was validated beforehand */
          continue;
        }

      if (c->end - c->p < 2)
        break;
      switch (c->p[1])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          c->p += 2;
          break;
        case 'u':
          {
            gunichar cp, low;

            if (!read_unicode_escape (c, &cp, error))
              return FALSE;
            if (cp == 0)
              {
                c->p -= 6;
                return syntax_error (c, error, "\\u0000 (NUL) is not allowed in strings");
              }
            if (cp >= 0xDC00 && cp <= 0xDFFF)
              {
                c->p -= 6;
                return syntax_error (c, error, "unpaired UTF-16 surrogate in \\u escape");
              }
            if (cp >= 0xD800 && cp <= 0xDBFF)
              {
                if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' ||
                    !read_unicode_escape (c, &low, NULL) ||
                    low < 0xDC00 || low > 0xDFFF)
                  return syntax_error (c, error, "unpaired UTF-16 surrogate in \\u escape");
              }
          }
          break;
        default:
          return syntax_error (c, error, "invalid escape sequence in string");
        }
    }

  return syntax_error (c, error, "unterminated string");
}

static gboolean
check_number (JsonCheck *c, GError **error)
{
  const char *begin = c->p;
  gboolean is_integer = TRUE;
  g_autofree char *literal = NULL;

  if (*c->p == '-')
    c->p++;
  if (c->p >= c->end || !g_ascii_isdigit (*c->p))
    return syntax_error (c, error, "invalid number");
  if (*c->p == '0')
    c->p++;
  else
    while (c->p < c->end && g_ascii_isdigit (*c->p))
      c->p++;

  if (c->p < c->end && *c->p == '.')
    {
      is_integer = FALSE;
      c->p++;
      if (c->p >= c->end || !g_ascii_isdigit (*c->p))
        return syntax_error (c, error, "invalid number");
      while (c->p < c->end && g_ascii_isdigit (*c->p))
        c->p++;
    }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E'))
    {
      is_integer = FALSE;
      c->p++;
      if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
        c->p++;
      if (c->p >= c->end || !g_ascii_isdigit (*c->p))
        return syntax_error (c, error, "invalid number");
      while (c->p < c->end && g_ascii_isdigit (*c->p))
        c->p++;
    }

  /* json-glib wraps integers beyond 64 bits and turns huge reals into
   * infinity (which its generator then writes as "inf.0"): refuse both. */
  literal = g_strndup (begin, c->p - begin);
  if (is_integer)
    {
      gint64 value;
      if (!g_ascii_string_to_signed (literal, 10, G_MININT64, G_MAXINT64, &value, NULL))
        {
          c->p = begin;
          return syntax_error (c, error, "integer out of range");
        }
    }
  else if (!isfinite (g_ascii_strtod (literal, NULL)))
    {
      c->p = begin;
      return syntax_error (c, error, "number out of range");
    }
  return TRUE;
}

static gboolean
check_literal (JsonCheck *c, const char *word, GError **error)
{
  gsize len = strlen (word);

  if ((gsize) (c->end - c->p) < len || memcmp (c->p, word, len) != 0)
    return syntax_error (c, error, "unexpected character");
  c->p += len;
  return TRUE;
}

static gboolean
check_container (JsonCheck *c, guint depth, GError **error)
{
  char close = *c->p == '{' ? '}' : ']';
  gboolean is_object = close == '}';

  if (depth >= VW_MAX_DEPTH)
    return syntax_error (c, error, "nested deeper than %d levels", VW_MAX_DEPTH);
  c->p++;

  skip_whitespace (c);
  if (c->p < c->end && *c->p == close)
    {
      c->p++;
      return TRUE;
    }

  for (;;)
    {
      if (is_object)
        {
          skip_whitespace (c);
          if (c->p >= c->end || *c->p != '"')
            return syntax_error (c, error, "expected a member name");
          if (!check_string (c, error))
            return FALSE;
          skip_whitespace (c);
          if (c->p >= c->end || *c->p != ':')
            return syntax_error (c, error, "expected ':'");
          c->p++;
        }
      if (!check_value (c, depth + 1, error))
        return FALSE;
      if (c->p < c->end && *c->p == ',')
        {
          c->p++;
          continue;
        }
      if (c->p < c->end && *c->p == close)
        {
          c->p++;
          return TRUE;
        }
      return syntax_error (c, error, "expected ',' or '%c'", close);
    }
}

/* Checks one value with the whitespace around it. */
static gboolean
check_value (JsonCheck *c, guint depth, GError **error)
{
  gboolean ok;

  skip_whitespace (c);
  if (c->p >= c->end)
    return syntax_error (c, error, "expected a value");

  switch (*c->p)
    {
    case '{':
    case '[':
      ok = check_container (c, depth, error);
      break;
    case '"':
      ok = check_string (c, error);
      break;
    case 't':
      ok = check_literal (c, "true", error);
      break;
    case 'f':
      ok = check_literal (c, "false", error);
      break;
    case 'n':
      ok = check_literal (c, "null", error);
      break;
    default:
      if (*c->p == '-' || g_ascii_isdigit (*c->p))
        ok = check_number (c, error);
      else
        ok = syntax_error (c, error, "unexpected character");
      break;
    }
  if (!ok)
    return FALSE;
  skip_whitespace (c);
  return TRUE;
}

gboolean
vw_json_check_syntax (const char *data, gsize length, GError **error)
{
  JsonCheck c = { data, data, data + length };

  if (!check_value (&c, 0, error))
    return FALSE;
  if (c.p != c.end)
    return syntax_error (&c, error, "unexpected text after the JSON value");
  return TRUE;
}

