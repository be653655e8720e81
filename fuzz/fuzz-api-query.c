/* fuzz-api-query.c: the query string of GET /api/sessions, from the text
 * after "?" to the listing's filter: libsoup's soup_form_decode() (what
 * SoupServer does with the request's query before the handler) and the
 * server's reading of the parameters (names, dates, integer ranges).
 *
 * The reading is parse_filter(), static in server/api/vw-api-sessions.c,
 * which this file includes to reach it; vw_fuzz_query_filter() below is
 * the one place to point at another function when the reading moves.
 *
 * Promises checked besides memory safety: a query is either read into a
 * filter with no response set, or refused with 400 "bad-request" and a
 * JSON body; a filter read has its numbers in their documented ranges
 * (server/API.md) and "to" after "from". */
#include "vw-fuzz.h"

#include "vw-api-sessions.c"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  vw_fuzz_init_glib ();
  return 0;
}

/* The server's reading of a decoded query: TRUE with @filter filled, or
 * FALSE after responding on @msg. */
static gboolean
vw_fuzz_query_filter (SoupServerMessage *msg, GHashTable *query,
    VwStoreSessionFilter *filter)
{
  return parse_filter (msg, query, filter);
}

static void
check_refusal (SoupServerMessage *msg)
{
  guint status = soup_server_message_get_status (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize size;
  const char *text = g_bytes_get_data (bytes, &size);
  JsonNode *root;

  if (status != SOUP_STATUS_BAD_REQUEST)
    vw_fuzz_fail ("refused with status %u, not 400", status);
  if (!json_parser_load_from_data (parser, text, size, NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root)
      || g_strcmp0 (json_object_get_string_member_with_default (
              json_node_get_object (root), "error", NULL), "bad-request") != 0)
    vw_fuzz_fail ("refused without a JSON bad-request body: %.*s", (int) size, text);
}

static void
check_filter (SoupServerMessage *msg, GHashTable *query, const VwStoreSessionFilter *f)
{
  const char *const strings[] = { f->center, f->agent, f->province, f->item };

  if (soup_server_message_get_status (msg) != 0)
    vw_fuzz_fail ("read, and yet a response: %u", soup_server_message_get_status (msg));
  if (f->limit < 1 || f->limit > VW_STORE_LIST_MAX_LIMIT)
    vw_fuzz_fail ("limit %u", f->limit);
  if (f->offset > G_MAXINT32)
    vw_fuzz_fail ("offset %u", f->offset);
  if (f->rating < 0 || f->rating > 5)
    vw_fuzz_fail ("rating %d", f->rating);
  if (f->min_duration_s < -1 || f->min_duration_s > G_MAXINT32
      || f->max_duration_s < -1 || f->max_duration_s > G_MAXINT32)
    vw_fuzz_fail ("durations %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
        f->min_duration_s, f->max_duration_s);
  if (f->from_ms && f->to_ms && f->to_ms <= f->from_ms)
    vw_fuzz_fail ("to (%" G_GINT64_FORMAT ") is not after from (%" G_GINT64_FORMAT ")",
        f->to_ms, f->from_ms);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i] != NULL && *strings[i] == '\0')
      vw_fuzz_fail ("an empty string filter");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* A query string never holds a NUL byte (GUri refuses one). */
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GHashTable) query = soup_form_decode (text);
  g_autoptr (SoupServerMessage) msg = g_object_new (SOUP_TYPE_SERVER_MESSAGE, NULL);
  VwStoreSessionFilter filter = VW_STORE_SESSION_FILTER_INIT;

  if (vw_fuzz_query_filter (msg, query, &filter))
    check_filter (msg, query, &filter);
  else
    check_refusal (msg);
  return 0;
}
