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

/* ---- the blocks ----
 *
 * A flat walk: the master elements that lead to blocks (Segment, Info,
 * Tracks, TrackEntry, Cluster, BlockGroup) are entered, everything else is
 * stepped over by its size, so a Segment or Cluster of unknown size (the
 * one being written at a crash) and a following Cluster both read right.
 * A block's time is its cluster's Timecode plus its own signed 16-bit
 * offset, in TimecodeScale units. */

#define ID_TRACKS          0x1654AE6B
#define ID_TRACK_ENTRY     0xAE
#define ID_DEFAULT_DURATION 0x23E383
#define ID_CLUSTER         0x1F43B675
#define ID_TIMECODE        0xE7
#define ID_BLOCK_GROUP     0xA0
#define ID_BLOCK           0xA1
#define ID_SIMPLE_BLOCK    0xA3
#define ID_BLOCK_DURATION  0x9B

typedef struct {
  guint64 scale;             /* ns per timecode unit */
  guint64 default_ns;        /* the track's DefaultDuration; 0: none */
  gint64 cluster;            /* the current cluster's Timecode */
  gboolean any;
  gint64 first, last, prev;  /* block times, in timecode units */
  gint64 last_duration;      /* the last block's BlockDuration; -1: none */
} Span;

static guint64
read_uint (const guint8 *p, guint64 size)
{
  guint64 v = 0;
  for (guint i = 0; i < size && i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

/* A whole Block or SimpleBlock at @e: track number, then its offset. */
static void
span_add_block (Span *span, const Element *e)
{
  guint64 track;
  guint n = read_vint (e->data, e->data + e->size, FALSE, &track);
  if (!n || e->size < n + 3)
    return;
  gint16 offset = (gint16) ((e->data[n] << 8) | e->data[n + 1]);
  gint64 t = span->cluster + offset;
  if (!span->any) {
    span->first = span->prev = span->last = t;
    span->any = TRUE;
  } else {
    span->prev = span->last;
    span->last = t;
  }
  span->last_duration = -1;
}

/* Reads an element header at *@p like read_element(), but tells whether
 * the element's data is all there (its size is known and within @end). */
static gboolean
read_element_whole (const guint8 **p, const guint8 *end, Element *e, gboolean *whole)
{
  const guint8 *start = *p;
  if (!read_element (p, end, e))
    return FALSE;
  guint64 declared;
  guint n = read_vint (start, end, TRUE, &declared);
  guint m = read_vint (start + n, end, FALSE, &declared);
  /* An unknown size is all ones in its m * 7 bits. */
  gboolean unknown = m < 8 ? declared == (G_GUINT64_CONSTANT (1) << (7 * m)) - 1
      : declared == G_GUINT64_CONSTANT (0x00FFFFFFFFFFFFFF);
  *whole = !unknown && declared <= (guint64) (end - e->data);
  return TRUE;
}

gint64
vw_webm_blocks_duration_ms (const guint8 *data, gsize size)
{
  g_return_val_if_fail (data != NULL || size == 0, -1);
  const guint8 *p = data, *end = data + size;
  Span span = { .scale = 1000000, .last_duration = -1 };
  Element e;
  gboolean whole;
  if (!read_element (&p, end, &e) || e.id != ID_EBML)
    return -1;
  p = e.data + e.size;
  while (p < end && read_element_whole (&p, end, &e, &whole)) {
    switch (e.id) {
    case ID_SEGMENT: case ID_INFO: case ID_TRACKS: case ID_TRACK_ENTRY:
    case ID_CLUSTER: case ID_BLOCK_GROUP:
      continue;   /* entered: its children come next */
    case ID_SCALE:
      if (whole && e.size >= 1 && e.size <= 8)
        span.scale = read_uint (e.data, e.size);
      break;
    case ID_DEFAULT_DURATION:
      if (whole && e.size >= 1 && e.size <= 8)
        span.default_ns = read_uint (e.data, e.size);
      break;
    case ID_TIMECODE:
      if (whole && e.size <= 8)
        span.cluster = (gint64) read_uint (e.data, e.size);
      break;
    case ID_SIMPLE_BLOCK: case ID_BLOCK:
      if (whole)
        span_add_block (&span, &e);
      break;
    case ID_BLOCK_DURATION:
      if (whole && span.any && e.size <= 8)
        span.last_duration = (gint64) read_uint (e.data, e.size);
      break;
    default:
      break;
    }
    if (!whole)
      break;   /* cut off here: nothing whole comes after it */
    p = e.data + e.size;
  }
  if (!span.any || span.scale == 0)
    return -1;
  /* The last block lasts its BlockDuration, its track's DefaultDuration,
   * or as long as the gap before it (one frame, one audio packet). */
  gdouble last_ns = span.last_duration >= 0 ? (gdouble) span.last_duration * span.scale
      : span.default_ns ? (gdouble) span.default_ns
      : (gdouble) (span.last - span.prev) * span.scale;
  gdouble ns = (gdouble) (span.last - span.first) * span.scale + last_ns;
  return (gint64) (ns / 1e6 + 0.5);
}
