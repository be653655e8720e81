/* vw-netns.c: a network namespace behind an impaired link (see vw-netns.h). */
#include "vw-netns.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define NETNS_PREFIX "vwt-"

struct _VwNetns {
  char *name;
  char *host_address;
  char *address;
  char *wrapper[5];
  GSubprocess *link;
  GDataInputStream *out;
};

static guint next_index;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, GPOINTER_TO_INT (data));
}

static const char *
link_program (void)
{
  const char *path = g_getenv ("VW_LINK");
#ifdef VW_LINK_PATH
  if (!path)
    path = VW_LINK_PATH;
#endif
  return path;
}

void
vw_netns_cleanup_stale (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/run/netns", 0, NULL);
  if (!dir)
    return;
  const char *entry;
  while ((entry = g_dir_read_name (dir))) {
    if (!g_str_has_prefix (entry, NETNS_PREFIX))
      continue;
    char *end;
    long pid = strtol (entry + strlen (NETNS_PREFIX), &end, 10);
    if (end == entry + strlen (NETNS_PREFIX) || *end != '-' || pid <= 1)
      continue;
    /* Only ours (vwt-PID-N), whose owner is gone, with nothing left
     * running inside (a namespace someone still uses stays). */
    const char *n = end + 1;
    if (!g_ascii_isdigit (*n))
      continue;
    while (g_ascii_isdigit (*n))
      n++;
    if (*n || kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
      continue;
    g_autofree char *pids = NULL;
    const char *list_argv[] = { "ip", "netns", "pids", entry, NULL };
    if (!g_spawn_sync (NULL, (char **) list_argv, NULL,
            G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
            &pids, NULL, NULL, NULL) || (pids && *g_strstrip (pids)))
      continue;
    const char *del_argv[] = { "ip", "netns", "delete", entry, NULL };
    g_spawn_sync (NULL, (char **) del_argv, NULL,
        G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
        NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

/* Sends @line to vw-link and reads its answer: (transfer full) what
 * follows "ok" (maybe empty), or NULL with @error. */
static char *
link_command (VwNetns *ns, const char *line, GError **error)
{
  g_autofree char *full = g_strconcat (line, "\n", NULL);
  GOutputStream *in = g_subprocess_get_stdin_pipe (ns->link);
  if (!g_output_stream_write_all (in, full, strlen (full), NULL, NULL, error))
    return NULL;
  g_autofree char *answer = g_data_input_stream_read_line_utf8 (ns->out, NULL, NULL, error);
  if (!answer) {
    if (error && !*error)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "vw-link exited");
    return NULL;
  }
  if (g_str_equal (answer, "ok"))
    return g_strdup ("");
  if (g_str_has_prefix (answer, "ok "))
    return g_strdup (answer + 3);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "vw-link: %s (for '%s')",
      answer, line);
  return NULL;
}

VwNetns *
vw_netns_new (GError **error)
{
  vw_netns_cleanup_stale ();
  const char *program = link_program ();
  if (!program) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "VW_LINK is not set; run through meson");
    return NULL;
  }
  g_autoptr (VwNetns) ns = g_new0 (VwNetns, 1);
  ns->name = g_strdup_printf (NETNS_PREFIX "%d-%u", (int) getpid (), next_index++);

  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* SIGTERM: vw-link then deletes the namespace as on stdin's EOF. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
      GINT_TO_POINTER (SIGTERM), NULL);
  const char *argv[] = { program, "--netns", ns->name, "--create", NULL };
  ns->link = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (!ns->link)
    return NULL;
  ns->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (ns->link));
  g_autofree char *ready = g_data_input_stream_read_line_utf8 (ns->out, NULL, NULL, error);
  if (!ready) {
    if (error && !*error)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
          "vw-link could not set up namespace %s (see its stderr)", ns->name);
    return NULL;
  }
  g_auto (GStrv) words = g_strsplit (ready, " ", -1);
  if (g_strv_length (words) != 4 || !g_str_equal (words[0], "ready")) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "vw-link: unexpected '%s'", ready);
    return NULL;
  }
  ns->host_address = g_strdup (words[1]);
  ns->address = g_strdup (words[2]);
  ns->wrapper[0] = (char *) "ip";
  ns->wrapper[1] = (char *) "netns";
  ns->wrapper[2] = (char *) "exec";
  ns->wrapper[3] = ns->name;
  ns->wrapper[4] = NULL;
  return g_steal_pointer (&ns);
}

void
vw_netns_free (VwNetns *ns)
{
  if (!ns)
    return;
  if (ns->link) {
    /* EOF on its stdin: vw-link deletes the namespace and exits. */
    g_output_stream_close (g_subprocess_get_stdin_pipe (ns->link), NULL, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_subprocess_wait (ns->link, NULL, &error))
      g_warning ("waiting for vw-link: %s", error->message);
    g_object_unref (ns->link);
  }
  g_clear_object (&ns->out);
  g_free (ns->name);
  g_free (ns->host_address);
  g_free (ns->address);
  g_free (ns);
}

const char *
vw_netns_get_name (VwNetns *ns)
{
  return ns->name;
}

const char *
vw_netns_get_host_address (VwNetns *ns)
{
  return ns->host_address;
}

const char *
vw_netns_get_address (VwNetns *ns)
{
  return ns->address;
}

const char *const *
vw_netns_wrapper (VwNetns *ns)
{
  return (const char *const *) ns->wrapper;
}

static const char *
dir_word (VwNetnsDirection dir)
{
  switch (dir) {
    case VW_NETNS_UP: return "up";
    case VW_NETNS_DOWN: return "down";
    default: return "both";
  }
}

static gboolean
set_value (VwNetns *ns, const char *verb, VwNetnsDirection dir, double value,
    GError **error)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (num, sizeof num, "%.1f", value);
  g_autofree char *line = g_strdup_printf ("%s %s %s", verb, dir_word (dir), num);
  g_autofree char *answer = link_command (ns, line, error);
  return answer != NULL;
}

gboolean
vw_netns_set_loss (VwNetns *ns, VwNetnsDirection dir, double percent, GError **error)
{
  return set_value (ns, "loss", dir, percent, error);
}

gboolean
vw_netns_set_delay (VwNetns *ns, VwNetnsDirection dir, guint ms, GError **error)
{
  return set_value (ns, "delay", dir, ms, error);
}

gboolean
vw_netns_set_jitter (VwNetns *ns, VwNetnsDirection dir, guint ms, GError **error)
{
  return set_value (ns, "jitter", dir, ms, error);
}

gboolean
vw_netns_set_rate (VwNetns *ns, VwNetnsDirection dir, guint kbits, GError **error)
{
  return set_value (ns, "rate", dir, kbits, error);
}

gboolean
vw_netns_set_queue (VwNetns *ns, VwNetnsDirection dir, guint ms, GError **error)
{
  return set_value (ns, "queue", dir, ms, error);
}

gboolean
vw_netns_blackout (VwNetns *ns, gboolean on, GError **error)
{
  g_autofree char *answer = link_command (ns, on ? "blackout on" : "blackout off", error);
  return answer != NULL;
}

gboolean
vw_netns_readdress (VwNetns *ns, GError **error)
{
  g_autofree char *answer = link_command (ns, "readdress", error);
  if (!answer)
    return FALSE;
  if (!g_str_has_prefix (answer, "address ")) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "vw-link: unexpected '%s'", answer);
    return FALSE;
  }
  g_free (ns->address);
  ns->address = g_strdup (answer + strlen ("address "));
  return TRUE;
}

gboolean
vw_netns_get_counters (VwNetns *ns, VwNetnsCounters *counters, GError **error)
{
  g_autofree char *answer = link_command (ns, "counters", error);
  if (!answer)
    return FALSE;
  memset (counters, 0, sizeof *counters);
  g_auto (GStrv) pairs = g_strsplit (answer, " ", -1);
  for (guint i = 0; pairs[i]; i++) {
    char *eq = strchr (pairs[i], '=');
    if (!eq)
      continue;
    *eq = '\0';
    VwNetnsDirCounters *d = g_str_has_prefix (pairs[i], "up.") ? &counters->up
        : g_str_has_prefix (pairs[i], "down.") ? &counters->down : NULL;
    if (!d)
      continue;
    const char *key = strchr (pairs[i], '.') + 1;
    guint64 v = g_ascii_strtoull (eq + 1, NULL, 10);
    if (g_str_equal (key, "passed"))
      d->passed = v;
    else if (g_str_equal (key, "lost"))
      d->lost = v;
    else if (g_str_equal (key, "overflow"))
      d->overflow = v;
    else if (g_str_equal (key, "blackout"))
      d->blackout = v;
    else if (g_str_equal (key, "bytes"))
      d->bytes = v;
  }
  return TRUE;
}

gboolean
vw_netns_reset_counters (VwNetns *ns, GError **error)
{
  g_autofree char *answer = link_command (ns, "reset", error);
  return answer != NULL;
}

GSubprocess *
vw_netns_spawn (VwNetns *ns, GSubprocessFlags flags, const char *const *argv,
    GError **error)
{
  g_autoptr (GPtrArray) full = g_ptr_array_new ();
  for (guint i = 0; ns->wrapper[i]; i++)
    g_ptr_array_add (full, ns->wrapper[i]);
  for (guint i = 0; argv[i]; i++)
    g_ptr_array_add (full, (char *) argv[i]);
  g_ptr_array_add (full, NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
      GINT_TO_POINTER (SIGKILL), NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) full->pdata, error);
}
