/* protocol-helpers.c: see protocol-helpers.h. */
#include "protocol-helpers.h"

#include <string.h>

/* The JSON text of @node, or NULL. */
static char *
node_to_text (JsonNode *node)
{
  return node ? json_to_string (node, FALSE) : NULL;
}

/* Parses @text and asserts it fails with @code, hands back @ref (JSON text
 * or NULL) and mentions @needle (or NULL) in the message. */
void
assert_parse_fails (const char *text, gssize length, VwDirection from,
                    VwProtocolError code, const char *ref, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) out_ref = NULL;
  g_autoptr(VwMessage) msg = NULL;
  g_autofree char *ref_text = NULL;

  if (length < 0)
    length = strlen (text);

  msg = vw_message_parse (text, length, from, &out_ref, &error);
  if (msg != NULL)
    g_test_message ("unexpectedly parsed: %.200s", text);
  g_assert_null (msg);
  g_assert_error (error, VW_PROTOCOL_ERROR, (int) code);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  if (needle != NULL)
    {
      if (strstr (error->message, needle) == NULL)
        g_test_message ("error message \"%s\" lacks \"%s\"", error->message, needle);
      g_assert_nonnull (strstr (error->message, needle));
    }
  ref_text = node_to_text (out_ref);
  g_assert_cmpstr (ref_text, ==, ref);
}

/* Parses @text, asserts success with @type and returns the message. */
VwMessage *
parse_ok (const char *text, VwDirection from, VwMessageType type)
{
  g_autoptr(GError) error = NULL;
  VwMessage *msg;

  msg = vw_message_parse (text, strlen (text), from, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  g_assert_cmpint (vw_message_get_msg_type (msg), ==, type);
  return msg;
}

/* Serializes @msg and parses the text back as sent by @from. */
VwMessage *
round_trip (VwMessage *msg, VwDirection from)
{
  g_autofree char *text = vw_message_to_string (msg);
  g_autoptr(GError) error = NULL;
  VwMessage *back;

  g_assert_nonnull (text);
  g_assert_null (strchr (text, '\n'));   /* compact */
  back = vw_message_parse (text, strlen (text), from, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpint (vw_message_get_msg_type (back), ==, vw_message_get_msg_type (msg));
  return back;
}
