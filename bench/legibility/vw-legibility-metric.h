/* vw-legibility-metric.h: character accuracy of a text read back from a
 * picture (OCR) against the text that was printed.
 *
 * Both texts are compared as sequences of Unicode code points with every
 * white-space character removed (OCR puts spaces between Chinese characters
 * and loses the layout's spacing; neither is a matter of legibility):
 *
 *   accuracy = 1 - levenshtein (truth, read) / length (truth)
 *
 * clamped at 0 (a read text with more wrong characters than the truth has
 * characters is no worse than an empty one).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VW_LEGIBILITY_STRICT = 0,
  /* Compatibility folding (NFKC) of both texts first: full-width and
   * half-width forms of the same character count as equal, e.g. the
   * Chinese "（：；" and the Latin "(:;" that OCR engines print for them. */
  VW_LEGIBILITY_FOLD_WIDTH = 1 << 0,
} VwLegibilityFlags;

/* The code points of @text (valid UTF-8) without white space; optionally
 * NFKC-folded.  (transfer full) */
gunichar *vw_legibility_code_points (const char *text, VwLegibilityFlags flags,
                                     gsize *n);

/* Levenshtein distance (insertions, deletions, substitutions, each 1). */
gsize     vw_legibility_distance (const gunichar *a, gsize n, const gunichar *b,
                                  gsize m);

typedef struct {
  gsize truth_chars;    /* code points of the truth, white space removed */
  gsize read_chars;     /* of the read text */
  gsize distance;
  double accuracy;      /* 0..1 */
} VwLegibilityScore;

/* Scores @read against @truth; both valid UTF-8. */
VwLegibilityScore vw_legibility_score (const char *truth, const char *read,
                                       VwLegibilityFlags flags);

G_END_DECLS
