/* vw-broker-private.h: the broker's state, shared by its source files
 * (vw-broker.c: connections, registration, sessions, media;
 * vw-broker-desk.c: what the service desk adds around a call: the queue
 * shown to agents, the rating after it).  Everything on the main context. */
#pragma once

#include "vw-broker.h"
#include "vw-pairing.h"
#include "hub/vw-hub.h"
#include "vw-recordings.h"
#include "vw-token.h"

G_BEGIN_DECLS

typedef struct _Session Session;

typedef struct {
  VwBroker *broker;
  SoupWebsocketConnection *ws;   /* owned ref */
  char *peer_id;
  gboolean registered;
  VwRole role;
  char *name, *province, *center;
  char *item;                    /* clerk: the item of the latest request */
  char *handled_in;              /* clerk: the province of that request */
  gint64 requested_at;           /* clerk: when it asked (unix ms) */
  char *queue_sent;              /* agent: the last "queue" sent, as text */
  VwTokenClaims *claims;         /* (nullable) agents and supervisors: the account */
  Session *session;              /* (nullable) borrowed: in it, or watching it */
} Connection;

struct _Session {
  char *id;
  char *case_no;                 /* the case number of the store */
  char *agent;                   /* peer ids */
  char *clerk;
  GPtrArray *viewers;            /* char* peer ids of supervisors watching live */
};

struct _VwBroker {
  VwStore *store;                /* borrowed */
  VwPairing *pairing;
  VwHub *hub;
  VwRecordings *recordings;      /* NULL when not recording */
  guint8 token_key[VW_TOKEN_KEY_SIZE];
  GHashTable *connections;       /* peer id -> Connection*, owned */
  GHashTable *sessions;          /* session id -> Session*, owned */
  guint64 sessions_started;
  gboolean shutting_down;        /* no new sessions once set */
  GHashTable *errors_sent;       /* (nullable) error code -> count, for /metrics
                                  * (vw-metrics.c) */
};

void     broker_conn_send (Connection *c, VwMessage *msg);
void     broker_conn_reply_ok (Connection *c, VwMessage *request);
gint64   broker_now_ms (void);

/* vw-broker-desk.c */
gboolean broker_handle_rate (Connection *c, VwMessage *msg, GError **error);
/* Sends each agent the queue of its province when it changed. */
void     broker_update_queues (VwBroker *b);

G_END_DECLS
