/* vw-bench-remux: how long a recorded track takes to become one playable
 * WebM (vw_playback_remux(), what the supervisor page plays) and how many of
 * its chunk files are open at once meanwhile; beside it, the same with
 * splitmuxsrc -> webmmux, as playback did before (see
 * server/api/vw-playback-remux.h for why it changed).
 *
 *   build/bench/vw-bench-remux [--seconds 120] [--rounds 5]
 *
 * Records a camera track (640x480@15 VP8) and a microphone track (Opus,
 * 20 ms packets) of --seconds in 10-s chunks, as the hub does, then remuxes
 * each --rounds times each way.  A remux that has not ended after 60 s is
 * counted as hung. */
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vw-bench-figures.h"
#include "vw-playback-remux.h"

#define CHUNK_NS (10 * GST_SECOND)
#define HANG_TIMEOUT (60 * GST_SECOND)

static int seconds = 120;
static int rounds = 5;

static GOptionEntry entries[] = {
  { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Length of each track (120)", "S" },
  { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Remuxes per track and way (5)", "N" },
  { NULL }
};

/* ---- counting open chunk files ---- */

typedef struct {
  const char *dir;          /* chunk files are those under it */
  gint stop;                /* atomic */
  guint peak;
} Sampler;

static guint
open_chunks (const char *dir)
{
  g_autoptr (GDir) fds = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  while (fds && (name = g_dir_read_name (fds))) {
    g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
    g_autofree char *target = g_file_read_link (link, NULL);
    if (target && g_str_has_prefix (target, dir) && target[strlen (dir)] == '/'
        && g_str_has_suffix (target, ".webm"))
      n++;
  }
  return n;
}

static gpointer
sample_loop (gpointer data)
{
  Sampler *s = data;

  while (!g_atomic_int_get (&s->stop)) {
    s->peak = MAX (s->peak, open_chunks (s->dir));
    g_usleep (2000);
  }
  return NULL;
}

/* ---- recording ---- */

static void
run_to_end (const char *desc)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (desc, &error);
  if (!pipeline)
    g_error ("%s: %s", desc, error->message);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    g_error ("recording failed: %s", GST_MESSAGE_SRC_NAME (msg));
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static void
record (const char *dir, const char *kind)
{
  g_autofree char *location = g_build_filename (dir, "chunk-%05d.webm", NULL);
  g_autofree char *desc = g_str_equal (kind, "camera")
      ? g_strdup_printf ("videotestsrc num-buffers=%d ! video/x-raw,width=640,height=480,"
          "framerate=15/1 ! vp8enc deadline=1 cpu-used=8 ! rtpvp8pay ! rtpvp8depay ! "
          "splitmuxsink send-keyframe-requests=true max-size-bytes=0 muxer=webmmux "
          "max-size-time=%" G_GUINT64_FORMAT " location=\"%s\"", seconds * 15,
          (guint64) CHUNK_NS, location)
      : g_strdup_printf ("audiotestsrc num-buffers=%d samplesperbuffer=960 ! "
          "audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay ! rtpopusdepay ! "
          "s.audio_0 splitmuxsink name=s muxer=webmmux max-size-time=%" G_GUINT64_FORMAT
          " location=\"%s\"", seconds * 50, (guint64) CHUNK_NS, location);

  g_mkdir_with_parents (dir, 0750);
  run_to_end (desc);
}

static GStrv
list_chunks (const char *dir)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0;; i++) {
    g_autofree char *name = g_strdup_printf ("chunk-%05u.webm", i);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    if (!g_file_test (path, G_FILE_TEST_EXISTS))
      break;
    g_strv_builder_add (b, path);
  }
  return g_strv_builder_end (b);
}

/* ---- the two ways ---- */

static gboolean
remux_ours (GStrv chunks, const char *out, const char *dir)
{
  g_autoptr (GError) error = NULL;

  if (!vw_playback_remux ((const char *const *) chunks, out, &error)) {
    g_printerr ("vw_playback_remux: %s\n", error->message);
    return FALSE;
  }
  return TRUE;
}

/* splitmuxsrc names its pads after the stream: audio_0, video_0. */
static void
on_split_pad (GstElement *src, GstPad *pad, gpointer mux)
{
  g_autoptr (GstPad) sink = gst_element_request_pad_simple (mux,
      g_str_has_prefix (GST_PAD_NAME (pad), "audio") ? "audio_%u" : "video_%u");

  gst_pad_link (pad, sink);
}

static gboolean
remux_splitmuxsrc (GStrv chunks, const char *out, const char *dir)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("before");
  GstElement *src = gst_element_factory_make ("splitmuxsrc", NULL);
  GstElement *mux = gst_element_factory_make ("webmmux", NULL);
  GstElement *sink = gst_element_factory_make ("filesink", NULL);
  g_autofree char *glob = g_build_filename (dir, "chunk-*.webm", NULL);

  g_object_set (src, "location", glob, NULL);
  g_object_set (mux, "streamable", FALSE, "offset-to-zero", TRUE, NULL);
  g_object_set (sink, "location", out, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, mux, sink, NULL);
  gst_element_link (mux, sink);
  g_signal_connect (src, "pad-added", G_CALLBACK (on_split_pad), mux);

  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus, HANG_TIMEOUT,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) gst_error = NULL;
    gst_message_parse_error (msg, &gst_error, NULL);
    g_printerr ("splitmuxsrc: %s\n", gst_error->message);
  }
  return msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
}

typedef gboolean (*RemuxFunc) (GStrv chunks, const char *out, const char *dir);

static void
measure (const char *kind, const char *dir, const char *way, RemuxFunc func)
{
  g_auto (GStrv) chunks = list_chunks (dir);
  g_autofree char *out = g_strconcat (dir, ".out.webm", NULL);
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  guint peak = 0, failed = 0;

  for (int r = 0; r < rounds; r++) {
    Sampler s = { .dir = dir };
    GThread *thread = g_thread_new ("sampler", sample_loop, &s);
    gint64 start = g_get_monotonic_time ();
    gboolean ok = func (chunks, out, dir);
    double took = (g_get_monotonic_time () - start) / 1000.0;
    g_atomic_int_set (&s.stop, 1);
    g_thread_join (thread);
    peak = MAX (peak, s.peak);
    if (ok)
      g_array_append_val (ms, took);
    else
      failed++;
    g_unlink (out);
  }
  GStatBuf st;
  guint64 bytes = 0;
  for (guint i = 0; chunks[i]; i++)
    if (g_stat (chunks[i], &st) == 0)
      bytes += st.st_size;
  double median = vw_bench_percentile (ms, 50);
  printf ("| %s | %u | %d s | %.1f MB | %s | %.0f ms | %.0f ms | %u | %u |\n", kind,
      g_strv_length (chunks), seconds, bytes / 1e6, way, median,
      vw_bench_percentile (ms, 100), peak, failed);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- time the playback remux");
  g_autoptr (GError) error = NULL;

  gst_init (&argc, &argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || seconds < 1 || rounds < 1) {
    g_printerr ("vw-bench-remux: %s\n", error ? error->message : "--seconds and --rounds must be >= 1");
    return 2;
  }
  g_autofree char *tmp = g_dir_make_tmp ("vw-bench-remux-XXXXXX", &error);
  g_assert_no_error (error);
  const char *kinds[] = { "camera", "audio" };

  g_printerr ("recording %d s of camera and microphone in %s...\n", seconds, tmp);
  printf ("| track | chunks | length | size | way | median | slowest | chunk files open at once | hung or failed |\n");
  printf ("|---|---|---|---|---|---|---|---|---|\n");
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++) {
    g_autofree char *dir = g_build_filename (tmp, kinds[k], NULL);
    record (dir, kinds[k]);
    measure (kinds[k], dir, "vw_playback_remux", remux_ours);
    measure (kinds[k], dir, "splitmuxsrc (before)", remux_splitmuxsrc);
    g_auto (GStrv) chunks = list_chunks (dir);
    for (guint i = 0; chunks[i]; i++)
      g_unlink (chunks[i]);
    g_rmdir (dir);
  }
  g_rmdir (tmp);
  return 0;
}
