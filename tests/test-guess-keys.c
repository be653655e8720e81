/* test-guess-keys: the key by which guessing is counted per remote address
 * (server/api/vw-api-guess.c): an IPv4 address itself, an IPv6 address
 * by its /64 (one host usually holds all of it), an IPv4 address mapped
 * into IPv6 (a dual-stack socket) as the IPv4 address, loopback as itself. */
#include "vw-api-guess.h"

static void
test_host_keys (void)
{
  static const struct { const char *host, *key; } cases[] = {
    { "203.0.113.7", "203.0.113.7" },
    { "127.0.0.1", "127.0.0.1" },
    { "2001:db8:1234:5678::1", "2001:0db8:1234:5678::/64" },
    { "2001:db8:1234:5678:aaaa:bbbb:cccc:dddd", "2001:0db8:1234:5678::/64" },
    { "2001:db8:1234:5679::1", "2001:0db8:1234:5679::/64" },
    { "::1", "::1" },
    { "::ffff:203.0.113.7", "203.0.113.7" },   /* dual stack: each IPv4 client alone */
    { "::ffff:198.51.100.9", "198.51.100.9" },
    { "not an address", "not an address" },
    { NULL, "unknown" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *key = vw_api_guess_host_key (cases[i].host);
    g_test_message ("%s -> %s", cases[i].host, key);
    g_assert_cmpstr (key, ==, cases[i].key);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guess-keys/hosts", test_host_keys);
  return g_test_run ();
}
