/* vw-webm.c: the Segment Info's Duration of a WebM file.
 *
 * EBML elements are (ID, size, data); IDs and sizes are variable-length
 * integers whose leading zero bits give their length.  We walk EBML header
 * -> Segment -> its children until Info, then read TimecodeScale (2AD7B1,
 * unsigned, default 1 000 000 ns) and Duration (4489, a 4 or 8 byte float
 * in timecode units).  Clusters come after Info, so the first few
 * kilobytes are enough. */
#include "vw-webm.h"

#include <string.h>

#define ID_EBML      0x1A45DFA3
#define ID_SEGMENT   0x18538067
#define ID_INFO      0x1549A966
#define ID_SCALE     0x2AD7B1
#define ID_DURATION  0x4489

/* Reads a variable-length integer at @p; with @keep_marker (IDs) the
 * length bits stay in the value.  Returns its length, 0 if malformed. */
static guint
read_vint (const guint8 *p, const guint8 *end, gboolean keep_marker, guint64 *value)
{
  if (p >= end || p[0] == 0)
    return 0;
  guint len = 1;
  while (!(p[0] & (0x80 >> (len - 1))))
    len++;
  if (len > 8 || p + len > end)
    return 0;
  guint64 v = keep_marker ? p[0] : (p[0] & (0xFF >> len));
  for (guint i = 1; i < len; i++)
    v = (v << 8) | p[i];
  *value = v;
  return len;
}

typedef struct {
  guint64 id, size;
  const guint8 *data;      /* first byte of the element's data */
} Element;

/* The element at *@p; moves *@p past its header.  An "unknown" size
 * (all ones) reaches to @end. */
static gboolean
read_element (const guint8 **p, const guint8 *end, Element *e)
{
  guint n = read_vint (*p, end, TRUE, &e->id);
  guint m = n ? read_vint (*p + n, end, FALSE, &e->size) : 0;
  if (!m)
    return FALSE;
  *p += n + m;
  e->data = *p;
  if (e->size > (guint64) (end - *p))
    e->size = end - *p;
  return TRUE;
}

static gdouble
read_float (const guint8 *p, guint64 size)
{
  guint64 bits = 0;
  for (guint i = 0; i < size; i++)
    bits = (bits << 8) | p[i];
  if (size == 4) {
    guint32 b32 = (guint32) bits;
    gfloat f;
    memcpy (&f, &b32, sizeof f);
    return f;
  }
  gdouble d;
  memcpy (&d, &bits, sizeof d);
  return d;
}

static gint64
duration_in_info (const guint8 *p, const guint8 *end)
{
  guint64 scale = 1000000;
  gdouble duration = -1;
  Element e;
  while (p < end && read_element (&p, end, &e)) {
    if (e.id == ID_SCALE && e.size >= 1 && e.size <= 8) {
      scale = 0;
      for (guint i = 0; i < e.size; i++)
        scale = (scale << 8) | e.data[i];
    } else if (e.id == ID_DURATION && (e.size == 4 || e.size == 8)) {
      duration = read_float (e.data, e.size);
    }
    p = e.data + e.size;
  }
  if (duration < 0 || scale == 0)
    return -1;
  return (gint64) (duration * (gdouble) scale / 1e6 + 0.5);
}

gint64
vw_webm_duration_ms (const guint8 *data, gsize size)
{
  g_return_val_if_fail (data != NULL || size == 0, -1);
  const guint8 *p = data, *end = data + size;
  Element e;
  if (!read_element (&p, end, &e) || e.id != ID_EBML)
    return -1;
  p = e.data + e.size;
  if (!read_element (&p, end, &e) || e.id != ID_SEGMENT)
    return -1;
  while (p < end && read_element (&p, end, &e)) {
    if (e.id == ID_INFO)
      return duration_in_info (e.data, e.data + e.size);
    p = e.data + e.size;
  }
  return -1;
}
