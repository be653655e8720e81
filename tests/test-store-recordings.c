/* test-store-recordings.c: unit tests for recorded tracks and chunks
 * (vw-store-recordings.c): what is refused, what recovery and retention
 * find, and that a chunk's record is never changed. */
#include "vw-store-recordings.h"
#include "store-test-util.h"
#include "vw-store-private.h"

#include <glib/gstdio.h>

#define T0 ((gint64) 1795317066900)   /* unix ms, 2026-11-22 */
#define DAY ((gint64) 24 * 3600 * 1000)
#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

typedef struct {
  char *dir;
  VwStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = vw_store_test_make_dir ("vw-recordings");
  f->store = vw_store_test_open (f->dir, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_close (f->store);
  vw_store_test_remove_dir (f->dir);
  g_free (f->dir);
}

static void
begin (VwStore *store, const char *id, gint64 at)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession s = { .id = (char *) id, .province = (char *) "shanghai",
    .item = (char *) "企业设立", .started_at = at };
  g_assert_true (vw_store_session_begin (store, &s, NULL, &error));
  g_assert_no_error (error);
}

static void
end (VwStore *store, const char *id, gint64 at)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (vw_store_session_end (store, id, "hangup", at, &error));
  g_assert_no_error (error);
}

static VwStoreTrack
track (const char *session, const char *kind, gint64 offset)
{
  return (VwStoreTrack) { .session_id = (char *) session, .peer_id = (char *) "p-1",
    .kind = (char *) kind, .codec = (char *) (g_str_equal (kind, "audio") ? "OPUS" : "VP8"),
    .dir = (char *) "sessions/s-1/recording/p-1-camera-1", .offset_ms = offset,
    .started_at = T0 + offset };
}

static gint64
add_track (VwStore *store, const VwStoreTrack *t)
{
  g_autoptr (GError) error = NULL;
  gint64 id = 0;
  g_assert_true (vw_store_add_track (store, t, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static VwStoreChunk
chunk (gint64 track_id, guint seq)
{
  return (VwStoreChunk) { .track_id = track_id, .seq = seq,
    .path = (char *) "sessions/s-1/recording/p-1-camera-1/chunk-00000.webm",
    .sha256 = (char *) SHA, .size = 1000, .duration_ms = 10000, .closed_at = T0 + 10000 };
}

/* Bad tracks and chunks are refused with INVALID, NOT_FOUND or CONFLICT,
 * and nothing is written. */
static void
test_refused (Fixture *f, gconstpointer data)
{
  begin (f->store, "s-1", T0);
  begin (f->store, "s-2", T0);
  end (f->store, "s-2", T0 + 1000);
  static const struct {
    const char *what, *session, *kind, *codec, *dir;
    gint64 offset;
    VwStoreError code;
  } bad_tracks[] = {
    { "unknown kind", "s-1", "hologram", "VP8", "d", 0, VW_STORE_ERROR_INVALID },
    { "no kind", "s-1", NULL, "VP8", "d", 0, VW_STORE_ERROR_INVALID },
    { "unknown codec", "s-1", "camera", "H264", "d", 0, VW_STORE_ERROR_INVALID },
    { "absolute dir", "s-1", "camera", "VP8", "/etc", 0, VW_STORE_ERROR_INVALID },
    { "dir with ..", "s-1", "camera", "VP8", "sessions/../..", 0, VW_STORE_ERROR_INVALID },
    { "negative offset", "s-1", "camera", "VP8", "d", -1, VW_STORE_ERROR_INVALID },
    { "unknown session", "s-9", "camera", "VP8", "d", 0, VW_STORE_ERROR_NOT_FOUND },
    { "ended session", "s-2", "camera", "VP8", "d", 0, VW_STORE_ERROR_CONFLICT },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad_tracks); i++) {
    g_autoptr (GError) error = NULL;
    VwStoreTrack t = { .session_id = (char *) bad_tracks[i].session, .peer_id = (char *) "p-1",
      .kind = (char *) bad_tracks[i].kind, .codec = (char *) bad_tracks[i].codec,
      .dir = (char *) bad_tracks[i].dir, .offset_ms = bad_tracks[i].offset,
      .started_at = T0 };
    g_test_message ("track: %s", bad_tracks[i].what);
    g_assert_false (vw_store_add_track (f->store, &t, NULL, &error));
    g_assert_error (error, VW_STORE_ERROR, (int) bad_tracks[i].code);
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) none = vw_store_list_tracks (f->store, "s-1", &error);
  g_assert_cmpuint (none->len, ==, 0);

  VwStoreTrack t = track ("s-1", "camera", 0);
  gint64 id = add_track (f->store, &t);
  VwStoreChunk good = chunk (id, 0);
  g_assert_true (vw_store_add_chunk (f->store, &good, &error));
  g_assert_no_error (error);
  struct { const char *what; VwStoreChunk c; VwStoreError code; } bad_chunks[] = {
    { "same seq again", chunk (id, 0), VW_STORE_ERROR_CONFLICT },
    { "unknown track", chunk (id + 100, 1), VW_STORE_ERROR_NOT_FOUND },
  };
  VwStoreChunk c;
  c = chunk (id, 1); c.sha256 = (char *) "ABC";
  VwStoreChunk upper = c;
  c = chunk (id, 1); c.size = 0;
  VwStoreChunk empty = c;
  c = chunk (id, 1); c.path = (char *) "/tmp/x.webm";
  VwStoreChunk absolute = c;
  c = chunk (id, 1); c.duration_ms = -5;
  VwStoreChunk negative = c;
  const VwStoreChunk *invalid[] = { &upper, &empty, &absolute, &negative };
  for (guint i = 0; i < G_N_ELEMENTS (bad_chunks); i++) {
    g_autoptr (GError) e = NULL;
    g_test_message ("chunk: %s", bad_chunks[i].what);
    g_assert_false (vw_store_add_chunk (f->store, &bad_chunks[i].c, &e));
    g_assert_error (e, VW_STORE_ERROR, (int) bad_chunks[i].code);
  }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_autoptr (GError) e = NULL;
    g_assert_false (vw_store_add_chunk (f->store, invalid[i], &e));
    g_assert_error (e, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  }
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, id, &error);
  g_assert_cmpuint (chunks->len, ==, 1);

  /* A chunk's record is evidence: even raw SQL cannot change it. */
  g_assert_false (vw_store_exec_for_test (f->store,
      "UPDATE chunks SET sha256 = '" SHA "', size = 1 WHERE seq = 0", &error));
  g_assert_nonnull (error);
}

/* Tracks of a session by their start; ending keeps the first time. */
static void
test_tracks_in_order (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  begin (f->store, "s-1", T0);
  VwStoreTrack a = track ("s-1", "document", 900), b = track ("s-1", "audio", 200),
      c = track ("s-1", "camera", 210);
  add_track (f->store, &a);
  gint64 ib = add_track (f->store, &b);
  add_track (f->store, &c);
  /* A share stopped and started again: a second track of the same kind. */
  VwStoreTrack again = track ("s-1", "document", 5000);
  add_track (f->store, &again);
  g_autoptr (GPtrArray) list = vw_store_list_tracks (f->store, "s-1", &error);
  g_assert_cmpuint (list->len, ==, 4);
  const char *kinds[] = { "audio", "camera", "document", "document" };
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (((VwStoreTrack *) g_ptr_array_index (list, i))->kind, ==, kinds[i]);
  g_assert_true (vw_store_track_ended (f->store, ib, T0 + 7000, &error));
  g_assert_true (vw_store_track_ended (f->store, ib, T0 + 9000, &error));
  g_autoptr (VwStoreTrack) got = vw_store_get_track (f->store, ib, &error);
  g_assert_cmpint (got->ended_at, ==, T0 + 7000);
  g_assert_false (vw_store_track_ended (f->store, 9999, T0, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
}

/* Recovery finds tracks never ended in sessions a crash cut off; open
 * sessions' tracks are still being written and are not its business. */
static void
test_unfinished (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  begin (f->store, "s-1", T0);
  begin (f->store, "s-2", T0);
  VwStoreTrack t1 = track ("s-1", "camera", 0), t2 = track ("s-2", "camera", 0);
  add_track (f->store, &t1);
  add_track (f->store, &t2);
  g_autoptr (GPtrArray) before = vw_store_list_unfinished_tracks (f->store, &error);
  g_assert_cmpuint (before->len, ==, 0);
  guint n = 0;
  g_assert_true (vw_store_mark_open_sessions_interrupted (f->store, T0 + 5000, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  g_autoptr (GPtrArray) after = vw_store_list_unfinished_tracks (f->store, &error);
  g_assert_cmpuint (after->len, ==, 2);
}

/* Retention: only tracks of sessions that ended before the cut-off, once;
 * purging deletes the chunk rows and keeps the track's record. */
static void
test_expired (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  begin (f->store, "s-old", T0 - 40 * DAY);
  begin (f->store, "s-young", T0 - 10 * DAY);
  begin (f->store, "s-open", T0 - 50 * DAY);
  VwStoreTrack o = track ("s-old", "camera", 0), y = track ("s-young", "camera", 0),
      op = track ("s-open", "camera", 0);
  gint64 io = add_track (f->store, &o);
  add_track (f->store, &y);
  add_track (f->store, &op);
  VwStoreChunk c = chunk (io, 0);
  g_assert_true (vw_store_add_chunk (f->store, &c, &error));
  end (f->store, "s-old", T0 - 40 * DAY + 60000);
  end (f->store, "s-young", T0 - 10 * DAY + 60000);

  g_autoptr (GPtrArray) expired = vw_store_list_expired_tracks (f->store, T0 - 30 * DAY, &error);
  g_assert_cmpuint (expired->len, ==, 1);
  g_assert_cmpint (((VwStoreTrack *) g_ptr_array_index (expired, 0))->id, ==, io);
  g_assert_true (vw_store_track_purged (f->store, io, T0, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) again = vw_store_list_expired_tracks (f->store, T0 - 30 * DAY, &error);
  g_assert_cmpuint (again->len, ==, 0);
  g_autoptr (GPtrArray) chunks = vw_store_list_chunks (f->store, io, &error);
  g_assert_cmpuint (chunks->len, ==, 0);
  g_autoptr (VwStoreTrack) kept = vw_store_get_track (f->store, io, &error);
  g_assert_cmpint (kept->purged_at, ==, T0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/store-recordings/refused", test_refused);
  ADD ("/store-recordings/tracks-in-order", test_tracks_in_order);
  ADD ("/store-recordings/unfinished", test_unfinished);
  ADD ("/store-recordings/expired", test_expired);
  return g_test_run ();
}
