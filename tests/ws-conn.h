/* ws-conn.h: a WebSocket client for tests that speak the signaling
 * protocol to a real vw-server (libsoup): text frames queued as they come,
 * read back one JSON object at a time with a timeout; raw frames for what
 * libsoup will not send; assertions on replies (type, error code, ref).
 * Agent-state messages are counted, not queued. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CONN_REPLY_TIMEOUT_MS 5000

/* Fails the test with a formatted message (TAP "Bail out!" like g_assert). */
#define fail_printf(...)                                                  \
  G_STMT_START {                                                          \
    g_autofree char *msg_ = g_strdup_printf (__VA_ARGS__);               \
    g_assertion_message (NULL, __FILE__, __LINE__, G_STRFUNC, msg_);      \
  } G_STMT_END

typedef struct {
  const char *label;             /* for failure messages */
  SoupWebsocketConnection *ws;
  GQueue texts;                  /* char*, text frames not yet read */
  guint n_binary;                /* binary frames received (never expected) */
  guint n_agent_states;          /* agent-state messages, left out of texts */
  gboolean closed;
  gushort close_code;            /* the server's, once closed */
} Conn;

/* Opens a WebSocket to @url on @session; fails the test if it cannot. */
Conn       *conn_open (SoupSession *session, const char *url, const char *label);
/* Closes (normally, if still open) and frees. */
void        conn_free (Conn *c);
void        conn_lose (Conn *c);
void        conn_send (Conn *c, const char *text);
/* Text that need not be a C string (it may hold NUL bytes). */
void        conn_send_bytes (Conn *c, SoupWebsocketDataType type, const char *data,
                             gsize length);
/* One masked, unfragmented frame written straight to the socket, for
 * payloads libsoup refuses to send (invalid UTF-8 in a text frame). */
void        conn_send_raw_frame (Conn *c, guint8 opcode, const char *data, gsize length);
/* The next text message, parsed; fails the test if none comes in time or
 * it is not a JSON object with a string "type".  (transfer full) */
JsonObject *conn_next_timeout (Conn *c, guint timeout_ms);
JsonObject *conn_next (Conn *c);
/* Sends @text and returns the next message, its reply when nothing else is
 * pending.  (transfer full) */
JsonObject *conn_exchange (Conn *c, const char *text);
/* For vw_test_wait_until (): a message is waiting (or the connection is
 * closed); the connection is closed. */
gboolean    conn_has_text (gpointer conn);
gboolean    conn_is_closed (gpointer conn);
void        assert_no_message (Conn *c);
void        assert_open (Conn *c);
const char *member_string (JsonObject *o, const char *name);
/* @expected: the "ref" as JSON text ("\"r-1\"", "42"), or NULL for none. */
void        assert_ref (JsonObject *reply, const char *expected);
void        assert_type (JsonObject *o, const char *type);
/* An "error" with @code, a message, and the "ref" @ref (as for assert_ref). */
void        assert_error (JsonObject *reply, const char *code, const char *ref);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Conn, conn_free)

G_END_DECLS
