/* test-bwe.c: the bandwidth estimator (server/hub/vw-bwe.c), driven by
 * tables of reports, and by a simulated link for the closed loop (a sender
 * that follows the cap, a bottleneck that queues and then drops). */
#include "vw-bwe.h"

#define S G_USEC_PER_SEC
#define KB 1000

/* ---- tables of reports: one step each ---- */

typedef struct {
  double loss;
  double rtt_ms;
  double jitter_ms;
  double received_bps;
  VwBweState state;       /* expected after this report */
  guint min_bps, max_bps; /* expected estimate range after it */
} Step;

typedef struct {
  const char *name;
  guint start_bps;
  Step steps[12];
} Sequence;

#define END { -1 }

static const Sequence sequences[] = {
  { "no loss grows 8 % a second", 500 * KB, {
      { 0.00, 50, 5, 0, VW_BWE_INCREASE, 500 * KB, 500 * KB },  /* first: no time yet */
      { 0.00, 50, 5, 0, VW_BWE_INCREASE, 539 * KB, 541 * KB },
      { 0.01, 50, 5, 0, VW_BWE_INCREASE, 582 * KB, 584 * KB },
      END } },
  { "steady loss between 2 and 10 % holds", 500 * KB, {
      { 0.05, 50, 5, 0, VW_BWE_HOLD, 500 * KB, 500 * KB },
      { 0.09, 50, 5, 0, VW_BWE_HOLD, 500 * KB, 500 * KB },
      { 0.02, 50, 5, 0, VW_BWE_HOLD, 500 * KB, 500 * KB },
      END } },
  { "heavy loss cuts by half the loss", 800 * KB, {
      { 0.20, -1, -1, 0, VW_BWE_DECREASE, 720 * KB, 720 * KB },
      { 0.50, -1, -1, 0, VW_BWE_DECREASE, 540 * KB, 540 * KB },
      END } },
  { "heavy loss: no more than what got through", 1000 * KB, {
      { 0.40, -1, -1, 500 * KB, VW_BWE_DECREASE, 425 * KB, 425 * KB },
      /* more got through than estimated: the loss rule alone */
      { 0.40, -1, -1, 900 * KB, VW_BWE_DECREASE, 340 * KB, 340 * KB },
      /* no loss: grows again */
      { 0.00, 100, -1, 900 * KB, VW_BWE_INCREASE, 367 * KB, 368 * KB },
      /* a queue stands (more got through than estimated): 85 % of the estimate */
      { 0.00, 200, -1, 900 * KB, VW_BWE_HOLD, 367 * KB, 368 * KB },
      { 0.00, 200, -1, 900 * KB, VW_BWE_DECREASE, 312 * KB, 313 * KB },
      END } },
  { "a standing queue cuts before any loss", 1000 * KB, {
      { 0.00, 40, 5, 900 * KB, VW_BWE_INCREASE, 1000 * KB, 1000 * KB },   /* ceiling */
      { 0.00, 90, 5, 900 * KB, VW_BWE_INCREASE, 1000 * KB, 1000 * KB },
      /* a queue in one report: a burst, or a hiccup; hold */
      { 0.00, 160, 5, 600 * KB, VW_BWE_HOLD, 1000 * KB, 1000 * KB },
      /* it stands: over capacity, 85 % of what got through */
      { 0.00, 165, 5, 500 * KB, VW_BWE_DECREASE, 425 * KB, 425 * KB },
      /* it drains: grow again */
      { 0.00, 45, 5, 500 * KB, VW_BWE_INCREASE, 459 * KB, 459 * KB },
      END } },
  { "jitter far above its floor holds", 500 * KB, {
      { 0.00, -1, 3, 0, VW_BWE_INCREASE, 500 * KB, 500 * KB },  /* first: no dt */
      { 0.00, -1, 50, 0, VW_BWE_HOLD, 500 * KB, 500 * KB },
      { 0.00, -1, 4, 0, VW_BWE_INCREASE, 539 * KB, 541 * KB },
      END } },
  { "floor and ceiling", 150 * KB, {
      { 0.90, -1, -1, 10 * KB, VW_BWE_DECREASE, 100 * KB, 100 * KB },
      { 0.90, -1, -1, 10 * KB, VW_BWE_DECREASE, 100 * KB, 100 * KB },
      END } },
};

static void
test_sequence (gconstpointer data)
{
  const Sequence *seq = data;
  g_autoptr (VwBwe) b = vw_bwe_new (seq->start_bps, 100 * KB, 1000 * KB);
  for (guint i = 0; seq->steps[i].loss >= 0; i++) {
    const Step *st = &seq->steps[i];
    VwBweReport r = { (i + 1) * S, st->loss, st->rtt_ms, st->jitter_ms,
      st->received_bps };
    guint est = vw_bwe_update (b, &r);
    g_test_message ("%s, step %u: %u bit/s, %s", seq->name, i, est,
        vw_bwe_state_to_string (vw_bwe_get_state (b)));
    g_assert_cmpint (vw_bwe_get_state (b), ==, st->state);
    g_assert_cmpuint (est, >=, st->min_bps);
    g_assert_cmpuint (est, <=, st->max_bps);
  }
}

static void
test_stale_report (void)
{
  g_autoptr (VwBwe) b = vw_bwe_new (500 * KB, 100 * KB, 1000 * KB);
  VwBweReport r = { 10 * S, 0.5, -1, -1, 0 };
  guint first = vw_bwe_update (b, &r);
  g_assert_cmpuint (first, ==, 375 * KB);
  /* The same report again (or an older one) changes nothing. */
  g_assert_cmpuint (vw_bwe_update (b, &r), ==, first);
  r.now_us = 9 * S;
  g_assert_cmpuint (vw_bwe_update (b, &r), ==, first);
}

/* ---- closed loop: a sender following the estimate through a bottleneck ---- */

typedef struct {
  double link_bps;
  double queue_s;       /* queued seconds at the bottleneck */
  double max_queue_s;   /* beyond this, packets are dropped */
  double base_rtt_ms;
  double random_loss;   /* besides the bottleneck's */
  GRand *rand;
} Link;

/* One second of sending @rate through @link: the report it gives. */
static VwBweReport
link_second (Link *l, gint64 now_us, double rate)
{
  double in = rate, out = l->link_bps;
  double queue = l->queue_s + (in - out) / out;   /* in seconds of link time */
  double dropped = 0;
  if (queue > l->max_queue_s) {
    dropped = (queue - l->max_queue_s) * out;
    queue = l->max_queue_s;
  }
  l->queue_s = MAX (queue, 0);
  double loss = dropped / in;
  if (l->random_loss > 0)
    loss += g_rand_double_range (l->rand, 0, 2 * l->random_loss);
  VwBweReport r = {
    .now_us = now_us,
    .fraction_lost = MIN (loss, 1.0),
    .rtt_ms = l->base_rtt_ms + 1000 * l->queue_s,
    .jitter_ms = 2 + (l->rand ? g_rand_double_range (l->rand, 0, 3) : 0),
    .received_bps = MIN (in * (1 - loss), out),
  };
  return r;
}

typedef struct {
  const char *name;
  double link_bps;
  double max_queue_s;
  double random_loss;
  guint seconds;            /* of the run under the link */
  guint adapted_within;     /* the estimate is under the link by then */
  double settle_min;        /* after adapting, the estimate stays within */
  double settle_max;        /*   these fractions of the link */
} LinkCase;

static const LinkCase link_cases[] = {
  /* A 500 kbit/s cap with a queue of 200 ms, then drops. */
  { "500 kbit/s, queueing", 500 * KB, 0.2, 0, 30, 4, 0.5, 1.1 },
  /* A policer: no queue, drops at once (loss only). */
  { "500 kbit/s, policing", 500 * KB, 0.0, 0, 30, 5, 0.5, 1.1 },
  /* A thin link with noise (1 % random loss on average). */
  { "300 kbit/s, noisy", 300 * KB, 0.1, 0.01, 30, 6, 0.4, 1.2 },
  /* A link with plenty of room and 1 % random loss: stays at the ceiling. */
  { "5 Mbit/s, noisy", 5000 * KB, 0.1, 0.01, 30, 0, 1.0 / 5, 1.0 / 5 },
};

static void
test_link (gconstpointer data)
{
  const LinkCase *c = data;
  g_autoptr (GRand) rand = g_rand_new_with_seed (12);
  Link l = { c->link_bps, 0, c->max_queue_s, 40, c->random_loss, rand };
  g_autoptr (VwBwe) b = vw_bwe_new (1000 * KB, 100 * KB, 1000 * KB);
  double rate = 1000 * KB;    /* the sender starts at its profile's rate */
  for (guint s = 1; s <= c->seconds; s++) {
    VwBweReport r = link_second (&l, s * S, rate);
    rate = vw_bwe_update (b, &r);
    g_test_message ("%s, %2u s: loss %.2f rtt %.0f -> %.0f kbit/s (%s)", c->name, s,
        r.fraction_lost, r.rtt_ms, rate / 1000, vw_bwe_state_to_string (vw_bwe_get_state (b)));
    if (c->adapted_within && s >= c->adapted_within) {
      g_assert_cmpfloat (rate, <=, c->settle_max * c->link_bps);
      g_assert_cmpfloat (rate, >=, c->settle_min * c->link_bps);
    }
  }
  if (!c->adapted_within)
    g_assert_cmpuint (vw_bwe_get_estimate (b), ==, 1000 * KB);
}

/* Recovery: the cap is lifted and the estimate climbs back to the ceiling. */
static void
test_recovery (void)
{
  Link l = { 400 * KB, 0, 0.2, 40, 0, NULL };
  g_autoptr (VwBwe) b = vw_bwe_new (1000 * KB, 100 * KB, 1000 * KB);
  double rate = 1000 * KB;
  guint s = 1;
  for (; s <= 15; s++) {
    VwBweReport r = link_second (&l, s * S, rate);
    rate = vw_bwe_update (b, &r);
  }
  g_assert_cmpfloat (rate, <, 480 * KB);
  l.link_bps = 10000 * KB;
  guint lifted = s;
  for (; rate < 1000 * KB && s < lifted + 60; s++) {
    VwBweReport r = link_second (&l, s * S, rate);
    rate = vw_bwe_update (b, &r);
  }
  g_test_message ("back to the ceiling %u s after the cap was lifted", s - lifted);
  g_assert_cmpfloat (rate, ==, 1000 * KB);
  /* 8 % a second from ~400 kbit/s: about 12 s. */
  g_assert_cmpuint (s - lifted, <=, 20);
}

/* ---- the cap announced to a sender ---- */

typedef struct {
  gint64 t_ms;
  guint estimate;
  guint announced;   /* 0: nothing */
} CapStep;

static const CapStep cap_steps[] = {
  { 0, 1000 * KB, 0 },          /* at the ceiling: the sender runs free */
  { 500, 950 * KB, 0 },         /* within 10 % */
  { 1000, 600 * KB, 600 * KB },
  { 1500, 400 * KB, 0 },        /* less than a second since the last */
  { 2000, 400 * KB, 400 * KB },
  { 3000, 420 * KB, 0 },        /* 5 %: not worth a message */
  { 4000, 50 * KB, 100 * KB },  /* the floor */
  { 5000, 60 * KB, 0 },         /* still the floor */
  { 6000, 980 * KB, 980 * KB },
  { 7000, 2000 * KB, 1000 * KB },  /* the ceiling again, a 2 % step */
  { 8000, 5000 * KB, 0 },
};

static void
test_cap (void)
{
  VwBweCap cap;
  vw_bwe_cap_init (&cap, 100 * KB, 1000 * KB);
  for (guint i = 0; i < G_N_ELEMENTS (cap_steps); i++) {
    guint got = vw_bwe_cap_update (&cap, cap_steps[i].t_ms * 1000, cap_steps[i].estimate);
    g_test_message ("cap step %u: %u", i, got);
    g_assert_cmpuint (got, ==, cap_steps[i].announced);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (sequences); i++) {
    g_autofree char *path = g_strdup_printf ("/bwe/sequence/%u", i);
    g_test_add_data_func (path, &sequences[i], test_sequence);
  }
  g_test_add_func ("/bwe/stale-report", test_stale_report);
  for (guint i = 0; i < G_N_ELEMENTS (link_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/bwe/link/%u", i);
    g_test_add_data_func (path, &link_cases[i], test_link);
  }
  g_test_add_func ("/bwe/recovery", test_recovery);
  g_test_add_func ("/bwe/cap", test_cap);
  return g_test_run ();
}
