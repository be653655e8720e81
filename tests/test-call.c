/* test-call: real calls through a real vw-server and its hub, between real
 * vw-client processes with test sources, on loopback.  Assertions are on
 * what arrived: decoded frames at the size sent, audio that is not silence,
 * keyframes on request, and the session's end on both sides. */
#include <locale.h>
#include <signal.h>
#include "vw-test-util.h"

/* The agent is an account (张敏 of 黄浦区政务服务中心, shanghai) and signs in. */
#define AGENT_ARGS "--role", "agent", "--user", "zhangmin", "--password-file", f->agent_pw
#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai"

typedef struct {
  VwTestServer *server;
  char *agent_pw;         /* the agent account's password file */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = vw_test_server_start (NULL);
  f->agent_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_test_server_stop (f->server);
  g_free (f->agent_pw);
}

static gint64
event_time (JsonObject *event)
{
  return json_object_get_int_member (event, "t");
}

/* Waits for a stats event in which @track has at least @frames frames. */
static JsonObject *
wait_frames (VwTestClient *c, const char *track, gint64 frames, guint timeout_ms)
{
  guint from = 0;
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  while (g_get_monotonic_time () < deadline) {
    JsonObject *stats = vw_test_client_wait_event (c, "stats", &from, timeout_ms);
    JsonObject *t = vw_test_stats_track (stats, track);
    if (t && json_object_get_int_member (t, "frames") >= frames)
      return t;
  }
  g_error ("%s: fewer than %" G_GINT64_FORMAT " %s frames in %u ms", c->name,
      frames, track, timeout_ms);
}

static void
assert_first_frame (VwTestClient *c, const char *track, gint64 w, gint64 h)
{
  JsonObject *ff = vw_test_client_wait_event (c, "first-frame", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (ff, "track"), ==, track);
  g_assert_cmpint (json_object_get_int_member (ff, "width"), ==, w);
  g_assert_cmpint (json_object_get_int_member (ff, "height"), ==, h);
}

/* Both sides see and hear each other through the hub, then a hangup ends
 * the session on both within 2 s. */
static void
test_call_both_ways (Fixture *f, gconstpointer data)
{
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "1", NULL };
  const char *clerk_args[] = { CLERK_ARGS, "--duration", "5", NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "李华", clerk_args);

  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  JsonObject *peer = json_object_get_object_member (paired, "peer");
  g_assert_cmpstr (json_object_get_string_member (peer, "name"), ==, "张敏");
  g_assert_cmpstr (json_object_get_string_member (peer, "province"), ==, "shanghai");
  g_assert_cmpstr (json_object_get_string_member (
      json_object_get_object_member (
          vw_test_client_wait_event (agent, "paired", NULL, 5000), "peer"),
      "center"), ==, "嘉善县行政服务中心");

  VwTestClient *sides[] = { agent, clerk };
  for (guint i = 0; i < G_N_ELEMENTS (sides); i++) {
    vw_test_client_wait_event (sides[i], "connected", NULL, 10000);
    assert_first_frame (sides[i], "camera", 640, 480);
    vw_test_client_wait_event (sides[i], "first-audio", NULL, 10000);
    wait_frames (sides[i], "camera", 30, 10000);
    /* A 440 Hz tone at 0.3 peaks near -10 dBFS; silence is -120. */
    JsonObject *audio = wait_frames (sides[i], "audio", 50, 10000);
    g_assert_cmpfloat (json_object_get_double_member (audio, "peak_db"), >, -30.0);
    g_assert_cmpint (json_object_get_int_member (audio, "bytes"), >, 1000);
  }

  JsonObject *clerk_end = vw_test_client_wait_event (clerk, "ended", NULL, 15000);
  JsonObject *agent_end = vw_test_client_wait_event (agent, "ended", NULL, 5000);
  g_assert_cmpstr (json_object_get_string_member (clerk_end, "reason"), ==, "hangup");
  g_assert_cmpstr (json_object_get_string_member (agent_end, "reason"), ==, "peer-hangup");
  g_assert_cmpint (ABS (event_time (clerk_end) - event_time (agent_end)), <, 2000);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 5000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 5000), ==, 0);
}

/* The camera keyframes @c has encoded, from its latest stats event. */
static gint64
sent_keyframes (VwTestClient *c)
{
  guint from = c->events->len;
  JsonObject *stats = vw_test_client_wait_event (c, "stats", &from, 5000);
  JsonArray *sent = json_object_get_array_member (stats, "sent");
  for (guint i = 0; sent && i < json_array_get_length (sent); i++) {
    JsonObject *t = json_array_get_object_element (sent, i);
    if (g_str_equal (json_object_get_string_member (t, "track"), "camera"))
      return json_object_get_int_member (t, "keyframes");
  }
  g_error ("%s sends no camera", c->name);
}

/* A receiver's keyframe request (RTCP PLI) reaches the sender through the
 * hub.  The encoder makes keyframes by itself only every 300 frames, so
 * none come while the call runs quietly; one comes once the clerk's decoder
 * asks for it. */
static void
test_keyframe_requests (Fixture *f, gconstpointer data)
{
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "1",
    "--stats-interval", "200", NULL };
  const char *clerk_args[] = { CLERK_ARGS, NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "王芳", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "陈静", clerk_args);
  vw_test_client_wait_event (clerk, "first-frame", NULL, 10000);
  vw_test_client_wait_event (agent, "first-frame", NULL, 10000);

  vw_test_run_for (1500);    /* start-up keyframe requests are over */
  gint64 quiet = sent_keyframes (agent);
  vw_test_run_for (2000);
  g_assert_cmpint (sent_keyframes (agent), ==, quiet);

  vw_test_client_command (clerk, "{\"command\":\"request-keyframe\"}");
  JsonObject *req = vw_test_client_wait_event (clerk, "keyframe-requested", NULL, 5000);
  g_assert_cmpint (json_object_get_int_member (req, "tracks"), ==, 1);
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (sent_keyframes (agent) == quiet && g_get_monotonic_time () < deadline)
    ;
  g_assert_cmpint (sent_keyframes (agent), >, quiet);

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  vw_test_client_wait_event (agent, "ended", NULL, 5000);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 5000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 5000), ==, 0);
}

/* Commands a client does not know, or that do not fit, are refused with a
 * clear error and the client carries on. */
static void
test_bad_commands (Fixture *f, gconstpointer data)
{
  const char *clerk_args[] = { CLERK_ARGS, NULL };
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "李华", clerk_args);
  vw_test_client_wait_event (clerk, "queued", NULL, 10000);
  const char *bad[] = { "not json", "[1,2]", "{\"command\":\"dance\"}",
    "{\"command\":\"hangup\"}", "{\"command\":\"request-keyframe\"}" };
  guint from = 0;
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    vw_test_client_command (clerk, bad[i]);
    JsonObject *err = vw_test_client_wait_event (clerk, "error", &from, 5000);
    g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "bad-command");
  }
  g_assert_false (clerk->eof);
}

/* A second clerk waits at position 1 and is served as soon as the agent is
 * free again. */
static void
test_queue (Fixture *f, gconstpointer data)
{
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "2", NULL };
  const char *first_args[] = { CLERK_ARGS, "--duration", "3", NULL };
  const char *second_args[] = { "--role", "clerk", "--province", "anhui",
    "--center", "合肥市政务服务中心", "--item", "GJJ-TQ-006",
    "--handled-in", "shanghai", "--duration", "2", NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) first = vw_test_client_start (f->server, "李华", first_args);
  vw_test_client_wait_event (first, "paired", NULL, 10000);

  g_autoptr (VwTestClient) second = vw_test_client_start (f->server, "赵强", second_args);
  JsonObject *queued = vw_test_client_wait_event (second, "queued", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member (queued, "position"), ==, 1);
  g_assert_cmpuint (vw_test_client_count_events (second, "paired"), ==, 0);

  JsonObject *first_end = vw_test_client_wait_event (first, "ended", NULL, 20000);
  JsonObject *paired = vw_test_client_wait_event (second, "paired", NULL, 5000);
  g_assert_cmpint (event_time (paired) - event_time (first_end), <, 2000);
  g_assert_cmpstr (json_object_get_string_member (
      json_object_get_object_member (paired, "peer"), "name"), ==, "张敏");
  assert_first_frame (second, "camera", 640, 480);
  vw_test_client_wait_event (second, "ended", NULL, 15000);

  /* The agent served both, then left as asked. */
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);
  g_assert_cmpuint (vw_test_client_count_events (agent, "ended"), ==, 2);
}

/* A clerk that vanishes (kill -9) mid-call ends the session for the agent
 * within 2 s, and the agent takes the next call. */
static void
test_peer_vanishes (Fixture *f, gconstpointer data)
{
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "2", NULL };
  const char *clerk_args[] = { CLERK_ARGS, NULL };
  const char *next_args[] = { CLERK_ARGS, "--duration", "1", NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "李华", clerk_args);
  vw_test_client_wait_event (agent, "first-frame", NULL, 15000);

  gint64 killed = g_get_real_time () / 1000;
  g_subprocess_send_signal (clerk->proc, SIGKILL);
  JsonObject *ended = vw_test_client_wait_event (agent, "ended", NULL, 5000);
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==,
      "peer-disconnected");
  g_assert_cmpint (event_time (ended) - killed, <, 2000);

  g_autoptr (VwTestClient) next = vw_test_client_start (f->server, "孙丽", next_args);
  vw_test_client_wait_event (next, "paired", NULL, 10000);
  vw_test_client_wait_event (next, "first-frame", NULL, 15000);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 20000), ==, 0);
}

/* SIGTERM hangs up cleanly: the other side is told "peer-hangup". */
static void
test_sigterm_hangs_up (Fixture *f, gconstpointer data)
{
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "1", NULL };
  const char *clerk_args[] = { CLERK_ARGS, NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "李华", clerk_args);
  vw_test_client_wait_event (clerk, "connected", NULL, 15000);

  g_subprocess_send_signal (clerk->proc, SIGTERM);
  JsonObject *clerk_end = vw_test_client_wait_event (clerk, "ended", NULL, 5000);
  JsonObject *agent_end = vw_test_client_wait_event (agent, "ended", NULL, 5000);
  g_assert_cmpstr (json_object_get_string_member (clerk_end, "reason"), ==, "hangup");
  g_assert_cmpstr (json_object_get_string_member (agent_end, "reason"), ==, "peer-hangup");
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 5000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 5000), ==, 0);
}

/* A source that does not build is refused at start-up, before queueing. */
static void
test_bad_source (Fixture *f, gconstpointer data)
{
  const char *clerk_args[] = { CLERK_ARGS, "--camera", "nosuchsrc ! videoconvert", NULL };
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "李华", clerk_args);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 2);
  g_assert_cmpuint (clerk->events->len, ==, 0);
}

/* HTTPS and WSS (browsers give cameras only to secure pages): the same
 * call over TLS, with the test CA trusted; a client that does not trust
 * the certificate is refused. */
static void
test_call_over_tls (void)
{
  const char *data = g_getenv ("VW_TEST_DATA");
  g_assert_nonnull (data);
  g_autofree char *cert = g_build_filename (data, "test-tls-cert.pem", NULL);
  g_autofree char *key = g_build_filename (data, "test-tls-key.pem", NULL);
  const char *server_args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  Fixture fx = { vw_test_server_start (server_args) }, *f = &fx;
  g_assert_true (g_str_has_prefix (f->server->url, "https://"));
  f->agent_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);

  const char *untrusting[] = { CLERK_ARGS, NULL };
  g_autoptr (VwTestClient) stranger = vw_test_client_start (f->server, "赵强", untrusting);
  JsonObject *refused = vw_test_client_wait_event (stranger, "error", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (refused, "code"), ==, "connect-failed");
  g_assert_cmpint (vw_test_client_wait_exit (stranger, 10000), ==, 1);

  const char *agent_args[] = { AGENT_ARGS, "--ca-file", cert, "--max-sessions", "1", NULL };
  const char *clerk_args[] = { CLERK_ARGS, "--ca-file", cert, "--duration", "3", NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "李华", clerk_args);
  assert_first_frame (clerk, "camera", 640, 480);
  assert_first_frame (agent, "camera", 640, 480);
  vw_test_client_wait_event (clerk, "ended", NULL, 15000);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);
  fixture_teardown (f, NULL);
}

int
main (int argc, char **argv)
{
  /* Names such as 张敏 in failure messages, whatever LANG says. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/call/both-ways", test_call_both_ways);
  ADD ("/call/keyframe-requests", test_keyframe_requests);
  ADD ("/call/queue", test_queue);
  ADD ("/call/peer-vanishes", test_peer_vanishes);
  ADD ("/call/sigterm-hangs-up", test_sigterm_hangs_up);
  ADD ("/call/bad-source", test_bad_source);
  ADD ("/call/bad-commands", test_bad_commands);
  g_test_add_func ("/call/over-tls", test_call_over_tls);
  return g_test_run ();
}
