/* vw-range.c: HTTP byte ranges (see vw-range.h). */
#include "vw-range.h"

#include <string.h>

typedef struct {
  gboolean suffix;          /* "-N": the last N bytes */
  guint64 first, last;      /* G_MAXUINT64 for an overflow or no last */
} Spec;

static const char *
skip_ows (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* 1*DIGIT at *@p; a number over 64 bits saturates at G_MAXUINT64.  FALSE
 * if there is no digit. */
static gboolean
read_digits (const char **p, guint64 *out)
{
  guint64 n = 0;
  const char *q = *p;

  if (!g_ascii_isdigit (*q))
    return FALSE;
  for (; g_ascii_isdigit (*q); q++) {
    guint d = *q - '0';
    n = n > (G_MAXUINT64 - d) / 10 ? G_MAXUINT64 : n * 10 + d;
  }
  *p = q;
  *out = n;
  return TRUE;
}

/* One range-spec, [@p, @end) without surrounding whitespace. */
static gboolean
read_spec (const char *p, const char *end, Spec *spec)
{
  *spec = (Spec) { FALSE, 0, G_MAXUINT64 };
  if (*p == '-') {
    p++;
    spec->suffix = TRUE;
    return read_digits (&p, &spec->last) && p == end;
  }
  if (!read_digits (&p, &spec->first) || *p++ != '-')
    return FALSE;
  if (p < end && !read_digits (&p, &spec->last))
    return FALSE;
  return p == end && spec->first <= spec->last;
}

static gboolean
satisfiable (const Spec *s, guint64 size)
{
  return s->suffix ? s->last > 0 : s->first < size;
}

VwRange
vw_range_parse (const char *header, guint64 size, guint64 *first, guint64 *last)
{
  g_return_val_if_fail (first != NULL && last != NULL, VW_RANGE_WHOLE);

  if (!header)
    return VW_RANGE_WHOLE;
  const char *p = skip_ows (header);
  if (g_ascii_strncasecmp (p, "bytes", 5) != 0)
    return VW_RANGE_WHOLE;
  p = skip_ows (p + 5);
  if (*p++ != '=')
    return VW_RANGE_WHOLE;

  guint n_specs = 0, n_satisfiable = 0;
  Spec one = { 0 };
  while (TRUE) {
    /* 1#range-spec: empty elements and OWS around commas are allowed. */
    p = skip_ows (p);
    const char *comma = strchr (p, ',');
    const char *end = comma ? comma : p + strlen (p);
    const char *trimmed = end;
    while (trimmed > p && (trimmed[-1] == ' ' || trimmed[-1] == '\t'))
      trimmed--;
    if (trimmed > p) {
      Spec s;
      if (!read_spec (p, trimmed, &s))
        return VW_RANGE_WHOLE;
      n_specs++;
      if (satisfiable (&s, size)) {
        n_satisfiable++;
        one = s;
      }
    }
    if (!comma)
      break;
    p = comma + 1;
  }
  if (n_specs == 0)
    return VW_RANGE_WHOLE;
  if (n_satisfiable == 0)
    return VW_RANGE_UNSATISFIABLE;
  /* Several ranges; or a suffix of an empty representation, which is
   * all of it (nothing). */
  if (n_specs > 1 || size == 0)
    return VW_RANGE_WHOLE;
  if (one.suffix) {
    *first = one.last >= size ? 0 : size - one.last;
    *last = size - 1;
  } else {
    *first = one.first;
    *last = MIN (one.last, size - 1);
  }
  return VW_RANGE_PARTIAL;
}

void
vw_range_respond (SoupServerMessage *msg, GBytes *body, const char *etag)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg) && body != NULL);

  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  SoupMessageBody *out = soup_server_message_get_response_body (msg);
  const char *range = soup_message_headers_get_one (request, "Range");
  const char *if_range = soup_message_headers_get_one (request, "If-Range");
  gsize size = g_bytes_get_size (body);
  guint64 first = 0, last = 0;
  VwRange what = VW_RANGE_WHOLE;

  /* If-Range with anything but our (strong) ETag: the whole of it. */
  if (soup_server_message_get_method (msg) == SOUP_METHOD_GET
      && (!if_range || (etag && g_str_equal (if_range, etag))))
    what = vw_range_parse (range, size, &first, &last);
  soup_message_headers_remove (request, "Range");

  soup_message_headers_replace (response, "Accept-Ranges", "bytes");
  soup_message_body_truncate (out);
  if (what == VW_RANGE_UNSATISFIABLE) {
    g_autofree char *cr = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, size);
    soup_message_headers_replace (response, "Content-Range", cr);
    soup_server_message_set_status (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE,
        NULL);
    return;
  }
  if (what == VW_RANGE_PARTIAL) {
    g_autoptr (GBytes) part = g_bytes_new_from_bytes (body, first, last - first + 1);
    soup_message_headers_set_content_range (response, first, last, size);
    soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
    soup_message_body_append_bytes (out, part);
    return;
  }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (out, body);
}
