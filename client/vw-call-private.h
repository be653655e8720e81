/* vw-call-private.h: what the files of VwCall share (vw-call.c: the
 * state machine, the server's messages, the WebSocket and its drop-outs;
 * vw-call-commands.c: the commands read from stdin).  Not for callers
 * outside them. */
#pragma once

#include "vw-call.h"

#include <libsoup/soup.h>

typedef enum {
  STATE_CONNECTING,
  STATE_REGISTERING,
  STATE_READY,        /* agent: available; clerk: about to ask */
  STATE_QUEUED,
  STATE_IN_SESSION,
  STATE_CLOSING,
  STATE_DONE,
  STATE_RECONNECTING,   /* lost; a new WebSocket comes after a backoff */
} State;

struct _VwCall {
  VwCallConfig config;
  GMainLoop *loop;
  SoupSession *soup;
  SoupWebsocketConnection *ws;
  State state;
  char *peer_id;
  char *session;
  VwCallMedia *media;
  JsonArray *ice_servers;        /* (nullable) of the latest "paired": every
                                  * media connection of the session uses them */
  guint sessions_done;
  guint stats_source;
  guint duration_source;
  guint close_timeout;
  int exit_status;
  /* Drop-outs (issue 12). */
  char *resume_token;        /* (nullable) from the latest welcome */
  State lost_in;             /* QUEUED or IN_SESSION: what we resume */
  gint64 lost_at_us;         /* when the connection was lost; 0: it is not */
  guint reconnect_attempt;
  guint reconnect_source;
  gint64 last_heard_us;
  guint liveness_source;
  guint restart_source;      /* pending idle: rebuild media, or resume */
  gboolean restart_resume;   /* ... the whole connection, not only media */
  gboolean duration_armed;   /* --duration counts from the first connect */
  gboolean hangup_pending;   /* --duration elapsed while we were away */
};

/* vw-call.c */
void     call_send_msg (VwCall *call, VwMessage *msg);
/* TRUE if a lost connection should be resumed: @call holds a resume
 * token and is queued or in a session.  @ws (nullable): the WebSocket that
 * was lost; a server that closed it as shutting down is not resumed. */
gboolean call_may_resume (VwCall *call, SoupWebsocketConnection *ws);
/* The WebSocket or the media connection is lost (@cause): reconnect. */
void     call_connection_lost (VwCall *call, const char *cause);
