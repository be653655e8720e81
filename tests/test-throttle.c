/* test-throttle: back-off for guessing (server/auth/vw-throttle.c) on a
 * clock of its own: the allowance, the doubling wait and its ceiling, that
 * a refused attempt does not lengthen the wait, that quiet keys are
 * forgotten, that a success takes its failure back, and that the table
 * never holds more than its keys. */
#include "vw-throttle.h"

#define SECOND ((gint64) 1000)
#define MINUTE (60 * SECOND)

/* 5 free failures, then 1 s, 2 s, 4 s ... up to 15 min; forgotten after an
 * hour of quiet; 4 keys at most. */
static const VwThrottleConfig config = {
  .free_failures = 5,
  .base_delay_ms = SECOND,
  .max_delay_ms = 15 * MINUTE,
  .forget_after_ms = 60 * MINUTE,
  .max_keys = 4,
};

/* The wait after each failure, failing as soon as allowed. */
static void
test_back_off (void)
{
  static const struct { guint failures; gint64 wait; } steps[] = {
    { 1, 0 }, { 2, 0 }, { 3, 0 }, { 4, 0 },
    { 5, SECOND },            /* the allowance is used up */
    { 6, 2 * SECOND },
    { 7, 4 * SECOND },
    { 8, 8 * SECOND },
    { 14, 512 * SECOND },
    { 15, 15 * MINUTE },      /* 1024 s: the ceiling */
    { 40, 15 * MINUTE },
  };
  g_autoptr (VwThrottle) t = vw_throttle_new (&config);
  gint64 now = 1795397400000;   /* 2026-11-23 09:30 CST */
  guint failures = 0;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
    while (failures < steps[i].failures) {
      now += vw_throttle_wait_ms (t, "zhangmin", now);
      g_assert_cmpint (vw_throttle_wait_ms (t, "zhangmin", now), ==, 0);
      vw_throttle_fail (t, "zhangmin", now);
      failures++;
    }
    g_test_message ("after %u failures: wait %" G_GINT64_FORMAT " ms", failures,
        vw_throttle_wait_ms (t, "zhangmin", now));
    g_assert_cmpint (vw_throttle_wait_ms (t, "zhangmin", now), ==, steps[i].wait);
    g_assert_cmpuint (vw_throttle_failures (t, "zhangmin", now), ==, failures);
    /* The wait runs down with the clock and ends exactly then. */
    if (steps[i].wait) {
      g_assert_cmpint (vw_throttle_wait_ms (t, "zhangmin", now + steps[i].wait - 1), ==, 1);
      g_assert_cmpint (vw_throttle_wait_ms (t, "zhangmin", now + steps[i].wait), ==, 0);
    }
  }
  /* Other keys are not touched. */
  g_assert_cmpint (vw_throttle_wait_ms (t, "wangfang", now), ==, 0);
  g_assert_cmpuint (vw_throttle_failures (t, "wangfang", now), ==, 0);
}

/* Attempts refused during the wait are not failures: asking does not
 * lengthen it. */
static void
test_refused_do_not_count (void)
{
  g_autoptr (VwThrottle) t = vw_throttle_new (&config);
  gint64 now = 1795397400000;

  for (guint i = 0; i < 5; i++)
    vw_throttle_fail (t, "10.0.0.7", now);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (vw_throttle_wait_ms (t, "10.0.0.7", now + i), ==, SECOND - i);
  g_assert_cmpuint (vw_throttle_failures (t, "10.0.0.7", now), ==, 5);
}

/* A quiet key is forgotten after an hour, or after its wait if longer:
 * the count starts again, the back-off never lasts for ever. */
static void
test_forget (void)
{
  gint64 now = 1795397400000;
  static const struct { gint64 after; guint failures; } cases[] = {
    { 60 * MINUTE, 7 },         /* an hour of quiet: still kept */
    { 60 * MINUTE + 1, 0 },     /* then forgotten */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (VwThrottle) u = vw_throttle_new (&config);
    for (guint k = 0; k < 7; k++)
      vw_throttle_fail (u, "lisi", now);
    g_assert_cmpuint (vw_throttle_failures (u, "lisi", now + cases[i].after), ==,
        cases[i].failures);
  }
  /* A wait longer than the quiet time: kept until the wait is over. */
  VwThrottleConfig short_quiet = config;
  short_quiet.forget_after_ms = 2 * SECOND;
  g_autoptr (VwThrottle) v = vw_throttle_new (&short_quiet);
  for (guint k = 0; k < 8; k++)
    vw_throttle_fail (v, "lisi", now);
  g_assert_cmpint (vw_throttle_wait_ms (v, "lisi", now + 4 * SECOND), ==, 4 * SECOND);
  g_assert_cmpuint (vw_throttle_failures (v, "lisi", now + 8 * SECOND), ==, 8);
  g_assert_cmpuint (vw_throttle_failures (v, "lisi", now + 8 * SECOND + 1), ==, 0);
}

/* A success: reset forgets the key (an account), forgive takes back the
 * one failure counted when the attempt started (an address). */
static void
test_success (void)
{
  g_autoptr (VwThrottle) t = vw_throttle_new (&config);
  gint64 now = 1795397400000;

  for (guint i = 0; i < 5; i++)
    vw_throttle_fail (t, "zhangmin", now);
  g_assert_cmpint (vw_throttle_wait_ms (t, "zhangmin", now), ==, SECOND);
  vw_throttle_reset (t, "zhangmin");
  g_assert_cmpint (vw_throttle_wait_ms (t, "zhangmin", now), ==, 0);
  g_assert_cmpuint (vw_throttle_failures (t, "zhangmin", now), ==, 0);

  for (guint i = 0; i < 4; i++)
    vw_throttle_fail (t, "10.0.0.7", now);
  vw_throttle_fail (t, "10.0.0.7", now);    /* started: counted */
  g_assert_cmpint (vw_throttle_wait_ms (t, "10.0.0.7", now), ==, SECOND);
  vw_throttle_forgive (t, "10.0.0.7");      /* it was right */
  g_assert_cmpuint (vw_throttle_failures (t, "10.0.0.7", now), ==, 4);
  g_assert_cmpint (vw_throttle_wait_ms (t, "10.0.0.7", now), ==, 0);
  vw_throttle_forgive (t, "nobody");        /* unknown: nothing */
  g_assert_cmpuint (vw_throttle_size (t), ==, 1);
}

/* The table holds at most max_keys: forgotten keys go first, then the
 * key whose last failure is the oldest. */
static void
test_bounded (void)
{
  g_autoptr (VwThrottle) t = vw_throttle_new (&config);
  gint64 now = 1795397400000;

  for (guint i = 0; i < 4; i++) {
    g_autofree char *key = g_strdup_printf ("10.0.0.%u", i);
    for (guint k = 0; k < 6; k++)
      vw_throttle_fail (t, key, now + i * SECOND);
  }
  g_assert_cmpuint (vw_throttle_size (t), ==, 4);
  /* Full: the oldest (10.0.0.0) makes room. */
  vw_throttle_fail (t, "10.0.0.9", now + 10 * SECOND);
  g_assert_cmpuint (vw_throttle_size (t), ==, 4);
  g_assert_cmpuint (vw_throttle_failures (t, "10.0.0.0", now + 10 * SECOND), ==, 0);
  g_assert_cmpuint (vw_throttle_failures (t, "10.0.0.1", now + 10 * SECOND), ==, 6);
  /* A flood of new keys never grows the table. */
  for (guint i = 0; i < 1000; i++) {
    g_autofree char *key = g_strdup_printf ("guess-%u", i);
    vw_throttle_fail (t, key, now + 20 * SECOND + i);
    g_assert_cmpuint (vw_throttle_size (t), <=, 4);
  }
  /* An hour later the forgotten ones go before any other. */
  vw_throttle_fail (t, "late", now + 2 * 60 * MINUTE);
  g_assert_cmpuint (vw_throttle_size (t), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/throttle/back-off", test_back_off);
  g_test_add_func ("/throttle/refused-do-not-count", test_refused_do_not_count);
  g_test_add_func ("/throttle/forget", test_forget);
  g_test_add_func ("/throttle/success", test_success);
  g_test_add_func ("/throttle/bounded", test_bounded);
  return g_test_run ();
}
