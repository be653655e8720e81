/* range-table.c: the Range requests of range-table.h and their answers. */
#include "range-table.h"

#include <string.h>

#define HUGE "99999999999999999999"   /* over 64 bits */

typedef struct {
  const char *range;      /* "@SIZE@" is the resource's size */
  const char *if_range;   /* NULL, or "@ETAG@": the resource's own */
  guint status;           /* 200, 206 or 416 */
  gint64 first, last;     /* of a 206; below 0: from the end (-1: last byte) */
} RangeRow;

static const RangeRow rows[] = {
  /* Satisfiable: 206 with exactly those bytes. */
  { "bytes=0-0", NULL, 206, 0, 0 },
  { "bytes=100-1099", NULL, 206, 100, 1099 },
  { "bytes=100-", NULL, 206, 100, -1 },
  { "bytes=-10", NULL, 206, -10, -1 },
  { "bytes=0-99999999999", NULL, 206, 0, -1 },     /* last clamped */
  { "bytes=10-" HUGE, NULL, 206, 10, -1 },         /* ... also over 64 bits */
  { "bytes=-99999999999", NULL, 206, 0, -1 },      /* a suffix over the size */
  { "bytes=-" HUGE, NULL, 206, 0, -1 },
  { "BYTES=0-0", NULL, 206, 0, 0 },                /* the unit is case-blind */
  { "bytes=5-9, ", NULL, 206, 5, 9 },              /* an empty list element */
  { "bytes=0-0", "@ETAG@", 206, 0, 0 },
  /* Unsatisfiable: 416 with Content-Range: bytes *\/SIZE. */
  { "bytes=" HUGE "-", NULL, 416 },
  { "bytes=" HUGE "-" HUGE, NULL, 416 },
  { "bytes=@SIZE@-", NULL, 416 },
  { "bytes=@SIZE@-@SIZE@", NULL, 416 },
  { "bytes=-0", NULL, 416 },
  { "bytes=@SIZE@-, " HUGE "-", NULL, 416 },
  /* Malformed: ignored, 200 with all of it. */
  { "bytes=5-1", NULL, 200 },
  { "bytes=" HUGE "-1", NULL, 200 },
  { "bytes=abc", NULL, 200 },
  { "bytes=1-2-3", NULL, 200 },
  { "bytes=-", NULL, 200 },
  { "bytes=", NULL, 200 },
  { "bytes= , ", NULL, 200 },
  { "bytes=+1-2", NULL, 200 },
  { "bytes=0x10-", NULL, 200 },
  { "bytes=1 -2", NULL, 200 },
  { "bytes=--5", NULL, 200 },
  { "items=0-10", NULL, 200 },
  { "bytes 0-10", NULL, 200 },
  { "0-10", NULL, 200 },
  /* Several ranges: the whole of it (no multipart). */
  { "bytes=0-1,5-6", NULL, 200 },
  /* If-Range that is not the resource's ETag: the whole of it. */
  { "bytes=0-0", "\"other\"", 200 },
  { "bytes=" HUGE "-", "\"other\"", 200 },
  { "bytes=0-0", "Sat, 01 Jan 2000 00:00:00 GMT", 200 },
};

static char *
expand (const char *text, gsize size, const char *etag)
{
  g_autofree char *size_text = g_strdup_printf ("%" G_GSIZE_FORMAT, size);
  g_auto (GStrv) parts = g_strsplit (text, "@SIZE@", -1);
  g_autofree char *sized = g_strjoinv (size_text, parts);

  return g_str_equal (sized, "@ETAG@") ? g_strdup (etag) : g_steal_pointer (&sized);
}

static void
check_row (const RangeRow *row, RangeFetch fetch, gpointer data, GBytes *whole,
    const char *etag)
{
  gsize size = g_bytes_get_size (whole);
  const char *all = g_bytes_get_data (whole, NULL);
  g_autofree char *range = expand (row->range, size, etag);
  g_autofree char *if_range = row->if_range ? expand (row->if_range, size, etag) : NULL;
  SoupMessageHeaders *headers = NULL;
  guint status = 0;

  g_test_message ("Range: %s%s%s", range, if_range ? ", If-Range: " : "",
      if_range ? if_range : "");
  g_autoptr (GBytes) body = fetch (range, if_range, &status, &headers, data);
  const char *content_range = soup_message_headers_get_one (headers, "Content-Range");
  gsize len = g_bytes_get_size (body);

  g_assert_cmpuint (status, ==, row->status);
  if (row->status == 206) {
    gsize first = row->first < 0 ? size + row->first : (gsize) row->first;
    gsize last = row->last < 0 ? size + row->last : (gsize) row->last;
    g_autofree char *expected = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%"
        G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT, first, last, size);
    g_assert_cmpstr (content_range, ==, expected);
    g_assert_cmpmem (g_bytes_get_data (body, NULL), len, all + first, last - first + 1);
  } else if (row->status == 416) {
    g_autofree char *expected = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, size);
    g_assert_cmpstr (content_range, ==, expected);
  } else {
    g_assert_null (content_range);
    g_assert_cmpmem (g_bytes_get_data (body, NULL), len, all, size);
  }
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Accept-Ranges"), ==, "bytes");
  soup_message_headers_unref (headers);
}

void
range_table_check (RangeFetch fetch, gpointer data, GBytes *whole, const char *etag)
{
  g_assert_cmpuint (g_bytes_get_size (whole), >=, 1100);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    const RangeRow *row = &rows[i];
    if (row->if_range && g_str_equal (row->if_range, "@ETAG@") && !etag)
      continue;
    check_row (row, fetch, data, whole, etag);
  }
}
