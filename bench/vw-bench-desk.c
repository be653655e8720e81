/* vw-bench-desk: figures for the service desk (issue 6).
 *
 * Real vw-server and vw-client processes on loopback, --rounds times each:
 *   transfer:   张敏 hands the clerk on to 李娜 (转办); from the moment the
 *               `transfer` command is written to the clerk's first decoded
 *               camera frame from 李娜, and from the clerk's `transferred`
 *               event to that frame (the gap the clerk sees);
 *   three-party: 张敏 invites 周强 (三方通话); from the `invite` command to
 *               the moment all three have decoded both others' camera (the
 *               latest of the four first frames involving 周强);
 *   waits:      one agent (wrap-up 0) and --rounds + 2 clerks arriving
 *               every half call, calls of --seconds; for every clerk shown
 *               a `wait_s`, that estimate against the wait it really had
 *               (its `paired` minus the `queued` event carrying it).
 * Times are the clients' event stamps (`t`, wall clock ms) and the wall
 * clock when a command was written.
 *
 * Not a test: it prints figures, it does not judge them.
 */
#include <locale.h>
#include <math.h>
#include <signal.h>
#include "vw-test-util.h"
#include "vw-bench-figures.h"

#define SETUP_MS 15000

static int n_rounds = 10;
static int call_seconds = 3;

typedef struct {
  VwTestServer *server;
  char *zhangmin_pw, *lina_pw, *zhouqiang_pw;
} Desk;

/* ---- figures ---- */

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
add (GArray *values, double v)
{
  g_array_append_val (values, v);
}

/* ---- people ---- */

static void
desk_start (Desk *d, const char *const *args)
{
  d->server = vw_test_server_start (args);
  d->zhangmin_pw = vw_test_server_add_account (d->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
  d->lina_pw = vw_test_server_add_account (d->server, "lina", "agent", "李娜",
      "shanghai", "青浦区行政服务中心", NULL);
  d->zhouqiang_pw = vw_test_server_add_account (d->server, "zhouqiang", "agent", "周强",
      "anhui", "合肥市政务服务中心", NULL);
}

static void
desk_stop (Desk *d)
{
  vw_test_server_stop (d->server);
  g_free (d->zhangmin_pw);
  g_free (d->lina_pw);
  g_free (d->zhouqiang_pw);
}

/* Waits for the agent state @state. */
static void
wait_state (VwTestClient *c, const char *state)
{
  guint from = 0;
  while (!g_str_equal (json_object_get_string_member (
      vw_test_client_wait_event (c, "agent-state", &from, 10000), "state"), state))
    ;
}

/* A signed-in agent handling @items (NULL: all), available. */
static VwTestClient *
start_agent (Desk *d, const char *user, const char *password, const char *name,
    const char *items)
{
  const char *args[] = { "--role", "agent", "--user", user, "--password-file",
    password, items ? "--items" : NULL, items, NULL };
  VwTestClient *c = vw_test_client_start (d->server, name, args);
  wait_state (c, "available");
  return c;
}

static VwTestClient *
start_clerk (Desk *d, const char *name, const char *duration)
{
  const char *args[] = { "--role", "clerk", "--province", "zhejiang",
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai",
    duration ? "--duration" : NULL, duration, NULL };
  return vw_test_client_start (d->server, name, args);
}

static const char *
peer_id (VwTestClient *c)
{
  return json_object_get_string_member (
      vw_test_client_wait_event (c, "registered", NULL, 10000), "peer_id");
}

typedef struct {
  VwTestClient *client;
  const char *owner;
  JsonObject *found;
} FrameWait;

static gboolean
frame_seen (gpointer data)
{
  FrameWait *w = data;
  for (guint i = 0; !w->found && i < w->client->events->len; i++) {
    JsonObject *e = g_ptr_array_index (w->client->events, i);
    if (g_str_equal (json_object_get_string_member_with_default (e, "event", ""), "first-frame")
        && g_str_equal (json_object_get_string_member (e, "peer"), w->owner)
        && g_str_equal (json_object_get_string_member (e, "track"), "camera"))
      w->found = e;
  }
  return w->found || w->client->eof;
}

/* The event when @c has decoded a camera frame from @owner; NULL (said
 * why) if it has not within SETUP_MS: the round failed. */
static JsonObject *
wait_frame_from (VwTestClient *c, const char *owner)
{
  FrameWait w = { c, owner, NULL };
  if (vw_test_wait_until (frame_seen, &w, SETUP_MS) && w.found)
    return w.found;
  JsonObject *error = vw_test_client_last_event (c, "error");
  g_printerr ("  FAILED: %s decoded no frame from %s (%s)\n", c->name, owner,
      error ? json_object_get_string_member (error, "code") : "no error event");
  return NULL;
}

/* SIGTERM (hangs up, signs out), wait, free. */
static void
stop_client (VwTestClient *c)
{
  if (g_subprocess_get_identifier (c->proc))
    g_subprocess_send_signal (c->proc, SIGTERM);
  vw_test_client_wait_exit (c, 5000);
  vw_test_client_free (c);
}

/* The clerk in a call with 张敏, both seeing each other (NULL: failed). */
static VwTestClient *
start_call (Desk *d, VwTestClient *zhang)
{
  VwTestClient *clerk = start_clerk (d, "李华", NULL);
  vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  if (wait_frame_from (clerk, peer_id (zhang)) && wait_frame_from (zhang, peer_id (clerk)))
    return clerk;
  stop_client (clerk);
  return NULL;
}

static void
stop_all (VwTestClient *clerk, VwTestClient *other, VwTestClient *lead)
{
  stop_client (clerk);   /* SIGTERM: it hangs up first */
  stop_client (other);
  stop_client (lead);
}

/* ---- transfer and three-party ---- */

static gboolean
transfer_round (Desk *d, GArray *handover, GArray *gap)
{
  VwTestClient *zhang = start_agent (d, "zhangmin", d->zhangmin_pw, "张敏", NULL);
  VwTestClient *clerk = start_call (d, zhang);
  if (!clerk) {
    stop_client (zhang);
    return FALSE;
  }
  VwTestClient *li = start_agent (d, "lina", d->lina_pw, "李娜", NULL);

  gint64 sent = now_ms ();
  vw_test_client_command (zhang, "{\"command\":\"transfer\",\"agent\":\"lina\"}");
  JsonObject *told = vw_test_client_wait_event (clerk, "transferred", NULL, 10000);
  JsonObject *frame = wait_frame_from (clerk, peer_id (li));
  if (frame) {
    add (handover, vw_bench_event_time (frame) - sent);
    add (gap, vw_bench_event_time (frame) - vw_bench_event_time (told));
    g_printerr ("  transfer: transferred +%" G_GINT64_FORMAT "  paired +%" G_GINT64_FORMAT
        "  frame from 李娜 +%" G_GINT64_FORMAT " ms\n", vw_bench_event_time (told) - sent,
        vw_bench_event_time (vw_test_client_last_event (clerk, "paired")) - sent,
        vw_bench_event_time (frame) - sent);
  }
  stop_all (clerk, li, zhang);
  return frame != NULL;
}

static gboolean
invite_round (Desk *d, GArray *join)
{
  VwTestClient *zhang = start_agent (d, "zhangmin", d->zhangmin_pw, "张敏", NULL);
  VwTestClient *clerk = start_call (d, zhang);
  if (!clerk) {
    stop_client (zhang);
    return FALSE;
  }
  VwTestClient *zhou = start_agent (d, "zhouqiang", d->zhouqiang_pw, "周强", NULL);
  const char *z = peer_id (zhang), *c = peer_id (clerk), *q = peer_id (zhou);

  gint64 sent = now_ms ();
  vw_test_client_command (zhang, "{\"command\":\"invite\",\"agent\":\"zhouqiang\"}");
  struct { VwTestClient *who; const char *from; } views[] = {
    { zhou, c }, { zhou, z }, { clerk, q }, { zhang, q },
  };
  gint64 last = 0;
  g_autoptr (GString) line = g_string_new (NULL);
  g_string_printf (line, "  invite: paired +%" G_GINT64_FORMAT " frames",
      vw_bench_event_time (vw_test_client_wait_event (zhou, "paired", NULL, 10000)) - sent);
  for (guint i = 0; i < G_N_ELEMENTS (views) && last >= 0; i++) {
    JsonObject *frame = wait_frame_from (views[i].who, views[i].from);
    last = frame ? MAX (last, vw_bench_event_time (frame)) : -1;
    if (frame)
      g_string_append_printf (line, " +%" G_GINT64_FORMAT, vw_bench_event_time (frame) - sent);
  }
  if (last >= 0) {
    g_printerr ("%s ms (周强<-clerk, 周强<-张敏, clerk<-周强, 张敏<-周强)\n", line->str);
    add (join, last - sent);
  }
  stop_all (clerk, zhou, zhang);
  return last >= 0;
}

/* ---- estimated waits ---- */

typedef struct {
  GArray *abs_error_s;    /* |real - estimated| */
  GArray *ratio;          /* real / estimated */
  GArray *real_s;
  guint clerks, unserved, queued, without;   /* queued: and served; without: an estimate */
} Waits;

/* One clerk's events: its first estimate against its real wait. */
static void
judge_wait (VwTestClient *clerk, Waits *w)
{
  JsonObject *paired = vw_test_client_last_event (clerk, "paired");
  JsonObject *first_q = NULL, *estimate = NULL;
  for (guint i = 0; i < clerk->events->len; i++) {
    JsonObject *o = g_ptr_array_index (clerk->events, i);
    if (!g_str_equal (json_object_get_string_member_with_default (o, "event", ""), "queued"))
      continue;
    first_q = first_q ? first_q : o;
    if (json_object_has_member (o, "wait_s")) {
      estimate = o;
      break;
    }
  }
  w->clerks++;
  w->unserved += !paired;
  if (!first_q || !paired) {
    g_printerr ("  %s: %s\n", clerk->name, paired ? "served at once" : "never served");
    return;
  }
  w->queued++;
  if (!estimate) {
    w->without++;
    g_printerr ("  %s: queued at %" G_GINT64_FORMAT ", no estimate, waited %.1f s\n",
        clerk->name, json_object_get_int_member (first_q, "position"),
        (vw_bench_event_time (paired) - vw_bench_event_time (first_q)) / 1000.0);
    return;
  }
  double est = json_object_get_int_member (estimate, "wait_s");
  double real = (vw_bench_event_time (paired) - vw_bench_event_time (estimate)) / 1000.0;
  add (w->abs_error_s, fabs (real - est));
  add (w->ratio, real / est);
  add (w->real_s, real);
  JsonObject *ended = vw_test_client_last_event (clerk, "ended");
  g_printerr ("  %s: position %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
      " samples, estimated %.0f s, waited %.1f s, served %.1f s\n", clerk->name,
      json_object_get_int_member (estimate, "position"),
      json_object_get_int_member (estimate, "wait_samples"), est, real,
      ended ? (vw_bench_event_time (ended) - vw_bench_event_time (paired)) / 1000.0 : NAN);
}

static void
wait_honesty (Waits *w)
{
  Desk d = { 0 };
  desk_start (&d, (const char *[]) { "--wrap-up-seconds", "0", NULL });
  VwTestClient *agent = start_agent (&d, "zhangmin", d.zhangmin_pw, "张敏", "QY-SL-001");
  g_autofree char *duration = g_strdup_printf ("%d", call_seconds);
  g_autoptr (GPtrArray) clerks = g_ptr_array_new ();
  int n = n_rounds + 2;
  for (int i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf ("clerk%02d", i + 1);
    g_ptr_array_add (clerks, start_clerk (&d, name, duration));
    vw_test_run_for (call_seconds * 500);
  }
  for (guint i = 0; i < clerks->len; i++) {
    VwTestClient *c = g_ptr_array_index (clerks, i);
    vw_test_client_wait_exit (c, (n * (call_seconds + 5) + 30) * 1000);
    judge_wait (c, w);
    vw_test_client_free (c);
  }
  stop_client (agent);
  desk_stop (&d);
}

/* ---- the table ---- */

static void
print_row (const char *name, GArray *v, int decimals)
{
  g_print ("| %-44s | %5u | %8.*f | %8.*f | %8.*f |\n", name, v->len, decimals,
      vw_bench_percentile (v, 50), decimals, vw_bench_percentile (v, 95), decimals,
      vw_bench_mean (v));
}

static int failed_transfers, failed_invites;

static void
print_table (GArray *handover, GArray *gap, GArray *join, Waits *w)
{
  g_print ("\nvirtual-window: service desk, %d rounds, calls of %d s, loopback, %u cores\n\n",
      n_rounds, call_seconds, g_get_num_processors ());
  g_print ("| %-44s | %5s | %8s | %8s | %8s |\n", "measure", "n", "median", "p95", "mean");
  g_print ("|----------------------------------------------|-------|----------|----------|----------|\n");
  print_row ("transfer: command -> new agent's frame (ms)", handover, 0);
  print_row ("transfer: `transferred` -> that frame (ms)", gap, 0);
  print_row ("three-party: invite -> all frames (ms)", join, 0);
  print_row ("wait: real wait (s)", w->real_s, 1);
  print_row ("wait: |real - estimated| (s)", w->abs_error_s, 1);
  print_row ("wait: real / estimated", w->ratio, 2);
  g_print ("\nfailed rounds (no frame within %d s): transfer %d of %d, three-party %d of %d\n",
      SETUP_MS / 1000, failed_transfers, n_rounds, failed_invites, n_rounds);
  g_print ("%u clerks: %u served at once, %u after queueing, of which %u were never given"
      " an estimate (no history yet), %u never served\n", w->clerks,
      w->clerks - w->queued - w->unserved, w->queued, w->without, w->unserved);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  GOptionEntry entries[] = {
    { "rounds", 'n', 0, G_OPTION_ARG_INT, &n_rounds, "Rounds of each measure (default 10)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &call_seconds, "Length of the queued calls (default 3)", "S" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- service desk benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || n_rounds < 1 || call_seconds < 1) {
    g_printerr ("vw-bench-desk: %s\n", error ? error->message : "--rounds and --seconds must be >= 1");
    return 2;
  }
  g_setenv ("VW_SERVER", VW_SERVER_PATH, FALSE);
  g_setenv ("VW_CLIENT", VW_CLIENT_PATH, FALSE);
  g_setenv ("VW_ADMIN", VW_ADMIN_PATH, FALSE);

  g_autoptr (GArray) handover = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) gap = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) join = g_array_new (FALSE, FALSE, sizeof (double));
  Desk d = { 0 };
  desk_start (&d, (const char *[]) { "--wrap-up-seconds", "0", NULL });
  for (int i = 0; i < n_rounds; i++) {
    g_printerr ("round %d/%d\n", i + 1, n_rounds);
    failed_transfers += !transfer_round (&d, handover, gap);
    failed_invites += !invite_round (&d, join);
  }
  desk_stop (&d);

  g_printerr ("estimated waits: %d clerks, calls of %d s\n", n_rounds + 2, call_seconds);
  Waits w = {
    .abs_error_s = g_array_new (FALSE, FALSE, sizeof (double)),
    .ratio = g_array_new (FALSE, FALSE, sizeof (double)),
    .real_s = g_array_new (FALSE, FALSE, sizeof (double)),
  };
  wait_honesty (&w);
  print_table (handover, gap, join, &w);
  g_array_unref (w.abs_error_s);
  g_array_unref (w.ratio);
  g_array_unref (w.real_s);
  return 0;
}
