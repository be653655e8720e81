/* vw-legibility-metric.c: see the header. */
#include "vw-legibility-metric.h"

gunichar *
vw_legibility_code_points (const char *text, VwLegibilityFlags flags, gsize *n)
{
  g_autofree char *folded = NULL;
  if (flags & VW_LEGIBILITY_FOLD_WIDTH) {
    folded = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
    if (folded)
      text = folded;
  }
  glong len = g_utf8_strlen (text, -1);
  gunichar *out = g_new (gunichar, len + 1);
  gsize k = 0;
  for (const char *p = text; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    /* g_unichar_isspace covers ASCII white space and the Unicode space
     * separators, among them the ideographic space U+3000 of "名　　称". */
    if (!g_unichar_isspace (c) && c != 0xFEFF /* BOM */)
      out[k++] = c;
  }
  out[k] = 0;
  *n = k;
  return out;
}

gsize
vw_legibility_distance (const gunichar *a, gsize n, const gunichar *b, gsize m)
{
  /* Two rows of the (n+1) x (m+1) table: O(n*m) time, O(m) memory. */
  g_autofree gsize *prev = g_new (gsize, m + 1);
  g_autofree gsize *cur = g_new (gsize, m + 1);
  for (gsize j = 0; j <= m; j++)
    prev[j] = j;
  for (gsize i = 1; i <= n; i++) {
    cur[0] = i;
    for (gsize j = 1; j <= m; j++) {
      gsize sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
      gsize del = prev[j] + 1, ins = cur[j - 1] + 1;
      cur[j] = MIN (sub, MIN (del, ins));
    }
    gsize *t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}

VwLegibilityScore
vw_legibility_score (const char *truth, const char *read, VwLegibilityFlags flags)
{
  VwLegibilityScore s = { 0 };
  g_autofree gunichar *t = vw_legibility_code_points (truth, flags, &s.truth_chars);
  g_autofree gunichar *r = vw_legibility_code_points (read, flags, &s.read_chars);
  s.distance = vw_legibility_distance (t, s.truth_chars, r, s.read_chars);
  if (s.truth_chars == 0)
    s.accuracy = s.read_chars == 0 ? 1.0 : 0.0;
  else
    s.accuracy = MAX (0.0, 1.0 - (double) s.distance / (double) s.truth_chars);
  return s;
}
