/* vw-metrics.c: the broker's live state and the store's totals as
 * Prometheus text (see vw-metrics.h). */
#include "vw-metrics.h"
#include "vw-broker-private.h"
#include "vw-store-follow-ups.h"

#include <stdlib.h>

static const char *const provinces[] = { "shanghai", "jiangsu", "zhejiang", "anhui" };

void
vw_metrics_count_error (VwBroker *b, const char *code)
{
  if (!b->errors_sent)
    b->errors_sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gpointer key = NULL, value = NULL;
  if (g_hash_table_lookup_extended (b->errors_sent, code, &key, &value))
    g_hash_table_insert (b->errors_sent, g_strdup (code),
        GSIZE_TO_POINTER (GPOINTER_TO_SIZE (value) + 1));
  else
    g_hash_table_insert (b->errors_sent, g_strdup (code), GSIZE_TO_POINTER (1));
}

/* A label value as the format wants it: \\, \" and \n escaped. */
static void
append_label_value (GString *out, const char *value)
{
  for (const char *p = value; *p; p++) {
    if (*p == '\\' || *p == '"')
      g_string_append_c (out, '\\');
    if (*p == '\n')
      g_string_append (out, "\\n");
    else
      g_string_append_c (out, *p);
  }
}

static void
header (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample (GString *out, const char *name, const char *label, const char *value,
    gint64 n)
{
  g_string_append (out, name);
  if (label) {
    g_string_append_printf (out, "{%s=\"", label);
    append_label_value (out, value);
    g_string_append (out, "\"}");
  }
  g_string_append_printf (out, " %" G_GINT64_FORMAT "\n", n);
}

/* Clerks waiting, by the province of their request; agents by state. */
static void
collect_live (VwBroker *b, GString *out)
{
  g_autoptr (GHashTable) queues = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) agents = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  Connection *c;

  g_hash_table_iter_init (&iter, b->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c)) {
    if (!c->registered)
      continue;
    if (c->role == VW_ROLE_CLERK && c->handled_in
        && vw_pairing_get_clerk_state (b->pairing, c->peer_id) == VW_CLERK_QUEUED) {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (queues, c->handled_in));
      g_hash_table_insert (queues, c->handled_in, GUINT_TO_POINTER (n + 1));
    } else if (c->role == VW_ROLE_AGENT) {
      const char *state = vw_agent_state_to_string (vw_pairing_get_agent_state (
          b->pairing, c->peer_id));
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (agents, state));
      g_hash_table_insert (agents, (gpointer) state, GUINT_TO_POINTER (n + 1));
    }
  }

  header (out, "vw_sessions_live", "gauge", "Sessions running now.");
  sample (out, "vw_sessions_live", NULL, NULL, g_hash_table_size (b->sessions));
  header (out, "vw_media_timeouts_total", "counter",
      "Sessions ended since the server started because the clerk's media did not start in time.");
  sample (out, "vw_media_timeouts_total", NULL, NULL, b->media_timeouts);
  header (out, "vw_connections", "gauge",
      "WebSocket connections open now (agents, clerks, supervisors, not yet registered).");
  sample (out, "vw_connections", NULL, NULL, g_hash_table_size (b->connections));
  /* Drop-outs (issue 12): what a participant that reconnects for ever
   * must not grow. */
  guint hub_participants = 0, hub_sessions = 0, webrtcbins = 0;
  vw_hub_get_counts (b->hub, &hub_participants, &hub_sessions, &webrtcbins);
  header (out, "vw_hub_participants", "gauge", "Media connections the hub keeps (participants and viewers).");
  sample (out, "vw_hub_participants", NULL, NULL, hub_participants);
  header (out, "vw_hub_webrtcbins", "gauge", "webrtcbin elements alive in the hub's pipeline.");
  sample (out, "vw_hub_webrtcbins", NULL, NULL, webrtcbins);
  header (out, "vw_resume_tokens", "gauge", "Resume tokens that can be used now.");
  sample (out, "vw_resume_tokens", NULL, NULL, g_hash_table_size (b->resume_tokens));
  header (out, "vw_connections_lost_total", "counter",
      "Participants whose connection was lost and who were kept for the grace period.");
  sample (out, "vw_connections_lost_total", NULL, NULL, b->connections_lost);
  header (out, "vw_resumes_total", "counter", "Resumes taken.");
  sample (out, "vw_resumes_total", NULL, NULL, b->resumes);
  header (out, "vw_reconnect_grace_expired_total", "counter",
      "Participants that did not come back within the grace period.");
  sample (out, "vw_reconnect_grace_expired_total", NULL, NULL, b->grace_expired);
  header (out, "vw_queue_length", "gauge",
      "Clerks waiting for an agent, by the province whose rules apply.");
  for (guint i = 0; i < G_N_ELEMENTS (provinces); i++)
    sample (out, "vw_queue_length", "province", provinces[i],
        GPOINTER_TO_UINT (g_hash_table_lookup (queues, provinces[i])));
  header (out, "vw_agents", "gauge", "Agents connected now, by state.");
  for (guint i = 0; i < VW_AGENT_N_STATES; i++) {
    const char *state = vw_agent_state_to_string (i);
    sample (out, "vw_agents", "state", state,
        GPOINTER_TO_UINT (g_hash_table_lookup (agents, state)));
  }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static void
collect_errors (VwBroker *b, GString *out)
{
  header (out, "vw_errors_total", "counter",
      "Protocol errors sent to clients since the server started, by code.");
  if (!b->errors_sent)
    return;
  guint n = 0;
  g_autofree gpointer *codes = g_hash_table_get_keys_as_array (b->errors_sent, &n);
  qsort (codes, n, sizeof *codes, compare_strings);
  for (guint i = 0; i < n; i++) {
    const char *code = codes[i];
    sample (out, "vw_errors_total", "code", code,
        GPOINTER_TO_SIZE (g_hash_table_lookup (b->errors_sent, code)));
  }
}

/* What the store counts; left out (and logged) if it fails. */
static void
collect_store (VwBroker *b, GString *out)
{
  g_autoptr (GError) error = NULL;
  gint64 sessions = 0, ratings[6] = { 0 }, open = 0;

  if (!vw_store_count_totals (b->store, &sessions, ratings, &error)
      || !vw_store_count_open_follow_ups (b->store, &open, &error)) {
    g_warning ("metrics: the store failed: %s", error->message);
    return;
  }
  header (out, "vw_sessions_total", "counter",
      "Sessions (connections) recorded in the store since it was created.");
  sample (out, "vw_sessions_total", NULL, NULL, sessions);
  header (out, "vw_ratings_total", "counter",
      "Ratings (好差评) stored, by level: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.");
  for (int level = 1; level <= 5; level++) {
    char name[2] = { '0' + level, 0 };
    sample (out, "vw_ratings_total", "level", name, ratings[level]);
  }
  header (out, "vw_follow_ups_open", "gauge",
      "Follow-ups (整改) of bad ratings not yet closed.");
  sample (out, "vw_follow_ups_open", NULL, NULL, open);
}

char *
vw_metrics_collect (VwBroker *b)
{
  GString *out = g_string_new (NULL);

  collect_live (b, out);
  collect_errors (b, out);
  collect_store (b, out);
  return g_string_free (out, FALSE);
}
