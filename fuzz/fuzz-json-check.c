/* fuzz-json-check.c: the strict RFC 8259 check of signaling/vw-json-check.c
 * on any bytes (it reads exactly @size bytes, no NUL terminator).
 *
 * Promises checked besides memory safety: it answers TRUE without an error
 * or FALSE with one; and what it accepts (as UTF-8 without NUL bytes, as
 * vw_message_parse() hands it over) json-glib parses, since the protocol
 * relies on that ("Should not happen after check_json_syntax()"), and
 * what the project's writer (vw_json_to_string(), which every message and
 * API answer goes through) writes back of it passes the check again. */
#include "vw-fuzz.h"
#include "vw-json-check.h"
#include "vw-json-write.h"

#include <json-glib/json-glib.h>
#include <string.h>

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  vw_fuzz_init_glib ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  g_autoptr (GError) error = NULL;
  gboolean ok = vw_json_check_syntax (text, size, &error);

  if (ok != (error == NULL))
    vw_fuzz_fail ("answered %s with%s an error", ok ? "TRUE" : "FALSE",
        error ? "" : "out");
  if (!ok || size == 0 || memchr (text, '\0', size) != NULL
      || !g_utf8_validate (text, size, NULL))
    return 0;

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) parse_error = NULL;
  if (!json_parser_load_from_data (parser, text, size, &parse_error))
    vw_fuzz_fail ("the check accepted what json-glib refuses: %s", parse_error->message);

  g_autofree char *written = vw_json_to_string (json_parser_get_root (parser));
  g_autoptr (GError) again_error = NULL;
  if (!vw_json_check_syntax (written, strlen (written), &again_error))
    vw_fuzz_fail ("vw_json_to_string() wrote back what the check refuses: %s\n%s",
        again_error->message, written);
  return 0;
}
