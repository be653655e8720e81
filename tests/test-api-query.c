/* test-api-query.c: the query string of the HTTP API is read strictly.
 *
 * A filter that libsoup's own decoding would lose (?center=%00 cut to
 * nothing, a bad escape dropped, a repeated name overwritten) must never
 * turn into "no filter": vw_api_query_parse() refuses it, and a real
 * vw-server answers 400 `bad-query` for every filter of every endpoint
 * that reads one.  The unit table first, then the server.
 *
 * The accounts: supervisor wangfang (王芳, province scope) and agent
 * zhangmin (张敏), both of Shanghai, 黄浦区政务服务中心. */
#include "vw-api-query.h"
#include "vw-test-util.h"

#include <string.h>

#define CENTER "黄浦区政务服务中心"

/* ---- vw_api_query_parse () ---- */

typedef struct {
  const char *raw;
  int error;              /* VwApiQueryError, or -1: parses */
  const char *name;       /* when it parses: one name ... */
  const char *value;      /* ... and its value (NULL: absent) */
  guint size;             /* ... and the number of names */
} ParseRow;

static const ParseRow parse_rows[] = {
  { NULL, -1, "center", NULL, 0 },
  { "", -1, "center", NULL, 0 },
  { "center=abc", -1, "center", "abc", 1 },
  { "center=%E9%BB%84%E6%B5%A6", -1, "center", "黄浦", 1 },
  { "center=a+b%20c", -1, "center", "a b c", 1 },
  { "center=", -1, "center", "", 1 },
  { "center", -1, "center", "", 1 },
  { "&center=a&&limit=5&", -1, "limit", "5", 2 },
  { "center=a%3Db%26c", -1, "center", "a=b&c", 1 },
  { "q=%7E%2f", -1, "q", "~/", 1 },
  { "center=%00", VW_API_QUERY_ERROR_NUL },
  { "center=abc%00", VW_API_QUERY_ERROR_NUL },
  { "center=%00abc", VW_API_QUERY_ERROR_NUL },
  { "cen%00ter=abc", VW_API_QUERY_ERROR_NUL },
  { "center=a%0Ab", VW_API_QUERY_ERROR_CONTROL },
  { "center=a%0db", VW_API_QUERY_ERROR_CONTROL },
  { "center=%09", VW_API_QUERY_ERROR_CONTROL },
  { "center=%1B%5B31m", VW_API_QUERY_ERROR_CONTROL },
  { "center=%7F", VW_API_QUERY_ERROR_CONTROL },
  { "center=%C2%85", VW_API_QUERY_ERROR_CONTROL },   /* U+0085, NEL */
  { "center=\x01", VW_API_QUERY_ERROR_CONTROL },
  { "center=%FF", VW_API_QUERY_ERROR_UTF8 },
  { "center=%C0%AF", VW_API_QUERY_ERROR_UTF8 },      /* overlong "/" */
  { "center=%E9%BB", VW_API_QUERY_ERROR_UTF8 },      /* cut short */
  { "center=\xE9\xBB", VW_API_QUERY_ERROR_UTF8 },
  { "center=%zz", VW_API_QUERY_ERROR_ESCAPE },
  { "center=%4", VW_API_QUERY_ERROR_ESCAPE },
  { "center=%", VW_API_QUERY_ERROR_ESCAPE },
  { "center=a%g0", VW_API_QUERY_ERROR_ESCAPE },
  { "%=a", VW_API_QUERY_ERROR_ESCAPE },
  { "center=a&center=b", VW_API_QUERY_ERROR_REPEATED },
  { "center=a&center=a", VW_API_QUERY_ERROR_REPEATED },
  { "center=a&cent%65r=b", VW_API_QUERY_ERROR_REPEATED },
};

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_rows); i++) {
    const ParseRow *row = &parse_rows[i];
    g_autoptr (GError) error = NULL;
    g_autoptr (GHashTable) table = vw_api_query_parse (row->raw, &error);

    g_autofree char *shown = row->raw ? g_strescape (row->raw, NULL) : NULL;

    g_test_message ("row %u: %s", i, shown ? shown : "(null)");
    if (row->error < 0) {
      g_assert_no_error (error);
      g_assert_nonnull (table);
      g_assert_cmpuint (g_hash_table_size (table), ==, row->size);
      g_assert_cmpstr (g_hash_table_lookup (table, row->name), ==, row->value);
    } else {
      g_assert_null (table);
      g_assert_error (error, VW_API_QUERY_ERROR, row->error);
      /* The message names the parameter, printable. */
      g_assert_true (g_str_has_prefix (error->message, "query parameter '"));
      for (const char *p = error->message; *p; p++)
        g_assert_cmpint ((guchar) *p, >=, 0x20);
    }
  }
}

/* ---- a real vw-server ---- */

typedef struct {
  VwTestServer *server;
  char *supervisor, *agent;   /* tokens */
} World;

static World world;

static void
world_start (void)
{
  world.server = vw_test_server_start (NULL);
  g_free (vw_test_server_add_account (world.server, "wangfang", "supervisor", "王芳",
      "shanghai", CENTER, "province"));
  g_free (vw_test_server_add_account (world.server, "zhangmin", "agent", "张敏",
      "shanghai", CENTER, NULL));
  world.supervisor = vw_test_server_token (world.server, "wangfang");
  world.agent = vw_test_server_token (world.server, "zhangmin");
}

static void
world_stop (void)
{
  vw_test_server_stop (world.server);
  g_free (world.supervisor);
  g_free (world.agent);
}

/* GET @path?@query with @token (nullable); the status, the body's "error"
 * in @code (transfer full, NULL if none). */
static guint
get (const char *path, const char *query, const char *token, char **code)
{
  g_autofree char *u = g_strconcat (world.server->url, path + 1, "?", query, NULL);
  g_autofree char *bearer = token ? g_strconcat ("Bearer ", token, NULL) : NULL;
  const char *headers[] = { "Authorization", bearer, NULL };
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", u, token ? headers : NULL, NULL, -1,
      &status, NULL);
  g_autoptr (JsonObject) o = vw_test_json_object (g_steal_pointer (&body));

  *code = json_object_has_member (o, "error")
      ? g_strdup (json_object_get_string_member (o, "error")) : NULL;
  return status;
}

typedef enum { ANYONE, AGENT, SUPERVISOR } Who;

typedef struct {
  const char *path;
  const char *name;       /* the filter */
  const char *good;       /* a value that is answered 200 */
  Who who;
} Filter;

/* Every filter of every endpoint that reads the query. */
static const Filter filters[] = {
  { "/api/sessions", "center", CENTER, SUPERVISOR },
  { "/api/sessions", "agent", "zhangmin", SUPERVISOR },
  { "/api/sessions", "province", "shanghai", SUPERVISOR },
  { "/api/sessions", "item", "QY-SL-001", SUPERVISOR },
  { "/api/sessions", "from", "2026-01-01", SUPERVISOR },
  { "/api/sessions", "to", "2026-12-31", SUPERVISOR },
  { "/api/sessions", "min_duration", "0", SUPERVISOR },
  { "/api/sessions", "max_duration", "600", SUPERVISOR },
  { "/api/sessions", "rating", "1", SUPERVISOR },
  { "/api/sessions", "limit", "5", SUPERVISOR },
  { "/api/sessions", "offset", "0", SUPERVISOR },
  { "/api/sessions", "center", CENTER, AGENT },
  { "/api/slots", "center", CENTER, ANYONE },
  { "/api/slots", "province", "shanghai", ANYONE },
  { "/api/slots", "item", "QY-SL-001", ANYONE },
  { "/api/appointments", "center", CENTER, AGENT },
  { "/api/appointments", "date", "2026-12-01", AGENT },
  { "/api/follow-ups", "state", "open", SUPERVISOR },
  { "/api/stats", "group", "center", SUPERVISOR },
  { "/api/audit", "session", "", SUPERVISOR },
};

/* Bad values: each would have been lost or cut by libsoup's decoding. */
static const char *const bad_values[] = { "%00", "%00abc", "abc%00", "a%0Ab", "%1B",
  "%7F", "%C2%85", "%FF", "%E9%BB" };

static const char *
token_of (Who who)
{
  return who == SUPERVISOR ? world.supervisor : who == AGENT ? world.agent : NULL;
}

static void
test_server_filters (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++) {
    const Filter *f = &filters[i];
    const char *token = token_of (f->who);
    g_autofree char *code = NULL;
    g_autofree char *escaped = g_uri_escape_string (f->good, NULL, FALSE);
    g_autofree char *good = g_strdup_printf ("%s=%s", f->name, escaped);

    g_test_message ("%s?%s", f->path, good);
    g_assert_cmpuint (get (f->path, good, token, &code), ==, 200);
    g_assert_null (code);

    for (guint j = 0; j < G_N_ELEMENTS (bad_values); j++) {
      g_autofree char *query = g_strdup_printf ("%s=%s", f->name, bad_values[j]);
      g_autofree char *bad_code = NULL;

      g_test_message ("%s?%s", f->path, query);
      g_assert_cmpuint (get (f->path, query, token, &bad_code), ==, 400);
      g_assert_cmpstr (bad_code, ==, "bad-query");
    }
    /* Given twice: which one would count? */
    g_autofree char *twice = g_strdup_printf ("%s&%s", good, good);
    g_autofree char *twice_code = NULL;
    g_assert_cmpuint (get (f->path, twice, token, &twice_code), ==, 400);
    g_assert_cmpstr (twice_code, ==, "bad-query");
  }
}

/* A refused query is refused before the handler: no token needed to learn
 * that it is malformed, and nothing else is said. */
static void
test_server_message (void)
{
  g_autofree char *u = g_strconcat (world.server->url, "api/sessions?center=%00", NULL);
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", u, NULL, NULL, -1, &status, NULL);
  g_autoptr (JsonObject) o = vw_test_json_object (g_steal_pointer (&body));

  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "bad-query");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==,
      "query parameter 'center': a NUL byte (%00) is not allowed");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/api-query/parse", test_parse);
  g_test_add_func ("/api-query/server/filters", test_server_filters);
  g_test_add_func ("/api-query/server/message", test_server_message);
  if (g_test_subprocess ())
    return g_test_run ();
  world_start ();
  int status = g_test_run ();
  world_stop ();
  return status;
}
