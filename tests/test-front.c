/* test-front: the front door's pure parts, without sockets: who is let in
 * (VwAdmission) and what a client's bytes may be (VwWsScan). */
#include <string.h>

#include "vw-admission.h"
#include "vw-ws-scan.h"

#define UPGRADE_HEAD "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n" \
  "UPGRADE:  WebSocket\r\nSec-WebSocket-Version: 13\r\n\r\n"
#define PLAIN_HEAD "GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n\r\n"

/* ------------------------------------------------------------------ */

static void
test_admission_limits (void)
{
  g_autoptr (VwAdmission) a = vw_admission_new (5, 2);

  g_assert_cmpint (vw_admission_enter (a, "10.0.0.1"), ==, VW_ADMISSION_OK);
  g_assert_cmpint (vw_admission_enter (a, "10.0.0.1"), ==, VW_ADMISSION_OK);
  g_assert_cmpint (vw_admission_enter (a, "10.0.0.1"), ==, VW_ADMISSION_ADDRESS_FULL);
  g_assert_cmpint (vw_admission_enter (a, "10.0.0.2"), ==, VW_ADMISSION_OK);
  g_assert_cmpint (vw_admission_enter (a, "10.0.0.2"), ==, VW_ADMISSION_OK);
  g_assert_cmpint (vw_admission_enter (a, "10.0.0.3"), ==, VW_ADMISSION_OK);
  g_assert_cmpint (vw_admission_count (a), ==, 5);
  /* Full in all: even a new address waits. */
  g_assert_cmpint (vw_admission_enter (a, "10.0.0.4"), ==, VW_ADMISSION_SERVER_FULL);
  vw_admission_leave (a, "10.0.0.1");
  g_assert_cmpint (vw_admission_count_address (a, "10.0.0.1"), ==, 1);
  g_assert_cmpint (vw_admission_enter (a, "10.0.0.4"), ==, VW_ADMISSION_OK);
}

/* Thousands of addresses coming and going leave nothing behind. */
static void
test_admission_forgets (void)
{
  g_autoptr (VwAdmission) a = vw_admission_new (100000, 3);
  for (guint i = 0; i < 5000; i++) {
    g_autofree char *address = g_strdup_printf ("10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
    g_assert_cmpint (vw_admission_enter (a, address), ==, VW_ADMISSION_OK);
    g_assert_cmpint (vw_admission_enter (a, address), ==, VW_ADMISSION_OK);
    vw_admission_leave (a, address);
    vw_admission_leave (a, address);
  }
  g_assert_cmpint (vw_admission_count (a), ==, 0);
  g_assert_cmpint (vw_admission_n_addresses (a), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Frames as a client sends them: masked. */

static void
frame (GByteArray *out, gboolean fin, guint8 opcode, guint64 len)
{
  guint8 h[14];
  guint n = 0;
  h[n++] = (fin ? 0x80 : 0) | opcode;
  if (len < 126)
    h[n++] = 0x80 | (guint8) len;
  else if (len <= 0xffff) {
    h[n++] = 0x80 | 126;
    h[n++] = len >> 8;
    h[n++] = len & 0xff;
  } else {
    h[n++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--)
      h[n++] = (len >> (8 * i)) & 0xff;
  }
  memcpy (h + n, "\x01\x02\x03\x04", 4);
  n += 4;
  g_byte_array_append (out, h, n);
  /* A huge frame is only announced: the scanner must not need the rest. */
  for (guint64 i = 0; i < len && len <= 100000; i++)
    g_byte_array_append (out, (const guint8 *) "x", 1);
}

static GByteArray *
head (const char *text)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) text, strlen (text));
  return b;
}

typedef struct {
  const char *name;
  gboolean upgrade;
  /* frames: fin, opcode, length; a zero opcode with fin 2 ends the list */
  struct { int fin; guint8 opcode; guint64 len; } frames[8];
  VwWsScanVerdict verdict;
  int bad_frame;                 /* index of the frame at fault, -1: none */
  guint messages;                /* complete messages when all went well */
} ScanCase;

#define END { 2, 0, 0 }
static const VwWsScanLimits limits = { .max_message = 1000, .rate = 1, .burst = 4 };

static const ScanCase scan_cases[] = {
  { "one small message", TRUE, { { 1, 1, 10 }, END }, VW_WS_SCAN_OK, -1, 1 },
  { "at the limit", TRUE, { { 1, 1, 1000 }, END }, VW_WS_SCAN_OK, -1, 1 },
  { "one frame over the limit", TRUE, { { 1, 2, 1001 }, END }, VW_WS_SCAN_TOO_BIG, 0, 0 },
  { "64-bit length", TRUE, { { 1, 1, 10 }, { 1, 1, G_GUINT64_CONSTANT (1) << 62 }, END },
    VW_WS_SCAN_TOO_BIG, 1, 0 },
  { "fragments within the limit", TRUE,
    { { 0, 1, 400 }, { 0, 0, 400 }, { 1, 0, 200 }, END }, VW_WS_SCAN_OK, -1, 1 },
  { "fragments over the limit", TRUE,
    { { 0, 1, 400 }, { 0, 0, 400 }, { 0, 0, 201 }, { 1, 0, 1 }, END }, VW_WS_SCAN_TOO_BIG, 2, 0 },
  { "a ping amid fragments", TRUE,
    { { 0, 1, 600 }, { 1, 9, 4 }, { 1, 0, 300 }, END }, VW_WS_SCAN_OK, -1, 2 },
  { "a ping does not reset the count", TRUE,
    { { 0, 1, 600 }, { 1, 9, 4 }, { 1, 0, 401 }, END }, VW_WS_SCAN_TOO_BIG, 2, 0 },
  { "next message counted afresh", TRUE,
    { { 1, 1, 900 }, { 1, 1, 900 }, END }, VW_WS_SCAN_OK, -1, 2 },
  { "burst", TRUE, { { 1, 1, 1 }, { 1, 1, 1 }, { 1, 9, 0 }, { 1, 1, 1 }, END },
    VW_WS_SCAN_OK, -1, 4 },
  { "over the burst", TRUE,
    { { 1, 1, 1 }, { 1, 1, 1 }, { 1, 1, 1 }, { 1, 10, 0 }, { 1, 1, 1 }, END },
    VW_WS_SCAN_TOO_FAST, 4, 0 },
  { "continuations are free", TRUE,
    { { 0, 1, 1 }, { 0, 0, 1 }, { 0, 0, 1 }, { 0, 0, 1 }, { 0, 0, 1 }, { 1, 0, 1 }, END },
    VW_WS_SCAN_OK, -1, 1 },
  /* No upgrade asked for: the bytes are never read as frames. */
  { "plain HTTP", FALSE, { { 1, 1, 5000 }, END }, VW_WS_SCAN_OK, -1, 0 },
};

/* Feeds @data in pieces of @step bytes (0: all at once). */
static VwWsScanVerdict
feed (VwWsScan *scan, GByteArray *data, gsize step, gsize *ok_total)
{
  gsize at = 0;
  *ok_total = 0;
  while (at < data->len) {
    gsize n = step ? MIN (step, data->len - at) : data->len - at;
    gsize ok = 0;
    VwWsScanVerdict v = vw_ws_scan_feed (scan, data->data + at, n, 1000, &ok);
    *ok_total += ok;
    if (v != VW_WS_SCAN_OK)
      return v;
    at += n;
  }
  return VW_WS_SCAN_OK;
}

static void
test_scan_case (gconstpointer data)
{
  const ScanCase *c = data;
  for (gsize step = 0; step <= 7; step += 7) {   /* whole, then in 7-byte reads */
    g_autoptr (GByteArray) bytes = head (c->upgrade ? UPGRADE_HEAD : PLAIN_HEAD);
    gsize bad_at = 0;
    for (guint i = 0; c->frames[i].fin != 2; i++) {
      if ((int) i == c->bad_frame)
        bad_at = bytes->len;
      frame (bytes, c->frames[i].fin, c->frames[i].opcode, c->frames[i].len);
    }
    g_autoptr (VwWsScan) scan = vw_ws_scan_new (&limits);
    gsize ok = 0;
    VwWsScanVerdict v = feed (scan, bytes, step, &ok);
    g_assert_cmpstr (vw_ws_scan_verdict_to_string (v), ==,
        vw_ws_scan_verdict_to_string (c->verdict));
    g_assert_cmpint (vw_ws_scan_is_websocket (scan), ==, c->upgrade);
    if (c->verdict == VW_WS_SCAN_OK) {
      g_assert_cmpuint (ok, ==, bytes->len);
      g_assert_cmpuint (vw_ws_scan_n_messages (scan), ==, c->messages);
      g_assert_cmpint (vw_ws_scan_incomplete_since (scan), ==, 0);
    } else {
      /* Everything before the frame at fault may pass, nothing of it
       * past its header (read in pieces, the part of the header that came
       * in an earlier read has gone on already: harmless without the rest). */
      if (step == 0)
        g_assert_cmpuint (ok, ==, bad_at);
      g_assert_cmpuint (ok, >=, bad_at);
      g_assert_cmpuint (ok, <, bad_at + 14);
    }
  }
}

/* The bucket fills again with time. */
static void
test_scan_rate_refills (void)
{
  g_autoptr (VwWsScan) scan = vw_ws_scan_new (&limits);
  g_autoptr (GByteArray) bytes = head (UPGRADE_HEAD);
  gsize ok;
  g_assert_cmpint (vw_ws_scan_feed (scan, bytes->data, bytes->len, 1, &ok), ==, VW_WS_SCAN_OK);
  for (guint second = 0; second < 20; second++) {
    g_autoptr (GByteArray) msg = g_byte_array_new ();
    frame (msg, TRUE, 1, 3);
    /* 4 at once, then one a second: always within 1/s with a burst of 4. */
    guint n = second == 0 ? 4 : 1;
    for (guint i = 0; i < n; i++)
      g_assert_cmpint (vw_ws_scan_feed (scan, msg->data, msg->len,
              1 + (gint64) second * G_USEC_PER_SEC, &ok), ==, VW_WS_SCAN_OK);
  }
  g_autoptr (GByteArray) msg = g_byte_array_new ();
  frame (msg, TRUE, 1, 3);
  g_assert_cmpint (vw_ws_scan_feed (scan, msg->data, msg->len, 1 + 19 * G_USEC_PER_SEC, &ok),
      ==, VW_WS_SCAN_TOO_FAST);
}

/* A message begun and not finished is seen as such, from when it began. */
static void
test_scan_incomplete (void)
{
  g_autoptr (VwWsScan) scan = vw_ws_scan_new (&limits);
  g_autoptr (GByteArray) bytes = head (UPGRADE_HEAD);
  gsize ok;
  vw_ws_scan_feed (scan, bytes->data, bytes->len, 5, &ok);
  g_assert_cmpint (vw_ws_scan_incomplete_since (scan), ==, 0);

  g_autoptr (GByteArray) part = g_byte_array_new ();
  frame (part, FALSE, 1, 10);
  vw_ws_scan_feed (scan, part->data, 3, 100, &ok);          /* half a header */
  g_assert_cmpint (vw_ws_scan_incomplete_since (scan), ==, 100);
  vw_ws_scan_feed (scan, part->data + 3, part->len - 3, 200, &ok);
  g_assert_cmpint (vw_ws_scan_incomplete_since (scan), ==, 100);   /* fin not yet */
  g_autoptr (GByteArray) last = g_byte_array_new ();
  frame (last, TRUE, 0, 10);
  vw_ws_scan_feed (scan, last->data, last->len, 300, &ok);
  g_assert_cmpint (vw_ws_scan_incomplete_since (scan), ==, 0);
  g_assert_cmpuint (vw_ws_scan_n_messages (scan), ==, 1);
}

/* Two request heads on one connection, the second the upgrade: frames
 * only after it; a body mentioning "upgrade: websocket" on one line of its
 * own does not count as a head unless a blank line ends it. */
static void
test_scan_second_head (void)
{
  g_autoptr (VwWsScan) scan = vw_ws_scan_new (&limits);
  g_autoptr (GByteArray) bytes = head (PLAIN_HEAD PLAIN_HEAD UPGRADE_HEAD);
  gsize ok;
  vw_ws_scan_feed (scan, bytes->data, strlen (PLAIN_HEAD), 1, &ok);
  g_assert_false (vw_ws_scan_is_websocket (scan));
  vw_ws_scan_feed (scan, bytes->data + strlen (PLAIN_HEAD),
      bytes->len - strlen (PLAIN_HEAD), 1, &ok);
  g_assert_true (vw_ws_scan_is_websocket (scan));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/front/admission/limits", test_admission_limits);
  g_test_add_func ("/front/admission/forgets", test_admission_forgets);
  for (guint i = 0; i < G_N_ELEMENTS (scan_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/front/scan/%s", scan_cases[i].name);
    g_test_add_data_func (path, &scan_cases[i], test_scan_case);
  }
  g_test_add_func ("/front/scan/rate-refills", test_scan_rate_refills);
  g_test_add_func ("/front/scan/incomplete", test_scan_incomplete);
  g_test_add_func ("/front/scan/second-head", test_scan_second_head);
  return g_test_run ();
}
