/* vw-signal-attack.c: half-open connections and a flooding client (see
 * vw-signal-attack.h). */
#define _GNU_SOURCE   /* POLLRDHUP */
#include "vw-signal-attack.h"

#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct _VwSignalAttack {
  VwSignalKind kind;
  guint16 port;
  char *path;
  guint n_half_open;
  GPtrArray *half_open;        /* GSocket*; filled by the thread until ready */
  GThread *thread;
  gint ready, stop, cut;
  guint64 flood_bytes;         /* __atomic */
};

/* A blocking TCP connection from source address @n to the server. */
static GSocket *
connect_from (VwSignalAttack *a, guint n)
{
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4,
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetSocketAddress) local = vw_signal_source_address (n);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) remote = g_inet_socket_address_new (lo, a->port);
  if (!sock)
    return NULL;
  g_socket_set_timeout (sock, 5);
  if (!g_socket_bind (sock, G_SOCKET_ADDRESS (local), FALSE, NULL)
      || !g_socket_connect (sock, remote, NULL, NULL))
    return NULL;
  return g_steal_pointer (&sock);
}

static gboolean
send_all (GSocket *sock, const char *data, gsize len)
{
  while (len > 0) {
    gssize n = g_socket_send (sock, data, len, NULL, NULL);
    if (n <= 0)
      return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

/* The flooding client: a WebSocket handshake, read up to the end of the
 * server's answer, then never again. */
static GSocket *
flood_connect (VwSignalAttack *a)
{
  g_autoptr (GSocket) sock = connect_from (a, 0);
  if (!sock)
    return NULL;
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
      "Host: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "%s\r\n", a->path, a->port,
      a->kind == VW_SIGNAL_JANUS ? "Sec-WebSocket-Protocol: janus-protocol\r\n" : "");
  if (!send_all (sock, request, strlen (request)))
    return NULL;
  GString *answer = g_string_new (NULL);
  char c;
  while (!strstr (answer->str, "\r\n\r\n") && answer->len < 4096
      && g_socket_receive (sock, &c, 1, NULL, NULL) == 1)
    g_string_append_c (answer, c);
  gboolean upgraded = g_str_has_prefix (answer->str, "HTTP/1.1 101");
  if (!upgraded)
    g_printerr ("flood: no upgrade: %.80s\n", answer->str);
  g_string_free (answer, TRUE);
  return upgraded ? g_steal_pointer (&sock) : NULL;
}

/* Many masked text frames, each a message the server must answer with an
 * error (no session yet) that the flooder never reads. */
static GByteArray *
flood_frames (VwSignalKind kind)
{
  const char *text = kind == VW_SIGNAL_JANUS
      ? "{\"janus\":\"keepalive\",\"session_id\":1,\"transaction\":\"f\"}"
      : "{\"type\":\"status\",\"id\":1,\"available\":true}";
  gsize len = strlen (text);
  const guint8 mask[4] = { 0x5a, 0x13, 0xc7, 0x2e };
  GByteArray *frames = g_byte_array_new ();
  for (guint f = 0; f < 1024; f++) {
    guint8 head[2] = { 0x81, 0x80 | (guint8) len };
    g_byte_array_append (frames, head, 2);
    g_byte_array_append (frames, mask, 4);
    for (gsize i = 0; i < len; i++) {
      guint8 b = (guint8) text[i] ^ mask[i % 4];
      g_byte_array_append (frames, &b, 1);
    }
  }
  return frames;
}

static gpointer
attack_thread (gpointer data)
{
  VwSignalAttack *a = data;
  g_autoptr (GSocket) flood = flood_connect (a);
  const char *partial = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n";
  for (guint i = 0; i < a->n_half_open && !g_atomic_int_get (&a->stop); i++) {
    GSocket *sock = connect_from (a, 1 + i);
    if (sock && send_all (sock, partial, strlen (partial)))
      g_ptr_array_add (a->half_open, sock);
    else if (sock)
      g_object_unref (sock);
  }
  g_atomic_int_set (&a->ready, 1);
  g_main_context_wakeup (NULL);   /* vw_signal_attack_start () waits on it */
  /* The flooder would be on another machine: here it yields the cores to
   * the server and to the measured clients first (nice 10, this thread). */
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
  if (!flood) {
    g_atomic_int_set (&a->cut, 1);
    return NULL;
  }
  g_socket_set_timeout (flood, 1);
  g_autoptr (GByteArray) frames = flood_frames (a->kind);
  gsize off = 0;
  while (!g_atomic_int_get (&a->stop)) {
    g_autoptr (GError) error = NULL;
    gssize n = g_socket_send (flood, (char *) frames->data + off, frames->len - off,
        NULL, &error);
    if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
      continue;
    if (n <= 0) {
      g_atomic_int_set (&a->cut, 1);
      break;
    }
    __atomic_add_fetch (&a->flood_bytes, (guint64) n, __ATOMIC_RELAXED);
    off = (off + n) % frames->len;
  }
  return NULL;
}

static gboolean
is_ready (gpointer data)
{
  return g_atomic_int_get (&((VwSignalAttack *) data)->ready);
}

VwSignalAttack *
vw_signal_attack_start (VwSignalServer *s, guint n_half_open)
{
  VwSignalAttack *a = g_new0 (VwSignalAttack, 1);
  a->kind = s->kind;
  a->n_half_open = n_half_open;
  a->half_open = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GUri) uri = g_uri_parse (s->ws_url, G_URI_FLAGS_NONE, NULL);
  a->port = g_uri_get_port (uri);
  a->path = g_strdup (g_uri_get_path (uri));
  a->thread = g_thread_new ("attack", attack_thread, a);
  vw_test_wait_until (is_ready, a, 180000);
  return a;
}

void
vw_signal_attack_stop_flood (VwSignalAttack *a)
{
  g_atomic_int_set (&a->stop, 1);
}

guint
vw_signal_attack_half_open (VwSignalAttack *a)
{
  return g_atomic_int_get (&a->ready) ? a->half_open->len : 0;
}

guint
vw_signal_attack_half_open_closed (VwSignalAttack *a)
{
  if (!g_atomic_int_get (&a->ready))
    return 0;
  guint closed = 0;
  for (guint i = 0; i < a->half_open->len; i++) {
    struct pollfd p = { g_socket_get_fd (g_ptr_array_index (a->half_open, i)),
      POLLIN | POLLRDHUP, 0 };
    /* Readable: the server answered (an error) or closed; either way it
     * stopped waiting for the rest of the request. */
    closed += poll (&p, 1, 0) == 1;
  }
  return closed;
}

guint64
vw_signal_attack_flood_bytes (VwSignalAttack *a)
{
  return __atomic_load_n (&a->flood_bytes, __ATOMIC_RELAXED);
}

gboolean
vw_signal_attack_flood_cut (VwSignalAttack *a)
{
  return g_atomic_int_get (&a->cut);
}

void
vw_signal_attack_free (VwSignalAttack *a)
{
  vw_signal_attack_stop_flood (a);
  g_thread_join (a->thread);
  g_ptr_array_unref (a->half_open);
  g_free (a->path);
  g_free (a);
}
