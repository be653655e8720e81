/* test-store-pending: the store on a full disk (vw-store.h, Durability).
 * The store lives on a small tmpfs of this test's own (a mount namespace:
 * needs root, skipped otherwise) that the test fills with a file and
 * frees: what must not be lost is kept in memory in order and written
 * when space returns; what cannot be kept says so; at close, what could
 * not be written is named in the log. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <glib/gstdio.h>
#include "store-test-util.h"
#include "small-disk.h"
#include "vw-store-supervision.h"
#include "vw-store-audit.h"

typedef struct {
  char *disk;        /* the tmpfs */
  char *filler;
  VwStore *store;
  GPtrArray *warnings;
} Disk;

static void
on_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  Disk *d = data;
  if (level & G_LOG_LEVEL_WARNING)
    g_ptr_array_add (d->warnings, g_strdup (message));
  g_test_message ("log: %s", message);
}

static gboolean
disk_setup (Disk *d)
{
  d->disk = vw_small_disk_new ("vw-store-pending", "4m");
  if (!d->disk)
    return FALSE;
  d->filler = g_build_filename (d->disk, "filler", NULL);
  d->warnings = g_ptr_array_new_with_free_func (g_free);
  /* The store warns, as it must: kept, refused, lost. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_default_handler (on_log, d);
  d->store = vw_store_test_open (d->disk, NULL);
  return TRUE;
}

static void
disk_fill (Disk *d)
{
  vw_small_disk_fill (d->filler);
}

static void
disk_free (Disk *d)
{
  g_assert_cmpint (g_unlink (d->filler), ==, 0);
}

static void
disk_teardown (Disk *d)
{
  g_clear_pointer (&d->store, vw_store_close);
  g_log_set_default_handler (g_log_default_handler, NULL);
  g_clear_pointer (&d->warnings, g_ptr_array_unref);
  umount2 (d->disk, MNT_DETACH);
  g_rmdir (d->disk);
  g_free (d->disk);
  g_free (d->filler);
}

static gboolean
warned (Disk *d, const char *text)
{
  for (guint i = 0; i < d->warnings->len; i++)
    if (strstr (g_ptr_array_index (d->warnings, i), text))
      return TRUE;
  return FALSE;
}

static const gint64 T0 = 1796000000000;   /* 2026-11-29, a Sunday evening CST */

static void
begin_call (VwStore *store, const char *id)
{
  g_free (vw_store_test_begin (store, id, "shanghai", "企业设立", T0));
  vw_store_test_add_peer (store, id, "p-agent", "agent", "王芳", "shanghai",
      "黄浦区政务服务中心", NULL, T0);
  vw_store_test_add_peer (store, id, "p-clerk", "clerk", "李雷", "zhejiang",
      "嘉善县行政服务中心", NULL, T0);
}

/* The disk fills mid-call: the events, the end and the rating are kept,
 * in order; the session reads as ended and rated; space returns and they
 * are written, in that order, the bad rating with its follow-up. */
static void
test_kept_in_order (void)
{
  Disk d = { 0 };
  if (!disk_setup (&d))
    return;
  g_autoptr (GError) error = NULL;
  begin_call (d.store, "s-1");
  g_assert_true (vw_store_add_event (d.store, "s-1", T0 + 100, "leg", "p-agent",
      "{\"how\": \"first\"}", &error));
  g_assert_no_error (error);

  disk_fill (&d);
  /* Something that is not kept fails as the disk is full. */
  g_assert_false (vw_store_add_audit (d.store, T0 + 150, "wangfang", "watch-live", "s-1",
      NULL, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_FULL);
  g_clear_error (&error);

  g_assert_true (vw_store_add_event (d.store, "s-1", T0 + 200, "recording-failed",
      "p-clerk", "{\"kind\": \"camera\", \"reason\": \"No space left on device\"}", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (vw_store_get_n_pending (d.store), ==, 1);
  g_assert_true (warned (&d, "kept in memory"));
  g_assert_true (vw_store_session_end (d.store, "s-1", "peer-hangup", T0 + 300, &error));
  g_assert_true (vw_store_add_event (d.store, "s-1", T0 + 300, "ended", NULL,
      "{\"reason\": \"peer-hangup\"}", &error));
  g_assert_no_error (error);

  /* Over, as far as anyone reading can tell. */
  g_autoptr (VwStoreSession) s = vw_store_get_session (d.store, "s-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->state, ==, VW_STORE_SESSION_ENDED);
  g_assert_cmpint (s->ended_at, ==, T0 + 300);
  g_assert_cmpstr (s->end_reason, ==, "peer-hangup");

  /* The clerk's rating is taken, once. */
  VwStoreRating rating = { .session_id = "s-1", .level = 2, .comment = "等了很久",
    .created_at = T0 + 400 };
  g_assert_true (vw_store_set_rating (d.store, &rating, &error));
  g_assert_no_error (error);
  rating.level = 5;
  g_assert_false (vw_store_set_rating (d.store, &rating, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_cmpuint (vw_store_get_n_pending (d.store), ==, 4);

  /* Still full: nothing is written, nothing is lost. */
  g_assert_false (vw_store_flush_pending (d.store));
  g_assert_cmpuint (vw_store_get_n_pending (d.store), ==, 4);

  disk_free (&d);
  g_assert_true (vw_store_flush_pending (d.store));
  g_assert_cmpuint (vw_store_get_n_pending (d.store), ==, 0);

  g_clear_pointer (&s, vw_store_session_free);
  s = vw_store_get_session (d.store, "s-1", &error);
  g_assert_cmpint (s->state, ==, VW_STORE_SESSION_ENDED);
  g_assert_cmpint (s->ended_at, ==, T0 + 300);
  g_autoptr (GPtrArray) people = vw_store_list_participants (d.store, "s-1", &error);
  for (guint i = 0; i < people->len; i++)
    g_assert_cmpint (((VwStoreParticipant *) g_ptr_array_index (people, i))->left_at,
        ==, T0 + 300);
  g_autoptr (VwStoreRating) stored = vw_store_get_rating (d.store, "s-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->level, ==, 2);
  g_assert_cmpstr (stored->comment, ==, "等了很久");
  g_autoptr (GPtrArray) events = vw_store_list_events (d.store, "s-1", &error);
  g_assert_no_error (error);
  const char *types[] = { "leg", "recording-failed", "ended" };
  g_assert_cmpuint (events->len, >=, G_N_ELEMENTS (types));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
    VwStoreEvent *e = g_ptr_array_index (events, i);
    g_assert_cmpstr (e->type, ==, types[i]);
    if (i > 0)   /* written in the order they happened */
      g_assert_cmpint (e->id, >, ((VwStoreEvent *) g_ptr_array_index (events, i - 1))->id);
  }
  disk_teardown (&d);
}

/* At most the limit waits; past it a write fails (and says so); at close
 * with the disk still full, each write kept is named as lost. */
static void
test_limit_and_close (void)
{
  Disk d = { 0 };
  if (!disk_setup (&d))
    return;
  g_autoptr (GError) error = NULL;
  begin_call (d.store, "s-2");
  vw_store_set_pending_limit (d.store, 2);
  disk_fill (&d);
  g_assert_true (vw_store_add_event (d.store, "s-2", T0 + 200, "recording-failed",
      "p-clerk", "{\"kind\": \"audio\"}", &error));
  g_assert_true (vw_store_session_end (d.store, "s-2", "peer-hangup", T0 + 300, &error));
  g_assert_no_error (error);
  g_assert_false (vw_store_add_event (d.store, "s-2", T0 + 300, "ended", NULL, NULL,
      &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_FULL);
  g_assert_true (warned (&d, "is NOT kept"));
  g_assert_cmpuint (vw_store_get_n_pending (d.store), ==, 2);

  g_clear_pointer (&d.store, vw_store_close);
  g_assert_true (warned (&d, "LOST: the event recording-failed of s-2"));
  g_assert_true (warned (&d, "LOST: the end of session s-2 (peer-hangup"));
  disk_teardown (&d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store-pending/kept-in-order", test_kept_in_order);
  g_test_add_func ("/store-pending/limit-and-close", test_limit_and_close);
  return g_test_run ();
}
