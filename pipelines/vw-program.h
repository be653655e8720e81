/* vw-program.h: what vw-server and vw-client do first. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends every log message to stderr (stdout carries the programs' output
 * lines), makes UTF-8 arguments such as 黄浦区政务服务中心 parse even under
 * LANG=C, and parses @entries plus GStreamer's options.  On failure prints
 * "PROGRAM: message" and returns FALSE (exit status 2). */
gboolean vw_program_parse_options (const char *program, const char *summary,
                                   const GOptionEntry *entries, int *argc, char ***argv);

G_END_DECLS
