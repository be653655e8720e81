/* test-store.c: unit tests for the server's SQLite store (vw-store.c).
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

typedef struct {
  char *dir;
  char *path;        /* dir/vw.db */
  VwStore *store;    /* opened for tests added with OPENED */
} Fixture;

#define OPENED GINT_TO_POINTER (1)

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = vw_store_test_make_dir ("vw-store");
  f->path = g_build_filename (f->dir, "vw.db", NULL);
  if (data == OPENED)
    f->store = vw_store_test_open (f->dir, NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vw_store_close (f->store);
  vw_store_test_remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

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

static char *
begin (VwStore *store, const char *id, const char *province, const char *item,
    gint64 started_at)
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

#define BEGIN(store, id, at) g_free (begin ((store), (id), "shanghai", "企业设立", (at)))

static void
add_participant (VwStore *store, const char *session, const char *peer,
    const char *role, const char *name, const char *province, const char *center,
    gint64 at)
{
  g_autoptr (GError) error = NULL;
  VwStoreParticipant p = { .peer_id = (char *) peer, .role = (char *) role,
    .name = (char *) name, .province = (char *) province,
    .center = (char *) center, .joined_at = at };

  g_assert_true (vw_store_session_add_participant (store, session, &p, &error));
  g_assert_no_error (error);
}

static void
add_agent_and_clerk (VwStore *store, const char *session, gint64 at)
{
  add_participant (store, session, "p-agent", "agent", "张敏", "shanghai",
      "黄浦区政务服务中心", at);
  add_participant (store, session, "p-clerk", "clerk", "李华", "zhejiang",
      "嘉善县行政服务中心", at + 1200);
}

static VwStoreSession *
get_session (VwStore *store, const char *id)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession *s = vw_store_get_session (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

/* A valid snapshot: a page of a business licence application under the
 * document camera (高拍仪), sent by the clerk at the agent's request.
 * Strings are static; tests change fields of the copy. */
static VwStoreSnapshot
snapshot_template (const char *id, const char *session, gint64 created_at)
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

static void
add_snapshot (VwStore *store, const char *id, const char *session, gint64 at)
{
  g_autoptr (GError) error = NULL;
  VwStoreSnapshot snap = snapshot_template (id, session, at);

  g_assert_true (vw_store_add_snapshot (store, &snap, &error));
  g_assert_no_error (error);
}

static GPtrArray *
list_snapshots (VwStore *store, const char *session)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = vw_store_list_snapshots (store, session, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static void
add_event (VwStore *store, const char *session, gint64 at, const char *type,
    const char *actor, const char *detail)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (vw_store_add_event (store, session, at, type, actor, detail, &error));
  g_assert_no_error (error);
}

/* "type@offset-from-T0" of each event, joined by spaces. */
static char *
events_string (VwStore *store, const char *session)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = vw_store_list_events (store, session, &error);
  g_autoptr (GString) s = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (events);
  for (guint i = 0; i < events->len; i++) {
    VwStoreEvent *e = g_ptr_array_index (events, i);
    g_assert_cmpstr (e->session_id, ==, session);
    g_string_append_printf (s, "%s%s@%" G_GINT64_FORMAT, i ? " " : "", e->type,
        e->at - T0);
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
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
  add_snapshot (f->store, "snap-1", "s-1", T0 + 60000);
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
  snaps = list_snapshots (f->store, "s-1");
  g_assert_cmpuint (snaps->len, ==, 1);
  /* The day's sequence survives the restart. */
  case_no = begin (f->store, "s-2", "shanghai", "企业设立", T0 + 3600000);
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

/* ---- sessions ---- */

static void
test_session_life_cycle (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *case_no = NULL;
  g_autoptr (VwStoreSession) open = NULL, ended = NULL, again = NULL;
  g_autoptr (GPtrArray) people = NULL;
  VwStoreParticipant *agent, *clerk;
  VwStoreParticipant supervisor = { .peer_id = "p-sup", .role = "supervisor",
    .name = "周静", .province = "shanghai", .center = "黄浦区政务服务中心",
    .joined_at = T0 + 700000 };

  case_no = begin (f->store, "s-5f3a9c1e0b7d", "shanghai", "企业设立", T0);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000001");
  add_agent_and_clerk (f->store, "s-5f3a9c1e0b7d", T0);

  open = get_session (f->store, "s-5f3a9c1e0b7d");
  g_assert_cmpstr (open->id, ==, "s-5f3a9c1e0b7d");
  g_assert_cmpstr (open->case_no, ==, case_no);
  g_assert_cmpstr (open->province, ==, "shanghai");
  g_assert_cmpstr (open->item, ==, "企业设立");
  g_assert_cmpint (open->started_at, ==, T0);
  g_assert_cmpint (open->state, ==, VW_STORE_SESSION_OPEN);
  g_assert_cmpint (open->ended_at, ==, 0);
  g_assert_null (open->end_reason);

  g_assert_true (vw_store_session_participant_left (f->store, "s-5f3a9c1e0b7d",
          "p-clerk", T0 + 600000, &error));
  g_assert_no_error (error);
  g_assert_true (vw_store_session_end (f->store, "s-5f3a9c1e0b7d",
          "peer-disconnected", T0 + 600500, &error));
  g_assert_no_error (error);

  ended = get_session (f->store, "s-5f3a9c1e0b7d");
  g_assert_cmpint (ended->state, ==, VW_STORE_SESSION_ENDED);
  g_assert_cmpint (ended->ended_at, ==, T0 + 600500);
  g_assert_cmpstr (ended->end_reason, ==, "peer-disconnected");

  people = vw_store_list_participants (f->store, "s-5f3a9c1e0b7d", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (people->len, ==, 2);
  agent = g_ptr_array_index (people, 0);
  clerk = g_ptr_array_index (people, 1);
  g_assert_cmpstr (agent->peer_id, ==, "p-agent");
  g_assert_cmpstr (agent->role, ==, "agent");
  g_assert_cmpstr (agent->name, ==, "张敏");
  g_assert_cmpstr (agent->center, ==, "黄浦区政务服务中心");
  g_assert_cmpint (agent->joined_at, ==, T0);
  g_assert_cmpint (agent->left_at, ==, T0 + 600500);   /* still in at the end */
  g_assert_cmpstr (clerk->peer_id, ==, "p-clerk");
  g_assert_cmpstr (clerk->province, ==, "zhejiang");
  g_assert_cmpstr (clerk->center, ==, "嘉善县行政服务中心");
  g_assert_cmpint (clerk->joined_at, ==, T0 + 1200);
  g_assert_cmpint (clerk->left_at, ==, T0 + 600000);

  /* Ended is final. */
  g_assert_false (vw_store_session_end (f->store, "s-5f3a9c1e0b7d", "hangup",
          T0 + 900000, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vw_store_session_add_participant (f->store, "s-5f3a9c1e0b7d",
          &supervisor, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vw_store_session_participant_left (f->store, "s-5f3a9c1e0b7d",
          "p-agent", T0 + 900000, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);

  again = get_session (f->store, "s-5f3a9c1e0b7d");
  g_assert_cmpint (again->ended_at, ==, T0 + 600500);
  g_assert_cmpstr (again->end_reason, ==, "peer-disconnected");
}

static void
test_session_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  VwStoreSession no_province = { .id = "s-2", .province = "", .started_at = T0 };
  VwStoreSession no_time = { .id = "s-2", .province = "anhui" };
  VwStoreSession taken = { .id = "s-1", .province = "anhui", .started_at = T0 };
  VwStoreParticipant observer = { .peer_id = "p-x", .role = "observer",
    .joined_at = T0 };
  VwStoreParticipant again = { .peer_id = "p-agent", .role = "agent",
    .joined_at = T0 + 5 };
  const VwStoreSession *bad_sessions[] = { &no_province, &no_time };
  g_autoptr (VwStoreSession) s = NULL;

  BEGIN (f->store, "s-1", T0);
  add_agent_and_clerk (f->store, "s-1", T0);

  for (guint i = 0; i < G_N_ELEMENTS (bad_sessions); i++) {
    g_assert_false (vw_store_session_begin (f->store, bad_sessions[i], NULL, &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_false (vw_store_session_begin (f->store, &taken, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_null (vw_store_get_session (f->store, "s-2", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (vw_store_session_add_participant (f->store, "s-1", &observer, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "'observer'"));
  g_clear_error (&error);
  g_assert_false (vw_store_session_add_participant (f->store, "s-1", &again, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (vw_store_session_add_participant (f->store, "s-9", &again, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_session_participant_left (f->store, "s-1", "p-nobody",
          T0 + 10, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (vw_store_list_participants (f->store, "s-9", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (vw_store_session_end (f->store, "s-9", "hangup", T0 + 10, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_session_end (f->store, "s-1", "", T0 + 10, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* None of it changed s-1. */
  s = get_session (f->store, "s-1");
  g_assert_cmpint (s->state, ==, VW_STORE_SESSION_OPEN);
  g_assert_cmpstr (s->province, ==, "shanghai");
}

static void
test_session_case_numbers (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  VwStoreSession given = { .id = "s-given", .case_no = "VW-20261122-000005",
    .province = "zhejiang", .item = "公积金跨省提取", .started_at = T0 };
  VwStoreSession given_again = { .id = "s-given-2", .case_no = "VW-20261122-000005",
    .province = "zhejiang", .started_at = T0 };
  VwStoreSession taken_id = { .id = "s-1", .province = "zhejiang", .started_at = T0 };
  g_autoptr (VwStoreSession) stored = NULL;
  char *case_no;

  for (int i = 1; i <= 3; i++) {
    g_autofree char *id = g_strdup_printf ("s-%d", i);
    g_autofree char *expected = g_strdup_printf ("VW-20261122-%06d", i);
    case_no = begin (f->store, id, "shanghai", "企业设立", T0 + i * 60000);
    g_assert_cmpstr (case_no, ==, expected);
    g_hash_table_add (seen, case_no);
  }

  /* Given numbers are kept verbatim, must be unique, and are skipped. */
  g_assert_true (vw_store_session_begin (f->store, &given, &case_no, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000005");
  g_free (case_no);
  stored = get_session (f->store, "s-given");
  g_assert_cmpstr (stored->case_no, ==, "VW-20261122-000005");
  g_assert_cmpstr (stored->item, ==, "公积金跨省提取");
  g_assert_false (vw_store_session_begin (f->store, &given_again, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  /* A refused session takes no number. */
  g_assert_false (vw_store_session_begin (f->store, &taken_id, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  case_no = begin (f->store, "s-4", "anhui", "社保转移接续", T0 + 300000);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000004");
  g_free (case_no);
  case_no = begin (f->store, "s-6", "anhui", "社保转移接续", T0 + 360000);
  g_assert_cmpstr (case_no, ==, "VW-20261122-000006");
  g_free (case_no);

  /* The day is China Standard Time: 16:30 UTC is 00:30 the next day. */
  case_no = begin (f->store, "s-late", "jiangsu", "异地医保",
      vw_store_test_cst (2026, 11, 22, 23, 59, 59));
  g_assert_cmpstr (case_no, ==, "VW-20261122-000007");
  g_free (case_no);
  case_no = begin (f->store, "s-next", "jiangsu", "异地医保",
      vw_store_test_cst (2026, 11, 23, 0, 30, 0));
  g_assert_cmpstr (case_no, ==, "VW-20261123-000001");
  g_free (case_no);

  /* A number once given is never given again, even if its row went away. */
  g_assert_true (vw_store_exec_for_test (f->store,
          "DELETE FROM sessions WHERE id = 's-late'", &error));
  g_assert_no_error (error);
  case_no = begin (f->store, "s-later", "jiangsu", "异地医保",
      vw_store_test_cst (2026, 11, 22, 23, 59, 59));
  g_assert_cmpstr (case_no, ==, "VW-20261122-000008");
  g_free (case_no);

  /* A busy day: all unique, in order. */
  for (int i = 2; i <= 150; i++) {
    g_autofree char *id = g_strdup_printf ("s-23-%d", i);
    g_autofree char *expected = g_strdup_printf ("VW-20261123-%06d", i);
    case_no = begin (f->store, id, "shanghai", "食品经营许可证",
        vw_store_test_cst (2026, 11, 23, 9, 0, 0) + i * 1000);
    g_assert_cmpstr (case_no, ==, expected);
    g_assert_true (g_hash_table_add (seen, case_no));
  }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 3 + 149);
}

static void
test_session_interrupted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSession) s1 = NULL, s2 = NULL, s3 = NULL;
  g_autoptr (GPtrArray) people = NULL;
  gint64 restart = vw_store_test_cst (2026, 11, 22, 11, 0, 0);
  guint n = 99;

  BEGIN (f->store, "s-1", T0);
  BEGIN (f->store, "s-2", T0 + 1000);
  add_agent_and_clerk (f->store, "s-2", T0 + 1000);
  g_assert_true (vw_store_session_participant_left (f->store, "s-2", "p-clerk",
          T0 + 5000, &error));
  g_assert_no_error (error);
  BEGIN (f->store, "s-3", T0 + 2000);
  g_assert_true (vw_store_session_end (f->store, "s-3", "hangup", T0 + 90000, &error));
  g_assert_no_error (error);

  g_assert_true (vw_store_mark_open_sessions_interrupted (f->store, restart, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  s1 = get_session (f->store, "s-1");
  s2 = get_session (f->store, "s-2");
  s3 = get_session (f->store, "s-3");
  g_assert_cmpint (s1->state, ==, VW_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (s1->ended_at, ==, restart);
  g_assert_cmpstr (s1->end_reason, ==, VW_STORE_REASON_INTERRUPTED);
  g_assert_cmpint (s2->state, ==, VW_STORE_SESSION_INTERRUPTED);
  g_assert_cmpint (s3->state, ==, VW_STORE_SESSION_ENDED);
  g_assert_cmpint (s3->ended_at, ==, T0 + 90000);
  g_assert_cmpstr (s3->end_reason, ==, "hangup");

  people = vw_store_list_participants (f->store, "s-2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (people->len, ==, 2);
  g_assert_cmpint (((VwStoreParticipant *) people->pdata[0])->left_at, ==, restart);
  g_assert_cmpint (((VwStoreParticipant *) people->pdata[1])->left_at, ==, T0 + 5000);

  /* Nothing open any more; an interrupted session cannot be ended. */
  g_assert_true (vw_store_mark_open_sessions_interrupted (f->store, restart + 1, &n,
          &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (vw_store_session_end (f->store, "s-1", "hangup", restart, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);
}

/* ---- snapshots ---- */

static void
assert_snapshot_equal (const VwStoreSnapshot *a, const VwStoreSnapshot *b)
{
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->session_id, ==, b->session_id);
  g_assert_cmpstr (a->path, ==, b->path);
  g_assert_cmpstr (a->sha256, ==, b->sha256);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpstr (a->mime, ==, b->mime);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpstr (a->requested_by, ==, b->requested_by);
  g_assert_cmpstr (a->sent_by, ==, b->sent_by);
  g_assert_cmpint (a->created_at, ==, b->created_at);
}

static void
test_snapshot_add_get_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSnapshot) got = NULL;
  g_autoptr (GPtrArray) a = NULL, b = NULL, c = NULL;
  VwStoreSnapshot expected;

  BEGIN (f->store, "s-a", T0);
  BEGIN (f->store, "s-b", T0);
  BEGIN (f->store, "s-c", T0);
  /* Listed by created_at, which is neither the order of adding nor of ids. */
  add_snapshot (f->store, "snap-a-b", "s-a", T0 + 5000);
  add_snapshot (f->store, "snap-a-x", "s-a", T0 + 1000);
  add_snapshot (f->store, "snap-b1", "s-b", T0 + 2000);

  got = vw_store_get_snapshot (f->store, "snap-a-x", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  expected = snapshot_template ("snap-a-x", "s-a", T0 + 1000);
  assert_snapshot_equal (got, &expected);

  a = list_snapshots (f->store, "s-a");
  g_assert_cmpuint (a->len, ==, 2);
  g_assert_cmpstr (((VwStoreSnapshot *) a->pdata[0])->id, ==, "snap-a-x");
  expected = snapshot_template ("snap-a-b", "s-a", T0 + 5000);
  assert_snapshot_equal (a->pdata[1], &expected);
  b = list_snapshots (f->store, "s-b");
  g_assert_cmpuint (b->len, ==, 1);
  g_assert_cmpstr (((VwStoreSnapshot *) b->pdata[0])->id, ==, "snap-b1");
  c = list_snapshots (f->store, "s-c");
  g_assert_cmpuint (c->len, ==, 0);

  g_assert_null (vw_store_get_snapshot (f->store, "snap-z", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (vw_store_list_snapshots (f->store, "s-z", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An upload that completes after the call still counts. */
  g_assert_true (vw_store_session_end (f->store, "s-c", "hangup", T0 + 9000, &error));
  add_snapshot (f->store, "snap-c1", "s-c", T0 + 9500);
}

static void
test_snapshot_refusals (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *what;
    const char *sha256, *path, *mime, *session;
    gboolean set_size;
    gint64 size;
    gboolean set_width;
    int width;
    int code;
  } cases[] = {
    { "uppercase sha256", .sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", .code = VW_STORE_ERROR_INVALID },
    { "short sha256", .sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", .code = VW_STORE_ERROR_INVALID },
    { "non-hex sha256", .sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g", .code = VW_STORE_ERROR_INVALID },
    { "empty sha256", .sha256 = "", .code = VW_STORE_ERROR_INVALID },
    { "zero size", .set_size = TRUE, .size = 0, .code = VW_STORE_ERROR_INVALID },
    { "negative size", .set_size = TRUE, .size = -2483017, .code = VW_STORE_ERROR_INVALID },
    { "zero width", .set_width = TRUE, .width = 0, .code = VW_STORE_ERROR_INVALID },
    { "absolute path", .path = "/etc/passwd", .code = VW_STORE_ERROR_INVALID },
    { "path up", .path = "../vw.db", .code = VW_STORE_ERROR_INVALID },
    { "path up inside", .path = "snapshots/../../secret.png", .code = VW_STORE_ERROR_INVALID },
    { "empty mime", .mime = "", .code = VW_STORE_ERROR_INVALID },
    { "unknown session", .session = "s-unknown", .code = VW_STORE_ERROR_NOT_FOUND },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  VwStoreSnapshot dup;

  BEGIN (f->store, "s-1", T0);
  add_snapshot (f->store, "snap-1", "s-1", T0 + 1000);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *id = g_strdup_printf ("snap-bad-%u", i);
    VwStoreSnapshot snap = snapshot_template (id, "s-1", T0 + 2000);

    if (cases[i].sha256)
      snap.sha256 = (char *) cases[i].sha256;
    if (cases[i].path)
      snap.path = (char *) cases[i].path;
    if (cases[i].mime)
      snap.mime = (char *) cases[i].mime;
    if (cases[i].session)
      snap.session_id = (char *) cases[i].session;
    if (cases[i].set_size)
      snap.size = cases[i].size;
    if (cases[i].set_width)
      snap.width = cases[i].width;

    g_test_message ("%s", cases[i].what);
    g_assert_false (vw_store_add_snapshot (f->store, &snap, &error));
    g_assert_error (error, VW_STORE_ERROR, cases[i].code);
    g_clear_error (&error);
  }

  dup = snapshot_template ("snap-1", "s-1", T0 + 3000);
  g_assert_false (vw_store_add_snapshot (f->store, &dup, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_CONFLICT);

  list = list_snapshots (f->store, "s-1");
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((VwStoreSnapshot *) list->pdata[0])->created_at, ==, T0 + 1000);
}

/* Evidence: the trigger refuses any UPDATE, even outside the API; the
 * CHECK constraints refuse a bad hash even outside the API. */
static void
test_snapshot_immutable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (VwStoreSnapshot) before = NULL, after = NULL;
  static const char *const updates[] = {
    "UPDATE snapshots SET sha256 = '0000000000000000000000000000000000000000000000000000000000000000'",
    "UPDATE snapshots SET path = 'snapshots/other.png' WHERE id = 'snap-1'",
    "UPDATE snapshots SET created_at = created_at",
  };

  BEGIN (f->store, "s-1", T0);
  add_snapshot (f->store, "snap-1", "s-1", T0 + 1000);
  before = vw_store_get_snapshot (f->store, "snap-1", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (updates); i++) {
    g_assert_false (vw_store_exec_for_test (f->store, updates[i], &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "snapshots are evidence"));
    g_clear_error (&error);
  }
  after = vw_store_get_snapshot (f->store, "snap-1", &error);
  g_assert_no_error (error);
  assert_snapshot_equal (after, before);

  g_assert_false (vw_store_exec_for_test (f->store,
          "INSERT INTO snapshots (id, session_id, path, sha256, size, mime, width,"
          " height, created_at) VALUES ('snap-raw', 's-1', 'a.png', 'ABC', 1,"
          " 'image/png', 1, 1, 1)", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "sha256_is_lowercase_hex"));
}

/* ---- annotations ---- */

static void
test_annotations (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL, other = NULL;
  VwStoreAnnotation missing_signature = { .snapshot_id = "snap-a", .session_id = "s-a",
    .author = "p-agent", .x = 120, .y = 2160, .w = 900, .h = 140,
    .note = "法定代表人签字处缺签名", .created_at = T0 + 70000 };
  VwStoreAnnotation whole_page = { .snapshot_id = "snap-a", .session_id = "s-a",
    .author = "p-agent", .x = 0, .y = 0, .w = 3264, .h = 2448,
    .created_at = T0 + 80000 };
  VwStoreAnnotation a;
  VwStoreAnnotation *got;
  gint64 id1 = 0, id2 = 0;

  BEGIN (f->store, "s-a", T0);
  BEGIN (f->store, "s-b", T0);
  add_snapshot (f->store, "snap-a", "s-a", T0 + 60000);
  add_snapshot (f->store, "snap-b", "s-b", T0 + 60000);

  g_assert_true (vw_store_add_annotation (f->store, &missing_signature, &id1, &error));
  g_assert_no_error (error);
  g_assert_true (vw_store_add_annotation (f->store, &whole_page, &id2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id1, >, 0);
  g_assert_cmpint (id2, >, id1);

  /* Unknown snapshot, another session's snapshot: distinct codes. */
  a = missing_signature;
  a.snapshot_id = "snap-z";
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  a = missing_signature;
  a.snapshot_id = "snap-b";
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_WRONG_SESSION);
  g_clear_error (&error);

  /* Outside the 3264x2448 page, empty, anonymous. */
  a = whole_page;
  a.x = 1;
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  a = missing_signature;
  a.h = 0;
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  a = missing_signature;
  a.author = "";
  g_assert_false (vw_store_add_annotation (f->store, &a, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  list = vw_store_list_annotations (f->store, "snap-a", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  got = g_ptr_array_index (list, 0);
  g_assert_cmpint (got->id, ==, id1);
  g_assert_cmpstr (got->snapshot_id, ==, "snap-a");
  g_assert_cmpstr (got->session_id, ==, "s-a");
  g_assert_cmpstr (got->author, ==, "p-agent");
  g_assert_cmpint (got->x, ==, 120);
  g_assert_cmpint (got->y, ==, 2160);
  g_assert_cmpint (got->w, ==, 900);
  g_assert_cmpint (got->h, ==, 140);
  g_assert_cmpstr (got->note, ==, "法定代表人签字处缺签名");
  g_assert_cmpint (got->created_at, ==, T0 + 70000);
  got = g_ptr_array_index (list, 1);
  g_assert_cmpint (got->id, ==, id2);
  g_assert_null (got->note);

  other = vw_store_list_annotations (f->store, "snap-b", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->len, ==, 0);
  g_assert_null (vw_store_list_annotations (f->store, "snap-z", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
}

/* ---- events ---- */

static void
test_events (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *timeline = NULL, *server = NULL, *after = NULL;
  static const char *const bad_details[] = {
    "not json", "[1, 2]", "\"企业设立\"", "{\"track\":", "",
  };
  VwStoreEvent *e;

  BEGIN (f->store, "s-1", T0);
  add_event (f->store, "s-1", T0 + 3000, "snapshot", "p-agent",
      "{\"snapshot\": \"snap-1\", \"size\": 2483017}");
  add_event (f->store, "s-1", T0 + 1000, "paired", NULL,
      "{\"agent\": \"张敏\", \"clerk\": \"李华\"}");
  add_event (f->store, "s-1", T0 + 1000, "joined", "p-clerk", NULL);
  add_event (f->store, "s-1", T0 + 9000, "ended", "p-clerk",
      "{\"reason\": \"hangup\"}");
  add_event (f->store, NULL, T0 - 3600000, "server-start", NULL, NULL);

  /* By time; the same time in the order of adding. */
  timeline = events_string (f->store, "s-1");
  g_assert_cmpstr (timeline, ==, "paired@1000 joined@1000 snapshot@3000 ended@9000");
  server = events_string (f->store, NULL);
  g_assert_cmpstr (server, ==, "server-start@-3600000");

  events = vw_store_list_events (f->store, "s-1", &error);
  g_assert_no_error (error);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpint (e->id, >, 0);
  g_assert_null (e->actor);
  g_assert_cmpstr (e->detail, ==, "{\"agent\": \"张敏\", \"clerk\": \"李华\"}");
  e = g_ptr_array_index (events, 1);
  g_assert_cmpstr (e->actor, ==, "p-clerk");
  g_assert_null (e->detail);

  for (guint i = 0; i < G_N_ELEMENTS (bad_details); i++) {
    g_assert_false (vw_store_add_event (f->store, "s-1", T0 + 4000, "note", NULL,
            bad_details[i], &error));
    g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_false (vw_store_add_event (f->store, "s-9", T0, "paired", NULL, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (vw_store_add_event (f->store, "s-1", T0, "", NULL, NULL, &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (vw_store_list_events (f->store, "s-9", &error));
  g_assert_error (error, VW_STORE_ERROR, VW_STORE_ERROR_NOT_FOUND);

  after = events_string (f->store, "s-1");
  g_assert_cmpstr (after, ==, timeline);
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
  ADD ("session/life-cycle", test_session_life_cycle, OPENED);
  ADD ("session/refusals", test_session_refusals, OPENED);
  ADD ("session/case-numbers", test_session_case_numbers, OPENED);
  ADD ("session/interrupted", test_session_interrupted, OPENED);
  ADD ("snapshot/add-get-list", test_snapshot_add_get_list, OPENED);
  ADD ("snapshot/refusals", test_snapshot_refusals, OPENED);
  ADD ("snapshot/immutable", test_snapshot_immutable, OPENED);
  ADD ("annotation/add-list", test_annotations, OPENED);
  ADD ("event/timeline", test_events, OPENED);

  return g_test_run ();
}
