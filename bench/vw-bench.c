/* vw-bench: call set-up time and glass-to-glass latency through the hub.
 *
 * Runs N calls (default 20) between a test agent and a test clerk on
 * loopback at 640x480@30, both sending test patterns that carry their
 * capture time in the picture (--timecode), and prints a table:
 *   set-up:  the clerk's request to the first decoded remote frame on both
 *            sides (the later of the two), per call;
 *   latency: capture of a frame at one end to its decoding at the other,
 *            per frame, both directions.
 * Not a test: it prints figures, it does not judge them.
 */
#include <locale.h>
#include <math.h>
#include "vw-test-util.h"

static int n_calls = 20;
static int call_seconds = 3;

static gint64
event_time (JsonObject *o)
{
  return json_object_get_int_member (o, "t");
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values, double p)
{
  if (values->len == 0)
    return NAN;
  g_array_sort (values, compare_double);
  guint i = (guint) CLAMP (p / 100.0 * (values->len - 1) + 0.5, 0, values->len - 1);
  return g_array_index (values, double, i);
}

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
    "--center", "吴江区政务服务中心", "--item", "食品经营许可证",
    "--handled-in", "shanghai", "--duration", duration, "--timecode", NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (server, "李华", clerk_args);

  JsonObject *requested = vw_test_client_wait_event (clerk, "requested", NULL, 10000);
  JsonObject *ff_clerk = vw_test_client_wait_event (clerk, "first-frame", NULL, 15000);
  JsonObject *ff_agent = vw_test_client_wait_event (agent, "first-frame", NULL, 15000);
  double ms = MAX (event_time (ff_clerk), event_time (ff_agent)) - event_time (requested);
  g_array_append_val (setup, ms);
  gint64 t0 = event_time (requested);
  g_printerr ("  paired +%" G_GINT64_FORMAT "  connected clerk +%" G_GINT64_FORMAT
      " agent +%" G_GINT64_FORMAT "  first frame clerk +%" G_GINT64_FORMAT
      " agent +%" G_GINT64_FORMAT " ms\n",
      event_time (vw_test_client_wait_event (clerk, "paired", NULL, 1000)) - t0,
      event_time (vw_test_client_wait_event (clerk, "connected", NULL, 1000)) - t0,
      event_time (vw_test_client_wait_event (agent, "connected", NULL, 1000)) - t0,
      event_time (ff_clerk) - t0, event_time (ff_agent) - t0);

  vw_test_client_wait_event (clerk, "ended", NULL, (call_seconds + 10) * 1000);
  vw_test_client_wait_exit (clerk, 5000);
  vw_test_client_wait_exit (agent, 5000);
  collect_latency (clerk, latency);
  collect_latency (agent, latency);
  return TRUE;
}

static void
print_row (const char *name, GArray *v, const char *target)
{
  g_print ("| %-34s | %7u | %8.0f | %8.0f | %8.0f | %8.0f | %-10s |\n", name, v->len,
      percentile (v, 50), percentile (v, 95), percentile (v, 0), percentile (v, 100),
      target);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  GOptionEntry entries[] = {
    { "calls", 'n', 0, G_OPTION_ARG_INT, &n_calls, "Number of calls (default 20)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &call_seconds, "Length of each call (default 3)", "S" },
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
