/* vw-api-guess.c: throttles against guessing on the server, keys of
 * remote addresses, the 429 answer (see vw-api-guess.h). */
#include "vw-api-guess.h"

#include <string.h>

VwThrottle *
vw_api_guess_throttle_new (VwApiContext *context, guint free_failures)
{
  g_return_val_if_fail (context != NULL, NULL);

  VwThrottleConfig config = {
    .free_failures = free_failures,
    .base_delay_ms = context->backoff_ms ? context->backoff_ms
        : VW_API_GUESS_DEFAULT_BACKOFF_MS,
    .max_delay_ms = VW_API_GUESS_MAX_DELAY_MS,
    .forget_after_ms = VW_API_GUESS_FORGET_MS,
    .max_keys = VW_API_GUESS_MAX_KEYS,
  };
  config.max_delay_ms = MAX (config.max_delay_ms, config.base_delay_ms);
  return vw_throttle_new (&config);
}

VwThrottle *
vw_api_guess_throttle (SoupServer *server, VwApiContext *context, const char *name,
    guint free_failures)
{
  g_return_val_if_fail (SOUP_IS_SERVER (server) && context != NULL && name != NULL, NULL);

  VwThrottle *throttle = g_object_get_data (G_OBJECT (server), name);
  if (throttle)
    return throttle;
  throttle = vw_api_guess_throttle_new (context, free_failures);
  g_object_set_data_full (G_OBJECT (server), name, throttle,
      (GDestroyNotify) vw_throttle_free);
  return throttle;
}

char *
vw_api_guess_address_key (SoupServerMessage *msg)
{
  return vw_api_guess_host_key (soup_server_message_get_remote_host (msg));
}

char *
vw_api_guess_host_key (const char *host)
{
  g_autoptr (GInetAddress) address = host ? g_inet_address_new_from_string (host) : NULL;

  if (!address)
    return g_strdup (host ? host : "unknown");
  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6
      || g_inet_address_get_is_loopback (address))
    return g_inet_address_to_string (address);
  const guint8 *b = g_inet_address_to_bytes (address);
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  if (memcmp (b, v4_mapped, sizeof v4_mapped) == 0)   /* an IPv4 client, dual stack */
    return g_strdup_printf ("%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
  return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

void
vw_api_guess_refuse (SoupServerMessage *msg, gint64 wait_ms)
{
  gint64 seconds = MAX ((wait_ms + 999) / 1000, 1);
  g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
  g_autoptr (JsonObject) body = json_object_new ();

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
      "Retry-After", value);
  json_object_set_string_member (body, "error", "too-many-attempts");
  json_object_set_string_member (body, "message",
      "too many failed attempts: try again later");
  json_object_set_int_member (body, "retry_after", seconds);
  vw_api_send_json (msg, 429, body);
}

gint64
vw_api_guess_now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}
