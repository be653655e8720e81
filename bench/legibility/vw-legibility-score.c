/* vw-legibility-score: how much of a printed page OCR reads back from a
 * picture of it.
 *
 *   vw-legibility-score [OPTIONS] TRUTH.txt IMAGE...
 *
 * Runs `tesseract IMAGE stdout -l chi_sim --psm 6` on every image and
 * prints, per image, one tab-separated line:
 *
 *   ACCURACY%  DISTANCE  TRUTH_CHARS  READ_CHARS  IMAGE
 *
 * where ACCURACY = 1 - DISTANCE / TRUTH_CHARS, DISTANCE the Levenshtein
 * distance over Unicode code points between the ground truth and what was
 * read, white space removed from both and, unless --strict, full-width and
 * half-width forms folded together (NFKC: "（：；" and "(:;" are the same
 * characters to a reader; OCR prints the half-width ones).  See
 * vw-legibility-metric.h.  With --text the inputs are texts already read,
 * not images.
 *
 * Why chi_sim alone by default, when the page has Latin text too: chi_sim's
 * model reads Latin letters and digits as well, while chi_sim+eng lets the
 * English model take over whole runs of Chinese now and then ("自然人投资或
 * 控股" read as "BAAR BEA"), and where it does changes with the slightest
 * change of the picture: the same page merely scaled to 1920 px lost 2
 * points more with chi_sim+eng, the size of the effect to be measured.
 *
 * tesseract runs with OMP_THREAD_LIMIT=1 (unless set): on this page its
 * OpenMP threads take 3-4 times longer than one thread, for the same text;
 * images are read in parallel instead (--jobs, default: the number of CPUs).
 * Exit status: 0 when every input was scored, 1 otherwise, 2 for bad usage.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include "vw-legibility-metric.h"

static char *lang = NULL;
static int psm = 6;
static char *tesseract = NULL;
static char *save_dir = NULL;
static gboolean text_inputs = FALSE;
static gboolean strict = FALSE;
static int jobs = 0;

typedef struct {
  const char *input;
  char *read;            /* what was read; NULL on failure */
  char *error;
} Job;

typedef struct {
  GPtrArray *jobs;       /* Job*, in input order */
  guint next, running;
  GMainLoop *loop;
  GSubprocessLauncher *launcher;
} Runner;

static void start_next (Runner *r);

static void
on_done (GObject *source, GAsyncResult *res, gpointer data)
{
  Runner *r = g_object_get_data (source, "runner");
  Job *job = data;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  GSubprocess *proc = G_SUBPROCESS (source);
  if (!g_subprocess_communicate_utf8_finish (proc, res, &out, &err, &error))
    job->error = g_strdup (error->message);
  else if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    job->error = g_strdup_printf ("tesseract failed on %s: %s", job->input,
        err && *err ? g_strstrip (err) : "(no message)");
  else
    job->read = g_steal_pointer (&out);
  g_object_unref (proc);
  r->running--;
  start_next (r);
}

static void
start_next (Runner *r)
{
  while (r->next < r->jobs->len && r->running < (guint) jobs) {
    Job *job = g_ptr_array_index (r->jobs, r->next++);
    g_autofree char *psm_s = g_strdup_printf ("%d", psm);
    g_autoptr (GError) error = NULL;
    GSubprocess *proc = g_subprocess_launcher_spawn (r->launcher, &error,
        tesseract, job->input, "stdout", "-l", lang, "--psm", psm_s, NULL);
    if (!proc) {
      job->error = g_strdup_printf ("cannot run %s: %s (Debian package tesseract-ocr)",
          tesseract, error->message);
      continue;
    }
    g_object_set_data (G_OBJECT (proc), "runner", r);
    r->running++;
    g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_done, job);
  }
  if (r->running == 0 && r->next >= r->jobs->len)
    g_main_loop_quit (r->loop);
}

static void
job_free (gpointer p)
{
  Job *job = p;
  g_free (job->read);
  g_free (job->error);
  g_free (job);
}

static gboolean
save_text (const Job *job, GError **error)
{
  if (g_mkdir_with_parents (save_dir, 0755) != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot create %s", save_dir);
    return FALSE;
  }
  g_autofree char *base = g_path_get_basename (job->input);
  g_autofree char *name = g_strconcat (base, ".txt", NULL);
  g_autofree char *path = g_build_filename (save_dir, name, NULL);
  return g_file_set_contents (path, job->read, -1, error);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "lang", 'l', 0, G_OPTION_ARG_STRING, &lang, "tesseract languages (default chi_sim)", "LANGS" },
    { "psm", 0, 0, G_OPTION_ARG_INT, &psm, "tesseract page segmentation mode (default 6: one block of text)", "N" },
    { "tesseract", 0, 0, G_OPTION_ARG_FILENAME, &tesseract, "The tesseract program (default: tesseract on PATH)", "PATH" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Images read at once (default: number of CPUs)", "N" },
    { "save-text", 0, 0, G_OPTION_ARG_FILENAME, &save_dir, "Keep what was read as DIR/IMAGE-NAME.txt", "DIR" },
    { "text", 0, 0, G_OPTION_ARG_NONE, &text_inputs, "The inputs are texts already read (UTF-8), not images", NULL },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "Count full-width and half-width forms such as （ and ( as different", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");   /* 98.50, not 98,50 */
  g_autoptr (GOptionContext) ctx = g_option_context_new ("TRUTH.txt IMAGE... - character accuracy of OCR against the printed text");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
      "Prints one tab-separated line per input:\n"
      "  ACCURACY%  DISTANCE  TRUTH_CHARS  READ_CHARS  INPUT\n"
      "ACCURACY = 1 - DISTANCE / TRUTH_CHARS (at least 0), DISTANCE the Levenshtein\n"
      "distance over Unicode code points, white space removed from both texts\n"
      "and (unless --strict) full-width and half-width forms folded (NFKC).\n");
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("vw-legibility-score: %s\n", error->message);
    return 2;
  }
  if (argc < 3 || psm < 0 || psm > 13 || jobs < 0) {
    g_printerr ("vw-legibility-score: usage: vw-legibility-score [OPTIONS] TRUTH.txt IMAGE... (see --help)\n");
    return 2;
  }
  if (!lang)
    lang = g_strdup ("chi_sim");
  if (!tesseract)
    tesseract = g_strdup ("tesseract");
  if (jobs == 0)
    jobs = (int) MAX (1, g_get_num_processors ());

  g_autofree char *truth = NULL;
  if (!g_file_get_contents (argv[1], &truth, NULL, &error)) {
    g_printerr ("vw-legibility-score: %s\n", error->message);
    return 1;
  }
  if (!g_utf8_validate (truth, -1, NULL)) {
    g_printerr ("vw-legibility-score: %s is not UTF-8\n", argv[1]);
    return 1;
  }

  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (job_free);
  for (int i = 2; i < argc; i++) {
    Job *job = g_new0 (Job, 1);
    job->input = argv[i];
    g_ptr_array_add (all, job);
  }

  if (text_inputs) {
    for (guint i = 0; i < all->len; i++) {
      Job *job = g_ptr_array_index (all, i);
      g_autoptr (GError) e = NULL;
      if (!g_file_get_contents (job->input, &job->read, NULL, &e))
        job->error = g_strdup (e->message);
    }
  } else {
    Runner r = { all, 0, 0, g_main_loop_new (NULL, FALSE),
                 g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                     | G_SUBPROCESS_FLAGS_STDERR_PIPE) };
    if (!g_getenv ("OMP_THREAD_LIMIT"))
      g_subprocess_launcher_setenv (r.launcher, "OMP_THREAD_LIMIT", "1", TRUE);
    start_next (&r);
    if (r.running > 0)
      g_main_loop_run (r.loop);
    g_main_loop_unref (r.loop);
    g_object_unref (r.launcher);
  }

  int status = 0;
  VwLegibilityFlags flags = strict ? VW_LEGIBILITY_STRICT : VW_LEGIBILITY_FOLD_WIDTH;
  for (guint i = 0; i < all->len; i++) {
    Job *job = g_ptr_array_index (all, i);
    g_autoptr (GError) e = NULL;
    if (!job->error && !g_utf8_validate (job->read, -1, NULL))
      job->error = g_strdup_printf ("what was read from %s is not UTF-8", job->input);
    if (!job->error && save_dir && !save_text (job, &e))
      job->error = g_strdup (e->message);
    if (job->error) {
      g_printerr ("vw-legibility-score: %s\n", job->error);
      status = 1;
      continue;
    }
    VwLegibilityScore s = vw_legibility_score (truth, job->read, flags);
    printf ("%.2f\t%" G_GSIZE_FORMAT "\t%" G_GSIZE_FORMAT "\t%" G_GSIZE_FORMAT "\t%s\n",
        100.0 * s.accuracy, s.distance, s.truth_chars, s.read_chars, job->input);
  }
  g_free (lang);
  g_free (tesseract);
  g_free (save_dir);
  return status;
}
