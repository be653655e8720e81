/* vw-store.c: the server's SQLite store (see vw-store.h).
 *
 * Every value reaches SQL through a bound parameter; the only SQL built at
 * run time is "PRAGMA user_version = N" with N from the migration table
 * (PRAGMAs take no parameters). */
#include "vw-store.h"
#include "vw-store-private.h"
#include "vw-store-db.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <errno.h>
#include <string.h>

/* PRAGMA application_id of a virtual-window store: "VW" 0x0001. */
#define APPLICATION_ID 0x56570001
#define BUSY_TIMEOUT_MS 5000

G_DEFINE_QUARK (vw-store-error-quark, vw_store_error)

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

  /* 2: recordings (tracks and their chunks), accounts, the account behind
   * a participant, ratings, supervisors' reviews, the audit log. */
  "ALTER TABLE participants ADD COLUMN account TEXT;"   /* username, if signed in */
  "CREATE INDEX participants_by_account ON participants (account);"

  /* One recorded track: what one participant sent of one kind.  offset_ms
   * is its start on the session's timeline (from sessions.started_at). */
  "CREATE TABLE tracks ("
  "  id         INTEGER PRIMARY KEY,"
  "  session_id TEXT NOT NULL REFERENCES sessions (id),"
  "  peer_id    TEXT NOT NULL CHECK (peer_id <> ''),"
  "  kind       TEXT NOT NULL CHECK (kind IN ('audio', 'camera', 'screen', 'document')),"
  "  codec      TEXT NOT NULL CHECK (codec IN ('VP8', 'OPUS')),"
  "  dir        TEXT NOT NULL CHECK (dir <> '' AND substr (dir, 1, 1) <> '/'),"
  "  offset_ms  INTEGER NOT NULL CHECK (offset_ms >= 0),"
  "  started_at INTEGER NOT NULL,"
  "  ended_at   INTEGER,"
  "  purged_at  INTEGER"    /* retention removed its files */
  ") STRICT;"
  "CREATE INDEX tracks_by_session ON tracks (session_id);"

  /* A finished chunk file of a track: written once, never changed (the
   * hash is the evidence); rows go only with the retention purge. */
  "CREATE TABLE chunks ("
  "  track_id  INTEGER NOT NULL REFERENCES tracks (id),"
  "  seq       INTEGER NOT NULL CHECK (seq >= 0),"
  "  path      TEXT NOT NULL CHECK (path <> '' AND substr (path, 1, 1) <> '/'),"
  "  sha256    TEXT NOT NULL CONSTRAINT chunk_sha256_is_lowercase_hex"
  "            CHECK (length (sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),"
  "  size      INTEGER NOT NULL CHECK (size > 0),"
  "  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),"
  "  recovered INTEGER NOT NULL DEFAULT 0 CHECK (recovered IN (0, 1)),"
  "  closed_at INTEGER NOT NULL,"
  "  PRIMARY KEY (track_id, seq)"
  ") STRICT;"
  "CREATE TRIGGER chunks_are_evidence BEFORE UPDATE ON chunks BEGIN"
  "  SELECT RAISE (ABORT, 'recorded chunks are evidence and are never changed');"
  "END;"

  /* Agents, supervisors and administrators.  scope: what a supervisor
   * sees, the sessions of their centre or of their whole province. */
  "CREATE TABLE accounts ("
  "  username      TEXT PRIMARY KEY NOT NULL CHECK (username <> ''),"
  "  role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),"
  "  name          TEXT NOT NULL CHECK (name <> ''),"
  "  province      TEXT NOT NULL CHECK (province <> ''),"
  "  center        TEXT NOT NULL CHECK (center <> ''),"
  "  scope         TEXT NOT NULL DEFAULT 'center' CHECK (scope IN ('center', 'province')),"
  "  password_hash TEXT NOT NULL CHECK (password_hash <> ''),"
  "  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
  "  created_at    INTEGER NOT NULL"
  ") STRICT;"

  /* 好差评: one rating per case, given by the clerk or enterprise. */
  "CREATE TABLE ratings ("
  "  session_id TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id),"
  "  level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),"   /* 5 = 非常满意 */
  "  comment    TEXT,"
  "  created_at INTEGER NOT NULL"
  ") STRICT;"

  /* A supervisor's review of a session (several may review one). */
  "CREATE TABLE reviews ("
  "  id         INTEGER PRIMARY KEY,"
  "  session_id TEXT NOT NULL REFERENCES sessions (id),"
  "  author     TEXT NOT NULL REFERENCES accounts (username),"
  "  score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),"
  "  comment    TEXT,"
  "  created_at INTEGER NOT NULL"
  ") STRICT;"
  "CREATE INDEX reviews_by_session ON reviews (session_id);"

  /* Who looked at what: every access to a recording, every sample drawn,
   * every retention purge.  Append only. */
  "CREATE TABLE audit ("
  "  id         INTEGER PRIMARY KEY,"
  "  at         INTEGER NOT NULL,"
  "  actor      TEXT,"        /* username; NULL for the server itself */
  "  action     TEXT NOT NULL CHECK (action <> ''),"
  "  session_id TEXT,"        /* no foreign key: the log outlives purges */
  "  detail     TEXT"         /* a JSON object */
  ") STRICT;"
  "CREATE INDEX audit_by_at ON audit (at);"
  "CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit BEGIN"
  "  SELECT RAISE (ABORT, 'the audit log is append only');"
  "END;"
  "CREATE TRIGGER audit_is_kept BEFORE DELETE ON audit BEGIN"
  "  SELECT RAISE (ABORT, 'the audit log is append only');"
  "END;",

  /* 3: when the clerk asked (the wait, for the statistics), and the
   * follow-up (整改) of every bad rating (see vw-store-follow-ups.h). */
  "ALTER TABLE sessions ADD COLUMN requested_at INTEGER;"   /* NULL: not known */

  /* Opened with a rating of 1 or 2 in the rating's transaction; due at
   * the end of the 15th working day after it (vw-calendar.h); closed once,
   * by a supervisor, with how it was settled. */
  "CREATE TABLE follow_ups ("
  "  id         INTEGER PRIMARY KEY,"
  "  session_id TEXT NOT NULL UNIQUE REFERENCES ratings (session_id),"
  "  opened_at  INTEGER NOT NULL,"
  "  due_at     INTEGER NOT NULL CHECK (due_at > opened_at),"
  "  closed_at  INTEGER,"
  "  closed_by  TEXT REFERENCES accounts (username),"
  "  resolution TEXT CHECK (resolution <> ''),"
  "  CONSTRAINT closed_by_whom_and_how CHECK ((closed_at IS NULL) = (closed_by IS NULL)"
  "    AND (closed_at IS NULL) = (resolution IS NULL))"
  ") STRICT;"
  "CREATE INDEX follow_ups_by_due ON follow_ups (closed_at, due_at);"
  /* A bad rating must never disappear: neither it nor its follow-up is
   * deleted, and a follow-up is closed once, then never changed. */
  "CREATE TRIGGER follow_ups_are_kept BEFORE DELETE ON follow_ups BEGIN"
  "  SELECT RAISE (ABORT, 'follow-ups are kept');"
  "END;"
  "CREATE TRIGGER follow_ups_close_once BEFORE UPDATE ON follow_ups"
  " WHEN OLD.closed_at IS NOT NULL OR NEW.id IS NOT OLD.id"
  "  OR NEW.session_id IS NOT OLD.session_id OR NEW.opened_at IS NOT OLD.opened_at"
  "  OR NEW.due_at IS NOT OLD.due_at BEGIN"
  "  SELECT RAISE (ABORT, 'a follow-up is closed once and never changed otherwise');"
  "END;"
  "CREATE TRIGGER ratings_are_kept BEFORE UPDATE ON ratings BEGIN"
  "  SELECT RAISE (ABORT, 'a rating is never changed');"
  "END;"
  "CREATE TRIGGER ratings_are_not_deleted BEFORE DELETE ON ratings BEGIN"
  "  SELECT RAISE (ABORT, 'a rating is never deleted');"
  "END;"
  /* The bad ratings given before this version get their follow-up now,
   * due as vw_calendar_deadline (NULL, created_at, 15) computes it
   * (Monday to Friday: no holidays were known then): 15 working days
   * after a weekday are 21 calendar days, after a Saturday 20, after a
   * Sunday 19 (CST day numbers, day 0 a Thursday; tests/test-store-
   * follow-ups.c checks both agree). */
  "INSERT INTO follow_ups (session_id, opened_at, due_at)"
  " SELECT session_id, created_at,"
  "  (day + CASE (day + 4) % 7 WHEN 6 THEN 20 WHEN 0 THEN 19 ELSE 21 END + 1)"
  "   * 86400000 - 28800000"
  " FROM (SELECT session_id, created_at, (created_at + 28800000) / 86400000 AS day"
  "  FROM ratings WHERE level <= 2) ORDER BY created_at, session_id;",

  /* 4: the catalogue of service items (事项清单; see vw-store-items.h).
   * provinces and centers are JSON arrays of strings, checked by the code
   * that writes them (json_valid () is not allowed in a CHECK of a schema
   * that is not trusted: only the brackets are checked here). */
  "CREATE TABLE items ("
  "  code       TEXT PRIMARY KEY CHECK (code <> ''),"
  "  name       TEXT NOT NULL CHECK (name <> ''),"
  "  mode       TEXT NOT NULL CHECK (mode IN ('remote', 'online', 'onsite')),"
  "  department TEXT NOT NULL CHECK (department <> ''),"
  "  provinces  TEXT NOT NULL CHECK (provinces LIKE '[%]'),"
  "  centers    TEXT NOT NULL CHECK (centers LIKE '[%]'),"
  "  updated_at INTEGER NOT NULL CHECK (updated_at > 0)"
  ") STRICT;",

  /* 5: appointments (我要约; see vw-store-appointments.h): slots at a
   * centre for one item, and the bookings that hold their places.  item
   * is a code kept as text (an item removed from the catalogue leaves its
   * slots as they are); created_by and session_id name an account and a
   * session without a foreign key, like the audit log. */
  "CREATE TABLE slots ("
  "  id         INTEGER PRIMARY KEY,"
  "  center     TEXT NOT NULL CHECK (center <> ''),"
  "  province   TEXT NOT NULL CHECK (province <> ''),"   /* whose rules apply */
  "  item       TEXT NOT NULL CHECK (item <> ''),"
  "  starts_at  INTEGER NOT NULL CHECK (starts_at > 0),"
  "  ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),"
  "  capacity   INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 100),"
  "  created_by TEXT NOT NULL CHECK (created_by <> ''),"
  "  created_at INTEGER NOT NULL CHECK (created_at > 0)"
  ") STRICT;"
  "CREATE INDEX slots_by_start ON slots (starts_at);"
  "CREATE INDEX slots_by_center ON slots (center, starts_at);"

  /* code: the secret the holder keeps (8 of an alphabet without 0, O, 1,
   * I, L).  A booking moves on from 'booked' once, to 'cancelled',
   * 'arrived' or 'no-show', and stays there. */
  "CREATE TABLE bookings ("
  "  id           INTEGER PRIMARY KEY,"
  "  slot_id      INTEGER NOT NULL REFERENCES slots (id),"
  "  code         TEXT NOT NULL UNIQUE CHECK (length (code) = 8),"
  "  holder_name  TEXT NOT NULL CHECK (holder_name <> ''),"
  "  holder_kind  TEXT NOT NULL CHECK (holder_kind IN ('enterprise', 'citizen')),"
  "  contact      TEXT CHECK (contact <> ''),"
  "  state        TEXT NOT NULL DEFAULT 'booked'"
  "               CHECK (state IN ('booked', 'cancelled', 'arrived', 'no-show')),"
  "  created_at   INTEGER NOT NULL CHECK (created_at > 0),"
  "  cancelled_at INTEGER,"
  "  arrived_at   INTEGER,"
  "  session_id   TEXT CHECK (session_id <> ''),"
  "  CONSTRAINT cancelled_when_cancelled"
  "    CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL)),"
  "  CONSTRAINT arrived_when_arrived CHECK ((state = 'arrived') = (arrived_at IS NOT NULL))"
  ") STRICT;"
  "CREATE INDEX bookings_by_slot ON bookings (slot_id, state);"
  /* No slot ever holds more than its capacity (the store counts first, in
   * the same transaction; this is the last line). */
  "CREATE TRIGGER bookings_within_capacity BEFORE INSERT ON bookings"
  " WHEN (SELECT count(*) FROM bookings WHERE slot_id = NEW.slot_id"
  "   AND state IN ('booked', 'arrived'))"
  "  >= (SELECT capacity FROM slots WHERE id = NEW.slot_id) BEGIN"
  "  SELECT RAISE (ABORT, 'the slot is full');"
  "END;"
  "CREATE TRIGGER bookings_move_on_once BEFORE UPDATE ON bookings"
  " WHEN NEW.id IS NOT OLD.id OR NEW.slot_id IS NOT OLD.slot_id"
  "  OR NEW.code IS NOT OLD.code OR NEW.created_at IS NOT OLD.created_at"
  "  OR (OLD.state <> 'booked' AND NEW.state IS NOT OLD.state) BEGIN"
  "  SELECT RAISE (ABORT, 'a booking leaves the state booked once and is never moved');"
  "END;",

  /* 6: signing out voids the account's tokens given before (unix ms; 0:
   * never signed out). */
  "ALTER TABLE accounts ADD COLUMN signed_out_at INTEGER NOT NULL DEFAULT 0"
  "  CHECK (signed_out_at >= 0);",

  /* 7: booking codes of 16 characters (79 bits; those of 8 made before
   * stay).  SQLite changes a CHECK only by copying the table. */
  "CREATE TABLE bookings_7 ("
  "  id           INTEGER PRIMARY KEY,"
  "  slot_id      INTEGER NOT NULL REFERENCES slots (id),"
  "  code         TEXT NOT NULL UNIQUE CHECK (length (code) IN (8, 16)),"
  "  holder_name  TEXT NOT NULL CHECK (holder_name <> ''),"
  "  holder_kind  TEXT NOT NULL CHECK (holder_kind IN ('enterprise', 'citizen')),"
  "  contact      TEXT CHECK (contact <> ''),"
  "  state        TEXT NOT NULL DEFAULT 'booked'"
  "               CHECK (state IN ('booked', 'cancelled', 'arrived', 'no-show')),"
  "  created_at   INTEGER NOT NULL CHECK (created_at > 0),"
  "  cancelled_at INTEGER,"
  "  arrived_at   INTEGER,"
  "  session_id   TEXT CHECK (session_id <> ''),"
  "  CONSTRAINT cancelled_when_cancelled"
  "    CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL)),"
  "  CONSTRAINT arrived_when_arrived CHECK ((state = 'arrived') = (arrived_at IS NOT NULL))"
  ") STRICT;"
  "INSERT INTO bookings_7 (id, slot_id, code, holder_name, holder_kind, contact, state,"
  "  created_at, cancelled_at, arrived_at, session_id)"
  " SELECT id, slot_id, code, holder_name, holder_kind, contact, state, created_at,"
  "  cancelled_at, arrived_at, session_id FROM bookings;"
  "DROP TABLE bookings;"
  "ALTER TABLE bookings_7 RENAME TO bookings;"
  "CREATE INDEX bookings_by_slot ON bookings (slot_id, state);"
  "CREATE TRIGGER bookings_within_capacity BEFORE INSERT ON bookings"
  " WHEN (SELECT count(*) FROM bookings WHERE slot_id = NEW.slot_id"
  "   AND state IN ('booked', 'arrived'))"
  "  >= (SELECT capacity FROM slots WHERE id = NEW.slot_id) BEGIN"
  "  SELECT RAISE (ABORT, 'the slot is full');"
  "END;"
  "CREATE TRIGGER bookings_move_on_once BEFORE UPDATE ON bookings"
  " WHEN NEW.id IS NOT OLD.id OR NEW.slot_id IS NOT OLD.slot_id"
  "  OR NEW.code IS NOT OLD.code OR NEW.created_at IS NOT OLD.created_at"
  "  OR (OLD.state <> 'booked' AND NEW.state IS NOT OLD.state) BEGIN"
  "  SELECT RAISE (ABORT, 'a booking leaves the state booked once and is never moved');"
  "END;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == VW_STORE_SCHEMA_VERSION);

/* ---- errors ---- */

static VwStoreError
code_from_sqlite (int rc, int system_errno)
{
  if ((rc & 0xff) == SQLITE_FULL
      || ((rc & 0xff) == SQLITE_IOERR && system_errno == ENOSPC))
    return VW_STORE_ERROR_FULL;
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
  g_set_error (error, VW_STORE_ERROR, code_from_sqlite (sqlite3_extended_errcode (db),
          sqlite3_system_errno (db)), "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

gboolean
store_fail (GError **error, VwStoreError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VW_STORE_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

/* ---- statements ---- */

sqlite3_stmt *
store_prepare (VwStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    db_error (store->db, "preparing a statement", error);
    return NULL;
  }
  return stmt;
}

/* Binds text (NULL binds NULL); @value must outlive the step. */
void
store_bind_text (sqlite3_stmt *stmt, int index, const char *value)
{
  sqlite3_bind_text (stmt, index, value, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no row. */
gboolean
store_step_done (VwStore *store, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) == SQLITE_DONE)
    return TRUE;
  return db_error (store->db, what, error);
}

/* Steps once; *@has_row tells whether a row came. */
gboolean
store_step_row (VwStore *store, sqlite3_stmt *stmt, gboolean *has_row,
    const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  *has_row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  return db_error (store->db, what, error);
}

/* Runs @sql (one key parameter) and tells whether it returned a row. */
gboolean
store_exists (VwStore *store, const char *sql, const char *key, gboolean *found,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, sql, error);

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, key);
  return store_step_row (store, stmt, found, "looking up", error);
}

/* The integer in the first column of the first row of @sql (no
 * parameters), or @fallback without a row. */
static gboolean
query_int (VwStore *store, const char *sql, gint64 fallback, gint64 *out,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, sql, error);
  gboolean has_row;

  if (!stmt || !store_step_row (store, stmt, &has_row, sql, error))
    return FALSE;
  *out = has_row ? sqlite3_column_int64 (stmt, 0) : fallback;
  return TRUE;
}

char *
store_column_dup (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}


/* Every row of @stmt, made by @from_row. */
GPtrArray *
store_collect (VwStore *store, sqlite3_stmt *stmt, RowFunc from_row,
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

/* What waits in memory goes first (vw-store-pending.c). */
gboolean
store_tx_begin (VwStore *store, GError **error)
{
  vw_store_flush_pending (store);
  return exec (store, "BEGIN IMMEDIATE", NULL, error);
}

/* Commits if @ok, else rolls back (@error is set already then). */
gboolean
store_tx_end (VwStore *store, gboolean ok, GError **error)
{
  if (ok && exec (store, "COMMIT", NULL, error))
    return TRUE;
  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* ---- validation ---- */

gboolean
store_require_text (const char *value, const char *what, GError **error)
{
  if (value && *value)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID, "%s is missing", what);
}

gboolean
store_require_time (gint64 value, const char *what, GError **error)
{
  if (value > 0)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID,
      "%s must be unix milliseconds, not %" G_GINT64_FORMAT, what, value);
}

gboolean
store_is_sha256_hex (const char *s)
{
  if (!s || strlen (s) != 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s) && !(*s >= 'a' && *s <= 'f'))
      return FALSE;
  return TRUE;
}

/* Snapshot files must stay inside the data directory. */
gboolean
store_check_relative_path (const char *path, GError **error)
{
  if (!store_require_text (path, "snapshot path", error))
    return FALSE;
  if (g_path_is_absolute (path) || strchr (path, '\\'))
    return store_fail (error, VW_STORE_ERROR_INVALID,
        "snapshot path '%s' must be relative to the data directory", path);

  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i]; i++)
    if (g_str_equal (parts[i], ".."))
      return store_fail (error, VW_STORE_ERROR_INVALID,
          "snapshot path '%s' leaves the data directory", path);
  return TRUE;
}

gboolean
store_check_json_object (VwStore *store, const char *json, const char *what,
    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, "SELECT CASE WHEN json_valid (?1)"
      " THEN json_type (?1) = 'object' ELSE 0 END", error);
  gboolean has_row;

  if (!stmt)
    return FALSE;
  store_bind_text (stmt, 1, json);
  if (!store_step_row (store, stmt, &has_row, "checking JSON", error))
    return FALSE;
  if (has_row && sqlite3_column_int (stmt, 0) == 1)
    return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID, "%s is not a JSON object: %s",
      what, json);
}

gboolean
store_check_role (const char *role, GError **error)
{
  static const char *const roles[] = { "agent", "clerk", "supervisor" };

  for (guint i = 0; role && i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (role, roles[i]))
      return TRUE;
  return store_fail (error, VW_STORE_ERROR_INVALID,
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
    if (!store_tx_begin (store, error))
      return FALSE;
    if (!store_tx_end (store, migrate_step (store, version, error), error))
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
    return store_fail (error, VW_STORE_ERROR_CORRUPT,
        "not a virtual-window store (application id 0x%08" G_GINT64_MODIFIER "x, "
        "%" G_GINT64_FORMAT " schema objects)", app_id, n_objects);
  if (*version < 0)
    return store_fail (error, VW_STORE_ERROR_CORRUPT,
        "the store has schema version %" G_GINT64_FORMAT, *version);
  if (*version > VW_STORE_SCHEMA_VERSION)
    return store_fail (error, VW_STORE_ERROR_TOO_NEW,
        "the store has schema version %" G_GINT64_FORMAT ", newer than the "
        "version %d this program knows; use a newer vw-server", *version,
        VW_STORE_SCHEMA_VERSION);
  return TRUE;
}

static gboolean
configure (VwStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = store_prepare (store, "PRAGMA journal_mode = WAL", error);
  gboolean has_row;

  if (!stmt || !store_step_row (store, stmt, &has_row, "setting WAL mode", error))
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
  g_queue_init (&store->pending);
  store->pending_limit = VW_STORE_PENDING_LIMIT;
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
  store_pending_close (store);
  sqlite3_close_v2 (store->db);
  g_free (store->path);
  vw_calendar_unref (store->calendar);
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
  g_free (p->account);
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
