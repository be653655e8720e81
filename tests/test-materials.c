/* test-materials: screen sharing and the document camera (高拍仪) through
 * the hub, for real: a clerk shares an X11 screen (Xvfb with a known colour
 * painted on it) and a page under the document camera (an image file);
 * the agent receives three video tracks of the right kinds and sizes, asks
 * for a full-resolution snapshot, which arrives bit-identical and is kept
 * by the server as evidence, and marks it up; the clerk gets the mark. */
#include <locale.h>
#include <signal.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include "vw-test-util.h"
#include "vw-store.h"

#define PAGE_W 1414
#define PAGE_H 2000
#define SCREEN_W 1280
#define SCREEN_H 720

typedef struct {
  VwTestServer *server;
  GSubprocess *xvfb;
  char *display;          /* ":N" */
  char *dir;              /* scratch: the page, both clients' save dirs */
  char *page;
  char *zhangmin_pw;      /* agent accounts' password files */
  char *wangfang_pw;
} Fixture;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Xvfb picks a free display itself and writes its number to -displayfd. */
static void
start_xvfb (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->xvfb = g_subprocess_launcher_spawn (launcher, &error, "Xvfb", "-displayfd", "1",
      "-screen", "0", G_STRINGIFY (SCREEN_W) "x" G_STRINGIFY (SCREEN_H) "x24",
      "-nolisten", "tcp", "-noreset", NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) in = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (f->xvfb));
  g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  f->display = g_strdup_printf (":%s", line);
  /* The known picture: the whole screen painted orange. */
  g_autofree char *display_arg = g_strdup (f->display);
  g_autoptr (GSubprocess) paint = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
      "xsetroot", "-display", display_arg, "-solid", "#ff8000", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (paint, NULL, &error));
}

/* A page for the document camera, bigger than the profile's 1920 px. */
static void
make_page (Fixture *f)
{
  f->page = g_build_filename (f->dir, "page.png", NULL);
  g_autofree char *desc = g_strdup_printf (
      "videotestsrc num-buffers=1 pattern=smpte ! "
      "video/x-raw,format=RGB,width=%d,height=%d ! pngenc ! filesink location=%s",
      PAGE_W, PAGE_H, f->page);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("vw-materials-XXXXXX", &error);
  g_assert_no_error (error);
  start_xvfb (f);
  make_page (f);
  f->server = vw_test_server_start (NULL);
  f->zhangmin_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
  f->wangfang_pw = vw_test_server_add_account (f->server, "wangfang", "agent", "王芳",
      "anhui", "合肥市政务服务中心", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_test_server_stop (f->server);
  g_free (f->zhangmin_pw);
  g_free (f->wangfang_pw);
  g_subprocess_force_exit (f->xvfb);
  g_subprocess_wait (f->xvfb, NULL, NULL);
  g_object_unref (f->xvfb);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
      "rm", "-rf", f->dir, NULL);
  g_subprocess_wait (rm, NULL, NULL);
  g_free (f->display);
  g_free (f->dir);
  g_free (f->page);
}

/* ---- pictures ---- */

typedef struct {
  GBytes *rgba;
  guint width, height;
} Picture;

static void
picture_clear (Picture *p)
{
  g_clear_pointer (&p->rgba, g_bytes_unref);
}

/* Decodes a PNG file into tightly packed RGBA. */
static Picture
load_picture (const char *path)
{
  g_autofree char *desc = g_strdup_printf ("filesrc location=\"%s\" ! pngdec ! "
      "videoconvert ! video/x-raw,format=RGBA ! appsink name=sink", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstSample *raw = NULL;
  g_signal_emit_by_name (sink, "try-pull-sample", 10 * GST_SECOND, &raw);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_nonnull (raw);
  GstVideoInfo info;
  GstVideoFrame frame;
  gst_video_info_from_caps (&info, gst_sample_get_caps (raw));
  gst_video_frame_map (&frame, &info, gst_sample_get_buffer (raw), GST_MAP_READ);
  Picture p = { NULL, info.width, info.height };
  GByteArray *packed = g_byte_array_sized_new (info.width * info.height * 4);
  for (guint row = 0; row < (guint) info.height; row++)
    g_byte_array_append (packed, (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
        + row * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), info.width * 4);
  gst_video_frame_unmap (&frame);
  gst_sample_unref (raw);
  p.rgba = g_byte_array_free_to_bytes (packed);
  return p;
}

static const guint8 *
pixel (Picture *p, guint x, guint y)
{
  return (const guint8 *) g_bytes_get_data (p->rgba, NULL) + (y * p->width + x) * 4;
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *data = NULL;
  gsize size;
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, size);
}

/* ---- helpers on event streams ---- */

static JsonObject *
first_frame_of (VwTestClient *c, const char *track)
{
  guint from = 0;
  for (;;) {
    JsonObject *ff = vw_test_client_wait_event (c, "first-frame", &from, 15000);
    if (g_str_equal (json_object_get_string_member (ff, "track"), track))
      return ff;
  }
}

static gint64
frames_of (VwTestClient *c, const char *track)
{
  guint from = c->events->len;
  JsonObject *stats = vw_test_client_wait_event (c, "stats", &from, 5000);
  JsonObject *t = vw_test_stats_track (stats, track);
  return t ? json_object_get_int_member (t, "frames") : -1;
}

static JsonObject *
wait_error (VwTestClient *c, guint *from, const char *code)
{
  JsonObject *err = vw_test_client_wait_event (c, "error", from, 10000);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, code);
  return err;
}

/* ---- the call ---- */

static void
test_materials (Fixture *f, gconstpointer data)
{
  g_autofree char *agent_dir = g_build_filename (f->dir, "agent", NULL);
  g_autofree char *clerk_dir = g_build_filename (f->dir, "clerk", NULL);
  g_autofree char *screen = g_strdup_printf ("x11?display=%s", f->display);
  const char *agent_args[] = { "--role", "agent", "--user", "zhangmin",
    "--password-file", f->zhangmin_pw, "--max-sessions", "1", "--save-dir", agent_dir,
    "--stats-interval", "300", NULL };
  const char *clerk_args[] = { "--role", "clerk", "--province", "zhejiang",
    "--center", "嘉善县行政服务中心", "--item", "SP-JY-004", "--handled-in", "shanghai",
    "--screen", screen, "--document-camera", f->page, "--save-dir", clerk_dir,
    "--stats-interval", "300", NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "张敏", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "李华", clerk_args);

  /* Three video tracks, each with its kind and its size. */
  JsonObject *camera = first_frame_of (agent, "camera");
  JsonObject *scr = first_frame_of (agent, "screen");
  JsonObject *doc = first_frame_of (agent, "document");
  g_assert_cmpint (json_object_get_int_member (camera, "width"), ==, 640);
  g_assert_cmpint (json_object_get_int_member (camera, "height"), ==, 480);
  g_assert_cmpint (json_object_get_int_member (scr, "width"), ==, SCREEN_W);
  g_assert_cmpint (json_object_get_int_member (scr, "height"), ==, SCREEN_H);
  /* The page keeps its shape, scaled to 1920 px on the long side. */
  g_assert_cmpint (json_object_get_int_member (doc, "height"), ==, 1920);
  g_assert_cmpint (ABS (json_object_get_int_member (doc, "width") - PAGE_W * 1920 / PAGE_H), <=, 2);
  vw_test_client_wait_event (agent, "first-audio", NULL, 10000);

  /* What the screen shows arrives: the orange the test painted. */
  g_autofree char *shot = g_build_filename (f->dir, "screen.png", NULL);
  g_autofree char *cmd = g_strdup_printf (
      "{\"command\":\"save-frame\",\"track\":\"screen\",\"path\":\"%s\"}", shot);
  vw_test_run_for (1000);
  vw_test_client_command (agent, cmd);
  vw_test_client_wait_event (agent, "frame-saved", NULL, 10000);
  Picture screen_pic = load_picture (shot);
  /* Away from the centre, where the pointer is drawn. */
  const guint8 *c = pixel (&screen_pic, SCREEN_W / 4, SCREEN_H / 4);
  g_assert_cmpint (c[0], >, 220);
  g_assert_cmpint (ABS (c[1] - 128), <, 30);
  g_assert_cmpint (c[2], <, 40);
  picture_clear (&screen_pic);

  /* A full-resolution snapshot: bit-identical pixels, matching hashes at
   * both ends, and the server's copy kept as evidence. */
  vw_test_client_command (agent, "{\"command\":\"snapshot\"}");
  JsonObject *sent = vw_test_client_wait_event (clerk, "snapshot-sent", NULL, 15000);
  JsonObject *saved = vw_test_client_wait_event (agent, "snapshot-saved", NULL, 15000);
  const char *id = json_object_get_string_member (saved, "snapshot");
  const char *sha = json_object_get_string_member (saved, "sha256");
  g_assert_cmpstr (json_object_get_string_member (sent, "snapshot"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (sent, "sha256"), ==, sha);
  g_assert_cmpint (json_object_get_int_member (saved, "width"), ==, PAGE_W);
  g_assert_cmpint (json_object_get_int_member (saved, "height"), ==, PAGE_H);
  const char *saved_path = json_object_get_string_member (saved, "path");
  g_autofree char *saved_sha = file_sha256 (saved_path);
  g_assert_cmpstr (saved_sha, ==, sha);
  Picture source = load_picture (f->page), received = load_picture (saved_path);
  g_assert_true (g_bytes_equal (source.rgba, received.rgba));
  picture_clear (&source);
  g_autofree char *evidence = g_strdup_printf ("%s/sessions/%s/snapshots/%s.png",
      f->server->data_dir, json_object_get_string_member (
          vw_test_client_wait_event (agent, "connected", NULL, 1000), "session"), id);
  g_autofree char *evidence_sha = file_sha256 (evidence);
  g_assert_cmpstr (evidence_sha, ==, sha);
  vw_test_client_wait_event (clerk, "snapshot-stored", NULL, 5000);
  /* The evidence record: file, hash, who asked, who sent, when. */
  g_autofree char *db = g_build_filename (f->server->data_dir, "virtual-window.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStore) store = vw_store_open (db, &error);
  g_assert_no_error (error);
  g_autoptr (VwStoreSnapshot) record = vw_store_get_snapshot (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->sha256, ==, sha);
  g_assert_cmpstr (record->requested_by, ==, json_object_get_string_member (
          vw_test_client_wait_event (agent, "registered", NULL, 1000), "peer_id"));
  g_assert_cmpstr (record->sent_by, ==, json_object_get_string_member (
          vw_test_client_wait_event (clerk, "registered", NULL, 1000), "peer_id"));
  g_assert_true (g_str_has_suffix (evidence, record->path));
  g_assert_cmpint (record->created_at, >, 0);

  /* Guiding the correction: a mark and a note, drawn at the clerk's end. */
  g_autofree char *annotate = g_strdup_printf ("{\"command\":\"annotate\",\"snapshot\":\"%s\","
      "\"x\":200,\"y\":300,\"w\":600,\"h\":400,\"note\":\"此处缺少签名\"}", id);
  vw_test_client_command (agent, annotate);
  JsonObject *ann = vw_test_client_wait_event (clerk, "annotation", NULL, 15000);
  g_assert_cmpstr (json_object_get_string_member (ann, "snapshot"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (ann, "note"), ==, "此处缺少签名");
  Picture marked = load_picture (json_object_get_string_member (ann, "path"));
  g_assert_cmpuint (marked.width, ==, PAGE_W);
  const guint8 *edge = pixel (&marked, 200 + 300, 301);
  g_assert_cmpint (edge[0], >, 200);
  g_assert_cmpint (edge[1], <, 60);
  /* Inside the mark the page is untouched. */
  g_assert_cmpmem (pixel (&marked, 500, 500), 3, pixel (&received, 500, 500), 3);
  picture_clear (&marked);
  picture_clear (&received);

  /* Bad annotations: an unknown snapshot, a mark off the page. */
  guint from = agent->events->len;
  vw_test_client_command (agent, "{\"command\":\"annotate\",\"snapshot\":\"snap-nosuch\","
      "\"x\":1,\"y\":1,\"w\":10,\"h\":10,\"note\":\"?\"}");
  wait_error (agent, &from, "unknown-snapshot");
  g_autofree char *off_page = g_strdup_printf ("{\"command\":\"annotate\",\"snapshot\":\"%s\","
      "\"x\":1400,\"y\":1,\"w\":100,\"h\":10,\"note\":\"?\"}", id);
  vw_test_client_command (agent, off_page);
  wait_error (agent, &from, "bad-field");

  /* Stopping the screen share leaves the camera and audio flowing. */
  vw_test_client_command (clerk, "{\"command\":\"unshare\",\"kind\":\"screen\"}");
  JsonObject *ended = vw_test_client_wait_event (agent, "track-ended", NULL, 5000);
  g_assert_cmpstr (json_object_get_string_member (ended, "track"), ==, "screen");
  gint64 cam0 = frames_of (agent, "camera"), aud0 = frames_of (agent, "audio");
  vw_test_run_for (2000);
  for (guint i = 0; i < agent->events->len; i++) {
    JsonObject *e = g_ptr_array_index (agent->events, i);
    const char *name = json_object_get_string_member (e, "event");
    if (g_str_equal (name, "first-frame") || g_str_equal (name, "track-ended")) {
      g_autoptr (JsonNode) n = json_node_init_object (json_node_alloc (), e);
      g_autofree char *text = json_to_string (n, FALSE);
      g_test_message ("agent: %s", text);
    }
  }
  g_assert_cmpint (frames_of (agent, "camera"), >, cam0 + 30);
  g_assert_cmpint (frames_of (agent, "audio"), >, aud0 + 50);
  g_assert_cmpint (frames_of (agent, "screen"), ==, -1);

  /* And sharing it again brings it back. */
  g_autofree char *reshare = g_strdup_printf (
      "{\"command\":\"share\",\"kind\":\"screen\",\"source\":\"%s\"}", screen);
  guint ff_from = agent->events->len;
  vw_test_client_command (clerk, reshare);
  for (;;) {
    JsonObject *ff = vw_test_client_wait_event (agent, "first-frame", &ff_from, 10000);
    if (g_str_equal (json_object_get_string_member (ff, "track"), "screen"))
      break;
  }

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);

  /* Recorded the same way: the clerk's screen twice (shared, stopped,
   * shared again: two recordings, the second starting later), its document
   * camera once, each with its chunks. */
  const char *session = json_object_get_string_member (
      vw_test_client_last_event (clerk, "connected"), "session");
  const char *clerk_id = json_object_get_string_member (
      vw_test_client_last_event (clerk, "registered"), "peer_id");
  g_autofree char *manifest = g_build_filename (f->server->data_dir, "sessions",
      session, "manifest.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  gint64 screen_offsets[2] = { -1, -1 };
  guint n_screen = 0, n_document = 0;
  for (guint tries = 0; tries < 300; tries++) {
    g_autoptr (GError) error = NULL;
    g_assert_true (json_parser_load_from_file (parser, manifest, &error));
    JsonArray *tracks = json_object_get_array_member (
        json_node_get_object (json_parser_get_root (parser)), "tracks");
    gboolean all_ended = TRUE;
    n_screen = n_document = 0;
    for (guint i = 0; i < json_array_get_length (tracks); i++) {
      JsonObject *t = json_array_get_object_element (tracks, i);
      all_ended &= json_object_get_int_member (t, "ended_at") > 0;
      if (!g_str_equal (json_object_get_string_member (t, "peer_id"), clerk_id))
        continue;
      const char *kind = json_object_get_string_member (t, "kind");
      guint n_chunks = json_array_get_length (json_object_get_array_member (t, "chunks"));
      g_test_message ("clerk's %s: from +%" G_GINT64_FORMAT " ms to %" G_GINT64_FORMAT
          ", %u chunk(s)", kind, json_object_get_int_member (t, "offset_ms"),
          json_object_get_int_member (t, "ended_at"), n_chunks);
      if (all_ended)
        g_assert_cmpuint (n_chunks, >, 0);
      if (g_str_equal (kind, "screen") && n_screen < 2)
        screen_offsets[n_screen++] = json_object_get_int_member (t, "offset_ms");
      n_document += g_str_equal (kind, "document");
    }
    if (all_ended)
      break;
    vw_test_run_for (100);
  }
  g_assert_cmpuint (n_screen, ==, 2);
  g_assert_cmpuint (n_document, ==, 1);
  g_assert_cmpint (screen_offsets[1], >, screen_offsets[0] + 1000);
}

/* Asking for a snapshot when nobody shares a document camera: a clear error
 * on both sides, and nothing kept; then the document camera starts in the
 * middle of the call, and the snapshot works. */
static void
test_no_document_camera (Fixture *f, gconstpointer data)
{
  g_autofree char *agent_dir = g_build_filename (f->dir, "agent", NULL);
  g_autofree char *clerk_dir = g_build_filename (f->dir, "clerk", NULL);
  const char *agent_args[] = { "--role", "agent", "--user", "wangfang",
    "--password-file", f->wangfang_pw, "--max-sessions", "1", "--save-dir", agent_dir, NULL };
  const char *clerk_args[] = { "--role", "clerk", "--province", "jiangsu",
    "--center", "吴江区政务服务中心", "--item", "GJJ-TQ-006", "--handled-in", "anhui",
    "--save-dir", clerk_dir, NULL };
  g_autoptr (VwTestClient) agent = vw_test_client_start (f->server, "王芳", agent_args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  g_autoptr (VwTestClient) clerk = vw_test_client_start (f->server, "陈静", clerk_args);
  JsonObject *connected = vw_test_client_wait_event (agent, "connected", NULL, 15000);

  vw_test_client_command (agent, "{\"command\":\"snapshot\"}");
  wait_error (agent, NULL, "no-document-camera");
  wait_error (clerk, NULL, "no-document-camera");
  g_autofree char *dir = g_strdup_printf ("%s/sessions/%s/snapshots", f->server->data_dir,
      json_object_get_string_member (connected, "session"));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* The clerk puts the page under the document camera in the middle of the
   * call: it arrives, and now a snapshot can be taken. */
  g_autofree char *share = g_strdup_printf (
      "{\"command\":\"share\",\"kind\":\"document\",\"source\":\"%s\"}", f->page);
  vw_test_client_command (clerk, share);
  JsonObject *doc = first_frame_of (agent, "document");
  g_assert_cmpint (json_object_get_int_member (doc, "height"), ==, 1920);
  vw_test_client_command (agent, "{\"command\":\"snapshot\"}");
  JsonObject *saved = vw_test_client_wait_event (agent, "snapshot-saved", NULL, 15000);
  g_assert_cmpint (json_object_get_int_member (saved, "width"), ==, PAGE_W);

  vw_test_client_command (clerk, "{\"command\":\"hangup\"}");
  g_assert_cmpint (vw_test_client_wait_exit (clerk, 10000), ==, 0);
  g_assert_cmpint (vw_test_client_wait_exit (agent, 10000), ==, 0);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/materials/screen-document-snapshot-annotation", Fixture, NULL,
      fixture_setup, test_materials, fixture_teardown);
  g_test_add ("/materials/no-document-camera", Fixture, NULL,
      fixture_setup, test_no_document_camera, fixture_teardown);
  return g_test_run ();
}
