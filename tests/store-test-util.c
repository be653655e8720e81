/* store-test-util.c: see store-test-util.h. */
#include "store-test-util.h"

#include <glib/gstdio.h>
#include "vw-store-accounts.h"

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
