/* vw-api-query.h: reading the query string of an API request, strictly.
 *
 * libsoup's own decoding (soup_form_decode) truncates a value at "%00",
 * drops a pair with a bad escape and keeps the last of repeated names, so
 * a filter such as ?center=%00 would silently list every session in
 * scope.  vw_api_query_parse() refuses such a query instead; every API
 * handler added with vw_api_add_handler() gets its table from it, and a
 * refused query is answered 400 `bad-query` (server/API.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VW_API_QUERY_ERROR (vw_api_query_error_quark ())
GQuark vw_api_query_error_quark (void);

typedef enum {
  VW_API_QUERY_ERROR_ESCAPE,     /* "%" not followed by two hex digits */
  VW_API_QUERY_ERROR_NUL,        /* a NUL byte ("%00") */
  VW_API_QUERY_ERROR_CONTROL,    /* a control character (C0, DEL or C1) */
  VW_API_QUERY_ERROR_UTF8,       /* not UTF-8 once decoded */
  VW_API_QUERY_ERROR_REPEATED,   /* the same name twice */
} VwApiQueryError;

/* Parses @raw (the query as sent, without "?", still percent-encoded;
 * nullable: none) as application/x-www-form-urlencoded pairs: "+" is a
 * space, empty pairs are skipped, a name without "=" has the empty value.
 * Names and values must decode to UTF-8 without NUL or control characters,
 * and no name may come twice.  A pure function.
 *
 * Returns: (transfer full) name → value (both strings owned by the table),
 * or NULL with a VW_API_QUERY_ERROR whose message names the parameter. */
GHashTable *vw_api_query_parse (const char *raw, GError **error);

G_END_DECLS
