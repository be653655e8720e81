/* test-wait.c: unit tests for the estimated wait (vw-wait.c): the bounded
 * history of handling times per (province, item), its means, and the
 * estimate ceil (position / agents) * mean, table-driven. */
#include "vw-wait.h"

/* History. */

static void
test_history_empty (void)
{
  g_autoptr(VwWaitHistory) h = vw_wait_history_new (5);
  gint64 mean = -1;

  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean), ==, 0);
  g_assert_cmpint (mean, ==, 0);
  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "QY-SL-001", NULL), ==, 0);
}

static void
test_history_mean (void)
{
  g_autoptr(VwWaitHistory) h = vw_wait_history_new (5);
  gint64 mean = 0;

  vw_wait_history_add (h, "shanghai", "QY-SL-001", 60000);
  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean), ==, 1);
  g_assert_cmpint (mean, ==, 60000);
  vw_wait_history_add (h, "shanghai", "QY-SL-001", 120000);
  vw_wait_history_add (h, "shanghai", "QY-SL-001", 90000);
  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean), ==, 3);
  g_assert_cmpint (mean, ==, 90000);

  /* Rounded to the nearest ms: (1 + 2) / 2 = 1.5 -> 2, (1 + 1 + 2) / 3 -> 1. */
  vw_wait_history_add (h, "anhui", "YB-YD-005", 1);
  vw_wait_history_add (h, "anhui", "YB-YD-005", 2);
  g_assert_cmpuint (vw_wait_history_get (h, "anhui", "YB-YD-005", &mean), ==, 2);
  g_assert_cmpint (mean, ==, 2);
  vw_wait_history_add (h, "anhui", "YB-YD-005", 1);
  g_assert_cmpuint (vw_wait_history_get (h, "anhui", "YB-YD-005", &mean), ==, 3);
  g_assert_cmpint (mean, ==, 1);
}

static void
test_history_bounded (void)
{
  g_autoptr(VwWaitHistory) h = vw_wait_history_new (3);
  g_autoptr(VwWaitHistory) one = vw_wait_history_new (1);
  gint64 mean = 0;

  /* 10, 20, ..., 100 s: only the latest three (80, 90, 100) count. */
  for (gint64 s = 10; s <= 100; s += 10) {
    vw_wait_history_add (h, "jiangsu", "QY-SL-001", s * 1000);
    g_assert_cmpuint (vw_wait_history_get (h, "jiangsu", "QY-SL-001", NULL), ==,
                      MIN (s / 10, 3));
  }
  g_assert_cmpuint (vw_wait_history_get (h, "jiangsu", "QY-SL-001", &mean), ==, 3);
  g_assert_cmpint (mean, ==, 90000);

  /* A slow spell pushes the mean up, then ages out again. */
  vw_wait_history_add (h, "jiangsu", "QY-SL-001", 400000);
  g_assert_cmpuint (vw_wait_history_get (h, "jiangsu", "QY-SL-001", &mean), ==, 3);
  g_assert_cmpint (mean, ==, 196667);   /* 590000 / 3, rounded */
  for (int i = 0; i < 3; i++)
    vw_wait_history_add (h, "jiangsu", "QY-SL-001", 30000);
  g_assert_cmpuint (vw_wait_history_get (h, "jiangsu", "QY-SL-001", &mean), ==, 3);
  g_assert_cmpint (mean, ==, 30000);

  /* keep = 1: the latest only. */
  vw_wait_history_add (one, "anhui", "SP-JY-004", 5000);
  vw_wait_history_add (one, "anhui", "SP-JY-004", 7000);
  g_assert_cmpuint (vw_wait_history_get (one, "anhui", "SP-JY-004", &mean), ==, 1);
  g_assert_cmpint (mean, ==, 7000);
}

static void
test_history_keys_apart (void)
{
  g_autoptr(VwWaitHistory) h = vw_wait_history_new (4);
  gint64 mean = 0;

  vw_wait_history_add (h, "shanghai", "QY-SL-001", 10000);
  vw_wait_history_add (h, "shanghai", "SP-JY-004", 20000);
  vw_wait_history_add (h, "anhui", "QY-SL-001", 30000);
  /* The same strings split differently are other keys. */
  vw_wait_history_add (h, "shanghaiQ", "Y-SL-001", 40000);

  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean), ==, 1);
  g_assert_cmpint (mean, ==, 10000);
  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "SP-JY-004", &mean), ==, 1);
  g_assert_cmpint (mean, ==, 20000);
  g_assert_cmpuint (vw_wait_history_get (h, "anhui", "QY-SL-001", &mean), ==, 1);
  g_assert_cmpint (mean, ==, 30000);
  g_assert_cmpuint (vw_wait_history_get (h, "anhui", "SP-JY-004", &mean), ==, 0);
}

static void
test_history_ignores_non_positive (void)
{
  g_autoptr(VwWaitHistory) h = vw_wait_history_new (4);
  gint64 mean = 0;

  vw_wait_history_add (h, "shanghai", "QY-SL-001", 0);
  vw_wait_history_add (h, "shanghai", "QY-SL-001", -5000);
  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean), ==, 0);
  vw_wait_history_add (h, "shanghai", "QY-SL-001", 8000);
  vw_wait_history_add (h, "shanghai", "QY-SL-001", 0);
  g_assert_cmpuint (vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean), ==, 1);
  g_assert_cmpint (mean, ==, 8000);
}

/* The estimate. */

typedef struct {
  const char *name;
  gint64 mean_ms;
  guint samples, position, agents;
  gboolean known;
  gint64 wait_ms;   /* when known */
} EstimateCase;

static const EstimateCase estimate_cases[] = {
  { "first-one-agent", 60000, 5, 1, 1, TRUE, 60000 },
  { "third-one-agent", 60000, 5, 3, 1, TRUE, 180000 },
  /* Rounds: ceil (position / agents). */
  { "first-of-two-agents", 60000, 5, 1, 2, TRUE, 60000 },
  { "second-of-two-agents", 60000, 5, 2, 2, TRUE, 60000 },
  { "third-of-two-agents", 60000, 5, 3, 2, TRUE, 120000 },
  { "fourth-of-two-agents", 60000, 5, 4, 2, TRUE, 120000 },
  { "fifth-of-two-agents", 60000, 5, 5, 2, TRUE, 180000 },
  { "seven-of-three", 45000, 1, 7, 3, TRUE, 135000 },
  { "more-agents-than-waiting", 45000, 2, 2, 10, TRUE, 45000 },
  { "one-sample-is-enough", 1, 1, 1, 1, TRUE, 1 },
  { "long-queue", 300000, 20, 100, 7, TRUE, 15 * 300000 },
  /* Nothing honest to say. */
  { "no-history", 60000, 0, 1, 1, FALSE, 0 },
  { "no-history-no-mean", 0, 0, 3, 2, FALSE, 0 },
  { "no-agents", 60000, 5, 1, 0, FALSE, 0 },
  { "no-history-no-agents", 0, 0, 1, 0, FALSE, 0 },
  { "not-queued", 60000, 5, 0, 2, FALSE, 0 },
  { "no-mean", 0, 5, 1, 1, FALSE, 0 },
};

static void
test_estimate (gconstpointer data)
{
  const EstimateCase *c = data;
  gint64 wait = -42;
  gboolean known = vw_wait_estimate (c->mean_ms, c->samples, c->position, c->agents, &wait);

  g_assert_cmpint (known, ==, c->known);
  /* Left alone when unknown. */
  g_assert_cmpint (wait, ==, c->known ? c->wait_ms : -42);
  g_assert_cmpint (vw_wait_estimate (c->mean_ms, c->samples, c->position, c->agents, NULL),
                   ==, c->known);
}

/* When the agents are free: some sessions are partly over, someone is
 * wrapping up. */
typedef struct {
  const char *name;
  gint64 mean_ms;
  guint position;
  gint64 free_in[4];
  guint agents;
  gint64 wait_ms;
} AheadCase;

static const AheadCase ahead_cases[] = {
  /* One agent, 40 s into a 60 s mean: 20 s, then a full session each. */
  { "one-agent-first", 60000, 1, { 20000 }, 1, 20000 },
  { "one-agent-third", 60000, 3, { 20000 }, 1, 140000 },
  /* Two agents: free in 10 s and 50 s; the first frees up twice before
   * the second does. */
  { "two-first", 60000, 1, { 10000, 50000 }, 2, 10000 },
  { "two-second", 60000, 2, { 10000, 50000 }, 2, 50000 },
  { "two-third", 60000, 3, { 10000, 50000 }, 2, 70000 },
  { "two-fourth", 60000, 4, { 10000, 50000 }, 2, 110000 },
  /* Free now (a wrap-up just ending), negative is now too. */
  { "free-now", 60000, 1, { 0, 30000 }, 2, 0 },
  { "negative-is-now", 60000, 2, { -5000, 30000 }, 2, 30000 },
  /* Everyone just started: the simple estimate. */
  { "all-just-started", 60000, 3, { 60000, 60000 }, 2, 120000 },
};

static void
test_estimate_ahead (gconstpointer data)
{
  const AheadCase *c = data;
  gint64 wait = -42;
  g_assert_true (vw_wait_estimate_ahead (c->mean_ms, 3, c->position, c->free_in,
      c->agents, &wait));
  g_assert_cmpint (wait, ==, c->wait_ms);
  /* Every position at once: the same at each (the broker's way for a
   * whole queue). */
  g_autofree gint64 *all = vw_wait_estimate_ahead_all (c->mean_ms, 3, c->position + 2,
      c->free_in, c->agents);
  g_assert_nonnull (all);
  for (guint k = 1; k <= c->position + 2; k++) {
    g_assert_true (vw_wait_estimate_ahead (c->mean_ms, 3, k, c->free_in, c->agents, &wait));
    g_assert_cmpint (all[k - 1], ==, wait);
  }
}

static void
test_estimate_ahead_unknown (void)
{
  const gint64 free_in[] = { 1000 };
  gint64 wait = -42;
  g_assert_false (vw_wait_estimate_ahead (60000, 0, 1, free_in, 1, &wait));   /* no history */
  g_assert_false (vw_wait_estimate_ahead (60000, 3, 1, free_in, 0, &wait));   /* nobody */
  g_assert_false (vw_wait_estimate_ahead (60000, 3, 0, free_in, 1, &wait));   /* not queued */
  g_assert_false (vw_wait_estimate_ahead (0, 3, 1, free_in, 1, &wait));       /* no mean */
  g_assert_false (vw_wait_estimate_ahead (60000, 3, 1, NULL, 1, &wait));
  g_assert_cmpint (wait, ==, -42);
  g_assert_null (vw_wait_estimate_ahead_all (60000, 0, 1, free_in, 1));
  g_assert_null (vw_wait_estimate_ahead_all (60000, 3, 1, free_in, 0));
  g_assert_null (vw_wait_estimate_ahead_all (60000, 3, 0, free_in, 1));
  g_assert_null (vw_wait_estimate_ahead_all (0, 3, 1, free_in, 1));
}

/* From history to estimate, as the server will use them. */
static void
test_history_to_estimate (void)
{
  g_autoptr(VwWaitHistory) h = vw_wait_history_new (10);
  gint64 mean = 0, wait = 0;
  guint samples;

  samples = vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean);
  g_assert_false (vw_wait_estimate (mean, samples, 1, 2, &wait));
  vw_wait_history_add (h, "shanghai", "QY-SL-001", 240000);
  vw_wait_history_add (h, "shanghai", "QY-SL-001", 360000);
  samples = vw_wait_history_get (h, "shanghai", "QY-SL-001", &mean);
  g_assert_true (vw_wait_estimate (mean, samples, 3, 2, &wait));
  g_assert_cmpint (wait, ==, 2 * 300000);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wait/history/empty", test_history_empty);
  g_test_add_func ("/wait/history/mean", test_history_mean);
  g_test_add_func ("/wait/history/bounded", test_history_bounded);
  g_test_add_func ("/wait/history/keys-apart", test_history_keys_apart);
  g_test_add_func ("/wait/history/ignores-non-positive", test_history_ignores_non_positive);
  g_test_add_func ("/wait/history/to-estimate", test_history_to_estimate);
  g_test_add_func ("/wait/estimate-ahead/unknown", test_estimate_ahead_unknown);
  for (guint i = 0; i < G_N_ELEMENTS (ahead_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/wait/estimate-ahead/%s", ahead_cases[i].name);

    g_test_add_data_func (path, &ahead_cases[i], test_estimate_ahead);
  }
  for (guint i = 0; i < G_N_ELEMENTS (estimate_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/wait/estimate/%s", estimate_cases[i].name);

    g_test_add_data_func (path, &estimate_cases[i], test_estimate);
  }

  return g_test_run ();
}
