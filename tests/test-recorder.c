/* test-recorder: a track recorded without re-encoding into WebM chunks of
 * at most 10 s; every chunk plays (GstDiscoverer), carries the codec it was
 * sent with and has the SHA-256 reported for it; stopping finishes the open
 * chunk, which plays too; a disk that is full stops the recording, never
 * what the tee carries to the call. */
#include <gst/gst.h>
#include <math.h>
#include <gst/pbutils/pbutils.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include "vw-recorder.h"
#include "vw-webm.h"

typedef struct {
  GPtrArray *paths;      /* char* */
  GPtrArray *hashes;     /* char* */
  GArray *durations;     /* gint64 ms, as reported */
} Chunks;

static void
on_chunk (VwRecorder *r, const VwRecorderChunk *chunk, gpointer data)
{
  Chunks *c = data;
  g_assert_cmpuint (chunk->index, ==, c->paths->len);
  g_assert_cmpint (chunk->size, >, 0);
  g_ptr_array_add (c->paths, g_strdup (chunk->path));
  g_ptr_array_add (c->hashes, g_strdup (chunk->sha256));
  g_array_append_val (c->durations, chunk->duration_ms);
}

static double
discover_seconds (const char *path, const char *codec)
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
  return (double) gst_discoverer_info_get_duration (info) / GST_SECOND;
}

static char *
sha256_of (const char *path)
{
  g_autofree char *data = NULL;
  gsize size;
  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, size);
}

/* Runs @desc (ending in "tee name=t") with a recorder on the tee until EOS,
 * or until @stop_after chunks, then vw_recorder_stop() and its last chunk. */
static char *
record (const char *desc, VwTrackKind kind, guint chunk_seconds, guint stop_after,
    Chunks *c)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("vw-rec-XXXXXX", &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) tee = gst_bin_get_by_name (GST_BIN (pipeline), "t");
  VwRecorder *r = vw_recorder_new (GST_BIN (pipeline), tee, kind, dir, "p-1-camera",
      chunk_seconds, on_chunk, c, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gboolean done = FALSE;
  while (!done) {
    g_autoptr (GstMessage) msg = gst_bus_timed_pop (bus, 30 * GST_SECOND);
    g_assert_nonnull (msg);
    if (vw_recorder_handle_message (r, msg)) {
      g_assert_no_error ((GError *) vw_recorder_get_error (r));
      if (stop_after && c->paths->len == stop_after)
        vw_recorder_stop (r);
      done = vw_recorder_is_finished (r);
      continue;
    }
    g_assert_cmpint (GST_MESSAGE_TYPE (msg), !=, GST_MESSAGE_ERROR);
    /* The pipeline's EOS comes after every sink's, the recorder's too. */
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS)
      done = TRUE;
  }
  vw_recorder_free (r);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return dir;
}

/* Every chunk matches its hash and plays; all but the last last about
 * @chunk_seconds. */
static double
check_chunks (Chunks *c, const char *codec, double chunk_seconds)
{
  double sum = 0;
  for (guint i = 0; i < c->paths->len; i++) {
    const char *path = g_ptr_array_index (c->paths, i);
    g_autofree char *sha = sha256_of (path);
    g_assert_cmpstr (sha, ==, g_ptr_array_index (c->hashes, i));
    double seconds = discover_seconds (path, codec);
    g_assert_cmpfloat (seconds, <=, chunk_seconds + 0.5);
    /* The duration reported with the chunk is what a player sees. */
    double reported = g_array_index (c->durations, gint64, i) / 1000.0;
    g_test_message ("chunk %u: %.3f s, reported %.3f s", i, seconds, reported);
    g_assert_cmpfloat (fabs (reported - seconds), <=, 0.002);
    if (i + 1 < c->paths->len)
      g_assert_cmpfloat (seconds, >=, chunk_seconds - 1.0);
    sum += seconds;
  }
  return sum;
}

static void
clean (char *dir, Chunks *c)
{
  for (guint i = 0; i < c->paths->len; i++)
    g_unlink (g_ptr_array_index (c->paths, i));
  /* Nothing else was written: the directory is empty now. */
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
  g_ptr_array_unref (c->paths);
  g_ptr_array_unref (c->hashes);
  g_array_unref (c->durations);
}

static Chunks
chunks_new (void)
{
  Chunks c = { g_ptr_array_new_with_free_func (g_free),
    g_ptr_array_new_with_free_func (g_free), g_array_new (FALSE, FALSE, sizeof (gint64)) };
  return c;
}

static void
test_video (void)
{
  Chunks c = chunks_new ();
  char *dir = record ("videotestsrc num-buffers=750 ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=3000 ! rtpvp8pay ! tee name=t",
      VW_TRACK_CAMERA, VW_RECORDER_CHUNK_SECONDS, 0, &c);
  /* 25 s: 10 + 10 + 5, split at the keyframes the recorder asked for. */
  g_assert_cmpuint (c.paths->len, ==, 3);
  g_assert_cmpfloat (ABS (check_chunks (&c, "video/x-vp8", 10) - 25.0), <=, 0.5);
  clean (dir, &c);
}

static void
test_audio (void)
{
  Chunks c = chunks_new ();
  char *dir = record ("audiotestsrc num-buffers=1100 samplesperbuffer=960 ! "
      "audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay ! tee name=t",
      VW_TRACK_AUDIO, VW_RECORDER_CHUNK_SECONDS, 0, &c);
  /* 1100 x 20 ms = 22 s: 10 + 10 + 2. */
  g_assert_cmpuint (c.paths->len, ==, 3);
  g_assert_cmpfloat (ABS (check_chunks (&c, "audio/x-opus", 10) - 22.0), <=, 0.5);
  clean (dir, &c);
}

static void
test_stop (void)
{
  Chunks c = chunks_new ();
  /* Live, 1-s chunks: stopped during the second chunk. */
  char *dir = record ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=3000 ! rtpvp8pay ! tee name=t",
      VW_TRACK_CAMERA, 1, 1, &c);
  /* Under load the second chunk may close before the stop lands: then
   * the stop cuts the third.  Either way the last one is short. */
  g_assert_cmpuint (c.paths->len, >=, 2);
  check_chunks (&c, "video/x-vp8", 1);
  clean (dir, &c);
}


/* A track that is live but never sends (or stops before its first
 * keyframe): stopping it finishes at once, with no chunk and no file. */
static void
test_stop_without_data (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vw-rec-XXXXXX", &error);
  g_autoptr (GstElement) pipeline = gst_parse_launch ("fakesrc num-buffers=0 ! "
      "capsfilter caps=application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96 ! "
      "tee name=t ! fakesink", &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) tee = gst_bin_get_by_name (GST_BIN (pipeline), "t");
  Chunks c = chunks_new ();
  VwRecorder *r = vw_recorder_new (GST_BIN (pipeline), tee, VW_TRACK_CAMERA, dir, "chunk",
      1, on_chunk, &c, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_usleep (200 * 1000);
  vw_recorder_stop (r);
  g_assert_true (vw_recorder_is_finished (r));
  vw_recorder_free (r);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_cmpuint (c.paths->len, ==, 0);
  clean (g_steal_pointer (&dir), &c);
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

/* The disk full under a recording (its first chunk is a link to /dev/full,
 * so every write fails with ENOSPC): the recording fails, on the bus, and
 * the call's side of the tee keeps getting every frame. */
static void
test_disk_full (void)
{
  g_autoptr (GError) error = NULL;
  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS)) {
    g_test_skip ("no /dev/full here");
    return;
  }
  g_autofree char *dir = g_dir_make_tmp ("vw-rec-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *chunk = g_build_filename (dir, "p-1-camera-00000.webm", NULL);
  g_assert_cmpint (symlink ("/dev/full", chunk), ==, 0);
  g_autoptr (GstElement) pipeline = gst_parse_launch ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! rtpvp8pay ! "
      "tee name=t ! queue ! fakesink name=call", &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) tee = gst_bin_get_by_name (GST_BIN (pipeline), "t");
  g_autoptr (GstElement) call = gst_bin_get_by_name (GST_BIN (pipeline), "call");
  g_autoptr (GstPad) call_pad = gst_element_get_static_pad (call, "sink");
  gint frames = 0;
  /* rtpvp8pay pushes a frame's packets as one list. */
  gst_pad_add_probe (call_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
      count_buffer, &frames, NULL);
  Chunks c = chunks_new ();
  VwRecorder *r = vw_recorder_new (GST_BIN (pipeline), tee, VW_TRACK_CAMERA, dir,
      "p-1-camera", VW_RECORDER_CHUNK_SECONDS, on_chunk, &c, &error);
  g_assert_no_error (error);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gint at_error = -1;
  gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until) {
    g_autoptr (GstMessage) msg = gst_bus_timed_pop (bus, 100 * GST_MSECOND);
    /* The recorder takes its own errors, and says why it stopped. */
    if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      g_assert_true (vw_recorder_handle_message (r, msg));
    if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      g_autoptr (GError) gst_error = NULL;
      gst_message_parse_error (msg, &gst_error, NULL);
      g_test_message ("error from %s: %s", GST_MESSAGE_SRC_NAME (msg), gst_error->message);
      /* The recording's own failure, never the source's. */
      g_assert_true (gst_error->domain == GST_RESOURCE_ERROR);
      if (at_error < 0) {
        at_error = g_atomic_int_get (&frames);
        until = g_get_monotonic_time () + 1500 * G_TIME_SPAN_MILLISECOND;
      }
    }
  }
  gint after = g_atomic_int_get (&frames);
  g_test_message ("%d frames before the recording failed, %d in the 1.5 s after",
      at_error, after - at_error);
  g_assert_cmpint (at_error, >=, 0);
  g_assert_cmpint (after - at_error, >=, 30);   /* 45 at 30 fps */
  const GError *why = vw_recorder_get_error (r);
  g_assert_nonnull (why);
  g_assert_true (why->domain == GST_RESOURCE_ERROR);

  vw_recorder_stop (r);
  vw_recorder_free (r);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_cmpuint (c.paths->len, ==, 0);
  g_unlink (chunk);
  clean (g_steal_pointer (&dir), &c);
}

/* Files that are not a finished WebM have no duration, and reading them
 * stays inside the buffer whatever the bytes say. */
static void
test_webm_duration_bad (void)
{
  static const struct {
    const char *what;
    const char *bytes;
    gsize size;
  } cases[] = {
    { "empty", "", 0 },
    { "text", "not a webm file at all", 22 },
    { "EBML id only", "\x1a\x45\xdf\xa3", 4 },
    { "EBML with a size past the end", "\x1a\x45\xdf\xa3\x88\xff\xff\xff\xff\xff\xff\xff", 12 },
    { "no segment", "\x1a\x45\xdf\xa3\x80\x1f\x43\xb6\x75\x80", 10 },
    { "segment without info", "\x1a\x45\xdf\xa3\x80\x18\x53\x80\x67\x82\xec\x80", 12 },
    { "info without duration", "\x1a\x45\xdf\xa3\x80\x18\x53\x80\x67\x88"
      "\x15\x49\xa9\x66\x83\x2a\xd7\xb1", 18 },
    { "zero byte vint", "\x00\x00\x00\x00", 4 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("%s", cases[i].what);
    g_assert_cmpint (vw_webm_duration_ms ((const guint8 *) cases[i].bytes,
        cases[i].size), ==, -1);
  }
  /* A well-formed one: Info with TimecodeScale 1 000 000 and Duration
   * 2500.0 (a double). */
  static const guint8 good[] = { 0x1a, 0x45, 0xdf, 0xa3, 0x80, 0x18, 0x53, 0x80, 0x67,
    0x97, 0x15, 0x49, 0xa9, 0x66, 0x92, 0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40,
    0x44, 0x89, 0x88, 0x40, 0xa3, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00 };
  g_assert_cmpint (vw_webm_duration_ms (good, sizeof good), ==, 2500);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recorder/video", test_video);
  g_test_add_func ("/recorder/audio", test_audio);
  g_test_add_func ("/recorder/webm-duration-bad", test_webm_duration_bad);
  g_test_add_func ("/recorder/stop", test_stop);
  g_test_add_func ("/recorder/stop-without-data", test_stop_without_data);
  g_test_add_func ("/recorder/disk-full", test_disk_full);
  return g_test_run ();
}
