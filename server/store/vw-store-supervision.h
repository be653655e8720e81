/* vw-store-supervision.h: what supervisors read and write about sessions
 * (schema version 2; see vw-store.h for the conventions): the filtered,
 * scoped listing of sessions with their participants, rating (好差评) and
 * reviews; supervisors' reviews; the one rating of a session; and the
 * random sampling of sessions for quality checks.
 *
 * Scope: every read takes a VwStoreScope, the sessions the caller may see.
 * A session outside the scope is reported exactly like an unknown one
 * (VW_STORE_ERROR_NOT_FOUND), so that ids do not leak.
 *
 * The sampling draw itself (vw_store_sample_draw) is a pure function of the
 * candidates and the seed, apart from the SQL, so that it can be checked
 * afterwards from the audit log.
 */
#pragma once

#include "vw-store.h"

G_BEGIN_DECLS

typedef enum {
  VW_STORE_SCOPE_ALL,        /* every session (the server itself, tests) */
  VW_STORE_SCOPE_ACCOUNT,    /* sessions where @account took part as agent */
  VW_STORE_SCOPE_CENTER,     /* a participant of @center (and of @province, if set) */
  VW_STORE_SCOPE_PROVINCE,   /* a participant of @province */
} VwStoreScopeKind;

/* Borrowed strings; the fields that @kind does not name are ignored. */
typedef struct {
  VwStoreScopeKind kind;
  const char *account;       /* ACCOUNT: the agent's username */
  const char *center;        /* CENTER */
  const char *province;      /* PROVINCE; CENTER: (nullable) */
} VwStoreScope;

/* Filters of the listing, all optional (NULL, 0 or -1: no filter).
 * Borrowed strings. */
typedef struct {
  gint64 from_ms;            /* started_at >= from_ms (0: none) */
  gint64 to_ms;              /* started_at < to_ms (0: none) */
  const char *center;        /* a participant of this centre */
  const char *agent;         /* an agent participant with this account or name */
  const char *province;      /* whose rules apply (the session's province) */
  const char *item;          /* the service item, exactly */
  gint64 min_duration_s;     /* -1: none; open sessions have no duration */
  gint64 max_duration_s;     /* -1: none */
  int rating;                /* 1..5, 0: none */
  guint limit;               /* 0: VW_STORE_LIST_DEFAULT_LIMIT */
  guint offset;
} VwStoreSessionFilter;

#define VW_STORE_SESSION_FILTER_INIT { .min_duration_s = -1, .max_duration_s = -1 }
#define VW_STORE_LIST_DEFAULT_LIMIT 100
#define VW_STORE_LIST_MAX_LIMIT 1000

/* A participant as supervisors see it: with the account behind it. */
typedef struct {
  char *peer_id;
  char *role;
  char *name;                /* (nullable) */
  char *province;            /* (nullable) */
  char *center;              /* (nullable) */
  char *account;             /* (nullable) username, if signed in */
  gint64 joined_at;
  gint64 left_at;            /* 0 while in the session */
} VwStoreSessionPeer;

/* 好差评: level 5 = 非常满意 ... 1 = 非常不满意. */
typedef struct {
  char *session_id;
  int level;                 /* 1..5 */
  char *comment;             /* (nullable) */
  gint64 created_at;
} VwStoreRating;

typedef struct {
  gint64 id;                 /* set by the store; ignored by add */
  char *session_id;
  char *author;              /* an account's username */
  int score;                 /* 1..5 */
  char *comment;             /* (nullable) */
  gint64 created_at;
} VwStoreReview;

/* One session of a listing. */
typedef struct {
  VwStoreSession *session;
  char *item_name;           /* (nullable) the catalogue's name of session->item;
                              * NULL if that code is not in the catalogue */
  gint64 duration_s;         /* rounded; 0 while open */
  GPtrArray *peers;          /* VwStoreSessionPeer*, in order of joining */
  VwStoreRating *rating;     /* (nullable) */
  guint n_reviews;
  gboolean recorded;         /* has at least one recorded track */
} VwStoreSessionSummary;

/* A session that sampling may draw, and the agent it counts for: the
 * account username of its (first) agent, else the agent's name. */
typedef struct {
  char *session_id;
  char *agent;
} VwStoreSampleCandidate;

void vw_store_session_peer_free (VwStoreSessionPeer *peer);
void vw_store_rating_free (VwStoreRating *rating);
void vw_store_review_free (VwStoreReview *review);
void vw_store_session_summary_free (VwStoreSessionSummary *summary);
void vw_store_sample_candidate_free (VwStoreSampleCandidate *candidate);

/* ---- dates ---- */

/* The unix milliseconds at which day @date ("YYYY-MM-DD", a real date)
 * begins in China Standard Time (UTC+8).  INVALID for anything else. */
gboolean vw_store_parse_cst_date (const char *date, gint64 *ms_out, GError **error);

/* ---- sessions ---- */

/* (transfer full) VwStoreSessionSummary* of the sessions in @scope that pass
 * @filter, newest first (started_at, then id, descending), at most
 * filter->limit from filter->offset; @total_out (nullable) gets how many
 * pass in all.  INVALID for a limit over VW_STORE_LIST_MAX_LIMIT, a rating
 * outside 1..5 or a negative duration other than -1. */
GPtrArray *vw_store_list_sessions_in_scope (VwStore *store, const VwStoreScope *scope,
                                            const VwStoreSessionFilter *filter,
                                            guint *total_out, GError **error);

/* (transfer full) one session of @scope.  NOT_FOUND if unknown or outside
 * the scope. */
VwStoreSessionSummary *vw_store_get_session_in_scope (VwStore *store,
                                                      const VwStoreScope *scope,
                                                      const char *session_id,
                                                      GError **error);

/* ---- reviews ---- */

/* Records a supervisor's review; its id goes to @id_out (nullable).
 * INVALID for a score outside 1..5, an empty author or no created_at;
 * NOT_FOUND for an unknown session or author account. */
gboolean vw_store_add_review (VwStore *store, const VwStoreReview *review,
                              gint64 *id_out, GError **error);

/* (transfer full) VwStoreReview* of the session, oldest first.  NOT_FOUND
 * for an unknown session. */
GPtrArray *vw_store_list_reviews (VwStore *store, const char *session_id,
                                  GError **error);

/* ---- ratings ---- */

/* Records the rating of a session: one per session, never replaced
 * (CONFLICT on a second).  A level of 2 or 1 also opens its follow-up
 * (整改, vw-store-follow-ups.h) in the same transaction.  INVALID for a
 * level outside 1..5; NOT_FOUND for an unknown session. */
gboolean vw_store_set_rating (VwStore *store, const VwStoreRating *rating,
                              GError **error);

/* (transfer full) the rating of the session; NOT_FOUND if there is none
 * (or no such session). */
VwStoreRating *vw_store_get_rating (VwStore *store, const char *session_id,
                                    GError **error);

/* ---- sampling ---- */

/* (transfer full) VwStoreSampleCandidate* of the ended or interrupted
 * sessions of @scope started in [@from_ms, @to_ms) that have an agent,
 * by session id. */
GPtrArray *vw_store_list_sample_candidates (VwStore *store, const VwStoreScope *scope,
                                            gint64 from_ms, gint64 to_ms,
                                            GError **error);

/* The draw: for every agent of @candidates, @per_agent of its sessions at
 * random without replacement (all if it has fewer), from a GRand seeded
 * with @seed.  Candidates are sorted by session id, agents by name, before
 * drawing, so the same seed over the same candidates gives the same draw
 * whatever their order.  (transfer full) the session ids (char*), by agent
 * then session id. */
GPtrArray *vw_store_sample_draw (GPtrArray *candidates, guint per_agent, guint32 seed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreSessionPeer, vw_store_session_peer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreRating, vw_store_rating_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreReview, vw_store_review_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreSessionSummary, vw_store_session_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreSampleCandidate, vw_store_sample_candidate_free)

G_END_DECLS
