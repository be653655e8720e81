/* fuzz-api-body.c: the body of a POST to the API (POST /api/login, the
 * first thing anyone on the network can send) as every endpoint reads it,
 * vw_api_read_json_object() of server/api/vw-api.c.
 *
 * Promises checked besides memory safety (and leaks: json-glib 1.6 keeps
 * what it built of a second value after the first): a body is either read
 * into a JSON object with no response set, or refused with 400
 * "bad-request" or 413 "too-large" and a JSON body. */
#include "vw-fuzz.h"
#include "vw-api-private.h"

#include <string.h>

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  vw_fuzz_init_glib ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (SoupServerMessage) msg = g_object_new (SOUP_TYPE_SERVER_MESSAGE, NULL);
  soup_message_body_append (soup_server_message_get_request_body (msg),
      SOUP_MEMORY_COPY, data, size);
  g_autoptr (JsonObject) object = vw_api_read_json_object (msg);
  guint status = soup_server_message_get_status (msg);

  if (object != NULL) {
    if (status != 0)
      vw_fuzz_fail ("read, and yet a response: %u", status);
    return 0;
  }
  if (status != SOUP_STATUS_BAD_REQUEST && status != SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    vw_fuzz_fail ("refused with status %u", status);

  g_autoptr (GBytes) bytes = soup_message_body_flatten (
      soup_server_message_get_response_body (msg));
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  JsonNode *root;
  if (!json_parser_load_from_data (parser, text, length, NULL)
      || !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member (json_node_get_object (root), "error"))
    vw_fuzz_fail ("refused without a JSON error body: %.*s", (int) length, text);
  return 0;
}
