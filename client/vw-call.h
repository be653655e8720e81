/* vw-call.h: a vw-client's conversation with vw-server.
 *
 * Connects, says hello, goes available (agent) or asks for help (clerk),
 * and runs each session's media through VwCallMedia.  Every step is printed
 * as an event line (vw-events.h).
 */
#pragma once

#include "vw-call-media.h"

G_BEGIN_DECLS

typedef struct _VwCall VwCall;

typedef struct {
  const char *server;        /* ws:// or http:// URL of the server */
  VwRole role;
  const char *name, *province, *center;
  const char *item;          /* clerk: the service item's code */
  const char *booking;       /* (nullable) clerk: an appointment's code (我要约) */
  const char *const *items;  /* (nullable) agent: the item codes it handles; NULL: all */
  const char *handled_in;    /* clerk: province whose rules apply */
  const char *token;         /* (nullable) signed-in account's token (agents, supervisors) */
  const char *monitor;       /* supervisor: the session to watch live, receive-only */
  GTlsDatabase *tls_database; /* (nullable) trusted CAs for wss://, else the system's */
  guint duration_s;          /* hang up this long after connecting; 0: never */
  guint max_sessions;        /* agent: exit after this many; 0: never */
  guint rate_level;          /* clerk: rate the session 1..5 when it ends (好差评); 0: no */
  const char *rate_comment;  /* (nullable) with it */
  guint stats_interval_ms;
  VwCallMediaConfig media;
} VwCallConfig;

/* (transfer full) */
VwCall *vw_call_new (const VwCallConfig *config, GMainLoop *loop);
void    vw_call_free (VwCall *call);
void    vw_call_start (VwCall *call);
/* Hangs up (if in a session) and closes; quits the loop when done. */
void    vw_call_stop (VwCall *call);
/* A command line from stdin, one JSON object such as {"command":"hangup"}
 * (see README, "Commands").  Problems are reported as "error" events. */
void    vw_call_handle_command (VwCall *call, const char *line);
/* Process exit status once the loop has quit. */
int     vw_call_get_exit_status (VwCall *call);

G_END_DECLS
