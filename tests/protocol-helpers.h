/* protocol-helpers.h: what test-protocol and test-protocol-build share:
 * parsing that must succeed or fail in a given way, and a message's trip
 * through its JSON text and back. */
#pragma once

#include "vw-protocol.h"

G_BEGIN_DECLS

/* Parses @text (@length bytes, -1: strlen) and asserts it fails with @code,
 * hands back @ref (JSON text or NULL) and mentions @needle (or NULL) in the
 * message. */
void       assert_parse_fails (const char *text, gssize length, VwDirection from,
                               VwProtocolError code, const char *ref,
                               const char *needle);
/* Parses @text, asserts success with @type and returns the message. */
VwMessage *parse_ok (const char *text, VwDirection from, VwMessageType type);
/* Serializes @msg and parses the text back as sent by @from. */
VwMessage *round_trip (VwMessage *msg, VwDirection from);

G_END_DECLS
