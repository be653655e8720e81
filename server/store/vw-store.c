/* vw-store.c: the server's SQLite store (see vw-store.h).
 *
 * Every value reaches SQL through a bound parameter; the only SQL built at
 * run time is "PRAGMA user_version = N" with N from the migration table
 * (PRAGMAs take no parameters). */
#include "vw-store.h"
#include "vw-store-private.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* PRAGMA application_id of a virtual-window store: "VW" 0x0001. */
#define APPLICATION_ID 0x56570001
#define BUSY_TIMEOUT_MS 5000
#define CASE_SEQ_MAX 999999
#define CASE_TZ_OFFSET_S (8 * 3600)   /* China Standard Time, no DST */

struct _VwStore {
  sqlite3 *db;
  char *path;
};

G_DEFINE_QUARK (vw-store-error-quark, vw_store_error)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* ---- migrations ----
 *
 * migrations[i] brings the schema from version i to i + 1, in one
 * transaction.  Never edit a released step: append a new one.  Foreign keys
 * are on while they run (a step that rebuilds a table must account for
 * that). */

static const char *const migrations[] = {
  /* 1: sessions, participants, snapshots, annotations, events. */
  "PRAGMA application_id = 1448542209;"   /* APPLICATION_ID */

  "CREATE TABLE sessions ("
  "  id         TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),"
  "  case_no    TEXT NOT NULL UNIQUE CHECK (case_no <> ''),"
  "  province   TEXT NOT NULL CHECK (province <> ''),"
  "  item       TEXT,"
  "  started_at INTEGER NOT NULL,"
  "  ended_at   INTEGER,"
  "  end_reason TEXT,"
  "  state      TEXT NOT NULL DEFAULT 'open'"
  "             CHECK (state IN ('open', 'ended', 'interrupted')),"
  "  CONSTRAINT ended_unless_open CHECK ((state = 'open') = (ended_at IS NULL))"
  ") STRICT;"
  "CREATE INDEX sessions_by_started_at ON sessions (started_at);"

  /* The last case number given per day (YYYYMMDD, UTC+8). */
  "CREATE TABLE case_numbers ("
  "  day      TEXT PRIMARY KEY NOT NULL,"
  "  last_seq INTEGER NOT NULL"
  ") STRICT, WITHOUT ROWID;"

  "CREATE TABLE participants ("
  "  session_id TEXT NOT NULL REFERENCES sessions (id),"
  "  peer_id    TEXT NOT NULL CHECK (peer_id <> ''),"
  "  role       TEXT NOT NULL CHECK (role IN ('agent', 'clerk', 'supervisor')),"
  "  name       TEXT,"
  "  province   TEXT,"
  "  center     TEXT,"
  "  joined_at  INTEGER NOT NULL,"
  "  left_at    INTEGER,"
  "  PRIMARY KEY (session_id, peer_id)"
  ") STRICT;"

  "CREATE TABLE snapshots ("
  "  id           TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),"
  "  session_id   TEXT NOT NULL REFERENCES sessions (id),"
  "  path         TEXT NOT NULL CHECK (path <> '' AND substr (path, 1, 1) <> '/'),"
  "  sha256       TEXT NOT NULL CONSTRAINT sha256_is_lowercase_hex"
  "               CHECK (length (sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),"
  "  size         INTEGER NOT NULL CHECK (size > 0),"
  "  mime         TEXT NOT NULL CHECK (mime <> ''),"
  "  width        INTEGER NOT NULL CHECK (width > 0),"
  "  height       INTEGER NOT NULL CHECK (height > 0),"
  "  requested_by TEXT,"
  "  sent_by      TEXT,"
  "  created_at   INTEGER NOT NULL,"
  "  UNIQUE (id, session_id)"   /* target of the annotations' foreign key */
  ") STRICT;"
  "CREATE INDEX snapshots_by_session ON snapshots (session_id, created_at);"
  /* Evidence.  DELETE stays possible for the purge of a session's
   * recordings, which will come with its own rules. */
  "CREATE TRIGGER snapshots_are_evidence BEFORE UPDATE ON snapshots BEGIN"
  "  SELECT RAISE (ABORT, 'snapshots are evidence and are never changed');"
  "END;"

  "CREATE TABLE annotations ("
  "  id          INTEGER PRIMARY KEY,"
  "  snapshot_id TEXT NOT NULL,"
  "  session_id  TEXT NOT NULL REFERENCES sessions (id),"
  "  author      TEXT NOT NULL CHECK (author <> ''),"
  "  x           INTEGER NOT NULL CHECK (x >= 0),"
  "  y           INTEGER NOT NULL CHECK (y >= 0),"
  "  w           INTEGER NOT NULL CHECK (w > 0),"
  "  h           INTEGER NOT NULL CHECK (h > 0),"
  "  note        TEXT,"
  "  created_at  INTEGER NOT NULL,"
  "  FOREIGN KEY (snapshot_id, session_id) REFERENCES snapshots (id, session_id)"
  ") STRICT;"
  "CREATE INDEX annotations_by_snapshot ON annotations (snapshot_id, session_id);"

  "CREATE TABLE events ("
  "  id         INTEGER PRIMARY KEY,"
  "  session_id TEXT REFERENCES sessions (id),"
  "  at         INTEGER NOT NULL,"
  "  type       TEXT NOT NULL CHECK (type <> ''),"
  "  actor      TEXT,"
  "  detail     TEXT"   /* a JSON object: checked by add_event */
  ") STRICT;"
  "CREATE INDEX events_by_session ON events (session_id, at);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == VW_STORE_SCHEMA_VERSION);

/* ---- errors ---- */

static VwStoreError
code_from_sqlite (int rc)
{
  switch (rc) {
  case SQLITE_CONSTRAINT_PRIMARYKEY:
  case SQLITE_CONSTRAINT_UNIQUE:
    return VW_STORE_ERROR_CONFLICT;
  case SQLITE_CONSTRAINT_CHECK:
  case SQLITE_CONSTRAINT_NOTNULL:
    return VW_STORE_ERROR_INVALID;
  case SQLITE_CONSTRAINT_FOREIGNKEY:
    return VW_STORE_ERROR_NOT_FOUND;
  default:
    break;
  }
  switch (rc & 0xff) {
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    return VW_STORE_ERROR_CORRUPT;
  default:
    return VW_STORE_ERROR_SQLITE;
  }
}

/* Sets @error from the last failure on @db; returns FALSE. */
static gboolean
db_error (sqlite3 *db, const char *what, GError **error)
{
  g_set_error (error, VW_STORE_ERROR, code_from_sqlite (sqlite3_extended_errcode (db)),
      "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError **error, VwStoreError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VW_STORE_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* ---- statements ---- */

static sqlite3_stmt *
prepare (VwStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    db_error (store->db, "preparing a statement", error);
    return NULL;
  }
  return stmt;
}

/* Binds text (NULL binds NULL); @value must outlive the step. */
static void
bind_text (sqlite3_stmt *stmt, int index, const char *value)
{
  sqlite3_bind_text (stmt, index, value, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no row. */
static gboolean
step_done (VwStore *store, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) == SQLITE_DONE)
    return TRUE;
  return db_error (store->db, what, error);
}

/* Steps once; *@has_row tells whether a row came. */
static gboolean
step_row (VwStore *store, sqlite3_stmt *stmt, gboolean *has_row,
    const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  *has_row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  return db_error (store->db, what, error);
}

/* Runs @sql (one key parameter) and tells whether it returned a row. */
static gboolean
exists (VwStore *store, const char *sql, const char *key, gboolean *found,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store, sql, error);

  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, key);
  return step_row (store, stmt, found, "looking up", error);
}

/* The integer in the first column of the first row of @sql (no
 * parameters), or @fallback without a row. */
static gboolean
query_int (VwStore *store, const char *sql, gint64 fallback, gint64 *out,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store, sql, error);
  gboolean has_row;

  if (!stmt || !step_row (store, stmt, &has_row, sql, error))
    return FALSE;
  *out = has_row ? sqlite3_column_int64 (stmt, 0) : fallback;
  return TRUE;
}

static char *
column_dup (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

/* Every row of @stmt, made by @from_row. */
static GPtrArray *
collect (VwStore *store, sqlite3_stmt *stmt, RowFunc from_row,
    GDestroyNotify free_func, GError **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE) {
    db_error (store->db, "reading", error);
    return NULL;
  }
  return g_steal_pointer (&rows);
}

/* ---- transactions ---- */

/* Runs constant SQL; errors name @what, or the SQL itself. */
static gboolean
exec (VwStore *store, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (store->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  return db_error (store->db, what ? what : sql, error);
}

static gboolean
tx_begin (VwStore *store, GError **error)
{
  return exec (store, "BEGIN IMMEDIATE", NULL, error);
}

/* Commits if @ok, else rolls back (@error is set already then). */
static gboolean
tx_end (VwStore *store, gboolean ok, GError **error)
{
  if (ok && exec (store, "COMMIT", NULL, error))
    return TRUE;
  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* ---- validation ---- */

static gboolean
require_text (const char *value, const char *what, GError **error)
{
  if (value && *value)
    return TRUE;
  return fail (error, VW_STORE_ERROR_INVALID, "%s is missing", what);
}

static gboolean
require_time (gint64 value, const char *what, GError **error)
{
  if (value > 0)
    return TRUE;
  return fail (error, VW_STORE_ERROR_INVALID,
      "%s must be unix milliseconds, not %" G_GINT64_FORMAT, what, value);
}

static gboolean
is_sha256_hex (const char *s)
{
  if (!s || strlen (s) != 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s) && !(*s >= 'a' && *s <= 'f'))
      return FALSE;
  return TRUE;
}

/* Snapshot files must stay inside the data directory. */
static gboolean
check_relative_path (const char *path, GError **error)
{
  if (!require_text (path, "snapshot path", error))
    return FALSE;
  if (g_path_is_absolute (path) || strchr (path, '\\'))
    return fail (error, VW_STORE_ERROR_INVALID,
        "snapshot path '%s' must be relative to the data directory", path);

  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i]; i++)
    if (g_str_equal (parts[i], ".."))
      return fail (error, VW_STORE_ERROR_INVALID,
          "snapshot path '%s' leaves the data directory", path);
  return TRUE;
}

static gboolean
check_role (const char *role, GError **error)
{
  static const char *const roles[] = { "agent", "clerk", "supervisor" };

  for (guint i = 0; role && i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (role, roles[i]))
      return TRUE;
  return fail (error, VW_STORE_ERROR_INVALID,
      "role '%s' is none of agent, clerk, supervisor", role ? role : "(null)");
}

/* ---- opening ---- */

static gboolean
set_user_version (VwStore *store, guint version, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %u", version);

  return exec (store, sql, NULL, error);
}

/* Runs migrations[version - 1] unless another process did meanwhile. */
static gboolean
migrate_step (VwStore *store, guint version, GError **error)
{
  gint64 current;

  if (!query_int (store, "PRAGMA user_version", 0, &current, error))
    return FALSE;
  if (current >= version)
    return TRUE;
  g_debug ("%s: migrating the store to schema version %u", store->path, version);
  if (!exec (store, migrations[version - 1], "running its SQL", error)) {
    g_prefix_error (error, "migration to schema version %u: ", version);
    return FALSE;
  }
  return set_user_version (store, version, error);
}

static gboolean
migrate (VwStore *store, guint from, GError **error)
{
  for (guint version = from + 1; version <= VW_STORE_SCHEMA_VERSION; version++) {
    if (!tx_begin (store, error))
      return FALSE;
    if (!tx_end (store, migrate_step (store, version, error), error))
      return FALSE;
  }
  return TRUE;
}

/* Refuses files this code must not touch: a newer schema, or a database
 * that is not ours (not empty, other application id).  Only reads. */
static gboolean
check_ours (VwStore *store, gint64 *version, GError **error)
{
  gint64 app_id, n_objects;

  if (!query_int (store, "PRAGMA user_version", 0, version, error)
      || !query_int (store, "PRAGMA application_id", 0, &app_id, error)
      || !query_int (store, "SELECT count(*) FROM sqlite_schema", 0, &n_objects, error)) {
    g_prefix_error (error, "cannot read the store: ");
    return FALSE;
  }
  if (app_id != APPLICATION_ID && !(app_id == 0 && *version == 0 && n_objects == 0))
    return fail (error, VW_STORE_ERROR_CORRUPT,
        "not a virtual-window store (application id 0x%08" G_GINT64_MODIFIER "x, "
        "%" G_GINT64_FORMAT " schema objects)", app_id, n_objects);
  if (*version < 0)
    return fail (error, VW_STORE_ERROR_CORRUPT,
        "the store has schema version %" G_GINT64_FORMAT, *version);
  if (*version > VW_STORE_SCHEMA_VERSION)
    return fail (error, VW_STORE_ERROR_TOO_NEW,
        "the store has schema version %" G_GINT64_FORMAT ", newer than the "
        "version %d this program knows; use a newer vw-server", *version,
        VW_STORE_SCHEMA_VERSION);
  return TRUE;
}

static gboolean
configure (VwStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store, "PRAGMA journal_mode = WAL", error);
  gboolean has_row;

  if (!stmt || !step_row (store, stmt, &has_row, "setting WAL mode", error))
    return FALSE;
  if (!has_row
      || g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0)
    g_warning ("%s: the store is not in WAL mode", store->path);
  return exec (store, "PRAGMA foreign_keys = ON", NULL, error);
}

static gboolean
store_init (VwStore *store, GError **error)
{
  gboolean existed = g_file_test (store->path, G_FILE_TEST_EXISTS);
  gint64 version;

  if (sqlite3_open_v2 (store->path, &store->db,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    return db_error (store->db, "cannot open the store", error);
  if (!existed)
    g_chmod (store->path, 0600);   /* names, case data; the WAL inherits it */
  sqlite3_extended_result_codes (store->db, 1);
  sqlite3_busy_timeout (store->db, BUSY_TIMEOUT_MS);
  sqlite3_db_config (store->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (store->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

  /* A refused file has only been read.  (Closing a WAL database removes the
   * -wal and -shm files reading made; committed pages that a crashed
   * writer left in the WAL would be checkpointed, as any reader does.) */
  if (!check_ours (store, &version, error))
    return FALSE;
  return configure (store, error) && migrate (store, version, error);
}

VwStore *
vw_store_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (VwStore) store = g_new0 (VwStore, 1);
  store->path = g_strdup (path);
  if (!store_init (store, error)) {
    g_prefix_error (error, "%s: ", path);
    return NULL;
  }
  return g_steal_pointer (&store);
}

void
vw_store_close (VwStore *store)
{
  if (!store)
    return;
  sqlite3_close_v2 (store->db);
  g_free (store->path);
  g_free (store);
}

gboolean
vw_store_exec_for_test (VwStore *store, const char *sql, GError **error)
{
  g_return_val_if_fail (store != NULL && sql != NULL, FALSE);
  return exec (store, sql, NULL, error);
}

/* ---- structs ---- */

void
vw_store_session_free (VwStoreSession *s)
{
  if (!s)
    return;
  g_free (s->id);
  g_free (s->case_no);
  g_free (s->province);
  g_free (s->item);
  g_free (s->end_reason);
  g_free (s);
}

void
vw_store_participant_free (VwStoreParticipant *p)
{
  if (!p)
    return;
  g_free (p->peer_id);
  g_free (p->role);
  g_free (p->name);
  g_free (p->province);
  g_free (p->center);
  g_free (p);
}

void
vw_store_snapshot_free (VwStoreSnapshot *snap)
{
  if (!snap)
    return;
  g_free (snap->id);
  g_free (snap->session_id);
  g_free (snap->path);
  g_free (snap->sha256);
  g_free (snap->mime);
  g_free (snap->requested_by);
  g_free (snap->sent_by);
  g_free (snap);
}

void
vw_store_annotation_free (VwStoreAnnotation *a)
{
  if (!a)
    return;
  g_free (a->snapshot_id);
  g_free (a->session_id);
  g_free (a->author);
  g_free (a->note);
  g_free (a);
}

void
vw_store_event_free (VwStoreEvent *e)
{
  if (!e)
    return;
  g_free (e->session_id);
  g_free (e->type);
  g_free (e->actor);
  g_free (e->detail);
  g_free (e);
}

/* ---- sessions ---- */

static const char *const state_names[] = {
  [VW_STORE_SESSION_OPEN] = "open",
  [VW_STORE_SESSION_ENDED] = "ended",
  [VW_STORE_SESSION_INTERRUPTED] = "interrupted",
};

static VwStoreSessionState
state_from_string (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (name, state_names[i]) == 0)
      return i;
  g_return_val_if_reached (VW_STORE_SESSION_INTERRUPTED);   /* CHECK forbids it */
}

/* The state of session @id; NOT_FOUND if unknown. */
static gboolean
session_state (VwStore *store, const char *id, VwStoreSessionState *state,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "SELECT state FROM sessions WHERE id = ?1", error);
  gboolean has_row;

  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, id);
  if (!step_row (store, stmt, &has_row, "looking up a session", error))
    return FALSE;
  if (!has_row)
    return fail (error, VW_STORE_ERROR_NOT_FOUND, "no session '%s'", id);
  *state = state_from_string ((const char *) sqlite3_column_text (stmt, 0));
  return TRUE;
}

static gboolean
require_open_session (VwStore *store, const char *id, GError **error)
{
  VwStoreSessionState state;

  if (!session_state (store, id, &state, error))
    return FALSE;
  if (state == VW_STORE_SESSION_OPEN)
    return TRUE;
  return fail (error, VW_STORE_ERROR_CONFLICT, "session '%s' is %s, not open",
      id, state_names[state]);
}

/* "YYYYMMDD" of @at_ms in China Standard Time. */
static char *
case_day (gint64 at_ms)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (CASE_TZ_OFFSET_S);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (at_ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_date_time_format (local, "%Y%m%d");
}

static gboolean
save_case_seq (VwStore *store, const char *day, gint64 seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "INSERT INTO case_numbers (day, last_seq) VALUES (?1, ?2)"
      " ON CONFLICT (day) DO UPDATE SET last_seq = excluded.last_seq", error);

  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, day);
  sqlite3_bind_int64 (stmt, 2, seq);
  return step_done (store, stmt, "saving the case number", error);
}

static gboolean
load_case_seq (VwStore *store, const char *day, gint64 *seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "SELECT last_seq FROM case_numbers WHERE day = ?1", error);
  gboolean has_row;

  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, day);
  if (!step_row (store, stmt, &has_row, "reading the case numbers", error))
    return FALSE;
  *seq = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

/* The next case number of the day of @started_at; skips numbers that
 * callers gave explicitly. */
static char *
next_case_no (VwStore *store, gint64 started_at, GError **error)
{
  g_autofree char *day = case_day (started_at);
  g_autofree char *case_no = NULL;
  gboolean taken = TRUE;
  gint64 seq;

  if (!load_case_seq (store, day, &seq, error))
    return NULL;
  while (taken) {
    if (++seq > CASE_SEQ_MAX) {
      fail (error, VW_STORE_ERROR_CONFLICT, "no case numbers left for %s", day);
      return NULL;
    }
    g_free (case_no);
    case_no = g_strdup_printf ("VW-%s-%06" G_GINT64_FORMAT, day, seq);
    if (!exists (store, "SELECT 1 FROM sessions WHERE case_no = ?1", case_no,
            &taken, error))
      return NULL;
  }
  if (!save_case_seq (store, day, seq, error))
    return NULL;
  return g_steal_pointer (&case_no);
}

/* The given case number if it is free, else the next of the day. */
static char *
assign_case_no (VwStore *store, const VwStoreSession *s, GError **error)
{
  gboolean taken;

  if (!s->case_no)
    return next_case_no (store, s->started_at, error);
  if (!exists (store, "SELECT 1 FROM sessions WHERE case_no = ?1", s->case_no,
          &taken, error))
    return NULL;
  if (taken) {
    fail (error, VW_STORE_ERROR_CONFLICT, "case number %s is taken", s->case_no);
    return NULL;
  }
  return g_strdup (s->case_no);
}

static gboolean
check_session (const VwStoreSession *s, GError **error)
{
  return require_text (s->id, "session id", error)
      && require_text (s->province, "session province", error)
      && require_time (s->started_at, "started_at", error)
      && (!s->case_no || require_text (s->case_no, "case number", error));
}

static gboolean
session_insert (VwStore *store, const VwStoreSession *s, char **case_no,
    GError **error)
{
  gboolean taken;

  if (!exists (store, "SELECT 1 FROM sessions WHERE id = ?1", s->id, &taken, error))
    return FALSE;
  if (taken)
    return fail (error, VW_STORE_ERROR_CONFLICT, "session '%s' exists already", s->id);
  if (!(*case_no = assign_case_no (store, s, error)))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "INSERT INTO sessions (id, case_no, province, item, started_at, state)"
      " VALUES (?1, ?2, ?3, ?4, ?5, 'open')", error);
  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, s->id);
  bind_text (stmt, 2, *case_no);
  bind_text (stmt, 3, s->province);
  bind_text (stmt, 4, s->item);
  sqlite3_bind_int64 (stmt, 5, s->started_at);
  return step_done (store, stmt, "recording the session", error);
}

gboolean
vw_store_session_begin (VwStore *store, const VwStoreSession *session,
    char **case_no_out, GError **error)
{
  g_autofree char *case_no = NULL;

  g_return_val_if_fail (store != NULL && session != NULL, FALSE);

  if (!check_session (session, error) || !tx_begin (store, error))
    return FALSE;
  if (!tx_end (store, session_insert (store, session, &case_no, error), error))
    return FALSE;
  if (case_no_out)
    *case_no_out = g_steal_pointer (&case_no);
  return TRUE;
}

static gboolean
check_participant (const VwStoreParticipant *p, GError **error)
{
  return require_text (p->peer_id, "peer id", error)
      && check_role (p->role, error)
      && require_time (p->joined_at, "joined_at", error);
}

static gboolean
participant_known (VwStore *store, const char *session_id, const char *peer_id,
    gboolean *known, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "SELECT 1 FROM participants WHERE session_id = ?1 AND peer_id = ?2", error);

  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, peer_id);
  return step_row (store, stmt, known, "looking up a participant", error);
}

static gboolean
participant_insert (VwStore *store, const char *session_id,
    const VwStoreParticipant *p, GError **error)
{
  gboolean taken;

  if (!require_open_session (store, session_id, error)
      || !participant_known (store, session_id, p->peer_id, &taken, error))
    return FALSE;
  if (taken)
    return fail (error, VW_STORE_ERROR_CONFLICT, "%s is in session '%s' already",
        p->peer_id, session_id);

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "INSERT INTO participants (session_id, peer_id, role, name, province,"
      " center, joined_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, p->peer_id);
  bind_text (stmt, 3, p->role);
  bind_text (stmt, 4, p->name);
  bind_text (stmt, 5, p->province);
  bind_text (stmt, 6, p->center);
  sqlite3_bind_int64 (stmt, 7, p->joined_at);
  return step_done (store, stmt, "recording the participant", error);
}

gboolean
vw_store_session_add_participant (VwStore *store, const char *session_id,
    const VwStoreParticipant *participant, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL, FALSE);
  g_return_val_if_fail (participant != NULL, FALSE);

  if (!check_participant (participant, error) || !tx_begin (store, error))
    return FALSE;
  return tx_end (store, participant_insert (store, session_id, participant, error),
      error);
}

static gboolean
participant_leave (VwStore *store, const char *session_id, const char *peer_id,
    gint64 at, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "UPDATE participants SET left_at = ?3"
      " WHERE session_id = ?1 AND peer_id = ?2 AND left_at IS NULL", error);
  gboolean known;

  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, peer_id);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!step_done (store, stmt, "recording the departure", error))
    return FALSE;
  if (sqlite3_changes (store->db) == 1)
    return TRUE;
  if (!participant_known (store, session_id, peer_id, &known, error))
    return FALSE;
  return fail (error, known ? VW_STORE_ERROR_CONFLICT : VW_STORE_ERROR_NOT_FOUND,
      known ? "%s left session '%s' already" : "%s is not in session '%s'",
      peer_id, session_id);
}

gboolean
vw_store_session_participant_left (VwStore *store, const char *session_id,
    const char *peer_id, gint64 at, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL && peer_id != NULL, FALSE);

  if (!require_time (at, "left_at", error) || !tx_begin (store, error))
    return FALSE;
  return tx_end (store, participant_leave (store, session_id, peer_id, at, error),
      error);
}

/* Participants still in open sessions (all, or only ?2) leave at ?1. */
static const char close_participants_sql[] =
    "UPDATE participants SET left_at = ?1 WHERE left_at IS NULL AND session_id IN"
    " (SELECT id FROM sessions WHERE state = 'open' AND (?2 IS NULL OR id = ?2))";

static gboolean
close_participants (VwStore *store, const char *session_id, gint64 at,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store, close_participants_sql, error);

  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, at);
  bind_text (stmt, 2, session_id);
  return step_done (store, stmt, "closing the participants", error);
}

static gboolean
session_close (VwStore *store, const char *session_id, const char *reason,
    gint64 at, GError **error)
{
  if (!require_open_session (store, session_id, error)
      || !close_participants (store, session_id, at, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "UPDATE sessions SET state = 'ended', ended_at = ?2, end_reason = ?3"
      " WHERE id = ?1", error);
  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, at);
  bind_text (stmt, 3, reason);
  return step_done (store, stmt, "ending the session", error);
}

gboolean
vw_store_session_end (VwStore *store, const char *session_id, const char *reason,
    gint64 ended_at, GError **error)
{
  g_return_val_if_fail (store != NULL && session_id != NULL, FALSE);

  if (!require_text (reason, "end reason", error)
      || !require_time (ended_at, "ended_at", error)
      || !tx_begin (store, error))
    return FALSE;
  return tx_end (store, session_close (store, session_id, reason, ended_at, error),
      error);
}

static gboolean
interrupt_open (VwStore *store, gint64 at, guint *n, GError **error)
{
  if (!close_participants (store, NULL, at, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "UPDATE sessions SET state = 'interrupted', ended_at = ?1, end_reason = ?2"
      " WHERE state = 'open'", error);
  if (!stmt)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, at);
  bind_text (stmt, 2, VW_STORE_REASON_INTERRUPTED);
  if (!step_done (store, stmt, "marking open sessions", error))
    return FALSE;
  *n = sqlite3_changes (store->db);
  return TRUE;
}

gboolean
vw_store_mark_open_sessions_interrupted (VwStore *store, gint64 at, guint *n_out,
    GError **error)
{
  guint n = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  if (!require_time (at, "at", error) || !tx_begin (store, error))
    return FALSE;
  if (!tx_end (store, interrupt_open (store, at, &n, error), error))
    return FALSE;
  if (n_out)
    *n_out = n;
  return TRUE;
}

static gpointer
session_from_row (sqlite3_stmt *stmt)
{
  VwStoreSession *s = g_new0 (VwStoreSession, 1);

  s->id = column_dup (stmt, 0);
  s->case_no = column_dup (stmt, 1);
  s->province = column_dup (stmt, 2);
  s->item = column_dup (stmt, 3);
  s->started_at = sqlite3_column_int64 (stmt, 4);
  s->ended_at = sqlite3_column_int64 (stmt, 5);   /* NULL reads as 0 */
  s->end_reason = column_dup (stmt, 6);
  s->state = state_from_string ((const char *) sqlite3_column_text (stmt, 7));
  return s;
}

VwStoreSession *
vw_store_get_session (VwStore *store, const char *id, GError **error)
{
  g_return_val_if_fail (store != NULL && id != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "SELECT id, case_no, province, item, started_at, ended_at, end_reason,"
      " state FROM sessions WHERE id = ?1", error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  bind_text (stmt, 1, id);
  if (!step_row (store, stmt, &has_row, "reading the session", error))
    return NULL;
  if (!has_row) {
    fail (error, VW_STORE_ERROR_NOT_FOUND, "no session '%s'", id);
    return NULL;
  }
  return session_from_row (stmt);
}

static gpointer
participant_from_row (sqlite3_stmt *stmt)
{
  VwStoreParticipant *p = g_new0 (VwStoreParticipant, 1);

  p->peer_id = column_dup (stmt, 0);
  p->role = column_dup (stmt, 1);
  p->name = column_dup (stmt, 2);
  p->province = column_dup (stmt, 3);
  p->center = column_dup (stmt, 4);
  p->joined_at = sqlite3_column_int64 (stmt, 5);
  p->left_at = sqlite3_column_int64 (stmt, 6);
  return p;
}

GPtrArray *
vw_store_list_participants (VwStore *store, const char *session_id, GError **error)
{
  VwStoreSessionState state;

  g_return_val_if_fail (store != NULL && session_id != NULL, NULL);

  if (!session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "SELECT peer_id, role, name, province, center, joined_at, left_at"
      " FROM participants WHERE session_id = ?1 ORDER BY joined_at, rowid", error);
  if (!stmt)
    return NULL;
  bind_text (stmt, 1, session_id);
  return collect (store, stmt, participant_from_row,
      (GDestroyNotify) vw_store_participant_free, error);
}

/* ---- evidence ---- */

static gboolean
check_snapshot (const VwStoreSnapshot *snap, GError **error)
{
  if (!require_text (snap->id, "snapshot id", error)
      || !require_text (snap->session_id, "session id", error)
      || !check_relative_path (snap->path, error)
      || !require_text (snap->mime, "snapshot type", error)
      || !require_time (snap->created_at, "created_at", error))
    return FALSE;
  if (!is_sha256_hex (snap->sha256))
    return fail (error, VW_STORE_ERROR_INVALID,
        "snapshot sha256 '%s' is not 64 lowercase hex digits",
        snap->sha256 ? snap->sha256 : "(null)");
  if (snap->size <= 0)
    return fail (error, VW_STORE_ERROR_INVALID,
        "snapshot size %" G_GINT64_FORMAT " is not positive", snap->size);
  if (snap->width <= 0 || snap->height <= 0)
    return fail (error, VW_STORE_ERROR_INVALID,
        "snapshot size %dx%d is not positive", snap->width, snap->height);
  return TRUE;
}

static gboolean
snapshot_insert (VwStore *store, const VwStoreSnapshot *snap, GError **error)
{
  VwStoreSessionState state;
  gboolean taken;

  if (!session_state (store, snap->session_id, &state, error)
      || !exists (store, "SELECT 1 FROM snapshots WHERE id = ?1", snap->id,
          &taken, error))
    return FALSE;
  if (taken)
    return fail (error, VW_STORE_ERROR_CONFLICT, "snapshot '%s' exists already",
        snap->id);

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "INSERT INTO snapshots (id, session_id, path, sha256, size, mime, width,"
      " height, requested_by, sent_by, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", error);
  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, snap->id);
  bind_text (stmt, 2, snap->session_id);
  bind_text (stmt, 3, snap->path);
  bind_text (stmt, 4, snap->sha256);
  sqlite3_bind_int64 (stmt, 5, snap->size);
  bind_text (stmt, 6, snap->mime);
  sqlite3_bind_int (stmt, 7, snap->width);
  sqlite3_bind_int (stmt, 8, snap->height);
  bind_text (stmt, 9, snap->requested_by);
  bind_text (stmt, 10, snap->sent_by);
  sqlite3_bind_int64 (stmt, 11, snap->created_at);
  return step_done (store, stmt, "recording the snapshot", error);
}

gboolean
vw_store_add_snapshot (VwStore *store, const VwStoreSnapshot *snapshot,
    GError **error)
{
  g_return_val_if_fail (store != NULL && snapshot != NULL, FALSE);

  if (!check_snapshot (snapshot, error) || !tx_begin (store, error))
    return FALSE;
  return tx_end (store, snapshot_insert (store, snapshot, error), error);
}

#define SNAPSHOT_SELECT \
  "SELECT id, session_id, path, sha256, size, mime, width, height," \
  " requested_by, sent_by, created_at FROM snapshots"

static gpointer
snapshot_from_row (sqlite3_stmt *stmt)
{
  VwStoreSnapshot *snap = g_new0 (VwStoreSnapshot, 1);

  snap->id = column_dup (stmt, 0);
  snap->session_id = column_dup (stmt, 1);
  snap->path = column_dup (stmt, 2);
  snap->sha256 = column_dup (stmt, 3);
  snap->size = sqlite3_column_int64 (stmt, 4);
  snap->mime = column_dup (stmt, 5);
  snap->width = sqlite3_column_int (stmt, 6);
  snap->height = sqlite3_column_int (stmt, 7);
  snap->requested_by = column_dup (stmt, 8);
  snap->sent_by = column_dup (stmt, 9);
  snap->created_at = sqlite3_column_int64 (stmt, 10);
  return snap;
}

VwStoreSnapshot *
vw_store_get_snapshot (VwStore *store, const char *id, GError **error)
{
  g_return_val_if_fail (store != NULL && id != NULL, NULL);

  g_autoptr (sqlite3_stmt) stmt = prepare (store, SNAPSHOT_SELECT " WHERE id = ?1",
      error);
  gboolean has_row;

  if (!stmt)
    return NULL;
  bind_text (stmt, 1, id);
  if (!step_row (store, stmt, &has_row, "reading the snapshot", error))
    return NULL;
  if (!has_row) {
    fail (error, VW_STORE_ERROR_NOT_FOUND, "no snapshot '%s'", id);
    return NULL;
  }
  return snapshot_from_row (stmt);
}

GPtrArray *
vw_store_list_snapshots (VwStore *store, const char *session_id, GError **error)
{
  VwStoreSessionState state;

  g_return_val_if_fail (store != NULL && session_id != NULL, NULL);

  if (!session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      SNAPSHOT_SELECT " WHERE session_id = ?1 ORDER BY created_at, id", error);
  if (!stmt)
    return NULL;
  bind_text (stmt, 1, session_id);
  return collect (store, stmt, snapshot_from_row,
      (GDestroyNotify) vw_store_snapshot_free, error);
}

static gboolean
check_annotation (const VwStoreAnnotation *a, GError **error)
{
  if (!require_text (a->snapshot_id, "snapshot id", error)
      || !require_text (a->session_id, "session id", error)
      || !require_text (a->author, "annotation author", error)
      || !require_time (a->created_at, "created_at", error))
    return FALSE;
  if (a->x < 0 || a->y < 0 || a->w <= 0 || a->h <= 0)
    return fail (error, VW_STORE_ERROR_INVALID,
        "annotation %dx%d at (%d, %d) is empty or outside", a->w, a->h, a->x, a->y);
  return TRUE;
}

/* The annotation must mark a part of a snapshot of its own session. */
static gboolean
check_annotation_target (VwStore *store, const VwStoreAnnotation *a, GError **error)
{
  g_autoptr (VwStoreSnapshot) snap = vw_store_get_snapshot (store, a->snapshot_id,
      error);

  if (!snap)
    return FALSE;
  if (!g_str_equal (snap->session_id, a->session_id))
    return fail (error, VW_STORE_ERROR_WRONG_SESSION,
        "snapshot '%s' belongs to session '%s', not '%s'", snap->id,
        snap->session_id, a->session_id);
  /* 64-bit sums: no overflow near G_MAXINT */
  if ((gint64) a->x + a->w > snap->width || (gint64) a->y + a->h > snap->height)
    return fail (error, VW_STORE_ERROR_INVALID,
        "annotation %dx%d at (%d, %d) is outside the %dx%d snapshot",
        a->w, a->h, a->x, a->y, snap->width, snap->height);
  return TRUE;
}

static gboolean
annotation_insert (VwStore *store, const VwStoreAnnotation *a, gint64 *id,
    GError **error)
{
  if (!check_annotation_target (store, a, error))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "INSERT INTO annotations (snapshot_id, session_id, author, x, y, w, h,"
      " note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, a->snapshot_id);
  bind_text (stmt, 2, a->session_id);
  bind_text (stmt, 3, a->author);
  sqlite3_bind_int (stmt, 4, a->x);
  sqlite3_bind_int (stmt, 5, a->y);
  sqlite3_bind_int (stmt, 6, a->w);
  sqlite3_bind_int (stmt, 7, a->h);
  bind_text (stmt, 8, a->note);
  sqlite3_bind_int64 (stmt, 9, a->created_at);
  if (!step_done (store, stmt, "recording the annotation", error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (store->db);
  return TRUE;
}

gboolean
vw_store_add_annotation (VwStore *store, const VwStoreAnnotation *annotation,
    gint64 *id_out, GError **error)
{
  gint64 id = 0;

  g_return_val_if_fail (store != NULL && annotation != NULL, FALSE);

  if (!check_annotation (annotation, error) || !tx_begin (store, error))
    return FALSE;
  if (!tx_end (store, annotation_insert (store, annotation, &id, error), error))
    return FALSE;
  if (id_out)
    *id_out = id;
  return TRUE;
}

static gpointer
annotation_from_row (sqlite3_stmt *stmt)
{
  VwStoreAnnotation *a = g_new0 (VwStoreAnnotation, 1);

  a->id = sqlite3_column_int64 (stmt, 0);
  a->snapshot_id = column_dup (stmt, 1);
  a->session_id = column_dup (stmt, 2);
  a->author = column_dup (stmt, 3);
  a->x = sqlite3_column_int (stmt, 4);
  a->y = sqlite3_column_int (stmt, 5);
  a->w = sqlite3_column_int (stmt, 6);
  a->h = sqlite3_column_int (stmt, 7);
  a->note = column_dup (stmt, 8);
  a->created_at = sqlite3_column_int64 (stmt, 9);
  return a;
}

GPtrArray *
vw_store_list_annotations (VwStore *store, const char *snapshot_id, GError **error)
{
  gboolean known;

  g_return_val_if_fail (store != NULL && snapshot_id != NULL, NULL);

  if (!exists (store, "SELECT 1 FROM snapshots WHERE id = ?1", snapshot_id,
          &known, error))
    return NULL;
  if (!known) {
    fail (error, VW_STORE_ERROR_NOT_FOUND, "no snapshot '%s'", snapshot_id);
    return NULL;
  }
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "SELECT id, snapshot_id, session_id, author, x, y, w, h, note, created_at"
      " FROM annotations WHERE snapshot_id = ?1 ORDER BY id", error);
  if (!stmt)
    return NULL;
  bind_text (stmt, 1, snapshot_id);
  return collect (store, stmt, annotation_from_row,
      (GDestroyNotify) vw_store_annotation_free, error);
}

/* ---- timeline ---- */

/* With SQLite's own JSON parser, the one later queries will use.  (Not a
 * CHECK constraint: JSON functions are not "innocuous" in every SQLite, and
 * the store runs with trusted_schema off.) */
static gboolean
check_json_object (VwStore *store, const char *json, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (store, "SELECT CASE WHEN json_valid (?1)"
      " THEN json_type (?1) = 'object' ELSE 0 END", error);
  gboolean has_row;

  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, json);
  if (!step_row (store, stmt, &has_row, "checking JSON", error))
    return FALSE;
  if (has_row && sqlite3_column_int (stmt, 0) == 1)
    return TRUE;
  return fail (error, VW_STORE_ERROR_INVALID, "event detail is not a JSON object: %s",
      json);
}

static gboolean
event_insert (VwStore *store, const char *session_id, gint64 at, const char *type,
    const char *actor, const char *detail_json, GError **error)
{
  VwStoreSessionState state;

  if ((session_id && !session_state (store, session_id, &state, error))
      || (detail_json && !check_json_object (store, detail_json, error)))
    return FALSE;

  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "INSERT INTO events (session_id, at, type, actor, detail)"
      " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (!stmt)
    return FALSE;
  bind_text (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, at);
  bind_text (stmt, 3, type);
  bind_text (stmt, 4, actor);
  bind_text (stmt, 5, detail_json);
  return step_done (store, stmt, "recording the event", error);
}

gboolean
vw_store_add_event (VwStore *store, const char *session_id, gint64 at,
    const char *type, const char *actor, const char *detail_json, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);

  if (!require_text (type, "event type", error)
      || !require_time (at, "event time", error)
      || !tx_begin (store, error))
    return FALSE;
  return tx_end (store, event_insert (store, session_id, at, type, actor,
          detail_json, error), error);
}

static gpointer
event_from_row (sqlite3_stmt *stmt)
{
  VwStoreEvent *e = g_new0 (VwStoreEvent, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->session_id = column_dup (stmt, 1);
  e->at = sqlite3_column_int64 (stmt, 2);
  e->type = column_dup (stmt, 3);
  e->actor = column_dup (stmt, 4);
  e->detail = column_dup (stmt, 5);
  return e;
}

GPtrArray *
vw_store_list_events (VwStore *store, const char *session_id, GError **error)
{
  VwStoreSessionState state;

  g_return_val_if_fail (store != NULL, NULL);

  if (session_id && !session_state (store, session_id, &state, error))
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = prepare (store,
      "SELECT id, session_id, at, type, actor, detail FROM events"
      " WHERE session_id IS ?1 ORDER BY at, id", error);
  if (!stmt)
    return NULL;
  bind_text (stmt, 1, session_id);
  return collect (store, stmt, event_from_row, (GDestroyNotify) vw_store_event_free,
      error);
}
