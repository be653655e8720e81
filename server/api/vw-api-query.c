/* vw-api-query.c: the strict query-string parser of the API (see
 * vw-api-query.h). */
#include "vw-api-query.h"

#include <string.h>

G_DEFINE_QUARK (vw-api-query-error-quark, vw_api_query_error)

#define SHOWN_MAX 40   /* bytes of a name shown in an error message */

/* @name (not yet checked) in a form fit for a message: escaped, cut. */
static char *
shown_name (const char *name, gsize len)
{
  g_autofree char *cut = g_strndup (name, MIN (len, SHOWN_MAX));
  g_autofree char *valid = g_utf8_make_valid (cut, -1);

  return g_strescape (valid, NULL);
}

static gboolean
fail (GError **error, VwApiQueryError code, const char *what, const char *name,
    gsize name_len)
{
  g_autofree char *shown = shown_name (name, name_len);

  g_set_error (error, VW_API_QUERY_ERROR, code, "query parameter '%s': %s", shown,
      what);
  return FALSE;
}

/* Decodes @len bytes at @text ("+" is a space, %XX a byte) into @out. */
static gboolean
decode (const char *text, gsize len, GString *out, VwApiQueryError *code)
{
  g_string_truncate (out, 0);
  for (gsize i = 0; i < len; i++) {
    char c = text[i];
    if (c == '+')
      c = ' ';
    else if (c == '%') {
      if (len - i < 3 || !g_ascii_isxdigit (text[i + 1])
          || !g_ascii_isxdigit (text[i + 2])) {
        *code = VW_API_QUERY_ERROR_ESCAPE;
        return FALSE;
      }
      c = (char) (g_ascii_xdigit_value (text[i + 1]) * 16
          + g_ascii_xdigit_value (text[i + 2]));
      i += 2;
    }
    g_string_append_c (out, c);
  }
  return TRUE;
}

/* Checks a decoded name or value: UTF-8, no NUL, no control character. */
static gboolean
check_text (const GString *s, VwApiQueryError *code)
{
  if (memchr (s->str, '\0', s->len)) {
    *code = VW_API_QUERY_ERROR_NUL;
    return FALSE;
  }
  if (!g_utf8_validate (s->str, s->len, NULL)) {
    *code = VW_API_QUERY_ERROR_UTF8;
    return FALSE;
  }
  for (const char *p = s->str; *p; p = g_utf8_next_char (p)) {
    gunichar u = g_utf8_get_char (p);
    if (u < 0x20 || (u >= 0x7f && u <= 0x9f)) {
      *code = VW_API_QUERY_ERROR_CONTROL;
      return FALSE;
    }
  }
  return TRUE;
}

static const char *
problem (VwApiQueryError code)
{
  switch (code) {
  case VW_API_QUERY_ERROR_ESCAPE:
    return "a '%' must be followed by two hexadecimal digits";
  case VW_API_QUERY_ERROR_NUL:
    return "a NUL byte (%00) is not allowed";
  case VW_API_QUERY_ERROR_CONTROL:
    return "a control character is not allowed";
  case VW_API_QUERY_ERROR_UTF8:
    return "not UTF-8";
  case VW_API_QUERY_ERROR_REPEATED:
  default:
    return "given more than once";
  }
}

/* One "name=value" pair of @len bytes into @table. */
static gboolean
add_pair (GHashTable *table, const char *pair, gsize len, GError **error)
{
  const char *eq = memchr (pair, '=', len);
  gsize name_len = eq ? (gsize) (eq - pair) : len;
  g_autoptr (GString) name = g_string_new (NULL);
  g_autoptr (GString) value = g_string_new (NULL);
  VwApiQueryError code;

  if (!decode (pair, name_len, name, &code))
    return fail (error, code, problem (code), pair, name_len);
  if (!check_text (name, &code))
    return fail (error, code, problem (code), name->str, name->len);
  if (eq && (!decode (eq + 1, len - name_len - 1, value, &code)
          || !check_text (value, &code)))
    return fail (error, code, problem (code), name->str, name->len);
  if (g_hash_table_contains (table, name->str))
    return fail (error, VW_API_QUERY_ERROR_REPEATED,
        problem (VW_API_QUERY_ERROR_REPEATED), name->str, name->len);
  g_hash_table_insert (table, g_string_free (g_steal_pointer (&name), FALSE),
      g_string_free (g_steal_pointer (&value), FALSE));
  return TRUE;
}

GHashTable *
vw_api_query_parse (const char *raw, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, g_free);
  const char *p = raw;

  while (p && *p) {
    const char *amp = strchr (p, '&');
    gsize len = amp ? (gsize) (amp - p) : strlen (p);
    if (len > 0 && !add_pair (table, p, len, error))
      return NULL;
    p = amp ? amp + 1 : NULL;
  }
  return g_steal_pointer (&table);
}
