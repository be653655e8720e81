/* fuzz-protocol.c: a WebSocket text frame as the server and the client
 * parse it, vw_message_parse() (size and UTF-8 checks, the strict JSON
 * check, json-glib, the "id", the type and every field against the tables
 * of signaling/vw-protocol-table.c), in both directions.
 *
 * Promises checked besides memory safety: a message is either parsed or
 * refused with a VW_PROTOCOL_ERROR, never both or neither; the "ref" of a
 * refusal is a string or an integer; a parsed message, built back into text
 * (as the server does when it relays one), parses again, to the same type.
 */
#include "vw-fuzz.h"
#include "vw-protocol.h"

#include <string.h>

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  vw_fuzz_init_glib ();
  return 0;
}

static void
parse_one (const char *data, gsize size, VwDirection from)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) ref = NULL;
  g_autoptr (VwMessage) msg = vw_message_parse (data, size, from, &ref, &error);

  if (msg == NULL) {
    if (error == NULL || error->domain != VW_PROTOCOL_ERROR)
      vw_fuzz_fail ("refused without a VW_PROTOCOL_ERROR");
    if (ref != NULL && !(JSON_NODE_HOLDS_VALUE (ref)
            && (json_node_get_value_type (ref) == G_TYPE_STRING
                || json_node_get_value_type (ref) == G_TYPE_INT64)))
      vw_fuzz_fail ("ref is neither a string nor an integer");
    return;
  }
  if (error != NULL)
    vw_fuzz_fail ("parsed, and yet an error: %s", error->message);

  g_autofree char *text = vw_message_to_string (msg);
  gsize length = strlen (text);
  /* Escaping may make the text longer than the limit; not at max_len. */
  if (length > VW_MAX_MESSAGE_SIZE)
    return;
  g_autoptr (GError) again_error = NULL;
  g_autoptr (VwMessage) again = vw_message_parse (text, length, from, NULL, &again_error);
  if (again == NULL)
    vw_fuzz_fail ("a parsed message built back into text does not parse: %s\n%s",
        again_error->message, text);
  if (vw_message_get_msg_type (again) != vw_message_get_msg_type (msg))
    vw_fuzz_fail ("built back into text, the message changed its type:\n%s", text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  parse_one ((const char *) data, size, VW_FROM_CLIENT);
  parse_one ((const char *) data, size, VW_FROM_SERVER);
  return 0;
}
