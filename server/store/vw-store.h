/* vw-store.h: the server's store, one SQLite database file under the data
 * directory.
 *
 * What it keeps:
 *  - sessions: one row per call, with a human case number (案件编号) such as
 *    "VW-20261122-000123", the province whose rules apply, the service item
 *    (事项) and how the session ended;
 *  - participants of each session (agent, clerk, supervisor);
 *  - snapshots: full-resolution frames taken during a session (evidence: a
 *    row is never changed once written; the file itself lives under the data
 *    directory, the row keeps its relative path, SHA-256 and size);
 *  - annotations: rectangles marked on a snapshot ("this field must change");
 *  - events: the session timeline (and server-wide events, without session).
 *
 * Conventions:
 *  - Times are unix milliseconds (g_get_real_time () / 1000).  0 in an
 *    "ended_at"/"left_at" field means "not yet".
 *  - Every call that can fail returns FALSE or NULL and sets @error in the
 *    VW_STORE_ERROR domain; nothing is written when a call fails (each
 *    mutation is one transaction).  Passing NULL for the store, a struct or
 *    an id argument is a programming error (g_return_val_if_fail); bad
 *    values inside the structs (empty strings, bad hashes...) are
 *    VW_STORE_ERROR_INVALID.
 *  - Structs are plain C structs owning their strings; free them with their
 *    _free function (g_autoptr works).  Functions taking a const struct
 *    copy what they need.
 *  - Lookups of something unknown fail with VW_STORE_ERROR_NOT_FOUND (they
 *    never return NULL without an error).
 *
 * Durability: the database is in WAL mode with synchronous=FULL, so every
 * successful mutation is on disk when it returns (one fsync, typically
 * milliseconds).
 *
 * A full disk: the writes that must never be lost (a session's end, a
 * participant leaving, a timeline event, a rating, a recorded track's end)
 * are kept in memory when the disk is full (SQLITE_FULL, ENOSPC) and the
 * call returns TRUE: they are written in order when space returns, before
 * any later write and every second on the main context.  Meanwhile every
 * later write of those kinds waits behind them, in order, and reads see
 * the session as ended (vw_store_get_session) and its rating as given
 * (vw_store_set_rating refuses a second one).  At most
 * VW_STORE_PENDING_LIMIT writes wait (vw_store_set_pending_limit); past
 * that they fail with VW_STORE_ERROR_FULL.  Other writes fail with
 * VW_STORE_ERROR_FULL as they come.  vw_store_close() tries once more and
 * logs every write it could not make.
 *
 * Threading: a VwStore is not thread-safe.  Use it from one thread only, the
 * server's main context.  Calls block on disk I/O.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The schema version this code creates and understands (PRAGMA
 * user_version).  Databases with a higher version are refused. */
#define VW_STORE_SCHEMA_VERSION 7

/* How many writes may wait in memory while the disk is full (about 200
 * bytes each). */
#define VW_STORE_PENDING_LIMIT 50000

/* end_reason of sessions marked by vw_store_mark_open_sessions_interrupted(). */
#define VW_STORE_REASON_INTERRUPTED "interrupted"

#define VW_STORE_ERROR (vw_store_error_quark ())
GQuark vw_store_error_quark (void);

typedef enum {
  VW_STORE_ERROR_SQLITE,        /* SQLite failed; the message has sqlite3_errmsg() */
  VW_STORE_ERROR_NOT_FOUND,     /* unknown session, participant, snapshot */
  VW_STORE_ERROR_INVALID,       /* a value is malformed or out of range */
  VW_STORE_ERROR_CONFLICT,      /* id taken, or the state forbids it (already ended...) */
  VW_STORE_ERROR_TOO_NEW,       /* the file's schema is newer than this code */
  VW_STORE_ERROR_WRONG_SESSION, /* the snapshot belongs to another session */
  VW_STORE_ERROR_CORRUPT,       /* not a SQLite database, damaged, or another
                                 * application's database */
  VW_STORE_ERROR_FULL,          /* the disk is full (SQLITE_FULL, ENOSPC) */
} VwStoreError;

typedef struct _VwStore VwStore;

/* Called after writes kept in memory were written (or refused), with the
 * sessions they concern (NULL-terminated). */
typedef void (*VwStoreFlushedFunc) (VwStore *store, const char *const *sessions,
                                    gpointer user_data);

typedef enum {
  VW_STORE_SESSION_OPEN,
  VW_STORE_SESSION_ENDED,
  VW_STORE_SESSION_INTERRUPTED,  /* was open when the server stopped */
} VwStoreSessionState;

typedef struct {
  char *id;
  char *case_no;        /* "VW-YYYYMMDD-NNNNNN"; NULL on begin: generated */
  char *province;       /* whose rules apply, e.g. "shanghai" */
  char *item;           /* (nullable) service item, e.g. "企业设立" */
  gint64 started_at;
  gint64 ended_at;      /* 0 while open */
  char *end_reason;     /* (nullable) "hangup", "peer-disconnected", ... */
  VwStoreSessionState state;
  gint64 requested_at;  /* when the clerk asked (the wait is until started_at);
                         * 0: not known */
} VwStoreSession;

typedef struct {
  char *peer_id;
  char *role;           /* "agent", "clerk" or "supervisor" */
  char *name;           /* (nullable) e.g. "张敏" */
  char *province;       /* (nullable) the participant's own province */
  char *center;         /* (nullable) e.g. "黄浦区政务服务中心" */
  char *account;        /* (nullable) the signed-in account's username */
  gint64 joined_at;
  gint64 left_at;       /* 0 while in the session */
} VwStoreParticipant;

typedef struct {
  char *id;
  char *session_id;
  char *path;           /* relative to the data directory, no ".." */
  char *sha256;         /* 64 lowercase hex digits */
  gint64 size;          /* bytes, > 0 */
  char *mime;           /* e.g. "image/png" */
  int width, height;    /* pixels, > 0 */
  char *requested_by;   /* (nullable) peer id */
  char *sent_by;        /* (nullable) peer id */
  gint64 created_at;
} VwStoreSnapshot;

typedef struct {
  gint64 id;            /* set by the store; ignored by add */
  char *snapshot_id;
  char *session_id;     /* must be the snapshot's session */
  char *author;         /* peer id */
  int x, y, w, h;       /* pixels of the snapshot; inside it, w and h > 0 */
  char *note;           /* (nullable) */
  gint64 created_at;
} VwStoreAnnotation;

typedef struct {
  gint64 id;
  char *session_id;     /* (nullable) NULL for server-wide events */
  gint64 at;
  char *type;           /* e.g. "paired", "snapshot", "ended" */
  char *actor;          /* (nullable) peer id */
  char *detail;         /* (nullable) a JSON object, as text */
} VwStoreEvent;

void vw_store_session_free     (VwStoreSession *session);
void vw_store_participant_free (VwStoreParticipant *participant);
void vw_store_snapshot_free    (VwStoreSnapshot *snapshot);
void vw_store_annotation_free  (VwStoreAnnotation *annotation);
void vw_store_event_free       (VwStoreEvent *event);

/* ---- opening ---- */

/* Opens the store at @path, creating the file (mode 0600) if missing, and
 * brings its schema up to VW_STORE_SCHEMA_VERSION, one transaction per
 * migration.  A file with a newer schema (VW_STORE_ERROR_TOO_NEW), that is
 * not SQLite or is another application's database (VW_STORE_ERROR_CORRUPT)
 * is refused and left as it was.  Error messages start with @path. */
VwStore *vw_store_open  (const char *path, GError **error);
void     vw_store_close (VwStore *store);

/* ---- a full disk (see Durability above) ---- */

/* Writes what waits in memory, in order, as far as the disk lets it
 * (a write refused for another reason is logged and dropped).  TRUE when
 * nothing waits any more.  The store calls it by itself; tests may too. */
gboolean vw_store_flush_pending      (VwStore *store);
guint    vw_store_get_n_pending      (VwStore *store);
/* At most @limit (> 0) writes wait; VW_STORE_PENDING_LIMIT by default. */
void     vw_store_set_pending_limit  (VwStore *store, guint limit);
/* One function (NULL: none) told of every flush. */
void     vw_store_set_flushed_func   (VwStore *store, VwStoreFlushedFunc func,
                                      gpointer user_data);
gpointer vw_store_get_flushed_data   (VwStore *store);

/* ---- sessions ---- */

/* Records a new open session.  Reads id, case_no, province, item,
 * started_at and requested_at of @session (the rest is ignored; a
 * requested_at after started_at, a clock step, is taken as started_at).  Without case_no, the next
 * case number of the day of started_at in China Standard Time (UTC+8) is
 * given: "VW-YYYYMMDD-" and a sequence from 000001, never reused.  The case
 * number is returned in @case_no_out (nullable; free it).  A taken id or
 * case number is VW_STORE_ERROR_CONFLICT. */
gboolean vw_store_session_begin (VwStore *store, const VwStoreSession *session,
                                 char **case_no_out, GError **error);

/* Adds a participant (left_at is ignored) to an open session.  NOT_FOUND for
 * an unknown session, CONFLICT if it is not open or the peer is in it
 * already, INVALID for an unknown role. */
gboolean vw_store_session_add_participant (VwStore *store, const char *session_id,
                                           const VwStoreParticipant *participant,
                                           GError **error);

/* The participant left at @at.  NOT_FOUND if not in the session, CONFLICT if
 * it left already. */
gboolean vw_store_session_participant_left (VwStore *store, const char *session_id,
                                            const char *peer_id, gint64 at,
                                            GError **error);

/* Ends an open session with @reason (non-empty); participants still in it
 * leave at @ended_at.  NOT_FOUND if unknown, CONFLICT if not open. */
gboolean vw_store_session_end (VwStore *store, const char *session_id,
                               const char *reason, gint64 ended_at, GError **error);

/* At start-up: every session still open was cut off by a crash; each
 * becomes "interrupted" with ended_at @at and end_reason
 * VW_STORE_REASON_INTERRUPTED, and its participants leave at @at.  The
 * number of sessions marked goes to @n_out (nullable). */
gboolean vw_store_mark_open_sessions_interrupted (VwStore *store, gint64 at,
                                                  guint *n_out, GError **error);

VwStoreSession *vw_store_get_session (VwStore *store, const char *id, GError **error);

/* (transfer full) VwStoreParticipant*, in order of joining. */
GPtrArray *vw_store_list_participants (VwStore *store, const char *session_id,
                                       GError **error);

/* ---- evidence ---- */

/* Records a snapshot of an existing session (open or not: an upload may
 * finish after the call).  INVALID unless sha256 is 64 lowercase hex
 * digits, size, width and height > 0, mime non-empty and path relative
 * without ".."; NOT_FOUND for an unknown session; CONFLICT for a taken id. */
gboolean vw_store_add_snapshot (VwStore *store, const VwStoreSnapshot *snapshot,
                                GError **error);

VwStoreSnapshot *vw_store_get_snapshot (VwStore *store, const char *id, GError **error);

/* (transfer full) VwStoreSnapshot* of the session, by created_at then id.
 * NOT_FOUND for an unknown session. */
GPtrArray *vw_store_list_snapshots (VwStore *store, const char *session_id,
                                    GError **error);

/* Records an annotation; its id goes to @id_out (nullable).  NOT_FOUND for
 * an unknown snapshot, WRONG_SESSION when the snapshot belongs to another
 * session, INVALID when the rectangle is empty or not inside the snapshot
 * or the author is empty. */
gboolean vw_store_add_annotation (VwStore *store, const VwStoreAnnotation *annotation,
                                  gint64 *id_out, GError **error);

/* (transfer full) VwStoreAnnotation* of the snapshot, in order of adding.
 * NOT_FOUND for an unknown snapshot. */
GPtrArray *vw_store_list_annotations (VwStore *store, const char *snapshot_id,
                                      GError **error);

/* ---- timeline ---- */

/* Appends an event.  @session_id NULL: a server-wide event.  @detail_json,
 * if given, must be a JSON object (INVALID otherwise).  NOT_FOUND for an
 * unknown session. */
gboolean vw_store_add_event (VwStore *store, const char *session_id, gint64 at,
                             const char *type, const char *actor,
                             const char *detail_json, GError **error);

/* (transfer full) VwStoreEvent* of the session (NULL: the server-wide
 * events), by at then id (order of adding).  NOT_FOUND for an unknown
 * session. */
GPtrArray *vw_store_list_events (VwStore *store, const char *session_id,
                                 GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStore, vw_store_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreSession, vw_store_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreParticipant, vw_store_participant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreSnapshot, vw_store_snapshot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreAnnotation, vw_store_annotation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreEvent, vw_store_event_free)

G_END_DECLS
