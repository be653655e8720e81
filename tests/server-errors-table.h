/* server-errors-table.h: the bad inputs test-server-errors sends to a real
 * vw-server, each from a given state of the connection, with the error it
 * must answer.  The rows are in server-errors-table.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ONE_MIB (1024 * 1024)

typedef enum {
  SETUP_NONE,           /* a fresh connection, no hello */
  SETUP_AGENT,          /* an agent of shanghai, registered and away */
  SETUP_CLERK,          /* a clerk, registered and idle */
  SETUP_CLERK_QUEUED,   /* a clerk waiting in the anhui queue */
  SETUP_PAIRED_AGENT,   /* the agent of a session (@SESSION@) */
  SETUP_PAIRED_CLERK,   /* the clerk of a session (@SESSION@) */
  SETUP_OTHER_PAIR,     /* PAIRED_CLERK, plus another pair in @OTHER@ */
  SETUP_SUPERVISOR,     /* a signed-in supervisor of 黄浦区政务服务中心, watching nothing */
} Setup;

typedef struct {
  const char *path;
  Setup setup;
  const char *text;     /* "@SESSION@", "@OTHER@" and the tokens "@AGENT@"
                         * (an agent's), "@SUPERVISOR@", "@FORGED@" (signed
                         * with another key) and "@EXPIRED@" are replaced */
  gsize length;         /* bytes to send if text holds a NUL, else 0 */
  gsize pad_to;         /* pad with spaces after the first byte to this size */
  gboolean binary;      /* send as a binary frame */
  const char *code;     /* expected error code */
  const char *ref;      /* expected ref as JSON text, or NULL: no ref */
} BadInput;

extern const BadInput vw_bad_inputs[];
extern const guint vw_n_bad_inputs;

G_END_DECLS
