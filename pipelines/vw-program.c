/* vw-program.c: shared start-up of the programs. */
#include "vw-program.h"

#include <locale.h>
#include <gst/gst.h>

gboolean
vw_program_parse_options (const char *program, const char *summary,
    const GOptionEntry *entries, int *argc, char ***argv)
{
  g_log_writer_default_set_use_stderr (TRUE);
  setlocale (LC_ALL, "");
  if (!g_get_charset (NULL))
    setlocale (LC_CTYPE, "C.UTF-8");

  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = g_option_context_new (summary);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, argc, argv, &error)) {
    g_printerr ("%s: %s\n", program, error->message);
    return FALSE;
  }
  return TRUE;
}
