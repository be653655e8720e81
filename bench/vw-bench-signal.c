/* vw-bench-signal: signalling under load, vw-server beside Janus 1.1.2
 * (Debian's package, VideoCall plugin) in the same run on the same machine.
 *
 * For each server, fresh, once quiet and once under attack:
 *   burst:    --burst clients (64) connect at once, --bursts times; each
 *             one's time from connect to registered (p50, p99);
 *   pairing:  a signed-in agent, available; a clerk connects, says hello
 *             and requests; request -> `paired`, --pairings times (Janus:
 *             a VideoCall `call` -> the callee's `incomingcall`);
 *   rate:     clients registered with --concurrency (32) in flight, up to
 *             each of --clients (2,000 and 9,000) idle registered clients:
 *             registrations per second, and the server's CPU time for
 *             each (user + system, from /proc: what the machine's other
 *             load does not change);
 *   memory:   the server's VmRSS before any client and at each level: KiB
 *             per idle registered client.
 * Under attack, --half-open (1,000) connections that never finish their
 * HTTP request and one client flooding messages it never reads the answers
 * of are made before the measures and last until they end.
 *
 * Clients are libsoup WebSockets offering permessage-deflate like a browser,
 * from 127.0.0.2-254 (see vw-signal-server.h).  "Registered" is `welcome`
 * after a clerk's `hello` for vw-server; for Janus, `create`, `attach`
 * janus.plugin.videocall and `register` up to the `registered` event.
 *
 * Not a test, except --smoke: tiny numbers, exit status 1 if the clients
 * did not offer permessage-deflate, a client of a quiet server did not
 * register, a pairing failed, Janus did not start or an attack could not be
 * made (the test bench-signal-smoke, suite 'bench', in bench/meson.build).
 * What an attack does to a server is a figure, not a failure.
 */
#include <locale.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "vw-signal-server.h"
#include "vw-signal-attack.h"
#include "vw-bench-figures.h"

#define MAX_LEVELS 4
#define PAIR_TIMEOUT_MS 5000

static struct {
  gboolean smoke;
  int concurrency, burst, bursts, half_open, pairings, rss_cap_mib;
  char *levels;
  gboolean quiet_only;
  char *only;
} opt = { FALSE, 32, 64, 5, 1000, 10, 2048, NULL, FALSE, NULL };

static guint levels[MAX_LEVELS], n_levels;
static guint batch_timeout_ms = 60000;   /* plus 20 ms a client */
static guint close_timeout_ms = 10000;
static char *agent_token;                /* zhangmin's, for the running vw-server */

typedef struct {
  gboolean ran;
  guint registered, failed;
  char *first_failure;
  double rate[MAX_LEVELS];     /* clients/s while filling up to each level */
  double cpu_ms[MAX_LEVELS];   /* the server's CPU time a registration, same */
  GArray *burst_ms;
  gint64 rss0, rss_attacked, rss_peak;   /* KiB */
  gint64 rss_level[MAX_LEVELS];
  guint idle[MAX_LEVELS];      /* registered clients when it was read */
  guint dropped;               /* registered clients closed by the end */
  GArray *request_ms, *connect_ms;       /* pairing */
  guint pair_tries, pair_failed;
  guint n_connected, n_deflate;
  char *offered;
  guint half_open, half_open_closed;
  guint64 flood_bytes;
  gboolean flood_cut, flood_capped;
} Figures;

static void
figures_init (Figures *f)
{
  for (guint l = 0; l < MAX_LEVELS; l++) {
    f->rate[l] = f->cpu_ms[l] = NAN;
    f->rss_level[l] = -1;
  }
  f->rss0 = f->rss_attacked = f->rss_peak = -1;
  f->burst_ms = g_array_new (FALSE, FALSE, sizeof (double));
  f->request_ms = g_array_new (FALSE, FALSE, sizeof (double));
  f->connect_ms = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
failure (Figures *f, const char *what)
{
  f->failed++;
  if (!f->first_failure)
    f->first_failure = g_strdup (what);
}

/* ---- registering clients, so many at a time ---- */

typedef struct {
  VwSignalServer *server;
  GPtrArray *clients;          /* all of this run, kept registered */
  Figures *f;
  GArray *times;               /* nullable: registration times, ms */
  guint to_start, running, concurrency;
} Batch;

static void batch_next (Batch *b);

static void
batch_done (VwSignalClient *c, gpointer data)
{
  Batch *b = data;
  b->running--;
  if (c->state == VW_SIGNAL_REGISTERED) {
    b->f->registered++;
    if (b->times) {
      double ms = vw_signal_client_ms (c);
      g_array_append_val (b->times, ms);
    }
  } else {
    failure (b->f, c->why);
  }
  batch_next (b);
}

static void
batch_next (Batch *b)
{
  while (b->running < b->concurrency && b->to_start > 0) {
    b->to_start--;
    b->running++;
    g_ptr_array_add (b->clients, vw_signal_client_start (b->server, NULL, batch_done, b));
  }
}

static gboolean
batch_over (gpointer data)
{
  Batch *b = data;
  return b->running == 0 && b->to_start == 0;
}

/* Registers @n more clients, @concurrency at a time (all at once when
 * @concurrency >= @n); their times into @times (nullable). */
static void
register_clients (VwSignalServer *s, GPtrArray *clients, Figures *f, guint n,
    guint concurrency, GArray *times)
{
  Batch b = { s, clients, f, times, n, 0, concurrency };
  guint first = clients->len;
  batch_next (&b);
  if (!vw_test_wait_until (batch_over, &b, batch_timeout_ms + n * 20)) {
    for (guint i = 0; i < b.to_start + b.running; i++)
      failure (f, "no answer in time");
  }
  for (guint i = first; i < clients->len; i++)
    ((VwSignalClient *) g_ptr_array_index (clients, i))->done = NULL;
}

/* ---- a real clerk paired with a real agent ----
 *
 * vw-server: a signed-in agent, available; a clerk says hello and sends
 * `request`; timed until the clerk's `paired`.  The clerk hangs up, and the
 * agent is available again (no wrap-up) for the next one.
 * Janus's analogue: a VideoCall user "agent"; a caller registers and sends
 * `call` (with an offer) to it; timed until the agent's `incomingcall`.  The
 * caller hangs up; the agent is free again when Janus has closed its
 * PeerConnection (Janus's `hangup`). */

/* A minimal offer: one audio m-line, enough for Janus to take the call. */
#define JANUS_OFFER "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\n" \
  "t=0 0\\r\\na=group:BUNDLE 0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\n" \
  "c=IN IP4 0.0.0.0\\r\\na=rtcp:9 IN IP4 0.0.0.0\\r\\na=ice-ufrag:vwbe\\r\\n" \
  "a=ice-pwd:vwbenchsignalpassword01\\r\\na=ice-options:trickle\\r\\n" \
  "a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:" \
  "8E:50:55:EA:4C:D3:E2:D4:8E:A9:1E:9B\\r\\na=setup:actpass\\r\\na=mid:0\\r\\n" \
  "a=sendrecv\\r\\na=rtcp-mux\\r\\na=rtpmap:111 opus/48000/2\\r\\n"

typedef struct {
  VwSignalClient *agent;
  char *agent_state;
  gint64 paired_us;
  char *session;
} Pairing;

/* A VideoCall event's result.event, or its error; NULL for neither. */
static const char *
janus_event (JsonObject *o, gboolean *error)
{
  JsonObject *pd = json_object_has_member (o, "plugindata")
      ? json_object_get_object_member (o, "plugindata") : NULL;
  JsonObject *data = pd && json_object_has_member (pd, "data")
      ? json_object_get_object_member (pd, "data") : NULL;
  *error = data && json_object_has_member (data, "error");
  if (*error)
    return json_object_get_string_member_with_default (data, "error", "error");
  JsonObject *result = data && json_object_has_member (data, "result")
      ? json_object_get_object_member (data, "result") : NULL;
  return result ? json_object_get_string_member_with_default (result, "event", NULL) : NULL;
}

static void
set_state (Pairing *p, const char *state)
{
  g_free (p->agent_state);
  p->agent_state = g_strdup (state);
}

static void
on_agent_message (VwSignalClient *c, gpointer data)
{
  Pairing *p = data;
  if (g_getenv ("VW_BENCH_VERBOSE")) {
    g_autoptr (JsonNode) n = json_node_init_object (json_node_alloc (), c->message);
    g_autofree char *text = json_to_string (n, FALSE);
    g_printerr ("  agent <- %.300s\n", text);
  }
  if (c->server->kind == VW_SIGNAL_JANUS) {
    gboolean error;
    const char *event = janus_event (c->message, &error);
    if (g_strcmp0 (event, "incomingcall") == 0 && !error && !p->paired_us)
      p->paired_us = g_get_monotonic_time ();
    /* The plugin's hangup event comes first, but the user stays busy
     * until its handle's PeerConnection is closed (Janus's "hangup"). */
    else if (g_strcmp0 (json_object_get_string_member_with_default (c->message,
        "janus", ""), "hangup") == 0)
      set_state (p, "available");
    return;
  }
  const char *type = json_object_get_string_member_with_default (c->message, "type", "");
  if (g_str_equal (type, "agent-state"))
    set_state (p, json_object_get_string_member_with_default (c->message, "state", ""));
}

static void
on_clerk_message (VwSignalClient *c, gpointer data)
{
  Pairing *p = data;
  if (g_getenv ("VW_BENCH_VERBOSE")) {
    g_autoptr (JsonNode) n = json_node_init_object (json_node_alloc (), c->message);
    g_autofree char *text = json_to_string (n, FALSE);
    g_printerr ("  clerk <- %.300s\n", text);
  }
  if (c->server->kind == VW_SIGNAL_JANUS) {
    gboolean error;
    const char *event = janus_event (c->message, &error);
    if (error)
      g_printerr ("  Janus: the call failed: %s\n", event);
    return;
  }
  const char *type = json_object_get_string_member_with_default (c->message, "type", "");
  if (g_str_equal (type, "paired") && !p->paired_us) {
    p->paired_us = g_get_monotonic_time ();
    p->session = g_strdup (json_object_get_string_member_with_default (c->message,
        "session", ""));
  }
}

static gboolean
settled (gpointer data)
{
  VwSignalClient *c = data;
  return c->state == VW_SIGNAL_REGISTERED || c->state == VW_SIGNAL_FAILED;
}

static gboolean
agent_available (gpointer data)
{
  return g_strcmp0 (((Pairing *) data)->agent_state, "available") == 0;
}

static gboolean
clerk_paired (gpointer data)
{
  return ((Pairing *) data)->paired_us != 0;
}

static char *
janus_message (VwSignalClient *c, const char *body, const char *jsep)
{
  return g_strdup_printf ("{\"janus\":\"message\",\"session_id\":%" G_GINT64_FORMAT
      ",\"handle_id\":%" G_GINT64_FORMAT ",\"transaction\":\"m\",\"body\":%s%s%s}",
      c->janus_session, c->janus_handle, body, jsep ? ",\"jsep\":" : "", jsep ? jsep : "");
}

static VwSignalClient *
start_agent (VwSignalServer *s, Pairing *p)
{
  g_autofree char *hello = s->kind == VW_SIGNAL_JANUS ? g_strdup ("agent")
      : g_strdup_printf ("{\"type\":\"hello\",\"id\":1,\"protocol\":1,"
      "\"role\":\"agent\",\"name\":\"张敏\",\"province\":\"shanghai\","
      "\"center\":\"黄浦区政务服务中心\",\"token\":\"%s\"}", agent_token);
  VwSignalClient *agent = vw_signal_client_start (s, hello, NULL, NULL);
  agent->on_message = on_agent_message;
  agent->on_message_data = p;
  vw_test_wait_until (settled, agent, PAIR_TIMEOUT_MS);
  if (agent->state != VW_SIGNAL_REGISTERED)
    return agent;
  if (s->kind == VW_SIGNAL_JANUS) {
    set_state (p, "available");
    return agent;
  }
  vw_signal_client_send (agent, "{\"type\":\"status\",\"id\":\"s\",\"available\":true}");
  vw_test_wait_until (agent_available, p, PAIR_TIMEOUT_MS);
  return agent;
}

static void
send_request (VwSignalClient *clerk)
{
  if (clerk->server->kind == VW_SIGNAL_VW) {
    vw_signal_client_send (clerk, "{\"type\":\"request\",\"id\":\"r\","
        "\"province\":\"shanghai\",\"item\":\"QY-SL-001\"}");
    return;
  }
  g_autofree char *call = janus_message (clerk,
      "{\"request\":\"call\",\"username\":\"agent\"}",
      "{\"type\":\"offer\",\"sdp\":\"" JANUS_OFFER "\"}");
  vw_signal_client_send (clerk, call);
}

static void
send_hangup (VwSignalClient *clerk, Pairing *p)
{
  g_autofree char *hangup = clerk->server->kind == VW_SIGNAL_VW
      ? g_strdup_printf ("{\"type\":\"hangup\",\"id\":\"h\",\"session\":\"%s\"}", p->session)
      : janus_message (clerk, "{\"request\":\"hangup\"}", NULL);
  vw_signal_client_send (clerk, hangup);
}

/* One clerk: connect, register, request; hang up once paired. */
static gboolean
pair_once (VwSignalServer *s, Pairing *p, Figures *f)
{
  p->paired_us = 0;
  g_clear_pointer (&p->session, g_free);
  VwSignalClient *clerk = vw_signal_client_start (s, NULL, NULL, NULL);
  clerk->on_message = on_clerk_message;
  clerk->on_message_data = p;
  vw_test_wait_until (settled, clerk, PAIR_TIMEOUT_MS);
  gint64 requested = g_get_monotonic_time ();
  if (clerk->state == VW_SIGNAL_REGISTERED) {
    send_request (clerk);
    vw_test_wait_until (clerk_paired, p, PAIR_TIMEOUT_MS);
  }
  gboolean ok = p->paired_us != 0;
  if (ok) {
    double ms = (p->paired_us - requested) / 1000.0;
    g_array_append_val (f->request_ms, ms);
    ms = (p->paired_us - clerk->started_us) / 1000.0;
    g_array_append_val (f->connect_ms, ms);
    set_state (p, NULL);
    send_hangup (clerk, p);
    ok = vw_test_wait_until (agent_available, p, PAIR_TIMEOUT_MS);
  }
  g_autoptr (GPtrArray) one = g_ptr_array_new ();
  g_ptr_array_add (one, clerk);
  vw_signal_clients_close (one, close_timeout_ms);
  return ok;
}

static void
pairings (VwSignalServer *s, Figures *f)
{
  Pairing p = { 0 };
  g_autoptr (GPtrArray) agent = g_ptr_array_new ();
  g_ptr_array_add (agent, start_agent (s, &p));
  int done = 0;
  for (; done < opt.pairings && agent_available (&p); done++)
    f->pair_failed += !pair_once (s, &p, f);
  f->pair_failed += opt.pairings - done;   /* the agent never became available */
  f->pair_tries += opt.pairings;
  vw_signal_clients_close (agent, close_timeout_ms);
  g_free (p.agent_state);
  g_free (p.session);
}

/* ---- one server, quiet or attacked ---- */

typedef struct {
  VwSignalServer *server;
  VwSignalAttack *attack;
  Figures *f;
} Watch;

static gboolean
watch_memory (gpointer data)
{
  Watch *w = data;
  gint64 rss = vw_signal_server_rss_kib (w->server);
  w->f->rss_peak = MAX (w->f->rss_peak, rss);
  if (rss > (gint64) opt.rss_cap_mib * 1024 && !w->f->flood_capped) {
    w->f->flood_capped = TRUE;
    vw_signal_attack_stop_flood (w->attack);
    g_printerr ("  %s: over %d MiB under the flood; flood stopped\n",
        w->server->label, opt.rss_cap_mib);
  }
  return G_SOURCE_CONTINUE;
}

static gint64
settled_rss (VwSignalServer *s, guint ms)
{
  vw_test_run_for (ms);
  return vw_signal_server_rss_kib (s);
}

static void
measure (VwSignalServer *s, Figures *f, gboolean attacked)
{
  g_autoptr (GPtrArray) clients = g_ptr_array_new ();
  f->ran = TRUE;
  f->rss0 = settled_rss (s, 500);
  Watch w = { s, NULL, f };
  guint watch = 0;
  if (attacked) {
    w.attack = vw_signal_attack_start (s, opt.half_open);
    watch = g_timeout_add (200, watch_memory, &w);
    f->rss_attacked = settled_rss (s, 1000);
    g_printerr ("  %s: %u half-open, flood sent %.1f MiB\n", s->label,
        vw_signal_attack_half_open (w.attack),
        vw_signal_attack_flood_bytes (w.attack) / 1048576.0);
  }

  for (int i = 0; i < opt.bursts; i++) {
    guint before = f->registered;
    register_clients (s, clients, f, opt.burst, opt.burst, f->burst_ms);
    if (f->registered == before)
      break;
  }
  g_printerr ("  %s: bursts done, p99 %.1f ms\n", s->label,
      vw_bench_percentile (f->burst_ms, 99));
  /* A server that answered none of them is not measured further: every
   * phase would only wait out its time-out. */
  gboolean answers = f->registered > 0 || opt.bursts == 0;
  if (answers)
    pairings (s, f);

  for (guint l = 0; l < n_levels && answers; l++) {
    guint n = levels[l] > clients->len ? levels[l] - clients->len : 0;
    gint64 start = g_get_monotonic_time ();
    double cpu = vw_signal_server_cpu_ms (s);
    guint before = f->registered;
    register_clients (s, clients, f, n, opt.concurrency, NULL);
    guint done = f->registered - before;
    f->rate[l] = done / ((g_get_monotonic_time () - start) / 1e6);
    f->cpu_ms[l] = done ? (vw_signal_server_cpu_ms (s) - cpu) / done : NAN;
    f->rss_level[l] = settled_rss (s, 1000);
    for (guint i = 0; i < clients->len; i++)
      f->idle[l] += ((VwSignalClient *) g_ptr_array_index (clients, i))->state
          == VW_SIGNAL_REGISTERED && !((VwSignalClient *) g_ptr_array_index (clients, i))->closed;
    g_printerr ("  %s: %u idle registered clients, RSS %.1f MiB\n", s->label,
        f->idle[l], f->rss_level[l] / 1024.0);
  }
  if (attacked && answers)
    pairings (s, f);
  if (!answers)
    failure (f, "the server answered no client of the bursts; not measured further");   /* once more with every client idle beside */

  for (guint i = 0; i < clients->len; i++) {
    VwSignalClient *c = g_ptr_array_index (clients, i);
    f->dropped += c->state == VW_SIGNAL_REGISTERED && c->closed;
  }
  f->n_connected = s->n_connected;
  f->n_deflate = s->n_deflate;
  f->offered = g_strdup (s->offered);
  if (w.attack) {
    f->half_open = vw_signal_attack_half_open (w.attack);
    f->half_open_closed = vw_signal_attack_half_open_closed (w.attack);
    f->flood_bytes = vw_signal_attack_flood_bytes (w.attack);
    f->flood_cut = vw_signal_attack_flood_cut (w.attack);
    g_source_remove (watch);
    vw_signal_attack_free (w.attack);
  }
  vw_signal_clients_close (clients, close_timeout_ms);
}

/* ---- the table ---- */

static void
cell (GString *row, double v, int decimals)
{
  if (isnan (v) || v < 0)
    g_string_append_printf (row, " %12s |", "-");
  else
    g_string_append_printf (row, " %12.*f |", decimals, v);
}

static void
row (const char *name, double vw, double janus, int decimals)
{
  g_autoptr (GString) r = g_string_new (NULL);
  g_string_printf (r, "| %-56s |", name);
  cell (r, vw, decimals);
  cell (r, janus, decimals);
  cell (r, janus > 0 && vw >= 0 ? vw / janus : NAN, 2);
  g_print ("%s\n", r->str);
}

static void
row_text (const char *name, const char *vw, const char *janus)
{
  g_print ("| %-56s | %12s | %12s | %12s |\n", name, vw, janus, "");
}

static double
per_client (Figures *f, guint l, gint64 base)
{
  return f->rss_level[l] > 0 && base > 0 && f->idle[l]
      ? (double) (f->rss_level[l] - base) / f->idle[l] : NAN;
}

static void
print_section (Figures *v, Figures *j, gboolean attacked)
{
  char name[128];
  const char *pre = attacked ? "attacked: " : "";
  if (attacked) {
    g_snprintf (name, sizeof name, "attacked: half-open connections made (of %d)", opt.half_open);
    row (name, v->half_open, j->half_open, 0);
    row ("attacked: half-open the server gave up on by the end", v->half_open_closed,
        j->half_open_closed, 0);
    row ("attacked: flood the server took (MiB)", v->flood_bytes / 1048576.0,
        j->flood_bytes / 1048576.0, 1);
    row_text ("attacked: flood connection cut by the server",
        v->flood_cut ? "yes" : "no", j->flood_cut ? "yes" : "no");
    row_text ("attacked: flood stopped by the bench at the RSS cap",
        v->flood_capped ? "yes" : "no", j->flood_capped ? "yes" : "no");
    g_snprintf (name, sizeof name, "attacked: server RSS peak (MiB; flood stops at %d)",
        opt.rss_cap_mib);
    row (name, v->rss_peak / 1024.0, j->rss_peak / 1024.0, 1);
  }
  g_snprintf (name, sizeof name, "%sregistered / failed", pre);
  g_autofree char *vr = g_strdup_printf ("%u / %u", v->registered, v->failed);
  g_autofree char *jr = g_strdup_printf ("%u / %u", j->registered, j->failed);
  row_text (name, vr, jr);
  g_snprintf (name, sizeof name, "%sregistered clients closed by the server", pre);
  row (name, v->ran ? v->dropped : NAN, j->ran ? j->dropped : NAN, 0);
  g_snprintf (name, sizeof name, "%spermessage-deflate agreed (of handshakes)", pre);
  g_autofree char *vd = g_strdup_printf ("%u / %u", v->n_deflate, v->n_connected);
  g_autofree char *jd = g_strdup_printf ("%u / %u", j->n_deflate, j->n_connected);
  row_text (name, vd, jd);
  for (guint l = 0; l < n_levels; l++) {
    g_snprintf (name, sizeof name, "%sregistrations/s, %d in flight, %u -> %u", pre,
        opt.concurrency, l ? levels[l - 1] : (guint) (opt.burst * opt.bursts), levels[l]);
    row (name, v->ran ? v->rate[l] : NAN, j->ran ? j->rate[l] : NAN, 0);
    g_snprintf (name, sizeof name, "%sserver CPU a registration, %u -> %u (ms)", pre,
        l ? levels[l - 1] : (guint) (opt.burst * opt.bursts), levels[l]);
    row (name, v->ran ? v->cpu_ms[l] : NAN, j->ran ? j->cpu_ms[l] : NAN, 2);
  }
  g_snprintf (name, sizeof name, "%s%d at once x %d: p50 (ms)", pre, opt.burst, opt.bursts);
  row (name, vw_bench_percentile (v->burst_ms, 50), vw_bench_percentile (j->burst_ms, 50), 1);
  g_snprintf (name, sizeof name, "%s%d at once x %d: p99 (ms)", pre, opt.burst, opt.bursts);
  row (name, vw_bench_percentile (v->burst_ms, 99), vw_bench_percentile (j->burst_ms, 99), 1);
  g_snprintf (name, sizeof name, "%sserver RSS, no client (MiB)", pre);
  row (name, v->rss0 / 1024.0, j->rss0 / 1024.0, 1);
  if (attacked) {
    row ("attacked: server RSS, attack begun, no client (MiB)", v->rss_attacked / 1024.0,
        j->rss_attacked / 1024.0, 1);
  }
  for (guint l = 0; l < n_levels; l++) {
    g_snprintf (name, sizeof name, "%sidle registered clients, aiming at %u", pre, levels[l]);
    row (name, v->ran ? v->idle[l] : NAN, j->ran ? j->idle[l] : NAN, 0);
    g_snprintf (name, sizeof name, "%sserver RSS, %u idle clients (MiB)", pre, levels[l]);
    row (name, v->rss_level[l] > 0 ? v->rss_level[l] / 1024.0 : NAN,
        j->rss_level[l] > 0 ? j->rss_level[l] / 1024.0 : NAN, 1);
    g_snprintf (name, sizeof name, "%sper idle client, aiming at %u (KiB)", pre, levels[l]);
    row (name, per_client (v, l, attacked ? v->rss_attacked : v->rss0),
        per_client (j, l, attacked ? j->rss_attacked : j->rss0), 1);
  }
  g_snprintf (name, sizeof name, "%sclerk request -> paired, p50 (ms)", pre);
  row (name, vw_bench_percentile (v->request_ms, 50), vw_bench_percentile (j->request_ms, 50), 1);
  g_snprintf (name, sizeof name, "%sclerk request -> paired, max (ms)", pre);
  row (name, vw_bench_percentile (v->request_ms, 100), vw_bench_percentile (j->request_ms, 100), 1);
  g_snprintf (name, sizeof name, "%sclerk connect -> paired, max (ms)", pre);
  row (name, vw_bench_percentile (v->connect_ms, 100), vw_bench_percentile (j->connect_ms, 100), 1);
  g_snprintf (name, sizeof name, "%spairings failed (of %u)", pre,
      MAX (v->pair_tries, j->pair_tries));
  row (name, v->pair_tries ? v->pair_failed : NAN, j->pair_tries ? j->pair_failed : NAN, 0);
}

static void
print_table (Figures quiet[2], Figures attacked[2])
{
  g_print ("\nvirtual-window: signalling under load, vw-server beside Janus 1.1.2 VideoCall,"
      " loopback, %u cores%s\n", g_get_num_processors (), opt.smoke ? " (smoke)" : "");
  const char *offered = quiet[0].offered ? quiet[0].offered : quiet[1].offered;
  g_print ("clients offer: Sec-WebSocket-Extensions: %s\n\n",
      offered ? offered : "(nothing)");
  g_print ("| %-56s | %12s | %12s | %12s |\n", "measure", "vw-server", "Janus", "vw / Janus");
  g_print ("|----------------------------------------------------------|--------------|"
      "--------------|--------------|\n");
  print_section (&quiet[0], &quiet[1], FALSE);
  if (attacked[0].ran)
    print_section (&attacked[0], &attacked[1], TRUE);
  for (int i = 0; i < 2; i++) {
    Figures *f[] = { &quiet[i], &attacked[i] };
    for (int k = 0; k < 2; k++)
      if (f[k]->first_failure)
        g_print ("%s%s: first failure: %s\n", k ? "attacked: " : "", i ? "Janus" : "vw-server",
            f[k]->first_failure);
  }
}

/* ---- main ---- */

static void
raise_fd_limit (void)
{
  struct rlimit r;
  if (getrlimit (RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit (RLIMIT_NOFILE, &r);   /* the servers inherit it */
  }
  getrlimit (RLIMIT_NOFILE, &r);
  guint need = levels[n_levels - 1] + opt.half_open + 256;
  if (r.rlim_cur < need)
    g_printerr ("warning: %lu file descriptors allowed, %u needed\n",
        (unsigned long) r.rlim_cur, need);
}

static gboolean
parse_levels (void)
{
  g_auto (GStrv) parts = g_strsplit (opt.levels, ",", -1);
  n_levels = 0;
  for (guint i = 0; parts[i] && n_levels < MAX_LEVELS; i++) {
    guint64 n;
    if (!g_ascii_string_to_unsigned (parts[i], 10, 1, 100000, &n, NULL))
      return FALSE;
    if (n_levels && n <= levels[n_levels - 1])
      return FALSE;
    levels[n_levels++] = n;
  }
  return n_levels > 0 && !parts[n_levels];
}

static VwSignalServer *
start (VwSignalKind kind)
{
  if (kind == VW_SIGNAL_VW) {
    VwSignalServer *s = vw_signal_server_start_vw ((const char *[]) { "--no-record", NULL });
    g_free (vw_test_server_add_account (s->vw, "zhangmin", "agent", "张敏", "shanghai",
        "黄浦区政务服务中心", NULL));
    /* Signed in before any attack: the bench judges signalling, not the
     * HTTP API. */
    g_free (agent_token);
    agent_token = vw_test_server_token (s->vw, "zhangmin");
    return s;
  }
  g_autoptr (GError) error = NULL;
  VwSignalServer *s = vw_signal_server_start_janus (VW_BENCH_JANUS_TEMPLATES, &error);
  if (!s)
    g_printerr ("vw-bench-signal: %s\n", error->message);
  return s;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  GOptionEntry entries[] = {
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &opt.smoke, "Tiny numbers, for the test suite", NULL },
    { "clients", 'n', 0, G_OPTION_ARG_STRING, &opt.levels, "Idle client levels (default 2000,9000)", "N,N" },
    { "concurrency", 'c', 0, G_OPTION_ARG_INT, &opt.concurrency, "Registrations in flight (default 32)", "N" },
    { "burst", 0, 0, G_OPTION_ARG_INT, &opt.burst, "Clients connecting at once (default 64)", "N" },
    { "bursts", 0, 0, G_OPTION_ARG_INT, &opt.bursts, "How many bursts (default 5)", "N" },
    { "half-open", 0, 0, G_OPTION_ARG_INT, &opt.half_open, "Half-open connections (default 1000)", "N" },
    { "pairings", 0, 0, G_OPTION_ARG_INT, &opt.pairings, "Clerk pairings timed (default 10)", "N" },
    { "rss-cap", 0, 0, G_OPTION_ARG_INT, &opt.rss_cap_mib, "Stop the flood when a server passes this RSS (MiB, default 2048)", "MIB" },
    { "quiet-only", 0, 0, G_OPTION_ARG_NONE, &opt.quiet_only, "No attacked run", NULL },
    { "only", 0, 0, G_OPTION_ARG_STRING, &opt.only, "Measure one server only (vw or janus)", "SERVER" },
    { "no-deflate", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &vw_signal_offer_deflate,
      "Clients do not offer permessage-deflate (unlike browsers; to see what it costs)", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- signalling load, vw-server beside Janus");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("vw-bench-signal: %s\n", error->message);
    return 2;
  }
  if (opt.smoke) {
    opt.levels = opt.levels ? opt.levels : g_strdup ("20");
    opt.burst = 8, opt.bursts = 1, opt.half_open = 50, opt.pairings = 2;
    batch_timeout_ms = 3000;
    close_timeout_ms = 2000;
  }
  if (!opt.levels)
    opt.levels = g_strdup ("2000,9000");
  if (!parse_levels () || opt.concurrency < 1 || opt.burst < 1 || opt.bursts < 0
      || opt.half_open < 0 || opt.pairings < 0) {
    g_printerr ("vw-bench-signal: bad arguments (--clients: increasing numbers)\n");
    return 2;
  }
  /* vw-server runs under another name, through a link: on a machine shared
   * with test runs, a clean-up by name (pkill vw-server) must not end the
   * server in the middle of a measure (it happened). */
  g_autofree char *link_dir = g_dir_make_tmp ("vw-bench-signal-XXXXXX", NULL);
  g_autofree char *link = link_dir ? g_build_filename (link_dir, "vwsig-hub", NULL) : NULL;
  if (link && symlink (g_getenv ("VW_SERVER") ? g_getenv ("VW_SERVER") : VW_SERVER_PATH,
      link) == 0)
    g_setenv ("VW_SERVER", link, TRUE);
  else
    g_setenv ("VW_SERVER", VW_SERVER_PATH, FALSE);
  g_setenv ("VW_ADMIN", VW_ADMIN_PATH, FALSE);
  /* The server's log goes to a file, as Janus's does: read from a pipe by
   * this busy main loop a line at a time, it held vw-server back (one line
   * a registration: 125 registrations/s instead of 352 at 2,000-9,000). */
  g_autofree char *server_log = link_dir ? g_build_filename (link_dir, "vw-server.log", NULL)
      : NULL;
  if (server_log)
    g_setenv ("VW_TEST_SERVER_STDERR", server_log, TRUE);
  raise_fd_limit ();

  Figures quiet[2] = { 0 }, attacked[2] = { 0 };
  for (int i = 0; i < 2; i++) {
    figures_init (&quiet[i]);
    figures_init (&attacked[i]);
  }
  gboolean janus_ok = TRUE;
  for (int a = 0; a < (opt.quiet_only ? 1 : 2); a++) {
    for (int k = 0; k < 2; k++) {
      if (opt.only && g_strcmp0 (opt.only, k ? "janus" : "vw") != 0)
        continue;
      g_printerr ("%s, %s\n", k ? "Janus" : "vw-server", a ? "attacked" : "quiet");
      VwSignalServer *s = start (k ? VW_SIGNAL_JANUS : VW_SIGNAL_VW);
      if (!s) {
        janus_ok = FALSE;
        continue;
      }
      measure (s, a ? &attacked[k] : &quiet[k], a);
      vw_signal_server_stop (s);
    }
  }
  print_table (quiet, attacked);
  if (link) {
    g_unlink (link);
    if (g_getenv ("VW_BENCH_KEEP"))
      g_printerr ("vw-server's log: %s\n", server_log);
    else {
      g_unlink (server_log);
      g_rmdir (link_dir);
    }
  }

  /* What breaks the benchmark (and the smoke test): clients that do not
   * offer permessage-deflate, Janus missing, a quiet server failing a
   * registration or pairing, an attack that could not be made.  What an
   * attack does to a server is a figure, not a failure. */
  const char *offer = quiet[0].offered ? quiet[0].offered : quiet[1].offered;
  gboolean offered = !vw_signal_offer_deflate || (offer && strstr (offer, "permessage-deflate"));
  guint failed = 0, unmade = 0;
  for (int i = 0; i < 2; i++) {
    failed += quiet[i].failed + quiet[i].pair_failed;
    unmade += attacked[i].ran && (attacked[i].half_open < (guint) opt.half_open
        || attacked[i].flood_bytes == 0);
  }
  if (!offered)
    g_print ("\nFAILED: the clients did not offer permessage-deflate\n");
  if (!janus_ok)
    g_print ("\nFAILED: Janus did not start\n");
  if (failed)
    g_print ("\nFAILED: %u registrations or pairings failed without an attack\n", failed);
  if (unmade)
    g_print ("\nFAILED: the attack could not be made on %u server(s)\n", unmade);
  return offered && janus_ok && failed == 0 && unmade == 0 ? 0 : 1;
}
