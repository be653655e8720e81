/* vw-config.c: defaults, a key file, checks (see vw-config.h).  The key
 * table below is the one list of settings: reading and checking both walk
 * it. */
#include "vw-config.h"
#include "vw-turn.h"

#include <gio/gio.h>
#include <string.h>

typedef enum { KEY_INT, KEY_STRING, KEY_BOOL } KeyType;

typedef struct {
  const char *group, *key;
  KeyType type;
  gsize offset;
  int min, max;            /* KEY_INT */
} Key;

#define INT(g, k, field, lo, hi) { g, k, KEY_INT, G_STRUCT_OFFSET (VwConfig, field), lo, hi }
#define STR(g, k, field) { g, k, KEY_STRING, G_STRUCT_OFFSET (VwConfig, field), 0, 0 }
#define BOOL(g, k, field) { g, k, KEY_BOOL, G_STRUCT_OFFSET (VwConfig, field), 0, 0 }

static const Key keys[] = {
  INT ("server", "port", port, 0, 65535),
  STR ("server", "address", address),
  STR ("server", "data-dir", data_dir),
  STR ("server", "ice-address", ice_address),
  INT ("server", "hub-latency", hub_latency_ms, 0, 1000),
  STR ("server", "web-dir", web_dir),
  STR ("server", "tls-certificate", tls_certificate),
  STR ("server", "tls-key", tls_key),
  INT ("server", "kept-writes", kept_writes, 100, 1000000),
  BOOL ("recording", "enabled", record),
  INT ("recording", "chunk-seconds", chunk_seconds, 1, 10),
  INT ("retention", "days", retention_days, 0, 36500),
  INT ("retention", "check-minutes", retention_check_minutes, 1, 24 * 60),
  INT ("desk", "wrap-up-seconds", wrap_up_seconds, 0, 3600),
  INT ("desk", "media-start-timeout", media_start_timeout_s, 1, 3600),
  INT ("desk", "max-waiting-per-address", max_waiting_per_address, 1, 100000),
  INT ("desk", "reconnect-grace", reconnect_grace_s, 0, 3600),
  INT ("desk", "ping-interval", ping_interval_s, 1, 600),
  INT ("desk", "silence-timeout", silence_timeout_s, 2, 3600),
  INT ("auth", "token-hours", token_hours, 1, 24 * 30),
  INT ("auth", "backoff-ms", backoff_ms, 1, 60 * 1000),
  INT ("auth", "hash-workers", hash_workers, 1, 16),
  INT ("auth", "hash-queue", hash_queue, 1, 1024),
  STR ("catalogue", "file", catalogue_file),
  INT ("limits", "max-connections", max_connections, 0, 1000000),
  INT ("limits", "max-connections-per-address", max_connections_per_address, 1, 1000000),
  INT ("limits", "listen-backlog", listen_backlog, 1, 65535),
  INT ("limits", "request-timeout", request_timeout_s, 1, 3600),
  INT ("limits", "idle-timeout", idle_timeout_s, 1, 3600),
  INT ("limits", "websocket-first-message", ws_first_message_s, 1, 3600),
  INT ("limits", "websocket-stall", ws_stall_s, 1, 3600),
  INT ("limits", "slow-reader", slow_reader_s, 1, 3600),
  INT ("limits", "websocket-max-message-kib", ws_max_message_kib, 64, 16384),
  INT ("limits", "websocket-rate", ws_rate, 1, 100000),
  INT ("limits", "websocket-burst", ws_burst, 1, 1000000),
  STR ("calendar", "holidays", holidays_file),
  BOOL ("media", "ice-tcp", ice_tcp),
  INT ("media", "port-min", ice_port_min, 0, 65535),
  INT ("media", "port-max", ice_port_max, 0, 65535),
  STR ("turn", "urls", turn_urls),
  STR ("turn", "secret", turn_secret),
  INT ("turn", "ttl", turn_ttl_s, 60, 7 * 24 * 3600),
};

void
vw_config_init (VwConfig *c)
{
  *c = (VwConfig) {
    .port = 8080,
    .address = g_strdup ("0.0.0.0"),
    .data_dir = g_strdup ("vw-data"),
    .hub_latency_ms = 20,
    .record = TRUE,
    .chunk_seconds = 10,
    .retention_days = 180,
    .retention_check_minutes = 60,
    .wrap_up_seconds = 30,
    .media_start_timeout_s = 30,
    .max_waiting_per_address = 20,
    .reconnect_grace_s = 30,
    .ping_interval_s = 5,
    .silence_timeout_s = 15,
    .token_hours = 8,
    .max_connections_per_address = 128,
    .listen_backlog = 1024,
    .request_timeout_s = 15,
    .idle_timeout_s = 30,
    .ws_first_message_s = 10,
    .ws_stall_s = 30,
    .slow_reader_s = 30,
    .ws_max_message_kib = 1024,
    .ws_rate = 50,
    .ws_burst = 200,
    .backoff_ms = 1000,
    .hash_workers = 2,
    .hash_queue = 16,
    .kept_writes = 50000,
    .ice_tcp = TRUE,
    .turn_ttl_s = 8 * 3600,
  };
}

void
vw_config_clear (VwConfig *c)
{
  g_free (c->address);
  g_free (c->data_dir);
  g_free (c->ice_address);
  g_free (c->web_dir);
  g_free (c->catalogue_file);
  g_free (c->holidays_file);
  g_free (c->tls_certificate);
  g_free (c->tls_key);
  g_free (c->turn_urls);
  g_free (c->turn_secret);
  memset (c, 0, sizeof *c);
}

static const Key *
find_key (const char *group, const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].group, group) && g_str_equal (keys[i].key, key))
      return &keys[i];
  return NULL;
}

static gboolean
check_int (const Key *k, int value, const char *where, GError **error)
{
  if (value >= k->min && value <= k->max)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "%s[%s] %s = %d is out of range %d..%d", where, k->group, k->key, value,
      k->min, k->max);
  return FALSE;
}

static gboolean
read_key (VwConfig *c, GKeyFile *file, const Key *k, const char *path, GError **error)
{
  gpointer field = G_STRUCT_MEMBER_P (c, k->offset);
  GError *local = NULL;
  switch (k->type) {
  case KEY_INT: {
    int v = g_key_file_get_integer (file, k->group, k->key, &local);
    if (local || !check_int (k, v, path, &local))
      break;
    *(int *) field = v;
    break;
  }
  case KEY_BOOL: {
    gboolean v = g_key_file_get_boolean (file, k->group, k->key, &local);
    if (!local)
      *(gboolean *) field = v;
    break;
  }
  case KEY_STRING: {
    char *v = g_key_file_get_string (file, k->group, k->key, &local);
    if (local)
      break;
    g_free (*(char **) field);
    *(char **) field = *v ? v : (g_free (v), NULL);
    break;
  }
  }
  if (local) {
    g_propagate_prefixed_error (error, local, "%s: ", path);
    return FALSE;
  }
  return TRUE;
}

gboolean
vw_config_load_file (VwConfig *c, const char *path, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error)) {
    g_prefix_error (error, "%s: ", path);
    return FALSE;
  }
  g_auto (GStrv) groups = g_key_file_get_groups (file, NULL);
  for (guint g = 0; groups[g]; g++) {
    g_auto (GStrv) names = g_key_file_get_keys (file, groups[g], NULL, NULL);
    for (guint n = 0; names && names[n]; n++) {
      const Key *k = find_key (groups[g], names[n]);
      if (!k) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
            "%s: unknown setting [%s] %s", path, groups[g], names[n]);
        return FALSE;
      }
      if (!read_key (c, file, k, path, error))
        return FALSE;
    }
    if (!names || !names[0]) {
      gboolean known = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        known |= g_str_equal (keys[i].group, groups[g]);
      if (!known) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
            "%s: unknown group [%s]", path, groups[g]);
        return FALSE;
      }
    }
  }
  return TRUE;
}

gboolean
vw_config_check (const VwConfig *c, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i].type == KEY_INT
        && !check_int (&keys[i], G_STRUCT_MEMBER (int, c, keys[i].offset), "", error))
      return FALSE;
  if (!c->tls_certificate != !c->tls_key) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "HTTPS needs both a TLS certificate and its key");
    return FALSE;
  }
  if (!c->data_dir || !c->address) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "the data directory and the address must not be empty");
    return FALSE;
  }
  if ((c->ice_port_min == 0) != (c->ice_port_max == 0)
      || c->ice_port_min > c->ice_port_max) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "[media] port-min %d and port-max %d must both be 0 (any port) or a range",
        c->ice_port_min, c->ice_port_max);
    return FALSE;
  }
  g_auto (GStrv) urls = vw_turn_parse_urls (c->turn_urls, error);
  if (!urls) {
    g_prefix_error (error, "[turn] urls: ");
    return FALSE;
  }
  if (urls[0] && !c->turn_secret) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "[turn] urls needs [turn] secret (coturn's static-auth-secret)");
    return FALSE;
  }
  return TRUE;
}
