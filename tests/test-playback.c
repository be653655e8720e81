/* test-playback: a recorded track's chunks become one playable WebM
 * (vw-playback.c).  The chunks are made by a real GStreamer pipeline the way
 * the hub records (encoded, through RTP and back, into splitmuxsink with
 * webmmux, 1-s chunks) and indexed with their SHA-256 in a temporary store.
 * The remuxed file is discovered (GstDiscoverer) with the codec sent and the
 * summed duration of the chunks; it is reused while the chunks are
 * unchanged; a recording that restarts from 0 is placed after what came
 * before; an altered chunk, a missing one, one that is no WebM and an
 * empty track are refused, and no half-written file is ever left in the
 * cache. */
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vw-playback.h"
#include "vw-store-recordings.h"

typedef struct {
  char *dir;            /* the data directory */
  VwStore *store;
  gint64 track_id;
  char *codec;          /* caps name the chunks carry */
  gint64 total_ms;      /* the chunks' durations, summed */
} Fixture;

/* ---- discovering ---- */

/* The duration in ms of @path, after checking it holds one @codec stream. */
static gint64
discover_ms (const char *path, const char *codec)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) d = gst_discoverer_new (10 * GST_SECOND, &error);
  g_assert_no_error (error);
  g_autofree char *uri = gst_filename_to_uri (path, &error);
  g_autoptr (GstDiscovererInfo) info = gst_discoverer_discover_uri (d, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  GList *streams = gst_discoverer_info_get_stream_list (info);
  g_assert_cmpuint (g_list_length (streams), ==, 1);
  g_autoptr (GstCaps) caps = gst_discoverer_stream_info_get_caps (streams->data);
  g_assert_cmpstr (gst_structure_get_name (gst_caps_get_structure (caps, 0)), ==, codec);
  gst_discoverer_stream_info_list_free (streams);
  g_assert_true (gst_discoverer_info_get_seekable (info));
  return gst_discoverer_info_get_duration (info) / GST_MSECOND;
}

/* ---- recording and indexing ---- */

/* Runs @desc to its end; its splitmuxsink writes @dir/chunk-NNNNN.webm. */
static void
record (const char *desc, const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *location = g_build_filename (dir, "chunk-%05d.webm", NULL);
  g_autofree char *full = g_strdup_printf (desc, location);
  g_autoptr (GstElement) pipeline = gst_parse_launch (full, &error);
  g_assert_no_error (error);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static char *
sha256_of (const char *path, gint64 *size)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  *size = len;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, len);
}

/* Indexes every chunk in @rel_dir (relative to the data directory). */
static void
index_chunks (Fixture *f, const char *rel_dir, guint first_seq)
{
  g_autoptr (GError) error = NULL;

  for (guint seq = first_seq;; seq++) {
    g_autofree char *rel = g_strdup_printf ("%s/chunk-%05u.webm", rel_dir, seq);
    g_autofree char *path = g_build_filename (f->dir, rel, NULL);
    if (!g_file_test (path, G_FILE_TEST_EXISTS))
      break;
    gint64 size = 0;
    g_autofree char *sha = sha256_of (path, &size);
    VwStoreChunk c = { .track_id = f->track_id, .seq = seq, .path = rel,
      .sha256 = sha, .size = size, .duration_ms = discover_ms (path, f->codec),
      .closed_at = g_get_real_time () / 1000 };
    g_assert_true (vw_store_add_chunk (f->store, &c, &error));
    g_assert_no_error (error);
    f->total_ms += c.duration_ms;
  }
}

static void
add_session_and_track (Fixture *f, const char *kind, const char *codec)
{
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / 1000;
  VwStoreSession s = { .id = "s-play", .province = "shanghai", .item = "企业设立",
    .started_at = now };
  VwStoreParticipant p = { .peer_id = "p-clerk", .role = "clerk", .name = "李华",
    .province = "zhejiang", .center = "嘉善县行政服务中心", .joined_at = now };
  VwStoreTrack t = { .session_id = "s-play", .peer_id = "p-clerk", .kind = (char *) kind,
    .codec = (char *) codec, .dir = "sessions/s-play/tracks", .started_at = now };

  g_assert_true (vw_store_session_begin (f->store, &s, NULL, &error));
  g_assert_true (vw_store_session_add_participant (f->store, "s-play", &p, &error));
  g_assert_true (vw_store_add_track (f->store, &t, &f->track_id, &error));
  g_assert_no_error (error);
}

#define VIDEO_DESC "videotestsrc num-buffers=105 timestamp-offset=5000000000 ! " \
  "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! " \
  "rtpvp8pay ! rtpvp8depay ! splitmuxsink send-keyframe-requests=true " \
  "max-size-bytes=0 muxer=webmmux max-size-time=1000000000 location=%s"
#define AUDIO_DESC "audiotestsrc num-buffers=170 samplesperbuffer=960 timestamp-offset=5000000000 ! " \
  "audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay ! rtpopusdepay ! " \
  "s.audio_0 splitmuxsink name=s muxer=webmmux max-size-time=1000000000 location=%s"

/* The same camera again from 0 (a recording restarted), as chunks from
 * number %u on. */
#define VIDEO_AGAIN_DESC "videotestsrc num-buffers=60 ! " \
  "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! " \
  "rtpvp8pay ! rtpvp8depay ! splitmuxsink send-keyframe-requests=true " \
  "max-size-bytes=0 muxer=webmmux max-size-time=1000000000 start-index=%u location=%%s"

#define CHUNK_DIR "sessions/s-play/tracks/p-clerk-camera"

/* The fixture's data: a 3.5-s camera track (VIDEO) or a 3.4-s microphone
 * track (AUDIO). */
#define VIDEO GINT_TO_POINTER (1)
#define AUDIO GINT_TO_POINTER (2)

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean video = data == VIDEO;
  const char *rel_dir = CHUNK_DIR;

  f->dir = g_dir_make_tmp ("vw-playback-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *db = g_build_filename (f->dir, "vw.db", NULL);
  f->store = vw_store_open (db, &error);
  g_assert_no_error (error);
  f->codec = g_strdup (video ? "video/x-vp8" : "audio/x-opus");
  add_session_and_track (f, video ? "camera" : "audio", video ? "VP8" : "OPUS");

  g_autofree char *chunk_dir = g_build_filename (f->dir, rel_dir, NULL);
  g_assert_cmpint (g_mkdir_with_parents (chunk_dir, 0750), ==, 0);
  record (video ? VIDEO_DESC : AUDIO_DESC, chunk_dir);
  index_chunks (f, rel_dir, 0);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_close (f->store);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->codec);
}

/* ---- preparing ---- */

typedef struct {
  gboolean done;
  char *path;
  guint bad_seq;
  GError *error;
} Result;

static void
on_prepared (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->path = vw_playback_prepare_finish (res, &r->bad_seq, &r->error);
  r->done = TRUE;
}

/* Prepares the track, running the main context meanwhile. */
static Result
prepare (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreTrack) track = vw_store_get_track (f->store, f->track_id, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, f->track_id, &error);
  g_assert_no_error (error);
  Result r = { .bad_seq = G_MAXUINT };
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  vw_playback_prepare_async (f->dir, track, chunks, NULL, on_prepared, &r);
  while (!r.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.done);
  return r;
}

static void
result_clear (Result *r)
{
  g_free (r->path);
  g_clear_error (&r->error);
}

/* The cache directory holds exactly the finished file, or nothing. */
static void
assert_cache_clean (Fixture *f, gboolean with_file)
{
  g_autofree char *cache_dir = g_build_filename (f->dir, "cache", "playback", NULL);
  g_autoptr (GDir) dir = g_dir_open (cache_dir, 0, NULL);
  g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT ".webm", f->track_id);
  guint n = 0;
  const char *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_assert_cmpstr (name, ==, expected);
    n++;
  }
  g_assert_cmpuint (n, ==, with_file ? 1 : 0);
}

static gint64
mtime_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
}

/* ---- tests ---- */

/* One file, the codec sent, the chunks' summed duration; reused after. */
static void
test_remux (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, f->track_id, NULL);
  g_assert_cmpuint (chunks->len, >=, 3);   /* 1-s chunks: really several files */

  Result r = prepare (f);
  g_assert_no_error (r.error);
  g_autofree char *expected = vw_playback_cache_path (f->dir, f->track_id);
  g_assert_cmpstr (r.path, ==, expected);
  gint64 ms = discover_ms (r.path, f->codec);
  g_test_message ("%u chunks, %" G_GINT64_FORMAT " ms indexed, %" G_GINT64_FORMAT
      " ms remuxed", chunks->len, f->total_ms, ms);
  g_assert_cmpint (ABS (ms - f->total_ms), <=, 500);
  assert_cache_clean (f, TRUE);

  /* Unchanged chunks: the same file, not remuxed again. */
  gint64 made = mtime_of (r.path);
  Result again = prepare (f);
  g_assert_no_error (again.error);
  g_assert_cmpstr (again.path, ==, expected);
  g_assert_cmpint (mtime_of (again.path), ==, made);
  result_clear (&r);
  result_clear (&again);
}

/* Retention removes the cached copy with the chunks. */
static void
test_remove_cache (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Result r = prepare (f);

  g_assert_no_error (r.error);
  g_assert_true (g_file_test (r.path, G_FILE_TEST_EXISTS));
  g_assert_true (vw_playback_remove_cache (f->dir, f->track_id, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (r.path, G_FILE_TEST_EXISTS));
  /* Nothing to remove is no error. */
  g_assert_true (vw_playback_remove_cache (f->dir, f->track_id, &error));
  g_assert_no_error (error);
  result_clear (&r);
}

/* filesrc ! matroskademux ! appsink for the WebM file @path, playing;
 * *@sink gets the appsink (owned by the pipeline). */
static GstElement *
read_webm (const char *path, GstElement **sink)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *desc = g_strdup_printf ("filesrc location=\"%s\" ! matroskademux ! "
      "appsink name=out sync=false", path);
  GstElement *pipeline = gst_parse_launch (desc, &error);

  g_assert_no_error (error);
  *sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  gst_object_unref (*sink);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  return pipeline;
}

/* The time stamp of the first buffer in the WebM file @path. */
static GstClockTime
first_pts (const char *path)
{
  GstElement *sink;
  g_autoptr (GstElement) pipeline = read_webm (path, &sink);
  GstSample *sample = NULL;

  g_signal_emit_by_name (sink, "pull-preroll", &sample);
  g_assert_nonnull (sample);
  GstClockTime pts = GST_BUFFER_PTS (gst_sample_get_buffer (sample));
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return pts;
}

/* Reads every buffer of the WebM file @path and checks that time never
 * goes back.  Returns how many there were. */
static guint
assert_monotonic (const char *path)
{
  GstElement *sink;
  g_autoptr (GstElement) pipeline = read_webm (path, &sink);
  GstClockTime last = 0;
  GstSample *sample;
  guint n = 0;

  while ((g_signal_emit_by_name (sink, "pull-sample", &sample), sample)) {
    GstClockTime pts = GST_BUFFER_PTS (gst_sample_get_buffer (sample));
    g_assert_true (GST_CLOCK_TIME_IS_VALID (pts));
    if (pts < last)
      g_error ("buffer %u at %" GST_TIME_FORMAT " goes back from %" GST_TIME_FORMAT,
          n, GST_TIME_ARGS (pts), GST_TIME_ARGS (last));
    last = pts;
    n++;
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return n;
}

/* The chunks carry the recording's running time (here from 5 s, as a
 * track that starts mid-session); the remuxed file starts at 0. */
static void
test_starts_at_zero (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, f->track_id, NULL);
  g_autofree char *chunk0 = g_build_filename (f->dir,
      ((VwStoreChunk *) g_ptr_array_index (chunks, 0))->path, NULL);
  g_assert_cmpuint (first_pts (chunk0), >=, 4900 * GST_MSECOND);

  Result r = prepare (f);
  g_assert_no_error (r.error);
  g_assert_cmpuint (first_pts (r.path), <, 50 * GST_MSECOND);
  result_clear (&r);
}

/* A recording that starts again from 0 after its first chunks: the later
 * chunks are placed after the earlier ones, time never goes back, and the
 * file lasts as long as all the chunks together. */
static void
test_restarted (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) before = vw_store_list_chunks (f->store, f->track_id, NULL);
  g_autofree char *desc = g_strdup_printf (VIDEO_AGAIN_DESC, before->len);
  g_autofree char *dir = g_build_filename (f->dir, CHUNK_DIR, NULL);

  record (desc, dir);
  index_chunks (f, CHUNK_DIR, before->len);
  g_autoptr (GPtrArray) after = vw_store_list_chunks (f->store, f->track_id, NULL);
  g_assert_cmpuint (after->len, >, before->len);
  VwStoreChunk *again = g_ptr_array_index (after, before->len);
  g_autofree char *again_path = g_build_filename (f->dir, again->path, NULL);
  g_assert_cmpuint (first_pts (again_path), <, 100 * GST_MSECOND);

  Result r = prepare (f);
  g_assert_no_error (r.error);
  gint64 ms = discover_ms (r.path, f->codec);
  g_test_message ("%u + %u chunks, %" G_GINT64_FORMAT " ms indexed, %" G_GINT64_FORMAT
      " ms remuxed", before->len, after->len - before->len, f->total_ms, ms);
  g_assert_cmpint (ABS (ms - f->total_ms), <=, 500);
  g_assert_cmpuint (assert_monotonic (r.path), ==, 105 + 60);
  result_clear (&r);
}

/* A chunk that is no WebM at all, though indexed with its own hash (say,
 * a disk error when it was written): refused promptly as a remux error
 * naming the file, and no file is left in the cache. */
static void
test_not_webm (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, f->track_id, NULL);
  g_autofree char *rel = g_strdup_printf (CHUNK_DIR "/chunk-%05u.webm", chunks->len);
  g_autofree char *path = g_build_filename (f->dir, rel, NULL);
  const char junk[] = "这不是录像 / not a recording\n";

  g_assert_true (g_file_set_contents (path, junk, -1, NULL));
  gint64 size = 0;
  g_autofree char *sha = sha256_of (path, &size);
  VwStoreChunk c = { .track_id = f->track_id, .seq = chunks->len, .path = rel,
    .sha256 = sha, .size = size, .duration_ms = 1000,
    .closed_at = g_get_real_time () / 1000 };
  g_assert_true (vw_store_add_chunk (f->store, &c, &error));
  g_assert_no_error (error);

  gint64 started = g_get_monotonic_time ();
  Result r = prepare (f);
  g_assert_error (r.error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_REMUX);
  g_test_message ("%s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, rel));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  assert_cache_clean (f, FALSE);
  result_clear (&r);
}

/* Flips one byte in the middle of chunk @seq. */
static void
tamper (Fixture *f, guint seq)
{
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, f->track_id, NULL);
  VwStoreChunk *c = g_ptr_array_index (chunks, seq);
  g_autofree char *path = g_build_filename (f->dir, c->path, NULL);
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  data[len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

/* A chunk altered after a first playback: the cache is not trusted, the
 * track is refused naming the chunk, and nothing is served. */
static void
test_tampered (Fixture *f, gconstpointer data)
{
  Result first = prepare (f);
  g_assert_no_error (first.error);
  result_clear (&first);

  tamper (f, 1);
  Result r = prepare (f);
  g_assert_null (r.path);
  g_assert_error (r.error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_TAMPERED);
  g_autofree char *message = g_strdup_printf (
      "chunk 1 of track %" G_GINT64_FORMAT " does not match its SHA-256", f->track_id);
  g_assert_cmpstr (r.error->message, ==, message);
  g_assert_cmpuint (r.bad_seq, ==, 1);
  result_clear (&r);
}

/* Altered before any playback: refused too, and no file is made. */
static void
test_tampered_first (Fixture *f, gconstpointer data)
{
  tamper (f, 0);
  Result r = prepare (f);
  g_assert_error (r.error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_TAMPERED);
  g_assert_cmpuint (r.bad_seq, ==, 0);
  assert_cache_clean (f, FALSE);
  result_clear (&r);
}

static void
test_missing (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, f->track_id, NULL);
  VwStoreChunk *last = g_ptr_array_index (chunks, chunks->len - 1);
  g_autofree char *path = g_build_filename (f->dir, last->path, NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
  Result r = prepare (f);
  g_assert_error (r.error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_MISSING);
  g_assert_cmpuint (r.bad_seq, ==, last->seq);
  assert_cache_clean (f, FALSE);
  result_clear (&r);
}

/* A track of no chunk yet (recording its first 10 s). */
static void
test_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-playback-XXXXXX", &error);
  VwStoreTrack track = { .id = 7, .kind = "screen", .codec = "VP8" };
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  Result r = { 0 };

  vw_playback_prepare_async (dir, &track, none, NULL, on_prepared, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_EMPTY);
  result_clear (&r);
  remove_tree (dir);
}

static void
test_content_type (void)
{
  VwStoreTrack audio = { .kind = "audio", .codec = "OPUS" };
  VwStoreTrack document = { .kind = "document", .codec = "VP8" };

  g_assert_cmpstr (vw_playback_content_type (&audio), ==, "audio/webm");
  g_assert_cmpstr (vw_playback_content_type (&document), ==, "video/webm");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func, kind) \
  g_test_add ("/playback/" path, Fixture, (kind), fixture_setup, (func), fixture_teardown)
  ADD ("video/remux", test_remux, VIDEO);
  ADD ("video/starts-at-zero", test_starts_at_zero, VIDEO);
  ADD ("audio/remux", test_remux, AUDIO);
  ADD ("audio/starts-at-zero", test_starts_at_zero, AUDIO);
  ADD ("video/restarted", test_restarted, VIDEO);
  ADD ("audio/not-webm", test_not_webm, AUDIO);
  ADD ("video/tampered", test_tampered, VIDEO);
  ADD ("audio/tampered-first", test_tampered_first, AUDIO);
  ADD ("video/missing", test_missing, VIDEO);
  ADD ("audio/remove-cache", test_remove_cache, AUDIO);
  g_test_add_func ("/playback/empty", test_empty);
  g_test_add_func ("/playback/content-type", test_content_type);
  return g_test_run ();
}
