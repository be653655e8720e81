/* vw-json-write.h: JSON text (RFC 8259) out of a json-glib tree, numbers
 * exact and valid.
 *
 * json-glib 1.6's generator writes a double with "%.17g" and then ".0" if
 * it saw no '.': 1e308 comes out as "1e+308.0" and infinity as "inf.0"
 * (both invalid JSON), 0.1 as "0.10000000000000001", and it leaves
 * U+001F unescaped.  Everything the project writes as JSON goes through
 * vw_json_to_string() instead: the signalling messages (vw-message.c),
 * the HTTP API's answers and audit details, the store's event details and
 * vw-client's event lines. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* (transfer full) @node as compact JSON: no whitespace, members in their
 * order, integers as they are, doubles in the shortest form that reads
 * back as the same double (always with a '.' or an exponent; not finite:
 * null), strings with '"', '\\', every control character below U+0020
 * and U+2028/U+2029 escaped, invalid UTF-8 replaced by U+FFFD. */
char *vw_json_to_string (JsonNode *node);

/* Appends @value as vw_json_to_string() writes a double. */
void  vw_json_append_double (GString *out, double value);

G_END_DECLS
