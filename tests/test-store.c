/* test-store.c: unit tests for opening the server's SQLite store
 * (vw-store.c): the file it creates, its schema and migrations, reopening,
 * and the files it refuses (too new, foreign, damaged, unopenable) without
 * touching them.  Sessions and events are tested in test-store-sessions.c,
 * snapshots and annotations in test-store-snapshots.c.
 *
 * Every test works in its own temporary directory.  What the store wrote
 * is checked through the API and, where it matters (schema version, journal
 * mode, files left alone), through a separate SQLite connection or the
 * bytes of the file.
 *
 * The data is a realistic day at the cross-province window: agent 张敏 of
 * 黄浦区政务服务中心 (Shanghai) serves clerk 李华 of 嘉善县行政服务中心
 * (Zhejiang) on 企业设立 under Shanghai's rules, 2026-11-22 China Standard
 * Time.
 */
#include "store-test-util.h"
#include "vw-store-private.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define APPLICATION_ID 0x56570001   /* "VW" 0x0001, as the store sets it */

/* ---- fixture ---- */

typedef VwStoreFixture Fixture;

#define OPENED VW_STORE_OPENED
#define fixture_setup vw_store_fixture_setup
#define fixture_teardown vw_store_fixture_teardown

/* ---- helpers ---- */

/* Unix milliseconds of a China Standard Time (UTC+8) wall-clock time. */
#define T0 vw_store_test_cst (2026, 11, 22, 9, 30, 0)

/* Queries the file through a connection of its own (the store may be open:
 * WAL lets readers in). */
static char *
db_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

static gint64
db_int (const char *path, const char *sql)
{
  g_autofree char *text = db_text (path, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* Runs setup SQL on a plain SQLite file (rollback journal). */
static void
db_create (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, sql, NULL, NULL, &message);
  g_assert_cmpstr (message, ==, NULL);
  sqlite3_close (db);
}

static GBytes *
file_bytes (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* The names in @dir, sorted, joined by spaces. */
static char *
dir_listing (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

#define BEGIN(store, id, at) g_free (vw_store_test_begin ((store), (id), "shanghai", "企业设立", (at)))

static VwStoreSession *
get_session (VwStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession *s = vw_store_get_session (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

/* ---- opening ---- */

static void
test_open_creates (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStore) store = NULL;
  g_autofree char *tables = NULL, *indexes = NULL, *journal = NULL;
  GStatBuf st;

  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  store = vw_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (db_int (f->path, "PRAGMA user_version"), ==, VW_STORE_SCHEMA_VERSION);
  g_assert_cmpint (db_int (f->path, "PRAGMA application_id"), ==, APPLICATION_ID);
  journal = db_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");

  tables = db_text (f->path, "SELECT group_concat (name, ' ') FROM (SELECT name"
      " FROM sqlite_schema WHERE type = 'table' ORDER BY name)");
  g_assert_cmpstr (tables, ==,
      "accounts annotations audit bookings case_numbers chunks events follow_ups items"
      " participants ratings reviews sessions slots snapshots tracks");
  indexes = db_text (f->path, "SELECT group_concat (name, ' ') FROM (SELECT name"
      " FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)");
  g_assert_cmpstr (indexes, ==, "annotations_by_snapshot audit_by_at bookings_by_slot"
      " events_by_session follow_ups_by_due participants_by_account reviews_by_session"
      " sessions_by_started_at slots_by_center slots_by_start snapshots_by_session"
      " tracks_by_session");
  g_assert_cmpint (db_int (f->path, "SELECT count(*) FROM sqlite_schema"
          " WHERE type = 'trigger' AND tbl_name = 'snapshots'"), ==, 1);

  /* Foreign keys are enforced on the store's connection. */
  g_assert_false (vw_store_exec_for_test (store,
          "INSERT INTO participants (session_id, peer_id, role, joined_at)"
          " VALUES ('s-nowhere', 'p-1', 'agent', 1)", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "FOREIGN KEY"));
}

static void
test_open_empty_file (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStore) store = NULL;

  g_file_set_contents (f->path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (db_int (f->path, "PRAGMA user_version"), ==, 0);

  store = vw_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (db_int (f->path, "PRAGMA user_version"), ==, VW_STORE_SCHEMA_VERSION);
  g_assert_cmpint (db_int (f->path, "SELECT count(*) FROM sqlite_schema"
          " WHERE type = 'table'"), ==, 16);
  BEGIN (store, "s-1", T0);
}

static void
test_open_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *schema = NULL, *schema_again = NULL, *case_no = NULL;
  g_autoptr (VwStoreSession) s = NULL;
  g_autoptr (GPtrArray) snaps = NULL;

  g_assert_nonnull (f->store);
  BEGIN (f->store, "s-1", T0);
  vw_store_test_add_snapshot (f->store, "snap-1", "s-1", T0 + 60000);
  schema = db_text (f->path, "SELECT group_concat (sql, ';') FROM sqlite_schema");
  g_clear_pointer (&f->store, vw_store_close);

  for (int i = 0; i < 2; i++) {
    g_clear_pointer (&f->store, vw_store_close);
    f->store = vw_store_open (f->path, &error);
    g_assert_no_error (error);
    g_assert_nonnull (f->store);
  }
  g_assert_cmpint (db_int (f->path, "PRAGMA user_version"), ==, VW_STORE_SCHEMA_VERSION);
  schema_again = db_text (f->path, "SELECT group_concat (sql, ';') FROM sqlite_schema");
  g_assert_cmpstr (schema_again, ==, schema);

  s = get_session (f->store, "s-1");
  g_assert_cmpstr (s->case_no, ==, "VW-20261122-000001");
  snaps = vw_store_test_list_snapshots (f->store, "s-1");
  g_assert_cmpuint (snaps->len, ==, 1);
  /* The day's sequence survives the restart. */
  case_no = vw_store_test_begin (f->store, "s-2", "shanghai", "企业设立", T0 + 3600000);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000002");
}

/* A failing migration leaves nothing behind: not its first tables, not the
 * version. */
static void
test_open_migration_atomic (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStore) store = NULL;
  g_autofree char *tables = NULL;

  /* Ours, version 0, but "events" (the last table of migration 1) exists. */
  db_create (f->path, "PRAGMA application_id = 1448542209;"
      " CREATE TABLE events (x TEXT);");
  store = vw_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_SQLITE);
  g_assert_true (g_str_has_prefix (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "schema version 1"));
  g_assert_nonnull (strstr (error->message, "already exists"));

  g_assert_cmpint (db_int (f->path, "PRAGMA user_version"), ==, 0);
  tables = db_text (f->path, "SELECT group_concat (name, ' ') FROM sqlite_schema");
  g_assert_cmpstr (tables, ==, "events");
}

static void
assert_refused_untouched (const char *dir, const char *path, int code,
    const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) before = file_bytes (path);
  g_autofree char *listing = dir_listing (dir);
  g_autoptr (GBytes) after = NULL;
  g_autofree char *listing_after = NULL;
  VwStore *store;

  store = vw_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, VW_STORE_ERROR, code);
  g_test_message ("refused: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, message_part));

  after = file_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  listing_after = dir_listing (dir);
  g_assert_cmpstr (listing_after, ==, listing);
}

static void
test_open_too_new (Fixture *f, gconstpointer data)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d;"
      " PRAGMA user_version = %d; CREATE TABLE accounts (id TEXT);",
      APPLICATION_ID, VW_STORE_SCHEMA_VERSION + 1);

  g_autofree char *expected = g_strdup_printf ("schema version %d",
      VW_STORE_SCHEMA_VERSION + 1);
  db_create (f->path, sql);
  assert_refused_untouched (f->dir, f->path, VW_STORE_ERROR_TOO_NEW, expected);
  g_assert_cmpint (db_int (f->path, "PRAGMA user_version"), ==,
      VW_STORE_SCHEMA_VERSION + 1);
}

/* The same with a file the store made (WAL mode), then a newer server
 * raised its version. */
static void
test_open_too_new_wal (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  BEGIN (f->store, "s-1", T0);
  g_autofree char *raise = g_strdup_printf ("PRAGMA user_version = %d",
      VW_STORE_SCHEMA_VERSION + 1);
  g_autofree char *expected = g_strdup_printf ("schema version %d",
      VW_STORE_SCHEMA_VERSION + 1);
  g_assert_true (vw_store_exec_for_test (f->store, raise, &error));
  g_assert_no_error (error);
  g_clear_pointer (&f->store, vw_store_close);

  assert_refused_untouched (f->dir, f->path, VW_STORE_ERROR_TOO_NEW, expected);
}

static void
test_open_foreign (Fixture *f, gconstpointer data)
{
  /* Another application's database, even with a high version, is not ours
   * and is not taken for a newer store. */
  db_create (f->path, "PRAGMA user_version = 7; CREATE TABLE accounts (id TEXT);"
      " INSERT INTO accounts VALUES ('张敏');");
  assert_refused_untouched (f->dir, f->path, VW_STORE_ERROR_CORRUPT,
      "not a virtual-window store");
}

/* Ours but with a negative version: damaged, never migrated. */
static void
test_open_negative_version (Fixture *f, gconstpointer data)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d;"
      " PRAGMA user_version = -1; CREATE TABLE sessions (id TEXT);", APPLICATION_ID);

  db_create (f->path, sql);
  assert_refused_untouched (f->dir, f->path, VW_STORE_ERROR_CORRUPT,
      "schema version -1");
}

static void
test_open_corrupt (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261122);
  guint32 words[2048];

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    words[i] = g_rand_int (rand);
  g_file_set_contents (f->path, (const char *) words, sizeof words, &error);
  g_assert_no_error (error);

  assert_refused_untouched (f->dir, f->path, VW_STORE_ERROR_CORRUPT,
      "file is not a database");
}

static void
test_open_unopenable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "missing", "vw.db", NULL);
  VwStore *store = vw_store_open (path, &error);

  g_assert_null (store);
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_SQLITE);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "unable to open"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/store/" path, Fixture, (data), fixture_setup, (func), fixture_teardown)

  ADD ("open/creates", test_open_creates, NULL);
  ADD ("open/empty-file", test_open_empty_file, NULL);
  ADD ("open/reopen", test_open_reopen, OPENED);
  ADD ("open/migration-atomic", test_open_migration_atomic, NULL);
  ADD ("open/too-new", test_open_too_new, NULL);
  ADD ("open/too-new-wal", test_open_too_new_wal, OPENED);
  ADD ("open/foreign", test_open_foreign, NULL);
  ADD ("open/negative-version", test_open_negative_version, NULL);
  ADD ("open/corrupt", test_open_corrupt, NULL);
  ADD ("open/unopenable", test_open_unopenable, NULL);

  return g_test_run ();
}
