/* test-firewall: a clerk whose network lets no UDP through still gets
 * media, over ICE-TCP to the hub or through a TURN server (coturn) with the
 * credentials vw-server hands out in "paired"; coturn refuses forged and
 * expired ones.
 *
 * The clerk's vw-client runs in a network namespace of its own on the
 * impairment harness (tests/vw-netns.h; the link itself unimpaired), where
 * nftables drops every UDP packet in and out.  vw-server, its hub, coturn
 * and the agent's vw-client run in the host namespace on the link's host
 * end.  Assertions are on what arrived (frames decoded at the size sent,
 * both ways), on the candidate pair ICE selected (tcp; relay), and on
 * coturn's answer to a TURN Allocate.  A control call with ICE-TCP off
 * shows the UDP block holds: no media at all. */
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "vw-netns.h"
#include "vw-test-util.h"
#include "vw-turn.h"

#define AGENT_ARGS "--role", "agent", "--user", "zhangmin", "--password-file", f->agent_pw
#define CLERK_ARGS "--role", "clerk", "--province", "zhejiang", \
    "--center", "嘉善县行政服务中心", "--item", "QY-SL-001", "--handled-in", "shanghai"
#define TURN_SECRET "test-firewall-secret"
#define TURN_REALM "vw.test"

typedef struct {
  VwNetns *netns;         /* the clerk's namespace and its link */
  const char *host_ip, *ns_ip;   /* the link's two ends */
  VwTestServer *server;
  char *agent_pw;
  GSubprocess *coturn;    /* (nullable) */
  guint turn_port;
} Fixture;

static void
run (const char *const *argv)
{
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
      NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

static void
run_in_ns (Fixture *f, const char *const *argv)
{
  g_autoptr (GPtrArray) a = g_ptr_array_new ();
  for (const char *const *w = vw_netns_wrapper (f->netns); *w; w++)
    g_ptr_array_add (a, (char *) *w);
  for (guint i = 0; argv[i]; i++)
    g_ptr_array_add (a, (char *) argv[i]);
  g_ptr_array_add (a, NULL);
  run ((const char *const *) a->pdata);
}

/* The clerk's namespace (tests/vw-netns.h: gone with the fixture, or with
 * this process however it ends), its link left unimpaired, and the
 * firewall: no UDP in or out of it (TCP passes). */
static void
make_namespace (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  f->netns = vw_netns_new (&error);
  g_assert_no_error (error);
  f->host_ip = vw_netns_get_host_address (f->netns);
  f->ns_ip = vw_netns_get_address (f->netns);
  const char *rules =
      "table inet vwfw {\n"
      "  chain in { type filter hook input priority 0; meta l4proto udp counter drop; }\n"
      "  chain out { type filter hook output priority 0; meta l4proto udp counter drop; }\n"
      "}\n";
  g_autofree char *rules_file = g_strdup_printf ("%s/fw-%u.nft", g_get_tmp_dir (), getpid ());
  g_assert_true (g_file_set_contents (rules_file, rules, -1, NULL));
  run_in_ns (f, (const char *[]) { "nft", "-f", rules_file, NULL });
  g_unlink (rules_file);
}

/* UDP packets the firewall dropped so far, both ways. */
static guint64
dropped_udp (Fixture *f)
{
  g_autofree char *out = NULL;
  const char *const *w = vw_netns_wrapper (f->netns);
  const char *argv[] = { w[0], w[1], w[2], w[3], "nft", "list", "table", "inet", "vwfw",
    NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH
      | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL));
  guint64 total = 0;
  for (const char *p = out; (p = strstr (p, "packets ")); p++)
    total += g_ascii_strtoull (p + strlen ("packets "), NULL, 10);
  return total;
}

static guint
free_tcp_port (const char *ip)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (ip);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (a, 0);
  g_assert_true (g_socket_bind (s, sa, FALSE, NULL));
  g_autoptr (GSocketAddress) bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* vw-server on the host's end of the link, with @config_text as its
 * settings file (the [media]/[turn] groups; nullable), and the agent's
 * account.  make_namespace () first. */
static void
fixture_start (Fixture *f, const char *config_text)
{
  g_autofree char *config = g_strdup_printf ("%s/fw-%u.conf", g_get_tmp_dir (), getpid ());
  g_assert_true (g_file_set_contents (config, config_text ? config_text : "", -1, NULL));
  /* Over the fixed --address 127.0.0.1 and --ice-address: the last wins. */
  f->server = vw_test_server_start ((const char *[]) { "--config", config,
      "--address", f->host_ip, "--ice-address", f->host_ip,
      "--media-start-timeout", "10", NULL });
  g_unlink (config);
  f->agent_pw = vw_test_server_add_account (f->server, "zhangmin", "agent", "张敏",
      "shanghai", "黄浦区政务服务中心", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->server)
    vw_test_server_stop (f->server);
  if (f->coturn) {
    g_subprocess_force_exit (f->coturn);
    g_subprocess_wait (f->coturn, NULL, NULL);
    g_object_unref (f->coturn);
  }
  g_clear_pointer (&f->netns, vw_netns_free);
  g_free (f->agent_pw);
}

/* vw-client inside the clerk's namespace, media on its address. */
static VwTestClient *
start_clerk (Fixture *f, const char *const *more)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *base[] = { CLERK_ARGS };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (args, (char *) base[i]);
  for (guint i = 0; more && more[i]; i++)
    g_ptr_array_add (args, (char *) more[i]);
  g_ptr_array_add (args, NULL);
  VwTestClientOptions options = { .wrapper = vw_netns_wrapper (f->netns),
    .ice_address = f->ns_ip };
  return vw_test_client_start_with (f->server, "李华", &options,
      (const char *const *) args->pdata);
}

static VwTestClient *
start_agent (Fixture *f)
{
  const char *args[] = { AGENT_ARGS, "--max-sessions", "1", "--ice-address", f->host_ip,
    NULL };
  VwTestClient *agent = vw_test_client_start (f->server, "张敏", args);
  vw_test_client_wait_event (agent, "registered", NULL, 10000);
  return agent;
}

/* Waits for a stats event in which @track has at least @frames frames. */
static void
wait_frames (VwTestClient *c, const char *track, gint64 frames, guint timeout_ms)
{
  guint from = 0;
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;
  while (g_get_monotonic_time () < deadline) {
    JsonObject *stats = vw_test_client_wait_event (c, "stats", &from, timeout_ms);
    JsonObject *t = vw_test_stats_track (stats, track);
    if (t && json_object_get_int_member (t, "frames") >= frames)
      return;
  }
  g_error ("%s: fewer than %" G_GINT64_FORMAT " %s frames in %u ms", c->name,
      frames, track, timeout_ms);
}

/* Media both ways: the camera decoded at 640x480 and 30 frames of it. */
static void
assert_media_both_ways (VwTestClient *agent, VwTestClient *clerk)
{
  VwTestClient *sides[] = { agent, clerk };
  for (guint i = 0; i < G_N_ELEMENTS (sides); i++) {
    vw_test_client_wait_event (sides[i], "connected", NULL, 20000);
    JsonObject *ff = vw_test_client_wait_event (sides[i], "first-frame", NULL, 10000);
    g_assert_cmpstr (json_object_get_string_member (ff, "track"), ==, "camera");
    g_assert_cmpint (json_object_get_int_member (ff, "width"), ==, 640);
    g_assert_cmpint (json_object_get_int_member (ff, "height"), ==, 480);
    wait_frames (sides[i], "camera", 30, 10000);
    JsonObject *paired = vw_test_client_last_event (sides[i], "paired");
    g_test_message ("%s: first frame %" G_GINT64_FORMAT " ms after paired", sides[i]->name,
        json_object_get_int_member (ff, "t") - json_object_get_int_member (paired, "t"));
  }
}

/* How many of vw-server's UDP sockets and TCP listeners on the link's
 * address have a local port in (@inside TRUE) or out of (FALSE) @lo..@hi,
 * its HTTP listener aside. */
static guint
count_media_ports (Fixture *f, guint lo, guint hi, gboolean inside)
{
  const char *pid = g_subprocess_get_identifier (f->server->proc);
  g_assert_nonnull (pid);
  g_autofree char *needle = g_strdup_printf ("pid=%s,", pid);
  g_autofree char *http = g_strdup_printf ("%s:%s", f->host_ip,
      strrchr (f->server->ws_url, ':') + 1);
  *strchr (http + strlen (f->host_ip) + 1, '/') = '\0';
  g_autofree char *out = NULL;
  const char *argv[] = { "ss", "-Htuanp", NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
      NULL, NULL, &out, NULL, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;
  g_autofree char *prefix = g_strdup_printf ("%s:", f->host_ip);
  for (guint i = 0; lines[i]; i++) {
    /* What a firewall must let in: UDP sockets and TCP listeners (the
     * hub's own outgoing ICE-TCP connections come from any port). */
    if (!strstr (lines[i], needle)
        || !(g_str_has_prefix (lines[i], "udp") || strstr (lines[i], "LISTEN")))
      continue;
    g_auto (GStrv) cols = g_strsplit_set (lines[i], " \t", -1);
    guint c = 0;
    const char *local = NULL;
    for (guint j = 0; cols[j]; j++)
      if (*cols[j] && ++c == 5)   /* netid state recv-q send-q LOCAL peer */
        local = cols[j];
    if (!local || !g_str_has_prefix (local, prefix) || g_str_equal (local, http))
      continue;
    guint port = atoi (local + strlen (prefix));
    if ((port >= lo && port <= hi) == inside) {
      g_test_message ("vw-server socket %s", lines[i]);
      n++;
    }
  }
  return n;
}

/* ---- ICE-TCP ---- */

/* UDP blocked, the hub offering passive TCP candidates (the default) and
 * the clerk active ones: the media goes over TCP.  No TURN configured:
 * "paired" carries no ice-servers. */
static void
test_ice_tcp (Fixture *f, gconstpointer data)
{
  make_namespace (f);
  guint base = 41000 + (getpid () % 200) * 20;
  g_autofree char *config = g_strdup_printf ("[media]\nport-min=%u\nport-max=%u\n",
      base, base + 19);
  fixture_start (f, config);
  g_autoptr (VwTestClient) agent = start_agent (f);
  g_autoptr (VwTestClient) clerk = start_clerk (f, (const char *[]) { "--ice-tcp", NULL });
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  g_assert_false (json_object_has_member (paired, "ice-servers"));
  assert_media_both_ways (agent, clerk);
  JsonObject *pair = vw_test_client_wait_event (clerk, "ice-pair", NULL, 1000);
  g_assert_cmpstr (json_object_get_string_member (pair, "local-protocol"), ==, "tcp");
  g_assert_cmpstr (json_object_get_string_member (pair, "remote-protocol"), ==, "tcp");
  /* (The hub's candidate may show as prflx: its check can come before its
   * trickled candidate.) */
  /* The agent's side (no firewall) stays on UDP. */
  pair = vw_test_client_wait_event (agent, "ice-pair", NULL, 1000);
  g_assert_cmpstr (json_object_get_string_member (pair, "local-protocol"), ==, "udp");
  /* The firewall was there: the clerk's UDP checks were dropped. */
  g_assert_cmpuint (dropped_udp (f), >, 0);
  /* The hub's media sockets, UDP and ICE-TCP alike, are in the range. */
  g_assert_cmpuint (count_media_ports (f, base, base + 19, TRUE), >, 0);
  g_assert_cmpuint (count_media_ports (f, base, base + 19, FALSE), ==, 0);
}

/* The control: the same firewall with ICE-TCP off on the hub gets no media
 * at all; the session ends without a frame. */
static void
test_udp_blocked_without_tcp (Fixture *f, gconstpointer data)
{
  make_namespace (f);
  fixture_start (f, "[media]\nice-tcp=false\n");
  g_autoptr (VwTestClient) agent = start_agent (f);
  g_autoptr (VwTestClient) clerk = start_clerk (f, (const char *[]) { "--ice-tcp", NULL });
  vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  /* ICE fails (the clerk says media-failed and hangs up), or at the
   * latest the server ends the session at media-start-timeout. */
  JsonObject *ended = vw_test_client_wait_event (clerk, "ended", NULL, 20000);
  const char *reason = json_object_get_string_member (ended, "reason");
  if (g_str_equal (reason, "hangup")) {
    JsonObject *error = vw_test_client_wait_event (clerk, "error", NULL, 1000);
    g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "media-failed");
  } else
    g_assert_cmpstr (reason, ==, "media-timeout");
  g_assert_cmpuint (vw_test_client_count_events (clerk, "connected"), ==, 0);
  g_assert_cmpuint (vw_test_client_count_events (clerk, "first-frame"), ==, 0);
  g_assert_cmpuint (dropped_udp (f), >, 0);
}

/* ---- TURN ---- */

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* One TURN Allocate (RFC 8656) over UDP with @username/@password: the
 * STUN response class, 0x0103 success or 0x0113 error, and in @code the
 * error code (401: the credential was refused).  0 when nothing answered. */
static guint
turn_allocate (const char *ip, guint port, const char *username, const char *password,
    guint *code)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  g_socket_set_timeout (s, 1);
  g_autoptr (GInetAddress) a = g_inet_address_new_from_string (ip);
  g_autoptr (GSocketAddress) to = g_inet_socket_address_new (a, port);
  g_autofree char *realm = NULL, *nonce = NULL;
  *code = 0;
  for (guint round = 0; round < 2; round++) {
    guint8 msg[512] = { 0x00, 0x03, 0, 0, 0x21, 0x12, 0xa4, 0x42 };
    for (guint i = 8; i < 20; i++)
      msg[i] = g_random_int_range (0, 256);
    gsize len = 20;
#define ATTR(type, data, n) do { \
      msg[len] = (type) >> 8; msg[len + 1] = (type) & 0xff; \
      msg[len + 2] = (n) >> 8; msg[len + 3] = (n) & 0xff; \
      memcpy (msg + len + 4, (data), (n)); \
      len += 4 + (((n) + 3) & ~3u); } while (0)
    ATTR (0x0019, "\x11\0\0\0", 4);            /* REQUESTED-TRANSPORT: UDP */
    if (round == 1) {
      ATTR (0x0006, username, strlen (username));
      ATTR (0x0014, realm, strlen (realm));
      ATTR (0x0015, nonce, strlen (nonce));
      /* MESSAGE-INTEGRITY: HMAC-SHA1 keyed with MD5 (user:realm:pass),
       * over the message with its length counting the attribute. */
      g_autofree char *key_text = g_strdup_printf ("%s:%s:%s", username, realm, password);
      guint8 key[16];
      gsize key_len = sizeof key;
      g_autoptr (GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
      g_checksum_update (md5, (const guchar *) key_text, strlen (key_text));
      g_checksum_get_digest (md5, key, &key_len);
      msg[2] = (len - 20 + 24) >> 8;
      msg[3] = (len - 20 + 24) & 0xff;
      g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, key, key_len);
      g_hmac_update (hmac, msg, len);
      guint8 mac[20];
      gsize mac_len = sizeof mac;
      g_hmac_get_digest (hmac, mac, &mac_len);
      ATTR (0x0008, mac, 20);
    }
#undef ATTR
    msg[2] = (len - 20) >> 8;
    msg[3] = (len - 20) & 0xff;
    if (g_socket_send_to (s, to, (const char *) msg, len, NULL, NULL) < 0)
      return 0;
    guint8 reply[1500];
    gssize n = g_socket_receive (s, (char *) reply, sizeof reply, NULL, NULL);
    if (n < 20)
      return 0;
    guint type = reply[0] << 8 | reply[1];
    for (gsize at = 20; at + 4 <= (gsize) n;) {
      guint t = reply[at] << 8 | reply[at + 1], l = reply[at + 2] << 8 | reply[at + 3];
      if (at + 4 + l > (gsize) n)
        break;
      const char *v = (const char *) reply + at + 4;
      if (t == 0x0014) {
        g_free (realm);
        realm = g_strndup (v, l);
      } else if (t == 0x0015) {
        g_free (nonce);
        nonce = g_strndup (v, l);
      } else if (t == 0x0009 && l >= 4)
        *code = (v[2] & 0x7) * 100 + (guint8) v[3];
      at += 4 + ((l + 3) & ~3u);
    }
    if (round == 1 || type != 0x0113 || *code != 401 || !realm || !nonce)
      return type;
    *code = 0;
  }
  return 0;
}

/* coturn on @f->host_ip: TURN REST credentials with @secret, relaying from
 * the same address.  Returns once it allocates for a good credential. */
static void
start_coturn (Fixture *f, const char *secret, guint port_number)
{
  f->turn_port = port_number;
  g_autofree char *port = g_strdup_printf ("%u", f->turn_port);
  /* Relay ports of our own, apart from other runs' (one per test). */
  guint base = 40000 + (getpid () % 200) * 100;
  g_autofree char *min_port = g_strdup_printf ("%u", base);
  g_autofree char *max_port = g_strdup_printf ("%u", base + 99);
  g_autofree char *secret_arg = g_strdup_printf ("--static-auth-secret=%s", secret);
  g_autofree char *pidfile = g_strdup_printf ("%s/coturn.pid", f->server->data_dir);
  g_autofree char *log = g_strdup_printf ("%s/coturn.log", f->server->data_dir);
  g_autofree char *allowed = g_strdup_printf ("--allowed-peer-ip=%s", f->host_ip);
  const char *argv[] = { "turnserver", "-n", "--listening-ip", f->host_ip,
    "--relay-ip", f->host_ip, "--listening-port", port, "--min-port", min_port,
    "--max-port", max_port, "--use-auth-secret", secret_arg, "--realm", TURN_REALM,
    "--no-tls", "--no-dtls", "--no-cli", "--pidfile", pidfile, "--log-file", log,
    "--simple-log", "--no-stdout-log",
    /* As README advises: relay to the hub's address only. */
    "--denied-peer-ip=0.0.0.0-255.255.255.255", allowed, NULL };
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_autoptr (GError) error = NULL;
  f->coturn = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* Ready: a good credential gets an allocation. */
  g_autofree char *user = NULL, *cred = NULL;
  vw_turn_credentials (secret, "probe", g_get_real_time () / G_USEC_PER_SEC + 600,
      &user, &cred);
  for (guint i = 0; i < 50; i++) {
    guint code;
    if (turn_allocate (f->host_ip, f->turn_port, user, cred, &code) == 0x0103)
      return;
    if (!g_subprocess_get_identifier (f->coturn))
      g_error ("coturn exited");
    vw_test_run_for (200);
  }
  g_error ("coturn on %s:%u did not allocate for a good credential", f->host_ip,
      f->turn_port);
}

/* vw-server with coturn (TURN over TCP) as its [turn] server, sharing
 * @server_secret with it (coturn's is TURN_SECRET), its hub offering
 * ICE-TCP or not; the agent registered.  The clerk is the caller's. */
static VwTestClient *
start_turn_server (Fixture *f, const char *server_secret, gboolean ice_tcp)
{
  make_namespace (f);
  guint turn_port = free_tcp_port (f->host_ip);
  g_autofree char *config = g_strdup_printf ("[media]\nice-tcp=%s\n"
      "[turn]\nurls=turn:%s:%u?transport=tcp\nsecret=%s\nttl=600\n",
      ice_tcp ? "true" : "false", f->host_ip, turn_port, server_secret);
  fixture_start (f, config);
  start_coturn (f, TURN_SECRET, turn_port);
  return start_agent (f);
}

/* UDP blocked and no ICE-TCP: only TURN over TCP reaches the hub.  The
 * credentials come from vw-server in "paired"; the clerk's media goes
 * through a relayed candidate, both ways. */
static void
test_turn (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) agent = start_turn_server (f, TURN_SECRET, FALSE);
  g_autoptr (VwTestClient) clerk = start_clerk (f, NULL);
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member_with_default (paired, "ice-servers", 0), ==, 1);
  g_autofree char *session = g_strdup (json_object_get_string_member (paired, "session"));
  assert_media_both_ways (agent, clerk);
  JsonObject *pair = vw_test_client_wait_event (clerk, "ice-pair", NULL, 1000);
  g_assert_cmpstr (json_object_get_string_member (pair, "local"), ==, "relay");
  g_assert_cmpuint (dropped_udp (f), >, 0);

  /* A supervisor who starts watching live gets TURN servers too, in the
   * "paired" that starts the watch, and sees the relayed clerk. */
  g_autofree char *sup_pw = vw_test_server_add_account (f->server, "wanghong", "supervisor",
      "王红", "shanghai", "黄浦区政务服务中心", "center");
  const char *watch_args[] = { "--role", "supervisor", "--user", "wanghong",
    "--password-file", sup_pw, "--monitor", session, "--ice-address", f->host_ip, NULL };
  g_autoptr (VwTestClient) watcher = vw_test_client_start (f->server, "王红", watch_args);
  JsonObject *watch = vw_test_client_wait_event (watcher, "paired", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member_with_default (watch, "ice-servers", 0), ==, 1);
  vw_test_client_wait_event (watcher, "first-frame", NULL, 15000);
}

/* --ice-transport-policy relay: TURN alone, even where ICE-TCP would
 * reach the hub directly. */
static void
test_turn_relay_only (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) agent = start_turn_server (f, TURN_SECRET, TRUE);
  g_autoptr (VwTestClient) clerk = start_clerk (f, (const char *[]) { "--ice-tcp",
      "--ice-transport-policy", "relay", NULL });
  assert_media_both_ways (agent, clerk);
  JsonObject *pair = vw_test_client_wait_event (clerk, "ice-pair", NULL, 1000);
  g_assert_cmpstr (json_object_get_string_member (pair, "local"), ==, "relay");
}

/* A vw-server whose secret is not coturn's hands out forged credentials:
 * coturn allocates nothing, and a relay-only clerk gets no media. */
static void
test_turn_forged (Fixture *f, gconstpointer data)
{
  g_autoptr (VwTestClient) agent = start_turn_server (f, "not-" TURN_SECRET, TRUE);
  g_autoptr (VwTestClient) clerk = start_clerk (f, (const char *[]) { "--ice-tcp",
      "--ice-transport-policy", "relay", NULL });
  JsonObject *paired = vw_test_client_wait_event (clerk, "paired", NULL, 10000);
  g_assert_cmpint (json_object_get_int_member_with_default (paired, "ice-servers", 0), ==, 1);
  JsonObject *ended = vw_test_client_wait_event (clerk, "ended", NULL, 30000);
  const char *reason = json_object_get_string_member (ended, "reason");
  g_assert_true (g_str_equal (reason, "hangup") || g_str_equal (reason, "media-timeout"));
  g_assert_cmpuint (vw_test_client_count_events (clerk, "connected"), ==, 0);
  g_assert_cmpuint (vw_test_client_count_events (clerk, "first-frame"), ==, 0);
}

/* coturn accepts vw-server's credentials and refuses a forged one (another
 * secret's HMAC, or the right HMAC for another username) and an expired
 * one (the right HMAC, an expiry in the past). */
static void
test_turn_credentials (Fixture *f, gconstpointer data)
{
  make_namespace (f);
  fixture_start (f, NULL);
  start_coturn (f, TURN_SECRET, free_tcp_port (f->host_ip));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint code;

  g_autofree char *user = NULL, *cred = NULL;
  vw_turn_credentials (TURN_SECRET, "p-1", now + 600, &user, &cred);
  g_assert_cmphex (turn_allocate (f->host_ip, f->turn_port, user, cred, &code), ==, 0x0103);

  g_autofree char *forged_user = NULL, *forged = NULL;
  vw_turn_credentials ("not-the-secret", "p-1", now + 600, &forged_user, &forged);
  g_assert_cmphex (turn_allocate (f->host_ip, f->turn_port, forged_user, forged, &code),
      ==, 0x0113);
  g_assert_cmpuint (code, ==, 401);

  /* A credential made for p-1 presented as p-2's. */
  g_autofree char *other_user = g_strdup_printf ("%" G_GINT64_FORMAT ":p-2", now + 600);
  g_assert_cmphex (turn_allocate (f->host_ip, f->turn_port, other_user, cred, &code),
      ==, 0x0113);
  g_assert_cmpuint (code, ==, 401);

  g_autofree char *old_user = NULL, *old = NULL;
  vw_turn_credentials (TURN_SECRET, "p-1", now - 60, &old_user, &old);
  g_assert_cmphex (turn_allocate (f->host_ip, f->turn_port, old_user, old, &code),
      ==, 0x0113);
  g_assert_cmpuint (code, ==, 401);
}

/* Settings that cannot work stop vw-server at start-up (exit status 2)
 * with a message naming them, instead of a call that silently gets no
 * media. */
static void
test_bad_settings (void)
{
  static const struct {
    const char *config, *says;
  } cases[] = {
    { "[turn]\nurls=turn:turn.example.cn:3478\n", "[turn] secret" },
    { "[turn]\nurls=stun:turn.example.cn:3478\nsecret=s\n", "stun:turn.example.cn:3478" },
    { "[turn]\nurls=turn:turn.example.cn:3478?transport=sctp\nsecret=s\n", "transport=sctp" },
    { "[turn]\nurls=turn:h:3478\nsecret=s\nttl=10\n", "ttl" },
    { "[turn]\nurl=turn:h:3478\n", "[turn] url" },
    { "[media]\nport-min=41000\nport-max=40000\n", "port-min" },
    { "[media]\nport-min=41000\n", "port-min" },
    { "[media]\nice-tcp=sometimes\n", "ice-tcp" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *dir = g_dir_make_tmp ("vw-fw-settings-XXXXXX", NULL);
    g_autofree char *config = g_build_filename (dir, "vw.conf", NULL);
    g_assert_true (g_file_set_contents (config, cases[i].config, -1, NULL));
    g_autofree char *err = NULL;
    int status = vw_test_server_run_to_exit (dir, (const char *[]) { "--config", config,
        NULL }, &err);
    g_test_message ("%s -> %s", cases[i].config, err);
    g_assert_cmpint (status, ==, 2);
    if (!strstr (err, cases[i].says))
      g_assert_cmpstr (err, ==, cases[i].says);
    g_unlink (config);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/firewall/bad-settings", test_bad_settings);
  /* The rest needs root, ip and nft (as every machine that runs the
   * suite has): without them they fail rather than pass unseen. */
  g_test_add ("/firewall/ice-tcp", Fixture, NULL, NULL, test_ice_tcp, fixture_teardown);
  g_test_add ("/firewall/udp-blocked-without-tcp", Fixture, NULL, NULL,
      test_udp_blocked_without_tcp, fixture_teardown);
  /* coturn comes with scripts/install-deps.sh: missing, these fail. */
  g_test_add ("/firewall/turn", Fixture, NULL, NULL, test_turn, fixture_teardown);
  g_test_add ("/firewall/turn-relay-only", Fixture, NULL, NULL, test_turn_relay_only,
      fixture_teardown);
  g_test_add ("/firewall/turn-credentials", Fixture, NULL, NULL, test_turn_credentials,
      fixture_teardown);
  g_test_add ("/firewall/turn-forged", Fixture, NULL, NULL, test_turn_forged,
      fixture_teardown);
  return g_test_run ();
}
