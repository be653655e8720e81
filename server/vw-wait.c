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
  guint rounds;

  if (samples == 0 || agents == 0 || position == 0 || mean_handling_ms <= 0)
    return FALSE;
  /* Every on-duty agent frees up once per round and takes one clerk. */
  rounds = position / agents + (position % agents != 0);
  if (wait_ms != NULL)
    *wait_ms = (gint64) rounds * mean_handling_ms;
  return TRUE;
}
