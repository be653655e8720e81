/* ws-conn.c: a WebSocket test client for the signaling protocol (see
 * ws-conn.h). */
#include "ws-conn.h"
#include "vw-test-util.h"

#include <string.h>

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *payload, Conn *c)
{
  gsize size;
  const char *data = g_bytes_get_data (payload, &size);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    c->n_binary++;
    return;
  }
  if (g_getenv ("VW_TEST_VERBOSE"))
    g_printerr ("%s <- %.*s\n", c->label, (int) MIN (size, 300), data);
  /* An agent's state changes (agent-state) come with every registration
   * and pairing; what this test judges are the replies and errors. */
  if (g_strstr_len (data, MIN (size, 40), "\"type\":\"agent-state\"")) {
    c->n_agent_states++;
    return;
  }
  g_queue_push_tail (&c->texts, g_strndup (data, size));
}

static void
on_closed (SoupWebsocketConnection *ws, Conn *c)
{
  c->closed = TRUE;
  c->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
on_async_done (GObject *src, GAsyncResult *res, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

Conn *
conn_open (SoupSession *session, const char *url, const char *label)
{
  Conn *c = g_new0 (Conn, 1);
  c->label = label;
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GAsyncResult) res = NULL;
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, on_async_done, &res);
  g_assert_true (vw_test_wait_until (pointer_set, &res, CONN_REPLY_TIMEOUT_MS));

  g_autoptr (GError) error = NULL;
  c->ws = soup_session_websocket_connect_finish (session, res, &error);
  g_assert_no_error (error);
  g_signal_connect (c->ws, "message", G_CALLBACK (on_message), c);
  g_signal_connect (c->ws, "closed", G_CALLBACK (on_closed), c);
  return c;
}

gboolean
conn_is_closed (gpointer data)
{
  return ((Conn *) data)->closed;
}

void
conn_free (Conn *c)
{
  if (!c->closed && soup_websocket_connection_get_state (c->ws)
      == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  vw_test_wait_until (conn_is_closed, c, 2000);
  g_signal_handlers_disconnect_by_data (c->ws, c);
  g_object_unref (c->ws);
  g_queue_clear_full (&c->texts, g_free);
  g_free (c);
}

/* Like conn_free, but the connection ends as a network or a proxy would
 * end it (1001, going away), not as a client leaving (1000). */
void
conn_lose (Conn *c)
{
  if (!c->closed && soup_websocket_connection_get_state (c->ws)
      == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  conn_free (c);
}

void
conn_send (Conn *c, const char *text)
{
  if (g_getenv ("VW_TEST_VERBOSE"))
    g_printerr ("%s -> %.300s\n", c->label, text);
  soup_websocket_connection_send_text (c->ws, text);
}

/* Text that need not be a C string (it may hold NUL bytes). */
void
conn_send_bytes (Conn *c, SoupWebsocketDataType type, const char *data,
    gsize length)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, length);
  soup_websocket_connection_send_message (c->ws, type, bytes);
}

/* Writes one masked, unfragmented frame straight to the socket, for payloads
 * that libsoup refuses to send (invalid UTF-8 in a text frame). */
void
conn_send_raw_frame (Conn *c, guint8 opcode, const char *data, gsize length)
{
  g_assert_cmpuint (length, <, 126);   /* the one-byte length form */
  const guint8 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
  g_autoptr (GByteArray) frame = g_byte_array_new ();
  guint8 head[2] = { 0x80 | opcode, 0x80 | (guint8) length };
  g_byte_array_append (frame, head, 2);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < length; i++) {
    guint8 b = (guint8) data[i] ^ mask[i % 4];
    g_byte_array_append (frame, &b, 1);
  }
  GOutputStream *out = g_io_stream_get_output_stream (
      soup_websocket_connection_get_io_stream (c->ws));
  g_autoptr (GError) error = NULL;
  g_output_stream_write_all (out, frame->data, frame->len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (out, NULL, &error);
  g_assert_no_error (error);
}

gboolean
conn_has_text (gpointer data)
{
  Conn *c = data;
  return !g_queue_is_empty (&c->texts) || c->closed;
}

/* The next text message, parsed; fails the test if none comes in time or it
 * is not a JSON object with a string "type". (transfer full) */
JsonObject *
conn_next_timeout (Conn *c, guint timeout_ms)
{
  vw_test_wait_until (conn_has_text, c, timeout_ms);
  g_autofree char *text = g_queue_pop_head (&c->texts);
  if (!text) {
    fail_printf ("%s: no message within %u ms (connection %s, close code %u)",
        c->label, timeout_ms, c->closed ? "closed" : "open", c->close_code);
    return NULL;
  }

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  JsonNode *root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  JsonObject *o = json_node_get_object (root);
  g_assert_nonnull (json_object_get_string_member_with_default (o, "type", NULL));
  return json_object_ref (o);
}

JsonObject *
conn_next (Conn *c)
{
  return conn_next_timeout (c, CONN_REPLY_TIMEOUT_MS);
}

/* Sends @text and returns the next message, its reply when nothing else is
 * pending. (transfer full) */
JsonObject *
conn_exchange (Conn *c, const char *text)
{
  conn_send (c, text);
  return conn_next (c);
}

void
assert_no_message (Conn *c)
{
  const char *text = g_queue_peek_head (&c->texts);
  if (text)
    fail_printf ("%s: unexpected message %s", c->label, text);
}

void
assert_open (Conn *c)
{
  g_assert_false (c->closed);
  g_assert_cmpint (soup_websocket_connection_get_state (c->ws), ==,
      SOUP_WEBSOCKET_STATE_OPEN);
}

const char *
member_string (JsonObject *o, const char *name)
{
  return json_object_get_string_member_with_default (o, name, NULL);
}

/* @expected: the "ref" as JSON text ("\"r-1\"", "42"), or NULL for none. */
void
assert_ref (JsonObject *reply, const char *expected)
{
  JsonNode *ref = json_object_get_member (reply, "ref");
  g_autofree char *got = ref ? json_to_string (ref, FALSE) : NULL;
  if (!expected) {
    g_assert_cmpstr (got, ==, NULL);
    return;
  }
  g_autoptr (JsonNode) want = json_from_string (expected, NULL);
  g_assert_nonnull (want);
  if (!ref || !json_node_equal (ref, want))
    g_assert_cmpstr (got, ==, expected);
}

void
assert_type (JsonObject *o, const char *type)
{
  if (g_strcmp0 (member_string (o, "type"), type) != 0) {
    g_autoptr (JsonNode) n = json_node_init_object (json_node_alloc (), o);
    g_autofree char *text = json_to_string (n, FALSE);
    fail_printf ("expected a '%s' message, got %s", type, text);
  }
}

void
assert_error (JsonObject *reply, const char *code, const char *ref)
{
  assert_type (reply, "error");
  g_assert_cmpstr (member_string (reply, "code"), ==, code);
  const char *message = member_string (reply, "message");
  g_assert_nonnull (message);
  g_assert_cmpstr (message, !=, "");
  assert_ref (reply, ref);
}
