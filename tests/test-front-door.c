/* test-front-door: a real vw-server treated as anonymous guests on the
 * internet would treat it (issue "The front door", rows 1, 2, 3 and 13):
 * descriptors exhausted, too many connections from one address, requests
 * that never finish, a WebSocket message in endless fragments, a flood of
 * messages, a reader that never reads; and the headers every response
 * carries.  Raw sockets, so that the client does exactly what an attacker
 * would and nothing more. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vw-test-util.h"

#define UPGRADE_REQUEST "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" \
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
  "Sec-WebSocket-Version: 13\r\n%s\r\n"

/* ------------------------------------------------------------------ */
/* Servers and raw sockets */

/* A server with these [limits] (nullable: the defaults). */
static VwTestServer *
start_server (const char *limits, const char *const *more_args)
{
  g_autofree char *dir = g_dir_make_tmp ("vw-front-XXXXXX", NULL);
  g_autofree char *config = g_build_filename (dir, "vw.conf", NULL);
  GPtrArray *args = g_ptr_array_new ();
  if (limits) {
    g_autofree char *text = g_strdup_printf ("[limits]\n%s\n", limits);
    g_assert_true (g_file_set_contents (config, text, -1, NULL));
    g_ptr_array_add (args, "--config");
    g_ptr_array_add (args, config);
  }
  g_ptr_array_add (args, "--no-record");
  for (guint i = 0; more_args && more_args[i]; i++)
    g_ptr_array_add (args, (gpointer) more_args[i]);
  g_ptr_array_add (args, NULL);
  VwTestServer *server = vw_test_server_start ((const char *const *) args->pdata);
  g_ptr_array_unref (args);
  return server;
}

static int
server_port (VwTestServer *server)
{
  const char *colon = strrchr (server->url, ':');
  return atoi (colon + 1);
}

static pid_t
server_pid (VwTestServer *server)
{
  return atoi (g_subprocess_get_identifier (server->proc));
}

/* A TCP connection to the server from @from (a loopback address). */
static int
tcp_connect (VwTestServer *server, const char *from)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  struct sockaddr_in a = { .sin_family = AF_INET };
  inet_pton (AF_INET, from, &a.sin_addr);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &a, sizeof a), ==, 0);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (server_port (server)) };
  inet_pton (AF_INET, "127.0.0.1", &to.sin_addr);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &to, sizeof to), ==, 0);
  return fd;
}

static void
send_all (int fd, const void *data, gsize len)
{
  const char *p = data;
  while (len) {
    ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    g_assert_cmpint (n, >, 0);
    p += n;
    len -= n;
  }
}

/* Whether @fd is closed by the server within @timeout_ms: reads (and drops)
 * whatever comes until end of file or a reset. */
static gboolean
closed_within (int fd, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char buf[4096];
  for (;;) {
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    if (left <= 0)
      return FALSE;
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll (&p, 1, left) <= 0)
      continue;
    ssize_t n = recv (fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
      return TRUE;
  }
}

/* What the server sent on @fd within @timeout_ms, up to end of file. */
static char *
read_some (int fd, guint timeout_ms)
{
  GString *out = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char buf[4096];
  for (;;) {
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    struct pollfd p = { fd, POLLIN, 0 };
    if (left <= 0 || poll (&p, 1, left) <= 0)
      break;
    ssize_t n = recv (fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    g_string_append_len (out, buf, n);
    if (strstr (out->str, "\r\n\r\n"))
      break;
  }
  return g_string_free (out, FALSE);
}

/* A GET on a raw connection from @from: the status line and headers. */
static char *
raw_get (VwTestServer *server, const char *from, const char *path)
{
  int fd = tcp_connect (server, from);
  g_autofree char *req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n", path);
  send_all (fd, req, strlen (req));
  char *answer = read_some (fd, 5000);
  close (fd);
  return answer;
}

static gint64
metric (VwTestServer *server, const char *line_start)
{
  g_autofree char *url = g_strconcat (server->url, "metrics", NULL);
  guint status = 0;
  g_autoptr (GBytes) body = vw_test_http ("GET", url, NULL, NULL, 0, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_autofree char *needle = g_strconcat ("\n", line_start, " ", NULL);
  const char *at = strstr (text, needle);
  if (!at)
    g_error ("no %s in /metrics:\n%s", line_start, text);
  return g_ascii_strtoll (at + strlen (needle), NULL, 10);
}

/* ------------------------------------------------------------------ */
/* WebSockets, raw */

/* An upgraded connection; @extra: more request headers ("Name: v\r\n"). */
static int
ws_connect (VwTestServer *server, const char *extra, int rcvbuf, char **response_out)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  if (rcvbuf)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (server_port (server)) };
  inet_pton (AF_INET, "127.0.0.1", &to.sin_addr);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &to, sizeof to), ==, 0);
  g_autofree char *req = g_strdup_printf (UPGRADE_REQUEST, extra ? extra : "");
  send_all (fd, req, strlen (req));
  /* Read the 101 exactly up to its blank line, one byte at a time, so no
   * frame that follows is taken with it. */
  GString *head = g_string_new (NULL);
  while (!g_str_has_suffix (head->str, "\r\n\r\n")) {
    char c;
    struct pollfd p = { fd, POLLIN, 0 };
    g_assert_cmpint (poll (&p, 1, 5000), ==, 1);
    g_assert_cmpint (recv (fd, &c, 1, 0), ==, 1);
    g_string_append_c (head, c);
  }
  g_assert_true (g_str_has_prefix (head->str, "HTTP/1.1 101"));
  if (response_out)
    *response_out = g_string_free (head, FALSE);
  else
    g_string_free (head, TRUE);
  return fd;
}

/* One masked frame header, then @payload (nullable: sent by the caller). */
static void
ws_frame (int fd, gboolean fin, guint8 opcode, gsize len, const char *payload)
{
  guint8 h[14];
  guint n = 0;
  h[n++] = (fin ? 0x80 : 0) | opcode;
  if (len < 126)
    h[n++] = 0x80 | len;
  else if (len <= 0xffff) {
    h[n++] = 0x80 | 126;
    h[n++] = len >> 8;
    h[n++] = len & 0xff;
  } else {
    h[n++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--)
      h[n++] = ((guint64) len >> (8 * i)) & 0xff;
  }
  memset (h + n, 0, 4);    /* a zero mask: the payload goes as it is */
  n += 4;
  if (send (fd, h, n, MSG_NOSIGNAL) == (ssize_t) n && payload)
    send_all (fd, payload, len);
}

/* Reads server frames until a close frame: its code, or -1 if the socket
 * ends (or @timeout_ms passes) without one.  Other frames are counted in
 * @n_frames (nullable). */
static int
ws_read_close (int fd, guint timeout_ms, guint *n_frames)
{
  GByteArray *buf = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int code = -1;
  for (;;) {
    /* whole frames at the front of buf */
    while (buf->len >= 2) {
      guint64 len = buf->data[1] & 0x7f;
      guint hl = 2;
      if (len == 126 && buf->len >= 4) {
        len = (buf->data[2] << 8) | buf->data[3];
        hl = 4;
      } else if (len == 126)
        break;
      else if (len == 127 && buf->len >= 10) {
        len = 0;
        for (int i = 2; i < 10; i++)
          len = (len << 8) | buf->data[i];
        hl = 10;
      } else if (len == 127)
        break;
      if (buf->len < hl + len)
        break;
      if ((buf->data[0] & 0x0f) == 0x8) {
        code = len >= 2 ? (buf->data[hl] << 8) | buf->data[hl + 1] : 1005;
        g_byte_array_unref (buf);
        return code;
      }
      if (n_frames)
        (*n_frames)++;
      g_byte_array_remove_range (buf, 0, hl + len);
    }
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    struct pollfd p = { fd, POLLIN, 0 };
    if (left <= 0 || poll (&p, 1, left) <= 0)
      break;
    guint8 chunk[8192];
    ssize_t n = recv (fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      break;
    g_byte_array_append (buf, chunk, n);
  }
  g_byte_array_unref (buf);
  return code;
}

/* ------------------------------------------------------------------ */
/* Row 1: descriptors and connections */

/* Out of file descriptors, then not: the server accepts again, and said
 * it paused (log, /metrics).  Before, libsoup's listener gave up on the
 * first EMFILE and the server served nothing ever after. */
static void
test_descriptors_exhausted (void)
{
  g_autoptr (GPtrArray) fds = g_ptr_array_new ();
  VwTestServer *server = start_server (NULL, NULL);
  /* Its limit lowered after it started: it admits more connections than it
   * has descriptors for, as when media and recordings take them. */
  struct rlimit rl = { 64, 64 };
  g_assert_cmpint (prlimit (server_pid (server), RLIMIT_NOFILE, &rl, NULL), ==, 0);

  for (guint i = 0; i < 120; i++)
    g_ptr_array_add (fds, GINT_TO_POINTER (tcp_connect (server, "127.0.0.1")));
  vw_test_server_wait_log (server, "accepting paused", 10000);
  for (guint i = 0; i < fds->len; i++)
    close (GPOINTER_TO_INT (fds->pdata[i]));

  /* Served again: HTTP and a WebSocket. */
  vw_test_server_wait_log (server, "accepting connections again", 10000);
  g_autofree char *status = raw_get (server, "127.0.0.1", "/api/status");
  g_assert_true (g_str_has_prefix (status, "HTTP/1.1 200"));
  int ws = ws_connect (server, NULL, 0, NULL);
  close (ws);
  g_assert_cmpint (metric (server, "vw_accept_pauses_total"), >=, 1);
  g_assert_cmpint (metric (server, "vw_accept_paused"), ==, 0);
  vw_test_server_stop (server);
}

/* One address may hold only so many connections; the next is told 503 at
 * once; another address is served meanwhile; a closed one frees a place. */
static void
test_per_address_limit (void)
{
  VwTestServer *server = start_server ("max-connections-per-address=4", NULL);
  int held[4];
  for (guint i = 0; i < 4; i++)
    held[i] = tcp_connect (server, "127.0.0.3");
  /* The fourth is surely admitted once a request on a fifth is answered. */
  int fifth = tcp_connect (server, "127.0.0.3");
  g_autofree char *refused = read_some (fifth, 5000);
  g_assert_true (g_str_has_prefix (refused, "HTTP/1.1 503"));
  g_assert_true (closed_within (fifth, 5000));
  close (fifth);

  g_autofree char *other = raw_get (server, "127.0.0.4", "/api/status");
  g_assert_true (g_str_has_prefix (other, "HTTP/1.1 200"));

  close (held[0]);
  gboolean served = FALSE;
  for (guint attempt = 0; attempt < 50 && !served; attempt++) {
    g_autofree char *again = raw_get (server, "127.0.0.3", "/api/status");
    served = g_str_has_prefix (again, "HTTP/1.1 200");
    if (!served)
      g_usleep (100000);
  }
  g_assert_true (served);
  g_assert_cmpint (metric (server, "vw_connections_refused_total{limit=\"address-limit\"}"),
      >=, 1);
  for (guint i = 1; i < 4; i++)
    close (held[i]);
  vw_test_server_stop (server);
}

/* Keep-alive connections that their clients close while idle are let go
 * (libsoup 3.2 alone kept each, and its descriptor, for good): 100 in a
 * row from an address allowed 4 at once are all served. */
static gboolean
only_metrics_open (gpointer data)
{
  return metric (data, "vw_connections_open") == 1;   /* the request asking */
}

static void
test_closed_keepalive (void)
{
  VwTestServer *server = start_server ("max-connections-per-address=4", NULL);
  for (guint i = 0; i < 100; i++) {
    /* The server hears of a close a moment after it: a refusal (503)
     * while it has not is tried again, a little later. */
    gboolean served = FALSE;
    for (guint attempt = 0; attempt < 100 && !served; attempt++) {
      int fd = tcp_connect (server, "127.0.0.7");
      send_all (fd, "GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n", 38);
      g_autofree char *answer = read_some (fd, 5000);
      served = g_str_has_prefix (answer, "HTTP/1.1 200");
      close (fd);
      if (!served)
        g_usleep (50000);
    }
    if (!served)
      g_error ("request %u was never served", i);
  }
  g_assert_true (vw_test_wait_until (only_metrics_open, server, 10000));
  g_assert_cmpint (metric (server, "vw_connections_closed_total{reason=\"idle-timeout\"}"),
      ==, 0);
  vw_test_server_stop (server);
}

/* Half-open requests (slowloris) and idle keep-alive connections are
 * closed by the server; a full request meanwhile is answered. */
static void
test_half_open_requests (void)
{
  VwTestServer *server = start_server ("request-timeout=1\nidle-timeout=1", NULL);
  int half[20];
  for (guint i = 0; i < G_N_ELEMENTS (half); i++) {
    half[i] = tcp_connect (server, "127.0.0.5");
    send_all (half[i], "GET /api/status HTTP/1.1\r\nHost: x\r\n", 36);
  }
  int idle = tcp_connect (server, "127.0.0.6");
  send_all (idle, "GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n", 38);
  g_autofree char *answer = read_some (idle, 5000);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 200"));

  for (guint i = 0; i < G_N_ELEMENTS (half); i++) {
    g_assert_true (closed_within (half[i], 10000));
    close (half[i]);
  }
  g_assert_true (closed_within (idle, 10000));
  close (idle);
  g_assert_cmpint (metric (server, "vw_connections_closed_total{reason=\"request-timeout\"}"),
      ==, G_N_ELEMENTS (half));
  g_assert_cmpint (metric (server, "vw_connections_closed_total{reason=\"idle-timeout\"}"),
      >=, 1);
  vw_test_server_stop (server);
}

/* ------------------------------------------------------------------ */
/* Rows 2 and 3: WebSocket messages */

/* A text message in 64 KiB continuation frames: closed with 1009 once
 * the message passes 1 MiB, long before the 8 MiB are sent.  Before, the
 * cap was per frame and the server buffered all of it. */
static void
test_fragmented_message (void)
{
  VwTestServer *server = start_server (NULL, NULL);
  int fd = ws_connect (server, NULL, 0, NULL);
  g_autofree char *chunk = g_malloc0 (65536);
  memset (chunk, 'x', 65536);
  int code = -1;
  for (guint i = 0; i < 128 && code < 0; i++) {
    ws_frame (fd, FALSE, i == 0 ? 0x1 : 0x0, 65536, NULL);
    /* the server may shut the socket once it has said why */
    if (send (fd, chunk, 65536, MSG_NOSIGNAL) < 0)
      break;
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll (&p, 1, 0) == 1)
      code = ws_read_close (fd, 5000, NULL);
  }
  if (code < 0)
    code = ws_read_close (fd, 5000, NULL);
  g_assert_cmpint (code, ==, 1009);
  close (fd);
  g_assert_cmpint (metric (server, "vw_connections_closed_total{reason=\"message-too-big\"}"),
      ==, 1);
  vw_test_server_stop (server);
}

/* A flood of messages: closed with 1008 past the burst.  Before, 51k
 * messages a second were taken and every reply queued. */
static void
test_message_flood (void)
{
  VwTestServer *server = start_server (NULL, NULL);
  int fd = ws_connect (server, NULL, 0, NULL);
  for (guint i = 0; i < 2000; i++)
    if (send (fd, "\x81\x82\0\0\0\0{}", 8, MSG_NOSIGNAL) < 0)
      break;
  guint replies = 0;
  int code = ws_read_close (fd, 10000, &replies);
  g_assert_cmpint (code, ==, 1008);
  /* The burst (200) was answered, not the 2,000. */
  g_assert_cmpuint (replies, <=, 210);
  close (fd);
  g_assert_cmpint (metric (server, "vw_connections_closed_total{reason=\"too-many-messages\"}"),
      ==, 1);
  vw_test_server_stop (server);
}

/* A client that asks and never reads: let go once what we write has waited
 * slow-reader seconds.  Before, the replies piled up in the server. */
static void
test_slow_reader (void)
{
  VwTestServer *server = start_server ("slow-reader=1\nwebsocket-rate=100000\n"
      "websocket-burst=100000", NULL);
  int fd = ws_connect (server, NULL, 2048, NULL);
  /* Each "{}" costs an error reply of ~85 bytes: 100,000 of them are far
   * more than the two sockets' buffers hold (the kernel lets the server's
   * grow to a few MiB on loopback).  Sends stop when the server stops
   * reading, or has let us go. */
  struct timeval two_s = { 2, 0 };
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &two_s, sizeof two_s);
  guint sent = 0;
  for (; sent < 100000; sent++)
    if (send (fd, "\x81\x82\0\0\0\0{}", 8, MSG_NOSIGNAL) < 0)
      break;
  /* Wait (without reading) until the server has let us go. */
  gboolean gone = FALSE;
  for (guint i = 0; i < 300 && !gone; i++) {
    vw_test_run_for (100);
    gone = metric (server, "vw_connections_closed_total{reason=\"slow-reader\"}") == 1;
  }
  if (!gone)
    g_error ("not let go after %u messages; closed: slow-reader %" G_GINT64_FORMAT
        ", open %" G_GINT64_FORMAT, sent,
        metric (server, "vw_connections_closed_total{reason=\"slow-reader\"}"),
        metric (server, "vw_connections_open"));
  guint replies = 0;
  ws_read_close (fd, 5000, &replies);
  g_assert_cmpuint (replies, <, sent);
  close (fd);
  vw_test_server_stop (server);
}

/* A WebSocket that never says anything is closed (1008). */
static void
test_silent_websocket (void)
{
  VwTestServer *server = start_server ("websocket-first-message=1", NULL);
  int fd = ws_connect (server, NULL, 0, NULL);
  g_assert_cmpint (ws_read_close (fd, 10000, NULL), ==, 1008);
  close (fd);
  vw_test_server_stop (server);
}

/* ------------------------------------------------------------------ */
/* Row 13 and permessage-deflate */

static void
assert_header (const char *response, const char *header)
{
  g_autofree char *lower = g_ascii_strdown (response, -1);
  g_autofree char *want = g_ascii_strdown (header, -1);
  if (!strstr (lower, want))
    g_error ("no \"%s\" in:\n%s", header, response);
}

/* nosniff on every response (API, page, error); a listen backlog that a
 * burst of connects fits in; no permessage-deflate. */
static void
test_headers (void)
{
  VwTestServer *server = start_server (NULL, NULL);
  const char *paths[] = { "/api/status", "/", "/no-such-page", "/api/sessions" };
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autofree char *r = raw_get (server, "127.0.0.1", paths[i]);
    assert_header (r, "\r\nX-Content-Type-Options: nosniff\r\n");
    g_assert_null (strstr (r, "Strict-Transport-Security"));   /* not over http */
  }

  g_autofree char *response = NULL;
  int fd = ws_connect (server,
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n", 0, &response);
  close (fd);
  g_assert_null (strstr (response, "permessage-deflate"));

  /* The backlog (ss: Send-Q of a listening socket). */
  g_autofree char *filter = g_strdup_printf ("sport = :%d", server_port (server));
  g_autofree char *out = NULL;
  g_autofree char *cmd = g_strdup_printf ("ss -ltnH '%s'", filter);
  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
  g_auto (GStrv) cols = g_strsplit_set (g_strstrip (out), " \t", -1);
  guint n = 0, backlog = 0;
  for (guint i = 0; cols[i]; i++)
    if (*cols[i] && ++n == 3)
      backlog = atoi (cols[i]);
  g_assert_cmpuint (backlog, >=, 1024);
  vw_test_server_stop (server);
}

static gboolean
accept_any (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer d)
{
  return TRUE;
}

/* Over TLS, HSTS too. */
static void
test_hsts (void)
{
  const char *data = g_getenv ("VW_TEST_DATA");
  g_autofree char *cert = g_build_filename (data, "test-tls-cert.pem", NULL);
  g_autofree char *key = g_build_filename (data, "test-tls-key.pem", NULL);
  const char *args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  VwTestServer *server = start_server (NULL, args);
  g_assert_true (g_str_has_prefix (server->url, "https://"));
  g_autofree char *url = g_strconcat (server->url, "api/status", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  g_autoptr (GBytes) body = vw_test_http_message (msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  SoupMessageHeaders *h = soup_message_get_response_headers (msg);
  g_assert_cmpstr (soup_message_headers_get_one (h, "Strict-Transport-Security"), ==,
      "max-age=31536000");
  g_assert_cmpstr (soup_message_headers_get_one (h, "X-Content-Type-Options"), ==, "nosniff");
  vw_test_server_stop (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  g_test_add_func ("/front-door/descriptors-exhausted", test_descriptors_exhausted);
  g_test_add_func ("/front-door/per-address-limit", test_per_address_limit);
  g_test_add_func ("/front-door/closed-keepalive", test_closed_keepalive);
  g_test_add_func ("/front-door/half-open-requests", test_half_open_requests);
  g_test_add_func ("/front-door/fragmented-message", test_fragmented_message);
  g_test_add_func ("/front-door/message-flood", test_message_flood);
  g_test_add_func ("/front-door/slow-reader", test_slow_reader);
  g_test_add_func ("/front-door/silent-websocket", test_silent_websocket);
  g_test_add_func ("/front-door/headers", test_headers);
  g_test_add_func ("/front-door/hsts", test_hsts);
  return g_test_run ();
}
