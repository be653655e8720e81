/* vw-store-db.h: the store's SQLite plumbing, shared by its source files
 * (vw-store.c: opening, migrations, plumbing; vw-store-sessions.c:
 * sessions and participants; vw-store-evidence.c: snapshots, annotations,
 * timeline).  Internal to the store library. */
#pragma once

#include <sqlite3.h>
#include "vw-store.h"
#include "vw-calendar.h"

G_BEGIN_DECLS

typedef struct _StorePending StorePending;

/* Writes @w in its own transaction. */
typedef gboolean (*StoreWriteFunc) (VwStore *store, const StorePending *w,
                                    GError **error);

/* A write that must not be lost (vw-store-pending.c): its values, by
 * kind of write. */
struct _StorePending {
  StoreWriteFunc write;
  char *description;      /* for the log: what it is, whose, when */
  char *session_id;       /* (nullable) */
  char *a, *b, *c;        /* (nullable) texts */
  gint64 at, n;
};

struct _VwStore {
  sqlite3 *db;
  char *path;
  VwCalendar *calendar;   /* (nullable) follow-ups' working days */
  GQueue pending;         /* StorePending*, oldest first */
  guint pending_limit;
  guint retry_source;
  gboolean flushing;
  VwStoreFlushedFunc flushed_func;
  gpointer flushed_data;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

typedef gpointer (*RowFunc) (sqlite3_stmt *stmt);

gboolean      store_fail (GError **error, VwStoreError code, const char *format, ...)
                  G_GNUC_PRINTF (3, 4);
sqlite3_stmt *store_prepare (VwStore *store, const char *sql, GError **error);
void          store_bind_text (sqlite3_stmt *stmt, int index, const char *value);
gboolean      store_step_done (VwStore *store, sqlite3_stmt *stmt, const char *what,
                               GError **error);
gboolean      store_step_row (VwStore *store, sqlite3_stmt *stmt, gboolean *has_row,
                              const char *what, GError **error);
gboolean      store_exists (VwStore *store, const char *sql, const char *key,
                            gboolean *found, GError **error);
char         *store_column_dup (sqlite3_stmt *stmt, int column);
GPtrArray    *store_collect (VwStore *store, sqlite3_stmt *stmt, RowFunc from_row,
                             GDestroyNotify free_row, GError **error);
gboolean      store_tx_begin (VwStore *store, GError **error);
gboolean      store_tx_end (VwStore *store, gboolean ok, GError **error);
gboolean      store_require_text (const char *value, const char *what, GError **error);
gboolean      store_require_time (gint64 value, const char *what, GError **error);
gboolean      store_is_sha256_hex (const char *hex);
gboolean      store_check_role (const char *role, GError **error);
/* @json is a JSON object by SQLite's own parser, the one later queries
 * use (not a CHECK constraint: JSON functions are not "innocuous" in every
 * SQLite, and the store runs with trusted_schema off); INVALID naming
 * @what otherwise. */
gboolean      store_check_json_object (VwStore *store, const char *json, const char *what,
                                       GError **error);
gboolean      store_check_relative_path (const char *path, GError **error);
gboolean      store_session_state (VwStore *store, const char *id,
                                   VwStoreSessionState *state, GError **error);
/* vw-store-follow-ups.c: opens the follow-up of a bad rating of
 * @session_id given at @at, inside the caller's transaction. */
gboolean      store_open_follow_up (VwStore *store, const char *session_id, gint64 at,
                                    GError **error);

/* vw-store-pending.c.  @description: transfer full. */
StorePending *store_pending_new (StoreWriteFunc write, const char *session_id,
                                 char *description);
void          store_pending_free (StorePending *w);
/* Runs @w (transfer full) now, or keeps it in memory (TRUE) when the disk
 * is full or earlier writes wait; FALSE with @error when it is refused or
 * cannot be kept (the queue is at its limit). */
gboolean      store_write_or_keep (VwStore *store, StorePending *w, GError **error);
const StorePending *store_pending_find (VwStore *store, StoreWriteFunc write,
                                        const char *session_id);
void          store_pending_close (VwStore *store);

G_END_DECLS
