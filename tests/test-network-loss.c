/* test-network-loss: a real call with the clerk behind a link that loses
 * 5 % of its packets each way (tests/vw-netns.h), the agent on the host.
 * Each leg recovers on its own (README, "Loss recovery"): the hub asks the
 * clerk to retransmit what it lost on the way up, and answers the clerk's
 * requests for what was lost on the way down from its own history.
 *
 * Asserted, both ways: frames keep decoding at 640x480 (>= 85 % of the
 * frames captured in 15 s, told apart by their time stamps: --timecode;
 * see MIN_DECODED), retransmissions were asked for and came, on
 * both legs (the clerk's counters and the hub's), few keyframes were sent
 * (before NACK/RTX every lost packet cost one: ~10 a second at 5 %), and
 * the audio is not silence. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "net-call-fixture.h"

#define LOSS_PERCENT 5.0
#define WINDOW_MS 15000
#define STATS_MS "100"
/* The target is 97 % at 5 % loss (150 ms round trip, the
 * benchmark's row).  Here (no delay, the test alone on the machine: it is
 * not run beside other tests) six runs after the answer/pacer fixes gave
 * 94-100 %; before NACK/RTX the table shows 61 %, and one run
 * before the pacer fix (its queue dropped numbered packets) 12 %.  The
 * floor keeps a margin for a busier CI machine. */
#define MIN_DECODED 0.85
/* Keyframes a sender may send in the window: the 5 % row had 205
 * in 20 s (150 in 15 s), one a lost packet; measured here 5-21. */
#define MAX_KEYFRAMES 25

#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai"

typedef NetCallFixture Fixture;


/* The next stats event of @c. (transfer none) */
static JsonObject *
next_stats (VwTestClient *c)
{
  guint from = c->events->len;
  return vw_test_client_wait_event (c, "stats", &from, 5000);
}

static gint64
sent_camera (JsonObject *stats, const char *field)
{
  JsonArray *sent = json_object_get_array_member (stats, "sent");
  for (guint i = 0; sent && i < json_array_get_length (sent); i++) {
    JsonObject *t = json_array_get_object_element (sent, i);
    if (g_str_equal (json_object_get_string_member (t, "track"), "camera"))
      return json_object_get_int_member (t, field);
  }
  g_error ("no camera in the sent tracks");
}

static gint64
received (JsonObject *stats, const char *track, const char *field)
{
  JsonObject *t = vw_test_stats_track (stats, track);
  g_assert_nonnull (t);
  return json_object_get_int_member (t, field);
}

static gint64
rtp (JsonObject *stats, const char *field)
{
  JsonObject *o = json_object_get_object_member (stats, "rtp");
  g_assert_nonnull (o);
  return json_object_get_int_member (o, field);
}

/* Frames are stamped with their capture time (--timecode) and every
 * decoded one is reported with its capture-to-decode latency: the camera
 * frames @c decoded of those captured in (@t0, @t1] (wall clock ms; both
 * clients run on this machine). */
static gint64
decoded_between (VwTestClient *c, gint64 t0, gint64 t1)
{
  gint64 n = 0;
  for (guint i = 0; i < c->events->len; i++) {
    JsonObject *e = g_ptr_array_index (c->events, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), "latency")
        || g_strcmp0 (json_object_get_string_member_with_default (e, "track", ""), "camera"))
      continue;
    gint64 captured = json_object_get_int_member (e, "t")
        - json_object_get_int_member (e, "ms");
    if (captured > t0 && captured <= t1)
      n++;
  }
  return n;
}

typedef struct {
  VwTestClient *sender, *receiver;
  const char *name;
  gint64 t0, sent0, keys0;
  gint64 t1, sent1, keys1;
} Direction;

/* The sender's counts at a stats event, and its time. */
static void
direction_sample (Direction *d, gint64 *t, gint64 *sent, gint64 *keys)
{
  JsonObject *s = next_stats (d->sender);
  *t = json_object_get_int_member (s, "t");
  *sent = sent_camera (s, "frames");
  *keys = sent_camera (s, "keyframes");
}

static void
direction_report (Direction *d)
{
  gint64 decoded = decoded_between (d->receiver, d->t0, d->t1);
  gint64 sent = d->sent1 - d->sent0, keys = d->keys1 - d->keys0;
  g_test_message ("%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
      " frames decoded (%.1f %%), %" G_GINT64_FORMAT " keyframes sent", d->name,
      decoded, sent, 100.0 * decoded / MAX (sent, 1), keys);
}

static void
direction_check (Direction *d)
{
  gint64 decoded = decoded_between (d->receiver, d->t0, d->t1);
  gint64 sent = d->sent1 - d->sent0, keys = d->keys1 - d->keys0;
  /* The sender was sending through the window.  Not at 30 fps: at 5 %
   * loss the hub may cap a camera and its sender steps the frame rate
   * down (README, "Bandwidth adaptation"; seen at 16-19 fps), which the
   * closing note of issue 12 lists as open: random loss is not a thin
   * link. */
  g_assert_cmpint (sent, >, WINDOW_MS / 1000 * 10);
  g_assert_cmpfloat ((double) decoded / sent, >=, MIN_DECODED);
  g_assert_cmpint (keys, <=, MAX_KEYFRAMES);
  JsonObject *s = next_stats (d->receiver);
  g_assert_cmpint (received (s, "camera", "width"), ==, 640);
  g_assert_cmpint (received (s, "camera", "height"), ==, 480);
}

/* The hub's account of a connection's retransmissions (vw-hub-loss.c),
 * logged when it ends: asked for, and got. */
static gboolean
hub_recovered (VwTestServer *server, const char *peer, guint64 *asked, guint64 *got)
{
  g_autofree char *key = g_strdup_printf ("media %s: asked for ", peer);
  const char *line = strstr (server->log->str, key);
  if (!line)
    return FALSE;
  return sscanf (line + strlen (key), "%" G_GUINT64_FORMAT " retransmissions, got %"
      G_GUINT64_FORMAT, asked, got) == 2;
}

static void
test_five_percent (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *host = vw_netns_get_host_address (f->ns);
  const char *agent_args[] = { "--role", "agent", "--user", "zhangmin",
    "--password-file", f->agent_pw, "--max-sessions", "1",
    "--stats-interval", STATS_MS, "--timecode", NULL };
  VwTestClientOptions outside = { .ice_address = host };
  g_autoptr (VwTestClient) agent = vw_test_client_start_with (f->server, "张敏",
      &outside, agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);

  g_assert_true (vw_netns_set_loss (f->ns, VW_NETNS_BOTH, LOSS_PERCENT, &error));
  g_assert_no_error (error);
  const char *clerk_args[] = { CLERK_ARGS, "--stats-interval", STATS_MS,
    "--timecode", NULL };
  VwTestClientOptions inside = { .wrapper = vw_netns_wrapper (f->ns), .ice_address = "" };
  g_autoptr (VwTestClient) clerk = vw_test_client_start_with (f->server, "李华",
      &inside, clerk_args);
  JsonObject *reg = vw_test_client_wait_event (clerk, "registered", NULL, 15000);
  g_autofree char *clerk_id = g_strdup (json_object_get_string_member (reg, "peer_id"));
  vw_test_client_wait_event (clerk, "paired", NULL, 15000);
  vw_test_client_wait_event (agent, "first-frame", NULL, 15000);
  vw_test_client_wait_event (clerk, "first-frame", NULL, 15000);
  vw_test_run_for (2000);   /* past the start's keyframe requests */

  Direction dirs[] = {
    { .sender = clerk, .receiver = agent, .name = "clerk→agent (lossy leg up)" },
    { .sender = agent, .receiver = clerk, .name = "agent→clerk (lossy leg down)" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    direction_sample (&dirs[i], &dirs[i].t0, &dirs[i].sent0, &dirs[i].keys0);
  vw_test_run_for (WINDOW_MS);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    direction_sample (&dirs[i], &dirs[i].t1, &dirs[i].sent1, &dirs[i].keys1);

  /* Audio came through the loss (Opus FEC and concealment): not silence. */
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    g_assert_cmpfloat (received (next_stats (dirs[i].receiver), "audio", "peak_db"),
        >, -30.0);

  /* Both legs: the clerk asked the hub for what it lost on the way down
   * and got it; the hub asked the clerk for what it lost on the way up,
   * and the clerk retransmitted it. */
  JsonObject *s = next_stats (clerk);
  g_test_message ("clerk: asked for %" G_GINT64_FORMAT " retransmissions, got %"
      G_GINT64_FORMAT " (%" G_GINT64_FORMAT " in time), lost %" G_GINT64_FORMAT
      "; was asked for %" G_GINT64_FORMAT ", retransmitted %" G_GINT64_FORMAT,
      rtp (s, "nacks-sent"), rtp (s, "rtx-received"), rtp (s, "recovered"),
      rtp (s, "lost"), rtp (s, "nacks-received"), rtp (s, "rtx-sent"));
  g_assert_cmpint (rtp (s, "nacks-sent"), >, 0);
  g_assert_cmpint (rtp (s, "rtx-received"), >, 0);
  g_assert_cmpint (rtp (s, "recovered"), >, 0);
  g_assert_cmpint (rtp (s, "nacks-received"), >, 0);
  g_assert_cmpint (rtp (s, "rtx-sent"), >, 0);

  /* The last frames of the window have arrived, or never will. */
  vw_test_run_for (2000);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    direction_report (&dirs[i]);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    direction_check (&dirs[i]);

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  vw_test_client_wait_event (agent, "ended", NULL, 15000);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);

  /* The hub's side of the way up: what it asked the clerk for came. */
  g_autofree char *key = g_strdup_printf ("media %s: ", clerk_id);
  vw_test_server_wait_log (f->server, key, 10000);
  guint64 asked = 0, got = 0;
  g_assert_true (hub_recovered (f->server, clerk_id, &asked, &got));
  g_test_message ("hub, from the clerk: asked for %" G_GUINT64_FORMAT
      " retransmissions, got %" G_GUINT64_FORMAT, asked, got);
  g_assert_cmpuint (asked, >, 0);
  g_assert_cmpuint (got, >, 0);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/network-loss/five-percent", Fixture, NULL, net_call_fixture_setup,
      test_five_percent, net_call_fixture_teardown);
  return g_test_run ();
}
