/* protocol-invalid-table.h: the malformed and invalid messages
 * test-protocol parses, with the error each must give.  The rows are in
 * protocol-invalid-table.c. */
#pragma once

#include "vw-protocol.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;
  const char *text;
  gssize length;            /* -1: strlen (text) */
  VwDirection from;
  VwProtocolError code;
  const char *ref;          /* expected *out_ref as JSON text, or NULL */
  const char *needle;       /* must appear in the error message, or NULL */
} InvalidCase;

extern const InvalidCase vw_invalid_cases[];
extern const guint vw_n_invalid_cases;

G_END_DECLS
