/* vw-json-check.h: a strict RFC 8259 syntax check, run before json-glib.
 *
 * json-glib 1.6 accepts comments, single quotes, hex numbers, a second
 * value after the first, and silently mangles huge numbers and "\u0000";
 * untrusted messages are checked here first.  Internal to the signalling
 * library, and used by pipelines/vw-transfer.c for the strings of a data
 * channel. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VW_JSON_MAX_DEPTH 32

/* FALSE with a VW_PROTOCOL_ERROR_BAD_JSON error that says what and where. */
gboolean vw_json_check_syntax (const char *data, gsize length, GError **error);

G_END_DECLS
