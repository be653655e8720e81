/* vw-wait.c: the estimated wait told to a queued clerk (see vw-wait.h).
 *
 * Each (province, item) has a ring of its latest handling times and their
 * running sum, so adding and reading are O(1) whatever @keep is.
 */
#include "vw-wait.h"

/* One key's samples; also its own hash key. */
typedef struct {
  char *province;
  char *item;
  gint64 *ring;     /* @keep slots */
  guint n;          /* slots used, <= keep */
  guint next;       /* slot the next sample overwrites */
  gint64 sum;       /* of the used slots */
} Samples;

struct _VwWaitHistory {
  guint keep;
  GHashTable *keys;   /* Samples (owned, key and value) */
};

static guint
samples_hash (gconstpointer key)
{
  const Samples *s = key;

  return g_str_hash (s->province) * 31 + g_str_hash (s->item);
}

static gboolean
samples_equal (gconstpointer a, gconstpointer b)
{
  const Samples *sa = a, *sb = b;

  return g_str_equal (sa->province, sb->province) && g_str_equal (sa->item, sb->item);
}

static void
samples_free (Samples *s)
{
  g_free (s->province);
  g_free (s->item);
  g_free (s->ring);
  g_free (s);
}

VwWaitHistory *
vw_wait_history_new (guint keep)
{
  VwWaitHistory *h;

  g_return_val_if_fail (keep > 0, NULL);

  h = g_new0 (VwWaitHistory, 1);
  h->keep = keep;
  h->keys = g_hash_table_new_full (samples_hash, samples_equal,
                                   (GDestroyNotify) samples_free, NULL);
  return h;
}

void
vw_wait_history_free (VwWaitHistory *h)
{
  if (h == NULL)
    return;
  g_hash_table_unref (h->keys);
  g_free (h);
}

static Samples *
find_samples (VwWaitHistory *h, const char *province, const char *item)
{
  /* Only the strings are looked at: casting away const is safe here. */
  Samples key = { .province = (char *) province, .item = (char *) item };

  return g_hash_table_lookup (h->keys, &key);
}

void
vw_wait_history_add (VwWaitHistory *h, const char *province, const char *item,
                     gint64 handling_ms)
{
  Samples *s;

  g_return_if_fail (h != NULL);
  g_return_if_fail (province != NULL);
  g_return_if_fail (item != NULL);

  if (handling_ms <= 0)
    return;
  s = find_samples (h, province, item);
  if (s == NULL) {
    s = g_new0 (Samples, 1);
    s->province = g_strdup (province);
    s->item = g_strdup (item);
    s->ring = g_new0 (gint64, h->keep);
    g_hash_table_add (h->keys, s);
  }
  /* The oldest sample leaves the sum as the newest takes its slot. */
  if (s->n == h->keep)
    s->sum -= s->ring[s->next];
  else
    s->n++;
  s->ring[s->next] = handling_ms;
  s->sum += handling_ms;
  s->next = (s->next + 1) % h->keep;
}

guint
vw_wait_history_get (VwWaitHistory *h, const char *province, const char *item,
                     gint64 *mean_ms)
{
  Samples *s;

  g_return_val_if_fail (h != NULL, 0);
  g_return_val_if_fail (province != NULL, 0);
  g_return_val_if_fail (item != NULL, 0);

  s = find_samples (h, province, item);
  if (mean_ms != NULL)
    *mean_ms = s != NULL ? (s->sum + s->n / 2) / s->n : 0;
  return s != NULL ? s->n : 0;
}

gboolean
vw_wait_estimate (gint64 mean_handling_ms, guint samples, guint position,
                  guint agents, gint64 *wait_ms)
{
  if (agents == 0)
    return FALSE;
  /* Every on-duty agent has just started a session: each frees up once
   * per round, so the clerk at @position waits ceil (position / agents)
   * rounds. */
  g_autofree gint64 *free_in = g_new (gint64, agents);
  for (guint i = 0; i < agents; i++)
    free_in[i] = mean_handling_ms;
  return vw_wait_estimate_ahead (mean_handling_ms, samples, position, free_in,
      agents, wait_ms);
}

gboolean
vw_wait_estimate_ahead (gint64 mean_handling_ms, guint samples, guint position,
                        const gint64 *free_in_ms, guint agents, gint64 *wait_ms)
{
  if (samples == 0 || agents == 0 || position == 0 || mean_handling_ms <= 0
      || free_in_ms == NULL)
    return FALSE;

  /* When each agent is next free; the earliest takes the next clerk. */
  g_autofree gint64 *next = g_new (gint64, agents);
  for (guint i = 0; i < agents; i++)
    next[i] = MAX (free_in_ms[i], 0);
  gint64 start = 0;
  for (guint k = 0; k < position; k++) {
    guint first = 0;
    for (guint i = 1; i < agents; i++)
      if (next[i] < next[first])
        first = i;
    start = next[first];
    next[first] += mean_handling_ms;
  }
  if (wait_ms != NULL)
    *wait_ms = start;
  return TRUE;
}

gint64 *
vw_wait_estimate_ahead_all (gint64 mean_handling_ms, guint samples, guint positions,
                            const gint64 *free_in_ms, guint agents)
{
  if (samples == 0 || agents == 0 || positions == 0 || mean_handling_ms <= 0
      || free_in_ms == NULL)
    return NULL;

  /* vw_wait_estimate_ahead()'s walk, once, keeping every step. */
  gint64 *waits = g_new (gint64, positions);
  g_autofree gint64 *next = g_new (gint64, agents);
  for (guint i = 0; i < agents; i++)
    next[i] = MAX (free_in_ms[i], 0);
  for (guint k = 0; k < positions; k++) {
    guint first = 0;
    for (guint i = 1; i < agents; i++)
      if (next[i] < next[first])
        first = i;
    waits[k] = next[first];
    next[first] += mean_handling_ms;
  }
  return waits;
}
