/* vw-broker.h: the signalling side of vw-server.
 *
 * Owns the WebSocket connections, registers peers, feeds VwPairing, runs
 * sessions and hands their media messages to the hub.  One instance per
 * server; everything runs on the main context.
 */
#pragma once

#include <libsoup/soup.h>
#include "vw-protocol.h"
#include "vw-store.h"

G_BEGIN_DECLS

typedef struct _VwBroker VwBroker;

typedef struct {
  guint hub_latency_ms;
  const char *ice_address;   /* (nullable) */
  gboolean ice_tcp;          /* the hub offers ICE-TCP candidates */
  guint ice_port_min, ice_port_max;   /* 0: any */
  const char *const *turn_urls;   /* (nullable) TURN servers handed out in
                                   * "paired" ("ice-servers"); NULL or empty:
                                   * none */
  const char *turn_secret;   /* coturn's static-auth-secret */
  guint turn_ttl_s;          /* credentials' lifetime */
  const char *data_dir;      /* snapshots and the store live here */
  VwStore *store;            /* sessions, evidence, timeline (borrowed) */
  gboolean record;           /* record every session in the hub */
  const guint8 *token_key;   /* VW_TOKEN_KEY_SIZE bytes: checks hello tokens */
  guint chunk_seconds;       /* 0: the default (10 s) */
  guint wrap_up_seconds;     /* agents' wrap-up after each call */
  guint media_start_timeout_s;   /* 0: the default (30 s): a session whose
                                  * clerk's media has not started by then
                                  * ends ("media-timeout") */
  guint max_waiting_per_address; /* 0: the default (20): clerks queued at
                                  * once from one remote address */
  guint reconnect_grace_s;       /* issue 12: a participant whose connection
                                  * was lost is kept this long for its resume;
                                  * 0: none, it leaves at once */
  guint ping_interval_s;         /* 0: the default (5 s): WebSocket pings */
  guint silence_timeout_s;       /* 0: the default (15 s): a connection
                                  * silent this long is lost */
} VwBrokerConfig;

/* (transfer full) */
VwBroker *vw_broker_new (const VwBrokerConfig *config);
void      vw_broker_free (VwBroker *broker);

/* Takes over a freshly accepted WebSocket at /ws from @peer_address (the
 * remote IP address as text, no port; nullable: unknown). */
void      vw_broker_add_websocket (VwBroker *broker, SoupWebsocketConnection *ws,
                                   const char *peer_address);

/* Ends every session ("server-shutdown") and closes every connection. */
void      vw_broker_shutdown (VwBroker *broker);

/* A snapshot for /api/status. (transfer full) */
JsonObject *vw_broker_get_status (VwBroker *broker);
/* The signed-in agents now, for the console's transfer and invite
 * choices (GET /api/desk/agents): (transfer full) an array of
 * {account, name, province, center, state, items}. */
JsonArray  *vw_broker_list_agents (VwBroker *broker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwBroker, vw_broker_free)

G_END_DECLS
