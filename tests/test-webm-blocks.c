/* test-webm-blocks: the time the blocks of a WebM file span
 * (vw_webm_blocks_duration_ms), on files made here byte by byte: whole,
 * cut inside a cluster, inside a block, inside an element header, with
 * clusters of unknown size (what webmmux leaves at a crash), with the
 * last block's duration given three ways. */
#include <string.h>
#include "vw-webm.h"

/* Appends an element: @id's bytes as they are, then its size as an
 * 8-byte vint (all ones, "unknown", with @unknown), then @size bytes of
 * @data. */
static void
put_sized (GByteArray *out, guint32 id, gsize size, const guint8 *data, gboolean unknown)
{
  guint8 idb[4];
  guint n = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
  for (guint i = 0; i < n; i++)
    idb[i] = id >> (8 * (n - 1 - i));
  g_byte_array_append (out, idb, n);
  guint8 sz[8] = { 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
  if (!unknown)
    for (guint i = 1; i < 8; i++)
      sz[i] = (guint64) size >> (8 * (7 - i));
  g_byte_array_append (out, sz, 8);
  if (size > 0)
    g_byte_array_append (out, data, size);
}

static void
put (GByteArray *out, guint32 id, gsize size, const guint8 *data)
{
  put_sized (out, id, size, data, FALSE);
}

static void
put_uint (GByteArray *out, guint32 id, guint64 v)
{
  guint8 b[8];
  for (guint i = 0; i < 8; i++)
    b[i] = v >> (8 * (7 - i));
  put (out, id, 8, b);
}

/* A SimpleBlock of track 1 at @offset in its cluster, with 40 bytes. */
static void
put_block (GByteArray *out, guint32 id, gint16 offset)
{
  guint8 b[44] = { 0x81, (guint16) offset >> 8, offset & 0xFF, 0x80 };
  memset (b + 4, 0x5A, 40);
  put (out, id, sizeof b, b);
}

typedef struct {
  gboolean unknown_sizes;    /* Segment and clusters of unknown size */
  guint64 default_ns;        /* the track's DefaultDuration; 0: none */
  gint64 block_duration;     /* the last block in a BlockGroup with this; -1: no */
} Shape;

/* EBML header, Segment, Info (TimecodeScale 1 ms), Tracks, then 100
 * blocks 20 ms apart in two clusters (0 and 1000 ms).  The offset where
 * each block's element starts goes to @starts. */
static GByteArray *
make_file (const Shape *shape, gsize *starts)
{
  GByteArray *f = g_byte_array_new ();
  put (f, 0x1A45DFA3, 0, NULL);
  put_sized (f, 0x18538067, 0, NULL, TRUE);   /* Segment: the rest */
  g_autoptr (GByteArray) info = g_byte_array_new ();
  put_uint (info, 0x2AD7B1, 1000000);
  put (f, 0x1549A966, info->len, info->data);
  g_autoptr (GByteArray) entry = g_byte_array_new ();
  put_uint (entry, 0xD7, 1);
  if (shape->default_ns)
    put_uint (entry, 0x23E383, shape->default_ns);
  g_autoptr (GByteArray) tracks = g_byte_array_new ();
  put (tracks, 0xAE, entry->len, entry->data);
  put (f, 0x1654AE6B, tracks->len, tracks->data);
  for (guint c = 0; c < 2; c++) {
    g_autoptr (GByteArray) cluster = g_byte_array_new ();
    put_uint (cluster, 0xE7, c * 1000);
    gsize body_at = f->len + 4 + 8;   /* after the cluster's header */
    for (guint i = 0; i < 50; i++) {
      guint k = c * 50 + i;
      starts[k] = body_at + cluster->len;
      if (k == 99 && shape->block_duration >= 0) {
        g_autoptr (GByteArray) group = g_byte_array_new ();
        put_block (group, 0xA1, i * 20);
        put_uint (group, 0x9B, shape->block_duration);
        put (cluster, 0xA0, group->len, group->data);
      } else {
        put_block (cluster, 0xA3, i * 20);
      }
    }
    put_sized (f, 0x1F43B675, cluster->len, cluster->data, shape->unknown_sizes);
  }
  return f;
}

static void
check_cuts (const Shape *shape, gint64 whole_ms)
{
  gsize starts[100];
  g_autoptr (GByteArray) f = make_file (shape, starts);

  g_assert_cmpint (vw_webm_blocks_duration_ms (f->data, f->len), ==, whole_ms);
  /* Cut inside block k (in its header, just after it, in its data): the
   * blocks before it count, the last of them lasting one gap. */
  static const guint ks[] = { 1, 2, 37, 50, 51, 73, 99 };
  for (guint i = 0; i < G_N_ELEMENTS (ks); i++) {
    guint k = ks[i];
    for (gsize extra = 1; extra <= 30; extra += 6) {
      gint64 got = vw_webm_blocks_duration_ms (f->data, starts[k] + extra);
      g_test_message ("cut %" G_GSIZE_FORMAT " bytes into block %u: %" G_GINT64_FORMAT
          " ms", extra, k, got);
      gint64 last_ms = shape->default_ns ? (gint64) (shape->default_ns / 1000000)
          : k >= 2 ? 20 : 0;
      g_assert_cmpint (got, ==, (gint64) (k - 1) * 20 + last_ms);
    }
  }
  /* Cut before the first block: none. */
  g_assert_cmpint (vw_webm_blocks_duration_ms (f->data, starts[0]), ==, -1);
  g_assert_cmpint (vw_webm_blocks_duration_ms (f->data, starts[0] + 5), ==, -1);
}

/* Clusters of known size, the file whole: 100 blocks 20 ms apart, the
 * last lasting as long as the gap before it. */
static void
test_known_sizes (void)
{
  Shape shape = { .block_duration = -1 };
  check_cuts (&shape, 2000);
}

/* The cluster being written at a crash has an unknown size; a second
 * cluster after one of unknown size is still read as a cluster. */
static void
test_unknown_sizes (void)
{
  Shape shape = { .unknown_sizes = TRUE, .block_duration = -1 };
  check_cuts (&shape, 2000);
}

/* The track's DefaultDuration (here 23 ms) is the last block's duration. */
static void
test_default_duration (void)
{
  Shape shape = { .unknown_sizes = TRUE, .default_ns = 23000000, .block_duration = -1 };
  check_cuts (&shape, 1980 + 23);
}

/* A BlockGroup's BlockDuration (here 55 ms) is its block's duration. */
static void
test_block_duration (void)
{
  gsize starts[100];
  Shape shape = { .block_duration = 55 };
  g_autoptr (GByteArray) f = make_file (&shape, starts);
  g_assert_cmpint (vw_webm_blocks_duration_ms (f->data, f->len), ==, 1980 + 55);
}

static void
test_not_webm (void)
{
  static const char *const texts[] = { "", "not a webm file", "\x1a\x45\xdf\xa3" };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    g_assert_cmpint (vw_webm_blocks_duration_ms ((const guint8 *) texts[i],
        strlen (texts[i])), ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/webm-blocks/known-sizes", test_known_sizes);
  g_test_add_func ("/webm-blocks/unknown-sizes", test_unknown_sizes);
  g_test_add_func ("/webm-blocks/default-duration", test_default_duration);
  g_test_add_func ("/webm-blocks/block-duration", test_block_duration);
  g_test_add_func ("/webm-blocks/not-webm", test_not_webm);
  return g_test_run ();
}
