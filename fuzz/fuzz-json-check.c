/* fuzz-json-check.c: the strict RFC 8259 check of signaling/vw-json-check.c
 * on any bytes (it reads exactly @size bytes, no NUL terminator).
 *
 * Promises checked besides memory safety: it answers TRUE without an error
 * or FALSE with one; and what it accepts (as UTF-8 without NUL bytes, as
 * vw_message_parse() hands it over) json-glib parses, since the protocol
 * relies on that ("Should not happen after check_json_syntax()"), and
 * what json-glib writes back of it passes the check again (with U+001F
 * escaped, as the protocol's writer does). */
#include "vw-fuzz.h"
#include "vw-json-check.h"

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

  /* What json-glib writes back of it passes again, once the bytes below
   * 0x20 (all inside strings: U+001F, which json-glib 1.6 writes raw) are
   * escaped, as vw_message_to_string() does for a relayed message. */
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_autofree char *written = json_generator_to_data (generator, NULL);
  g_autoptr (GString) again = g_string_new (NULL);
  for (const char *p = written; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      g_string_append_printf (again, "\\u%04x", (guint) (guchar) *p);
    else
      g_string_append_c (again, *p);
  g_autoptr (GError) again_error = NULL;
  if (!vw_json_check_syntax (again->str, again->len, &again_error))
    vw_fuzz_fail ("json-glib wrote back what the check refuses: %s\n%s",
        again_error->message, again->str);
  return 0;
}
