/* vw-range.h: HTTP byte ranges (RFC 9110, 14) for what vw-server sends
 * whole from memory: the web pages (vw-static.c) and recordings played
 * back (api/vw-api-tracks.c).
 *
 * libsoup 3.2's own range handling (for a 200 with the whole body) reads
 * an overflowing position as a negative offset (bytes=99999999999999999999-
 * got a 206 with no byte), does not clamp a last position past the end,
 * and sends 416 without "Content-Range: bytes *\/SIZE"; so these responses
 * answer the Range header themselves and take it off the request. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum {
  VW_RANGE_WHOLE,            /* no Range, or one to ignore: 200, all of it */
  VW_RANGE_PARTIAL,          /* one satisfiable range: 206 */
  VW_RANGE_UNSATISFIABLE,    /* no range can be satisfied: 416 */
} VwRange;

/* Reads the value of a Range header (nullable) for a representation of
 * @size bytes.  A pure function.
 *
 * Only the "bytes" unit is known.  A header that does not follow the
 * grammar (another unit, a sign, a last position before the first, an
 * empty set...) is ignored (WHOLE), as RFC 9110 asks.  A set where no
 * range is satisfiable (every first position at or past @size, or a
 * suffix of 0 bytes) is UNSATISFIABLE.  A set of more than one range,
 * some satisfiable, is served WHOLE (no multipart/byteranges), and so is
 * a suffix of an empty representation.  One
 * satisfiable range is PARTIAL with the bytes [*@first, *@last], the last
 * position clamped to the end, a suffix longer than @size meaning all of
 * it; positions too large for 64 bits count as past the end. */
VwRange vw_range_parse (const char *header, guint64 size, guint64 *first,
                        guint64 *last);

/* Sets @msg's response to @body with status 200, 206 (Content-Range
 * "bytes FIRST-LAST/SIZE") or 416 (Content-Range "bytes *\/SIZE", no body)
 * as the request's Range asks (GET only; ignored if an If-Range does not
 * name @etag, which may be NULL: none), with "Accept-Ranges: bytes".
 * The content type and other headers are the caller's.  Takes the Range
 * header off the request, so that libsoup does not apply it again. */
void    vw_range_respond (SoupServerMessage *msg, GBytes *body, const char *etag);

G_END_DECLS
