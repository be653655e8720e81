/* The character accuracy of the legibility benchmark: edit distance over
 * code points, white space, width folding. */
#include "vw-legibility-metric.h"

static gsize
distance (const char *a, const char *b)
{
  gsize n, m;
  g_autofree gunichar *x = vw_legibility_code_points (a, VW_LEGIBILITY_STRICT, &n);
  g_autofree gunichar *y = vw_legibility_code_points (b, VW_LEGIBILITY_STRICT, &m);
  return vw_legibility_distance (x, n, y, m);
}

static void
test_distance (void)
{
  g_assert_cmpuint (distance ("", ""), ==, 0);
  g_assert_cmpuint (distance ("abc", ""), ==, 3);
  g_assert_cmpuint (distance ("", "abc"), ==, 3);
  g_assert_cmpuint (distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (distance ("flaw", "lawn"), ==, 2);
  /* One code point is one character, however many bytes it takes. */
  g_assert_cmpuint (distance ("营业执照", "营业执照"), ==, 0);
  g_assert_cmpuint (distance ("营业执照", "营业执昭"), ==, 1);
  g_assert_cmpuint (distance ("上海某某科技有限公司", "上海某科技有限公司"), ==, 1);
  g_assert_cmpuint (distance ("自然人投资或控股", "BAAR BEA"), ==, 8);
  /* Symmetric. */
  g_assert_cmpuint (distance ("统一社会信用代码", "统一信用代码号"), ==,
      distance ("统一信用代码号", "统一社会信用代码"));
}

static void
test_white_space (void)
{
  gsize n;
  g_autofree gunichar *cp = vw_legibility_code_points ("名　　称 上海\t某某\n", VW_LEGIBILITY_STRICT, &n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpuint (cp[0], ==, 0x540D);   /* 名 */
  g_assert_cmpuint (cp[1], ==, 0x79F0);   /* 称 */
  g_assert_cmpuint (distance ("名　　称", "名 称"), ==, 0);
  g_assert_cmpuint (distance ("91310101 MA1FPX1234", "91310101MA1FPX1234"), ==, 0);
}

static void
test_width_folding (void)
{
  VwLegibilityScore s = vw_legibility_score ("（副本）：；", "(副本):;", VW_LEGIBILITY_STRICT);
  g_assert_cmpuint (s.distance, ==, 4);
  s = vw_legibility_score ("（副本）：；", "(副本):;", VW_LEGIBILITY_FOLD_WIDTH);
  g_assert_cmpuint (s.distance, ==, 0);
  g_assert_cmpfloat (s.accuracy, ==, 1.0);
  /* Folding does not make different characters equal. */
  s = vw_legibility_score ("凭营业执照", "赁营业执照", VW_LEGIBILITY_FOLD_WIDTH);
  g_assert_cmpuint (s.distance, ==, 1);
}

static void
test_accuracy (void)
{
  VwLegibilityScore s = vw_legibility_score ("营业执照\n副本\n", "营业执照 副本", VW_LEGIBILITY_STRICT);
  g_assert_cmpuint (s.truth_chars, ==, 6);
  g_assert_cmpuint (s.read_chars, ==, 6);
  g_assert_cmpfloat (s.accuracy, ==, 1.0);
  s = vw_legibility_score ("abcdefghij", "abcdefghiX", VW_LEGIBILITY_STRICT);
  g_assert_cmpfloat_with_epsilon (s.accuracy, 0.9, 1e-12);
  /* Nothing read: 0; more garbage than text: still 0, not negative. */
  s = vw_legibility_score ("营业执照", "", VW_LEGIBILITY_STRICT);
  g_assert_cmpfloat (s.accuracy, ==, 0.0);
  s = vw_legibility_score ("营业", "xxxxxxxxxx", VW_LEGIBILITY_STRICT);
  g_assert_cmpuint (s.distance, ==, 10);
  g_assert_cmpfloat (s.accuracy, ==, 0.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/legibility/distance", test_distance);
  g_test_add_func ("/legibility/white-space", test_white_space);
  g_test_add_func ("/legibility/width-folding", test_width_folding);
  g_test_add_func ("/legibility/accuracy", test_accuracy);
  return g_test_run ();
}
