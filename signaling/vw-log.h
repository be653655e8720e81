/* vw-log.h: text a peer sent, made safe for one log line.
 *
 * A name, a note, a reason or an item code goes into g_message() and
 * friends through vw_log_escape(), so that "李华\n** Message: ..." cannot
 * forge a second line of the server's log, nor an escape sequence repaint
 * a terminal.  Shared by vw-server (broker, hub, API) and vw-client. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* (transfer full) @text (nullable: "(null)") with every character that
 * could break or disguise a log line escaped, the rest (Chinese included)
 * kept as it is: "\n", "\r", "\t" and "\\" as such, other C0 controls,
 * DEL, C1 controls, U+2028/U+2029 and the bidirectional formatting
 * characters (U+200E/F, U+202A..E, U+2066..9) as "\uXXXX", and each byte
 * of invalid UTF-8 as "\xNN".  The result is one line of valid UTF-8.
 * A pure function. */
char *vw_log_escape (const char *text);

G_END_DECLS
