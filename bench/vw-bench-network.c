/* vw-bench-network: calls over bad networks, on the impairment harness
 * (tests/vw-netns.h; README, "Calls over bad networks").
 *
 * vw-server runs in the host namespace on the link's host end; the agent's
 * vw-client beside it (a clean path), the clerk's vw-client inside a
 * network namespace behind the link: the clerk's camera crosses the link
 * "up" to the hub and on to the agent, the agent's "down" from the hub to
 * the clerk.  Both send the 640x480@30 test camera and a tone, with stats
 * every 100 ms and time-stamped frames (--timecode).
 *
 *   loss table   0, 1, 3, 5 % loss each way at 50 and 150 ms round trip:
 *                per direction, frames decoded / frames sent, freeze time
 *                (gaps > 200 ms between decoded frames) and the longest
 *                gap, keyframes sent;
 *   cap          a 500 kbit/s cap each way put on mid-call: received
 *                bitrate and frame rate each second, what the link dropped,
 *                when video had adapted, audio gaps;
 *   outage       a 5 s blackout mid-call: time from its end to frames
 *                again, each way.
 *
 * Frames decoded / frames sent is counted over a window of --seconds
 * after 2 s of warm-up: the sender's count at t0 and t1 against the
 * receiver's at t0 + L and t1 + L (L: the median capture-to-decode latency
 * of the time-stamped frames; every client runs on this machine, so their
 * wall clocks agree), each read between two stats events.
 *
 * --participants native,chromium (the default): each table first with the
 * clerk's vw-client, then with the join page in headless Chromium inside
 * the namespace (bench/vw-bench-chromium.mjs: getStats() counts, and
 * Chromium's own freeze definition).
 *
 * --smoke: one 3 s row (1 % loss, 50 ms); exit status 1 unless frames were
 * decoded both ways (the test bench-network-smoke).
 */
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vw-bench-figures.h"
#include "vw-netns.h"
#include "vw-test-util.h"

#define STATS_MS 100
#define WARMUP_MS 2000
#define TAIL_MS 1500
#define OUTAGE_MS 5000
#define CAP_KBITS 500
#define MIN_ADAPTED_FPS 5   /* video still moving (see the cap part) */
#define VW_BENCH_FREEZE_MS 200   /* as client/vw-frame-gaps.h */

typedef struct {
  guint seconds;
  gboolean smoke;
  char *only;
  VwNetns *ns;
  VwTestServer *server;
  VwTestClient *agent;
  char *agent_pw;
  guint calls;
  gboolean failed;
  gboolean chromium;     /* the clerk is the join page in Chromium */
  char *participants;
} Bench;

/* One participant's view of a call: its events from @from on. */
typedef struct {
  VwTestClient *client;
  guint from;
} Side;

/* ---- reading event lines ---- */

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* A counter of the stats events (from @side's start on) at wall time @t,
 * linear between the two events around it.  @sent: in the "sent" list,
 * else in "tracks"; @member: "frames", "bytes", "keyframes". */
static double
stat_at (Side *side, gboolean sent, const char *track, const char *member, double t)
{
  double prev_t = NAN, prev_v = 0;
  for (guint i = side->from; i < side->client->events->len; i++) {
    JsonObject *e = g_ptr_array_index (side->client->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), "stats"))
      continue;
    JsonObject *tr = NULL;
    if (sent) {
      JsonArray *arr = json_object_get_array_member (e, "sent");
      for (guint k = 0; arr && k < json_array_get_length (arr); k++) {
        JsonObject *o = json_array_get_object_element (arr, k);
        if (g_str_equal (json_object_get_string_member_with_default (o, "track", ""), track))
          tr = o;
      }
    } else
      tr = vw_test_stats_track (e, track);
    double v = tr ? json_object_get_int_member_with_default (tr, member, 0) : 0;
    double et = vw_bench_event_time (e);
    if (et >= t) {
      if (isnan (prev_t) || et == prev_t)
        return v;
      return prev_v + (v - prev_v) * (t - prev_t) / (et - prev_t);
    }
    prev_t = et;
    prev_v = v;
  }
  return prev_v;
}

/* The median latency (ms) of @track's time-stamped frames in [t0, t1]; 0
 * when none could be read. */
static double
median_latency (Side *side, const char *track, gint64 t0, gint64 t1)
{
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = side->from; i < side->client->events->len; i++) {
    JsonObject *e = g_ptr_array_index (side->client->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), "latency")
        || g_strcmp0 (json_object_get_string_member_with_default (e, "track", ""), track))
      continue;
    gint64 t = vw_bench_event_time (e);
    double ms = json_object_get_int_member (e, "ms");
    if (t >= t0 && t <= t1 && ms >= 0 && ms < 10000)
      g_array_append_val (v, ms);
  }
  double m = vw_bench_percentile (v, 50);
  return isnan (m) ? 0 : m;
}

typedef struct {
  double total_ms, max_ms;
  guint count;
} Freezes;

/* The freezes of @track whose gap overlaps [t0, t1] (a "freeze" event
 * comes when the gap ends), clipped to it. */
static Freezes
freezes_in (Side *side, const char *track, double t0, double t1)
{
  Freezes f = { 0 };
  gboolean reaches_t1 = FALSE;
  for (guint i = side->from; i < side->client->events->len; i++) {
    JsonObject *e = g_ptr_array_index (side->client->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), "freeze")
        || g_strcmp0 (json_object_get_string_member_with_default (e, "track", ""), track))
      continue;
    double end = vw_bench_event_time (e), ms = json_object_get_int_member (e, "ms");
    double start = end - ms;
    double a = MAX (start, t0), b = MIN (end, t1);
    if (b <= a)
      continue;
    f.total_ms += b - a;
    f.max_ms = MAX (f.max_ms, ms);
    f.count++;
    reaches_t1 |= end >= t1;
  }
  if (reaches_t1)
    return f;
  /* A freeze still going on at @t1 has no event yet: the stats show since
   * when the frame count has not moved. */
  double last_t = NAN, last_v = -1, since = NAN;
  for (guint i = side->from; i < side->client->events->len; i++) {
    JsonObject *e = g_ptr_array_index (side->client->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), "stats"))
      continue;
    double et = vw_bench_event_time (e);
    if (et > t1)
      break;
    JsonObject *tr = vw_test_stats_track (e, track);
    double v = tr ? json_object_get_int_member_with_default (tr, "frames", 0) : 0;
    if (v != last_v)
      since = isnan (last_t) ? et : last_t;   /* the last frame came after last_t */
    last_v = v;
    last_t = et;
  }
  if (!isnan (since) && t1 - since > VW_BENCH_FREEZE_MS) {
    double a = MAX (since, t0);
    f.total_ms += t1 - a;
    f.max_ms = MAX (f.max_ms, t1 - since);
    f.count++;
  }
  return f;
}

/* The first "freeze" of @track ending at or after @t (frames again after a
 * gap that covers @t), its event time; 0 if none. */
static gint64
frames_again_after (Side *side, const char *track, gint64 t)
{
  for (guint i = side->from; i < side->client->events->len; i++) {
    JsonObject *e = g_ptr_array_index (side->client->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), "freeze")
        || g_strcmp0 (json_object_get_string_member_with_default (e, "track", ""), track))
      continue;
    gint64 end = vw_bench_event_time (e);
    if (end >= t && end - json_object_get_int_member (e, "ms") <= t)
      return end;
  }
  return 0;
}

/* ---- one call ---- */

#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai"

typedef struct {
  Side agent, clerk;
  VwTestClient *clerk_client;
  gint64 t0, t1;         /* the measured window, wall ms */
  gboolean ok;
} Call;

static void
link_set (Bench *b, gboolean ok)
{
  if (!ok) {
    g_printerr ("vw-bench-network: the link refused a setting\n");
    b->failed = TRUE;
  }
}

/* The link clean again. */
static void
link_reset (Bench *b)
{
  link_set (b, vw_netns_set_loss (b->ns, VW_NETNS_BOTH, 0, NULL)
      && vw_netns_set_delay (b->ns, VW_NETNS_BOTH, 0, NULL)
      && vw_netns_set_jitter (b->ns, VW_NETNS_BOTH, 0, NULL)
      && vw_netns_set_rate (b->ns, VW_NETNS_BOTH, 0, NULL)
      && vw_netns_blackout (b->ns, FALSE, NULL)
      && vw_netns_reset_counters (b->ns, NULL));
}

static gboolean
has_event_after (VwTestClient *c, const char *event, guint from)
{
  for (guint i = from; i < c->events->len; i++) {
    JsonObject *e = g_ptr_array_index (c->events, i);
    if (!g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), event))
      return TRUE;
  }
  return FALSE;
}

typedef struct {
  Call *call;
  const char *event;
} WaitBoth;

static gboolean
both_have (gpointer data)
{
  WaitBoth *w = data;
  return has_event_after (w->call->agent.client, w->event, w->call->agent.from)
      && has_event_after (w->call->clerk.client, w->event, w->call->clerk.from);
}

/* A clerk calls through the link (set up by the caller); returns once both
 * sides decode frames and the warm-up is over (call->t0). */
static gboolean
call_start (Bench *b, Call *call)
{
  memset (call, 0, sizeof *call);
  call->agent = (Side) { b->agent, b->agent->events->len };
  const char *args[] = { CLERK_ARGS, "--stats-interval", G_STRINGIFY (STATS_MS),
    "--timecode", NULL };
  VwTestClientOptions inside = { .wrapper = vw_netns_wrapper (b->ns), .ice_address = "" };
  g_autofree char *name = g_strdup_printf ("李华%u", ++b->calls);
  if (b->chromium) {
    const char *argv[] = { "node", VW_BENCH_CHROMIUM_SCRIPT, "--server", b->server->url,
      "--name", name, "--netns", vw_netns_get_name (b->ns),
      "--stats-interval", G_STRINGIFY (STATS_MS), NULL };
    call->clerk_client = vw_test_client_spawn (name, argv);
  } else
    call->clerk_client = vw_test_client_start_with (b->server, name, &inside, args);
  call->clerk = (Side) { call->clerk_client, 0 };
  WaitBoth w = { call, "first-frame" };
  if (!vw_test_wait_until (both_have, &w, 45000)) {
    g_printerr ("vw-bench-network: no first frame on both sides within 45 s%s\n",
        call->clerk_client->eof ? " (the clerk exited)" : "");
    return FALSE;
  }
  vw_test_run_for (WARMUP_MS);
  call->t0 = now_ms ();
  return TRUE;
}

static void
call_end (Bench *b, Call *call)
{
  if (!call->clerk_client)
    return;
  if (!call->clerk_client->eof)
    vw_test_client_command (call->clerk_client, "{\"command\":\"hangup\"}");
  WaitBoth w = { call, "ended" };
  if (!vw_test_wait_until (both_have, &w, 15000))
    g_printerr ("vw-bench-network: the call did not end on both sides within 15 s\n");
  vw_test_client_wait_exit (call->clerk_client, 10000);
  vw_test_client_free (call->clerk_client);
  call->clerk_client = NULL;
}

typedef struct {
  double sent, decoded, ratio;   /* frames in the window */
  double latency_ms;
  Freezes freezes;
  double keyframes;
} Direction;

/* Frames @recv decoded of those @send sent in [t0, t1]. */
static Direction
direction (Side *send, Side *recv, gint64 t0, gint64 t1)
{
  Direction d = { 0 };
  d.latency_ms = median_latency (recv, "camera", t0, t1);
  d.sent = stat_at (send, TRUE, "camera", "frames", t1)
      - stat_at (send, TRUE, "camera", "frames", t0);
  d.decoded = stat_at (recv, FALSE, "camera", "frames", t1 + d.latency_ms)
      - stat_at (recv, FALSE, "camera", "frames", t0 + d.latency_ms);
  d.ratio = d.sent > 0 ? d.decoded / d.sent : 0;
  d.freezes = freezes_in (recv, "camera", t0 + d.latency_ms, t1 + d.latency_ms);
  d.keyframes = stat_at (send, TRUE, "camera", "keyframes", t1)
      - stat_at (send, TRUE, "camera", "keyframes", t0);
  return d;
}

/* ---- the loss table ---- */

#define HEADER "  loss   rtt      direction    link drop  decoded / sent  share     freeze time      longest  keys  latency\n"

static const char *
mark (gboolean met)
{
  return met ? "met" : "MISSED";
}

static void
print_direction (const char *label, Direction *d, double loss, guint rtt,
    VwNetnsDirCounters *link)
{
  char target[96] = "";
  if (loss == 3)
    g_snprintf (target, sizeof target, ">= 99 %%, no freeze > 500 ms: %s",
        mark (d->ratio >= 0.99 && d->freezes.max_ms <= 500));
  else if (loss == 5 && rtt == 150)
    g_snprintf (target, sizeof target, ">= 97 %%: %s", mark (d->ratio >= 0.97));
  guint64 dropped = link->lost + link->overflow + link->blackout;
  printf ("  %4.0f %%  %4u ms  %-12s %5.1f %%  %5.0f / %5.0f  %6.1f %%  %6.0f ms (%2u) %6.0f ms  %4.0f  %4.0f ms  %s\n",
      loss, rtt, label, 100.0 * dropped / MAX (1, dropped + link->passed),
      d->decoded, d->sent, 100 * d->ratio, d->freezes.total_ms,
      d->freezes.count, d->freezes.max_ms, d->keyframes, d->latency_ms, target);
}

static gboolean
run_loss_row (Bench *b, double loss, guint rtt)
{
  link_reset (b);
  link_set (b, vw_netns_set_loss (b->ns, VW_NETNS_BOTH, loss, NULL)
      && vw_netns_set_delay (b->ns, VW_NETNS_BOTH, rtt / 2, NULL));
  Call call;
  gboolean ok = call_start (b, &call);
  if (ok) {
    link_set (b, vw_netns_reset_counters (b->ns, NULL));
    vw_test_run_for (b->seconds * 1000);
    call.t1 = now_ms ();
    vw_test_run_for (TAIL_MS);
    VwNetnsCounters link = { 0 };
    link_set (b, vw_netns_get_counters (b->ns, &link, NULL));
    Direction up = direction (&call.clerk, &call.agent, call.t0, call.t1);
    Direction down = direction (&call.agent, &call.clerk, call.t0, call.t1);
    print_direction ("clerk→agent", &up, loss, rtt, &link.up);
    print_direction ("agent→clerk", &down, loss, rtt, &link.down);
    ok = up.decoded > 0 && down.decoded > 0;
  } else
    printf ("  %4.0f %%  %4u ms  the call did not start (no frames both ways)\n", loss, rtt);
  call_end (b, &call);
  fflush (stdout);
  return ok;
}

static void
run_loss_table (Bench *b)
{
  printf ("\nLoss (each way) and round trip: frames decoded / sent over %u s, freezes\n"
      "(gaps > 200 ms: total, count, longest), camera keyframes sent, median\n"
      "capture-to-decode latency; the issue's targets beside.  Link drop: the\n"
      "packets the link dropped that way (media, RTCP and signalling).\n\n", b->seconds);
  printf (HEADER);
  static const double losses[] = { 0, 1, 3, 5 };
  static const guint rtts[] = { 50, 150 };
  for (guint r = 0; r < G_N_ELEMENTS (rtts); r++)
    for (guint l = 0; l < G_N_ELEMENTS (losses); l++)
      if (!run_loss_row (b, losses[l], rtts[r]))
        b->failed = TRUE;
}

/* ---- a 500 kbit/s cap ---- */

static void
run_cap (Bench *b)
{
  printf ("\nA %u kbit/s cap each way from t = 0 (50 ms round trip, queue 100 ms):\n"
      "received kbit/s and frames/s each second, packets the bottleneck dropped.\n\n",
      CAP_KBITS);
  link_reset (b);
  link_set (b, vw_netns_set_delay (b->ns, VW_NETNS_BOTH, 25, NULL));
  Call call;
  if (!call_start (b, &call)) {
    b->failed = TRUE;
    call_end (b, &call);
    return;
  }
  guint secs = b->seconds;
  g_autofree VwNetnsCounters *c = g_new0 (VwNetnsCounters, secs + 1);
  link_set (b, vw_netns_reset_counters (b->ns, NULL)
      && vw_netns_set_rate (b->ns, VW_NETNS_BOTH, CAP_KBITS, NULL));
  call.t0 = now_ms ();
  for (guint s = 1; s <= secs; s++) {
    gint64 left = call.t0 + s * 1000 - now_ms ();
    vw_test_run_for (left > 0 ? left : 0);
    link_set (b, vw_netns_get_counters (b->ns, &c[s], NULL));
  }
  call.t1 = now_ms ();
  vw_test_run_for (TAIL_MS);

  printf ("     s   clerk→agent kbit/s fps  dropped   agent→clerk kbit/s fps  dropped\n");
  /* Adapted, each way: from the next second on, every second the
   * bottleneck dropped at most 1 % of that way's packets and video still
   * ran (>= MIN_ADAPTED_FPS).  Not 20 fps: stepping the frame rate down is
   * how a sender fits a 500 kbit/s link at 640x480 (README, "Bandwidth
   * adaptation": VP8 will not go much below 200 kbit/s at 10 fps). */
  guint adapted_up = 0, adapted_down = 0;
  for (guint s = 1; s <= secs; s++) {
    double ta = call.t0 + (s - 1) * 1000.0, tb = call.t0 + s * 1000.0;
    double up_kbits = (stat_at (&call.agent, FALSE, "camera", "bytes", tb)
        - stat_at (&call.agent, FALSE, "camera", "bytes", ta)) * 8 / 1000;
    double up_fps = stat_at (&call.agent, FALSE, "camera", "frames", tb)
        - stat_at (&call.agent, FALSE, "camera", "frames", ta);
    double down_kbits = (stat_at (&call.clerk, FALSE, "camera", "bytes", tb)
        - stat_at (&call.clerk, FALSE, "camera", "bytes", ta)) * 8 / 1000;
    double down_fps = stat_at (&call.clerk, FALSE, "camera", "frames", tb)
        - stat_at (&call.clerk, FALSE, "camera", "frames", ta);
    guint64 up_drop = c[s].up.overflow - c[s - 1].up.overflow;
    guint64 up_pass = c[s].up.passed - c[s - 1].up.passed;
    guint64 down_drop = c[s].down.overflow - c[s - 1].down.overflow;
    guint64 down_pass = c[s].down.passed - c[s - 1].down.passed;
    printf ("  %4u   %12.0f %7.0f  %4.1f %%   %12.0f %7.0f  %4.1f %%\n", s, up_kbits, up_fps,
        100.0 * up_drop / MAX (1, up_drop + up_pass), down_kbits, down_fps,
        100.0 * down_drop / MAX (1, down_drop + down_pass));
    if (!(up_drop * 100 <= up_drop + up_pass && up_fps >= MIN_ADAPTED_FPS))
      adapted_up = s;
    if (!(down_drop * 100 <= down_drop + down_pass && down_fps >= MIN_ADAPTED_FPS))
      adapted_down = s;
  }
  Freezes audio_up = freezes_in (&call.agent, "audio", call.t0, call.t1);
  Freezes audio_down = freezes_in (&call.clerk, "audio", call.t0, call.t1);
  Direction up = direction (&call.clerk, &call.agent, call.t0, call.t1);
  Direction down = direction (&call.agent, &call.clerk, call.t0, call.t1);
  printf ("\n  video decoded / sent: clerk→agent %.1f %%, agent→clerk %.1f %%; freezes %.0f ms, %.0f ms\n",
      100 * up.ratio, 100 * down.ratio, up.freezes.total_ms, down.freezes.total_ms);
  struct { const char *label; guint from; } adapted[] = {
    { "clerk→agent", adapted_up }, { "agent→clerk", adapted_down },
  };
  for (guint i = 0; i < G_N_ELEMENTS (adapted); i++) {
    if (adapted[i].from < secs)
      printf ("  %s video adapted after %u s (target <= 5 s: %s)\n", adapted[i].label,
          adapted[i].from, mark (adapted[i].from <= 5));
    else
      printf ("  %s video never adapted in %u s (target <= 5 s: MISSED)\n",
          adapted[i].label, secs);
  }
  printf ("  audio gaps > 200 ms: clerk→agent %u (%.0f ms), agent→clerk %u (%.0f ms)"
      " (target none: %s)\n", audio_up.count, audio_up.total_ms, audio_down.count,
      audio_down.total_ms, mark (audio_up.count + audio_down.count == 0));
  call_end (b, &call);
  fflush (stdout);
}

/* ---- a 5 s outage ---- */

static void
run_outage (Bench *b)
{
  printf ("\nA %u s blackout both ways mid-call (50 ms round trip): time from its end\n"
      "to decoded frames again (target <= 3 s).\n\n", OUTAGE_MS / 1000);
  link_reset (b);
  link_set (b, vw_netns_set_delay (b->ns, VW_NETNS_BOTH, 25, NULL));
  Call call;
  if (!call_start (b, &call)) {
    b->failed = TRUE;
    call_end (b, &call);
    return;
  }
  vw_test_run_for (2000);
  link_set (b, vw_netns_blackout (b->ns, TRUE, NULL));
  vw_test_run_for (OUTAGE_MS);
  link_set (b, vw_netns_blackout (b->ns, FALSE, NULL));
  gint64 off = now_ms ();
  const guint wait_s = 20;
  vw_test_run_for (wait_s * 1000);
  struct { const char *label; Side *recv; } dirs[] = {
    { "clerk→agent", &call.agent }, { "agent→clerk", &call.clerk },
  };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++) {
    gint64 again = frames_again_after (dirs[i].recv, "camera", off);
    if (again)
      printf ("  %s  frames again %5.1f s after the outage (%s)\n", dirs[i].label,
          (again - off) / 1000.0, mark (again - off <= 3000));
    else
      printf ("  %s  no frames within %u s after the outage (MISSED)%s\n", dirs[i].label,
          wait_s, has_event_after (dirs[i].recv->client, "ended", dirs[i].recv->from)
          ? "; the session ended" : "");
  }
  call_end (b, &call);
  fflush (stdout);
}

static gboolean
wanted (Bench *b, const char *part)
{
  if (!b->only)
    return TRUE;
  g_auto (GStrv) parts = g_strsplit (b->only, ",", -1);
  return g_strv_contains ((const char *const *) parts, part);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* A participant that died must not take the benchmark with it. */
  signal (SIGPIPE, SIG_IGN);
  Bench b = { .seconds = 20 };
  gint seconds = 0;
  GOptionEntry entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Seconds measured per call (default 20)", "S" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &b.only, "Only these parts: loss, cap, outage (comma-separated)", "PARTS" },
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &b.smoke, "One 3 s row, for the test suite", NULL },
    { "participants", 0, 0, G_OPTION_ARG_STRING, &b.participants, "The clerk: native, chromium or both (default native,chromium)", "LIST" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- calls over bad networks");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("vw-bench-network: %s\n", error->message);
    return 2;
  }
  if (seconds < 0 || seconds > 3600) {
    g_printerr ("vw-bench-network: --seconds must be 1..3600\n");
    return 2;
  }
  if (seconds)
    b.seconds = seconds;
  if (b.smoke && !seconds)
    b.seconds = 3;
  /* vw-test-util finds the programs in the environment, as under meson. */
  g_setenv ("VW_SERVER", VW_SERVER_PATH, FALSE);
  g_setenv ("VW_CLIENT", VW_CLIENT_PATH, FALSE);
  g_setenv ("VW_ADMIN", VW_ADMIN_PATH, FALSE);

  b.ns = vw_netns_new (&error);
  if (!b.ns) {
    g_printerr ("vw-bench-network: no impaired link (root, ip, /dev/net/tun?): %s\n",
        error->message);
    return 1;
  }
  const char *host = vw_netns_get_host_address (b.ns);
  const char *server_args[] = { "--address", host, "--ice-address", host, NULL };
  b.server = vw_test_server_start (server_args);
  b.agent_pw = vw_test_server_add_account (b.server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
  const char *agent_args[] = { "--role", "agent", "--user", "zhangmin",
    "--password-file", b.agent_pw, "--stats-interval", G_STRINGIFY (STATS_MS),
    "--timecode", NULL };
  VwTestClientOptions outside = { .ice_address = host };
  b.agent = vw_test_client_start_with (b.server, "张敏", &outside, agent_args);
  vw_test_client_wait_event (b.agent, "registered", NULL, 15000);

  printf ("vw-bench-network: 640x480@30 test camera and a tone each way; the clerk behind\n"
      "an impaired link (tests/vw-link), the agent on the host; %u cores%s\n",
      g_get_num_processors (), b.smoke ? " (smoke)" : "");
  g_autofree char *load = NULL;
  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("load average at the start: %s", load);
  if (b.smoke) {
    b.chromium = g_strcmp0 (b.participants, "chromium") == 0;
    printf (HEADER);
    if (!run_loss_row (&b, 1, 50))
      b.failed = TRUE;
  } else {
    g_auto (GStrv) who = g_strsplit (b.participants ? b.participants : "native,chromium", ",", -1);
    for (guint i = 0; who[i]; i++) {
      b.chromium = g_str_equal (who[i], "chromium");
      if (!b.chromium && !g_str_equal (who[i], "native")) {
        g_printerr ("vw-bench-network: --participants takes native and chromium\n");
        b.failed = TRUE;
        continue;
      }
      printf ("\n==== the clerk: %s ====\n", b.chromium
          ? "the join page in headless Chromium (getStats; fake camera 640x480@30)"
          : "vw-client (640x480@30 test camera)");
      if (wanted (&b, "loss"))
        run_loss_table (&b);
      if (wanted (&b, "cap"))
        run_cap (&b);
      if (wanted (&b, "outage"))
        run_outage (&b);
    }
  }

  g_clear_pointer (&load, g_free);
  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("\nload average at the end: %s", load);
  vw_test_client_free (b.agent);
  vw_test_server_stop (b.server);
  vw_netns_free (b.ns);
  g_free (b.agent_pw);
  g_free (b.only);
  g_free (b.participants);
  return b.failed ? 1 : 0;
}
