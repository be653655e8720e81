/* vw-legibility-pixdiff: are two PNG pictures the same, pixel for pixel?
 *
 *   vw-legibility-pixdiff A.png B.png
 *
 * The files may differ (compression, colour type: RGB, RGBA, grey); the
 * pictures are compared after decoding, as opaque 8-bit RGB (a pixel that is
 * not fully opaque differs).  Prints "identical WxH" and exits 0, or prints
 * how they differ and exits 1; 2 if a file cannot be read.  For the
 * benchmark's snapshot, which must be the document camera's frame exactly.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <cairo.h>

static cairo_surface_t *
load (const char *path)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS) {
    fprintf (stderr, "vw-legibility-pixdiff: cannot read %s: %s\n", path,
        cairo_status_to_string (cairo_surface_status (s)));
    cairo_surface_destroy (s);
    return NULL;
  }
  cairo_surface_flush (s);
  return s;
}

/* 0xAARRGGBB, alpha 0xff for a picture without alpha. */
static uint32_t
pixel (cairo_surface_t *s, int x, int y)
{
  const unsigned char *row = cairo_image_surface_get_data (s)
      + (size_t) y * cairo_image_surface_get_stride (s);
  uint32_t p = ((const uint32_t *) row)[x];
  if (cairo_image_surface_get_format (s) != CAIRO_FORMAT_ARGB32)
    p |= 0xff000000u;
  return p;
}

int
main (int argc, char **argv)
{
  if (argc != 3) {
    fprintf (stderr, "usage: vw-legibility-pixdiff A.png B.png\n");
    return 2;
  }
  cairo_surface_t *a = load (argv[1]), *b = a ? load (argv[2]) : NULL;
  if (!a || !b) {
    if (a)
      cairo_surface_destroy (a);
    return 2;
  }
  int w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a);
  int bw = cairo_image_surface_get_width (b), bh = cairo_image_surface_get_height (b);
  int status = 0;
  if (w != bw || h != bh) {
    printf ("different sizes %dx%d and %dx%d\n", w, h, bw, bh);
    status = 1;
  } else {
    long long differ = 0;
    int max_delta = 0;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        uint32_t p = pixel (a, x, y), q = pixel (b, x, y);
        if (p == q)
          continue;
        differ++;
        for (int shift = 0; shift < 32; shift += 8) {
          int d = abs ((int) ((p >> shift) & 0xff) - (int) ((q >> shift) & 0xff));
          if (d > max_delta)
            max_delta = d;
        }
      }
    if (differ == 0) {
      printf ("identical %dx%d\n", w, h);
    } else {
      printf ("%lld of %lld pixels differ (by up to %d of 255) at %dx%d\n",
          differ, (long long) w * h, max_delta, w, h);
      status = 1;
    }
  }
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  return status;
}
