/* vw-bench: call set-up time and glass-to-glass latency through the hub.
 *
 * Runs N calls (default 20) between a test agent and a test clerk on
 * loopback at 640x480@30, both sending test patterns that carry their
 * capture time in the picture (--timecode), and prints a table:
 *   set-up:  the clerk's request to the first decoded remote frame on both
 *            sides (the later of the two), per call;
 *   latency: capture of a frame at one end to its decoding at the other,
 *            per frame, both directions.
 * With --recording it measures instead what recording costs the hub: the
 * same load (--pairs calls at once, --seconds long, camera, microphone and
 * for every clerk a document camera) through a server with recording off
 * and one with it on: the server's CPU time per call-second, and the bytes
 * written to disk against the RTP bytes the hub received (read from the
 * receivers' counts: the hub forwards every packet it receives).
 *
 * Not a test: it prints figures, it does not judge them.
 */
#include <locale.h>
#include <math.h>
#include <unistd.h>
#include <string.h>
#include "vw-test-util.h"
#include "vw-bench-figures.h"

static int n_calls = 20;
static int call_seconds = 3;
static gboolean recording_bench = FALSE;
static int n_pairs = 2;

static void
collect_latency (VwTestClient *c, GArray *out)
{
  for (guint i = 0; i < c->events->len; i++) {
    JsonObject *o = g_ptr_array_index (c->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (o, "event", ""),
            "latency") == 0) {
      double ms = json_object_get_int_member (o, "ms");
      g_array_append_val (out, ms);
    }
  }
}

/* One call; appends its set-up time and per-frame latencies. */
static char *agent_password;   /* the agent account's password file */

static gboolean
run_call (VwTestServer *server, GArray *setup, GArray *latency)
{
  g_autofree char *duration = g_strdup_printf ("%d", call_seconds);
  const char *agent_args[] = { "--role", "agent", "--user", "zhangmin",
    "--password-file", agent_password, "--max-sessions", "1", "--timecode", NULL };
  const char *clerk_args[] = { "--role", "clerk", "--province", "jiangsu",
    "--center", "吴江区政务服务中心", "--item", "SP-JY-004",
    "--handled-in", "shanghai", "--duration", duration, "--timecode", NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (server, "李华", clerk_args);

  JsonObject *requested = vw_test_client_wait_event (clerk, "requested", NULL, 10000);
  JsonObject *ff_clerk = vw_test_client_wait_event (clerk, "first-frame", NULL, 15000);
  JsonObject *ff_agent = vw_test_client_wait_event (agent, "first-frame", NULL, 15000);
  double ms = MAX (vw_bench_event_time (ff_clerk), vw_bench_event_time (ff_agent))
      - vw_bench_event_time (requested);
  g_array_append_val (setup, ms);
  gint64 t0 = vw_bench_event_time (requested);
  g_printerr ("  paired +%" G_GINT64_FORMAT "  connected clerk +%" G_GINT64_FORMAT
      " agent +%" G_GINT64_FORMAT "  first frame clerk +%" G_GINT64_FORMAT
      " agent +%" G_GINT64_FORMAT " ms\n",
      vw_bench_event_time (vw_test_client_wait_event (clerk, "paired", NULL, 1000)) - t0,
      vw_bench_event_time (vw_test_client_wait_event (clerk, "connected", NULL, 1000)) - t0,
      vw_bench_event_time (vw_test_client_wait_event (agent, "connected", NULL, 1000)) - t0,
      vw_bench_event_time (ff_clerk) - t0, vw_bench_event_time (ff_agent) - t0);

  vw_test_client_wait_event (clerk, "ended", NULL, (call_seconds + 10) * 1000);
  vw_test_client_wait_exit (clerk, 5000);
  vw_test_client_wait_exit (agent, 5000);
  collect_latency (clerk, latency);
  collect_latency (agent, latency);
  return TRUE;
}


/* ---- what recording costs ---- */

/* User + system CPU seconds used so far by process @pid. */
static double
cpu_seconds (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NAN;
  /* Fields after the command name (which may hold spaces): state is 3rd,
   * utime the 14th, stime the 15th. */
  const char *rest = strrchr (text, ')');
  g_auto (GStrv) f = g_strsplit (rest ? rest + 2 : "", " ", -1);
  if (g_strv_length (f) < 13)
    return NAN;
  return (g_ascii_strtod (f[11], NULL) + g_ascii_strtod (f[12], NULL))
      / sysconf (_SC_CLK_TCK);
}

/* RTP bytes the client received, from its last stats event. */
static gint64
received_bytes (VwTestClient *c)
{
  JsonObject *stats = vw_test_client_last_event (c, "stats");
  JsonArray *tracks = stats ? json_object_get_array_member (stats, "tracks") : NULL;
  gint64 sum = 0;
  for (guint i = 0; tracks && i < json_array_get_length (tracks); i++)
    sum += json_object_get_int_member (json_array_get_object_element (tracks, i), "bytes");
  return sum;
}

/* Bytes of every chunk file under DATA_DIR/sessions. */
static gint64
recorded_bytes (const char *data_dir)
{
  g_autofree char *sessions = g_build_filename (data_dir, "sessions", NULL);
  g_autoptr (GDir) d = g_dir_open (sessions, 0, NULL);
  gint64 sum = 0;
  for (const char *s; d && (s = g_dir_read_name (d));) {
    g_autofree char *rec = g_build_filename (sessions, s, "recording", NULL);
    g_autoptr (GDir) tracks = g_dir_open (rec, 0, NULL);
    for (const char *t; tracks && (t = g_dir_read_name (tracks));) {
      g_autofree char *dir = g_build_filename (rec, t, NULL);
      g_autoptr (GDir) chunks = g_dir_open (dir, 0, NULL);
      for (const char *c; chunks && (c = g_dir_read_name (chunks));) {
        g_autofree char *path = g_build_filename (dir, c, NULL);
        g_autoptr (GFile) f = g_file_new_for_path (path);
        g_autoptr (GFileInfo) info = g_file_query_info (f, G_FILE_ATTRIBUTE_STANDARD_SIZE,
            G_FILE_QUERY_INFO_NONE, NULL, NULL);
        sum += info ? g_file_info_get_size (info) : 0;
      }
    }
  }
  return sum;
}

typedef struct {
  double cpu_per_call_second;    /* server CPU seconds per call-second */
  gint64 received, recorded;     /* bytes */
} Load;

/* --pairs calls at once through a server started with @server_args. */
static Load
run_load (const char *const *server_args)
{
  VwTestServer *server = vw_test_server_start (server_args);
  const char *pid = g_subprocess_get_identifier (server->proc);
  g_autofree char *duration = g_strdup_printf ("%d", call_seconds);
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func (
      (GDestroyNotify) vw_test_client_free);
  g_autoptr (GPtrArray) passwords = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < n_pairs; i++) {
    g_autofree char *user = g_strdup_printf ("agent%d", i);
    g_ptr_array_add (passwords, vw_test_server_add_account (server, user, "agent",
        "张敏", "shanghai", "黄浦区政务服务中心", NULL));
  }
  double cpu0 = cpu_seconds (pid);
  for (int i = 0; i < n_pairs; i++) {
    g_autofree char *user = g_strdup_printf ("agent%d", i);
    const char *agent_args[] = { "--role", "agent", "--user", user, "--password-file",
      g_ptr_array_index (passwords, i), "--max-sessions", "1", NULL };
    VwTestClient *agent = vw_test_client_start (server, "张敏", agent_args);
    vw_test_client_wait_event (agent, "registered", NULL, 10000);
    g_ptr_array_add (clients, agent);
  }
  for (int i = 0; i < n_pairs; i++) {
    const char *clerk_args[] = { "--role", "clerk", "--province", "jiangsu",
      "--center", "吴江区政务服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai",
      "--document-camera", "test", "--duration", duration, NULL };
    g_ptr_array_add (clients, vw_test_client_start (server, "李华", clerk_args));
  }
  Load load = { 0 };
  for (guint i = 0; i < clients->len; i++) {
    vw_test_client_wait_exit (g_ptr_array_index (clients, i), (call_seconds + 30) * 1000);
    load.received += received_bytes (g_ptr_array_index (clients, i));
  }
  vw_test_run_for (1500);   /* the last chunks close */
  load.cpu_per_call_second = (cpu_seconds (pid) - cpu0) / (n_pairs * call_seconds);
  load.recorded = recorded_bytes (server->data_dir);
  vw_test_server_stop (server);
  return load;
}

static int
recording_benchmark (void)
{
  const char *off_args[] = { "--no-record", NULL };
  g_printerr ("recording off: %d calls at once, %d s...\n", n_pairs, call_seconds);
  Load off = run_load (off_args);
  g_printerr ("recording on: %d calls at once, %d s...\n", n_pairs, call_seconds);
  Load on = run_load (NULL);
  g_print ("\nvirtual-window: recording in the hub, %d calls at once of %d s, each"
      " camera 640x480@30 + Opus both ways and a 1920x1080@5 document camera,"
      " loopback, %u cores\n\n", n_pairs, call_seconds, g_get_num_processors ());
  g_print ("| %-44s | %14s | %14s |\n", "measure", "recording off", "recording on");
  g_print ("|%s|%s|%s|\n", "----------------------------------------------",
      "----------------", "----------------");
  g_print ("| %-44s | %13.1f%% | %13.1f%% |\n", "server CPU per call (of one core)",
      100 * off.cpu_per_call_second, 100 * on.cpu_per_call_second);
  g_print ("| %-44s | %14" G_GINT64_FORMAT " | %14" G_GINT64_FORMAT " |\n",
      "RTP bytes received by the hub", off.received, on.received);
  g_print ("| %-44s | %14s | %14" G_GINT64_FORMAT " |\n", "bytes written (WebM chunks)",
      "-", on.recorded);
  g_print ("| %-44s | %14s | %13.1f%% |\n", "written / received (target 95..105%)", "-",
      on.received ? 100.0 * on.recorded / on.received : NAN);
  g_print ("\nrecording adds %.1f%% of one core per call\n",
      100 * (on.cpu_per_call_second - off.cpu_per_call_second));
  return 0;
}

static void
print_row (const char *name, GArray *v, const char *target)
{
  g_print ("| %-34s | %7u | %8.0f | %8.0f | %8.0f | %8.0f | %-10s |\n", name, v->len,
      vw_bench_percentile (v, 50), vw_bench_percentile (v, 95),
      vw_bench_percentile (v, 0), vw_bench_percentile (v, 100),
      target);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  GOptionEntry entries[] = {
    { "calls", 'n', 0, G_OPTION_ARG_INT, &n_calls, "Number of calls (default 20)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &call_seconds, "Length of each call (default 3)", "S" },
    { "recording", 0, 0, G_OPTION_ARG_NONE, &recording_bench, "Measure the cost of recording instead", NULL },
    { "pairs", 0, 0, G_OPTION_ARG_INT, &n_pairs, "--recording: calls at once (default 2)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- call set-up and latency benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || n_calls < 1 || call_seconds < 1) {
    g_printerr ("vw-bench: %s\n", error ? error->message : "--calls and --seconds must be >= 1");
    return 2;
  }
  if (!g_getenv ("VW_SERVER"))
    g_setenv ("VW_SERVER", VW_SERVER_PATH, FALSE);
  if (!g_getenv ("VW_CLIENT"))
    g_setenv ("VW_CLIENT", VW_CLIENT_PATH, FALSE);
  if (!g_getenv ("VW_ADMIN"))
    g_setenv ("VW_ADMIN", VW_ADMIN_PATH, FALSE);

  if (recording_bench)
    return recording_benchmark ();
  g_autoptr (GArray) setup = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) latency = g_array_new (FALSE, FALSE, sizeof (double));
  VwTestServer *server = vw_test_server_start (NULL);
  agent_password = vw_test_server_add_account (server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
  for (int i = 0; i < n_calls; i++) {
    run_call (server, setup, latency);
    g_printerr ("call %d/%d: set-up %.0f ms\n", i + 1, n_calls,
        g_array_index (setup, double, setup->len - 1));
  }
  vw_test_server_stop (server);

  g_print ("\nvirtual-window: %d calls through the hub, 640x480@30 VP8 + Opus, loopback, %u cores\n\n",
      n_calls, g_get_num_processors ());
  g_print ("| %-34s | %7s | %8s | %8s | %8s | %8s | %-10s |\n", "measure", "samples",
      "median", "p95", "min", "max", "target");
  g_print ("|%s|%s|%s|%s|%s|%s|%s|\n", "------------------------------------",
      "---------", "----------", "----------", "----------", "----------", "------------");
  print_row ("call set-up, request -> frames (ms)", setup, "<= 300 ms");
  print_row ("glass-to-glass latency (ms)", latency, "<= 80 ms");
  return 0;
}
