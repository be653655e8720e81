/* test-recording: every session through the hub is recorded.  Real
 * vw-server, real vw-client processes on loopback; the assertions are on
 * the files: every track there, each chunk matching its SHA-256 and
 * playable by GStreamer with the right codec, the track as long as the
 * call; and after a kill -9 of the server mid-call, the session marked
 * interrupted with every chunk that plays indexed, those cut off by the
 * crash as long as the blocks they hold. */
#include <locale.h>
#include <signal.h>
#include <math.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include "vw-test-util.h"

/* The agent signs in: an account made by add_agent(). */
#define AGENT_ARGS "--role", "agent", "--user", "wangfang", "--password-file", agent_pw
#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai", \
    "--name", "李雷", "--document-camera", "test"

static char *
add_agent (VwTestServer *server)
{
  return vw_test_server_add_account (server, "wangfang", "agent", "王芳", "shanghai",
      "黄浦区政务服务中心", NULL);
}

/* Duration and codec of a file as GStreamer sees it. */
typedef struct {
  double seconds;
  char *codec;     /* caps name of the first stream: video/x-vp8, audio/x-opus */
} Media;

static Media
discover (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) d = gst_discoverer_new (10 * GST_SECOND, &error);
  g_assert_no_error (error);
  g_autofree char *uri = gst_filename_to_uri (path, &error);
  g_autoptr (GstDiscovererInfo) info = gst_discoverer_discover_uri (d, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  GList *streams = gst_discoverer_info_get_stream_list (info);
  g_assert_cmpint (g_list_length (streams), ==, 1);
  g_autoptr (GstCaps) caps = gst_discoverer_stream_info_get_caps (streams->data);
  Media m = {
    (double) gst_discoverer_info_get_duration (info) / GST_SECOND,
    g_strdup (gst_structure_get_name (gst_caps_get_structure (caps, 0))),
  };
  gst_discoverer_stream_info_list_free (streams);
  return m;
}

static char *
sha256_of (const char *path)
{
  g_autoptr (GMappedFile) f = g_mapped_file_new (path, FALSE, NULL);
  g_assert_nonnull (f);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      (const guchar *) g_mapped_file_get_contents (f), g_mapped_file_get_length (f));
}

static JsonObject *
read_manifest (const char *data_dir, const char *session)
{
  g_autofree char *path = g_build_filename (data_dir, "sessions", session,
      "manifest.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
expected_codec (const char *kind)
{
  return g_str_equal (kind, "audio") ? "audio/x-opus" : "video/x-vp8";
}

/* What the blocks of a file span as GStreamer's demuxer reads them (a
 * file cut off mid-cluster too): from the first block's time to the last
 * one's end (its duration, else the gap before it), in ms; that gap, one
 * frame or audio packet, in @gap_ms. */
typedef struct {
  GstClockTime first, last, last_duration, gap;
} Blocks;

static void
on_block (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer data)
{
  Blocks *b = data;
  GstClockTime t = GST_BUFFER_PTS_IS_VALID (buffer) ? GST_BUFFER_PTS (buffer)
      : GST_BUFFER_DTS (buffer);
  if (!GST_CLOCK_TIME_IS_VALID (t))
    return;
  if (!GST_CLOCK_TIME_IS_VALID (b->first))
    b->first = t;
  else
    b->gap = t - b->last;
  b->last = t;
  b->last_duration = GST_BUFFER_DURATION (buffer);
}

static gint64
blocks_ms (const char *path, gint64 *gap_ms)
{
  g_autofree char *desc = g_strdup_printf ("filesrc name=src ! matroskademux ! "
      "fakesink name=sink sync=false signal-handoffs=true");
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", path, NULL);
  Blocks b = { GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, 0 };
  g_signal_connect (sink, "handoff", G_CALLBACK (on_block), &b);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  /* A file cut off ends in an error or an EOS: either way, every whole
   * block went by. */
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_true (GST_CLOCK_TIME_IS_VALID (b.first));
  GstClockTime last = GST_CLOCK_TIME_IS_VALID (b.last_duration) ? b.last_duration : b.gap;
  *gap_ms = MAX (b.gap, GST_CLOCK_TIME_IS_VALID (b.last_duration) ? b.last_duration : 0)
      / GST_MSECOND;
  return (gint64) ((b.last + last - b.first) / GST_MSECOND);
}

/* Checks every indexed chunk of @track: hash, codec, and no chunk longer
 * than 10 s; a chunk recovered after a crash (webmmux never wrote its
 * Duration) is as long as its blocks, within one frame or audio packet.
 * Returns the track's playable seconds; the number of recovered chunks
 * goes to @n_recovered (nullable). */
static double
check_track_chunks (const char *data_dir, JsonObject *track, guint *n_recovered)
{
  const char *kind = json_object_get_string_member (track, "kind");
  JsonArray *chunks = json_object_get_array_member (track, "chunks");
  double total = 0;
  if (json_array_get_length (chunks) == 0)
    g_test_message ("no chunk in the %s track of %s (from +%" G_GINT64_FORMAT " ms)", kind,
        json_object_get_string_member (track, "peer_id"),
        json_object_get_int_member (track, "offset_ms"));
  g_assert_cmpuint (json_array_get_length (chunks), >, 0);
  for (guint i = 0; i < json_array_get_length (chunks); i++) {
    JsonObject *c = json_array_get_object_element (chunks, i);
    g_autofree char *path = g_build_filename (data_dir,
        json_object_get_string_member (c, "path"), NULL);
    g_autofree char *sha = sha256_of (path);
    g_assert_cmpstr (sha, ==, json_object_get_string_member (c, "sha256"));
    g_assert_cmpint (json_object_get_int_member (c, "seq"), ==, i);
    Media m = discover (path);
    gint64 indexed_ms = json_object_get_int_member (c, "duration_ms");
    g_assert_cmpstr (m.codec, ==, expected_codec (kind));
    if (json_object_get_boolean_member (c, "recovered")) {
      gint64 gap_ms;
      gint64 span_ms = blocks_ms (path, &gap_ms);
      g_test_message ("%s: recovered, %" G_GINT64_FORMAT " ms indexed, its blocks "
          "span %" G_GINT64_FORMAT " ms (one block: %" G_GINT64_FORMAT " ms)",
          json_object_get_string_member (c, "path"), indexed_ms, span_ms, gap_ms);
      /* (0 for a chunk that holds one whole block: it had just begun) */
      g_assert_cmpint (ABS (indexed_ms - span_ms), <=, gap_ms + 1);
      g_assert_cmpint (indexed_ms, <=, 10050);
      total += indexed_ms / 1000.0;
      if (n_recovered)
        (*n_recovered)++;
    } else {
      g_assert_cmpfloat (m.seconds, <=, 10.05);
      g_assert_cmpfloat (fabs (m.seconds - indexed_ms / 1000.0), <=, 0.002);
      total += m.seconds;
    }
    g_free (m.codec);
  }
  return total;
}

static guint
count_tracks (JsonArray *tracks, const char *peer, const char *kind)
{
  guint n = 0;
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    n += g_str_equal (json_object_get_string_member (t, "peer_id"), peer)
        && g_str_equal (json_object_get_string_member (t, "kind"), kind);
  }
  return n;
}

static gint64
event_time (VwTestClient *client, const char *event)
{
  JsonObject *e = vw_test_client_last_event (client, event);
  g_assert_nonnull (e);
  return json_object_get_int_member (e, "t");
}

/* When @viewer first showed a picture of the other side's @kind track,
 * or -1 if it never did (audio). */
static gint64
first_picture (VwTestClient *viewer, const char *kind)
{
  guint n = vw_test_client_count_events (viewer, "first-frame");
  guint from = 0;

  for (guint i = 0; i < n; i++) {
    JsonObject *e = vw_test_client_wait_event (viewer, "first-frame", &from, 1000);
    if (g_strcmp0 (json_object_get_string_member_with_default (e, "track", NULL), kind) == 0)
      return json_object_get_int_member (e, "t");
  }
  return -1;
}

/* A 10 s call: agent with camera and microphone, clerk with those and a
 * document camera.  Five tracks, each complete and as long as the call. */
static void
test_call_recorded (void)
{
  VwTestServer *server = vw_test_server_start (NULL);
  g_autofree char *agent_pw = add_agent (server);
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "1", NULL };
  const char *clerk_args[] = { CLERK_ARGS, "--duration", "10", NULL };
  VwTestClient *agent = vw_test_client_start (server, "agent", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  VwTestClient *clerk = vw_test_client_start (server, "clerk", clerk_args);

  /* Both are told, before media flows, that the session is recorded. */
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  const char *session = json_object_get_string_member (paired, "session");
  JsonObject *rec = vw_test_client_wait_event (clerk, "recording", NULL, 10000);
  g_assert_true (json_object_get_boolean_member (rec, "active"));
  g_assert_cmpstr (json_object_get_string_member (rec, "session"), ==, session);
  vw_test_client_wait_event (agent, "recording", NULL, 10000);

  vw_test_client_wait_event (clerk, "ended", NULL, 20000);
  vw_test_client_wait_event (agent, "ended", NULL, 5000);
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);
  /* The call, as the people in it saw it: from the first picture to the
   * hangup. */
  gint64 start = MIN (
      json_object_get_int_member (vw_test_client_wait_event (clerk, "first-frame", NULL, 1000), "t"),
      json_object_get_int_member (vw_test_client_wait_event (agent, "first-frame", NULL, 1000), "t"));
  double call_s = (event_time (clerk, "ended") - start) / 1000.0;
  /* And the most a track can hold: what its sender sent while in the
   * session, from being paired to being told the call ended.  A track may
   * begin before the far end shows its first picture and end after the
   * clerk hung up (much so on a loaded machine, where decoders start late
   * and the agent hears of the end late), never outside that. */
  double agent_in_s = (event_time (agent, "ended") - event_time (agent, "paired")) / 1000.0;
  double clerk_in_s = (event_time (clerk, "ended") - event_time (clerk, "paired")) / 1000.0;
  g_test_message ("call lasted %.2f s; in the session: agent %.2f s, clerk %.2f s",
      call_s, agent_in_s, clerk_in_s);

  /* The last chunks are finished once the hub let go: wait for the
   * manifest to show every track ended. */
  g_autoptr (JsonObject) manifest = NULL;
  for (guint tries = 0; tries < 300; tries++) {
    g_clear_pointer (&manifest, json_object_unref);
    manifest = read_manifest (server->data_dir, session);
    JsonArray *tracks = json_object_get_array_member (manifest, "tracks");
    gboolean all_ended = json_array_get_length (tracks) == 5;
    for (guint i = 0; all_ended && i < json_array_get_length (tracks); i++)
      all_ended = json_object_get_int_member (json_array_get_object_element (tracks, i),
          "ended_at") > 0;
    if (all_ended)
      break;
    vw_test_run_for (100);
  }
  g_assert_cmpstr (json_object_get_string_member (manifest, "state"), ==, "ended");
  g_assert_cmpstr (json_object_get_string_member (manifest, "case"), ==,
      json_object_get_string_member (paired, "case"));
  JsonArray *tracks = json_object_get_array_member (manifest, "tracks");
  const char *agent_id = json_object_get_string_member (
      vw_test_client_last_event (agent, "registered"), "peer_id");
  const char *clerk_id = json_object_get_string_member (
      vw_test_client_last_event (clerk, "registered"), "peer_id");
  g_assert_cmpuint (count_tracks (tracks, agent_id, "audio"), ==, 1);
  g_assert_cmpuint (count_tracks (tracks, agent_id, "camera"), ==, 1);
  g_assert_cmpuint (count_tracks (tracks, clerk_id, "audio"), ==, 1);
  g_assert_cmpuint (count_tracks (tracks, clerk_id, "camera"), ==, 1);
  g_assert_cmpuint (count_tracks (tracks, clerk_id, "document"), ==, 1);

  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    double seconds = check_track_chunks (server->data_dir, t, NULL);
    gint64 offset = json_object_get_int_member (t, "offset_ms");
    gboolean agents = g_str_equal (json_object_get_string_member (t, "peer_id"), agent_id);
    /* A picture track counts from when the far end first showed it (a
     * 1920x1080 document camera's first frame takes its encoder a while
     * on a loaded machine), a sound track from the first picture. */
    gint64 shown = first_picture (agents ? clerk : agent,
        json_object_get_string_member (t, "kind"));
    double expected_s = shown > 0 ? (event_time (clerk, "ended") - shown) / 1000.0 : call_s;
    g_test_message ("%s of %s: offset %" G_GINT64_FORMAT " ms, %.2f s recorded, "
        "%.2f s shown", json_object_get_string_member (t, "kind"),
        agents ? "the agent" : "the clerk", offset, seconds, expected_s);
    g_assert_cmpfloat (seconds, >=, expected_s - 0.5);
    g_assert_cmpfloat (seconds, <=, (agents ? agent_in_s : clerk_in_s) + 0.5);
    g_assert_cmpint (offset, >=, 0);
    g_assert_cmpint (offset, <, 2000);
  }
  vw_test_client_free (agent);
  vw_test_client_free (clerk);
  vw_test_server_stop (server);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The chunk files of a track's directory, sorted. */
static GPtrArray *
list_chunk_files (const char *data_dir, const char *dir)
{
  g_autofree char *path = g_build_filename (data_dir, dir, NULL);
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; d && (name = g_dir_read_name (d));)
    g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* kill -9 of the server in the middle of a call with 2 s chunks: after a
 * restart the session is interrupted, and every chunk but the one being
 * written when it died is indexed and plays. */
static void
test_crash_recovery (void)
{
  const char *server_args[] = { "--chunk-seconds", "2", NULL };
  VwTestServer *server = vw_test_server_start (server_args);
  g_autofree char *agent_pw = add_agent (server);
  const char *agent_args[] = { AGENT_ARGS, NULL };
  const char *clerk_args[] = { CLERK_ARGS, NULL };
  VwTestClient *agent = vw_test_client_start (server, "agent", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  VwTestClient *clerk = vw_test_client_start (server, "clerk", clerk_args);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  g_autofree char *session = g_strdup (json_object_get_string_member (paired, "session"));
  vw_test_client_wait_event (clerk, "first-frame", NULL, 10000);
  vw_test_run_for (7000);

  g_autofree char *data_dir = vw_test_server_kill (server);
  vw_test_client_wait_exit (clerk, 10000);
  vw_test_client_wait_exit (agent, 10000);
  vw_test_client_free (agent);
  vw_test_client_free (clerk);

  /* What the crash left: the manifest as last written, and the files. */
  g_autoptr (JsonObject) before = read_manifest (data_dir, session);
  g_assert_cmpstr (json_object_get_string_member (before, "state"), ==, "open");

  const char *restart_args[] = { "--data-dir", data_dir, NULL };
  server = vw_test_server_start (restart_args);
  g_autoptr (JsonObject) after = read_manifest (data_dir, session);
  g_assert_cmpstr (json_object_get_string_member (after, "state"), ==, "interrupted");
  JsonArray *tracks = json_object_get_array_member (after, "tracks");
  g_assert_cmpuint (json_array_get_length (tracks), ==, 5);
  guint n_recovered = 0;
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    g_assert_cmpint (json_object_get_int_member (t, "ended_at"), >, 0);
    JsonArray *chunks = json_object_get_array_member (t, "chunks");
    g_autoptr (GPtrArray) files = list_chunk_files (data_dir,
        json_object_get_string_member (t, "dir"));
    guint indexed = json_array_get_length (chunks);
    g_test_message ("%s: %u files, %u indexed", json_object_get_string_member (t, "dir"),
        files->len, indexed);
    /* About 7 s in 2 s chunks: at least two finished before the crash. */
    g_assert_cmpuint (indexed, >=, 2);
    g_assert_cmpuint (indexed + 1, >=, files->len);
    for (guint j = 0; j < indexed; j++)
      g_assert_cmpstr (json_object_get_string_member (
          json_array_get_object_element (chunks, j), "path"), ==,
          g_ptr_array_index (files, j));
    check_track_chunks (data_dir, t, &n_recovered);
  }
  /* The chunks being written at the crash were recovered, with their
   * true durations (checked above). */
  g_assert_cmpuint (n_recovered, >, 0);
  /* The stop removes the directory the restarted server was given. */
  g_autofree char *unused = g_steal_pointer (&server->data_dir);
  g_rmdir (unused);
  server->data_dir = g_strdup (data_dir);
  vw_test_server_stop (server);
}


static gint64
frames_from (VwTestClient *c, const char *track)
{
  guint from = c->events->len;
  JsonObject *stats = vw_test_client_wait_event (c, "stats", &from, 5000);
  JsonObject *t = vw_test_stats_track (stats, track);
  return t ? json_object_get_int_member (t, "frames") : -1;
}

/* A supervisor of the agent's centre watches a running session through
 * the hub, receive-only: the agent's and the clerk's pictures decode at
 * the supervisor's, the two go on undisturbed, and leaving ends only the
 * watching.  A supervisor of another centre is not let in. */
static void
test_watch_live (void)
{
  VwTestServer *server = vw_test_server_start (NULL);
  g_autofree char *agent_pw = add_agent (server);
  g_autofree char *sup_pw = vw_test_server_add_account (server, "zhaolei", "supervisor",
      "赵蕾", "shanghai", "黄浦区政务服务中心", "center");
  g_autofree char *other_pw = vw_test_server_add_account (server, "qianjun", "supervisor",
      "钱军", "anhui", "合肥市政务服务中心", "center");
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "1", NULL };
  const char *clerk_args[] = { CLERK_ARGS, NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (server, "agent", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (server, "clerk", clerk_args);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  g_autofree char *session = g_strdup (json_object_get_string_member (paired, "session"));
  vw_test_client_wait_event (agent, "first-frame", NULL, 10000);
  vw_test_client_wait_event (clerk, "first-frame", NULL, 10000);

  /* Out of scope: told as if the session did not exist. */
  const char *other_args[] = { "--role", "supervisor", "--user", "qianjun",
    "--password-file", other_pw, "--monitor", session, NULL };
  g_autoptr (VwTestClient) other = vw_test_client_start (server, "other", other_args);
  JsonObject *refused = vw_test_client_wait_event (other, "error", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (refused, "code"), ==, "unknown-session");
  g_assert_cmpint (vw_test_client_wait_exit (other, 10000), ==, 1);
  g_assert_null (vw_test_client_last_event (other, "paired"));

  const char *sup_args[] = { "--role", "supervisor", "--user", "zhaolei",
    "--password-file", sup_pw, "--monitor", session, NULL };
  g_autoptr (VwTestClient) sup = vw_test_client_start (server, "supervisor", sup_args);
  JsonObject *watching = vw_test_client_wait_event (sup, "paired", NULL, 10000);
  g_assert_cmpstr (json_object_get_string_member (watching, "session"), ==, session);
  vw_test_client_wait_event (sup, "recording", NULL, 10000);
  /* Every picture of the session, at its size, from both sides. */
  const char *agent_id = json_object_get_string_member (
      vw_test_client_last_event (agent, "registered"), "peer_id");
  const char *clerk_id = json_object_get_string_member (
      vw_test_client_last_event (clerk, "registered"), "peer_id");
  gboolean seen[3] = { FALSE };
  for (guint from = 0; !(seen[0] && seen[1] && seen[2]);) {
    JsonObject *ff = vw_test_client_wait_event (sup, "first-frame", &from, 15000);
    const char *peer = json_object_get_string_member (ff, "peer");
    const char *track = json_object_get_string_member (ff, "track");
    if (g_str_equal (peer, agent_id) && g_str_equal (track, "camera"))
      seen[0] = TRUE;
    else if (g_str_equal (peer, clerk_id) && g_str_equal (track, "camera"))
      seen[1] = TRUE;
    else if (g_str_equal (peer, clerk_id) && g_str_equal (track, "document"))
      seen[2] = TRUE;
    if (g_str_equal (track, "camera")) {
      g_assert_cmpint (json_object_get_int_member (ff, "width"), ==, 640);
      g_assert_cmpint (json_object_get_int_member (ff, "height"), ==, 480);
    }
  }
  vw_test_client_wait_event (sup, "first-audio", NULL, 10000);
  /* The supervisor sends nothing: its stats list no sent track. */
  guint from = sup->events->len;
  JsonObject *stats = vw_test_client_wait_event (sup, "stats", &from, 5000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (stats, "sent")), ==, 0);

  /* The two go on meanwhile, undisturbed. */
  gint64 a0 = frames_from (agent, "camera"), c0 = frames_from (clerk, "camera");
  vw_test_run_for (1500);
  g_assert_cmpint (frames_from (agent, "camera"), >, a0 + 20);
  g_assert_cmpint (frames_from (clerk, "camera"), >, c0 + 20);

  /* The supervisor leaves: only the watching ends. */
  vw_test_client_command (sup, "{\"command\":\"hangup\"}");
  JsonObject *ended = vw_test_client_wait_event (sup, "ended", NULL, 5000);
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "hangup");
  g_assert_cmpint (vw_test_client_wait_exit (sup, 10000), ==, 0);
  vw_test_run_for (500);
  g_assert_null (vw_test_client_last_event (agent, "ended"));
  g_assert_null (vw_test_client_last_event (clerk, "ended"));
  gint64 a1 = frames_from (agent, "camera");
  vw_test_run_for (1000);
  g_assert_cmpint (frames_from (agent, "camera"), >, a1 + 10);

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  vw_test_client_wait_event (agent, "ended", NULL, 5000);
  vw_test_client_wait_exit (clerk, 10000);
  vw_test_client_wait_exit (agent, 10000);
  vw_test_server_stop (server);
}


/* Runs a short call (the clerk hangs up after @seconds) and waits until its
 * recording is complete.  (transfer full) the session id. */
static char *
short_call (VwTestServer *server, const char *agent_pw, const char *seconds)
{
  const char *agent_args[] = { AGENT_ARGS, "--max-sessions", "1", NULL };
  const char *clerk_args[] = { CLERK_ARGS, "--duration", seconds, NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (server, "agent", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (server, "clerk", clerk_args);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  char *session = g_strdup (json_object_get_string_member (paired, "session"));
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 20000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);
  for (guint tries = 0; tries < 300; tries++) {
    g_autoptr (JsonObject) m = read_manifest (server->data_dir, session);
    JsonArray *tracks = json_object_get_array_member (m, "tracks");
    gboolean done = json_array_get_length (tracks) == 5;
    for (guint i = 0; done && i < json_array_get_length (tracks); i++)
      done = json_object_get_int_member (json_array_get_object_element (tracks, i),
          "ended_at") > 0;
    if (done)
      return session;
    vw_test_run_for (100);
  }
  g_error ("the recording of %s did not complete", session);
}

static gint64
db_count (const char *data_dir, const char *sql, const char *arg)
{
  g_autofree char *path = g_build_filename (data_dir, "virtual-window.db", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  gint64 n = -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    g_assert_cmpint (sqlite3_errcode (db), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Retention (from the config file): the recordings of a session that
 * ended longer ago than the period are deleted, with an audit entry; a
 * younger session's are not touched. */
static void
test_retention (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *conf_dir = g_dir_make_tmp ("vw-conf-XXXXXX", &error);
  g_autofree char *conf = g_build_filename (conf_dir, "vw-server.conf", NULL);
  g_file_set_contents (conf, "# test settings\n[recording]\nchunk-seconds=2\n"
      "[retention]\ndays=30\ncheck-minutes=60\n", -1, &error);
  g_assert_no_error (error);
  const char *args[] = { "--config", conf, NULL };
  VwTestServer *server = vw_test_server_start (args);
  g_autofree char *agent_pw = add_agent (server);
  g_autofree char *old = short_call (server, agent_pw, "2");
  g_autofree char *young = short_call (server, agent_pw, "2");
  g_autofree char *data_dir = vw_test_server_kill (server);

  /* The first session ended 40 days ago, as far as the store knows. */
  g_autofree char *db = g_build_filename (data_dir, "virtual-window.db", NULL);
  sqlite3 *h = NULL;
  g_assert_cmpint (sqlite3_open (db, &h), ==, SQLITE_OK);
  g_autofree char *age = g_strdup_printf ("UPDATE sessions SET started_at = started_at"
      " - 3456000000, ended_at = ended_at - 3456000000 WHERE id = '%s'", old);
  g_assert_cmpint (sqlite3_exec (h, age, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (h);
  g_autoptr (JsonObject) young_before = read_manifest (data_dir, young);

  const char *restart[] = { "--config", conf, "--data-dir", data_dir, NULL };
  server = vw_test_server_start (restart);
  /* Purged at start-up, before it listens. */
  g_autoptr (JsonObject) purged = read_manifest (data_dir, old);
  JsonArray *tracks = json_object_get_array_member (purged, "tracks");
  g_assert_cmpuint (json_array_get_length (tracks), ==, 5);
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonObject *t = json_array_get_object_element (tracks, i);
    g_assert_cmpint (json_object_get_int_member (t, "purged_at"), >, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (t, "chunks")), ==, 0);
    g_autofree char *dir = g_build_filename (data_dir,
        json_object_get_string_member (t, "dir"), NULL);
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (db_count (data_dir, "SELECT count(*) FROM audit WHERE action ="
      " 'retention-purge' AND session_id = ?1", old), ==, 1);
  /* The session itself, its case and timeline stay. */
  g_assert_cmpint (db_count (data_dir, "SELECT count(*) FROM sessions WHERE id = ?1", old), ==, 1);

  /* Nothing younger is touched: same chunks, same hashes, still there. */
  g_autoptr (JsonObject) young_after = read_manifest (data_dir, young);
  JsonArray *yt = json_object_get_array_member (young_after, "tracks");
  g_assert_cmpuint (json_array_get_length (yt), ==, 5);
  for (guint i = 0; i < json_array_get_length (yt); i++) {
    JsonObject *t = json_array_get_object_element (yt, i);
    g_assert_cmpint (json_object_get_int_member (t, "purged_at"), ==, 0);
    check_track_chunks (data_dir, t, NULL);
  }
  g_autoptr (JsonNode) nb = json_node_init_object (json_node_alloc (), young_before);
  g_autoptr (JsonNode) na = json_node_init_object (json_node_alloc (), young_after);
  g_autofree char *tb = json_to_string (nb, FALSE), *ta = json_to_string (na, FALSE);
  g_assert_cmpstr (tb, ==, ta);
  g_assert_cmpint (db_count (data_dir, "SELECT count(*) FROM audit WHERE action ="
      " 'retention-purge' AND session_id = ?1", young), ==, 0);

  g_autofree char *unused = g_steal_pointer (&server->data_dir);
  g_rmdir (unused);
  server->data_dir = g_strdup (data_dir);
  vw_test_server_stop (server);
  g_unlink (conf);
  g_rmdir (conf_dir);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recording/call", test_call_recorded);
  g_test_add_func ("/recording/crash-recovery", test_crash_recovery);
  g_test_add_func ("/recording/watch-live", test_watch_live);
  g_test_add_func ("/recording/retention", test_retention);
  return g_test_run ();
}
