/* pairing-helpers.h: what test-pairing and test-pairing-flow share: calls
 * of vw-pairing that must succeed, returning their events as one compact
 * string, and assertions on a peer's state.
 *
 * Events read "PAIRED clerk agent province/item", "QUEUED clerk
 * province/item position", "STATE agent state" ("STATE agent wrap-up
 * until" for wrap-up), joined by "; ", so that a failure shows the whole
 * sequence expected and the one that came.
 *
 * Agents are named after their centres (黄浦, 青浦, 合肥, ...), clerks after
 * theirs (吴江, 嘉善, ...), asking for the other province's help.
 */
#pragma once

#include "vw-pairing.h"
#include "vw-protocol.h"

G_BEGIN_DECLS

/* Item codes of data/catalogue.json. */
#define SL "QY-SL-001"   /* 企业设立 */
#define SP "SP-JY-004"   /* 食品经营许可证 */
#define YB "YB-YD-005"   /* 异地医保 */

/* An agent's items: ITEMS (SL, SP); ALL_ITEMS: every item. */
#define ITEMS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define ALL_ITEMS NULL

char *events_to_string (GPtrArray *events);
/* Takes a successful result and returns its events as a string. */
char *ok (GPtrArray *events, GError *error);
/* Takes a failed result: NULL with @code set and a message naming @who. */
void  assert_refused (GPtrArray *events, GError *error, VwProtocolError code,
                      const char *who);

#define assert_events(s, expected)              \
  G_STMT_START {                                \
    g_autofree char *s_ = (s);                  \
    g_assert_cmpstr (s_, ==, (expected));       \
  } G_STMT_END

void  add_agent (VwPairing *p, const char *agent, const char *province,
                 const char *const *items, gint64 now);
void  add_clerk (VwPairing *p, const char *clerk);

char *set_available (VwPairing *p, const char *agent, gboolean available, gint64 now);
char *request (VwPairing *p, const char *clerk, const char *province,
               const char *item, gint64 now);
char *request_priority (VwPairing *p, const char *clerk, const char *province,
                        const char *item, gint64 now);
char *end_pair (VwPairing *p, const char *peer, gint64 now);
char *tick (VwPairing *p, gint64 now);
char *transfer_to_agent (VwPairing *p, const char *clerk, const char *to, gint64 now);
char *transfer_to_queue (VwPairing *p, const char *clerk, const char *province,
                         const char *item, gint64 now);
char *claim (VwPairing *p, const char *agent, gint64 now);
char *release (VwPairing *p, const char *agent, gint64 now);
char *remove_peer (VwPairing *p, const char *peer, gint64 now);

/* Clerk ids, space-separated: list_queue and list_waiting_for, taken. */
char *ids_to_string (GPtrArray *ids);
char *list_queue (VwPairing *p, const char *province, const char *item);
char *list_waiting_for (VwPairing *p, const char *agent);

void  assert_paired (VwPairing *p, const char *clerk, const char *agent);
void  assert_queued (VwPairing *p, const char *clerk, guint position);
void  assert_idle_clerk (VwPairing *p, const char *clerk);
/* The agent is in @state and, unless busy, has no partner; "until" is set
 * exactly in wrap-up. */
void  assert_agent (VwPairing *p, const char *agent, VwAgentState state);

G_END_DECLS
