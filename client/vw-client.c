/* vw-client: the native client for service-centre desks.
 *
 *   vw-client --server http://127.0.0.1:8080/ --role agent --name 张敏 \
 *       --province shanghai --center 黄浦区政务服务中心 --headless
 *
 * Prints one JSON object per line for every event (see README.md).
 */
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <errno.h>
#include <string.h>
#include <gst/gst.h>

#include "vw-call.h"
#include "vw-login.h"
#include "vw-media.h"
#include "vw-program.h"

/* The client registers only once its media stack is warm: an agent must
 * not be offered a call it would answer 200 ms late. */
static gboolean
on_media_ready (gpointer user_data)
{
  vw_call_start (user_data);
  return G_SOURCE_REMOVE;
}

/* Commands, one JSON object per line on stdin.  End of input is not a
 * reason to stop: a client started with no stdin just runs. */
static void
on_command_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GDataInputStream *in = G_DATA_INPUT_STREAM (source);
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (in, result,
      NULL, NULL);
  if (!line)
    return;
  if (*g_strstrip (line))
    vw_call_handle_command (user_data, line);
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL,
      on_command_line, user_data);
}

static GDataInputStream *
read_commands (VwCall *call)
{
  g_autoptr (GInputStream) fd = g_unix_input_stream_new (0, FALSE);
  GDataInputStream *in = g_data_input_stream_new (fd);
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL,
      on_command_line, call);
  return in;
}

static gboolean
on_signal (gpointer user_data)
{
  vw_call_stop (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
check (gboolean ok, const char *message)
{
  if (!ok)
    g_printerr ("vw-client: %s\n", message);
  return ok;
}

int
main (int argc, char **argv)
{
  g_autofree char *server = NULL, *role = NULL, *name = NULL, *province = NULL,
      *center = NULL, *item = NULL, *handled_in = NULL, *ice_address = NULL,
      *token = NULL, *user = NULL, *password_file = NULL, *monitor = NULL,
      *ca_file = NULL, *rate = NULL, *booking = NULL, *items = NULL;
  /* GOption replaces string defaults without freeing them: start at NULL. */
  g_autofree char *camera = NULL, *microphone = NULL, *screen = NULL, *document = NULL;
  int bitrates[VW_TRACK_N_KINDS] = { 0 };
  g_autofree char *save_dir = NULL;
  gboolean headless = FALSE, timecode = FALSE, ice_tcp = FALSE;
  g_autofree char *ice_policy = NULL;
  int duration = 0, max_sessions = 0, stats_ms = 1000;
  GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &server, "Server URL, e.g. http://127.0.0.1:8080/", "URL" },
    { "role", 'r', 0, G_OPTION_ARG_STRING, &role, "agent, clerk or supervisor", "ROLE" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "Agent or supervisor: sign in as this account", "USERNAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, "With --user: read the password from this file's first line (- for stdin; default: stdin)", "FILE" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token, "A token from POST /api/login instead of --user (also $VW_TOKEN)", "TOKEN" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Trust the CA certificates in this PEM file for https:// and wss:// (default: the system's)", "FILE" },
    { "monitor", 0, 0, G_OPTION_ARG_STRING, &monitor, "Supervisor: watch this session live, receive-only", "SESSION" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Your name as the other side sees it", "NAME" },
    { "province", 0, 0, G_OPTION_ARG_STRING, &province, "Your province: shanghai, jiangsu, zhejiang or anhui", "PROVINCE" },
    { "center", 0, 0, G_OPTION_ARG_STRING, &center, "Your service centre", "CENTER" },
    { "item", 0, 0, G_OPTION_ARG_STRING, &item, "Clerk: the code of the service item you need help with (GET /api/catalogue)", "CODE" },
    { "booking", 0, 0, G_OPTION_ARG_STRING, &booking, "Clerk: the code of your appointment (我要约), at its booked time", "CODE" },
    { "items", 0, 0, G_OPTION_ARG_STRING, &items, "Agent: the item codes you handle, comma-separated (default: all)", "CODES" },
    { "handled-in", 0, 0, G_OPTION_ARG_STRING, &handled_in, "Clerk: province whose rules apply (default: --province)", "PROVINCE" },
    { "camera", 0, 0, G_OPTION_ARG_STRING, &camera, "test, auto, none or a GStreamer source description (default: test)", "SOURCE" },
    { "microphone", 0, 0, G_OPTION_ARG_STRING, &microphone, "test, auto, none or a GStreamer source description (default: test)", "SOURCE" },
    { "screen", 0, 0, G_OPTION_ARG_STRING, &screen, "Share a screen from the start: x11[?display=:N&window=XID&region=X,Y,W,H], test or a GStreamer description", "SOURCE" },
    { "document-camera", 0, 0, G_OPTION_ARG_STRING, &document, "Document camera (高拍仪): /dev/videoN, an image file, test or a GStreamer description", "SOURCE" },
    { "camera-bitrate", 0, 0, G_OPTION_ARG_INT, &bitrates[VW_TRACK_CAMERA], "Camera bits per second (default 1000000)", "BPS" },
    { "screen-bitrate", 0, 0, G_OPTION_ARG_INT, &bitrates[VW_TRACK_SCREEN], "Screen bits per second (default 1500000)", "BPS" },
    { "document-bitrate", 0, 0, G_OPTION_ARG_INT, &bitrates[VW_TRACK_DOCUMENT], "Document camera bits per second (default 2000000)", "BPS" },
    { "headless", 0, 0, G_OPTION_ARG_NONE, &headless, "Decode without showing anything", NULL },
    { "save-dir", 0, 0, G_OPTION_ARG_FILENAME, &save_dir, "Where snapshots and annotated pages go (default: vw-snapshots)", "DIR" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &duration, "Hang up this many seconds after connecting", "S" },
    { "max-sessions", 0, 0, G_OPTION_ARG_INT, &max_sessions, "Agent: exit after this many sessions", "N" },
    { "rate", 0, 0, G_OPTION_ARG_STRING, &rate, "Clerk: rate the session when it ends (好差评: 5 非常满意 .. 1 非常不满意), with an optional comment", "LEVEL[:COMMENT]" },
    { "stats-interval", 0, 0, G_OPTION_ARG_INT, &stats_ms, "Milliseconds between stats events (default 1000)", "MS" },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING, &ice_address, "Offer media only on this local IP address", "IP" },
    { "ice-tcp", 0, 0, G_OPTION_ARG_NONE, &ice_tcp, "Also try TCP to the hub (ICE-TCP), even with --ice-address", NULL },
    { "ice-transport-policy", 0, 0, G_OPTION_ARG_STRING, &ice_policy, "all (default) or relay: media only through the TURN servers the server hands out (for testing TURN)", "POLICY" },
    { "timecode", 0, 0, G_OPTION_ARG_NONE, &timecode, "Stamp sent frames and report the latency of received ones", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  if (!vw_program_parse_options ("vw-client", "- virtual-window desk client", entries, &argc, &argv))
    return 2;

  if (!camera)
    camera = g_strdup ("test");
  if (!microphone)
    microphone = g_strdup ("test");
  VwCallConfig config = { 0 };
  if (!token && g_getenv ("VW_TOKEN"))
    token = g_strdup (g_getenv ("VW_TOKEN"));
  /* A signed-in account brings its own name, province and centre. */
  gboolean signed_in = user || token;
  if (signed_in && !name)
    name = g_strdup ("-");
  if (signed_in && !province)
    province = g_strdup ("shanghai");
  if (signed_in && !center)
    center = g_strdup ("-");
  if (!check (server && role && name && province && center,
          "--server and --role are required, and --name, --province and --center "
          "unless signing in (--user or --token)")
      || !check (vw_role_from_string (role, &config.role),
          "--role must be agent, clerk or supervisor")
      || !check (config.role != VW_ROLE_SUPERVISOR || (monitor && signed_in),
          "a supervisor needs --monitor SESSION and --user or --token")
      || !check (!(user && token), "--user and --token exclude each other")
      || !check (vw_province_is_known (province), "unknown --province")
      || !check (config.role != VW_ROLE_CLERK || item, "a clerk needs --item")
      || !check (!handled_in || vw_province_is_known (handled_in), "unknown --handled-in")
      || !check (duration >= 0 && max_sessions >= 0 && stats_ms >= 100,
          "--duration and --max-sessions must be >= 0, --stats-interval >= 100"))
    return 2;

  g_autoptr (GTlsDatabase) tls_database = NULL;
  if (ca_file) {
    tls_database = g_tls_file_database_new (ca_file, &error);
    if (!tls_database) {
      g_printerr ("vw-client: --ca-file: %s\n", error->message);
      return 2;
    }
  }
  config.tls_database = tls_database;
  if (user) {
    token = vw_login (server, user, password_file ? password_file : "-", tls_database, &error);
    if (!token) {
      g_printerr ("vw-client: %s\n", error->message);
      return 1;
    }
  }
  config.token = token;
  config.monitor = monitor;
  config.server = server;
  config.name = name;
  config.province = province;
  config.center = center;
  config.item = item;
  config.booking = booking;
  g_auto (GStrv) item_list = items ? g_strsplit (items, ",", -1) : NULL;
  config.items = (const char *const *) item_list;
  config.handled_in = handled_in ? handled_in : province;
  config.duration_s = duration;
  config.max_sessions = max_sessions;
  if (rate) {
    char *colon = strchr (rate, ':');
    if (colon)
      *colon = '\0';
    guint64 level = 0;
    if (config.role != VW_ROLE_CLERK
        || !g_ascii_string_to_unsigned (rate, 10, 1, 5, &level, NULL)) {
      g_printerr ("vw-client: --rate is for clerks, a level 1..5 and an optional :COMMENT\n");
      return 2;
    }
    config.rate_level = level;
    config.rate_comment = colon ? colon + 1 : NULL;
  }
  config.stats_interval_ms = stats_ms;
  if (config.role == VW_ROLE_SUPERVISOR) {
    /* Watching live is receive-only: nothing of the supervisor's is sent. */
    g_free (camera);
    g_free (microphone);
    camera = microphone = NULL;
    g_clear_pointer (&screen, g_free);
    g_clear_pointer (&document, g_free);
  }
  config.media.sources[VW_TRACK_AUDIO] = microphone;
  config.media.sources[VW_TRACK_CAMERA] = camera;
  config.media.sources[VW_TRACK_SCREEN] = screen;
  config.media.sources[VW_TRACK_DOCUMENT] = document;
  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    if (bitrates[k] < 0 || (bitrates[k] && bitrates[k] < 32000)) {
      g_printerr ("vw-client: bitrates are bits per second, at least 32000\n");
      return 2;
    }
    config.media.bitrates[k] = bitrates[k];
  }
  config.media.headless = headless;
  if (!save_dir)
    save_dir = g_strdup ("vw-snapshots");
  if (g_mkdir_with_parents (save_dir, 0700) != 0) {
    g_printerr ("vw-client: cannot create %s: %s\n", save_dir, g_strerror (errno));
    return 2;
  }
  config.media.save_dir = save_dir;
  config.media.timecode = timecode;
  config.media.ice_address = ice_address;
  config.media.ice_tcp = ice_tcp;
  if (ice_policy && !g_str_equal (ice_policy, "all") && !g_str_equal (ice_policy, "relay")) {
    g_printerr ("vw-client: --ice-transport-policy must be all or relay\n");
    return 2;
  }
  config.media.relay_only = g_strcmp0 (ice_policy, "relay") == 0;

  for (guint k = 0; k < VW_TRACK_N_KINDS; k++) {
    const char *spec = config.media.sources[k];
    if (spec && g_strcmp0 (spec, "none") != 0
        && !vw_call_media_check_source (k, spec, &error)) {
      g_printerr ("vw-client: %s\n", error->message);
      return 2;
    }
  }

  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  VwCall *call = vw_call_new (&config, loop);
  g_unix_signal_add (SIGINT, on_signal, call);
  g_unix_signal_add (SIGTERM, on_signal, call);
  vw_media_prewarm (on_media_ready, call);
  g_autoptr (GDataInputStream) commands = read_commands (call);
  g_main_loop_run (loop);
  int status = vw_call_get_exit_status (call);
  vw_call_free (call);
  return status;
}
