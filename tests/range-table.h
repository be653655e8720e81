/* range-table.h: Range requests (RFC 9110, 14) and what a real vw-server
 * must answer to each, for any resource it sends whole: the web pages
 * (test-ranges) and a recording's track (test-supervision).  The rows are
 * in range-table.c. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* GETs the resource with "Range: @range" and, if not NULL, "If-Range:
 * @if_range".  (transfer full) the body; the status and the response
 * headers (unref them) in the out arguments. */
typedef GBytes *(*RangeFetch) (const char *range, const char *if_range, guint *status,
                               SoupMessageHeaders **headers, gpointer data);

/* Sends every row through @fetch and checks the answer against @whole,
 * the resource as a GET without Range returns it (at least 1,100 bytes).
 * @etag: the resource's ETag, or NULL if it has none (an If-Range then
 * always means the whole resource). */
void range_table_check (RangeFetch fetch, gpointer data, GBytes *whole,
                        const char *etag);

G_END_DECLS
