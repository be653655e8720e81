/* store-test-util.c: see store-test-util.h. */
#include "store-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include "vw-store-accounts.h"

void
vw_store_fixture_init (VwStoreFixture *f, const char *prefix, gboolean open)
{
  f->dir = vw_store_test_make_dir (prefix);
  f->path = g_build_filename (f->dir, "vw.db", NULL);
  f->store = open ? vw_store_test_open (f->dir, NULL) : NULL;
}

void
vw_store_fixture_clear (VwStoreFixture *f)
{
  g_clear_pointer (&f->store, vw_store_close);
  vw_store_test_remove_dir (f->dir);
  g_clear_pointer (&f->path, g_free);
  g_clear_pointer (&f->dir, g_free);
}

void
vw_store_fixture_setup (VwStoreFixture *f, gconstpointer data)
{
  vw_store_fixture_init (f, "vw-store", data == VW_STORE_OPENED);
}

void
vw_store_fixture_teardown (VwStoreFixture *f, gconstpointer data)
{
  vw_store_fixture_clear (f);
}

char *
vw_store_test_make_dir (const char *prefix)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", prefix);
  char *dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  return dir;
}

VwStore *
vw_store_test_open (const char *dir, char **path_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "vw.db", NULL);
  VwStore *store = vw_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  if (path_out)
    *path_out = g_steal_pointer (&path);
  return store;
}

void
vw_store_test_remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d))) {
    g_autofree char *file = g_build_filename (dir, name, NULL);
    g_remove (file);
  }
  g_rmdir (dir);
}

gint64
vw_store_test_cst (int year, int month, int day, int hour, int minute, int second)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) dt = g_date_time_new (tz, year, month, day, hour, minute,
      second);

  return g_date_time_to_unix (dt) * 1000;
}

void
vw_store_test_add_account (VwStore *store, const char *username, const char *role,
    const char *name, const char *province, const char *center)
{
  g_autoptr (GError) error = NULL;
  VwStoreAccount a = { .username = (char *) username, .role = (char *) role,
    .name = (char *) name, .province = (char *) province, .center = (char *) center,
    .password_hash = "$y$j9T$test$test",
    .created_at = vw_store_test_cst (2026, 11, 1, 9, 0, 0) };

  g_assert_true (vw_store_add_account (store, &a, &error));
  g_assert_no_error (error);
}

void
vw_store_test_add_peer (VwStore *store, const char *session, const char *peer,
    const char *role, const char *name, const char *province, const char *center,
    const char *account, gint64 at)
{
  g_autoptr (GError) error = NULL;
  VwStoreParticipant p = { .peer_id = (char *) peer, .role = (char *) role,
    .name = (char *) name, .province = (char *) province, .center = (char *) center,
    .account = (char *) account, .joined_at = at };

  g_assert_true (vw_store_session_add_participant (store, session, &p, &error));
  g_assert_no_error (error);
}

char *
vw_store_test_begin (VwStore *store, const char *id, const char *province,
    const char *item, gint64 started_at)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession s = { .id = (char *) id, .province = (char *) province,
    .item = (char *) item, .started_at = started_at };
  char *case_no = NULL;

  g_assert_true (vw_store_session_begin (store, &s, &case_no, &error));
  g_assert_no_error (error);
  g_assert_nonnull (case_no);
  return case_no;
}

VwStoreSnapshot
vw_store_test_snapshot (const char *id, const char *session, gint64 created_at)
{
  static char sha[65];
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1);

  memcpy (sha, sum, sizeof sha);
  return (VwStoreSnapshot) {
    .id = (char *) id, .session_id = (char *) session,
    .path = "snapshots/2026/11/22/page.png", .sha256 = sha, .size = 2483017,
    .mime = "image/png", .width = 3264, .height = 2448,
    .requested_by = "p-agent", .sent_by = "p-clerk", .created_at = created_at,
  };
}

void
vw_store_test_add_snapshot (VwStore *store, const char *id, const char *session,
    gint64 at)
{
  g_autoptr (GError) error = NULL;
  VwStoreSnapshot snap = vw_store_test_snapshot (id, session, at);

  g_assert_true (vw_store_add_snapshot (store, &snap, &error));
  g_assert_no_error (error);
}

GPtrArray *
vw_store_test_list_snapshots (VwStore *store, const char *session)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = vw_store_list_snapshots (store, session, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}
