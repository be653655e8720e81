/* test-transfer.c: unit tests for files sent in chunks with their SHA-256
 * (vw-transfer.h): the hash, the protocol when it goes right (round trips
 * of every size around the chunk, transfers one after another), transfers
 * interrupted (abort, receiver freed, a second header) and when the
 * receiver is busy.  Refusals and bad input are in test-transfer-errors.c;
 * the scripts and the fixture both use are in transfer-test-util.c.
 */
#include "transfer-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define MIB (1024 * 1024)

/* ------------------------------------------------------------------------ */
/* SHA-256                                                                  */

static void
test_sha256 (void)
{
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr (GBytes) abc = g_bytes_new_static ("abc", 3);
  g_autofree char *sha_empty = vw_transfer_sha256 (empty);
  g_autofree char *sha_abc = vw_transfer_sha256 (abc);

  g_assert_cmpstr (sha_empty, ==, SHA_EMPTY);
  g_assert_cmpstr (sha_abc, ==, SHA_ABC);
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                              */

typedef struct {
  const char *name;
  gsize size;
  const char *mime;      /* as sent */
  const char *got_mime;  /* as received */
  const char *ext;
} RoundTrip;

static const RoundTrip round_trips[] = {
  { "1", 1, "image/png", "image/png", "png" },
  { "chunk-1", VW_TRANSFER_CHUNK - 1, "image/png", "image/png", "png" },
  { "chunk", VW_TRANSFER_CHUNK, "image/jpeg", "image/jpeg", "jpg" },
  { "chunk+1", VW_TRANSFER_CHUNK + 1, "image/png", "image/png", "png" },
  { "3MiB", 3 * MIB, "image/png", "image/png", "png" },
  { "3MiB-jpeg", 3 * MIB, "image/jpeg", "image/jpeg", "jpg" },
  { "no-mime", 1000, NULL, "image/png", "png" },
  /* json-glib writes U+001F raw, which the strict receiver refuses: a
   * header relayed with the sender's mime must be escaped. */
  { "mime-unit-separator", 10, "image/png\x1f", "image/png\x1f", "png" },
};

static void
test_round_trip (Fixture *f, gconstpointer user_data)
{
  const RoundTrip *row = user_data;
  g_autoptr (GBytes) data = random_bytes (row->size, 0x5eed + row->size);
  g_autoptr (GPtrArray) script = make_script (ID, row->mime, data);
  g_autofree char *name = g_strdup_printf (ID ".%s", row->ext);

  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  feed_steps (f, script, 0, 1);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, ID ".part");
  feed_steps (f, script, 1, script->len - 1);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, ID ".part");
  assert_dones (f, 0);

  feed_steps (f, script, script->len - 1, script->len);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  assert_dones (f, 1);
  assert_kept (f, 0, ID, row->got_mime, name, data);
  assert_files (f, name);

  /* A kept file outlives the receiver. */
  g_clear_pointer (&f->r, vw_transfer_receiver_free);
  assert_files (f, name);
  assert_dones (f, 1);
}

/* Two transfers one after the other on the same receiver; the id may be as
 * long as 64 characters. */
static void
test_one_after_another (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  const char *long_id = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  g_autoptr (GBytes) a = random_bytes (2 * VW_TRANSFER_CHUNK + 3, 1);
  g_autoptr (GBytes) b = random_bytes (5, 2);
  g_autoptr (GPtrArray) sa = make_script ("first", "image/png", a);
  g_autoptr (GPtrArray) sb = make_script (long_id, "image/jpeg", b);
  g_autofree char *b_name = g_strdup_printf ("%s.jpg", long_id);
  g_autofree char *both = g_strdup_printf ("%s.jpg first.png", long_id);

  g_assert_cmpuint (strlen (long_id), ==, 64);
  feed_steps (f, sa, 0, sa->len);
  feed_steps (f, sb, 0, sb->len);
  assert_dones (f, 2);
  assert_kept (f, 0, "first", "image/png", "first.png", a);
  g_assert_no_error (((Done *) f->dones->pdata[1])->error);
  g_assert_cmpstr (((Done *) f->dones->pdata[1])->info->id, ==, long_id);
  assert_files (f, both);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
}

/* ------------------------------------------------------------------------ */
/* Interruptions                                                            */

/* The abort's reason reaches done, and an abort with nothing under way does
 * nothing. */
static void
test_abort (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK, 7);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);
  Done *d;

  vw_transfer_receiver_abort (f->r, "idle");
  assert_dones (f, 0);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  feed_steps (f, script, 0, 2);
  vw_transfer_receiver_abort (f->r, "the data channel closed");
  assert_dones (f, 1);
  assert_failed (f, 0, VW_TRANSFER_ERROR_ABORTED, ID);
  d = g_ptr_array_index (f->dones, 0);
  g_assert_nonnull (strstr (d->error->message, "the data channel closed"));
  assert_files (f, "");

  vw_transfer_receiver_abort (f->r, "again");
  assert_dones (f, 1);
}

/* Freeing the receiver mid-transfer removes the part file and does not call
 * done. */
static void
test_free_mid_transfer (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (3 * VW_TRANSFER_CHUNK, 8);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);
  g_autofree char *part = g_build_filename (f->inbox, ID ".part", NULL);
  GStatBuf st;

  feed_steps (f, script, 0, 3);
  /* The part file holds what came so far. */
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, ID ".part");
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, 2 * VW_TRANSFER_CHUNK);

  g_clear_pointer (&f->r, vw_transfer_receiver_free);
  assert_dones (f, 0);
  assert_files (f, "");
}

/* A second header while one is in flight: the first fails (PROTOCOL), with
 * its part file gone, and the second completes. */
static void
test_second_header (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) a = random_bytes (3 * VW_TRANSFER_CHUNK, 9);
  g_autoptr (GBytes) b = random_bytes (VW_TRANSFER_CHUNK + 9, 10);
  g_autoptr (GPtrArray) sa = make_script ("first", "image/png", a);
  g_autoptr (GPtrArray) sb = make_script ("second", "image/jpeg", b);

  feed_steps (f, sa, 0, 3);
  assert_files (f, "first.part");
  feed_steps (f, sb, 0, 1);
  assert_dones (f, 1);
  assert_failed (f, 0, VW_TRANSFER_ERROR_PROTOCOL, "first");
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  assert_files (f, "second.part");

  feed_steps (f, sb, 1, sb->len);
  assert_dones (f, 2);
  assert_kept (f, 1, "second", "image/jpeg", "second.jpg", b);
  assert_files (f, "second.jpg");
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
}

/* A second header with the same id as the one in flight restarts it. */
static void
test_same_header_twice (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK + 1, 11);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);

  feed_steps (f, script, 0, 2);
  feed_steps (f, script, 0, script->len);
  assert_dones (f, 2);
  assert_failed (f, 0, VW_TRANSFER_ERROR_PROTOCOL, ID);
  assert_kept (f, 1, ID, "image/png", ID ".png", data);
  assert_files (f, ID ".png");
}

/* ------------------------------------------------------------------------ */
/* Busy                                                                     */

/* Busy only between a header and the end of its transfer, however it ends. */
static void
test_busy (Fixture *f, G_GNUC_UNUSED gconstpointer user_data)
{
  g_autoptr (GBytes) data = random_bytes (2 * VW_TRANSFER_CHUNK + 1, 14);
  g_autoptr (GPtrArray) script = make_script (ID, "image/png", data);
  g_autoptr (GBytes) stray = g_bytes_new ("x", 1);

  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  /* Complete. */
  for (guint i = 0; i < script->len; i++) {
    feed_step (f, g_ptr_array_index (script, i));
    g_assert_cmpint (vw_transfer_receiver_is_busy (f->r), ==, i < script->len - 1);
  }
  assert_dones (f, 1);

  /* Refused header, stray data and a stray end (how often done is called
   * for these is up to the bad-input tests). */
  g_assert_true (vw_transfer_receiver_feed_string (f->r,
          HEAD "\"id\":\"../x\",\"size\":10," SHA "}"));
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  vw_transfer_receiver_feed_data (f->r, stray);
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  g_assert_true (vw_transfer_receiver_feed_string (f->r,
          "{\"type\":\"file-end\",\"id\":\"pic\"}"));
  g_assert_false (vw_transfer_receiver_is_busy (f->r));

  /* Failed at the end (size), and aborted. */
  feed_steps (f, script, 0, 2);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  feed_step (f, g_ptr_array_index (script, script->len - 1));
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  feed_steps (f, script, 0, 1);
  g_assert_true (vw_transfer_receiver_is_busy (f->r));
  vw_transfer_receiver_abort (f->r, "gone");
  g_assert_false (vw_transfer_receiver_is_busy (f->r));
  g_assert_cmpuint (f->dones->len, >=, 3);
  g_assert_error (((Done *) f->dones->pdata[f->dones->len - 2])->error,
                  VW_TRANSFER_ERROR, VW_TRANSFER_ERROR_SIZE);
  g_assert_error (((Done *) f->dones->pdata[f->dones->len - 1])->error,
                  VW_TRANSFER_ERROR, VW_TRANSFER_ERROR_ABORTED);
  assert_files (f, ID ".png");
}

/* ------------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transfer/sha256", test_sha256);

  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++) {
    g_autofree char *path = g_strdup_printf ("/transfer/round-trip/%s", round_trips[i].name);
    ADD (path, &round_trips[i], test_round_trip);
  }
  ADD ("/transfer/one-after-another", NULL, test_one_after_another);

  ADD ("/transfer/abort", NULL, test_abort);
  ADD ("/transfer/free-mid-transfer", NULL, test_free_mid_transfer);
  ADD ("/transfer/second-header", NULL, test_second_header);
  ADD ("/transfer/same-header-twice", NULL, test_same_header_twice);

  ADD ("/transfer/busy", NULL, test_busy);

  return g_test_run ();
}
