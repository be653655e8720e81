/* fuzz-api-query.c: the query string of GET /api/sessions, from the text
 * after "?" to the listing's filter, the way the server reads it:
 * vw_api_query_parse() (server/api/vw-api-query.c, which every API
 * handler's query goes through, instead of libsoup's soup_form_decode())
 * and the listing's reading of the parameters (names, dates, integer
 * ranges).  libsoup's decoding is fuzzed beside it, as it still parses
 * form bodies.
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
#include "vw-api-query.h"

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
  g_autoptr (GHashTable) decoded = soup_form_decode (text);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) query = vw_api_query_parse (text, &error);
  if (!query) {
    /* Refused before any handler: with a reason naming the parameter. */
    if (!error || error->domain != VW_API_QUERY_ERROR || !error->message[0])
      vw_fuzz_fail ("refused without a VW_API_QUERY_ERROR");
    return 0;
  }
  /* What it keeps is strict: UTF-8 without NUL or control characters. */
  GHashTableIter iter;
  gpointer name, value;
  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &name, &value))
    for (const char *p = value; *p; p = g_utf8_next_char (p)) {
      gunichar c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2 || c < 0x20 || (c >= 0x7f && c <= 0x9f))
        vw_fuzz_fail ("kept a value with U+%04X in %s", c, (const char *) name);
    }
  g_autoptr (SoupServerMessage) msg = g_object_new (SOUP_TYPE_SERVER_MESSAGE, NULL);
  VwStoreSessionFilter filter = VW_STORE_SESSION_FILTER_INIT;

  if (vw_fuzz_query_filter (msg, query, &filter))
    check_filter (msg, query, &filter);
  else
    check_refusal (msg);
  return 0;
}
