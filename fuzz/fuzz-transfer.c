/* fuzz-transfer.c: what arrives on a snapshot's data channel, fed to the
 * receiver of pipelines/vw-transfer.c: the "file" header (id, size,
 * sha256, mime, width, height), binary chunks, "file-end", in any order.
 *
 * The input is a sequence of records separated by NUL bytes; the first
 * byte of a record says what it is:
 *   's'  the rest is a string message (vw_transfer_receiver_feed_string)
 *   'd'  the rest is a binary chunk (vw_transfer_receiver_feed_data)
 *   'a'  the channel closes (vw_transfer_receiver_abort)
 *   anything else: the whole record is a string message.
 * fuzz/corpus/transfer/ holds whole transfers to start from.
 *
 * Promises checked besides memory safety: every transfer ends once, with a
 * file or an error of VW_TRANSFER_ERROR; no part file is left behind when
 * the receiver is not busy; a kept file has the announced size and
 * SHA-256 and a name of its id, and sent on as vw_transfer_messages()
 * writes it (the hub's relay), it is kept again. */
#include "vw-fuzz.h"
#include "vw-transfer.h"

#include <glib/gstdio.h>
#include <string.h>

static char *dir;
static char *relay_dir;

static void
remove_files_in (const char *where)
{
  g_autoptr (GDir) d = g_dir_open (where, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (where, name, NULL);
    g_unlink (path);
  }
}

static void
remove_files (void)
{
  remove_files_in (dir);
}

static void
remove_dir (void)
{
  remove_files_in (dir);
  g_rmdir (dir);
  remove_files_in (relay_dir);
  g_rmdir (relay_dir);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  vw_fuzz_init_glib ();
  dir = g_dir_make_tmp ("vw-fuzz-transfer-XXXXXX", &error);
  if (!dir)
    vw_fuzz_fail ("no temporary directory: %s", error->message);
  relay_dir = g_dir_make_tmp ("vw-fuzz-relay-XXXXXX", &error);
  if (!relay_dir)
    vw_fuzz_fail ("no temporary directory: %s", error->message);
  atexit (remove_dir);
  return 0;
}

static guint relayed;

static void relay (const VwTransferInfo *info, const char *contents, gsize length);

static void
on_done (const VwTransferInfo *info, const char *path, const GError *error,
    gpointer user_data)
{
  guint *n_done = user_data;

  (*n_done)++;
  if (info == NULL || info->id == NULL)
    vw_fuzz_fail ("a transfer ended without its info");
  if ((path == NULL) == (error == NULL))
    vw_fuzz_fail ("a transfer ended with%s a file and with%s an error",
        path ? "" : "out", error ? "" : "out");
  if (error != NULL) {
    if (user_data == &relayed)
      vw_fuzz_fail ("a file sent on as it was kept failed: %s", error->message);
    if (error->domain != VW_TRANSFER_ERROR)
      vw_fuzz_fail ("a transfer failed outside VW_TRANSFER_ERROR: %s", error->message);
    return;
  }

  g_autofree char *contents = NULL;
  gsize length;
  g_autofree char *base = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &length, NULL))
    vw_fuzz_fail ("a kept file cannot be read: %s", path);
  if (length != info->size)
    vw_fuzz_fail ("%s: %" G_GSIZE_FORMAT " bytes kept, %" G_GSIZE_FORMAT " announced",
        path, length, info->size);
  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      (const guchar *) contents, length);
  if (g_strcmp0 (sum, info->sha256) != 0)
    vw_fuzz_fail ("%s: kept with SHA-256 %s, announced %s", path, sum, info->sha256);
  if (!g_str_has_prefix (base, info->id) || base[strlen (info->id)] != '.')
    vw_fuzz_fail ("%s kept for the id '%s'", path, info->id);

  /* What is kept can be sent on (the hub relays it to the asker). */
  if (user_data != &relayed)
    relay (info, contents, length);
}

/* Sends @info and @contents as vw_transfer_messages() writes them to a
 * receiver of its own, which must keep the same file. */
static void
relay (const VwTransferInfo *info, const char *contents, gsize length)
{
  g_autoptr (GBytes) bytes = g_bytes_new (contents, length);
  g_autoptr (GPtrArray) messages = vw_transfer_messages (info, bytes);
  g_autoptr (VwTransferReceiver) r = vw_transfer_receiver_new (relay_dir, on_done,
      &relayed);
  guint before = relayed;

  for (guint i = 0; i < messages->len; i++) {
    VwTransferMessage *m = g_ptr_array_index (messages, i);

    if (vw_transfer_message_is_string (m)) {
      if (!vw_transfer_receiver_feed_string (r, vw_transfer_message_get_string (m)))
        vw_fuzz_fail ("a relayed message is not taken: %s",
            vw_transfer_message_get_string (m));
    } else {
      vw_transfer_receiver_feed_data (r, vw_transfer_message_get_data (m));
    }
  }
  if (relayed != before + 1)
    vw_fuzz_fail ("a relayed file of %" G_GSIZE_FORMAT " bytes did not end once", length);
  remove_files_in (relay_dir);
}

static gboolean
part_file_left (void)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      return TRUE;
  return FALSE;
}

static void
feed (VwTransferReceiver *r, const char *record, gsize size)
{
  switch (size ? record[0] : 0) {
    case 'd': {
      g_autoptr (GBytes) bytes = g_bytes_new (record + 1, size - 1);
      vw_transfer_receiver_feed_data (r, bytes);
      break;
    }
    case 'a':
      vw_transfer_receiver_abort (r, "closed");
      break;
    case 's':
      record++, size--;
      /* fall through */
    default: {
      g_autofree char *text = g_strndup (record, size);
      vw_transfer_receiver_feed_string (r, text);
      break;
    }
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *p = (const char *) data, *end = p + size;
  guint n_done = 0;
  g_autoptr (VwTransferReceiver) r = vw_transfer_receiver_new (dir, on_done, &n_done);

  while (p < end) {
    const char *nul = memchr (p, '\0', end - p);
    const char *record_end = nul ? nul : end;

    feed (r, p, record_end - p);
    if (!vw_transfer_receiver_is_busy (r) && part_file_left ())
      vw_fuzz_fail ("a part file is left while no transfer is under way");
    p = record_end + (nul ? 1 : 0);
  }
  g_clear_pointer (&r, vw_transfer_receiver_free);
  if (part_file_left ())
    vw_fuzz_fail ("a part file is left after the receiver is freed");
  remove_files ();
  return 0;
}
