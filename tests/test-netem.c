/* test-netem: the impairment harness itself (tests/vw-link.c behind
 * tests/vw-netns.h).  UDP probes from the host to an echo inside the
 * namespace (this program again, run there with --echo) count what the
 * link lets through: the share lost against the binomial spread of the
 * share asked, round trips against the delay set, the throughput against
 * the rate cap, nothing through a blackout, the old address dead after a
 * readdress.  Last, a real call: vw-server on the host, a clerk's
 * vw-client inside the namespace, the agent's outside, frames decoded both
 * ways through the link. */
#include <arpa/inet.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "vw-netns.h"
#include "vw-test-util.h"

#define ECHO_PORT 7007
#define PROBE_SIZE 200

/* ---- the echo, run inside the namespace ---- */

/* UDP and TCP echo on ECHO_PORT of every address; "ready" on stdout once
 * bound; ends on stdin's EOF. */
static int
run_echo (void)
{
  int u = socket (AF_INET, SOCK_DGRAM, 0);
  int t = socket (AF_INET, SOCK_STREAM, 0);
  int one = 1, size = 8 << 20;
  setsockopt (u, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  setsockopt (t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (ECHO_PORT) };
  if (bind (u, (struct sockaddr *) &sa, sizeof sa) < 0
      || bind (t, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (t, 4) < 0) {
    perror ("echo: bind");
    return 1;
  }
  printf ("ready\n");
  fflush (stdout);
  struct pollfd pfd[8] = {
    { .fd = 0, .events = POLLIN }, { .fd = u, .events = POLLIN },
    { .fd = t, .events = POLLIN },
  };
  int n = 3;
  char buf[65536];
  for (;;) {
    if (poll (pfd, n, -1) < 0)
      continue;
    if (pfd[0].revents)
      return 0;   /* stdin closed (or anything on it) */
    if (pfd[1].revents & POLLIN) {
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      ssize_t r = recvfrom (u, buf, sizeof buf, 0, (struct sockaddr *) &from, &len);
      if (r > 0)
        sendto (u, buf, r, 0, (struct sockaddr *) &from, len);
    }
    if ((pfd[2].revents & POLLIN) && n < 8) {
      int c = accept (t, NULL, NULL);
      if (c >= 0)
        pfd[n++] = (struct pollfd) { .fd = c, .events = POLLIN };
    }
    for (int i = 3; i < n; i++) {
      if (!pfd[i].revents)
        continue;
      ssize_t r = read (pfd[i].fd, buf, sizeof buf);
      if (r <= 0) {
        close (pfd[i].fd);
        pfd[i] = pfd[--n];
        i--;
      } else if (write (pfd[i].fd, buf, r) < 0) {
        /* the peer is gone; its read ends it */
      }
    }
  }
}

/* ---- the host's side ---- */

typedef struct {
  VwNetns *ns;
  GSubprocess *echo;
  int sock;             /* UDP, on the host's end */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->ns = vw_netns_new (&error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (vw_netns_get_name (f->ns), "vwt-"));
  const char *argv[] = { "/proc/self/exe", "--echo", NULL };
  g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);
  argv[0] = self;
  f->echo = vw_netns_spawn (f->ns,
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv, &error);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (f->echo));
  g_autofree char *ready = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ready, ==, "ready");

  f->sock = socket (AF_INET, SOCK_DGRAM, 0);
  /* Room for a whole batch of echoes (a TUN's packets take much memory
   * each); we are root. */
  int size = 8 << 20;
  setsockopt (f->sock, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  struct sockaddr_in sa = { .sin_family = AF_INET };
  inet_pton (AF_INET, vw_netns_get_host_address (f->ns), &sa.sin_addr);
  g_assert_cmpint (bind (f->sock, (struct sockaddr *) &sa, sizeof sa), ==, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  close (f->sock);
  g_output_stream_close (g_subprocess_get_stdin_pipe (f->echo), NULL, NULL);
  g_subprocess_wait (f->echo, NULL, NULL);
  g_object_unref (f->echo);
  g_autofree char *name = g_strdup (vw_netns_get_name (f->ns));
  vw_netns_free (f->ns);
  g_autofree char *path = g_strconcat ("/run/netns/", name, NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
set_ok (gboolean ok, GError *error)
{
  g_assert_no_error (error);
  g_assert_true (ok);
}

static VwNetnsCounters
counters (Fixture *f)
{
  VwNetnsCounters c;
  g_autoptr (GError) error = NULL;
  set_ok (vw_netns_get_counters (f->ns, &c, &error), error);
  return c;
}

typedef struct {
  guint sent, received;
  gint64 *rtt_us;          /* per probe; -1: no answer */
  gint64 *arrived_at;      /* per probe, monotonic us */
  guint *order;            /* sequence numbers in the order they came back */
} Probes;

static void
probes_clear (Probes *p)
{
  g_free (p->rtt_us);
  g_free (p->arrived_at);
  g_free (p->order);
}

/* Reads the echoes waiting, or coming within @timeout_us. */
static void
collect (Fixture *f, Probes *p, const gint64 *sent_at, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  guint8 buf[2048];
  for (;;) {
    gint64 left = deadline - g_get_monotonic_time ();
    struct pollfd pfd = { .fd = f->sock, .events = POLLIN };
    if (poll (&pfd, 1, left > 0 ? (int) ((left + 999) / 1000) : 0) <= 0)
      return;
    ssize_t r = recv (f->sock, buf, sizeof buf, MSG_DONTWAIT);
    if (r < 4)
      continue;
    guint32 seq;
    memcpy (&seq, buf, 4);
    seq = ntohl (seq);
    if (seq < p->sent && p->rtt_us[seq] < 0 && sent_at[seq]) {
      p->arrived_at[seq] = g_get_monotonic_time ();
      p->rtt_us[seq] = p->arrived_at[seq] - sent_at[seq];
      p->order[p->received++] = seq;
    }
  }
}

/* Sends @count probes of @size bytes to @address in batches of @batch, one
 * every @gap_us (collecting echoes meanwhile), and collects the echoes of
 * each batch until all came or @quiet_ms pass without one. */
static Probes
probe (Fixture *f, const char *address, guint count, guint size, guint batch,
    gint64 gap_us, guint quiet_ms)
{
  Probes p = { .sent = count };
  p.rtt_us = g_new (gint64, count);
  p.order = g_new0 (guint, count);
  p.arrived_at = g_new0 (gint64, count);
  gint64 *sent_at = g_new0 (gint64, count);
  for (guint i = 0; i < count; i++)
    p.rtt_us[i] = -1;
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (ECHO_PORT) };
  g_assert_cmpint (inet_pton (AF_INET, address, &to.sin_addr), ==, 1);
  guint8 buf[2048] = { 0 };
  g_assert_cmpuint (size, <=, sizeof buf);
  g_assert_cmpuint (size, >=, 4);

  for (guint first = 0; first < count; first += batch) {
    guint last = MIN (first + batch, count);
    for (guint i = first; i < last; i++) {
      guint32 seq = htonl (i);
      memcpy (buf, &seq, 4);
      sent_at[i] = g_get_monotonic_time ();
      g_assert_cmpint (sendto (f->sock, buf, size, 0, (struct sockaddr *) &to, sizeof to),
          ==, (gssize) size);
      if (gap_us)
        collect (f, &p, sent_at, sent_at[i] + gap_us - g_get_monotonic_time ());
    }
    guint before;
    do {
      before = p.received;
      if (p.received == last)
        break;
      collect (f, &p, sent_at, 0);
      if (p.received == before) {
        struct pollfd pfd = { .fd = f->sock, .events = POLLIN };
        if (poll (&pfd, 1, quiet_ms) <= 0)
          break;
      }
    } while (TRUE);
  }
  g_free (sent_at);
  return p;
}

/* |observed - n p| within 5 standard deviations of a binomial(n, p). */
static void
assert_binomial (guint64 observed, guint64 n, double p)
{
  double mean = n * p, sd = sqrt (n * p * (1 - p));
  g_test_message ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " (expected %.1f +- %.1f)",
      observed, n, mean, sd);
  g_assert_cmpfloat (fabs ((double) observed - mean), <=, 5 * sd + 1);
}

/* Loss drops about the share asked each way (10 % down, 20 % up, 2.5 %
 * down: 0.1 precision), and nothing else is lost. */
static void
test_loss (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  set_ok (vw_netns_set_loss (f->ns, VW_NETNS_DOWN, 10, &error), error);
  set_ok (vw_netns_set_loss (f->ns, VW_NETNS_UP, 20, &error), error);
  Probes p = probe (f, vw_netns_get_address (f->ns), 2000, PROBE_SIZE, 100, 0, 200);
  VwNetnsCounters c = counters (f);
  g_assert_cmpuint (c.down.passed + c.down.lost, ==, p.sent);
  assert_binomial (c.down.lost, p.sent, 0.10);
  g_assert_cmpuint (c.up.passed + c.up.lost, ==, c.down.passed);
  assert_binomial (c.up.lost, c.down.passed, 0.20);
  g_assert_cmpuint (p.received, ==, c.up.passed);
  g_assert_cmpuint (c.down.overflow + c.up.overflow + c.down.blackout + c.up.blackout, ==, 0);
  probes_clear (&p);

  set_ok (vw_netns_reset_counters (f->ns, &error), error);
  set_ok (vw_netns_set_loss (f->ns, VW_NETNS_BOTH, 0, &error), error);
  set_ok (vw_netns_set_loss (f->ns, VW_NETNS_DOWN, 2.5, &error), error);
  p = probe (f, vw_netns_get_address (f->ns), 4000, PROBE_SIZE, 100, 0, 200);
  c = counters (f);
  assert_binomial (c.down.lost, p.sent, 0.025);
  g_assert_cmpuint (c.up.lost, ==, 0);
  g_assert_cmpuint (p.received, ==, c.down.passed);
  probes_clear (&p);

  /* Nonsense is refused, the setting kept. */
  g_assert_false (vw_netns_set_loss (f->ns, VW_NETNS_UP, 150, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Delay adds to the round trip (40 ms down + 60 ms up: no echo under
 * 100 ms, the median not far above); with jitter, echoes still come back
 * in the order sent. */
static void
test_delay (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Probes base = probe (f, vw_netns_get_address (f->ns), 20, PROBE_SIZE, 1, 0, 500);
  g_assert_cmpuint (base.received, ==, 20);
  probes_clear (&base);

  set_ok (vw_netns_set_delay (f->ns, VW_NETNS_DOWN, 40, &error), error);
  set_ok (vw_netns_set_delay (f->ns, VW_NETNS_UP, 60, &error), error);
  Probes p = probe (f, vw_netns_get_address (f->ns), 20, PROBE_SIZE, 1, 0, 500);
  g_assert_cmpuint (p.received, ==, 20);
  qsort (p.rtt_us, 20, sizeof (gint64), cmp_gint64);
  g_test_message ("round trip with 40+60 ms: min %" G_GINT64_FORMAT " us, median %"
      G_GINT64_FORMAT " us", p.rtt_us[0], p.rtt_us[10]);
  g_assert_cmpint (p.rtt_us[0], >=, 100000);
  g_assert_cmpint (p.rtt_us[10], <, 100000 + 150000);
  probes_clear (&p);

  /* 50 probes 1 ms apart with +-30 ms of jitter each way: never reordered,
   * never sooner than the delay less the jitter. */
  set_ok (vw_netns_set_jitter (f->ns, VW_NETNS_BOTH, 30, &error), error);
  p = probe (f, vw_netns_get_address (f->ns), 50, PROBE_SIZE, 50, 1000, 800);
  g_assert_cmpuint (p.received, ==, 50);
  for (guint i = 0; i < 50; i++) {
    g_assert_cmpuint (p.order[i], ==, i);
    g_assert_cmpint (p.rtt_us[i], >=, 100000 - 60000);
  }
  probes_clear (&p);
}

/* A 1000 kbit/s cap down: a sender at twice that sees about the cap's
 * throughput, never more, and the excess dropped at the full queue. */
static void
test_rate (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  set_ok (vw_netns_set_rate (f->ns, VW_NETNS_DOWN, 1000, &error), error);
  /* 1000-byte datagrams (1028 on the link) every 4 ms: 2 Mbit/s, 2 s. */
  Probes p = probe (f, vw_netns_get_address (f->ns), 500, 1000, 500, 4000, 500);
  VwNetnsCounters c = counters (f);
  g_assert_cmpuint (c.down.overflow, >, 0);
  g_assert_cmpuint (c.down.passed + c.down.overflow, ==, p.sent);
  g_assert_cmpuint (p.received, ==, c.down.passed);
  /* Throughput over the echoes' arrivals: first..last. */
  gint64 first = G_MAXINT64, last = 0;
  for (guint i = 0; i < p.sent; i++) {
    if (p.rtt_us[i] < 0)
      continue;
    first = MIN (first, p.arrived_at[i]);
    last = MAX (last, p.arrived_at[i]);
  }
  double kbits = (p.received - 1) * 1028 * 8.0 / ((last - first) / 1000.0);
  g_test_message ("%u of %u through a 1000 kbit/s cap: %.0f kbit/s", p.received, p.sent,
      kbits);
  g_assert_cmpfloat (kbits, <=, 1000 * 1.05);
  g_assert_cmpfloat (kbits, >=, 1000 * 0.8);
  probes_clear (&p);
}

/* A blackout drops everything both ways; afterwards packets pass again. */
static void
test_blackout (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  set_ok (vw_netns_blackout (f->ns, TRUE, &error), error);
  Probes p = probe (f, vw_netns_get_address (f->ns), 50, PROBE_SIZE, 50, 0, 500);
  g_assert_cmpuint (p.received, ==, 0);
  VwNetnsCounters c = counters (f);
  g_assert_cmpuint (c.down.blackout, >=, 50);
  g_assert_cmpuint (c.down.passed, ==, 0);
  probes_clear (&p);

  set_ok (vw_netns_blackout (f->ns, FALSE, &error), error);
  p = probe (f, vw_netns_get_address (f->ns), 50, PROBE_SIZE, 50, 0, 500);
  g_assert_cmpuint (p.received, ==, 50);
  probes_clear (&p);
}

static gboolean
tcp_echo_once (int fd, char byte, guint timeout_ms)
{
  if (write (fd, &byte, 1) != 1)
    return FALSE;
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char got;
  return poll (&pfd, 1, timeout_ms) > 0 && read (fd, &got, 1) == 1 && got == byte;
}

/* After a readdress the namespace has a new address (and not the old
 * one), the new one answers, the old one does not, and a TCP connection
 * made before is dead. */
static void
test_readdress (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *old = g_strdup (vw_netns_get_address (f->ns));
  int tcp = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (ECHO_PORT) };
  inet_pton (AF_INET, old, &sa.sin_addr);
  g_assert_cmpint (connect (tcp, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  g_assert_true (tcp_echo_once (tcp, 'a', 5000));

  set_ok (vw_netns_readdress (f->ns, &error), error);
  const char *now = vw_netns_get_address (f->ns);
  g_assert_cmpstr (now, !=, old);
  g_assert_true (g_str_has_prefix (now, "10.77."));

  g_autofree char *out = NULL;
  const char *argv[] = { "ip", "-n", vw_netns_get_name (f->ns), "-4", "-o", "addr",
    "show", "dev", "vw0", NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
      NULL, &out, NULL, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *now_cidr = g_strconcat (" ", now, "/", NULL);
  g_autofree char *old_cidr = g_strconcat (" ", old, "/", NULL);
  g_assert_nonnull (strstr (out, now_cidr));
  g_assert_null (strstr (out, old_cidr));

  Probes p = probe (f, now, 20, PROBE_SIZE, 20, 0, 500);
  g_assert_cmpuint (p.received, ==, 20);
  probes_clear (&p);
  p = probe (f, old, 20, PROBE_SIZE, 20, 0, 500);
  g_assert_cmpuint (p.received, ==, 0);
  probes_clear (&p);
  g_assert_false (tcp_echo_once (tcp, 'b', 1500));
  close (tcp);
}

/* ---- a real call through the link ---- */

#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai"

static gint64
frames_of (VwTestClient *c, const char *track, guint *from, guint timeout_ms)
{
  JsonObject *stats = vw_test_client_wait_event (c, "stats", from, timeout_ms);
  JsonObject *t = vw_test_stats_track (stats, track);
  return t ? json_object_get_int_member (t, "frames") : 0;
}

/* vw-server on the host, listening and offering ICE on the link's host
 * end; the clerk inside the namespace, the agent outside.  Both decode
 * 640x480 camera frames, and the link counted the media both ways. */
static void
test_call (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *host = vw_netns_get_host_address (f->ns);
  const char *server_args[] = { "--address", host, "--ice-address", host, NULL };
  VwTestServer *server = vw_test_server_start (server_args);
  g_autofree char *prefix = g_strdup_printf ("http://%s:", host);
  g_assert_true (g_str_has_prefix (server->url, prefix));
  g_autofree char *agent_pw = vw_test_server_add_account (server, "zhangmin", "agent",
      "张敏", "shanghai", "黄浦区政务服务中心", NULL);

  const char *agent_args[] = { "--role", "agent", "--user", "zhangmin",
    "--password-file", agent_pw, "--max-sessions", "1", NULL };
  VwTestClientOptions outside = { .ice_address = host };
  g_autoptr (VwTestClient) agent = vw_test_client_start_with (server, "张敏", &outside,
      agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  set_ok (vw_netns_reset_counters (f->ns, &error), error);

  const char *clerk_args[] = { CLERK_ARGS, NULL };
  VwTestClientOptions inside = { .wrapper = vw_netns_wrapper (f->ns), .ice_address = "" };
  g_autoptr (VwTestClient) clerk = vw_test_client_start_with (server, "李华", &inside,
      clerk_args);
  vw_test_client_wait_event (clerk, "paired", NULL, 10000);

  VwTestClient *sides[] = { agent, clerk };
  for (guint i = 0; i < G_N_ELEMENTS (sides); i++) {
    JsonObject *ff = vw_test_client_wait_event (sides[i], "first-frame", NULL, 15000);
    g_assert_cmpstr (json_object_get_string_member (ff, "track"), ==, "camera");
    g_assert_cmpint (json_object_get_int_member (ff, "width"), ==, 640);
    g_assert_cmpint (json_object_get_int_member (ff, "height"), ==, 480);
    guint from = 0;
    gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
    while (frames_of (sides[i], "camera", &from, 15000) < 30)
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  }
  /* The media went through the link: many packets, both ways, none lost. */
  VwNetnsCounters c = counters (f);
  g_test_message ("link: up %" G_GUINT64_FORMAT " packets %" G_GUINT64_FORMAT
      " bytes, down %" G_GUINT64_FORMAT " packets %" G_GUINT64_FORMAT " bytes",
      c.up.passed, c.up.bytes, c.down.passed, c.down.bytes);
  g_assert_cmpuint (c.up.passed, >, 100);
  g_assert_cmpuint (c.down.passed, >, 100);
  g_assert_cmpuint (c.up.bytes, >, 50000);
  g_assert_cmpuint (c.down.bytes, >, 50000);
  g_assert_cmpuint (c.up.lost + c.down.lost + c.up.overflow + c.down.overflow, ==, 0);

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  vw_test_client_wait_event (agent, "ended", NULL, 10000);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 5000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 5000), ==, 0);
  vw_test_server_stop (server);
}

int
main (int argc, char **argv)
{
  if (argc == 2 && g_str_equal (argv[1], "--echo"))
    return run_echo ();
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/netem/loss", test_loss);
  ADD ("/netem/delay", test_delay);
  ADD ("/netem/rate", test_rate);
  ADD ("/netem/blackout", test_blackout);
  ADD ("/netem/readdress", test_readdress);
  ADD ("/netem/call", test_call);
  return g_test_run ();
}
