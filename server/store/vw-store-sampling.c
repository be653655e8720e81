/* vw-store-sampling.c: the random draw of sessions for quality checks (see
 * vw_store_sample_draw() in vw-store-supervision.h).  Pure: no SQL, no
 * clock; the seeded GRand makes a draw reproducible from the audit log. */
#include "vw-store-supervision.h"

void
vw_store_sample_candidate_free (VwStoreSampleCandidate *candidate)
{
  if (!candidate)
    return;
  g_free (candidate->session_id);
  g_free (candidate->agent);
  g_free (candidate);
}

/* By agent, then session id. */
static int
compare_candidates (gconstpointer a, gconstpointer b)
{
  const VwStoreSampleCandidate *x = *(VwStoreSampleCandidate *const *) a;
  const VwStoreSampleCandidate *y = *(VwStoreSampleCandidate *const *) b;
  int by_agent = g_strcmp0 (x->agent, y->agent);

  return by_agent ? by_agent : g_strcmp0 (x->session_id, y->session_id);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Draws @n of @group (borrowed candidates of one agent) into @out: a
 * partial Fisher-Yates shuffle, then sorted by id. */
static void
draw_group (GPtrArray *group, guint n, GRand *rand, GPtrArray *out)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  guint take = MIN (n, group->len);

  for (guint i = 0; i < take; i++) {
    guint j = g_rand_int_range (rand, i, group->len);
    gpointer tmp = group->pdata[i];

    group->pdata[i] = group->pdata[j];
    group->pdata[j] = tmp;
    g_ptr_array_add (ids,
        g_strdup (((VwStoreSampleCandidate *) group->pdata[i])->session_id));
  }
  g_ptr_array_sort (ids, compare_strings);
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (out, g_steal_pointer (&ids->pdata[i]));
}

GPtrArray *
vw_store_sample_draw (GPtrArray *candidates, guint per_agent, guint32 seed)
{
  g_return_val_if_fail (candidates != NULL, NULL);

  /* Borrowed pointers (a copy would take the free function too). */
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (candidates->len);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint start = 0;

  for (guint i = 0; i < candidates->len; i++)
    g_ptr_array_add (sorted, candidates->pdata[i]);
  g_ptr_array_sort (sorted, compare_candidates);
  while (start < sorted->len) {
    const char *agent = ((VwStoreSampleCandidate *) sorted->pdata[start])->agent;
    g_autoptr (GPtrArray) group = g_ptr_array_new ();

    for (; start < sorted->len; start++) {
      VwStoreSampleCandidate *c = sorted->pdata[start];
      if (g_strcmp0 (c->agent, agent) != 0)
        break;
      /* The same session twice (a caller's mistake) is drawn at most once. */
      if (group->len == 0 || g_strcmp0 (c->session_id,
              ((VwStoreSampleCandidate *) group->pdata[group->len - 1])->session_id) != 0)
        g_ptr_array_add (group, c);
    }
    draw_group (group, per_agent, rand, out);
  }
  return g_steal_pointer (&out);
}
