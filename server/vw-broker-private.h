/* vw-broker-private.h: the broker's state, shared by its source files
 * (vw-broker.c: connections, registration, dispatch, media;
 * vw-broker-session.c: sessions and their legs: start, end, an agent
 * joining or leaving a running session;
 * vw-broker-desk.c: what the service desk adds around a call: requests by
 * item, the queue shown to agents, estimated waits, agent states, the
 * rating after a call;
 * vw-broker-transfer.c: transfer and three-party calls).  Everything on the
 * main context. */
#pragma once

#include "vw-broker.h"
#include "vw-pairing.h"
#include "hub/vw-hub.h"
#include "vw-recordings.h"
#include "vw-token.h"
#include "vw-wait.h"
#include "vw-throttle.h"
#include "vw-log.h"

G_BEGIN_DECLS

typedef struct _Session Session;
typedef struct _WaitBoard WaitBoard;

typedef struct {
  VwBroker *broker;
  SoupWebsocketConnection *ws;   /* owned ref */
  char *peer_id;
  char *address;                 /* the remote IP address ("" if unknown) */
  gboolean registered;
  VwRole role;
  char *name, *province, *center;
  GStrv items;                   /* (nullable) agent: item codes it handles; NULL: all */
  char *item;                    /* clerk: the item (code) of the latest request */
  char *handled_in;              /* clerk: the province of that request */
  gint64 requested_at;           /* clerk: when it asked (unix ms) */
  char *booking;                 /* (nullable) clerk: the appointment it came with */
  gint64 wait_sent;              /* clerk: the last wait_s it was told (-1: none) */
  guint position_sent;           /* clerk: the last position it was told */
  gint64 leg_started_at;         /* agent: when it joined its session (unix ms) */
  char *leg_province, *leg_item; /* lead agent: what its leg handles (for the
                                  * history of handling times) */
  char *queue_sent;              /* agent: the last "queue" sent, as text */
  VwTokenClaims *claims;         /* (nullable) agents and supervisors: the account */
  Session *session;              /* (nullable) borrowed: in it, or watching it */
  /* Drop-outs (issue 12, vw-broker-resume.c). */
  char *resume_token;            /* (nullable) the secret of its latest welcome */
  gboolean lost;                 /* reconnecting: its WebSocket (ws NULL) or
                                  * its media was lost; the grace period runs */
  guint grace_source;            /* the end of the grace period */
  gint64 last_heard_us;          /* the last frame or pong from it */
  guint liveness_source;         /* checks last_heard_us */
  VwMessage *pending_ended;      /* (nullable) the "ended" it missed while away */
} Connection;

/* A session is one case: the clerk stays in it from the first pairing to
 * the end, through transfers; agents come and go, each stay a "leg" of
 * its own in the store. */
struct _Session {
  VwBroker *broker;              /* (not owned) */
  char *id;
  char *case_no;                 /* the case number of the store */
  char *agent;                   /* (nullable) the lead agent's peer id; NULL
                                  * while a transferred clerk waits */
  char *clerk;
  GPtrArray *guests;             /* char* peer ids of invited agents */
  GPtrArray *viewers;            /* char* peer ids of supervisors watching live */
  guint media_timeout;           /* until the clerk's media starts: the
                                  * timer that ends the session */
  gboolean unserved;             /* ended before the clerk's media started:
                                  * no call took place */
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
  guint64 media_timeouts;        /* sessions ended by media-timeout (/metrics) */
  gboolean shutting_down;        /* no new sessions once set */
  VwWaitHistory *handling;       /* recent handling times, for estimated waits */
  guint wrap_up_source;          /* the timer of the next wrap-up's end */
  guint media_start_timeout_s;   /* see VwBrokerConfig */
  guint max_waiting_per_address;
  VwThrottle *booking_guesses;   /* unknown booking codes, by address key */
  guint desk_refresh_source;     /* broker_desk_refresh_soon() */
  WaitBoard *board;              /* (nullable) see vw-broker-desk.c */
  GHashTable *by_address;        /* remote address -> GPtrArray of its
                                  * Connection* (borrowed) */
  GHashTable *errors_sent;       /* (nullable) error code -> count, for /metrics
                                  * (vw-metrics.c) */
  /* Drop-outs (issue 12, vw-broker-resume.c). */
  GHashTable *resume_tokens;     /* token (owned) -> peer id (borrowed from its
                                  * Connection, which removes it) */
  guint reconnect_grace_s;       /* 0: no grace, a lost connection leaves */
  guint ping_interval_s, silence_timeout_s;
  guint64 connections_lost;      /* participants kept reconnecting (/metrics) */
  guint64 resumes;               /* resumes taken (/metrics) */
  guint64 grace_expired;         /* participants that never came back */
  GStrv turn_urls;               /* (nullable) "ice-servers" in "paired" */
  char *turn_secret;
  guint turn_ttl_s;
};

/* vw-broker.c */
void     broker_conn_send (Connection *c, VwMessage *msg);
/* @c takes @ws (a new reference) as its WebSocket: signals, pings. */
void     broker_conn_attach_ws (Connection *c, SoupWebsocketConnection *ws);
/* @c lets go of its WebSocket (signals off, reference dropped): closed
 * with @code and @reason first if still open (code 0: not closed). */
void     broker_conn_detach_ws (Connection *c, gushort code, const char *reason);
/* @c leaves for good: its session ends or goes on without it (@reason to
 * the others), the pairing forgets it, and @c is freed. */
void     broker_conn_leave (Connection *c, const char *reason);
void     broker_conn_reply_ok (Connection *c, VwMessage *request);
void     broker_send_to_peer (VwBroker *b, const char *peer, VwMessage *msg);
gint64   broker_now_ms (void);
gint64   broker_now_us (void);
Connection *broker_find_agent_by_account (VwBroker *b, const char *username);
/* Clerks from @address now waiting in a queue. */
guint    broker_count_waiting_from (VwBroker *b, const char *address);
/* Applies what a pairing change caused (pairs, queue positions, agent
 * states), then refreshes the agents' queue views.  Takes @events (may be
 * NULL). */
void     broker_apply_events (VwBroker *b, GPtrArray *events);
/* Media and hangup messages name a session, which must be the sender's. */
gboolean broker_check_session (Connection *c, VwMessage *msg, GError **error);

/* vw-broker-session.c */
JsonObject *broker_peer_info (Connection *c);
/* "paired" to @to about @peer (@invited: @to is the invited third party);
 * "recording"; the participant's row in the store. */
void     broker_send_paired (Connection *to, Session *s, Connection *peer, gboolean invited);
void     broker_send_recording (Connection *to, Session *s);
/* "paired" again, with "resumed": true, after a resume. */
void     broker_send_paired_resumed (Connection *to, Session *s, Connection *peer,
                                     gboolean invited);
void     broker_store_participant (VwBroker *b, const char *session, Connection *c);
/* A pair was made: a new session, or (the clerk is in one already, having
 * been transferred) the agent joins the clerk's session. */
void     broker_session_paired (VwBroker *b, const char *agent, const char *clerk);
/* Ends @s for everyone in it (see vw-broker-session.c). */
void     broker_session_end (VwBroker *b, Session *s, const char *actor,
                             const char *reason_for_actor, const char *reason,
                             gboolean actor_leaving, JsonNode *actor_ref);
/* The agent @peer leaves @s, which goes on: the lead agent being
 * transferred away (@reason "transferred"), or an invited agent hanging up.
 * It gets "ended" with @reason; the others "left". */
void     broker_session_agent_leaves (VwBroker *b, Session *s, const char *peer,
                                      const char *reason, JsonNode *ref);
/* The invited agent @guest joins @s as a third participant. */
gboolean broker_session_add_guest (VwBroker *b, Session *s, Connection *guest,
                                   Connection *by, GError **error);
void     broker_session_stop_watching (VwBroker *b, Session *s, const char *peer,
                                       const char *reason, JsonNode *ref);
gboolean broker_session_is_guest (Session *s, const char *peer);
void     broker_session_free (Session *s);
void     broker_store_event (VwBroker *b, const char *session, const char *type,
                             const char *actor, JsonObject *detail);
void     broker_store_failed (const char *what, GError *error);

/* vw-broker-desk.c */
gboolean broker_handle_rate (Connection *c, VwMessage *msg, GError **error);
gboolean broker_handle_request (Connection *c, VwMessage *msg, GError **error);
/* Checks an agent's declared items against the catalogue; (transfer full)
 * the codes, or NULL for "every item" (none declared). */
gboolean broker_check_agent_items (VwBroker *b, VwMessage *hello, GStrv *items,
                                   GError **error);
/* Whether @item exists and is handled in @province (UNKNOWN_ITEM). */
gboolean broker_check_item (VwBroker *b, const char *province, const char *item,
                            GError **error);
/* "queued" for @clerk at @position, with the estimated wait. */
void     broker_send_queued (VwBroker *b, const char *clerk, const char *province,
                             const char *item, guint position);
/* "agent-state" to @agent. */
void     broker_send_agent_state (VwBroker *b, const char *agent, VwAgentState state,
                                  gint64 until_us);
/* Soon (in the main loop's next turn, once for any number of calls
 * before it): sends each agent the queue it could serve when it changed,
 * and tells queued clerks whose estimated wait changed without a change
 * of place. */
void     broker_desk_refresh_soon (VwBroker *b);
/* Forgets the wait board (positions, turns, estimates of every queued
 * clerk) once the pairing or an agent's state changed. */
void     broker_board_drop (VwBroker *b);
/* Arms the timer for the next end of a wrap-up. */
void     broker_schedule_wrap_up (VwBroker *b);
/* A leg of @agent handling @province/@item lasted @ms: history for waits. */
void     broker_note_handling (VwBroker *b, const char *province, const char *item,
                               gint64 ms);
void     broker_load_handling (VwBroker *b);

/* vw-broker-resume.c: drop-outs (issue 12).  See the file's comment. */
/* Watches @c's WebSocket: pings, and how long since it was last heard. */
void     broker_liveness_watch (Connection *c);
void     broker_liveness_heard (Connection *c);
/* A new resume token for @c (the old one is spent). */
void     broker_resume_new_token (Connection *c);
/* @c's WebSocket closed (not after a hangup) or went silent: TRUE if @c is
 * kept, reconnecting, for the grace period; FALSE: it leaves as before. */
gboolean broker_resume_ws_lost (Connection *c);
/* "hello" with "resume" on the fresh connection @c. */
gboolean broker_resume_hello (Connection *c, VwMessage *msg, GError **error);
/* From the hub: @peer's media connection was lost / is up (again). */
void     broker_resume_media_lost (VwBroker *b, const char *session, const char *peer);
void     broker_resume_media_up (VwBroker *b, const char *session, const char *peer);
/* A message for @c, whose WebSocket is gone: kept or dropped. */
void     broker_resume_undelivered (Connection *c, VwMessage *msg);
/* Forgets @c's token, timers and pending message (connection_free). */
void     broker_resume_clear (Connection *c);
/* "ping" -> "pong". */
gboolean broker_handle_ping (Connection *c, VwMessage *msg, GError **error);

/* vw-broker-transfer.c */
gboolean broker_handle_transfer (Connection *c, VwMessage *msg, GError **error);
gboolean broker_handle_invite (Connection *c, VwMessage *msg, GError **error);

G_END_DECLS
