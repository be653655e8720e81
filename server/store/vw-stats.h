/* vw-stats.h: the statistics of the service desk (GET /api/stats), as
 * pure functions over one record per session: no SQL, no clock.
 *
 * Definitions (also in server/API.md):
 *  - connections: sessions started in the period (any state);
 *  - served: distinct enterprises and citizens, a clerk being who they said
 *    they were in `hello`: (name, province, centre); the same clerk served
 *    twice counts once (per group, and once in the total);
 *  - wait: from the clerk's request to the pairing (the session's start),
 *    over sessions whose request time is known (recorded since schema 3);
 *    mean, and p90 by the nearest-rank method (vw_stats_percentile);
 *  - handling time: the duration of sessions that ended normally (state
 *    "ended"; an interrupted session's end is when the server restarted);
 *  - ratings: how many of each level 1..5; good-rating rate = levels 3..5
 *    (基本满意 and better) over the rated sessions, none without ratings;
 *  - follow-ups open (and of them overdue) now, of the period's sessions.
 *
 * Groups: the serving centre (the agent's centre), the agent (account,
 * else name; shown by name), the province whose rules apply, the service
 * item (its code; shown by the catalogue's name). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One session, as the statistics need it.  Owned strings. */
typedef struct {
  char *session_id;
  char *province;          /* whose rules apply */
  char *item;              /* (nullable) */
  char *item_name;         /* (nullable) the catalogue's name of @item */
  char *agent_key;         /* (nullable) account username, else name */
  char *agent_name;        /* (nullable) */
  char *agent_center;      /* (nullable) */
  char *clerk_name;        /* (nullable) */
  char *clerk_province;    /* (nullable) */
  char *clerk_center;      /* (nullable) */
  gint64 requested_at;     /* 0: unknown */
  gint64 started_at;
  gint64 ended_at;         /* 0 while open */
  gboolean ended;          /* state "ended" (not open, not interrupted) */
  int rating;              /* 1..5, 0: not rated */
  gboolean follow_up_open;
  gboolean follow_up_overdue;
} VwStatsRecord;

typedef enum {
  VW_STATS_BY_CENTER,
  VW_STATS_BY_AGENT,
  VW_STATS_BY_PROVINCE,
  VW_STATS_BY_ITEM,
} VwStatsGroupBy;

typedef struct {
  char *key;               /* what groups: centre, account, province, item ("" if none) */
  char *name;              /* shown: the agent's name (BY_AGENT), the item's
                            * catalogue name (BY_ITEM), else or without one
                            * the key */
  guint connections;
  guint served;
  guint waits;             /* sessions with a known wait */
  gint64 wait_mean_ms;     /* -1: none */
  gint64 wait_p90_ms;      /* -1: none */
  guint handled;           /* sessions that ended normally */
  gint64 handling_mean_ms; /* -1: none */
  guint ratings[6];        /* [level], 1..5; [0] unused */
  guint rated;
  double good_rate;        /* 0..1; -1: nothing rated */
  guint follow_ups_open;
  guint follow_ups_overdue;
} VwStatsGroup;

/* One CST day of the period. */
typedef struct {
  gint64 day;              /* vw_calendar_day_of() */
  guint connections;
  guint rated, good;
} VwStatsDay;

void vw_stats_record_free (VwStatsRecord *record);
void vw_stats_group_free (VwStatsGroup *group);

/* The nearest-rank @percent-th percentile (1..100) of @values: the
 * smallest value such that at least @percent % of them are less or equal,
 * i.e. sorted[ceil (percent * n / 100) - 1].  Sorts @values.  -1 when @n
 * is 0. */
gint64 vw_stats_percentile (gint64 *values, guint n, guint percent);

/* The mean of @values rounded to the nearest integer (halves away from
 * zero); -1 when @n is 0. */
gint64 vw_stats_mean (const gint64 *values, guint n);

/* The wait of @r in ms (clamped at 0), or -1 if unknown. */
gint64 vw_stats_wait_ms (const VwStatsRecord *r);

/* The key of @r in grouping @by ("" when it has none). (transfer none) */
const char *vw_stats_key (const VwStatsRecord *r, VwStatsGroupBy by);

/* All of @records (VwStatsRecord*) as one group, with @key and @name.
 * (transfer full) */
VwStatsGroup *vw_stats_summarize (GPtrArray *records, const char *key,
                                  const char *name);

/* (transfer full) VwStatsGroup* of @records grouped @by, most connections
 * first, then by key (byte order). */
GPtrArray *vw_stats_group (GPtrArray *records, VwStatsGroupBy by);

/* (transfer full) the VwStatsDay of every CST day from the day of
 * @from_ms to the day before that of @to_ms (an exclusive end at a day's
 * start), zeros included, by started_at of @records. */
GArray *vw_stats_days (GPtrArray *records, gint64 from_ms, gint64 to_ms);

/* "center", "agent", "province", "item" <-> VwStatsGroupBy. */
gboolean    vw_stats_group_by_from_string (const char *name, VwStatsGroupBy *by);
const char *vw_stats_group_by_to_string (VwStatsGroupBy by);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStatsRecord, vw_stats_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwStatsGroup, vw_stats_group_free)

G_END_DECLS
