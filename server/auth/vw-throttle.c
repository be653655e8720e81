/* vw-throttle.c: back-off per key for guessing (see vw-throttle.h). */
#include "vw-throttle.h"

typedef struct {
  guint failures;
  gint64 last_ms;   /* of the last failure */
} Entry;

struct _VwThrottle {
  VwThrottleConfig config;
  GHashTable *entries;   /* char* key -> Entry* */
};

VwThrottle *
vw_throttle_new (const VwThrottleConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->free_failures >= 1 && config->base_delay_ms > 0
      && config->max_delay_ms >= config->base_delay_ms
      && config->forget_after_ms > 0 && config->max_keys >= 1, NULL);

  VwThrottle *t = g_new0 (VwThrottle, 1);
  t->config = *config;
  t->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return t;
}

void
vw_throttle_free (VwThrottle *throttle)
{
  if (!throttle)
    return;
  g_hash_table_unref (throttle->entries);
  g_free (throttle);
}

/* The wait after @failures failures: 0 within the allowance, then
 * base, 2 base, 4 base ... up to max. */
static gint64
delay_after (const VwThrottleConfig *c, guint failures)
{
  if (failures < c->free_failures)
    return 0;
  guint doublings = failures - c->free_failures;
  gint64 delay = c->base_delay_ms;
  for (guint i = 0; i < doublings && delay < c->max_delay_ms; i++)
    delay *= 2;
  return MIN (delay, c->max_delay_ms);
}

static gboolean
forgotten (const VwThrottleConfig *c, const Entry *e, gint64 now_ms)
{
  return now_ms - e->last_ms > MAX (c->forget_after_ms, delay_after (c, e->failures));
}

/* The entry of @key if kept and not forgotten at @now_ms (dropped then). */
static Entry *
lookup (VwThrottle *t, const char *key, gint64 now_ms)
{
  Entry *e = g_hash_table_lookup (t->entries, key);

  if (e && forgotten (&t->config, e, now_ms)) {
    g_hash_table_remove (t->entries, key);
    return NULL;
  }
  return e;
}

/* Room for one more key: forgotten keys go first, then the oldest. */
static void
make_room (VwThrottle *t, gint64 now_ms)
{
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest = NULL;
  gint64 oldest_ms = G_MAXINT64;

  if (g_hash_table_size (t->entries) < t->config.max_keys)
    return;
  g_hash_table_iter_init (&iter, t->entries);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    Entry *e = value;
    if (forgotten (&t->config, e, now_ms))
      g_hash_table_iter_remove (&iter);
    else if (e->last_ms < oldest_ms) {
      oldest = key;
      oldest_ms = e->last_ms;
    }
  }
  if (g_hash_table_size (t->entries) >= t->config.max_keys && oldest)
    g_hash_table_remove (t->entries, oldest);
}

gint64
vw_throttle_wait_ms (VwThrottle *throttle, const char *key, gint64 now_ms)
{
  g_return_val_if_fail (throttle != NULL && key != NULL, 0);

  Entry *e = lookup (throttle, key, now_ms);
  if (!e)
    return 0;
  gint64 until = e->last_ms + delay_after (&throttle->config, e->failures);
  return until > now_ms ? until - now_ms : 0;
}

void
vw_throttle_fail (VwThrottle *throttle, const char *key, gint64 now_ms)
{
  g_return_if_fail (throttle != NULL && key != NULL);

  Entry *e = lookup (throttle, key, now_ms);
  if (!e) {
    make_room (throttle, now_ms);
    e = g_new0 (Entry, 1);
    g_hash_table_insert (throttle->entries, g_strdup (key), e);
  }
  if (e->failures < G_MAXUINT)
    e->failures++;
  e->last_ms = MAX (e->last_ms, now_ms);
}

void
vw_throttle_forgive (VwThrottle *throttle, const char *key)
{
  g_return_if_fail (throttle != NULL && key != NULL);

  Entry *e = g_hash_table_lookup (throttle->entries, key);
  if (e && e->failures > 0)
    e->failures--;
}

void
vw_throttle_reset (VwThrottle *throttle, const char *key)
{
  g_return_if_fail (throttle != NULL && key != NULL);

  g_hash_table_remove (throttle->entries, key);
}

guint
vw_throttle_failures (VwThrottle *throttle, const char *key, gint64 now_ms)
{
  g_return_val_if_fail (throttle != NULL && key != NULL, 0);

  Entry *e = lookup (throttle, key, now_ms);
  return e ? e->failures : 0;
}

guint
vw_throttle_size (VwThrottle *throttle)
{
  g_return_val_if_fail (throttle != NULL, 0);

  return g_hash_table_size (throttle->entries);
}
