/* vw-playback.c: a recorded track's chunks checked and remuxed into one
 * WebM file, in a worker thread (see vw-playback.h). */
#include "vw-playback.h"
#include "vw-playback-remux.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>

#define CACHE_SUBDIR "cache/playback"
#define HASH_BLOCK (256 * 1024)

G_DEFINE_QUARK (vw-playback-error-quark, vw_playback_error)

typedef struct {
  char *data_dir;
  char *cache_path;
  gint64 track_id;
  GPtrArray *chunks;     /* VwStoreChunk*, copies, by seq */
  guint bad_seq;         /* out: the chunk at fault */
} Job;

static void
job_free (Job *job)
{
  g_free (job->data_dir);
  g_free (job->cache_path);
  g_ptr_array_unref (job->chunks);
  g_free (job);
}

static VwStoreChunk *
chunk_copy (const VwStoreChunk *c)
{
  VwStoreChunk *copy = g_new0 (VwStoreChunk, 1);

  *copy = *c;
  copy->path = g_strdup (c->path);
  copy->sha256 = g_strdup (c->sha256);
  return copy;
}

const char *
vw_playback_content_type (const VwStoreTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);

  if (g_strcmp0 (track->kind, "audio") == 0 || g_strcmp0 (track->codec, "OPUS") == 0)
    return "audio/webm";
  return "video/webm";
}

char *
vw_playback_cache_path (const char *data_dir, gint64 track_id)
{
  g_return_val_if_fail (data_dir != NULL, NULL);

  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT ".webm", track_id);
  return g_build_filename (data_dir, CACHE_SUBDIR, name, NULL);
}

gboolean
vw_playback_remove_cache (const char *data_dir, gint64 track_id, GError **error)
{
  g_return_val_if_fail (data_dir != NULL, FALSE);

  g_autofree char *path = vw_playback_cache_path (data_dir, track_id);
  if (g_unlink (path) == 0 || errno == ENOENT)
    return TRUE;
  int errsv = errno;
  g_set_error (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_IO, "cannot remove %s: %s",
      path, g_strerror (errsv));
  return FALSE;
}

static char *
chunk_file (Job *job, const VwStoreChunk *c)
{
  return g_build_filename (job->data_dir, c->path, NULL);
}

/* ---- checking the chunks ---- */

static char *
file_sha256 (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *block = g_malloc (HASH_BLOCK);
  gssize n;

  if (!in)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), block, HASH_BLOCK, NULL,
              error)) > 0)
    g_checksum_update (sum, block, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (sum));
}

static gboolean
fail_chunk (Job *job, const VwStoreChunk *c, VwPlaybackError code, GError **error)
{
  job->bad_seq = c->seq;
  if (code == VW_PLAYBACK_ERROR_MISSING)
    g_set_error (error, VW_PLAYBACK_ERROR, code, "chunk %u of track %" G_GINT64_FORMAT
        " is missing", c->seq, job->track_id);
  else
    g_set_error (error, VW_PLAYBACK_ERROR, code, "chunk %u of track %" G_GINT64_FORMAT
        " does not match its SHA-256", c->seq, job->track_id);
  return FALSE;
}

static gboolean
verify_chunk (Job *job, const VwStoreChunk *c, GError **error)
{
  g_autofree char *path = chunk_file (job, c);
  g_autoptr (GError) local = NULL;
  g_autofree char *sha = file_sha256 (path, &local);

  if (!sha && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return fail_chunk (job, c, VW_PLAYBACK_ERROR_MISSING, error);
  if (!sha) {
    g_set_error (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_IO,
        "cannot read chunk %u of track %" G_GINT64_FORMAT ": %s", c->seq,
        job->track_id, local->message);
    return FALSE;
  }
  if (!g_str_equal (sha, c->sha256))
    return fail_chunk (job, c, VW_PLAYBACK_ERROR_TAMPERED, error);
  return TRUE;
}

static gboolean
verify_chunks (Job *job, GError **error)
{
  if (job->chunks->len == 0) {
    g_set_error (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_EMPTY,
        "track %" G_GINT64_FORMAT " has no recorded chunk yet", job->track_id);
    return FALSE;
  }
  for (guint i = 0; i < job->chunks->len; i++)
    if (!verify_chunk (job, g_ptr_array_index (job->chunks, i), error))
      return FALSE;
  return TRUE;
}

/* ---- the cache ---- */

/* Modification time (µs) and size of @path; FALSE if it cannot be read. */
static gboolean
file_stat (const char *path, gint64 *mtime_us, goffset *size)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInfo) info = g_file_query_info (file,
      G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC ","
      G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (!info)
    return FALSE;
  g_autoptr (GDateTime) mtime = g_file_info_get_modification_date_time (info);
  *mtime_us = g_date_time_to_unix (mtime) * G_USEC_PER_SEC
      + g_date_time_get_microsecond (mtime);
  *size = g_file_info_get_size (info);
  return TRUE;
}

/* The cache is newer than every chunk, and every chunk has its size. */
static gboolean
cache_is_fresh (Job *job)
{
  gint64 cache_mtime, mtime;
  goffset cache_size, size;

  if (!file_stat (job->cache_path, &cache_mtime, &cache_size) || cache_size == 0)
    return FALSE;
  for (guint i = 0; i < job->chunks->len; i++) {
    VwStoreChunk *c = g_ptr_array_index (job->chunks, i);
    g_autofree char *path = chunk_file (job, c);
    if (!file_stat (path, &mtime, &size) || size != c->size || mtime >= cache_mtime)
      return FALSE;
  }
  return TRUE;
}

/* ---- remuxing ---- */

static GStrv
chunk_paths (Job *job)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; i < job->chunks->len; i++) {
    g_autofree char *path = chunk_file (job, g_ptr_array_index (job->chunks, i));
    g_strv_builder_add (b, path);
  }
  return g_strv_builder_end (b);
}

static gboolean
remux (Job *job, const char *out_path, GError **error)
{
  g_auto (GStrv) paths = chunk_paths (job);

  if (vw_playback_remux ((const char *const *) paths, out_path, error))
    return TRUE;
  g_prefix_error (error, "cannot remux track %" G_GINT64_FORMAT ": ", job->track_id);
  return FALSE;
}

/* A temporary file beside the cache file, to be renamed over it. */
static char *
make_temp (Job *job, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (job->cache_path);
  g_autofree char *tmpl = g_strconcat (job->cache_path, ".XXXXXX", NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0750) != 0 || (fd = g_mkstemp_full (tmpl,
          O_RDWR, 0640)) < 0) {
    int errsv = errno;
    g_set_error (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_IO,
        "cannot write in %s: %s", dir, g_strerror (errsv));
    return NULL;
  }
  g_close (fd, NULL);
  return g_steal_pointer (&tmpl);
}

static gboolean
build_cache (Job *job, GError **error)
{
  g_autofree char *tmp = make_temp (job, error);

  if (!tmp)
    return FALSE;
  if (!remux (job, tmp, error)) {
    g_unlink (tmp);
    return FALSE;
  }
  if (g_rename (tmp, job->cache_path) != 0) {
    int errsv = errno;
    g_unlink (tmp);
    g_set_error (error, VW_PLAYBACK_ERROR, VW_PLAYBACK_ERROR_IO,
        "cannot rename %s: %s", tmp, g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

static void
prepare_in_thread (GTask *task, gpointer source, gpointer task_data,
    GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (cache_is_fresh (job)) {
    g_task_return_pointer (task, g_strdup (job->cache_path), g_free);
    return;
  }
  if (!verify_chunks (job, &error) || !build_cache (job, &error)) {
    g_task_return_error (task, error);
    return;
  }
  g_task_return_pointer (task, g_strdup (job->cache_path), g_free);
}

void
vw_playback_prepare_async (const char *data_dir, const VwStoreTrack *track,
    GPtrArray *chunks, GCancellable *cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  g_return_if_fail (data_dir != NULL && track != NULL && chunks != NULL);

  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->data_dir = g_strdup (data_dir);
  job->track_id = track->id;
  job->cache_path = vw_playback_cache_path (data_dir, track->id);
  job->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) vw_store_chunk_free);
  for (guint i = 0; i < chunks->len; i++)
    g_ptr_array_add (job->chunks, chunk_copy (g_ptr_array_index (chunks, i)));
  g_task_set_source_tag (task, vw_playback_prepare_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, prepare_in_thread);
}

char *
vw_playback_prepare_finish (GAsyncResult *result, guint *bad_seq_out, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  char *path = g_task_propagate_pointer (task, error);

  if (!path && bad_seq_out)
    *bad_seq_out = job->bad_seq;
  return path;
}
