/* vw-store-follow-ups.h: the follow-up (整改) of bad ratings (schema
 * version 3; see vw-store.h for the conventions).
 *
 * A rating of 2 (不满意) or 1 (非常不满意) opens a follow-up in the same
 * transaction that stores the rating (vw_store_set_rating), so that no bad
 * rating is ever left without one.  It is due at the end of the 15th
 * working day after the rating's day, in China Standard Time, counted in
 * the store's calendar (vw_store_set_calendar: public holidays and 调休
 * working days; Monday to Friday until one is set), once and for all
 * when it is opened: a calendar changed later moves no due date.  A
 * supervisor closes it once, saying how it was settled; who and when are
 * recorded, together with an audit entry ("close-follow-up") and a
 * timeline event in the same transaction.  Follow-ups are never deleted
 * and, once closed, never changed (the database refuses both).
 *
 * Reads and the close take a VwStoreScope: a follow-up of a session
 * outside it is reported as unknown (VW_STORE_ERROR_NOT_FOUND). */
#pragma once

#include "vw-store-supervision.h"
#include "vw-stats.h"
#include "vw-calendar.h"

G_BEGIN_DECLS

typedef enum {
  VW_STORE_FOLLOW_UPS_ALL,
  VW_STORE_FOLLOW_UPS_OPEN,
  VW_STORE_FOLLOW_UPS_CLOSED,
} VwStoreFollowUpFilter;

typedef struct {
  gint64 id;
  char *session_id;
  char *case_no;
  char *province;          /* whose rules apply */
  char *item;              /* (nullable) */
  char *item_name;         /* (nullable) the catalogue's name of @item; NULL if
                            * that code is not in the catalogue */
  char *agent_name;        /* (nullable) the session's (first) agent */
  char *agent_account;     /* (nullable) */
  char *agent_center;      /* (nullable) */
  char *clerk_name;        /* (nullable) the session's clerk */
  char *clerk_province;    /* (nullable) */
  char *clerk_center;      /* (nullable) */
  int level;               /* the rating: 1 or 2 */
  char *comment;           /* (nullable) the rating's comment */
  gint64 rated_at;
  gint64 opened_at;
  gint64 due_at;           /* exclusive: overdue when now >= due_at */
  gint64 closed_at;        /* 0 while open */
  char *closed_by;         /* (nullable) account username */
  char *closed_by_name;    /* (nullable) that account's name */
  char *resolution;        /* (nullable) how it was settled */
} VwStoreFollowUp;

void vw_store_follow_up_free (VwStoreFollowUp *follow_up);

/* The working days follow-ups opened from now on are due by: @calendar
 * (nullable: Monday to Friday, the default; a reference is taken).  Set
 * once at start-up, before the store is used by anyone else. */
void vw_store_set_calendar (VwStore *store, VwCalendar *calendar);

/* (transfer full) VwStoreFollowUp* of the sessions of @scope: the open
 * ones first, soonest due first; then the closed ones, last closed
 * first. */
GPtrArray *vw_store_list_follow_ups (VwStore *store, const VwStoreScope *scope,
                                     VwStoreFollowUpFilter filter, GError **error);

/* (transfer full) follow-up @id, NOT_FOUND if unknown or outside @scope. */
VwStoreFollowUp *vw_store_get_follow_up (VwStore *store, const VwStoreScope *scope,
                                         gint64 id, GError **error);

/* Closes follow-up @id at @at by the account @by with @resolution
 * (non-empty: INVALID otherwise), and appends the audit entry
 * "close-follow-up" (detail: follow_up, case_no, overdue) and the timeline
 * event "follow-up-closed" in the same transaction.  NOT_FOUND if unknown
 * or outside @scope (or @by is no account), CONFLICT if closed already.
 * The closed follow-up goes to @closed_out (nullable; free it). */
gboolean vw_store_close_follow_up (VwStore *store, const VwStoreScope *scope,
                                   gint64 id, const char *by, const char *resolution,
                                   gint64 at, VwStoreFollowUp **closed_out,
                                   GError **error);

/* How many follow-ups are open (for /metrics). */
gboolean vw_store_count_open_follow_ups (VwStore *store, gint64 *n_out,
                                         GError **error);

/* ---- statistics ---- */

/* (transfer full) a VwStatsRecord* for each session of @scope started in
 * [@from_ms, @to_ms), oldest first; follow-ups are overdue as of @now_ms. */
GPtrArray *vw_store_list_stats_records (VwStore *store, const VwStoreScope *scope,
                                        gint64 from_ms, gint64 to_ms, gint64 now_ms,
                                        GError **error);

/* Every session and every rating ever stored, by level ([1..5]; [0] is
 * unused), for the counters of /metrics. */
gboolean vw_store_count_totals (VwStore *store, gint64 *sessions_out,
                                gint64 ratings_out[6], GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStoreFollowUp, vw_store_follow_up_free)

G_END_DECLS
