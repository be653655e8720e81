/* stats-world.h: what the parts of test-stats share: the scripted day of
 * calls (World w, made by /stats/day-of-calls), the API and time helpers,
 * and the tests in stats-follow-ups.c and stats-metrics.c.  See
 * test-stats.c for the day itself. */
#pragma once

#include <locale.h>
#include <string.h>
#include "vw-test-util.h"

#define HUANGPU "黄浦区政务服务中心"
#define QINGPU "青浦区行政服务中心"
#define JIASHAN "嘉善县行政服务中心"
#define HEFEI "合肥市政务服务中心"
#define WUJIANG "吴江区政务服务中心"
#define HANGZHOU "杭州市民中心"

#define CALL_SECONDS "2"
/* Waits and durations from the clients' event times against the server's
 * own: both clocks are this machine's; what differs is when each side
 * stamped the message (a loaded machine adds some). */
#define TOLERANCE_MS 1000

enum { A, B, C, D, N_CALLS };

typedef struct {
  const char *clerk, *province, *center, *item, *item_name, *rate;
  const char *agent;           /* account */
  char *session, *case_no;
  gint64 requested_t, paired_t, ended_t, rated_t;
} Call;

typedef struct {
  VwTestServer *server;
  Call calls[N_CALLS];
  char *zhangmin_pw, *lina_pw;
  char *wangfang, *wanghong, *zhouting, *admin, *agent;   /* tokens */
  GHashTable *live_metrics;    /* taken during call A */
  char *day_from;              /* the CST date of the first request */
  gboolean done;
} World;

extern World w;

gint64 event_t (JsonObject *event);
char * cst_date (gint64 ms);
char * fifteen_working_days_after (gint64 ms);
GBytes * call_api (const char *method, const char *path, const char *token, const char *body, guint *status, SoupMessageHeaders **headers_out);
JsonObject * api_json (const char *method, const char *path, const char *token, const char *body, guint expected);
void assert_api_error (JsonObject *o, const char *code);
void assert_near (const char *what, gint64 got, gint64 want);
gboolean have_day (void);
/* GET /api/stats?group=@group with @token, from the day to today; one
 * group of it (by key) or fails the test. */
JsonObject * get_stats (const char *token, const char *group);
JsonObject * group_of (JsonObject *stats, const char *key);
GHashTable * get_metrics (void);
gint64 metric (GHashTable *values, const char *key);
void test_follow_ups_listed (void);
void test_follow_ups_refused (void);
void test_follow_up_closed (void);
void test_metrics_live (void);
void test_metrics_after (void);
