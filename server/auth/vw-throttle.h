/* vw-throttle.h: back-off for guessing (passwords, booking codes), as
 * pure logic: no clock (callers pass "now", unix ms), no sockets.
 *
 * A throttle counts failures per key (an account's username, a remote
 * address).  The first @free_failures of a key cost nothing; from then on
 * the key must wait before its next attempt: @base_delay_ms after the
 * failure that used up the allowance, twice as long after the next, and so
 * on up to @max_delay_ms.  An attempt during the wait is refused without
 * being tried (and without counting: the wait does not grow while a key is
 * refused).  A key with no failure for @forget_after_ms (or for its wait,
 * if longer) is forgotten: its count starts again from 0.  So a back-off
 * never lasts for ever: at most @max_delay_ms after the last failure.
 *
 * Memory is bounded: at most @max_keys keys are kept.  When a new key
 * comes and the table is full, forgotten keys are dropped first, then the
 * key whose last failure is the oldest.
 *
 * Callers that try in the background (a password hashed on a worker)
 * count an attempt as a failure when it starts (vw_throttle_fail) and take
 * it back when it succeeds (vw_throttle_forgive, or vw_throttle_reset),
 * so that many attempts sent at once are not all let through before the
 * first fails. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint free_failures;     /* failures before the first wait; >= 1 */
  gint64 base_delay_ms;    /* the first wait; > 0 */
  gint64 max_delay_ms;     /* the longest wait; >= base_delay_ms */
  gint64 forget_after_ms;  /* a quiet key is forgotten after this; > 0 */
  guint max_keys;          /* keys kept at most; >= 1 */
} VwThrottleConfig;

typedef struct _VwThrottle VwThrottle;

VwThrottle *vw_throttle_new (const VwThrottleConfig *config);
void        vw_throttle_free (VwThrottle *throttle);

/* How long @key must still wait at @now_ms before an attempt, in ms; 0:
 * it may try now. */
gint64      vw_throttle_wait_ms (VwThrottle *throttle, const char *key, gint64 now_ms);

/* One failure of @key at @now_ms. */
void        vw_throttle_fail (VwThrottle *throttle, const char *key, gint64 now_ms);

/* Takes back one failure of @key (an attempt counted when it started that
 * turned out right); the time of its last failure stays. */
void        vw_throttle_forgive (VwThrottle *throttle, const char *key);

/* Forgets @key: its count starts again from 0. */
void        vw_throttle_reset (VwThrottle *throttle, const char *key);

/* The failures counted for @key (0 if not kept), and the keys kept. */
guint       vw_throttle_failures (VwThrottle *throttle, const char *key, gint64 now_ms);
guint       vw_throttle_size (VwThrottle *throttle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwThrottle, vw_throttle_free)

G_END_DECLS
