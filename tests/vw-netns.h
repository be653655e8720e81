/* vw-netns.h: a network namespace joined to the host by an impaired link,
 * for tests and benchmarks (the kernel here has no netem).
 *
 * vw_netns_new() makes a namespace named vwt-<pid>-<n> and starts vw-link
 * (tests/vw-link.c, from the VW_LINK environment variable or the path built
 * in) which makes the two TUN devices, gives the host's end and the
 * namespace's end addresses of 10.77.0.0/16 and relays packets between
 * them, applying loss, delay, jitter, a rate cap and blackouts set at run
 * time.  The namespace and the link go away with vw_netns_free(), and also
 * when the test process dies (vw-link sees its stdin close and deletes the
 * namespace, killing what still runs in it).
 *
 * A program runs inside with vw_netns_spawn() or by putting
 * vw_netns_wrapper() before its argv.  The host's end address
 * (vw_netns_get_host_address()) is a local address of the host namespace:
 * a server listening on it is reachable from every namespace's link and
 * from the host itself, which a server on 127.0.0.1 is not.
 *
 * "Up" is the namespace sending to the host, "down" the other way.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _VwNetns VwNetns;

typedef enum {
  VW_NETNS_UP = 1 << 0,
  VW_NETNS_DOWN = 1 << 1,
  VW_NETNS_BOTH = VW_NETNS_UP | VW_NETNS_DOWN,
} VwNetnsDirection;

typedef struct {
  guint64 passed;     /* packets delivered */
  guint64 lost;       /* dropped by the random loss */
  guint64 overflow;   /* dropped by the rate cap's full queue */
  guint64 blackout;   /* dropped during a blackout */
  guint64 bytes;      /* bytes delivered */
} VwNetnsDirCounters;

typedef struct {
  VwNetnsDirCounters up, down;
} VwNetnsCounters;

/* Removes namespaces vwt-<pid>-* whose pid is gone (earlier runs that
 * died hard).  vw_netns_new() calls it. */
void          vw_netns_cleanup_stale (void);

VwNetns      *vw_netns_new (GError **error);
void          vw_netns_free (VwNetns *ns);

const char   *vw_netns_get_name (VwNetns *ns);
/* The host's end of the link (stays the same for the link's life). */
const char   *vw_netns_get_host_address (VwNetns *ns);
/* The namespace's address (changes with vw_netns_readdress()). */
const char   *vw_netns_get_address (VwNetns *ns);
/* { "ip", "netns", "exec", NAME, NULL }: an argv prefix. */
const char *const *vw_netns_wrapper (VwNetns *ns);

/* Random loss in percent (0.1 precision) on @dir. */
gboolean      vw_netns_set_loss (VwNetns *ns, VwNetnsDirection dir, double percent,
                                 GError **error);
/* One-way delay on @dir (a round trip gets both ways' delays). */
gboolean      vw_netns_set_delay (VwNetns *ns, VwNetnsDirection dir, guint ms,
                                  GError **error);
/* Each packet's delay drawn in delay +- @ms (never reordered). */
gboolean      vw_netns_set_jitter (VwNetns *ns, VwNetnsDirection dir, guint ms,
                                   GError **error);
/* A bottleneck of @kbits kbit/s (0: none) on @dir ... */
gboolean      vw_netns_set_rate (VwNetns *ns, VwNetnsDirection dir, guint kbits,
                                 GError **error);
/* ... whose queue holds @ms of traffic (100 by default); beyond, drops. */
gboolean      vw_netns_set_queue (VwNetns *ns, VwNetnsDirection dir, guint ms,
                                  GError **error);
/* Everything dropped both ways while on. */
gboolean      vw_netns_blackout (VwNetns *ns, gboolean on, GError **error);
/* A new address for the namespace; the old one is gone at once, so that
 * its TCP connections and ICE pairs die (a move from Wi-Fi to 4G). */
gboolean      vw_netns_readdress (VwNetns *ns, GError **error);
gboolean      vw_netns_get_counters (VwNetns *ns, VwNetnsCounters *counters,
                                     GError **error);
/* Counters back to zero. */
gboolean      vw_netns_reset_counters (VwNetns *ns, GError **error);

/* Runs @argv inside the namespace (killed if the test dies). */
GSubprocess  *vw_netns_spawn (VwNetns *ns, GSubprocessFlags flags,
                              const char *const *argv, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VwNetns, vw_netns_free)

G_END_DECLS
